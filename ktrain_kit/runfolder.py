"""The run folder: whose it is, who may write to it, and how files get into it.

A run folder belongs to one run. Its `manifest.json` lists the entries the run wrote; nothing
else is ever deleted or overwritten there:

- a folder holding anything the manifest does not list (your notes, a stale metrics.csv, a
  symlink) is refused, with or without `--overwrite`;
- `--overwrite` removes only the manifest's entries, never following a symlink. `plots/` and
  `export/` are shared: the manifest lists the files the run wrote there (`plots/loss.png`,
  `export/1`), and anything else in them (your annotated plot, another export version) stays,
  and the run says so (the new manifest then lists the folder itself, `plots/`: the run may
  write there, and removes only its own files from it). In `checkpoints/` and `tensorboard/`
  the run's files are known by their names (`RUN_FILES`), and anything else stays the same way;
- one process at a time: an exclusive lock (`.lock`, released by the kernel when the process
  dies, so a killed run never blocks its own resume) refuses a second training, evaluation or
  export of the same folder;
- a folder holding an unfinished run of the same config is resumed; a finished run or a run of a
  different config is refused unless `--overwrite` (a folder whose run never saved a checkpoint
  is simply started again: there is nothing to lose);
- files are written to a temporary name in the same folder, then renamed into place: a reader
  never sees half a file, and a symlink planted at the file's name is replaced, not followed.

Nothing here imports TensorFlow.
"""

import contextlib
import errno
import json
import math
import os
import re
import time
import uuid

from ktrain_kit import fs
from ktrain_kit.errors import UserError

CONFIG = "config.json"
SUMMARY = "summary.json"  # written last: its presence marks a finished run
MANIFEST = "manifest.json"
LOCK = ".lock"
CHECKPOINTS = "checkpoints"
METRICS = "metrics.csv"
FINAL_WEIGHTS = "checkpoints/final.weights.h5"  # the trained model, once training has ended
RESOLVED = "resolved"  # the section of config.json with what the run derived from its data
FOLDERS = (CHECKPOINTS, "tensorboard", "plots", "export")  # the entries that are folders
COSMETIC_KEYS = ("train.verbose",)  # may differ when an interrupted run is resumed
# What a run writes (the manifest of a folder from before manifests existed).
RUN_ENTRIES = (CONFIG, "metrics.csv", CHECKPOINTS, "tensorboard", "plots", "diagnosis.json",
               "diagnosis.md", "export", SUMMARY, "evaluation.json", MANIFEST, LOCK)


def default_workdir(config_path: str) -> str:
    """runs/<config>-<date>-<time>-<random>: two runs started in one second never share one."""
    stem = os.path.splitext(os.path.basename(config_path.split(":")[0]))[0] or "run"
    return os.path.join("runs", f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}-"
                                f"{uuid.uuid4().hex[:6]}")


def _resolved(config) -> dict:
    return json.loads(config.to_json())


def _is_link(path) -> bool:
    """Symlinks exist on local disks only."""
    return fs.is_local(path) and os.path.islink(path)


def _entries(workdir):
    return fs.listdir(workdir) if fs.isdir(workdir) else []


# The one way out every launcher can follow, losing nothing: without its manifest a run folder
# is read as one from before manifests (its entries known by name: RUN_ENTRIES). Deleting the
# folder, as this said before, threw the run away; evaluate and the doctor have no --workdir.
MANIFEST_FIX = (f"delete that {MANIFEST} (the run's files are then known by their names) and "
                "run this command again")


def read_manifest(workdir) -> list | None:
    """The entries a run wrote into `workdir`; None when it is no run folder of ours."""
    path = fs.join(workdir, MANIFEST)
    if fs.isdir(path) and not _is_link(path):
        raise UserError(f"run folder '{workdir}': its {MANIFEST} is a folder, not the run's "
                        f"list of files; {MANIFEST_FIX}")
    if fs.isfile(path) and not _is_link(path):
        try:
            with fs.open(path) as f:
                entries = fs.parse_json(f)["entries"]
            if isinstance(entries, list) and all(isinstance(e, str) for e in entries):
                return entries
        except (OSError, ValueError, KeyError, TypeError):
            pass
        raise UserError(f"run folder '{workdir}': its {MANIFEST} is damaged; {MANIFEST_FIX}")
    if fs.isfile(fs.join(workdir, CONFIG)):  # a run from before manifests
        return [e for e in _entries(workdir) if e in RUN_ENTRIES]
    return None


class RunFolder:
    """An open, locked run folder. `own(name)` records an entry in the manifest before the
    run writes it; `path(name)` is where to write it."""

    def __init__(self, workdir, entries):
        self.workdir, self.entries = workdir, list(entries)

    def path(self, *parts) -> str:
        return fs.join(self.workdir, *parts)

    def own(self, *names) -> None:
        new = [n for n in names if n not in self.entries]
        if new:
            self.entries += new
            write_text(self.path(MANIFEST), json.dumps({"entries": self.entries}, indent=1))

    def claim(self, name, other_way) -> None:
        """`own(name)` for an entry a command replaces whole (evaluation.json, an export
        version), refused when something stands there that the run did not write: the user's
        own file of that name, or a version they exported themselves."""
        self.check_replaceable(name, other_way)
        self.own(name)

    def check_replaceable(self, name, other_way) -> None:
        """`claim`'s refusal alone, nothing written: said before a command's work, whose own
        failure (its data gone) must leave the folder as it was."""
        path = self.path(name)
        covered = name in self.entries or any(name.startswith(e + "/") for e in self.entries
                                              if not e.endswith("/"))
        if (fs.exists(path) or _is_link(path)) and not covered:
            raise UserError(f"'{path}' is not this run's ({MANIFEST} does not list it) and "
                            f"this command would replace it; move it out of the run folder, "
                            f"or {other_way}")


def in_use(workdir: str) -> bool:
    """Whether another process holds the run folder's lock (a training running there now):
    read without creating the lock file or taking the lock."""
    path = os.path.join(workdir, LOCK)
    if not fs.is_local(workdir) or not os.path.isfile(path) or os.path.islink(path):
        return False
    import fcntl
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)  # closing the descriptor releases a lock taken here


@contextlib.contextmanager
def locked(workdir: str):
    """Holds the run folder's exclusive lock; a second holder is refused with one line."""
    if not fs.is_local(workdir):  # cloud storage has no locks: one writer is the user's to ensure
        yield
        return
    import fcntl
    path = os.path.join(workdir, LOCK)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as e:
        # an existing run (evaluate, export, a resume) has no other folder to choose: it
        # must be copied where it can be written (the lock, the outputs)
        fix = (f"copy it somewhere writable (cp -r '{workdir}' /tmp/) and pass that copy"
               if os.path.exists(os.path.join(workdir, MANIFEST)) else
               "choose another --workdir")
        raise UserError(f"run folder '{workdir}' cannot be locked ({e.strerror}); {fix}") \
            from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise UserError(f"run folder '{workdir}' is in use by another process (a training, "
                        "evaluation or export); wait for it to finish, or choose another "
                        "--workdir") from None
    try:
        # Every holder of the lock, not only the launchers that open a run: no process of
        # ours writes here now, so any temporary file is a killed writer's (the doctor's
        # --fix, killed writing repair.json, left its repair.json.tmp-PID after a rerun).
        fs.remove_temps(workdir, recursive=True, dead_only=False)
        yield
    finally:
        os.close(fd)  # releases the lock


def _our_temp(name, own) -> bool:
    """A temporary file a killed run of ours left (`metrics.csv.tmp-1234`): cleaned, not refused."""
    return fs.is_temp(name) and (fs.temp_target(name) in own or
                                 fs.temp_target(name) in RUN_ENTRIES)


def check_output_folder(path: str, flag: str, writes=None) -> None:
    """Refuses an output folder that cannot be made, before any work that would be lost when
    its files cannot be written (lr_find's sweep, a conversion to shards). Nothing is created.

    `writes`: (a test of an entry's name, the words for it) of what the tool writes there. An
    existing folder holding anything else (configs/, a folder of notes) is refused, as
    launchers.train refuses it: the tool would mix its files into the user's and replace any
    of the same name. A run folder is exempt: its manifest records side outputs
    (`side_output`), and a tool that must not write there refuses it itself."""
    if not path:
        raise UserError(f"{flag} is empty; give a folder path")
    if not fs.is_local(path):
        return  # a bucket: its own errors say what is wrong, when it is written
    check_no_special_files(path, flag)  # before its manifest is read
    if writes and os.path.isdir(path) and read_manifest(path) is None:
        fits, words = writes
        foreign = sorted(e for e in os.listdir(path) if not fits(e) and not fs.is_temp(e))
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise UserError(f"{flag} '{path}' holds files that are not {words}: {shown}; "
                            f"choose an empty or new folder (nothing was changed)")
    folder = os.path.abspath(path)
    while not os.path.lexists(folder):  # the nearest part of the path that exists
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        what = _what_stands(folder) if folder == os.path.abspath(path) else \
            f"is inside '{folder}', which {_what_stands(folder)}" \
            if os.path.islink(folder) else f"is inside the file '{folder}'"
        raise UserError(f"{flag} '{path}' {what}, not a folder; choose a folder path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"{flag} '{path}' is not writable ('{folder}' is read-only); choose "
                        "another folder")


def _what_stands(path) -> str:
    """'is a file', or for a symbolic link to nothing 'is a link to 'X', which does not exist'
    (a dangling link is no file: the user would look for one and find none)."""
    if fs.is_local(path) and os.path.islink(path) and not os.path.exists(path):
        try:
            os.stat(path)
        except OSError as e:
            if e.errno == errno.ELOOP:  # loop1 -> loop2 -> loop1: both exist, neither leads on
                return f"is a link to '{os.readlink(path)}' that leads back to itself (a loop " \
                       "of links)"
        return f"is a link to '{os.readlink(path)}', which does not exist"
    return f"is {fs.special_kind(path) or 'a file'}"


def check_not_foreign(workdir: str) -> list:
    """The run's own entries in `workdir`; refuses a folder that holds anything else."""
    if (os.path.lexists(workdir) if fs.is_local(workdir) else fs.exists(workdir)) and \
            not fs.isdir(workdir):
        raise UserError(f"--workdir '{workdir}' {_what_stands(workdir)}, not a folder; choose "
                        "a folder path")
    check_no_special_files(workdir)  # the manifest itself may be the pipe
    entries = _entries(workdir)
    own = read_manifest(workdir)
    own = [] if own is None else own
    tops = {e.split("/")[0] for e in own}  # `plots/loss.png` makes `plots` the run's too
    foreign = [e for e in entries if (e not in tops and e not in (LOCK, MANIFEST)
                                      and not _our_temp(e, tops))
               or _is_link(fs.join(workdir, e))]
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        what = "ktrain_kit run's" if own else "ktrain_kit run's (no manifest.json)"
        move = f"move {'it' if len(foreign) == 1 else 'them'} out of the folder to go on " \
            "with the run there, or " if own else ""
        raise UserError(f"run folder '{workdir}' holds entries that are not a {what}: "
                        f"{shown}; {move}choose an empty or new --workdir (nothing was "
                        "changed)")
    return [e for e in own if e.split("/")[0] in entries]


def _in_the_way(relative: str, kind: str, own) -> str | None:
    """What the run writes at `relative` (a path inside its folder), when `kind` (a symlink,
    a folder, a file) stands there in its way: 'a file', 'a folder', or None."""
    top, _, rest = relative.partition("/")
    if (top in RUN_FILES and RUN_FILES[top].fullmatch(rest)) or \
            (relative in own and top != "export"):
        return "a file" if kind != "a file" else None
    if (top == "tensorboard" and rest in ("train", "validation")) or \
            (top == "export" and "/" not in rest):  # a version: renamed, then written whole
        return "a folder" if kind != "a folder" else None
    return None


def check_nothing_in_the_way(workdir: str, own) -> None:
    """Refuses, before anything is changed, a symlink or a folder where the run writes inside
    its folders: a symlinked export/1 was renamed and then failed every export (--overwrite
    had already removed the finished run's results), a symlinked tensorboard/train was
    written through to wherever it pointed, a folder named checkpoints/checkpoint failed the
    first epoch with a temporary file's name."""
    if not fs.is_local(workdir):
        return
    for top in FOLDERS:
        root = os.path.join(workdir, top)
        if not os.path.isdir(root) or os.path.islink(root):
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            for name in sorted(dirnames + filenames):
                path = os.path.join(dirpath, name)
                relative = os.path.relpath(path, workdir)
                kind = "a symlink" if os.path.islink(path) else \
                    "a folder" if os.path.isdir(path) else "a file"
                written = _in_the_way(relative, kind, own)
                if written:
                    raise UserError(f"run folder '{workdir}': '{relative}' is {kind} where the "
                                    f"run writes {written}; remove it (move it out of the run "
                                    "folder to keep it), then run this command again (nothing "
                                    "was changed)")


def check_checkpoint_path(workdir: str, flag: str = "--workdir") -> None:
    """Refuses a folder path holding '[': TensorFlow finds a checkpoint's files by glob
    pattern, where '[0-9]' is a character class, so under 'runs/g[0-9]' no checkpoint could
    be read back (a killed run read as damaged everywhere, and the way out offered was
    --overwrite) nor an old one deleted. Nothing is created."""
    if "[" in workdir:
        raise UserError(f"{flag} '{workdir}' holds '[': TensorFlow reads checkpoint file names "
                        "as glob patterns, so the run's checkpoints could never be read back; "
                        "choose a folder name without [ ] (nothing was written)")


@contextlib.contextmanager
def open_run(workdir: str, config, overwrite: bool, resolved=None):
    """Checks, locks and prepares `workdir` for a training of `config`; yields
    (RunFolder, resume) where resume says an unfinished run of this config is there."""
    existed = fs.isdir(workdir)
    check_not_foreign(workdir)
    try:
        fs.makedirs(workdir)
    except OSError as e:
        if disk_full(e):  # not the folder's fault: cli says so (exit 1), naming the file
            raise
        raise UserError(f"run folder '{workdir}' is not writable ({e.strerror}); choose another "
                        "--workdir") from None
    with contextlib.ExitStack() as stack:
        acquired = False
        try:
            stack.enter_context(locked(workdir))
            acquired = True
            own = check_not_foreign(workdir)  # again, now that no one else can change it
            check_nothing_in_the_way(workdir, read_manifest(workdir) or [])
            # Temporary files of a killed run: no process of ours writes here now (we hold
            # the lock), so they are leftovers; they go before anything is read.
            fs.remove_temps(workdir, recursive=True, dead_only=False)
            run, resume = _decide(workdir, config, overwrite, own, resolved or {})
            run.own(LOCK)
        except (UserError, OSError):
            if not existed and fs.is_local(workdir):  # leave no trace of a refused run in
                if acquired:  # a folder made for it (another process's folder is left be)
                    for name in (MANIFEST, LOCK):
                        with contextlib.suppress(OSError):
                            os.remove(os.path.join(workdir, name))
                with contextlib.suppress(OSError):
                    os.rmdir(workdir)  # only if it is empty
            raise  # an OSError: cli.ending names the file that could not be changed
        yield run, resume


SWEEP_BINDING = "sweep.json"  # what marks a sweep's folder (written by ktrain_kit/sweep.py)


def check_no_special_files(workdir: str, what: str = "run folder") -> None:
    """A named pipe, socket or device where a run folder holds a file (made by hand, or
    `mkfifo` by a log tool): reading it waited forever (train resuming, evaluate, export,
    the doctor, model.init_from all hung at the checkpoint's index). Refused naming it, before
    anything in the folder is read or changed."""
    special = fs.special_entries(workdir, descend=FOLDERS + ("trials",))  # a sweep's too
    if special:
        name, kind = special[0]
        raise UserError(f"{what} '{workdir}': '{name}' is {kind}, not a file (reading it "
                        "would wait forever); remove it, and put back the file that stood "
                        "there if there was one (nothing was changed)")


def check_not_a_sweeps_trial(workdir: str) -> None:
    """A training command given a sweep's trial folder (`SWEEP/trials/0000`): with --overwrite
    it replaced the sweep's best trial with another config while best.json went on naming
    the old one's score. A trial's run belongs to its sweep, which trains and resumes it."""
    if not fs.is_local(workdir):
        return
    real = os.path.realpath(workdir)  # `trials/0000/.`, a link to it, or `0000` from trials/
    parent = os.path.dirname(real)
    if os.path.basename(parent) == "trials" and \
            os.path.exists(os.path.join(os.path.dirname(parent), SWEEP_BINDING)):
        raise UserError(f"'{workdir}' is a trial of the sweep in '{os.path.dirname(parent)}' "
                        "(its best.json and trials.csv read the runs there); run the sweep's "
                        "command to go on with it, or choose another --workdir")


def require_folder(workdir: str) -> None:
    """A run folder given to read (evaluate, export, the doctor, from_run.py) must be one:
    said before its missing files would be blamed on an unfinished run. A sweep's folder is
    told as one, with the trial to pass (each trial is a run folder under trials/)."""
    if not fs.isdir(workdir):
        problem = "is a file, not a folder" if fs.exists(workdir) else "does not exist"
        raise UserError(f"run folder '{workdir}' {problem}; pass the folder a "
                        "`python -m launchers.train` run wrote")
    check_no_special_files(workdir)  # before a sweep's best.json is read, below
    if fs.exists(fs.join(workdir, SWEEP_BINDING)):
        raise UserError(f"'{workdir}' is a sweep's folder, not a run's; pass one of its trials, "
                        f"{_a_trial(workdir)}")
    if _entries(workdir) and not fs.exists(fs.join(workdir, MANIFEST)) and \
            not fs.exists(fs.join(workdir, CONFIG)):
        # `launchers.doctor .` or `/`: told 'has no diagnosis.json: the run has not finished'
        # (an empty folder may be a run that has just begun: its readers say what is missing)
        raise UserError(f"'{workdir}' is not a ktrain_kit run folder (no {CONFIG}); pass the "
                        "folder a `python -m launchers.train` run wrote")


def _a_trial(workdir: str) -> str:
    """The best trial's folder (best.json's trial number, under this folder: best.json's path
    is where the sweep ran, which a moved or relatively named folder no longer is), else the
    first trial folder there."""
    trials = fs.join(workdir, "trials")
    try:
        with fs.open(fs.join(workdir, "best.json")) as f:
            best = fs.parse_json(f)
        number = best.get("trial") if isinstance(best, dict) else None
        if isinstance(number, int) and fs.isdir(fs.join(trials, f"{number:04d}")):
            return f"e.g. the best: {fs.join(trials, f'{number:04d}')}"
    except (OSError, ValueError):
        pass
    names = sorted(fs.listdir(trials)) if fs.isdir(trials) else []
    return f"e.g. {fs.join(trials, names[0])}" if names else f"in {trials}/ (none yet)"


@contextlib.contextmanager
def open_existing(workdir: str):
    """A finished or unfinished run's folder, locked, for evaluate and export."""
    require_folder(workdir)
    check_checkpoint_path(workdir)
    entries = read_manifest(workdir)
    if entries is None:
        raise UserError(f"'{workdir}' is not a ktrain_kit run folder (no {CONFIG}); pass the "
                        "folder a `python -m launchers.train` run wrote")
    links = [e for e in _entries(workdir) if _is_link(fs.join(workdir, e))]
    if links:
        raise UserError(f"run folder '{workdir}': '{links[0]}' is a symlink; ktrain_kit writes "
                        "only into real folders: remove the link (nothing was written through it)")
    with locked(workdir):
        check_nothing_in_the_way(workdir, entries)
        fs.remove_temps(workdir, recursive=True, dead_only=False)  # a killed run's leftovers
        yield RunFolder(workdir, entries)


LR_FIND_OUTPUTS = ("lr_find.csv", "lr_find.png")  # what launchers.lr_find writes
LR_FIND_COLUMNS = ("point", "lr", "loss", "smoothed_loss")  # lr_find.csv's first columns


def lr_find_output(folder: str, name: str) -> bool:
    """Whether `name` in `folder` is what launchers.lr_find writes there, by name and content
    (a CSV of its columns, a PNG): a file of the user's that happens to be called lr_find.csv
    is not replaced by a sweep."""
    if name not in LR_FIND_OUTPUTS:
        return False
    try:
        with open(os.path.join(folder, name), "rb") as f:
            start = f.read(64)
    except OSError:
        return True  # a link to nothing, a folder: the write's own error names it
    if name.endswith(".png"):
        return start.startswith(b"\x89PNG")
    return start.startswith(",".join(LR_FIND_COLUMNS).encode())


@contextlib.contextmanager
def side_output(folder: str, names):
    """A folder another tool (lr_find) writes `names` into. In a run folder they are recorded
    in its manifest under its lock, so the run keeps them as its own instead of refusing the
    folder; anywhere else the folder is made. Temporary files of killed writers are removed."""
    fs.makedirs(folder)
    if read_manifest(folder) is None:
        fs.remove_temps(folder)
        yield
        return
    with locked(folder):
        fs.remove_temps(folder, recursive=True, dead_only=False)
        RunFolder(folder, read_manifest(folder)).own(*names)
        yield


def _decide(workdir, config, overwrite, own, resolved):
    if not own or own == [LOCK]:
        return RunFolder(workdir, []), False
    if overwrite:
        return RunFolder(workdir, _remove(workdir, own)), False
    previous = read_config(workdir) if CONFIG in own else None
    if previous is None:
        if has_checkpoint(workdir) or fs.exists(fs.join(workdir, SUMMARY)):
            # config.json deleted since: its checkpoints and export are not to be removed
            raise UserError(f"run folder '{workdir}' has no {CONFIG}, but its run trained "
                            f"({CHECKPOINTS}/ is there); put back its {CONFIG}, or pass "
                            "--overwrite to train again there, or choose a new --workdir")
        # The run stopped before it wrote its config: nothing trained, nothing to keep.
        return RunFolder(workdir, _remove(workdir, own)), False
    saved, _ = previous
    changed = sorted(set(_diff(saved, _resolved(config))) - set(COSMETIC_KEYS))
    # the data first: settings derived from it (a batch size fitted to the row count) differ
    # when it changed, and were named as a config the user never changed
    fingerprint = previous[1].get("data_fingerprint")
    if fingerprint and resolved.get("data_fingerprint") not in (None, fingerprint) and \
            (has_checkpoint(workdir) or not changed):
        raise UserError(f"run folder '{workdir}': the data at data.path changed since this run "
                        "started; restore it, or pass --overwrite to train again from scratch")
    if changed:
        if not has_checkpoint(workdir):  # it failed before training anything: start again
            return RunFolder(workdir, _remove(workdir, own)), False
        resume = "" if fs.exists(fs.join(workdir, SUMMARY)) else \
            f"; to resume it, give its own value{'s' * (len(changed) > 1)}: " + \
            " ".join(_override(key, saved) for key in changed[:5])
        raise UserError(f"run folder '{workdir}' holds a run of a different config "
                        f"(differs in: {', '.join(changed[:5])}){resume}; or choose a new "
                        "--workdir, or pass --overwrite to replace it")
    if fs.exists(fs.join(workdir, SUMMARY)):
        lost = lost_outputs(workdir, read_manifest(workdir) or own)  # (own: what is there)
        if not lost:
            raise UserError(f"run folder '{workdir}' holds a finished run; choose a new "
                            "--workdir, or pass --overwrite to train again there")
        if not has_checkpoint(workdir):
            raise UserError(f"run folder '{workdir}' holds a finished run whose "
                            f"{', '.join(lost)} {_is_are(lost)} missing or damaged, and no "
                            f"checkpoint to write {_it_them(lost)} again from; put "
                            f"{_it_them(lost)} back, or pass --overwrite to train again there")
        print(f"ktrain_kit: the finished run's {', '.join(lost)} {_is_are(lost)} missing or "
              "damaged: writing the end of the run again from its last checkpoint", flush=True)
    for name in own:  # a resume appends to and replaces these files: a folder in their place
        if name not in FOLDERS and not name.startswith(("export/", "plots/")) and \
                not name.endswith("/") and fs.isdir(fs.join(workdir, name)):
            raise UserError(f"run folder '{workdir}': its {name} is a folder, not the file the "
                            "run wrote; remove or move that folder, then run this command again")
    resumable = has_checkpoint(workdir)
    trained = _metrics_rows(workdir) if not resumable else 0
    # A kill between an epoch's row and its checkpoint leaves one row the checkpoints do not
    # cover: a first epoch's row alone is such a start, begun again. More rows and no
    # checkpoint: deleted (or never kept), and starting over would write over them.
    if trained > 1:
        raise UserError(f"run folder '{workdir}' has no {CHECKPOINTS}/ to resume from, but its "
                        f"metrics.csv holds {trained} trained epoch{'s' if trained > 1 else ''}"
                        f"; put back its {CHECKPOINTS}/, or pass --overwrite to train again "
                        "there from the start, or choose a new --workdir")
    return RunFolder(workdir, own), resumable


# What the end of a finished run writes (training._after_training), as its manifest lists it.
END_OUTPUTS = (FINAL_WEIGHTS, "export/1", "diagnosis.json", "diagnosis.md", SUMMARY)


def lost_outputs(workdir, own) -> list:
    """The end-of-run files a finished run wrote that are gone or unreadable now (a deleted
    diagnosis.json, a truncated final.weights.h5). Its training command writes them again
    from the last checkpoint, as after a kill between those phases: refused as 'finished',
    the run had no way back but --overwrite, while evaluate and the doctor said to resume."""
    summary = read_json(fs.join(workdir, SUMMARY))
    expected = [e for e in END_OUTPUTS if e in own or e.split("/")[0] in own or e == SUMMARY]
    if summary is not None and summary.get("stopped"):  # a NaN stop keeps no final weights
        expected = [e for e in expected if e not in (FINAL_WEIGHTS, "export/1")]
    expected += [e for e in own if e.startswith("plots/") and e.endswith(".png")]
    return [e for e in expected if not _intact(fs.join(workdir, e))]


def _intact(path) -> bool:
    """Whether an end-of-run file reads whole, judged by its kind: weights (every array), a
    JSON object, a PNG (its end chunk: a truncated plot has none), an export (its graph)."""
    if path.endswith(".h5"):
        return _readable_weights(path)
    if path.endswith(".json"):
        return read_json(path) is not None
    if path.endswith(".png"):
        return _whole_png(path)
    if path.endswith("export/1"):
        graph = fs.join(path, "saved_model.pb")
        return fs.exists(graph) and fs.size(graph) > 0
    return fs.exists(path)


def _whole_png(path) -> bool:
    """A PNG's signature at its start and its IEND chunk at its end (a truncated plot has no
    end)."""
    try:
        with fs.open(path, "rb") as f:
            data = f.read()
    except OSError:
        return False
    return data.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in data[-12:]


def read_json(path):
    """The JSON object at `path`; None when missing, damaged, or of another shape (a list)."""
    try:
        with fs.open(path) as f:
            value = fs.parse_json(f)
        return value if isinstance(value, dict) else None
    except (OSError, ValueError):  # (UnicodeDecodeError is a ValueError)
        return None
    except Exception as e:  # noqa: BLE001 - TensorFlow's NotFoundError on other filesystems
        if type(e).__name__ == "NotFoundError":
            return None
        raise


def _readable_weights(path) -> bool:
    """Whether every array of a .weights.h5 file reads back (a truncated file opens, and
    fails at the arrays it lost)."""
    import h5py
    try:
        with fs.open(path, "rb") as raw, h5py.File(raw, "r") as f:
            arrays = []
            f.visititems(lambda _, o: arrays.append(o[()]) if isinstance(o, h5py.Dataset)
                         else None)
        return True
    except Exception:  # noqa: BLE001 - h5py raises OSError, KeyError, RuntimeError, ...
        return False


def _is_are(names) -> str:
    return "are" if len(names) > 1 else "is"


def _it_them(names) -> str:
    return "them" if len(names) > 1 else "it"


def _metrics_rows(workdir) -> int:
    """How many rows below the header metrics.csv holds (0 when it is missing or unreadable:
    the resume's own reading names a damaged file)."""
    try:
        with fs.open(fs.join(workdir, METRICS), "rb") as f:
            lines = [line for line in f.read().splitlines() if line.strip()]
    except (OSError, ValueError):
        return 0
    return max(len(lines) - 1, 0)


def has_checkpoint(workdir) -> bool:
    """The index, or a checkpoint's files without it (a deleted or damaged index is rebuilt
    from them: checkpointing.rebuild_index), so a run that trained is never started over."""
    folder = fs.join(workdir, CHECKPOINTS)
    if fs.isfile(fs.join(folder, "checkpoint")):
        return True
    return fs.isdir(folder) and any(n.startswith("ckpt-") and n.endswith(".index")
                                    for n in fs.listdir(folder))


TRAIN_FIX = "pass --overwrite to start afresh there, or choose a new --workdir"
READ_FIX = ("put back the file its training wrote, or train the run again (launchers.train "
            "with --overwrite)")  # evaluate, export, the doctor: they have no --overwrite


def read_config(workdir, fix=TRAIN_FIX):
    """(config dict, resolved dict) from config.json; a damaged or foreign file is refused
    with `fix`, the way out the calling launcher offers."""
    path = fs.join(workdir, CONFIG)
    try:
        with fs.open(path) as f:
            saved = fs.parse_json(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UnicodeDecodeError):
        raise UserError(f"run folder '{workdir}': its {CONFIG} is unreadable; {fix}") from None
    if not isinstance(saved, dict) or not all(k in saved for k in ("data", "model", "train")):
        raise UserError(f"run folder '{workdir}': its {CONFIG} is not a ktrain_kit config; "
                        + ("choose the folder of a ktrain_kit run, or a new --workdir"
                           if fix == TRAIN_FIX else fix))
    resolved = saved.pop(RESOLVED, {})
    return saved, resolved if isinstance(resolved, dict) else {}


def write_config(run: RunFolder, config, resolved: dict) -> None:
    run.own(CONFIG)
    write_text(run.path(CONFIG), json.dumps({**_resolved(config), RESOLVED: resolved},
                                            indent=2, sort_keys=True))


def write_summary(run: RunFolder, summary: dict) -> None:
    run.own(SUMMARY)
    write_text(run.path(SUMMARY), json.dumps(strict_json(summary), indent=2, sort_keys=True))


def strict_json(value):
    """JSON has no NaN or Infinity: they become null."""
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_text(path: str, text: str) -> None:
    """Writes `path` whole or not at all (fs.write_text: the one writer)."""
    fs.write_text(path, text)


def write_bytes(path: str, data: bytes) -> None:
    fs.write_bytes(path, data)


# What a run writes inside the two folders it owns whole: TensorFlow's checkpoints with our side
# files and the final weights, and Keras' TensorBoard event files. `--overwrite` removes these
# and keeps anything else there (your notes, another experiment's logs), as in plots/ and export/.
RUN_FILES = {
    CHECKPOINTS: re.compile(r"checkpoint|final\.weights\.h5|"
                            r"ckpt-\d+\.(?:index|data-\d+-of-\d+|state\.npz)"),
    "tensorboard": re.compile(r"(?:train|validation)/events\.out\.tfevents\.[^/]+"),
}


def _remove_run_files(workdir, folder) -> list:
    """Removes the files `RUN_FILES` names in `folder` and the folders they leave empty;
    returns what stays (`checkpoints/notes.txt`), the whole folder gone when nothing does."""
    root = fs.join(workdir, folder)
    ours = RUN_FILES[folder]
    for dirpath, dirnames, filenames in sorted(fs.walk(root), reverse=True):  # deepest first
        relative = os.path.relpath(dirpath, root) if fs.is_local(root) else \
            dirpath[len(root):].strip("/")
        for name in filenames + [d for d in dirnames if _is_link(fs.join(dirpath, d))]:
            if ours.fullmatch(name if relative == "." or not relative else f"{relative}/{name}"):
                fs.remove(fs.join(dirpath, name))
        if dirpath != root and not fs.listdir(dirpath):
            fs.rmtree(dirpath)
    left = fs.listdir(root)
    if not left:
        fs.rmtree(root)
    return [f"{folder}/{n}" for n in sorted(left)]


# What a SavedModel is made of: anything else in an export version (TF Serving's
# `assets.extra/tf_serving_warmup_requests`, a README) is the user's, kept when the version is
# written again or the run overwritten.
SAVEDMODEL_ENTRIES = ("saved_model.pb", "saved_model.pbtxt", "fingerprint.pb", "variables",
                      "assets")
EXPORT_VERSION = re.compile(r"export/\d+")


def users_entries_in_export(version_path) -> list:
    """The entries of an export version folder that the SavedModel writer did not write."""
    if not fs.isdir(version_path) or _is_link(version_path):
        return []
    return sorted(n for n in fs.listdir(version_path) if n not in SAVEDMODEL_ENTRIES)


def _remove_savedmodel(workdir, name) -> list:
    """Removes export version `name`'s SavedModel, keeping the user's entries beside it (the
    folder too, then); returns what stays."""
    path = fs.join(workdir, name)
    left = users_entries_in_export(path)
    if not left:
        fs.rmtree(path)
        return []
    for entry in SAVEDMODEL_ENTRIES:
        inside = fs.join(path, entry)
        if _is_link(inside) or (fs.exists(inside) and not fs.isdir(inside)):
            fs.remove(inside)
        elif fs.isdir(inside):
            fs.rmtree(inside)
    return [f"{name}/{n}" for n in left]


def _remove(workdir, entries) -> list:
    """Removes the run's own entries, never following a symlink out of the folder; what else
    the folders hold (plots/ and export/, shared by name; checkpoints/ and tensorboard/, whose
    run files are known by `RUN_FILES`) stays, and is named. Returns the new run's manifest
    entries: `plots/` for a folder kept that way - still the run's folder to write into (so a
    run that fails before writing there is not refused on its re-run for a `plots/` it does
    not know), never removed whole."""
    kept = []
    for name in entries:
        if name == LOCK or name.endswith("/") or name in RUN_FILES:  # its files only, below
            continue
        path = fs.join(workdir, name)
        if _is_link(path) or not fs.isdir(path):
            if fs.exists(path) or _is_link(path):
                fs.remove(path)
        elif EXPORT_VERSION.fullmatch(name):
            kept += _remove_savedmodel(workdir, name)
        else:
            fs.rmtree(path)
    for folder in RUN_FILES:  # `checkpoints`, or `checkpoints/` where files were kept before
        path = fs.join(workdir, folder)
        if {folder, f"{folder}/"} & set(entries) and fs.isdir(path) and not _is_link(path):
            kept += _remove_run_files(workdir, folder)
        elif folder in entries and _is_link(path):
            fs.remove(path)
    for shared in sorted({e.split("/")[0] for e in entries if "/" in e} - set(RUN_FILES)):
        folder = fs.join(workdir, shared)
        if fs.isdir(folder) and not _is_link(folder):
            left = fs.listdir(folder)
            if left:
                kept += [f"{shared}/{n}" for n in left]
            else:
                fs.rmtree(folder)
    kept = [k for k in kept if not any(o.startswith(k + "/") for o in kept)]  # its files said
    if kept:
        shown = ", ".join(kept[:5]) + (", ..." if len(kept) > 5 else "")
        print(f"ktrain_kit: kept what this run did not write: {shown}", flush=True)
    return sorted({f"{k.split('/')[0]}/" for k in kept})


def _override(key, saved) -> str:
    """`--config.train.epochs=2`: the flag that sets `key` back to the saved config's value,
    quoted for a shell."""
    import shlex
    value = saved
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    shown = json.dumps(value) if isinstance(value, (dict, list)) or value is None else \
        str(value)
    return shlex.quote(f"--config.{key}={shown}")


def _diff(a, b, prefix=""):
    for key in set(a) | set(b):
        va, vb = a.get(key), b.get(key)
        if isinstance(va, dict) and isinstance(vb, dict):
            yield from _diff(va, vb, f"{prefix}{key}.")
        elif va != vb:
            yield f"{prefix}{key}"


def disk_full(error: BaseException) -> bool:
    """Whether `error` (Python's or TensorFlow's) means the disk or quota is full."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(error)
    return "No space left on device" in text or "Disk quota exceeded" in text
