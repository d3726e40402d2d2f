"""The curves' figures: whatever the values, each is drawn and no label is cut off by its edge.

The single-panel figures (a metric, the learning rate) size their left margin from the tick
labels' length instead of tight_layout, which draws every figure twice; this checks that rule
against what Agg actually draws, on values hypothesis picks (negative, tiny, huge, flat).
"""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ktrain_kit import plots

# any float64 a metrics.csv can hold: an overflowed loss, a gap, a hand-edited cell
values = st.one_of(st.floats(-1e9, 1e9), st.floats())
curves = st.lists(values, min_size=1, max_size=30)


def _texts_outside(fig):
    """The texts Agg draws (tick labels, axis labels, titles, offsets) that leave the figure."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width, height = fig.canvas.get_width_height()
    outside = []
    for ax in fig.axes:
        low, high = sorted(ax.get_ylim())
        left, right = sorted(ax.get_xlim())
        texts = [ax.title, ax.xaxis.label, ax.yaxis.label, ax.yaxis.get_offset_text(),
                 # the tick labels drawn: those of ticks within the axes' limits
                 *(t for t in ax.get_yticklabels() if low <= t.get_position()[1] <= high),
                 *(t for t in ax.get_xticklabels() if left <= t.get_position()[0] <= right)]
        for text in texts:
            if not text.get_visible() or not text.get_text():
                continue
            box = text.get_window_extent(renderer)
            if box.x0 < -0.5 or box.y0 < -0.5 or box.x1 > width + 0.5 or box.y1 > height + 0.5:
                outside.append(text.get_text())
    return outside


def _clipped(columns, tmp_path, monkeypatch):
    """Writes metrics.csv of `columns` and plots it; the texts found outside, by figure."""
    epochs = max(len(v) for v in columns.values())
    path = tmp_path / "metrics.csv"
    rows = [["epoch", *columns]] + [
        [str(e + 1)] + [repr(v[e]) if e < len(v) else "" for v in columns.values()]
        for e in range(epochs)]
    path.write_text("\n".join(",".join(r) for r in rows) + "\n")
    found, save = {}, plots._save

    def checked_save(fig, target, claim=None, tight=True):
        found[target.rsplit("/", 1)[-1]] = _texts_outside(fig)
        return save(fig, target, claim, tight)

    monkeypatch.setattr(plots, "_save", checked_save)
    written = plots.plot_curves(str(path), str(tmp_path / "plots"))
    # one figure per metric (its validation curve beside it) and lr, one for the doctor's
    assert len(written) == len(found) == len(
        [k for k in columns if not k.startswith(("val_", "diag_"))]) + \
        any(k.startswith("diag_") for k in columns)
    return {name: texts for name, texts in found.items() if texts}


@settings(max_examples=20, deadline=None)
@given(loss=curves, val_loss=curves, lr=st.lists(st.floats(1e-9, 10.0), min_size=1,
                                                   max_size=30),
       grad_norm=curves, weight_norm=curves)
# a span past float64's range: matplotlib's tick search fails on it (the overflow of a loss)
@example(loss=[1e308, 1.0], val_loss=[-1e308], lr=[1e-3], grad_norm=[float("inf"), 1.0],
         weight_norm=[float("nan")])
def test_every_curve_is_drawn_and_no_label_leaves_the_figure(loss, val_loss, lr, grad_norm,
                                                             weight_norm, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("curves")
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert _clipped({"loss": loss, "val_loss": val_loss, "lr": lr,
                         "diag_grad_norm": grad_norm, "diag_weight_norm": weight_norm},
                        tmp_path, monkeypatch) == {}


# (at 18 pt "learning rate (end of epoch)" is about as long as the 4 in figure is high: no
# margin holds it, tight_layout's neither)
@pytest.mark.parametrize("font_size", [10, 14])
def test_the_margin_rule_matches_what_agg_draws_at_the_widest_labels(tmp_path, monkeypatch,
                                                                     font_size):
    """The cases the rule was written for: negative small values (-0.00025 is 8 characters),
    six-digit losses, a learning rate of 5 decimals, an error metric in the hundreds of
    millions (written with an offset) - at matplotlib's default font size and at the larger
    ones a user's matplotlibrc may set (tight_layout measured those; the rule must too)."""
    import matplotlib
    monkeypatch.setitem(matplotlib.rcParams, "font.size", font_size)
    columns = {"loss": [-0.00025 + 1e-5 * e for e in range(30)],
               "val_loss": [812345 / (e + 1) for e in range(30)],
               "mae": [123456789 / (e + 1) for e in range(30)],
               "lr": [3e-4 * 0.9 ** e for e in range(30)]}
    assert _clipped(columns, tmp_path, monkeypatch) == {}


def test_the_repair_figure_draws_runs_whose_metrics_overflowed(tmp_path):
    """repair.png reads each attempt's metrics.csv the same way (a diverged original run is
    what the doctor sends to repair)."""
    from ktrain_kit import repair
    folders = {}
    for name, loss in (("original", "1e308"), ("fix1", "0.5")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "metrics.csv").write_text(
            f"epoch,loss,val_accuracy\n1,{loss},1e308\n2,-1e308,-1e308\n3,0.7,inf\n")
        folders[name] = str(folder)
    repair._plot(folders["original"], {"metric": "val_accuracy", "attempts": [
        {"number": 1, "remedy": "lower the learning rate", "folder": folders["fix1"],
         "state": "done"}]})
    assert (tmp_path / "original" / repair.REPAIR_PNG).stat().st_size > 0
