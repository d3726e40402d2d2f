"""Real text present on any Debian-like machine with Python, as text folders, trained by our
models and by TF-IDF + logistic regression on the same split.

    nice -n 10 python -m benchmarks.text_docs [--seeds=3] [--sets=docstrings,...] \
        [--models=bag,bag_depth2,transformer] [--extra=--config.model.depth=1] [--out=FILE]

Sets: `docstrings`: the standard library's docstrings of 80+ characters by the package they
document (asyncio, email, logging, xml: 668 texts); `docstrings7`: the same plus http,
importlib, unittest (996 texts); `licences`: the licence texts of /usr/share/doc/*/copyright
(machine-readable stanzas `License: <name>` with 80+ characters of text, deduplicated) by family
(GPL, LGPL, BSD, MIT/Expat, Apache; skipped if the machine has too few).

Our models train through `python -m launchers.train --config=<config>
--config.data.name=text_folder` with each model's config and arguments (MODELS); the baseline is
scikit-learn's TfidfVectorizer (sublinear tf, min_df 2) + LogisticRegression (C=10) fitted on
the training split our run uses (`sources.split_labels`, same seed) and scored on its validation
split. Prints each run, then one JSON line of every accuracy.
"""

import argparse
import ast
import glob
import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile

FAMILIES = ("asyncio", "email", "logging", "xml")
MORE_FAMILIES = ("http", "importlib", "unittest")
LICENCE_FAMILIES = (("LGPL", "LGPL"), ("GPL", "GPL"), ("BSD", "BSD"), ("MIT", "MIT"),
                    ("Expat", "MIT"), ("Apache", "Apache"))
MIN_PER_CLASS = 20
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def docstrings(family):
    """Docstrings of 80+ characters in a standard-library package, in file order."""
    root = os.path.join(sysconfig.get_paths()["stdlib"], family)
    out = []
    for folder, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                tree = ast.parse(open(os.path.join(folder, name), encoding="utf-8").read())
                for node in ast.walk(tree):
                    if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                         ast.AsyncFunctionDef)):
                        doc = ast.get_docstring(node)
                        if doc and len(doc) >= 80:
                            out.append(doc)
    return out


def licence_texts(pattern="/usr/share/doc/*/copyright"):
    """{family: [licence text]}: the stand-alone `License: <name>` stanzas of Debian's
    machine-readable copyright files (text lines indented by one space, ' .' = blank line),
    80+ characters, each distinct text once, families of MIN_PER_CLASS texts or more."""
    found = {}
    for path in sorted(glob.glob(pattern)):
        try:
            with open(path, encoding="utf-8") as f:
                content = f.read()
        except (OSError, UnicodeDecodeError):
            continue
        for stanza in re.split(r"\n\s*\n", content):
            first, *rest = stanza.split("\n")
            match = re.match(r"License:\s*(\S+)", first, re.I)
            body = "\n".join("" if line.strip() == "." else line[1:] if line.startswith(" ")
                             else line for line in rest).strip()
            family = match and next((f for prefix, f in LICENCE_FAMILIES
                                     if match.group(1).upper().startswith(prefix.upper())), None)
            if family and len(body) >= 80:
                found.setdefault(family, {})[body] = None
    return {k: list(v) for k, v in sorted(found.items()) if len(v) >= MIN_PER_CLASS}


def set_texts(name):
    """{class: [text]} of a benchmark set."""
    if name == "docstrings":
        return {f: docstrings(f) for f in FAMILIES}
    if name == "docstrings7":
        return {f: docstrings(f) for f in FAMILIES + MORE_FAMILIES}
    if name == "licences":
        return licence_texts()
    raise SystemExit(f"unknown set {name!r}: docstrings, docstrings7 or licences")


def write_folder(root, texts=None):
    """root/<class>/<n>.txt, one text per file (default: the `docstrings` set); returns root."""
    for family, docs in (texts or set_texts("docstrings")).items():
        os.makedirs(os.path.join(root, family), exist_ok=True)
        for i, doc in enumerate(docs):
            with open(os.path.join(root, family, f"{i:04d}.txt"), "w", encoding="utf-8") as f:
                f.write(doc)
    return root


SEQUENCE = "configs/sequence_transformer.py"
MODELS = {  # name: (config, launcher arguments)
    "bag": ("configs/text_bag.py", []),  # the text config as it ships
    "bag_depth2": (SEQUENCE, ["--config.model.name=bag"]),  # the README's command until 11-30
    "bag_depth1": (SEQUENCE, ["--config.model.name=bag", "--config.model.depth=1"]),
    "transformer": (SEQUENCE, ["--config.model.width=64", "--config.model.num_heads=4",
                               "--config.model.depth=2", "--config.data.text_length=128"])}


def tfidf_logistic(folder, seed):
    """Validation accuracy of TF-IDF + logistic regression on the split a run of `seed` uses."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from configs.sequence_transformer import get_config
    from ktrain_kit.data import text
    from ktrain_kit.data.sources import split_labels
    texts, labels, classes, _ = text.folder_texts(folder)
    config = get_config()
    train, val, y_train = split_labels(len(texts), np.array(labels), config.data, config.task,
                                       len(classes), seed)
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2)
    x_train = vectorizer.fit_transform([texts[i] for i in train])
    fitted = LogisticRegression(C=10, max_iter=5000).fit(x_train, y_train)
    return float(fitted.score(vectorizer.transform([texts[i] for i in val]),
                              np.array(labels)[val]))


def run_model(folder, seed, config, arguments, workdir, env):
    result = subprocess.run(
        [sys.executable, "-m", "launchers.train", f"--config={config}",
         "--config.data.name=text_folder", f"--config.data.path={folder}",
         f"--config.seed={seed}", "--config.train.verbose=0", *arguments,
         f"--workdir={workdir}"], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])
    with open(os.path.join(workdir, "summary.json")) as f:
        summary = json.load(f)
    return summary["best_val_accuracy"], summary["wall_time_s"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--sets", default="docstrings,docstrings7,licences")
    parser.add_argument("--models", default="bag,bag_depth2,transformer")
    parser.add_argument("--extra", action="append", default=[],
                        help="one more launcher argument for our models (repeatable)")
    parser.add_argument("--out", default="", help="also write the accuracies to this JSON file")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "2"}
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for set_name in args.sets.split(","):
            folder = write_folder(os.path.join(scratch, set_name), set_texts(set_name))
            for seed in range(args.seeds):
                accuracy = tfidf_logistic(folder, seed)
                results.setdefault(set_name, {}).setdefault("tfidf_logistic", []).append(accuracy)
                print(set_name, "tfidf_logistic", seed, round(accuracy, 4), flush=True)
                for name in args.models.split(","):
                    workdir = os.path.join(scratch, f"{set_name}-{name}-{seed}")
                    config, arguments = MODELS[name]
                    accuracy, wall = run_model(folder, seed, config, arguments + args.extra,
                                               workdir, env)
                    results[set_name].setdefault(name, []).append(accuracy)
                    print(set_name, name, seed, round(accuracy, 4), f"{wall:.1f}s", flush=True)
    print(json.dumps(results))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"command": " ".join(["python -m benchmarks.text_docs", *sys.argv[1:]]),
                       "metric": "best validation accuracy per seed 0, 1, 2", "sets": results},
                      f, indent=1)


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    main()
