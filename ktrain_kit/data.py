"""Datasets chosen by name: load into memory, check, split, then stream with tf.data.

Every source returns the same `Dataset` record: NumPy arrays for training and validation plus the
facts that size the model (input shape, classes, per-feature mean/variance for the model's own
input normalization). Bad files and bad values raise `UserError` naming the file and the fix,
before any training starts.
"""

import csv
import dataclasses
import os

import numpy as np

from ktrain_kit.errors import config_error, file_error

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


@dataclasses.dataclass
class Dataset:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    num_classes: int
    kind: str  # "image" (H, W, C floats), "features" (D floats) or "tokens" (L ints)

    @property
    def input_shape(self):
        return tuple(self.x_train.shape[1:])

    @property
    def input_dtype(self):
        return "int32" if self.kind == "tokens" else "float32"

    def normalization_stats(self):
        """Mean and variance per channel (images) or feature, from the training split only."""
        axes = tuple(range(self.x_train.ndim - 1)) if self.kind == "image" else (0,)
        x = self.x_train.astype(np.float64)
        return x.mean(axis=axes), np.maximum(x.var(axis=axes), 1e-6)


# ---------------------------------------------------------------- sources: return (x, y, kind)

def _digits(dc, rng):
    from sklearn.datasets import load_digits
    bunch = load_digits()
    return bunch.images[..., None].astype(np.float32), bunch.target.astype(np.int32), "image"


def _synthetic_count(dc):
    train = dc.train_examples or 2048
    return train + int(round(train * dc.val_fraction / (1 - dc.val_fraction)))


def _synthetic_images(dc, rng):
    """Each class is a smooth random template; examples are noisy, shifted, rescaled copies."""
    n, size, classes = _synthetic_count(dc), dc.image_size, dc.num_classes
    coarse = rng.uniform(0, 255, size=(classes, 4, 4, dc.channels))
    templates = np.kron(coarse, np.ones((1, size // 4 + 1, size // 4 + 1, 1)))[:, :size, :size]
    y = rng.integers(0, classes, size=n).astype(np.int32)
    contrast = rng.uniform(0.6, 1.0, size=(n, 1, 1, 1))
    x = templates[y] * contrast + rng.normal(0, 40, size=(n, size, size, dc.channels))
    return np.clip(x, 0, 255).astype(np.float32), y, "image"


def _synthetic_sequences(dc, rng):
    """Label = the class whose private tokens appear in the sequence, among uniform noise.

    Tokens are split into per-class groups; 30% of positions come from the label's group, the rest
    are uniform. A model must pool evidence over the whole sequence to classify it.
    """
    n, length, vocab, classes = _synthetic_count(dc), dc.seq_len, dc.vocab_size, dc.num_classes
    if vocab < 2 * classes:
        raise config_error("data.vocab_size", f"{vocab} is too small for {classes} classes",
                           f"use at least {2 * classes}")
    group = vocab // classes
    y = rng.integers(0, classes, size=n).astype(np.int32)
    noise = rng.integers(0, vocab, size=(n, length))
    signal = y[:, None] * group + rng.integers(0, group, size=(n, length))
    x = np.where(rng.random((n, length)) < 0.3, signal, noise)
    return x.astype(np.int32), y, "tokens"


def _npz(dc, rng):
    path = _existing(dc.path, "an .npz file with arrays 'x' and 'y'")
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except Exception as e:  # numpy raises several types for damaged archives
        raise file_error(path, f"cannot be read as .npz ({type(e).__name__})",
                         "write it with numpy.savez(path, x=..., y=...)") from None
    missing = {"x", "y"} - set(arrays)
    if missing:
        raise file_error(path, f"has no array named {sorted(missing)} (found {sorted(arrays)})",
                         "save it with numpy.savez(path, x=features, y=labels)")
    x, y = arrays["x"], arrays["y"]
    if len(x) != len(y):
        raise file_error(path, f"x has {len(x)} rows but y has {len(y)}",
                         "give one label per example")
    kind = "tokens" if np.issubdtype(x.dtype, np.integer) and x.ndim == 2 else (
        "image" if x.ndim in (3, 4) else "features")
    if kind == "image" and x.ndim == 3:
        x = x[..., None]
    if not np.issubdtype(x.dtype, np.number):
        raise file_error(path, f"x has dtype {x.dtype}, not numbers", "store numeric arrays")
    return (x.astype(np.int32) if kind == "tokens" else x.astype(np.float32)), _labels(y, path), kind


def _csv(dc, rng):
    path = _existing(dc.path, "a .csv file of numbers with one label column")
    try:
        with open(path, newline="") as f:
            rows = [r for r in csv.reader(f) if r]
    except (OSError, UnicodeDecodeError) as e:
        raise file_error(path, f"cannot be read as text ({type(e).__name__})",
                         "give a plain-text .csv file") from None
    if rows and not _numeric(rows[0]):
        rows = rows[1:]  # a header
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        bad = next(i for i, r in enumerate(rows) if len(r) != len(rows[0]))
        raise file_error(path, f"row {bad + 1} has {len(rows[bad])} columns, the first has "
                         f"{len(rows[0])}", "give every row the same number of columns")
    try:
        table = np.array(rows, dtype=np.float64)
    except ValueError:
        raise file_error(path, "holds values that are not numbers",
                         "keep only numbers (a header line is allowed)") from None
    if table.size == 0:
        raise file_error(path, "holds no examples", "add rows of features and a label")
    col = dc.label_column % table.shape[1]
    if table.shape[1] < 2:
        raise file_error(path, "has a single column", "add feature columns beside the label")
    x = np.delete(table, col, axis=1).astype(np.float32)
    return x, _labels(table[:, col], path), "features"


def _image_folder(dc, rng):
    root = _existing(dc.path, "a folder with one sub-folder of images per class")
    if not os.path.isdir(root):
        raise file_error(root, "is not a folder", "point data.path at root/<class>/<image>.png")
    classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    if len(classes) < 2:
        raise file_error(root, f"has {len(classes)} class sub-folders, need at least 2",
                         "make one sub-folder per class holding its images")
    from PIL import Image
    xs, ys = [], []
    mode = "L" if dc.channels == 1 else "RGB"
    for label, name in enumerate(classes):
        folder = os.path.join(root, name)
        for fname in sorted(os.listdir(folder)):
            if not fname.lower().endswith(IMAGE_SUFFIXES):
                continue
            path = os.path.join(folder, fname)
            try:
                with Image.open(path) as im:
                    im = im.convert(mode).resize((dc.image_size, dc.image_size))
                    xs.append(np.asarray(im, dtype=np.float32).reshape(
                        dc.image_size, dc.image_size, dc.channels))
            except Exception as e:  # PIL raises many types for damaged files
                raise file_error(path, f"is not a readable image ({type(e).__name__})",
                                 "delete or replace it") from None
            ys.append(label)
    if not xs:
        raise file_error(root, "holds no images (.png, .jpg, .bmp, .gif)",
                         "put images into the class sub-folders")
    return np.stack(xs), np.array(ys, dtype=np.int32), "image"


SOURCES = {
    "digits": _digits,
    "synthetic_images": _synthetic_images,
    "synthetic_sequences": _synthetic_sequences,
    "npz": _npz,
    "csv": _csv,
    "image_folder": _image_folder,
}


def _existing(path, what):
    if not os.path.exists(path):
        raise file_error(path, "does not exist", f"set --config.data.path to {what}")
    return path


def _numeric(row):
    try:
        [float(v) for v in row]
        return True
    except ValueError:
        return False


def _labels(y, path):
    y = np.asarray(y)
    if y.ndim != 1:
        raise file_error(path, f"labels have shape {y.shape}", "give one integer class per example")
    if not np.issubdtype(y.dtype, np.number) or not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
        raise file_error(path, "labels are not whole numbers", "use integer class ids 0..K-1")
    return y.astype(np.int32)


# ---------------------------------------------------------------- loading and checks

def load(dc, seed: int) -> Dataset:
    """Loads `dc.name`, checks it and splits off validation (the split depends on `seed`)."""
    rng = np.random.default_rng(seed)
    x, y, kind = SOURCES[dc.name](dc, rng)
    where = dc.path or dc.name
    if len(x) == 0:
        raise file_error(where, "holds no examples", "point data.path at a non-empty dataset")
    if kind != "tokens" and not np.all(np.isfinite(x)):
        bad = int(np.argwhere(~np.isfinite(x.reshape(len(x), -1)))[0][0])
        raise file_error(where, f"inputs hold NaN or Inf (first at example {bad})",
                         "clean or drop those examples")
    if y.min() < 0:
        raise file_error(where, f"label {y.min()} is negative", "use class ids 0..K-1")
    synthetic = dc.name.startswith("synthetic")
    num_classes = dc.num_classes if synthetic else int(y.max()) + 1
    if len(np.unique(y)) < 2:
        raise file_error(where, "holds a single class", "a classifier needs at least 2 classes")
    if kind == "tokens" and (x.min() < 0):
        raise file_error(where, "token ids must be >= 0", "map tokens to ids 0..vocab-1")

    order = rng.permutation(len(x))
    n_val = max(1, int(round(len(x) * dc.val_fraction)))
    val_idx, train_idx = order[:n_val], order[n_val:]
    if dc.train_examples:
        if dc.train_examples > len(train_idx) and not synthetic:
            raise config_error("data.train_examples", f"asks for {dc.train_examples} but "
                               f"{where} has {len(train_idx)} after the validation split",
                               f"use at most {len(train_idx)} or 0 for all")
        train_idx = train_idx[:dc.train_examples]
    if len(train_idx) == 0:
        raise file_error(where, "leaves no training examples after the validation split",
                         "add data or lower data.val_fraction")
    y_train = y[train_idx].copy()
    if dc.label_noise:
        noisy = rng.random(len(y_train)) < dc.label_noise
        y_train[noisy] = rng.integers(0, num_classes, size=int(noisy.sum()))
    return Dataset(x[train_idx], y_train, x[val_idx], y[val_idx], num_classes, kind)


def vocab_size(data: Dataset) -> int:
    return int(max(data.x_train.max(), data.x_val.max())) + 1


# ---------------------------------------------------------------- tf.data pipelines

def augment_batch(images, seed, augment):
    """Random flip / translation / pad-and-crop of a batch, a pure function of `seed`.

    Stateless on purpose: the randomness of batch b comes from (run seed, b) alone, so a run
    resumed in the middle of training augments every later batch exactly as the uninterrupted
    run did (Keras' random layers keep hidden generator state that a restart loses).
    """
    import tensorflow as tf
    fold = tf.random.experimental.stateless_fold_in
    if augment.flip:
        images = tf.image.stateless_random_flip_left_right(images, fold(seed, 1))
    if augment.translate:
        images = _shift(images, fold(seed, 2), augment.translate, "REFLECT", "BILINEAR")
    if augment.crop_padding:  # zero-pad by p and crop back = an integer shift with zero fill
        images = _shift(images, fold(seed, 3), augment.crop_padding, "CONSTANT", "NEAREST")
    return images


def _shift(images, seed, amount, fill_mode, interpolation):
    """Shifts each image by its own random offset: up to `amount` pixels (int) or a fraction."""
    import tensorflow as tf
    shape = tf.shape(images)
    batch, size = shape[0], tf.cast(shape[1:3], tf.float32)
    limit = tf.fill([2], float(amount)) if isinstance(amount, int) else amount * size
    offsets = tf.random.stateless_uniform([batch, 2], seed, -1.0, 1.0) * limit
    if isinstance(amount, int):
        offsets = tf.round(offsets)
    ones, zeros = tf.ones([batch, 1]), tf.zeros([batch, 1])
    dy, dx = offsets[:, :1], offsets[:, 1:]
    transforms = tf.concat([ones, zeros, dx, zeros, ones, dy, zeros, zeros], axis=1)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=shape[1:3], fill_value=0.0,
        interpolation=interpolation, fill_mode=fill_mode)


def train_pipeline(data: Dataset, batch_size: int, seed: int, dc, first_epoch: int = 0,
                   epochs: int = 1, skip_steps: int = 0):
    """Global batches for epochs [first_epoch, epochs), to be fit with steps_per_epoch.

    Each epoch is a fresh random permutation that depends only on (seed, epoch), and each
    batch's augmentation only on (seed, batch number), so a run resumed at epoch e, step k
    (`skip_steps=k` leaves out the k batches of epoch e already trained) sees the very batches
    the uninterrupted run saw. Each epoch yields len // batch_size full batches (the remainder
    is dropped, so every update splits evenly into micro-batches and replicas). Batches are
    gathered from the in-memory arrays.
    """
    import tensorflow as tf
    examples = len(data.x_train)
    steps_per_epoch = examples // batch_size
    x, y = tf.constant(data.x_train), tf.constant(data.y_train)

    def epoch_order(epoch):
        order = tf.random.experimental.stateless_shuffle(
            tf.range(examples, dtype=tf.int64), seed=tf.stack([tf.constant(seed, tf.int64), epoch]))
        return tf.data.Dataset.from_tensor_slices(order[:steps_per_epoch * batch_size])

    ds = tf.data.Dataset.range(first_epoch, epochs).flat_map(epoch_order)
    ds = ds.batch(batch_size, drop_remainder=True).skip(skip_steps)
    ds = ds.enumerate(start=first_epoch * steps_per_epoch + skip_steps)  # global batch number
    augment = dc.augment if data.kind == "image" and any(
        (dc.augment.flip, dc.augment.translate, dc.augment.crop_padding)) else None

    def gather(number, indices):
        images = tf.gather(x, indices)
        if augment is not None:
            batch_seed = tf.stack([tf.constant(seed, tf.int64), number])
            images = augment_batch(images, batch_seed, augment)
        return images, tf.gather(y, indices)

    ds = ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def eval_pipeline(x, y, batch_size: int):
    import tensorflow as tf
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
    return ds.cache().prefetch(tf.data.AUTOTUNE)
