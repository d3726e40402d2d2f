"""The full default config, and the checks that run on it before any TensorFlow work.

Experiment files in `configs/` start from `default_config()` and change what they need. The
config is locked, so a mistyped key is an error, and every field has a type, so
`--config.train.epochs=ten` is refused. `validate()` then checks ranges, names and cross-field
rules and raises `UserError` with one line naming the key and the fix.

This module must not import TensorFlow or Keras: a bad config is refused in well under a second.
"""

import functools
import math
import os

import ml_collections
from ml_collections import config_dict

from ktrain_kit import config_fields, fs, tasks
from ktrain_kit.arguments import checked, flag, satisfying
from ktrain_kit.errors import UserError, config_error

# Names the builders know. Each builder module keeps its own table and a test checks they agree.
DATASETS = ("digits", "synthetic_images", "synthetic_sequences", "synthetic_tabular", "npz",
            "csv", "image_folder", "text_folder", "tfrecord")
MODELS = ("mlp", "cnn", "resnet", "transformer", "keras_app", "bag")  # or "package.module:function"
TASKS = tasks.TASKS
NORMS = ("batch", "layer", "group", "none")
OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("constant", "cosine", "linear", "step", "exponential")
PRECISIONS = ("auto", "float32", "mixed_float16", "mixed_bfloat16")
STRATEGIES = ("auto", "default", "one_device", "mirrored", "multi_worker", "tpu")
JIT_CHOICES = ("auto", "true", "false")
DURATION_UNITS = ("epochs", "steps")
NAN_POLICIES = ("stop", "restore")
ACTIVATIONS = ("relu", "gelu", "silu", "elu", "tanh", "sigmoid", "leaky_relu")
INITIALIZERS = ("he_normal", "he_uniform", "glorot_normal", "glorot_uniform", "lecun_normal",
                "random_normal")
TASK_LOSSES = tasks.LOSSES
PATH_DATASETS = config_fields.PATH_DATASETS
IMAGE_DATASETS = ("digits", "synthetic_images", "image_folder")
SEQUENCE_DATASETS = ("synthetic_sequences", "text_folder")
# Beyond these a value is a typo or an accident, not an experiment: refused before TensorFlow
# allocates anything (a wider model still trains if given through a builder of your own).
LIMITS = {"model.width": 65_536, "model.depth": 1_000, "model.num_heads": 1_024,
          "model.mlp_ratio": 64, "data.image_size": 4_096, "data.seq_len": 100_000,
          "data.vocab_size": 10_000_000, "data.num_classes": 100_000,
          "data.num_features": 1_000_000, "data.batch_size": 1_048_576,
          "train.epochs": 1_000_000, "train.accumulation_steps": 65_536,
          "train.steps_per_execution": 100_000, "callbacks.checkpoint.keep": 10_000,
          "runtime.virtual_cpu_devices": 64,
          # a tensor of examples x text_length ids (1e9 was an OOM traceback), a vocabulary,
          # padding around an image, records held to shuffle, whole training runs
          "data.text_length": 100_000, "data.text_max_tokens": 10_000_000,
          "data.augment.crop_padding": 4_096, "data.shuffle_buffer": 10_000_000,
          "callbacks.doctor.repair": 100}
# The number keys open above (config_fields.RANGES) that need no limit, and why: each is
# bounded by something else or allocates nothing (tests/test_config_fields.py checks that
# every open-ended key is in LIMITS or here).
UNLIMITED = {
    "data.train_examples": "capped by the data (refused past what the file holds)",
    "data.synthetic_examples": "refused past the machine's memory (generated data)",
    "data.in_memory_limit_mb": "a threshold: the data's own size bounds what is loaded",
    "callbacks.doctor.probe_examples": "capped by the data",
    "data.min_updates_per_epoch": "capped by the data (a batch is at least 16 rows)",
    "callbacks.checkpoint.every_steps": "an interval: past the end of training means never",
    "callbacks.doctor.interval": "an interval: past the end of training means never",
    "callbacks.early_stopping.patience": "epochs waited: allocates nothing",
    "callbacks.reduce_on_plateau.patience": "epochs waited: allocates nothing",
    "callbacks.reduce_on_plateau.cooldown": "epochs waited: allocates nothing",
    "train.nan_max_restores": "a count of roll-backs: allocates nothing",
    "callbacks.early_stopping.min_delta": "a threshold compared with the loss",
    "callbacks.reduce_on_plateau.min_delta": "a threshold compared with the loss",
    "callbacks.reduce_on_plateau.min_lr": "a floor: refused at or above schedule.base_lr",
    "optimizer.clip_global_norm": "a threshold: above every gradient's norm clips nothing",
    "optimizer.clip_norm": "a threshold: above every gradient's norm clips nothing",
    "optimizer.clip_value": "a threshold: above every gradient clips nothing",
    "optimizer.epsilon": "a rate's term: a huge one stalls training, which the doctor reports",
    "optimizer.weight_decay": "a rate: a huge one is a finding of the doctor, not a crash",
    "schedule.base_lr": "a rate: a huge one diverges, which the NaN guard and doctor report",
    "schedule.decay_every": "an interval: past the end of training means no decay",
    "schedule.warmup_epochs": "refused unless shorter than training",
    "schedule.warmup_steps": "refused unless shorter than training",
}
# Any other number beyond this size is a typo (or `1e308` / a huge whole number): refused
# before it reaches arithmetic that would overflow (int(inf) raises OverflowError).
MAX_MAGNITUDE = 1e15
# Any other nonzero number below this is 0 (or a denormal) where TensorFlow computes, float32.
FLOAT32_TINY = 1.1754943508222875e-38  # numpy.finfo(numpy.float32).tiny
MAX_SEED = 2**31 - 1
# Generated data are held in memory as float64 while generated: about this many bytes per
# value, counting the temporaries of generation.
GENERATED_BYTES_PER_VALUE = 16


def _any(value):
    """A field that takes any type: a column name or index, a mapping, a list."""
    return config_dict.FieldReference(value, field_type=object)

# Datasets whose size is known without reading a file: examples available before the split.
DIGITS_EXAMPLES = 1797


def default_config() -> ml_collections.ConfigDict:
    """Every field ktrain_kit reads, with its default. Experiment configs change a few."""
    c = ml_collections.ConfigDict()
    c.seed = 0

    c.data = dict(
        name="digits",
        path="",                 # file or folder for npz / csv / image_folder
        batch_size=64,           # examples per optimizer update, across replicas and micro-batches
        train_examples=0,        # training examples to use (or generate); 0 = all there are
        min_updates_per_epoch=8,  # csv: a table too small for this many updates an epoch at
                                 # batch_size trains on smaller batches (not below 16); 0 = off
        synthetic_examples=0,    # generated data: training examples to make when train_examples
                                 # is 0 (0 = 2048); never read for a file, so never caps it
        header=_any("auto"),     # csv: true = line 1 names the columns, false = it is an
                                 # example, auto = decide (data/table.py states the rule)
        encoding="auto",         # csv, text_folder: auto = UTF-8, or as a byte-order mark
                                 # says; else a Python codec name (cp1252: Windows / Excel)
        delimiter="auto",        # csv: the cells' separator: auto = ',' (a tab for .tsv / .tab),
                                 # or ',', ';', tab, '|', space (Excel's export in a
                                 # decimal-comma locale: ';')
        decimal="auto",          # csv: the numbers' decimal mark: auto = ',' with delimiter ';'
                                 # (where ';' separates, the comma is the decimal), else '.'
        quoting="csv",           # csv: csv = '"' encloses a cell ('""' inside it); none = quotes
                                 # are text (a .tsv written without quoting: pandas' QUOTE_NONE)
        drop_unlabeled=False,    # csv: rows whose label cell is empty or NA are left out (and
                                 # counted in a note) instead of refused
        text_column=_any(""),    # csv: the column of raw text (name or index); the input is
                                 # then that text alone (models bag, transformer)
        text_max_tokens=20_000,  # text: vocabulary size (words), from the training split
        text_tokens="auto",      # text: words | characters (each character and its runs of 2
                                 # and 3: names, single words); auto = characters where fewer
                                 # than half the training texts share a word with another
        text_length=256,         # text: tokens per example (longer texts are cut, and the run
                                 # says so); 0 = the longest training text's (configs/text_bag.py)
        features=_any(""),       # csv: per-column type overrides {column: numeric |
                                 # categorical | text | ignore}; the rest are typed from the file
        val_fraction=0.2,        # share of the examples held out for validation
        num_classes=10,          # synthetic data: classes to generate
        image_size=32,           # synthetic_images and image_folder: side in pixels
        channels=3,              # synthetic_images and image_folder
        seq_len=32,              # synthetic_sequences
        vocab_size=32,           # synthetic_sequences
        label_column=_any(-1),   # csv: the label column, by header name or index (-1: last)
        label_columns=_any(()),  # csv, multilabel: the 0/1 label columns, names or indices
                                 # (without them, data.label_column's tags joined by '|')
        class_weight=_any("none"),  # classification, binary: none | balanced | {class: weight}
        num_features=20,         # synthetic_tabular: feature columns to generate
        in_memory_limit_mb=1024,  # image_folder: stream from the files above this size
        skip_bad_files=False,    # image_folder: leave unreadable images out (counted, named)
                                 # instead of stopping
        shuffle_buffer=4096,     # streamed data: records per (seeded) shuffle block
        label_noise=0.0,         # share of training labels replaced by random ones (robustness
                                 # experiments; the doctor's fault gallery uses 1.0)
        augment=dict(flip=False, translate=0.0, crop_padding=0),
    )

    c.task = dict(
        name="classification",   # classification | binary | multilabel | regression
        loss="auto",             # regression: mse | mae | huber; auto = the task's usual loss
        label_smoothing=0.0,     # classification: share of the target spread over all classes
    )

    c.model = dict(
        name="cnn",              # a built-in model, or your own: "package.module:function"
        dropout=0.1,
        norm="batch",
        activation="relu",
        initializer="he_normal",
        width=64,                # units (mlp), filters (cnn, resnet), embedding size (transformer)
        depth=2,                 # hidden layers, conv blocks, residual stages or encoder blocks
        num_heads=4,             # transformer
        mlp_ratio=2,             # transformer: feed-forward width / embedding size
        from_logits=True,        # the last layer emits logits; probabilities are added at export
        backbone="EfficientNetV2B0",  # keras_app: a keras.applications model name
        backbone_weights="",     # keras_app: a local weights file of the backbone (no download)
        init_from="",            # fine-tune: a run folder, a .keras or a .weights.h5 file
        freeze="",               # fine-tune: comma-separated regexes of layer names to freeze
    )

    c.optimizer = dict(
        name="adam",
        momentum=0.9,            # sgd
        nesterov=False,          # sgd
        beta_1=0.9,              # adam, adamw
        beta_2=0.999,
        epsilon=1e-7,
        weight_decay=0.0,        # decoupled: lr * wd * w is subtracted each update
        weight_decay_exclude="",  # extra comma-separated regexes of variable paths not to decay
        clip_global_norm=0.0,    # 0 = off
        clip_norm=0.0,           # per-tensor norm clipping; 0 = off
        clip_value=0.0,          # element-wise clipping; 0 = off
        ema=False,
        ema_momentum=0.99,
    )

    c.schedule = dict(
        name="cosine",
        base_lr=1e-3,
        warmup_steps=0,
        warmup_epochs=0.0,       # alternative to warmup_steps; at most one of them non-zero
        end_lr_factor=0.0,       # cosine / linear: final lr = base_lr * end_lr_factor
        decay_factor=0.1,        # step: multiply by this at each boundary; exponential: per decay_every
        boundaries=(),           # step: where to decay, in `unit`
        decay_every=1.0,         # exponential: one decay_factor per this many `unit`
        unit="epochs",           # how boundaries and decay_every are counted
    )

    c.train = dict(
        epochs=10,
        accumulation_steps=1,
        deterministic=False,
        precision="auto",
        strategy="auto",
        jit_compile="auto",
        steps_per_execution=1,
        nan_policy="stop",       # on a NaN/Inf loss: stop, or restore the last good checkpoint
        nan_max_restores=3,      # restore: give up (stop) after this many roll-backs
        nan_lr_factor=0.5,       # restore: multiply the learning rate by this at each roll-back
        verbose=1,               # Keras progress bar: 0 silent, 1 bar, 2 a line per epoch
    )

    c.callbacks = dict(
        early_stopping=dict(enabled=True, monitor="val_loss", patience=5, min_delta=0.0,
                            restore_best_weights=True),
        reduce_on_plateau=dict(enabled=False, monitor="val_loss", factor=0.5, patience=2,
                               min_delta=1e-4, min_multiplier=1e-3, cooldown=0, min_lr=0.0),
        checkpoint=dict(enabled=True, keep=3,
                        every_steps=1000),  # also save mid-epoch every this many steps (0: off)
        tensorboard=dict(enabled=True),
        plots=dict(enabled=True),
        # A probe costs about one training step, so 1/interval is its share of the time: 1%.
        doctor=dict(enabled=True, interval=100, probe_examples=64,
                    repair=0),  # after training, up to N repaired runs beside it (0 = off)
    )

    c.runtime = dict(
        virtual_cpu_devices=0,   # split the CPU into N logical devices (to try `mirrored`)
        slurm_port_base=8888,    # multi_worker under Slurm: first port of each node's workers
    )
    return c


def _names(key, value, known):
    config_fields.check_names(key, value, known)


_leaves = config_fields.leaves
value_at = config_fields.value_at  # the value of a dotted key ("schedule.base_lr")


def flat_keys(c) -> set:
    """Every field's dotted key (`train.epochs`, ...): sections are walked, values are leaves."""
    return {key for key, _ in _leaves(c)}


def check_keys(c, defaults) -> None:
    """The config's keys are ktrain_kit's: a misspelled one set from Python (`c.train.epoch =
    5`: a ConfigDict takes any new name) was ignored, and the run trained with the default.
    The launcher checks a config file so (cli._check_config_object); this is the library's."""
    import difflib
    expected, given = flat_keys(defaults), flat_keys(c)
    unknown, missing = sorted(given - expected), sorted(expected - given)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(expected), n=1)
        raise config_error(unknown[0], "is not a key ktrain_kit knows (it would change "
                           "nothing)", f"did you mean '{close[0]}'?" if close else "remove it")
    if missing:
        raise config_error(missing[0], "is missing from this config", "start from "
                           "ktrain_kit.default_config() and change what you need")


def _numbers_are_sane(c):
    """No NaN or Inf anywhere, no absurd size: each a one-line error before any work."""
    for key, value in _leaves(c):
        # a mapping's values too (data.class_weight={0: 1e308} trained to a NaN loss, exit 1)
        items = list(value.values()) if hasattr(value, "items") else \
            value if isinstance(value, (tuple, list)) else [value]
        for item in items:
            if isinstance(item, float) and not math.isfinite(item):
                raise config_error(key, f"is {item}", "give a finite number")
            if isinstance(item, float) and 0 < abs(item) < FLOAT32_TINY:
                # schedule.base_lr=1e-46 trained at a rate of 0 without a word
                raise config_error(key, f"{item:.3g} is below float32's smallest normal number "
                                   f"({FLOAT32_TINY:.3g}), where TensorFlow computes it acts "
                                   "as 0", "give a larger number (or 0 where the key takes 0)")
        limit = LIMITS.get(key)
        if limit is not None and isinstance(value, (int, float)) and value > limit:
            raise config_error(key, f"{value:,} is beyond any sensible value (limit "
                               f"{limit:,})", "check for a typo")
        for item in items:
            if isinstance(item, (int, float)) and not isinstance(item, bool) and \
                    abs(item) > MAX_MAGNITUDE and key != "seed":
                shown = (f"{item:.3g}" if isinstance(item, float) else
                         f"a whole number of {len(str(abs(item)))} digits")
                raise config_error(key, f"{shown} is beyond any sensible value (limit "
                                   f"{MAX_MAGNITUDE:.0e})", "check for a typo")
    config_fields.check_ranges(c)  # before the sizes below are multiplied together
    _generated_data_fits_in_memory(c)


def _generated_data_fits_in_memory(c):
    """Generated data have a size the config alone tells: refused past the machine's memory
    (an image size of 8192 would ask for hundreds of GiB) before anything is allocated."""
    d = c.data
    per_example, key = {"synthetic_images": (d.image_size ** 2 * d.channels, "data.image_size"),
                        "synthetic_sequences": (d.seq_len, "data.seq_len"),
                        "synthetic_tabular": (d.num_features, "data.num_features")
                        }.get(d.name, (0, None))
    if not per_example or not 0 < d.val_fraction < 1:
        return
    examples = available_train_examples(c) / (1 - d.val_fraction)  # synthetic_examples too
    needed, memory = examples * per_example * GENERATED_BYTES_PER_VALUE, _memory_bytes()
    if memory and needed > 0.8 * memory:
        raise config_error(key, f"{int(examples):,} generated examples of {per_example:,} values "
                           f"need about {needed / 2**30:,.0f} GiB, more than this machine's "
                           f"{memory / 2**30:.0f} GiB", "use a smaller size or fewer "
                           "data.train_examples / data.synthetic_examples")


def check_no_tilde(what: str, path) -> None:
    """`--config.data.path=~/x`: the shell expands `~` only at the start of a word, so the
    path would name a folder called `~` here; the user meant their home."""
    if isinstance(path, str) and path.startswith("~"):
        raise UserError(f"{what}: '{path}' starts with ~, which the shell does not expand "
                        f"after '='; give the full path, e.g. {os.path.expanduser(path)}")
    # `--workdir=' runs/x'`, a pasted path's newline: a quoting slip, which made a folder
    # named ' ' in the current one (or a name ending in a space) without a word. A file or
    # folder that exists under that exact name is taken.
    if isinstance(path, str) and path.strip() and path != path.strip() and \
            not os.path.lexists(path):
        raise UserError(f"{what}: {path!r} begins or ends with a space or line break (a "
                        f"quoting slip?) and nothing has that name; give {path.strip()!r}")


# The keys that name a file or folder ktrain_kit reads (tests/test_bad_input_classes2.py
# checks that every key a path fits is here).
PATH_KEYS = ("data.path", "model.init_from", "model.backbone_weights")


def check_not_special(key: str, path) -> None:
    """A path key naming a named pipe, a socket or a device (`/dev/zero`, `<(zcat x.csv)` from
    a shell's process substitution): the reader waited forever on a pipe no one writes, or
    read a device without end. Refused before anything is read."""
    kind = fs.special_kind(path) if isinstance(path, str) and path else None
    if kind:
        raise config_error(key, f"'{path}' is {kind}, not a file or folder (reading it would "
                           "wait or run forever)", f"save what it gives to a file and point {key} "
                           "at that")


def check_output_outside_data(c, path: str, flag: str = "--workdir") -> None:
    """An output folder (a run, lr_find's, shards, a sweep) inside `data.path`, or holding
    it: the run's files became part of the data (a run folder inside an image folder is a
    class folder without images at the next listing, so the run could neither resume nor be
    evaluated), or overwriting the run would remove the data. Refused before anything is
    written. Local paths only (a bucket's are compared by no real path)."""
    data = c.data.path
    if not path or not data or c.data.name not in PATH_DATASETS or not fs.is_local(path) or \
            not fs.is_local(data):
        return
    out, source = (os.path.realpath(fs.local_path(p)) for p in (path, data))
    if out == source or out.startswith(source.rstrip(os.sep) + os.sep):
        raise UserError(f"{flag} '{path}' is data.path '{data}' or inside it: the files "
                        "written there would be read as data next time; choose a folder "
                        "outside it")
    if source.startswith(out.rstrip(os.sep) + os.sep):
        raise UserError(f"{flag} '{path}' holds data.path '{data}': replacing that folder's "
                        "files could remove the data; choose a folder beside it, not above it")


def is_user_model(name: str) -> bool:
    """`package.module:function`: a model builder of the user's own."""
    module, colon, function = name.partition(":")
    return bool(colon) and all(p.isidentifier() for p in module.split(".")) and \
        function.isidentifier()


def _model_fits_data_name(c):
    """Model vs data, for data whose kind its name already tells (checked again by what the
    loaded data is)."""
    name, data = c.model.name, c.data.name
    non_image = SEQUENCE_DATASETS + ("synthetic_tabular", "csv")
    if name in ("cnn", "resnet", "keras_app") and data in non_image:
        raise config_error("model.name", f"{name} needs images, not {data}",
                           "use model.name=mlp or an image dataset")
    text_csv = data == "csv" and c.data.text_column not in ("", None)
    if name in ("transformer", "bag") and not text_csv and \
            data in IMAGE_DATASETS + ("synthetic_tabular", "csv"):
        raise config_error("model.name", f"{name} needs token sequences, not {data}",
                           "use data.name=text_folder, a csv's data.text_column, "
                           "synthetic_sequences or an npz of integer token ids")


def validation_count(examples: int, val_fraction: float) -> int:
    """Examples held out for validation: `val_fraction` of them, rounded, and at least one
    (a run always has a validation split to monitor). The one rule: the data's split
    (data/sources.py) and the checks made before loading count alike."""
    return max(1, int(round(examples * val_fraction)))


def available_train_examples(c) -> int | None:
    """Training examples after the validation split, when knowable without reading files."""
    if c.data.name.startswith("synthetic"):
        return c.data.train_examples or c.data.synthetic_examples or 2048  # generated
    total = {"digits": DIGITS_EXAMPLES}.get(c.data.name)
    if total is None:
        return None
    train = total - validation_count(total, c.data.val_fraction)
    return min(train, c.data.train_examples) if c.data.train_examples else train


def monitored_columns(c) -> list:
    """What early stopping and the plateau callback may monitor: the task's logged metrics."""
    return tasks.logged_columns(c.task.name)


def unread_key_notes(c, named=()) -> list:
    """'ktrain_kit: note: ...' for each optimizer/schedule key `c` sets that its optimizer or
    schedule never reads (config_fields.unread_keys); `named`: the keys the command line set."""
    return [f"ktrain_kit: note: {line}" for line in
            config_fields.unread_keys(c, default_config(), named)]


def check_named_keys_switched_on(c, named=()) -> None:
    """Refuses a key the command line names (`named`) under a callback `c` switches off
    (config_fields.switched_off_keys)."""
    config_fields.check_named_keys_switched_on(c, default_config(), named)


@functools.lru_cache(maxsize=1)
def default_field_kinds() -> dict:
    """config_fields.field_kinds of the defaults: the same in every call of a process."""
    return config_fields.field_kinds(default_config())


# train(c) and validate(c): a dict has none of a ConfigDict's attribute access, and what it
# raised came from deep inside (KeyError: 'callbacks').
A_CONFIG = satisfying(lambda v: isinstance(v, ml_collections.ConfigDict),
                      "an ml_collections.ConfigDict: ktrain_kit.default_config() or a configs/*.py "
                      "get_config() (a plain dict d: ml_collections.ConfigDict(d))")


@checked(c=A_CONFIG, check_files=flag())
def validate(c, check_files=True) -> None:
    """Raises `UserError` for the first problem found. Checks that need the data run later.
    `check_files=False`: the files a training starts from (model.init_from, backbone_weights)
    need not be there - a finished run read back (evaluate, export, configs/from_run.py) has
    its own weights, and a run it was fine-tuned from may since have moved."""
    defaults = default_config()
    check_keys(c, defaults)
    # None, or True for a number: before any arithmetic
    config_fields.check_kinds(c, defaults, default_field_kinds())
    config_fields.check_shapes(c)
    config_fields.check_text_rules(c)
    _numbers_are_sane(c)
    _names("task.name", c.task.name, TASKS)
    _names("task.loss", c.task.loss, TASK_LOSSES[c.task.name])
    if c.task.label_smoothing and c.task.name != "classification":
        raise config_error("task.label_smoothing", f"applies to classification, not "
                           f"{c.task.name}", "set it to 0")

    _names("data.name", c.data.name, DATASETS)
    _names("data.text_tokens", c.data.text_tokens, config_fields.TEXT_TOKENS)
    config_fields.check_csv_settings(c.data.delimiter, c.data.decimal, c.data.quoting)
    if c.data.decimal == "," and c.data.delimiter == ",":
        raise config_error("data.decimal", "is ',' while data.delimiter is ','", "give the "
                           "file's delimiter: --config.data.delimiter=';' (or tab)")
    for key in PATH_KEYS:
        check_no_tilde(f"config key '{key}'", value_at(c, key))
        check_not_special(key, value_at(c, key))
    if c.data.name in PATH_DATASETS and not c.data.path:
        raise config_error("data.path", f"data.name={c.data.name} reads a file but no path is set",
                           "pass --config.data.path=/path/to/your/data")
    if c.data.name in ("digits", "synthetic_images", "synthetic_sequences") and \
            c.task.name not in ("classification", "binary"):
        raise config_error("task.name", f"{c.data.name} has class labels, not {c.task.name} "
                           "targets", "use task.name=classification, or data of that task")
    if c.data.name in ("digits",) and c.task.name == "binary":
        raise config_error("task.name", "digits has 10 classes, not 2",
                           "use task.name=classification")
    cw = c.data.class_weight
    if cw not in ("none", "", None) and c.task.name not in ("classification", "binary"):
        raise config_error("data.class_weight", f"applies to classification and binary, not "
                           f"{c.task.name}", "set it to 'none'")
    if c.data.text_column not in ("", None) and c.data.features:
        raise config_error("data.features", "types table columns, but with data.text_column "
                           "only the text is used", "remove one of the two")
    if c.data.text_length == 0 and c.model.name == "transformer":
        raise config_error("data.text_length", "is 0 (the longest training text whole, as the "
                           "bag reads it), but a transformer's attention costs the square of "
                           "the length", "give the transformer a length: "
                           "--config.data.text_length=256")
    if hasattr(cw, "items"):
        for key, weight in cw.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or \
                    not math.isfinite(weight) or weight < 0:
                raise config_error("data.class_weight", f"class {key!r} has weight {weight!r}",
                                   "give every class a finite weight >= 0")
        if cw and not any(w > 0 for w in cw.values()):
            raise config_error("data.class_weight", "every weight is 0",
                               "give at least one class a positive weight")
    augmenting = c.data.augment.flip or c.data.augment.translate or c.data.augment.crop_padding
    if augmenting and c.data.name in SEQUENCE_DATASETS + ("synthetic_tabular", "csv"):
        raise config_error("data.augment", f"image augmentation does not apply to {c.data.name}",
                           "turn data.augment.* off for non-image data")

    if c.model.name not in MODELS and not is_user_model(c.model.name):
        hint = config_fields.near_miss(c.model.name, MODELS)
        raise config_error("model.name", f"unknown name '{c.model.name}'", f"{hint}use one of: "
                           f"{', '.join(MODELS)}, or your own builder as package.module:function")
    config_fields.check_applies(c, defaults)  # after data.name and model.name
    _names("model.norm", c.model.norm, NORMS)
    _names("model.activation", c.model.activation, ACTIVATIONS)
    _names("model.initializer", c.model.initializer, INITIALIZERS)
    if c.model.name == "transformer" and c.model.width % c.model.num_heads:
        raise config_error("model.num_heads", f"model.width={c.model.width} is not divisible "
                           f"by {c.model.num_heads} heads", "pick a divisor of model.width")
    _model_fits_data_name(c)
    if check_files and c.model.backbone_weights and not os.path.isfile(c.model.backbone_weights):
        raise config_error("model.backbone_weights", f"'{c.model.backbone_weights}' is not a "
                           "file", "give a local weights file (nothing is downloaded)")
    if check_files and c.model.init_from and not os.path.exists(c.model.init_from):
        raise config_error("model.init_from", f"'{c.model.init_from}' does not exist",
                           "give a run folder, a .keras or a .weights.h5 file")

    _names("optimizer.name", c.optimizer.name, OPTIMIZERS)
    clips = [k for k in ("clip_global_norm", "clip_norm", "clip_value") if c.optimizer[k] > 0]
    if len(clips) > 1:
        raise config_error(f"optimizer.{clips[1]}", f"only one kind of clipping at a time "
                           f"(also set: optimizer.{clips[0]})", "set all but one to 0")
    if c.optimizer.weight_decay_exclude and not c.optimizer.weight_decay:
        raise config_error("optimizer.weight_decay_exclude", "set while weight_decay is 0",
                           "set optimizer.weight_decay > 0 or clear the exclusion")

    s = c.schedule
    _names("schedule.name", s.name, SCHEDULES)
    if s.warmup_steps and s.warmup_epochs:
        raise config_error("schedule.warmup_epochs", "schedule.warmup_steps and "
                           "schedule.warmup_epochs are both set", "set one of them to 0")
    _names("schedule.unit", s.unit, DURATION_UNITS)
    # A tuple override is parsed as Python: 'abc' or ('a', 'b') arrive as text, which the
    # arithmetic on durations would only trip over after the data are loaded.
    if not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in s.boundaries):
        unread = next((config_fields.unread_literal(b) for b in s.boundaries
                       if config_fields.unread_literal(b)), "")
        raise config_error("schedule.boundaries", f"must be numbers, got {tuple(s.boundaries)!r}"
                           + (f": {unread}" if unread else ""),
                           "e.g. --config.schedule.boundaries='(30, 60)'")
    if s.unit == "steps":  # 1.5 steps was cut to 1 without a word
        for key, values in (("schedule.boundaries", s.boundaries),
                            ("schedule.decay_every", [s.decay_every])):
            if any(v != int(v) for v in values):
                raise config_error(key, f"counts whole steps (schedule.unit=steps), got "
                                   f"{values[0] if len(values) == 1 else tuple(values)}",
                                   "round it, or use schedule.unit=epochs")
    if s.name == "step" and not s.boundaries:
        raise config_error("schedule.boundaries", "step decay needs at least one boundary",
                           "e.g. --config.schedule.boundaries='(30, 60)'")
    # Under every schedule, not only step: the Schedule is built with them whatever its name,
    # and refused (-1,) with a TypeError traceback after TensorFlow started under cosine.
    if s.boundaries and (list(s.boundaries) != sorted(set(s.boundaries)) or
                         min(s.boundaries) <= 0 or not all(map(math.isfinite, s.boundaries))):
        raise config_error("schedule.boundaries", f"must be positive and increasing, got "
                           f"{tuple(s.boundaries)}", "list them in increasing order")

    t = c.train
    _names("train.precision", t.precision, PRECISIONS)
    _names("train.strategy", t.strategy, STRATEGIES)
    _names("train.jit_compile", str(t.jit_compile).lower(), JIT_CHOICES)  # True / False too
    _names("train.nan_policy", t.nan_policy, NAN_POLICIES)
    if t.nan_policy == "restore" and not c.callbacks.checkpoint.enabled:
        raise config_error("train.nan_policy", "'restore' rolls back to a checkpoint, but "
                           "callbacks.checkpoint.enabled is False",
                           "enable checkpoints or use train.nan_policy=stop")
    if c.data.batch_size % t.accumulation_steps:
        raise config_error("data.batch_size", f"{c.data.batch_size} is not divisible by "
                           f"train.accumulation_steps={t.accumulation_steps}",
                           "make the batch a multiple of the micro-batch count")

    cb = c.callbacks
    columns = monitored_columns(c)
    for key in ("early_stopping", "reduce_on_plateau"):
        monitor = cb[key].monitor
        if cb[key].enabled and monitor not in columns:
            raise config_error(f"callbacks.{key}.monitor", f"'{monitor}' is not logged by a "
                               f"{c.task.name} run (task.name)", f"{config_fields.near_miss(monitor, columns)}"
                               f"use one of: {', '.join(columns)}")
    rp = cb.reduce_on_plateau
    if rp.enabled and rp.min_lr >= c.schedule.base_lr:  # the floor at or above the peak rate
        raise config_error("callbacks.reduce_on_plateau.min_lr", f"{rp.min_lr} is not below "
                           f"schedule.base_lr={c.schedule.base_lr}, so the rate is never lowered",
                           "set a smaller floor (0: none)")
    if cb.doctor.repair and not cb.doctor.enabled:
        raise config_error("callbacks.doctor.repair", "repairs follow the doctor's findings, "
                           "but callbacks.doctor.enabled is False", "enable the doctor")

    train_examples = available_train_examples(c)
    if train_examples is not None:
        validate_steps(c, train_examples, replicas=1)


def validate_steps(c, train_examples: int, replicas: int) -> None:
    """Cross-field rules that need the training-set size and the replica count."""
    per_update = c.train.accumulation_steps * replicas
    if c.data.batch_size % per_update:
        raise config_error("data.batch_size", f"{c.data.batch_size} is not divisible by "
                           f"{_per_update_words(c, replicas)}",
                           f"use a multiple of {per_update}")
    if train_examples < 1:  # the split took every example: no batch size or step count helps
        raise config_error("data.val_fraction", f"{c.data.val_fraction} holds out every "
                           f"example for validation, leaving none to train on",
                           "lower it, e.g. 0.2")
    batch = batch_for_data(c, train_examples, replicas)
    if batch < 1:
        raise config_error("data.batch_size", f"the {train_examples} training examples "
                           "(data.train_examples, after data.val_fraction) are fewer than "
                           f"{_per_update_words(c, replicas)}",
                           "use more data or fewer accumulation steps")
    steps_per_epoch = train_examples // batch
    if steps_per_epoch % c.train.steps_per_execution:
        raise config_error("train.steps_per_execution", f"{c.train.steps_per_execution} does "
                           f"not divide the {steps_per_epoch} steps of an epoch "
                           f"({train_examples} training examples / data.batch_size={batch})",
                           "use a divisor of the steps per epoch (1 is always safe)")
    check_batch_norm_batches(c, batch, per_update)
    check_schedule_in_steps(c, steps_per_epoch)


def _per_update_words(c, replicas: int) -> str:
    """'train.accumulation_steps=2 x 3 replicas (train.strategy=mirrored) = 6': the pieces a
    batch is split into, named by the keys that set them."""
    if replicas == 1:
        return f"train.accumulation_steps={c.train.accumulation_steps}"
    return (f"train.accumulation_steps={c.train.accumulation_steps} x {replicas} replicas "
            f"(train.strategy={c.train.strategy}) = {c.train.accumulation_steps * replicas}")


# Below this share of schedule.base_lr a float32 weight no longer moves (7 significant digits)
TINY_RATE = 1e-6


def check_schedule_in_steps(c, steps_per_epoch: int) -> None:
    """The schedule's durations, once counted in the run's steps, must still say what they
    said in epochs. Each is valid alone and checked against the others and the run's length
    here, the one place that knows the steps an epoch (the data, data.batch_size, the
    accumulation and the replicas): a warmup, boundaries and a decay interval shorter than
    training; none that rounds to 0 steps (`warmup_epochs=0.01` of 44 steps an epoch was no
    warmup; `decay_every=0.01` became a decay every step), no two boundaries on one step (a
    double decay at once), no boundary inside the warmup (the decay then lands at its end,
    and the run never trains at base_lr); and a decay that leaves the rate above TINY_RATE x
    base_lr for at least the first half of the run (`exponential` with `decay_every=0.1`
    epochs: below 1e-6 x base_lr for 63 of 88 steps, the weights frozen, and no word)."""
    s = c.schedule
    total_steps = steps_per_epoch * c.train.epochs
    run = (f"training has {total_steps} steps = train.epochs={c.train.epochs} x "
           f"{steps_per_epoch} steps an epoch")
    warmup = warmup_steps(c, steps_per_epoch)
    warmup_key = "schedule.warmup_epochs" if s.warmup_epochs else "schedule.warmup_steps"
    if s.warmup_epochs and not warmup:
        raise config_error(warmup_key, f"{s.warmup_epochs} epochs is 0 steps ({run}), so there "
                           "would be no warmup", "use at least one step's worth "
                           f"({1 / steps_per_epoch:.3g} epochs) or schedule.warmup_steps")
    if warmup >= total_steps:
        raise config_error(warmup_key, f"warmup of {warmup} steps is not shorter than "
                           f"training ({run})",
                           "shorten the warmup or train longer (a larger train.epochs)")
    decay = _decay_in_steps(c, steps_per_epoch, total_steps, warmup, warmup_key, run)
    middle = total_steps // 2
    if decay is not None and decay(middle) < TINY_RATE:
        key = "schedule.boundaries" if s.name == "step" else "schedule.decay_every"
        raise config_error(key, f"with schedule.decay_factor={s.decay_factor} the rate falls "
                           f"below {TINY_RATE:g} x schedule.base_lr by step {middle}, half "
                           f"way ({run}): the weights would stop moving for the rest of the "
                           "run", "decay more slowly (a larger decay_factor, fewer or later "
                           "boundaries, a longer decay_every) or train for fewer epochs")


def _decay_in_steps(c, steps_per_epoch, total_steps, warmup, warmup_key, run):
    """Checks the step and exponential durations in steps; returns the decay's multiplier as a
    function of the step (None for the other schedules, which stay above end_lr_factor and
    half the peak until half way). The arithmetic of schedules.Schedule (tests/
    test_config_pairs.py compares the two)."""
    s = c.schedule
    one_step = f"{1 / steps_per_epoch:.3g} epochs"
    if s.name == "step":
        steps = [to_steps(c, b, steps_per_epoch) for b in s.boundaries]
        if steps[-1] >= total_steps:
            raise config_error("schedule.boundaries", f"last boundary {max(s.boundaries)} "
                               f"{s.unit} (step {steps[-1]}) is past the end of training "
                               f"({run})", "move it before the end or train longer")
        if steps[0] <= warmup:
            what = (f"step {steps[0]}, is inside the warmup of {warmup} steps ({warmup_key}): "
                    "the rate would drop as the warmup ends, never staying at base_lr"
                    if warmup else "step 0: the run would start decayed")
            raise config_error("schedule.boundaries", f"the first boundary, "
                               f"{min(s.boundaries)} {s.unit} = {what} ({run})",
                               "move it later")
        for a, b, n, m in zip(s.boundaries, s.boundaries[1:], steps, steps[1:]):
            if n == m:
                raise config_error("schedule.boundaries", f"{a} and {b} {s.unit} are the same "
                                   f"step, {n} ({run}): the rate would be cut twice at once",
                                   f"space them at least one step ({one_step}) apart")
        return lambda step: s.decay_factor ** sum(step >= b for b in steps)
    if s.name == "exponential":
        every = to_steps(c, s.decay_every, steps_per_epoch)
        if every < 1:
            raise config_error("schedule.decay_every", f"{s.decay_every} epochs is 0 steps "
                               f"({run})", f"use at least one step's worth ({one_step}) or "
                               "schedule.unit=steps")
        return lambda step: s.decay_factor ** (max(step - warmup, 0) / every)
    return None


def check_batch_norm_batches(c, batch: int, per_update: int) -> None:
    """Batch norm after a Dense layer (model.norm=batch in the built-in mlp and bag) on a
    micro-batch of one example: each feature is normalized over that one example, so every
    normalized value is 0 and the model can learn nothing but its biases (the digits MLP at
    data.batch_size=32 with train.accumulation_steps=32: validation accuracy 0.08). A cnn's
    batch norm averages over the image's pixels too, so it is not concerned."""
    if c.model.norm != "batch" or c.model.name not in ("mlp", "bag") or batch // per_update > 1:
        return
    cut = "" if batch == c.data.batch_size else f", cut to {batch} by the data's size"
    raise config_error("model.norm", f"batch norm would normalize micro-batches of one example "
                       f"(data.batch_size={c.data.batch_size}{cut}, over {per_update} = "
                       "train.accumulation_steps x replicas): every "
                       "normalized value would be 0", "use model.norm=layer, or micro-batches "
                       "of at least 2 (a larger data.batch_size or fewer accumulation steps)")


# A small table's batch is cut to no fewer examples than this (see `batch_for_data`)
SMALLEST_TABLE_BATCH = 16


def batch_for_data(c, train_examples: int, replicas: int = 1) -> int:
    """`data.batch_size`, or less on data too small for it, rounded down to a multiple of
    accumulation_steps x replicas (0 when not even one multiple fits):
    - the whole training set when that is smaller than the batch, as Keras' `fit` does;
    - a table (`data.name=csv`) too small for `data.min_updates_per_epoch` updates an epoch
      (default 8; 0 keeps the batch): the batch that gives that many, down to
      SMALLEST_TABLE_BATCH, and at that floor the largest batch giving as many updates (no
      rows left out of every epoch for nothing). Epochs count the training, early
      stopping's patience, warmup and the plateau's patience: chosen in epochs for tables of
      thousands of rows, they meant 1 or 2 updates an epoch on iris' 120 training rows at
      batch 64 (15 epochs: 15 updates), and the model stopped far from trained (validation
      accuracy 0.83 where a logistic regression gets 0.97; benchmarks/tables.py). Batch norm's
      statistics grow noisy below about 16 examples (Wu & He, Group Normalization), hence the
      floor."""
    per_update = c.train.accumulation_steps * replicas
    batch = min(c.data.batch_size, train_examples)
    wanted = c.data.min_updates_per_epoch
    if c.data.name == "csv" and wanted and train_examples // batch < wanted:
        batch = min(batch, max(train_examples // wanted, SMALLEST_TABLE_BATCH))
        # where the floor holds the updates below `wanted`, the largest batch giving as many:
        # every row used (26 rows: one batch of 26, not one of 16 leaving 10 out each epoch)
        batch = train_examples // (train_examples // batch)
    if batch == c.data.batch_size:
        return batch
    whole = per_update if train_examples >= per_update else 0  # one micro-batch per replica
    return max(batch // per_update * per_update, whole)


def fit_batch_to_data(c, train_examples: int, replicas: int = 1) -> str | None:
    """Sets `data.batch_size` to `batch_for_data` (a small table trains instead of being
    refused, on enough updates an epoch); returns the line saying so, or None when the batch
    is kept."""
    batch = batch_for_data(c, train_examples, replicas)
    if batch == c.data.batch_size or batch < 1:
        return None  # kept, or refused by validate_steps with the reason
    per_update = c.train.accumulation_steps * replicas
    if batch == min(c.data.batch_size, train_examples) // per_update * per_update:
        why = (f"is larger than the {train_examples} training examples: training on batches "
               f"of {batch}, as Keras' fit would")
    else:
        updates = train_examples // min(c.data.batch_size, train_examples)
        now = train_examples // batch
        why = (f"gives {updates} update{'s' if updates > 1 else ''} an epoch on the "
               f"{train_examples} training rows: training on batches of {batch} "
               f"({now} update{'s' if now > 1 else ''} an epoch, so that epochs and early "
               "stopping's patience count enough of them)")
        why += f"; --config.data.min_updates_per_epoch=0 keeps batches of {c.data.batch_size}"
    note = f"data.batch_size={c.data.batch_size} {why}"
    c.data.batch_size = batch
    return note


def estimate_parameters(c, input_shape, num_outputs, vocab=0) -> int:
    """A built-in model's parameter count from the config alone (before Keras allocates it)."""
    m, w, d = c.model, c.model.width, c.model.depth
    inputs = math.prod(input_shape) if input_shape else 1
    if m.name == "mlp":
        return inputs * w + (d - 1) * w * w + w * num_outputs + 4 * d * w
    if m.name in ("cnn", "resnet"):
        channels, total = input_shape[-1], 0
        for i in range(d):
            filters = w * 2**i
            total += 9 * channels * filters + 9 * filters * filters + filters * channels
            channels = filters
        return total + channels * num_outputs
    if m.name == "bag":  # tf-idf (vocab wide) -> depth blocks -> head
        return vocab * w + (d - 1) * w * w + w * num_outputs + 4 * d * w
    if m.name == "transformer":
        return (vocab + input_shape[0]) * w + d * (4 * w * w + 2 * m.mlp_ratio * w * w) + \
            w * num_outputs
    return 0


# What each built-in model needs the data to be (decided by the loaded data, not its name).
NEEDS_KIND = {"cnn": "image", "resnet": "image", "keras_app": "image", "transformer": "sequence",
              "bag": "sequence"}
KIND_WORDS = {"image": "images (height, width, channels)", "sequence": "integer token ids",
              "tabular": "rows of numbers"}


def check_model_fits_data(mc, data) -> None:
    """Refuses a built-in model the data cannot feed: a cnn on flat rows, a transformer on
    float images. (`mlp` takes anything; a user's builder decides for itself.)"""
    needs = NEEDS_KIND.get(mc.name)
    if mc.name == "mlp" and getattr(data.preprocessing, "vocab_size", None):
        raise config_error("model.name", "mlp would read a text's token ids as numbers",
                           "use model.name=bag or transformer for text")
    if needs and data.kind != needs:
        raise config_error("model.name", f"{mc.name} needs {KIND_WORDS[needs]}, but the data "
                           f"are {KIND_WORDS[data.kind]} of shape {data.input_shape}",
                           "use model.name=mlp, or data of that kind")


def validate_against_data(c, data, replicas: int = 1) -> None:
    """The rules that need the loaded data: sizes, model vs data, the model's size."""
    validate_steps(c, data.train_size, replicas)
    check_model_fits_data(c.model, data)
    augmenting = c.data.augment.flip or c.data.augment.translate or c.data.augment.crop_padding
    if augmenting and data.kind != "image":
        raise config_error("data.augment", f"image augmentation does not apply to {data.kind} "
                           "data", "turn data.augment.* off")
    check_crop_fits_images(c.data.augment.crop_padding, data.input_shape)
    vocab = data.vocab_size() if data.kind == "sequence" else 0
    params = estimate_parameters(c, data.input_shape, data.num_outputs, vocab)
    memory = _memory_bytes()
    # weights, gradients, two optimizer slots, EMA, the probe's copy: ~6 copies of float32
    if params and memory and params * 4 * 6 > 0.8 * memory:
        raise config_error("model.width", f"a {c.model.name} of width {c.model.width} and depth "
                           f"{c.model.depth} on inputs {data.input_shape} has about "
                           f"{params:,} parameters: more than this machine's "
                           f"{memory / 2**30:.0f} GiB can train", "use a smaller model")


def check_crop_fits_images(padding: int, input_shape) -> None:
    """data.augment.crop_padding shifts each image by up to that many pixels: at the image's
    side or beyond, a shift can move the whole image out of the crop, which then holds
    nothing but the zero fill under the image's label (crop_padding=123 on the 8x8 digits:
    almost every training example a blank square, and the run trained without a word)."""
    if not padding or len(input_shape) != 3:
        return
    side = min(input_shape[:2])
    if padding >= side:
        raise config_error("data.augment.crop_padding", f"{padding} pixels is not less than the "
                           f"images' side ({side}): a shift that far leaves no pixel of the "
                           "image in the crop", f"use fewer than {side} (about an eighth of "
                           f"the side is usual: {max(1, side // 8)})")


def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def to_steps(c, amount: float, steps_per_epoch: int) -> int:
    """Converts a duration in `schedule.unit` to optimizer steps."""
    if c.schedule.unit == "epochs":
        return int(round(amount * steps_per_epoch))
    return int(amount)


def warmup_steps(c, steps_per_epoch: int) -> int:
    if c.schedule.warmup_epochs:
        return int(round(c.schedule.warmup_epochs * steps_per_epoch))
    return c.schedule.warmup_steps


def from_saved(values: dict) -> ml_collections.ConfigDict:
    """The config a run folder's config.json holds, on top of today's defaults (a key added
    since keeps its default). An unknown key raises KeyError; a value the field does not take
    (a section where a value stood, text in a number's place) raises ValueError naming the
    key, in words."""
    config = default_config()

    def overlay(node, saved, prefix=""):
        for key, value in saved.items():
            if key not in node:
                raise KeyError(f"unknown key '{prefix}{key}'")
            current = node[key]
            if isinstance(current, ml_collections.ConfigDict) and isinstance(value, dict):
                overlay(current, value, f"{prefix}{key}.")
            elif isinstance(current, ml_collections.ConfigDict):
                raise ValueError(f"'{prefix}{key}' holds {_kind_of(value)} where "
                                 f"{_kind_of(current)} belongs")
            else:
                try:
                    node[key] = tuple(value) if isinstance(current, tuple) and \
                        isinstance(value, list) else value
                except (TypeError, ValueError) as e:
                    words = config_fields.kind_in_words(str(e))
                    raise ValueError(words.replace(f"'{key}'", f"'{prefix}{key}'", 1) if words
                                     else f"'{prefix}{key}': {str(e).splitlines()[0][:120]}"
                                     ) from None

    overlay(config, values)
    if isinstance(values.get("data"), dict) and "text_tokens" not in values["data"]:
        config.data.text_tokens = "words"  # saved before the key: its texts were read by words
    return config


def _kind_of(value) -> str:
    if isinstance(value, (dict, ml_collections.ConfigDict)):
        return "a section of keys"
    return f"the value {config_fields.shown(value)}"


def from_run_config() -> str:
    """configs/from_run.py (get_config(RUN): that run's config.json) as a --config path that
    works from the folder the command is run in: relative from the repository, absolute from
    anywhere else (the installed launchers run from any folder; a printed
    `--config=configs/from_run.py:RUN` failed there, 'does not exist')."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "configs", "from_run.py")
    if not os.path.exists(path):
        return "configs/from_run.py"
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def with_overrides(config, overrides: dict):
    """A copy of `config` with `overrides` ({dotted key: value}) set; a float key keeps a
    float (an integer-valued float from a sweep or a remedy would otherwise be refused)."""
    import copy
    out = copy.deepcopy(config)
    for key, value in overrides.items():
        *path, last = key.split(".")
        node = out
        for part in path:
            node = node[part]
        node[last] = float(value) if isinstance(node[last], float) else value
    return out
