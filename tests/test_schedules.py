"""Each schedule's value at chosen steps against closed forms written out here."""

import math

import pytest

from ktrain_kit import schedules
from ktrain_kit.config import default_config

BASE, TOTAL, WARM = 0.1, 100, 10


def lr_at(schedule, step):
    return float(schedule(step).numpy())


def closed_form(name, t):
    """The intended formula, independent of the implementation."""
    if t < WARM:
        return BASE * t / WARM
    d = t - WARM
    span = TOTAL - WARM
    if name == "constant":
        return BASE
    if name == "cosine":  # floor = 0.05 * BASE
        return BASE * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(d / span, 1))))
    if name == "linear":
        return BASE * (1 - 0.95 * min(d / span, 1))
    if name == "step":  # boundaries at 30 and 60, factor 0.5
        return BASE * 0.5 ** ((t >= 30) + (t >= 60))
    if name == "exponential":  # x0.5 every 20 steps after warmup
        return BASE * 0.5 ** (d / 20)
    raise ValueError(name)


@pytest.mark.parametrize("name", ["constant", "cosine", "linear", "step", "exponential"])
def test_schedule_matches_closed_form(name):
    s = schedules.Schedule(name, BASE, TOTAL, warmup_steps=WARM, end_lr_factor=0.05,
                           decay_factor=0.5, boundaries=(30, 60), decay_every=20)
    for t in (0, 1, 5, 9, 10, 11, 29, 30, 45, 59, 60, 80, 99, 100, 150):
        assert lr_at(s, t) == pytest.approx(closed_form(name, t), rel=1e-5, abs=1e-9), t


def test_multiplier_scales_every_value_and_survives_serialization():
    s = schedules.Schedule("cosine", BASE, TOTAL, warmup_steps=WARM)
    before = lr_at(s, 50)
    s.multiplier.assign(0.25)
    assert lr_at(s, 50) == pytest.approx(0.25 * before)
    clone = schedules.Schedule(**s.get_config())
    assert lr_at(clone, 50) == pytest.approx(lr_at(s, 50))


def test_epochs_convert_to_steps():
    c = default_config()
    c.train.epochs = 10
    c.schedule.name, c.schedule.unit = "step", "epochs"
    c.schedule.boundaries, c.schedule.warmup_epochs = (4, 8), 0.5
    s = schedules.build(c, steps_per_epoch=20)
    assert (s.total_steps, s.warmup_steps, s.boundaries) == (200, 10, (80, 160))


# Each case: Schedule's arguments (total_steps=100) and the same schedule as config keys of a
# run of 100 steps (100 epochs of one step, durations in steps).
SCHEDULE_CASES = {
    "decay factor above 1": ("exponential", dict(decay_factor=10.0)),
    "decay factor of 1": ("step", dict(decay_factor=1.0, boundaries=(50,))),
    "end factor above 1": ("cosine", dict(end_lr_factor=5.0)),
    "warmup as long as training": ("cosine", dict(warmup_steps=100)),
    "warmup longer than training": ("linear", dict(warmup_steps=200)),
    "step decay without a boundary": ("step", dict(boundaries=())),
    "a boundary at the end": ("step", dict(boundaries=(50, 100))),
    "two boundaries on one step": ("step", dict(boundaries=(40, 40))),
    "boundaries out of order": ("step", dict(boundaries=(50, 20))),
    "a boundary at step 0": ("step", dict(boundaries=(0,))),
}
VALID_CASES = {
    "exponential decay": ("exponential", dict(decay_factor=0.9, decay_every=10.0)),
    "cosine to 0.5 after a warmup": ("cosine", dict(end_lr_factor=0.5, warmup_steps=99)),
    "the last step a boundary": ("step", dict(boundaries=(1, 99))),
}


def _config_refuses(name, kwargs) -> bool:
    from ktrain_kit import config
    from ktrain_kit.errors import UserError
    c = default_config()
    c.train.epochs, c.schedule.name, c.schedule.unit = TOTAL, name, "steps"
    for key, value in kwargs.items():
        c.schedule[key] = tuple(value) if key == "boundaries" else value
    try:
        config.validate(c, check_files=False)
        config.check_schedule_in_steps(c, steps_per_epoch=1)
    except UserError:
        return True
    return False


@pytest.mark.parametrize("case", [*SCHEDULE_CASES, *VALID_CASES])
def test_schedule_built_by_hand_refuses_what_the_config_refuses(case):
    """The public Schedule took decay_factor=10 (an infinite rate), warmup past the end (never
    reaching base_lr) and step decay without boundaries (a failure at its first call); the
    config refused each. Both judge every case alike, the config being the oracle."""
    name, kwargs = {**SCHEDULE_CASES, **VALID_CASES}[case]
    refused_by_config = _config_refuses(name, kwargs)
    assert refused_by_config == (case in SCHEDULE_CASES)
    if refused_by_config:
        with pytest.raises(ValueError, match=r"Schedule\("):
            schedules.Schedule(name, BASE, TOTAL, **kwargs)
    else:
        s = schedules.Schedule(name, BASE, TOTAL, **kwargs)
        assert all(0 <= lr_at(s, t) <= BASE * (1 + 1e-6) for t in (0, 50, 99))  # float32
