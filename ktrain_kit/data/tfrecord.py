"""Sharded TFRecords: the converter, and the streaming reader for data beyond memory.

    python -m launchers.make_tfrecords --config=CONFIG --out=DIR --shards=N

writes whatever data a config names as `DIR/train-00000-of-0000N.tfrecord ...`, `DIR/val-...`
and `DIR/features.json` (feature encodings and shapes, examples per split, class names, the
task, normalization statistics). Image files are stored as found (PNG, JPEG, ...); arrays as raw
uint8 bytes when their values are whole numbers in 0..255 (lossless, and decoded for a whole
batch in one op: PNG-decoding small images cost 7% of the step on 2 cores), else as float32
bytes. An image folder is converted one file at a time: it is never held in memory.

`data.name=tfrecord, data.path=DIR` then trains from the shards without loading them: shard
order shuffled per epoch, bounded shuffle blocks seeded per epoch, parallel decode, prefetch
(ktrain_kit/data/stream.py). This module writes; TensorFlow is needed.
"""

import json

import numpy as np

from ktrain_kit import fs
from ktrain_kit.data import sources
from ktrain_kit.data.shards import FEATURES, FORMAT, digest, shard_names
from ktrain_kit.errors import UserError, file_error

def _bytes(value):
    import tensorflow as tf
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def _floats(values):
    import tensorflow as tf
    return tf.train.Feature(float_list=tf.train.FloatList(value=np.ravel(values).tolist()))


def _ints(values):
    import tensorflow as tf
    return tf.train.Feature(int64_list=tf.train.Int64List(value=np.ravel(values).tolist()))


def _x_encoding(data):
    """How the inputs are stored: uint8 (lossless whole numbers 0..255), float32, int64.
    (Folders written before may hold png; the reader still decodes it.)"""
    if data.kind == "sequence":
        return "int64"
    if data.kind == "image":
        sample = np.concatenate([data.x_train[:4096].ravel(), data.x_val[:4096].ravel()])
        whole = np.all(np.round(sample) == sample) and sample.min() >= 0 and sample.max() <= 255
        return "uint8" if whole else "float32"
    return "float32"


def _y_feature(y):
    y = np.asarray(y)
    return _ints(y) if y.dtype.kind in "iu" else _floats(y)


def _example(x, y, encoding):
    import tensorflow as tf
    if encoding == "uint8":
        x_feature = _bytes(np.asarray(x, np.uint8).tobytes())
    elif encoding == "float32":
        x_feature = _bytes(np.asarray(x, np.float32).tobytes())
    elif encoding == "int64":
        x_feature = _ints(np.asarray(x, np.int64))
    else:  # an image file's own bytes
        x_feature = _bytes(x)
    # deterministic: protobuf orders a map's entries as its hash table does, which differs
    # between processes; sorted keys make two conversions of the same data byte-identical.
    return tf.train.Example(features=tf.train.Features(feature={
        "x": x_feature, "y": _y_feature(y)})).SerializeToString(deterministic=True)


class _Shards:
    """Round-robin writers: example i goes to shard i mod N (balanced to one example). Each
    shard is written under a temporary name and renamed into place when it is complete."""

    def __init__(self, out, split, shards):
        import tensorflow as tf
        self.names = shard_names(split, shards)
        self.paths = [fs.join(out, n) for n in self.names]
        for path in self.paths:
            fs.library_write("tfrecord", fs.temp_path(path))
        self.writers = [tf.io.TFRecordWriter(fs.temp_path(p)) for p in self.paths]
        self.count = 0

    def write(self, record):
        self.writers[self.count % len(self.writers)].write(record)
        self.count += 1

    def close(self):
        for writer, path in zip(self.writers, self.paths):
            writer.close()
            fs.replace(fs.temp_path(path), path)


def request(config, shards, val_shards) -> dict:
    """What a conversion was asked for; features.json keeps it, so that the same command run
    again (after a kill, say) is recognized as done."""
    return json.loads(json.dumps({"data": config.data.to_dict(), "task": config.task.name,
                                  "seed": config.seed, "shards": shards,
                                  "val_shards": val_shards}, default=str))


def made_for(folder):
    """The `request` recorded in `folder`'s features.json (None when unreadable or absent)."""
    try:
        with fs.open(fs.join(folder, FEATURES)) as f:
            return fs.parse_json(f).get("request")
    except (OSError, ValueError, AttributeError):
        return None


def convert(dc, tc, seed, out, shards, val_shards=None, skip_bad=False, progress=True,
            request=None):
    """Writes the config's data (split as training would split it) to `out`; returns the
    features description that was written to features.json (with `request` in it)."""
    if shards < 1:
        raise UserError(f"--shards={shards}: write at least 1 shard")
    val_shards = val_shards or max(1, shards // 4)
    if dc.name == "image_folder":
        return _convert_image_folder(dc, tc, seed, out, shards, val_shards, skip_bad, progress,
                                     request)
    if dc.name == "tfrecord":
        raise UserError("data.name=tfrecord is already sharded TFRecords; convert the source "
                        "data instead")
    data = sources.load(dc, tc, seed)
    encoding = _x_encoding(data)
    bar = _progress(len(data.x_train) + len(data.x_val), progress)
    counts = {}
    _check_shard_counts(len(data.x_train), len(data.x_val), shards, val_shards)
    _prepare(out)
    for split, xs, ys, n in (("train", data.x_train, data.y_train, shards),
                             ("val", data.x_val, data.y_val, val_shards)):
        writer = _Shards(out, split, n)
        for x, y in zip(xs, ys):
            writer.write(_example(x, y, encoding))
            bar.add(1)
        writer.close()
        counts[split] = {"examples": writer.count, "shards": writer.names}
    mean, variance = data.normalization_stats()
    features = {
        "format": FORMAT, "task": tc.name, "kind": data.kind,
        "x": {"encoding": encoding, "shape": list(data.input_shape),
              "dtype": "int32" if data.kind == "sequence" else "float32"},
        "y": _y_description(data.y_train), "num_outputs": data.num_outputs,
        "labels": data.labels, "splits": counts,
        "normalization": {"mean": np.ravel(mean).tolist(), "variance": np.ravel(variance)
                          .tolist()},
        "vocab_size": data.vocab_size() if data.kind == "sequence" else None,
        "label_counts": _label_counts(data.y_train, tc.name, data.num_outputs),
        "source": {"name": dc.name, "path": dc.path, "seed": seed}, "request": request}
    if data.preprocessing is not None:  # a csv or text: serve raw columns / strings later
        from ktrain_kit.data import saved_preprocessing
        features["preprocessing"] = saved_preprocessing.save(data.preprocessing, out)
    _write_features(out, features)
    return features


def _prepare(out):
    """The folder is made once the data are known good, so a refused conversion leaves none."""
    fs.makedirs(out)
    fs.remove_temps(out)  # half-written shards of a killed conversion


def _check_shard_counts(train_examples, val_examples, shards, val_shards):
    """Every shard gets an example, and a split's shards are open at once: more shards than
    examples, or than the process may open files, is a typo (refused before any is written)."""
    import resource
    open_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    for flag, n, examples in (("--shards", shards, train_examples),
                              ("--val_shards", val_shards, val_examples)):
        if n > max(examples, 1):
            raise UserError(f"{flag}={n} is more shards than the {examples} examples of its "
                            f"split; use {flag}={max(examples, 1)} or fewer")
        if 0 < open_files - 64 < n:  # the rest for the process's own files
            raise UserError(f"{flag}={n} is more shards than this process may open at once "
                            f"(ulimit -n {open_files}); use {flag}={open_files - 64} or fewer")


def _y_description(y):
    y = np.asarray(y)
    return {"dtype": "int64" if y.dtype.kind in "iu" else "float32",
            "shape": list(y.shape[1:])}


def _label_counts(y, task, outputs):
    if task == "classification":
        return np.bincount(np.asarray(y, np.int64), minlength=outputs).tolist()
    if task == "binary":
        return np.bincount((np.asarray(y).reshape(-1) > 0.5).astype(int), minlength=2).tolist()
    return None


def _write_features(out, features):
    features = {**features, "digest": digest(features)}
    fs.write_text(fs.join(out, FEATURES), json.dumps(features, indent=1))


def _progress(total, show):
    import keras

    class Quiet:
        def add(self, n):
            pass
    return keras.utils.Progbar(total, unit_name="example") if show else Quiet()


def _convert_image_folder(dc, tc, seed, out, shards, val_shards, skip_bad, progress,
                          request=None):
    """One file at a time: its bytes as found go into the shard, its pixels (decoded by
    data/images.py, as training decodes them) into the running normalization statistics. A
    file whose EXIF orientation turns it is stored as the PNG of its decoded pixels, so the
    reader (which sees no EXIF) gives the same pixels."""
    from ktrain_kit.data import images
    files, classes = sources.image_folder_files(dc.path)
    labels = sources.folder_labels(files, classes, tc)
    train_idx, val_idx, y_train = sources.split_labels(len(files), labels.y, dc, tc,
                                                       labels.num_outputs, seed)
    split_labels = {"train": y_train, "val": labels.y[val_idx]}  # data.label_noise applied
    size = dc.image_size
    shape = (size, size, dc.channels)
    skip_bad = skip_bad or dc.skip_bad_files
    stats = _RunningStats(dc.channels)
    bar = _progress(len(train_idx) + len(val_idx), progress)
    counts, skipped, label_seen = {}, [], []
    _check_shard_counts(len(train_idx), len(val_idx), shards, val_shards)
    _prepare(out)
    for split, indices, n in (("train", train_idx, shards), ("val", val_idx, val_shards)):
        writer = _Shards(out, split, n)
        for i, y in zip(indices, split_labels[split]):
            path, _ = files[i]
            try:
                turn = images.orientation(path)
                pixels = images.decode_file(path, shape, turn).astype(np.float64)
                with fs.open(path, "rb") as f:
                    raw = f.read()
                if turn != 1:
                    import tensorflow as tf
                    raw = tf.io.encode_png(pixels.astype(np.uint8)).numpy()
            except (ValueError, OSError) as e:
                if not skip_bad:
                    raise file_error(path, f"is not a readable image ({e})",
                                     "delete or replace it, or pass --skip_bad") from None
                skipped.append(path)
                bar.add(1)
                continue
            if split == "train":
                stats.add(pixels.reshape(size, size, dc.channels))
                label_seen.append(y)
            writer.write(_example(raw, y, "image_file"))
            bar.add(1)
        writer.close()
        counts[split] = {"examples": writer.count, "shards": writer.names}
    mean, variance = stats.result()
    features = {
        "format": FORMAT, "task": tc.name, "kind": "image",
        "x": {"encoding": "image_file", "shape": [size, size, dc.channels], "dtype": "float32"},
        "y": _y_description(labels.y), "num_outputs": labels.num_outputs,
        "labels": labels.info, "splits": counts, "skipped_files": len(skipped),
        "normalization": {"mean": mean, "variance": variance}, "vocab_size": None,
        "label_counts": _label_counts(np.asarray(label_seen), tc.name, labels.num_outputs),
        "source": {"name": dc.name, "path": dc.path, "seed": seed}, "request": request}
    _write_features(out, features)
    if skipped:
        print(f"make_tfrecords: skipped {len(skipped)} unreadable image(s), e.g. {skipped[0]}")
    return features


class _RunningStats:
    """Per-channel mean and variance of a stream of images (Chan et al.'s parallel update)."""

    def __init__(self, channels):
        self.n, self.mean, self.m2 = 0, np.zeros(channels), np.zeros(channels)

    def add(self, image):
        values = image.reshape(-1, image.shape[-1])
        n, mean = len(values), values.mean(axis=0)
        m2 = ((values - mean) ** 2).sum(axis=0)
        delta, total = mean - self.mean, self.n + n
        self.mean = self.mean + delta * n / total
        self.m2 = self.m2 + m2 + delta ** 2 * self.n * n / total
        self.n = total

    def result(self):
        variance = np.maximum(self.m2 / max(self.n, 1), 1e-6)
        return self.mean.tolist(), variance.tolist()
