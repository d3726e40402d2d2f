"""A sweep whose three trials end in the three final states, for the crash-point test and the
state-transition kills (tests/test_crash_points.py), as cheaply as a sweep can be.

One key, a grid of three models: `mlp` finishes, `nan_logits` (NaN from the first step) is
pruned by the sweep's critical pruning, `refused` raises while being built, so its trial fails.
Failed trials do not count towards `trials`, so all three run, whatever order the grid takes:

    claimed -> running -> finished | pruned | failed

This file is both the sweep file (`--sweep=tests/sweep_states.py`) and the module of the two
models (`model.name=tests.sweep_states:...`, imported from the repository root).
"""

MODELS = ["mlp", "tests.sweep_states:nan_logits", "tests.sweep_states:refused"]


def get_sweep():
    return dict(metric="val_accuracy", trials=2, space={"model.name": ("choice", MODELS)},
                sampler="grid", pruner="none")


def nan_logits(mc, data):
    """The built-in MLP with a NaN bias in its last layer: the loss is NaN at the first step."""
    import keras

    from ktrain_kit import models
    model = models.mlp(mc, data)
    last = model.layers[-1]
    last.bias.assign(keras.ops.full(last.bias.shape, float("nan")))
    return model


def refused(mc, data):
    raise ValueError("this model refuses to be built (a failed trial, on purpose)")
