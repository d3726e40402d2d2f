"""The run folder: decide whether a workdir may be used, resumed or must be refused.

A folder holding a finished run, or a run of a different config, is never overwritten unless the
user passes `--overwrite`. A folder holding an unfinished run of the same config is resumed.
Nothing here imports TensorFlow.
"""

import json
import os
import shutil
import time

from ktrain_kit.errors import UserError

CONFIG = "config.json"
SUMMARY = "summary.json"  # written last: its presence marks a finished run
COSMETIC_KEYS = ("train.verbose",)  # may differ when an interrupted run is resumed


def default_workdir(config_path: str) -> str:
    stem = os.path.splitext(os.path.basename(config_path))[0] or "run"
    return os.path.join("runs", f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}")


def _resolved(config) -> dict:
    return json.loads(config.to_json())


def prepare(workdir: str, config, overwrite: bool) -> bool:
    """Checks `workdir` and makes it; returns True when an unfinished run there is resumed."""
    config_path = os.path.join(workdir, CONFIG)
    resume = False
    if os.path.exists(config_path):
        if overwrite:
            _empty(workdir)
        else:
            try:
                with open(config_path) as f:
                    previous = json.load(f)
            except (OSError, ValueError):
                raise UserError(f"run folder '{workdir}': its {CONFIG} is unreadable; pass "
                                "--overwrite to start afresh there, or choose a new "
                                "--workdir") from None
            changed = sorted(set(_diff(previous, _resolved(config))) - set(COSMETIC_KEYS))
            if changed:
                raise UserError(f"run folder '{workdir}' holds a run of a different config "
                                f"(differs in: {', '.join(changed[:5])}); choose a new --workdir, "
                                "or pass --overwrite to replace it")
            if os.path.exists(os.path.join(workdir, SUMMARY)):
                raise UserError(f"run folder '{workdir}' holds a finished run; choose a new "
                                "--workdir, or pass --overwrite to train again there")
            resume = True
    elif os.path.isfile(workdir):
        raise UserError(f"--workdir '{workdir}' is a file, not a folder; choose a folder path")
    try:
        os.makedirs(workdir, exist_ok=True)
        probe = os.path.join(workdir, ".write_test")
        with open(probe, "w") as f:
            f.write("ok")
        os.remove(probe)
    except OSError as e:
        raise UserError(f"run folder '{workdir}' is not writable ({e.strerror}); choose another "
                        "--workdir") from None
    return resume


def write_config(workdir: str, config) -> None:
    _write_json(os.path.join(workdir, CONFIG), _resolved(config))


def write_summary(workdir: str, summary: dict) -> None:
    _write_json(os.path.join(workdir, SUMMARY), summary)


def _write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
    os.replace(tmp, path)


def _empty(workdir):
    for name in os.listdir(workdir):
        path = os.path.join(workdir, name)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def _diff(a, b, prefix=""):
    for key in set(a) | set(b):
        va, vb = a.get(key), b.get(key)
        if isinstance(va, dict) and isinstance(vb, dict):
            yield from _diff(va, vb, f"{prefix}{key}.")
        elif va != vb:
            yield f"{prefix}{key}"
