"""Whole runs through `python -m launchers.train` in subprocesses: multi-worker on loopback,
determinism, and the README's default command. Slow (TensorFlow starts per process)."""

import csv
import glob
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run_launcher, wait_all

pytestmark = pytest.mark.slow

TIMING = {"epoch_time_s", "examples_per_sec"}
# 384 validation examples = 12 full batches of 32, so each worker evaluates the same count.
MLP = ["--config=configs/digits_mlp.py", "--config.train.epochs=3", "--config.model.dropout=0.0",
       "--config.data.val_fraction=0.2137", "--config.train.verbose=0"]


def metrics(workdir):
    with open(os.path.join(workdir, "metrics.csv")) as f:
        return [{k: float(v) for k, v in row.items() if k not in TIMING}
                for row in csv.DictReader(f)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_workers(workdirs, *extra, tmpdir=None):
    """Two workers of one loopback cluster, worker 0 the chief: `python -m launchers.train` with
    MLP, each with its --workdir from `workdirs` (the same for both, unless a test says)."""
    workers = [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]
    procs = []
    for index, workdir in enumerate(workdirs):
        tf_config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_CONFIG": json.dumps(tf_config),
               **({"TMPDIR": tmpdir} if tmpdir else {})}
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "launchers.train", *MLP, "--config.train.strategy=multi_worker",
             f"--workdir={workdir}", *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True))
    return procs


@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    """metrics.csv's rows of MLP trained by one process."""
    workdir = str(tmp_path_factory.mktemp("single") / "run")
    single = run_launcher("launchers.train", *MLP,
                          f"--workdir={workdir}")
    assert single.returncode == 0, single.stderr[-3000:]
    return metrics(workdir)


def assert_same_rows(rows, expected):
    assert len(rows) == len(expected)
    for m, s in zip(rows, expected):
        for key in s:
            assert m[key] == pytest.approx(s[key], rel=1e-4, abs=1e-6), key


def test_two_workers_on_loopback_match_one_process(tmp_path, one_process):
    chief_dir = str(tmp_path / "multi")
    outputs = wait_all(launch_workers([chief_dir, chief_dir]))
    assert "2 replicas" in outputs[0]
    assert_same_rows(metrics(chief_dir), one_process)
    assert os.path.exists(os.path.join(chief_dir, "export", "1", "saved_model.pb"))


def test_a_killed_two_worker_run_resumes_on_every_worker_as_one_process_would(
        tmp_path, one_process):
    """Both workers killed after the chief's first checkpoint, then started again: each must
    start from that checkpoint. Before, the other worker (its scratch folder fresh) started
    from scratch while the chief resumed, and the first step failed on both with TensorFlow's
    'Collective instance N expected type ...' traceback. A worker that cannot see the chief's
    folder (here: given another --workdir, as on a disk of its own) stops both with one line,
    and the folder keeps what it held. The workers' scratch folders are gone at the end, the
    killed worker's too (none is left in their TMPDIR). A worker whose peer stops says so in
    one line."""
    chief_dir, tmpdir = str(tmp_path / "multi"), str(tmp_path / "tmp")
    os.makedirs(tmpdir)
    procs = launch_workers([chief_dir, chief_dir], tmpdir=tmpdir)
    written = os.path.join(chief_dir, "checkpoints", "ckpt-*.state.npz")
    deadline = time.time() + 180
    while not glob.glob(written) and time.time() < deadline and procs[0].poll() is None:
        time.sleep(0.01)
    time.sleep(0.5)  # the checkpoint itself, after its side file
    for p in procs:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    assert not os.path.exists(os.path.join(chief_dir, "summary.json"))
    kept = metrics(chief_dir)

    apart = launch_workers([chief_dir, str(tmp_path / "elsewhere")])
    outputs = [p.communicate(timeout=240)[0] for p in apart]
    for p, out in zip(apart, outputs):
        assert p.returncode == 2, out[-3000:]
        lines = [line for line in out.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and "storage all workers read" in lines[0], out[-3000:]
        assert "Traceback" not in out
    assert metrics(chief_dir) == kept

    outputs = wait_all(launch_workers([chief_dir, chief_dir], tmpdir=tmpdir))
    for out in outputs:
        assert re.search(r"resuming \S+ after epoch [12]", out), out[-3000:]
    assert_same_rows(metrics(chief_dir), one_process)
    assert [n for n in os.listdir(tmpdir) if n.startswith("ktrain_worker_")] == []

    # Started again on the finished run: the chief refuses it; the other worker, whose next
    # collective the chief never joins, says so in one line, not TensorFlow's traceback.
    again = launch_workers([chief_dir, chief_dir])
    (chief, other), codes = [p.communicate(timeout=240)[0] for p in again], \
        [p.returncode for p in again]
    assert codes == [2, 1], (chief[-2000:], other[-2000:])
    assert "holds a finished run" in chief
    assert "another worker of the cluster stopped" in other and "Traceback" not in other


def test_deterministic_runs_repeat_exactly(tmp_path):
    args = ["--config=configs/digits_cnn.py", "--config.train.epochs=2",
            "--config.data.train_examples=256", "--config.train.deterministic=True",
            "--config.train.verbose=0"]
    # Two fresh interpreters with different string hashes (set iteration orders): a run must
    # not depend on them (run_launcher's forked children would share one; forked_launch.py).
    for seed, name in enumerate(("a", "b")):
        result = run_launcher("launchers.train", *args, f"--workdir={tmp_path / name}",
                              env={"PYTHONHASHSEED": str(seed + 1)})
        assert result.returncode == 0, result.stderr[-3000:]
    assert metrics(str(tmp_path / "a")) == metrics(str(tmp_path / "b"))


def test_readme_default_command_reaches_98_5_percent(tmp_path):
    """The README's first command: digits_cnn with its defaults (wall time: see benchmarks/)."""
    result = run_launcher("launchers.train", "--config=configs/digits_cnn.py",
                          f"--workdir={tmp_path / 'default'}", "--config.train.verbose=0")
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.load(open(tmp_path / "default" / "summary.json"))
    assert summary["best_val_accuracy"] >= 0.985
    assert "best val accuracy" in result.stdout


def free_port_pair():
    """Two consecutive free ports (Slurm's resolver gives a node's tasks base, base + 1)."""
    for _ in range(50):
        base = free_port()
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", base + 1))
            return base
        except OSError:
            continue
    raise RuntimeError("no two consecutive free ports")


def launch_user_program(folder, epochs, tmpdir):
    """tests/user_multi_worker.py as two workers of one loopback cluster, worker 0 the chief."""
    workers = [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]
    return [subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "tests", "user_multi_worker.py"), folder,
         str(epochs)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True, env={
            **os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TMPDIR": tmpdir,
            "TF_CONFIG": json.dumps({"cluster": {"worker": workers},
                                     "task": {"type": "worker", "index": index}})})
        for index in range(2)]


def test_our_checkpoints_and_metrics_in_a_users_own_two_worker_program(tmp_path):
    """Every worker runs every callback, and a checkpoint save is collective: before, both
    workers saved into the user's folder and one failed in TensorFlow's MergeV2Checkpoints
    ("ckpt-N_temp/part-00000-of-00001 not found") while the other's collectives were cut off.
    Now only the chief writes the folder (the other saves into a scratch folder, gone when it
    exits); a resumed program restores the chief's checkpoint on both workers, which end with
    the same weights; metrics.csv has one row per epoch, written once."""
    folder, tmpdir = str(tmp_path / "user"), str(tmp_path / "tmp")
    os.makedirs(tmpdir)
    first = [json.loads(out.splitlines()[-1])
             for out in wait_all(launch_user_program(folder, 2, tmpdir))]
    assert [r["resumed_after"] for r in first] == [0, 0]
    assert first[0]["weights"] == pytest.approx(first[1]["weights"], rel=1e-6)
    names = sorted(os.listdir(os.path.join(folder, "ckpt")))
    assert not [n for n in names if "temp" in n], names
    # 8 steps an epoch, a save 3 steps after the last one and at each epoch end: 0 (initial),
    # 3, 6, 8, 11, 14, 16; the newest 3 kept
    assert [n for n in names if n.endswith(".index")] == \
        ["ckpt-11.index", "ckpt-14.index", "ckpt-16.index"]
    second = [json.loads(out.splitlines()[-1])
              for out in wait_all(launch_user_program(folder, 3, tmpdir))]
    assert [r["resumed_after"] for r in second] == [2, 2]
    assert second[0]["weights"] == pytest.approx(second[1]["weights"], rel=1e-6)
    with open(os.path.join(folder, "metrics.csv")) as f:
        assert [row["epoch"] for row in csv.DictReader(f)] == ["1", "2", "3"]
    assert [n for n in os.listdir(tmpdir) if n.startswith("ktrain_worker_")] == []


def test_two_workers_under_a_faked_slurm_read_their_own_shards_with_one_chief(tmp_path):
    """Slurm sets no TF_CONFIG: the place in the cluster must come from the strategy's own
    resolver. Before, every worker thought it was the chief and all wrote the run folder (now
    the second would be refused by the folder's lock). The data are shards: each worker reads
    its own (file-level sharding; the exact-once coverage is checked in test_stream.py)."""
    from ktrain_kit.data import tfrecord
    from conftest import load_config
    c = load_config("digits_mlp")
    shards = str(tmp_path / "shards")
    tfrecord.convert(c.data, c.task, c.seed, shards, shards=4, progress=False)
    base = free_port_pair()
    workdir = str(tmp_path / "slurm")
    args = ["--config=configs/digits_mlp.py", "--config.train.epochs=2",
            "--config.data.name=tfrecord", f"--config.data.path={shards}",
            "--config.train.verbose=0", "--config.train.strategy=multi_worker",
            f"--config.runtime.slurm_port_base={base}", f"--workdir={workdir}"]
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    env.update(TF_CPP_MIN_LOG_LEVEL="2", SLURM_JOB_ID="1", SLURM_STEP_NUM_TASKS="2",
               SLURM_STEP_NODELIST="localhost", SLURM_STEP_TASKS_PER_NODE="2")
    procs = [subprocess.Popen([sys.executable, "-m", "launchers.train", *args], cwd=ROOT,
                              env={**env, "SLURM_PROCID": str(rank)}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for rank in (0, 1)]
    outputs = wait_all(procs)
    assert "2 replicas" in outputs[0] and "run folder: " + workdir in outputs[0]
    assert "run folder: " + workdir not in outputs[1]  # the other worker used a scratch folder
    summary = json.load(open(os.path.join(workdir, "summary.json")))
    assert summary["epochs_run"] == 2 and summary["best_val_accuracy"] > 0.8
