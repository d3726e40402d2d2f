"""A deep sigmoid MLP without normalization: gradients vanish before they reach the first layers.

    python -m launchers.train --config=configs/faults/deep_sigmoid.py

Symptom: vanishing_gradients (the first layer's gradients are 1000x smaller than the last's).
"""

from configs.faults._base import base_config


def get_config():
    c = base_config()
    c.model.depth = 10
    c.model.activation = "sigmoid"
    c.model.initializer = "glorot_uniform"
    c.schedule.base_lr = 0.01
    c.train.epochs = 4
    return c
