"""Learning rate, warmup and weight decay for the sequence Transformer: 12 trials, TPE, pruning.

    python -m launchers.sweep --config=configs/sequence_transformer.py \
        --sweep=sweeps/sequence_transformer_lr.py --workdir=runs/sweep-transformer

Transformers are where the LR range test is least reliable (they need warmup): a sweep is the
real answer. Each trial takes about a minute on 2 CPU cores.
"""


def get_sweep():
    return dict(
        metric="val_loss",
        direction="minimize",
        trials=12,
        space={
            "schedule.base_lr": ("log_uniform", 1e-4, 1e-2),
            "schedule.warmup_epochs": ("uniform", 0.0, 2.0),
            "optimizer.weight_decay": ("log_uniform", 1e-4, 1e-1),
        },
        pruner="median",
    )
