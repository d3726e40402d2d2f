"""Optimizer updates through our engine against the NumPy reference; weight-decay exclusion."""

import keras
import numpy as np
import pytest

from ktrain_kit import engine, optim
from ktrain_kit.config import default_config
from ktrain_kit.errors import UserError

import reference

RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 5)).astype(np.float32)
Y = RNG.integers(0, 3, size=32).astype(np.int32)
LR = 0.05


def softmax_regression(oc, accumulation_steps=1):
    keras.utils.set_random_seed(3)
    inputs = keras.Input((5,))
    model = keras.Model(inputs, keras.layers.Dense(3, bias_initializer="random_normal")(inputs))
    optimizer, _ = optim.build(oc, LR, model, "float32")
    model = engine.wrap(model, accumulation_steps, optim.gradient_clipper(oc))
    model.compile(optimizer, keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


CASES = {
    "sgd_momentum": (dict(name="sgd", momentum=0.9), lambda: reference.SGD(LR, momentum=0.9)),
    "sgd_nesterov_wd": (dict(name="sgd", momentum=0.9, nesterov=True, weight_decay=0.1),
                        lambda: reference.SGD(LR, 0.9, nesterov=True, weight_decay=0.1)),
    "adam": (dict(name="adam"), lambda: reference.Adam(LR)),
    "adamw_clipped": (dict(name="adamw", weight_decay=0.2, clip_global_norm=0.3),
                      lambda: reference.Adam(LR, weight_decay=0.2)),
    # Keras 3's Adam takes weight_decay in the same decoupled form (AdamW is Adam with a
    # default decay): a shipped config's decay kept when a user switches it to adam
    "adam_wd": (dict(name="adam", weight_decay=0.2), lambda: reference.Adam(LR, weight_decay=0.2)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_updates_match_numpy(case):
    overrides, make_reference = CASES[case]
    oc = default_config().optimizer
    oc.update(overrides)
    model = softmax_regression(oc)
    w, b = (v.numpy().copy() for v in model.trainable_variables)
    ref = make_reference()
    for _ in range(4):
        _, gw, gb = reference.softmax_ce_grads(w, b, X, Y)
        grads = [gw, gb]
        if oc.clip_global_norm:
            grads = reference.clip_global_norm(grads, oc.clip_global_norm)
        w, b = ref.step([w, b], grads, decay_mask=[True, False])  # the bias never decays
    model.fit(X, Y, batch_size=32, epochs=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(model.trainable_variables[0].numpy(), w, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(model.trainable_variables[1].numpy(), b, rtol=1e-5, atol=1e-5)
    assert int(model.optimizer.iterations.numpy()) == 4


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_follows_the_guide_under_a_changing_rate(nesterov):
    """Step decay x0.1 after 3 of 6 steps: Keras' SGD (v <- mu v - lr g) would keep moving at
    the old rate for a while; ours applies the new rate at once, as NumPy below does."""
    from ktrain_kit.schedules import Schedule
    oc = default_config().optimizer
    oc.update(name="sgd", momentum=0.9, nesterov=nesterov, weight_decay=0.05)
    schedule = Schedule("step", 0.5, total_steps=6, decay_factor=0.1, boundaries=(3,))
    keras.utils.set_random_seed(3)
    inputs = keras.Input((5,))
    model = keras.Model(inputs, keras.layers.Dense(3, bias_initializer="random_normal")(inputs))
    optimizer, _ = optim.build(oc, schedule, model, "float32")
    assert isinstance(optimizer, optim.SGD)
    model = engine.wrap(model)
    model.compile(optimizer, keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    w, b = (v.numpy().copy() for v in model.trainable_variables)
    ref = reference.SGD(None, momentum=0.9, nesterov=nesterov, weight_decay=0.05)
    for t in range(6):
        _, gw, gb = reference.softmax_ce_grads(w, b, X, Y)
        w, b = ref.step([w, b], [gw, gb], decay_mask=[True, False], lr=0.5 * 0.1 ** (t >= 3))
    model.fit(X, Y, batch_size=32, epochs=6, shuffle=False, verbose=0)
    np.testing.assert_allclose(model.trainable_variables[0].numpy(), w, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(model.trainable_variables[1].numpy(), b, rtol=1e-5, atol=1e-5)


def test_sgd_works_in_plain_keras_and_serializes():
    sgd = optim.SGD(0.1, momentum=0.9, nesterov=True)
    clone = keras.optimizers.deserialize(keras.optimizers.serialize(sgd))
    assert isinstance(clone, optim.SGD) and (clone.momentum, clone.nesterov) == (0.9, True)
    inputs = keras.Input((5,))
    model = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    model.compile(sgd, keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    loss = model.fit(X, Y, epochs=3, verbose=0).history["loss"]
    assert loss[-1] < loss[0]
    with pytest.raises(ValueError, match="momentum"):
        optim.SGD(0.1, momentum=1.5)


@pytest.mark.parametrize("kind,limit", [("clip_norm", 0.05), ("clip_value", 0.01)])
def test_per_tensor_and_value_clipping(kind, limit):
    oc = default_config().optimizer
    oc.update(name="sgd", momentum=0.0)
    oc[kind] = limit
    model = softmax_regression(oc)
    w, b = (v.numpy().copy() for v in model.trainable_variables)
    _, gw, gb = reference.softmax_ce_grads(w, b, X, Y)
    if kind == "clip_norm":
        clipped = [g * min(1.0, limit / np.linalg.norm(g)) for g in (gw, gb)]
    else:
        clipped = [np.clip(g, -limit, limit) for g in (gw, gb)]
    model.fit(X, Y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(model.trainable_variables[0].numpy(), w - LR * clipped[0],
                               rtol=1e-5, atol=1e-7)


def test_weight_decay_skips_biases_norms_and_embeddings():
    inputs = keras.Input((4,), dtype="int32")
    x = keras.layers.Embedding(10, 8, name="tok_embedding")(inputs)
    x = keras.layers.LayerNormalization(name="ln")(x)
    x = keras.layers.Dense(6, name="hidden")(keras.layers.Flatten()(x))
    x = keras.layers.BatchNormalization(name="bn")(x)
    model = keras.Model(inputs, keras.layers.Dense(2, name="out")(x))
    oc = default_config().optimizer
    oc.update(name="adamw", weight_decay=0.1)
    decayed, _ = optim.decayed_variables(oc, model.trainable_variables)
    assert sorted(v.path for v in decayed) == ["hidden/kernel", "out/kernel"]
    oc.weight_decay_exclude = "^out/"
    decayed, _ = optim.decayed_variables(oc, model.trainable_variables)
    assert [v.path for v in decayed] == ["hidden/kernel"]


def test_exclusion_rule_matching_nothing_is_an_error():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2, name="out")(inputs))
    oc = default_config().optimizer
    oc.update(name="adamw", weight_decay=0.1, weight_decay_exclude="decoder")
    with pytest.raises(UserError, match="matches no variable"):
        optim.decayed_variables(oc, model.trainable_variables)


def test_ema_of_weights_is_what_fit_leaves_in_the_model():
    """Keras EMA through our engine: average <- m * average + (1 - m) * w after each real update
    (the first update copies w); fit ends by writing the average into the model."""
    oc = default_config().optimizer
    oc.update(name="sgd", momentum=0.0, ema=True, ema_momentum=0.5)
    model = softmax_regression(oc, accumulation_steps=2)
    w, b = (v.numpy().copy() for v in model.trainable_variables)
    ref, average = reference.SGD(LR), None
    for _ in range(3):
        _, gw, gb = reference.softmax_ce_grads(w, b, X, Y)
        w, b = ref.step([w, b], [gw, gb], decay_mask=[False, False])
        average = [w, b] if average is None else [0.5 * a + 0.5 * p
                                                  for a, p in zip(average, [w, b])]
    model.fit(X, Y, batch_size=32, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(model.trainable_variables[0].numpy(), average[0], atol=1e-5)
    np.testing.assert_allclose(model.trainable_variables[1].numpy(), average[1], atol=1e-5)
