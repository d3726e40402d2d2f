"""The doctor on a class found with round 8's programs (benchmarks/doctor_cases/wild8.py,
defect4ML bug 034: a character LSTM and its documented fix). A model that predicts the next
character of the text it reads names the frequent characters (the space, e, t) far more often
than the rare ones: its outputs divided by the characters' shares score a higher balanced
accuracy than its arg max. Round 6's rule reads that as imbalanced classes the decisions drop
(data_problem, remedy: class_weight) - true of a classifier, wrong of a language model, whose
class shares are the language's and whose outputs are sampled from. The doctor now reads that
the model's classes are the symbols it reads (facts.input_symbol_width) and leaves those
decisions alone."""

import glob
import os

import keras
import numpy as np
import sklearn

from ktrain_kit import doctor
from ktrain_kit.doctor import facts as facts_lib
from ktrain_kit.doctor import rules


def _bundled_text(limit=20000):
    """English text that ships with scikit-learn: its datasets' descriptions, lower-cased."""
    folder = os.path.join(os.path.dirname(sklearn.__file__), "datasets", "descr")
    text = " ".join(open(f, encoding="utf-8").read() for f in sorted(glob.glob(folder + "/*.rst")))
    return " ".join(text.lower().split())[:limit]


def _character_windows(length=10):
    """One-hot windows of `length` characters and the next character, shuffled."""
    text = _bundled_text()
    chars = sorted(set(text))
    ids = np.array([chars.index(c) for c in text])
    starts = np.arange(len(ids) - length)
    np.random.default_rng(0).shuffle(starts)
    eye = np.eye(len(chars), dtype="float32")
    x = eye[np.stack([ids[s:s + length] for s in starts])]
    return x, eye[ids[starts + length]], len(chars)


def _balanced_accuracy(true, predicted):
    return float(np.mean([np.mean(predicted[true == c] == c) for c in np.unique(true)]))


def test_a_next_character_model_is_not_told_to_weight_its_characters():
    x, y, k = _character_windows()
    cut = int(len(x) * 0.8)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.Flatten(),
                              keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(k, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    doc = doctor.TrainingDoctor((x[cut:cut + 256], y[cut:cut + 256]),
                                reference_data=(x[:1024], y[:1024]), interval=20)
    history = model.fit(x[:cut], y[:cut], validation_data=(x[cut:], y[cut:]), epochs=3,
                        batch_size=128, verbose=0, callbacks=[doc]).history
    # a healthy character model: well above the most frequent character's share
    true = y[cut:].argmax(1)
    assert history["val_accuracy"][-1] > np.bincount(true).max() / len(true) + 0.1
    # independent of the doctor: on the reference rows the characters are imbalanced and the
    # outputs divided by the characters' shares decide far better in balanced accuracy than
    # the arg max - the evidence round 6's rule reads
    ref_true = y[:1024].argmax(1)
    counts = np.bincount(ref_true, minlength=k)
    assert counts.max() / counts.sum() > 5 / k
    p = model.predict(x[:1024], verbose=0)
    argmax = _balanced_accuracy(ref_true, p.argmax(1))
    shares = np.maximum(counts, 1) / counts.sum()
    corrected = _balanced_accuracy(ref_true, (np.log(p + 1e-12) - np.log(shares)).argmax(1))
    assert corrected > argmax + 0.05
    assert abs(doc.facts["reference"]["model"] - argmax) < 1e-6
    assert abs(doc.facts["reference"]["model_share_corrected"] - corrected) < 1e-6
    # the model's classes are the symbols it reads
    assert doc.facts["inputs_symbol_width"] == doc.facts["num_outputs"] == k
    assert not [f for f in doc.findings if f.severity != "info"], doc.findings
    # the same record without that fact: the imbalanced-decisions warning (what it drew before)
    without = {key: v for key, v in doc.facts.items() if key != "inputs_symbol_width"}
    again = rules.diagnose(doc.epochs, doc.batch_losses, doc.probes, without)
    assert [(f.symptom, f.severity) for f in again] == [("data_problem", "warning")]
    assert "imbalanced classes" in again[0].causes[0]


def test_the_symbol_width_is_read_from_one_hot_steps_or_the_embedding():
    tabular = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, activation="softmax")])
    assert facts_lib.input_symbol_width(tabular, np.eye(8, dtype="float32")) is None
    steps = keras.Sequential([keras.Input((5, 7)), keras.layers.Flatten(),
                              keras.layers.Dense(7, activation="softmax")])
    one_hot = np.eye(7, dtype="float32")[np.random.default_rng(0).integers(0, 7, (4, 5))]
    assert facts_lib.input_symbol_width(steps, one_hot) == 7
    one_hot[:, -1] = 0  # padding steps (all zero) are still one-hot steps
    assert facts_lib.input_symbol_width(steps, one_hot) == 7
    # real-valued sequences (a sensor's channels) are no symbols
    assert facts_lib.input_symbol_width(steps, one_hot * 0.5) is None
    assert facts_lib.input_symbol_width(steps, np.ones((4, 5, 7), "float32")) is None
    tokens = keras.Sequential([keras.Input((6,), dtype="int32"), keras.layers.Embedding(50, 8),
                               keras.layers.GlobalAveragePooling1D(),
                               keras.layers.Dense(50, activation="softmax")])
    ids = np.random.default_rng(0).integers(0, 50, (4, 6))
    assert facts_lib.input_symbol_width(tokens, ids) == 50
