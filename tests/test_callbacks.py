"""Callbacks in plain Keras fits: plateau reduction with a schedule, metrics CSV, early stopping."""

import csv
import os

import keras
import numpy as np
import pytest

from ktrain_kit import engine
from ktrain_kit.callbacks import MetricsCSV, ReduceLROnPlateau, TrainingDoctor
from ktrain_kit.schedules import Schedule

RNG = np.random.default_rng(2)
X = RNG.normal(size=(64, 4)).astype(np.float32)
Y = (X[:, 0] > 0).astype(np.int32)

FAKE_METRIC = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.85, 0.99]


class FakeMetric(keras.callbacks.Callback):
    """Puts a scripted 'score' into the logs, so the plateau is known in advance."""

    def on_epoch_end(self, epoch, logs=None):
        logs["score"] = FAKE_METRIC[epoch]


class LearningRates(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_begin(self, epoch, logs=None):
        self.seen.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))


def small_model(learning_rate):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    model.compile(keras.optimizers.SGD(learning_rate),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def expected_multipliers():
    """Patience 2, factor 0.5: reductions after epochs 4 and 6 (0-based 3 and 5)."""
    return [1, 1, 1, 1, 0.5, 0.5, 0.25, 0.25]


def test_plateau_lowers_a_schedule_through_its_multiplier():
    schedule = Schedule("constant", 0.1, total_steps=100)
    model = small_model(schedule)
    rates = LearningRates()
    model.fit(X, Y, batch_size=64, epochs=8, verbose=0, callbacks=[
        FakeMetric(), ReduceLROnPlateau("score", factor=0.5, patience=2, mode="min", schedule=schedule,
                                        verbose=0), rates])
    np.testing.assert_allclose(rates.seen, [0.1 * m for m in expected_multipliers()], rtol=1e-6)
    assert float(schedule.multiplier.numpy()) == 0.25


def test_plateau_says_so_when_verbose_as_the_launcher_builds_it(capsys):
    """training.py builds the callback with verbose=1: its first reduction raised
    AttributeError (keras.utils.io_utils) inside fit, ending every run with the plateau on."""
    schedule = Schedule("constant", 0.1, total_steps=100)
    model = small_model(schedule)
    model.fit(X, Y, batch_size=64, epochs=5, verbose=0, callbacks=[
        FakeMetric(), ReduceLROnPlateau("score", factor=0.5, patience=2, mode="min",
                                        schedule=schedule, verbose=1)])
    assert float(schedule.multiplier.numpy()) == 0.5
    assert "Epoch 4: ReduceLROnPlateau reducing learning rate to 0.05" in capsys.readouterr().out


def test_plateau_lowers_a_float_learning_rate():
    model = small_model(0.1)
    rates = LearningRates()
    model.fit(X, Y, batch_size=64, epochs=8, verbose=0, callbacks=[
        FakeMetric(), ReduceLROnPlateau("score", factor=0.5, patience=2, mode="min", verbose=0), rates])
    np.testing.assert_allclose(rates.seen, [0.1 * m for m in expected_multipliers()], rtol=1e-6)


def test_stock_keras_plateau_fails_on_a_schedule():
    """Why ours exists: if Keras fixes this, our docs should say so."""
    model = small_model(Schedule("constant", 0.1, total_steps=100))
    with pytest.raises(TypeError):
        model.fit(X, Y, batch_size=64, epochs=8, verbose=0, callbacks=[
            FakeMetric(), keras.callbacks.ReduceLROnPlateau("score", patience=1, mode="min")])


def test_metrics_csv_rows_and_columns(tmp_path):
    path = tmp_path / "metrics.csv"
    model = small_model(Schedule("linear", 0.1, total_steps=12))
    model.fit(X, Y, batch_size=16, epochs=3, validation_data=(X, Y), verbose=0,
              callbacks=[MetricsCSV(str(path), batch_size=16)])
    rows = list(csv.DictReader(open(path)))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    assert {"loss", "val_loss", "lr", "epoch_time_s", "examples_per_sec"} <= set(rows[0])
    # lr is the schedule's value after each epoch's 4 steps: 0.1 * (1 - 4e/12)
    np.testing.assert_allclose([float(r["lr"]) for r in rows], [0.1 * (1 - 4 * e / 12)
                                                                for e in (1, 2, 3)], rtol=1e-5)
    assert all(float(r["examples_per_sec"]) > 0 for r in rows)


def test_early_stopping_restores_the_best_weights_with_our_engine():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    model = engine.wrap(keras.Model(inputs, keras.layers.Dense(2)(inputs)), 2)
    model.compile(keras.optimizers.SGD(0.5),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    snapshots = []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: snapshots.append(
        (logs["val_loss"], [w.copy() for w in model.get_weights()])))
    stop = keras.callbacks.EarlyStopping("val_loss", patience=2, restore_best_weights=True)
    # Validation labels are flipped: the better the model fits, the worse validation gets.
    model.fit(X, Y, batch_size=16, epochs=20, validation_data=(X[:16], 1 - Y[:16]), verbose=0,
              callbacks=[record, stop])
    best_loss, best_weights = min(snapshots, key=lambda s: s[0])
    assert best_loss < snapshots[-1][0]  # the run did get worse after its best epoch
    for restored, best in zip(model.get_weights(), best_weights):
        np.testing.assert_array_equal(restored, best)


def true_batch_losses(weights, epochs=2, batch=8):
    """Each batch's loss before its update, by a hand-written GradientTape loop."""
    import tensorflow as tf
    model = small_model(0.1)
    model.set_weights(weights)
    optimizer, losses = keras.optimizers.SGD(0.1), []
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    for _ in range(epochs):
        for i in range(0, len(X), batch):
            with tf.GradientTape() as tape:
                loss = loss_fn(Y[i:i + batch], model(X[i:i + batch]))
            optimizer.apply(tape.gradient(loss, model.trainable_variables),
                            model.trainable_variables)
            losses.append(float(loss))
    return np.array(losses)


@pytest.mark.parametrize("steps_per_execution", [1, 4])
def test_doctor_recovers_each_batch_loss_and_counts_steps(steps_per_execution):
    # 64 examples in batches of 8: 8 steps an epoch, run 1 or 4 per call (then the doctor
    # records each call's mean).
    model = small_model(0.1)
    model.compile(keras.optimizers.SGD(0.1), keras.losses.SparseCategoricalCrossentropy(
        from_logits=True), steps_per_execution=steps_per_execution)
    expected = true_batch_losses(model.get_weights())
    doctor = TrainingDoctor()
    model.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[doctor])
    assert doctor.step == 16
    steps, _, losses = zip(*doctor.batch_losses)
    assert list(steps) == list(range(steps_per_execution, 17, steps_per_execution))
    np.testing.assert_allclose(losses, expected.reshape(-1, steps_per_execution).mean(axis=1),
                               rtol=1e-4)


@pytest.mark.parametrize("name, module, count", [
    ("ReduceLROnPlateau", "reduce_lr_on_plateau_test", 6),
    ("EarlyStopping", "early_stopping_test", 7)])
def test_keras_own_tests_pass_against_ours(monkeypatch, name, module, count):
    """Keras' own test file for each callback we replace (installed with keras), run with our
    class in place of Keras': ours is a drop-in (ReduceLROnPlateau: cooldown, min_lr,
    messages, state reset, the TypeError on a schedule it cannot lower; EarlyStopping:
    baselines, restoring weights, models that were never compiled)."""
    import importlib
    import unittest

    from ktrain_kit import callbacks as ours
    tests = importlib.import_module(f"keras.src.callbacks.{module}")
    monkeypatch.setattr(tests.callbacks, name, getattr(ours, name))
    suite = unittest.TestLoader().loadTestsFromModule(tests)
    assert suite.countTestCases() == count
    result = unittest.TextTestRunner(verbosity=0, stream=open(os.devnull, "w")).run(suite)
    failures = [f"{test.id()}: {trace.splitlines()[-1]}" for test, trace in
                result.failures + result.errors]
    assert not failures, failures


def test_early_stopping_keeps_the_ema_weights_of_the_best_epoch():
    """With EMA, validation measures the EMA weights (SwapEMAWeights) and the model ends with
    the EMA weights of the best epoch - not the raw weights of that epoch, nor the last EMA."""
    from ktrain_kit.callbacks import EarlyStopping, ema_weights
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    model = engine.wrap(keras.Model(inputs, keras.layers.Dense(2)(inputs)))
    model.compile(keras.optimizers.SGD(0.5, use_ema=True, ema_momentum=0.5),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    averages, raw = [], []

    def record(epoch, logs):
        optimizer = model.optimizer
        averages.append((logs["val_loss"], [keras.ops.convert_to_numpy(a) for a in
                                            optimizer._model_variables_moving_average]))
        raw.append([w.copy() for w in model.get_weights()])

    stop = EarlyStopping("val_loss", patience=2, restore_best_weights=True)
    model.fit(X, Y, batch_size=16, epochs=20, validation_data=(X[:16], 1 - Y[:16]), verbose=0,
              callbacks=[keras.callbacks.SwapEMAWeights(), keras.callbacks.LambdaCallback(
                  on_epoch_end=record), stop])
    best = min(range(len(averages)), key=lambda i: averages[i][0])
    assert best == stop.best_epoch and best < len(averages) - 1
    for ours, expected in zip(model.get_weights(), averages[best][1]):
        np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-7)
    assert not all(np.allclose(a, b) for a, b in zip(model.get_weights(), raw[best]))
    # ... and validation measured those very weights: evaluate gives the best epoch's val_loss
    loss = model.evaluate(X[:16], 1 - Y[:16], verbose=0)
    assert loss == pytest.approx(averages[best][0], rel=1e-5)
    assert ema_weights(model) is not None
