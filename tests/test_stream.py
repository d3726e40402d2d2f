"""Sharded TFRecords: the converter round-trips every source exactly, training from shards
resumes exactly, two workers read disjoint shards, and damaged shards are one-line errors
naming the file. Paths on TensorFlow's ram:// filesystem work like local ones."""

import json
import os
import struct

import numpy as np
import pytest

from ktrain_kit import data as data_lib
from ktrain_kit.data import shards as shard_folder
from ktrain_kit.data import stream, tfrecord
from ktrain_kit.errors import UserError

from conftest import data_config, load_config, run_launcher, task



def image_folder(tmp_path, per_class=6):
    from PIL import Image
    rng = np.random.default_rng(0)
    for c in ("cat", "dog"):
        os.makedirs(tmp_path / "imgs" / c, exist_ok=True)
        for i in range(per_class):
            pixels = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / "imgs" / c / f"{i}.png")
    return str(tmp_path / "imgs")


def tabular_npz(tmp_path, n=96, float_images=False):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4, 4, 1) if float_images else (n, 5)).astype("float32")
    x.reshape(n, -1)[:, 0] = np.arange(n)  # the example's id, to follow it through pipelines
    path = tmp_path / "d.npz"
    np.savez(path, x=x, y=rng.integers(0, 3, n))
    return str(path)


SOURCES = {
    "digits (png)": lambda t: (data_config("digits"), task()),
    "synthetic images (png)": lambda t: (data_config("synthetic_images", train_examples=64,
                                                     image_size=8), task()),
    "synthetic sequences (int64)": lambda t: (data_config("synthetic_sequences",
                                                          train_examples=64, seq_len=6), task()),
    "tabular regression (float32)": lambda t: (data_config("synthetic_tabular",
                                                           train_examples=64), task("regression")),
    "float images npz (float32)": lambda t: (data_config("npz", tabular_npz(t, float_images=True)),
                                             task()),
    "csv, binary": lambda t: (data_config("csv", _csv(t)), task("binary")),
    "multilabel": lambda t: (data_config("synthetic_tabular", train_examples=64, num_classes=4),
                             task("multilabel")),
}


def _csv(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,label\n" + "\n".join(f"{i * 3},{i % 7},{['no', 'yes'][i % 2]}"
                                              for i in range(40)))
    return str(path)


@pytest.mark.parametrize("name", list(SOURCES))
def test_the_converter_round_trips_every_source(tmp_path, name):
    dc, tc = SOURCES[name](tmp_path)
    memory = data_lib.load(dc, tc, seed=3)
    tfrecord.convert(dc, tc, 3, str(tmp_path / "shards"), shards=3, progress=False)
    streamed = data_lib.load(data_config("tfrecord", tmp_path / "shards"), tc, seed=3)
    assert (streamed.train_size, streamed.val_size) == (len(memory.x_train), len(memory.x_val))
    assert streamed.input_shape == memory.input_shape and streamed.labels == memory.labels
    np.testing.assert_allclose(streamed.normalization_stats()[0],
                               memory.normalization_stats()[0], rtol=1e-6)
    # round-robin shards, read back shard by shard: example i is at shard i % 3
    x, y = streamed.sample(10_000, "train")
    order = np.concatenate([np.arange(k, len(memory.x_train), 3) for k in range(3)])
    np.testing.assert_array_equal(x, memory.x_train[order])
    np.testing.assert_array_equal(y, memory.y_train[order])
    x, y = streamed.sample(10_000, "val")
    np.testing.assert_array_equal(x, memory.x_val)  # one validation shard: stored order


def test_an_image_folder_keeps_its_files_bytes_as_found(tmp_path):
    root = image_folder(tmp_path)
    dc, tc = data_config("image_folder", root, image_size=8), task()
    memory = data_lib.load(dc, tc, seed=0)
    tfrecord.convert(dc, tc, 0, str(tmp_path / "shards"), shards=2, progress=False)
    streamed = data_lib.load(data_config("tfrecord", tmp_path / "shards"), tc, seed=0)
    x, y = streamed.sample(100, "val")
    np.testing.assert_array_equal(x, memory.x_val)  # same size: decoding the PNG = PIL's pixels
    np.testing.assert_array_equal(y, memory.y_val)
    streamed_folder = data_lib.load(data_config("image_folder", root, image_size=8,
                                                in_memory_limit_mb=0), tc, seed=0)
    assert streamed_folder.stream["format"] == "files"  # over the limit: read from the files
    x, y = streamed_folder.sample(100, "val")
    np.testing.assert_array_equal(x, memory.x_val)


def test_label_noise_of_an_image_folder_is_applied_alike_loaded_streamed_or_converted(
        tmp_path):
    # data.label_noise was recorded but ignored when an image folder was streamed from its
    # files or converted to shards: every key a user passes is honoured or refused.
    root = image_folder(tmp_path, per_class=20)
    tc = task()
    clean = data_lib.load(data_config("image_folder", root, image_size=8), tc, seed=0)
    noisy = {"label_noise": 0.5, "image_size": 8}
    memory = data_lib.load(data_config("image_folder", root, **noisy), tc, seed=0)
    np.testing.assert_array_equal(memory.x_train, clean.x_train)  # the same split, ...
    changed = memory.y_train != clean.y_train  # ... about a half relabelled at random (1 in
    assert 0 < changed.sum() < len(changed)    # 2 of those to the label they had)
    np.testing.assert_array_equal(memory.y_val, clean.y_val)  # validation keeps its labels
    files = data_lib.load(data_config("image_folder", root, in_memory_limit_mb=0, **noisy),
                          tc, seed=0)
    assert files.stream["format"] == "files"
    x, y = files.sample(100, "train")
    np.testing.assert_array_equal(x, memory.x_train)
    np.testing.assert_array_equal(y, memory.y_train)
    tfrecord.convert(data_config("image_folder", root, **noisy), tc, 0,
                     str(tmp_path / "shards"), shards=1, progress=False)
    # (written without the launcher's request record: read with the default settings)
    shards = data_lib.load(data_config("tfrecord", tmp_path / "shards"), tc, 0)
    x, y = shards.sample(100, "train")
    np.testing.assert_array_equal(x, memory.x_train)
    np.testing.assert_array_equal(y, memory.y_train)
    x, y = shards.sample(100, "val")
    np.testing.assert_array_equal(y, memory.y_val)


def test_two_conversions_of_the_same_data_are_byte_identical(tmp_path):
    # Each process orders a protobuf map (an Example's features) its own way unless asked for
    # deterministic serialization: conversions in two processes once differed in 1 of ~6.
    root = image_folder(tmp_path)
    outs = [tmp_path / f"out{i}" for i in range(2)]
    for out in outs:
        for args in (["--config.data.name=image_folder", f"--config.data.path={root}",
                      "--config.data.image_size=8", "--config.data.label_noise=0.25"], []):
            result = run_launcher("launchers.make_tfrecords", "--config=configs/digits_mlp.py",
                                  *args, f"--out={out / str(len(args))}", "--shards=2",
                                  timeout=120)
            assert result.returncode == 0, result.stderr[-2000:]
    for kind in ("0", "4"):
        first = {n: (outs[0] / kind / n).read_bytes() for n in os.listdir(outs[0] / kind)}
        assert any(n.endswith(".tfrecord") for n in first)
        for out in outs[1:]:
            assert {n: (out / kind / n).read_bytes() for n in os.listdir(out / kind)} == first
    import tensorflow as tf
    for record in tf.data.TFRecordDataset(str(outs[0] / "0" / "train-00000-of-00002.tfrecord")):
        raw = record.numpy()  # canonical: what deterministic serialization gives
        assert tf.train.Example.FromString(raw).SerializeToString(deterministic=True) == raw


def epoch_ids(ds):
    return np.concatenate([x.numpy().reshape(len(x), -1)[:, 0] for x, _ in ds]).astype(int)


def test_each_epochs_order_depends_only_on_seed_and_epoch(tmp_path):
    dc, tc = data_config("npz", tabular_npz(tmp_path), shuffle_buffer=16), task()
    tfrecord.convert(dc, tc, 0, str(tmp_path / "shards"), shards=4, progress=False)
    data = data_lib.load(data_config("tfrecord", tmp_path / "shards", shuffle_buffer=16), tc, 0)
    full = epoch_ids(stream.train_stream(data, 8, 5, dc, 0, 3))
    resumed = epoch_ids(stream.train_stream(data, 8, 5, dc, 2, 3, skip_steps=3))
    per_epoch = data.train_size // 8 * 8
    np.testing.assert_array_equal(full[2 * per_epoch + 24:], resumed)
    first, second = full[:per_epoch], full[per_epoch:2 * per_epoch]
    ids = set(data.sample(1000)[0][:, 0].astype(int))
    for epoch in (first, second):  # each epoch: distinct examples (the remainder is dropped)
        assert len(set(epoch)) == len(epoch) and set(epoch) <= ids
    assert not np.array_equal(first, second)
    # A long run is one lazy graph: before, 100,000 epochs built 100,000 chained datasets
    # (minutes, gigabytes) and every record went through one iterator per epoch.
    long_run = stream.train_stream(data, 8, 5, dc, 0, 100_000)
    np.testing.assert_array_equal(epoch_ids(long_run.take(per_epoch // 8)), first)


def test_two_workers_read_disjoint_shards_and_see_every_example_once(tmp_path):
    dc, tc = data_config("npz", tabular_npz(tmp_path, n=100), val_fraction=0.2), task()
    tfrecord.convert(dc, tc, 0, str(tmp_path / "shards"), shards=4, progress=False)
    data = data_lib.load(data_config("tfrecord", tmp_path / "shards"), tc, 0)
    assert data.train_size == 80
    seen = [epoch_ids(stream.train_stream(data, 5, 0, dc, 0, 1, worker=(i, 2),
                                          steps_per_epoch=8)) for i in (0, 1)]
    assert not set(seen[0]) & set(seen[1])
    x, _ = data.sample(100, "train")
    assert sorted(np.concatenate(seen)) == sorted(x[:, 0].astype(int))
    with pytest.raises(UserError, match="at least 5 shards"):
        stream.train_stream(data, 4, 0, dc, 0, 1, worker=(0, 5))


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("shards") / "digits")
    c = load_config("digits_mlp")
    tfrecord.convert(c.data, c.task, c.seed, out, shards=4, progress=False)
    return out


STREAM = ["--config=configs/digits_mlp.py", "--config.data.name=tfrecord",
          "--config.train.epochs=2", "--config.train.verbose=0"]


def copy_shards(source, target):
    import shutil
    shutil.copytree(source, target)
    return str(target)


def truncate(folder):
    path = os.path.join(folder, "train-00001-of-00004.tfrecord")
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) - 7)
    return path


def rewrite_first_record(folder, record_bytes):
    """Replaces a shard's first record with a hand-made one (a wrong schema)."""
    import tensorflow as tf
    path = os.path.join(folder, "train-00000-of-00004.tfrecord")
    records = [r.numpy() for r in tf.data.TFRecordDataset([path])]
    with tf.io.TFRecordWriter(path) as writer:
        for record in [record_bytes] + records[1:]:
            writer.write(record)
    return path


def example(**features):
    import tensorflow as tf
    return tf.train.Example(features=tf.train.Features(feature=features)).SerializeToString()


def missing_feature(folder):
    import tensorflow as tf
    return rewrite_first_record(folder, example(x=tf.train.Feature(
        bytes_list=tf.train.BytesList(value=[b"png"]))))


def wrong_dtype(folder):
    import tensorflow as tf
    return rewrite_first_record(folder, example(
        x=tf.train.Feature(float_list=tf.train.FloatList(value=[1.0])),
        y=tf.train.Feature(int64_list=tf.train.Int64List(value=[1]))))


@pytest.mark.parametrize("damage,fragment", [(truncate, "truncated"),
                                             (missing_feature, "do not match"),
                                             (wrong_dtype, "do not match")],
                         ids=["truncated", "missing feature", "wrong dtype"])
def test_a_damaged_shard_is_one_line_naming_it(tmp_path, shards, damage, fragment):
    folder = copy_shards(shards, tmp_path / "shards")
    path = damage(folder)
    workdir = tmp_path / "run"
    result = run_launcher("launchers.train", *STREAM, f"--config.data.path={folder}",
                          f"--workdir={workdir}", timeout=180)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(errors) == 1 and fragment in errors[0] and path in errors[0]
    assert "Traceback" not in result.stderr and not workdir.exists()


def test_a_late_record_of_the_wrong_size_is_explained(tmp_path, shards):
    """Raw pixel bytes of another image size, past the first record that is checked up front:
    the batch decode fails, and the error is turned into the one-line read error."""
    import tensorflow as tf
    folder = copy_shards(shards, tmp_path / "shards")
    path = os.path.join(folder, "train-00000-of-00004.tfrecord")
    records = [r.numpy() for r in tf.data.TFRecordDataset([path])]
    records[-1] = example(x=tf.train.Feature(bytes_list=tf.train.BytesList(value=[bytes(5)])),
                          y=tf.train.Feature(int64_list=tf.train.Int64List(value=[1])))
    with tf.io.TFRecordWriter(path) as writer:
        for record in records:
            writer.write(record)
    data = data_lib.load(data_config("tfrecord", folder), task(), 0)
    stream.check_records(data)  # every shard's first record is fine
    with pytest.raises(tf.errors.OpError) as raised:
        for _ in stream.eval_stream(data, 64, "train"):
            pass
    assert "could not be read" in str(stream.explain_read_error(raised.value, data))


def test_a_corrupted_record_found_during_training_is_one_line(tmp_path, shards):
    folder = copy_shards(shards, tmp_path / "shards")
    path = os.path.join(folder, "train-00002-of-00004.tfrecord")
    with open(path, "r+b") as f:  # flip a byte in a late record: framing intact, CRC wrong
        f.seek(os.path.getsize(path) - 30)
        byte = f.read(1)
        f.seek(os.path.getsize(path) - 30)
        f.write(bytes([byte[0] ^ 0xFF]))
    result = run_launcher("launchers.train", *STREAM, f"--config.data.path={folder}",
                          f"--workdir={tmp_path / 'run'}", timeout=180)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr[-2000:]
    assert "could not be read" in errors[0] and "Traceback" not in result.stderr
    assert "function_node" not in errors[0] and "[Op:" not in errors[0]  # TF's bookkeeping
    assert json.load(open(tmp_path / "run" / "manifest.json"))  # the folder is intact


def test_a_corrupted_validation_record_the_doctor_reads_stops_before_the_run_folder(
        tmp_path, shards):
    """The doctor scores up to 1,024 validation rows of a classifier at the end (its
    `validation_data`); they are read in the pre-check, as its reference rows are, so a record
    it cannot read is one line before the run folder exists - read later, when the callbacks
    were built, it was an error inside the folder's making."""
    import glob
    folder = copy_shards(shards, tmp_path / "shards")
    path = sorted(glob.glob(os.path.join(folder, "val-*.tfrecord")))[0]
    with open(path, "r+b") as f:  # flip a byte in a late record: framing intact, CRC wrong
        f.seek(os.path.getsize(path) - 30)
        byte = f.read(1)
        f.seek(os.path.getsize(path) - 30)
        f.write(bytes([byte[0] ^ 0xFF]))
    workdir = tmp_path / "run"
    result = run_launcher("launchers.train", *STREAM, f"--config.data.path={folder}",
                          f"--workdir={workdir}", timeout=180)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr[-2000:]
    assert "could not be read" in errors[0] and "Traceback" not in result.stderr
    assert not workdir.exists()


def test_framing_check_counts_records(tmp_path):
    path = tmp_path / "x.tfrecord"
    payloads = [b"abc", b"", b"0123456789"]
    with open(path, "wb") as f:
        for p in payloads:
            f.write(struct.pack("<Q", len(p)) + b"\0" * 4 + p + b"\0" * 4)
    assert shard_folder.check_shard(str(path)) == 3
    with open(path, "ab") as f:
        f.write(b"\1\2")
    with pytest.raises(UserError, match="truncated"):
        shard_folder.check_shard(str(path))


def test_training_from_shards_resumes_exactly(tmp_path, shards):
    import csv

    from conftest import rewind
    from ktrain_kit.training import train
    config = load_config("digits_mlp", data__name="tfrecord", data__path=shards,
                         train__epochs=2, train__verbose=0, train__deterministic=True,
                         callbacks__checkpoint__every_steps=10, callbacks__checkpoint__keep=50,
                         data__shuffle_buffer=256)
    reference = str(tmp_path / "full")
    train(config, reference)
    workdir = rewind(reference, tmp_path / "resumed", step=64)  # epoch 2, after 20 batches
    train(config, workdir)

    def rows(folder):
        return [{k: v for k, v in r.items() if k not in ("epoch_time_s", "examples_per_sec")}
                for r in csv.DictReader(open(os.path.join(folder, "metrics.csv")))]
    assert rows(workdir) == rows(reference)


def test_shards_and_the_run_folder_on_a_non_local_filesystem():
    """TensorFlow's in-memory ram:// filesystem stands in for a bucket (gs://, s3://)."""
    import tensorflow as tf

    from ktrain_kit.evaluate import evaluate
    from ktrain_kit.training import train
    c = load_config("digits_mlp", train__epochs=2, train__verbose=0,
                    data__train_examples=256)
    tfrecord.convert(c.data, c.task, c.seed, "ram://test/shards", shards=2, progress=False)
    c = load_config("digits_mlp", train__epochs=2, train__verbose=0, data__name="tfrecord",
                    data__path="ram://test/shards")
    summary = train(c, "ram://test/run")
    assert summary["epochs_run"] == 2
    for name in ("config.json", "metrics.csv", "summary.json", "diagnosis.json",
                 "checkpoints/final.weights.h5", "export/1/saved_model.pb", "plots/loss.png"):
        assert tf.io.gfile.exists(f"ram://test/run/{name}"), name
    results = evaluate("ram://test/run")
    assert results["accuracy"] == pytest.approx(summary["best_val_accuracy"], rel=1e-5)
