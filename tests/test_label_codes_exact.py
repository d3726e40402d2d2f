"""Whole-number class codes are read exactly: past 2**53 float64 holds only every other whole
number, and codes 123456789012345678 / ...679 (a helper's file) became one class named
'1.2345678901234568e+17', silently. The oracle is Python's int of each cell."""

import pytest

from ktrain_kit.data import table as table_lib


def _classes(tmp_path, cells):
    path = tmp_path / "codes.csv"
    rows = [f"{i % 7},{cell}" for i, cell in enumerate(cells * 3)]  # each code on 3 rows
    path.write_text("x,label\n" + "\n".join(rows) + "\n")
    table = table_lib.read_table(str(path))
    return table_lib.class_names(table, 1, table_lib.label_column_values(table, 1))


@pytest.mark.parametrize("cells", [
    ["123456789012345678", "123456789012345679", "123456789012345700"],
    ["100000000000000000000", "100000000000000000001"],
    ["-9007199254740993", "-9007199254740992", "9007199254740993"],
])
def test_long_codes_stay_distinct_and_exact(tmp_path, cells):
    names = _classes(tmp_path, cells)
    assert sorted(set(names)) == sorted({str(int(c)) for c in cells})
    assert len(set(names)) == len(cells)


def test_short_numbers_keep_their_one_spelling(tmp_path):
    """Below 2**53 a number is still named by its value (`3.0` and `03` are class '3')."""
    names = _classes(tmp_path, ["3", "3.0", "03", "2.5", "10"])
    assert sorted(set(names)) == ["10", "2.5", "3"]


def test_a_long_code_beside_fractions_and_exponents(tmp_path):
    names = _classes(tmp_path, ["1e20", "100000000000000000001", "0.5"])
    assert sorted(set(names)) == sorted({"100000000000000000000", "100000000000000000001",
                                         "0.5"})
