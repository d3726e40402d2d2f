"""Evaluate a finished run on its validation split and print the task's metrics.

    python -m launchers.evaluate --workdir=runs/digits_cnn-20261125-090000

Reads the run folder's config.json and final weights, rebuilds the validation split exactly as
training did, and writes the metrics (loss, and accuracy / auc / mae / rmse by task) to
evaluation.json in the run folder.
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
