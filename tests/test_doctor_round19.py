"""Round 19 (helpers playing users, h81-h83): findings that named the wrong thing.

- Under a normalized step (Adam, RMSprop) the step is the rate times the gradient over its own
  running size: targets of mean 200 left unscaled give a gradient ~100x the weights at step 0,
  and the run fits them (R^2 0.99, checked with NumPy) - it was told to clip gradients.
- Beside a critical finding on the program's loss or data, finite gradients that did not grow
  are its consequence: info.
- A gap between training and validation while the validation loss still improves is not
  overfitting yet.
- Training rows that taught nothing (the loss never below a guess's, the simple model at
  chance on them) are unrelated labels, a validation score a little above chance aside.
- A first epoch a hair above the first batch is no rise that killed the ReLUs.
Plain Keras with our TrainingDoctor, or the rules on recorded curves.
"""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from ktrain_kit.callbacks import TrainingDoctor  # noqa: E402


def _table(seed=0):
    from sklearn.datasets import make_regression
    x, y = make_regression(n_samples=2000, n_features=8, n_informative=6, noise=5,
                           random_state=seed)
    x = ((x - x.mean(axis=0)) / x.std(axis=0)).astype("float32")
    return x, y


def _fit(model, x, y, epochs, **compile_args):
    keras.utils.set_random_seed(0)
    model.compile(**compile_args)
    doctor = TrainingDoctor(probe_data=(x[1500:1628], y[1500:1628]),
                            reference_data=(x[:1024], y[:1024]))
    model.fit(x[:1500], y[:1500], validation_data=(x[1500:], y[1500:]), epochs=epochs,
              batch_size=32, verbose=0, callbacks=[doctor])
    return doctor


def _severities(doctor, symptom):
    return [f.severity for f in doctor.findings if f.symptom == symptom]


def test_unscaled_targets_under_adam_are_not_exploding_gradients():
    x, y = _table()
    y = (200 + 60 * y / y.std()).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
    doctor = _fit(model, x, y, 30, optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    predicted = model.predict(x[1500:], verbose=0)[:, 0]
    r2 = 1 - np.mean((predicted - y[1500:]) ** 2) / np.var(y[1500:])
    assert r2 > 0.98  # NumPy: the run fits its targets
    grad_to_weight = max(p["grad_norm"] / p["weight_norm"] for p in doctor.probes)
    assert grad_to_weight > 10  # the premise: gradients far larger than the weights
    assert _severities(doctor, "exploding_gradients") in ([], ["info"]), \
        [(f.symptom, f.severity, f.causes[0]) for f in doctor.findings]


def test_finite_gradients_beside_a_critical_wrong_loss_are_its_consequence():
    """A softmax over the batch axis (critical wrong_loss) under SGD, the loss flat, the
    gradient 300x the weights at every probe, finite and not growing: the loss is what to
    fix - clipping the gradient would not. Growth or non-finite values stay an explosion."""
    from ktrain_kit import doctor
    facts = {"loss_name": "sparse_categorical_crossentropy", "from_logits": False,
             "output_activation": "softmax", "num_outputs": 3, "labels_shape": [76],
             "labels_min": 0.0, "labels_max": 2.0, "labels_integer": True,
             "labels_distinct": 3, "softmax_over_last_axis": False,
             "optimizer_step": "proportional"}
    epochs = [{"loss": v, "val_loss": v} for v in (1.10, 1.09, 1.09, 1.08)]

    def probes(norms):
        return [{"step": 10 * i, "epoch": i, "grad_norm": g, "weight_norm": 1.0,
                 "probe_loss": 1.1} for i, g in enumerate(norms)]

    flat = doctor.diagnose(epochs, [], probes([300.0, 310.0, 290.0, 305.0]), facts)
    assert "critical" in [f.severity for f in flat if f.symptom == "wrong_loss"]
    assert [f.severity for f in flat if f.symptom == "exploding_gradients"] == ["info"]
    grown = doctor.diagnose(epochs, [], probes([3.0, 300.0, 3e4, 3e6]), facts)
    assert [f.severity for f in grown if f.symptom == "exploding_gradients"] != ["info"]


def test_a_gap_while_validation_still_improves_is_not_overfitting():
    """A text bag after 3 epochs (Round 19, h81): training accuracy 0.996, validation 0.886,
    its loss falling every epoch (1.25 -> 0.63 -> 0.54) - the best epoch is the last, nothing
    lost to memorizing yet; it was a warning, it is now info. The same gap once the
    validation loss has turned back up is a warning."""
    from ktrain_kit import doctor
    facts = {"loss_name": "sparse_categorical_crossentropy", "from_logits": False,
             "output_activation": "softmax", "num_outputs": 6, "labels_shape": [256],
             "labels_min": 0.0, "labels_max": 5.0, "labels_integer": True,
             "labels_distinct": 6}

    def epochs(val_losses, val_accs):
        return [{"loss": l, "accuracy": a, "val_loss": v, "val_accuracy": va}
                for l, a, v, va in zip([1.72, 0.56, 0.16, 0.08], [0.28, 0.91, 0.996, 0.999],
                                       val_losses, val_accs)]

    improving = doctor.diagnose(epochs([1.25, 0.63, 0.54], [0.56, 0.80, 0.886]), [], [], facts)
    assert "overfitting" not in {f.symptom for f in improving if f.severity != "info"}
    turned = doctor.diagnose(epochs([1.25, 0.63, 0.54, 0.80], [0.56, 0.80, 0.886, 0.87]), [],
                             [], facts)
    assert "overfitting" in {f.symptom for f in turned if f.severity != "info"}


def test_training_rows_that_taught_nothing_are_not_excused_by_a_validation_near_chance():
    """Digits zipped out of line in tf.data (h84): the training loss at ln 10 for every epoch,
    the simple model at chance on the training pairs, the model 0.175 on 254 validation rows -
    above chance's margin (0.15) by a little, and the run was called healthy. A twin whose
    training loss fell below a guess's keeps the validation reading."""
    from ktrain_kit import doctor
    facts = {"loss_name": "sparse_categorical_crossentropy", "from_logits": False,
             "output_activation": "softmax", "num_outputs": 10, "labels_shape": [128],
             "labels_min": 0.0, "labels_max": 9.0, "labels_integer": True,
             "labels_distinct": 10,
             "reference": {"metric": "balanced_accuracy", "n": 1347, "n_effective": 1346,
                           "model": 0.105, "simple": 0.09, "simple_model": "nearest neighbours",
                           "chance": 0.1, "majority": 0.102, "model_on_probe": 0.175,
                           "chance_on_probe": 0.1, "n_probe": 254}}

    def epochs(losses):
        return [{"loss": l, "accuracy": 0.1, "val_loss": 2.30, "val_accuracy": 0.18}
                for l in losses]

    nothing = doctor.diagnose(epochs([2.311, 2.306, 2.304, 2.303, 2.303]), [], [], facts)
    assert ("data_problem", "critical") in [(f.symptom, f.severity) for f in nothing]
    learned = doctor.diagnose(epochs([2.2, 1.6, 1.2, 0.9, 0.7]), [], [], facts)
    assert ("data_problem", "critical") not in [(f.symptom, f.severity) for f in learned]


def test_a_first_epoch_a_hair_above_the_first_batch_is_no_rise_that_killed_the_units():
    """h84: 1.0986 at the first batch, 1.1025 as the first epoch's mean, the ReLUs dead by
    the second probe: 'learning rate too high: the training loss rose from 1.1 to 1.1'. A
    rise under a tenth of the loss's scale (ln 3 here) is the batch's sampling."""
    from ktrain_kit import doctor
    facts = {"loss_name": "sparse_categorical_crossentropy", "from_logits": False,
             "output_activation": "softmax", "num_outputs": 3}
    probes = [{"step": 10 * i, "epoch": i, "dead_relu_fraction": d, "probe_loss": 1.1,
               "grad_norm": 1e-3, "update_ratio": 1e-3}
              for i, d in enumerate([0.1, 0.9, 0.95, 0.95, 0.95])]
    epochs = [{"loss": l, "accuracy": 0.33, "val_loss": 1.1, "val_accuracy": 0.33}
              for l in (1.1025, 1.1, 1.099, 1.0988)]
    found = doctor.diagnose(epochs, [(1, 1, 1.0986)], probes, facts)
    dead = next(f for f in found if f.symptom == "dead_units")
    assert dead.evidence["loss_rose_at_epoch"] is None
    assert "rose from" not in dead.causes[0]
