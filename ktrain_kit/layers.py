"""Layers of our own, registered so that saved models and weights load back.

`PositionEmbedding` adds learned positions to a token sequence; `Destandardize` turns a regression
head's standardized output back into the target's units.
"""

import keras


@keras.saving.register_keras_serializable(package="ktrain_kit")
class PositionEmbedding(keras.layers.Layer):
    """Adds a learned vector per position to a (batch, length, width) sequence.

    A layer that owns its position table, so the table is trained, saved and restored with the
    model. (`Embedding(...)(keras.ops.arange(n))` looks equivalent but is called on a constant
    outside the model's inputs: Keras leaves it out of the functional model, and every rebuild
    draws new random positions.)
    """

    def __init__(self, length, initializer="uniform", **kwargs):
        super().__init__(**kwargs)
        self.length, self.initializer = int(length), keras.initializers.get(initializer)

    def build(self, input_shape):
        self.embeddings = self.add_weight(shape=(self.length, input_shape[-1]),
                                          initializer=self.initializer, name="embeddings")

    def call(self, x):
        return x + keras.ops.cast(self.embeddings, x.dtype)[None, : keras.ops.shape(x)[1]]

    def get_config(self):
        return {**super().get_config(), "length": self.length,
                "initializer": keras.initializers.serialize(self.initializer)}


@keras.saving.register_keras_serializable(package="ktrain_kit")
class Destandardize(keras.layers.Layer):
    """output * std + mean, in float32: the head learns standardized targets, the model (and
    its export) answers in the target's units."""

    def __init__(self, mean=(0.0,), std=(1.0,), **kwargs):
        kwargs["dtype"] = "float32"
        super().__init__(**kwargs)
        self.mean, self.std = [float(m) for m in mean], [float(s) for s in std]

    def call(self, x):
        mean = keras.ops.convert_to_tensor(self.mean, "float32")
        std = keras.ops.convert_to_tensor(self.std, "float32")
        return keras.ops.cast(x, "float32") * std + mean

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "std": self.std}
