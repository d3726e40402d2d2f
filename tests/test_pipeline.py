"""End to end in one process: every shipped config trains a few steps and fills its run folder;
the export reloads with plain TensorFlow (and in a process that cannot import ktrain_kit)."""

import csv
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from ktrain_kit.errors import UserError
from ktrain_kit.training import train

from conftest import load_config

TINY = {
    "digits_cnn": dict(data__train_examples=128),
    "digits_mlp": dict(data__train_examples=128),
    "sequence_transformer": dict(data__train_examples=128, model__depth=1, data__seq_len=8),
    "images_resnet": dict(data__train_examples=128, data__image_size=8, model__depth=2,
                          schedule__boundaries=(1.5,)),
    "tabular_binary": dict(data__train_examples=128),
    "tabular_regression": dict(data__train_examples=128),
}


def tiny_config(name, **extra):
    return load_config(name, **{"train__epochs": 2, "train__verbose": 0, **TINY[name], **extra})


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("run") / "digits_mlp")
    summary = train(tiny_config("digits_mlp"), workdir)
    return workdir, summary


@pytest.fixture(scope="module")
def shipped_runs(tmp_path_factory):
    """Each shipped config, tiny, trained once for the tests below (lazily)."""
    runs = {}

    def get(name):
        if name not in runs:
            workdir = str(tmp_path_factory.mktemp(name) / "run")
            runs[name] = workdir, train(tiny_config(name), workdir)
        return runs[name]
    return get


def serve(workdir, x, version=1):
    import tensorflow as tf
    signature = tf.saved_model.load(os.path.join(workdir, "export", str(version))).signatures[
        "serving_default"]
    return {k: v.numpy() for k, v in signature(inputs=tf.constant(x)).items()}


@pytest.mark.parametrize("name", sorted(TINY))
def test_every_config_rebuilds_evaluates_and_exports_its_own_weights(shipped_runs, name):
    """What a frozen, unsaved layer (the old Transformer position table) would break: the model
    rebuilt from the run's weights, the evaluation and a second export must all agree with
    what training saw and exported."""
    from ktrain_kit import export, restore
    from ktrain_kit.evaluate import evaluate
    workdir, summary = shipped_runs(name)
    assert summary["epochs_run"] == 2 and np.isfinite(summary["final_loss"])
    config, data, model = restore.load_run(workdir)
    x = data.x_val[:16]
    rebuilt = model.predict(x, verbose=0)
    served = serve(workdir, x)
    raw = served.get("logits", served.get("predictions"))
    np.testing.assert_allclose(raw.reshape(rebuilt.shape), rebuilt, rtol=1e-4, atol=1e-5)
    results = evaluate(workdir)
    row = next(r for r in csv.DictReader(open(os.path.join(workdir, "metrics.csv")))
               if int(r["epoch"]) == summary["best_epoch"])
    for key, value in results.items():
        assert value == pytest.approx(float(row[f"val_{key}"]), rel=1e-4, abs=1e-6), key
    export.export(model, os.path.join(workdir, "export"), 2, config.task.name)
    second = serve(workdir, x, version=2)
    for key in served:
        np.testing.assert_allclose(second[key], served[key], rtol=1e-5, atol=1e-6)


def test_run_folder_is_filled(digits_run):
    workdir, summary = digits_run
    for path in ("config.json", "metrics.csv", "summary.json", "checkpoints/checkpoint",
                 "plots/loss.png", "plots/accuracy.png", "plots/lr.png",
                 "export/1/saved_model.pb"):
        assert os.path.exists(os.path.join(workdir, path)), path
    assert os.listdir(os.path.join(workdir, "tensorboard"))
    config = json.load(open(os.path.join(workdir, "config.json")))
    assert config["model"]["name"] == "mlp" and config["train"]["epochs"] == 2
    header = open(os.path.join(workdir, "metrics.csv")).readline().strip().split(",")
    assert header[:1] == ["epoch"] and {"lr", "epoch_time_s", "examples_per_sec",
                                        "val_loss", "val_accuracy"} <= set(header)


def test_export_reloads_with_plain_tensorflow(digits_run):
    import tensorflow as tf

    from ktrain_kit import restore
    workdir, _ = digits_run
    _, data, model = restore.load_run(workdir)
    serving = tf.saved_model.load(os.path.join(workdir, "export", "1"))
    out = serving.signatures["serving_default"](inputs=tf.constant(data.x_val[:16]))
    logits = model.predict(data.x_val[:16], verbose=0)
    np.testing.assert_allclose(out["logits"].numpy(), logits, atol=1e-5)
    np.testing.assert_allclose(out["probabilities"].numpy(), tf.nn.softmax(logits), atol=1e-5)
    assert out["probabilities"].dtype == tf.float32


def test_export_refuses_inputs_of_another_shape(shipped_runs):
    """A signature's shape is not checked when it is called: a CNN that pools globally gave
    probabilities for an image of another size, resized by nobody. The export refuses it."""
    import tensorflow as tf
    workdir, _ = shipped_runs("digits_cnn")
    assert serve(workdir, np.zeros((2, 8, 8, 1), "float32"))["probabilities"].shape[0] == 2
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"inputs must be \[batch, 8, 8, 1\]"):
        serve(workdir, np.zeros((2, 12, 9, 1), "float32"))


def test_export_serves_where_ktrain_kit_cannot_be_imported(digits_run, tmp_path):
    workdir, _ = digits_run
    from ktrain_kit import restore
    _, data, model = restore.load_run(workdir)
    np.save(tmp_path / "x.npy", data.x_val[:8])
    np.save(tmp_path / "expected.npy", model.predict(data.x_val[:8], verbose=0))
    script = textwrap.dedent(f"""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "ktrain_kit":
                    raise ImportError("ktrain_kit is blocked in this test")
        sys.meta_path.insert(0, Block())
        import numpy as np, tensorflow as tf
        m = tf.saved_model.load({os.path.join(workdir, "export", "1")!r})
        f = m.signatures["serving_default"]
        out = f(inputs=tf.constant(np.load({str(tmp_path / "x.npy")!r})))
        np.testing.assert_allclose(out["logits"].numpy(),
                                   np.load({str(tmp_path / "expected.npy")!r}), atol=1e-5)
        try:
            f(inputs=tf.zeros([2, 3, 3, 1]))
        except (ValueError, TypeError, tf.errors.InvalidArgumentError):
            print("wrong shape rejected")
        try:
            import ktrain_kit
        except ImportError:
            print("ktrain_kit blocked")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=str(tmp_path), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "wrong shape rejected" in result.stdout and "ktrain_kit blocked" in result.stdout


def test_saved_model_cli_lists_the_serving_signature(digits_run):
    workdir, _ = digits_run
    # From the running interpreter's environment, not whatever `saved_model_cli` is on PATH.
    result = subprocess.run([sys.executable, "-m", "tensorflow.python.tools.saved_model_cli",
                             "show", "--dir", os.path.join(workdir, "export", "1"), "--all"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "signature_def['serving_default']" in out
    assert "inputs['inputs']" in out and "(-1, 8, 8, 1)" in out
    assert "outputs['probabilities']" in out and "outputs['logits']" in out
    assert out.count("dtype: DT_FLOAT") >= 3


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_export_returns_float32_under_mixed_precision(tmp_path, policy):
    import keras
    import tensorflow as tf

    from ktrain_kit import data, export, models
    keras.mixed_precision.set_global_policy(policy)
    c = load_config("digits_cnn")
    d = data.load(c.data, c.task, 0)
    model = models.build(c.model, d)
    path = export.export(model, str(tmp_path / "export"))
    keras.mixed_precision.set_global_policy("float32")
    out = tf.saved_model.load(path).signatures["serving_default"](
        inputs=tf.constant(d.x_val[:4]))
    assert out["probabilities"].dtype == tf.float32 and out["logits"].dtype == tf.float32
    np.testing.assert_allclose(out["probabilities"].numpy().sum(axis=1), 1.0, atol=1e-5)


def test_finished_or_different_runs_are_not_overwritten(digits_run):
    workdir, _ = digits_run
    before = sorted(os.listdir(workdir))
    with pytest.raises(UserError, match="finished run"):
        train(tiny_config("digits_mlp"), workdir)
    with pytest.raises(UserError, match="different config"):
        train(tiny_config("digits_mlp", train__epochs=3), workdir)
    assert sorted(os.listdir(workdir)) == before




def test_steps_per_execution_changes_speed_not_results(tmp_path):
    # 128 examples in batches of 32: 4 steps an epoch, run 1 or 4 per call.
    rows = {}
    for spe in (1, 4):
        workdir = str(tmp_path / f"spe{spe}")
        train(tiny_config("digits_mlp", train__deterministic=True, train__steps_per_execution=spe,
                          callbacks__doctor__interval=2), workdir)
        with open(os.path.join(workdir, "metrics.csv")) as f:
            rows[spe] = list(csv.DictReader(f))
    for one, four in zip(rows[1], rows[4]):
        for key in ("loss", "accuracy", "val_loss", "lr", "diag_grad_norm", "diag_weight_norm"):
            np.testing.assert_allclose(float(four[key]), float(one[key]), rtol=1e-5, err_msg=key)
        assert float(four["examples_per_sec"]) > 0
