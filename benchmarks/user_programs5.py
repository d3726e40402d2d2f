"""Users' own Keras programs, round 5: a grid of what users' code varies, each program run twice
from the same seed, plain and with our callbacks (TrainingDoctor probing every 2 steps,
EarlyStopping / ReduceLROnPlateau that never act, MetricsCSV), and checked against plain Keras.

    TF_CPP_MIN_LOG_LEVEL=3 nice -n 10 python benchmarks/user_programs5.py [--only SUBSTRING,...]

The axes (every value is used; a program is one value of each, enumerated below by `grid()`):
- MODELS: Sequential; functional with two named inputs and two outputs (a class and a
  regression head); subclassed with its own train_step / test_step; a custom Loss class and a
  custom Metric class; Embedding + GlobalAveragePooling1D on integer sequences; Conv1D; LSTM /
  GRU; a frozen base trained, then unfrozen and recompiled at a lower rate (two fits).
- DATA: NumPy arrays; tf.data shuffled + repeat() with steps_per_epoch; tf.data cache /
  shuffle / prefetch; a keras.utils.PyDataset; a Python generator with steps_per_epoch; dict
  inputs (inputs named); NumPy with sample_weight or class_weight.
- FITS: validation_split; validation_data as a tuple with sample weights; validation_steps on
  a repeated dataset; initial_epoch > 0 (resuming); steps_per_execution > 1; epochs=1;
  verbose=2; shuffle=False.
- CALLBACKS: ours alone; ours beside Keras' ModelCheckpoint / CSVLogger / TensorBoard /
  LearningRateScheduler / BackupAndRestore; ours listed twice; two consecutive fits with the
  same callback objects; fit, then evaluate (ours in its callbacks), then fit again.
- POLICY: float32, or mixed_bfloat16 set globally by the program.
- BUG (every 4th program): none, or one of: learning rate far too high, a loss wrong for the
  labels, unscaled inputs, labels shuffled apart from the inputs, dead ReLUs from the init.

Beside the grid, round 4's gaps as programs (`gap_*`): a shuffled dataset captured by
flat_map and one shuffled inside interleave, each the probe too; binary cross-entropy over a
3-class softmax (healthy: valid per Keras' maintainer, keras#3396); the training generator
itself as the probe (known: reading a generator consumes it).

A combination Keras itself cannot run (validation_split on a dataset, class_weight on two
outputs, a bug the model kind cannot have) takes the next value of that axis. Failures: a crash,
an internal error of the doctor, History / evaluate() / final weights different from the plain
run, an alarm on a healthy program, a bug not named.
"""

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

from ktrain_kit.callbacks import (EarlyStopping, MetricsCSV, ReduceLROnPlateau,  # noqa: E402
                                  TrainingDoctor)

N, F, C, B = 320, 8, 3, 32
RNG = np.random.default_rng(5)
X = RNG.normal(size=(N, F)).astype("float32")
Y = np.argmax(X @ RNG.normal(size=(F, C)), axis=1).astype("int32")
REG = (X @ RNG.normal(size=(F, 1)) * 0.5).astype("float32")
TOKENS = RNG.integers(1, 40, size=(N, 12)).astype("int32")
Y_TOKENS = (np.isin(TOKENS, np.arange(1, 8)).sum(1) > 1).astype("int32")
SPLIT = 240
SERIOUS = ("warning", "critical")

MODELS = ("sequential", "functional_multi", "subclassed_steps", "custom_loss_metric",
          "embedding_pooling", "conv1d", "recurrent", "frozen_then_unfrozen")
DATA = ("numpy", "tfdata_repeat", "tfdata_cache_prefetch", "pydataset", "generator",
        "dict_inputs", "weights")
FITS = ("validation_split", "val_weighted", "validation_steps", "initial_epoch",
        "steps_per_execution", "epochs1", "verbose2", "shuffle_false")
CALLBACKS = ("ours", "model_checkpoint", "csv_logger", "tensorboard", "lr_scheduler",
             "backup_restore", "ours_twice", "two_fits", "fit_evaluate_fit")
BUGS = ("lr_too_high", "wrong_loss", "unscaled", "shuffled_labels", "dead_relu")
EXPECT = {
    "lr_too_high": {"nan_loss", "diverging", "exploding_gradients", "unstable"},
    "wrong_loss": {"wrong_loss"},
    "unscaled": {"data_problem", "diverging", "unstable", "loss_not_decreasing",
                 "exploding_gradients", "underfitting"},
    "shuffled_labels": {"data_problem", "label_noise", "loss_not_decreasing", "underfitting"},
    "dead_relu": {"dead_units", "loss_not_decreasing", "vanishing_gradients", "underfitting"},
}
SCALES = np.array([1000, 0.01, 50, 1, 3, 200, 7, 1], "float32")


# ------------------------------------------------------------------ the grid
def compatible(model, data, fit, bug):
    """False where Keras itself cannot run the combination, or the model cannot have the bug."""
    arrays = data in ("numpy", "dict_inputs", "weights")
    if fit == "validation_split" and not arrays:
        return False
    if data == "dict_inputs" and model == "sequential":
        return False  # a Sequential model takes one unnamed input
    if bug == "unscaled" and model == "embedding_pooling":
        return False  # token ids cannot be scaled
    if bug == "wrong_loss" and model in ("custom_loss_metric", "subclassed_steps"):
        return False  # the program's own loss
    return True


def grid(count=88):
    """`count` programs: each axis cycles through all its values at its own stride, so the
    values of different axes meet in many pairs; incompatible ones take the next value."""
    programs, bugged = {}, 0
    for i in range(count):
        model = MODELS[i % len(MODELS)]
        bug = None
        if (i + i // len(MODELS)) % 4 == 3:  # one in four, on every model kind in turn
            bug, bugged = BUGS[bugged % len(BUGS)], bugged + 1
        data = DATA[(3 * i + i // len(MODELS)) % len(DATA)]
        fit = FITS[(5 * i + i // len(DATA)) % len(FITS)]
        callbacks = CALLBACKS[(7 * i + i // len(FITS)) % len(CALLBACKS)]
        policy = "mixed_bfloat16" if i % 5 == 2 else "float32"
        for _ in range(len(BUGS)):
            if bug is None or compatible(model, "numpy", "epochs1", bug):
                break
            bug = BUGS[(BUGS.index(bug) + 1) % len(BUGS)]
        for _ in range(len(DATA) * len(FITS)):
            if compatible(model, data, fit, bug):
                break
            fit = FITS[(FITS.index(fit) + 1) % len(FITS)]
            if fit == FITS[0]:
                data = DATA[(DATA.index(data) + 1) % len(DATA)]
        spec = dict(model=model, data=data, fit=fit, callbacks=callbacks, policy=policy,
                    bug=bug, index=i)
        programs[f"{i:02d}_{model}_{data}_{fit}_{callbacks}_{policy}_{bug or 'healthy'}"] = spec
    return programs


# ------------------------------------------------------------------ the models
class SparseCE(keras.losses.Loss):
    """A user's own loss class: sparse categorical crossentropy written out."""

    def call(self, y_true, y_pred):
        y_true = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
        probs = keras.ops.clip(keras.ops.cast(y_pred, "float32"), 1e-7, 1.0)
        picked = keras.ops.take_along_axis(probs, y_true[:, None], axis=1)[:, 0]
        return -keras.ops.log(picked)


class TopClassRate(keras.metrics.Metric):
    """A user's own metric class (no `_direction`): the share of rows whose top class is right."""

    def __init__(self, name="top_rate", **kwargs):
        super().__init__(name=name, **kwargs)
        self.hits = self.add_variable((), initializer="zeros", name="hits")
        self.rows = self.add_variable((), initializer="zeros", name="rows")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
        hit = keras.ops.cast(keras.ops.argmax(y_pred, axis=-1) == y_true, "float32")
        self.hits.assign_add(keras.ops.sum(hit))
        self.rows.assign_add(keras.ops.cast(keras.ops.shape(hit)[0], "float32"))

    def result(self):
        return self.hits / keras.ops.maximum(self.rows, 1.0)

    def reset_state(self):
        self.hits.assign(0.0)
        self.rows.assign(0.0)


class OwnSteps(keras.Model):
    """Keras 3's guide pattern: its own train_step and test_step, metrics by hand."""

    def __init__(self, hidden_init="glorot_uniform", bias_init="zeros"):
        super().__init__()
        self.hidden = keras.layers.Dense(16, activation="relu", kernel_initializer=hidden_init,
                                         bias_initializer=bias_init)
        self.out = keras.layers.Dense(C, activation="softmax")
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.accuracy = keras.metrics.SparseCategoricalAccuracy(name="accuracy")

    def call(self, inputs):
        if isinstance(inputs, dict):
            inputs = inputs["features"]
        return self.out(self.hidden(inputs))

    @property
    def metrics(self):
        return [self.loss_tracker, self.accuracy]

    def _loss(self, x, y, sample_weight, training):
        y_pred = self(x, training=training)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        return loss, y_pred

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            loss, y_pred = self._loss(x, y, sample_weight, True)
            scaled = self.optimizer.scale_loss(loss)
        grads = tape.gradient(scaled, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return self._update(loss, y, y_pred)

    def test_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        loss, y_pred = self._loss(x, y, sample_weight, False)
        return self._update(loss, y, y_pred)

    def _update(self, loss, y, y_pred):
        self.loss_tracker.update_state(loss)
        self.accuracy.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def _inputs(shape, named, dtype="float32"):
    return keras.Input(shape, name="features" if named else None, dtype=dtype)


def _hidden(spec, units=16):
    """The hidden ReLU layer; a bug "dead_relu" starts it with a bias far below zero."""
    dead = spec["bug"] == "dead_relu"
    return keras.layers.Dense(units, activation="relu",
                              bias_initializer=keras.initializers.Constant(-20.0) if dead
                              else "zeros")


def _optimizer(spec, lr=0.01):
    if spec["bug"] == "lr_too_high":
        return keras.optimizers.SGD(300.0)
    return keras.optimizers.Adam(lr)


def _wrong_variant(spec):
    """Which loss wrong for the labels a bug "wrong_loss" is, alternating two common ones:
    "mse_ids": mean squared error on class ids given as a column (Keras refuses them flat and
    broadcasts (n, 1) against the (n, 3) softmax); "logits": a last layer without activation
    under a cross-entropy of probabilities (from_logits=False, the default). (Binary
    cross-entropy over a softmax is not one: valid per Keras' maintainer, keras#3396, and a
    quiet control of the doctor's benchmark.)"""
    if spec["bug"] != "wrong_loss":
        return None
    return "logits" if spec["index"] // 4 % 2 or spec["model"] == "embedding_pooling" \
        else "mse_ids"


def _out(spec, units, activation, **kwargs):
    """The output layer; the bug "logits" leaves out its activation."""
    return keras.layers.Dense(units, activation=None if _wrong_variant(spec) == "logits"
                              else activation, **kwargs)


def build(spec):
    """(model, task): the compiled model and its task's arrays."""
    kind, named = spec["model"], spec["data"] == "dict_inputs"
    execution = {"steps_per_execution": 3} if spec["fit"] == "steps_per_execution" else {}
    x, y = X, Y
    loss = "mean_squared_error" if _wrong_variant(spec) == "mse_ids" else \
        "sparse_categorical_crossentropy"
    metrics = ["accuracy"]
    if kind == "sequential":
        model = keras.Sequential([keras.Input((F,)), _hidden(spec),
                                  _out(spec, C, "softmax")])
    elif kind == "functional_multi":
        a, b = keras.Input((5,), name="a"), keras.Input((3,), name="b")
        h = _hidden(spec)(keras.layers.Concatenate()([a, b]))
        model = keras.Model({"a": a, "b": b},
                            {"cls": _out(spec, C, "softmax", name="cls")(h),
                             "reg": keras.layers.Dense(1, name="reg")(h)})
        x = {"a": X[:, :5], "b": X[:, 5:]}
        y = {"cls": Y, "reg": REG}
        loss = {"cls": loss, "reg": "mse"}
        metrics = {"cls": ["accuracy"]}
    elif kind == "subclassed_steps":
        model = OwnSteps(bias_init=keras.initializers.Constant(-20.0)
                         if spec["bug"] == "dead_relu" else "zeros")
        loss = "sparse_categorical_crossentropy"
        metrics = None
    elif kind == "custom_loss_metric":
        inputs = _inputs((F,), named)
        model = keras.Model(inputs, _out(spec, C, "softmax")(
            _hidden(spec)(inputs)))
        loss, metrics = SparseCE(), [TopClassRate()]
    elif kind == "embedding_pooling":
        inputs = _inputs((TOKENS.shape[1],), named, "int32")
        h = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(40, 8)(inputs))
        h = _hidden(spec)(h)
        model = keras.Model(inputs, _out(spec, 1, "sigmoid")(h))
        x, y, loss = TOKENS, Y_TOKENS, "binary_crossentropy"
    elif kind == "conv1d":
        inputs = _inputs((F, 1), named)
        h = keras.layers.Conv1D(8, 3, activation="relu", padding="same")(inputs)
        h = _hidden(spec)(keras.layers.Flatten()(h))  # which feature: position matters
        model = keras.Model(inputs, _out(spec, C, "softmax")(h))
        x = X[..., None]
    elif kind == "recurrent":
        inputs = _inputs((4, 2), named)
        cell = keras.layers.GRU if spec["index"] // 8 % 2 else keras.layers.LSTM
        h = _hidden(spec)(cell(12)(inputs))
        model = keras.Model(inputs, _out(spec, C, "softmax")(h))
        x = X.reshape(N, 4, 2)
    elif kind == "frozen_then_unfrozen":
        base_in = keras.Input((F,))
        base = keras.Model(base_in, keras.layers.Dense(16, activation="relu")(base_in),
                           name="base")
        base.trainable = False  # a pretrained base, frozen for the first fit
        inputs = _inputs((F,), named)
        model = keras.Model(inputs, _out(spec, C, "softmax")(
            _hidden(spec)(base(inputs))))
    if _wrong_variant(spec) == "mse_ids":  # Keras refuses (n,) against (n, 3); (n, 1) broadcasts
        y = {"cls": Y[:, None], "reg": REG} if isinstance(y, dict) else y[:, None]
    if spec["bug"] == "unscaled":
        x = _unscaled(x)
    if spec["bug"] == "shuffled_labels":
        y = _shuffled(y)
    if named and not isinstance(x, dict):
        x = {"features": x}
    # a recurrent model learns this task in 5 epochs at a larger rate (0.01 underfits, as the
    # doctor says: a too-short run, not a healthy one)
    lr = 0.03 if kind == "recurrent" else 0.01
    model.compile(_optimizer(spec, lr), loss, metrics=metrics, **execution)
    return model, (x, y)


def _unscaled(x):
    if isinstance(x, dict):
        return {k: _unscaled(v) for k, v in x.items()}
    scales = np.resize(SCALES, x.shape[1] * int(np.prod(x.shape[2:]))).reshape(x.shape[1:])
    return (x * scales + 100).astype("float32")


def _shuffled(y):
    """Labels shuffled apart from their inputs: train rows only (validation stays right)."""
    order = np.random.default_rng(9).permutation(SPLIT)
    if isinstance(y, dict):
        return {k: _shuffled(v) if k == "cls" else v for k, v in y.items()}
    return np.concatenate([y[:SPLIT][order], y[SPLIT:]])


def rows(tree, part):
    if isinstance(tree, dict):
        return {k: rows(v, part) for k, v in tree.items()}
    return tree[part]


# ------------------------------------------------------------------ the data
class Batches(keras.utils.PyDataset):
    """A user's PyDataset, shuffling its own order at each epoch end."""

    def __init__(self, x, y, sample_weight=None, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.sw = x, y, sample_weight
        self.order = np.arange(_length(y))
        self.rng = np.random.default_rng(3)

    def __len__(self):
        return -(-len(self.order) // B)

    def __getitem__(self, i):
        picked = self.order[i * B:(i + 1) * B]
        batch = (rows(self.x, picked), rows(self.y, picked))
        return batch if self.sw is None else batch + (self.sw[picked],)

    def on_epoch_end(self):
        self.rng.shuffle(self.order)


def _length(tree):
    return len(next(iter(tree.values()))) if isinstance(tree, dict) else len(tree)


def forever(x, y):
    n = _length(y)
    while True:
        for i in range(0, n - B + 1, B):
            yield rows(x, slice(i, i + B)), rows(y, slice(i, i + B))


def training_input(spec, x, y):
    """fit's keyword arguments for the training data of the spec's data kind."""
    kind, n = spec["data"], _length(y)
    steps = n // B
    if kind == "tfdata_repeat":
        data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(n, seed=4).batch(B).repeat()
        return {"x": data, "steps_per_epoch": steps}, data
    if kind == "tfdata_cache_prefetch":
        data = tf.data.Dataset.from_tensor_slices((x, y)).cache().shuffle(n).batch(B) \
            .prefetch(tf.data.AUTOTUNE)
        return {"x": data}, data
    if kind == "pydataset":
        data = Batches(x, y)
        return {"x": data}, data
    if kind == "generator":
        return {"x": forever(x, y), "steps_per_epoch": steps}, None
    arrays = {"x": x, "y": y, "batch_size": B}
    if kind == "weights":
        if spec["index"] // 8 % 2 and not isinstance(y, dict) and np.ndim(y) == 1:
            arrays["class_weight"] = {c: 1.0 + 0.5 * c for c in range(int(np.max(y)) + 1)}
        else:
            arrays["sample_weight"] = np.linspace(0.5, 1.5, n).astype("float32")
    return arrays, None


def validation(spec, xv, yv):
    """fit's validation keyword arguments for the spec's fit kind (none for validation_split,
    which fit takes from the arrays)."""
    fit = spec["fit"]
    if fit == "validation_split":
        return {"validation_split": 0.2}
    if fit == "val_weighted":
        return {"validation_data": (xv, yv, np.linspace(1.0, 2.0, _length(yv)).astype(
            "float32"))}
    if fit == "validation_steps":
        data = tf.data.Dataset.from_tensor_slices((xv, yv)).batch(B).repeat()
        return {"validation_data": data, "validation_steps": 2}
    return {"validation_data": (xv, yv)}


# ------------------------------------------------------------------ the callbacks
class Kit:
    """Our callbacks (the same objects on every fit of a program), or none for the plain run."""

    def __init__(self, ours, folder):
        self.ours, self.folder, self.doctors, self._made = ours, folder, [], None

    def ours_list(self, probe, monitor):
        if not self.ours:
            return []
        if self._made is None:
            doctor = TrainingDoctor(probe_data=probe, interval=2)
            self.doctors.append(doctor)
            self._made = [doctor, EarlyStopping(monitor, patience=1000),
                          ReduceLROnPlateau(monitor, patience=1000),
                          MetricsCSV(os.path.join(self.folder, "ours", "metrics.csv"))]
        return self._made


def keras_callbacks(kind, folder):
    """Keras' own callbacks the program lists beside ours (in both runs)."""
    path = os.path.join(folder, "keras")
    if kind == "model_checkpoint":
        return [keras.callbacks.ModelCheckpoint(os.path.join(path, "best.keras"),
                                                monitor="val_loss", save_best_only=True)]
    if kind == "csv_logger":
        return [keras.callbacks.CSVLogger(os.path.join(folder, "log.csv"))]
    if kind == "tensorboard":
        return [keras.callbacks.TensorBoard(os.path.join(path, "tb"), histogram_freq=1)]
    if kind == "lr_scheduler":
        return [keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.9)]
    if kind == "backup_restore":
        return [keras.callbacks.BackupAndRestore(os.path.join(path, "backup"))]
    return []


class Evaluated:
    """evaluate()'s numbers, compared as a History is."""

    def __init__(self, values):
        self.history = {"evaluate": list(np.atleast_1d(np.asarray(values, dtype=np.float64)))}


# ------------------------------------------------------------------ one program
def program(spec, kit, folder):
    if spec["policy"] != "float32":
        keras.mixed_precision.set_global_policy(spec["policy"])
    model, (x, y) = build(spec)
    if spec["callbacks"] == "backup_restore" and not model.built:
        model(rows(x, slice(0, 1)))  # BackupAndRestore's error message tells the user to
    xt, yt = rows(x, slice(0, SPLIT)), rows(y, slice(0, SPLIT))
    xv, yv = rows(x, slice(SPLIT, None)), rows(y, slice(SPLIT, None))
    if spec["fit"] == "validation_split":  # fit splits the last 20 % off the arrays
        data, pipeline = training_input(spec, x, y)
    else:
        data, pipeline = training_input(spec, xt, yt)
    val = validation(spec, xv, yv)
    fit = spec["fit"]
    epochs = {"epochs1": 1}.get(fit, 5 if spec["bug"] is None else 6)
    extra = {"verbose": 2 if fit == "verbose2" else 0}
    if fit == "shuffle_false":
        extra["shuffle"] = False
    if fit == "initial_epoch":
        extra["initial_epoch"], epochs = 2, epochs + 2
    # the probe: the validation arrays, or the training pipeline itself every third program
    probe = pipeline if pipeline is not None and spec["index"] % 3 == 0 else (xv, yv)
    monitor = "val_loss" if fit != "epochs1" else "loss"
    cb = spec["callbacks"]
    callbacks = keras_callbacks(cb, folder) + kit.ours_list(probe, monitor)
    if cb == "ours_twice":
        callbacks = callbacks + kit.ours_list(probe, monitor)
    results = [model.fit(**data, **val, epochs=epochs, callbacks=callbacks, **extra)]
    if cb == "fit_evaluate_fit":
        results.append(Evaluated(model.evaluate(xv, yv, batch_size=B, verbose=0,
                                                callbacks=kit.ours_list(probe, monitor))))
    if cb in ("two_fits", "fit_evaluate_fit") or spec["model"] == "frozen_then_unfrozen":
        if spec["model"] == "frozen_then_unfrozen":
            model.get_layer("base").trainable = True
            model.compile(keras.optimizers.Adam(1e-3) if spec["bug"] != "lr_too_high"
                          else keras.optimizers.SGD(300.0),
                          model.loss, metrics=["accuracy"])
        again = dict(data)
        if spec["data"] == "generator":
            again["x"] = forever(xt, yt)
        first = extra.get("initial_epoch", 0) + epochs
        results.append(model.fit(**again, **val, initial_epoch=first, epochs=first + 2,
                                 callbacks=callbacks,
                                 **{k: v for k, v in extra.items() if k != "initial_epoch"}))
    return model, results


# ------------------------------------------------------------------ round 4's gaps, as programs
# (beside the grid: shapes its axes do not build)
def _sequential():
    model = keras.Sequential([keras.Input((F,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(C, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def gap_flat_map_captured_shuffle_as_probe(kit, folder):
    """A shuffled dataset captured by a function (`range(1).flat_map(lambda _: train)`, a
    pipeline built by a factory), given to the doctor as the probe too."""
    model = _sequential()
    shuffled = tf.data.Dataset.from_tensor_slices((X[:SPLIT], Y[:SPLIT])).shuffle(SPLIT)
    train = tf.data.Dataset.range(1).flat_map(lambda _: shuffled).batch(B)
    return model, [model.fit(train, epochs=5, verbose=0, validation_data=(X[SPLIT:], Y[SPLIT:]),
                             callbacks=kit.ours_list(train, "val_loss"))]


def gap_interleaved_shuffled_shards_as_probe(kit, folder):
    """Shards interleaved, each shuffled inside the interleave function."""
    model = _sequential()
    base = tf.data.Dataset.from_tensor_slices((X[:SPLIT], Y[:SPLIT]))
    train = tf.data.Dataset.range(4).interleave(lambda i: base.shard(4, i).shuffle(60),
                                                cycle_length=2).batch(B)
    return model, [model.fit(train, epochs=5, verbose=0, validation_data=(X[SPLIT:], Y[SPLIT:]),
                             callbacks=kit.ours_list(train, "val_loss"))]


def gap_binary_crossentropy_on_three_class_softmax(kit, folder):
    """Healthy: binary cross-entropy over a 3-class softmax with one-hot labels - valid per
    Keras' maintainer (keras#3396), and Keras 3's "accuracy" is categorical there."""
    model = keras.Sequential([keras.Input((F,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(C, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    y = np.eye(C, dtype="float32")[Y]
    return model, [model.fit(X[:SPLIT], y[:SPLIT], epochs=6, batch_size=B, verbose=0,
                             validation_data=(X[SPLIT:], y[SPLIT:]),
                             callbacks=kit.ours_list((X[SPLIT:], y[SPLIT:]), "val_loss"))]


def gap_training_generator_as_probe(kit, folder):
    """The training generator object itself as the probe: reading it consumes it."""
    model = _sequential()
    train = forever(X[:SPLIT], Y[:SPLIT])
    return model, [model.fit(train, steps_per_epoch=SPLIT // B, epochs=4, verbose=0,
                             callbacks=kit.ours_list(train, "loss"))]


GAPS = {fn.__name__: fn for fn in (gap_flat_map_captured_shuffle_as_probe,
                                   gap_interleaved_shuffled_shards_as_probe,
                                   gap_binary_crossentropy_on_three_class_softmax,
                                   gap_training_generator_as_probe)}
KNOWN = {"gap_training_generator_as_probe": "a generator is consumed by reading it: what the "
         "doctor reads, fit does not get (README: give the doctor its own probe data)"}


def run(spec, ours):
    keras.utils.set_random_seed(0)
    folder = tempfile.mkdtemp(prefix="up5_")
    kit = Kit(ours, folder)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model, results = GAPS[spec["gap"]](kit, folder) if "gap" in spec else \
                program(spec, kit, folder)
    finally:
        keras.mixed_precision.set_global_policy("float32")
        shutil.rmtree(folder, ignore_errors=True)
    return model, results, kit


def check(name, spec):
    failures, start = [], time.time()
    try:
        plain, plain_results, _ = run(spec, False)
    except Exception as e:  # noqa: BLE001
        return {"name": name, "class": "keras",
                "failures": [f"plain raised {type(e).__name__}: {e}"[:300]]}
    try:
        model, results, kit = run(spec, True)
    except Exception as e:  # noqa: BLE001
        return {"name": name, "failures": [f"raised {type(e).__name__}: {e}"[:400]]}
    if len(results) != len(plain_results):
        failures.append(f"{len(results)} results != {len(plain_results)}")
    for a, b in zip(plain_results, results):
        for key, values in a.history.items():
            got = b.history.get(key)
            if got is None or len(got) != len(values) or not np.allclose(
                    got, values, rtol=1e-6, atol=1e-7, equal_nan=True):
                failures.append(f"history {key}: {got} != {values}")
    for i, (w1, w2) in enumerate(zip(plain.get_weights(), model.get_weights())):
        if w1.shape != w2.shape or not np.array_equal(w1, w2, equal_nan=True):
            failures.append(f"weight {i} differs (max {np.nanmax(np.abs(w1 - w2)):.3g})")
            break
    found = set()
    for doctor in kit.doctors:
        failures += [f"internal: {e[:300]}" for e in doctor.internal_errors]
        found |= {f.symptom for f in doctor.findings if f.severity in SERIOUS}
    expect = EXPECT.get(spec["bug"])
    if not expect and found:
        failures.append(f"alarm on a healthy program: {sorted(found)}")
    if expect and not found & expect:
        failures.append(f"bug not named: found {sorted(found)}")
    return {"name": name, "failures": failures, "found": sorted(found),
            "findings": [(f.symptom, f.severity) for d in kit.doctors for f in d.findings],
            "seconds": round(time.time() - start, 1)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="comma-separated substrings of names")
    parser.add_argument("--json", default="", help="write the results here")
    parser.add_argument("--list", action="store_true", help="list the programs and stop")
    args = parser.parse_args()
    programs = dict(grid(), **{name: {"gap": name, "bug": None} for name in GAPS})
    names = [n for n in programs if any(part in n for part in args.only.split(","))]
    if args.list:
        print("\n".join(names))
        return
    failed, known, results = 0, 0, []
    for name in names:
        result = check(name, programs[name])
        results.append(result)
        failed += bool(result["failures"]) and name not in KNOWN
        known += bool(result["failures"]) and name in KNOWN
        status = ("KNOWN" if name in KNOWN else "FAIL") if result["failures"] else "ok"
        print(f"{status:4} {name} ({result.get('seconds')} s) {result.get('findings')}",
              flush=True)
        for failure in result["failures"]:
            print(f"       {failure[:300]}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    print(f"{len(names)} programs, {failed} failing, {known} known and left")


if __name__ == "__main__":
    main()
