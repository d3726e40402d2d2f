"""A LayerNormalization over one value per example (text_bag at --config.model.width=1, or a
Dense(1) bottleneck before a LayerNormalization in user code) outputs its offset whatever its
input: no gradient reaches the layers below it. The doctor named it vanishing gradients caused
by 'saturating activations / no normalization / initialization too small' - none of them true -
and told the user to add batch norm; it now names the layer."""

import keras
import numpy as np
import tensorflow as tf
from sklearn.datasets import load_digits

from ktrain_kit.callbacks import TrainingDoctor
from ktrain_kit.doctor import facts as facts_lib
from tests.doctor_records import serious


def _model(width):
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((64,)), keras.layers.Dense(32, activation="relu", name="hidden"),
        keras.layers.Dense(width, name="bottleneck"), keras.layers.LayerNormalization(name="norm"),
        keras.layers.Dense(10, name="logits")])


def _digits():
    x, y = load_digits(return_X_y=True)
    return (x / 16.0).astype("float32"), y


def test_the_gradient_below_a_one_value_norm_is_exactly_zero():
    """The mechanism, computed directly: d loss / d (every weight below the norm) is 0."""
    x, y = _digits()
    model = _model(1)
    with tf.GradientTape() as tape:
        loss = keras.losses.sparse_categorical_crossentropy(y[:64], model(x[:64]),
                                                            from_logits=True)
    below = [v for v in model.trainable_variables if v.path.startswith(("hidden", "bottleneck"))]
    assert all(np.all(g.numpy() == 0) for g in tape.gradient(loss, below))
    assert facts_lib.single_value_norms(model) == ["norm"]
    assert facts_lib.single_value_norms(_model(8)) == []


def test_the_doctor_names_the_norm_and_not_the_usual_causes():
    x, y = _digits()
    found = {}
    for width in (1, 8):
        model = _model(width)
        model.compile(keras.optimizers.Adam(3e-3), keras.losses.SparseCategoricalCrossentropy(
            from_logits=True), metrics=["accuracy"])
        doctor = TrainingDoctor(probe_data=(x[1400:], y[1400:]), interval=20)
        model.fit(x[:1400], y[:1400], validation_data=(x[1400:], y[1400:]), epochs=4,
                  batch_size=64, verbose=0, callbacks=[doctor])
        found[width] = doctor.findings
    named = next(f for f in found[1] if f.symptom == "vanishing_gradients")
    assert named.severity == "warning"
    assert named.evidence["single_value_norms"] == ["norm"]
    assert "'norm' normalizes one value per example" in named.causes[0]
    assert "vanishing_gradients" not in serious(found[8])
