"""The doctor's fixed costs paid once: one trace of the probe for the whole training, the
end-of-run reference without a predict function of its own, the simple models scored while
training runs - and the same numbers as the straightforward way."""

import keras
import numpy as np
import pytest

from ktrain_kit.callbacks import TrainingDoctor
from ktrain_kit.doctor import callback as callback_lib
from ktrain_kit.doctor import task as task_lib


def _data(n=600, features=12, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x[:, :classes].argmax(axis=1)).astype("int32")
    return x, y


def _model(features=12, classes=3):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((features,))
    h = keras.layers.Dense(16, activation="relu")(inputs)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.Dropout(0.3)(h)
    model = keras.Model(inputs, keras.layers.Dense(classes, activation="softmax")(h))
    model.compile(keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def trained():
    x, y = _data()
    model = _model()
    doctor = TrainingDoctor(probe_data=(x[:32], y[:32]), interval=5,
                            reference_data=(x[:300], y[:300]))
    model.fit(x, y, validation_split=0.2, epochs=3, batch_size=32, verbose=0,
              callbacks=[doctor])
    # a second fit on the same model (fitting.py resumes this way): the probe is reused
    model.fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[doctor])
    return model, doctor, x, y


def test_the_probe_is_traced_once_for_all_epochs_and_fits(trained):
    _, doctor, _, _ = trained
    assert len(doctor.probes) > 5  # probes at step 0, every 5 steps and every epoch end
    assert doctor.probe._compiled.experimental_get_tracing_count() == 1
    assert not doctor.internal_errors


def test_reference_predictions_are_keras_predict(trained):
    model, _, x, _ = trained  # 600 examples: more than one chunk, the last one partial
    np.testing.assert_allclose(callback_lib.predict(model, x),
                               model.predict(x, verbose=0, batch_size=256), rtol=1e-6,
                               atol=1e-7)


def test_reference_scored_during_training_equals_scoring_it_at_the_end(trained):
    model, doctor, x, y = trained
    ref = doctor.reference
    assert ref["n"] == 300
    from sklearn.metrics import balanced_accuracy_score  # the doctor's classifier metric
    accuracy = balanced_accuracy_score(y[:300], model.predict(x[:300], verbose=0).argmax(axis=1))
    assert ref["model"] == pytest.approx(accuracy)
    view = task_lib.task_view(doctor._facts())
    assert (ref["simple"], ref["simple_model"]) == task_lib.best_simple_model(
        view, x[:300], y[:300])


def test_reference_predictions_warn_nothing(recwarn):
    inputs = keras.Input((4,), name="inputs")  # a list of one input, as ktrain_kit's models
    model = keras.Model([inputs], keras.layers.Dense(2)(inputs))
    x = np.zeros((10, 4), "float32")
    np.testing.assert_allclose(callback_lib.predict(model, x), model.predict(x, verbose=0))
    assert not [w for w in recwarn if "structure" in str(w.message)]


def test_simple_models_equal_leave_one_out_done_the_long_way():
    """The closed forms (nearest neighbours from one distance matrix, ridge from the hat
    matrix's diagonal without forming it) against refitting without each example."""
    from sklearn.metrics import balanced_accuracy_score
    x, y = _data(n=150, features=6, classes=3, seed=1)
    view = task_lib.TaskView("classification", task_lib.CROSSENTROPY, False, 3, "softmax",
                             "ids")
    z = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-9)
    k, votes, loo = task_lib.KNN_NEIGHBOURS, [], []
    design = np.hstack([z, np.ones((len(z), 1))]).astype(np.float64)
    onehot = np.eye(3)[y]
    for i in range(len(z)):
        others = np.delete(np.arange(len(z)), i)
        nearest = others[np.argsort(((z[others] - z[i]) ** 2).sum(axis=1))[:k]]
        votes.append(np.bincount(y[nearest], minlength=3).argmax())
        a = design[others]
        w = np.linalg.solve(a.T @ a + task_lib.RIDGE * np.eye(a.shape[1]), a.T @ onehot[others])
        loo.append((design[i] @ w).argmax())
    assert task_lib.knn_score(view, x, y) == pytest.approx(balanced_accuracy_score(y, votes))
    assert task_lib.linear_score(view, x, y) == pytest.approx(balanced_accuracy_score(y, loo))


@pytest.mark.parametrize("group_elements", [1 << 22, 100])  # one group; several
def test_probe_statistics_equal_a_plain_gradient_tape(monkeypatch, group_elements):
    """The probe's norms, reduced per group of variables in one graph, against each variable's
    gradient taken the plain way and reduced in NumPy."""
    import tensorflow as tf

    from ktrain_kit.doctor import probe as probe_lib
    monkeypatch.setattr(probe_lib, "GROUP_ELEMENTS", group_elements)
    x, y = _data(n=64)
    model = _model()
    probe = probe_lib.Probe(model, x, y)
    before = [v.numpy().copy() for v in model.trainable_variables]
    stats = probe()
    with tf.GradientTape() as tape:
        loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=False), training=False)
    grads = [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]
    kernels = [g for g in grads if g.ndim >= 2]
    rms = lambda g: np.sqrt(np.mean(g.astype(np.float64) ** 2))  # noqa: E731
    assert stats["probe_loss"] == pytest.approx(float(loss), rel=1e-5)
    assert stats["grad_norm"] == pytest.approx(
        np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads)), rel=1e-5)
    assert stats["grad_rms_first_layer"] == pytest.approx(rms(kernels[0]), rel=1e-5)
    assert stats["grad_rms_last_layer"] == pytest.approx(rms(kernels[-1]), rel=1e-5)
    assert stats["weight_norm"] == pytest.approx(
        np.sqrt(sum(np.sum(w.astype(np.float64) ** 2) for w in before)), rel=1e-5)
    assert (len(probe.groups) == 1) == (group_elements > 1000)
