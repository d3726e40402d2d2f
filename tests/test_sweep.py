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
    # a TypeError traceback from the corner check before (a helper's finding)
    ({"model.depth": ("int", 1.5, 3.5)}, "whole-number bounds"),
    ({"model.depth": ("int", 1.0, 3.0)}, "('int', 1, 3)"),
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


def test_a_grid_runs_each_of_its_points_once_and_trials_may_be_numpy_integers(capsys):
    """A 2 x 2 grid with trials=6 trained the last point three times (Optuna's grid samples
    again past its end); `trials=np.int64(2)` (computed with NumPy) was refused."""
    import numpy as np
    space = {"schedule.base_lr": ("choice", [0.05, 0.2]), "model.depth": ("int", 1, 2)}
    spec = sweep.validate_spec({"space": space, "sampler": "grid", "trials": 6},
                               load_config("digits_mlp"))
    assert spec["trials"] == 4 and "the grid holds 4 points" in capsys.readouterr().out
    assert sweep.validate_spec({"space": space, "sampler": "grid", "trials": np.int64(3)},
                               load_config("digits_mlp"))["trials"] == 3


def test_a_regression_of_several_targets_may_sweep_one_targets_error():
    """metrics.csv of a two-target regression has val_rmse_<target> (README: 'metric: a
    metrics.csv column'); it was refused as not logged. Lower is better, as for val_rmse."""
    config = load_config("tabular_regression", data__name="csv", data__path=__file__,
                         data__label_columns="temp_max,temp_min")
    for metric in ("val_rmse_temp_max", "val_mae_temp_min", "val_rmse_1"):
        spec = sweep.validate_spec({"metric": metric, "space": SPACE}, config)
        assert spec["metric"] == metric and spec["direction"] == "minimize"
    with pytest.raises(UserError, match="not logged"):
        sweep.validate_spec({"metric": "val_rmse_temp_mean", "space": SPACE}, config)


def test_defaults_follow_the_metric():
    spec = sweep.validate_spec({"metric": "val_loss", "space": SPACE}, load_config("digits_mlp"))
    assert spec["direction"] == "minimize" and spec["pruner"] == "median"
    assert sweep.validate_spec({"space": SPACE}, load_config("tabular_regression"))[
        "metric"] == "val_rmse"


@pytest.mark.parametrize("metric, direction", [("val_loss", "maximize"),
                                               ("val_accuracy", "minimize")])
def test_a_direction_against_its_metric_is_refused(metric, direction):
    """direction='maximize' for val_loss ranked the worst trial (0.62) best over 0.12, and
    printed its command to reproduce (a helper's find); its own direction is still taken."""
    config = load_config("digits_mlp")
    with pytest.raises(UserError, match="direction.*worst trial"):
        sweep.validate_spec({"metric": metric, "direction": direction, "space": SPACE}, config)
    natural = "minimize" if direction == "maximize" else "maximize"
    assert sweep.validate_spec({"metric": metric, "direction": natural, "space": SPACE},
                               config)["direction"] == natural


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
    assert all(r["state"] in ("finished", "pruned") for r in rows)
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
    assert all(r["state"] in ("finished", "pruned") for r in rows)


# ------------------------------------------------------------------ round three
def test_workers_sample_with_their_own_seeds(tmp_path):
    # Workers of one study once all built TPESampler(seed=0): trials 1 and 2 were identical.
    spec = sweep.validate_spec({"space": SPACE, "sampler": "tpe"}, load_config("digits_mlp"))
    store = sweep.storage(None, str(tmp_path))
    proposals = []
    for worker in (0, 1):
        study = sweep.study(spec, store, seed=0, worker=worker)
        proposals.append(study.ask(sweep.distributions(SPACE)).params)
    assert proposals[0] != proposals[1]
    assert sweep.sampler_seed(0, 0) != sweep.sampler_seed(0, 1) != sweep.sampler_seed(1, 0)


def test_every_flag_is_forwarded_to_workers_by_its_exact_name():
    from absl import flags
    fv = flags.FlagValues()
    flags.DEFINE_integer("trial", None, "", flag_values=fv)
    flags.DEFINE_integer("trials", None, "", flag_values=fv)
    flags.DEFINE_integer("worker", 0, "", flag_values=fv)
    flags.DEFINE_integer("workers", 1, "", flag_values=fv)
    flags.DEFINE_bool("verbose", False, "", flag_values=fv)
    argv = ["--config=c.py", "--trials=5", "--trial=3", "--workers", "2", "--worker=1",
            "--trials", "7", "--noverbose", "--config.seed=3", "--workdir=w"]
    assert sweep.forwarded_args(argv, ("trial", "worker", "workers"), fv) == [
        "--config=c.py", "--trials=5", "--trials", "7", "--noverbose", "--config.seed=3",
        "--workdir=w"]


def test_best_json_and_printed_overrides_carry_every_digit(tmp_path, capsys):
    import optuna
    spec = sweep.validate_spec({"space": SPACE}, load_config("digits_mlp"))
    study = sweep.study(spec, sweep.storage(None, str(tmp_path)))
    lr = 0.015119312893017263
    study.add_trial(optuna.trial.create_trial(
        params={"schedule.base_lr": lr, "optimizer.name": "adamw"},
        distributions=sweep.distributions(SPACE), value=0.9))
    report = sweep.results(study, spec, str(tmp_path), "python -m launchers.train")
    assert f"--config.schedule.base_lr={lr!r}" in report["reproduce"]
    on_disk = json.load(open(tmp_path / "best.json"))
    assert on_disk["params"]["schedule.base_lr"] == lr
    override = on_disk["reproduce"].split("--config.schedule.base_lr=")[1].split()[0]
    assert float(override) == lr
    assert f"--config.schedule.base_lr={lr!r}" in capsys.readouterr().out


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite://"])
def test_an_in_memory_study_is_refused(tmp_path, url):
    with pytest.raises(UserError, match="in-memory"):
        sweep.storage(url, str(tmp_path))


def test_one_study_per_workdir_bound_to_its_config_and_sweep(tmp_path):
    config, other = load_config("digits_mlp"), load_config("digits_mlp", train__epochs=3)
    spec = sweep.validate_spec({"space": SPACE}, config)
    sweep.bind(str(tmp_path), config, spec)
    sweep.bind(str(tmp_path), config, {**spec, "trials": 50})  # more trials: the same study
    with pytest.raises(UserError, match="train.epochs"):
        sweep.bind(str(tmp_path), other, spec)
    narrower = {**spec, "space": {"schedule.base_lr": ("log_uniform", 1e-2, 0.3)}}
    with pytest.raises(UserError, match="sweep.space"):
        sweep.bind(str(tmp_path), config, narrower)


def test_trial_states_move_only_along_the_table(tmp_path):
    os.makedirs(tmp_path / "trials")
    sweep.transition(str(tmp_path), 0, "claimed")
    sweep.transition(str(tmp_path), 0, "running")
    sweep.transition(str(tmp_path), 0, "claimed")  # resumed after a kill
    sweep.transition(str(tmp_path), 0, "running")
    sweep.transition(str(tmp_path), 0, "failed", "a reason")
    assert sweep.recorded_state(str(tmp_path), 0) == {"state": "failed", "reason": "a reason"}
    with pytest.raises(RuntimeError, match="failed -> running"):
        sweep.transition(str(tmp_path), 0, "running")
    with pytest.raises(RuntimeError, match="None -> finished"):
        sweep.transition(str(tmp_path), 1, "finished")


def test_a_sweep_whose_every_trial_fails_exits_2_with_each_reason_in_trials_csv(tmp_path):
    # Layer names are known only once the model is built: each trial fails in its own run.
    spec = write_sweep(tmp_path, 2, {"model.freeze": ("choice", ["encoder", "decoder"])})
    workdir = tmp_path / "sweep"
    result = run_launcher("launchers.sweep", *MLP, f"--sweep={spec}", f"--workdir={workdir}",
                          timeout=300)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert "every trial failed" in errors[-1] and "trials.csv" in errors[-1]
    rows = trials_of(workdir)
    assert len(rows) == 2 and all(r["state"] == "failed" for r in rows)
    assert all("model.freeze" in r["reason"] and "matches no layer" in r["reason"] for r in rows)
    assert not (workdir / "best.json").exists()


def test_a_different_config_in_the_same_workdir_is_refused(tmp_path):
    spec = write_sweep(tmp_path, 2)
    workdir = tmp_path / "sweep"
    sweep.bind(str(workdir), load_config("digits_cnn"),
               sweep.validate_spec({"space": SPACE}, load_config("digits_cnn")))
    result = run_launcher("launchers.sweep", *MLP, f"--sweep={spec}", f"--workdir={workdir}",
                          timeout=120)
    assert result.returncode == 2 and "different config" in result.stderr
    assert not (workdir / "study.db").exists()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_reaches_the_trial_which_checkpoints_and_the_sweep_exits_75(tmp_path, sig):
    spec, workdir = write_sweep(tmp_path, 1), str(tmp_path / "sweep")
    long = ["--config.train.epochs=50", "--config.data.train_examples=512"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.Popen(sweep_command(spec, workdir, *long), cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    metrics = os.path.join(workdir, "trials", "0000", "metrics.csv")
    deadline = time.time() + 300
    while not os.path.exists(metrics) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert os.path.exists(metrics), proc.stdout.read()[-3000:]
    proc.send_signal(sig)  # to the sweep only, as `kill` or a scheduler sends it
    out = proc.communicate(timeout=120)[0]
    assert proc.returncode == 75, out[-3000:]
    trials_left = [p for p in os.listdir("/proc") if p.isdigit() and _is_trial_of(p, workdir)]
    assert not trials_left
    assert os.path.exists(os.path.join(workdir, "trials", "0000", "checkpoints", "checkpoint"))
    assert sweep.recorded_state(workdir, 0)["state"] == "running"  # resumed by a re-run


def _is_trial_of(pid, workdir):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().decode(errors="replace")
    except OSError:
        return False
    return "--trial=" in cmdline and workdir in cmdline
