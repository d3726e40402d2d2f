"""Config validation: every rule refuses with one line naming the key (no TensorFlow here)."""

import pytest

from ktrain_kit import config as config_lib
from ktrain_kit.errors import UserError

from conftest import load_config, run_launcher

BAD = [
    ("schedule.base_lr", -0.1, "schedule.base_lr"),
    ("schedule.base_lr", 0.0, "schedule.base_lr"),
    ("model.dropout", 1.0, "model.dropout"),
    ("train.epochs", 0, "train.epochs"),
    ("data.batch_size", 0, "data.batch_size"),
    ("optimizer.name", "rmsprop", "optimizer.name"),
    ("schedule.name", "cyclic", "schedule.name"),
    ("model.name", "vit", "model.name"),
    ("data.name", "mnist", "data.name"),
    ("train.precision", "float8", "train.precision"),
    ("train.strategy", "horovod", "train.strategy"),
    ("model.norm", "instance", "model.norm"),
    ("train.accumulation_steps", 3, "data.batch_size"),
    ("schedule.warmup_steps", 10_000, "schedule.warmup_steps"),
    ("schedule.warmup_epochs", 100.0, "schedule.warmup_epochs"),
    ("data.val_fraction", 0.0, "data.val_fraction"),
    ("optimizer.weight_decay", -1.0, "optimizer.weight_decay"),
    ("data.path", "", "data.path"),  # with data.name=npz below
]


@pytest.mark.parametrize("key,value,named", BAD, ids=[f"{k}={v}" for k, v, _ in BAD])
def test_bad_values_name_the_key(key, value, named):
    c = load_config("digits_cnn")
    if key == "data.path":
        c.data.name = "npz"
    if key == "schedule.warmup_steps":
        c.schedule.warmup_epochs = 0.0
    section, field = key.split(".")
    c[section][field] = value
    with pytest.raises(UserError) as e:
        config_lib.validate(c)
    message = str(e.value)
    assert f"'{named}'" in message and "\n" not in message


def test_two_clippings_at_once_is_refused():
    c = load_config("digits_cnn")
    c.optimizer.clip_global_norm, c.optimizer.clip_value = 1.0, 0.5
    with pytest.raises(UserError, match="optimizer.clip_value"):
        config_lib.validate(c)


def test_step_boundary_past_the_end_is_refused():
    c = load_config("images_resnet")
    c.schedule.boundaries = (4, 20)
    with pytest.raises(UserError, match="schedule.boundaries"):
        config_lib.validate(c)


def test_every_shipped_config_validates():
    for name in SHIPPED:
        config_lib.validate(load_config(name))


SHIPPED = ("digits_cnn", "digits_mlp", "sequence_transformer", "images_resnet", "tabular_binary",
           "tabular_regression")


@pytest.mark.parametrize("key,value,named", [
    ("schedule.base_lr", float("nan"), "schedule.base_lr"),
    ("schedule.warmup_epochs", float("inf"), "schedule.warmup_epochs"),
    ("optimizer.weight_decay", float("nan"), "optimizer.weight_decay"),
    ("optimizer.clip_global_norm", float("inf"), "optimizer.clip_global_norm"),
    ("schedule.decay_every", float("nan"), "schedule.decay_every"),
    ("schedule.boundaries", (2.0, float("inf")), "schedule.boundaries"),
    ("seed", -1, "seed"),
    ("seed", 2**40, "seed"),
    ("model.width", 10**6, "model.width"),
    ("data.image_size", 100_000, "data.image_size"),
    ("train.epochs", 10**9, "train.epochs"),
    ("callbacks.early_stopping.monitor", "val_acuracy", "callbacks.early_stopping.monitor"),
    ("callbacks.early_stopping.monitor", "val_auc", "callbacks.early_stopping.monitor"),
    ("task.name", "ranking", "task.name"),
    ("task.loss", "mse", "task.loss"),
    ("task.label_smoothing", 1.0, "task.label_smoothing"),
    ("model.name", "mymodels:", "model.name"),
    ("model.init_from", "/nonexistent/run", "model.init_from"),
    ("data.class_weight", "weighted", "data.class_weight"),
])
def test_no_number_or_name_slips_through(key, value, named):
    c = load_config("digits_mlp")
    node = c
    *path, last = key.split(".")
    for part in path:
        node = node[part]
    node[last] = value
    with pytest.raises(UserError) as e:
        config_lib.validate(c)
    assert f"'{named}'" in str(e.value) and "\n" not in str(e.value)


def test_a_plateau_monitor_must_be_logged_by_the_task():
    c = load_config("tabular_regression")
    c.callbacks.reduce_on_plateau.enabled = True
    c.callbacks.reduce_on_plateau.monitor = "val_accuracy"
    with pytest.raises(UserError, match="val_mae"):
        config_lib.validate(c)
    c.callbacks.reduce_on_plateau.monitor = "val_rmse"
    config_lib.validate(c)


def test_user_model_names():
    assert config_lib.is_user_model("my_pkg.models:small_cnn")
    assert not config_lib.is_user_model("my_pkg.models:")
    assert not config_lib.is_user_model("cnn")
    assert not config_lib.is_user_model("a b:c")


def test_config_is_locked():
    c = config_lib.default_config()
    c.lock()
    with pytest.raises(AttributeError):
        c.optimizer.nmae = "sgd"


def test_names_agree_with_builders():
    from ktrain_kit import data, models, optim, schedules, tasks
    assert set(config_lib.DATASETS) == set(data.SOURCES)
    assert set(config_lib.TASKS) == set(tasks.METRICS) == set(tasks.LOSSES)
    assert set(config_lib.MODELS) == set(models.BUILDERS)
    assert set(config_lib.OPTIMIZERS) == set(optim.OPTIMIZERS)
    assert set(config_lib.SCHEDULES) == set(schedules.DECAYS)


def test_saved_config_round_trips_through_json():
    import json
    c = load_config("tabular_binary")
    c.data.class_weight = {"0": 1.0, "1": 3.0}
    back = config_lib.from_saved(json.loads(c.to_json()))
    assert json.loads(back.to_json()) == json.loads(c.to_json())


def test_mistyped_override_exits_2_naming_the_key():
    result = run_launcher("launchers.train", "--config=configs/digits_cnn.py",
                          "--config.optimizer.nmae=sgd")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "nmae" in lines[0] and "Traceback" not in result.stderr


def test_bad_override_type_exits_2():
    result = run_launcher("launchers.train", "--config=configs/digits_cnn.py",
                          "--config.train.epochs=ten")
    assert result.returncode == 2
    assert "train.epochs" in result.stderr and "Traceback" not in result.stderr


HOSTILE = {
    float: [0.0, -0.0, -1.0, 1e-300, 1e300, float("nan"), float("inf"), -float("inf"), 2.0],
    int: [0, -1, 2**31, 2**63, -2**63, 10**12],
    str: ["", " ", "none", "None", "é", "x" * 1000, "../..", "a,b", "-1", "True"],
    bool: [True, False],
    tuple: [(), (0,), (-1, 2), (float("nan"),), (1, 1), (2, 1), ("a",), ((1, 2),)],
}


@pytest.mark.parametrize("name", SHIPPED)
def test_every_key_refuses_hostile_values_in_one_line_or_accepts_them(name):
    """Every key of every shipped config, set to values of its type that users and scripts
    produce by mistake (NaN, 2^63, '', nested tuples): validate() accepts or raises one
    UserError line, never another exception (each would be a traceback at the command line)."""
    base = load_config(name)
    crashes = []
    for key in sorted(config_lib.flat_keys(base)):
        current = config_lib.value_at(base, key)
        values = HOSTILE.get(type(current)) if current is not None else \
            [v for vs in HOSTILE.values() for v in vs]
        for value in values or []:
            try:
                config_lib.validate(config_lib.with_overrides(base, {key: value}))
            except UserError as e:
                if "\n" in str(e):
                    crashes.append((key, value, "several lines"))
            except Exception as e:  # noqa: BLE001 - what the test is looking for
                crashes.append((key, value, type(e).__name__))
    assert not crashes, crashes[:5]


def test_a_batch_is_fitted_to_any_data_size_and_replica_count():
    """Every training-set size, accumulation and replica count: the batch a run trains on is
    the config's when the data holds it, else the largest multiple of accumulation x replicas
    within the data (never more examples than exist, always whole micro-batches per replica);
    refused, naming data.batch_size, only when not one such multiple fits."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None)
    @given(examples=st.integers(1, 300), per_replica=st.sampled_from([1, 2, 4]),
           replicas=st.sampled_from([1, 2, 8]), multiple=st.integers(1, 40))
    def check(examples, per_replica, replicas, multiple):
        c = load_config("digits_mlp", train__accumulation_steps=per_replica, train__epochs=3,
                        schedule__warmup_epochs=0.0)
        per_update = per_replica * replicas
        c.data.batch_size = configured = per_update * multiple
        if examples < per_update:
            with pytest.raises(UserError, match="config key 'data.batch_size'"):
                config_lib.validate_steps(c, examples, replicas)
            return
        config_lib.fit_batch_to_data(c, examples, replicas)
        batch = c.data.batch_size
        assert batch == (configured if configured <= examples else
                         max(b for b in range(per_update, examples + 1, per_update)))
        config_lib.validate_steps(c, examples, replicas)  # accepted as it now stands
    check()


def test_a_small_tables_batch_gives_enough_updates_an_epoch():
    """A table (data.name=csv): the batch is the largest multiple of accumulation x replicas,
    within the config's batch and the data, that gives data.min_updates_per_epoch updates an
    epoch, or, where only smaller ones would, the largest giving as many updates as
    SMALLEST_TABLE_BATCH does (mtcars' 26 training rows: one batch of 26, where 16 left 10 rows
    out of every epoch); 0 there, or other data, keep Keras' rule (the batch, or the whole
    training set when that is smaller)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    floor = config_lib.SMALLEST_TABLE_BATCH

    def fits(batch, examples, configured, per_update, least):
        return batch <= min(configured, examples) and batch % per_update == 0 and (
            examples // batch >= min(least, examples // max(floor, per_update)))

    @settings(max_examples=300, deadline=None)
    @given(examples=st.integers(1, 3000), per_replica=st.sampled_from([1, 2, 4]),
           replicas=st.sampled_from([1, 2, 8]), multiple=st.integers(1, 40),
           least=st.sampled_from([0, 1, 8, 8, 8, 20]))
    def check(examples, per_replica, replicas, multiple, least):
        c = load_config("tabular_binary", train__accumulation_steps=per_replica,
                        train__epochs=3, schedule__warmup_epochs=0.0,
                        model__norm="layer")  # batch norm on batches of 1: refused apart
        c.data.name, c.data.path = "csv", "t.csv"
        per_update = per_replica * replicas
        c.data.batch_size = configured = per_update * multiple
        c.data.min_updates_per_epoch = least
        if examples < per_update:
            return  # refused: the test above
        note = config_lib.fit_batch_to_data(c, examples, replicas)
        batch = c.data.batch_size
        assert fits(batch, examples, configured, per_update, least), (batch, examples)
        assert not fits(batch + per_update, examples, configured, per_update, least), \
            (batch, examples)
        assert (note is None) == (batch == configured)
        if least == 0:  # off: Keras' rule alone
            assert batch == (configured if configured <= examples else
                             examples // per_update * per_update)
        config_lib.validate_steps(c, examples, replicas)
    check()
    c = load_config("tabular_binary")  # generated data: Keras' rule only
    config_lib.fit_batch_to_data(c, 120)
    assert c.data.batch_size == 64


def documented_train_commands():
    """Every `python -m launchers.train` command README.md, BUILD.md and the configs' docstrings
    print (continuation lines joined), except templates and the ones that need a run folder."""
    import glob
    import os
    import re
    import shlex
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = ["README.md", "BUILD.md", *sorted(glob.glob("configs/**/*.py", root_dir=root,
                                                        recursive=True))]
    commands = {}
    for path in paths:
        text = open(os.path.join(root, path)).read().replace("\\\n", " ")
        for match in re.finditer(r"python -m launchers\.train ([^\n`]*)", text):
            command = match.group(1).split("#")[0].strip()
            if not re.search(r"NAME|\.\.\.|\[|from_run", command):
                commands.setdefault(command, path)
    return [(path, [a for a in shlex.split(command) if a.startswith("--config")])
            for command, path in commands.items()]


@pytest.mark.parametrize("path, args", documented_train_commands(),
                         ids=lambda v: v if isinstance(v, str) else " ".join(v)[9:80])
def test_every_documented_train_command_passes_the_config_checks(path, args):
    """What the docs tell people to run is what the checks accept (they grew a lot: a command
    of the README refused would be the first thing a new user meets). Parsed as the launcher
    parses it (ml_collections' config flag), then validated; the data is not read."""
    from absl import flags
    from ml_collections import config_flags
    argv = ["train", *args]
    flag_values = flags.FlagValues()
    config_flags.DEFINE_config_file("config", None, "", flag_values=flag_values,
                                    lock_config=True, sys_argv=argv)
    flag_values(argv)
    config_lib.validate(flag_values.config)
