"""The table reader against the writers users write tables with: the ORACLE is the writer
itself. A drawn table (names with letters, columns of whole numbers, floats with signs and
exponents, words, free text holding spaces, commas, quotes, semicolons, tabs, pipes and line
breaks, empty cells) is written by one writer with one set of its options - Python's
csv.writer in every dialect option, pandas' DataFrame.to_csv, R's write.csv / write.csv2 /
write.table (built from R's own rules: utils' io.c, `EncodeElement2`) - and read back with
`read_table(path, "auto", [label])`, the delimiter and decimal mark given as a user gives
them (`data.delimiter`, `data.decimal`; a tab file named .tsv). Its cells must be the cells
that the writer's own reader gives with the writer's exact settings (csv.reader, pandas.
read_csv, R's read.table: the drawn table), stripped and with blank rows skipped as the
reader documents.

The few rules of the reader that make a valid file read other than its writer's reader reads
it are the reader's documented rules for input that is genuinely ambiguous (two writers'
rules read the same bytes two ways); each is modelled where it applies, with the reason:
decimal commas and stripping (`as_the_reader_documents`), `\\"` read as written where that
holds and `\\\\` as two backslashes (`check`), names spelled as gaps or numbers over R's short
header (`NAME`), R's `a\\` (`test_r_...`), quotes as text (data.quoting=none), and two rows
that spell Orange's header (`check`).

`WRITER_EXAMPLES=3000 pytest tests/test_table_writers.py` runs the long search (benchmarks/
PUBLIC_TABLES.md, round h77).
"""

import csv
import io
import os

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ktrain_kit.data import table as table_lib
from ktrain_kit.errors import UserError

EXAMPLES = int(os.environ.get("WRITER_EXAMPLES", "250"))
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéÜ"
WORDS = ["red", "green", "blue", "Adelie", "Gentoo", "yes", "no", "setosa", "Zürich"]
# free text: what a comment, a title, an address holds; "backslash": a path, a regex, LaTeX
TEXT = st.text(LETTERS + "0123456789 ,;\"'|\t\n.-:", min_size=1, max_size=20).filter(
    lambda s: any(c in LETTERS for c in s))
# a name spelled as a gap or a number (`NA`, `null`, `Inf`, `1e5`) is left out: over R's
# write.table rows (a header one cell short, `_short_header`) such a line is an example missing
# a cell as much as names, by the reader's documented rule
NAME = st.text(LETTERS + "0123456789 _.,;\"'-", min_size=1, max_size=10).map(str.strip).filter(
    lambda s: any(c in LETTERS for c in s) and not table_lib.is_missing(s)
    and not table_lib.is_number(s))
FLOAT = st.one_of(st.floats(-1e6, 1e6, allow_nan=False),
                  st.floats(allow_nan=False, allow_infinity=False),
                  st.sampled_from([1e-7, -2.5e-12, 1.5e20, -0.5, 0.0]))
KINDS = {"int": st.integers(-10**6, 10**6), "float": FLOAT, "word": st.sampled_from(WORDS),
         "grade": st.sampled_from(["A", "B", "C", "D", "F", "I"]),  # Orange's type letters
         "text": TEXT, "backslash": st.text("ab \\\",;\n", min_size=1, max_size=8).filter(
             lambda s: "a" in s or "b" in s)}


@st.composite
def tables(draw, kinds=("int", "float", "word", "grade", "text", "backslash")):
    """(names, rows of Python values: int, float, str or None for an empty cell, the label's
    column). 2-6 columns, 2-30 rows; the label a column of words or grades (classes)."""
    width = draw(st.integers(2, 6))
    names = draw(st.lists(NAME, min_size=width, max_size=width, unique_by=str.casefold))
    columns = draw(st.lists(st.sampled_from(kinds), min_size=width, max_size=width))
    label = draw(st.integers(0, width - 1))
    columns[label] = draw(st.sampled_from(["word", "grade"]))
    gaps = draw(st.lists(st.booleans(), min_size=width, max_size=width))
    gaps[label] = False
    n = draw(st.integers(2, 30))
    rows = []
    for _ in range(n):
        rows.append([None if gaps[j] and draw(st.integers(0, 4)) == 0 else draw(KINDS[kind])
                     for j, kind in enumerate(columns)])
    return names, rows, label


# ------------------------------------------------------------------ the writers
def python_csv(names, rows, delimiter, quoting, escape, end):
    """csv.writer with the dialect options; the oracle is csv.reader with the same ones."""
    options = dict(delimiter=delimiter, quoting=quoting, lineterminator=end,
                   doublequote=not escape, escapechar="\\" if escape else None)
    out = io.StringIO(newline="")
    writer = csv.writer(out, **options)
    writer.writerow(names)
    writer.writerows(rows)
    text = out.getvalue()
    read = dict(options, quoting=csv.QUOTE_NONE if quoting == csv.QUOTE_NONE else
                csv.QUOTE_MINIMAL)
    del read["lineterminator"]
    records = list(csv.reader(io.StringIO(text, newline=""), **read))
    return text, records


def pandas_csv(names, rows, sep, quoting, escape, end, index, decimal):
    """DataFrame.to_csv; the oracle is read_csv with the same settings, every cell as text."""
    frame = pd.DataFrame(rows, columns=names)
    options = dict(sep=sep, quoting=quoting, doublequote=not escape,
                   escapechar="\\" if escape else None)
    text = frame.to_csv(index=index, lineterminator=end, decimal=decimal, **options)
    read = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False,
                       skip_blank_lines=True, **options)
    return text, read.values.tolist()


R_NUMBER = "%.15g"  # R writes numbers to 15 significant digits: 1e-05, 1.5e+20, -0.5


def r_table(names, rows, sep, dec, quote, escape, row_names, csv_header):
    """R's write.table of a data.frame (character columns, numeric ones), from utils' io.c:
    with `quote`, every character cell and name is quoted, a quote inside written `\\"`
    (qmethod "escape", write.table's default) or `""` ("double": write.csv); numbers bare,
    their decimal mark `dec`; NA bare. Row names ("1", "2", ...) quoted; the header has a name
    over them only with col.names=NA (`csv_header`: write.csv writes `""`); write.table
    leaves it out (a header one cell short). The oracle is R's read.table: the table."""
    def text(cell):
        if not quote:
            return cell
        return '"' + cell.replace('"', '\\"' if escape else '""') + '"'

    def value(cell):
        if cell is None:
            return "NA"
        if isinstance(cell, str):
            return text(cell)
        number = R_NUMBER % cell if isinstance(cell, float) else str(cell)
        number = {"inf": "Inf", "-inf": "-Inf"}.get(number, number)
        return number.replace(".", dec)

    header = ([text("")] if csv_header and row_names else []) + [text(n) for n in names]
    lines = [sep.join(header)]
    for i, row in enumerate(rows, 1):
        lines.append(sep.join(([text(str(i))] if row_names else []) + [value(c) for c in row]))
    records = [([""] if row_names else []) + list(names)]
    for i, row in enumerate(rows, 1):
        cells = [("NA" if c is None else c if isinstance(c, str) else
                  value(c).replace(dec, ".")) for c in row]
        records.append(([str(i)] if row_names else []) + cells)
    return "\n".join(lines) + "\n", records


# ------------------------------------------------------------------ reading back
def as_the_reader_documents(records, decimal):
    """The writer's records as table.py documents it reads valid files: cells stripped of
    surrounding spaces, rows with no cell of text skipped, and with a decimal comma (data.
    decimal=',') a number written `1,5` stored as `1.5` (the number the writer meant; its
    reader, told decimal=',', reads the same value)."""
    out = []
    for row in records:
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if decimal == ",":
            cells = [c.replace(",", ".") if table_lib.COMMA_NUMBER.fullmatch(c) else c
                     for c in cells]
        out.append(cells)
    return out


def read_back(tmp_path, text, delimiter, decimal, label, quoting="csv"):
    """`read_table` as a user runs it: a tab file named .tsv (auto), others named .csv with
    data.delimiter given; data.decimal given where the file writes decimal commas or a
    semicolon file writes points; `label`: the label column's name, as the file spells it."""
    name = "t.tsv" if delimiter == "\t" else "t.csv"
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    setting = {",": "auto", "\t": "auto", ";": ";", "|": "|", " ": "space"}[delimiter]
    table = table_lib.read_table(str(path), "auto", [label], delimiter=setting,
                                 decimal=decimal, quoting=quoting)
    return [list(table.names)] + [list(r) for r in table.rows]


def as_written(text, delimiter):
    """The csv module's records of `text` read as written (a `\\"` a backslash and a quote),
    when its quoting holds (strict) and its rows are one width; else None."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                               skipinitialspace=True, strict=True))
    except csv.Error:
        return None
    rows = [r for r in rows if any(c.strip() for c in r)]
    return rows if len({len(r) for r in rows}) == 1 else None


def check(tmp_path, text, records, delimiter, decimal, label, escape=False, quoting="csv"):
    """`escape`: the writer wrote a quote inside a cell `\\"`. A file of such a writer that
    reads as valid CSV of one width as written is read so (table.py,
    `backslash_quotes_doubled`): a bare `A\\"` (csv.writer with escapechar leaves a cell
    without a delimiter unquoted) is also what a writer that never quotes writes for the text
    `A\\"` (a .tsv of JSON-escaped strings), and only a quoting that breaks, or rows of
    unequal widths, tell that the file escapes its quotes. `label`: the label's column among
    the writer's records (after an index column the writer wrote first)."""
    held = escape and as_written(text, delimiter)
    if escape and not held:  # only `\\"` is an escape: a `\\\\` is two backslashes, as R's
        # write.table and PHP's fputcsv write them (they escape quotes only); Python's csv,
        # pandas and MySQL write `\\\\` for one. Which, the file cannot tell.
        records = [[c.replace("\\", "\\\\") for c in row] for row in records]
    expected = as_the_reader_documents(held or records, decimal)
    name = expected[0][label]
    try:
        got = read_back(tmp_path, text, delimiter, decimal, name, quoting)
    except UserError as e:  # two examples whose cells spell Orange's types and flags (`C,D`
        # over `I,C`) are Orange's header rows by its format's rules, and no row below says
        # they are not (table.py, `_describe_columns`): refused, in one line, as no examples
        assert "holds no examples (only a header)" in str(e) and len(expected) == 3, e
        return
    assert got == expected, (first_difference(got, expected), text)


def first_difference(got, expected) -> str:
    if len(got) != len(expected):
        return f"{len(got)} rows, the writer's {len(expected)}"
    for i, (row, meant) in enumerate(zip(got, expected)):
        if row != meant:
            return f"row {i}: {row!r}, the writer's {meant!r}"
    return ""


SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=list(HealthCheck))
DELIMITERS = st.sampled_from([",", ";", "\t", "|"])
QUOTING = st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])


# escapechar, QUOTE_MINIMAL: `p,"q` quoted `"p,\"q"`, `x"y` and `"q` bare `x\"y`, `\"q`
# (h77: read `x""y`, and `""q` opened a quote: refused)
ESCAPED_BARE = (["A", "B"], [["red", 'x"y'], ["blue", 'p,"q'], ["red", '"q']], 0)


@SETTINGS
@given(table=tables(), delimiter=DELIMITERS, quoting=QUOTING, escape=st.booleans(),
       end=st.sampled_from(["\n", "\r\n"]))
@example(table=ESCAPED_BARE, delimiter=",", quoting=csv.QUOTE_MINIMAL, escape=True, end="\n")
# h77: grades that spell Orange's types and flags (`C,D` over `I,C`: read as its header rows,
# two examples lost); a line 2 whose cell holds a line break (`a b` ... `D`: ended on line 3,
# which read as Orange's blank flag line, one example lost)
@example(table=(["x", "y"], [["C", "D"], ["I", "C"], ["C", "D"]], 0), delimiter=",",
         quoting=csv.QUOTE_MINIMAL, escape=False, end="\n")
@example(table=(["x", "y"], [["a b\nc", "D"], ["e", "A"], ["f", "B"]], 1), delimiter=",",
         quoting=csv.QUOTE_MINIMAL, escape=False, end="\n")
# `"\",a"` in every row: read as written, a name short of the rows, which is no evidence of R
@example(table=(["name", "country"], [['",a', "JAM"], ['a",a', "USA"]], 1), delimiter=",",
         quoting=csv.QUOTE_NONNUMERIC, escape=True, end="\n")
def test_python_csv_writer_in_every_dialect_reads_as_csv_reader_reads_it(
        tmp_path_factory, table, delimiter, quoting, escape, end):
    names, rows, label = table
    text, records = python_csv(names, rows, delimiter, quoting, escape, end)
    label += len(records[0]) - len(names)
    check(tmp_path_factory.mktemp("w"), text, records, delimiter, ".", label, escape)


@SETTINGS
@given(table=tables(), delimiter=DELIMITERS, quoting=QUOTING, escape=st.booleans(),
       end=st.sampled_from(["\n", "\r\n"]), index=st.booleans(), comma=st.booleans())
@example(table=(["A", "B"], [["red", 'x"y'], ["blue", 'p;"q'], ["red", '"q']], 0),
         delimiter=";", quoting=csv.QUOTE_MINIMAL, escape=True, end="\n", index=True,
         comma=True)
def test_pandas_to_csv_reads_as_read_csv_reads_it(tmp_path_factory, table, delimiter, quoting,
                                                  escape, end, index, comma):
    names, rows, label = table
    decimal = "," if comma and delimiter != "," else "."
    text, records = pandas_csv(names, rows, delimiter, quoting, escape, end, index, decimal)
    label += len(records[0]) - len(names)
    check(tmp_path_factory.mktemp("w"), text, records, delimiter, decimal, label, escape)


R_WRITERS = {  # name: (sep, dec, quote, escape, row.names, col.names=NA)
    "write.csv": (",", ".", True, False, True, True),
    "write.csv row.names=FALSE": (",", ".", True, False, False, False),
    "write.csv2": (";", ",", True, False, True, True),
    "write.table": (" ", ".", True, True, True, False),
    "write.table sep=tab": ("\t", ".", True, True, True, False),
    "write.table sep=tab quote=FALSE row.names=FALSE": ("\t", ".", False, False, False, False),
}


@SETTINGS
@given(table=tables(), writer=st.sampled_from(sorted(R_WRITERS)))
# h77: `\"` in a space-delimited file (refused); a header a name short, which only the `\"`
# reading gives (refused: unequal widths); spaces after a line break inside quotes (lost)
@example(table=(["a", "b"], [["red", 'say "hi"'], ["blue", "x"]], 0), writer="write.table")
@example(table=(["A", "B"], [['k"\nl', "no"], ["x", "blue"]], 1),
         writer="write.table sep=tab")
@example(table=(["a", "b"], [["red", "one\n two"], ["blue", "x"]], 0), writer="write.table")
def test_r_write_table_reads_as_read_table_reads_it(tmp_path_factory, table, writer):
    names, rows, label = table
    sep, dec, quote, escape, row_names, csv_header = R_WRITERS[writer]
    if escape:  # R writes `a\\` as `"a\\"`, the bytes of an escaped quote: no reader can tell
        rows = [[c.replace("\\", "/") if isinstance(c, str) else c for c in row]
                for row in rows]
    if not quote:  # R writes cells as they are: a cell holding the tab or a line break
        rows = [[c.replace("\t", " ").replace("\n", " ") if isinstance(c, str) else c
                 for c in row] for row in rows]  # would be two cells or two rows
    text, records = r_table(names, rows, sep, dec, quote, escape, row_names, csv_header)
    label += len(records[0]) - len(names)
    folder = tmp_path_factory.mktemp("w")
    # quote=FALSE writes quotes as text: what data.quoting=none reads. Read with csv quoting,
    # such a file is refused (a quote that does not close) or, where its quotes happen to
    # pair up as csv quoting, read so: valid CSV, nothing in it says they are text.
    none = not quote and '"' in text
    check(folder, text, records, sep, dec, label, escape, "none" if none else "csv")
