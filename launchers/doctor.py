"""The doctor's diagnosis of a finished (or stopped) run, and with --fix its repair.

    python -m launchers.doctor RUN_FOLDER [--fix] [--budget=3]

Prints the findings of RUN_FOLDER/diagnosis.json and the remedies a config can express (or
that a finding needs a change to your code or data). With --fix it trains repaired runs beside
the folder (RUN_FOLDER.fix1, ...: ordinary run folders) until one is healthy and beats the
original's main validation metric, at most --budget of them, and writes repair.json, repair.md
and repair.png into RUN_FOLDER. The last line printed reproduces the best run. Killed, the
same command finishes the same attempts. Exit codes: 0 done (repaired, healthy, or the
diagnosis printed), 1 --fix found no repair, 2 bad input.
"""

import sys

from absl import flags

from ktrain_kit import cli
from ktrain_kit.config import LIMITS

flags.DEFINE_bool("fix", False, "Train repaired runs beside the run folder.")
flags.DEFINE_integer("budget", 3, "At most this many repaired runs are trained.", lower_bound=1,
                     upper_bound=LIMITS["callbacks.doctor.repair"])  # as the config key
FLAGS = flags.FLAGS


def main(argv):
    if len(argv) != 2:
        cli.fail("give one run folder: python -m launchers.doctor RUN_FOLDER [--fix] "
                 "[--budget=N]")
    from ktrain_kit import fs, repair
    workdir = fs.without_trailing_slash(argv[1])
    print("\n".join(repair.diagnosis_lines(workdir)), flush=True)
    if not FLAGS.fix:
        return
    state = repair.repair(workdir, FLAGS.budget)
    print("\n" + "\n".join(repair.printed_lines(state)))
    if not state["outcome"].startswith(("repaired", "healthy")):
        sys.exit(cli.EXIT_FAILED)


if __name__ == "__main__":
    cli.run(main, takes_arguments=True)
