"""Train a config into a run folder.

    python -m launchers.train --config=configs/digits_cnn.py [--config.a.b=v ...] [--workdir=DIR]

Without --workdir a new folder under runs/ is made. Re-running on the folder of an interrupted run
resumes it; a finished run or a different config there is refused unless --overwrite is given.
With callbacks.doctor.repair=N, a run the doctor finds a problem in is followed by up to N
repaired runs beside it, as `python -m launchers.doctor WORKDIR --fix --budget=N` does.
Exit codes: 0 trained (or repaired), 1 training stopped on a NaN loss, 2 bad config, flag, data
or run folder.
"""

import sys

from absl import flags

from ktrain_kit import cli, runfolder

cli.define_config_flag()
flags.DEFINE_string("workdir", None, "Run folder (default: a new folder under runs/).")
flags.DEFINE_bool("overwrite", False, "Replace the run the --workdir folder holds (only the "
                  "files that run wrote are removed).")
FLAGS = flags.FLAGS


def _note_unread_keys():
    """One line per optimizer/schedule key set but not read by the chosen optimizer or
    schedule (`--config.optimizer.momentum=0.9` under adam). Here, not in train(): a sweep's
    trials switch optimizer.name on purpose. After the config checks, so a bad config is one
    error line alone; on stdout with the run's other notes."""
    from ktrain_kit import config as config_lib
    config_lib.validate(FLAGS.config)
    config_lib.check_named_keys_switched_on(FLAGS.config, cli.overridden_keys())
    for line in config_lib.unread_key_notes(FLAGS.config, cli.overridden_keys()):
        print(line, flush=True)


def main(argv):
    from ktrain_kit.training import train
    workdir = FLAGS.workdir or runfolder.default_workdir(cli.config_path() or "run")
    runfolder.check_checkpoint_path(workdir)  # before the data and the model are built
    runfolder.check_output_folder(workdir, "--workdir")  # a device, a pipe, a file, read-only
    cli.check_path_flag(workdir, "--workdir")  # what train() takes: a name over 255 bytes...
    runfolder.check_not_a_sweeps_trial(workdir)  # the sweep trains its trials (train() too)
    budget = FLAGS.config.callbacks.doctor.repair
    from ktrain_kit import repair
    resuming_repair = budget and not FLAGS.overwrite and repair.repair_started(workdir)
    # killed while repairing: the run itself is finished, its repair goes on
    if not resuming_repair:
        _note_unread_keys()
    summary = repair.read_summary(workdir) if resuming_repair else \
        train(FLAGS.config, workdir, overwrite=FLAGS.overwrite)
    # a repair to resume over a damaged summary.json: repair() says so, in one line
    if budget and (summary.get("diagnosis") not in (None, "healthy") or not summary):
        state = repair.repair(workdir, budget)  # callbacks.doctor.repair: the same as --fix
        print("\n" + "\n".join(repair.printed_lines(state)))
        if state["outcome"].startswith("repaired"):
            return
    if summary.get("stopped"):
        # Not a bad input (exit 2) and not a success (exit 0): the run failed, its folder
        # says why (diagnosis.md) and keeps the last good checkpoint.
        print(f"error: training stopped: the loss became NaN; see {workdir}/diagnosis.md",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    cli.run(main)
