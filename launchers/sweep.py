"""Sweep config keys with Optuna: every trial an ordinary run folder under DIR/trials/.

    python -m launchers.sweep --config=configs/digits_mlp.py --sweep=sweeps/digits_mlp_lr.py \
        --workdir=runs/sweep-digits [--trials=N] [--workers=K] [--storage=URL]

Writes DIR/study.db (the Optuna study; or --storage=postgresql://... for many machines),
DIR/trials/NNNN/ (one run folder per trial), DIR/trials.csv, DIR/best.json and DIR/plots/, and
prints the best trials with the command that reproduces the best one. Killed at any moment, the
same command continues where it stopped. See ktrain_kit/sweep.py and README "Find a learning rate".
"""

import os
import sys

from absl import flags

from ktrain_kit import cli
from ktrain_kit.sweep import MAX_TRIALS

cli.define_config_flag()
flags.DEFINE_string("sweep", None, "Sweep file with get_sweep(), e.g. sweeps/digits_mlp_lr.py.",
                    required=True)
flags.DEFINE_string("workdir", None, "Sweep folder (study.db, trials/, trials.csv, best.json).",
                    required=True)
flags.DEFINE_integer("trials", None, "Finished trials to reach (default: the sweep file's).",
                     lower_bound=1, upper_bound=MAX_TRIALS)
flags.DEFINE_integer("workers", 1, "Worker processes on this machine sharing the study (at "
                     "most the trials to reach).", lower_bound=1, upper_bound=MAX_TRIALS)
flags.DEFINE_string("storage", None, "Study database as a SQLAlchemy URL (default: "
                    "sqlite:///DIR/study.db).")
flags.DEFINE_integer("trial", None, "(internal) run this one trial.", lower_bound=0,
                     upper_bound=MAX_TRIALS)
flags.DEFINE_integer("worker", 0, "(internal) run as worker number K (1..) of --workers.",
                     lower_bound=0, upper_bound=MAX_TRIALS)
FLAGS = flags.FLAGS
INTERNAL = ("trial", "worker", "workers")


def _forwarded_args():
    """The command line, for the processes this one starts, minus the internal flags (by
    their exact names, as absl parses them)."""
    from ktrain_kit import sweep
    return sweep.forwarded_args(sys.argv[1:], INTERNAL, FLAGS)


def main(argv):
    from ktrain_kit import config as config_lib
    from ktrain_kit import fs, sweep
    config = FLAGS.config
    config_lib.validate(config)
    config_lib.check_output_outside_data(config, FLAGS.workdir)
    spec = sweep.validate_spec(sweep.load_spec(FLAGS.sweep), config, FLAGS.trials)
    workdir = FLAGS.workdir
    if FLAGS.trial is not None:
        sweep.run_trial(config, spec, FLAGS.storage, workdir, FLAGS.trial)
        return
    from ktrain_kit import runfolder
    runfolder.check_output_folder(workdir, "--workdir")  # a file, inside a file, read-only
    runfolder.check_checkpoint_path(workdir)  # each trial's checkpoints live under it
    sweep.check_sweep_folder(workdir)
    if not FLAGS.worker and FLAGS.workers > spec["trials"]:
        cli.fail(f"--workers={FLAGS.workers} is more than the {spec['trials']} trials to reach: "
                 "a worker beyond that never gets a trial and only starts TensorFlow; use "
                 f"--workers={spec['trials']} or fewer (or raise --trials)")
    sweep.storage_url(FLAGS.storage, workdir)  # an in-memory study: refused before anything
    # a database of the user's is opened before the folder is touched (a bad URL writes
    # nothing); the default one lives in the folder, so it is opened after it is made
    study_storage = sweep.storage(FLAGS.storage, workdir) if FLAGS.storage else None
    fs.makedirs(workdir)
    for name in ("trials", "plots"):  # never written through a symlink out of the workdir
        fs.subfolder(os.path.join(workdir, name))
    if not FLAGS.worker:  # the workers it starts find this done
        fs.remove_temps(workdir, recursive=True)  # what killed sweeps left half-written
        sweep.bind(workdir, config, spec)
    the_study = sweep.study(spec, study_storage or sweep.storage(FLAGS.storage, workdir),
                            seed=config.seed)
    if not FLAGS.worker:
        sweep.check_study_holds_trials(the_study, workdir)
        sweep.enqueue_config_values(the_study, spec, config)

    def trial_command(number):
        return [sys.executable, "-m", "launchers.sweep", *_forwarded_args(), f"--trial={number}"]

    children = []
    if FLAGS.workers > 1 and not FLAGS.worker:
        children += [sweep.start_process([sys.executable, "-m", "launchers.sweep",
                                          *_forwarded_args(), f"--worker={k}"])
                     for k in range(1, FLAGS.workers)]
    sweep.worker(config, spec, FLAGS.storage, workdir, trial_command, index=FLAGS.worker,
                 children=children)
    if not FLAGS.worker:
        command = "python -m launchers.train " + " ".join(cli.config_words(_forwarded_args()))
        sweep.results(the_study, spec, workdir, command)
        code, line = sweep.outcome(the_study, spec, workdir)
        if code:
            cli.fail(line, code)


if __name__ == "__main__":
    cli.run(main)
