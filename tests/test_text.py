"""Raw text: a folder of real documents (Python's own docstrings, grouped by the standard
library package they document; present wherever Python is), and a CSV's text column.

The vectorizer is adapted on the training split inside the run; the export answers raw strings
in a process where ktrain_kit cannot be imported.
"""

import codecs
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.text_docs import FAMILIES, write_folder
from ktrain_kit.data import table as table_lib
from conftest import WITHOUT_TOOLKIT, load_config
from reference import reference_words


@pytest.fixture(scope="module")
def docs_folder(tmp_path_factory):
    """Python's own docstrings, one folder per standard-library package (real documents)."""
    from pathlib import Path
    return Path(write_folder(str(tmp_path_factory.mktemp("docs") / "stdlib")))


def text_config(path, **extra):
    settings = dict(data__name="text_folder", data__path=str(path), model__name="bag",
                    model__width=32, model__depth=1, model__norm="layer", data__batch_size=32,
                    data__text_length=128, train__epochs=10, train__verbose=0,
                    train__precision="float32", schedule__base_lr=1e-2,
                    callbacks__doctor__enabled=False)
    return load_config("sequence_transformer", **{**settings, **extra})


@pytest.fixture(scope="module")
def docs_run(docs_folder, tmp_path_factory):
    from ktrain_kit.training import train
    workdir = str(tmp_path_factory.mktemp("docs_run") / "run")
    return workdir, train(text_config(docs_folder), workdir)


def test_real_documents_train_to_a_sensible_accuracy(docs_run, docs_folder):
    workdir, summary = docs_run
    counts = [len(os.listdir(docs_folder / f)) for f in FAMILIES]
    majority = max(counts) / sum(counts)
    assert summary["best_val_accuracy"] > max(0.75, majority + 0.3), (summary, majority)


SERVE = WITHOUT_TOOLKIT + textwrap.dedent("""
    import tensorflow as tf
    signature = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
    texts = json.load(open(sys.argv[2]))
    out = signature(text=tf.constant(texts))
    print(json.dumps({k: v.numpy().tolist() for k, v in out.items()}))
""")


def test_the_export_answers_raw_strings_without_the_toolkit(docs_run, tmp_path):
    from ktrain_kit import restore
    workdir, _ = docs_run
    _, data, model = restore.load_run(workdir)
    texts = ["Return the event loop of this coroutine's task.",
             "Parse the message headers and the MIME body of an email.", "", "!!!"]
    expected = model.predict(data.preprocessing.encode({"text": np.array(texts, object)}),
                             verbose=0)
    (tmp_path / "serve.py").write_text(SERVE)
    (tmp_path / "texts.json").write_text(json.dumps(texts))
    result = subprocess.run([sys.executable, str(tmp_path / "serve.py"),
                             os.path.join(workdir, "export", "1"), str(tmp_path / "texts.json")],
                            capture_output=True, text=True, timeout=180, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])
    logits = np.asarray(expected, np.float64)
    softmax = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(served["probabilities"], softmax / softmax.sum(1, keepdims=True),
                               rtol=1e-5, atol=1e-6)
    classes = data.labels["class_names"]
    assert classes[int(np.argmax(served["probabilities"][0]))] == "asyncio"
    assert classes[int(np.argmax(served["probabilities"][1]))] == "email"


def test_the_vocabulary_comes_from_the_training_split_only(docs_run):
    from ktrain_kit import restore
    workdir, _ = docs_run
    _, data, _ = restore.load_run(workdir)
    vocabulary = set(data.preprocessing.layer.get_vocabulary())
    assert data.vocab_size() == len(vocabulary)
    assert 2 < len(vocabulary) <= 20_000


def test_a_csv_text_column_trains_the_transformer(docs_folder, tmp_path, capsys):
    from ktrain_kit.training import train
    path = tmp_path / "docs.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "docstring", "package"])
        for family in ("asyncio", "email"):
            for i, name in enumerate(sorted(os.listdir(docs_folder / family))[:120]):
                writer.writerow([i, (docs_folder / family / name).read_text(), family])
    c = text_config(path, data__name="csv", data__text_column="docstring",
                    data__label_column="package", model__name="transformer", model__width=32,
                    model__num_heads=2, data__text_length=64, train__epochs=3,
                    schedule__base_lr=3e-3)
    summary = train(c, str(tmp_path / "run"))
    out = capsys.readouterr().out
    assert "columns not used (only the text column is): id" in out
    assert "words in the vocabulary" in out
    assert summary["best_val_accuracy"] > 0.6


DOCUMENTS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
                    min_size=1, max_size=60).filter(
    lambda t: t.strip() and not table_lib.is_missing(t.strip()))  # "NA": a missing text
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32"]


def encoded(text, encoding):
    """The bytes a tool writes: UTF-16/32 with their byte-order mark (the big-endian one too)."""
    if encoding == "utf-16-be":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(encoding)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(docs=st.lists(st.tuples(DOCUMENTS, st.sampled_from(["a", "b", "Rare one"]),
                               st.sampled_from(ENCODINGS), st.sampled_from(["\n", "\r\n", "\r"])),
                     min_size=3, max_size=8),
       long=st.booleans())
def test_documents_are_read_as_written_in_any_marked_encoding(docs, long):
    """Each document comes back as written, from a text folder (one file each, in its own
    encoding and line ends) and from a CSV's quoted text column (in the encoding of the first):
    cells of any length, emoji, line breaks and quotes inside, a class seen once."""
    from ktrain_kit.data import sources, text as text_lib
    from conftest import data_config, task
    texts = [d.replace("\n", end) for d, _, _, end in docs]
    if long:  # past the csv module's default field limit (128 KiB)
        texts[0] = " ".join(["lorem"] * 30_000)
    # two classes at least, one recurring (a label column of one class a row is free text,
    # refused by the CSV reader), and often one seen once
    labels = ["a", "b", "a"] + [label for _, label, _, _ in docs[3:]]
    with tempfile.TemporaryDirectory() as root:
        for i, (doc, label, encoding) in enumerate(zip(texts, labels, [d[2] for d in docs])):
            os.makedirs(os.path.join(root, "docs", label), exist_ok=True)
            with open(os.path.join(root, "docs", label, f"{i:03d}.txt"), "wb") as f:
                f.write(encoded(doc, encoding))
        read, ids, classes, _ = text_lib.folder_texts(os.path.join(root, "docs"))
        order = sorted(range(len(texts)), key=lambda i: (labels[i], i))  # class by class
        assert read == [texts[i] for i in order]
        assert [classes[k] for k in ids] == [labels[i] for i in order]
        out = io.StringIO(newline="")
        csv.writer(out).writerows([["text", "label"]] + [[t, lab] for t, lab in zip(texts, labels)])
        path = os.path.join(root, "docs.csv")
        with open(path, "wb") as f:
            f.write(encoded(out.getvalue(), docs[0][2]))
        raw = sources._csv(data_config("csv", path, text_column="text", label_column="label"),
                           task(), None)
        assert list(raw.x) == [t.strip() for t in texts] and list(raw.y) == labels


def test_a_long_document_costs_its_own_length_not_the_batch_times_it():
    """Strings reach TensorFlow at their own length (data/text.py `string_tensor`): numpy's
    fixed-width text would pad 300 cells to a 200,000-character one, 240 MB."""
    import tracemalloc
    from ktrain_kit.data import text as text_lib
    texts = [f"short text number {i} about topic {i % 7}" for i in range(299)]
    texts.append(" ".join(f"w{i % 5000}" for i in range(30_000)))  # 200,000 characters
    tracemalloc.start()
    try:
        prep = text_lib.TextPreprocessing(texts, 1000, 16, "t.csv")
        ids = prep.encode({"text": np.array(texts, dtype=object)}).numpy()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ids.shape == (300, 16) and peak < 48 * 2**20, peak / 2**20


def test_files_not_named_txt_in_a_text_folder_are_named_in_the_run(tmp_path):
    """A README.md or a .rst beside the .txt documents is not read; the run says which."""
    from conftest import data_config, task
    from ktrain_kit.data import sources
    for label in ("a", "b"):
        (tmp_path / label).mkdir()
        (tmp_path / label / "one.txt").write_text(f"a document of class {label}")
    (tmp_path / "a" / "README.md").write_text("# notes")
    (tmp_path / "b" / "guide.rst").write_text("Guide")
    (tmp_path / "b" / ".hidden").write_text("x")
    raw = sources._text_folder(data_config("text_folder", tmp_path), task(), None)
    assert len(raw.x) == 2 and raw.notes == [
        "left out 2 files not named .txt (README.md, guide.rst): rename the documents among "
        "them to .txt"]


def test_empty_documents_in_a_text_folder_are_texts_of_no_words_and_said(tmp_path):
    """One empty file stopped a folder of documents ('is empty; delete it'); a CSV's missing
    text was already a text of no words. A folder's empty document is one too, and the run
    names it; a folder of nothing but empty documents is still refused (no vocabulary)."""
    from conftest import data_config, task
    from ktrain_kit.data import sources
    from ktrain_kit.errors import UserError
    written = {}
    for label in ("a", "b"):
        (tmp_path / label).mkdir()
        for i in range(4):
            text = "" if (label, i) in (("a", 1), ("b", 3)) else f"words of {label} number {i}"
            if (label, i) == ("b", 3):
                text = " \n\t"  # white space only
            (tmp_path / label / f"{i}.txt").write_text(text)
            written[f"{label}/{i}.txt"] = text
    raw = sources._text_folder(data_config("text_folder", tmp_path), task(), None)
    assert len(raw.x) == 8 and sorted(raw.x.tolist()) == sorted(
        t if t.strip() else "" for t in written.values())
    assert raw.notes == [f"{tmp_path}: 2 of 8 documents are empty (a/1.txt, b/3.txt): read as "
                         "texts of no words"]
    for path in tmp_path.glob("*/*.txt"):
        path.write_text("")
    with pytest.raises(UserError, match="vocabulary of 0 words"):
        sources.load(data_config("text_folder", tmp_path), task(), 0)


CORPUS = ["The event loop runs the coroutine; the loop's tasks wait.",
          "Parse an e-mail message: headers, then the MIME body of the message.",
          "os.path.join joins paths; the event_loop module logs, logs and logs.",
          "Logging handlers write records to files, streams and sockets."]
UNSEEN = ["The loop parses zebra headers, zebra!", "nothing known here"]


def test_text_is_split_at_punctuation_and_symbols_not_glued():
    from ktrain_kit.data.text import standardize_text
    texts = CORPUS + ["Ärger «quoted» x+y=z don't os.path über—straße 3.14 a_b"]
    got = [t.decode().split() for t in standardize_text(np.array(texts, object)).numpy()]
    assert got == [reference_words(t) for t in texts]
    assert "ospath" not in got[2] and {"os", "path", "event_loop"} <= set(got[2])


def test_the_bags_tf_idf_rows_are_scikit_learns():
    """The bag's features (TfIdf on the vectorizer's ids, idf from the training texts) against
    scikit-learn's TfidfVectorizer(sublinear_tf) with the same words and vocabulary, on
    training texts and on texts with words training never saw (left out by both)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from ktrain_kit.data.text import TextPreprocessing
    from ktrain_kit.layers import TfIdf, smooth_idf
    prep = TextPreprocessing(CORPUS, max_tokens=1000, length=64, where="test")
    vocabulary = [str(w) for w in prep.layer.get_vocabulary()]
    train_ids = prep.encode({"text": np.array(CORPUS, object)}).numpy()
    layer = TfIdf(prep.vocab_size, smooth_idf(train_ids, prep.vocab_size))
    sklearn = TfidfVectorizer(sublinear_tf=True, analyzer=reference_words,
                              vocabulary=vocabulary[2:]).fit(CORPUS)
    for texts in (CORPUS, UNSEEN):
        ours = np.asarray(layer(prep.encode({"text": np.array(texts, object)})))
        assert ours.shape == (len(texts), len(vocabulary))
        np.testing.assert_array_equal(ours[:, :2], 0)  # padding, unknown words
        np.testing.assert_allclose(ours[:, 2:], sklearn.transform(texts).toarray(), atol=1e-6)
    assert np.asarray(layer(prep.encode({"text": np.array(UNSEEN[1:], object)}))).sum() == 0
