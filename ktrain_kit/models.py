"""Keras models chosen by name, sized by the dataset; or the user's own builder.

    model.name = mlp | cnn | resnet | transformer | keras_app | bag | package.module:function

Every built-in model takes raw inputs (input normalization is its first layer, so an export needs
no preprocessing), uses the configured dropout, norm, activation and initializer, and ends in a
Dense layer named `logits` (one unit per output of the task) that computes in float32 under any
mixed-precision policy. `keras_app` puts that head on a Keras Applications backbone
(`model.backbone`), with random weights or weights from a local file (`model.backbone_weights`):
nothing is downloaded. A user's builder `function(model_config, data) -> keras.Model` gets the
`Dataset` (input_shape, num_outputs, kind, task) and returns logits (or values, for regression).
"""

import importlib
import os
import sys
import sysconfig
import traceback

import keras
from keras import layers

from ktrain_kit.config import check_model_fits_data
from ktrain_kit.errors import UserError, config_error, user_code_failure
from ktrain_kit.layers import PositionEmbedding, TfIdf, smooth_idf

IDF_SAMPLE = 50_000  # training texts the bag's idf counts (streamed shards are read that far):
#                       a word's document share from 50,000 texts is off by <= 0.0023 (binomial
#                       standard error), far below what changes a word's weight


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


KERAS_BATCH_NORM_MOMENTUM = 0.99  # Keras' default: statistics averaged over ~100 updates


def batch_norm_momentum(steps_per_epoch: int) -> float:
    """The momentum whose moving statistics average over about one epoch of updates (1/(1 -
    momentum) of them), at most Keras' 0.99. Validation and the export use the moving
    statistics: with 0.99 they weigh the last ~100 updates, and in a run of few updates mostly
    the initial mean 0 and variance 1. A 150-row table in batches of 64 trains 1 update an
    epoch: after 15 epochs 86% of its statistics were still the initial ones (iris with the
    README's config: 0.733 validation accuracy, 0.833 with this rule; a logistic regression
    0.900)."""
    return float(min(KERAS_BATCH_NORM_MOMENTUM, 1.0 - 1.0 / max(1, steps_per_epoch)))


def fit_batch_norm(model, steps_per_epoch: int):
    """Sets every BatchNormalization layer of a built-in model to `batch_norm_momentum`."""
    momentum = batch_norm_momentum(steps_per_epoch)
    for layer in _nested_layers(model):
        if isinstance(layer, layers.BatchNormalization):
            layer.momentum = momentum


def _nested_layers(model):
    """Every layer, inside nested models too (a backbone), by the public `layers` lists."""
    for layer in getattr(model, "layers", []):
        yield layer
        yield from _nested_layers(layer)


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


def _head(x, mc, num_outputs):
    if mc.dropout:
        x = layers.Dropout(mc.dropout, name="head_dropout")(x)
    return layers.Dense(num_outputs, dtype="float32", kernel_initializer="glorot_uniform",
                        name="logits")(x)


def mlp(mc, data):
    """Flatten, then `depth` blocks of Dense -> norm -> activation -> dropout."""
    inputs = keras.Input(data.input_shape, name="inputs")
    x = layers.Flatten(name="flatten")(_normalize_inputs(inputs, data))
    for i in range(mc.depth):
        x = _dense_block(x, mc, mc.width, f"block{i}")
    return keras.Model(inputs, _head(x, mc, data.num_outputs), name="mlp")


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
    return keras.Model(inputs, _head(x, mc, data.num_outputs), name="cnn")


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
    return keras.Model(inputs, _head(x, mc, data.num_outputs), name="resnet")


def transformer(mc, data):
    """A pre-norm Transformer encoder over token ids, mean-pooled into the classifier."""
    length = data.input_shape[0]
    inputs = keras.Input((length,), dtype="int32", name="inputs")
    x = layers.Embedding(data.vocab_size(), mc.width, name="token_embedding")(inputs)
    x = PositionEmbedding(length, name="position_embedding")(x)
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
    return keras.Model(inputs, _head(x, mc, data.num_outputs), name="transformer")


def bag(mc, data):
    """Bag of words: each text's tf-idf row (`layers.TfIdf`: sublinear counts x the training
    split's idf, L2-normalized, padding and unknown words left out), then `depth` dense blocks.
    The baseline for text: fast, order-blind.

    Why tf-idf and not the mean of learned word vectors (this model until 2026-11-30): the
    mean weighs "the" like "coroutine" and must learn from a few hundred documents what idf
    knows from counting; on the standard library's docstrings it was 0.888/0.918/0.933 against
    0.963/0.978/0.940 with tf-idf, same config (benchmarks/RESULTS.md, text)."""
    inputs = keras.Input(data.input_shape, dtype="int32", name="inputs")
    ids, _ = data.sample(IDF_SAMPLE)  # the training split's first texts (streamed: read)
    x = TfIdf(data.vocab_size(), smooth_idf(ids, data.vocab_size()), name="tf_idf")(inputs)
    for i in range(mc.depth):
        x = _dense_block(x, mc, mc.width, f"block{i}")
    return keras.Model(inputs, _head(x, mc, data.num_outputs), name="bag")


def _seq_norm(kind, width, name):
    return norm_layer(kind, width, name) or layers.Identity(name=name)


def _builds_without_weights(application, input_shape) -> bool:
    try:
        application(include_top=False, weights=None, input_shape=input_shape, pooling="avg")
    except ValueError:
        return False
    return True


def keras_app(mc, data):
    """A Keras Applications backbone (`model.backbone`, e.g. EfficientNetV2B0) and our head.

    Random weights, or `model.backbone_weights` = a local .h5/.weights.h5 file of the backbone
    without its top (then inputs get the backbone's own preprocessing; otherwise our input
    normalization). ImageNet weights are never downloaded: fetch the file once, point at it.
    """
    application, preprocess = _application(mc.backbone)
    inputs = keras.Input(data.input_shape, name="inputs")
    weights = mc.backbone_weights or None
    try:
        backbone = application(include_top=False, weights=weights, input_shape=data.input_shape,
                               pooling="avg")
    except (ValueError, OSError) as e:  # OSError: h5py on a file that is no HDF5
        if weights and _builds_without_weights(application, data.input_shape):
            # the data suit the backbone: the file is what it refused (not weights at all,
            # another backbone's, or with its top)
            raise config_error("model.backbone_weights", f"'{weights}' does not load into "
                               f"{mc.backbone} ({str(e).splitlines()[0][:160]})",
                               f"give a .h5 / .weights.h5 file of {mc.backbone} without its "
                               "top (include_top=False)") from None
        raise config_error("model.backbone", f"{mc.backbone} does not accept this data "
                           f"({str(e).splitlines()[0][:160]})", "pick another backbone or "
                           "image size (most need at least 32x32 pixels)") from None
    x = (layers.Lambda(preprocess, name="backbone_preprocessing")(inputs)
         if weights and preprocess else _normalize_inputs(inputs, data))
    x = backbone(x)
    return keras.Model(inputs, _head(x, mc, data.num_outputs), name="keras_app")


def _application(name):
    """(constructor, preprocess_input) of a Keras Applications model by its class name."""
    application = getattr(keras.applications, name, None)
    if not name[:1].isupper() or not callable(application):
        known = sorted(n for n in dir(keras.applications) if n[:1].isupper())
        raise config_error("model.backbone", f"'{name}' is not a Keras Applications model",
                           f"use one of: {', '.join(known[:12])}, ...")
    family = getattr(keras.applications, application.__module__.rsplit(".", 1)[-1], None)
    return application, getattr(family, "preprocess_input", None)


BUILDERS = {"mlp": mlp, "cnn": cnn, "resnet": resnet, "transformer": transformer,
            "keras_app": keras_app, "bag": bag}


def user_builder(name: str):
    """Imports `package.module:function`; a bad path is a one-line error."""
    module_name, _, function_name = name.partition(":")
    try:
        module = importlib.import_module(module_name)
    except (SystemExit, KeyboardInterrupt) as e:  # the module ended the process at import
        raise config_error("model.name", f"importing '{module_name}' {_exit_words(e)}",
                           "remove that call from the module's top level") from None
    except BaseException as e:  # noqa: BLE001 - ImportError, or anything the user's module raised
        raise config_error("model.name", f"cannot import '{module_name}' "
                           f"({user_code_failure(e)})", "check the module is "
                           "on PYTHONPATH (run from its folder or set PYTHONPATH)") from None
    builder = getattr(module, function_name, None)
    if not callable(builder):
        raise config_error("model.name", f"'{module_name}' has no function '{function_name}'",
                           "name a function model_config, data -> keras.Model")
    return builder


def build(mc, data) -> keras.Model:
    """The model for `mc` (a config section) and `data` (a `ktrain_kit.data.Dataset`).

    It outputs one logit (or value) per task output; ktrain_kit/tasks.py adds what the task
    needs after it.
    """
    if ":" not in mc.name:
        check_model_fits_data(mc, data)
        return BUILDERS[mc.name](mc, data)
    try:
        model = user_builder(mc.name)(mc, data)
    except UserError:
        raise
    except (SystemExit, KeyboardInterrupt) as e:  # the builder ended the process itself
        raise config_error("model.name", f"{mc.name} {_exit_words(e)}",
                           "return a keras.Model instead of exiting") from None
    except BaseException as e:  # noqa: BLE001 - the user's builder failed, in any way
        where = _user_frame(sys.exc_info()[2])
        key = _missing_key(e)
        if key is not None:
            raise config_error("model.name", f"{mc.name} reads the config key "
                               f"'model.{key}'{where}, which the model section does not have "
                               f"(it has: {', '.join(sorted(mc.keys()))})",
                               "read one of those, or mc.get(key, default) for a key of your "
                               "own") from e
        raise config_error("model.name", f"{mc.name} raised {user_code_failure(e)}{where}",
                           "fix the builder (run with --verbose for the traceback)") from e
    _check_output(mc.name, model, data)
    _check_trainable_as_given(mc, model, data)
    return model


def _exit_words(error) -> str:
    """'called sys.exit(1)' / 'raised KeyboardInterrupt': user_code_failure's words."""
    return user_code_failure(error).removeprefix("it ")


# Where installed libraries and Python's own modules live: a frame there is not the user's.
LIBRARY_FOLDERS = tuple({os.path.realpath(sysconfig.get_paths()[k]) + os.sep
                         for k in ("stdlib", "platstdlib", "purelib", "platlib")} |
                        {os.path.dirname(os.path.realpath(__file__)) + os.sep})  # ours


def _missing_key(error):
    """The key a builder read that its ConfigDict lacks (`mc.nonexistent_key`, `mc["k"]`):
    ml_collections raises AttributeError(KeyError("'k'")) or KeyError('k'); None otherwise."""
    inner = error.args[0] if isinstance(error, AttributeError) and error.args else error
    if not isinstance(inner, KeyError) or not inner.args:
        return None
    import ml_collections
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    raiser = tb.tb_frame.f_globals.get("__name__", "") if tb is not None else ""
    if not raiser.startswith(ml_collections.__name__):
        return None  # a KeyError of the builder's own dict: its own words say more
    return str(inner.args[0]).strip("'\"")


def _user_frame(tb):
    """' at file:line' of the deepest frame in the user's own code: not ktrain_kit, not an
    installed library (a builder reading a missing config key was placed in ml_collections'
    config_dict.py, where ConfigDict raised, instead of at the builder's line)."""
    frames = [f for f in traceback.extract_tb(tb)
              if not os.path.realpath(f.filename).startswith(LIBRARY_FOLDERS)]
    return f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""


PROBABILITY_ACTIVATIONS = ("softmax", "sigmoid", "log_softmax")


def _last_activation(model):
    """The activation the model's output passes through last, by name (None if linear)."""
    layer = model.layers[-1] if model.layers else None
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", None) if activation is not None else None


def _check_trainable_as_given(mc, model, data):
    """A user's model whose outputs are already probabilities would be trained as if they were
    logits (the loss applies softmax/sigmoid again): refused unless model.from_logits=False."""
    if data.task == "regression" or not mc.from_logits:
        return
    activation = _last_activation(model)
    if activation in PROBABILITY_ACTIVATIONS:
        raise config_error("model.name", f"{mc.name} ends in a {activation}: its outputs are "
                           "probabilities, but the loss expects logits", "remove that "
                           "activation from the last layer, or set model.from_logits=False")
    if data.num_outputs > 1 and data.task == "classification":
        import numpy as np
        x, _ = data.sample(32)
        try:
            out = np.asarray(model(x, training=False), np.float64)
        except Exception:  # noqa: BLE001 - a failure here shows up, explained, when training
            return
        if out.size and np.all((out >= 0) & (out <= 1)) and np.allclose(out.sum(-1), 1, atol=1e-3):
            raise config_error("model.name", f"{mc.name} outputs rows that sum to 1: "
                               "probabilities, but the loss expects logits", "remove the "
                               "final softmax, or set model.from_logits=False")


def _check_output(name, model, data):
    if not isinstance(model, keras.Model):
        raise config_error("model.name", f"{name} returned {type(model).__name__}, not a "
                           "keras.Model", "return keras.Model(inputs, outputs)")
    inputs = len(getattr(model, "inputs", None) or [])
    if inputs > 1:
        raise config_error("model.name", f"{name} takes {inputs} inputs, but a run feeds one "
                           f"array of shape {tuple(data.input_shape)}",
                           "build it from one keras.Input(data.input_shape)")
    try:
        shape = tuple(model.outputs[0].shape[1:]) if len(model.outputs) == 1 else None
    except (AttributeError, ValueError):
        shape = None
    if len(getattr(model, "outputs", []) or []) != 1 or shape is None:
        raise config_error("model.name", f"{name} returned a model without one known output",
                           "build it functionally from keras.Input(data.input_shape) to one "
                           "output")
    if shape != (data.num_outputs,):
        raise config_error("model.name", f"{name} returns outputs of shape {shape}, but task "
                           f"{data.task} needs ({data.num_outputs},)",
                           "end the model in keras.layers.Dense(data.num_outputs) (logits, "
                           "no activation)")
    wanted = tuple(data.input_shape)
    got = tuple(model.inputs[0].shape[1:]) if model.inputs else None
    if got is not None and any(a is not None and a != b for a, b in zip(got, wanted)) or (
            got is not None and len(got) != len(wanted)):
        raise config_error("model.name", f"{name} takes inputs of shape {got}, the data are "
                           f"{wanted}", "use keras.Input(data.input_shape)")
