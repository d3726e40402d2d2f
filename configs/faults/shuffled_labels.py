"""Labels that do not match the inputs (every training label replaced by a random class).

    python -m launchers.train --config=configs/faults/shuffled_labels.py

Symptom: data_problem (validation accuracy stays at chance, 10%, while the loss is finite).
"""

from configs.faults._base import base_config


def get_config():
    c = base_config()
    c.data.label_noise = 1.0
    c.optimizer.name = "adam"
    c.schedule.base_lr = 1e-3
    return c
