"""The three benchmark workloads and the three ways to train them on identical data.

- `ours`: ktrain_kit's engine (`engine.wrap`) inside `fit`;
- `keras`: the same functional model in plain Keras `fit`;
- `loop`: a hand-written `tf.function` step (GradientTape + optimizer.apply) over the dataset.

Each trainer exposes `run(steps)`: train that many steps and return the steady-state seconds
(all but the first step), after a warm-up call has traced everything.
"""

import time

import keras
import numpy as np
import tensorflow as tf

from ktrain_kit import data as data_lib
from ktrain_kit import engine, models
from ktrain_kit.config import default_config

WORKLOADS = {
    # name: (config changes, examples)
    "digits_mlp": (dict(data=dict(name="digits"), model=dict(name="mlp", width=128, depth=2,
                                                              norm="layer", dropout=0.1)), None),
    "cnn_bn_32x32": (dict(data=dict(name="synthetic_images", image_size=32, channels=3,
                                    train_examples=2048),
                          model=dict(name="cnn", width=32, depth=2, norm="batch")), None),
    "transformer": (dict(data=dict(name="synthetic_sequences", seq_len=64, vocab_size=64,
                                   num_classes=8, train_examples=2048),
                         model=dict(name="transformer", width=128, depth=2, num_heads=4,
                                    norm="layer", activation="gelu",
                                    initializer="glorot_uniform")), None),
}


def workload_config(name, batch_size=64):
    c = default_config()
    for section, values in WORKLOADS[name][0].items():
        c[section].update(values)
    c.data.batch_size = batch_size
    c.optimizer.name = "adam"
    return c


def loss_fn():
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


class Trainer:
    """Trains `kind` on workload `name`; `run(steps)` returns elapsed seconds.

    kind "run": the model exactly as `launchers.train` builds and compiles it for the config
    (ktrain_kit.training.build_model: its optimizer, loss, metrics, precision, XLA), fit on
    the same pipeline - what `precision=auto` and `jit_compile=auto` decide for."""

    def __init__(self, name, kind, batch_size=64, accumulation_steps=1, callbacks=(),
                 steps_per_execution=1, jit_compile="auto", stream_folder=None):
        c = workload_config(name, batch_size)
        if stream_folder:  # the same data, written by make_tfrecords: read from its shards
            c.data.name, c.data.path, c.data.train_examples = "tfrecord", stream_folder, 0
        self.data = data_lib.load(c.data, c.task, 0)
        self.batch_size, self.steps_per_call = batch_size, steps_per_execution
        keras.utils.set_random_seed(0)
        if kind == "run":
            from ktrain_kit import training
            model = training.build_model(c, self.data, 1e-3, "float32", jit_compile is True)[0]
        else:
            model = models.build(c.model, self.data)
        if kind == "ours":
            model = engine.wrap(model, accumulation_steps)
        self.kind, self.model, self.callbacks = kind, model, list(callbacks)
        self.optimizer = keras.optimizers.Adam(1e-3)
        epochs = 10_000  # more than any benchmark needs; the pipeline is lazy
        self.dataset = data_lib.train_pipeline(self.data, batch_size, 0, c.data, 0, epochs)
        if kind == "loop":  # same work as fit: loss, mean-loss and accuracy metrics
            self.iterator = iter(self.dataset)
            self.mean_loss, self.accuracy = keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy()
            self.step = tf.function(self._loop_step)
        else:
            if kind != "run":  # "run": compiled by build_model
                model.compile(self.optimizer, loss_fn(), metrics=["accuracy"],
                              steps_per_execution=steps_per_execution, jit_compile=jit_compile)
            self.iterator = None
        self.run(steps_per_execution * 3)  # warm-up: trace and build

    def _loop_step(self, x, y):
        with tf.GradientTape() as tape:
            y_pred = self.model(x, training=True)
            loss = loss_fn()(y, y_pred)
        grads = tape.gradient(loss, self.model.trainable_variables)
        self.optimizer.apply(grads, self.model.trainable_variables)
        self.mean_loss.update_state(loss)
        self.accuracy.update_state(y, y_pred)
        return self.mean_loss.result(), self.accuracy.result()

    def run(self, steps):
        """Trains `steps` steps; returns the seconds of all but the first call of the step.

        Steady state, as in metrics.csv: the first call (and, for `fit`, its set-up: iterator,
        callbacks, about 25 ms here) is left out, since a real run pays it once, not per repeat.
        """
        if self.kind == "loop":
            for i in range(steps):
                x, y = next(self.iterator)
                logs = self.step(x, y)
                if i == 0:
                    float(logs[0])  # wait for the first step, then start the clock
                    start = time.perf_counter()
            float(logs[0])  # wait for the last step
            return time.perf_counter() - start
        clock = _Clock()
        self.model.fit(self.dataset, steps_per_epoch=steps, epochs=1, verbose=0,
                       shuffle=False, callbacks=self.callbacks + [clock])
        return clock.last - clock.first

    def examples_per_sec(self, steps):
        timed_steps = steps - self.steps_per_call
        return timed_steps * self.batch_size / self.run(steps)


class _Clock(keras.callbacks.Callback):
    """Times from the end of the first call of the train function to the end of the last."""

    def on_train_batch_end(self, batch, logs=None):
        self.last = time.perf_counter()  # the step's outputs are ready when Keras calls this
        if not hasattr(self, "first"):
            self.first = self.last


def interleaved(trainers, steps, repeats):
    """{label: [examples/s per repeat]} measured A B C A B C ... so drift hits all alike."""
    results = {label: [] for label in trainers}
    for _ in range(repeats):
        for label, trainer in trainers.items():
            results[label].append(trainer.examples_per_sec(steps))
    return results


def summarize(values):
    return {"median": float(np.median(values)), "min": float(np.min(values)),
            "max": float(np.max(values))}
