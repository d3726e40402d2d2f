"""Mid-epoch resume in one process: crash a fit after a step checkpoint, restore into a fresh
model, continue with `fitting.fit(initial_epoch, initial_step)`, and compare every number with
the uninterrupted fit (weights, optimizer slots and EMA, dropout masks, epoch metrics)."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from ktrain_kit import engine, fitting
from ktrain_kit.callbacks import Checkpoints

RNG = np.random.default_rng(7)
X = RNG.normal(size=(64, 4)).astype(np.float32)
Y = (X[:, 0] + X[:, 1] > 0).astype(np.int32)
BATCH, STEPS, EPOCHS = 8, 8, 3


def batches(first_epoch, end_epoch, skip_steps):
    """Epoch e's order depends only on e, as in ktrain_kit.data.train_pipeline."""
    order = np.concatenate([np.random.default_rng(e).permutation(64)
                            for e in range(first_epoch, end_epoch)])[skip_steps * BATCH:]
    return tf.data.Dataset.from_tensor_slices((X[order], Y[order])).batch(BATCH)


def fresh_model(ema):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    hidden = keras.layers.Dropout(0.3)(keras.layers.Dense(16, activation="relu")(inputs))
    model = engine.wrap(keras.Model(inputs, keras.layers.Dense(2)(hidden)))
    model.compile(keras.optimizers.SGD(0.1, momentum=0.9, use_ema=ema, ema_momentum=0.9),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


class Crash(keras.callbacks.Callback):
    def __init__(self, at_step):
        super().__init__()
        self.at_step, self.steps = at_step, 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.steps == self.at_step:
            raise RuntimeError("simulated preemption")


def fit(model, callbacks, **resume):
    return fitting.fit(model, batches, epochs=EPOCHS, steps_per_epoch=STEPS,
                       validation_data=(X[:16], Y[:16]), callbacks=callbacks, verbose=0,
                       **resume)


@pytest.mark.parametrize("ema", [False, True], ids=["plain", "ema"])
def test_resume_mid_epoch_equals_the_uninterrupted_fit(tmp_path, ema):
    model = fresh_model(ema)
    full = fit(model, [Checkpoints(str(tmp_path / "a"), every_steps=3)]).history
    expected = model.get_weights()

    with pytest.raises(RuntimeError, match="preemption"):  # dies at epoch 2, batch 5
        fit(fresh_model(ema), [Checkpoints(str(tmp_path / "b"), every_steps=3), Crash(13)])

    model = fresh_model(ema)
    checkpoints = Checkpoints(str(tmp_path / "b"), every_steps=3)
    at = checkpoints.restore(model)
    assert (at.epoch, at.step) == (1, 3)  # its last save: epoch 2 after 3 batches
    resumed = fit(model, [checkpoints], initial_epoch=at.epoch, initial_step=at.step).history

    assert resumed == {k: v[1:] for k, v in full.items()}
    for ours, theirs in zip(model.get_weights(), expected):
        np.testing.assert_array_equal(ours, theirs)


def test_checkpoint_without_its_side_file_falls_back_to_the_one_before(tmp_path, capsys):
    # A kill between writing a checkpoint and its side file (metric values, callback state).
    model = fresh_model(False)
    full = fit(model, [Checkpoints(str(tmp_path / "a"), every_steps=3)]).history
    with pytest.raises(RuntimeError, match="preemption"):
        fit(fresh_model(False), [Checkpoints(str(tmp_path / "b"), every_steps=3), Crash(13)])
    os.remove(tmp_path / "b" / "ckpt-11.state.npz")
    model = fresh_model(False)
    checkpoints = Checkpoints(str(tmp_path / "b"), every_steps=3)
    at = checkpoints.restore(model)
    assert (at.epoch, at.step) == (1, 0)  # ckpt-8: the end of epoch 1
    out = capsys.readouterr().out  # sound but incomplete: not called damaged
    assert "ckpt-11 has no side file (.state.npz); resuming from the complete one before it" \
        in out and "damaged" not in out
    resumed = fit(model, [checkpoints], initial_epoch=1).history
    assert resumed == {k: v[1:] for k, v in full.items()}


def test_the_only_checkpoint_without_its_side_file_resumes_instead_of_being_damaged(
        tmp_path, capsys):
    # A folder whose only checkpoint lost its side file: its weights and optimizer are sound,
    # so the run resumes there (callback state afresh) rather than calling every one damaged.
    model = fresh_model(False)
    fit(model, [Checkpoints(str(tmp_path / "a"))])
    expected = model.get_weights()
    with pytest.raises(RuntimeError, match="preemption"):
        fit(fresh_model(False), [Checkpoints(str(tmp_path / "b")), Crash(13)])
    os.remove(tmp_path / "b" / "ckpt-8.state.npz")
    model = fresh_model(False)
    checkpoints = Checkpoints(str(tmp_path / "b"))
    at = checkpoints.restore(model)
    assert (at.epoch, at.step, at.restored) == (1, 0, True)
    out = capsys.readouterr().out
    assert "without its side file" in out and "damaged" not in out  # one warning, not two
    fit(model, [checkpoints], initial_epoch=1)
    for ours, theirs in zip(model.get_weights(), expected):
        np.testing.assert_array_equal(ours, theirs)
