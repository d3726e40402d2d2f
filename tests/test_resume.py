"""Kill `python -m launchers.train` with SIGKILL and run it again: the resumed run must end with
the same metrics as an uninterrupted one, without duplicate rows, and a damaged newest
checkpoint must fall back to the one before."""

import csv
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run_launcher

pytestmark = pytest.mark.slow

ARGS = ["--config=configs/digits_mlp.py", "--config.train.epochs=4",
        "--config.data.train_examples=512", "--config.train.deterministic=True",
        "--config.callbacks.early_stopping.patience=1", "--config.train.verbose=0"]
TIMING = {"epoch_time_s", "examples_per_sec"}


def rows(workdir):
    with open(os.path.join(workdir, "metrics.csv")) as f:
        return [{k: v for k, v in r.items() if k not in TIMING} for r in csv.DictReader(f)]


def epochs_logged(workdir):
    path = os.path.join(workdir, "metrics.csv")
    return max(len(open(path).read().splitlines()) - 1, 0) if os.path.exists(path) else 0


def start(workdir):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.Popen([sys.executable, "-m", "launchers.train", *ARGS,
                             f"--workdir={workdir}"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_after_epochs(workdir, epochs, delay):
    proc = start(workdir)
    deadline = time.time() + 180
    while epochs_logged(workdir) < epochs and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("full") / "run")
    result = run_launcher("launchers.train", *ARGS, f"--workdir={workdir}")
    assert result.returncode == 0, result.stderr[-2000:]
    return rows(workdir)


@pytest.mark.parametrize("delay", [0.0, 0.15], ids=["at-epoch-end", "mid-epoch"])
def test_sigkill_then_rerun_gives_the_uninterrupted_metrics(tmp_path, uninterrupted, delay):
    workdir = str(tmp_path / "run")
    kill_after_epochs(workdir, 2, delay)
    assert not os.path.exists(os.path.join(workdir, "summary.json"))  # it really was cut short
    result = run_launcher("launchers.train", *ARGS, f"--workdir={workdir}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "resuming" in result.stdout
    assert rows(workdir) == uninterrupted


def test_damaged_newest_checkpoint_falls_back_to_the_previous(tmp_path, uninterrupted):
    workdir = str(tmp_path / "run")
    kill_after_epochs(workdir, 3, 0.0)
    checkpoints = os.path.join(workdir, "checkpoints")
    newest = max(int(n[5:].split(".")[0]) for n in os.listdir(checkpoints)
                 if n.startswith("ckpt-") and n.endswith(".index"))
    with open(os.path.join(checkpoints, f"ckpt-{newest}.data-00000-of-00001"), "r+b") as f:
        f.truncate(10)  # as if the kill came in the middle of writing it
    result = run_launcher("launchers.train", *ARGS, f"--workdir={workdir}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "damaged" in result.stdout and f"after epoch {newest - 1}" in result.stdout
    assert rows(workdir) == uninterrupted
