"""CSV tables and their labels, by the rules of ktrain_kit/data/table.py, property-tested.

Hypothesis writes tables (a header or none, names that look like numbers, duplicate or empty
names, missing cells written several ways, case variants, commas, quotes and line breaks inside
cells, a document longer than the csv module's default field limit, UTF-8 with or without a
byte-order mark or UTF-16/32 with one, CRLF line ends, minimal or full quoting, a `, ` separator)
with Python's csv writer and reads them back. The oracle is computed from what was generated, not
from the reader: either the parsed table equals the generated one, or the input is refused with
one line that names the line (and the column, for a cell), and a refusal happens exactly when the
rules call for one.
"""

import codecs
import csv
import io
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ktrain_kit import tasks
from ktrain_kit.data import table as table_lib
from ktrain_kit.errors import UserError

WORDS = ["Adelie", "adelie", "Gentoo", "Dream", "Yes", "yes", "No", "no", "a,b", 'say "hi"',
         "two\nlines", "x", "None", "1_000", "0x1F", "é", "🙂 ok", " ".join(["word"] * 30_000)]
MISSING = ["", "NA", "nan", "N/A", "null", "?", "#N/A", "#DIV/0!"]
NUMBERS = st.one_of(st.integers(-1000, 1000).map(str),
                    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:.6g}"),
                    st.sampled_from(["1e3", "-2.5E-2", ".5", "+7", "0"]))
NAMES = st.one_of(st.sampled_from(["a", "b", "label", "bill length (mm)", "1", "2", "0",
                                   "-1", "3.5", "x,y", "Label", "label ", "q\"uote"]),
                  st.text("abcXYZ_ ", min_size=1, max_size=6))


@st.composite
def tables(draw):
    width = draw(st.integers(2, 5))
    n = draw(st.integers(1, 7))
    kinds = draw(st.lists(st.sampled_from(["number", "text", "mixed"]), min_size=width,
                          max_size=width))
    missing_rate = draw(st.sampled_from([0.0, 0.0, 0.2]))
    columns = []
    for kind in kinds:
        cells = []
        for _ in range(n):
            if draw(st.floats(0, 1)) < missing_rate:
                cells.append(draw(st.sampled_from(MISSING)))
            elif kind == "number" or (kind == "mixed" and draw(st.booleans())):
                cells.append(draw(NUMBERS))
            else:
                cells.append(draw(st.sampled_from(WORDS)))
        columns.append(cells)
    rows = [list(r) for r in zip(*columns)]
    header = draw(st.booleans())
    names = [draw(NAMES).strip() or "n" for _ in range(width)] if header else None
    if header and draw(st.integers(0, 9)) == 0:
        names[-1] = names[0]                      # a duplicate name
    if header and draw(st.integers(0, 19)) == 0:
        names[0] = ""                             # a missing name
    mode = draw(st.sampled_from(["auto", "auto", "told"]))
    fmt = {"bom": draw(st.booleans()), "crlf": draw(st.booleans()),
           "quote_all": draw(st.booleans()), "spaces": draw(st.booleans()),
           "encoding": draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "utf-16-be",
                                             "utf-32"])),
           "comma_space": draw(st.booleans())}
    return names, rows, mode, fmt


def write(names, rows, fmt) -> bytes:
    """The CSV's bytes: UTF-16/32 with their byte-order mark (`utf-16-be`: the big-endian one),
    UTF-8 with one when `bom`; `comma_space`: cells joined by `, ` (quoted ones too)."""
    end = "\r\n" if fmt["crlf"] else "\n"
    quoting = csv.QUOTE_ALL if fmt["quote_all"] else csv.QUOTE_MINIMAL
    pad = (lambda c: f" {c} ") if fmt["spaces"] and not fmt["quote_all"] else (lambda c: c)

    def quoted(cell):  # the cell as the csv writer writes it alone (an empty one as "")
        one = io.StringIO(newline="")
        csv.writer(one, lineterminator=end, quoting=quoting).writerow([cell])
        return one.getvalue()[:-len(end)]  # (the terminator also says what needs quotes)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=end, quoting=quoting)
    for row in ([names] if names is not None else []) + rows:
        if fmt.get("comma_space"):
            out.write(", ".join(quoted(pad(c)) for c in row) + end)
        else:
            writer.writerow([pad(c) for c in row])
    encoding = fmt.get("encoding", "utf-8")
    if encoding == "utf-16-be":
        return codecs.BOM_UTF16_BE + out.getvalue().encode("utf-16-be")
    if encoding != "utf-8":
        return out.getvalue().encode(encoding)  # Python writes the byte-order mark
    return (codecs.BOM_UTF8 if fmt["bom"] else b"") + out.getvalue().encode("utf-8")


def one_line(error: UserError) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text, text
    return text


def cell_is_number(c):
    return re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", c) is not None


def carrying_nothing(names, rows) -> list:
    """The columns without a name whose cells are all missing, or that label the rows: a
    different cell on each row, none missing, each digits only or not a number."""
    missing = {m.lower() for m in MISSING}

    def labels(cells):
        return len(set(cells)) == len(cells) and all(
            c.lower() not in missing and (c.isdigit() or not cell_is_number(c)) for c in cells)
    return [j for j, n in enumerate(names or []) if n == "" and (
        all(r[j].strip().lower() in missing for r in rows) or
        labels([r[j].strip() for r in rows]))]


def expected_header(names, rows):
    """The documented `auto` rule, computed independently: True, False or 'refuse'."""
    first = names if names is not None else rows[0]
    body = rows if names is not None else rows[1:]
    missing = {m.lower() for m in MISSING}
    miss = lambda c: c.strip().lower() in missing  # noqa: E731
    num = lambda c: cell_is_number(c.strip())      # noqa: E731
    if not body:
        return not all(num(c) or miss(c) for c in first)
    cols = list(zip(*body))
    for j, c in enumerate(first):
        present = [v for v in cols[j] if not miss(v)]
        if not miss(c) and not num(c) and present and all(num(v) for v in present):
            return True
    stripped = [[v.strip() for v in col] for col in cols]
    if not any(not miss(c) and c.strip() in col for c, col in zip(first, stripped)):
        for j, c in enumerate(first):  # names over categories: every value below recurs
            present = [v for v in stripped[j] if not miss(v)]
            if not miss(c) and not num(c) and present and all(
                    present.count(v) >= 2 for v in present):
                return True
    fits = all(miss(c) or (num(c) and all(num(v) or miss(v) for v in cols[j]))
               for j, c in enumerate(first))
    ints = [c.strip() for c in first]
    indices = len(ints) >= 2 and all(re.fullmatch(r"\d+", c) for c in ints) and \
        [int(c) for c in ints] == list(range(int(ints[0]), int(ints[0]) + len(ints))) and \
        int(ints[0]) in (0, 1)
    return False if fits and not indices else "refuse"


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(tables())
def test_a_table_is_read_as_written_or_refused_in_one_line(case):
    names, rows, mode, fmt = case
    data = write(names, rows, fmt)
    rows = [r for r in rows if any(c.strip() for c in r)]  # rows of empty cells are skipped
    told = names is not None if mode == "told" else "auto"
    if not rows and names is None:
        with pytest.raises(UserError, match="holds no examples"):
            table_lib.parse_table(data, "t.csv", told)
        return
    decided = (names is not None) if mode == "told" else expected_header(names, rows)
    named = [n for j, n in enumerate(names or []) if j not in carrying_nothing(names, rows)]
    try:
        table = table_lib.parse_table(data, "t.csv", told)
    except UserError as e:
        message = one_line(e)
        if decided == "refuse":
            assert "cannot tell whether line" in message and "data.header" in message
        elif decided and names is not None and "" in named:
            assert "has no name" in message
        elif decided and names is not None and len(set(named)) < len(named):
            assert "two columns are named" in message
        elif decided and names is not None and not rows:
            assert "only a header" in message
        elif decided is True and names is None:
            assert "no examples" in message or "two columns are named" in message or \
                "has no name" in message  # the first example taken as a header, as told
        else:
            raise AssertionError(f"refused a readable table: {message}")
        return
    assert decided != "refuse", "an undecidable first line was not refused"
    stripped = [[c.strip() for c in r] for r in rows]
    if decided is True and names is not None:
        assert table.header and table.names == [c.strip() for c in names]
        assert table.rows == stripped
        assert set(table.unused) == set(carrying_nothing(names, rows))
    elif decided is False and names is None:
        assert not table.header and table.rows == stripped
        assert table.names == [str(j) for j in range(len(rows[0]))]
    elif decided is False:  # the documented case: a header of numbers (or gaps) over numbers
        missing = {m.lower() for m in MISSING}
        assert all(cell_is_number(c.strip()) or c.strip().lower() in missing for c in names)
        assert table.rows == [[c.strip() for c in names]] + stripped
    else:                   # told there is a header where the writer wrote none
        assert table.names == stripped[0] and table.rows == stripped[1:]
    assert len(table.lines) == len(table.rows)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(st.sampled_from(WORDS + MISSING), NUMBERS), min_size=1, max_size=8),
       st.booleans())
def test_labels_are_read_as_written_or_refused(labels, crlf):
    rows = [[str(i), label] for i, label in enumerate(labels)]
    data = write(["feature", "label"], rows, {"bom": False, "crlf": crlf, "quote_all": False,
                                              "spaces": False})
    table = table_lib.parse_table(data, "t.csv", True)
    missing = [lab for lab in labels if lab.lower() in {m.lower() for m in MISSING}]
    numbers = [cell_is_number(lab) for lab in labels]
    casefolds = {}
    for lab in labels:
        casefolds.setdefault(lab.casefold(), set()).add(lab)
    try:
        y = table_lib.label_column_values(table, 1)
    except UserError as e:
        message = one_line(e)
        assert "line " in message and "'label'" in message
        assert missing or (any(numbers) and not all(numbers)) or \
            any(len(v) > 1 for v in casefolds.values()), message
        return
    assert not missing
    if all(numbers):
        np.testing.assert_array_equal(y, [float(lab) for lab in labels])
    else:
        assert list(y) == labels and all(len(v) == 1 for v in casefolds.values())
        # a binary task takes exactly two names, mapped in sorted order; anything else refused
        distinct = sorted(set(labels))
        if len(distinct) == 2:
            prepared = tasks.prepare_labels("binary", y, "t.csv")
            assert prepared.info["label_values"] == distinct
            np.testing.assert_array_equal(prepared.y[:, 0],
                                          [lab == distinct[1] for lab in labels])
        else:
            with pytest.raises(UserError, match="exactly 2 distinct labels"):
                tasks.prepare_labels("binary", y, "t.csv")


def table_of(text, header="auto"):
    return table_lib.parse_table(text.encode(), "t.csv", header)


def test_a_header_over_columns_of_text_only_is_told_by_its_categories():
    """R's Titanic (COUNT package): names over recurring categories are a header. Without
    that evidence a table of text is still asked about (line 1 a value of its column, or no
    column of recurring values), as before."""
    rows = [("1st class", "adults", "man", "yes"), ("3rd class", "child", "women", "no")] * 3
    body = "".join(",".join(r) + "\n" for r in rows)
    table = table_of("class,age,sex,survived\n" + body)
    assert table.header and table.names == ["class", "age", "sex", "survived"]
    assert table.rows == [list(r) for r in rows]
    assert table_of(body, False).rows == [list(r) for r in rows]
    for text in (body,                                # line 1 recurs below: an example
                 "class,age,sex,survived\n" + "".join(f"{i} class,a{i},m{i},y{i}\n"
                                                      for i in range(4)),  # nothing recurs
                 "sex,age\nwomen,child\nman,child\nman,adult\n"):  # 'women' once
        with pytest.raises(UserError, match="cannot tell whether line 1"):
            table_of(text)


def test_a_column_named_like_a_number_is_chosen_by_name():
    table = table_of("b,1,label\nx,5,0\ny,6,1\n")
    assert table_lib.resolve_column(table, 1, "data.label_column") == 1
    assert table_lib.resolve_column(table, "1", "data.label_column") == 1
    table = table_of("b,a,1\nx,5,0\ny,6,1\n", header=True)
    assert table_lib.resolve_column(table, 1, "data.label_column") == 2   # the NAME "1"
    assert table_lib.resolve_column(table, -1, "data.label_column") == 2
    assert table_lib.resolve_column(table, 0, "data.label_column") == 0


@pytest.mark.parametrize("labels", [[0, 1, 2, 1], [1, 1, 1, 1]])
def test_binary_labels_other_than_two_values_are_refused(labels):
    with pytest.raises(UserError, match="exactly 2 distinct labels"):
        tasks.prepare_labels("binary", np.array(labels, float), "t.csv",
                             {"label_names": ["y"]})  # what a csv source passes along


@pytest.mark.parametrize("weights", [{0: -1.0, 1: 1.0}, {0: float("inf")}, {0: float("nan")},
                                     {0: 0.0, 1: 0.0}])
def test_negative_or_infinite_class_weights_are_refused(weights):
    from ktrain_kit.config import default_config, validate
    c = default_config()
    c.data.class_weight = weights
    with pytest.raises(UserError, match="data.class_weight"):
        validate(c)


# --- what real exports hold that the generated tables do not
def test_a_tsv_file_is_read_with_tabs_and_other_delimiters_are_refused():
    table = table_lib.parse_table(b"a\tb c\tlabel\n1.5\tx, y\t0\n2\tz\t1\n", "t.tsv")
    assert table.names == ["a", "b c", "label"]
    assert table.rows == [["1.5", "x, y", "0"], ["2", "z", "1"]]
    with pytest.raises(UserError, match=r"line 1 looks tab-delimited.*name the file \.tsv"):
        table_of("a\tb\tlabel\n1\t2\t0\n")
    # a European export: semicolons, decimal commas (read as commas: 2 ragged cells, or 1 column)
    for text in ("age;income;label\n20;1000,5;0\n", "a;b;label\n1;2;0\n3;4;1\n"):
        with pytest.raises(UserError, match="line 1 looks semicolon-delimited"):
            table_of(text)


def test_comment_lines_are_named_in_the_refusal():
    # comment lines on top are read as comments since round h94 (table._leading_comments);
    # one as wide as the rows could be the header, and is refused as before
    with pytest.raises(UserError, match=r"line 3 has 3 cells.*delete line 1 \('# exported by "
                       r"tool'\) and any other comment"):
        table_of("# exported by tool, v1\nb,label\n1,2,0\n")
    with pytest.raises(UserError, match=r"line 3 has 1 cells.*delete line 3 \('# the end'\)"):
        table_of("a,b,label\n1,2,0\n# the end\n")
    # Excel's `sep=,` line is the delimiter, not a comment (round h90: table.EXCEL_SEP)
    assert table_of("sep=,\na,b,label\n1,2,0\n").names == ["a", "b", "label"]


def test_nameless_columns_that_carry_nothing_are_left_out():
    # pandas' to_csv index first, a spreadsheet's trailing comma last
    table = table_of(",a,label,\n0,1.5,x,\n1,2.5,y,\n2,3.5,x,\n")
    assert table.names == ["", "a", "label", ""] and list(table.unused) == [0, 3]
    assert "pandas' index" in table.unused[0] and "no values" in table.unused[3]
    assert list(table_of("Unnamed: 0,a,label\n0,1,x\n1,2,y\n").unused) == [0]
    # an index counts the columns of data: -1 is 'label', 0 is 'a'
    chosen = [table_lib.resolve_column(table, i, "data.label_column") for i in (-1, 0, 1)]
    assert chosen == [2, 1, 2]
    with pytest.raises(UserError, match="has 2 columns, so data.label_column=2 is past the last"):
        table_lib.resolve_column(table, 2, "data.label_column")
    with pytest.raises(UserError, match="data.label_column=-3 is past the first"):
        table_lib.resolve_column(table, -3, "data.label_column")
    for text in (",a,label\n5.5,1,x\n6.5,2,y\n",  # measured numbers without a name
                 ",a,label\n3,1,x\n3,2,y\n",      # a value shared by two rows
                 ",a,label\n,1,x\n6,2,y\n"):      # a row without one
        with pytest.raises(UserError, match="column 1 has no name"):
            table_of(text)


@pytest.mark.parametrize("labels", [
    ["1", "2", "3", "4"],                                  # R's write.csv: row numbers from 1
    ["Mazda RX4", "Datsun 710", "Valiant", "Fiat 128"],    # R's row names (mtcars)
    ["4", "0", "17", "2"]])                                # pandas' index of shuffled rows
def test_a_nameless_column_of_row_labels_is_left_out(labels):
    """A different row number or name on each row, under no name: labels of the rows, not a
    feature (R writes `""` for its row names' column, quoted like the rest)."""
    text = '"","mpg","cyl"\n' + "".join(f'"{r}",{21 + i},"{4 + 2 * (i % 2)}"\n'
                                         for i, r in enumerate(labels))
    table = table_of(text)
    assert list(table.unused) == [0] and table.unused[0] == (
        "no name and the row numbers 1, 2, 3, ... (R's write.csv)" if labels[0] == "1" else
        "no name and a different label on every row (R's row names, or pandas' index of "
        "filtered or shuffled rows)")
    assert table.rows == [[r, str(21 + i), str(4 + 2 * (i % 2))] for i, r in enumerate(labels)]
    assert table_lib.resolve_column(table, -1, "data.label_column") == 2
    assert table_lib.resolve_column(table, 0, "data.label_column") == 1


def test_rows_of_empty_cells_are_skipped_like_blank_lines():
    table = table_of("a,label\n1,x\n,\n2,y\n , \n,\n")
    assert table.rows == [["1", "x"], ["2", "y"]] and table.lines == [2, 4]


def test_text_that_is_not_utf8_names_the_line():
    with pytest.raises(UserError, match=r"not UTF-8 text \(line 3: byte b'\\xe9'"):
        table_lib.parse_table("a,label\n1,x\ncaf\u00e9,y\n".encode("cp1252"), "t.csv")


@pytest.mark.parametrize("kind", ["gzip", "bz2", "xz", "zip"])
def test_a_compressed_table_reads_as_the_table_it_holds(tmp_path, kind):
    """pandas' read_csv opens `data.csv.gz` & co. untold; so does the reader, by the file's first
    bytes (a download renamed `.csv` still opens), and a `.tsv` inside keeps its tabs."""
    import bz2
    import gzip
    import lzma
    import zipfile
    text = "height\tspecies\n1.5\tAdelie\n2.5\tGentoo\n"
    plain = table_lib.parse_table(text.encode(), "t.tsv")
    if kind == "zip":
        path = tmp_path / "t.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("t.tsv", text)
    else:
        compress = {"gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[kind]
        path = tmp_path / f"t.tsv.{ {'gzip': 'gz'}.get(kind, kind)}"
        path.write_bytes(compress(text.encode()))
        renamed = tmp_path / "renamed.csv"
        renamed.write_bytes(compress(text.replace("\t", ",").encode()))
        table = table_lib.read_table(str(renamed))
        assert (table.names, table.rows) == (plain.names, plain.rows)
    table = table_lib.read_table(str(path))
    assert (table.names, table.rows) == (plain.names, plain.rows) == \
        (["height", "species"], [["1.5", "Adelie"], ["2.5", "Gentoo"]])


def test_a_damaged_or_many_file_archive_is_refused_in_one_line(tmp_path):
    import gzip
    import zipfile
    torn = tmp_path / "torn.csv.gz"
    torn.write_bytes(gzip.compress(b"a,b\n1,2\n" * 100)[:30])
    with pytest.raises(UserError, match=r"torn.csv.gz': is a damaged gzip file \(EOFError\)"):
        table_lib.read_table(str(torn))
    several = tmp_path / "two.zip"
    with zipfile.ZipFile(several, "w") as archive:
        archive.writestr("train.csv", "a,b\n1,2\n")
        archive.writestr("test.csv", "a,b\n1,2\n")
    with pytest.raises(UserError, match="is a zip archive of 2 files, not one table; unzip it"):
        table_lib.read_table(str(several))


def _xlsx_like(path):
    import zipfile
    with zipfile.ZipFile(path, "w") as archive:  # the parts of an .xlsx
        for part in ("[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"):
            archive.writestr(part, "<x/>")


def _npz(path):
    with open(path, "wb") as f:  # np.savez(name) would append .npz to the name
        np.savez(f, x=np.zeros(2))


@pytest.mark.parametrize("write, named", [
    (_xlsx_like, "an Excel workbook, not a CSV table; save the sheet as 'CSV UTF-8'"),
    (_npz, "a NumPy .npz archive, not a CSV "
                                                          "table; use data.name=npz"),
    (lambda p: open(p, "wb").write(b"PAR1" + bytes(64)), r"a Parquet file, not a CSV table; "
                                                         r"pandas.read_parquet\(path\).to_csv"),
    (lambda p: open(p, "wb").write(b"SQLite format 3\x00" + bytes(64)), "an SQLite database")])
def test_tables_saved_in_other_formats_are_named_with_the_way_to_csv(tmp_path, write, named):
    path = str(tmp_path / "table.csv")
    write(path)
    with pytest.raises(UserError, match=f"table.csv': is {named}"):
        table_lib.read_table(path)


def test_a_name_the_config_uses_tells_the_header():
    """Text over a label column with a class seen once: no rule on the cells alone can tell
    line 1 from an example, but the label column's name, given in the config, is in it."""
    text = "text,label\n" + "".join(f"doc number {i},{'abc'[i % 3]}\n" for i in range(9))
    text += "one more doc,rare\n"
    with pytest.raises(UserError, match="cannot tell whether line 1"):
        table_lib.parse_table(text.encode(), "t.csv")
    for named in (["label"], [-1, "text"], ["text", " label "]):
        table = table_lib.parse_table(text.encode(), "t.csv", "auto", named)
        assert table.header and table.names == ["text", "label"] and len(table.rows) == 10
    with pytest.raises(UserError, match="cannot tell whether line 1"):  # an index says nothing
        table_lib.parse_table(text.encode(), "t.csv", "auto", [-1, "1", ""])


@pytest.mark.parametrize("encoding,fragment", [
    ("cp1252", "UTF-8 text (line 2: byte b'\\xe9'; a Latin-1"),
    ("utf-16-le", "UTF-8 text (line 1 holds NUL bytes; UTF-16 without a byte-order mark")])
def test_text_in_another_encoding_without_a_mark_is_refused_naming_it(encoding, fragment):
    word = "caf\u00e9" if encoding == "cp1252" else "cafe"  # UTF-16 of ASCII is valid UTF-8
    data = ("a,label\n" + "".join(f"{i},{word}\n" for i in range(20))).encode(encoding)
    with pytest.raises(UserError, match=re.escape(fragment)) as e:
        table_lib.parse_table(data, "t.csv")
    # the refusal names the setting that reads it, which does
    assert f"--config.data.encoding={encoding}" in str(e.value)
    table = table_lib.parse_table(data, "t.csv", encoding=encoding)
    assert table.column(1) == [word] * 20


JSON_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                        st.floats(allow_nan=False, allow_infinity=False, width=32),
                        # no NUL: a CSV cannot hold one (it is refused as UTF-16 without a mark)
                        st.text(st.characters(blacklist_categories=("Cs",),
                                              blacklist_characters="\x00"), max_size=12))


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(objects=st.lists(st.dictionaries(st.sampled_from(["text", "label", "n", "a b", "é", ""]),
                                        JSON_VALUES, min_size=1), min_size=1, max_size=8),
       ascii_only=st.booleans())
# U+0085 inside a one-column cell: str.split() broke it into two "words", and the CSV was
# refused as space-delimited, which delimiter=space (runs of spaces and tabs) would not split
@example(objects=[{"a b": "0\x850"}], ascii_only=False)
def test_json_lines_read_as_the_csv_of_the_same_cells(objects, ascii_only):
    """One object per line (pandas' to_json(lines=True), most text datasets): the keys in order
    of first appearance name the columns; each cell is what a CSV of the same values holds -
    empty for null or a missing key, the JSON spelling of true/false and numbers - so the same
    rules type it after. Checked against Python's csv module writing those cells."""
    import json
    names = list(dict.fromkeys(k for o in objects for k in o))
    cells = [["" if o.get(k) is None else o[k] if isinstance(o[k], str) else json.dumps(o[k])
              for k in names] for o in objects]
    if not any(any(c.strip() for c in row) for row in cells) or not any(names):
        return  # nothing but empty cells, or a CSV header of them (read as a blank line)
    text = "".join(json.dumps(o, ensure_ascii=ascii_only) + "\n" for o in objects)
    out = io.StringIO(newline="")
    csv.writer(out).writerows([names] + cells)
    try:
        expected = table_lib.parse_table(out.getvalue().encode(), "t.csv", header=True)
    except UserError:  # a header the CSV reader refuses (no name, say): refused alike
        with pytest.raises(UserError):
            table_lib.parse_table(text.encode(), "t.jsonl")
        return
    table = table_lib.parse_table(text.encode(), "t.jsonl")
    assert (table.names, table.rows, table.unused) == (expected.names, expected.rows,
                                                       expected.unused)


@pytest.mark.parametrize("text, refusal", [
    ('{"a": 1}\n{"a": 2\n', r"line 2 is not JSON \(Expecting ',' delimiter\)"),
    ('{"a": 1}\n3\n', "line 2 holds a JSON int, not an object"),
    ('[[1, 2], [3, 4]]', r"is one JSON list \(pandas' to_json\), not a list of records nor "
                         r"one object per line; write it as JSON Lines"),
    ('[{"a": 1}, 2]', "not a list of records")])
def test_json_that_is_not_a_flat_table_is_refused_naming_the_line(text, refusal):
    with pytest.raises(UserError, match=refusal):
        table_lib.parse_table(text.encode(), "t.jsonl")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(objects=st.lists(st.dictionaries(st.sampled_from(["text", "label", "n", "é"]),
                                        JSON_VALUES, min_size=1), min_size=1, max_size=8),
       indent=st.sampled_from([None, 1, 4]))
def test_a_json_array_of_records_reads_as_its_objects_one_per_row(objects, indent):
    """vega_datasets' files and `df.to_json(orient='records')`: a list of flat objects is the
    table JSON Lines of the same objects is (pandas' read_json reads both). Each row's line is
    the line its object opens on, as json.dumps laid it out."""
    import json
    names = list(dict.fromkeys(k for o in objects for k in o))
    cells = [["" if o.get(k) is None else o[k].strip() if isinstance(o[k], str)
              else json.dumps(o[k]) for k in names] for o in objects]
    text = json.dumps(objects, indent=indent)
    kept = [i for i, row in enumerate(cells) if any(row)]
    if not kept:
        return
    table = table_lib.parse_table(text.encode(), "t.json")
    assert table.names == names and table.rows == [cells[i] for i in kept]
    starts = [n for n, line in enumerate(text.split("\n"), 1)
              if line.lstrip(" [").startswith("{")] if indent else [1] * len(objects)
    assert table.lines == [starts[i] for i in kept]


def test_json_lines_break_only_at_newlines():
    """JSON leaves U+0085 and U+2028 unescaped inside strings (scraped text holds them), and
    str.splitlines() breaks at both: a document was cut in two."""
    text = '{"text": "one\u2028two", "label": "a"}\n{"text": "three\u0085", "label": "b"}\r\n'
    table = table_lib.parse_table(text.encode(), "t.jsonl")
    assert table.rows == [["one\u2028two", "a"], ["three", "b"]]  # cells stripped, as in a CSV


@pytest.mark.parametrize("given,meant", [("lable", "label"), ("LABEL", "label"),
                                         ("Price", "price_eur"), ("price eur", "price_eur")])
def test_a_column_name_a_few_letters_off_names_the_column_meant(given, meant):
    table = table_of("a,label,price_eur\n1,0,3\n2,1,4\n")
    with pytest.raises(UserError) as e:
        table_lib.resolve_column(table, given, "data.label_column")
    assert f"did you mean '{meant}'?" in str(e.value), str(e.value)
