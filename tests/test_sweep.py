"""Sweeps: the spec is checked against the config before anything exists; a sweep killed at any
moment resumes its interrupted trial and ends with exactly the asked number of finished trials;
two workers share one study."""

import csv
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ktrain_kit import sweep
from ktrain_kit.errors import UserError

from conftest import ROOT, load_config, run_launcher

MLP = ["--config=configs/digits_mlp.py", "--config.train.epochs=2",
       "--config.data.train_examples=128", "--config.train.verbose=0",
       "--config.callbacks.tensorboard.enabled=False", "--config.callbacks.plots.enabled=False",
       "--config.callbacks.doctor.enabled=False"]
SPACE = {"schedule.base_lr": ("log_uniform", 1e-3, 0.3), "optimizer.name": ("choice",
                                                                            ["sgd", "adamw"])}


@pytest.mark.parametrize("space,fragment", [
    ({"schedule.base_rate": ("log_uniform", 1e-3, 1.0)}, "did you mean 'schedule.base_lr'"),
    ({"schedule.base_lr": ("log_uniform", 0.1, 0.01)}, "empty"),
    ({"schedule.base_lr": ("log_uniform", 0.0, 0.1)}, "positive"),
    ({"schedule.base_lr": ("normal", 0.0, 0.1)}, "not a range"),
    ({"optimizer.name": ("choice", [])}, "non-empty"),
    ({"optimizer.name": ("uniform", 0.0, 1.0)}, "not a number"),
    ({"train.epochs": ("uniform", 1.0, 3.0)}, "not a number"),
    ({"model.depth": ("int", 1.0, float("inf"))}, "finite"),
    ({"optimizer.nesterov": ("choice", [0, 1])}, "bool"),
    ({"model.dropout": ("uniform", 0.0, 1.0)}, "model.dropout"),  # 1.0 is an invalid dropout
])
def test_a_broken_space_is_refused_naming_its_key(space, fragment):
    with pytest.raises(UserError, match=fragment.replace("(", r"\(").replace(")", r"\)")) as e:
        sweep.validate_spec({"metric": "val_accuracy", "trials": 3, "space": space},
                            load_config("digits_mlp"))
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("spec,fragment", [
    ({"metric": "val_auc"}, "not logged"),
    ({"trials": 0}, "trials"),
    ({"pruner": "asha"}, "pruner"),
    ({"sampler": "grid"}, "grid"),  # a continuous range cannot be a grid
    ({"objective": "val_loss"}, "not a sweep setting"),
])
def test_a_broken_setting_is_refused(spec, fragment):
    with pytest.raises(UserError, match=fragment):
        sweep.validate_spec({"metric": "val_accuracy", "trials": 3, "space": SPACE, **spec},
                            load_config("digits_mlp"))


def test_defaults_follow_the_metric():
    spec = sweep.validate_spec({"metric": "val_loss", "space": SPACE}, load_config("digits_mlp"))
    assert spec["direction"] == "minimize" and spec["pruner"] == "median"
    assert sweep.validate_spec({"space": SPACE}, load_config("tabular_regression"))[
        "metric"] == "val_rmse"


def write_sweep(tmp_path, trials, space=SPACE, extra=""):
    path = tmp_path / "sweep_spec.py"
    path.write_text(f"def get_sweep():\n    return dict(metric='val_accuracy', trials={trials}, "
                    f"space={space!r}, sampler='random'{extra})\n")
    return str(path)


def test_a_broken_sweep_file_exits_2_and_creates_nothing(tmp_path):
    spec = write_sweep(tmp_path, 3, {"schedule.base_rate": ("log_uniform", 1e-3, 1.0)})
    workdir = tmp_path / "sweep"
    result = run_launcher("launchers.sweep", *MLP, f"--sweep={spec}", f"--workdir={workdir}",
                          timeout=120)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1 and "schedule.base_rate" in errors[0]
    assert not workdir.exists()


def trials_of(workdir):
    with open(os.path.join(workdir, "trials.csv")) as f:
        return list(csv.DictReader(f))


def sweep_command(spec, workdir, *extra):
    return [sys.executable, "-m", "launchers.sweep", *MLP, f"--sweep={spec}",
            f"--workdir={workdir}", *extra]


@pytest.mark.slow
def test_a_killed_sweep_resumes_its_trial_and_ends_with_exactly_six(tmp_path):
    spec, workdir = write_sweep(tmp_path, 6), str(tmp_path / "sweep")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.Popen(sweep_command(spec, workdir), cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    third = os.path.join(workdir, "trials", "0002", "checkpoints", "checkpoint")
    deadline = time.time() + 300
    while not os.path.exists(third) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert os.path.exists(third), proc.stdout.read()[-3000:]
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its trial process, mid-trial
    proc.wait()
    rerun = subprocess.run(sweep_command(spec, workdir), cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    assert "resuming trial 2" in rerun.stdout
    assert "ktrain_kit: resuming" in rerun.stdout  # from its checkpoint, not from scratch
    rows = trials_of(workdir)
    numbers = [int(r["number"]) for r in rows]
    assert len(numbers) == len(set(numbers)) == 6
    assert all(r["state"] in ("COMPLETE", "PRUNED") for r in rows)
    best = json.load(open(os.path.join(workdir, "best.json")))
    first = rows[0]  # the config's own values come first
    assert float(first["schedule.base_lr"]) == 0.05 and first["optimizer.name"] == "sgd"
    assert best["value"] >= float(first["val_accuracy"])
    assert "--config.schedule.base_lr=" in best["reproduce"]


@pytest.mark.slow
def test_two_workers_share_one_study(tmp_path):
    spec, workdir = write_sweep(tmp_path, 4), str(tmp_path / "sweep")
    result = subprocess.run(sweep_command(spec, workdir, "--workers=2"), cwd=ROOT,
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = trials_of(workdir)
    assert len(rows) == 4 and sorted(int(r["number"]) for r in rows) == [0, 1, 2, 3]
    assert all(r["state"] in ("COMPLETE", "PRUNED") for r in rows)
