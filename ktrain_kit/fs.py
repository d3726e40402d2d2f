"""Files on any filesystem: local paths through `os`, `scheme://` paths through `tf.io.gfile`.

Data files, run folders and exports may live on a cloud bucket (`gs://...`, `s3://...` with the
matching TensorFlow filesystem plugin) or TensorFlow's in-memory `ram://` filesystem; everything
that reads or writes them goes through these few functions. Local paths keep what only a local
filesystem offers: symlink checks and process locks (runfolder.py). TensorFlow is imported only
for non-local paths, so config and data checks on local files stay fast.

It also holds THE writer: every file ktrain_kit writes (run folders, sweeps, lr_find, shards)
goes through `write_bytes` / `write_text` (a temporary file beside the target, then one rename)
or, for files a library writes itself (TensorFlow checkpoints, SavedModels, TFRecord shards),
through `library_write` right before it; folders are made and files removed through `makedirs`,
`remove` and `rmtree`. Every one of those changes passes one door, `_change`, so a test hook sees
them all (tests/test_fault_points.py makes each fail in turn through `fault`, and checks that
nothing changes files outside this module). With KTRAIN_KIT_CRASH_AT=N the N-th change kills
the process (SIGKILL) - a write point leaves half a temporary file, as a real kill would - and
each point is listed on stderr as
`ktrain_kit crash point N: ...` (KTRAIN_KIT_CRASH_LOG=FILE counts points across the processes
of one command, e.g. a sweep and its trials, and appends them there instead; `N:group` kills the
whole command, like a machine that loses power: the process group of the first process that
read the hook, and the killer's own, since a sweep's trials run in process groups of their
own). tests/test_crash_points.py enumerates them all. Our temporary files are named
`<target>.tmp-<pid>` (`is_temp`); a re-run removes the ones whose process is gone (or a zombie
not yet reaped: `remove_temps`) instead of mistaking them for someone else's files.
"""

import os
import re
import shutil
import signal
import stat
import sys


def is_local(path: str) -> bool:
    return "://" not in str(path) or str(path).startswith("file://")


def _local(path: str) -> str:
    return str(path)[len("file://"):] if str(path).startswith("file://") else str(path)


local_path = _local  # a local path as the os module takes it (`file://` dropped)


def _gfile():
    import tensorflow as tf
    return tf.io.gfile


def join(*parts) -> str:
    first = str(parts[0])
    if is_local(first):
        return os.path.join(*parts)
    return "/".join([first.rstrip("/")] + [str(p).strip("/") for p in parts[1:]])


def without_trailing_slash(path: str) -> str:
    """`runs/x/` as `runs/x`; `/` (or `//`) stays itself: stripped to '', it named the
    current folder to every reader after it (a doctor run on '/' said "run folder ''")."""
    return str(path).rstrip("/") or str(path)


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
    if isdir(path):  # nothing to change: not a point where anything can fail
        return
    _change("mkdir", path)
    if is_local(path):
        os.makedirs(_local(path), exist_ok=True)
    else:
        _gfile().makedirs(path)


def remove(path) -> None:
    _change("remove", path)
    if is_local(path):
        os.remove(_local(path))
    else:
        _gfile().remove(path)


def rmtree(path) -> None:
    _change("rmtree", path)
    if is_local(path):
        shutil.rmtree(_local(path))
    else:
        _gfile().rmtree(path)


def rename(source, target) -> None:
    """Replaces `target` (a file) atomically where the filesystem can."""
    _change("rename", f"{source} -> {target}")
    if is_local(source):
        os.replace(_local(source), _local(target))
    else:
        _gfile().rename(source, target, overwrite=True)


def copy(source, target) -> None:
    """Copies file `source` to `target` (replacing it), streamed: a checkpoint's data can be
    larger than the memory a read() of it takes."""
    _change("copy", f"{source} -> {target}")
    if is_local(source) and is_local(target):
        shutil.copyfile(_local(source), _local(target))
    else:
        _gfile().copy(source, target, overwrite=True)


def size(path) -> int:
    return os.path.getsize(_local(path)) if is_local(path) else _gfile().stat(path).length


def open(path, mode="r", **kwargs):  # noqa: A001 - the builtin, for any filesystem
    if is_local(path):
        import builtins
        return builtins.open(_local(path), mode, **kwargs)
    return _gfile().GFile(path, mode.replace("t", ""))  # text mode decodes UTF-8 itself


def parse_json(source):
    """json.load of a file object, or json.loads of text. JSON nested past Python's recursion
    limit (a damaged file: '[' * 100000) raised RecursionError, a traceback, from every
    reader of a run folder, sweep folder or JSON data file; it is a ValueError here, like any
    other malformed JSON, which each of them already words as a line naming its file."""
    import json
    text = source.read() if hasattr(source, "read") else source
    try:
        return json.loads(text)
    except RecursionError:  # a JSONDecodeError: readers quote its msg and lineno
        raise json.JSONDecodeError("nested too deeply to be a file ktrain_kit wrote",
                                   text if isinstance(text, str) else "", 0) from None


SPECIAL_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                 (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def special_kind(path) -> str | None:
    """'a named pipe', 'a socket' or 'a device' where a local path (or the link standing
    there) is one of those, else None (a file, a folder, nothing, a link to nothing, a remote
    path). Reading a pipe no one writes waits forever and a device such as /dev/zero never
    ends: each place a file is read from a path the user gives asks this first."""
    if not is_local(path):
        return None
    try:
        mode = os.stat(_local(path)).st_mode
    except (OSError, ValueError):  # nothing there, a link loop, a NUL in the name: not ours
        return None
    return next((words for test, words in SPECIAL_KINDS if test(mode)), None)


def special_entries(folder, descend=None) -> list:
    """(relative path, kind) of each special entry of a local `folder` (a link to a pipe or
    device counts as one), and of everything under its sub-folders named in `descend` (None:
    all of them; links not followed). A tool names the folders it writes: given '/' or a home
    folder by mistake, it looks at their top level, not at the whole disk."""
    if not is_local(folder) or not os.path.isdir(_local(folder)):
        return []
    root, found = _local(folder), []
    for name in sorted(os.listdir(root)):
        full = os.path.join(root, name)
        kind = special_kind(full)
        if kind:
            found.append((name, kind))
        elif (descend is None or name in descend) and os.path.isdir(full) and \
                not os.path.islink(full):
            for dirpath, dirnames, filenames in os.walk(full):
                dirnames.sort()
                for inner in sorted(filenames):  # a pipe, socket or device is never a folder
                    path = os.path.join(dirpath, inner)
                    kind = special_kind(path)
                    if kind:
                        found.append((os.path.relpath(path, root), kind))
    return found


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


# --------------------------------------------------------------------------- the one writer
CRASH_AT = "KTRAIN_KIT_CRASH_AT"      # test hook: kill at the N-th write point (see above)
CRASH_LOG = "KTRAIN_KIT_CRASH_LOG"    # test hook: count points across processes in this file
CRASH_GROUP = "KTRAIN_KIT_CRASH_GROUP"  # set here: the command's first process group
# read stripped, as cli.check_environment judges it (' 3 ' is 3; '  ' is unset, not int('  '))
if os.environ.get(CRASH_AT, "").strip().endswith(":group"):
    os.environ.setdefault(CRASH_GROUP, str(os.getpgrp()))  # inherited by the processes it starts
# Test hook (tests/test_fault_points.py): a callable(what, path) run at every change; what it
# raises (a full disk, a denied permission, an interrupt) the change raises, in this process.
fault = None
_TEMP = re.compile(r"\.tmp-(\d+)$")
_points = 0


def _crash_point(what: str, path, torn=None) -> None:
    """Counts one write point; at the N-th, kills the process the way a power cut would."""
    spec = os.environ.get(CRASH_AT, "").strip()
    if not spec:
        return
    global _points
    target, _, scope = spec.partition(":")
    line = f"ktrain_kit crash point {{}}: {what} {path}"
    log = os.environ.get(CRASH_LOG)
    if log:
        import fcntl
        with _builtin_open(log, "a+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.seek(0)
            number = sum(1 for _ in f) + 1
            f.write(line.format(number) + "\n")
            f.flush()
    else:
        _points += 1
        number = _points
        print(line.format(number), file=sys.stderr, flush=True)
    if number == int(target):
        if torn is not None:
            torn()
        if scope == "group":
            first = int(os.environ.get(CRASH_GROUP, "").strip() or os.getpgrp())
            if first != os.getpgrp():
                os.killpg(first, signal.SIGKILL)
            os.killpg(os.getpgrp(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)


def _change(what: str, path, torn=None) -> None:
    """Every change ktrain_kit makes to a file or folder passes here first (a write, rename,
    folder made, file or tree removed, a library's write): the test hooks' one door."""
    _crash_point(what, path, torn)
    if fault is not None:
        fault(what, path)


def _builtin_open(path, mode="r", **kwargs):
    import builtins
    return builtins.open(path, mode, **kwargs)


def temp_path(path) -> str:
    """Where the writer puts `path` before renaming it into place (also a folder's, e.g. an
    export version's)."""
    return f"{path}.tmp-{os.getpid()}"


def is_temp(name: str) -> bool:
    """A temporary file or folder of ours (`<target>.tmp-<pid>`)."""
    return bool(_TEMP.search(str(name).rstrip("/")))


def temp_target(name: str) -> str:
    """The name a temporary file was going to get."""
    return _TEMP.sub("", str(name).rstrip("/"))


WORKER_SCRATCH = "ktrain_worker_"  # + the worker's pid + "_" + tempfile's letters


def worker_scratch() -> str:
    """A new folder in the temporary folder where a multi-worker run's non-chief worker writes
    its copies of what the chief writes (every worker must take part in a collective save; only
    the chief's files are kept). Its owner removes it; the folders of workers killed before they
    could remove theirs are removed here first."""
    import shutil
    import tempfile
    for name in os.listdir(tempfile.gettempdir()):
        pid = name[len(WORKER_SCRATCH):].split("_")[0]
        if name.startswith(WORKER_SCRATCH) and pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(os.path.join(tempfile.gettempdir(), name), ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"{WORKER_SCRATCH}{os.getpid()}_")


def alive(pid: int) -> bool:
    """A process `pid` runs (not a zombie); True where that cannot be told."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed process not yet reaped (a zombie: an orphaned trial of a killed sweep)
        with _builtin_open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True


# What TensorFlow itself writes before renaming into place, in a folder of ours: a checkpoint's
# `<prefix>_temp/` shards (functional_saver's sharded save) and `checkpoint.tmp<32 hex digits>`
# (file_io.atomic_write_string_to_file). A kill inside TensorFlow's write leaves them; they
# name no process, so only a folder this process holds the lock of is cleaned of them.
_LIBRARY_TEMP = re.compile(r"(?:^ckpt-\d+_temp|\.tmp[0-9a-f]{32})$")


def is_library_temp(name: str) -> bool:
    """A temporary file or folder TensorFlow leaves when killed inside one of its saves."""
    return bool(_LIBRARY_TEMP.search(str(name).rstrip("/")))


def remove_temps(folder, recursive=False, dead_only=True) -> list:
    """Removes our temporary entries under `folder` (never following a symlink) left by killed
    processes (all of them with dead_only=False, for a folder this process holds the lock of,
    TensorFlow's own too: `is_library_temp`); returns their paths."""
    removed = []
    if not isdir(folder):
        return removed
    for name in listdir(folder):
        path = join(folder, name)
        local_link = is_local(path) and os.path.islink(_local(path))
        library = not dead_only and is_library_temp(name)
        if is_temp(name) or library:
            pid = None if library else int(_TEMP.search(name.rstrip("/")).group(1))
            if dead_only and is_local(path) and alive(pid):
                continue
            if isdir(path) and not local_link:
                rmtree(path)
            else:
                remove(path)
            removed.append(path)
        elif recursive and isdir(path) and not local_link:
            removed += remove_temps(path, True, dead_only)
    return removed


def subfolder(path) -> str:
    """The folder `path`, made if missing; refused (UserError) when it is a symlink, so nothing
    is ever written through one to somewhere outside the folder it belongs to."""
    if is_local(path) and os.path.islink(_local(path)):
        from ktrain_kit.errors import UserError
        raise UserError(f"'{path}' is a symlink; ktrain_kit writes only into real folders: "
                        "remove the link (nothing was written through it)")
    makedirs(path)
    return path


def write_bytes(path, data: bytes) -> None:
    """Writes `path` whole or not at all: a temporary file beside it, then renamed over it (a
    symlink planted at `path` is replaced, never followed)."""
    tmp = temp_path(path)

    def torn():  # what a kill in mid-write leaves: half a temporary file
        with open(tmp, "wb") as f:
            f.write(data[:len(data) // 2])

    _change("write", tmp, torn)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        replace(tmp, path)
    except BaseException:
        try:
            remove(tmp)
        except Exception:  # noqa: BLE001 - the error that got us here matters more
            pass
        raise


def write_text(path, text: str) -> None:
    write_bytes(path, text.encode())


def replace(source, target) -> None:
    """`rename` (every rename is a write point)."""
    rename(source, target)


def library_write(what: str, path) -> None:
    """A write point for files a library writes itself (a TensorFlow checkpoint, a SavedModel,
    a TFRecord shard): call it right before."""
    _change(what, path)
