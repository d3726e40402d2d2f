"""Crash consistency at every write point, in the manner of SQLite's crash tests and ALICE
(OSDI 2014): all points, not chosen ones.

Every file ktrain_kit writes goes through one writer (ktrain_kit/fs.py); with
KTRAIN_KIT_CRASH_AT=N it kills the process (SIGKILL, half a temporary file left behind) at its
N-th write or rename. For each command below, an uninterrupted run lists its write points; then
for each point the command is killed there and run again, and the re-run must exit 0 with what
the uninterrupted run produced: metrics.csv, final weights and summary.json (training), the
suggestion table (lr_find), shards (make_tfrecords), trials (a sweep of three trials, one in
each final state: tests/sweep_states.py), and no temporary file of ours left anywhere.

CI runs a spread of points per command; `python -m pytest -m slow tests/test_crash_points.py`
runs every point (several minutes).
"""

import csv
import json
import os
import shutil

import numpy as np
import pytest

from tests.conftest import ROOT

TINY = ["--config=configs/digits_mlp.py", "--config.train.epochs=2",
        "--config.data.train_examples=256", "--config.model.width=16",
        "--config.train.deterministic=True", "--config.train.precision=float32"]
TIMING = {"epoch_time_s", "examples_per_sec", "wall_time_s", "startup_s"}


def _all_points(request):
    return "slow" in (request.config.getoption("-m") or "")


def _run(module, args, crash_at=None, log=None):
    env = {}
    if crash_at is not None:
        env["KTRAIN_KIT_CRASH_AT"] = f"{crash_at}:group"
        env["KTRAIN_KIT_CRASH_LOG"] = str(log)
    from tests import forked_launch
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **env}
    return forked_launch.run(module, args, full_env, timeout=600, new_session=True)


def _temps(folder):
    return [os.path.join(d, n) for d, dirs, files in os.walk(folder)
            for n in dirs + files if ".tmp-" in n]


def _csv_rows(path, drop=TIMING):
    with open(path, newline="") as f:
        return [{k: v for k, v in row.items() if k not in drop} for row in csv.DictReader(f)]


def _weights(path):
    import h5py
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, np.asarray(obj))
                     if isinstance(obj, h5py.Dataset) else None)
    return out


def _train_outcome(folder):
    with open(os.path.join(folder, "summary.json")) as f:
        summary = {k: v for k, v in json.load(f).items() if k not in TIMING}
    return {"metrics": _csv_rows(os.path.join(folder, "metrics.csv")),
            "weights": _weights(os.path.join(folder, "checkpoints", "final.weights.h5")),
            "summary": summary,
            "export": os.path.isfile(os.path.join(folder, "export", "1", "saved_model.pb")),
            "plots": sorted(os.listdir(os.path.join(folder, "plots"))),
            "diagnosis": os.path.isfile(os.path.join(folder, "diagnosis.json"))}


def _lr_find_outcome(folder):
    return {"table": _csv_rows(os.path.join(folder, "lr_find.csv")),
            "plot": os.path.getsize(os.path.join(folder, "lr_find.png")) > 0}


def _records(path):
    """A TFRecord file's records (framing: 8-byte length, 4-byte CRC, data, 4-byte CRC)."""
    with open(path, "rb") as f:
        raw = f.read()
    out, offset = [], 0
    while offset < len(raw):
        length = int.from_bytes(raw[offset:offset + 8], "little")
        out.append(raw[offset + 12:offset + 12 + length])
        offset += 12 + length + 4
    return out


def _shards_outcome(folder):
    # Every file byte for byte (features.json, parsed, as it holds the conversion's request),
    # the record counts for a readable difference: two conversions of one config agree to the
    # byte (tests/test_stream.py, test_two_conversions_of_the_same_data_are_byte_identical).
    import hashlib
    with open(os.path.join(folder, "features.json")) as f:
        features = json.load(f)
    names = sorted(os.listdir(folder))
    return {"features": features, "files": names,
            "records": {n: len(_records(os.path.join(folder, n))) for n in names
                        if n.endswith(".tfrecord")},
            "bytes": {n: hashlib.sha256(open(os.path.join(folder, n), "rb").read()).hexdigest()
                      for n in names}}


def _sweep_outcome(folder):
    rows = _csv_rows(os.path.join(folder, "trials.csv"), drop=TIMING | {"doctor"})
    with open(os.path.join(folder, "best.json")) as f:
        best = json.load(f)
    metrics = [os.path.join(folder, r["run_folder"], "metrics.csv") for r in rows]
    return {"trials": rows, "best": best,
            "trial_metrics": [_csv_rows(m) if os.path.isfile(m) else None for m in metrics]}


# The cheapest sweep that takes every trial state: one epoch of 2 steps, a 4-unit MLP, and
# three trials (tests/sweep_states.py) - one finishes, one is pruned (NaN), one fails.
SWEEP = ["--config=configs/digits_mlp.py", "--config.train.epochs=1",
         "--config.data.train_examples=64", "--config.schedule.warmup_epochs=0.0",
         "--config.model.width=4", "--config.model.depth=1",
         "--config.train.deterministic=True", "--config.train.precision=float32",
         "--config.train.verbose=0", "--config.callbacks.doctor.enabled=False",
         "--config.callbacks.plots.enabled=False", "--config.callbacks.tensorboard.enabled=False",
         "--sweep=tests/sweep_states.py"]


def _transition_points(points, outcome):
    """{state: the point renaming a trial's state file into that state}: the sweep and its
    trial are killed as the trial moves there. Each trial's state file is renamed into place
    as claimed, running, then its final state (trials.csv); claimed and running are taken from
    the last trial, when the sweep already has history."""
    found = {}
    for row in outcome["trials"]:
        name = f"trials/{int(row['number']):04d}.state"
        renames = [i + 1 for i, p in enumerate(points)
                   if p.split(": ", 1)[1].startswith("rename ") and p.endswith(name)]
        assert len(renames) == 3, (name, renames)
        found.update({"claimed": renames[0], "running": renames[1], row["state"]: renames[2]})
    return found


COMMANDS = {
    "train": ("launchers.train", lambda d: [*TINY, f"--workdir={d}"], _train_outcome),
    "lr_find": ("launchers.lr_find", lambda d: [*TINY, "--steps=12", f"--workdir={d}"],
                _lr_find_outcome),
    "make_tfrecords": ("launchers.make_tfrecords",
                       lambda d: [*TINY, "--shards=2", f"--out={d}"], _shards_outcome),
    "sweep": ("launchers.sweep", lambda d: [*SWEEP, f"--workdir={d}"], _sweep_outcome),
}
# CI: the first point of each of these kinds (every point under -m slow): a torn temporary
# file, a kill between a checkpoint's side file and the checkpoint, between the two renames of
# an export; a shard renamed into place; the sweep and its trial killed together (a power
# cut) as a trial moves into each state of ktrain_kit/sweep.py's table.
CI_POINTS = {"train": (r"write .*metrics\.csv", r"checkpoint ", r"rename .*export/1\.tmp"),
             "lr_find": (r"write .*lr_find\.csv",),
             "make_tfrecords": (r"rename .*train-",)}


def _ci_points(name, points, expected):
    if name == "sweep":
        from ktrain_kit.sweep import STATES
        assert sorted(r["state"] for r in expected["trials"]) == ["failed", "finished", "pruned"]
        transitions = _transition_points(points, expected)
        assert sorted(transitions) == sorted(STATES)
        print("sweep: the sweep and its trial killed as a trial becomes " + ", ".join(
            f"{state} (point {transitions[state]})" for state in STATES))
        return [transitions[state] for state in STATES]
    import re
    return [next(i + 1 for i, p in enumerate(points) if re.search(kind, p))
            for kind in CI_POINTS[name]]


def _complete_checkpoints(folder):
    """The checkpoints a killed training left whole (TensorFlow's files and our side file),
    read from the names on disk: a re-run must resume from one of them."""
    where = os.path.join(folder, "checkpoints")
    names = set(os.listdir(where)) if os.path.isdir(where) else set()
    return sorted(n[:-len(".index")] for n in names if n.startswith("ckpt-") and
                  n.endswith(".index") and n[:-len(".index")] + ".state.npz" in names)


def _uninterrupted(name, folder, log):
    module, args, outcome = COMMANDS[name]
    done = _run(module, args(folder), crash_at=0, log=log)  # 0: count, never kill
    assert done.returncode == 0, done.stderr[-3000:]
    points = log.read_text().splitlines()
    assert points, "the writer saw no write point"
    return points, outcome(folder)


def _kill_then_rerun(name, folder, log, point, points, expected):
    module, args, outcome = COMMANDS[name]
    shutil.rmtree(folder)
    log.unlink()
    killed = _run(module, args(folder), crash_at=point, log=log)
    assert killed.returncode != 0, f"point {point} ({points[point - 1]}) did not kill"
    saved = _complete_checkpoints(folder) if name == "train" else []
    again = _run(module, args(folder))
    assert again.returncode == 0, (points[point - 1], again.stderr[-3000:])
    if saved:  # the same result from scratch would hide the training lost (deterministic)
        assert "ktrain_kit: resuming" in again.stdout or "training had finished" in \
            again.stdout, (points[point - 1], saved, again.stdout[-1500:])
    assert not _temps(folder), (points[point - 1], _temps(folder))
    got = outcome(folder)
    assert got.keys() == expected.keys()
    for key in expected:
        if key == "weights":
            assert got[key].keys() == expected[key].keys()
            for w in expected[key]:
                np.testing.assert_array_equal(got[key][w], expected[key][w],
                                              err_msg=points[point - 1])
        else:
            assert got[key] == expected[key], (points[point - 1], key)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_kill_at_any_write_point_then_the_same_command_gives_the_uninterrupted_result(
        tmp_path, request, name):
    folder, log = tmp_path / "out", tmp_path / "points.log"
    points, expected = _uninterrupted(name, folder, log)
    total = len(points)
    chosen = list(range(1, total + 1)) if _all_points(request) else \
        _ci_points(name, points, expected)
    print(f"{name}: {total} write points; testing {len(chosen)}")
    failures = []  # every failing point, not only the first
    for point in chosen:
        try:
            _kill_then_rerun(name, folder, log, point, points, expected)
        except AssertionError as e:
            failures.append(f"point {point} ({points[point - 1]}): {str(e)[-1500:]}")
            print(failures[-1], flush=True)
    assert not failures, f"{len(failures)} of {len(chosen)} points failed:\n" + "\n".join(
        failures)
