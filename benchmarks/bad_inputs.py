"""Bad inputs by construction, beyond tests/test_bad_input_classes.py and
tests/test_damaged_run_folder.py: the damages those leave out (a named pipe where a file is
read, a link to nothing, a link to itself, NUL bytes, bytes that are not UTF-8, JSON nested
past Python's recursion limit, JSON of the right shape holding values of the wrong kind,
NaN in JSON, CSV of another shape), given to every launcher that reads a run folder; and
output flags given what is no folder, and flags that contradict each other or the folders
they name, through the launchers.

Each case records: exit code, one line or a traceback, whether the line names the file or
key, whether anything else in the folder changed (bytes before/after), and hangs (a pipe that
no one writes blocks a reader forever: an alarm, BAD_INPUTS_HANG_S (60 s), ends the case and
counts it; three times that for a launcher run as a subprocess).

    TF_CPP_MIN_LOG_LEVEL=3 nice -n 10 python benchmarks/bad_inputs.py runfolder \
        [--damages=fifo,deep_json,...] [--quick]
    TF_CPP_MIN_LOG_LEVEL=3 nice -n 10 python benchmarks/bad_inputs.py flags [--from=CASE] [--quick]

--quick takes every fifth (runfolder) or third (flags) case; --from resumes the flags list at
a case's name.

Writes runs/bad_inputs_<group>.json ({case: exit code, line, problems}); prints each case, the
failures marked FAIL, and the counts. Results and what each class was: benchmarks/BAD_INPUTS.md.
"""

import json
import math
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]
HANG_S = int(os.environ.get("BAD_INPUTS_HANG_S", 60))


class Hung(BaseException):
    """Raised by the alarm: not an Exception, so no launcher's handler takes it for an error
    of its own."""


def _alarm(signum, frame):
    raise Hung()


# ------------------------------------------------------------------ new damages to a file
def _fifo(path):
    os.remove(path)
    os.mkfifo(path)


def _dangling(path):
    os.remove(path)
    os.symlink(path + ".gone", path)


def _loop(path):
    os.remove(path)
    os.symlink(os.path.basename(path), path)


def _nul(path):
    size = max(os.path.getsize(path), 16)
    with open(path, "wb") as f:
        f.write(b"\0" * size)


def _not_utf8(path):
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(b"\xff\xfe\xfa" + data)


def _deep_json(path):
    with open(path, "w") as f:
        f.write("[" * 100_000 + "]" * 100_000)


def _swap_kinds(value):
    """Every leaf of another kind: a number as text, text as a number, a list as a mapping."""
    if isinstance(value, dict):
        return {k: _swap_kinds(v) for k, v in value.items()}
    if isinstance(value, list):
        return {"0": value[0]} if value else {}
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, (int, float)):
        return f"{value}"
    if isinstance(value, str):
        return 12345
    return "null"


def _leaves(value, leaf):
    """`value` with every leaf below its mappings and lists replaced by `leaf(leaf_value)`."""
    if isinstance(value, dict):
        return {k: _leaves(v, leaf) for k, v in value.items()}
    if isinstance(value, list):
        return [_leaves(v, leaf) for v in value]
    return leaf(value)


def _rewrite_json(path, change):
    with open(path) as f:
        data = json.load(f)
    with open(path, "w") as f:
        json.dump(change(data), f)


def _json_kinds(path):
    _rewrite_json(path, _swap_kinds)


def _json_nulls(path):
    _rewrite_json(path, lambda data: _leaves(data, lambda v: None))


def _json_nan(path):  # every number NaN
    _rewrite_json(path, lambda data: _leaves(data, lambda v: math.nan if isinstance(
        v, (int, float)) and not isinstance(v, bool) else v))


def _rewrite_lines(path, change):
    """The CSV at `path` rewritten line by line: `change(lines) -> lines`."""
    with open(path) as f:
        lines = f.read().splitlines()
    with open(path, "w") as f:
        f.write("\n".join(change(lines)) + "\n")


def _every_cell(value):
    """Every cell below the header replaced by `value`."""
    return lambda lines: [lines[0]] + [",".join(value for _ in line.split(","))
                                       for line in lines[1:]]


def _csv_text_cells(path):
    _rewrite_lines(path, _every_cell("x"))


def _csv_other_header(path):
    _rewrite_lines(path, lambda lines: ["a,b"] + lines[1:])


def _csv_ragged(path):
    _rewrite_lines(path, lambda lines: lines + [
        "1,2", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18"])


def _csv_nan(path):
    _rewrite_lines(path, _every_cell("nan"))


ANY_FILE = {"fifo": _fifo, "dangling": _dangling, "loop": _loop, "nul": _nul,
            "not_utf8": _not_utf8}
JSON_FILE = {"deep_json": _deep_json, "json_kinds": _json_kinds, "json_nulls": _json_nulls,
             "json_nan": _json_nan}
CSV_FILE = {"csv_text_cells": _csv_text_cells, "csv_other_header": _csv_other_header,
            "csv_ragged": _csv_ragged, "csv_nan": _csv_nan}
NEW_DAMAGES = {**ANY_FILE, **JSON_FILE, **CSV_FILE}


def damages_for(name):
    kinds = list(ANY_FILE)
    if name.endswith(".json"):
        kinds += list(JSON_FILE)
    if name.endswith(".csv"):
        kinds += list(CSV_FILE)
    return kinds


# Python reads these itself (json, csv, numpy, h5py, the checkpoint's index file); the
# others only TensorFlow's C++ (a pipe, a link, NUL bytes there reach TensorFlow, not us).
PARSED_BY_PYTHON = ("config.json", "manifest.json", "summary.json", "diagnosis.json",
                    "metrics.csv", "checkpoints/checkpoint", "repair.json", "trials.csv",
                    "best.json")


def _is_special(path):
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _install_damages():
    """The new damages join tests/damage.py's table; its snapshot of the folder (before and
    after the launcher) reads every file, which would itself wait forever at a pipe: a special
    file is recorded by its kind instead."""
    import builtins

    import damage
    for kind, function in NEW_DAMAGES.items():
        damage.DAMAGES[kind] = function
    snapshot = damage._readable_snapshot

    def guarded_snapshot(folder):
        real_open = builtins.open

        def open_unless_special(path, *args, **kwargs):
            if isinstance(path, str) and _is_special(path):
                raise OSError(f"special file {path}")
            return real_open(path, *args, **kwargs)
        builtins.open = open_unless_special
        try:
            return snapshot(folder)
        finally:
            builtins.open = real_open
    damage._readable_snapshot = guarded_snapshot
    values = damage._checkpoint_values

    def checkpoint_values_unless_special(prefix):  # TensorFlow's reader blocks at a pipe too
        import glob
        if any(_is_special(p) for p in glob.glob(prefix + "*")):
            return None
        return values(prefix)
    damage._checkpoint_values = checkpoint_values_unless_special


def run_cases(source, cases, folder, results):
    import damage
    failures = 0
    for name, kind, launcher in cases:
        key = f"{launcher} {name} {kind}"
        damage.fresh_session()
        started = time.time()
        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(HANG_S)
        try:
            code, message, problems = damage.check(source, folder, name, kind, launcher)
        except Hung:
            code, message, problems = None, None, [f"hung for {HANG_S} s"]
        except RecursionError as e:  # past launch(): its own traceback formatting recursed
            code, message, problems = None, None, [f"RecursionError past launch: {e}"]
        finally:
            signal.alarm(0)
            damage.restore_permissions(folder)
        results[key] = {"code": code, "line": str(message)[-300:] if message else None,
                        "problems": problems, "s": round(time.time() - started, 1)}
        failures += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '} {key} -> {code}: "
              f"{(problems[0] if problems else str(message))[:300]}", flush=True)
    return failures


def runfolder_group(quick):
    import damage
    _install_damages()
    work = tempfile.mkdtemp(prefix="bad_inputs_")
    source = damage.make_finished(os.path.join(work, "finished"))
    files = damage.files_of(source)
    launchers = [name for name in damage.LAUNCHERS if name != "doctor_fix"]
    cases = []
    for name in files:
        parsed = name in PARSED_BY_PYTHON or name.endswith((".npz", ".h5"))
        for kind in damages_for(name):
            if not parsed and kind not in ("fifo", "dangling", "loop"):
                continue
            for launcher in launchers:
                cases.append((name, kind, launcher))
    only = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--damages=")]
    if only:
        cases = [c for c in cases if c[1] in only[0].split(",")]
    if quick:
        cases = cases[::5]
    results = {}
    failures = run_cases(source, cases, os.path.join(work, "case"), results)
    shutil.rmtree(work, ignore_errors=True)
    return results, failures, len(cases)


# ------------------------------------------------------------------ flags through launchers
def _launch(module, *args, timeout=240):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    try:
        r = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=timeout)
        return r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        return None, "", f"hung for {timeout} s"


def _tree(folder):
    out = {}
    for d, _, names in os.walk(folder):
        for n in names:
            p = os.path.join(d, n)
            try:
                with open(p, "rb") as f:
                    out[os.path.relpath(p, folder)] = f.read()
            except OSError:
                out[os.path.relpath(p, folder)] = b"<unreadable>"
    return out


def judge(code, stderr, names, kept=None, may_succeed=False):
    """Problems of one launcher run: exit code, one line, naming, nothing lost."""
    problems = []
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    if code is None:
        problems.append(stderr)
    elif "Traceback" in stderr:
        problems.append("traceback: " + stderr.strip().splitlines()[-1][:200])
    elif code == 0 and may_succeed:
        pass
    elif code != 2:
        problems.append(f"exit {code}: {stderr.strip()[-300:]}")
    elif len(errors) != 1:
        problems.append(f"{len(errors)} error lines: {stderr.strip()[-300:]}")
    elif names and not any(n in errors[0] for n in names):
        problems.append(f"names none of {names}: {errors[0]}")
    if kept:
        for folder, before in kept:
            after = _tree(folder)
            lost = [n for n in before if after.get(n) != before[n]]
            if lost:
                problems.append(f"changed in {folder}: {lost[:4]}")
    return problems, (errors[0] if errors else None)


CONFIG = "--config=configs/digits_mlp.py"
TINY = ["--config.train.epochs=1", "--config.data.train_examples=64", "--config.model.width=8",
        "--config.schedule.warmup_epochs=0",
        "--config.train.verbose=0"]


def flags_group(quick):
    work = tempfile.mkdtemp(prefix="bad_flags_")
    run = os.path.join(work, "run")
    code, _, err = _launch("launchers.train", CONFIG, *TINY, f"--workdir={run}")
    assert code == 0, err
    a_file = os.path.join(work, "notes.txt")
    with open(a_file, "w") as f:
        f.write("mine")
    fifo = os.path.join(work, "pipe")
    os.mkfifo(fifo)
    dangling = os.path.join(work, "dangling")
    os.symlink(os.path.join(work, "gone"), dangling)
    loop = os.path.join(work, "loop")
    os.symlink("loop", loop)
    csv = os.path.join(work, "table.csv")
    with open(csv, "w") as f:
        f.write("a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(60)))
    unreadable = os.path.join(work, "locked")
    os.makedirs(unreadable)
    os.chmod(unreadable, 0)
    sweep_dir = os.path.join(work, "sweepdir")
    trial = os.path.join(sweep_dir, "trials", "0000")
    # workdir values of every kind, for every launcher that takes one
    bad_paths = {"a file": a_file, "a pipe": fifo, "a link to nothing": dangling,
                 "a link loop": loop, "/dev/null": "/dev/null",
                 "inside a file": os.path.join(a_file, "run"),
                 "the data file": csv, "the root": "/", "the configs folder": "configs",
                 "the repository": "."}
    if os.geteuid() != 0:  # chmod 000 stops no one running as root
        bad_paths.update({"a folder denied": unreadable,
                          "inside a denied folder": os.path.join(unreadable, "run")})
    cases = []
    for what, path in bad_paths.items():
        for module, args, flag in (
                ("launchers.train", [CONFIG, *TINY], "--workdir"),
                ("launchers.evaluate", [], "--workdir"),
                ("launchers.export", ["--version=3"], "--workdir"),
                ("launchers.lr_find", [CONFIG, "--steps=10"], "--workdir"),
                ("launchers.make_tfrecords", [CONFIG, "--shards=1"], "--out"),
                ("launchers.sweep", [CONFIG, "--sweep=sweeps/digits_mlp_lr.py", "--trials=1"],
                 "--workdir"),
                ("launchers.doctor", [], None)):
            argv = [*args, f"{flag}={path}"] if flag else [*args, path]
            cases.append((f"{module} {flag or 'RUN'} = {what}", module, argv, [path], False))
    # contradictions between a flag and the run folder
    other = ["--config=configs/digits_cnn.py", "--config.train.epochs=1",
             "--config.data.train_examples=64", "--config.train.verbose=0",
             "--config.schedule.warmup_epochs=0"]
    cases += [
        ("train resume with another config", "launchers.train", [*other, f"--workdir={run}"],
         ["--overwrite", run], False),
        ("train into the config's own folder", "launchers.train",
         [CONFIG, *TINY, "--workdir=configs"], ["configs"], False),

        ("train workdir = the data file", "launchers.train",
         [CONFIG, *TINY, "--config.data.name=csv", f"--config.data.path={csv}",
          f"--workdir={csv}"], [csv, "--workdir"], False),
        ("train workdir = a sweep folder", "launchers.train", [CONFIG, *TINY,
                                                                f"--workdir={sweep_dir}"],
         ["sweep"], False),
        ("train workdir = a trial folder", "launchers.train", [CONFIG, *TINY,
                                                                f"--workdir={trial}"],
         ["trial", "sweep"], False),
        ("evaluate a sweep folder", "launchers.evaluate", [f"--workdir={sweep_dir}"],
         ["sweep", sweep_dir], False),
        ("export a sweep folder", "launchers.export", [f"--workdir={sweep_dir}"],
         ["sweep", sweep_dir], False),
        ("doctor a sweep folder", "launchers.doctor", [sweep_dir], ["sweep", sweep_dir], False),
        ("doctor --fix a sweep folder", "launchers.doctor", [sweep_dir, "--fix"],
         ["sweep", sweep_dir], False),
        ("doctor two folders", "launchers.doctor", [run, run], ["run folder"], False),
        ("doctor a file", "launchers.doctor", [a_file], [a_file], False),
        ("sweep of a missing key", "launchers.sweep", [CONFIG, f"--sweep={_sweep_file(work, 'x')}",
                                                        f"--workdir={work}/s1"],
         ["sweep", "nosuch"], False),
        ("sweep over the run folder", "launchers.sweep", [CONFIG, "--sweep=sweeps/digits_mlp_lr.py",
                                                           f"--workdir={run}", "--trials=1"],
         [run], False),
        ("sweep file = the config", "launchers.sweep", [CONFIG, "--sweep=configs/digits_mlp.py",
                                                        f"--workdir={work}/s2"],
         ["configs/digits_mlp.py", "sweep"], False),
        ("sweep file a pipe", "launchers.sweep", [CONFIG, f"--sweep={fifo}",
                                                  f"--workdir={work}/s3"], [fifo], False),
        ("config a pipe", "launchers.train", [f"--config={fifo}", f"--workdir={work}/r3"],
         [fifo], False),
        ("config a link loop", "launchers.train", [f"--config={loop}", f"--workdir={work}/r4"],
         [loop], False),
        ("config a dangling link", "launchers.train", [f"--config={dangling}",
                                                       f"--workdir={work}/r5"], [dangling], False),
        ("config unreadable", "launchers.train", [f"--config={_denied_file(work)}",
                                                  f"--workdir={work}/r6"], ["denied.py"], False),
        ("config a sweep folder's best.json", "launchers.train",
         [f"--config={sweep_dir}/best.json", f"--workdir={work}/r7"], ["best.json"], False),
        ("from_run of a sweep folder", "launchers.train",
         [f"--config=configs/from_run.py:{sweep_dir}", f"--workdir={work}/r8"],
         [sweep_dir, "sweep"], False),
        ("from_run of a file", "launchers.train",
         [f"--config=configs/from_run.py:{a_file}", f"--workdir={work}/r9"], [a_file], False),
        ("init_from a sweep folder", "launchers.train",
         [CONFIG, *TINY, f"--config.model.init_from={sweep_dir}", f"--workdir={work}/r10"],
         ["model.init_from"], False),
        ("init_from itself", "launchers.train",
         [CONFIG, *TINY, f"--config.model.init_from={work}/r11", f"--workdir={work}/r11"],
         ["model.init_from"], False),
        ("init_from a pipe", "launchers.train",
         [CONFIG, *TINY, f"--config.model.init_from={fifo}", f"--workdir={work}/r12"],
         ["model.init_from"], False),
        ("data.path a pipe", "launchers.train",
         [CONFIG, *TINY, "--config.data.name=csv", f"--config.data.path={fifo}",
          f"--workdir={work}/r13"], ["data.path"], False),
        ("data.path a link loop", "launchers.train",
         [CONFIG, *TINY, "--config.data.name=csv", f"--config.data.path={loop}",
          f"--workdir={work}/r14"], ["data.path"], False),
        ("tfrecord data.path a run folder", "launchers.train",
         [CONFIG, *TINY, "--config.data.name=tfrecord", f"--config.data.path={run}",
          f"--workdir={work}/r17"], ["data.path"], False),
        ("backbone_weights a pipe", "launchers.train",
         [CONFIG, *TINY, "--config.model.name=keras_app", "--config.data.name=synthetic_images",
          f"--config.model.backbone_weights={fifo}", f"--workdir={work}/r18"],
         ["model.backbone_weights"], False),
        ("storage a folder", "launchers.sweep", [CONFIG, "--sweep=sweeps/digits_mlp_lr.py",
                                                 f"--workdir={work}/s4", "--trials=1",
                                                 f"--storage=sqlite:///{work}"],
         ["--storage"], False),
        ("storage a garbage file", "launchers.sweep", [CONFIG, "--sweep=sweeps/digits_mlp_lr.py",
                                                       f"--workdir={work}/s5", "--trials=1",
                                                       f"--storage=sqlite:///{a_file}"],
         ["--storage", a_file], False),
        ("storage a pipe", "launchers.sweep", [CONFIG, "--sweep=sweeps/digits_mlp_lr.py",
                                               f"--workdir={work}/s7", "--trials=1",
                                               f"--storage=sqlite:///{fifo}"],
         ["--storage", fifo], False),
        ("storage an empty file of the user's", "launchers.sweep",
         [CONFIG, "--sweep=sweeps/digits_mlp_lr.py", f"--workdir={work}/s8", "--trials=1",
          f"--storage=sqlite:///{_empty_file(work)}"], ["--storage"], True),  # a new database
        ("storage of an unknown scheme", "launchers.sweep",
         [CONFIG, "--sweep=sweeps/digits_mlp_lr.py", f"--workdir={work}/s6", "--trials=1",
          "--storage=nosuchdb://x"], ["--storage"], False),
    ]
    if os.geteuid() != 0:  # chmod 000 stops no one running as root
        cases.append(("data.path a denied folder", "launchers.train",
                      [CONFIG, *TINY, "--config.data.name=image_folder",
                       f"--config.data.path={unreadable}", f"--workdir={work}/r15"],
                      ["data.path", unreadable], False))
    # a small finished sweep to point things at
    code, _, err = _launch("launchers.sweep", CONFIG, *TINY, "--sweep=sweeps/digits_mlp_lr.py",
                           f"--workdir={sweep_dir}", "--trials=1")
    assert code == 0, err
    results, failures = {}, 0
    only = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--from=")]
    if only:  # resume the list at the case of that name (a run stopped part way)
        cases = cases[[c[0] for c in cases].index(only[0]):]
    if quick:
        cases = cases[::3]
    for what, module, argv, names, may_succeed in cases:
        kept = [(run, _tree(run)), (sweep_dir, _tree(sweep_dir)), ("configs", _tree("configs"))]
        started = time.time()
        code, out, err = _launch(module, *argv, timeout=HANG_S * 3)
        problems, line = judge(code, err, names, kept, may_succeed)
        results[what] = {"code": code, "line": line, "problems": problems,
                         "s": round(time.time() - started, 1)}
        failures += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '} {what} -> {code}: "
              f"{(problems[0] if problems else line or '')[:300]}", flush=True)
    os.chmod(unreadable, 0o755)
    for p in (fifo,):
        os.remove(p)
    shutil.rmtree(work, ignore_errors=True)
    return results, failures, len(cases)


def _sweep_file(work, kind):
    path = os.path.join(work, f"sweep_{kind}.py")
    with open(path, "w") as f:
        f.write("def get_sweep():\n    return {'trials': 1, 'space': "
                "{'optimizer.nosuch': ('uniform', 0.0, 1.0)}}\n")
    return path


def _empty_file(work):
    """A file of the user's that is empty: SQLite would take it for a new database."""
    path = os.path.join(work, "empty_notes.txt")
    open(path, "w").close()
    return path


def _denied_file(work):
    path = os.path.join(work, "denied.py")
    with open(path, "w") as f:
        f.write("def get_config():\n    pass\n")
    os.chmod(path, 0)
    return path


GROUPS = {"runfolder": runfolder_group, "flags": flags_group}


def main():
    group = sys.argv[1]
    quick = "--quick" in sys.argv
    os.chdir(ROOT)
    results, failures, count = GROUPS[group](quick)
    os.makedirs(os.path.join(ROOT, "runs"), exist_ok=True)
    with open(os.path.join(ROOT, "runs", f"bad_inputs_{group}.json"), "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
    print(f"{group}: {count} cases, {failures} failing")


if __name__ == "__main__":
    main()
