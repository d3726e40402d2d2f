"""Folders of class sub-folders (`class_a/x.png`, `class_b/y.txt`): the layout of
`keras.utils.image_dataset_from_directory` and `text_dataset_from_directory`, read one way for
images and text alike. No TensorFlow here."""

from ktrain_kit import fs
from ktrain_kit.errors import file_error

# What operating systems and tools leave in folders: never classes, never images.
SYSTEM_NAMES = {"__macosx", "@eadir", "thumbs.db", "desktop.ini", "$recycle.bin",
                "lost+found", "system volume information"}


def class_folder_files(root, suffixes, what, layout):
    """[(path, class index)] of a folder of class sub-folders holding files ending in
    `suffixes`, and the class names (sorted sub-folders).

    Hidden entries (".", "._" AppleDouble files) and what systems leave behind (__MACOSX,
    @eaDir, Thumbs.db, ...) are neither classes nor examples.
    """
    if not fs.isdir(root):
        raise file_error(root, "is not a folder", f"point data.path at {layout}")

    def visible(name):
        return not name.startswith(".") and name.lower() not in SYSTEM_NAMES

    classes = sorted(d for d in fs.listdir(root) if visible(d) and fs.isdir(fs.join(root, d)))
    if len(classes) < 2:
        raise file_error(root, f"has {len(classes)} class sub-folders, need at least 2",
                         f"make one sub-folder per class holding its {what.split(' (')[0]}")
    files = []
    for label, name in enumerate(classes):
        folder = fs.join(root, name)
        found = sorted(f for f in fs.listdir(folder) if visible(f)
                       and f.lower().endswith(suffixes) and not fs.isdir(fs.join(folder, f)))
        if not found:
            raise file_error(folder, f"holds no {what}",
                             "put examples of that class into it, or remove the folder")
        files += [(fs.join(folder, f), label) for f in found]
    return files, classes


def other_files(root, classes, suffixes) -> list:
    """The visible files in the class folders that do not end in `suffixes` (`notes.md` beside
    `.txt` documents): not examples, so the run names them rather than drop them unsaid."""
    out = []
    for name in classes:
        folder = fs.join(root, name)
        out += [fs.join(folder, f) for f in sorted(fs.listdir(folder))
                if not f.startswith(".") and f.lower() not in SYSTEM_NAMES and
                not f.lower().endswith(suffixes) and not fs.isdir(fs.join(folder, f))]
    return out
