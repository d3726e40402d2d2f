"""Tasks: what a label is, and the head, loss, metrics and export outputs that go with it.

    task.name = classification | binary | multilabel | regression

- classification: one integer class per example (or class names in a CSV, where a column of
  numbers names classes too: `table.class_names`); K logits; sparse
  categorical cross-entropy (`task.label_smoothing`); metric `accuracy`.
- binary: two distinct label values (0/1, booleans, or any two values, mapped in sorted order and
  saved with the run); one logit; binary cross-entropy; metrics `accuracy`, `auc`.
- multilabel: an (n, k) array of 0/1; k independent logits; binary cross-entropy; metrics
  `accuracy` (per label, averaged) and `auc` (multi-label).
- regression: one or k numbers per example; `task.loss` = mse | mae | huber. Targets are
  standardized with the training split's mean and standard deviation inside the loss, so the
  learning rate needs no retuning for targets in the hundreds, while the model's output, the
  metrics `mae` and `rmse` and the export stay in the target's own units. With k > 1 targets
  (a csv's `data.label_columns`) `mae` and `rmse` pool all k targets' errors (one mean over
  every example and target, units mixed); `mae_<target>` and `rmse_<target>` report each one.

Averages: `accuracy` is over examples (multilabel: over every example-label pair, i.e. micro);
binary `auc` is the ROC AUC of the one output; multilabel `auc` is Keras' `multi_label=True`
AUC: one ROC AUC per label, then their plain mean (macro).

Label checks and preparation are NumPy only (they run before TensorFlow starts); the Keras parts
import Keras when called (the losses live in ktrain_kit/losses.py, the layer in layers.py).
"""

import dataclasses

import numpy as np

from ktrain_kit.errors import config_error, file_error

# Training runs in float32, and normalizing inputs or the rmse of targets squares each value: a
# value beyond the square root of float32's largest (~1.8e19) becomes Inf and the loss NaN.
LARGEST = float(np.sqrt(np.finfo(np.float32).max))
# ... and targets that differ from their mean by less than the square root of float32's
# smallest normal number (~1.1e-19) have squared errors that underflow to 0: an rmse of 0.0
# below its own mae, a best epoch read from zeros.
SMALLEST_SPREAD = float(np.sqrt(np.finfo(np.float32).tiny))
FLOAT32_BITS_KEPT = 12  # of float32's 24: what a column's offset may not take


def float32_rounds_away(values) -> bool:
    """Whether values' offset takes more than half of float32's 24 bits: the largest beyond
    2**12 spreads from zero, so float32's rounding (2**-24 of the value) exceeds 2**-12 of
    the spread (epoch milliseconds, 1.7e12 over ten minutes: steps of 131,072). A feature
    column so is centred in float64 (data/features.py); a regression target is refused. The
    spread is the smaller of the standard deviation and the interquartile range's (IQR /
    1.349, the same for normal data): one placeholder `0` among the timestamps (a date
    written as 1970) made the standard deviation 5e10 and kept a column in float32."""
    values = np.asarray(values, np.float64)
    present = values[~np.isnan(values)]
    if not present.size:
        return False
    quartiles = np.percentile(present, [25, 75])
    spreads = [s for s in (float(present.std()), float(quartiles[1] - quartiles[0]) / 1.349)
               if s > 0]
    return bool(spreads) and \
        float(np.abs(present).max()) > 2.0 ** FLOAT32_BITS_KEPT * min(spreads)

TASKS = ("classification", "binary", "multilabel", "regression")
LOSSES = {"classification": ("auto", "crossentropy"), "binary": ("auto", "binary_crossentropy"),
          "multilabel": ("auto", "binary_crossentropy"), "regression": ("auto", "mse", "mae",
                                                                        "huber")}
METRICS = {"classification": ("accuracy",), "binary": ("accuracy", "auc"),
           "multilabel": ("accuracy", "auc"), "regression": ("mae", "rmse")}
MAIN_METRIC = {"classification": "accuracy", "binary": "auc", "multilabel": "auc",
               "regression": "rmse"}
MAX_CLASSES = 100_000   # a label above this is almost surely an id column, not a class
LOWER_IS_BETTER = ("loss", "mae", "rmse", "mse")


def logged_columns(task: str) -> list:
    """The metric names a run of `task` logs per epoch (metrics.csv columns, monitor names)."""
    names = ["loss", *METRICS[task]]
    return names + [f"val_{n}" for n in names]


def maximize(metric: str) -> bool:
    """Whether a larger value of `metric` (a metrics.csv column) is better."""
    base = metric[len("val_"):] if metric.startswith("val_") else metric
    # `<output>_loss` of a multi-output model; `rmse_<target>` of a several-target regression
    return not any(base == k or base.endswith(k) or base.startswith(f"{k}_")
                   for k in LOWER_IS_BETTER)


# --------------------------------------------------------------------------- labels (NumPy)
@dataclasses.dataclass
class Labels:
    y: np.ndarray        # ready for training: int32 ids, float32 0/1, or float32 targets
    num_outputs: int
    info: dict           # what to save with the run: class names, label mapping, ...


def prepare_labels(task: str, y, where: str, known: dict | None = None,
                   num_classes: int | None = None) -> Labels:
    """Checks raw labels for `task` and turns them into training labels.

    `known` is a mapping saved by an earlier run of the same config (resume, evaluate): the
    labels must map the same way. `num_classes` fixes the class count (generated data).
    """
    y = np.asarray(y)
    if y.dtype.kind == "c":
        raise file_error(where, "labels are complex numbers", "give real-valued labels")
    return _PREPARE[task](y, where, known or {}, num_classes)


def _classification(y, where, known, num_classes):
    y = _one_column(y, where, "one class per example")
    if y.dtype.kind in "OSU":  # class names
        names = [str(v) for v in y]
        class_names = known.get("class_names") or sorted(set(names), key=class_order)
        index = {name: i for i, name in enumerate(class_names)}
        unknown = sorted(set(names) - set(index))
        if unknown:
            raise file_error(where, f"has labels {unknown[:3]} that the run was trained "
                             "without", "use the data the run was trained on")
        ids, classes = np.array([index[n] for n in names], np.int64), len(class_names)
    else:
        ids = _whole_numbers(y, where, "class ids 0..K-1")
        if ids.min() < 0:
            raise file_error(where, f"label {ids.min()} is negative", "use class ids 0..K-1")
        if ids.max() >= MAX_CLASSES:
            raise file_error(where, f"label {ids.max()} would need a {ids.max() + 1:,}-way "
                             f"output layer (at most {MAX_CLASSES:,} classes)", "give class ids "
                             "0..K-1 (is the label column an id column?)")
        classes = num_classes or len(known.get("class_names") or []) or int(ids.max()) + 1
        if ids.max() >= classes:
            raise file_error(where, f"label {ids.max()} is outside the {classes} classes",
                             "use the data the run was trained on")
        class_names = known.get("class_names") or [str(i) for i in range(classes)]
    present = np.unique(ids)
    if len(present) < 2:  # names or ids alike: nothing to tell apart
        raise file_error(where, f"holds a single class ({class_names[present[0]]!r})",
                         "a classifier needs at least 2 classes")
    return Labels(ids.astype(np.int32), classes, {"class_names": class_names})


def class_order(name: str):
    """Class names in sorted order, numbers by value ('2' before '10', '-1' before '1'): so
    names '0'..'K-1' keep their ids, and numbered classes read in order. Text sorts after."""
    try:
        number = float(name) if "_" not in name else np.nan  # float() reads '1_000'
    except ValueError:
        return (1, 0.0, name)
    return (0, number, name) if np.isfinite(number) else (1, 0.0, name)


def _binary(y, where, known, num_classes):
    y = _one_column(y, where, "one 0/1 label per example")
    values = [_plain(v) for v in np.unique(y)]
    mapping = known.get("label_values") or values
    if len(values) != 2 and not known.get("label_values"):
        shown = ", ".join(map(str, values[:5])) + (", ..." if len(values) > 5 else "")
        raise file_error(where, f"a binary task needs exactly 2 distinct labels, found "
                         f"{len(values)} ({shown})", "use task.name=classification for more "
                         "classes" if len(values) > 2 else "add examples of the other class")
    unknown = [v for v in values if v not in mapping]
    if unknown:
        raise file_error(where, f"has label {unknown[0]!r}; the run was trained on "
                         f"{mapping}", "use the data the run was trained on")
    y01 = (np.array([_plain(v) for v in y], dtype=object) == mapping[1]).astype(np.float32)
    return Labels(y01[:, None], 1, {"label_values": mapping})


def _multilabel(y, where, known, num_classes):
    if y.ndim != 2 or y.shape[1] < 1:
        raise file_error(where, f"multilabel needs an (examples, labels) array of 0/1, got "
                         f"shape {y.shape}", "give one 0/1 column per label (npz y of shape "
                         "(n, k), or data.label_columns for a csv)")
    if y.dtype.kind not in "biuf" or not np.all(np.isin(y, (0, 1))):
        raise file_error(where, "multilabel labels must all be 0 or 1",
                         "mark each label present (1) or absent (0)")
    names = known.get("label_names") or [str(i) for i in range(y.shape[1])]
    constant = [i for i in range(y.shape[1]) if len(y) > 1 and np.all(y[:, i] == y[0, i])]
    if constant:  # as a constant regression target: nothing to learn, and its AUC (the
        i = constant[0]  # main metric, averaged over the labels) undefined - read as 0.5
        which = f"label '{names[i]}'" if len(names) == y.shape[1] else f"label {i}"
        raise file_error(where, f"{which} is {'present' if y[0, i] else 'absent'} (the "
                         f"value {y[0, i]:g}) in every example, so there is nothing to learn "
                         "for it", "leave it out of the labels, or give examples of both values")
    return Labels(y.astype(np.float32), y.shape[1], {"label_names": names})


def _regression(y, where, known, num_classes):
    if y.dtype.kind not in "biuf":
        raise file_error(where, f"regression targets must be numbers, found {y.dtype} values",
                         "give numeric targets (or use task.name=classification for classes)")
    if y.ndim not in (1, 2):
        raise file_error(where, f"regression targets have shape {y.shape}",
                         "give one number (n,) or k numbers (n, k) per example")
    y = y.astype(np.float64)
    if not np.all(np.isfinite(y)):
        raise file_error(where, "regression targets hold NaN or Inf",
                         "clean or drop those examples")
    if y.size and np.abs(y).max() > LARGEST:
        raise file_error(where, f"a regression target is {np.abs(y).max():.3g} in size, "
                         f"beyond {LARGEST:.2g}, where its square (the rmse) overflows float32",
                         "rescale the targets (other units, or their log)")
    y = y.reshape(len(y), -1)  # (n, k), like the model's output; the export returns (n,) for k=1
    names = known.get("label_names")
    constant = [i for i in range(y.shape[1]) if len(y) > 1 and np.all(y[:, i] == y[0, i])]
    if constant:  # like a single class: a model has nothing to learn from it
        i = constant[0]
        which = (f"target '{names[i]}'" if names and len(names) == y.shape[1] else
                 f"target {i}" if y.shape[1] > 1 else "the target")
        raise file_error(where, f"{which} is {y[0, i]:g} in every example, so there is "
                         "nothing to learn", "use targets that vary")
    spread = np.abs(y - y.mean(axis=0)).max(axis=0) if len(y) else np.zeros(y.shape[1])
    tiny = [i for i in range(y.shape[1]) if spread[i] < SMALLEST_SPREAD]
    if tiny:
        i = tiny[0]
        which = (f"target '{names[i]}'" if names and len(names) == y.shape[1] else
                 f"target {i}" if y.shape[1] > 1 else "the target")
        raise file_error(where, f"{which} differs from its mean by at most {spread[i]:.3g}, "
                         f"below {SMALLEST_SPREAD:.2g}, where squared errors (the rmse) "
                         "underflow float32 to 0", "rescale the targets (other units: "
                         "multiply them by a power of 10)")
    rounded = [i for i in range(y.shape[1]) if float32_rounds_away(y[:, i])]
    if rounded:  # the model, its loss and metrics compute in float32: rounded alike, the
        i = rounded[0]  # targets and predictions read an RMSE of 0.0000, the export worse
        which = (f"target '{names[i]}'" if names and len(names) == y.shape[1] else  # than
                 f"target {i}" if y.shape[1] > 1 else "the target")  # the mean
        base = float(np.median(y[:, i]))
        raise file_error(where, f"{which} lies far from zero for its spread (around "
                         f"{base:.6g}): the model computes in float32, which keeps about 7 "
                         "digits, so the differences between targets would be rounded away",
                         f"subtract a base value from it in the file ({base:.6g}) and add "
                         "it back to the predictions")
    info = {"label_names": list(names)} if y.shape[1] > 1 and names else {}
    return Labels(y.astype(np.float32), y.shape[1], info)


_PREPARE = {"classification": _classification, "binary": _binary, "multilabel": _multilabel,
            "regression": _regression}


def target_statistics(y_train) -> dict:
    """Mean and standard deviation of regression targets, per output (a constant gets std 1)."""
    y = np.asarray(y_train, np.float64).reshape(len(y_train), -1)
    std = y.std(axis=0)
    return {"target_mean": [float(v) for v in y.mean(axis=0)],
            "target_std": [float(s) if s > 0 else 1.0 for s in std]}


def class_weights(setting, counts, task: str, num_outputs: int, info: dict):
    """Per-class loss weights from `data.class_weight` (none | balanced | {class: weight});
    `counts`: training examples per class (Dataset.label_counts)."""
    if setting in (None, "", "none") or task not in ("classification", "binary"):
        return None
    classes = 2 if task == "binary" else num_outputs
    if setting == "balanced":  # scikit-learn's rule: n / (classes * count)
        counts = np.asarray(counts, np.float64)
        return [float(counts.sum() / (classes * c)) if c else 0.0 for c in counts]
    if hasattr(setting, "items"):
        names = [str(v) for v in (info.get("label_values") or info.get("class_names") or [])]
        weights = [1.0] * classes
        for key, weight in setting.items():
            key = str(key)
            index = names.index(key) if key in names else (int(key) if key.lstrip("-").isdigit()
                                                             else None)
            if index is None or not 0 <= index < classes:
                raise config_error("data.class_weight", f"names no class '{key}'",
                                   f"use class ids 0..{classes - 1} or names {names[:5]}")
            weights[index] = float(weight)
        return weights
    raise config_error("data.class_weight", f"unknown value {setting!r}",
                       "use 'none', 'balanced' or a mapping {class: weight}")


def _one_column(y, where, what):
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise file_error(where, f"labels have shape {y.shape}, expected {what}",
                         "use task.name=multilabel for several 0/1 labels per example"
                         if y.ndim == 2 else "give one label per example")
    return y


def _whole_numbers(y, where, what):
    if y.dtype.kind == "b":
        return y.astype(np.int64)
    if y.dtype.kind not in "iuf":
        raise file_error(where, f"labels are {y.dtype} values, not numbers", f"use {what}")
    if y.dtype.kind == "f" and (not np.all(np.isfinite(y)) or np.any(y != np.round(y))):
        raise file_error(where, "labels are not whole numbers", f"use {what}")
    if y.dtype.kind in "iu" and y.size and (y.max() > np.iinfo(np.int64).max // 2):
        raise file_error(where, f"label {y.max()} does not fit a class id", f"use {what}")
    if y.dtype.kind == "f" and y.size and np.abs(y).max() > 2.0 ** 53:
        raise file_error(where, f"label {y.max():.3g} does not fit a class id", f"use {what}")
    return y.astype(np.int64)


def _plain(value):
    """A label value as a plain JSON-able Python value (numpy scalars, bytes, ...)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --------------------------------------------------------------------------- Keras parts
def loss_and_metrics(task_config, num_outputs: int, info: dict, from_logits: bool = True):
    """(loss, metrics) to compile a model of this task with."""
    import keras

    from ktrain_kit.losses import SmoothedSparseCrossentropy, StandardizedLoss, TargetError
    name = task_config.name
    if name == "classification":
        if task_config.label_smoothing:
            loss = SmoothedSparseCrossentropy(task_config.label_smoothing, from_logits)
        else:
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
        return loss, [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
    if name in ("binary", "multilabel"):
        threshold = 0.0 if from_logits else 0.5
        auc = (keras.metrics.AUC(name="auc", from_logits=from_logits) if name == "binary" else
               keras.metrics.AUC(name="auc", multi_label=True, num_labels=num_outputs,
                                 from_logits=from_logits))
        return (keras.losses.BinaryCrossentropy(from_logits=from_logits),
                [keras.metrics.BinaryAccuracy(name="accuracy", threshold=threshold), auc])
    loss = StandardizedLoss(task_config.loss if task_config.loss != "auto" else "mse",
                            info["target_mean"], info["target_std"])
    per_target = [TargetError(i, kind, name=f"{kind}_{target}")
                  for i, target in enumerate(target_names(info, num_outputs))
                  for kind in ("mae", "rmse")] if num_outputs > 1 else []
    return loss, [keras.metrics.MeanAbsoluteError(name="mae"),
                  keras.metrics.RootMeanSquaredError(name="rmse"), *per_target]


def target_names(info: dict, num_outputs: int) -> list:
    """Each regression target's name as a metric name (letters, digits, '_')."""
    import re
    names = info.get("label_names") or [str(i) for i in range(num_outputs)]
    return [re.sub(r"\W", "_", str(n)) for n in names]


def add_output_layers(model, task: str, info: dict):
    """The model a run trains: regression heads get their output put back in target units."""
    if task != "regression":
        return model
    import keras

    from ktrain_kit.layers import Destandardize
    outputs = Destandardize(info["target_mean"], info["target_std"], name="target_units")(
        model.outputs[0])
    return keras.Model(model.inputs, outputs, name=model.name)


def serving_outputs(task: str, outputs, from_logits: bool = True) -> dict:
    """The export signature's outputs (float32) for the model's raw outputs."""
    import tensorflow as tf
    outputs = tf.cast(outputs, tf.float32)
    if task == "classification":
        probabilities = tf.nn.softmax(outputs) if from_logits else outputs
        return {"probabilities": probabilities, "logits": outputs}
    if task == "binary":
        logits = tf.reshape(outputs, [-1])
        return {"probability": tf.sigmoid(logits) if from_logits else logits, "logits": logits}
    if task == "multilabel":
        return {"probabilities": tf.sigmoid(outputs) if from_logits else outputs,
                "logits": outputs}
    return {"predictions": tf.reshape(outputs, [-1]) if outputs.shape[-1] == 1 else outputs}
