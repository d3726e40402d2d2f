"""The checkpoints' index (checkpoints/checkpoint) deleted or damaged beside sound checkpoint
files: a resumed run must restore the newest checkpoint the files hold, and go on rotating
them. Before, a rebuilt index listed paths without TensorFlow's timestamps, which its
CheckpointManager reads as listing nothing: the run started again from scratch over its own
checkpoints (and a launcher resumed "after epoch 0", dropping metrics.csv's rows)."""

import os

import keras
import numpy as np
import pytest

from ktrain_kit.callbacks import Checkpoints

STEPS = 4  # 32 rows, batch 8
X = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
Y = X @ np.array([[1.0], [-2.0], [0.5]], "float32")


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.05), "mse")
    return model


def _numbers(folder):
    """The checkpoint numbers whose files are on disk (read from the names, not our code)."""
    return sorted(int(n[5:-6]) for n in os.listdir(folder)
                  if n.startswith("ckpt-") and n.endswith(".index"))


def _paths_only(text):
    return "".join(line + "\n" for line in text.splitlines() if "_path" in line)


DAMAGES = {
    "deleted": None,
    "paths only": _paths_only,  # what the index rebuilt before this fix held
    "truncated": lambda text: text[:len(text) // 2],
    "emptied": lambda text: "",
    "random bytes": lambda text: "\x8f\x00garbage\x01" * 5,
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_index_resumes_from_the_newest_checkpoint_and_rotation_goes_on(
        tmp_path, damage):
    folder = str(tmp_path / "checkpoints")
    _model().fit(X, Y, batch_size=8, epochs=3, verbose=0,
                 callbacks=[Checkpoints(folder, keep=2)])
    assert _numbers(folder) == [2 * STEPS, 3 * STEPS]
    index = os.path.join(folder, "checkpoint")
    with open(index) as f:
        text = f.read()
    os.remove(index)
    if DAMAGES[damage] is not None:
        with open(index, "w") as f:
            f.write(DAMAGES[damage](text))

    model = _model()
    resumed = Checkpoints(folder, keep=2)
    at = resumed.restore(model)
    assert (at.restored, at.epoch, at.step) == (True, 3, 0)
    trained = _model()  # the weights of the newest checkpoint: those of 3 epochs of training
    trained.fit(X, Y, batch_size=8, epochs=3, verbose=0)
    for ours, plain in zip(model.get_weights(), trained.get_weights()):
        np.testing.assert_allclose(ours, plain, rtol=1e-6)
    model.fit(X, Y, batch_size=8, epochs=5, initial_epoch=at.epoch, verbose=0,
              callbacks=[resumed])
    assert _numbers(folder) == [4 * STEPS, 5 * STEPS]  # keep=2: the older ones rotated out
