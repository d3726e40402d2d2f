"""Tables whose cells are split by runs of spaces and tabs, as PyPI packages ship them (no
TensorFlow): ISLP's `Auto.data` (tabs and spaces mixed, quoted names holding spaces), a
header one name short over a column of row names (R's write.table, pandas'
`to_csv(sep=" ", index_label=False)`: lifelines' holly_molly_polly.tsv), and columns aligned
by spaces whose cells hold spaces (lifelines' divorce.dat). Before, the first was refused
naming `data.delimiter=tab` (which then failed), the second asked whether line 1 is a
header (which read one column either way), the third too. The oracle is pandas'
`read_csv(sep=r"\\s+")`, the reading the refusal's fix stands for.
"""

import io
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktrain_kit.data import table as table_lib
from ktrain_kit.errors import UserError

# ISLP's Auto.data as shipped (its first lines): a tab between most names, a space between
# `horsepower` and `weight`; numbers padded by spaces, a tab before the quoted name
AUTO = (b'mpg\tcylinders\tdisplacement\thorsepower weight\tacceleration\tyear\torigin\tname\n'
        b'18.0   8   307.0      130.0      3504.      12.0   70  1\t"chevrolet chevelle malibu"\n'
        b'15.0   8   350.0      165.0      3693.      11.5   70  1\t"buick skylark 320"\n'
        b'18.0   8   318.0      150.0      3436.      11.0   70  1\t"plymouth satellite"\n'
        b'25.0   4   98.00      ?          2046.      19.0   71  1\t"ford pinto"\n')


def pandas_cells(data: bytes, **kw) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), sep=r"\s+", dtype=str, keep_default_na=False, **kw)


def refusal(data, name="t.data", **kw) -> str:
    with pytest.raises(UserError) as e:
        table_lib.parse_table(data, name, **kw)
    return str(e.value)


def test_tabs_and_spaces_mixed_are_refused_naming_space_which_reads_them_as_pandas():
    message = refusal(AUTO)
    assert "pass --config.data.delimiter=space" in message and "=tab" not in message
    assert "its rows are 9 cells" in message
    table = table_lib.parse_table(AUTO, "t.data", delimiter="space")
    expected = pandas_cells(AUTO)
    assert table.names == list(expected.columns)
    assert table.rows == expected.values.tolist()
    assert table.column(8)[0] == "chevrolet chevelle malibu"


def test_the_tab_a_user_tries_first_names_space_in_its_refusal():
    message = refusal(AUTO, delimiter="tab")
    assert "9 cells split at spaces: pass --config.data.delimiter=space" in message


def test_a_header_one_name_short_names_the_columns_after_the_row_names():
    frame = pd.DataFrame({"Status": list("MMFFMMF"), "tx": [1, 0, 1, 1, 0, 0, 1],
                          "T": [100, 5, 20, 7, 3, 40, 1]})
    data = frame.to_csv(sep=" ", index_label=False).encode()  # holly_molly_polly.tsv's form
    assert data.startswith(b"Status tx T\n0 M 1 100\n")
    for name in ("t.tsv", "t.csv"):  # named .tsv as lifelines ships it, read with tabs first
        assert "pass --config.data.delimiter=space" in refusal(data, name)
    table = table_lib.parse_table(data, "t.tsv", delimiter="space")
    assert table.header and table.names[1:] == ["Status", "tx", "T"]
    assert table.unused == {0: "no name and the row numbers 0, 1, 2, ... (pandas' index)"}
    expected = pd.read_csv(io.BytesIO(data), sep=r"\s+", dtype=str)  # pandas: the index
    assert [r[1:] for r in table.rows] == expected.values.tolist()


def test_r_write_table_with_tabs_and_quotes_reads_its_row_names_as_such():
    # R: write.table(df, sep="\t"): no name over the row names, text and names quoted
    data = (b'"weight"\t"group"\n"a1"\t4.17\t"ctrl"\n"a2"\t5.58\t"ctrl"\n'
            b'"b1"\t4.81\t"trt1"\n"b2"\t4.17\t"trt1"\n')
    table = table_lib.parse_table(data, "t.tsv")
    assert table.names[1:] == ["weight", "group"] and 0 in table.unused
    expected = pd.read_csv(io.BytesIO(data), sep="\t", dtype=str)
    assert [r[1:] for r in table.rows] == expected.values.tolist()
    assert list(expected.index) == [r[0] for r in table.rows]


def test_a_short_first_row_of_numbers_is_no_header_and_still_refused():
    # no names: an example missing a cell, not R's header; nothing is read silently
    message = refusal(b"1,2\n3,4,5\n6,7,8\n", "t.csv")
    assert "line 2 has 3 cells, line 1 has 2" in message
    message = refusal(b"a,b\n3,4,5\n6,7,8\n", "t.csv", header=False)
    assert "line 2 has 3 cells, line 1 has 2" in message
    # a delimiter too many at the end of every row, not row names: read so, the values of
    # `a` would be row names and `b` would get `a`'s (pandas' index_col=False case)
    message = refusal(b"a,b\n1,2,\n3,4,\n5,6,\n", "t.csv")
    assert "line 2 has 3 cells, line 1 has 2" in message


def test_columns_aligned_by_spaces_with_spaces_inside_cells_say_so():
    data = (b"       id        heduc   heblack     years   div\n"
            b"       9   12-15 years        No    10.546    No\n"
            b"      11    < 12 years        No    34.943    No\n"
            b"      13        16+ years     No     2.834   Yes\n")
    message = refusal(data, "divorce.dat")
    assert "aligned by spaces (fixed width)" in message and "read_fwf" in message
    assert "cannot tell whether line 1" not in message


WORDS = st.text("abcXYZ_", min_size=1, max_size=6).filter(lambda w: w not in ("NA", "nan"))


@st.composite
def space_tables(draw):
    """(bytes, whether it has row names): a table of numbers and words written with runs of
    spaces or tabs between cells (each gap drawn), a header, maybe one name short over row
    names, and a last column of quoted names holding spaces maybe (line 1 names the columns:
    whether a table of words has a header is another rule's question, `_decide_header`)."""
    rows, width = draw(st.integers(3, 8)), draw(st.integers(2, 5))
    names = draw(st.lists(WORDS, min_size=width, max_size=width, unique=True))
    cells = [[str(draw(st.floats(-1e4, 1e4, allow_nan=False, width=32)))
              if draw(st.booleans()) else draw(WORDS) for _ in range(width)] for _ in range(rows)]
    quoted = draw(st.booleans())
    if quoted:
        for r in cells:
            r[-1] = '"' + " ".join(draw(st.lists(WORDS, min_size=1, max_size=3))) + '"'
    row_names = draw(st.booleans())
    gap = st.sampled_from([" ", "  ", "\t", " \t ", "   "])
    lines = [[*([""] if row_names else []), *names]] + [
        [*([f"r{i}"] if row_names else []), *r] for i, r in enumerate(cells)]
    text = "\n".join(draw(st.sampled_from(["", "  "])) + "".join(
        c + (draw(gap) if k < len(line) - 1 else "") for k, c in enumerate(line))
        for line in lines) + "\n"
    return text.encode(), row_names


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(space_tables())
def test_any_space_delimited_table_reads_as_pandas_and_its_refusal_names_space(case):
    data, row_names = case
    expected = pandas_cells(data)
    table = table_lib.parse_table(data, "t.txt", header=True, delimiter="space")
    body = [r[1:] for r in table.rows] if row_names else table.rows
    assert body == expected.values.tolist()
    assert table.names[row_names:] == list(expected.columns)
    if row_names:
        assert 0 in table.unused and list(expected.index) == [r[0] for r in table.rows]
    try:
        table_lib.parse_table(data, "t.txt")
    except UserError as e:  # read with commas: one column; the refusal names a delimiter
        named = re.search(r"--config\.data\.delimiter=(\w+)", str(e))
        assert named, str(e)
        again = table_lib.parse_table(data, "t.txt", header=True, delimiter=named.group(1))
        if named.group(1) == "space":
            assert again.rows == table.rows and again.names == table.names
        else:  # tabs split every line evenly too (`X Y<TAB>Z`): a tab file of texts with
            # spaces, as the rule before this one reads it; the fix names tab and reads it
            assert named.group(1) == "tab" and again.width >= 2
    else:
        raise AssertionError("a space-delimited table read with commas was not refused")
    assert np.all(np.array([len(r) for r in table.rows]) == table.width)
