"""Learning rate far too low (plain SGD at 1e-6): the weights barely move, the loss stays flat.

    python -m launchers.train --config=configs/faults/lr_too_low.py

Symptom: loss_not_decreasing, with an update-to-weight ratio near 1e-7 naming the cause.
"""

from configs.faults._base import base_config


def get_config():
    c = base_config()
    c.optimizer.momentum = 0.0
    c.schedule.base_lr = 1e-6
    c.train.epochs = 4
    return c
