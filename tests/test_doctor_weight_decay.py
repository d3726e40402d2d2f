"""A decoupled weight decay strong enough to hold the weights where it balances the gradients
(AdamW's `weight_decay=10` where 1e-4 was meant) is named as underfitting caused by the decay,
even where the model only matches a weak reference (ridge on a nonlinear target): the curves
look settled, the loss never shows the decay, and the reference alone cannot tell."""

import math

import keras
import numpy as np
import pytest
from sklearn.datasets import make_friedman1

from ktrain_kit.callbacks import TrainingDoctor
from ktrain_kit.doctor import rules
from tests.doctor_records import serious

ROWS, EPOCHS, BATCH, LR = 2048, 15, 64, 3e-3


def _friedman_mlp(weight_decay):
    """A user's regression: a two-layer ReLU MLP on make_friedman1 (y = 10 sin(pi x1 x2) +
    20 (x3 - 0.5)^2 + 10 x4 + 5 x5 + noise, standardized), AdamW at 3e-3."""
    keras.utils.set_random_seed(0)
    x, y = make_friedman1(n_samples=ROWS + 512, noise=1.0, random_state=0)
    x, y = x.astype("float32"), ((y - y.mean()) / y.std()).astype("float32")
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(128, activation="relu"), keras.layers.Dense(1)])
    model.compile(keras.optimizers.AdamW(LR, weight_decay=weight_decay), "mse")
    doctor = TrainingDoctor(probe_data=(x[ROWS:ROWS + 256], y[ROWS:ROWS + 256]),
                            reference_data=(x[:1024], y[:1024]))
    model.fit(x[:ROWS], y[:ROWS], validation_data=(x[ROWS:], y[ROWS:]), epochs=EPOCHS,
              batch_size=BATCH, verbose=0, callbacks=[doctor])
    return doctor, model.evaluate(x[ROWS:], y[ROWS:], verbose=0)


def test_adamw_decay_of_10_is_named_and_the_same_program_at_1e_4_is_not():
    capped, capped_mse = _friedman_mlp(10.0)
    fixed, fixed_mse = _friedman_mlp(1e-4)
    assert fixed_mse < capped_mse / 3  # the fault is real: measured, not assumed
    finding = next(f for f in capped.findings if f.symptom == "underfitting")
    steps = EPOCHS * (ROWS // BATCH)
    # the sum of lr * decay over the run, from the constant rate: 3e-3 * 10 * 480 steps
    assert finding.evidence["weight_decay_total"] == pytest.approx(LR * 10.0 * steps, rel=1e-6)
    assert any("weight decay 10" in c for c in finding.causes)
    assert serious(fixed.findings) == set()


def _epochs(n, lr, loss=0.4, val_loss=0.38, **metrics):
    return [{"loss": loss, "val_loss": val_loss, "lr": lr, **metrics} for _ in range(n)]


def _probes(norms, steps_per_epoch):
    """One probe at the start and one at each epoch's end, the weights' norm as given."""
    return [{"step": i * steps_per_epoch, "epoch": i, "weight_norm": norm,
             "update_ratio": None if i == 0 else 1e-3, "probe_loss": 1.0}
            for i, norm in enumerate(norms)]


def test_decay_total_sums_each_epochs_steps_at_its_rate():
    epochs = [{"loss": 1.0, "lr": lr} for lr in (0.01, 0.005, 0.0025)]
    probes = _probes([10.0, 9.0, 8.0, 7.0], steps_per_epoch=40)
    run = rules.make_run(epochs, probes, {"weight_decay": 0.5, "_batch_losses": []})
    assert run.decay_total() == pytest.approx(0.5 * 40 * (0.01 + 0.005 + 0.0025))
    assert rules.make_run(epochs, probes, {"_batch_losses": []}).decay_total() is None


REGRESSION = {"loss_name": "mean_squared_error", "num_outputs": 1, "task": "regression",
              "labels_shape": [1024], "labels_integer": False, "labels_distinct": 1024}


def _reference(model, simple, metric="mse", chance=1.0):
    return {"metric": metric, "n": 1024, "n_effective": 1024, "model": model, "simple": simple,
            "simple_model": "ridge", "chance": chance}


@pytest.mark.parametrize("decay, norms, reference, named", [
    # held at the decay's balance (sum 4.8 > ln 10, norm 20 -> 5), no better than ridge
    (1.0, [20.0, 6.0, 5.0, 5.0], _reference(0.28, 0.27), True),
    # the same decay where the model clearly beats ridge: the decay did not cap it
    (1.0, [20.0, 6.0, 5.0, 5.0], _reference(0.05, 0.27), False),
    # a usual decay (sum 4.8e-4): however the curves look, not the decay's doing
    (1e-4, [20.0, 6.0, 5.0, 5.0], _reference(0.28, 0.27), False),
    # a heavy decay the weights did not yield to (norm 20 -> 15): it did not bind
    (1.0, [20.0, 18.0, 16.0, 15.0], _reference(0.28, 0.27), False),
])
def test_decay_is_named_only_where_it_binds_and_caps_the_fit(decay, norms, reference, named):
    facts = {**REGRESSION, "weight_decay": decay, "reference": reference, "base_lr": 0.004}
    found = rules.diagnose(_epochs(3, 0.004), [], _probes(norms, steps_per_epoch=400), facts)
    assert ("underfitting" in serious(found)) is named
    if named:
        finding = next(f for f in found if f.symptom == "underfitting")
        assert finding.evidence["weight_decay_total"] == pytest.approx(1.0 * 0.004 * 1200)
        assert math.exp(-finding.evidence["weight_decay_total"]) < 0.1


def test_a_decay_on_a_classifier_at_its_ceiling_is_not_named():
    """Normalization layers make most weights scale-free: a digits CNN under AdamW(30) still
    reaches 0.99. Where nearest neighbours are within the margin of 1, nothing can be clearly
    better than them, so matching them is no evidence of a cap."""
    facts = {"loss_name": "sparse_categorical_crossentropy", "from_logits": True,
             "num_outputs": 10, "labels_shape": [1024], "labels_min": 0.0, "labels_max": 9.0,
             "labels_integer": True, "labels_distinct": 10, "weight_decay": 30.0,
             "reference": _reference(0.99, 0.985, "balanced_accuracy", chance=0.1)}
    epochs = _epochs(3, 0.002, loss=0.3, val_loss=0.31, accuracy=0.99, val_accuracy=0.99)
    found = rules.diagnose(epochs, [], _probes([24.0, 8.0, 6.0, 6.0], 44), facts)
    assert serious(found) == set()
    # the same run on a task with room above the reference (0.70): the decay is named
    facts["reference"] = _reference(0.70, 0.71, "balanced_accuracy", chance=0.1)
    epochs = _epochs(3, 0.002, loss=0.9, val_loss=0.9, accuracy=0.7, val_accuracy=0.7)
    found = rules.diagnose(epochs, [], _probes([24.0, 8.0, 6.0, 6.0], 44), facts)
    assert "underfitting" in serious(found)
