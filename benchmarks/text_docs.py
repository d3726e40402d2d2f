"""Real documents present wherever Python is: the standard library's docstrings, grouped by the
package they document (asyncio, email, logging, xml: about 670 texts), as a text folder.

    nice -n 10 python -m benchmarks.text_docs [--seeds=3]

Trains `bag` and `transformer` through `python -m launchers.train` (configs/sequence_transformer.py,
data.name=text_folder) and prints the validation accuracy of each seed.
"""

import argparse
import ast
import json
import os
import subprocess
import sys
import sysconfig
import tempfile

FAMILIES = ("asyncio", "email", "logging", "xml")
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


def write_folder(root):
    """root/<family>/<n>.txt, one docstring per file; returns root."""
    for family in FAMILIES:
        os.makedirs(os.path.join(root, family), exist_ok=True)
        for i, doc in enumerate(docstrings(family)):
            with open(os.path.join(root, family, f"{i:04d}.txt"), "w", encoding="utf-8") as f:
                f.write(doc)
    return root


MODELS = {"bag": ["--config.model.name=bag", "--config.model.width=64",
                  "--config.model.depth=1", "--config.model.norm=layer"],
          "transformer": ["--config.model.width=64", "--config.model.num_heads=4",
                          "--config.model.depth=2", "--config.data.text_length=128"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "2"}
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_folder(os.path.join(scratch, "stdlib"))
        for name, extra in MODELS.items():
            for seed in range(args.seeds):
                workdir = os.path.join(scratch, f"{name}-{seed}")
                result = subprocess.run(
                    [sys.executable, "-m", "launchers.train",
                     "--config=configs/sequence_transformer.py", "--config.data.name=text_folder",
                     f"--config.data.path={folder}", f"--config.seed={seed}",
                     "--config.train.verbose=0", *extra, f"--workdir={workdir}"],
                    cwd=ROOT, env=env, capture_output=True, text=True)
                if result.returncode:
                    raise SystemExit(result.stderr[-2000:])
                summary = json.load(open(os.path.join(workdir, "summary.json")))
                results.setdefault(name, []).append(summary["best_val_accuracy"])
                print(name, seed, summary["best_val_accuracy"], summary["wall_time_s"], flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
