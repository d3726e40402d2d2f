"""The config's network: `model.name`'s builder plus the task's output layers, no optimizer.

One floor below training, restore and fine-tuning, which all build the same network (to train
it, to load a run's weights into it, to read a source run's weights).
"""


def build_network(c, data):
    """The config's model for `data` with the task's output layers (no optimizer). A built-in
    model's batch norm averages its statistics over about one epoch (`models.fit_batch_norm`);
    a builder of the user's own keeps what it chose."""
    from ktrain_kit import models, tasks
    from ktrain_kit.errors import config_error
    own = ":" in c.model.name
    try:
        model = models.build(c.model, data)
        if not own:
            models.fit_batch_norm(model, data.train_size // max(1, c.data.batch_size))
        return tasks.add_output_layers(model, c.task.name, data.labels)
    except RecursionError:  # Keras walks a functional graph recursively, a call per layer
        key, what = ("model.name", f"the builder {c.model.name}") if own else \
            ("model.depth", f"a {c.model.name} of depth {c.model.depth}")
        raise config_error(key, f"{what} has more layers in a chain than Keras can build (it "
                           "recurses once per layer, past Python's recursion limit)",
                           "use fewer layers (a few hundred at most)") from None
