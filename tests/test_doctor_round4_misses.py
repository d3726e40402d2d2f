"""The doctor on round 4's holdout misses (benchmarks/doctor_cases/wild4.py): probabilities
handed to a loss that applies softmax again, inputs scaled twice (far below unit scale), plain
SGD learning too slowly, and a validation-only input outlier not blamed for slow training."""

import math

import keras
import numpy as np
import tensorflow as tf

from ktrain_kit import doctor
from ktrain_kit.doctor import facts as facts_lib

import doctor_records as records
from doctor_records import classes, serious


BELOW = {"metric": "balanced_accuracy", "n": 1024, "n_effective": 1024, "model": 0.35,
         "simple": 0.97, "simple_model": "nearest neighbours", "chance": 0.1,
         "model_on_probe": 0.35, "chance_on_probe": 0.1, "n_probe": 256}
AT_REFERENCE = {**BELOW, "model": 0.96, "model_on_probe": 0.95}
CLASSES = {**classes(from_logits=False), "labels_shape": [256],
           "inputs_feature_rms_max": 0.8, "reference": BELOW}


def epochs_from(losses, accuracy=0.3):  # these runs learned a little
    return records.epochs_from(losses, accuracy)
IDS = np.arange(40) % 10


def with_logits(y_true, y_pred):  # the cookbook's loss: softmax outputs read as logits
    labels = tf.cast(tf.reshape(y_true, [-1]), tf.int32)
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=y_pred)


def test_a_loss_that_applies_softmax_again_is_told_from_keras_losses():
    twice = facts_lib.confident_outputs_loss(with_logits, "softmax", IDS, 10)
    # softmax of a near one-hot vector: the right class's logit 1, the 9 others' 0
    assert math.isclose(twice["loss_at_confident_outputs"][-1], math.log(1 + 9 / math.e),
                        rel_tol=1e-4)
    # Keras' own loss with from_logits=True finds the logits the softmax caches (Keras 3): the
    # confident outputs score about 0, as they do with a loss of probabilities
    for loss in (keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                 "sparse_categorical_crossentropy"):
        got = facts_lib.confident_outputs_loss(loss, "softmax", IDS, 10)
        assert got["loss_at_confident_outputs"][-1] < 1e-3
    binary = (IDS % 2).astype("float32")[:, None]
    sig = facts_lib.confident_outputs_loss(
        lambda t, p: tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=p), "sigmoid",
        binary, 1)
    # sigmoid(+-20) = 1 / 0 read as logits: softplus(-1) for the 1s, softplus(0) for the 0s
    expected = (math.log1p(math.exp(-1)) + math.log(2)) / 2
    assert math.isclose(sig["loss_at_confident_outputs"][-1], expected, rel_tol=1e-4)
    assert facts_lib.confident_outputs_loss(with_logits, "linear", IDS, 10) == {}


def test_softmax_read_as_logits_is_the_wrong_loss_and_keras_cached_logits_are_not():
    curve = epochs_from([2.27, 2.0, 1.8, 1.65, 1.6], accuracy=0.9)
    twice = facts_lib.confident_outputs_loss(with_logits, "softmax", IDS, 10)
    found = doctor.diagnose(curve, [], [], {**CLASSES, "loss_name": "with_logits",
                                            "from_logits": None, **twice})
    assert found[0].symptom == "wrong_loss" and found[0].severity == "critical"
    assert "drop the last layer's activation" in found[0].remedies[0]
    keras_loss = facts_lib.confident_outputs_loss(
        keras.losses.SparseCategoricalCrossentropy(from_logits=True), "softmax", IDS, 10)
    quiet = doctor.diagnose(curve, [], [], {**CLASSES, "from_logits": True,
                                            "reference": AT_REFERENCE, **keras_loss})
    assert "wrong_loss" not in serious(quiet)


def test_inputs_far_below_unit_scale_are_named_when_the_model_struggles():
    flat = epochs_from([2.303, 2.302, 2.30, 2.297])
    tiny = {**CLASSES, "inputs_feature_rms_max": 0.0032,
            "training_inputs_feature_rms_max": 0.0032}
    found = doctor.diagnose(flat, [], [], tiny)
    assert found[0].symptom == "data_problem" and found[0].severity == "warning"
    assert "scaled twice" in found[0].causes[1]
    # in scale, or normalized by the model, or a model at its reference: no warning
    assert "data_problem" not in serious(doctor.diagnose(flat, [], [], CLASSES))
    assert "data_problem" not in serious(doctor.diagnose(flat, [], [], {
        **tiny, "normalizes_inputs": True}))
    assert "data_problem" not in serious(doctor.diagnose(
        epochs_from([2.2, 1.0, 0.5, 0.3]), [], [], {**tiny, "reference": AT_REFERENCE}))


def test_the_rescaling_layer_counts_in_the_training_inputs_scale():
    pixels = np.random.default_rng(0).integers(0, 256, (64, 16)).astype("float32") / 255
    model = keras.Sequential([keras.Input((16,)), keras.layers.Rescaling(1 / 255),
                              keras.layers.Dense(4)])
    got = facts_lib.training_input_facts(model, pixels)["training_inputs_feature_rms_max"]
    assert math.isclose(got, np.sqrt((pixels.astype("float64") ** 2).mean(0)).max() / 255,
                        rel_tol=1e-5)


def test_an_outlier_only_in_a_few_validation_examples_is_not_blamed_for_slow_training():
    x = np.zeros((256, 64), "float32")
    x[3, 5] = 62500.0  # a feature constant in training, standardized by 0 + 1e-6
    facts = facts_lib.input_facts(x)
    assert facts["inputs_examples_beyond_limit_share"] == 1 / 256
    slow = epochs_from([2.45, 2.26, 2.10, 1.96])
    outlier = {**CLASSES, **facts, "training_inputs_feature_rms_max": 1.7}
    found = doctor.diagnose(slow, [(1, 1, 2.45)], [], outlier)
    assert [f.severity for f in found if f.symptom == "data_problem"] == ["info"]
    # validation inputs all out of scale (preprocessed unlike training) stay a warning
    found = doctor.diagnose(slow, [(1, 1, 2.45)], [], {
        **outlier, "inputs_feature_rms_max": 200.0, "inputs_examples_beyond_limit_share": 1.0})
    assert "data_problem" in serious(found)


def test_a_loss_still_falling_but_by_little_is_learning_too_slowly():
    probes = [{"step": s, "epoch": s // 10, "update_ratio": 1.5e-3} for s in (10, 20, 30)]
    found = doctor.diagnose(epochs_from([2.45, 2.26, 2.10, 1.96]), [(1, 1, 2.45)], probes,
                            {**CLASSES, "base_lr": 0.01})
    assert found[0].symptom == "underfitting" and found[0].evidence["learning_slowly"]
    assert found[0].causes[0].startswith("learning too slowly") and \
        "raise the learning rate" in found[0].remedies[0]
    # more than half the starting loss removed and still falling: too short, not too slow
    short = doctor.diagnose(epochs_from([2.45, 1.5, 1.2, 1.0]), [(1, 1, 2.45)], probes,
                            {**CLASSES, "base_lr": 0.01})
    assert short[0].symptom == "underfitting" and not short[0].evidence["learning_slowly"]
    assert "train longer" in short[0].remedies[0]
