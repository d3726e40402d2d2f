"""SIGTERM / SIGINT as a clean stop with exit 75 (`Preempted`): the same command then resumes.

Here, without TensorFlow, so that a run can stop this way from its first line: while its data
load, its model is built, the doctor reads its reference sample, the run folder is prepared,
and again after training. During training ktrain_kit/checkpointing.py's `preemptible` takes
over: it saves a checkpoint at the next step first.
"""

import contextlib
import signal

SIGNALS = {signal.SIGTERM: "SIGTERM", signal.SIGINT: "SIGINT"}


class Preempted(Exception):
    """Stopped by a signal at a point where nothing written is lost (after a checkpoint, or
    before training); re-run to resume."""

    def __init__(self, signal_name, epoch, step):
        super().__init__(f"{signal_name} received; stopped before finishing (nothing written "
                         "was lost)" if epoch is None else
                         f"{signal_name} received; saved a checkpoint after epoch {epoch}"
                         + (f", step {step}" if step else ""))
        self.signal_name, self.epoch, self.step = signal_name, epoch, step


@contextlib.contextmanager
def stop_between_phases(epoch=None):
    """Outside training's steps (before them, and after: final weights, export, plots,
    diagnosis): SIGTERM / SIGINT stop the run with `Preempted` (exit 75) - every file is
    replaced whole, so the same command finishes it. Handlers are restored on exit."""
    def handler(signum, frame):
        stop = Preempted(SIGNALS[signum], epoch, 0)
        RAISED[:] = [stop]
        raise stop

    RAISED.clear()
    with handling(handler):
        yield


# The Preempted a handler raised: a library can replace it by an error of its own that keeps
# no link to it (pybind11 inside tf.io.gfile: "MISMATCH of original and normalized active
# exception types ... REPLACED BY Preempted"), and the stop must still end in exit 75.
RAISED = []


@contextlib.contextmanager
def handling(handler):
    """`handler` for SIGTERM and SIGINT inside the block; the previous ones restored after."""
    previous = {s: signal.signal(s, handler) for s in SIGNALS}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
