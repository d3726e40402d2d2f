"""The layering of DESIGN.md, checked: import-linter's contracts (pyproject.toml) and the
promise that a bad config is refused before TensorFlow's start-up."""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_import_contracts_hold():
    """No import circles, launchers on top, builders independent, entry points layered."""
    lint = os.path.join(os.path.dirname(sys.executable), "lint-imports")
    result = subprocess.run([lint if os.path.exists(lint) else "lint-imports", "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" not in result.stdout.split("Contracts:")[-1].lower().replace("0 broken", "")


def test_config_checks_import_neither_tensorflow_nor_keras():
    code = ("import sys, ktrain_kit.config, ktrain_kit.cli, ktrain_kit.errors; "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_frameworks_load_quickly_and_quietly():
    """ktrain_kit.frameworks: no garbage collection runs while TensorFlow and Keras load (each
    full one re-scans their growing heap), their objects are frozen out of later collections,
    the collector is on again afterwards, Keras' optional scikit-learn import waits until its
    wrappers are used, and TensorFlow's C++ start-up lines below
    TF_CPP_MIN_LOG_LEVEL=2 (which TensorFlow 2.21 prints regardless) are not shown."""
    code = ("import gc, sys; from ktrain_kit import frameworks; runs = []; "
            "gc.callbacks.append(lambda phase, info: "
            "runs.append(info['generation']) if phase == 'start' else None); "
            "frameworks.import_frameworks(); "
            "print(len(runs), gc.get_freeze_count(), gc.isenabled(), 'tensorflow' in sys.modules, "
            "'sklearn' in sys.modules); import keras, sklearn.base; "
            "print(issubclass(keras.wrappers.SKLearnClassifier, sklearn.base.BaseEstimator))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    collections, frozen, enabled, loaded, sklearn_loaded, wrapper_is_real = out.stdout.split()
    assert (collections, enabled, loaded) == ("0", "True", "True"), out.stdout + out.stderr
    # Keras' scikit-learn wrappers are loaded when asked for, not at start-up, and are real then
    assert (sklearn_loaded, wrapper_is_real) == ("False", "True"), out.stdout
    assert int(frozen) > 100_000, out.stdout  # the frameworks' objects: ~420,000 here
    chatter = [line for line in out.stderr.splitlines()
               if re.match(r"[IW]\d{4} ", line) or "absl::InitializeLog" in line]
    assert chatter == [], out.stderr
