"""Text a new user brings: an SMS-spam TSV written without quoting, tweets whose emoji carry
the sentiment, Chinese reviews (no spaces between words), reviews whose verdict comes after
word 256. Each was misread without a word (rows merged, emoji deleted, a clause as one word,
the verdict cut off); checked here against independent readings (a per-line split, Python's
csv module, unicodedata, scikit-learn on the same rows).
"""

import csv
import io
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import data_config, load_config, run_launcher, task
from reference import reference_words
from ktrain_kit.data import sources
from ktrain_kit.data import table as table_lib
from ktrain_kit.errors import UserError

HAM = ['Ok lar... Joking wif u oni...', 'Sorry, I\'ll call later', 'Yup leaving now, see u at '
       'the "usual place"', '"Hey babe, where r u?" she said', 'K. Did you call me just now ah?']
SPAM = ['WINNER!! You have been selected to receive a \u00a3900 prize! Call 09061701461',
        '"XXXMobileMovieClub: To use your credit, click the WAP link http://wap.xxx.com',
        'FREE entry in 2 a wkly comp to win FA Cup final tkts. Text FA to 87121']


def sms_lines(n=60):
    """SMSSpamCollection's layout: `label<TAB>text`, no header, written without quoting (its
    texts hold quotes that open and never close)."""
    rng = random.Random(n)
    return [f"{'spam' if i % 4 == 0 else 'ham'}\t{rng.choice(SPAM if i % 4 == 0 else HAM)} {i}"
            for i in range(n)]


# ------------------------------------------------------------------ quoting
def test_an_unquoted_tsv_with_quotes_in_its_texts_is_refused_naming_data_quoting(tmp_path):
    """Read as quoted CSV, the cell opening with `"XXX...` ran on to the next quote lines
    later: 4 rows of 60 merged into others with no error (pandas' read_csv does the same)."""
    path = tmp_path / "SMSSpamCollection"
    path.write_text("\n".join(sms_lines()) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"line \d+.*quote.*--config.data.quoting=none"):
        table_lib.read_table(str(path), False, delimiter="tab")
    table = table_lib.read_table(str(path), False, delimiter="tab", quoting="none")
    assert table.rows == [line.split("\t") for line in sms_lines()]


def test_the_launcher_says_it_in_one_line_with_exit_2(tmp_path):
    path = tmp_path / "sms.tsv"
    path.write_text("label\ttext\n" + "\n".join(sms_lines()) + "\n", encoding="utf-8")
    result = run_launcher("launchers.train", "--config=configs/text_bag.py",
                          "--config.data.name=csv", f"--config.data.path={path}",
                          "--config.data.label_column=label", "--config.data.text_column=text",
                          f"--workdir={tmp_path / 'run'}")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr[-2000:]
    assert "data.quoting=none" in errors[0] and "sms.tsv" in errors[0]


cell_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) |
                    st.sampled_from('"\n,\t \r'), max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell_text, min_size=3, max_size=3), min_size=1, max_size=8))
def test_files_written_by_pythons_csv_writer_still_read_as_csv_reader_reads_them(rows):
    """The strict quote rule refuses no CSV a writer quotes properly (quotes, line breaks,
    delimiters and spaces inside cells): the cells are Python's csv.reader's, stripped."""
    rows = [[c.strip() or "x" for c in row] for row in rows]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([["a", "b", "c"]] + rows)
    table = table_lib.parse_table(out.getvalue().encode(), "t.csv", True)
    expected = [[c.strip() for c in row] for row in csv.reader(io.StringIO(out.getvalue()))][1:]
    assert table.rows == [row for row in expected if any(row)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc",
                                                                                  "Zl", "Zp")) |
                                 st.just('"'), min_size=1, max_size=20)
                         .filter(lambda c: c.strip() and "\t" not in c), min_size=2, max_size=2),
                min_size=1, max_size=8))
def test_with_quoting_none_every_line_is_a_row_split_at_tabs(rows):
    """quoting=none: pandas' QUOTE_NONE reading, each line `str.split` at the tabs."""
    text = "x\ty\n" + "".join("\t".join(row) + "\n" for row in rows)
    table = table_lib.parse_table(text.encode(), "t.tsv", True, quoting="none")
    assert table.rows == [[c.strip() for c in line.split("\t")]
                          for line in text.splitlines()[1:]]


@pytest.mark.parametrize("data,name,delimiter", [
    (b'a,b\n"x, y" ,1\n"z",2\n', "t.csv", "auto"),
    (b'a,b\n"x, y"\t ,1\n"z",2\n', "t.csv", "auto"),
    (b'a\tb\n"x, y" \t1\n"z"\t2\n', "t.tsv", "auto"),
    (b'a b\n"x, y"   1\n"z" 2\n', "t.txt", "space")])
def test_spaces_after_a_closing_quote_are_still_csv(data, name, delimiter):
    """Writers that pad columns put spaces (or tabs) between a closing quote and the
    delimiter: the quote still closes the cell, as the csv module reads it."""
    table = table_lib.parse_table(data, name, delimiter=delimiter)
    assert table.rows == [["x, y", "1"], ["z", "2"]]


def test_an_unknown_quoting_is_refused_naming_the_key():
    from ktrain_kit.config import validate
    config = load_config("text_bag", data__name="csv", data__path="x.csv", data__quoting="None")
    with pytest.raises(UserError, match="data.quoting.*csv or none"):
        validate(config)


# ------------------------------------------------------------------ words
TWEETS = ["@united delay again 😡😡 https://t.co/xYz19", "@JetBlue crew was great ❤️👍 #travel",
          "这个酒店非常好，服务很周到", "とても良いホテルでした。コーヒー最高",
          "Très bon séjour, personnel agréable", "الفندق رائع والخدمة ممتازة",
          "family 👨‍👩‍👧 trip, £900 a+b=c 3.5°C ©2024", "ร้านนี้แย่ ไม่ชอบเลย อาหารอร่อยมาก",
          "ສະບາຍດີ", "ខ្ញុំស្រឡាញ់", "မင်္ဂလာပါ"]


def test_emoji_and_characters_of_scripts_without_spaces_are_words_of_their_own():
    from ktrain_kit.data.text import standardize_text
    got = [t.decode().split() for t in standardize_text(np.array(TWEETS, object)).numpy()]
    assert got == [reference_words(t) for t in TWEETS]
    assert "😡" in got[0] and "❤" in got[1] and "店" in got[2]


# ------------------------------------------------------------------ realistic files, trained
POS, NEG = "brilliant superb moving loved gripping".split(), "awful boring dull waste mess".split()
FILL = ("the film plot story acting scene character script time watch end music camera role "
        "cast years life people world after before").split()
ZP, ZN = "好棒净便满荐适热周划", "差脏吵贵失难旧慢冷糟"
ZF = "酒店房间服务早餐前台位置我们这次入住感觉非常还是比较的了很"
THAI_POS, THAI_NEG = ["อร่อย", "ดีมาก", "ชอบ", "สะอาด"], ["แย่", "สกปรก", "ช้า", "แพง"]
THAI_FILL = ["ร้าน", "อาหาร", "บริการ", "ราคา", "พนักงาน", "วันนี้", "เมนู", "ก๋วยเตี๋ยว"]


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header] + rows)
    return str(path)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Three labelled text CSVs whose signal a word-splitting, cutting reader lost."""
    rng, root = random.Random(7), tmp_path_factory.mktemp("brought")
    long_rows = []
    for i in range(160):  # a plot of 300 neutral words, then the verdict
        good = i % 2 == 0
        plot = " ".join(rng.choice(FILL) for _ in range(300))
        verdict = " ".join(rng.choice(FILL + (POS if good else NEG) * 2) for _ in range(20))
        long_rows.append([f"{plot}. Verdict: {verdict}", "pos" if good else "neg"])
    zh_rows = []
    for i in range(200):  # Chinese hotel reviews: no spaces between words
        good = i % 2 == 0
        chars = [rng.choice(ZF) for _ in range(10)] + [rng.choice(ZP if good else ZN)
                                                       for _ in range(2)]
        rng.shuffle(chars)
        zh_rows.append(["".join(chars) + "。", "正面" if good else "负面"])
    tweet_rows = []
    for i in range(240):  # the airline tweets' sentiment is in their emoji
        mood = ("positive", "negative", "neutral")[i % 3]
        emoji = {"positive": "😍👍🎉", "negative": "😡👎💔", "neutral": " "}[mood]
        words = " ".join(rng.choice(FILL) for _ in range(6))
        tweet_rows.append([f"@united {words} {rng.choice(emoji)}{rng.choice(emoji)}", mood])
    thai_rows = []
    for i in range(120):  # Thai restaurant reviews: no spaces between words either
        good = i % 2 == 0
        words = [rng.choice(THAI_FILL) for _ in range(5)] + [rng.choice(THAI_POS if good else
                                                                        THAI_NEG)]
        rng.shuffle(words)
        thai_rows.append(["".join(words), "positive" if good else "negative"])
    return {"thai": write_csv(root / "thai.csv", ["review", "rating"], thai_rows),
            "long": write_csv(root / "long.csv", ["text", "label"], long_rows),
            "zh": write_csv(root / "zh.csv", ["review", "label"], zh_rows),
            "tweets": write_csv(root / "tweets.csv", ["text", "airline_sentiment"], tweet_rows)}


COLUMNS = {"long": ("text", "label"), "zh": ("review", "label"), "thai": ("review", "rating"),
           "tweets": ("text", "airline_sentiment")}


def bag_config(path, text, label, **extra):
    return load_config("text_bag", data__name="csv", data__path=path, data__text_column=text,
                       data__label_column=label, train__epochs=8, train__verbose=0,
                       callbacks__doctor__enabled=False, **extra)


def sklearn_accuracy(config, data, analyzer):
    """TF-IDF + logistic regression on the run's own training and validation rows."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    rows = list(csv.reader(open(config.data.path, encoding="utf-8")))[1:]
    texts = [r[0] for r in rows]
    train, val = data.preprocessing.rows["train"], data.preprocessing.rows["val"]
    vectorizer = TfidfVectorizer(sublinear_tf=True, analyzer=analyzer)
    x_train = vectorizer.fit_transform([texts[i] for i in train])
    model = LogisticRegression(C=10, max_iter=5000).fit(x_train, data.y_train)
    return model.score(vectorizer.transform([texts[i] for i in val]), data.y_val)


def test_the_bag_reads_every_word_of_the_longest_training_text(files):
    """configs/text_bag.py's text_length=0: the longest training text's word count."""
    config = bag_config(files["long"], "text", "label")
    data = sources.load(config.data, config.task, config.seed)
    rows = list(csv.reader(open(files["long"], encoding="utf-8")))[1:]
    longest = max(len(reference_words(rows[i][0])) for i in data.preprocessing.rows["train"])
    assert data.input_shape == (longest,)
    assert np.count_nonzero(data.x_train, axis=1).max() == longest


def test_a_set_text_length_that_cuts_texts_is_said_with_how_many(files):
    config = bag_config(files["long"], "text", "label", data__text_length=256)
    data = sources.load(config.data, config.task, config.seed)
    rows = list(csv.reader(open(files["long"], encoding="utf-8")))[1:]
    counts = [len(reference_words(rows[i][0])) for i in data.preprocessing.rows["train"]]
    said = data.preprocessing.describe()
    assert f"{sum(c > 256 for c in counts)} of {len(counts)} training texts are longer" in said
    assert f"--config.data.text_length={max(counts)}" in said


@pytest.mark.parametrize("name", [pytest.param("long", marks=pytest.mark.slow), "zh", "tweets"])
def test_the_bag_reaches_tf_idf_logistic_regression_on_what_users_bring(files, name, tmp_path):
    """On the same rows, the shipped text config within 0.05 of scikit-learn's TF-IDF +
    logistic regression on the same words (reference_words); before: 0.53 / 0.45 / 0.38,
    chance, where the baseline read 1.0."""
    from ktrain_kit.training import train
    config = bag_config(files[name], *COLUMNS[name])
    data = sources.load(config.data, config.task, config.seed)
    baseline = sklearn_accuracy(config, data, reference_words)
    summary = train(config, str(tmp_path / "run"))
    assert baseline > 0.9 and summary["best_val_accuracy"] >= baseline - 0.05, (
        summary["best_val_accuracy"], baseline)


@pytest.mark.parametrize("name", ["zh", "thai", "tweets"])
def test_the_vocabulary_is_the_reference_words_of_the_training_texts(files, name):
    """Chinese and Thai characters, emoji: the vectorizer's vocabulary against the words
    `reference_words` (unicodedata) finds in the training rows, read by Python's csv module."""
    config = bag_config(files[name], *COLUMNS[name])
    data = sources.load(config.data, config.task, config.seed)
    rows = list(csv.reader(open(files[name], encoding="utf-8")))[1:]
    words = {w for i in data.preprocessing.rows["train"] for w in reference_words(rows[i][0])}
    assert set(data.preprocessing.layer.get_vocabulary()[2:]) == words


def test_a_transformer_is_not_given_the_whole_longest_text():
    from ktrain_kit.config import validate
    config = bag_config("x.csv", "text", "label", model__name="transformer")
    with pytest.raises(UserError, match="data.text_length.*--config.data.text_length=256"):
        validate(config)


# ------------------------------------------------------------------ layouts of public sets
def test_a_folder_of_documents_without_a_suffix_is_read(tmp_path):
    """20 Newsgroups' layout (`alt.atheism/49960`): refused before as holding "no .txt files".
    Documents of other suffixes are still left out and named."""
    expected = {}
    for group in ("alt.atheism", "sci.space"):
        (tmp_path / group).mkdir()
        for i in range(3):
            text = f"From: a{i}@cmu.edu\nSubject: {group} {i}\n\nbody of {group} {i}\n"
            (tmp_path / group / str(49960 + i)).write_text(text, encoding="utf-8")
            expected[text] = group
        (tmp_path / group / "index.html").write_text("<p>list</p>", encoding="utf-8")
    raw = sources.SOURCES["text_folder"](data_config("text_folder", tmp_path), task(), None)
    assert dict(zip(raw.x, raw.y)) == expected
    assert raw.notes and "left out 2 files" in raw.notes[0] and "index.html" in raw.notes[0]


def test_rows_without_text_are_texts_of_no_words_and_counted(tmp_path):
    """The Women's E-Commerce Clothing Reviews leave 845 of 23,486 reviews without text (a
    rating, no words): the whole file was refused. Counted against Python's csv module."""
    rows = [["Review Text", "Rating"]] + [
        [("" if i % 7 == 0 else "NA" if i % 11 == 0 else f"love this dress {i}"), str(i % 2)]
        for i in range(40)]
    path = write_csv(tmp_path / "reviews.csv", *[rows[0], rows[1:]])
    config = bag_config(path, "Review Text", "Rating")
    raw = sources.SOURCES["csv"](config.data, config.task, None)
    read = list(csv.reader(open(path, encoding="utf-8")))[1:]
    gaps = [r[0] in ("", "NA") for r in read]
    assert [t == "" for t in raw.x] == gaps
    assert any(f"{sum(gaps)} of {len(read)} rows have no text in 'Review Text'" in n
               for n in raw.notes), raw.notes


def test_a_tab_file_named_txt_whose_texts_hold_commas_is_told_its_delimiter(tmp_path):
    """UCI's sentiment-labelled sentences (`amazon_cells_labelled.txt`: `text<TAB>0`, no
    header): read with commas, rows of unequal widths, and the refusal named no setting."""
    lines = ["Good case, Excellent value.\t1", "Great for the jawbone.\t1",
             "Needless to say, I wasted my money.\t0", "The mic is great.\t1"] * 5
    path = tmp_path / "amazon_cells_labelled.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match="split at tabs: pass --config.data.delimiter=tab"):
        table_lib.read_table(str(path), False)
    table = table_lib.read_table(str(path), False, delimiter="tab")
    assert table.rows == [line.split("\t") for line in lines]


def test_a_quoted_semicolon_file_read_with_commas_is_told_its_delimiter_not_its_quotes(tmp_path):
    """UCI's bank-full.csv (`"age";"job";...`, `58;"management";...`): every line breaks the
    comma reading's quotes; the delimiter is what to fix, as before the quote rule."""
    path = tmp_path / "bank-full.csv"
    path.write_text('"age";"job";"y"\n58;"management";"no"\n44;"technician";"yes"\n'
                    '33;"entrepreneur";"no"\n', encoding="utf-8")
    with pytest.raises(UserError, match="semicolon-delimited.*--config.data.delimiter=';'"):
        table_lib.read_table(str(path))
    table = table_lib.read_table(str(path), delimiter=";", decimal=".")
    assert [table.names] + table.rows == [[c.strip('"') for c in line.split(";")]
                                          for line in path.read_text().splitlines()]


def test_a_tab_file_with_quotes_as_text_is_told_both_settings(tmp_path):
    lines = ["Good case, Excellent value.\t1", "Needless to say, I wasted my money.\t0",
             '"Great phone, works" well\t1'] * 4
    path = tmp_path / "amazon_cells_labelled.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match="--config.data.delimiter=tab --config.data.quoting=none"):
        table_lib.read_table(str(path), False)
    table = table_lib.read_table(str(path), False, delimiter="tab", quoting="none")
    assert table.rows == [line.split("\t") for line in lines]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.sampled_from('ab "\',.'), min_size=1, max_size=12)
                .filter(lambda c: c.strip() and not c.rstrip().endswith('"')),
                min_size=1, max_size=10))
def test_an_unquoted_tsv_is_read_line_by_line_or_refused_never_merged(texts):
    """Texts with stray quotes written without quoting (`label<TAB>text` per line), none
    ending in a quote: read as CSV, each line is its row, or the file is refused naming
    data.quoting; rows are never merged in silence (the per-line split is the reference)."""
    lines = [f"{i % 2}\t{t}" for i, t in enumerate(texts)]
    data = ("y\ttext\n" + "\n".join(lines) + "\n").encode()
    try:
        table = table_lib.parse_table(data, "t.tsv", True)
    except UserError as e:
        assert "--config.data.quoting=none" in str(e)
        return
    assert len(table.rows) == len(lines)
    assert [r[0] for r in table.rows] == [line.split("\t")[0] for line in lines]


def test_a_nested_json_key_is_left_out_not_the_whole_file(tmp_path):
    """Tweets as the Twitter API writes them: `user` and `entities` nested. The whole file was
    refused for them, its `text` and `label` with it; now those keys are left out (said), and
    refused only when named as a column to read. Cells against Python's json module."""
    import json
    tweets = [{"id": i, "text": f"flight {i} delayed 😡" if i % 2 else f"great crew {i} 😍",
               "user": {"screen_name": f"u{i}"}, "entities": {"hashtags": []},
               "label": "negative" if i % 2 else "positive"} for i in range(12)]
    path = tmp_path / "tweets.jsonl"
    path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tweets),
                    encoding="utf-8")
    table = table_lib.read_table(str(path))
    left_out = {table.names[j]: why for j, why in table.unused.items()}
    assert set(left_out) == {"user", "entities"} and "json_normalize" in left_out["user"]
    text, label = table.names.index("text"), table.names.index("label")
    assert [(r[text], r[label]) for r in table.rows] == [(t["text"], t["label"]) for t in tweets]
    with pytest.raises(UserError, match="'user' \\(data.text_column\\) holds nested JSON"):
        table_lib.resolve_column(table, "user", "data.text_column")
    config = bag_config(str(path), "text", "label")
    raw = sources.SOURCES["csv"](config.data, config.task, None)
    assert list(raw.x) == [t["text"] for t in tweets]
    assert raw.notes == ["columns not used (only the text column is): id, user, entities"]


def test_fasttext_lines_are_a_text_and_a_label_column(tmp_path):
    """Amazon polarity as distributed for fastText (`train.ft.txt`): read as CSV, its texts'
    commas split each line differently, refused with no fix. The reference: each line's
    `__label__` word and the rest, by str.split."""
    lines = ["__label__2 Great CD: My lovely Pat has one of the GREAT voices, I think.",
             "__label__1 Batteries died within a year ...: I bought this in Jul 2003, it failed.",
             "__label__2 works fine, but Maha Energy is better, \"really\""] * 4
    path = tmp_path / "train.ft.txt"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    table = table_lib.read_table(str(path))
    assert table.names == ["text", "label"]
    assert table.rows == [[line.split(" ", 1)[1], line.split(" ", 1)[0][len("__label__"):]]
                          for line in lines]
    config = bag_config(str(path), "text", -1)
    raw = sources.SOURCES["csv"](config.data, config.task, None)
    assert list(raw.y) == [row[1] for row in table.rows]


@pytest.mark.parametrize("text, refusal", [
    ("__label__a __label__b two classes\n", "line 1 has 2 labels"),
    ("__label__a fine\nno label here\n", "line 2 has no __label__ prefix")])
def test_fasttext_lines_that_are_not_one_example_are_refused_by_line(tmp_path, text, refusal):
    path = tmp_path / "ft.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=refusal):
        table_lib.read_table(str(path))


def test_a_nested_json_key_left_out_of_a_table_is_named_by_its_key(tmp_path):
    """A JSON Lines file has no column numbers: the note said "column 5 not used"."""
    import json
    rows = [{"a": i * 0.5, "meta": {"src": "x"}, "label": "yes" if i % 2 else "no"}
            for i in range(30)]
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    from conftest import data_config, task
    raw = sources.SOURCES["csv"](data_config("csv", path, label_column="label"),
                                 task("binary"), None)
    assert any(n.startswith("column 'meta' not used: holds nested JSON") for n in raw.notes), \
        raw.notes
