"""A label column with gaps (plotnine's msleep `vore`, txhousing's `median`: R's NA) is refused,
saying how many rows lack a label and giving the one line that drops them; a column of numbers
with a marker such as `.` says the marker may be a gap. The oracle: Python counting the gaps,
and the refusal's own pandas line, run, giving a table that reads with those rows' labels.
"""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktrain_kit.data import table as table_lib
from ktrain_kit.errors import UserError

GAPS = ["", "NA", "NaN", "N/A", "null"]  # spellings pandas' read_csv reads as missing too


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(st.sampled_from(["carni", "herbi", "omni"]), st.sampled_from(GAPS)),
                min_size=3, max_size=30).filter(lambda c: set(c) & set(GAPS)
                                                and set(c) - set(GAPS)))
def test_the_refusal_counts_the_gaps_and_its_pandas_line_drops_them(tmp_path_factory, labels):
    path = tmp_path_factory.mktemp("gaps") / "t.csv"
    path.write_text("x,vore\n" + "".join(f"{i},{v}\n" for i, v in enumerate(labels)))
    table = table_lib.read_table(str(path))
    with pytest.raises(UserError) as e:
        table_lib.label_column_values(table, 1)
    message = str(e.value)
    assert "\n" not in message
    missing = sum(v in GAPS for v in labels)
    assert f"{missing} of {len(labels)} rows have none" in message
    fix = re.search(r"(pandas\.read_csv\(path\).*index=False\))", message).group(1)
    out = path.parent / "labeled.csv"
    eval(fix.replace("'labeled.csv'", repr(str(out))), {"pandas": pd, "path": str(path)})
    kept = table_lib.read_table(str(out))
    assert list(table_lib.label_column_values(kept, 1)) == [v for v in labels if v not in GAPS]
    assert [int(c) for c in kept.column(0)] == [i for i, v in enumerate(labels) if v not in GAPS]


VORE = ["carni", "", "herbi", "omni", "NA", "carni", "?", "herbi"]
SPACED = [v or "NA" for v in VORE]  # a space-delimited line cannot end in an empty cell


def _run_line(line, path, tmp_path, name):
    """Runs the pandas line a refusal names (in tmp_path, as a user would in the file's
    folder) and returns the path of the file `name`.* it writes."""
    import os
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        eval(line, {"pandas": pd, "path": str(path)})
    finally:
        os.chdir(here)
    return str(tmp_path / re.search(rf"'({name}\.\w+)'", line).group(1))


@pytest.mark.parametrize("name, data, settings", [
    ("t.csv", "a;vore\n" + "".join(f"{i},5;{v}\n" for i, v in enumerate(VORE)),
     {"delimiter": ";"}),
    ("t.csv", ("Größe;vore\n" + "".join(f"{i},5;{v}\n" for i, v in enumerate(VORE))),
     {"delimiter": ";", "encoding": "cp1252"}),
    ("t.tsv", "a\tvore\n" + "".join(f"{i}\t{v}\n" for i, v in enumerate(VORE)), {}),
    ("t.txt", "a vore\n" + "".join(f"{i} {v}\n" for i, v in enumerate(SPACED)),
     {"delimiter": "space"}),
    ("t.json", "[" + ", ".join(f'{{"a": {i}, "vore": "{v}"}}' if v else f'{{"a": {i}}}'
                               for i, v in enumerate(VORE)) + "]", {}),
    ("t.jsonl", "".join(f'{{"a": {i}, "vore": {f"{chr(34)}{v}{chr(34)}" if v else "null"}}}\n'
                        for i, v in enumerate(VORE)), {})])
def test_the_pandas_line_keeps_the_files_format_so_the_same_settings_read_it(
        tmp_path, name, data, settings):
    """A semicolon / cp1252 / tab / space / JSON file: the line reads it as it is and writes
    the rows kept the same way, so the run's own settings read the result; gaps pandas does
    not read as missing (`?`, a JSON "NA") are dropped by name."""
    path = tmp_path / name
    path.write_bytes(data.encode(settings.get("encoding", "utf-8")))
    table = table_lib.read_table(str(path), **settings)
    with pytest.raises(UserError) as e:
        table_lib.label_column_values(table, 1)
    out = _run_line(str(e.value).split("drop those rows: ", 1)[1], path, tmp_path, "labeled")
    kept = table_lib.read_table(out, **settings)
    assert list(table_lib.label_column_values(kept, 1)) == [v for v in VORE
                                                            if v not in ("", "NA", "?")]


@pytest.mark.parametrize("marker, hinted", [(".", True), ("-", True), ("n.a.", True),
                                            ("cat", True), ("A1", False)])
def test_numbers_with_a_marker_label_say_it_may_mark_a_gap(marker, hinted):
    values = np.round(np.random.default_rng(0).normal(size=12), 3).tolist()
    rows = [str(v) for v in values[:5]] + [marker] + [str(v) for v in values[5:]]
    table = table_lib.parse_table(("x,y\n" + "".join(f"{i},{r}\n" for i, r in enumerate(rows)))
                                  .encode(), "t.csv")
    with pytest.raises(UserError, match="mixes numbers and text labels") as e:
        table_lib.label_column_values(table, 1)
    assert (f"if '{marker}' marks a missing label" in str(e.value)) == hinted


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(st.sampled_from(["carni", "herbi", "omni"]), st.sampled_from(GAPS)),
                min_size=3, max_size=30).filter(lambda c: set(c) & set(GAPS)
                                                and set(c) - set(GAPS)))
def test_drop_unlabeled_leaves_out_the_rows_pandas_dropna_drops(tmp_path_factory, labels):
    """`data.drop_unlabeled`: the rows kept, their labels and the count in the note are
    pandas' `dropna(subset=[label])` of the same file; the refusal without it names it."""
    path = tmp_path_factory.mktemp("drop") / "t.csv"
    path.write_text("x,vore\n" + "".join(f"{i},{v}\n" for i, v in enumerate(labels)))
    table = table_lib.read_table(str(path))
    with pytest.raises(UserError, match=r"--config\.data\.drop_unlabeled=true"):
        table_lib.label_column_values(table, 1)
    kept, note = table_lib.labeled_rows(table, [1])
    frame = pd.read_csv(path).dropna(subset=["vore"])
    assert [int(c) for c in kept.column(0)] == list(frame["x"])
    assert list(table_lib.label_column_values(kept, 1)) == list(frame["vore"])
    assert f"{len(labels) - len(frame)} of {len(labels)} rows have no label" in note
    gone = [str(i + 2) for i, v in enumerate(labels) if v in GAPS]  # file lines (header: 1)
    assert note.split("(line ")[1].startswith(", ".join(gone[:5]))


def test_a_table_without_any_label_is_still_refused_and_not_told_to_drop_them(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("x,vore\n1,NA\n2,\n3,NA\n")
    table = table_lib.read_table(str(path))
    assert table_lib.labeled_rows(table, [1]) == (table, None)
    with pytest.raises(UserError) as e:
        table_lib.label_column_values(table, 1)
    assert "drop_unlabeled" not in str(e.value)


def test_drop_unlabeled_trains_on_the_labeled_rows_and_says_how_many_were_left_out(tmp_path):
    from conftest import data_config, task

    from ktrain_kit.data import sources
    rng = np.random.default_rng(0)
    rows = [(rng.normal(), rng.normal(), "yes" if i % 7 else "") for i in range(120)]
    path = tmp_path / "t.csv"
    path.write_text("a,b,label\n" + "".join(f"{a:.4f},{b:.4f},{y}\n" for a, b, y in rows))
    with pytest.raises(UserError, match="drop_unlabeled"):
        sources.load(data_config("csv", path, label_column="label"), task("binary"), 0)
    rows = [(a, b, y or "") if i % 7 else (a, b, "") for i, (a, b, y) in enumerate(rows)]
    rows = [(a, b, y if not y else ("yes" if a > 0 else "no")) for a, b, y in rows]
    path.write_text("a,b,label\n" + "".join(f"{a:.4f},{b:.4f},{y}\n" for a, b, y in rows))
    data = sources.load(data_config("csv", path, label_column="label", drop_unlabeled=True),
                        task("binary"), 0)
    labeled = sum(1 for *_, y in rows if y)
    assert len(data.x_train) + len(data.x_val) == labeled
    assert any(f"{120 - labeled} of 120 rows have no label" in n for n in data.notes)


def _pandas_line(message):
    """The `pandas.read_csv(path, ...).to_csv(...)` line in a refusal's message."""
    return re.search(r"(pandas\.read_csv\(path.*?\)\.to_csv\(.*?\))", message).group(1)


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_marker_in_label_and_feature_has_one_fix_for_the_whole_file(tmp_path, delimiter):
    """Stata's `.` for a gap, in the label and in a feature (linearmodels' birthweight:
    `motheduc`, `fatheduc`): the refusal's one pandas line writes every `.` as an empty cell,
    keeping the file's own format, and the file then reads with drop_unlabeled, each column as
    pandas reads it with na_values=['.']. Before, the fix named the label column only, and the
    feature's `.` was refused next."""
    from configs.tabular_regression import get_config
    from ktrain_kit.data import features, sources
    rng = np.random.default_rng(1)
    mother = [str(v) for v in rng.integers(8, 18, 30)]
    father = [str(v) for v in rng.integers(8, 18, 30)]
    mother[4], father[7], father[9] = ".", ".", "."
    weight = [f"{v:.1f}".replace(".", "," if delimiter == ";" else ".")
              for v in rng.normal(120, 15, 30)]
    lines = [delimiter.join(("bwght", "motheduc", "fatheduc"))] + [
        delimiter.join(r) for r in zip(weight, mother, father)]
    path = tmp_path / "birthweight.csv"
    path.write_text("\n".join(lines) + "\n")
    table = table_lib.read_table(str(path), delimiter=delimiter)
    with pytest.raises(UserError) as e:
        table_lib.label_column_values(table, 1)
    assert "--config.data.drop_unlabeled=true" in str(e.value)
    out = _run_line(_pandas_line(str(e.value)), path, tmp_path, "gaps")
    c = get_config()
    c.data.name, c.data.path, c.data.label_column = "csv", out, "motheduc"
    c.data.delimiter, c.task.name, c.data.drop_unlabeled = delimiter, "classification", True
    raw = sources._csv(c.data, c.task, np.random.default_rng(0))
    kept = raw.table["table"]
    specs = features.column_specs(kept, raw.table["features"], np.arange(len(kept.rows)), {})
    assert {s["name"]: s["dtype"] for s in specs} == {"bwght": "float32", "fatheduc": "float32"}
    decimal = "," if delimiter == ";" else "."
    expected = pd.read_csv(path, sep=delimiter, decimal=decimal, na_values=["."]).dropna(
        subset=["motheduc"])
    assert len(kept.rows) == len(expected) == 29
    father_read = [np.nan if table_lib.is_missing(c) else float(c) for c in kept.column(2)]
    np.testing.assert_array_equal(father_read, expected["fatheduc"].to_numpy())
    # the same marker in a feature alone: its refusal's line is the same whole-file fix
    c.data.path, c.data.label_column, c.task.name = str(path), "bwght", "regression"
    raw = sources._csv(c.data, c.task, np.random.default_rng(0))
    with pytest.raises(UserError) as e:
        features.column_specs(raw.table["table"], raw.table["features"], np.arange(30), {})
    assert "na_values=['.']" in str(e.value)
    out = _run_line(_pandas_line(str(e.value)), path, tmp_path, "gaps")
    assert pd.read_csv(out, sep=delimiter, decimal=decimal)["motheduc"].isna().sum() == 1
