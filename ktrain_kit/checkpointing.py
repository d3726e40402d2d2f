"""Checkpoints and resume: everything a re-run of the same command needs to continue exactly.

A checkpoint holds the model, the optimizer (slots, iterations, loss scale, EMA), the RNG states of
dropout & co., extra variables (the schedule's plateau multiplier, the doctor's probe weights) and
where it was taken: epochs finished, batches of the next epoch already trained, and whether a
callback had ended training there (early stopping). A side file beside it holds the running values
of the epoch's metrics and the state of the `stateful` callbacks.

Callbacks take part through a small protocol, as Keras' `BackupAndRestore` and big_vision's resume
block keep theirs: `get_state() -> dict` (JSON-able; large arrays under the key "arrays") and
`set_state(dict)`, plus optionally `checkpoint_variables() -> dict` of TensorFlow variables to save
in the checkpoint itself. Keras' own `EarlyStopping` is handled by an adapter.

Preemption: inside `preemptible(checkpoints)`, SIGTERM (what Kubernetes, Slurm and spot VMs send)
and SIGINT save a checkpoint at the next step boundary and end the training with `Preempted`; the
same command resumes from there.
"""

import contextlib
import dataclasses
import io
import json
import math
import shutil
import time
import weakref

import keras
import numpy as np
import tensorflow as tf

from ktrain_kit import fs, runtime
from ktrain_kit.arguments import checked, flag, mapping, optional, path, satisfying, whole
from ktrain_kit.batch_loss import last_batch
from ktrain_kit.stopping import SIGNALS, Preempted, handling, stop_between_phases  # noqa: F401


# ------------------------------------------------------------------ the state protocol
def state_of(callback) -> dict:
    if hasattr(callback, "get_state"):
        return callback.get_state()
    if isinstance(callback, keras.callbacks.EarlyStopping):
        return _early_stopping_state(callback)
    return {}


def set_state_of(callback, state) -> None:
    if hasattr(callback, "set_state"):
        callback.set_state(state)
    elif isinstance(callback, keras.callbacks.EarlyStopping):
        _set_early_stopping_state(callback, state)


def _fits(stored, written) -> bool:
    """Whether a callback's state read from a side file has the kinds of the state it writes
    (`written`: its state now, fresh). A side file edited into other kinds - a count become
    null, a text, or 10**30 - failed the resumed training at its first epoch end; refused
    here, the checkpoint before it is tried. Lenient where a version may differ: keys on one
    side only, lists of another length, a float where a fresh callback holds an int (0)."""
    if isinstance(written, dict):
        return isinstance(stored, dict) and all(
            _fits(stored[k], v) for k, v in written.items() if k != "arrays" and k in stored)
    if isinstance(written, (list, tuple)):
        return isinstance(stored, list) and (len(stored) != len(written) or all(
            _fits(a, b) for a, b in zip(stored, written)))
    if isinstance(written, str):
        return isinstance(stored, str)
    # a number (a NumPy bool or int is written as a float); no count of a training reaches
    # 2**63, nor would it convert to a tensor
    number = isinstance(stored, float) or (isinstance(stored, int) and
                                           not isinstance(stored, bool) and abs(stored) < 2 ** 63)
    if isinstance(written, (bool, np.bool_)):
        return isinstance(stored, bool) or number
    if written is None:
        return stored is None or number
    if isinstance(written, (int, float, np.number)):
        return number
    return True  # anything else (a callback that could not say): not checked


def _state_or_anything(callback):
    """The state a fresh callback writes, the kinds its side-file state must have; a user's
    callback whose get_state needs a training begun gives no template (`ANY`)."""
    try:
        return state_of(callback)
    except Exception:  # noqa: BLE001 - the user's code: its state is then not checked
        return ANY


ANY = object()


def _early_stopping_state(callback) -> dict:
    """The adapter for `keras.callbacks.EarlyStopping` (ktrain_kit's own subclass uses it too)."""
    return {"wait": callback.wait, "best": None if callback.best is None else float(callback.best),
            "best_epoch": callback.best_epoch, "stopped_epoch": callback.stopped_epoch,
            "arrays": {f"w{i}": w for i, w in enumerate(callback.best_weights or [])}}


def _set_early_stopping_state(callback, state) -> None:
    callback.wait, callback.best = state["wait"], state["best"]
    callback.best_epoch, callback.stopped_epoch = state["best_epoch"], state["stopped_epoch"]
    arrays = state.get("arrays") or {}
    callback.best_weights = [arrays[f"w{i}"] for i in range(len(arrays))] or None


# ------------------------------------------------------------------ checkpoints
def make_folder(owner, argument, folder, create=True) -> None:
    """The folder an argument names, made when a fit starts (`create`), or else only looked
    at: a file on its way is refused before any step, in one line naming the argument, not
    as an OSError (or TensorFlow's error) from the first save."""
    def refuse(why):
        return ValueError(f"{owner}({argument}={str(folder)!r}): cannot make the folder "
                          f"{str(folder)!r} ({why}); pass a folder that can be written")
    if not create:
        above = str(folder).rstrip("/")
        while above and fs.is_local(above) and not fs.exists(above):
            above = above.rpartition("/")[0]
        if above and fs.is_local(above) and not fs.isdir(above):
            raise refuse(f"{above} is a file")
        return
    try:
        fs.makedirs(folder)
    except OSError as e:
        raise refuse(e.strerror or type(e).__name__) from None


@dataclasses.dataclass(frozen=True)
class ResumePoint:
    """Where a restored checkpoint was taken."""
    epoch: int = 0              # epochs finished
    step: int = 0               # batches of the next epoch already trained
    stopped: bool = False       # a callback (early stopping) had ended the training there
    restored: bool = False      # False: no checkpoint, start from scratch


class Checkpoints(keras.callbacks.Callback):
    """Saves everything a resumed run needs at every epoch end and every `every_steps` steps.

    TensorFlow writes the checkpoint files before it atomically replaces the index, so a kill
    mid-write leaves the previous checkpoint intact; a damaged latest one is skipped with a
    warning in favour of the one before. With `initial=True` a checkpoint of the starting point
    is saved too (when `fit` starts from no checkpoint this object saved or restored), so that a
    roll-back (`NaNGuard`) always has somewhere to go.

    Under multi-worker every worker must save (it is collective), but only the chief writes
    `directory`: the others save into a scratch folder of their own (removed with this object)
    and read `directory` (on storage every worker sees) only to restore the chief's checkpoint.
    """

    @checked(directory=path(), keep=whole(1), extra=optional(satisfying(
                 lambda v: mapping().fits(v) and all(isinstance(
                     x, tf.__internal__.tracking.Trackable) for x in v.values()),
                 "a dict of TensorFlow / Keras variables (or other trackables) to save")),
             stateful=satisfying(lambda v: isinstance(v, (list, tuple)),
                                 "a list of callbacks (None among them is left out)"),
             every_steps=whole(0), initial=flag())
    def __init__(self, directory, keep=3, extra=None, stateful=(), every_steps=0,
                 initial=False):
        super().__init__()
        if fs.exists(directory) and not fs.isdir(directory):
            raise ValueError(f"Checkpoints(directory={directory!r}): a file is there; pass a "
                             "folder (it is made if missing)")
        self.directory, self.keep, self.extra = directory, keep, dict(extra or {})
        self.every_steps, self.initial = every_steps, initial
        self.stateful = [c for c in stateful if c is not None]
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        self.step_in_epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self.stopped = tf.Variable(False, trainable=False, name="stopped")
        self.manager, self.restored = None, None
        self.restored_number = None  # the number of the checkpoint restore() read (ckpt-N)
        self.resume_at = ResumePoint()
        self.offset = self.steps_done = self.since_save = 0
        self.current_epoch = 0
        self.learned_steps = None  # an epoch's batches, counted, where Keras does not know them
        self.stop_requested = None  # the name of a signal asking to save and stop
        self.has_point = False  # a checkpoint saved or restored by this object
        self._scratch = None  # where a non-chief worker saves (see _saves_to)
        self._manager_folder = None  # the folder self.manager reads and saves

    def _saves_to(self) -> str:
        """`directory`, or on a multi-worker cluster's worker other than the chief a scratch
        folder of its own: every worker saves, and two saving into one folder race on its
        files."""
        if runtime.writes_files(self.model):
            return self.directory
        if self._scratch is None:
            self._scratch = fs.worker_scratch()
            weakref.finalize(self, shutil.rmtree, self._scratch, True)
        return self._scratch

    def _make_manager(self, folder=None):
        """The manager of `folder`: by default where this worker saves; `restore` reads
        `directory`, the chief's, on every worker (a non-chief never writes it)."""
        folder = folder or self._saves_to()
        _build_optimizer(self.model)
        if folder == self._saves_to():
            rebuild_index(folder)
        # Dropout & co. keep their RNG state in SeedGenerator variables that the model's own
        # checkpoint dependencies miss; saving them makes a resumed run draw the same masks.
        rng_states = [v.value for v in self.model.variables if "seed_generator_state" in v.path]
        callback_variables = {f"callback{i}_{k}": v for i, c in enumerate(self.stateful)
                              if hasattr(c, "checkpoint_variables")
                              for k, v in c.checkpoint_variables().items()}
        checkpoint = tf.train.Checkpoint(
            model=self.model, optimizer=self.model.optimizer, epoch=self.epoch,
            step_in_epoch=self.step_in_epoch, stopped=self.stopped, rng_states=rng_states,
            **self.extra, **callback_variables)
        self.manager = tf.train.CheckpointManager(checkpoint, folder, self.keep)
        self._manager_folder = folder

    def restore(self, model) -> ResumePoint:
        """Restores the newest readable checkpoint into `model` (and the stateful callbacks)."""
        self.set_model(model)
        for callback in self.stateful:
            callback.set_model(model)  # so that their checkpoint variables exist
        self._make_manager(self.directory)
        without_side_file = None  # a sound checkpoint whose side file is gone (older folders)
        written = [_state_or_anything(c) for c in self.stateful]
        for path in reversed(self.manager.checkpoints):
            try:
                self.manager.checkpoint.restore(path).expect_partial()
                if not fs.exists(path + ".state.npz"):  # sound, but incomplete: said below
                    without_side_file = without_side_file or path
                    continue
                self.restored = self._read_side_file(path)
                for callback, state, fresh in zip(self.stateful, self.restored["callbacks"],
                                                  written):
                    if not _fits(state, fresh):
                        raise ValueError(f"{type(callback).__name__}'s state is of other kinds")
                self.restored_number = int(path.rsplit("-", 1)[1])
            except Exception as e:  # noqa: BLE001 - damaged files raise many kinds
                print(f"ktrain_kit: warning: checkpoint {path} is damaged "
                      f"({type(e).__name__}); trying the one before")
                continue
            if without_side_file:
                print(f"ktrain_kit: warning: checkpoint {without_side_file} has no side file "
                      f"(.state.npz); resuming from the complete one before it, {path}")
            return self._resumed()
        if without_side_file:  # better than nothing: its weights and optimizer, fresh callbacks
            print(f"ktrain_kit: warning: resuming from {without_side_file} without its side "
                  "file: callback state and the epoch's running metrics start afresh")
            self.manager.checkpoint.restore(without_side_file).expect_partial()
            self.restored = {"callbacks": [], "metrics": []}
            self.restored_number = int(without_side_file.rsplit("-", 1)[1])
            return self._resumed()
        if self.manager.checkpoints:
            raise DamagedCheckpoints(self.directory)
        return self.resume_at

    def _resumed(self) -> ResumePoint:
        self.has_point = True
        self.resume_at = ResumePoint(int(self.epoch.numpy()), int(self.step_in_epoch.numpy()),
                                     bool(self.stopped.numpy()), True)
        return self.resume_at

    def newest(self):
        """The newest checkpoint's path, or None when none has been saved."""
        return self.manager.latest_checkpoint if self.manager is not None else None

    def roll_back(self):
        """Restores the newest checkpoint's variables (not callback state); returns its path,
        or None when there is none yet (no `initial=True`, or not among fit's callbacks)."""
        path = self.manager.latest_checkpoint if self.manager is not None else None
        if path is not None:
            self.manager.checkpoint.restore(path).expect_partial()
        return path

    def on_train_begin(self, logs=None):
        make_folder("Checkpoints", "directory", self.directory, create=False)
        # Runs after the other callbacks' on_train_begin (it comes last), which reset them.
        self._apply_callback_states()
        if self.manager is None:
            self._make_manager()
        # Decided alike on every worker (a collective save that one worker skips hangs the
        # others), so by what this object did, not by what a folder holds at this moment.
        if self.initial and not self.has_point:
            self._save(0, 0)

    def on_epoch_begin(self, epoch, logs=None):
        self.current_epoch = epoch
        resumed_mid_epoch = (epoch, self.resume_at.restored) == (self.resume_at.epoch, True) \
            and self.resume_at.step > 0
        self.offset = self.steps_done = self.resume_at.step if resumed_mid_epoch else 0
        if resumed_mid_epoch and self.restored is not None:
            # Keras has just reset the metrics and the callbacks their epoch state: put back
            # the running values of the interrupted epoch.
            values = self.restored.pop("metrics", [])
            variables = self.model.metrics_variables
            if [tuple(v.shape) for v in variables] == [np.shape(v) for v in values]:
                for variable, value in zip(variables, values):
                    variable.assign(value)
            else:
                print("ktrain_kit: warning: the saved metric values do not fit this model; "
                      "epoch metrics cover only the batches trained after the restart")
            self._apply_callback_states()
            self.restored = None

    def on_train_batch_end(self, batch, logs=None):
        # Keras counts from 0 again after a mid-epoch restart
        done = self.offset + last_batch(batch, self.params) + 1
        self.since_save += done - self.steps_done
        self.steps_done = done
        steps = (self.params or {}).get("steps")  # None: a dataset of unknown length
        epoch_end = steps is not None and done >= self.offset + steps
        if self.stop_requested and not epoch_end:
            if self._good(logs):
                self._save(self.current_epoch, done)
            raise Preempted(self.stop_requested, self.current_epoch, done)
        if self.every_steps and self.since_save >= self.every_steps and not epoch_end:
            if self._good(logs):  # never let a NaN step replace the last good checkpoint
                self._save(self.current_epoch, done)

    def on_epoch_end(self, epoch, logs=None):
        if (self.params or {}).get("steps") is None:
            self.learned_steps = self.steps_done
        if self._good(logs):  # never let a NaN epoch replace the last good checkpoint
            self._save(epoch + 1, 0, stopped=bool(self.model.stop_training))
        if self.stop_requested:
            raise Preempted(self.stop_requested, epoch + 1, 0)

    def _good(self, logs) -> bool:
        """Worth keeping: finite losses and finite weights (see `finite_weights`)."""
        return _finite_losses(logs) and finite_weights(self.model)

    def _save(self, epochs_done, step_in_epoch, stopped=False):
        if self.manager is None or self._manager_folder != self._saves_to():
            self._make_manager()  # a non-chief worker restored from the chief's folder
        self.epoch.assign(epochs_done)
        self.step_in_epoch.assign(step_in_epoch)
        self.stopped.assign(stopped)
        number = epochs_done * self._steps_per_epoch() + step_in_epoch
        if (self.params or {}).get("steps") is None:  # counted, not known: never a number
            number = max(number, self._newest_number() + 1)  # below one already saved
        # The side file first: a kill between the two leaves a side file without a checkpoint
        # (ignored, removed at the next save), never a checkpoint that cannot be restored.
        path = fs.join(self._manager_folder, f"ckpt-{number}")  # the manager's name for it
        self._write_side_file(path, with_metrics=step_in_epoch > 0)
        fs.library_write("checkpoint", path)
        self.manager.save(checkpoint_number=number)
        self._remove_stale_side_files()
        self.since_save, self.has_point = 0, True

    def _steps_per_epoch(self) -> int:
        """The epoch's batches: Keras' `steps`; for a dataset of unknown length (filter(), a
        generator) the count of the last epoch that ended, 0 before one has."""
        steps = (self.params or {}).get("steps") if self.params else 0
        return self.offset + steps if steps is not None else self.learned_steps or 0

    def _newest_number(self) -> int:
        names = self.manager.checkpoints if self.manager is not None else []
        return max((int(n.rsplit("-", 1)[1]) for n in names), default=-1)

    def _apply_callback_states(self):
        for callback, state in zip(self.stateful, (self.restored or {}).get("callbacks", [])):
            set_state_of(callback, state)

    def _write_side_file(self, path, with_metrics):
        states = [dict(state_of(c)) for c in self.stateful]
        arrays = {f"{i}_{k}": v for i, s in enumerate(states)
                  for k, v in s.pop("arrays", {}).items()}
        if with_metrics:
            arrays.update({f"metric_{i}": np.asarray(v)
                           for i, v in enumerate(self.model.metrics_variables)})
        buffer = io.BytesIO()
        np.savez(buffer, json=json.dumps(states, default=float), **arrays)
        fs.makedirs(self._manager_folder)
        fs.write_bytes(path + ".state.npz", buffer.getvalue())

    def _remove_stale_side_files(self):
        kept, folder = set(self.manager.checkpoints), self._manager_folder
        for name in fs.listdir(folder):
            stem = fs.join(folder, name[:-len(".state.npz")])
            if name.endswith(".state.npz") and stem not in kept:
                fs.remove(fs.join(folder, name))

    @staticmethod
    def _read_side_file(path):
        # Written right before the checkpoint, so every listed checkpoint has one (a folder
        # from an older version may lack it: restore() then falls back to the one before).
        with fs.open(path + ".state.npz", "rb") as handle:
            content = io.BytesIO(handle.read())
        with np.load(content) as f:
            states = fs.parse_json(str(f["json"]))
            for i, state in enumerate(states):
                prefix = f"{i}_"
                state["arrays"] = {k[len(prefix):]: f[k] for k in f.files if k.startswith(prefix)}
            metrics = [f[f"metric_{i}"] for i in range(sum(k.startswith("metric_")
                                                           for k in f.files))]
        return {"callbacks": states, "metrics": metrics}


def _build_optimizer(model):
    """Plain Keras builds the optimizer inside the first step, after `on_train_begin`: a
    checkpoint saved before it (`initial=True`) would hold no moments, and a roll-back to it
    would keep the NaN moments of the step that failed. Built here as Keras would build it."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built and model.trainable_variables:
        with model.distribute_strategy.scope():
            optimizer.build(model.trainable_variables)


INDEX = "checkpoint"  # TensorFlow's list of the checkpoints in a folder, newest first named


def numbered(directory) -> list:
    """The checkpoints whose files are in `directory` (`ckpt-4` for ckpt-4.index), oldest
    first: what the index should list."""
    names = fs.listdir(directory) if fs.isdir(directory) else []
    found = [n[:-len(".index")] for n in names if n.startswith("ckpt-") and n.endswith(".index")
             and n[5:-len(".index")].isdigit()]
    return sorted(found, key=lambda n: int(n[5:]))


def readable_index(directory):
    """TensorFlow's reading of the index; None when it is missing, damaged or foreign (TF
    raises several kinds on random bytes), so the caller can say so or rebuild it."""
    try:
        return tf.train.get_checkpoint_state(directory)
    except Exception:  # noqa: BLE001 - a damaged text proto raises many kinds
        return None


def rebuild_index(directory) -> None:
    """A damaged, deleted or partial index (checkpoints/checkpoint) beside sound checkpoint
    files is written again from the files: the run resumes from its newest checkpoint instead
    of starting afresh over it. Judged by what TensorFlow's CheckpointManager lists from the
    index: it drops every path without a timestamp after `last_preserved_timestamp`, so an
    index of paths alone (a truncated one, or ours before) listed nothing, and the run began
    again from scratch over its checkpoints."""
    present = numbered(directory)
    from ktrain_kit.errors import UserError
    index = fs.join(directory, INDEX)
    if not present:  # nothing to rebuild it from; TensorFlow's manager would raise reading it
        if fs.exists(index) and not fs.isdir(index) and readable_index(directory) is None:
            raise UserError(f"file '{index}' is not TensorFlow's checkpoint index (its bytes "
                            "do not read as one) and no checkpoint is beside it; remove it, or "
                            "give another folder")
        return
    if readable_index(directory) is not None and _listed(directory):
        return
    if fs.isdir(index):
        raise UserError(f"file '{index}' is a folder, not the checkpoints' index; remove it "
                        "and run this command again (the index is rebuilt from the checkpoints)")
    print(f"ktrain_kit: warning: {index} was missing or damaged; rebuilt from {present[-1]} "
          "and the checkpoints before it")
    write_index(directory, present)


def write_index(directory, names) -> None:
    """The index of checkpoints `names` (oldest first), as TensorFlow writes it: the manager
    lists (and later rotates) the paths whose timestamps are after `last_preserved`."""
    now = time.time()
    fs.write_text(fs.join(directory, INDEX), f'model_checkpoint_path: "{names[-1]}"\n' +
                  "".join(f'all_model_checkpoint_paths: "{n}"\n' for n in names) +
                  "".join(f"all_model_checkpoint_timestamps: {now!r}\n" for _ in names) +
                  f"last_preserved_timestamp: {now - 1!r}\n")


def _listed(directory) -> bool:
    """TensorFlow's CheckpointManager lists a checkpoint from the folder's index."""
    return bool(tf.train.CheckpointManager(tf.train.Checkpoint(), directory, None).checkpoints)


class DamagedCheckpoints(Exception):
    """Every checkpoint in the folder failed to load."""

    def __init__(self, directory):
        super().__init__(directory)
        self.directory = directory


def finite_weights(model) -> bool:
    """Every trainable weight finite. The loss alone can miss it: on CPU (oneDNN) relu(NaN)
    is 0, so a first layer gone NaN (a NaN input batch) leaves a finite loss - a constant
    prediction - for the rest of the run. Reduced where the weights live: one boolean comes
    to the host, not a copy of the model (NaNGuard and Checkpoints each ask once an epoch)."""
    variables = model.trainable_variables
    if not variables:
        return True
    ops = keras.ops
    return bool(ops.convert_to_numpy(ops.all(ops.stack(
        [ops.all(ops.isfinite(v)) for v in variables]))))


def _finite_losses(logs) -> bool:
    return all(math.isfinite(float(np.asarray(v))) for k, v in (logs or {}).items()
               if "loss" in k)


# ------------------------------------------------------------------ preemption
@contextlib.contextmanager
def preemptible(checkpoints: Checkpoints, enabled: bool = True):
    """SIGTERM / SIGINT ask `checkpoints` to save at the next step boundary and stop.

    A second signal before that save gives up waiting (KeyboardInterrupt): the newest
    checkpoint already on disk is kept. Handlers are restored on exit.
    """
    if not enabled:  # no checkpoint to save: a signal ends the process, as by default
        import signal
        with handling(signal.SIG_DFL):
            yield
        return

    def handler(signum, frame):
        if checkpoints.stop_requested:
            raise KeyboardInterrupt
        checkpoints.stop_requested = SIGNALS[signum]

    with handling(handler):
        yield
