"""Tables as users have them: text categories, integer codes, gaps; several regression targets.

Each run trains a few epochs on a small file; the export is served in a process where
ktrain_kit cannot be imported, from rows read by Python's csv module.
"""

import csv
import io
import json
import math
import os
import re
import subprocess
import sys
import textwrap
import unicodedata

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import WITHOUT_TOOLKIT, load_config

SPECIES = ["Adelie", "Chinstrap", "Gentoo"]


def write_penguins(path, n=240, seed=0):
    """A table like palmerpenguins': a text class, text features, a year code, gaps."""
    rng = np.random.default_rng(seed)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["species", "island", "bill length (mm)", "sex", "year"])
        for _ in range(n):
            s = int(rng.integers(3))
            island = ["Torgersen", "Biscoe", "Dream"][(s + int(rng.integers(2))) % 3]
            bill = "NA" if rng.random() < 0.1 else f"{38 + 5 * s + rng.normal(0, 1.5):.1f}"
            sex = "" if rng.random() < 0.1 else ["male", "female"][int(rng.integers(2))]
            writer.writerow([SPECIES[s], island, bill, sex, 2007 + int(rng.integers(3))])
    return str(path)


def table_config(path, **extra):
    settings = dict(task__name="classification", data__name="csv", data__path=str(path),
                    data__label_column="species", train__epochs=4, train__verbose=0,
                    train__precision="float32", data__batch_size=32, schedule__base_lr=1e-2,
                    callbacks__doctor__enabled=False)
    return load_config("tabular_binary", **{**settings, **extra})


@pytest.fixture(scope="module")
def penguin_run(tmp_path_factory):
    from ktrain_kit.training import train
    root = tmp_path_factory.mktemp("penguins")
    path = write_penguins(root / "penguins.csv")
    workdir = str(root / "run")
    summary = train(table_config(path, train__epochs=30), workdir)
    return path, workdir, summary


def test_text_categories_and_gaps_train_without_preprocessing(penguin_run, capsys):
    from ktrain_kit import restore
    from sklearn.linear_model import LogisticRegression
    path, workdir, summary = penguin_run
    _, data, _ = restore.load_run(workdir)
    # bill length and island separate the species: as well as a logistic regression does
    reference = LogisticRegression(max_iter=2000).fit(data.x_train, data.y_train).score(
        data.x_val, data.y_val)
    assert summary["best_val_accuracy"] >= min(reference - 0.05, 0.85), (summary, reference)
    kinds = {s["name"]: s["type"] for s in data.preprocessing.specs}
    assert kinds == {"island": "categorical", "bill length (mm)": "numeric",
                     "sex": "categorical", "year": "categorical"}
    # what was imputed is said: the training split's own count of missing cells
    rows = list(csv.DictReader(open(path)))
    train_rows = data.preprocessing.rows["train"]
    missing = sum(rows[i]["bill length (mm)"] == "NA" for i in train_rows)
    assert f"bill length (mm) (numeric, {missing} missing -> mean" in data.preprocessing.describe()
    bills = [float(rows[i]["bill length (mm)"]) for i in train_rows
             if rows[i]["bill length (mm)"] != "NA"]
    assert data.preprocessing.means["bill length (mm)"] == pytest.approx(np.mean(bills), rel=1e-6)


SERVE = WITHOUT_TOOLKIT + textwrap.dedent("""
    import csv, math
    import tensorflow as tf
    export, table, wanted = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    signature = tf.saved_model.load(export).signatures["serving_default"]
    spec = signature.structured_input_signature[1]
    rows = list(csv.DictReader(open(table, newline="")))
    rows = [rows[i] for i in wanted]
    def cell(value, dtype):
        if dtype == tf.string:
            return value
        return float(value) if value not in ("", "NA") else math.nan
    names = {"bill length (mm)": "bill_length__mm_"}
    feed = {}
    for column in rows[0]:
        key = names.get(column, column)
        if key in spec:
            feed[key] = tf.constant([cell(r[column], spec[key].dtype) for r in rows],
                                    spec[key].dtype)
    out = signature(**feed)
    print(json.dumps({k: v.numpy().tolist() for k, v in out.items()}))
""")


def test_the_export_serves_raw_csv_rows_without_the_toolkit(penguin_run, tmp_path):
    from ktrain_kit import restore
    path, workdir, _ = penguin_run
    _, data, model = restore.load_run(workdir)
    wanted = [int(i) for i in data.preprocessing.rows["val"][:12]]
    expected = model.predict(data.x_val[:12], verbose=0)
    script = tmp_path / "serve.py"
    script.write_text(SERVE)
    result = subprocess.run([sys.executable, str(script), os.path.join(workdir, "export", "1"),
                             path, json.dumps(wanted)], capture_output=True, text=True,
                            timeout=180, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])
    logits = np.asarray(expected, np.float64)
    softmax = np.exp(logits - logits.max(1, keepdims=True))
    softmax /= softmax.sum(1, keepdims=True)
    np.testing.assert_allclose(served["probabilities"], softmax, rtol=1e-5, atol=1e-6)


def test_several_regression_targets_from_a_csv(tmp_path):
    """Linnerud (scikit-learn): three exercises predict Weight, Waist, Pulse. None of the
    targets is a feature, and metrics.csv holds each target's error beside the pooled one."""
    from sklearn.datasets import load_linnerud

    from ktrain_kit import restore
    from ktrain_kit.training import train
    bunch = load_linnerud()
    path = tmp_path / "linnerud.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(list(bunch.feature_names) + list(bunch.target_names))
        for _ in range(5):  # 100 rows: a few batches per epoch
            writer.writerows(np.c_[bunch.data, bunch.target].tolist())
    c = table_config(path, task__name="regression", data__label_column=-1,
                     data__label_columns=("Weight", "Waist", "Pulse"), data__batch_size=16,
                     callbacks__early_stopping__enabled=False, train__epochs=2)
    workdir = str(tmp_path / "run")
    train(c, workdir)
    _, data, model = restore.load_run(workdir)
    assert data.num_outputs == 3 and [s["name"] for s in data.preprocessing.specs] == \
        list(bunch.feature_names)
    rows = list(csv.DictReader(open(os.path.join(workdir, "metrics.csv"))))
    predictions = model.predict(data.x_val, verbose=0)
    for k, target in enumerate(bunch.target_names):
        rmse = math.sqrt(np.mean((predictions[:, k] - data.y_val[:, k]) ** 2))
        mae = np.mean(np.abs(predictions[:, k] - data.y_val[:, k]))
        assert float(rows[-1][f"val_rmse_{target}"]) == pytest.approx(rmse, rel=1e-4)
        assert float(rows[-1][f"val_mae_{target}"]) == pytest.approx(mae, rel=1e-4)
    pooled = math.sqrt(np.mean((predictions - data.y_val) ** 2))
    assert float(rows[-1]["val_rmse"]) == pytest.approx(pooled, rel=1e-4)


def test_a_small_file_is_never_capped_by_the_configs_generated_size(tmp_path):
    from ktrain_kit.data import load
    c = table_config(write_penguins(tmp_path / "p.csv", n=5000))
    assert c.data.synthetic_examples == 4096  # the config's size for generated data
    data = load(c.data, c.task, c.seed)
    assert data.train_size + data.val_size == 5000


def test_shards_of_a_table_train_and_serve_raw_columns(tmp_path):
    """make_tfrecords writes the encoded rows and the preprocessing beside them; a run trained
    from the shards exports a model that takes the raw columns, as a run from the file does."""
    import tensorflow as tf

    from ktrain_kit import restore
    from ktrain_kit.data import tfrecord
    from ktrain_kit.training import train
    path = write_penguins(tmp_path / "p.csv", n=160)
    c = table_config(path, train__epochs=2)
    features = tfrecord.convert(c.data, c.task, c.seed, str(tmp_path / "shards"), 2,
                                progress=False)
    assert features["preprocessing"]["inputs"]["bill length (mm)"] == "bill_length__mm_"
    c.data.name, c.data.path = "tfrecord", str(tmp_path / "shards")
    workdir = str(tmp_path / "run")
    train(c, workdir)
    _, data, model = restore.load_run(workdir)
    rows = list(csv.DictReader(open(path, newline="")))[:6]
    spec = tf.saved_model.load(os.path.join(workdir, "export", "1")).signatures[
        "serving_default"]
    columns = {"island": [r["island"] for r in rows], "sex": [r["sex"] for r in rows],
               "bill_length__mm_": [float(r["bill length (mm)"]) if r["bill length (mm)"] !=
                                    "NA" else math.nan for r in rows],
               "year": [float(r["year"]) for r in rows]}
    served = spec(**{k: tf.constant(v) for k, v in columns.items()})["probabilities"].numpy()
    from ktrain_kit.data import load
    c.data.name, c.data.path = "csv", path
    direct = load(c.data, c.task, c.seed)  # the same rows encoded by the file's preprocessing
    rows_x = direct.preprocessing.encode({
        "island": np.array(columns["island"], object), "sex": np.array(columns["sex"], object),
        "bill length (mm)": np.array(columns["bill_length__mm_"], np.float32),
        "year": np.array(columns["year"], np.float32)})
    expected = tf.nn.softmax(model(rows_x)).numpy()
    np.testing.assert_allclose(served, expected, rtol=1e-5, atol=1e-6)


def typed_as(text, overrides=None):
    """{column: type} of a table's feature columns, the last column being the label."""
    from ktrain_kit.data import features, table as table_lib
    table = table_lib.parse_table(text.encode(), "t.csv")
    columns = [j for j in range(table.width - 1) if j not in table.unused]  # as the source
    specs = features.column_specs(table, columns, range(len(table.rows)), overrides)
    return {s["name"]: s["type"] for s in specs}


@pytest.mark.parametrize("cells,fragment", [
    (['"1,5"', '"2,25"'], "a comma"),  # grouped thousands (`"1,234"`, `1 234`, `1'234`) are
    (["12%", "3.5"], "a percent sign"), (["$3.50", "12"], "a currency sign"),  # read as
    (['"3,50 €"', "4"], "a currency sign"),  # numbers: tests/test_table_users_bring4.py; a
    (["$3.50", "4 €"], "a currency sign"),  # column all one sign: test_table_users_bring9.py
    (['"1.234,56"', '"75,5"', "60"], "a comma"), (['"(1,234)"', "(500)", "300"], "parentheses"),
    (["\u22121.5", "2.5"], "U\\+2212"), (["1.234.567", "980"], "a '.' between groups")])
def test_numbers_in_formats_the_reader_does_not_parse_are_refused(cells, fragment):
    from ktrain_kit.errors import UserError
    text = "x,label\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(cells))
    with pytest.raises(UserError, match=f"line 2, column 'x'.*{fragment}.*data.features"):
        typed_as(text)
    assert typed_as(text, {"x": "categorical"}) == {"x": "categorical"}  # when told


def test_text_beside_such_cells_and_booleans_stay_categories():
    text = "a,b,c,label\n" + "".join(f"{a},{b},{c},{i % 2}\n" for i, (a, b, c) in enumerate(
        [("1,234", "TRUE", "2024"), ("about 5", "FALSE", "2025"), ("12%", "TRUE", "2024")]))
    assert typed_as(text.replace("1,234", '"1,234"')) == {
        "a": "categorical", "b": "categorical", "c": "categorical"}


def test_numbers_whose_square_overflows_float32_are_refused():
    from ktrain_kit.errors import UserError
    limit = float(np.sqrt(np.finfo(np.float32).max))
    ok = f"a,label\n{limit * 0.99:.6g},0\n1,1\n-0,0\n2.5e-7,1\n"
    assert typed_as(ok) == {"a": "numeric"}
    for big in ("1e308", f"{-limit * 1.01:.6g}"):
        with pytest.raises(UserError, match=re.escape(f"line 2, column 'a': '{big}' is beyond")):
            typed_as(ok.replace(f"{limit * 0.99:.6g}", big))


@pytest.mark.parametrize("marker", ["-", "unknown", "None", "--|n.a.", "below limit|-|absent"])
def test_text_among_numbers_is_refused_until_said_which(marker):
    """Markers hold no digit; one or several kinds in a column of numbers: said which."""
    from ktrain_kit.errors import UserError
    kinds = marker.split("|")
    cells = [kinds[i // 5 % len(kinds)] if i % 5 == 3 else i * 1.5 for i in range(20)]
    text = "x,label\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(cells))
    with pytest.raises(UserError, match=f"line 5, column 'x': '{kinds[0]}' in a column of "
                       "numbers"):
        typed_as(text)
    assert typed_as(text, {"x": "categorical"}) == {"x": "categorical"}
    for kind in kinds:
        text = text.replace(f"\n{kind},", "\nNA,")
    assert typed_as(text) == {"x": "numeric"}


def test_dates_that_repeat_are_period_codes(tmp_path):
    """vega cars' `Year` (1970-01-01 ... 1982-01-01 over 406 rows): categories new rows share."""
    from ktrain_kit import data as data_lib
    path = tmp_path / "cars.csv"
    path.write_text("year,weight,origin\n" + "".join(
        f"{1970 + i % 13}-01-01,{2000 + i},{('USA', 'Japan')[i % 2]}\n" for i in range(60)))
    c = table_config(path, data__label_column="origin")
    data = data_lib.load(c.data, c.task, 0)
    assert [(s["name"], s["type"]) for s in data.preprocessing.specs] == [
        ("year", "categorical"), ("weight", "numeric")]
    assert not any("year" in n for n in data.notes)


def test_numbers_among_many_text_values_are_codes():
    """Titanic's tickets: numbers and many distinct texts are categories, not a marker."""
    tickets = ["113803", "PC 17599", "A/5 21171", "373450", "STON/O2. 3101282", "17463"] * 4
    text = "ticket,label\n" + "".join(f"{t},{i % 2}\n" for i, t in enumerate(tickets))
    assert typed_as(text) == {"ticket": "categorical"}


@pytest.mark.parametrize("day", ["2012/01/{:02d}", "2024-01-{:02d}T12:05:00Z", "{}/1/2024",
                                 "2024-01-{:02d} 12:05"])
def test_a_column_of_distinct_dates_is_left_out_and_said_unless_typed(tmp_path, day):
    """seattle-weather's `date`, a day per row: every later date is out-of-vocabulary."""
    from ktrain_kit import data as data_lib
    dates = [day.format(1 + i % 28) if i != 7 else "" for i in range(40)]  # 28 of 39 distinct
    path = tmp_path / "weather.csv"
    path.write_text("date,precipitation,weather\n" + "".join(
        f"{d},{i * 0.5},{'rain' if i % 3 else 'sun'}\n" for i, d in enumerate(dates)))
    c = table_config(path, data__label_column="weather")
    data = data_lib.load(c.data, c.task, 0)
    assert [s["name"] for s in data.preprocessing.specs] == ["precipitation"]
    assert any(f"column 'date' not used: it holds dates ('{dates[0]}')" in n for n in data.notes)
    c.data.features = {"date": "categorical"}
    typed = data_lib.load(c.data, c.task, 0)
    assert [(s["name"], s["type"]) for s in typed.preprocessing.specs] == [
        ("date", "categorical"), ("precipitation", "numeric")]
    assert not any("date" in n for n in typed.notes)


def test_spreadsheet_error_values_are_missing_cells():
    from ktrain_kit.data import features, table as table_lib
    cells = ["1.5", "#N/A", "2.5", "#DIV/0!", "4", "#value!"]
    table = table_lib.parse_table(("x,label\n" + "".join(
        f"{c},{i % 2}\n" for i, c in enumerate(cells))).encode(), "t.csv")
    specs = features.column_specs(table, [0], range(len(cells)), None)
    assert [(s["type"], s["missing"]) for s in specs] == [("numeric", 3)]
    np.testing.assert_array_equal(features.raw_columns(table, specs)["x"],
                                  np.array([1.5, np.nan, 2.5, np.nan, 4, np.nan], np.float32))


def test_typing_a_left_out_column_says_why_it_is_left_out():
    from ktrain_kit.errors import UserError
    text = "Unnamed: 0,a,label\n" + "".join(f"{i},{i * 1.5},{i % 2}\n" for i in range(6))
    with pytest.raises(UserError, match="'Unnamed: 0' is left out: no name and the row numbers"):
        typed_as(text, {"Unnamed: 0": "numeric"})


def test_a_slash_in_a_column_name_is_read_and_served_by_its_safe_name(tmp_path):
    """scikit-learn's wine table has a column `od280/od315_of_diluted_wines`: Keras refuses
    '/' in the name of the input the FeatureSpace makes for it (a traceback before)."""
    from ktrain_kit import data as data_lib
    path = tmp_path / "wine.csv"
    values = [1.5 + (i * 7 % 11) * 0.25 for i in range(40)]
    path.write_text("od280/od315,type/kind,species\n" + "".join(
        f"{v},{'ab'[i % 3 == 0]},{SPECIES[i % 3]}\n" for i, v in enumerate(values)))
    c = table_config(path)
    data = data_lib.load(c.data, c.task, 0)
    prep = data.preprocessing
    assert prep.input_names() == {"od280/od315": "od280_od315", "type/kind": "type_kind"}
    train = np.array(values)[prep.rows["train"]]
    expected = (train - train.mean()) / train.std()
    np.testing.assert_allclose(data.x_train[:, 0], expected, rtol=1e-4, atol=1e-5)
    kinds = np.array(["ab"[i % 3 == 0] for i in range(40)])[prep.rows["train"]]
    onehot = data.x_train[:, 1:]
    assert onehot.shape[1] == 3 and np.all(onehot.sum(axis=1) == 1)  # a, b, out-of-vocabulary
    assert len({tuple(r) for r in onehot[kinds == "a"]}) == 1 != len({tuple(r) for r in onehot})


def test_an_r_export_trains_without_its_row_names(tmp_path):
    """R's write.csv (row.names=TRUE, the default) writes the row names under `""`; left out,
    and the run says so, instead of refusing a column without a name."""
    from ktrain_kit import data as data_lib
    path = tmp_path / "r.csv"
    path.write_text('"","island","bill","species"\n' + "".join(
        f'"{i + 1}","{("Dream", "Biscoe")[i % 2]}",{38 + 5 * (i % 3)},"{SPECIES[i % 3]}"\n'
        for i in range(30)))
    c = table_config(path)
    data = data_lib.load(c.data, c.task, 0)
    assert [s["name"] for s in data.preprocessing.specs] == ["island", "bill"]
    assert "column 1 not used: no name and the row numbers 1, 2, 3, ... (R's write.csv)" in \
        data.notes


def test_columns_named_like_python_keywords_are_exported_and_served(tmp_path):
    """ggplot2's mpg and R's Titanic have a column `class`: a signature's inputs are keyword
    arguments, and TensorFlow refused `class` as one (a traceback at export, after training);
    Ecdat's Hdma a column `self`, which TensorFlow's own `self` parameter took (the same)."""
    import keyword
    import tensorflow as tf
    from ktrain_kit import restore
    from ktrain_kit.data.features import safe_name
    from ktrain_kit.training import train
    assert [safe_name(n) for n in ("class", "from", "None", "type", "1", "self", "Self")] == [
        "class_", "from_", "None_", "type", "c_1", "self_", "Self"]
    for name in keyword.kwlist + ["a b", "9", "é"]:
        assert safe_name(name).isidentifier() and not keyword.iskeyword(safe_name(name))
    # a header in another script: two names of one length were both 'c___' (refused)
    path = tmp_path / "mpg.csv"
    path.write_text("class,from,self,displ,价格,重量,species\n" + "".join(
        f"{('compact', 'suv')[i % 2]},{1999 + i % 2},{('no', 'yes')[i % 5 == 0]},"
        f"{1.8 + (i % 7) * 0.4:.1f},{i % 9},{(i * 7) % 13},{SPECIES[i % 3]}\n"
        for i in range(60)), encoding="utf-8")
    workdir = str(tmp_path / "run")
    train(table_config(path, train__epochs=2), workdir)
    _, data, model = restore.load_run(workdir)
    serve = tf.saved_model.load(os.path.join(workdir, "export", "1")).signatures[
        "serving_default"]
    assert set(serve.structured_input_signature[1]) == {
        "class_", "from_", "self_", "displ", "u4ef7u683c", "u91cdu91cf"}
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    wanted = [int(i) for i in data.preprocessing.rows["val"]]
    served = serve(class_=tf.constant([rows[i]["class"] for i in wanted]),
                   from_=tf.constant([float(rows[i]["from"]) for i in wanted]),
                   self_=tf.constant([rows[i]["self"] for i in wanted]),
                   displ=tf.constant([float(rows[i]["displ"]) for i in wanted]),
                   u4ef7u683c=tf.constant([float(rows[i]["价格"]) for i in wanted]),
                   u91cdu91cf=tf.constant([float(rows[i]["重量"]) for i in wanted]))
    np.testing.assert_allclose(served["probabilities"].numpy(),
                               tf.nn.softmax(model(data.x_val)).numpy(), rtol=1e-5, atol=1e-6)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=12))
def test_every_column_name_becomes_an_ascii_identifier_letters_kept_apart(name):
    """Any header cell: an ASCII identifier (TensorFlow's tensor names are ASCII), not a
    keyword; two names that differ in a letter no accent folds to ASCII stay two inputs."""
    import keyword
    from ktrain_kit.data.features import safe_name
    out = safe_name(name)
    assert out.isascii() and out.isidentifier() and not keyword.iskeyword(out)
    letters = [c for c in name if c.isalnum() and not c.isascii() and
               not any(d.isascii() for d in unicodedata.normalize("NFKD", c))]
    if letters:  # the same name with one such letter changed to another such letter
        other = name.replace(letters[0], "\u4e00" if letters[0] != "\u4e00" else "\u4e8c", 1)
        assert safe_name(other) != out


def test_a_table_smaller_than_one_batch_trains_on_all_its_rows(tmp_path, capsys):
    """R's mtcars has 32 rows, many public tables fewer than the configs' batch of 64. Keras'
    fit trains such data as one batch of everything; so does a run, and says so (it used to be
    refused), and a second command on the folder sees the same config (finished, not changed)."""
    from ktrain_kit.errors import UserError
    from ktrain_kit.training import train
    path, workdir = write_penguins(tmp_path / "small.csv", n=40), tmp_path / "run"
    train(table_config(path, data__batch_size=64, train__epochs=2), str(workdir))
    assert "data.batch_size=64 gives 1 update an epoch on the 32 training rows: training on " \
        "batches of 16" in capsys.readouterr().out  # config.SMALLEST_TABLE_BATCH
    assert json.loads((workdir / "config.json").read_text())["data"]["batch_size"] == 16
    with open(workdir / "metrics.csv") as f:
        assert [int(r["epoch"]) for r in csv.DictReader(f)] == [1, 2]
    with pytest.raises(UserError, match="holds a finished run"):
        train(table_config(path, data__batch_size=64, train__epochs=2), str(workdir))


def test_a_small_table_is_cut_to_whole_batches_for_the_replicas(tmp_path, capsys):
    """33 training rows under MirroredStrategy's two replicas: batches of 32 (a multiple of 2).
    Cut first for one replica (33), the batch was then refused as not divisible by two."""
    from ktrain_kit.training import train
    path, workdir = write_penguins(tmp_path / "small.csv", n=41), tmp_path / "run"
    train(table_config(path, data__batch_size=64, train__epochs=2, train__strategy="mirrored"),
          str(workdir))
    assert "on the 33 training rows: training on batches of 16" in capsys.readouterr().out
    assert json.loads((workdir / "config.json").read_text())["data"]["batch_size"] == 16


def test_the_lr_range_test_runs_on_a_table_smaller_than_one_batch(tmp_path):
    """It divided by the steps per epoch, 0 for such a table (a ZeroDivisionError)."""
    from ktrain_kit.lr_find import lr_range_test
    config = table_config(write_penguins(tmp_path / "small.csv", n=40), data__batch_size=64)
    result = lr_range_test(config, str(tmp_path / "find"), steps=6, min_lr=1e-4, max_lr=1.0)
    assert 1e-4 <= result["suggested_lr"] <= 1.0


def csv_source(path, **overrides):
    from conftest import data_config, task
    from ktrain_kit.data import sources
    return sources._csv(data_config("csv", path, **overrides), task(), None)


def test_a_column_of_the_row_numbers_is_left_out_and_said_unless_typed(tmp_path):
    """An `id` of 1, 2, 3, ... in a file sorted by class carries the file's order: left out."""
    path = tmp_path / "sorted.csv"
    rows = [(i + 1, 30 + (i * 7) % 11, ("Adelie", "Gentoo")[i >= 20]) for i in range(40)]
    path.write_text("id,size,species\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    raw = csv_source(path, label_column="species")
    assert [raw.table["table"].names[j] for j in raw.table["features"]] == ["size"]
    assert any("'id' not used: it holds the row numbers (1, 2, ...)" in n for n in raw.notes)
    raw = csv_source(path, label_column="species", features={"id": "numeric"})
    assert [raw.table["table"].names[j] for j in raw.table["features"]] == ["id", "size"]
    shuffled = tmp_path / "shuffled.csv"  # ids out of order are not the file's order, but
    shuffled.write_text("key,size,species\n" + "".join(  # an `id` is an id (round h79)
        f"{a},{b},{c}\n" for a, b, c in sorted(rows, key=lambda r: r[1])))
    assert len(csv_source(shuffled, label_column="species").table["features"]) == 2


def test_a_table_whose_only_feature_is_left_out_says_which_and_why(tmp_path):
    from ktrain_kit.errors import UserError
    path = tmp_path / "temps.csv"
    path.write_text("date,temp\n" + "".join(f"2010-01-{d:02d},{d % 7}\n" for d in range(1, 29)))
    with pytest.raises(UserError, match="no feature column but 'date', which holds dates"):
        csv_source(path, label_column="temp")


SPELLED = st.floats(-1e6, 1e6, allow_nan=False).flatmap(lambda v: st.sampled_from(
    [repr(v), f"{v:.3e}", f"{v:+.4f}", f"{v:g}", f" {v:.2f} ", f"{v:.6E}"]))
GAPS = st.sampled_from(["", "NA", "nan", "N/A", "null", "?", "#N/A", " "])
FORMATTED = st.sampled_from(["1,234", "1 234", "12%", "$3.50", "(500)", "\u22122", "1.234,5"])


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(cells=st.lists(st.one_of(SPELLED, SPELLED, SPELLED, GAPS), min_size=3, max_size=25),
       formatted=st.one_of(st.none(), FORMATTED), quote=st.booleans())
def test_a_column_of_numbers_is_read_as_pythons_float_of_each_cell(cells, formatted, quote):
    """Numbers in any plain spelling, among gaps: the number input is float(cell) (in float32,
    or float64 where float32 would round the offset away), NaN for a gap; one number in a format the reader does not parse refuses the column, naming it."""
    from ktrain_kit.data import features, table as table_lib
    from ktrain_kit.errors import UserError
    present = [c for c in cells if c.strip() not in ("", "NA", "nan", "N/A", "null", "?", "#N/A")]
    grouped = {"1,234": "1234", "1 234": "1234"}  # read as numbers since round h79 (bring4)
    if formatted is not None:
        cells = cells + [formatted]
    if formatted in grouped:
        present, formatted = present + [formatted], None
    out = io.StringIO(newline="")
    csv.writer(out, quoting=csv.QUOTE_ALL if quote else csv.QUOTE_MINIMAL).writerows(
        [["x", "label"]] + [[c, str(i % 2)] for i, c in enumerate(cells)])
    table = table_lib.parse_table(out.getvalue().encode(), "t.csv")
    try:
        specs = features.column_specs(table, [0], range(len(cells)), None)
    except UserError as e:
        assert "\n" not in str(e) and "column 'x'" in str(e)
        assert formatted is not None or not present, str(e)  # refused only for a reason
        return
    assert formatted is None or not present  # (a lone formatted cell among gaps is text)
    if not present:
        return  # a column of gaps only: nothing to compare
    dtype = specs[0]["dtype"]  # float64 for a column whose offset float32 rounds away
    assert dtype in ("float32", "float64")
    expected = np.array([float(grouped.get(c, c)) if c in present else np.nan for c in cells],
                        dtype)
    np.testing.assert_array_equal(features.raw_columns(table, specs)["x"], expected)


@pytest.mark.parametrize("cells,typed", [
    ([f"{3000 + 37 * i} g" for i in range(12)], "refused"), (["2.0L", "1.6L", "3.5L"], "refused"),
    (["12 km/h", "3.5 km/h", "7 km/h"], "refused"), (["20°C", "21.5°C", "19°C"], "refused"),
    (["2WD", "4WD", "4WD", "2WD"], "categorical"), (["3 stars", "4 stars", "5 stars"], "categorical"),
    (["12 kg", "3 lb", "4 kg"], "categorical")])
def test_numbers_with_a_unit_are_refused_where_plain_ones_would_be_numeric(cells, typed):
    """The unit stripped, the typing rule of numbers decides: measurements (not whole, or many
    values) refused, naming the unit; a few whole codes (`4WD`) stay categories."""
    from ktrain_kit.errors import UserError
    text = "x,label\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(cells))
    if typed == "categorical":
        assert typed_as(text) == {"x": "categorical"}
        return
    with pytest.raises(UserError, match="line 2, column 'x': .* is a number with the unit"):
        typed_as(text)
    assert typed_as(text, {"x": "categorical"}) == {"x": "categorical"}
