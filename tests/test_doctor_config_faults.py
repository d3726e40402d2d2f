"""The doctor on config-level faults of ktrain_kit trainings (benchmarks/doctor_configs.py, tune
half): a token model far too small (no reference existed for token ids), a step schedule that
decays to nothing in epoch 1, and dropout 0.95 whose training-loss swings read as divergence.
Each bug's finding, and its absence on the healthy twin. Curves are the recorded runs', cut."""

import math

import numpy as np

from ktrain_kit import doctor
from ktrain_kit.doctor import task as task_lib


def serious(found):
    return [f.symptom for f in found if f.severity != "info"]


CLASSES = {"loss_name": "sparse_categorical_crossentropy", "from_logits": True,
           "output_activation": "linear", "labels_shape": [64], "labels_min": 0.0,
           "labels_integer": True, "task": "classification", "from_launcher": True}
VIEW = task_lib.TaskView("classification", task_lib.CROSSENTROPY, True, 4, "linear", "ids")


def token_task(rng, n=300, length=32, vocab=64, classes=4, own=0.3):
    """configs/sequence_transformer.py's task: a share `own` of each sequence's tokens come
    from its class's group of ids, the rest from the whole vocabulary."""
    y = rng.integers(0, classes, n)
    x = rng.integers(0, vocab, (n, length))
    group = vocab // classes
    mine = rng.random((n, length)) < own
    x[mine] = (y[:, None] * group + rng.integers(0, group, (n, length)))[mine]
    return x.astype(np.int32), y


def test_token_counts_are_log_counts_of_each_id():
    x = np.array([[3, 3, 0, 5], [5, 5, 5, 5]])
    bag = task_lib.token_counts(x)
    # ids by frequency in the sample: 5 (5 times), 3 (twice), 0 (once)
    np.testing.assert_allclose(bag, np.log1p([[1, 2, 1], [4, 0, 0]]))
    assert task_lib.token_counts(x.astype("float32")) is None  # features, not ids
    assert task_lib.token_counts(-x - 1) is None


def test_a_bag_of_tokens_is_the_reference_of_token_ids():
    rng = np.random.default_rng(0)
    x, y = token_task(rng)
    assert task_lib.knn_score(VIEW, x, y) is None and task_lib.linear_score(VIEW, x, y) is None
    score, name = task_lib.best_simple_model(VIEW, x, y)
    assert name == "ridge on token counts" and score > 0.9
    shuffled, _ = task_lib.best_simple_model(VIEW, x, rng.permutation(y))
    assert abs(shuffled - 0.25) < 0.1  # labels unrelated to the tokens: chance, 1/4


def epochs(losses, val_losses, acc, val_acc, lr=1e-3):
    return [{"loss": l, "val_loss": v, "accuracy": a, "val_accuracy": va, "lr": lr}
            for l, v, a, va in zip(losses, val_losses, acc, val_acc)]


def test_a_token_model_far_too_small_is_underfitting_against_its_bag_of_tokens():
    # seq_model_far_too_small: a transformer of 264 weights, 8 classes, level at 0.24
    small = epochs([2.09, 1.82, 1.73, 1.70, 1.67, 1.66, 1.654, 1.648],
                   [1.90, 1.74, 1.68, 1.65, 1.64, 1.633, 1.625, 1.624],
                   [0.15, 0.23, 0.24, 0.236, 0.245, 0.235, 0.231, 0.238],
                   [0.23, 0.25, 0.252, 0.25, 0.251, 0.248, 0.251, 0.253])
    facts = {**CLASSES, "num_outputs": 8, "labels_max": 7.0, "labels_distinct": 8,
             "first_batch_loss": 2.23, "base_lr": 1e-3}
    reference = {"metric": "balanced_accuracy", "n": 1024, "n_effective": 1015, "chance": 0.125,
                 "simple": 0.99, "simple_model": "ridge on token counts"}
    found = doctor.diagnose(small, [], [], {**facts, "reference": {**reference, "model": 0.244}})
    assert serious(found)[:1] == ["underfitting"]
    assert "too small" in found[0].causes[0]
    # its twin (configs/sequence_transformer.py as shipped) at 0.97: nothing to say
    twin = epochs([1.0, 0.13, 0.086, 0.053, 0.035, 0.014, 0.008, 0.0065],
                  [0.119, 0.132, 0.134, 0.098, 0.107, 0.10, 0.098, 0.098],
                  [0.68, 0.96, 0.97, 0.98, 0.99, 0.996, 0.999, 0.9998],
                  [0.965, 0.964, 0.961, 0.97, 0.97, 0.971, 0.972, 0.969])
    quiet = doctor.diagnose(twin, [], [], {**facts, "reference": {**reference, "model": 0.999}})
    assert serious(quiet) == []


def probes(ratios, every=50):
    return [{"step": 0}] + [{"step": every * (i + 1), "update_ratio": r}
                            for i, r in enumerate(ratios)]


BINARY = {"loss_name": "binary_crossentropy", "from_logits": True, "output_activation": "linear",
          "num_outputs": 1, "labels_shape": [64, 1], "labels_min": 0.0, "labels_max": 1.0,
          "labels_integer": True, "labels_distinct": 2, "task": "binary", "from_launcher": True,
          "first_batch_loss": 0.70, "base_lr": 3e-3,
          "reference": {"metric": "balanced_accuracy", "n": 1024, "n_effective": 1023,
                        "model": 0.76, "simple": 0.748, "simple_model": "ridge", "chance": 0.5}}


def test_a_step_schedule_that_decays_to_nothing_in_epoch_1_is_named():
    # bin_step_to_nothing_epoch1: boundary at 0.3 epochs, decay_factor 1e-5 (rate 3e-8)
    losses = [0.72, 0.520, 0.520, 0.517, 0.513, 0.519, 0.524, 0.523, 0.523, 0.524, 0.522]
    val = [0.508, 0.497, 0.493, 0.492, 0.492, 0.4917, 0.4919, 0.492, 0.492, 0.492, 0.4918]
    run = epochs(losses, val, [0.73] * 11, [0.76] * 11, lr=3e-8)
    found = doctor.diagnose(run, [], probes([1.6e-3] + [1.8e-8] * 17), BINARY)
    assert serious(found) == ["loss_not_decreasing"]
    assert "fell to nothing" in found[0].causes[0]
    assert "--config.schedule.name=cosine" in found[0].suggested_overrides
    # the shipped cosine schedule reaches 0 at its last step: one frozen probe of 24 is not it
    cosine = epochs([0.60, 0.40, 0.33, 0.30, 0.28, 0.27, 0.26, 0.25],
                    [0.42, 0.36, 0.33, 0.32, 0.31, 0.31, 0.30, 0.30],
                    [0.8] * 8, [0.85] * 8, lr=3e-3)
    quiet = doctor.diagnose(cosine, [], probes([1e-3] * 23 + [5e-6]),
                            {**BINARY, "reference": {**BINARY["reference"], "model": 0.85}})
    assert serious(quiet) == []


TEXT = {**CLASSES, "num_outputs": 4, "labels_max": 3.0, "labels_distinct": 4,
        "first_batch_loss": 2.91, "base_lr": 3e-3,
        "reference": {"metric": "balanced_accuracy", "n": 534, "n_effective": 517,
                      "model": 0.264, "simple": 0.9, "simple_model": "ridge on token counts",
                      "chance": 0.25}}
# text_dropout_095: the training loss, with dropout 0.95 on, swings 3.2..5.7; validation stays
SWINGING = epochs([4.63, 3.21, 5.67, 3.37, 5.33, 4.42], [1.47, 1.52, 1.59, 1.64, 1.62, 1.50],
                  [0.29, 0.30, 0.30, 0.31, 0.30, 0.29], [0.29, 0.28, 0.20, 0.20, 0.20, 0.19])


FIRST_BATCH = [(1, 1, 2.91)]  # the loss before the first update


def test_dropout_095_swings_are_its_noise_not_divergence():
    found = doctor.diagnose(SWINGING, FIRST_BATCH, [], {**TEXT, "dropout_rate_max": 0.95})
    assert serious(found)[:1] == ["underfitting"]
    assert "dropout rate 0.95" in found[0].causes[0]
    assert "diverging" not in serious(found)


def test_the_same_training_curve_with_usual_dropout_is_still_divergence():
    found = doctor.diagnose(SWINGING, FIRST_BATCH, [], {**TEXT, "dropout_rate_max": 0.1})
    assert serious(found)[:1] == ["diverging"]
    # and heavy dropout does not excuse a validation loss that diverged too
    val_up = [dict(e, val_loss=v) for e, v in zip(SWINGING, [1.4, 1.5, 2.5, 3.0, 3.5, 4.0])]
    found = doctor.diagnose(val_up, FIRST_BATCH, [], {**TEXT, "dropout_rate_max": 0.95})
    assert serious(found)[:1] == ["diverging"]
    assert math.isfinite(found[0].evidence["final_loss"])


EPSILON_1 = epochs([0.938, 0.897, 0.843, 0.802, 0.766, 0.737, 0.732, 0.709, 0.70, 0.695,
                    0.686, 0.685, 0.680, 0.682, 0.682],
                   [0.90, 0.86, 0.82, 0.79, 0.76, 0.74, 0.73, 0.71, 0.70, 0.70, 0.69, 0.69,
                    0.69, 0.69, 0.69],
                   [0.55, 0.57, 0.58, 0.59, 0.60, 0.60, 0.61, 0.61, 0.61, 0.61, 0.61, 0.61,
                    0.61, 0.61, 0.61],
                   [0.56, 0.57, 0.58, 0.59, 0.60, 0.60, 0.61, 0.61, 0.61, 0.61, 0.61, 0.61,
                    0.62, 0.62, 0.62], lr=3e-3)
RIDGE_20 = {**BINARY["reference"], "model": 0.613, "simple": 0.748, "linear_weights": 21}


def test_a_model_that_holds_the_linear_reference_is_not_called_too_small():
    # bin_adam_epsilon_1: Adam with epsilon 1.0 (steps damped) on the 64-unit MLP: below ridge
    found = doctor.diagnose(EPSILON_1, [], [], {**BINARY, "trainable_parameters": 5825,
                                                "reference": RIDGE_20})
    assert serious(found) == ["underfitting"]
    assert found[0].causes[0].startswith("not too small")
    assert "--config.schedule.base_lr=0.03" in found[0].suggested_overrides
    # its twin (the shipped tabular_binary, Adam's default epsilon) is above ridge: quiet
    twin = doctor.diagnose(EPSILON_1[:3] + [dict(e, loss=0.3, val_loss=0.33) for e in
                                            EPSILON_1[3:]], [], [],
                           {**BINARY, "trainable_parameters": 5825,
                            "reference": {**RIDGE_20, "model": 0.851}})
    assert serious(twin) == []
    # a model with fewer weights than 10x the linear map's keeps the old cause
    small = doctor.diagnose(EPSILON_1, [], [], {**BINARY, "trainable_parameters": 160,
                                                "reference": RIDGE_20})
    assert small[0].causes[0].startswith("the model is too small")


def test_linear_weights_count_the_features_the_reference_fitted():
    rng = np.random.default_rng(1)
    x, y = token_task(rng, n=60, vocab=16)
    bag = task_lib.token_counts(x)
    assert task_lib.linear_weights(VIEW, x, "ridge on token counts") == (bag.shape[1] + 1) * 4
    assert task_lib.linear_weights(VIEW, np.zeros((5, 20)), "ridge") == 21 * 4
    assert task_lib.linear_weights(VIEW, np.zeros((5, 20)), "nearest neighbours") is None


REGRESSION = {"loss_name": "mean_squared_error", "output_activation": "linear", "num_outputs": 1,
              "labels_shape": [64, 1], "labels_integer": False, "task": "regression",
              "from_launcher": True, "first_batch_loss": 6.5, "base_lr": 1e-4,
              "trainable_parameters": 18049,
              "reference": {"metric": "mse", "n": 1024, "n_effective": 1024, "model": 18.6,
                            "simple": 7.05, "simple_model": "ridge", "chance": 25.5,
                            "linear_weights": 11}}


def regression_epochs(rates):
    return [{"loss": l, "val_loss": v, "lr": r} for l, v, r in
            zip([2.14, 1.92, 1.58, 1.20, 0.88], [2.32, 1.74, 1.31, 0.96, 0.72], rates)]


def test_a_warmup_over_most_of_the_run_is_named_as_what_held_it_back():
    # reg_warmup_nearly_whole_run: warmup_epochs 4.9 of 5 (the rate at each epoch's end)
    found = doctor.diagnose(regression_epochs([2e-5, 4e-5, 6e-5, 8e-5, 0.0]), [], [],
                            REGRESSION)
    assert serious(found) == ["underfitting"]
    assert found[0].causes[0].startswith("the learning rate was still warming up")
    assert "--config.schedule.warmup_epochs=0.5" in found[0].suggested_overrides
    # one epoch of warmup, then the base rate decaying: 'train longer', as before
    short = doctor.diagnose(regression_epochs([8e-5, 1e-4, 8e-5, 3e-5, 0.0]), [], [],
                            REGRESSION)
    assert short[0].causes[0].startswith("training stopped while the loss was still falling")


def test_a_sequence_model_with_the_weights_of_its_bag_of_tokens_is_not_warned_below_it():
    # round 4's documented fix of keras#7223 (a Conv1D of 21,315 weights, 3 classes) at 0.68
    # where a bag of its tokens reaches 0.865: healthy (bag-of-words models beat such models on
    # small text sets), so said as info. The same curves from a model of fewer weights than
    # the bag's linear function (3 x 513) are 'too small', a warning.
    facts = {**CLASSES, "num_outputs": 3, "labels_max": 2.0, "labels_distinct": 3,
             "first_batch_loss": 1.10, "base_lr": 1e-3,
             "reference": {"metric": "balanced_accuracy", "n": 1024, "n_effective": 987,
                           "model": 0.677, "simple": 0.865, "chance": 1 / 3,
                           "simple_model": "ridge on token counts", "linear_weights": 1539}}
    level = epochs([1.10, 0.80, 0.70, 0.66, 0.645, 0.64, 0.638, 0.637],
                   [0.95, 0.78, 0.72, 0.70, 0.69, 0.688, 0.687, 0.686],
                   [0.40, 0.60, 0.65, 0.66, 0.67, 0.672, 0.674, 0.675],
                   [0.50, 0.62, 0.64, 0.65, 0.66, 0.665, 0.667, 0.668])
    big = doctor.diagnose(level, [], [], {**facts, "trainable_parameters": 21315})
    assert serious(big) == [] and [f.symptom for f in big] == ["underfitting"]
    assert big[0].causes[0].startswith("below a bag of its tokens")
    small = doctor.diagnose(level, [], [], {**facts, "trainable_parameters": 800})
    assert serious(small) == ["underfitting"]
    assert small[0].causes[0].startswith("the model is too small")


def test_tiny_steps_at_a_rate_that_never_fell_are_convergence_not_a_frozen_schedule():
    # keras#3040's fixed linear regression (a plain fit at a constant 1e-5): the loss fell
    # from 786 to 6e-5 and its gradients with it, so every probe after the second moved the
    # weights by 1e-7 of their size. The same probes under a rate that fell are named.
    losses = [785.7, 6.1e-5, 6.09e-5, 6.07e-5, 6.07e-5]
    run = [{"loss": l, "val_loss": l, "lr": 1e-5} for l in losses]
    facts = {**REGRESSION, "base_lr": None, "from_launcher": False,
             "reference": {**REGRESSION["reference"], "model": 5.6e-5, "simple": 2.43}}
    frozen = probes([1.79, 4.3e-5] + [2.5e-7] * 38, every=20)
    assert "loss_not_decreasing" not in serious(doctor.diagnose(run, [], frozen, facts))
    fell = [dict(e, lr=1e-5 if i == 0 else 1e-10) for i, e in enumerate(run)]
    assert "loss_not_decreasing" in serious(doctor.diagnose(fell, [], frozen, facts))
