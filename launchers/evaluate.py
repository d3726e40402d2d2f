"""Evaluate a finished run on its validation split (or another file) and print the metrics.

    python -m launchers.evaluate --workdir=runs/digits_cnn-20261125-090000

Reads the run folder's config.json and final weights; writes evaluation.json beside them.
"""

from absl import flags

from ktrain_kit import cli

flags.DEFINE_string("workdir", None, "Run folder of a finished training run.", required=True)
FLAGS = flags.FLAGS


def main(argv):
    from ktrain_kit.evaluate import evaluate
    results = evaluate(FLAGS.workdir)
    print("  ".join(f"{k}: {v:.4f}" for k, v in results.items()))


if __name__ == "__main__":
    cli.run(main)
