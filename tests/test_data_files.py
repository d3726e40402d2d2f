"""Data files as users have them (benchmarks/data_files.py, BAD_INPUTS.md round h68): binary
files a user names as a table (a Stata, SPSS, SAS or pickle export, an R file, an archive, an
image renamed .csv) were refused as "not UTF-8 text ... UTF-16 without a byte-order mark?" or
"a Latin-1 or Windows export?", naming a data.encoding that read them as garbage; and a
setting named for one Latin-1 document decoded every UTF-8 document of the folder as
mojibake. Checked against independent readings: pandas' own writers for the formats, the
codecs the texts were written in.
"""

import bz2
import csv
import gzip
import io
import pickle
import re
import tarfile
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import data_config, run_launcher, task
from ktrain_kit.data import features as features_lib
from ktrain_kit.data import sources
from ktrain_kit.data import table as table_lib
from ktrain_kit.data import text as text_lib
from ktrain_kit.errors import UserError

FRAME = pd.DataFrame({"num": [1.5, -2.25, 3.0, 4.5] * 5, "cat": ["a", "b", "c", "d"] * 5,
                      "label": ["yes", "no"] * 10})
CSV = FRAME.to_csv(index=False).encode()


def stata(version):
    out = io.BytesIO()
    FRAME.to_stata(out, write_index=False, version=version)
    return out.getvalue()


def zipped(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def tar_gz():
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        info = tarfile.TarInfo("table.csv")
        info.size = len(CSV)
        archive.addfile(info, io.BytesIO(CSV))
    return out.getvalue()


def npy():
    out = io.BytesIO()
    np.save(out, np.zeros((3, 2)))
    return out.getvalue()


def png():
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


# (the file's bytes, what the refusal names): each written by its own program's format, as a
# user renames or points at it; the first bytes tell the format, not the name.
BINARY = {
    "stata_114": (lambda: stata(114), "Stata .dta file"),
    "stata_117": (lambda: stata(117), "Stata .dta file"),
    "stata_118": (lambda: stata(118), "Stata .dta file"),
    "spss": (lambda: b"$FL2@(#) SPSS DATA FILE MS Windows 25.0" + bytes(200), "SPSS .sav"),
    "sas": (lambda: bytes(12) + bytes.fromhex("c2ea8160b31411cfbd92080009c7318c181f1011")
            + bytes(400), "SAS .sas7bdat"),
    "pickle": (lambda: pickle.dumps(FRAME, protocol=4), "Python pickle"),
    "npy": (npy, "NumPy .npy"),
    "rds": (lambda: gzip.compress(b"X\n\x00\x00\x00\x03\x00\x04\x02\x00" + bytes(60)), "R .rds"),
    "rdata": (lambda: bz2.compress(b"RDX3\nX\n\x00\x00\x00\x03" + bytes(60)), "R workspace"),
    "tar_gz": (tar_gz, "tar archive"),
    "ods": (lambda: zipped({"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                            "content.xml": "<x/>"}), "OpenDocument spreadsheet"),
    "png": (png, "an image"),
    "random_bytes": (lambda: np.random.default_rng(0).bytes(5000), "not a text file"),
    "every_byte": (lambda: bytes(range(256)) * 4, "not a text file"),
}


@pytest.mark.parametrize("kind", sorted(BINARY))
def test_a_binary_file_is_refused_as_what_it_is_naming_no_encoding(kind, tmp_path):
    """Its refusal names the format (or says it is no text) and never a data.encoding: any
    encoding named read it as garbage (cp1252 decodes every byte) or met the next refusal."""
    make, named = BINARY[kind]
    path = tmp_path / "table.csv"
    path.write_bytes(make())
    with pytest.raises(UserError) as e:
        table_lib.read_table(str(path))
    assert named in str(e.value) and "data.encoding" not in str(e.value), str(e.value)


@pytest.mark.parametrize("first", ["PAR1", "RDX3", "GIF89a", "$FL2", "ARROW1", "<stata_dta>"])
def test_a_text_table_whose_first_name_spells_a_format_is_the_table(first, tmp_path):
    """The first bytes name a binary format only in a file that is not text: a column named
    `PAR1` (a parameter) opens a CSV as Parquet's magic opens a Parquet file."""
    data = f"{first},label\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(20))
    (tmp_path / "t.csv").write_text(data)
    table = table_lib.read_table(str(tmp_path / "t.csv"))
    expected = pd.read_csv(io.StringIO(data), dtype=str)
    assert table.names == list(expected) and table.rows == expected.values.tolist()


def test_a_stata_file_through_the_launcher_is_one_line_before_a_run_folder(tmp_path):
    path = tmp_path / "survey.dta"
    path.write_bytes(stata(118))
    result = run_launcher("launchers.train", "--config=configs/tabular_binary.py",
                          "--config.data.name=csv", f"--config.data.path={path}",
                          "--config.data.label_column=label", f"--workdir={tmp_path / 'run'}")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "is a Stata .dta file" in lines[0] and "pandas.read_stata(path)" in lines[0]
    assert not (tmp_path / "run").exists()
    # the fix it names gives the table back, value for value (pandas, independent reader)
    assert pd.read_stata(path).equals(FRAME)


# Text a writer could have saved: letters of many scripts, spaces, punctuation, line ends;
# at least one ASCII character a line (a table's delimiters, a document's spaces), as every
# text file in UTF-16 holds (its NULs tell UTF-16 from an 8-bit encoding).
LINES = st.lists(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn")),
                         max_size=12).map(lambda t: t + " ,"), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=LINES, codec=st.sampled_from(["utf-8", "cp1252", "latin-1", "utf-16-le",
                                           "utf-16-be"]))
def test_a_refusal_names_the_encoding_that_reads_the_text_as_written(lines, codec):
    """Whatever the text and its writer's encoding: read with data.encoding=auto it is the
    text written, or refused naming a data.encoding that reads exactly it."""
    text = "\n".join(lines)
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        return  # a letter this codec has no byte for: no writer saves the text so
    if codec in ("cp1252", "latin-1"):
        try:  # bytes that are UTF-8 too are read as UTF-8 (table.py's rule): no reader can
            text = data.decode("utf-8")  # tell, e.g. 'Â\xa0' in cp1252 is '\xa0' in UTF-8
        except UnicodeDecodeError:
            pass
    try:
        assert table_lib.decode_text(data, "t.csv", "save it as UTF-8") == text
        return
    except UserError as e:
        named = re.findall(r"--config\.data\.encoding=(\S+?)[;,]? ", str(e) + " ")
    assert named, f"{codec}: refused without a setting"
    assert table_lib.decode_text(data, "t.csv", "save it as UTF-8", named[0]) == text


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(min_size=1, max_size=400))
def test_an_encoding_named_for_any_bytes_reads_them_as_text(data):
    """Whatever the bytes: a refusal that names a data.encoding names one that decodes them
    into text (no control characters but tab and line ends), never into garbage."""
    try:
        table_lib.decode_text(data, "t.csv", "save it as UTF-8")
        return
    except UserError as e:
        named = re.findall(r"--config\.data\.encoding=(\S+?)[;,]? ", str(e) + " ")
    if named:
        text = table_lib.decode_text(data, "t.csv", "save it as UTF-8", named[0])
        assert not re.search("[\x00-\x08\x0e-\x1f\x7f-\x9f]", text)


def text_folder(root, documents):
    """root/<class>/<i>.txt of {class: [(text, codec)]}."""
    for label, docs in documents.items():
        (root / label).mkdir(parents=True)
        for i, (text, codec) in enumerate(docs):
            (root / label / f"{i}.txt").write_bytes(text.encode(codec))


@pytest.mark.parametrize("setting,odd", [("cp1252", "cp1252"), ("latin-1", "latin-1"),
                                         ("utf-16-le", "utf-16-le")])
def test_the_encoding_named_for_one_document_leaves_the_utf8_ones_as_written(setting, odd,
                                                                              tmp_path):
    """A folder whose documents come from several programs: one in Windows-1252 (or UTF-16
    without a mark) among UTF-8 ones. Its refusal names data.encoding; read so, every UTF-8
    document became mojibake (`crème` -> `crÃ¨me`) without a word. The setting is the encoding
    of the documents that are not UTF-8."""
    docs = {"pos": [("crème brûlée, très bon", "utf-8"), ("naïve café", "utf-8"),
                    ("déjà vu, très bien", odd)],
            "neg": [("mauvais œuf", "utf-8"), ("pas génial", "utf-8"), ("bof", "utf-8")]}
    text_folder(tmp_path, docs)
    named = "utf-16-le" if odd == "utf-16-le" else "cp1252"  # what the refusal names
    with pytest.raises(UserError, match=f"--config.data.encoding={named}"):
        text_lib.folder_texts(str(tmp_path))
    texts, labels, classes, _ = text_lib.folder_texts(str(tmp_path), setting)
    written = sorted((label, text) for label, items in docs.items() for text, _ in items)
    assert sorted(zip(np.array(classes)[labels], texts)) == written


def test_a_cp1252_table_still_reads_by_its_setting_as_pandas_reads_it():
    """A table is one file: its setting reads it (the folder rule above is for documents)."""
    frame = pd.DataFrame({"city": ["Zürich", "Genève", "Århus", "Œuvre"] * 4,
                          "label": ["a", "b"] * 8})
    windows = frame.to_csv(index=False).encode("cp1252")
    assert table_lib.parse_table(windows, "t.csv", encoding="cp1252").column(0) == \
        pd.read_csv(io.BytesIO(windows), encoding="cp1252")["city"].tolist()


def test_compressed_tables_of_every_kind_still_read_as_the_table_inside():
    """The magic-byte rules that name binary formats look inside a gzip / bz2 file too: a
    compressed CSV is still the CSV (pandas reads the same cells)."""
    for data in (gzip.compress(CSV), bz2.compress(CSV), zipped({"t.csv": CSV})):
        inner, _ = table_lib._decompressed(data, "t.csv.gz")
        table = table_lib.parse_table(inner, "t.csv")
        assert table.names == list(FRAME) and table.column(1) == FRAME["cat"].tolist()


def read_columns(path):
    """{column: type} of a CSV's features as a run types them (sources, then column_specs)."""
    raw = sources._csv(data_config("csv", path, label_column="label"), task("binary"), None)
    table = raw.table["table"]
    specs = features_lib.column_specs(table, raw.table["features"], range(len(table.rows)), None)
    return {s["name"]: s["type"] for s in specs}


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(numbers=st.lists(st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3)),
                        min_size=40, max_size=80, unique=True),
       strays=st.lists(st.sampled_from(["abc", "12 apples", "1O5", "3.5.1", "n/a 2", "x7"]),
                       min_size=1, max_size=2),
       data=st.data())
def test_a_few_text_cells_among_numbers_are_named_not_the_column_dropped(numbers, strays, data,
                                                                         tmp_path_factory):
    """A column of measurements with a cell or two that are not numbers (a typo, a unit in one
    cell): every cell distinct, it was left out as an id ("an id, a name, a note") and the run
    trained without it. Refused naming the first such cell's line, as Python's csv module
    numbers it; with the cells corrected the column is numeric, its values pandas'."""
    rows = [[repr(v), "ab"[i % 2]] for i, v in enumerate(numbers)]
    at = sorted(data.draw(st.lists(st.integers(0, len(rows) - 1), min_size=len(strays),
                                   max_size=len(strays), unique=True)))
    for i, text in zip(at, strays):
        rows[i][0] = text
    path = tmp_path_factory.mktemp("s") / "t.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([["x", "label"], *rows])
    lines = [n + 1 for n, r in enumerate(csv.reader(open(path, newline=""))) if r[0] in strays]
    with pytest.raises(UserError, match=f"line {lines[0]}, column 'x': '{re.escape(rows[at[0]][0])}"
                       "' (is not a number, in a column of|in a column of numbers)"):
        read_columns(path)  # (text without a digit is named as a possible missing marker)
    for i in at:
        rows[i][0] = ""
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([["x", "label"], *rows])
    assert read_columns(path) == {"x": "numeric"}
    table = table_lib.read_table(str(path))
    read = [float(c) if c else np.nan for c in table.column(0)]
    np.testing.assert_array_equal(read, pd.read_csv(path)["x"].to_numpy())


@pytest.mark.parametrize("codes", [["c168", "c118"], ["136A"] * 4])
def test_codes_of_digits_with_a_letter_among_whole_numbers_are_categories_not_strays(
        codes, tmp_path):
    """R's attenu 'station' (`117`, `1083`, ... and `c168`, `c118`) and GaltonFamilies 'family'
    (`001` ... `205`, and `136A` on a family's rows): codes, typed categorical before the stray
    rule and refused by it as cells to correct. Digits with letters at one end among numbers
    written as digits alone are codes: categories, each cell the string pandas reads; a typo
    inside a number (`1O5`) in the same column is still refused naming its line."""
    rows = [[f"{i % 30:03d}", "ab"[i % 2]] for i in range(200)]
    for k, code in enumerate(codes):
        rows[7 + k][0] = code
    path = tmp_path / "t.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([["code", "label"], *rows])
    assert read_columns(path) == {"code": "categorical"}
    table = table_lib.read_table(str(path))
    assert table.column(0) == pd.read_csv(path, dtype=str)["code"].tolist()
    rows[40][0] = "1O5"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([["code", "label"], *rows])
    with pytest.raises(UserError, match="line 42, column 'code': '1O5' is not a number"):
        read_columns(path)


def test_a_wide_table_is_normalized_by_its_training_statistics_without_a_pass_per_column(
        tmp_path):
    """A table of 300 numeric columns (gene expression, sensor readings): FeatureSpace.adapt
    makes one pass over the data per adaptable feature, and 2,000 columns ran past 3 minutes
    before the first step. The statistics are NumPy's, given to each Normalization: none is
    left to adapt, and each column is (x - mean) / std over the training rows, gaps at the mean
    (with their indicator), as computed here from the file by pandas."""
    from ktrain_kit import data as data_lib
    from ktrain_kit.config import default_config
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(5, 3, (40, 300)).round(3),
                         columns=[f"g{j}" for j in range(300)])
    frame.iloc[[3, 10, 20, 30], 7] = np.nan
    frame["label"] = ["a", "b"] * 20
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    c = default_config()
    c.task.name, c.data.name, c.data.path, c.data.label_column = "binary", "csv", str(path), \
        "label"
    data = data_lib.load(c.data, c.task, 0)
    space = data.preprocessing.space
    assert space._list_adaptable_preprocessors() == []  # no pass over the data per column
    train = frame.iloc[data.preprocessing.rows["train"]]
    columns = {name: train[name].to_numpy() for name in frame.columns[:-1]}
    encoded = data.preprocessing.encode(columns).numpy()
    filled = train.iloc[:, :-1].fillna(train.iloc[:, :-1].mean())
    expected = ((filled - filled.mean()) / filled.std(ddof=0)).to_numpy()
    names = [s["name"] for s in data.preprocessing.specs]
    assert train["g7"].isna().any()  # so g7 has its indicator
    assert encoded.shape == (len(train), 301)
    at = {name: i for i, name in enumerate(sorted(space.features))}  # concatenated by key
    for j, name in enumerate(names):
        np.testing.assert_allclose(encoded[:, at[features_lib.space_key(name)]], expected[:, j],
                                   rtol=1e-4, atol=1e-4)


def _column_of(kind):
    """40 cells of a column `_refuse_unparsed_numbers` refuses, one kind per refusal."""
    if kind == "formatted":  # (grouped thousands, `1,000`, are read since round h79, one
        # currency or percent sign on every cell since round h94): accounting negatives
        return [f"(${1 + i},{100 + i})" for i in range(40)]
    if kind == "unit":
        return [f"{1.5 + i / 10:.1f} kg" for i in range(40)]
    if kind == "duration":
        return [f"{i % 3 + 1}h {(7 * i) % 60}m" if i % 2 else f"{(7 * i) % 60 + 1}m"
                for i in range(40)]
    if kind == "marker":
        return [str(i * 1.5) if i % 9 else "-" for i in range(40)]
    return [str(i * 1.5) for i in range(39)] + ["12 apples"]  # a stray


@pytest.mark.parametrize("kind", ["formatted", "unit", "duration", "marker", "stray"])
def test_every_refusal_of_a_text_column_keeps_the_types_the_user_gave_in_its_fix(kind, tmp_path):
    """Every refusal of a column of numbers written as text gives a data.features value that
    types it categorical; a user who already typed another column (`b`) followed it and lost
    that typing when the value named the refused column alone. Checked by the value's JSON
    against the user's types plus the column, and by reading the file with it."""
    import json
    path = tmp_path / "t.csv"
    pd.DataFrame({"a": _column_of(kind), "b": [i % 4 for i in range(40)],
                  "label": [i % 2 for i in range(40)]}).to_csv(path, index=False)
    table = table_lib.read_table(str(path), "auto", ["label"])
    given = {"b": "categorical"}
    with pytest.raises(UserError) as refused:
        features_lib.column_specs(table, [0, 1], range(40), given)
    value = re.search(r"--config\.data\.features='(\{.*?\})'", str(refused.value)).group(1)
    assert json.loads(value) == {**given, "a": "categorical"}, str(refused.value)
    specs = features_lib.column_specs(table, [0, 1], range(40), json.loads(value))
    assert {s["name"]: s["type"] for s in specs} == {"a": "categorical", "b": "categorical"}
