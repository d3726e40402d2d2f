"""Every flag of every launcher but train (launchers.train: test_config_keys_enumerated.py),
enumerated from absl's registry after importing the launcher, so a flag added later is tried
too, x the classes of value of benchmarks/config_values.py's table. Each case is the launcher
run by cli.run in a fork of this process, with the one call that would start TensorFlow
replaced (benchmarks/launcher_flags.py, the standalone harness, runs every class; round h66
in benchmarks/BAD_INPUTS.md). A case passes on exit 0, or exit 2 with one line naming the
flag (or, for a path, the path), no traceback, no hang, the run folder it reads unchanged.

What this found on HEAD: a sweep's --workdir was put into its database's URL as text
(`sqlite:///DIR/study.db`): a folder named `q?x` sent the study to a file `q` beside the folder
(`?` began the URL's query), `p%41x` and `b{x}` (a dict-like `{'a': 1}`) were refused as a
damaged study.db ("put back the study.db the sweep wrote") - `%41` read as `A`, and braces a
template to Optuna (KeyError).
"""

import os

import pytest

from benchmarks import launcher_flags as harness
from ktrain_kit import sweep

# A class of each kind from config_values.OVERRIDE_VALUES (all of them: the harness): the
# whole table for every flag takes ~80 s on two cores.
KINDS = ("text", "negative", "nan", "huge_int", "empty", "padded", "emoji", "float_for_int",
         "missing_path", "dict")


def failures(results):
    return {(launcher, case): r for launcher, cases in results.items()
            for case, r in cases.items() if r["problem"]}


def test_every_flag_of_every_launcher_takes_or_refuses_each_class_of_value():
    results = harness.run_each(harness.LAUNCHERS, kinds=set(KINDS))
    for launcher in harness.LAUNCHERS:  # the registry gave each launcher's own flags
        flags_tried = {case.split("=", 1)[0] for case in results[launcher]}
        assert len(flags_tried) >= 2, (launcher, flags_tried)
    assert set(results["sweep"]) >= {f"--{f}=text" for f in
                                     ("sweep", "workdir", "trials", "workers", "storage")}
    assert not failures(results), failures(results)


def test_every_folder_name_is_the_folder_a_launcher_writes_into():
    """The output folder flag of each launcher that writes one, named with the characters a
    URL or a template reads: accepted, and nothing made outside that folder."""
    results = harness.run_each(tuple(harness.OUTPUT_FLAG),
                               only_flags=lambda launcher: {harness.OUTPUT_FLAG[launcher]},
                               kinds=set(harness.FOLDER_NAMES))
    assert sum(len(cases) for cases in results.values()) == 3 * len(harness.FOLDER_NAMES)
    assert not failures(results), failures(results)


@pytest.mark.parametrize("name", sorted(harness.FOLDER_NAMES.values()) + ["{'a': 1}", "é x"])
def test_the_sweeps_own_study_db_is_inside_its_folder(tmp_path, name):
    """Independent of the launcher: Optuna's storage on the default URL makes the file at
    os.path.join(folder, 'study.db'), and nothing else beside the folder."""
    folder = tmp_path / name
    folder.mkdir()
    storage = sweep.storage(None, str(folder))
    storage.engine.dispose()
    assert os.path.isfile(os.path.join(str(folder), "study.db"))
    assert sorted(os.listdir(tmp_path)) == [name]
