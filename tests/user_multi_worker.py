"""A user's own multi-worker Keras program with ktrain_kit's file-writing callbacks, run by
tests/test_distributed.py as two loopback workers (TF_CONFIG set by the test).

    python tests/user_multi_worker.py FOLDER EPOCHS

Restores from FOLDER/ckpt when it holds a checkpoint, as a resuming program does, trains to
EPOCHS, and prints one line of JSON: the epoch it resumed after and its final weights' sum."""

import json
import os
import sys

import keras
import numpy as np
import tensorflow as tf

from ktrain_kit import engine
from ktrain_kit.callbacks import MetricsCSV, NaNGuard
from ktrain_kit.checkpointing import Checkpoints

folder, epochs = sys.argv[1], int(sys.argv[2])
strategy = tf.distribute.MultiWorkerMirroredStrategy()
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 8)).astype("float32")
y = (x[:, 0] > 0).astype("int32")
with strategy.scope():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    outputs = keras.layers.Dense(2, activation="softmax")(
        keras.layers.Dense(16, activation="relu")(inputs))
    model = engine.wrap(keras.Model(inputs, outputs))  # stock fit fails under two workers
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
data = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)  # 8 steps an epoch
checkpoints = Checkpoints(os.path.join(folder, "ckpt"), every_steps=3, initial=True)
at = checkpoints.restore(model)
model.fit(data, initial_epoch=at.epoch, epochs=epochs, verbose=0, callbacks=[
    NaNGuard("restore", checkpoints), MetricsCSV(os.path.join(folder, "metrics.csv")),
    checkpoints])
print(json.dumps({"resumed_after": at.epoch,
                  "weights": float(sum(np.sum(w) for w in model.get_weights()))}), flush=True)
