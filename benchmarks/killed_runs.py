"""Killed runs, then every launcher on what they left (round h93, benchmarks/BAD_INPUTS.md).

    TF_CPP_MIN_LOG_LEVEL=3 PYTHONPATH=. nice -n 10 python benchmarks/killed_runs.py [points|timed|tools|all] [--only=N,...] [--json=FILE]

`points`: a tiny training (2 epochs, 256 digits) counted once with KTRAIN_KIT_CRASH_AT=0, then
killed (SIGKILL, half a temporary file left) at each of its write points in turn: mkdir, every
manifest / metrics / side-file write and rename, each TensorFlow checkpoint, the final weights,
the SavedModel and its rename, every plot, the diagnosis, summary.json.
`timed`: the same training (4 epochs) in a fresh interpreter, its run folder polled every 2 ms,
killed by SIGKILL when a moment is seen: the first metrics row (mid-run), a TensorFlow
checkpoint's own temporary files (`*_temp*`), a SavedModel half written (`export/1.tmp-*`
holding files), the plots written but no diagnosis yet (the doctor's report), and a delay
after the first checkpoint.
`tools`: a finished run given to export --version=2, evaluate and `doctor --fix --budget=1`,
each killed at each of its write points (every 3rd for the repair, which trains), then the
same command again, evaluate, export --version=3, the doctor and the training command: each
must exit 0 (the run is finished) and leave no temporary file.

On each killed folder (a copy each), every follow-up: `resume` (the same command), `overwrite`
(the same with --overwrite), `evaluate`, `export --version=2`, `doctor`, `init_from` (a new run
with model.init_from=the folder), and `resume_then` (resume, then evaluate, export and doctor
the resumed run). Pass: exit 0, or exit 2 with one line on stderr naming the run folder or a
file in it; no traceback, no hang (120 s); the files the killed run left unchanged, except
those the follow-up writes (evaluation.json, export/2, diagnosis.*, manifest.json, the lock),
and for resume / overwrite the uninterrupted run's metrics (timing columns aside) and no
temporary file of ours or TensorFlow's left anywhere in the folder.
"""

import csv
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from tests import forked_launch  # noqa: E402

SCRATCH = os.environ.get("KILLED_RUNS_DIR", "/tmp/killed_runs")
TINY = ["--config=configs/digits_mlp.py", "--config.data.train_examples=256",
        "--config.model.width=16", "--config.train.deterministic=True",
        "--config.train.precision=float32"]
TIMING = {"epoch_time_s", "examples_per_sec", "wall_time_s", "startup_s"}
HANG_S = int(os.environ.get("KILLED_RUNS_HANG_S", "120"))
# what each follow-up may write into the folder it is given
MAY_CHANGE = {
    "evaluate": r"^(evaluation\.json|manifest\.json|\.lock)$",
    "export": r"^(export/2(/.*)?|manifest\.json|\.lock)$",
    "doctor": r"^(diagnosis\.(json|md)|manifest\.json|\.lock|plots/.*)$",
    "init_from": r"^\.lock$",
}
TEMP = re.compile(r"\.tmp-\d+|_temp")


def train_args(epochs, folder):
    return [*TINY, f"--config.train.epochs={epochs}", f"--workdir={folder}"]


def launch(module, args, extra_env=None):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(extra_env or {})}
    try:
        return forked_launch.run(module, args, env, timeout=HANG_S, new_session=True)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(e.cmd, "hang", e.output or "", e.stderr or "")


def snapshot(folder):
    out = {}
    for d, dirs, files in os.walk(folder):
        for n in files:
            path = os.path.join(d, n)
            rel = os.path.relpath(path, folder)
            if os.path.islink(path) or not os.path.isfile(path):
                out[rel] = "special"
                continue
            with open(path, "rb") as f:
                out[rel] = hashlib.sha256(f.read()).hexdigest()
    return out


def temps(folder):
    return [os.path.relpath(os.path.join(d, n), folder) for d, dirs, files in os.walk(folder)
            for n in dirs + files if TEMP.search(n)]


def metrics(folder):
    path = os.path.join(folder, "metrics.csv")
    if not os.path.isfile(path):
        return None
    with open(path, newline="") as f:
        return [{k: v for k, v in r.items() if k not in TIMING} for r in csv.DictReader(f)]


def judge_exit(done, folder):
    """Problems with how a command ended: exit 0, or 2 with one line naming the folder."""
    problems = []
    err = [line for line in done.stderr.splitlines() if line.strip()]
    if done.returncode == "hang":
        return [f"hung past {HANG_S} s"]
    if "Traceback" in done.stderr:
        problems.append("traceback: " + done.stderr[-800:])
    if done.returncode not in (0, 2):
        problems.append(f"exit {done.returncode}: {done.stderr[-500:]}")
    if done.returncode == 2:
        if len(err) != 1:
            problems.append(f"{len(err)} lines on stderr: {err[:4]}")
        elif os.path.basename(folder.rstrip('/')) not in err[0]:
            problems.append(f"the line names no file of the run folder: {err[0]}")
    return problems


def follow_up(name, killed, work, expected, epochs):
    """Runs follow-up `name` on a copy of the killed folder; returns (exit, line, problems)."""
    folder = os.path.join(work, "run")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    if os.path.isdir(killed):
        shutil.copytree(killed, folder, symlinks=True)
    before = snapshot(folder) if os.path.isdir(folder) else {}
    if name in ("resume", "overwrite", "resume_then"):
        args = train_args(epochs, folder) + (["--overwrite"] if name == "overwrite" else [])
        done = launch("launchers.train", args)
    elif name == "evaluate":
        done = launch("launchers.evaluate", [f"--workdir={folder}"])
    elif name == "export":
        done = launch("launchers.export", [f"--workdir={folder}", "--version=2"])
    elif name == "doctor":
        done = launch("launchers.doctor", [folder])
    elif name == "init_from":
        done = launch("launchers.train", [*TINY, "--config.train.epochs=1",
                                          "--config.schedule.warmup_epochs=0",
                                          f"--config.model.init_from={folder}",
                                          f"--workdir={os.path.join(work, 'new')}"])
    problems = judge_exit(done, folder)
    line = (done.stderr.strip().splitlines() or [""])[-1]
    if name in ("resume", "overwrite", "resume_then"):
        if done.returncode != 0:
            problems.append(f"{name} did not finish the run: {line}")
        elif metrics(folder) != expected:
            problems.append(f"{name}: metrics differ from the uninterrupted run")
        if temps(folder):
            problems.append(f"temporary files left: {temps(folder)}")
        if name == "resume_then" and done.returncode == 0:
            for module, args in (("launchers.evaluate", [f"--workdir={folder}"]),
                                 ("launchers.export", [f"--workdir={folder}", "--version=3"]),
                                 ("launchers.doctor", [folder])):
                again = launch(module, args)
                if again.returncode != 0:
                    problems.append(f"after resuming, {module} exit {again.returncode}: "
                                    f"{again.stderr.strip()[-400:]}")
    else:
        after = snapshot(folder) if os.path.isdir(folder) else {}
        allowed = re.compile(MAY_CHANGE[name])
        lost = [p for p, h in before.items() if after.get(p) != h and not allowed.match(p)
                and not TEMP.search(p)]  # a killed writer's leftovers are cleaned
        if lost:
            problems.append(f"files changed or removed: {lost[:6]}")
    return done.returncode, line, problems


FOLLOW_UPS = ["resume", "overwrite", "evaluate", "export", "doctor", "init_from",
              "resume_then"]
if os.environ.get("KILLED_RUNS_FOLLOW"):
    FOLLOW_UPS = os.environ["KILLED_RUNS_FOLLOW"].split(",")


def uninterrupted(epochs):
    folder = os.path.join(SCRATCH, f"whole{epochs}")
    shutil.rmtree(folder, ignore_errors=True)
    log = os.path.join(SCRATCH, f"points{epochs}.log")
    if os.path.exists(log):
        os.remove(log)
    done = launch("launchers.train", train_args(epochs, folder),
                  {"KTRAIN_KIT_CRASH_AT": "0", "KTRAIN_KIT_CRASH_LOG": log})
    assert done.returncode == 0, done.stderr[-2000:]
    with open(log) as f:
        points = [line.split(": ", 1)[1].replace(folder + "/", "") for line in f]
    return points, metrics(folder)


def killed_at_point(point, folder, epochs):
    shutil.rmtree(folder, ignore_errors=True)
    done = launch("launchers.train", train_args(epochs, folder),
                  {"KTRAIN_KIT_CRASH_AT": str(point)})
    return done.returncode


# ------------------------------------------------------------------ timed kills (real SIGKILL)
def _first_row(folder):
    rows = metrics(folder) if os.path.isfile(os.path.join(folder, "metrics.csv")) else None
    return bool(rows)


def _tf_checkpoint_temp(folder):
    where = os.path.join(folder, "checkpoints")
    return os.path.isdir(where) and any("_temp" in n for n in os.listdir(where))


def _export_partial(folder):
    where = os.path.join(folder, "export")
    if not os.path.isdir(where):
        return False
    for n in os.listdir(where):
        if ".tmp-" in n and os.path.isdir(os.path.join(where, n, "variables")):
            return True
    return False


def _doctor_report(folder):
    return os.path.isfile(os.path.join(folder, "plots", "diagnostics.png")) and \
        not os.path.exists(os.path.join(folder, "diagnosis.json"))


def _after_first_checkpoint(delay):
    def seen(folder, started={}):
        where = os.path.join(folder, "checkpoints")
        if os.path.isdir(where) and any(n.endswith(".index") for n in os.listdir(where)):
            started.setdefault("t", time.monotonic())
            return time.monotonic() - started["t"] >= delay
        return False
    return seen


MOMENTS = {"first_metrics_row": _first_row, "tf_checkpoint_temp": _tf_checkpoint_temp,
           "export_half_written": _export_partial, "doctor_report": _doctor_report,
           "0.05s_after_first_checkpoint": _after_first_checkpoint(0.05),
           "0.4s_after_first_checkpoint": _after_first_checkpoint(0.4)}


def killed_at_moment(moment, folder, epochs):
    """Starts the training fresh, kills it (its whole session) when `moment` is seen; returns
    'killed' or 'missed' (the run ended first)."""
    shutil.rmtree(folder, ignore_errors=True)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen([sys.executable, "-m", "launchers.train",
                                *train_args(epochs, folder)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    seen = MOMENTS[moment]
    while process.poll() is None:
        if os.path.isdir(folder) and seen(folder):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return "killed"
        time.sleep(0.002)
    return "missed"


# ------------------------------------------------------- the other launchers killed midway
TOOLS = {"export": ("launchers.export", lambda d: [f"--workdir={d}", "--version=2"]),
         "evaluate": ("launchers.evaluate", lambda d: [f"--workdir={d}"]),
         "doctor_fix": ("launchers.doctor", lambda d: [d, "--fix", "--budget=1"])}


def tool_cases(only):
    """Each of TOOLS on a finished run, killed at each of its write points (every 3rd for the
    doctor's repair, which trains), then: the same command again (exit 0 or a refusal), and
    evaluate, export --version=3, the doctor and the training command on the run folder."""
    finished = os.path.join(SCRATCH, "finished")
    shutil.rmtree(finished, ignore_errors=True)
    done = launch("launchers.train", train_args(2, finished))
    assert done.returncode == 0, done.stderr[-2000:]
    for tool in (only.split(",") if only else TOOLS):
        module, args = TOOLS[tool]
        log = os.path.join(SCRATCH, f"{tool}.log")
        count = os.path.join(SCRATCH, "count")
        shutil.rmtree(count, ignore_errors=True)
        shutil.copytree(finished, count, symlinks=True)
        if os.path.exists(log):
            os.remove(log)
        launch(module, args(count), {"KTRAIN_KIT_CRASH_AT": "0", "KTRAIN_KIT_CRASH_LOG": log})
        with open(log) as f:
            points = [line.split(": ", 1)[1].replace(count + "/", "").strip() for line in f]
        step = 3 if tool == "doctor_fix" else 1
        for point in range(1, len(points) + 1, step):
            work = os.path.join(SCRATCH, "tool")
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(work + ".fix1", ignore_errors=True)
            shutil.copytree(finished, work, symlinks=True)
            killed = launch(module, args(work), {"KTRAIN_KIT_CRASH_AT": str(point)})
            where = f"{tool} killed at point {point} ({points[point - 1]})"
            if killed.returncode == 0:
                yield where, "kill", 0, "", ["the hook did not kill"]
                continue
            for name, (m, a) in {"again": (module, args(work)),
                                 "evaluate": TOOLS["evaluate"],
                                 "export3": ("launchers.export",
                                             lambda d: [f"--workdir={d}", "--version=3"]),
                                 "doctor": ("launchers.doctor", lambda d: [d]),
                                 "train": ("launchers.train",
                                           lambda d: train_args(2, d))}.items():
                again = launch(m, a(work) if name != "again" else a)
                problems = judge_exit(again, work)
                refused_as_finished = name == "train" and again.returncode == 2 and \
                    "holds a finished run" in again.stderr  # the contract: --overwrite to retrain
                if name in ("evaluate", "export3", "doctor", "train") and again.returncode != 0 \
                        and not refused_as_finished:
                    problems.append(f"a finished run, {name} refused after {tool} was killed")
                if temps(work):
                    problems.append(f"temporary files left: {temps(work)}")
                line = (again.stderr.strip().splitlines() or [""])[-1]
                yield where, name, again.returncode, line, problems


def main():
    mode = next((a for a in sys.argv[1:] if not a.startswith("--")), "all")
    only = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--only=")), None)
    out = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--json=")), None)
    os.makedirs(SCRATCH, exist_ok=True)
    results = []

    def record(kind, where, name, code, line, problems):
        results.append({"kind": kind, "where": where, "follow_up": name, "exit": code,
                        "line": line[:300], "problems": problems})
        mark = "FAIL" if problems else "ok"
        print(f"{mark:4} {kind} {where} {name}: exit {code} {line[:160]!r}"
              + (f"\n     {problems}" if problems else ""), flush=True)

    if mode in ("points", "all"):
        points, expected = uninterrupted(2)
        chosen = [int(x) for x in only.split(",")] if only else range(1, len(points) + 1)
        killed = os.path.join(SCRATCH, "killed")
        for point in chosen:
            code = killed_at_point(point, killed, 2)
            where = f"point {point} ({points[point - 1].strip()})"
            if code == 0:
                record("points", where, "kill", code, "", ["the hook did not kill"])
                continue
            for name in FOLLOW_UPS:
                record("points", where, name,
                       *follow_up(name, killed, os.path.join(SCRATCH, "case"), expected, 2))
    if mode in ("timed", "all"):
        _, expected = uninterrupted(4)
        killed = os.path.join(SCRATCH, "killed_t")
        for moment in (only.split(",") if only else MOMENTS):
            state = killed_at_moment(moment, killed, 4)
            where = f"moment {moment} ({', '.join(temps(killed)) or 'no temporary files'})"
            if state == "missed":
                record("timed", where, "kill", "-", "missed: the run ended first", [])
                continue
            for name in FOLLOW_UPS:
                record("timed", where, name,
                       *follow_up(name, killed, os.path.join(SCRATCH, "case"), expected, 4))
    if mode in ("tools", "all"):
        for where, name, code, line, problems in tool_cases(only):
            record("tools", where, name, code, line, problems)
    failing = [r for r in results if r["problems"]]
    print(f"\n{len(results)} cases, {len(failing)} failing")
    if out:
        with open(out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
