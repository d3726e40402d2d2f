"""Bad input by class, variants the earlier bad-input tests did not reach (found by probing
every launcher as a new user would):

- asking for help: `--help`, `--helpshort`, `--helpfull`, `--helpxml` printed the help and
  then `error: config file 'None' failed to load (... sys.exit(1) ...)`, exit 2, in every
  launcher (the doctor has no config at all). absl ends its help flags with SystemExit(1);
  it is now recognised by where it was raised (one of absl's help flags) and exits 0.
- the user's own code (a config file, a sweep file, a model builder or its module) raising
  something the reporting did not expect: a BaseException that is no Exception (a class of
  the user's, GeneratorExit) escaped with a traceback, exit 1; an exception whose __str__
  raises gave a traceback from the reporting itself. One wording of such a failure
  (errors.user_code_failure) and one catch of BaseException at each place user code runs.

Subprocesses only where the exit code and the traceback are the point (no TensorFlow: each
is refused or answered in about a second).
"""

import os
import textwrap

import pytest

from conftest import run_launcher
from ktrain_kit import sweep
from ktrain_kit.errors import UserError, user_code_failure

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAUNCHERS = sorted(f"launchers.{f[:-3]}" for f in os.listdir(os.path.join(ROOT, "launchers"))
                   if f.endswith(".py") and not f.startswith("_"))
HELP_FLAGS = ("--help", "--helpshort", "--helpfull", "--helpxml", "-h")  # -h: as --helpshort


@pytest.mark.parametrize("module", LAUNCHERS)
def test_help_is_printed_and_exits_0_in_every_launcher(module):
    """What was asked for is printed, on stdout, and nothing is called an error."""
    result = run_launcher(module, "--help")
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower() and "Traceback" not in result.stderr
    assert "--verbose" in result.stdout or "flags:" in result.stdout


@pytest.mark.parametrize("flag", HELP_FLAGS[1:])
def test_every_help_flag_exits_0_with_or_without_a_config(flag):
    for args in ([flag], ["--config=configs/digits_mlp.py", flag]):
        result = run_launcher("launchers.train", *args)
        assert result.returncode == 0 and not result.stderr.strip(), (args, result.stderr)
        assert result.stdout.strip(), args


# A config file whose get_config (or its import) raises what ordinary reporting does not
# expect. Each must be one line naming the file, exit 2, with or without an override.
ODD_RAISES = {
    "a BaseException of its own": ("class Stop(BaseException):\n    pass\n",
                                   "raise Stop('halt here')", "Stop: halt here"),
    "GeneratorExit": ("", "raise GeneratorExit('done')", "GeneratorExit: done"),
    "an exception whose str() raises": (
        "class Odd(Exception):\n    def __str__(self):\n        raise RuntimeError('no')\n",
        "raise Odd()", "(Odd)"),
    "an exception of no words": ("", "raise ValueError('   ')", "(ValueError)"),
}


@pytest.mark.parametrize("where", ["get_config", "import"])
@pytest.mark.parametrize("case", list(ODD_RAISES))
def test_a_config_file_raising_anything_is_one_line_naming_it(tmp_path, case, where):
    prelude, statement, said = ODD_RAISES[case]
    body = (f"{prelude}\ndef get_config():\n    {statement}\n" if where == "get_config" else
            f"{prelude}\n{statement}\n")
    path = tmp_path / "odd_config.py"
    path.write_text(body)
    for extra in ([], ["--config.seed=1"]):
        result = run_launcher("launchers.train", f"--config={path}", *extra,
                              f"--workdir={tmp_path / 'run'}")
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1, (case, extra, result.stderr)
        assert str(path) in lines[0] and said in lines[0] and "fix that file" in lines[0]
        assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("case", list(ODD_RAISES))
def test_a_sweep_file_raising_anything_is_a_user_error_naming_it(tmp_path, case):
    prelude, statement, said = ODD_RAISES[case]
    path = tmp_path / "odd_sweep.py"
    path.write_text(f"{prelude}\ndef get_sweep():\n    {statement}\n")
    with pytest.raises(UserError) as e:
        sweep.load_spec(str(path))
    assert str(path) in str(e.value) and said.strip("()") in str(e.value)


class _Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("its own __str__ fails")


@pytest.mark.parametrize("error,expected", [
    (_Unprintable(), "_Unprintable"), (GeneratorExit("x\ny"), "GeneratorExit: x"),
    (ValueError(""), "ValueError"), (ValueError("\n\n  late line"), "ValueError: late line"),
    (SystemExit(3), "it called sys.exit(3)"), (KeyboardInterrupt(), "it raised KeyboardInterrupt"),
])
def test_user_code_failure_words_any_exception_without_raising(error, expected):
    assert user_code_failure(error) == expected


@pytest.fixture(scope="module")
def odd_builders(tmp_path_factory):
    """A module of model builders, each raising one of the odd kinds, on sys.path."""
    import sys
    folder = tmp_path_factory.mktemp("builders")
    (folder / "odd_builders_h57.py").write_text(textwrap.dedent("""
        class Stop(BaseException):
            pass

        class Odd(Exception):
            def __str__(self):
                raise RuntimeError("no")

        def base_exception(model_config, data):
            raise Stop("halt")

        def unprintable(model_config, data):
            raise Odd()
        """))
    (folder / "odd_module_h57.py").write_text("raise GeneratorExit('at import')\n")
    sys.path.insert(0, str(folder))
    yield
    sys.path.remove(str(folder))


@pytest.mark.parametrize("name,said", [("odd_builders_h57:base_exception", "Stop: halt"),
                                       ("odd_builders_h57:unprintable", "raised Odd"),
                                       ("odd_module_h57:anything", "GeneratorExit: at import")])
def test_a_model_builder_raising_anything_names_model_name(odd_builders, name, said):
    from ktrain_kit import config as config_lib
    from ktrain_kit import models
    from ktrain_kit.data import load
    c = config_lib.default_config()
    c.model.name = name
    data = load(c.data, c.task, c.seed)
    with pytest.raises(UserError) as e:
        models.build(c.model, data)
    assert str(e.value).startswith("config key 'model.name'") and said in str(e.value)


# The command line's own mistakes, told as the command line's (they were blamed on the
# config file, 'config file 'None' failed to load ... fix that file' in the doctor), by
# every spelling absl accepts: one dash as two, the `--no` form of a True/False flag.
def _bool_flags():
    """(launcher, a True/False flag it takes), read from the launchers' sources."""
    import ast
    found = [("launchers.train", "verbose")]
    for module in LAUNCHERS:
        with open(os.path.join(ROOT, *module.split(".")) + ".py", encoding="utf-8") as f:
            for node in ast.walk(ast.parse(f.read())):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "DEFINE_bool":
                    found.append((module, node.args[0].value))
    return found


BOOL_FLAGS = _bool_flags()


def test_the_launchers_have_true_false_flags_to_try():
    assert {"overwrite", "fix", "skip_bad"} <= {flag for _, flag in BOOL_FLAGS}


@pytest.mark.parametrize("module,flag", BOOL_FLAGS + [("launchers.train",
                                                       "config.train.deterministic")])
def test_a_negated_flag_given_a_value_names_the_flag_not_the_config(tmp_path, module, flag):
    args = {"launchers.doctor": [str(tmp_path)],
            "launchers.evaluate": [f"--workdir={tmp_path}"],
            "launchers.export": [f"--workdir={tmp_path}"]}.get(
        module, ["--config=configs/digits_mlp.py"])
    result = run_launcher(module, *args, f"--no{flag}=1")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert f"--no{flag}" in lines[0] and f"--{flag}=false" in lines[0], lines[0]
    assert "config file" not in lines[0]


@pytest.mark.parametrize("args,said", [
    (["-config=configs/digits_mlp.py", "-config.sed=1"],
     "config key 'sed': 'sed' does not exist in the config; did you mean 'seed'?"),
    (["-config=configs/digits_mlp.py", "-config.seed=x"], "config key 'seed': 'x' is not a whole"),
    (["-config", "configs/digits_mlp.py", "--config.train.epochs=ten"],
     "config key 'train.epochs': 'ten' is not a whole number"),
])
def test_one_dash_is_read_as_two_as_absl_reads_it(args, said):
    result = run_launcher("launchers.train", *args)
    assert result.returncode == 2 and result.stderr.startswith(f"error: {said}"), result.stderr


@pytest.mark.parametrize("configs", [
    ["configs/digits_mlp.py", "/nonexistent.py"],  # named the first, which loaded
    ["configs/digits_mlp.py", "configs/digits_cnn.py", "--config.seed=1"],  # 'defined twice'
    ["configs/digits_mlp.py", "configs/digits_mlp.py"],
])
def test_a_config_given_twice_is_refused_naming_both(tmp_path, configs):
    flags = [f"--config={c}" if not c.startswith("--") else c for c in configs]
    result = run_launcher("launchers.train", *flags, f"--workdir={tmp_path}/w")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith("error: --config is given 2 times")
    assert all(repr(c) in lines[0] for c in configs if not c.startswith("--"))
    assert not os.path.exists(tmp_path / "w")


# precision=auto's cache (~/.cache/ktrain_kit/settings.json) is a file in the user's home:
# edited, cut short, or of another shape, an entry crashed the run ('str' object has no
# attribute 'get', KeyError 'setting') or was trusted with a setting no candidate is (a
# precision Keras then refuses); a pipe there hung it. Any entry but the one `fastest` writes
# is measured again.
CANDIDATES = [("float32", False), ("float32", True)]
GOOD = {"setting": ["float32", True], "reason": "r",
        "candidates": [list(c) for c in CANDIDATES]}


class _Remeasured(Exception):
    pass


def _measure_instead(candidates):
    raise _Remeasured


@pytest.mark.parametrize("entry", [
    "float32", ["float32", True], 3, None, {}, {"setting": ["float32", True]},
    {**GOOD, "candidates": "float32"}, {**GOOD, "candidates": [3, 4]},
    {**GOOD, "setting": "float32"}, {**GOOD, "setting": None}, {**GOOD, "setting": ["bogus", 1]},
    {**GOOD, "reason": None}, {**GOOD, "candidates": [["float32", False]]},
], ids=repr)
def test_a_damaged_precision_cache_entry_is_measured_again(tmp_path, monkeypatch, entry):
    import json

    from ktrain_kit import precision
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    os.makedirs(os.path.dirname(precision.cache_path()))
    with open(precision.cache_path(), "w") as f:
        json.dump({"model-key": entry}, f)
    with pytest.raises(_Remeasured):
        precision.fastest(_measure_instead, "model-key", CANDIDATES)


def test_a_whole_precision_cache_entry_is_used(tmp_path, monkeypatch):
    import json

    from ktrain_kit import precision
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    os.makedirs(os.path.dirname(precision.cache_path()))
    with open(precision.cache_path(), "w") as f:
        json.dump({"model-key": GOOD}, f)
    setting, reason = precision.fastest(_measure_instead, "model-key", CANDIDATES)
    assert setting == ("float32", True) and reason.endswith(": r")


def test_a_pipe_where_the_precision_cache_is_is_not_read(tmp_path, monkeypatch):
    import signal

    from ktrain_kit import precision
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    os.makedirs(os.path.dirname(precision.cache_path()))
    os.mkfifo(precision.cache_path())
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("read the pipe: a hang"))
    signal.alarm(5)
    try:
        with pytest.raises(_Remeasured):
            precision.fastest(_measure_instead, "model-key", CANDIDATES)
    finally:
        signal.alarm(0)


# Flags combined: callbacks.doctor.repair is launchers.train's; a sweep's trials ignored it
# without a word (in the config or in the space).
@pytest.mark.parametrize("where", ["config", "space"])
def test_a_sweep_with_a_repair_budget_is_refused_naming_the_key(where):
    from conftest import load_config
    config = load_config("digits_mlp")
    space = {"schedule.base_lr": ("log_uniform", 1e-4, 1e-1)}
    if where == "config":
        config.callbacks.doctor.repair = 2
    else:
        space["callbacks.doctor.repair"] = ("int", 1, 3)
    with pytest.raises(UserError) as e:
        sweep.validate_spec({"metric": "val_accuracy", "trials": 3, "space": space}, config)
    assert "'callbacks.doctor.repair'" in str(e.value) and "launchers.doctor" in str(e.value)
    assert "\n" not in str(e.value)


def test_a_sweep_without_repair_is_accepted():
    from conftest import load_config
    spec = sweep.validate_spec({"metric": "val_accuracy", "trials": 3, "space": {
        "schedule.base_lr": ("log_uniform", 1e-4, 1e-1)}}, load_config("digits_mlp"))
    assert spec["trials"] == 3


# The command best.json gives to reproduce the best trial is made of the config flags as
# given: `--config PATH` (two words) and `-config=PATH` (one dash) lost the config file.
@pytest.mark.parametrize("argv,expected", [
    (["--config", "configs/x.py", "--config.train.epochs", "3", "--workdir=w"],
     ["--config=configs/x.py", "--config.train.epochs=3"]),
    (["-config=configs/x.py:RUN", "-config.seed=2", "--trials=4"],
     ["--config=configs/x.py:RUN", "--config.seed=2"]),
    (["--config=configs/x.py", "--config.train.deterministic", "--storage=sqlite:///s.db"],
     ["--config=configs/x.py", "--config.train.deterministic"]),
])
def test_the_config_flags_of_a_command_line_are_kept_whole(argv, expected):
    from ktrain_kit import cli
    assert cli.config_words(argv) == expected


# A --config path that is no file of this disk: a link to nothing or a link loop was 'does
# not exist; did you mean --config=<the same path>?'; a URL was split at its ':' and named
# 'https'; a launcher (or a file importing one) given as the config failed with absl's
# "The flag 'config' is defined twice".
def _config_paths(tmp_path):
    os.symlink(tmp_path / "loop_b.py", tmp_path / "loop_a.py")
    os.symlink(tmp_path / "loop_a.py", tmp_path / "loop_b.py")
    os.symlink(tmp_path / "gone" / "x.py", tmp_path / "dangling.py")
    return {"link loop": (str(tmp_path / "loop_a.py"), "is a link to"),
            "link to nothing": (str(tmp_path / "dangling.py"), "is a link to"),
            "https URL": ("https://example.com/configs/x.py", "is a URL"),
            "bucket URL": ("gs://bucket/configs/x.py:arg", "is a URL"),
            "a launcher": ("launchers/train.py", "defines command-line flags of its own")}


@pytest.mark.parametrize("override", [[], ["--config.seed=1"]], ids=["alone", "overridden"])
@pytest.mark.parametrize("case", ["link loop", "link to nothing", "https URL", "bucket URL",
                                  "a launcher"])
def test_a_config_path_that_is_no_config_file_here_says_what_it_is(tmp_path, case, override):
    path, said = _config_paths(tmp_path)[case]
    result = run_launcher("launchers.train", f"--config={path}", *override,
                          f"--workdir={tmp_path / 'run'}")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert said in lines[0] and f"did you mean --config={path}?" not in lines[0], lines[0]
    assert path.split(":arg")[0] in lines[0]
    assert not (tmp_path / "run").exists()


def test_a_near_file_is_never_the_path_itself(tmp_path):
    from ktrain_kit import config_fields
    os.symlink(tmp_path / "nowhere.py", tmp_path / "digits.py")
    (tmp_path / "digit.py").write_text("")
    assert config_fields.near_file(str(tmp_path / "digits.py")) == \
        f"did you mean --config={tmp_path / 'digit.py'}? "
    os.remove(tmp_path / "digit.py")
    assert config_fields.near_file(str(tmp_path / "digits.py")) == ""


# A path whose scheme TensorFlow has no file system for (https://, s3:// without
# tensorflow-io, hdfs://), as data.path, --workdir or any path read or written later: a
# traceback (UnimplementedError) from the first access. cli.ending words it for every
# launcher, naming the path.
class UnimplementedError(Exception):  # TensorFlow's, by name, as cli.ending knows it
    pass


@pytest.mark.parametrize("scheme", ["https", "s3", "hdfs", "ftp"])
def test_a_path_of_a_scheme_tensorflow_cannot_open_is_one_line_naming_it(scheme):
    from ktrain_kit import cli
    path = f"{scheme}://host/data/x.csv"
    error = UnimplementedError(f"File system scheme '{scheme}' not implemented (file: '{path}')")
    line, code = cli.ending(error)
    assert code == 2 and line.startswith(f"'{path}': ") and f"{scheme}://" in line
    assert "local path" in line and "\n" not in line


def test_data_from_an_https_url_is_refused_by_the_launcher(tmp_path):
    """The real TensorFlow error, through the launcher: exit 2, one line, no run folder."""
    result = run_launcher("launchers.train", "--config=configs/digits_mlp.py",
                          "--config.data.name=csv", "--config.data.path=https://example.com/x.csv",
                          f"--workdir={tmp_path / 'run'}")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "'https://example.com/x.csv'" in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()


# An argument the locale could not decode (LC_ALL=C without Python's UTF-8 mode, a path
# with 'é'): Python keeps stand-in characters, the file system takes them back, TensorFlow
# cannot: a traceback at the first checkpoint, after the data and model were built.
ASCII_ONLY = {"LANG": "C", "LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}


@pytest.mark.parametrize("module,flag", [("launchers.train", "--workdir"),
                                         ("launchers.train", "--config.data.path"),
                                         ("launchers.evaluate", "--workdir")])
def test_an_argument_the_locale_cannot_read_is_one_line_before_anything(tmp_path, module, flag):
    args = ["--config=configs/digits_mlp.py"] if module == "launchers.train" else []
    result = run_launcher(module, *args, f"{flag}={tmp_path}/caf\u00e9", env=ASCII_ONLY)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {flag}='") and "LC_ALL=C.UTF-8" in lines[0]
    assert os.listdir(tmp_path) == []


def test_an_argument_of_any_characters_the_locale_read_passes():
    from ktrain_kit import cli
    cli.check_arguments_decodable(["prog", "--workdir=/tmp/caf\u00e9", "--config.data.name=\u65e5"])
    with pytest.raises(SystemExit):
        cli.check_arguments_decodable(["prog", "--workdir=/tmp/caf\udcc3\udca9"])


# Keras' backend chosen elsewhere: KERAS_BACKEND=jax (or a name Keras does not know) ended
# in Keras' import error, a traceback, in every launcher that imports Keras. Refused in one
# line at start, with the other variables of cli.check_environment.
def test_a_keras_backend_other_than_tensorflow_is_one_line(capsys):
    from ktrain_kit import cli
    for value in ("", "tensorflow"):
        cli.check_environment({"KERAS_BACKEND": value})
    for value in ("jax", "torch", "TensorFlow", " tensorflow", "garbage"):
        with pytest.raises(SystemExit) as e:
            cli.check_environment({"KERAS_BACKEND": value})
        line = capsys.readouterr().err.strip()
        assert e.value.code == 2 and line.startswith("error: environment variable KERAS_BACKEND=")
        assert "unset KERAS_BACKEND" in line



def test_the_launchers_refuse_another_keras_backend_before_anything(tmp_path):
    result = run_launcher("launchers.evaluate", f"--workdir={tmp_path}",
                          env={"KERAS_BACKEND": "jax"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: environment variable KERAS_BACKEND='jax'")


# Overrides in a --flagfile are the command line's: they were read from sys.argv alone, so
# a bad one in a flag file lost its line ('flag --config.seed=abc: invalid literal for
# int()', "Unknown command line flag 'config.optimizer.nmae'") instead of the key's.
@pytest.mark.parametrize("lines,said", [
    (["--config=configs/digits_mlp.py", "--config.seed=abc"],
     "error: config key 'seed': 'abc' is not a whole number"),
    (["--config=configs/digits_mlp.py", "--config.optimizer.nmae=adam"],
     "error: config key 'optimizer.nmae': 'nmae' does not exist in optimizer; did you mean "
     "'optimizer.name'?"),
])
def test_an_override_in_a_flag_file_is_told_as_on_the_command_line(tmp_path, lines, said):
    flag_file = tmp_path / "flags.txt"
    flag_file.write_text("\n".join(lines) + "\n")
    result = run_launcher("launchers.train", f"--flagfile={flag_file}")
    assert result.returncode == 2 and result.stderr.startswith(said), result.stderr
