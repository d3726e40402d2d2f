"""A damaged run folder, as a class: every file a run folder holds (from its manifest, so a new
file is covered the day a run writes it), damaged every way (deleted, emptied, truncated to
half, random bytes, JSON of another shape, a folder in its place, chmod 000 unless root, a
symlink to a copy elsewhere, and a JSON or CSV file or a checkpoint's side file well-formed
with every number huge, negative or NaN, every JSON value null, or numbers and texts
swapped), given to every launcher that reads a run folder (train resuming
or refusing it, train --overwrite, evaluate, export, the doctor with and without --fix,
model.init_from, configs/from_run.py), and a finished sweep's folder to the sweep resuming
it (every file of it: a sweep keeps no manifest, its folder is its own). Each must exit 0
(the file was not needed, or was rebuilt) or 2 with one line naming the file or the folder
and a fix it can follow; no traceback; no other file of the folder changed (in its bytes)
unless that launcher writes it (tests/damage.py says which).

The default run tries each damage once per launcher and folder, the file rotating through the
folder's files (135 cases, about 45 s); `-m slow` tries them all (a finished run: 24 files,
about 1480 cases; an unfinished one: 9 files, 532 cases, the doctor's --fix left out as it
refuses an unfinished run before reading anything; a sweep: 27 files, 227 cases; about
25 minutes on 2 busy cores):

    python -m pytest -m slow -p no:xdist tests/test_damaged_run_folder.py
"""

import os
import shutil

import pytest

import damage
from conftest import run_launcher

SOURCES = ("finished", "unfinished")
LAUNCHERS_OF = {"finished": list(damage.LAUNCHERS),
                "unfinished": [n for n in damage.LAUNCHERS if n != "doctor_fix"]}
_CACHE = {}


def _source(kind, tmp_path_factory):
    if "finished" not in _CACHE:
        _CACHE["finished"] = damage.make_finished(str(tmp_path_factory.mktemp("damage") / "run"))
    if kind == "unfinished" and "unfinished" not in _CACHE:
        _CACHE["unfinished"] = damage.make_unfinished(
            _CACHE["finished"], str(tmp_path_factory.mktemp("damage") / "unfinished"))
    return _CACHE[kind]


def spread(files, launchers):
    """Each damage once per launcher, the file moving on at every case: every file and every
    damage appear, at a fraction of the whole matrix. The values_* damages (a well-formed
    file, its values out of range) count as one, their kind moving on with each launcher."""
    values = [k for k in damage.DAMAGES if k.startswith("values_")]
    cases, i = [], 0
    for number, launcher in enumerate(launchers):
        for kind in damage.DAMAGES:
            if kind in values and kind != values[number % len(values)]:
                continue
            for _ in range(len(files)):
                name = files[i % len(files)]
                i += 1
                if kind in damage.damages_for(name):
                    cases.append((name, kind, launcher))
                    break
    return cases


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES)
def test_every_launcher_on_every_damaged_file_exits_0_or_one_line_and_keeps_the_rest(
        tmp_path, tmp_path_factory, request, source):
    folder = _source(source, tmp_path_factory)
    files = damage.files_of(folder)
    assert {"config.json", "manifest.json", "metrics.csv"} <= set(files)
    if source == "finished":
        assert {"summary.json", "checkpoints/final.weights.h5", "export/1/saved_model.pb"} <= \
            set(files)
    launchers = LAUNCHERS_OF[source]
    everything = "slow" in (request.config.getoption("-m") or "")
    cases = [(n, k, la) for n in files for k in damage.damages_for(n) for la in launchers] \
        if everything else spread(files, launchers)
    failures = []
    for name, kind, launcher in cases:
        damage.fresh_session()
        code, message, problems = damage.check(folder, str(tmp_path / "case"), name, kind,
                                               launcher)
        failures += [f"{launcher} {name} {kind}: {p}" for p in problems]
    print(f"{source}: {len(files)} files, {len(cases)} cases")
    assert not failures, f"{len(failures)} of {len(cases)} cases:\n" + "\n".join(failures)


def test_the_matrix_lists_every_file_a_finished_run_holds(tmp_path_factory):
    """By construction: what the manifest lists, folders expanded, is every file on disk but
    the lock (a file a run writes outside its manifest would escape the matrix)."""
    folder = _source("finished", tmp_path_factory)
    on_disk = sorted(os.path.relpath(os.path.join(d, n), folder)
                     for d, _, names in os.walk(folder) for n in names if n != ".lock")
    assert damage.files_of(folder) == on_disk


# ------------------------------------------------------------------ the launchers themselves
def _one_error_line(result):
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return errors[0]


@pytest.mark.parametrize("launcher,args", [
    ("launchers.evaluate", lambda f: [f"--workdir={f}"])])  # the doctor's --fix: in the matrix
def test_a_damaged_manifest_names_a_fix_the_reader_can_follow(tmp_path, tmp_path_factory,
                                                              launcher, args):
    """It said 'delete the folder or choose a new --workdir': evaluate and the doctor have no
    --workdir to choose, and deleting the folder throws the run away. Deleting the manifest
    loses nothing: the run's files are then known by their names, and the command works."""
    folder = shutil.copytree(_source("finished", tmp_path_factory), tmp_path / "run")
    (folder / "manifest.json").write_text("{torn")
    line = _one_error_line(run_launcher(launcher, *args(str(folder)), timeout=180))
    assert "manifest.json is damaged; delete that manifest.json" in line
    os.remove(folder / "manifest.json")
    result = run_launcher(launcher, *args(str(folder)), timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("kind", [k for k in damage.DAMAGES if k.startswith("values_")])
def test_a_config_json_with_values_no_training_takes_is_one_line_for_its_readers(
        tmp_path, tmp_path_factory, kind):
    """evaluate and export rebuilt the run from a config.json whose numbers had been edited
    out of range (1e308, -1) and failed inside the data split (OverflowError) or the model: a
    traceback. Every reader of a run's config (evaluate, export, configs/from_run.py) goes
    through restore.load_config, which now checks the values as the training did."""
    folder = _source("finished", tmp_path_factory)
    code, message, problems = damage.check(folder, str(tmp_path / "case"), "config.json", kind,
                                           "evaluate")
    assert problems == [] and code == 2, (code, message, problems)
    assert "its config.json was changed since training" in message, message


def test_a_finished_run_whose_config_was_deleted_is_refused_not_trained_over(
        tmp_path, tmp_path_factory):
    """train took a missing config.json for a run that stopped before writing it, removed the
    run's checkpoints, export and summary, and trained again."""
    folder = shutil.copytree(_source("finished", tmp_path_factory), tmp_path / "run")
    os.remove(folder / "config.json")
    before = damage._readable_snapshot(str(folder))
    from faults import launch
    code, message = launch(lambda: damage._train(str(folder)))
    assert code == 2 and "has no config.json, but its run trained" in message, message
    assert damage._readable_snapshot(str(folder)) == before


def test_a_config_json_edited_to_another_valid_model_is_one_line_saying_so(
        tmp_path, tmp_path_factory):
    """model.width edited in a finished run's config.json (a value training takes): export
    printed five of Keras' warnings, one per layer it skipped, before its error, and the
    error's only fix was to train the run again with --overwrite - which deletes it."""
    import json
    folder = shutil.copytree(_source("finished", tmp_path_factory), tmp_path / "run")
    config = json.loads((folder / "config.json").read_text())
    config["model"]["width"] = 2 * config["model"]["width"]
    (folder / "config.json").write_text(json.dumps(config))
    before = damage._readable_snapshot(str(folder))
    result = run_launcher("launchers.export", f"--workdir={folder}", "--version=2")
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    edited = result.stderr.find("if config.json was edited since training, put back the "
                                "model.* values")
    assert 0 <= edited < result.stderr.find("--overwrite"), result.stderr  # the edit first
    assert damage._readable_snapshot(str(folder)) == before


def test_an_unfinished_run_whose_checkpoints_were_deleted_is_refused_not_trained_over(
        tmp_path, tmp_path_factory):
    """Killed after some epochs, its checkpoints/ deleted: train found nothing to resume, began
    again at epoch 1 and wrote its rows over the trained epochs' in metrics.csv, without a
    word."""
    folder = shutil.copytree(_source("unfinished", tmp_path_factory), tmp_path / "run")
    shutil.rmtree(folder / "checkpoints")
    with open(folder / "metrics.csv") as f:
        rows = len(f.read().splitlines()) - 1
    assert rows >= 2  # the premise: epochs recorded beyond a start a kill could leave
    before = damage._readable_snapshot(str(folder))
    from faults import launch
    code, message = launch(lambda: damage._train(str(folder)))
    assert code == 2 and "has no checkpoints/ to resume from" in message, message
    assert f"holds {rows} trained epoch" in message, message
    assert damage._readable_snapshot(str(folder)) == before


@pytest.mark.parametrize("kind", [k for k in damage.DAMAGES if k.startswith("values_")])
def test_a_side_file_whose_callback_states_changed_kind_is_refused_before_training(
        tmp_path, tmp_path_factory, kind):
    """A checkpoint's side file holds the callbacks' states as JSON; edited so that early
    stopping's `wait` became null, a text or 10**30, the resumed run failed at its first epoch
    end (TypeError, ValueError): a traceback after training. Each state is now checked against
    the kinds its callback writes, so the checkpoint counts as damaged (this run has no other:
    one line) - or, for values of the right kind (-1, NaN), the run resumes and finishes."""
    folder = _source("unfinished", tmp_path_factory)
    code, message, problems = damage.check(folder, str(tmp_path / "case"),
                                           "checkpoints/ckpt-2.state.npz", kind, "train")
    assert problems == [], problems
    assert code == 0 or "every checkpoint is damaged" in message, (code, message)


def test_the_doctor_fix_on_a_summary_whose_fields_changed_kind_is_one_line(tmp_path,
                                                                          tmp_path_factory):
    """main_metric a number, its value a text: `--fix` failed on the metric's name
    (AttributeError). read_result takes the fields it reads in the kinds a training writes."""
    code, message, problems = damage.check(_source("finished", tmp_path_factory),
                                           str(tmp_path / "case"), "summary.json",
                                           "values_retyped", "doctor_fix")
    assert problems == [] and code == 2, (code, message, problems)
    assert "its summary.json is damaged; put back" in message, message


def test_the_doctor_fix_on_a_summary_of_another_shape_is_one_line(tmp_path, tmp_path_factory):
    """A summary.json holding a list was a traceback (AttributeError) in --fix."""
    folder = shutil.copytree(_source("finished", tmp_path_factory), tmp_path / "run")
    (folder / "summary.json").write_text("[1, 2]")
    line = _one_error_line(run_launcher("launchers.doctor", str(folder), "--fix", timeout=180))
    assert "its summary.json is damaged; put back" in line, line


# ------------------------------------------------------------------ a sweep's folder
@pytest.mark.slow
def test_a_sweep_resumed_over_any_damaged_file_exits_0_or_one_line_and_keeps_the_rest(
        tmp_path, tmp_path_factory, request):
    """launchers.sweep resuming its finished --workdir: every file of it (trials.csv,
    best.json, study.db, sweep.json, plots/, trials/NNNN.state and each trial's run folder)
    damaged every way under `-m slow`; by default three that were a traceback or a wrong
    fix: study.db deleted, study.db of random bytes, sweep.json holding a list."""
    if "sweep" not in _CACHE:
        _CACHE["sweep"] = damage.make_sweep(str(tmp_path_factory.mktemp("damage") / "sweep"))
    source = _CACHE["sweep"]
    files = damage.sweep_files_of(source)
    assert {"study.db", "sweep.json", "trials.csv", "best.json"} <= set(files)
    everything = "slow" in (request.config.getoption("-m") or "")
    cases = [(n, k) for n in files for k in damage.damages_for(n)] if everything else \
        [("study.db", "deleted"), ("study.db", "random_bytes"), ("sweep.json", "json_list")]
    failures = []
    for name, kind in cases:
        code, line, problems = damage.check_sweep(source, str(tmp_path / "case"), name, kind)
        failures += [f"{name} {kind}: {p}" for p in problems]
    print(f"sweep: {len(files)} files, {len(cases)} cases")
    assert not failures, f"{len(failures)} of {len(cases)} cases:\n" + "\n".join(failures)
