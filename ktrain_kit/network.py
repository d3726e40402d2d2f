"""The config's network: `model.name`'s builder plus the task's output layers, no optimizer.

One floor below training, restore and fine-tuning, which all build the same network (to train
it, to load a run's weights into it, to read a source run's weights).
"""


def build_network(c, data):
    """The config's model for `data` with the task's output layers (no optimizer)."""
    from ktrain_kit import models, tasks
    return tasks.add_output_layers(models.build(c.model, data), c.task.name, data.labels)
