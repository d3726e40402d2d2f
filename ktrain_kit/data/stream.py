"""tf.data over streamed examples: sharded TFRecords, or the files of a large image folder.

Never materialized: records are read shard by shard (interleaved), shuffled in bounded blocks,
batched as raw bytes, and decoded in parallel after batching. The order depends only on
(seed, epoch): each epoch shuffles the shard order with a stateless shuffle of (seed, epoch) and
each block of `data.shuffle_buffer` records with one of (seed, epoch, block), so a resumed run
reads the same batches. A
mid-epoch resume skips the batches already trained; they are read and discarded, not decoded
(skipping k batches costs reading k x batch_size records - seconds per 100,000 examples on a
local disk, more from a bucket).

Under multi-worker training each worker reads its own shards (file-level sharding: shard i goes
to worker i mod W), so W workers together see every training example once per epoch.
"""

import re

import numpy as np
import tensorflow as tf

from ktrain_kit.data import images, transforms
from ktrain_kit.errors import UserError

INTERLEAVE = 4   # shards read at once


def _schema(features):
    x, y = features["x"], features["y"]
    if x["encoding"] == "int64":
        x_spec = tf.io.FixedLenFeature(x["shape"], tf.int64)
    else:
        x_spec = tf.io.FixedLenFeature([], tf.string)
    y_spec = tf.io.FixedLenFeature(y["shape"], tf.int64 if y["dtype"] == "int64" else
                                   tf.float32)
    return {"x": x_spec, "y": y_spec}


def _decoder(data):
    """A function from a batch of raw records to (inputs, labels), in graph mode."""
    stream = data.stream
    shape = list(data.input_shape)
    if stream["format"] == "files":  # EXIF orientations were read when the folder was listed
        turned = stream.get("orientation") or {"": 1}
        orientation = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
            list(turned), tf.constant(list(turned.values()), tf.int32)), default_value=1)
        return lambda paths, labels: (tf.map_fn(
            lambda p: images.decode(tf.io.read_file(p), orientation.lookup(p), shape), paths,
            fn_output_signature=tf.float32), labels)
    features = stream["features"]
    schema, encoding = _schema(features), features["x"]["encoding"]

    def decode(records):
        parsed = tf.io.parse_example(records, schema)
        x, y = parsed["x"], parsed["y"]
        if encoding == "int64":
            x = tf.cast(x, tf.int32)
        elif encoding in ("uint8", "float32"):  # fixed-size raw bytes: one op per batch
            raw = tf.io.decode_raw(x, tf.uint8 if encoding == "uint8" else tf.float32)
            x = tf.cast(tf.reshape(raw, [-1, *shape]), tf.float32)
            x.set_shape(records.shape[:1].concatenate(shape))  # keep a static batch size
        else:  # png or an image file as found
            x = tf.map_fn(lambda b: _image(b, shape), x, fn_output_signature=tf.float32)
        if y.dtype == tf.int64:
            y = tf.cast(y, tf.int32)
        return x, y
    return decode


def _image(raw, shape):
    """An image file's bytes as stored in a shard (orientation already applied)."""
    return images.decode(raw, 1, shape)


def _epoch_reader(data, seed, examples, buffer, worker):
    """A function from an epoch number (a tensor) to this worker's records of that epoch, in an
    order that depends only on (seed, epoch). Used with flat_map, so a run of any number of
    epochs is one small graph, built at once (a Python loop of per-epoch datasets chained with
    concatenate made each record pass through one iterator per epoch)."""
    index, count = worker
    stream = data.stream
    seed = tf.constant(seed, tf.int64)
    if stream["format"] == "files":  # the whole file list is in memory: a full shuffle
        paths = tf.constant(stream["train"][index::count])
        labels = tf.constant(stream["train_labels"][index::count])

        def read_files(epoch):
            order = tf.random.experimental.stateless_shuffle(
                tf.range(tf.size(paths, out_type=tf.int64)), seed=tf.stack([seed, epoch]))
            return tf.data.Dataset.from_tensor_slices(
                (tf.gather(paths, order), tf.gather(labels, order))).take(examples)
        return read_files
    files = tf.constant(stream["train"][index::count])
    cycle = min(INTERLEAVE, len(stream["train"][index::count]))

    def read_records(epoch):
        order = tf.random.experimental.stateless_shuffle(
            tf.range(tf.size(files, out_type=tf.int64)), seed=tf.stack([seed, epoch]))
        ds = tf.data.Dataset.from_tensor_slices(tf.gather(files, order))
        ds = ds.interleave(tf.data.TFRecordDataset, cycle_length=cycle, block_length=1,
                           num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        # Shuffle blocks of `buffer` records, each with a stateless shuffle of (seed, epoch,
        # block): the same memory bound as a shuffle buffer, and seeds that may be tensors.
        ds = ds.batch(buffer).enumerate().map(
            lambda block, records: tf.random.experimental.stateless_shuffle(
                records, seed=tf.stack([seed, epoch * 1_000_003 + block])))
        return ds.unbatch().take(examples)
    return read_records


def train_stream(data, batch_size, seed, dc, first_epoch=0, epochs=1, skip_steps=0,
                 class_weights=None, worker=(0, 1), steps_per_epoch=None):
    """Training batches of epochs [first_epoch, epochs), like pipeline.train_pipeline.

    `worker` = (index, count) under multi-worker training: this worker reads shards index,
    index + count, ... and makes batches of `batch_size` (its share of the global batch) for
    `steps_per_epoch` steps (the global steps: every worker takes the same number).
    """
    index, count = worker
    if count > 1 and data.stream["format"] == "tfrecord" and len(data.stream["train"]) < count:
        raise UserError(f"data.path has {len(data.stream['train'])} training shard(s) for "
                        f"{count} workers; write at least {count} shards "
                        "(launchers.make_tfrecords --shards=N)")
    steps_per_epoch = steps_per_epoch or data.train_size // batch_size
    buffer = max(int(dc.shuffle_buffer), batch_size)
    read_epoch = _epoch_reader(data, seed, steps_per_epoch * batch_size, buffer, worker)
    ds = tf.data.Dataset.range(first_epoch, epochs).flat_map(read_epoch)
    ds = ds.batch(batch_size, drop_remainder=True).skip(skip_steps)
    # Known length, as in-memory data have: Keras warns that data "ran out" otherwise.
    ds = ds.apply(tf.data.experimental.assert_cardinality(
        (epochs - first_epoch) * steps_per_epoch - skip_steps))
    ds = ds.enumerate(start=first_epoch * steps_per_epoch + skip_steps)
    decode = _decoder(data)
    augment = dc.augment if transforms.augmenting(dc, data.kind) else None
    files = data.stream["format"] == "files"

    def prepare(number, batch):
        x, y = decode(*batch) if files else decode(batch)
        if augment is not None:
            x = transforms.augment_batch(x, tf.stack([tf.constant(seed, tf.int64), number]),
                                       augment)
        if class_weights is None:
            return x, y
        return x, y, transforms.example_weights(y, class_weights)

    ds = ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE)


def eval_stream(data, batch_size, split="val"):
    """A split's examples in their stored order, batched, decoded in parallel."""
    decode = _decoder(data)
    stream = data.stream
    if stream["format"] == "files":
        ds = tf.data.Dataset.from_tensor_slices((stream[split], stream[f"{split}_labels"]))
        ds = ds.batch(batch_size).map(lambda paths, labels: decode(paths, labels),
                                      num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    else:
        ds = tf.data.TFRecordDataset(stream[split]).batch(batch_size).map(
            decode, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    size = data.val_size if split == "val" else stream["features"]["splits"]["train"][
        "examples"] if stream["format"] == "tfrecord" else len(stream["train"])
    ds = ds.apply(tf.data.experimental.assert_cardinality(-(-size // batch_size)))
    options = tf.data.Options()  # workers evaluate a share of the batches, not of the files
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options).prefetch(tf.data.AUTOTUNE)


def read_sample(data, n, split="train"):
    """The first n examples of a split, as NumPy arrays (the doctor's probe and reference)."""
    xs, ys = [], []
    count = 0
    for x, y in eval_stream(data, min(256, max(n, 1)), split):
        xs.append(x.numpy())
        ys.append(y.numpy())
        count += len(xs[-1])
        if count >= n:
            break
    if not xs:
        return np.zeros((0, *data.input_shape), np.float32), np.zeros((0,))
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def distributed_train_stream(strategy, data, batch_size, seed, dc, first_epoch, epochs,
                             skip_steps, class_weights):
    """Per-worker streams under multi-worker training (file-level sharding)."""
    steps = data.train_size // batch_size

    def dataset_fn(context):
        per_replica = context.get_per_replica_batch_size(batch_size)
        local_replicas = context.num_replicas_in_sync // context.num_input_pipelines
        ds = train_stream(data, per_replica * local_replicas, seed, dc, first_epoch, epochs,
                          skip_steps, class_weights,
                          worker=(context.input_pipeline_id, context.num_input_pipelines),
                          steps_per_epoch=steps)
        return ds.rebatch(per_replica) if local_replicas > 1 else ds
    return strategy.distribute_datasets_from_function(dataset_fn)


def check_records(data):
    """Parses the first record of every shard: a missing feature or a wrong dtype is one line
    naming the shard, before anything is written."""
    if data.stream["format"] != "tfrecord":
        return
    decode = _decoder(data)
    for path in data.stream["train"] + data.stream["val"]:
        try:
            for record in tf.data.TFRecordDataset([path]).take(1).batch(1):
                decode(record)
        except (tf.errors.OpError, ValueError) as e:
            problem = ("is corrupted" if isinstance(e, tf.errors.DataLossError) else
                       "holds records that do not match features.json")
            raise UserError(f"file '{path}': {problem} ({_first_line(e)}); write the shards "
                            "again with launchers.make_tfrecords") from None


def explain_read_error(error, data):
    """TensorFlow's error for an unreadable record during training, as a UserError."""
    if not isinstance(error, (tf.errors.DataLossError, tf.errors.InvalidArgumentError,
                              tf.errors.NotFoundError)):
        return None
    text = _first_line(error)
    if not isinstance(error, tf.errors.DataLossError) and not any(
            word in str(error) for word in ("record", "Feature", "parse", "decode", "DecodeRaw",
                                            "image", "Unknown image file format",
                                            "No such file")):
        return None  # not about reading the data
    where = data.stream.get("folder") or "the image folder"
    return UserError(f"data.path '{where}': a record could not be read during training "
                     f"({type(error).__name__}: {text}); check or rewrite the shards "
                     "(launchers.make_tfrecords), then re-run the same command to resume")


def _first_line(error):
    """The error's first line without TensorFlow's bookkeeping: '{{function_node
    __wrapped__IteratorGetNext_...}} corrupted record at 12 [Op:IteratorGetNext] name:' is
    'corrupted record at 12'."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", lines[0]) if lines else ""
    text = re.sub(r"\s*\[Op:[^\]]*\]( name:.*)?$", "", text).strip()
    return (text or type(error).__name__)[:200]
