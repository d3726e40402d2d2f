"""Numbers that are codes, and marks written as words, read by one rule each (a helper's cases):

- whole numbers read as categories are one category per code as written: past float32's 24
  bits (`100000001` .. `100000004`, one value in float32) and with leading zeros (`01` is not
  `1`) they stay strings; a column of whole numbers written with leading zeros (ZIP codes) is
  codes, not a quantity, whatever its number of values;
- a category column keeps a slot for each value seen more than once, up to CATEGORY_SLOTS
  (200 product codes seen ~5 times: 64 slots left the model at 0.67 where scikit-learn's
  one-hot reads 0.99);
- a multilabel column of True / False (pandas' bool columns) is 1 / 0.
The oracles are the cells themselves (Python sets of strings) and pandas' own reading."""

import re

import numpy as np
import pandas as pd
import pytest
from conftest import data_config, task, typed_table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktrain_kit.data import features, sources


def _write(tmp_path, frame, name="t.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


def _categories(path, column, overrides=None):
    """(spec, one-hot category index of every row) of `column` as the table pipeline encodes
    it: all rows are training rows, so every value recurring keeps its slot."""
    specs, table, train, _, _ = typed_table(path, label="label", overrides=overrides,
                                            train_rows="all")
    raw = features.raw_columns(table, specs)
    prep = features.TablePreprocessing(specs, {k: v[train] for k, v in raw.items()})
    spec = next(s for s in specs if s["name"] == column)
    alone = features.TablePreprocessing([spec], {column: raw[column]})
    return spec, alone.encode({column: raw[column]}).numpy().argmax(axis=1), prep


def _distinct_codes(cells):
    """The oracle: one code per distinct cell as written, `12.0` being `12`."""
    return len({re.sub(r"\.0+$", "", c) for c in cells})


@pytest.mark.parametrize("overrides", [None, {"region_code": "categorical"}])
def test_codes_past_float32_stay_distinct(tmp_path, overrides):
    codes = [str(100000001 + i % 4) for i in range(40)]
    path = _write(tmp_path, pd.DataFrame({"region_code": codes, "label": [c[-1] for c in codes]}))
    spec, encoded, _ = _categories(path, "region_code", overrides)
    assert spec["type"] == "categorical" and spec["dtype"] == "string"
    assert len(set(encoded)) == _distinct_codes(codes) == 4
    # the same code is the same category wherever it sits
    for code in set(codes):
        assert len({e for e, c in zip(encoded, codes) if c == code}) == 1


def test_zero_padded_codes_are_categories_as_written(tmp_path):
    """40 ZIP codes, 15 of them with a leading zero: more than 10 values, so by the count rule
    a quantity (normalized: 0.61 validation accuracy where they decide the label)."""
    rng = np.random.default_rng(0)
    zips = [f"{z:05d}" for z in rng.choice(np.r_[rng.integers(1000, 9999, 15),
                                                 rng.integers(10000, 99999, 25)], 400)]
    path = _write(tmp_path, pd.DataFrame({"zip": zips, "label": [int(z) % 2 for z in zips]}),
                  "zips.csv")
    frame = pd.read_csv(path, dtype=str)
    assert frame["zip"].str.startswith("0").any()  # the file keeps the zeros
    spec, encoded, _ = _categories(path, "zip")
    assert spec["type"] == "categorical" and spec["dtype"] == "string"
    assert len(set(encoded)) == _distinct_codes(frame["zip"]) == len(set(zips))
    notes = typed_table(path, label="label", train_rows="all")[3]
    assert any("leading zeros" in n and "'zip'" in n for n in notes)


def test_typed_categorical_keeps_leading_zeros_apart(tmp_path):
    cells = ["1", "01", "001", "2", "02"] * 8
    path = _write(tmp_path, pd.DataFrame({"grade": cells, "label": list("abcde") * 8}))
    spec, encoded, _ = _categories(path, "grade", {"grade": "categorical"})
    assert spec["dtype"] == "string" and len(set(encoded)) == 5


def test_small_codes_keep_their_numeric_input(tmp_path):
    """The control: few plain whole numbers (cylinders 4, 6, 8) stay float32 categories, so a
    client keeps sending numbers; many plain whole numbers stay a quantity."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"cyl": rng.choice([4, 6, 8], 60), "age": rng.integers(18, 90, 60),
                          "label": rng.choice(["a", "b"], 60)})
    specs = typed_table(_write(tmp_path, frame), label="label", train_rows="all")[0]
    kinds = {s["name"]: (s["type"], s["dtype"]) for s in specs}
    assert kinds == {"cyl": ("categorical", "float32"), "age": ("numeric", "float32")}


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(codes=st.lists(st.integers(0, 10**12), min_size=2, max_size=6, unique=True),
       width=st.integers(0, 14), point=st.booleans())
def test_every_written_code_is_its_own_category(tmp_path_factory, codes, width, point):
    """Any whole-number codes, any padding, some written `12.0` as pandas writes an integer
    column with a gap: typed categorical, one category per code as written."""
    cells = [f"{c:0{width}d}" + (".0" if point and i % 2 else "") for i, c in enumerate(codes)]
    cells = cells * 3
    path = _write(tmp_path_factory.mktemp("codes"),
                  pd.DataFrame({"code": cells, "label": ["a", "b", "c"] * len(codes)}))
    spec, encoded, _ = _categories(path, "code", {"code": "categorical"})
    assert len(set(encoded)) == _distinct_codes(cells)
    for cell in set(cells):
        assert len({e for e, c in zip(encoded, cells) if c == cell}) == 1


def test_many_recurring_values_keep_their_slots(tmp_path):
    """200 codes seen about 5 times each: every one keeps a slot (64 did before)."""
    rng = np.random.default_rng(2)
    products = [f"P{i:03d}" for i in rng.permutation(np.repeat(np.arange(200), 5))]
    path = _write(tmp_path, pd.DataFrame({"product": products,
                                          "label": [int(p[1:]) % 2 for p in products]}))
    spec, encoded, prep = _categories(path, "product")
    assert spec["categories"] == 200 == len(set(encoded))
    assert "200 values" in prep.describe()


def test_multilabel_true_false_columns_are_marks(tmp_path):
    """pandas writes bool columns True / False; R writes TRUE / FALSE; yes / no too."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"x": rng.normal(size=30), "is_a": rng.random(30) > 0.5,
                          "is_b": rng.random(30) > 0.3})
    frame["has_c"] = np.where(rng.random(30) > 0.5, "YES", "no")
    path = _write(tmp_path, frame)
    dc = data_config("csv", path, label_columns=["is_a", "is_b", "has_c"])
    y = sources._csv(dc, task("multilabel"), None).y
    expected = np.stack([frame["is_a"], frame["is_b"], frame["has_c"] == "YES"], 1)
    np.testing.assert_array_equal(y, expected.astype(np.float32))


def test_multilabel_words_outside_one_pair_are_still_refused(tmp_path):
    frame = pd.DataFrame({"x": range(6), "a": ["True", "no"] * 3})  # two pairs mixed
    path = _write(tmp_path, frame)
    from ktrain_kit.errors import UserError
    with pytest.raises(UserError, match="is not a number"):
        sources._csv(data_config("csv", path, label_columns=["a", "x"]), task("multilabel"),
                     None)


@pytest.mark.parametrize("name, left_out", [
    ("order_no", True), ("OrderNo", True), ("invoiceNr", True), ("No.", True),
    ("serial", True), ("row_index", True), ("ticket_number", True), ("#", True),
    ("order_num", True), ("RowNum", True), ("rownum", True), ("SNo", True), ("N°", True),
    ("year", False), ("number_of_rooms", False), ("casino", False), ("piano", False),
    ("minor", False), ("jsno", False)])
@pytest.mark.parametrize("order", ["counting up", "shuffled"])
@pytest.mark.parametrize("labels", ["sorted", "interleaved"])
def test_running_numbers_are_left_out_whatever_they_count_from(tmp_path, name, left_out, order,
                                                               labels):
    """An order number counting from 50001 down a file sorted by class was a numeric
    feature: the model read the file's order (row numbers from 0 or 1 were left out
    already). Named as a running number and counting up by one down the file, it is the
    rows' order: left out. In a file sorted by its label any column of distinct whole
    numbers rising down the file says a row's class through its place (a `year`, record
    numbers with gaps: a helper's AUC 1.0): left out too. In a file whose labels interleave, a
    `year` counting up stays a quantity, and so does any column in another order."""
    rows = 60
    numbers = np.arange(50001, 50001 + rows)
    if order == "shuffled":
        numbers = np.random.default_rng(1).permutation(numbers)
    frame = pd.DataFrame({name: numbers,
                          "x": np.random.default_rng(0).normal(size=rows).round(3),
                          "label": ["a"] * (rows // 2) + ["b"] * (rows // 2)
                          if labels == "sorted" else ["a", "b"] * (rows // 2)})
    specs, _, _, notes, raw = typed_table(_write(tmp_path, frame), label="label")
    kept = {s["name"]: s for s in specs}
    named = left_out and order == "counting up"
    by_order = order == "counting up" and labels == "sorted" and not named
    assert (name not in kept) == (named or by_order)
    if named:
        assert any(f"not used: it holds the row numbers (50001, 50002, ...)" in n
                   for n in raw.notes), raw.notes
    elif by_order:
        assert any("not used: its numbers rise down the file (50001, 50002, ...) and the file "
                   "is sorted by its label 'label'" in n for n in raw.notes), raw.notes
    else:
        assert kept[name]["type"] == "numeric"


@pytest.mark.parametrize("gaps, step, written", [
    (True, 1, "whole"), (False, 1000, "whole"), (True, -1, "whole"),
    (False, 1000, "decimals"),    # epoch timestamps 1700003714.8
    (True, 1, "a missing cell")])  # one record number lost: the rest still count the rows
def test_record_numbers_rising_down_a_label_sorted_file_are_left_out(tmp_path, gaps, step,
                                                                     written):
    """A helper's file: 300 rows sorted by class, `case` numbered 1..330 with 30 deleted rows
    (or epoch timestamps, or counting down). A logistic regression reads 0.94 with it and
    0.69 without (the oracle that it leaks: scikit-learn on the same columns); the model
    reached AUC 1.0 from it. Left out; typed numeric, kept."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    rng = np.random.default_rng(0)
    rows = 300
    numbers = np.sort(rng.choice(np.arange(1, 331), rows, replace=False)) if gaps else \
        1_600_000_000 + np.arange(rows) * step
    numbers = numbers if step > 0 else numbers[::-1]
    label = np.repeat([0, 1], rows // 2)
    x = rng.normal(size=rows) + 0.5 * label
    frame = pd.DataFrame({"case": numbers + (0.5 if written == "decimals" else 0),
                          "x": x.round(3), "label": label})
    leak = cross_val_score(LogisticRegression(), (frame[["case"]] - frame["case"].mean()) /
                           frame["case"].std(), label,
                           cv=StratifiedKFold(5, shuffle=True, random_state=0)).mean()
    assert leak > 0.95  # the place alone tells the class, on a random split as ours
    if written == "a missing cell":
        frame["case"] = frame["case"].astype("Int64").mask(frame.index == 7)
    path = _write(tmp_path, frame)
    specs, _, _, _, raw = typed_table(path, label="label")
    assert [s["name"] for s in specs] == ["x"]
    assert any("'case' not used: its numbers rise down the file" in n for n in raw.notes)
    specs, *_ = typed_table(path, label="label", overrides={"case": "numeric"})
    assert [s["name"] for s in specs] == ["case", "x"]


@pytest.mark.parametrize("codes", [["1e20", "2e20", "3e20"], ["1e9", "2e9", "3e9"],
                                   ["-1e19", "1e19", "5e18"]])
def test_codes_in_exponent_notation_past_float32_stay_distinct(tmp_path, codes):
    """Typed categorical, `1e20`, `2e20` went through float32 and an int64 cast that
    overflows: every code became one (INT64_MIN)."""
    cells = [codes[i % len(codes)] for i in range(30)]
    path = _write(tmp_path, pd.DataFrame({"code": cells, "label": [str(i % 3) for i in range(30)]}))
    spec, encoded, _ = _categories(path, "code", {"code": "categorical"})
    assert len(set(encoded)) == len(set(codes))
    for code in set(codes):
        assert len({e for e, c in zip(encoded, cells) if c == code}) == 1


@pytest.mark.parametrize("name", ["classification", "binary"])
def test_class_labels_with_leading_zeros_are_classes_as_written(tmp_path, name):
    """Product categories `0101`, `101`, `0202`: three classes (a helper's file had two, the
    first two merged as the number 101). The oracle: the distinct cells."""
    codes = ["0101", "101", "0202"][:3 if name == "classification" else 2]
    rng = np.random.default_rng(0)
    labels = [codes[k] for k in rng.integers(0, len(codes), 60)]
    path = _write(tmp_path, pd.DataFrame({"w": rng.normal(size=60), "category": labels}))
    frame = pd.read_csv(path, dtype=str)
    data = sources.load(data_config("csv", path, label_column="category"), task(name), 0)
    mapping = data.labels.get("class_names") or data.labels["label_values"]
    assert sorted(map(str, mapping)) == sorted(set(frame["category"]))


def test_a_regression_target_with_leading_zeros_stays_a_number(tmp_path):
    rng = np.random.default_rng(0)
    targets = [f"{v:04d}" for v in rng.integers(1, 500, 60)]
    path = _write(tmp_path, pd.DataFrame({"w": rng.normal(size=60), "y": targets}))
    data = sources.load(data_config("csv", path, label_column="y"), task("regression"), 0)
    everything = np.concatenate([np.ravel(data.y_train), np.ravel(data.y_val)])
    assert sorted(everything) == sorted(float(t) for t in targets)


def test_a_binary_label_written_two_ways_is_refused_naming_the_two_spellings(tmp_path):
    """Labels `0`, `1` and `01`: "found 3 (0, 01, 1)" said nothing of why `01` is not `1`."""
    from ktrain_kit.errors import UserError
    path = _write(tmp_path, pd.DataFrame({"w": np.arange(30) * 0.5,
                                          "y": ["0", "1", "01"] * 10}))
    with pytest.raises(UserError, match="labels '01' and '1' write one number two ways"):
        sources.load(data_config("csv", path, label_column="y"), task("binary"), 0)
