"""Models of several inputs or outputs get the doctor's simple-model comparison too: several
inputs side by side (callback.one_matrix), as a one-input model of the same columns gets it;
several outputs each compared on its own labels and curves (callback.output_references,
rules._per_output). Before, a two-input model whose labels were shuffled was 'healthy', and so
was a dict model one of whose heads had its labels shuffled - no simple model was scored for a
list or dict of inputs or outputs (a helper's findings). The truth is read with scikit-learn
on the same columns, independently of the doctor.
"""

import keras
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from ktrain_kit.callbacks import TrainingDoctor
from ktrain_kit.doctor.callback import one_matrix


def two_inputs(shuffled, as_dict):
    rng = np.random.default_rng(13)
    a, b = (rng.normal(size=(1200, 6)).astype("float32") for _ in range(2))
    y = ((a[:, 0] + b[:, 0]) > 0).astype("int32")
    if shuffled:
        y = rng.permutation(y)
    pack = (lambda s: {"a": a[s], "b": b[s]}) if as_dict else (lambda s: [a[s], b[s]])
    return pack, np.concatenate([a, b], axis=1), y


def fit_with_doctor(pack, y):
    keras.utils.set_random_seed(0)
    ia, ib = keras.Input((6,), name="a"), keras.Input((6,), name="b")
    hidden = keras.layers.Dense(32, activation="relu")(keras.layers.Concatenate()([ia, ib]))
    model = keras.Model({"a": ia, "b": ib} if isinstance(pack(slice(0, 1)), dict) else
                        [ia, ib], keras.layers.Dense(2, activation="softmax")(hidden))
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    train, val = slice(0, 1000), slice(1000, 1200)
    doctor = TrainingDoctor(probe_data=(pack(slice(1000, 1128)), y[1000:1128]),
                            reference_data=(pack(train), y[train]),
                            validation_data=(pack(val), y[val]), interval=20)
    model.fit(pack(train), y[train], validation_data=(pack(val), y[val]), epochs=15,
              batch_size=32, verbose=0, callbacks=[doctor])
    return doctor


@pytest.mark.parametrize("shuffled, as_dict", [(True, False), (False, True)])
def test_two_inputs_are_compared_with_a_simple_model_of_their_columns(shuffled, as_dict):
    pack, columns, y = two_inputs(shuffled, as_dict)
    learnable = cross_val_score(LogisticRegression(), columns[:1000], y[:1000], cv=5).mean()
    assert (learnable < 0.6) if shuffled else (learnable > 0.9)  # the truth, independently
    doctor = fit_with_doctor(pack, y)
    assert not doctor.internal_errors, doctor.internal_errors
    assert doctor.reference and doctor.reference["n"] == 1000  # the simple models scored
    problems = [f for f in doctor.findings if f.severity in ("warning", "critical")]
    if shuffled:
        assert problems and problems[0].symptom == "data_problem" and \
            problems[0].severity == "critical", doctor.report()
    else:
        assert not problems, doctor.report()


def test_inputs_side_by_side_only_where_their_columns_mean_something_together():
    floats, ids = np.ones((4, 2, 3), "float32"), np.ones((4, 5), "int32")
    assert one_matrix({"b": floats, "a": floats[:, 0]}).shape == (4, 9)
    assert one_matrix([ids, floats]) is None  # token ids beside numbers: kept apart
    assert one_matrix([floats, floats[:3]]) is None  # rows that do not line up
    assert one_matrix(floats) is floats


def two_heads(shuffled):
    rng = np.random.default_rng(12)
    x = rng.normal(size=(1200, 10)).astype("float32")
    kind = (x[:, 0] + x[:, 1] > 0).astype("int32")
    if shuffled:
        kind = rng.permutation(kind)
    return x, {"kind": kind, "size": x[:, 2:3].copy()}


@pytest.mark.parametrize("shuffled", [True, False])
def test_each_head_of_a_dict_model_is_compared_on_its_own_labels(shuffled):
    x, y = two_heads(shuffled)
    learnable = cross_val_score(LogisticRegression(), x[:1000], y["kind"][:1000], cv=5).mean()
    assert (learnable < 0.6) if shuffled else (learnable > 0.9)  # the truth, independently
    keras.utils.set_random_seed(0)
    inputs = keras.Input((10,), name="x")
    hidden = keras.layers.Dense(32, activation="relu")(inputs)
    model = keras.Model(inputs, {
        "kind": keras.layers.Dense(2, activation="softmax", name="kind")(hidden),
        "size": keras.layers.Dense(1, name="size")(hidden)})
    model.compile(keras.optimizers.Adam(3e-3),
                  loss={"kind": "sparse_categorical_crossentropy", "size": "mse"},
                  metrics={"kind": ["accuracy"], "size": ["mae"]})
    rows = lambda s: {k: v[s] for k, v in y.items()}  # noqa: E731
    doctor = TrainingDoctor(probe_data=(x[1000:1128], rows(slice(1000, 1128))),
                            reference_data=(x[:1000], rows(slice(0, 1000))), interval=20)
    model.fit(x[:1000], rows(slice(0, 1000)), validation_data=(x[1000:], rows(slice(1000, None))),
              epochs=15, batch_size=32, verbose=0, callbacks=[doctor])
    assert not doctor.internal_errors, doctor.internal_errors
    problems = [f for f in doctor.findings if f.severity in ("warning", "critical")]
    if shuffled:
        assert problems and problems[0].symptom == "data_problem" and \
            problems[0].severity == "critical" and \
            problems[0].evidence.get("output") == "kind", doctor.report()
    else:
        assert not problems, doctor.report()
