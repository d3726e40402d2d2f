"""Write a config's data as sharded TFRecords, to train from them without loading them.

    python -m launchers.make_tfrecords --config=configs/images_resnet.py \
        [--config.data.name=image_folder --config.data.path=/path/to/root] \
        --out=/data/shards [--shards=16] [--val_shards=4] [--skip_bad]

Writes DIR/train-00000-of-000NN.tfrecord ..., DIR/val-..., and DIR/features.json; the split is the
one training would make (data.val_fraction, seed). Then train with

    python -m launchers.train --config=... --config.data.name=tfrecord --config.data.path=DIR

An image folder is converted one file at a time (never held in memory); an unreadable image is a
one-line error naming it, or skipped and counted with --skip_bad. `--out` may be a bucket
(gs://...) where TensorFlow's filesystem reaches it.
"""

from absl import flags

from ktrain_kit import cli

cli.define_config_flag()
flags.DEFINE_string("out", None, "Folder to write the shards and features.json to.",
                    required=True)
flags.DEFINE_integer("shards", 8, "Training shards (at least the number of workers that "
                     "will read them).", lower_bound=1,
                     upper_bound=99_999)  # a shard's name holds 5 digits: train-00000-of-00008
flags.DEFINE_integer("val_shards", None, "Validation shards (default: shards / 4).",
                     lower_bound=1, upper_bound=99_999)
flags.DEFINE_bool("skip_bad", False, "Skip unreadable images (and count them) instead of "
                  "stopping.")
FLAGS = flags.FLAGS


def main(argv):
    from ktrain_kit import config as config_lib
    from ktrain_kit import fs
    config = FLAGS.config
    config_lib.validate(config)
    config_lib.check_output_outside_data(config, FLAGS.out, "--out")
    from ktrain_kit import runfolder
    from ktrain_kit.data import shards
    runfolder.check_output_folder(FLAGS.out, "--out", (
        shards.is_shard_folder_entry, "shards (train-*.tfrecord, val-*.tfrecord, features.json)"))
    if runfolder.read_manifest(FLAGS.out) is not None:
        cli.fail(f"--out '{FLAGS.out}' is a training run's folder; write the shards to a "
                 "folder of their own")
    from ktrain_kit.data import tfrecord
    request = tfrecord.request(config, FLAGS.shards, FLAGS.val_shards)
    if fs.exists(fs.join(FLAGS.out, "features.json")):
        if tfrecord.made_for(FLAGS.out) == request:  # the same command again: done already
            print(f"{FLAGS.out} already holds these shards (features.json); nothing to do")
            return
        cli.fail(f"--out '{FLAGS.out}' already holds other shards (features.json); choose a "
                 "new folder or delete that one")
    features = tfrecord.convert(config.data, config.task, config.seed, FLAGS.out, FLAGS.shards,
                                FLAGS.val_shards, FLAGS.skip_bad, request=request)
    splits = features["splits"]
    print(f"\nwrote {splits['train']['examples']} training examples in "
          f"{len(splits['train']['shards'])} shards and {splits['val']['examples']} validation "
          f"examples in {len(splits['val']['shards'])} to {FLAGS.out}\n"
          f"  train from them: python -m launchers.train --config=... "
          f"--config.data.name=tfrecord --config.data.path={FLAGS.out}")


if __name__ == "__main__":
    cli.run(main)
