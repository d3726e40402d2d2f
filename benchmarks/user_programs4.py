"""Users' own Keras programs, round 4: each run twice from the same seed, plain and with our
callbacks (the doctor probing often, EarlyStopping / ReduceLROnPlateau that never act,
MetricsCSV), and checked against what plain Keras did and what the program's bug is.

    TF_CPP_MIN_LOG_LEVEL=3 nice -n 10 python benchmarks/user_programs4.py [--only SUBSTRING,...]

A program is healthy (the doctor must be quiet: no warning / critical finding) or has one bug
(the doctor must name one of the symptoms listed). Failures: a crash, an internal error of the
doctor, History or final weights different from the plain run, an alarm on a healthy program,
a bug not named.
"""

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])

import keras  # noqa: E402

from ktrain_kit.callbacks import (EarlyStopping, MetricsCSV, ReduceLROnPlateau,  # noqa: E402
                                  TrainingDoctor)

N, F, C, B = 320, 8, 3, 32
RNG = np.random.default_rng(0)
X = RNG.normal(size=(N, F)).astype("float32")
W = RNG.normal(size=(F, C))
Y = np.argmax(X @ W, axis=1).astype("int32")
XT, YT, XV, YV = X[:240], Y[:240], X[240:], Y[240:]
TOKENS = RNG.integers(1, 40, size=(N, 10)).astype("int32")
Y_TOKENS = (np.isin(TOKENS, np.arange(1, 8)).sum(1) > 1).astype("int32")
SERIOUS = ("warning", "critical")


class Kit:
    """What a program adds to its fit: nothing (plain) or our callbacks (the same objects on
    every call with the same key: a program fitting in a loop reuses them)."""

    def __init__(self, ours):
        self.ours, self.doctors, self._made = ours, [], {}

    def callbacks(self, probe, monitor="loss", interval=2, key=0, plateau=True, **doctor_kwargs):
        """`plateau=False`: a rate ReduceLROnPlateau refuses by design (a Keras schedule)."""
        if not self.ours:
            return []
        if key not in self._made:
            doctor = TrainingDoctor(probe_data=probe, interval=interval, **doctor_kwargs)
            self.doctors.append(doctor)
            self._made[key] = [doctor, EarlyStopping(monitor, patience=1000),
                               MetricsCSV(tempfile.mktemp(suffix=".csv"))] + (
                [ReduceLROnPlateau(monitor, patience=1000)] if plateau else [])
        return self._made[key]


PROGRAMS = {}


def program(expect=None, known=None):
    """expect: None for a healthy program, else the symptoms of which one must be named as a
    warning or critical; "symptom?": named at any severity, nothing else serious (Keras 3
    trains a softmax output under from_logits=True on its cached logits: the training is
    right, the doctor documents it as info). `known`: why a failure is left as it is (printed
    KNOWN, not FAIL)."""
    def register(fn):
        PROGRAMS[fn.__name__] = (fn, expect, known)
        return fn
    return register


def dense_classifier(lr=0.01, activation="softmax", loss="sparse_categorical_crossentropy",
                     optimizer=None, **compile_kwargs):
    inputs = keras.Input((F,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(C, activation=activation)(hidden))
    model.compile(optimizer or keras.optimizers.Adam(lr), loss, metrics=["accuracy"],
                  **compile_kwargs)
    return model


# ------------------------------------------------------------------ input pipelines
class ShuffledBatches(keras.utils.PyDataset):
    """A user's PyDataset: shuffles its own order at each epoch end with its own RNG."""

    def __init__(self, x, y, batch_size=B, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.order = np.arange(len(x))
        self.rng = np.random.default_rng(1)

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, i):
        rows = self.order[i * self.batch_size:(i + 1) * self.batch_size]
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        self.rng.shuffle(self.order)


@program()
def pydataset_shuffling_itself(kit):
    model = dense_classifier()
    data = ShuffledBatches(XT, YT)
    h = model.fit(data, validation_data=ShuffledBatches(XV, YV), epochs=5, verbose=0,
                  callbacks=kit.callbacks(ShuffledBatches(XV, YV), "val_loss"))
    return model, [h]


@program()
def pydataset_probe_is_the_training_pydataset(kit):
    model = dense_classifier()
    data = ShuffledBatches(XT, YT)
    h = model.fit(data, epochs=5, verbose=0, callbacks=kit.callbacks(data))
    return model, [h]


def batches(x, y, batch_size=B):
    for i in range(0, len(x), batch_size):
        yield x[i:i + batch_size], y[i:i + batch_size]


def forever(x, y, batch_size=B):
    while True:
        yield from batches(x, y, batch_size)


@program()
def generator_one_epoch_no_steps(kit):
    model = dense_classifier(0.03)
    h = model.fit(batches(XT, YT, 16), epochs=1, verbose=0,
                  callbacks=kit.callbacks((XV, YV)))
    return model, [h]


@program()
def generator_steps_per_epoch_and_validation_generator(kit):
    model = dense_classifier()
    h = model.fit(forever(XT, YT), steps_per_epoch=len(XT) // B, epochs=5, verbose=0,
                  validation_data=forever(XV, YV), validation_steps=2,
                  callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


@program()
def generator_probe_is_a_second_generator(kit):
    model = dense_classifier()
    h = model.fit(forever(XT, YT), steps_per_epoch=len(XT) // B, epochs=5, verbose=0,
                  callbacks=kit.callbacks(batches(XV, YV)))
    return model, [h]


@program()
def tf_data_repeat_steps_and_validation_steps(kit):
    model = dense_classifier()
    train = tf.data.Dataset.from_tensor_slices((XT, YT)).shuffle(240, seed=1).batch(B).repeat()
    val = tf.data.Dataset.from_tensor_slices((XV, YV)).batch(B).repeat()
    h = model.fit(train, steps_per_epoch=5, epochs=8, validation_data=val, validation_steps=2,
                  verbose=0, callbacks=kit.callbacks(val.take(3), "val_loss"))
    return model, [h]


@program()
def tf_data_prefetch_cache_map_normalize(kit):
    """Scaling inside the pipeline (the inputs are in the hundreds on disk)."""
    model = dense_classifier()
    raw = XT * 300 + 50

    def scale(x, y):
        return (x - 50) / 300, y
    train = tf.data.Dataset.from_tensor_slices((raw, YT)).map(scale).cache().shuffle(
        240, seed=2).batch(B).prefetch(tf.data.AUTOTUNE)
    val = tf.data.Dataset.from_tensor_slices((XV * 300 + 50, YV)).map(scale).batch(B)
    h = model.fit(train, validation_data=val, epochs=5, verbose=0,
                  callbacks=kit.callbacks(val, "val_loss"))
    return model, [h]


# ------------------------------------------------------------------ fit patterns
@program()
def validation_freq_2_with_early_stopping_on_val_loss(kit):
    model = dense_classifier()
    h = model.fit(XT, YT, validation_data=(XV, YV), validation_freq=2, epochs=6, batch_size=B,
                  verbose=0, callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


@program()
def resume_by_hand_initial_epoch(kit):
    """Train 3 epochs, save the weights, a new process (model) loads them, trains to 6."""
    first = dense_classifier()
    h1 = first.fit(XT, YT, epochs=3, batch_size=B, verbose=0)
    path = tempfile.mktemp(suffix=".weights.h5")
    first.save_weights(path)
    model = dense_classifier()
    model.load_weights(path)
    h2 = model.fit(XT, YT, initial_epoch=3, epochs=6, batch_size=B, verbose=0,
                   validation_data=(XV, YV), callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h1, h2]


@program()
def fit_in_a_loop_one_epoch_at_a_time(kit):
    model = dense_classifier()
    callbacks = kit.callbacks((XV, YV), "val_loss")
    histories = []
    for epoch in range(5):
        histories.append(model.fit(XT, YT, epochs=1, batch_size=B, verbose=0,
                                   validation_data=(XV, YV), callbacks=callbacks))
    return model, histories


@program()
def fit_in_a_loop_with_initial_epoch(kit):
    model = dense_classifier()
    callbacks = kit.callbacks((XV, YV), "val_loss")
    histories = []
    for epoch in range(5):
        histories.append(model.fit(XT, YT, initial_epoch=epoch, epochs=epoch + 1, batch_size=B,
                                   verbose=0, validation_data=(XV, YV), callbacks=callbacks))
    return model, histories


@program()
def class_weight_on_imbalanced_binary(kit):
    y = (X[:, 0] > 1.0).astype("int32")  # ~16% positives
    model = keras.Sequential([keras.Input((F,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.02), "binary_crossentropy",
                  metrics=[keras.metrics.AUC(name="auc")])
    positives = y[:240].mean()
    weights = {0: 0.5 / (1 - positives), 1: 0.5 / positives}
    h = model.fit(X[:240], y[:240], class_weight=weights, epochs=8, batch_size=B, verbose=0,
                  validation_data=(X[240:], y[240:]),
                  callbacks=kit.callbacks((X[240:], y[240:]), "val_loss"))
    return model, [h]


@program()
def sample_weight_with_weighted_validation(kit):
    model = dense_classifier()
    weights = np.where(YT == 2, 2.0, 1.0).astype("float32")
    h = model.fit(XT, YT, sample_weight=weights, epochs=5, batch_size=B, verbose=0,
                  validation_data=(XV, YV, np.ones(len(YV), "float32")),
                  callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


@program()
def dict_inputs_tf_data_named(kit):
    numeric = keras.Input((6,), name="numeric")
    ids = keras.Input((1,), name="category", dtype="int32")
    embedded = keras.layers.Flatten()(keras.layers.Embedding(5, 3)(ids))
    hidden = keras.layers.Dense(16, activation="relu")(
        keras.layers.Concatenate()([numeric, embedded]))
    model = keras.Model({"numeric": numeric, "category": ids},
                        keras.layers.Dense(C, activation="softmax")(hidden))
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    category = (np.abs(X[:, 6:7]) * 2).astype("int32").clip(0, 4)
    y = np.argmax(X[:, :6] @ W[:6], axis=1).astype("int32")
    x = {"numeric": X[:, :6], "category": category}
    part = lambda a, b: {k: v[a:b] for k, v in x.items()}  # noqa: E731
    train = tf.data.Dataset.from_tensor_slices((part(0, 240), y[:240])).batch(B)
    h = model.fit(train, validation_data=(part(240, N), y[240:]), epochs=5, verbose=0,
                  callbacks=kit.callbacks((part(240, N), y[240:]), "val_loss"))
    return model, [h]


@program()
def sequential_without_input_shape(kit):
    model = keras.Sequential([keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dropout(0.2),
                              keras.layers.Dense(C, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(XT, YT, epochs=8, batch_size=B, validation_split=0.2, verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


class DropoutNet(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(32, activation="relu")
        self.dropout = keras.layers.Dropout(0.3)
        self.out = keras.layers.Dense(C, activation="softmax")

    def call(self, x, training=False):
        return self.out(self.dropout(self.hidden(x), training=training))


@program()
def subclassed_dropout_in_call(kit):
    model = DropoutNet()
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(XT, YT, epochs=6, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


class NoisyNet(keras.Model):
    """Draws its own noise with a SeedGenerator in training (a VAE's sampling, noise
    injection): the random state lives in a variable of the model."""

    def __init__(self):
        super().__init__()
        self.seed = keras.random.SeedGenerator(7)
        self.hidden = keras.layers.Dense(32, activation="relu")
        self.out = keras.layers.Dense(C, activation="softmax")

    def call(self, x, training=False):
        h = self.hidden(x)
        if training:
            h = h + 0.1 * keras.random.normal(keras.ops.shape(h), seed=self.seed)
        return self.out(h)


@program()
def subclassed_noise_from_a_seed_generator(kit):
    model = NoisyNet()
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(XT, YT, epochs=6, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


def text_model(lr=0.02, optimizer=None):
    model = keras.Sequential([keras.Input((10,), dtype="int32"), keras.layers.Embedding(40, 8),
                              keras.layers.GlobalAveragePooling1D(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer or keras.optimizers.Adam(lr), "binary_crossentropy",
                  metrics=["accuracy"])
    return model


@program()
def embedding_pooling_text_ids(kit):
    model = text_model(0.05)
    h = model.fit(TOKENS[:240], Y_TOKENS[:240], epochs=10, batch_size=B, verbose=0,
                  validation_data=(TOKENS[240:], Y_TOKENS[240:]),
                  callbacks=kit.callbacks((TOKENS[240:], Y_TOKENS[240:]), "val_loss"))
    return model, [h]


@program(expect={"diverging", "unstable", "nan_loss", "exploding_gradients",
                 "loss_not_decreasing", "dead_units"})
def embedding_text_lr_far_too_high(kit):
    model = text_model(optimizer=keras.optimizers.SGD(2000.0))
    h = model.fit(TOKENS[:240], Y_TOKENS[:240], epochs=6, batch_size=B, verbose=0,
                  validation_data=(TOKENS[240:], Y_TOKENS[240:]),
                  callbacks=kit.callbacks((TOKENS[240:], Y_TOKENS[240:]), "val_loss"))
    return model, [h]


@program()
def normalization_adapted_before_fit(kit):
    raw = X * np.array([1000, 0.01, 50, 1, 3, 200, 7, 1], "float32") + 100
    norm = keras.layers.Normalization()
    norm.adapt(raw[:240])
    inputs = keras.Input((F,))
    hidden = keras.layers.Dense(16, activation="relu")(norm(inputs))
    model = keras.Model(inputs, keras.layers.Dense(C, activation="softmax")(hidden))
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(raw[:240], YT, epochs=6, batch_size=B, validation_data=(raw[240:], YV),
                  verbose=0, callbacks=kit.callbacks((raw[240:], YV), "val_loss"))
    return model, [h]


@program(expect={"data_problem", "diverging", "unstable", "loss_not_decreasing",
                 "dead_units", "exploding_gradients", "underfitting"})
def unscaled_inputs_no_normalization(kit):
    raw = X * np.array([1000, 0.01, 50, 1, 3, 200, 7, 1], "float32") + 100
    model = dense_classifier()
    h = model.fit(raw[:240], YT, epochs=6, batch_size=B, validation_data=(raw[240:], YV),
                  verbose=0, callbacks=kit.callbacks((raw[240:], YV), "val_loss"))
    return model, [h]


WORDS = np.array(["good", "great", "fine", "bad", "awful", "poor", "movie", "plot", "the",
                  "a"])


def sentences():
    rng = np.random.default_rng(3)
    picks = rng.integers(0, len(WORDS), size=(N, 6))
    text = np.array([" ".join(WORDS[p]) for p in picks])
    label = ((picks < 3).sum(1) > (picks >= 3).sum(1) - 2).astype("int32")
    return text, label


@program()
def text_vectorization_adapted_on_strings(kit):
    text, label = sentences()
    vectorize = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=6)
    vectorize.adapt(text[:240])
    inputs = keras.Input((), dtype="string")
    ids = vectorize(inputs)
    pooled = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(20, 8)(ids))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(pooled))
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy", metrics=["accuracy"])
    text = text.astype(object)
    h = model.fit(text[:240], label[:240], epochs=8, batch_size=B, verbose=0,
                  validation_data=(text[240:], label[240:]),
                  callbacks=kit.callbacks((text[240:], label[240:]), "val_loss"))
    return model, [h]


@program()
def frozen_base_with_batchnorm_in_inference_mode(kit):
    base = keras.Sequential([keras.Input((F,)), keras.layers.Dense(32),
                             keras.layers.BatchNormalization(), keras.layers.ReLU(),
                             keras.layers.Dense(16, activation="relu")], name="base")
    pretrain = keras.Sequential([base, keras.layers.Dense(C, activation="softmax")])
    pretrain.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    pretrain.fit(X, Y, epochs=3, batch_size=B, verbose=0)
    base.trainable = False
    inputs = keras.Input((F,))
    features = base(inputs, training=False)
    model = keras.Model(inputs, keras.layers.Dense(C, activation="softmax")(
        keras.layers.Dropout(0.2)(features)))
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(XT, YT, epochs=5, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


class GuideStep(keras.Model):
    """keras.io 'Customizing what happens in fit()' (Keras 3, TensorFlow backend)."""

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def guide_model(optimizer):
    inputs = keras.Input((F,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    model = GuideStep(inputs, keras.layers.Dense(C, activation="softmax")(hidden))
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@program()
def custom_train_step_guide_pattern(kit):
    model = guide_model(keras.optimizers.Adam(0.01))
    h = model.fit(XT, YT, epochs=5, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


@program(expect={"diverging", "unstable", "nan_loss", "exploding_gradients",
                 "loss_not_decreasing", "dead_units"})
def custom_train_step_lr_far_too_high(kit):
    model = guide_model(keras.optimizers.SGD(500.0))
    h = model.fit(XT, YT, epochs=5, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


@program(expect={"wrong_loss"}, known="binary_crossentropy on a 3-class softmax trains as well "
                                      "as categorical (the metric becomes binary accuracy): no "
                                      "rule names it; a new rule is rules.py's, left to the lead")
def run_eagerly_binary_crossentropy_on_three_classes(kit):
    model = dense_classifier(loss="binary_crossentropy", run_eagerly=True)
    onehot = keras.utils.to_categorical(Y, C)
    h = model.fit(XT, onehot[:240], epochs=4, batch_size=B, validation_data=(XV, onehot[240:]),
                  verbose=0, callbacks=kit.callbacks((XV, onehot[240:]), "val_loss"))
    return model, [h]


@program()
def jit_compile_healthy(kit):
    model = dense_classifier(jit_compile=True)
    h = model.fit(XT, YT, epochs=5, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


@program()
def steps_per_execution_above_steps_per_epoch(kit):
    model = dense_classifier(0.02, steps_per_execution=8)
    h = model.fit(XT[:96], YT[:96], epochs=6, batch_size=B, validation_data=(XV, YV),
                  verbose=0, callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


@program()
def validation_split_and_no_shuffle(kit):
    model = dense_classifier()
    h = model.fit(X, Y, validation_split=0.25, shuffle=False, epochs=5, batch_size=B,
                  verbose=0, callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


@program()
def no_validation_at_all(kit):
    model = dense_classifier()
    h = model.fit(XT, YT, epochs=5, batch_size=B, verbose=0,
                  callbacks=kit.callbacks((XT[:64], YT[:64])))
    return model, [h]


@program()
def regression_two_outputs_list(kit):
    inputs = keras.Input((F,))
    hidden = keras.layers.Dense(32, activation="relu")(inputs)
    model = keras.Model(inputs, [keras.layers.Dense(1, name="price")(hidden),
                                 keras.layers.Dense(2, name="position")(hidden)])
    model.compile(keras.optimizers.Adam(0.01), ["mse", "mae"], loss_weights=[1.0, 0.5])
    y1 = (X[:, :1] * 2 - X[:, 1:2]).astype("float32")
    y2 = np.stack([X[:, 2], X[:, 3] * X[:, 4]], axis=1).astype("float32")
    h = model.fit(XT, [y1[:240], y2[:240]], epochs=6, batch_size=B, verbose=0,
                  validation_data=(XV, [y1[240:], y2[240:]]),
                  callbacks=kit.callbacks((XV, [y1[240:], y2[240:]]), "val_loss"))
    return model, [h]


@program(expect={"data_problem", "diverging", "unstable", "loss_not_decreasing",
                 "underfitting", "exploding_gradients"})
def regression_targets_in_the_thousands(kit):
    model = keras.Sequential([keras.Input((F,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.001), "mse")
    y = (X[:, :1] * 3000 + 20000).astype("float32")
    h = model.fit(XT, y[:240], epochs=5, batch_size=B, validation_data=(XV, y[240:]),
                  verbose=0, callbacks=kit.callbacks((XV, y[240:]), "val_loss"))
    return model, [h]


@program()
def very_short_one_epoch_three_steps(kit):
    model = dense_classifier(0.01)
    h = model.fit(XT[:96], YT[:96], epochs=1, batch_size=B, verbose=0,
                  callbacks=kit.callbacks((XV, YV)))
    return model, [h]


@program()
def probe_interval_longer_than_the_run(kit):
    model = dense_classifier()
    h = model.fit(XT, YT, epochs=5, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss", interval=100000))
    return model, [h]


class Spike(keras.callbacks.Callback):
    pass


@program()
def with_keras_early_stopping_restoring_best(kit):
    model = dense_classifier(0.05)
    stop = keras.callbacks.EarlyStopping("val_loss", patience=2, restore_best_weights=True)
    h = model.fit(XT[:120], YT[:120], epochs=25, batch_size=B, validation_data=(XV, YV),
                  verbose=0, callbacks=kit.callbacks((XV, YV), "val_loss") + [stop])
    return model, [h]


@program()
def with_keras_early_stopping_listed_first(kit):
    model = dense_classifier(0.05)
    stop = keras.callbacks.EarlyStopping("val_loss", patience=2, restore_best_weights=True)
    h = model.fit(XT[:120], YT[:120], epochs=25, batch_size=B, validation_data=(XV, YV),
                  verbose=0, callbacks=[stop] + kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


@program()
def with_checkpoint_csvlogger_tensorboard_scheduler(kit):
    folder = tempfile.mkdtemp()
    model = dense_classifier()
    stock = [keras.callbacks.ModelCheckpoint(os.path.join(folder, "best.keras"),
                                             save_best_only=True),
             keras.callbacks.CSVLogger(os.path.join(folder, "log.csv")),
             keras.callbacks.TensorBoard(os.path.join(folder, "tb"), histogram_freq=1),
             keras.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.9)]
    h = model.fit(XT, YT, epochs=5, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss") + stock)
    return model, [h]


@program()
def with_lr_scheduler_warmup_listed_first(kit):
    model = dense_classifier()
    warm = keras.callbacks.LearningRateScheduler(lambda e, lr: 0.002 * (e + 1) if e < 4 else lr)
    h = model.fit(XT, YT, epochs=6, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=[warm] + kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


@program()
def mirrored_strategy_on_cpu(kit):
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        model = dense_classifier()
    h = model.fit(XT, YT, epochs=5, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


@program(expect={"diverging", "unstable", "nan_loss", "exploding_gradients",
                 "loss_not_decreasing", "dead_units"})
def mirrored_strategy_lr_far_too_high(kit):
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        model = dense_classifier(optimizer=keras.optimizers.SGD(300.0))
    h = model.fit(XT, YT, epochs=5, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


@program(expect={"data_problem"})
def labels_shuffled_apart_from_inputs(kit):
    model = dense_classifier()
    shuffled = np.random.default_rng(9).permutation(Y)
    h = model.fit(X[:240], shuffled[:240], epochs=8, batch_size=B, verbose=0,
                  validation_data=(X[240:], shuffled[240:]),
                  callbacks=kit.callbacks((X[240:], shuffled[240:]), "val_loss",
                                          reference_data=(X[:240], shuffled[:240])))
    return model, [h]


@program(expect={"wrong_loss", "loss_not_decreasing"})
def softmax_on_one_unit_binary(kit):
    y = (X[:, 0] > 0).astype("float32")
    model = keras.Sequential([keras.Input((F,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="softmax")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    h = model.fit(X[:240], y[:240], epochs=4, batch_size=B, verbose=0,
                  validation_data=(X[240:], y[240:]),
                  callbacks=kit.callbacks((X[240:], y[240:]), "val_loss"))
    return model, [h]


@program(expect={"wrong_loss"})
def pydataset_logits_without_from_logits(kit):
    model = dense_classifier(activation=None)
    h = model.fit(ShuffledBatches(XT, YT), epochs=4, verbose=0,
                  validation_data=ShuffledBatches(XV, YV),
                  callbacks=kit.callbacks(ShuffledBatches(XV, YV), "val_loss"))
    return model, [h]


@program()
def class_weight_with_pydataset_loop(kit):
    model = dense_classifier()
    callbacks = kit.callbacks((XV, YV), "val_loss")
    histories = [model.fit(ShuffledBatches(XT, YT), epochs=2, verbose=0,
                           class_weight={0: 1.0, 1: 1.5, 2: 1.0},
                           validation_data=(XV, YV), callbacks=callbacks) for _ in range(2)]
    return model, histories


# ------------------------------------------------------------------ round 4b: activations,
# losses and optimizer settings as users spell them
def classifier_with(output, loss, optimizer=None, hidden="relu", labels=None):
    inputs = keras.Input((F,))
    h = keras.layers.Dense(16, activation=hidden)(inputs)
    model = keras.Model(inputs, output(h))
    model.compile(optimizer or keras.optimizers.Adam(0.01), loss, metrics=["accuracy"])
    return model


def fit_classifier(kit, model, y=Y, epochs=6):
    return model.fit(XT, y[:240], epochs=epochs, batch_size=B, validation_data=(XV, y[240:]),
                     verbose=0, callbacks=kit.callbacks((XV, y[240:]), "val_loss"))


@program()
def tf_nn_softmax_activation(kit):
    model = classifier_with(lambda h: keras.layers.Dense(C, activation=tf.nn.softmax)(h),
                            "sparse_categorical_crossentropy", hidden=tf.nn.relu)
    return model, [fit_classifier(kit, model)]


@program(expect={"wrong_loss?"})
def tf_nn_softmax_with_from_logits_true(kit):
    model = classifier_with(lambda h: keras.layers.Dense(C, activation=tf.nn.softmax)(h),
                            keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model, [fit_classifier(kit, model)]


@program()
def dense_then_softmax_layer(kit):
    model = classifier_with(lambda h: keras.layers.Softmax()(keras.layers.Dense(C)(h)),
                            "sparse_categorical_crossentropy")
    return model, [fit_classifier(kit, model)]


@program()
def dense_then_activation_layer(kit):
    model = classifier_with(lambda h: keras.layers.Activation("softmax")(keras.layers.Dense(C)(h)),
                            "sparse_categorical_crossentropy")
    return model, [fit_classifier(kit, model)]


@program(expect={"wrong_loss?"})
def activation_layer_softmax_with_from_logits_true(kit):
    model = classifier_with(lambda h: keras.layers.Activation("softmax")(keras.layers.Dense(C)(h)),
                            keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model, [fit_classifier(kit, model)]


@program()
def tf_sigmoid_binary(kit):
    y = (X[:, 0] + X[:, 1] > 0).astype("float32")
    model = classifier_with(lambda h: keras.layers.Dense(1, activation=tf.sigmoid)(h),
                            "binary_crossentropy")
    return model, [fit_classifier(kit, model, y)]


@program()
def label_smoothing_one_hot(kit):
    onehot = keras.utils.to_categorical(Y, C)
    model = classifier_with(lambda h: keras.layers.Dense(C, activation="softmax")(h),
                            keras.losses.CategoricalCrossentropy(label_smoothing=0.2))
    return model, [fit_classifier(kit, model, onehot)]


@program()
def focal_loss_binary(kit):
    y = (X[:, 0] > 0.8).astype("float32")[:, None]
    model = classifier_with(lambda h: keras.layers.Dense(1, activation="sigmoid")(h),
                            keras.losses.BinaryFocalCrossentropy(gamma=2.0))
    return model, [fit_classifier(kit, model, y, epochs=8)]


@program()
def multilabel_sigmoid_multi_hot(kit):
    y = np.stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 2] + X[:, 3] > 0], axis=1).astype("float32")
    model = classifier_with(lambda h: keras.layers.Dense(3, activation="sigmoid")(h),
                            "binary_crossentropy")
    return model, [fit_classifier(kit, model, y)]


@program()
def two_unit_softmax_binary_labels_column(kit):
    y = (X[:, 0] + X[:, 1] > 0).astype("int32")[:, None]
    model = classifier_with(lambda h: keras.layers.Dense(2, activation="softmax")(h),
                            "sparse_categorical_crossentropy")
    return model, [fit_classifier(kit, model, y)]


@program()
def adam_with_global_clipnorm(kit):
    model = classifier_with(lambda h: keras.layers.Dense(C, activation="softmax")(h),
                            "sparse_categorical_crossentropy",
                            keras.optimizers.Adam(0.01, global_clipnorm=0.1))
    return model, [fit_classifier(kit, model)]


@program()
def adam_with_clipvalue(kit):
    model = classifier_with(lambda h: keras.layers.Dense(C, activation="softmax")(h),
                            "sparse_categorical_crossentropy",
                            keras.optimizers.Adam(0.01, clipvalue=0.01))
    return model, [fit_classifier(kit, model)]


@program()
def optimizer_ema(kit):
    model = classifier_with(lambda h: keras.layers.Dense(C, activation="softmax")(h),
                            "sparse_categorical_crossentropy",
                            keras.optimizers.Adam(0.01, use_ema=True, ema_momentum=0.9))
    return model, [fit_classifier(kit, model)]


@program()
def optimizer_gradient_accumulation(kit):
    model = classifier_with(lambda h: keras.layers.Dense(C, activation="softmax")(h),
                            "sparse_categorical_crossentropy",
                            keras.optimizers.Adam(0.01, gradient_accumulation_steps=2))
    return model, [fit_classifier(kit, model, epochs=8)]


@program()
def sgd_nesterov_with_exponential_decay(kit):
    rate = keras.optimizers.schedules.ExponentialDecay(0.1, 20, 0.8)
    model = classifier_with(lambda h: keras.layers.Dense(C, activation="softmax")(h),
                            "sparse_categorical_crossentropy",
                            keras.optimizers.SGD(rate, momentum=0.9, nesterov=True))
    h = model.fit(XT, YT, epochs=6, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss", plateau=False))
    return model, [h]


@program()
def huber_regression(kit):
    y = (X[:, :1] * 2 - X[:, 1:2] + 0.1 * X[:, 2:3] ** 2).astype("float32")
    model = keras.Sequential([keras.Input((F,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.01), keras.losses.Huber(), metrics=["mae"])
    h = model.fit(XT, y[:240], epochs=8, batch_size=B, validation_data=(XV, y[240:]),
                  verbose=0, callbacks=kit.callbacks((XV, y[240:]), "val_loss"))
    return model, [h]


@program()
def l2_regularized_kernels(kit):
    reg = keras.regularizers.l2(1e-3)
    inputs = keras.Input((F,))
    h = keras.layers.Dense(32, activation="relu", kernel_regularizer=reg)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(C, activation="softmax",
                                                   kernel_regularizer=reg)(h))
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model, [fit_classifier(kit, model)]


@program()
def augmentation_layers_inside_the_model(kit):
    inputs = keras.Input((F,))
    noisy = keras.layers.GaussianNoise(0.1)(inputs)
    noisy = keras.layers.GaussianDropout(0.1)(noisy)
    h = keras.layers.Dense(32, activation="relu")(noisy)
    model = keras.Model(inputs, keras.layers.Dense(C, activation="softmax")(h))
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model, [fit_classifier(kit, model)]


def digits_images():
    from sklearn.datasets import load_digits
    digits = load_digits()
    images = (digits.images[:480, :, :, None] * 16).astype("float32")  # 0..255 like a PNG
    return images, digits.target[:480].astype("int32")


def small_cnn(first):
    model = keras.Sequential([keras.Input((8, 8, 1))] + first + [
        keras.layers.Conv2D(8, 3, activation="relu", padding="same"),
        keras.layers.MaxPooling2D(), keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@program()
def cnn_digits_rescaling_and_random_augmentation(kit):
    images, labels = digits_images()
    model = small_cnn([keras.layers.Rescaling(1 / 255.0),
                       keras.layers.RandomTranslation(0.1, 0.1, seed=3)])
    h = model.fit(images[:360], labels[:360], epochs=8, batch_size=B, verbose=0,
                  validation_data=(images[360:], labels[360:]),
                  callbacks=kit.callbacks((images[360:], labels[360:]), "val_loss"))
    return model, [h]


@program()
def tf_data_shuffled_training_set_as_probe(kit):
    model = dense_classifier()
    train = tf.data.Dataset.from_tensor_slices((XT, YT)).shuffle(240).batch(B)
    h = model.fit(train, epochs=5, verbose=0, validation_data=(XV, YV),
                  callbacks=kit.callbacks(train, "val_loss"))
    return model, [h]


@program()
def tf_data_augmented_training_set_as_probe(kit):
    model = dense_classifier()

    def jitter(x, y):
        return x + tf.random.normal(tf.shape(x), stddev=0.05), y
    train = tf.data.Dataset.from_tensor_slices((XT, YT)).shuffle(240, seed=4).map(jitter).batch(B)
    h = model.fit(train, epochs=5, verbose=0, validation_data=(XV, YV),
                  callbacks=kit.callbacks(train, "val_loss"))
    return model, [h]


@program(known="a generator object is consumed by reading it: the doctor's read takes fit's "
               "first batches (README: give the doctor its own generator)")
def generator_probe_is_the_training_generator(kit):
    model = dense_classifier()
    data = forever(XT, YT)
    h = model.fit(data, steps_per_epoch=len(XT) // B, epochs=5, verbose=0,
                  validation_data=(XV, YV), callbacks=kit.callbacks(data, "val_loss"))
    return model, [h]


@program()
def backup_and_restore_interrupted_then_resumed(kit):
    folder = tempfile.mkdtemp()

    class Crash(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2 and not getattr(self, "done", False):
                self.done = True
                raise RuntimeError("preempted")
    model = dense_classifier()
    backup = keras.callbacks.BackupAndRestore(folder)
    callbacks = kit.callbacks((XV, YV), "val_loss")
    crash = Crash()
    try:
        model.fit(XT, YT, epochs=6, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=[backup, crash] + callbacks)
    except RuntimeError:
        pass
    h = model.fit(XT, YT, epochs=6, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=[backup, crash] + callbacks)
    return model, [h]


@program()
def lstm_sequence_regression_timeseries(kit):
    series = np.sin(np.linspace(0, 60, N + 20)).astype("float32") + \
        0.05 * np.random.default_rng(6).normal(size=N + 20).astype("float32")
    windows = np.stack([series[i:i + 12] for i in range(N)])[..., None]
    target = series[12:N + 12, None]
    model = keras.Sequential([keras.Input((12, 1)), keras.layers.LSTM(16),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    h = model.fit(windows[:240], target[:240], epochs=8, batch_size=B, verbose=0,
                  validation_data=(windows[240:], target[240:]),
                  callbacks=kit.callbacks((windows[240:], target[240:]), "val_loss"))
    return model, [h]


@program(expect={"wrong_loss", "dead_units", "loss_not_decreasing", "nan_loss"})
def relu_output_with_crossentropy(kit):
    model = classifier_with(lambda h: keras.layers.Dense(C, activation="relu")(h),
                            "sparse_categorical_crossentropy")
    return model, [fit_classifier(kit, model)]


@program(expect={"loss_not_decreasing", "underfitting"})
def sgd_learning_rate_far_too_low(kit):
    model = classifier_with(lambda h: keras.layers.Dense(C, activation="softmax")(h),
                            "sparse_categorical_crossentropy", keras.optimizers.SGD(1e-5))
    return model, [fit_classifier(kit, model)]


@program(expect={"overfitting"})
def big_model_few_examples_overfits(kit):
    inputs = keras.Input((F,))
    h = keras.layers.Dense(256, activation="relu")(inputs)
    h = keras.layers.Dense(256, activation="relu")(h)
    model = keras.Model(inputs, keras.layers.Dense(C, activation="softmax")(h))
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    noisy = Y.copy()
    flip = np.random.default_rng(5).random(N) < 0.3
    noisy[flip] = (noisy[flip] + 1) % C
    h = model.fit(X[:48], noisy[:48], epochs=60, batch_size=16, verbose=0,
                  validation_data=(X[240:], Y[240:]),
                  callbacks=kit.callbacks((X[240:], Y[240:]), "val_loss"))
    return model, [h]


class Augmented(keras.utils.PyDataset):
    """Augments with NumPy's global generator, as many users' __getitem__ do."""

    def __init__(self, x, y, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x) // B

    def __getitem__(self, i):
        x = self.x[i * B:(i + 1) * B]
        return x + np.random.normal(scale=0.05, size=x.shape).astype("float32"), \
            self.y[i * B:(i + 1) * B]


@program()
def pydataset_augmenting_with_np_random_as_probe(kit):
    model = dense_classifier()
    data = Augmented(XT, YT)
    h = model.fit(data, epochs=5, verbose=0, validation_data=(XV, YV),
                  callbacks=kit.callbacks(data, "val_loss"))
    return model, [h]


@program()
def tf_data_shuffled_then_repeated_as_probe(kit):
    model = dense_classifier()
    train = tf.data.Dataset.from_tensor_slices((XT, YT)).shuffle(240).repeat().batch(B)
    h = model.fit(train, steps_per_epoch=7, epochs=5, verbose=0, validation_data=(XV, YV),
                  callbacks=kit.callbacks(train, "val_loss"))
    return model, [h]


# ------------------------------------------------------------------ round 4c: pipelines the
# probe reads, unusual heads and labels
BIG_X = np.random.default_rng(11).normal(size=(640, F)).astype("float32")
BIG_Y = np.argmax(BIG_X @ W, axis=1).astype("int32")


@program()
def tf_data_cached_to_a_file_as_probe(kit):
    path = os.path.join(tempfile.mkdtemp(), "cache")
    model = dense_classifier()
    train = tf.data.Dataset.from_tensor_slices((BIG_X, BIG_Y)).cache(path).batch(B)
    h = model.fit(train, epochs=3, verbose=0, validation_data=(XV, YV),
                  callbacks=kit.callbacks(train, "val_loss"))
    return model, [h]


@program()
def tf_data_cached_in_memory_then_shuffled_as_probe(kit):
    model = dense_classifier()
    train = tf.data.Dataset.from_tensor_slices((BIG_X, BIG_Y)).cache().shuffle(640).batch(B)
    h = model.fit(train, epochs=3, verbose=0, validation_data=(XV, YV),
                  callbacks=kit.callbacks(train, "val_loss"))
    return model, [h]


@program()
def tf_data_from_generator_shuffled_as_probe(kit):
    def examples():
        for x, y in zip(XT, YT):
            yield x, y
    train = tf.data.Dataset.from_generator(examples, output_signature=(
        tf.TensorSpec((F,), tf.float32), tf.TensorSpec((), tf.int32))).shuffle(64).batch(B)
    model = dense_classifier()
    h = model.fit(train, epochs=4, verbose=0, validation_data=(XV, YV),
                  callbacks=kit.callbacks(train, "val_loss"))
    return model, [h]


@program()
def tf_data_class_balanced_sampling(kit):
    parts = [tf.data.Dataset.from_tensor_slices((XT[YT == c], YT[YT == c])).repeat()
             for c in range(C)]
    train = tf.data.Dataset.sample_from_datasets(parts, weights=[1 / C] * C).batch(B)
    model = dense_classifier()
    h = model.fit(train, steps_per_epoch=8, epochs=4, verbose=0, validation_data=(XV, YV),
                  callbacks=kit.callbacks(train, "val_loss"))
    return model, [h]


@program()
def lambda_softmax_output(kit):
    model = classifier_with(lambda h: keras.layers.Lambda(lambda z: tf.nn.softmax(z))(
        keras.layers.Dense(C)(h)), "sparse_categorical_crossentropy")
    return model, [fit_classifier(kit, model)]


@program()
def boolean_labels_binary(kit):
    y = (X[:, 0] - X[:, 2] > 0)
    model = classifier_with(lambda h: keras.layers.Dense(1, activation="sigmoid")(h),
                            "binary_crossentropy")
    return model, [fit_classifier(kit, model, y)]


@program(expect={"nan_loss", "data_problem"})
def a_few_nan_inputs(kit):
    x = XT.copy()
    x[[5, 77, 150], 3] = np.nan
    model = dense_classifier()
    h = model.fit(x, YT, epochs=3, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss", reference_data=(x, YT)))
    return model, [h]


@program()
def sigmoid_regression_on_unit_targets(kit):
    y = (1 / (1 + np.exp(-(X[:, :1] - X[:, 1:2])))).astype("float32")
    model = keras.Sequential([keras.Input((F,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    h = model.fit(XT, y[:240], epochs=8, batch_size=B, validation_data=(XV, y[240:]),
                  verbose=0, callbacks=kit.callbacks((XV, y[240:]), "val_loss"))
    return model, [h]


@program()
def relu_output_regression_of_positive_prices(kit):
    y = (np.abs(X[:, :1] * 2 + X[:, 1:2]) + 0.5).astype("float32")
    model = keras.Sequential([keras.Input((F,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(1, activation="relu")])
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    h = model.fit(XT, y[:240], epochs=10, batch_size=B, validation_data=(XV, y[240:]),
                  verbose=0, callbacks=kit.callbacks((XV, y[240:]), "val_loss"))
    return model, [h]


@program()
def poisson_counts_exponential_output(kit):
    rate = np.exp(0.5 * X[:, :1] - 0.3 * X[:, 1:2])
    y = np.random.default_rng(12).poisson(rate).astype("float32")
    model = keras.Sequential([keras.Input((F,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="exponential")])
    model.compile(keras.optimizers.Adam(0.01), "poisson")
    h = model.fit(XT, y[:240], epochs=8, batch_size=B, validation_data=(XV, y[240:]),
                  verbose=0, callbacks=kit.callbacks((XV, y[240:]), "val_loss"))
    return model, [h]


@program()
def hinge_loss_tanh_output_labels_minus_one_one(kit):
    y = np.where(X[:, 0] + X[:, 1] > 0, 1.0, -1.0).astype("float32")[:, None]
    model = keras.Sequential([keras.Input((F,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="tanh")])
    model.compile(keras.optimizers.Adam(0.01), "hinge")
    h = model.fit(XT, y[:240], epochs=6, batch_size=B, validation_data=(XV, y[240:]),
                  verbose=0, callbacks=kit.callbacks((XV, y[240:]), "val_loss"))
    return model, [h]


@program()
def digits_autoencoder_sigmoid_binary_crossentropy(kit):
    from sklearn.datasets import load_digits
    images = (load_digits().data[:400] / 16.0).astype("float32")
    inputs = keras.Input((64,))
    code = keras.layers.Dense(16, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(64, activation="sigmoid")(code))
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy")
    h = model.fit(images[:320], images[:320], epochs=10, batch_size=B, verbose=0,
                  validation_data=(images[320:], images[320:]),
                  callbacks=kit.callbacks((images[320:], images[320:]), "val_loss"))
    return model, [h]


@program()
def masked_padded_tokens_lstm(kit):
    rng = np.random.default_rng(13)
    lengths = rng.integers(3, 11, N)
    tokens = np.zeros((N, 10), "int32")
    for i, n in enumerate(lengths):
        tokens[i, :n] = rng.integers(1, 30, n)
    y = (np.isin(tokens, np.arange(1, 6)).sum(1) > 0).astype("int32")
    model = keras.Sequential([keras.Input((10,), dtype="int32"),
                              keras.layers.Embedding(30, 8, mask_zero=True),
                              keras.layers.LSTM(8), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.02), "binary_crossentropy", metrics=["accuracy"])
    h = model.fit(tokens[:240], y[:240], epochs=8, batch_size=B, verbose=0,
                  validation_data=(tokens[240:], y[240:]),
                  callbacks=kit.callbacks((tokens[240:], y[240:]), "val_loss"))
    return model, [h]


@program(expect={"nan_loss", "diverging", "exploding_gradients"})
def terminate_on_nan_with_the_doctor(kit):
    model = dense_classifier(optimizer=keras.optimizers.SGD(1e4))
    h = model.fit(XT, YT, epochs=5, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=[keras.callbacks.TerminateOnNaN()] + kit.callbacks((XV, YV)))
    return model, [h]


@program()
def custom_schedule_class_warmup(kit):
    class Warmup(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            step = keras.ops.cast(step, "float32")
            return 0.01 * keras.ops.minimum(1.0, (step + 1) / 10.0)

    model = dense_classifier(optimizer=keras.optimizers.Adam(Warmup()))
    h = model.fit(XT, YT, epochs=5, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss", plateau=False))
    return model, [h]


@program()
def batchnorm_trained_from_scratch(kit):
    model = keras.Sequential([keras.Input((F,)), keras.layers.Dense(32, use_bias=False),
                              keras.layers.BatchNormalization(), keras.layers.Activation("relu"),
                              keras.layers.Dense(C, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model, [fit_classifier(kit, model)]


@program(expect={"nan_loss", "data_problem"})
def a_few_nan_inputs_clean_validation_probe(kit):
    x = XT.copy()
    x[[5, 77, 150], 3] = np.nan
    model = dense_classifier()
    h = model.fit(x, YT, epochs=3, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


class AugmentedTF(keras.utils.PyDataset):
    """Augments with TensorFlow's seedless random ops (eager)."""

    def __init__(self, x, y, draw, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.draw = x, y, draw

    def __len__(self):
        return len(self.x) // B

    def __getitem__(self, i):
        x = self.x[i * B:(i + 1) * B]
        return x + 0.05 * np.asarray(self.draw(x.shape)), self.y[i * B:(i + 1) * B]


@program()
def pydataset_augmenting_with_tf_random_as_probe(kit):
    model = dense_classifier()
    data = AugmentedTF(XT, YT, lambda shape: tf.random.normal(shape))
    h = model.fit(data, epochs=4, verbose=0, validation_data=(XV, YV),
                  callbacks=kit.callbacks(data, "val_loss"))
    return model, [h]


@program()
def pydataset_augmenting_with_keras_random_as_probe(kit):
    model = dense_classifier()
    data = AugmentedTF(XT, YT, lambda shape: keras.random.normal(shape))
    h = model.fit(data, epochs=4, verbose=0, validation_data=(XV, YV),
                  callbacks=kit.callbacks(data, "val_loss"))
    return model, [h]


# ------------------------------------------------------------------ round 4d: the bugs inside
# the calling patterns above
@program(expect={"nan_loss", "diverging", "exploding_gradients", "unstable"})
def fit_in_a_loop_lr_far_too_high(kit):
    model = dense_classifier(optimizer=keras.optimizers.SGD(300.0))
    callbacks = kit.callbacks((XV, YV), "val_loss")
    histories = [model.fit(XT, YT, epochs=1, batch_size=B, verbose=0,
                           validation_data=(XV, YV), callbacks=callbacks) for _ in range(3)]
    return model, histories


@program(expect={"wrong_loss"}, known="Keras 3 trains a sigmoid output under sparse categorical "
                                      "crossentropy on its cached logits: the same History as "
                                      "softmax to 3 digits; only predict()'s rows do not sum "
                                      "to 1, not a training fault; left")
def resumed_by_hand_sigmoid_under_softmax_crossentropy(kit):
    first = dense_classifier(activation="sigmoid")
    h1 = first.fit(XT, YT, epochs=2, batch_size=B, verbose=0)
    path = tempfile.mktemp(suffix=".weights.h5")
    first.save_weights(path)
    model = dense_classifier(activation="sigmoid")
    model.load_weights(path)
    h2 = model.fit(XT, YT, initial_epoch=2, epochs=5, batch_size=B, verbose=0,
                   validation_data=(XV, YV), callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h1, h2]


@program(expect={"data_problem", "diverging", "unstable", "loss_not_decreasing",
                 "exploding_gradients", "underfitting"})
def jit_compile_unscaled_inputs(kit):
    raw = X * np.array([1000, 0.01, 50, 1, 3, 200, 7, 1], "float32") + 100
    model = dense_classifier(jit_compile=True)
    h = model.fit(raw[:240], YT, epochs=5, batch_size=B, validation_data=(raw[240:], YV),
                  verbose=0, callbacks=kit.callbacks((raw[240:], YV), "val_loss"))
    return model, [h]


@program(expect={"nan_loss", "diverging", "exploding_gradients", "unstable"})
def steps_per_execution_lr_far_too_high(kit):
    model = dense_classifier(optimizer=keras.optimizers.SGD(300.0), steps_per_execution=4)
    h = model.fit(XT, YT, epochs=4, batch_size=B, validation_data=(XV, YV), verbose=0,
                  callbacks=kit.callbacks((XV, YV), "val_loss"))
    return model, [h]


@program(expect={"overfitting"})
def validation_freq_2_overfitting(kit):
    inputs = keras.Input((F,))
    h = keras.layers.Dense(256, activation="relu")(inputs)
    h = keras.layers.Dense(256, activation="relu")(h)
    model = keras.Model(inputs, keras.layers.Dense(C, activation="softmax")(h))
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    noisy = Y.copy()
    flip = np.random.default_rng(5).random(N) < 0.3
    noisy[flip] = (noisy[flip] + 1) % C
    h = model.fit(X[:48], noisy[:48], epochs=60, batch_size=16, verbose=0, validation_freq=2,
                  validation_data=(X[240:], Y[240:]),
                  callbacks=kit.callbacks((X[240:], Y[240:]), "val_loss"))
    return model, [h]


# ------------------------------------------------------------------ the check
def run(fn, ours):
    keras.utils.set_random_seed(0)
    kit = Kit(ours)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, histories = fn(kit)
    return model, histories, kit


def check(name, fn, expect):
    failures, start = [], time.time()
    try:
        plain, plain_histories, _ = run(fn, False)
    except Exception as e:  # noqa: BLE001
        return {"name": name, "failures": [f"plain raised {type(e).__name__}: {e}"[:300]]}
    try:
        model, histories, kit = run(fn, True)
    except Exception as e:  # noqa: BLE001
        return {"name": name, "failures": [f"raised {type(e).__name__}: {e}"[:400]]}
    for a, b in zip(plain_histories, histories):
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
    named = {f.symptom for doctor in kit.doctors for f in doctor.findings}
    quiet_ones = {e.rstrip("?") for e in expect or () if e.endswith("?")}
    serious_ones = {e for e in expect or () if not e.endswith("?")}
    if not serious_ones and found:
        failures.append(f"alarm on a healthy program: {sorted(found)}")
    if serious_ones and not found & serious_ones:
        failures.append(f"bug not named: found {sorted(found)}")
    if quiet_ones and not named & quiet_ones:
        failures.append(f"{sorted(quiet_ones)} not named: found {sorted(named)}")
    return {"name": name, "failures": failures, "found": sorted(found),
            "findings": [(f.symptom, f.severity) for d in kit.doctors for f in d.findings],
            "seconds": round(time.time() - start, 1)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="comma-separated substrings of names")
    args = parser.parse_args()
    names = [n for n in PROGRAMS if any(part in n for part in args.only.split(","))]
    failed = known_failures = 0
    for name in names:
        fn, expect, known = PROGRAMS[name]
        result = check(name, fn, expect)
        failed += bool(result["failures"]) and not known
        known_failures += bool(result["failures"]) and bool(known)
        status = ("KNOWN" if known else "FAIL") if result["failures"] else "ok"
        print(f"{status:4} {name} ({result.get('seconds')} s) {result.get('findings')}",
              flush=True)
        for failure in result["failures"]:
            print(f"       {failure[:300]}", flush=True)
        if known and result["failures"]:
            print(f"       left: {known}", flush=True)
    print(f"{len(names)} programs, {failed} failing, {known_failures} known and left")


if __name__ == "__main__":
    main()
