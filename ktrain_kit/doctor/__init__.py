"""The training doctor: records a training, then says what went wrong and what to change.

- `rules`: the detection rules, pure Python over plain records (no TensorFlow);
- `probe`: gradient / activation statistics on a fixed batch, in one compiled call;
- `callback`: `TrainingDoctor`, the Keras callback (also `ktrain_kit.callbacks.TrainingDoctor`);
- `report`: diagnosis.md for people, diagnosis.json for tools;
- `remedies`: findings -> ranked config changes (`suggested_config`, `plan`).

The loop that trains those changes and keeps what helps (launchers.doctor --fix) is
ktrain_kit/repair.py: it trains, so it sits beside the sweep, above training.

Importing this package loads no TensorFlow; `TrainingDoctor` does, on first use.
"""

from ktrain_kit.doctor.remedies import suggested_config
from ktrain_kit.doctor.report import report_json, report_markdown, summary_lines
from ktrain_kit.doctor.rules import TITLES, Finding, diagnose

__all__ = ["TITLES", "Finding", "TrainingDoctor", "diagnose", "report_json", "report_markdown",
           "suggested_config", "summary_lines"]


def __getattr__(name):
    if name == "TrainingDoctor":
        from ktrain_kit.doctor.callback import TrainingDoctor
        return TrainingDoctor
    raise AttributeError(f"module 'ktrain_kit.doctor' has no attribute '{name}'")
