"""The doctor on round 11's class (benchmarks/doctor_cases/wild11.py; the earlier rounds' fixes
replayed): a habit of validation spikes that the training loss does not share and that the
run ends clear of costs the user nothing, so 'lower the learning rate' has no evidence behind
it (rules.UNSTABLE_REPEATED_SPIKES). keras#126's documented fix is the example: dropout 0.5
twice under SGD(0.1, Nesterov momentum 0.9), batch 16 - its validation loss spikes twice and
the run ends at its best epoch. Spikes that reach the loss's starting scale (the model, that
epoch, no better than an untrained one) still count, whatever the end."""

import keras
import numpy as np
from sklearn.linear_model import LogisticRegression

from benchmarks import doctor_eval
from benchmarks.doctor_cases import field

CASE = next(c for c in field.CASES if c["name"] == "keras126_softmax_single_unit__fixed")


def spikes(val, scale):
    """Epochs whose validation loss doubled over its best so far by more than a tenth of the
    loss scale and came back to 80% or less the next epoch (NumPy, as the rule reads them)."""
    return [t for t in range(1, len(val) - 1)
            if val[t] >= 2 * min(val[:t]) and val[t] - min(val[:t]) > 0.1 * scale
            and val[t + 1] <= 0.8 * val[t]]


def test_validation_spikes_the_run_ends_clear_of_are_not_called_unstable():
    result = doctor_eval.run_case(CASE, 3)
    epochs = result["record"]["epochs"]
    val = np.array([e["val_loss"] for e in epochs])
    val_acc = np.array([e["val_accuracy"] for e in epochs])
    train = np.array([e["loss"] for e in epochs])
    scale = 0.25  # the MSE of an untrained sigmoid output (~0.5) on 0/1 labels
    # the curves, read without the doctor: two or more validation spikes, each below the
    # starting scale, no epoch whose training loss rose 1.5x; the run ends at its best
    found = spikes(val, scale)
    assert len(found) >= 2 and max(val[found]) < scale, (val, found)
    assert not any(train[t] >= 1.5 * train[:t].min() for t in range(1, len(train))), train
    assert val[-1] <= 1.25 * val.min() and val_acc.max() - val_acc[-1] < 0.05, (val, val_acc)
    # and the end result is what a good model reaches: scikit-learn's logistic regression on
    # the same rows (the task is linear: x0 + x1 > 1)
    rng = np.random.default_rng(3)
    x = rng.random((1200, 2)).astype("float32")
    y = ((x[:, 0] + x[:, 1]) > 1.0).astype(int)
    xt, xv, yt, yv = field._split(x, y, 3, stratify=False)
    logistic = LogisticRegression(C=100.0).fit(xt, yt).score(xv, yv)
    assert val_acc[-1] >= logistic - 0.01, (val_acc[-1], logistic)
    assert "unstable" not in [s for s, severity in result["findings"] if severity != "info"], \
        result["findings"]
    assert not [f for f in result["findings"] if f[1] != "info"], result["findings"]


def test_spikes_past_the_starting_loss_with_the_training_loss_rising_are_still_unstable():
    """The other side of the class: the same network and data at 10x the rate, rescued by a
    schedule that falls to 0 over 40 epochs. It too ends at its best, but its validation loss
    spikes past where training started (0.25: the model that epoch worse than an untrained
    one) and its training loss rises with them: still named, lower rate suggested."""
    keras.utils.set_random_seed(0)
    from ktrain_kit import doctor
    rng = np.random.default_rng(0)
    x = rng.random((1200, 2)).astype("float32")
    y = ((x[:, 0] + x[:, 1]) > 1.0).astype("float32")[:, None]
    xt, xv, yt, yv = field._split(x, y, 0, stratify=False)
    steps = 40 * int(np.ceil(len(xt) / 16))
    rate = keras.optimizers.schedules.CosineDecay(1.0, steps)
    model = keras.Sequential([
        keras.Input((2,)), keras.layers.Dense(64, activation="tanh", kernel_initializer="uniform"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(64, activation="tanh", kernel_initializer="uniform"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(1, activation="sigmoid", kernel_initializer="uniform")])
    model.compile(keras.optimizers.SGD(rate, momentum=0.9, nesterov=True), "mean_squared_error",
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    doc = doctor.TrainingDoctor(interval=20, probe_data=(xv[:256], yv[:256]),
                                reference_data=(xt[:1024], yt[:1024]))
    history = model.fit(xt, yt, validation_data=(xv, yv), epochs=40, batch_size=16, verbose=0,
                        callbacks=[doc]).history
    val = np.array(history["val_loss"])
    found = spikes(val, 0.25)
    assert len(found) >= 2 and max(val[found]) >= 0.25, (val, found)
    assert val[-1] <= 1.25 * val.min(), val
    unstable = [f for f in doc.findings if f.symptom == "unstable" and f.severity != "info"]
    assert unstable and unstable[0].evidence["epochs_with_rising_loss"] >= 1, doc.findings
    assert "lower the learning rate" in unstable[0].remedies, unstable[0].remedies
