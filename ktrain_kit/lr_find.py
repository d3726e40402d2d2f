"""LR range test (Smith 2015; the fastai "lr_find"): which learning rate should this config use?

Algorithm: build the config's model and optimizer fresh, then train for `steps` updates while the
learning rate grows exponentially from `min_lr` to `max_lr`. The per-batch loss is smoothed with a
bias-corrected exponential moving average; the sweep stops early once the smoothed loss exceeds
`DIVERGENCE_FACTOR` times its best (diverged). The suggestion is the learning rate at the minimum
of the smoothed loss divided by 10: one order of magnitude below the point where the loss stops
improving, the usual safe choice for a whole run.

What it cannot tell: it sees only ~100 steps from initialization, so it ignores warmup, schedules
and what happens late in training. It is unreliable for Transformers (and other models that need
warmup), whose loss can look fine at a learning rate that later diverges; for those, take a value
well below the suggestion and keep warmup. The run folder of a real training is never touched:
the test trains a throwaway model and writes only lr_find.csv and lr_find.png.
"""

import csv
import math
import os

import keras
import numpy as np

from ktrain_kit import config as config_lib
from ktrain_kit import data as data_lib
from ktrain_kit import runtime
from ktrain_kit.train import build_model

SMOOTHING = 0.98
DIVERGENCE_FACTOR = 4.0


def sweep(min_lr, max_lr, steps):
    return min_lr * (max_lr / min_lr) ** (np.arange(steps) / max(steps - 1, 1))


def suggest(lrs, losses):
    """(suggested lr, smoothed losses): lr at the smoothed minimum, divided by 10."""
    smoothed, average = [], 0.0
    for i, loss in enumerate(losses):
        average = SMOOTHING * average + (1 - SMOOTHING) * loss
        smoothed.append(average / (1 - SMOOTHING ** (i + 1)))
    finite = [i for i, v in enumerate(smoothed) if math.isfinite(v)]
    best = min(finite, key=lambda i: smoothed[i])
    return float(lrs[best] / 10), smoothed


def lr_range_test(c, workdir, steps=100, min_lr=1e-7, max_lr=10.0):
    """Runs the sweep for config `c`; writes lr_find.csv / lr_find.png into `workdir`."""
    config_lib.validate(c)
    data = data_lib.load(c.data, c.seed)
    facts = runtime.device_facts()
    precision, _ = runtime.choose_precision(c.train.precision, facts)
    keras.mixed_precision.set_global_policy(precision)
    runtime.seed_everything(c.seed, False)
    os.makedirs(workdir, exist_ok=True)

    lrs = sweep(min_lr, max_lr, steps)
    model, _ = build_model(c, data, float(lrs[0]), precision)
    recorder = LRSweep(lrs)
    steps_per_epoch = len(data.x_train) // c.data.batch_size
    epochs = math.ceil(steps / steps_per_epoch)
    model.fit(data_lib.train_pipeline(data, c.data.batch_size, c.seed, c.data, 0, epochs),
              steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=0, shuffle=False,
              callbacks=[recorder])
    tried = lrs[:len(recorder.losses)]
    suggestion, smoothed = suggest(tried, recorder.losses)
    _write(workdir, tried, recorder.losses, smoothed, suggestion)
    return {"suggested_lr": suggestion, "steps": len(recorder.losses),
            "stopped_on_divergence": recorder.diverged, "plot": os.path.join(workdir,
                                                                              "lr_find.png")}


class LRSweep(keras.callbacks.Callback):
    """Sets the learning rate of each step from `lrs`; records losses; stops on divergence."""

    def __init__(self, lrs):
        super().__init__()
        self.lrs, self.losses, self.diverged = lrs, [], False
        self.best, self.average, self.previous_mean = math.inf, 0.0, 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.previous_mean = 0.0

    def on_train_batch_begin(self, batch, logs=None):
        self.model.optimizer.learning_rate = float(self.lrs[len(self.losses)])

    def on_train_batch_end(self, batch, logs=None):
        mean = float(logs["loss"])
        loss = (batch + 1) * mean - batch * self.previous_mean  # this batch, not the running mean
        self.previous_mean = mean
        self.losses.append(loss)
        step = len(self.losses)
        self.average = SMOOTHING * self.average + (1 - SMOOTHING) * loss
        smoothed = self.average / (1 - SMOOTHING ** step)
        self.best = min(self.best, smoothed)
        if not math.isfinite(smoothed) or smoothed > DIVERGENCE_FACTOR * self.best:
            self.diverged = True
            self.model.stop_training = True
        if step >= len(self.lrs):
            self.model.stop_training = True


def _write(workdir, lrs, losses, smoothed, suggestion):
    with open(os.path.join(workdir, "lr_find.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["step", "lr", "loss", "smoothed_loss"])
        writer.writerows(zip(range(1, len(lrs) + 1), lrs, losses, smoothed))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(lrs, losses, alpha=0.3, label="batch loss")
    ax.plot(lrs, smoothed, label="smoothed loss")
    ax.axvline(suggestion, color="red", linestyle="--", label=f"suggested {suggestion:.2g}")
    finite = [v for v in smoothed if math.isfinite(v)]
    if finite:
        ax.set_ylim(min(finite) * 0.9, min(max(finite), 4 * finite[0]) * 1.1)
    ax.set(xscale="log", xlabel="learning rate", ylabel="loss", title="LR range test")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(workdir, "lr_find.png"), dpi=90)
    plt.close(fig)
