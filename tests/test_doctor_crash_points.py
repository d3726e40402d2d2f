"""TrainingDoctor never raises into the user's `fit`, as a class: every function its hooks
call - in its own module, and each function of facts, task, rules and the probe it names - is
made to fail in turn, and `fit` must still return its History, the doctor a report naming the
failure. A Dense layer with kernel and activity regularizers once made `on_train_end` raise
NotImplementedError into `fit` (a traced call's activity loss read as a number); the list of
crash points is read from callback.py's source, so a call added there is covered the day it
is written.
"""

import re

import keras
import numpy as np
import pytest

from ktrain_kit.doctor import callback as callback_lib
from ktrain_kit.doctor import facts as facts_lib
from ktrain_kit.doctor import report as report_lib
from ktrain_kit.doctor import rules
from ktrain_kit.doctor import task as task_lib
from ktrain_kit.doctor.callback import TrainingDoctor

MODULES = {"facts_lib": facts_lib, "task_lib": task_lib, "rules": rules}
# Not failed: what turns a failure into a finding, and what the constructor runs (a failure
# there is a ValueError in the user's own code, before fit).
NOT_FAILED = {"internal_error_finding", "_never_raises", "_read", "_rows", "_record_error",
              "_refuse_loose_values", "checked", "anything", "mapping", "optional",
              "whole",  # argument checks
              "_strict"}  # write()'s, a call of the user's after fit
NOT_REACHED = {"TrainingDoctor._probe_off",  # called when a probe fails: none does here
               # a model of several outputs' (inside the reference's guard, as
               # reference_scores): tests/test_doctor_several_inputs_outputs.py
               "ktrain_kit.doctor.callback.output_references",
               # where the simple model's decisions are at chance (inside the reference's
               # guard, as reference_scores): tests/test_doctor_ranking.py
               "ktrain_kit.doctor.task.simple_ranking",
               # regression's gains (inside the reference's guard, as reference_scores):
               # tests/test_doctor_regression_unrelated.py
               "ktrain_kit.doctor.task.paired_gain"}


class Injected(Exception):
    pass


def _crash_points():
    """(owner, attribute name) of every function callback.py's hooks call: MODULE.name(...)
    of the modules above, and the functions, classes' methods and imports of its own module
    (report_lib's are the user's own calls, after fit: not hooks)."""
    source = open(callback_lib.__file__).read()
    points = {(MODULES[m], name) for m, name in re.findall(r"\b(facts_lib|task_lib|rules)\.(\w+)\(",
                                                          source)}
    for name, value in vars(callback_lib).items():
        if callable(value) and getattr(value, "__module__", "").startswith("ktrain_kit") and \
                name not in ("TrainingDoctor",) and not isinstance(value, type):
            points.add((callback_lib, name))
    from ktrain_kit.batch_loss import EpochLossDecoder
    from ktrain_kit.doctor.probe import Probe
    points |= {(Probe, "__call__"), (Probe, "__init__"), (Probe, "covers"),
               (EpochLossDecoder, "decode_logs"), (EpochLossDecoder, "start_epoch")}
    points |= {(TrainingDoctor, name) for name, value in vars(TrainingDoctor).items()
               if callable(value) and name.startswith("_") and not name.startswith("__")}
    return sorted((p for p in points if p[1] not in NOT_FAILED),
                  key=lambda p: (getattr(p[0], "__name__", str(p[0])), p[1]))


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 6)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("int32")
    return x, y


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((6,)),
        # both regularizers: the activity one's loss is symbolic after a traced step
        keras.layers.Dense(8, activation="relu", kernel_regularizer="l2",
                           activity_regularizer="l2"),
        keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _fit(model, data, doctor):
    x, y = data
    return model.fit(x[:64], y[:64], validation_data=(x[64:], y[64:]), epochs=2,
                     batch_size=16, verbose=0, callbacks=[doctor])


def _doctor(data):
    x, y = data
    return TrainingDoctor(probe_data=(x[64:], y[64:]), interval=2,
                          reference_data=(x[:64], y[:64]), validation_data=(x[64:], y[64:]),
                          facts={"task": "classification"})


def test_both_regularizers_on_one_layer_train_and_are_diagnosed(data):
    doctor = _doctor(data)
    history = _fit(_model(), data, doctor)
    assert len(history.history["loss"]) == 2
    assert not doctor.internal_errors, doctor.internal_errors
    assert doctor.facts["initial_penalty"] > 0  # the kernel's L2, a number


def test_a_failure_at_any_call_of_the_doctor_never_reaches_fit(data, monkeypatch):
    model = _model()
    initial = model.get_weights()
    points, failures, reached = _crash_points(), [], set()
    assert len(points) >= 30, points  # the source was read
    for owner, name in points:
        original = getattr(owner, name)
        label = f"{getattr(owner, '__name__', owner)}.{name}"

        def failing(*args, _label=label, **kwargs):
            reached.add(_label)
            raise Injected(f"injected into {_label}")
        doctor = _doctor(data)  # built before the failure: the constructor is the user's
        model.set_weights(initial)
        with monkeypatch.context() as patch:
            patch.setattr(owner, name, failing)
            try:
                history = _fit(model, data, doctor)
            except Exception as e:  # noqa: BLE001 - what this test looks for
                failures.append(f"{label}: {type(e).__name__}: {e}")
                continue
        if label not in reached:
            continue
        if len(history.history.get("loss", [])) != 2:
            failures.append(f"{label}: fit stopped early ({history.history})")
        elif not any("injected into" in e for e in doctor.internal_errors) or \
                "internal" not in doctor.report().lower():
            failures.append(f"{label}: the failure is not in the report "
                            f"({doctor.internal_errors})")
        del original
    assert not failures, "\n".join(failures)
    unreached = {f"{getattr(o, '__name__', o)}.{n}" for o, n in points} - reached
    assert unreached <= NOT_REACHED, f"never called on this fit: {sorted(unreached)}"
