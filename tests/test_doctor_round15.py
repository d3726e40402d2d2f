"""Round 13 of the data kinds (benchmarks/DOCTOR.md): two classes the doctor missed or misnamed.

- A short run (30 updates) whose training loss still falls steadily, far from fitted, below
  nearest neighbours: it was told 'a wider or deeper model' (the capacity test reads a model
  that has not yet fit its training rows as too small). Now 'train longer', with the epochs
  its own pace needs - checked by training that long: validation balanced accuracy (scikit-
  learn) rises clearly.
- A small class a bag-of-words model memorizes: recalled on its training rows, dropped on
  unseen ones. The reference rows (training rows, as the launcher passes them) cannot show it;
  the held-out rows handed to the doctor (`validation_data`) do. Checked with scikit-learn's
  per-class recall; the twin with the classes apart stays quiet.

Plain Keras with our TrainingDoctor.
"""

import re

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from ktrain_kit.callbacks import TrainingDoctor  # noqa: E402


def _serious(doctor):
    return [(f.symptom, f.severity) for f in doctor.findings if f.severity != "info"]


# ----------------------------------------------------------------------------- (a) short run
def _spectra(rng, n):
    """The sonar-shaped table of benchmarks/doctor_cases/wild10.py (d4ml095): smooth spectra
    of 60 bands whose peak and width differ by class, clipped to 0..1."""
    label = (rng.random(n) < 0.47).astype("float32")
    bands = np.arange(60)[None, :]
    peak = np.where(label[:, None] > 0, 22.0, 30.0) + rng.normal(0, 6, (n, 1))
    width = np.where(label[:, None] > 0, 9.0, 6.0) + rng.normal(0, 1.5, (n, 1))
    level = rng.uniform(0.2, 0.8, (n, 1))
    x = level * np.exp(-((bands - peak) ** 2) / (2 * width ** 2)) + rng.normal(0, 0.05, (n, 60))
    return np.clip(x + 0.02, 0, 1).astype("float32"), label


def _sonar(seed):
    """The program's 208 rows split 80/20, and 4,000 fresh rows of the same kind: the score
    of a model on unseen rows, with a standard error under 0.01 (the program's 42 validation
    rows have 0.07)."""
    from sklearn.model_selection import train_test_split
    x, y = _spectra(np.random.default_rng(seed), 208)
    return (*train_test_split(x, y, test_size=0.2, random_state=42),
            _spectra(np.random.default_rng(seed + 1000), 4000))


def _sonar_run(epochs, doctor=None, seed=2):
    """The program's own model: Dense(12, relu), a sigmoid, Adam's defaults, batch 64;
    balanced accuracy (scikit-learn) on the fresh rows."""
    from sklearn.metrics import balanced_accuracy_score
    x, xv, y, yv, (xt, yt) = _sonar(seed)
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((60,))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(
        keras.layers.Dense(12, activation="relu")(inputs)))
    if doctor:  # as the program runs: validation scored at each epoch end
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        model.fit(x, y[:, None], validation_data=(xv, yv[:, None]), epochs=epochs,
                  batch_size=64, verbose=0, callbacks=[doctor])
    else:  # the same updates, nothing scored between them
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y[:, None], epochs=epochs, batch_size=64, verbose=0)
    predicted = (model.predict(xt, verbose=0, batch_size=1024)[:, 0] > 0.5).astype(int)
    return balanced_accuracy_score(yt, predicted)


def test_short_run_still_falling_is_told_to_train_longer_and_longer_training_helps():
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.neighbors import KNeighborsClassifier
    x, xv, y, yv, (xt, yt) = _sonar(2)
    doctor = TrainingDoctor(probe_data=(xv, yv[:, None]), reference_data=(x, y[:, None]))
    short = _sonar_run(10, doctor)  # 30 updates, as the program trains
    found = [f for f in doctor.findings if f.symptom == "underfitting"]
    assert found and found[0].severity == "warning", doctor.findings
    assert found[0].remedies[0].startswith("train longer"), found[0].remedies
    assert "wider or deeper" not in " ".join(found[0].remedies)
    assert found[0].evidence["loss_falling_steadily"] is True
    assert 20 <= int(re.search(r"about (\d+)", found[0].remedies[0]).group(1)) <= 300
    # the advice, checked on 4,000 unseen rows: the same Dense(12) trained 300 epochs reaches
    # nearest neighbours; its 10 epochs were clearly below them - not a model too small
    neighbours = balanced_accuracy_score(yt, KNeighborsClassifier().fit(x, y).predict(xt))
    longer = _sonar_run(300)
    assert short < neighbours - 0.04, (short, neighbours)
    assert longer > short + 0.04 and longer > neighbours - 0.02, (short, longer, neighbours)


# ----------------------------------------------------------------------------- (b) small class
def _bag_of_words(rare_share, overlap, docs=3000, seed=1):
    """benchmarks/doctor_data_kinds._text_imbalanced as word counts: 30 filler words of 400
    per document; overlapping, each of 2 draws is one of 20 rare keywords with probability
    0.6 in a rare document and 0.1 in a common one; apart, every rare document has 3 of them
    and no common one any. Split 80/20."""
    rng = np.random.default_rng(seed)
    labels = (rng.random(docs) < rare_share).astype(int)
    x = np.zeros((docs, 420), "float32")
    for i, label in enumerate(labels):
        np.add.at(x[i], rng.integers(0, 400, 30), 1.0)
        if overlap:
            for _ in range(2):
                if rng.random() < (0.6 if label else 0.1):
                    x[i, 400 + rng.integers(20)] += 1.0
        elif label:
            np.add.at(x[i], 400 + rng.integers(0, 20, 3), 1.0)
    cut = int(0.8 * docs)
    return (x[:cut], labels[:cut]), (x[cut:], labels[cut:])


def _bag_run(overlap, give_validation=True):
    from sklearn.metrics import recall_score
    (x, y), (xv, yv) = _bag_of_words(0.05, overlap)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((420,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    doctor = TrainingDoctor(probe_data=(x[:64], y[:64]), reference_data=(x[:1024], y[:1024]),
                            validation_data=(xv, yv) if give_validation else None, interval=50)
    model.fit(x, y, validation_data=(xv, yv), epochs=10, batch_size=64, verbose=0,
              callbacks=[doctor])  # no class_weight
    recall = {name: recall_score(t, np.asarray(model.predict(r, verbose=0)).argmax(axis=1),
                                 average=None, labels=[0, 1])
              for name, (r, t) in (("train", (x[:1024], y[:1024])), ("val", (xv, yv)))}
    return doctor, recall, yv.mean()


def test_small_class_memorized_on_training_rows_and_dropped_on_unseen_ones_is_named():
    doctor, recall, share = _bag_run(overlap=True)
    # independent: scikit-learn's per-class recall - the rare class recalled on its training
    # rows, on fewer of its unseen rows than its share
    assert recall["train"][1] >= 0.9 and recall["val"][1] < share, (recall, share)
    found = [f for f in doctor.findings if f.symptom == "data_problem"]
    assert found and found[0].severity == "warning", doctor.findings
    assert found[0].evidence["class"] == 1
    assert found[0].evidence["validation_recall"] == pytest.approx(recall["val"][1], abs=1e-6)
    assert found[0].evidence["training_recall"] == pytest.approx(recall["train"][1], abs=1e-6)


def test_without_held_out_rows_the_memorized_class_is_not_seen():
    """What the fix adds: the same run, the doctor given training rows only, names no data
    problem (the reference rows show every class recalled)."""
    doctor, _, _ = _bag_run(overlap=True, give_validation=False)
    assert not [f for f in doctor.findings if f.symptom == "data_problem"]


def test_small_class_learned_stays_quiet():
    doctor, recall, share = _bag_run(overlap=False)
    assert recall["val"][1] > 0.5, recall
    assert not _serious(doctor), doctor.findings
