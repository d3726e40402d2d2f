"""Train a config into a run folder.

    python -m launchers.train --config=configs/digits_cnn.py [--config.a.b=v ...] [--workdir=DIR]

Without --workdir a new folder under runs/ is made. Re-running on the folder of an interrupted run
resumes it; a finished run or a different config there is refused unless --overwrite is given.
"""

from absl import flags

from ktrain_kit import cli, runfolder

cli.define_config_flag()
flags.DEFINE_string("workdir", None, "Run folder (default: a new folder under runs/).")
flags.DEFINE_bool("overwrite", False, "Replace whatever run the --workdir folder holds.")
FLAGS = flags.FLAGS


def main(argv):
    if len(argv) > 1:
        cli.fail(f"unexpected argument '{argv[1]}'; flags look like --workdir=DIR")
    from ktrain_kit.train import train
    workdir = FLAGS.workdir or runfolder.default_workdir(cli.config_path() or "run")
    train(FLAGS.config, workdir, overwrite=FLAGS.overwrite)


if __name__ == "__main__":
    cli.run(main)
