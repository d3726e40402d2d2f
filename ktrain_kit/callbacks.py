"""Callbacks that use only the public `keras.callbacks.Callback` API, so they work in any `fit`.

    from ktrain_kit.callbacks import ReduceLROnPlateau, MetricsCSV

`ReduceLROnPlateau` works with a learning-rate schedule (stock Keras' raises TypeError there) by
lowering the schedule's `multiplier` variable; with a plain float learning rate it lowers that.
`MetricsCSV` writes one row per epoch with `lr`, `epoch_time_s` and steady-state
`examples_per_sec` (the first step of each epoch, which may include tracing, is left out).
"""

import csv
import math
import os
import time

import keras
import numpy as np
import tensorflow as tf


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
        self.first_step_end, self.train_end, self.steps = None, None, 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.first_step_end is None:
            self.first_step_end = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        now = time.perf_counter()
        logs = logs if logs is not None else {}
        logs["lr"] = current_lr(self.model.optimizer)
        train_end = self.train_end or now
        logs["epoch_time_s"] = now - self.epoch_start
        if self.steps > 1:  # steady state: from the end of the first step to the last
            examples, seconds = (self.steps - 1) * self.batch_size, train_end - self.first_step_end
        else:
            examples, seconds = self.steps * self.batch_size, train_end - self.epoch_start
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


class Checkpoints(keras.callbacks.Callback):
    """Saves model, optimizer and extra variables at the end of every epoch (keeps the last few).

    Writes go through `tf.train.CheckpointManager`, whose index file is replaced atomically; under
    multi-worker every worker must call save (it is collective), only the chief's folder is kept.
    """

    def __init__(self, directory, keep=3, extra=None):
        super().__init__()
        self.directory, self.keep, self.extra = directory, keep, extra or {}
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        self.manager = None

    def _make_manager(self):
        # Dropout & co. keep their RNG state in SeedGenerator variables that the model's own
        # checkpoint dependencies miss; saving them makes a resumed run draw the same masks.
        rng_states = [v.value for v in self.model.variables if "seed_generator_state" in v.path]
        checkpoint = tf.train.Checkpoint(model=self.model, optimizer=self.model.optimizer,
                                         epoch=self.epoch, rng_states=rng_states, **self.extra)
        self.manager = tf.train.CheckpointManager(checkpoint, self.directory, self.keep)

    def restore(self, model) -> int:
        """Restores the latest checkpoint into `model`; returns the epochs already done."""
        self.set_model(model)
        self._make_manager()
        if self.manager.latest_checkpoint:
            self.manager.checkpoint.restore(self.manager.latest_checkpoint).expect_partial()
        return int(self.epoch.numpy())

    def on_epoch_end(self, epoch, logs=None):
        if self.manager is None:
            self._make_manager()
        self.epoch.assign(epoch + 1)
        self.manager.save(checkpoint_number=epoch + 1)
