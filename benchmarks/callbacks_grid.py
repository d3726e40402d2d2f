"""Our callbacks inside `fit` calls written the ways Keras 3 users write them, by construction.

    TF_CPP_MIN_LOG_LEVEL=3 nice -n 10 python benchmarks/callbacks_grid.py [--only SUBSTRING]
        [--json out.json]

Four axes, each value crossed with the others' plain value (and models x data in full):
  model  Sequential without Input, functional, subclassed (with / without build), multi-input
         dict / list, multi-output with a loss dict and loss_weights, custom train_step,
         run_eagerly, jit_compile, steps_per_execution=3, frozen pre-trained base + head, LSTM,
         Embedding + GlobalAveragePooling1D, a layer with add_loss
  data   numpy, tf.data batched, tf.data of unknown length (filter), tf.data repeated +
         steps_per_epoch, PyDataset, generator + steps_per_epoch, sample_weight, class_weight,
         validation_split, validation_data as a dataset, validation_freq=2
  fit    initial_epoch=1, epochs=1, a second fit with the same callback objects,
         MirroredStrategy (two logical CPUs), the same callbacks listed twice, verbose 1 / 2,
         another callback setting stop_training, KeyboardInterrupt then a new fit, a Keras
         LearningRateSchedule (with and without a plateau), a plateau reached at once (the LR
         callbacks act every epoch), the doctor without probe data
  loss   string, Loss objects from_logits True / False, one-hot, a custom function, binary
         (sigmoid, and logits), regression (mse), mixed_bfloat16, mixed_float16 (the policy is
         set, and reset, around each run)

Each run attaches all our callbacks (TrainingDoctor with probe data, ReduceLROnPlateau,
EarlyStopping, MetricsCSV, NaNGuard, Checkpoints) and checks, independently of our code:
  raised        an exception came out of fit (`keras` instead when the same fit without our
                callbacks raises too: Keras refuses the call itself)
  internal      the doctor recorded an internal error
  doctor_count  the doctor's steps / epochs differ from the optimizer's steps / History's
  alarm         a warning / critical finding on this healthy run that the same model on the
                plain numpy fit does not get (the calling pattern caused it)
  csv           MetricsCSV's rows differ from History (epochs, loss, val_loss)
  checkpoint    the newest checkpoint does not hold the weights at the last epoch's end
  nanguard      NaNGuard acted on a healthy run
  plateau/early ReduceLROnPlateau's rates / EarlyStopping's stop differ from stock Keras'
                callbacks fed the same logs (the mode given explicitly)

Counts before / after the fixes, the classes found and what is left: benchmarks/CALLBACKS_GRID.md.
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
import types

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])

import keras  # noqa: E402

from ktrain_kit.callbacks import (Checkpoints, EarlyStopping, MetricsCSV, NaNGuard,  # noqa: E402
                                  ReduceLROnPlateau, TrainingDoctor, current_lr)

# 300 training examples: 10 batches, the last one partial (and steps_per_execution=3 ends
# each epoch with a call of 1 batch)
N, FEATURES, CLASSES, BATCH, EPOCHS, LR = 400, 8, 3, 32, 3, 0.01
# Recurrent and embedding models learn slower: at 0.01 they end 3 epochs on the edge of
# underfitting, and which side of it a run lands on says nothing about the calling pattern.
MODEL_LR = {"lstm": 0.05, "embedding": 0.05}
RNG = np.random.default_rng(0)
X = RNG.normal(size=(N, FEATURES)).astype("float32")
Y = np.argmax(X @ RNG.normal(size=(FEATURES, CLASSES)), axis=1).astype("int32")
TOKENS = RNG.integers(1, 50, size=(N, 12)).astype("int32")
Y_TOKENS = (np.isin(TOKENS, np.arange(1, 10)).sum(1) > 2).astype("int32") + \
    (np.isin(TOKENS, np.arange(40, 50)).sum(1) > 2)
SERIOUS = ("warning", "critical")


# ------------------------------------------------------------------ models
def _functional(output_activation="softmax", width=CLASSES):
    inputs = keras.Input((FEATURES,), name="features")
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Dense(width, activation=output_activation)(hidden))


class Subclassed(keras.Model):
    def __init__(self, activation="softmax", width=CLASSES):
        super().__init__()
        self.hidden = keras.layers.Dense(16, activation="relu")
        self.out = keras.layers.Dense(width, activation=activation)

    def call(self, x):
        return self.out(self.hidden(x))


class CustomStep(keras.Model):
    """The Keras guide's "customizing what happens in fit" pattern."""

    def train_step(self, data):
        x, y = data[0], data[1]
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                             self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class ActivityPenalty(keras.layers.Layer):
    def call(self, x):
        self.add_loss(1e-3 * keras.ops.mean(keras.ops.square(x)))
        return x


def build_model(kind, activation="softmax", width=CLASSES):
    """(model, x, y, compile kwargs) for one model kind."""
    x, y, compile_kwargs = X, Y, {}
    if kind == "sequential_no_input":
        model = keras.Sequential([keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dense(width, activation=activation)])
    elif kind in ("functional", "run_eagerly", "jit_compile", "steps_per_execution"):
        model = _functional(activation, width)
        compile_kwargs = {"run_eagerly": {"run_eagerly": True}, "jit_compile": {
            "jit_compile": True}, "steps_per_execution": {"steps_per_execution": 3}}.get(kind, {})
    elif kind == "subclassed_built":
        model = Subclassed(activation, width)
        model.build((None, FEATURES))
    elif kind == "subclassed":
        model = Subclassed(activation, width)
    elif kind == "multi_input_dict":
        a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
        hidden = keras.layers.Dense(16, activation="relu")(keras.layers.Concatenate()([a, b]))
        model = keras.Model({"a": a, "b": b}, keras.layers.Dense(width, activation=activation)(
            hidden))
        x = {"a": X[:, :4], "b": X[:, 4:]}
    elif kind == "multi_input_list":
        a, b = keras.Input((4,)), keras.Input((4,))
        hidden = keras.layers.Dense(16, activation="relu")(keras.layers.Concatenate()([a, b]))
        model = keras.Model([a, b], keras.layers.Dense(width, activation=activation)(hidden))
        x = [X[:, :4], X[:, 4:]]
    elif kind == "multi_output":
        inputs = keras.Input((FEATURES,))
        hidden = keras.layers.Dense(16, activation="relu")(inputs)
        model = keras.Model(inputs, {
            "cls": keras.layers.Dense(width, activation=activation, name="cls")(hidden),
            "reg": keras.layers.Dense(1, name="reg")(hidden)})
        y = {"cls": Y, "reg": X[:, :1] * 0.5}
        compile_kwargs = {"loss_weights": {"cls": 1.0, "reg": 0.5}}
    elif kind == "custom_train_step":
        inputs = keras.Input((FEATURES,))
        hidden = keras.layers.Dense(16, activation="relu")(inputs)
        model = CustomStep(inputs, keras.layers.Dense(width, activation=activation)(hidden))
    elif kind == "frozen_base":  # pre-trained on the task with a head of its own
        base = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(
            32, activation="relu"), keras.layers.Dense(16, activation="relu")], name="base")
        pretraining = keras.Sequential([base, keras.layers.Dense(CLASSES, "softmax")])
        pretraining.compile(keras.optimizers.Adam(LR), "sparse_categorical_crossentropy")
        pretraining.fit(X, Y, batch_size=BATCH, epochs=5, verbose=0)
        base.trainable = False
        inputs = keras.Input((FEATURES,))
        model = keras.Model(inputs, keras.layers.Dense(width, activation=activation)(
            base(inputs, training=False)))
    elif kind == "lstm":
        model = keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(16),
                                  keras.layers.Dense(width, activation=activation)])
        x = X.reshape(N, 4, 2)
    elif kind == "embedding":
        model = keras.Sequential([keras.Input((12,), dtype="int32"),
                                  keras.layers.Embedding(50, 16),
                                  keras.layers.GlobalAveragePooling1D(),
                                  keras.layers.Dense(width, activation=activation)])
        x, y = TOKENS, Y_TOKENS
    elif kind == "add_loss":
        inputs = keras.Input((FEATURES,))
        hidden = ActivityPenalty()(keras.layers.Dense(16, activation="relu")(inputs))
        model = keras.Model(inputs, keras.layers.Dense(width, activation=activation)(hidden))
    else:
        raise ValueError(kind)
    return model, x, y, compile_kwargs


MODELS = ["sequential_no_input", "functional", "subclassed_built", "subclassed",
          "multi_input_dict", "multi_input_list", "multi_output", "custom_train_step",
          "run_eagerly", "jit_compile", "steps_per_execution", "frozen_base", "lstm",
          "embedding", "add_loss"]


# ------------------------------------------------------------------ losses
def loss_of(kind):
    """(loss, output activation, labels: sparse / one_hot / binary / regression, policy)."""
    return {
        "string": ("sparse_categorical_crossentropy", "softmax", "sparse", "float32"),
        "object_probabilities": (keras.losses.SparseCategoricalCrossentropy(from_logits=False),
                                 "softmax", "sparse", "float32"),
        "object_logits": (keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                          None, "sparse", "float32"),
        "one_hot": (keras.losses.CategoricalCrossentropy(), "softmax", "one_hot", "float32"),
        "custom_function": (custom_sparse_loss, "softmax", "sparse", "float32"),
        "binary": ("binary_crossentropy", "sigmoid", "binary", "float32"),
        "binary_logits": (keras.losses.BinaryCrossentropy(from_logits=True), None, "binary",
                          "float32"),
        "regression": ("mse", None, "regression", "float32"),
        "mixed_bfloat16": ("sparse_categorical_crossentropy", "softmax", "sparse",
                           "mixed_bfloat16"),
        "mixed_float16": ("sparse_categorical_crossentropy", "softmax", "sparse",
                          "mixed_float16"),
    }[kind]


def labels_as(kind, y):
    """The class ids `y` as the labels a loss kind reads (regression: the id plus noise, a
    target the features predict)."""
    if kind == "one_hot":
        return keras.utils.to_categorical(y, CLASSES)
    if kind == "binary":
        return (y == 0).astype("float32")[:, None]
    if kind == "regression":
        noise = np.random.default_rng(1).normal(scale=0.1, size=len(y))
        return (y - 1.0 + noise).astype("float32")[:, None]
    return y


def custom_sparse_loss(y_true, y_pred):
    return keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y_true, y_pred))


LOSSES = ["string", "object_probabilities", "object_logits", "one_hot", "custom_function",
          "binary", "binary_logits", "regression", "mixed_bfloat16", "mixed_float16"]


# ------------------------------------------------------------------ data
def _slice(structure, i, j):
    return keras.tree.map_structure(lambda a: a[i:j], structure)


class Batches(keras.utils.PyDataset):
    def __init__(self, x, y, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y = x, y

    def __len__(self):
        return N // BATCH

    def __getitem__(self, i):
        return _slice(self.x, i * BATCH, (i + 1) * BATCH), _slice(self.y, i * BATCH,
                                                                   (i + 1) * BATCH)


def _generator(x, y):
    rows = len(keras.tree.flatten(x)[0])
    while True:
        for i in range(0, rows - BATCH + 1, BATCH):
            yield _slice(x, i, i + BATCH), _slice(y, i, i + BATCH)


def fit_inputs(kind, x, y):
    """fit's data arguments for one data kind (validation from the last quarter)."""
    cut = 3 * N // 4
    xt, yt, xv, yv = _slice(x, 0, cut), _slice(y, 0, cut), _slice(x, cut, N), _slice(y, cut, N)
    plain = {"x": xt, "y": yt, "batch_size": BATCH, "validation_data": (xv, yv)}
    if kind == "numpy":
        return plain
    if kind == "tf_data":
        return {"x": tf.data.Dataset.from_tensor_slices((xt, yt)).batch(BATCH),
                "validation_data": (xv, yv)}
    if kind == "tf_data_unknown_size":  # filter(): Keras learns the epoch's length at its end
        return {"x": tf.data.Dataset.from_tensor_slices((xt, yt)).filter(
            lambda *_: True).batch(BATCH), "validation_data": (xv, yv)}
    if kind == "tf_data_repeat":
        return {"x": tf.data.Dataset.from_tensor_slices((xt, yt)).shuffle(64, seed=0).repeat()
                .batch(BATCH), "steps_per_epoch": cut // BATCH, "validation_data": (xv, yv)}
    if kind == "pydataset":
        return {"x": Batches(x, y), "validation_data": (xv, yv)}
    if kind == "generator":
        return {"x": _generator(xt, yt), "steps_per_epoch": cut // BATCH,
                "validation_data": (xv, yv)}
    if kind == "sample_weight":
        return dict(plain, sample_weight=np.where(Y[:cut] == 0, 2.0, 1.0).astype("float32"))
    if kind == "class_weight":
        return dict(plain, class_weight={0: 1.0, 1: 3.0, 2: 2.0})
    if kind == "validation_split":
        return {"x": x, "y": y, "batch_size": BATCH, "validation_split": 0.25}
    if kind == "validation_dataset":
        return dict(plain, validation_data=tf.data.Dataset.from_tensor_slices(
            (xv, yv)).batch(BATCH))
    if kind == "validation_freq":
        return dict(plain, validation_freq=2)
    raise ValueError(kind)


DATA = ["numpy", "tf_data", "tf_data_unknown_size", "tf_data_repeat", "pydataset", "generator",
        "sample_weight", "class_weight", "validation_split", "validation_dataset",
        "validation_freq"]

FITS = ["plain", "initial_epoch", "epochs_1", "second_fit", "mirrored", "callbacks_twice",
        "verbose_1", "verbose_2", "stopped_by_other", "keyboard_interrupt", "keras_schedule",
        "keras_schedule_plateau", "plateau_at_once", "doctor_without_probe"]


# ------------------------------------------------------------------ stock Keras beside ours
class Shadow(keras.callbacks.Callback):
    """Stock Keras' ReduceLROnPlateau and EarlyStopping fed copies of the same epoch logs, on
    a stand-in model (a float learning rate), with the mode given: what ours must match."""

    def __init__(self, plateau_kwargs, early_kwargs, mode, lr):
        super().__init__()
        self.plateau = keras.callbacks.ReduceLROnPlateau(**plateau_kwargs, mode=mode)
        self.early = keras.callbacks.EarlyStopping(**early_kwargs, mode=mode)
        self.stand_in = types.SimpleNamespace(
            optimizer=types.SimpleNamespace(learning_rate=lr), stop_training=False)
        self.plateau.set_model(self.stand_in)
        self.early.set_model(self.stand_in)
        self.rates, self.seen_rates = [], []

    def on_train_begin(self, logs=None):
        self.plateau.on_train_begin()
        self.early.on_train_begin()

    def on_epoch_end(self, epoch, logs=None):
        # ours runs earlier in the list: the rate the model trained the next epoch with
        self.seen_rates.append(current_lr(self.model.optimizer))
        with contextlib.suppress(Exception), _quiet_warnings():
            self.plateau.on_epoch_end(epoch, dict(logs or {}))
        self.rates.append(float(self.stand_in.optimizer.learning_rate))
        with _quiet_warnings():
            self.early.on_epoch_end(epoch, dict(logs or {}))


@contextlib.contextmanager
def _quiet_warnings():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class EpochWeights(keras.callbacks.Callback):
    """The weights at each epoch's end (after Checkpoints saved them)."""

    def on_epoch_end(self, epoch, logs=None):
        self.last = [np.array(v) for v in self.model.get_weights()]


class BatchesTrained(keras.callbacks.Callback):
    """The optimizer's steps in this fit: the batches trained. (Not Keras' batch indices: with
    steps_per_execution = 3 an epoch of 10 batches is reported as ending at batch 11.) A
    float16 loss scale skips the update of a batch whose gradients overflowed: None there."""

    def on_train_begin(self, logs=None):
        self.start = int(self.model.optimizer.iterations.numpy())

    def on_train_end(self, logs=None):
        skips = keras.mixed_precision.global_policy().name == "mixed_float16"
        self.done = None if skips else int(self.model.optimizer.iterations.numpy()) - self.start


class StopAfterFirstEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        self.model.stop_training = True


class Interrupt(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 2 and not getattr(self, "done", False):
            self.done = True
            raise KeyboardInterrupt


# ------------------------------------------------------------------ one run
def run(model_kind, data_kind, fit_kind, loss_kind, folder, control=False):
    """One combination; `control`: the same fit with none of our callbacks (does Keras
    itself accept this call?)."""
    loss, activation, labels, policy = loss_of(loss_kind)
    width = 1 if labels in ("binary", "regression") else CLASSES
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(0)
    result = {"case": f"{model_kind}/{data_kind}/{fit_kind}/{loss_kind}", "failures": []}
    fail = lambda cls, why: result["failures"].append({"class": cls, "why": why})  # noqa: E731
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]) \
        if fit_kind == "mirrored" else contextlib.nullcontext()
    try:
        scope = strategy.scope() if fit_kind == "mirrored" else strategy
        with scope:
            model, x, y, compile_kwargs = build_model(model_kind, activation, width)
            if isinstance(y, dict):
                y = dict(y, cls=labels_as(labels, y["cls"]))
            else:
                y = labels_as(labels, y)
            base_lr = MODEL_LR.get(model_kind, LR)
            lr = keras.optimizers.schedules.ExponentialDecay(base_lr, 10, 0.9) \
                if fit_kind.startswith("keras_schedule") else base_lr
            losses = {"cls": loss, "reg": "mse"} if model_kind == "multi_output" else loss
            metric = "mae" if labels == "regression" else "accuracy"
            metrics = {"cls": [metric]} if model_kind == "multi_output" else [metric]
            model.compile(keras.optimizers.Adam(lr), losses, metrics=metrics, **compile_kwargs)
        fit_kwargs = fit_inputs(data_kind, x, y)
        probe = (_slice(x, 3 * N // 4, N), _slice(y, 3 * N // 4, N))
        doctor = TrainingDoctor(probe_data=None if fit_kind == "doctor_without_probe" else probe,
                                interval=5)
        monitor = "val_cls_loss" if model_kind == "multi_output" else "val_loss"
        at_once = fit_kind in ("plateau_at_once", "keras_schedule_plateau")
        plateau_kwargs = {"monitor": monitor, "factor": 0.5, "patience": 1,
                          "min_delta": 10.0 if at_once else 1e-4}
        early_kwargs = {"monitor": monitor, "patience": 1 if at_once else 2,
                        "min_delta": 10.0 if at_once else 0.0}
        plateau = ReduceLROnPlateau(**plateau_kwargs)
        early = EarlyStopping(**early_kwargs, restore_best_weights=True)
        csv_path = os.path.join(folder, "m.csv")
        metrics_csv = MetricsCSV(csv_path)
        checkpoints = Checkpoints(os.path.join(folder, "ckpt"), initial=True)
        guard = NaNGuard("restore", checkpoints)
        shadow = Shadow(plateau_kwargs, early_kwargs, "min", base_lr)
        weights, batches = EpochWeights(), BatchesTrained()
        ours = [doctor, plateau, early, metrics_csv, guard]
        callbacks = ours + [shadow, batches, checkpoints, weights]
        if fit_kind == "callbacks_twice":
            callbacks = ours + ours + [shadow, batches, checkpoints, weights]
        if fit_kind == "stopped_by_other":
            callbacks.insert(0, StopAfterFirstEpoch())
        epochs = 1 if fit_kind == "epochs_1" else EPOCHS
        kwargs = dict(fit_kwargs, epochs=epochs, callbacks=callbacks,
                      verbose={"verbose_1": 1, "verbose_2": 2}.get(fit_kind, 0))
        if fit_kind == "initial_epoch":
            kwargs["initial_epoch"] = 1
        if control:
            kwargs["callbacks"] = [StopAfterFirstEpoch()] if fit_kind == "stopped_by_other" \
                else []
        out = io.StringIO()
        with contextlib.redirect_stdout(out), _quiet_warnings():
            if fit_kind == "second_fit":
                model.fit(**dict(kwargs, epochs=2))
                shadow.__init__(plateau_kwargs, early_kwargs, "min", base_lr)
                kwargs["epochs"], kwargs["initial_epoch"] = 4, 2
                lr_before = current_lr(model.optimizer)
                shadow.stand_in.optimizer.learning_rate = lr_before
            if fit_kind == "keyboard_interrupt":
                try:
                    model.fit(**dict(kwargs, callbacks=[Interrupt()] + callbacks))
                    fail("raised", "KeyboardInterrupt did not come out of fit")
                except KeyboardInterrupt:
                    pass
                shadow.__init__(plateau_kwargs, early_kwargs, "min", current_lr(model.optimizer))
                if data_kind == "generator":  # the generator was left mid-epoch
                    kwargs.update(fit_inputs(data_kind, x, y))
            history = model.fit(**kwargs)
    except Exception as e:  # noqa: BLE001
        refusal = isinstance(e, TypeError) and "ReduceLROnPlateau cannot lower" in str(e)
        model = locals().get("model")
        if refusal and fit_kind.startswith("keras_schedule") and model is not None and \
                int(model.optimizer.iterations.numpy()) == 0:
            result["refused"] = _short(str(e))  # before any step, naming the fix: by design
        else:
            fail("raised", f"{type(e).__name__}: {_short(str(e))}")
        return result
    finally:
        keras.mixed_precision.set_global_policy("float32")
    if control:
        return result
    h = history.history
    if data_kind == "tf_data_unknown_size":  # Keras' optimizer takes an extra, empty step
        batches.done = len(history.epoch) * -(-(3 * N // 4) // BATCH)  # at each epoch's end
    if (doctor.step if batches.done is not None else None, len(doctor.epochs)) != (
            batches.done, len(history.epoch)):
        fail("doctor_count", f"doctor counted {doctor.step} steps, {len(doctor.epochs)} epochs; "
                             f"Keras trained {batches.done} batches in {len(history.epoch)} "
                             "epochs")
    for error in doctor.internal_errors:
        fail("internal", error[:300])
    result["serious"] = sorted({f.symptom for f in doctor.findings if f.severity in SERIOUS})
    result["findings"] = [(f.symptom, f.severity) for f in doctor.findings]
    result["accuracy"] = h.get("accuracy", h.get("cls_accuracy", [None]))[-1]
    if "accuracy" not in h and "cls_accuracy" not in h:
        result["accuracy"] = None
    _check_csv(csv_path, history, fit_kind, fail)
    _check_checkpoint(checkpoints, weights, model, fail)
    if guard.rollbacks or guard.stopped:
        fail("nanguard", f"acted on a healthy run: {guard.rollbacks}, stopped={guard.stopped}")
    _check_against_stock(plateau, early, shadow, history, fit_kind, fail)
    return result


def _short(text):
    """One line; TensorFlow's errors say what went wrong at their end."""
    text = " ".join(text.split())
    return text if len(text) <= 600 else text[:150] + " ... " + text[-450:]


def _check_csv(path, history, fit_kind, fail):
    import csv
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    h = history.history
    first = history.epoch[0] + 1 if history.epoch else 1
    expected_epochs = [e + 1 for e in history.epoch]
    got = [int(r["epoch"]) for r in rows][-len(expected_epochs):]
    if got != expected_epochs:
        fail("csv", f"epochs {got} != {expected_epochs}")
        return
    for key in ("loss", "val_loss"):
        if key not in h:
            continue
        written = [float(r[key]) if r.get(key) else None for r in rows[-len(expected_epochs):]]
        expected = h[key]
        if len(expected) != len(written) and key == "val_loss":  # validation_freq
            continue
        if not np.allclose(np.array(written, dtype=float), expected, rtol=1e-6):
            fail("csv", f"{key} {written} != {expected}")
    del first, fit_kind


def _check_checkpoint(checkpoints, weights, model, fail):
    if not getattr(weights, "last", None) or checkpoints.manager is None:
        fail("checkpoint", "no epoch ended or no checkpoint manager")
        return
    now = [np.array(v) for v in model.get_weights()]
    for v in model.weights:
        v.assign(keras.ops.zeros(v.shape, v.dtype))
    checkpoints.roll_back()
    restored = model.get_weights()
    if len(restored) != len(weights.last) or not all(
            np.allclose(a, b, rtol=1e-6, atol=1e-7) for a, b in zip(restored, weights.last)):
        fail("checkpoint", "the newest checkpoint does not hold the last epoch's weights")
    model.set_weights(now)


def _check_against_stock(plateau, early, shadow, history, fit_kind, fail):
    if fit_kind in ("callbacks_twice", "keras_schedule"):
        return  # listed twice they act twice, as stock Keras' do; a decaying rate is no plateau
    expected = shadow.rates
    got = shadow.seen_rates
    if not np.allclose(got, expected, rtol=1e-5):
        fail("plateau", f"rates {got} != stock {expected}")
    stopped = early.stopped_epoch, shadow.early.stopped_epoch
    if stopped[0] != stopped[1]:
        fail("early", f"stopped_epoch {stopped[0]} != stock {stopped[1]}")


# ------------------------------------------------------------------ the grid
def cases():
    grid = [(m, d, "plain", "string") for m in MODELS for d in DATA]
    for m in ("functional", "subclassed", "multi_output", "steps_per_execution",
              "sequential_no_input"):
        grid += [(m, "numpy", f, "string") for f in FITS if f != "plain"]
        grid += [(m, "numpy", "plain", loss) for loss in LOSSES if loss != "string"]
        grid += [(m, "numpy", "doctor_without_probe", loss) for loss in ("binary",
                                                                          "regression")]
    for d in ("tf_data", "generator", "validation_freq"):
        grid += [("functional", d, f, "string") for f in ("second_fit", "initial_epoch",
                                                           "mirrored", "plateau_at_once")]
    for loss in ("mixed_bfloat16", "mixed_float16", "object_logits", "binary", "regression"):
        grid += [(m, "numpy", "plain", loss) for m in ("lstm", "embedding", "frozen_base",
                                                       "custom_train_step", "jit_compile")]
        grid += [("functional", "numpy", f, loss) for f in ("mirrored", "plateau_at_once")]
    return list(dict.fromkeys(grid))


def one_case(case, control=False):
    folder = tempfile.mkdtemp()
    try:
        return run(*case, folder, control=control)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def in_own_process(case, control=False):
    """A MirroredStrategy whose collective op failed leaves the process' collectives aborted:
    every later strategy in it would fail too. Each such case runs alone (one at a time)."""
    import subprocess
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--case", "/".join(case)]
                         + (["--control"] if control else []), capture_output=True, text=True)
    line = next((l for l in out.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        return {"case": "/".join(case), "failures": [
            {"class": "raised", "why": "process died: " + _short(out.stderr[-2000:])}]}
    return json.loads(line[len("RESULT "):])


def judged(case):
    """The case's result; an exception plain Keras raises too (the same fit without our
    callbacks) is Keras' refusal of the call, not ours: class `keras`."""
    runner = in_own_process if case[2] == "mirrored" else one_case
    result = runner(case)
    if any(f["class"] == "raised" for f in result["failures"]):
        control = runner(case, control=True)
        if any(f["class"] == "raised" for f in control["failures"]):
            for f in result["failures"]:
                if f["class"] == "raised":
                    f["class"] = "keras"
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="run the cases whose name holds this")
    parser.add_argument("--json", default="", help="write every result here")
    parser.add_argument("--case", default="", help=argparse.SUPPRESS)  # one, as JSON
    parser.add_argument("--control", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print("RESULT " + json.dumps(one_case(tuple(args.case.split("/")), args.control),
                                     default=str))
        return
    chosen = [c for c in cases() if args.only in "/".join(c)]
    baseline, results = {}, []
    started = time.time()
    for case in chosen:
        result = judged(case)
        results.append(result)
        if case[1:3] == ("numpy", "plain"):
            baseline[case[0], case[3]] = set(result.get("serious", []))
        verdict = [f["class"] for f in result["failures"]] or (
            "refused" if result.get("refused") else "ok")
        print(f"{result['case']:60s} {result.get('accuracy') or 0:.2f} {verdict} "
              f"{result.get('serious', '')}", flush=True)
    for result in results:  # an alarm the same model and loss's plain fit does not raise
        model, _, _, loss = result["case"].split("/")
        extra = set(result.get("serious", [])) - baseline.get((model, loss), set())
        if extra:
            result["failures"].append({"class": "alarm", "why": sorted(extra)})
    counts = {}
    for result in results:
        for cls in {f["class"] for f in result["failures"]}:
            counts[cls] = counts.get(cls, 0) + 1
    print(f"\n{len(results)} combinations in {time.time() - started:.0f} s; "
          f"{sum(bool(r['failures']) for r in results)} failing; by class: {counts}; "
          f"refused by design: {sum('refused' in r for r in results)}")
    for result in results:
        for f in result["failures"]:
            print(f"  {f['class']:10s} {result['case']}: {f['why']}")
    print("baseline serious findings:", {"/".join(k): sorted(v) for k, v in baseline.items()
                                         if v})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=str)


if __name__ == "__main__":
    main()
