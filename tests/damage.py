"""Damage to a run folder, by construction: every file a run folder holds (read from its
manifest, so a file a new version writes is damaged the day it is added) and every way a
file gets damaged, for every launcher that reads a run folder.

`files_of(folder)` lists the files of the manifest's entries (a folder entry such as
`checkpoints` or `export/1` stands for every file under it) and the manifest itself.
`DAMAGES` are what disks, editors and people do to a file. `LAUNCHERS` call, in this process,
the function each launcher calls (the launcher's own `main` adds only flag parsing), ended the
way `cli.run` ends them (faults.launch). `check` applies one damage, runs one launcher and
returns the problems: anything but exit 0 or exit 2 with one line naming the file (or its
folder) and a fix the launcher offers, a traceback, or another file of the folder changed
that the launcher has no business changing.
"""

import contextlib
import io
import json
import math
import os
import re
import shutil

from faults import launch

LOCK = ".lock"


# ------------------------------------------------------------------ what the folder holds
def files_of(folder) -> list:
    """Relative paths of every file the run's manifest lists (folders expanded), and the
    manifest itself."""
    with open(os.path.join(folder, "manifest.json")) as f:
        entries = json.load(f)["entries"]
    out = {"manifest.json"}
    for entry in entries:
        path = os.path.join(folder, entry.rstrip("/"))
        if entry == LOCK or not os.path.lexists(path):
            continue
        if os.path.isdir(path):
            for d, _, files in os.walk(path):
                out |= {os.path.relpath(os.path.join(d, n), folder) for n in files}
        else:
            out.add(entry)
    return sorted(out)


def sweep_files_of(folder) -> list:
    """Every file of a sweep's folder but its locks: the sweep writes no manifest (its folder
    is its own: sweep.SWEEP_ENTRIES), so all its files are listed, trials/NNNN/ included."""
    out = []
    for d, _, files in os.walk(folder):
        out += [os.path.relpath(os.path.join(d, n), folder) for n in files
                if n not in (LOCK, ".sweep.lock") and not n.endswith(".claim")]  # locks
    return sorted(out)


# ------------------------------------------------------------------ how a file is damaged
def _deleted(path):
    os.remove(path)


def _emptied(path):
    open(path, "wb").close()


def _truncated(path):
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:len(data) // 2])


def _random(path):
    import random
    size = max(os.path.getsize(path), 64)
    data = random.Random(size).randbytes(size)
    with open(path, "wb") as f:
        f.write(data)


def _json_list(path):
    with open(path, "w") as f:
        f.write('["valid", "JSON", "of", "another", "shape"]')


def _json_object(path):
    with open(path, "w") as f:
        f.write('{"valid": "JSON without the keys it should have"}')


def _values(leaf):
    """The file well-formed, its values out of any domain: `leaf` applied to every value of a
    JSON file (a checkpoint's side file holds one) or to every number of a CSV file - what an
    edit by hand or a script leaves that still parses."""
    def damage(path):
        if path.endswith(".npz"):  # a checkpoint's side file: its callbacks' states, as JSON
            import numpy as np
            with np.load(path) as f:
                arrays = dict(f)
            arrays["json"] = np.array(json.dumps(_each_value(json.loads(str(arrays["json"])),
                                                             leaf)))
            with open(path, "wb") as f:
                np.savez(f, **arrays)
        elif path.endswith(".csv"):
            with open(path) as f:
                rows = [line.split(",") for line in f.read().splitlines()]
            with open(path, "w") as f:
                f.write("\n".join(",".join(_cell(c, leaf) for c in row) for row in rows) + "\n")
        else:
            with open(path) as f:
                data = json.load(f)
            with open(path, "w") as f:
                json.dump(_each_value(data, leaf), f)
    return damage


def _cell(cell, leaf):
    for kind in (int, float):
        try:
            return repr(leaf(kind(cell)))
        except ValueError:
            pass
    return cell


def _each_value(data, leaf):
    if isinstance(data, dict):
        return {k: _each_value(v, leaf) for k, v in data.items()}
    if isinstance(data, list):
        return [_each_value(v, leaf) for v in data]
    return leaf(data)


def _numbers(whole, real):
    """Every whole number becomes `whole`, every other number `real`."""
    return lambda v: v if isinstance(v, bool) or not isinstance(v, (int, float)) else \
        whole if isinstance(v, int) else real


def _retyped(value):
    """Every number its text, every text the number 1."""
    return 1 if isinstance(value, str) else str(value) if isinstance(value, (int, float)) \
        else value


def _directory(path):
    os.remove(path)
    os.makedirs(os.path.join(path, "inside"))


def _unreadable(path):
    os.chmod(path, 0)


def _symlink(path, outside):
    """A link to a copy of the file outside the folder: nothing may be written through it."""
    os.makedirs(os.path.dirname(outside), exist_ok=True)
    shutil.copyfile(path, outside)
    os.remove(path)
    os.symlink(outside, path)


DAMAGES = {"deleted": _deleted, "emptied": _emptied, "truncated": _truncated,
           "random_bytes": _random, "json_list": _json_list, "json_object": _json_object,
           "directory": _directory, "unreadable": _unreadable, "symlink": None,  # check() links
           "values_huge": _values(_numbers(10 ** 30, 1e308)),
           "values_negative": _values(_numbers(-1, -1.0)),
           "values_nan": _values(_numbers(math.nan, math.nan)),
           "values_null": _values(lambda value: None), "values_retyped": _values(_retyped)}


def chmod_matters() -> bool:
    """chmod 000 stops no one running as root: the damage is then no damage, skipped."""
    return hasattr(os, "geteuid") and os.geteuid() != 0


def damages_for(name) -> list:
    kinds = [k for k in DAMAGES if not k.startswith("json_") or name.endswith(".json")]
    kinds = [k for k in kinds if not k.startswith(("values_null", "values_retyped")) or
             name.endswith((".json", ".state.npz"))]
    kinds = [k for k in kinds if not k.startswith("values_") or
             name.endswith((".json", ".csv", ".state.npz"))]
    return [k for k in kinds if k != "unreadable" or chmod_matters()]


def restore_permissions(folder):
    """chmod 000 files would stop shutil.rmtree of the test's temporary folder."""
    for d, dirs, files in os.walk(folder):
        for n in dirs + files:
            path = os.path.join(d, n)
            if not os.path.islink(path):
                os.chmod(path, 0o755)


# ------------------------------------------------------------------ one case
def _damaged_copy(source, folder, name, damage):
    """`source` copied to `folder` with its file `name` damaged: (the path a symlink points
    to, that file's bytes or None, a snapshot of the folder before the launcher runs)."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(folder + ".outside", ignore_errors=True)
    shutil.copytree(source, folder, symlinks=True)
    path, outside = os.path.join(folder, name), os.path.join(folder + ".outside", name)
    if damage == "symlink":
        _symlink(path, outside)
    else:
        DAMAGES[damage](path)
    outside_before = open(outside, "rb").read() if os.path.exists(outside) else None
    return outside, outside_before, _readable_snapshot(folder)


def check(source, folder, name, damage, launcher):
    """Copies `source` to `folder`, damages its file `name` with `damage`, runs `launcher`
    (a key of LAUNCHERS); returns (exit code, line, problems)."""
    outside, outside_before, before = _damaged_copy(source, folder, name, damage)
    call, may_change, fix_words = LAUNCHERS[launcher]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code, message = launch(lambda: call(folder))
    after = _readable_snapshot(folder)
    problems = []
    unfinished = not os.path.exists(os.path.join(source, "summary.json"))
    if launcher == "train" and unfinished and code == 0 and \
            "ktrain_kit: resuming" not in printed.getvalue():
        # exit 0 is right only for a run that went on from its checkpoint: one that started
        # again from scratch lost the training done (and, being deterministic, writes the
        # same files again, which the comparison below cannot tell)
        problems.append("trained again from scratch instead of resuming: "
                        f"{printed.getvalue()[-600:]!r}")
    if code == 2:
        line = str(message)
        if "\n" in line or not line:
            problems.append(f"not one line: {line!r}")
        elif not _names(line, folder, name):
            problems.append(f"the line names neither the file nor the run folder: {line}")
        elif not any(w in line for w in fix_words):
            problems.append(f"the line offers no fix this launcher can follow: {line}")
        from ktrain_kit.cli import foreign_flags
        wrong = foreign_flags(_module(launcher), line)
        if wrong:
            problems.append(f"the line names flags {launcher} does not take {wrong}: {line}")
    elif code != 0:
        problems.append(f"exit {code}: {str(message)[-1500:]}")
    changed = [n for n in before if n != name and after.get(n) != before[n]
               and not may_change(n, code) and not _same_checkpoint(n, name)]
    if changed:
        problems.append(f"changed {changed[:4]}{' ...' if len(changed) > 4 else ''}")
    if outside_before is not None and open(outside, "rb").read() != outside_before:
        problems.append("wrote through the symlink")
    restore_permissions(folder)
    return code, (message if code in (0, 2) else None), problems


def _readable_snapshot(folder):
    """{relative path: bytes}, a chmod 000 file or a symlink read as what stands there (the
    same bytes written again are no loss: a resumed run writes its config.json again)."""
    out = {}
    for d, dirs, files in os.walk(folder):
        for n in files:
            path = os.path.join(d, n)
            rel = os.path.relpath(path, folder)
            if n == LOCK or ".tmp-" in rel:
                continue
            try:
                with open(path, "rb") as f:
                    out[rel] = f.read()
            except OSError:
                out[rel] = b"<unreadable>"
    for rel in [r for r in out if re.fullmatch(r"checkpoints/ckpt-\d+\.index", r)]:
        values = _checkpoint_values(os.path.join(folder, rel[:-len(".index")]))
        if values is not None:  # what it holds, not how its bytes are laid out
            out[rel] = values
            for data in [r for r in out if r.startswith(rel[:-len("index")] + "data-")]:
                out[data] = values
    return out


def _same_checkpoint(a, b):
    """Two files of one checkpoint (ckpt-N.index and its data): damage to one is damage to
    both, and a run that cannot use it writes both anew."""
    unit = re.compile(r"(checkpoints/ckpt-\d+)\.(index|data-.*)")
    ma, mb = unit.fullmatch(a), unit.fullmatch(b)
    return bool(ma and mb and ma.group(1) == mb.group(1))


def _checkpoint_values(prefix):
    """The variable values a checkpoint holds, as bytes; None if it cannot be read. A resumed
    run saves the checkpoint it resumed from again (the same step, the same values); its bytes
    differ only where this test process's earlier models took Keras' automatic names first
    (the object graph names them, 'dense_3' for 'dense'): a person's run starts a new process."""
    import tensorflow as tf
    try:
        reader = tf.train.load_checkpoint(prefix)
        keys = sorted(k for k in reader.get_variable_to_shape_map()
                      if k != "_CHECKPOINTABLE_OBJECT_GRAPH")
        return b"".join(k.encode() + reader.get_tensor(k).tobytes() for k in keys)
    except Exception:  # noqa: BLE001 - damaged: compared as bytes
        return None


def _names(line, folder, name):
    parts = name.split("/")
    return any(p in line for p in parts) or folder in line


def _module(launcher):
    return {"train": "train", "train_overwrite": "train", "finetune": "train",
            "from_run": "train", "evaluate": "evaluate", "export": "export",
            "doctor": "doctor", "doctor_fix": "doctor"}[launcher.split(":")[0]]


# ------------------------------------------------------------------ the launchers
def tiny(**extra):
    from conftest import load_config
    # precision pinned: `auto` means mixed_bfloat16 on some CPUs (KTRAIN_KIT_ASSUME_BF16_CPU=1
    # shows it), where a resumed run's rewritten checkpoint differs from the one it resumed
    return load_config("digits_mlp", train__epochs=2, train__verbose=0,
                       train__precision="float32", data__train_examples=64, model__width=8,
                       **extra)


def _train(folder, overwrite=False):
    from ktrain_kit.training import train
    return train(tiny(), folder, overwrite=overwrite)


def _evaluate(folder):
    from ktrain_kit.evaluate import evaluate
    return evaluate(folder)


def _export(folder):
    """launchers/export.py with --version=2."""
    from ktrain_kit.export import export_run
    return export_run(folder, 2)


def _doctor(folder, fix=False):
    from ktrain_kit import repair
    lines = repair.diagnosis_lines(folder)
    if fix:
        state = repair.repair(folder, 1)
        lines += repair.printed_lines(state)
    return lines


def _finetune(folder):
    """A training with model.init_from=RUN: the source run's weights read into a new model."""
    from ktrain_kit import data as data_lib
    from ktrain_kit.finetune import load_initial_weights
    from ktrain_kit.network import build_network
    c = tiny()
    return load_initial_weights(build_network(c, data_lib.load(c.data, c.task, c.seed)), folder)


def _from_run(folder):
    import importlib
    return importlib.import_module("configs.from_run").get_config(folder)


def _never(name, code):
    return False


def _own_outputs(*prefixes):
    return lambda name, code: name == "manifest.json" or name.startswith(prefixes)


def _resumed(name, code):
    """A resumed (or restarted, when nothing was trained) run rewrites what it writes after
    training; the config and the checkpoints it resumed from stay."""
    return not (name == "config.json" or name.startswith("checkpoints/ckpt-"))


TRAIN_WORDS = ("--overwrite", "--workdir", "remove", "delete that")
READ_WORDS = ("put back", "launchers.train", "remove", "delete that", "resume", "restore")
# launcher: (call, may it change this file (name, exit code), words one of which its fix has)
LAUNCHERS = {
    "train": (_train, _resumed, TRAIN_WORDS),
    "train_overwrite": (lambda f: _train(f, overwrite=True), lambda n, c: True, TRAIN_WORDS),
    "evaluate": (_evaluate, _own_outputs("evaluation.json"), READ_WORDS),
    "export": (_export, _own_outputs("export/2/"), READ_WORDS),
    "doctor": (_doctor, _never, READ_WORDS),
    "doctor_fix": (lambda f: _doctor(f, fix=True), _own_outputs("repair."), READ_WORDS),
    "finetune": (_finetune, _never, READ_WORDS + ("model.init_from",)),
    "from_run": (_from_run, _never, READ_WORDS),
}


def make_finished(folder):
    code, message = launch(lambda: _train(folder))
    assert code == 0, message
    return folder


def make_unfinished(source, folder):
    """A finished run as it was when killed after its first epoch's checkpoint, its index
    naming the checkpoints relative to its folder, with timestamps, as TensorFlow writes it
    (conftest.rewind writes absolute paths: every copy would resume from the source's files;
    without timestamps TensorFlow's CheckpointManager lists none, and every run of this
    folder had started from scratch)."""
    from conftest import rewind

    from ktrain_kit.checkpointing import write_index
    rewind(source, folder, 2)
    write_index(os.path.join(folder, "checkpoints"), ["ckpt-2"])
    return folder


def fresh_session():
    """Each case as a new process would start it (faults: graphs and figures of earlier
    cases slow every later one)."""
    import keras
    import matplotlib.pyplot as plt
    keras.backend.clear_session()
    plt.close("all")


def matrix(source, scratch, launchers, files=None, kinds=None, report=print):
    """Every (file, damage, launcher) on a copy of `source`; returns {case: problems}."""
    failures, count = {}, 0
    for name in files or files_of(source):
        for damage in kinds or damages_for(name):
            if damage not in damages_for(name):
                continue
            for launcher in launchers:
                fresh_session()
                code, message, problems = check(source, scratch, name, damage, launcher)
                count += 1
                case = f"{launcher} {name} {damage}"
                report(f"{case}: exit {code} {'' if code != 2 else str(message)[:300]}"
                       + (f"  PROBLEMS {problems}" if problems else ""))
                if problems:
                    failures[case] = problems
    return count, failures


# ------------------------------------------------------------------ a sweep's folder
# tests/sweep_states.py: three trials, one finished, one pruned, one failed, as cheap as a
# sweep can be (test_crash_points' command); resumed when done, it trains nothing and writes
# its results (trials.csv, best.json, plots/) again from the study.
SWEEP = ["--config=configs/digits_mlp.py", "--config.train.epochs=1",
         "--config.data.train_examples=64", "--config.schedule.warmup_epochs=0.0",
         "--config.model.width=4", "--config.model.depth=1",
         "--config.train.deterministic=True", "--config.train.precision=float32",
         "--config.train.verbose=0", "--config.callbacks.doctor.enabled=False",
         "--config.callbacks.plots.enabled=False", "--config.callbacks.tensorboard.enabled=False",
         "--sweep=tests/sweep_states.py"]
SWEEP_REWRITES = ("trials.csv", "best.json", "plots/")
SWEEP_WORDS = ("put back", "put it back", "delete", "remove", "--workdir")


def make_sweep(folder):
    from conftest import run_launcher
    result = run_launcher("launchers.sweep", *SWEEP, f"--workdir={folder}", timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


def check_sweep(source, folder, name, damage):
    """The sweep's own command on a copy of finished sweep `source` with `name` damaged:
    (exit code, error line, problems), as `check`."""
    from conftest import run_launcher
    outside, outside_before, before = _damaged_copy(source, folder, name, damage)
    result = run_launcher("launchers.sweep", *SWEEP, f"--workdir={folder}", timeout=600)
    after = _readable_snapshot(folder)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    problems, line = [], errors[0] if errors else ""
    if "Traceback" in result.stderr:
        problems.append(f"traceback: {result.stderr[-1200:]}")
    elif result.returncode == 2:
        if len(errors) != 1:
            problems.append(f"{len(errors)} error lines: {result.stderr[-800:]}")
        elif not _names(line, folder, name):
            problems.append(f"the line names neither the file nor the sweep folder: {line}")
        elif not any(w in line for w in SWEEP_WORDS):
            problems.append(f"the line offers no fix for the sweep's folder: {line}")
    elif result.returncode != 0:
        problems.append(f"exit {result.returncode}: {result.stderr[-800:]}")
    changed = [n for n in before if n != name and after.get(n) != before[n]
               and not n.startswith(SWEEP_REWRITES)]
    if changed:
        problems.append(f"changed {changed[:4]}{' ...' if len(changed) > 4 else ''}")
    if outside_before is not None and open(outside, "rb").read() != outside_before:
        problems.append("wrote through the symlink")
    restore_permissions(folder)
    return result.returncode, line, problems
