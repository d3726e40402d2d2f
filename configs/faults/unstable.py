"""Adam with a learning rate 30x too high: the loss spikes from batch to batch.

    python -m launchers.train --config=configs/faults/unstable.py

Symptom: unstable (many batches with a loss several times the recent median).
"""

from configs.faults._base import base_config


def get_config():
    c = base_config()
    c.optimizer.name = "adam"
    c.schedule.base_lr = 0.03
    return c
