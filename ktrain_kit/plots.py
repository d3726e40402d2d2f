"""PNG curves from `metrics.csv`: loss, each metric (train vs validation) and the learning rate."""

import csv
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_metrics(path):
    """metrics.csv as {column: [one float per epoch]}; an empty cell is NaN (a gap in a curve)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) if r.get(k) else math.nan for r in rows]
            for k in (rows[0] if rows else {})}


def plot_curves(metrics_csv, out_dir):
    """Writes loss.png, one PNG per metric and lr.png; returns the paths written."""
    metrics = read_metrics(metrics_csv)
    if not metrics.get("epoch"):
        return []
    os.makedirs(out_dir, exist_ok=True)
    epochs = metrics["epoch"]
    skip = {"epoch", "lr", "epoch_time_s", "examples_per_sec"}
    names = [k for k in metrics if k not in skip and not k.startswith("val_") and "/" not in k]
    written = []
    for name in names:
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(epochs[:len(metrics[name])], metrics[name], "o-", label=f"train {name}")
        if f"val_{name}" in metrics:
            ax.plot(epochs[:len(metrics[f"val_{name}"])], metrics[f"val_{name}"], "s-",
                    label=f"validation {name}")
        ax.set(xlabel="epoch", ylabel=name, title=name)
        ax.grid(alpha=0.3)
        ax.legend()
        written.append(_save(fig, os.path.join(out_dir, f"{name}.png")))
    if metrics.get("lr"):
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(epochs[:len(metrics["lr"])], metrics["lr"], "o-")
        ax.set(xlabel="epoch", ylabel="learning rate (end of epoch)", title="learning rate")
        ax.grid(alpha=0.3)
        written.append(_save(fig, os.path.join(out_dir, "lr.png")))
    return written


def _save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
