"""The training doctor on the fault classes of the second round of real programs
(benchmarks/doctor_cases/field.py, ROUND2): a hand-written loss that takes logs of raw outputs
(defect4ML bug 004), the task behind a hand-written loss, and hard_sigmoid outputs under binary
cross-entropy (defect4ML bug 046's fix). Each rule is checked on a real small training where
the fault shows, and on its fixed twin."""

import numpy as np
import pytest
from sklearn import datasets
from sklearn.model_selection import train_test_split

from ktrain_kit.doctor import rules
from ktrain_kit.doctor import task as task_lib


def serious(findings):
    return {f.symptom for f in findings if f.severity != "info"}


@pytest.fixture(scope="module")
def keras_mod():
    import keras
    return keras


def _digits_onehot():
    x, y = datasets.load_digits(return_X_y=True)
    x = (x / 16).astype("float32")
    x, x_val, y, y_val = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    return x, np.eye(10, dtype="float32")[y], x_val, np.eye(10, dtype="float32")[y_val]


def _dbn_cost(keras, softmax_first):
    """defect4ML bug 004's cost: -mean(y log clip(p) + (1 - y) log clip(1 - p)), applied to the
    linear last layer (the bug) or to its softmax (the fix)."""
    def cost(y_true, output):
        if softmax_first:
            output = keras.ops.softmax(output)
        clip = lambda t: keras.ops.clip(t, 1e-10, np.inf)  # noqa: E731
        return -keras.ops.mean(y_true * keras.ops.log(clip(output)) +
                               (1 - y_true) * keras.ops.log(clip(1 - output)))
    return cost


def _train_dbn(keras, softmax_first):
    from ktrain_kit.callbacks import TrainingDoctor
    keras.utils.set_random_seed(0)
    x, y, x_val, y_val = _digits_onehot()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="sigmoid"),
                              keras.layers.Dense(10)])
    model.compile(keras.optimizers.SGD(0.1), _dbn_cost(keras, softmax_first),
                  metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")])
    doctor = TrainingDoctor(probe_data=(x_val[:256], y_val[:256]), interval=20,
                            reference_data=(x[:1024], y[:1024]))
    history = model.fit(x, y, validation_data=(x_val, y_val), epochs=6, batch_size=10,
                        verbose=0, callbacks=[doctor])
    return model, doctor, history.history, (x_val[:256], y_val[:256])


def test_a_hand_written_loss_that_clips_raw_outputs_is_a_wrong_loss(keras_mod):
    """Before: the custom loss left the task unknown, so no reference was computed and the
    doctor said nothing about a classifier at chance (defect4ML bug 004)."""
    keras = keras_mod
    model, doctor, history, (px, py) = _train_dbn(keras, softmax_first=False)
    assert max(history["val_accuracy"]) < 0.3  # the fault shows: at chance (10 classes)
    found = [f for f in doctor.findings if f.symptom == "wrong_loss"]
    assert found and found[0].severity == "critical", doctor.findings
    assert doctor.findings[0].symptom == "wrong_loss"
    # the evidence, computed again here: outputs outside [0, 1] whose loss gradient is 0
    import tensorflow as tf
    out = tf.constant(model(px, training=False))
    with tf.GradientTape() as tape:
        tape.watch(out)
        loss = _dbn_cost(keras, False)(tf.constant(py), out)
    grad = tape.gradient(loss, out).numpy()
    out = out.numpy()
    outside = (out < 0) | (out > 1)
    assert found[0].evidence["outputs_outside_unit"] == int(outside.sum())
    assert found[0].evidence["outside_with_zero_gradient"] == int((outside & (grad == 0)).sum())


def test_the_same_loss_after_a_softmax_is_not_a_wrong_loss(keras_mod):
    """The fixed twin: the loss takes the softmax of the same linear layer, so every output
    gets a gradient and no wrong_loss is raised."""
    keras = keras_mod
    _, doctor, history, _ = _train_dbn(keras, softmax_first=True)
    assert "wrong_loss" not in {f.symptom for f in doctor.findings}, doctor.findings
    assert doctor.report_json() is not None


def test_clipped_outputs_are_counted_against_numpy():
    import tensorflow as tf
    y_pred = tf.constant([[-0.5, 0.2, 1.5], [2.0, -1.0, 0.5]])
    grad = tf.constant([[0.0, 0.0, 0.3], [0.0, 0.1, 0.0]])
    outside, zero = (int(v) for v in __import__(
        "ktrain_kit.doctor.probe", fromlist=["_clipped_outputs"])._clipped_outputs(y_pred, grad))
    p, g = y_pred.numpy(), grad.numpy()
    assert outside == int(((p < 0) | (p > 1)).sum()) == 4
    assert zero == int((((p < 0) | (p > 1)) & (g == 0)).sum()) == 2


def test_a_hand_written_loss_keeps_the_task_its_labels_say():
    base = {"loss_name": "my_loss", "labels_min": 0.0, "labels_max": 1.0,
            "labels_integer": True}
    onehot = {**base, "labels_shape": [64, 10], "labels_rows_sum_one": True, "num_outputs": 10}
    assert task_lib.task_view(onehot).kind == "classification"
    multihot = {**onehot, "labels_rows_sum_one": False}
    assert task_lib.task_view(multihot).kind == "multilabel"
    assert task_lib.task_view({**base, "labels_shape": [64], "num_outputs": 1}).kind == "binary"
    ids = {**base, "labels_shape": [64], "labels_max": 9.0, "labels_distinct": 10,
           "num_outputs": 10}
    assert task_lib.task_view(ids).kind == "classification"
    # continuous targets under a custom loss may be no regression (reconstruction, GAN): unknown
    continuous = {"loss_name": "my_loss", "labels_shape": [64, 8], "labels_min": -2.3,
                  "labels_max": 3.1, "labels_integer": False, "num_outputs": 8}
    assert task_lib.task_view(continuous).kind is None


def _xor(seed=0):
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, (400, 2))
    x = (corners + rng.normal(0, 0.1, corners.shape)).astype("float32")
    y = (corners[:, 0] ^ corners[:, 1]).astype("float32")[:, None]
    return x[:300], y[:300], x[300:], y[300:]


@pytest.mark.parametrize("activation", ["hard_sigmoid", "linear"])
def test_hard_sigmoid_gives_probabilities_a_linear_output_does_not(keras_mod, activation):
    """Before: a hard_sigmoid output under binary cross-entropy (defect4ML bug 046's fix, which
    learns XOR) was a critical wrong_loss, as if it gave raw values. A linear output under the
    same loss still is one."""
    keras = keras_mod
    from ktrain_kit.callbacks import TrainingDoctor
    keras.utils.set_random_seed(0)
    x, y, x_val, y_val = _xor()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(1, activation=activation)])
    model.compile(keras.optimizers.SGD(0.1), "binary_crossentropy", metrics=["accuracy"])
    doctor = TrainingDoctor(probe_data=(x_val, y_val), interval=50)
    history = model.fit(x, y, validation_data=(x_val, y_val), epochs=6, batch_size=1,
                        verbose=0, callbacks=[doctor])
    wrong = [f for f in doctor.findings if f.symptom == "wrong_loss"]
    if activation == "hard_sigmoid":
        assert max(history.history["val_accuracy"]) >= 0.9  # a healthy run
        assert not wrong and "wrong_loss" not in serious(doctor.findings), doctor.findings
    else:
        assert wrong and wrong[0].severity == "critical"
    assert rules._gives_probabilities("hard_sigmoid") and not rules._gives_probabilities(
        "linear")
