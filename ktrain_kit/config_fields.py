"""Rules every config field obeys on its own, as tables: its kind (KIND from the defaults),
its range (RANGES), the shapes of the keys that take several types (SHAPES), which setting of
another key it needs (APPLIES_TO), and near misses of names. One loop checks each table, so a
key added to the config is checked by adding one row (tests/test_config_fields.py fails for a
number without a range, or a several-typed key without a shape), not by remembering an `if`.

Why tables: a locked ConfigDict refuses '10' for an int, but lets None into any field and
True into a number field (`c.data.batch_size = True` trained on batches of 1); and a number
checked only where it is used was not checked at all where it was not (a negative
`reduce_on_plateau.min_delta`). No TensorFlow here.
"""

import difflib
import os
import re

import ml_collections

from ktrain_kit.errors import config_error

KIND_WORDS = {int: "a whole number", float: "a number", bool: "True or False", str: "text",
              tuple: "a tuple"}

# Every int and float field: the values it may take, written as the message shows them.
# `>= N` and `> N` are open above (LIMITS in config.py bounds sizes); `[a, b)` are intervals;
# `one of a, b` are the only values.
RANGES = {
    "seed": "[0, 2147483647]",
    "task.label_smoothing": "[0, 1)",
    "data.batch_size": ">= 1",
    "data.train_examples": ">= 0",
    "data.min_updates_per_epoch": ">= 0",
    "data.synthetic_examples": ">= 0",
    "data.text_max_tokens": ">= 4",
    "data.text_length": ">= 0",
    "data.val_fraction": "(0, 1)",
    "data.num_classes": ">= 2",
    "data.num_features": ">= 1",
    "data.in_memory_limit_mb": ">= 0",
    "data.shuffle_buffer": ">= 1",
    "data.image_size": ">= 4",
    "data.channels": "one of 1, 3",
    "data.seq_len": ">= 2",
    "data.vocab_size": ">= 4",
    "data.label_noise": "[0, 1]",
    "data.augment.translate": "[0, 1)",
    "data.augment.crop_padding": ">= 0",
    "model.dropout": "[0, 1)",
    "model.width": ">= 1",
    "model.depth": ">= 1",
    "model.num_heads": ">= 1",
    "model.mlp_ratio": ">= 1",
    "optimizer.momentum": "[0, 1)",
    "optimizer.beta_1": "[0, 1)",
    "optimizer.beta_2": "(0, 1)",
    "optimizer.epsilon": "> 0",
    "optimizer.weight_decay": ">= 0",
    "optimizer.clip_global_norm": ">= 0",
    "optimizer.clip_norm": ">= 0",
    "optimizer.clip_value": ">= 0",
    "optimizer.ema_momentum": "(0, 1)",
    "schedule.base_lr": "> 0",
    "schedule.warmup_steps": ">= 0",
    "schedule.warmup_epochs": ">= 0",
    "schedule.end_lr_factor": "[0, 1]",
    "schedule.decay_factor": "(0, 1)",
    "schedule.decay_every": "> 0",
    "train.epochs": ">= 1",
    "train.accumulation_steps": ">= 1",
    "train.steps_per_execution": ">= 1",
    "train.nan_max_restores": ">= 1",
    "train.nan_lr_factor": "(0, 1)",
    "train.verbose": "one of 0, 1, 2",
    "runtime.virtual_cpu_devices": ">= 0",
    "runtime.slurm_port_base": "[1024, 65535]",
    "callbacks.early_stopping.patience": ">= 0",
    "callbacks.early_stopping.min_delta": ">= 0",
    "callbacks.reduce_on_plateau.factor": "(0, 1)",
    "callbacks.reduce_on_plateau.patience": ">= 0",
    "callbacks.reduce_on_plateau.min_delta": ">= 0",
    "callbacks.reduce_on_plateau.cooldown": ">= 0",
    "callbacks.reduce_on_plateau.min_lr": ">= 0",
    "callbacks.reduce_on_plateau.min_multiplier": "(0, 1)",
    "callbacks.checkpoint.keep": ">= 1",
    "callbacks.checkpoint.every_steps": ">= 0",
    "callbacks.doctor.interval": ">= 1",
    "callbacks.doctor.probe_examples": ">= 1",
    "callbacks.doctor.repair": ">= 0",
}

# Keys read only when another key selects them: set while it selects something else, the
# value would be ignored without a word (data.path=my.csv with data.name=digits trained on
# the digits). key -> (selecting key, the values that read it).
PATH_DATASETS = ("npz", "csv", "image_folder", "text_folder", "tfrecord")
APPLIES_TO = {
    "data.path": ("data.name", PATH_DATASETS),
    "data.text_column": ("data.name", ("csv",)),
    "data.min_updates_per_epoch": ("data.name", ("csv",)),
    "data.features": ("data.name", ("csv",)),
    "data.encoding": ("data.name", ("csv", "text_folder")),
    "data.delimiter": ("data.name", ("csv",)),
    "data.decimal": ("data.name", ("csv",)),
    "data.quoting": ("data.name", ("csv",)),
    "data.drop_unlabeled": ("data.name", ("csv",)),
    "data.label_column": ("data.name", ("csv", "tfrecord")),
    "data.label_columns": ("data.name", ("csv", "tfrecord")),
    # each a reader's option, like the csv keys above (data.header=false on the digits
    # trained without a word); what a generator reads is not here: the shipped configs
    # set data.synthetic_examples, data.num_classes, ... and README runs them on files
    "data.header": ("data.name", ("csv",)),
    "data.skip_bad_files": ("data.name", ("image_folder",)),
    "data.in_memory_limit_mb": ("data.name", ("image_folder",)),
    "data.shuffle_buffer": ("data.name", ("image_folder", "tfrecord")),  # streamed records
    "data.text_length": ("data.name", ("csv", "text_folder")),  # raw text, tokenized here
    "data.text_max_tokens": ("data.name", ("csv", "text_folder")),
    "data.text_tokens": ("data.name", ("csv", "text_folder")),
    "model.backbone": ("model.name", ("keras_app",)),
    "model.backbone_weights": ("model.name", ("keras_app",)),
    # off by default, so a key of theirs set alone means the user expects it to act
    "optimizer.ema_momentum": ("optimizer.ema", (True,)),
    "train.nan_max_restores": ("train.nan_policy", ("restore",)),
    "train.nan_lr_factor": ("train.nan_policy", ("restore",)),
    **{f"callbacks.reduce_on_plateau.{key}": ("callbacks.reduce_on_plateau.enabled", (True,))
       for key in ("monitor", "factor", "patience", "min_delta", "min_multiplier", "cooldown",
                   "min_lr")},
}
UNSET = ("", None, (), [], {})  # what "not set" is written as, besides the default


def is_unset(value) -> bool:
    """Whether `value` is one of UNSET. Not `value in UNSET`: a NumPy number from a config
    file (`c.optimizer.momentum = numpy.float64(0.5)`, a float to the locked config) compares
    with `()` element-wise, and `in` raised 'The truth value of an empty array is ambiguous',
    a traceback, for every key of APPLIES_TO and READ_BY_CHOICE."""
    return value is None or (isinstance(value, (str, tuple, list, dict)) and len(value) == 0)


# Every optimizer.* and schedule.* key: the optimizer.name / schedule.name values that read
# it (EVERY: each of them). Unlike APPLIES_TO, a key set under a choice that never reads it is
# noted, not refused: a sweep that switches optimizer.name keeps sgd's momentum in its base
# config for its sgd trials. launchers.train prints one line per such key (unread_keys);
# tests/test_config_fields.py checks each row against what the optimizers and schedules do.
EVERY = "every"
_ADAMS = ("adam", "adamw")
READ_BY_CHOICE = {
    "optimizer.name": ("optimizer.name", EVERY),
    "optimizer.momentum": ("optimizer.name", ("sgd",)),
    "optimizer.nesterov": ("optimizer.name", ("sgd",)),
    "optimizer.beta_1": ("optimizer.name", _ADAMS),
    "optimizer.beta_2": ("optimizer.name", _ADAMS),
    "optimizer.epsilon": ("optimizer.name", _ADAMS),
    **{f"optimizer.{key}": ("optimizer.name", EVERY)
       for key in ("weight_decay", "weight_decay_exclude", "clip_global_norm", "clip_norm", "clip_value", "ema",
                   "ema_momentum")},
    **{f"schedule.{key}": ("schedule.name", EVERY)
       for key in ("name", "base_lr", "warmup_steps", "warmup_epochs")},
    "schedule.end_lr_factor": ("schedule.name", ("cosine", "linear")),
    "schedule.decay_factor": ("schedule.name", ("step", "exponential")),
    "schedule.boundaries": ("schedule.name", ("step",)),
    "schedule.decay_every": ("schedule.name", ("exponential",)),
    "schedule.unit": ("schedule.name", ("step", "exponential")),  # counts those two's durations
}

# What a data generator or one built-in model reads, noted (by unread_keys) when the command
# line names it under another choice: `--config.data.num_classes=5` on the digits, or
# `--config.model.num_heads=8` with model.name=mlp, trained without a word. Only when named
# there: the shipped configs set these for their generated data, and README runs them on
# files (configs/tabular_binary.py's synthetic_examples with data.name=csv), where the value
# set in the file is rightly unread.
_GENERATED = ("synthetic_images", "synthetic_sequences", "synthetic_tabular")
READ_BY_BUILT_IN = {
    "data.image_size": ("data.name", ("synthetic_images", "image_folder")),
    "data.channels": ("data.name", ("synthetic_images", "image_folder")),
    "data.num_classes": ("data.name", _GENERATED),
    "data.synthetic_examples": ("data.name", _GENERATED),
    "data.num_features": ("data.name", ("synthetic_tabular",)),
    "data.seq_len": ("data.name", ("synthetic_sequences",)),
    "data.vocab_size": ("data.name", ("synthetic_sequences",)),
    "model.num_heads": ("model.name", ("transformer",)),
    "model.mlp_ratio": ("model.name", ("transformer",)),
}


def _column(value) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _columns(value) -> bool:
    return isinstance(value, str) or (isinstance(value, (tuple, list)) and
                                      all(_column(v) for v in value))


def _mapping_or(*words):
    """A mapping, or one of `words` (text, or None). Compared only with text and None: a NumPy
    array (`c.data.class_weight = numpy.array([1, 3])`) compared with text element-wise, and
    `in` raised 'The truth value of an array ... is ambiguous', a traceback."""
    return lambda value: hasattr(value, "items") or (
        (value is None or isinstance(value, str)) and value in words)


# The keys that take more than one type (`_any` in config.py): the shapes each may have, and
# how the message names them. Checked before the data are read, like the kinds above.
SHAPES = {
    "data.header": (lambda v: isinstance(v, (str, int)) and v in ("auto", True, False),
                    "auto, True or False"),
    "data.text_column": (lambda v: v is None or _column(v), "a column name or number"),
    "data.label_column": (_column, "a column name or number (-1: the last)"),
    "data.label_columns": (lambda v: v is None or _columns(v),
                           "a tuple of column names or numbers, e.g. ('cat', 'dog')"),
    "data.features": (_mapping_or("", None), "a mapping {column: type}, e.g. "
                      "{'island': 'categorical'}"),
    "data.class_weight": (_mapping_or("none", "balanced", "", None),
                          "'none', 'balanced' or a mapping {class: weight}"),
}


def wide_text(head: bytes) -> str | None:
    """'UTF-16' or 'UTF-32' when a file's first bytes are text in that encoding (its byte-order
    mark, or ASCII with a NUL beside every character, as Windows editors save "Unicode"): the
    NULs are not a binary file's, so "pass the .py file it came from" sent the user to the file
    they had given. None otherwise."""
    import codecs
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    sample = head[:4096 - 4096 % 2]
    for zeros, chars in ((sample[1::2], sample[0::2]), (sample[0::2], sample[1::2])):
        if len(sample) >= 8 and zeros == b"\0" * len(zeros) and \
                all(32 <= c < 127 or c in b"\t\n\r" for c in chars):
            return "UTF-16"
    return None


def wide_source_message(what: str, path, encoding: str) -> str:
    return (f"{what} '{path}' is {encoding} text, but Python reads its files as UTF-8; save "
            f"it as UTF-8 (iconv -f {encoding} -t UTF-8 '{path}' > NEW.py, or your editor's "
            "'save with encoding')")


def is_text_codec(name) -> bool:
    """A codec Python decodes bytes to text with (`cp1252`, `latin-1`, `utf-16-le`,
    `shift_jis`), or "auto"; not a bytes-to-bytes codec such as `base64` or `zlib`, nor
    `rot13` (text to text), which decode no file."""
    import codecs
    if name == "auto":
        return True
    try:
        info = codecs.lookup(name)
    except (LookupError, TypeError):
        return False
    return info._is_text_encoding and info.name != "rot-13"


COMMON_CODECS = ("auto", "utf-8", "utf-16", "utf-16-le", "cp1252", "latin-1", "iso-8859-15",
                 "cp1250", "cp1251", "mac-roman", "shift_jis", "gb18030", "euc-kr")

# Text keys whose values are not a fixed list of names: a test of the value, and the words
# the message gives. Checked with the config, before any file is opened.
TEXT_RULES = {
    "data.encoding": (is_text_codec, "auto (UTF-8, or as a byte-order mark says) or a Python "
                      "codec name: cp1252 (Windows, Excel), latin-1, utf-16-le, shift_jis, ..."),
}


def check_text_rules(c) -> None:
    for key, (fits, words) in TEXT_RULES.items():
        value = value_at(c, key)
        if not fits(value):
            hint = near_miss(value, COMMON_CODECS) if key == "data.encoding" else ""
            raise config_error(key, f"{shown(value)} is not a known value", f"{hint}give "
                               f"{words}")
    check_regex_lists(c)


# Keys that hold comma-separated regexes, and what they are searched in. Whether each
# matches is known only once the model is built; whether it is a regex at all is known now
# (`--config.model.freeze='['` was refused only after TensorFlow started and the data loaded).
REGEX_LISTS = {"model.freeze": "layer paths", "optimizer.weight_decay_exclude": "variable paths"}


def check_regex_lists(c) -> None:
    for key, searched in REGEX_LISTS.items():
        value = value_at(c, key)
        for rule in (r.strip() for r in value.split(",")) if isinstance(value, str) else ():
            try:
                re.compile(rule)
            except re.error as e:
                raise config_error(key, f"'{rule}' is not a valid regex ({e})", "fix the "
                                   f"pattern: comma-separated regexes searched in the "
                                   f"{searched}, e.g. 'dense' (a backslash escapes [ ( . *)")


def value_at(config, key: str):
    """The value of dotted `key` ("schedule.base_lr") in `config`."""
    node = config
    for part in key.split("."):
        node = node[part]
    return node


def leaves(node, prefix=""):
    """(dotted key, value) of every field, nested sections flattened."""
    for key in node.keys():
        value = node[key]
        if isinstance(value, ml_collections.ConfigDict):
            yield from leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def field_kinds(defaults) -> dict:
    """{dotted key: the type its value must have}, from the default config. Keys declared to
    take any type (a column name or index, a mapping) are left out: their own checks apply."""
    kinds = {}
    for key, value in leaves(defaults):
        section, _, name = key.rpartition(".")
        node = value_at(defaults, section) if section else defaults
        if node.get_ref(name).get_type() is not object:
            kinds[key] = type(value)
    return kinds


def is_kind(value, kind) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False  # True is an int to Python, not a count or a rate to anyone
    if kind is float:
        return isinstance(value, (int, float))
    if kind is tuple:
        return isinstance(value, (tuple, list))
    return isinstance(value, kind)


ML_COLLECTIONS_TYPE = re.compile(r"Could not override field '(\w+)' \(reference\)\. (.*) is of "
                                 r"original type <class '([\w.]*?)(\w+)'> and cannot be casted "
                                 r"to type <class '[\w.]*?(\w+)'>", re.DOTALL)
TYPE_NAME_WORDS = {**{kind.__name__: words for kind, words in KIND_WORDS.items()},
                   "str": "text (in quotes)", "tuple": "a tuple, e.g. (1, 2)",  # in a .py file
                   "ConfigDict": "a section of keys, not a value"}


def kind_in_words(detail: str):
    """ml_collections' 'Could not override field 'epochs' (reference). 2.0 is of original type
    <class 'float'> and cannot be casted to type <class 'int'>' as 'epochs' takes a whole
    number, not the float 2.0'; None for any other message."""
    match = ML_COLLECTIONS_TYPE.search(detail)
    if not match:
        return None
    field, value, module, given, wanted = match.groups()
    value = " ".join(value.split())  # a mapping shows as several lines
    words = f"'{field}' takes {TYPE_NAME_WORDS.get(wanted, wanted)}, not the {given} {value}"
    if module.startswith("numpy") and _numpy_fits(given, wanted):
        words = (f"'{field}' takes {TYPE_NAME_WORDS[wanted]}, not NumPy's {given} {value} "
                 f"(Python's {wanted} is needed: write {wanted}(...) around it)")
    return words


# A NumPy number (`numpy.int64(3)`, `numpy.float32(0.5)`, `numpy.bool_(True)`, what an array's
# element or a NumPy function gives) is refused by the locked config for a field of Python's
# kind: 'takes a whole number, not the int64 3' left the user to guess why 3 is not one.
def _numpy_fits(numpy_type: str, python_type: str) -> bool:
    """Whether a NumPy number of this type holds what the Python field takes (an int64 for
    an int or a float, a float32 for a float, a bool_ for a bool): only its kind is wrong."""
    whole = numpy_type.startswith(("int", "uint"))
    return {"int": whole, "float": whole or numpy_type.startswith("float"),
            "bool": numpy_type.startswith("bool")}.get(python_type, False)


def shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_kinds(c, defaults, kinds=None) -> None:
    """Each typed field holds a value of its kind (None, or True in a number field, is
    refused here rather than as a TypeError deep in training). `kinds`: field_kinds(defaults)
    when already known (it takes ~0.1 s: ml_collections' get_ref walks the whole config)."""
    for key, kind in (kinds or field_kinds(defaults)).items():
        value = value_at(c, key)
        if not is_kind(value, kind):
            raise config_error(key, f"{shown(value)} is not {KIND_WORDS[kind]}",
                               f"set it to {KIND_WORDS[kind]}, e.g. {value_at(defaults, key)!r} "
                               "(the default)")


def check_shapes(c) -> None:
    for key, (fits, words) in SHAPES.items():
        value = value_at(c, key)
        if not fits(value):
            decimal = _decimal_column(key, value)
            if decimal:
                raise config_error(key, decimal[0], decimal[1])
            what = unread_literal(value) or "of another shape"
            raise config_error(key, f"{shown(value)} is {what}", f"give {words}")


NON_LITERALS = re.compile(r"(?i)(?<![\w'\"])(nan|inf|infinity)(?![\w'\"])")


def unread_literal(value) -> str:
    """Why a flag's value that looks like a mapping, list or tuple arrived as text: the flag
    parser reads it as a Python literal, where `nan` and `inf` are names, not numbers
    (`{0: nan}` was told "of another shape", though it is a mapping); '' otherwise."""
    if not isinstance(value, str) or value.strip()[:1] not in ("{", "[", "("):
        return ""
    found = NON_LITERALS.search(value)
    if found:
        return (f"text, not read as Python: {found.group(1)!r} is not a number there (only "
                "finite numbers are)")
    return "text, not read as Python (check its brackets, commas and quotes)"


def _decimal_column(key, value):
    """(what, fix) for a column key given a decimal number: the flag parser reads
    `--config.data.label_column=185.42` as the float 185.42, where the user named a column (R's
    crimtab names its columns by height: `"142.24"`, ...); 'give a name' did not say how. The
    name in quotes is read as text; None for other values."""
    values = value if isinstance(value, (tuple, list)) else [value]
    floats = [v for v in values if isinstance(v, float)]
    if not key.endswith(("_column", "_columns")) or not floats:
        return None
    quoted = repr(tuple(str(v) if isinstance(v, float) else v for v in values)) \
        if isinstance(value, (tuple, list)) else repr(str(value))
    return (f"{shown(floats[0])} is read as a number, and a column is chosen by its name or a "
            "whole-number index", f"for the column named {str(floats[0])!r}, give the name in "
            f"quotes: --config.{key}=\"{quoted}\" (spelled as in the header)")


def in_range(value, rule: str) -> bool:
    """Whether `value` obeys `rule` (a RANGES entry)."""
    if rule.startswith("one of "):
        return value in [float(v) for v in rule[len("one of "):].split(",")]
    if rule.startswith(">="):
        return value >= float(rule[2:])
    if rule.startswith(">"):
        return value > float(rule[1:])
    low, high = (float(v) for v in rule[1:-1].split(","))
    above = value > low if rule[0] == "(" else value >= low
    below = value < high if rule[-1] == ")" else value <= high
    return above and below


def _range_fix(rule: str) -> str:
    if rule.startswith("one of "):
        return f"use {rule}"
    if rule.startswith(">="):
        return f"set it to {rule[2:].strip()} or more"
    if rule.startswith(">"):
        return f"set a number above {rule[1:].strip()}"
    return f"pick a value in {rule}"


def check_ranges(c) -> None:
    for key, rule in RANGES.items():
        value = value_at(c, key)
        if not in_range(value, rule):
            where = "" if rule.startswith("one of") else "in " if rule[0] in "[(" else ""
            raise config_error(key, f"must be {where}{rule}, got {value}", _range_fix(rule))


def is_set(c, defaults, key) -> bool:
    value = value_at(c, key)
    return value != value_at(defaults, key) and not is_unset(value)


def check_applies(c, defaults) -> None:
    """A key set while its selecting key picks something that never reads it is refused."""
    for key, (selector, readers) in APPLIES_TO.items():
        chosen = value_at(c, selector)
        if is_set(c, defaults, key) and chosen not in readers:
            use = f"{selector}={readers[0]}" if len(readers) == 1 else \
                f"{selector} to one of {', '.join(map(str, readers))}"
            raise config_error(key, f"is read only when {selector} is "
                               f"{' or '.join(map(str, readers))}, but it is {chosen!r}",
                               f"set {use}, or remove {key}")


def unread_keys(c, defaults, named=()) -> list:
    """A line for each optimizer/schedule key the user set that the chosen optimizer or
    schedule never reads (READ_BY_CHOICE), e.g. optimizer.momentum under adam.

    Set means named on the command line (`named`: the user typed it, even at its default
    value), or holding a value other than ktrain_kit's default (written by someone, in the
    config file or on the command line: the default is what an untouched key holds, so it
    alone says nothing about intent). An empty value, 0 or False turns a key off: it asks
    for nothing that could go missing (`--config.optimizer.weight_decay=0` under adam).
    A generator's or model's key (READ_BY_BUILT_IN) is noted only when named: see there."""
    lines = []
    for key, (selector, readers) in {**READ_BY_CHOICE, **READ_BY_BUILT_IN}.items():
        chosen, value = value_at(c, selector), value_at(c, key)
        off = is_unset(value) or (isinstance(value, (int, float)) and value == 0)
        if readers == EVERY or chosen in readers or off or ":" in str(chosen):
            continue  # ":": a model builder of the user's, which may read any model.* key
        if key in named or (key in READ_BY_CHOICE and is_set(c, defaults, key)):
            lines.append(f"{key}={shown(value)} has no effect: only {selector}="
                         f"{' or '.join(readers)} reads it, and this run uses {selector}="
                         f"{chosen}; drop it, or change {selector}")
    for key, switch in switched_off_keys(c, defaults).items():
        value = value_at(c, key)
        if not _asks_nothing(value) and (key in named or is_set(c, defaults, key)):
            lines.append(f"{key}={shown(value)} has no effect: {switch}=False switches that "
                         f"callback off; drop it, or set {switch}=True")
    return lines


# Callbacks on by default (early_stopping, checkpoint, doctor): switched off with
# `callbacks.X.enabled=False`, their other keys are read by nothing. A key of theirs named on the
# command line then is refused (the user just asked for what it does: `--config.callbacks.
# checkpoint.every_steps=10` on a config without checkpoints trained with none, without a word);
# set in a config file it is noted, since a file keeps its settings while a command line may
# switch the callback off for one run. reduce_on_plateau, off by default, is refused wherever
# set (APPLIES_TO); callbacks.doctor.repair has its own rule (config.validate). 0, False and
# empty values turn a key off, as in unread_keys: they ask for nothing that could go missing.
def switched_off_keys(c, defaults) -> dict:
    """{key: its callback's `enabled` key} for every key of an on-by-default callback that `c`
    switches off."""
    out = {}
    for name, section in defaults.callbacks.items():
        switch = f"callbacks.{name}.enabled"
        if section.get("enabled") is not True or value_at(c, switch) is not False:
            continue
        for key in section:
            dotted = f"callbacks.{name}.{key}"
            if key != "enabled" and dotted not in APPLIES_TO and \
                    dotted != "callbacks.doctor.repair":
                out[dotted] = switch
    return out


def _asks_nothing(value) -> bool:
    return is_unset(value) or value is False or (
        isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0)


def check_named_keys_switched_on(c, defaults, named) -> None:
    """Refuses a key named on the command line whose callback `c` switches off."""
    for key, switch in switched_off_keys(c, defaults).items():
        if key in named and not _asks_nothing(value_at(c, key)):
            from ktrain_kit.errors import config_error
            raise config_error(key, f"is read only when {switch} is True, but it is False (that "
                               "callback is off)", f"set --config.{switch}=True, or drop "
                               f"--config.{key}")


def near_miss(value, known) -> str:
    """'did you mean 'adam'? ' for a near miss of a known name ('Adam', 'adam_w'), else ''."""
    lowered = {}
    for name in map(str, known):
        lowered.setdefault(name.lower(), name)  # letter case never decides the match
    close = difflib.get_close_matches(str(value).lower(), list(lowered), n=1)
    return f"did you mean '{lowered[close[0]]}'? " if close else ""


def check_names(key, value, known) -> None:
    """An unknown name, with the nearest known one."""
    if value not in known:
        raise config_error(key, f"unknown name '{value}'", f"{near_miss(value, known)}use one "
                           f"of: {', '.join(map(str, known))}")


# data.delimiter: the names a command line can carry -> the character cells are split at (a
# tab as `tab`, or `'\t'` as pandas' sep is written: a shell passes the two characters; `;`
# and `|` quoted); None: `auto` (data/table.py's `delimiter_char` decides by the file name).
CSV_DELIMITERS = {"auto": None, ",": ",", ";": ";", "tab": "\t", "\t": "\t", "\\t": "\t",
                  "|": "|", "space": " "}
CSV_DECIMALS = ("auto", ".", ",")
# data.quoting: csv = a '"' opening a cell encloses it (Python's csv module, spreadsheets,
# pandas' to_csv); none = quotes are text (files written without quoting: many .tsv, the SMS
# Spam Collection, GLUE's; pandas' read_csv(quoting=csv.QUOTE_NONE)).
CSV_QUOTING = ("csv", "none")
# data.text_tokens: what a text's vocabulary is made of (data/text.py, `chosen_tokens`).
TEXT_TOKENS = ("auto", "words", "characters")


def check_csv_settings(delimiter, decimal, quoting="csv") -> None:
    """data.delimiter, data.decimal and data.quoting are names of theirs: checked alike by the
    config (no file read) and by the reader (called directly)."""
    check_listed("data.delimiter", delimiter, CSV_DELIMITERS, "auto, ',', ';', tab, '|' or space")
    check_listed("data.decimal", decimal, CSV_DECIMALS, "auto, '.' or ','")
    check_listed("data.quoting", quoting, CSV_QUOTING, "csv or none")


def check_listed(key, value, known, listing: str) -> None:
    """check_names for choices that are punctuation (`data.delimiter`'s `,` `;` `|`, a tab):
    `listing` shows them quoted, as a shell takes them; joined bare they read as one list of
    commas (`auto, ,, ;, tab, <tab>, |`), and a value is shown as Python writes it ('\\t')."""
    if value not in known:
        raise config_error(key, f"unknown value {str(value)!r}",
                           f"{near_miss(value, known)}use {listing}")


def near_file(path, flag="config") -> str:
    """'did you mean --config=configs/digits_mlp.py? ' for a Python file's path missing its
    .py or a few letters off a file beside it, else ''."""
    if os.path.isfile(path + ".py"):
        return f"did you mean --{flag}={path}.py? "
    folder = os.path.dirname(path)
    try:  # not the name itself: a link to nothing or a link loop is listed, and no file
        files = [f for f in os.listdir(folder or ".") if f.endswith(".py") and
                 f != os.path.basename(path) and os.path.isfile(os.path.join(folder, f))]
    except OSError:
        return ""
    close = difflib.get_close_matches(os.path.basename(path), files, n=1)
    return f"did you mean --{flag}={os.path.join(folder, close[0])}? " if close else ""
