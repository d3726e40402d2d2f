"""The repair loop (ktrain_kit/repair.py), its remedies table (remedies.py), the sweep's
critical pruning (pruning.py) and launchers.doctor.

Most tests drive the loop with a scripted `train_fn` that writes what a run would (summary.json,
diagnosis.json): the loop's decisions are checked against the script, in milliseconds. The slow
ones train for real and kill `launchers.doctor --fix` in the middle.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ktrain_kit import config as config_lib
from ktrain_kit import repair
from ktrain_kit.doctor import remedies
from ktrain_kit.errors import UserError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def finding(symptom, severity="warning", overrides=(), **evidence):
    return {"symptom": symptom, "severity": severity, "evidence": evidence,
            "causes": [f"cause of {symptom}"], "remedies": [], "first_seen": {},
            "suggested_overrides": list(overrides)}


def mlp(**overrides):
    from configs.faults._base import base_config
    return remedies.with_overrides(base_config(), overrides)


def value(config, key):
    return remedies.value_at(config, key)


# --------------------------------------------------------------------------- remedies
def test_a_nan_loss_gets_the_range_test_then_the_doctors_suggestion_typed():
    c = mlp(**{"schedule.base_lr": 20.0})
    found, changes = remedies.plan(c, [finding("nan_loss", "critical", [
        "--config.schedule.base_lr=2", "--config.optimizer.clip_global_norm=1.0"])])
    assert not changes
    assert found[0].overrides == {"schedule.base_lr": remedies.LR_FIND}
    assert found[1].overrides == {"schedule.base_lr": 2.0, "optimizer.clip_global_norm": 1.0}
    assert isinstance(found[1].overrides["schedule.base_lr"], float)
    for r in found:  # every remedy changes something, and the changed config is valid
        assert any(v != value(c, k) for k, v in r.overrides.items())
        if remedies.LR_FIND not in r.overrides.values():
            config_lib.validate(remedies.with_overrides(c, r.overrides))
    names = [r.name for r in found]
    assert len(names) == len(set(names))


def test_the_most_severe_finding_is_answered_first():
    c = mlp(**{"model.activation": "sigmoid", "model.depth": 8})
    found, _ = remedies.plan(c, [finding("overfitting"), finding("exploding_gradients",
                                                                 "critical")])
    assert found[0].answers == "exploding_gradients"
    assert {r.answers for r in found} == {"overfitting", "exploding_gradients"}


def test_a_remedy_already_in_place_or_invalid_is_not_offered():
    # batch norm is there, clipping is on, and twice the batch exceeds digits' 1438 examples
    c = mlp(**{"model.norm": "batch", "optimizer.clip_global_norm": 1.0,
               "data.batch_size": 1024})
    found, _ = remedies.plan(c, [finding("unstable"), finding("exploding_gradients")])
    changed = {k for r in found for k in r.overrides}
    assert "model.norm" not in changed and "data.batch_size" not in changed
    assert not any(r.overrides.get("optimizer.clip_global_norm") for r in found)


def test_labels_that_do_not_follow_the_inputs_need_a_data_fix_not_a_config():
    found, changes = remedies.plan(mlp(), [finding("data_problem", "critical")])
    assert found == [] and len(changes) == 1 and "data" in changes[0]
    found, changes = remedies.plan(mlp(**{"data.label_noise": 1.0}),
                                   [finding("data_problem", "critical")])
    assert found[0].overrides == {"data.label_noise": 0.0} and not changes


def test_a_data_problem_a_setting_caused_is_repaired_by_that_setting():
    """Batch norm over batches of 2 (the doctor suggests data.batch_size=32): a config fix."""
    c = mlp(**{"data.batch_size": 2, "model.norm": "batch"})
    found, changes = remedies.plan(c, [finding("data_problem", overrides=[
        "--config.data.batch_size=32"])])
    assert not changes and found[0].overrides == {"data.batch_size": 32}


def test_imbalanced_decisions_in_a_launcher_run_are_repaired_by_class_weight():
    """The doctor's imbalanced-classes warning names data.class_weight=balanced to a launcher
    user (it named fit's class_weight), and --fix tries it, as the setting a config has."""
    from ktrain_kit.doctor import rules
    found, changes = remedies.plan(mlp(), [finding("data_problem", overrides=[
        "--config.data.class_weight=balanced"])])
    assert not changes and found[0].overrides == {"data.class_weight": "balanced"}
    # the rule itself, on a launcher run's reference: 80/20 labels, arg max 0.70 balanced
    # accuracy, the same outputs divided by the shares 0.85, a simple model at 0.84
    reference = {"model": 0.70, "model_share_corrected": 0.85, "n_effective": 1024, "n": 1024,
                 "simple": 0.84, "chance": 0.5, "majority": 0.8, "metric": "balanced_accuracy"}
    for launcher in (True, False):
        run = rules.make_run([], [], {"from_launcher": launcher, "task": "binary",
                                      "reference": reference})
        named = rules._majority_decisions(run, [])
        assert named and ("data.class_weight=balanced" in named[0].remedies[0]) == launcher
        assert named[0].suggested_overrides == (
            ["--config.data.class_weight=balanced"] if launcher else [])


def test_the_printed_reproduce_command_works_from_any_folder(tmp_path, monkeypatch):
    """The installed launchers run from any folder; the printed
    `--config=configs/from_run.py:RUN` did not ('does not exist') outside the repository."""
    monkeypatch.chdir(tmp_path)
    path = repair.reproduce_command("run", {}).split("--config=")[1].split(":")[0]
    assert os.path.isabs(path) and os.path.isfile(path)
    monkeypatch.chdir(ROOT)
    assert "--config=configs/from_run.py:run" in repair.reproduce_command("run", {})


def test_printed_commands_paste_into_a_shell_with_spaces_in_the_path(monkeypatch, capsys,
                                                                    tmp_path):
    """'tensorboard --logdir runs/with space/r 1/tensorboard' could not be pasted into a
    shell (a helper's find); shlex reads each printed command back as the words meant."""
    import shlex

    from ktrain_kit.training import _print_summary
    monkeypatch.chdir(ROOT)
    folder = "runs/with space/r 1"
    words = shlex.split(repair.reproduce_command(folder, {"train.epochs": 3}))
    assert words == ["python", "-m", "launchers.train",
                     f"--config=configs/from_run.py:{folder}", "--config.train.epochs=3"]
    monkeypatch.chdir(tmp_path)
    os.makedirs(f"{folder}/tensorboard")  # the line is printed where the run wrote one
    _print_summary({"main_metric_value": 0.5, "best_epoch": 1, "stopped": None,
                    "wall_time_s": 1.0, "epochs_run": 1, "workdir": folder, "export": None},
                   "accuracy", {"val_accuracy": [0.5]})
    line = next(x for x in capsys.readouterr().out.splitlines() if "tensorboard --logdir" in x)
    assert shlex.split(line.split("TensorBoard: ")[1]) == ["tensorboard", "--logdir",
                                                           f"{folder}/tensorboard"]


def test_a_users_model_gets_no_structural_change_but_a_code_change_line():
    c = mlp(**{"model.name": "my_models:small"})
    found, changes = remedies.plan(c, [finding("vanishing_gradients", overrides=[
        "--config.model.activation=relu", "--config.model.norm=batch"])])
    assert not any(k in remedies.MODEL_STRUCTURE for r in found for k in r.overrides)
    assert any("my_models:small" in line for line in changes)


def test_suggested_config_is_a_changed_copy_and_leaves_the_input_alone():
    c = mlp(**{"model.dropout": 0.0})
    fixed = remedies.suggested_config(c, {"findings": [finding("overfitting", overrides=[
        "--config.model.dropout=0.3"])]})
    assert fixed.model.dropout == 0.3 and c.model.dropout == 0.0
    same = remedies.suggested_config(c, [])
    assert same.to_dict() == c.to_dict() and same is not c


SYMPTOMS = sorted(remedies.TABLE) + ["doctor_error", "something_new"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SYMPTOMS), st.sampled_from(
    ["info", "warning", "critical"]), st.lists(st.text(max_size=30), max_size=3),
    st.one_of(st.none(), st.floats(allow_nan=True))), max_size=4),
    st.sampled_from(["sgd", "adam", "adamw"]), st.booleans())
def test_every_planned_remedy_yields_a_valid_config(items, optimizer, user_model):
    c = mlp(**{"optimizer.name": optimizer, "model.name": "m:f" if user_model else "mlp"})
    findings = [finding(s, sev, flags, median_update_to_weight_ratio=ratio)
                for s, sev, flags, ratio in items]
    found, _ = remedies.plan(c, findings)
    for r in found:
        fixed = {k: (1e-3 if v == remedies.LR_FIND else v) for k, v in r.overrides.items()}
        config_lib.validate(remedies.with_overrides(c, fixed))


# --------------------------------------------------------------------------- the loop
def write_run(folder, config, value, findings):
    """What a finished run leaves that the repair reads (the run folder's own files)."""
    os.makedirs(folder, exist_ok=True)
    files = {"config.json": json.loads(config.to_json()),
             "summary.json": {"main_metric": "val_accuracy", "main_metric_value": value,
                              "stopped": None},
             "diagnosis.json": {"status": "problems" if any(
                 f["severity"] != "info" for f in findings) else "healthy",
                 "findings": findings}}
    for name, content in files.items():
        with open(os.path.join(folder, name), "w") as f:
            json.dump(content, f)
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump({"entries": list(files) + ["manifest.json"]}, f)


class Script:
    """A fake trainer: accuracy and findings from the config, and a log of what it trained."""

    def __init__(self, outcome, fail_at=None):
        self.outcome, self.fail_at, self.trained = outcome, fail_at, []

    def __call__(self, config, folder):
        self.trained.append(os.path.basename(folder))
        if self.fail_at == len(self.trained):
            raise KeyboardInterrupt  # killed in the middle of this attempt
        accuracy, findings = self.outcome(config)
        write_run(folder, config, accuracy, findings)


def overfit_then_fixed_by_weight_decay(config):
    """Only weight decay (or dropout together with it) cures this run."""
    if config.optimizer.weight_decay:
        return 0.95, []
    return 0.80, [finding("overfitting", overrides=["--config.model.dropout=0.3"])]


def test_the_loop_stops_at_the_first_healthy_better_run_and_does_not_retry(tmp_path):
    run = str(tmp_path / "run")
    write_run(run, mlp(), 0.80, overfit_then_fixed_by_weight_decay(mlp())[1])
    script = Script(overfit_then_fixed_by_weight_decay)
    state = repair.repair(run, budget=5, train_fn=script, log=lambda line: None)
    expected = [r for r in remedies.plan(mlp(), overfit_then_fixed_by_weight_decay(
        mlp())[1])[0]]
    first_wd = next(i for i, r in enumerate(expected) if "optimizer.weight_decay" in r.overrides)
    attempts = state["attempts"]
    # every remedy before weight decay failed (each tried once, from the original), then it
    assert [a["remedy"] for a in attempts] == [r.name for r in expected[:first_wd + 1]]
    assert all(a["from"] == 0 for a in attempts)
    assert [a["helped"] for a in attempts] == [False] * first_wd + [True]
    assert script.trained == [f"run.fix{i + 1}" for i in range(first_wd + 1)]
    assert state["outcome"] == f"repaired by attempt {first_wd + 1}"
    assert "--config.optimizer.weight_decay=0.0005" in state["reproduce"]
    saved = json.load(open(os.path.join(run, "repair.json")))
    assert saved["attempts"][-1]["overrides"] == attempts[-1]["overrides"]
    assert "| 1 |" in open(os.path.join(run, "repair.md")).read()
    manifest = json.load(open(os.path.join(run, "manifest.json")))["entries"]
    assert {"repair.json", "repair.md"} <= set(manifest)  # the run folder stays the run's


def test_a_remedy_that_helped_is_built_on(tmp_path):
    """Two problems, two remedies: the second attempt starts from the first."""
    def outcome(c):
        if c.model.dropout < 0.3:
            return 0.5, [finding("overfitting", overrides=["--config.model.dropout=0.3"])]
        if c.model.width < 256:
            return 0.7, [finding("underfitting", overrides=["--config.model.width=256"])]
        return 0.9, []
    run = str(tmp_path / "run")
    write_run(run, mlp(), *outcome(mlp()))
    state = repair.repair(run, budget=3, train_fn=Script(outcome), log=lambda line: None)
    assert [a["from"] for a in state["attempts"]] == [0, 1]
    assert state["attempts"][1]["overrides"] == {"model.dropout": 0.3, "model.width": 256}
    assert state["outcome"] == "repaired by attempt 2"


def test_two_findings_take_turns_and_each_suggestion_is_its_own(tmp_path):
    """A model too small shows saturated units and underfitting: when the first finding's
    suggestion does not help, the second finding's suggestion comes next."""
    def outcome(c):
        if c.model.width >= 128:
            return 0.95, []
        return 0.70, [finding("saturated_units", overrides=["--config.model.norm=batch"]),
                      finding("underfitting", overrides=["--config.model.width=128"])]
    run = str(tmp_path / "run")
    start = mlp(**{"model.width": 3})
    write_run(run, start, *outcome(start))
    state = repair.repair(run, 3, Script(outcome), log=lambda line: None)
    assert [(a["remedy"], a["answers"]) for a in state["attempts"]] == [
        ("the doctor's suggestion", "saturated_units"),
        ("the doctor's suggestion", "underfitting")]
    assert state["outcome"] == "repaired by attempt 2"


def test_the_budget_bounds_the_trainings_and_the_best_is_reproduced(tmp_path):
    run = str(tmp_path / "run")
    write_run(run, mlp(), 0.5, [finding("overfitting")])
    script = Script(lambda c: (0.5, [finding("overfitting")]))
    state = repair.repair(run, budget=2, train_fn=script, log=lambda line: None)
    assert len(script.trained) == 2 and state["outcome"].startswith("not repaired")


def test_a_healthy_run_trains_nothing(tmp_path):
    run = str(tmp_path / "run")
    write_run(run, mlp(), 0.97, [finding("saturated_units", "info")])
    script = Script(lambda c: (1.0, []))
    state = repair.repair(run, budget=3, train_fn=script, log=lambda line: None)
    assert script.trained == [] and state["outcome"].startswith("healthy")


def test_killed_in_any_attempt_the_rerun_finishes_the_same_attempts(tmp_path):
    reference_run = str(tmp_path / "ref")
    write_run(reference_run, mlp(), 0.80, overfit_then_fixed_by_weight_decay(mlp())[1])
    reference = repair.repair(reference_run, 5, Script(overfit_then_fixed_by_weight_decay),
                              log=lambda line: None)
    n = len(reference["attempts"])
    for kill_at in range(1, n + 1):
        run = str(tmp_path / f"run{kill_at}")
        write_run(run, mlp(), 0.80, overfit_then_fixed_by_weight_decay(mlp())[1])
        with pytest.raises(KeyboardInterrupt):
            repair.repair(run, 5, Script(overfit_then_fixed_by_weight_decay, fail_at=kill_at),
                          log=lambda line: None)
        planned = json.load(open(os.path.join(run, "repair.json")))["attempts"]
        assert planned[-1]["state"] == "planned"  # written down before it trained
        second = Script(overfit_then_fixed_by_weight_decay)
        state = repair.repair(run, 5, second, log=lambda line: None)
        assert [a["overrides"] for a in state["attempts"]] == \
            [a["overrides"] for a in reference["attempts"]]
        assert second.trained[0] == f"run{kill_at}.fix{kill_at}"  # the killed one, again
        assert len(second.trained) == n - kill_at + 1


def test_an_attempt_folder_this_repair_did_not_plan_is_refused_never_read_back(tmp_path):
    """RUN.fix1 of an earlier repair (the run since trained again with --overwrite, which
    keeps its siblings) holds a healthy, better run of another config: read back, it would
    pass for this repair's first attempt and "repair" the run untrained."""
    run = str(tmp_path / "run")
    write_run(run, mlp(), 0.80, overfit_then_fixed_by_weight_decay(mlp())[1])
    stale = run + ".fix1"
    write_run(stale, mlp(**{"schedule.base_lr": 5.0}), 0.99, [])
    before = {name: open(os.path.join(stale, name)).read() for name in os.listdir(stale)}
    script = Script(overfit_then_fixed_by_weight_decay)
    with pytest.raises(UserError, match=r"attempt folder '.*run\.fix1' already exists.*"
                                        r"move or delete it"):
        repair.repair(run, 3, script, log=lambda line: None)
    assert script.trained == []
    assert {name: open(os.path.join(stale, name)).read() for name in os.listdir(stale)} == \
        before
    # an empty folder (made by hand, or by a kill before training wrote anything) is no run
    for name in os.listdir(stale):
        os.remove(os.path.join(stale, name))
    state = repair.repair(run, 3, script, log=lambda line: None)
    assert script.trained[0] == "run.fix1" and state["attempts"][0]["state"] == "done"


def test_a_range_test_that_picks_a_rate_already_trained_costs_no_training(tmp_path,
                                                                         monkeypatch):
    def fake_range_test(attempt, config, log):  # the test always finds 0.01
        for part in ("overrides", "change"):
            attempt[part] = {k: 0.01 if v == remedies.LR_FIND else v
                             for k, v in attempt[part].items()}
        return True
    monkeypatch.setattr(repair, "_resolve_lr_find", fake_range_test)

    def outcome(c):
        if c.schedule.base_lr > 1:
            return 0.1, [finding("nan_loss", "critical")]
        if not c.optimizer.clip_global_norm:
            return 0.8, [finding("unstable")]
        return 0.95, []
    run = str(tmp_path / "run")
    start = mlp(**{"schedule.base_lr": 20.0})
    write_run(run, start, *outcome(start))
    script = Script(outcome)
    state = repair.repair(run, 3, script, log=lambda line: None)
    states = [(a["remedy"], a["state"]) for a in state["attempts"]]
    assert states[0] == ("learning rate from an LR range test", "done")
    assert states[1] == ("learning rate from an LR range test", "refused")  # 0.01 again
    assert len(script.trained) == sum(s == "done" for _, s in states)
    assert state["outcome"].startswith("repaired")


def test_a_range_test_that_suggests_no_rate_costs_no_training(tmp_path, monkeypatch):
    """A sweep whose loss never fell suggests no rate (lr_find.in_sweep): the attempt is
    refused and said, not trained at a rate below the sweep (1e-8 from 10 steps)."""
    monkeypatch.setattr(repair, "_resolve_lr_find", lambda attempt, config, log: False)

    def outcome(c):
        if c.schedule.base_lr > 1:
            return 0.1, [finding("nan_loss", "critical")]
        return 0.95, []
    run = str(tmp_path / "run")
    start = mlp(**{"schedule.base_lr": 20.0})
    write_run(run, start, *outcome(start))
    script, lines = Script(outcome), []
    state = repair.repair(run, 3, script, log=lines.append)
    tested = [a for a in state["attempts"] if a["remedy"] == "learning rate from an LR range test"]
    assert tested and all(a["state"] == "refused" and "no rate" in a["error"] for a in tested)
    assert any("the range test found no rate at which the loss fell" in line for line in lines)
    assert len(script.trained) == sum(a["state"] == "done" for a in state["attempts"])


# --------------------------------------------------------------------------- sweeps
class Model:
    stop_training = False


def test_critical_pruning_stops_at_a_nan_batch_and_at_divergence():
    from ktrain_kit.doctor.pruning import CriticalPruning
    nan = CriticalPruning({"task": "classification"})
    nan.set_model(Model())
    nan.on_epoch_begin(0)
    nan.on_train_batch_end(0, {"loss": 2.3})
    assert not nan.model.stop_training
    nan.on_train_batch_end(1, {"loss": float("nan")})
    assert nan.model.stop_training and "NaN" in nan.summary()["pruned_reason"]

    rising = CriticalPruning({"task": "classification"})
    rising.set_model(Model())
    # first batch 2.3; epochs 1.0, 0.8, then 5.0 and 6.0: 1.5x the best and above the start
    for epoch, loss in enumerate([1.0, 0.8, 5.0, 6.0]):
        rising.on_epoch_begin(epoch)
        rising.on_train_batch_end(0, {"loss": 2.3 if epoch == 0 else loss})
        rising.on_epoch_end(epoch, {"loss": loss, "val_loss": loss})
        if rising.model.stop_training:
            break
    assert rising.pruned_at == 4 and "diverged" in rising.summary()["pruned_reason"]

    calm = CriticalPruning({"task": "classification"})
    calm.set_model(Model())
    for epoch, loss in enumerate([1.0, 0.8, 0.7]):
        calm.on_epoch_begin(epoch)
        calm.on_train_batch_end(0, {"loss": loss})
        calm.on_epoch_end(epoch, {"loss": loss})
    assert not calm.model.stop_training and calm.summary() == {}


# --------------------------------------------------------------------------- config, launcher
def test_the_repair_key_is_checked():
    c = mlp(**{"callbacks.doctor.repair": -1})
    with pytest.raises(UserError, match="callbacks.doctor.repair"):
        config_lib.validate(c)
    c = mlp(**{"callbacks.doctor.repair": 2, "callbacks.doctor.enabled": False})
    with pytest.raises(UserError, match="callbacks.doctor.repair"):
        config_lib.validate(c)


def launch(module, *args, **kwargs):
    """conftest.run_launcher: its checks too (e.g. that an error names only flags the
    launcher takes)."""
    from conftest import run_launcher
    return run_launcher(module, *args, env={"PYTHONPATH": ROOT}, **kwargs)


def test_the_doctor_launcher_refuses_a_folder_without_a_finished_run(tmp_path):
    os.makedirs(tmp_path / "nothing")  # a folder that does not exist: tests/test_bad_input.py
    result = launch("launchers.doctor", str(tmp_path / "nothing"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    # no run there (an empty folder): not told to resume a run by its training command
    assert len(result.stderr.strip().splitlines()) == 1 and "holds no run" in result.stderr


def test_a_bad_budget_is_one_line_naming_the_flag(tmp_path):
    result = launch("launchers.doctor", str(tmp_path), "--fix", "--budget=0")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "--budget" in result.stderr
    assert "config" not in result.stderr


def test_the_doctor_launcher_prints_the_diagnosis_and_the_remedies(tmp_path):
    run = str(tmp_path / "run")
    write_run(run, mlp(), 0.8, [finding("overfitting", overrides=[
        "--config.model.dropout=0.3"])])
    result = launch("launchers.doctor", run)
    assert result.returncode == 0, result.stderr
    assert "Overfitting" in result.stdout and "--config.model.dropout=0.3" in result.stdout
    assert not os.path.exists(run + ".fix1")  # without --fix nothing is trained


# --------------------------------------------------------------------------- for real
def fault_command(workdir, epochs=2):
    return ["launchers.train", "--config=configs/faults/lr_too_low.py", f"--workdir={workdir}",
            f"--config.train.epochs={epochs}", "--config.train.verbose=0",
            "--config.callbacks.tensorboard.enabled=False"]


@pytest.mark.slow
def test_killed_fix_resumes_and_the_repaired_run_is_an_ordinary_run(tmp_path):
    run = str(tmp_path / "run")
    first = launch(*fault_command(run, epochs=3), timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    env = {**os.environ, "PYTHONPATH": ROOT}
    command = [sys.executable, "-m", "launchers.doctor", run, "--fix", "--budget=2"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    checkpoint = os.path.join(run + ".fix1", "checkpoints", "checkpoint")
    deadline = time.time() + 240
    while not os.path.exists(checkpoint) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    planned = json.load(open(os.path.join(run, "repair.json")))["attempts"]
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=400)
    state = json.load(open(os.path.join(run, "repair.json")))
    assert [a["overrides"] for a in state["attempts"][:len(planned)]] == \
        [a["overrides"] for a in planned]
    assert state["attempts"][0]["state"] == "done"
    assert "ktrain_kit: resuming" in again.stdout  # the killed attempt went on, not again
    assert os.path.isdir(os.path.join(state["attempts"][0]["folder"], "export", "1"))
    assert again.stdout.strip().splitlines()[-1] == state["reproduce"]
    assert os.path.exists(os.path.join(run, "repair.png"))
    best = state["attempts"][state["best"] - 1]["folder"] if state["best"] else run
    evaluated = launch("launchers.evaluate", f"--workdir={best}", timeout=200)
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    summary = json.load(open(os.path.join(best, "summary.json")))
    shown = float(evaluated.stdout.split("accuracy: ")[1].split()[0])
    assert abs(shown - summary["main_metric_value"]) < 1e-3
    # the printed command trains the same config again
    reproduced = launch(*state["reproduce"].split()[2:], f"--workdir={tmp_path / 'again'}",
                        "--config.train.verbose=0", timeout=300)
    assert reproduced.returncode == 0, reproduced.stderr[-2000:]
    assert json.load(open(tmp_path / "again" / "config.json"))["schedule"] == \
        json.load(open(os.path.join(best, "config.json")))["schedule"]


@pytest.mark.slow
def test_a_sweep_prunes_a_nan_trial_at_once_with_the_reason_in_trials_csv(tmp_path):
    import csv
    spec = tmp_path / "lr.py"
    spec.write_text("def get_sweep():\n    return dict(metric='val_accuracy', trials=1, "
                    "sampler='grid', pruner='none',\n                space={'schedule.base_lr':"
                    " ('choice', [20.0])})\n")
    workdir = tmp_path / "sweep"
    result = launch("launchers.sweep", "--config=configs/faults/lr_too_high.py",
                    "--config.train.epochs=3", "--config.train.verbose=0",
                    "--config.data.train_examples=320",
                    "--config.callbacks.tensorboard.enabled=False", f"--sweep={spec}",
                    f"--workdir={workdir}", timeout=600)
    # its only trial pruned: no finished trial, exit 1 with the reason in trials.csv
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "without a finished trial" in result.stderr
    rows = {float(r["schedule.base_lr"]): r for r in csv.DictReader(open(workdir /
                                                                          "trials.csv"))}
    reason = rows[20.0]["reason"]
    assert rows[20.0]["state"].upper() == "PRUNED" and reason.startswith("critical: ")
    assert "NaN" in reason or "diverged" in reason
    nan_run = json.load(open(workdir / rows[20.0]["run_folder"] / "summary.json"))
    assert nan_run["pruned_at_epoch"] < 3  # at once: it did not train to the end


@pytest.mark.slow
def test_the_repair_key_runs_the_loop_at_the_end_of_a_training(tmp_path):
    run = str(tmp_path / "run")
    result = launch("launchers.train", "--config=configs/faults/logits_as_probabilities.py",
                    f"--workdir={run}", "--config.train.verbose=0",
                    "--config.callbacks.tensorboard.enabled=False",
                    "--config.callbacks.doctor.repair=1", timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    state = json.load(open(os.path.join(run, "repair.json")))
    assert state["attempts"][0]["overrides"] == {"model.from_logits": True,
                                                 "callbacks.doctor.repair": 0}
    fixed = json.load(open(run + ".fix1/config.json"))
    assert fixed["model"]["from_logits"] is True
    assert result.stdout.strip().splitlines()[-1] == state["reproduce"]


def test_early_stopping_is_not_planned_when_validation_was_best_at_the_end():
    names = lambda found: [r.name for r in found]  # noqa: E731
    turned_up, _ = remedies.plan(mlp(), [finding("overfitting", epochs_after_best=3)])
    at_best, _ = remedies.plan(mlp(), [finding("overfitting", epochs_after_best=0)])
    assert names(turned_up)[0] == "early stopping"
    assert "early stopping" not in names(at_best) and names(at_best)[0] == "more dropout"
