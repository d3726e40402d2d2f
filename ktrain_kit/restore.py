"""Rebuild a run from its folder (config.json + weights), for evaluate, export and fine-tuning.

The user repeats nothing: the resolved config says how the data was split and the model built,
and its `resolved` section how the labels were mapped. A damaged or foreign folder, a missing or
truncated weights file, or data that changed since training is one line, not a traceback.
"""

import contextlib
import os
import tempfile
import warnings

from ktrain_kit import config as config_lib
from ktrain_kit import fs, runfolder
from ktrain_kit.errors import UserError, problem_of


def load_config(workdir: str):
    """(ConfigDict, resolved dict) of the run in `workdir`."""
    runfolder.require_folder(workdir)
    saved = runfolder.read_config(workdir, runfolder.READ_FIX)
    if saved is None:
        raise UserError(f"run folder '{workdir}' has no {runfolder.CONFIG}; pass the folder a "
                        "`python -m launchers.train` run wrote")
    values, resolved = saved
    try:
        config = config_lib.from_saved(values)
    except ValueError as e:  # a value of another kind: edited or damaged, not a version's
        raise UserError(f"run folder '{workdir}': its {runfolder.CONFIG} was changed since "
                        f"training ({e}); put back the file its training wrote") from None
    except (KeyError, TypeError, AttributeError) as e:
        raise UserError(f"run folder '{workdir}': its {runfolder.CONFIG} does not fit this "
                        f"version of ktrain_kit ({type(e).__name__}: {e}); use the version that "
                        "trained it") from None
    try:  # edited by hand since: a null where training wrote a number, a number no training
        # takes (a negative size, 1e308): what training checked; not the files it started from
        config_lib.validate(config, check_files=False)
    except UserError as e:
        raise UserError(f"run folder '{workdir}': its {runfolder.CONFIG} was changed since "
                        f"training ({str(e).split('; ')[0]}); put back the file its training "
                        "wrote") from None
    return _paths_from(config, resolved.get("working_directory")), resolved


def _paths_from(config, folder):
    """`config` with each relative path (data.path as typed: `tags.npz`, `docs/`) that is not
    found from here read from `folder`, where the training ran: evaluate and export run from
    any folder, and from another one the data 'did not exist'."""
    if not isinstance(folder, str) or not folder:
        return config
    moved = {}
    for key in config_lib.PATH_KEYS:
        value = config_lib.value_at(config, key)
        if isinstance(value, str) and value and fs.is_local(value) and \
                not os.path.isabs(value) and not os.path.exists(value) and \
                os.path.exists(os.path.join(folder, value)):
            moved[key] = os.path.join(folder, value)
    return config_lib.with_overrides(config, moved) if moved else config


def _stopped(workdir) -> str | None:
    """summary.json's `stopped` (why the training stopped: "nan_loss"), None when it did not
    stop or the file cannot say."""
    try:
        with fs.open(fs.join(workdir, runfolder.SUMMARY)) as f:
            stopped = fs.parse_json(f).get("stopped")
    except Exception:  # noqa: BLE001 - missing, damaged, another shape: not a stopped run
        return None
    return stopped if isinstance(stopped, str) else None


def load_run(workdir: str, allow_unfinished: bool = False):
    """Returns (config, dataset, compiled model with the run's final weights).

    `allow_unfinished`: an interrupted run's newest checkpoint stands in for final weights.
    """
    config, resolved = load_config(workdir)
    weights = fs.join(workdir, runfolder.FINAL_WEIGHTS)
    checkpoint = None
    if not fs.exists(weights):
        from ktrain_kit.checkpointing import readable_index
        state = readable_index(fs.join(workdir, runfolder.CHECKPOINTS))  # None if damaged:
        checkpoint = state.model_checkpoint_path if state else None  # the resume rebuilds it
        if checkpoint and not fs.exists(checkpoint + ".index"):
            checkpoint = None  # as tf.train.latest_checkpoint: listed, but its files are gone
        if not allow_unfinished or not checkpoint:
            stopped = _stopped(workdir)
            if stopped:  # a resume is refused there: the run is finished, the weights bad
                raise UserError(
                    f"run folder '{workdir}' has no {runfolder.FINAL_WEIGHTS}: its training "
                    f"stopped at a NaN loss ({stopped}), "
                    + ("before its first checkpoint: no good weights were kept"
                       if not checkpoint else "keeping only its last good checkpoint")
                    + f"; see {workdir}/diagnosis.md, then train it again (`python -m "
                    "launchers.train` with --overwrite), or let `python -m launchers.doctor "
                    f"{workdir} --fix` repair it")
            if fs.exists(fs.join(workdir, runfolder.SUMMARY)):  # finished: the file is gone
                raise UserError(f"run folder '{workdir}' has no {runfolder.FINAL_WEIGHTS}: "
                                + _write_again(workdir))
            raise UserError(f"run folder '{workdir}' has no {runfolder.FINAL_WEIGHTS}: its "
                            "training has not finished; resume it with `python -m launchers.train` first")

    from ktrain_kit import data as data_lib
    from ktrain_kit import engine, tasks
    from ktrain_kit.network import build_network
    with recorded(workdir, "the data it was trained on cannot be read", data_fix(config)):
        data = data_lib.load(config.data, config.task, config.seed,
                             known_labels=resolved.get("labels"))
    saved_fingerprint = resolved.get("data_fingerprint")
    if saved_fingerprint and data.fingerprint != saved_fingerprint:
        raise UserError(f"file '{config.data.path}': changed since run '{workdir}' was trained "
                        "on it; restore the data the run was trained on")
    with recorded(workdir, "its model cannot be built again", "put back what its "
                  f"{runfolder.CONFIG} names (model.name='{config.model.name}') as it was "
                  "when the run trained, then run this command again"):
        model = engine.wrap(build_network(config, data), config.train.accumulation_steps)
    try:
        if checkpoint is None:
            _load_weights(model, weights)
        else:  # restored into a copy whose weights are then taken: the checkpoint also holds
            # the run's optimizer, which TensorFlow would otherwise restore, slot by slot, into
            # whatever optimizer compile() below makes (Keras' default RMSprop), and fail
            import tensorflow as tf
            copy = engine.wrap(build_network(config, data), config.train.accumulation_steps)
            tf.train.Checkpoint(model=copy).restore(checkpoint).expect_partial()
            model.set_weights(copy.get_weights())
    except Exception as e:  # noqa: BLE001 - truncated or foreign files raise many kinds
        what = weights if checkpoint is None else checkpoint
        if _other_model(e):
            raise UserError(
                f"file '{what}': holds the weights of another model than the one its "
                f"{runfolder.CONFIG} builds (model.name='{config.model.name}'; {_first_shape(e)}"
                f"); if {runfolder.CONFIG} was edited since training, put back the model.* "
                "values the run trained with; else the file was written by another run or an "
                "older ktrain_kit - use the version that trained it, or train the run again "
                "(`python -m launchers.train --overwrite`, which replaces it)") from None
        raise UserError(f"file '{what}': cannot be loaded into the run's model "
                        f"({type(e).__name__}); it is damaged or from another run: "
                        + _write_again(workdir)) from None
    loss, metrics = tasks.loss_and_metrics(config.task, data.num_outputs, data.labels,
                                           config.model.from_logits)
    model.compile(loss=loss, metrics=metrics)
    return config, data, model


def _write_again(workdir) -> str:
    """The way back the training command offers (runfolder's rule, so the two agree): from the
    last checkpoint, or, with none left, only training again."""
    if runfolder.has_checkpoint(workdir):
        return ("re-run its `python -m launchers.train` command (the same flags): it writes "
                "the end of the run again from its last checkpoint")
    return ("no checkpoint is left to write it again from: put the file back, or train the "
            "run again (its `python -m launchers.train` command with --overwrite)")


def _other_model(error) -> bool:
    """A file that reads whole but whose variables do not fit the model: Keras and TensorFlow
    say so with a ValueError naming shapes. A damaged file fails earlier, reading it (OSError,
    DataLossError, ...), so its message keeps telling the user to write it again."""
    text = str(error)
    return isinstance(error, ValueError) and ("shape" in text or "could not be loaded" in text)


def _first_shape(error) -> str:
    """The shapes that disagree, as the error gives them: what the user can check."""
    import re
    text = str(error)
    found = re.search(r"variable\.shape=\(([^)]*)\), Received: value\.shape=\(([^)]*)\)",
                      text)  # Keras' load_weights
    if found:
        return f"the model has a weight of shape ({found[1]}) where the file holds ({found[2]})"
    found = re.search(r"incompatible tensor with shape \(([^)]*)\) when attempting to restore "
                      r"variable with shape \(([^)]*)\)", text)  # a TensorFlow checkpoint
    if found:
        return f"the model has a weight of shape ({found[2]}) where the file holds ({found[1]})"
    return "the shapes of its weights differ"


def data_fix(config) -> str:
    """The way out when a recorded run's data cannot be read: the file back where the run's
    config.json says. Not a `--config.data.path` flag: evaluate, export and the doctor have
    none (they read the data the run was trained on), and for `model.init_from` that flag
    would change the new run's data, not the source run's."""
    where = f" (data.path='{config.data.path}')" if config.data.path else ""
    return (f"put the data back where its {runfolder.CONFIG} records it{where}, unchanged, "
            "then run this command again")


@contextlib.contextmanager
def recorded(workdir, what, fix):
    """A `UserError` while rebuilding the run in `workdir` from its config.json: the problem
    it names is kept, the fix it offers (written for a config given on the command line, e.g.
    'set --config.data.path') is replaced by `fix`, which works from a run folder."""
    try:
        yield
    except UserError as e:
        raise UserError(f"run folder '{workdir}': {what} ({problem_of(e)}); {fix}") from None


def _load_weights(model, path):
    """h5py reads local files only: a bucket's weights file is copied to a local one first.
    Keras' warnings while reading a file of another model (a line per layer it skips) are
    left out: the error that follows names the file and the fix."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="keras")
        if fs.is_local(path):
            model.load_weights(path)
            return
        with tempfile.TemporaryDirectory() as scratch:
            local = os.path.join(scratch, "final.weights.h5")
            with fs.open(path, "rb") as source, open(local, "wb") as target:
                target.write(source.read())
            model.load_weights(local)
