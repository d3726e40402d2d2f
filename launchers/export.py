"""Export a finished run as a SavedModel for TF Serving, under <workdir>/export/<version>/.

    python -m launchers.export --workdir=runs/digits_cnn-20261125-090000 --version=2

Training already writes export/1; use this to write another version or to re-export. The new
version is written beside the old one and swapped in: a failed export leaves the old one served.
"""

from absl import flags

from ktrain_kit import cli

flags.DEFINE_string("workdir", None, "Run folder of a finished training run.", required=True)
flags.DEFINE_integer("version", 1, "Version folder to write (TF Serving serves the highest).",
                     lower_bound=1, upper_bound=2**63 - 1)  # TF Serving's versions are int64
FLAGS = flags.FLAGS


def main(argv):
    from ktrain_kit.export import export_run
    print(f"exported {export_run(FLAGS.workdir, FLAGS.version)}")


if __name__ == "__main__":
    cli.run(main)
