"""The training doctor in users' own `fit` (issue 19 item 3) and on the fault classes found in
real programs (issue 22): multi-output, dict and subclassed models, steps_per_execution,
tf.data, imbalanced labels, losses passed as functions, one-hot labels under binary
cross-entropy, outputs shaped (n, k, 1), constant labels, short runs, input and target scale,
underfitting with evidence, and what Keras 3 does with cached logits."""

import math

import numpy as np
import pytest

from ktrain_kit import doctor
from ktrain_kit.doctor import task as task_lib


def serious(findings):
    return {f.symptom for f in findings if f.severity != "info"}


def errors(findings):
    return [f.evidence["error"] for f in findings if f.symptom == "doctor_error"]


@pytest.fixture(scope="module")
def keras_mod():
    import keras
    return keras


def _two_outputs(keras, as_dict=False):
    inp = keras.Input((4,), name="x")
    h = keras.layers.Dense(8, activation="relu")(inp)
    cls = keras.layers.Dense(3, activation="softmax", name="cls")(h)
    flag = keras.layers.Dense(1, activation="sigmoid", name="flag")(h)
    return keras.Model(inp, {"cls": cls, "flag": flag} if as_dict else [cls, flag])


def _data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32") + (x[:, 1] > 1), (x[:, :1] > 0).astype("float32")


# ------------------------------------------------------------------ never raises, never floods
def test_multi_output_list_and_dict_models_are_probed_per_output(keras_mod):
    """Before: the probe packed the [64,3] and [64,1] outputs into one tensor and the fit raised
    InvalidArgumentError."""
    keras = keras_mod
    from ktrain_kit.callbacks import TrainingDoctor
    x, y_cls, y_flag = _data()
    for as_dict in (False, True):
        keras.utils.set_random_seed(0)
        model = _two_outputs(keras, as_dict)
        model.compile("adam", {"cls": "sparse_categorical_crossentropy",
                               "flag": keras.losses.BinaryCrossentropy()} if as_dict else
                      ["sparse_categorical_crossentropy", "binary_crossentropy"])
        y = {"cls": y_cls, "flag": y_flag} if as_dict else (y_cls, y_flag)
        probe_y = {k: v[:64] for k, v in y.items()} if as_dict else (y_cls[:64], y_flag[:64])
        cb = TrainingDoctor(probe_data=(x[:64], probe_y), interval=4)
        model.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=[cb])
        assert not errors(cb.findings)
        assert len(cb.probes) >= 3 and all(math.isfinite(p["probe_loss"]) for p in cb.probes)
        per_output = cb.probes[-1]["output_facts"]
        assert [o["num_outputs"] for o in per_output] == [3, 1]
        facts = cb._facts()["outputs"]
        assert [(o["loss_name"], o["num_outputs"]) for o in facts] == [
            ("sparse_categorical_crossentropy", 3), ("binary_crossentropy", 1)]


def test_a_wrong_output_of_a_multi_output_model_is_named(keras_mod):
    """Symptoms judged per output: a softmax over one unit on the second output is found and
    named, the first output is not blamed."""
    facts = {"outputs": [
        {"output_name": "cls", "loss_name": "sparse_categorical_crossentropy",
         "from_logits": False, "output_activation": "softmax", "num_outputs": 3},
        {"output_name": "flag", "loss_name": "binary_crossentropy", "from_logits": False,
         "output_activation": "softmax", "num_outputs": 1}]}
    found = [f for f in doctor.diagnose([{"loss": 1.0}], [], [], facts)
             if f.symptom == "wrong_loss"]
    assert [f.evidence["output"] for f in found] == ["flag"]


def test_subclassed_model_built_on_first_call_is_probed_without_errors(keras_mod):
    """Before: 0 probes and one 'doctor_error' finding per batch."""
    keras = keras_mod
    from ktrain_kit.callbacks import TrainingDoctor

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(8, activation="relu")
            self.out = keras.layers.Dense(1, activation="sigmoid")

        def call(self, x):
            return self.out(self.hidden(x))

    x, _, y = _data()
    keras.utils.set_random_seed(0)
    net = Net()
    net.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    cb = TrainingDoctor(probe_data=(x[:64], y[:64]), interval=4)
    net.fit(x, y, batch_size=32, epochs=3, verbose=0, callbacks=[cb])
    assert not errors(cb.findings) and len(cb.probes) >= 3
    facts = cb._facts()
    assert facts["loss_name"] == "binary_crossentropy" and facts["num_outputs"] == 1
    assert facts["output_activation"] == "sigmoid"


def test_a_failing_probe_is_one_finding_not_a_flood(keras_mod):
    keras = keras_mod
    from ktrain_kit.callbacks import TrainingDoctor

    class TrainingOnly(keras.layers.Layer):  # fails every probe (probe data of a width the
        def call(self, x, training=None):    # model does not take is refused before fit)
            if training is False:
                raise ValueError("no inference here")
            return x

    x, _, y = _data()
    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(TrainingOnly()(inp)))
    model.compile("adam", "binary_crossentropy")
    cb = TrainingDoctor(probe_data=(x[:64], y[:64]), interval=1)
    model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[cb])
    # 32 batches: the probe fails once and is switched off (the end-of-run reference on the
    # same examples fails once more, by its own name)
    found = errors(cb.findings)
    assert len([e for e in found if e.startswith("probe:")]) == 1 and len(found) <= 2
    assert any("no inference here" in e for e in found)


def test_an_internal_error_is_recorded_on_one_line(keras_mod):
    """Keras wraps a layer's error in ~10 lines with terminal colour codes; the finding that
    records it was that whole block (diagnosis.md's evidence table broke on it)."""
    keras = keras_mod
    from ktrain_kit.callbacks import TrainingDoctor

    class TrainingOnly(keras.layers.Layer):
        def call(self, x, training=None):
            if training is False:  # the probe's and the reference's calls
                raise ValueError("\x1b[1mno inference here\x1b[0m\n\n  see the docs\n")
            return x

    x, _, y = _data()
    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(TrainingOnly()(inp)))
    model.compile("adam", "binary_crossentropy")
    cb = TrainingDoctor(probe_data=(x[:64], y[:64]))
    model.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[cb])
    found = errors(cb.findings)
    assert found and all("\n" not in e and "\x1b" not in e and len(e) <= 400 for e in found)
    assert any("no inference here see the docs" in e for e in found)


def test_steps_per_execution_and_tf_data_input(keras_mod):
    """One call per 4 batches: the doctor counts 4 steps per call, and a tf.data probe set is
    read once into arrays."""
    keras = keras_mod
    import tensorflow as tf
    from ktrain_kit.callbacks import TrainingDoctor
    x, _, y = _data(n=256)
    keras.utils.set_random_seed(0)
    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(
        keras.layers.Dense(8, activation="relu")(inp)))
    model.compile("adam", "binary_crossentropy", steps_per_execution=4)
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    cb = TrainingDoctor(probe_data=data.take(4), interval=8)
    model.fit(data, epochs=2, verbose=0, callbacks=[cb])
    assert not errors(cb.findings)
    assert cb.step == 2 * 256 // 16 and len(cb.batch_losses) == cb.step // 4
    assert len(cb.probe.x) == 64


def test_an_imbalanced_binary_run_is_told_its_rare_class_is_missed_never_a_critical_problem(
        keras_mod):
    """97/3 labels, validation AUC ~1: diagnosed 'critical: Problem in the data' before
    (accuracy vs majority chance + 0.05 cannot pass 1.0); judged in balanced accuracy since.
    Since Round 12 (h80) it draws the imbalance warning: at the 0.5 threshold the model names
    under half of the rare class's validation rows. The warning is right when its remedy is:
    the same training with class weights (its first remedy) recalls the rare class clearly
    better, measured with scikit-learn on the validation rows."""
    keras = keras_mod
    from sklearn.datasets import make_classification
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score
    from ktrain_kit.callbacks import TrainingDoctor
    x, y = make_classification(3000, n_features=10, n_informative=4, weights=[0.97],
                               flip_y=0, class_sep=2.0, random_state=0)
    x, y = x.astype("float32"), y.astype("float32")[:, None]

    def trained(class_weight=None, callbacks=()):
        keras.utils.set_random_seed(0)
        inp = keras.Input((10,))
        model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(
            keras.layers.Dense(16, activation="relu")(inp)))
        model.compile(keras.optimizers.Adam(3e-3), "binary_crossentropy", metrics=["accuracy"])
        model.fit(x[:2000], y[:2000], validation_data=(x[2000:], y[2000:]), epochs=6,
                  batch_size=64, verbose=0, callbacks=list(callbacks), class_weight=class_weight)
        scores = model.predict(x[2000:], verbose=0)[:, 0]
        return (roc_auc_score(y[2000:, 0], scores),
                balanced_accuracy_score(y[2000:, 0], scores > 0.5))

    cb = TrainingDoctor(probe_data=(x[2000:2256], y[2000:2256]), interval=50,
                        reference_data=(x[:1024], y[:1024]))
    auc, balanced = trained(callbacks=[cb])
    assert auc > 0.95 and y.mean() < 0.05  # independently: it ranks well, and is imbalanced
    assert all(f.severity != "critical" for f in cb.findings), cb.report()
    assert [f.symptom for f in cb.findings] == ["data_problem"], cb.report()
    assert "class_weight" in cb.findings[0].remedies[0]
    share = float(y[:2000].mean())
    _, weighted = trained(class_weight={0: 0.5 / (1 - share), 1: 0.5 / share})
    assert weighted > balanced + 0.1, (balanced, weighted)  # 0.73 -> 0.96 here


# ------------------------------------------------------------------ the task, read by identity
def test_loss_functions_and_objects_are_read_by_identity(keras_mod):
    """Before: `loss=keras.losses.categorical_crossentropy` was read as the name 'function'."""
    keras = keras_mod
    from ktrain_kit.doctor.facts import loss_facts
    assert loss_facts(keras.losses.categorical_crossentropy) == {
        "loss_name": "categorical_crossentropy", "from_logits": False}
    assert loss_facts(keras.losses.SparseCategoricalCrossentropy(from_logits=True)) == {
        "loss_name": "sparse_categorical_crossentropy", "from_logits": True}
    assert loss_facts(keras.losses.MeanSquaredError())["loss_name"] == "mean_squared_error"
    assert loss_facts("binary_crossentropy")["loss_name"] == "binary_crossentropy"

    def my_loss(y, p):
        return keras.ops.mean((y - p) ** 2)
    assert loss_facts(my_loss) == {"loss_name": "my_loss", "from_logits": None}
    view = task_lib.task_view({**loss_facts(keras.losses.categorical_crossentropy),
                               "num_outputs": 1, "output_activation": "softmax"})
    assert view.loss == task_lib.CROSSENTROPY  # so "CE over one output" can be found


def test_onehot_labels_with_binary_crossentropy_are_one_class_per_example():
    """Before: taken as multi-label, where an all-zero output scores 1 - 1/K per label."""
    facts = {"loss_name": "binary_crossentropy", "num_outputs": 10,
             "output_activation": "sigmoid", "labels_shape": [64, 10], "labels_min": 0.0,
             "labels_max": 1.0, "labels_integer": True, "labels_rows_sum_one": True}
    view = task_lib.task_view(facts)
    assert view.kind == "classification"
    y = np.eye(10)[np.arange(200) % 10]
    zeros = np.zeros((200, 10))
    per_label_accuracy = np.mean((zeros > 0.5) == y)  # what Keras' binary accuracy reports
    assert per_label_accuracy == pytest.approx(0.9)
    assert task_lib.score(view, y, zeros) == pytest.approx(0.1)  # argmax: class 0 always


def test_outputs_shaped_n_k_1_are_scored_on_their_last_axis():
    """Before: argmax-ed over the wrong axis. A (n, k, 1) sigmoid output holds n*k binary
    predictions; the score is the balanced accuracy over all n*k of them."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, (50, 6))
    pred = np.where(rng.random((50, 6)) < 0.8, y, 1 - y)[..., None] * 0.8 + 0.1
    view = task_lib.task_view({"loss_name": "binary_crossentropy", "num_outputs": 1,
                               "output_activation": "sigmoid", "output_shape": [6, 1]})
    hits = (pred[..., 0] > 0.5) == y
    expected = np.mean([hits[y == c].mean() for c in (0, 1)])
    assert task_lib.score(view, y, pred) == pytest.approx(expected)


def test_balanced_accuracy_against_sklearn():
    from sklearn.metrics import balanced_accuracy_score
    rng = np.random.default_rng(1)
    true = (rng.random(500) < 0.05).astype(int)
    pred = np.where(rng.random(500) < 0.9, true, 1 - true)
    assert task_lib.balanced_accuracy(true, pred) == pytest.approx(
        balanced_accuracy_score(true, pred))
    assert task_lib.balanced_accuracy(true, np.zeros_like(true)) == pytest.approx(0.5)


# ------------------------------------------------------------------ labels
def test_constant_labels_are_critical_even_with_a_perfect_loss():
    """Every label became class 0: loss 0.0, and a simple model fits the labels as perfectly,
    so no reference can reveal it; the labels themselves do."""
    facts = {"loss_name": "sparse_categorical_crossentropy", "num_outputs": 10,
             "output_activation": "softmax", "labels_shape": [256], "labels_min": 0.0,
             "labels_max": 9.0, "labels_integer": True, "labels_distinct": 10,
             "labels_distinct_rows": 10, "reference_labels_shape": [1024],
             "reference_labels_distinct_rows": 1, "reference_labels_max": 0.0,
             "reference": {"metric": "balanced_accuracy", "n": 1024, "model": 1.0,
                           "simple": 1.0, "chance": 1.0}}
    epochs = [{"loss": 0.01, "accuracy": 1.0, "val_loss": 9.0, "val_accuracy": 0.09},
              {"loss": 0.0, "accuracy": 1.0, "val_loss": 11.0, "val_accuracy": 0.09}]
    found = doctor.diagnose(epochs, [], [], facts)
    assert found[0].symptom == "data_problem" and found[0].severity == "critical"
    assert found[0].evidence["distinct_labels"] == 1


def test_collapsed_training_loss_with_validation_at_chance_is_a_label_problem():
    """Without the training labels: the loss reaches ~0 and training accuracy 100% while
    validation stays at chance (the majority share here is 0.1)."""
    facts = {"loss_name": "sparse_categorical_crossentropy", "num_outputs": 10,
             "output_activation": "softmax", "reference": {
                 "metric": "balanced_accuracy", "n": 256, "model": 0.1, "simple": 0.9,
                 "chance": 0.1, "majority": 0.1}}
    epochs = [{"loss": l, "accuracy": 1.0, "val_loss": 9.0, "val_accuracy": 0.09}
              for l in (0.01, 0.0, 0.0)]
    assert "data_problem" in serious(doctor.diagnose(epochs, [], [], facts))


# ------------------------------------------------------------------ short runs
def test_a_one_epoch_run_is_judged_on_its_batches_and_says_so():
    """Before: runs under 3 epochs were never judged."""
    batches = [(i + 1, 1, 2.3 + 0.001 * math.sin(i)) for i in range(64)]
    probes = [{"step": 0, "probe_loss": 2.3}, {"step": 64, "probe_loss": 2.3,
                                                "update_ratio": 1e-8}]
    facts = {"loss_name": "sparse_categorical_crossentropy", "num_outputs": 10}
    found = doctor.diagnose([{"loss": 2.3}], batches, probes, facts)
    flat = next(f for f in found if f.symptom == "loss_not_decreasing")
    assert "batch losses" in flat.evidence["based_on"]
    healthy = [(i + 1, 1, 2.3 * math.exp(-i / 20)) for i in range(64)]
    assert serious(doctor.diagnose([{"loss": 1.0}], healthy, [], facts)) == set()


def test_a_two_epoch_divergence_is_found_from_batches():
    batches = [(i + 1, 1 + i // 32, 0.7 * (1.15 ** i if i > 30 else 1)) for i in range(64)]
    found = doctor.diagnose([{"loss": 0.8}, {"loss": 50.0}], batches, [], {
        "loss_name": "binary_crossentropy", "num_outputs": 1})
    assert serious(found) & {"diverging", "unstable"}


# ------------------------------------------------------------------ scale and remedies
def _input_facts(x):
    from ktrain_kit.doctor.facts import input_facts
    return input_facts(x)


def test_pixels_in_unit_range_are_in_scale_readings_of_65_are_not():
    from ktrain_kit.doctor.rules import inputs_out_of_scale
    from sklearn.datasets import load_digits
    pixels = load_digits().data[:256] / 16.0  # in [0, 1], per-pixel spreads differ widely:
    pixels[:, 0], pixels[0, 0] = 0.0, 0.004    # a corner pixel almost never on
    assert _input_facts(pixels)["inputs_scale_ratio"] > 1e3
    assert not inputs_out_of_scale({**_input_facts(pixels), "normalizes_inputs": False})
    rng = np.random.default_rng(0)
    readings = rng.uniform(60, 70, (256, 5))
    assert inputs_out_of_scale({**_input_facts(readings), "normalizes_inputs": False})
    assert not inputs_out_of_scale({**_input_facts(readings), "normalizes_inputs": True})


def test_raw_pixels_rescaled_by_the_models_first_layer_are_in_scale(keras_mod):
    """Rescaling(1/255) as the first layer (Keras' image tutorials) hands the first weighted
    layer pixels in [0, 1]: the inputs are judged at that scale, not as 0..255. The same pixels
    without it, or with the Rescaling later in the model, are out of scale."""
    keras = keras_mod
    from ktrain_kit.doctor.facts import model_facts
    from ktrain_kit.doctor.rules import inputs_out_of_scale
    from sklearn.datasets import load_digits
    pixels = (load_digits().data[:256] * 16.0).astype("float32")  # 0..255
    y = np.zeros(256, "int32")

    def facts(*layers):
        model = keras.Sequential([keras.Input((64,)), *layers, keras.layers.Dense(10)])
        return model_facts(model, (pixels, y))
    rescaled = facts(keras.layers.Rescaling(1 / 255))
    expected = np.sqrt(((pixels.astype(np.float64) / 255) ** 2).mean(axis=0)).max()
    assert rescaled["inputs_feature_rms_max"] == pytest.approx(expected, rel=1e-5)
    assert not inputs_out_of_scale(rescaled)
    assert inputs_out_of_scale(facts())
    assert inputs_out_of_scale(facts(keras.layers.Dense(8), keras.layers.Rescaling(1 / 255)))
    bytes_ = np.minimum(pixels, 255).astype("uint8")  # pixels as image files hold them
    as_bytes = model_facts(keras.Sequential([keras.Input((64,)), keras.layers.Rescaling(1 / 255),
                                             keras.layers.Dense(10)]), (bytes_, y))
    assert as_bytes["inputs_feature_rms_max"] == pytest.approx(
        np.sqrt(((bytes_ / 255.0) ** 2).mean(axis=0)).max(), rel=1e-5)


def test_a_flat_loss_on_unscaled_inputs_asks_for_scaling_before_the_learning_rate():
    facts = {"loss_name": "sparse_categorical_crossentropy", "num_outputs": 3,
             "inputs_feature_rms_max": 67.0, "inputs_absmax": 70.0, "normalizes_inputs": False}
    epochs = [{"loss": 1.1, "val_loss": 1.1} for _ in range(4)]
    found = doctor.diagnose(epochs, [(1, 1, 1.1)], [], facts)
    flat = next(f for f in found if f.symptom == "loss_not_decreasing")
    assert "standardize the inputs" in flat.remedies[0]
    scale = next(f for f in found if "largest_feature_rms" in f.evidence)
    assert scale.severity == "warning"


def test_unscaled_regression_targets_that_train_fine_are_not_a_warning():
    facts = {"loss_name": "mse", "num_outputs": 1, "labels_shape": [256],
             "labels_min": 50.0, "labels_max": 350.0, "labels_integer": False,
             "labels_distinct": 200, "labels_std": 77.0,
             "reference": {"metric": "mse", "n": 256, "model": 3300.0, "simple": 2900.0,
                           "chance": 5900.0}}
    trains = [{"loss": l, "val_loss": l * 1.1} for l in (25000, 6000, 3500, 3200)]
    assert serious(doctor.diagnose(trains, [(1, 1, 29000.0)], [], facts)) == set()
    stuck = [{"loss": l, "val_loss": l} for l in (28000, 27900, 27800, 27700)]
    found = doctor.diagnose(stuck, [(1, 1, 29000.0)], [], facts)
    assert any(f.evidence.get("target_std") for f in found if f.severity == "warning")


# ------------------------------------------------------------------ underfitting
REF = {"metric": "balanced_accuracy", "n": 500, "model": 0.70, "simple": 0.95, "chance": 0.5}


def test_underfitting_needs_a_falling_curve_or_a_capacity_test_and_states_the_reference():
    facts = {"task": "binary", "reference": REF}
    falling = [{"loss": l, "accuracy": a, "val_loss": l, "val_accuracy": a}
               for l, a in ((0.69, 0.5), (0.6, 0.6), (0.5, 0.7))]
    found = [f for f in doctor.diagnose(falling, [], [], facts) if f.symptom == "underfitting"]
    # still falling, but only 28% of the starting loss removed: learning slowly (round 4),
    # so a larger learning rate comes first and training longer second
    assert "raise the learning rate" in found[0].remedies[0] and \
        "train longer" in found[0].remedies[1] and "0.95" in found[0].causes[0]
    # plateaued, and the training set fit far better than validation: variance, not bias
    memorized = [{"loss": l, "accuracy": 0.99, "val_loss": 0.6, "val_accuracy": 0.7}
                 for l in (0.2, 0.1, 0.1)]
    assert "underfitting" not in serious(doctor.diagnose(memorized, [], [], facts))
    # plateaued, training no better than validation: high bias -> a bigger model
    bias = [{"loss": 0.55, "accuracy": 0.7, "val_loss": 0.55, "val_accuracy": 0.7}] * 3
    found = [f for f in doctor.diagnose(bias, [], [], facts) if f.symptom == "underfitting"]
    assert "wider or deeper" in found[0].remedies[0]


# ------------------------------------------------------------------ Keras 3 facts
def test_softmax_with_from_logits_true_trains_in_keras3_and_is_only_info(keras_mod):
    """Keras 3 computes cross-entropy from a softmax layer's cached logits: the loss of
    from_logits=True on a softmax output equals the correct from_logits=False loss."""
    keras = keras_mod
    import tensorflow as tf
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 3, 32)
    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Dense(3, activation="softmax")(inp))

    @tf.function
    def losses():
        out = model(x)
        logits_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, out)
        return logits_loss, keras.losses.SparseCategoricalCrossentropy()(y, out)
    with_true, with_false = (float(v) for v in losses())
    probabilities = keras.ops.convert_to_numpy(model(x)).astype(np.float64)
    numpy_loss = -np.mean(np.log(probabilities[np.arange(32), y]))
    assert with_true == pytest.approx(numpy_loss, rel=1e-4)
    assert with_false == pytest.approx(numpy_loss, rel=1e-4)
    found = doctor.diagnose([{"loss": 1.0}] * 3, [], [], {
        "loss_name": "sparse_categorical_crossentropy", "from_logits": True,
        "output_activation": "softmax", "num_outputs": 3})
    assert "wrong_loss" not in serious(found)


def test_nan_in_the_inputs_is_a_critical_data_problem():
    """Standardizing by a zero std puts NaN in the inputs; with ReLUs the loss can stay finite
    (NaN becomes 0), so the inputs themselves are the evidence."""
    from ktrain_kit.doctor.facts import input_facts
    x = np.ones((100, 4))
    x[:, 0] = np.nan  # a constant feature divided by its zero std
    facts = {**input_facts(x), "loss_name": "sparse_categorical_crossentropy",
             "num_outputs": 10}
    assert facts["inputs_nonfinite_fraction"] == pytest.approx(0.25)
    found = doctor.diagnose([{"loss": 2.3026}] * 3, [], [], facts)
    assert found[0].symptom == "data_problem" and found[0].severity == "critical"


def test_a_training_loss_wobble_that_costs_no_accuracy_is_not_instability():
    """Near zero, dropout noise moves a classifier's epoch loss by 1.5x without costing
    accuracy; a wobble that does cost accuracy is instability."""
    facts = {"task": "binary", "loss_name": "mse"}
    losses = [0.25, 0.05, 0.03, 0.06, 0.03, 0.065]
    calm = [{"loss": l, "accuracy": a, "val_loss": l, "val_accuracy": a}
            for l, a in zip(losses, (0.5, 0.95, 0.96, 0.955, 0.96, 0.955))]
    assert "unstable" not in serious(doctor.diagnose(calm, [], [], facts))
    costly = [{"loss": l, "accuracy": a, "val_loss": l, "val_accuracy": a}
              for l, a in zip(losses, (0.5, 0.95, 0.96, 0.80, 0.96, 0.78))]
    assert "unstable" in serious(doctor.diagnose(costly, [], [], facts))


def test_a_dict_input_model_is_probed_with_its_activations(keras_mod):
    keras = keras_mod
    from ktrain_kit.callbacks import TrainingDoctor
    x, _, y = _data()
    inputs = {"a": keras.Input((2,), name="a"), "b": keras.Input((2,), name="b")}
    hidden = keras.layers.Dense(8, activation="relu")(
        keras.layers.Concatenate()([inputs["a"], inputs["b"]]))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))
    model.compile("adam", "binary_crossentropy")
    data = {"a": x[:, :2], "b": x[:, 2:]}
    cb = TrainingDoctor(probe_data=({k: v[:64] for k, v in data.items()}, y[:64]), interval=4)
    model.fit(data, y, batch_size=32, epochs=2, verbose=0, callbacks=[cb])
    assert not errors(cb.findings)
    assert "dead_relu_fraction" in cb.probes[-1]  # the activation pass ran on the dict input


@pytest.mark.parametrize("with_input", [True, False])
def test_a_sequential_model_is_probed_with_its_activations(keras_mod, with_input):
    """keras.Sequential, the way most users write a model, has no `model.input` in Keras 3
    (AttributeError, called or not): the dead-unit and saturation probes must still run, and
    count what an independent forward pass counts."""
    keras = keras_mod
    from ktrain_kit.callbacks import TrainingDoctor
    x, y, _ = _data()
    keras.utils.set_random_seed(0)  # weights that give some dead and some saturated units
    layers = [keras.layers.Dense(16, activation="relu",
                                 bias_initializer=keras.initializers.Constant(-1.0)),
              keras.layers.Dense(8, activation="tanh",
                                 kernel_initializer=keras.initializers.RandomNormal(stddev=3.0)),
              keras.layers.Dense(3, activation="softmax")]
    model = keras.Sequential(([keras.Input((4,))] if with_input else []) + layers)
    model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy")  # weights fixed
    cb = TrainingDoctor(probe_data=(x[:64], y[:64]), interval=2)
    model.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[cb])
    assert not errors(cb.findings)
    relu = np.maximum(x[:64] @ layers[0].kernel.numpy() + layers[0].bias.numpy(), 0)
    tanh = np.tanh(relu @ layers[1].kernel.numpy() + layers[1].bias.numpy())
    dead, saturated = np.mean(np.all(relu <= 0, axis=0)), np.mean(np.abs(tanh) > 0.99)
    assert 0 < dead < 1 and 0 < saturated < 1  # the counts are not trivially 0 or 1
    assert cb.probes[-1]["dead_relu_fraction"] == pytest.approx(dead)
    assert cb.probes[-1]["saturated_fraction"] == pytest.approx(saturated, abs=1e-6)


def test_a_confident_sigmoid_output_is_not_a_saturated_unit(keras_mod):
    """A binary classifier's sigmoid output at 0/1 is a confident prediction, not a saturated
    hidden unit: the saturation probe counts the hidden tanh layer only."""
    keras = keras_mod
    from ktrain_kit.callbacks import TrainingDoctor
    x, _, y = _data()
    hidden = keras.layers.Dense(8, activation="tanh")
    out = keras.layers.Dense(1, activation="sigmoid",
                             kernel_initializer=keras.initializers.RandomNormal(stddev=50.0))
    model = keras.Sequential([keras.Input((4,)), hidden, out])
    model.compile(keras.optimizers.SGD(0.0), "binary_crossentropy")  # weights fixed
    cb = TrainingDoctor(probe_data=(x[:64], y[:64]), interval=2)
    model.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[cb])
    h = np.tanh(x[:64] @ hidden.kernel.numpy() + hidden.bias.numpy())
    p = 0.5 * (1 + np.tanh((h @ out.kernel.numpy() + out.bias.numpy()) / 2))  # sigmoid
    assert np.mean(np.abs(2 * p - 1) > 0.99) > 0.5  # the output sits at its limits
    assert cb.probes[-1]["saturated_fraction"] == pytest.approx(
        np.mean(np.abs(h) > 0.99), abs=1e-6)


def test_a_learning_rate_far_too_high_comes_before_the_target_scale():
    """Unscaled targets and a diverging loss: the learning rate is the visible obstacle, so the
    target-scale finding is only info and the first finding is the divergence."""
    facts = {"loss_name": "mse", "num_outputs": 1, "labels_shape": [256], "labels_min": 50.0,
             "labels_max": 350.0, "labels_integer": False, "labels_distinct": 200,
             "labels_std": 77.0, "base_lr": 1.0}
    epochs = [{"loss": l, "val_loss": l} for l in (30000, 20000, 9e5, 4e6)]
    found = doctor.diagnose(epochs, [(1, 1, 29000.0)], [], facts)
    assert found[0].symptom == "diverging"
    target = next(f for f in found if "target_std" in f.evidence)
    assert target.severity == "info"


# ------------------------------------------------------------------ one spike, dead units, start
def _spiky(val_losses, val_accs, losses=None):
    losses = losses or [0.25, 0.08, 0.05, 0.045, 0.04, 0.038, 0.036, 0.035]
    return [{"loss": l, "accuracy": 0.95, "val_loss": vl, "val_accuracy": va}
            for l, vl, va in zip(losses, val_losses, val_accs)]


def test_one_recovered_validation_spike_is_not_instability():
    """keras#126's fixed program (dropout 0.5, SGD momentum): one epoch-end sample of the weights
    lands badly, the training loss does not move and the run ends at its best. Repeated spikes
    count when the training loss rises with them or the run does not end near its best; a
    repeat that the training loss does not share and the run ends clear of costs nothing
    (round 11: keras#126's fix spiked twice that way), as one that the run never recovers from
    does not."""
    facts = {"task": "binary", "loss_name": "mse"}
    one = _spiky([0.25, 0.04, 0.02, 0.02, 0.05, 0.02, 0.018, 0.017],
                 [0.5, 0.95, 0.98, 0.98, 0.90, 0.98, 0.98, 0.98])
    assert "unstable" not in serious(doctor.diagnose(one, [], [], facts))
    val, acc = [0.25, 0.04, 0.02, 0.05, 0.02, 0.05, 0.018, 0.017], \
        [0.5, 0.95, 0.98, 0.90, 0.98, 0.90, 0.98, 0.98]
    assert "unstable" not in serious(doctor.diagnose(_spiky(val, acc), [], [], facts))
    # the training loss up by more than a tenth of the loss scale (0.025), under 1.5x
    echoed = _spiky(val, acc, losses=[0.25, 0.08, 0.06, 0.087, 0.06, 0.087, 0.05, 0.045])
    assert "unstable" in serious(doctor.diagnose(echoed, [], [], facts))
    not_back = _spiky(val[:-2] + [0.03, 0.03], acc)
    assert "unstable" in serious(doctor.diagnose(not_back, [], [], facts))
    costly = _spiky([0.25, 0.04, 0.02, 0.02, 0.07, 0.05, 0.06, 0.06],
                    [0.5, 0.95, 0.98, 0.98, 0.85, 0.92, 0.90, 0.90])
    assert "unstable" in serious(doctor.diagnose(costly, [], [], facts))


def _dead_probes(shares):
    return [{"step": 20 * i, "epoch": i, "dead_relu_fraction": s, "probe_loss": 2.3}
            for i, s in enumerate(shares)]


def test_dead_units_causes_are_ranked_by_the_runs_evidence():
    """SGD at 0.5 on the digits MLP: the loss rose above its start and every ReLU died; the
    learning rate comes first, and no 'wider model' (underfitting) beside it. Units dead before
    the first update are the initialization's doing."""
    facts = {"loss_name": "sparse_categorical_crossentropy", "num_outputs": 10,
             "reference": {"model": 0.1, "simple": 0.96, "chance": 0.1, "metric":
                           "balanced_accuracy", "n": 1024, "n_effective": 1024}}
    epochs = [{"loss": l, "accuracy": a} for l, a in
              zip([2.15, 2.47, 2.34, 2.34, 2.35, 2.35], [0.34, 0.13, 0.08, 0.10, 0.10, 0.10])]
    found = doctor.diagnose(epochs, [], _dead_probes([0.1, 0.6, 1.0, 1.0, 1.0, 1.0, 1.0]), facts)
    dead = next(f for f in found if f.symptom == "dead_units")
    assert dead.evidence["loss_rose_at_epoch"] == 2 and not dead.evidence["dead_before_training"]
    assert dead.causes[0].startswith("learning rate too high: the training loss rose")
    assert "underfitting" not in serious(found)
    from_start = next(f for f in doctor.diagnose(epochs, [], _dead_probes([0.9] * 7), facts)
                      if f.symptom == "dead_units")
    assert from_start.causes[0].startswith("the units were dead at the first probe")
    from ktrain_kit.doctor import remedies
    from configs.faults._base import base_config
    config = base_config()
    lr_plan, _ = remedies.plan(config, [dead])
    init_plan, _ = remedies.plan(config, [from_start])
    assert "schedule.base_lr" in lr_plan[0].overrides or lr_plan[0].name.startswith("learning")
    assert not any(k == "schedule.base_lr" for k in init_plan[0].overrides)


def test_the_loss_before_training_is_the_probes_when_a_batch_holds_one_example():
    """Batch size 1 (AUTOTRAINER's oscillating demo): the first batch's loss is one example's
    (6e-5 there); the probe at step 0 averages up to 256 examples."""
    facts = {"loss_name": "categorical_crossentropy", "num_outputs": 3}
    epochs = [{"loss": l} for l in (0.82, 0.62, 0.57, 0.53, 0.51, 0.49)]
    batches = [(1, 1, 6.3e-5)] + [(i, 1, 0.8) for i in range(2, 50)]
    probes = [{"step": 0, "epoch": 0, "probe_loss": 1.6}]
    assert "diverging" not in serious(doctor.diagnose(epochs, batches, probes, facts))
    # a batch of a few examples within 2x of the probe stays the start: it is training data
    flat = [{"loss": 1.09} for _ in range(6)]
    near = [(1, 1, 1.10)] + [(i, 1, 1.09) for i in range(2, 50)]
    found = doctor.diagnose(flat, near, [{"step": 0, "epoch": 0, "probe_loss": 1.2}], facts)
    assert "loss_not_decreasing" in serious(found)


def test_a_curve_that_fell_every_epoch_is_not_divergence_from_a_low_first_batch():
    """keras#2576 (targets of +-2000, batches of 16): the first batch's loss (2.1e5) sat far
    below the run's mean (3.6e5, the step-0 probe's 3.4e5); the loss then fell every epoch."""
    facts = {"loss_name": "mse", "task": "regression"}
    epochs = [{"loss": 3.61e5 - 800 * i} for i in range(10)]
    batches = [(1, 1, 2.12e5)] + [(i, 1, 3.6e5) for i in range(2, 60)]
    probes = [{"step": 0, "epoch": 0, "probe_loss": 3.42e5}]
    assert "diverging" not in serious(doctor.diagnose(epochs, batches, probes, facts))
    blown = [{"loss": 9e5 - 800 * i} for i in range(10)]  # ended far above both samples
    assert "diverging" in serious(doctor.diagnose(blown, batches, probes, facts))


def test_a_regression_loss_on_a_classifier_is_judged_at_the_runs_best_epoch():
    """keras#126's fixed program (MSE through a sigmoid, dropout 0.5, SGD momentum): the final
    weights sat 0.2 points beyond the reference's margin after a last-epoch dip, while earlier
    epochs had reached it. Slow learning - what this loss costs - shows on the whole curve; a
    run that climbs to its last epoch and stays below the reference keeps the warning."""
    ref = {"metric": "balanced_accuracy", "n": 900, "n_effective": 900, "model": 0.955,
           "simple": 0.99, "chance": 0.5}
    facts = {"task": "binary", "loss_name": "mean_squared_error",
             "output_activation": "sigmoid", "num_outputs": 1, "labels_shape": [64, 1],
             "labels_min": 0.0, "labels_max": 1.0, "labels_integer": True, "labels_distinct": 2,
             "reference": ref}
    margin = max(0.03, 2 * math.sqrt(0.99 * 0.01 / 900))
    gap = 0.99 - 0.955 - margin  # 0.005: clearly below the reference at the end

    def run(val_accs):
        epochs = [{"loss": 0.25 - 0.01 * i, "accuracy": 0.9, "val_loss": 0.1,
                   "val_accuracy": a} for i, a in enumerate(val_accs)]
        return [f for f in doctor.diagnose(epochs, [], [], facts) if f.symptom == "wrong_loss"]

    dipped = run([0.6, 0.97, 0.99, 0.998, 0.97, 0.95])
    assert dipped[0].severity == "info"
    assert dipped[0].evidence["below_reference_by"] == pytest.approx(gap)
    assert dipped[0].evidence["below_reference_at_best_epoch_by"] == pytest.approx(
        gap - (0.998 - 0.95))
    climbing = run([0.6, 0.8, 0.88, 0.92, 0.94, 0.95])  # slow learning: best epoch is the last
    assert climbing[0].severity == "warning"
    assert climbing[0].evidence["below_reference_at_best_epoch_by"] == pytest.approx(gap)


def test_a_healthy_twins_truth_fails_when_its_validation_loss_climbs_back():
    """keras#6421's fixed program overfits: a twin whose validation loss ends more than 10%
    above its best is not scored as healthy (benchmarks.doctor_eval's ground truth)."""
    from benchmarks.doctor_eval import check_truth
    truth = {"val_loss_rise_at_most": 0.1}
    settled = {"loss": [0.5, 0.2, 0.1], "val_loss": [0.33, 0.18, 0.19]}  # 0.19 <= 1.1 * 0.18
    climbing = {"loss": [0.5, 0.2, 0.1], "val_loss": [0.33, 0.15, 0.24]}  # 0.24 > 1.1 * 0.15
    assert check_truth(truth, settled, "multilabel")[0]
    assert not check_truth(truth, climbing, "multilabel")[0]
    assert not check_truth(truth, {"loss": [0.5, math.nan], "val_loss": [0.3]}, "multilabel")[0]


@pytest.mark.parametrize("initializer", ["zeros", "glorot_uniform"])
def test_weights_started_at_zero_get_no_gradient_and_are_named(keras_mod, initializer):
    """A tanh network whose weights all start at zero (a fault of the published taxonomies):
    every hidden unit outputs tanh(0) = 0, so no gradient reaches a weight matrix (NumPy: the
    last kernel's gradient is h^T delta with h = 0) and only the biases learn. Before, the
    doctor blamed a model too small (underfitting); the same network initialized by Keras'
    default learns and gets no such finding."""
    keras = keras_mod
    from ktrain_kit.callbacks import TrainingDoctor
    x, y, _ = _data(512)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,))] + [
        keras.layers.Dense(16, activation="tanh", kernel_initializer=initializer)
        for _ in range(2)] + [keras.layers.Dense(3, activation="softmax",
                                                 kernel_initializer=initializer)])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    cb = TrainingDoctor(probe_data=(x[384:], y[384:]), interval=4)
    history = model.fit(x[:384], y[:384], validation_data=(x[384:], y[384:]), batch_size=32,
                        epochs=8, verbose=0, callbacks=[cb])
    zero = [f for f in cb.findings if "probes_with_zero_weight_gradients" in f.evidence]
    if initializer == "zeros":
        assert not any(layer.kernel.numpy().any() for layer in model.layers)  # never moved
        majority = np.bincount(y[384:]).max() / 128
        assert max(history.history["val_accuracy"]) <= majority + 0.02  # a constant model
        assert len(zero) == 1 and zero[0].symptom == "vanishing_gradients"
        assert zero[0].severity == "warning" and serious(cb.findings) == {"vanishing_gradients"}
        assert "initialize the weights randomly" in zero[0].remedies[0]
    else:
        assert max(history.history["val_accuracy"]) > 0.8 and not zero
