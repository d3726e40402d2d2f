"""A deep, wide ReLU MLP without normalization at a high learning rate: gradients blow up.

    python -m launchers.train --config=configs/faults/exploding_gradients.py

Symptom: exploding_gradients (the probe's gradient norm grows 50x and more, then turns
non-finite), followed by a NaN loss.
"""

from configs.faults._base import base_config


def get_config():
    c = base_config()
    c.model.depth = 6
    c.model.width = 512
    c.optimizer.momentum = 0.0
    c.schedule.base_lr = 1.0
    c.train.epochs = 3
    return c
