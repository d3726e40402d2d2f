"""Tables users bring, round h90: public tables no config ships with, and tables as real tools
export them (benchmarks/PUBLIC_TABLES.md, "Round h90"). Each class fixed at one place, checked
against an independent writer (pandas' `to_csv`, a writer of Orange's documented one-line
header, the test's own ARFF rows) and failing without its fix:
- pandas' `to_csv` of a frame whose columns are numbered (semopy's kinship matrix: `,0,1,...`
  over the index) had its header read as an example, silently: a row added, the corner cell a
  gap in the index column, every column named one further on (table `_numbered_over_index`);
- Excel's `sep=;` line 1 was refused twice (first naming data.delimiter, then asking to delete
  the line): now read as Excel reads it, the delimiter (table `EXCEL_SEP`);
- Orange's one-line header (`cD#iris,C#sepal length,mS#note`) was read as names with their
  prefixes and its class flag ignored (a class not last: the last column trained as the label,
  silently): now read as Orange reads it (table `_orange_one_line`);
- the notes' "to use it" flags name one column each, and a data.features flag replaces the
  types before it: one line now gives them all, beside the types given (features
  `one_flag_note`);
- ARFF's dense rows without quotes, escapes or comments split at commas by `str.split` (100,000
  rows: 2-3x faster); the same cells as the character walk (arff `PLAIN_ROW`).
"""

import csv
import io
import json
import re
import shlex

import numpy as np
import pandas as pd
import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import data_config, task, typed_table
from ktrain_kit.data import arff, features, sources, table as table_lib
from ktrain_kit.errors import UserError

WORD = st.from_regex(r"[a-z][a-z ]{0,8}[a-z]", fullmatch=True)
SETTINGS = dict(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------ pandas' header of numbered columns + index

@settings(**SETTINGS)
@given(st.integers(3, 12), st.integers(2, 8), st.booleans(), st.integers(0, 2**31))
def test_numbered_columns_over_an_index_are_a_header(tmp_path_factory, rows, width, shuffled,
                                                     seed):
    """`pd.DataFrame(matrix).to_csv(path)` (the index written, its name empty): line 1 names
    the columns, as pandas reads it back; the index is left out as row numbers. On main line
    1 was an example: one row more, each name one column off."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(rows, width)).round(4))
    frame[width] = np.arange(rows) % 2  # the label: classes 0 / 1, the last numbered column
    if shuffled:  # a filtered / shuffled frame keeps its index labels
        frame = frame.iloc[rng.permutation(rows)]
    path = tmp_path_factory.mktemp("numbered") / "matrix.csv"
    frame.to_csv(path)
    back = pd.read_csv(path, index_col=0)
    specs, table, _, notes, _ = typed_table(str(path), train_rows="all")
    assert table.header and len(table.rows) == len(back)
    assert [table.names[s["column"]] for s in specs] == [str(c) for c in back.columns][:-1]
    got = features.raw_columns(table, specs)
    for name in back.columns[:-1]:
        np.testing.assert_allclose(got[str(name)], back[name].to_numpy(), rtol=1e-6)
    assert any("pandas' index" in n for n in notes)


def test_a_line_of_numbers_over_a_column_with_a_gap_is_still_asked(tmp_path):
    """`,0,1,2` over a first column that is no index (a gap, or repeats) is not pandas'
    header: it is asked, as a line of `0,1,2` is (README, data.header). On main it was read
    as an example, silently."""
    path = tmp_path / "t.csv"
    path.write_text(",0,1,2\n5,1.5,2.5,3.5\n5,1.0,2.0,3.0\n,4.5,5.5,6.5\n")
    with pytest.raises(UserError, match="cannot tell whether line 1 names the columns"):
        table_lib.read_table(str(path))


# ------------------------------------------------------------------ Excel's `sep=` line

@st.composite
def frames(draw):
    n = draw(st.integers(3, 10))
    return pd.DataFrame({
        "size": draw(st.lists(st.floats(-1e4, 1e4, allow_nan=False).map(lambda v: round(v, 3)),
                              min_size=n, max_size=n)),
        "kind": draw(st.lists(WORD, min_size=n, max_size=n)),
        "label": draw(st.lists(st.sampled_from(["yes", "no"]), min_size=n, max_size=n))})


@settings(**SETTINGS)
@given(frames(), st.sampled_from([";", ",", "|", "\t"]), st.booleans())
def test_excel_sep_line_is_the_delimiter(tmp_path_factory, frame, sep, bom):
    """`sep=;` then the table (decimal commas with `;`, CRLF, a BOM or not), as exporters
    write it for Excel: the cells pandas reads with `sep=..., skiprows=1`, the line said. On
    main: refused (`line 1 looks semicolon-delimited`, then `delete line 1`)."""
    decimal = "," if sep == ";" else "."
    body = frame.to_csv(index=False, sep=sep, decimal=decimal, lineterminator="\r\n")
    path = tmp_path_factory.mktemp("sep") / "export.csv"
    path.write_bytes((("\ufeff" if bom else "") + f"sep={sep}\r\n" + body).encode("utf-8"))
    back = pd.read_csv(path, sep=sep, decimal=decimal, skiprows=1, encoding="utf-8-sig",
                       dtype=str, keep_default_na=False)
    table = table_lib.read_table(str(path))
    assert table.names == list(back.columns)
    assert [r[1:] for r in table.rows] == back.to_numpy()[:, 1:].tolist()
    np.testing.assert_allclose([float(r[0]) for r in table.rows], frame["size"], rtol=1e-9)
    assert table.lines[0] == 3 and any("Excel's delimiter line" in n for n in table.notes)
    assert "skiprows=1" in table.pandas_io[0]


# --------------------------------------------------------------- Orange's one-line header

ORANGE_TYPE = {"continuous": "C", "discrete": "D", "string": "S"}
ORANGE_FLAG = {"": "", "class": "c", "meta": "m", "ignore": "i"}


@st.composite
def orange_headers(draw):
    """[(name, type, flag)] with one class column anywhere, as Orange's docs write them."""
    width = draw(st.integers(3, 6))
    names = draw(st.lists(WORD, min_size=width, max_size=width, unique=True))
    kinds = draw(st.lists(st.sampled_from(["continuous", "discrete", "string", ""]),
                          min_size=width, max_size=width))
    flags = draw(st.lists(st.sampled_from(["", "", "meta", "ignore"]), min_size=width,
                          max_size=width))
    at = draw(st.integers(0, width - 1))
    flags[at], kinds[at] = "class", "discrete"
    if all(f for f in flags):  # a feature left
        flags[(at + 1) % width] = ""
    return list(zip(names, kinds, flags))


def write_one_line(columns, n=12, seed=0) -> str:
    """Orange's one-line header (flags lower case, type upper case, `#`, the name), then rows:
    numbers under continuous columns, words elsewhere, the class `a` / `b`."""
    rng = np.random.default_rng(seed)
    head = [f"{ORANGE_FLAG[f]}{ORANGE_TYPE.get(k, '')}#{name}" if (f or k) else name
            for name, k, f in columns]
    rows = [[("a" if i % 2 else "b") if f == "class" else
             f"{rng.normal():.3f}" if k == "continuous" else f"w{rng.integers(3)}"
             for _, k, f in columns] for i in range(n)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([head, *rows])
    return out.getvalue()


@settings(**SETTINGS)
@given(orange_headers())
def test_orange_one_line_header_is_read_as_orange_reads_it(tmp_path_factory, columns):
    """Names without their prefixes, the class column the label at -1, meta / ignore columns
    no features, continuous ones declared. On main: names `cD#...`, the last column the
    label."""
    path = tmp_path_factory.mktemp("orange") / "one_line.csv"
    path.write_text(write_one_line(columns))
    table = table_lib.read_table(str(path))
    assert table.names == [name for name, _, _ in columns] and len(table.rows) == 12
    label = next(name for name, _, f in columns if f == "class")
    assert table_lib.declared_label(table, -1) == label
    assert {table.names[j] for j in table.flagged} == \
        {name for name, _, f in columns if f in ("meta", "ignore")}
    assert all("(line 1)" in why for why in table.flagged.values())
    assert set(table.declared) == {name for name, k, _ in columns if k == "continuous"}
    specs, _, _, notes, _ = typed_table(str(path), train_rows="all")
    assert {s["name"] for s in specs} == \
        {name for name, _, f in columns if not f}
    assert any("Orange's one-line header" in n for n in notes)


def test_a_header_with_hash_signs_that_are_names_stays_names(tmp_path):
    """The control: `C#` (a language), `#id` and `a#b` are names, not Orange's prefixes."""
    path = tmp_path / "t.csv"
    path.write_text("C#,#id,a#b,y\n1.5,2.5,3.5,x\n2.5,1.5,0.5,z\n")
    assert table_lib.read_table(str(path)).names == ["C#", "#id", "a#b", "y"]


# ------------------------------------------------------- the notes' flags, given in one

def test_the_notes_flags_are_given_in_one_beside_the_types_given(tmp_path):
    """A date column, an identifier and a column the user typed: each note's flag names its
    column alone, so one line of the run (sources.load's notes) gives them all with the
    user's type. Pasted, that flag keeps every column the notes offered, the user's type too.
    On main: no such line."""
    rng = np.random.default_rng(0)
    n = 80
    pd.DataFrame({"when": pd.date_range("2020-01-01", periods=n).strftime("%Y-%m-%d"),
                  "order_id": rng.permutation(np.arange(10**5, 10**5 + n)),
                  "code": rng.integers(0, 3, n), "x": rng.normal(size=n),
                  "y": rng.integers(0, 2, n)}).to_csv(tmp_path / "t.csv", index=False)
    dc = data_config("csv", tmp_path / "t.csv", label_column="y")
    dc.features = {"code": "numeric"}
    notes = sources.load(dc, task("binary"), 0).notes
    flags = [json.loads(shlex.split(f)[0]) for n in notes for f in FLAG.findall(n)]
    assert {"when": "categorical"} in flags and {"order_id": "numeric"} in flags
    assert {"code": "numeric", "when": "categorical", "order_id": "numeric"} in flags
    dc.features = None  # one flag offered, no type given: no extra line
    pd.read_csv(tmp_path / "t.csv").drop(columns="order_id").to_csv(tmp_path / "t.csv",
                                                                    index=False)
    notes = sources.load(dc, task("binary"), 0).notes
    assert [json.loads(shlex.split(f)[0]) for n in notes for f in FLAG.findall(n)] == \
        [{"when": "categorical"}]


FLAG = re.compile(r"--config\.data\.features=('(?:[^']|'\"'\"')*')")  # as the notes quote it


# ---------------------------------------------------------------- ARFF's plain rows

PLAIN = st.text(st.sampled_from(list("ab 9.-?\t")), max_size=6)
QUOTED = st.text(st.sampled_from(list("ab ,%'\"\\")), max_size=6)


@settings(**SETTINGS)
@given(st.lists(st.one_of(PLAIN, QUOTED), min_size=1, max_size=6))
def test_arff_plain_rows_split_as_the_character_walk(values):
    """A dense row split by `str.split` (no quote, escape or `%`) gives the cells the
    character walk gives (`arff._split`); rows with them still take the walk. Checked
    against the walk itself on every drawn row."""
    line = ",".join(values)
    attributes = [(f"a{j}", "string", None) for j in range(len(values))]
    try:
        walked = [("" if v == "?" and not q else v) for v, q in
                  arff._split(line.strip(), 1, "t.arff")]
    except UserError:
        walked = None
    try:
        got = arff._dense(line.strip(), attributes, 1, "t.arff")
    except UserError:
        got = None
    if walked is not None and len(walked) == len(attributes):
        assert got == walked
    assert bool(arff.PLAIN_ROW.search(line)) == any(c in line for c in "'\"\\%")
