"""Every kind of bad input is refused before training: exit code 2, one `error:` line naming
what to fix, no traceback, and no run folder created or changed. Then the run folder's own
guarantees: it is only ever the run's, one process at a time, and a damaged one is one line."""

import json
import os

import numpy as np
import pytest

from conftest import PINNED_FLAGS, ROOT, load_config, run_launcher

CNN = "--config=configs/digits_cnn.py"
MLP = "--config=configs/digits_mlp.py"


def write(tmp, name, content):
    path = tmp / name
    path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    return str(path)


def link_loop(tmp):
    os.symlink("loop_b", tmp / "loop_a")
    os.symlink("loop_a", tmp / "loop_b")
    return str(tmp / "loop_a")


def npz(tmp, name="d.npz", **arrays):
    path = tmp / name
    np.savez(path, **arrays)
    return str(path)


def bad_image_folder(tmp):
    from PIL import Image
    for c in ("a", "b"):
        os.makedirs(tmp / "imgs" / c, exist_ok=True)
        Image.new("RGB", (8, 8)).save(tmp / "imgs" / c / "ok.png")
    (tmp / "imgs" / "b" / "bad.png").write_bytes(b"\x89PNG not really")
    return str(tmp / "imgs")


def data_args(name, path, *extra):
    return [MLP, f"--config.data.name={name}", f"--config.data.path={path}", *extra]


def compiled_config(tmp):
    import py_compile
    return py_compile.compile(os.path.join(ROOT, "configs", "digits_mlp.py"),
                              cfile=str(tmp / "digits_mlp.pyc"), doraise=True)


def config_file(tmp, body):
    return f"--config={write(tmp, 'user_config.py', body)}"


def mlp_config_with(tmp, *statements):
    """A config file: digits_mlp's config, then these statements on it (from line 4 on)."""
    return config_file(tmp, "from configs.digits_mlp import get_config as base\n"
                            "def get_config():\n    c = base()\n" +
                       "".join(f"    {statement}\n" for statement in statements) +
                       "    return c\n")


USER_MODELS = """
import keras

def wrong_outputs(model_config, data):
    inputs = keras.Input(data.input_shape)
    return keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Flatten()(inputs)))

def not_a_model(model_config, data):
    return "a string"

def raises(model_config, data):
    raise RuntimeError("the builder is broken")

def exits(model_config, data):
    import sys
    sys.exit(0)

def interrupts(model_config, data):
    raise KeyboardInterrupt

def _flat(data):
    inputs = keras.Input(data.input_shape)
    return inputs, keras.layers.Flatten()(inputs)

def probabilities_by_activation(model_config, data):
    inputs, x = _flat(data)
    return keras.Model(inputs, keras.layers.Dense(data.num_outputs, activation="softmax")(x))

def probabilities_by_an_op(model_config, data):
    inputs, x = _flat(data)
    return keras.Model(inputs, keras.ops.softmax(keras.layers.Dense(data.num_outputs)(x)))

def sigmoid_head(model_config, data):
    inputs, x = _flat(data)
    x = keras.layers.Dense(data.num_outputs)(x)
    return keras.Model(inputs, keras.layers.Activation("sigmoid")(x))

def all_frozen(model_config, data):
    inputs, x = _flat(data)
    model = keras.Model(inputs, keras.layers.Dense(data.num_outputs)(x))
    model.trainable = False
    return model

def no_weights(model_config, data):
    inputs, x = _flat(data)
    return keras.Model(inputs, x[:, :data.num_outputs])

def two_inputs(model_config, data):
    (a, fa), (b, fb) = _flat(data), _flat(data)
    x = keras.layers.Concatenate()([fa, fb])
    return keras.Model([a, b], keras.layers.Dense(data.num_outputs)(x))

def reads_a_missing_key(model_config, data):
    inputs, x = _flat(data)
    x = keras.layers.Dense(model_config.hidden_units)(x)  # the line a failure is placed at
    return keras.Model(inputs, keras.layers.Dense(data.num_outputs)(x))

def fails_inside_keras(model_config, data):
    inputs, x = _flat(data)
    x = keras.layers.Dense(-3)(x)  # the line a failure is placed at
    return keras.Model(inputs, keras.layers.Dense(data.num_outputs)(x))
"""


def builder_line(function) -> str:
    """'my_models.py:N': the line of `function` in USER_MODELS that fails (marked)."""
    lines = USER_MODELS.splitlines()
    start = lines.index(f"def {function}(model_config, data):")
    marked = next(i for i in range(start, len(lines)) if "the line a failure" in lines[i])
    return f"my_models.py:{marked + 1}"


def user_model(tmp, function):
    write(tmp, "my_models.py", USER_MODELS)
    return [MLP, f"--config.model.name=my_models:{function}"]


def shards(tmp, edit=None, damage_record=None, **settings):
    """Digits as shards (written in this process), optionally with features.json edited or
    one record's bytes damaged; returns the training arguments for them."""
    import json as json_lib

    from conftest import data_config, task
    from ktrain_kit.data import tfrecord
    folder = tmp / "shards"
    config = load_config("digits_mlp")
    config.data.update(settings)
    request = tfrecord.request(config, 2, 1)
    tfrecord.convert(data_config("digits", **settings), task(), 0, str(folder), 2, 1,
                     progress=False, request=request)
    if edit:
        path = folder / "features.json"
        features = json_lib.loads(path.read_text())
        edit(features)
        path.write_text(json_lib.dumps(features))
    if damage_record is not None:
        path = folder / "train-00000-of-00002.tfrecord"
        raw = bytearray(path.read_bytes())
        offset = 0
        for _ in range(damage_record):  # skip whole records: length, crc, data, crc
            offset += 12 + int.from_bytes(raw[offset:offset + 8], "little") + 4
        raw[offset + 12 + 5] ^= 0xFF  # a byte of that record's data: its CRC no longer fits
        path.write_bytes(bytes(raw))
    return data_args("tfrecord", folder)


def csv_rows(tmp, header, rows, name="t.csv"):
    return write(tmp, name, "\n".join([header] + rows) + "\n")


def text_folder(tmp, classes):
    """root/<class>/<n>.txt from {class: [text]}; a whitespace-only text is named empty.txt."""
    for name, texts in classes.items():
        os.makedirs(tmp / "texts" / name, exist_ok=True)
        for i, text in enumerate(texts):
            write(tmp, f"texts/{name}/{'empty' if not text.strip() else i}.txt", text)
    return str(tmp / "texts")


def typed(tmp, features):
    """A table with a text column, and `data.features` set to `features`."""
    return data_args("csv", csv_rows(tmp, "a,city,y", ["1,Oslo,0", "2,Rome,1"] * 10),
                     f"--config.data.features={features}")


# name -> (function of tmp_path returning the launcher arguments, text the error must contain)
CASES = {
    "unknown config file": (lambda t: ["--config=configs/nope.py"], "configs/nope.py"),
    "no config": (lambda t: [], "--config"),
    "config file raises": (lambda t: [f"--config={write(t, 'c.py', 'def get_config(:')}"],
                           "failed to load"),
    "unknown key": (lambda t: [CNN, "--config.optimizer.nmae=sgd"], "nmae"),
    "unknown section": (lambda t: [CNN, "--config.trian.epochs=1"], "trian"),
    "wrong type int": (lambda t: [CNN, "--config.train.epochs=ten"],
                       "'train.epochs': 'ten' is not a whole number (it is"),
    "wrong type float": (lambda t: [CNN, "--config.schedule.base_lr=fast"],
                         "'schedule.base_lr': 'fast' is not a number (it is"),
    "wrong type bool": (lambda t: [CNN, "--config.train.deterministic=maybe"],
                        "'train.deterministic': 'maybe' is not True or False (it is False"),
    "unknown flag": (lambda t: [CNN, "--bogus=1"], "bogus"),
    "positional argument": (lambda t: [CNN, "extra"], "extra"),
    "negative lr": (lambda t: [CNN, "--config.schedule.base_lr=-0.1"], "schedule.base_lr"),
    "dropout 1": (lambda t: [CNN, "--config.model.dropout=1.0"], "model.dropout"),
    "ten synthetic classes from three features": (
        lambda t: ["--config=configs/tabular_binary.py", "--config.task.name=classification",
                   "--config.data.num_classes=10", "--config.data.num_features=3"],
        "data.num_features"),
    "zero epochs": (lambda t: [CNN, "--config.train.epochs=0"], "train.epochs"),
    "zero batch": (lambda t: [CNN, "--config.data.batch_size=0"], "data.batch_size"),
    # a batch above the data trains as one batch of everything, as in Keras; one that cannot
    # be split into the accumulation's micro-batches is refused
    "data below one micro-batch each": (lambda t: [
        CNN, "--config.data.train_examples=3", "--config.data.batch_size=64",
        "--config.train.accumulation_steps=4"], "data.batch_size"),
    "unknown optimizer": (lambda t: [CNN, "--config.optimizer.name=lion"], "optimizer.name"),
    "unknown schedule": (lambda t: [CNN, "--config.schedule.name=onecycle"], "schedule.name"),
    "unknown model": (lambda t: [CNN, "--config.model.name=vit"], "model.name"),
    "unknown dataset": (lambda t: [CNN, "--config.data.name=mnist"], "data.name"),
    "unknown precision": (lambda t: [CNN, "--config.train.precision=fp8"], "train.precision"),
    "unknown strategy": (lambda t: [CNN, "--config.train.strategy=ps"], "train.strategy"),
    "batch vs micro-batches": (lambda t: [CNN, "--config.train.accumulation_steps=5"],
                               "data.batch_size"),
    "batch vs replicas": (lambda t: [CNN, "--config.data.batch_size=32",
                                     "--config.train.accumulation_steps=32",
                                     "--config.train.strategy=mirrored",
                                     "--config.runtime.virtual_cpu_devices=2"], "replicas"),
    "warmup too long": (lambda t: [CNN, "--config.schedule.warmup_epochs=0",
                                   "--config.schedule.warmup_steps=100000"],
                        "schedule.warmup_steps"),
    "roll-back without checkpoints": (lambda t: [MLP, "--config.train.nan_policy=restore",
                                                 "--config.callbacks.checkpoint.enabled=False"],
                                      "train.nan_policy"),
    "steps per execution vs epoch": (lambda t: [MLP, "--config.data.train_examples=320",
                                                "--config.train.steps_per_execution=3"],
                                     "train.steps_per_execution"),
    "negative checkpoint interval": (lambda t: [MLP, "--config.callbacks.checkpoint.every_steps=-1"],
                                     "every_steps"),
    "tpu without tpu": (lambda t: [CNN, "--config.train.strategy=tpu"], "TPU"),
    "missing data file": (lambda t: data_args("npz", t / "absent.npz"), "does not exist"),
    "no data path": (lambda t: [MLP, "--config.data.name=npz"], "data.path"),
    "corrupt npz": (lambda t: data_args("npz", write(t, "x.npz", b"garbage")), "cannot be read"),
    "csv whose first line may or may not be a header": (
        lambda t: data_args("csv", write(t, "x.csv", "1,2,0\n3,oops,1\n")), "data.header"),
    "corrupt image": (lambda t: data_args("image_folder", bad_image_folder(t)), "bad.png"),
    "empty dataset": (lambda t: data_args("csv", write(t, "e.csv", "a,b,label\n")),
                      "no examples"),
    "labels out of range": (lambda t: data_args("npz", npz(t, x=np.zeros((20, 3)),
                                                           y=np.arange(20) - 1)), "label"),
    "nan inputs": (lambda t: data_args("npz", npz(t, x=np.full((20, 3), np.nan),
                                                  y=np.arange(20) % 2)), "NaN"),
    "ragged csv": (lambda t: data_args("csv", write(t, "r.csv", "1,2,0\n1,0\n")), "columns"),
    "x and y lengths": (lambda t: data_args("npz", npz(t, x=np.zeros((20, 3)),
                                                       y=np.zeros(19))), "rows"),
    "unwritable run folder": (lambda t: [MLP, f"--workdir={write(t, 'f', 'x')}/run"],
                              "is inside the file"),
    # two links to each other: both exist, neither leads on (was "a link to 'b', which does
    # not exist", and "inside the file 'a'" for a folder below)
    "run folder a loop of links": (lambda t: [MLP, f"--workdir={link_loop(t)}"],
                                   "leads back to itself"),
    "run folder inside a loop of links": (lambda t: [MLP, f"--workdir={link_loop(t)}/run"],
                                          "which is a link to 'loop_b' that leads back"),
    # --- config files and overrides that are not what they seem
    "config returns None": (lambda t: [config_file(t, "def get_config():\n    pass\n")],
                            "returned None"),
    "config returns a dict": (lambda t: [config_file(t, "def get_config():\n    return "
                                                        "{'seed': 1}\n"), "--config.seed=2"],
                              "returned a dict"),
    "config lacks keys": (lambda t: [config_file(t, "import ml_collections\ndef get_config():\n"
                                                    "    return ml_collections.ConfigDict("
                                                    "{'seed': 0})\n")], "lacks keys"),
    "config sets a key that does not exist": (
        lambda t: [config_file(t, "from ktrain_kit.config import default_config\n"
                                  "def get_config():\n    c = default_config()\n"
                                  "    c.train.epoch = 5\n    return c\n")], "train.epochs"),
    "config argument that raises": (lambda t: [config_file(t, "def get_config(arg):\n"
                                                              "    return int(arg)\n") + ":x"],
                                    "invalid literal"),
    # before: a folder was "does not exist", a .pyc a SyntaxError about null bytes, and a
    # ':ARGUMENT' that get_config() does not take (or lacks) "fix that file"
    "a folder as the config file": (lambda t: [f"--config={t}"], "is a folder"),
    "a compiled config file": (lambda t: [f"--config={compiled_config(t)}"],
                               "is not Python source"),
    "an argument the config does not take": (lambda t: [f"{MLP}:0.1"],
                                             "takes no argument, but --config gives it ':0.1'"),
    "a config that needs an argument, given none": (
        lambda t: [config_file(t, "def get_config(arg):\n    return int(arg)\n")],
        "needs an argument; pass it after a colon"),
    "section given a value": (lambda t: [MLP, "--config.train=5"], "is a section"),
    "a config from a folder that holds no run": (
        lambda t: [f"--config=configs/from_run.py:{t}"], "from_run.py': run folder"),
    "a key with an empty part": (lambda t: [MLP, "--config.train.=5"], "empty part"),
    # --- numbers that must not slip through
    "nan warmup": (lambda t: [MLP, "--config.schedule.warmup_epochs=nan"],
                   "schedule.warmup_epochs"),
    "inf weight decay": (lambda t: [MLP, "--config.optimizer.weight_decay=inf"],
                         "optimizer.weight_decay"),
    "nan clipping": (lambda t: [MLP, "--config.optimizer.clip_global_norm=nan"],
                     "optimizer.clip_global_norm"),
    "negative seed": (lambda t: [MLP, "--config.seed=-1"], "seed"),
    "huge seed": (lambda t: [MLP, "--config.seed=99999999999"], "seed"),
    "absurd width": (lambda t: [MLP, "--config.model.width=1000000"], "model.width"),
    "absurd image size": (lambda t: [MLP, "--config.data.image_size=100000"], "data.image_size"),
    "model too big for memory": (lambda t: [MLP, "--config.model.width=60000",
                                            "--config.model.depth=30"], "parameters"),
    # numbers bounded before use, whatever key they land in
    "a huge float in a key used as a count": (
        lambda t: [MLP, "--config.schedule.warmup_epochs=1e308"], "schedule.warmup_epochs"),
    "a huge whole number from a config file": (
        lambda t: [mlp_config_with(t, "c.callbacks.doctor.interval = 10**400")],
        "callbacks.doctor.interval"),
    "infinity in a whole-number key from a config file": (
        lambda t: [mlp_config_with(t, "c.callbacks.checkpoint.every_steps = float('inf')")],
        "every_steps"),
    "more virtual devices than sensible": (
        lambda t: [MLP, "--config.runtime.virtual_cpu_devices=100000"],
        "runtime.virtual_cpu_devices"),
    "generated images beyond the machine's memory": (
        lambda t: [MLP, "--config.data.name=synthetic_images", "--config.data.image_size=4000"],
        "GiB"),
    "generated sequences beyond the machine's memory": (
        lambda t: [MLP, "--config.data.name=synthetic_sequences", "--config.model.name=mlp",
                   "--config.data.seq_len=100000", "--config.data.train_examples=10000000"],
        "GiB"),
    "generated examples beyond the machine's memory, by data.synthetic_examples": (
        lambda t: [MLP, "--config.data.name=synthetic_sequences", "--config.model.name=mlp",
                   "--config.data.seq_len=100000", "--config.data.synthetic_examples=10000000"],
        "GiB"),
    # --- what a user passes is honoured or refused: shard folders
    "features.json edited to another shape": (
        lambda t: shards(t, edit=lambda f: f["x"].update(shape=[4, 16, 1])), "features.json"),
    "label noise asked of shards written without it": (
        lambda t: shards(t) + ["--config.data.label_noise=0.2"], "data.label_noise"),
    "another validation share than the shards have": (
        lambda t: shards(t, val_fraction=0.3) + ["--config.data.val_fraction=0.2"],
        "data.val_fraction"),
    "a damaged record early in the shards": (
        lambda t: shards(t, damage_record=3), "shards"),
    "id column as label": (lambda t: data_args("npz", npz(t, x=np.zeros((20, 3)), y=np.r_[
        np.arange(19) % 2, 2**31 - 1])), "2,147,483,648"),
    # --- monitors and environment
    "early stopping monitors nothing logged": (
        lambda t: [MLP, "--config.callbacks.early_stopping.monitor=val_acc"], "val_accuracy"),
    "plateau monitors nothing logged": (
        lambda t: [MLP, "--config.callbacks.reduce_on_plateau.enabled=True",
                   "--config.callbacks.reduce_on_plateau.monitor=val_auc"],
        "callbacks.reduce_on_plateau.monitor"),
    # --- odd files
    "label column past the last": (lambda t: data_args(
        "csv", csv_rows(t, "a,b,y", ["1,2,0", "3,4,1"] * 10), "--config.data.label_column=7"),
        "past the last"),
    # --- tables and labels (ktrain_kit/data/table.py states the rules)
    "a column typed numeric holds text": (lambda t: typed(t, "{'city': 'numeric'}"), "'Oslo'"),
    "data.features names an unknown column": (lambda t: typed(t, "{'town': 'categorical'}"),
                                              "'town'"),
    "data.features types the label column": (lambda t: typed(t, "{'y': 'numeric'}"),
                                             "label column"),
    "data.features with an unknown type": (lambda t: typed(t, "{'city': 'words'}"), "'words'"),
    "data.features on data without columns": (
        lambda t: [MLP, "--config.data.features={'a': 'numeric'}"], "data.features"),
    "two columns with one name": (lambda t: data_args(
        "csv", csv_rows(t, "a,label,label", ["1,0,1", "2,1,0"] * 10),
        "--config.data.label_column=label"), "two columns are named 'label'"),
    "labels that differ only in case": (lambda t: data_args(
        "csv", csv_rows(t, "a,y", ["1,Yes", "2,yes", "3,No", "4,no"] * 5),
        "--config.task.name=binary"), "differ only in letter case"),
    "a missing label": (lambda t: data_args(
        "csv", csv_rows(t, "a,y", ["1,0", "2,1", "3,NA"] + ["4,1"] * 10)), "line 4"),
    "binary csv with three labels": (lambda t: data_args(
        "csv", csv_rows(t, "a,y", ["1,a", "2,b", "3,c"] * 10), "--config.task.name=binary"),
        "exactly 2 distinct labels"),
    "binary csv with one label": (lambda t: data_args(
        "csv", csv_rows(t, "a,y", ["1,0", "2,0"] * 10), "--config.task.name=binary"),
        "exactly 2 distinct labels"),
    "labels mixing numbers and names": (lambda t: data_args(
        "csv", csv_rows(t, "a,y", ["1,0", "2,cat"] * 10)), "mixes numbers and text"),
    "several label columns for a classifier": (lambda t: data_args(
        "csv", csv_rows(t, "a,y,z", ["1,0,1", "2,1,0"] * 10),
        "--config.data.label_columns=y,z"), "data.label_columns"),
    "pandas' default to_json (one object of columns)": (lambda t: data_args(
        "csv", write(t, "frame.json", '{"a":{"0":1,"1":2,"2":3},"label":{"0":"x","1":"y",'
                     '"2":"x"}}')), "orient='records'"),
    "a JSON object of column lists, indented": (lambda t: data_args(
        "csv", write(t, "columns.json", '{\n  "a": [1, 2, 3],\n  "label": ["x", "y", "x"]\n}')),
        "orient='records'"),
    "label_column beside label_columns": (lambda t: data_args(
        "csv", csv_rows(t, "a,label,x1,x2", ["1,0,1.5,2", "2,1,0.5,1"] * 10),
        "--config.task.name=regression", "--config.data.label_columns=x1,x2",
        "--config.data.label_column=label"), "data.label_column"),
    "freezing a built-in model's random layers": (lambda t: [
        MLP, "--config.model.freeze=block"], "init_from is empty"),
    "negative class weight": (lambda t: [MLP, "--config.data.class_weight={0: -1.0}"],
                              "data.class_weight"),
    # --- text
    "only empty text files": (lambda t: data_args("text_folder", text_folder(
        t, {"a": [""] * 10, "b": ["  \n"] * 10}), "--config.model.name=bag"),
        "vocabulary of 0 words"),
    "a vocabulary of one word": (lambda t: data_args("text_folder", text_folder(
        t, {"a": ["yes"] * 10, "b": ["Yes!"] * 10}), "--config.model.name=bag"),
        "vocabulary of 1 word"),
    "text read by a model of numbers": (lambda t: data_args(
        "csv", csv_rows(t, "review,y", ["good film,1", "bad,0"] * 40),
        "--config.data.text_column=review"), "model.name"),
    "a text column on data without columns": (
        lambda t: [MLP, "--config.data.text_column=review"], "data.text_column"),
    "a text column of missing cells only": (lambda t: data_args(
        "csv", csv_rows(t, "review,y", ["NA,1", ",0"] * 10),
        "--config.data.text_column=review", "--config.model.name=bag"), "vocabulary of 0"),
    "the label column as the text column": (lambda t: data_args(
        "csv", csv_rows(t, "review,y", ["good film,1", "bad,0"] * 10),
        "--config.data.text_column=y", "--config.model.name=bag"), "data.text_column"),
    "a text model on a table": (lambda t: data_args(
        "csv", csv_rows(t, "a,y", ["1,1", "2,0"] * 10), "--config.model.name=bag"),
        "model.name"),
    "more training rows asked for than a file has": (lambda t: data_args(
        "csv", csv_rows(t, "a,y", ["1,0", "2,1"] * 20), "--config.data.train_examples=500"),
        "data.train_examples"),
    "infinite feature": (lambda t: data_args(
        "csv", csv_rows(t, "a,y", ["1,0", "inf,1"] + ["2,0", "3,1"] * 10)), "infinite"),
    # real-world exports: refused with the cell and the fix, never misread
    "a semicolon-delimited export with decimal commas": (lambda t: data_args(
        "csv", csv_rows(t, "age;income;y", ["20;1000,5;0", "30;2000,25;1"] * 10)),
        "semicolon-delimited"),
    "a headerless semicolon export with decimal commas": (lambda t: data_args(
        "csv", csv_rows(t, "20;1000,5;0", ["30;2000,25;1", "25;1500,75;0"] * 10),
        "--config.data.header=false"), "semicolon-delimited with decimal commas"),
    "an unknown data.delimiter": (lambda t: data_args(
        "csv", csv_rows(t, "a;y", ["1;0", "2;1"] * 10), "--config.data.delimiter=semicolon"),
        "config key 'data.delimiter'"),
    "a point number in a decimal-comma export": (lambda t: data_args(
        "csv", csv_rows(t, "a;y", ["1.234;0", "2,5;1"] * 10), "--config.data.delimiter=;"),
        "--config.data.decimal=."),
    "a Windows-1252 export read as UTF-8": (lambda t: data_args(
        "csv", write(t, "t.csv", ("city,y\n" + "Malmö,0\nZürich,1\n" * 10).encode("cp1252"))),
        "--config.data.encoding=cp1252"),
    "a codec Python does not know": (lambda t: data_args(
        "csv", csv_rows(t, "a,y", ["1,0", "2,1"] * 10), "--config.data.encoding=cp-1252"),
        "did you mean 'cp1252'?"),
    "a comment line below the rows": (lambda t: data_args(  # on top: read (round h94)
        "csv", csv_rows(t, "a,b,y", ["1,2,0", "3,4,1"] * 10 + ["# exported by tool v1"])),
        "delete line 22 ('# exported by tool v1')"),
    # (`"1,234"` in a comma file is read as 1234 since round h79: test_table_users_bring4.py)
    "numbers with decimal commas in a comma file": (lambda t: data_args(
        "csv", csv_rows(t, "population,y", ['"1,5",0', '"12,25",1', "999,0"] * 10)),
        "'1,5' is a number written with a comma"),
    "a feature too large for float32": (lambda t: data_args(
        "csv", csv_rows(t, "a,b,y", ["1e308,1,0"] + ["2,3,1", "4,5,0"] * 10)),
        "'1e308' is beyond"),
    "a regression target whose square overflows float32": (lambda t: data_args(
        "csv", csv_rows(t, "a,b,price", ["1,2,1e20"] + ["1,2,3", "3,4,5"] * 10),
        "--config.task.name=regression"), "overflows float32"),
    "regression targets whose squared errors underflow float32": (lambda t: data_args(
        "csv", csv_rows(t, "a,b,y", ["1,2,3e-20", "3,4,-1e-20", "2,5,2e-20"] * 10),
        "--config.task.name=regression"), "underflow float32 to 0"),
    "free text given as the label column": (lambda t: data_args(
        "csv", csv_rows(t, "a,review", [f"{i},review number {i} of a film" for i in range(30)])),
        "free text or ids, not classes"),
    "a dash for a missing number": (lambda t: data_args(
        "csv", csv_rows(t, "a,b,y", ["1.5,2,0", "-,4,1"] + ["2.5,3,1", "3.5,4,0"] * 10)),
        "line 3, column 'a': '-' in a column of numbers"),
    "a regression target written with a currency sign": (lambda t: data_args(
        "csv", csv_rows(t, "a,b,price", ["1,2,$3.50", "3,4,5 €"] * 10),  # one sign: read
        "--config.task.name=regression"), "line 2, column 'price': '$3.50' is not a number"),
    "one class name for a classifier": (lambda t: data_args(
        "csv", csv_rows(t, "a,y", ["1,cat", "2,cat"] * 10)), "holds a single class ('cat')"),
    "one class id for a classifier": (lambda t: data_args(
        "npz", npz(t, x=np.random.default_rng(0).normal(size=(40, 3)), y=np.full(40, 3))),
        "holds a single class ('3')"),
    "ragged rows saved as Python objects": (lambda t: data_args("npz", npz(
        t, x=np.array([[1.0, 2.0], [3.0]] * 10, dtype=object), y=np.arange(20) % 2)),
        "holds an array of Python objects"),
    "complex features": (lambda t: data_args("npz", npz(t, x=np.ones((20, 3)) * 1j,
                                                        y=np.arange(20) % 2)), "complex"),
    "float features for a transformer": (lambda t: data_args(
        "npz", npz(t, x=np.random.default_rng(0).normal(size=(40, 8)), y=np.arange(40) % 2),
        "--config.model.name=transformer"), "token ids"),
    # --- model vs data vs task, decided by what the data is
    "cnn on flat rows": (lambda t: data_args("npz", npz(t, x=np.zeros((40, 6)),
                                                        y=np.arange(40) % 2),
                                             "--config.model.name=cnn"), "model.name"),
    "transformer on float images": (lambda t: data_args(
        "npz", npz(t, x=np.zeros((40, 8, 8, 1)), y=np.arange(40) % 2),
        "--config.model.name=transformer"), "model.name"),
    "binary with three labels": (lambda t: data_args(
        "npz", npz(t, x=np.zeros((30, 4)), y=np.arange(30) % 3), "--config.task.name=binary"),
        "exactly 2 distinct labels"),
    "multilabel with one label per example": (lambda t: data_args(
        "npz", npz(t, x=np.zeros((30, 4)), y=np.arange(30) % 2),
        "--config.task.name=multilabel"), "multilabel"),
    "regression on text targets": (lambda t: data_args(
        "csv", csv_rows(t, "a,b,price", ["1,2,cheap", "3,4,dear"] * 10),
        "--config.task.name=regression"), "numbers"),
    "user model module missing": (lambda t: [MLP, "--config.model.name=nosuchmodule:build"],
                                  "nosuchmodule"),
    "user model of the wrong width": (lambda t: user_model(t, "wrong_outputs"), "(10,)"),
    "user builder returns no model": (lambda t: user_model(t, "not_a_model"), "keras.Model"),
    "user builder raises": (lambda t: user_model(t, "raises"), "the builder is broken"),
    # placed at the builder's line, not in the library that raised (ml_collections, Keras)
    "user builder reads a missing config key": (
        lambda t: user_model(t, "reads_a_missing_key"),
        "reads the config key 'model.hidden_units' at "),
    "user builder reads a missing config key, its line": (
        lambda t: user_model(t, "reads_a_missing_key"), builder_line("reads_a_missing_key")),
    "user builder fails inside Keras": (
        lambda t: user_model(t, "fails_inside_keras"), builder_line("fails_inside_keras")),
    # --- a model the toolkit cannot train: refused by what it is, before the folder exists
    "user model ends in a probability activation": (
        lambda t: user_model(t, "probabilities_by_activation"), "probabilities"),
    "user model normalizes its outputs by an op": (
        lambda t: user_model(t, "probabilities_by_an_op"), "probabilities"),
    "binary user model ends in a sigmoid": (
        lambda t: user_model(t, "sigmoid_head") + ["--config.task.name=binary",
                                                   "--config.data.name=npz", "--config.data.path="
                                                   + npz(t, x=np.random.default_rng(0).normal(
                                                       size=(40, 4)), y=np.arange(40) % 2)],
        "probabilities"),
    "user model with every layer frozen": (lambda t: user_model(t, "all_frozen"),
                                           "no trainable weights"),
    "user model without weights": (lambda t: user_model(t, "no_weights"), "no trainable weights"),
    "freeze rules that freeze everything": (lambda t: [MLP, "--config.model.freeze=."],
                                            "random weights"),
    "user model with two inputs": (lambda t: user_model(t, "two_inputs"), "2 inputs"),
    # --- user code that ends the process itself: one line naming it
    "user builder calls sys.exit": (lambda t: user_model(t, "exits"), "sys.exit(0)"),
    "user builder raises KeyboardInterrupt": (lambda t: user_model(t, "interrupts"),
                                              "KeyboardInterrupt"),
    "user model module exits at import": (
        lambda t: [MLP, f"--config.model.name=exiting_{write(t, 'exiting_models.py', 'import sys; sys.exit(3)') and 'models'}:build"],
        "exiting_models"),
    "config file exits while loading": (
        lambda t: [config_file(t, "import sys\nsys.exit(0)\n")], "sys.exit(0)"),
    "config function exits": (
        lambda t: [config_file(t, "import sys\ndef get_config():\n    sys.exit(1)\n")],
        "sys.exit(1)"),
    "backbone on 8x8 digits": (lambda t: [CNN, "--config.model.name=keras_app",
                                          "--config.model.backbone=MobileNetV3Small"],
                               "model.backbone"),
    "unknown backbone": (lambda t: [CNN, "--config.model.name=keras_app",
                                    "--config.model.backbone=AlexNet"], "AlexNet"),
    "freeze rule matching nothing": (lambda t: [MLP, "--config.model.freeze=encoder"],
                                     "model.freeze"),
    "weight decay rule matching nothing": (
        lambda t: [MLP, "--config.optimizer.weight_decay_exclude=decoder"], "matches no variable"),
    "label smoothing outside classification": (
        lambda t: [MLP, "--config.task.name=binary", "--config.task.label_smoothing=0.1"],
        "task"),
    # --- values of the right field but the wrong kind
    "a boundary that is not a number": (
        lambda t: [MLP, "--config.schedule.name=step", "--config.train.epochs=5",
                   "--config.schedule.boundaries=('a', 'b')"], "schedule.boundaries"),
    "a verbosity that is not a choice": (lambda t: [MLP, "--config.train.verbose=3"],
                                         "train.verbose"),
    "a csv label column on data without columns": (
        lambda t: [MLP, "--config.data.label_column=y"], "data.label_column"),
    "x with more axes than an image": (lambda t: data_args("npz", npz(
        t, x=np.zeros((20, 2, 2, 2, 2)), y=np.arange(20) % 2)), "more axes"),
    "x a single value": (lambda t: data_args("npz", npz(t, x=np.float64(3), y=np.arange(20))),
                         "single value"),
    "a sweep file given as the config": (lambda t: ["--config=sweeps/digits_mlp_lr.py"],
                                         "(it defines get_sweep(): a sweep file)"),
    "config file without get_config": (lambda t: [config_file(t, "x = 1\n")],
                                       "defines no get_config()"),
    # --- numbers a float32 model cannot learn from
    "regression targets all the same": (lambda t: data_args(
        "npz", npz(t, x=np.random.default_rng(0).normal(size=(40, 3)), y=np.full(40, 5.0)),
        "--config.task.name=regression"), "nothing to learn"),
    "regression targets beyond float32": (lambda t: data_args(
        "npz", npz(t, x=np.random.default_rng(0).normal(size=(40, 3)), y=np.arange(40) * 1e300),
        "--config.task.name=regression"), "float32"),
    "inputs beyond float32": (lambda t: data_args("npz", npz(
        t, x=np.random.default_rng(0).normal(size=(40, 3)) * 1e300, y=np.arange(40) % 2)),
        "float32"),
    "a csv cell beyond float32": (lambda t: data_args(
        "csv", csv_rows(t, "a,y", ["1,0", "1e300,1"] + ["2,0", "3,1"] * 10)), "'1e300'"),
    "a plateau floor above the learning rate": (
        lambda t: [MLP, "--config.callbacks.reduce_on_plateau.enabled=True",
                   "--config.callbacks.reduce_on_plateau.min_lr=10"],
        "callbacks.reduce_on_plateau.min_lr"),
    # --- values the locked config lets in though not of the field's kind, keys read only
    #     when another key selects them (tests/test_config_fields.py covers every key)
    "a config file setting None for a number": (
        lambda t: [mlp_config_with(t, "c.train.epochs = None")], "train.epochs"),
    "a config file setting True for a count": (
        lambda t: [mlp_config_with(t, "c.data.batch_size = True")],
        "data.batch_size"),
    "a config file assigning a number with a point to a whole-number key": (
        lambda t: [mlp_config_with(t, "c.train.epochs = 2.0")],
        "at line 4 failed to load ('epochs' takes a whole number, not the float 2.0)"),
    "a data path while data.name picks the digits": (
        lambda t: [MLP, "--config.data.path=" + write(t, "mine.csv", "a,y\n1,0\n")], "data.path"),
    "an empty --workdir (an unset shell variable)": (lambda t: [MLP, "--workdir="],
                                                     "--workdir is empty"),
    # --- '~' after '=' is not expanded by the shell: it would name a folder called '~'
    "a data path from home": (lambda t: data_args("npz", "~/d.npz"), "data.path': '~"),
    "a run folder from home": (lambda t: [MLP, "--workdir=~/must_not_exist"], "starts with ~"),
}
# Environment variables a case runs with.
CASE_ENV = {"malformed TF_CONFIG": ({"TF_CONFIG": "{not json"}, "TF_CONFIG")}
CASES["malformed TF_CONFIG"] = (lambda t: [MLP], "TF_CONFIG")


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_cleanly(tmp_path, case):
    make_args, fragment = CASES[case]
    args = make_args(tmp_path)
    workdir = str(tmp_path / "must_not_exist")
    if not any(a.startswith("--workdir") for a in args):
        args.append(f"--workdir={workdir}")
    env = {**CASE_ENV.get(case, ({}, None))[0], "PYTHONPATH": f"{tmp_path}:{ROOT}"}
    result = run_launcher("launchers.train", *args, timeout=120, env=env)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(errors) == 1 and fragment in errors[0], result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not os.path.exists(workdir)


def snapshot(folder):
    return {os.path.join(d, f): os.path.getmtime(os.path.join(d, f))
            for d, _, files in os.walk(folder) for f in files}


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    from ktrain_kit.training import train
    workdir = str(tmp_path_factory.mktemp("finished") / "run")
    train(load_config("digits_mlp", train__epochs=2, train__verbose=0,
                      data__train_examples=64), workdir)
    return workdir


@pytest.mark.parametrize("extra,fragment", [
    (["--config.train.epochs=2", "--config.data.train_examples=64"], "finished run"),
    (["--config.train.epochs=3", "--config.data.train_examples=64"], "different config"),
])
def test_existing_run_folder_is_left_untouched(finished_run, extra, fragment):
    before = snapshot(finished_run)
    result = run_launcher("launchers.train", MLP, *extra, *PINNED_FLAGS,
                          f"--workdir={finished_run}")
    assert result.returncode == 2 and fragment in result.stderr
    assert "--overwrite" in result.stderr
    assert snapshot(finished_run) == before


def users_lr_find_csv(tmp):
    """A folder holding a file of the user's that happens to be called lr_find.csv."""
    os.makedirs(tmp / "mine")
    write(tmp, "mine/lr_find.csv", "my own results\n")
    return str(tmp / "mine")


# The other launchers: (module, function of tmp_path returning its arguments, error fragment).
# Each is given an output folder that must not appear; a file given as one must stay as it was.
OTHER_LAUNCHER_CASES = {
    "lr_find into a file": ("launchers.lr_find",
                            lambda t: [MLP, f"--workdir={write(t, 'notes.txt', 'mine')}"],
                            "is a file"),
    "lr_find into a path inside a file": (
        "launchers.lr_find", lambda t: [MLP, f"--workdir={write(t, 'notes.txt', 'mine')}/run"],
        "inside the file"),
    "lr_find into a folder whose lr_find.csv is the user's": (
        "launchers.lr_find", lambda t: [MLP, f"--workdir={users_lr_find_csv(t)}"],
        "holds files that are not lr_find's"),
    "lr_find to an infinite rate": ("launchers.lr_find", lambda t: [MLP, "--max_lr=inf"],
                                    "--max_lr"),
    "lr_find for a hundred billion steps": (
        "launchers.lr_find", lambda t: [MLP, "--steps=99999999999"], "--steps"),
    "shards into a file": ("launchers.make_tfrecords",
                           lambda t: [MLP, f"--out={write(t, 'notes.txt', 'mine')}"],
                           "is a file"),
    "shards into an empty path": ("launchers.make_tfrecords", lambda t: [MLP, "--out="],
                                  "--out is empty"),
    "more shards than examples": ("launchers.make_tfrecords",
                                  lambda t: [MLP, "--shards=5000"], "--shards"),
    "shards into home by '~'": ("launchers.make_tfrecords", lambda t: [MLP, "--out=~/shards"],
                                "--out: '~"),
    "evaluate a file": ("launchers.evaluate",
                        lambda t: [f"--workdir={write(t, 'notes.txt', 'mine')}"], "is a file"),
    "the doctor on a file": ("launchers.doctor", lambda t: [write(t, "notes.txt", "mine")],
                             "is a file"),
    "the doctor on a folder that does not exist": (
        "launchers.doctor", lambda t: [str(t / "must_not_exist")], "does not exist"),
    "a sweep into a path inside a file": (
        "launchers.sweep", lambda t: [MLP, "--sweep=sweeps/digits_mlp_lr.py",
                                      f"--workdir={write(t, 'notes.txt', 'mine')}/sweep"],
        "inside the file"),
    "a sweep with more workers than trials": (
        "launchers.sweep", lambda t: [MLP, "--sweep=sweeps/digits_mlp_lr.py", "--trials=2",
                                      "--workers=100000", f"--workdir={t}/must_not_exist"],
        "--workers=100000 is more than the 2 trials"),
    "a sweep into a database URL nothing can open": (
        "launchers.sweep", lambda t: [MLP, "--sweep=sweeps/digits_mlp_lr.py",
                                      "--storage=nosuchdb://host/db",
                                      f"--workdir={t}/must_not_exist"],
        "--storage 'nosuchdb://host/db' cannot be opened"),
    "the doctor on a diagnosis.json edited into another shape": (
        "launchers.doctor", lambda t: [a_hand_edited_run(t, "diagnosis.json", '{"findings": 5}')],
        "diagnosis.json is damaged (its 'findings' is not a list"),
    "the doctor on a diagnosis.json that is not JSON": (
        "launchers.doctor", lambda t: [a_hand_edited_run(t, "diagnosis.json", '{"findings": [')],
        "diagnosis.json is damaged (not a JSON object)"),
    "evaluate a run whose config.json is not JSON": (
        "launchers.evaluate", lambda t: [f"--workdir={a_hand_edited_run(t, 'config.json', '{')}"],
        "config.json is unreadable; put back the file its training wrote"),
    "export a run whose config.json is a list": (
        "launchers.export", lambda t: [f"--workdir={a_hand_edited_run(t, 'config.json', '[]')}"],
        "not a ktrain_kit config; put back the file"),
    "evaluate a run whose config.json was edited to hold a null": (
        "launchers.evaluate",
        lambda t: ["--workdir=" + a_hand_edited_run(t, "config.json",
                                                     '{"data": {"batch_size": null}, '
                                                     '"model": {}, "train": {}}')],
        "config key 'data.batch_size': None is not a whole number"),
    "a config file given as the sweep": (
        "launchers.sweep", lambda t: [MLP, f"--sweep={MLP.split('=')[1]}",
                                      f"--workdir={t}/must_not_exist"],
        "defines no get_sweep() (it defines get_config(): a config file)"),
    "evaluate without its required --workdir": ("launchers.evaluate", lambda t: [],
                                                "--workdir is required"),
    "more validation shards than examples": (
        "launchers.make_tfrecords", lambda t: [MLP, "--shards=2", "--val_shards=1000"],
        "--val_shards"),
}


def a_hand_edited_run(tmp, name, content):
    """A run folder (as far as the launchers look before the edited file) with `name` edited
    by hand into `content`. Before: the doctor printed a traceback for a diagnosis of another
    shape and called one that is not JSON missing; evaluate and export told the user to pass
    --overwrite, a flag they do not have."""
    os.makedirs(tmp / "run")
    write(tmp, "run/manifest.json", json.dumps({"entries": ["config.json", "diagnosis.json"]}))
    write(tmp, f"run/{name}", content)
    return str(tmp / "run")


@pytest.mark.parametrize("case", list(OTHER_LAUNCHER_CASES))
def test_other_launchers_refuse_bad_input_cleanly(tmp_path, case):
    module, make_args, fragment = OTHER_LAUNCHER_CASES[case]
    args = make_args(tmp_path)
    folder = str(tmp_path / "must_not_exist")
    flag = {"launchers.lr_find": "--workdir", "launchers.make_tfrecords": "--out"}.get(module)
    if flag and not any(a.startswith(flag) for a in args):
        args.append(f"{flag}={folder}")
    result = run_launcher(module, *args, timeout=120)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(errors) == 1 and fragment in errors[0], result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not os.path.exists(folder)
    if os.path.exists(tmp_path / "notes.txt"):
        assert (tmp_path / "notes.txt").read_text() == "mine"


def a_run_folder(tmp):
    """What a training run leaves, as far as telling it apart needs: its manifest and files."""
    folder = tmp / "run"
    os.makedirs(folder / "plots")
    write(tmp, "run/manifest.json", '{"entries": ["metrics.csv", "plots/loss.png"]}')
    write(tmp, "run/metrics.csv", "epoch,loss\n1,0.5\n")
    write(tmp, "run/plots/loss.png", b"png")
    return folder


def a_folder_of_notes(tmp):
    os.makedirs(tmp / "notes")
    write(tmp, "notes/mine.txt", "mine")
    return tmp / "notes"


@pytest.mark.parametrize("make_folder,fragment", [
    (a_run_folder, "training run's folder"), (a_folder_of_notes, "not a sweep's: mine.txt")])
def test_a_sweep_keeps_out_of_folders_not_its_own(tmp_path, make_folder, fragment):
    folder = make_folder(tmp_path)
    before = snapshot(folder)
    result = run_launcher("launchers.sweep", MLP, "--sweep=sweeps/digits_mlp_lr.py",
                          f"--workdir={folder}", "--trials=1", timeout=120)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(errors) == 1 and fragment in errors[0], result.stderr[-2000:]
    assert snapshot(folder) == before


# Every launcher but the doctor (which takes the run folder) takes flags only: its required
# flags, with the output folder last.
LAUNCHERS_WITH_FLAGS_ONLY = {
    "launchers.train": [MLP, "--workdir="], "launchers.evaluate": ["--workdir="],
    "launchers.export": ["--workdir="], "launchers.lr_find": [MLP, "--workdir="],
    "launchers.make_tfrecords": [MLP, "--out="],
    "launchers.sweep": [MLP, "--sweep=sweeps/digits_mlp_lr.py", "--workdir="]}


def test_every_launcher_is_a_module_the_tests_know():
    names = {f[:-3] for f in os.listdir(os.path.join(ROOT, "launchers"))
             if f.endswith(".py") and not f.startswith("_")}
    assert {f"launchers.{n}" for n in names} == set(LAUNCHERS_WITH_FLAGS_ONLY) | {
        "launchers.doctor"}


@pytest.mark.parametrize("module", sorted(LAUNCHERS_WITH_FLAGS_ONLY))
def test_a_stray_argument_is_refused_by_every_launcher(tmp_path, module):
    """`evaluate --workdir=RUN extra` ignored `extra` (a flag missing its `--` or `=` is the
    usual cause); cli.run refuses it for every launcher, before anything is read."""
    *flags, out = LAUNCHERS_WITH_FLAGS_ONLY[module]
    result = run_launcher(module, *flags, "extra", f"{out}{tmp_path / 'must_not_exist'}",
                          timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(errors) == 1 and "unexpected argument 'extra'" in errors[0], result.stderr
    assert not os.path.exists(tmp_path / "must_not_exist")
