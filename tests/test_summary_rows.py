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
