"""ktrain_kit: one ml_collections config in, a trained, diagnosed and exported Keras model out.

    import ktrain_kit
    config = ktrain_kit.default_config()          # or a configs/*.py get_config()
    config.train.epochs = 5
    summary = ktrain_kit.train(config, "runs/my_run")

The pieces a plain Keras user imports: the callbacks (`TrainingDoctor`, `ReduceLROnPlateau`,
`EarlyStopping`, `MetricsCSV`, `Checkpoints`, `NaNGuard`), the optimizer `SGD` (the guide's
momentum form) and the schedule `Schedule`. Importing the package is cheap: TensorFlow loads only
when one of those (or `train`) is first used.
"""

__version__ = "0.2.0"

# name -> (module, attribute): resolved on first use, so `import ktrain_kit` stays fast.
_EXPORTS = {
    "train": ("ktrain_kit.training", "train"),
    "default_config": ("ktrain_kit.config", "default_config"),
    "validate": ("ktrain_kit.config", "validate"),
    "UserError": ("ktrain_kit.errors", "UserError"),
    "TrainingDoctor": ("ktrain_kit.doctor.callback", "TrainingDoctor"),
    "ReduceLROnPlateau": ("ktrain_kit.callbacks", "ReduceLROnPlateau"),
    "EarlyStopping": ("ktrain_kit.callbacks", "EarlyStopping"),
    "MetricsCSV": ("ktrain_kit.callbacks", "MetricsCSV"),
    "Checkpoints": ("ktrain_kit.checkpointing", "Checkpoints"),
    "NaNGuard": ("ktrain_kit.callbacks", "NaNGuard"),
    "SGD": ("ktrain_kit.optim", "SGD"),
    "Schedule": ("ktrain_kit.schedules", "Schedule"),
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        import importlib
        module, attribute = _EXPORTS[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ktrain_kit' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(__all__))
