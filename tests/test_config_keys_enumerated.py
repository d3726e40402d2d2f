"""Every config key x every class of value, enumerated from `default_config()` so that a key
added later is covered with no new row: on the command line (`--config.KEY=VALUE`), in a
config file (`c.KEY = VALUE`), and keys that do not exist at every nesting level. Each case
goes through the launchers' own flag parsing (cli.parse_flags, on a fresh absl FlagValues) and
validate(), in this process: refused before TensorFlow, so the whole file takes seconds.

A case passes when it is accepted (then the value is finite and the data's own checks take
it, or refuse it naming the key) or refused with exit code 2 and one line naming the key. What
this found on HEAD (benchmarks/BAD_INPUTS.md, round h62):
- a NumPy number from a config file (`c.optimizer.momentum = numpy.float64(0.5)`, a float to
  the locked config) was a traceback for every key of APPLIES_TO / READ_BY_CHOICE (17 keys):
  `value in ("", None, (), ...)` compares with () element-wise;
- an override below a text or tuple value (`--config.model.name.x=1`, 26 keys) was told as
  "config file 'configs/digits_mlp.py': get_config() returned a str";
- a NumPy int64 / bool_ refused by the locked config was worded "'epochs' takes a whole
  number, not the int64 3";
- data.header, data.skip_bad_files, data.in_memory_limit_mb, data.shuffle_buffer,
  data.text_length, data.text_max_tokens set under a data.name that never reads them trained
  without a word (`--config.data.header=false` on the digits);
- data.augment.crop_padding at or past the images' side trained on blank crops;
- model.freeze / optimizer.weight_decay_exclude that is no regex was refused only after
  TensorFlow started.
"""

import math
import os
import re
import sys

import numpy as np
import pytest
from absl import flags
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ml_collections import config_flags

from benchmarks.config_values import OVERRIDE_VALUES
from ktrain_kit import cli, config_fields
from ktrain_kit import config as config_lib
from ktrain_kit.errors import UserError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "configs", "digits_mlp.py")
DEFAULTS = config_lib.default_config()
KEYS = [key for key, _ in config_fields.leaves(DEFAULTS)]
SECTIONS = sorted({""} | {".".join(k.split(".")[:i]) for k in KEYS
                         for i in range(1, k.count(".") + 1)})

# Each class of value as a shell passes it to --config.KEY= (the benchmark's table).
# The same classes as a config file writes them, and what only a file can write: NumPy's
# numbers and arrays, bytes.
FILE_VALUES = {
    "text": "'abc'", "number": "123", "list": "[1, 2]", "dict": "{'a': 1}", "negative": "-1",
    "zero": "0", "huge float": "1e300", "huge int": "10**30", "nan": "float('nan')",
    "inf": "float('inf')", "empty": "''", "space": "' '", "emoji": "'\U0001F642'",
    "True": "True", "float for int": "2.5", "None": "None", "bytes": "b'x'",
    "numpy float": "numpy.float64(0.5)", "numpy int": "numpy.int64(3)",
    "numpy nan": "numpy.float64('nan')", "numpy bool": "numpy.bool_(True)",
    "numpy array": "numpy.array([1.0, 2.0])",
}


@pytest.fixture
def launch(monkeypatch, capsys):
    """launchers.train's checks before TensorFlow on a command line: (exit code, the error
    line or the config). Its flags on a fresh FlagValues, as the launcher defines them. (The
    standalone harness, benchmarks/config_values.py, runs the launcher itself in a fork.)"""
    def run(*argv):
        values = flags.FlagValues()
        config_flags.DEFINE_config_file("config", None, "", flag_values=values,
                                        lock_config=True)
        monkeypatch.setattr(cli, "FLAGS", values)
        monkeypatch.setattr(sys, "argv", ["launchers/train.py", *argv])
        capsys.readouterr()
        try:
            cli.parse_flags(sys.argv)
            config_lib.validate(values.config)  # then the notes, as launchers.train does
            config_lib.unread_key_notes(values.config, cli.overridden_keys())
        except SystemExit as e:
            return e.code, capsys.readouterr().err
        except UserError as e:
            return 2, f"error: {e}\n"
        return 0, values.config
    return run


def assert_refused_naming(code, said, *names):
    assert code == 2, said
    lines = said.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), said
    assert "Traceback" not in said
    assert any(name in lines[0] for name in names), (names, said)


def assert_accepted_sensibly(config, key):
    """Accepted: every number finite, and the checks on the loaded data (the digits) take it
    or refuse it naming the key."""
    for name, value in config_fields.leaves(config):
        items = value if isinstance(value, (tuple, list)) else [value]
        assert all(math.isfinite(v) for v in items if isinstance(v, float)), (name, value)
    from ktrain_kit import data as data_lib
    try:
        data = data_lib.load(config.data, config.task, config.seed)
        config_lib.validate_against_data(config, data)
    except UserError as e:
        assert "\n" not in str(e) and f"config key '{key}'" in str(e), str(e)


@pytest.mark.parametrize("key", KEYS)
def test_every_key_on_the_command_line_takes_or_refuses_every_class_of_value(launch, key):
    for kind, value in OVERRIDE_VALUES.items():
        code, result = launch(f"--config={CONFIG}", f"--config.{key}={value}")
        if code == 0:
            assert_accepted_sensibly(result, key)
        else:
            assert_refused_naming(code, result, key)  # a rule between two keys names both


@pytest.mark.parametrize("key", KEYS)
def test_every_key_in_a_config_file_takes_or_refuses_every_class_of_value(launch, key,
                                                                          tmp_path):
    with open(CONFIG, encoding="utf-8") as f:
        source = f.read()
    leaf = key.rsplit(".", 1)[-1]
    for kind, value in FILE_VALUES.items():
        path = tmp_path / f"{kind.replace(' ', '_')}.py"
        path.write_text("import numpy\n" + source.replace(
            "    return c", f"    c.{key} = {value}\n    return c"), encoding="utf-8")
        code, result = launch(f"--config={path}")
        if code == 0:
            assert_accepted_sensibly(result, key)
            continue
        assert_refused_naming(code, result, key, f"'{leaf}'")
        if f"'{leaf}' takes" in result:  # the locked config's refusal: the file and its line
            assert str(path) in result and "at line" in result, result


@pytest.mark.parametrize("kind", ["numpy float", "numpy int", "numpy bool"])
def test_a_numpy_number_is_told_as_numpys_with_the_python_kind_to_write(launch, tmp_path, kind):
    """'epochs' takes a whole number, not the int64 3' left the user to guess why 3 is not
    a whole number."""
    key = {"numpy float": "train.epochs", "numpy int": "train.epochs",
           "numpy bool": "model.from_logits"}[kind]
    with open(CONFIG, encoding="utf-8") as f:
        source = f.read()
    path = tmp_path / "numpy_config.py"
    path.write_text("import numpy\n" + source.replace(
        "    return c", f"    c.{key} = {FILE_VALUES[kind]}\n    return c"), encoding="utf-8")
    code, said = launch(f"--config={path}")
    assert_refused_naming(code, said, key.rsplit(".", 1)[-1])
    if kind == "numpy float":  # 0.5 is no whole number whatever its type
        assert "not the float64 0.5" in said, said
    else:
        python = "int" if kind == "numpy int" else "bool"
        assert "not NumPy's" in said and f"write {python}(...) around it" in said, said


@pytest.mark.parametrize("section", SECTIONS)
def test_a_key_that_does_not_exist_is_named_at_every_level(launch, section, tmp_path):
    """A made-up key, a key a letter short, and one in capitals, under each section; on the
    command line and in a file."""
    node = config_fields.value_at(DEFAULTS, section) if section else DEFAULTS
    first = sorted(node.keys())[0]
    prefix = f"{section}." if section else ""
    for name in ("nosuchkey", first[:-1] if len(first) > 2 else first + "x", first.upper()):
        code, said = launch(f"--config={CONFIG}", f"--config.{prefix}{name}=1")
        assert_refused_naming(code, said, f"'{prefix}{name}'")
        path = tmp_path / "unknown.py"
        with open(CONFIG, encoding="utf-8") as f:
            path.write_text(f.read().replace("    return c", f"    c.{prefix}{name} = 1\n"
                                             "    return c"), encoding="utf-8")
        code, said = launch(f"--config={path}")
        assert_refused_naming(code, said, f"'{name}'", f"'{prefix}{name}'")


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(KEYS), tail=st.lists(st.from_regex(r"[a-z_][a-z0-9_]{0,8}",
                                                              fullmatch=True),
                                                min_size=1, max_size=3))
def test_an_override_below_any_value_names_that_value(launch, key, tail):
    """`--config.model.name.x=1`: a value has no keys. Below a number or True/False it was
    named; below text or a tuple it was "config file 'configs/digits_mlp.py': get_config()
    returned a str" (the value ml_collections was setting a key on)."""
    code, said = launch(f"--config={CONFIG}", f"--config.{key}.{'.'.join(tail)}=1")
    assert_refused_naming(code, said, f"'{key}' is a value, not a section")


@settings(max_examples=200, deadline=None)
@given(dtype=st.sampled_from(["int8", "int16", "int32", "int64", "uint8", "uint32", "uint64",
                              "float16", "float32", "float64", "bool_", "str_"]),
       key=st.sampled_from(sorted(config_fields.field_kinds(DEFAULTS))))
def test_every_numpy_scalar_in_every_typed_field_is_taken_or_worded(dtype, key):
    """The parser of ml_collections' refusal (config_fields.kind_in_words) words every NumPy
    scalar type it can meet, in every typed field: never None (the raw message), and Python's
    kind to write where only the type is wrong."""
    value = getattr(np, dtype)(1)
    c = config_lib.default_config()
    *path, last = key.split(".")
    node = c
    for part in path:
        node = node[part]
    try:
        node[last] = value
    except TypeError as e:
        words = config_fields.kind_in_words(str(e))
        assert words and words.startswith(f"'{last}' takes "), str(e)
        wanted = type(config_fields.value_at(DEFAULTS, key)).__name__
        if config_fields._numpy_fits(dtype, wanted):
            assert f"write {wanted}(...) around it" in words, words
        return
    try:  # taken: the checks then accept it or refuse it in one line naming a key
        config_lib.validate(c)
        config_lib.unread_key_notes(c, {key})
    except UserError as e:
        assert re.match(r"config key '[\w.]+'", str(e)) and "\n" not in str(e), str(e)


def test_a_numpy_float_in_a_selected_key_is_judged_not_a_traceback():
    """The 17 keys of APPLIES_TO / READ_BY_CHOICE that hold a float, each a NumPy float:
    `value in UNSET` raised 'The truth value of an empty array is ambiguous'."""
    floats = [k for k in {**config_fields.APPLIES_TO, **config_fields.READ_BY_CHOICE}
              if isinstance(config_fields.value_at(DEFAULTS, k), float)]
    assert len(floats) >= 17
    for key in floats:
        c = config_lib.default_config()
        section, _, name = key.rpartition(".")
        config_fields.value_at(c, section)[name] = np.float64(0.25)
        try:
            config_lib.validate(c)
        except UserError as e:
            assert "\n" not in str(e) and str(e).startswith("config key '"), str(e)
        config_lib.unread_key_notes(c, {key})


# data.name values that read none of these keys: the digits (in memory, no file).
READER_OPTIONS = {"data.header": False, "data.skip_bad_files": True,
                  "data.in_memory_limit_mb": 16, "data.shuffle_buffer": 256,
                  "data.text_length": 64, "data.text_max_tokens": 500,
                  "data.text_tokens": "characters"}


@pytest.mark.parametrize("key", sorted(READER_OPTIONS))
def test_a_readers_option_under_a_data_name_that_never_reads_it_is_refused(launch, key):
    """`--config.data.header=false` on the digits trained on the digits without a word."""
    code, said = launch(f"--config={CONFIG}", f"--config.{key}={READER_OPTIONS[key]}")
    assert_refused_naming(code, said, f"config key '{key}'")
    assert "is read only when data.name is" in said


@pytest.mark.parametrize("key,value", [("data.num_classes", 5), ("data.image_size", 16),
                                       ("data.synthetic_examples", 100),
                                       ("model.num_heads", 8), ("model.mlp_ratio", 4)])
def test_a_generator_or_model_key_named_under_a_choice_that_never_reads_it_is_noted(key, value):
    """Noted, not refused: the shipped configs set these for their generated data and README
    runs them on files; named on the command line, the user expects them to act."""
    c = config_lib.with_overrides(config_lib.default_config(), {key: value})
    c.model.name = "mlp"
    notes = config_lib.unread_key_notes(c, {key})
    assert len(notes) == 1 and notes[0].startswith(f"ktrain_kit: note: {key}={value} has no "
                                                   "effect"), notes
    assert config_lib.unread_key_notes(c, set()) == []  # set in a file: rightly unread
    c.model.name = "pkg.module:build"  # a builder of the user's may read any model key
    assert not [n for n in config_lib.unread_key_notes(c, {key}) if "model." in n]


def test_a_crop_padding_at_the_images_side_is_refused_below_it_taken():
    from ktrain_kit import data as data_lib
    c = config_lib.default_config()
    c.model.name = "mlp"
    data = data_lib.load(c.data, c.task, c.seed)
    side = min(data.input_shape[:2])
    for padding in (side, side + 1, 123):
        c.data.augment.crop_padding = padding
        with pytest.raises(UserError, match="config key 'data.augment.crop_padding'"):
            config_lib.validate_against_data(c, data)
    c.data.augment.crop_padding = side - 1
    config_lib.validate_against_data(c, data)


@pytest.mark.parametrize("key", ["model.freeze", "optimizer.weight_decay_exclude"])
def test_a_regex_list_that_is_no_regex_is_refused_before_tensorflow(launch, key):
    """`--config.model.freeze='['` was refused only once TensorFlow had started and the model
    was built; whether a rule matches is known only then, whether it is a regex now."""
    assert key in config_fields.REGEX_LISTS
    for rules in ("[", "dense,(", "a**"):
        code, said = launch(f"--config={CONFIG}", f"--config.{key}={rules}")
        assert_refused_naming(code, said, f"config key '{key}'")
        assert "is not a valid regex" in said
    code, _ = launch(f"--config={CONFIG}", f"--config.{key}=dense, kernel$,")
    assert code == 0
