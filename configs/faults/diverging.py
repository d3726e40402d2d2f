"""A warmup that climbs to a learning rate far too high: the loss first falls, then climbs.

    python -m launchers.train --config=configs/faults/diverging.py

Symptom: diverging (the final loss is many times its best and above where it started). Gradient
clipping keeps it finite, so it does not end in NaN.
"""

from configs.faults._base import base_config


def get_config():
    c = base_config()
    c.model.activation = "tanh"
    c.optimizer.clip_global_norm = 1.0
    c.schedule.base_lr = 3.0
    c.schedule.warmup_epochs = 5.0
    return c
