"""Bad input by class, not by example: each test draws or enumerates a whole class of mistakes
a new user makes (sizes that are each valid but together impossible, a config FILE holding a
value of the wrong kind, a data path of the wrong kind, a listed example that is not there)
and states the rule independently of the code it checks. In-process, no TensorFlow, except
the one group of config files run through the launcher (no training: refused in under a
second each)."""

import errno
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import load_config, run_launcher
from ktrain_kit import cli
from ktrain_kit import config as config_lib
from ktrain_kit import config_fields
from ktrain_kit.errors import UserError

DIGITS = 1797  # examples in scikit-learn's digits, counted here rather than read from the code


def _expected_refusal(batch_size, accumulation, val_fraction, train_examples, epochs,
                      warmup_epochs, steps_per_execution):
    """The key a digits run of these sizes must be refused for, or None when it can train.
    Written from the documented contracts: at least one example is held out for validation;
    the batch is split into `accumulation` equal micro-batches; a batch larger than the
    training set shrinks to the largest multiple of the micro-batch count within it; an
    epoch's steps are a multiple of steps_per_execution; warmup is shorter than training, and
    at least one step when asked for."""
    if batch_size % accumulation:
        return "data.batch_size"
    held_out = max(1, round(DIGITS * val_fraction))
    train = DIGITS - held_out
    if train_examples:
        train = min(train, train_examples)
    if train < 1:
        return "data.val_fraction"
    batch = batch_size if batch_size <= train else train // accumulation * accumulation
    if batch < 1:
        return "data.batch_size"
    steps = train // batch
    if steps % steps_per_execution:
        return "train.steps_per_execution"
    if round(warmup_epochs * steps) >= steps * epochs:
        return "schedule.warmup_epochs"
    if warmup_epochs and round(warmup_epochs * steps) == 0:  # asked for, and no step long
        return "schedule.warmup_epochs"
    return None


@settings(max_examples=400, deadline=None)
@given(batch_size=st.integers(1, 4096), accumulation=st.sampled_from([1, 2, 3, 4, 8, 64]),
       val_fraction=st.one_of(st.floats(1e-9, 0.999999), st.sampled_from([1e-9, 0.9999, 0.5])),
       train_examples=st.one_of(st.just(0), st.integers(1, 3000)),
       epochs=st.integers(1, 5), warmup_epochs=st.sampled_from([0.0, 0.5, 1.0, 3.0, 10.0]),
       steps_per_execution=st.sampled_from([1, 1, 2, 7]))
def test_sizes_each_valid_but_together_impossible_are_refused_naming_the_cause(
        batch_size, accumulation, val_fraction, train_examples, epochs, warmup_epochs,
        steps_per_execution):
    """Batch vs data vs accumulation vs validation share vs epochs vs warmup vs steps per
    execution: validate() refuses exactly the impossible combinations, in one line naming
    the key the rule above names, and never raises anything else. (A validation share
    leaving no training rows was blamed on data.batch_size and 'fewer accumulation steps'.)"""
    c = load_config("digits_mlp", data__batch_size=batch_size,
                    train__accumulation_steps=accumulation, data__val_fraction=val_fraction,
                    data__train_examples=train_examples, train__epochs=epochs,
                    schedule__warmup_epochs=warmup_epochs,
                    train__steps_per_execution=steps_per_execution)
    expected = _expected_refusal(batch_size, accumulation, val_fraction, train_examples,
                                 epochs, warmup_epochs, steps_per_execution)
    if expected is None:
        config_lib.validate(c)
        return
    with pytest.raises(UserError) as e:
        config_lib.validate(c)
    assert str(e.value).startswith(f"config key '{expected}'"), (expected, str(e.value))
    assert "\n" not in str(e.value)


# Values a config FILE can assign: Python's own kinds and what numpy / the standard library
# hand out, beyond what the command line can spell.
FILE_VALUES = [None, True, 0, -1, 1.5, float("nan"), float("inf"), 10**30, "x", "", "ü",
               b"x", (1,), (), [1], [], {"a": 1}, 1j]


@pytest.mark.parametrize("key", sorted(k for k, _ in config_fields.leaves(
    config_lib.default_config())))
def test_every_value_a_config_file_can_assign_is_refused_naming_the_field_or_accepted(key):
    """Each key, set in the config file (not on the command line) to each kind of value:
    either the locked config refuses the assignment and cli words it as the kind the field
    takes (naming the field), or validate() accepts the config or refuses it in one line
    naming the key. Nothing else (a traceback) is possible."""
    field = key.rsplit(".", 1)[-1]
    for value in FILE_VALUES:
        c = load_config("digits_mlp")
        *path, last = key.split(".")
        node = c
        for part in path:
            node = node[part]
        try:
            node[last] = value
        except TypeError as e:
            words = cli._kind_in_words(str(e))
            assert words and words.startswith(f"'{field}' takes "), (value, str(e))
            continue
        try:
            config_lib.validate(c)
        except UserError as e:
            assert "\n" not in str(e) and str(e).startswith("config key '"), str(e)


# The data names that read one file, and those that read a folder (from README's data section).
READS_A_FILE = {"npz", "csv"}
READS_A_FOLDER = {"image_folder", "text_folder", "tfrecord"}


def test_a_data_path_of_the_other_kind_is_refused_naming_data_path(tmp_path):
    """A folder where data.name reads a file, a file where it reads a folder, neither
    holding anything another data.name reads: refused naming data.path and what it is,
    before any reader (before: 'cannot be read (IsADirectoryError); check the path', and
    for npz 'write it with numpy.savez', advice for another problem)."""
    from ktrain_kit.data import sources
    assert READS_A_FILE | READS_A_FOLDER == set(config_lib.PATH_DATASETS)
    folder = tmp_path / "folder"
    os.makedirs(folder / "sub")
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01 not data")
    for name in sorted(config_lib.PATH_DATASETS):
        wrong, kind = ((folder, "folder") if name in READS_A_FILE else
                       (tmp_path / "notes.bin", "file"))
        c = load_config("digits_mlp", data__name=name, data__path=str(wrong))
        with pytest.raises(UserError) as e:
            sources.load(c.data, c.task, 0)
        message = str(e.value)
        assert message.startswith("config key 'data.path'") and f"is a {kind}" in message, \
            (name, message)


@pytest.mark.parametrize("suffix,reader", [(".png", "sources.image_folder_files"),
                                           (".txt", "text.folder_texts")])
def test_a_listed_example_that_is_a_link_to_nothing_is_named(tmp_path, suffix, reader):
    """A class folder holding a symbolic link to a file that is gone: named, with where it
    points, when the folder is listed (before: 'a file operation failed ...; make that folder
    writable', at the first read)."""
    from ktrain_kit.data import sources, text
    for cls in ("a", "b"):
        os.makedirs(tmp_path / cls)
        (tmp_path / cls / f"0{suffix}").write_bytes(b"x")
    os.symlink(tmp_path / "gone", tmp_path / "b" / f"1{suffix}")
    module, function = reader.split(".")
    list_folder = getattr({"sources": sources, "text": text}[module], function)
    with pytest.raises(UserError) as e:
        list_folder(str(tmp_path))
    assert f"1{suffix}" in str(e.value) and "does not exist" in str(e.value), str(e.value)


@pytest.mark.parametrize("error", [
    FileNotFoundError(errno.ENOENT, "No such file or directory", "/data/a/x.png"),
    type("NotFoundError", (Exception,), {})(
        "/data/a/x.png; No such file or directory"),  # TensorFlow's, by name
], ids=["python", "tensorflow"])
def test_a_file_missing_while_running_is_told_as_missing_not_as_unwritable(error):
    """The one table of endings (cli.ending): a missing file is exit 2 naming it; the advice
    to make a folder writable is for files that cannot be written."""
    line, code = cli.ending(error)
    assert code == 2 and "'/data/a/x.png'" in line and "missing" in line, line
    assert "writable" not in line


@pytest.mark.parametrize("error,denied", [
    (OSError("Unable to synchronously open file (file signature not found)"), False),
    (OSError(errno.EISDIR + 1000, "Some other failure", "/data/w.h5"), False),
    (OSError(errno.EIO, "Input/output error", "/data/w.h5"), False),
    (PermissionError(errno.EACCES, "Permission denied", "/r/config.json"), True),
    (OSError(errno.EPERM, "Operation not permitted", "/r/config.json"), True),
    (OSError(errno.EROFS, "Read-only file system", "/r/config.json"), True),
])
def test_only_a_denied_write_is_told_to_make_a_folder_writable(error, denied):
    """Every other OSError (h5py's on a .weights.h5 that is no HDF5 file, an I/O error) was
    'make that folder writable', which cannot help: exit 2 either way, advice by cause."""
    line, code = cli.ending(error)
    assert code == 2 and "\n" not in line
    assert ("writable" in line) == denied, line


@pytest.mark.parametrize("name,body", [("README.md", "# My project\nIt's nice.\n"),
                                       ("config.json", '{"seed": 0, "deterministic": true}'),
                                       ("settings.yaml", "train:\n  epochs: 3\n")])
def test_a_config_that_is_not_python_says_so(tmp_path, name, body):
    """A run's config.json, a YAML file, a README as --config: 'is not a Python config'
    (before: Python's words, 'NameError: name 'true' is not defined; fix that file'); for a
    run's config.json, the command that trains it again."""
    path = tmp_path / name
    path.write_text(body)
    result = run_launcher("launchers.train", f"--config={path}",
                          f"--workdir={tmp_path / 'run'}", timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr[-2000:]
    assert "is not a Python config" in errors[0], errors[0]
    assert ("configs/from_run.py:" in errors[0]) == (name == "config.json"), errors[0]


def test_from_run_without_its_folder_says_where_the_folder_goes(tmp_path):
    result = run_launcher("launchers.train", "--config=configs/from_run.py",
                          f"--workdir={tmp_path / 'run'}", timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr[-2000:]
    assert "--config=configs/from_run.py:RUN_FOLDER" in errors[0]
    assert "fix that file" not in errors[0]


@pytest.mark.slow
def test_a_backbone_weights_file_that_is_not_one_names_backbone_weights(tmp_path):
    """A .weights.h5 that is no HDF5 file: 'a file operation failed (Unable to synchronously
    open file); make that folder writable' before. Builds EfficientNetV2B0 twice (~10 s)."""
    weights = tmp_path / "backbone.weights.h5"
    weights.write_text("not hdf5")
    result = run_launcher("launchers.train", "--config=configs/digits_mlp.py",
                          "--config.model.name=keras_app", "--config.data.name=synthetic_images",
                          "--config.data.train_examples=64",
                          f"--config.model.backbone_weights={weights}",
                          f"--workdir={tmp_path / 'run'}", timeout=180)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr[-2000:]
    assert errors[0].startswith("error: config key 'model.backbone_weights'"), errors[0]
    assert not os.path.exists(tmp_path / "run")


# Config files as a new user writes them wrong, through the launcher (refused before
# TensorFlow starts, well under a second each): (file body, fragment of the error line).
BASE = ("from ktrain_kit.config import default_config\n"
        "def get_config():\n    c = default_config()\n    c.model.name = 'mlp'\n")
CONFIG_FILES = {
    "raises at import": ("raise ValueError('boom')\n", "at line 1 failed to load (ValueError"),
    "imports a module that is not there": ("import nosuchmodule_xyz\n", "nosuchmodule_xyz"),
    "get_config is not a function": ("get_config = 5\n", "not callable"),
    "get_config takes two arguments": ("def get_config(a, b):\n    return None\n",
                                       "passes one text argument, by position"),
    "get_config returns a list": ("def get_config():\n    return [1]\n",
                                  "get_config() returned a list, not a config"),
    "get_config returns a path": ("def get_config():\n    return 'configs/digits_mlp.py'\n",
                                  "get_config() returned a str, not a config"),
    "get_config is a class": ("class get_config:\n    pass\n", "returned a get_config, not"),
    "an empty file": ("", "defines no get_config()"),
    "a key of the wrong kind in the file": (BASE + "    c.train.epochs = '10'\n    return c\n",
                                            "'epochs' takes a whole number"),
    "None in the file": (BASE + "    c.train.epochs = None\n    return c\n",
                         "config key 'train.epochs'"),
    "NaN in the file": (BASE + "    c.model.dropout = float('nan')\n    return c\n",
                        "config key 'model.dropout'"),
    "a list for a name": (BASE + "    c.optimizer.name = ['sgd']\n    return c\n",
                          "'name' takes text"),
    "an extra key": (BASE + "    c.unlock()\n    c.train.epoch = 3\n    return c\n",
                     "did you mean 'train.epochs'"),
    "a section replaced": (BASE + "    c.optimizer = None\n    return c\n",
                           "lacks keys optimizer."),
    "unicode in a name": (BASE + "    c.data.name = 'dígits'\n    return c\n",
                          "did you mean 'digits'"),
    "no rows left to train on": (BASE + "    c.data.val_fraction = 0.9999\n    return c\n",
                                 "config key 'data.val_fraction'"),
}


@pytest.mark.parametrize("override", [[], ["--config.seed=1"]], ids=["alone", "overridden"])
@pytest.mark.parametrize("case", list(CONFIG_FILES))
def test_a_config_file_written_wrong_is_one_line_naming_it(tmp_path, case, override):
    """The same line with or without a --config.KEY=VALUE on the command line (with one,
    a get_config() returning a list was 'failed to load (TypeError: list indices must be
    integers or slices, not str)': the override, set on the list, raised)."""
    body, fragment = CONFIG_FILES[case]
    path = tmp_path / "my config ü.py"  # a name with a space and a letter outside ASCII
    path.write_text(body, encoding="utf-8")
    workdir = tmp_path / "run"
    result = run_launcher("launchers.train", f"--config={path}", *override,
                          f"--workdir={workdir}", timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(errors) == 1 and fragment in errors[0], result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not os.path.exists(workdir)


LAUNCHERS = sorted(f"launchers.{f[:-3]}" for f in os.listdir(os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "launchers"))
    if f.endswith(".py") and not f.startswith("_"))


@pytest.mark.parametrize("module", LAUNCHERS)
def test_a_flag_file_that_cannot_be_opened_is_one_line_in_every_launcher(tmp_path, module):
    """`--flagfile=args.txt` misspelt: the launchers with --config crashed with absl's
    CantOpenFlagFileError traceback at import (ml_collections reads the flag file while
    defining --config); every launcher now says it in one line, exit 2."""
    result = run_launcher(module, f"--flagfile={tmp_path / 'no_such_args.txt'}", timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(errors) == 1 and "--flagfile" in errors[0] and "no_such_args.txt" in errors[0], \
        result.stderr[-2000:]
    assert "Traceback" not in result.stderr


# Every launcher that writes into a folder the user names, with that flag. A folder holding
# the user's own files must be refused and left as it was (launchers.train and the sweep
# refused it; lr_find and make_tfrecords wrote their files among the user's: into configs/).
OUTPUT_FOLDERS = {
    "launchers.train": ("--workdir", ["--config=configs/digits_mlp.py"]),
    "launchers.sweep": ("--workdir", ["--config=configs/digits_mlp.py",
                                      "--sweep=sweeps/digits_mlp_lr.py", "--trials=1"]),
    "launchers.lr_find": ("--workdir", ["--config=configs/digits_mlp.py", "--steps=10"]),
    "launchers.make_tfrecords": ("--out", ["--config=configs/digits_mlp.py", "--shards=1"]),
}


def test_every_launcher_that_writes_a_folder_is_in_the_table():
    """A launcher added with an output flag must join OUTPUT_FOLDERS (its flags are read
    from its source, as cli does)."""
    writes = {module for module in LAUNCHERS if {"workdir", "out"} & set(
        cli.launcher_flags(module.split(".")[1]))}
    # evaluate and export read the run folder a training run wrote; they write into it
    assert writes - {"launchers.evaluate", "launchers.export"} == set(OUTPUT_FOLDERS)


@pytest.mark.parametrize("module", sorted(OUTPUT_FOLDERS))
def test_a_folder_of_the_users_own_files_is_refused_and_left_as_it_was(tmp_path, module):
    """A folder of notes that also holds a file of the name the launcher writes (lr_find.csv,
    features.json): refused in one line before any work, every file kept byte for byte."""
    flag, args = OUTPUT_FOLDERS[module]
    folder = tmp_path / "my notes"
    os.makedirs(folder)
    mine = {"notes.txt": b"mine", "lr_find.csv": b"my own table", "features.json": b"{}"}
    for name, content in mine.items():
        (folder / name).write_bytes(content)
    result = run_launcher(module, *args, f"{flag}={folder}", timeout=120)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(errors) == 1 and str(folder) in errors[0], result.stderr[-2000:]
    assert sorted(os.listdir(folder)) == sorted(mine)
    assert all((folder / name).read_bytes() == content for name, content in mine.items())


@pytest.mark.parametrize("flag,writes", [
    ("--workdir", ("lr_find.csv".__eq__, "lr_find's")),
    ("--out", (lambda name: name.endswith(".tfrecord"), "shards")),
])
def test_an_output_folder_holding_only_the_tools_own_files_is_accepted(tmp_path, flag, writes):
    """The rule in-process: a new folder, an empty one, or one holding only what the tool
    writes (its temporary files too) is accepted; one other entry is refused naming it."""
    from ktrain_kit import runfolder
    runfolder.check_output_folder(str(tmp_path / "new"), flag, writes)
    os.makedirs(tmp_path / "out")
    runfolder.check_output_folder(str(tmp_path / "out"), flag, writes)
    own = "lr_find.csv" if flag == "--workdir" else "train-00000-of-00001.tfrecord"
    (tmp_path / "out" / own).write_text("x")
    (tmp_path / "out" / f"{own}.tmp-123").write_text("x")
    runfolder.check_output_folder(str(tmp_path / "out"), flag, writes)
    (tmp_path / "out" / "todo.md").write_text("x")
    with pytest.raises(UserError, match=f"{flag} .* holds files that are not .*: todo.md"):
        runfolder.check_output_folder(str(tmp_path / "out"), flag, writes)


# Sweep files as a new user writes them wrong: (body, or None for a folder; fragment).
SWEEP_FILES = {
    "raises at import": ("raise ValueError('boom')\n", "failed to load (ValueError: boom)"),
    "exits at import": ("import sys\nsys.exit(3)\n", "sys.exit(3)"),
    "get_sweep exits": ("import sys\ndef get_sweep():\n    sys.exit(0)\n", "sys.exit(0)"),
    "get_sweep interrupts": ("def get_sweep():\n    raise KeyboardInterrupt\n",
                             "KeyboardInterrupt"),
    "get_sweep needs an argument": ("def get_sweep(a):\n    return {}\n", "missing 1 required"),
    "get_sweep returns None": ("def get_sweep():\n    pass\n", "returned NoneType, not a dict"),
    "a folder": (None, "is a folder"),
}


@pytest.mark.parametrize("case", list(SWEEP_FILES))
def test_a_sweep_file_written_wrong_is_one_line_naming_it(tmp_path, case):
    """Like a config file: whatever the user's sweep file does (sys.exit() too: it ended the
    sweep launcher with exit 3 and no line), one UserError line naming the file."""
    from ktrain_kit import sweep
    body, fragment = SWEEP_FILES[case]
    path = tmp_path / "my_sweep.py"
    if body is None:
        os.makedirs(path)
    else:
        path.write_text(body)
    with pytest.raises(UserError) as e:
        sweep.load_spec(str(path))
    message = str(e.value)
    assert message.startswith(f"sweep file '{path}'") and fragment in message, message
    assert "\n" not in message


@pytest.mark.parametrize("flag", ["--storage=", "--workdir=", "--sweep="])
def test_an_empty_flag_value_of_the_sweep_is_refused_not_defaulted(tmp_path, flag):
    """`--storage=$DB` with DB unset used the local default database and ran the whole sweep
    (a shared study was meant); like --workdir and --sweep, it is refused."""
    args = {"--config": "configs/digits_mlp.py", "--sweep": "sweeps/digits_mlp_lr.py",
            "--workdir": str(tmp_path / "sweep"), "--trials": "1"}
    args[flag.rstrip("=")] = ""
    result = run_launcher("launchers.sweep", *(f"{k}={v}" for k, v in args.items()),
                          timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(errors) == 1 and f"{flag.rstrip('=')} is empty" in errors[0], result.stderr
    assert not os.path.exists(tmp_path / "sweep")


def _image_folder(root):
    from PIL import Image
    for cls in ("a", "b"):
        os.makedirs(root / cls)
        for i in range(3):
            Image.new("RGB", (8, 8), (40 * i, 0, 0)).save(root / cls / f"{i}.png")
    return root


@pytest.mark.parametrize("module", sorted(OUTPUT_FOLDERS))
def test_an_output_folder_inside_the_data_folder_is_refused_by_every_launcher(tmp_path, module):
    """`--workdir=photos/run` with data.path=photos: the run trained, then its folder was a
    class without images: the same command (to resume), evaluate and every later run on the
    data failed ('holds no images; put examples of that class into it'). Refused first."""
    flag, args = OUTPUT_FOLDERS[module]
    root = _image_folder(tmp_path / "photos")
    before = sorted(str(p) for p in root.rglob("*"))
    result = run_launcher(module, *args, "--config.data.name=image_folder",
                          f"--config.data.path={root}", "--config.data.image_size=8",
                          f"{flag}={root / 'out'}", timeout=120)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(errors) == 1 and "inside it" in errors[0] and flag in errors[0], result.stderr
    assert sorted(str(p) for p in root.rglob("*")) == before


def test_the_output_and_data_paths_are_compared_as_real_paths(tmp_path):
    """The rule, stated with pathlib over resolved paths, for every data.name that reads a
    path and outputs beside, inside, equal to and above the data (a symbolic link to the data
    folder counts as the folder)."""
    from pathlib import Path
    data = tmp_path / "data"
    os.makedirs(data / "a")
    os.symlink(data, tmp_path / "link")
    outputs = [tmp_path / "beside", data, data / "run", data / "a" / "run", tmp_path,
               tmp_path / "link" / "run", tmp_path / "data2"]
    for name in config_lib.PATH_DATASETS:
        c = load_config("digits_mlp", data__name=name, data__path=str(data))
        for out in outputs:
            real, source = Path(os.path.realpath(out)), Path(os.path.realpath(data))
            clash = real.is_relative_to(source) or source.is_relative_to(real)
            if clash:
                with pytest.raises(UserError, match="--workdir"):
                    config_lib.check_output_outside_data(c, str(out))
            else:
                config_lib.check_output_outside_data(c, str(out))
    c = load_config("digits_mlp")  # no data path: nothing to compare
    config_lib.check_output_outside_data(c, str(data / "run"))


def test_a_run_folder_left_inside_an_image_folder_is_named_as_a_run(tmp_path):
    from ktrain_kit.data import sources
    root = _image_folder(tmp_path / "photos")
    os.makedirs(root / "run1")
    (root / "run1" / "manifest.json").write_text('{"entries": []}')
    with pytest.raises(UserError, match="run1': is a ktrain_kit run's folder .*move it out"):
        sources.image_folder_files(str(root))


def _typed_flags(launcher):
    """{flag: absl kind} of `python -m launchers.NAME`, read from its DEFINE_* calls."""
    import ast
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "launchers", f"{launcher}.py")
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    return {node.args[0].value: node.func.attr[len("DEFINE_"):] for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and
            node.func.attr.startswith("DEFINE_") and node.args and
            isinstance(node.args[0], ast.Constant)}


# Values of the wrong kind for each kind of flag, as typed by mistake.
WRONG_FLAG_VALUES = {"integer": ["ten", "1.5", "0x"], "float": ["fast", "1,5"],
                     "bool": ["maybe", "2"], "string": [""]}
FLAG_CASES = [(f"launchers.{name}", flag, value)
              for name in (m.split(".")[1] for m in LAUNCHERS)
              for flag, kind in sorted(_typed_flags(name).items())
              for value in WRONG_FLAG_VALUES.get(kind, [])
              if not (kind == "string" and (flag not in cli.PATH_FLAGS + ("storage",) or
                                            name == "sweep"))]
# (the sweep's empty --workdir, --sweep and --storage: with its other required flags given, in
# test_an_empty_flag_value_of_the_sweep_is_refused_not_defaulted; alone, a missing required
# flag is named first)


def test_every_flag_of_every_launcher_is_in_the_cases():
    """A flag added to a launcher joins FLAG_CASES by itself (its kind read from the source);
    a kind without wrong values here fails this test instead of going unchecked."""
    kinds = {kind for m in LAUNCHERS for kind in _typed_flags(m.split(".")[1]).values()}
    assert kinds <= set(WRONG_FLAG_VALUES), kinds


@pytest.mark.parametrize("module,flag,value", FLAG_CASES)
def test_a_flag_value_of_the_wrong_kind_is_one_line_naming_the_flag(tmp_path, module, flag,
                                                                    value):
    """Every flag of every launcher, given a value of the wrong kind (the other flags left
    out): exit 2, one line naming that flag, before anything is read or written."""
    result = run_launcher(module, f"--{flag}={value}", timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(errors) == 1 and f"--{flag}" in errors[0], result.stderr[-2000:]
    assert "config file" not in errors[0]  # was "config file 'None' failed to load (...)"
    assert "Traceback" not in result.stderr


def test_every_ktrain_kit_environment_variable_the_code_reads_has_a_rule():
    """A KTRAIN_KIT_* name added anywhere in the library or launchers joins
    cli.ENVIRONMENT, or fails here: its bad values are refused at start, not acted on."""
    import re
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    named = set()
    for folder in ("ktrain_kit", "launchers"):
        for dirpath, _, files in os.walk(os.path.join(root, folder)):
            for name in files:
                if name.endswith(".py"):
                    with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                        named |= set(re.findall(r"KTRAIN_KIT_[A-Z0-9_]+", f.read()))
    assert named == set(cli.ENVIRONMENT), named ^ set(cli.ENVIRONMENT)


@pytest.mark.parametrize("name,good,bad", [
    ("KTRAIN_KIT_ASSUME_BF16_CPU", ["1", "0", "true", "No", ""], ["on", "2", "yes please"]),
    ("KTRAIN_KIT_CRASH_AT", ["3", "12:group", "0", "0:group", ""], ["abc", "3:all", "-1"]),
    ("KTRAIN_KIT_CRASH_GROUP", ["4321"], ["x", "-5"]),
])
def test_a_ktrain_kit_environment_variable_with_a_value_it_does_not_take_is_one_line(
        capsys, name, good, bad):
    for value in good:
        cli.check_environment({name: value})
    for value in bad:
        with pytest.raises(SystemExit) as e:
            cli.check_environment({name: value})
        assert e.value.code == 2
        line = capsys.readouterr().err.strip()
        assert line.startswith(f"error: environment variable {name}=") and "\n" not in line


def test_the_launchers_check_the_environment_before_anything(tmp_path):
    result = run_launcher("launchers.train", "--config=configs/digits_mlp.py",
                          f"--workdir={tmp_path / 'run'}",
                          env={"KTRAIN_KIT_ASSUME_BF16_CPU": "on"}, timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr[-2000:]
    assert "KTRAIN_KIT_ASSUME_BF16_CPU='on'" in errors[0]
    assert not os.path.exists(tmp_path / "run")


# Values per kind for combinations: each in range for some key, so that combinations of
# individually acceptable values are drawn, not only values refused alone.
COMBINED = {
    float: [0.0, 1e-9, 0.1, 0.5, 0.999, 1.0, 3.0, 1e6],
    int: [0, 1, 2, 3, 7, 16, 64, 1000],
    str: ["", "auto", "none", "steps", "step", "exponential", "linear", "sgd", "adamw", "csv",
          "synthetic_tabular", "synthetic_sequences", "synthetic_images", "regression",
          "binary", "multilabel", "transformer", "bag", "resnet", "mlp", "group", "restore",
          "mirrored", "val_auc", "val_mae", "mae", "huber", "balanced"],
    bool: [True, False],
    tuple: [(), (1,), (1, 2), (0.5,), (100,)],
}
SHIPPED = ("digits_mlp", "digits_cnn", "tabular_binary", "tabular_regression",
           "sequence_transformer", "text_bag", "images_resnet")


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_combination_of_acceptable_values_is_validated_or_refused_in_one_line(data):
    """Two to five keys of a shipped config changed together (each value acceptable for some
    key): validate() accepts or raises one UserError line, never another exception. The
    per-key test (test_config.py) sets one key at a time; combinations reach other code."""
    base = load_config(data.draw(st.sampled_from(SHIPPED)))
    keys = sorted(k for k in config_lib.flat_keys(base)
                  if type(config_lib.value_at(base, k)) in COMBINED)
    chosen = data.draw(st.lists(st.sampled_from(keys), min_size=2, max_size=5, unique=True))
    overrides = {key: data.draw(st.sampled_from(COMBINED[type(config_lib.value_at(base, key))]))
                 for key in chosen}
    try:
        c = config_lib.with_overrides(base, overrides)
    except TypeError:
        return  # the locked config refuses the kind: cli words it (the file test above)
    try:
        config_lib.validate(c)
    except UserError as e:
        assert "\n" not in str(e), str(e)


def test_every_number_flag_of_every_launcher_is_bounded_on_both_sides():
    """A number flag without an upper bound took any typo: `export --version=10**30` wrote a
    version TF Serving (int64) can never load, `sweep --trials=10**12` ran until killed, the
    internal `--worker=-1` ran a sweep. Each integer flag now has both bounds (absl refuses
    the rest in one line naming the flag); floats are judged by their launcher (
    rates: finite, ordered), listed here with that reason."""
    import ast
    judged_in_main = {("lr_find", "min_lr"), ("lr_find", "max_lr")}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    unbounded = []
    for module in LAUNCHERS:
        name = module.split(".")[1]
        with open(os.path.join(root, "launchers", f"{name}.py"), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("DEFINE_integer", "DEFINE_float"):
                flag = node.args[0].value
                bounds = {k.arg for k in node.keywords} & {"lower_bound", "upper_bound"}
                if bounds != {"lower_bound", "upper_bound"} and (name, flag) not in \
                        judged_in_main:
                    unbounded.append(f"{name} --{flag}")
    assert not unbounded, unbounded


@pytest.mark.parametrize("module,flag", [("launchers.export", f"--version={2**63}"),
                                         ("launchers.sweep", "--trials=1000000000000"),
                                         ("launchers.sweep", "--worker=-1"),
                                         ("launchers.make_tfrecords", "--shards=100000"),
                                         # rates past float32: NaN losses, a 1e-31 suggestion
                                         ("launchers.lr_find", "--max_lr=1e20 --min_lr=1e-20 "
                                          "--config=configs/digits_mlp.py"),
                                         ("launchers.lr_find", "--min_lr=1e-40 "
                                          "--config=configs/digits_mlp.py")])
def test_a_number_flag_past_its_bound_is_one_line(module, flag):
    result = run_launcher(module, *flag.split(), timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr[-2000:]
    assert flag.split("=")[0] in errors[0], errors[0]


@pytest.mark.parametrize("min_lr, max_lr", [(1e-20, 1e20), (1e-40, 1.0), (1.0, 0.1),
                                            (1e-3, float("inf"))])
def test_the_range_test_refuses_rates_float32_cannot_sweep_from_python_too(min_lr, max_lr):
    """The launcher's flags and the library function share one check
    (arguments.rate_range_problem): from Python, lr_range_test swept 1e-20..1e20 into NaN."""
    from ktrain_kit.lr_find import lr_range_test
    with pytest.raises(ValueError, match="lr_range_test: min_lr="):
        lr_range_test(load_config("digits_mlp"), "unused", min_lr=min_lr, max_lr=max_lr)


def test_a_sweep_file_asking_for_an_absurd_number_of_trials_is_refused():
    from ktrain_kit import sweep
    config = load_config("digits_mlp")
    spec = {"trials": 10**12, "space": {"schedule.base_lr": ("log_uniform", 1e-4, 1e-1)}}
    with pytest.raises(UserError, match="trials.*beyond any sensible sweep"):
        sweep.validate_spec(spec, config)


def _config_argument(tmp_path, case):
    """--config's value for a CONFIG_FILES body or a path-level case."""
    if case in CONFIG_FILES:
        path = tmp_path / "my_config.py"
        path.write_text(CONFIG_FILES[case][0], encoding="utf-8")
        return str(path)
    return {"a file that is not there": str(tmp_path / "nope.py"),
            "nothing before the colon": ":configs/digits_mlp.py",
            "a folder": str(tmp_path),
            "a run's config.json": str(tmp_path / "config.json")}[case]


@pytest.mark.parametrize("case", [*CONFIG_FILES, "a file that is not there",
                                  "nothing before the colon", "a folder",
                                  "a run's config.json"])
def test_a_bad_config_file_gets_the_same_line_with_or_without_overrides(tmp_path, case):
    """ml_collections applies --config.KEY=VALUE while loading the file, so a file that is not
    there, or a get_config() returning a list, failed inside the override instead ('failed to
    load (OSError: No such file ...); fix that file', 'list indices must be integers'). Every
    case: the line alone is the line with an override."""
    (tmp_path / "config.json").write_text('{"seed": 0, "deterministic": true}')
    config = _config_argument(tmp_path, case)
    lines = []
    for override in ([], ["--config.seed=1"]):
        result = run_launcher("launchers.train", f"--config={config}", *override,
                              f"--workdir={tmp_path / 'run'}", timeout=60)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert result.returncode == 2 and len(errors) == 1, result.stderr[-2000:]
        lines.append(errors[0])
    assert lines[0] == lines[1], lines
    assert not os.path.exists(tmp_path / "run")


@pytest.mark.parametrize("module", ["launchers.train", "launchers.lr_find",
                                    "launchers.make_tfrecords", "launchers.sweep"])
def test_an_override_without_a_config_file_says_the_config_is_missing(module):
    result = run_launcher(module, "--config.train.epochs=3", timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr[-2000:]
    assert "no --config is given" in errors[0] or "is required" in errors[0], errors[0]
