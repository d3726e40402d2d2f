"""Evaluate a finished run's final weights on its validation split."""

import json
import os

from ktrain_kit import restore


def evaluate(workdir: str) -> dict:
    config, data, model = restore.load_run(workdir)
    from ktrain_kit import data as data_lib
    results = model.evaluate(data_lib.eval_pipeline(data.x_val, data.y_val, config.data.batch_size),
                             return_dict=True, verbose=0)
    results = {k: float(v) for k, v in results.items()}
    with open(os.path.join(workdir, "evaluation.json"), "w") as f:
        json.dump(results, f, indent=2)
    return results
