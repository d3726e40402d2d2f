"""The doctor on round 10's real programs (benchmarks/doctor_cases/wild10.py): a pairwise
ranking model (RankNet: sigmoid(s(a) - s(b)) with one scorer s shared by both documents) is
trained on pairs whose label is always 1 - the pair's order says which document is the better
one. Every label alike is no data problem there: the model cannot output 1 without telling its
two inputs apart (facts.swapped_inputs_complement), where any other model can."""

import keras
import numpy as np

from ktrain_kit import doctor
from ktrain_kit.doctor import facts as facts_lib


def ordered_pairs(rng, n, dim=20):
    """Pairs (better, worse) of documents whose hidden score is the sum of their first five
    features; the better one is written first, so every label is 1."""
    a, b = rng.standard_normal((n, dim)), rng.standard_normal((n, dim))
    better = (a[:, :5].sum(1) > b[:, :5].sum(1))[:, None]
    first, second = np.where(better, a, b), np.where(better, b, a)
    return [first.astype("float32"), second.astype("float32")], np.ones((n, 1), "float32")


def ranknet(squash=True):
    """RankNet as airalcorn2/RankNet writes it: one scorer for both documents, the second
    score negated and added, a sigmoid on the difference (squash=False: the bare difference)."""
    h, s = keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)
    first, second = keras.Input((20,)), keras.Input((20,))
    diff = keras.layers.Subtract()([s(h(first)), s(h(second))])
    out = keras.layers.Activation("sigmoid")(diff) if squash else diff
    return keras.Model([first, second], out), keras.Model(first, s(h(first)))


def train(model, x, y, xv, yv):
    model.compile(keras.optimizers.Adam(1e-2), "binary_crossentropy")
    doc = doctor.TrainingDoctor((xv, yv), reference_data=(x, y))
    model.fit(x, y, validation_data=(xv, yv), epochs=8, batch_size=16, verbose=0,
              callbacks=[doc])
    return doc


def test_a_ranking_model_on_all_one_ordered_pairs_is_not_called_a_data_problem():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    (x, y), (xv, yv) = ordered_pairs(rng, 400), ordered_pairs(rng, 200)
    model, scorer = ranknet()
    doc = train(model, x, y, xv, yv)
    # a healthy run, checked without the doctor: the scorer orders fresh pairs by their hidden
    # score (NumPy on its scores), and the model's output for swapped pairs is 1 - p
    s1, s2 = (np.asarray(scorer.predict(v, verbose=0))[:, 0] for v in xv)
    assert np.mean(s1 > s2) > 0.9
    p = np.asarray(model.predict(xv, verbose=0))
    q = np.asarray(model.predict(xv[::-1], verbose=0))
    assert np.allclose(p + q, 1.0, atol=1e-5)
    assert doc.facts["swapped_inputs_complement"] is True
    assert not [f for f in doc.findings if f.severity != "info"], doc.findings


def test_all_one_labels_for_a_model_that_need_not_compare_its_inputs_are_still_named():
    """Two inputs concatenated into one net: a bias alone reaches the label 1, so one label
    for every example is the data problem it always was."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(1)
    (x, y), (xv, yv) = ordered_pairs(rng, 400), ordered_pairs(rng, 200)
    first, second = keras.Input((20,)), keras.Input((20,))
    joined = keras.layers.Concatenate()([first, second])
    out = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Dense(16, "relu")(joined))
    model = keras.Model([first, second], out)
    doc = train(model, x, y, xv, yv)
    p = np.asarray(model.predict(xv, verbose=0))
    q = np.asarray(model.predict(xv[::-1], verbose=0))
    assert np.max(np.abs(p + q - 1)) > 1e-2  # not a comparison: swapping is no complement
    assert doc.facts["swapped_inputs_complement"] is False
    named = [(f.symptom, f.severity) for f in doc.findings if f.severity != "info"]
    assert ("data_problem", "critical") in named


def test_the_swap_check_reads_a_bare_score_difference_and_ignores_a_constant_output():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(2)
    x, _ = ordered_pairs(rng, 32)
    bare, _ = ranknet(squash=False)  # s(a) - s(b): swapped, -(s(a) - s(b))
    assert facts_lib.swapped_inputs_complement(bare, x) is True
    first, second = keras.Input((20,)), keras.Input((20,))
    zero = keras.layers.Dense(1, kernel_initializer="zeros", activation="sigmoid")
    constant = keras.Model([first, second], zero(keras.layers.Add()([first, second])))
    # 0.5 for everything is its own complement, and says nothing about comparing
    assert facts_lib.swapped_inputs_complement(constant, x) is False
    assert facts_lib.swapped_inputs_complement(bare, x[0]) is None  # one input: no pair
