"""Data and models for the doctor's benchmark cases, from scikit-learn's bundled sets and
generators only (nothing is downloaded)."""

import keras
import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split


def _raw(spec, seed):
    name = spec["set"]
    if name == "iris":
        return datasets.load_iris(return_X_y=True), "classification"
    if name == "wine":
        return datasets.load_wine(return_X_y=True), "classification"
    if name == "breast_cancer":
        return datasets.load_breast_cancer(return_X_y=True), "binary"
    if name == "digits":
        x, y = datasets.load_digits(return_X_y=True)
        return (x, y), "classification"
    if name == "diabetes":
        return datasets.load_diabetes(return_X_y=True, scaled=False), "regression"
    n = spec.get("n", 1000)
    if name == "moons":
        return datasets.make_moons(n, noise=spec.get("noise", 0.2), random_state=seed), "binary"
    if name == "circles":
        return datasets.make_circles(n, noise=spec.get("noise", 0.1), factor=0.5,
                                     random_state=seed), "binary"
    if name == "blobs":
        return datasets.make_blobs(n, centers=spec.get("classes", 3), n_features=4,
                                   cluster_std=spec.get("std", 1.0), random_state=seed), \
            "classification"
    if name == "quantiles":
        return datasets.make_gaussian_quantiles(n_samples=n, n_features=4, n_classes=2,
                                                random_state=seed), "binary"
    if name == "classification":
        classes = spec.get("classes", 2)
        return datasets.make_classification(
            n, n_features=spec.get("features", 20), n_informative=spec.get("informative", 5),
            n_redundant=0, n_classes=classes, flip_y=spec.get("flip_y", 0.01),
            class_sep=spec.get("sep", 1.0), random_state=seed), \
            "binary" if classes == 2 else "classification"
    if name == "friedman1":
        return datasets.make_friedman1(n, noise=spec.get("noise", 1.0), random_state=seed), \
            "regression"
    if name == "regression":
        return datasets.make_regression(n, n_features=10, noise=spec.get("noise", 5.0),
                                        random_state=seed), "regression"
    if name == "multilabel":
        return datasets.make_multilabel_classification(n, n_features=20, n_classes=5,
                                                       random_state=seed), "multilabel"
    raise ValueError(name)


def data(spec, seed):
    """(x_train, y_train, x_val, y_val, task) for a case's `data` description."""
    (x, y), task = _raw(spec, seed)
    x, y = np.asarray(x, np.float64), np.asarray(y)
    rng = np.random.default_rng(seed)
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=spec.get("val", 0.25), random_state=seed,
        stratify=y if task in ("classification", "binary") else None)
    if spec.get("train_n"):
        x_train, y_train = x_train[:spec["train_n"]], y_train[:spec["train_n"]]
    if spec.get("scale", "standard") == "standard":
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        std[std < 1e-8] = 1.0  # constant features (the digits' border pixels) stay 0
        x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
    x_train, x_val = x_train * spec.get("times", 1.0), x_val * spec.get("times", 1.0)
    if spec.get("images"):
        x_train, x_val = x_train.reshape(-1, 8, 8, 1), x_val.reshape(-1, 8, 8, 1)
    if task == "regression":
        if spec.get("standardize_targets", True):
            mean, std = y_train.mean(), y_train.std()
            y_train, y_val = (y_train - mean) / std, (y_val - mean) / std
        y_train, y_val = y_train * spec.get("target_times", 1.0), y_val * spec.get(
            "target_times", 1.0)
    if spec.get("shuffle_labels"):
        y_train = rng.permutation(y_train)
    if spec.get("flip"):  # a share of training labels replaced by random classes
        noisy = rng.random(len(y_train)) < spec["flip"]
        y_train = y_train.copy()
        y_train[noisy] = rng.integers(0, y_train.max() + 1, int(noisy.sum()))
    if spec.get("label_offset"):
        y_train, y_val = y_train + spec["label_offset"], y_val + spec["label_offset"]
    if spec.get("column"):  # labels as an (n, 1) column, as Keras' binary losses want them
        y_train, y_val = y_train[:, None], y_val[:, None]
    if spec.get("binary_as") == "minus_one":
        y_train, y_val = 2 * y_train - 1, 2 * y_val - 1
    if spec.get("onehot"):
        classes = int(max(y_train.max(), y_val.max())) + 1
        y_train, y_val = np.eye(classes)[y_train.astype(int)], np.eye(classes)[y_val.astype(int)]
    dtype = np.float32 if task in ("regression", "multilabel") or spec.get("onehot") or \
        spec.get("binary_as") else np.int32
    return (x_train.astype(np.float32), y_train.astype(dtype), x_val.astype(np.float32),
            y_val.astype(dtype), task)


def model(spec, x_train, outputs):
    """A Keras model from a case's `model` description: Dense stacks, or a small CNN."""
    init = spec.get("init", "glorot_uniform")
    if isinstance(init, (int, float)):
        init = keras.initializers.RandomNormal(stddev=float(init))
    bias = spec.get("bias_init")
    bias = keras.initializers.Constant(bias) if bias is not None else "zeros"
    regularizer = keras.regularizers.L2(spec["l2"]) if spec.get("l2") else None
    inputs = keras.Input(x_train.shape[1:])
    x = inputs
    if spec.get("cnn"):
        for filters in spec["cnn"]:
            x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
    if len(x.shape) > 2:
        x = keras.layers.Flatten()(x)
    for units in spec.get("hidden", []):
        x = keras.layers.Dense(units, kernel_initializer=init, bias_initializer=bias,
                               kernel_regularizer=regularizer)(x)
        if spec.get("batchnorm"):
            x = keras.layers.BatchNormalization()(x)
        x = keras.layers.Activation(spec.get("activation", "relu"))(x)
        if spec.get("dropout"):
            x = keras.layers.Dropout(spec["dropout"])(x)
    units = spec.get("units", outputs)
    out = keras.layers.Dense(units, activation=spec.get("output"), kernel_initializer=init
                             if spec.get("init_output", False) else "glorot_uniform",
                             kernel_regularizer=regularizer)(x)
    return keras.Model(inputs, out)


def outputs_for(task, y_train, y_val):
    if task == "binary":
        return 1
    if y_train.ndim == 2:
        return y_train.shape[1]
    if task == "regression":
        return 1
    return int(max(y_train.max(), y_val.max())) + 1


def compiled(spec, net):
    lr = spec.get("lr", 1e-3)
    name = spec.get("optimizer", "adam")
    optimizer = {"adam": lambda: keras.optimizers.Adam(lr),
                 "sgd": lambda: keras.optimizers.SGD(lr, momentum=spec.get("momentum", 0.0)),
                 "rmsprop": lambda: keras.optimizers.RMSprop(lr)}[name]()
    loss = spec["loss"]
    if spec.get("from_logits") is not None:
        loss = {"sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy,
                "categorical_crossentropy": keras.losses.CategoricalCrossentropy,
                "binary_crossentropy": keras.losses.BinaryCrossentropy}[loss](
            from_logits=spec["from_logits"])
    net.compile(optimizer, loss, metrics=spec.get("metrics", []))
    return net
