"""Learning rate and optimizer for the digits MLP: 20 trials, TPE, median pruning.

    python -m launchers.sweep --config=configs/digits_mlp.py --sweep=sweeps/digits_mlp_lr.py \
        --workdir=runs/sweep-digits-mlp [--workers=2]

The first trial is the config's own values (SGD, 0.05); best.json says what beat it.
"""


def get_sweep():
    return dict(
        metric="val_accuracy",
        trials=20,
        space={
            "schedule.base_lr": ("log_uniform", 1e-4, 1.0),
            "optimizer.name": ("choice", ["sgd", "adamw"]),
            "model.dropout": ("uniform", 0.0, 0.5),
        },
        pruner="median",
        sampler="tpe",
    )
