"""What the doctor says about the learning rate matches what the rate did: a rate that
overshot is never told to rise (a transformer under AdamW at 1.0 read 'the learning rate (1) is
too low', with --config.schedule.base_lr=10), and a schedule that took the rate to nothing is
named once, as the schedule's doing, not also as a rate to raise 100x."""

import pytest

from ktrain_kit.doctor import rules
from tests.doctor_records import AT_CHANCE, classes, serious

# A held-out config run (sequence_transformer, AdamW at 1.0, cosine with one epoch of warmup):
# the epoch losses of an 8-class task (ln 8 = 2.08), at chance throughout.
OVERSHOOT_LOSSES = [3.82, 12.41, 12.32, 6.65, 2.52, 2.18, 2.09, 2.00]
OVERSHOOT_VAL = [10.42, 10.82, 10.17, 3.23, 2.26, 2.13, 2.06, 2.01]
COSINE = [1.0, 0.95, 0.81, 0.61, 0.39, 0.19, 0.05, 0.0]


def _facts(**extra):
    return {**classes(True), "num_outputs": 8, "labels_max": 7.0, "labels_distinct": 8,
            "base_lr": 1.0, "from_launcher": True, "optimizer_step": "normalized", **extra}


def _run(losses, val, rates, accuracy=0.125, reference=AT_CHANCE, start=2.96):
    epochs = [{"loss": loss, "val_loss": v, "accuracy": accuracy, "val_accuracy": accuracy,
               "lr": lr} for loss, v, lr in zip(losses, val, rates)]
    probes = [{"step": 64 * i, "epoch": i, "probe_loss": start if i == 0 else v,
               "update_ratio": None if i == 0 else 5e-3, "probe_examples": 256}
              for i, v in enumerate([start] + val)]
    return rules.diagnose(epochs, [(1, 1, start)], probes, _facts(reference=reference))


def test_a_rate_that_overshot_and_ended_at_chance_is_named_too_high():
    found = _run(OVERSHOOT_LOSSES, OVERSHOOT_VAL, COSINE)
    assert serious(found) == {"unstable"}
    finding = next(f for f in found if f.symptom == "unstable")
    assert finding.evidence["overshoot_epoch"] == 2  # 12.41 = 4.2 x the start, 2.96
    assert finding.causes[0].startswith("learning rate too high: the loss rose to 12.4, 4.2x")
    assert finding.suggested_overrides[0] == "--config.schedule.base_lr=0.1"
    assert not any("too low" in c for f in found for c in f.causes)


def test_the_same_curves_at_a_steady_rate_or_in_a_run_that_learned_are_not_this():
    # the rate never fell: what brought the loss back is not the schedule (not this rule's)
    steady = _run(OVERSHOOT_LOSSES, OVERSHOOT_VAL, [1.0] * 8)
    assert not any(f.evidence.get("overshoot_epoch") for f in steady)
    # a run that overshot early and then learned the task: its first epochs cost nothing
    learned = dict(AT_CHANCE, model=0.96, model_on_probe=0.95)
    healthy = _run(OVERSHOOT_LOSSES[:4] + [0.4, 0.2, 0.12, 0.1],
                   OVERSHOOT_VAL[:4] + [0.42, 0.25, 0.16, 0.15], COSINE, reference=learned)
    assert not any(f.evidence.get("overshoot_epoch") for f in healthy)


def test_a_schedule_that_took_the_rate_to_nothing_is_named_once_as_the_schedule():
    """An exponential decay by 0.1 every tenth of an epoch (held-out config run): healthy
    steps until step 44, none after; the loss ends 2% under its start, the model at chance."""
    ratios = [None, 4.6e-4, 2.5e-18, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    probes = [{"step": 44 * i, "epoch": i, "update_ratio": r, "probe_loss": 2.35,
               "probe_examples": 64} for i, r in enumerate(ratios)]
    epochs = [{"loss": 2.30, "val_loss": 2.01, "accuracy": 0.19, "val_accuracy": 0.2,
               "lr": 0.0} for _ in range(6)]
    found = rules.diagnose(epochs, [(1, 1, 2.35)], probes,
                           _facts(num_outputs=10, base_lr=0.05, optimizer_step="proportional"))
    named = [f for f in found if f.symptom == "loss_not_decreasing"]
    assert len(named) == 1
    assert named[0].suggested_overrides == ["--config.schedule.name=cosine"]
    assert "fell to nothing" in named[0].causes[0]


@pytest.mark.parametrize("first_ratio", [4.6e-4, 1e-7])
def test_a_rate_too_low_from_the_start_is_still_told_to_rise(first_ratio):
    """The other side of the line: steps too small from the first probe on (a base rate of
    1e-6) are the rate's, whatever the schedule did after."""
    ratios = [None, first_ratio] + [1e-7] * 7
    probes = [{"step": 44 * i, "epoch": i, "update_ratio": r, "probe_loss": 2.35,
               "probe_examples": 64} for i, r in enumerate(ratios)]
    epochs = [{"loss": 2.34, "val_loss": 2.33, "accuracy": 0.1, "val_accuracy": 0.1,
               "lr": 1e-6} for _ in range(6)]
    found = rules.diagnose(epochs, [(1, 1, 2.35)], probes,
                           _facts(num_outputs=10, base_lr=1e-6, optimizer_step="proportional"))
    named = [f for f in found if f.symptom == "loss_not_decreasing"]
    assert len(named) == 1
    assert named[0].suggested_overrides == ["--config.schedule.base_lr=0.0001"]


@pytest.mark.parametrize("step, optimizer", [("normalized", "Adam"), ("proportional", "SGD"),
                                             (None, None)])
@pytest.mark.parametrize("base_lr", [1e6, 20.0, 0.5])
def test_a_lowered_rate_is_suggested_inside_the_usual_range(step, optimizer, base_lr):
    """NaN at base_lr=1e6 was told to try 1e5: a 10x cut from far above any usual rate is one
    of many retries. A lowered rate is now at most two decades above the optimizer's Keras
    default (the oracle: Keras' own default rate); a rate already near it is cut 10x as
    before, and an optimizer of unknown kind keeps the plain cut."""
    import math

    import keras
    epochs = [{"loss": 2.3, "val_loss": 2.3, "lr": base_lr},
              {"loss": math.nan, "val_loss": math.nan, "lr": base_lr}]
    facts = _facts(base_lr=base_lr, optimizer_step=step)
    found = rules.diagnose(epochs, [(1, 1, 2.3), (2, 2, math.nan)], [], facts)
    nan = next(f for f in found if f.symptom == "nan_loss")
    suggested = float(nan.suggested_overrides[0].split("=")[1])
    if step is None:
        assert suggested == pytest.approx(base_lr / 10, rel=1e-3)
        return
    ceiling = 100 * float(getattr(keras.optimizers, optimizer)().learning_rate)
    assert suggested == pytest.approx(min(base_lr / 10, ceiling), rel=1e-3)
