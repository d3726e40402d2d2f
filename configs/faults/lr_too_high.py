"""Learning rate far too high (SGD at 20): the loss explodes to NaN within the first epoch.

    python -m launchers.train --config=configs/faults/lr_too_high.py

Symptom: nan_loss (critical). What it looks like: a few batches of huge loss, then NaN; training
stops and the last good checkpoint is kept.
"""

from configs.faults._base import base_config


def get_config():
    c = base_config()
    c.schedule.base_lr = 20.0
    return c
