"""The model emits logits but the loss is told they are probabilities (from_logits=False).

    python -m launchers.train --config=configs/faults/logits_as_probabilities.py

Symptom: wrong_loss (critical): Keras clips the 'probabilities' into [eps, 1] and learning stalls.
"""

from configs.faults._base import base_config


def get_config():
    c = base_config()
    c.model.from_logits = False
    c.train.epochs = 3
    return c
