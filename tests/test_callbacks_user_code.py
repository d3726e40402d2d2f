"""Our callbacks in programs written without ktrain_kit in mind: vector metrics, evaluate() and
a second fit with MetricsCSV; a custom train_step without `loss`; probe data in every form
`fit` accepts; per-output monitors of a multi-output model; class weights under the doctor.
Each test failed before its fix (the docstrings say how)."""

import csv
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from ktrain_kit import doctor
from ktrain_kit.callbacks import EarlyStopping, MetricsCSV, ReduceLROnPlateau, TrainingDoctor

from conftest import linear_classifier

RNG = np.random.default_rng(0)
X = RNG.normal(size=(192, 8)).astype("float32")
Y = (X[:, 0] > 0).astype("int32") + (X[:, 1] > 0.5)  # 3 classes


def classifier(seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(hidden))


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# ------------------------------------------------------------------ MetricsCSV
def test_metrics_csv_writes_vector_metrics_as_one_column_per_element(tmp_path):
    """Before: float() of F1Score(average=None)'s vector raised TypeError inside fit."""
    model = classifier()
    model.compile("adam", "categorical_crossentropy", metrics=[keras.metrics.F1Score()])
    history = model.fit(X, keras.utils.to_categorical(Y, 3), epochs=2, batch_size=64,
                        verbose=0, callbacks=[MetricsCSV(str(tmp_path / "m.csv"), 64)])
    rows = read_csv(tmp_path / "m.csv")
    written = [[float(r[f"f1_score[{i}]"]) for i in range(3)] for r in rows]
    np.testing.assert_allclose(written, np.asarray(history.history["f1_score"]), rtol=1e-6)


def test_metrics_csv_in_evaluate_and_predict_outside_fit(tmp_path):
    """Before: evaluate(callbacks=[csv]) raised AttributeError (on_test_begin read a timer
    only fit's on_epoch_begin sets)."""
    model = classifier()
    model.compile("adam", "sparse_categorical_crossentropy")
    logger = MetricsCSV(str(tmp_path / "m.csv"), 64)
    loss = model.evaluate(X, Y, verbose=0, callbacks=[logger])
    model.predict(X, verbose=0, callbacks=[logger])
    assert loss == pytest.approx(float(keras.losses.sparse_categorical_crossentropy(
        Y, model(X)).numpy().mean()), rel=1e-5)
    assert not (tmp_path / "m.csv").exists()  # no epoch, no row
    model.fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y), callbacks=[logger])
    model.evaluate(X, Y, verbose=0, callbacks=[logger])  # after a fit: still no crash
    assert [r["epoch"] for r in read_csv(tmp_path / "m.csv")] == ["1"]


def test_a_second_fit_with_validation_keeps_its_validation_columns(tmp_path):
    """Continued training: fit without validation, then fit again with it. Before: the header
    was frozen at the first row, so val_loss was silently never written."""
    model = classifier()
    model.compile("adam", "sparse_categorical_crossentropy")
    path = tmp_path / "m.csv"
    logger = MetricsCSV(str(path), 64)
    first = model.fit(X, Y, epochs=2, batch_size=64, verbose=0, callbacks=[logger])
    second = model.fit(X, Y, epochs=4, initial_epoch=2, batch_size=64, verbose=0,
                       validation_data=(X[:64], Y[:64]), callbacks=[logger])
    rows = read_csv(path)
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4]
    np.testing.assert_allclose([float(r["loss"]) for r in rows],
                               first.history["loss"] + second.history["loss"], rtol=1e-6)
    assert [r["val_loss"] for r in rows[:2]] == ["", ""]
    np.testing.assert_allclose([float(r["val_loss"]) for r in rows[2:]],
                               second.history["val_loss"], rtol=1e-6)
    logger.keep_epochs_up_to(4)  # a resume reads the widened file: every row is whole
    assert [int(r["epoch"]) for r in read_csv(path)] == [1, 2, 3, 4]


# ------------------------------------------------------------------ the doctor
def test_a_custom_train_step_without_loss_is_not_a_nan_loss():
    """A train_step returning {"my_loss": ...}: Keras logs no `loss`. Before: the doctor read
    the missing key as NaN and reported a critical nan_loss for a healthy run."""
    class OwnStep(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = self.compute_loss(x=x, y=y, y_pred=self(x, training=True))
            self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                 self.trainable_variables)
            return {"my_loss": loss}

    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    model = OwnStep(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    model.compile("adam", "sparse_categorical_crossentropy")
    check = TrainingDoctor(probe_data=(X[:64], Y[:64]))
    model.fit(X, Y, epochs=2, batch_size=64, verbose=0, callbacks=[check])
    assert check.step == 6 and check.batch_losses == []
    assert not check.internal_errors
    assert "nan_loss" not in {f.symptom for f in check.findings}


class Batches(keras.utils.PyDataset):
    def __len__(self):
        return 3

    def __getitem__(self, i):
        return X[i * 64:(i + 1) * 64], Y[i * 64:(i + 1) * 64]


class Endless(keras.utils.PyDataset):
    @property
    def num_batches(self):
        return None  # Keras' way to say "infinite"

    def __getitem__(self, i):
        i %= 3
        return X[i * 64:(i + 1) * 64], Y[i * 64:(i + 1) * 64]


@pytest.mark.parametrize("form", ["tf.data batched", "tf.data unbatched", "PyDataset",
                                  "endless PyDataset", "generator",
                                  "tf.data with sample weights"])
def test_probe_data_in_every_form_fit_accepts_is_the_same_examples(form):
    """Before: an unbatched dataset raised an obscure ValueError at construction; a PyDataset
    or generator became three internal errors and no probe."""
    data = {"tf.data batched": lambda: tf.data.Dataset.from_tensor_slices((X, Y)).batch(50),
            "tf.data unbatched": lambda: tf.data.Dataset.from_tensor_slices((X, Y)),
            "PyDataset": Batches, "endless PyDataset": Endless,
            "generator": lambda: ((X[i:i + 64], Y[i:i + 64]) for i in range(0, 192, 64)),
            "tf.data with sample weights": lambda: tf.data.Dataset.from_tensor_slices(
                (X, Y, np.ones(192, "float32"))).batch(64)}[form]()
    check = TrainingDoctor(probe_data=data, reference_data=(X, Y))
    x, y = check.probe_data
    np.testing.assert_array_equal(x, np.concatenate([X, X])[:len(x)])  # endless: X again
    np.testing.assert_array_equal(y, np.concatenate([Y, Y])[:len(x)])
    assert 128 <= len(x) <= 256
    model = classifier()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(X, Y, epochs=1, batch_size=64, verbose=0, callbacks=[check])
    assert not check.internal_errors and check.probes


def test_padded_batches_of_other_lengths_are_left_out_of_the_probe():
    """padded_batch gives each batch its own length (here 4, then 7, 7). Before:
    concatenating them raised at construction. The probe keeps the batches shaped like the
    first, unchanged: no padding value is invented."""
    lengths = [1 + i % 4 for i in range(32)] + [1 + i % 7 for i in range(64)]
    sequences = [np.arange(1, 1 + n) for n in lengths]
    data = tf.data.Dataset.from_generator(
        lambda: ((s, len(s) % 2) for s in sequences),
        output_signature=(tf.TensorSpec([None], tf.int64), tf.TensorSpec([], tf.int64))
    ).padded_batch(32)
    assert [tuple(b[0].shape) for b in data] == [(32, 4), (32, 7), (32, 7)]
    x, y = TrainingDoctor(probe_data=data).probe_data
    first_x, first_y = next(iter(data))
    np.testing.assert_array_equal(x, first_x.numpy())
    np.testing.assert_array_equal(y, [n % 2 for n in lengths[:32]])


@pytest.mark.parametrize("data", [X[:64], (X[:64],), {"x": X[:64]},
                                  tf.data.Dataset.from_tensor_slices(X).batch(32)])
def test_probe_data_without_labels_is_a_clear_error_at_construction(data):
    """Before: an x-only dataset was read as x = its first row, y = its second, silently."""
    with pytest.raises(ValueError, match=r"TrainingDoctor\(probe_data=\.\.\.\).*labels.*\(x, y\)"):
        TrainingDoctor(probe_data=data)


def test_class_weights_scale_the_training_loss_not_divergence():
    """class_weight multiplies Keras' training loss (here ~6x) but not the probe's: before,
    the doctor compared the weighted epoch losses with the unweighted step-0 probe and
    reported a critical divergence in a run whose loss fell every epoch."""
    model = classifier()
    model.compile("adam", "sparse_categorical_crossentropy")
    check = TrainingDoctor(probe_data=(X[:128], Y[:128]))
    history = model.fit(X, Y, epochs=3, batch_size=32, verbose=0, callbacks=[check],
                        class_weight={0: 4.0, 1: 8.0, 2: 8.0})
    losses = history.history["loss"]
    assert losses == sorted(losses, reverse=True)  # it fell every epoch
    assert losses[0] > 3 * check.probes[0]["probe_loss"]  # on another scale than the probe
    assert "diverging" not in {f.symptom for f in check.findings}


def test_a_probe_on_another_scale_still_sees_a_real_divergence():
    """The rescaling reads the start on the training's scale; it hides no divergence: losses
    3x the probe's at every epoch end, rising 1.5x past the (rescaled) start, are divergence."""
    facts = {"loss_name": "sparse_categorical_crossentropy", "num_outputs": 3}
    probe_losses = [1.0, 1.1, 1.6, 2.4, 3.6]
    probes = [{"step": 10 * i, "epoch": max(i, 1) if i else 1, "probe_loss": p}
              for i, p in enumerate(probe_losses)]
    rising = [{"loss": 3 * p} for p in probe_losses[1:]]
    batches = [(1, 1, 3.0)] + [(s, 1, 3.3) for s in range(2, 10)]
    assert "diverging" in {f.symptom for f in doctor.diagnose(rising, batches, probes, facts)}
    falling = [{"loss": 3 * p} for p in (0.9, 0.8, 0.7, 0.6)]
    probes = [dict(p, probe_loss=q) for p, q in zip(probes, (1.0, 0.9, 0.8, 0.7, 0.6))]
    assert "diverging" not in {f.symptom for f in doctor.diagnose(falling, batches, probes,
                                                                  facts)}


# ------------------------------------------------------------------ per-output monitors
SCRIPT = {"val_digit_loss": [1.0, 0.9, 0.95, 0.96, 0.97, 0.8, 0.99, 0.99],
          "val_digit_accuracy": [0.5, 0.6, 0.55, 0.58, 0.59, 0.7, 0.6, 0.6]}


class Scripted(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        logs.update({k: v[epoch] for k, v in SCRIPT.items()})


def two_outputs():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    model = keras.Model(inputs, {
        "digit": keras.layers.Dense(3, activation="softmax", name="digit")(hidden),
        "even": keras.layers.Dense(1, activation="sigmoid", name="even")(hidden)})
    model.compile(keras.optimizers.SGD(0.1), {"digit": "sparse_categorical_crossentropy",
                                              "even": "binary_crossentropy"},
                  metrics={"digit": ["accuracy"]})
    return model


def fit_with(callback):
    model, rates = two_outputs(), []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: rates.append(
        float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))))
    model.fit(X, {"digit": Y, "even": (Y == 1).astype("float32")}, epochs=8, batch_size=96,
              verbose=0, callbacks=[Scripted(), callback, record])
    return rates


@pytest.mark.parametrize("monitor, mode", [("val_digit_loss", "min"),
                                           ("val_digit_accuracy", "max")])
def test_per_output_monitors_in_auto_mode_act_like_keras_told_the_mode(monitor, mode):
    """Keras cannot place `<output>_loss` / `<output>_<metric>` in mode "auto" and raises after
    the first epoch. Ours places them and then acts exactly as Keras' given the mode."""
    with pytest.raises(ValueError, match="automatically determine"):
        fit_with(keras.callbacks.EarlyStopping(monitor, patience=2))
    ours, stock = EarlyStopping(monitor, patience=2), keras.callbacks.EarlyStopping(
        monitor, patience=2, mode=mode)
    fit_with(ours), fit_with(stock)
    assert (ours.stopped_epoch, ours.best) == (stock.stopped_epoch, stock.best)
    assert ours.stopped_epoch > 0
    ours = fit_with(ReduceLROnPlateau(monitor, factor=0.5, patience=1))
    stock = fit_with(keras.callbacks.ReduceLROnPlateau(monitor, factor=0.5, patience=1,
                                                       mode=mode))
    np.testing.assert_allclose(ours, stock, rtol=1e-7)
    assert min(ours) < 0.1


def test_an_unknown_monitor_still_raises_as_in_keras():
    """Where Keras raises (mode "auto", a name it cannot place) - with the names the fit logs
    when the monitor is none of them (Keras spoke of the direction: a typo read as a choice to
    make; round h73)."""
    with pytest.raises(ValueError, match=r"monitor='val_digit_nonsense'\): no metric of that "
                       r"name is logged \(this fit logs .*val_digit_loss"):
        fit_with(EarlyStopping("val_digit_nonsense", patience=2))


# ------------------------------------------------------------------ NaNGuard, Checkpoints
def adam_model(learning_rate, weights=None):
    return linear_classifier(8, 3, keras.optimizers.Adam(learning_rate), weights)


def test_a_roll_back_with_adam_restores_its_moments_too(tmp_path):
    """Plain Keras builds the optimizer at the first step, after on_train_begin: before, the
    initial checkpoint held no Adam moments, the roll-back kept the NaN ones of the failed step
    and every later step was NaN again (three roll-backs, then a stop)."""
    from ktrain_kit.callbacks import Checkpoints, NaNGuard
    poisoned = X[:64].copy()
    poisoned[24:32] = np.nan  # the 4th batch of 8
    model = adam_model(0.01)
    initial = model.get_weights()
    checkpoints = Checkpoints(str(tmp_path / "ckpt"), initial=True)
    guard = NaNGuard("restore", checkpoints, lr_factor=0.5)
    model.fit(poisoned, Y[:64], batch_size=8, epochs=1, shuffle=False, verbose=0,
              callbacks=[guard, checkpoints])
    assert [r["batch"] for r in guard.rollbacks] == [4] and not guard.stopped
    # Independently: plain Keras Adam from the initial weights at half the rate, batches 5-8.
    reference = adam_model(0.005, initial)
    reference.fit(X[32:64], Y[32:64], batch_size=8, epochs=1, shuffle=False, verbose=0)
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_restore_without_a_checkpoint_yet_stops_instead_of_raising(tmp_path, capsys):
    """Before: AttributeError inside fit ('NoneType' has no 'rsplit') at the first NaN."""
    from ktrain_kit.callbacks import Checkpoints, NaNGuard
    poisoned = X[:64].copy()
    poisoned[24:32] = np.nan
    checkpoints = Checkpoints(str(tmp_path / "ckpt"))  # no initial=True: nothing saved yet
    guard = NaNGuard("restore", checkpoints)
    history = adam_model(0.01).fit(poisoned, Y[:64], batch_size=8, epochs=2, shuffle=False,
                                   verbose=0, callbacks=[guard, checkpoints])
    assert guard.stopped and guard.rollbacks == [] and len(history.history["loss"]) == 1
    assert "initial=True" in capsys.readouterr().out


@pytest.mark.parametrize("kwargs, fix", [({"policy": "restore"}, "checkpoints=Checkpoints"),
                                         ({"policy": "Restore"}, "'stop' or 'restore'")])
def test_nan_guard_arguments_that_cannot_work_fail_at_construction(kwargs, fix):
    """Before: accepted, then AttributeError inside fit at the first NaN (or no roll-back)."""
    from ktrain_kit.callbacks import NaNGuard
    with pytest.raises(ValueError, match=re.escape(fix)):
        NaNGuard(**kwargs)


def test_metrics_csv_path_a_folder_is_refused_and_missing_folders_are_made(tmp_path):
    """Before: IsADirectoryError / FileNotFoundError at the end of the first epoch, in fit."""
    with pytest.raises(ValueError, match="is a folder: pass a file path"):
        MetricsCSV(str(tmp_path), 64)
    path = tmp_path / "new" / "deeper" / "m.csv"
    model = classifier()
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(X, Y, epochs=1, verbose=0, callbacks=[MetricsCSV(str(path), 32)])
    assert float(read_csv(path)[0]["loss"]) == pytest.approx(history.history["loss"][0])


# ------------------------------------------------------------------ the probe's reading
def test_a_one_output_dict_model_is_probed_in_its_own_structure():
    """{"digit": softmax}: the activation pass returned the bare tensor and compute_loss,
    which matches losses by output name, raised - the probe was off for the whole run."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,), name="pixels")
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    model = keras.Model({"pixels": inputs}, {"digit": keras.layers.Dense(
        3, activation="softmax", name="digit")(hidden)})
    model.compile("sgd", {"digit": "sparse_categorical_crossentropy"})
    before = model.evaluate({"pixels": X[:64]}, {"digit": Y[:64]}, verbose=0)
    check = TrainingDoctor(probe_data=({"pixels": X[:64]}, {"digit": Y[:64]}))
    model.fit({"pixels": X}, {"digit": Y}, epochs=1, batch_size=64, verbose=0,
              callbacks=[check])
    assert not check.internal_errors
    first = check.probes[0]  # step 0: the initial weights, the loss Keras computed above
    assert first["step"] == 0 and "dead_relu_fraction" in first
    assert first["probe_loss"] == pytest.approx(before, rel=1e-5)


def test_pandas_probe_and_reference_data_are_read_as_arrays():
    """Before: a DataFrame reference was silently not compared with the simple models."""
    import pandas as pd
    frame, labels = pd.DataFrame(X), pd.Series(Y)
    scores = []
    for x, y in ((frame, labels), (X, Y)):
        model = classifier()
        model.compile("adam", "sparse_categorical_crossentropy")
        check = TrainingDoctor(probe_data=(x[:64], y[:64]), reference_data=(x, y))
        model.fit(X, Y, epochs=1, batch_size=64, verbose=0, callbacks=[check])
        scores.append(check.reference)
    assert scores[0] and scores[0] == scores[1]


def test_dead_units_need_a_probe_large_enough_to_see_live_ones():
    """3 probe examples: a unit firing on one input in ten looks dead with probability 0.73,
    and a healthy run was told its ReLUs died. From 16 examples on the rule judges."""
    facts = {"loss_name": "sparse_categorical_crossentropy", "num_outputs": 3}
    epochs = [{"loss": l} for l in (1.0, 0.8, 0.7, 0.6)]
    for examples, judged in ((3, False), (16, True)):
        probes = [{"step": 10 * i, "epoch": i, "dead_relu_fraction": 0.6, "probe_loss": 1.0,
                   "probe_examples": examples} for i in range(5)]
        found = {f.symptom for f in doctor.diagnose(epochs, [], probes, facts)}
        assert ("dead_units" in found) == judged


def relu_model(learning_rate):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(hidden))
    model.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy")
    return model


def test_weights_gone_nan_behind_a_finite_loss_stop_the_run_and_are_never_saved(tmp_path):
    """A NaN input batch makes the first layer NaN; on CPU relu(NaN) is 0, so the loss stays
    finite (the model predicts a constant) and the loss-only checks missed it: before, the
    run went on and its epoch checkpoints held NaN weights over the last good one."""
    from ktrain_kit.callbacks import Checkpoints, NaNGuard
    poisoned = X[:64].copy()
    poisoned[24:32] = np.nan
    model = relu_model(0.01)
    initial = model.get_weights()
    checkpoints = Checkpoints(str(tmp_path / "ckpt"), initial=True)
    guard = NaNGuard("stop", checkpoints)
    history = model.fit(poisoned, Y[:64], batch_size=8, epochs=3, shuffle=False, verbose=0,
                        callbacks=[guard, checkpoints])
    assert guard.stopped and len(history.history["loss"]) == 1
    assert checkpoints.manager.checkpoints == [str(tmp_path / "ckpt" / "ckpt-0")]
    checkpoints.roll_back()  # the one kept is the start, exactly
    for kept, start in zip(model.get_weights(), initial):
        np.testing.assert_array_equal(kept, start)


def test_each_roll_back_lowers_the_rate_from_the_one_in_use():
    """Two NaN batches, both rolled back to the initial checkpoint. Before: restoring it put
    the rate back to 0.1 and the second cut gave 0.05 again, not 0.025."""
    from ktrain_kit.callbacks import Checkpoints, NaNGuard
    import tempfile
    poisoned = X[:64].copy()
    poisoned[24:32] = poisoned[40:48] = np.nan  # batches 4 and 6 of 8
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    model = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    model.compile(keras.optimizers.SGD(0.1),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    initial = model.get_weights()
    checkpoints = Checkpoints(tempfile.mkdtemp(), initial=True)
    guard = NaNGuard("restore", checkpoints, lr_factor=0.5)
    model.fit(poisoned, Y[:64], batch_size=8, epochs=1, shuffle=False, verbose=0,
              callbacks=[guard, checkpoints])
    assert [(r["batch"], r["lr"]) for r in guard.rollbacks] == [
        (4, pytest.approx(0.05)), (6, pytest.approx(0.025))]
    # Independently: plain Keras from the initial weights at 0.025 on batches 7-8.
    reference = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    reference.set_weights(initial)
    reference.compile(keras.optimizers.SGD(0.025),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    reference.fit(X[48:64], Y[48:64], batch_size=8, epochs=1, shuffle=False, verbose=0)
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


def test_metrics_csv_without_a_batch_size_reports_steps_per_second(tmp_path):
    """A tf.data pipeline sets the batch size, not fit. Before: batch_size was required, and
    None raised TypeError inside fit at the first epoch's end."""
    model = classifier()
    model.compile("adam", "sparse_categorical_crossentropy")
    batches = tf.data.Dataset.from_tensor_slices((X, Y)).batch(32)
    model.fit(batches, epochs=1, verbose=0, callbacks=[MetricsCSV(str(tmp_path / "m.csv"))])
    model.fit(batches, epochs=1, verbose=0,
              callbacks=[MetricsCSV(str(tmp_path / "n.csv"), batch_size=None)])
    for name in ("m.csv", "n.csv"):
        row = read_csv(tmp_path / name)[0]
        assert float(row["steps_per_sec"]) > 0 and "examples_per_sec" not in row
    with pytest.raises(ValueError, match="whole number >= 1"):
        MetricsCSV(str(tmp_path / "o.csv"), batch_size=32.5)


def test_a_validation_probe_the_model_overfits_leaves_the_start_alone():
    """A probe on validation data agrees with the first batch at the start and drifts above
    the training loss as the model overfits: that drift says nothing about the start, which
    stays the first batch's (read on the drift's scale, it was ~0.2 and a falling training
    loss looked like divergence)."""
    facts = {"loss_name": "sparse_categorical_crossentropy", "num_outputs": 3}
    probe_losses = [1.1, 1.0, 4.0, 8.0, 12.0]  # the model overfits the training examples
    probes = [{"step": 10 * i, "epoch": max(i, 1), "probe_loss": p}
              for i, p in enumerate(probe_losses)]
    epochs = [{"loss": v} for v in (1.0, 0.8, 0.6, 0.5)]
    batches = [(1, 1, 1.1)] + [(s, 1, 1.0) for s in range(2, 10)]
    found = doctor.diagnose(epochs, batches, probes, facts)
    assert "diverging" not in {f.symptom for f in found}, [f.symptom for f in found]



def test_finite_weights_agrees_with_numpy_on_every_variable():
    """One reduction on the device, checked against NumPy over each variable's values: a NaN
    or an infinity in any one element of any trainable variable makes the weights unusable."""
    from ktrain_kit.checkpointing import finite_weights
    model = linear_classifier(8, 3, keras.optimizers.SGD(0.1))

    def expected():
        return all(np.isfinite(v.numpy()).all() for v in model.trainable_variables)
    assert finite_weights(model) is True and expected()
    for bad in (np.nan, np.inf, -np.inf):
        for variable in model.trainable_variables:
            values = variable.numpy()
            poisoned = values.copy()
            poisoned.flat[-1] = bad
            variable.assign(poisoned)
            assert finite_weights(model) is False and not expected()
            variable.assign(values)
    assert finite_weights(model) is True
