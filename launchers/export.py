"""Export a finished run as a SavedModel for TF Serving, under <workdir>/export/<version>/.

    python -m launchers.export --workdir=runs/digits_cnn-20261125-090000 --version=2

Training already writes export/1; use this to write another version or to re-export.
"""

from absl import flags

from ktrain_kit import cli

flags.DEFINE_string("workdir", None, "Run folder of a finished training run.", required=True)
flags.DEFINE_integer("version", 1, "Version folder to write (TF Serving serves the highest).",
                     lower_bound=1)
FLAGS = flags.FLAGS


def main(argv):
    import os

    from ktrain_kit import export, restore
    _, _, model = restore.load_run(FLAGS.workdir)
    path = export.export(model, os.path.join(FLAGS.workdir, "export"), FLAGS.version)
    print(f"exported {path}")


if __name__ == "__main__":
    cli.run(main)
