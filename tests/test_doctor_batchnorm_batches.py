"""BatchNormalization over features trained on batches of 2 or 3 examples: read back from the
trained layer (moving variance over the inputs' variance: (n - 1) / n) and named."""

import keras
import numpy as np
import pytest

from ktrain_kit.callbacks import TrainingDoctor
from ktrain_kit.doctor import rules
from tests.doctor_records import serious


def _probes(ratio, steps):
    return [{"step": s, "epoch": i, "batchnorm_variance_ratio": ratio, "probe_examples": 64}
            for i, s in enumerate(steps)]


def _epochs(train, val):
    return [{"loss": t, "val_loss": v} for t, v in zip(train, val)]


FACTS = {"loss_name": "binary_crossentropy", "from_logits": True, "num_outputs": 1,
         "batchnorm_momentum": 0.99}


@pytest.mark.parametrize("ratio, steps, launcher, named", [
    (0.5, (0, 500, 1000), True, True),      # n = 2, the start long forgotten (0.99^1000)
    (0.67, (0, 500, 1000), True, False),    # n = 3.03: just above the limit
    (0.5, (0, 100, 200), True, False),      # 0.99^200 = 0.13: still remembers its start
    (0.95, (0, 500, 1000), True, False),    # n = 20
    (0.5, (0, 500, 1000), False, False),    # a user's validation probe, training no worse
])
def test_the_moving_variance_over_the_inputs_variance_reads_the_batch_size(ratio, steps,
                                                                           launcher, named):
    found = rules.diagnose(_epochs([0.6, 0.5, 0.45], [0.62, 0.55, 0.5]), [],
                           _probes(ratio, steps), {**FACTS, "from_launcher": launcher})
    hits = [f for f in found if "batchnorm_moving_over_input_variance" in f.evidence]
    assert bool(hits) == named
    if named:
        assert hits[0].evidence["batch_size_it_implies"] == round(1 / (1 - ratio))
        assert hits[0].severity == "warning"


RNG = np.random.default_rng(0)
X = RNG.normal(size=(192, 6)).astype("float32")
Y = (X[:, 0] - X[:, 1] > 0).astype("float32")[:, None]


def _fit(batch_size):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16),
                              keras.layers.BatchNormalization(momentum=0.9),
                              keras.layers.Activation("relu"), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.05),
                  keras.losses.BinaryCrossentropy(from_logits=True))
    doctor = TrainingDoctor(probe_data=(X[:128], Y[:128]))
    model.fit(X[:128], Y[:128], batch_size=batch_size, epochs=2, verbose=0,
              validation_data=(X[128:], Y[128:]), callbacks=[doctor])
    return model, doctor


@pytest.mark.parametrize("batch_size", [2, 32])
def test_a_users_fit_reads_the_ratio_numpy_computes(batch_size):
    model, doctor = _fit(batch_size)
    bn = model.layers[1]
    inputs = keras.Model(model.inputs, bn.input)(X[:128], training=False)
    expected = np.median(np.asarray(bn.moving_variance) / np.var(np.asarray(inputs), axis=0))
    assert doctor.probes[-1]["batchnorm_variance_ratio"] == pytest.approx(expected, rel=1e-4)
    # batches of 2 keep about half the variance; of 32, about all of it
    assert expected < 0.67 if batch_size == 2 else expected > 0.8
    named = [f for f in doctor.findings if "batchnorm_moving_over_input_variance" in f.evidence]
    if batch_size == 32:
        assert not named and not serious(doctor.findings)
    else:  # training (0.57) ends worse than validation (0.31): the harm shows
        assert [f.evidence["batch_size_it_implies"] for f in named] == [2]


def test_a_frozen_batchnorm_keeps_the_statistics_it_was_given_and_is_not_read():
    """Fine-tuning: a frozen layer (trainable=False runs in inference mode) with the moving
    variance of other data, here a third of what its inputs show, is not a small batch."""
    keras.utils.set_random_seed(0)
    bn = keras.layers.BatchNormalization()
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16), bn,
                              keras.layers.Activation("relu"), keras.layers.Dense(1)])
    inputs = keras.Model(model.inputs, bn.input)(X[:128], training=False)
    bn.moving_variance.assign(np.var(np.asarray(inputs), axis=0) / 3)
    bn.trainable = False
    model.compile(keras.optimizers.SGD(0.05), keras.losses.BinaryCrossentropy(from_logits=True))
    doctor = TrainingDoctor(probe_data=(X[:128], Y[:128]))
    model.fit(X[:128], Y[:128], batch_size=2, epochs=2, verbose=0,
              validation_data=(X[128:], Y[128:]), callbacks=[doctor])
    assert "batchnorm_variance_ratio" not in doctor.probes[-1]
    assert not [f for f in doctor.findings if "batchnorm_moving_over_input_variance" in f.evidence]
