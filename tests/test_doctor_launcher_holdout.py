"""Round 15 (benchmarks/DOCTOR.md, "Round 15: held-out launcher configs"): two text-bag
launcher runs at chance that the doctor left quiet. The curves, probes and reference are the
recorded runs' (benchmarks/doctor_data_kinds.py, dk_r15_text_*), cut to the fields the rules
read; their healthy twin (dk_r15_h_text_warmup_3, the same bag at 3e-3) stays quiet.

- plain SGD at 1e-3: at chance (0.381 against 1/3, its bag of tokens 1.0), said only as info
  because a sequence model below a bag of its tokens is common on small data;
- Adam at 3.0 without clipping: its first steps threw the weights 5x their size away, the
  loss never came back below its start, and the median update ratio (healthy) hid it;
- a 1-unit bag without norm (the --fix attempt of dk_r15_text_width_1, run again with its
  record kept): at chance on its training rows, called healthy because its training batches
  (0.381) and 180 validation rows (0.317) differ by more than the capacity test allows;
- the text bag's --fix attempt at SGD 1e-2, 0.44 against its bag's 1.0: excused as "a sequence
  model below a bag of its tokens", which a model that reads that bag is not.
"""

import math

from ktrain_kit import doctor

from tests.doctor_records import serious

FACTS = {"loss_name": "sparse_categorical_crossentropy", "from_logits": True,
         "output_activation": "linear", "num_outputs": 3, "labels_shape": [64],
         "labels_min": 0.0, "labels_max": 2.0, "labels_integer": True, "labels_distinct": 3,
         "task": "classification", "from_launcher": True, "first_batch_loss": 1.1529,
         "trainable_parameters": 29955, "dropout_rate_max": 0.1}
REFERENCE = {"metric": "balanced_accuracy", "n": 720, "n_effective": 719, "simple": 1.0,
             "simple_model": "ridge on token counts", "chance": 1 / 3, "majority": 0.3458,
             "linear_weights": 1386, "simple_on_validation": 1.0, "n_validation_effective": 177}
FIRST_BATCH = [(1, 1, 1.1529)]
STEPS = (11, 22, 33, 44, 55, 66, 77, 88, 99, 100, 110)


def epochs(rows):
    return [{"loss": l, "val_loss": v, "accuracy": a, "val_accuracy": va, "lr": lr}
            for l, v, a, va, lr in rows]


def probes(ratios):
    return [{"step": 0}] + [{"step": s, "update_ratio": r} for s, r in zip(STEPS, ratios)]


def facts(base_lr, model, on_validation):
    return {**FACTS, "base_lr": base_lr, "reference": {
        **REFERENCE, "model": model, "model_on_validation": on_validation}}


SGD_1E3 = epochs([[1.2368, 1.1483, 0.3537, 0.3833, 9.755e-4], [1.2122, 1.1463, 0.3778, 0.3833,
                  9.045e-4], [1.1849, 1.1444, 0.3864, 0.3889, 7.939e-4], [1.2302, 1.1426,
                  0.3878, 0.3889, 6.545e-4], [1.2001, 1.1411, 0.3523, 0.3833, 5e-4],
                  [1.2118, 1.1402, 0.3679, 0.3833, 3.455e-4], [1.1894, 1.1394, 0.3778, 0.3833,
                  2.061e-4], [1.2024, 1.1391, 0.3608, 0.3833, 9.549e-5], [1.1996, 1.139,
                  0.3835, 0.3833, 2.447e-5], [1.1872, 1.139, 0.3793, 0.3833, 0.0]])
SGD_PROBES = probes([2.98e-5, 2.72e-5, 2.52e-5, 2.34e-5, 1.8e-5, 1.25e-5, 8.7e-6, 4.59e-6,
                     1.78e-6, 1.81e-6, 2.75e-7])
ADAM_3 = epochs([[5.7586, 1.2521, 0.3168, 0.3611, 3.0], [1.2325, 1.1261, 0.3224, 0.3667, 2.91],
                 [1.137, 1.0993, 0.3636, 0.35, 2.649], [1.1253, 1.1002, 0.3409, 0.3667, 2.25],
                 [1.1077, 1.1158, 0.331, 0.3667, 1.76], [1.1133, 1.1067, 0.3068, 0.2833, 1.24],
                 [1.1071, 1.0981, 0.3253, 0.35, 0.75], [1.1077, 1.1, 0.3452, 0.3667, 0.3509],
                 [1.0938, 1.098, 0.3381, 0.35, 0.09046], [1.0966, 1.1011, 0.3324, 0.35, 0.0]])
ADAM_PROBES = probes([4.96, 0.0462, 0.00872, 0.0163, 0.0161, 0.0131, 0.00932, 0.00514,
                      0.00205, 0.000852, 0.000272])
TWIN = epochs([[1.2073, 1.0408, 0.3651, 0.4444, 0.001], [0.8963, 0.7739, 0.5881, 0.7333, 0.002],
               [0.4742, 0.4525, 0.8864, 0.9056, 0.003], [0.1716, 0.22, 0.9858, 0.9722,
               0.002851], [0.0503, 0.1381, 1.0, 0.9889, 0.002435], [0.0233, 0.1047, 1.0,
               0.9833, 0.001834], [0.0172, 0.0924, 1.0, 0.9944, 0.001166], [0.0141, 0.0868,
               1.0, 0.9944, 5.648e-4], [0.0136, 0.085, 1.0, 0.9944, 1.485e-4], [0.0121, 0.0847,
               1.0, 0.9944, 0.0]])
TWIN_PROBES = probes([0.00227, 0.00663, 0.0103, 0.0101, 0.00573, 0.00278, 0.00118, 0.00058,
                      0.000201, 8.85e-5, 2.67e-5])


def test_the_recorded_runs_are_at_chance_by_a_binomial_margin():
    # the premise, computed apart from the doctor: a 3-class guess on 719 rows has a standard
    # error of sqrt(p (1 - p) / n); both runs are within 3 of them of 1/3, and the twin is not
    se = math.sqrt((1 / 3) * (2 / 3) / 719)
    assert 0.3808 - 1 / 3 < 3 * se and 0.336 - 1 / 3 < 3 * se
    assert 1.0 - 1 / 3 > 30 * se


def test_a_token_model_at_chance_is_not_excused_by_its_bag_of_tokens():
    found = doctor.diagnose(SGD_1E3, FIRST_BATCH, SGD_PROBES, facts(1e-3, 0.3808, 0.3844))
    assert "underfitting" in serious(found)
    finding = next(f for f in found if f.symptom == "underfitting")
    assert finding.severity == "warning"
    assert not finding.causes[0].startswith("below a bag of its tokens")
    assert "learning rate" in finding.causes[0]
    assert "--config.schedule.base_lr=0.01" in finding.suggested_overrides  # raised, not cut


def test_a_token_model_that_learned_is_still_excused_below_its_bag():
    # the same model clearly above chance but below the bag (0.62 against 1.0): info, as
    # BELOW_TOKENS_CAPACITY says of sequence models on small data
    found = doctor.diagnose(SGD_1E3, FIRST_BATCH, SGD_PROBES, facts(1e-3, 0.62, 0.6))
    finding = next(f for f in found if f.symptom == "underfitting")
    assert finding.severity == "info"


def test_first_steps_that_threw_the_weights_away_name_the_rate_too_high():
    found = doctor.diagnose(ADAM_3, FIRST_BATCH, ADAM_PROBES, facts(3.0, 0.336, 0.3333))
    assert serious(found) == {"loss_not_decreasing"}
    finding = next(f for f in found if f.symptom == "loss_not_decreasing")
    assert finding.causes[0].startswith("learning rate too high")
    assert finding.evidence["overshoot_step"] == 11
    assert "--config.schedule.base_lr=0.3" in finding.suggested_overrides


def test_a_large_first_step_without_a_rising_loss_is_not_named():
    # the same probes on a run whose loss never rose above its start: a small initialization
    # growing, not a rate that overshot (loss within 1.5x of its start throughout)
    calm = [dict(e, loss=min(e["loss"], 1.2)) for e in ADAM_3]
    found = doctor.diagnose(calm, FIRST_BATCH, ADAM_PROBES, facts(3.0, 0.336, 0.3333))
    assert not any(f.evidence.get("overshoot_step") for f in found)


def test_the_healthy_twin_stays_quiet():
    assert serious(doctor.diagnose(TWIN, FIRST_BATCH, TWIN_PROBES,
                                   facts(3e-3, 1.0, 0.9947))) == set()


WIDTH_1 = epochs([[1.0995, 1.0993, 0.3153, 0.2833, 0.003], [1.0964, 1.0982, 0.3622, 0.3444,
                  0.00291], [1.0913, 1.0964, 0.3821, 0.3222, 0.002649], [1.0854, 1.094, 0.3892,
                  0.3278, 0.00225], [1.0812, 1.0918, 0.3821, 0.3333, 0.00176], [1.0759, 1.0894,
                  0.3878, 0.3222, 0.00124], [1.0722, 1.0877, 0.3835, 0.3222, 0.00075],
                  [1.0675, 1.0869, 0.3892, 0.3167, 3.509e-4], [1.069, 1.0865, 0.3835, 0.3167,
                  9.046e-5], [1.066, 1.0864, 0.3807, 0.3167, 0.0]])
WIDTH_1_PROBES = probes([0.00788, 0.0167, 0.0158, 0.0139, 0.0112, 0.00784, 0.00513, 0.0029,
                         0.00107, 0.000428, 0.000136])


def width_1_facts(model):
    return {**facts(3e-3, model, 0.3651), "trainable_parameters": 469,
            "first_batch_loss": 1.1017}


def test_a_model_at_chance_on_its_training_rows_is_not_read_as_variance():
    # the gap the capacity test saw is within 2 standard errors of a difference of two
    # accuracies at 1/3 on 180 validation rows (computed apart from the doctor)
    se_validation = math.sqrt((1 / 3) * (2 / 3) / 180)
    assert 0.3807 - 0.3167 < 2 * se_validation
    found = doctor.diagnose(WIDTH_1, [(1, 1, 1.1017)], WIDTH_1_PROBES, width_1_facts(0.377))
    assert serious(found) == {"underfitting"}
    finding = found[0]
    assert "too small" in finding.causes[0]
    assert "--config.model.width=128" in finding.suggested_overrides


def test_the_same_curves_clearly_above_chance_on_the_training_rows_stay_unjudged_as_bias():
    # 0.62 on its training rows is learning, and a 0.064 gap to validation then is not read
    # as bias by this rule (high_bias alone decides, as before): no "too small" from it
    found = doctor.diagnose(WIDTH_1, [(1, 1, 1.1017)], WIDTH_1_PROBES, width_1_facts(0.62))
    assert not any("too small" in (f.causes or [""])[0] for f in found
                   if f.severity != "info")


def test_the_bag_excuse_is_not_given_to_a_model_that_reads_a_bag_of_its_tokens():
    # the same curves clearly above chance: info for a sequence model, a warning for a bag
    sequence = doctor.diagnose(SGD_1E3, FIRST_BATCH, SGD_PROBES, facts(1e-3, 0.45, 0.44))
    bag = doctor.diagnose(SGD_1E3, FIRST_BATCH, SGD_PROBES,
                          {**facts(1e-3, 0.45, 0.44), "reads_a_bag_of_tokens": True})
    assert next(f for f in sequence if f.symptom == "underfitting").severity == "info"
    assert serious(bag) == {"underfitting"}


def test_the_doctor_sees_which_models_read_a_bag_of_their_tokens():
    import keras
    from ktrain_kit.doctor import facts as facts_lib
    from ktrain_kit.layers import TfIdf
    ids = keras.Input((12,), dtype="int32")
    tf_idf = TfIdf(50, [1.0] * 50)(ids)
    bag = keras.Model(ids, keras.layers.Dense(3)(tf_idf))
    counts = keras.Model(ids, keras.layers.Dense(3)(
        keras.layers.CategoryEncoding(50, output_mode="count")(ids)))
    vectors = keras.Model(ids, keras.layers.Dense(3)(
        keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(50, 8)(ids))))
    # the layer types, as Keras names them, decide (no weights are read)
    assert [type(m.layers[1]).__name__ for m in (bag, counts, vectors)] == [
        "TfIdf", "CategoryEncoding", "Embedding"]
    assert facts_lib.reads_a_bag_of_tokens(bag) and facts_lib.reads_a_bag_of_tokens(counts)
    assert not facts_lib.reads_a_bag_of_tokens(vectors)
