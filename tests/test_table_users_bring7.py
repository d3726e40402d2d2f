"""Tables users bring, round h86: round h82's ARFF and Orange readings attacked as a new user
would (Weka's own files, OpenML's, Orange's flags on every column). Each class fixed at one
place and checked against an independent writer:
- a sparse ARFF row with an instance weight (`{0 1, 3 a}, {2}`, Weka's weighted sparse
  instance) was refused as a broken entry `{2` or an undeclared value `a} {2`: now the dense
  row's refusal, naming the weight (data/arff.py `_sparse`);
- a declared nominal value spelled as a gap (`{NA, yes}`, a class `nan`, a quoted `'?'`) was
  merged with the missing cells, silently (a class `nan` refused as missing labels): refused
  naming the line, the attribute and the rename (data/arff.py `_checked`);
- an Orange file whose flags leave every feature out (`meta` on the only feature) was refused
  as `data.features` leaving no feature column, a key the user never set: now the file, the
  flagged column and the data.features flag that types it (sources `_all_features_left_out`);
- a binary task's label of measured numbers (an ARFF whose class is its first attribute, the
  label left at -1) was told to use classification, which then refused the column: now
  refused as classification refuses it, naming data.label_column (sources `_csv`);
- a label the file types a quantity (Orange's `c`, ARFF's numeric) holding fractions, asked
  as classes, trained one class a value (Orange's housing: 229, accuracy 0): refused naming
  task.name=regression (table `class_names`);
- a sparse row giving an attribute twice kept the second value, silently (Weka refuses it):
  refused naming the line and attribute; a `NaN` in a numeric attribute (Weka's and
  liac-arff's gap) was refused as no number: read as a gap (arff `_sparse`, table
  `_arff_table`).
"""

import json
import re
import shlex

import numpy as np
import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import data_config, task, typed_table
from ktrain_kit.data import features, sources, table as table_lib
from ktrain_kit.errors import UserError
from test_table_users_bring6 import arff_tables, write_arff


def header_lines(attributes) -> int:
    """Lines `write_arff` writes before the first row: a comment, @relation, a blank line, one
    @attribute a column, @data."""
    return 3 + len(attributes) + 1


def gap_spelled(attributes, rows) -> bool:
    return any(k == "nominal" and v and table_lib.is_missing(v)
               for r in rows for v, (_, k, _) in zip(r, attributes))


def typed(path, label=-1, overrides=None):
    """(specs, raw) of the table, every row a training row (conftest.typed_table)."""
    specs, _, _, _, raw = typed_table(path, label, overrides, train_rows="all")
    return specs, raw

# ------------------------------------------------------------ ARFF: weighted sparse rows

def weighted(text: str, row: int, attributes, weight: str, sparse: bool, spaced: bool) -> str:
    """`text` (write_arff's) with Weka's instance weight `{weight}` after row `row`: `, {w}`
    as `Instance.toString` writes it (or a space alone)."""
    lines = text.split("\n")
    at = header_lines(attributes) + row
    lines[at] += (" " if spaced else ", ") + "{" + weight + "}"
    return "\n".join(lines)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arff_tables(), st.data(), st.sampled_from(["2", "0.5", "1e-3", " 3 "]), st.booleans())
def test_a_weighted_row_is_refused_naming_its_weight_and_line(tmp_path_factory, drawn, data,
                                                              weight, spaced):
    """The writer as oracle: a table read back as written (test_table_users_bring6), with a
    weight after one of its rows, dense or sparse, is refused at that row's line naming the
    weight. On main a sparse row's weight was `'{2' is not an entry <index> <value>` or
    `'a} {2' is not one of its declared values`: a fix to the wrong thing."""
    attributes, rows, sparse = drawn
    if gap_spelled(attributes, rows) or (spaced and not sparse):
        return  # refused for the value (below); a dense row's weight follows a comma
    row = data.draw(st.integers(0, len(rows) - 1))
    path = tmp_path_factory.mktemp("arff") / "weighted.arff"
    path.write_text(weighted(write_arff(attributes, rows, sparse), row, attributes, weight,
                             sparse, spaced), encoding="utf-8")
    line = header_lines(attributes) + row + 1
    with pytest.raises(UserError) as refused:
        table_lib.read_table(str(path))
    message = str(refused.value)
    assert f"line {line}: the row ends with an instance weight" in message, message
    assert "\n" not in message


def test_weka_weighted_sparse_rows_as_weka_writes_them(tmp_path):
    """Weka's own spelling, `{0 5.1, 2 yes},{0.5}`, and a value holding `} {2}` quoted (no
    weight: read as written)."""
    head = "@relation w\n@attribute x numeric\n@attribute s string\n@attribute c {no,yes}\n@data\n"
    path = tmp_path / "w.arff"
    path.write_text(head + "{0 5.1, 1 a, 2 yes},{0.5}\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"line 6: the row ends with an instance weight "
                                        r"\('\{0\.5\}'\)"):
        table_lib.read_table(str(path))
    path.write_text(head + "{0 5.1, 1 'a} {2}', 2 yes}\n{0 1, 1 b}\n", encoding="utf-8")
    table = table_lib.read_table(str(path))
    assert table.rows == [["5.1", "a} {2}", "yes"], ["1", "b", "no"]]


# ------------------------------------------------- ARFF: declared values spelled as gaps

GAP_WORDS = ["NA", "nan", "NaN", "null", "NULL", "N/A", "?", "#N/A"]
VALUE_WORDS = ["yes", "no", "Na", "Nan", "none", "n.a", "NA_value", "??"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(GAP_WORDS + VALUE_WORDS), min_size=1, max_size=4, unique=True),
       st.lists(st.tuples(st.integers(0, 3), st.integers(-9, 9), st.booleans()), min_size=1,
                max_size=8), st.booleans())
def test_a_declared_value_read_as_a_gap_is_refused_where_a_row_holds_it(tmp_path_factory,
                                                                        levels, drawn, sparse):
    """The writer as oracle (Weka's quoting: `'?'` quoted, a bare `?` missing): a nominal
    value that the table's gap spellings take (`table.is_missing`) is refused at the first
    row holding it, naming the attribute and the rename; one declared but never used, and
    values such as `Na` or `none`, read as written. On main `NA` was a gap, silently."""
    attributes = [("k", "nominal", levels), ("x", "numeric", None)]
    rows = [[None if gap else levels[i % len(levels)], str(x)] for i, x, gap in drawn]
    path = tmp_path_factory.mktemp("arff") / "gaps.arff"
    path.write_text(write_arff(attributes, rows, sparse), encoding="utf-8")
    held = [r[0] for r in rows]  # sparse: the first value left out, a gap written `0 ?`
    first = next((i for i, v in enumerate(held) if v and table_lib.is_missing(v)), None)
    if first is None:
        table = table_lib.read_table(str(path))
        assert [r[0] for r in table.rows] == [v or "" for v in held]
        return
    with pytest.raises(UserError) as refused:
        table_lib.read_table(str(path))
    message = str(refused.value)
    assert f"line {header_lines(attributes) + first + 1}, attribute 'k': its declared value " \
           f"{table_lib.shown(held[first])} is read as a missing value" in message, message
    assert "rename the value" in message


def test_a_class_named_nan_is_no_missing_label(tmp_path):
    """`@attribute class {nan, ok}`: on main refused as 4 rows missing their label, with
    data.drop_unlabeled as the fix (a whole class dropped)."""
    path = tmp_path / "c.arff"
    path.write_text("@relation r\n@attribute x numeric\n@attribute class {nan,ok}\n@data\n"
                    + "".join(f"{i * 0.5},{'nan' if i % 2 else 'ok'}\n" for i in range(8)),
                    encoding="utf-8")
    with pytest.raises(UserError, match=r"line 6, attribute 'class': its declared value 'nan' "
                                        r"is read as a missing value") as refused:
        typed(path)
    assert "drop_unlabeled" not in str(refused.value)


# ------------------------------------------- Orange: every feature left out by its flags

def orange(path, names, types, flags, rows):
    path.write_text("\n".join("\t".join(r) for r in [names, types, flags, *rows]) + "\n",
                    encoding="utf-8")
    return path


ORANGE_ROWS = [[f"n{i}", f"{i * 0.37 % 5:.2f}", "ab"[i % 2]] for i in range(30)]


@pytest.mark.parametrize("flags, column, kind", [
    (["meta", "meta", "class"], "name", "categorical"),
    (["ignore", "m", "class"], "name", "categorical"),
    (["meta include=False", "weight", "class"], "name", "categorical"),
    (["", "", ""], None, None)])  # control: nothing flagged, read as ever
def test_flags_leaving_no_feature_name_the_file_the_column_and_the_type(tmp_path, flags,
                                                                        column, kind):
    """On main: `config key 'data.features': leaves no feature column; keep at least one
    column as a feature`: a key the user never set, neither the file nor a column named. Now
    the file, the column its flag leaves out, and a flag that, pasted, trains."""
    path = orange(tmp_path / "t.tab", ["name", "size", "y"], ["s", "c", "d"], flags,
                  ORANGE_ROWS)
    if column is None:
        specs, _ = typed(path)
        assert [s["name"] for s in specs] == ["size"]
        return
    with pytest.raises(UserError) as refused:
        typed(path)
    message = str(refused.value)
    assert message.startswith(f"file '{path}': has no feature column"), message
    assert f"({table_lib.shown(column)}: Orange's header flags it" in message
    flag = re.search(r"--config\.data\.features=('.*')$", message).group(1)
    given_types = json.loads(shlex.split(flag)[0])
    assert given_types == {column: kind}
    specs, _ = typed(path, overrides=given_types)  # pasted: the column is a feature
    assert column in [s["name"] for s in specs]


def test_the_class_left_out_for_another_label_is_named_with_its_type(tmp_path):
    """A label named beside the file's class (round h82: the class is then left out as a
    meta), in a file of those two columns: the refusal names the class column and types it."""
    path = orange(tmp_path / "t.tab", ["name", "y"], ["d", "d"], ["meta", "class"],
                  [[f"n{i % 3}", "ab"[i % 2]] for i in range(30)])
    with pytest.raises(UserError) as refused:
        typed(path, label="name")
    message = str(refused.value)
    assert "('y': Orange's header flags it the class (line 3), and the label is 'name')" \
        in message, message
    flag = re.search(r"--config\.data\.features=('.*')$", message).group(1)
    overrides = json.loads(shlex.split(flag)[0])
    assert overrides == {"y": "categorical"}
    specs, raw = typed(path, label="name", overrides=overrides)
    assert [s["name"] for s in specs] == ["y"] and set(raw.y) == {"n0", "n1", "n2"}


# ------------------------------------------------ a quantity as a binary task's label

@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 3)), min_size=12,
                max_size=40, unique=True))
def test_a_binary_label_of_measured_numbers_names_its_column_and_the_label_key(
        tmp_path_factory, amounts):
    """An ARFF whose nominal class is its FIRST attribute (OpenML's default target need not
    be last) read with data.label_column left at -1: the last attribute, a measurement, is the
    label. On main: `a binary task needs exactly 2 distinct labels, found 40 (...); use
    task.name=classification`, whose run then refused the same column as a quantity: now the
    classification task's refusal, naming the column and data.label_column, at once."""
    path = tmp_path_factory.mktemp("arff") / "first.arff"
    path.write_text("@relation r\n@attribute class {no,yes}\n@attribute x numeric\n"
                    "@attribute size numeric\n@data\n" + "".join(
                        f"{'yes' if v > 50 else 'no'},{i % 7},{v}\n"
                        for i, v in enumerate(amounts)), encoding="utf-8")
    dc = data_config("csv", path)
    with pytest.raises(UserError) as refused:
        sources.load(dc, task("binary"), 0)
    message = str(refused.value)
    assert "column 'size' holds" in message or "column 'size' is an ARFF numeric" in message, \
        message
    assert "set data.label_column to the column of classes" in message
    dc.label_column = "class"  # the fix: trains
    assert sorted(set(sources.load(dc, task("binary"), 0).y_train.ravel())) == [0.0, 1.0]


def test_a_binary_label_of_two_numbers_is_read_as_ever(tmp_path):
    """Control: -1 / 1 labels (two values, each on many rows) are a binary label."""
    path = tmp_path / "t.csv"
    path.write_text("x,y\n" + "".join(f"{i % 5},{(-1, 1)[i % 2]}\n" for i in range(20)),
                    encoding="utf-8")
    data = sources.load(data_config("csv", path), task("binary"), 0)
    assert sorted(set(data.y_train.ravel())) == [0.0, 1.0]


# ---------------------------------------- a label the file types a quantity, asked as classes

@pytest.mark.parametrize("kind", ["orange", "arff"])
@pytest.mark.parametrize("task_name", ["classification", "binary"])
def test_a_label_the_file_types_a_quantity_with_fractions_is_no_classes(tmp_path, kind,
                                                                        task_name):
    """Orange's housing.tab as orange3 ships it: `MEDV` typed `c` and flagged class, 229
    prices over 506 rows, most on two rows or more. On main, classification trained 229
    classes (validation accuracy 0.0), and binary's refusal said to do so. Each price below
    is on 3 rows (the rule of single-row values does not take it)."""
    prices = [round(5 + 0.7 * k, 1) for k in range(40)] * 3
    rows = [(f"{(p * 7) % 11:.1f}", f"{p}") for p in prices]
    if kind == "orange":
        path = orange(tmp_path / "housing.tab", ["RM", "MEDV"], ["c", "c"], ["", "class"],
                      rows)
        typed_as = "typed continuous by Orange's header (line 2)"
    else:
        path = tmp_path / "housing.arff"
        path.write_text("@relation h\n@attribute RM numeric\n@attribute MEDV numeric\n@data\n"
                        + "".join(f"{a},{b}\n" for a, b in rows), encoding="utf-8")
        typed_as = "an ARFF numeric attribute"
    with pytest.raises(UserError) as refused:
        sources.load(data_config("csv", path), task(task_name), 0)
    message = str(refused.value)
    assert f"column 'MEDV' is {typed_as} and holds fractions (5.7): a quantity, not classes; " \
           "use task.name=regression" in message, message
    data = sources.load(data_config("csv", path), task("regression"), 0)
    np.testing.assert_allclose(np.sort(np.concatenate([data.y_train, data.y_val]).ravel()),
                               np.sort(prices), rtol=1e-6)


def test_whole_numbers_typed_a_quantity_stay_classes_and_a_csv_is_read_as_ever(tmp_path):
    """Controls: an ARFF `class numeric` of codes 0..2 (liac-arff writes REAL for any class it
    is given as numbers) is 3 classes; the same fractions in a CSV (no type declared) are
    judged by the cells alone, as before."""
    path = tmp_path / "codes.arff"
    path.write_text("@relation c\n@attribute x numeric\n@attribute class REAL\n@data\n"
                    + "".join(f"{i * 0.3:.1f},{i % 3}.0\n" for i in range(30)), encoding="utf-8")
    data = sources.load(data_config("csv", path), task("classification"), 0)
    assert data.num_outputs == 3
    path = tmp_path / "prices.csv"
    path.write_text("RM,MEDV\n" + "".join(f"{i % 7},{5 + 0.5 * (i % 4)}\n" for i in range(40)),
                    encoding="utf-8")
    assert sources.load(data_config("csv", path), task("classification"), 0).num_outputs == 4


# -------------------------------------------- ARFF: a sparse index twice; NaN in a number

@settings(max_examples=80, deadline=None)
@given(st.integers(2, 6).flatmap(lambda width: st.tuples(
    st.just(width),
    st.lists(st.dictionaries(st.integers(0, width - 1), st.integers(-99, 99)), min_size=1,
             max_size=6),
    st.data())))
def test_a_sparse_row_giving_an_attribute_twice_is_refused_naming_it(tmp_path_factory,
                                                                     drawn):
    """Sparse rows written from {index: value} (ascending, as Weka writes them) read back
    cell for cell, 0 where left out; one entry written twice with another value is refused
    at its line, naming the attribute. On main the second value replaced the first,
    silently (Weka refuses indices that do not ascend)."""
    width, rows, data = drawn
    names = [f"a{j}" for j in range(width)]
    head = "@relation s\n" + "".join(f"@attribute {n} numeric\n" for n in names) + "@data\n"
    lines = ["{" + ", ".join(f"{j} {v}" for j, v in sorted(r.items())) + "}" for r in rows]
    path = tmp_path_factory.mktemp("arff") / "s.arff"
    path.write_text(head + "\n".join(lines) + "\n", encoding="utf-8")
    table = table_lib.read_table(str(path))
    assert [[float(c) for c in r] for r in table.rows] == \
        [[float(r.get(j, 0)) for j in range(width)] for r in rows]
    candidates = [i for i, r in enumerate(rows) if r]
    if not candidates:
        return
    i = data.draw(st.sampled_from(candidates))
    j = data.draw(st.sampled_from(sorted(rows[i])))
    twice = sorted([*rows[i].items(), (j, rows[i][j] + 1)])
    lines[i] = "{" + ", ".join(f"{k} {v}" for k, v in twice) + "}"
    path.write_text(head + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=rf"line {width + 3 + i}: the sparse row gives "
                                        rf"attribute {j} \('a{j}'\) twice"):
        table_lib.read_table(str(path))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_infinity=False) | st.sampled_from(["NaN", "nan", "NAN", "?"]),
                min_size=1, max_size=10))
def test_nan_in_a_numeric_attribute_is_a_missing_value(tmp_path_factory, values):
    """Python's `repr` and Java's `Double.toString` as the writers (`nan`, `NaN`), Weka's `?`:
    a NaN is read as a gap, as Weka (`Double.valueOf`) and liac-arff (`float`) read it, and
    every other number as written. On main: refused, `'NaN' is not a number`."""
    cells = [v if isinstance(v, str) else repr(v) for v in values]
    path = tmp_path_factory.mktemp("arff") / "n.arff"
    path.write_text("@relation n\n@attribute x numeric\n@attribute c {a}\n@data\n"
                    + "".join(f"{c},a\n" for c in cells), encoding="utf-8")
    table = table_lib.read_table(str(path))
    read = [float("nan") if table_lib.is_missing(r[0]) else float(r[0]) for r in table.rows]
    expected = [float("nan") if c == "?" else float(c) for c in cells]
    np.testing.assert_array_equal(np.array(read), np.array(expected))
