"""Our callbacks in a user's own Keras code, round 6: what a helper writing plain `fit` scripts
found - data the doctor would fail on inside fit, a pruning callback that never reported, a
metrics file whose learning rate followed the callbacks' order and which appended an earlier
script's rows, and argument errors that did not say whose.
"""

import csv

import keras
import numpy as np
import pytest

from ktrain_kit.callbacks import (EarlyStopping, MetricsCSV, OptunaPruning, ReduceLROnPlateau,
                                  TrainingDoctor)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32")


def _model(lr=0.1):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.SGD(lr), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@pytest.mark.parametrize("probe, words", [
    (lambda x, y: (x.tolist(), y), ["x is a Python list", "np.asarray"]),
    (lambda x, y: (x, y.tolist()), ["y is a Python list", "np.asarray"]),
    (lambda x, y: (x, np.array(["cat", "dog"])[y]), ["labels are text", "'dog'"]),
])
def test_probe_data_fit_would_refuse_is_refused_by_the_constructor(data, probe, words):
    """Accepted, these failed the probe and the reference inside fit (internal errors, the
    report still 'healthy'): Keras' fit refuses lists of values, and its losses text labels."""
    with pytest.raises(ValueError) as refused:
        TrainingDoctor(probe_data=probe(*data))
    assert "probe_data" in str(refused.value) and all(w in str(refused.value) for w in words)
    with pytest.raises(Exception):  # noqa: B017 - plain Keras refuses the same data
        model = _model()
        x, y = probe(*data)
        model.fit(x, y, epochs=1, verbose=0)


@pytest.mark.parametrize("name", ["probe_data", "reference_data", "validation_data"])
@pytest.mark.parametrize("columns", [3, 5])
def test_doctor_data_of_another_shape_than_the_model_is_refused_when_fit_starts(data, name,
                                                                              columns):
    """Examples of 3 features for a model of 4 failed the probe inside fit, reported as the
    doctor's own internal error with the run 'healthy'. Plain Keras refuses them too."""
    x, y = data
    wrong = np.resize(x, (len(x), columns))
    doctor = TrainingDoctor(**{name: (wrong, y)})
    with pytest.raises(ValueError) as refused:
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[doctor])
    assert f"{name}=" in str(refused.value) and f"({columns},)" in str(refused.value) and \
        "(4,)" in str(refused.value)
    with pytest.raises(ValueError):
        _model().predict(wrong, verbose=0)
    fitting = TrainingDoctor(**{name: (x, y)})  # the control: the same data, the right shape
    _model().fit(x, y, epochs=1, verbose=0, callbacks=[fitting])
    assert fitting.internal_errors == []


def _two_inputs():
    keras.utils.set_random_seed(0)
    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    model = keras.Model([a, b], keras.layers.Dense(2, activation="softmax")(
        keras.layers.Concatenate()([a, b])))
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("probe, words", [
    (lambda x, z: {"a": x, "b": z[:, :2]}, ["input 'b'", "(2,)", "(3,)"]),
    (lambda x, z: [x[:, :3], z], ["input 'a'", "(3,)", "(4,)"]),
    (lambda x, z: {"a": x}, ["no 'b'"]),
    (lambda x, z: x, ["one array", "takes 2"]),
    (lambda x, z: [x, z, z], ["3 arrays", "takes 2"]),
])
def test_doctor_data_that_misses_a_models_input_is_refused_when_fit_starts(data, probe, words):
    """A dict or list of inputs of the wrong shape, one missing, or one array for two inputs:
    recorded as the doctor's internal error, the report 'healthy'. Plain Keras refuses each
    of them in predict; the control (the right inputs) is taken."""
    x, y = data
    z = x[:, :3]
    doctor = TrainingDoctor(probe_data=(probe(x, z), y))
    with pytest.raises(ValueError) as refused:
        _two_inputs().fit({"a": x, "b": z}, y, epochs=1, verbose=0, callbacks=[doctor])
    assert "probe_data=" in str(refused.value) and all(w in str(refused.value) for w in words)
    with pytest.raises(Exception):  # noqa: B017 - plain Keras refuses the same inputs
        _two_inputs().predict(probe(x, z), verbose=0)
    fitting = TrainingDoctor(probe_data=({"a": x, "b": z}, y))
    _two_inputs().fit({"a": x, "b": z}, y, epochs=1, verbose=0, callbacks=[fitting])
    assert fitting.internal_errors == []


def test_doctor_data_for_a_model_built_by_its_first_batch_is_checked_then(data):
    """A Sequential without Input is built by fit's first batch: the doctor called it with
    the probe at fit's start, built it for the probe's shape, and fit then failed with
    Keras' error about the training data. The probe is now checked once the model is built."""
    x, y = data
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"probe_data=.*\(3,\).*\(4,\)"):
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[TrainingDoctor(probe_data=(x[:, :3], y))])


class Trial:
    """What OptunaPruning needs of an Optuna trial: a record of the values reported."""

    def __init__(self):
        self.reported = []

    def report(self, value, step):
        self.reported.append((step, value))

    def should_prune(self):
        return False


def test_a_pruning_metric_fit_never_logs_is_named_at_the_first_epoch_end(data):
    """'val_acc' (a typo) was never reported, so the trial could never be pruned; Keras'
    EarlyStopping names the logged metrics, and so does this."""
    with pytest.raises(ValueError, match=r"metric='val_acc'.*val_accuracy"):
        _model().fit(*data, validation_split=0.25, epochs=2, verbose=0,
                     callbacks=[OptunaPruning(Trial(), "val_acc")])
    trial = Trial()  # a validation metric on an epoch validation skips: not a typo
    _model().fit(*data, validation_split=0.25, validation_freq=2, epochs=2, verbose=0,
                 callbacks=[OptunaPruning(trial, "val_accuracy")])
    assert [step for step, _ in trial.reported] == [2]


@pytest.mark.parametrize("trial", [None, "trial", object()])
def test_a_pruning_callback_without_a_trial_is_refused_when_built(trial):
    with pytest.raises(TypeError, match=r"OptunaPruning\(trial="):
        OptunaPruning(trial)


def _lr_column(path):
    with open(path, newline="") as f:
        return [float(r["lr"]) for r in csv.DictReader(f)]


@pytest.mark.parametrize("validation", [True, False])
def test_the_lr_column_is_the_rate_trained_at_whatever_the_callbacks_order(data, tmp_path,
                                                                           validation):
    """A plateau cut at an epoch's end is the next epoch's rate: listed after the plateau
    callback, MetricsCSV wrote the cut rate on the epoch that trained at the old one."""
    columns = {}
    for order in ("csv first", "csv last"):
        path = str(tmp_path / f"{order}-{validation}.csv")
        plateau = ReduceLROnPlateau("val_loss" if validation else "loss", factor=0.5,
                                    patience=0, min_delta=10.0)
        metrics = MetricsCSV(path)
        callbacks = [metrics, plateau] if order == "csv first" else [plateau, metrics]
        _model().fit(*data, validation_split=0.25 if validation else 0.0, epochs=3, verbose=0,
                     callbacks=callbacks)
        columns[order] = _lr_column(path)
    np.testing.assert_allclose(columns["csv last"], columns["csv first"], rtol=1e-6)
    # the first epoch sets the best; the second misses it by min_delta and is cut at its end
    np.testing.assert_allclose(columns["csv first"], [0.1, 0.1, 0.05], rtol=1e-6)


def test_a_new_training_writes_the_file_anew_and_a_resume_appends(data, tmp_path):
    """Running a script twice doubled its rows (epochs 1, 2, 1, 2); Keras' CSVLogger starts
    over. A fit from initial_epoch, or the same callback's next fit, goes on appending."""
    path = str(tmp_path / "metrics.csv")

    def epochs():
        with open(path, newline="") as f:
            return [int(r["epoch"]) for r in csv.DictReader(f)]
    _model().fit(*data, epochs=2, verbose=0, callbacks=[MetricsCSV(path)])
    _model().fit(*data, epochs=2, verbose=0, callbacks=[MetricsCSV(path)])
    assert epochs() == [1, 2]
    _model().fit(*data, epochs=3, initial_epoch=2, verbose=0, callbacks=[MetricsCSV(path)])
    assert epochs() == [1, 2, 3]
    same = MetricsCSV(path)
    model = _model()
    model.fit(*data, epochs=1, verbose=0, callbacks=[same])
    model.fit(*data, epochs=2, initial_epoch=1, verbose=0, callbacks=[same])
    assert epochs() == [1, 2]


@pytest.mark.parametrize("build, words", [
    (lambda: TrainingDoctor(probe=1), ["TrainingDoctor()", "'probe'", "probe_data"]),
    (lambda: EarlyStopping(bogus=1), ["EarlyStopping()", "'bogus'", "monitor"]),
    (lambda: MetricsCSV("a.csv", 1, 2), ["MetricsCSV()", "positional", "batch_size"]),
])
def test_an_argument_misspelt_or_one_too_many_names_the_callback_and_its_arguments(build,
                                                                                  words):
    with pytest.raises(TypeError) as refused:
        build()
    assert all(w in str(refused.value) for w in words), str(refused.value)
