"""A setting that cuts every step (clipping that always binds, Adam's epsilon above the
gradient) is named as the cause of slow learning, with the size of the cut, instead of a
learning rate too low or a model too small."""

import math
import statistics

import keras
import numpy as np
import pytest
import tensorflow as tf

from ktrain_kit.callbacks import TrainingDoctor
from ktrain_kit.doctor import facts as facts_lib
from ktrain_kit.doctor import rules
from ktrain_kit.optim import SGD
from tests.doctor_records import epochs_from, serious

PROPORTIONAL, NORMALIZED = {"optimizer_step": "proportional"}, {"optimizer_step": "normalized"}


@pytest.mark.parametrize("make, expected", [
    (lambda: keras.optimizers.Adam(epsilon=0.5), {"optimizer_epsilon": 0.5,
                                                  "epsilon_floor": 0.5, **NORMALIZED}),
    # AdamW decays by default (0.004), decoupled: read for the weight-decay rule
    (lambda: keras.optimizers.AdamW(epsilon=2.0), {"optimizer_epsilon": 2.0,
                                                   "epsilon_floor": 2.0, "weight_decay": 0.004,
                                                   **NORMALIZED}),
    (lambda: keras.optimizers.SGD(weight_decay=1e-4), {"weight_decay": 1e-4, **PROPORTIONAL}),
    # RMSprop divides by sqrt(v + epsilon): in gradient units, sqrt(epsilon)
    (lambda: keras.optimizers.RMSprop(epsilon=0.04), {"optimizer_epsilon": 0.04,
                                                      "epsilon_floor": math.sqrt(0.04),
                                                      **NORMALIZED}),
    (lambda: keras.optimizers.SGD(global_clipnorm=0.3), {"clip_global_norm": 0.3,
                                                         **PROPORTIONAL}),
    (lambda: keras.optimizers.SGD(clipnorm=2), {"clip_norm": 2.0, **PROPORTIONAL}),
    (lambda: keras.optimizers.SGD(clipvalue=0.1), {"clip_value": 0.1, **PROPORTIONAL}),
    (lambda: keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(epsilon=1.0)),
     {"optimizer_epsilon": 1.0, "epsilon_floor": 1.0, **NORMALIZED}),
    # Adagrad's denominator grows with every step: its epsilon is not read
    (lambda: keras.optimizers.Adagrad(epsilon=1.0), NORMALIZED),
    (lambda: keras.optimizers.SGD(), PROPORTIONAL),
    (lambda: SGD(0.1, momentum=0.9), PROPORTIONAL),  # the launcher's own
])
def test_optimizer_facts_read_the_settings_keras_was_given(make, expected):
    found = facts_lib.optimizer_facts(make())
    assert found.keys() == expected.keys()
    for key, value in expected.items():
        assert found[key] == pytest.approx(value)


def _probes(norms, rms=(0.02, 0.05), ratio=1e-8):
    return [{"step": 10 * i, "epoch": i, "grad_norm": n, "grad_rms_first_layer": rms[0],
             "grad_rms_last_layer": rms[1], "update_ratio": None if i == 0 else ratio,
             "probe_loss": 2.3, "probe_examples": 64} for i, n in enumerate(norms)]


def test_global_clipping_below_the_gradient_is_named_with_clip_over_its_median_norm():
    norms = [2.0, 2.5, 3.0, 4.0]
    facts = {"loss_name": "sparse_categorical_crossentropy", "from_logits": True,
             "num_outputs": 10, "clip_global_norm": 1e-3, "from_launcher": True,
             "base_lr": 0.1, **PROPORTIONAL}
    found = rules.diagnose(epochs_from([2.3, 2.3, 2.3, 2.3]), [], _probes(norms), facts)
    finding = next(f for f in found if f.symptom == "loss_not_decreasing")
    assert finding.evidence["step_cut_by"] == "clip_global_norm"
    assert finding.evidence["step_left"] == pytest.approx(1e-3 / statistics.median(norms))
    # a threshold above twice the usual norm (2.75) clips only spikes: 10
    assert finding.suggested_overrides == ["--config.optimizer.clip_global_norm=10"]
    # the same run clipped at its usual size (a cut of 0.36, not a tenth) is the rate's fault
    found = rules.diagnose(epochs_from([2.3] * 4), [], _probes(norms),
                           {**facts, "clip_global_norm": 1.0})
    finding = next(f for f in found if f.symptom == "loss_not_decreasing")
    assert "step_cut_by" not in finding.evidence
    assert finding.suggested_overrides == ["--config.schedule.base_lr=10"]


def test_keras_default_epsilon_is_never_blamed_for_vanishing_gradients():
    facts = {"loss_name": "sparse_categorical_crossentropy", "from_logits": True,
             "num_outputs": 10, "optimizer_epsilon": 1e-7, "epsilon_floor": 1e-7,
             **NORMALIZED}
    # steps of 1e-6 of the weights: undoing a cut to 1% would make them healthy, so only the
    # default-epsilon rule keeps the cut unnamed
    found = rules.diagnose(epochs_from([2.3] * 4), [], _probes([1e-6] * 4, rms=(1e-9, 1e-8),
                                                               ratio=1e-6), facts)
    assert not any("step_cut_by" in f.evidence for f in found)


def test_adam_steps_are_not_cut_by_a_clip_that_scales_every_gradient_alike():
    """A transformer at a rate 1000x too low, clipped at 1.0 while its gradient stays at its
    starting norm of 14 (doctor_configs' seq_adamw_lr_1e6): Adam divides the clipped gradient
    by its own running RMS, so the scale cancels out - the rate is the cause. The same clip on
    SGD cuts the steps 14x, but undoing it leaves them too small: still the rate first."""
    facts = {"loss_name": "sparse_categorical_crossentropy", "from_logits": True,
             "num_outputs": 10, "clip_global_norm": 1.0, "from_launcher": True,
             "base_lr": 1e-6, "optimizer_epsilon": 1e-7, "epsilon_floor": 1e-7}
    probes = _probes([14.0] * 4, rms=(0.01, 0.1))
    for step in (NORMALIZED, PROPORTIONAL):
        found = rules.diagnose(epochs_from([2.3] * 4), [], probes, {**facts, **step})
        finding = next(f for f in found if f.symptom == "loss_not_decreasing")
        assert "step_cut_by" not in finding.evidence
        assert finding.suggested_overrides == ["--config.schedule.base_lr=0.0001"]


# Two Gaussian features and their product: learnable (nearest neighbours ~0.87), not linear.
RNG = np.random.default_rng(0)
X = RNG.normal(size=(768, 8)).astype("float32")
Y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype("int32")


def _fit(optimizer):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(2)])
    model.compile(optimizer, keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    doctor = TrainingDoctor(probe_data=(X[:128], Y[:128]), reference_data=(X, Y))
    model.fit(X, Y, batch_size=32, epochs=4, validation_split=0.2, verbose=0,
              callbacks=[doctor])
    return model, doctor


def _gradients(model):
    """The loss's gradient on the probe examples, computed here with a tape."""
    with tf.GradientTape() as tape:
        loss = model.compute_loss(x=X[:128], y=Y[:128], y_pred=model(X[:128]))
    return [np.asarray(g) for g in tape.gradient(loss, model.trainable_variables)]


@pytest.mark.parametrize("optimizer, setting", [
    (lambda: keras.optimizers.SGD(0.1, global_clipnorm=1e-6), "clip_global_norm"),
    (lambda: keras.optimizers.SGD(0.1, clipvalue=1e-7), "clip_value"),
    (lambda: keras.optimizers.Adam(1e-3, epsilon=1.0), "epsilon"),
])
def test_a_users_fit_with_every_step_cut_names_the_setting_and_the_cut(optimizer, setting):
    model, doctor = _fit(optimizer())
    named = [f for f in doctor.findings if f.evidence.get("step_cut_by")]
    assert [f.evidence["step_cut_by"] for f in named] == [setting]
    assert named[0].severity == "warning"
    keras_name = rules.KERAS_NAMES[setting]
    assert f"{keras_name}=" in named[0].causes[0] or "epsilon" in named[0].causes[0]
    # the cut against one computed here: the weights hardly moved, so the final gradient is
    # the run's (the doctor reads medians over its probes)
    grads = _gradients(model)
    kernels = [g for g in grads if g.ndim >= 2]
    rms = min(float(np.sqrt(np.mean(kernels[i] ** 2))) for i in (0, -1))
    expected = {"clip_global_norm": 1e-6 / math.sqrt(sum(float((g ** 2).sum()) for g in grads)),
                "clip_value": 1e-7 / rms, "epsilon": rms / (rms + 1.0)}[setting]
    assert named[0].evidence["step_left"] == pytest.approx(expected, rel=0.05)


def test_clipping_that_never_binds_is_not_named_on_a_healthy_run():
    _, doctor = _fit(keras.optimizers.SGD(0.1, global_clipnorm=100.0))
    assert not serious(doctor.findings)
    assert not any("step_cut_by" in f.evidence for f in doctor.findings)


def test_the_repair_changes_the_named_setting_before_it_tests_learning_rates():
    from configs.faults._base import base_config
    from ktrain_kit.doctor import remedies
    config = remedies.with_overrides(base_config(), {"optimizer.clip_global_norm": 1e-5})

    def finding(**evidence):
        return {"symptom": "loss_not_decreasing", "severity": "warning",
                "evidence": {"median_update_to_weight_ratio": 2e-6, **evidence},
                "causes": [], "remedies": [], "first_seen": {},
                "suggested_overrides": ["--config.optimizer.clip_global_norm=10"]}
    found, _ = remedies.plan(config, [finding(step_cut_by="clip_global_norm")])
    assert found[0].overrides == {"optimizer.clip_global_norm": 10.0}
    # the same slow steps without a setting named: the rate is the suspect, tested first
    found, _ = remedies.plan(config, [finding()])
    assert found[0].overrides == {"schedule.base_lr": remedies.LR_FIND}


def _epochs_and_batches(means, batches, spread, seed=0):
    """Epoch records whose losses are `means`, each the mean of `batches` batch losses that
    scatter by `spread` around it (as a short epoch's noisy small batches do)."""
    rng = np.random.default_rng(seed)
    epochs, batch_losses, step = [], [], 0
    for epoch, mean in enumerate(means, 1):
        losses = rng.normal(0, spread, batches)
        losses = mean + losses - losses.mean()  # each epoch's batches average to its mean
        for loss in losses:
            step += 1
            batch_losses.append((step, epoch, float(loss)))
        epochs.append({"loss": mean})
    return epochs, batch_losses


@pytest.mark.parametrize("batches, spread, named", [(7, 0.35, False), (45, 0.05, True)])
def test_a_rise_within_the_epoch_means_sampling_error_is_no_instability(batches, spread,
                                                                        named):
    """Iris and wine through the launcher train on 7-8 batches of 16-22 rows an epoch: the epoch
    mean wobbles 1.5x with nothing wrong, and the run was told 'unstable, lower the rate'
    (it trained worse for it). The same rises over 45 steady batches still are instability.
    The sampling error is recomputed here with NumPy: std / sqrt(batches) per epoch."""
    means = [1.0, 0.5, 0.3, 0.5, 0.25, 0.42, 0.2]
    epochs, batch_losses = _epochs_and_batches(means, batches, spread)
    errors = {e: np.std([l for _, k, l in batch_losses if k == e], ddof=1) / np.sqrt(batches)
              for e in range(1, len(means) + 1)}
    rise = means[3] - means[2]  # epoch 4 over the best before it (epoch 3)
    assert (rise > 2 * np.hypot(errors[3], errors[4])) == named  # the premise, independently
    facts = {"task": "classification", "num_outputs": 3,
             "loss_name": "sparse_categorical_crossentropy"}
    run = rules.make_run(epochs, [], {**facts, "_batch_losses": batch_losses})
    found = rules._unstable(run, batch_losses, [])
    assert bool(found) == named, found
