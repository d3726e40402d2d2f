"""LR range test: sweep the learning rate over ~100 steps and suggest one for the config.

    python -m launchers.lr_find --config=configs/digits_cnn.py [--workdir=DIR]

Trains a throwaway copy of the config's model (a run's weights, checkpoints and results are
never touched), prints `suggested learning rate: X` with the override to use, and saves
lr_find.png (loss vs learning rate, suggestion marked) and lr_find.csv - in a run folder given
as --workdir, beside its files, recorded in its manifest. See ktrain_kit/lr_find.py for the
algorithm and limits.
"""

import os
import time

from absl import flags

from ktrain_kit import cli
from ktrain_kit.arguments import rate_range_problem

cli.define_config_flag()
flags.DEFINE_string("workdir", None, "Where to write lr_find.png / .csv (default: a new folder "
                    "under runs/).")
flags.DEFINE_integer("steps", 100, "Optimizer steps in the sweep.", lower_bound=10,
                     upper_bound=100_000)  # beyond: a typo, and hours of a throwaway model
flags.DEFINE_float("min_lr", 1e-7, "First learning rate of the sweep.", lower_bound=0)
flags.DEFINE_float("max_lr", 10.0, "Last learning rate of the sweep.", lower_bound=0)
FLAGS = flags.FLAGS


def main(argv):
    problem = rate_range_problem(FLAGS.min_lr, FLAGS.max_lr)
    if problem:  # the library's words, its arguments named as the flags
        cli.fail(f"{problem.replace('min_lr', '--min_lr').replace('max_lr', '--max_lr')}; "
                 "e.g. --min_lr=1e-7 --max_lr=10")
    stem = os.path.splitext(os.path.basename(cli.config_path() or "run"))[0]
    workdir = FLAGS.workdir or os.path.join("runs", f"lr_find-{stem}-{time.strftime('%Y%m%d-%H%M%S')}")
    from ktrain_kit import config as config_lib
    from ktrain_kit import runfolder
    config_lib.check_output_outside_data(FLAGS.config, workdir)
    runfolder.check_output_folder(  # before the sweep, not after it
        workdir, "--workdir", (lambda name: runfolder.lr_find_output(workdir, name),
                               f"lr_find's ({', '.join(runfolder.LR_FIND_OUTPUTS)})"))
    from ktrain_kit.lr_find import lr_range_test
    earlier = [name for name in runfolder.LR_FIND_OUTPUTS  # an earlier sweep's, replaced: said
               if os.path.isfile(os.path.join(workdir, name))]
    result = lr_range_test(FLAGS.config, workdir, FLAGS.steps, FLAGS.min_lr, FLAGS.max_lr)
    note = " (stopped when the loss diverged)" if result["stopped_on_divergence"] else ""
    print(f"swept {result['steps']} steps{note}; plot: {result['plot']}")
    if earlier:
        print(f"replaced the earlier sweep's {' and '.join(earlier)} in {workdir} (pass "
              "another --workdir to keep both)")
    others = ", ".join(f"{rule}: {lr:.3g}" for rule, lr in result["suggestions"].items()
                       if rule != "minimum")
    if result["suggested_lr"] is None:
        print(f"no suggestion: the loss was lowest at the start of the sweep (rates near "
              f"--min_lr={FLAGS.min_lr:g}), so it never fell as the rate grew; sweep longer "
              f"(--steps={max(100, 2 * FLAGS.steps)}) or from a lower --min_lr, and read "
              f"the plot (other rules - {others})")
        return
    print(f"suggested learning rate: {result['suggested_lr']:.3g}  (a tenth of the rate at the "
          f"lowest loss; other rules - {others})")
    print(f"  use: --config.schedule.base_lr={result['suggested_lr']:.3g}")


if __name__ == "__main__":
    cli.run(main)
