"""tanh units driven into saturation: large random weights and no normalization.

    python -m launchers.train --config=configs/faults/saturated_tanh.py

Symptom: saturated_units (most tanh outputs within 1% of +-1, where the gradient is ~0).
"""

from configs.faults._base import base_config


def get_config():
    c = base_config()
    c.model.activation = "tanh"
    c.model.width = 256
    c.optimizer.name = "adam"
    c.schedule.base_lr = 0.05
    c.train.epochs = 4
    return c
