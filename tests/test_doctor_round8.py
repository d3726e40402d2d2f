"""The doctor on the failure class found with round 8's held-out configs (benchmarks/
doctor_configs.py, r8_*): training's transforms that hide the task. r8_cnn_translate_09 shifts
the 8x8 digits by up to 90% of the frame while training; the CNN ends at 0.81 validation
accuracy where its twin (translate 0.1) reaches 0.99, and was quiet - it had learned 78% of
nearest neighbours' gain over chance, past UNDERFIT_SHARE. The evidence the doctor has: the
epoch-mean training accuracy, under the augmentation, sits far below what the same weights
score on the same training rows unchanged (the reference examples), see TRANSFORM_GAP."""

import keras
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from ktrain_kit import doctor
from ktrain_kit.doctor import rules

from doctor_records import serious

DIGITS = {"loss_name": "sparse_categorical_crossentropy", "from_logits": True,
          "output_activation": "linear", "num_outputs": 10, "labels_shape": [1024],
          "labels_min": 0.0, "labels_max": 9.0, "labels_integer": True,
          "labels_distinct": 10, "base_lr": 3e-3, "dropout_rate_max": 0.1,
          "first_batch_loss": 2.63}
# r8_cnn_translate_09's record: the model on 1,024 training rows in inference, nearest
# neighbours on the same rows
REFERENCE = {"metric": "balanced_accuracy", "n": 1024, "n_effective": 1022, "model": 0.772,
             "simple": 0.965, "simple_model": "nearest neighbours", "chance": 0.1,
             "majority": 0.105}
TRAIN_ACC = [0.19, 0.31, 0.40, 0.44, 0.48, 0.50, 0.52, 0.545]
VAL_ACC = [0.24, 0.26, 0.40, 0.49, 0.64, 0.76, 0.805, 0.805]
LOSSES = [2.27, 1.92, 1.73, 1.58, 1.48, 1.40, 1.34, 1.33]
VAL_LOSSES = [3.20, 2.25, 1.73, 1.34, 1.01, 0.87, 0.77, 0.80]


def curves(train_acc=TRAIN_ACC):
    return [{"loss": l, "val_loss": v, "accuracy": a, "val_accuracy": va, "lr": 3e-3}
            for l, v, a, va in zip(LOSSES, VAL_LOSSES, train_acc, VAL_ACC)]


def test_a_model_that_scores_far_higher_on_its_training_rows_unchanged_is_held_by_transforms():
    found = doctor.diagnose(curves(), [], [], {**DIGITS, "reference": REFERENCE})
    assert serious(found) == {"underfitting"}
    finding = next(f for f in found if f.symptom == "underfitting")
    assert "transforms" in finding.causes[0] and "augment" in finding.remedies[0]
    assert abs(finding.evidence["transform_gap"] - (0.772 - 0.545)) < 1e-9
    # the same model without the gap (training logged about what the weights score on those
    # rows unchanged: no transform hides anything) learned 78% of the reference's gain: quiet
    logged_as_scored = [a + 0.2 for a in TRAIN_ACC]  # ends at 0.745, 3 points below 0.772
    assert serious(doctor.diagnose(curves(logged_as_scored), [], [],
                                   {**DIGITS, "reference": REFERENCE})) == set()


def test_a_training_metric_still_rising_fast_is_a_lagging_mean_not_a_transform():
    # the last epoch's mean rose 8 points: it lags the final weights (half an epoch behind)
    rising = TRAIN_ACC[:-1] + [TRAIN_ACC[-2] + 0.08]
    found = doctor.diagnose(curves(rising), [], [], {**DIGITS, "reference": REFERENCE})
    assert "underfitting" not in serious(found)


def test_a_keras_model_whose_augmentation_moves_the_digits_out_of_the_frame_is_named():
    """A real training: 8x8 digits, RandomTranslation(0.9) in the model (active only in
    training), checked against NumPy (the model's accuracy on its training rows unchanged
    against the accuracy Keras logged) and scikit-learn (nearest neighbours)."""
    keras.utils.set_random_seed(0)
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    x_train, y_train, x_val, y_val = x[:1400], y[:1400], x[1400:], y[1400:]
    model = keras.Sequential([
        keras.Input((64,)), keras.layers.Reshape((8, 8, 1)),
        keras.layers.RandomTranslation(0.9, 0.9, fill_mode="constant", seed=0),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.GlobalMaxPooling2D(), keras.layers.Dense(10)])
    model.compile(keras.optimizers.Adam(3e-3),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    reference = (x_train[:1024], y_train[:1024])
    doc = doctor.TrainingDoctor((x_val[:64], y_val[:64]), reference_data=reference)
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=12,
                        batch_size=32, verbose=0, callbacks=[doc])
    logged = history.history["accuracy"][-1]
    unchanged = float(np.mean(np.argmax(model.predict(reference[0], verbose=0), 1)
                              == reference[1]))
    knn = cross_val_score(KNeighborsClassifier(), *reference, cv=5).mean()
    # the fault as the rule reads it, computed without the doctor
    assert unchanged - logged >= rules.VARIANCE_GAP  # TRANSFORM_GAP is the same 10 points
    assert knn > unchanged + 0.05
    found = [f for f in doc.findings if f.severity != "info"]
    assert [f.symptom for f in found] == ["underfitting"]
    assert "transforms" in found[0].causes[0]


# r8_mlp_class_weight_skewed: class_weight {0: 100} on the ten balanced digit classes. The
# doctor named only the divergence the 100x weights brought; the weights were the cause.
def digits_split():
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    order = np.random.default_rng(0).permutation(len(x))
    return x[order][:1400], y[order][:1400], x[order][1400:], y[order][1400:]


def test_class_weights_that_make_the_loss_pay_for_one_class_are_named_before_the_curves():
    """A real training (the digits_mlp shape: SGD 0.05 with Nesterov momentum) with Keras'
    class_weight, checked against NumPy: what the objective pays per class, and the model's
    decisions."""
    keras.utils.set_random_seed(0)
    x_train, y_train, x_val, y_val = digits_split()
    weights = [100.0] + [1.0] * 9
    counts = np.bincount(y_train, minlength=10)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10)])
    model.compile(keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    facts = {"class_weights": weights, "class_counts": counts.tolist()}
    doc = doctor.TrainingDoctor((x_val[:64], y_val[:64]), facts=facts,
                                reference_data=(x_train[:1024], y_train[:1024]))
    model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=6, batch_size=32,
              verbose=0, callbacks=[doc], class_weight=dict(enumerate(weights)))
    paid = np.array(weights) * counts
    assert paid.max() / paid.min() >= 10 > counts.max() / counts.min()  # CLASS_WEIGHT_SKEW
    named = np.argmax(model.predict(x_val, verbose=0), 1)
    recalls = [np.mean(named[y_val == c] == c) for c in range(10)]
    assert np.mean(recalls) < 0.5  # the fault showed: balanced accuracy far below digits' 0.97
    top = [f for f in doc.findings if f.severity != "info"][0]
    assert (top.symptom, top.severity) == ("data_problem", "critical")
    assert f"pay {paid.max() / paid.min():.0f}x more for class 0" in top.causes[0]
    # the same run's record with 'balanced' weights (equal here, as the counts nearly are),
    # or with none: the weights are not named
    for other in ({**facts, "class_weights": list(len(y_train) / (10 * counts))}, {}):
        again = rules.diagnose(doc.epochs, doc.batch_losses, doc.probes,
                               {**doc.facts, "class_weights": None, **other})
        assert not any("class weights" in " ".join(f.causes) for f in again)


def test_the_launcher_hands_the_doctor_the_weights_the_pipeline_applies():
    from types import SimpleNamespace

    from ktrain_kit import config as config_lib
    from ktrain_kit import training
    c = config_lib.default_config()
    c.data.class_weight = {0: 100.0}
    labels = np.array([0] * 5 + [1] * 3 + [2] * 2)
    data = SimpleNamespace(label_counts=lambda: np.bincount(labels).tolist(), num_outputs=3,
                           labels={})
    facts = training._class_weight_facts(c, data)
    assert facts == {"class_weights": [100.0, 1.0, 1.0], "class_counts": [5, 3, 2]}
    c.data.class_weight = "balanced"  # scikit-learn's n / (classes * count)
    assert np.allclose(training._class_weight_facts(c, data)["class_weights"],
                       [10 / (3 * 5), 10 / (3 * 3), 10 / (3 * 2)])
    c.data.class_weight = "none"
    assert training._class_weight_facts(c, data) == {}


def test_the_repair_takes_the_weights_suggestion_on_a_field_that_holds_a_mapping():
    # data.class_weight holds {0: 100.0}; the suggestion 'balanced' is a word: it was dropped
    # (typed like the mapping, it parsed to nothing) and the repair tried the rate first
    from ktrain_kit import config as config_lib
    from ktrain_kit.doctor import remedies
    c = config_lib.default_config()
    c.data.class_weight = {0: 100.0}
    flags = ["--config.data.class_weight=balanced"]
    assert remedies.parse_overrides(flags, c) == {"data.class_weight": "balanced"}
    assert remedies.parse_overrides(["--config.data.class_weight={1: 2.0}"], c) == \
        {"data.class_weight": {1: 2.0}}
    finding = {"symptom": "data_problem", "severity": "critical", "causes": ["weights"],
               "suggested_overrides": flags}
    diverging = {"symptom": "diverging", "severity": "critical", "causes": ["rate"],
                 "suggested_overrides": ["--config.schedule.base_lr=0.005"]}
    plan, _ = remedies.plan(c, [finding, diverging])
    assert plan[0].overrides == {"data.class_weight": "balanced"}
