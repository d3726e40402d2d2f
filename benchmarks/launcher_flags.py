"""Every flag of every launcher other than train x every class of value (config_values.py's
OVERRIDE_VALUES), the flags enumerated from absl's registry after importing the launcher, so a
flag added later is tried too; and `--config.KEY=VALUE` for the launchers that take a config.

    nice -n 10 python benchmarks/launcher_flags.py [LAUNCHER ...] [--config-keys]

One process per launcher imports it (its flags defined once); each case runs in a fork of that
process with sys.argv set as the command line would. No TensorFlow: the one call of
ktrain_kit that would start it (evaluate's and export's model load, lr_find's sweep,
make_tfrecords' conversion, the sweep's study, the doctor's repair) is replaced by a stub that
prints ACCEPTED and exits 0, after every check the launcher makes before it. A launcher that
reads a finished run gets a copy of one tiny run (made once:
`python -m launchers.train --config=configs/digits_mlp.py --config.train.epochs=2
--workdir=/tmp/h66/run`), hashed before and after.

A case passes on exit 0 (accepted), or exit 2 with one line on stderr, no traceback, naming
the flag (or key); it fails on a hang (20 s), a traceback, another code, more lines, a line
naming neither, or a changed run folder. Writes runs/launcher_flags.json.
"""

import hashlib
import json
import os
import shutil
import sys
import tempfile
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks.config_values import OVERRIDE_VALUES, in_fork, judge  # noqa: E402

RUN = os.environ.get("H66_RUN", "/tmp/h66/run")
CONFIG = os.path.join(ROOT, "configs", "digits_mlp.py")
SWEEP = os.path.join(ROOT, "sweeps", "digits_mlp_lr.py")
MISSING = OVERRIDE_VALUES["missing_path"]  # made under the case's folder: outputs are made
PATH_FLAGS = ("workdir", "out", "sweep", "storage", "config", "")
# The folder each launcher writes into, and names only a folder flag meets: characters a URL
# or a template reads (a sweep's study.db is an sqlite URL), tried there besides the classes.
OUTPUT_FLAG = {"sweep": "workdir", "lr_find": "workdir", "make_tfrecords": "out"}
FOLDER_NAMES = {"query": "q?x", "percent": "p%41x", "braces": "b{x}", "hash": "h#x",
                "quote": "it's", "colon": "a:b"}
LAUNCHERS = ("sweep", "lr_find", "make_tfrecords", "evaluate", "export", "doctor")


def base_argv(launcher, case_dir):
    """A command line the launcher accepts; each case replaces one flag of it."""
    run = os.path.join(case_dir, "run")
    out = os.path.join(case_dir, "out")
    return {
        "sweep": {"config": CONFIG, "sweep": SWEEP, "workdir": out},
        "lr_find": {"config": CONFIG, "workdir": out},
        "make_tfrecords": {"config": CONFIG, "out": out},
        "evaluate": {"workdir": run},
        "export": {"workdir": run},
        "doctor": {"": run},
    }[launcher]


def needs_run(launcher):
    return launcher in ("evaluate", "export", "doctor")


def launcher_flags(launcher):
    """The flags the launcher module defines itself, from absl's registry (plus --verbose,
    which cli.py defines for every launcher)."""
    from absl import flags
    module = sys.modules[f"launchers.{launcher}"]
    names = {f.name for f in flags.FLAGS.get_flags_for_module(module)}
    names |= {"config"} & set(flags.FLAGS)  # cli.define_config_flag(), where called
    return sorted(names | {"verbose"})


def _accept(*_args, **_kwargs):
    print("ACCEPTED", flush=True)
    sys.stdout.flush()
    os._exit(0)


def stub(launcher):
    """The call that would start TensorFlow, replaced after the launcher's own checks."""
    from ktrain_kit import runfolder
    if launcher in ("evaluate", "export"):
        def opens_then_accepts(workdir, *_):
            with runfolder.open_existing(workdir):
                _accept()
        fake = types.ModuleType(f"ktrain_kit.{launcher}")
        fake.evaluate = fake.export_run = opens_then_accepts
        sys.modules[f"ktrain_kit.{launcher}"] = fake
    elif launcher == "lr_find":
        def checks_then_accepts(c, *_):  # lr_range_test's checks before TensorFlow
            from ktrain_kit import config as config_lib
            from ktrain_kit import data as data_lib
            config_lib.validate(c)
            config_lib.validate_against_data(c, data_lib.load(c.data, c.task, c.seed))
            _accept()
        fake = types.ModuleType("ktrain_kit.lr_find")
        fake.lr_range_test = checks_then_accepts
        sys.modules["ktrain_kit.lr_find"] = fake
    elif launcher == "make_tfrecords":
        from ktrain_kit.data import tfrecord
        tfrecord.convert = _accept
    elif launcher == "sweep":
        from ktrain_kit import sweep
        sweep.study = _accept
        sweep.run_trial = _accept
    elif launcher == "doctor":
        from ktrain_kit import repair
        repair.repair = _accept


def folder_hash(path):
    digest = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(path)):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(folder, name)
            digest.update(os.path.relpath(full, path).encode())
            if not os.path.islink(full):
                with open(full, "rb") as f:
                    digest.update(f.read())
    return digest.hexdigest()


def run_case(launcher, argv, case_dir):
    """(exit code, stdout, stderr, hung) of the launcher on argv, in a fork run in case_dir
    (what a relative output folder makes, made there)."""
    def launch():
        os.chdir(case_dir)
        sys.argv = [f"launchers/{launcher}.py", *argv]
        stub(launcher)
        from ktrain_kit import cli
        module = sys.modules[f"launchers.{launcher}"]
        cli.run(module.main, takes_arguments=(launcher == "doctor"))
    return in_fork(launch)


def written_outside(case_dir, folder):
    """'' when everything the case made is the output folder or inside it, else the class."""
    named = os.path.realpath(os.path.join(case_dir, folder.lstrip("/") if folder == MISSING
                                          else folder))
    for entry in os.listdir(case_dir):
        path = os.path.realpath(os.path.join(case_dir, entry))
        if path != named and not named.startswith(path + os.sep):
            return f"wrote {entry!r} outside the folder"
    return ""


def words(flags_given, case_dir):
    """The command line; the missing path is one under the case's folder (an output folder
    that does not exist is made, legitimately)."""
    def path(v):
        return os.path.join(case_dir, MISSING.lstrip("/")) if v == MISSING else v
    return [path(v) if k == "" else f"--{k}={path(v)}" for k, v in flags_given.items()]


def may_name(flag, value):
    """How a refusal may name what it refuses: the flag, and for a path its value; a word
    that starts with '-' is a flag to absl (`-- -1` passes it as an argument)."""
    names = [f"--{flag}", f"'{flag}'"] if flag else ["run folder", "RUN_FOLDER"]
    if flag in PATH_FLAGS:
        names += [f"'{value}'", "run folder '", "does not exist"]
    if not flag and value.startswith("-"):
        names.append("Unknown command line flag")
    return names


def cases(launcher, with_config_keys):
    """(name, flag or key, the flags to give, the names a refusal may use)."""
    for flag in launcher_flags(launcher):
        extra = FOLDER_NAMES if OUTPUT_FLAG.get(launcher) == flag else {}
        for kind, value in {**OVERRIDE_VALUES, **extra}.items():
            yield f"--{flag}={kind}", flag, {flag: value}, may_name(flag, value)
    if launcher == "doctor":  # the run folder, an argument
        for kind, value in OVERRIDE_VALUES.items():
            yield f"RUN_FOLDER={kind}", "", {"": value}, may_name("", value)
    if with_config_keys and launcher in ("sweep", "lr_find", "make_tfrecords"):
        from benchmarks.config_values import leaf_keys
        for key in leaf_keys():
            for kind, value in OVERRIDE_VALUES.items():
                yield (f"--config.{key}={kind}", key, {f"config.{key}": value},
                       [f"'{key}'", key])


def run_launcher(launcher, with_config_keys, only_flags=None, kinds=None):
    """Every case of one launcher, in this process (the launcher imported here)."""
    import importlib
    importlib.import_module(f"launchers.{launcher}")
    results, by_class = {}, {}
    total = 0
    for name, flag, given, named in cases(launcher, with_config_keys):
        if only_flags is not None and flag not in only_flags:
            continue
        if kinds is not None and name.split("=", 1)[1] not in kinds:
            continue
        total += 1
        case_dir = tempfile.mkdtemp(prefix=f"h66_{launcher}_")
        base = base_argv(launcher, case_dir)
        if needs_run(launcher):
            if os.path.isdir(RUN):
                shutil.copytree(RUN, os.path.join(case_dir, "run"), symlinks=True)
            else:  # no finished run here (a test): an empty stand-in, refused naming it
                os.makedirs(os.path.join(case_dir, "run"))
                named = [*named, os.path.join(case_dir, "run")]
            before = folder_hash(os.path.join(case_dir, "run"))
        code, out, err, hung = run_case(launcher, words({**base, **given}, case_dir), case_dir)
        problem = judge(code, out, err, hung, named)
        if needs_run(launcher) and not problem and \
                folder_hash(os.path.join(case_dir, "run")) != before:
            problem = "run folder changed"
        if OUTPUT_FLAG.get(launcher) == flag and name.split("=", 1)[1] in FOLDER_NAMES \
                and code != 0:  # a name any filesystem takes
            problem = problem or "a legitimate folder name refused"
        if not problem and code == 0 and OUTPUT_FLAG.get(launcher) == flag:
            problem = written_outside(case_dir, given[flag])
        line = (err.strip().splitlines() or [""])[-1] if code else "ACCEPTED"
        results[name] = {"code": code, "line": line, "problem": problem}
        if problem:
            by_class[problem] = by_class.get(problem, 0) + 1
            print(f"FAIL {launcher} {name}: {problem}: {err.strip()[-300:]!r}", flush=True)
        shutil.rmtree(case_dir, ignore_errors=True)
    accepted = sum(1 for r in results.values() if r["code"] == 0)
    print(f"{launcher}: {total} cases, {sum(by_class.values())} failing {by_class}, "
          f"{accepted} accepted", flush=True)
    return results


def run_each(chosen, with_keys=False, only_flags=None, kinds=None):
    """{launcher: {case: result}}, each launcher in a process of its own (forked from this
    one): their flags share absl's registry, where `workdir` can be defined once."""
    everything = {}
    for launcher in chosen:
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(reader)
            results = {}
            try:
                results = run_launcher(launcher, with_keys, only_flags and only_flags(launcher),
                                       kinds)
            finally:
                with os.fdopen(writer, "w") as f:
                    json.dump(results, f)
                os._exit(0)
        os.close(writer)
        with os.fdopen(reader) as f:
            text = f.read()
        os.waitpid(pid, 0)
        everything[launcher] = json.loads(text) if text else {}
    return everything


def main():
    os.chdir(ROOT)
    with_keys = "--config-keys" in sys.argv
    chosen = [a for a in sys.argv[1:] if not a.startswith("--")] or list(LAUNCHERS)
    os.makedirs("runs", exist_ok=True)
    everything = run_each(chosen, with_keys)
    name = "launcher_flags_keys" if with_keys else "launcher_flags"
    with open(f"runs/{name}.json", "w") as f:
        json.dump(everything, f, indent=1)


if __name__ == "__main__":
    main()
