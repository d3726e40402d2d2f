"""Losses Keras lacks, registered so that saved models load back.

`SmoothedSparseCrossentropy`: sparse categorical cross-entropy with label smoothing (Keras' sparse
loss has no `label_smoothing`). `StandardizedLoss`: a regression loss computed on standardized
targets, so its scale (and the right learning rate) does not depend on the targets' units.
"""

import keras


@keras.saving.register_keras_serializable(package="ktrain_kit")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """The target puts 1 - s + s/K on the true class and s/K on every other class."""

    def __init__(self, smoothing=0.1, from_logits=True, name="smoothed_crossentropy",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.smoothing, self.from_logits = float(smoothing), bool(from_logits)

    def call(self, y_true, y_pred):
        classes = keras.ops.shape(y_pred)[-1]
        ids = keras.ops.cast(keras.ops.reshape(y_true, [-1]), "int32")
        return keras.losses.categorical_crossentropy(
            keras.ops.one_hot(ids, classes), y_pred, from_logits=self.from_logits,
            label_smoothing=self.smoothing)

    def get_config(self):
        return {**super().get_config(), "smoothing": self.smoothing,
                "from_logits": self.from_logits}


@keras.saving.register_keras_serializable(package="ktrain_kit")
class StandardizedLoss(keras.losses.Loss):
    """mse / mae / huber between (y - mean) / std and (prediction - mean) / std.

    The model predicts in target units (see `ktrain_kit.layers.Destandardize`); the loss
    measures errors in standard deviations of the training targets.
    """

    KINDS = ("mse", "mae", "huber")

    def __init__(self, kind="mse", mean=(0.0,), std=(1.0,), name=None, **kwargs):
        super().__init__(name=name or f"standardized_{kind}", **kwargs)
        if kind not in self.KINDS:
            raise ValueError(f"kind must be one of {self.KINDS}, got {kind!r}")
        self.kind = kind
        self.mean, self.std = [float(m) for m in mean], [float(s) for s in std]

    def call(self, y_true, y_pred):
        mean = keras.ops.convert_to_tensor(self.mean, "float32")
        std = keras.ops.convert_to_tensor(self.std, "float32")
        y_true = (keras.ops.cast(y_true, "float32") - mean) / std
        y_pred = (keras.ops.cast(y_pred, "float32") - mean) / std
        if self.kind == "mae":
            return keras.losses.mean_absolute_error(y_true, y_pred)
        if self.kind == "huber":
            return keras.losses.huber(y_true, y_pred)
        return keras.losses.mean_squared_error(y_true, y_pred)

    def get_config(self):
        return {**super().get_config(), "kind": self.kind, "mean": self.mean, "std": self.std}


@keras.saving.register_keras_serializable(package="ktrain_kit")
class TargetError(keras.metrics.Metric):
    """MAE or RMSE of ONE target of a multi-target regression (`index`), in its units.

    Keras' own `mae` / `rmse` pool every target's errors into one mean, which mixes units;
    these report each target alone (metrics.csv columns `mae_<target>`, `rmse_<target>`).
    """

    def __init__(self, index=0, kind="rmse", name=None, **kwargs):
        super().__init__(name=name or f"{kind}_{index}", **kwargs)
        self.index, self.kind = int(index), kind
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        error = (keras.ops.cast(y_true[:, self.index], "float32") -
                 keras.ops.cast(y_pred[:, self.index], "float32"))
        value = keras.ops.abs(error) if self.kind == "mae" else keras.ops.square(error)
        self.total.assign_add(keras.ops.sum(value))
        self.count.assign_add(keras.ops.cast(keras.ops.shape(value)[0], "float32"))

    def result(self):
        mean = self.total / keras.ops.maximum(self.count, 1.0)
        return keras.ops.sqrt(mean) if self.kind == "rmse" else mean

    def reset_state(self):
        self.total.assign(0.0)
        self.count.assign(0.0)

    def get_config(self):
        return {**super().get_config(), "index": self.index, "kind": self.kind}
