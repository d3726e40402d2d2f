"""The engine's train_step: accumulation, MirroredStrategy and mixed-precision overflow.

Runs on the two logical CPUs that conftest.py makes. Models have no dropout and no batch norm, so
results must not depend on how the global batch is split into micro-batches or replicas.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ktrain_kit import engine, optim
from ktrain_kit.config import default_config

RNG = np.random.default_rng(1)
X = RNG.normal(size=(64, 6)).astype(np.float32)
Y = RNG.integers(0, 4, size=64).astype(np.int32)
BATCH, STEPS = 32, 4

OPTIMIZERS = {
    "sgd_momentum": dict(name="sgd", momentum=0.9, weight_decay=0.01, clip_global_norm=0.5),
    "adam": dict(name="adam", clip_global_norm=0.5),
    "adamw": dict(name="adamw", weight_decay=0.05, clip_global_norm=0.5),
}


def optimizer_config(name):
    oc = default_config().optimizer
    oc.update(OPTIMIZERS[name])
    return oc


def plain_model():
    keras.utils.set_random_seed(7)
    inputs = keras.Input((6,))
    x = keras.layers.Dense(16, activation="tanh", name="hidden")(inputs)
    return keras.Model(inputs, keras.layers.Dense(4, dtype="float32", name="logits")(x))


def dataset():
    return tf.data.Dataset.from_tensor_slices((X, Y)).batch(BATCH, drop_remainder=True)


def train_with_engine(opt_name, accumulation_steps=1, strategy=None, precision="float32"):
    """Weights and history after STEPS updates through ktrain_kit's engine."""
    keras.mixed_precision.set_global_policy(precision)
    strategy = strategy or tf.distribute.get_strategy()
    oc = optimizer_config(opt_name)
    with strategy.scope():
        model = plain_model()
        optimizer, _ = optim.build(oc, 0.05, model, precision)
        model = engine.wrap(model, accumulation_steps, optim.gradient_clipper(oc))
        model.compile(optimizer, keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
    history = model.fit(dataset(), epochs=STEPS * BATCH // len(X), verbose=0)
    return [v.numpy() for v in model.trainable_variables], history.history, model


def train_big_batch_by_hand(opt_name):
    """The same updates with a plain GradientTape loop: full batch, clip, apply."""
    oc = optimizer_config(opt_name)
    model = plain_model()
    optimizer, _ = optim.build(oc, 0.05, model, "float32")
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    for _ in range(STEPS // (len(X) // BATCH)):
        for x, y in dataset():
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            grads, _ = tf.clip_by_global_norm(grads, oc.clip_global_norm)
            optimizer.apply(grads, model.trainable_variables)
    return [v.numpy() for v in model.trainable_variables]


def assert_same_weights(a, b, atol=1e-5):
    for va, vb in zip(a, b):
        np.testing.assert_allclose(va, vb, atol=atol, rtol=0)


@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
def test_accumulation_does_not_change_the_result(opt_name):
    expected = train_big_batch_by_hand(opt_name)
    losses = []
    for k in (1, 2, 4):
        weights, history, model = train_with_engine(opt_name, accumulation_steps=k)
        assert_same_weights(weights, expected)
        assert int(model.optimizer.iterations.numpy()) == STEPS  # real updates, not micro-steps
        losses.append(history["loss"])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
    np.testing.assert_allclose(losses[0], losses[2], rtol=1e-5)


def test_reported_loss_and_accuracy_match_stock_fit():
    _, ours, _ = train_with_engine("adam", accumulation_steps=4)
    keras.utils.set_random_seed(7)
    oc = optimizer_config("adam")
    model = plain_model()
    optimizer, _ = optim.build(oc, 0.05, model, "float32")
    optimizer.global_clipnorm = oc.clip_global_norm
    model.compile(optimizer, keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    stock = model.fit(dataset(), epochs=2, verbose=0).history
    np.testing.assert_allclose(ours["loss"], stock["loss"], rtol=1e-5)
    np.testing.assert_allclose(ours["accuracy"], stock["accuracy"], rtol=1e-6)


@pytest.fixture(scope="module")
def mirrored():
    # The process's one MirroredStrategy over both CPUs (see runtime.make_strategy: a second
    # strategy object in the same process would clash with its collective ops).
    from ktrain_kit import runtime
    strategy = runtime.make_strategy("mirrored")
    assert strategy.num_replicas_in_sync == 2
    return strategy


@pytest.mark.parametrize("precision", ["float32", "mixed_float16"])
@pytest.mark.parametrize("k", [1, 2])
def test_mirrored_matches_one_device(mirrored, precision, k):
    single, single_history, _ = train_with_engine("adamw", 1, precision=precision)
    weights, history, model = train_with_engine("adamw", k, strategy=mirrored, precision=precision)
    assert model.distribute_strategy.num_replicas_in_sync == 2
    tolerance = 1e-5 if precision == "float32" else 2e-3  # float16 forward passes
    assert_same_weights(weights, single, atol=tolerance)
    np.testing.assert_allclose(history["loss"], single_history["loss"], rtol=tolerance * 10)


def test_overflow_on_one_replica_skips_the_update_everywhere(mirrored):
    """Replica 1's half of the batch overflows float16; no replica may apply the update."""
    keras.mixed_precision.set_global_policy("mixed_float16")
    oc = optimizer_config("sgd_momentum")
    with mirrored.scope():
        model = plain_model()
        optimizer, _ = optim.build(oc, 0.05, model, "mixed_float16")
        model = engine.wrap(model, 2, optim.gradient_clipper(oc))
        model.compile(optimizer, keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = X[:BATCH].copy()
    x[BATCH // 2 + 3] = 1e6  # only in the second replica's slice: inf once cast to float16
    before = [v.numpy().copy() for v in model.trainable_variables]
    scale_before = float(model.optimizer.dynamic_scale.numpy())
    model.fit(tf.data.Dataset.from_tensor_slices((x, Y[:BATCH])).batch(BATCH), verbose=0)
    assert float(model.optimizer.dynamic_scale.numpy()) == scale_before / 2
    for variable, old in zip(model.trainable_variables, before):
        copies = [c.numpy() for c in mirrored.experimental_local_results(variable.value)]
        for copy in copies:
            assert np.all(np.isfinite(copy))
            np.testing.assert_array_equal(copy, old)


def test_engine_keeps_the_wrapped_model_layers_and_weights():
    model = plain_model()
    wrapped = engine.wrap(model, 2)
    assert [w.path for w in wrapped.weights] == [w.path for w in model.weights]
    np.testing.assert_array_equal(wrapped.predict(X, verbose=0), model.predict(X, verbose=0))
