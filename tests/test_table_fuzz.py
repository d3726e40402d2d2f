"""Malformed files, property-tested end to end without TensorFlow: the table reader, the typing
of its columns, its labels, and the text-folder reader.

Where tests/test_table.py writes well-formed CSVs, here hypothesis writes the files users
actually have: another delimiter (`;` `\t` `|`), no quoting or quotes in the middle of a cell,
CR / CRLF / LF line ends mixed with blank lines, a trailing delimiter on every line, ragged
rows, byte-order marks, Latin-1 bytes, European numbers (`1,5`, `1.234,56`), thousands
separators, NaN / inf / NA spellings, cells padded with spaces, cells longer than the csv
module's default limit, duplicate or missing header names, and arbitrary bytes. The property:
the reader returns the cells an independent reading gives (the bytes decoded by their mark,
split by Python's csv module with the reader's delimiter, and, for a file written properly, the
very cells generated), or refuses with a one-line `UserError` naming the file; never another
exception, and the column typing and label reading that follow obey the same rule.
"""

import codecs
import csv
import io
import os
import re
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from ktrain_kit import tasks
from ktrain_kit.data import features
from ktrain_kit.data import table as table_lib
from ktrain_kit.errors import UserError

NUMBER_CELLS = ["1", "-2", "3.5", ".5", "+7", "1e3", " 4 ", "1,5", "1.234,56", "1,234",
                "1 234", "12%", "$3", "NaN", "nan", "NA", "N/A", "null", "?", "", "inf", "-inf",
                "Infinity", "#N/A", "1e999", "0x1F", "1_000", "-", "2024-01-31", "3 kg"]
TEXT_CELLS = ["a", "Adelie", " spaced ", "x y", "é", "Ünïcødé", "🙂", "日本", 'say "hi"', '"',
              "a,b", "a;b", "a\tb", "a|b", "two\nlines", "cr\rline", "{", "[", '{"k": 1}', "#",
              "sep=,", "\u00a0", "\u2028", "Yes", "yes", "None", "", "NA"]
CELLS = NUMBER_CELLS + TEXT_CELLS
NAMES = ["a", "b", "c", "label", "x y", "é", "1", "  d  ", "Unnamed: 0"]
LONG = "w" * 140_000  # past the csv module's default field limit (128 KiB)


@st.composite
def messy_files(draw):
    """(bytes, file name, the cells written, whether the writing is proper CSV for the reader,
    whether it is proper CSV but for its delimiter, the header setting to read it with)."""
    width = draw(st.integers(1, 5))
    kinds = draw(st.lists(st.sampled_from(["number", "number", "text", "any"]),
                          min_size=width, max_size=width))
    if draw(st.booleans()):  # a column of classes last: names or numbers, spaces around some
        kinds[-1] = draw(st.sampled_from(["names", "codes"]))
    pools = {"number": st.sampled_from(NUMBER_CELLS), "text": st.sampled_from(TEXT_CELLS),
             "any": st.sampled_from(CELLS) | st.text(max_size=8),
             "names": st.sampled_from(["cat", "dog", " cat ", "bird", "Dog"]),
             "codes": st.sampled_from(["0", "1", " 1 ", "2.0", "02"])}
    grid = draw(st.lists(st.tuples(*[pools[k] for k in kinds]).map(list), min_size=1,
                         max_size=6))
    if grid and draw(st.integers(0, 9)) == 0:
        grid[0][0] = LONG
    named = draw(st.booleans())
    if named:
        names = draw(st.lists(st.sampled_from(NAMES), min_size=width, max_size=width,
                              unique=draw(st.integers(0, 4)) > 0))  # else duplicates may be
        if draw(st.integers(0, 9)) == 0:
            names[0] = ""                                             # a name missing
        grid = [names] + grid
    header = draw(st.sampled_from([named, named, "auto"]))
    ragged = bool(grid) and draw(st.integers(0, 7)) == 0
    if ragged:
        grid[-1] = grid[-1] + ["extra"] if draw(st.booleans()) else grid[-1][:-1]
    delimiter = draw(st.sampled_from([",", ",", ",", ";", "\t", "|"]))
    name = draw(st.sampled_from(["t.csv", "t.csv", "t.tsv"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, "none"]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    trailing = draw(st.integers(0, 7)) == 0
    blank_at = draw(st.sets(st.integers(0, 7), max_size=2))
    lines = []
    for i, row in enumerate(grid):
        if i in blank_at:
            lines.append(draw(st.sampled_from(["", "   ", delimiter * (width - 1)])))
        if quoting == "none":
            line = delimiter.join(row)
        else:
            out = io.StringIO(newline="")
            csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=end
                       ).writerow(row)
            line = out.getvalue()[:-len(end)]
        lines.append(line + (delimiter if trailing else ""))
    text = end.join(lines) + (end if draw(st.booleans()) else "")
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16",
                                     "utf-32", "latin-1"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    # Python's writer leaves a lone CR unquoted when the line end is LF: no reader splits that
    breaks = quoting == csv.QUOTE_MINIMAL and any("\r" in c or "\n" in c
                                                  for r in grid for c in r)
    as_written = encoding != "latin-1" or text.isascii()  # else read as UTF-8: other cells
    read = "\t" if name.endswith(".tsv") else ","
    clean = as_written and quoting != "none" and not breaks and not trailing
    proper = clean and delimiter == read
    # read with the other delimiter, cells holding the one read are told apart only when
    # they are numbers with decimal commas (`a,b;x` is also the comma file `a` | `b;x`)
    splittable = all(re.fullmatch(r"[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+", c.strip())
                     for r in grid for c in r if read in c)
    foreign = clean and delimiter != read and width > 1 and not ragged and splittable
    return Case(data, name, grid, proper, foreign, header)


class Case(tuple):
    """(bytes, file name, cells, proper), shown short (a failing example holds a 140 KB cell)."""

    def __new__(cls, *items):
        return super().__new__(cls, items)

    def __repr__(self):
        return repr(tuple(shorten(item) for item in self))


def shorten(value):
    if isinstance(value, (str, bytes)) and len(value) > 200:
        return value[:80] + (b"..." if isinstance(value, bytes) else "...") + value[-80:]
    if isinstance(value, list):
        return [shorten(v) for v in value]
    return value


def reference_text(data: bytes):
    """The text as its byte-order mark says, else UTF-8; None where it is not text."""
    for mark, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
                        (codecs.BOM_UTF8, "utf-8-sig")):
        if data.startswith(mark):
            break
    else:
        codec = "utf-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return None if "\0" in text else text


def reference_records(text: str, tabs: bool):
    """Python's csv module on the text (`, ` after a delimiter allowed), cells stripped, rows
    with no cell of text skipped; None when the module calls it invalid."""
    old = csv.field_size_limit(2**31 - 1)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t" if tabs else ",",
                               skipinitialspace=True))
    except csv.Error:
        return None
    finally:
        csv.field_size_limit(old)
    return [[c.strip() for c in r] for r in rows if any(c.strip() for c in r)]


def strict_refuses(text, delimiter) -> bool:
    """Whether Python's csv module with strict=True refuses the text."""
    old = csv.field_size_limit(2**31 - 1)
    try:
        list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        skipinitialspace=True, strict=True))
        return False
    except csv.Error:
        return True
    finally:
        csv.field_size_limit(old)


def one_line_naming(error: UserError, path: str) -> str:
    text = str(error)
    assert "\n" not in text and "\r" not in text, text
    assert text.startswith(f"file '{path}'") or text.startswith("config key"), text
    return text


HEADER_REFUSALS = ("has no name", "two columns are named", "only a header",
                   "cannot tell whether line")


def read_or_refuse(data, name, header="auto"):
    """The table, or None after checking the refusal is one line naming the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, name)
        with open(path, "wb") as f:
            f.write(data)
        try:
            return table_lib.read_table(path, header), path
        except UserError as e:
            return one_line_naming(e, path), path


def _plain(cell, got, table):
    """The csv module's `cell`, or where the reader wrote a grouped number plainly (`1,234` ->
    `1234`, said in its notes: round h79), that number with its separators taken out, as
    pandas' `thousands=` reads it."""
    plain = re.sub("[,' \u00a0\u202f]", "", cell)
    if got != cell and got == plain and any("thousands grouped" in n for n in table.notes):
        return got
    return cell


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(messy_files())
def test_a_messy_file_reads_as_the_csv_module_reads_it_or_is_refused_in_one_line(case):
    data, name, grid, proper, foreign, header = case
    table, path = read_or_refuse(data, name, header)
    event("refused" if isinstance(table, str) else "read")
    text = reference_text(data)
    if text is None:
        assert isinstance(table, str) and "is not" in table and "text" in table, table
        return
    if text.lstrip().startswith(("{", "[")):
        return  # JSON Lines, or refused as JSON: only the no-other-exception part applies
    records = reference_records(text, name.endswith(".tsv"))
    if proper:  # written properly: the csv module gives back the cells generated
        expected = [[c.strip() for c in r] for r in grid if any(c.strip() for c in r)]
        assert records == expected
    if isinstance(table, str):
        widths = {len(r) for r in records or []}
        read = "\t" if name.endswith(".tsv") else ","
        first_delimited = records and len(records[0]) == 1 and any(
            d in r[0] for r in records if len(r) == 1 for d in ";\t|," if d != read)
        decimal_commas = "delimited with decimal commas" in table
        words = {len(r[0].split()) for r in records or [] if len(r) == 1}
        space_delimited = "looks space-delimited" in table and widths == {1} and \
            len(words) == 1 and words != {1}  # one cell a line, each of as many words
        # a cell opening with a quote that does not end at its closing quote: the csv
        # module's strict rule refuses the text too (tests/test_text_users_bring.py)
        broken_quote = "does not end at its closing quote" in table and strict_refuses(text, read)
        assert (records is None or not records or len(widths) > 1 or first_delimited or
                decimal_commas or space_delimited or broken_quote or
                any(w in table for w in HEADER_REFUSALS)), table
        assert not (proper and decimal_commas), table  # a file written with commas
        assert not (proper and "closing quote" in table), table  # written by the csv module
        return
    if records and table.header and table.names[:1] == [""] and \
            len(records[0]) == len(table.names) - 1:  # a header one name short: R's row names
        records = [[""] + records[0]] + records[1:]  # unnamed (table._short_header)
    assert records is not None and len({len(r) for r in records}) == 1
    got = ([table.names] if table.header else []) + table.rows
    assert [len(r) for r in got] == [len(r) for r in records], got
    assert got == [[_plain(c, g, table) for c, g in zip(r, gr)] for r, gr in zip(records, got)]
    if foreign:  # written with another delimiter: read as written, or refused
        assert got == [[c.strip() for c in r] for r in grid if any(c.strip() for c in r)], got
    check_columns_typed_or_refused(table, path)


def check_columns_typed_or_refused(table, path):
    """Typing the columns (all but the last as features) and reading the last as labels: done,
    or refused in one line naming the file or the config key; numbers read as Python's float."""
    used = [j for j in range(table.width) if j not in table.unused]
    if len(used) < 2:
        return
    *feature_columns, label = used
    train = list(range(len(table.rows)))
    try:
        features.date_columns(table, feature_columns, {})
        features.row_number_columns(table, feature_columns, {})
        features.identifier_columns(table, feature_columns, {})
        specs = features.column_specs(table, feature_columns, train, {})
        raw = features.raw_columns(table, specs)
    except UserError as e:
        one_line_naming(e, path)
        event("columns refused")
    else:
        event("columns typed")
        for s in specs:
            if s["dtype"] == "float32":
                expected = [np.nan if table_lib.is_missing(c) else float(c)
                            for c in table.column(s["column"])]
                np.testing.assert_array_equal(raw[s["name"]], np.float32(expected))
    try:
        y = table_lib.label_column_values(table, label)
        names = table_lib.class_names(table, label, y)
        tasks.prepare_labels("classification", names, path)
        event("labels read")
    except UserError as e:
        one_line_naming(e, path)
        event("labels refused")


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=300) | st.sampled_from([b"\x1f\x8b\x08broken", b"PK\x03\x04xx",
                                                   b"BZh9", b"\xef\xbb\xbf", b"\xff\xfe",
                                                   b"\xff\xfe\x00\x00", b"[[[[[[[[", b"{{"]))
def test_arbitrary_bytes_are_a_table_or_refused_in_one_line(data):
    """Bytes no tool wrote (a truncated download, a binary file named .csv)."""
    read_or_refuse(data, "t.csv")


def labels_table(labels, path="t.csv"):
    out = io.StringIO(newline="")
    csv.writer(out).writerows([["feature", "label"]] + [[str(i), lab] for i, lab in
                                                        enumerate(labels)])
    return table_lib.parse_table(out.getvalue().encode(), path, True)


LABELS = ["yes", "Yes", " yes ", "no", "NO", "a b", "1", "2", " 3 ", "3.0", "03", "-1", "2.5",
          "1e0", "é", "NA", ""]


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(LABELS), min_size=1, max_size=9))
def test_labels_become_classes_by_their_stripped_value_or_are_refused(labels):
    """Spaces around a label are not part of it; numbers name classes by value (`3`, `3.0`,
    ` 3 ` are one class) unless whole numbers are written with leading zeros (`03`), which
    makes them codes, as in a feature (`03` and `3` two classes, `3.0` still `3`); case
    variants, gaps, mixed numbers and text, one class only, and numbers mostly seen once (a
    quantity) are refused in one line."""
    table = labels_table(labels)
    stripped = [lab.strip() for lab in labels]
    numbers = [table_lib.is_number(lab) for lab in stripped]
    codes = all(re.fullmatch(r"-?\d+(\.0+)?", lab) for lab in stripped) and \
        any(re.fullmatch(r"-?0\d+(\.0+)?", lab) for lab in stripped)
    values = ([re.sub(r"\.0+$", "", lab) for lab in stripped] if codes else
              [table_lib.number_name(float(lab)) for lab in stripped] if all(numbers)
              else stripped)
    distinct = set(values)
    once = [v for v in distinct if values.count(v) == 1]
    refusal = (any(lab.lower() in ("", "na") for lab in stripped) or
               (any(numbers) and not all(numbers)) or
               len({v.casefold() for v in distinct}) < len(distinct) or
               (all(numbers) and len(distinct) > 2 and 2 * len(once) > len(distinct)) or
               len(distinct) < 2)
    try:
        y = table_lib.label_column_values(table, 1)
        named = table_lib.class_names(table, 1, y)
        prepared = tasks.prepare_labels("classification", named, "t.csv")
    except UserError as e:
        one_line_naming(e, "t.csv")
        assert refusal, str(e)
        return
    assert not refusal
    classes = prepared.info["class_names"]
    assert sorted(classes) == sorted(distinct)
    assert [classes[i] for i in prepared.y.reshape(-1)] == values


@pytest.mark.parametrize("labels", [["a", "a", "a"], ["7", "7"]])
def test_a_single_class_is_refused_naming_it(labels):
    table = labels_table(labels)
    named = table_lib.class_names(table, 1, table_lib.label_column_values(table, 1))
    with pytest.raises(UserError, match="single class"):
        tasks.prepare_labels("classification", named, "t.csv")


WORDS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
                min_size=1, max_size=30).filter(str.strip)
DOC_BYTES = st.one_of(  # mostly text a tool writes, then what breaks a reader
    *[WORDS.map(lambda t, e=e: t.encode(e)) for e in ("utf-8", "utf-8", "utf-8", "utf-8-sig",
                                                       "utf-16", "utf-32")],
    st.binary(max_size=40), st.text(max_size=30).map(lambda t: t.encode("utf-8")),
    st.sampled_from([b"", b"  \n", "caf\xe9".encode("latin-1"), b"\xef\xbb\xbf", b"a\x00b",
                     codecs.BOM_UTF16_LE + b"a"]))


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(st.sampled_from(["a", "B", "b", "sp ace", "é", ".hidden", "__MACOSX"]),
                       st.lists(st.tuples(st.sampled_from(["d.txt", "e.TXT", "k.txt", "f.md",
                                                           ".g.txt"]),
                                          DOC_BYTES), min_size=1, max_size=3,
                                unique_by=lambda t: t[0]),
                       min_size=2, max_size=4))
def test_a_text_folder_reads_each_file_as_decoded_or_is_refused_in_one_line(classes):
    from ktrain_kit.data import text as text_lib
    with tempfile.TemporaryDirectory() as root:
        for label, docs in classes.items():
            os.makedirs(os.path.join(root, label))
            for name, data in docs:
                with open(os.path.join(root, label, name), "wb") as f:
                    f.write(data)
        try:
            texts, ids, names, empty = text_lib.folder_texts(root)
        except UserError as e:
            text = str(e)
            assert "\n" not in text and text.startswith(f"file '{root}"), text
            event("refused: " + re.sub(r"'.*?'", "#", text)[:50])
            return
    event("read")
    visible = {c: [(n, d) for n, d in sorted(docs) if n.lower().endswith(".txt")
                   and not n.startswith(".")]
               for c, docs in classes.items() if not c.startswith(".") and c != "__MACOSX"}
    assert names == sorted(visible)
    def as_read(data):  # a document of white space alone is a text of no words
        text = reference_text(data)
        return text if text.strip() else ""
    expected = [(as_read(d), names.index(c)) for c in names for _, d in visible[c]]
    assert list(zip(texts, ids)) == expected
    assert len(empty) == sum(not as_read(d) for c in names for _, d in visible[c])


@pytest.mark.parametrize("data, name", [
    (b"1,5;2,25\n3,5;4,0\n", "semicolon"),   # no header: would read as 1 | 5;2 | 25
    (b"x;y\n1,5;2\n", "semicolon"),
    (b"1,5|2\n3|4,5\n", "pipe"),
    (b"1,5\t2\n3\t4,5\n", "tab"),
    (b"a|b|c\n1|2|3\n", "pipe")])
def test_another_delimiter_with_decimal_commas_is_refused_naming_it(data, name):
    with pytest.raises(UserError, match=f"looks {name}-delimited"):
        table_lib.parse_table(data, "t.csv", False)


def test_a_text_column_holding_semicolons_on_every_row_is_read_as_written():
    table = table_lib.parse_table(b"1,x;y,2\n3,z;w,4\n", "t.csv", False)
    assert table.rows == [["1", "x;y", "2"], ["3", "z;w", "4"]]


# Characters of Windows-1252 beyond ASCII (what Excel on Windows writes in a "CSV" export):
# accents, the euro sign, typographic quotes and dashes; and Latin-1's (ISO-8859-1) own.
CP1252 = "éèüñçßÉÖ£©°€“”‘’–—…"
LATIN1 = "éèüñçßÉÖ£©°¿¡\u00a0µ"


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@example(("cp1252", [[" ", " "]]))  # found by hypothesis: no row but blanks
@given(st.sampled_from([("cp1252", CP1252), ("latin-1", LATIN1)]).flatmap(
    lambda pair: st.tuples(st.just(pair[0]), st.lists(st.lists(
        st.text("ab ,\"\n" + pair[1], min_size=1, max_size=8), min_size=2, max_size=2),
        min_size=1, max_size=6))))
def test_a_windows_or_latin1_table_reads_with_data_encoding_as_decoded(case):
    """Real 8-bit bytes: read with `data.encoding` they give the cells Python's own codec and
    csv module give; read as `auto` they are refused, naming that setting (unless the bytes are
    valid UTF-8 too: ASCII, or rare sequences such as `ç\xa0\xa0`, read as UTF-8 by rule)."""
    encoding, rows = case
    out = io.StringIO(newline="")
    csv.writer(out).writerows([["name", "label"]] + rows)
    data = out.getvalue().encode(encoding)
    expected = reference_records(data.decode(encoding), False)
    if len(expected) == 1:  # every row blank (cells of spaces): a header alone is refused
        with pytest.raises(UserError, match="holds no examples"):
            table_lib.parse_table(data, "t.csv", True, encoding=encoding)
        return
    table = table_lib.parse_table(data, "t.csv", True, encoding=encoding)
    assert [table.names] + table.rows == expected
    try:  # 8-bit text that happens to be valid UTF-8 (`ç\xa0\xa0`) is UTF-8 to `auto`
        as_utf8 = reference_records(data.decode("utf-8"), False)
    except UnicodeDecodeError:
        as_utf8 = None
    if as_utf8 is not None:
        auto = table_lib.parse_table(data, "t.csv", True)
        assert [auto.names] + auto.rows == as_utf8
        return
    with pytest.raises(UserError) as e:
        table_lib.parse_table(data, "t.csv", True)
    assert "--config.data.encoding=cp1252" in one_line_naming(e.value, "t.csv")


def test_a_text_folder_and_a_csv_in_cp1252_read_through_the_config(tmp_path):
    from conftest import data_config, task
    from ktrain_kit.data import sources
    docs = {"pos": ["Très bon café… “super”", "Génial – 5 €"],
            "neg": ["Zu teuer: 9 €", "Naïve"]}
    for label, texts in docs.items():
        (tmp_path / "docs" / label).mkdir(parents=True)
        for i, text in enumerate(texts):
            (tmp_path / "docs" / label / f"{i}.txt").write_bytes(text.encode("cp1252"))
    with pytest.raises(UserError, match=r"--config\.data\.encoding=cp1252"):
        sources._text_folder(data_config("text_folder", tmp_path / "docs"), task(), None)
    raw = sources._text_folder(data_config("text_folder", tmp_path / "docs", encoding="cp1252"),
                               task(), None)
    assert list(raw.x) == docs["neg"] + docs["pos"]  # classes in sorted order
    rows = "".join(f"\"{t}\",{label}\n" for label, texts in docs.items() for t in texts)
    (tmp_path / "t.csv").write_bytes(("text,label\n" + rows).encode("cp1252"))
    raw = sources._csv(data_config("csv", tmp_path / "t.csv", text_column="text",
                                   label_column="label", encoding="cp1252"), task(), None)
    assert list(raw.x) == docs["pos"] + docs["neg"]


def test_a_byte_order_mark_decides_the_encoding_over_data_encoding():
    """The mark is the file's own declaration: data.encoding=cp1252 (meant for a folder's
    Windows documents) reads a document with a UTF-8 or UTF-16 mark by its mark."""
    data = codecs.BOM_UTF8 + "a,b\n1,é\n".encode("utf-8")
    assert table_lib.parse_table(data, "t.csv", True, encoding="cp1252").rows == [["1", "é"]]
    assert table_lib.parse_table("a,b\n1,é\n".encode("utf-16"), "t.csv", True,
                                 encoding="cp1252").rows == [["1", "é"]]
    assert table_lib.parse_table(data, "t.csv", True, encoding="utf-8").rows == [["1", "é"]]
    utf16 = "a,b\n1,é\n".encode("utf-16")  # with its mark
    assert table_lib.parse_table(utf16, "t.csv", True, encoding="utf-16-le").rows == [["1", "é"]]
