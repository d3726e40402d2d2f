"""Independent NumPy reference: softmax regression gradients and the optimizers' update rules."""

import numpy as np


def softmax_ce_grads(w, b, x, y):
    """Mean sparse-categorical cross-entropy of logits x @ w + b, and its gradients."""
    logits = x @ w + b
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    n = len(x)
    loss = -np.log(p[np.arange(n), y]).mean()
    d = p.copy()
    d[np.arange(n), y] -= 1
    d /= n
    return loss, x.T @ d, d.sum(axis=0)


def clip_global_norm(grads, max_norm):
    norm = np.sqrt(sum((g.astype(np.float64) ** 2).sum() for g in grads))
    return [g * min(1.0, max_norm / norm) for g in grads]


class SGD:
    """The guide's (PyTorch's, optax's) momentum: v <- mu v + g; w <- w - lr v
    (Nesterov: w <- w - lr (g + mu v)). `lr` may change at every step (`step(..., lr=...)`)."""

    def __init__(self, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        self.lr, self.momentum, self.nesterov, self.wd = lr, momentum, nesterov, weight_decay
        self.v = None

    def step(self, params, grads, decay_mask, lr=None):
        lr = self.lr if lr is None else lr
        self.v = self.v or [np.zeros_like(p) for p in params]
        out = []
        for i, (p, g) in enumerate(zip(params, grads)):
            if decay_mask[i]:
                p = p - lr * self.wd * p
            self.v[i] = self.momentum * self.v[i] + g
            direction = g + self.momentum * self.v[i] if self.nesterov else self.v[i]
            out.append(p - lr * direction)
        return out


class Adam:
    """Adam as Kingma & Ba, with decoupled weight decay (AdamW) when weight_decay > 0."""

    def __init__(self, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=0.0):
        self.lr, self.b1, self.b2, self.eps, self.wd = lr, beta_1, beta_2, epsilon, weight_decay
        self.m = self.v = None
        self.t = 0

    def step(self, params, grads, decay_mask):
        self.m = self.m or [np.zeros_like(p) for p in params]
        self.v = self.v or [np.zeros_like(p) for p in params]
        self.t += 1
        alpha = self.lr * np.sqrt(1 - self.b2 ** self.t) / (1 - self.b1 ** self.t)
        out = []
        for i, (p, g) in enumerate(zip(params, grads)):
            if decay_mask[i]:
                p = p - self.lr * self.wd * p
            self.m[i] = self.b1 * self.m[i] + (1 - self.b1) * g
            self.v[i] = self.b2 * self.v[i] + (1 - self.b2) * g * g
            out.append(p - alpha * self.m[i] / (np.sqrt(self.v[i]) + self.eps))
        return out
