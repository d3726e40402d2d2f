"""Folders of class sub-folders (`class_a/x.png`, `class_b/y.txt`): the layout of
`keras.utils.image_dataset_from_directory` and `text_dataset_from_directory`, read one way for
images and text alike. No TensorFlow here."""

from ktrain_kit import fs
from ktrain_kit.errors import config_error, file_error

# What operating systems and tools leave in folders: never classes, never images.
SYSTEM_NAMES = {"__macosx", "@eadir", "thumbs.db", "desktop.ini", "$recycle.bin",
                "lost+found", "system volume information"}


def class_folder_files(root, suffixes, what, layout, other_layout=""):
    """[(path, class index)] of a folder of class sub-folders holding files ending in
    `suffixes`, and the class names (sorted sub-folders).

    Hidden entries (".", "._" AppleDouble files) and what systems leave behind (__MACOSX,
    @eaDir, Thumbs.db, ...) are neither classes nor examples.
    """
    if not fs.isdir(root):
        raise file_error(root, "is not a folder", f"point data.path at {layout}")

    classes = sorted(d for d in fs.listdir(root) if visible(d) and fs.isdir(fs.join(root, d)))
    if len(classes) < 2:
        raise file_error(root, f"has {len(classes)} class sub-folders, need at least 2",
                         f"make one sub-folder per class holding its {what.split(' (')[0]}"
                         f"{other_layout}")
    files = []
    for label, name in enumerate(classes):
        folder = fs.join(root, name)
        if fs.exists(fs.join(folder, "manifest.json")):  # its plots/*.png are no examples
            raise file_error(folder, "is a ktrain_kit run's folder (manifest.json), not a "
                             "class", "move it out of data.path (train with a --workdir "
                             "outside the data)")
        found = [f for f in files_in(folder) if named_as(base_name(f), suffixes)]
        if not found:
            raise file_error(folder, f"holds no {what}",
                             "put examples of that class into it, or remove the folder")
        files += [(fs.join(folder, f), label) for f in found]
    for path, _ in files:
        _check_openable(path)
    return files, classes


def visible(name) -> bool:
    """Neither hidden ("." and "._" AppleDouble files) nor left by a system (SYSTEM_NAMES)."""
    return not name.startswith(".") and name.lower() not in SYSTEM_NAMES


def files_in(folder) -> list:
    """The visible files under `folder`, its sub-folders' too, as paths relative to it,
    sorted: Keras' folder readers walk a class's sub-folders (`web/part2/x.txt` is a `web`
    example), and read here one level deep they were left out without a word. A linked
    folder is not followed (Keras' default; a link to a parent would loop)."""
    import os
    out = []
    for name in sorted(fs.listdir(folder)):
        path = fs.join(folder, name)
        if not visible(name):
            continue
        if fs.isdir(path):
            if not (fs.is_local(path) and os.path.islink(path)):
                out += [f"{name}/{sub}" for sub in files_in(path)]
        else:
            out.append(name)
    return out


def base_name(relative) -> str:
    return relative.rsplit("/", 1)[-1]


def class_files(root, suffixes) -> list:
    """[(path, class name)] of a folder holding no class sub-folders but two or more files
    ending in `suffixes`: one file per class (`pos.txt`, `neg.txt`), its name (without the
    suffix) the class; [] for any other folder (the sub-folder layout's rules then apply).
    Two files naming one class (`pos.txt`, `pos`) are refused naming both."""
    if not fs.isdir(root):
        return []
    names = [n for n in sorted(fs.listdir(root)) if not n.startswith(".")
             and n.lower() not in SYSTEM_NAMES]
    if any(fs.isdir(fs.join(root, n)) for n in names):
        return []
    found = [n for n in names if named_as(n, suffixes)]
    if len(found) < 2:
        return []
    files, seen = [], {}
    for name in found:
        label = next((name[:-len(s)] for s in suffixes if s and name.lower().endswith(s)), name)
        if label in seen:
            raise file_error(fs.join(root, name), f"names the class '{label}', as "
                             f"'{seen[label]}' beside it does", "merge the two files, or "
                             "rename one")
        seen[label] = name
        path = fs.join(root, name)
        _check_openable(path)
        files.append((path, label))
    return files


def _check_openable(path) -> None:
    """A listed example that is not there to read: a symbolic link to a file that is gone
    (a moved data set, a link made on another machine). Named here, before any reading;
    it failed later as a write error ('make that folder writable'). Or one that is a named
    pipe, socket or device: reading it waited forever (a pipe no one writes)."""
    import os
    if fs.is_local(path) and os.path.islink(path) and not os.path.exists(path):
        raise file_error(path, f"is a link to '{os.readlink(path)}', which does not exist",
                         "restore what it points at, or delete the link")
    kind = fs.special_kind(path)
    if kind:
        raise file_error(path, f"is {kind}, not a file (reading it would wait forever)",
                         "put the file itself there, or delete it")


def other_files(root, classes, suffixes) -> list:
    """The visible files in the class folders that do not end in `suffixes` (`notes.md` beside
    `.txt` documents): not examples, so the run names them rather than drop them unsaid."""
    out = []
    for name in classes:
        folder = fs.join(root, name)
        out += [fs.join(folder, f) for f in files_in(folder)
                if not named_as(base_name(f), suffixes)]
    return out


def named_as(name, suffixes) -> bool:
    """`name` ends in one of `suffixes` (any case); the suffix "" stands for a name without
    one (`49960`: 20 Newsgroups' and NLTK's Reuters' documents have no suffix)."""
    lower = name.lower()
    return lower.endswith(tuple(s for s in suffixes if s)) or ("" in suffixes and "." not in lower)


# What each data.name reads, as a user would say it (for the message of a mismatch).
HOLDS = {"tfrecord": "a folder of TFRecord shards (it has features.json)",
         "image_folder": "a folder of images in class sub-folders",
         "text_folder": "a folder of text files in class sub-folders",
         "npz": "a NumPy .npz archive", "csv": "a table file (CSV or JSON Lines)"}
# Whether each data.name reads one file or a folder: the other is refused before reading.
READS = {"npz": "file", "csv": "file", "image_folder": "folder", "text_folder": "folder",
         "tfrecord": "folder"}
TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson")


def data_name_for(path, image_suffixes, text_suffixes=(".txt",)):
    """The data.name that reads what `path` holds, told by a cheap look (a folder's
    features.json or its class sub-folders' first files, a file's first bytes or suffix);
    None when the look cannot tell (the reader's own errors then say what is wrong)."""
    if not path or not fs.is_local(path) or not fs.exists(path):
        return None
    if not fs.isdir(path):
        with fs.open(path, "rb") as f:
            if f.read(4) == b"PK\x03\x04" and str(path).lower().endswith(".npz"):
                return "npz"
        return "csv" if str(path).lower().endswith(TABLE_SUFFIXES) else None
    if fs.exists(fs.join(path, "features.json")):
        return "tfrecord"
    for sub in sorted(fs.listdir(path))[:20]:
        folder = fs.join(path, sub)
        if sub.startswith(".") or sub.lower() in SYSTEM_NAMES or not fs.isdir(folder):
            continue
        names = [f.lower() for f in fs.listdir(folder) if not f.startswith(".")][:50]
        if any(n.endswith(tuple(image_suffixes)) for n in names):
            return "image_folder"
        if any(n.endswith(tuple(text_suffixes)) for n in names):
            return "text_folder"
    return None


def check_data_name_fits(name, path, image_suffixes) -> None:
    """`data.name=csv` on a folder of text files, `npz` on a CSV, `tfrecord` on an image
    folder: each reader failed with its own words (IsADirectoryError, 'cannot be read as .npz',
    'features.json does not exist') without saying which data.name the path is for."""
    if path and fs.is_local(path) and fs.isdir(path) and \
            fs.exists(fs.join(path, "manifest.json")):
        # a run's plots/ and export/ looked like class folders of images: 'set
        # data.name=image_folder' would have trained on a run's curves
        raise config_error("data.path", f"'{path}' is a ktrain_kit run's folder (manifest.json), "
                           "not data", "point data.path at the data that run trained on (its "
                           "config.json's data.path), or at shards written by "
                           "launchers.make_tfrecords")
    fits = data_name_for(path, image_suffixes)
    if fits and fits != name:
        raise config_error("data.name", f"'{path}' is {HOLDS[fits]}, which data.name={fits} "
                           f"reads, not {name}", f"set --config.data.name={fits}")
    reads = READS.get(name)
    if reads and path and fs.is_local(path) and fs.exists(path) and \
            fs.isdir(path) != (reads == "folder"):
        kind = "folder" if fs.isdir(path) else "file"
        raise config_error("data.path", f"'{path}' is a {kind}, but data.name={name} reads "
                           f"{HOLDS[name]}", f"point data.path at {HOLDS[name]}")
