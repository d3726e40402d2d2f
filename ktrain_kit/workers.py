"""Multi-worker runs: where the workers other than the chief write, and where every worker
starts.

Only the chief writes the run folder. The others take part in every collective save (a
checkpoint, the export) into a scratch folder of their own, removed when the run ends: it
held copies nobody reads.

On a resume every worker must start from the same checkpoint: a worker that starts afresh
while the chief resumes after epoch 3 runs other steps than the chief, and the first
collective fails with TensorFlow's "Collective instance N expected type ... but got ..."
traceback. So the chief says which checkpoint it restored, and the others restore that one,
read from the chief's run folder (the same --workdir, which must be on storage they share: a
network disk, a bucket). Where one cannot read it, every worker stops with one line.
"""

import contextlib
import shutil

from ktrain_kit import fs
from ktrain_kit.errors import UserError

NONE = -1  # no checkpoint restored: the run starts afresh
@contextlib.contextmanager
def scratch_folder():
    """A folder for a non-chief worker's share of the run, removed when the run ends (see
    fs.worker_scratch)."""
    folder = fs.worker_scratch()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def agree_on_start(strategy, place, checkpoints, model, at, run_folder):
    """The resume point every worker starts from: the chief's. A non-chief worker restores
    the checkpoint the chief restored, copied from `run_folder` (the chief's) into its own
    checkpoints folder. Refused on every worker, naming the folder, when one cannot."""
    chief = place["chief"]
    number = checkpoints.restored_number if chief and at.restored else NONE
    told = next(r[1:] for r in _rows(strategy, chief, [number, at.epoch, at.step]) if r[0])
    problem = None
    if not chief and told[0] != NONE:
        problem = _copy_checkpoint(run_folder, told[0], checkpoints.directory)
        if problem is None:
            at = checkpoints.restore(model)
            if [at.epoch, at.step] != told[1:]:
                problem = (f"its checkpoint ckpt-{told[0]} read as epoch {at.epoch}, step "
                           f"{at.step} here, epoch {told[1]}, step {told[2]} on the chief")
    if any(failed for _, failed in _rows(strategy, chief, [int(problem is not None)])):
        where = problem or "another worker cannot read the checkpoint the chief resumes from"
        raise UserError(f"run folder '{run_folder}': {where}; every worker resumes from the "
                        "chief's checkpoint, so put --workdir on storage all workers read (a "
                        "network disk, a bucket), or pass --overwrite to every worker to train "
                        "again from scratch")
    return at


def _copy_checkpoint(run_folder, number, into):
    """Copies the chief's checkpoint `number` (its index, data shards and side file) from
    `run_folder`; None, or what could not be read."""
    from ktrain_kit import checkpointing  # TensorFlow: not at start-up (tests/test_startup.py)
    source = fs.join(run_folder, "checkpoints")
    stem = f"ckpt-{number}"
    try:
        names = [n for n in fs.listdir(source) if n.startswith(stem + ".")]
        if not any(n == stem + ".index" for n in names):
            return f"this worker cannot see its checkpoint checkpoints/{stem} (not found)"
        fs.makedirs(into)
        for name in names:
            fs.copy(fs.join(source, name), fs.join(into, name))
        checkpointing.write_index(into, [stem])
    except Exception as e:  # noqa: BLE001 - OSError here, TensorFlow's errors on a bucket
        return f"this worker cannot read its checkpoint checkpoints/{stem} ({e})"
    return None


def _rows(strategy, chief, values):
    """[is the chief, *values] of every replica of every worker: one all-gather, which every
    worker calls at the same point (a collective)."""
    import tensorflow as tf

    def row():
        return tf.constant([[int(chief), *values]], tf.int64)

    @tf.function  # eagerly, TensorFlow warns of the overhead of every collective call
    def gathered():
        return strategy.gather(strategy.run(row), axis=0)

    return gathered().numpy().tolist()
