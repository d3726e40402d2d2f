"""The run folder is only ever the run's: foreign files, symlinks and stale files are refused
(with or without --overwrite) and left as they were; one process at a time; a damaged folder is
one line in train, evaluate and export; an export never destroys the previous one; a run can
always be finished by re-running its command (after any phase, after early stopping, after a
full disk)."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from ktrain_kit import runfolder
from ktrain_kit.errors import UserError
from ktrain_kit.training import train

from conftest import ROOT, load_config, run_launcher

TINY = dict(train__epochs=2, train__verbose=0, data__train_examples=64)


def tiny(**extra):
    return load_config("digits_mlp", **{**TINY, **extra})


def snapshot(folder):
    return {os.path.join(d, f): (os.path.getmtime(os.path.join(d, f)),
                                 os.path.getsize(os.path.join(d, f)))
            for d, _, files in os.walk(folder) for f in files}


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("finished") / "run")
    train(tiny(), workdir)
    return workdir


def copy_run(source, target):
    import shutil
    shutil.copytree(source, target, symlinks=True)
    return str(target)


# ------------------------------------------------------------------ only the run's
@pytest.mark.parametrize("overwrite", [False, True])
def test_a_folder_holding_other_files_is_refused_and_left_alone(tmp_path, finished, overwrite):
    workdir = copy_run(finished, tmp_path / "run")
    (tmp_path / "run" / "notes.txt").write_text("my notes")
    before = snapshot(workdir)
    with pytest.raises(UserError, match="notes.txt"):
        train(tiny(), workdir, overwrite=overwrite)
    assert snapshot(workdir) == before


def test_a_symlink_in_the_folder_is_refused_and_never_followed(tmp_path, finished):
    workdir = copy_run(finished, tmp_path / "run")
    outside = tmp_path / "outside.md"
    outside.write_text("precious")
    os.remove(os.path.join(workdir, "diagnosis.md"))
    os.symlink(outside, os.path.join(workdir, "diagnosis.md"))
    with pytest.raises(UserError, match="diagnosis.md"):
        train(tiny(), workdir, overwrite=True)
    assert outside.read_text() == "precious"


def test_writes_replace_a_planted_symlink_instead_of_following_it(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    os.symlink(outside, tmp_path / "evaluation.json")
    runfolder.write_text(str(tmp_path / "evaluation.json"), "{}")
    assert outside.read_text() == "precious" and not os.path.islink(tmp_path / "evaluation.json")


def test_a_stale_metrics_file_without_a_run_is_not_appended_to(tmp_path):
    workdir = tmp_path / "run"
    workdir.mkdir()
    (workdir / "metrics.csv").write_text("epoch,loss\n1,9.9\n")
    with pytest.raises(UserError, match="metrics.csv"):
        train(tiny(), str(workdir))
    assert (workdir / "metrics.csv").read_text() == "epoch,loss\n1,9.9\n"


def test_overwrite_removes_only_what_the_run_wrote(tmp_path, finished):
    workdir = copy_run(finished, tmp_path / "run")
    manifest = json.load(open(os.path.join(workdir, "manifest.json")))["entries"]
    assert {"config.json", "metrics.csv", "checkpoints", "export/1", "plots/loss.png",
            "summary.json"} <= set(manifest)
    summary = train(tiny(), workdir, overwrite=True)
    assert summary["epochs_run"] == 2  # trained again from scratch, not resumed
    assert sorted(os.listdir(workdir)) == sorted({e.split("/")[0] for e in manifest} |
                                                 {"manifest.json"})


def test_a_corrected_command_is_accepted_after_a_failed_start(tmp_path):
    """A run that failed before its first checkpoint left config.json: the corrected command
    (a different config) may use the folder - there is nothing to lose."""
    workdir = tmp_path / "run"
    workdir.mkdir()
    (workdir / "config.json").write_text(tiny(schedule__base_lr=123.0).to_json())
    (workdir / "manifest.json").write_text(json.dumps({"entries": ["config.json"]}))
    assert train(tiny(), str(workdir))["epochs_run"] == 2


def test_default_folder_names_never_collide():
    names = {runfolder.default_workdir("configs/digits_mlp.py") for _ in range(50)}
    assert len(names) == 50 and all(n.startswith("runs/digits_mlp-") for n in names)


# ------------------------------------------------------------------ damaged folders
@pytest.mark.parametrize("damage,fragment", [
    ("config_garbage", "config.json is unreadable"),
    ("config_foreign", "not a ktrain_kit config"),
    ("weights_truncated", "final.weights.h5"),
])
def test_damaged_folders_are_one_line_in_evaluate_and_export(tmp_path, finished, damage,
                                                             fragment):
    workdir = copy_run(finished, tmp_path / "run")
    if damage == "config_garbage":
        (tmp_path / "run" / "config.json").write_text("{not json")
    elif damage == "config_foreign":
        (tmp_path / "run" / "config.json").write_text('["a", "list"]')
    else:
        path = tmp_path / "run" / "checkpoints" / "final.weights.h5"
        path.write_bytes(path.read_bytes()[:500])
    for launcher, extra in (("launchers.evaluate", []), ("launchers.export", ["--version=2"])):
        result = run_launcher(launcher, f"--workdir={workdir}", *extra, timeout=120)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert result.returncode == 2 and len(errors) == 1, result.stderr[-1500:]
        assert fragment in errors[0] and "Traceback" not in result.stderr
    assert os.path.isdir(os.path.join(workdir, "export", "1"))


def test_weights_of_another_model_are_named_as_such_not_as_damage(tmp_path, finished):
    """A whole weights file of another architecture (another run's, or an older ktrain_kit's
    `bag`) is not damage: resuming would not write it again. The error names the shapes that
    disagree, read here from the two files themselves."""
    import h5py

    from ktrain_kit import restore
    workdir = copy_run(finished, tmp_path / "run")
    other = str(tmp_path / "wider")
    train(tiny(model__width=48), other)
    weights = os.path.join("checkpoints", "final.weights.h5")
    with open(os.path.join(other, weights), "rb") as source:
        data = source.read()
    with open(os.path.join(workdir, weights), "wb") as target:
        target.write(data)

    def kernel_shapes(path):
        shapes = []
        with h5py.File(path) as f:
            f.visititems(lambda name, item: shapes.append(item.shape)
                         if isinstance(item, h5py.Dataset) and len(item.shape) == 2 else None)
        return shapes
    ours = kernel_shapes(os.path.join(finished, weights))
    theirs = kernel_shapes(os.path.join(other, weights))
    with pytest.raises(UserError) as raised:
        restore.load_run(workdir)
    message = str(raised.value)
    assert "another model" in message and "damaged" not in message and "--overwrite" in message
    model_shape, file_shape = (tuple(int(n) for n in part.split(",") if n.strip())
                               for part in re.findall(r"\(([\d, ]+)\)", message)[:2])
    assert model_shape in ours and file_shape in theirs and model_shape != file_shape


def test_a_torn_metrics_row_does_not_stop_a_resume(tmp_path):
    from ktrain_kit.callbacks import MetricsCSV
    from ktrain_kit.plots import read_metrics
    path = tmp_path / "metrics.csv"
    path.write_text("epoch,loss,val_loss\n1,0.5,0.6\n2,0.4,0.5\n3,0.3,0.4\n4,0.2,0.\x00\x00garb")
    assert read_metrics(str(path))["loss"] == [0.5, 0.4, 0.3]
    before = path.read_bytes()
    aside = MetricsCSV(str(path), 32).keep_epochs_up_to(2)
    assert path.read_text().splitlines() == ["epoch,loss,val_loss", "1,0.5,0.6", "2,0.4,0.5"]
    assert aside == str(tmp_path / "metrics-garbled-1.csv")
    assert (tmp_path / "metrics-garbled-1.csv").read_bytes() == before  # the torn row kept
    # a later epoch (3, trained again) is no damage: nothing more is copied aside
    assert MetricsCSV(str(path), 32).keep_epochs_up_to(1) is None
    assert not (tmp_path / "metrics-garbled-2.csv").exists()


def test_a_garbled_metrics_csv_is_kept_aside_when_the_launcher_resumes(tmp_path, finished):
    """A resume rewrites metrics.csv with the rows its checkpoint covers; a garbled row (and a
    file without its header: every row) went without a word. Now the file as it was is kept
    byte for byte in metrics-garbled-N.csv, owned by the run (its manifest), one line says
    so, and training goes on."""
    from conftest import PINNED_FLAGS, rewind
    folder = os.path.join(finished, "checkpoints")
    first = min(int(n[5:].split(".")[0]) for n in os.listdir(folder) if n.startswith("ckpt-"))
    workdir = rewind(finished, tmp_path / "run", step=first)  # killed after epoch 1
    metrics = tmp_path / "run" / "metrics.csv"
    rows = metrics.read_text().splitlines()
    metrics.write_text("\n".join(rows[:2] + ["1,0.7,garbled,\x00", "2,0.3"]) + "\n")
    garbled = metrics.read_bytes()
    result = run_launcher("launchers.train", "--config=configs/digits_mlp.py",
                          "--config.train.epochs=2", "--config.data.train_examples=64",
                          "--config.train.verbose=0", *PINNED_FLAGS, f"--workdir={workdir}",
                          timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    notes = [line for line in result.stdout.splitlines() if "unreadable row" in line]
    assert len(notes) == 1 and "2 unreadable row(s)" in notes[0], result.stdout[-2000:]
    assert "metrics-garbled-1.csv" in notes[0]
    assert (tmp_path / "run" / "metrics-garbled-1.csv").read_bytes() == garbled
    assert "metrics-garbled-1.csv" in runfolder.read_manifest(workdir)
    epochs = [line.split(",")[0] for line in metrics.read_text().splitlines()[1:]]
    assert epochs == ["1", "2"]  # epoch 1 as it was, epoch 2 trained again


@pytest.mark.parametrize("damage", ["deleted", "emptied", "header cut"])
def test_a_resume_over_a_lost_metrics_csv_says_which_epochs_it_lacks(tmp_path, finished,
                                                                     damage, capsys):
    """metrics.csv deleted, emptied or cut inside its header: the resume went on (rightly:
    the checkpoint is the work) without a word, its history starting at epoch 2, and a header
    cut short named the next rows' cells ('dia'). Now one line names the epochs it lacks, and
    the file's header is the run's own (the oracle: the header a whole run writes)."""
    from conftest import rewind
    folder = os.path.join(finished, "checkpoints")
    first = min(int(n[5:].split(".")[0]) for n in os.listdir(folder) if n.startswith("ckpt-"))
    workdir = rewind(finished, tmp_path / "run", step=first)  # killed after epoch 1
    metrics = tmp_path / "run" / "metrics.csv"
    whole_header = (open(os.path.join(finished, "metrics.csv")).readline())
    if damage == "deleted":
        metrics.unlink()
    else:
        metrics.write_text("" if damage == "emptied" else whole_header[:25])
    capsys.readouterr()
    train(tiny(), workdir)
    assert "metrics.csv holds no row for epoch 1 (" in capsys.readouterr().out
    lines = metrics.read_text().splitlines()
    assert lines[0] + "\n" == whole_header and [r.split(",")[0] for r in lines[1:]] == ["2"]


def test_data_that_changed_since_training_is_refused(tmp_path):
    rng = np.random.default_rng(0)
    data = tmp_path / "d.npz"
    np.savez(data, x=rng.normal(size=(120, 5)).astype("float32"), y=rng.integers(0, 2, 120))
    workdir = str(tmp_path / "run")
    train(tiny(data__name="npz", data__path=str(data), data__train_examples=0), workdir)
    np.savez(data, x=rng.normal(size=(120, 5)).astype("float32"), y=rng.integers(0, 2, 120))
    from ktrain_kit.evaluate import evaluate
    with pytest.raises(UserError, match="changed since"):
        evaluate(workdir)


def test_grown_data_is_named_as_the_change_not_a_setting_derived_from_it(tmp_path):
    """A CSV that gained rows since its run was interrupted was refused as "a different config
    (differs in: data.batch_size)", a key the user never set: the batch fitted to the row count
    changed with the data. The data is named."""
    rng = np.random.default_rng(0)
    rows = lambda n: "".join(f"{a:.3f},{int(a > 0)}\n" for a in rng.normal(size=n))  # noqa
    data = tmp_path / "d.csv"
    data.write_text("a,label\n" + rows(40))
    workdir = str(tmp_path / "run")
    config = tiny(data__name="csv", data__path=str(data), data__label_column="label",
                  data__train_examples=0, data__batch_size=64, task__name="binary")
    train(config, workdir)
    os.remove(os.path.join(workdir, "summary.json"))  # as an interrupted run has none
    data.write_text("a,label\n" + rows(400))
    with pytest.raises(UserError) as refused:
        train(config, workdir)
    assert "data at data.path changed" in str(refused.value), str(refused.value)


def test_a_changed_key_of_an_interrupted_run_is_told_with_the_value_that_resumes_it(tmp_path,
                                                                                    finished):
    """"differs in: train.epochs; choose a new --workdir, or pass --overwrite": both start from
    scratch. The run's own value (config.json's) is given, and with it the run goes on."""
    workdir = copy_run(finished, tmp_path / "run")
    os.remove(os.path.join(workdir, "summary.json"))
    with pytest.raises(UserError) as refused:
        train(tiny(train__epochs=3, model__dropout=0.3), workdir)
    saved = json.load(open(os.path.join(workdir, "config.json")))
    message = str(refused.value)
    assert f"--config.train.epochs={saved['train']['epochs']}" in message
    assert f"--config.model.dropout={saved['model']['dropout']}" in message
    assert train(tiny(), workdir)["epochs_run"] == saved["train"]["epochs"]


def test_the_doctor_on_a_run_not_finished_gives_the_advice_that_fits(tmp_path, finished):
    """`launchers.doctor` said "the run has not finished; re-run its training command" to an
    empty folder (no run), to a run training now (whose re-run is refused as in use), and to a
    run whose config.json is unreadable (whose re-run is refused for it)."""
    import fcntl

    from ktrain_kit import repair
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="holds no run"):
        repair.diagnosis_lines(str(tmp_path / "empty"))
    workdir = copy_run(finished, tmp_path / "run")
    for name in ("summary.json", "diagnosis.json"):
        os.remove(os.path.join(workdir, name))
    fd = os.open(os.path.join(workdir, runfolder.LOCK), os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a training holds it
    try:
        with pytest.raises(UserError, match="is training now"):
            repair.diagnosis_lines(workdir)
    finally:
        os.close(fd)
    with pytest.raises(UserError, match="re-run its training command"):
        repair.diagnosis_lines(workdir)  # not training: resumed by its command
    with open(os.path.join(workdir, "config.json"), "w") as f:
        f.write("{garbled")
    with pytest.raises(UserError, match="config.json is unreadable"):
        repair.diagnosis_lines(workdir)


# ------------------------------------------------------------------ export
def test_a_failed_export_leaves_the_previous_version_servable(tmp_path, finished, monkeypatch):
    import keras
    import tensorflow as tf

    from ktrain_kit import export, restore
    workdir = copy_run(finished, tmp_path / "run")
    _, data, model = restore.load_run(workdir)

    def fail(self, *args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(type(keras.export.ExportArchive()), "write_out", fail)
    with pytest.raises(OSError):
        export.export(model, os.path.join(workdir, "export"), 1)
    monkeypatch.undo()
    served = tf.saved_model.load(os.path.join(workdir, "export", "1"))
    assert "serving_default" in served.signatures
    # killed between the two renames: the old version is put back by the next export
    os.rename(os.path.join(workdir, "export", "1"), os.path.join(workdir, "export", "1.old"))
    export.recover(os.path.join(workdir, "export", "1"))
    assert os.path.isdir(os.path.join(workdir, "export", "1"))


# ------------------------------------------------------------------ always finishable
PHASE_FILES = ["summary.json", "diagnosis.json", "plots", "export", "checkpoints/final.weights.h5"]


@pytest.mark.parametrize("removed", [PHASE_FILES[:1], PHASE_FILES[:2], PHASE_FILES],
                         ids=["after-diagnosis", "after-plots", "after-training"])
def test_a_rerun_after_any_phase_finishes_like_the_uninterrupted_run(tmp_path, finished,
                                                                     removed):
    import shutil
    workdir = copy_run(finished, tmp_path / "run")
    for name in removed:
        path = os.path.join(workdir, name)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    summary = train(tiny(), workdir)
    expected = json.load(open(os.path.join(finished, "summary.json")))
    for key in ("epochs_run", "best_epoch", "best_val_accuracy", "final_loss", "val_metrics"):
        assert summary[key] == expected[key], key
    assert json.load(open(os.path.join(workdir, "diagnosis.json"))) == json.load(
        open(os.path.join(finished, "diagnosis.json")))
    assert os.path.isdir(os.path.join(workdir, "export", "1"))


def _weights(path):
    import h5py
    arrays = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: arrays.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset)
                     else None)
    return arrays


def _truncate(path):
    with open(path, "r+b") as f:
        f.truncate(1000)


# What a user (or a full disk, a sync tool) does to a finished run's end-of-run files.
LOSSES = {
    "diagnosis deleted": lambda w: os.remove(os.path.join(w, "diagnosis.json")),
    "diagnosis garbled": lambda w: open(os.path.join(w, "diagnosis.json"), "w").write("{bad"),
    "final weights truncated": lambda w: _truncate(os.path.join(w, FINAL)),
    "final weights deleted": lambda w: os.remove(os.path.join(w, FINAL)),
    "a plot deleted": lambda w: os.remove(os.path.join(w, "plots", "loss.png")),
    "the export deleted": lambda w: __import__("shutil").rmtree(os.path.join(w, "export")),
    "diagnosis.md deleted": lambda w: os.remove(os.path.join(w, "diagnosis.md")),
    "a plot truncated": lambda w: _truncate(os.path.join(w, "plots", "loss.png")),
    "the export's graph truncated": lambda w: open(
        os.path.join(w, "export", "1", "saved_model.pb"), "w").close(),
    "the export emptied": lambda w: [__import__("shutil").rmtree(os.path.join(w, "export", "1")),
                                     os.makedirs(os.path.join(w, "export", "1"))],
}
FINAL = runfolder.FINAL_WEIGHTS


@pytest.mark.parametrize("loss", LOSSES)
def test_a_finished_run_missing_an_end_file_is_finished_again_by_its_command(tmp_path, finished,
                                                                             loss, capsys):
    """A finished run whose diagnosis.json was deleted, or whose final weights were damaged:
    evaluate and the doctor said 'resume it with launchers.train', which refused it as
    finished (only --overwrite, retraining from scratch). Now the command writes the end of
    the run again from its last checkpoint: the same weights, diagnosis and summary."""
    workdir = copy_run(finished, tmp_path / "run")
    LOSSES[loss](workdir)
    capsys.readouterr()
    summary = train(tiny(), workdir)
    assert "writing the end of the run again" in capsys.readouterr().out
    expected = json.load(open(os.path.join(finished, "summary.json")))
    for key in ("epochs_run", "best_epoch", "best_val_accuracy", "val_metrics"):
        assert summary[key] == expected[key], key
    assert json.load(open(os.path.join(workdir, "diagnosis.json"))) == json.load(
        open(os.path.join(finished, "diagnosis.json")))
    got, want = _weights(os.path.join(workdir, FINAL)), _weights(os.path.join(finished, FINAL))
    assert got.keys() == want.keys() and all(np.array_equal(got[k], want[k]) for k in want)
    for name in ("plots/loss.png", "export/1/saved_model.pb", "diagnosis.md"):
        assert os.path.isfile(os.path.join(workdir, name)), name
    with pytest.raises(UserError, match="holds a finished run"):  # complete again: finished
        train(tiny(), workdir)


def test_a_finished_run_without_a_checkpoint_to_finish_from_names_what_is_lost(tmp_path,
                                                                                finished):
    import shutil
    workdir = copy_run(finished, tmp_path / "run")
    os.remove(os.path.join(workdir, "diagnosis.json"))
    for name in os.listdir(os.path.join(workdir, "checkpoints")):
        if name.startswith(("ckpt-", "checkpoint")):
            os.remove(os.path.join(workdir, "checkpoints", name))
    before = snapshot(workdir)
    with pytest.raises(UserError, match=r"diagnosis.json is missing or damaged, and no "
                                        r"checkpoint.*--overwrite"):
        train(tiny(), workdir)
    assert snapshot(workdir) == before
    shutil.rmtree(workdir)


@pytest.mark.parametrize("loss", ["final weights deleted", "final weights truncated"])
def test_evaluate_offers_the_way_back_the_training_command_takes(tmp_path, finished, loss):
    """evaluate and export told 'resume the run with launchers.train to write it again' also
    where no checkpoint was left, and training then refused: now they offer what training
    does - from the last checkpoint, or, with none, only training again."""
    from ktrain_kit import restore
    workdir = copy_run(finished, tmp_path / "run")
    LOSSES[loss](workdir)
    with pytest.raises(UserError, match="from its last checkpoint"):
        restore.load_run(workdir)
    for name in os.listdir(os.path.join(workdir, "checkpoints")):
        if name.startswith(("ckpt-", "checkpoint")):
            os.remove(os.path.join(workdir, "checkpoints", name))
    with pytest.raises(UserError, match="no checkpoint is left.*--overwrite"):
        restore.load_run(workdir)
    with pytest.raises(UserError, match="no checkpoint to write it again from; put it back"):
        train(tiny(), workdir)


# What stands where the run writes inside its folders: a link out of the folder, or a folder.
IN_THE_WAY = {
    "export/1 a link": ("export/1", "link"),
    "tensorboard/train a link": ("tensorboard/train", "link"),
    "a plot a link": ("plots/loss.png", "link"),
    "checkpoints/checkpoint a folder": ("checkpoints/checkpoint", "folder"),
    "the final weights a folder": ("checkpoints/final.weights.h5", "folder"),
    "tensorboard/train a file": ("tensorboard/train", "file"),
}


@pytest.mark.parametrize("case", IN_THE_WAY)
def test_what_stands_where_the_run_writes_is_refused_before_anything_changes(tmp_path,
                                                                              finished, case):
    """A symlinked export/1 failed every export after --overwrite had removed the finished
    run's results; a symlinked tensorboard/train was written through; a folder named
    checkpoints/checkpoint failed the first epoch naming a temporary file. Each is refused
    in one line naming it, by training (with --overwrite) and by export, nothing changed."""
    import shutil
    workdir = copy_run(finished, tmp_path / "run")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    relative, kind = IN_THE_WAY[case]
    path = os.path.join(workdir, relative)
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.remove(path)
    if kind == "link":
        os.symlink(outside, path)
    elif kind == "folder":
        os.makedirs(os.path.join(path, "mine"))
    else:
        open(path, "w").write("mine")
    before = snapshot(workdir)
    with pytest.raises(UserError, match=re.escape(f"'{relative}' is a")):
        train(tiny(), workdir, overwrite=True)
    with pytest.raises(UserError, match=re.escape(f"'{relative}' is a")):
        with runfolder.open_existing(workdir):
            pass
    assert snapshot(workdir) == before and os.listdir(outside) == ["keep.txt"]


@pytest.mark.parametrize("loss", ["diagnosis deleted", "diagnosis garbled"])
def test_the_doctor_sends_a_lost_diagnosis_to_the_command_that_writes_it(tmp_path, finished,
                                                                         loss):
    """launchers.doctor said 'the run has not finished (re-run its training command to resume
    it)', which training then refused; its advice now is what the training command does."""
    from ktrain_kit import repair
    workdir = copy_run(finished, tmp_path / "run")
    LOSSES[loss](workdir)
    with pytest.raises(UserError, match=r"re-run the run's `python -m launchers.train` "
                                        r"command \(the same flags\)"):
        repair.diagnosis_lines(workdir)
    train(tiny(), workdir)
    assert repair.diagnosis_lines(workdir)


def test_an_early_stopped_run_is_not_trained_further_on_rerun(tmp_path):
    config = tiny(train__epochs=30, callbacks__early_stopping__patience=0,
                  callbacks__early_stopping__min_delta=10.0)  # stops after its second epoch
    workdir = str(tmp_path / "run")
    first = train(config, workdir)
    assert first["epochs_run"] < 30
    os.remove(os.path.join(workdir, "summary.json"))
    again = train(config, workdir)
    assert again["epochs_run"] == first["epochs_run"]
    assert again["best_epoch"] == first["best_epoch"]


def test_summary_is_strict_json(tmp_path):
    runfolder.write_summary(runfolder.RunFolder(str(tmp_path), []),
                            {"a": float("nan"), "b": [float("inf"), 1.0]})
    text = (tmp_path / "summary.json").read_text()
    assert json.loads(text, parse_constant=lambda c: pytest.fail(c)) == {"a": None,
                                                                         "b": [None, 1.0]}


# ------------------------------------------------------------------ processes and signals
LONG = ["--config=configs/digits_mlp.py", "--config.train.epochs=200",
        "--config.callbacks.early_stopping.enabled=False", "--config.train.verbose=0",
        "--config.callbacks.checkpoint.every_steps=5"]


def start(workdir, *extra):
    return subprocess.Popen([sys.executable, "-m", "launchers.train", *LONG, *extra,
                             f"--workdir={workdir}"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})


def wait_for(path, proc, seconds=120):
    deadline = time.time() + seconds
    while not os.path.exists(path) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert os.path.exists(path), proc.stderr.read()[-2000:] if proc.poll() is not None else ""


def resume_point(workdir):
    """Starts the same command again, reads where it resumes, and stops it."""
    proc = start(workdir)
    deadline, out = time.time() + 120, ""
    while time.time() < deadline and "resuming" not in out and proc.poll() is None:
        out += proc.stdout.readline()
    proc.kill()
    proc.wait()
    line = next((x for x in out.splitlines() if "resuming" in x), "")
    return line.split(" after ", 1)[-1] if line else None


@pytest.mark.slow
@pytest.mark.parametrize("sig,name", [(signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")])
def test_a_signal_saves_a_checkpoint_and_exits_75_then_the_run_resumes_there(tmp_path, sig,
                                                                             name):
    workdir = str(tmp_path / "run")
    proc = start(workdir)
    wait_for(os.path.join(workdir, "metrics.csv"), proc)  # an epoch is done: mid-training
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert proc.returncode == 75, err[-2000:]
    assert len(errors) == 1 and name in errors[0] and "re-run the same command" in errors[0]
    assert "Traceback" not in err
    saved = errors[0].split("saved a checkpoint after ", 1)[1].split(";")[0]
    assert resume_point(workdir) == saved  # e.g. "epoch 3, step 17": exactly where it stopped


@pytest.mark.slow
def test_one_process_per_folder_and_a_killed_process_leaves_no_stale_lock(tmp_path):
    workdir = str(tmp_path / "run")
    first = start(workdir)
    try:
        wait_for(os.path.join(workdir, "metrics.csv"), first)
        second = run_launcher("launchers.train", *LONG, f"--workdir={workdir}", timeout=120)
        errors = [line for line in second.stderr.splitlines() if line.startswith("error:")]
        assert second.returncode == 2 and len(errors) == 1 and "in use" in errors[0]
        evaluate = run_launcher("launchers.evaluate", f"--workdir={workdir}", timeout=120)
        assert evaluate.returncode == 2 and "in use" in evaluate.stderr
    finally:
        first.kill()  # SIGKILL: no clean-up ran, the kernel dropped the lock
        first.wait()
    assert resume_point(workdir) is not None


@pytest.mark.slow
def test_a_full_disk_is_one_line_and_the_run_resumes_once_space_is_freed(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        filler = mount / "filler"
        filler.write_bytes(b"\0" * (12 * 2**20 - 1_200_000))  # leave about 1.2 MB
        workdir = str(mount / "run")
        args = ["--config=configs/digits_mlp.py", "--config.train.epochs=3",
                "--config.train.verbose=0", f"--workdir={workdir}"]
        result = run_launcher("launchers.train", *args, timeout=240)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert result.returncode == 1, result.stderr[-2000:]
        assert len(errors) == 1 and "disk is full" in errors[0]
        assert "Traceback" not in result.stderr
        os.remove(filler)
        result = run_launcher("launchers.train", *args, timeout=240)
        assert result.returncode == 0, result.stderr[-2000:]
        assert json.load(open(os.path.join(workdir, "summary.json")))["epochs_run"] == 3
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_overwrite_keeps_what_the_user_added_to_plots_and_export_and_says_so(tmp_path, finished,
                                                                            capsys):
    workdir = copy_run(finished, tmp_path / "run")
    (tmp_path / "run" / "plots" / "my_annotated_loss.png").write_bytes(b"mine")
    os.makedirs(tmp_path / "run" / "export" / "7")
    (tmp_path / "run" / "export" / "7" / "saved_model.pb").write_bytes(b"served")
    train(tiny(), workdir, overwrite=True)
    assert (tmp_path / "run" / "plots" / "my_annotated_loss.png").read_bytes() == b"mine"
    assert (tmp_path / "run" / "export" / "7" / "saved_model.pb").read_bytes() == b"served"
    out = capsys.readouterr().out
    assert "kept" in out and "plots/my_annotated_loss.png" in out and "export/7" in out
    manifest = json.load(open(os.path.join(workdir, "manifest.json")))["entries"]
    assert "plots/my_annotated_loss.png" not in manifest and "export/7" not in manifest


# A user's file in each folder the run writes into, at each depth it can sit at.
USER_FILES = ["plots/my_annotated_loss.png", "export/7/saved_model.pb",
              "checkpoints/README_mine.txt", "checkpoints/mine/ckpt-3.index",
              "tensorboard/my_experiment/events.out.tfevents.1.mine.v2",
              "tensorboard/train/notes.txt",
              # inside the run's own export version: TF Serving's warmup requests, notes
              "export/1/assets.extra/tf_serving_warmup_requests", "export/1/NOTES.md"]


def test_overwrite_keeps_the_users_files_in_every_folder_and_removes_the_runs_own(tmp_path,
                                                                                   finished):
    """checkpoints/ and tensorboard/ were removed whole: a user's notes there went with them."""
    workdir = copy_run(finished, tmp_path / "run")
    run_like = ["checkpoints/ckpt-999.index", "checkpoints/ckpt-999.data-00000-of-00001",
                "checkpoints/ckpt-999.state.npz", "tensorboard/train/events.out.tfevents.9.x.v2",
                "tensorboard/validation/events.out.tfevents.9.x.v2"]  # as an older run left
    for name in run_like + USER_FILES:
        os.makedirs(os.path.dirname(os.path.join(workdir, name)), exist_ok=True)
        with open(os.path.join(workdir, name), "w") as f:
            f.write(f"mine: {name}")
    for _ in range(2):  # and again, over a folder where they were kept before
        summary = train(tiny(), workdir, overwrite=True)
        assert summary["epochs_run"] == 2
        for name in USER_FILES:
            assert open(os.path.join(workdir, name)).read() == f"mine: {name}"
        assert not [n for n in run_like if os.path.exists(os.path.join(workdir, n))]


def test_an_export_version_written_again_keeps_what_the_user_added_to_it(tmp_path, finished):
    """`launchers.export --version=1` replaced export/1 whole: TF Serving's
    assets.extra/tf_serving_warmup_requests (which a user adds beside the SavedModel) was
    gone. Now carried into the new version, which TensorFlow still loads and serves."""
    import tensorflow as tf

    from ktrain_kit.export import export_run
    workdir = copy_run(finished, tmp_path / "run")
    version = os.path.join(workdir, "export", "1")
    extra = os.path.join(version, "assets.extra")
    os.makedirs(extra)
    with open(os.path.join(extra, "tf_serving_warmup_requests"), "wb") as f:
        f.write(b"warmup")
    notes = os.path.join(version, "NOTES.md")
    with open(notes, "w") as f:
        f.write("mine")
    os.chmod(notes, 0o444)  # moved as it is: its mode, a link as a link
    (tmp_path / "shared").mkdir()
    os.symlink(tmp_path / "shared", os.path.join(version, "shared_assets"))
    export_run(workdir, 1)
    with open(os.path.join(extra, "tf_serving_warmup_requests"), "rb") as f:
        assert f.read() == b"warmup"
    assert open(notes).read() == "mine" and os.stat(notes).st_mode & 0o777 == 0o444
    assert os.readlink(os.path.join(version, "shared_assets")) == str(tmp_path / "shared")
    assert not os.path.exists(version + ".old")
    assert "serving_default" in tf.saved_model.load(version).signatures


def test_an_export_killed_before_the_users_files_joined_the_new_version_moves_them_on(tmp_path):
    """A kill after the new version was renamed into place and before the user's files moved
    from the old one: the next export's `recover` moves them on, then removes the old."""
    from ktrain_kit import export
    path = tmp_path / "export" / "1"
    for folder, content in ((path, b"new"), (tmp_path / "export" / "1.old", b"old")):
        folder.mkdir(parents=True)
        (folder / "saved_model.pb").write_bytes(content)
    (tmp_path / "export" / "1.old" / "NOTES.md").write_text("mine")
    export.recover(str(path))
    assert (path / "NOTES.md").read_text() == "mine"
    assert (path / "saved_model.pb").read_bytes() == b"new"
    assert not (tmp_path / "export" / "1.old").exists()


@pytest.mark.parametrize("made", ["export/7/saved_model.pb", "evaluation.json"])
def test_evaluate_and_export_never_replace_what_the_user_made(tmp_path, finished, made):
    """A user's own export/7 (`--version=7`) and evaluation.json were replaced without a word;
    what the run's manifest does not list is refused, in one line, nothing changed."""
    workdir = copy_run(finished, tmp_path / "run")
    path = os.path.join(workdir, made)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("mine")
    before = snapshot(workdir)
    launcher = ["launchers.export", f"--workdir={workdir}", "--version=7"] if "export" in made \
        else ["launchers.evaluate", f"--workdir={workdir}"]
    result = run_launcher(*launcher)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and made.split("/saved_model")[0] in lines[0] and "move it" in lines[0]
    assert snapshot(workdir) == before


def test_nothing_is_written_through_an_export_symlink(tmp_path, finished):
    workdir = copy_run(finished, tmp_path / "run")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    import shutil
    shutil.rmtree(os.path.join(workdir, "export"))
    os.symlink(outside, os.path.join(workdir, "export"))
    result = run_launcher("launchers.export", f"--workdir={workdir}", "--version=2")
    assert result.returncode == 2 and "symlink" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert os.listdir(outside) == []


def test_sigterm_during_export_exits_75_and_the_rerun_finishes(tmp_path):
    # The signal arrives once training is over: the final weights are written, the export
    # (a second or two) comes next.
    workdir = str(tmp_path / "run")
    args = ["--config=configs/digits_mlp.py", "--config.train.epochs=2",
            "--config.data.train_examples=128", f"--workdir={workdir}"]
    proc = subprocess.Popen([sys.executable, "-m", "launchers.train", *args], cwd=ROOT,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    final = os.path.join(workdir, "checkpoints", "final.weights.h5")
    deadline = time.time() + 120
    while not os.path.exists(final) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.002)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == 75, err[-2000:]
    assert "SIGTERM" in err and "Traceback" not in err
    again = run_launcher("launchers.train", *args)
    assert again.returncode == 0, again.stderr[-2000:]
    assert os.path.isfile(os.path.join(workdir, "export", "1", "saved_model.pb"))


SIGNAL_AT_REFERENCE_READ = """
import os, signal, sys
from ktrain_kit import cli, training
from ktrain_kit.data import Dataset
read = Dataset.sample
def sample(self, n, split="train"):  # the doctor's reference read, once the run folder exists
    if n == training.REFERENCE_EXAMPLES and os.path.isfile(os.path.join(sys.argv[-1][10:],
                                                                        "manifest.json")):
        os.kill(os.getpid(), signal.SIGTERM)  # delivered before the next line, as a `kill`
    return read(self, n, split)
Dataset.sample = sample
from launchers import train
cli.run(train.main)
"""


def test_sigterm_during_the_doctors_reference_read_exits_75_and_the_rerun_finishes(tmp_path):
    # Before training's steps the run folder already exists; a signal there once ended the
    # process with -15 (no handler yet). Sent at a chosen moment, not after a guessed delay.
    workdir = str(tmp_path / "run")
    args = ["--config=configs/digits_mlp.py", "--config.train.epochs=2",
            "--config.data.train_examples=128", "--config.train.verbose=0",
            f"--workdir={workdir}"]
    stopped = subprocess.run([sys.executable, "-c", SIGNAL_AT_REFERENCE_READ, *args], cwd=ROOT,
                             env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
                             capture_output=True, text=True, timeout=300)
    errors = [line for line in stopped.stderr.splitlines() if line.startswith("error:")]
    assert stopped.returncode == 75, stopped.stderr[-2000:]
    assert len(errors) == 1 and "SIGTERM" in errors[0] and "Traceback" not in stopped.stderr
    assert os.path.isfile(os.path.join(workdir, "manifest.json"))  # the folder, as it was
    assert not os.path.exists(os.path.join(workdir, "metrics.csv"))  # before any step
    again = run_launcher("launchers.train", *args)
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.load(open(os.path.join(workdir, "summary.json")))["epochs_run"] == 2


SIGNALLED_BUILDER = """
import os, signal
def build(model_config, data):  # the user's builder, stopped while it builds (a `kill`)
    os.kill(os.getpid(), signal.SIGTERM)
    raise AssertionError("the signal's handler did not run")
"""


def test_sigterm_inside_a_users_model_builder_exits_75_not_as_a_builder_error(tmp_path):
    # A builder's failures are reported as model.name errors (exit 2); a signal raised inside
    # it is no failure of the builder: the run stops as at any moment before training.
    (tmp_path / "signalled_model.py").write_text(SIGNALLED_BUILDER)
    workdir = str(tmp_path / "run")
    stopped = run_launcher("launchers.train", "--config=configs/digits_mlp.py",
                           "--config.model.name=signalled_model:build",
                           "--config.train.epochs=2", f"--workdir={workdir}",
                           env={"PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"})
    errors = [line for line in stopped.stderr.splitlines() if line.startswith("error:")]
    assert stopped.returncode == 75, stopped.stderr[-2000:]
    assert len(errors) == 1 and "SIGTERM received" in errors[0], errors
    assert "model.name" not in errors[0] and "Traceback" not in stopped.stderr


@pytest.mark.parametrize("overwrite", [False, True])
@pytest.mark.parametrize("spelled", ["as is", "with /.", "through a link"])
def test_a_sweeps_trial_is_not_trained_over_by_the_training_command(tmp_path, finished,
                                                                    overwrite, spelled):
    """`launchers.train --workdir=SWEEP/trials/0000 --overwrite` replaced the sweep's best trial
    with another config, and best.json went on naming the old one's score. Judged on the real
    path: `0000/.` or a link to the trial had passed."""
    sweep = tmp_path / "sweep"
    trial = copy_run(finished, sweep / "trials" / "0000")
    (sweep / "sweep.json").write_text("{}")
    if spelled == "with /.":
        trial += "/."
    elif spelled == "through a link":
        os.symlink(trial, tmp_path / "link")
        trial = str(tmp_path / "link")
    before = snapshot(str(sweep))
    result = run_launcher("launchers.train", "--config=configs/digits_mlp.py",
                          "--config.train.epochs=2", f"--workdir={trial}",
                          *(["--overwrite"] if overwrite else []))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr[-2000:]
    assert "trial of the sweep" in lines[0] and os.path.realpath(sweep) in lines[0]
    assert snapshot(str(sweep)) == before


def test_nothing_is_written_to_home(tmp_path):
    # Matplotlib's and Keras' caches go to a temporary folder, not HOME (where a fresh HOME
    # would get .keras/keras.json and .cache/matplotlib or .config/matplotlib).
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "MPLCONFIGDIR": "", "KERAS_HOME": ""}
    result = run_launcher("launchers.train", "--config=configs/digits_mlp.py",
                          "--config.train.epochs=2", "--config.data.train_examples=128",
                          f"--workdir={tmp_path / 'run'}", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert [str(p) for p in home.rglob("*")] == []


def test_a_run_without_checkpoints_still_ends_with_its_final_weights(tmp_path):
    """callbacks.checkpoint.enabled=False: no checkpoint folder during training, but the final
    weights, export and summary are written, and the weights are the trained model's."""
    import keras
    workdir = str(tmp_path / "run")
    train(tiny(callbacks__checkpoint__enabled=False), workdir)
    final = os.path.join(workdir, runfolder.FINAL_WEIGHTS)
    assert os.path.exists(final) and os.path.exists(os.path.join(workdir, "summary.json"))
    from ktrain_kit.restore import load_run
    _, data, model = load_run(workdir)
    logs = model.evaluate(data.x_val, data.y_val, verbose=0, return_dict=True)
    summary = json.load(open(os.path.join(workdir, "summary.json")))
    assert logs["accuracy"] == pytest.approx(summary["val_metrics"]["val_accuracy"], abs=1e-6)
    keras.backend.clear_session()


def test_a_sweep_folder_given_as_a_run_points_at_its_trials(tmp_path):
    """evaluate / export / the doctor on a sweep's folder: 'not a run folder' left the user to
    find out that each trial is one. The line names the best trial (best.json), else the first."""
    from ktrain_kit import restore
    sweep = tmp_path / "sweep"
    for number in (0, 1):
        (sweep / "trials" / f"{number:04d}").mkdir(parents=True)
    (sweep / "sweep.json").write_text("{}")
    with pytest.raises(UserError, match=r"sweep's folder.*e\.g\. .*trials/0000$"):
        restore.load_config(str(sweep))
    best = str(sweep / "trials" / "0001")
    # best.json's run_folder is where the sweep ran; this folder was moved since
    (sweep / "best.json").write_text(json.dumps({"trial": 1, "run_folder": "/elsewhere/0001"}))
    with pytest.raises(UserError) as raised:
        restore.load_config(str(sweep))
    assert str(raised.value).endswith(f"e.g. the best: {best}")
    for launcher in ("launchers.evaluate", "launchers.doctor"):
        result = run_launcher(launcher, f"--workdir={sweep}" if launcher.endswith("evaluate")
                              else str(sweep), timeout=120)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert result.returncode == 2 and len(errors) == 1 and best in errors[0], \
            result.stderr[-1500:]


def test_a_signal_that_a_library_wraps_in_its_own_error_still_exits_75():
    """SIGTERM's Preempted raised while TensorFlow traces the export's function comes out as
    TensorFlow's TypeError ('Binding inputs to tf.function failed due to ...', raised from
    it): the run is still preempted (exit 75), not a crash. Made here as TensorFlow makes it."""
    from ktrain_kit import cli
    from ktrain_kit.stopping import Preempted
    try:
        try:
            raise Preempted("SIGTERM", 2, 0)
        except Preempted as e:
            raise TypeError(f"Binding inputs to tf.function failed due to `{e}`.") from e
    except TypeError as wrapped:
        line, code = cli.ending(wrapped)
    assert code == cli.EXIT_PREEMPTED == 75 and line.startswith(str(Preempted("SIGTERM", 2, 0)))


def test_a_signal_a_library_replaced_by_its_own_error_still_ends_in_exit_75():
    """pybind11 (tf.io.gfile in the export) replaces a signal's Preempted, raised inside its
    call, by a RuntimeError that only quotes it: the stop is still exit 75, one line, and an
    error that does not quote it is not taken for one (CI, test_sigterm_during_export)."""
    from ktrain_kit import cli
    from ktrain_kit.stopping import stop_between_phases
    try:
        with stop_between_phases(epoch=2):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
    except Exception as stop:  # noqa: BLE001 - the handler's Preempted
        wrapped = RuntimeError("pybind11::error_already_set: MISMATCH of original and normalized"
                               f" active exception types: ORIGINAL NotFoundError REPLACED BY "
                               f"{type(stop).__name__}: {stop}")
    assert cli.ending(wrapped) == (
        "SIGTERM received; saved a checkpoint after epoch 2; re-run the same command to resume",
        75)
    assert cli.ending(RuntimeError("an error of its own")) is None


def test_a_collective_aborted_by_another_worker_is_one_line_naming_tensorflows_reason(
        monkeypatch):
    """Multi-worker: when one worker stops (a refusal, a crash), every other one fails in its
    next collective with TensorFlow's UnavailableError and a traceback; the cause is in the
    output of the worker that stopped. The error as TensorFlow raised it when the chief refused
    a finished run folder (tests/test_distributed.py shows the chief's own line)."""
    import tensorflow as tf

    from ktrain_kit import cli
    reason = ("failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:44573: "
              "Failed to connect to remote host: Connection refused")
    error = tf.errors.UnavailableError(None, None, (
        "Graph execution error:\n\nDetected at node allgather/CollectiveGatherV2 defined at ..."
        f"\nCollective ops is aborted by: {reason}\nAdditional GRPC error information from "
        "remote target /job:worker/replica:0/task:0 while calling /tensorflow.WorkerService/"
        "CompleteInstance:\nThe error could be from a previous operation. Restart your program "
        "to reset.\n\t [[{{node allgather/CollectiveGatherV2}}]]"))
    monkeypatch.delenv("TF_CONFIG", raising=False)
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    assert cli.ending(error) is None  # one process: its own error, shown as it is
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["h:1", "h:2"]}, '
                       '"task": {"type": "worker", "index": 1}}')
    line, code = cli.ending(error)
    assert code == cli.EXIT_FAILED == 1 and "\n" not in line
    assert f"({reason})" in line and "another worker" in line and "GRPC" not in line
    assert cli.ending(tf.errors.UnavailableError(None, None, "a bucket is unavailable")) is None


def test_a_folder_name_with_brackets_is_refused_before_anything_is_written(tmp_path):
    """TensorFlow reads checkpoint names as glob patterns: under 'runs/g[0-9]' a killed run's
    sound checkpoints read as damaged, and the error offered --overwrite (a helper's find).
    Shown here with TensorFlow itself, then refused by the launcher with nothing created."""
    import tensorflow as tf
    folder = tmp_path / "g[0-9]"
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(1.0)),
                                         str(folder / "ck"), max_to_keep=1)
    manager.save()
    with pytest.raises(tf.errors.NotFoundError):  # the checkpoint is there, yet not found
        tf.train.Checkpoint(v=tf.Variable(0.0)).restore(manager.latest_checkpoint)
    run = tmp_path / "r[1]"
    result = run_launcher("launchers.train", "--config=configs/digits_mlp.py",
                          f"--workdir={run}")
    assert result.returncode == 2, result.stderr
    assert "'['" in result.stderr and "--overwrite" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1
    assert not run.exists()


def test_a_run_on_a_read_only_disk_is_told_to_be_copied_not_replaced(tmp_path, monkeypatch):
    """evaluate / export on a run folder of a read-only mount: 'choose another --workdir'
    named no way out (there is no other folder of that run); a folder to be made still
    is told to choose another."""
    import errno

    from ktrain_kit import runfolder
    from ktrain_kit.errors import UserError
    run = tmp_path / "run"
    run.mkdir()
    (run / runfolder.MANIFEST).write_text("[]")
    real_open = os.open

    def read_only(path, *args, **kwargs):
        if str(path).endswith(runfolder.LOCK):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(runfolder.os, "open", read_only)
    with pytest.raises(UserError, match=r"Read-only file system\); copy it somewhere writable"):
        with runfolder.locked(str(run)):
            pass
    with pytest.raises(UserError, match="choose another --workdir"):
        with runfolder.locked(str(tmp_path)):
            pass


def test_a_second_lr_find_in_a_folder_says_it_replaced_the_first(tmp_path):
    """lr_find replaced an earlier sweep's lr_find.csv and .png without a word (a helper's
    find): its own files, so replaced, but said - with how to keep both."""
    args = ["--config=configs/digits_mlp.py", "--config.data.train_examples=256",
            "--config.model.width=16", "--steps=12", f"--workdir={tmp_path / 'lr'}"]
    first = run_launcher("launchers.lr_find", *args)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "replaced" not in first.stdout
    second = run_launcher("launchers.lr_find", *args)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "replaced the earlier sweep's lr_find.csv and lr_find.png" in second.stdout
