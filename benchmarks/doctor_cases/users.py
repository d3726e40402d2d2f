"""Users' own models in a plain `fit` (issue 19): a two-output functional model and a subclassed
model built on its first call, each healthy and with a fault, so the benchmark checks that the
doctor probes them (no internal error) and judges each output."""

import keras

from benchmarks.doctor_cases.field import _digits

OURS = "ours (users' own models)"


def two_outputs(seed, fixed):
    """Digit class (softmax over 10) and "is the digit even" (one unit). The fault: the second
    head is a softmax over ONE unit, which always outputs 1."""
    x, y, x_val, y_val = _digits(seed)
    inputs = keras.Input((64,), name="pixels")
    hidden = keras.layers.Dense(64, activation="relu")(inputs)
    digit = keras.layers.Dense(10, activation="softmax", name="digit")(hidden)
    even = keras.layers.Dense(1, activation="sigmoid" if fixed else "softmax",
                              name="even")(hidden)
    model = keras.Model(inputs, {"digit": digit, "even": even})
    model.compile("adam", {"digit": "sparse_categorical_crossentropy",
                           "even": "binary_crossentropy"},
                  metrics={"digit": ["accuracy"], "even": ["accuracy"]})
    labels = lambda ids: {"digit": ids, "even": (ids % 2 == 0).astype(  # noqa: E731
        "float32")[:, None]}
    return dict(model=model, x=x, y=labels(y), x_val=x_val, y_val=labels(y_val),
                fit=dict(epochs=8, batch_size=32))


class DigitNet(keras.Model):
    """A subclassed model: its weights exist only after its first call, inside fit."""

    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(64, activation="relu")
        self.out = keras.layers.Dense(10, activation="softmax")

    def call(self, x):
        return self.out(self.hidden(x))


def subclassed(seed, fixed):
    """The fault: SGD with a learning rate of 50 (the fix: 0.05)."""
    x, y, x_val, y_val = _digits(seed)
    model = DigitNet()
    model.compile(keras.optimizers.SGD(0.05 if fixed else 50.0),
                  "sparse_categorical_crossentropy", metrics=["accuracy"])
    return dict(model=model, x=x, y=y, x_val=x_val, y_val=y_val,
                fit=dict(epochs=8, batch_size=32))


def _pair(name, build, fault, fix, expected, acceptable, truth, fixed_truth, split):
    common = dict(source=OURS, fault=fault, fix=fix, port="", split=split, program=build)
    return [dict(name=name, fixed=False, expected=expected, acceptable=acceptable, truth=truth,
                 **common),
            dict(name=name + "__fixed", fixed=True, expected=[], truth=fixed_truth, **common)]


CASES = (
    _pair("users_two_outputs_softmax_one_unit", two_outputs,
          "second output: softmax over one unit", "sigmoid", ["wrong_loss"],
          ["loss_not_decreasing"], dict(metric="even_accuracy", val_metric_at_most=0.6),
          dict(metric="digit_accuracy", val_metric_at_least=0.9), "tune")
    + _pair("users_subclassed_learning_rate", subclassed, "SGD learning rate 50",
            "learning rate 0.05", ["nan_loss", "diverging", "unstable", "exploding_gradients",
                                   "loss_not_decreasing", "dead_units"], [],
            dict(val_metric_at_most=0.5), dict(val_metric_at_least=0.9), "holdout"))

