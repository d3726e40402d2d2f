"""Kill `python -m launchers.train` with SIGKILL and run it again: the resumed run must continue
where the killed one stopped (also mid-epoch and mid-checkpoint-write) and end with the metrics
of an uninterrupted run, without duplicate rows; a damaged newest checkpoint must fall back to
the one before."""

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run_launcher

pytestmark = pytest.mark.slow

STEPS_PER_EPOCH = 32  # 1024 examples / batch 32; a checkpoint every 4 steps
ARGS = ["--config=configs/digits_mlp.py", "--config.train.epochs=4",
        "--config.data.train_examples=1024", "--config.train.deterministic=True",
        "--config.callbacks.checkpoint.every_steps=4", "--config.callbacks.checkpoint.keep=40",
        "--config.callbacks.early_stopping.patience=1", "--config.train.verbose=0"]
TIMING = {"epoch_time_s", "examples_per_sec"}


def summary(workdir):
    with open(os.path.join(workdir, "summary.json")) as f:
        s = json.load(f)
    return {k: s[k] for k in ("epochs_run", "best_epoch", "best_val_accuracy", "final_loss")}


def rows(workdir):
    with open(os.path.join(workdir, "metrics.csv")) as f:
        return [{k: v for k, v in r.items() if k not in TIMING} for r in csv.DictReader(f)]


def start(workdir):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.Popen([sys.executable, "-m", "launchers.train", *ARGS,
                             f"--workdir={workdir}"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_when_written(workdir, filename):
    """SIGKILLs the run as soon as checkpoints/`filename` exists (a checkpoint's side file is
    written just before the checkpoint: `ckpt-N.state.npz` means checkpoint N is about to be
    saved and every one before it is complete)."""
    proc = start(workdir)
    path, deadline = os.path.join(workdir, "checkpoints", filename), time.time() + 180
    while not os.path.exists(path) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not os.path.exists(os.path.join(workdir, "summary.json"))  # it really was cut short


def resume(workdir):
    result = run_launcher("launchers.train", *ARGS, f"--workdir={workdir}")
    assert result.returncode == 0, result.stderr[-2000:]
    where = re.search(r"resuming \S+ after epoch (\d+)(?:, step (\d+))?", result.stdout)
    assert where, result.stdout[-2000:]
    return result, int(where[1]), int(where[2] or 0)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("full") / "run")
    result = run_launcher("launchers.train", *ARGS, f"--workdir={workdir}")
    assert result.returncode == 0, result.stderr[-2000:]
    return rows(workdir), summary(workdir)


def test_kill_at_an_epoch_end_resumes_at_the_next_epoch(tmp_path, full_run):
    workdir = str(tmp_path / "run")
    kill_when_written(workdir, f"ckpt-{2 * STEPS_PER_EPOCH + 4}.state.npz")
    _, epoch, step = resume(workdir)
    assert (epoch, step) >= (2, 0)
    assert (rows(workdir), summary(workdir)) == full_run


def test_kill_mid_epoch_continues_with_the_next_batch(tmp_path, full_run):
    workdir = str(tmp_path / "run")
    kill_when_written(workdir, f"ckpt-{2 * STEPS_PER_EPOCH + 12}.state.npz")
    _, epoch, step = resume(workdir)
    assert epoch == 2 and step >= 8  # not replayed from the epoch's first batch
    assert (rows(workdir), summary(workdir)) == full_run


def test_kill_during_a_checkpoint_write(tmp_path, full_run):
    # The index appears before the checkpoint is registered: the resumed run must use a
    # complete checkpoint (this one or the one before) and still match.
    workdir = str(tmp_path / "run")
    kill_when_written(workdir, f"ckpt-{2 * STEPS_PER_EPOCH + 12}.index")
    _, epoch, step = resume(workdir)
    assert epoch == 2 and step >= 8
    assert (rows(workdir), summary(workdir)) == full_run


def test_damaged_newest_checkpoint_falls_back_to_the_previous(tmp_path, full_run):
    workdir = str(tmp_path / "run")
    import tensorflow as tf
    kill_when_written(workdir, f"ckpt-{3 * STEPS_PER_EPOCH + 4}.state.npz")
    checkpoints = os.path.join(workdir, "checkpoints")
    numbers = sorted(int(p.rsplit("-", 1)[1]) for p in
                     tf.train.get_checkpoint_state(checkpoints).all_model_checkpoint_paths)
    with open(os.path.join(checkpoints, f"ckpt-{numbers[-1]}.data-00000-of-00001"), "r+b") as f:
        f.truncate(10)  # as if the kill came in the middle of writing it
    result, epoch, step = resume(workdir)
    assert "damaged" in result.stdout
    assert epoch * STEPS_PER_EPOCH + step == numbers[-2]
    assert (rows(workdir), summary(workdir)) == full_run
