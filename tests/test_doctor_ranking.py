"""Round 19: on imbalanced labels, arg max decisions at chance are not labels unrelated to the
inputs while the scores rank the classes (task.ranking, task.simple_ranking).

A 95/5 table of weak signal, a user's plain Keras fit with a probe of 128 validation rows (6
of the rare class): the arg max of the simple models and of the model sit within the chance
margin of so few rare rows, while their scores order the classes clearly better than chance -
it was told 'labels do not match the inputs' (critical). Its twin with shuffled training
labels still is. AUC and its error are checked against scikit-learn and the Mann-Whitney null
distribution.
"""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from ktrain_kit.callbacks import TrainingDoctor  # noqa: E402
from ktrain_kit.doctor import task as task_lib  # noqa: E402

BINARY = task_lib.TaskView(kind="binary", loss=task_lib.BINARY_CROSSENTROPY, from_logits=False,
                           outputs=1, activation="sigmoid", labels="binary01")
CLASSES = task_lib.TaskView(kind="classification", loss=task_lib.CROSSENTROPY,
                            from_logits=True, outputs=3, activation="linear", labels="ids")


def test_ranking_matches_scikit_learn_with_ties_and_logits():
    from sklearn.metrics import roc_auc_score
    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.1).astype(int)
    scores = np.round(rng.normal(y * 0.8, 1.0), 1)[:, None]  # rounded: many ties
    auc, _ = task_lib.ranking(BINARY, y, scores)
    assert auc == pytest.approx(roc_auc_score(y, scores[:, 0]), abs=1e-12)
    labels = rng.integers(0, 3, 400)
    logits = rng.normal(size=(400, 3)) + 1.5 * np.eye(3)[labels]
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    auc, _ = task_lib.ranking(CLASSES, labels, logits)
    assert auc == pytest.approx(roc_auc_score(labels, probabilities, multi_class="ovr",
                                              average="macro"), abs=1e-12)


def test_ranking_error_at_chance_is_the_mann_whitney_null_deviation():
    """At AUC 0.5 the Hanley-McNeil error equals the exact null deviation of U / (n1 n0):
    sqrt((n1 + n0 + 1) / (12 n1 n0))."""
    y = np.array([1, 0, 0, 0, 0, 0, 0, 1])
    scores = np.array([0, 1, 2, 3, 3, 1, 2, 4], float)[:, None]
    auc, error = task_lib.ranking(BINARY, y, scores)
    n1, n0 = 2, 6
    assert auc == pytest.approx(0.5)
    assert error == pytest.approx(np.sqrt((n1 + n0 + 1) / (12 * n1 * n0)))


def _imbalanced(shuffled):
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split
    x, y = make_classification(n_samples=6000, n_features=20, n_informative=5, weights=[0.95],
                               flip_y=0.02, class_sep=0.6, random_state=3)
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    mean, std = x.mean(axis=0), x.std(axis=0)
    x, xv = ((x - mean) / std).astype("float32"), ((xv - mean) / std).astype("float32")
    if shuffled:
        y = np.random.default_rng(0).permutation(y)
    return (x, y), (xv, yv)


def _fit(shuffled):
    keras.utils.set_random_seed(0)
    (x, y), (xv, yv) = _imbalanced(shuffled)
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(1e-3), "binary_crossentropy")
    doctor = TrainingDoctor(probe_data=(xv[:128], yv[:128]), reference_data=(x[:1024], y[:1024]))
    model.fit(x, y, validation_data=(xv, yv), epochs=20, batch_size=64, verbose=0,
              callbacks=[doctor])
    return doctor, model, (xv, yv)


def _critical_data_problem(doctor):
    return any(f.symptom == "data_problem" and f.severity == "critical" for f in doctor.findings)


def test_imbalanced_weak_signal_is_not_called_unrelated_labels():
    from sklearn.metrics import roc_auc_score
    doctor, model, (xv, yv) = _fit(shuffled=False)
    # scikit-learn on all 1,500 validation rows: the model ranks the rare class
    assert roc_auc_score(yv, model.predict(xv, verbose=0)[:, 0]) > 0.7
    assert not _critical_data_problem(doctor), [(f.symptom, f.causes[0]) for f in
                                                doctor.findings]


def test_imbalanced_shuffled_labels_are_still_named():
    from sklearn.metrics import roc_auc_score
    doctor, model, (xv, yv) = _fit(shuffled=True)
    assert roc_auc_score(yv, model.predict(xv, verbose=0)[:, 0]) < 0.6
    assert _critical_data_problem(doctor), [(f.symptom, f.severity) for f in doctor.findings]
