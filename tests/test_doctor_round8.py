"""The doctor on the failure class found with round 8's held-out configs (benchmarks/
doctor_configs.py, r8_*): class weights that make the loss pay for one class (see
CLASS_WEIGHT_SKEW), and the repair that takes the weights' suggestion."""

import keras
import numpy as np
from sklearn.datasets import load_digits

from ktrain_kit import doctor
from ktrain_kit.doctor import rules


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
