"""PNG curves from `metrics.csv`: loss, each metric (train vs validation), the learning rate
and the doctor's statistics (diagnostics.png)."""

import csv
import io
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

from ktrain_kit import fs  # noqa: E402
from ktrain_kit.arguments import FLOAT32_MAX  # noqa: E402


def read_metrics(path):
    """metrics.csv as {column: [one float per epoch]}; an empty cell is NaN (a gap in a curve).

    A torn or garbled row (a kill in mid-write, an edit by hand) is skipped, not a crash.
    """
    with fs.open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    rows = []
    for row in reader:
        try:
            rows.append([float(v) if v else math.nan for v in row])
        except ValueError:
            continue
    if not header or header[0] != "epoch":
        return {}
    rows = [r for r in rows if len(r) == len(header)]
    return {k: [r[i] for r in rows] for i, k in enumerate(header)}


def at_epoch(history: dict, column: str, epoch: int):
    """`column`'s value on the row of epoch `epoch` (1-based, the `epoch` column), None if
    that row is missing: rows are found by their epoch, never by their place, as a resume
    that set a garbled row aside has one row fewer than epochs (the summary reported epoch 8's
    metrics as the kept epoch 7's)."""
    values = history.get(column) or []
    return next((v for e, v in zip(epoch_numbers(history, values), values) if e == epoch), None)


def epoch_numbers(history: dict, values) -> list:
    """The epoch number of each of `values`' rows: the `epoch` column, or (a history built
    without one, as Keras' History is) their places, from 1."""
    return [int(e) for e in history.get("epoch") or range(1, len(values) + 1)]


def last_epoch(history: dict) -> int:
    """The number of the last epoch with a row (0 if none): how many epochs ran."""
    return max(epoch_numbers(history, history.get("loss") or []), default=0)


def plottable_metrics(path):
    """`read_metrics`, with a gap (NaN) for what no float32 metric can be: a Keras metric is
    float32, so a value beyond its range or not finite is an overflow or a hand-edited file,
    and matplotlib's tick search fails on a span past float64's (-1e308 to 1e308)."""
    return {k: [v if -FLOAT32_MAX <= v <= FLOAT32_MAX else math.nan for v in values]
            for k, values in read_metrics(path).items()}


def plot_curves(metrics_csv, out_dir, claim=None):
    """Writes loss.png, one PNG per metric, lr.png and diagnostics.png (the doctor's
    statistics, when metrics.csv has them); returns the paths written. `claim(path)` is called
    before each is written (a run folder records it in its manifest)."""
    metrics = plottable_metrics(metrics_csv)
    if not metrics.get("epoch"):
        return []
    epochs = metrics["epoch"]
    skip = {"epoch", "lr", "epoch_time_s", "examples_per_sec", "steps_per_sec"}
    names = [k for k in metrics if k not in skip and not k.startswith("val_") and "/" not in k
             and not k.startswith(DIAGNOSTICS)]
    written = []
    for name in names:
        fig, ax = _single_panel()
        ax.plot(epochs[:len(metrics[name])], metrics[name], "o-", label=f"train {name}")
        if f"val_{name}" in metrics:
            ax.plot(epochs[:len(metrics[f"val_{name}"])], metrics[f"val_{name}"], "s-",
                    label=f"validation {name}")
        ax.set(xlabel="epoch", ylabel=name)
        ax.set_title(name, y=TITLE_Y)
        ax.grid(alpha=0.3)
        ax.legend()
        _fit_margins(fig, ax)
        written.append(_save(fig, fs.join(out_dir, f"{name}.png"), claim, tight=False))
    if metrics.get("lr"):
        fig, ax = _single_panel()
        ax.plot(epochs[:len(metrics["lr"])], metrics["lr"], "o-")
        ax.set(xlabel="epoch", ylabel="learning rate (end of epoch)")
        ax.set_title("learning rate", y=TITLE_Y)
        ax.grid(alpha=0.3)
        _fit_margins(fig, ax)
        written.append(_save(fig, fs.join(out_dir, "lr.png"), claim, tight=False))
    diagnostics = [k for k in metrics if k.startswith(DIAGNOSTICS)]
    if diagnostics:
        written.append(_plot_diagnostics(epochs, metrics, diagnostics, out_dir, claim))
    return written


def _single_panel():
    """A 6x4 in figure of one panel, its margins set by `_fit_margins` rather than
    tight_layout, which draws the figure once more to measure it (30% of plot_curves)."""
    return plt.subplots(figsize=(6, 4))


def _fit_margins(fig, ax):
    """Room for the labels, counted rather than drawn: the widest y tick label in characters
    (formatting the ticks draws nothing; a DejaVu Sans digit is 0.65 of its font size wide),
    the axis labels and the title, each at the font size matplotlib's settings give it (a
    user's matplotlibrc may set 14 pt, not 10)."""
    def inches(setting):  # a font size setting ("medium", 12) as inches
        return FontProperties(size=matplotlib.rcParams[setting]).get_size_in_points() / 72
    labels = ax.yaxis.get_major_formatter().format_ticks(ax.get_yticks())
    chars = max((len(label) for label in labels), default=1)
    tick, label = inches("ytick.labelsize"), inches("axes.labelsize")
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=min(0.45, ((0.65 * chars + 1.5) * tick + 1.5 * label) / width),
                        bottom=min(0.45, (1.7 * inches("xtick.labelsize") + 1.7 * label) / height),
                        top=max(0.55, 1 - 2.2 * inches("axes.titlesize") / height),
                        right=0.97)


# Where matplotlib puts a title anyway (nothing sits above our axes). Said, it is not searched
# for at every draw: that search measured the bounding boxes of all ticks, 30% of a figure.
TITLE_Y = 1.0

DIAGNOSTICS = "diag_"  # the doctor's statistics: one figure (a figure each cost more than the
                       # doctor's own work on short runs)
# Statistics read together share a panel: first vs last layer (vanishing / exploding gradients
# are the gap between them), dead ReLU vs saturated units (both shares of units).
PANELS = {"grad_rms_first_layer": ("gradient RMS by layer", "first"),
          "grad_rms_last_layer": ("gradient RMS by layer", "last"),
          "dead_relu_fraction": ("share of units", "dead ReLU"),
          "saturated_fraction": ("share of units", "saturated")}


def _plot_diagnostics(epochs, metrics, names, out_dir, claim=None):
    """One panel per statistic (paired ones together), few ticks and one shared epoch axis:
    Agg's text rendering is most of a figure's cost, ~0.15 s for the 7-panel version."""
    panels = {}
    for name in names:
        stat = name[len(DIAGNOSTICS):]
        title, label = PANELS.get(stat, (stat.replace("_", " "), None))
        panels.setdefault(title, []).append((name, label))
    columns = min(3, len(panels))
    rows = math.ceil(len(panels) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 2.5 * rows), squeeze=False,
                             sharex=True)
    for ax, (title, members) in zip(axes.flat, panels.items()):
        for name, label in members:
            ax.plot(epochs[:len(metrics[name])], metrics[name], "o-", markersize=3, label=label)
        if len(members) > 1:
            ax.legend(fontsize="small", loc="upper right")  # "best" searches: slow
        elif members[0][1]:  # a pair's panel with one of the two: say which
            title = f"{title}: {members[0][1]}"
        ax.set_title(title, fontsize="medium", y=TITLE_Y)
        ax.locator_params(nbins=4)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
        axes[ax.get_subplotspec().rowspan.start - 1, ax.get_subplotspec().colspan.start] \
            .xaxis.set_tick_params(labelbottom=True)  # the panel above is a column's last
    fig.supxlabel("epoch")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.3, hspace=0.45)
    return _save(fig, fs.join(out_dir, "diagnostics.png"), claim, tight=False)  # tight: 2x


def _save(fig, path, claim=None, tight=True):
    """Saves whole or not at all, replacing (never following) whatever is at `path`."""
    from ktrain_kit.runfolder import write_bytes
    try:  # rendered first: a failure to write leaves no figure open (pyplot keeps them all)
        if tight:
            fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, dpi=90, format="png")
    finally:
        plt.close(fig)
    if claim is not None:  # recorded in the run's manifest BEFORE anything is created, so a
        claim(path)        # kill in between leaves nothing the run does not know as its own
    fs.subfolder(os.path.dirname(path))
    write_bytes(path, buffer.getvalue())
    return path
