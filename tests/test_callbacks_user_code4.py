"""Our callbacks in users' programs, round 4 (benchmarks/user_programs4.py runs the 97 programs,
each plain and with our callbacks from the same seed; these are the failures it found, each
tested as it failed before its fix):
- a training pipeline given as the probe: reading it moved what fit then trained on. A tf.data
  `.shuffle()` takes each pass's order from a generator the dataset keeps, so the probe's read
  shifted every epoch to the next epoch's order; a PyDataset augmenting with np.random or a
  seedless tf.random op drew from the process' generators. History and weights differed from
  the same fit without the doctor (weights up to 0.2 apart).
- an activation spelled the TensorFlow way (`activation=tf.nn.softmax`, the tf.keras
  tutorials' spelling) is named `softmax_v2`: read so, a healthy softmax classifier got a
  critical wrong_loss, and a softmax under from_logits=True went unnamed.
- NaN in the training inputs behind a clean validation probe: the loss stayed finite (on CPU
  relu(NaN) is 0) and the doctor blamed the learning rate for dead units (rules.py: _nan_loss).
- fit(validation_freq=k): the overfitting rule needed a validation loss at every epoch
  (rules.py: _overfitting)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ktrain_kit.callbacks import EarlyStopping, ReduceLROnPlateau, TrainingDoctor
from ktrain_kit.doctor import facts as facts_lib

RNG = np.random.default_rng(4)
N, F, C, B = 224, 8, 3, 32
X = RNG.normal(size=(N, F)).astype("float32")
Y = np.argmax(X @ RNG.normal(size=(F, C)), axis=1).astype("int32")
XT, YT, XV, YV = X[:160], Y[:160], X[160:], Y[160:]
SERIOUS = ("warning", "critical")


def classifier(output_activation="softmax", loss="sparse_categorical_crossentropy"):
    inputs = keras.Input((F,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(C, activation=output_activation)(hidden))
    model.compile(keras.optimizers.Adam(0.01), loss, metrics=["accuracy"])
    return model


def fit_plain_and_ours(program):
    """`program(probe_callbacks)` builds its data and model and fits; run from the same seed
    without and with the doctor (probing every 2 steps) and our other callbacks, which never
    act here. Returns (plain model, its History, our model, our History, the doctor)."""
    keras.utils.set_random_seed(0)
    plain, plain_history = program(lambda probe: [])
    made = []

    def ours(probe):
        made.append(TrainingDoctor(probe_data=probe, interval=2))
        return [made[0], EarlyStopping("loss", patience=100),
                ReduceLROnPlateau("loss", patience=100)]
    keras.utils.set_random_seed(0)
    model, history = program(ours)
    return plain, plain_history, model, history, made[0]


def assert_same_training(plain, plain_history, model, history):
    for key, values in plain_history.history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-6, atol=1e-7,
                                   err_msg=key)
    for theirs, mine in zip(plain.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(mine, theirs)


# ------------------------------------------------------------------ the training data as probe
def shuffled(callbacks):
    data = tf.data.Dataset.from_tensor_slices((XT, YT)).shuffle(len(XT)).batch(B)
    model = classifier()
    return model, model.fit(data, epochs=3, verbose=0, callbacks=callbacks(data))


def shuffled_repeated(callbacks):
    data = tf.data.Dataset.from_tensor_slices((XT, YT)).shuffle(len(XT)).repeat().batch(B)
    model = classifier()
    return model, model.fit(data, steps_per_epoch=4, epochs=3, verbose=0,
                            callbacks=callbacks(data))


class Augmented(keras.utils.PyDataset):
    """Jitters each batch with NumPy's global generator, as many users' __getitem__ do."""

    def __len__(self):
        return len(XT) // B

    def __getitem__(self, i):
        x = XT[i * B:(i + 1) * B]
        return x + np.random.normal(scale=0.05, size=x.shape).astype("float32"), \
            YT[i * B:(i + 1) * B]


def augmented(callbacks):
    data = Augmented()
    model = classifier()
    return model, model.fit(data, epochs=3, verbose=0, callbacks=callbacks(data))


@pytest.mark.parametrize("program", [shuffled, shuffled_repeated, augmented],
                         ids=["shuffle", "shuffle-repeat-steps", "pydataset-np-random"])
def test_the_training_data_as_probe_leaves_the_training_as_without_the_doctor(program):
    plain, plain_history, model, history, doctor = fit_plain_and_ours(program)
    assert len(doctor.probes) >= 6 and not doctor.internal_errors
    assert len(doctor.probe_data[0]) in (160, 256)  # a repeated dataset: up to 256
    assert_same_training(plain, plain_history, model, history)


def test_a_pipeline_too_large_to_copy_cheaply_is_read_as_it_is():
    """The copy serializes the in-memory tensors (about 10 ms a MB): past COPY_LIMIT_BYTES the
    original is read (a 512 MB pipeline took 13 s), below it the copy."""
    def shuffled(rows):
        return tf.data.Dataset.from_tensor_slices(np.zeros((rows, 1024), "float32")) \
            .shuffle(16).batch(8)
    row = 1024 * 4
    assert facts_lib._in_memory_bytes(shuffled(100)) == 100 * row
    big = shuffled(facts_lib.COPY_LIMIT_BYTES // row + 1)
    assert facts_lib._reshuffled_apart(big) is big
    small = shuffled(100)
    assert facts_lib._reshuffled_apart(small) is not small


def test_reading_a_probe_leaves_the_host_random_generators_as_they_were():
    import random
    np.random.seed(5)
    random.seed(5)
    expected = (np.random.random(3), random.random())
    np.random.seed(5)
    random.seed(5)
    TrainingDoctor(probe_data=Augmented())
    np.testing.assert_array_equal(np.random.random(3), expected[0])
    assert random.random() == expected[1]


class DrawsFromTensorFlowAndKeras(keras.utils.PyDataset):
    """Augments with a seedless tf.random op and an unseeded keras.random call."""

    def __len__(self):
        return 2

    def __getitem__(self, i):
        noise = np.asarray(tf.random.normal((B, F))) + np.asarray(keras.random.normal((B, F)))
        return XT[i * B:(i + 1) * B] + 0.05 * noise, YT[i * B:(i + 1) * B]


def test_reading_a_probe_leaves_tensorflow_and_keras_random_draws_as_they_were():
    """TensorFlow's seedless eager ops take their seeds from a generator in the eager context,
    Keras' unseeded calls from a global SeedGenerator: a probe read drawing from them moved
    every later draw (the user's augmentation in fit got other noise)."""
    keras.utils.set_random_seed(2)
    expected = (tf.random.normal((3,)).numpy(), keras.random.normal((3,)).numpy())
    keras.utils.set_random_seed(2)
    TrainingDoctor(probe_data=DrawsFromTensorFlowAndKeras())
    np.testing.assert_array_equal(tf.random.normal((3,)).numpy(), expected[0])
    np.testing.assert_array_equal(keras.random.normal((3,)).numpy(), expected[1])


# ------------------------------------------------------------------ activations spelled by TF
@pytest.mark.parametrize("function, name", [(tf.nn.softmax, "softmax"),
                                            (tf.math.softmax, "softmax"),
                                            (tf.nn.log_softmax, "log_softmax"),
                                            (tf.nn.silu, "silu"), (tf.nn.sigmoid, "sigmoid"),
                                            (keras.activations.softmax, "softmax")])
def test_activation_functions_are_named_as_keras_names_them(function, name):
    assert facts_lib.activation_name(function) == name
    assert facts_lib.activation_name(keras.activations.get(name)) == name  # Keras' own


def test_a_tf_nn_softmax_classifier_is_healthy_and_its_from_logits_slip_is_named():
    """Before: the healthy one got 'critical: wrong_loss' (softmax_v2 read as no softmax, so
    its outputs were taken for logits under a probability loss); the one whose loss says
    from_logits=True got nothing, where Dense(activation="softmax") gets the info."""
    found = {}
    for loss in ("sparse_categorical_crossentropy",
                 keras.losses.SparseCategoricalCrossentropy(from_logits=True)):
        keras.utils.set_random_seed(0)
        model = classifier(tf.nn.softmax, loss)
        doctor = TrainingDoctor(probe_data=(XV, YV), interval=4)
        history = model.fit(XT, YT, epochs=8, batch_size=B, verbose=0,
                            validation_data=(XV, YV), callbacks=[doctor])
        assert history.history["val_accuracy"][-1] > 0.75 and not doctor.internal_errors
        found[isinstance(loss, str)] = {(f.symptom, f.severity) for f in doctor.findings}
    assert not [s for s in found[True] if s[1] in SERIOUS], found[True]
    assert ("wrong_loss", "info") in found[False]
    assert not [s for s in found[False] if s[1] in SERIOUS], found[False]


# ------------------------------------------------------------------ NaN in the training inputs
@pytest.mark.parametrize("training_as_reference", [True, False])
def test_nan_in_the_training_inputs_behind_a_clean_validation_probe_is_named(
        training_as_reference):
    """A few missing values (NaN) in the training inputs, validation clean. On CPU relu(NaN)
    is 0: the first layer's weights go NaN (NumPy sees them) while the loss stays finite.
    Before: 'warning: dead_units - learning rate too high', nothing about NaN - the training
    inputs given as reference_data were read for their scale only, and the rules read NaN
    from the loss only. Now: data_problem (NaN inputs) when the training inputs are given,
    and nan_loss, naming weights gone NaN behind a finite loss, in both."""
    x = XT.copy()
    x[[5, 77, 150], 3] = np.nan
    keras.utils.set_random_seed(0)
    model = classifier()
    doctor = TrainingDoctor(probe_data=(XV, YV), interval=2,
                            reference_data=(x, YT) if training_as_reference else None)
    history = model.fit(x, YT, epochs=2, batch_size=B, verbose=0, validation_data=(XV, YV),
                        callbacks=[doctor])
    assert np.isfinite(history.history["loss"]).all()  # the loss never showed it
    assert np.isnan(model.get_weights()[0]).any()
    found = {f.symptom: f for f in doctor.findings if f.severity in SERIOUS}
    assert found["nan_loss"].severity == "critical"
    assert found["nan_loss"].evidence["weights_nonfinite_behind_a_finite_loss"] is True
    assert "training inputs" in found["nan_loss"].causes[0]
    assert ("data_problem" in found) == training_as_reference
    assert "dead_units" not in found


# ------------------------------------------------------------------ validation_freq
def overfitting_epochs(validation_freq):
    """20 epochs: training loss to ~0 and accuracy 1.0, validation loss lowest at epoch 6,
    then 4x that; Keras logs val_* only on the epochs it validated (every validation_freq-th)."""
    epochs = []
    for epoch in range(1, 21):
        record = {"loss": 1.0 * 0.75 ** epoch, "accuracy": min(1.0, 0.5 + 0.04 * epoch),
                  "lr": 0.01}
        if epoch % validation_freq == 0:
            record.update(val_loss=0.5 + 0.02 * (epoch - 6) ** 2, val_accuracy=0.7)
        epochs.append(record)
    return epochs


@pytest.mark.parametrize("validation_freq", [1, 2, 3])
def test_overfitting_is_named_when_validation_runs_every_few_epochs(validation_freq):
    """fit(validation_freq=2): History (and the doctor) have val_loss on every second epoch.
    Before: the overfitting rule wanted one per epoch and was silent - a 256-wide net
    memorizing 48 noisy examples (benchmarks/user_programs4.py) got no finding at all, the
    same program named at validation_freq=1."""
    from ktrain_kit.doctor import rules
    facts = {"loss_name": "sparse_categorical_crossentropy", "from_logits": False,
             "output_activation": "softmax", "num_outputs": 3, "output_shape": [3]}
    found = {f.symptom: f for f in rules.diagnose(overfitting_epochs(validation_freq), [], [],
                                                  facts)}
    assert "overfitting" in found and found["overfitting"].severity == "warning"
    best = found["overfitting"].evidence["best_epoch"]
    validated = [e for e in range(1, 21) if e % validation_freq == 0]
    assert best == min(validated, key=lambda e: (e - 6) ** 2)  # the validated epoch nearest 6
    assert found["overfitting"].evidence["epochs_after_best"] == 20 - best
