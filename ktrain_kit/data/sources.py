"""What the data is: each source loads its examples, and `load()` checks, labels and splits them.

A source is one function `(data_config, task_config, rng) -> Raw` registered in `SOURCES`. `load()`
turns its raw examples into a `Dataset`: inputs checked, labels prepared for the task
(ktrain_kit/tasks.py), validation split off by the seed. Bad files and bad values raise `UserError`
naming the file and the fix. No TensorFlow here: a bad file is refused before TensorFlow starts.
"""

import dataclasses
import hashlib
import math
import os

import numpy as np

from ktrain_kit import fs, tasks
from ktrain_kit.config import validation_count
from ktrain_kit.data.folders import check_data_name_fits, class_folder_files
from ktrain_kit.errors import UserError, config_error, file_error

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
IMAGE_CHANNELS = (1, 3, 4)  # gray, RGB, RGBA: an image array's last axis
MAX_TOKEN_ID = 10_000_000


@dataclasses.dataclass
class Raw:
    """A source's examples before checking and splitting."""
    x: np.ndarray
    y: np.ndarray
    kind: str                       # "image" (H, W, C), "sequence" (L token ids), "tabular" (D)
    num_classes: int | None = None  # generated data: the classes asked for
    label_info: dict = dataclasses.field(default_factory=dict)  # e.g. label column names
    table: dict | None = None       # csv: the Table and its feature columns (x = row numbers)
    notes: list = dataclasses.field(default_factory=list)  # said in the run's output
    kept: str = ""  # csv with data.drop_unlabeled: 'kept N of M rows', for a refusal after it


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
    notes: list = dataclasses.field(default_factory=list)  # said in the run's output
    preprocessing: object = None    # csv or text: what made x from the raw columns or
                                    # strings (features.TablePreprocessing, text.TextPreprocessing);
                                    # the export serves it

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
        """Mean and variance per channel (images) or feature, from the training split only.
        A table's features come out of its FeatureSpace already scaled (numbers normalized,
        categories one-hot): (0, 1), so a rare category's 0/1 column is not blown up by its
        tiny variance."""
        if self.kind == "tabular" and self.preprocessing is not None:
            width = self.input_shape[-1]
            return np.zeros(width), np.ones(width)
        if self.stream:
            mean, variance = (np.asarray(v, np.float64) for v in self.stream["normalization"])
            return mean, variance
        axes = tuple(range(self.x_train.ndim - 1)) if self.kind == "image" else (0,)
        x = self.x_train.astype(np.float64)
        return x.mean(axis=axes), np.maximum(x.var(axis=axes), 1e-6)

    def vocab_size(self) -> int:
        if getattr(self.preprocessing, "vocab_size", None):
            return self.preprocessing.vocab_size  # text: the vectorizer's whole vocabulary
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
    images, target = digits_arrays()
    return Raw(images[..., None].astype(np.float32), target.astype(np.int64), "image")


def digits_arrays():
    """scikit-learn's bundled digits (images 8x8, targets), read from the file it ships
    (digits.csv.gz: 64 pixels and the label per row) as `load_digits` does, without importing
    scikit-learn (1-2 s of start-up); through `load_digits` if the file is not where expected."""
    import gzip
    import importlib.util
    spec = importlib.util.find_spec("sklearn")
    path = os.path.join(os.path.dirname(spec.origin), "datasets", "data", "digits.csv.gz") \
        if spec and spec.origin else ""
    if not os.path.isfile(path):
        from sklearn.datasets import load_digits
        bunch = load_digits()
        return bunch.images, bunch.target
    with gzip.open(path, "rt") as f:
        rows = np.loadtxt(f, delimiter=",")
    return rows[:, :-1].reshape(-1, 8, 8), rows[:, -1].astype(int)


def _synthetic_count(dc):
    train = dc.train_examples or dc.synthetic_examples or 2048
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
    # Each class is a cluster (two where room) at a corner of a hypercube over the informative
    # features: K classes need 2^features >= K corners.
    informative = min(features, max(2, 2 * classes))
    if classes > 2 ** informative:
        raise config_error("data.num_features", f"{features} feature(s) cannot separate "
                           f"{classes} synthetic classes (at most {2 ** informative})",
                           f"use at least {math.ceil(math.log2(classes))} features or fewer "
                           "data.num_classes")
    x, y = datasets.make_classification(n, n_features=features, n_informative=informative,
                                        n_redundant=0, n_classes=classes, flip_y=0.02,
                                        n_clusters_per_class=2 if 2 * classes <= 2 ** informative
                                        else 1, class_sep=1.0, random_state=seed)
    return Raw(x.astype(np.float32), y, "tabular", num_classes=classes)


def _npz(dc, tc, rng):
    path = _existing(dc.path, "an .npz file with arrays 'x' and 'y'")
    try:
        with fs.open(path, "rb") as handle, np.load(handle, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except Exception as e:  # numpy raises several types for damaged archives
        if str(e).startswith("Object arrays"):  # numpy's words for an array of objects
            raise file_error(path, "holds an array of Python objects (dtype=object: rows of "
                             "different lengths, or values of mixed kinds), which only pickle "
                             "reads, and pickle runs code", "save arrays of numbers, e.g. "
                             "numpy.savez(path, x=numpy.asarray(x, dtype='float32'), y=y); "
                             "pad rows to one length, and put text in a CSV's text column "
                             "(data.text_column)") from None
        raise file_error(path, f"cannot be read as .npz ({type(e).__name__})",
                         "write it with numpy.savez(path, x=..., y=...)") from None
    missing = {"x", "y"} - set(arrays)
    if missing:
        raise file_error(path, f"has no array named {sorted(missing)} (found {sorted(arrays)})",
                         "save it with numpy.savez(path, x=features, y=labels)")
    x, y = arrays["x"], arrays["y"]
    if x.ndim == 0 or y.ndim == 0:
        name = "x" if x.ndim == 0 else "y"
        raise file_error(path, f"{name} is a single value, not an array with one row per "
                         "example", "save arrays of shape (n, ...) and (n,)")
    if x.ndim > 4:  # the models read rows (n, features) or images (n, height, width, channels)
        raise file_error(path, f"x has shape {x.shape}, more axes than images (n, height, "
                         "width, channels)", "reshape x to (n, features) or (n, h, w, c)")
    if len(x) != len(y):
        raise file_error(path, f"x has {len(x)} rows but y has {len(y)}",
                         "give one label per example")
    if x.dtype.kind == "c":
        raise file_error(path, "x holds complex numbers", "store real-valued inputs")
    if x.dtype.kind not in "biuf":
        raise file_error(path, f"x has dtype {x.dtype}, not numbers", "store numeric arrays")
    if x.dtype.kind in "iu" and x.ndim == 2:
        kind = "sequence"  # integer matrices are token ids; store floats for tabular features
    else:
        kind = "image" if x.ndim in (3, 4) else "tabular"
    if kind == "image" and x.ndim == 4 and x.shape[1] in IMAGE_CHANNELS and \
            x.shape[-1] not in IMAGE_CHANNELS and x.shape[-1] > max(IMAGE_CHANNELS):
        # PyTorch's layout: read as (height, width, channels) it is 3 rows of 32 channels,
        # and the convolutions, flips and crops run along the wrong axes, silently
        raise file_error(path, f"x has shape {x.shape}: channels first (n, channels, height, "
                         "width), as PyTorch stores images, where images are read channels "
                         "last (n, height, width, channels)", "save x.transpose(0, 2, 3, 1)")
    if kind == "image" and x.ndim == 3:
        x = x[..., None]
    if x.ndim == 1:
        x = x[:, None]
    if kind == "sequence":
        if x.size and (x.min() < 0 or x.max() >= MAX_TOKEN_ID):
            raise file_error(path, f"token ids range {x.min()}..{x.max()}", "map tokens to "
                             f"ids 0..vocab-1 (at most {MAX_TOKEN_ID - 1:,})")
        return Raw(x.astype(np.int32), y, kind)
    largest = float(np.abs(x).max()) if x.size and x.dtype.kind == "f" else 0.0
    if math.isfinite(largest) and largest > tasks.LARGEST:  # see tasks.LARGEST
        raise file_error(path, f"x holds values up to {largest:.3g}, beyond {tasks.LARGEST:.2g}, "
                         "where normalizing them overflows float32", "rescale the inputs")
    return Raw(x.astype(np.float32), y, kind)


def _csv(dc, tc, rng):
    """A CSV by the rules of data/table.py: label column(s) out, the rest stay cells (typed and
    encoded in `load`, on the training split)."""
    from ktrain_kit.data import table as table_lib
    named = [dc.label_column, *_as_list(dc.label_columns), dc.text_column]
    table = table_lib.read_table(_existing(dc.path, "a .csv file with one row per example"),
                                 dc.header, named, dc.encoding, dc.delimiter, dc.decimal,
                                 dc.quoting)
    if table.width < 2:
        raise file_error(dc.path, "has a single column", "add feature columns beside the label")
    several = _as_list(dc.label_columns)
    if several and dc.label_column not in (-1, None, ""):  # one of them would go unread
        raise config_error("data.label_column", f"is {dc.label_column!r} while "
                           f"data.label_columns names the labels ({', '.join(map(str, several))}"
                           "): a label_column beside them is not read, so that column would "
                           "train as a feature", "remove data.label_column, or add it to "
                           "data.label_columns")
    if tc.name in ("multilabel", "regression") and several:
        columns = table_lib.resolve_columns(table, several, "data.label_columns")
    elif tc.name == "multilabel":  # one column of tags `a|b` (table.tag_matrix)
        columns = [table_lib.resolve_column(table, table_lib.declared_label(
            table, dc.label_column), "data.label_column")]
    elif several:
        raise config_error("data.label_columns", f"a {tc.name} task has one label column",
                           "use data.label_column (label_columns is for multilabel and "
                           "multi-target regression)")
    else:
        columns = [table_lib.resolve_column(table, table_lib.declared_label(
            table, dc.label_column), "data.label_column")]
    dropped, kept = None, ""
    if dc.drop_unlabeled:
        rows = len(table.rows)
        table, dropped = table_lib.labeled_rows(table, columns)
        kept = f"data.drop_unlabeled kept {len(table.rows)} of {rows} rows" if dropped else ""
    tags = table_lib.tag_matrix(table, columns[0]) if tc.name == "multilabel" and \
        not several else None  # (0/1 array, tag names)
    labels = [tags[0]] if tags else [table_lib.label_column_values(
        table, j, classes=tc.name in ("classification", "binary")) for j in columns]
    if tc.name == "multilabel" and not tags:  # True/False as pandas writes booleans: 1/0
        labels = [indicator_values(values) for values in labels]
    if tc.name in ("regression", "multilabel") and not tags:  # numbers: name a cell that is not
        for j, values in zip(columns, labels):
            if values.dtype == object:
                i = next(i for i, c in enumerate(values) if not table_lib.is_number(c))
                raise file_error(dc.path, f"{table.where(i, j)}: {table_lib.shown(values[i])} "
                                 f"is not a number, and a {tc.name} target must be",
                                 "mark each label 1 (present) or 0 (absent)"
                                 if tc.name == "multilabel" else "write plain numbers "
                                 "(1234.5), or use task.name=classification for classes")
    twins = table_lib.padded_twins(set(labels[0])) if labels[0].dtype == object and \
        tc.name in ("classification", "binary") else []
    label_notes = [f"labels {' and '.join(map(table_lib.shown, pair))} write one number two "
                   "ways: read as two classes, as codes with leading zeros are; if they are "
                   "one class, write it one way" for pair in twins[:3]]
    if twins and tc.name == "binary" and len(set(labels[0])) > 2:  # two classes, 3 spellings
        raise file_error(dc.path, f"a binary task needs exactly 2 distinct labels, found "
                         f"{len(set(labels[0]))}, and labels "
                         f"{' and '.join(map(table_lib.shown, twins[0]))} write one number two "
                         "ways (codes with leading zeros are read as written)",
                         "write each class one way")
    if tc.name == "classification":
        labels = [table_lib.class_names(table, columns[0], labels[0])]
    elif tc.name == "binary":  # a quantity as the label: refused naming the column, as above
        table_lib.class_names(table, columns[0], labels[0])  # (binary maps its values itself)
    y = labels[0] if len(columns) == 1 else np.stack(labels, axis=1)
    label_info = {"label_names": tags[1] if tags else [table.names[c] for c in columns]}
    if dc.text_column not in ("", None):
        from ktrain_kit.data import text
        column = table_lib.resolve_column(table, dc.text_column, "data.text_column")
        if column in columns:
            raise config_error("data.text_column", f"'{table.names[column]}' is also the label "
                               "column", "name the column that holds the text")
        texts, empty = text.table_texts(table, column)
        unused = [n for j, n in enumerate(table.names)  # a nested JSON key too, not a nameless
                  if j not in columns and j != column and (j not in table.unused or n)]
        return Raw(np.array(texts, dtype=object), y, "text", label_info=label_info, kept=kept,
                   notes=[*table.notes, *label_notes] +
                   [note for note in (dropped, empty) if note] + (
                       [f"columns not used (only the text column is): {', '.join(unused)}"]
                       if unused else []))
    from ktrain_kit.data import features as features_lib
    typed = {str(k) for k in dict(dc.features or {})}  # Orange's meta, ignore, weight: out
    flagged = {**table.flagged, **table_lib.left_out_classes(table, columns)}
    features = [j for j in range(table.width) if j not in columns and j not in table.unused
                and (j not in flagged or table.names[j] in typed)]
    dates = features_lib.date_columns(table, features, dc.features)
    counters = features_lib.row_number_columns(table, features, dc.features)
    ordered = features_lib.ordered_columns(
        table, [j for j in features if j not in dates and j not in counters],
        columns[0] if tc.name in ("classification", "binary") else None, dc.features)
    counters += ordered
    ids = features_lib.identifier_columns(
        table, [j for j in features if j not in dates and j not in counters], dc.features)
    features = [j for j in features if j not in dates and j not in counters and j not in ids]
    flagged_out = {j: why for j, why in flagged.items() if j not in columns and
                   j not in table.unused and table.names[j] not in typed}
    if not features and (dates or counters or ids or flagged_out):  # say by which rule
        raise _all_features_left_out(dc.path, table, dates, counters, ids, flagged_out,
                                     dc.features)
    notes = [*table.notes, *label_notes] + [dropped] * bool(dropped)
    notes += [] if table.header or dc.header is False else [
        f"{dc.path}: line 1 read as an example (it is all numbers); if it names the columns, "
        "pass --config.data.header=true"]
    notes += [f"column {table_lib.shown(table.names[j]) if table.names[j] else j + 1} not "
              f"used: {why}" for j, why in table.unused.items() if j not in columns]
    notes += [f"column {table_lib.shown(table.names[j])} not used: {why}"
              for j, why in flagged.items() if j not in columns and j not in features]
    notes += [f"column {table_lib.shown(table.names[j])} not used: it holds the row numbers "
              f"({table.column(j)[0]}, {table.column(j)[1]}, ...), the rows' order in the file, "
              "not a property of an example; to use it: "
              f"{features_lib.features_flag({table.names[j]: 'numeric'})}"
              for j in counters if j not in ordered]
    notes += [f"column {table_lib.shown(table.names[j])} not used: its numbers rise down the "
              f"file ({table.column(j)[0]}, {table.column(j)[1]}, ...) and the file is sorted "
              f"by its label {table_lib.shown(table.names[columns[0]])}, so its value says "
              "where a row sits, which says its class (new rows would not have that); if the "
              "file is sorted by it because the label is worked out from it (income and tax "
              f"bracket), keep it: {features_lib.features_flag({table.names[j]: 'numeric'})}"
              for j in ordered]
    notes += [f"column {table_lib.shown(table.names[j])} not used: a different text on every "
              f"row ({table_lib.shown(features_lib.first_value(table.column(j)))}, ...: an id, a "
              "name, a note), so no "
              "value recurs to be learned (a document to read: data.text_column); as "
              f"categories: {features_lib.features_flag({table.names[j]: 'categorical'})}"
              if not features_lib.numbered_ids(table.names[j], table.column(j)) else
              f"column {table_lib.shown(table.names[j])} not used: an identifier (its name), a "
              f"different number on every row "
              f"({table_lib.shown(features_lib.first_value(table.column(j)))}, ...), "
              "which names an example and measures nothing; as a number: "
              f"{features_lib.features_flag({table.names[j]: 'numeric'})}"
              for j in ids]
    notes += [f"column {table_lib.shown(table.names[j])} not used: it holds dates "
              f"({table_lib.shown(cell)}), which as categories are unknown past the training "
              f"dates; to use it, add numbers made from it (days since a start, month) or type "
              f"it: {features_lib.features_flag({table.names[j]: 'categorical'})}"
              for j, cell in dates.items()]
    return Raw(np.arange(len(table.rows)), y, "table", label_info=label_info, kept=kept,
               table={"table": table, "features": features}, notes=notes)


# The words of a present / absent mark, in pairs: a column written in one pair's words, any
# letter case (pandas writes a bool column `True` / `False`, R `TRUE` / `FALSE`), is its 1 / 0.
INDICATOR_WORDS = ({"true": 1, "false": 0}, {"yes": 1, "no": 0}, {"y": 1, "n": 0},
                   {"t": 1, "f": 0})


def indicator_values(values):
    """A multilabel column's 0/1 marks: as written when numbers, 1/0 when every cell is one
    pair's words (INDICATOR_WORDS); any other column as given, for the numbers' check to name
    its first cell."""
    if values.dtype != object:
        return values
    words = [str(v).strip().lower() for v in values]
    for pair in INDICATOR_WORDS:
        if all(w in pair for w in words):
            return np.array([pair[w] for w in words], dtype=np.float32)
    return values


def _all_features_left_out(path, table, dates, counters, ids=(), flagged=None, given=None):
    """The refusal of a table whose every feature column is a left-out date, row-number or
    identifier column, or one the file's own flags leave out (Orange's meta / ignore / weight,
    its class when another label is named: `flagged`): it names the column, the rule, and the
    type that keeps it (beside the types already `given`). A file whose flags left nothing
    was refused as `data.features` leaving no feature column, a key the user never set,
    naming neither the file nor the column to type."""
    from ktrain_kit.data import features as features_lib, table as table_lib
    if flagged and not (dates or counters or ids):
        j = next(iter(flagged))
        cells = [c for c in table.column(j) if not table_lib.is_missing(c)]
        kind = "numeric" if cells and all(map(table_lib.is_number, cells)) else "categorical"
        why = flagged[j].split(" (type it", 1)[0]
        return file_error(path, f"has no feature column: every column but the label is left "
                          f"out by the file's flags ({table_lib.shown(table.names[j])}: {why})",
                          "to use it as a feature, type it: "
                          f"{features_lib.typed_flag(given, {table.names[j]: kind})}")
    if dates:
        j = next(iter(dates))
        why, kind = f"holds dates ({table_lib.shown(dates[j])})", "categorical"
        fix = "add columns of numbers made from it (days since a start, month), or type it"
    elif ids and features_lib.numbered_ids(table.names[ids[0]], table.column(ids[0])):
        j = ids[0]
        why, kind = "is an identifier (its name), a different number on every row", "numeric"
        fix = "add feature columns, or type it if its numbers measure something"
    elif ids:
        j = ids[0]
        why, kind = "holds a different text on every row", "categorical"
        fix = ("if it holds documents, read them: --config.data.text_column="
               f"{features_lib.shell_quoted(table.names[j])} --config.model.name=bag; or add "
               "feature columns, or type it")
    else:
        j = counters[0]
        why, kind = "holds the row numbers", "numeric"
        fix = "add feature columns, or type it if its order describes the examples"
    typed = features_lib.features_flag({table.names[j]: kind})
    return file_error(path, f"has no feature column but {table_lib.shown(table.names[j])}, "
                      f"which {why} and is left out", f"{fix}: {typed}")


def _text_folder(dc, tc, rng):
    """root/<class>/<doc>.txt (data/text.py); the texts are vectorized in `load`."""
    from ktrain_kit.data import text
    from ktrain_kit.data.folders import class_files, other_files
    root = _existing(dc.path, "a folder with one sub-folder of .txt files per class")
    per_class = class_files(root, text.TEXT_SUFFIXES)
    texts, labels, classes, empty = text.folder_texts(root, dc.encoding)
    others = other_files(root, [""] if per_class else classes, text.TEXT_SUFFIXES)
    notes = _left_out_note(others, ".txt", "rename the documents among them to .txt")
    notes += text.empty_documents_note(root, empty, len(texts))
    listed = ", ".join(os.path.basename(p) for p, _ in per_class[:3])
    notes += [f"{root}: one file per class ({listed}{', ...' if len(per_class) > 3 else ''}), "
              f"one text a line: {len(texts)} texts of {len(classes)} classes, each named by "
              "its file"] if per_class else []
    return Raw(np.array(texts, dtype=object), np.array(classes, dtype=object)[labels], "text",
               notes=notes)


def _image_folder(dc, tc, rng):
    """In memory when the folder's images fit `data.in_memory_limit_mb`; else streamed from
    the files (see `load`, which sends larger folders to `_streamed_image_folder`). Decoded by
    data/images.py, the one path both use."""
    from ktrain_kit.data import images
    root = _existing(dc.path, "a folder with one sub-folder of images per class")
    files, classes = image_folder_files(root)
    x, kept, skipped = images.decode_folder(files, (dc.image_size, dc.image_size, dc.channels),
                                            dc.skip_bad_files, file_error)
    labels = np.array(classes, dtype=object)[[files[i][1] for i in kept]]
    return Raw(x, labels, "image",
               notes=_skipped_note(skipped) + _not_images_note(root, classes))


def _not_images_note(root, classes):
    """The files of the class folders not named as an image read here (a .tif, notes.txt)."""
    from ktrain_kit.data.folders import other_files
    return _left_out_note(other_files(root, classes, IMAGE_SUFFIXES), "/".join(IMAGE_SUFFIXES),
                          "images in other formats (TIFF, ...) are not read; convert them to "
                          "PNG")


def _left_out_note(others, named, fix) -> list:
    """A folder's files that are not examples (not `named` so): said, never dropped unsaid."""
    if not others:
        return []
    shown = ", ".join(os.path.basename(p) for p in others[:3]) + (", ..." if len(others) > 3
                                                                  else "")
    return [f"left out {len(others)} file{'s' if len(others) > 1 else ''} not named {named} "
            f"({shown}): {fix}"]


def _skipped_note(skipped):
    if not skipped:
        return []
    shown = ", ".join(skipped[:3]) + (", ..." if len(skipped) > 3 else "")
    return [f"left out {len(skipped)} unreadable image file{'s' if len(skipped) > 1 else ''} "
            f"(data.skip_bad_files): {shown}"]


def folder_labels(files, classes, tc):
    """The task's labels for an image folder's files (class names as the folder's)."""
    names = np.array(classes, dtype=object)[[label for _, label in files]]
    return tasks.prepare_labels(tc.name, names, "image folder", {"class_names": classes}
                                if tc.name == "classification" else None)


def _streamed_image_folder(dc, tc, seed, files, classes):
    """A folder larger than data.in_memory_limit_mb: the file list is split like in-memory
    data; tf.data reads and decodes the files (data/stream.py). Normalization statistics are
    estimated on up to STATS_SAMPLE training images."""
    from ktrain_kit.data import images
    shape = (dc.image_size, dc.image_size, dc.channels)
    files, skipped = _readable_files(files, dc.skip_bad_files)
    labels = folder_labels(files, classes, tc)
    train_idx, val_idx, y_train = split_labels(len(files), labels.y, dc, tc, labels.num_outputs,
                                               seed)
    orientations = {files[i][0]: images.orientation(files[i][0]) for i in range(len(files))}
    stats, counts = [], np.zeros(max(labels.num_outputs, 2), np.int64)
    for i in train_idx[:STATS_SAMPLE]:
        path = files[i][0]
        try:
            pixels = images.decode_file(path, shape, orientations[path]).astype(np.float64)
        except ValueError as e:
            raise file_error(path, f"is not a readable image ({e})", "delete or replace it, or "
                             "set data.skip_bad_files=true to leave such files out") from None
        pixels = pixels.reshape(-1, dc.channels)
        stats.append((pixels.mean(axis=0), pixels.var(axis=0)))
    mean = np.mean([m for m, _ in stats], axis=0)
    variance = np.mean([v for _, v in stats], axis=0) + np.var([m for m, _ in stats], axis=0)
    if tc.name in ("classification", "binary"):
        ids = y_train.reshape(len(y_train), -1)[:, 0] if tc.name == "binary" else y_train
        counts = np.bincount(np.asarray(ids, np.int64), minlength=len(counts))
    stream = {"format": "files", "shape": [dc.image_size, dc.image_size, dc.channels],
              "train": [files[i][0] for i in train_idx], "val": [files[i][0] for i in val_idx],
              "train_labels": y_train, "val_labels": labels.y[val_idx],
              "train_size": len(train_idx), "val_size": len(val_idx),
              "normalization": (mean.tolist(), np.maximum(variance, 1e-6).tolist()),
              "label_counts": counts.tolist() if tc.name in ("classification", "binary")
              else None,
              "orientation": {p: o for p, o in orientations.items() if o != 1}}
    return Dataset(None, None, None, None, "image", tc.name, labels.num_outputs, labels.info,
                   fingerprint(dc), stream,
                   notes=_skipped_note(skipped) + _not_images_note(dc.path, classes))


def _readable_files(files, skip_bad):
    """The files whose header an image reader accepts (a full decode happens while training);
    the others refused by name, or left out with `data.skip_bad_files`."""
    from PIL import Image
    kept, skipped = [], []
    for path, label in files:
        try:
            with fs.open(path, "rb") as f, Image.open(f) as im:
                im.verify()
            kept.append((path, label))
        except Exception as e:  # noqa: BLE001 - PIL raises many kinds for damaged files
            if not skip_bad:
                raise file_error(path, f"is not a readable image ({type(e).__name__})",
                                 "delete or replace it, or set data.skip_bad_files=true to "
                                 "leave such files out") from None
            skipped.append(path)
    return kept, skipped


def _tfrecord(dc, tc, seed):
    """Sharded TFRecords written by launchers.make_tfrecords: described, checked, streamed."""
    from ktrain_kit.data import shards
    folder = fs.without_trailing_slash(dc.path)
    features = shards.read_features(folder)
    if features["task"] != tc.name:
        raise config_error("task.name", f"is {tc.name}, but the shards in {folder} were "
                           f"written for a {features['task']} task", f"use --config.task.name="
                           f"{features['task']}, or convert the data again")
    shards.check_shards(folder, features)
    shards.check_settings(dc, features, folder)
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
    preprocessing = None
    if features.get("preprocessing"):  # shards of a csv or text: their saved preprocessing
        from ktrain_kit.data import saved_preprocessing
        preprocessing = saved_preprocessing.SavedPreprocessing(folder, features["preprocessing"])
    return Dataset(None, None, None, None, features["kind"], tc.name, features["num_outputs"],
                   features.get("labels") or {}, _folder_fingerprint(folder, features), stream,
                   preprocessing=preprocessing)


def _folder_fingerprint(folder, features):
    import hashlib
    names = features["splits"]["train"]["shards"] + features["splits"]["val"]["shards"]
    text = ";".join(f"{n}:{fs.size(fs.join(folder, n))}" for n in names)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def image_folder_files(root):
    """[(path, class index)] of an image folder, and the class names (sorted sub-folders)."""
    return class_folder_files(root, IMAGE_SUFFIXES, "images (.png, .jpg, .bmp, .gif, .webp)",
                              "root/<class>/<image>.png")


SOURCES = {
    "digits": _digits,
    "synthetic_images": _synthetic_images,
    "synthetic_sequences": _synthetic_sequences,
    "synthetic_tabular": _synthetic_tabular,
    "npz": _npz,
    "csv": _csv,
    "image_folder": _image_folder,
    "text_folder": _text_folder,
    "tfrecord": _tfrecord,  # streamed: see load()
}
STATS_SAMPLE = 1000


def _existing(path, what):
    if not fs.exists(path):
        raise file_error(path, "does not exist", f"set --config.data.path to {what}")
    return path


def _as_list(value):
    if value in (None, "", ()):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


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
    n_val = validation_count(n, dc.val_fraction)
    val_idx, train_idx = order[:n_val], order[n_val:]
    if dc.train_examples:
        train_idx = train_idx[:dc.train_examples]
    return train_idx, val_idx


def split_labels(n, y, dc, tc, num_outputs, seed, rng=None):
    """(training indices, validation indices, training labels): the seeded split, then
    data.label_noise on the training labels, from one generator - the rule of every source,
    whether loaded, streamed from files or converted to shards (same seed: same labels)."""
    rng = rng or np.random.default_rng(seed)
    train_idx, val_idx = split_indices(n, dc, seed, rng)
    y_train = np.asarray(y)[train_idx].copy()
    if dc.label_noise:
        y_train = _add_label_noise(y_train, dc.label_noise, tc.name, num_outputs, rng)
    return train_idx, val_idx, y_train


def load(dc, tc, seed: int, known_labels: dict | None = None) -> Dataset:
    """Loads `dc.name` for task `tc`, checks it and splits off validation (by `seed`).

    `known_labels`: the label mapping a previous run of this config saved (resume, evaluate).
    Sharded TFRecords, and image folders larger than `data.in_memory_limit_mb`, are described
    here and streamed by the tf.data pipeline instead of loaded.
    """
    check_data_name_fits(dc.name, dc.path, IMAGE_SUFFIXES)  # before a reader's own error
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
    if raw.kind not in ("sequence", "table", "text") and not np.all(np.isfinite(x)):
        bad = int(np.argwhere(~np.isfinite(x.reshape(len(x), -1)))[0][0])
        raise file_error(where, f"inputs hold NaN or Inf (first at example {bad})",
                         "clean or drop those examples")
    known = {**raw.label_info, **(known_labels or {})}
    try:
        labels = tasks.prepare_labels(tc.name, raw.y, where, known, raw.num_classes)
    except UserError as e:
        raise _with_kept(e, raw) from None

    available = len(x) - validation_count(len(x), dc.val_fraction)
    if dc.train_examples and dc.train_examples > available and not dc.name.startswith(
            "synthetic"):  # asked for by the user (configs size generated data elsewhere)
        raise config_error("data.train_examples", f"asks for {dc.train_examples} but "
                           f"{where} has {available} after the validation split "
                           f"(data.val_fraction={dc.val_fraction})",
                           f"use at most {available} or 0 for all")
    train_idx, val_idx, y_train = split_labels(len(x), labels.y, dc, tc, labels.num_outputs,
                                               seed, rng)
    if len(train_idx) == 0:
        raise _with_kept(file_error(where, "leaves no training examples after the validation "
                                    "split", "add data or lower data.val_fraction"), raw)
    info = dict(labels.info)
    if tc.name == "regression":
        info.update(tasks.target_statistics(y_train))
    raw.notes = [*raw.notes, *_scarce_classes_note(tc, y_train, labels),
                 *_undefined_auc_note(tc, labels, val_idx)]
    kind, preprocessing = raw.kind, None
    if raw.kind == "table":  # typed here, encoded by a FeatureSpace adapted on training rows
        from ktrain_kit.data import features
        specs = features.column_specs(raw.table["table"], raw.table["features"], train_idx,
                                      dc.features)
        columns = features.raw_columns(raw.table["table"], specs)
        preprocessing = features.TablePreprocessing(
            specs, {k: v[train_idx] for k, v in columns.items()}, dc.features)
        x = preprocessing.encode(columns).numpy()
        kind = "tabular"
        raw.notes = [*raw.notes, *features.typing_notes(raw.table["table"], specs)]
        raw.notes += features.one_flag_note(raw.notes, dc.features)
    elif raw.kind == "text":  # a TextVectorization adapted on the training texts
        from ktrain_kit.data import text
        preprocessing = text.TextPreprocessing(x[train_idx], dc.text_max_tokens,
                                               dc.text_length, where, len(x),
                                               dc.text_tokens)
        x = preprocessing.encode({"text": x}).numpy()
        preprocessing.training_unknown_share = preprocessing.unknown_share(x[train_idx])
        kind = "sequence"
    if preprocessing is not None:
        preprocessing.rows = {"train": train_idx, "val": val_idx}  # the source's row numbers
    return Dataset(x[train_idx], y_train, x[val_idx], labels.y[val_idx], kind, tc.name,
                   labels.num_outputs, info, fingerprint(dc), preprocessing=preprocessing,
                   notes=raw.notes)


def _scarce_classes_note(tc, y_train, labels) -> list:
    """The classes with one training example or none (a class of one row the split sent to
    validation): an output the model cannot learn from the data, said before it trains - a
    table's 'Emperor' penguin, a typo'd label, becomes a class of its own without a word."""
    names = (labels.info or {}).get("class_names")
    if tc.name != "classification" or not names:
        return []
    counts = np.bincount(np.asarray(y_train, np.int64).reshape(-1), minlength=len(names))
    scarce = [f"{names[k]!s} ({counts[k]})" for k in range(len(names)) if counts[k] <= 1]
    if not scarce:
        return []
    return [f"{len(scarce)} class{'es' * (len(scarce) > 1)} with one training example or "
            f"none: {', '.join(scarce[:5])}{', ...' if len(scarce) > 5 else ''}; the model "
            "cannot learn {} from that - add examples, or drop {} rows (a typo in a "
            "label?)".format(*(("them", "their") if len(scarce) > 1 else ("it", "its")))]


def _undefined_auc_note(tc, labels, val_idx) -> list:
    """A binary or multilabel task whose validation rows hold one value of a label (a rare
    class the split sent to training): its ROC AUC is undefined and Keras reports 0.0, which
    the run would print as its best val auc, said before it trains."""
    if tc.name not in ("binary", "multilabel") or len(val_idx) == 0:
        return []
    y = np.asarray(labels.y)[val_idx].reshape(len(val_idx), -1)
    one = [k for k in range(y.shape[1]) if len(np.unique(y[:, k])) < 2]
    if not one:
        return []
    if tc.name == "binary":
        value = (labels.info.get("label_values") or [0, 1])[int(y[0, 0])]
        which = f"only label {value!r} ({len(val_idx)} rows)"
    else:
        names = labels.info.get("tag_names") or labels.info.get("label_names") or []
        shown = [str(names[k]) if k < len(names) else str(k) for k in one[:5]]
        which = f"one value of {len(one)} label{'s' * (len(one) > 1)} ({', '.join(shown)})"
    return [f"the validation rows hold {which}: ROC AUC is undefined there and Keras reports "
            "0.0 for it, so read val_loss and val_accuracy instead; more validation rows "
            "(data.val_fraction) would hold both values"]


def _with_kept(error: UserError, raw: Raw) -> UserError:
    """A refusal about the labels or the rows' count, with how many rows data.drop_unlabeled
    kept: 'a single class' or 'no training examples' of a file of many rows is otherwise a
    riddle (its label column was all gaps but one)."""
    return UserError(f"{error} ({raw.kept})") if raw.kept else error


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
    prep = data.preprocessing
    lines = ([prep.describe()] if prep is not None else []) + data.notes
    table = "".join(f"\nktrain_kit: {line}" for line in lines)
    return (f"{data.train_size} training / {data.val_size} validation examples{where}, "
            f"{data.kind} {data.input_shape}, task {data.task} ({data.num_outputs} outputs)"
            f"{table}")
