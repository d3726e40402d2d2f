"""Round h89 (benchmarks/BAD_INPUTS.md): new variants in the bad-input classes earlier rounds
fixed, each class here by the one rule that now covers it. In-process (the launchers' own flag
parsing on a fresh absl FlagValues, then validate), no TensorFlow:

- a --flagfile in UTF-16 or Latin-1 was a UnicodeDecodeError traceback (absl's bare
  `readlines()`), a 2 GB one was read whole into memory as one line (the run hung), a pipe
  waited forever: `cli.check_flag_files`, before absl reads any;
- a config file saved as UTF-16 (with or without a byte-order mark) was called "compiled .pyc
  or binary bytes; pass the .py file it came from" - the file given; a config whose
  get_config() takes a keyword-only or two required arguments was told to pass one after a
  colon, which cannot give them (`cli._fail_loading`);
- schedule.boundaries was checked only under schedule.name=step, but every schedule is built
  with them: (-1,) under cosine was a TypeError traceback after TensorFlow started, (3, 2)
  passed (`config.validate`);
- an override's mapping naming a key twice (`data.class_weight={0: 1, 0: 2}`) kept the last
  without a word, and a mapping or set given for a tuple key became its keys
  (`schedule.boundaries={1: 2}` -> (1,)): `cli._check_override_literals`;
- numbers inside a mapping escaped the sanity check every other number meets
  (`data.class_weight={0: 1e308}` trained to a NaN loss, exit 1), and a nonzero number below
  float32's smallest normal (`schedule.base_lr=1e-46`) trained at a rate of 0:
  `config._numbers_are_sane`.
"""

import ast
import math
import os
import sys

import pytest
from absl import flags
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ml_collections import config_flags

from ktrain_kit import cli
from ktrain_kit import config as config_lib
from ktrain_kit.errors import UserError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "configs", "digits_mlp.py")
SHORT = ("--config.train.epochs=1", "--config.schedule.warmup_epochs=0")
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def launch(monkeypatch, capsys):
    """launchers.train's checks before TensorFlow: (exit code, stderr) for a command line,
    exit code 0 when it passes parse_flags and validate."""
    def run(*argv):
        values = flags.FlagValues()
        config_flags.DEFINE_config_file("config", None, "", flag_values=values,
                                        lock_config=True)
        flags.DEFINE_string("workdir", None, "", flag_values=values)  # launchers.train's
        monkeypatch.setattr(cli, "FLAGS", values)
        monkeypatch.setattr(sys, "argv", ["launchers/train.py", *argv])
        capsys.readouterr()
        try:
            cli.parse_flags(sys.argv)
            config_lib.validate(values.config)
        except SystemExit as e:
            return e.code, capsys.readouterr().err
        except UserError as e:
            return 2, f"error: {e}\n"
        return 0, capsys.readouterr().err
    return run


def one_line_naming(err, *words):
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


# ---------------------------------------------------------------- flag files

def flag_file(tmp_path, data: bytes, name="flags"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("data, words", [
    ("--config.seed=3\n".encode("utf-16"), ["UTF-16", "UTF-8"]),
    ("--config.seed=3\n".encode("utf-16-le"), ["UTF-16", "UTF-8"]),
    ("--workdir=/tmp/caf\xe9\n".encode("latin-1"), ["not UTF-8", "LATIN1"]),
])
def test_flag_file_not_utf8_is_one_line(tmp_path, launch, data, words):
    path = flag_file(tmp_path, data)
    code, err = launch(f"--config={CONFIG}", *SHORT, f"--flagfile={path}")
    assert code == 2
    one_line_naming(err, path, *words)


def test_flag_file_too_large_or_a_pipe_is_refused_unread(tmp_path, launch):
    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.truncate(2 << 30)  # sparse: nothing written, 2 GB read before
    code, err = launch(f"--config={CONFIG}", f"--flagfile={big}")
    assert code == 2
    one_line_naming(err, str(big), "too large")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    code, err = launch(f"--config={CONFIG}", "--flagfile", str(pipe))  # two words too
    assert code == 2
    one_line_naming(err, str(pipe), "named pipe")


def test_flag_file_named_inside_a_flag_file_is_checked(tmp_path, launch):
    inner = flag_file(tmp_path, "--config.seed=3\n".encode("utf-16"), "inner")
    outer = flag_file(tmp_path, f"--flagfile={inner}\n".encode(), "outer")
    code, err = launch(f"--config={CONFIG}", *SHORT, f"--flagfile={outer}")
    assert code == 2
    one_line_naming(err, inner, "UTF-16")


def test_flag_file_in_utf8_still_read(tmp_path, launch):
    path = flag_file(tmp_path, "--config.seed=7\r\n".encode())
    code, err = launch(f"--config={CONFIG}", *SHORT, f"--flagfile={path}")
    assert code == 0, err
    assert cli.FLAGS.config.seed == 7


@SETTINGS
@given(st.binary(max_size=200))
def test_any_flag_file_bytes_refused_or_decoded(tmp_path_factory, data):
    """Whatever the bytes, a flag file either fails the check with exit 2, or absl's own
    reading of it raises no UnicodeDecodeError (the traceback of before)."""
    path = str(tmp_path_factory.mktemp("ff") / "flags")
    with open(path, "wb") as f:
        f.write(data)
    try:
        cli.check_flag_files(["prog", f"--flagfile={path}"])
    except SystemExit as e:
        assert e.code == 2
        return
    flags.FlagValues().read_flags_from_files(["prog", f"--flagfile={path}"], force_gnu=False)


# ---------------------------------------------------------------- config files

@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_config_file_in_utf16_says_so(tmp_path, launch, encoding):
    path = tmp_path / "wide.py"
    with open(CONFIG, encoding="utf-8") as f:
        path.write_bytes(f.read().encode(encoding))
    code, err = launch(f"--config={path}")
    assert code == 2
    line = one_line_naming(err, str(path), "UTF-8")
    assert encoding.upper()[:6] in line and ".pyc" not in line


def test_binary_config_file_still_called_binary(tmp_path, launch):
    path = tmp_path / "zeros.py"
    with open(path, "wb") as f:
        f.truncate(10_000)
    code, err = launch(f"--config={path}")
    assert code == 2
    assert "not Python source" in one_line_naming(err, str(path))


@pytest.mark.parametrize("signature, call", [
    ("a, b", ""), ("a, b", ":x"), ("*, arg", ""),
])
def test_get_config_no_colon_can_satisfy(tmp_path, launch, signature, call):
    path = tmp_path / "args.py"
    path.write_text("from ktrain_kit.config import default_config\n"
                    f"def get_config({signature}):\n    return default_config()\n")
    code, err = launch(f"--config={path}{call}")
    assert code == 2
    line = one_line_naming(err, str(path), "at most one parameter without a default")
    assert "pass it after a colon" not in line


def test_get_config_with_one_argument_still_told_to_pass_it(tmp_path, launch):
    path = tmp_path / "one.py"
    path.write_text("from ktrain_kit.config import default_config\n"
                    "def get_config(a):\n    return default_config()\n")
    code, err = launch(f"--config={path}")
    assert code == 2
    one_line_naming(err, f"--config={path}:VALUE")


# ---------------------------------------------------------------- schedule.boundaries

@pytest.mark.parametrize("schedule", ["cosine", "linear", "constant", "exponential", "step"])
@pytest.mark.parametrize("boundaries", ["(-1,)", "(0,)", "(3, 2)", "(2, 2)"])
def test_boundaries_checked_under_every_schedule(launch, schedule, boundaries):
    code, err = launch(f"--config={CONFIG}", "--config.train.epochs=5", *SHORT[1:],
                       f"--config.schedule.name={schedule}",
                       f"--config.schedule.boundaries={boundaries}")
    assert code == 2
    one_line_naming(err, "schedule.boundaries")


@SETTINGS
@given(st.sampled_from(["cosine", "linear", "constant", "exponential", "step"]),
       st.lists(st.one_of(st.integers(-5, 50), st.floats(-5, 50, allow_nan=False)),
                max_size=3))
def test_boundaries_validate_accepts_the_schedule_accepts(name, boundaries):
    """What validate takes for schedule.boundaries, under any schedule, builds a Schedule at
    the run's steps without the TypeError traceback of before (the config's rule no looser
    than the Schedule's own)."""
    c = config_lib.default_config()
    c.model.name, c.train.epochs, c.schedule.name = "mlp", 60, name
    c.schedule.boundaries = tuple(boundaries)
    try:
        config_lib.validate(c)
    except UserError:
        return
    assert all(b > 0 for b in boundaries) and list(boundaries) == sorted(set(boundaries))


# ---------------------------------------------------------------- literals in overrides

@pytest.mark.parametrize("key, value, words", [
    ("data.class_weight", "{0: 1, 0: 2}", ["names 0 twice"]),
    ("data.class_weight", "{0: 1, 1: 2, 1: 3}", ["names 1 twice"]),
    ("schedule.boundaries", "{1: 2}", ["takes a tuple", "mapping"]),
    ("schedule.boundaries", "{1, 2}", ["takes a tuple", "set"]),
])
def test_override_literal_losing_a_part_is_refused(launch, key, value, words):
    code, err = launch(f"--config={CONFIG}", *SHORT, f"--config.{key}={value}")
    assert code == 2
    one_line_naming(err, f"'{key}'", *words)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 5)), min_size=1, max_size=6))
def test_mapping_literal_with_a_repeated_key_is_a_problem(pairs):
    text = "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    node = ast.parse(text, mode="eval").body
    repeated = len({k for k, _ in pairs}) < len(pairs)
    assert (cli._literal_problem(node, tuple_key=False) is not None) == repeated


def test_override_mapping_without_repeats_still_read(launch):
    code, err = launch(f"--config={CONFIG}", *SHORT, "--config.data.class_weight={0: 2, 1: 1}")
    assert code == 0, err
    assert dict(cli.FLAGS.config.data.class_weight) == {0: 2, 1: 1}


# ---------------------------------------------------------------- numbers

@pytest.mark.parametrize("override, key", [
    ("--config.data.class_weight={0: 1e308}", "data.class_weight"),
    ("--config.data.class_weight={0: 1e16, 1: 1}", "data.class_weight"),
    ("--config.schedule.base_lr=1e-46", "schedule.base_lr"),
    ("--config.optimizer.weight_decay=1e-40", "optimizer.weight_decay"),
    ("--config.optimizer.clip_global_norm=1e-39", "optimizer.clip_global_norm"),
])
def test_numbers_out_of_float32_refused(launch, override, key):
    code, err = launch(f"--config={CONFIG}", *SHORT, override)
    assert code == 2
    one_line_naming(err, f"'{key}'")


@pytest.mark.parametrize("override, key", [
    ("--config.data.class_weight={0: nan, 1: 1}", "data.class_weight"),
    ("--config.data.class_weight={0: inf}", "data.class_weight"),
    ("--config.schedule.boundaries=(inf,)", "schedule.boundaries"),
])
def test_nan_or_inf_in_a_literal_is_named_not_called_another_shape(launch, override, key):
    """`{0: nan}` is a mapping, but the flag parser reads Python literals, where nan is a name:
    it arrived as text and was told "is of another shape"."""
    code, err = launch(f"--config={CONFIG}", *SHORT, override)
    assert code == 2
    word = "nan" if "nan" in override else "inf"
    one_line_naming(err, f"'{key}'", f"'{word}' is not a number there")


@SETTINGS
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_any_class_weight_value_refused_or_finite_in_float32(weight):
    """A class weight validate takes is, in float32, finite and, if nonzero, not a denormal
    (numpy's float32 as the independent measure)."""
    import numpy as np
    c = config_lib.default_config()
    c.model.name = "mlp"
    c.data.class_weight = {0: weight, 1: 1.0}
    try:
        config_lib.validate(c)
    except UserError:
        return
    as32 = np.float32(weight)
    assert np.isfinite(as32) and as32 * 1e20 < np.finfo(np.float32).max
    assert weight == 0 or abs(as32) >= np.finfo(np.float32).tiny


def test_sweep_file_in_utf16_says_so(tmp_path):
    from ktrain_kit import sweep
    path = tmp_path / "wide_sweep.py"
    with open(os.path.join(ROOT, "sweeps", "digits_mlp_lr.py"), encoding="utf-8") as f:
        path.write_bytes(f.read().encode("utf-16"))
    with pytest.raises(UserError) as raised:
        sweep.load_spec(str(path))
    assert "UTF-16" in str(raised.value) and "null bytes" not in str(raised.value)


# ---------------------------------------------------------------- paths with spaces

@pytest.mark.parametrize("flag", ["--workdir", "--config.data.path", "--config.model.init_from"])
@pytest.mark.parametrize("padded", [" {}", "{} ", "{}\n", "\t{}"])
def test_path_with_outer_space_naming_nothing_refused(tmp_path, launch, flag, padded):
    target = str(tmp_path / "runs" / "x")
    extra = ("--config.data.name=csv",) if flag.endswith("data.path") else ()
    code, err = launch(f"--config={CONFIG}", *SHORT, *extra, f"{flag}={padded.format(target)}")
    assert code == 2
    one_line_naming(err, "quoting slip", repr(target))
    assert not os.path.exists(tmp_path / "runs")


def test_path_with_outer_space_that_exists_is_taken(tmp_path, launch, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("run ")  # a legal name, made on purpose
    code, err = launch(f"--config={CONFIG}", *SHORT, "--workdir=run ")
    assert code == 0, err


# ---------------------------------------------------------------- the length of the one line

def test_refusal_quoting_a_huge_cell_is_a_readable_line(capsys):
    """A 5 MB cell quoted whole (the pandas step naming it a missing-value marker) made the
    one line 5 MB: every refusal leaves through cli.fail, which shows a long run by its ends
    and keeps the fix at the end."""
    cell = "x" * 5_000_000
    with pytest.raises(SystemExit) as ended:
        cli.fail(f"file 'd.csv': line 2: {cell!r} in a column of numbers; pass "
                 "--config.data.features='{\"b\": \"categorical\"}'")
    assert ended.value.code == 2
    line = one_line_naming(capsys.readouterr().err, "d.csv", "5,000,002 characters",
                           "--config.data.features")
    assert len(line) < 1000


@SETTINGS
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=600),
                max_size=12))
def test_any_message_shortened_to_a_bounded_line(words):
    message = " ".join(words)
    short = cli.shortened(message)
    assert len(short) <= cli.MAX_LINE
    if len(message) <= cli.MAX_LINE and not cli.LONG_WORD.search(message):
        assert short == message
    assert short[:20] == message[:20] or cli.LONG_WORD.match(message)


# ---------------------------------------------------------------- API paths

def test_callback_path_that_is_a_pipe_refused_at_construction(tmp_path):
    """MetricsCSV(path=a named pipe) waited forever in fit (opening a pipe no one reads)."""
    from ktrain_kit.callbacks import MetricsCSV
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(ValueError, match="path takes .*not a pipe"):
        MetricsCSV(str(pipe))
    MetricsCSV(str(tmp_path / "metrics.csv"))  # a file path still taken


# ---- the three API failures the round found and left (fixed after it) ----

def test_train_takes_a_pathlib_path_as_python_users_pass_it(tmp_path):
    """train(c, pathlib.Path) failed after the data was read: 'Object of type PosixPath is
    not JSON serializable' (the run folder's files record the folder as text)."""
    from conftest import load_config

    from ktrain_kit import training
    c = load_config("digits_mlp", train__epochs=1, schedule__warmup_epochs=0.0,
                    train__verbose=0)
    c.callbacks.doctor.enabled = False
    training.train(c, tmp_path / "run")
    assert (tmp_path / "run" / "summary.json").is_file()
    rows = (tmp_path / "run" / "metrics.csv").read_text().splitlines()
    assert len(rows) == 2 and rows[1].startswith("1,")  # the header and epoch 1


def test_a_checkpoint_index_that_is_not_one_and_no_checkpoint_is_one_line(tmp_path):
    """A `checkpoint` index in UTF-16 (an editor's save) with no checkpoint beside it raised
    UnicodeDecodeError from inside fit; now a UserError naming the file, which is kept."""
    import keras
    import numpy as np

    from ktrain_kit.checkpointing import Checkpoints
    folder = tmp_path / "ck"
    folder.mkdir()
    index = folder / "checkpoint"
    index.write_bytes('model_checkpoint_path: "ckpt-1"\n'.encode("utf-16"))
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(UserError, match="is not TensorFlow's checkpoint index") as caught:
        model.fit(np.zeros((8, 3)), np.zeros(8), epochs=1, verbose=0,
                  callbacks=[Checkpoints(str(folder))])
    assert str(index) in str(caught.value) and "\n" not in str(caught.value)
    assert index.read_bytes() == 'model_checkpoint_path: "ckpt-1"\n'.encode("utf-16")


def test_a_schedule_number_float32_cannot_hold_is_refused_not_a_nan_rate():
    """Schedule('exponential', decay_every=np.float32(1e-40)) gave a NaN rate at step 0: in
    float32 1e-40 loses its digits. Below float32's smallest normal number it is refused;
    at it, the rate is the closed form's."""
    import numpy as np

    from ktrain_kit.schedules import Schedule
    with pytest.raises(ValueError, match="decay_every"):
        Schedule("exponential", 0.1, 8, decay_every=np.float32(1e-40))
    schedule = Schedule("exponential", 0.1, 8, decay_factor=0.5, decay_every=2.0)
    assert [float(schedule(s)) for s in (0, 2, 4)] == pytest.approx(
        [0.1 * 0.5 ** (s / 2.0) for s in (0, 2, 4)], rel=1e-6)
    assert np.isfinite(float(Schedule("exponential", 0.1, 8, decay_every=2e-38)(0)))


def test_doctor_data_with_more_examples_than_labels_or_none_is_refused_where_given():
    """TrainingDoctor(probe_data=(x[:32], y[:16])) failed inside fit (an internal-error note,
    no probe statistics for the whole run); (x[:0], y[:0]) switched the probe off without a
    word. Both are a ValueError in the user's code now, as data without labels is."""
    import numpy as np

    from ktrain_kit.callbacks import TrainingDoctor
    x, y = np.zeros((32, 4), "float32"), np.zeros(32, "int32")
    with pytest.raises(ValueError, match=r"probe_data=.*x has 32 rows and y 16"):
        TrainingDoctor(probe_data=(x, y[:16]))
    with pytest.raises(ValueError, match=r"reference_data=.*holds no examples"):
        TrainingDoctor(reference_data=(x[:0], y[:0]))
    with pytest.raises(ValueError, match=r"validation_data=.*x has 16/32 rows"):
        TrainingDoctor(validation_data=({"a": x, "b": x[:16]}, y))
    # labels as a Python list: refused as fit refuses them (not miscounted as rows)
    with pytest.raises(ValueError, match=r"probe_data=.*y is a Python list"):
        TrainingDoctor(probe_data=({"a": x, "b": x}, [int(v) for v in y]))


def test_a_schedule_with_two_boundaries_on_one_step_is_refused_as_the_config_refuses_it():
    """Schedule('step', boundaries=(3, 3)) decayed twice at step 3 (0.1 -> 0.025) without a
    word; the config has refused the same since round h84. Unsorted boundaries are refused
    too, as the config refuses them ('positive and increasing'); sorted ones decay by the
    closed form base_lr * decay_factor ** (boundaries passed)."""
    from ktrain_kit.schedules import Schedule
    with pytest.raises(ValueError, match="two boundaries on one step"):
        Schedule("step", 0.1, 10, boundaries=(3, 3), decay_factor=0.5)
    Schedule("constant", 0.1, 10, boundaries=(3, 3))  # unread there: every schedule has them
    with pytest.raises(ValueError, match="positive and increasing"):
        Schedule("step", 0.1, 10, boundaries=(5, 3), decay_factor=0.5)
    schedule = Schedule("step", 0.1, 10, boundaries=(3, 5), decay_factor=0.5)
    assert [float(schedule(s)) for s in range(8)] == pytest.approx(
        [0.1 * 0.5 ** sum(s >= b for b in (3, 5)) for s in range(8)], rel=1e-6)


# ---------------------------------------------------------------- --workdir of the wrong kind

@pytest.mark.parametrize("kind", ["device", "pipe", "long name", "file"])
def test_train_workdir_of_the_wrong_kind_is_one_line(tmp_path, kind):
    """launchers.train's --workdir passed to train(), whose argument check raised a ValueError
    (a traceback, exit 1) for a device, a pipe, a name over 255 bytes; lr_find and the other
    launchers refused them in one line. Checked before anything is built; nothing written."""
    from conftest import run_launcher
    workdir = {"device": "/dev/null", "pipe": str(tmp_path / "fifo"),
               "long name": str(tmp_path / ("a" * 300)), "file": str(tmp_path / "notes.txt")}[kind]
    if kind == "pipe":
        os.mkfifo(workdir)
    if kind == "file":
        open(workdir, "w").write("mine")
    result = run_launcher("launchers.train", f"--config={CONFIG}", *SHORT, f"--workdir={workdir}",
                          timeout=120)
    assert result.returncode == 2, result.stderr
    one_line_naming(result.stderr, "--workdir")
    assert sorted(os.listdir(tmp_path)) == ([] if kind in ("device", "long name") else
                                            [os.path.basename(workdir)])
    if kind == "file":
        assert open(workdir).read() == "mine"
