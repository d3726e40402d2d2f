"""Inputs a new user brings to data.decimal and JSON record lists that the readers were not
written for (no TensorFlow): numbers with grouped thousands in a decimal-comma file (read
as the numbers since round h79: tests/test_table_users_bring4.py), and a JSON list of records
with a flaw, refused in one line naming the file, the line and the fix, where before the file
was read as a CSV of one column. Oracles: pandas told the grouping, the json module."""

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktrain_kit.data import table as table_lib
from ktrain_kit.errors import UserError

# The thousands separators of decimal-comma locales (de/it: '.', fr: no-break or narrow
# no-break space, plain space as typed, de-CH: apostrophe).
SEPARATORS = [".", " ", "\u00a0", "\u202f", "'"]


def grouped(value: float, sep: str) -> str:
    """`value` as a spreadsheet's Number format writes it: thousands grouped, decimal comma."""
    return f"{value:,.2f}".replace(",", "\0").replace(".", ",").replace("\0", sep)


def semicolon_file(cells) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["Betrag", "Klasse"])
    for i, cell in enumerate(cells):
        writer.writerow([cell, "ja" if i % 2 else "nein"])
    return out.getvalue().encode()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=2, max_size=8),
       st.sampled_from(SEPARATORS), st.data())
def test_a_grouped_number_in_a_decimal_comma_file_is_read_as_pandas_told_the_grouping(
        values, sep, data):
    """Refused naming its line before round h79; a column of decimal commas with a grouped
    number among them says which mark is which, so it is read as that number, and said."""
    big = data.draw(st.floats(1000, 1e9) | st.floats(-1e9, -1000))
    at = data.draw(st.integers(0, len(values)))
    values.insert(at, big)
    cells = [grouped(v, sep) if i == at else f"{v:.2f}".replace(".", ",")
             for i, v in enumerate(values)]
    text = semicolon_file(cells)
    # the oracle: told the grouping, pandas reads that cell as the number generated
    read = pd.read_csv(io.BytesIO(text), sep=";", decimal=",", thousands=sep,
                       dtype={"Betrag": str})
    assert float(read["Betrag"][at].replace(sep, "").replace(",", ".")) == \
        pytest.approx(round(big, 2))
    table = table_lib.parse_table(text, "t.csv", delimiter=";")
    assert float(table.column(0)[at]) == pytest.approx(round(big, 2))
    assert any(n.startswith("column 'Betrag': numbers with their thousands grouped")
               for n in table.notes)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.floats(-999, 999, allow_nan=False), min_size=2, max_size=8))
def test_ungrouped_decimal_comma_numbers_still_read_as_pandas_reads_them(values):
    cells = [f"{v:.3f}".replace(".", ",") for v in values]
    expected = pd.read_csv(io.BytesIO(semicolon_file(cells)), sep=";", decimal=",")["Betrag"]
    text = semicolon_file(cells + ["1 234 Tage", "Zimmer 1.234"])  # text: never numbers
    got = table_lib.parse_table(text, "t.csv", delimiter=";").column(0)
    assert [float(c) for c in got[:len(values)]] == pytest.approx(list(expected))
    assert got[len(values):] == ["1 234 Tage", "Zimmer 1.234"]


def damaged(records, how: str) -> str:
    lines = [json.dumps(r) for r in records]
    if how == "trailing comma":
        return "[\n" + ",\n".join(lines) + ",\n]\n"
    if how == "cut off":
        whole = "[\n" + ",\n".join(lines) + "\n]\n"
        return whole[:whole.rindex("}")]
    if how == "single quotes":
        lines[-1] = lines[-1].replace('"', "'")
        return "[\n" + ",\n".join(lines) + "\n]\n"
    return "[\n" + ",\n".join(lines) + "\n] and more\n"


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.fixed_dictionaries({"a": st.integers(-99, 99),
                                       "y": st.sampled_from(["x", "z"])}),
                min_size=1, max_size=6),
       st.sampled_from(["trailing comma", "cut off", "single quotes", "text after"]))
def test_a_json_list_of_records_with_a_flaw_is_refused_at_the_line_json_names(records, how):
    text = damaged(records, how)
    with pytest.raises(json.JSONDecodeError) as oracle:
        json.loads(text)
    with pytest.raises(UserError) as e:
        table_lib.parse_table(text.encode(), "t.json")
    assert f"line {oracle.value.lineno} is not JSON" in str(e.value)
    assert "\n" not in str(e.value)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.fixed_dictionaries({"a": st.integers(-99, 99),
                                       "y": st.sampled_from(["x", "z"])}),
                min_size=1, max_size=6))
def test_the_same_list_intact_reads_as_pandas_read_json(records):
    text = "[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n"
    table = table_lib.parse_table(text.encode(), "t.json")
    expected = pd.read_json(io.StringIO(text))
    assert table.names == list(expected.columns)
    a, y = table.names.index("a"), table.names.index("y")
    assert np.array_equal([int(c) for c in table.column(a)], expected["a"].to_numpy())
    assert table.column(y) == list(expected["y"])


def test_a_csv_whose_first_cell_opens_a_bracket_is_still_a_csv():
    table = table_lib.parse_table(b"[a],b\n1,2\n3,4\n", "t.csv")
    assert table.names == ["[a]", "b"] and table.rows == [["1", "2"], ["3", "4"]]


@pytest.mark.parametrize("value", ["TAB", "Tab", "", ",,", ";;", "semicolon", "comma", " ",
                                   "\\\\t", "t"])
def test_an_odd_delimiter_is_refused_in_one_readable_line_by_the_config_and_the_reader(value):
    from ktrain_kit.config import default_config, validate
    c = default_config()
    c.data.name, c.data.path, c.model.name, c.data.delimiter = "csv", "t.csv", "mlp", value
    with pytest.raises(UserError) as by_config:
        validate(c)
    with pytest.raises(UserError) as by_reader:
        table_lib.parse_table(b"a,b\n1,2\n", "t.csv", delimiter=value)
    line = str(by_config.value)
    assert line == str(by_reader.value)  # one rule, one wording
    assert "data.delimiter" in line and "use auto, ',', ';', tab, '|' or space" in line
    assert "\t" not in line and "\n" not in line  # no bare tab in the list of choices
    if value.lower() == "tab":
        assert "did you mean 'tab'?" in line


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(st.sampled_from(["1", "2,5", "a b", "x;y", "-3"]), min_size=2,
                         max_size=2), min_size=1, max_size=5))
def test_a_backslash_t_as_a_shell_passes_it_splits_at_tabs_as_the_csv_module(rows):
    """`--config.data.delimiter='\\t'` (pandas' sep='\\t') reaches the config as two characters."""
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows([["p", "q"]] + rows)
    table = table_lib.parse_table(out.getvalue().encode(), "t.csv", header=True,
                                  delimiter="\\t")
    expected = list(csv.reader(io.StringIO(out.getvalue()), delimiter="\t"))
    assert [table.names] + table.rows == expected


@pytest.mark.parametrize("value", ["  ", " 999 ", "999:group ", "\t999\n"])
def test_a_crash_point_value_the_launcher_accepts_is_one_the_hook_reads(value, monkeypatch,
                                                                         capsys):
    """cli.check_environment judges KTRAIN_KIT_CRASH_AT stripped: the hook must read it so
    (int('  ') raised at the first file written of a run the launcher had let start)."""
    from ktrain_kit import cli, fs
    cli.check_environment({"KTRAIN_KIT_CRASH_AT": value, "KTRAIN_KIT_CRASH_GROUP": "  "})
    monkeypatch.setenv("KTRAIN_KIT_CRASH_AT", value)
    monkeypatch.setenv("KTRAIN_KIT_CRASH_GROUP", "  ")
    monkeypatch.delenv("KTRAIN_KIT_CRASH_LOG", raising=False)
    monkeypatch.setattr(fs, "_points", 0)
    fs._crash_point("write", "x")  # point 1 of 999: counted, nothing killed
    printed = capsys.readouterr().err
    assert ("crash point 1" in printed) == bool(value.strip())


def number_column_file(values, write, delimiter="\t") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["Wert", "Farbe", "Klasse"])
    for i, v in enumerate(values):
        writer.writerow([write(v), ["rot", "blau"][i % 2], ["ja", "nein"][i // 2 % 2]])
    return out.getvalue().encode()


NOTATIONS = {  # how a spreadsheet writes a number (pandas' own options read each back)
    "decimal comma": (lambda v: f"{v:.2f}".replace(".", ","), {"decimal": ","}),
    "grouped thousands": (lambda v: f"{v:,.2f}", {"thousands": ","}),
}


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.floats(1000, 1e6, allow_nan=False), min_size=4, max_size=12,
                unique_by=lambda v: round(v, 2)),
       st.sampled_from(sorted(NOTATIONS)))
def test_a_column_of_numbers_in_another_notation_is_refused_not_left_out_as_an_id(values,
                                                                                  notation):
    """Distinct on every row, such a column was taken for an id (a name, a note) and left out
    with a note: the run trained without it. The refusal names the cell, and data.decimal
    where that reads the file; thousands grouped with decimals after them (`1,234.57`) are
    read as the numbers since round h79 (tests/test_table_users_bring4.py)."""
    from ktrain_kit.data import features
    write, told = NOTATIONS[notation]
    data = number_column_file(values, write)
    oracle = pd.read_csv(io.BytesIO(data), sep="\t", **told)["Wert"]
    assert oracle.dtype == float and len(set(oracle)) == len(values)  # numbers, one per row
    table = table_lib.parse_table(data, "t.tsv")
    assert features.identifier_columns(table, [0, 1], {}) == []
    if notation == "grouped thousands":
        assert [float(c) for c in table.column(0)] == list(oracle)
        return
    with pytest.raises(UserError) as e:
        features.column_specs(table, [0, 1], list(range(len(values))), {})
    assert "line 2, column 'Wert'" in str(e.value)
    assert ("--config.data.decimal=," in str(e.value)) == (notation == "decimal comma")
    if notation == "decimal comma":  # the setting named reads the column as pandas does
        told_table = table_lib.parse_table(data, "t.tsv", decimal=",")
        assert [float(c) for c in told_table.column(0)] == list(oracle)


def test_a_column_of_distinct_codes_is_still_left_out_as_an_id():
    table = table_lib.parse_table(number_column_file(range(6), lambda v: f"N{v}A"), "t.tsv")
    from ktrain_kit.data import features
    assert features.identifier_columns(table, [0, 1], {}) == [0]


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("rows", [5, 23])
def test_a_label_column_of_gaps_but_one_row_says_how_many_rows_drop_unlabeled_kept(
        task, rows, tmp_path):
    """The refusal after data.drop_unlabeled ('a single class', 'no training examples') of a
    file of many rows names the count kept: pandas' dropna on the label is the oracle."""
    from configs import tabular_binary
    from ktrain_kit.data import sources
    path = tmp_path / "gaps.csv"
    gaps = ["", "NA", "?", "null"]
    path.write_text("a,y\n" + "".join(f"{i},{gaps[i % 4]}\n" for i in range(rows)) + "7,1\n")
    frame = pd.read_csv(path, na_values=["?"])
    c = tabular_binary.get_config()
    c.task.name, c.data.name, c.data.path, c.data.label_column = task, "csv", str(path), "y"
    c.data.drop_unlabeled = True
    with pytest.raises(UserError) as e:
        sources.load(c.data, c.task, 0)
    kept = len(frame.dropna(subset=["y"]))
    assert str(e.value).endswith(f"(data.drop_unlabeled kept {kept} of {len(frame)} rows)")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(st.sampled_from(["1", "-2.5", "abc", "x_y", "0"]), min_size=3,
                         max_size=3), min_size=1, max_size=6),
       st.data())
def test_space_delimited_text_padded_with_tabs_splits_as_pandas_whitespace(rows, data):
    """data.delimiter=space: fixed-width text pads with spaces and tabs; pandas' sep=r'\\s+',
    the reader the file's fix lines name, splits at both (a tab was kept inside a cell)."""
    gap = st.text(alphabet=" \t", min_size=1, max_size=3)
    lines = [data.draw(st.text(alphabet=" \t", max_size=2)) +
             "".join(cell + (data.draw(gap) if k < 2 else "") for k, cell in enumerate(row))
             + data.draw(st.text(alphabet=" \t", max_size=2)) for row in [["p", "q", "r"]] + rows]
    text = "\n".join(lines) + "\n"
    expected = pd.read_csv(io.StringIO(text), sep=r"\s+", dtype=str, keep_default_na=False)
    table = table_lib.parse_table(text.encode(), "t.txt", header=True, delimiter="space")
    assert table.names == list(expected.columns)
    assert table.rows == expected.values.tolist()


def test_a_tab_inside_quotes_stays_in_its_cell_of_a_space_delimited_file():
    text = 'p q\n"a\tb" 1\n"c" 2\n'
    table = table_lib.parse_table(text.encode(), "t.txt", header=True, delimiter="space")
    assert table.rows == [["a\tb", "1"], ["c", "2"]]
    assert pd.read_csv(io.StringIO(text), sep=r"\s+")["p"].tolist() == ["a\tb", "c"]
