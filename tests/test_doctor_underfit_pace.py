"""The doctor's advice on a model too small whose loss still falls: "train longer" alone only
where the run's own pace could close the gap to its simple reference in as many epochs again,
else a wider or deeper model as well (rules._longer_cannot_close). configs/faults/underfitting.py (3 tanh
units, 6 epochs) was told to train longer; its 12 epochs ended where 6 did, and
`launchers.doctor --fix` ran out of attempts before trying a wider model."""

import keras
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import cross_val_predict
from sklearn.neighbors import KNeighborsClassifier

from ktrain_kit.callbacks import TrainingDoctor


def _digits():
    x, y = load_digits(return_X_y=True)
    x = ((x - x.mean(0)) / (x.std(0) + 1e-6)).astype("float32")
    order = np.random.default_rng(0).permutation(len(x))
    return x[order], y[order]


def _fit(x, y, width, epochs, callbacks=()):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(width, activation="tanh"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x[:1400], y[:1400], validation_data=(x[1400:], y[1400:]),
                        epochs=epochs, batch_size=32, verbose=0, callbacks=list(callbacks))
    return model, history.history


def test_a_model_too_small_still_learning_slowly_is_told_wider_too():
    x, y = _digits()
    reference = (x[:1024], y[:1024])
    doctor = TrainingDoctor(probe_data=(x[1400:1528], y[1400:1528]), reference_data=reference)
    small, history = _fit(x, y, width=3, epochs=6, callbacks=[doctor])
    found = [f for f in doctor.findings if f.symptom == "underfitting"]
    assert len(found) == 1 and found[0].severity == "warning", doctor.report()
    assert found[0].remedies == [
        "train longer (more epochs), with early stopping on the validation loss",
        "a wider or deeper model as well"], found[0].remedies
    assert "as many epochs again would not close the gap" in found[0].causes[0]

    # Independently: the loss still fell in the last epoch, and the pace (mean gain in
    # training accuracy over the last 3 epochs) kept up for 6 more epochs is short of the gap
    # between the model and nearest neighbours (scikit-learn, 5-fold on the same rows).
    def balanced(model):
        return balanced_accuracy_score(reference[1], model.predict(reference[0], verbose=0)
                                       .argmax(axis=1))
    neighbours = balanced_accuracy_score(reference[1], cross_val_predict(
        KNeighborsClassifier(), *reference, cv=5))
    accuracy = np.array(history["accuracy"])
    assert history["loss"][-1] < 0.97 * history["loss"][-2]
    assert (accuracy[-1] - accuracy[-4]) / 3 * 6 < neighbours - balanced(small) - 0.05
    # ... and the advice holds: twice the epochs alone stay far below it, a wider model
    # reaches it
    longer, _ = _fit(x, y, width=3, epochs=12)
    wider, _ = _fit(x, y, width=64, epochs=6)
    assert balanced(longer) < neighbours - 0.2
    assert balanced(wider) > neighbours - 0.03
