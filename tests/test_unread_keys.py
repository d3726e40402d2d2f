"""Optimizer and schedule keys the chosen optimizer or schedule never reads are noted by
launchers.train in one line (`--config.optimizer.name=adam --config.optimizer.momentum=0.9`
trained without a word about the momentum). Noted, not refused: a sweep switches
optimizer.name on purpose. The table (config_fields.READ_BY_CHOICE) covers every key of both
sections, and each row is checked against what the optimizers and schedules actually do."""

import numpy as np
import pytest

from ktrain_kit import config as config_lib
from ktrain_kit import config_fields
from ktrain_kit.errors import UserError

from conftest import PINNED_FLAGS, run_launcher

DEFAULTS = config_lib.default_config()
CHOICES = {"optimizer.name": config_lib.OPTIMIZERS, "schedule.name": config_lib.SCHEDULES}


def test_every_optimizer_and_schedule_key_is_in_the_table():
    keys = {k for k, _ in config_fields.leaves(DEFAULTS)
            if k.startswith(("optimizer.", "schedule."))}
    assert keys == set(config_fields.READ_BY_CHOICE)
    for key, (selector, readers) in config_fields.READ_BY_CHOICE.items():
        assert selector == f"{key.split('.')[0]}.name", key
        assert readers == config_fields.EVERY or set(readers) < set(CHOICES[selector]), key


# Another value of each key that any reader of it would act on.
CHANGED = {"optimizer.momentum": 0.5, "optimizer.nesterov": True, "optimizer.beta_1": 0.5,
           "optimizer.beta_2": 0.5, "optimizer.epsilon": 1.0, "optimizer.weight_decay": 0.5,
           "schedule.end_lr_factor": 0.5, "schedule.decay_factor": 0.5,
           "schedule.boundaries": (2,), "schedule.decay_every": 2.0, "schedule.unit": "steps"}
CHOSEN = [(key, choice) for key, (selector, readers) in config_fields.READ_BY_CHOICE.items()
          if readers != config_fields.EVERY for choice in CHOICES[selector]]


def config_with(key, choice, value=None):
    c = config_lib.default_config()
    c.schedule.boundaries = (1,)  # step decay needs one
    c.schedule.decay_factor = 0.9  # exponential per step (unit=steps): not 0 by half way
    c.train.epochs = 4
    section = key.split(".")[0]
    c[section].name = choice
    if value is not None:
        c[section][key.split(".")[1]] = value
    return c


def behaviour(c):
    """What the config's optimizer does to a small model in three updates, or its schedule's
    rate at each of 20 steps."""
    import keras

    from ktrain_kit import optim, schedules
    rates = schedules.build(c, steps_per_epoch=5)
    lr = [float(rates(step)) for step in range(20)]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    optimizer, _ = optim.build(c.optimizer, 0.1, model, "float32")
    for _ in range(3):
        optimizer.apply_gradients([(keras.ops.ones_like(v) * 0.5, v)
                                   for v in model.trainable_variables])
    return lr, [np.asarray(w) for w in model.get_weights()]


def same(a, b):
    return a[0] == b[0] and all(np.array_equal(x, y) for x, y in zip(a[1], b[1]))


@pytest.mark.parametrize("key,choice", CHOSEN, ids=[f"{k}-{c}" for k, c in CHOSEN])
def test_a_row_says_what_the_optimizer_or_schedule_reads(key, choice):
    """A reader of the key behaves differently with another value; any other choice exactly
    the same (unless the config checks refuse the pair, e.g. adam's weight decay)."""
    selector, readers = config_fields.READ_BY_CHOICE[key]
    changed = config_with(key, choice, CHANGED[key])
    try:
        config_lib.validate(changed)
    except UserError:
        assert choice not in readers, "a reader refuses the key"
        return
    differs = not same(behaviour(config_with(key, choice)), behaviour(changed))
    assert differs == (choice in readers)


def test_the_notes_follow_the_rule():
    """Set = named on the command line (even at its default) or not the default value."""
    c = config_lib.default_config()  # adam, cosine
    assert config_lib.unread_key_notes(c) == []  # momentum 0.9 is the default: untouched
    notes = config_lib.unread_key_notes(c, named={"optimizer.momentum"})
    assert len(notes) == 1 and "optimizer.momentum=0.9 has no effect" in notes[0]
    assert "optimizer.name=sgd" in notes[0] and "optimizer.name=adam" in notes[0]
    c.schedule.decay_factor = 0.5  # under cosine
    assert [n for n in config_lib.unread_key_notes(c) if "schedule.decay_factor=0.5" in n]
    c.schedule.name = "step"
    assert config_lib.unread_key_notes(c) == []
    c.schedule.boundaries = ()  # an empty value, 0 or False is off, even when named
    c.optimizer.nesterov = False
    assert config_lib.unread_key_notes(c, named={"schedule.boundaries",
                                                 "optimizer.nesterov"}) == []


def train_launch(tmp_path, *extra):
    return run_launcher("launchers.train", "--config=configs/digits_mlp.py",
                        "--config.train.epochs=1", "--config.data.train_examples=64",
                        "--config.schedule.warmup_epochs=0", "--config.train.verbose=0",
                        *PINNED_FLAGS, *extra, f"--workdir={tmp_path / 'run'}", timeout=180)


def test_the_launcher_prints_one_line_per_unread_key_and_trains(tmp_path):
    """digits_mlp is SGD with Nesterov momentum: switched to adam on the command line, the
    file's nesterov=True and the momentum the command line names are unread (two lines);
    decay_factor under cosine a third. Training goes on (exit 0)."""
    result = train_launch(tmp_path, "--config.optimizer.name=adam",
                          "--config.optimizer.momentum=0.9", "--config.optimizer.weight_decay=0",
                          "--config.schedule.decay_factor=0.5")
    assert result.returncode == 0, result.stderr[-2000:]
    notes = [line for line in result.stdout.splitlines() if "has no effect" in line]
    assert [n.split("=")[0] for n in notes] == [
        "ktrain_kit: note: optimizer.momentum", "ktrain_kit: note: optimizer.nesterov",
        "ktrain_kit: note: schedule.decay_factor"], result.stdout[-2000:]
    assert (tmp_path / "run" / "summary.json").exists()


def test_a_bad_config_is_its_error_line_alone(tmp_path):
    result = train_launch(tmp_path, "--config.optimizer.name=adam",
                          "--config.optimizer.momentum=0.5", "--config.train.epochs=0")
    assert result.returncode == 2 and "train.epochs" in result.stderr
    assert "has no effect" not in result.stdout + result.stderr
    assert not (tmp_path / "run").exists()
