"""Callbacks that use only the public `keras.callbacks.Callback` API, so they work in any `fit`.

    from ktrain_kit.callbacks import TrainingDoctor, ReduceLROnPlateau, MetricsCSV

`TrainingDoctor` watches training (curves, and gradient / activation statistics on a probe batch)
and afterwards says what went wrong and what to change: `doctor.findings`, `doctor.report()`.

`ReduceLROnPlateau` works with a learning-rate schedule (stock Keras' raises TypeError there) by
lowering the schedule's `multiplier` variable; with a plain float learning rate it lowers that.
`MetricsCSV` writes one row per epoch with `lr`, `epoch_time_s` and steady-state
`examples_per_sec` (the first step of each epoch, which may include tracing, is left out).
"""

import csv
import json
import math
import os
import time

import keras
import numpy as np
import tensorflow as tf

from ktrain_kit import doctor as doctor_rules
from ktrain_kit import probe as probe_lib


def current_lr(optimizer) -> float:
    """The learning rate the optimizer uses at its current step (schedules evaluated)."""
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class ReduceLROnPlateau(keras.callbacks.Callback):
    """Multiplies the learning rate by `factor` after `patience` epochs without improvement.

    With `schedule` (anything with a `multiplier` variable, such as `ktrain_kit.schedules.Schedule`)
    the multiplier is lowered, so warmup and decay keep their shape; otherwise the optimizer's
    float learning rate is. The multiplier never goes below `min_multiplier`.
    """

    def __init__(self, monitor="val_loss", factor=0.5, patience=2, min_delta=1e-4,
                 min_multiplier=1e-3, schedule=None, mode="auto", verbose=1):
        super().__init__()
        self.monitor, self.factor, self.patience = monitor, factor, patience
        self.min_delta, self.min_multiplier, self.verbose = min_delta, min_multiplier, verbose
        self.schedule = schedule
        self.maximize = mode == "max" or (mode == "auto" and "acc" in monitor)
        self.best, self.wait, self.base_lr = None, 0, None

    def _multiplier(self):
        if self.schedule is not None:
            return float(self.schedule.multiplier.numpy())
        return current_lr(self.model.optimizer) / self.base_lr

    def _set_multiplier(self, value):
        if self.schedule is not None:
            self.schedule.multiplier.assign(value)
        else:
            self.model.optimizer.learning_rate = self.base_lr * value

    def on_train_begin(self, logs=None):
        if self.schedule is None and self.base_lr is None:
            self.base_lr = current_lr(self.model.optimizer)

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None or not math.isfinite(value):
            return
        improved = self.best is None or (value > self.best + self.min_delta if self.maximize
                                         else value < self.best - self.min_delta)
        if improved:
            self.best, self.wait = value, 0
            return
        self.wait += 1
        if self.wait >= max(self.patience, 1):
            old = self._multiplier()
            new = max(old * self.factor, self.min_multiplier)
            if new < old:
                self._set_multiplier(new)
                if self.verbose:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} has not improved for {self.wait} "
                          f"epochs; learning rate x{new / old:.3g} (multiplier {new:.3g})")
            self.wait = 0


class MetricsCSV(keras.callbacks.Callback):
    """One row per epoch: epoch, logs, lr, epoch_time_s, examples_per_sec. Appends on resume."""

    def __init__(self, path, batch_size):
        super().__init__()
        self.path, self.batch_size = path, batch_size
        self.columns = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start = time.perf_counter()
        self.first_step_end, self.train_end, self.first_done, self.done = None, None, None, 0

    def keep_epochs_up_to(self, last_epoch):
        """On resume: drop rows of epochs that the restored checkpoint does not include."""
        if not os.path.exists(self.path):
            return
        with open(self.path, newline="") as f:
            rows = list(csv.reader(f))
        kept = rows[:1] + [r for r in rows[1:] if r and int(float(r[0])) <= last_epoch]
        with open(self.path + ".tmp", "w", newline="") as f:
            csv.writer(f).writerows(kept)
        os.replace(self.path + ".tmp", self.path)

    def on_train_batch_end(self, batch, logs=None):
        self.done = batch + 1  # batches of this epoch so far (one call may run several)
        if self.first_step_end is None:
            self.first_step_end, self.first_done = time.perf_counter(), self.done

    def on_epoch_end(self, epoch, logs=None):
        now = time.perf_counter()
        logs = logs if logs is not None else {}
        logs["lr"] = current_lr(self.model.optimizer)
        train_end = self.train_end or now
        logs["epoch_time_s"] = now - self.epoch_start
        if self.done > (self.first_done or 0):  # steady state: after the first call, which
            examples = (self.done - self.first_done) * self.batch_size  # may include tracing
            seconds = train_end - self.first_step_end
        else:
            examples, seconds = self.done * self.batch_size, train_end - self.epoch_start
        logs["examples_per_sec"] = examples / max(seconds, 1e-9)
        row = {"epoch": epoch + 1, **{k: float(np.asarray(v)) for k, v in logs.items()}}
        if self.columns is None:
            self.columns = self._existing_columns() or list(row)
        new_file = not os.path.exists(self.path)
        with open(self.path, "a", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=self.columns, extrasaction="ignore")
            if new_file:
                writer.writeheader()
            writer.writerow(row)

    def on_test_begin(self, logs=None):
        # Validation runs inside the epoch: training throughput stops counting here.
        self.train_end = self.train_end or time.perf_counter()

    def _existing_columns(self):
        if not os.path.exists(self.path):
            return None
        with open(self.path, newline="") as f:
            header = next(csv.reader(f), None)
        return header


def callback_state(callback) -> dict:
    """What a callback must remember across a restart (JSON-able; big arrays go in `arrays`)."""
    if isinstance(callback, keras.callbacks.EarlyStopping):
        arrays = {f"w{i}": w for i, w in enumerate(callback.best_weights or [])}
        best = None if callback.best is None else float(callback.best)
        return {"wait": callback.wait, "best": best, "best_epoch":
                callback.best_epoch, "arrays": arrays}
    if isinstance(callback, ReduceLROnPlateau):
        return {"wait": callback.wait, "best": callback.best}
    if isinstance(callback, TrainingDoctor):
        return {"epochs": callback.epochs, "batch_losses": callback.batch_losses,
                "probes": callback.probes, "step": callback.step, "epoch": callback.epoch,
                "running": getattr(callback, "running", None)}
    return {}


def restore_callback_state(callback, state) -> None:
    state = dict(state)
    arrays = state.pop("arrays", None)
    for key, value in state.items():
        setattr(callback, key, [tuple(b) for b in value] if key == "batch_losses" else value)
    if isinstance(callback, keras.callbacks.EarlyStopping) and arrays:
        callback.best_weights = [arrays[f"w{i}"] for i in range(len(arrays))]


class Checkpoints(keras.callbacks.Callback):
    """Saves everything a resumed run needs at every epoch end and every `every_steps` steps.

    A checkpoint holds the model, optimizer (slots, iterations, loss scale), RNG states and extra
    variables (the schedule's plateau multiplier), where it was taken (epochs finished, and
    batches of the next epoch already trained), plus a side file with the running values of the
    model's metrics and the state of the `stateful` callbacks (early stopping's best value,
    patience and best weights, plateau's wait, the doctor's history). A run resumed from a
    mid-epoch checkpoint therefore continues with the next batch and ends that epoch with the
    metrics of the uninterrupted run (`ktrain_kit.fitting.fit` starts Keras mid-epoch).

    TensorFlow writes the checkpoint files before it atomically replaces the index, so a kill
    mid-write leaves the previous checkpoint intact; a damaged latest one is skipped with a
    warning in favour of the one before. With `initial=True` a checkpoint of the starting point
    is saved too, so that a roll-back (`NaNGuard`) always has somewhere to go. Under
    multi-worker every worker must save (it is collective); only the chief's folder is kept.
    """

    def __init__(self, directory, keep=3, extra=None, stateful=(), every_steps=0,
                 initial=False):
        super().__init__()
        self.directory, self.keep, self.extra = directory, keep, extra or {}
        self.every_steps, self.initial = every_steps, initial
        self.stateful = [c for c in stateful if c is not None]
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        self.step_in_epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self.manager, self.restored = None, None
        self.resume_at = (0, 0)  # (epochs finished, batches of the next epoch done)
        self.offset = self.steps_done = self.since_save = 0

    def _make_manager(self):
        # Dropout & co. keep their RNG state in SeedGenerator variables that the model's own
        # checkpoint dependencies miss; saving them makes a resumed run draw the same masks.
        rng_states = [v.value for v in self.model.variables if "seed_generator_state" in v.path]
        checkpoint = tf.train.Checkpoint(
            model=self.model, optimizer=self.model.optimizer, epoch=self.epoch,
            step_in_epoch=self.step_in_epoch, rng_states=rng_states, **self.extra)
        self.manager = tf.train.CheckpointManager(checkpoint, self.directory, self.keep)

    def restore(self, model) -> tuple:
        """Restores the newest readable checkpoint into `model`.

        Returns (epochs finished, batches of the next epoch already trained); (0, 0) if none.
        """
        self.set_model(model)
        self._make_manager()
        for path in reversed(self.manager.checkpoints):
            try:
                self.manager.checkpoint.restore(path).expect_partial()
                self.restored = self._read_side_file(path)
                self.resume_at = (int(self.epoch.numpy()), int(self.step_in_epoch.numpy()))
                return self.resume_at
            except Exception as e:  # noqa: BLE001 - damaged files raise many kinds
                print(f"ktrain_kit: warning: checkpoint {path} is damaged "
                      f"({type(e).__name__}); trying the one before")
        return self.resume_at

    def roll_back(self) -> str:
        """Restores the newest checkpoint's variables (not callback state); returns its path."""
        path = self.manager.latest_checkpoint
        self.manager.checkpoint.restore(path).expect_partial()
        return path

    def on_train_begin(self, logs=None):
        # Runs after the other callbacks' on_train_begin (it comes last), which reset them.
        self._apply_callback_states()
        if self.manager is None:
            self._make_manager()
        if self.initial and self.manager.latest_checkpoint is None:
            self._save(0, 0)

    def on_epoch_begin(self, epoch, logs=None):
        self.current_epoch = epoch
        resumed_mid_epoch = epoch == self.resume_at[0] and self.resume_at[1] > 0
        self.offset = self.steps_done = self.resume_at[1] if resumed_mid_epoch else 0
        if resumed_mid_epoch and self.restored is not None:
            # Keras has just reset the metrics and the callbacks their epoch state: put back
            # the running values of the interrupted epoch.
            values = self.restored.pop("metrics", [])
            variables = self.model.metrics_variables
            if [tuple(v.shape) for v in variables] == [np.shape(v) for v in values]:
                for variable, value in zip(variables, values):
                    variable.assign(value)
            else:
                print("ktrain_kit: warning: the saved metric values do not fit this model; "
                      "epoch metrics cover only the batches trained after the restart")
            self._apply_callback_states()
            self.restored = None

    def on_train_batch_end(self, batch, logs=None):
        done = self.offset + batch + 1  # Keras counts from 0 again after a mid-epoch restart
        self.since_save += done - self.steps_done
        self.steps_done = done
        epoch_end = done >= self.offset + self.params.get("steps", math.inf)
        if self.every_steps and self.since_save >= self.every_steps and not epoch_end:
            if _finite_losses(logs):  # never let a NaN step replace the last good checkpoint
                self._save(self.current_epoch, done)

    def on_epoch_end(self, epoch, logs=None):
        if _finite_losses(logs):  # never let a NaN epoch replace the last good checkpoint
            self._save(epoch + 1, 0)

    def _save(self, epochs_done, step_in_epoch):
        if self.manager is None:
            self._make_manager()
        self.epoch.assign(epochs_done)
        self.step_in_epoch.assign(step_in_epoch)
        steps_per_epoch = self.offset + self.params.get("steps", 0) if self.params else 0
        path = self.manager.save(checkpoint_number=epochs_done * steps_per_epoch + step_in_epoch)
        self._write_side_file(path, with_metrics=step_in_epoch > 0)
        self.since_save = 0

    def _apply_callback_states(self):
        for callback, state in zip(self.stateful, (self.restored or {}).get("callbacks", [])):
            restore_callback_state(callback, state)

    def _write_side_file(self, path, with_metrics):
        states = [callback_state(c) for c in self.stateful]
        arrays = {f"{i}_{k}": v for i, s in enumerate(states) for k, v in s.pop("arrays",
                                                                                {}).items()}
        if with_metrics:
            arrays.update({f"metric_{i}": np.asarray(v)
                           for i, v in enumerate(self.model.metrics_variables)})
        tmp = path + ".state.tmp.npz"
        np.savez(tmp, json=json.dumps(states, default=float), **arrays)
        os.replace(tmp, path + ".state.npz")
        kept = set(self.manager.checkpoints)
        for name in os.listdir(self.directory):
            stem = os.path.join(self.directory, name[:-len(".state.npz")])
            if name.endswith(".state.npz") and stem not in kept:
                os.remove(os.path.join(self.directory, name))

    @staticmethod
    def _read_side_file(path):
        # Written right after the checkpoint: a kill in between leaves a checkpoint without
        # one, which np.load refuses, so restore() falls back to the checkpoint before.
        with np.load(path + ".state.npz") as f:
            states = json.loads(str(f["json"]))
            for i, state in enumerate(states):
                prefix = f"{i}_"
                state["arrays"] = {k[len(prefix):]: f[k] for k in f.files if k.startswith(prefix)}
            metrics = [f[f"metric_{i}"] for i in range(sum(k.startswith("metric_")
                                                           for k in f.files))]
        return {"callbacks": states, "metrics": metrics}


def _finite_losses(logs) -> bool:
    return all(math.isfinite(float(np.asarray(v))) for k, v in (logs or {}).items()
               if "loss" in k)


class NaNGuard(keras.callbacks.Callback):
    """Acts on the first NaN/Inf training loss: stop, or roll back and lower the learning rate.

    `policy="stop"` ends training there, like `keras.callbacks.TerminateOnNaN`. With
    `policy="restore"` it restores the newest checkpoint of `checkpoints` (weights, optimizer,
    schedule position), multiplies the learning rate by `lr_factor` (the `schedule`'s
    multiplier, or the optimizer's float rate), restarts the epoch's running metrics and goes on
    with the next batch; after `max_restores` roll-backs it stops. `rollbacks` lists them.
    """

    def __init__(self, policy="stop", checkpoints=None, schedule=None, lr_factor=0.5,
                 max_restores=3):
        super().__init__()
        self.policy, self.checkpoints, self.schedule = policy, checkpoints, schedule
        self.lr_factor, self.max_restores = lr_factor, max_restores
        self.rollbacks, self.stopped, self.epoch, self.metrics_empty = [], False, 0, False

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.metrics_empty = epoch + 1, False

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")  # a Python float: Keras converts logs per batch
        if loss is None or math.isfinite(loss):
            self.metrics_empty = False
            return
        if self.policy != "restore" or len(self.rollbacks) >= self.max_restores:
            print(f"\nktrain_kit: the loss became {loss} in epoch "
                  f"{self.epoch} (batch {batch + 1}); stopping. The last good checkpoint is kept.")
            self.model.stop_training = self.stopped = True
            return
        path = os.path.basename(self.checkpoints.roll_back())
        if self.schedule is not None:
            self.schedule.multiplier.assign(self.schedule.multiplier * self.lr_factor)
            rate = {"lr_multiplier": float(self.schedule.multiplier.numpy())}
        else:
            self.model.optimizer.learning_rate = current_lr(self.model.optimizer) * self.lr_factor
            rate = {"lr": current_lr(self.model.optimizer)}
        self.model.reset_metrics()
        self.metrics_empty = True
        self.rollbacks.append({"epoch": self.epoch, "batch": batch + 1, "restored": path, **rate})
        print(f"\nktrain_kit: the loss became non-finite in epoch {self.epoch} (batch "
              f"{batch + 1}); rolled back to {path} and multiplied the learning rate by "
              f"{self.lr_factor:g} (roll-back {len(self.rollbacks)} of {self.max_restores})")

    def on_epoch_end(self, epoch, logs=None):
        if self.metrics_empty and logs is not None:
            # Rolled back at the epoch's last batch: no training metric describes this epoch
            # (Keras would report the emptied running means as 0).
            logs.update({k: math.nan for k in logs if not k.startswith("val_")})


class TrainingDoctor(keras.callbacks.Callback):
    """Diagnoses a training run: what went wrong, the evidence, and what to change.

        doctor = TrainingDoctor(probe_data=(x_val[:128], y_val[:128]))
        model.fit(x, y, validation_data=..., callbacks=[doctor])
        print(doctor.report())          # Markdown; doctor.findings is the list of findings

    Works in any `fit` of a compiled Keras model. With `probe_data`, every `interval` steps it
    measures gradient norms (global, first vs last layer), update-to-weight ratio, weight norm,
    non-finite values, dead ReLU and saturated sigmoid/tanh units on that fixed batch, using the
    model's own compiled loss, and adds the latest values to the epoch logs (so CSV loggers and
    TensorBoard record them). Without it, findings come from the loss and metric curves only.
    """

    LOGGED = ("grad_norm", "update_ratio", "weight_norm", "grad_rms_first_layer",
              "grad_rms_last_layer", "dead_relu_fraction", "saturated_fraction")

    def __init__(self, probe_data=None, interval=50, facts=None):
        super().__init__()
        self.probe_data, self.interval = probe_data, max(int(interval), 1)
        self.extra_facts = dict(facts or {})
        self.findings = []

    # ------------------------------------------------------------------ recording
    def on_train_begin(self, logs=None):
        self.epochs, self.batch_losses, self.probes = [], [], []
        self.step, self.epoch = 0, 0
        if self.probe_data is not None:
            if getattr(self, "probe", None) is None or self.probe.model is not self.model:
                self.probe = probe_lib.Probe(self.model, *self.probe_data)  # traced once
            self._take_probe()
        else:
            self.probe = None

    def on_epoch_begin(self, epoch, logs=None):
        # The epoch's running loss: (batches done, their loss sum, batch where the mean restarted)
        self.epoch, self.running, self.offset = epoch + 1, (0, 0.0, 0), None

    def on_train_batch_end(self, batch, logs=None):
        """Keras logs the epoch's running mean: recover this call's own loss from it.

        With steps_per_execution > 1 a call covers several batches; their mean is recorded.
        """
        done_before, sum_before, base = self.running
        if self.offset is None:  # first call of the epoch; a resumed one has restored `running`
            self.offset = done_before
        done = self.offset + batch + 1  # batches of this epoch so far
        if not math.isfinite(sum_before):  # after a NaN the mean only recovers if the metrics
            base, sum_before = done_before, 0.0  # were reset (a roll-back): it restarts there
        total = (done - base) * float((logs or {}).get("loss", math.nan))
        self.step += done - done_before
        self.batch_losses.append((self.step, self.epoch,
                                  (total - sum_before) / (done - done_before)))
        self.running = (done, total, base)
        crossed = self.step // self.interval > (self.step - done + done_before) // self.interval
        if self.probe is not None and crossed:
            self._take_probe()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        record = {k: float(np.asarray(v)) for k, v in logs.items()
                  if k in ("loss", "accuracy", "val_loss", "val_accuracy")}
        record["lr"] = current_lr(self.model.optimizer)
        self.epochs.append(record)
        if self.probes:
            latest = self.probes[-1]
            logs.update({f"diag_{k}": latest[k] for k in self.LOGGED
                         if latest.get(k) is not None})

    def on_train_end(self, logs=None):
        if self.probe is not None and (not self.probes or self.probes[-1]["step"] != self.step):
            self._take_probe()
        self.findings = doctor_rules.diagnose(self.epochs, self.batch_losses, self.probes,
                                              self._facts())

    def _take_probe(self):
        stats = self.probe()
        change = stats.pop("_relative_change")
        if self.probes and self.step > self.probes[-1]["step"]:
            # mean per-step ||dW|| / ||W|| since the previous probe
            stats["update_ratio"] = change / (self.step - self.probes[-1]["step"])
        stats.update(step=self.step, epoch=self.epoch)
        self.probes.append(stats)

    def _facts(self):
        loss = getattr(self.model, "loss", None)
        name = loss if isinstance(loss, str) else getattr(loss, "name", type(loss).__name__)
        from_logits = getattr(loss, "from_logits", False if isinstance(loss, str) else None)
        facts = {"loss_name": str(name).lower(), "from_logits": from_logits}
        if self.probe_data is not None:
            x, y = (np.asarray(v) for v in self.probe_data)
            facts["labels_max"] = int(y.max()) if np.issubdtype(y.dtype, np.integer) else None
            facts["inputs_absmax"] = float(np.abs(x).max()) if x.dtype.kind == "f" else None
            facts["normalizes_inputs"] = any(isinstance(layer, keras.layers.Normalization)
                                             for layer in self.model.layers)
            if self.probes:
                facts["num_classes"] = self.probes[0].get("num_outputs")
        facts.update(self.extra_facts)
        return facts

    # ------------------------------------------------------------------ reports
    def report(self, plots=()) -> str:
        """The diagnosis as Markdown (for people); `plots` are image paths to embed."""
        return doctor_rules.report_markdown(self.findings, plots)

    def report_json(self) -> dict:
        return doctor_rules.report_json(self.findings)

    def write(self, directory, plots=()):
        """Writes diagnosis.json and diagnosis.md into `directory`."""
        with open(os.path.join(directory, "diagnosis.json"), "w") as f:
            json.dump(self.report_json(), f, indent=2, default=float)
        with open(os.path.join(directory, "diagnosis.md"), "w") as f:
            f.write(self.report(plots))
