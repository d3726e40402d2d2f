"""LR range test (Smith 2015; fastai's `lr_find`): which learning rate should this config use?

Algorithm: build the config's model and optimizer fresh, then train for `steps` updates while the
learning rate grows exponentially from `min_lr` to `max_lr`, one value per optimizer step (a
schedule, so `train.steps_per_execution > 1` changes it per step too). Each call's own loss is
recovered from Keras' running mean (ktrain_kit/batch_loss.py, shared with the doctor) and smoothed
with a bias-corrected exponential moving average; the sweep stops once the smoothed loss exceeds
`DIVERGENCE_FACTOR` times its best.

Three rules read a suggestion off the smoothed curve, as fastai offers them:
- `minimum`: the rate at the lowest smoothed loss, divided by 10;
- `steep`: the rate where the loss falls fastest (steepest negative slope per log-rate);
- `valley`: fastai's default - the longest stretch over which the loss keeps falling, at 2/3
  of the way along it.
`SUGGESTION_RULE` is the one printed first. benchmarks/LR_FIND.md trains every shipped config with
each rule's suggestion (2 seeds): `minimum` was the best rule or within 1.2% of it in 11 of 12
runs (4% short once); `steep` picked 1e-6 on the tabular configs (their first steps are noisy)
and `valley` fell 6-40% short on SGD, ResNet and regression. So the suggestion is `minimum`; the other
two are printed beside it and written to lr_find.csv.

What it cannot tell: it sees only ~100 steps from initialization, so it ignores warmup, schedules
and what happens late in training. It is unreliable for Transformers (and other models that need
warmup), whose loss can look fine at a learning rate that later diverges; for those, take a value
well below the suggestion and keep warmup. A run's own files are never touched: the test
trains a throwaway model and writes only lr_find.csv and lr_find.png (in a run folder, recorded
in its manifest beside the run's entries).
"""

import csv
import io
import math
import os

import keras
import numpy as np

from ktrain_kit import config as config_lib
from ktrain_kit import data as data_lib
from ktrain_kit import fs, runfolder, runtime
from ktrain_kit.arguments import rate_range_problem
from ktrain_kit.batch_loss import EpochLossDecoder, last_batch
from ktrain_kit.training import build_model

SMOOTHING = 0.98
DIVERGENCE_FACTOR = 4.0
SUGGESTION_RULE = "minimum"
SKIP_START = 0.1     # share of the first points left out of `steep` and `valley` (fastai: 10%)
SKIP_END = 5         # last points left out (the blow-up; fastai: 5)


def sweep(min_lr, max_lr, steps):
    """The learning rate of each of `steps` steps: exponential from min_lr to max_lr."""
    return min_lr * (max_lr / min_lr) ** (np.arange(steps) / max(steps - 1, 1))


def smooth(losses):
    """Bias-corrected exponential moving average (the first values are not pulled to 0)."""
    smoothed, average = [], 0.0
    for i, loss in enumerate(losses):
        average = SMOOTHING * average + (1 - SMOOTHING) * loss
        smoothed.append(average / (1 - SMOOTHING ** (i + 1)))
    return smoothed


def suggest_minimum(lrs, smoothed):
    finite = [i for i, v in enumerate(smoothed) if math.isfinite(v)]
    return float(lrs[min(finite, key=lambda i: smoothed[i])] / 10)


def _trimmed(lrs, smoothed):
    start = int(len(smoothed) * SKIP_START)
    end = max(len(smoothed) - SKIP_END, start + 2)
    finite = [i for i in range(start, min(end, len(smoothed))) if math.isfinite(smoothed[i])]
    return [lrs[i] for i in finite], [smoothed[i] for i in finite]


def suggest_steep(lrs, smoothed):
    lrs, losses = _trimmed(lrs, smoothed)
    if len(losses) < 2:
        return suggest_minimum(lrs or [1.0], losses or [0.0])
    slopes = [(losses[i + 1] - losses[i]) / math.log(lrs[i + 1] / lrs[i])
              for i in range(len(losses) - 1)]
    return float(lrs[int(np.argmin(slopes))])


def suggest_valley(lrs, smoothed):
    """fastai's `valley`: the longest decreasing run of the loss, 2/3 of the way along."""
    lrs, losses = _trimmed(lrs, smoothed)
    n = len(losses)
    if n < 2:
        return suggest_minimum(lrs or [1.0], losses or [0.0])
    longest = [1] * n  # longest strictly decreasing subsequence ending at i
    max_start = max_end = 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and longest[i] < longest[j] + 1:
                longest[i] = longest[j] + 1
        if longest[max_end] < longest[i]:
            max_end, max_start = i, i - longest[i]
    sections = (max_end - max_start) / 3
    return float(lrs[max_start + int(sections) + int(sections / 2)])


RULES = {"minimum": suggest_minimum, "steep": suggest_steep, "valley": suggest_valley}


def suggest(lrs, losses, rule=SUGGESTION_RULE):
    """(suggested lr, smoothed losses) by `rule` (see the module docstring)."""
    smoothed = smooth(losses)
    return RULES[rule](list(lrs), smoothed), smoothed


def lr_range_test(c, workdir, steps=100, min_lr=1e-7, max_lr=10.0):
    """Runs the sweep for config `c`; writes lr_find.csv / lr_find.png into `workdir`."""
    problem = rate_range_problem(min_lr, max_lr)
    if problem:
        raise ValueError(f"lr_range_test: {problem}; e.g. min_lr=1e-7, max_lr=10")
    config_lib.validate(c)
    data = data_lib.load(c.data, c.task, c.seed)
    config_lib.fit_batch_to_data(c, data.train_size)
    config_lib.validate_against_data(c, data)
    facts = runtime.device_facts()
    precision, _ = runtime.choose_precision(c.train.precision, facts)
    precision = "float32" if precision == "measure" else precision
    keras.mixed_precision.set_global_policy(precision)
    runtime.seed_everything(c.seed, False)
    rates = keras.optimizers.schedules.ExponentialDecay(  # min_lr * (max/min) ** (t / (n-1))
        min_lr, decay_steps=max(steps - 1, 1), decay_rate=max_lr / min_lr)
    model, built = build_model(c, data, rates, precision)
    recorder = LRSweep(steps)
    steps_per_epoch = data.train_size // c.data.batch_size
    epochs = math.ceil(steps / steps_per_epoch)
    model.fit(data_lib.train_pipeline(data, c.data.batch_size, c.seed, c.data, 0, epochs,
                                      class_weights=built["class_weights"]),
              steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=0, shuffle=False,
              callbacks=[recorder])
    lrs = sweep(min_lr, max_lr, steps)
    # A point covers the steps of one call; its rate is their geometric mean.
    tried = [float(np.exp(np.mean(np.log(lrs[a:b])))) for a, b in recorder.spans]
    suggestions = {rule: suggest(tried, recorder.losses, rule)[0] for rule in RULES}
    smoothed = smooth(recorder.losses)
    with runfolder.side_output(workdir, runfolder.LR_FIND_OUTPUTS):
        _write(workdir, tried, recorder.losses, smoothed, suggestions)
    return {"suggested_lr": in_sweep(suggestions[SUGGESTION_RULE], min_lr),
            "suggestions": suggestions, "steps": recorder.steps,
            "stopped_on_divergence": recorder.diverged,
            "plot": os.path.join(workdir, "lr_find.png")}


def in_sweep(suggested, min_lr):
    """The suggestion, or None when it lies below the sweep: the lowest loss came within its
    first tenfold of rates, so the loss never fell as the rate grew (too few steps to see it
    fall: --steps=10 suggested 1e-8, a tenth of the first rate tried; or min_lr already too
    high). A rate nobody tried is no suggestion."""
    return suggested if suggested >= min_lr * (1 - 1e-9) else None  # (min_lr x 10 / 10)


class LRSweep(keras.callbacks.Callback):
    """Records each call's loss and the steps it covered; stops on divergence or at `steps`."""

    def __init__(self, steps):
        super().__init__()
        self.total, self.steps, self.diverged = steps, 0, False
        self.losses, self.spans, self.best = [], [], math.inf
        self.decoder = EpochLossDecoder()

    def on_epoch_begin(self, epoch, logs=None):
        self.decoder.start_epoch()

    def on_train_batch_end(self, batch, logs=None):
        covered, loss = self.decoder.decode(last_batch(batch, self.params),
                                            (logs or {}).get("loss", math.nan))
        first, self.steps = self.steps, self.steps + covered
        self.spans.append((first, min(self.steps, self.total)))
        self.losses.append(loss)
        smoothed = smooth(self.losses)[-1]
        self.best = min(self.best, smoothed)
        if not math.isfinite(smoothed) or smoothed > DIVERGENCE_FACTOR * self.best:
            self.diverged = True
            self.model.stop_training = True
        if self.steps >= self.total:
            self.model.stop_training = True


def _write(workdir, lrs, losses, smoothed, suggestions):
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(list(runfolder.LR_FIND_COLUMNS) +
                    [f"suggested_{rule}" for rule in RULES])
    for i, row in enumerate(zip(lrs, losses, smoothed)):
        writer.writerow([i + 1, *row] + ([suggestions[r] for r in RULES] if i == 0 else
                                         [""] * len(RULES)))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(lrs, losses, alpha=0.3, label="batch loss")
    ax.plot(lrs, smoothed, label="smoothed loss")
    for rule, style in zip(RULES, (":", "-.", "--")):
        ax.axvline(suggestions[rule], color="red" if rule == SUGGESTION_RULE else "gray",
                   linestyle=style, label=f"{rule} {suggestions[rule]:.2g}")
    finite = [v for v in smoothed if math.isfinite(v)]
    if finite:
        ax.set_ylim(min(finite) * 0.9, min(max(finite), 4 * finite[0]) * 1.1)
    ax.set(xscale="log", xlabel="learning rate", ylabel="loss", title="LR range test")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=90, format="png")
    plt.close(fig)
    fs.write_text(os.path.join(workdir, "lr_find.csv"), out.getvalue())
    fs.write_bytes(os.path.join(workdir, "lr_find.png"), buffer.getvalue())
