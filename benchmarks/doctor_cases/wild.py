"""Round 3 (h40): programs written the way users write them, along axes the other groups are thin
on - token and series models (Conv1D, LSTM, GRU, Embedding), several regression outputs, heavy
class imbalance with class_weight / sample_weight, strong regularization, augmentation layers,
tiny data, one- and two-epoch runs, large batches, learning-rate schedules and
ReduceLROnPlateau, BatchNorm-heavy nets, frozen layers, tf.data with repeat / steps_per_epoch,
validation_split or no validation at all, a global mixed_float16 policy, multi-label and
ordinal targets, noisy labels and noise-dominated regression - each healthy, and its twin with
ONE bug of the kind users report (labels shuffled apart from the inputs, all labels one class,
a softmax over the wrong axis, a frozen model, dropout 0.99, a learning rate far too small or
decayed per step, sigmoid + MSE on classes, validation data preprocessed or labelled unlike
the training data, ...).

A program is `build(seed, fixed)` -> dict(model (compiled), x, y, x_val, y_val, fit_all: the
program's own `fit` keyword arguments, data and validation included, and optionally `doctor`
(the TrainingDoctor arguments such a user passes: a tf.data probe, the training rows when
there is no validation set), `callbacks`, `task`). The tune / holdout split is the parity of
the name's SHA-1 (field._hash_split), fixed when the group was written; the rules changed with
this group (see DOCTOR.md) were written looking at both halves of it, so its holdout half is
not blind, unlike the other groups'.
"""
import keras
import numpy as np
import tensorflow as tf
from sklearn import datasets
from sklearn.model_selection import train_test_split

from benchmarks.doctor_cases.field import _hash_split


def _std(x, x_val):
    m, s = x.mean(0), x.std(0)
    s[s < 1e-8] = 1
    return ((x - m) / s).astype("float32"), ((x_val - m) / s).astype("float32")


def _digits(seed, images=False):
    x, y = datasets.load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    if images:
        x = x.reshape(-1, 8, 8, 1)
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
    return x, y.astype("int32"), xv, yv.astype("int32")


def _tokens(seed, n=1500, length=30, vocab=60):
    """Token sequences: positive when 'good' tokens (1..8) outnumber 'bad' ones (9..16)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, vocab, size=(n, length))
    good = ((x >= 1) & (x <= 8)).sum(1)
    bad = ((x >= 9) & (x <= 16)).sum(1)
    y = (good > bad).astype("float32")
    return train_test_split(x.astype("int32"), y, test_size=0.25, random_state=seed)


def _series(seed, n=1200, length=20):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, length, 1)).astype("float32")
    return x, rng


def text_conv1d(seed, fixed):
    """Embedding + Conv1D + GlobalMaxPooling1D sentiment-style classifier. Bug: the labels
    were shuffled on their own (np.random.shuffle(y_train)) before fit."""
    x, xv, y, yv = _tokens(seed)
    if not fixed:
        y = np.random.default_rng(seed + 7).permutation(y)
    m = keras.Sequential([keras.Input((30,), dtype="int32"), keras.layers.Embedding(60, 16),
                          keras.layers.Conv1D(32, 3, activation="relu"),
                          keras.layers.GlobalMaxPooling1D(),
                          keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
    m.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=10, batch_size=32))


def lstm_sign(seed, fixed):
    """LSTM: is the sum of a noisy series positive. Bug: Adam(learning_rate=1e-7)."""
    x, rng = _series(seed)
    y = (x.sum(axis=(1, 2)) > 0).astype("int32")
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed)
    m = keras.Sequential([keras.Input((20, 1)), keras.layers.LSTM(16),
                          keras.layers.Dense(2, activation="softmax")])
    m.compile(keras.optimizers.Adam(1e-2 if fixed else 1e-7), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=12, batch_size=32))


def gru_regression(seed, fixed):
    """GRU regression of the mean of the last 5 steps, MAE metric. Bug: model.trainable=False
    set while 'freezing the backbone' (the whole model)."""
    x, rng = _series(seed)
    y = x[:, -5:, 0].mean(1, keepdims=True) * 2
    y = ((y - y.mean()) / y.std()).astype("float32")
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed)
    m = keras.Sequential([keras.Input((20, 1)), keras.layers.GRU(16),
                          keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    if not fixed:
        m.trainable = False
    m.compile(keras.optimizers.Adam(1e-2), "mse", metrics=["mae"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=10, batch_size=32),
                task="regression")


def multi_target_regression(seed, fixed):
    """Three regression targets in one Dense(3) output (make_regression n_targets=3, scaled).
    Bug: Dense(3, activation='sigmoid') left from a classifier template."""
    x, y = datasets.make_regression(800, 12, n_informative=8, n_targets=3, noise=10,
                                    random_state=seed)
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed)
    x, xv = _std(x, xv)
    m, s = y.mean(0), y.std(0)
    y, yv = ((y - m) / s).astype("float32"), ((yv - m) / s).astype("float32")
    model = keras.Sequential([keras.Input((12,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(3, activation=None if fixed else "sigmoid")])
    model.compile("adam", "mse", metrics=["mae"])
    return dict(model=model, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=25, batch_size=32),
                task="regression")


def two_head_regression(seed, fixed):
    """Functional model, two regression heads (dict outputs), Huber and MSE. Bug: the
    second head's targets are not standardized (in the hundreds) and it ends in relu."""
    x, y = datasets.make_friedman1(900, noise=0.5, random_state=seed)
    y2 = 3 * x[:, 0] - 2 * x[:, 1] + x[:, 5] ** 2
    x, xv, y, yv, y2, y2v = train_test_split(x, y, y2, test_size=0.25, random_state=seed)
    x, xv = _std(x, xv)
    sc = lambda a, ref: ((a - ref.mean()) / ref.std()).astype("float32")[:, None]
    t1, t1v = sc(y, y), sc(yv, y)
    t2, t2v = sc(y2, y2), sc(y2v, y2)
    inp = keras.Input((10,))
    h = keras.layers.Dense(64, activation="relu")(inp)
    a = keras.layers.Dense(1, name="a")(h)
    b = keras.layers.Dense(1, name="b", activation=None if fixed else "relu")(h)
    model = keras.Model(inp, {"a": a, "b": b})
    model.compile("adam", {"a": keras.losses.Huber(), "b": "mse"},
                  metrics={"a": ["mae"], "b": ["mae"]})
    yd, ydv = {"a": t1, "b": t2}, {"a": t1v, "b": t2v}
    return dict(model=model, x=x, y=yd, x_val=xv, y_val=ydv,
                fit_all=dict(x=x, y=yd, validation_data=(xv, ydv), epochs=25, batch_size=32),
                task="regression")


def imbalanced_class_weight(seed, fixed):
    """95/5 binary problem trained with class_weight. Bug: y = (y_raw == 'yes') on an
    encoding where nothing matches: every label 0 (and class_weight then dropped)."""
    x, y = datasets.make_classification(2000, 20, n_informative=6, weights=[0.95],
                                        flip_y=0.0, random_state=seed)
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
    x, xv = _std(x, xv)
    y, yv = y.astype("float32"), yv.astype("float32")
    if not fixed:
        y, yv = np.zeros_like(y), np.zeros_like(yv)
    m = keras.Sequential([keras.Input((20,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
    m.compile("adam", "binary_crossentropy", metrics=["accuracy", keras.metrics.AUC(name="auc")])
    cw = {0: 1.0, 1: 19.0}
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=15, batch_size=64,
                         class_weight=cw if fixed else None))


def imbalanced_sample_weight(seed, fixed):
    """4 classes 70/20/7/3 with sample_weight by inverse frequency. Bug: Softmax over the
    batch axis (keras.layers.Softmax(axis=0))."""
    x, y = datasets.make_classification(2000, 16, n_informative=8, n_classes=4,
                                        n_clusters_per_class=1, weights=[0.7, 0.2, 0.07],
                                        flip_y=0.01, random_state=seed)
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
    x, xv = _std(x, xv)
    counts = np.bincount(y, minlength=4)
    sw = (len(y) / (4 * counts))[y].astype("float32")
    m = keras.Sequential([keras.Input((16,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(4),
                          keras.layers.Softmax(axis=-1 if fixed else 0)])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, sample_weight=sw, validation_data=(xv, yv), epochs=15,
                         batch_size=64))


def heavy_regularization(seed, fixed):
    """Digits MLP with Dropout(0.5) and L2(1e-3): the training loss stays high, legitimately.
    Bug: Dropout(0.99) (a keep probability written as a drop rate)."""
    x, y, xv, yv = _digits(seed)
    r = keras.regularizers.L2(1e-3)
    rate = 0.5 if fixed else 0.99
    m = keras.Sequential([keras.Input((64,)), keras.layers.Dense(256, activation="relu",
                                                                 kernel_regularizer=r),
                          keras.layers.Dropout(rate),
                          keras.layers.Dense(128, activation="relu", kernel_regularizer=r),
                          keras.layers.Dropout(rate),
                          keras.layers.Dense(10, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=20, batch_size=32))


def augmented_cnn(seed, fixed):
    """Digits CNN with RandomTranslation/RandomRotation/RandomZoom augmentation layers: the
    training loss sits above the validation loss. Bug: the validation images left at 0..16
    (x_val not divided like x)."""
    x, y, xv, yv = _digits(seed, images=True)
    if not fixed:
        xv = xv * 16.0
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.RandomTranslation(0.1, 0.1),
                          keras.layers.RandomRotation(0.05), keras.layers.RandomZoom(0.1),
                          keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
                          keras.layers.MaxPooling2D(), keras.layers.Conv2D(64, 3, padding="same",
                                                                          activation="relu"),
                          keras.layers.GlobalAveragePooling2D(),
                          keras.layers.Dense(10, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=15, batch_size=32))


def tiny_dataset(seed, fixed):
    """Wine, 100 training rows, a small MLP. Bug: validation labels misaligned with their
    rows (y_val re-sorted after a merge)."""
    x, y = datasets.load_wine(return_X_y=True)
    x, xv, y, yv = train_test_split(x, y, train_size=100, random_state=seed, stratify=y)
    x, xv = _std(x, xv)
    if not fixed:
        yv = np.sort(yv)
    m = keras.Sequential([keras.Input((13,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=60, batch_size=16))


def very_short(seed, fixed):
    """Digits MLP trained for 2 epochs. Bug: SGD(learning_rate=10)."""
    x, y, xv, yv = _digits(seed)
    m = keras.Sequential([keras.Input((64,)), keras.layers.Dense(128, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
    m.compile(keras.optimizers.SGD(0.05 if fixed else 10.0, momentum=0.9),
              "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=2, batch_size=32))


def one_epoch(seed, fixed):
    """Breast cancer logistic-ish MLP, 1 epoch, batch 8. Bug: inputs not standardized."""
    x, y = datasets.load_breast_cancer(return_X_y=True)
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
    if fixed:
        x, xv = _std(x, xv)
    x, xv = x.astype("float32"), xv.astype("float32")
    m = keras.Sequential([keras.Input((30,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
    m.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y.astype("float32"), x_val=xv, y_val=yv.astype("float32"),
                fit_all=dict(x=x, y=y.astype("float32"), validation_data=(xv, yv.astype("float32")),
                         epochs=1, batch_size=8))


def large_batch(seed, fixed):
    """make_classification 4000 rows, batch 1024, Adam 3e-3 (scaled up for the batch).
    Bug: SGD(1e-4) kept from a small-batch recipe."""
    x, y = datasets.make_classification(4000, 20, n_informative=10, n_classes=3,
                                        random_state=seed)
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
    x, xv = _std(x, xv)
    m = keras.Sequential([keras.Input((20,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(3, activation="softmax")])
    m.compile(keras.optimizers.Adam(3e-3) if fixed else keras.optimizers.SGD(1e-4),
              "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=30, batch_size=1024))


def lr_schedule_plateau(seed, fixed):
    """Digits MLP. Healthy: Adam(1e-3) with ReduceLROnPlateau(factor=0.5, patience=2).
    Bug: ExponentialDecay with
    decay_steps=1 (per step, meant per epoch): the rate is ~0 after a few dozen steps."""
    x, y, xv, yv = _digits(seed)
    m = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
    if fixed:
        opt = keras.optimizers.Adam(1e-3)
        cbs = [keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=2, min_lr=1e-5)]
    else:
        opt = keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(
            1e-3, decay_steps=1, decay_rate=0.8))
        cbs = []
    m.compile(opt, "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv, callbacks=cbs,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=15, batch_size=32))


def cosine_schedule(seed, fixed):
    """SGD+momentum with CosineDecay over the run, on make_moons. Bug: CosineDecay with
    decay_steps given in epochs (15) instead of steps: the rate is 0 after step 15."""
    x, y = datasets.make_moons(1200, noise=0.2, random_state=seed)
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
    x, xv = x.astype("float32"), xv.astype("float32")
    steps = 15 * int(np.ceil(len(x) / 32))
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
    m.compile(keras.optimizers.SGD(keras.optimizers.schedules.CosineDecay(
        0.1, steps if fixed else 15), momentum=0.9), "binary_crossentropy",
        metrics=["accuracy"])
    return dict(model=m, x=x, y=y.astype("float32"), x_val=xv, y_val=yv.astype("float32"),
                fit_all=dict(x=x, y=y.astype("float32"), validation_data=(xv, yv.astype("float32")),
                         epochs=15, batch_size=32))


def batchnorm_heavy(seed, fixed):
    """Dense-BN-ReLU x4, batch 16, on digits. Bug: kernel_initializer='zeros' in every Dense."""
    x, y, xv, yv = _digits(seed)
    init = "he_normal" if fixed else "zeros"
    layers = [keras.Input((64,))]
    for _ in range(4):
        layers += [keras.layers.Dense(64, use_bias=False, kernel_initializer=init),
                   keras.layers.BatchNormalization(), keras.layers.Activation("relu")]
    layers += [keras.layers.Dense(10, activation="softmax", kernel_initializer=init)]
    m = keras.Sequential(layers)
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=15, batch_size=16))


def frozen_backbone(seed, fixed):
    """A 'pretrained' feature extractor (pre-fit on the digits) frozen with trainable=False,
    a new head trained. Bug: model.trainable=False on the whole model (the head too)."""
    x, y, xv, yv = _digits(seed, images=True)
    base = keras.Sequential([keras.Input((8, 8, 1)),
                             keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
                             keras.layers.MaxPooling2D(), keras.layers.Flatten(),
                             keras.layers.Dense(32, activation="relu")])
    pre = keras.Sequential([base, keras.layers.Dense(10, activation="softmax")])
    pre.compile("adam", "sparse_categorical_crossentropy")
    pre.fit(x, y, epochs=15, verbose=0)
    base.trainable = False
    inp = keras.Input((8, 8, 1))
    out = keras.layers.Dense(10, activation="softmax")(base(inp, training=False))
    m = keras.Model(inp, out)
    if not fixed:
        m.trainable = False
    m.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=10, batch_size=32))


def tfdata_repeat(seed, fixed):
    """tf.data: from_tensor_slices((x, y)).shuffle().batch().repeat(), steps_per_epoch,
    validation a dataset. Bug: x and y shuffled as separate datasets then zipped."""
    x, y, xv, yv = _digits(seed)
    if fixed:
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(2000, seed=seed)
    else:
        ds = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(x).shuffle(2000, seed=seed),
                                  tf.data.Dataset.from_tensor_slices(y).shuffle(2000,
                                                                                seed=seed + 1)))
    ds = ds.batch(32).repeat()
    vds = tf.data.Dataset.from_tensor_slices((xv, yv)).batch(64)
    m = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                doctor=dict(probe_data=vds, reference_data=ds.take(32)),
                fit_all=dict(x=ds, steps_per_epoch=40, validation_data=vds, epochs=12))


def validation_split_fit(seed, fixed):
    """fit(validation_split=0.2) on shuffled wine-quality-like data (make_classification).
    Bug: learning rate 1e-6 with Adam: nothing learns in 20 epochs."""
    x, y = datasets.make_classification(1500, 10, n_informative=5, n_classes=3,
                                        random_state=seed)
    x = ((x - x.mean(0)) / x.std(0)).astype("float32")
    m = keras.Sequential([keras.Input((10,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(3, activation="softmax")])
    m.compile(keras.optimizers.Adam(1e-3 if fixed else 1e-6), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
    n = int(len(x) * 0.8)
    return dict(model=m, x=x[:n], y=y[:n], x_val=x[n:], y_val=y[n:],
                fit_all=dict(x=x, y=y, validation_split=0.2, epochs=20, batch_size=32))


def no_validation(seed, fixed):
    """fit with no validation at all, probe on training rows (what such a user has).
    Bug: a sorted label column pasted beside the unsorted rows."""
    x, y, _, _ = _digits(seed)
    if not fixed:
        y = np.sort(y)  # a sorted label column pasted beside unsorted rows
    m = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=x[:256], y_val=y[:256],
                doctor=dict(probe_data=(x[:128], y[:128]), reference_data=(x, y)),
                fit_all=dict(x=x, y=y, epochs=15, batch_size=32))


def mixed_precision(seed, fixed):
    """mixed_float16 set globally; CNN with a float32 softmax, as the guide says.
    Bug: Adam(learning_rate=1.0)."""
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        x, y, xv, yv = _digits(seed, images=True)
        m = keras.Sequential([keras.Input((8, 8, 1)),
                              keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10),
                              keras.layers.Activation("softmax", dtype="float32")])
        m.compile(keras.optimizers.Adam(1e-3 if fixed else 1.0),
                  "sparse_categorical_crossentropy", metrics=["accuracy"])
    finally:
        keras.mixed_precision.set_global_policy("float32")
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=10, batch_size=32))


def multilabel_rare(seed, fixed):
    """Multi-label with 8 labels, several rare; sigmoid + binary cross-entropy, AUC metric.
    Bug: loss='categorical_crossentropy' on those sigmoid outputs."""
    x, y = datasets.make_multilabel_classification(1500, 20, n_classes=8, n_labels=2,
                                                   random_state=seed)
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed)
    x, xv = _std(x, xv)
    y, yv = y.astype("float32"), yv.astype("float32")
    m = keras.Sequential([keras.Input((20,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(8, activation="sigmoid")])
    m.compile("adam", "binary_crossentropy" if fixed else "categorical_crossentropy",
              metrics=[keras.metrics.BinaryAccuracy(name="accuracy"),
                       keras.metrics.AUC(multi_label=True, name="auc")])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=20, batch_size=32))


def ordinal_mae(seed, fixed):
    """Ordinal ratings 0..4 predicted as a number with MAE (a common Kaggle recipe).
    Bug: Dense(1, activation='sigmoid') with MSE on the raw 0..4 ratings."""
    x, y = datasets.make_regression(1200, 10, n_informative=6, noise=20, random_state=seed)
    y = np.digitize(y, np.quantile(y, [0.2, 0.4, 0.6, 0.8])).astype("float32")
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed)
    x, xv = _std(x, xv)
    m = keras.Sequential([keras.Input((10,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(1, activation=None if fixed else "sigmoid")])
    m.compile("adam", "mae" if fixed else "mse", metrics=["mae"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=30, batch_size=32),
                task="regression")


def noisy_regression(seed, fixed):
    """Regression whose noise dominates (R^2 ~0.3): the loss stays high, legitimately.
    Bug: the training targets shuffled apart from the rows."""
    x, y = datasets.make_regression(1000, 8, n_informative=3, noise=150, random_state=seed)
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed)
    x, xv = _std(x, xv)
    m_, s_ = y.mean(), y.std()
    y, yv = ((y - m_) / s_).astype("float32"), ((yv - m_) / s_).astype("float32")
    if not fixed:
        y = np.random.default_rng(seed).permutation(y)
    m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(1)])
    m.compile("adam", keras.losses.Huber(), metrics=["mae"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=20, batch_size=32),
                task="regression")


def noisy_labels_cls(seed, fixed):
    """3-class blobs with 30% of labels flipped at random (train and validation alike): the
    loss stays near 0.9, at the data's ceiling. Bug: sigmoid output with MSE on one-hot
    (sigmoid+MSE on multiclass)."""
    x, y = datasets.make_blobs(1500, centers=3, n_features=6, cluster_std=1.5,
                               random_state=seed)
    rng = np.random.default_rng(seed)
    flip = rng.random(len(y)) < 0.3
    y[flip] = rng.integers(0, 3, flip.sum())
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed)
    x, xv = _std(x, xv)
    yo, yvo = np.eye(3, dtype="float32")[y], np.eye(3, dtype="float32")[yv]
    m = keras.Sequential([keras.Input((6,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(3, activation="softmax" if fixed else "sigmoid")])
    m.compile(keras.optimizers.SGD(0.05),
              "categorical_crossentropy" if fixed else "mse", metrics=["accuracy"])
    return dict(model=m, x=x, y=yo, x_val=xv, y_val=yvo,
                fit_all=dict(x=x, y=yo, validation_data=(xv, yvo), epochs=20, batch_size=32))


def embedding_lstm_text(seed, fixed):
    """Embedding(mask_zero) + LSTM on padded token sequences, 2 epochs, 3 classes.
    Bug: the labels shifted by one row (np.roll) apart from the sequences."""
    rng = np.random.default_rng(seed)
    n, length = 2400, 25
    lengths = rng.integers(5, length, n)
    x = rng.integers(1, 40, size=(n, length))
    x[np.arange(length)[None, :] >= lengths[:, None]] = 0
    y = np.select([(x == 3).sum(1) > (x == 4).sum(1), (x == 3).sum(1) < (x == 4).sum(1)], [0, 1], 2)
    x, xv, y, yv = train_test_split(x.astype("int32"), y.astype("int32"), test_size=0.25,
                                    random_state=seed)
    if not fixed:
        y = np.roll(y, 1)
    m = keras.Sequential([keras.Input((length,), dtype="int32"),
                          keras.layers.Embedding(40, 16, mask_zero=True),
                          keras.layers.LSTM(32), keras.layers.Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=m, x=x, y=y, x_val=xv, y_val=yv,
                fit_all=dict(x=x, y=y, validation_data=(xv, yv), epochs=3, batch_size=32))


OURS = "ours (round 3: users' programs)"
NAN_OR_DIVERGING = ["nan_loss", "diverging", "exploding_gradients", "unstable", "dead_units",
                    "loss_not_decreasing"]


def _pair(name, build, fault, fix, expected, acceptable, truth, fixed_truth):
    common = dict(source=OURS, fault=fault, fix=fix, port="", split=_hash_split(name),
                  program=build)
    return [dict(name=name, fixed=False, expected=list(expected), acceptable=list(acceptable),
                 truth=truth, **common),
            dict(name=name + "__fixed", fixed=True, expected=[], truth=fixed_truth, **common)]


def _acc(at_most, at_least, metric=None):
    """Ground truth of a classifier pair: the bug's validation metric stays at or below
    `at_most`, the fix's reaches `at_least`."""
    extra = {"metric": metric} if metric else {}
    return dict(val_metric_at_most=at_most, **extra), dict(val_metric_at_least=at_least, **extra)


def _loss(at_least, at_most):
    """... of a regression pair: the bug's best validation loss stays at or above `at_least`,
    the fix's reaches `at_most`."""
    return dict(val_loss_at_least=at_least), dict(val_loss_at_most=at_most)


SLOW = ["loss_not_decreasing"]
CASES = (
    _pair("wild_text_conv1d_shuffled_labels", text_conv1d, "training labels shuffled apart "
          "from the token sequences", "labels kept with their rows",
          ["data_problem"], ["loss_not_decreasing"], *_acc(0.6, 0.7))
    + _pair("wild_lstm_lr_1e7", lstm_sign, "Adam(learning_rate=1e-7)", "1e-2", SLOW,
            ["underfitting"], *_acc(0.6, 0.85))
    + _pair("wild_gru_regression_frozen_model", gru_regression, "model.trainable = False on "
            "the whole model", "trainable", SLOW, [], *_loss(0.8, 0.2))
    + _pair("wild_three_targets_sigmoid_output", multi_target_regression, "Dense(3, sigmoid) "
            "for three standardized regression targets", "linear output", ["wrong_loss"], [],
            *_loss(0.3, 0.1))
    + _pair("wild_two_heads_relu_regression", two_head_regression, "second regression head "
            "ends in relu (standardized targets, half negative)", "linear head",
            ["wrong_loss"], [], *_loss(0.3, 0.2))
    + _pair("wild_imbalanced_all_labels_zero", imbalanced_class_weight, "every label 0 (a "
            "comparison that never matches), class_weight dropped", "95/5 labels with "
            "class_weight", ["data_problem"], [], {}, dict(metric="auc",
                                                           val_metric_at_least=0.85))
    + _pair("wild_sample_weight_softmax_axis0", imbalanced_sample_weight, "Softmax(axis=0): "
            "over the batch", "Softmax() over the classes", ["wrong_loss"],
            ["underfitting", "loss_not_decreasing"], *_acc(0.65, 0.7))
    + _pair("wild_dropout_099", heavy_regularization, "Dropout(0.99) with L2", "Dropout(0.5)",
            ["underfitting", "loss_not_decreasing"], ["dead_units"], *_acc(0.3, 0.93))
    + _pair("wild_augmented_cnn_val_unscaled", augmented_cnn, "validation images not "
            "rescaled like the training images", "the same scaling", ["data_problem"],
            ["overfitting"], *_acc(0.8, 0.8))
    + _pair("wild_tiny_val_labels_sorted", tiny_dataset, "validation labels sorted apart "
            "from their rows (100 training rows)", "labels kept with their rows",
            ["data_problem"], ["overfitting"], *_acc(0.6, 0.9))
    + _pair("wild_two_epochs_sgd_lr_10", very_short, "SGD(10, momentum 0.9), 2 epochs",
            "SGD(0.05)", NAN_OR_DIVERGING, [], *_acc(0.3, 0.9))
    + _pair("wild_one_epoch_unscaled", one_epoch, "breast-cancer features unscaled, 1 epoch of "
            "batch 8", "standardized", ["data_problem"], ["exploding_gradients", "unstable",
                                                          "diverging"],
            dict(val_loss_at_least=0.45), dict(val_metric_at_least=0.8))
    + _pair("wild_large_batch_sgd_1e4", large_batch, "batch 1024 with SGD(1e-4)",
            "Adam(3e-3)", SLOW, ["underfitting"], *_acc(0.6, 0.85))
    + _pair("wild_exponential_decay_per_step", lr_schedule_plateau, "ExponentialDecay("
            "decay_steps=1, 0.8): the rate is ~0 after a few dozen steps", "Adam(1e-3) with "
            "ReduceLROnPlateau", SLOW, ["underfitting"], *_acc(0.3, 0.93))
    + _pair("wild_cosine_decay_steps_as_epochs", cosine_schedule, "CosineDecay over 15 steps "
            "(the epochs) instead of 15 epochs of steps", "decay over the run's steps",
            ["underfitting", "loss_not_decreasing"], [], *_acc(0.92, 0.95))
    + _pair("wild_batchnorm_zero_init", batchnorm_heavy, "kernel_initializer='zeros' in a "
            "Dense-BN-ReLU stack", "he_normal", ["vanishing_gradients", "dead_units",
                                                 "loss_not_decreasing"], ["underfitting"],
            *_acc(0.3, 0.93))
    + _pair("wild_frozen_backbone_and_head", frozen_backbone, "the whole model frozen "
            "(trainable=False on the model, not the base)", "only the base frozen", SLOW, [],
            *_acc(0.3, 0.85))
    + _pair("wild_tfdata_zip_separately_shuffled", tfdata_repeat, "x and y shuffled as two "
            "datasets, then zipped", "one dataset of (x, y) shuffled", ["data_problem"],
            ["loss_not_decreasing"], *_acc(0.3, 0.9))
    + _pair("wild_validation_split_adam_1e6", validation_split_fit, "Adam(1e-6)",
            "Adam(1e-3)", SLOW, ["underfitting"], *_acc(0.5, 0.78))
    + _pair("wild_no_validation_sorted_labels", no_validation, "a sorted label column beside "
            "unsorted rows (no validation set)", "labels kept with their rows",
            ["data_problem"], ["loss_not_decreasing", "underfitting"],
            dict(train_metric_at_most=0.5), dict(train_metric_at_least=0.9))
    + _pair("wild_mixed_float16_adam_lr_1", mixed_precision, "Adam(1.0) under mixed_float16",
            "Adam(1e-3)", NAN_OR_DIVERGING, [], *_acc(0.3, 0.93))
    + _pair("wild_multilabel_categorical_ce", multilabel_rare, "categorical_crossentropy on "
            "8 sigmoid multi-label outputs", "binary_crossentropy", ["wrong_loss"],
            ["diverging", "unstable"], *_acc(0.75, 0.8, metric="auc"))
    + _pair("wild_ordinal_sigmoid_mse", ordinal_mae, "Dense(1, sigmoid) + MSE on ratings "
            "0..4", "linear output + MAE", ["wrong_loss"], ["data_problem"], *_loss(1.5, 0.6))
    + _pair("wild_noisy_regression_shuffled_targets", noisy_regression, "targets shuffled "
            "apart from the rows (Huber loss, noise-dominated target)", "targets kept with "
            "their rows", ["data_problem"], [], *_loss(0.37, 0.36))
    + _pair("wild_noisy_labels_sigmoid_mse", noisy_labels_cls, "sigmoid outputs + MSE on "
            "one-hot classes (30% label noise)", "softmax + categorical cross-entropy",
            ["wrong_loss"], [], *_acc(0.7, 0.7))
    + _pair("wild_embedding_lstm_labels_shifted", embedding_lstm_text, "labels shifted by one "
            "row (np.roll), 3 epochs", "labels kept with their rows",
            ["data_problem"], ["loss_not_decreasing"], *_acc(0.6, 0.8)))
