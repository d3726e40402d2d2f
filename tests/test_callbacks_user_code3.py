"""Our callbacks in more users' programs: each fit is run twice from the same seed, once plain
and once with the doctor (probing every step, the most it can) and our other callbacks, and
what Keras produced - History, weights, a stateful RNN's states - must be the same. The
failures found, each tested as it failed before its fix: the probe's loss computation added
the probe batch to the per-output losses Keras logs for a multi-output model (and to a
`compute_loss` override's own tracker); its forward pass moved a stateful RNN's states, which
changed the training; a loss with reduction=None switched the probe off; ragged and sparse
probe data switched it off; an autoencoder was told its bottleneck was too small; a base
unfrozen for a second fit (fine-tuning) was left out of the probe; a two-tag sequence tagger's
0/1 label rows were read as multi-hot (critical wrong_loss); a callable learning rate broke
ReduceLROnPlateau epochs in and NaNGuard's roll-back."""

import tempfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from ktrain_kit import doctor as doctor_lib
from ktrain_kit.callbacks import EarlyStopping, MetricsCSV, ReduceLROnPlateau, TrainingDoctor

RNG = np.random.default_rng(5)
N = 192
X = RNG.normal(size=(N, 8)).astype("float32")
Y = np.argmax(X @ RNG.normal(size=(8, 3)), axis=1).astype("int32")
YB = (2 * X[:, :1] - X[:, 1:2]).astype("float32")


def ours(probe_data, monitor="loss"):
    """The doctor probing at every step, beside our other callbacks (which never act here)."""
    doctor = TrainingDoctor(probe_data=probe_data, interval=1)
    return doctor, [doctor, EarlyStopping(monitor, patience=100),
                    ReduceLROnPlateau(monitor, patience=100),
                    MetricsCSV(tempfile.mktemp(suffix=".csv"))]


def fit_twice(build, fit_kwargs, probe_data):
    """(plain model, plain History, our model, our History, the doctor), same seed."""
    keras.utils.set_random_seed(0)
    plain = build()
    plain_history = plain.fit(**fit_kwargs, verbose=0)
    keras.utils.set_random_seed(0)
    model = build()
    doctor, callbacks = ours(probe_data)
    history = model.fit(**fit_kwargs, verbose=0, callbacks=callbacks)
    return plain, plain_history, model, history, doctor


def assert_same_training(plain, plain_history, model, history):
    for key, values in plain_history.history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-6, atol=1e-7,
                                   err_msg=key)
    for theirs, mine in zip(plain.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(mine, theirs)


# ------------------------------------------------------------------ what the probe writes
def two_outputs():
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    model = keras.Model(inputs, {
        "digit": keras.layers.Dense(3, activation="softmax", name="digit")(hidden),
        "value": keras.layers.Dense(1, name="value")(hidden)})
    model.compile("adam", {"digit": "sparse_categorical_crossentropy", "value": "mse"},
                  metrics={"digit": ["accuracy"]})
    return model


class OwnTracker(keras.Model):
    """Keras' documented way to log a loss of one's own: `compute_loss` updates a tracker."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tracker = keras.metrics.Mean(name="my_loss")

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = super().compute_loss(x, y, y_pred, sample_weight, training)
        self.tracker.update_state(loss)
        return loss

    @property
    def metrics(self):
        return super().metrics + [self.tracker]


def own_tracker():
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    model = OwnTracker(inputs, keras.layers.Dense(3, activation="softmax")(hidden))
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("program", ["two outputs", "two outputs, sample weights",
                                     "compute_loss with its own tracker"])
def test_every_logged_loss_is_what_keras_logs_without_the_doctor(program):
    """Before: digit_loss / value_loss (and my_loss) included the probe batch at every probe,
    here 10-20% off what the same training logs without the doctor."""
    y = {"digit": Y, "value": YB}
    build, fit_kwargs, probe = {
        "two outputs": (two_outputs, dict(x=X, y=y, validation_split=0.25),
                        (X[:64], {"digit": Y[:64], "value": YB[:64]})),
        "two outputs, sample weights": (two_outputs, dict(
            x=X, y=y, sample_weight=np.where(Y == 0, 3.0, 1.0).astype("float32")),
            (X[:64], {"digit": Y[:64], "value": YB[:64]})),
        "compute_loss with its own tracker": (own_tracker, dict(x=X, y=Y), (X[:64], Y[:64])),
    }[program]
    plain, plain_history, model, history, doctor = fit_twice(
        build, dict(fit_kwargs, epochs=2, batch_size=32), probe)
    assert len(doctor.probes) > 8 and not doctor.internal_errors
    assert_same_training(plain, plain_history, model, history)


def stateful_lstm():
    model = keras.Sequential([keras.Input((6, 4), batch_size=32),
                              keras.layers.LSTM(8, stateful=True),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


def test_a_stateful_rnn_trains_and_ends_as_without_the_doctor():
    """The probe's and the reference's forward passes ran the LSTM on other sequences, moving
    the states the next training batch starts from: before, the weights after 2 epochs were
    up to 7e-3 off the plain run's, and the states the user's next predict starts from too."""
    sequences = RNG.normal(size=(N, 6, 4)).astype("float32")
    plain, plain_history, model, history, doctor = fit_twice(
        stateful_lstm, dict(x=sequences, y=Y, epochs=2, batch_size=32, shuffle=False),
        (sequences[:32], Y[:32]))
    assert len(doctor.probes) > 8 and not doctor.internal_errors
    assert_same_training(plain, plain_history, model, history)
    for theirs, mine in zip(plain.layers[0].states, model.layers[0].states):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(mine),
                                      keras.ops.convert_to_numpy(theirs))


# ------------------------------------------------------------------ what the probe can read
def test_an_unreduced_loss_is_probed_as_keras_trains_on_it():
    """reduction=None: Keras logs the mean of the per-example losses and steps along the
    gradient of their sum. Before: float() of the vector raised and the probe was off for the
    whole run (one internal-error finding, no statistics)."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(hidden))
    loss = keras.losses.SparseCategoricalCrossentropy(reduction=None)
    model.compile("adam", loss)
    start = model.evaluate(X[:64], Y[:64], verbose=0, batch_size=64)
    with tf.GradientTape() as tape:  # the per-example cross-entropy by hand, summed
        probabilities = model(X[:64], training=False)
        total = -tf.reduce_sum(tf.math.log(tf.gather(probabilities, Y[:64], batch_dims=1)))
    grads = tape.gradient(total, model.trainable_variables)
    expected_norm = np.sqrt(sum(float(tf.reduce_sum(g * g)) for g in grads))
    doctor = TrainingDoctor(probe_data=(X[:64], Y[:64]), interval=2)
    model.fit(X, Y, epochs=1, batch_size=32, verbose=0, callbacks=[doctor])
    assert not doctor.internal_errors and doctor.probes[0]["step"] == 0
    assert doctor.probes[0]["probe_loss"] == pytest.approx(start, rel=1e-5)
    assert doctor.probes[0]["grad_norm"] == pytest.approx(expected_norm, rel=1e-4)


def ragged_tokens():
    lengths = RNG.integers(2, 9, N)
    tokens = tf.RaggedTensor.from_row_lengths(RNG.integers(1, 20, lengths.sum()), lengths)
    labels = np.asarray([int(row.numpy().max() > 15) for row in tokens], "int32")
    return tokens, labels


@pytest.mark.parametrize("kind", ["ragged", "sparse"])
def test_ragged_and_sparse_probe_data_are_read_and_probed(kind):
    """A tf.data of ragged token lists or sparse bag-of-words rows, as fit takes them.
    Before: each batch became a NumPy array of Python objects, the model refused it and the
    probe was off for the whole run."""
    keras.utils.set_random_seed(0)
    if kind == "ragged":
        x, y = ragged_tokens()
        model = keras.Sequential([keras.layers.Embedding(20, 4),
                                  keras.layers.GlobalAveragePooling1D(),
                                  keras.layers.Dense(2, activation="softmax")])
    else:
        dense = (RNG.random((N, 30)) > 0.9).astype("float32")
        x, y = tf.sparse.from_dense(dense), (dense[:, :10].sum(1) > 1).astype("int32")
        inputs = keras.Input((30,), sparse=True)
        model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(
            keras.layers.Dense(8, activation="relu")(inputs)))
    model.compile("adam", "sparse_categorical_crossentropy")
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    doctor = TrainingDoctor(probe_data=data)
    probe_x, probe_y = doctor.probe_data
    assert isinstance(probe_x, type(x)) and len(probe_y) == N
    dense_of = (lambda t: t.to_tensor()) if kind == "ragged" else tf.sparse.to_dense
    np.testing.assert_array_equal(dense_of(probe_x).numpy(), dense_of(x).numpy())
    np.testing.assert_array_equal(probe_y, y)
    start = model.evaluate(data, verbose=0)
    model.fit(data, epochs=1, verbose=0, callbacks=[doctor])
    assert not doctor.internal_errors and doctor.probes
    assert doctor.probes[0]["probe_loss"] == pytest.approx(start, rel=1e-5)
    assert doctor.probes[0]["probe_examples"] == N


# ------------------------------------------------------------------ the diagnosis
def test_an_autoencoder_with_a_bottleneck_is_not_called_too_small():
    """x -> 4 units -> x. The simple-model reference for targets that are the inputs is the
    identity (ridge reconstructs them exactly), so before, every bottleneck autoencoder got
    'underfitting: a wider model' - here one within 25% of the best any rank-4 linear map
    can do (NumPy's SVD), i.e. as good as its bottleneck allows."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    model = keras.Model(inputs, keras.layers.Dense(8)(keras.layers.Dense(4)(inputs)))
    model.compile(keras.optimizers.Adam(0.01), "mse")
    doctor = TrainingDoctor(probe_data=(X[:128], X[:128]), reference_data=(X, X))
    model.fit(X, X, epochs=40, batch_size=32, verbose=0, callbacks=[doctor])
    centered = X - X.mean(axis=0)
    singular = np.linalg.svd(centered, compute_uv=False)
    best = float((singular[4:] ** 2).sum() / X.size)  # the rank-4 reconstruction's MSE
    reached = float(np.mean((model.predict(X, verbose=0) - X) ** 2))
    assert reached < 1.25 * best
    assert not [f.symptom for f in doctor.findings if f.severity != "info"]
    assert doctor.reference == {}


def test_a_base_unfrozen_for_a_second_fit_is_probed_with_it():
    """Fine-tuning's two stages with one doctor: the head alone, then the whole model at a
    lower rate. Before: the probe kept measuring the head's 2 variables of 6, so the gradient
    norm it reported was a third of the model's and 'first layer' was the head's."""
    keras.utils.set_random_seed(0)
    base = keras.Sequential([keras.Input((8,)), keras.layers.Dense(32, activation="relu"),
                             keras.layers.Dense(16, activation="relu")])
    base.trainable = False
    inputs = keras.Input((8,))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(
        base(inputs, training=False)))
    model.compile("adam", "sparse_categorical_crossentropy")
    doctor = TrainingDoctor(probe_data=(X[:64], Y[:64]), interval=4)
    model.fit(X, Y, epochs=1, batch_size=32, verbose=0, callbacks=[doctor])
    base.trainable = True
    model.compile(keras.optimizers.Adam(1e-4), "sparse_categorical_crossentropy")
    model.fit(X, Y, epochs=2, initial_epoch=1, batch_size=32, verbose=0, callbacks=[doctor])
    with tf.GradientTape() as tape:  # at the final weights, where the last probe was taken
        probabilities = model(X[:64], training=False)
        loss = -tf.reduce_mean(tf.math.log(tf.gather(probabilities, Y[:64], batch_dims=1)))
    grads = tape.gradient(loss, model.trainable_variables)
    assert len(grads) == 6 and all(g is not None for g in grads)
    expected = np.sqrt(sum(float(tf.reduce_sum(g * g)) for g in grads))
    assert doctor.probes[-1]["step"] == doctor.step and not doctor.internal_errors
    assert doctor.probes[-1]["grad_norm"] == pytest.approx(expected, rel=1e-4)
    first_kernel = base.layers[0].kernel
    assert doctor.probes[-1]["grad_rms_first_layer"] == pytest.approx(
        float(np.linalg.norm(grads[0])) / np.sqrt(np.prod(first_kernel.shape)), rel=1e-4)


# ------------------------------------------------------------------ a callable learning rate
class Flat(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        logs["score"] = 1.0  # a plateau from the second epoch on


def callable_rate_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    model.compile(keras.optimizers.Adam(learning_rate=lambda: 0.01),
                  "sparse_categorical_crossentropy")
    return model


def test_plateau_on_a_callable_rate_is_refused_before_the_first_step():
    """Keras takes `learning_rate=lambda: ...`, but its setter then fails
    ('function' object has no attribute 'assign'): stock ReduceLROnPlateau (and ours, before)
    raised AttributeError at the first plateau, epochs into the run. Ours refuses it at the
    start, as it does a Keras schedule."""
    stock = callable_rate_model()
    with pytest.raises(AttributeError, match="assign"):
        stock.fit(X, Y, epochs=4, batch_size=64, verbose=0, callbacks=[
            Flat(), keras.callbacks.ReduceLROnPlateau("score", patience=1, mode="min")])
    assert int(stock.optimizer.iterations.numpy()) > 1
    model = callable_rate_model()
    with pytest.raises(TypeError, match=r"^This optimizer was created with a callable "
                                        r"learning_rate \(<lambda>\).*float learning_rate"):
        model.fit(X, Y, epochs=4, batch_size=64, verbose=0, callbacks=[
            Flat(), ReduceLROnPlateau("score", patience=1, mode="min")])
    assert int(model.optimizer.iterations.numpy()) == 0


def test_nan_guard_rolls_back_a_callable_rate_without_raising(tmp_path, capsys):
    """Before: the roll-back tried to lower the callable rate and raised AttributeError inside
    fit; now it rolls back, and the rate it could not lower stays what it was (and it says
    so, instead of claiming a cut)."""
    from ktrain_kit.callbacks import Checkpoints, NaNGuard
    poisoned = X[:64].copy()
    poisoned[24:32] = np.nan  # the 4th batch of 8
    model = callable_rate_model()
    checkpoints = Checkpoints(str(tmp_path / "ckpt"), initial=True)
    guard = NaNGuard("restore", checkpoints)
    model.fit(poisoned, Y[:64], batch_size=8, epochs=1, shuffle=False, verbose=0,
              callbacks=[guard, checkpoints])
    assert [(r["batch"], r["lr"]) for r in guard.rollbacks] == [(4, pytest.approx(0.01))]
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert "kept the learning rate" in capsys.readouterr().out


# ------------------------------------------------------------------ sequence tagging
def test_a_two_class_sequence_tagger_is_not_called_multi_label():
    """Bidirectional LSTM + TimeDistributed softmax over 2 tags, sparse labels (n, 7) of 0/1:
    one class id per position. Before: the rows of 0/1 were read as multi-hot labels and a
    healthy tagger got a critical 'wrong_loss: multi-label under softmax'. The same 0/1 rows
    for an output of 7 classes (n, 7) are multi-hot still, and still a wrong loss."""
    from ktrain_kit.doctor import task as task_lib
    keras.utils.set_random_seed(0)
    sequences = RNG.normal(size=(N, 7, 4)).astype("float32")
    tags = (sequences[..., 0] > 0).astype("int32")
    model = keras.Sequential([
        keras.Input((7, 4)),
        keras.layers.Bidirectional(keras.layers.LSTM(6, return_sequences=True)),
        keras.layers.TimeDistributed(keras.layers.Dense(2, activation="softmax"))])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    doctor = TrainingDoctor(probe_data=(sequences[:64], tags[:64]))
    history = model.fit(sequences, tags, epochs=4, batch_size=32, validation_split=0.25,
                        verbose=0, callbacks=[doctor])
    assert history.history["val_accuracy"][-1] > 0.8  # it learned the tags
    assert not [f.symptom for f in doctor.findings if f.severity != "info"]
    assert task_lib.task_view(doctor.facts).labels == "ids"
    flat = dict(doctor.facts, output_shape=[7], num_outputs=7)
    assert task_lib.task_view(flat).labels == "multihot"
    found = doctor_lib.diagnose([{"loss": 0.6}, {"loss": 0.5}], [], [], flat)
    assert "wrong_loss" in {f.symptom for f in found}


def test_a_model_compiled_without_a_loss_is_told_why_it_was_not_probed():
    """A custom train_step with its own loss and compile(optimizer) alone (Keras' VAE and GAN
    examples): the probe has no loss to differentiate. Before: 'an internal error of the
    training doctor - report it', for a program that is fine."""
    class OwnLoss(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = keras.ops.mean(keras.losses.sparse_categorical_crossentropy(
                    y, self(x, training=True)))
            self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                 self.trainable_variables)
            return {"loss": loss}

    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    model = OwnLoss(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    model.compile(keras.optimizers.Adam(0.01))
    doctor = TrainingDoctor(probe_data=(X[:64], Y[:64]))
    model.fit(X, Y, epochs=2, batch_size=32, verbose=0, callbacks=[doctor])
    notes = [f for f in doctor.findings if f.symptom == "doctor_error"]
    assert len(notes) == 1 and len(doctor.epochs) == 2
    assert "compiled without a loss" in notes[0].causes[0]
    assert "model.compile(optimizer, loss=...)" in notes[0].remedies[0]
    assert not [f for f in doctor.findings if f.severity != "info"]
