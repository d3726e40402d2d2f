"""Optimizers chosen by name, decoupled weight decay with exclusion rules, gradient clipping.

Weight decay is Keras' decoupled form (`w -= lr * weight_decay * w` each update). By default it
skips every variable of rank <= 1 (biases, norm scales and offsets) and embeddings; extra regexes
in `optimizer.weight_decay_exclude` skip more, and a regex that matches no variable is an error
(a typo would otherwise silently decay everything).

Clipping is not left to the Keras optimizer, which clips each replica's gradient before the
all-reduce; `gradient_clipper` returns a function the engine applies to the reduced gradient.
"""

import re

import keras
import tensorflow as tf

from ktrain_kit.errors import config_error

DEFAULT_EXCLUDE = re.compile(r"embedding", re.IGNORECASE)


def _sgd(oc, lr, common):
    return keras.optimizers.SGD(lr, momentum=oc.momentum, nesterov=oc.nesterov, **common)


def _adam(oc, lr, common):
    return keras.optimizers.Adam(lr, beta_1=oc.beta_1, beta_2=oc.beta_2, epsilon=oc.epsilon,
                                 **common)


def _adamw(oc, lr, common):
    return keras.optimizers.AdamW(lr, weight_decay=oc.weight_decay, beta_1=oc.beta_1,
                                  beta_2=oc.beta_2, epsilon=oc.epsilon,
                                  **{k: v for k, v in common.items() if k != "weight_decay"})


OPTIMIZERS = {"sgd": _sgd, "adam": _adam, "adamw": _adamw}


def decayed_variables(oc, variables):
    """Splits `variables` into (decayed, excluded) by the default rule and the user's regexes."""
    rules = [r.strip() for r in oc.weight_decay_exclude.split(",") if r.strip()]
    for rule in rules:
        try:
            pattern = re.compile(rule)
        except re.error as e:
            raise config_error("optimizer.weight_decay_exclude", f"'{rule}' is not a valid "
                               f"regex ({e})", "fix the pattern") from None
        if not any(pattern.search(v.path) for v in variables):
            raise config_error("optimizer.weight_decay_exclude", f"rule '{rule}' matches no "
                               "variable", f"use part of a variable path, e.g. "
                               f"'{variables[0].path.split('/')[0]}'")
    decayed, excluded = [], []
    for v in variables:
        skip = (len(v.shape) <= 1 or DEFAULT_EXCLUDE.search(v.path)
                or any(re.search(r, v.path) for r in rules))
        (excluded if skip else decayed).append(v)
    return decayed, excluded


def build(oc, learning_rate, model, precision: str):
    """The optimizer for config section `oc`; returns (optimizer, names of decayed variables).

    Under mixed_float16 it is wrapped in a LossScaleOptimizer with dynamic loss scaling.
    """
    common = dict(weight_decay=oc.weight_decay or None, use_ema=oc.ema,
                  ema_momentum=oc.ema_momentum)
    optimizer = OPTIMIZERS[oc.name](oc, learning_rate, common)
    decayed = []
    if oc.weight_decay:
        decayed, excluded = decayed_variables(oc, model.trainable_variables)
        optimizer.exclude_from_weight_decay(var_list=excluded)
    if precision == "mixed_float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer, [v.path for v in decayed]


def gradient_clipper(oc):
    """A function (grads, loss_scale) -> clipped grads for the configured clipping, or None.

    Under mixed_float16 the gradients are still multiplied by the loss scale when clipped; every
    kind of clipping commutes with that factor, so the threshold is scaled with them.
    """
    if oc.clip_global_norm:
        return lambda grads, s: tf.clip_by_global_norm(grads, oc.clip_global_norm * s)[0]
    if oc.clip_norm:
        return lambda grads, s: [tf.clip_by_norm(g, oc.clip_norm * s) for g in grads]
    if oc.clip_value:
        return lambda grads, s: [tf.clip_by_value(g, -oc.clip_value * s, oc.clip_value * s)
                                 for g in grads]
    return None
