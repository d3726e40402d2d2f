"""`CriticalPruning`: stop a sweep trial at once when its training is already lost.

A trial whose loss turns NaN or that diverges will not come back, and the median pruner only
notices after a few epochs, when it has a metric to compare. This callback asks the doctor's
rules about the curves so far after every epoch (and looks at every batch's loss for NaN), and
stops training at the first critical finding among `SYMPTOMS`. The run ends like an early-stopped
one (exported, diagnosed); its summary says `pruned` and `pruned_reason`, which the sweep
writes into trials.csv.
"""

import math

import keras
import numpy as np

from ktrain_kit.batch_loss import EpochLossDecoder, last_batch
from ktrain_kit.doctor import rules
from ktrain_kit.doctor.rules import TITLES

SYMPTOMS = ("nan_loss", "diverging")


class CriticalPruning(keras.callbacks.Callback):
    """Stops training at the first critical NaN / divergence finding; works in any `fit`."""

    def __init__(self, facts=None):
        super().__init__()
        self.facts = dict(facts or {})
        self.epochs, self.batch_losses, self.step, self.epoch = [], [], 0, 0
        self.reason, self.pruned_at = None, None
        self._decoder = EpochLossDecoder()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1
        self._decoder.start_epoch()

    def on_train_batch_end(self, batch, logs=None):
        covered, loss = self._decoder.decode_logs(last_batch(batch, self.params), logs)
        self.step += covered
        if loss is None:
            return
        self.batch_losses.append((self.step, self.epoch, loss))
        if not math.isfinite(loss) and self.reason is None:
            self._prune("nan_loss", f"critical: {TITLES['nan_loss']} at step {self.step}")

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append({k: float(np.asarray(v)) for k, v in (logs or {}).items()
                            if np.ndim(v) == 0 and not k.startswith("diag_")})
        if self.reason is not None:
            return
        for f in rules.diagnose(self.epochs, self.batch_losses, [], self.facts):
            if f.severity == "critical" and f.symptom in SYMPTOMS:
                self._prune(f.symptom, f"critical: {TITLES[f.symptom]} (epoch {epoch + 1})")
                return

    def _prune(self, symptom, reason):
        self.reason, self.pruned_at = reason, self.epoch
        self.model.stop_training = True

    def get_state(self) -> dict:
        return {"epochs": self.epochs, "batch_losses": self.batch_losses, "step": self.step,
                "reason": self.reason, "pruned_at": self.pruned_at}

    def set_state(self, state) -> None:
        self.epochs, self.step = state["epochs"], state["step"]
        self.batch_losses = [tuple(b) for b in state["batch_losses"]]
        self.reason, self.pruned_at = state["reason"], state["pruned_at"]

    def summary(self) -> dict:
        """Merged into summary.json; only when it pruned (so it never hides another pruner's
        verdict)."""
        if self.reason is None:
            return {}
        return {"pruned": True, "pruned_at_epoch": self.pruned_at, "pruned_reason": self.reason}
