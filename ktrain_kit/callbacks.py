"""Callbacks that use only the public `keras.callbacks.Callback` API, so they work in any `fit`.

    from ktrain_kit.callbacks import TrainingDoctor, ReduceLROnPlateau, MetricsCSV

- `TrainingDoctor` watches training (curves, and gradient / activation statistics on a probe
  batch) and afterwards says what went wrong and what to change (see ktrain_kit/doctor/).
- `ReduceLROnPlateau`: Keras' callback, same arguments, that also lowers a learning-rate
  schedule (stock Keras' raises TypeError there) through the schedule's `multiplier`.
- `EarlyStopping`: Keras' callback that restores the EMA weights of the best epoch when the
  optimizer keeps an EMA (stock Keras' restores the raw ones over them).
- `MetricsCSV` writes one row per epoch with `lr`, `epoch_time_s` and steady-state
  `examples_per_sec` (the first step of each epoch, which may include tracing, is left out).
- `NaNGuard` stops, or rolls back to the last good checkpoint, on a NaN/Inf loss.
- `Checkpoints` (ktrain_kit/checkpointing.py) saves everything an exact resume needs.
- `OptunaPruning` reports a metric to an Optuna trial each epoch and stops when it is pruned.
"""

import csv
import io
import math
import time

import keras
import numpy as np

from ktrain_kit import fs, runtime
from ktrain_kit.arguments import (checked, flag, having, one_of, optional, real, satisfying,
                                  text, verbosity, whole)
from ktrain_kit.arguments import path as path_name
from ktrain_kit.batch_loss import last_batch
from ktrain_kit.hook_events import first_call, forget
from ktrain_kit.runfolder import write_text
from ktrain_kit.checkpointing import Checkpoints, finite_weights, make_folder
from ktrain_kit.doctor.callback import TrainingDoctor

__all__ = ["Checkpoints", "EarlyStopping", "MetricsCSV", "NaNGuard", "OptunaPruning",
           "ReduceLROnPlateau", "TrainingDoctor", "current_lr", "ema_weights"]


def current_lr(optimizer) -> float:
    """The learning rate the optimizer uses at its current step (schedules evaluated)."""
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class _NamesPerOutputMetrics:
    """Mode "auto" for the names Keras logs for a multi-output model, `<output>_loss` and
    `<output>_<metric>` (val_ prefixed or not), that stock Keras cannot place and raises on
    after the first epoch: a loss is minimized, a metric goes its own direction. Any other
    name Keras cannot place still raises, as in Keras."""

    def on_epoch_end(self, epoch, logs=None):
        self._logged = sorted(logs or {})  # what a monitor Keras cannot place is told of
        super().on_epoch_end(epoch, logs)

    def _set_monitor_op(self):
        try:
            return super()._set_monitor_op()
        except ValueError:
            op = _output_metric_direction(self.model, self.monitor)
            if op is None:
                logged = getattr(self, "_logged", None)
                if logged and self.monitor not in logged:  # a typo, not a direction
                    raise ValueError(
                        f"{type(self).__name__}(monitor={self.monitor!r}): no metric of that "
                        f"name is logged (this fit logs {', '.join(logged)}); name one of "
                        "them") from None
                raise
        self.monitor_op = op
        if op is keras.ops.less:
            self.min_delta *= -1


# The arguments Keras' monitor callbacks share, with Keras' meaning: `min_delta` any finite
# number (Keras uses its absolute value), `baseline` any finite one - within float32, where
# Keras compares them (1e300 raised "value out of range" at the first epoch's end).
MONITOR_ARGUMENTS = dict(
    monitor=text(), min_delta=real(-math.inf, float32=True), patience=whole(0),
    verbose=verbosity(), mode=one_of("auto", "min", "max"))
WITH_MULTIPLIER = having("multiplier", "a schedule with a `multiplier` variable, such as "
                         "ktrain_kit.schedules.Schedule")


def _output_metric_direction(model, monitor):
    name = monitor.removeprefix("val_")
    directions = {m.name: m._direction for m in _compiled_metrics(model)
                  if getattr(m, "_direction", None) in ("up", "down")}
    for output in getattr(model, "output_names", None) or []:
        if name.startswith(f"{output}_"):
            metric = name[len(output) + 1:]
            direction = "down" if metric == "loss" else directions.get(metric)
            if direction is not None:
                return keras.ops.greater if direction == "up" else keras.ops.less
    return None


def _compiled_metrics(model):
    for metric in getattr(model, "metrics", []):
        yield from getattr(metric, "metrics", [metric])


class ReduceLROnPlateau(_NamesPerOutputMetrics, keras.callbacks.ReduceLROnPlateau):
    """Keras' `ReduceLROnPlateau`, every argument with Keras' meaning, that also works with a
    learning-rate schedule (stock Keras raises TypeError there).

    With `schedule` (anything with a `multiplier` variable, such as
    `ktrain_kit.schedules.Schedule`, also found on the optimizer by itself) the multiplier is
    lowered, so warmup and decay keep their shape; `min_lr` then bounds the rate the schedule
    gives at that moment, and `min_multiplier` the multiplier. A plain float rate is lowered as
    Keras does. Any other schedule, or a callable rate, cannot be lowered: the TypeError comes
    at the start of `fit`, not at the first plateau. Keras' own test file for the callback
    runs against this class in our tests.
    """

    @checked(**MONITOR_ARGUMENTS, factor=real(0, 1, high_open=True), cooldown=whole(0),
             min_lr=real(0, float32=True), schedule=optional(WITH_MULTIPLIER),
             min_multiplier=real(0, float32=True))
    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, *, schedule=None, min_multiplier=0.0,
                 **kwargs):
        super().__init__(monitor=monitor, factor=factor, patience=patience, verbose=verbose,
                         mode=mode, min_delta=min_delta, cooldown=cooldown, min_lr=min_lr,
                         **kwargs)
        self.schedule, self.min_multiplier = schedule, min_multiplier

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        _lowerable_rate(self.model.optimizer, self.schedule)
        check_schedule_is_the_optimizers(self, self.model.optimizer, self.schedule)

    def _reduce_optimizer_lr(self, optimizer, epoch, name=""):
        schedule = self.schedule or _schedule_with_multiplier(optimizer)
        if schedule is None:
            return super()._reduce_optimizer_lr(optimizer, epoch, name)
        old_lr = current_lr(optimizer)
        old = float(schedule.multiplier.numpy())
        if old_lr <= np.float32(self.min_lr) or old <= self.min_multiplier:
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        new = max(old * new_lr / old_lr if old_lr > 0 else old * self.factor,
                  self.min_multiplier)
        schedule.multiplier.assign(new)
        if self.verbose > 0:
            # print, as Keras' own callback does (keras.utils has no io_utils in Keras 3: the
            # first reduction of every run with the plateau callback on raised inside fit)
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                  f"{old_lr * new / old} (schedule multiplier {new:.4g}).", flush=True)
        return True

    def get_state(self) -> dict:
        return {"wait": self.wait, "best": self.best, "cooldown_counter": self.cooldown_counter}

    def set_state(self, state) -> None:
        self.wait, self.best = state["wait"], state["best"]
        self.cooldown_counter = state["cooldown_counter"]


def check_schedule_is_the_optimizers(callback, optimizer, schedule) -> None:
    """A callback's `schedule=` and the optimizer's rate are each valid alone; the callback
    lowers the rate through that schedule's multiplier, so it must be the schedule the
    optimizer reads. Another one (a second `Schedule(...)` built with the same arguments, or
    one given while the optimizer has a float rate) was lowered while the optimizer trained on
    at its rate: the plateau printed 'reducing learning rate to 0.0005' and the rate stayed
    0.001, a NaN roll-back reported a cut that never happened. Refused when fit starts."""
    rate = getattr(getattr(optimizer, "inner_optimizer", optimizer), "_learning_rate", None)
    if schedule is None or rate is schedule:
        return
    name = type(callback).__name__
    used = (f"a {type(rate).__name__}" if hasattr(rate, "multiplier") or callable(rate) else
            f"the rate {current_lr(optimizer):g}")
    raise ValueError(f"{name}(schedule=...): the optimizer does not read this schedule (it "
                     f"uses {used}), so lowering its multiplier would change nothing; pass the "
                     f"schedule the optimizer was compiled with, or leave schedule out")


def _schedule_with_multiplier(optimizer):
    rate = getattr(getattr(optimizer, "inner_optimizer", optimizer), "_learning_rate", None)
    return rate if hasattr(rate, "multiplier") else None


def _lowerable_rate(optimizer, schedule):
    """Refuses, before the first step, a learning rate the plateau cannot lower: a Keras
    schedule or a callable (`learning_rate=lambda: ...`), which the optimizer's setter cannot
    set. Stock Keras raises there (TypeError, or AttributeError for a callable) at the first
    plateau instead, epochs into the training, and the run is lost there."""
    rate = _unsettable_rate(optimizer)
    if schedule is None and rate is not None:
        kind = "`LearningRateSchedule`" if isinstance(
            rate, keras.optimizers.schedules.LearningRateSchedule) else "callable learning_rate"
        raise TypeError(
            f"This optimizer was created with a {kind} "
            f"({getattr(rate, '__name__', type(rate).__name__)}), whose rate Keras cannot "
            "set: ReduceLROnPlateau cannot lower it. Compile with a float learning_rate, or "
            "use ktrain_kit.schedules.Schedule (the plateau lowers its multiplier)")


def _unsettable_rate(optimizer):
    """The optimizer's rate when Keras' setter cannot set it (a Keras schedule or a callable
    without our `multiplier`), else None."""
    rate = getattr(getattr(optimizer, "inner_optimizer", optimizer), "_learning_rate", None)
    if hasattr(rate, "multiplier") or isinstance(rate, keras.Variable):
        return None
    if isinstance(rate, keras.optimizers.schedules.LearningRateSchedule) or callable(rate):
        return rate
    return None


class EarlyStopping(_NamesPerOutputMetrics, keras.callbacks.EarlyStopping):
    """Keras' `EarlyStopping` that keeps the weights the run validated: with an optimizer
    using EMA (`use_ema=True`), the EMA weights of the best epoch.

    Validation measures the EMA weights when `SwapEMAWeights` is in the callbacks (train()
    adds it), and the model a user gets at the end is then the EMA model of the best epoch, as
    in TF Model Garden and timm. Stock `EarlyStopping` would restore the raw weights of that
    epoch over the EMA weights Keras has just swapped in.
    """

    # Keras' own arguments and defaults, checked (stock Keras takes patience=-1, a NaN
    # baseline, restore_best_weights="False" - true - without a word)
    __init__ = checked(**MONITOR_ARGUMENTS, baseline=optional(real(-math.inf, float32=True)),
                       restore_best_weights=flag(), start_from_epoch=whole(0))(
        keras.callbacks.EarlyStopping.__init__)

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        if self.restore_best_weights and self.best_epoch == epoch and self.best_weights:
            self.best_weights = ema_weights(self.model) or self.best_weights

    def get_state(self) -> dict:
        from ktrain_kit.checkpointing import _early_stopping_state
        return _early_stopping_state(self)

    def set_state(self, state) -> None:
        from ktrain_kit.checkpointing import _set_early_stopping_state
        _set_early_stopping_state(self, state)


def ema_weights(model):
    """`model.get_weights()` with each trainable variable replaced by its EMA; None without EMA."""
    optimizer = getattr(model, "optimizer", None)  # a model never compiled has none
    optimizer = getattr(optimizer, "inner_optimizer", optimizer)
    if not getattr(optimizer, "use_ema", False) or not hasattr(
            optimizer, "_model_variables_moving_average"):
        return None
    averages = {id(v): a for v, a in zip(optimizer._trainable_variables,
                                         optimizer._model_variables_moving_average)}
    return [keras.ops.convert_to_numpy(averages.get(id(v), v)) for v in model.weights]


class MetricsCSV(keras.callbacks.Callback):
    """One row per epoch: epoch, logs, lr, epoch_time_s, examples_per_sec. Its first fit
    writes the file anew when it starts at the first epoch (a new training: rows an earlier
    script left are not this one's, as Keras' CSVLogger starts over); a fit that starts later
    (`initial_epoch`, a resume) or a later fit of the same callback appends. `lr` is the rate
    at the end of the epoch's training, before any callback's epoch end lowers it (a plateau
    cut belongs to the next epoch), wherever the callback sits in the list.

    Without `batch_size` (a tf.data pipeline or generator sets it, not fit) the throughput
    column is `steps_per_sec`: batches, not a guessed number of examples."""

    @checked(path=path_name(), batch_size=optional(whole(1)))
    def __init__(self, path, batch_size=None):
        super().__init__()
        if fs.isdir(path):
            raise ValueError(f"MetricsCSV: {path} is a folder: pass a file path, such as "
                             f"{fs.join(path, 'metrics.csv')}")
        self.path, self.batch_size = path, batch_size
        self.columns = None
        # evaluate() / predict() run hooks without an epoch: nothing to time there
        self.epoch_start = self.train_end = None
        self.fits = 0

    def on_train_begin(self, logs=None):
        forget(self)  # a second fit may number its epochs from 0 again
        self.fits += 1
        # Its folder now, not at the first epoch's end: an unwritable place fails before
        # any training is done.
        folder = str(self.path).rpartition("/")[0]
        if folder:
            make_folder("MetricsCSV", "path", folder)
        # On a multi-worker cluster every worker runs this callback: only the chief writes.
        self._writes = runtime.writes_files(self.model)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start = time.perf_counter()
        self.first_step_end, self.train_end, self.first_done, self.done = None, None, None, 0
        self.trained_lr = None

    def keep_epochs_up_to(self, last_epoch, claim=None):
        """On resume: keep the rows of epochs 1..last_epoch that the restored checkpoint
        includes; drop later ones (those epochs train again). Returns the path of the copy
        made aside when some rows were unreadable, else None.

        A torn or garbled row (an edit by hand, a disk that lost a block; our own writes replace
        the file whole) cannot be kept in a file the run appends numbers to, but it is never
        dropped silently: the file as it was is copied to metrics-garbled-N.csv beside it first,
        and one line says so. Not refused: the checkpoint, the work, is intact, and a Keras
        user expects a resume to go on (CSVLogger(append=True) never stops on its log).
        `claim(path)` is called before the copy is written (a run folder records it)."""
        rows = self._rows()
        header = rows[0] if rows and rows[0] and rows[0][0] == "epoch" else None
        kept, unreadable = ([header] if header else []), 0
        for row in rows[1:] if header else rows:
            epoch = _epoch_row(row, len(header)) if header else None
            if epoch is None:
                unreadable += bool(row)  # a blank line holds nothing to lose
            elif epoch <= last_epoch:
                kept.append(row)
        aside = self._keep_aside(claim) if unreadable else None
        if aside:
            print(f"ktrain_kit: note: {self.path}: {unreadable} unreadable row(s) "
                  f"{'(no epoch header) ' if not header else ''}left out on resume; the file "
                  f"as it was is kept in {aside}", flush=True)
        found = {_epoch_row(row, len(header)) for row in kept[1:]} if header else set()
        missing = [e for e in range(1, last_epoch + 1) if e not in found]
        if missing:  # deleted, emptied or cut: the resume goes on, and says what is gone
            print(f"ktrain_kit: note: {self.path} holds no row for epoch"
                  f"{'s' * (len(missing) > 1)} {_spans(missing)} (the file was deleted, "
                  "emptied or cut); the run resumes from its checkpoint, and its history, "
                  "curves and summary lack those epochs", flush=True)
        if len(kept) <= 1:  # no row kept: a header cut short would name the next rows' cells
            kept = []
        self._write(kept)
        return aside

    def _keep_aside(self, claim):
        """metrics-garbled-N.csv beside the file (N: the first free number, so a second
        resume never overwrites the first copy), holding the file byte for byte."""
        folder = str(self.path).rpartition("/")[0]
        number = 1
        while fs.exists(self._aside(folder, number)):
            number += 1
        aside = self._aside(folder, number)
        if claim is not None:
            claim(aside)
        with fs.open(self.path, "rb") as f:
            fs.write_bytes(aside, f.read())
        return aside

    @staticmethod
    def _aside(folder, number):
        name = f"metrics-garbled-{number}.csv"
        return fs.join(folder, name) if folder else name

    def _rows(self):
        if not fs.exists(self.path):
            return []
        with fs.open(self.path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        return list(csv.reader(io.StringIO(text, newline="")))

    def _write(self, rows):
        """The whole file, replaced atomically (cloud buckets cannot append)."""
        if not getattr(self, "_writes", True):
            return
        out = io.StringIO(newline="")
        csv.writer(out).writerows(rows)
        write_text(self.path, out.getvalue())

    def on_train_batch_end(self, batch, logs=None):
        # batches of this epoch so far (one call may run several)
        self.done = last_batch(batch, self.params) + 1
        if self.first_step_end is None:
            self.first_step_end, self.first_done = time.perf_counter(), self.done

    def on_epoch_end(self, epoch, logs=None):
        if not first_call(self, ("epoch end", epoch)):  # listed twice: one row per epoch
            return
        now = time.perf_counter()
        logs = logs if logs is not None else {}
        # the rate the epoch trained at (see the class docstring): read as validation began,
        # or as a plateau callback listed before this one logged it before its cut
        logs["lr"] = self.trained_lr
        if logs["lr"] is None:
            logged = logs.get("learning_rate")
            logs["lr"] = float(logged) if np.ndim(logged) == 0 and logged is not None else \
                current_lr(self.model.optimizer)
        train_end = self.train_end or now
        logs["epoch_time_s"] = now - self.epoch_start
        per_step = self.batch_size or 1
        if self.done > (self.first_done or 0):  # steady state: after the first call, which
            examples = (self.done - self.first_done) * per_step  # may include tracing
            seconds = train_end - self.first_step_end
        else:
            examples, seconds = self.done * per_step, train_end - self.epoch_start
        rate = "examples_per_sec" if self.batch_size else "steps_per_sec"
        logs[rate] = examples / max(seconds, 1e-9)
        row = {"epoch": epoch + 1, **_scalar_columns(logs)}
        # a new training's first row (see the class docstring): the file starts anew
        anew = self.fits == 1 and epoch == 0 and self.columns is None
        rows = [] if anew else self._rows()
        header = rows[0] if rows and rows[0] and rows[0][0] == "epoch" else None
        # A column first logged later (validation from the second fit on, a metric added on
        # resume) extends the header; earlier rows get an empty cell, none is dropped.
        self.columns = (header or []) + [k for k in row if k not in (header or [])]
        if header != self.columns:
            rows = [self.columns] + [r + [""] * (len(self.columns) - len(r))
                                     for r in (rows[1:] if header else rows)]
        rows.append(["" if row.get(k) is None else repr(row[k]) if isinstance(row[k], float)
                     else row[k] for k in self.columns])
        self._write(rows)

    def on_test_begin(self, logs=None):
        # Validation runs inside the epoch: training throughput stops counting here.
        if self.epoch_start is not None:
            self.train_end = self.train_end or time.perf_counter()
            if self.trained_lr is None:
                self.trained_lr = current_lr(self.model.optimizer)

    def on_train_end(self, logs=None):
        self.epoch_start = self.train_end = None  # a later evaluate() is no validation


def _scalar_columns(logs) -> dict:
    """Each log as floats: a scalar as its own column, a vector metric (F1Score(average=None),
    a per-class metric) as one column per element, `name[i]`; never a cell the CSV cannot
    read back as a number."""
    columns = {}
    for key, value in logs.items():
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):  # text, or anything else that is no number
            continue
        if value.ndim == 0:
            columns[key] = float(value)
        else:
            columns.update({f"{key}[{i}]": float(v) for i, v in enumerate(value.ravel())})
    return columns


def _spans(numbers) -> str:
    """[1, 2, 3, 5] as '1-3, 5'."""
    spans = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def _epoch_row(row, width):
    """The epoch number of a complete metrics.csv row, or None for a torn or garbled one."""
    try:
        numbers = [float(v) if v else math.nan for v in row]
    except ValueError:
        return None
    if len(row) != width or not numbers or not float(numbers[0]).is_integer():
        return None
    return int(numbers[0])


class NaNGuard(keras.callbacks.Callback):
    """Acts on the first NaN/Inf training loss: stop, or roll back and lower the learning rate.

    `policy="stop"` ends training there, like `keras.callbacks.TerminateOnNaN`. With
    `policy="restore"` it restores the newest checkpoint of `checkpoints` (weights, optimizer,
    schedule position), multiplies the learning rate by `lr_factor` (the `schedule`'s
    multiplier, or the optimizer's float rate), restarts the epoch's running metrics and goes on
    with the next batch; after `max_restores` roll-backs it stops. `rollbacks` lists them.
    """

    @checked(policy=one_of("stop", "restore"),
             checkpoints=optional(having("roll_back", "a ktrain_kit Checkpoints")),
             schedule=optional(WITH_MULTIPLIER), lr_factor=real(0, 1, low_open=True),
             max_restores=whole(0))
    def __init__(self, policy="stop", checkpoints=None, schedule=None, lr_factor=0.5,
                 max_restores=3):
        super().__init__()
        if policy == "restore" and checkpoints is None:
            raise ValueError("NaNGuard(policy='restore') rolls back to a checkpoint: pass "
                             "checkpoints=Checkpoints(folder, initial=True), also in fit's "
                             "callbacks")
        self.policy, self.checkpoints, self.schedule = policy, checkpoints, schedule
        self.lr_factor, self.max_restores = lr_factor, max_restores
        self.rollbacks, self.stopped, self.epoch, self.metrics_empty = [], False, 0, False

    def on_train_begin(self, logs=None):
        check_schedule_is_the_optimizers(self, self.model.optimizer, self.schedule)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.metrics_empty = epoch + 1, False

    def on_train_batch_end(self, batch, logs=None):
        if not first_call(self, (self.epoch, batch)):  # listed twice: one event, one
            return                                     # roll-back (not two cuts of the rate)
        loss = (logs or {}).get("loss")  # a Python float: Keras converts logs per batch
        if loss is None or math.isfinite(loss):
            self.metrics_empty = False
            return
        self._act(f"the loss became {loss} in epoch {self.epoch} (batch {batch + 1})",
                  batch + 1)

    def _act(self, what, batch):
        """Roll back (policy restore, a checkpoint there, roll-backs left) or stop."""
        path = None
        schedule = self.schedule or _schedule_with_multiplier(self.model.optimizer)
        # the rate in use when it failed: the checkpoint restores an older one (a second
        # roll-back to the same checkpoint would otherwise undo the first one's cut)
        before = float(schedule.multiplier.numpy()) if schedule is not None else \
            current_lr(self.model.optimizer)
        if self.policy == "restore" and len(self.rollbacks) < self.max_restores:
            path = self.checkpoints.roll_back()
        if path is None:
            why = "" if self.policy != "restore" or self.rollbacks else (
                " No checkpoint to roll back to yet (Checkpoints(..., initial=True) saves one "
                "at the start; it must be in fit's callbacks too).")
            kept = self.checkpoints is not None and self.checkpoints.newest() is not None
            print(f"\nktrain_kit: {what}; stopping. " + (
                "The last good checkpoint is kept." if kept else
                "No checkpoint was saved before it: no good weights are kept.") + why)
            self.model.stop_training = self.stopped = True
            return
        path = path.rsplit("/", 1)[-1]
        lowered = f"multiplied the learning rate by {self.lr_factor:g}"
        if schedule is not None:
            schedule.multiplier.assign(before * self.lr_factor)
            rate = {"lr_multiplier": float(schedule.multiplier.numpy())}
        else:
            if _unsettable_rate(self.model.optimizer) is None:
                self.model.optimizer.learning_rate = before * self.lr_factor
            else:  # a Keras schedule or a callable: Keras' setter cannot set it
                lowered = "kept the learning rate (a Keras schedule or callable cannot be set)"
            rate = {"lr": current_lr(self.model.optimizer)}
        self.model.reset_metrics()
        self.metrics_empty = True
        self.rollbacks.append({"epoch": self.epoch, "batch": batch, "restored": path, **rate})
        print(f"\nktrain_kit: {what}; rolled back to {path} and {lowered} (roll-back "
              f"{len(self.rollbacks)} of {self.max_restores})")

    def on_epoch_end(self, epoch, logs=None):
        if not first_call(self, (self.epoch, "end")):  # listed twice in fit's callbacks
            return
        # Weights can go non-finite behind a finite loss (see checkpointing.finite_weights):
        # looked at once an epoch, when nothing was caught during it.
        if not self.stopped and not self.metrics_empty and not finite_weights(self.model):
            self._act(f"the weights became non-finite in epoch {self.epoch} while the loss "
                      "stayed finite (NaN inputs behind a ReLU?)", None)
            if logs is not None:  # this epoch's numbers describe no model worth keeping
                logs.update({k: math.nan for k in logs if not k.startswith("val_")})
            return
        if self.metrics_empty and logs is not None:
            # Rolled back at the epoch's last batch: no training metric describes this epoch
            # (Keras would report the emptied running means as 0).
            logs.update({k: math.nan for k in logs if not k.startswith("val_")})


class OptunaPruning(keras.callbacks.Callback):
    """Reports `metric` to an Optuna `trial` at every epoch end and, when the trial's pruner
    says so, stops training there (so the run still ends like an early-stopped one: exported,
    diagnosed, its summary saying `pruned`). Works in any `fit`:

        model.fit(..., callbacks=[OptunaPruning(trial, "val_accuracy")])
    """

    @checked(trial=satisfying(lambda t: callable(getattr(t, "report", None)) and
                              callable(getattr(t, "should_prune", None)),
                              "an Optuna trial (report and should_prune), such as study.ask()"),
             metric=text())
    def __init__(self, trial, metric="val_loss"):
        super().__init__()
        self.trial, self.metric, self.pruned_at = trial, metric, None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        value = logs.get(self.metric)
        # a name fit never logs (a typo: "val_acc") would never report, and never prune; a
        # validation metric is missing from the epochs validation skips (validation_freq)
        skipped = self.metric.startswith("val_") and not any(k.startswith("val_") for k in logs)
        if self.metric not in logs and logs and not skipped:
            raise ValueError(f"OptunaPruning(metric={self.metric!r}): no metric of that name is "
                             f"logged (this fit logs {', '.join(sorted(logs))}); name one of "
                             "them")
        if value is None or not math.isfinite(float(np.asarray(value))):
            return
        self.trial.report(float(np.asarray(value)), epoch + 1)
        if self.trial.should_prune():
            self.pruned_at = epoch + 1
            self.model.stop_training = True

    def get_state(self) -> dict:
        return {"pruned_at": self.pruned_at}

    def set_state(self, state) -> None:
        self.pruned_at = state.get("pruned_at")

    def summary(self) -> dict:
        """Merged into a run's summary.json."""
        return {"pruned": self.pruned_at is not None, "pruned_at_epoch": self.pruned_at}
