"""A regression whose targets do not follow the inputs is named (data_problem, critical).

Round 11 follow-up: with a probe cut from the training rows (as the launcher cuts it, and as a
user passing `probe_data=(x[:256], y[:256])` does) the doctor has no held-out score of the
model, and it read "validation at chance" as a validation loss near the untrained model's
loss - many times what predicting the mean scores - so shuffled regression targets went
unnamed. Each training here is plain Keras with our TrainingDoctor; whether the validation
error is at chance is checked independently with NumPy (the variance of the validation
targets is the MSE of predicting their mean).
"""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from ktrain_kit.callbacks import TrainingDoctor  # noqa: E402


def _data(shuffled, seed=0):
    """A linear table (8 features, 5 informative), target std 1 around 5 (a score, a rating:
    targets seldom centre on 0, so an untrained network's loss, ~26, is far above what
    predicting the mean scores, 1); shuffled: the same rows, target column permuted."""
    from sklearn.datasets import make_regression
    x, y = make_regression(n_samples=1200, n_features=8, n_informative=5, noise=10.0,
                           random_state=seed)
    x, y = x.astype("float32"), (5.0 + y / y.std()).astype("float32")[:, None]
    if shuffled:
        y = y[np.random.default_rng(seed).permutation(len(y))]
    return (x[:960], y[:960]), (x[960:], y[960:])


def _train(shuffled, metrics):
    keras.utils.set_random_seed(0)
    (x, y), (xv, yv) = _data(shuffled)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse", metrics=metrics)
    doctor = TrainingDoctor(probe_data=(x[:256], y[:256]), reference_data=(x, y),
                            interval=50)
    model.fit(x, y, validation_data=(xv, yv), epochs=8, batch_size=32, verbose=0,
              callbacks=[doctor])
    validation_mse = float(np.mean((model.predict(xv, verbose=0) - yv) ** 2))
    return doctor, validation_mse / float(np.var(yv))


def _serious(doctor):
    return [(f.symptom, f.severity) for f in doctor.findings if f.severity != "info"]


# with an rmse metric (read in the target's units) and without one (the mse validation loss)
METRICS = [[keras.metrics.RootMeanSquaredError(name="rmse")], []]


@pytest.mark.parametrize("metrics", METRICS, ids=["rmse_metric", "loss_only"])
def test_shuffled_regression_targets_are_named(metrics):
    doctor, share_of_chance = _train(shuffled=True, metrics=metrics)
    assert share_of_chance >= 0.9  # NumPy: the model predicts no better than the mean
    assert ("data_problem", "critical") in _serious(doctor), _serious(doctor)
    finding = next(f for f in doctor.findings if f.symptom == "data_problem")
    assert min(finding.evidence["validation_mse_share_of_chance"]) >= 0.9


def test_healthy_twin_gets_no_warning():
    doctor, share_of_chance = _train(shuffled=False,
                                     metrics=[keras.metrics.RootMeanSquaredError(name="rmse")])
    assert share_of_chance < 0.2  # NumPy: the model learned the targets
    assert _serious(doctor) == []
