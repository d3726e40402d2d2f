"""Training statistics measured on a fixed probe batch, with the model's own compiled loss.

One compiled function computes, for the current weights: the probe loss, the global gradient norm,
per-layer gradient and weight norms (first vs last layer, for vanishing / exploding gradients), the
share of non-finite gradient values, the share of dead ReLU units and of saturated sigmoid / tanh
units. Update-to-weight ratios come from comparing weights between two probes. Everything here
uses public Keras APIs, so it works on any compiled functional or Sequential model.
"""

import keras
import numpy as np
import tensorflow as tf

SATURATION = 0.99  # |tanh| or 2*|sigmoid - 0.5| above this counts as saturated
RELU_LIKE = ("relu", "relu6", "leaky_relu", "elu")  # leaky/elu are never exactly dead: skipped below


def _activation_name(layer):
    fn = getattr(layer, "activation", None)
    return getattr(fn, "__name__", None) if fn is not None else None


def _activation_outputs(model):
    """(name, kind) pairs and a model returning those layers' outputs; empty if not functional."""
    picked = []
    for layer in model.layers:
        name = _activation_name(layer)
        if name in ("relu", "relu6"):
            picked.append((layer, "relu"))
        elif name in ("sigmoid", "tanh"):
            picked.append((layer, name))
    if not picked:
        return [], None
    try:
        outputs = [layer.output for layer, _ in picked]
        inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        return [(layer.name, kind) for layer, kind in picked], keras.Model(inputs, outputs)
    except (AttributeError, ValueError):  # subclassed models have no symbolic outputs
        return [], None


class Probe:
    """Computes statistics for `model` on the fixed batch (x, y)."""

    def __init__(self, model, x, y):
        self.model, self.x, self.y = model, x, y
        self.kernels = [v for v in model.trainable_variables if len(v.shape) >= 2]
        self.activations, self.activation_model = _activation_outputs(model)
        self.previous_weights = None
        self._gradients = tf.function(self._gradient_stats, reduce_retracing=True)

    def _gradient_stats(self, x, y):
        variables = self.model.trainable_variables
        with tf.GradientTape() as tape:
            y_pred = self.model(x, training=False)
            loss = self.model.compute_loss(x=x, y=y, y_pred=y_pred, training=False)
        grads = tape.gradient(loss, variables)
        grads = [tf.zeros_like(v) if g is None else tf.cast(tf.convert_to_tensor(g), tf.float32)
                 for g, v in zip(grads, variables)]
        finite = [tf.reduce_all(tf.math.is_finite(g)) for g in grads]
        nonfinite = tf.add_n([tf.reduce_sum(tf.cast(~tf.math.is_finite(g), tf.float32))
                              for g in grads])
        safe = [tf.where(tf.math.is_finite(g), g, tf.zeros_like(g)) for g in grads]
        norms = tf.stack([tf.norm(g) for g in safe])
        return loss, norms, nonfinite, tf.reduce_all(tf.stack(finite)), y_pred

    def __call__(self) -> dict:
        variables = self.model.trainable_variables
        loss, norms, nonfinite, _, y_pred = self._gradients(self.x, self.y)
        norms = norms.numpy()
        count = sum(int(np.prod(v.shape)) for v in variables)
        kernel_index = [i for i, v in enumerate(variables) if len(v.shape) >= 2]
        stats = {
            "probe_loss": float(loss),
            "grad_norm": float(np.sqrt((norms ** 2).sum())),
            "nonfinite_grad_fraction": float(nonfinite) / max(count, 1),
        }
        if kernel_index:
            first, last = kernel_index[0], kernel_index[-1]
            rms = lambda i: norms[i] / np.sqrt(np.prod(variables[i].shape))  # noqa: E731
            stats["grad_rms_first_layer"] = float(rms(first))
            stats["grad_rms_last_layer"] = float(rms(last))
        weights = [np.asarray(v.numpy(), dtype=np.float32) for v in variables]
        stats["weight_norm"] = float(np.sqrt(sum((w.astype(np.float64) ** 2).sum()
                                                 for w in weights)))
        stats["nonfinite_weight_fraction"] = float(sum((~np.isfinite(w)).sum() for w in weights)
                                                   / max(count, 1))
        stats.update(self._activation_stats())
        stats.update(_output_facts(np.asarray(y_pred, dtype=np.float64)))
        stats["_weights"] = weights
        return stats

    def _activation_stats(self) -> dict:
        if self.activation_model is None:
            return {}
        outputs = self.activation_model(self.x, training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        dead, saturated = [], []
        for (name, kind), out in zip(self.activations, outputs):
            a = np.asarray(out, dtype=np.float32).reshape(len(self.x), -1, out.shape[-1])
            if kind == "relu":  # a unit (channel) is dead if it is 0 for every probe example
                dead.append(float(np.mean(np.all(a <= 0, axis=(0, 1)))))
            else:
                s = np.abs(a) if kind == "tanh" else np.abs(2 * a - 1)
                saturated.append(float(np.mean(s > SATURATION)))
        stats = {}
        if dead:
            stats["dead_relu_fraction"] = max(dead)
        if saturated:
            stats["saturated_fraction"] = max(saturated)
        return stats


def _output_facts(y_pred) -> dict:
    """Whether the outputs look like probabilities (in [0, 1], rows summing to 1)."""
    if y_pred.ndim != 2:
        return {}
    return {"outputs_are_probabilities": bool(
        y_pred.shape[1] > 1 and np.all(y_pred >= 0) and np.all(y_pred <= 1)
        and np.allclose(y_pred.sum(axis=1), 1, atol=1e-3)),
            "num_outputs": int(y_pred.shape[1])}


def update_ratio(previous_weights, weights, steps: int) -> float:
    """Mean per-step relative change of the weights, ||dW|| / ||W|| / steps."""
    delta = np.sqrt(sum(((w.astype(np.float64) - p) ** 2).sum()
                        for w, p in zip(weights, previous_weights)))
    norm = np.sqrt(sum((p.astype(np.float64) ** 2).sum() for p in previous_weights))
    return float(delta / max(norm, 1e-12) / max(steps, 1))
