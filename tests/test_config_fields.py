"""Per-field rules as tables (ktrain_kit/config_fields.py), checked over whole classes: every
typed key against every value a locked config lets in, every number key against values just
outside its range, every key that another key selects, every name key against near misses.
In-process: validate() needs no TensorFlow."""

import math

import pytest

from ktrain_kit import config as config_lib
from ktrain_kit import config_fields
from ktrain_kit.errors import UserError

from conftest import load_config

DEFAULTS = config_lib.default_config()
KINDS = config_fields.field_kinds(DEFAULTS)
# What a config file can write into any field: ml_collections refuses some of these per
# field (a TypeError when the file loads, reported by cli), and lets the rest in.
ANY_VALUES = [None, True, False, 0, 1, -1, 1.5, "x", "", (1,), (), [1], {"a": 1}]


def _set(config, key, value):
    *path, last = key.split(".")
    node = config
    for part in path:
        node = node[part]
    node[last] = value  # raises TypeError where the locked config refuses the type


def _refused_naming(config, key):
    with pytest.raises(UserError) as e:
        config_lib.validate(config)
    message = str(e.value)
    assert f"config key '{key}'" in message and "\n" not in message, message
    return message


def test_every_number_key_has_a_range():
    """A number key added to the config without a row in RANGES fails here: no key is left
    checked only where it happens to be used."""
    numbers = {k for k, kind in KINDS.items() if kind in (int, float)}
    assert numbers == set(config_fields.RANGES)


def test_every_key_of_any_type_has_a_shape():
    untyped = {k for k, _ in config_fields.leaves(DEFAULTS)} - set(KINDS)
    assert untyped == set(config_fields.SHAPES)


@pytest.mark.parametrize("key", sorted(KINDS))
def test_a_value_the_locked_config_lets_in_but_of_another_kind_is_refused_naming_the_key(key):
    """None anywhere, True for a count, a list for text: what ml_collections' type check lets
    through is refused by validate(), naming the key, before any arithmetic (a TypeError
    traceback before; `data.batch_size = True` trained on batches of 1)."""
    kind = KINDS[key]
    tried = 0
    for value in ANY_VALUES:
        c = load_config("digits_mlp")
        try:
            _set(c, key, value)
        except TypeError:
            continue
        stored = config_fields.value_at(c, key)
        if config_fields.is_kind(stored, kind):
            continue  # the right kind (1 into a float field is 1.0): other rules judge it
        tried += 1
        message = _refused_naming(c, key)
        assert "is not" in message
    assert tried >= 1  # None gets into every field


def _outside(rule):
    """Values just outside a RANGES rule, worked out here from the rule's text."""
    if rule.startswith("one of "):
        allowed = [float(v) for v in rule[len("one of "):].split(",")]
        return [min(allowed) - 1, max(allowed) + 1]
    if rule.startswith(">="):
        return [float(rule[2:]) - 1]
    if rule.startswith(">"):
        return [float(rule[1:]), float(rule[1:]) - 1]
    low, high = (float(v) for v in rule[1:-1].split(","))
    out = [low - 1, high + 1]
    out += [low] if rule[0] == "(" else []
    out += [high] if rule[-1] == ")" else []
    return out


def _inside(rule):
    if rule.startswith("one of "):
        return [float(v) for v in rule[len("one of "):].split(",")]
    if rule.startswith(">="):
        return [float(rule[2:]), float(rule[2:]) + 7]
    if rule.startswith(">"):
        return [float(rule[1:]) + 0.5]
    low, high = (float(v) for v in rule[1:-1].split(","))
    return [(low + high) / 2] + ([low] if rule[0] == "[" else []) + \
        ([high] if rule[-1] == "]" else [])


@pytest.mark.parametrize("key", sorted(config_fields.RANGES))
def test_every_number_key_refuses_values_just_outside_its_range(key):
    rule = config_fields.RANGES[key]
    kind = KINDS[key]
    for value in _outside(rule):
        if kind is int and value != math.floor(value):
            continue
        c = load_config("digits_mlp")
        _set(c, key, kind(value))
        message = _refused_naming(c, key)
        assert f"got {kind(value)}" in message
    for value in _inside(rule):
        if kind is int and value != math.floor(value):
            continue
        c = load_config("digits_mlp")
        _set(c, key, kind(value))
        config_fields.check_ranges(c)  # accepted (other rules may still refuse the config)


# For each key one value of its shape and one that is not.
SHAPE_CASES = {
    "data.header": (True, "yes"),
    "data.text_column": ("review", 1.5),
    "data.label_column": (0, [1]),
    "data.label_columns": (("a", 2), 5),
    "data.features": ({"a": "numeric"}, "a=numeric"),
    "data.class_weight": ("balanced", 3),
}


@pytest.mark.parametrize("key", sorted(config_fields.SHAPES))
def test_a_key_of_any_type_refuses_values_of_another_shape(key):
    good, bad = SHAPE_CASES[key]
    c = load_config("digits_mlp", data__name="csv", data__path="t.csv")
    _set(c, key, good)
    config_fields.check_shapes(c)
    _set(c, key, bad)
    with pytest.raises(UserError, match=f"config key '{key}'"):
        config_fields.check_shapes(c)


# A value each key may take, and a selecting value that reads it.
APPLIES_CASES = {
    "data.path": ("/data/t.csv", "csv"),
    "data.text_column": ("review", "csv"),
    "data.features": ({"a": "numeric"}, "csv"),
    "data.encoding": ("cp1252", "text_folder"),
    "data.delimiter": (";", "csv"),
    "data.decimal": (",", "csv"),
    "data.quoting": ("none", "csv"),
    "data.min_updates_per_epoch": (4, "csv"),
    "data.drop_unlabeled": (True, "csv"),
    "data.label_column": ("y", "tfrecord"),
    "data.label_columns": (("a", "b"), "csv"),
    "data.header": (False, "csv"),
    "data.skip_bad_files": (True, "image_folder"),
    "data.in_memory_limit_mb": (16, "image_folder"),
    "data.shuffle_buffer": (256, "tfrecord"),
    "data.text_length": (64, "text_folder"),
    "data.text_max_tokens": (500, "csv"),
    "data.text_tokens": ("characters", "csv"),
    "model.backbone": ("MobileNetV3Small", "keras_app"),
    "model.backbone_weights": ("/w.h5", "keras_app"),
    "optimizer.ema_momentum": (0.9, True),
    "train.nan_max_restores": (5, "restore"),
    "train.nan_lr_factor": (0.1, "restore"),
    "callbacks.reduce_on_plateau.monitor": ("val_accuracy", True),
    "callbacks.reduce_on_plateau.factor": (0.2, True),
    "callbacks.reduce_on_plateau.patience": (7, True),
    "callbacks.reduce_on_plateau.min_delta": (0.01, True),
    "callbacks.reduce_on_plateau.min_multiplier": (0.01, True),
    "callbacks.reduce_on_plateau.cooldown": (3, True),
    "callbacks.reduce_on_plateau.min_lr": (1e-5, True),
}


@pytest.mark.parametrize("key", sorted(config_fields.APPLIES_TO))
def test_a_key_set_while_another_key_selects_what_never_reads_it_is_refused(key):
    """`data.path=my.csv` with data.name=digits trained on the digits without a word."""
    value, reader = APPLIES_CASES[key]
    selector, readers = config_fields.APPLIES_TO[key]
    assert reader in readers
    c = load_config("digits_mlp")
    _set(c, key, value)
    assert config_fields.value_at(c, selector) not in readers
    _refused_naming(c, key)
    _set(c, selector, reader)
    config_fields.check_applies(c, DEFAULTS)


def test_a_config_leaving_those_keys_at_their_defaults_passes():
    for name in ("digits_mlp", "digits_cnn", "tabular_binary", "sequence_transformer"):
        config_fields.check_applies(load_config(name), DEFAULTS)


NAME_KEYS = {"task.name": config_lib.TASKS, "data.name": config_lib.DATASETS,
             "model.norm": config_lib.NORMS, "model.activation": config_lib.ACTIVATIONS,
             "model.initializer": config_lib.INITIALIZERS,
             "optimizer.name": config_lib.OPTIMIZERS, "schedule.name": config_lib.SCHEDULES,
             "schedule.unit": config_lib.DURATION_UNITS, "train.precision": config_lib.PRECISIONS,
             "train.strategy": config_lib.STRATEGIES, "train.nan_policy": config_lib.NAN_POLICIES,
             "model.name": config_lib.MODELS}


@pytest.mark.parametrize("key", sorted(NAME_KEYS))
def test_a_name_in_other_letter_case_is_refused_with_the_name_meant(key):
    for name in NAME_KEYS[key]:
        if name.upper() == name:
            continue
        c = load_config("digits_mlp")
        _set(c, key, name.upper())
        message = _refused_naming(c, key)
        assert f"did you mean '{name}'?" in message, message


def test_a_name_with_a_letter_missing_suggests_a_known_name():
    for key, names in NAME_KEYS.items():
        for name in names:
            if len(name) < 5 or name[:-1] in names:  # 'adamw' less a letter is 'adam'
                continue
            c = load_config("digits_mlp")
            _set(c, key, name[:-1])
            message = _refused_naming(c, key)
            suggested = message.split("did you mean '")[1].split("'")[0]
            assert suggested in names, message


def test_a_monitor_a_few_letters_off_names_the_metric_meant():
    c = load_config("digits_mlp")
    c.callbacks.early_stopping.monitor = "val_acc"
    assert "did you mean 'val_accuracy'?" in _refused_naming(c, "callbacks.early_stopping.monitor")


def test_a_config_or_sweep_file_path_near_miss_names_the_file_meant(tmp_path):
    (tmp_path / "digits_mlp.py").write_text("")
    near = config_fields.near_file
    assert near(str(tmp_path / "digits_mlp")) == \
        f"did you mean --config={tmp_path / 'digits_mlp.py'}? "
    assert near(str(tmp_path / "digit_mlp.py"), "sweep") == \
        f"did you mean --sweep={tmp_path / 'digits_mlp.py'}? "
    assert near(str(tmp_path / "resnet.py")) == ""
    assert near(str(tmp_path / "missing_folder" / "x.py")) == ""


@pytest.mark.parametrize("key", sorted(KINDS))
def test_a_value_the_locked_config_refuses_is_told_as_the_kind_the_key_takes(key):
    """A config file's `c.train.epochs = 2.0` stops in ml_collections with 'Could not override
    field ... cannot be casted to type <class 'int'>'; the launcher's line says which kind the
    field takes, for every key and every value it refuses."""
    from ktrain_kit import cli
    field = key.rsplit(".", 1)[-1]
    refused = 0
    for value in ANY_VALUES:
        try:
            _set(load_config("digits_mlp"), key, value)
        except TypeError as e:
            refused += 1
            detail = cli._kind_in_words(str(e))
            assert detail.startswith(f"'{field}' takes {cli.KIND_WORDS[KINDS[key].__name__]}"), \
                detail
            assert "\n" not in detail and "not the " in detail, detail
    assert refused >= 1


def test_every_open_ended_number_key_has_a_limit_or_a_reason_it_needs_none():
    """`data.text_length=1e9` passed every check and died allocating [examples, 1e9] ids: a
    key open above must either have a limit (config.LIMITS) or say why it needs none
    (config.UNLIMITED), so a new key cannot be left open by accident."""
    open_ended = {k for k, rule in config_fields.RANGES.items() if rule.startswith(">")}
    limited, unlimited = set(config_lib.LIMITS) & open_ended, set(config_lib.UNLIMITED)
    assert not limited & unlimited
    assert open_ended == limited | unlimited


@pytest.mark.parametrize("key", sorted(config_lib.LIMITS))
def test_every_limit_refuses_the_value_above_it_naming_the_key(key):
    c = load_config("digits_mlp")
    _set(c, key, KINDS[key](config_lib.LIMITS[key] + 1))
    assert "beyond any sensible value" in _refused_naming(c, key)


@pytest.mark.parametrize("key,value", [("schedule.boundaries", (10, 20.5)),
                                       ("schedule.decay_every", 2.5)])
def test_a_duration_in_steps_is_a_whole_number(key, value):
    """With schedule.unit=steps, 20.5 steps was cut to 20 without a word; in epochs it is a
    fraction of an epoch, and fine."""
    c = load_config("digits_mlp", schedule__unit="steps", schedule__name="step",
                    schedule__warmup_epochs=0.0, schedule__boundaries=(10, 20))
    _set(c, key, value)
    _refused_naming(c, key)
    _set(c, "schedule.unit", "epochs")
    _set(c, "schedule.boundaries", (1, 2.5))
    config_lib.validate(c)


@pytest.mark.parametrize("value, fits", [
    ("auto", True), ("cp1252", True), ("latin-1", True), ("windows-1252", True),
    ("utf-16-le", True), ("shift_jis", True), ("cp-1252", False), ("win1252", False),
    ("base64", False), ("zlib", False), ("rot13", False), ("rot-13", False), ("", False)])
def test_data_encoding_takes_python_text_codecs_only(value, fits):
    """Checked with the config (no file opened, no TensorFlow): a bytes-to-bytes codec
    (base64, zlib) or rot13 decodes no file; a name Python does not know, with the one meant."""
    c = load_config("tabular_binary", data__name="csv", data__path="t.csv")
    _set(c, "data.encoding", value)
    if fits:
        config_fields.check_text_rules(c)
        return
    with pytest.raises(UserError, match="config key 'data.encoding'") as e:
        config_fields.check_text_rules(c)
    if value == "cp-1252":
        assert "did you mean 'cp1252'?" in str(e.value)
