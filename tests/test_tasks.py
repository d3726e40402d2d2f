"""Binary, multi-label and regression tasks, a user's own model, and fine-tuning.

Data no config ships with, from scikit-learn's bundled sets: the breast-cancer table as a CSV with
a text label, the diabetes table (targets 25..346) as a CSV, a multi-label npz. Quality is
compared with independent references (a plain Keras model on the same split, scikit-learn's
ridge regression); every export is served in a process where ktrain_kit cannot be imported.
"""

import csv
import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from ktrain_kit import tasks
from ktrain_kit.training import train

from conftest import ROOT, WITHOUT_TOOLKIT, load_config, rewind, run_launcher


# ------------------------------------------------------------------ label preparation
def test_binary_labels_map_two_values_in_sorted_order():
    labels = tasks.prepare_labels("binary", np.array(["yes", "no", "yes"]), "f")
    assert labels.info == {"label_values": ["no", "yes"]}
    np.testing.assert_array_equal(labels.y[:, 0], [1, 0, 1])
    bools = tasks.prepare_labels("binary", np.array([True, False]), "f")
    np.testing.assert_array_equal(bools.y[:, 0], [1, 0])
    known = tasks.prepare_labels("binary", np.array([2, 2]), "f", {"label_values": [1, 2]})
    np.testing.assert_array_equal(known.y[:, 0], [1, 1])  # one class present: the saved mapping


def test_regression_targets_and_their_statistics():
    labels = tasks.prepare_labels("regression", np.array([100.0, 200.0, 300.0]), "f")
    assert labels.y.shape == (3, 1) and labels.num_outputs == 1
    stats = tasks.target_statistics(labels.y)
    assert stats == {"target_mean": [200.0], "target_std": [pytest.approx(81.6496580927726)]}


def test_balanced_class_weights_follow_scikit_learn():
    from sklearn.utils.class_weight import compute_class_weight
    y = np.array([0, 0, 0, 1, 2, 2])
    counts = np.bincount(y)
    ours = tasks.class_weights("balanced", counts, "classification", 3, {})
    np.testing.assert_allclose(ours, compute_class_weight("balanced", classes=np.arange(3), y=y))
    named = tasks.class_weights({"dog": 4.0}, counts, "classification", 3,
                                {"class_names": ["cat", "dog", "eel"]})
    assert named == [1.0, 4.0, 1.0]


def test_smoothed_loss_and_standardized_loss_against_numpy():
    from ktrain_kit.losses import SmoothedSparseCrossentropy, StandardizedLoss
    logits = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 0.5]], "float32")
    y = np.array([0, 2])
    s, k = 0.1, 3
    target = np.full((2, 3), s / k)
    target[np.arange(2), y] += 1 - s
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    expected = -(target * log_p).sum(axis=1).mean()
    assert float(SmoothedSparseCrossentropy(s)(y, logits)) == pytest.approx(expected, rel=1e-5)
    y_true = np.array([[110.0], [190.0]], "float32")
    y_pred = np.array([[130.0], [150.0]], "float32")
    loss = StandardizedLoss("mse", mean=[150.0], std=[20.0])(y_true, y_pred)
    assert float(loss) == pytest.approx(((20 / 20) ** 2 + (40 / 20) ** 2) / 2, rel=1e-6)


# ------------------------------------------------------------------ files no config ships with
def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from sklearn import datasets
    root = tmp_path_factory.mktemp("files")
    cancer = datasets.load_breast_cancer()
    names = np.array(cancer.target_names)[cancer.target]  # 'malignant' / 'benign'
    binary = write_csv(root / "cancer.csv", list(cancer.feature_names) + ["diagnosis"],
                       [list(x) + [n] for x, n in zip(cancer.data, names)])
    diabetes = datasets.load_diabetes(scaled=False)
    regression = write_csv(root / "diabetes.csv", list(diabetes.feature_names) + ["progression"],
                           [list(x) + [t] for x, t in zip(diabetes.data, diabetes.target)])
    x, y = datasets.make_multilabel_classification(1200, n_features=20, n_classes=5,
                                                   random_state=0)
    multilabel = str(root / "multilabel.npz")
    np.savez(multilabel, x=x.astype("float32"), y=y)
    (root / "my_models.py").write_text(textwrap.dedent('''
        import keras

        def small_cnn(model_config, data):
            """A user's own model: logits for data.num_outputs classes."""
            inputs = keras.Input(data.input_shape)
            x = keras.layers.Rescaling(1 / 16)(inputs)
            x = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(x)
            x = keras.layers.Flatten()(x)
            x = keras.layers.Dense(model_config.width, activation="relu")(x)
            return keras.Model(inputs, keras.layers.Dense(data.num_outputs)(x))
    '''))
    return {"binary": binary, "regression": regression, "multilabel": multilabel,
            "modules": str(root)}


TASK_ARGS = {
    "binary": lambda f: ["--config=configs/tabular_binary.py", "--config.data.name=csv",
                         f"--config.data.path={f['binary']}",
                         "--config.data.label_column=diagnosis", "--config.data.train_examples=0"],
    "regression": lambda f: ["--config=configs/tabular_regression.py", "--config.data.name=csv",
                             f"--config.data.path={f['regression']}",
                             "--config.data.label_column=progression",
                             "--config.data.train_examples=0", "--config.data.batch_size=32"],
    "multilabel": lambda f: ["--config=configs/tabular_binary.py", "--config.task.name=multilabel",
                             "--config.data.name=npz", f"--config.data.path={f['multilabel']}",
                             "--config.data.train_examples=0"],
    "user_model": lambda f: ["--config=configs/digits_cnn.py",
                             "--config.model.name=my_models:small_cnn", "--config.model.width=64",
                             "--config.train.epochs=10"],
}


@pytest.fixture(scope="module")
def launched(files, tmp_path_factory):
    """Each task trained through `python -m launchers.train` (once, lazily)."""
    runs = {}

    def get(name):
        if name not in runs:
            workdir = str(tmp_path_factory.mktemp(name) / "run")
            env = {"PYTHONPATH": f"{files['modules']}:{ROOT}"}
            result = run_launcher("launchers.train", *TASK_ARGS[name](files),
                                  "--config.train.verbose=0", f"--workdir={workdir}",
                                  timeout=600, env=env)
            assert result.returncode == 0, result.stderr[-3000:]
            runs[name] = workdir, json.load(open(os.path.join(workdir, "summary.json")))
        return runs[name]
    return get


def plain_keras_reference(data, task, epochs, initializer, batch_size=64):
    """The same MLP in a plain Keras script on the same split: the quality to match."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input(data.input_shape)
    norm = keras.layers.Normalization()
    norm.adapt(data.x_train)
    x = norm(inputs)
    for _ in range(2):
        x = keras.layers.Dense(64, activation="relu", kernel_initializer=initializer)(x)
    outputs = keras.layers.Dense(data.num_outputs, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.Adam(3e-3), "binary_crossentropy",
                  metrics=[keras.metrics.AUC(name="auc", multi_label=task == "multilabel",
                                             num_labels=data.num_outputs
                                             if task == "multilabel" else None)])
    history = model.fit(data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),
                        epochs=epochs, batch_size=batch_size, verbose=0)
    return max(history.history["val_auc"])


def loaded(workdir):
    from ktrain_kit import restore
    return restore.load_run(workdir)


@pytest.mark.slow
@pytest.mark.parametrize("task", ["binary", "multilabel"])
def test_classification_tables_train_as_well_as_plain_keras(launched, task):
    workdir, summary = launched(task)
    assert summary["task"] == task and summary["main_metric"] == "val_auc"
    config, data, _ = loaded(workdir)
    reference = plain_keras_reference(data, task, config.train.epochs, config.model.initializer)
    assert summary["main_metric_value"] >= reference - 0.02, (summary, reference)
    header = open(os.path.join(workdir, "metrics.csv")).readline().strip().split(",")
    assert {"accuracy", "auc", "val_accuracy", "val_auc"} <= set(header)
    if task == "binary":
        saved = json.load(open(os.path.join(workdir, "config.json")))["resolved"]["labels"]
        assert saved == {"label_values": ["benign", "malignant"]}


def plain_keras_regression(data, epochs, batch_size, seed, initializer):
    """The same MLP in plain Keras, targets standardized by hand: best val RMSE in units."""
    keras.utils.set_random_seed(seed)
    mean, std = data.y_train.mean(), data.y_train.std()
    inputs = keras.Input(data.input_shape)
    norm = keras.layers.Normalization()
    norm.adapt(data.x_train)
    x = norm(inputs)
    for _ in range(2):
        x = keras.layers.Dense(128, activation="relu", kernel_initializer=initializer)(x)
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    model.compile(keras.optimizers.Adam(3e-3), "mse")
    history = model.fit(data.x_train, (data.y_train - mean) / std, epochs=epochs,
                        batch_size=batch_size, verbose=0,
                        validation_data=(data.x_val, (data.y_val - mean) / std))
    return float(np.sqrt(min(history.history["val_loss"]))) * std


@pytest.mark.slow
def test_regression_with_targets_in_the_hundreds_trains_as_well_as_plain_keras(launched):
    from sklearn.linear_model import RidgeCV
    workdir, summary = launched("regression")
    config, data, model = loaded(workdir)
    assert data.y_train.min() >= 25 and data.y_train.max() > 300  # the units stay the target's
    # 88 validation examples: the reference's seed moves it by 5%, so take its median of three
    reference = float(np.median([plain_keras_regression(data, config.train.epochs,
                                                        config.data.batch_size, seed,
                                                        config.model.initializer)
                                 for seed in range(3)]))
    ridge = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(data.x_train, data.y_train[:, 0])
    ridge_rmse = float(np.sqrt(np.mean((ridge.predict(data.x_val) - data.y_val[:, 0]) ** 2)))
    assert summary["main_metric"] == "val_rmse"
    assert summary["main_metric_value"] <= 1.05 * reference, (summary, reference)
    assert summary["main_metric_value"] <= 1.25 * ridge_rmse, (summary, ridge_rmse)
    predictions = model.predict(data.x_val, verbose=0)[:, 0]
    rmse = float(np.sqrt(np.mean((predictions - data.y_val[:, 0]) ** 2)))
    assert rmse == pytest.approx(summary["main_metric_value"], rel=1e-4)  # metric in units


@pytest.mark.slow
def test_a_users_model_module_trains_and_exports(launched):
    workdir, summary = launched("user_model")
    assert summary["best_val_accuracy"] > 0.9
    config = json.load(open(os.path.join(workdir, "config.json")))
    assert config["model"]["name"] == "my_models:small_cnn"


SERVE = WITHOUT_TOOLKIT + textwrap.dedent("""
    import numpy as np, tensorflow as tf
    out = {}
    for name, (path, x) in json.load(open(sys.argv[1])).items():
        signature = tf.saved_model.load(path).signatures["serving_default"]
        if isinstance(x, dict):  # a csv run: one tensor per raw column, as the file holds it
            spec = signature.structured_input_signature[1]
            result = signature(**{k: tf.constant(v, spec[k].dtype) for k, v in x.items()})
        else:
            result = signature(inputs=tf.constant(np.array(x, dtype=np.float32)))
        out[name] = {k: v.numpy().tolist() for k, v in result.items()}
    json.dump(out, open(sys.argv[2], "w"))
""")


@pytest.mark.slow
def test_every_task_serves_without_the_toolkit(launched, files, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(files["modules"])  # to rebuild the user's model here
    requests, expected = {}, {}
    for name in ("binary", "regression", "multilabel", "user_model"):
        workdir, _ = launched(name)
        config, data, model = loaded(workdir)
        x = data.x_val[:5]
        request = x.tolist()
        if data.preprocessing is not None:  # rows of the file itself, read by the csv module
            rows = list(csv.DictReader(open(config.data.path, newline="")))
            rows = [rows[i] for i in data.preprocessing.rows["val"][:5]]
            request = {key: [float(r[column]) for r in rows]
                       for column, key in data.preprocessing.input_names().items()}
        requests[name] = (os.path.join(workdir, "export", "1"), request)
        expected[name] = model.predict(x, verbose=0)
    (tmp_path / "serve.py").write_text(SERVE)
    (tmp_path / "in.json").write_text(json.dumps(requests))
    result = subprocess.run([sys.executable, str(tmp_path / "serve.py"), str(tmp_path / "in.json"),
                             str(tmp_path / "out.json")], capture_output=True, text=True,
                            timeout=180, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    served = json.load(open(tmp_path / "out.json"))
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    assert set(served["binary"]) == {"probability", "logits"}
    assert np.shape(served["binary"]["probability"]) == (5,)
    np.testing.assert_allclose(served["binary"]["probability"], sigmoid(expected["binary"][:, 0]),
                               rtol=1e-5, atol=1e-6)
    assert set(served["multilabel"]) == {"probabilities", "logits"}
    np.testing.assert_allclose(served["multilabel"]["probabilities"],
                               sigmoid(expected["multilabel"]), rtol=1e-5, atol=1e-6)
    assert set(served["regression"]) == {"predictions"}
    assert np.shape(served["regression"]["predictions"]) == (5,)
    np.testing.assert_allclose(served["regression"]["predictions"],
                               expected["regression"][:, 0], rtol=1e-5)
    assert min(served["regression"]["predictions"]) > 10  # target units, not standardized
    np.testing.assert_allclose(served["user_model"]["logits"], expected["user_model"],
                               rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------ fine-tuning
def digits_config(**extra):
    c = load_config("digits_mlp", train__epochs=3, train__verbose=0, model__dropout=0.0,
                    callbacks__doctor__enabled=False)
    for key, value in extra.items():
        node = c
        *path, last = key.split("__")
        for part in path:
            node = node[part]
        node[last] = value
    return c


@pytest.fixture(scope="module")
def source_run(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("source") / "run")
    summary = train(digits_config(), workdir)
    return workdir, summary


def test_fine_tuning_a_new_head_on_a_frozen_body(source_run, tmp_path):
    from sklearn.datasets import load_digits
    source, source_summary = source_run
    digits = load_digits()
    path = tmp_path / "pairs.npz"  # a new task: 5 classes (0-1, 2-3, ...), a new head
    np.savez(path, x=digits.images[..., None].astype("float32"), y=digits.target // 2)
    config = digits_config(data__name="npz", data__path=str(path), model__init_from=source,
                           model__freeze="input_normalization,block", train__epochs=2)
    workdir = str(tmp_path / "tuned")
    summary = train(config, workdir)
    report = json.load(open(os.path.join(workdir, "config.json")))["resolved"]["init_from"]
    assert "block0_dense" in report["loaded"] and report["fresh"][0]["layer"] == "logits"
    _, _, before = loaded(source)
    _, _, after = loaded(workdir)
    for layer in after.layers:
        if layer.name.startswith(("block", "input_normalization")) and layer.weights:
            for ours, theirs in zip(layer.get_weights(), before.get_layer(layer.name)
                                    .get_weights()):
                np.testing.assert_array_equal(ours, theirs)  # frozen: bit-identical
    assert not np.allclose(after.get_layer("logits").get_weights()[0][:, :5],
                           before.get_layer("logits").get_weights()[0][:, :5])
    first_epoch = next(csv.DictReader(open(os.path.join(workdir, "metrics.csv"))))
    # the source's features separate the pairs at once: epoch 1 is already near its quality
    assert float(first_epoch["val_accuracy"]) > 0.9 * source_summary["best_val_accuracy"]
    assert summary["best_val_accuracy"] > 0.9


def test_a_fine_tuned_run_reads_back_after_the_run_it_started_from_is_gone(source_run,
                                                                        tmp_path):
    """evaluate, export and configs/from_run.py need the run's own weights only: with the run
    it was fine-tuned from moved away they refused it, saying its config.json 'was changed
    since training' (a helper's finding). Training from its config again still asks for the
    source (or a --config.model.init_from override)."""
    import shutil

    from ktrain_kit import config as config_lib
    from ktrain_kit.errors import UserError
    from ktrain_kit.restore import load_config
    source = str(tmp_path / "source")
    shutil.copytree(source_run[0], source)
    workdir = str(tmp_path / "tuned")
    train(digits_config(model__init_from=source, train__epochs=2), workdir)
    _, _, before = loaded(workdir)
    shutil.rmtree(source)
    config, _ = load_config(workdir)
    _, data, after = loaded(workdir)
    x = data.x_val[:32]
    np.testing.assert_array_equal(before.predict(x, verbose=0), after.predict(x, verbose=0))
    with pytest.raises(UserError, match="model.init_from"):
        config_lib.validate(config)  # a training from it checks the file


def test_a_run_on_a_relative_data_path_reads_back_from_any_folder(tmp_path, monkeypatch):
    """`--config.data.path=tags.npz` (the README's style) is kept as typed; evaluate and
    export run from another folder said the data 'does not exist'. The folder the training
    ran in is recorded (resolved.working_directory) and read from."""
    from sklearn.datasets import load_digits

    from ktrain_kit.restore import load_config
    digits = load_digits()
    (tmp_path / "project").mkdir()
    np.savez(tmp_path / "project" / "digits.npz",
             x=digits.images[..., None].astype("float32"), y=digits.target)
    monkeypatch.chdir(tmp_path / "project")
    train(digits_config(data__name="npz", data__path="digits.npz", train__epochs=2), "run")
    monkeypatch.chdir(tmp_path)
    config, _ = load_config("project/run")
    assert config.data.path == str(tmp_path / "project" / "digits.npz")
    _, data, model = loaded("project/run")
    assert model.evaluate(data.x_val, data.y_val, verbose=0)[1] > 0.5


def test_fine_tuning_from_a_plain_keras_file(tmp_path):
    """A .keras file saved by plain Keras: layers with our names load, the rest start fresh."""
    d = load_config("digits_mlp")
    from ktrain_kit import data as data_lib
    data = data_lib.load(d.data, d.task, d.seed)
    keras.utils.set_random_seed(1)
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(keras.layers.Rescaling(1 / 16)(inputs))
    x = keras.layers.Dense(128, activation="relu", name="block0_dense")(x)
    plain = keras.Model(inputs, keras.layers.Dense(10, name="head")(x))
    plain.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    plain.fit(data.x_train, data.y_train, epochs=1, verbose=0)
    plain.save(tmp_path / "plain.keras")
    config = digits_config(model__init_from=str(tmp_path / "plain.keras"), train__epochs=2,
                           model__norm="none")
    summary = train(config, str(tmp_path / "tuned"))
    report = json.load(open(tmp_path / "tuned" / "config.json"))["resolved"]["init_from"]
    assert report["loaded"] == ["block0_dense"]
    assert {"logits", "block1_dense"} <= {f["layer"] for f in report["fresh"]}
    assert summary["best_val_accuracy"] > 0.8


def test_resume_of_a_fine_tuning_run_keeps_its_frozen_layers(source_run, tmp_path):
    config = digits_config(model__init_from=source_run[0], model__freeze="block0",
                           train__epochs=2)
    workdir = str(tmp_path / "tuned")
    first = train(config, workdir)
    os.remove(os.path.join(workdir, "summary.json"))
    again = train(config, workdir)
    assert again["val_metrics"] == first["val_metrics"]


# ------------------------------------------------------------------ every task, every engine
TASK_CONFIGS = {
    "classification": dict(name="digits_mlp"),
    "binary": dict(name="tabular_binary"),
    "multilabel": dict(name="tabular_binary", task__name="multilabel", data__num_classes=4),
    "regression": dict(name="tabular_regression"),
}


def task_config(task, **extra):
    spec = dict(TASK_CONFIGS[task])
    c = load_config(spec.pop("name"), train__epochs=2, train__verbose=0, model__dropout=0.0,
                    model__norm="layer", data__train_examples=256, data__batch_size=32,
                    train__deterministic=True, callbacks__checkpoint__every_steps=3,
                    callbacks__checkpoint__keep=100, **spec)
    for key, value in extra.items():
        node = c
        *path, last = key.split("__")
        for part in path:
            node = node[part]
        node[last] = value
    return c


def metric_rows(workdir):
    with open(os.path.join(workdir, "metrics.csv")) as f:
        return [{k: float(v) for k, v in r.items() if k not in ("epoch_time_s",
                                                                "examples_per_sec")}
                for r in csv.DictReader(f)]


def assert_rows_close(a, b, rtol):
    assert len(a) == len(b)
    for ra, rb in zip(a, b):
        for key in ra:
            if not key.startswith("diag_"):
                assert ra[key] == pytest.approx(rb[key], rel=rtol, abs=1e-6), key


@pytest.fixture(scope="module")
def reference_runs(tmp_path_factory):
    runs = {}

    def get(task):
        if task not in runs:
            workdir = str(tmp_path_factory.mktemp(task) / "run")
            train(task_config(task), workdir)
            runs[task] = workdir
        return runs[task]
    return get


@pytest.mark.parametrize("task", sorted(TASK_CONFIGS))
def test_accumulation_and_mirrored_give_the_same_training_for_every_task(reference_runs,
                                                                        tmp_path, task):
    reference = metric_rows(reference_runs(task))
    accumulated = str(tmp_path / "k2")
    train(task_config(task, train__accumulation_steps=2), accumulated)
    assert_rows_close(metric_rows(accumulated), reference, rtol=1e-4)
    mirrored = str(tmp_path / "mirrored")
    train(task_config(task, train__strategy="mirrored"), mirrored)
    assert_rows_close(metric_rows(mirrored), reference, rtol=1e-4)


@pytest.mark.parametrize("task", sorted(TASK_CONFIGS))
def test_a_mid_epoch_resume_equals_the_uninterrupted_run_for_every_task(reference_runs,
                                                                        tmp_path, task):
    reference = reference_runs(task)
    workdir = rewind(reference, tmp_path / "run", step=12)  # epoch 2, after its 4th batch
    summary = train(task_config(task), workdir)
    assert metric_rows(workdir) == metric_rows(reference)
    expected = json.load(open(os.path.join(reference, "summary.json")))
    assert summary["val_metrics"] == expected["val_metrics"]


def test_a_frozen_batch_norm_layer_keeps_its_statistics():
    """Frozen batch norm runs in inference mode (the Keras transfer-learning guide's rule):
    its moving mean and variance do not move while the rest trains."""
    from ktrain_kit import engine, finetune
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6,))
    x = keras.layers.BatchNormalization(name="body_norm")(keras.layers.Dense(8, name="body")(
        inputs))
    model = keras.Model(inputs, keras.layers.Dense(2, name="head")(x))
    assert finetune.freeze(model, finetune.rules("body")) == ["body", "body_norm"]
    before = [w.copy() for w in model.get_layer("body_norm").get_weights()]
    model = engine.wrap(model)
    model.compile(keras.optimizers.SGD(0.1),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    model.fit(rng.normal(3.0, 2.0, (64, 6)), rng.integers(0, 2, 64), epochs=2, verbose=0)
    for ours, theirs in zip(model.get_layer("body_norm").get_weights(), before):
        np.testing.assert_array_equal(ours, theirs)


def test_keras_applications_backbone_with_weights_from_a_local_file(tmp_path):
    """`model.name=keras_app`: a Keras Applications backbone under our head, its weights read
    from a local file (nothing is downloaded)."""
    from ktrain_kit import data as data_lib
    from ktrain_kit import models
    c = load_config("images_resnet", model__name="keras_app",
                    model__backbone="MobileNetV3Small", data__train_examples=64)
    data = data_lib.load(c.data, c.task, c.seed)
    keras.utils.set_random_seed(5)
    saved = keras.applications.MobileNetV3Small(include_top=False, weights=None,
                                                input_shape=(32, 32, 3), pooling="avg")
    saved.save_weights(tmp_path / "backbone.weights.h5")
    c.model.backbone_weights = str(tmp_path / "backbone.weights.h5")
    model = models.build(c.model, data)
    assert model.outputs[0].shape[1:] == (10,) and model.get_layer("logits")
    backbone = next(layer for layer in model.layers if isinstance(layer, keras.Model))
    for ours, theirs in zip(backbone.get_weights(), saved.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


def test_init_from_an_unfinished_run_takes_its_newest_checkpoint(source_run, tmp_path):
    """An interrupted run (no final weights yet) gives its newest checkpoint's weights. Read
    directly from the checkpoint file with TensorFlow's reader, every array must be there.
    The checkpoint also holds the run's optimizer (Adam); restored into a model that compile()
    then gave RMSprop, it failed on every such run ('incompatible tensor ... rm_sprop')."""
    import shutil

    import tensorflow as tf

    from ktrain_kit import finetune, runfolder
    folder = str(tmp_path / "interrupted")
    shutil.copytree(source_run[0], folder)
    os.remove(os.path.join(folder, runfolder.FINAL_WEIGHTS))
    loaded_arrays = finetune._from_run_folder(folder)
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(
        os.path.join(folder, runfolder.CHECKPOINTS)))
    saved = [reader.get_tensor(key) for key in reader.get_variable_to_shape_map()
             if "/.ATTRIBUTES/VARIABLE_VALUE" in key]
    layers = ("block0_dense", "block0_norm", "block1_dense", "block1_norm", "logits")
    arrays = [a for name in layers for a in loaded_arrays[name]]  # digits_mlp's weighted layers
    for array in arrays:
        assert any(t.shape == array.shape and np.array_equal(t, array) for t in saved), \
            array.shape


@pytest.mark.parametrize("inside", ["checkpoints", os.path.join("export", "1")])
def test_init_from_a_folder_inside_a_run_names_the_run_folder(source_run, inside):
    from ktrain_kit import finetune
    from ktrain_kit.errors import UserError
    source = source_run[0]
    with pytest.raises(UserError) as raised:
        finetune.load_initial_weights(None, os.path.join(source, inside))
    message = str(raised.value)
    assert "model.init_from" in message
    assert message.endswith(f"--config.model.init_from={os.path.abspath(source)}")
