"""Tables users bring, round h81: the table typing of round h79 (free-text columns read as
their words, identifiers written as numbers, grouped thousands) attacked with inputs its authors
did not design for. Two classes failed and are fixed:
- a text column whose training rows hold no word (only punctuation, or its words in the
  validation rows alone): a traceback from Keras' tf-idf adapt, now one line naming the column;
- an identifier column as pandas writes an integer column with a gap (`12.0`) or with negative
  codes: read as a quantity, silently, where the same column without the gap was codes;
- decimals below 1 with three decimals in the other locale's notation (`"0,125"` quoted in a
  comma CSV, `0.125` among decimal commas) read as grouped thousands: 125, a factor of 1000.
Each checked against an independent reading (scikit-learn's TfidfVectorizer, pandas).
"""

import json
import re
import shlex

import numpy as np
import pandas as pd
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import data_config, task, typed_table
from ktrain_kit.data import features, sources, table as table_lib
from ktrain_kit.errors import UserError

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()


def typed(path, label, overrides=None):
    """(specs, table, train rows, notes): conftest.typed_table's, the last 4/5 of the rows
    train (as the tests of round h79 split them)."""
    return typed_table(path, label, overrides)[:4]

def preprocessing(specs, table, train):
    columns = features.raw_columns(table, specs)
    return features.TablePreprocessing(specs, {k: v[train] for k, v in columns.items()})


def sentence(rng, k=6):
    return " ".join(rng.choice(WORDS, k))


@pytest.mark.parametrize("case", ["punctuation typed text", "words in validation rows only"])
def test_a_text_column_without_a_training_word_is_refused_naming_it(tmp_path, case):
    """Before: AttributeError ('StringLookup' object has no attribute 'idf_weights') from
    FeatureSpace.adapt, after the run had typed the table. scikit-learn's TfidfVectorizer
    refuses the same training cells too (empty vocabulary): nothing there to learn."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    rng = np.random.default_rng(0)
    n = 40
    if case == "punctuation typed text":
        cells, overrides = ["!!! ??? ... " + "#" * (i + 1) for i in range(n)], {"t": "text"}
    else:  # documents (so read as text untyped), but only in the first fifth: validation
        cells, overrides = [sentence(rng) + f" w{i}" if i < n // 5 else "" for i in range(n)], None
    frame = pd.DataFrame({"t": cells, "v": rng.normal(size=n), "y": ["a", "b"] * (n // 2)})
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    specs, table, train, _ = typed(path, "y", overrides)
    assert {s["name"]: s["type"] for s in specs}["t"] == "text"
    with pytest.raises(ValueError, match="empty vocabulary"):
        TfidfVectorizer().fit(frame["t"].fillna("").iloc[train])
    with pytest.raises(UserError) as refused:
        preprocessing(specs, table, train)
    message = str(refused.value)
    assert "\n" not in message and "'t'" in message and f"{len(train)} training rows" in message
    assert '--config.data.features=\'{"t": "ignore"}\'' in message


def test_one_training_word_is_enough_to_read_a_text_column(tmp_path):
    """The refusal's boundary: one word in one training row adapts (scikit-learn's vocabulary
    is that word), and the encoded rows hold it where the cell does."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    n = 40
    cells = ["!!! ..."] * n
    cells[-1] = "... kappa !!!"
    frame = pd.DataFrame({"t": cells, "v": np.arange(n) % 3 * 0.5, "y": ["a", "b"] * (n // 2)})
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    specs, table, train, _ = typed(path, "y", {"t": "text"})
    prep = preprocessing(specs, table, train)
    words = prep.space.preprocessors["t"].get_vocabulary()[1:]
    assert words == list(TfidfVectorizer().fit(frame["t"].iloc[train]).get_feature_names_out())
    x = prep.encode(features.raw_columns(table, specs)).numpy()
    assert x.shape[0] == n and np.isfinite(x).all()


def test_identifiers_as_pandas_writes_them_with_a_gap_are_codes(tmp_path):
    """An integer `customer_id` with one missing cell is float to pandas and written `12.0`:
    before, a quantity (normalized, silently) where the same column without the gap was
    categories. Now codes either way: the same categories as the gapless column, as pandas
    counts them, with the run's note naming the column."""
    rng = np.random.default_rng(1)
    n = 60
    codes = rng.integers(0, 12, n)
    frame = pd.DataFrame({"customer_id": pd.array(codes, dtype="Int64"),
                          "v": rng.normal(size=n), "y": ["a", "b"] * (n // 2)})
    frame.loc[[3, 17], "customer_id"] = pd.NA
    gapped = frame.assign(customer_id=frame["customer_id"].astype("float64"))
    path = tmp_path / "ids.csv"
    gapped.to_csv(path, index=False)
    assert "12.0" in path.read_text() or ".0," in path.read_text()  # as pandas wrote it
    specs, table, train, notes = typed(path, "y")
    spec = next(s for s in specs if s["name"] == "customer_id")
    assert (spec["type"], spec["dtype"], spec.get("said")) == ("categorical", "string", "id")
    assert any("'customer_id' read as categories" in note for note in notes)
    prep = preprocessing(specs, table, train)
    seen = pd.read_csv(path)["customer_id"].iloc[train]
    assert spec["distinct"] == seen.nunique() + seen.isna().any()  # values + the missing one


def test_negative_identifiers_one_a_row_are_left_out_as_identifiers(tmp_path):
    """An `id` of negative whole numbers, a different one a row: before, a numeric feature
    (silently); now left out as an identifier, as the same ids without their sign are."""
    n = 40
    rng = np.random.default_rng(2)
    for ids in (np.arange(n) + 100, -(np.arange(n) + 100)):
        path = tmp_path / "neg.csv"
        pd.DataFrame({"id": rng.permutation(ids), "v": rng.normal(size=n),
                      "y": ["a", "b"] * (n // 2)}).to_csv(path, index=False)
        specs, table, train, notes = typed(path, "y")
        assert [s["name"] for s in specs] == ["v"]
        assert any("'id' not used: an identifier" in note for note in notes)


def test_a_leading_zero_group_is_a_decimal_not_thousands(tmp_path):
    """`"0,125"` in a comma CSV (quoted: its comma is no delimiter) is 0.125 written with a
    decimal comma; no writer groups 125 as `0,125`. Before: read as 125 with a note saying
    thousands were grouped. Now the column is refused naming the cell (the comma's meaning is
    the file's to say), and `0.125` among a `;` file's decimal commas is refused as a decimal
    point, as `1.5` there is."""
    values = [0.125, 0.25, 0.375, 0.5, 0.625, 0.75]
    path = tmp_path / "kg.csv"
    path.write_text("kg,y\n" + "".join(f'"{v:.3f}",{"ab"[i % 2]}\n'.replace(".", ",", 1)
                                        for i, v in enumerate(values)))
    table = table_lib.read_table(str(path))
    assert table.column(0) == [f"{v:.3f}".replace(".", ",") for v in values] and not table.notes
    with pytest.raises(UserError, match="'0,125' is a number written with a comma"):
        typed(path, "y")
    semicolon = tmp_path / "semi.csv"
    semicolon.write_text("kg;y\n0.125;a\n0,25;b\n1.234.567;a\n2,5;b\n")
    with pytest.raises(UserError, match="'0.125' has a decimal point"):
        table_lib.read_table(str(semicolon), delimiter=";")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1000, 10**15) | st.integers(-10**15, -1000), min_size=3,
                max_size=12), st.sampled_from([",", "'", " "]))
def test_grouped_thousands_still_read_as_python_formats_them(tmp_path_factory, numbers, sep):
    """The boundary of the rule above: whole numbers as Python groups them (`f"{v:,}"`, its
    separator swapped) are still read as those numbers."""
    path = tmp_path_factory.mktemp("g") / "g.csv"
    path.write_text("x,y\n" + "".join(f'"{format(v, ",").replace(",", sep)}",a\n'
                                      for v in numbers))
    table = table_lib.read_table(str(path), header=True)
    assert [int(c) for c in table.column(0)] == numbers


FLAG = re.compile(r"--config\.data\.features=('(?:[^']|'\"'\"')*')")


def pasted(message: str) -> dict:
    """The data.features value a shell gives the program when the message's flag is pasted
    (shlex: the shell's quoting), read as the config reads it (JSON)."""
    (value,) = shlex.split(FLAG.search(message).group(1))
    return json.loads(value)


@pytest.mark.parametrize("quote", ["'", '"'])
def test_fixes_naming_a_column_with_a_quote_paste_into_the_shell(tmp_path, quote):
    """A column named `customer's review` (or `say "hi"`): the run's notes and refusals wrote
    `--config.data.features='{"customer's review": ...}'`, which the shell cuts at the name's
    `'` (a `"` made the JSON unreadable). Each flag now gives the program, through shlex's
    shell quoting, the column's exact name and type."""
    rng = np.random.default_rng(3)
    n = 60
    text, code, order = f"customer{quote}s review", f"store{quote} id", f"row{quote}s id"
    frame = pd.DataFrame({text: [sentence(rng) for _ in range(n)],
                          code: rng.integers(0, 20, n), order: np.arange(n),
                          "y": ["a", "b"] * (n // 2)})
    path = tmp_path / "q.csv"
    frame.to_csv(path, index=False)
    specs, table, train, notes = typed(path, "y")
    flags = [pasted(note) for note in notes if "--config.data.features" in note]
    assert {text: "categorical"} in flags and {order: "numeric"} in flags
    punctuation = frame.assign(**{text: ["!!! ..."] * n})
    punctuation.to_csv(path, index=False)
    specs, table, train, _ = typed(path, "y", {text: "text"})
    with pytest.raises(UserError) as refused:
        preprocessing(specs, table, train)
    assert pasted(str(refused.value)) == {text: "ignore"}
    frame[[order, "y"]].to_csv(path, index=False)
    with pytest.raises(UserError) as refused:
        typed(path, "y")
    assert pasted(str(refused.value)) == {order: "numeric"}


def test_a_column_named_as_a_missing_value_indicator_is_refused(tmp_path):
    """`x__missing` beside `x` with gaps: the indicator's FeatureSpace key is the column's, and
    the column replaced it while the run said `x ... + indicator`: the encoded width lacked one
    input (counted here from the types: 1 per numeric column, +1 per indicator). Now refused
    naming both; without gaps in `x` there is no indicator, and both columns are read."""
    rng = np.random.default_rng(5)
    n = 50
    x = rng.normal(size=n)
    x[::7] = np.nan
    frame = pd.DataFrame({"x": x, "x__missing": rng.normal(size=n), "y": ["a", "b"] * (n // 2)})
    path = tmp_path / "m.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(UserError, match=r"'x__missing' has the name of the indicator of column "
                                        r"'x'.*rename 'x__missing'"):
        typed(path, "y")
    frame.assign(x=rng.normal(size=n)).to_csv(path, index=False)
    specs, table, train, _ = typed(path, "y")
    x = preprocessing(specs, table, train).encode(features.raw_columns(table, specs)).numpy()
    assert x.shape == (n, 2)


def test_a_note_shows_a_present_cell_when_the_first_is_missing(tmp_path):
    """An identifier column whose first cell is missing: the notes read "its whole numbers
    ('', ...)"; they show the first cell pandas reads as a value (recurring codes, and ids one
    a row)."""
    n = 60
    codes = [""] + [str(i % 15) for i in range(1, n)]
    ids = ["NA"] + [str(1000 + i) for i in range(1, n)]
    frame = pd.DataFrame({"store_id": codes, "order_id": ids,
                          "v": np.arange(n) * 0.37 % 5, "y": ["a", "b"] * (n // 2)})
    path = tmp_path / "gap.csv"
    frame.to_csv(path, index=False)
    _, _, _, notes = typed(path, "y")
    read = pd.read_csv(path)
    for name in ("store_id", "order_id"):
        (note,) = [n for n in notes if f"'{name}'" in n and "whole numbers" in n or
                   f"'{name}' not used" in n]
        first = int(read[name].dropna().iloc[0])
        assert f"('{first}', ...)" in note, note


def test_grouped_numbers_with_a_marker_or_a_typo_are_judged_as_plain_ones(tmp_path):
    """Grouped numbers (`"850,773"`) with a `-` among them: before, typed categorical without
    a word (38 values for 40 rows), and a typo (`1O5`) got the column left out as a text id;
    as a regression label, the refusal named `'850,773'`, a cell the run reads. Now the
    grouped cells are numbers first, and the marker or the typo is refused naming it, as among
    plain numbers. The marker refusal's pandas line gives a file read as pandas reads the
    original told both (`thousands=',', na_values=['-']`)."""
    rng = np.random.default_rng(7)
    values = [int(v) for v in rng.integers(1000, 10**6, 40)]

    def write(cells, name, first="x"):
        path = tmp_path / name
        path.write_text(f"{first},y\n" + "".join(f"{c},{'ab'[i % 2]}\n"
                                                 for i, c in enumerate(cells)))
        return path

    cells = [f'"{v:,}"' for v in values]
    cells[5] = cells[9] = "-"
    marked = write(cells, "marked.csv")
    with pytest.raises(UserError, match=r"line 7, column 'x': '-' in a column of numbers") as e:
        typed(marked, "y")
    assert "pandas.read_csv(path, na_values=['-'])" in str(e.value)
    rewritten = tmp_path / "gaps.csv"
    pd.read_csv(marked, na_values=["-"]).to_csv(rewritten, index=False)
    specs, table, train, _ = typed(rewritten, "y")
    assert [s["type"] for s in specs] == ["numeric"]
    ours = features.raw_columns(table, specs)["x"]
    reference = pd.read_csv(marked, thousands=",", na_values=["-"])["x"].to_numpy(np.float32)
    np.testing.assert_array_equal(ours, reference)
    cells = [f'"{v:,}"' for v in values]
    cells[5] = "1O5"
    with pytest.raises(UserError, match=r"line 7, column 'x': '1O5' is not a number"):
        typed(write(cells, "typo.csv"), "y")
    cells = [f'"{v:,}"' for v in values]
    cells[3] = "-"
    path = tmp_path / "label.csv"
    path.write_text("x,y\n" + "".join(f"{i * 0.5},{c}\n" for i, c in enumerate(cells)))
    dc = data_config("csv", path, label_column="y")
    with pytest.raises(UserError, match=r"'-' at line 5"):
        sources._csv(dc, task("regression"), None)
