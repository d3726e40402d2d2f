"""Real faulty Keras/TensorFlow programs from public fault collections, each with its documented
fix as a healthy twin, ported to Keras 3 on data available offline.

Sources (never the Stack Overflow programs of the DeepLocalize benchmark, held out):
- defect4ML (Morovati et al., "Bugs in machine learning-based systems: a faultload benchmark",
  EMSE 2023, github.com/mohmehmo/defects4ml): its GitHub-sourced bugs, read at the fixing commit;
- AUTOTRAINER (Zhang et al., ICSE'21, github.com/shiningrain/AUTOTRAINER): its demo cases;
- keras-team/keras GitHub issue threads where the fix is stated in the thread.

A program is `build(seed, fixed)` -> dict(model (compiled), x, y, x_val, y_val, fit (kwargs)),
close to the original: same architecture, loss, optimizer and hyper-parameters, with the data
replaced by a scikit-learn set of the same kind (MNIST/CIFAR -> the 8x8 digits; generated data
stays generated) and epochs cut where the original trains for hundreds (noted per program). What
was changed is said in `port`. `fault` and `fix` describe the original commit / thread.
"""

import hashlib

import keras
import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split

D4ML = "defect4ML (github.com/mohmehmo/defects4ml)"
AT = "AUTOTRAINER demo cases (github.com/shiningrain/AUTOTRAINER)"
AT_SCALE = ("the inputs at their generated scale, as the demo trains on them (an earlier port kept "
            "the loader's x100)")
KI = "keras-team/keras issue thread"
GH = "GitHub issue thread"


def _digits(seed, scale=16.0, onehot=False, images=False, test=0.25):
    x, y = datasets.load_digits(return_X_y=True)
    x = (x / scale).astype("float32")
    if images:
        x = x.reshape(-1, 8, 8, 1)
    x, x_val, y, y_val = train_test_split(x, y, test_size=test, random_state=seed, stratify=y)
    if onehot:
        y, y_val = np.eye(10)[y], np.eye(10)[y_val]
    return x, y.astype("float32" if onehot else "int32"), x_val, \
        y_val.astype("float32" if onehot else "int32")


def _split(x, y, seed, test=0.25, stratify=True):
    return train_test_split(x, y, test_size=test, random_state=seed,
                            stratify=y if stratify else None)


def _sequential(layers):
    return keras.Sequential(layers)


# --------------------------------------------------------------------------- defect4ML
def tf_models_manual_cross_entropy(seed, fixed):
    """tensorflow/models d816971 (defect4ML bug 001): the MNIST softmax-regression tutorial with
    cross_entropy = -reduce_sum(y * log(y_pred)), SGD 0.5, batches of 100: log(0) makes the loss
    NaN after some steps. Fix: the built-in softmax cross-entropy."""
    x, y, x_val, y_val = _digits(seed, onehot=True)
    model = _sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])

    def manual_cross_entropy(y_true, y_pred):
        return -keras.ops.sum(y_true * keras.ops.log(y_pred))  # summed over the batch, as there
    model.compile(keras.optimizers.SGD(0.5),
                  "categorical_crossentropy" if fixed else manual_cross_entropy,
                  metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=5, batch_size=100))


def dltf_missing_softmax(seed, fixed):
    """gabrieleangeletti/Deep-Learning-TensorFlow 1bcc1ef (defect4ML bug 005, the repository's
    issue #5): the fine-tuning layer of the DBN / stacked denoising autoencoder is
    matmul(last_layer, W) + b with no tf.nn.softmax, while the cost expects probabilities:
    accuracy stays near 10%. Fix: tf.nn.softmax on that layer."""
    x, y, x_val, y_val = _digits(seed, onehot=True)
    model = _sequential([keras.Input((64,)), keras.layers.Dense(128, activation="sigmoid"),
                         keras.layers.Dense(64, activation="sigmoid"),
                         keras.layers.Dense(10, activation="softmax" if fixed else None)])
    model.compile(keras.optimizers.SGD(0.1), "categorical_crossentropy", metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=15, batch_size=10))


def nikhil_adam_learning_rate_100(seed, fixed):
    """NikhilM98/learning-deeplearning eb24906 (defect4ML bug 038): ages 13-100 (MinMax-scaled)
    -> side effects, Dense 16-32-2 softmax, compiled with Adam(lr=100). Fix: Adam(lr=0.0001)."""
    rng = np.random.default_rng(seed)
    young, old = rng.integers(13, 65, 1050), rng.integers(65, 101, 1050)
    ages = np.concatenate([young, old]).astype("float32")
    # 95% of the young have no side effect, 95% of the old have one (the program's data)
    labels = np.concatenate([(rng.random(1050) < 0.05), (rng.random(1050) < 0.95)]).astype(
        "int32")
    scaled = ((ages - 13) / 87)[:, None]
    x, x_val, y, y_val = _split(scaled, labels, seed, test=0.1)
    model = _sequential([keras.Input((1,)), keras.layers.Dense(16, activation="relu"),
                         keras.layers.Dense(32, activation="relu"),
                         keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.Adam(1e-4 if fixed else 100.0),
                  "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=20 if fixed else 10, batch_size=10))


def facial_keypoints_adam_learning_rate(seed, fixed):
    """ShyamPoovaiah/FacialKeypointsDetection 6543925 (defect4ML bug 024): one hidden layer
    regressing 30 keypoint coordinates (scaled to [-1, 1]) with MSE and Adam(lr=0.1). Fix:
    SGD(lr=0.01, momentum=0.9, nesterov, clipnorm=1)."""
    x, _, x_val, _ = _digits(seed, test=0.25)
    rng = np.random.default_rng(seed)
    projection = rng.normal(size=(64, 30)) / 4
    y, y_val = np.tanh(x @ projection - 0.8).astype("float32"), \
        np.tanh(x_val @ projection - 0.8).astype("float32")
    model = _sequential([keras.Input((64,)), keras.layers.Dense(100, activation="relu"),
                         keras.layers.Dense(30)])
    optimizer = keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True, clipnorm=1.0) if \
        fixed else keras.optimizers.Adam(0.1)
    model.compile(optimizer, "mean_squared_error", metrics=["mse"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=40 if fixed else 20, batch_size=32))


# --------------------------------------------------------------------------- AUTOTRAINER
# AUTOTRAINER's data/simplednn.py multiplies the blobs and circles by 100 in load_data and its
# preprocess() divides by 100 again; the demos (all but Data_Issue_case, which skips preprocess
# on purpose) train on preprocess(x): the data at its generated scale. An earlier port kept the
# x100, a second fault the original programs do not have (their fixes then failed here).
def _autotrainer_blobs(seed):
    # simplednn.load_data('blob') then preprocess: make_blobs(1000, 3 centres, 2 features,
    # std 2), one-hot labels, the first 700 for training
    x, y = datasets.make_blobs(1000, centers=3, n_features=2, cluster_std=2,
                               random_state=2 + seed)
    x, y = x.astype("float32"), np.eye(3)[y].astype("float32")
    return x[:700], y[:700], x[700:], y[700:]


def _autotrainer_mlp(output, extra=()):
    layers = [keras.Input((2,))] + [keras.layers.Dense(50, activation="relu",
                                                       kernel_initializer="he_uniform")
                                    for _ in range(4)]
    return _sequential(layers + [keras.layers.Dense(3, activation=output)] + list(extra))


def autotrainer_relu_output(seed, fixed):
    """AUTOTRAINER Improper_Activation_case: four ReLU layers and a ReLU output layer trained
    with categorical cross-entropy (Adam 1e-4, batch 256, 300 epochs). Fix: softmax output."""
    x, y, x_val, y_val = _autotrainer_blobs(seed)
    model = _autotrainer_mlp("softmax" if fixed else "relu")
    model.compile(keras.optimizers.Adam(1e-4), "categorical_crossentropy",
                  metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=300, batch_size=256))


def autotrainer_double_softmax_mse(seed, fixed):
    """AUTOTRAINER Loss_Issue_Case: a softmax output followed by another Softmax layer,
    trained with mean squared error (Adam 1e-4, batch 256, 300 epochs). Fix: one softmax and
    categorical cross-entropy."""
    x, y, x_val, y_val = _autotrainer_blobs(seed)
    model = _autotrainer_mlp("softmax", () if fixed else (keras.layers.Softmax(),))
    model.compile(keras.optimizers.Adam(1e-4),
                  "categorical_crossentropy" if fixed else "mean_squared_error",
                  metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=300, batch_size=256))


def autotrainer_unnormalized_images(seed, fixed):
    """AUTOTRAINER Data_Issue_case: a CIFAR-10 CNN (conv 16 / 36, dense 256-128, dropout, He
    init, Adam 1e-3, batch 32) fed raw 0..255 pixels: the dataset's preprocess was skipped. Fix:
    the preprocessing (pixels / 255). Digits' 0..16 counts are scaled to 0..255 bytes."""
    x, y, x_val, y_val = _digits(seed, scale=16.0 / 255.0, onehot=True, images=True)
    if fixed:
        x, x_val = x / 255.0, x_val / 255.0
    init = "he_uniform"
    model = _sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu",
                            kernel_initializer=init),
        keras.layers.MaxPooling2D(), keras.layers.Dropout(0.25),
        keras.layers.Conv2D(36, 3, padding="same", activation="relu",
                            kernel_initializer=init),
        keras.layers.MaxPooling2D(), keras.layers.Dropout(0.25), keras.layers.Flatten(),
        keras.layers.Dense(256, activation="relu", kernel_initializer=init),
        keras.layers.Dense(128, activation="relu", kernel_initializer=init),
        keras.layers.Dropout(0.25), keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(1e-3), "categorical_crossentropy", metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=15, batch_size=32))


def autotrainer_vanishing_sigmoid(seed, fixed):
    """AUTOTRAINER Gradient_Vanish_Case (model.h5 and config.pkl of the demo): eight Dense(5,
    sigmoid, He-uniform) layers and a sigmoid output on the circles data (x100 by the loader,
    /100 by its preprocess), Adam 1e-3, batch 128, 300 epochs. AUTOTRAINER's repair that solved
    it (solution/vanish_selu_0, best validation accuracy 0.87 there): SELU activations."""
    x, y = datasets.make_circles(1000, noise=0.1, random_state=1 + seed)
    x, y = x.astype("float32"), y.astype("float32")[:, None]
    init = "he_uniform"
    model = _sequential([keras.Input((2,))] + [
        keras.layers.Dense(5, activation="selu" if fixed else "sigmoid",
                           kernel_initializer=init) for _ in range(8)] + [
        keras.layers.Dense(1, activation="sigmoid", kernel_initializer=init)])
    model.compile(keras.optimizers.Adam(1e-3), "binary_crossentropy", metrics=["accuracy"])
    return dict(model=model, x=x[:700], y=y[:700], x_val=x[700:], y_val=y[700:],
                fit=dict(epochs=300, batch_size=128))


def autotrainer_oscillating_loss(seed, fixed):
    """AUTOTRAINER Oscillating_Loss_Case (model.h5 and config.pkl of the demo): Dense(50, relu)
    -> Dense(3, softmax) on the blobs data, SGD(lr=0.01, momentum=0.9) with batch size 1 (its
    log: validation accuracy 0.37..0.76 from epoch to epoch). AUTOTRAINER's repair that solved
    it (solution/unstable_adam_0, best validation accuracy 0.85 there): Adam."""
    x, y, x_val, y_val = _autotrainer_blobs(seed)
    model = _sequential([keras.Input((2,)),
                         keras.layers.Dense(50, activation="relu",
                                            kernel_initializer="he_uniform"),
                         keras.layers.Dense(3, activation="softmax")])
    model.compile(keras.optimizers.Adam() if fixed else
                  keras.optimizers.SGD(0.01, momentum=0.9), "categorical_crossentropy",
                  metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=6, batch_size=1))


# --------------------------------------------------------------------------- keras issues
def keras4784_relu_output_binary(seed, fixed):
    """keras-team/keras#4784: 106 features, Dense 64 relu - 32 tanh - 12 relu - 8 sigmoid
    (uniform init) and a Dense(1, RELU) output trained with binary cross-entropy, SGD(1e-4,
    momentum 0.4), batch 300: accuracy never changes. Fix (confirmed in the thread): a sigmoid
    output."""
    x, y = datasets.make_classification(3000, n_features=106, n_informative=20,
                                        n_redundant=0, random_state=seed)
    x, x_val, y, y_val = _split(x.astype("float32"), y.astype("float32"), seed)
    init = "uniform"
    model = _sequential([
        keras.Input((106,)),
        keras.layers.Dense(64, activation="relu", kernel_initializer=init),
        keras.layers.Dense(32, activation="tanh", kernel_initializer=init),
        keras.layers.Dense(12, activation="relu", kernel_initializer=init),
        keras.layers.Dense(8, activation="sigmoid", kernel_initializer=init),
        keras.layers.Dense(1, activation="sigmoid" if fixed else "relu",
                           kernel_initializer=init)])
    model.compile(keras.optimizers.SGD(0.01 if fixed else 1e-4, momentum=0.4),
                  "binary_crossentropy", metrics=["accuracy"])
    return dict(model=model, x=x, y=y[:, None], x_val=x_val, y_val=y_val[:, None],
                fit=dict(epochs=30, batch_size=30))



def keras14729_categorical_ce_on_one_sigmoid(seed, fixed):
    """keras-team/keras#14729: the breast-cancer set (standardized), Dense 16-16 with dropout
    and ONE sigmoid output, compiled with loss=keras.losses.categorical_crossentropy (the
    function): over a single output it is always 0, accuracy stays low. Fix (thread):
    binary_crossentropy."""
    x, y = datasets.load_breast_cancer(return_X_y=True)
    x, x_val, y, y_val = _split(x, y, seed, test=0.3)
    mean, std = x.mean(axis=0), x.std(axis=0)
    x, x_val = ((x - mean) / std).astype("float32"), ((x_val - mean) / std).astype("float32")
    y, y_val = y.astype("float32")[:, None], y_val.astype("float32")[:, None]
    model = _sequential([
        keras.Input((30,)),
        keras.layers.Dense(16, activation="relu", kernel_initializer="uniform"),
        keras.layers.Dropout(0.1),
        keras.layers.Dense(16, activation="relu", kernel_initializer="uniform"),
        keras.layers.Dropout(0.1),
        keras.layers.Dense(1, activation="sigmoid", kernel_initializer="uniform")])
    model.compile(keras.optimizers.Adam(), keras.losses.binary_crossentropy if fixed else
                  keras.losses.categorical_crossentropy, metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=30, batch_size=100))


def keras6421_categorical_ce_on_label_pairs(seed, fixed):
    """keras-team/keras#6421: two sigmoid outputs for two independent 0/1 labels (most rows
    [0, 0]) trained with categorical cross-entropy: rows of zeros give loss 0, so
    'accuracy 100%' while predictions are wrong. Fix (thread): binary_crossentropy."""
    x, y = datasets.make_multilabel_classification(1500, n_features=31, n_classes=2,
                                                   n_labels=1, allow_unlabeled=True,
                                                   random_state=seed)
    x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-9)
    x, x_val, y, y_val = _split(x.astype("float32"), y.astype("float32"), seed,
                                stratify=False)
    model = _sequential([
        keras.Input((31,)),
        keras.layers.Dense(40, activation="relu", kernel_initializer="uniform"),
        keras.layers.Dense(31, activation="relu", kernel_initializer="uniform"),
        keras.layers.Dense(2, activation="sigmoid", kernel_initializer="uniform")])
    model.compile("adam", "binary_crossentropy" if fixed else "categorical_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=20, batch_size=10))


def keras2576_unscaled_regression_targets(seed, fixed):
    """keras-team/keras#2576: a linear model (Dense(1), RMSprop) on make_regression(100
    features, noise 100): targets span +-2000 but the predictions only reach +-70 after 10
    epochs. Fix (thread): standardize the targets (or train far longer / faster)."""
    x, y = datasets.make_regression(4000, n_features=100, n_informative=100, noise=100,
                                    random_state=seed)
    x, x_val, y, y_val = _split(x.astype("float32"), y.astype("float32"), seed,
                                stratify=False)
    if fixed:
        mean, std = y.mean(), y.std()
        y, y_val = (y - mean) / std, (y_val - mean) / std
    model = _sequential([keras.Input((100,)), keras.layers.Dense(1)])
    model.compile("rmsprop", "mse", metrics=["mae"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=10, batch_size=16))


def keras108_tanh_output_regression(seed, fixed):
    """keras-team/keras#108 (GovindBhagwan's program): regression with two tanh layers of 16
    and a tanh OUTPUT, RMSprop, MSE: the loss sits at 16771 from epoch 2 on. Fix (thread):
    a linear output layer for an unbounded target."""
    x, y = datasets.make_regression(4000, n_features=8, noise=10, random_state=seed)
    y = y / np.std(y) * 3 + 5  # a target spread over -5..15, beyond tanh's [-1, 1]
    x, x_val, y, y_val = _split(x.astype("float32"), y.astype("float32"), seed,
                                stratify=False)
    model = _sequential([keras.Input((8,)), keras.layers.Dense(16, activation="tanh"),
                         keras.layers.Dense(16, activation="tanh"),
                         keras.layers.Dense(1, activation=None if fixed else "tanh")])
    model.compile("rmsprop", "mse", metrics=["mae"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=15, batch_size=32))


def keras126_softmax_single_unit(seed, fixed):
    """keras-team/keras#126: the README's MLP (tanh 64-64, dropout 0.5, uniform init, SGD 0.1
    momentum 0.9 nesterov, MSE) ending in Dense(1, softmax) on a toy 0/1 task: the output is
    always 1. Fix (thread): a sigmoid output."""
    rng = np.random.default_rng(seed)
    x = rng.random((1200, 2)).astype("float32")
    y = ((x[:, 0] + x[:, 1]) > 1.0).astype("float32")[:, None]
    x, x_val, y, y_val = _split(x, y, seed, stratify=False)
    model = _sequential([
        keras.Input((2,)), keras.layers.Dense(64, activation="tanh", kernel_initializer="uniform"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(64, activation="tanh", kernel_initializer="uniform"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(1, activation="sigmoid" if fixed else "softmax",
                           kernel_initializer="uniform")])
    model.compile(keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
                  "mean_squared_error", metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=20, batch_size=16))


def keras510_unstandardized_features(seed, fixed):
    """keras-team/keras#510: a simple MLP whose loss turns NaN unless clipnorm is set; fchollet:
    "pre-process your data so each dimension has 0 mean and unit variance ... a simple MLP will
    never cause gradient explosion if your data is correctly preprocessed". Features here are
    raw measurements in the thousands. Fix: standardized inputs."""
    x, y = datasets.make_classification(2000, n_features=20, n_informative=8, n_redundant=0,
                                        random_state=seed)
    scales = np.logspace(0, 4, 20)
    x = x * scales + scales * 3
    x, x_val, y, y_val = _split(x.astype("float32"), y.astype("float32"), seed)
    if fixed:
        mean, std = x.mean(axis=0), x.std(axis=0)
        x, x_val = (x - mean) / std, (x_val - mean) / std
    model = _sequential([keras.Input((20,)), keras.layers.Dense(64, activation="relu"),
                         keras.layers.Dense(64, activation="relu"),
                         keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.SGD(0.01, momentum=0.9), "binary_crossentropy",
                  metrics=["accuracy"])
    return dict(model=model, x=x, y=y[:, None], x_val=x_val, y_val=y_val[:, None],
                fit=dict(epochs=8, batch_size=32))


def keras2001_standardized_by_zero_std(seed, fixed):
    """keras-team/keras#2001: the loss is NaN after standardizing the MNIST pairs to zero mean
    and unit variance ("dividing by the std() produces the error"): border pixels have std 0,
    so the inputs hold NaN. Fix: leave constant pixels alone (divide by 1 there)."""
    x, y, x_val, y_val = _digits(seed)
    mean, std = x.mean(axis=0), x.std(axis=0)
    if fixed:
        std = np.where(std > 0, std, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        x, x_val = (x - mean) / std, (x_val - mean) / std
    model = _sequential([keras.Input((64,)), keras.layers.Dense(128, activation="relu"),
                         keras.layers.Dense(128, activation="relu"),
                         keras.layers.Dense(10, activation="softmax")])
    model.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=model, x=x.astype("float32"), y=y, x_val=x_val.astype("float32"),
                y_val=y_val, fit=dict(epochs=4, batch_size=128))


def keras7558_swapped_crossentropy_arguments(seed, fixed):
    """keras-team/keras#7558: categorical_crossentropy(tf.nn.softmax(pred), y) - prediction and
    target swapped - "causes poor results", while the right call trains. Fix: (target, output)
    in that order. Keras 3 trains the swapped call too (see `port`)."""
    x, y, x_val, y_val = _digits(seed, onehot=True)
    model = _sequential([keras.Input((64,)), keras.layers.Dense(128, activation="relu"),
                         keras.layers.Dense(10, activation="softmax")])

    def loss(y_true, y_pred):
        return keras.losses.categorical_crossentropy(
            *((y_true, y_pred) if fixed else (y_pred, y_true)))
    model.compile(keras.optimizers.Adam(1e-3), loss, metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=10, batch_size=128))


def keras6143_from_logits_on_softmax(seed, fixed):
    """keras-team/keras#6143: from_logits=True on a softmax output made Keras 2 apply softmax
    twice ("incorrect results"). Keras 3 computes the loss from the softmax layer's own logits,
    so the program trains as well as its fix: both twins are healthy here, and the doctor must
    not warn. Fix: from_logits=False."""
    x, y, x_val, y_val = _digits(seed, onehot=True)
    model = _sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                         keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", keras.losses.CategoricalCrossentropy(from_logits=not fixed),
                  metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=10, batch_size=32))


def keras8346_validation_split_of_sorted_data(seed, fixed):
    """keras-team/keras#8346: images stored class by class, fit(validation_split=0.2): the last
    20% - one whole class the training never sees - is the validation set, so validation
    accuracy is 0. Fix (thread): shuffle the data before fit."""
    x, y = datasets.load_digits(return_X_y=True)
    keep = y < 5  # a 5-class task, as in the thread
    x, y = (x[keep] / 16).astype("float32").reshape(-1, 8, 8, 1), y[keep].astype("int32")
    order = np.argsort(y, kind="stable")
    if fixed:
        order = np.random.default_rng(seed).permutation(len(y))
    x, y = x[order], y[order]
    cut = int(len(y) * 0.8)
    model = _sequential([keras.Input((8, 8, 1)),
                         keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
                         keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
                         keras.layers.MaxPooling2D(), keras.layers.Flatten(),
                         keras.layers.Dense(64, activation="relu"),
                         keras.layers.Dense(5, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    # what fit(validation_split=0.2) holds out: the last 20%, taken before any shuffling
    return dict(model=model, x=x[:cut], y=y[:cut], x_val=x[cut:], y_val=y[cut:],
                fit=dict(epochs=8, batch_size=32))


# --------------------------------------------------------------------------- round 2 (h35)
# Programs ported after the doctor's rules were written; their split is the parity of the
# name's SHA-1 (`_hash_split`), fixed before any of them was run.
def _hash_split(name):
    return "tune" if int(hashlib.sha1(name.encode()).hexdigest(), 16) % 2 == 0 else "holdout"


def _digit_bytes(seed, images=False, test=0.25):
    """The 8x8 digits as 0..255 pixel bytes (MNIST / Kaggle CSV scale), integer labels."""
    x, y = datasets.load_digits(return_X_y=True)
    x = np.minimum(x * 16, 255).astype("uint8")
    if images:
        x = x.reshape(-1, 8, 8, 1)
    return train_test_split(x, y.astype("int32"), test_size=test, random_state=seed, stratify=y)


def keras3040_linear_regression_lr(seed, fixed):
    """keras-team/keras#3040: y = 2x for x = 0..199, one Dense unit, SGD(lr=0.001), batch 1:
    the weights go to NaN after a few iterations. The thread's fix: 'realized my learning rate
    was too high' (x up to 199: lr * x^2 is ~40 per step)."""
    rng = np.random.default_rng(seed)
    x = rng.permutation(np.arange(200.0)).astype("float32")[:, None]
    y = 2.0 * x
    x, x_val, y, y_val = x[:150], x[150:], y[:150], y[150:]
    model = _sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(1e-5 if fixed else 1e-3), "mean_squared_error")
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val, task="regression",
                fit=dict(epochs=5, batch_size=1))


def keras13006_categorical_labels_one_sigmoid(seed, fixed):
    """keras-team/keras#13006: a binary image classifier with Dense(1, sigmoid) and binary
    cross-entropy fed by flow_from_directory's default class_mode='categorical' (one-hot pairs):
    accuracy converges to 0.5. Fix (the thread): class_mode='binary' (one 0/1 label)."""
    x, y = datasets.make_classification(1200, n_features=20, n_informative=6, n_redundant=0,
                                        class_sep=1.2, random_state=seed)
    x = x.astype("float32")
    labels = y.astype("float32")[:, None] if fixed else np.eye(2, dtype="float32")[y]
    x, x_val, y, y_val = _split(x, labels, seed, stratify=False)
    model = _sequential([keras.Input((20,)), keras.layers.Dense(32, activation="relu"),
                         keras.layers.Dense(16, activation="relu"),
                         keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=10, batch_size=32))


def keras6914_mnist_mlp_unnormalized(seed, fixed):
    """keras-team/keras#6914: keras' examples/mnist_mlp.py (Dense 512-512 ReLU, Dropout 0.2,
    RMSprop) on Kaggle's MNIST CSV stays under 30% accuracy; the reporter's fix: x /= 255."""
    x, x_val, y, y_val = _digit_bytes(seed)
    x, x_val = x.astype("float32"), x_val.astype("float32")
    if fixed:
        x, x_val = x / 255, x_val / 255
    model = _sequential([keras.Input((64,)), keras.layers.Dense(512, activation="relu"),
                         keras.layers.Dropout(0.2), keras.layers.Dense(512, activation="relu"),
                         keras.layers.Dropout(0.2), keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.RMSprop(), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=10, batch_size=128))


def keras255_integer_division_zero_images(seed, fixed):
    """keras-team/keras#255: screenshots 'normalized to [0, 1]' while the array was still int,
    so every pixel became 0 and the CNN's loss stayed at 17.27 / accuracy 0.5. Fix (the
    reporter): convert to float before dividing."""
    x, y = datasets.load_digits(return_X_y=True)
    keep = y < 2  # the thread's two classes
    x = np.round(x[keep] * 15.9).astype("int64").reshape(-1, 8, 8, 1)  # bytes below 255
    y = np.eye(2, dtype="float32")[y[keep]]
    x = (x.astype("float32") / 255) if fixed else (x // 255).astype("float32")
    x, x_val, y, y_val = _split(x, y, seed, stratify=False)
    model = _sequential([keras.Input((8, 8, 1)),
                         keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
                         keras.layers.MaxPooling2D(), keras.layers.Flatten(),
                         keras.layers.Dense(64, activation="relu"),
                         keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.01, momentum=0.9), "categorical_crossentropy",
                  metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=10, batch_size=32))


def keras6260_unscaled_sum_regression(seed, fixed):
    """keras-team/keras#6260: z = x + y with x running 1..1040 and y 1040..1 fed raw to a small
    ReLU net: 'it always returns ... zero prediction'. The answer's fix: X / 1041, Y / 1041."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(1, 1040, 2000)
    b = rng.uniform(1, 1040, 2000)  # both vary here, so the sum is not a constant
    x = np.stack([a, b], 1).astype("float32")
    z = (a + b).astype("float32")[:, None]
    if fixed:
        x, z = x / 1041, z / 1041
    x, x_val, z, z_val = _split(x, z, seed, stratify=False)
    model = _sequential([keras.Input((2,)), keras.layers.Dense(12, activation="relu"),
                         keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    model.compile("adam", "mean_squared_error")
    return dict(model=model, x=x, y=z, x_val=x_val, y_val=z_val, task="regression",
                fit=dict(epochs=15, batch_size=10))


def keras12096_relu_output_cnn(seed, fixed):
    """keras-team/keras#12096: a CNN whose last layer is Dense(2, activation='relu') trained
    with categorical cross-entropy does not learn at all (loss frozen). Fix (the thread's
    answer): a softmax output."""
    x, y = datasets.load_digits(return_X_y=True)
    keep = (y == 3) | (y == 8)  # two classes of look-alike digits for the dogs and cats
    x = (x[keep] / 16).astype("float32").reshape(-1, 8, 8, 1)
    y = np.eye(2, dtype="float32")[(y[keep] == 8).astype(int)]
    x, x_val, y, y_val = _split(x, y, seed, stratify=False)
    model = _sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(96, 3, activation="relu"),
                         keras.layers.MaxPooling2D(pool_size=3, strides=2),
                         keras.layers.Flatten(),
                         keras.layers.Dense(2, activation="softmax" if fixed else "relu")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=15, batch_size=16))


def keras741_multilabel_softmax(seed, fixed):
    """keras-team/keras#741: a multi-label classifier (several 1s per target) built with a
    softmax output and categorical cross-entropy does not converge. Fix (the thread): sigmoid
    outputs with binary_crossentropy."""
    x, y = datasets.make_multilabel_classification(1500, n_features=20, n_classes=5,
                                                   random_state=seed)
    x, y = (x / x.std(0)).astype("float32"), y.astype("float32")
    x, x_val, y, y_val = _split(x, y, seed, stratify=False)
    model = _sequential([keras.Input((20,)), keras.layers.Dense(64, activation="relu"),
                         keras.layers.Dense(5, activation="sigmoid" if fixed else "softmax")])
    model.compile("adam", "binary_crossentropy" if fixed else "categorical_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=20, batch_size=32))


def dltf_logistic_regression_unclipped_log(seed, fixed):
    """gabrieleangeletti/Deep-Learning-TensorFlow 726b371 (defect4ML bug 003): the logistic
    regression's cost -mean(y log p + (1 - y) log(1 - p)) on softmax outputs without clipping
    turns NaN once a probability reaches 0 or 1. Fix: clip p and 1 - p to [1e-10, inf)."""
    x, y, x_val, y_val = _digits(seed, onehot=True)

    def cross_entropy(y_true, y_pred):
        if fixed:
            return -keras.ops.mean(y_true * keras.ops.log(keras.ops.maximum(y_pred, 1e-10)) + (
                1 - y_true) * keras.ops.log(keras.ops.maximum(1 - y_pred, 1e-10)))
        return -keras.ops.mean(y_true * keras.ops.log(y_pred) +
                               (1 - y_true) * keras.ops.log(1 - y_pred))
    model = _sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.5), cross_entropy, metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=30, batch_size=10))


def dltf_dbn_cost_on_linear_output(seed, fixed):
    """gabrieleangeletti/Deep-Learning-TensorFlow 20d1b59 (defect4ML bug 004): the DBN's
    fine-tuning cost, the clipped cross-entropy -mean(y log p + (1 - y) log(1 - p)), is applied
    to the last layer's linear output, not to probabilities. Fix: tf.nn.softmax first."""
    x, y, x_val, y_val = _digits(seed, onehot=True)

    def cost(y_true, output):
        if fixed:
            output = keras.ops.softmax(output)
        clip = lambda t: keras.ops.clip(t, 1e-10, np.inf)  # noqa: E731 - as the original
        return -keras.ops.mean(y_true * keras.ops.log(clip(output)) +
                               (1 - y_true) * keras.ops.log(clip(1 - output)))
    model = _sequential([keras.Input((64,)), keras.layers.Dense(128, activation="sigmoid"),
                         keras.layers.Dense(64, activation="sigmoid"), keras.layers.Dense(10)])
    model.compile(keras.optimizers.SGD(0.1), cost,
                  metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=15, batch_size=10))


def xor_hard_sigmoid(seed, fixed):
    """DanilaEremenko/NeuralNetwork eba6bed (defect4ML bug 046): XOR with Dense(8, tanh) and a
    sigmoid output, binary cross-entropy, SGD 0.1, batch 1, 1000 epochs; the fix switches the
    output to hard_sigmoid and 300 epochs."""
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, (400, 2))
    x = (corners + rng.normal(0, 0.1, corners.shape)).astype("float32")
    y = (corners[:, 0] ^ corners[:, 1]).astype("float32")[:, None]
    x, x_val, y, y_val = _split(x, y, seed, stratify=False)
    model = _sequential([keras.Input((2,)), keras.layers.Dense(8, activation="tanh"),
                         keras.layers.Dense(1, activation="hard_sigmoid" if fixed
                                            else "sigmoid")])
    model.compile(keras.optimizers.SGD(0.1), "binary_crossentropy", metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=6 if fixed else 20, batch_size=1))


def _mnist_cnn(head):
    return _sequential([keras.Input((8, 8, 1))] + head + [
        keras.layers.MaxPooling2D(), keras.layers.Dropout(0.25), keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu")])


def mlflow_mnist_cnn_dropout(seed, fixed):
    """dbczumar/mlflow-keras-mnist b29cab7 (defect4ML bug 041): keras' mnist_cnn (Conv 32-64,
    max-pool, Dropout 0.25, Dense 128, Dropout 0.5, softmax; Adadelta; batch 128, 4 epochs);
    the fix comments out the Dropout(0.5)."""
    x, y, x_val, y_val = _digits(seed, onehot=True, images=True)
    model = _mnist_cnn([keras.layers.Conv2D(32, 3, activation="relu", padding="same"),
                        keras.layers.Conv2D(64, 3, activation="relu", padding="same")])
    if not fixed:
        model.add(keras.layers.Dropout(0.5))
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(keras.optimizers.Adadelta(1.0), "categorical_crossentropy",
                  metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=8, batch_size=128))


def mlflow_mnist_cnn_structure(seed, fixed):
    """dbczumar/mlflow-keras-mnist 86eb14d (defect4ML bug 040): keras' mnist_cnn with Conv 32
    then Conv 64; the fix uses Conv 64, max-pool, Conv 64 before the classifier."""
    x, y, x_val, y_val = _digits(seed, onehot=True, images=True)
    head = [keras.layers.Conv2D(64, 3, activation="relu", padding="same"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu", padding="same")] if fixed else \
        [keras.layers.Conv2D(32, 3, activation="relu", padding="same"),
         keras.layers.Conv2D(64, 3, activation="relu", padding="same")]
    model = _mnist_cnn(head)
    model.add(keras.layers.Dropout(0.5))
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(keras.optimizers.Adadelta(1.0), "categorical_crossentropy",
                  metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=8, batch_size=128))


def simple_cnn_7x7_filters(seed, fixed):
    """AlexGidiotis/Keras-tutorial-on-CNNs b5acb01 (defect4ML bug 048): a CIFAR-10 CNN whose
    first block uses 7x7 filters with Adam's defaults; the fix uses 3x3 filters and
    Adam(lr=1e-4, decay=1e-6)."""
    x, y, x_val, y_val = _digits(seed, onehot=True, images=True)
    k = 3 if fixed else 7
    inputs = keras.Input((8, 8, 1))
    h = keras.layers.Conv2D(32, k, padding="same", activation="relu")(inputs)
    h = keras.layers.Conv2D(32, k, padding="same", activation="relu")(h)
    h = keras.layers.Dropout(0.25)(keras.layers.MaxPooling2D()(h))
    h = keras.layers.Conv2D(64, 3, padding="same", activation="relu")(h)
    h = keras.layers.Conv2D(64, 3, padding="same", activation="relu")(h)
    h = keras.layers.Dropout(0.25)(keras.layers.MaxPooling2D()(h))
    h = keras.layers.Conv2D(128, 1, padding="same", activation="relu")(h)
    h = keras.layers.Conv2D(128, 1, padding="same", activation="relu")(h)
    h = keras.layers.Dropout(0.25)(keras.layers.MaxPooling2D()(h))
    h = keras.layers.Dropout(0.5)(keras.layers.Dense(512, activation="relu")(
        keras.layers.Flatten()(h)))
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(h))
    optimizer = keras.optimizers.Adam(1e-4) if fixed else keras.optimizers.Adam()
    model.compile(optimizer, "categorical_crossentropy", metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=25 if fixed else 10, batch_size=32))


def imdb_fasttext_average_pooling(seed, fixed):
    """caslei/keras 9d7a233 (defect4ML bug 035): keras' imdb_fasttext example averaged the
    embeddings with AveragePooling1D(pool_length=sequence length) + Flatten; the fix uses
    GlobalAveragePooling1D. Embedding 50, sigmoid output, Adam, batch 32, 5 epochs."""
    rng = np.random.default_rng(seed)
    n, length, vocab = 2000, 100, 500
    tokens = rng.integers(1, vocab, (n, length))
    sentiment = rng.normal(0, 1, vocab)  # each word's polarity; a review's label is its sum
    y = (sentiment[tokens].sum(1) > 0).astype("float32")
    x, x_val, y, y_val = _split(tokens.astype("int32"), y, seed, stratify=False)
    pool = [keras.layers.GlobalAveragePooling1D()] if fixed else [
        keras.layers.AveragePooling1D(pool_size=length), keras.layers.Flatten()]
    model = _sequential([keras.Input((length,), dtype="int32"),
                         keras.layers.Embedding(vocab, 50)] + pool +
                        [keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=5, batch_size=32))


def jena_gru_std_rows(seed, fixed):
    """alexchungio/Keras-Learning-Advance 3cfbfaf (defect4ML bug 049): the Jena climate GRU
    (GRU 32 -> Dense 1, RMSprop, MAE) standardized its inputs with the mean of the first 20,000
    rows and the std of the first 2,000; the fix takes both over the first 200,000 rows (and
    stacks two GRUs with dropout)."""
    rng = np.random.default_rng(seed)
    steps = 6000
    t = np.arange(steps)
    # 3 weather-like series: a slow seasonal drift, a daily cycle and noise
    temp = 10 * np.sin(2 * np.pi * t / 3000) + 3 * np.sin(2 * np.pi * t / 144) + \
        rng.normal(0, 1, steps)
    pressure = 1000 + 5 * np.sin(2 * np.pi * t / 3000 + 1) + rng.normal(0, 1, steps)
    humidity = 60 + 20 * np.sin(2 * np.pi * t / 144 + 2) + rng.normal(0, 3, steps)
    data = np.stack([temp, pressure, humidity], 1)
    # the original's rows (20,000 / 2,000 -> 200,000 for both) cut by 50, as the series is
    mean = data[:4000].mean(0) if fixed else data[:400].mean(0)
    std = data[:4000].std(0) if fixed else data[:40].std(0)
    data = (data - mean) / std
    lookback, delay = 48, 12
    starts = np.arange(0, steps - lookback - delay, 3)
    x = np.stack([data[s:s + lookback] for s in starts]).astype("float32")
    y = data[starts + lookback + delay, 0].astype("float32")[:, None]
    cut = int(len(x) * 0.75)
    layers = [keras.layers.GRU(32, dropout=0.1, return_sequences=True),
              keras.layers.GRU(64, dropout=0.1)] if fixed else [keras.layers.GRU(32)]
    model = _sequential([keras.Input((lookback, 3))] + layers + [keras.layers.Dense(1)])
    model.compile(keras.optimizers.RMSprop(), "mae")
    return dict(model=model, x=x[:cut], y=y[:cut], x_val=x[cut:], y_val=y[cut:],
                task="regression", fit=dict(epochs=5, batch_size=128))


def keras12689_validation_preprocessed_differently(seed, fixed):
    """keras-team/keras#12689: a clothing classifier reaches 96% training accuracy while the
    validation accuracy stays at 1/n; the reporter's answer: 'Issue was using two different
    ways of preprocessing for my imageGenerators' (rescale=1./255 for training only). Fix: the
    same preprocessing for both."""
    x, x_val, y, y_val = _digit_bytes(seed, images=True)
    x, x_val = x.astype("float32") / 255, x_val.astype("float32")
    if fixed:
        x_val = x_val / 255
    model = _sequential([keras.Input((8, 8, 1)),
                         keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
                         keras.layers.MaxPooling2D(), keras.layers.Flatten(),
                         keras.layers.Dense(64, activation="relu"),
                         keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=10, batch_size=32))


def keras_resnet46_softmax_regression(seed, fixed):
    """raghakot/keras-resnet#46: ResnetBuilder.build(..., num_outputs=1) used for a regression:
    its last layer is Dense(num_outputs, activation='softmax'), and the training loss 'reduces
    sooo slow ... no matter how big the learning rate'. The reporter's fix: a linear last
    layer."""
    x, _, x_val, _ = _digits(seed, images=True)
    rng = np.random.default_rng(seed)
    w = rng.normal(0, 1, 64) / 8
    y, y_val = (x.reshape(len(x), -1) @ w)[:, None], (x_val.reshape(len(x_val), -1) @ w)[:, None]
    mean, std = y.mean(), y.std()
    y, y_val = ((y - mean) / std).astype("float32"), ((y_val - mean) / std).astype("float32")
    inputs = keras.Input((8, 8, 1))
    h = keras.layers.Conv2D(16, 3, padding="same")(inputs)
    h = keras.layers.Activation("relu")(keras.layers.BatchNormalization()(h))
    shortcut = h
    h = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(h)
    h = keras.layers.Conv2D(16, 3, padding="same")(h)
    h = keras.layers.Activation("relu")(keras.layers.Add()([shortcut, h]))
    h = keras.layers.GlobalAveragePooling2D()(h)
    outputs = keras.layers.Dense(1, kernel_initializer="he_normal",
                                 activation=None if fixed else "softmax")(h)
    model = keras.Model(inputs, outputs)
    model.compile("adam", "mean_squared_error")
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val, task="regression",
                fit=dict(epochs=15, batch_size=32))


def keras4994_binary_ce_one_unit_bottleneck(seed, fixed):
    """keras-team/keras#4994: keras' pretrained_word_embeddings example on 20 newsgroups with
    the convolutions replaced by LSTM(128), then Dense(1) + sigmoid, then Dense(20, softmax),
    compiled with binary_crossentropy: accuracy sits at 0.95 from the first batch on. The
    answer's fix: categorical_crossentropy, and Dense(20) (or 50) instead of the one-unit
    layer."""
    rng = np.random.default_rng(seed)
    classes, n, length, vocab = 20, 2000, 30, 400
    topic_words = rng.integers(1, vocab, (classes, 12))  # each newsgroup's frequent words
    y = rng.integers(0, classes, n)
    tokens = rng.integers(1, vocab, (n, length))
    from_topic = rng.random((n, length)) < 0.3
    tokens = np.where(from_topic, topic_words[y][np.arange(n)[:, None],
                                                 rng.integers(0, 12, (n, length))], tokens)
    labels = np.eye(classes, dtype="float32")[y]
    x, x_val, y, y_val = _split(tokens.astype("int32"), labels, seed, stratify=False)
    model = _sequential([keras.Input((length,), dtype="int32"),
                         keras.layers.Embedding(vocab, 50),
                         keras.layers.LSTM(32),
                         keras.layers.Dense(20 if fixed else 1),
                         keras.layers.Activation("sigmoid"),
                         keras.layers.Dense(classes, activation="softmax")])
    model.compile("adam", "categorical_crossentropy" if fixed else "binary_crossentropy",
                  metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=8, batch_size=64))


def _program(name, build, source, url, fault, fix, expected, acceptable=(), truth=None,
             fixed_truth=None, split=None, healthy_bug=False, port="", fix_note=""):
    """The buggy program and its fix, as two cases. `split`: round 1's by hand, later rounds'
    by the name's SHA-1 (the default). `fix_note`: why the documented fix is not a healthy
    program in itself, when it is not (its twin then stays unscored)."""
    common = dict(source=f"{source}: {url}", fault=fault, fix=fix, port=port,
                  split=split or _hash_split(name))
    buggy = dict(name=name, program=build, fixed=False, expected=[] if healthy_bug else
                 list(expected), acceptable=list(acceptable), truth=truth or {}, **common)
    twin = dict(name=name + "__fixed", program=build, fixed=True, expected=[],
                truth=fixed_truth or {}, fix_note=fix_note, **common)
    return [buggy, twin]


NAN_OR_DIVERGING = ["nan_loss", "diverging", "exploding_gradients", "unstable"]

PROGRAMS = (
    _program("d4ml001_manual_cross_entropy_nan", tf_models_manual_cross_entropy, D4ML,
             "https://github.com/tensorflow/models/commit/d816971",
             "hand-written cross-entropy -sum(y*log(p)) turns NaN", "built-in cross-entropy",
             NAN_OR_DIVERGING, ["loss_not_decreasing", "dead_units", "data_problem"],
             truth=dict(loss_nonfinite=True), fixed_truth=dict(val_metric_at_least=0.85),
             split="tune"),
    _program("d4ml005_missing_softmax", dltf_missing_softmax, D4ML,
             "https://github.com/gabrieleangeletti/Deep-Learning-TensorFlow/commit/1bcc1ef",
             "no softmax on the output layer while the cost expects probabilities",
             "tf.nn.softmax on the output layer", ["wrong_loss"],
             ["loss_not_decreasing", "underfitting", "data_problem"],
             truth=dict(val_metric_at_most=0.7), fixed_truth=dict(val_metric_at_least=0.85),
             split="holdout", port="the DBN's pretrained sigmoid stack (128-64) trained from "
             "scratch on digits; SGD 0.1, batch 10 as the repository's defaults"),
    _program("d4ml038_adam_learning_rate_100", nikhil_adam_learning_rate_100, D4ML,
             "https://github.com/NikhilM98/learning-deeplearning/commit/eb24906",
             "Adam(lr=100)", "Adam(lr=0.0001)",
             NAN_OR_DIVERGING + ["loss_not_decreasing", "dead_units"], ["data_problem"],
             truth=dict(val_metric_at_most=0.8), fixed_truth=dict(val_metric_at_least=0.85),
             split="tune", port="validation split added to both (the fix added it too); "
             "buggy run cut to 10 epochs"),
    _program("d4ml024_keypoints_adam_lr", facial_keypoints_adam_learning_rate, D4ML,
             "https://github.com/ShyamPoovaiah/FacialKeypointsDetection/commit/6543925",
             "Adam(lr=0.1) for an MSE keypoint regression",
             "SGD(0.01, momentum 0.9, nesterov, clipnorm=1)",
             NAN_OR_DIVERGING + ["loss_not_decreasing", "dead_units", "underfitting"],
             ["data_problem"], truth=dict(val_loss_at_least=0.05),
             fixed_truth=dict(val_loss_at_most=0.05), split="holdout",
             port="digits pixels stand for the 96x96 faces; 30 targets in [-1, 1] from a fixed "
             "random projection"),
    _program("autotrainer_relu_output", autotrainer_relu_output, AT,
             "https://github.com/shiningrain/AUTOTRAINER/tree/master/AutoTrainer/demo_case/"
             "Improper_Activation_case", "ReLU output layer with categorical cross-entropy",
             "softmax output", ["wrong_loss"], ["loss_not_decreasing", "dead_units",
                                               "data_problem", "underfitting"],
             truth=dict(val_metric_at_most=0.7), fixed_truth=dict(val_metric_at_least=0.75),
             split="holdout", port=AT_SCALE),
    _program("autotrainer_double_softmax_mse", autotrainer_double_softmax_mse, AT,
             "https://github.com/shiningrain/AUTOTRAINER/tree/master/AutoTrainer/demo_case/"
             "Loss_Issue_Case", "softmax twice, trained with MSE",
             "one softmax, categorical cross-entropy",
             [], healthy_bug=True, truth=dict(val_metric_at_least=0.75),
             fixed_truth=dict(val_metric_at_least=0.75), split="tune",
             port="the inputs at their generated scale, as the demo trains on them (an "
             "earlier port kept the loader's x100, which hid what this shows): over the demo's "
             "300 epochs the double softmax under MSE reaches the fix's accuracy, as the demo's "
             "readme warns ('a wrong loss in classification often does not make the results "
             "abnormal'), so both twins are healthy here and the doctor reports the loss "
             "choice as info"),
    _program("autotrainer_unnormalized_images", autotrainer_unnormalized_images, AT,
             "https://github.com/shiningrain/AUTOTRAINER/tree/master/AutoTrainer/demo_case/"
             "Data_Issue_case", "raw 0..255 pixels (preprocessing skipped)", "pixels / 255",
             ["data_problem", "unstable", "dead_units", "loss_not_decreasing", "overfitting"],
             NAN_OR_DIVERGING, truth=dict(val_metric_at_most=0.93),
             fixed_truth=dict(val_metric_at_least=0.9), split="holdout",
             port="8x8 digits as 0..255 bytes stand for CIFAR-10; padding 'same'"),
    _program("autotrainer_vanishing_sigmoid", autotrainer_vanishing_sigmoid, AT,
             "https://github.com/shiningrain/AUTOTRAINER/tree/master/AutoTrainer/demo_case/"
             "Gradient_Vanish_Case", "eight sigmoid layers of 5 units", "SELU activations",
             ["vanishing_gradients", "saturated_units", "loss_not_decreasing",
              "data_problem"], ["underfitting"], truth=dict(val_metric_at_most=0.7),
             fixed_truth=dict(val_metric_at_least=0.75), split="tune",
             port=AT_SCALE),
    _program("autotrainer_oscillating_loss", autotrainer_oscillating_loss, AT,
             "https://github.com/shiningrain/AUTOTRAINER/tree/master/AutoTrainer/demo_case/"
             "Oscillating_Loss_Case", "SGD(0.01, momentum 0.9) with batch size 1",
             "Adam", ["unstable", "diverging", "nan_loss", "exploding_gradients"],
             ["dead_units", "loss_not_decreasing", "data_problem"], split="holdout",
             fixed_truth=dict(val_metric_at_least=0.75),
             port="6 of the 200 epochs (batch size 1); " + AT_SCALE),
    _program("keras4784_relu_output_binary", keras4784_relu_output_binary, KI,
             "https://github.com/keras-team/keras/issues/4784",
             "Dense(1, relu) output with binary cross-entropy", "sigmoid output",
             ["wrong_loss"], ["loss_not_decreasing", "underfitting", "dead_units",
                              "data_problem", "saturated_units"],
             truth=dict(val_metric_at_most=0.6), fixed_truth=dict(val_metric_at_least=0.75),
             split="holdout", port="generated data with 106 features; 30 epochs of batch 30 "
             "(the thread: 100 of batch 300); the fix also uses SGD 0.01 - at 1e-4 neither "
             "version moves in a benchmark-sized run",
             fix_note="Not a healthy program: the thread's fix (a sigmoid output) keeps Keras "
             "1's init='uniform' (+-0.05) through five layers, so on standardized features the "
             "signal vanishes (first/last-layer gradient ratio 2e-5..7e-4, the loss flat at "
             "ln 2 for 30 epochs in each seed); the doctor's vanishing_gradients on it names "
             "that remaining fault. The thread reports only that accuracy then 'improves "
             "across epochs', on the user's own unshown data."),
    _program("keras14729_ce_function_one_sigmoid", keras14729_categorical_ce_on_one_sigmoid, KI,
             "https://github.com/keras-team/keras/issues/14729",
             "loss=keras.losses.categorical_crossentropy on one sigmoid unit",
             "binary_crossentropy", ["wrong_loss"], ["loss_not_decreasing", "underfitting",
                                                     "data_problem"],
             truth=dict(val_metric_at_most=0.8), fixed_truth=dict(val_metric_at_least=0.9),
             split="tune", port="30 of the 100 epochs"),
    _program("keras6421_ce_on_label_pairs", keras6421_categorical_ce_on_label_pairs, KI,
             "https://github.com/keras-team/keras/issues/6421",
             "categorical cross-entropy on two independent 0/1 labels (rows of zeros)",
             "binary_crossentropy", ["wrong_loss"], ["data_problem", "underfitting"],
             fixed_truth=dict(val_metric_at_least=0.85, val_loss_rise_at_most=0.1),
             split="holdout", port="generated multi-label data with 31 features",
             fix_note="Not a healthy program: the thread's fix (binary cross-entropy) "
             "fixes the loss, but 20 epochs of Adam on 1,125 examples with a 40-31 ReLU net "
             "overfit in every seed - the validation loss bottoms out by epoch 4 and climbs "
             "every epoch after while the training loss keeps falling (seeds 0/1/2: +17%, "
             "+66%, +33% over the best; seed 2's validation accuracy drops 0.92 -> 0.89). "
             "The fix does not address that; a twin whose validation loss ends more than 10% "
             "above its best (epoch-to-epoch noise on 375 examples is a few percent) is left "
             "unscored, and the doctor's overfitting on it is a true finding."),
    _program("keras2576_unscaled_targets", keras2576_unscaled_regression_targets, KI,
             "https://github.com/keras-team/keras/issues/2576",
             "regression targets of +-2000 for a linear model trained 10 epochs",
             "standardized targets", ["data_problem", "loss_not_decreasing", "underfitting"],
             truth=dict(final_over_first_loss=0.6), fixed_truth=dict(val_loss_at_most=0.2),
             split="tune", port="4,000 of the 10,000 examples"),
    _program("keras108_tanh_output_regression", keras108_tanh_output_regression, KI,
             "https://github.com/keras-team/keras/issues/108",
             "tanh output layer for an unbounded regression target", "linear output",
             ["wrong_loss"], ["loss_not_decreasing", "underfitting", "data_problem",
                              "saturated_units"],
             truth=dict(val_loss_at_least=5.0), fixed_truth=dict(val_loss_at_most=3.0),
             split="holdout", port="generated regression target spread over -5..15"),
    _program("keras126_softmax_single_unit", keras126_softmax_single_unit, KI,
             "https://github.com/keras-team/keras/issues/126",
             "Dense(1, softmax): the output is always 1", "sigmoid output",
             ["wrong_loss"], ["loss_not_decreasing", "underfitting", "data_problem"],
             truth=dict(val_metric_at_most=0.6), fixed_truth=dict(val_metric_at_least=0.9),
             split="tune", port="1,200 generated points instead of the 8 in the thread"),
    _program("keras510_unstandardized_features", keras510_unstandardized_features, KI,
             "https://github.com/keras-team/keras/issues/510",
             "features in the thousands, not standardized: NaN loss", "standardized inputs",
             ["data_problem", "nan_loss", "diverging", "loss_not_decreasing", "unstable"],
             ["exploding_gradients", "dead_units", "underfitting"],
             truth=dict(val_metric_at_most=0.75), fixed_truth=dict(val_metric_at_least=0.85),
             split="holdout", port="generated features scaled 1..10^4"),
    _program("keras2001_zero_std_standardization", keras2001_standardized_by_zero_std, KI,
             "https://github.com/keras-team/keras/issues/2001",
             "dividing by a zero std puts NaN in the inputs", "std 0 replaced by 1",
             ["nan_loss", "data_problem"], ["exploding_gradients"],
             truth=dict(val_metric_at_most=0.3), fixed_truth=dict(val_metric_at_least=0.9),
             split="tune", port="digits for the MNIST pairs, one classifier"),
    _program("keras7558_swapped_ce_arguments", keras7558_swapped_crossentropy_arguments, KI,
             "https://github.com/keras-team/keras/issues/7558",
             "cross-entropy called with prediction and target swapped",
             "(target, output) order", [], healthy_bug=True,
             truth=dict(val_metric_at_least=0.85), fixed_truth=dict(val_metric_at_least=0.9),
             split="holdout", port="Keras 3 clips the 'probabilities' (here the one-hot "
             "target) to [eps, 1 - eps], so the swapped call still penalizes every wrong-class "
             "probability and trains: both twins are healthy here"),
    _program("keras6143_from_logits_softmax", keras6143_from_logits_on_softmax, KI,
             "https://github.com/keras-team/keras/issues/6143",
             "from_logits=True on a softmax output (Keras 2: softmax twice)",
             "from_logits=False", [], healthy_bug=True,
             truth=dict(val_metric_at_least=0.9), fixed_truth=dict(val_metric_at_least=0.9),
             split="tune", port="Keras 3 trains the faulty program correctly: both healthy"),
    _program("keras8346_sorted_validation_split", keras8346_validation_split_of_sorted_data, KI,
             "https://github.com/keras-team/keras/issues/8346",
             "validation_split on class-sorted data: validation is one unseen class",
             "shuffle before fit", ["data_problem"], ["overfitting", "unstable"],
             truth=dict(val_metric_at_most=0.3), fixed_truth=dict(val_metric_at_least=0.9),
             split="holdout", port="5 digit classes for the thread's 5 image classes"),
)

ROUND2 = (
    _program("keras3040_linear_regression_lr", keras3040_linear_regression_lr, KI,
             "https://github.com/keras-team/keras/issues/3040",
             "SGD(lr=0.001), batch 1, on raw x = 0..199: weights go NaN", "a lower learning rate",
             NAN_OR_DIVERGING, ["data_problem", "loss_not_decreasing"],
             truth=dict(loss_nonfinite=True), fixed_truth=dict(val_loss_at_most=1.0),
             port="150 shuffled points for training, 50 for validation; 5 epochs; the fix's "
             "rate 1e-5 (the thread names none)"),
    _program("keras6914_mnist_mlp_unnormalized", keras6914_mnist_mlp_unnormalized, KI,
             "https://github.com/keras-team/keras/issues/6914",
             "MNIST pixels 0..255 fed to mnist_mlp unscaled", "x /= 255",
             ["data_problem"], ["unstable", "loss_not_decreasing", "dead_units", "diverging",
                                "exploding_gradients", "underfitting", "nan_loss"],
             truth=dict(val_metric_at_most=0.85), fixed_truth=dict(val_metric_at_least=0.9),
             port="8x8 digits as 0..255 bytes; 10 epochs of batch 128"),
    _program("keras255_integer_division_zero_images", keras255_integer_division_zero_images,
             KI, "https://github.com/keras-team/keras/issues/255",
             "integer pixels divided by 255 while still int: every input is 0",
             "float pixels / 255", ["data_problem"],
             ["loss_not_decreasing", "underfitting", "dead_units"],
             truth=dict(val_metric_at_most=0.65), fixed_truth=dict(val_metric_at_least=0.9),
             port="digits 0 and 1 as bytes below 255 for the two screenshot classes; a "
             "one-convolution CNN"),
    _program("keras6260_unscaled_sum_regression", keras6260_unscaled_sum_regression, KI,
             "https://github.com/keras-team/keras/issues/6260",
             "inputs and target in the thousands, not normalized", "X / 1041, Y / 1041",
             ["data_problem", "loss_not_decreasing", "underfitting"],
             ["dead_units", "unstable", "diverging"],
             truth=dict(val_loss_at_least=18000.0), fixed_truth=dict(val_loss_at_most=0.0167),
             port="both addends drawn at random (in the thread their sum is constant); the "
             "network (12-8-1 ReLU, Adam) is a guess: the thread's zip is not shown"),
    _program("keras12096_relu_output_cnn", keras12096_relu_output_cnn, KI,
             "https://github.com/keras-team/keras/issues/12096",
             "Dense(2, relu) output under categorical cross-entropy", "softmax output",
             ["wrong_loss"], ["loss_not_decreasing", "dead_units", "underfitting",
                              "data_problem"],
             truth=dict(val_metric_at_most=0.75), fixed_truth=dict(val_metric_at_least=0.9),
             port="digits 3 and 8 for the thread's three dog/cat photos; 3x3 kernels"),
    _program("keras741_multilabel_softmax", keras741_multilabel_softmax, KI,
             "https://github.com/keras-team/keras/issues/741",
             "multi-label targets under softmax + categorical cross-entropy",
             "sigmoid outputs + binary_crossentropy", ["wrong_loss"],
             ["underfitting", "loss_not_decreasing", "data_problem"],
             truth=dict(val_metric_at_most=0.8), fixed_truth=dict(val_metric_at_least=0.8),
             port="make_multilabel_classification, 5 labels"),
    _program("d4ml003_logreg_unclipped_log", dltf_logistic_regression_unclipped_log, D4ML,
             "https://github.com/gabrieleangeletti/Deep-Learning-TensorFlow/commit/726b371",
             "cross-entropy with log(p) and log(1 - p) unclipped turns NaN",
             "p clipped to [1e-10, inf)", NAN_OR_DIVERGING,
             ["loss_not_decreasing", "dead_units", "data_problem"],
             truth=dict(loss_nonfinite=True), fixed_truth=dict(val_metric_at_least=0.85),
             port="digits for MNIST; SGD 0.5 as d4ml001's tutorial (the repository's flags "
             "set the rate per run)"),
    _program("d4ml004_dbn_cost_on_linear_output", dltf_dbn_cost_on_linear_output, D4ML,
             "https://github.com/gabrieleangeletti/Deep-Learning-TensorFlow/commit/20d1b59",
             "clipped cross-entropy applied to the linear last layer", "softmax first",
             ["wrong_loss"], ["loss_not_decreasing", "underfitting", "data_problem",
                              "saturated_units", "diverging"],
             truth=dict(val_metric_at_most=0.8), fixed_truth=dict(val_metric_at_least=0.85),
             port="the DBN's pretrained sigmoid stack (128-64) trained from scratch, as "
             "d4ml005",
             fix_note="The fix (softmax, then the same per-class clipped cross-entropy) trains "
             "slowly with SGD 0.1 from scratch: validation accuracy 0.36-0.49 after 15 epochs "
             "against the nearest neighbours' 0.97, so the doctor's underfitting warning on "
             "it is a true finding; the original fine-tuned a pretrained DBN."),
    _program("d4ml046_xor_hard_sigmoid", xor_hard_sigmoid, D4ML,
             "https://github.com/DanilaEremenko/NeuralNetwork/commit/eba6bed",
             "sigmoid output, 1000 epochs", "hard_sigmoid output, 300 epochs", [],
             healthy_bug=True, truth=dict(val_metric_at_least=0.9),
             fixed_truth=dict(val_metric_at_least=0.9),
             port="400 noisy XOR corners for the 4 points; 20 / 6 epochs of batch 1: both "
             "versions learn XOR, so both twins are healthy"),
    _program("d4ml041_mnist_cnn_dropout", mlflow_mnist_cnn_dropout, D4ML,
             "https://github.com/dbczumar/mlflow-keras-mnist/commit/b29cab7",
             "Dropout(0.5) before the softmax", "that Dropout removed", [], healthy_bug=True,
             truth=dict(val_metric_at_least=0.9), fixed_truth=dict(val_metric_at_least=0.9),
             port="8x8 digits, padding 'same'; Adadelta(1.0), Keras 2's default rate (Keras "
             "3's is 0.001); 8 epochs: both versions train, both twins healthy"),
    _program("d4ml040_mnist_cnn_structure", mlflow_mnist_cnn_structure, D4ML,
             "https://github.com/dbczumar/mlflow-keras-mnist/commit/86eb14d",
             "Conv 32 -> Conv 64", "Conv 64 -> max-pool -> Conv 64", [], healthy_bug=True,
             truth=dict(val_metric_at_least=0.9), fixed_truth=dict(val_metric_at_least=0.9),
             port="as d4ml041: both twins healthy"),
    _program("d4ml048_cnn_7x7_filters", simple_cnn_7x7_filters, D4ML,
             "https://github.com/AlexGidiotis/Keras-tutorial-on-CNNs/commit/b5acb01",
             "7x7 filters in the first block, Adam's defaults",
             "3x3 filters, Adam(lr=1e-4, decay=1e-6)", [], healthy_bug=True,
             truth=dict(val_metric_at_least=0.85), fixed_truth=dict(val_metric_at_least=0.85),
             port="8x8 digits for CIFAR-10; 10 / 25 epochs: a filter size is no training "
             "fault on 8x8 images, both twins healthy"),
    _program("d4ml035_fasttext_average_pooling", imdb_fasttext_average_pooling, D4ML,
             "https://github.com/caslei/keras/commit/9d7a233",
             "AveragePooling1D(sequence length) + Flatten", "GlobalAveragePooling1D", [],
             healthy_bug=True, truth=dict(val_metric_at_least=0.75),
             fixed_truth=dict(val_metric_at_least=0.75),
             port="2,000 generated reviews of 100 tokens (a 500-word vocabulary with random "
             "polarities) for IMDB; uni-grams: the two poolings compute the same mean, both "
             "twins healthy"),
    _program("d4ml049_jena_gru_std_rows", jena_gru_std_rows, D4ML,
             "https://github.com/alexchungio/Keras-Learning-Advance/commit/3cfbfaf",
             "inputs standardized with a mean and a std taken over different, short spans",
             "both over the first 200,000 rows (and two stacked GRUs)", [], healthy_bug=True,
             truth=dict(val_loss_at_most=0.5), fixed_truth=dict(val_loss_at_most=0.5),
             port="6,000 steps of three generated weather series (seasonal drift, daily "
             "cycle, noise); spans cut by 50; 5 epochs: the inputs stay within a few units "
             "either way, both twins healthy"),
    _program("keras12689_validation_preprocessed_differently",
             keras12689_validation_preprocessed_differently, KI,
             "https://github.com/keras-team/keras/issues/12689",
             "validation images not rescaled like the training ones (0..255 vs 0..1)",
             "the same rescaling for both", ["data_problem"], ["overfitting", "underfitting"],
             truth=dict(val_metric_at_most=0.6), fixed_truth=dict(val_metric_at_least=0.9),
             port="8x8 digits as 0..255 bytes for the clothing photos; a one-convolution CNN"),
    _program("kerasresnet46_softmax_regression", keras_resnet46_softmax_regression, GH,
             "https://github.com/raghakot/keras-resnet/issues/46",
             "a regression ending in Dense(1, softmax) (the builder's classifier head)",
             "a linear last layer", ["wrong_loss"],
             ["loss_not_decreasing", "underfitting", "data_problem"],
             truth=dict(val_loss_at_least=0.5), fixed_truth=dict(val_loss_at_most=0.3),
             port="a one-block ResNet on 8x8 digits regressing a standardized linear "
             "function of the pixels",
             fix_note="The linear head fits better but not to 0.3: global average pooling "
             "discards where a pixel is, and the target weighs each position differently."),
    _program("keras4994_binary_ce_one_unit_bottleneck", keras4994_binary_ce_one_unit_bottleneck,
             KI, "https://github.com/keras-team/keras/issues/4994",
             "binary_crossentropy for 20 classes behind a one-unit sigmoid layer",
             "categorical_crossentropy and Dense(20) for the one-unit layer",
             ["wrong_loss", "underfitting"], ["loss_not_decreasing", "saturated_units",
                                             "data_problem", "vanishing_gradients"],
             truth=dict(val_metric_at_most=0.3), fixed_truth=dict(val_metric_at_least=0.6),
             port="2,000 generated 30-token posts (each of 20 groups draws 30% of its words "
             "from 12 topic words) for 20 newsgroups; LSTM 32 for 128; 8 epochs",
             fix_note="The fix trains (validation accuracy 0.19-0.30 after 8 epochs against "
             "0.05 for the fault) but an LSTM from scratch needs more epochs than a "
             "benchmark-sized run gives it to reach 0.6."),
)

PROGRAMS = PROGRAMS + ROUND2
CASES = [case for pair in PROGRAMS for case in pair]
