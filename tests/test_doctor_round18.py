"""The doctor on round 13's class (benchmarks/doctor_cases/wild13.py): validation examples
coded unlike the training ones, whose arg max is still right more often than chance - the
common words' ids agree between two tokenizers by chance - were read as overfitting. The
rule that names 'training and validation data differ' asked validation at chance; above it
the same gaps (a simple model and the model fit training; validation far below both) are also
what overfitting leaves. What tells them apart: a model that learned anything carrying over
to the validation examples scores them better as it learns - overfitting goes below a uniform
guess's loss (ln K) before climbing back - while one fed validation examples unlike its
training ones gains nothing over the run: never below ln K, and no lower at the end than after
its first epoch (rules._validation_never_informative)."""

import math

import keras
import numpy as np
from sklearn.linear_model import RidgeClassifier
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import cross_val_score

from benchmarks.doctor_cases import wild13
from ktrain_kit.callbacks import TrainingDoctor


def fit_with_doctor(built, seed):
    """The program's own fit call with the doctor attached as doctor_eval attaches it."""
    x, y, xv, yv = (built[k] for k in ("x", "y", "x_val", "y_val"))
    doc = TrainingDoctor(interval=20, probe_data=(xv[:256], yv[:256]),
                         reference_data=(x[:1024], y[:1024]))
    history = built["model"].fit(verbose=0, callbacks=[doc], **built["fit_all"]).history
    return history, doc


def token_counts(ids, width=5000):
    """Bag of words of padded id sequences (0 is padding), for a scikit-learn model."""
    counts = np.zeros((len(ids), width))
    for row, seq in zip(counts, ids):
        np.add.at(row, seq[seq > 0], 1)
    return counts


def test_validation_coded_by_its_own_tokenizer_is_named_a_data_problem_not_overfitting():
    keras.utils.set_random_seed(0)
    built = wild13.tthustla1_tokenizer_per_split(0, fixed=False)
    history, doc = fit_with_doctor(built, 0)
    x, y, xv, yv = (built[k] for k in ("x", "y", "x_val", "y_val"))
    # the signal exists on the training distribution: a ridge classifier on token counts,
    # scored out of sample on the training rows (5-fold), far above chance
    ridge = cross_val_score(RidgeClassifier(), token_counts(x[:1024]), y[:1024], cv=5).mean()
    assert ridge > 0.8, ridge
    # the model fits its training rows; on validation it is above chance (so the at-chance
    # reading cannot apply) yet far below both
    p_train = built["model"].predict(x[:1024], verbose=0).ravel()
    p_val = built["model"].predict(xv, verbose=0).ravel()
    train_acc = accuracy_score(y[:1024], p_train > 0.5)
    val_acc = accuracy_score(yv, p_val > 0.5)
    assert train_acc > 0.95 and 0.56 < val_acc < ridge - 0.1, (train_acc, val_acc, ridge)
    # the validation loss never beat a uniform guess's (ln 2): the last one recomputed with
    # scikit-learn, each epoch's as Keras logged it
    assert math.isclose(log_loss(yv, np.clip(p_val, 1e-7, 1 - 1e-7)), history["val_loss"][-1],
                        rel_tol=1e-3)
    assert min(history["val_loss"]) >= math.log(2), history["val_loss"]
    assert history["val_loss"][-1] >= history["val_loss"][0], history["val_loss"]
    found = [f for f in doc.findings if f.symptom == "data_problem"]
    assert found and found[0].severity == "critical", doc.findings
    assert found[0].evidence["validation_never_informative"]
    assert "training and validation data differ" in found[0].causes[0]
    assert not [f for f in doc.findings if f.symptom == "overfitting" and
                f.severity != "info"], doc.findings


def test_the_same_model_overfitting_few_weakly_worded_rows_is_still_overfitting():
    """Overfitting, above chance on validation: 300 training tweets of one word index whose
    class words are 5% of their words, 30 epochs. Its validation loss beat ln 2 before
    climbing back, so it is overfitting, not validation unlike training."""
    keras.utils.set_random_seed(0)
    docs, y = wild13._documents(0, 300, 2, 45, min_len=10, share=0.05)
    docs_v, yv = wild13._documents(1000, 600, 2, 45, min_len=10, share=0.05)
    vocab = wild13._fit_vocab(docs, 5000)
    x, xv = wild13._to_ids(docs, vocab, 45), wild13._to_ids(docs_v, vocab, 45)
    y, yv = y.astype("float32"), yv.astype("float32")
    model = wild13._tweet_cnn()
    built = dict(model=model, x=x, y=y, x_val=xv, y_val=yv, fit_all=dict(
        x=x, y=y, validation_data=(xv, yv), epochs=30, batch_size=32))
    history, doc = fit_with_doctor(built, 0)
    losses = np.array(history["val_loss"])
    # read with NumPy: below ln 2 at its best, then up by over a tenth; training fit
    assert losses.min() < math.log(2) and losses[-1] > 1.1 * losses.min(), losses
    p_val = model.predict(xv, verbose=0).ravel()
    assert accuracy_score(y, model.predict(x, verbose=0).ravel() > 0.5) > 0.95
    assert 0.6 < accuracy_score(yv, p_val > 0.5) < 0.9
    symptoms = {f.symptom for f in doc.findings if f.severity != "info"}
    assert "overfitting" in symptoms and "data_problem" not in symptoms, doc.findings
