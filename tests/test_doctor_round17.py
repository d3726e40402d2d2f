"""Round 14 of the data kinds (benchmarks/DOCTOR.md): two classes the doctor left alone.

(a) A short run at its simple model on the training rows (the reference rows a launcher hands
  the doctor) and clearly below it on unseen rows, both losses still falling: told to train
  longer. Checked with scikit-learn (ridge fitted on the training rows, scored on the unseen
  ones; the model's own balanced accuracy there) and with the longer run itself, which
  reaches the simple model and draws no finding.
(c) Class-sorted rows given to fit(shuffle=False): the batch loss depends on where in the epoch
  a batch falls. Checked with SciPy's one-way analysis of variance on the same batch losses,
  and with the shuffled twin, which scores clearly better and stays quiet.

Plain Keras with our TrainingDoctor.
"""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from conftest import relu_logits_classifier  # noqa: E402
from ktrain_kit.callbacks import TrainingDoctor  # noqa: E402
from ktrain_kit.doctor import rules  # noqa: E402


def _serious(doctor):
    return [(f.symptom, f.severity) for f in doctor.findings if f.severity != "info"]


# ----------------------------------------------------------------------------- (a) short runs
def _keyword_bags(per_class=300, seed=0):
    """benchmarks/doctor_data_kinds._text_folder as word counts: 30 filler words of 400 and 3
    of the class's 20 keywords per document (a third also one keyword of another class);
    180 documents held out."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), per_class)
    x = np.zeros((len(y), 460), "float32")
    for i, c in enumerate(y):
        np.add.at(x[i], rng.integers(0, 400, 30), 1.0)
        np.add.at(x[i], 400 + 20 * c + rng.integers(0, 20, 3), 1.0)
        if rng.random() < 1 / 3:
            x[i, 400 + 20 * ((c + 1 + rng.integers(2)) % 3) + rng.integers(20)] += 1.0
    order = rng.permutation(len(y))
    x, y = x[order], y[order]
    return (x[180:], y[180:]), (x[:180], y[:180])


def _bag_run(epochs):
    (x, y), (xv, yv) = _keyword_bags()
    model = relu_logits_classifier(460, 64, 3, 1e-3)
    # as the launcher does: probe and reference are training rows, the unseen rows apart
    doctor = TrainingDoctor(probe_data=(x[:64], y[:64]), reference_data=(x, y),
                            validation_data=(xv, yv), interval=50)
    model.fit(x, y, validation_data=(xv, yv), epochs=epochs, batch_size=32, verbose=0,
              callbacks=[doctor])
    predicted = np.asarray(model.predict(xv, verbose=0)).argmax(axis=1)
    return doctor, (x, y), (xv, yv), predicted


def _sklearn_ridge_on_unseen(x, y, xv, yv):
    from sklearn.linear_model import RidgeClassifier
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(x)
    ridge = RidgeClassifier(alpha=1.0).fit(scaler.transform(x), y)
    return balanced_accuracy_score(yv, ridge.predict(scaler.transform(xv)))


def test_short_run_below_the_simple_model_on_unseen_rows_is_told_to_train_longer():
    from sklearn.metrics import balanced_accuracy_score
    doctor, (x, y), (xv, yv), predicted = _bag_run(epochs=3)
    model_on_unseen = balanced_accuracy_score(yv, predicted)
    ridge_on_unseen = _sklearn_ridge_on_unseen(x, y, xv, yv)
    # independent: scikit-learn's ridge, fitted on the training rows, beats the model on the
    # unseen rows by more than the doctor's margin
    assert ridge_on_unseen - model_on_unseen > 0.06, (ridge_on_unseen, model_on_unseen)
    found = [f for f in doctor.findings if f.symptom == "underfitting"]
    assert found and found[0].severity == "warning", doctor.findings
    evidence = found[0].evidence
    assert "model_on_validation" in evidence  # the held-out comparison, not the training rows'
    assert evidence["model_on_validation"] == pytest.approx(model_on_unseen, abs=1e-6)
    assert evidence["simple_on_validation"] == pytest.approx(ridge_on_unseen, abs=0.02)
    assert "train longer" in found[0].remedies[0]
    # on the training rows it is at its reference: the old basis alone saw nothing
    assert doctor.reference["simple"] - doctor.reference["model"] < 0.03


def test_the_longer_run_reaches_the_simple_model_and_stays_quiet():
    """The evidence the advice helps: the same run trained 10 epochs instead of 3 reaches the
    simple model on the unseen rows (scikit-learn's ridge) and draws no finding."""
    from sklearn.metrics import balanced_accuracy_score
    doctor, (x, y), (xv, yv), predicted = _bag_run(epochs=10)
    assert balanced_accuracy_score(yv, predicted) >= \
        _sklearn_ridge_on_unseen(x, y, xv, yv) - 0.03
    assert not _serious(doctor), doctor.findings


# ----------------------------------------------------------------------------- (c) row order
def _digits_run(shuffle):
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(y))
    x, y = (x[order] / 16.0).astype("float32"), y[order]
    (x, y), (xv, yv) = (x[360:], y[360:]), (x[:360], y[:360])
    if not shuffle:  # a user's rows as they came: sorted by class
        rows = np.argsort(y, kind="stable")
        x, y = x[rows], y[rows]
    model = relu_logits_classifier(64, 32, 10, 1e-3)
    doctor = TrainingDoctor(probe_data=(xv[:256], yv[:256]))
    model.fit(x, y, batch_size=32, epochs=8, shuffle=shuffle, validation_data=(xv, yv),
              verbose=0, callbacks=[doctor])
    return doctor, float(model.evaluate(xv, yv, verbose=0)[1])


def _scipy_f(batch_losses):
    """SciPy's one-way F of each late epoch's detrended batch losses in 8 stretches."""
    from scipy.stats import f_oneway
    by_epoch = {}
    for _, epoch, loss in batch_losses:
        by_epoch.setdefault(epoch, []).append(loss)
    epochs = sorted(by_epoch)
    out = []
    for epoch in epochs[len(epochs) // 2:]:
        losses = np.asarray(by_epoch[epoch])
        steps = np.arange(len(losses))
        residual = losses - np.polyval(np.polyfit(steps, losses, 1), steps)
        size = len(losses) // 8
        out.append(f_oneway(*residual[:8 * size].reshape(8, size)).statistic)
    return out


def test_class_sorted_rows_without_a_shuffle_are_named():
    doctor, accuracy = _digits_run(shuffle=False)
    _, shuffled_accuracy = _digits_run(shuffle=True)
    assert shuffled_accuracy - accuracy > 0.05, (accuracy, shuffled_accuracy)  # it costs
    found = [f for f in doctor.findings if f.symptom == "data_problem"]
    assert found and found[0].severity == "warning", doctor.findings
    assert "shuffle" in found[0].remedies[0]
    expected = _scipy_f(doctor.batch_losses)
    assert found[0].evidence["order_f_by_epoch"] == pytest.approx(expected, rel=1e-6)
    assert min(expected) > 4, expected


def test_the_shuffled_twin_stays_quiet():
    """fit(shuffle=True) after keras.utils.set_random_seed repeats one random order every
    epoch (the same batches each time): a fixed order of mixed rows, no fault, no finding."""
    doctor, _ = _digits_run(shuffle=True)
    assert not _serious(doctor), doctor.findings
    assert all(f < 2 for f in _scipy_f(doctor.batch_losses))


def test_order_statistics_need_three_late_epochs_and_no_divergence():
    """A bend in one epoch (a model breaking through) is not an order: 2 late epochs are too
    few, and a diverging run is not judged (its loss is not stationary within an epoch)."""
    rng = np.random.default_rng(0)
    steps = 80

    def sorted_epochs(n):
        losses = []
        for epoch in range(1, n + 1):
            profile = np.repeat([0.2, 0.9, 0.5, 1.4], steps // 4) + rng.normal(0, 0.05, steps)
            losses += [(i, epoch, float(v)) for i, v in enumerate(profile)]
        return losses

    run = rules.make_run([{"loss": 1.0}] * 8, [], {"_batch_losses": sorted_epochs(8)})
    assert rules._rows_in_class_order(run, [])
    short = rules.make_run([{"loss": 1.0}] * 4, [], {"_batch_losses": sorted_epochs(4)})
    assert not rules._rows_in_class_order(short, [])
    diverging = rules.Finding(symptom="diverging", severity="critical", first_seen={},
                              evidence={}, causes=[], remedies=[], suggested_overrides=[])
    assert not rules._rows_in_class_order(run, [diverging])
