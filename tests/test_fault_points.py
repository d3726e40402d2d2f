"""A failure at every change to a file: one line, the right exit code, nothing lost, and the
same command then finishes the run.

tests/test_crash_points.py kills the process (SIGKILL) at each write point; here the change
itself fails, in this process (tests/faults.py): a full disk, a denied permission, an interrupt.
Unlike a kill, these run every `except` and `finally` on the way out, and they must end in
`cli.ending`'s one line (no traceback) with the exit code of cli.py's table, with the files a
previous run left intact (a resumed run's checkpoint and its rows of metrics.csv; the user's
file beside an --overwrite). Then evaluate, export, the doctor and fine-tuning read the folder
as the failure left it (each must succeed or refuse in one line, changing nothing of the
run's), and the same training command, run again, must give the uninterrupted run's result
(metrics, final weights, export, plots, diagnosis, summary) and leave no temporary file.

The changes are not listed here: the uninterrupted run enumerates them through fs.py's one door,
so a new write is tested the day it is added, and test_no_file_is_changed_outside_fs fails on
one that bypasses the door. CI runs the first change of each kind at each place in the code
(`what`, and the function that asked for it) with the failure kinds in turn; under `-m slow`
every change with every kind (train: fresh 54 changes, resumed 43, --overwrite 64; about 45
minutes on 2 busy cores, `-p no:xdist` or two workers).
"""

import contextlib
import csv
import io
import os
import shutil

import numpy as np
import pytest

from conftest import load_config
from faults import EXIT, KINDS, Faults, injected, launch, snapshot, temps

TIMING = {"epoch_time_s", "examples_per_sec", "wall_time_s", "startup_s"}
# What a resumed run may rewrite of the files it found: the rows after its checkpoint go
# (metrics.csv), the manifest gains entries, the checkpoint index moves on.
REWRITTEN_ON_RESUME = {"metrics.csv", "manifest.json", "checkpoints/checkpoint"}


def tiny():
    return load_config("digits_mlp", train__epochs=2, train__verbose=0, data__train_examples=64,
                       model__width=8, callbacks__tensorboard__enabled=False)


def _train(workdir, overwrite=False):
    from ktrain_kit.training import train
    return lambda: train(tiny(), str(workdir), overwrite=overwrite)


def _rows(path):
    with open(path, newline="") as f:
        return [{k: v for k, v in r.items() if k not in TIMING} for r in csv.DictReader(f)]


def _outcome(folder):
    import h5py
    weights = {}
    with h5py.File(os.path.join(folder, "checkpoints", "final.weights.h5"), "r") as f:
        f.visititems(lambda n, o: weights.__setitem__(n, np.asarray(o))
                     if isinstance(o, h5py.Dataset) else None)
    return {"metrics": _rows(os.path.join(folder, "metrics.csv")), "weights": weights,
            "export": os.path.isfile(os.path.join(folder, "export", "1", "saved_model.pb")),
            "plots": sorted(os.listdir(os.path.join(folder, "plots"))),
            "diagnosis": os.path.isfile(os.path.join(folder, "diagnosis.json")),
            "summary": os.path.isfile(os.path.join(folder, "summary.json"))}


def _same_outcome(got, expected):
    problems = [k for k in expected if k != "weights" and got[k] != expected[k]]
    if got["weights"].keys() != expected["weights"].keys() or any(
            not np.array_equal(got["weights"][k], v) for k, v in expected["weights"].items()):
        problems.append("weights")
    return problems


def _checkpoints(folder):
    """{number: files} of the checkpoints the index lists."""
    import tensorflow as tf
    state = tf.train.get_checkpoint_state(os.path.join(folder, "checkpoints"))
    if state is None:
        return {}
    return {int(p.rsplit("-", 1)[1]): p for p in state.all_model_checkpoint_paths}


def _lost(before, after, folder, overwrite=False):
    """What of `before` (a snapshot) the failed run destroyed: a file gone or changed that a
    resume does not replace, or a checkpoint gone with none newer to resume from; with
    --overwrite, a file the user added."""
    if overwrite:
        return [name for name in before if name.startswith(USERS) and after.get(name) !=
                before[name]]
    newest_before = max(_checkpoints_in(before), default=-1)
    newest_after = max(_checkpoint_numbers(folder), default=-1)
    lost = []
    for name, data in before.items():
        if name in REWRITTEN_ON_RESUME or name.startswith("checkpoints/ckpt-"):
            continue
        if after.get(name) != data:
            lost.append(name)
    if newest_after < newest_before:
        lost.append(f"checkpoints: newest {newest_before} -> {newest_after}")
    if "metrics.csv" in before:  # the rows of the epochs its newest checkpoint covered stay
        rows_before = before["metrics.csv"].decode().splitlines()  # (later ones are trained
        rows_after = after.get("metrics.csv", b"").decode().splitlines()  # again on resume)
        epochs = _epoch_of(folder, newest_before) if newest_before >= 0 else 0
        if rows_after[:1 + epochs] != rows_before[:1 + epochs]:
            lost.append("metrics.csv rows")
    return lost


def _checkpoints_in(snap):
    return {int(n.split("-")[1].split(".")[0]) for n in snap
            if n.startswith("checkpoints/ckpt-") and n.endswith(".index")}


def _checkpoint_numbers(folder):
    """Checkpoints the index lists whose files are all there (index, data, side file)."""
    numbers = []
    for number, path in _checkpoints(folder).items():
        if all(os.path.isfile(path + suffix) for suffix in
               (".index", ".data-00000-of-00001", ".state.npz")):
            numbers.append(number)
    return numbers


def _epoch_of(folder, number):
    steps = 64 // tiny().data.batch_size
    return number // steps if steps else 0


# ------------------------------------------------------------------ the other launchers
def _readers(folder):
    """evaluate, export (a new version), the doctor and fine-tuning on `folder`, each as the
    launcher would end: {name: (code, line)}."""
    from ktrain_kit import export, repair
    from ktrain_kit.evaluate import evaluate

    def export_version_2():
        return export.export_run(folder, 2)

    def fine_tune():
        from ktrain_kit import data as data_lib
        from ktrain_kit.finetune import load_initial_weights
        from ktrain_kit.network import build_network
        c = tiny()
        network = build_network(c, data_lib.load(c.data, c.task, c.seed))
        return load_initial_weights(network, folder)

    return {"evaluate": launch(lambda: evaluate(folder)), "export": launch(export_version_2),
            "doctor": launch(lambda: repair.diagnosis_lines(folder)),
            "finetune": launch(fine_tune)}


def check_readers(folder):
    """Problems of the readers on a damaged folder: a traceback, or a file of the run's
    changed (evaluation.json, export/2 and the manifest are theirs to write)."""
    before = snapshot(folder)
    problems = []
    for name, (code, message) in _readers(folder).items():
        if code not in (0, 2):
            problems.append(f"{name}: exit {code}: {str(message)[-600:]}")
    after = snapshot(folder)
    changed = [n for n, data in before.items() if after.get(n) != data and
               n not in ("manifest.json", "evaluation.json") and not n.startswith("export/2")]
    if changed:
        problems.append(f"readers changed {changed[:3]}")
    return problems


# ------------------------------------------------------------------ one point
def _fresh_session():
    """Each point starts as a new process would: Keras' graph and pyplot's figures of the
    points before dropped (they slow every later run down, twice over after 50 points)."""
    import keras
    import matplotlib.pyplot as plt
    keras.backend.clear_session()
    plt.close("all")


def check_point(folder, prepare, at, kind, expected):
    """Fails change `at` with `kind` in a training into `folder` (as `prepare` leaves it);
    returns the problems found (empty: the point is guarded)."""
    _fresh_session()
    shutil.rmtree(folder, ignore_errors=True)
    prepare(folder)
    before = snapshot(folder) if os.path.isdir(folder) else {}
    overwrite = getattr(prepare, "overwrite", False)
    with injected(Faults(at, kind)) as faults:
        code, message = launch(_train(folder, overwrite))
    where = faults.changes[at - 1] if len(faults.changes) >= at else None
    problems = []
    if where is None:
        return ["the run made fewer changes than enumerated"]
    import matplotlib.pyplot as plt
    if plt.get_fignums():  # a notebook or a sweep goes on in this process: none may leak
        problems.append(f"{len(plt.get_fignums())} figures left open")
    if code != EXIT[kind]:
        problems.append(f"exit {code} (expected {EXIT[kind]}): {str(message)[-800:]}")
    elif "\n" in message or not message:
        problems.append(f"not one line: {message!r}")
    elif kind != "interrupt" and _named(where[1]) not in message:
        problems.append(f"the line does not name {_named(where[1])}: {message}")
    if os.path.isdir(folder):
        lost = _lost(before, snapshot(folder), folder, overwrite)
        if lost:
            problems.append(f"lost {lost}")
        problems += check_readers(folder)
    saved = bool(_checkpoint_numbers(folder)) if os.path.isdir(folder) else False
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code, message = launch(_train(folder, overwrite))
    if code != 0:
        problems.append(f"re-run: exit {code}: {str(message)[-800:]}")
    elif saved and not overwrite and not any(
            words in printed.getvalue() for words in ("resuming", "training had finished")):
        # a deterministic restart ends with the same files: only its words tell it
        problems.append("re-run started again from scratch over whole checkpoints")
    else:
        if temps(folder):
            problems.append(f"re-run left {temps(folder)}")
        differs = _same_outcome(_outcome(folder), expected)
        if differs:
            problems.append(f"re-run differs in {differs}")
    return [f"{kind} at change {at} {where[0]} {where[2]} ({os.path.basename(where[1])}): {p}"
            for p in problems]


def _named(path):
    """The file a failure at `path` must be named by: the target of a write, not its
    temporary file."""
    from ktrain_kit import fs
    name = os.path.basename(str(path).split(" -> ")[0])
    return fs.temp_target(name) if fs.is_temp(name) else name


def fresh(folder):
    """No folder yet."""


def interrupted(folder):
    """The folder of this command's run interrupted after its first epoch's checkpoint."""
    shutil.copytree(_interrupted_source(), folder)


def replaced(folder):
    """A finished run of this command, replaced with --overwrite; the user added a plot and
    a note beside the checkpoints."""
    shutil.copytree(_finished_source(), folder)
    for name in USERS:
        with open(os.path.join(folder, name), "wb") as f:
            f.write(b"the user's own " + name.encode())


replaced.overwrite = True
USERS = (os.path.join("plots", "mine.png"), os.path.join("checkpoints", "notes.txt"))
_CACHE = {}


def _interrupted_source():
    if "interrupted" not in _CACHE:
        import tempfile
        folder = os.path.join(tempfile.mkdtemp(prefix="faults_"), "run")
        with injected(Faults()) as faults:  # count up to the second checkpoint
            launch(_train(folder))
        second = [i for i, c in enumerate(faults.changes) if c[0] == "checkpoint"][1]
        shutil.rmtree(folder)
        with injected(Faults(second + 1, "interrupt")):
            code, _ = launch(_train(folder))
        assert code == EXIT["interrupt"]
        _CACHE["interrupted"] = folder
    return _CACHE["interrupted"]


def enumerate_changes(folder, prepare):
    """The uninterrupted run's changes and its outcome."""
    shutil.rmtree(folder, ignore_errors=True)
    prepare(folder)
    with injected(Faults()) as faults:
        code, message = launch(_train(folder, getattr(prepare, "overwrite", False)))
    assert code == 0, message
    return faults.changes, _outcome(folder)


def ci_points(changes, scenario="fresh"):
    """The first change at each (what, code site), with the failure kinds in turn. A run that
    found a folder differs from a fresh one only until its first checkpoint (what it removes,
    rewrites, resumes from): there, only those changes."""
    if scenario != "fresh":
        first = next(i for i, c in enumerate(changes) if c[0] == "checkpoint")
        changes = changes[:first + 1]
    seen, chosen = set(), []
    for i, (what, _, where) in enumerate(changes):
        if (what, where) not in seen:
            seen.add((what, where))
            chosen.append((i + 1, list(KINDS)[len(chosen) % len(KINDS)]))
    return chosen


SCENARIOS = {"fresh": fresh, "interrupted": interrupted, "overwrite": replaced}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_failure_at_any_change_is_one_line_loses_nothing_and_the_rerun_finishes(
        tmp_path, request, scenario):
    prepare = SCENARIOS[scenario]
    folder = str(tmp_path / "run")
    changes, expected = enumerate_changes(folder, prepare)
    everything = "slow" in (request.config.getoption("-m") or "")
    points = [(n, kind) for n in range(1, len(changes) + 1) for kind in KINDS] if everything \
        else ci_points(changes, scenario)
    failures = []
    for at, kind in points:
        failures += check_point(folder, prepare, at, kind, expected)
    print(f"{scenario}: {len(changes)} changes, {len(points)} points tested")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


# ------------------------------------------------------------------ no change outside the door
MUTATING = {("os", n) for n in ("remove", "unlink", "rename", "replace", "makedirs", "mkdir",
                                 "rmdir", "removedirs", "truncate", "open", "symlink", "link")} \
    | {("shutil", n) for n in ("rmtree", "move", "copy", "copy2", "copyfile", "copytree")} \
    | {("gfile", n) for n in ("rename", "remove", "rmtree", "makedirs", "mkdir", "copy",
                              "GFile")}
LIBRARY = {"save_weights", "save", "write_out", "savefig", "savez", "TFRecordWriter",
           "write_bytes", "write_text"}  # (pathlib's) library writers
# Changes that do not go through fs.py, each with its reason: none is a run folder's file.
OUTSIDE_THE_DOOR = {
    ("ktrain_kit/cli.py", "keep_caches_out_of_home", "os.makedirs"):
        "matplotlib's and Keras' cache folder in /tmp; a failure skips it",
    ("ktrain_kit/runfolder.py", "locked", "os.open"):
        "the .lock file itself: an flock needs a file descriptor; a failure is one line",
    ("ktrain_kit/runfolder.py", "in_use", "os.open"):
        "the .lock file opened read-only to probe its lock (O_RDONLY: nothing is created)",
    ("ktrain_kit/runfolder.py", "open_run", "os.remove"):
        "clean-up of a refused run's new folder, errors suppressed",
    ("ktrain_kit/runfolder.py", "open_run", "os.rmdir"):
        "clean-up of a refused run's new folder (only if empty), errors suppressed",
    ("ktrain_kit/sweep.py", "sweep_lock", "open('a+')"):
        "the sweep's .sweep.lock: an flock needs a file descriptor",
    ("ktrain_kit/sweep.py", "claim", "open('a+')"):
        "a trial's .claim lock file: an flock needs a file descriptor",
    ("ktrain_kit/training.py", "_save_weights_atomically", ".save_weights"):
        "h5py writes a local scratch file, which write_bytes then puts in place",
    ("ktrain_kit/finetune.py", "_from_run_folder", ".save_weights"):
        "a local scratch file, read back and deleted",
    ("ktrain_kit/restore.py", "_load_weights", "open('wb')"):
        "a local scratch copy of a bucket's weights file, for h5py",
    ("ktrain_kit/workers.py", "scratch_folder", "shutil.rmtree"):
        "a non-chief worker's scratch folder in the temp folder (its own at the end, a killed "
        "worker's at the next start), never the run folder; errors ignored",
}


def _changes_outside_fs():
    """(file, function, call) of every call that changes a file, outside fs.py, that neither
    goes to an in-memory buffer nor follows fs.library_write in its function."""
    import ast

    from conftest import ROOT
    found = []
    for top in ("ktrain_kit", "launchers"):
        for d, _, files in os.walk(os.path.join(ROOT, top)):
            for f in sorted(files):
                path = os.path.join(d, f)
                name = os.path.relpath(path, ROOT)
                if not f.endswith(".py") or name == os.path.join("ktrain_kit", "fs.py"):
                    continue
                with open(path) as handle:
                    tree = ast.parse(handle.read())
                ours = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                        and (n.module or "").startswith("ktrain_kit") for a in n.names}
                for function in ast.walk(tree):
                    if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        found += _calls_in(function, name, ours)
    return found


def _calls_in(function, name, ours):
    """`ours`: names of ktrain_kit's own modules (their functions write through fs)."""
    import ast
    calls = [n for n in ast.walk(function) if isinstance(n, ast.Call)]
    announced = any(isinstance(c.func, ast.Attribute) and c.func.attr == "library_write"
                    for c in calls)
    out = []
    for call in calls:
        what = _changing(call)
        if what is None or (isinstance(call.func, ast.Attribute) and
                            isinstance(call.func.value, ast.Name) and call.func.value.id in ours):
            continue
        to_memory = call.args and isinstance(call.args[0], ast.Name) and \
            call.args[0].id in ("buffer", "out", "table")
        if what.startswith(".") and (announced or to_memory):
            continue
        out.append((name, function.name, what))
    return out


def _changing(call):
    """`os.remove`, `open('w')`, `.save_weights`...: what `call` changes files with, if it does."""
    import ast
    func = call.func
    if isinstance(func, ast.Name) and func.id == "open":
        mode = call.args[1] if len(call.args) > 1 else next(
            (k.value for k in call.keywords if k.arg == "mode"), None)
        mode = mode.value if isinstance(mode, ast.Constant) else "r"
        return f"open({mode!r})" if any(m in str(mode) for m in "wax+") else None
    if not isinstance(func, ast.Attribute):
        return None
    base = func.value
    base = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
    if (base, func.attr) in MUTATING:
        return f"{base}.{func.attr}"
    return f".{func.attr}" if func.attr in LIBRARY else None


def test_no_file_is_changed_outside_fs():
    """Every change to a file goes through fs.py's door (so the tests above enumerate it) or
    is listed in OUTSIDE_THE_DOOR with its reason: a new `os.remove` or `open(path, 'w')`
    fails here until it is routed through fs or justified."""
    found = _changes_outside_fs()
    unguarded = sorted(set(found) - set(OUTSIDE_THE_DOOR))
    assert not unguarded, "changes to files outside ktrain_kit/fs.py: route them through fs " \
        "(fs.write_bytes, fs.remove, fs.makedirs, fs.library_write before a library's write) " \
        f"or list them in OUTSIDE_THE_DOOR with a reason: {unguarded}"
    stale = sorted(set(OUTSIDE_THE_DOOR) - set(found))
    assert not stale, f"OUTSIDE_THE_DOOR lists calls that are gone: {stale}"


# ------------------------------------------------------------------ evaluate and export failing
def _finished_source():
    if "finished" not in _CACHE:
        import tempfile
        folder = os.path.join(tempfile.mkdtemp(prefix="faults_"), "run")
        code, message = launch(_train(folder))
        assert code == 0, message
        _CACHE["finished"] = folder
    return _CACHE["finished"]


def _reader_calls(folder):
    from ktrain_kit.evaluate import evaluate
    from ktrain_kit.export import export_run
    # launchers.export's work, version 1 again: replaces the served one
    return {"evaluate": lambda: evaluate(folder), "export": lambda: export_run(folder, 1)}


def _servable(folder):
    import tensorflow as tf
    loaded = tf.saved_model.load(os.path.join(folder, "export", "1"))
    return "serving_default" in loaded.signatures


@pytest.mark.slow
@pytest.mark.parametrize("reader", ["evaluate", "export"])
def test_a_failure_in_evaluate_or_export_is_one_line_and_keeps_the_run(tmp_path, request,
                                                                       reader):
    """A full disk, a denied permission or an interrupt at each change evaluate or export
    makes: one line, the run's files as they were (export/1 still served), and the command
    then succeeds."""
    folder = str(tmp_path / "run")
    shutil.copytree(_finished_source(), folder)
    with injected(Faults()) as faults:
        code, message = launch(_reader_calls(folder)[reader])
    assert code == 0, message
    changes = faults.changes
    everything = "slow" in (request.config.getoption("-m") or "")
    points = [(n, k) for n in range(1, len(changes) + 1) for k in KINDS] if everything else \
        [(n, list(KINDS)[(n - 1) % len(KINDS)]) for n in range(1, len(changes) + 1)]
    failures = []
    for at, kind in points:
        shutil.rmtree(folder)
        shutil.copytree(_finished_source(), folder)
        before = snapshot(folder)
        with injected(Faults(at, kind)):
            code, message = launch(_reader_calls(folder)[reader])
        what = f"{reader}: {kind} at change {at} {changes[at - 1][0]} {changes[at - 1][2]}"
        if code != EXIT[kind] or "\n" in str(message):
            failures.append(f"{what}: exit {code}: {str(message)[-800:]}")
        after = snapshot(folder)
        kept = {n for n in before if n == "manifest.json" or n == "evaluation.json" or
                (reader == "export" and n.startswith("export/1/"))}
        lost = [n for n in before if n not in kept and after.get(n) != before[n]]
        if lost or not _servable(folder):
            failures.append(f"{what}: lost {lost}, export/1 servable: {_servable(folder)}")
        code, message = launch(_reader_calls(folder)[reader])
        if code != 0 or temps(folder):
            failures.append(f"{what}: re-run exit {code} {str(message)[-300:]} {temps(folder)}")
    print(f"{reader}: {len(changes)} changes, {len(points)} points tested")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


@pytest.mark.parametrize("folder, runs, users", [
    ("plots", "plots/loss.png", "plots/mine.png"),
    ("checkpoints", "checkpoints/ckpt-4.index", "checkpoints/notes.txt")])
def test_a_run_that_failed_after_overwrite_kept_the_users_file_is_not_refused_on_rerun(
        tmp_path, folder, runs, users):
    """--overwrite removes the run's files and keeps the user's file in plots/ (or
    checkpoints/); a run that then fails before writing there must still be re-run there (it
    was refused: its manifest no longer named the folder, so it looked foreign), and the folder
    stays shared: a later --overwrite still keeps the user's file."""
    import json

    from ktrain_kit import runfolder
    workdir = tmp_path / "run"
    (workdir / folder).mkdir(parents=True)
    for name in ("config.json", "summary.json", runs, users):
        (workdir / name).write_text(name)
    entry = "checkpoints" if folder == "checkpoints" else runs  # the run owns it whole
    (workdir / "manifest.json").write_text(json.dumps(
        {"entries": ["config.json", "summary.json", entry, ".lock"]}))
    for _ in range(2):  # the failed run, then its re-run (failing as well)
        with pytest.raises(OSError):
            with runfolder.open_run(str(workdir), tiny(), overwrite=True):
                raise OSError(28, "No space left on device")
    assert sorted(os.listdir(workdir)) == sorted([".lock", folder, "manifest.json"])
    assert os.listdir(workdir / folder) == [os.path.basename(users)]


@pytest.mark.parametrize("error, code, named", [
    (OSError(28, "No space left on device", "/r/metrics.csv.tmp-12", "/r/metrics.csv"), 1,
     "at '/r/metrics.csv';"),
    (PermissionError(13, "Permission denied", "/r/export/1.tmp-7"), 2, "at '/r/export/1' ("),
    (OSError(30, "Read-only file system", "/r/config.json"), 2, "at '/r/config.json' ("),
    (KeyboardInterrupt(), 130, "re-run the same command"),
    (MemoryError(), 1, "out of memory (MemoryError)"),
    ("tf.errors.ResourceExhaustedError", 1, "out of memory (OOM when allocating tensor with "
                                            "shape[20,1000000000]"),
    ("full disk as tf.errors.ResourceExhaustedError", 1, "the disk is full"),  # SaveV2's way
    (ValueError("a bug"), None, None)])
def test_every_failure_ends_in_one_line_naming_the_file_being_written(error, code, named):
    """cli.ending, the table every launcher ends through: the target file, never its
    temporary name; a bug (anything else) keeps its traceback."""
    from ktrain_kit import cli
    if error == "tf.errors.ResourceExhaustedError":  # what TextVectorization raised for
        import tensorflow as tf                       # data.text_length=1e9
        error = tf.errors.ResourceExhaustedError(
            None, None, "Exception encountered when calling TextVectorization.call().\n\n"
            "OOM when allocating tensor with shape[20,1000000000] and type int64")
    if error == "full disk as tf.errors.ResourceExhaustedError":  # a checkpoint on a full
        import tensorflow as tf                                     # disk (TF 2.21)
        error = tf.errors.ResourceExhaustedError(
            None, None, "{{function_node __wrapped__SaveV2_dtypes_40_device_/job:localhost/"
            "replica:0/task:0/device:CPU:0}} /r/checkpoints/ckpt-1_temp/part-00000-of-00001"
            ".data-00000-of-00001.tempstate123; No space left on device [Op:SaveV2]")
    ending = cli.ending(error)
    if code is None:
        assert ending is None
        return
    message, got = ending
    assert (got, "\n" in message, ".tmp-" in message) == (code, False, False), message
    assert named in message, message
