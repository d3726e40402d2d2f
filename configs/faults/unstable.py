"""Plain SGD at a learning rate 20x the base's (1.0, no momentum, no clipping): the loss jumps
back up every few epochs.

    python -m launchers.train --config=configs/faults/unstable.py

Symptom: unstable (the validation loss doubles and comes back more than once, while the
training loss rises with it). One spike that the run recovers from is not this: the doctor
needs it repeated, echoed by the training loss, or costing the end result. (The gallery's
earlier Adam at 0.03 had one such spike and ended at its best accuracy, 0.95.)
"""

from configs.faults._base import base_config


def get_config():
    c = base_config()
    c.optimizer.momentum = 0.0
    c.schedule.base_lr = 1.0
    c.train.epochs = 10
    return c
