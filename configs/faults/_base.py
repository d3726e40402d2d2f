"""The healthy starting point the faults break: digits_mlp, short, without early stopping."""

from ktrain_kit.config import default_config


def base_config():
    c = default_config()
    c.data.name = "digits"
    c.data.batch_size = 32
    c.model.name = "mlp"
    c.model.width = 64
    c.model.depth = 2
    c.model.norm = "none"
    c.model.dropout = 0.0
    c.optimizer.name = "sgd"
    c.optimizer.momentum = 0.9
    c.schedule.name = "constant"
    c.schedule.base_lr = 0.05
    c.train.epochs = 6
    c.train.precision = "float32"
    c.callbacks.early_stopping.enabled = False
    c.callbacks.doctor.interval = 20
    return c
