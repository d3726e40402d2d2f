"""Training statistics measured on a fixed probe batch, with the model's own compiled loss.

One compiled function computes, for the current weights: the probe loss, the global gradient norm,
per-layer gradient and weight norms (first vs last layer, for vanishing / exploding gradients), the
share of non-finite gradient values, the share of dead ReLU units and of saturated hidden sigmoid /
tanh units. Update-to-weight ratios come from comparing weights between two probes. Everything here
uses public Keras APIs, so it works on any compiled functional or Sequential model.
"""

import contextlib

import keras
import numpy as np
import tensorflow as tf

from ktrain_kit.doctor.facts import activation_name, examples

SATURATION = 0.99  # |tanh| or 2*|sigmoid - 0.5| above this counts as saturated


def _activation_name(layer):
    fn = getattr(layer, "activation", None)
    return activation_name(fn) if fn is not None else None


def _activation_outputs(model):
    """(name, kind) pairs and a model returning the model's outputs followed by those layers'
    outputs (one forward pass gives both) - for a BatchNormalization layer of features (a
    rank-2 input) that training updates, kind "batchnorm", its input (a frozen one keeps the
    statistics it was given: fine-tuning); empty if not functional."""
    picked = []
    for layer in model.layers:
        name = _activation_name(layer)
        if name in ("relu", "relu6"):
            picked.append((layer, "relu"))
        elif name in ("sigmoid", "tanh"):
            picked.append((layer, name))
        elif isinstance(layer, keras.layers.BatchNormalization) and layer.built and \
                layer.trainable and _rank_of_input(layer) == 2:  # frozen: statistics kept
            picked.append((layer, "batchnorm"))
    if not picked:
        return [], None
    try:
        if len(model.outputs) != 1:  # several outputs: the model's own call gives them in
            return [], None          # its own structure (list, dict) for compute_loss
        # A sigmoid/tanh output at its limits is a confident prediction, what cross-entropy
        # trains towards (and Keras 3 takes its gradient from the cached logits): saturation
        # is a fault of hidden units, whose gradients must pass through the flat part. An
        # output whose range does not fit its targets is the wrong-loss rule's to name.
        picked = [(layer, kind) for layer, kind in picked
                  if kind == "relu" or layer.output is not model.outputs[0]]
        if not picked:
            return [], None
        outputs = list(model.outputs) + [layer.input if kind == "batchnorm" else layer.output
                                         for layer, kind in picked]
        return [(layer.name, kind) for layer, kind in picked], keras.Model(_inputs_of(model),
                                                                           outputs)
    except (AttributeError, ValueError):  # subclassed models have no symbolic outputs
        return [], None


def _units_and_place(model, name):
    """(units, is the model's output) of the layer `name`: its outputs' last axis (None where
    unknown) - how many units its dead share counts."""
    layer = model.get_layer(name)
    units = layer.output.shape[-1]
    return (None if units is None else int(units)), layer.output is model.outputs[0]


def _rank_of_input(layer):
    try:
        return len(layer.input.shape)
    except (AttributeError, ValueError):  # not called on a symbolic tensor (subclassed)
        return None


def _inputs_of(model):
    """The model's symbolic inputs in the structure it was built with (see `_structure`)."""
    return _structure(model, "input")


def _structure(model, which):
    """`model.input` / `model.output`: a functional model's tensor, list or dict as it was
    built. A Sequential model never has them (Keras 3 raises AttributeError, called or not):
    its `inputs` / `outputs` list holds its one tensor."""
    try:
        return getattr(model, which)
    except AttributeError:
        tensors = getattr(model, which + "s")
        return tensors[0] if len(tensors) == 1 else tensors


class Probe:
    """Computes statistics for `model` on the fixed batch (x, y), in one compiled call.

    The weights of the previous probe are kept as variables beside the model's (one copy), so the
    update-to-weight ratio costs no transfer to the host.
    """

    def __init__(self, model, x, y):
        self.model, self.x, self.y = model, x, y
        self.activations, self.activation_model = _activation_outputs(model)
        # each ReLU layer's (units, whether it is the output), in the order of its dead share
        self.relu_layers = [_units_and_place(model, name) for name, kind in self.activations
                            if kind == "relu"]
        variables = model.trainable_variables
        self.variable_ids = [id(v) for v in variables]
        self.previous = [tf.Variable(tf.convert_to_tensor(v), trainable=False) for v in variables]
        self.sizes = [int(np.prod(v.shape)) for v in variables]
        self.kernels = [i for i, v in enumerate(variables) if len(v.shape) >= 2]
        self.groups = _groups(self.sizes)
        self.inputs = _as_tensors((x, y))  # converted once, not at every probe
        # Without autograph the trace takes ~0.5 s instead of ~2 s (a CNN here): the function
        # has no tensor-dependent Python control flow of its own. A model whose call needs
        # autograph gets it on the first failure.
        self._compiled = tf.function(self._statistics, autograph=False)
        self._autograph = False
        self._written = None  # ids of the model's state variables the first probe changed

    def covers(self, model) -> bool:
        """Whether it measures `model`'s trainable variables as they are now: unfreezing a
        base between two fits (fine-tuning's second stage) adds some."""
        return model is self.model and \
            [id(v) for v in model.trainable_variables] == self.variable_ids

    def _run(self):
        try:
            return self._compiled(*self.inputs)
        except (TypeError, NotImplementedError, tf.errors.OperatorNotAllowedInGraphError):
            if self._autograph:
                raise
            self._compiled, self._autograph = tf.function(self._statistics), True
            return self._compiled(*self.inputs)

    def _statistics(self, x, y):
        variables = self.model.trainable_variables
        with tf.GradientTape() as tape:
            if self.activation_model is not None:  # the model's output, then activations
                outputs = list(self.activation_model(x, training=False))
                # in the model's own structure: a one-output dict or list stays one, so
                # compute_loss matches it to its loss
                y_pred = keras.tree.pack_sequence_as(_structure(self.model, "output"),
                                                      outputs[:1])
                activations = outputs[1:]
            else:
                y_pred = self.model(x, training=False)
            loss = self.model.compute_loss(x=x, y=y, y_pred=y_pred, training=False)
        outputs_flat = tf.nest.flatten(y_pred)
        # the loss's gradient with respect to the output too (one output): where it is exactly
        # 0 for outputs outside [0, 1], the loss clips them as probabilities (see
        # _clipped_outputs); None when Keras computes the loss from cached logits
        weight_grads, output_grads = tape.gradient(
            loss, (variables, outputs_flat[:1] if len(outputs_flat) == 1 else []))
        grads = [tf.zeros(v.shape, tf.float32) if g is None else
                 tf.cast(tf.convert_to_tensor(g), tf.float32)
                 for g, v in zip(weight_grads, variables)]
        values = [tf.cast(tf.convert_to_tensor(v), tf.float32) for v in variables]
        sums = {k: [] for k in ("grad_sq", "nonfinite_grads", "nonfinite_weights", "weight_sq",
                                "previous_sq", "delta_sq")}
        # The trace costs ~0.3 ms of Python per graph op, paid once per run: a few ops per
        # group, not per variable, and one shape constant shared by every reshape.
        vector = tf.constant([-1])
        for group in self.groups:
            flat = lambda tensors: tf.concat([tf.reshape(tensors[i], vector)  # noqa: E731
                                              for i in group], axis=0)
            g, v, p = flat(grads), flat(values), flat(self.previous)
            finite = tf.math.is_finite(g)
            clean = tf.where(finite, g, 0.0)
            # each value's variable within the group (tf.repeat would add ~50 ops to the trace)
            ends = np.cumsum([self.sizes[i] for i in group])
            ids = tf.searchsorted(tf.constant(ends), tf.range(int(ends[-1]), dtype=ends.dtype),
                                  side="right")
            sums["grad_sq"].append(tf.math.segment_sum(clean * clean, ids))
            sums["nonfinite_grads"].append(tf.reduce_sum(tf.cast(~finite, tf.float32)))
            sums["nonfinite_weights"].append(
                tf.reduce_sum(tf.cast(~tf.math.is_finite(v), tf.float32)))
            sums["weight_sq"].append(tf.reduce_sum(v * v))
            sums["previous_sq"].append(tf.reduce_sum(p * p))
            sums["delta_sq"].append(tf.reduce_sum((v - p) ** 2))
        out = {
            # a loss left unreduced (reduction=None, a compute_loss of per-example values):
            # Keras logs its mean and trains on the gradient of its sum, as the tape above
            "loss": tf.reduce_mean(loss),
            "grad_norms": tf.sqrt(tf.concat(sums["grad_sq"], axis=0)),
            "nonfinite_grads": tf.add_n(sums["nonfinite_grads"]),
            "nonfinite_weights": tf.add_n(sums["nonfinite_weights"]),
            "weight_norm": tf.sqrt(tf.add_n(sums["weight_sq"])),
            "previous_norm": tf.sqrt(tf.add_n(sums["previous_sq"])),
            "delta_norm": tf.sqrt(tf.add_n(sums["delta_sq"])),
            # one tensor per output (a multi-output model's have different shapes)
            "y_pred": [tf.cast(t, tf.float32) for t in tf.nest.flatten(y_pred)],
        }
        if output_grads and output_grads[0] is not None:
            out["output_outside_unit"], out["output_outside_zero_grad"] = _clipped_outputs(
                outputs_flat[0], output_grads[0])
        for p, v in zip(self.previous, values):
            p.assign(v)
        if self.activation_model is not None:
            dead, saturated, batchnorm = [], [], []
            for (name, kind), a in zip(self.activations, activations):
                a = tf.reshape(tf.cast(a, tf.float32), [-1, a.shape[-1]])
                if kind == "batchnorm":  # its moving variance over its inputs' variance
                    moving = tf.cast(tf.convert_to_tensor(
                        self.model.get_layer(name).moving_variance), tf.float32)
                    batchnorm.append(moving / tf.maximum(tf.math.reduce_variance(a, axis=0),
                                                         1e-12))
                elif kind == "relu":  # a unit is dead if it is 0 for every probe example
                    dead.append(tf.reduce_mean(tf.cast(tf.reduce_all(a <= 0, axis=0),
                                                       tf.float32)))
                else:
                    s = tf.abs(a) if kind == "tanh" else tf.abs(2 * a - 1)
                    saturated.append(tf.reduce_mean(tf.cast(s > SATURATION, tf.float32)))
            if dead:
                out["dead_relu_fractions"] = tf.stack(dead)  # per layer: see relu_layers
                out["dead_relu_fraction"] = tf.reduce_max(out["dead_relu_fractions"])
            if saturated:
                out["saturated_fraction"] = tf.reduce_max(tf.stack(saturated))
            if batchnorm:
                out["batchnorm_variance_ratios"] = batchnorm
        return out

    def __call__(self) -> dict:
        """Statistics at the current weights; `delta_norm` is the change since the last call.
        Whatever the probe's forward pass and loss write into the model (see `state_kept`)
        is put back: the training goes on exactly as without the probe."""
        with state_kept(self.model, self._written) as written:
            raw = {k: [np.asarray(t) for t in v] if isinstance(v, list) else np.asarray(v)
                   for k, v in self._run().items()}
        self._written = written if self._written is None else self._written
        norms, count = raw["grad_norms"], max(sum(self.sizes), 1)
        stats = {
            "probe_loss": float(raw["loss"]),
            "grad_norm": float(np.sqrt((norms.astype(np.float64) ** 2).sum())),
            "nonfinite_grad_fraction": float(raw["nonfinite_grads"]) / count,
            "nonfinite_weight_fraction": float(raw["nonfinite_weights"]) / count,
            "weight_norm": float(raw["weight_norm"]),
            "probe_examples": examples(self.x),
            "_relative_change": float(raw["delta_norm"]) / max(float(raw["previous_norm"]),
                                                               1e-12),
        }
        # per-tensor clipping (clipnorm) cuts a step where the tensor's own norm exceeds it
        stats["grad_norm_median_tensor"] = float(np.median(norms)) if len(norms) else None
        if self.kernels:
            rms = lambda i: float(norms[i] / np.sqrt(self.sizes[i]))  # noqa: E731
            stats["grad_rms_first_layer"] = rms(self.kernels[0])
            stats["grad_rms_last_layer"] = rms(self.kernels[-1])
        for key in ("dead_relu_fraction", "saturated_fraction"):
            if key in raw:
                stats[key] = float(raw[key])
        if "dead_relu_fractions" in raw:  # [units, dead share, is the output] per ReLU layer
            stats["dead_relu_layers"] = [[units, float(share), output] for (units, output), share
                                         in zip(self.relu_layers, raw["dead_relu_fractions"])]
        if "batchnorm_variance_ratios" in raw:  # the lowest layer's median over its channels
            stats["batchnorm_variance_ratio"] = float(min(
                np.median(r) for r in raw["batchnorm_variance_ratios"]))
        if "output_outside_unit" in raw:
            stats["outputs_outside_unit"] = int(raw["output_outside_unit"])
            stats["outputs_outside_with_zero_loss_gradient"] = int(
                raw["output_outside_zero_grad"])
        per_output = [_output_facts(t.astype(np.float64)) for t in raw["y_pred"]]
        if len(per_output) == 1:
            stats.update(per_output[0])
        else:
            stats["output_facts"] = per_output
        return stats


def _state_variables(model):
    """The variables a forward pass or a loss computation may write outside training: the
    model's non-trainable ones (counters of custom layers), a stateful RNN's states, and its
    metrics' (Keras' `compute_loss` adds to each output's loss tracker of a multi-output
    model, a `compute_loss` override to its own tracker) - each once."""
    seen, found = set(), []
    for v in list(model.non_trainable_variables) + list(model.metrics_variables) + \
            _recurrent_states(model):
        if id(v) not in seen:
            seen.add(id(v))
            found.append(v)
    return found


def _recurrent_states(model):
    """A stateful RNN's states: Keras keeps them in variables that no weight list tracks."""
    layers = model._flatten_layers() if hasattr(model, "_flatten_layers") else model.layers
    return [v for layer in layers if getattr(layer, "stateful", False)
            for v in keras.tree.flatten(getattr(layer, "states", None) or [])
            if isinstance(v, keras.Variable)]


@contextlib.contextmanager
def state_kept(model, watch=None):
    """Puts back, on leaving, every state variable of `model` that the code inside wrote:
    the doctor's own forward passes (probe, reference predictions) must not move a stateful
    RNN's states or add the probe batch to the epoch's logged losses. Metrics built inside
    (Keras builds a compiled loss's trackers at its first call) are reset, as Keras leaves
    them. `watch` limits the copy to the ids it holds plus every metric variable (a frozen
    base's weights are never written by a forward pass: copying them every probe is waste);
    yields a list filled, on leaving, with the ids of the variables found changed."""
    metric_ids = {id(v) for v in model.metrics_variables}
    variables = [v for v in _state_variables(model)
                 if watch is None or id(v) in watch or id(v) in metric_ids]
    saved = [np.array(keras.ops.convert_to_numpy(v)) for v in variables]
    written = []
    try:
        yield written
    finally:
        for variable, value in zip(variables, saved):
            if not _same(keras.ops.convert_to_numpy(variable), value):
                written.append(id(variable))
                variable.assign(value)
        known = {id(v) for v in variables}
        for metric in model.metrics:
            if any(id(v) not in known for v in metric.variables):
                metric.reset_state()


def _same(a, b):
    try:
        return np.array_equal(a, b, equal_nan=True)
    except TypeError:  # not numbers (a string variable): NaN means nothing there
        return np.array_equal(a, b)


def _clipped_outputs(y_pred, grad):
    """(how many output values lie outside [0, 1], how many of those get an exactly zero loss
    gradient). A loss of logits or of errors is differentiable with a non-zero gradient almost
    everywhere; exact zeros outside [0, 1] are what clipping into [eps, 1 - eps] (log of a
    probability) leaves: the loss takes the outputs for probabilities."""
    y_pred, grad = tf.cast(y_pred, tf.float32), tf.cast(tf.convert_to_tensor(grad), tf.float32)
    outside = (y_pred < 0) | (y_pred > 1)
    return (tf.reduce_sum(tf.cast(outside, tf.int32)),
            tf.reduce_sum(tf.cast(outside & tf.equal(grad, 0.0), tf.int32)))


GROUP_ELEMENTS = 1 << 22  # variables are reduced together up to this many values (16 MB)


def _groups(sizes):
    """Consecutive variable indices in groups of at most GROUP_ELEMENTS values (a bigger
    variable alone): the statistics copy one group at a time, never the whole model."""
    groups, current, total = [], [], 0
    for i, size in enumerate(sizes):
        if current and total + size > GROUP_ELEMENTS:
            groups.append(current)
            current, total = [], 0
        current.append(i)
        total += size
    return groups + [current] if current else groups


def _as_tensors(structure):
    try:
        return tf.nest.map_structure(tf.convert_to_tensor, structure)
    except (TypeError, ValueError):  # e.g. Python objects: tf.function converts them itself
        return structure


def _output_facts(y_pred) -> dict:
    """Whether the outputs could be probabilities: all in [0, 1] (and rows summing to 1 along
    the last axis, the class axis of a Keras output)."""
    if y_pred.ndim < 2:
        return {}
    y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    unit = bool(np.all(y_pred >= 0) and np.all(y_pred <= 1))
    return {"outputs_in_unit_interval": unit,
            "outputs_are_probabilities": bool(unit and y_pred.shape[1] > 1 and np.allclose(
                y_pred.sum(axis=1), 1, atol=1e-3)),
            "num_outputs": int(y_pred.shape[1])}
