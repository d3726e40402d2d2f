"""`fit()`: Keras `fit` that can also start in the middle of an epoch, or after the last one.

A run resumed from a mid-epoch checkpoint must train the rest of the interrupted epoch, then the
remaining epochs, and its callbacks must see one training with the epoch numbers of the
uninterrupted run. Keras' `fit` starts only at epoch boundaries (stock `BackupAndRestore` replays
the interrupted epoch from its first batch), so this runs two fits - the rest of epoch e, then
epochs e+1.. - under one `CallbackList` that passes on `on_train_begin` and `on_train_end` once.

A run resumed after its training had ended (killed while exporting, or after early stopping
ended it) trains nothing: `finish()` does what the end of Keras' `fit` does - the EMA swap, then
the callbacks' `on_train_end` (early stopping restores its best weights, the doctor diagnoses) -
so every later phase sees what the uninterrupted run saw.
"""

import contextlib

import keras


def fit(model, dataset, *, epochs, steps_per_epoch, validation_data, callbacks, verbose,
        initial_epoch=0, initial_step=0):
    """Trains epochs [initial_epoch, epochs), skipping the first `initial_step` batches.

    `dataset(first_epoch, end_epoch, skip_steps)` returns the training batches of those epochs,
    without the first `skip_steps`. Returns the `History`.
    """
    def run(first_epoch, end_epoch, skip, callback_list):
        return model.fit(dataset(first_epoch, end_epoch, skip), validation_data=validation_data,
                         epochs=end_epoch, initial_epoch=first_epoch,
                         steps_per_epoch=steps_per_epoch - skip, callbacks=callback_list,
                         verbose=verbose, shuffle=False)

    if not initial_step:
        return run(initial_epoch, epochs, 0, callbacks)

    one_training = _OneTraining(callbacks, add_history=True, add_progbar=verbose != 0,
                                verbose=verbose, epochs=epochs,
                                steps=steps_per_epoch - initial_step, model=model)
    with _keep_training_weights(model.optimizer):  # the epoch goes on: no EMA swap yet
        run(initial_epoch, initial_epoch + 1, initial_step, one_training)
    if not model.stop_training and initial_epoch + 1 < epochs:
        one_training.set_params({**one_training.params, "steps": steps_per_epoch})
        run(initial_epoch + 1, epochs, 0, one_training)
    else:  # that was the last epoch, or a callback stopped training in it
        model.optimizer.finalize_variable_values(model.trainable_weights)
    history = model.history
    one_training.finish({k: v[-1] for k, v in history.history.items() if v})
    return history


def finish(model, callbacks, epochs, steps_per_epoch):
    """The end of a training whose epochs are all done: `on_train_begin` (where checkpoints put
    the callbacks' state back), the EMA swap, `on_train_end`."""
    callback_list = keras.callbacks.CallbackList(callbacks, model=model, add_history=False,
                                                 add_progbar=False, epochs=epochs,
                                                 steps=steps_per_epoch, verbose=0)
    callback_list.on_train_begin()
    model.optimizer.finalize_variable_values(model.trainable_weights)
    callback_list.on_train_end()


class _OneTraining(keras.callbacks.CallbackList):
    """Callbacks that see several `fit` calls as one training: begun once, ended by `finish`."""

    _begun = False

    def on_train_begin(self, logs=None):
        if not self._begun:
            self._begun = True
            super().on_train_begin(logs)

    def on_train_end(self, logs=None):
        pass

    def finish(self, logs):
        super().on_train_end(logs)


@contextlib.contextmanager
def _keep_training_weights(optimizer):
    """Stops `fit` from swapping in the EMA weights at its end (it calls this hook)."""
    optimizer.finalize_variable_values = lambda var_list: None
    try:
        yield
    finally:
        del optimizer.finalize_variable_values
