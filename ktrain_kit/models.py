"""Keras models chosen by name, sized by the dataset.

Every model takes raw inputs (input normalization is its first layer, so an export needs no
preprocessing), uses the configured dropout, norm, activation and initializer, and ends in a
Dense layer named `logits` that computes in float32 under any mixed-precision policy.
"""

import keras
from keras import layers


def norm_layer(kind: str, channels: int, name: str):
    """The normalization layer for `model.norm`; None for 'none'."""
    if kind == "batch":
        return layers.BatchNormalization(name=name)
    if kind == "layer":
        return layers.LayerNormalization(name=name)
    if kind == "group":
        groups = next(g for g in (8, 4, 2, 1) if channels % g == 0)
        return layers.GroupNormalization(groups=groups, name=name)
    return None


def _normalize_inputs(inputs, data):
    mean, variance = data.normalization_stats()
    return layers.Normalization(mean=mean, variance=variance, name="input_normalization")(inputs)


def _dense_block(x, mc, units, name):
    x = layers.Dense(units, kernel_initializer=mc.initializer, name=f"{name}_dense")(x)
    norm = norm_layer(mc.norm, units, f"{name}_norm")
    x = norm(x) if norm else x
    x = layers.Activation(mc.activation, name=f"{name}_act")(x)
    return layers.Dropout(mc.dropout, name=f"{name}_dropout")(x) if mc.dropout else x


def _conv(x, mc, filters, name, strides=1, activate=True):
    x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=mc.norm == "none",
                      kernel_initializer=mc.initializer, name=f"{name}_conv")(x)
    norm = norm_layer(mc.norm, filters, f"{name}_norm")
    x = norm(x) if norm else x
    return layers.Activation(mc.activation, name=f"{name}_act")(x) if activate else x


def _head(x, mc, num_classes):
    if mc.dropout:
        x = layers.Dropout(mc.dropout, name="head_dropout")(x)
    return layers.Dense(num_classes, dtype="float32", kernel_initializer="glorot_uniform",
                        name="logits")(x)


def mlp(mc, data):
    """Flatten, then `depth` blocks of Dense -> norm -> activation -> dropout."""
    inputs = keras.Input(data.input_shape, name="inputs")
    x = layers.Flatten(name="flatten")(_normalize_inputs(inputs, data))
    for i in range(mc.depth):
        x = _dense_block(x, mc, mc.width, f"block{i}")
    return keras.Model(inputs, _head(x, mc, data.num_classes), name="mlp")


def cnn(mc, data):
    """`depth` stages of two 3x3 convs (+ norm) with 2x2 pooling, widths doubling per stage."""
    inputs = keras.Input(data.input_shape, name="inputs")
    x = _normalize_inputs(inputs, data)
    for i in range(mc.depth):
        filters = mc.width * 2**i
        x = _conv(x, mc, filters, f"stage{i}a")
        x = _conv(x, mc, filters, f"stage{i}b")
        if x.shape[1] >= 4:
            x = layers.MaxPooling2D(name=f"stage{i}_pool")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    return keras.Model(inputs, _head(x, mc, data.num_classes), name="cnn")


def resnet(mc, data):
    """A small ResNet: a stem conv, then `depth` stages of one basic residual block each."""
    inputs = keras.Input(data.input_shape, name="inputs")
    x = _conv(_normalize_inputs(inputs, data), mc, mc.width, "stem")
    for i in range(mc.depth):
        filters, strides = mc.width * 2**i, (1 if i == 0 else 2)
        shortcut = x
        y = _conv(x, mc, filters, f"res{i}a", strides=strides)
        y = _conv(y, mc, filters, f"res{i}b", activate=False)
        if strides != 1 or shortcut.shape[-1] != filters:
            shortcut = layers.Conv2D(filters, 1, strides=strides, use_bias=False,
                                     kernel_initializer=mc.initializer,
                                     name=f"res{i}_proj")(shortcut)
        x = layers.Activation(mc.activation, name=f"res{i}_out")(layers.Add()([shortcut, y]))
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    return keras.Model(inputs, _head(x, mc, data.num_classes), name="resnet")


def transformer(mc, data):
    """A pre-norm Transformer encoder over token ids, mean-pooled into the classifier."""
    from ktrain_kit.data import vocab_size
    length = data.input_shape[0]
    inputs = keras.Input((length,), dtype="int32", name="inputs")
    x = layers.Embedding(vocab_size(data), mc.width, name="token_embedding")(inputs)
    positions = layers.Embedding(length, mc.width, name="position_embedding")(
        keras.ops.arange(length))
    x = x + positions
    for i in range(mc.depth):
        h = _seq_norm(mc.norm, mc.width, f"enc{i}_norm1")(x)
        h = layers.MultiHeadAttention(mc.num_heads, mc.width // mc.num_heads, dropout=mc.dropout,
                                      kernel_initializer=mc.initializer, name=f"enc{i}_attn")(h, h)
        x = x + h
        h = _seq_norm(mc.norm, mc.width, f"enc{i}_norm2")(x)
        h = layers.Dense(mc.width * mc.mlp_ratio, activation=mc.activation,
                         kernel_initializer=mc.initializer, name=f"enc{i}_mlp1")(h)
        h = layers.Dense(mc.width, kernel_initializer=mc.initializer, name=f"enc{i}_mlp2")(h)
        if mc.dropout:
            h = layers.Dropout(mc.dropout, name=f"enc{i}_dropout")(h)
        x = x + h
    x = _seq_norm(mc.norm, mc.width, "final_norm")(x)
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    return keras.Model(inputs, _head(x, mc, data.num_classes), name="transformer")


def _seq_norm(kind, width, name):
    return norm_layer(kind, width, name) or layers.Identity(name=name)


def loss_and_metrics(mc):
    """What every model here is compiled with: its head emits logits unless told otherwise."""
    return (keras.losses.SparseCategoricalCrossentropy(from_logits=mc.from_logits),
            [keras.metrics.SparseCategoricalAccuracy(name="accuracy")])


BUILDERS = {"mlp": mlp, "cnn": cnn, "resnet": resnet, "transformer": transformer}


def build(mc, data) -> keras.Model:
    """Builds `mc.name` for `data` (a `ktrain_kit.data.Dataset`)."""
    return BUILDERS[mc.name](mc, data)
