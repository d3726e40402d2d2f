"""Optimizers chosen by name, decoupled weight decay with exclusion rules, gradient clipping.

Weight decay is Keras' decoupled form (`w -= lr * weight_decay * w` each update). By default it
skips every variable of rank <= 1 (norm scales and offsets), every bias and embeddings; extra regexes
in `optimizer.weight_decay_exclude` skip more, and a regex that matches no variable is an error
(a typo would otherwise silently decay everything).

Clipping is not left to the Keras optimizer, which clips each replica's gradient before the
all-reduce; `gradient_clipper` returns a function the engine applies to the reduced gradient.
"""

import re

import keras
import tensorflow as tf

from ktrain_kit.arguments import anything, checked, flag, real, satisfying, text
from ktrain_kit.errors import config_error

# Never decayed: biases (of any rank: attention keeps (heads, dim) biases) and embeddings.
DEFAULT_EXCLUDE = re.compile(r"embedding|(^|/)bias$", re.IGNORECASE)


@keras.saving.register_keras_serializable(package="ktrain_kit")
class SGD(keras.optimizers.Optimizer):
    """Stochastic gradient descent with momentum in the guide's form (PyTorch's, optax's):

        v <- momentum * v + g
        w <- w - lr * v                    (nesterov: w <- w - lr * (g + momentum * v))

    Keras' own SGD keeps v <- momentum * v - lr * g instead: the learning rate is folded into
    the velocity, so after a change of rate (warmup, step decay, a plateau cut) it keeps moving
    at the old rate for about 1 / (1 - momentum) steps. The two agree only under a constant rate.
    Weight decay (`weight_decay`) is Keras' decoupled form: w <- w - lr * weight_decay * w.

        model.compile(ktrain_kit.optim.SGD(0.1, momentum=0.9, nesterov=True), loss=...)
    """

    @checked(learning_rate=satisfying(
        lambda v: real(0, float32=True).fits(v) or _rate_object(v),
        "a finite number >= 0, a LearningRateSchedule or a callable returning the rate"),
        momentum=real(0, 1), nesterov=flag(), name=text(),
        kwargs=anything("Keras' Optimizer refuses an unknown one"))
    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.velocities = (self.add_optimizer_variables(variables, "velocity")
                           if self.momentum else [])

    def update_step(self, gradient, variable, learning_rate):
        learning_rate = keras.ops.cast(learning_rate, variable.dtype)
        gradient = keras.ops.cast(gradient, variable.dtype)
        if not self.momentum:
            self.assign_sub(variable, gradient * learning_rate)
            return
        momentum = keras.ops.cast(self.momentum, variable.dtype)
        velocity = self.velocities[self._get_variable_index(variable)]
        self.assign(velocity, velocity * momentum + gradient)
        step = gradient + velocity * momentum if self.nesterov else velocity
        self.assign_sub(variable, step * learning_rate)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


def _rate_object(value):
    """A rate Keras takes that is no number: a schedule, a variable or tensor, a function of
    no arguments - not a layer (callable, but called with no input it fails in the first
    step)."""
    if isinstance(value, keras.layers.Layer) or isinstance(value, (str, bytes)):
        return False
    return isinstance(value, (keras.optimizers.schedules.LearningRateSchedule, keras.Variable,
                              tf.Variable, tf.Tensor)) or callable(value)


def _sgd(oc, lr, common):
    return SGD(lr, momentum=oc.momentum, nesterov=oc.nesterov, **common)


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
