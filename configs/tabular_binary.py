"""Binary classification of tabular rows: an MLP on scikit-learn's make_classification data.

    python -m launchers.train --config=configs/tabular_binary.py

Your own CSV with a 0/1 (or yes/no, True/False, any two values) column named "label":

    python -m launchers.train --config=configs/tabular_binary.py \
        --config.data.name=csv --config.data.path=/path/to/data.csv --config.data.label_column=label

Reports accuracy and AUC; the export returns `probability` of the second label value (sorted).
"""

from ktrain_kit.config import default_config


def get_config():
    c = default_config()
    c.task.name = "binary"
    c.data.name = "synthetic_tabular"
    c.data.synthetic_examples = 4096  # generated data only: never caps a file of yours
    c.data.num_features = 20
    c.data.batch_size = 64
    c.model.name = "mlp"
    c.model.width = 64
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
