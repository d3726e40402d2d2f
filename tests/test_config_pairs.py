"""Pairs of config keys, each value valid alone, that together asked for nonsense
(benchmarks/config_pairs.py, benchmarks/BAD_INPUTS.md "Pairs of keys"):

- a schedule's durations counted in the run's steps: a warmup or decay interval in epochs
  that rounds to 0 steps, two step boundaries on one step, a boundary inside the warmup, a
  decay that leaves the rate near 0 for most of the run (refused, naming the key);
- batch norm after a Dense layer on micro-batches of one example (data.batch_size over
  train.accumulation_steps x replicas): every normalized value 0, nothing learned;
- train.jit_compile=true with more than one replica: a traceback in the first step.

The digits MLP of configs/digits_mlp.py at batch 32: 1,438 training examples, 44 steps an
epoch. The schedule's rates are compared with a closed form written here from the schedule's
documented formula, not with ktrain_kit's own arithmetic.
"""

import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import load_config, run_launcher
from ktrain_kit import config as config_lib
from ktrain_kit import runtime
from ktrain_kit.errors import UserError

STEPS = 1438 // 32  # the digits' training split at batch 32: 44 steps an epoch


def digits(**overrides):
    return load_config("digits_mlp", **{"data__batch_size": 32, **overrides})


def refusal(c) -> str:
    with pytest.raises(UserError) as e:
        config_lib.validate(c)
    assert "\n" not in str(e.value)
    return str(e.value)


def closed_form(name, base, warmup, total, steps, *, end=0.0, factor=0.1, boundaries=(),
                every=1.0):
    """The documented schedule (ktrain_kit/schedules.py's docstring) at each of `steps`:
    base x (t / warmup during the warmup, else the decay of the steps after it)."""
    out = []
    for t in steps:
        if t < warmup:
            out.append(base * t / warmup)
            continue
        u, span = t - warmup, max(total - warmup, 1)
        p = min(u / span, 1.0)
        decay = {"constant": lambda: 1.0,
                 "cosine": lambda: end + (1 - end) * 0.5 * (1 + math.cos(math.pi * p)),
                 "linear": lambda: 1 - (1 - end) * p,
                 "step": lambda: factor ** sum(t >= b for b in boundaries),
                 "exponential": lambda: factor ** (u / every)}[name]()
        out.append(base * decay)
    return np.array(out)


# --------------------------------------------------------------------------- the schedule
@pytest.mark.parametrize("overrides,key,words", [
    (dict(schedule__warmup_epochs=0.01), "schedule.warmup_epochs", "0 steps"),
    (dict(schedule__name="exponential", schedule__warmup_epochs=0.0, schedule__decay_every=0.01),
     "schedule.decay_every", "0 steps"),
    (dict(schedule__name="step", schedule__warmup_epochs=0.0, schedule__boundaries=(0.01,)),
     "schedule.boundaries", "step 0"),
    (dict(schedule__name="step", schedule__warmup_epochs=0.0, schedule__boundaries=(1, 1.01)),
     "schedule.boundaries", "same step, 44"),
    (dict(schedule__name="step", schedule__warmup_epochs=1.0, schedule__boundaries=(0.5,)),
     "schedule.boundaries", "inside the warmup"),
    (dict(schedule__name="step", schedule__warmup_epochs=1.0, schedule__boundaries=(1,)),
     "schedule.boundaries", "inside the warmup"),
    (dict(schedule__name="exponential", schedule__warmup_epochs=0.0, schedule__decay_every=0.1),
     "schedule.decay_every", "schedule.decay_factor=0.1"),
    (dict(schedule__name="exponential", schedule__warmup_epochs=0.0, schedule__unit="steps",
          schedule__decay_every=1.0), "schedule.decay_every", "below 1e-06"),
    (dict(schedule__name="step", schedule__warmup_epochs=0.0, schedule__decay_factor=0.001,
          schedule__boundaries=(0.2, 0.4, 0.6)), "schedule.boundaries", "below 1e-06"),
])
def test_a_schedule_that_means_nothing_in_the_runs_steps_is_refused(overrides, key, words):
    message = refusal(digits(train__epochs=2, **overrides))
    assert message.startswith(f"config key '{key}'") and words in message, message
    assert "train.epochs=2 x 44 steps an epoch" in message, message  # the other key, named


DURATIONS = st.fixed_dictionaries({
    "name": st.sampled_from(["constant", "cosine", "linear", "step", "exponential"]),
    "epochs": st.integers(1, 4),
    "warmup": st.sampled_from([0.0, 0.005, 0.02, 0.5, 1.0, 1.5]),
    "boundaries": st.lists(st.sampled_from([0.01, 0.02, 0.3, 0.5, 0.51, 1.0, 1.01, 2.0, 3.5]),
                           min_size=1, max_size=3, unique=True).map(sorted),
    "every": st.sampled_from([0.01, 0.05, 0.1, 0.5, 1.0, 4.0]),
    "factor": st.sampled_from([0.001, 0.1, 0.5, 0.9]),
})


@pytest.fixture(scope="module")
def schedules():
    from ktrain_kit import schedules as schedules_lib  # TensorFlow: once for the module
    return schedules_lib


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(d=DURATIONS)
def test_every_schedule_validate_accepts_does_what_its_durations_say(d, schedules):
    """Whatever pair of durations validate() accepts, the run's real schedule (evaluated
    at every step) equals the closed form, warms up when asked, reaches base_lr, drops once at
    each boundary, and stays above 1e-6 x base_lr for the first half of the run. Before the
    check these failed: warmup_epochs=0.005 gave no warmup, decay_every=0.1 epoch left the rate
    below 1e-6 x base_lr for 63 of 88 steps, boundaries 1 and 1.01 cut twice at step 44."""
    c = digits(train__epochs=d["epochs"], schedule__name=d["name"],
               schedule__warmup_epochs=d["warmup"], schedule__boundaries=tuple(d["boundaries"]),
               schedule__decay_every=d["every"], schedule__decay_factor=d["factor"])
    try:
        config_lib.validate(c)
    except UserError as e:
        assert str(e).startswith(("config key 'schedule.", "config key 'train.")), str(e)
        return
    total, base = STEPS * d["epochs"], c.schedule.base_lr
    warmup = round(d["warmup"] * STEPS)
    bounds = [round(b * STEPS) for b in d["boundaries"]]
    every = round(d["every"] * STEPS)
    steps = np.arange(total)
    rates = np.asarray(schedules.build(c, STEPS)(steps))
    expected = closed_form(d["name"], base, warmup, total, steps, factor=d["factor"],
                           boundaries=bounds, every=every)
    np.testing.assert_allclose(rates, expected, rtol=1e-4, atol=1e-7 * base)  # float32
    if d["warmup"]:
        assert warmup >= 1 and rates[0] == 0.0  # a warmup was asked: the first step is at 0
    assert rates[warmup] == pytest.approx(base, rel=1e-6)
    assert np.all(rates[warmup: total // 2 + 1] >= 1e-6 * base)  # the decay, to half way
    if d["name"] == "step":
        drops = int(np.sum(rates[1:] < rates[:-1] * 0.999))
        assert drops == len(bounds) and len(set(bounds)) == len(bounds)


# --------------------------------------------------------------------------- batch norm
@pytest.mark.parametrize("overrides,batch_norm", [
    (dict(train__accumulation_steps=32), True),
    (dict(data__batch_size=1), True),
    (dict(data__train_examples=1), True),
    (dict(train__accumulation_steps=16), False),  # micro-batches of 2: trains (0.81 in 2 epochs)
])
def test_batch_norm_on_micro_batches_of_one_example_is_refused(overrides, batch_norm):
    """Normalized over one example, every value is 0: NumPy's own batch norm says so."""
    x = np.random.default_rng(0).normal(size=(1, 8))
    assert np.allclose((x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), 0)
    c = digits(model__norm="batch", **overrides)
    if not batch_norm:
        config_lib.validate(c)
        return
    message = refusal(c)
    assert message.startswith("config key 'model.norm'") and "data.batch_size=" in message
    assert "train.accumulation_steps" in message
    config_lib.validate(digits(model__norm="layer", **overrides))  # the fix it offers trains


# --------------------------------------------------------------------------- XLA x replicas
def test_jit_compile_true_is_refused_only_with_more_than_one_cpu_replica():
    cpu = runtime.DeviceFacts()
    assert runtime.choose_jit("true", cpu, "mirrored", replicas=1) is True
    with pytest.raises(UserError, match="train.jit_compile.*2 CPU replicas.*train.strategy"):
        runtime.choose_jit("True", cpu, "mirrored", replicas=2)
    assert runtime.choose_jit("auto", cpu, "mirrored", replicas=2) is False
    gpus = runtime.DeviceFacts(gpu_compute_capabilities=((8, 0), (8, 0)))
    assert runtime.choose_jit("true", gpus, "mirrored", replicas=2) is True  # each its own


@pytest.mark.slow
def test_jit_on_two_replicas_is_one_line_and_leaves_the_run_folder_alone(tmp_path):
    """Through the launcher: before the fix, a TensorFlow traceback from the first step
    ('Trying to access resource ... located in device CPU:1'), exit 1, and config.json,
    manifest.json and tensorboard/ written into the folder."""
    workdir = tmp_path / "run"
    workdir.mkdir()
    (workdir / "notes.txt").write_text("mine")
    result = run_launcher("launchers.train", "--config=configs/digits_mlp.py",
                          "--config.train.epochs=2", "--config.train.jit_compile=true",
                          "--config.train.strategy=mirrored",
                          "--config.runtime.virtual_cpu_devices=2", f"--workdir={workdir}",
                          timeout=300)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and len(errors) == 1
    assert "train.jit_compile" in errors[0] and "train.strategy=mirrored" in errors[0]
    assert sorted(os.listdir(workdir)) == ["notes.txt"]


# --------------------------------------------------------------------------- both keys named
@pytest.mark.parametrize("overrides,names", [
    (dict(callbacks__early_stopping__monitor="val_mae"),
     ("callbacks.early_stopping.monitor", "task.name")),
    (dict(train__steps_per_execution=3), ("train.steps_per_execution", "data.batch_size=32")),
    (dict(data__train_examples=1, train__accumulation_steps=2),
     ("data.batch_size", "data.train_examples", "train.accumulation_steps=2")),
])
def test_a_refused_pair_names_both_keys(overrides, names):
    message = refusal(digits(**overrides))
    assert all(name in message for name in names), message


# --------------------------------------------------------------------------- the Python API
@pytest.mark.parametrize("callback", ["plateau", "nan_guard"])
@pytest.mark.parametrize("rate", ["another schedule", "a float"])
def test_a_callbacks_schedule_that_the_optimizer_does_not_read_is_refused_at_fit(
        callback, rate):
    """`schedule=` and the optimizer's rate, each valid alone: before the check a plateau
    printed 'reducing learning rate to 0.005' and lowered a schedule the optimizer never read
    (the rate stayed 0.01); a NaN roll-back would do the same. The schedule the optimizer
    reads is lowered, as Keras' float is."""
    import keras

    from ktrain_kit.callbacks import NaNGuard, ReduceLROnPlateau, current_lr
    from ktrain_kit.optim import SGD
    from ktrain_kit.schedules import Schedule
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")

    def fit(optimizer_rate, schedule):
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        model.compile(SGD(optimizer_rate), keras.losses.SparseCategoricalCrossentropy(
            from_logits=True))
        made = (ReduceLROnPlateau("val_loss", factor=0.5, patience=0, min_delta=10.0,
                                  schedule=schedule) if callback == "plateau" else
                NaNGuard("stop", schedule=schedule))
        model.fit(x, y, validation_split=0.25, epochs=3, verbose=0, callbacks=[made])
        return current_lr(model.optimizer)

    theirs = Schedule("constant", 0.01, total_steps=100)
    other = 0.01 if rate == "a float" else Schedule("constant", 0.01, total_steps=100)
    with pytest.raises(ValueError, match=r"\(schedule=...\): the optimizer does not read"):
        fit(other, theirs)
    ours = Schedule("constant", 0.01, total_steps=100)
    lowered = fit(ours, ours)  # epochs 2 and 3 do not improve by 10: two cuts at patience 0
    assert lowered == pytest.approx(0.0025 if callback == "plateau" else 0.01)
