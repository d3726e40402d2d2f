"""Data files as users really have them, by construction: for each supported format a grid of
file variants (encodings, line ends, delimiters, decimal and thousands marks, quoting, odd
shapes, missing-value markers, foreign formats, compression, image and text folders), each
given to `python -m launchers.train` through config keys only (2 epochs, tiny), in a
subprocess, and its outcome classified.

    TF_CPP_MIN_LOG_LEVEL=3 nice -n 10 python benchmarks/data_files.py [--only=SUBSTRING]
        [--cases=FILE (names as --list prints them, one a line)] [--list]

Outcomes:
- `read`: trained (exit 0), and what was read is what was written: the row count and each
  column's type from the run's own output line ("N training / M validation examples",
  "columns: num (numeric); ..."), and for tables each numeric cell and label compared with
  the frame the file was written from (missing markers as NaN) through the reader the run
  used (`data.table.read_table`, no TensorFlow);
- `refused`: exit 2, one line, no traceback, no run folder left, for a file marked unusable
  (`usable=False`: header only, a foreign binary format, a corrupt image ...);
- `fixed-by-setting`: exit 2 naming `--config.data.KEY=VALUE`, and the same file with that
  setting (up to two refusals followed) is `read` (an 8-bit export, a semicolon file);
- `refused-usable`: a usable file refused in one line that names no setting reading it (only a
  rewrite of the file): judged by hand, listed in BAD_INPUTS.md;
- FAILED: a traceback, another exit code, a hang (HANG_S), more than one line, a refusal
  leaving a run folder, a refusal whose setting does not read the file, or a misread (a
  number read as a category, a value changed, rows merged or lost).

Writes runs/data_files.json ({case: outcome, detail}); prints one line per case and the counts
by class. Results: benchmarks/BAD_INPUTS.md, "Round h68".
"""

import bz2
import csv
import dataclasses
import gzip
import io
import json
import lzma
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
HANG_S = int(os.environ.get("DATA_FILES_HANG_S", 180))
ROWS = 60


# ---------------------------------------------------------------------------------------------
# The frame every table variant is written from (the truth its reading is compared with).

def truth(n=ROWS, words=("red", "green", "blue")):
    """{column: list}: num (floats, both signs, some past 1000), cat (text categories), code
    (whole numbers 1..3), label (yes/no, from num)."""
    rng = np.random.default_rng(0)
    num = [round(float(v), 2) for v in rng.normal(0, 1500, n)]
    return {"num": num, "cat": [words[i % 3] for i in range(n)],
            "code": [1 + i % 3 for i in range(n)],
            "label": ["yes" if v > 0 else "no" for v in num]}


def number_text(value, decimal=".", thousands=""):
    """A number as a writer in some locale spells it."""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    text = f"{value:,.2f}" if thousands else repr(value)
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def table_bytes(frame, delimiter=",", eol="\n", encoding="utf-8", decimal=".", thousands="",
                quoting=csv.QUOTE_MINIMAL, header=True, trailing=""):
    """The CSV bytes of `frame` ({column: cells}) as written with these settings."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=eol, quoting=quoting)
    names = list(frame)
    if header:
        writer.writerow(names)
    for i in range(len(frame[names[0]])):
        writer.writerow([number_text(frame[k][i], decimal, thousands) for k in names])
    return (out.getvalue() + trailing).encode(encoding)


@dataclasses.dataclass
class Case:
    name: str
    group: str
    files: dict                     # relative path -> bytes ('' key: data.path itself is a folder)
    path: str                       # data.path, relative to the case folder
    overrides: dict = dataclasses.field(default_factory=dict)
    usable: bool = True             # a file a reader could train on as written
    frame: dict | None = None       # the truth, for tables (None: only counts and types checked)
    rows: int | None = None         # examples expected (training + validation)
    types: dict = dataclasses.field(default_factory=dict)  # column -> numeric | categorical
    config: str = "configs/tabular_binary.py"


TABLE = {"data.name": "csv", "data.label_column": "label"}
TYPES = {"num": "numeric", "cat": "categorical", "code": "categorical"}


def table_case(name, data, file="t.csv", usable=True, frame=None, overrides=None, rows=None,
               types=None):
    frame = truth() if frame is None else frame
    if rows is None and usable:
        rows = len(frame["num"])
    return Case(name, "csv", {file: data}, file, {**TABLE, **(overrides or {})}, usable,
                frame if usable else None, rows, TYPES if types is None else types)


def with_cells(column, cells_at, frame=None):
    """The truth frame with `column`'s cells at some rows replaced ({row: cell text})."""
    frame = {k: list(v) for k, v in (frame or truth()).items()}
    for i, cell in cells_at.items():
        frame[column][i] = cell
    return frame


def csv_cases():
    t = truth()
    accents = truth(words=("café", "crème", "naïve"))
    windows = truth(words=("€uro", "œuvre", "naïve"))  # cp1252 only: € and œ
    cases = [
        table_case("utf-8", table_bytes(t)),
        table_case("utf-8 accents", table_bytes(accents), frame=accents),
        table_case("utf-8 with BOM", codecs_bom(table_bytes(accents)), frame=accents),
        table_case("utf-16 (BOM)", table_bytes(accents, encoding="utf-16"), frame=accents),
        table_case("utf-16-le without BOM", table_bytes(accents, encoding="utf-16-le"),
                   frame=accents),
        table_case("latin-1", table_bytes(accents, encoding="latin-1"), frame=accents),
        table_case("cp1252", table_bytes(windows, encoding="cp1252"), frame=windows),
        table_case("cp1252 ; decimal comma (Excel, Europe)",
                   table_bytes(windows, ";", "\r\n", "cp1252", ","), frame=windows),
        table_case("CRLF", table_bytes(t, eol="\r\n")),
        table_case("CR (old Mac)", table_bytes(t, eol="\r")),
        table_case("delimiter ;", table_bytes(t, ";")),
        table_case("delimiter ; decimal comma", table_bytes(t, ";", decimal=",")),
        table_case("delimiter |", table_bytes(t, "|")),
        table_case("delimiter tab, .csv name", table_bytes(t, "\t")),
        table_case("delimiter tab, .tsv name", table_bytes(t, "\t"), file="t.tsv"),
        table_case("delimiter tab, .txt name", table_bytes(t, "\t"), file="t.txt"),
        table_case("thousands comma, quoted", table_bytes(t, thousands=",")),
        table_case("thousands point, decimal comma, ;",
                   table_bytes(t, ";", decimal=",", thousands=".")),
        table_case("quote all", table_bytes(t, quoting=csv.QUOTE_ALL)),
        table_case("quote nonnumeric", table_bytes(t, quoting=csv.QUOTE_NONNUMERIC)),
        table_case("no newline at the end", table_bytes(t)[:-1]),
        table_case("trailing empty line", table_bytes(t, trailing="\n")),
        table_case("trailing blank lines and spaces", table_bytes(t, trailing="\n  \n\n")),
        table_case("header only", b"num,cat,code,label\n", usable=False),
        table_case("one row", table_bytes({k: v[:1] for k, v in t.items()}), usable=False),
        table_case("two rows", table_bytes({k: v[:2] for k, v in t.items()}), usable=False),
        table_case("duplicate column names",
                   table_bytes(t).replace(b"num,cat,code", b"num,num,code", 1), usable=False),
        table_case("empty column name over values",
                   table_bytes(t).replace(b"num,cat", b"num,", 1), usable=False),
        table_case("empty file", b"", usable=False),
        table_case("only blank lines", b"\n\n  \n", usable=False),
        table_case("binary bytes named .csv", bytes(range(256)) * 8, usable=False),
        table_case("PNG named .csv", png_bytes(), usable=False),
        table_case("very long cell (2 MB)", table_bytes(with_cells("cat", {5: "x" * 2_000_000}))
                   , frame=with_cells("cat", {5: "x" * 2_000_000})),
        dataclasses.replace(table_case("very long line (2,000 columns)", wide_table(),
                                       types={"num": "numeric"}), frame=None),
        table_case("quoted cells with newlines and delimiters",
                   table_bytes(quoted := truth(words=("red, dark", "green\nlight", 'blue "x"'))),
                   frame=quoted),
        table_case("quoted cells with newlines, CRLF",
                   table_bytes(quoted, eol="\r\n"), frame=quoted),
        table_case("padded cells", table_bytes(t).replace(b",", b" , ")),
        table_case("label column first", table_bytes({"label": t["label"], **{
            k: v for k, v in t.items() if k != "label"}})),
        table_case("label by index -1", table_bytes(t), overrides={"data.label_column": "-1"}),
        table_case("json lines", json_lines(t), file="t.jsonl"),
        table_case("json records list", json.dumps(records(t)).encode(), file="t.json"),
        table_case("json lines, BOM", codecs_bom(json_lines(t)), file="t.jsonl"),
        table_case("json lines, CRLF", json_lines(t).replace(b"\n", b"\r\n"), file="t.jsonl"),
    ]
    for marker in ("", "NA", "NaN", "?", "nan", "N/A", "null", "#N/A", "None", "-", "."):
        frame = with_cells("num", {3: marker, 17: marker, 40: marker})
        usable = marker not in ("None", "-", ".")  # pandas' default na_values lack '-', '.'
        cases.append(table_case(f"num cells {marker!r}", table_bytes(frame), frame=frame))
        if not usable:  # refused naming the marker: judged below by its fix
            cases[-1].usable = "fix"
    for marker in ("inf", "-inf", "Inf", "infinity", "1e400"):
        frame = with_cells("num", {3: marker})
        cases.append(table_case(f"num cell {marker!r}", table_bytes(frame), usable=False))
    for marker in ("", "NA", "?", "nan"):
        frame = with_cells("label", {3: marker, 17: marker})
        case = table_case(f"label cells {marker!r}", table_bytes(frame), frame=frame,
                          rows=ROWS - 2)
        case.usable = "fix"  # refused naming data.drop_unlabeled, which reads the rest
        cases.append(case)
    mixed = with_cells("num", {3: "abc", 9: "12 apples"})
    cases.append(table_case("mixed numbers and words in num", table_bytes(mixed),
                            usable=False))
    numbers_in_text = with_cells("cat", {3: "7", 9: "8", 10: "7", 30: "8"})
    cases.append(table_case("numbers among text in cat", table_bytes(numbers_in_text),
                            frame=numbers_in_text))
    texts = {**t, "title": [f"title {i % 7} of this" for i in range(ROWS)],
             "review": [f"a review saying {t['label'][i]} and word{i % 5}" for i in range(ROWS)]}
    cases.append(Case("two text columns (text_column=review)", "csv",
                      {"t.csv": table_bytes(texts)}, "t.csv",
                      {**TABLE, "data.text_column": "review"}, True, None, ROWS, {},
                      "configs/text_bag.py"))
    return cases


def codecs_bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def records(frame):
    names = list(frame)
    return [{k: frame[k][i] for k in names} for i in range(len(frame[names[0]]))]


def json_lines(frame):
    return "".join(json.dumps(r) + "\n" for r in records(frame)).encode()


def wide_table():
    rng = np.random.default_rng(1)
    names = ["num"] + [f"f{j}" for j in range(1999)] + ["label"]
    rows = [names] + [[repr(round(float(v), 3)) for v in rng.normal(size=2000)] +
                      ["yes" if i % 2 else "no"] for i in range(ROWS)]
    return "".join(",".join(r) + "\n" for r in rows).encode()


def png_bytes(mode="RGB", size=(8, 8), seed=0, fmt="PNG", **save):
    from PIL import Image
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    image = Image.fromarray(pixels).convert(mode) if mode != "I;16" else Image.fromarray(
        (pixels[..., 0].astype(np.uint16) * 257))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Compressed and foreign files: read the table inside, or refuse naming the way to a CSV.

def compressed_cases():
    data = table_bytes(truth())
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("t.csv", data)
    two = io.BytesIO()
    with zipfile.ZipFile(two, "w") as z:
        z.writestr("a.csv", data)
        z.writestr("b.csv", data)
    tar = io.BytesIO()
    import tarfile
    with tarfile.open(fileobj=tar, mode="w:gz") as archive:
        info = tarfile.TarInfo("t.csv")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return [
        table_case("gzip", gzip.compress(data), file="t.csv.gz"),
        table_case("gzip named .csv", gzip.compress(data)),
        table_case("bz2", bz2.compress(data), file="t.csv.bz2"),
        table_case("xz", lzma.compress(data), file="t.csv.xz"),
        table_case("zip of one csv", zipped.getvalue(), file="t.zip"),
        table_case("zip of two csv", two.getvalue(), file="t.zip", usable=False),
        table_case("tar.gz of one csv", tar.getvalue(), file="t.tar.gz", usable=False),
        table_case("gzip of a tsv", gzip.compress(table_bytes(truth(), "\t")), file="t.tsv.gz"),
        table_case("truncated gzip", gzip.compress(data)[:200], file="t.csv.gz", usable=False),
    ]


def foreign_cases():
    import pandas as pd
    t = truth()
    frame = pd.DataFrame(t)
    dta = io.BytesIO()
    frame.to_stata(dta, write_index=False, version=118)
    dta_old = io.BytesIO()
    frame.to_stata(dta_old, write_index=False, version=114)
    pickled = io.BytesIO()
    frame.to_pickle(pickled, compression=None)
    xlsx = io.BytesIO()
    with zipfile.ZipFile(xlsx, "w") as z:  # the parts that make a zip a workbook
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    npy = io.BytesIO()
    np.save(npy, np.zeros((3, 3)))
    rds = gzip.compress(b"X\n\x00\x00\x00\x03\x00\x04\x02\x00\x00\x03\x05\x00" + b"\x00" * 64)
    rdata = gzip.compress(b"RDX3\nX\n\x00\x00\x00\x03" + b"\x00" * 64)
    sav = b"$FL2@(#) SPSS DATA FILE MS Windows Release 25.0" + b"\x00" * 200
    sas = bytes(12) + b"\xc2\xea\x81\x60\xb3\x14\x11\xcf\xbd\x92\x08\x00\x09\xc7\x31\x8c\x18\x1f" \
        b"\x10\x11" + b"\x00" * 400
    cases = {
        "Stata .dta (118)": ("t.dta", dta.getvalue()),
        "Stata .dta (114)": ("t.dta", dta_old.getvalue()),
        "SPSS .sav": ("t.sav", sav),
        "SAS .sas7bdat": ("t.sas7bdat", sas),
        "Excel .xlsx": ("t.xlsx", xlsx.getvalue()),
        "Excel .xls (OLE)": ("t.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
        "OpenDocument .ods": ("t.ods", ods.getvalue()),
        "Feather": ("t.feather", b"ARROW1\x00\x00" + bytes(100) + b"ARROW1"),
        "Parquet": ("t.parquet", b"PAR1" + bytes(100) + b"PAR1"),
        "pandas pickle": ("t.pkl", pickled.getvalue()),
        "NumPy .npy": ("t.npy", npy.getvalue()),
        "R .rds": ("t.rds", rds),
        "R .RData": ("t.RData", rdata),
        "HDF5": ("t.h5", b"\x89HDF\r\n\x1a\n" + bytes(100)),
        "SQLite": ("t.db", b"SQLite format 3\x00" + bytes(100)),
        "Stata .dta named .csv": ("t.csv", dta.getvalue()),
        "xlsx named .csv": ("t.csv", xlsx.getvalue()),
    }
    out = [table_case(name, data, file=file, usable=False) for name, (file, data) in cases.items()]
    out.append(Case("a folder for a csv", "csv", {"d/x.csv": table_bytes(t)}, "d", TABLE, False))
    return out


# ---------------------------------------------------------------------------------------------
# Text folders and image folders.

DOCS = {"pos": ["good fine great {}", "lovely nice café {}"], "neg": ["bad awful poor {}",
                                                                        "nasty crème sad {}"]}


class Files(dict):
    """{path: bytes}, and `texts`: every text written into them (for the documents read)."""
    texts = frozenset()


def text_folder(encoding="utf-8", per_class=12, odd=None, suffix=".txt"):
    """{path: bytes} of a text folder; `odd`: {path: (text, encoding)} added or replacing."""
    files, texts = Files(), set()
    for label, docs in DOCS.items():
        for i in range(per_class):
            text = docs[i % 2].format(i)
            files[f"docs/{label}/{i}{suffix}"] = text.encode(encoding)
            texts.add(text)
    for path, (text, codec) in (odd or {}).items():
        files[path] = text.encode(codec)
        texts.add(text)
    files.texts = frozenset(texts)
    return files


def with_bytes(files, change, keep=""):
    """`files` with each file's bytes changed (those whose path holds `keep`)."""
    out = Files({k: change(v) for k, v in files.items() if keep in k})
    out.texts = frozenset(files.texts | {t + "\r\nsecond line\r\n" for t in files.texts})
    return out


def text_cases():
    text = {"data.name": "text_folder"}
    c = lambda name, files, usable=True, rows=24, over=None: Case(  # noqa: E731
        name, "text", files, "docs", {**text, **(over or {})}, usable, None, rows, {},
        "configs/text_bag.py")
    return [
        c("utf-8", text_folder()),
        c("utf-8 with BOM", with_bytes(text_folder(), codecs_bom)),
        c("utf-16 (BOM)", text_folder("utf-16")),
        c("latin-1", text_folder("latin-1"), usable="fix"),
        c("cp1252", text_folder("cp1252"), usable="fix"),
        c("CRLF", with_bytes(text_folder(), lambda v: v + b"\r\nsecond line\r\n")),
        c("one latin-1 file among utf-8", text_folder(odd={"docs/pos/0.txt":
                                                           ("café crème", "latin-1")}),
          usable="fix"),
        c("one utf-16 file without BOM among utf-8",
          text_folder(odd={"docs/pos/0.txt": ("good café", "utf-16-le")}), usable="fix"),
        c("an empty file", text_folder(odd={"docs/pos/0.txt": ("", "utf-8")}), usable=False),
        c(".TXT and no suffix", text_folder(suffix=".TXT", odd={
            f"docs/pos/x{i}": ("good one", "utf-8") for i in range(2)}), rows=26),
        c("a .csv among the docs", text_folder(odd={"docs/pos/notes.csv": ("a,b\n1,2\n",
                                                                          "utf-8")})),
        c("one class only", with_bytes(text_folder(), lambda v: v, "/pos/"), usable=False),
        c("a file for the folder", Files({"docs": b"good\n"}), usable=False),
    ]


def image_folder(count=10, mode="RGB", fmt="PNG", suffix=".png", odd=None, **save):
    files = {}
    for label in ("a", "b"):
        for i in range(count):
            files[f"imgs/{label}/{i}{suffix}"] = png_bytes(mode, seed=hash((label, i)) % 999,
                                                          fmt=fmt, **save)
    files.update(odd or {})
    return files


def image_cases():
    images = {"data.name": "image_folder", "data.image_size": "8", "data.channels": "3",
              "model.name": "cnn"}
    c = lambda name, files, usable=True, rows=20, over=None: Case(  # noqa: E731
        name, "images", files, "imgs", {**images, **(over or {})}, usable, None, rows, {},
        "configs/digits_cnn.py")
    jpeg = png_bytes(fmt="JPEG")
    return [
        c("png RGB", image_folder()),
        c("jpeg RGB", image_folder(fmt="JPEG", suffix=".jpg")),
        c("jpeg CMYK", image_folder(mode="CMYK", fmt="JPEG", suffix=".jpg")),
        c("png 16-bit gray", image_folder(mode="I;16")),
        c("gray and RGB mixed", image_folder(odd={f"imgs/a/{i}.png": png_bytes("L", seed=i)
                                                  for i in range(5)})),
        c("RGBA, palette, gray+alpha mixed", image_folder(odd={
            "imgs/a/0.png": png_bytes("RGBA"), "imgs/a/1.png": png_bytes("P"),
            "imgs/a/2.png": png_bytes("LA"), "imgs/b/0.gif": png_bytes("P", fmt="GIF"),
            "imgs/b/1.bmp": png_bytes(fmt="BMP"), "imgs/b/2.webp": png_bytes(fmt="WEBP")}),
          rows=23),
        c("a zero-byte image", image_folder(odd={"imgs/a/0.png": b""}), usable=False),
        c("a corrupt image", image_folder(odd={"imgs/a/0.png": png_bytes()[:40]}),
          usable=False),
        c("a corrupt image, skip_bad_files", image_folder(odd={"imgs/a/0.png": b"junk"}),
          rows=19, over={"data.skip_bad_files": "true"}),
        c("a jpeg named .png", image_folder(odd={"imgs/a/0.png": jpeg})),
        c("a TIFF among them", image_folder(odd={"imgs/a/x.tif": png_bytes(fmt="TIFF")})),
        c("upper-case .PNG and .JPEG", image_folder(suffix=".PNG", odd={
            "imgs/a/x.JPEG": jpeg}), rows=21),
        c("images of other sizes", image_folder(odd={
            "imgs/a/0.png": png_bytes(size=(31, 7)), "imgs/b/0.png": png_bytes(size=(1, 1))})),
        c("gray images, channels=1", image_folder(mode="L"), over={"data.channels": "1"}),
    ]


def all_cases():
    return csv_cases() + compressed_cases() + foreign_cases() + text_cases() + image_cases()


# ---------------------------------------------------------------------------------------------
# Running and judging a case.

def train(case, folder, extra=()):
    """(exit code, stdout, stderr, seconds, hung) of launchers.train on the case's data."""
    workdir = os.path.join(folder, "run")
    args = [sys.executable, "-m", "launchers.train", f"--config={case.config}",
            f"--config.data.path={os.path.join(folder, case.path)}", "--config.train.epochs=2",
            f"--workdir={workdir}", "--config.callbacks.doctor.repair=0"]
    args += [f"--config.{k}={v}" for k, v in {**case.overrides, **dict(extra)}.items()]
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "3"}
    start = time.time()
    try:
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=HANG_S)
        return done.returncode, done.stdout, done.stderr, time.time() - start, False
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or "", e.stderr or "", time.time() - start, True


SETTING = re.compile(r"--config\.(data\.[a-z_]+)=('[^']*'|[^\s;,)]+)")


def judge(case, folder):
    """(outcome, detail) of one case; follows up to two refusals that name a data setting."""
    extra = {}
    for _ in range(3):
        code, out, err, seconds, hung = train(case, folder, extra.items())
        if hung:
            return "FAILED", f"hung past {HANG_S} s"
        lines = [line for line in err.splitlines() if line.strip()]
        if code == 0:
            problem = check_read(case, folder, out, extra)
            if problem:
                return "FAILED", f"misread: {problem}"
            return ("fixed-by-setting" if extra else "read"), (
                " ".join(f"--config.{k}={v}" for k, v in extra.items()) + f" ({seconds:.0f} s)")
        if "Traceback" in err or code != 2:
            tail = next((line for line in reversed(lines) if line.strip()), "")
            return "FAILED", f"exit {code}: {tail[:200]}"
        error = [line for line in lines if line.startswith(("error", "ktrain_kit: error"))] \
            or lines
        if len(error) != 1:
            return "FAILED", f"{len(error)} error lines: {' | '.join(error)[:300]}"
        line = error[0]
        if os.path.exists(os.path.join(folder, "run")):
            return "FAILED", f"refused but left a run folder: {line[:200]}"
        # a setting that reads the file as written; data.features only types a column (numbers
        # as categories is a choice the line offers, not a reading of the numbers)
        settings = {k: v.strip("'") if v in (".", "'.'") else v.strip("'").rstrip(".")
                    for k, v in SETTING.findall(line) if k not in extra and k != "data.features"}
        if case.usable is False and not settings:
            return "refused", line
        if case.usable is False:  # an unusable file told as readable by a setting: is it?
            code, out, err, _, hung = train(case, folder, {**extra, **settings}.items())
            return "FAILED", (f"unusable file refused naming {settings}, which "
                              f"{'trains on it' if code == 0 else 'does not read it'}: {line}")
        if not settings:  # judged by hand: is the refusal's rewrite the only way to read it?
            return "refused-usable", line
        extra.update(settings)
    return "FAILED", f"still refused after {extra}: {line}"


def check_read(case, folder, out, extra):
    """What the run read, against what was written: None when it matches, else the mismatch."""
    m = re.search(r"(\d+) training / (\d+) validation examples", out)
    if not m:
        return "no example count in the output"
    rows = int(m.group(1)) + int(m.group(2))
    if case.rows is not None and rows != case.rows:
        return f"{rows} examples, {case.rows} written"
    m = re.search(r"columns: (.*)", out)
    read_types = {k.strip(): v for k, v in re.findall(
        r"([^;()]+?) \((numeric|categorical)", m.group(1))} if m else {}
    for name, kind in case.types.items():
        if read_types.get(name) != kind:
            return f"column {name!r} read as {read_types.get(name)}, written {kind}"
    if case.group == "text":
        return compare_texts(case, folder, extra)
    if case.frame is None:
        return None
    return compare_table(case, folder, extra)


def compare_texts(case, folder, extra):
    """Each document as the run's reader read it, against the text written (a file decoded by
    another file's codec is a misread: `café` read as `cafÃ©`)."""
    from ktrain_kit.data import text as text_lib
    texts, _, _, _ = text_lib.folder_texts(os.path.join(folder, case.path),
                                        {**case.overrides, **extra}.get("data.encoding", "auto"))
    wrong = sorted(set(texts) - case.files.texts)
    return f"documents read as {wrong[:2]!r}, none of them written" if wrong else None


def compare_table(case, folder, extra):
    """Each numeric cell and label as the run's reader read it, against the frame written."""
    from ktrain_kit.data import table as table_lib
    o = {**case.overrides, **extra}
    t = table_lib.read_table(os.path.join(folder, case.path), "auto", ["label"],
                             o.get("data.encoding", "auto"), o.get("data.delimiter", "auto"),
                             o.get("data.decimal", "auto"), o.get("data.quoting", "csv"))
    if o.get("data.drop_unlabeled") == "true":
        t, _ = table_lib.labeled_rows(t, [t.names.index("label")])
    frame = case.frame
    keep = [i for i, v in enumerate(frame["label"]) if not table_lib.is_missing(str(v))]
    if sorted(t.names) != sorted(frame):
        return f"columns {t.names}, written {list(frame)}"
    for name in frame:
        got = t.column(t.names.index(name))
        want = [frame[name][i] for i in keep]
        for i, (g, w) in enumerate(zip(got, want)):
            if isinstance(w, float) or (isinstance(w, str) and name == "num"):
                w_value = float(w) if not isinstance(w, str) or not table_lib.is_missing(w) \
                    else math.nan
                g_value = math.nan if table_lib.is_missing(g) else float(g)
                same = (math.isnan(w_value) and math.isnan(g_value)) or g_value == w_value
            else:
                same = str(w) == g
            if not same:
                return f"column {name!r} row {i}: read {g[:40]!r}, written {str(w)[:40]!r}"
    return None


def write_case(case, folder):
    for rel, data in case.files.items():
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def main(argv):
    only = next((a.split("=", 1)[1] for a in argv if a.startswith("--only=")), "")
    listed = next((a.split("=", 1)[1] for a in argv if a.startswith("--cases=")), "")
    cases = [c for c in all_cases() if only.lower() in f"{c.group}: {c.name}".lower()]
    if listed:  # a file of case names (group: name), one a line: a rerun of some cases
        names = set(open(listed, encoding="utf-8").read().splitlines())
        cases = [c for c in cases if f"{c.group}: {c.name}" in names]
        only = only or os.path.splitext(os.path.basename(listed))[0]
    if "--list" in argv:
        for c in cases:
            print(f"{c.group}: {c.name}")
        return 0
    results, counts = {}, {}
    for case in cases:
        folder = tempfile.mkdtemp(prefix="data_files_")
        try:
            write_case(case, folder)
            outcome, detail = judge(case, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        key = f"{case.group}: {case.name}"
        results[key] = {"outcome": outcome, "detail": detail}
        counts.setdefault(case.group, {}).setdefault(outcome, 0)
        counts[case.group][outcome] += 1
        print(f"{'FAIL ' if outcome == 'FAILED' else ''}{key}: {outcome}: {detail}", flush=True)
    os.makedirs(os.path.join(ROOT, "runs"), exist_ok=True)
    name = "data_files" + (f"_{re.sub(r'[^a-z0-9]+', '_', only.lower())}" if only else "")
    with open(os.path.join(ROOT, "runs", f"{name}.json"), "w") as f:
        json.dump(results, f, indent=1, ensure_ascii=False)
    print(json.dumps(counts, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
