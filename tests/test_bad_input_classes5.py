"""Round h93 (benchmarks/BAD_INPUTS.md): killed runs, and new variants in the earlier classes.

- A run killed inside TensorFlow's own checkpoint save (benchmarks/killed_runs.py, `timed`)
  leaves `checkpoints/ckpt-N_temp/` (the sharded save's parts) and, inside the manager's state
  write, `checkpoints/checkpoint.tmp<32 hex digits>`; resuming, evaluating or exporting the run
  left them there for good (our own `*.tmp-<pid>` files were cleaned, TensorFlow's not):
  `fs.remove_temps` now removes them too where this process holds the folder's lock.
- A value quoted in a refusal holding a line break other than \\n / \\r (\\v, \\f, \\x1c-\\x1e,
  \\x85, U+2028, U+2029: what str.splitlines and terminals break on) or a control code (ESC's
  colour sequences) made the "one line" two or more, or rewrote the terminal (hypothesis over
  every key's override, 33 distinct failures): `cli.one_line`, at the one exit every refusal
  takes, shows each escaped.
- A key of a callback that is on by default, named on the command line while a config switches
  that callback off (`--config.callbacks.checkpoint.every_steps=10` with checkpoints off),
  trained without a word: refused naming both keys; set in a config file, it is noted
  (`config_fields.switched_off_keys`).
"""

import csv
import os
import re
import shutil
import sys
import unicodedata

import pytest
from absl import flags
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ml_collections import config_flags

from conftest import run_launcher
from ktrain_kit import cli, fs
from ktrain_kit.errors import UserError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "configs", "digits_mlp.py")
SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
TINY = ["--config=configs/digits_mlp.py", "--config.train.epochs=2",
        "--config.data.train_examples=256", "--config.model.width=16",
        "--config.train.deterministic=True", "--config.train.precision=float32",
        "--config.train.verbose=0"]
TIMING = {"epoch_time_s", "examples_per_sec"}


@pytest.fixture
def launch(monkeypatch, capsys):
    """launchers.train's checks before TensorFlow, ended as cli.run ends them (cli.fail):
    (exit code, stderr, stdout). Importing the launcher defines its flags in absl's global
    registry; they and the module are removed after the test, since other tests fork this
    process and import each launcher as a fresh command would (launcher_flags: the doctor
    launcher, finding --config defined, asked for a config)."""
    flags_before, modules_before = set(flags.FLAGS), set(sys.modules)
    import launchers.train as train_launcher
    def run(*argv):
        values = flags.FlagValues()
        config_flags.DEFINE_config_file("config", None, "", flag_values=values,
                                        lock_config=True)
        flags.DEFINE_string("workdir", None, "", flag_values=values)
        monkeypatch.setattr(cli, "FLAGS", values)
        monkeypatch.setattr(train_launcher, "FLAGS", values)
        monkeypatch.setattr(sys, "argv", ["launchers/train.py", *argv])
        capsys.readouterr()
        try:
            try:
                cli.parse_flags(sys.argv)
                train_launcher._note_unread_keys()  # validate, then the notes
            except UserError as e:
                cli.fail(str(e))
        except SystemExit as e:
            out = capsys.readouterr()
            return e.code, out.err, out.out
        out = capsys.readouterr()
        return 0, out.err, out.out
    yield run
    for name in set(flags.FLAGS) - flags_before:
        delattr(flags.FLAGS, name)
    for name in set(sys.modules) - modules_before:
        if name.startswith("launchers"):
            del sys.modules[name]


def lines_of(text):
    """Lines as anyone splitting text would see them (str.splitlines breaks on \\v, \\x85, ...)."""
    return [line for line in text.splitlines() if line.strip()]


# ------------------------------------------------- TensorFlow's leftovers of a killed save

def test_a_killed_saves_tensorflow_leftovers_are_removed_only_under_the_lock(tmp_path):
    folder = tmp_path / "checkpoints"
    (folder / "ckpt-16_temp").mkdir(parents=True)
    (folder / "ckpt-16_temp" / "part-00000-of-00001.data-00000-of-00001").write_bytes(b"x" * 9)
    (folder / ("checkpoint.tmp" + "0123456789abcdef" * 2)).write_text("model_checkpoint_")
    kept = ["ckpt-8.index", "notes_temp", "ckpt-16_temporal", "checkpoint.tmpx", "checkpoint"]
    for name in kept:
        (folder / name).write_text("kept")
    assert fs.remove_temps(str(tmp_path), recursive=True, dead_only=True) == []  # no pid
    removed = fs.remove_temps(str(tmp_path), recursive=True, dead_only=False)
    assert sorted(os.path.basename(p) for p in removed) == sorted(
        ["ckpt-16_temp", "checkpoint.tmp" + "0123456789abcdef" * 2])
    assert sorted(os.listdir(folder)) == sorted(kept)


def _rows(workdir):
    with open(os.path.join(workdir, "metrics.csv")) as f:
        return [{k: v for k, v in r.items() if k not in TIMING} for r in csv.DictReader(f)]


def _plant_tensorflow_leftovers(workdir, number):
    """What a SIGKILL inside TensorFlow's save of checkpoint `number` leaves (seen in
    benchmarks/killed_runs.py's timed kills): the sharded save's folder, half written, and the
    manager's state file's temporary copy."""
    where = os.path.join(workdir, "checkpoints")
    os.makedirs(os.path.join(where, f"ckpt-{number}_temp"))
    with open(os.path.join(where, f"ckpt-{number}_temp",
                           "part-00000-of-00001.data-00000-of-00001"), "wb") as f:
        f.write(os.urandom(4000))
    with open(os.path.join(where, "checkpoint.tmp" + "5f" * 16), "w") as f:
        f.write('model_checkpoint_path: "ckpt-')


def _leftovers(workdir):
    return [os.path.join(d, n) for d, dirs, files in os.walk(workdir) for n in dirs + files
            if n.endswith("_temp") or re.search(r"\.tmp[0-9a-f]{32}$", n) or ".tmp-" in n]


def test_a_run_killed_inside_tensorflows_checkpoint_save_resumes_evaluates_and_is_clean(
        tmp_path):
    from conftest import rewind
    whole = str(tmp_path / "whole")
    done = run_launcher("launchers.train", *TINY, f"--workdir={whole}")
    assert done.returncode == 0, done.stderr[-2000:]
    expected = _rows(whole)
    # evaluated as it is left: the finished run, killed in a later save's state write
    finished = str(tmp_path / "finished")
    shutil.copytree(whole, finished)
    _plant_tensorflow_leftovers(finished, 24)
    done = run_launcher("launchers.evaluate", f"--workdir={finished}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert _leftovers(finished) == []
    # resumed: killed while TensorFlow wrote checkpoint 16, after checkpoint 8 was complete
    killed = rewind(whole, str(tmp_path / "killed"), 8)
    _plant_tensorflow_leftovers(killed, 16)
    done = run_launcher("launchers.train", *TINY, f"--workdir={killed}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ktrain_kit: resuming" in done.stdout, done.stdout[-1500:]
    assert _rows(killed) == expected
    assert _leftovers(killed) == []


# ------------------------------------------------------- every refusal is one line, escaped

BREAKS = ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("brk", BREAKS + ["\x1b[2J", "\x00", "\x7f"])
@pytest.mark.parametrize("key", ["model.name", "train.epochs", "optimizer.nesterov",
                                 "model.dropout"])
def test_a_value_with_a_line_break_or_control_code_is_refused_on_one_line(launch, brk, key):
    code, err, _ = launch(f"--config={CONFIG}", f"--config.{key}=mlp{brk}x")
    assert code == 2
    lines = lines_of(err)
    assert len(lines) == 1 and lines[0].startswith("error: ") and key in lines[0], err
    assert not [c for c in err.rstrip("\n") if unicodedata.category(c) in ("Cc", "Zl", "Zp")
                and c != "\t"], repr(err)


@SETTINGS
@given(st.text(max_size=60))
def test_any_refusal_text_is_printed_as_one_line_without_control_codes(text):
    import contextlib
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit):
        cli.fail(f"config key 'x': {text!s} is wrong; fix it")
    printed = err.getvalue()
    assert printed.endswith("\n") and len(printed[:-1].splitlines()) == 1, repr(printed)
    assert not [c for c in printed[:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp")
                and c != "\t"]
    if all(unicodedata.category(c) not in ("Cc", "Zl", "Zp") for c in text):
        assert text in printed  # printable text is shown as it is


def test_a_refusal_with_a_vertical_tab_through_the_launcher_is_one_line():
    done = run_launcher("launchers.train", "--config=configs/digits_mlp.py",
                        "--config.model.name=mlp\x0bcnn", "--workdir=/nonexistent/never")
    assert done.returncode == 2
    assert len(lines_of(done.stderr)) == 1, repr(done.stderr)
    assert "mlp\\x0bcnn" in done.stderr


# ------------------------------------------------- keys of a callback switched off

# Written here from default_config's callbacks section: every key of the three callbacks that
# are on by default, with a value that asks for something and one that asks for nothing.
SWITCHED = {
    "callbacks.early_stopping.monitor": ("val_accuracy", ""),
    "callbacks.early_stopping.patience": ("3", "0"),
    "callbacks.early_stopping.min_delta": ("0.01", "0.0"),
    "callbacks.early_stopping.restore_best_weights": ("True", "False"),
    "callbacks.checkpoint.keep": ("5", None),
    "callbacks.checkpoint.every_steps": ("10", "0"),
    "callbacks.doctor.interval": ("7", None),
    "callbacks.doctor.probe_examples": ("32", None),
}


@pytest.mark.parametrize("key", sorted(SWITCHED))
def test_a_key_named_under_a_switched_off_callback_is_refused_naming_both(launch, key):
    switch = key.rsplit(".", 1)[0] + ".enabled"
    asks, nothing = SWITCHED[key]
    code, err, _ = launch(f"--config={CONFIG}", f"--{'config.' + switch}=False",
                          f"--config.{key}={asks}")
    assert code == 2, err
    one = lines_of(err)
    assert len(one) == 1 and key in one[0] and f"{switch}=True" in one[0], err
    code, err, _ = launch(f"--config={CONFIG}", f"--config.{key}={asks}")  # switched on
    assert code == 0, err
    if nothing is not None:  # an off value asks for nothing: taken
        code, err, _ = launch(f"--config={CONFIG}", f"--config.{switch}=False",
                              f"--config.{key}={nothing}")
        assert code == 0, err


def test_a_key_set_in_a_file_under_a_switched_off_callback_is_noted(launch, tmp_path):
    path = tmp_path / "cfg.py"
    path.write_text(f"import importlib.util, sys\nsys.path.insert(0, {os.path.dirname(CONFIG)!r})"
                    "\nfrom digits_mlp import get_config as base\n\ndef get_config():\n"
                    "    c = base()\n    c.callbacks.checkpoint.every_steps = 10\n    return c\n")
    code, err, out = launch(f"--config={path}", "--config.callbacks.checkpoint.enabled=False")
    assert code == 0, err
    notes = [line for line in out.splitlines() if "callbacks.checkpoint.every_steps" in line]
    assert len(notes) == 1 and "callbacks.checkpoint.enabled=False" in notes[0], out
    code, err, out = launch(f"--config={path}")  # on: read, no note
    assert code == 0 and "every_steps" not in out, (err, out)


def test_the_launcher_refuses_a_checkpoint_interval_without_checkpoints(tmp_path):
    workdir = tmp_path / "run"
    done = run_launcher("launchers.train", "--config=configs/digits_mlp.py",
                        "--config.callbacks.checkpoint.enabled=False",
                        "--config.callbacks.checkpoint.every_steps=10", f"--workdir={workdir}")
    assert done.returncode == 2, done.stderr[-1500:]
    one = lines_of(done.stderr)
    assert len(one) == 1 and "callbacks.checkpoint.every_steps" in one[0] and \
        "callbacks.checkpoint.enabled=True" in one[0], done.stderr
    assert not workdir.exists()


# ------------------------------------------------- API path arguments a filesystem cannot hold

def _path_takers(value):
    from ktrain_kit import callbacks, checkpointing, default_config, train
    c = default_config()
    return {"MetricsCSV(path)": lambda: callbacks.MetricsCSV(value),
            "Checkpoints(directory)": lambda: checkpointing.Checkpoints(value),
            "train(workdir)": lambda: train(c, value)}


@pytest.mark.parametrize("kind", ["nul", "long_name", "surrogate", "tilde"])
def test_an_api_path_no_filesystem_holds_as_given_is_refused_where_given(tmp_path, kind):
    """Each failed inside fit (or train, after the folder was made), or made a folder named
    '~' without a word; the filesystem's own verdict is asked alongside."""
    value = {"nul": str(tmp_path / "a\x00b"), "long_name": str(tmp_path / ("n" * 256)),
             "surrogate": str(tmp_path / "a\udcffb"), "tilde": "~/ktrain_h93_never"}[kind]
    if kind == "long_name":
        with pytest.raises(OSError):
            os.mkdir(value)  # the filesystem refuses it too
    if kind == "nul":
        with pytest.raises(ValueError):
            os.mkdir(value)
    for call, make in _path_takers(value).items():
        with pytest.raises(ValueError, match=r"\(\w+=") as caught:
            make()
        argument = call.split("(")[1].rstrip(")")
        assert f"{argument}=" in str(caught.value), (call, caught.value)
    assert sorted(os.listdir(tmp_path)) == [] and not os.path.exists("~")


def test_api_paths_a_filesystem_holds_are_taken(tmp_path):
    """Controls: 255 bytes in one name (the filesystem takes it), any Unicode letters."""
    from ktrain_kit import callbacks, checkpointing
    longest = tmp_path / ("n" * 251 + ".csv")
    os.mkdir(tmp_path / ("d" * 255))
    callbacks.MetricsCSV(str(longest))
    checkpointing.Checkpoints(str(tmp_path / "données_😀"))


def test_every_holder_of_a_run_folders_lock_removes_a_killed_writers_temporary_files(tmp_path):
    """`launchers.doctor RUN --fix` killed while writing repair.json (benchmarks/killed_runs.py
    tools) left repair.json.tmp-PID after the same command ran again: the repair's writes take
    the lock but never cleaned. Now taking the lock cleans, whoever takes it."""
    from ktrain_kit import repair
    workdir = tmp_path / "run"
    workdir.mkdir()
    (workdir / "manifest.json").write_text('{"entries": []}')
    dead = (workdir / "repair.json.tmp-999999999")  # no such process
    dead.write_text('{"half')
    (workdir / "checkpoints").mkdir()
    (workdir / "checkpoints" / "ckpt-2_temp").mkdir()
    state = {"metric": "val_accuracy", "original": {}, "attempts": [], "outcome": "healthy"}
    try:
        repair._write(str(workdir), state)
    except Exception:  # noqa: BLE001 - the report's shape is not what is tested here
        pass
    assert not dead.exists() and not (workdir / "checkpoints" / "ckpt-2_temp").exists()
