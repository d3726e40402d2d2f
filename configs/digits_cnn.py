"""The default: a small CNN with batch norm on scikit-learn's bundled 8x8 handwritten digits.

    python -m launchers.train --config=configs/digits_cnn.py

Reaches about 99% validation accuracy in well under a minute on 2 CPU cores.
"""

from ktrain_kit.config import default_config


def get_config():
    c = default_config()
    c.data.name = "digits"
    c.data.batch_size = 32
    c.model.name = "cnn"
    c.model.width = 32
    c.model.depth = 2
    c.model.norm = "batch"
    c.model.dropout = 0.1
    c.optimizer.name = "adamw"
    c.optimizer.weight_decay = 1e-4
    c.schedule.name = "cosine"
    c.schedule.base_lr = 3e-3
    c.schedule.warmup_epochs = 1.0
    c.train.epochs = 15
    c.train.precision = "float32"
    return c
