"""Independent references: softmax regression gradients and the optimizers' update rules in
NumPy; the words of a text by Unicode names and categories."""

import unicodedata

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


SPACELESS = ("THAI ", "LAO ", "KHMER ", "MYANMAR ")  # scripts without spaces between words


def reference_words(text):
    """Independent of TensorFlow: lower-case; emoji joiners out; punctuation (not `_`) and
    math / currency / modifier symbols -> space; every other symbol (emoji), every Chinese or
    Japanese character, and every Thai / Lao / Khmer / Myanmar character with the marks after
    it (by Unicode names and categories) a word of its own."""
    out = []
    for ch in text.lower():
        category, name = unicodedata.category(ch), unicodedata.name(ch, "")
        if "\ufe00" <= ch <= "\ufe0f" or ch == "\u200d":
            continue
        if category == "So" or name.startswith(("CJK UNIFIED IDEOGRAPH", "HIRAGANA",
                                                 "KATAKANA")):
            out.append(f" {ch} ")
        elif name.startswith(SPACELESS) and category[0] == "M" and out and \
                out[-1].strip() and unicodedata.name(out[-1].strip()[0], "").startswith(SPACELESS):
            out[-1] = f" {out[-1].strip()}{ch} "  # a mark joins the character before it
        elif name.startswith(SPACELESS):
            out.append(f" {ch} ")
        elif category in ("Sm", "Sc", "Sk") or (category[0] == "P" and category != "Pc"):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out).split()
