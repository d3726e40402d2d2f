"""A numeric column keeps its signal whatever its offset: epoch-millisecond timestamps (1.7e12,
spread over ten minutes) lost it in float32, whose step there is 131,072 (600 values became 5,
and a label they decided read 0.5). Such a column is centred in float64 before float32.

The oracle is NumPy's float64 standardization of the written numbers: whatever the offset, the
encoded column is within 2**-10 of it (float32's own rounding of the standardized values aside,
the offset may take at most half of float32's 24 bits)."""

import csv
import os

import numpy as np
import pytest
from conftest import load_config
from hypothesis import given, settings
from hypothesis import strategies as st

from ktrain_kit.data import features
from ktrain_kit.tasks import float32_rounds_away


def _encoded(values):
    """The column as the table pipeline encodes it: typed by `column_specs`' rule, its
    statistics from the same rows."""
    spec = {"name": "t", "column": 0, "type": "numeric", "missing": int(np.isnan(values).sum()),
            "dtype": "float64" if float32_rounds_away(values) else "float32"}
    raw = {"t": values.astype(spec["dtype"])}
    prep = features.TablePreprocessing([spec], raw)
    return prep.encode(raw).numpy()[:, 0], spec


@settings(max_examples=25, deadline=None)
@given(offset=st.sampled_from([0.0, 37.5, 2e3, -4e6, 1.7e9, 1.7e12, -3e15]),
       spread=st.sampled_from([1e-3, 0.5, 40.0, 6e5]),
       seed=st.integers(0, 2**16), gaps=st.booleans())
def test_the_standardized_column_matches_float64_whatever_its_offset(offset, spread, seed, gaps):
    rng = np.random.default_rng(seed)
    values = offset + spread * rng.normal(size=60)
    if gaps:
        values[rng.choice(60, 6, replace=False)] = np.nan
    encoded, spec = _encoded(values)
    present = values[~np.isnan(values)]
    filled = np.where(np.isnan(values), present.mean(), values)  # a gap takes the mean
    expected = (filled - filled.mean()) / filled.std()
    np.testing.assert_allclose(encoded, expected, rtol=0, atol=2**-10,
                               err_msg=f"dtype {spec['dtype']}")


def test_timestamps_in_milliseconds_are_learned_and_served_in_float64(tmp_path):
    """The helper's case, trained and served: the label is whether the event came in the
    last five of ten minutes. scikit-learn's scaled logistic regression reads 1.0."""
    import tensorflow as tf

    from ktrain_kit import restore
    from ktrain_kit.training import train
    rng = np.random.default_rng(8)
    offsets = rng.integers(0, 600_000, 300)
    path = tmp_path / "events.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["event_ms", "z", "label"])
        for o in offsets:
            writer.writerow([1_700_000_000_000 + int(o), f"{rng.normal():.3f}",
                             "late" if o > 300_000 else "early"])
    assert np.unique((1_700_000_000_000 + offsets).astype(np.float32)).size < 10  # the trap
    workdir = str(tmp_path / "run")
    config = load_config("tabular_binary", task__name="classification", data__name="csv",
                         data__path=str(path), data__label_column="label", train__epochs=12,
                         train__verbose=0, train__precision="float32",
                         callbacks__doctor__enabled=False, callbacks__early_stopping__enabled=False)
    summary = train(config, workdir)
    assert summary["best_val_accuracy"] >= 0.9  # float32 gave 0.5: the column was lost
    _, data, model = restore.load_run(workdir)
    serve = tf.saved_model.load(os.path.join(workdir, "export", "1")).signatures[
        "serving_default"]
    spec = serve.structured_input_signature[1]
    assert spec["event_ms"].dtype == tf.float64 and spec["z"].dtype == tf.float32
    rows = list(csv.DictReader(open(path)))
    wanted = [int(i) for i in data.preprocessing.rows["val"]]
    served = serve(event_ms=tf.constant([float(rows[i]["event_ms"]) for i in wanted],
                                        tf.float64),
                   z=tf.constant([float(rows[i]["z"]) for i in wanted], tf.float32))
    np.testing.assert_allclose(served["probabilities"].numpy(),
                               tf.nn.softmax(model(data.x_val)).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("values", [[1990, 2001, 2015, 2020], [40.71, 40.73, 40.75],
                                    [1.7e9, 1.7e9 + 3e6, 1.7e9 + 9e6]])
def test_columns_float32_holds_keep_their_float32_input(values):
    """Years, a latitude, timestamps in seconds over months: float32 keeps their differences,
    and servers keep sending float32."""
    assert not float32_rounds_away(np.array(values, float))


def test_one_placeholder_among_timestamps_does_not_keep_them_in_float32():
    """A single `0` (a missing date written as 1970) among epoch milliseconds made the
    standard deviation 5e10 and the column stayed float32, where its 1,200 timestamps were 5
    values. The spread is read so one outlier cannot move it: the timestamps stay in order,
    and the minutes that decide a label apart (normalized by that standard deviation they
    lie within 1e-5 of each other: learned slowly, a limit of mean/variance scaling)."""
    rng = np.random.default_rng(3)
    stamps = 1_700_000_000_000.0 + rng.integers(0, 600_000, 1200)
    values = np.concatenate([stamps, [0.0]])
    assert float32_rounds_away(values)
    encoded, spec = _encoded(values)
    late = stamps > 1_700_000_300_000  # what a label of "the last five minutes" reads
    assert encoded[:-1][~late].max() < encoded[:-1][late].min()  # still told apart
    order = np.argsort(stamps, kind="stable")
    assert np.all(np.diff(encoded[:-1][order]) >= 0)  # and never reordered


@pytest.mark.parametrize("offset, refused", [(1e12, True), (-3e11, True), (1e3, False)])
def test_a_regression_target_float32_rounds_away_is_refused_naming_it(tmp_path, offset,
                                                                       refused):
    """1e12 + 1000 x as the target: the run printed an RMSE of 0.0000 (the float32 targets
    and predictions rounded alike) while its export was worse than the mean. Refused in one
    line naming the column and the fix; a target near zero for its spread trains."""
    from conftest import data_config, task
    from ktrain_kit.data import sources
    from ktrain_kit.errors import UserError
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    path = tmp_path / "t.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["x", "price"])
        writer.writerows([[f"{v:.4f}", f"{offset + 1000 * v:.3f}"] for v in x])
    dc = data_config("csv", str(path), label_column="price")
    if refused:
        with pytest.raises(UserError, match=r"target .price..*subtract a base value") as e:
            sources.load(dc, task("regression"), 0)
        assert "\n" not in str(e.value)
    else:
        assert sources.load(dc, task("regression"), 0).train_size > 0
