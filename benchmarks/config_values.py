"""Every config key x every class of value, through the launcher's own entry (cli.run of
launchers.train), enumerated from `default_config()` so a key added later is tried too.

    nice -n 10 python benchmarks/config_values.py [override|file|unknown|all] [--keys=PREFIX]

Each case runs in a fork of this process (launchers.train imported once, flags not yet parsed;
no TensorFlow), with sys.argv set as the command line would: `--config=configs/digits_mlp.py`
and one `--config.KEY=VALUE` (override), or a copy of configs/digits_mlp.py with
`c.KEY = VALUE` before its return (file), or a key that does not exist at some nesting level
(unknown). Training is replaced by what `training.train` checks before TensorFlow starts:
validate, the data (digits: numpy), validate_against_data. A case passes when it exits 2 with
one line naming the key (its dotted name; for a config file, the file and the key's name), or
exits 0 (accepted: listed with the value the run would use, to be judged by hand, and trained
for real where in doubt). It fails on a traceback, a hang (20 s), any other exit code, more
than one line, or a line that does not name the key.

Writes runs/config_values_<group>.json; prints the failures and the counts by class.
"""

import json
import os
import signal
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
HANG_S = 20

# Each class of value, as the command line spells it (the shell passes these words whole);
# tests/test_config_keys_enumerated.py tries the same.
OVERRIDE_VALUES = {
    "text": "abc", "number": "123", "list": "[1, 2]", "tuple": "(1, 2)", "dict": "{'a': 1}",
    "negative": "-1", "negative_float": "-0.5", "zero": "0", "zero_float": "0.0",
    "huge_float": "1e300", "huge_int": str(10**30), "nan": "nan", "NaN": "NaN", "inf": "inf",
    "-inf": "-inf", "empty": "", "space": " ", "tab": "\t", "padded": " 1 ", "unicode": "é",
    "emoji": "\U0001F642", "missing_path": "/nonexistent/h62/x", "True": "True",
    "False": "False", "true": "true", "float_for_int": "2.5", "whole_float": "1.0",
    "unknown_choice": "unknown_choice", "None": "None", "bad_regex": "[",
}

# The same classes as a config file writes them (Python expressions).
FILE_VALUES = {
    "text": "'abc'", "number": "123", "list": "[1, 2]", "tuple": "(1, 2)", "dict": "{'a': 1}",
    "negative": "-1", "negative_float": "-0.5", "zero": "0", "zero_float": "0.0",
    "huge_float": "1e300", "huge_int": "10**30", "nan": "float('nan')", "inf": "float('inf')",
    "-inf": "float('-inf')", "empty": "''", "space": "' '", "padded": "' adam '",
    "unicode": "'é'", "emoji": "'\U0001F642'", "missing_path": "'/nonexistent/h62/x'",
    "True": "True", "False": "False", "float_for_int": "2.5", "whole_float": "1.0",
    "unknown_choice": "'unknown_choice'", "None": "None", "numpy_float": "numpy.float64(0.5)",
    "numpy_int": "numpy.int64(3)", "numpy_nan": "numpy.float64('nan')", "bytes": "b'x'",
    "numpy_bool": "numpy.bool_(True)", "numpy_array": "numpy.array([1.0, 2.0])",
    "bad_regex": "'['",
}


def leaf_keys():
    from ktrain_kit import config, config_fields
    return [key for key, _ in config_fields.leaves(config.default_config())]


def sections():
    """Every section's dotted name ('' is the config itself): data, data.augment, ..."""
    keys = leaf_keys()
    return sorted({""} | {".".join(k.split(".")[:i]) for k in keys
                          for i in range(1, k.count(".") + 1)})


def run_case(argv, key):
    """(exit code, stdout, stderr, hung) of `launchers.train` on argv, in a fork."""
    def launch():  # the command line, with training stopped before TensorFlow
        sys.argv = ["launchers/train.py", *argv]
        _stub_training(key)
        import launchers.train as launcher
        from ktrain_kit import cli
        cli.run(launcher.main)
    return in_fork(launch)


def in_fork(launch):
    """(exit code, stdout, stderr, hung) of `launch()` run in a fork of this process, as a
    command line's exit: SystemExit's code, 1 with a traceback for any other exception, and
    killed after HANG_S seconds (hung)."""
    out = tempfile.TemporaryFile(mode="w+")
    err = tempfile.TemporaryFile(mode="w+")
    pid = os.fork()
    if pid == 0:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        sys.stdout = open(1, "w", closefd=False, encoding="utf-8")  # not a test's capture
        sys.stderr = open(2, "w", closefd=False, encoding="utf-8")
        code = 70
        try:
            signal.alarm(HANG_S)
            launch()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:  # noqa: BLE001 - reported as a traceback, the failure
            import traceback
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    hung = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
    out.seek(0)
    err.seek(0)
    return code, out.read(), err.read(), hung


def _stub_training(key):
    """training.train up to TensorFlow's start: what it refuses before building a model."""
    from ktrain_kit import config as config_lib
    from ktrain_kit import data as data_lib
    from ktrain_kit import training

    def checks_only(c, workdir, overwrite=False, callbacks=()):
        config_lib.validate(c)
        config_lib.check_output_outside_data(c, workdir)
        data = data_lib.load(c.data, c.task, c.seed)
        config_lib.validate_against_data(c, data, replicas=1)
        value = config_lib.value_at(c, key) if key else None
        print(f"ACCEPTED {value!r}", flush=True)
        return {"stopped": False, "diagnosis": None}

    training.train = checks_only


def judge(code, out, err, hung, named):
    """'' for a pass, else the failure's class."""
    lines = [line for line in err.splitlines() if line.strip()]
    if hung:
        return "hang"
    if code == 0:
        return ""
    if "Traceback" in err:
        return "traceback"
    if code != 2:
        return f"exit {code}"
    if len(lines) != 1:
        return f"{len(lines)} lines"
    if not any(name in lines[0] for name in named):
        # a rule between two keys may name the other one: judged by hand
        return "another key named" if "config key '" in lines[0] else "key not named"
    return ""


def _names(key):
    """How a line may name `key`: quoted, or a dotted key as written in a rule between two
    keys (`... train.accumulation_steps=123`)."""
    return [f"'{key}'"] + ([key] if "." in key else [])


def override_cases(keys):
    for key in keys:
        for kind, value in OVERRIDE_VALUES.items():
            yield (f"override {key}={kind}", key, [f"--config={CONFIG}", f"--config.{key}={value}",
                                                  f"--workdir={WORKDIR}"], _names(key))


CONFIG = "configs/digits_mlp.py"
WORKDIR = os.path.join(tempfile.gettempdir(), "config_values_run")


def file_cases(keys, folder):
    with open(CONFIG, encoding="utf-8") as f:
        source = f.read()
    for key in keys:
        for kind, value in FILE_VALUES.items():
            path = os.path.join(folder, f"{key.replace('.', '_')}__{kind}.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write("import numpy\n" + source.replace("    return c", f"    c.{key} = {value}\n"
                                                            "    return c"))
            leaf = key.rsplit(".", 1)[-1]
            yield (f"file {key}={kind}", key, [f"--config={path}", f"--workdir={WORKDIR}"],
                   [*_names(key), f"'{leaf}'"])


def unknown_cases():
    """A key that does not exist, a misspelling of one, and a key below a value, at each
    section; on the command line and in a file."""
    from ktrain_kit import config, config_fields
    c = config.default_config()
    for section in sections():
        prefix = f"{section}." if section else ""
        node = config_fields.value_at(c, section) if section else c
        first = sorted(node.keys())[0]
        typo = first[:-1] if len(first) > 2 else first + "x"
        for name in ("nosuchkey", typo, first.upper()):
            key = prefix + name
            yield (f"unknown --config.{key}", None, [f"--config={CONFIG}", f"--config.{key}=1",
                                                      f"--workdir={WORKDIR}"], [f"'{key}'", name])
    for key in leaf_keys():
        yield (f"below a value --config.{key}.x", None,
               [f"--config={CONFIG}", f"--config.{key}.x=1", f"--workdir={WORKDIR}"], [key])


def unknown_file_cases(folder):
    from ktrain_kit import config, config_fields
    c = config.default_config()
    with open(CONFIG, encoding="utf-8") as f:
        source = f.read()
    for section in sections():
        prefix = f"{section}." if section else ""
        node = config_fields.value_at(c, section) if section else c
        first = sorted(node.keys())[0]
        for name in ("nosuchkey", first[:-1] if len(first) > 2 else first + "x"):
            key = prefix + name
            path = os.path.join(folder, f"unknown_{key.replace('.', '_')}.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write(source.replace("    return c", f"    c.{key} = 1\n    return c"))
            yield f"unknown file c.{key}", None, [f"--config={path}", f"--workdir={WORKDIR}"], \
                [f"'{key}'", f"'{name}'"]


def main():
    os.chdir(ROOT)  # the cases name configs/ relative to the repository
    import launchers.train  # noqa: F401 - its flags defined once, parsed in each child
    group = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else "all"
    prefix = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--keys=")), "")
    keys = [k for k in leaf_keys() if k.startswith(prefix)]
    folder = tempfile.mkdtemp(prefix="config_values_")
    cases = []
    if group in ("override", "all"):
        cases += list(override_cases(keys))
    if group in ("file", "all"):
        cases += list(file_cases(keys, folder))
    if group in ("unknown", "all"):
        cases += list(unknown_cases()) + list(unknown_file_cases(folder))
    results, failures, accepted = {}, {}, {}
    for name, key, argv, named in cases:
        code, out, err, hung = run_case(argv, key)
        problem = judge(code, out, err, hung, named)
        line = (err.strip().splitlines() or [""])[-1] if code else \
            next((l for l in out.splitlines() if l.startswith("ACCEPTED")), out.strip()[-200:])
        results[name] = {"code": code, "line": line, "problem": problem,
                         "stdout_notes": [l for l in out.splitlines() if "note" in l]}
        if problem:
            failures[name] = problem
            print(f"FAIL {name}: {problem}: {err.strip()[-300:]!r}", flush=True)
        elif code == 0:
            accepted[name] = line
    os.makedirs("runs", exist_ok=True)
    with open(f"runs/config_values_{group}.json", "w") as f:
        json.dump(results, f, indent=1)
    by_class = {}
    for problem in failures.values():
        by_class[problem] = by_class.get(problem, 0) + 1
    print(f"{len(cases)} cases, {len(failures)} failing {by_class}, {len(accepted)} accepted "
          f"(listed in runs/config_values_{group}.json)")


if __name__ == "__main__":
    main()
