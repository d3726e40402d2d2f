"""Reading a CSV file into a table, and its label columns, by rules stated once (no TensorFlow).

Every CSV the toolkit reads goes through `read_table`, and every label column through
`label_column_values`. The rules:

- Text: UTF-8, or the encoding a byte-order mark declares (UTF-8, UTF-16 or UTF-32: Excel's
  "Unicode Text" and Windows PowerShell write UTF-16; the mark says which, so nothing is
  guessed; see `decode_text`), or the codec `data.encoding` names (`cp1252`: a Windows
  export, which is refused without it, naming that setting); line ends LF, CRLF or CR;
  quoting as Python's csv module and spreadsheets write it (`"a, b"`, `""` for a quote inside
  quotes; `\\"` in a file whose quoting holds only so, see `backslash_quotes_doubled`), also
  after the spaces of a `, ` separator (`1, "a, b"`). A cell may be of any
  length (a document in a text column). Each cell is stripped of surrounding spaces. Lines
  with no cells, or only empty ones (`,,,`: spreadsheets export formatted but empty rows so),
  are skipped.
- Delimiter (`data.delimiter`): `auto` = a comma, a tab for a file named `.tsv` or `.tab`;
  or the one given (`,` `;` `tab` `|` `space`: runs of spaces and tabs outside quotes, as R's
  write.table and fixed-width text write and pandas' sep=r'\s+' splits). Read with `auto`, a first line that is one cell
  holding semicolons, tabs, pipes (`|`), or commas in a .tsv, is refused naming the setting
  (an export with another delimiter, often with decimal commas: read as commas it would be
  misread); so is a file whose every line that delimiter splits evenly into cells whose commas
  are all decimal commas (`1,5;2,5`, headerless: see `_refuse_split_by_another_delimiter`).
  Never guessed: a header of one name and text cells holding `;` are a one-column comma file
  as much as a semicolon one. Excel's delimiter line, `sep=;` alone on line 1 (`EXCEL_SEP`),
  is read as Excel reads it: the delimiter (with `auto`), not a row; the run says so.
- Decimal mark (`data.decimal`): `auto` = a comma in a `;`-delimited file (Excel's and R's
  write.csv2 export where the comma is the decimal mark), else a point. With a comma, `1,5` is
  the number 1.5 (stored as `1.5`, so every rule below reads it), and a number written with a
  point (`1.234`: a thousands point, or another notation) is refused, and so is one with its
  thousands grouped (`1.234,5`, `1 234,5`: pandas reads it as text, which would drop a
  column of numbers as ids). Comment lines
  (`# ...`) are not CSV: when they break the rows' widths the refusal says so.
- Every row has as many cells as the first; otherwise refused, naming the line.
- Missing cells: empty, `NA`, `N/A`, `NaN`, `null` or `?` (lower or upper case: `Na` is a
  value, sodium), and a spreadsheet's
  error values (`#N/A`, `#DIV/0!`, `#VALUE!`, ...: a formula gave no value). See `is_missing`.
- Numbers: plain decimal notation (`3`, `-1.5`, `.5`, `2e-3`, `inf`); `1_000`, `0x1F` or `1,5`
  are text, not numbers.
- Header (`data.header`): `true` = the first row names the columns, `false` = it is an
  example, `auto` decides: the first row is a header when one of its cells is text over a
  column whose other cells are all numbers, or when none of its cells is a value of its column
  and one of them is text over a column whose values each recur (categories: a table of text
  only, see `_names_over_categories`); it is an example when all its cells are numbers
  (or missing) and fit their columns. Anything else, and a first row of consecutive whole
  numbers over numbers (`0,1,2,...`, the names pandas writes), is refused: say which it is;
  with an empty first cell over a column of row labels (`,0,1,2,...` over pandas' index:
  `_numbered_over_index`) it is the header pandas' `to_csv` writes, read so.
  A header whose names are all numbers over columns of numbers cannot be told from an example:
  with `auto` it is read as an example and the run says so.
- Orange's header (its `.tab` files, Orange Data Mining's own format): line 1 names the
  columns, line 2 gives each a type (`c`, `d`, `s`, `t`, `continuous`, `discrete`, ..., or a
  discrete column's values, space-separated, or nothing), line 3 flags (`class`, `meta`,
  `ignore`, `include=True`, ... or nothing; a line 3 with no flag at all is blank). Read as
  rows, the two lines were two examples (`d`, `class`: classes of their own) or the header
  question. They are the header's (`_orange_rows`), and the run says so, unless a cell of
  them is a value of its column below or a `c` type tops text (grades `C`, `D` over `I`, `C`
  are examples); the columns are typed from their cells, as any file's. Its flags are
  obeyed: a `meta`, `ignore` or `weight` column is no feature (`Table.flagged`; said, and
  typed in data.features it is one again), the `class` column is the label when
  data.label_column is left at -1 (`declared_label`; another named is the label,
  and the class column is left out as a meta: `left_out_classes`). Orange's one-line header
  (`cD#iris,C#sepal length,mS#note`: flags in lower case, the type in upper case, before each
  name's `#`: `_orange_one_line`) is read the same way, its flags on line 1.
- ARFF (Weka's, OpenML's format: `@relation`, `@attribute`, `@data`) is read by its own rules
  (`data/arff.py`): its attributes name the columns, its nominal ones are categories.
- Column names: non-empty and distinct; names each wrapped in single quotes (`'vote'`) are
  the names inside (see `_unquoted`). Without a header the columns are named "0", "1", ...
  A column without a name (empty, or pandas' `Unnamed: 3`) that holds nothing (all cells
  missing: the trailing comma of a spreadsheet export) or a different row number or name on
  every row (the index pandas' `to_csv` writes, the row names of R's `write.csv`; see
  `_row_labels`) carries no information about the examples: it is left out (`Table.unused`),
  and the run says so. Other columns without a name are refused.
- Quotes as the writer's type: R's write.csv (Python's csv.QUOTE_NONNUMERIC, pandas'
  quoting=2) quotes text and leaves numbers bare. In a file that leaves a number bare
  somewhere below line 1, a column whose every present cell below it is quoted was written
  as text (`Table.text`, see `quoted_cells`): its distinct numbers without a column name are
  row names (`"1962.25"`, `"1.1"`: left out as above), and a label of it is class names as
  written (`"1"`, `"rho"`: not "numbers and text"). A line 1 quoted throughout, with a quoted
  number over a column of bare numbers (`"","1940","1945"`), names the columns. A file
  quoting every cell, or none, is read by the cells alone.
- A column is chosen by name first, then as an index (negative counts from the end) among the
  columns not left out (so `-1` is the last column of data, before a trailing comma's): with a
  column NAMED "1", `label_column=1` is that column.
- Labels: no missing label; numbers, or text class names, not both in one column; two names
  that differ only in letter case (`Yes` / `yes`) are refused, never two classes. For a
  classification task every distinct value is a class, numbers included (named by value:
  `class_names`); numbers most of whose values are on one row only are refused (a quantity).

Refusals are `UserError`s of one line naming the file, the line and the column.
"""

import codecs
import collections
import csv
import dataclasses
import decimal
import io
import json
import re

import numpy as np

from ktrain_kit import fs
from ktrain_kit.config_fields import CSV_DELIMITERS, check_csv_settings, near_miss
from ktrain_kit.errors import config_error, file_error, shown  # noqa: F401 (shown: users')

MISSING = frozenset({"", "na", "n/a", "nan", "null", "?",  # and a spreadsheet's error values:
                     "#n/a", "#na", "#div/0!", "#value!", "#ref!", "#num!", "#name?", "#null!"})
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity)", re.I)
HEADER_CHOICES = ("auto", True, False)


def is_missing(cell: str) -> bool:
    """One of MISSING as writers spell it: lower case, upper case, or `NaN`. A word of mixed
    case that lower-cases to one (`Na`, sodium's symbol in bokeh's elements.csv; `Nan`, a
    name) is a value: read as a gap, sodium's row lost its symbol, silently (pandas' default
    spellings keep both)."""
    lowered = cell.lower()
    return lowered in MISSING and (cell == lowered or cell == cell.upper() or cell == "NaN")


def is_number(cell: str) -> bool:
    return NUMBER.fullmatch(cell) is not None


@dataclasses.dataclass
class Table:
    """A CSV's cells as text: `rows[i][j]` is row i's cell in column `names[j]`."""
    path: str
    names: list
    rows: list
    lines: list          # the file line each row starts on (for messages)
    header: bool
    unused: dict = dataclasses.field(default_factory=dict)  # column -> why it is left out
    # how pandas reads and writes the file as it is (for a fix that rewrites it: `pandas_io`)
    pandas_io: tuple = ("pandas.read_csv(path)", ".to_csv('{}.csv', index=False)")
    text: frozenset = frozenset()  # columns the writer quoted as text (`text_columns`)
    notes: tuple = ()  # what the run says about the reading (Orange's header rows)
    declared: dict = dataclasses.field(default_factory=dict)  # column -> type the file gives
    # (ARFF: numeric, categorical, string, date; Orange: continuous, its `c` type)
    classes: tuple = ()  # the label columns the file flags (Orange's `class`: declared_label)
    flagged: dict = dataclasses.field(default_factory=dict)  # column -> why the file keeps it
    # out of the features (Orange's meta, ignore, weight); still a label or text column
    flags_at: int = 3  # the line of Orange's flags: 3, or 1 in its one-line header

    @property
    def width(self) -> int:
        return len(self.names)

    def column(self, j) -> list:
        return [r[j] for r in self.rows]

    def where(self, i, j) -> str:
        return f"line {self.lines[i]}, column {shown(self.names[j])}"


def read_table(path: str, header="auto", named=(), encoding="auto", delimiter="auto",
               decimal="auto", quoting="csv") -> Table:
    """The CSV at `path` as a `Table`, by the module's rules; `named`: the column names the
    config uses (they tell a header, see the rules); `encoding`, `delimiter`, `decimal`: the
    `data.` keys of those names (and `quoting`: `data.quoting`)."""
    if header not in HEADER_CHOICES:
        raise config_error("data.header", f"unknown value {header!r}", "use auto, true or false")
    try:
        with fs.open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise file_error(path, f"cannot be read ({type(e).__name__})", "check the path") from None
    data, name = _decompressed(data, path)
    return parse_table(data, path, header, named, name, encoding, delimiter, decimal, quoting)


# What pandas' read_csv opens without being told: a table compressed as a whole. Known by its
# first bytes, not its name (a download renamed .csv can still be gzip).
COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz", b"PK\x03\x04": "zip"}


# Files users export tables to that are not text: named, with the way to a CSV. Known by their
# first bytes (a download renamed .csv is still what it is); each (test, what, fix).
TO_CSV = "pandas.read_{}(path).to_csv('table.csv', index=False)"
IN_R = "in R: write.csv({}, 'table.csv', row.names=FALSE)"
FOREIGN = (
    (b"PAR1", "a Parquet file", TO_CSV.format("parquet")),
    (b"ARROW1", "an Arrow/Feather file", TO_CSV.format("feather")),
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file", TO_CSV.format("hdf")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook",
     "save the sheet as 'CSV UTF-8'"),
    (b"SQLite format 3\x00", "an SQLite database", "export the table as CSV"),
    (b"<stata_dta>", "a Stata .dta file", TO_CSV.format("stata")),
    # Stata 8-13 (formats 113-115): the format, the byte order (1 or 2), file type 1
    (lambda d: d[:1] in (b"q", b"r", b"s") and d[1:2] in (b"\x01", b"\x02") and d[2:3] == b"\x01",
     "a Stata .dta file", TO_CSV.format("stata")),
    (b"$FL2", "an SPSS .sav file", TO_CSV.format("spss")),
    (b"$FL3", "an SPSS .sav file", TO_CSV.format("spss")),
    (lambda d: d[12:32] == b"\xc2\xea\x81\x60\xb3\x14\x11\xcf\xbd\x92\x08\x00\x09\xc7"
     b"\x31\x8c\x18\x1f\x10\x11", "a SAS .sas7bdat file", TO_CSV.format("sas")),
    (lambda d: d[:1] == b"\x80" and d[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"),
     "a Python pickle (pandas' to_pickle?)", TO_CSV.format("pickle")),
    (b"\x93NUMPY", "a NumPy .npy array", "save x and y with numpy.savez(path, x=x, y=y) and "
     "use data.name=npz"),
    (b"RDX2\n", "an R workspace (.RData)", IN_R.format("df")),
    (b"RDX3\n", "an R workspace (.RData)", IN_R.format("df")),
    (lambda d: d[:2] in (b"X\n", b"B\n") and d[2:5] == b"\x00\x00\x00", "an R .rds file",
     IN_R.format("readRDS('file.rds')")),
    (lambda d: d[257:262] == b"ustar", "a tar archive",
     "extract it (tar -xf) and point data.path at the table"),
    (b"%PDF-", "a PDF document", "export the table as CSV"),
    (b"\x89PNG", "an image", "image folders are read with data.name=image_folder"),
    (b"\xff\xd8\xff", "an image", "image folders are read with data.name=image_folder"),
    (b"GIF8", "an image", "image folders are read with data.name=image_folder"),
)


def foreign_kind(data: bytes):
    """(what, fix) of a binary format known by its first bytes, else None. A file that is
    UTF-8 text is none: a table whose first column is named `PAR1` is a table."""
    if is_utf8_text(data):
        return None
    for test, what, fix in FOREIGN:
        if (test(data) if callable(test) else data.startswith(test)):
            return what, fix
    return None


def _refuse_foreign(data: bytes, path: str, members=()):
    """A binary table format, or a zip that is an Excel workbook, an OpenDocument spreadsheet
    or NumPy .npz, named as such."""
    what = foreign_kind(data)
    if any(m.startswith("xl/") for m in members):
        what = ("an Excel workbook", "save the sheet as 'CSV UTF-8'")
    elif "mimetype" in members and "content.xml" in members:
        what = ("an OpenDocument spreadsheet (.ods)", "save the sheet as CSV (UTF-8)")
    elif members and all(m.endswith(".npy") for m in members):
        what = ("a NumPy .npz archive", "use data.name=npz")
    if what:
        raise file_error(path, f"is {what[0]}, not a CSV table", what[1])


def _decompressed(data: bytes, path: str):
    """(the table's bytes, the name its delimiter is judged by): `data` itself, or what a
    gzip / bz2 / xz file or a zip archive of one file holds."""
    _refuse_foreign(data, path)
    kind = next((k for magic, k in COMPRESSED.items() if data.startswith(magic)), None)
    name = str(path)
    if kind is None:
        return data, name
    import bz2
    import gzip
    import lzma
    import zipfile
    try:
        if kind == "zip":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()
                           and not m.filename.startswith("__MACOSX/")]
                _refuse_foreign(b"", path, [m.filename for m in members])
                if len(members) != 1:
                    raise file_error(path, f"is a zip archive of {len(members)} files, not one "
                                     "table", "unzip it and point data.path at the table")
                return archive.read(members[0]), members[0].filename
        opened = {"gzip": gzip.decompress, "bz2": bz2.decompress, "xz": lzma.decompress}[kind]
        stem = name[:name.rfind(".")] if name.lower().endswith((".gz", ".bz2", ".xz")) else name
        inner = opened(data)
        _refuse_foreign(inner, path)  # R's .rds and .RData, a .tar.gz: compressed, not tables
        return inner, stem
    except (OSError, EOFError, ValueError, lzma.LZMAError, zipfile.BadZipFile) as e:
        raise file_error(path, f"is a damaged {kind} file ({type(e).__name__})",
                         "compress it again, or give the table uncompressed") from None


MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
         (codecs.BOM_UTF8, "utf-8-sig"))
ENCODING_FIX = "--config.data.encoding=cp1252"  # Excel's and Windows' 8-bit text


def decode_text(data: bytes, path, fix: str, encoding: str = "auto", also: str = "") -> str:
    """A file's text. `encoding` "auto": decoded as its byte-order mark declares (UTF-32,
    UTF-16, UTF-8), else as UTF-8; other encodings are refused, naming the line and the setting
    that reads them (`data.encoding`): Latin-1 and Windows-1252 decode any bytes, so a guess
    among them would be silent when wrong. A codec name (`cp1252`, `latin-1`, `shift_jis`;
    `config_fields.is_text_codec`): decoded so, unless the file starts with a byte-order mark,
    which decides: the mark is the file's own declaration, and no 8-bit text starts with those
    bytes (cp1252 would read "ï»¿"), so in a text folder of Windows documents a UTF-16 one
    with its mark is read as UTF-16 rather than refused.

    A setting is named only when it reads the file as text (`_text_codecs`): a binary file
    (a Stata, SPSS or pickle file renamed .csv, an archive) is refused as not a text file,
    naming its format when its first bytes tell it (`foreign_kind`); named UTF-16 or
    Windows-1252, the setting read it as garbage or met the next refusal."""
    mark = next(((m, codec) for m, codec in MARKS if data.startswith(m)), None)
    if mark:
        codec, encoding = mark[1], "auto"  # the mark's codec reads past the mark
    else:
        codec = "utf-8" if encoding in ("auto", "", None) else codecs.lookup(encoding).name
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as e:
        line = data[:e.start].decode(codec, "replace").count("\n") + 1
        name = {"utf-8-sig": "UTF-8"}.get(codec, codec.upper())
        byte = f"line {line}: byte {data[e.start:e.start + 1]!r}"
        if encoding not in ("auto", "", None):
            raise file_error(path, f"is not {encoding} text ({byte})", "give the file's "
                             "encoding as data.encoding (auto: UTF-8, or as its byte-order "
                             "mark says)") from None
        if codec != "utf-8":
            raise file_error(path, f"is not {name} text ({byte})", fix) from None
        readers = _text_codecs(data)
        if b"\0" in data[:SAMPLE] and readers[:1] in (["utf-16-le"], ["utf-16-be"]):
            raise file_error(path, f"is not UTF-8 text ({byte}; UTF-16 without a byte-order "
                             f"mark?)", f"pass --config.data.encoding={readers[0]}, or {fix}"
                             ) from None
        if "cp1252" in readers:
            raise file_error(path, f"is not UTF-8 text ({byte}; a Latin-1 or Windows "
                             f"export?)", f"if it is, pass {ENCODING_FIX}{also}; or {fix}") from None
        raise _not_text(data, path, fix)
    if "\0" in text:  # valid, but no text holds NUL: UTF-16 of ASCII does, every other byte
        line = text[:text.index("\0")].count("\n") + 1
        name = {"utf-8-sig": "UTF-8"}.get(codec, codec.upper())
        utf16 = [c for c in _text_codecs(data) if c.startswith("utf-16")]
        if not utf16:
            raise _not_text(data, path, fix)
        raise file_error(path, f"is not {name} text (line {line} holds NUL bytes; "
                         "UTF-16 without a byte-order mark?)",
                         f"pass --config.data.encoding={utf16[0]} if it is UTF-16, or " + fix)
    return text


# Characters no text file holds: C0 and C1 controls but tab, line feed, vertical tab, form
# feed and carriage return. Binary formats hold them (NULs in every length field).
CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
SAMPLE = 1 << 16


def is_utf8_text(data: bytes) -> bool:
    """Whether `data` is UTF-8 text: valid UTF-8 (a UTF-8 mark allowed) without control
    characters. Text in an 8-bit codec is valid UTF-8 only when each of its letters beyond
    ASCII comes in pairs such as `Ã©` (mojibake already); UTF-16 of Latin letters holds NULs."""
    text = _sample_text(data, "utf-8-sig")
    return text is not None and not CONTROLS.search(text)


def _text_codecs(data: bytes) -> list:
    """The codecs among UTF-16 and Windows-1252 that read the file's first 64 KiB as text: no
    decoding error (but a character cut at the sample's end), no control character. UTF-16's
    byte order is the one whose high bytes hold the NULs (those of ASCII characters): read
    the other way, `a` (0x0061) is U+6100, a letter too."""
    sample = data[:SAMPLE]
    big = sample[::2].count(0) > sample[1::2].count(0)
    return [codec for codec in ("utf-16-be" if big else "utf-16-le", "cp1252")
            if (text := _sample_text(data, codec)) is not None and not CONTROLS.search(text)]


def _sample_text(data: bytes, codec: str):
    """The file's first 64 KiB decoded by `codec` (a character cut at the sample's end left
    out), or None when the codec cannot decode them."""
    sample = data[:SAMPLE]
    try:
        return sample.decode(codec)
    except UnicodeDecodeError as e:
        if len(data) <= len(sample) or e.start < len(sample) - 4:
            return None
        return sample[:e.start].decode(codec, "replace")


def _not_text(data: bytes, path, fix: str):
    """The refusal of a file that is not text in any encoding a setting could name."""
    known = foreign_kind(data)
    if known:
        return file_error(path, f"is {known[0]}, not a text file", known[1])
    at = CONTROLS.search(data[:SAMPLE].decode("latin-1"))
    why = (f"byte {at.start() + 1} is {data[at.start():at.start() + 1]!r}, a control code no "
           "text holds" if at else "no encoding reads it as text")
    return file_error(path, f"is not a text file ({why}: a spreadsheet, database or "
                      "archive?)", fix)


def parse_table(data: bytes, path: str = "<csv>", header="auto", named=(), name=None,
                encoding="auto", delimiter="auto", decimal="auto", quoting="csv") -> Table:
    """`named`: see read_table; `name`: the file name the delimiter is judged by (.tsv / .tab:
    tabs), default `path`; `encoding`: `data.encoding` (see decode_text); `delimiter`,
    `decimal`: `data.delimiter`, `data.decimal` (see `delimiter_char`, `decimal_mark`);
    `quoting`: `data.quoting` (see `_csv_records`)."""
    check_csv_settings("auto", "auto", quoting)
    char = delimiter_char(delimiter, str(name or path))
    mark = decimal_mark(decimal, char)
    text = decode_text(data, path, "save it as UTF-8 (a spreadsheet's 'CSV UTF-8' format)",
                       encoding, _semicolon_export(data, delimiter))
    if ARFF.match(text):  # Weka's / OpenML's format: its own reader (data/arff.py)
        return _arff_table(text, path)
    hint = EXCEL_SEP.match(text)
    if hint:  # Excel's `sep=;` line: the delimiter, as Excel reads it (blank: lines keep numbers)
        char = hint.group(1) if delimiter == "auto" else char
        mark, text = decimal_mark(decimal, char), text[hint.end():]
    json_table = json_lines_records(text, path)
    fasttext = json_table is None and fasttext_records(text, path)
    if fasttext:  # fastText's `__label__<class> <text>` lines: columns text, label
        json_table = fasttext
    orange, notes, grouped, orange_flags, orange_types, one_line = 0, (), {}, (), (), None
    comments, signed, repeated = 0, {}, []
    if json_table is not None:  # JSON Lines, or a list of records: the keys name the columns
        (records, lines, nested), has_header = json_table, True
    else:
        comments = _leading_comments(text, char)
        if comments:  # blanked, not cut: every line keeps its number
            said = text.lstrip("\ufeff").splitlines()[0].strip()
            text = re.sub(r"[^\r\n]+", "", "".join(text.splitlines(True)[:comments])) + \
                "".join(text.splitlines(True)[comments:])
        if quoting == "csv":
            text = backslash_quotes_doubled(text, char)
        records, lines = _csv_records(text, path, char, quoting, header)
        flags = quoted_cells(text, char) if quoting == "csv" and char != " " and \
            '"' in text else None
        repeats = _repeated_header(records) if header is not False else set()
        if repeats:  # see _repeated_header
            repeated = [lines[i] for i in sorted(repeats)]
            records = [r for i, r in enumerate(records) if i not in repeats]
            lines = [n for i, n in enumerate(lines) if i not in repeats]
            flags = flags and [f for i, f in enumerate(flags) if i not in repeats]
        orange = _orange_rows(records, lines, text, char) if header is not False else 0
        one_line = None if orange or header is False else _orange_one_line(records[0])
        if orange:  # Orange's type and flag rows: the header's, not examples
            notes = (_orange_note(path, records, orange),)
            orange_flags = records[2] if orange == 2 else ()
            orange_types = records[1]
            records, lines = [records[0], *records[1 + orange:]], [lines[0], *lines[1 + orange:]]
            flags = flags and [flags[0], *flags[1 + orange:]]
        elif one_line:  # Orange's one-line header: `cD#iris`, the flags and type before `#`
            names_1, orange_types, orange_flags = one_line
            notes = (_orange_note(path, [names_1, orange_types, orange_flags], 2, at=1),)
            records = [names_1, *records[1:]]
        if flags and len(flags[0]) == len(records[0]) - 1 and records[0][0] == "":
            flags[0] = [True, *flags[0]]  # the name R's write.table leaves out (write.csv: "")
        first = records[0]  # as written: if it is a header, its names are kept so
        records, signed = _unsigned_numbers(records)
        records, grouped = _ungrouped_numbers(records, mark, char, decimal != "auto")
        if mark == ",":  # before the header is judged: `1,5` is a number, as the file means
            records = _with_decimal_points(records, lines, path)
        if header == "auto":
            has_header = bool(orange or one_line) or \
                any(_is_name(n) and str(n).strip() in first for n in named) or \
                _quoted_names(records, flags) or _decide_header(records, lines, path)
        else:
            has_header = bool(header)
    unused, quoted = {}, frozenset()
    if has_header:
        (names, rows), (at, *lines) = (records[0], records[1:]), lines
        names = _unquoted(first) if json_table is None else names
        quoted = text_columns(records, flags) if json_table is None else quoted
        unused = _nameless_and_empty(names, rows, quoted)
        if json_table is not None:
            unused.update({names.index(k): why for k, why in nested.items()})
        for j, name in enumerate(names):
            if not name and j not in unused:
                raise file_error(path, f"line {at}: column {j + 1} has no name",
                                 "give every column a name in the header")
        seen = {}
        for j, name in enumerate(names):
            if name in seen and j not in unused:
                raise file_error(path, f"line {at}: two columns are named {shown(name)} "
                                 f"(columns {seen[name] + 1} and {j + 1})", "rename one of them")
            if j not in unused:
                seen[name] = j
    else:
        names, rows = [str(j) for j in range(len(records[0]))], records
    if not rows:
        raise file_error(path, "holds no examples (only a header)",
                         "add rows of features and a label")
    notes += (f"{path}: line 1 ({shown(hint.group(0).lstrip(chr(0xfeff)))}) is Excel's "
              f"delimiter line, not a row: its cells are split at {shown(hint.group(1))}",) \
        if hint else ()
    top = f"{1 + bool(hint)}-{comments + bool(hint)}" if comments > 1 else f"{1 + bool(hint)}"
    notes += (f"{path}: line{'s' * (comments > 1)} {top} ({shown(said)}"
              f"{', ...' if comments > 1 else ''}) "
              f"{'are read as comments' if comments > 1 else 'is read as a comment'}, "
              "not rows (lines on top starting with '#')",) if comments else ()
    notes += (f"{path}: line{'s' * (len(repeated) > 1)} "
              f"{', '.join(map(str, repeated[:5]))}{', ...' if len(repeated) > 5 else ''} "
              f"repeat{'s' * (len(repeated) == 1)} the header (files joined one after "
              "another?): read as the header again, not as rows",) if repeated else ()
    notes += tuple(f"column {shown(names[j])}: numbers written with {what} ({shown(cell)}) "
                   f"read as the numbers they write ({plain}"
                   f"{', percent points' if what == 'a percent sign' else ''})"
                   for j, (what, cell, plain) in signed.items() if j < len(names))
    notes += tuple(f"column {shown(names[j])}: numbers with their thousands grouped "
                   f"({shown(cell)}) read as the numbers they write ({plain})"
                   for j, (cell, plain) in (grouped if json_table is None else {}).items())
    return Table(path, names, rows, lines, has_header, unused,
                 pandas_io(char, mark, encoding, json_table is not None and not fasttext,
                           text, skip=bool(orange), hint=bool(hint) + comments), quoted, notes,
                 classes=tuple(names[j] for j, flag in enumerate(orange_flags)
                               if _orange_words(flag) & {"class", "c"} and j not in unused),
                 flagged={j: why for j, why in _orange_left_out(
                     orange_flags, 1 if one_line else 3).items() if j not in unused},
                 flags_at=1 if one_line else 3,
                 declared={names[j]: "continuous" for j, kind in enumerate(orange_types)
                           if kind.lower() in ("c", "continuous") and j not in unused})


def _repeated_header(records) -> set:
    """Indices of the later lines that repeat the first cell for cell, when the first holds a
    name (a cell no number): two exports joined (`cat a.csv b.csv`) repeat their header in
    the middle. Read as rows they made every column of numbers a column of text (the names
    taken for missing-value markers), and read as markers they gave the label column one more
    class, its own name."""
    first = [c.strip() for c in records[0]] if records else []
    if not first or not all(c and not NUMBER_LIKE.fullmatch(c) for c in first):
        return set()
    repeats = {i for i in range(1, len(records)) if records[i] and  # its first cell, then all
               records[i][0].strip() == first[0] and [c.strip() for c in records[i]] == first}
    if not repeats:
        return repeats
    others = [r for i, r in enumerate(records) if i and i not in repeats]
    # a header stands over a column of numbers; a headerless table of categories repeats its
    # rows as data does (`Adelie,Biscoe` twice). One number is no column of them: `Gentoo,
    # Adelie` twice around `0,Adelie` is three rows of a headerless file as much as a header
    def numbers(j):
        cells = [r[j].strip() if j < len(r) else "" for r in others]
        present = [c for c in cells if not is_missing(c)]
        return len(present) > 1 and all(NUMBER_LIKE.fullmatch(c) for c in present)
    return repeats if any(numbers(j) for j in range(len(first))) else set()


NUMBER_LIKE = re.compile(r"[-+(]?[\d.,' \u00a0\u202f]*\d[\d.,' \u00a0\u202f]*([eE][-+]?\d+)?\)?")


# Excel's delimiter line (`sep=;` alone on line 1, as exporters write it for Excel, which
# reads it as the delimiter and not as a row): read so, where data.delimiter is `auto`. Read as
# a row it was refused twice, the first refusal naming data.delimiter, the second asking to
# delete the line; pandas reads it as the header (`sep=;` one column's name).
EXCEL_SEP = re.compile(r"\A\ufeff?sep=([^\r\n\w\"'])[ \t]*(?=\r\n|\r|\n)")

# ARFF (Weka's format; OpenML's and scikit-survival's tables): `%` comments, then `@relation`
ARFF = re.compile(r"\A\ufeff?(?:[ \t]*(?:%[^\n]*)?\r?\n)*[ \t]*@relation\b", re.I)


def frame(path):
    """The table at `path` as a pandas DataFrame of its cells (text, gaps NaN), as this module
    reads it: the line a run's fix gives to rewrite a file pandas has no reader for (ARFF's
    `Table.pandas_io`)."""
    import pandas
    table = read_table(path)
    return pandas.DataFrame(table.rows, columns=table.names).replace("", float("nan"))


def _arff_table(text: str, path) -> Table:
    """An ARFF file's table (`arff.records`): its attributes name the columns, its nominal
    ones are declared categorical (`Table.declared`), nominal, string and date ones are text
    (`Table.text`: a label of them is class names as written); the column rules after the
    header (names distinct, nameless columns) are the CSV's."""
    from ktrain_kit.data import arff
    records, lines, declared, text_columns, note = arff.records(text.lstrip("\ufeff"), path)
    names, rows = records[0], records[1:]
    for j in (j for j, n in enumerate(names) if declared.get(n) == "numeric"):
        bad = next((i for i, r in enumerate(rows) if r[j] and not is_number(r[j])
                    and not is_missing(r[j])), None)  # `NaN`: Weka's and Java's gap too
        if bad is not None:  # Weka refuses it too; read as a CSV's, a typo made it text
            raise file_error(path, f"line {lines[bad + 1]}, attribute {shown(names[j])}: "
                             f"{shown(rows[bad][j])} is not a number, but the attribute is "
                             "declared numeric", "fix the value (? for a missing one), or "
                             "declare the attribute string")
    for j in (j for j, n in enumerate(names) if declared.get(n) == "categorical"):
        # A declared value spelled as a gap (`{NA, yes}`, `{nan, ok}`, a quoted '?'): in ARFF
        # only a bare ? is missing, but the typing and the export's graph read those spellings
        # as gaps, so the category was merged with the missing cells, silently (a class `nan`
        # refused as missing labels, its fix dropping the class's rows).
        bad = next((i for i, r in enumerate(rows) if r[j] and is_missing(r[j])), None)
        if bad is not None:
            cell = rows[bad][j]
            raise file_error(path, f"line {lines[bad + 1]}, attribute {shown(names[j])}: its "
                             f"declared value {shown(cell)} is read as a missing value (as "
                             "every table's and the export's input are), not as a category",
                             "rename the value in the @attribute line and the rows (e.g. "
                             f"{shown(cell + '_value')}); if it marks a missing value, write ? "
                             "instead")
    seen = {}
    for j, name in enumerate(names):
        if name in seen:
            raise file_error(path, f"line {lines[0]}: two attributes are named {shown(name)} "
                             f"(columns {seen[name] + 1} and {j + 1})", "rename one of them")
        seen[name] = j
    kept = [(r, n) for r, n in zip(rows, lines[1:]) if any(r)]  # as a CSV's empty rows
    rows, at = [r for r, _ in kept], [n for _, n in kept]
    if not rows:
        raise file_error(path, "holds no examples (no row after @data)",
                         "add rows of features and a label")
    return Table(path, names, rows, at, True, {}, (
        "ktrain_kit.data.table.frame(path)", ".to_csv('{}.csv', index=False)"),
        text_columns, (note,), declared)


def delimiter_char(delimiter, name: str) -> str:
    """The character `data.delimiter` splits cells at: itself, or with `auto` a comma, and a
    tab for a file named .tsv / .tab (what those names say)."""
    check_csv_settings(delimiter, "auto")
    return CSV_DELIMITERS[delimiter] or ("\t" if name.lower().endswith((".tsv", ".tab")) else ",")


def decimal_mark(decimal, char: str) -> str:
    """The decimal mark of the file's numbers: `data.decimal`, or with `auto` a comma in a
    semicolon-delimited file, else a point. A semicolon is the list separator of the locales
    whose decimal mark is the comma (Excel's 'CSV (semicolon delimited)', R's write.csv2): the
    comma is taken by the numbers, which is why the file is not comma-delimited."""
    check_csv_settings("auto", decimal)
    if decimal == "," and char == ",":
        raise config_error("data.decimal", "is ',' while the cells are split at commas",
                           "pass --config.data.delimiter=';' (or tab) for the file's delimiter")
    return ("," if char == ";" else ".") if decimal == "auto" else decimal


# A number as written with decimal commas and no grouping (a spreadsheet's General format):
# `1,5`, `-0,25`, `,5`, `3`, `1,5E-3`.
COMMA_NUMBER = re.compile(r"[+-]?(\d+(,\d*)?|,\d+)([eE][+-]?\d+)?")
# The same number with its thousands grouped (a spreadsheet's Number format in a decimal-comma
# locale): `1.234,5`, `-1 234`, `12'345,0`; a space may be a no-break or narrow no-break one.
GROUPED_COMMA_NUMBER = re.compile(r"[+-]?\d{1,3}([. '\u00a0\u202f]\d{3})+(,\d*)?")


# A number with its thousands grouped by one separator, for each decimal mark: with points,
# `1,234,567`, `1,234.5`, `1 234`, `1'234.5` (spaces: also no-break and narrow no-break ones);
# with commas, `1.234.567`, `1.234,5`, `1 234,5`. At most 6 groups (below 1e18): a longer run
# of `290,291,292,...` is a list (great_tables' photolysis wavelengths), not a number.
# The first group never starts with 0: no writer groups 125 as `0,125`; that is 0.125 with
# the other decimal mark (a quoted `"0,125"` in a comma CSV, `0.125` among decimal commas),
# read as 125, a factor of 1000, with a note saying it was grouping.
GROUPS = r"\d{3}(?:(?P=g)\d{3}){0,4}"  # after the first group: 1 to 5 more
SEPARATORS = {".": ", '\u00a0\u202f", ",": ". '\u00a0\u202f"}  # by the decimal mark
GROUPED = {mark: re.compile(rf"[+-]?[1-9]\d{{0,2}}(?P<g>[{re.escape(seps)}]){GROUPS}"
                            rf"(?:{re.escape(mark)}\d+)?") for mark, seps in SEPARATORS.items()}
# What any grouped number holds, searched for over a whole column at once: a digit, a
# separator, three digits (a column of plain numbers, no separator in it, is passed over
# in one scan: this ran on every cell of every table, 60% of reading 50,000 x 40 numbers).
SEPARATED = {mark: re.compile(rf"\d[{re.escape(seps)}]\d{{3}}")
             for mark, seps in SEPARATORS.items()}
# One group after a comma or a point and no decimals (`1,234`, `1.234`): a thousands separator
# or the other locale's decimal mark; the rest of the column must say which.
ONE_GROUP = re.compile(r"[+-]?\d{1,3}[,.]\d{3}")


def _ungrouped_numbers(records, mark: str, char: str, mark_given=False):
    """(records, {column: (a grouped cell, as read)}): in each column whose cells below line 1
    are numbers, some with their thousands grouped (`GROUPED` for the file's decimal mark),
    those cells written plainly (`"1,234,567"` -> `1234567`; with decimal commas `1.234,5` ->
    `1234,5`). Spreadsheets and reports write numbers so (bokeh's unemployment09.csv:
    `"23,288"`); refused as text, the user had to rewrite the file with pandas' `thousands=`.
    A column of mostly such numbers is ungrouped too, its other cells left as they are: a marker
    (`-`) or a typo among them is then judged as among plain numbers (refused naming it); kept
    as text, the grouped cells were the column's categories, silently, or the cell a refusal
    named.
    A column of one group alone (`1,234`, `1.234`: no decimals) is read so only where nothing
    else reads it: in a comma-delimited file, where a decimal comma would be the delimiter, or
    where another cell of the file groups with the same separator beyond doubt (`1.170.364`
    beside `263.400`), or where data.decimal names the other mark (`mark_given`: German
    Excel's `3.750` beside `39,1` with data.decimal=','); else it is refused as before (a tab
    file's `1,234` may be 1.234 written with a decimal comma, a `;` file's `1.234` a decimal
    point among decimal commas)."""
    plain = is_number if mark == "." else COMMA_NUMBER.fullmatch
    columns = {}  # column -> its grouped cells, when all its other cells are plain numbers
    for j in range(len(records[0]) if records else 0):
        column = "\n".join(r[j] for r in records[1:])
        if not any(sep in column for sep in SEPARATORS[mark]) or \
                not SEPARATED[mark].search(column):
            continue  # nothing grouped
        cells = [r[j] for r in records[1:] if not is_missing(r[j])]
        found = [c for c in cells if GROUPED[mark].fullmatch(c) and not plain(c)]
        if found and 2 * (len(found) + sum(bool(plain(c)) for c in cells)) > len(cells):
            columns[j] = found  # mostly numbers: the rest markers or strays
    certain = {GROUPED[mark].fullmatch(c).group("g") for found in columns.values()
               for c in found if not ONE_GROUP.fullmatch(c)}
    if mark == "." and char == ",":
        certain.add(",")  # quoted: a decimal comma would be the delimiter
    if mark_given:  # data.decimal names the decimal mark: no other mark can be it
        certain |= set(SEPARATORS[mark])
    grouped, out = {}, records
    for j, found in columns.items():
        if not all(GROUPED[mark].fullmatch(c).group("g") in certain for c in found):
            continue
        if out is records:
            out = [list(r) for r in records]
        for r in out:
            match = GROUPED[mark].fullmatch(r[j])
            if match and not plain(r[j]):
                r[j] = r[j].replace(match.group("g"), "")
        grouped[j] = (found[0], found[0].replace(GROUPED[mark].fullmatch(found[0]).group("g"),
                                                 ""))
    return out, grouped


# A number with one currency sign before or after it (`$1,234.50`, `-$5`, `$-5`, `5,10 €`,
# `£ 12`), or a percent sign after it (`12%`, `12,5 %`): what spreadsheets and reports write.
SIGNED_NUMBER = re.compile(r"(?P<s1>[+-]?)[ \u00a0\u202f]?(?P<pre>[$€£¥₹]?)[ \u00a0\u202f]?"
                           r"(?P<s2>[+-]?)(?P<n>\d[\d.,' \u00a0\u202f]*\d|\d|[.,]\d+)"
                           r"[ \u00a0\u202f]?(?P<post>[$€£¥₹%]?)")
SIGN_WORDS = {"%": "a percent sign"}


def _unsigned_numbers(records):
    """(records, {column: (what, a signed cell, as read)}): in each column of which every cell
    present (below line 1, and line 1 too where it is written alike) is a number with the same
    one currency sign (`$1,234.50`, `5,10 €`) or a percent sign (`12.5%`), those cells written
    without it (`1,234.50`, `5,10`, `12.5`), to be read by the grouping and decimal rules as any
    number is; a percent stays in percent points (12.5, as pandas' `str.rstrip('%')` gives).
    One strict rule: a column mixing signs, or signed and plain numbers, or any other text is
    left as written (refused as formatted numbers, naming the fix). Refused before whatever
    the column, the only fix offered was categories: a category per price, nothing learned
    from its size."""
    columns = {}
    for j in range(len(records[0]) if records else 0):
        first = next((r[j] for r in records[1:] if not is_missing(r[j])), "")
        if not any(ch in first for ch in "$€£¥₹%"):
            continue  # judged by its first cell: one pass over the table's rows, no more
        cells = [r[j] for r in records[1:] if not is_missing(r[j])]
        found = [SIGNED_NUMBER.fullmatch(c) for c in cells]
        if not all(found) or (found[0]["s1"] and found[0]["s2"]):
            continue
        signs = {(m["pre"], m["post"]) for m in found}
        if len(signs) != 1 or sum(map(bool, next(iter(signs)))) != 1 or \
                any(m["s1"] and m["s2"] for m in found):
            continue
        columns[j] = "".join(next(iter(signs)))
    out = records
    signed = {}
    for j, sign in columns.items():
        if out is records:
            out = [list(r) for r in records]
        for k, r in enumerate(out):
            m = SIGNED_NUMBER.fullmatch(r[j])
            if m and "".join((m["pre"], m["post"])) == sign and not (m["s1"] and m["s2"]):
                plain = (m["s1"] or m["s2"]) + m["n"]
                if k > 0 and j not in signed:
                    signed[j] = (SIGN_WORDS.get(sign, "a currency sign"), r[j], plain)
                if k > 0 or not is_number(r[j]):
                    r[j] = plain
    return out, signed


def _leading_comments(text: str, char: str) -> int:
    """How many lines on top of `text` are comments, not rows: a run of lines that start
    with `#` ('# exported by ...', R's '## Source: ...'; blank lines among them), each of a
    width (cells split at `char`) other than the first line below the run, which must exist.
    A `#` line as wide as the line below it is the header (`#id,name` over `1,ab`). Only
    whole lines on top: pandas' comment='#' also cuts `C#` or `#VALUE!` inside cells."""
    if not text.lstrip("\ufeff \t").startswith("#"):
        return 0
    lines = text.lstrip("\ufeff").splitlines(True)
    run = 0
    while run < len(lines) and (lines[run].lstrip().startswith("#") or
                                (run and not lines[run].strip())):
        run += 1
    while run and not lines[run - 1].strip():
        run -= 1  # blank lines after the comments are skipped as any blank line is
    below = next((k for k in range(run, len(lines)) if lines[k].strip()), None)
    if not run or below is None:
        return 0
    width = _width("".join(lines[below:]), char)
    if width < 0 or any(_width(line, char) == width for line in lines[:run] if line.strip()):
        return 0
    return run


def _width(text: str, char: str) -> int:
    """Cells in the first record of `text` split at `char` (a cell may hold a document)."""
    if char == " ":
        return len(text.split("\n", 1)[0].split())
    limit = csv.field_size_limit(2**31 - 1)
    try:
        return len(next(csv.reader(io.StringIO(text, newline=""), delimiter=char), []))
    except csv.Error:
        return -1  # not a record: the reader refuses it, naming the line
    finally:
        csv.field_size_limit(limit)


def _with_decimal_points(rows, lines, path):
    """`rows` with each number written with a decimal comma in plain notation (`1,5` ->
    `1.5`), for a file whose decimal mark is a comma. A cell that is a number with a point
    (`1.5`, `1.234`) is refused: in such a file a point groups thousands (`1.234` = 1234) or
    the file mixes notations; read either way it could be silently wrong by a factor of 1000."""
    out = []
    for cells, line in zip(rows, lines):
        for cell in cells:
            if _point_number(cell):
                raise file_error(path, f"line {line}: {shown(cell)} has a decimal point, but "
                                 "the file's numbers are read with decimal commas (data.decimal)",
                                 "pass --config.data.decimal=, if its points group thousands "
                                 "(1.234 = 1234) and its decimals are commas, or "
                                 "--config.data.decimal=. if its numbers use decimal points"
                                 if ONE_GROUP.fullmatch(cell) else
                                 "pass --config.data.decimal=. if its numbers use points; "
                                 "else write 1234 or 1,5 without grouping")
            if GROUPED_COMMA_NUMBER.fullmatch(cell):
                raise file_error(path, f"line {line}: {shown(cell)} is a number with its "
                                 "thousands grouped, which is read as text, not as a number",
                                 "write the numbers without grouping (1234,5: a spreadsheet's "
                                 "General format)")
        out.append([c.replace(",", ".") if COMMA_NUMBER.fullmatch(c) else c for c in cells])
    return out


def _point_number(cell) -> bool:
    """A number written with a decimal point (`1.5`, `1.234`), by the module's number rule."""
    return "." in cell and NUMBER.fullmatch(cell) is not None


def _unquoted(names):
    """Header names each wrapped in single quotes (`'vote'`, as statsmodels' files and some R
    and SAS exports quote them) as the names inside: quoting that every name has is the
    writer's, not part of a name, and a name holding quotes cannot be given on a command line
    (`--config.data.label_column='vote'` reads as `vote`)."""
    if len(names) > 1 and all(len(n) > 2 and n[0] == n[-1] == "'" for n in names):
        return [n[1:-1].strip() for n in names]
    return names


def pandas_io(char, mark, encoding, is_json, text, skip=False, hint=False) -> tuple:
    """(a pandas call reading the file, the call writing a frame back the same way): a fix
    that rewrites the file keeps its delimiter, decimal mark and encoding, so the same
    settings read the result. `skip`: Orange's type and flag rows (lines 2-3) skipped, as ours
    skips them (written back without them); `hint`: how many lines on top are skipped (Excel's
    `sep=` line, EXCEL_SEP; comment lines, `_leading_comments`)."""
    if is_json:
        lines = text.lstrip().startswith("{")
        # convert_dates=False: read_json turns `*_time`, `*_at`, `date` keys into datetimes,
        # where this reader (and a fix's line) takes the cells as written
        return (f"pandas.read_json(path{', lines=True' if lines else ''}, convert_dates=False)",
                f".to_json('{{}}.json', orient='records'{', lines=True' if lines else ''})")
    same = (["decimal=','"] if mark == "," else []) + (
        [f"encoding={encoding!r}"] if encoding not in ("auto", "", None) else [])
    read_sep = {",": [], " ": ["sep=r'\\s+'"]}.get(char, [f"sep={char!r}"])
    write_sep = {",": [], " ": ["sep=' '"]}.get(char, [f"sep={char!r}"])
    read = ", ".join(["path"] + read_sep + same + ["skiprows=[1, 2]"] * skip +
                     [f"skiprows={int(hint)}"] * bool(hint))
    write = ", ".join(["'{}.tsv'" if char == "\t" else "'{}.csv'", "index=False"] +
                      write_sep + same)
    return f"pandas.read_csv({read})", f".to_csv({write})"


def _semicolon_export(data: bytes, delimiter) -> str:
    """The delimiter setting to name beside data.encoding when the file is Excel's export in a
    decimal-comma locale (cp1252 and `;`: its first line holds semicolons and no comma), so
    one message gives both settings, not one run each."""
    first = data.lstrip()[:4096].split(b"\n", 1)[0]
    if delimiter == "auto" and b";" in first and b"," not in first:
        return " --config.data.delimiter=';'"
    return ""


def _broken_quoting(text: str, read: str):
    """None if every quoted cell of CSV text split by `read` ends at its closing quote (the csv
    module's strict rule: a closing quote is followed by the delimiter or the line's end),
    spaces after a closing quote allowed; else (the csv error, the line where the broken cell
    opens, the line the reader stopped at)."""
    pad = " \t".replace(read, "")  # spaces (or tabs) the writer put after a closing quote
    padded = re.sub(f'"[{pad}]+(?=[{re.escape(read)}\r\n]|$)', '"', text)
    reader = csv.reader(io.StringIO(padded, newline=""), delimiter=read, skipinitialspace=True,
                        strict=True)
    limit = csv.field_size_limit(2**31 - 1)
    start = 1
    try:
        for _ in reader:
            start = reader.line_num + 1
    except csv.Error as e:
        return e, start, reader.line_num
    finally:
        csv.field_size_limit(limit)
    return None


def backslash_quotes_doubled(text: str, read: str) -> str:
    """`text` with each `\\"` written `""` where the file escapes quotes inside cells with a
    backslash (`"H. Norwood \\"Barney\\" Ewell"`: MySQL's SELECT ... INTO OUTFILE, PHP's
    fputcsv, R's write.table (qmethod "escape", its default, also with its default space
    delimiter), pandas' and Python's csv with escapechar='\\' and doublequote=False), as csv
    quoting writes them: read as written, the quoting breaks, or holds only with rows of unequal
    widths (`"\\" ,a"` closes at `\\"` before ` ,`: two cells, one more than the writer's); read
    with every `\\"` a quote, the quoting holds (and, in the second case, the rows are one
    width). Otherwise `text` as it is: a `\\"` in a file whose quoting holds and whose rows are
    one width is a backslash closing a cell (`"C:\\"`), or a backslash and a quote in a file
    written without quoting (a .tsv of JSON-escaped strings: `{\\"k\\": 1}`).

    The escapes are rewritten cell by cell (`_escaped_cells_as_csv`), not character by
    character: Python's and pandas' writers quote only a cell that holds the delimiter or a
    line break, and escape a quote in any other cell bare (`A\\"B`); rewritten `A""B` bare,
    such a cell read as two quotes, and one opening with `\\"` opened a quote. Read with `\\"`
    a quote, a header a name short is R's write.table's shape (its default qmethod escapes):
    one width too; read as written it is no evidence (`"\\",a"` under a full header splits
    every row into one cell more)."""
    if '\\"' not in text:
        return text
    view = _as_space_delimited if read == " " else str  # how `_csv_records` splits the text
    broken = _broken_quoting(view(text), read) is not None
    if not broken and _one_width(view(text), read):
        return text
    doubled = _escaped_cells_as_csv(text, read)
    if _broken_quoting(view(doubled), read) is None and (
            broken or _one_width(view(doubled), read, short_header=True)):
        return doubled
    return text


def _escaped_cells_as_csv(text: str, read: str) -> str:
    """`text`, whose quotes inside cells are escaped `\\"`, as csv quoting writes the same cells:
    in a quoted cell each `\\"` is `""` (a `\\\\` is an escaped backslash: `"C:\\\\"` closes at
    its last quote); a bare cell holding `\\"` is quoted, its quotes doubled. `read`: the
    delimiter (a space: runs of spaces and tabs)."""
    ends = re.escape(" \t" if read == " " else read) + r"\r\n"
    cell = re.compile(rf'(?<![^{ends}])(?:([ \t]*)"((?:\\[\s\S]|[^"\\])*)"'  # quoted
                      rf'|([^{ends}"]*\\"[^{ends}]*))')                         # bare, with \"
    def as_csv(match):
        if match.group(3) is not None:
            return '"' + match.group(3).replace('\\"', '"').replace('"', '""') + '"'
        inside = re.sub(r'\\([\s\S])', lambda m: '""' if m.group(1) == '"' else m.group(0),
                        match.group(2))
        return f'{match.group(1)}"{inside}"'
    return cell.sub(as_csv, text)


def _one_width(text: str, read: str, short_header=False) -> bool:
    """Every non-blank row of CSV text split by `read` has the same number of cells; with
    `short_header`, line 1 may be one name short (R's write.table, which `_csv_records` reads:
    `_short_header`)."""
    rows = _rows_split_by(text, read)
    if rows is None:
        return False
    rows = [[c.strip() for c in r] for r in rows]
    return len({len(r) for r in rows}) <= 1 or short_header and _short_header(rows)


def _refuse_broken_quoting(text: str, path, read: str):
    """Refuses CSV text whose quoting is broken (see `_csv_records`, `_broken_quoting`). Names
    the line where the broken cell opens, and `data.quoting`."""
    broken = _broken_quoting(text, read)
    if broken:
        e, start, end = broken
        where = f"line {start}" + (f" (read on to line {end})" if end > start else "")
        other = _unquoted_even_delimiter(text, read)
        also = f"{DELIMITER_FLAG[other]} " if other else ""
        raise file_error(path, f"{where}: a cell opening with a quote does not end at its "
                         f"closing quote ({e}): quotes written as text?",
                         "if the file's quotes are text (written without quoting, as many .tsv "
                         f"files are), pass {also}--config.data.quoting=none; else write each "
                         'quote inside a quoted cell as ""') from None


def _unquoted_even_delimiter(text, read):
    """Another delimiter that splits every non-blank line, quotes read as text, into one
    width of two or more cells (a tab file of texts with quotes, named .txt); else None."""
    lines = [line for line in re.split(r"\r\n|\r|\n", text) if line.strip()]
    for char in ("\t", ";", "|"):
        widths = {len(line.split(char)) for line in lines}
        if char != read and len(widths) == 1 and widths != {1}:
            return char
    return None


def _is_name(which) -> bool:
    """A column given by a name, not by an index (`species`, not `-1` or `3`)."""
    return isinstance(which, str) and not re.fullmatch(r"\s*-?\d+\s*", which) and \
        bool(which.strip())


def _csv_records(text: str, path, read: str, quoting: str = "csv", header="auto"):
    """(records, the line each starts on) of CSV text split by `read`: blank rows skipped,
    cells stripped; one width for all, else refused (naming a comment line, the usual cause).

    Quoting (`quoting` = `data.quoting`): `csv`, a cell opening with `"` ends at the next lone
    `"`, which must be followed by the delimiter or the line's end (spaces allowed between:
    `"a" ,b`); otherwise refused, naming the line (`_refuse_broken_quoting`). Python's csv
    module by default reads `"a"b` as `ab`: in a file written without quoting (a .tsv of
    texts), a cell opening with a quote swallowed every line up to the next quote as one cell,
    rows silently merged (the SMS Spam Collection lost 32 of 400 messages so). `none`: quotes
    are text, every line one row (a cell cannot hold the delimiter or a line break)."""
    records, lines = [], []
    if read == " ":
        text = _as_space_delimited(text, quoting)
    options = {"quoting": csv.QUOTE_NONE} if quoting == "none" else {}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=read, skipinitialspace=True,
                        **options)
    limit = csv.field_size_limit(2**31 - 1)  # a cell may hold a document (default: 128 KiB)
    try:
        start = 1
        for cells in reader:
            line, start = start, reader.line_num + 1   # the line the record starts on
            if not any(c.strip() for c in cells):
                continue  # a blank line, one of spaces, or of empty cells only
            records.append([c.strip() for c in cells])
            lines.append(line)
    except csv.Error as e:
        raise file_error(path, f"is not valid CSV at line {reader.line_num} ({e})",
                         "save it as a .csv file") from None
    finally:
        csv.field_size_limit(limit)  # the process's csv module as it was
    if not records:
        raise file_error(path, "holds no examples", "add rows of features and a label")
    _refuse_other_delimiters(records, lines, path, read, text)
    _refuse_split_by_another_delimiter(text, records, lines, path, read)
    if quoting == "csv":  # after the delimiter: `"a";"b"` read with commas breaks the quotes
        _refuse_broken_quoting(text, path, read)
    if header is not False and _short_header(records):  # R's write.table: see there
        records[0] = ["", *records[0]]
    width = len(records[0])
    for cells, line in zip(records, lines):
        if len(cells) != width:
            comment = next(((at, first) for first, at in ((records[0][0], lines[0]),
                                                           (cells[0], line))
                            if first.startswith("#") or re.fullmatch("sep=.?", first)), None)
            even = None if comment else _even_delimiter(text, read)
            fix = (f"delete line {comment[0]} ({shown(comment[1])}) and any other comment "
                   "line: the file is read as CSV only" if comment else
                   f"every line has {even[1]} cells split at {DELIMITER_WORDS[even[0]]}s: pass "
                   f"{DELIMITER_FLAG[even[0]]}" if even else
                   "give every row the same number of columns")
            raise file_error(path, f"line {line} has {len(cells)} cells, line {lines[0]} has "
                             f"{width}", fix)
    return records, lines


def _as_space_delimited(text: str, quoting: str = "csv") -> str:
    """`text` as `data.delimiter=space` splits it with the csv module at single spaces: runs
    of spaces are one delimiter; spaces opening or ending a line none; a tab outside quotes is
    a space too, as pandas' sep=r'\s+' (the call the file's fix lines name) splits it:
    fixed-width text pads with both (parts[::2]: outside quotes). Inside quotes nothing
    changes: a line break there is a cell's (R's write.table quotes text holding one), and
    the spaces around it the cell's text (stripped line by line, `"a \\n b"` read `a\\nb`)."""
    parts = text.split('"') if quoting == "csv" else [text]
    parts[::2] = [re.sub(r"[ \t]*(?:\r\n|\r|\n)[ \t]*", "\n", part.replace("\t", " "))
                  for part in parts[::2]]
    return '"'.join(parts).strip(" \t")


def _space_rows(text: str):
    """The text's non-blank rows as `data.delimiter=space` reads them (quotes kept together:
    `"chevrolet chevelle malibu"` is one cell); None where that is not valid CSV."""
    return _rows_split_by(_as_space_delimited(text), " ")


# Orange's header rows (orange3's `Orange.data.io_util`): the types of line 2 and the flags of
# line 3, in either spelling; a discrete column's type may be its values, space-separated.
ORANGE_TYPES = frozenset({"c", "d", "s", "t", "continuous", "discrete", "string", "time",
                          "basket"})
ORANGE_FLAGS = frozenset({"class", "c", "meta", "m", "ignore", "i", "weight", "w"})


def _orange_rows(records, lines, text: str, read: str) -> int:
    """How many records after line 1 are Orange's header rows: 2 (types on line 2, flags on
    line 3), 1 (types; a line 3 without any flag is blank, so skipped), or 0 (not Orange's).
    Line 2 must hold a type word and nothing but types, value lists or empty cells, and line 3
    nothing but flags: a row of examples is not all `c` / `d` / `class` (a value list alone
    would be any text with a space, so one type word at least is asked for).

    Rows that describe their columns, not values of them (`_describe_columns`): a table of
    grades or answer letters (`C,D` over `I,C`: continuous, discrete, ignore, class) read so
    lost its first two examples. And a line 3 that no record starts on is blank only when
    `text` says so: a record of line 2 whose quoted cell runs on to line 3 is no type row
    (its cells stripped, `D`, `"\\n..."` read as types over a blank line 3: an example lost)."""
    if len(records) < 3 or lines[:2] != [1, 2]:
        return 0
    types = records[1]
    if not any(cell.lower() in ORANGE_TYPES for cell in types) or not all(
            not cell or cell.lower() in ORANGE_TYPES or " " in cell for cell in types):
        return 0
    if lines[2] != 3:
        third = re.split(r"\r\n|\r|\n", text, maxsplit=3)[2]
        return 1 if not third.strip(" \t" + read) and \
            _describe_columns(records[1:2], records[2:]) else 0
    flags = all(word.lower() in ORANGE_FLAGS or re.fullmatch(r"\w+=\S*", word)
                for cell in records[2] for word in cell.split())
    return 2 if flags and _describe_columns(records[1:3], records[3:]) else 0


# Orange's one-line header (its docs' `d#sex,c#age,cC#IQ`): before a name's `#`, its flag in
# lower case (c class, m meta, i ignore, w weight) and its type in upper case (C continuous,
# D discrete, S string, T time), either or both. Read as names, `cD#iris` was a column
# name and the class flag ignored: a file whose class is not the last column trained the
# last column as the label, the class a feature, silently.
ORANGE_ONE_LINE = re.compile(r"(?=[mciwCDST])([mciw]?)([CDST]?)#(\S.*)")
ORANGE_FLAG_WORDS = {"c": "class", "m": "meta", "i": "ignore", "w": "weight", "": ""}


def _orange_one_line(first):
    """(names, types, flags) of line 1 if it is Orange's one-line header (ORANGE_ONE_LINE):
    a cell so prefixed, and no other cell holding a `#` (`C#` alone, `#id`, `a#b` are
    names); else None."""
    parts = [ORANGE_ONE_LINE.fullmatch(c.strip()) for c in first]
    if not any(parts) or any("#" in c and not p for c, p in zip(first, parts)):
        return None
    return ([p.group(3) if p else c for c, p in zip(first, parts)],
            [p.group(2).lower() if p else "" for p in parts],
            [ORANGE_FLAG_WORDS[p.group(1)] if p else "" for p in parts])


def _describe_columns(rows, below) -> bool:
    """Whether Orange's type row (and flag row) `rows` can describe the columns of the records
    `below`: none of their cells is a value of its column below (an example's cells are: a
    grade `C` recurs among the grades), and a column typed `c` / `continuous` holds numbers
    or gaps (Orange's `?` and `~`) only. Where no record is below, nothing says otherwise."""
    columns = [set(column) for column in zip(*below)]
    if any(cell and cell in column for row in rows for cell, column in zip(row, columns)):
        return False
    return not any(kind.lower() in ("c", "continuous") and any(
        not (is_number(v) or is_missing(v) or v == "~") for v in column)
                   for kind, column in zip(rows[0], columns))


def _orange_words(flag: str) -> set:
    return set(flag.lower().split())


def _orange_left_out(flags, at: int = 3) -> dict:
    """{column: why} of the columns Orange's flag row (line 3) takes out of the features, as
    Orange does: `meta` (kept beside the data, a name or a note), `ignore` (`i`), `weight`
    (`w`: the examples' weights, not a property of them). Read as features, an id-like meta
    column or a column the file says to ignore was learned from, silently. A meta flagged
    `include=True` is kept: orange3-text's documents (a corpus' text features are such metas,
    election-tweets' `Content`)."""
    out = {}
    for j, flag in enumerate(flags):
        words = _orange_words(flag)
        if "include=true" in words:
            continue
        for names, what in ((("meta", "m"), "meta"), (("ignore", "i"), "ignore"),
                            (("weight", "w"), "weight")):
            if words & set(names):
                out[j] = (f"Orange's header flags it {shown(what)} (line {at}), so it is not a "
                          "feature (type it in data.features to use it)")
    return out


def declared_label(table: Table, which, key: str = "data.label_column"):
    """The label column to resolve: `which` (data.label_column), or the column the file flags
    as its class (`Table.classes`, Orange's `class`) when `which` is the default, -1 (read
    as the last column, the class was a feature and another column the label). A file that
    flags several asks which (Orange's several targets). A column named is the label, flagged
    or not: predicting another column of the file is a task of its own (`left_out_classes`)."""
    if not table.classes:
        return which
    if isinstance(which, int) and not isinstance(which, bool) and which == -1 or \
            str(which).strip() == "-1":
        if len(table.classes) > 1:
            flagged = ", ".join(map(shown, table.classes))
            raise file_error(table.path, f"line {table.flags_at} (Orange's flags) marks "
                             f"{len(table.classes)} "
                             f"columns class ({flagged})", "say which is the label: "
                             f"--config.data.label_column={table.classes[0]} (several "
                             "targets: data.label_columns)")
        return table.classes[0]
    return which


def left_out_classes(table: Table, labels) -> dict:
    """{column: why} of the columns the file flags class (Orange's) that are not the label
    named: left out of the features as its metas are - the file's own target, as an input,
    would hand the model its answer to another question (typed in data.features it is one)."""
    return {j: f"Orange's header flags it the class (line {table.flags_at}), and the label is "
               f"{', '.join(shown(table.names[k]) for k in labels)} (type it in data.features "
               "to use it as a feature)"
            for j, name in enumerate(table.names) if name in table.classes and j not in labels}


def _orange_note(path, records, orange, at=0) -> str:
    """What the run says of a file read with Orange's header rows: that they are no examples,
    and which column Orange's `class` flag names (the label: `declared_label`); meta, ignore
    and weight columns are said as left out of the features (`Table.flagged`)."""
    flagged = [name for name, flag in zip(records[0], records[2] if orange == 2 else ())
               if {"class", "c"} & _orange_words(flag)]
    named = f"; Orange's class column: {shown(flagged[0])}" if flagged else ""
    rows = "lines 2-3 are Orange's header (column types and flags)" if orange == 2 else \
        "line 2 is Orange's header (column types)"
    if at:  # the one-line header: names, types and flags in line 1
        return (f"{path}: line 1 is Orange's one-line header (flags and type before each "
                f"name's #), read as the names {', '.join(map(shown, records[0][:4]))}"
                f"{', ...' if len(records[0]) > 4 else ''}{named}")
    return (f"{path}: {rows}, not examples: read as part of the header; the columns are typed "
            f"from their cells{named}")


def _short_header(records) -> bool:
    """Line 1 is a header one cell shorter than every row below it, all names (not numbers):
    R's write.table (row.names=TRUE, its default) writes no name over its column of row names,
    and a header so is what R's read.table and pandas' read_csv read as naming the columns
    after the first. Without names, a short first row is an example missing a cell, and rows
    that all end empty end with a delimiter too many (`1,2,`: pandas' own misreading, its
    `index_col=False` case, would shift every value one column): both refused as rows of
    unequal widths."""
    widths = {len(r) for r in records[1:]}
    return len(records) > 2 and len(widths) == 1 and len(records[0]) == widths.pop() - 1 \
        and all(c and not is_missing(c) and not is_number(c) for c in records[0]) \
        and not all(r[-1] == "" for r in records[1:])


def _refuse_spaces(text, records, lines, path, read):
    """A table read as one column whose lines are cells at runs of spaces and tabs, which no
    other delimiter splits evenly: R's write.table, Fortran's and ISLR's `.data` files (tabs
    and spaces mixed: `mpg<TAB>cylinders ... horsepower weight`, quoted names holding spaces).
    The tab in line 1 named `data.delimiter=tab`, which splits it unevenly; and a header one
    cell short (`_short_header`) asked whether line 1 is a header. Columns aligned by spaces
    whose cells hold spaces (`12-15 years`) split unevenly however read: refused as such."""
    if read == " " or _even_delimiter(text, read, spaces=False):
        return
    spaced = _space_rows(text) or []
    widths = {len(r) for r in spaced[1:]}
    if len(spaced) > 1 and len(widths) == 1 and min(widths) > 1 and (
            len(spaced[0]) in widths or _short_header(spaced)):
        raise file_error(path, f"line {lines[0]} looks space-delimited ({shown(records[0][0])}:"
                         f" its rows are {widths.pop()} cells at runs of spaces or tabs); it is "
                         f"read with {DELIMITER_WORDS[read]}s",
                         "pass --config.data.delimiter=space")
    if len(spaced) > 2 and all(len(r) > 1 for r in spaced) and all(
            re.search(r"\S(  +|\t)\S", r[0]) for r in records):
        widths = [len(r) for r in spaced]
        at = next(i for i, w in enumerate(widths) if w != widths[0])
        raise file_error(path, f"looks like columns aligned by spaces (fixed width) whose cells "
                         f"hold spaces: line {lines[at]} is {widths[at]} words, line {lines[0]} "
                         f"{widths[0]}, so no delimiter splits it",
                         "save it with a delimiter, e.g. pandas.read_fwf(path, colspecs=[(start,"
                         " end), ...]).to_csv('table.csv', index=False) with each column's "
                         "character positions")


def _refuse_other_delimiters(records, lines, path, read, text=""):
    """A table of one column (as read) whose line holds another delimiter than the one read
    (`;`, a tab, `|`, or a comma in a .tsv): an export with that delimiter, whose every line
    would be one cell (and its decimal commas, with `;`, misread). Any line of such a table,
    not only the first: a cell is stripped of spaces and tabs around it, so a first line
    `<tab>name` shows none."""
    if len(records[0]) != 1:
        return
    _refuse_spaces(text, records, lines, path, read)
    for (first,), line in ((r, n) for r, n in zip(records, lines) if len(r) == 1):
        _refuse_delimiter_in(first, line, path, read, records)
    # words as delimiter=space splits them: at runs of spaces and tabs (str.split() would also
    # split at U+0085 or U+2028 inside a cell, which that reading keeps)
    widths = {len(re.split(r"[ \t]+", r[0].strip(" \t"))) for r in records}
    if read != " " and len(widths) == 1 and widths != {1}:  # R's write.table, fixed columns
        raise file_error(path, f"line {lines[0]} looks space-delimited ({shown(records[0][0])}: "
                         f"every line is {widths.pop()} words); it is read with "
                         f"{DELIMITER_WORDS[read]}s", "pass --config.data.delimiter=space")


DELIMITER_WORDS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "space"}
DELIMITER_FLAG = {",": "--config.data.delimiter=,", ";": "--config.data.delimiter=';'",
                  "\t": "--config.data.delimiter=tab", "|": "--config.data.delimiter='|'",
                  " ": "--config.data.delimiter=space"}


def _refuse_delimiter_in(cell, line, path, read, records=()):
    for char, name in DELIMITER_WORDS.items():
        if char in cell and char != read and char != " ":
            fix = f"pass {DELIMITER_FLAG[char]}" + {
                ";": (" --config.data.decimal=." if _point_decimals(records, char) else
                      " (its decimal commas are then read as numbers)"),
                "\t": " (or name the file .tsv)"}.get(char, "")
            raise file_error(path, f"line {line} looks {name}-delimited ({shown(cell)}); "
                             f"it is read with {DELIMITER_WORDS[read]}s", fix)


# A number as a locale with decimal commas writes it: `1,5`, `-0,25`, `1.234,56`, `1 234,5`.
DECIMAL_COMMA = re.compile(r"[+-]?(\d{1,3}([. \u00a0\u202f]\d{3})+|\d+),\d+")
def _point_decimals(records, delimiter) -> bool:
    """Whether the rows, split by `delimiter`, write numbers with decimal points and never
    with decimal commas: a semicolon file whose decimal mark is not the comma `auto` assumes
    with `;` (one refusal names both settings, not one after the other). The row as written:
    read with commas, a row of `1.170.364;47 757,45;1911,1` was the cells `1.170.364;47 757`
    and `45;1911` and `1`, and the refusal named decimal=. for a file of decimal commas."""
    cells = [c.strip() for r in records[1:] for c in ",".join(r).split(delimiter)]
    return any(_point_number(c) for c in cells) and \
        not any(DECIMAL_COMMA.fullmatch(c) for c in cells)


def _even_delimiter(text, read, spaces=True):
    """(another delimiter, the width) that splits every line of `text` into the same number of
    cells, two or more, where `read` gives rows of unequal widths; else None. A tab file not
    named .tsv (UCI's sentiment-labelled sentences, `text<TAB>0` in a .txt) read with commas
    splits at the commas of its texts: the refusal named no setting."""
    for char in ("\t", ";", "|"):
        if char == read or char not in text:
            continue
        rows = _rows_split_by(text, char)
        widths = {len(r) for r in rows or ()}
        if len(widths) == 1 and widths != {1}:
            return char, widths.pop()
    spaced = _space_rows(text) if read != " " and spaces else None  # `.data`: tabs and spaces
    widths = {len(r) for r in spaced[1:]} if spaced and len(spaced) > 1 else set()
    if len(widths) == 1 and widths != {1} and (len(spaced[0]) in widths or _short_header(spaced)):
        return " ", widths.pop()
    return None


def _rows_split_by(text, delimiter):
    """The text's non-blank rows split by `delimiter`; None where it is not valid CSV so."""
    limit = csv.field_size_limit(2**31 - 1)  # as `_csv_records`
    try:
        return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                                      skipinitialspace=True) if any(c.strip() for c in r)]
    except csv.Error:
        return None
    finally:
        csv.field_size_limit(limit)


def _refuse_split_by_another_delimiter(text, records, lines, path, read):
    """A comma-read file whose every line holds `;`, a tab or `|`, that splits every line
    into one number of cells, in which each comma is a decimal comma (`1,5;2,5`): a
    semicolon (...) export from a locale writing decimal commas. Read with commas, each number
    would be cut in two at its comma into wrong columns, silently when no header tells (a
    header of names is refused already: `_refuse_other_delimiters`). A text column that
    holds `;` on every row is not judged so: its commas are not all decimal commas. Nor is
    text holding commas in a semicolon file: `a,b;x` is as much the comma file `a` | `b;x`,
    which no rule can tell apart."""
    if read != ",":
        return
    for char, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
        if not all(char in "".join(cells) for cells in records):
            continue
        other = _rows_split_by(text, char)
        if other is None:
            continue
        body = [c.strip() for r in other[1:] or other for c in r if "," in c]
        if len({len(r) for r in other}) == 1 and len(other[0]) > 1 and body and \
                all(DECIMAL_COMMA.fullmatch(c) for c in body):
            raise file_error(path, f"line {lines[0]} looks {name}-delimited with decimal "
                             f"commas ({shown(body[0])}); it is read with commas",
                             f"pass {DELIMITER_FLAG[char]}" + (" --config.data.decimal=," if
                                                               char != ";" else ""))


def quoted_cells(text: str, read: str):
    """[[whether the cell opened with a quote, per cell] per record] of CSV text split by
    `read` (not spaces), records of blank cells skipped as `_csv_records` skips them; None
    where the quotes are not the csv module's (a file `_csv_records` refuses).

    Which cells were quoted is the writer's type when it quotes selectively: R's write.csv,
    Python's csv.QUOTE_NONNUMERIC and pandas' to_csv(quoting=2) quote text and leave numbers
    bare, so a quoted `"1962.25"` is a name (a row name, a header's year) and a quoted `"1"`
    a factor's level, where the csv module's cells no longer say so (see `text_columns`)."""
    parts = text.split('"')  # odd parts are inside quotes (`""` in one: an empty even part)
    if len(parts) % 2 == 0:
        return None  # a quote that does not close: not the csv module's quoting
    # each quoted stretch becomes one mark (with or without text), so that no delimiter or
    # line break is left inside a cell and plain splits find the cells (C speed, not a loop)
    # an even part that is empty between two quoted stretches is an escaped quote ("") inside
    # one cell: that cell holds a quote character, so it is not blank
    escaped = {i for i in range(2, len(parts) - 1, 2) if parts[i] == ""}
    marked = "".join(part if i % 2 == 0 else QUOTED
                     if part.strip() or {i - 1, i + 1} & escaped else QUOTED_EMPTY
                     for i, part in enumerate(parts))
    records = []
    for line in re.split(r"\r\n|\r|\n", marked):
        cells = line.split(read)
        if any(c.replace(QUOTED_EMPTY, "").strip() for c in cells):
            records.append([c.lstrip(" \t")[:1] in (QUOTED, QUOTED_EMPTY) for c in cells])
    return records


QUOTED, QUOTED_EMPTY = "\x01", "\x02"  # quoted_cells' marks of a quoted stretch


def text_columns(records, flags) -> frozenset:
    """The columns (indices) whose every present cell below line 1 was quoted, in a file
    whose writer left a number bare somewhere below line 1 (so it quotes selectively, see
    `quoted_cells`; a file quoting every cell, or none, says nothing). `flags`: quoted_cells'
    answer for `records`, or None."""
    if not _aligned(records, flags):
        return frozenset()
    body = list(zip(records[1:], flags[1:]))
    if not any(is_number(c) and not q for cells, quoted in body for c, q in zip(cells, quoted)):
        return frozenset()
    out = set()
    for j in range(len(records[0])):
        present = [quoted[j] for cells, quoted in body if not is_missing(cells[j])]
        if present and all(present):
            out.add(j)
    return frozenset(out)


def _quoted_names(records, flags) -> bool:
    """Line 1 names the columns of a selectively quoted file (see `quoted_cells`): every cell
    of it is quoted (or empty), one of them a number over a column of bare numbers (R's
    write.csv of a table whose columns are years: `"","1940","1945"` over `"Food",22.2,44.5`;
    an example's numbers would be bare as the ones below)."""
    if not _aligned(records, flags) or len(records) < 2:
        return False
    first = list(zip(records[0], flags[0]))
    if not all(q or not c for c, q in first):
        return False
    def bare_numbers(j):
        present = [(r[j], f[j]) for r, f in zip(records[1:], flags[1:]) if not is_missing(r[j])]
        return bool(present) and all(is_number(c) and not q for c, q in present)
    return any(q and is_number(c) and bare_numbers(j) for j, (c, q) in enumerate(first))


def _aligned(records, flags) -> bool:
    return bool(flags) and len(flags) == len(records) and \
        all(len(f) == len(r) for f, r in zip(flags, records))


def _nameless_and_empty(names, rows, quoted=frozenset()) -> dict:
    """{column: why it is left out} for the columns without a name that carry nothing;
    `quoted`: the columns written as text (`text_columns`), whose distinct numbers are row
    names (R's write.csv quotes its row names: `"1962.25"`, `"1.1"`)."""
    unused = {}
    for j, name in enumerate(names):
        if name and not re.fullmatch(r"Unnamed: \d+", name):
            continue
        cells = [r[j] for r in rows]
        if all(is_missing(c) for c in cells):
            unused[j] = "no name and no values (a trailing comma?)"
        elif row_numbers_from(cells) == 0:
            unused[j] = "no name and the row numbers 0, 1, 2, ... (pandas' index)"
        elif row_numbers_from(cells) == 1:
            unused[j] = "no name and the row numbers 1, 2, 3, ... (R's write.csv)"
        elif _row_labels(cells) or j in quoted and one_per_row(cells):
            unused[j] = ("no name and a different label on every row (R's row names, or "
                         "pandas' index of filtered or shuffled rows)")
    return unused


def row_numbers_from(cells):
    """The whole number `cells` count up from by one down the file (0, 1, 2, ... as pandas
    writes row numbers, 1, 2, 3, ... as R does, 50001, 50002, ... an order number); else
    None."""
    first = cells[0].strip() if cells else ""
    if not re.fullmatch(r"-?\d+", first):
        return None
    start = int(first)
    return start if cells == [str(start + i) for i in range(len(cells))] else None


def _row_labels(cells) -> bool:
    """Cells that label rows rather than describe them: each row its own, none missing, and
    each a row number (digits only) or a name. R's `write.csv` writes row names (1, 2, ... or
    names such as 'Mazda RX4') under an empty column name; pandas' `to_csv` writes the index
    (0, 5, 3, ... once rows are filtered or shuffled). A value found on one row only says nothing
    about another row, so as a feature it could only be memorized. Measured numbers (`1.5`,
    `-3`, `1e3`) are not labels: a column of them without a name is refused."""
    return one_per_row(cells) and all(re.fullmatch(r"\d+", c) or not is_number(c)
                                      for c in cells)


def one_per_row(cells) -> bool:
    """Every row has a value, and no value is on two rows: a label of rows, not a property."""
    return len(set(cells)) == len(cells) and not any(is_missing(c) for c in cells)


def _decide_header(records, lines, path) -> bool:
    first, body = records[0], records[1:]
    if not body:
        return not all(is_number(c) or is_missing(c) for c in first)
    columns = list(zip(*body))

    def numbers_below(j):
        present = [c for c in columns[j] if not is_missing(c)]
        return bool(present) and all(is_number(c) for c in present)

    if any(not is_missing(c) and not is_number(c) and numbers_below(j)
           for j, c in enumerate(first)):
        return True
    if _names_over_categories(first, columns) or _numbered_over_index(first, columns):
        return True
    fits = all(is_missing(c) or (is_number(c) and all(is_number(v) or is_missing(v)
                                                      for v in columns[j]))
               for j, c in enumerate(first))
    if fits and not _looks_like_indices(first) and not (
            first[0] == "" and _looks_like_indices(first[1:])):  # `,0,1,2` over no index
        return False
    raise file_error(path, f"cannot tell whether line {lines[0]} names the columns or is an "
                     "example", "say which: --config.data.header=true (it names them) or "
                     "--config.data.header=false")


def _names_over_categories(first, columns) -> bool:
    """Line 1 names columns of categories (a table of text only, such as R's Titanic:
    `class,age,sex,survived` over `1st class,adults,man,yes`): none of its cells is a value
    of its column, and some column below holds values that each recur, its line-1 cell being
    text. An example's cells are values of their columns: in a column where every value
    recurs, its own would be the one value that does not."""
    if any(not is_missing(c) and c in column for c, column in zip(first, columns)):
        return False

    def recurring(j):
        present = [v for v in columns[j] if not is_missing(v)]
        return bool(present) and all(n > 1 for n in collections.Counter(present).values())
    return any(not is_missing(c) and not is_number(c) and recurring(j)
               for j, c in enumerate(first))


def _numbered_over_index(first, columns) -> bool:
    """Line 1 as pandas' `to_csv` writes the header of a frame whose columns are numbered (a
    matrix such as a kinship or distance table, a frame read with header=None): an empty
    corner cell over the index, then 0, 1, 2, ... Read as an example (all numbers that fit),
    it added a row and its corner became a gap in the index column, which labels every other
    row: no example of the file lacks its row label, so line 1 names the columns (pandas
    reads it so)."""
    return len(first) > 2 and first[0] == "" and _looks_like_indices(first[1:]) and \
        one_per_row(list(columns[0]))


def _looks_like_indices(cells) -> bool:
    if len(cells) < 2 or not all(re.fullmatch(r"\d+", c) for c in cells):
        return False
    values = [int(c) for c in cells]
    return values == list(range(values[0], values[0] + len(values))) and values[0] in (0, 1)


# ------------------------------------------------------------------ columns and labels
def resolve_column(table: Table, which, key: str) -> int:
    """A column's index from a name or an index (names first: see the module's rules)."""
    if isinstance(which, bool) or not isinstance(which, (int, str)):
        raise config_error(key, f"{which!r} is neither a column name nor an index",
                           "give a header name or a column number")
    text = str(which).strip()
    if text in table.names:
        j = table.names.index(text)
        if j in table.unused:  # a nested JSON key: its cells are JSON text, not values
            raise file_error(table.path, f"column {shown(text)} ({key}) {table.unused[j]}",
                             f"flatten it, or set {key} to another column")
        return j
    if re.fullmatch(r"-?\d+", text):
        index, used = int(text), [j for j in range(table.width) if j not in table.unused]
        if not -len(used) <= index < len(used):
            side = "the last" if index >= 0 else "the first (counting back from -1)"
            raise file_error(table.path, f"has {len(used)} columns, so {key}={which} is past "
                             f"{side}", f"use 0..{len(used) - 1}, or -1..-{len(used)} counting "
                             "back from the last column")
        return used[index]
    names = ", ".join(map(shown, table.names[:8])) + (", ..." if table.width > 8 else "")
    hint = near_miss(text, table.names)  # 'lable' for 'label', 'Price' for 'price'
    raise file_error(table.path, f"has no column named {shown(text)} (columns: {names})",
                     f"{hint}set {key} to one of them or to a column number")


def resolve_columns(table: Table, value, key: str) -> list:
    """Several columns (a list, a tuple, or a comma-separated string); each once."""
    if value in (None, "", ()):
        items = []
    elif isinstance(value, str):
        items = [v.strip() for v in value.split(",") if v.strip()]
    else:
        items = list(value)
    indices = [resolve_column(table, item, key) for item in items]
    if len(set(indices)) != len(indices):
        raise config_error(key, "names a column twice", "list each label column once")
    return indices


def labeled_rows(table: Table, columns) -> tuple:
    """(the table without its rows that lack a label in any of `columns`, the note that says
    how many were left out, or None). For `data.drop_unlabeled`: a public table often has rows
    without a label (penguins' `sex`, R's NA), which cannot be trained or scored. A table with
    no label at all is returned whole, for `label_column_values` to refuse."""
    kept = [i for i, row in enumerate(table.rows) if not any(is_missing(row[j]) for j in columns)]
    if len(kept) == len(table.rows) or not kept:
        return table, None
    left = sorted(set(range(len(table.rows))) - set(kept))
    lines = ", ".join(str(table.lines[i]) for i in left[:5]) + (", ..." if len(left) > 5 else "")
    names = ", ".join(shown(table.names[j]) for j in columns)
    note = (f"{table.path}: {len(left)} of {len(table.rows)} rows have no label in {names} "
            f"(line {lines}): left out of training and validation (data.drop_unlabeled)")
    return dataclasses.replace(table, rows=[table.rows[i] for i in kept],
                               lines=[table.lines[i] for i in kept]), note


# A multilabel task's one label column: each cell its tags joined by this (MovieLens' genres
# `Action|Adventure`, the NRC lexicon's emotions, tag exports), as pandas'
# `str.get_dummies(sep="|")` reads them.
TAG_SEPARATOR = "|"


def tag_matrix(table: Table, j: int) -> tuple:
    """(examples x tags 0/1 array, tag names sorted) of column j, whose cells are tags joined
    by TAG_SEPARATOR (spaces around a tag stripped; a tag given twice counts once). An empty
    (missing) cell is a row without tags, as pandas' str.get_dummies reads it: refused, it
    left no way to write 'none of them', and the fix offered (drop_unlabeled) dropped every
    negative row (138 of 300 in a helper's file); a column of no tags at all is refused. Tags
    that differ only in letter case are refused, as class names are. A column without the
    separator in any cell holds one class a row, not tags, and is refused naming the
    settings that read it. A multilabel task without data.label_columns was refused asking
    for 0/1 columns."""
    cells = table.column(j)
    if all(is_missing(c) for c in cells):
        label_column_values(table, j)  # its refusal: the line, the count
    if not any(TAG_SEPARATOR in c for c in cells):
        raise file_error(table.path, f"column {shown(table.names[j])} holds one label a row "
                         f"({shown(cells[0])}, ...), not tags joined by "
                         f"'{TAG_SEPARATOR}' ('a{TAG_SEPARATOR}b')",
                         "for one class a row use task.name=classification; for 0/1 columns "
                         "name them: --config.data.label_columns='(\"a\", \"b\")'")
    tags = [set() if is_missing(c) else {t.strip() for t in c.split(TAG_SEPARATOR) if t.strip()}
            for c in cells]
    names = sorted(set().union(*tags))
    spelled = {}
    for name in names:  # `joy` and `Joy` as two labels: refused as class names are
        first = spelled.setdefault(name.casefold(), name)
        if first != name:
            raise file_error(table.path, f"column {shown(table.names[j])}: tags {shown(first)} "
                             f"and {shown(name)} differ only in letter case",
                             "write each tag one way (or they are two tags: rename one)")
    index = {name: k for k, name in enumerate(names)}
    y = np.zeros((len(cells), len(names)), np.float32)
    for i, held in enumerate(tags):
        y[i, [index[t] for t in held]] = 1
    return y, names


ID_NUMBER = re.compile(r"-?\d+(?:\.0+)?")  # an identifier's whole number: 12, 007, -3, 12.0


# An identifier's whole number written with a point (`12.0`, pandas' integer column with a
# gap) is the code written without it (`12`): `id_code`, and `TablePreprocessing.clean` in the
# model's graph, so training and serving read both spellings as one category.
ID_POINT_ZEROS = r"^(-?\d+)\.0+$"


def id_code(cell: str) -> str:
    """An identifier cell as one category: `12.0` -> `12` (see ID_POINT_ZEROS)."""
    return re.sub(ID_POINT_ZEROS, r"\1", cell)


ZERO_PADDED = re.compile(r"-?0\d+(?:\.0+)?")  # 02134, 007: a code's fixed width, not an amount's


def padded(cell: str) -> bool:
    """Whether a cell is a whole number written with leading zeros (`02134`, `-01`)."""
    return ZERO_PADDED.fullmatch(cell.strip()) is not None


def zero_padded(present) -> bool:
    """Whether whole numbers are written with leading zeros in some cells (ZIP codes `02134`,
    part numbers `007`): an amount is never written so, a code of fixed width is. As numbers
    they were normalized (40 ZIP codes that decide the label: 0.61 validation accuracy where
    one-hot codes give 1.0), and `01` and `1` were one value."""
    return any(padded(c) for c in present) and all(ID_NUMBER.fullmatch(c.strip()) for c in present)


def padded_twins(names) -> list:
    """Class names that write one number two ways (`03` and `3`): two classes by the code rule
    (`zero_padded`), or one class written two ways - said, for the user to tell which."""
    by_value = collections.defaultdict(set)
    for name in names:
        if ID_NUMBER.fullmatch(str(name)):
            by_value[int(float(name))].add(str(name))
    return [sorted(spellings) for spellings in by_value.values() if len(spellings) > 1]


def label_column_values(table: Table, j: int, classes: bool = True) -> np.ndarray:
    """Column j's labels: float64 when every label is a number, else text class names. Class
    labels written with leading zeros are codes, as in a feature: `0101` and `101` two
    classes, as written (`classes`: the labels name classes, not a target's quantities)."""
    cells = table.column(j)
    gaps = [i for i, cell in enumerate(cells) if is_missing(cell)]
    if gaps:  # how many, and the one line that drops them: a public table often has gaps
        i, name = gaps[0], table.names[j]
        drop = _drop_gaps(name, [cells[k] for k in gaps], "read_json" in table.pandas_io[0])
        raise file_error(table.path, f"{table.where(i, j)}: the label is missing "
                         f"({shown(cells[i])}; {len(gaps)} of {len(cells)} rows have none)",
                         ("pass --config.data.drop_unlabeled=true to leave those rows out, "
                          if len(gaps) < len(cells) else "") +
                         "give every example a label, or drop those rows: "
                         f"{table.pandas_io[0]}{drop}"
                         f"{table.pandas_io[1].format('labeled')}")
    numeric = [is_number(c) for c in cells]
    if all(numeric) and classes and zero_padded(cells):  # `12.0` is `12`, `012` its own
        return np.array([id_code(c.strip()) for c in cells], dtype=object)
    if all(numeric):
        return np.array([float(c) for c in cells])
    if any(numeric) and not all(numeric) and j not in table.text:  # quoted: names as written
        i, k = numeric.index(True), numeric.index(False)
        texts = {c for c, number in zip(cells, numeric) if not number}
        marker = not any(re.search(r"\d", t) for t in texts)  # `.`, `-`, `n.a.`: no value
        raise file_error(table.path, f"column {shown(table.names[j])} mixes numbers and "
                         f"text labels ({shown(cells[i])} at line {table.lines[i]}, "
                         f"{shown(cells[k])} at line {table.lines[k]})",
                         f"if {shown(cells[k])} marks a missing label, "
                         f"{markers_as_gaps(table, texts)}, then pass "
                         "--config.data.drop_unlabeled=true; else write every label the same way"
                         if marker else "write every label the same way")
    spelled = {}
    for i, cell in enumerate(cells):
        first = spelled.setdefault(cell.casefold(), (cell, i))
        if first[0] != cell:
            raise file_error(table.path, f"column {shown(table.names[j])}: labels "
                             f"{shown(first[0])} (line {table.lines[first[1]]}) and {shown(cell)} (line "
                             f"{table.lines[i]}) differ only in letter case",
                             "write each class one way (or they are two classes: rename one)")
    return np.array(cells, dtype=object)


# The cells pandas reads as missing without being told (read_csv's default na_values; JSON
# null is None): other spellings of a gap (`?`, `#DIV/0!`, `na`, a JSON "NA") are named.
PANDAS_MISSING = frozenset({"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN",
                            "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN",
                            "None", "n/a", "nan", "null"})


def markers_as_gaps(table: Table, markers) -> str:
    """The step that writes `markers` (`.`: Stata's and SAS's missing value, `-`, `n.a.`) as
    empty cells in every column of the file, in its own format: 'leave those cells empty
    (every column: <pandas line>)'. A marker is the writer's spelling of a gap for the whole
    file (linearmodels' birthweight: `.` in the label and in a feature), so a fix for the one
    column named first met the next refusal at the next column."""
    marks = sorted(set(markers))
    if "read_json" in table.pandas_io[0]:
        return "leave those cells empty (or null)"
    read = table.pandas_io[0][:-1] + f", na_values={marks!r})"
    return (f"leave those cells empty (every column: {read}"
            f"{table.pandas_io[1].format('gaps')})")


def _drop_gaps(name, gaps, is_json) -> str:
    """The pandas step dropping the rows whose column `name` is one of the cells `gaps` (of a
    JSON file, read_json reads only null as missing: each string spelling is named)."""
    other = sorted({g for g in gaps if is_json or g not in PANDAS_MISSING})
    if not other:
        return f".dropna(subset=[{name!r}])"
    return f".pipe(lambda d: d[d[{name!r}].notna() & ~d[{name!r}].isin({other!r})])"


def class_names(table: Table, j: int, values: np.ndarray) -> np.ndarray:
    """Column j's labels as class names, for a classification task: each distinct value is a
    class, whether written as text or as a number. A number is named by its value (`3`, `3.0`
    and `03` are class '3'; `2.5` is '2.5'), so classes sort by value (`tasks.class_order`):
    labels 0..K-1 keep their ids, while R's 1..K, -1/1 or cylinder counts 3, 4, 5, 6, 8 give
    one output per class present, not one per integer up to the largest.

    Refused: numbers the file's header types a quantity (ARFF's `numeric`, Orange's `c`)
    holding a fraction: Orange's housing `MEDV` (229 prices, 21.6, most on two rows or more)
    passed the rule below and trained 229 classes to a validation accuracy of 0. And
    numbers most of whose values are on a single row. A class seen once is learned
    from nothing (in the training split) or cannot be predicted (in validation): such numbers
    are a measured quantity (a regression target asked for as classes), not class codes. Text
    names are judged by rows, not by distinct values: refused where more than half of the
    rows hold a text no other row holds - free text or ids (a review's text given as the
    label, its class as the text: 180 rows trained as 180 classes to a validation accuracy
    of 0), whereas a small file may name a few documents' classes once."""
    if values.dtype == object:
        counts = collections.Counter(values.tolist())
        once = [v for v, n in counts.items() if n == 1]
        if len(counts) > 2 and 2 * len(once) > len(values):
            examples = ", ".join(shown(str(v)[:40]) for v in once[:2])
            raise file_error(table.path, f"column {shown(table.names[j])} holds {len(counts)} "
                             f"distinct texts on {len(values)} rows, {len(once)} of them on a "
                             f"single row ({examples}, ...): free text or ids, not classes",
                             "set data.label_column to the column of classes (a text to "
                             "learn from goes in data.text_column)")
        return values
    fraction = next((v for v in values if v != round(v)), None)
    declared = table.declared.get(table.names[j])
    if declared in ("numeric", "continuous") and fraction is not None:
        typed = ("an ARFF numeric attribute" if declared == "numeric" else
                 "typed continuous by Orange's header (line 2)")
        raise file_error(table.path, f"column {shown(table.names[j])} is {typed} and holds "
                         f"fractions ({number_name(fraction)}): a quantity, not classes",
                         "use task.name=regression (configs/tabular_regression.py), or set "
                         "data.label_column to the column of classes")
    names = np.array(exact_number_names(table.column(j)) if np.abs(values).max() >= 2**53
                     else [number_name(v) for v in values], dtype=object)
    counts = collections.Counter(names.tolist())
    once = [v for v, n in counts.items() if n == 1]
    if len(counts) > 2 and 2 * len(once) > len(counts):
        examples = ", ".join(map(shown, once[:3]))
        raise file_error(table.path, f"column {shown(table.names[j])} holds {len(counts)} "
                         f"distinct numbers, {len(once)} of them on a single row ({examples}, "
                         "...): a quantity, not classes", "use task.name=regression (configs/"
                         "tabular_regression.py), or set data.label_column to the column of "
                         "classes")
    return names


def exact_number_names(cells) -> list:
    """number_name of each cell, whole numbers read exactly: past 2**53 float64 holds every
    other whole number only, so codes 123456789012345678 and ...679 (or 1e20 and 1e20 + 1)
    were one class, silently - and named '1.2345678901234568e+17'."""
    names = []
    for cell in cells:
        exact = decimal.Decimal(cell.strip())  # cells is_number accepted (inf included)
        names.append(str(int(exact)) if exact.is_finite() and exact == exact.to_integral_value()
                     else number_name(float(cell)))
    return names


def number_name(value: float) -> str:
    """A number's one spelling as a class name: whole numbers without a point ('3'), others
    as Python writes the float ('2.5')."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def json_lines_records(text: str, path: str):
    """(records, their lines, the keys left out) of a JSON Lines table - one object per line, what
    `pandas.DataFrame.to_json(orient="records", lines=True)` and most text datasets write - or
    of a JSON list of such objects (`orient="records"`: `_array_objects`), with
    the header (every key, in order of first appearance) as record 0; None when line 1 is not a
    JSON object (a CSV). Cells read as a CSV spells them: null or a missing key is an empty
    cell, true/false and numbers their JSON text; a key holding nested lists or objects is
    left out (`_json_table`); refused: a list opening with `[{` that is not valid JSON (a
    trailing comma, a cut-off end)."""
    # split at '\n' only: str.splitlines() also breaks at U+0085, U+2028 and U+2029, which
    # JSON leaves unescaped inside strings (scraped text holds them)
    numbered = [(n, line) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
    if numbered and numbered[0][1].lstrip().startswith("["):
        try:
            document = fs.parse_json(text)
        except ValueError as e:
            if re.match(r"\s*\[\s*\{", text):  # a list of records with a flaw, not a CSV
                raise file_error(path, f"line {e.lineno} is not JSON ({e.msg}); the file opens "
                                 "as a JSON list of records", "fix the JSON there (a comma "
                                 "after the last record, a cut-off end), or write it as JSON "
                                 "Lines or a CSV") from None
            return None  # a CSV whose first cell starts with '['
        if not document or not all(isinstance(v, dict) for v in document):
            raise file_error(path, f"is one JSON {type(document).__name__} (pandas' to_json), "
                             "not a list of records nor one object per line", "write it as "
                             "JSON Lines: df.to_json(path, orient='records', lines=True), or as "
                             "a CSV")
        return _json_table(_array_objects(text), path)
    if not numbered or not numbered[0][1].lstrip().startswith("{"):
        return None
    _refuse_columns_object(text, path)
    objects = []
    for n, line in numbered:
        try:
            value = fs.parse_json(line)
        except ValueError as e:
            if not objects:
                return None  # a CSV whose first cell starts with '{'
            raise file_error(path, f"line {n} is not JSON ({e.msg}); lines before it are JSON "
                             "Lines", "write one JSON object per line") from None
        if not isinstance(value, dict):
            raise file_error(path, f"line {n} holds a JSON {type(value).__name__}, not an "
                             "object", "write one JSON object per line (JSON Lines)")
        objects.append((n, value))
    return _json_table(objects, path)


def _refuse_columns_object(text: str, path: str) -> None:
    """One JSON object of columns - {"a": {"0": 1, "1": 2}, ...}, what pandas' default
    `df.to_json(path)` writes, or {"a": [1, 2], ...} - is refused with the line that writes
    records: read as JSON Lines it was one record of nested keys, left out, and the refusal
    said the table had 0 columns."""
    try:
        document = fs.parse_json(text)
    except ValueError:
        return  # several objects, one a line (or not JSON): read below
    if isinstance(document, dict) and document and all(
            isinstance(v, (dict, list)) for v in document.values()):
        raise file_error(path, f"is one JSON object of {len(document)} columns (pandas' "
                         "default df.to_json(path), orient='columns'), not one record per row",
                         "write it as JSON Lines: df.to_json(path, orient='records', "
                         "lines=True), or as a CSV")


FASTTEXT_LABEL = re.compile(r"__label__(\S+)")


def fasttext_records(text: str, path: str):
    """(records, their lines, {}) of fastText's supervised format - one example a line, its
    class as a `__label__<class>` prefix: `__label__2 Great CD: ...` (the Amazon and Yelp
    polarity sets as distributed for fastText) - with the header `text`, `label` (so the
    default `data.label_column=-1` is the label); None when the first line has no such prefix.
    Read as CSV its texts' commas split every line differently, and the refusal named no fix.
    A line of several labels is refused (multilabel reads 0/1 columns)."""
    numbered = [(n, line.strip()) for n, line in enumerate(re.split(r"\r\n|\r|\n", text), 1)
                if line.strip()]
    if not numbered or not FASTTEXT_LABEL.match(numbered[0][1]):
        return None
    records, lines = [["text", "label"]], [numbered[0][0]]
    for n, line in numbered:
        prefix = re.match(r"(__label__\S+\s*)+", line)
        if not prefix:
            raise file_error(path, f"line {n} has no __label__ prefix ({shown(line)}), where "
                             "line 1 opens fastText's format", "give every line its "
                             "__label__<class>, or drop the line")
        labels = FASTTEXT_LABEL.findall(prefix.group(0))
        if len(labels) > 1:
            raise file_error(path, f"line {n} has {len(labels)} labels "
                             f"({', '.join(labels[:3])}): several classes an example",
                             "keep one __label__ a line (multilabel reads 0/1 columns: "
                             "data.label_columns)")
        records.append([line[prefix.end():].strip(), labels[0]])
        lines.append(n)
    return records, lines, {}


def _array_objects(text: str) -> list:
    """[(the line it starts on, the object)] of a JSON array of objects: a list of records,
    what `df.to_json(orient='records')` and vega_datasets' files are, one row per record as
    JSON Lines' lines are (pandas' read_json reads both alike)."""
    decoder, objects, at, line = json.JSONDecoder(), [], text.index("[") + 1, 1
    line += text.count("\n", 0, at)
    while True:
        start = at
        while text[at] in " \t\r\n,":
            at += 1
        if text[at] == "]":
            return objects
        line += text.count("\n", start, at)
        value, end = decoder.raw_decode(text, at)
        objects.append((line, value))
        line += text.count("\n", at, end)
        at = end


def _json_table(objects, path):
    """(records, their lines, {key: why it is left out}) of [(line, object)]: the header first
    (see json_lines_records). A key holding a nested object or list is left out (its cells
    hold the JSON text, unused), and said: a tweet's `user` object or a dataset's `entities`
    list refused the whole file, its `text` and `label` with it, where flattening matters
    only to use that key (`resolve_column` refuses it as a label or text column)."""
    names = list(dict.fromkeys(k for _, value in objects for k in value))
    nested = {}
    for n, value in objects:
        for k, v in value.items():
            if isinstance(v, (dict, list)) and k not in nested:
                nested[k] = (f"holds nested JSON (line {n}: "
                             f"{'an object' if isinstance(v, dict) else 'a list'}); flatten it "
                             "into columns of their own (pandas.json_normalize) to use it")
    rows = [([_json_cell(value.get(k)) for k in names], n) for n, value in objects]
    rows = [(cells, n) for cells, n in rows if any(cells)]  # as a CSV's rows of empty cells
    return [names] + [cells for cells, _ in rows], [objects[0][0]] + [n for _, n in rows], nested


def _json_cell(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else json.dumps(value)
