"""Every message a launcher prints names only flags that launcher takes.

`launchers.evaluate --workdir=RUN` on a run whose data file had moved said "set
--config.data.path", a flag evaluate does not have (nor export, nor the doctor): a run
folder's config is its config.json, not the command line. conftest.run_launcher checks every
launch of every test against cli.foreign_flags; the cases here put each launcher that rebuilds
a recorded run in front of its data gone.
"""

import os
import shutil

import numpy as np
import pytest

from ktrain_kit import cli

from conftest import ROOT, load_config, run_launcher

# What each launcher takes besides cli.COMMON_FLAGS (help, flagfile, --verbose); `config.*`
# is every --config.KEY override. Written out so a reader sees the table; the test checks it
# against the launchers' sources.
LAUNCHER_FLAGS = {
    "train": {"config", "config.*", "workdir", "overwrite"},
    "evaluate": {"workdir"},
    "export": {"workdir", "version"},
    "doctor": {"fix", "budget"},
    "lr_find": {"config", "config.*", "workdir", "steps", "min_lr", "max_lr"},
    "make_tfrecords": {"config", "config.*", "out", "shards", "val_shards", "skip_bad"},
    "sweep": {"config", "config.*", "sweep", "workdir", "trials", "workers", "storage",
              "trial", "worker"},
}


def test_the_table_of_flags_is_what_the_launchers_define():
    names = {f[:-3] for f in os.listdir(os.path.join(ROOT, "launchers"))
             if f.endswith(".py") and not f.startswith("_")}
    assert names == set(LAUNCHER_FLAGS)
    for name, expected in LAUNCHER_FLAGS.items():
        assert cli.launcher_flags(name) - cli.COMMON_FLAGS == expected, name


@pytest.mark.parametrize("launcher,message,foreign", [
    ("evaluate", "file 'd.csv': does not exist; set --config.data.path to a .csv file",
     ["config.data.path"]),
    ("train", "file 'd.csv': does not exist; set --config.data.path to a .csv file", []),
    ("export", "run folder 'r' holds a finished run; pass --overwrite or a new --workdir",
     ["overwrite"]),
    ("doctor", "damaged; re-run its `python -m launchers.train` command with --overwrite", []),
    ("doctor", "damaged; re-run its training command with --overwrite", ["overwrite"]),
    ("evaluate", "see --helpshort for this command's flags", []),
])
def test_foreign_flags_are_found(launcher, message, foreign):
    assert cli.foreign_flags(launcher, message) == foreign


def write_csv(path, n=120, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    rows = [f"{a:.3f},{b:.3f},{c:.3f},{int(a > 0)}" for a, b, c in x]
    path.write_text("a,b,c,label\n" + "\n".join(rows) + "\n")
    return str(path)


def csv_config(path, **extra):
    return load_config("tabular_binary", data__name="csv", data__path=path,
                       data__label_column="label", train__epochs=2, train__verbose=0,
                       schedule__warmup_epochs=0.0, **extra)


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory):
    """A finished run on a CSV file (the file is moved away by each test's copy)."""
    from ktrain_kit.training import train
    root = tmp_path_factory.mktemp("csv_run")
    workdir = str(root / "run")
    train(csv_config(write_csv(root / "d.csv")), workdir)
    return root


def snapshot(folder):
    return {os.path.join(d, f): (os.path.getmtime(os.path.join(d, f)),
                                 os.path.getsize(os.path.join(d, f)))
            for d, _, files in os.walk(folder) for f in files}


def moved_away(csv_run, tmp_path):
    """A copy of the run whose data file is no longer where its config.json says."""
    workdir = str(tmp_path / "run")
    shutil.copytree(csv_run / "run", workdir)
    return workdir


def one_error(result):
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return errors[0]


@pytest.mark.parametrize("launcher,extra", [("launchers.evaluate", []),
                                            ("launchers.export", ["--version=2"])])
def test_data_gone_is_a_way_out_the_launcher_offers(csv_run, tmp_path, launcher, extra):
    workdir = moved_away(csv_run, tmp_path)  # the copy's config.json names csv_run/d.csv:
    recorded = str(csv_run / "d.csv")  # moved aside for this test, then back
    os.rename(recorded, recorded + ".away")
    try:
        before = snapshot(workdir)
        result = run_launcher(launcher, f"--workdir={workdir}", *extra, timeout=120)
    finally:
        os.rename(recorded + ".away", recorded)
    error = one_error(result)
    assert f"file '{recorded}': does not exist" in error
    assert "config.json" in error and f"data.path='{recorded}'" in error
    assert cli.foreign_flags(launcher.split(".")[1], error) == []
    assert snapshot(workdir) == before  # nothing written, nothing removed (export/1 kept)


def test_init_from_a_run_whose_data_is_gone_names_that_run(csv_run, tmp_path):
    """model.init_from an unfinished run rebuilds its model from its own data: the message
    names that run's config.json, not --config.data.path (which would change the new run's
    data, here present)."""
    source = moved_away(csv_run, tmp_path)
    os.remove(os.path.join(source, "checkpoints", "final.weights.h5"))  # unfinished
    recorded = str(csv_run / "d.csv")
    os.rename(recorded, recorded + ".away")
    try:
        result = run_launcher(
            "launchers.train", "--config=configs/tabular_binary.py", "--config.data.name=csv",
            f"--config.data.path={recorded}.away", "--config.data.label_column=label",
            "--config.train.epochs=1", "--config.schedule.warmup_epochs=0",
            f"--config.model.init_from={source}", f"--workdir={tmp_path / 'new'}", timeout=120)
    finally:
        os.rename(recorded + ".away", recorded)
    error = one_error(result)
    assert f"run folder '{source}': the data it was trained on cannot be read" in error
    assert "--config.data.path" not in error


def test_the_doctor_fix_on_a_run_whose_data_is_gone_trains_nothing(csv_run, tmp_path):
    """Every attempt trains on the run's data: gone, one line naming it, not an attempt
    refused per remedy with a flag the doctor does not have."""
    from ktrain_kit import repair
    from ktrain_kit.errors import UserError
    workdir = moved_away(csv_run, tmp_path)
    recorded = str(csv_run / "d.csv")
    os.rename(recorded, recorded + ".away")
    trained = []
    try:
        summary = repair.read_result(workdir)
        assert summary is not None
        with pytest.MonkeyPatch.context() as mp:  # an unhealthy run, as the doctor read it
            mp.setattr(repair, "read_result", lambda folder: {**summary, "status": "problems"})
            with pytest.raises(UserError) as caught:
                repair.repair(workdir, 2, train_fn=lambda c, f: trained.append(f))
    finally:
        os.rename(recorded + ".away", recorded)
    assert "data it was trained on cannot be read" in str(caught.value)
    assert cli.foreign_flags("doctor", str(caught.value)) == [] and trained == []
    assert not os.path.exists(repair.attempt_folder(workdir, 1))


def test_a_sweep_trial_refused_with_a_flag_of_train_says_what_the_sweep_does():
    """A trial runs train() inside launchers.sweep: 'pass --overwrite' (a damaged trial
    folder) named a flag the sweep has not; its problem is kept, the way out is the sweep's.
    A refusal whose fix the sweep's user can follow (a --config. key) stays as it was."""
    from ktrain_kit import sweep
    from ktrain_kit.errors import UserError
    damaged = UserError("run folder 'S/trials/0003': every checkpoint is damaged; pass "
                        "--overwrite to train again from scratch")
    said = str(sweep.trial_error(3, "S/trials/0003", damaged))
    assert "every checkpoint is damaged" in said and "recorded as failed" in said
    assert cli.foreign_flags("sweep", said) == []
    bad_key = UserError("config key 'schedule.base_lr': must be > 0; set "
                        "--config.schedule.base_lr=0.01")
    assert sweep.trial_error(3, "S/trials/0003", bad_key) is bad_key
