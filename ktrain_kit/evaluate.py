"""Evaluate a finished run's final weights on its validation split; writes evaluation.json."""

import json

from ktrain_kit import restore, runfolder


def evaluate(workdir: str) -> dict:
    """The task's metrics (loss and e.g. accuracy / auc / mae) of the run's final model."""
    with runfolder.open_existing(workdir) as run:
        run.check_replaceable("evaluation.json", "rename it")  # before the work it would waste
        config, data, model = restore.load_run(workdir)
        from ktrain_kit import data as data_lib
        results = model.evaluate(data_lib.eval_batches(data, config.data.batch_size),
                                 return_dict=True, verbose=0)
        results = {k: float(v) for k, v in results.items()}
        run.claim("evaluation.json", "rename it")
        runfolder.write_text(run.path("evaluation.json"),
                             json.dumps(runfolder.strict_json(results), indent=2))
    return results
