"""Start-up: what the first training step needs, and nothing it does not (scikit-learn and
matplotlib load only when used)."""

import subprocess
import sys

import numpy as np

from tests.conftest import ROOT


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
