"""Regression on tabular rows: an MLP on scikit-learn's make_friedman1 data (y = 10 sin(pi x1 x2)
+ 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 + noise).

    python -m launchers.train --config=configs/tabular_regression.py

Your own CSV, target in a column named "price" (targets in any units: they are standardized
inside training, the metrics and the export stay in the target's units):

    python -m launchers.train --config=configs/tabular_regression.py \
        --config.data.name=csv --config.data.path=/path/to/data.csv --config.data.label_column=price

Reports mae and rmse; `--config.task.loss=mae` or `huber` for targets with outliers.
"""

from ktrain_kit.config import default_config


def get_config():
    c = default_config()
    c.task.name = "regression"
    c.task.loss = "mse"
    c.data.name = "synthetic_tabular"
    c.data.synthetic_examples = 4096  # generated data only: never caps a file of yours
    c.data.num_features = 10
    c.data.batch_size = 64
    c.model.name = "mlp"
    c.model.width = 128
    c.model.depth = 2
    c.model.norm = "none"
    c.model.dropout = 0.0
    c.optimizer.name = "adam"
    c.schedule.name = "cosine"
    c.schedule.base_lr = 3e-3
    c.schedule.warmup_epochs = 1.0
    c.train.epochs = 30
    c.train.precision = "float32"
    c.callbacks.early_stopping.patience = 8
    return c
