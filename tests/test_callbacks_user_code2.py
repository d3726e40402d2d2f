"""Our callbacks in `fit` calls written the ways users write them (benchmarks/callbacks_grid.py
crosses them all): each pattern is checked against what Keras itself counted (optimizer steps,
History, stock callbacks fed the same logs). The failures it found, each tested here as it
failed before its fix: a callback listed twice in fit's callbacks (the doctor counted every batch
twice, MetricsCSV wrote every epoch twice, NaNGuard rolled back and cut the rate twice per NaN);
steps_per_execution ending an epoch with a shorter call (Keras reports it as a full one: the
doctor counted batches that do not exist and misread that call's loss); a dataset of unknown
length (Checkpoints raised TypeError inside fit); ReduceLROnPlateau on a Keras learning-rate
schedule (TypeError epochs into the run)."""

import csv

import keras
import numpy as np
import pytest
import tensorflow as tf

from ktrain_kit.callbacks import (Checkpoints, EarlyStopping, MetricsCSV, NaNGuard,
                                  ReduceLROnPlateau, TrainingDoctor, current_lr)
from ktrain_kit.schedules import Schedule

RNG = np.random.default_rng(3)
X = RNG.normal(size=(256, 8)).astype("float32")
Y = np.argmax(X @ RNG.normal(size=(8, 3)), axis=1).astype("int32")
BATCH = 32


def model_of(learning_rate=0.01, **compile_kwargs):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(hidden))
    model.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy",
                  metrics=["accuracy"], **compile_kwargs)
    return model


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class RunningMeans(keras.callbacks.Callback):
    """Keras' per-batch `loss` (the epoch's running mean) as logged: the batch losses follow
    from it by arithmetic, n * mean_n - (n - 1) * mean_(n-1); a call covering several batches
    (steps_per_execution) gives their mean. `batches`: the epoch's, known from the data (with
    steps_per_execution Keras reports the last call as ending past them)."""

    def __init__(self, batches=len(X) // BATCH):
        super().__init__()
        self.batches = batches

    def on_train_begin(self, logs=None):
        self.means = []

    def on_epoch_begin(self, epoch, logs=None):
        self.means.append([])

    def on_train_batch_end(self, batch, logs=None):
        self.means[-1].append((min(batch + 1, self.batches), logs["loss"]))

    def batch_losses(self):
        losses = []
        for epoch in self.means:
            previous_n, previous_sum = 0, 0.0
            for n, mean in epoch:
                losses.append((n * mean - previous_sum) / (n - previous_n))
                previous_n, previous_sum = n, n * mean
        return losses


# ------------------------------------------------------------------ fit patterns
PATTERNS = {
    "plain": ({}, {}),
    "run_eagerly": ({"run_eagerly": True}, {}),
    "steps_per_execution": ({"steps_per_execution": 3}, {}),
    "sample_weight": ({}, {"sample_weight": np.where(Y == 0, 2.0, 1.0).astype("float32")}),
    "class_weight": ({}, {"class_weight": {0: 1.0, 1: 3.0, 2: 2.0}}),
    "validation_freq": ({}, {"validation_freq": 2}),
    "tf_data_repeat": ({}, {"x": tf.data.Dataset.from_tensor_slices((X, Y)).repeat().batch(
        BATCH), "y": None, "steps_per_epoch": len(X) // BATCH}),
    "initial_epoch": ({}, {"initial_epoch": 1}),
}


@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_every_callback_in_a_fit_pattern_agrees_with_what_keras_counted(pattern, tmp_path):
    """All our callbacks in one fit: the doctor counted the optimizer's own steps and epochs
    and decoded each batch's loss from Keras' running means, MetricsCSV wrote History's rows,
    NaNGuard left the healthy run alone and the newest checkpoint holds the last epoch's
    weights."""
    compile_kwargs, fit_kwargs = PATTERNS[pattern]
    model = model_of(**compile_kwargs)
    doctor = TrainingDoctor(probe_data=(X[:64], Y[:64]), interval=3)
    checkpoints = Checkpoints(str(tmp_path / "ckpt"), initial=True)
    guard = NaNGuard("restore", checkpoints)
    means = RunningMeans()
    last = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: setattr(
        last, "weights", model.get_weights()))
    kwargs = dict({"x": X, "y": Y, "batch_size": BATCH, "validation_data": (X[:64], Y[:64])},
                  **fit_kwargs)
    if kwargs["y"] is None:
        kwargs.pop("y"), kwargs.pop("batch_size")
    history = model.fit(**kwargs, epochs=3, verbose=0, callbacks=[
        doctor, MetricsCSV(str(tmp_path / "m.csv")), guard, means, checkpoints, last])
    assert doctor.step == int(model.optimizer.iterations.numpy())
    assert len(doctor.epochs) == len(history.epoch)
    np.testing.assert_allclose([b[2] for b in doctor.batch_losses], means.batch_losses(),
                               rtol=1e-4, atol=1e-5)
    assert not doctor.internal_errors
    assert not [f.symptom for f in doctor.findings if f.severity != "info"]
    rows = read_csv(tmp_path / "m.csv")
    assert [int(r["epoch"]) for r in rows] == [e + 1 for e in history.epoch]
    np.testing.assert_allclose([float(r["loss"]) for r in rows], history.history["loss"],
                               rtol=1e-6)
    assert not guard.rollbacks and not guard.stopped
    for v in model.weights:
        v.assign(keras.ops.zeros(v.shape, v.dtype))
    checkpoints.roll_back()
    for restored, kept in zip(model.get_weights(), last.weights):
        np.testing.assert_array_equal(restored, kept)


def test_a_dataset_of_unknown_length_is_checkpointed_every_epoch(tmp_path):
    """filter() leaves tf.data's length unknown: Keras passes steps=None to the callbacks for
    the whole fit. Before: Checkpoints added None to a number, TypeError inside fit at the
    first batch. Now each epoch's checkpoint is numbered by the batches counted (8 an epoch,
    the last one partial) and holds that epoch's weights."""
    model = model_of()
    data = tf.data.Dataset.from_tensor_slices((X[:250], Y[:250])).filter(
        lambda *_: True).batch(BATCH)
    checkpoints = Checkpoints(str(tmp_path / "ckpt"), keep=5, initial=True)
    doctor = TrainingDoctor(probe_data=(X[:64], Y[:64]))
    saved = []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: saved.append(
        model.get_weights()))
    history = model.fit(data, epochs=3, verbose=0, callbacks=[
        doctor, MetricsCSV(str(tmp_path / "m.csv")), checkpoints, record])
    assert doctor.step == 3 * 8 and not doctor.internal_errors
    assert [int(p.rsplit("-", 1)[1]) for p in checkpoints.manager.checkpoints] == [0, 8, 16, 24]
    assert [int(r["epoch"]) for r in read_csv(tmp_path / "m.csv")] == [1, 2, 3]
    for number, weights in zip((8, 16, 24), saved):
        checkpoints.manager.checkpoint.restore(str(tmp_path / "ckpt" / f"ckpt-{number}"))
        for restored, kept in zip(model.get_weights(), weights):
            np.testing.assert_array_equal(restored, kept)
    assert len(history.epoch) == 3


# ------------------------------------------------------------------ listed twice
def test_the_doctor_listed_twice_counts_each_batch_once():
    """Before: every hook ran twice, so 24 steps were counted as 48 and every second batch
    loss was decoded as 0-ish garbage (the same running mean read as another batch)."""
    model = model_of()
    doctor, means = TrainingDoctor(probe_data=(X[:64], Y[:64]), interval=4), RunningMeans()
    model.fit(X, Y, batch_size=BATCH, epochs=3, verbose=0, callbacks=[doctor, means, doctor])
    assert doctor.step == int(model.optimizer.iterations.numpy()) == 24
    assert [e for _, e, _ in doctor.batch_losses] == [1] * 8 + [2] * 8 + [3] * 8
    np.testing.assert_allclose([b[2] for b in doctor.batch_losses], means.batch_losses(),
                               rtol=1e-4, atol=1e-5)
    assert len(doctor.epochs) == 3 and not doctor.internal_errors


def test_metrics_csv_listed_twice_writes_one_row_per_epoch(tmp_path):
    """Before: rows for epochs 1, 1, 2, 2, 3, 3 (the second of each computed after the first
    had added its own columns to the logs)."""
    model = model_of()
    logger = MetricsCSV(str(tmp_path / "m.csv"), BATCH)
    history = model.fit(X, Y, batch_size=BATCH, epochs=3, verbose=0,
                        callbacks=[logger, logger])
    rows = read_csv(tmp_path / "m.csv")
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    np.testing.assert_allclose([float(r["loss"]) for r in rows], history.history["loss"],
                               rtol=1e-6)
    # a second fit numbering its epochs from 1 again still appends (as CSVLogger(append=True))
    model.fit(X, Y, batch_size=BATCH, epochs=1, verbose=0, callbacks=[logger, logger])
    assert [int(r["epoch"]) for r in read_csv(tmp_path / "m.csv")] == [1, 2, 3, 1]


def test_nan_guard_listed_twice_rolls_back_once_per_nan_batch(tmp_path):
    """Before: the second call saw the same NaN logs and rolled back again, cutting the rate
    to a quarter (two roll-backs of the three allowed spent on one bad batch)."""
    poisoned = X[:64].copy()
    poisoned[24:32] = np.nan  # the 4th batch of 8
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    model = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(keras.optimizers.SGD(0.1), loss)
    initial = model.get_weights()
    checkpoints = Checkpoints(str(tmp_path / "ckpt"), initial=True)
    guard = NaNGuard("restore", checkpoints, lr_factor=0.5)
    model.fit(poisoned, Y[:64], batch_size=8, epochs=1, shuffle=False, verbose=0,
              callbacks=[guard, guard, checkpoints])
    assert [(r["batch"], r["lr"]) for r in guard.rollbacks] == [(4, pytest.approx(0.05))]
    # Independently: plain Keras from the initial weights at half the rate on batches 5-8.
    reference = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    reference.set_weights(initial)
    reference.compile(keras.optimizers.SGD(0.05), loss)
    reference.fit(X[32:64], Y[32:64], batch_size=8, epochs=1, shuffle=False, verbose=0)
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


SCRIPTED = [1.0, 0.9, 0.95, 0.96, 0.97, 0.8, 0.99, 0.99]


class Scripted(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        logs["score"] = SCRIPTED[epoch]


def rates_with(callbacks):
    model, rates = model_of(0.1), []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: rates.append(
        current_lr(model.optimizer)))
    model.fit(X[:64], Y[:64], batch_size=64, epochs=8, verbose=0,
              callbacks=[Scripted(), *callbacks, record])
    return rates


def test_plateau_and_early_stopping_listed_twice_act_as_stock_keras_listed_twice():
    """Each hook called twice is what stock Keras does with a callback listed twice; ours do
    the same (no promise beyond stock here), checked side by side."""
    ours = ReduceLROnPlateau("score", factor=0.5, patience=1, mode="min")
    stock = keras.callbacks.ReduceLROnPlateau("score", factor=0.5, patience=1, mode="min")
    np.testing.assert_allclose(rates_with([ours, ours]), rates_with([stock, stock]), rtol=1e-7)
    ours = EarlyStopping("score", patience=2, mode="min")
    stock = keras.callbacks.EarlyStopping("score", patience=2, mode="min")
    assert len(rates_with([ours, ours])) == len(rates_with([stock, stock])) < 8
    assert ours.stopped_epoch == stock.stopped_epoch


# ------------------------------------------------------------------ a Keras schedule
def test_plateau_on_a_keras_schedule_is_refused_before_the_first_step():
    """Stock Keras (and ours, before) raise TypeError at the first plateau, epochs into the
    run; ours now raises it at the start (the same type and first words, for code that
    catches it), naming the two ways that work."""
    stock_model = model_of(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9))
    with pytest.raises(TypeError, match="not settable"):
        stock_model.fit(X[:64], Y[:64], batch_size=64, epochs=8, verbose=0, callbacks=[
            Scripted(), keras.callbacks.ReduceLROnPlateau("score", patience=1, mode="min")])
    assert int(stock_model.optimizer.iterations.numpy()) > 1  # training was lost mid-way
    model = model_of(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9))
    with pytest.raises(TypeError, match=r"^This optimizer was created with a `Learning"
                                        r"RateSchedule` \(ExponentialDecay\).*float "
                                        r"learning_rate.*ktrain_kit\.schedules\.Schedule"):
        model.fit(X[:64], Y[:64], batch_size=64, epochs=8, verbose=0, callbacks=[
            Scripted(), ReduceLROnPlateau("score", patience=1, mode="min")])
    assert int(model.optimizer.iterations.numpy()) == 0
    # the schedule ours can lower, on the optimizer or passed, still trains and is lowered
    schedule = Schedule("constant", 0.1, total_steps=100)
    model = model_of(schedule)
    model.fit(X[:64], Y[:64], batch_size=64, epochs=4, verbose=0, callbacks=[
        Scripted(), ReduceLROnPlateau("score", factor=0.5, patience=2, mode="min")])
    assert float(schedule.multiplier.numpy()) == 0.5
