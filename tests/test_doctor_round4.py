"""The doctor on failure classes found with round 4's programs from public issue threads
(benchmarks/doctor_cases/wild4.py): dropout that keeps almost nothing, a weight penalty larger
than the data loss, batch norm fed batches of one example, and a ReLU regression head inside
TimeDistributed."""

import keras
import numpy as np

from ktrain_kit import doctor
from ktrain_kit.doctor import facts as facts_lib

from doctor_records import DEAD, classes, epochs_from, serious


CLASSES = classes(from_logits=False)


def test_dropout_rates_and_a_wrapped_output_activation_are_read_from_the_model():
    model = keras.Sequential([keras.Input((6, 3)), keras.layers.LSTM(4, dropout=0.9,
                                                                     return_sequences=True),
                              keras.layers.Dropout(0.3),
                              keras.layers.TimeDistributed(keras.layers.Dense(1, "relu"))])
    model.compile("adam", "mse")
    data = (np.zeros((4, 6, 3), "float32"), np.zeros((4, 6, 1), "float32"))
    facts = facts_lib.model_facts(model, data)
    assert facts["dropout_rate_max"] == 0.9
    assert facts["output_activation"] == "relu"  # what TimeDistributed applies


def test_a_dropout_rate_near_one_is_named_and_its_dead_units_are_its_consequence():
    flat = epochs_from([2.4, 2.35, 2.33, 2.32])
    found = doctor.diagnose(flat, [], DEAD, {**CLASSES, "dropout_rate_max": 0.99})
    assert found[0].symptom == "underfitting" and found[0].severity == "warning"
    assert "dropout rate 0.99" in found[0].causes[0]
    assert "dead_units" not in serious(found)
    usual = doctor.diagnose(flat, [], DEAD, {**CLASSES, "dropout_rate_max": 0.5})
    assert not any("dropout rate" in c for f in usual for c in f.causes)
    assert "dead_units" in serious(usual)


def test_a_weight_penalty_larger_than_the_data_loss_is_named():
    # the logged loss holds the penalty: 8.2 of the first 9.2, 0.3 of the last 0.53
    curves = [{"loss": l, "val_loss": l, "mae": 0.4, "val_mae": 0.4}
              for l in (9.2, 4.0, 1.0, 0.6, 0.53)]
    regression = {"loss_name": "mse", "num_outputs": 1, "labels_shape": [300],
                  "labels_min": -3.0, "labels_max": 3.0, "labels_integer": False,
                  "labels_distinct": 300, "labels_std": 1.0, "task": "regression",
                  "reference": {"metric": "mse", "n": 900, "n_effective": 900, "model": 0.235,
                                "simple": 0.239, "simple_model": "ridge", "chance": 1.0}}
    batches = [(1, 1, 9.2)]
    heavy = doctor.diagnose(curves, batches, [], {**regression, "initial_penalty": 8.2,
                                                  "final_penalty": 0.3})
    assert serious(heavy) == {"underfitting"}
    assert "weight penalty was 8.2" in heavy[0].causes[0]
    # a light penalty, or one that no longer weighs at the end of a model at its reference
    for light in ({"initial_penalty": 0.01, "final_penalty": 0.01},
                  {"initial_penalty": 8.2, "final_penalty": 0.05}):
        assert "underfitting" not in serious(doctor.diagnose(curves, batches, [],
                                                             {**regression, **light}))


def test_the_penalty_is_read_as_keras_adds_it():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
        2, kernel_regularizer=keras.regularizers.L2(0.1))])
    kernel = np.asarray(model.layers[0].kernel)
    assert np.isclose(facts_lib.regularization_penalty(model), 0.1 * (kernel ** 2).sum(),
                      rtol=1e-5)
    assert facts_lib.regularization_penalty(keras.Sequential([
        keras.Input((3,)), keras.layers.Dense(2)])) is None


def test_batch_norm_that_saw_batches_of_one_example_is_read_and_critical():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8),
                              keras.layers.BatchNormalization(), keras.layers.Dense(2)])
    model.compile("adam", "mse")
    data = (np.random.default_rng(0).normal(size=(32, 4)).astype("float32"),
            np.zeros((32, 2), "float32"))
    assert facts_lib.model_facts(model, data)["batchnorm_collapsed_share"] == 0.0  # starts at 1
    bn = model.layers[1]
    bn.moving_variance.assign(np.r_[np.full(6, 1e-5), np.ones(2)].astype("float32"))
    share = facts_lib.model_facts(model, data)["batchnorm_collapsed_share"]
    assert share == 0.75
    found = doctor.diagnose(epochs_from([2.3] * 4), [], [], {
        **CLASSES, "batchnorm_collapsed_share": share})
    assert found[0].symptom == "data_problem" and found[0].severity == "critical"
    assert "batch size of 1" in found[0].causes[0]
    # a channel constant on every example (a zero kernel before it) is not the batches' doing
    model.layers[0].kernel.assign(np.zeros((4, 8), "float32"))
    assert facts_lib.model_facts(model, data)["batchnorm_collapsed_share"] == 0.0
    assert "data_problem" not in serious(doctor.diagnose(
        epochs_from([2.3, 1.0, 0.5, 0.3]), [], [], {**CLASSES, "batchnorm_collapsed_share": 0.2,
                                                    "reference": {}}))


def test_a_recorded_run_replays_to_the_findings_it_had_live():
    """benchmarks/doctor_eval.py --replay re-diagnoses a run from its record (JSON-plain)."""
    import json

    from benchmarks import doctor_eval
    from ktrain_kit.callbacks import TrainingDoctor
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.95), keras.layers.Dense(2, "softmax")])
    model.compile(keras.optimizers.SGD(1e-4), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    live = TrainingDoctor(interval=2, probe_data=(x[:64], y[:64]), reference_data=(x, y))
    model.fit(x, y, epochs=4, batch_size=16, verbose=0, callbacks=[live])
    record = json.loads(json.dumps(doctor_eval._plain({
        "epochs": live.epochs, "batch_losses": live.batch_losses, "probes": live.probes,
        "facts": live.facts})))
    case = {"name": "tiny", "expected": ["underfitting"]}
    replayed = doctor_eval.replay(case, {"case": "tiny", "record": record, "findings": []})
    assert replayed["findings"] == [(f.symptom, f.severity) for f in live.findings]
    assert live.facts["dropout_rate_max"] == 0.95
