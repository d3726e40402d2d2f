"""How a CSV's label and feature columns are read, on public tables as users export them.

Two classes of misreading found on real files (scikit-learn's and vega_datasets' tables):
- a column of numbers named as classes was read as output indices: R's 1..3 iris classes gave a
  4-way output with a class never seen, vega cars' Cylinders (3, 4, 5, 6, 8) a 9-way output,
  -1/1 labels were refused as negative; while a regression target asked for as classes (vega
  barley's yield, 114 values over 120 rows, refused only as "not whole numbers"; a whole-number
  one trained a classifier of one-example classes);
- a column of text with a different value on every row (airports' `iata`, a person's name, a
  generated id) was one-hot encoded, its 64 "most frequent" values chosen among ties.
The oracle is the csv module, Python's float and collections.Counter, not ktrain_kit.
"""

import collections
import csv
import io
import json
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import data_config, load_config, task


def _csv(path, label="label", task_name="classification", **overrides):
    from ktrain_kit.data import sources
    return sources._csv(data_config("csv", path, label_column=label, **overrides),
                        task(task_name), None)


def _labels(raw, task_name="classification"):
    from ktrain_kit import tasks
    return tasks.prepare_labels(task_name, raw.y, "t.csv", raw.label_info)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(values=st.lists(st.integers(-20, 40), min_size=2, max_size=8, unique=True),
       counts=st.lists(st.integers(2, 4), min_size=8, max_size=8), data=st.data())
def test_numbered_classes_are_their_distinct_values_in_numeric_order(tmp_path_factory, values,
                                                                       counts, data):
    """Each distinct number is one class, ordered by value; each row's id is its value's place
    among them (Python's float of the cell read by the csv module is the oracle). Written
    with leading zeros somewhere (`007`), the labels are codes, as in a feature: one class
    per value as written, `7.0` being `7` (the oracle: the cells' text, less a point and
    zeros)."""
    cells = [v for v, n in zip(values, counts) for _ in range(n)]
    way = {v: data.draw(st.sampled_from([str(v), f"{v}.0", f"{v:03d}" if v >= 0 else str(v)]))
           for v in values}  # each class written one way (two ways: test_table_fuzz's)
    spelled = [way[v] for v in cells]
    path = tmp_path_factory.mktemp("n") / "t.csv"
    path.write_text("x,label\n" + "".join(f"{i % 7}.5,{s}\n" for i, s in enumerate(spelled)))
    cells = [r["label"] for r in csv.DictReader(io.StringIO(path.read_text()))]
    codes = any(re.fullmatch(r"-?0\d+", c) for c in cells)
    read = [re.sub(r"\.0$", "", c) for c in cells] if codes else [float(c) for c in cells]
    classes = sorted(set(read), key=lambda c: (float(c), c))
    labels = _labels(_csv(path))
    assert labels.num_outputs == len(classes)
    assert [n if codes else float(n) for n in labels.info["class_names"]] == classes
    np.testing.assert_array_equal(labels.y, [classes.index(v) for v in read])


def test_class_ids_0_to_k_keep_their_ids(tmp_path):
    """0..11 as names sort by value ('2' before '10'): each id stays its own output."""
    path = tmp_path / "t.csv"
    ids = [i % 12 for i in range(48)]
    path.write_text("x,label\n" + "".join(f"{i % 7}.5,{k}\n" for i, k in enumerate(ids)))
    labels = _labels(_csv(path))
    assert labels.info["class_names"] == [str(k) for k in range(12)]
    np.testing.assert_array_equal(labels.y, ids)


def test_a_run_saved_with_id_classes_still_reads_its_labels(tmp_path):
    """A run trained before named its numbered classes '0'..'K-1' (one per integer up to the
    largest): with that mapping known, each label keeps the output it had."""
    from ktrain_kit import tasks
    path = tmp_path / "t.csv"
    path.write_text("x,label\n" + "".join(f"{i % 7}.5,{(1, 2, 3)[i % 3]}\n" for i in range(12)))
    raw = _csv(path)
    labels = tasks.prepare_labels("classification", raw.y, "t.csv",
                                  {"class_names": ["0", "1", "2", "3"]})
    assert labels.num_outputs == 4
    np.testing.assert_array_equal(labels.y, [(1, 2, 3)[i % 3] for i in range(12)])


def _sklearn_frame(loader):
    bunch = loader(as_frame=True)
    return bunch.frame


def test_real_tables_numbered_classes_give_one_output_per_class(tmp_path):
    """scikit-learn's iris with R's 1-based classes, vega cars' Cylinders: as many outputs as
    distinct values (pandas' nunique), not the largest value plus one."""
    from sklearn.datasets import load_iris
    frame = _sklearn_frame(load_iris)
    frame["target"] = frame["target"] + 1
    path = tmp_path / "iris.csv"
    frame.to_csv(path, index=False)
    labels = _labels(_csv(path, "target"))
    assert labels.num_outputs == frame["target"].nunique() == 3
    assert labels.info["class_names"] == ["1", "2", "3"]
    cylinders = tmp_path / "cars.csv"
    counts = {3: 4, 4: 204, 5: 3, 6: 84, 8: 108}  # vega cars' Cylinders
    cylinders.write_text("weight,cyl\n" + "".join(
        f"{2000 + 10 * k + i},{k}\n" for k, n in counts.items() for i in range(n)))
    labels = _labels(_csv(cylinders, "cyl"))
    assert labels.info["class_names"] == ["3", "4", "5", "6", "8"]
    assert np.bincount(labels.y).tolist() == list(counts.values())
    minus = tmp_path / "pm.csv"
    minus.write_text("x,y\n" + "".join(f"{i % 7}.5,{(-1, 1)[i % 2]}\n" for i in range(10)))
    assert _labels(_csv(minus, "y")).info["class_names"] == ["-1", "1"]


def test_a_quantity_asked_for_as_classes_is_refused_and_names_are_not(tmp_path):
    """Numbers mostly on a single row (Counter): a quantity, regression is named as the fix.
    Text names held by a single row each on most rows are free text or ids, not classes (a
    review's text given as the label trained 180 one-row classes to a validation accuracy of
    0): refused, the label column named as the fix; a few names seen once among classes that
    recur are classes."""
    from ktrain_kit.errors import UserError
    rng = np.random.default_rng(0)
    yields = np.round(rng.normal(34, 10, 120), 3)
    path = tmp_path / "barley.csv"
    path.write_text("site,name,yield\n" + "".join(
        f"{('Morris', 'Waseca')[i % 2]},plot {i},{y}\n" for i, y in enumerate(yields)))
    counts = collections.Counter(float(r["yield"]) for r in csv.DictReader(open(path)))
    once = sum(n == 1 for n in counts.values())
    assert 2 * once > len(counts)  # the oracle's view: mostly single-row values
    with pytest.raises(UserError, match=f"column 'yield' holds {len(counts)} distinct numbers, "
                       f"{once} of them on a single row.*task.name=regression"):
        _csv(path, "yield")
    assert _labels(_csv(path, "yield", "regression"), "regression").num_outputs == 1
    names = collections.Counter(r["name"] for r in csv.DictReader(open(path)))
    assert all(n == 1 for n in names.values())  # the oracle: every name on a single row
    with pytest.raises(UserError, match="column 'name' holds 120 distinct texts on 120 rows, "
                       "120 of them on a single row.*data.label_column"):
        _csv(path, "name")
    path.write_text("site,name,yield\n" + "".join(  # 3 names seen once among 2 that recur
        f"{s},{n},1\n" for s, n in [("a", "x"), ("b", "x"), ("c", "y"), ("d", "y"),
                                     ("e", "y"), ("f", "p"), ("g", "q"), ("h", "r")]))
    assert _labels(_csv(path, "name")).num_outputs == 5


TEXT = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(cells=st.lists(TEXT, min_size=3, max_size=30), data=st.data())
def test_a_text_column_with_no_value_twice_is_left_out(tmp_path_factory, cells, data):
    """Left out exactly when every cell is present and distinct and not all are numbers
    (Counter and float() as the oracle); typed in data.features, it is kept."""
    from ktrain_kit.data.table import is_missing, is_number
    path = tmp_path_factory.mktemp("i") / "t.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["code", "size", "label"])
        for i, c in enumerate(cells):
            writer.writerow([c, f"{i % 5}.5", ("a", "b")[i % 2]])
    rows = list(csv.DictReader(open(path, newline="")))
    codes = [r["code"].strip() for r in rows]
    texts = [c for c in codes if not is_number(c)]  # a few texts among 20+ numbers: strays
    strays = len(codes) - len(texts) >= 20 and len(texts) <= 0.05 * len(codes)
    if all(re.fullmatch(r"\d+", c) for c in codes if is_number(c)):  # c168, 136A: codes
        strays = strays and not all(re.fullmatch(r"[A-Za-z]+\d+|\d+[A-Za-z]+", c)
                                    for c in texts)
    expected = (len(set(codes)) == len(codes) and not any(is_missing(c) for c in codes)
                and not all(is_number(c) for c in codes) and not strays)
    raw = _csv(path)
    names = [raw.table["table"].names[j] for j in raw.table["features"]]
    assert ("code" not in names) == expected
    assert any("'code' not used: a different text on every row" in n for n in raw.notes) == \
        expected
    typed = _csv(path, features={"code": "categorical"})
    assert "code" in [typed.table["table"].names[j] for j in typed.table["features"]]


def test_a_real_id_column_is_left_out_and_its_other_columns_kept(tmp_path):
    """palmerpenguins with a shuffled id per bird (P0155, ...): the id is left out, said once;
    island and sex (repeating text) stay categories."""
    import palmerpenguins
    import pandas as pd
    frame = pd.read_csv(palmerpenguins.__file__.replace("__init__.py", "data/penguins.csv"))
    frame.insert(0, "penguin_id", [f"P{i:04d}" for i in np.random.default_rng(0).permutation(
        len(frame))])
    path = tmp_path / "penguins.csv"
    frame.to_csv(path, index=False)
    raw = _csv(path, "species")
    kept = [raw.table["table"].names[j] for j in raw.table["features"]]
    assert kept == [c for c in frame.columns if c not in ("penguin_id", "species")]
    assert sum("penguin_id" in n for n in raw.notes) == 1


def test_numbered_classes_train_and_export_one_probability_per_class(tmp_path):
    """End to end: classes 3, 4, 6, 8 (a cylinder count) give 4 outputs, the mapping saved in
    config.json, the export's probabilities 4 wide."""
    import tensorflow as tf

    from ktrain_kit.training import train
    rng = np.random.default_rng(0)
    path = tmp_path / "cars.csv"
    cyl = rng.choice([3, 4, 6, 8], 120)
    path.write_text("displacement,cyl\n" + "".join(
        f"{30 * k + rng.normal(0, 5):.1f},{k}\n" for k in cyl))
    c = load_config("tabular_binary", task__name="classification", data__name="csv",
                    data__path=str(path), data__label_column="cyl", train__epochs=2,
                    train__verbose=0, callbacks__doctor__enabled=False)
    train(c, str(tmp_path / "run"))
    resolved = json.loads((tmp_path / "run" / "config.json").read_text())["resolved"]
    assert resolved["labels"]["class_names"] == ["3", "4", "6", "8"]
    serve = tf.saved_model.load(str(tmp_path / "run" / "export" / "1")).signatures[
        "serving_default"]
    out = serve(displacement=tf.constant([90.0, 240.0], tf.float32))
    assert out["probabilities"].shape == (2, 4)


def test_batch_norm_averages_over_about_one_epoch_of_updates(tmp_path):
    """Validation and the export use batch norm's moving statistics. Keras' 0.99 averages the
    last ~100 updates; a 120-row table in batches of 64 trains one update an epoch, so after 15
    epochs 0.99**15 = 86% of them were still the initial mean 0 / variance 1. A built-in model's
    momentum is 1 - 1/updates-per-epoch (at most 0.99); a user's builder keeps its own."""
    import keras

    from ktrain_kit import models
    from ktrain_kit.data import load
    from ktrain_kit.network import build_network
    assert [models.batch_norm_momentum(s) for s in (0, 1, 2, 10, 100, 5000)] == \
        [0.0, 0.0, 0.5, 0.9, 0.99, 0.99]
    rng = np.random.default_rng(0)
    path = tmp_path / "t.csv"
    path.write_text("a,b,label\n" + "".join(
        f"{rng.normal():.3f},{rng.normal():.3f},{('x', 'y')[i % 2]}\n" for i in range(150)))
    c = load_config("tabular_binary", task__name="classification", data__name="csv",
                    data__path=str(path), data__label_column="label")
    data = load(c.data, c.task, 0)
    steps = data.train_size // c.data.batch_size
    assert steps == 1

    def momenta(network):
        return [layer.momentum for layer in network._flatten_layers()
                if isinstance(layer, keras.layers.BatchNormalization)]
    assert momenta(build_network(c, data)) == [0.0] * c.model.depth
    c.data.batch_size = 8  # 120 // 8 = 15 updates an epoch
    assert momenta(build_network(c, data)) == [pytest.approx(1 - 1 / 15)] * c.model.depth


def test_a_table_of_documents_only_points_at_the_text_column(tmp_path):
    """A text CSV given to a table config without data.text_column: its documents, distinct,
    are no categories; the refusal names the key that reads them."""
    from ktrain_kit.errors import UserError
    path = tmp_path / "docs.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        for i in range(12):
            writer.writerow([f"Document {i}, about \"topic\" {i % 3}.\nSecond line.", i % 3])
    with pytest.raises(UserError, match="--config.data.text_column='text'"):
        _csv(path)
    assert len(_csv(path, text_column="text").x) == 12


def test_category_values_seen_once_in_training_share_one_slot(tmp_path):
    """la-riots' last names and addresses (58 values over 63 rows) were memorized: validation
    accuracy 0.15 against 0.54 without them. A value seen once in the training split (Counter
    over the csv module's rows) shares one slot with the others seen once and with values
    first seen at serving; each value seen twice or more keeps its own."""
    import tensorflow as tf

    from ktrain_kit.data import load
    rng = np.random.default_rng(0)
    path = tmp_path / "t.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["town", "size", "label"])
        for i in range(80):
            town = f"common{i % 3}" if i % 2 else f"town{i}"  # half recur, half once
            writer.writerow([town, f"{rng.normal():.3f}", ("a", "b")[i % 2]])
    c = load_config("tabular_binary", task__name="classification", data__name="csv",
                    data__path=str(path), data__label_column="label")
    data = load(c.data, c.task, 0)
    rows = list(csv.DictReader(open(path, newline="")))
    train = data.preprocessing.rows["train"]
    counts = collections.Counter(rows[i]["town"] for i in train)
    towns = [rows[i]["town"] for i in train]
    onehot = data.x_train[:, 1:]  # size, then the town's slots (FeatureSpace: keys in order)
    once = {tuple(r) for r, t in zip(onehot, towns) if counts[t] == 1}
    assert len(once) == 1  # one shared slot
    for town in {t for t in towns if counts[t] > 1}:
        mine = {tuple(r) for r, t in zip(onehot, towns) if t == town}
        assert len(mine) == 1 and mine != once
    assert onehot.shape[1] == 1 + sum(n > 1 for n in counts.values()) + 1  # + RARE, + OOV
    served = data.preprocessing.encode({"town": np.array(["never seen"], dtype=object),
                                        "size": tf.constant([0.0])}).numpy()
    assert tuple(served[0, 1:]) in once
