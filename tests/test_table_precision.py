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


def _encoded(values):
    """The column as the table pipeline encodes it: typed by `column_specs`' rule, its
    statistics from the same rows."""
    spec = {"name": "t", "column": 0, "type": "numeric", "missing": int(np.isnan(values).sum()),
            "dtype": "float64" if features.needs_float64(values) else "float32"}
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
    assert not features.needs_float64(np.array(values, float))
