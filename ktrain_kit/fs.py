"""Files on any filesystem: local paths through `os`, `scheme://` paths through `tf.io.gfile`.

Data files, run folders and exports may live on a cloud bucket (`gs://...`, `s3://...` with the
matching TensorFlow filesystem plugin) or TensorFlow's in-memory `ram://` filesystem; everything
that reads or writes them goes through these few functions. Local paths keep what only a local
filesystem offers: symlink checks and process locks (runfolder.py). TensorFlow is imported only
for non-local paths, so config and data checks on local files stay fast.
"""

import os
import shutil


def is_local(path: str) -> bool:
    return "://" not in str(path) or str(path).startswith("file://")


def _local(path: str) -> str:
    return str(path)[len("file://"):] if str(path).startswith("file://") else str(path)


def _gfile():
    import tensorflow as tf
    return tf.io.gfile


def join(*parts) -> str:
    first = str(parts[0])
    if is_local(first):
        return os.path.join(*parts)
    return "/".join([first.rstrip("/")] + [str(p).strip("/") for p in parts[1:]])


def exists(path) -> bool:
    return os.path.exists(_local(path)) if is_local(path) else _gfile().exists(path)


def isdir(path) -> bool:
    return os.path.isdir(_local(path)) if is_local(path) else _gfile().isdir(path)


def isfile(path) -> bool:
    return os.path.isfile(_local(path)) if is_local(path) else (
        _gfile().exists(path) and not _gfile().isdir(path))


def listdir(path) -> list:
    if is_local(path):
        return sorted(os.listdir(_local(path)))
    return sorted(name.rstrip("/") for name in _gfile().listdir(path))


def makedirs(path) -> None:
    if is_local(path):
        os.makedirs(_local(path), exist_ok=True)
    else:
        _gfile().makedirs(path)


def remove(path) -> None:
    if is_local(path):
        os.remove(_local(path))
    else:
        _gfile().remove(path)


def rmtree(path) -> None:
    if is_local(path):
        shutil.rmtree(_local(path))
    else:
        _gfile().rmtree(path)


def rename(source, target) -> None:
    """Replaces `target` (a file) atomically where the filesystem can."""
    if is_local(source):
        os.replace(_local(source), _local(target))
    else:
        _gfile().rename(source, target, overwrite=True)


def size(path) -> int:
    return os.path.getsize(_local(path)) if is_local(path) else _gfile().stat(path).length


def open(path, mode="r", **kwargs):  # noqa: A001 - the builtin, for any filesystem
    if is_local(path):
        import builtins
        return builtins.open(_local(path), mode, **kwargs)
    return _gfile().GFile(path, mode.replace("t", ""))  # text mode decodes UTF-8 itself


def glob(pattern) -> list:
    if is_local(pattern):
        import glob as globlib
        return sorted(globlib.glob(_local(pattern)))
    return sorted(_gfile().glob(pattern))


def walk(path):
    if is_local(path):
        yield from os.walk(_local(path))
    else:
        for dirpath, dirnames, filenames in _gfile().walk(path):
            yield dirpath, [d.rstrip("/") for d in dirnames], filenames
