"""Each batch's own loss, recovered from the running epoch mean that Keras logs.

Keras hands `on_train_batch_end` the mean loss of the epoch so far, not the batch's. With
`steps_per_execution = n` one call covers n batches. `EpochLossDecoder` turns the running means
back into the mean loss of each call's batches; the training doctor and the LR range test share it.
"""

import math


def last_batch(batch: int, params) -> int:
    """Keras' `batch` in `on_train_batch_end`, capped at the epoch's last batch. With
    `steps_per_execution = n` Keras reports every call as ending n - 1 batches after it began,
    the epoch's last call too when the batches ran out sooner (8 batches, n = 3: it reports
    2, 5 and 8, and batch 8 does not exist). `params["steps"]`: the epoch's batches, when
    Keras knows them."""
    steps = (params or {}).get("steps")
    return min(batch, steps - 1) if isinstance(steps, int) and steps > 0 else batch


class EpochLossDecoder:
    """Feed it every `on_train_batch_end` of an epoch; it returns that call's own loss.

    `state` is (batches of the epoch done, their loss sum, batch where the running mean
    restarted): saved in a mid-epoch checkpoint so a resumed epoch decodes on from there. After a
    non-finite loss Keras' running mean only recovers if the metrics were reset (a roll-back);
    the decoder then restarts its sum there.
    """

    def __init__(self, state=(0, 0.0, 0)):
        self.start_epoch(state)

    def start_epoch(self, state=(0, 0.0, 0)):
        self.state, self.offset = tuple(state), None

    def decode(self, batch: int, mean_loss: float) -> tuple:
        """(batches this call covered, their mean loss) from Keras' `batch` and `logs['loss']`."""
        done_before, sum_before, base = self.state
        if self.offset is None:  # first call of the epoch: a resumed epoch starts mid-way
            self.offset = done_before
        done = max(self.offset + batch + 1, done_before + 1)
        if not math.isfinite(sum_before):
            base, sum_before = done_before, 0.0
        total = (done - base) * float(mean_loss)
        covered = done - done_before
        self.state = (done, total, base)
        loss = (total - sum_before) / covered
        return covered, loss if math.isfinite(loss) or not math.isfinite(mean_loss) else mean_loss

    def decode_logs(self, batch: int, logs) -> tuple:
        """`decode` from a hook's logs: (batches covered, their loss, or None when the logs
        hold no `loss` - a custom `train_step` may return other keys, and a missing loss is no
        NaN loss)."""
        mean_loss = (logs or {}).get("loss")
        covered, loss = self.decode(batch, math.nan if mean_loss is None else mean_loss)
        return covered, None if mean_loss is None else loss
