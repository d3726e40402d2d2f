"""The doctor on a class found with round 7's programs (benchmarks/doctor_cases/wild7.py, DeepFD
row 45, StackOverflow 51181393): RMSprop at its default rate on regression targets in the
hundreds. The targets' scale makes the MSE gradient hundreds of times the weights, which the
gradient-to-weight test read as exploding gradients (a warning: 'clip gradients, lower the
rate'). But RMSprop's step is the gradient over its own running size - near the learning rate
however large the gradient - so nothing explodes: the targets' scale is the cause, already
named as a data problem, and the large gradient is told as its consequence (info)."""

import keras
import numpy as np
import tensorflow as tf
from sklearn.datasets import load_diabetes

from ktrain_kit import doctor
from ktrain_kit.doctor import rules


def raw_target_regression(optimizer):
    """Diabetes: standardized features, the raw targets (25..346), a Dense(64, relu) MLP."""
    keras.utils.set_random_seed(0)
    x, y = load_diabetes(return_X_y=True)
    x = ((x - x.mean(0)) / x.std(0)).astype("float32")
    y = y.astype("float32")[:, None]
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mean_squared_error")
    return model, (x[:350], y[:350]), (x[350:], y[350:])


def gradient_to_weight_norm(model, x, y):
    """The MSE gradient's global norm over the weights' global norm, by hand."""
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    g = np.sqrt(sum(float(tf.reduce_sum(tf.square(t))) for t in grads))
    w = np.sqrt(sum(float(tf.reduce_sum(tf.square(v))) for v in model.trainable_variables))
    return g / w


def test_a_normalized_step_on_unscaled_targets_is_not_an_explosion():
    model, (x, y), (xv, yv) = raw_target_regression(keras.optimizers.RMSprop(1e-3))
    # independent of the doctor: the gradient is far past the test's 100x its weights ...
    assert gradient_to_weight_norm(model, xv, yv) > rules.EXPLODING_GRAD_TO_WEIGHT
    # ... and yet one RMSprop step moves no weight by more than lr / sqrt(1 - rho) (its
    # first step divides g by sqrt(0.1 g^2)): the step does not grow with the gradient
    before = [w.copy() for w in model.get_weights()]
    model.train_on_batch(x[:32], y[:32])
    moved = max(float(np.max(np.abs(a - b))) for a, b in zip(model.get_weights(), before))
    assert moved <= 1e-3 / np.sqrt(0.1) * 1.01
    model.set_weights(before)
    doc = doctor.TrainingDoctor((xv, yv), reference_data=(x, y), interval=20)
    history = model.fit(x, y, validation_data=(xv, yv), epochs=10, batch_size=32, verbose=0,
                        callbacks=[doc]).history
    # the bug shows: the validation MSE is still above the targets' variance (predicting
    # the mean would do better)
    assert history["val_loss"][-1] > float(np.var(yv))
    found = {f.symptom: f for f in doc.findings}
    assert found["data_problem"].severity == "warning"
    assert "target_std" in found["data_problem"].evidence
    exploding = found["exploding_gradients"]
    assert exploding.severity == "info"
    assert exploding.evidence["largest_grad_to_weight_norm"] > rules.EXPLODING_GRAD_TO_WEIGHT
    assert "normalized" in exploding.causes[0]
    # the same record read with a step proportional to the gradient (SGD): the gradient
    # did not fall, so there the warning stands
    facts = {**doc.facts, "optimizer_step": "proportional"}
    again = rules.diagnose(doc.epochs, doc.batch_losses, doc.probes, facts)
    assert [f.severity for f in again if f.symptom == "exploding_gradients"] == ["warning"]
