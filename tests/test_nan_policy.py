"""NaN/Inf handling: `train.nan_policy=restore` rolls back to the last good checkpoint, lowers the
learning rate and goes on, a bounded number of times; `stop` (and running out of roll-backs)
stops with the last good checkpoint intact."""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import linear_classifier, run_launcher
from ktrain_kit.callbacks import Checkpoints, NaNGuard

RNG = np.random.default_rng(5)
X = RNG.normal(size=(64, 4)).astype(np.float32)
Y = (X[:, 0] > 0).astype(np.int32)


def small_model(learning_rate, weights=None):
    return linear_classifier(4, 2, keras.optimizers.SGD(learning_rate), weights)


def test_restore_rolls_back_lowers_the_rate_and_trains_on(tmp_path):
    poisoned = X.copy()
    poisoned[24:32] = np.nan  # the 4th batch of 8 makes the loss NaN (and the weights NaN)
    model = small_model(0.1)
    initial = model.get_weights()
    checkpoints = Checkpoints(str(tmp_path / "ckpt"), initial=True)
    guard = NaNGuard("restore", checkpoints, lr_factor=0.5, max_restores=3)
    history = model.fit(poisoned, Y, batch_size=8, epochs=1, shuffle=False, verbose=0,
                        callbacks=[guard, checkpoints])
    assert guard.rollbacks == [{"epoch": 1, "batch": 4, "restored": "ckpt-0",
                                "lr": pytest.approx(0.05)}]
    assert not guard.stopped
    # Independently: plain Keras from the initial weights, at half the rate, on batches 5-8.
    reference = small_model(0.05, initial)
    expected = reference.fit(X[32:], Y[32:], batch_size=8, epochs=1, shuffle=False, verbose=0)
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    # The epoch's loss covers the batches trained after the roll-back, not the NaN.
    np.testing.assert_allclose(history.history["loss"], expected.history["loss"], rtol=1e-6)


def test_stop_policy_stops_at_the_first_nan_and_keeps_the_checkpoint(tmp_path):
    poisoned = X.copy()
    poisoned[40:48] = np.inf  # epoch 1 is clean; the 6th batch of epoch 2 is not
    batches = tf.data.Dataset.from_tensor_slices(
        (np.concatenate([X, poisoned]), np.concatenate([Y, Y]))).batch(8)
    model = small_model(0.1)
    checkpoints = Checkpoints(str(tmp_path / "ckpt"))
    guard = NaNGuard("stop", checkpoints)
    model.fit(batches, steps_per_epoch=8, epochs=3, verbose=0, callbacks=[guard, checkpoints])
    assert guard.stopped and guard.rollbacks == []
    assert not np.isfinite(model.get_weights()[0]).all()
    # The only checkpoint is epoch 1's, holding what plain Keras has after that epoch.
    reference = small_model(0.1)
    reference.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert checkpoints.manager.checkpoints == [str(tmp_path / "ckpt" / "ckpt-8")]
    checkpoints.roll_back()
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


RUN = ["--config=configs/digits_mlp.py", "--config.train.epochs=3",
       "--config.data.train_examples=512", "--config.train.verbose=0",
       "--config.train.nan_policy=restore", "--config.schedule.base_lr=1e6"]


@pytest.mark.parametrize("factor, code, rollbacks", [(1e-7, 0, 1), (0.5, 1, 3)],
                         ids=["recovers", "gives-up"])
def test_launcher_rolls_back_a_bounded_number_of_times(tmp_path, factor, code, rollbacks):
    # A learning rate of 1e6 overflows during warm-up: x1e-7 leaves a healthy rate of 0.1,
    # x0.5 three times never does, so training stops after the third roll-back.
    workdir = tmp_path / "run"
    result = run_launcher("launchers.train", *RUN, f"--config.train.nan_lr_factor={factor}",
                          f"--workdir={workdir}")
    assert result.returncode == code, result.stderr[-2000:]
    summary = json.loads((workdir / "summary.json").read_text())
    assert len(summary["nan_rollbacks"]) == rollbacks
    assert result.stdout.count("rolled back to ckpt-") == rollbacks
    finding = next(f for f in json.loads((workdir / "diagnosis.json").read_text())["findings"]
                   if f["symptom"] == "nan_loss")
    assert finding["evidence"]["rollbacks"] == rollbacks
    if code == 0:
        assert finding["severity"] == "warning" and summary["best_val_accuracy"] > 0.5
        assert os.path.isdir(workdir / "export" / "1")
    else:
        assert finding["severity"] == "critical" and summary["stopped"] == "nan_loss"
        newest = tf.train.latest_checkpoint(str(workdir / "checkpoints"))
        reader = tf.train.load_checkpoint(newest)  # the last good checkpoint still loads
        assert all(np.isfinite(reader.get_tensor(name)).all()
                   for name, _ in tf.train.list_variables(newest)
                   if "model" in name and reader.get_tensor(name).dtype.kind == "f")


def test_a_run_stopped_before_its_first_checkpoint_says_no_weights_were_kept(tmp_path):
    """configs/faults/lr_too_high.py turns NaN in its first epoch: the run said 'the last good
    checkpoint is kept' and '(the weights kept)' with no checkpoint at all, and evaluate told
    the user to resume a run the training command then refused as finished."""
    workdir = tmp_path / "run"
    result = run_launcher("launchers.train", "--config=configs/faults/lr_too_high.py",
                          "--config.train.epochs=3", "--config.train.verbose=0",
                          f"--workdir={workdir}")
    assert result.returncode == 1, result.stderr[-2000:]
    assert not (workdir / "checkpoints").exists() or \
        tf.train.latest_checkpoint(str(workdir / "checkpoints")) is None  # the premise
    assert "no good weights are kept" in result.stdout and \
        "last good checkpoint is kept" not in result.stdout
    assert "(the weights kept)" not in result.stdout
    evaluated = run_launcher("launchers.evaluate", f"--workdir={workdir}")
    assert evaluated.returncode == 2 and "stopped at a NaN loss" in evaluated.stderr and \
        "--overwrite" in evaluated.stderr and "resume it" not in evaluated.stderr
