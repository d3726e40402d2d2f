"""Tables users bring, a helper's round: two classes, each fixed at one place of the reader and
checked against pandas given what a pandas user gives:
- two exports joined one after the other (`cat a.csv b.csv`) repeat the header in the middle:
  refused, the names read as missing-value markers and the fix offered (pandas' `na_values=`)
  trained a class named after the label column; now read as the header again, and said
  (table `_repeated_header`);
- a German spreadsheet's export (`;`, `39,1`, `3.750`): with data.decimal=',' the point can only
  group thousands, and was refused, the refusal's fix (data.decimal='.') refused in its turn;
  now read as pandas reads it with `decimal=',', thousands='.'`.
"""

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktrain_kit.data import table as table_lib
from ktrain_kit.errors import UserError


def penguins(rng, rows):
    return pd.DataFrame({"species": rng.choice(["Adelie", "Gentoo", "Chinstrap"], rows),
                         "bill_length_mm": rng.normal(44, 5, rows).round(1),
                         "body_mass_g": rng.integers(2700, 6300, rows),
                         "island": rng.choice(["Biscoe", "Dream"], rows)})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(2, 12), min_size=2, max_size=4), st.integers(0, 2 ** 31))
def test_exports_joined_one_after_another_read_as_one_table(tmp_path_factory, parts, seed):
    rng = np.random.default_rng(seed)
    frames = [penguins(rng, rows) for rows in parts]
    path = tmp_path_factory.mktemp("joined") / "joined.csv"
    path.write_text("".join(f.to_csv(index=False) for f in frames))
    table = table_lib.read_table(str(path))
    expected = pd.concat(frames).astype(str)
    assert table.names == list(expected.columns)
    assert [list(r) for r in table.rows] == expected.values.tolist()
    repeated = np.cumsum([p + 1 for p in parts])[:-1] + 1  # the line numbers of the headers
    note = next(n for n in table.notes if "repeat" in n)
    assert all(str(line) in note for line in repeated[:5]) and "header" in note


def test_a_table_of_names_alone_is_not_a_repeated_header(tmp_path):
    """A row equal to line 1 is a repeated header only where line 1 holds names: a headerless
    file of numbers repeats rows as data does."""
    path = tmp_path / "numbers.csv"
    path.write_text("1,2,3\n4,5,6\n1,2,3\n")
    table = table_lib.read_table(str(path), header=False)
    assert len(table.rows) == 3 and not any("repeat" in n for n in table.notes)
    path.write_text("a,b,c\n1,2,3\n1,2,3\n")  # a row repeating a row: data
    assert len(table_lib.read_table(str(path)).rows) == 2



def test_one_number_under_a_repeated_first_line_is_no_column_of_numbers():
    """`Gentoo,Adelie` twice around `0,Adelie` (hypothesis' example from the table property
    test): the single `0` made line 1 a header and line 3 its repeat, two rows dropped. Three
    rows of a headerless file as much as a header over two: undecidable, refused as such."""
    from ktrain_kit.errors import UserError
    with pytest.raises(UserError, match="cannot tell whether line 1 names the columns"):
        table_lib.parse_table(b"Gentoo,Adelie\n0,Adelie\nGentoo,Adelie\n", "t.csv", "auto")
    table = table_lib.parse_table(b"Gentoo,Adelie\n0,Adelie\nGentoo,Adelie\n", "t.csv", False)
    assert table.rows == [["Gentoo", "Adelie"], ["0", "Adelie"], ["Gentoo", "Adelie"]]


def german_export(tmp_path, rows=40):
    frame = penguins(np.random.default_rng(0), rows)
    text = frame.to_csv(sep=";", decimal=",", index=False)
    for value in frame["body_mass_g"]:  # 3750 -> 3.750, as the spreadsheet's Number format
        text = text.replace(f";{value};", f";{value // 1000}.{value % 1000:03d};")
    path = tmp_path / "penguins.csv"
    path.write_text(text)
    return frame, path, text


def test_points_grouping_thousands_beside_decimal_commas_read_when_data_decimal_says_so(
        tmp_path):
    frame, path, text = german_export(tmp_path)
    pandas = pd.read_csv(io.StringIO(text), sep=";", decimal=",", thousands=".")
    assert (pandas["body_mass_g"] == frame["body_mass_g"]).all()
    table = table_lib.read_table(str(path), decimal=",", delimiter=";")
    column = table.names.index("body_mass_g")
    assert [float(r[column]) for r in table.rows] == pandas["body_mass_g"].tolist()
    length = table.names.index("bill_length_mm")
    assert np.allclose([float(r[length].replace(",", ".")) for r in table.rows],
                       pandas["bill_length_mm"])
    with pytest.raises(UserError) as refused:  # auto: 3.750 may be 3.75; the fix named
        table_lib.read_table(str(path), delimiter=";")
    assert "--config.data.decimal=," in str(refused.value)
