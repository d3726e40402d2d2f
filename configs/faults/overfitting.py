"""Tiny data, big model, no regularization: training accuracy reaches 100%, validation degrades.

    python -m launchers.train --config=configs/faults/overfitting.py

Symptom: overfitting (validation loss rises well above its best while the accuracy gap grows).
"""

from configs.faults._base import base_config


def get_config():
    c = base_config()
    c.data.train_examples = 60
    c.data.batch_size = 20
    c.model.width = 512
    c.model.depth = 3
    c.optimizer.name = "adam"
    c.schedule.base_lr = 3e-3
    c.train.epochs = 40
    return c
