"""What the data is: each source loads its examples, and `load()` checks, labels and splits them.

A source is one function `(data_config, task_config, rng) -> Raw` registered in `SOURCES`. `load()`
turns its raw examples into a `Dataset`: inputs checked, labels prepared for the task
(ktrain_kit/tasks.py), validation split off by the seed. Bad files and bad values raise `UserError`
naming the file and the fix. No TensorFlow here: a bad file is refused before TensorFlow starts.
"""

import csv
import dataclasses
import hashlib
import io

import numpy as np

from ktrain_kit import fs, tasks
from ktrain_kit.errors import config_error, file_error

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
# What operating systems and tools leave in folders: never classes, never images.
SYSTEM_NAMES = {"__macosx", "@eadir", "thumbs.db", "desktop.ini", "$recycle.bin",
                "lost+found", "system volume information"}
MAX_TOKEN_ID = 10_000_000


@dataclasses.dataclass
class Raw:
    """A source's examples before checking and splitting."""
    x: np.ndarray
    y: np.ndarray
    kind: str                       # "image" (H, W, C), "sequence" (L token ids), "tabular" (D)
    num_classes: int | None = None  # generated data: the classes asked for
    label_info: dict = dataclasses.field(default_factory=dict)  # e.g. label column names


@dataclasses.dataclass
class Dataset:
    """Training and validation examples plus the facts that size a model for them.

    In memory: the four arrays. Streamed (sharded TFRecords, or an image folder too large for
    memory): the arrays are None and `stream` says where the examples are (data/stream.py
    reads them); shapes, sizes, statistics and label counts then come from the stream's
    description. A user's model builder receives this as `data`: `input_shape`, `num_outputs`,
    `kind` (image | sequence | tabular) and `task` are what it needs.
    """
    x_train: np.ndarray | None
    y_train: np.ndarray | None
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    kind: str
    task: str
    num_outputs: int
    labels: dict                    # class names, binary label mapping, target mean/std, ...
    fingerprint: str = ""           # of the files read, to notice data changed since training
    stream: dict | None = None      # where streamed examples are, and their description

    @property
    def input_shape(self):
        return tuple(self.stream["shape"]) if self.stream else tuple(self.x_train.shape[1:])

    @property
    def input_dtype(self):
        return "int32" if self.kind == "sequence" else "float32"

    @property
    def train_size(self) -> int:
        return self.stream["train_size"] if self.stream else len(self.x_train)

    @property
    def val_size(self) -> int:
        return self.stream["val_size"] if self.stream else len(self.x_val)

    @property
    def num_classes(self):
        """Classes of a classification task (its outputs); 2 for binary."""
        return 2 if self.task == "binary" else self.num_outputs

    def normalization_stats(self):
        """Mean and variance per channel (images) or feature, from the training split only."""
        if self.stream:
            mean, variance = (np.asarray(v, np.float64) for v in self.stream["normalization"])
            return mean, variance
        axes = tuple(range(self.x_train.ndim - 1)) if self.kind == "image" else (0,)
        x = self.x_train.astype(np.float64)
        return x.mean(axis=axes), np.maximum(x.var(axis=axes), 1e-6)

    def vocab_size(self) -> int:
        if self.stream:
            return int(self.stream.get("vocab_size") or 0)
        return int(max(self.x_train.max(), self.x_val.max())) + 1

    def label_counts(self):
        """Training examples per class (classification; binary: [zeros, ones]), else None."""
        if self.stream:
            return self.stream.get("label_counts")
        if self.task == "classification":
            return np.bincount(self.y_train, minlength=self.num_outputs).tolist()
        if self.task == "binary":
            return np.bincount((self.y_train.reshape(-1) > 0.5).astype(int),
                               minlength=2).tolist()
        return None

    def sample(self, n, split="train"):
        """Up to n (x, y) examples as arrays: the first ones of the split (streamed data are
        read, only those)."""
        if self.stream:
            from ktrain_kit.data import stream
            return stream.read_sample(self, n, split)
        x, y = (self.x_train, self.y_train) if split == "train" else (self.x_val, self.y_val)
        return x[:n], y[:n]


# ---------------------------------------------------------------- sources

def _digits(dc, tc, rng):
    from sklearn.datasets import load_digits
    bunch = load_digits()
    return Raw(bunch.images[..., None].astype(np.float32), bunch.target.astype(np.int64),
               "image")


def _synthetic_count(dc):
    train = dc.train_examples or 2048
    return train + int(round(train * dc.val_fraction / (1 - dc.val_fraction)))


def _synthetic_images(dc, tc, rng):
    """Each class is a smooth random template; examples are noisy, shifted, rescaled copies."""
    n, size, classes = _synthetic_count(dc), dc.image_size, dc.num_classes
    coarse = rng.uniform(0, 255, size=(classes, 4, 4, dc.channels))
    templates = np.kron(coarse, np.ones((1, size // 4 + 1, size // 4 + 1, 1)))[:, :size, :size]
    y = rng.integers(0, classes, size=n)
    contrast = rng.uniform(0.6, 1.0, size=(n, 1, 1, 1))
    x = templates[y] * contrast + rng.normal(0, 40, size=(n, size, size, dc.channels))
    # whole pixel values, like decoded images (and lossless as uint8 in make_tfrecords)
    return Raw(np.clip(x, 0, 255).round().astype(np.float32), y, "image", num_classes=classes)


def _synthetic_sequences(dc, tc, rng):
    """Label = the class whose private tokens appear in the sequence, among uniform noise.

    Tokens are split into per-class groups; 30% of positions come from the label's group, the rest
    are uniform. A model must pool evidence over the whole sequence to classify it.
    """
    n, length, vocab, classes = _synthetic_count(dc), dc.seq_len, dc.vocab_size, dc.num_classes
    if vocab < 2 * classes:
        raise config_error("data.vocab_size", f"{vocab} is too small for {classes} classes",
                           f"use at least {2 * classes}")
    group = vocab // classes
    y = rng.integers(0, classes, size=n)
    noise = rng.integers(0, vocab, size=(n, length))
    signal = y[:, None] * group + rng.integers(0, group, size=(n, length))
    x = np.where(rng.random((n, length)) < 0.3, signal, noise)
    return Raw(x.astype(np.int32), y, "sequence", num_classes=classes)


def _synthetic_tabular(dc, tc, rng):
    """scikit-learn's generators, by task: make_classification (binary, classification),
    make_multilabel_classification, make_friedman1 (regression). Nothing is downloaded."""
    from sklearn import datasets
    n, features = _synthetic_count(dc), dc.num_features
    seed = int(rng.integers(0, 2**31 - 1))
    if tc.name == "regression":
        x, y = datasets.make_friedman1(n, n_features=max(features, 5), noise=1.0,
                                       random_state=seed)
        return Raw(x.astype(np.float32), y, "tabular")
    if tc.name == "multilabel":
        x, y = datasets.make_multilabel_classification(n, n_features=features,
                                                       n_classes=dc.num_classes,
                                                       random_state=seed)
        return Raw(x.astype(np.float32), y, "tabular")
    classes = 2 if tc.name == "binary" else dc.num_classes
    x, y = datasets.make_classification(n, n_features=features,
                                        n_informative=max(2, min(features, 2 * classes)),
                                        n_redundant=0, n_classes=classes, flip_y=0.02,
                                        class_sep=1.0, random_state=seed)
    return Raw(x.astype(np.float32), y, "tabular", num_classes=classes)


def _npz(dc, tc, rng):
    path = _existing(dc.path, "an .npz file with arrays 'x' and 'y'")
    try:
        with fs.open(path, "rb") as handle, np.load(handle, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except Exception as e:  # numpy raises several types for damaged archives
        raise file_error(path, f"cannot be read as .npz ({type(e).__name__})",
                         "write it with numpy.savez(path, x=..., y=...)") from None
    missing = {"x", "y"} - set(arrays)
    if missing:
        raise file_error(path, f"has no array named {sorted(missing)} (found {sorted(arrays)})",
                         "save it with numpy.savez(path, x=features, y=labels)")
    x, y = arrays["x"], arrays["y"]
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y):
        raise file_error(path, f"x has {len(x) if x.ndim else 0} rows but y has "
                         f"{len(y) if y.ndim else 0}", "give one label per example")
    if x.dtype.kind == "c":
        raise file_error(path, "x holds complex numbers", "store real-valued inputs")
    if x.dtype.kind not in "biuf":
        raise file_error(path, f"x has dtype {x.dtype}, not numbers", "store numeric arrays")
    if x.dtype.kind in "iu" and x.ndim == 2:
        kind = "sequence"  # integer matrices are token ids; store floats for tabular features
    else:
        kind = "image" if x.ndim in (3, 4) else "tabular"
    if kind == "image" and x.ndim == 3:
        x = x[..., None]
    if x.ndim == 1:
        x = x[:, None]
    if kind == "sequence":
        if x.size and (x.min() < 0 or x.max() >= MAX_TOKEN_ID):
            raise file_error(path, f"token ids range {x.min()}..{x.max()}", "map tokens to "
                             f"ids 0..vocab-1 (at most {MAX_TOKEN_ID - 1:,})")
        return Raw(x.astype(np.int32), y, kind)
    return Raw(x.astype(np.float32), y, kind)


def _csv(dc, tc, rng):
    path = _existing(dc.path, "a .csv file with one row per example")
    try:
        with fs.open(path, "rb") as f:  # bytes: -sig below drops a byte-order mark
            text = f.read().decode("utf-8-sig")
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(v.strip() for v in r)]
    except (OSError, UnicodeDecodeError) as e:
        raise file_error(path, f"cannot be read as UTF-8 text ({type(e).__name__})",
                         "save it as a UTF-8 .csv file") from None
    except csv.Error as e:
        raise file_error(path, f"is not valid CSV ({e})", "save it as a .csv file") from None
    header = rows[0] if rows and not _numeric(rows[0]) else None
    body = rows[1:] if header else rows
    if not body:
        raise file_error(path, "holds no examples", "add rows of features and a label")
    width = len(header or body[0])
    bad = next((i for i, r in enumerate(body) if len(r) != width), None)
    if bad is not None:
        raise file_error(path, f"row {bad + 1 + bool(header)} has {len(body[bad])} columns, the "
                         f"first has {width}", "give every row the same number of columns")
    if width < 2:
        raise file_error(path, "has a single column", "add feature columns beside the label")
    names = [h.strip() for h in header] if header else [str(i) for i in range(width)]
    if tc.name == "multilabel":
        columns = [_column(dc, "data.label_columns", c, names, path) for c in
                   _as_list(dc.label_columns)]
        if not columns:
            raise config_error("data.label_columns", "a multilabel csv needs its label columns",
                               "e.g. --config.data.label_columns='(\"cat\", \"dog\")' or "
                               "'(3, 4, 5)'")
    else:
        columns = [_column(dc, "data.label_column", dc.label_column, names, path)]
    features = [i for i in range(width) if i not in columns]
    table = np.array(body, dtype=object)
    x = np.empty((len(body), len(features)), np.float32)
    for j, col in enumerate(features):
        try:
            x[:, j] = [float(v) for v in table[:, col]]
        except ValueError:
            value = next(v for v in table[:, col] if not _is_number(v))
            column = f"'{names[col]}'" if header else f"{col} (counting from 0)"
            raise file_error(path, f"feature column {column} holds text ('{value}'), not "
                             "numbers", "keep only numeric feature columns (or drop that "
                             "column); a header line is allowed") from None
    labels = table[:, columns]
    y = _label_values(labels[:, 0]) if len(columns) == 1 else np.stack(
        [_label_values(labels[:, j]) for j in range(len(columns))], axis=1)
    return Raw(x, y, "tabular", label_info={"label_names": [names[c] for c in columns]})


def _image_folder(dc, tc, rng):
    """In memory when the folder's images fit `data.in_memory_limit_mb`; else streamed from
    the files (see `load`, which sends larger folders to `_streamed_image_folder`)."""
    root = _existing(dc.path, "a folder with one sub-folder of images per class")
    files, classes = image_folder_files(root)
    from PIL import Image
    xs = []
    mode = "L" if dc.channels == 1 else "RGB"
    for path, _ in files:
        try:
            with fs.open(path, "rb") as f, Image.open(f) as im:
                im = im.convert(mode).resize((dc.image_size, dc.image_size))
                xs.append(np.asarray(im, dtype=np.float32).reshape(
                    dc.image_size, dc.image_size, dc.channels))
        except Exception as e:  # PIL raises many types for damaged files
            raise file_error(path, f"is not a readable image ({type(e).__name__})",
                             "delete or replace it") from None
    return Raw(np.stack(xs), np.array(classes, dtype=object)[[label for _, label in files]],
               "image")


def folder_labels(files, classes, tc):
    """The task's labels for an image folder's files (class names as the folder's)."""
    names = np.array(classes, dtype=object)[[label for _, label in files]]
    return tasks.prepare_labels(tc.name, names, "image folder", {"class_names": classes}
                                if tc.name == "classification" else None)


def _streamed_image_folder(dc, tc, seed, files, classes):
    """A folder larger than data.in_memory_limit_mb: the file list is split like in-memory
    data; tf.data reads and decodes the files (data/stream.py). Normalization statistics are
    estimated on up to STATS_SAMPLE training images."""
    from PIL import Image
    labels = folder_labels(files, classes, tc)
    train_idx, val_idx = split_indices(len(files), dc, seed)
    mode = "L" if dc.channels == 1 else "RGB"
    stats, counts = [], np.zeros(max(labels.num_outputs, 2), np.int64)
    for i in train_idx[:STATS_SAMPLE]:
        path = files[i][0]
        try:
            with fs.open(path, "rb") as f, Image.open(f) as im:
                pixels = np.asarray(im.convert(mode).resize((dc.image_size, dc.image_size)),
                                    np.float64).reshape(-1, dc.channels)
        except Exception as e:  # noqa: BLE001 - PIL raises many kinds for damaged files
            raise file_error(path, f"is not a readable image ({type(e).__name__})",
                             "delete or replace it") from None
        stats.append((pixels.mean(axis=0), pixels.var(axis=0)))
    mean = np.mean([m for m, _ in stats], axis=0)
    variance = np.mean([v for _, v in stats], axis=0) + np.var([m for m, _ in stats], axis=0)
    if tc.name in ("classification", "binary"):
        ids = labels.y.reshape(len(labels.y), -1)[:, 0] if tc.name == "binary" else labels.y
        counts = np.bincount(np.asarray(ids, np.int64)[train_idx], minlength=len(counts))
    stream = {"format": "files", "shape": [dc.image_size, dc.image_size, dc.channels],
              "train": [files[i][0] for i in train_idx], "val": [files[i][0] for i in val_idx],
              "train_labels": labels.y[train_idx], "val_labels": labels.y[val_idx],
              "train_size": len(train_idx), "val_size": len(val_idx),
              "normalization": (mean.tolist(), np.maximum(variance, 1e-6).tolist()),
              "label_counts": counts.tolist() if tc.name in ("classification", "binary")
              else None}
    return Dataset(None, None, None, None, "image", tc.name, labels.num_outputs, labels.info,
                   fingerprint(dc), stream)


def _tfrecord(dc, tc, seed):
    """Sharded TFRecords written by launchers.make_tfrecords: described, checked, streamed."""
    from ktrain_kit.data import tfrecord
    folder = dc.path.rstrip("/")
    features = tfrecord.read_features(folder)
    if features["task"] != tc.name:
        raise config_error("task.name", f"is {tc.name}, but the shards in {folder} were "
                           f"written for a {features['task']} task", f"use --config.task.name="
                           f"{features['task']}, or convert the data again")
    tfrecord.check_shards(folder, features)
    tfrecord.check_settings(dc, features, folder)
    splits = features["splits"]
    train_size = splits["train"]["examples"]
    if dc.train_examples and dc.train_examples > train_size:
        raise config_error("data.train_examples", f"asks for {dc.train_examples} but {folder} "
                           f"has {train_size}", f"use at most {train_size} or 0 for all")
    norm = features["normalization"]
    stream = {"format": "tfrecord", "folder": folder, "features": features,
              "shape": features["x"]["shape"],
              "train": [fs.join(folder, n) for n in splits["train"]["shards"]],
              "val": [fs.join(folder, n) for n in splits["val"]["shards"]],
              "train_size": dc.train_examples or train_size,
              "val_size": splits["val"]["examples"],
              "normalization": (norm["mean"], norm["variance"]),
              "vocab_size": features.get("vocab_size"),
              "label_counts": features.get("label_counts")}
    return Dataset(None, None, None, None, features["kind"], tc.name, features["num_outputs"],
                   features.get("labels") or {}, _folder_fingerprint(folder, features), stream)


def _folder_fingerprint(folder, features):
    import hashlib
    names = features["splits"]["train"]["shards"] + features["splits"]["val"]["shards"]
    text = ";".join(f"{n}:{fs.size(fs.join(folder, n))}" for n in names)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def image_folder_files(root):
    """[(path, class index)] of an image folder, and the class names (sorted sub-folders).

    Hidden entries (".", "._" AppleDouble files) and what systems leave behind (__MACOSX,
    @eaDir, Thumbs.db, ...) are neither classes nor images.
    """
    if not fs.isdir(root):
        raise file_error(root, "is not a folder", "point data.path at root/<class>/<image>.png")

    def visible(name):
        return not name.startswith(".") and name.lower() not in SYSTEM_NAMES

    classes = sorted(d for d in fs.listdir(root) if visible(d) and fs.isdir(fs.join(root, d)))
    if len(classes) < 2:
        raise file_error(root, f"has {len(classes)} class sub-folders, need at least 2",
                         "make one sub-folder per class holding its images")
    files = []
    for label, name in enumerate(classes):
        folder = fs.join(root, name)
        images = sorted(f for f in fs.listdir(folder) if visible(f)
                        and f.lower().endswith(IMAGE_SUFFIXES) and not fs.isdir(fs.join(folder, f)))
        if not images:
            raise file_error(folder, "holds no images (.png, .jpg, .bmp, .gif)",
                             "put images of that class into it, or remove the folder")
        files += [(fs.join(folder, f), label) for f in images]
    return files, classes


SOURCES = {
    "digits": _digits,
    "synthetic_images": _synthetic_images,
    "synthetic_sequences": _synthetic_sequences,
    "synthetic_tabular": _synthetic_tabular,
    "npz": _npz,
    "csv": _csv,
    "image_folder": _image_folder,
    "tfrecord": _tfrecord,  # streamed: see load()
}
STATS_SAMPLE = 1000


def _existing(path, what):
    if not fs.exists(path):
        raise file_error(path, "does not exist", f"set --config.data.path to {what}")
    return path


def _is_number(value) -> bool:
    try:
        float(value)
        return True
    except ValueError:
        return False


def _numeric(row):
    return all(_is_number(v) for v in row)


def _as_list(value):
    if value in (None, "", ()):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def _column(dc, key, which, names, path):
    """The index of a label column given by name or by (possibly negative) index."""
    if isinstance(which, str) and which.strip().lstrip("-").isdigit():
        which = int(which)
    if isinstance(which, bool) or not isinstance(which, (int, str)):
        raise config_error(key, f"{which!r} is neither a column name nor an index",
                           "give a header name or a column number")
    if isinstance(which, str):
        if which not in names:
            raise file_error(path, f"has no column named '{which}' (columns: "
                             f"{', '.join(names[:8])}{', ...' if len(names) > 8 else ''})",
                             f"set {key} to one of them or to a column number")
        return names.index(which)
    if not -len(names) <= which < len(names):
        raise file_error(path, f"has {len(names)} columns, so {key}={which} is past the last",
                         f"use 0..{len(names) - 1} or -1 for the last column")
    return which % len(names)


def _label_values(column):
    """A label column as numbers when every value is one, else as text (class names)."""
    values = [str(v).strip() for v in column]
    if all(_is_number(v) for v in values):
        return np.array([float(v) for v in values])
    return np.array(values, dtype=object)


def fingerprint(dc) -> str:
    """A hash of the files a source reads (content for files; names and sizes for folders)."""
    if not dc.path or dc.name == "tfrecord" or not fs.exists(dc.path):
        return ""
    digest = hashlib.sha256()
    if fs.isdir(dc.path):
        for dirpath, dirnames, filenames in fs.walk(dc.path):
            dirnames.sort()
            for name in sorted(filenames):
                full = fs.join(dirpath, name)
                digest.update(f"{full[len(str(dc.path)):]}:{fs.size(full)}".encode())
    else:
        with fs.open(dc.path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------- loading and checks

def split_indices(n, dc, seed, rng=None):
    """(training indices, validation indices) of n examples: a seeded permutation, the first
    `val_fraction` for validation, at most `train_examples` for training."""
    rng = rng or np.random.default_rng(seed)
    order = rng.permutation(n)
    n_val = max(1, int(round(n * dc.val_fraction)))
    val_idx, train_idx = order[:n_val], order[n_val:]
    if dc.train_examples:
        train_idx = train_idx[:dc.train_examples]
    return train_idx, val_idx


def load(dc, tc, seed: int, known_labels: dict | None = None) -> Dataset:
    """Loads `dc.name` for task `tc`, checks it and splits off validation (by `seed`).

    `known_labels`: the label mapping a previous run of this config saved (resume, evaluate).
    Sharded TFRecords, and image folders larger than `data.in_memory_limit_mb`, are described
    here and streamed by the tf.data pipeline instead of loaded.
    """
    if dc.name == "tfrecord":
        return _tfrecord(dc, tc, seed)
    if dc.name == "image_folder":
        root = _existing(dc.path, "a folder with one sub-folder of images per class")
        files, classes = image_folder_files(root)
        if sum(fs.size(p) for p, _ in files) > dc.in_memory_limit_mb * 2**20:
            return _streamed_image_folder(dc, tc, seed, files, classes)
    rng = np.random.default_rng(seed)
    raw = SOURCES[dc.name](dc, tc, rng)
    x, where = raw.x, dc.path or dc.name
    if len(x) == 0:
        raise file_error(where, "holds no examples", "point data.path at a non-empty dataset")
    if raw.kind != "sequence" and not np.all(np.isfinite(x)):
        bad = int(np.argwhere(~np.isfinite(x.reshape(len(x), -1)))[0][0])
        raise file_error(where, f"inputs hold NaN or Inf (first at example {bad})",
                         "clean or drop those examples")
    known = {**raw.label_info, **(known_labels or {})}
    labels = tasks.prepare_labels(tc.name, raw.y, where, known, raw.num_classes)

    synthetic = dc.name.startswith("synthetic")
    available = len(x) - max(1, int(round(len(x) * dc.val_fraction)))
    if dc.train_examples and dc.train_examples > available and not synthetic:
        raise config_error("data.train_examples", f"asks for {dc.train_examples} but "
                           f"{where} has {available} after the validation split",
                           f"use at most {available} or 0 for all")
    train_idx, val_idx = split_indices(len(x), dc, seed, rng)
    if len(train_idx) == 0:
        raise file_error(where, "leaves no training examples after the validation split",
                         "add data or lower data.val_fraction")
    y_train = labels.y[train_idx].copy()
    if dc.label_noise:
        y_train = _add_label_noise(y_train, dc.label_noise, tc.name, labels.num_outputs, rng)
    info = dict(labels.info)
    if tc.name == "regression":
        info.update(tasks.target_statistics(y_train))
    return Dataset(x[train_idx], y_train, x[val_idx], labels.y[val_idx], raw.kind, tc.name,
                   labels.num_outputs, info, fingerprint(dc))


def _add_label_noise(y, share, task, num_outputs, rng):
    """Replaces a `share` of the labels by random ones (robustness experiments, fault gallery)."""
    noisy = rng.random(len(y)) < share
    if task == "classification":
        y[noisy] = rng.integers(0, num_outputs, size=int(noisy.sum()))
    elif task in ("binary", "multilabel"):
        y[noisy] = rng.integers(0, 2, size=(int(noisy.sum()), *y.shape[1:]))
    else:
        y[noisy] = y[rng.permutation(len(y))][noisy]
    return y


def describe(data: Dataset) -> str:
    """One line for the log: what was loaded."""
    where = " (streamed)" if data.stream else ""
    return (f"{data.train_size} training / {data.val_size} validation examples{where}, "
            f"{data.kind} {data.input_shape}, task {data.task} ({data.num_outputs} outputs)")
