"""The doctor on failure classes found with round 5's published programs
(benchmarks/doctor_cases/wild5.py): Dropout layers in series that keep almost nothing together
(UMLAUT's example CNN: three Dropout(0.8)), and large gradients that the inputs' scale explains
(the keras-io Boston-housing MLP on unscaled features) read as a consequence, not an
explosion."""

import keras
import numpy as np

from ktrain_kit import doctor
from ktrain_kit.doctor import facts as facts_lib
from ktrain_kit.doctor import rules

from doctor_records import AT_CHANCE, DEAD, classes, epochs_from, serious


CLASSES = classes(from_logits=True)


def cnn(rate):
    """UMLAUT's example CNN, small: Dropout(rate) after each of three blocks."""
    return keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Conv2D(8, 3, activation="relu"),
                             keras.layers.MaxPool2D(2), keras.layers.Dropout(rate),
                             keras.layers.Conv2D(8, 3, activation="relu"),
                             keras.layers.MaxPool2D(2), keras.layers.Dropout(rate),
                             keras.layers.Flatten(), keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dropout(rate), keras.layers.Dense(10)])


def test_dropout_layers_in_series_compound_in_a_sequential_stack_only():
    assert np.isclose(facts_lib.dropout_keep_in_series(cnn(0.8)), 0.2 ** 3)
    assert np.isclose(facts_lib.dropout_keep_in_series(cnn(0.2)), 0.8 ** 3)
    model = cnn(0.8)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    data = (np.zeros((4, 16, 16, 3), "float32"), np.zeros((4,), "int32"))
    facts = facts_lib.model_facts(model, data)
    assert facts["dropout_rate_max"] == 0.8 and np.isclose(facts["dropout_keep_in_series"],
                                                           0.008)
    # two parallel branches with Dropout(0.8) each: they do not compound, no product is read
    x = keras.Input((4,))
    a = keras.layers.Dropout(0.8)(keras.layers.Dense(4)(x))
    b = keras.layers.Dropout(0.8)(keras.layers.Dense(4)(x))
    branches = keras.Model(x, keras.layers.Dense(1)(keras.layers.Concatenate()([a, b])))
    assert facts_lib.dropout_keep_in_series(branches) is None


def test_three_dropout_08_at_chance_is_underfitting_named_and_usual_stacks_are_not():
    flat = epochs_from([2.31, 2.303, 2.302, 2.302])
    found = doctor.diagnose(flat, [], DEAD, {**CLASSES, "dropout_rate_max": 0.8,
                                             "dropout_keep_in_series": 0.008})
    assert found[0].symptom == "underfitting" and found[0].severity == "warning"
    assert "keep 0.008 of the signal" in found[0].causes[0]
    assert "dead_units" not in serious(found)  # the dropout's consequence
    # the fixed program's Dropout(0.2) x3 (0.51 kept) and two Dropout(0.5) (0.25): not named
    for kept, rate in ((0.512, 0.2), (0.25, 0.5)):
        usual = doctor.diagnose(flat, [], DEAD, {**CLASSES, "dropout_rate_max": rate,
                                                 "dropout_keep_in_series": kept})
        assert not any("Dropout layers in series" in c for f in usual for c in f.causes)
    # a model that learns despite the compounded dropout: nothing to say about it
    learned = doctor.diagnose(epochs_from([2.3, 1.0, 0.5, 0.3], accuracy=0.95), [], [], {
        **CLASSES, "dropout_rate_max": 0.8, "dropout_keep_in_series": 0.008,
        "reference": {**AT_CHANCE, "model": 0.95, "model_on_probe": 0.95}})
    assert "underfitting" not in serious(learned)


REGRESSION = {"loss_name": "mse", "num_outputs": 1, "labels_shape": [107], "labels_min": 5.0,
              "labels_max": 36.0, "labels_integer": False, "labels_distinct": 105,
              "labels_std": 7.2, "inputs_absmax": 707.5, "inputs_feature_rms_max": 470.4,
              "inputs_feature_rms_median": 13.7, "inputs_scale_ratio": 1042.6,
              "inputs_examples_beyond_limit_share": 1.0,
              "training_inputs_feature_rms_max": 480.7, "normalizes_inputs": False,
              "reference": {"metric": "mse", "n": 247, "n_effective": 247, "model": 27.8,
                            "simple": 9.5, "simple_model": "ridge", "chance": 50.3,
                            "majority": None, "model_on_probe": 31.3, "chance_on_probe": 51.7,
                            "n_probe": 107}}


def boston_curves():
    """The keras-io Boston MLP's recorded run (seed 0, every 10th epoch): MSE from 283 to 28."""
    losses = [283.3, 89.2, 60.1, 45.3, 38.2, 34.0, 31.5, 30.1, 29.2, 28.6, 28.4]
    return [{"loss": l, "val_loss": l * 1.1, "mae": l ** 0.5 * 0.8, "val_mae": l ** 0.5 * 0.8}
            for l in losses]


def probes_with(norms):
    return [{"step": 8 * i, "epoch": i, "grad_norm": g, "weight_norm": 7.2,
             "update_ratio": 1e-3, "probe_examples": 107} for i, g in enumerate(norms)]


def test_large_gradients_the_inputs_scale_explains_are_its_consequence():
    falling = probes_with([17786.7, 3211.1, 1374.1, 900.0, 700.0, 526.8])
    found = doctor.diagnose(boston_curves(), [], falling, REGRESSION)
    assert found[0].symptom == "data_problem" and found[0].severity == "warning"
    exploding = [f for f in found if f.symptom == "exploding_gradients"]
    assert [f.severity for f in exploding] == ["info"]
    assert exploding[0].causes[0].startswith("the data's scale") and \
        "fell 34x" in exploding[0].causes[0]
    # a gradient that does not fall with the loss stays a warning: not the scale's doing alone
    flat = probes_with([17786.7, 15000.0, 16000.0, 17000.0, 18000.0, 18500.0])
    assert "exploding_gradients" in serious(doctor.diagnose(boston_curves(), [], flat,
                                                            REGRESSION))
    # inputs in scale: the large gradient is not explained by them, the warning stays
    scaled = {**REGRESSION, "inputs_absmax": 3.0, "inputs_feature_rms_max": 1.0,
              "inputs_feature_rms_median": 1.0, "inputs_scale_ratio": 3.0,
              "inputs_examples_beyond_limit_share": 0.0, "training_inputs_feature_rms_max": 1.0}
    assert "exploding_gradients" in serious(doctor.diagnose(boston_curves(), [], falling,
                                                            scaled))


BINARY = {"loss_name": "binary_crossentropy", "from_logits": False,
          "output_activation": "sigmoid", "num_outputs": 1, "labels_shape": [256, 1],
          "labels_min": 0.0, "labels_max": 1.0, "labels_integer": True, "labels_distinct": 2,
          "reference": {"metric": "balanced_accuracy", "n": 1024, "n_effective": 11,
                        "model": 0.97, "simple": 0.5, "simple_model": "nearest neighbours",
                        "chance": 0.5, "majority": 0.997, "model_on_probe": 0.97,
                        "chance_on_probe": 0.5, "n_probe": 7}}


def weighted_run(train, probe_at_end):
    """Epoch losses and the probe's loss at each epoch end (step 0: the probe before
    training, 0.0507 as recorded for the tutorial's weighted model)."""
    epochs = [{"loss": l, "val_loss": p, "accuracy": 0.95, "val_accuracy": 0.95}
              for l, p in zip(train, probe_at_end)]
    probes = [{"step": 0, "epoch": 1, "probe_loss": 0.0507}] + [
        {"step": 9 * (i + 1), "epoch": i + 1, "probe_loss": p}
        for i, p in enumerate(probe_at_end)]
    return epochs, probes


def test_a_class_weighted_loss_falling_while_the_unweighted_probe_rises_is_not_diverging():
    # the TF imbalanced-data tutorial's weighted model (seed 0, every 3rd epoch): class_weight
    # 0.5 / 140 weigh Keras' training loss; the probe's loss is unweighted
    train = [2.385, 1.983, 1.611, 1.496, 1.304, 1.027, 0.886, 0.784, 0.684, 0.563, 0.522]
    probe = [0.0489, 0.0456, 0.0447, 0.0449, 0.0482, 0.0541, 0.0681, 0.0846, 0.1023, 0.1208,
             0.1445]
    epochs, probes = weighted_run(train, probe)
    found = doctor.diagnose(epochs, [(1, 1, 3.19)], probes, BINARY)
    assert "diverging" not in serious(found)
    assert rules.make_run(epochs, probes, {**BINARY, "_batch_losses": [(1, 1, 3.19)]}).initial \
        == 3.19  # the first batch (the weighted objective) is the start
    # a first batch that was a poor sample (one example: 6e-5) disagrees at the start only:
    # the epochs agree with the probe, which stands as the start
    epochs, probes = weighted_run([0.06, 0.055, 0.05, 0.048], [0.05, 0.048, 0.047, 0.046])
    assert rules.make_run(epochs, probes, {**BINARY, "_batch_losses": [(1, 1, 6e-5)]}).initial \
        == 0.0507


def test_a_short_run_that_learned_late_is_judged_by_its_final_weights_on_the_probe():
    # keras-io's text classifier from scratch (seed 1): 3 epochs, no simple model for token
    # ids; the last epoch's mean training loss 0.58 (of ln 2), the probe's 0.693 -> 0.182
    curves = [{"loss": l, "val_loss": v, "accuracy": a, "val_accuracy": b}
              for l, v, a, b in ((0.696, 0.693, 0.49, 0.53), (0.693, 0.690, 0.53, 0.53),
                                 (0.579, 0.210, 0.69, 0.92))]
    binary = {**BINARY, "reference": {"metric": "balanced_accuracy", "n": 1024,
                                      "n_effective": 1023, "model": 0.947, "simple": None,
                                      "simple_model": None, "chance": 0.5, "majority": 0.505,
                                      "model_on_probe": 0.929, "chance_on_probe": 0.5,
                                      "n_probe": 255}}
    dying = [{"step": s, "epoch": s // 75 + 1, "probe_loss": l, "dead_relu_fraction": d,
              "probe_examples": 256}
             for s, l, d in ((0, 0.693, 0.2), (75, 0.693, 0.6), (150, 0.691, 0.6),
                             (200, 0.571, 0.55), (225, 0.182, 0.52))]
    found = doctor.diagnose(curves, [(1, 1, 0.688)], dying, binary)
    assert serious(found) == set()
    assert [f.severity for f in found if f.symptom == "dead_units"] == ["info"]
    # the probe's loss still near its start: the model did not learn, the warning stays
    stuck = [dict(p, probe_loss=0.69) for p in dying]
    found = doctor.diagnose(curves, [(1, 1, 0.688)], stuck, binary)
    assert "dead_units" in serious(found)


def test_a_constant_simple_vote_on_a_rare_class_does_not_blame_the_labels():
    # the keras-io fraud example (seed 0): ~5 frauds among the 1,024 reference rows, the
    # nearest-neighbour vote names no fraud (exactly 0.5), the probe holds 2
    epochs = [{"loss": 1e-5 * (10 - i), "val_loss": 0.06, "val_recall": 0.39}
              for i in range(5)]
    rare = {**BINARY, "reference": {
        "metric": "balanced_accuracy", "n": 1024, "n_effective": 23, "model": 0.9956,
        "simple": 0.5, "simple_model": "nearest neighbours", "chance": 0.5,
        "majority": 0.9941, "model_on_probe": 0.496, "chance_on_probe": 0.5, "n_probe": 7}}
    assert "data_problem" not in serious(doctor.diagnose(epochs, [], [], rare))
    # balanced classes, a vote at chance there: the labels are blamed (keras#255: every
    # input 0, so every vote is the same)
    balanced = {**rare, "reference": {**rare["reference"], "majority": 0.5, "n_effective": 1024,
                                      "model": 0.5, "model_on_probe": 0.5, "n_probe": 256}}
    assert "data_problem" in serious(doctor.diagnose(epochs, [], [], balanced))
