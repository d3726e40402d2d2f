"""Tables users bring (benchmarks/PUBLIC_TABLES.md, round h79): several free-text columns
(a review's title and body), identifiers written as numbers (a customer id), numbers with their
thousands grouped (`"1,234,567"` in a comma CSV, `1.234,5` / `1 234` in a European export).
Each class on a small generated table, checked against an independent reading (scikit-learn's
CountVectorizer and TF-IDF + logistic regression, pandas told the grouping, pandas' counts).
"""

import csv
import io
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import data_config, load_config, task
from ktrain_kit.data import features, sources, table as table_lib
from ktrain_kit.errors import UserError

POSITIVE = "great excellent love perfect sturdy comfortable fast reliable".split()
NEGATIVE = "broken terrible hate awful flimsy uncomfortable slow unreliable".split()
FILLER = "the it this was product item my and very with for after use days box price".split()


def reviews(path, n=240, seed=0):
    """A review table: the sentiment is in the title's and the body's words (each row's own
    text), beside a count and a category; the label column last."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        good = i % 2 == 0
        words = POSITIVE if good else NEGATIVE
        title = " ".join([*rng.choice(FILLER, 3), rng.choice(words)]).capitalize()
        body = " ".join([*rng.choice(FILLER, 12), *rng.choice(words, 2)]).capitalize() + "."
        rows.append([title, body, int(rng.integers(0, 500)), ["shoes", "toys"][i % 3 == 0],
                     "positive" if good else "negative"])
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([["title", "body", "votes", "category", "sentiment"], *rows])
    return str(path)


def encoded(path, label, overrides=None):
    """(specs, preprocessing, train rows, validation rows) as `sources.load` types and encodes
    the table's feature columns."""
    raw = sources._csv(data_config("csv", path, label_column=label), task(), None)
    rows = np.arange(len(raw.table["table"].rows))
    train, val = rows[len(rows) // 5:], rows[:len(rows) // 5]
    specs = features.column_specs(raw.table["table"], raw.table["features"], train, overrides)
    columns = features.raw_columns(raw.table["table"], specs)
    prep = features.TablePreprocessing(specs, {k: v[train] for k, v in columns.items()})
    return specs, prep, columns, train, val


def test_each_free_text_column_is_read_as_its_words(tmp_path):
    """Before: the body (a different text on every row) was left out as an id and the title
    pooled into one category (0.53 validation accuracy on a_reviews; TF-IDF + logistic 0.80).
    Now each is a TextVectorization's tf-idf of its own words: the vocabulary and the words of
    each row are scikit-learn's CountVectorizer's, each row of unit length, and a logistic
    regression on the encoded table scores as one on scikit-learn's TF-IDF of the same text."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.compose import ColumnTransformer
    path = reviews(tmp_path / "reviews.csv")
    specs, prep, columns, train, val = encoded(path, "sentiment")
    assert {s["name"]: s["type"] for s in specs} == {
        "title": "text", "body": "text", "votes": "numeric", "category": "categorical"}
    frame = pd.read_csv(path)
    for name in ("title", "body"):
        words = prep.space.preprocessors[name]
        counter = CountVectorizer().fit(frame[name].iloc[train])
        assert set(words.get_vocabulary()[1:]) == set(counter.vocabulary_)
        out = words(np.array(frame[name].iloc[val], dtype=object)[:, None]).numpy()
        vocabulary = words.get_vocabulary()
        present = counter.transform(frame[name].iloc[val]).toarray() > 0
        names = counter.get_feature_names_out()
        for row, flags in zip(out, present):
            assert {vocabulary[k] for k in np.flatnonzero(row)} == set(names[flags])
            assert np.linalg.norm(row) == pytest.approx(1.0, abs=1e-5)
    x = prep.encode(columns).numpy()
    y = frame["sentiment"].to_numpy()
    ours = LogisticRegression(max_iter=2000).fit(x[train], y[train]).score(x[val], y[val])
    reference = make_pipeline(ColumnTransformer([(n, TfidfVectorizer(), n) for n in (
        "title", "body")]), LogisticRegression(max_iter=2000)).fit(
        frame.iloc[train], y[train]).score(frame.iloc[val], y[val])
    assert ours >= reference - 0.05, (ours, reference)


def test_codes_names_links_and_answers_stay_as_they_were_read():
    """Not documents: ids (`N1A1`), two-word names, links (one word between spaces), hex
    codes are left out as ids; a few answers that recur (`strongly agree`) stay categories."""
    n = 80
    columns = {"code": [f"N{i}A{i % 7}" for i in range(n)],
               "name": [f"{['Ann', 'Bo', 'Cy', 'Di'][i % 4]} Lee{i}" for i in range(n)],
               "link": [f"https://example.com/page/{i}" for i in range(n)],
               "hex": [f"0x3f{i:06x}" for i in range(n)],
               "answer": [["strongly agree", "agree a little", "do not agree"][i % 3]
                          for i in range(n)],
               "label": [i % 2 for i in range(n)]}
    text = pd.DataFrame(columns).to_csv(index=False)
    table = table_lib.parse_table(text.encode(), "t.csv")
    assert features.identifier_columns(table, range(5), {}) == [0, 1, 2, 3]
    specs = features.column_specs(table, [4], range(n), {})
    assert [s["type"] for s in specs] == ["categorical"]


def test_a_table_with_text_columns_exports_raw_strings_that_serve_as_it_trained(tmp_path):
    """The export takes each text column as strings and gives the predictions the model
    gives the encoded rows."""
    import tensorflow as tf
    from ktrain_kit import restore
    from ktrain_kit.training import train
    path = reviews(tmp_path / "reviews.csv", n=160)
    workdir = str(tmp_path / "run")
    train(load_config("tabular_binary", task__name="binary", data__name="csv",
                      data__path=path, data__label_column="sentiment", train__epochs=2,
                      train__verbose=0, callbacks__doctor__enabled=False), workdir)
    _, data, model = restore.load_run(workdir)
    serve = tf.saved_model.load(os.path.join(workdir, "export", "1")).signatures[
        "serving_default"]
    spec = serve.structured_input_signature[1]
    assert spec["title"].dtype == tf.string and spec["body"].dtype == tf.string
    frame = pd.read_csv(path, dtype=str)
    rows = data.preprocessing.rows["val"][:10]
    feed = {k: tf.constant(frame[k].iloc[rows].to_numpy().astype(str)) if v.dtype == tf.string
            else tf.constant(frame[k].iloc[rows].astype(float).to_numpy(), tf.float32)
            for k, v in spec.items()}
    served = serve(**feed)["probability"].numpy().reshape(-1)
    expected = tf.sigmoid(model.predict(data.x_val[:10], verbose=0)).numpy().reshape(-1)
    np.testing.assert_allclose(served, expected, rtol=1e-5, atol=1e-6)


def customers(path, n=200, seed=0, digits=7):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "customer_id": rng.permutation(10 ** (digits - 1) + np.unique(rng.integers(
            0, 9 * 10 ** (digits - 1), 3 * n))[:n]),
        "StoreID": rng.integers(10 ** (digits - 1), 10 ** (digits - 1) + 12, n),
        "age": rng.integers(18, 80, n), "churn": rng.integers(0, 2, n)})
    frame.to_csv(path, index=False)
    return str(path), frame


def test_an_identifier_written_as_a_number_is_left_out_or_read_as_codes(tmp_path):
    """Before: `customer_id` (a different 7-digit number a row) and `StoreID` were normalized
    numbers, silently. Now the id of every row is left out and said; a recurring one is a
    category of the values pandas counts more than once in the training rows."""
    path, frame = customers(tmp_path / "customers.csv")
    raw = sources._csv(data_config("csv", path, label_column="churn"), task(), None)
    table = raw.table["table"]
    assert [table.names[j] for j in raw.table["features"]] == ["StoreID", "age"]
    assert any("'customer_id' not used: an identifier" in n for n in raw.notes)
    specs, prep, _, train, _ = encoded(path, "churn")
    assert {s["name"]: (s["type"], s["dtype"]) for s in specs} == {
        "StoreID": ("categorical", "string"), "age": ("numeric", "float32")}
    counts = frame["StoreID"].astype(str).iloc[train].value_counts()
    assert sorted(prep.kept["StoreID"]) == sorted(counts[counts > 1].index)
    notes = features.typing_notes(table, specs)
    assert notes and "'StoreID' read as categories" in notes[0]
    alone = tmp_path / "ids.csv"
    frame[["customer_id", "churn"]].to_csv(alone, index=False)
    with pytest.raises(UserError, match="no feature column but 'customer_id', which is an "
                       "identifier.*customer_id.: .numeric"):
        sources._csv(data_config("csv", alone, label_column="churn"), task(), None)


def test_ids_beyond_float32_stay_distinct_codes(tmp_path):
    """10-digit store ids differ past float32's 24 bits: as strings each keeps its slot."""
    path, frame = customers(tmp_path / "wide.csv", digits=10)
    assert len(set(frame["StoreID"].astype(np.float32))) < frame["StoreID"].nunique()
    specs, prep, _, train, _ = encoded(path, "churn")
    counts = frame["StoreID"].astype(str).iloc[train].value_counts()
    assert sorted(prep.kept["StoreID"]) == sorted(counts[counts > 1].index)


@pytest.mark.parametrize("name,is_id", [
    ("id", True), ("ID", True), ("Id", True), ("customer_id", True), ("user.id", True),
    ("test id", True), ("StoreID", True), ("PassengerId", True), ("row-id", True),
    ("paid", False), ("rancid", False), ("medicaid", False), ("Tuna.hid", False),
    ("idle", False), ("ideol", False), ("PAID", False), ("width", False)])
def test_a_column_named_as_an_identifier(name, is_id):
    assert features.numbered_ids(name, ["12", "40", "7"]) is is_id
    assert features.numbered_ids(name, ["12", "4.5", "7"]) is False  # measured, not an id


AMOUNTS = st.one_of(st.integers(-10**9, 10**9), st.floats(-1e9, 1e9, allow_nan=False).map(
    lambda v: round(v, 2)))


def written(value, grouping: str, decimal: str) -> str:
    """`value` as a spreadsheet's Number format writes it: thousands grouped, `decimal`."""
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", grouping)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(AMOUNTS, min_size=3, max_size=15), st.data())
def test_grouped_thousands_in_a_comma_file_are_read_as_pandas_reads_them(values, data):
    """`"1,234,567"` quoted in a comma CSV (and `1 234`, `1'234.5`): refused as text before,
    now the numbers pandas reads when told the grouping, and the run says so."""
    grouping = data.draw(st.sampled_from([",", " ", "\u00a0", "'"]))
    cells = [written(v, grouping, ".") if data.draw(st.booleans()) else str(v) for v in values]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["amount", "label"], *[
        [c, i % 2] for i, c in enumerate(cells)]])
    text = out.getvalue().encode()
    table = table_lib.parse_table(text, "t.csv")
    expected = pd.read_csv(io.BytesIO(text), thousands=grouping)["amount"]
    if expected.dtype == object:  # pandas reads only its own separator's cells (`'`: text)
        expected = expected.str.replace(grouping, "").astype(float)
    assert [float(c) for c in table.column(0)] == pytest.approx(list(expected.astype(float)))
    grouped = any(not table_lib.is_number(c) for c in cells)
    assert any(n.startswith("column 'amount': numbers with their thousands grouped")
               for n in table.notes) == grouped


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(AMOUNTS, min_size=3, max_size=15), st.data())
def test_a_european_exports_grouped_numbers_are_read_as_pandas_reads_them(values, data):
    """`1.234.567`, `1 234,5` beside decimal commas in a `;` file (Excel's CSV in a
    decimal-comma locale): refused before, now what pandas reads with `decimal=','` and the
    grouping, in every column."""
    grouping = data.draw(st.sampled_from([".", " ", "\u202f", "'"]))
    values.insert(data.draw(st.integers(0, len(values))), 1234567)  # a grouping beyond doubt
    cells = [written(v, grouping, ",") for v in values]
    rates = [f"{v / 7:.3f}".replace(".", ",") for v in range(len(values))]
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows([["Betrag", "Satz", "Klasse"], *[
        [c, r, i % 2] for i, (c, r) in enumerate(zip(cells, rates))]])
    text = out.getvalue().encode()
    table = table_lib.parse_table(text, "t.csv", delimiter=";")
    expected = pd.read_csv(io.BytesIO(text), sep=";", decimal=",", thousands=grouping)
    for j, name in enumerate(["Betrag", "Satz"]):
        column = expected[name]
        if column.dtype == object:  # a separator pandas keeps as text
            column = column.str.replace(grouping, "").str.replace(",", ".").astype(float)
        assert [float(c) for c in table.column(j)] == pytest.approx(list(column.astype(float)))


def test_a_comma_or_point_that_may_be_a_decimal_mark_is_still_refused():
    """A tab file of `1,234` alone (one group, no decimals, no number grouped beyond doubt):
    1.234 with a decimal comma, or 1234? Refused naming the cell, as before; so is `1.234`
    among decimal commas (a decimal point among them?); and a run of `290,291,292,...` (a
    list, great_tables' photolysis wavelengths) is not one number."""
    with pytest.raises(UserError, match="'1.234' has a decimal point"):
        table_lib.parse_table(("a;y\n" + "1.234;0\n2,5;1\n" * 10).encode(), "t.csv",
                              delimiter=";")
    text = "Wert\tKlasse\n" + "".join(f"{1 + i},{100 + i}\t{i % 2}\n" for i in range(6))
    table = table_lib.parse_table(text.encode(), "t.tsv")
    assert table.column(0)[0] == "1,100" and not table.notes
    with pytest.raises(UserError, match="line 2, column 'Wert'"):
        features.column_specs(table, [0], range(6), {})
    listed = "w,label\n" + "".join(f'"{",".join(str(290 + k + i) for k in range(8))}",{i % 2}\n'
                                   for i in range(6))
    assert not table_lib.parse_table(listed.encode(), "t.csv").notes


def test_a_semicolon_export_read_with_commas_names_the_setting_that_reads_it(tmp_path):
    """Read with commas, `1.170.364;47 757,45;1911,1` was cut at its decimal commas, and the
    refusal named `decimal=.` beside `delimiter=';'`: a wrong fix for a file of decimal
    commas. Now it names the delimiter alone, and that reads what pandas reads."""
    path = tmp_path / "towns.csv"
    rows = [[f"{1170364 + 9001 * i:,}".replace(",", "."), f"{47757.45 + i:,.2f}".replace(
        ",", " ").replace(".", ","), f"{1911.1 + i:.1f}".replace(".", ","), f"{263400 + i:,}"
        .replace(",", ".")] for i in range(12)]
    path.write_text("population;income;area;price\n" + "".join(";".join(r) + "\n" for r in rows))
    with pytest.raises(UserError) as refused:
        table_lib.read_table(str(path), "auto", ["price"])
    assert "--config.data.delimiter=';'" in str(refused.value)
    assert "decimal=." not in str(refused.value)
    table = table_lib.read_table(str(path), "auto", ["price"], delimiter=";")
    expected = pd.read_csv(path, sep=";", decimal=",", thousands=".")
    expected["income"] = expected["income"].str.replace(" ", "").str.replace(",", ".")
    for j, name in enumerate(table.names):
        assert [float(c) for c in table.column(j)] == pytest.approx(
            list(expected[name].astype(float)))
