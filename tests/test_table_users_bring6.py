"""Tables users bring, round h82: public tables as their owners publish them, that the reader
refused or misread. Each fixed at one place and checked against an independent reading:
- ARFF (Weka's, OpenML's format) was refused: now read (data/arff.py), property-tested against
  a writer built from Weka's rules (dense and sparse rows, quoting and escapes, `?`), and
  against scipy.io.arff.loadarff on the files it reads; nominal attributes are categories;
- Orange's flags (`meta`, `ignore`, `class`) were named, not obeyed: a meta column was a
  feature and the last column the label;
- an identifier column written `12` and `12.0` was two categories; `PID`, `userid`, `uuid`,
  `guid` were no identifier names (a quantity, silently);
- the fix of a refused wordless text column dropped the types data.features already gave.
"""

import json
import math
import re
import shlex

import numpy as np
import pandas as pd
import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import data_config, task, typed_table
from ktrain_kit.data import features, sources, table as table_lib
from ktrain_kit.errors import UserError


def typed(path, label=-1, overrides=None):
    """(specs, table, train rows, notes, raw): conftest.typed_table's."""
    return typed_table(path, label, overrides)

# ---------------------------------------------------------------------------------------- ARFF

def weka_quoted(value: str) -> str:
    """A value as Weka's `Utils.quote` writes it: bare when it holds nothing special, else in
    single quotes with `\\`, `'`, `"`, `%` and line breaks and tabs escaped."""
    if value and not re.search(r"[\s,'\"%{}?\\]", value):
        return value
    escaped = (value.replace("\\", "\\\\").replace("'", "\\'").replace('"', '\\"')
               .replace("%", "\\%").replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t"))
    return f"'{escaped}'"


def write_arff(attributes, rows, sparse=False) -> str:
    """An ARFF file of `attributes` [(name, kind, levels)] and `rows` (cells as text, None
    missing), dense or sparse (`{index value, ...}`, Weka's 0s left out)."""
    out = ["% written by the test's own writer", "@relation 'drawn table'", ""]
    for name, kind, levels in attributes:
        decl = "{" + ", ".join(map(weka_quoted, levels)) + "}" if kind == "nominal" else kind
        out.append(f"@attribute {weka_quoted(name)} {decl}")
    out.append("@data")
    for row in rows:
        cells = ["?" if c is None else weka_quoted(c) for c in row]
        if sparse:
            zero = [("0" if kind == "numeric" else levels[0]) for _, kind, levels in attributes]
            out.append("{" + ", ".join(f"{j} {c}" for j, (c, raw) in enumerate(zip(cells, row))
                                       if raw != zero[j]) + "}")
        else:
            out.append(",".join(cells))
    return "\n".join(out) + "\n"


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
               | st.sampled_from(list("',\"%\\{}? \t\n")), min_size=1, max_size=12)
NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9 _.'%-]{0,10}", fullmatch=True).map(str.strip) \
    .filter(bool)
NUMBER = st.one_of(st.integers(-10**6, 10**6).map(str),
                   st.floats(-1e6, 1e6, allow_nan=False).map(repr))


@st.composite
def arff_tables(draw, sparse_ok=True):
    width = draw(st.integers(1, 5))
    names = draw(st.lists(NAME, min_size=width, max_size=width, unique=True))
    attributes = []
    for name in names:
        kind = draw(st.sampled_from(["numeric", "nominal", "string"]))
        levels = draw(st.lists(TEXT, min_size=1, max_size=4, unique=True)) \
            if kind == "nominal" else None
        attributes.append((name, kind, levels))
    sparse = sparse_ok and all(k != "string" for _, k, _ in attributes) and draw(st.booleans())
    cell = {"numeric": lambda lv: NUMBER, "nominal": lambda lv: st.sampled_from(lv),
            "string": lambda lv: TEXT}
    rows = draw(st.lists(st.tuples(*[
        (cell[k](lv) | st.none()) if not sparse else cell[k](lv) for _, k, lv in attributes]),
        min_size=1, max_size=8))
    return attributes, [list(r) for r in rows], sparse


def _expected_cell(value, kind):
    return "" if value is None else value


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arff_tables())
def test_arff_reads_what_a_weka_writer_wrote(tmp_path_factory, drawn):
    """Names, cells and rows as written (quotes, escapes, `%`, `{`, line breaks in values;
    sparse rows' omitted 0s), a missing value empty; a row of missing values only is skipped
    as a CSV's row of empty cells. On main: refused as ARFF, whatever it held."""
    attributes, rows, sparse = drawn
    path = tmp_path_factory.mktemp("arff") / "drawn.arff"
    path.write_text(write_arff(attributes, rows, sparse), encoding="utf-8")
    expected = [[_expected_cell(v, k) for v, (_, k, _) in zip(r, attributes)] for r in rows]
    expected = [r for r in expected if any(r)]
    if any(k == "nominal" and v and table_lib.is_missing(v) for r in expected
           for v, (_, k, _) in zip(r, attributes)):  # a value `?`, `NA`: round h86 refuses it
        with pytest.raises(UserError, match="is read as a missing value"):
            table_lib.read_table(str(path))
        return
    if not expected:
        with pytest.raises(UserError, match="no examples"):
            table_lib.read_table(str(path))
        return
    table = table_lib.read_table(str(path))
    assert table.names == [a[0] for a in attributes]
    got = [[float(c) if k == "numeric" and c else c for c, (_, k, _) in zip(r, attributes)]
           for r in table.rows]
    assert got == [[float(c) if k == "numeric" and c else c for c, (_, k, _) in
                    zip(r, attributes)] for r in expected]
    assert table.declared == {n: "categorical" if k == "nominal" else k
                              for n, k, _ in attributes}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e3, 1e3, allow_nan=False) | st.none(),
                          st.sampled_from(["a", "b", "c_d", "?"]),
                          st.integers(-50, 50)), min_size=1, max_size=10))
def test_arff_reads_as_scipy_reads_the_files_it_reads(tmp_path_factory, rows):
    """scipy.io.arff.loadarff (dense rows, numeric and nominal attributes) as the oracle: the
    same names, the same numbers (NaN where we read a gap), the same nominal values. Plain
    values only: scipy reads `'d\\'e'` as `d\\e'` and refuses `'b c'` quoted in a row."""
    from scipy.io import arff
    attributes = [("x", "real", None), ("colour", "nominal", ["a", "b", "c_d"]),
                  ("n", "integer", None)]
    cells = [[None if x is None else repr(x), None if c == "?" else c, str(n)]
             for x, c, n in rows]
    text = write_arff([(n, "numeric" if k != "nominal" else k, lv) for n, k, lv in attributes],
                      cells).replace("numeric", "real", 1)
    path = tmp_path_factory.mktemp("arff") / "s.arff"
    path.write_text(text, encoding="utf-8")
    data, meta = arff.loadarff(str(path))
    table = table_lib.read_table(str(path))
    assert table.names == list(meta.names())
    assert len(table.rows) == len(data)
    for ours, theirs in zip(table.rows, data):
        assert (ours[0] == "") == math.isnan(theirs[0])
        assert ours[0] == "" or float(ours[0]) == theirs[0]
        assert (ours[1] or "?") == theirs[1].decode()
        assert float(ours[2]) == theirs[2]


def test_arff_string_and_date_attributes_scipy_refuses(tmp_path):
    """OpenML's text columns are `string` attributes, which scipy refuses; the reader reads
    them as any file's text (a review a document, its note said), dates as the reader reads
    dates; a date attribute in a format it does not read is refused naming the attribute."""
    from scipy.io import arff
    rng = np.random.default_rng(0)
    words = "good bad fine awful great poor nice dull".split()
    rows = [(f"'{' '.join(rng.choice(words, 5))} it\\'s {i}'", f"2020-01-{i % 28 + 1:02d}",
             f"{rng.normal():.3f}", "yes" if i % 2 else "no") for i in range(50)]
    head = ("@relation reviews\n@attribute review string\n@attribute day date 'yyyy-MM-dd'\n"
            "@attribute score numeric\n@attribute class {no,yes}\n@data\n")
    path = tmp_path / "r.arff"
    path.write_text(head + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(NotImplementedError):
        arff.loadarff(str(path))
    specs, table, _, notes, _ = typed(path, "class")
    assert table.rows[0][0] == rows[0][0][1:-1].replace("\\'", "'")
    assert {s["name"]: s["type"] for s in specs} == {"review": "text", "score": "numeric"}
    assert any("'day' not used: it holds dates" in n for n in notes)
    bad = tmp_path / "bad.arff"
    bad.write_text(head.replace("'yyyy-MM-dd'", "'dd.MM.yy'") + "'a b c',03.04.01,1,no\n",
                   encoding="utf-8")
    with pytest.raises(UserError) as refused:
        typed(bad, "class")
    assert "\n" not in str(refused.value) and "column 'day'" in str(refused.value)


def test_nominal_attributes_are_categories_of_their_declared_values(tmp_path):
    """`{1, 2, ..., 20}` (a rating declared nominal) is categories, as written, where its
    cells alone (20 whole numbers) read as a quantity; the label `{0, 1}` is two classes."""
    rng = np.random.default_rng(3)
    levels = ", ".join(str(k) for k in range(1, 21))
    rows = [f"{rng.integers(1, 21)},{rng.normal():.3f},{i % 2}" for i in range(200)]
    path = tmp_path / "n.arff"
    path.write_text(f"@relation n\n@attribute rating {{{levels}}}\n@attribute v numeric\n"
                    "@attribute y {0,1}\n@data\n" + "\n".join(rows) + "\n", encoding="utf-8")
    specs, table, train, _, raw = typed(path, "y")
    spec = next(s for s in specs if s["name"] == "rating")
    assert (spec["type"], spec["dtype"]) == ("categorical", "string")
    assert set(raw.y) == {"0", "1"}
    csv = tmp_path / "n.csv"  # the same cells as a CSV: the rating is a quantity
    pd.DataFrame(table.rows, columns=table.names).to_csv(csv, index=False)
    assert next(s for s in typed(csv, "y")[0] if s["name"] == "rating")["type"] == "numeric"


@pytest.mark.parametrize("text, named", [
    ("@attribute x numeric\n@attribute y {a,b}\n@data\n1,c\n", "'c' is not one of"),
    ("@attribute x numeric\n@attribute y {a,b}\n@data\none,a\n", "'one' is not a number"),
    ("@attribute x numeric\n@attribute y {a,b}\n@data\n1,a,2\n", "3 values where"),
    ("@attribute c string\n@attribute y {a,b}\n@data\nNew York a\n", "but is not quoted"),
    ("@attribute s string\n@attribute y {a,b}\n@data\n{1 b}\n", "leaves out the string"),
    ("@attribute b relational\n@attribute y {a,b}\n@data\n", "relational"),
    ("@attribute x numeric\n@attribute y {a,b}\n@data\n'1,a\n", "not closed"),
    ("@attribute x money\n@data\n", "type 'money'"),
])
def test_arff_refusals_are_one_line_naming_the_line(tmp_path, text, named):
    path = tmp_path / "bad.arff"
    path.write_text("@relation bad\n" + text, encoding="utf-8")
    with pytest.raises(UserError) as refused:
        table_lib.read_table(str(path))
    message = str(refused.value)
    assert "\n" not in message and named in message and "bad.arff" in message


# -------------------------------------------------------------------------------- Orange flags

def _orange(tmp_path, flags, n=40):
    rng = np.random.default_rng(5)
    rows = [[f"p{i}", str(rng.integers(20, 70)), f"{rng.normal():.2f}", rng.choice(["yes", "no"]),
             f"note {i % 3}"] for i in range(n)]
    lines = ["name\tage\tscore\tsurvived\tnote", "s\tc\tc\td\ts", "\t".join(flags)]
    path = tmp_path / "o.tab"
    path.write_text("\n".join(lines + ["\t".join(r) for r in rows]) + "\n", encoding="utf-8")
    return path, rows


def test_orange_meta_and_ignore_columns_are_no_features_and_class_is_the_label(tmp_path):
    """Before: `name` (a meta, one a row) left out as an id by chance, `age` (ignore) and
    `note` (meta) features, and the label the last column, `note`. Now the features are the
    unflagged columns, the label the class, as Orange's own reading (pandas, the two header
    rows skipped) has them."""
    path, rows = _orange(tmp_path, ["meta", "i", "", "class", "meta"])
    specs, table, _, notes, raw = typed(path)
    assert [s["name"] for s in specs] == ["score"]
    assert list(raw.y) == [r[3] for r in rows]
    frame = pd.read_csv(path, sep="\t", skiprows=[1, 2], dtype=str)
    assert list(raw.y) == frame["survived"].tolist()
    assert sum("Orange's header flags it" in n for n in notes) == 3
    specs, *_ = typed(path, overrides={"note": "categorical"})  # typed: a feature again
    assert [s["name"] for s in specs] == ["score", "note"]
    _, _, _, _, raw = typed(path, "survived")
    assert list(raw.y) == frame["survived"].tolist()
    path, _ = _orange(tmp_path, ["meta", "i", "", "class", "meta include=True"])
    specs, *_ = typed(path)  # orange3-text's documents: a meta included
    assert [s["name"] for s in specs] == ["score", "note"]


def test_orange_class_and_another_label_named(tmp_path):
    """A label named that the file does not flag class is the label (predicting another column
    is a task of its own), and the file's class column is left out of the features as a meta
    is, with a note (typed in data.features it is one again); a file flagging two class
    columns asks which, unless one is named."""
    path, rows = _orange(tmp_path, ["meta", "", "", "class", ""])
    specs, _, _, notes, raw = typed(path, "note")
    assert list(raw.y) == [r[4] for r in rows]
    assert [s["name"] for s in specs] == ["age", "score"]
    said = [n for n in notes if n.startswith("column 'survived' not used")]
    assert len(said) == 1 and "'note'" in said[0] and "\n" not in said[0], notes
    specs, *_ = typed(path, "note", overrides={"survived": "categorical"})
    assert [s["name"] for s in specs] == ["age", "score", "survived"]
    path, _ = _orange(tmp_path, ["", "", "class", "class", ""])
    with pytest.raises(UserError, match="marks 2 columns class"):
        typed(path)
    assert typed(path, "survived")[4].y[0] in ("yes", "no")  # one of them named: read


# ---------------------------------------------------------------------------- identifiers

@pytest.mark.parametrize("name", ["PID", "userid", "user_id", "uuid", "guid", "UserGUID",
                                  "customerid", "sessionid"])
def test_identifier_names_and_english_words_ending_in_id(tmp_path, name):
    """Named as identifiers, whole numbers over more than 10 values: codes (on main `PID`,
    `userid`, `uuid`, `guid` were normalized quantities); `Kid`, `Valid`, `grid`, `paid` of
    the same numbers stay quantities."""
    rng = np.random.default_rng(7)
    n = 80
    codes = rng.integers(100, 130, n)
    frame = pd.DataFrame({name: codes, "Kid": codes, "Valid": codes, "grid": codes,
                          "paid": codes, "y": ["a", "b"] * (n // 2)})
    path = tmp_path / "ids.csv"
    frame.to_csv(path, index=False)
    types = {s["name"]: (s["type"], s.get("said")) for s in typed(path, "y")[0]}
    assert types[name] == ("categorical", "id")
    assert all(types[w] == ("numeric", None) for w in ("Kid", "Valid", "grid", "paid"))


def test_an_identifier_written_12_and_12_0_is_one_category(tmp_path):
    """On main `12` and `12.0` were two categories (16 values for 8 ids), in training and in
    the export. Now one: the categories pandas counts once it reads the column as numbers, and
    a row of `12.0` encodes as a row of `12`."""
    rng = np.random.default_rng(8)
    n = 80
    codes = rng.integers(1, 9, n)
    cells = [f"{c}.0" if i % 2 else str(c) for i, c in enumerate(codes)]
    path = tmp_path / "ids.csv"
    pd.DataFrame({"user_id": cells, "v": rng.normal(size=n), "y": ["a", "b"] * (n // 2)}) \
        .to_csv(path, index=False)
    specs, table, train, _, _ = typed(path, "y")
    columns = features.raw_columns(table, specs)
    prep = features.TablePreprocessing(specs, {k: v[train] for k, v in columns.items()})
    spec = next(s for s in specs if s["name"] == "user_id")
    assert spec["distinct"] == pd.read_csv(path)["user_id"].iloc[train].nunique()
    both = {"user_id": np.array(["5", "5.0"], dtype=object), "v": np.zeros(2, np.float32)}
    x = prep.encode(both).numpy()
    np.testing.assert_array_equal(x[0], x[1])


# ----------------------------------------------------------------- fixes keep the given types

FLAG = re.compile(r"--config\.data\.features=('(?:[^']|'\"'\"')*')")


def test_the_wordless_text_refusal_keeps_the_types_given(tmp_path):
    """The printed fix replaces data.features whole: on main it offered `{"sym": "ignore"}`
    alone, and pasted, `code` (typed ignore by the user) came back as a feature."""
    rng = np.random.default_rng(9)
    n = 40
    path = tmp_path / "w.csv"
    pd.DataFrame({"cat": rng.choice(list("abc"), n), "code": np.arange(n),
                  "sym": rng.choice(["!!!", "...", "?!"], n), "y": ["x", "y"] * (n // 2)}) \
        .to_csv(path, index=False)
    dc = data_config("csv", path, label_column="y")
    dc.features = {"sym": "text", "code": "ignore"}
    with pytest.raises(UserError) as refused:
        sources.load(dc, task("binary"), 0)
    message = str(refused.value)
    (value,) = shlex.split(FLAG.search(message).group(1))
    assert "\n" not in message and json.loads(value) == {"sym": "ignore", "code": "ignore"}
