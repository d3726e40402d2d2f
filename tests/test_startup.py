"""Start-up: what the first training step needs, and nothing it does not (scikit-learn and
matplotlib load only when used)."""

import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT, start_up_lines


def test_digits_read_from_the_bundled_file_equal_load_digits():
    from sklearn.datasets import load_digits

    from ktrain_kit.data.sources import digits_arrays
    images, target = digits_arrays()
    bunch = load_digits()
    np.testing.assert_array_equal(images, bunch.images)
    np.testing.assert_array_equal(target, bunch.target)


def test_loading_digits_imports_neither_sklearn_nor_matplotlib():
    code = ("import sys\nfrom ktrain_kit import data, training\n"
            "from ktrain_kit.config import default_config\n"
            "c = default_config()\nd = data.load(c.data, c.task, 0)\n"
            "print(d.train_size, sorted(m for m in ('sklearn', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={"PYTHONPATH": ROOT, "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    size, modules = out.stdout.split(" ", 1)
    assert int(size) > 1000 and modules.strip() == "[]"


# Most tests launch commands in a child forked from a process that has already loaded
# TensorFlow (tests/forked_launch.py), which cannot show what loading it prints. These start a
# fresh interpreter: every launcher's module, and a training and its evaluation, which load it.
LAUNCHERS = sorted(n[:-3] for n in os.listdir(os.path.join(ROOT, "launchers"))
                   if n.endswith(".py") and not n.startswith("_"))


def _fresh(module, *args):
    out = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    shown = start_up_lines(out.stderr)
    assert not shown, f"{module}: TensorFlow's start-up lines shown: {shown}"
    return out


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_every_launcher_starts_fresh_without_tensorflows_start_up_lines(launcher):
    out = _fresh(f"launchers.{launcher}", "--helpshort")
    assert out.returncode == 0 and out.stdout.strip(), out.stderr[-2000:]


def test_a_fresh_training_and_its_evaluation_show_no_start_up_lines(tmp_path):
    run = str(tmp_path / "run")
    trained = _fresh("launchers.train", "--config=configs/digits_mlp.py", f"--workdir={run}",
                     "--config.train.epochs=2", "--config.data.train_examples=128",
                     "--config.train.verbose=0", "--config.train.precision=float32")
    assert trained.returncode == 0, trained.stderr[-2000:]
    evaluated = _fresh("launchers.evaluate", f"--workdir={run}")
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    assert "accuracy" in evaluated.stdout, evaluated.stdout
