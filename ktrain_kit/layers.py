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


def smooth_idf(ids, vocab_size: int):
    """Inverse document frequency of each token id over documents of token ids (rows of `ids`):
    ln((1 + n) / (1 + df)) + 1, scikit-learn's `smooth_idf` rule (a word in every document keeps
    weight 1). Padding (id 0) and the unknown word (id 1) get 0, so they are left out, as
    scikit-learn leaves out words not in its vocabulary: a word the training split never had
    would otherwise get the highest weight, in a column whose Dense weights never trained."""
    import numpy as np
    ids = np.sort(np.asarray(ids).reshape(len(ids), -1), axis=1)
    first = np.ones(ids.shape, bool)  # each id once per document: its first place, sorted
    first[:, 1:] = ids[:, 1:] != ids[:, :-1]
    counted = ids[first & (ids > 0) & (ids < vocab_size)]
    df = np.bincount(counted, minlength=vocab_size)[:vocab_size].astype(np.float64)
    idf = np.log((1.0 + len(ids)) / (1.0 + df)) + 1.0
    idf[:2] = 0.0
    return idf.astype(np.float32)


@keras.saving.register_keras_serializable(package="ktrain_kit")
class TfIdf(keras.layers.Layer):
    """Token ids (batch, length) -> one L2-normalized tf-idf row per document (batch, vocab):
    (1 + ln count) x idf for each word present (scikit-learn's TfidfVectorizer with
    sublinear_tf), padding and unknown words left out (`smooth_idf`). The idf is a
    non-trainable weight set from the training split, so it is saved and restored with the
    model. Computed in float32 (counts and logs in bfloat16 would round)."""

    def __init__(self, vocab_size, idf=None, sublinear=True, **kwargs):
        kwargs["dtype"] = "float32"
        super().__init__(**kwargs)
        self.vocab_size, self.sublinear, self._initial = int(vocab_size), bool(sublinear), idf

    def build(self, input_shape):
        init = ("ones" if self._initial is None else
                keras.initializers.Constant(keras.ops.convert_to_numpy(self._initial)))
        self.idf = self.add_weight(shape=(self.vocab_size,), initializer=init, name="idf",
                                   trainable=False)

    def call(self, ids):
        ids = keras.ops.cast(ids, "int32")
        counts = keras.ops.cast(keras.ops.bincount(ids, minlength=self.vocab_size), "float32")
        counts = counts[:, : self.vocab_size]
        tf = (keras.ops.where(counts > 0, 1.0 + keras.ops.log(keras.ops.maximum(counts, 1.0)),
                              0.0) if self.sublinear else counts)
        weights = tf * self.idf
        norm = keras.ops.sqrt(keras.ops.sum(weights * weights, axis=-1, keepdims=True))
        return weights / keras.ops.maximum(norm, 1e-12)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.vocab_size)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "sublinear": self.sublinear}
