"""Rebuild a finished run from its folder (config.json + final weights), for evaluate and export.

The user repeats nothing: the resolved config says how the data was split and the model built.
"""

import json
import os

import ml_collections

from ktrain_kit import runfolder
from ktrain_kit.errors import UserError

FINAL_WEIGHTS = os.path.join("checkpoints", "final.weights.h5")


def load_config(workdir: str) -> ml_collections.ConfigDict:
    path = os.path.join(workdir, runfolder.CONFIG)
    if not os.path.exists(path):
        raise UserError(f"run folder '{workdir}' has no {runfolder.CONFIG}; pass the folder a "
                        "finished `python -m launchers.train` run wrote")
    with open(path) as f:
        return ml_collections.ConfigDict(json.load(f))


def load_run(workdir: str):
    """Returns (config, dataset, model with the run's final weights)."""
    config = load_config(workdir)
    weights = os.path.join(workdir, FINAL_WEIGHTS)
    if not os.path.exists(weights):
        raise UserError(f"run folder '{workdir}' has no {FINAL_WEIGHTS}: its training has not "
                        "finished; resume it with `python -m launchers.train` first")

    from ktrain_kit import data as data_lib
    from ktrain_kit import models
    dataset = data_lib.load(config.data, config.seed)
    model = models.build(config.model, dataset)
    model.load_weights(weights)
    loss, metrics = models.loss_and_metrics(config.model)
    model.compile(loss=loss, metrics=metrics)
    return config, dataset, model
