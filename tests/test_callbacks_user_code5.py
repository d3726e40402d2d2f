"""Our callbacks in users' programs, round 5 (benchmarks/user_programs5.py: 88 programs from a
grid of model kind x data x fit arguments x callbacks list x dtype policy x bug, and round 4's
gaps as programs; each run plain and with our callbacks from the same seed). The failure found
in ktrain_kit, tested as it failed before its fix:
- a shuffled dataset captured by a function (`Dataset.range(1).flat_map(lambda _: shuffled)`)
  given as the probe: the captured dataset is no input of the dataset calling it, so the probe's
  walk of the pipeline did not see its shuffle and read the original - every epoch of fit then
  trained on the next epoch's order (History and weights differed from plain Keras)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ktrain_kit.callbacks import EarlyStopping, ReduceLROnPlateau, TrainingDoctor
from ktrain_kit.doctor import facts as facts_lib

RNG = np.random.default_rng(5)
N, F, C, B = 192, 6, 3, 32
X = RNG.normal(size=(N, F)).astype("float32")
Y = np.argmax(X @ RNG.normal(size=(F, C)), axis=1).astype("int32")


def classifier():
    model = keras.Sequential([keras.Input((F,)), keras.layers.Dense(12, activation="relu"),
                              keras.layers.Dense(C, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def captured_shuffle():
    """A pipeline built by a factory: the shuffled examples reached through flat_map."""
    shuffled = tf.data.Dataset.from_tensor_slices((X, Y)).shuffle(N)
    return tf.data.Dataset.range(1).flat_map(lambda _: shuffled).batch(B)


def fit(with_doctor):
    keras.utils.set_random_seed(0)
    data, model = captured_shuffle(), classifier()
    callbacks = [TrainingDoctor(probe_data=data, interval=2), EarlyStopping("loss", patience=99),
                 ReduceLROnPlateau("loss", patience=99)] if with_doctor else []
    history = model.fit(data, epochs=3, verbose=0, callbacks=callbacks)
    return model, history, callbacks


def test_a_shuffle_captured_by_flat_map_as_probe_leaves_the_training_as_without_the_doctor():
    plain, plain_history, _ = fit(False)
    model, history, callbacks = fit(True)
    doctor = callbacks[0]
    assert len(doctor.probes) >= 6 and not doctor.internal_errors
    assert len(doctor.probe_data[0]) == N
    for key, values in plain_history.history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-6, atol=1e-7,
                                   err_msg=key)
    for theirs, mine in zip(plain.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(mine, theirs)


def _pairs(i):
    return i, i * 2


# The shapes a shuffle takes in users' pipelines: one the walk of the dataset's inputs sees,
# and ones it cannot (a shuffled dataset captured by the function of flat_map or interleave).
SHUFFLED_PIPELINES = {
    "shuffled": lambda: tf.data.Dataset.range(12).shuffle(12).map(_pairs).batch(4),
    "captured by flat_map": lambda: tf.data.Dataset.range(1).flat_map(
        lambda _, s=tf.data.Dataset.range(12).shuffle(12).map(_pairs): s).batch(4),
    "captured by interleave": lambda: tf.data.Dataset.range(1).interleave(
        lambda _, s=tf.data.Dataset.range(12).shuffle(12).map(_pairs): s).batch(4),
    "shuffled after a captured source": lambda: tf.data.Dataset.range(1).flat_map(
        lambda _, s=tf.data.Dataset.range(12).map(_pairs): s).shuffle(12).batch(4),
}


@pytest.mark.parametrize("shape", SHUFFLED_PIPELINES)
def test_a_shuffled_pipeline_is_probed_on_its_first_order_and_its_passes_go_on_unread(shape):
    """Against a twin built from the same seed that nobody read: the probe holds the twin's
    first pass, in order, and the read dataset's passes are the twin's."""
    def build():
        keras.utils.set_random_seed(3)
        return SHUFFLED_PIPELINES[shape]()
    twin = build()
    twin_passes = [np.concatenate([x.numpy() for x, _ in twin]) for _ in range(2)]
    data = build()
    x, y = facts_lib.probe_arrays(data)
    np.testing.assert_array_equal(x, twin_passes[0])
    np.testing.assert_array_equal(y, 2 * twin_passes[0])
    passes = [np.concatenate([x.numpy() for x, _ in data]) for _ in range(2)]
    np.testing.assert_array_equal(passes, twin_passes)
    assert not np.array_equal(*twin_passes)  # it does reshuffle: the test can tell


def test_a_captured_pipeline_too_large_to_copy_cheaply_is_read_as_it_is():
    """The walk cannot count a captured dataset's tensors: the serialized graph's size stands
    for them, with the same limit as the walk's (COPY_LIMIT_BYTES)."""
    def captured(rows):
        shuffled = tf.data.Dataset.from_tensor_slices(np.zeros((rows, 1024), "float32")) \
            .shuffle(16)
        return tf.data.Dataset.range(1).flat_map(lambda _: shuffled).batch(8)
    row = 1024 * 4
    big = captured(facts_lib.COPY_LIMIT_BYTES // row + 1)
    assert facts_lib._reshuffled_apart(big) is big
    small = captured(100)
    assert facts_lib._reshuffled_apart(small) is not small


def test_a_captured_dataset_that_does_not_reshuffle_is_read_as_it_is():
    """No copy (and no serializing it twice) where nothing reshuffles: a seeded shuffle that
    keeps its order, or none."""
    plain = tf.data.Dataset.from_tensor_slices((X, Y))
    for inner in (plain, plain.shuffle(N, seed=1, reshuffle_each_iteration=False)):
        data = tf.data.Dataset.range(1).flat_map(lambda _, inner=inner: inner).batch(B)
        assert facts_lib._reshuffled_apart(data) is data
