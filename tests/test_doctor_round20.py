"""Round 20 of the doctor on programs users wrote (a helper's field programs): a Normalization
layer never adapted is no normalization, and the consequences of a critical root cause are
not told as causes of their own. Each training is plain Keras with our TrainingDoctor; the
truth is checked independently (NumPy on the inputs, the layer's own outputs)."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from ktrain_kit.callbacks import TrainingDoctor  # noqa: E402


def _breast_cancer(adapt, seed=0):
    from sklearn.datasets import load_breast_cancer
    x, y = load_breast_cancer(return_X_y=True)
    x, y = x.astype("float32"), y.astype("float32")
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    keras.utils.set_random_seed(seed)
    norm = keras.layers.Normalization()
    if adapt:
        norm.adapt(x[:455])
    model = keras.Sequential([keras.Input((30,)), norm, keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    doctor = TrainingDoctor(probe_data=(x[455:], y[455:]), reference_data=(x[:455], y[:455]))
    model.fit(x[:455], y[:455], validation_data=(x[455:], y[455:]), epochs=15, batch_size=32,
              verbose=0, callbacks=[doctor])
    return doctor, norm, x


def test_a_normalization_layer_never_adapted_is_no_normalization():
    """Raw breast-cancer features (up to ~4,000) behind a Normalization() whose adapt() was
    never called: it was read as 'the model normalizes its inputs', and the run told only of
    large gradients (info) or dead units. Its outputs are its inputs (checked here), so the
    scale the first Dense meets is the raw one: named, with the call that fixes it."""
    doctor, norm, x = _breast_cancer(adapt=False)
    np.testing.assert_allclose(np.asarray(norm(x[:50])), x[:50], rtol=1e-6)  # the identity
    assert np.sqrt((x ** 2).mean(axis=0)).max() > 10 * 10  # features far beyond unit scale
    found = [f for f in doctor.findings if f.symptom == "data_problem"]
    assert found and found[0].severity in ("warning", "critical"), doctor.findings
    assert "never adapted" in " ".join(found[0].causes)
    assert found[0].remedies[0].startswith(f"call {norm.name}.adapt(x_train)")


def test_the_adapted_twin_is_not_told_of_its_scale():
    doctor, norm, x = _breast_cancer(adapt=True)
    assert abs(float(np.asarray(norm(x[:455])).std()) - 1) < 0.1  # standardized inputs
    assert not [f for f in doctor.findings if f.symptom == "data_problem"], doctor.findings


def test_a_nan_the_loss_makes_is_not_first_told_to_lower_the_rate():
    """A ReLU output under categorical cross-entropy from probabilities: outputs all 0 are
    normalized by their sum (0/0) and the loss turns NaN (a helper's program kept it at a 10x
    lower rate). The NaN stays critical, below its cause, but its first remedy is the
    loss's, not 'lower the learning rate 10x'."""
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    x, y = (x / 16).astype("float32"), keras.utils.to_categorical(y, 10)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="relu")])
    model.compile(keras.optimizers.Adam(1e-3), "categorical_crossentropy")
    doctor = TrainingDoctor(probe_data=(x[1400:], y[1400:]), reference_data=(x, y))
    history = model.fit(x[:1400], y[:1400], epochs=3, batch_size=32, verbose=0,
                        validation_data=(x[1400:], y[1400:]), callbacks=[doctor])
    assert np.isnan(history.history["loss"]).any()
    found = {f.symptom: f for f in doctor.findings}
    assert found["wrong_loss"].severity == "critical"
    nan = found["nan_loss"]
    assert nan.severity == "critical" and "wrong_loss" in nan.causes[0]
    assert nan.remedies[0].startswith("first fix the loss") and "lower the learning rate" \
        not in nan.remedies[0]


@pytest.mark.parametrize("optimizer, serious", [("sgd", True), ("adam", False)])
def test_binary_crossentropy_over_a_softmax_is_named_where_it_holds_learning_back(
        optimizer, serious):
    """One-hot digits, softmax over 10 units, binary cross-entropy: under SGD(0.01) it learns
    a fraction of what categorical cross-entropy does in the same 15 epochs (checked here:
    a helper's 0.47-0.58 against 0.92) and was told 'underfitting: a wider model'; under Adam
    it trains (keras#3396: 'a valid use case'), and is then at most info."""
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    x = ((x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)).astype("float32")
    onehot = keras.utils.to_categorical(y, 10)
    accuracy = {}
    for loss in ("binary_crossentropy", "categorical_crossentropy"):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(keras.optimizers.SGD(0.01) if optimizer == "sgd" else
                      keras.optimizers.Adam(1e-3), loss)
        doctor = TrainingDoctor(probe_data=(x[1400:], onehot[1400:]),
                                reference_data=(x[:1400], onehot[:1400]))
        model.fit(x[:1400], onehot[:1400], epochs=15, batch_size=32, verbose=0,
                  validation_data=(x[1400:], onehot[1400:]),
                  callbacks=[doctor] if loss == "binary_crossentropy" else [])
        predicted = model.predict(x[1400:], verbose=0).argmax(axis=1)
        accuracy[loss] = float((predicted == y[1400:]).mean())
        if loss == "binary_crossentropy":
            found = [f for f in doctor.findings if f.symptom == "wrong_loss"]
    if serious:
        assert accuracy["binary_crossentropy"] < 0.75 * accuracy["categorical_crossentropy"]
        assert found and found[0].severity == "warning", doctor.findings
        assert "categorical_crossentropy" in found[0].remedies[0]
    else:
        assert accuracy["binary_crossentropy"] > 0.85 * accuracy["categorical_crossentropy"]
        assert all(f.severity == "info" for f in found)
