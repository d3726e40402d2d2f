"""Failure injection at every change ktrain_kit makes to files, in this process.

`ktrain_kit.fs` passes every write, rename, folder made and file or tree removed (and every
library write: checkpoints, SavedModels) through one door, `fs._change`, which calls the hook
`fs.fault`. `Faults` counts those changes and, at the N-th, raises what a real failure would:
a full disk (OSError ENOSPC), a denied permission (PermissionError EACCES), or an interrupt
(KeyboardInterrupt: Ctrl-C, or any exception that ends the process there). `launch` then ends
the call the way every launcher does (`cli.ending`, what `cli.run` prints and exits with), so
a test sees the exit code and the one line a user would, or that a traceback would be shown.
"""

import contextlib
import errno
import os
import traceback

from ktrain_kit import cli, fs

KINDS = {
    "disk_full": lambda path: OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path),
    "permission": lambda path: PermissionError(errno.EACCES, os.strerror(errno.EACCES), path),
    "interrupt": lambda path: KeyboardInterrupt(),
}
# The exit code each kind must end with (cli.py's table): a full disk is a failed run (1),
# a file that cannot be written is the user's to fix (2), an interrupt is 130.
EXIT = {"disk_full": cli.EXIT_FAILED, "permission": 2, "interrupt": cli.EXIT_INTERRUPTED}
HERE = os.path.dirname(os.path.dirname(os.path.abspath(fs.__file__)))


def site() -> str:
    """The code that asked for the change: the innermost frame of ktrain_kit outside fs.py
    and runfolder's write helpers, as `path:function`."""
    for frame in reversed(traceback.extract_stack()[:-1]):
        name = os.path.relpath(frame.filename, HERE)
        if not name.startswith(("ktrain_kit", "launchers")) or name == os.path.join(
                "ktrain_kit", "fs.py"):
            continue
        if name.endswith("runfolder.py") and frame.name in ("write_text", "write_bytes"):
            continue
        return f"{name}:{frame.name}"
    return "?"


class Faults:
    """The hook: records each change as (what, path, site); raises `kind` at change `at`."""

    def __init__(self, at=None, kind=None):
        self.at, self.kind, self.changes = at, kind, []

    def __call__(self, what, path):
        self.changes.append((what, str(path), site()))
        if len(self.changes) == self.at:
            source = str(path).split(" -> ")[0]
            raise KINDS[self.kind](source)


@contextlib.contextmanager
def injected(faults):
    previous, fs.fault = fs.fault, faults
    try:
        yield faults
    finally:
        fs.fault = previous


def launch(call):
    """(exit code, message) as a launcher would end `call()`: 0 and its result, the code and
    line of `cli.ending`, or None and the traceback for an error no one explains."""
    try:
        return 0, call()
    except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 - what cli.run would see
        known = cli.ending(e)
        if known is None:
            return None, traceback.format_exc()
        message, code = known
        return code, cli.one_line(message)


def snapshot(folder) -> dict:
    """{relative path: bytes} of every file under `folder`, but the lock file and temporary
    files (garbage a re-run removes: test_crash_points checks that)."""
    out = {}
    for d, _, files in os.walk(folder):
        for f in files:
            path = os.path.join(d, f)
            if f != ".lock" and not any(fs.is_temp(p) for p in
                                        os.path.relpath(path, folder).split(os.sep)):
                with open(path, "rb") as handle:
                    out[os.path.relpath(path, folder)] = handle.read()
    return out


def temps(folder) -> list:
    return [os.path.join(d, n) for d, dirs, files in os.walk(folder) for n in dirs + files
            if fs.is_temp(n)]
