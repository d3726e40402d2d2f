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
HELP_FLAGS = ("--help", "--helpshort", "--helpfull", "--helpxml")


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
