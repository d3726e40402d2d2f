"""The training doctor: rules on hand-made records, the fault gallery, healthy configs, the
callback in a plain Keras script, and the LR range test."""

import csv
import glob
import json
import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ktrain_kit import doctor

from conftest import ROOT, load_config


def epochs_from(losses, accs=None, val_losses=None, val_accs=None, lr=0.01):
    n = len(losses)
    accs, val_losses, val_accs = accs or [0.5] * n, val_losses or losses, val_accs or accs or [0.5] * n
    return [{"loss": l, "accuracy": a, "val_loss": vl, "val_accuracy": va, "lr": lr}
            for l, a, vl, va in zip(losses, accs, val_losses, val_accs)]


def symptoms(findings, serious=True):
    return {f.symptom for f in findings if not serious or f.severity != "info"}


def test_nan_loss_is_critical_with_its_step():
    batches = [(1, 1, 2.3), (2, 1, 5.0), (3, 1, math.nan)]
    found = doctor.diagnose(epochs_from([2.3]), batches, [], {"base_lr": 1.0,
                                                              "from_launcher": True})
    assert found[0].symptom == "nan_loss" and found[0].severity == "critical"
    assert found[0].first_seen == {"epoch": 1, "step": 3}
    assert "--config.schedule.base_lr=0.1" in found[0].suggested_overrides


def test_labels_outside_outputs_and_unscaled_inputs_are_data_problems():
    facts = {"loss_name": "sparse_categorical_crossentropy", "num_outputs": 3,
             "labels_shape": [64], "labels_min": 0.0, "labels_max": 5.0, "labels_integer": True,
             "labels_distinct": 6, "inputs_absmax": 1e6, "normalizes_inputs": False}
    found = doctor.diagnose(epochs_from([1.0]), [], [], facts)
    problems = [f for f in found if f.symptom == "data_problem"]
    assert problems[0].severity == "critical" and problems[0].evidence["labels_max"] == 5
    assert any("largest_input_magnitude" in f.evidence for f in problems)


def test_a_nan_ranks_below_the_structural_cause_that_produced_it():
    """A ReLU output under cross-entropy, or inputs in the thousands, make the loss NaN: at
    equal severity the cause comes first (its fix is the fix), and the NaN is still reported."""
    nan_batches = [(1, 1, 2.3), (2, 1, 40.0), (3, 1, math.nan)]
    relu_output = {"loss_name": "categorical_crossentropy", "from_logits": False,
                   "output_activation": "relu", "num_outputs": 10, "labels_shape": [64, 10],
                   "labels_min": 0.0, "labels_max": 1.0, "labels_integer": True,
                   "labels_distinct": 2, "labels_rows_sum_one": True}
    found = doctor.diagnose(epochs_from([2.3]), nan_batches, [], relu_output)
    assert [f.symptom for f in found[:2]] == ["wrong_loss", "nan_loss"]
    assert found[0].severity == found[1].severity == "critical"

    unscaled = {"inputs_feature_rms_max": 3000.0, "inputs_absmax": 9000.0,
                "normalizes_inputs": False, "loss_name": "mean_squared_error",
                "output_activation": "linear", "num_outputs": 1}
    blew_up = doctor.diagnose(epochs_from([2.3]), nan_batches, [], unscaled)
    assert (blew_up[0].symptom, blew_up[0].severity) == ("data_problem", "critical")
    assert "nan_loss" in symptoms(blew_up)
    trained = doctor.diagnose(epochs_from([2.3, 0.9, 0.4]), [(1, 1, 2.3), (2, 1, 2.0)], [],
                              unscaled)  # large inputs that still train: no blow-up to explain
    assert all(f.severity != "critical" for f in trained if f.symptom == "data_problem")


def test_units_that_stopped_learning_rank_above_the_flat_loss_they_cause():
    probes = [{"step": 10 * i, "epoch": i, "dead_relu_fraction": 0.9, "probe_loss": 2.3,
               "grad_norm": 1e-3, "update_ratio": 1e-3} for i in range(5)]
    flat = [{"loss": 2.3, "accuracy": 0.1, "val_loss": 2.3, "val_accuracy": 0.1, "lr": 0.01}
            for _ in range(5)]
    found = doctor.diagnose(flat, [], probes, {
        "base_lr": 0.01, "num_outputs": 10, "loss_name": "sparse_categorical_crossentropy",
        "output_activation": "softmax"})
    assert [(f.symptom, f.severity) for f in found] == [("dead_units", "warning"),
                                                        ("loss_not_decreasing", "warning")]


def test_dead_units_not_a_low_rate_explain_weights_that_barely_move():
    """Every ReLU dead (a bias of -10): the weights move 1e-6 of their size per step because a
    dead unit passes no gradient - 'raise the learning rate' cannot move them. The same steps
    with live units are a rate too low."""
    def found(dead):
        probes = [{"step": 10 * i, "epoch": i, "dead_relu_fraction": dead, "probe_loss": 2.3,
                   "grad_norm": 1e-3, "update_ratio": 1e-6} for i in range(5)]
        flat = [{"loss": 2.3, "accuracy": 0.1, "val_loss": 2.3, "val_accuracy": 0.1,
                 "lr": 1e-3} for _ in range(5)]
        return {f.symptom: f for f in doctor.diagnose(flat, [], probes, {
            "base_lr": 1e-3, "num_outputs": 10, "loss_name": "sparse_categorical_crossentropy",
            "output_activation": "softmax"})}
    dead, alive = found(1.0), found(0.0)
    assert dead["dead_units"].severity == "warning"
    assert dead["loss_not_decreasing"].severity == "info"
    assert "dead" in dead["loss_not_decreasing"].causes[0]
    assert alive["loss_not_decreasing"].severity == "warning"
    assert alive["loss_not_decreasing"].causes[0].startswith("learning rate too low")


def test_binary_and_multilabel_sigmoid_outputs_are_not_wrong_losses():
    """What the old doctor called a data problem and a wrong loss: one sigmoid unit with binary
    cross-entropy, and k sigmoid units on multi-hot labels."""
    base = {"loss_name": "binary_crossentropy", "from_logits": False,
            "output_activation": "sigmoid", "labels_min": 0.0, "labels_max": 1.0,
            "labels_integer": True, "labels_distinct": 2}
    binary = doctor.diagnose(epochs_from([0.6, 0.4, 0.3]), [], [], {
        **base, "num_outputs": 1, "labels_shape": [64, 1]})
    multilabel = doctor.diagnose(epochs_from([0.6, 0.4, 0.3]), [], [], {
        **base, "num_outputs": 5, "labels_shape": [64, 5], "labels_rows_sum_one": False})
    assert symptoms(binary) == set() and symptoms(multilabel) == set()
    softmax = doctor.diagnose(epochs_from([0.6, 0.4, 0.3]), [], [], {
        **base, "loss_name": "mean_squared_error", "output_activation": "softmax",
        "num_outputs": 5, "labels_shape": [64, 5], "labels_rows_sum_one": False})
    assert "wrong_loss" in symptoms(softmax)  # multi-hot targets through softmax


def test_a_data_ceiling_is_not_underfitting_but_a_gap_to_a_simple_model_is():
    epochs = epochs_from([0.69, 0.62, 0.60, 0.60], [0.6, 0.7, 0.72, 0.72],
                         [0.65, 0.63, 0.62, 0.62], [0.65, 0.7, 0.71, 0.71])
    at_ceiling = {"task": "binary", "reference": {"metric": "accuracy", "n": 500, "model": 0.72,
                                                  "simple": 0.71, "chance": 0.5}}
    assert symptoms(doctor.diagnose(epochs, [], [], at_ceiling)) == set()
    below = {**at_ceiling, "reference": {**at_ceiling["reference"], "simple": 0.95}}
    found = doctor.diagnose(epochs, [], [], below)
    assert symptoms(found) == {"underfitting"}


def test_flat_loss_with_tiny_updates_blames_a_low_learning_rate():
    probes = [{"step": 0, "probe_loss": 2.3}] + [
        {"step": s, "probe_loss": 2.3, "update_ratio": 1e-8} for s in (50, 100)]
    found = doctor.diagnose(epochs_from([2.3, 2.29, 2.29]), [], probes, {"base_lr": 1e-6,
                                                                        "from_launcher": True})
    flat = next(f for f in found if f.symptom == "loss_not_decreasing")
    assert "too low" in flat.causes[0]
    assert flat.suggested_overrides == ["--config.schedule.base_lr=0.0001"]


def test_overfitting_needs_a_gap_and_a_widening_loss():
    healthy = epochs_from([0.5, 0.2, 0.1, 0.05], [0.9, 0.95, 0.98, 0.99],
                          [0.5, 0.3, 0.25, 0.24], [0.88, 0.93, 0.96, 0.97])
    assert "overfitting" not in symptoms(doctor.diagnose(healthy, [], [], {}))
    overfit = epochs_from([0.5, 0.1, 0.01, 0.001], [0.8, 0.97, 1.0, 1.0],
                          [0.6, 0.5, 0.7, 0.9], [0.75, 0.8, 0.79, 0.78])
    found = doctor.diagnose(overfit, [], [], {})
    assert "overfitting" in symptoms(found)


def test_early_stopping_is_offered_only_when_validation_was_best_before_the_end():
    """Early stopping restores the best validation epoch: offered for a loss that turned back
    up, not for a memorized training set whose validation loss is still at its lowest."""
    turned_up = epochs_from([0.5, 0.1, 0.01, 0.001], [0.8, 0.97, 1.0, 1.0],
                            [0.6, 0.5, 0.7, 0.9], [0.75, 0.8, 0.79, 0.78])
    still_best = epochs_from([0.5, 0.1, 0.01, 0.001], [0.8, 0.97, 1.0, 1.0],
                             [0.9, 0.8, 0.7, 0.6], [0.6, 0.7, 0.75, 0.8])
    facts = {"from_launcher": True}
    up = next(f for f in doctor.diagnose(turned_up, [], [], facts) if f.symptom == "overfitting")
    best = next(f for f in doctor.diagnose(still_best, [], [], facts)
                if f.symptom == "overfitting")
    assert up.evidence["epochs_after_best"] == 2 and best.evidence["epochs_after_best"] == 0
    assert any("early stopping" in r for r in up.remedies)
    assert "--config.callbacks.early_stopping.enabled=True" in up.suggested_overrides
    assert any("trained too long" in c for c in up.causes)
    assert not any("early stopping" in r for r in best.remedies)
    assert not any("early_stopping" in o for o in best.suggested_overrides)
    assert not any("too long" in c for c in best.causes)


def test_root_cause_demotes_its_consequences():
    probes = [{"step": 0, "probe_loss": 2.3, "outputs_in_unit_interval": False}]
    facts = {"from_logits": False, "loss_name": "sparse_categorical_crossentropy",
             "output_activation": "linear", "num_outputs": 10}
    found = doctor.diagnose(epochs_from([2.3, 2.3, 2.3]), [], probes, facts)
    assert found[0].symptom == "wrong_loss" and found[0].severity == "critical"
    assert symptoms(found) == {"wrong_loss"}  # the flat loss is reported, but as info


def test_report_shapes():
    found = doctor.diagnose(epochs_from([2.3]), [(1, 1, math.inf)], [], {})
    report = doctor.report_json(found)
    assert report["status"] == "problems"
    assert set(report["findings"][0]) == {"symptom", "severity", "first_seen", "evidence",
                                           "causes", "remedies", "suggested_overrides"}
    markdown = doctor.report_markdown(found, ["plots/loss.png"])
    assert "The loss became NaN" in markdown and "![plots/loss.png](plots/loss.png)" in markdown
    assert doctor.report_json([])["status"] == "healthy"


# ------------------------------------------------------------------ end to end, in-process
GALLERY = {os.path.basename(p)[:-3] for p in glob.glob(os.path.join(ROOT, "configs/faults/*.py"))
           if not os.path.basename(p).startswith("_")}
EXPECTED = {
    "lr_too_high": "nan_loss", "lr_too_low": "loss_not_decreasing",
    "deep_sigmoid": "vanishing_gradients", "saturated_tanh": "saturated_units",
    "dead_relu": "dead_units", "overfitting": "overfitting", "underfitting": "underfitting",
    "shuffled_labels": "data_problem", "logits_as_probabilities": "wrong_loss",
    "exploding_gradients": "exploding_gradients", "unstable": "unstable",
    "diverging": "diverging",
}


def run_quietly(config, workdir):
    from ktrain_kit.training import train
    config.train.verbose = 0
    summary = train(config, str(workdir))
    return summary, json.load(open(os.path.join(workdir, "diagnosis.json")))


def test_gallery_covers_every_symptom():
    assert set(EXPECTED) == GALLERY
    assert set(EXPECTED.values()) == set(doctor.TITLES)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_gallery_config_shows_its_symptom(tmp_path, name):
    import importlib
    config = importlib.import_module(f"configs.faults.{name}").get_config()
    summary, diagnosis = run_quietly(config, tmp_path / name)
    serious = {f["symptom"] for f in diagnosis["findings"] if f["severity"] != "info"}
    assert EXPECTED[name] in serious, diagnosis["findings"]
    assert os.path.exists(tmp_path / name / "diagnosis.md")


@pytest.mark.slow
@pytest.mark.parametrize("name,seed", [("digits_mlp", 1), ("digits_cnn", 0), ("tabular_binary", 0),
                                       ("tabular_regression", 0)])
def test_healthy_configs_get_no_warning(tmp_path, name, seed):
    summary, diagnosis = run_quietly(load_config(name, seed=seed), tmp_path / name)
    assert diagnosis["status"] == "healthy", diagnosis["findings"]


# ------------------------------------------------------------------ the callback alone
PLAIN_KERAS = textwrap.dedent("""
    import numpy as np, keras
    from ktrain_kit.callbacks import TrainingDoctor

    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 20)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = keras.Sequential([keras.Input((20,))] +
        [keras.layers.Dense(32, activation="sigmoid") for _ in range(8)] +
        [keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    doctor = TrainingDoctor(probe_data=(x[:64], y[:64]), interval=10)
    model.fit(x, y, validation_split=0.25, epochs=4, batch_size=32, verbose=0,
              callbacks=[doctor])
    print("SYMPTOMS", sorted({f.symptom for f in doctor.findings}))
    print(doctor.report().splitlines()[0])
""")


def test_training_doctor_in_a_plain_keras_script(tmp_path):
    script = tmp_path / "plain.py"
    script.write_text(PLAIN_KERAS)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": ROOT}
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=180, cwd=str(tmp_path), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "vanishing_gradients" in result.stdout  # a deep sigmoid net, no normalization
    assert "# Training diagnosis" in result.stdout


# ------------------------------------------------------------------ LR range test
def numpy_smooth(losses, beta=0.98):
    """Bias-corrected EMA written independently: s_i = sum_j (1-b) b^(i-j) x_j / (1 - b^(i+1))."""
    x = np.asarray(losses, dtype=np.float64)
    out = []
    for i in range(len(x)):
        weights = (1 - beta) * beta ** np.arange(i, -1, -1)
        out.append(float((weights * x[:i + 1]).sum() / (1 - beta ** (i + 1))))
    return np.array(out)


def test_minimum_rule_is_a_tenth_of_the_smoothed_minimum_exactly():
    from ktrain_kit.lr_find import suggest, sweep
    lrs = sweep(1e-4, 1.0, 50)
    losses = [(math.log10(lr) + 2) ** 2 + 1 for lr in lrs]  # minimum at lr = 1e-2
    suggestion, smoothed = suggest(lrs, losses, "minimum")
    expected = lrs[int(np.argmin(numpy_smooth(losses)))] / 10
    np.testing.assert_allclose(smoothed, numpy_smooth(losses), rtol=1e-12)
    assert suggestion == pytest.approx(expected, rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(losses=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=40),
       min_lr=st.sampled_from([1e-7, 1e-4, 0.01]), decades=st.integers(1, 8))
def test_the_suggestion_lies_in_the_sweep_or_there_is_none(losses, min_lr, decades):
    """--steps=10 suggested 1e-8, a tenth of the first rate tried (1e-7): the loss was lowest
    at the start. A suggestion is a rate of the sweep; when the lowest smoothed loss (an
    independent EMA) came within the first tenfold of rates, the loss never fell: none."""
    from ktrain_kit import lr_find
    max_lr = min_lr * 10 ** decades
    lrs = lr_find.sweep(min_lr, max_lr, len(losses))
    suggested = lr_find.in_sweep(lr_find.suggest(lrs, losses, "minimum")[0], min_lr)
    lowest = lrs[int(np.argmin(numpy_smooth(losses)))]
    if lowest / 10 < min_lr * (1 - 1e-6):
        assert suggested is None
    elif lowest / 10 > min_lr * (1 + 1e-6):  # (a rate a rounding away from min_lr: either)
        assert suggested == pytest.approx(lowest / 10, rel=1e-9)


def test_steep_and_valley_rules_on_a_known_curve():
    from ktrain_kit import lr_find
    lrs = list(lr_find.sweep(1e-6, 1.0, 60))
    # flat, then falling over points 20..44 (fastest between 30 and 31), then rising
    losses = [3.0] * 20 + [3.0 - 0.05 * i for i in range(10)] + [2.0] + \
        [1.95 - 0.05 * i for i in range(14)] + [2.0 + 0.5 * i for i in range(15)]
    trimmed = slice(int(60 * lr_find.SKIP_START), 60 - lr_find.SKIP_END)
    assert lr_find.suggest_steep(lrs, losses) == lrs[29]  # 2.55 -> 2.0, the biggest drop
    # the longest strictly decreasing run starts at the last 3.0 (index 19) and ends at 44
    start, end = 19, 44
    assert trimmed.start <= start and end < trimmed.stop
    third = (end - start) / 3
    assert lr_find.suggest_valley(lrs, losses) == lrs[start + int(third) + int(third / 2)]


@pytest.mark.slow
def test_lr_find_changes_the_rate_every_step_with_several_steps_per_call(tmp_path):
    from ktrain_kit.lr_find import lr_range_test
    config = load_config("digits_mlp", train__steps_per_execution=4)
    result = lr_range_test(config, str(tmp_path / "find"), steps=40, min_lr=1e-4, max_lr=10.0)
    rows = list(csv.DictReader(open(tmp_path / "find" / "lr_find.csv")))
    assert result["steps"] == 40 or result["stopped_on_divergence"]
    assert result["steps"] % 4 == 0 and len(rows) == result["steps"] // 4  # a point per call
    rates = [float(r["lr"]) for r in rows]
    assert rates == sorted(rates) and rates[0] > 1e-4 and rates[-1] < 10.0
    assert 1e-4 < result["suggested_lr"] < 10.0  # within the sweep, not below it


@pytest.mark.slow
def test_lr_find_on_digits_cnn_suggests_a_rate_that_trains(tmp_path):
    from ktrain_kit.lr_find import lr_range_test
    result = lr_range_test(load_config("digits_cnn"), str(tmp_path / "find"))
    assert os.path.exists(result["plot"]) and 1e-5 < result["suggested_lr"] < 1.0
    config = load_config("digits_cnn", train__epochs=4, train__precision="float32")
    config.schedule.base_lr = result["suggested_lr"]
    summary, _ = run_quietly(config, tmp_path / "train")
    # What holds on any CPU: far better than chance (0.1) within 4 epochs. (The suggestion
    # itself depends on the machine's kernels: 0.0423 on one CPU, 0.0614 on an AVX512 one,
    # where 4 epochs reach 0.886; the full 15-epoch run reaches 0.98 with either.)
    assert summary["best_val_accuracy"] > 0.8


# ------------------------------------------------------------------ never raises
finite_or_not = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(0.0))


@settings(max_examples=300, deadline=None)
@given(losses=st.lists(finite_or_not, min_size=0, max_size=12),
       val=st.lists(finite_or_not, min_size=0, max_size=12),
       batch=st.lists(finite_or_not, min_size=0, max_size=80),
       probe=st.lists(st.fixed_dictionaries({}, optional={
           "grad_norm": finite_or_not, "probe_loss": finite_or_not,
           "grad_rms_first_layer": finite_or_not, "grad_rms_last_layer": finite_or_not,
           "update_ratio": finite_or_not, "dead_relu_fraction": finite_or_not,
           "saturated_fraction": finite_or_not, "nonfinite_grad_fraction": finite_or_not,
           "outputs_are_probabilities": st.booleans(), "num_outputs": st.integers(0, 5)}),
           max_size=6),
       facts=st.fixed_dictionaries({}, optional={
           "num_classes": st.integers(0, 5), "labels_max": finite_or_not, "base_lr": finite_or_not,
           "from_logits": st.sampled_from([True, False, None]),
           "loss_name": st.sampled_from(["", "mse", "binary_crossentropy",
                                         "sparse_categorical_crossentropy"]),
           "task": st.sampled_from(["classification", "binary", "multilabel", "regression"]),
           "inputs_absmax": finite_or_not, "label_noise": finite_or_not}))
def test_diagnose_never_raises_on_any_curves(losses, val, batch, probe, facts):
    n = max(len(losses), len(val))
    epochs = [{"loss": losses[i] if i < len(losses) else None, "lr": 0.1,
               **({"val_loss": val[i], "val_accuracy": abs(val[i]) % 1 if math.isfinite(val[i])
                   else val[i]} if i < len(val) else {})} for i in range(n)]
    batches = [(i + 1, 1 + i // 10, v) for i, v in enumerate(batch)]
    probes = [{"step": 10 * i, "epoch": i, **p} for i, p in enumerate(probe)]
    findings = doctor.diagnose(epochs, batches, probes, facts)
    assert all(f.symptom not in ("doctor_error",) for f in findings), findings
    doctor.report_markdown(findings)


def test_the_callback_never_raises_into_fit_when_losses_reach_zero():
    """A perfectly fit batch gives loss 0: the medians the doctor divides by are 0."""
    import keras
    x = np.zeros((32, 2), "float32")
    y = np.zeros((32, 1), "float32")
    keras.utils.set_random_seed(0)
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(1, kernel_initializer="zeros")(inputs))
    model.compile(keras.optimizers.SGD(0.1), "mse")
    from ktrain_kit.callbacks import TrainingDoctor
    doctor_cb = TrainingDoctor(probe_data=(x[:8], y[:8]), interval=2)
    model.fit(x, y, batch_size=4, epochs=4, verbose=0, callbacks=[doctor_cb])
    assert all(loss == 0 for _, _, loss in doctor_cb.batch_losses)
    assert not [f for f in doctor_cb.findings if f.symptom == "doctor_error"]


def test_zero_weight_gradients_are_named_only_where_the_biases_still_learn():
    """Zero-initialized weights: first and last kernel gradients exactly 0 from the first probe
    on while the biases' are not. No gradient at all (a constant output, a loss at zero),
    gradients zeroed because they were NaN, and gradients that stop later (ReLUs a blow-up
    killed in a model the probe cannot see inside) are other findings' evidence."""
    def probes(grad_norm, nonfinite=0.0):
        return [{"step": s, "epoch": max(s // 10, 1), "probe_loss": 1.1, "grad_norm": grad_norm,
                 "grad_rms_first_layer": 0.0, "grad_rms_last_layer": 0.0,
                 "nonfinite_grad_fraction": nonfinite} for s in (0, 10, 20, 30)]
    epochs = epochs_from([1.1, 1.1, 1.1, 1.1])

    def zero_findings(p):
        return [f for f in doctor.diagnose(epochs, [(1, 1, 1.1)], p, {})
                if "probes_with_zero_weight_gradients" in f.evidence]
    assert len(zero_findings(probes(0.05))) == 1
    assert not zero_findings(probes(0.0))
    assert not zero_findings(probes(0.05, nonfinite=0.5))
    later = probes(0.05)  # gradients that stop after the start: starved, not started at zero
    later[0] = dict(later[0], grad_rms_first_layer=0.01, grad_rms_last_layer=0.02)
    assert not zero_findings(later)
