"""The summary reads metrics.csv rows by their `epoch`, not by their place: a resume that set a
garbled row aside (metrics-garbled-N.csv) leaves one row fewer than epochs, and the summary
reported epoch 8's validation metrics as the kept epoch 7's (a helper's case)."""

import types

from ktrain_kit import sweep, training
from ktrain_kit.config import default_config

# epoch 3's row set aside by a resume
HISTORY = {"epoch": [1.0, 2.0, 4.0, 5.0, 6.0], "loss": [0.9, 0.7, 0.5, 0.4, 0.35],
           "val_loss": [0.8, 0.6, 0.3, 0.45, 0.5], "val_accuracy": [0.5, 0.6, 0.9, 0.8, 0.7]}


def _summary(best_epoch):
    stopping = types.SimpleNamespace(restore_best_weights=True, best_epoch=best_epoch - 1,
                                     best_weights=object())  # Keras' best_epoch: 0-based
    return training._summary(default_config(), HISTORY, stopping, 0.0, "w", None, [],
                             "float32", "default")


def test_the_kept_epochs_metrics_are_its_own_row():
    s = _summary(best_epoch=4)
    assert s["best_epoch"] == 4 and s["epochs_run"] == 6
    assert s["main_metric_value"] == 0.9  # epoch 4's row, the third in the file
    assert s["val_metrics"] == {"val_loss": 0.3, "val_accuracy": 0.9}


def test_a_kept_epoch_without_a_row_reports_no_value_rather_than_anothers():
    s = _summary(best_epoch=3)
    assert s["main_metric_value"] is None and s["val_metrics"]["val_loss"] is None


def test_the_printed_best_names_its_epoch_number(capsys):
    s = {**_summary(best_epoch=5), "stopped": None}  # train() adds it
    training._print_summary(s, "accuracy", HISTORY)
    assert "val accuracy 0.8000 at epoch 5 (the weights kept); its best was 0.9000, at epoch 4" \
        in capsys.readouterr().out


def test_a_sweeps_trial_value_is_the_kept_epochs(tmp_path):
    with open(tmp_path / "metrics.csv", "w") as f:
        f.write("epoch,val_accuracy\n" + "".join(
            f"{int(e)},{v}\n" for e, v in zip(HISTORY["epoch"], HISTORY["val_accuracy"])))
    assert sweep._kept_value(str(tmp_path), "val_accuracy", {"best_epoch": 4}) == 0.9
    assert sweep._kept_value(str(tmp_path), "val_accuracy", {}) == 0.7  # the last epoch


def test_the_printed_places_are_only_those_the_run_wrote(tmp_path, capsys):
    """Plots or TensorBoard switched off: no line points at a folder that is not there."""
    s = {**_summary(best_epoch=4), "stopped": None, "workdir": str(tmp_path)}
    training._print_summary(s, "accuracy", HISTORY)
    out = capsys.readouterr().out
    assert "curves:" not in out and "TensorBoard" not in out and "metrics:" in out
    (tmp_path / "tensorboard").mkdir()
    training._print_summary({**s, "plots": [str(tmp_path / "plots" / "loss.png")]}, "accuracy",
                            HISTORY)
    out = capsys.readouterr().out
    assert f"curves:     {tmp_path}/plots/" in out
    assert f"tensorboard --logdir {tmp_path}/tensorboard" in out


def test_a_validation_split_of_one_label_is_said_and_not_judged_by_its_auc(tmp_path):
    """40 rows, 2 frauds (a helper's file): where the split sends neither to validation, ROC
    AUC is undefined there (scikit-learn refuses it; Keras reports 0.0) and the run printed
    "best val auc 0.0000". Now the data's notes say so and the summary reads accuracy; where
    validation holds both labels, nothing changes."""
    import warnings

    import numpy as np
    from conftest import data_config, task
    from sklearn.metrics import roc_auc_score

    from ktrain_kit.data import sources
    rng = np.random.default_rng(0)
    rows = [f"{a:.3f},{'yes' if i < 2 else 'no'}" for i, a in enumerate(rng.normal(size=40))]
    (tmp_path / "rare.csv").write_text("a,fraud\n" + "\n".join(rows) + "\n")
    c = default_config()
    c.task.name = "binary"
    seen = set()
    for seed in range(30):
        data = sources.load(data_config("csv", tmp_path / "rare.csv", label_column="fraud"),
                            task("binary"), seed)
        y_val = np.ravel(data.y_val)
        with warnings.catch_warnings():  # scikit-learn 1.6+: a warning and NaN
            warnings.simplefilter("ignore")
            try:
                defined = not np.isnan(roc_auc_score(y_val, np.linspace(0, 1, len(y_val))))
            except ValueError:  # older: "Only one class present in y_true"
                defined = False
        noted = any("ROC AUC is undefined" in n for n in data.notes)
        assert noted == (not defined)
        assert training._main_metric(c, data) == ("auc" if defined else "accuracy")
        seen.add(defined)
    assert seen == {True, False}
