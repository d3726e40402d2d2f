"""repair.json edited or damaged between two runs of `--fix`, as a class: every field of a
repair killed in the middle, each replaced by a value of every other kind or removed. The
resumed repair either goes on (the edit is one it can read) or stops with one line naming
repair.json - never a traceback from deep inside the loop.

The repair is driven by test_repair's scripted trainer: no training, milliseconds a case.
"""

import json
import os
import shutil

import pytest

from ktrain_kit import repair
from ktrain_kit.errors import UserError
from tests.test_repair import Script, mlp, overfit_then_fixed_by_weight_decay, write_run

OTHER_VALUES = {"null": None, "text": "x", "huge": 10 ** 30, "negative": -1, "true": True,
                "list": [], "object": {}, "nan": float("nan")}


def _killed_repair(folder):
    """A run whose repair was killed training its second attempt: repair.json lists one
    attempt done (with its findings) and one planned."""
    write_run(folder, mlp(), 0.80, overfit_then_fixed_by_weight_decay(mlp())[1])
    with pytest.raises(KeyboardInterrupt):
        repair.repair(folder, 5, Script(overfit_then_fixed_by_weight_decay, fail_at=2),
                      log=lambda line: None)
    with open(os.path.join(folder, repair.REPAIR_JSON)) as f:
        return json.load(f)


def _paths(value, path=()):
    """Every node of a JSON value (dicts' entries and lists' items), the root excluded."""
    items = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield path + (key,)
        yield from _paths(child, path + (key,))


def _edited(state, path, kind):
    state = json.loads(json.dumps(state))
    *parents, last = path
    node = state
    for key in parents:
        node = node[key]
    if kind == "removed":
        del node[last]
    elif kind == "renamed":  # a key misspelt: a field missing, or a config key unknown
        node[last + "_x"] = node.pop(last)
    else:
        node[last] = OTHER_VALUES[kind]
    return state


@pytest.fixture(scope="module")
def killed(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("killed") / "run")
    return folder, _killed_repair(folder)


def _cases(state):
    for path in _paths(state):
        kinds = list(OTHER_VALUES) + (["removed", "renamed"] if isinstance(path[-1], str)
                                      else [])
        for kind in kinds:
            yield path, kind


def test_every_field_of_a_killed_repair_in_every_other_kind_resumes_or_is_one_line(
        killed, tmp_path, monkeypatch):
    from ktrain_kit import plots
    # repair.png is drawn from the fields read (checked here), not rendered (0.1 s a case)
    monkeypatch.setattr(plots, "_save", lambda fig, *args, **kwargs: plots.plt.close(fig))
    folder, state = killed
    failures = []
    for number, (path, kind) in enumerate(_cases(state)):
        run = str(tmp_path / f"run{number}")
        shutil.copytree(folder, run)
        for name in os.listdir(os.path.dirname(folder)):  # its attempt folders, beside it
            if name.startswith("run.fix"):
                shutil.copytree(os.path.join(os.path.dirname(folder), name),
                                run + name[len("run"):])
        # the copy's own: its original folder and its attempts' folders beside it
        edited = _edited(json.loads(json.dumps(state).replace(folder, run)), path, kind)
        with open(os.path.join(run, repair.REPAIR_JSON), "w") as f:
            json.dump(edited, f)
        try:
            resumed = repair.repair(run, 5, Script(overfit_then_fixed_by_weight_decay),
                                    log=lambda line: None)
            repair.printed_lines(resumed)
        except UserError as e:
            if "\n" in str(e) or repair.REPAIR_JSON not in str(e):
                failures.append(f"{'.'.join(map(str, path))} {kind}: {e}")
        except Exception as e:  # noqa: BLE001 - the failure this test looks for
            failures.append(f"{'.'.join(map(str, path))} {kind}: {type(e).__name__}: {e}")
    assert not failures, f"{len(failures)} edits:\n" + "\n".join(failures)


def _resuming_copy(killed, tmp_path, summary_changes=None, state_edit=None):
    """A copy of the killed repair's run as its training command resumes it: trained with
    callbacks.doctor.repair set and diagnosed with problems (summary.json says so)."""
    folder, state = killed
    run = str(tmp_path / "run")
    shutil.copytree(folder, run)
    for name, changes in (("config.json", None), ("summary.json", summary_changes)):
        with open(os.path.join(run, name)) as f:
            content = json.load(f)
        if name == "config.json":
            content["callbacks"]["doctor"]["repair"] = 2
        else:
            content.update(diagnosis="problems", **(changes or {}))
        with open(os.path.join(run, name), "w") as f:
            json.dump(content, f)
    edited = json.loads(json.dumps(state).replace(folder, run))
    with open(os.path.join(run, repair.REPAIR_JSON), "w") as f:
        json.dump(_edited(edited, *state_edit) if state_edit else edited, f)
    return run


def _refused_in_one_line(command, *words):
    from tests.test_repair import launch
    result = launch(*command)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and all(w in lines[0] for w in words), lines


def test_both_launchers_resuming_a_damaged_repair_exit_2_with_one_line(killed, tmp_path):
    """`launchers.doctor RUN --fix` and the training command of a run with
    callbacks.doctor.repair set both resume a repair begun: both read repair.json first."""
    run = _resuming_copy(killed, tmp_path, state_edit=(("attempts", 1, "from"), "text"))
    before = {name: open(os.path.join(run, name), "rb").read() for name in os.listdir(run)}
    for command in (["launchers.doctor", run, "--fix"],
                    ["launchers.train", "--config=configs/from_run.py:" + run,
                     f"--workdir={run}"]):
        _refused_in_one_line(command, "repair.json", "attempts[1].from")
        assert {name: open(os.path.join(run, name), "rb").read()
                for name in os.listdir(run)} == before  # nothing in the folder touched


def test_a_training_resuming_its_repair_over_a_summary_of_other_kinds_is_one_line(
        killed, tmp_path):
    """The training command of a run whose repair has begun reads summary.json to go on with
    the repair: a main metric edited into a text stops it with one line naming the file."""
    run = _resuming_copy(killed, tmp_path, {"main_metric_value": "0.8"})
    _refused_in_one_line(["launchers.train", "--config=configs/from_run.py:" + run,
                          f"--workdir={run}"], "summary.json", "damaged")
