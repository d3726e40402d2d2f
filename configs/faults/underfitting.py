"""A model too small for the task: three tanh units cannot separate ten digit classes.

    python -m launchers.train --config=configs/faults/underfitting.py

Symptom: underfitting (train accuracy stays low, validation about as low).
"""

from configs.faults._base import base_config


def get_config():
    c = base_config()
    c.model.width = 3
    c.model.depth = 1
    c.model.activation = "tanh"
    c.optimizer.name = "adam"
    c.schedule.base_lr = 1e-2
    return c
