"""Tables users bring, round h94 (benchmarks/PUBLIC_TABLES.md, "Round h94"): four classes, two
round h90 left alone, each fixed at one place of the reader and checked against pandas given the
setting a user of pandas gives:
- comment lines on top ('# exported by ...', R's '## Source: ...') were refused, asking the
  user to delete them: now read as comments when each is of another width than the line below
  them (table `_leading_comments`), as pandas reads the file with `skiprows`;
- a column of numbers all written with one currency sign (`$1,234.50`, `5,10 €`) or a percent
  sign (`12.5%`) was refused, the only fix offered a category per value: now read as the
  numbers they write (table `_unsigned_numbers`), as pandas' `str.strip` of the sign gives;
- SAS's `01JAN2021` / `01JAN2021:08:30:00` were left out as ids, not dates (features `DATE`);
- values beyond a limit among numbers (`<0.1`) made the column categories, silently, past the
  strays' share: now markers, refused naming them (features `CENSORED`).
"""

import csv
import io

import numpy as np
import pandas as pd
import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import data_config, task, typed_table
from ktrain_kit.data import sources, table as table_lib
from ktrain_kit.errors import UserError

SETTINGS = dict(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# a comment's text: words, and the delimiters, quotes and `#` a comment may hold
COMMENT = st.text(st.sampled_from(list("abc xyz09:,;|\t\"'#-")), min_size=0, max_size=30)


def frame_of(rng, rows, width):
    frame = pd.DataFrame(rng.normal(size=(rows, width)).round(3),
                         columns=[f"x{j}" for j in range(width)])
    frame["label"] = np.where(rng.random(rows) < 0.5, "yes", "no")
    return frame


# ------------------------------------------------------------------ comment lines on top

@settings(**SETTINGS)
@given(st.lists(COMMENT, min_size=1, max_size=3), st.integers(2, 6), st.integers(3, 15),
       st.sampled_from([",", "|", "\t"]), st.booleans(), st.integers(0, 2**31))
def test_comment_lines_on_top_are_read_as_the_file_without_them(tmp_path_factory, comments, width,
                                                            rows, delimiter, blank, seed):
    """'#' lines above a header: read as pandas reads the file without them, cell for cell;
    the note names them. On main: refused ('delete line 1 ... and any other comment
    line'). A comment as wide as the header (its cells split as the file's) is the header
    itself, and is left out of the draw (see the next test)."""
    frame = frame_of(np.random.default_rng(seed), rows, width)
    body = frame.to_csv(index=False, sep=delimiter)
    lines = [f"# {c}" for c in comments]
    width_of = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines]
    if width + 1 in width_of:
        return
    top = "\n".join(lines) + "\n" + ("\n" if blank else "")
    path = tmp_path_factory.mktemp("comments") / ("t.tsv" if delimiter == "\t" else "t.csv")
    path.write_text(top + body)
    setting = {",": "auto", "|": "|", "\t": "auto"}[delimiter]
    table = table_lib.read_table(str(path), delimiter=setting)
    back = pd.read_csv(io.StringIO(body), sep=delimiter, dtype=str)  # the file without them
    assert table.names == list(back.columns)
    assert table.rows == back.to_numpy().tolist()
    assert any("read as a comment" in n or "read as comments" in n for n in table.notes)
    assert f"skiprows={len(lines) + blank}" in table.pandas_io[0] or blank


def test_a_hash_line_as_wide_as_the_rows_is_the_header_and_cells_keep_their_hashes(tmp_path):
    """Controls (read so on main too): `#id` names a column; `C#`, `#VALUE!` inside cells are
    values, not comments (what pandas' comment='#' would cut)."""
    path = tmp_path / "t.csv"
    path.write_text("#id,lang,label\n1,C#,yes\n2,#VALUE!,no\n3,C#,yes\n")
    table = table_lib.read_table(str(path))
    assert table.names == ["#id", "lang", "label"]
    assert [r[1] for r in table.rows] == ["C#", "#VALUE!", "C#"]
    assert not table.notes


def test_comments_below_the_header_are_refused_as_before(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,label\n1,2,yes\n# a note\n3,4,no\n")
    with pytest.raises(UserError, match=r"delete line 3 \('# a note'\)"):
        table_lib.read_table(str(path))


# ------------------------------------------------------------ currency and percent signs

def signed(value, sign, grouped, decimal=".", space=""):
    """`value` as a spreadsheet formats it: `$-1,234.50`-style, the sign before (currencies
    `$ £`) or after (`€`, `%`) the number, thousands grouped or not."""
    text = f"{abs(value):,.2f}" if grouped else f"{abs(value):.2f}"
    if decimal == ",":
        text = text.replace(",", " ").replace(".", ",")
    minus = "-" if value < 0 else ""
    return f"{minus}{sign}{space}{text}" if sign in "$£" else f"{minus}{text}{space}{sign}"


@settings(**SETTINGS)
@given(st.lists(st.floats(-99999, 99999, allow_nan=False).map(lambda v: round(v, 2)),
                min_size=4, max_size=20),
       st.sampled_from(["$", "£", "€", "%"]), st.booleans(), st.sampled_from(["", " "]),
       st.sampled_from([",", ";"]), st.integers(0, 2**31))
def test_numbers_with_one_currency_or_percent_sign_read_as_their_numbers(
        tmp_path_factory, values, sign, grouped, space, delimiter, seed):
    """Every cell of the column one sign: read as the number written (NumPy: the drawn values,
    rounded as written; a percent in points), beside pandas' reading of the other columns.
    On main: refused ('a number written with a currency sign'), categories the only fix."""
    rng = np.random.default_rng(seed)
    decimal = "," if delimiter == ";" else "."
    frame = pd.DataFrame({"amount": [signed(v, sign, grouped, decimal, space) for v in values],
                          "x": rng.normal(size=len(values)).round(3),
                          "label": np.where(np.arange(len(values)) % 2, "yes", "no")})
    path = tmp_path_factory.mktemp("signed") / "t.csv"
    frame.to_csv(path, index=False, sep=delimiter, decimal=decimal)
    dc = data_config("csv", str(path), label_column="label")
    dc.delimiter = delimiter if delimiter == ";" else "auto"
    specs, table, _, notes, _ = typed_table(str(path), label="label") if delimiter == "," else \
        _typed(dc)
    column = table.names.index("amount")
    read = [float(r[column]) for r in table.rows]
    np.testing.assert_array_equal(read, np.round(values, 2))
    assert [s["dtype"] for s in specs if s["name"] == "amount"] == ["float32"]  # numbers
    assert any("'amount': numbers written with" in n for n in notes)


def _typed(dc):
    from ktrain_kit.data import features
    raw = sources._csv(dc, task(), None)
    table = raw.table["table"]
    rows = np.arange(len(table.rows))
    specs = features.column_specs(table, raw.table["features"], rows, None)
    return specs, table, rows, [*raw.notes, *features.typing_notes(table, specs)], raw


def test_a_regression_target_in_dollars_is_read_as_its_numbers(tmp_path):
    """The label too (Kaggle's prices): y equals the prices written, not a refusal."""
    prices = np.round(np.random.default_rng(1).gamma(2, 900, 40), 2)
    path = tmp_path / "t.csv"
    pd.DataFrame({"rooms": np.arange(40) % 5, "price": [f"${p:,.2f}" for p in prices]}).to_csv(
        path, index=False)
    raw = sources._csv(data_config("csv", str(path), label_column="price"), task("regression"),
                       None)
    np.testing.assert_allclose(np.asarray(raw.y, dtype=np.float64).ravel(), prices, rtol=1e-6)


@pytest.mark.parametrize("cells", [["$3.50", "12"], ["$3.50", "4 €"], ["12%", "$3"],
                                   ["($1,234)", "$500"]])
def test_a_column_mixing_signs_or_plain_numbers_is_refused_as_before(tmp_path, cells):
    """Controls (refused on main too): one strict rule, one sign in every cell."""
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": cells * 5, "label": ["a", "b"] * 5}).to_csv(path, index=False)
    with pytest.raises(UserError, match="column 'x'.*is a number written with"):
        typed_table(str(path), label="label")


# ------------------------------------------------------------------------ SAS's dates

@pytest.mark.parametrize("fmt,sas", [("%d%b%Y", "DATE9."), ("%d%b%Y:%H:%M:%S", "DATETIME.")])
def test_sas_dates_are_dates(tmp_path, fmt, sas):
    """SAS's `01JAN2021` / `01JAN2021:08:30:00` (pandas parses each with `fmt`): left out as
    dates, the note saying so and offering numbers made from them. On main: 'a different text
    on every row (an id, a name, a note)', the dates' own advice not given."""
    when = pd.date_range("2021-01-01 08:30", periods=30, freq="37h")
    cells = [d.strftime(fmt).upper() for d in when]
    back = pd.to_datetime(cells, format=fmt)  # pandas: dates, to the day or the second
    assert list(back) == list(when if ":" in fmt else when.floor("D"))
    path = tmp_path / "t.csv"
    pd.DataFrame({"visit": cells, "x": np.arange(30) * 0.5, "label": ["a", "b"] * 15}).to_csv(
        path, index=False)
    specs, _, _, notes, _ = typed_table(str(path), label="label")
    assert [s["name"] for s in specs] == ["x"]
    assert any("'visit' not used: it holds dates" in n for n in notes), notes


# ------------------------------------------------------------- values beyond a limit

@pytest.mark.parametrize("limits", [["<0.1"], ["<0.1", "unknown"], ["> 100", "n.a."]])
def test_limits_among_numbers_are_refused_naming_them(tmp_path, limits):
    """A lab's `<0.1` among measured numbers (a tenth of the cells): refused in one line naming
    the texts and the pandas line reading them as gaps, which pandas then reads as numbers. On
    main the column was categories, silently: a category per measured number."""
    rng = np.random.default_rng(3)
    cells = [str(v) for v in rng.normal(5, 2, 60).round(2)]
    for n, k in enumerate(range(0, 60, 8)):
        cells[k] = limits[n % len(limits)]
    path = tmp_path / "t.csv"
    pd.DataFrame({"lead": cells, "x": np.arange(60), "label": ["a", "b"] * 30}).to_csv(
        path, index=False)
    with pytest.raises(UserError, match=r"column 'lead': .* in a column of numbers") as refusal:
        typed_table(str(path), label="label")
    named = str(refusal.value).split("na_values=")[1].split(")")[0]
    assert sorted(eval(named)) == sorted(set(limits))  # noqa: S307 (the message's own list)
    assert pd.read_csv(path, na_values=eval(named))["lead"].dtype.kind == "f"  # noqa: S307


def test_codes_holding_digits_stay_categories():
    """Control (main too): tickets `PC 17599` beside `113803` are codes, not limits."""
    import tempfile, os
    cells = [str(113800 + k) for k in range(15)] * 2 + [f"PC {17590 + k}" for k in range(5)] * 2
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "t.csv")
        pd.DataFrame({"ticket": cells, "x": np.arange(40), "label": ["a", "b"] * 20}).to_csv(
            path, index=False)
        specs, *_ = typed_table(path, label="label")
    assert [s["type"] for s in specs if s["name"] == "ticket"] == ["categorical"]
