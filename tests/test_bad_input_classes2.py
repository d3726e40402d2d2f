"""Bad input by class, the classes tests/test_bad_input_classes.py and
tests/test_damaged_run_folder.py left out (found by benchmarks/bad_inputs.py):

- a named pipe, socket or device where a file is read (a run folder's file, a path key of
  the config, --config, --sweep, a sweep's folder): the reader waited forever on a pipe no
  one writes. Refused where the path enters, naming it.
- JSON nested past Python's recursion limit in any JSON file ktrain_kit reads: a
  RecursionError traceback from every launcher. One parser (fs.parse_json) makes it a
  ValueError, which every reader already words.
- a run's config.json holding, under a known key, a value of another kind (text for a
  number, NaN for a whole number, a value for a section): 'does not fit this version of
  ktrain_kit; use the version that trained it', the wrong way out. Now named by key as
  changed since training, with the way out every reader offers (put the file back).
- a path stripped of its trailing slash to nothing ('/' named "run folder ''"), a run's
  folder given as data (its plots/ taken for a class of images), model.init_from given a
  sweep's folder (the key not named).

In-process and without TensorFlow, but for three launcher runs refused before TensorFlow
starts (about a second each). A pipe that is read would hang the test: an alarm fails it.
"""

import json
import os
import re
import signal
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import load_config, run_launcher
from ktrain_kit import config as config_lib
from ktrain_kit import config_fields, fs, runfolder
from ktrain_kit.data import folders as data_folders
from ktrain_kit.errors import UserError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def no_hang():
    """A call that blocks on a pipe fails the test after 10 s instead of hanging it."""
    def _alarm(signum, frame):
        raise AssertionError("blocked reading a named pipe")
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _special(path, kind):
    """Makes `kind` at `path`: a pipe, a socket, a link to a device or to a pipe."""
    if kind == "pipe":
        os.mkfifo(path)
    elif kind == "socket":  # bound by its name from its folder: a socket's whole path is
        s = socket.socket(socket.AF_UNIX)  # limited to 107 bytes, which a deep tmp_path passes
        here = os.getcwd()
        try:
            os.chdir(os.path.dirname(str(path)))
            s.bind(os.path.basename(str(path)))
        finally:
            os.chdir(here)
            s.close()
    elif kind == "device link":
        os.symlink("/dev/zero", path)
    elif kind == "pipe link":
        os.mkfifo(f"{path}.pipe")
        os.symlink(f"{path}.pipe", path)
    return str(path)


SPECIALS = ["pipe", "socket", "device link", "pipe link"]


def _tree(folder):
    """{relative path: bytes, or the kind of a special entry} of everything under `folder`."""
    out = {}
    for d, _, names in os.walk(folder):
        for n in names:
            p = os.path.join(d, n)
            out[os.path.relpath(p, folder)] = fs.special_kind(p) or open(p, "rb").read()
    return out


# ------------------------------------------------------------------ special files
@pytest.mark.parametrize("kind", SPECIALS)
def test_special_kind_names_what_stands_and_nothing_else(tmp_path, kind):
    """The rule stated with the stat module: S_ISFIFO/S_ISSOCK/S_ISCHR/S_ISBLK of what the
    path (followed) is. A file, a folder, nothing, a link to nothing or a loop is None."""
    import stat
    path = _special(tmp_path / "x", kind)
    mode = os.stat(path).st_mode
    expected = ("a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device")
    assert fs.special_kind(path) == expected
    (tmp_path / "file").write_text("x")
    os.symlink(tmp_path / "gone", tmp_path / "dangling")
    os.symlink("loop", tmp_path / "loop")
    for plain in ("file", "dangling", "loop", "nothing"):
        assert fs.special_kind(str(tmp_path / plain)) is None, plain
    assert fs.special_kind(str(tmp_path)) is None
    assert fs.special_kind("gs://bucket/x") is None  # never stat'ed: not a local path


def _fake_run(folder):
    """The files of a finished run that Python reads before TensorFlow starts, as training
    writes them (config.json of the defaults, manifest listing them)."""
    os.makedirs(folder / "checkpoints")
    (folder / "config.json").write_text(config_lib.default_config().to_json())
    (folder / "summary.json").write_text('{"epochs_run": 1}')
    (folder / "diagnosis.json").write_text('{"findings": []}')
    (folder / "metrics.csv").write_text("epoch,loss\n1,0.5\n")
    (folder / "checkpoints" / "checkpoint").write_text('model_checkpoint_path: "ckpt-1"\n')
    (folder / "checkpoints" / "final.weights.h5").write_bytes(b"not read before the check")
    entries = ["config.json", "summary.json", "diagnosis.json", "metrics.csv", "checkpoints"]
    (folder / "manifest.json").write_text(json.dumps({"entries": entries}))
    return folder


RUN_FILES = ["config.json", "manifest.json", "summary.json", "diagnosis.json", "metrics.csv",
             "checkpoints/checkpoint", "checkpoints/final.weights.h5"]


def _readers():
    """Every way a launcher opens a run folder, called as the launchers call them: train's
    check before it locks the folder, evaluate/export's, the doctor's, configs/from_run.py's
    (through restore.load_config), model.init_from's (its final weights file first)."""
    from ktrain_kit import finetune, restore
    return {"train": runfolder.check_not_foreign,
            "init_from's weights": finetune._weights_by_path,
            "evaluate/export": lambda w: runfolder.open_existing(w).__enter__(),
            "doctor/from_run/init_from": restore.load_config,
            "lr_find into the run": lambda w: runfolder.check_output_folder(w, "--workdir")}


@pytest.mark.parametrize("reader", sorted(_readers()))
@pytest.mark.parametrize("name", RUN_FILES)
def test_a_pipe_in_a_run_folder_is_named_by_every_reader_and_nothing_changes(
        tmp_path, no_hang, reader, name):
    """Before: train (resuming), evaluate, export, the doctor and model.init_from waited
    forever at a pipe standing at checkpoints/checkpoint; at manifest.json, config.json, the
    same. Now exit 2 (UserError) naming the entry, the folder as it was."""
    run = _fake_run(tmp_path / "run")
    os.remove(run / name)
    _special(run / name, "pipe")
    before = _tree(run)
    with pytest.raises(UserError) as e:
        _readers()[reader](str(run))
    message = str(e.value)
    assert f"'{name}' is a named pipe" in message and str(run) in message, message
    assert "remove it" in message and "\n" not in message
    assert _tree(run) == before


def test_a_run_folder_without_special_files_passes_the_check(tmp_path):
    run = _fake_run(tmp_path / "run")
    os.symlink(tmp_path / "gone", run / "dangling")  # not a special file: refused elsewhere
    runfolder.check_no_special_files(str(run))


def test_the_check_finds_a_special_file_at_any_depth(tmp_path):
    run = _fake_run(tmp_path / "run")
    os.makedirs(run / "export" / "1" / "variables")
    _special(run / "export" / "1" / "variables" / "variables.index", "socket")
    with pytest.raises(UserError, match="'export/1/variables/variables.index' is a socket"):
        runfolder.check_no_special_files(str(run))


def test_only_the_top_level_and_the_folders_a_tool_writes_are_searched(tmp_path):
    """`launchers.doctor /` or `--workdir=$HOME`: the check looked through the whole disk
    before the folder was refused for what it is. It reads the top level, and below it only
    the folders the tool writes."""
    os.makedirs(tmp_path / "photos" / "2024")
    _special(tmp_path / "photos" / "2024" / "p", "pipe")
    os.makedirs(tmp_path / "checkpoints")
    assert fs.special_entries(str(tmp_path), descend=runfolder.FOLDERS) == []
    assert fs.special_entries(str(tmp_path)) == [("photos/2024/p", "a named pipe")]
    _special(tmp_path / "checkpoints" / "c", "pipe")
    _special(tmp_path / "top", "pipe")
    assert fs.special_entries(str(tmp_path), descend=runfolder.FOLDERS) == [
        ("checkpoints/c", "a named pipe"), ("top", "a named pipe")]


def test_every_key_a_path_fits_is_a_path_key():
    """By construction: a string key whose default is empty and that is read as a path (its
    name says path, from or weights) is in config.PATH_KEYS, so the checks of paths reach it."""
    looks_like_path = {k for k, v in config_fields.leaves(config_lib.default_config())
                       if isinstance(v, str) and re.search(r"path|from|weights|dir|file", k)}
    assert looks_like_path == set(config_lib.PATH_KEYS)


@pytest.mark.parametrize("kind", SPECIALS)
@pytest.mark.parametrize("key", config_lib.PATH_KEYS)
def test_a_path_key_naming_a_pipe_socket_or_device_is_refused_by_validate(tmp_path, key,
                                                                            kind):
    """`--config.data.path=/dev/zero`, a pipe (`<(zcat data.csv.gz)`), a socket: the reader
    waited forever or read without end. Refused before anything is read, naming the key."""
    selects = {"data.path": {"data__name": "csv"},
               "model.backbone_weights": {"model__name": "keras_app",
                                          "data__name": "synthetic_images"}}.get(key, {})
    path = _special(tmp_path / "x", kind)
    c = load_config("digits_mlp", **selects, **{key.replace(".", "__"): path})
    with pytest.raises(UserError) as e:
        config_lib.validate(c)
    message = str(e.value)
    assert message.startswith(f"config key '{key}': '{path}' is a "), message
    assert "not a file or folder" in message and "\n" not in message


def test_the_sweep_folder_and_sweep_file_refuse_a_pipe(tmp_path, no_hang):
    from ktrain_kit import sweep
    folder = tmp_path / "sweep"
    os.makedirs(folder / "trials")
    _special(folder / "best.json", "pipe")
    with pytest.raises(UserError, match=r"--workdir '.*': 'best.json' is a named pipe"):
        sweep.check_sweep_folder(str(folder))
    (folder / runfolder.SWEEP_BINDING).write_text("{}")  # evaluate on it names a trial from
    with pytest.raises(UserError, match=r"'best.json' is a named pipe"):  # its best.json
        runfolder.require_folder(str(folder))
    with pytest.raises(UserError, match=r"sweep file '.*pipe2' is a named pipe, not a file"):
        sweep.load_spec(_special(tmp_path / "pipe2", "pipe"))


@pytest.mark.parametrize("suffix,reader", [(".png", "sources.image_folder_files"),
                                           (".txt", "text.folder_texts")])
def test_a_pipe_among_the_examples_of_a_class_folder_is_named(tmp_path, no_hang, suffix,
                                                              reader):
    """data.name=image_folder / text_folder: a pipe named like an example was read as one
    (and waited forever). Named when the folder is listed, like a link to nothing."""
    from ktrain_kit.data import sources, text
    for cls in ("a", "b"):
        os.makedirs(tmp_path / cls)
        (tmp_path / cls / f"0{suffix}").write_bytes(b"x")
    _special(tmp_path / "b" / f"1{suffix}", "pipe")
    module, function = reader.split(".")
    list_folder = getattr({"sources": sources, "text": text}[module], function)
    with pytest.raises(UserError) as e:
        list_folder(str(tmp_path))
    assert f"1{suffix}': is a named pipe" in str(e.value), str(e.value)


def test_a_pipe_in_a_shard_folder_is_named_before_any_shard_is_read(tmp_path, no_hang):
    from ktrain_kit.data import shards
    os.makedirs(tmp_path / "shards")
    (tmp_path / "shards" / "features.json").write_text("{}")
    _special(tmp_path / "shards" / "train-00000-of-00001.tfrecord", "pipe")
    with pytest.raises(UserError, match=r"train-00000-of-00001.tfrecord': is a named pipe"):
        shards.read_features(str(tmp_path / "shards"))


@pytest.mark.parametrize("module,args", [
    ("launchers.train", ["--config={pipe}", "--workdir={tmp}/run"]),
    ("launchers.sweep", ["--config=configs/digits_mlp.py", "--sweep={pipe}",
                         "--workdir={tmp}/run"]),
    ("launchers.evaluate", ["--workdir={tmp}/run"]),
])
def test_a_pipe_given_to_a_launcher_is_one_line_not_a_hang(tmp_path, module, args):
    """Through the launcher (before TensorFlow starts, about a second): exit 2, one line
    naming the pipe, the run folder as it was."""
    pipe = _special(tmp_path / "pipe", "pipe")
    run = _fake_run(tmp_path / "run")
    if module == "launchers.evaluate":
        os.remove(run / "config.json")
        _special(run / "config.json", "pipe")
        pipe = "config.json"
    before = _tree(run)
    result = run_launcher(module, *(a.format(pipe=pipe, tmp=tmp_path) for a in args),
                          timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr[-2000:]
    assert pipe in errors[0] and "is a named pipe" in errors[0], errors[0]
    assert _tree(run) == before


@pytest.mark.parametrize("given,expected", [("runs/x/", "runs/x"), ("runs/x", "runs/x"),
                                            ("/", "/"), ("//", "//"), ("gs://b/r/", "gs://b/r")])
def test_a_trailing_slash_is_dropped_but_the_root_stays_the_root(given, expected):
    """`launchers.doctor /` said "run folder '' does not exist"; a tfrecord data.path of '/'
    read ./features.json of the current folder."""
    assert fs.without_trailing_slash(given) == expected


@pytest.mark.parametrize("folder", ["/", "configs", "."])
def test_the_doctor_on_a_folder_that_is_no_run_says_so_naming_it(folder):
    """`launchers.doctor /` said "run folder '' does not exist"; on configs/ or the
    repository, "has no diagnosis.json: the run has not finished (re-run its training
    command to resume it)", for a folder no run ever wrote."""
    from ktrain_kit import repair
    with pytest.raises(UserError) as e:
        repair.diagnosis_lines(fs.without_trailing_slash(folder))
    assert str(e.value).startswith(f"'{folder}' is not a ktrain_kit run folder"), str(e.value)


@pytest.mark.parametrize("name", sorted(n for n, reads in data_folders.READS.items()
                                        if reads == "folder"))
def test_a_run_folder_given_as_data_is_named_as_a_run(tmp_path, name):
    """`data.name=tfrecord data.path=RUN`: the run's plots/ (PNG files) and export/ read as
    class folders, and the line said 'set --config.data.name=image_folder': a model trained
    on a run's curves. Every folder-reading data.name: named as a run's folder."""
    from ktrain_kit.data import sources
    run = _fake_run(tmp_path / "run")
    for sub in ("plots", "export"):
        os.makedirs(run / sub, exist_ok=True)
        (run / sub / "loss.png").write_bytes(b"png")
    with pytest.raises(UserError) as e:
        data_folders.check_data_name_fits(name, str(run), sources.IMAGE_SUFFIXES)
    message = str(e.value)
    assert message.startswith("config key 'data.path'") and "run's folder" in message, message
    assert "data.name=" not in message


def test_model_init_from_a_sweep_folder_names_the_key(tmp_path):
    """The sweep's folder was told as such ('pass one of its trials') without the key the
    folder came from: where to pass the trial was left to guess."""
    from ktrain_kit import finetune
    os.makedirs(tmp_path / "sweep" / "trials" / "0000")
    (tmp_path / "sweep" / runfolder.SWEEP_BINDING).write_text("{}")
    with pytest.raises(UserError) as e:
        finetune._weights_by_path(str(tmp_path / "sweep"))
    message = str(e.value)
    assert message.startswith("config key 'model.init_from': ") and "sweep's folder" in message
    assert "trials/0000" in message, message


# ------------------------------------------------------------------ JSON nested too deep
DEEP = "[" * 100_000 + "]" * 100_000


def test_parse_json_makes_nesting_past_the_recursion_limit_a_value_error(tmp_path):
    """JSON's own error (a ValueError with msg and lineno, which readers quote)."""
    with pytest.raises(json.JSONDecodeError, match="nested too deeply") as e:
        fs.parse_json(DEEP)
    assert e.value.lineno == 1 and e.value.msg
    (tmp_path / "deep.json").write_text(DEEP)
    with open(tmp_path / "deep.json") as f, pytest.raises(ValueError):
        fs.parse_json(f)
    assert fs.parse_json('{"a": [1, {"b": null}]}') == json.loads('{"a": [1, {"b": null}]}')


def test_every_json_the_library_reads_goes_through_parse_json():
    """By construction: no json.load in ktrain_kit but parse_json's own, and json.loads only
    of JSON ktrain_kit itself just made (config.to_json(), json.dumps(...)): a reader added
    later cannot bring the RecursionError back."""
    offenders = []
    for folder in ("ktrain_kit", "configs", "launchers"):
        for d, _, names in os.walk(os.path.join(ROOT, folder)):
            for n in (n for n in names if n.endswith(".py")):
                path = os.path.join(d, n)
                for number, line in enumerate(open(path, encoding="utf-8"), 1):
                    rel = os.path.relpath(path, ROOT)
                    if re.search(r"\bjson\.load\(", line) and rel != "ktrain_kit/fs.py":
                        offenders.append(f"{rel}:{number}")
                    if re.search(r"\bjson\.loads\(", line) and rel != "ktrain_kit/fs.py" and \
                            not re.search(r"json\.loads\((json\.dumps\(|[\w.]*to_json\(\))",
                                          line):
                        offenders.append(f"{rel}:{number}")
    assert not offenders, offenders


@pytest.mark.parametrize("name", ["config.json", "manifest.json", "diagnosis.json",
                                  "summary.json"])
def test_a_run_folder_json_nested_too_deep_is_one_line_naming_it(tmp_path, name):
    """The readers that need no TensorFlow: every launcher's of config.json and manifest.json,
    the doctor's of diagnosis.json, --fix's of the summary. Before: RecursionError, a
    traceback (train, evaluate, export, the doctor, configs/from_run.py)."""
    from ktrain_kit import repair
    run = _fake_run(tmp_path / "run")
    (run / name).write_text(DEEP)
    before = _tree(run)
    if name == "summary.json":  # read as absent (--fix then refuses the run, naming it)
        assert repair.read_summary(str(run)) == {}
    else:
        from ktrain_kit import restore
        reader = {"config.json": restore.load_config, "manifest.json": runfolder.read_manifest,
                  "diagnosis.json": repair.diagnosis_lines}[name]
        with pytest.raises(UserError) as e:
            reader(str(run))
        assert name in str(e.value) and "\n" not in str(e.value), str(e.value)
    assert _tree(run) == before


@pytest.mark.parametrize("body", [DEEP, "[" + DEEP + "]", '[{"a": 1}, ' + DEEP + "]",
                                  '{"a": 1}\n' + "{\"b\": " + DEEP + "}\n"])
def test_a_data_table_nested_too_deep_is_one_line_naming_the_file(tmp_path, body):
    """data.name=csv on a JSON (Lines) file: RecursionError before; now the reader's own
    line, or read as a table of one text column (a file whose first cell starts with '[')."""
    from ktrain_kit.data import table
    path = tmp_path / "t.jsonl"
    path.write_text(body)
    try:
        table.json_lines_records(body, str(path))
    except UserError as e:
        assert str(path) in str(e) and "\n" not in str(e), str(e)


# ------------------------------------------------------------------ config.json's values
def _other_kind(value):
    """A JSON value of another kind than `value`, as an editor or a damaged file leaves it."""
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, (int, float)):
        return "1e-3" if isinstance(value, float) else float("nan")
    if isinstance(value, str):
        return {"a": 1}
    if isinstance(value, list):
        return "[1, 2]"
    return 7


SAVED = json.loads(config_lib.default_config().to_json())
TYPED = sorted(config_fields.field_kinds(config_lib.default_config()))


@pytest.mark.parametrize("key", TYPED)
def test_a_saved_config_value_of_another_kind_names_the_key_and_says_put_it_back(tmp_path,
                                                                                key):
    """Every typed key of config.json, given a JSON value of another kind (text for a number,
    NaN for a whole number, a mapping for text): 'does not fit this version of ktrain_kit;
    use the version that trained it' before, for a file that was changed, not a version.
    Now: names the key, says the file changed, and the fix every reader offers."""
    from ktrain_kit import restore
    run = _fake_run(tmp_path / "run")
    saved = json.loads(json.dumps(SAVED))
    *path, last = key.split(".")
    node = saved
    for part in path:
        node = node[part]
    node[last] = _other_kind(node[last])
    (run / "config.json").write_text(json.dumps(saved))
    with pytest.raises(UserError) as e:
        restore.load_config(str(run))
    message = str(e.value)
    assert f"'{key}'" in message and "config.json was changed since training" in message, \
        message
    assert "put back the file its training wrote" in message and "\n" not in message


@pytest.mark.parametrize("section", sorted(k for k, v in SAVED.items() if isinstance(v, dict)))
def test_a_saved_section_replaced_by_a_value_is_named(tmp_path, section):
    from ktrain_kit import restore
    run = _fake_run(tmp_path / "run")
    saved = dict(SAVED, **{section: 3})
    (run / "config.json").write_text(json.dumps(saved))
    with pytest.raises(UserError, match=f"'{section}' holds the value 3 where a section"):
        restore.load_config(str(run))


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
              st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=6)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(sorted(k for k, _ in config_fields.leaves(
    config_lib.default_config())) + sorted(SAVED)), value=JSON_VALUES)
def test_any_json_value_at_any_key_of_a_saved_config_is_taken_or_named(key, value):
    """Whatever JSON an editor leaves at a key of config.json (a section's name included):
    from_saved takes it (check_kinds then judges it), raises the ValueError restore words
    naming that key, or, for keys below it that this version does not have, the KeyError of
    another version; never another exception (TypeError was told as 'another version')."""
    saved = json.loads(json.dumps(SAVED))
    *path, last = key.split(".")
    node = saved
    for part in path:
        node = node[part]
    node[last] = value
    try:
        config_lib.from_saved(saved)
    except ValueError as e:
        assert f"'{key}" in str(e), (key, str(e))
    except KeyError as e:  # a mapping at a section holding keys it does not have: a version's
        assert f"unknown key '{key}." in str(e), (key, str(e))


def test_a_key_of_another_version_is_still_told_as_a_version(tmp_path):
    from ktrain_kit import restore
    run = _fake_run(tmp_path / "run")
    saved = json.loads(json.dumps(SAVED))
    saved["train"]["a_key_from_the_future"] = 1
    (run / "config.json").write_text(json.dumps(saved))
    with pytest.raises(UserError, match="does not fit this version of ktrain_kit"):
        restore.load_config(str(run))
