"""Round 13 of the data kinds (benchmarks/DOCTOR.md): a class the doctor missed or misnamed.

A small class a bag-of-words model memorizes: recalled on its training rows, dropped on
  unseen ones. The reference rows (training rows, as the launcher passes them) cannot show it;
  the held-out rows handed to the doctor (`validation_data`) do. Checked with scikit-learn's
  per-class recall; the twin with the classes apart stays quiet.

Plain Keras with our TrainingDoctor.
"""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from conftest import relu_logits_classifier  # noqa: E402
from ktrain_kit.callbacks import TrainingDoctor  # noqa: E402


def _serious(doctor):
    return [(f.symptom, f.severity) for f in doctor.findings if f.severity != "info"]


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
    model = relu_logits_classifier(420, 64, 2, 3e-3)
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
