"""ReLU units killed by a too-large learning rate: once always negative, they never recover.

    python -m launchers.train --config=configs/faults/dead_relu.py

Symptom: dead_units (more than half of a layer's ReLUs output 0 for every probe example).
"""

from configs.faults._base import base_config


def get_config():
    c = base_config()
    c.optimizer.name = "adam"
    c.schedule.base_lr = 0.1
    c.model.width = 128
    c.train.epochs = 4
    return c
