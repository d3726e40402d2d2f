"""The config of an earlier run, read from its folder's config.json: train it again, changed.

    python -m launchers.train --config=configs/from_run.py:runs/digits_mlp-... \
        --config.schedule.base_lr=0.01

The repair loop (`python -m launchers.doctor RUN --fix`) prints such a command for its best
run. Keys added to ktrain_kit since that run keep their defaults.
"""

from ktrain_kit.errors import UserError
from ktrain_kit.restore import load_config


def get_config(run_folder=""):
    if not run_folder:
        raise UserError("no run folder given; put it after the path: "
                        "--config=configs/from_run.py:RUN_FOLDER")
    config, _ = load_config(run_folder)
    return config
