"""Reading a shard folder's description: features.json and the shards it lists, checked.

The reader (data/sources.py, data/stream.py) and the writer (data/tfrecord.py) both rest on this;
no TensorFlow here, so a damaged folder is refused before TensorFlow starts.
"""

import json
import re

from ktrain_kit import fs
from ktrain_kit.errors import file_error

FEATURES = "features.json"
FORMAT = 1


SHARD_NAME = re.compile(r"(train|val)-\d{5}-of-\d{5}\.tfrecord")


def is_shard_folder_entry(name: str) -> bool:
    """What launchers.make_tfrecords writes into its --out folder (`shard_names`, FEATURES)."""
    return name == FEATURES or bool(SHARD_NAME.fullmatch(name))


def shard_names(split, shards):
    return [f"{split}-{i:05d}-of-{shards:05d}.tfrecord" for i in range(shards)]


def read_features(folder) -> dict:
    """features.json of a shard folder, checked (one-line errors naming the file)."""
    path = fs.join(folder, FEATURES)
    for name, kind in fs.special_entries(folder, descend=()):  # a pipe at a shard: a hang
        raise file_error(fs.join(folder, name), f"is {kind}, not a file (reading it would "
                         "wait forever)", "write the folder again with "
                         "launchers.make_tfrecords")
    if not fs.exists(path):
        raise file_error(path, "does not exist", "point data.path at a folder written by "
                         "`python -m launchers.make_tfrecords`")
    try:
        with fs.open(path) as f:
            features = fs.parse_json(f)
    except (OSError, ValueError) as e:
        raise file_error(path, f"is not readable JSON ({type(e).__name__})",
                         "write the folder again with launchers.make_tfrecords") from None
    needed = ("format", "task", "kind", "x", "y", "num_outputs", "splits", "normalization")
    missing = [k for k in needed if k not in features] if isinstance(features, dict) else needed
    if missing:
        raise file_error(path, f"lacks {', '.join(missing)}", "write the folder again with "
                         "launchers.make_tfrecords")
    if "digest" in features and features["digest"] != digest(features):
        raise file_error(path, "was changed after make_tfrecords wrote it (its digest does not "
                         "match): it may no longer describe the records", "restore it, or write "
                         "the folder again with launchers.make_tfrecords")
    return features


def check_shard(path, expected_examples=None):
    """Walks a shard's record framing (8-byte length, 4-byte CRC, data, 4-byte CRC) without
    reading the data: a truncated file is found before training, named, in milliseconds."""
    import struct
    if not fs.exists(path):
        raise file_error(path, "does not exist", "write the shards again with "
                         "launchers.make_tfrecords")
    total, offset, records = fs.size(path), 0, 0
    with fs.open(path, "rb") as f:
        while offset < total:
            header = f.read(12)
            if len(header) < 12:
                break
            (length,) = struct.unpack("<Q", header[:8])
            offset += 12 + length + 4
            if offset > total:
                break
            f.seek(offset)
            records += 1
    if offset != total:
        raise file_error(path, f"is truncated or damaged (record {records + 1} runs past the "
                         f"end of the file)", "write the shards again with "
                         "launchers.make_tfrecords")
    return records


def check_shards(folder, features, split_names=("train", "val")):
    """Every shard of the listed splits is there, whole, and holds the examples the
    round-robin writer put in it (shard k of N: examples k, k + N, ...)."""
    for split in split_names:
        info = features["splits"].get(split)
        if not info or not info.get("shards"):
            raise file_error(fs.join(folder, FEATURES), f"lists no '{split}' shards",
                             "write the folder again with launchers.make_tfrecords")
        names, total = info["shards"], info["examples"]
        for k, name in enumerate(names):
            path, expected = fs.join(folder, name), len(range(k, total, len(names)))
            found = check_shard(path)
            if found != expected:
                raise file_error(path, f"holds {found} records, features.json implies "
                                 f"{expected}", "write the folder again with "
                                 "launchers.make_tfrecords")


def digest(features) -> str:
    """A digest of features.json's content (without itself): an edited description of the
    records (another shape, say) would decode them as something they are not."""
    import hashlib
    content = {k: v for k, v in features.items() if k != "digest"}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


# Settings that shape the data when it is converted: training from shards cannot change them.
CONVERSION_SETTINGS = ("val_fraction", "label_noise")


def check_settings(dc, features, folder) -> None:
    """data.* settings that act at conversion must be the ones the shards were made with
    (as recorded; shards from before that record: the defaults), or they would be ignored."""
    from ktrain_kit.config import default_config
    from ktrain_kit.errors import config_error
    made = (features.get("request") or {}).get("data") or default_config().data.to_dict()
    for name in CONVERSION_SETTINGS:
        if name in made and dc[name] != made[name]:
            raise config_error(f"data.{name}", f"is {dc[name]}, but the shards in {folder} "
                               f"were written with {made[name]} (it acts when they are "
                               "written, not when they are read)", f"leave it at {made[name]}, "
                               f"or write the shards again with --config.data.{name}="
                               f"{dc[name]}")
