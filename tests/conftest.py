"""Shared fixtures. TensorFlow starts once per test process, with the CPU split in two logical
devices so MirroredStrategy can be tested on one machine (the split must precede any TF op)."""

import gc
import os
import re
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# Property tests draw the same examples on every run of the suite (seeded by each test's name):
# CI must not fail, and a landing must not be lost, on an example nobody has seen yet. Looking
# for new ones is a deliberate act, before a change lands (BUILD.md, "Tests"):
#     HYPOTHESIS_PROFILE=explore python -m pytest tests/test_table*.py
settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def pytest_configure(config):
    from ktrain_kit.frameworks import import_frameworks
    import_frameworks()  # as the launchers do: no collection while they load, frozen after
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])


_module_of_last_test = [None]


def pytest_runtest_setup(item):
    """Each test module starts on a frozen heap: one full collection at the module boundary
    (the last module's fixtures and the garbage it left are freed), then everything alive is
    frozen (`gc.freeze`), so the collections inside the module scan only what it creates.
    Without it every full collection rescans the suite's whole heap (collected tests, earlier
    modules' cached models): a repair test of 516 cases took 12 s alone and 226 s in the suite,
    nearly all of it in the collector."""
    if item.module is not _module_of_last_test[0]:
        _module_of_last_test[0] = item.module
        gc.unfreeze()
        gc.collect()
        gc.freeze()


@pytest.fixture(autouse=True)
def _float32_policy():
    import keras
    keras.mixed_precision.set_global_policy("float32")
    yield
    keras.mixed_precision.set_global_policy("float32")


def data_config(name, path="", **overrides):
    """A data config section for `name` (tests of sources and streams build data directly)."""
    from ktrain_kit.config import default_config
    dc = default_config().data
    dc.name, dc.path = name, str(path)
    dc.update(overrides)
    return dc


def typed_table(path, label=-1, overrides=None, train_rows="last 4/5"):
    """(specs, table, train rows, notes, raw) of a table file as `sources.load` reads and
    types it: `train_rows` the last 4/5 of the rows (as the table tests split them) or "all"."""
    import numpy as np

    from ktrain_kit.data import features, sources
    dc = data_config("csv", path, label_column=label)
    dc.features = overrides
    raw = sources._csv(dc, task(), None)
    table = raw.table["table"]
    rows = np.arange(len(table.rows))
    train = rows if train_rows == "all" else rows[len(rows) // 5:]
    specs = features.column_specs(table, raw.table["features"], train, dc.features)
    return specs, table, train, [*raw.notes, *features.typing_notes(table, specs)], raw


def task(name="classification"):
    from ktrain_kit.config import default_config
    tc = default_config().task
    tc.name = name
    return tc


def wait_all(procs, timeout=240):
    """Outputs of launched worker processes; asserts each exited 0 (all killed if one hangs)."""
    try:
        outputs = [p.communicate(timeout=timeout)[0] for p in procs]
    finally:
        for p in procs:
            p.kill()
    for p, out in zip(procs, outputs):
        assert p.returncode == 0, out[-3000:]
    return outputs


# What load_config pins, as launcher flags: a launched run that must equal an in-process one.
PINNED_FLAGS = ("--config.train.precision=float32", "--config.train.jit_compile=false")


def load_config(name, **overrides):
    """configs/<name>.py's config with dotted-key overrides applied, e.g. train__epochs=1.

    The precision is pinned to float32 and XLA off (unless a test overrides them): `auto` means
    bfloat16 on some CPUs and is measured, and a test comparing numbers must depend neither on
    the machine nor on a minute of timing (BUILD.md, Tests).
    """
    import importlib
    config = importlib.import_module(f"configs.{name}").get_config()
    config.train.precision = "float32"
    config.train.jit_compile = "false"
    for key, value in overrides.items():
        node = config
        *path, last = key.split("__")
        for part in path:
            node = node[part]
        node[last] = value
    return config


def linear_classifier(features, classes, optimizer, weights=None):
    """One Dense layer on logits, seeded: the smallest model a NaN can be injected into and
    rolled back from (the NaN-policy and callback tests compare it with plain Keras)."""
    import keras
    keras.utils.set_random_seed(0)
    inputs = keras.Input((features,))
    model = keras.Model(inputs, keras.layers.Dense(classes)(inputs))
    model.compile(optimizer, keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    if weights is not None:
        model.set_weights(weights)
    return model


def relu_logits_classifier(features, width, classes, learning_rate):
    """Dense(width, relu) -> Dense(classes) logits under Adam and sparse cross-entropy from
    logits, with accuracy, seeded: the plain-Keras model the doctor's round tests train."""
    import keras
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((features,)),
                              keras.layers.Dense(width, activation="relu"),
                              keras.layers.Dense(classes)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def run_launcher(module, *args, timeout=300, env=None):
    """Runs `python -m module args...` from the repo root; returns CompletedProcess (text).
    (In a child forked from a process with TensorFlow loaded: tests/forked_launch.py.)

    Every launch also checks that TensorFlow's C++ start-up lines below TF_CPP_MIN_LOG_LEVEL=2
    stay hidden (ktrain_kit.frameworks), whatever code of the launcher imported it first, and
    that its error lines (and the doctor's refused attempts) name only flags this launcher,
    or a launcher the line names, takes (cli.foreign_flags): `evaluate` told users to set
    `--config.data.path`, which it has not."""
    from tests import forked_launch
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    result = forked_launch.run(module, args, full_env, timeout=timeout)
    if full_env["TF_CPP_MIN_LOG_LEVEL"] == "2":
        chatter = start_up_lines(result.stderr)
        assert not chatter, f"{module} {args}: TensorFlow's start-up lines shown: {chatter}"
    if module.startswith("launchers."):
        from ktrain_kit.cli import foreign_flags
        said = [line for line in result.stderr.splitlines() if line.startswith("error:")] + \
            [line for line in result.stdout.splitlines() if " refused: " in line]
        wrong = {line: foreign_flags(module.split(".", 1)[1], line) for line in said}
        assert not any(wrong.values()), \
            f"{module} names flags it does not take: { {k: v for k, v in wrong.items() if v} }"
    return result


def start_up_lines(stderr):
    """TensorFlow's C++ start-up lines (info and warning, and absl's notice) in `stderr`."""
    return [line for line in stderr.splitlines()
            if re.match(r"[IW]\d{4} [\d:.]+ +\d+ ", line) or "absl::InitializeLog" in line]


def rewind(source, target, step):
    """A copy of finished run `source` as it was when killed right after its checkpoint of
    global step `step`: later checkpoints and everything written after them removed."""
    import shutil

    import tensorflow as tf
    shutil.copytree(source, target)
    for name in ("summary.json", "diagnosis.json", "diagnosis.md", "export", "plots"):
        path = os.path.join(target, name)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    folder = os.path.join(target, "checkpoints")
    os.remove(os.path.join(folder, "final.weights.h5"))
    kept = []
    for name in sorted(os.listdir(folder)):
        if name.startswith("ckpt-"):
            number = int(name[5:].split(".")[0])
            if number > step:
                os.remove(os.path.join(folder, name))
            elif name.endswith(".index"):
                kept.append(os.path.join(folder, name[:-len(".index")]))
    kept.sort(key=lambda p: int(p.rsplit("-", 1)[1]))
    tf.compat.v1.train.update_checkpoint_state(
        folder, kept[-1], all_model_checkpoint_paths=kept,
        all_model_checkpoint_timestamps=[float(i + 1) for i in range(len(kept))],
        last_preserved_timestamp=0.0)
    return str(target)


# The first lines of a serving script run in a subprocess where ktrain_kit cannot be imported:
# an export must serve with TensorFlow alone.
WITHOUT_TOOLKIT = """
import json, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "ktrain_kit":
            raise ImportError("ktrain_kit is blocked in this test")
sys.meta_path.insert(0, Block())
import tensorflow as tf
"""
