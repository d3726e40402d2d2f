"""`data.delimiter` and `data.decimal`: a table exported with another delimiter, and with
decimal commas, read as written (no TensorFlow).

The files are generated here as the tools write them: Excel in a decimal-comma locale ('CSV
(semicolon delimited)': `;`, `1,5`, Windows-1252), R's write.csv2, a pipe export; the cells
read are checked against the values generated and against pandas' `read_csv` told the same
delimiter and decimal mark.
"""

import csv
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktrain_kit.data import table as table_lib
from ktrain_kit.errors import UserError

WORDS = ["Köln", "Zürich", "café", "Malmö", "naïve", "€ 5", "a;b", "x, y", "“q”",
         "Straße"]


def excel_number(value: float) -> str:
    """A number as Excel's General format writes it in a decimal-comma locale: `1,5`."""
    value = float(value)
    text = repr(value) if value != int(value) else str(int(value))
    return text.replace(".", ",")


@st.composite
def european_exports(draw):
    """(bytes, column names, the values generated per column) of a ';' export in cp1252."""
    rows = draw(st.integers(2, 8))
    columns = {
        "Gewicht (kg)": [draw(st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3)))
                         for _ in range(rows)],
        "Anzahl": [draw(st.integers(-500, 500)) for _ in range(rows)],
        "Stadt": [draw(st.sampled_from(WORDS)) for _ in range(rows)],
        "Klasse": [draw(st.sampled_from(["ja", "nein"])) for _ in range(rows)]}
    gaps = draw(st.lists(st.integers(0, rows - 1), max_size=2))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(columns))
    for i in range(rows):
        writer.writerow(["" if i in gaps and name == "Gewicht (kg)" else
                         excel_number(v) if isinstance(v, (int, float)) else v
                         for name, v in ((n, columns[n][i]) for n in columns)])
    for i in gaps:
        columns["Gewicht (kg)"][i] = None
    return out.getvalue().encode("cp1252"), list(columns), columns


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(european_exports())
def test_a_european_excel_export_reads_as_written_with_data_delimiter(case):
    data, names, columns = case
    table = table_lib.parse_table(data, "t.csv", "auto", encoding="cp1252", delimiter=";")
    assert table.header and table.names == names
    frame = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="cp1252")
    for j, name in enumerate(names):
        cells = table.column(j)
        for cell, value, theirs in zip(cells, columns[name], frame[name]):
            if value is None:
                assert table_lib.is_missing(cell) and pd.isna(theirs)
            elif isinstance(value, str):
                assert cell == value == theirs
            else:  # a number, in the reader's plain notation, as pandas reads it too
                assert table_lib.is_number(cell) and float(cell) == value == float(theirs)


def test_the_same_export_without_the_setting_is_refused_naming_it():
    data = "Gewicht;Klasse\n1,5;ja\n2,25;nein\n".encode("cp1252")
    with pytest.raises(UserError, match=r"semicolon-delimited.*--config\.data\.delimiter=';'"):
        table_lib.parse_table(data, "t.csv")
    headerless = b"1,5;2,25\n3,5;4,0\n"  # read with commas: 1 | 5;2 | 25
    with pytest.raises(UserError, match=r"--config\.data\.delimiter=';'"):
        table_lib.parse_table(headerless, "t.csv", False)
    table = table_lib.parse_table(headerless, "t.csv", "auto", delimiter=";")
    assert not table.header and table.rows == [["1.5", "2.25"], ["3.5", "4.0"]]


@pytest.mark.parametrize("delimiter, char", [("tab", "\t"), ("\t", "\t"), ("|", "|"),
                                             (";", ";"), (",", ",")])
def test_each_delimiter_splits_as_the_csv_module_does(delimiter, char):
    grid = [["a", "b c", "label"], ["1.5", "x, y; z|w", "0"], ["2", "q", "1"]]
    out = io.StringIO()
    csv.writer(out, delimiter=char).writerows(grid)
    table = table_lib.parse_table(out.getvalue().encode(), "t.csv", True, delimiter=delimiter,
                                  decimal=".")
    assert [table.names] + table.rows == list(csv.reader(io.StringIO(out.getvalue()),
                                                         delimiter=char))


def test_auto_is_a_comma_or_a_tab_for_a_tsv_and_decimal_auto_follows_the_delimiter():
    assert table_lib.delimiter_char("auto", "t.csv") == ","
    assert table_lib.delimiter_char("auto", "T.TSV") == "\t"
    assert table_lib.decimal_mark("auto", ";") == ","
    assert table_lib.decimal_mark("auto", "\t") == "."
    tsv = table_lib.parse_table(b"a\tlabel\n1,5\t0\n2,5\t1\n", "t.tsv", decimal=",")
    assert tsv.rows == [["1.5", "0"], ["2.5", "1"]]


def test_a_point_number_in_a_decimal_comma_file_is_refused_not_guessed():
    """`1.234` there is 1234 (a grouping point) or 1.234 (another notation): refused, with
    the setting that says the file writes points."""
    data = b"a;label\n1.234;0\n2;1\n"
    with pytest.raises(UserError, match=r"line 2: '1\.234' has a decimal point.*"
                                        r"--config\.data\.decimal=\."):
        table_lib.parse_table(data, "t.csv", delimiter=";")
    table = table_lib.parse_table(data, "t.csv", delimiter=";", decimal=".")
    assert table.rows == [["1.234", "0"], ["2", "1"]]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False),
                          st.sampled_from(["ja", "nein"])), min_size=2, max_size=6))
def test_a_semicolon_file_with_decimal_points_is_told_both_settings_at_once(rows):
    """A ';' file whose numbers have points (a tool's export, not Excel's): one refusal names
    the delimiter and the decimal mark together, and with both the cells are the csv
    module's."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Gewicht", "Klasse"])
    writer.writerows([[f"{v:.3f}", label] for v, label in rows])
    data = out.getvalue().encode()
    with pytest.raises(UserError) as refused:
        table_lib.parse_table(data, "t.csv")
    assert "--config.data.delimiter=';' --config.data.decimal=." in str(refused.value)
    table = table_lib.parse_table(data, "t.csv", delimiter=";", decimal=".")
    expected = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert [table.names] + table.rows == expected


def test_decimal_comma_with_comma_delimiter_and_unknown_values_are_refused():
    with pytest.raises(UserError, match="data.decimal"):
        table_lib.parse_table(b"a,b\n1,5\n", "t.csv", decimal=",")
    with pytest.raises(UserError, match="data.delimiter"):
        table_lib.parse_table(b"a,b\n1,5\n", "t.csv", delimiter="space")


def test_the_config_keys_are_checked_without_reading_a_file():
    from ktrain_kit.config import default_config, validate
    c = default_config()
    c.data.name, c.data.path, c.data.delimiter = "csv", "t.csv", ";;"
    with pytest.raises(UserError, match="config key 'data.delimiter'"):
        validate(c)
    c.data.delimiter, c.data.decimal = ",", ","
    with pytest.raises(UserError, match="config key 'data.decimal'"):
        validate(c)


def test_a_semicolon_export_trains_through_sources(tmp_path):
    """End to end to the label and the typed columns: numbers with decimal commas are numeric."""
    from conftest import data_config, task
    from ktrain_kit.data import features, sources
    rng = np.random.default_rng(0)
    weights = np.round(rng.normal(50, 10, 40), 2)
    lines = ["Gewicht;Stadt;Klasse"] + [
        f"{excel_number(w)};{WORDS[i % 3]};{'ja' if w > 50 else 'nein'}"
        for i, w in enumerate(weights)]
    (tmp_path / "t.csv").write_bytes("\r\n".join(lines).encode("cp1252"))
    raw = sources._csv(data_config("csv", tmp_path / "t.csv", label_column="Klasse",
                                   encoding="cp1252", delimiter=";"), task(), None)
    table = raw.table["table"]
    specs = features.column_specs(table, raw.table["features"], np.arange(40), None)
    assert [(s["name"], s["type"]) for s in specs] == [("Gewicht", "numeric"),
                                                       ("Stadt", "categorical")]
    assert [float(c) for c in table.column(0)] == weights.tolist()
    assert list(raw.y) == ["ja" if w > 50 else "nein" for w in weights]


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(st.sampled_from(["1", "-2.5", "1e3", "NA", "Zürich", "x_y", "'q'"]),
                         min_size=3, max_size=3), min_size=2, max_size=6),
       st.integers(0, 3), st.sampled_from(["\n", "\r\n"]))
def test_a_space_delimited_table_reads_as_str_split_reads_it(rows, pad, end):
    """R's write.table / fixed-width text: runs of spaces, padded lines. Read with commas it is
    refused naming data.delimiter=space; with it, each line's cells are `line.split()`."""
    lines = ["a  b c"] + [" " * pad + "   ".join(r) + " " * pad for r in rows]
    data = end.join(lines).encode()
    with pytest.raises(UserError, match=r"space-delimited.*--config\.data\.delimiter=space"):
        table_lib.parse_table(data, "t.csv")
    table = table_lib.parse_table(data, "t.csv", True, delimiter="space")
    assert [table.names] + table.rows == [line.split() for line in lines]


@pytest.mark.parametrize("names", [["popul", "TV news", "vote"], ["a", "b"]])
@pytest.mark.parametrize("delimiter, char", [("auto", ","), ("tab", "\t"), ("space", " ")])
def test_header_names_each_in_single_quotes_are_the_names_inside(names, delimiter, char):
    """statsmodels' anes96 (tabs) and spector (spaces) write `'vote'`: the label could not be
    named on a command line. Only a header whose every name is so quoted is unquoted."""
    if char == " " and any(" " in n for n in names):
        names = [n.replace(" ", "_") for n in names]
    header = char.join(f"'{n}'" for n in names)
    data = f"{header}\n" + char.join(str(i) for i in range(len(names))) + "\n"
    table = table_lib.parse_table(data.encode(), "t.csv", True, delimiter=delimiter)
    assert table.names == [n.strip("'") for n in header.split(char)] == names
    partly = f"'{names[0]}'," + ",".join(names[1:]) + "\n1" + ",0" * (len(names) - 1) + "\n"
    assert table_lib.parse_table(partly.encode(), "t.csv", True).names[0] == f"'{names[0]}'"


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(european_exports())
def test_a_cp1252_semicolon_export_is_refused_naming_both_settings_that_read_it(case):
    """One message, both settings: the settings it names, applied, read the file as written."""
    import re
    data, names, _ = case
    if data.isascii():
        return  # valid UTF-8: only the delimiter is named (test above)
    with pytest.raises(UserError) as e:
        table_lib.parse_table(data, "t.csv")
    named = dict(re.findall(r"--config\.data\.(\w+)='?([^' ;]+|;)'?", str(e.value)))
    assert named == {"encoding": "cp1252", "delimiter": ";"}, str(e.value)
    assert table_lib.parse_table(data, "t.csv", **named).names == names
