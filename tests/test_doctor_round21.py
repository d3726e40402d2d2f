"""Round 21 of the doctor: where early stopping restores its best epoch, the model ends with that
epoch's weights. The epochs after it are early stopping's patience - a validation loss rising
there is how it finds the best, not a model trained too long - and the gap that matters is the
kept epoch's (a helper's program: EarlyStopping(restore_best_weights=True) was told 'trained
too long' and 'try early stopping')."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from ktrain_kit.callbacks import TrainingDoctor  # noqa: E402
from ktrain_kit.doctor import rules  # noqa: E402


def _epochs(losses, accs, val_losses, val_accs):
    return [{"loss": l, "accuracy": a, "val_loss": vl, "val_accuracy": va, "lr": 0.01}
            for l, a, vl, va in zip(losses, accs, val_losses, val_accs)]


# Validation is best at epoch 3 (a small gap there), then its loss climbs while the
# training set is memorized: the textbook overfitting of a run that went on too long.
TURNED_UP = _epochs([0.9, 0.4, 0.2, 0.05, 0.01, 0.002, 0.001],
                    [0.7, 0.88, 0.95, 0.99, 1.0, 1.0, 1.0],
                    [0.9, 0.5, 0.35, 0.45, 0.6, 0.8, 0.95],
                    [0.7, 0.86, 0.92, 0.91, 0.9, 0.89, 0.88])


def _overfitting(epochs, facts):
    found = [f for f in rules.diagnose(epochs, [], [], facts) if f.symptom == "overfitting"]
    return found[0] if found else None


def test_patience_after_the_kept_epoch_is_not_overfitting():
    told = _overfitting(TURNED_UP, {})
    assert told is not None and told.severity == "warning"  # the control: no early stopping
    assert any("too long" in c for c in told.causes)
    assert _overfitting(TURNED_UP, {"kept_epoch": 3}) is None


def test_a_kept_epoch_after_the_best_loss_is_judged_there():
    """Early stopping that monitors accuracy can keep an epoch past the lowest validation loss:
    the rise up to the kept epoch is the model's, the rest is not."""
    kept_late = _overfitting(TURNED_UP, {"kept_epoch": 6, "from_launcher": True})
    assert kept_late is not None and kept_late.evidence["kept_epoch"] == 6
    assert kept_late.evidence["epochs_after_best"] == 3  # epochs 4-6, not 4-7
    assert kept_late.evidence["final_val_loss"] == 0.8  # the kept epoch's, not the last's


def test_a_gap_at_the_kept_epoch_is_still_told_without_training_too_long():
    """Memorized at the kept epoch (training 1.0, validation 0.85, its loss 6x): more data or
    regularization would lift it, and validation stopped improving - a warning, not the
    'still improving' info - but early stopping is already there: not offered."""
    memorized = _epochs([0.9, 0.2, 0.02, 0.01, 0.005, 0.002],
                        [0.7, 0.95, 1.0, 1.0, 1.0, 1.0],
                        [0.9, 0.4, 0.12, 0.2, 0.3, 0.4],
                        [0.7, 0.84, 0.85, 0.85, 0.84, 0.84])
    told = _overfitting(memorized, {"kept_epoch": 3, "from_launcher": True})
    assert told is not None and told.severity == "warning"
    assert told.evidence["epochs_after_best"] == 0
    assert not any("too long" in c for c in told.causes)
    assert not any("early stopping" in r for r in told.remedies)
    assert not any("early_stopping" in o for o in told.suggested_overrides)


@pytest.mark.parametrize("bad", [0, 7, 8, 2.0, True, "3", None])
def test_a_kept_epoch_that_names_no_earlier_epoch_changes_nothing(bad):
    """Only an epoch before the last changes the verdict (the last kept is the run itself;
    the earlier ones are the tests above)."""
    assert _overfitting(TURNED_UP, {"kept_epoch": bad}).evidence.get("epochs_after_best") == 4


def _digits_fit(order, restore):
    """150 training digits into a 256-unit MLP: validation loss turns up within a few epochs."""
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    x = (x / 16).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    doctor = TrainingDoctor(probe_data=(x[1000:1128], y[1000:1128]))
    stopping = keras.callbacks.EarlyStopping(patience=4, restore_best_weights=restore)
    history = model.fit(x[:150], y[:150], validation_data=(x[1000:1400], y[1000:1400]),
                        epochs=40, batch_size=32, verbose=0,
                        callbacks=[stopping, doctor] if order == "stopping first" else
                        [doctor, stopping])
    return doctor, stopping, history.history


@pytest.mark.parametrize("order", ["stopping first", "doctor first"])
def test_the_doctor_reads_the_epoch_early_stopping_keeps(order):
    """In the user's own fit, listed before or after the doctor (Keras restores in
    on_train_end, so a doctor listed first diagnoses before the restore)."""
    doctor, stopping, history = _digits_fit(order, restore=True)
    best = int(np.argmin(history["val_loss"])) + 1
    assert best < len(history["val_loss"])  # it stopped after its patience
    assert doctor.facts["kept_epoch"] == stopping.best_epoch + 1 == best
    for f in doctor.findings:
        assert not any("too long" in c for c in f.causes), f


def test_without_restoring_the_last_epoch_is_kept():
    doctor, _, _ = _digits_fit("stopping first", restore=False)
    assert "kept_epoch" not in doctor.facts


def test_memorizing_shown_after_the_kept_epoch_counts_the_gap_at_it():
    """An epoch's training accuracy is a mean over weights still improving: a run launcher
    early stopping ended (texts cut to 4 tokens) kept epoch 5 at training 0.978 and
    validation 0.754, and reached 0.994 on its training rows two epochs later. The model
    memorizes; the kept epoch's 22-point gap is what it ends with. Where the kept epoch's gap
    is small, the memorizing after it is early stopping's to undo - and did."""
    wide_at_kept = _epochs([0.9, 0.5, 0.2, 0.12, 0.08, 0.05, 0.03],
                           [0.4, 0.8, 0.93, 0.97, 0.978, 0.988, 0.994],
                           [1.2, 0.8, 0.7, 0.65, 0.627, 0.635, 0.642],
                           [0.45, 0.66, 0.72, 0.72, 0.754, 0.769, 0.754])
    told = _overfitting(wide_at_kept, {"kept_epoch": 5})
    assert told is not None and told.severity == "warning"
    assert told.evidence["train_minus_val_metric"] == pytest.approx(0.978 - 0.754)
    narrow_at_kept = _epochs([0.9, 0.5, 0.2, 0.12, 0.05, 0.02, 0.01],
                             [0.4, 0.8, 0.93, 0.95, 0.99, 1.0, 1.0],
                             [1.2, 0.6, 0.4, 0.3, 0.45, 0.6, 0.8],
                             [0.45, 0.8, 0.9, 0.92, 0.89, 0.88, 0.87])
    assert _overfitting(narrow_at_kept, {"kept_epoch": 4}) is None
    assert _overfitting(narrow_at_kept, {}) is not None  # the control: the last epoch kept


# A run below its reference that fits its training rows no better than unseen ones (the
# capacity test of "too small"): 10 epochs of 45 steps, the loss level at the end (a cosine
# schedule ended at 0), the model at 0.23 balanced accuracy where nearest neighbours reach 0.96.
FLAT_BELOW = [{"loss": l, "accuracy": a, "val_loss": l - 0.3, "val_accuracy": a + 0.05, "lr": 5e-5}
              for l, a in zip([2.84, 2.76, 2.70, 2.64, 2.58, 2.53, 2.49, 2.46, 2.45, 2.45],
                              [0.10, 0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.15, 0.16, 0.16])]
BELOW_REFERENCE = {"reference": {"metric": "balanced_accuracy", "n": 1024, "n_effective": 1024,
                                 "model": 0.23, "simple": 0.96, "chance": 0.1,
                                 "simple_model": "nearest neighbours"},
                   "from_launcher": True, "base_lr": 5e-5, "task": "classification",
                   "num_outputs": 10}


def _probes(ratio):
    """A probe every 45 steps whose weights moved `ratio` of their size per step."""
    return [{"step": 0, "epoch": 0, "probe_loss": 2.9}] + [
        {"step": 45 * k, "epoch": k, "probe_loss": 2.9 - 0.04 * k, "update_ratio": ratio}
        for k in range(1, 11)]


def _underfitting(probes):
    found = [f for f in rules.diagnose(FLAT_BELOW, [], probes, BELOW_REFERENCE)
             if f.symptom == "underfitting"]
    assert len(found) == 1, found
    return found[0]


def test_a_model_whose_weights_barely_moved_is_not_called_too_small():
    """digits_mlp at base_lr=5e-5 (1000x below its shipped SGD rate; a helper's run): the
    weights moved 1.1% of their size over 880 steps, and it was told 'too small or too
    regularized: a wider or deeper model'. Here 450 steps of 2e-5 each: 0.9% in all
    (closed form), the rate is named, and the repair raises it first."""
    from ktrain_kit.doctor import remedies
    told = _underfitting(_probes(2e-5))
    assert told.evidence["weights_moved"] == pytest.approx(450 * 2e-5)
    assert "not shown too small" in told.causes[0] and "learning rate" in told.causes[0]
    assert told.suggested_overrides == ["--config.schedule.base_lr=0.0005"]
    assert remedies._steps_too_small(told.to_dict())


def test_a_model_whose_weights_travelled_is_still_too_small():
    """The control: the same curves with steps of 2e-3 (90% of their size in all, as digits
    models 1-2 units wide moved 89-93%): its size was tested, and is the answer."""
    told = _underfitting(_probes(2e-3))
    assert "weights_moved" not in told.evidence
    assert "too small" in told.causes[0] and "not shown" not in told.causes[0]
    assert "--config.model.width=128" in told.suggested_overrides


def test_the_probe_measures_each_relu_layers_dead_share():
    """Per ReLU layer: its units, whether it is the output, and the share of its units silent
    on every probe example - against the layers' own outputs read through NumPy."""
    from ktrain_kit.doctor.probe import Probe
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6,))
    narrow = keras.layers.Dense(3, activation="relu", bias_initializer=keras.initializers.Constant(
        [-50.0, -50.0, 0.0]))(inputs)  # two of its three units dead on any small input
    wide = keras.layers.Dense(16, activation="relu")(inputs)
    joined = keras.layers.Concatenate()([narrow, wide])
    model = keras.Model(inputs, keras.layers.Dense(2, activation="relu")(joined))
    model.compile("adam", "mse")
    x = np.random.default_rng(0).normal(size=(64, 6)).astype("float32")
    stats = Probe(model, x, np.zeros((64, 2), "float32"))()
    outputs = keras.Model(inputs, [narrow, wide, model.outputs[0]])(x)
    expected = [[3, float(np.mean(np.all(np.asarray(outputs[0]) <= 0, axis=0))), False],
                [16, float(np.mean(np.all(np.asarray(outputs[1]) <= 0, axis=0))), False],
                [2, float(np.mean(np.all(np.asarray(outputs[2]) <= 0, axis=0))), True]]
    assert expected[0][1] == pytest.approx(2 / 3)
    measured = sorted(stats["dead_relu_layers"])
    assert [(u, o) for u, _, o in measured] == [(u, o) for u, _, o in sorted(expected)]
    assert [s for _, s, _ in measured] == pytest.approx([s for _, s, _ in sorted(expected)])
    assert stats["dead_relu_fraction"] == pytest.approx(max(s for _, s, _ in expected))


def _dead(layers, ratio=3e-3):
    """Probes of a run whose ReLU `layers` ([units, share at the end, is output]) died in the
    first epoch, its weights moving `ratio` of their size a step."""
    return [{"step": 0, "epoch": 0, "probe_loss": 2.33, "dead_relu_fraction": 0.5,
             "probe_examples": 64}] + [
        {"step": 44 * k, "epoch": k, "probe_loss": 2.30, "probe_examples": 64,
         "dead_relu_fraction": max(share for _, share, _ in layers), "update_ratio": ratio,
         "dead_relu_layers": layers} for k in range(1, 9)]


LEVEL = [{"loss": 2.31 - 0.002 * k, "accuracy": 0.1, "val_loss": 2.30, "val_accuracy": 0.1,
          "lr": 0.05} for k in range(8)]
FACTS = {"from_launcher": True, "base_lr": 0.05, "task": "classification", "num_outputs": 10}


def _dead_finding(probes, epochs=LEVEL):
    return next(f for f in rules.diagnose(epochs, [], probes, FACTS)
                if f.symptom == "dead_units")


@pytest.mark.parametrize("layers, narrow", [
    ([[2, 1.0, False], [2, 0.5, False]], 2),      # digits_mlp at model.width=2
    ([[4, 1.0, False], [64, 0.2, False]], 4),     # only the narrow layer dead
    ([[5, 1.0, False]], None),                    # wider than NARROW_RELU_LAYER
    ([[4, 1.0, False], [256, 0.7, False]], None),  # the wide layer died too (a helper's)
    ([[3, 1.0, True]], None),                     # a dead ReLU output: the loss's to name
])
def test_dead_units_in_a_layer_with_none_to_spare_name_its_width(layers, narrow):
    """A helper's digits_mlp at model.width=2: every unit of a layer dead after one epoch at
    the shipped rate, no loss rise, no spike - told "learning rate too high". Where every dead
    layer is hidden and 4 units or fewer, the width comes first and the repair widens; the
    controls keep the rate first."""
    from ktrain_kit.doctor import remedies
    dead = _dead_finding(_dead(layers))
    actions = [remedies._name(a) for a in remedies._actions("dead_units", dead.to_dict())]
    if narrow:
        assert dead.causes[0].startswith(f"a ReLU layer of only {narrow} units")
        assert dead.evidence["narrowest_relu_layer_units"] == narrow
        assert dead.suggested_overrides[0] == "--config.model.width=64"
        assert actions[0] == "wider"
    else:
        assert dead.causes[0].startswith("learning rate too high")
        assert actions[0] != "wider"


def test_a_narrow_layer_whose_steps_were_large_keeps_the_rate_first():
    """Steps seen too large - the training loss rising above its start, or weights moving more
    than HEALTHY_UPDATE_HIGH of their size a step before the units died (a helper's 3 units
    under SGD at 3.0, its loss flat) - are the rate's, narrow layer or not."""
    narrow = [[2, 1.0, False]]
    rising = [dict(e, loss=2.31 + (1.0 if k == 3 else 0.0)) for k, e in enumerate(LEVEL)]
    assert _dead_finding(_dead(narrow), rising).causes[0].startswith("learning rate too high")
    assert _dead_finding(_dead(narrow, ratio=0.05)).causes[0].startswith(
        "learning rate too high")
    assert _dead_finding(_dead(narrow, ratio=0.009)).causes[0].startswith("a ReLU layer")


# sequence_transformer at base_lr=0.1 (100x its rate), seed 1, through the launcher: epoch 1
# (the warmup) learned fast, then the full rate threw it away - validation 0.34 -> 0.92 and
# never back; early stopping kept epoch 1 (0.883 against its twin's 0.979), and it was
# called healthy: the epoch means rose only 1.4x (0.676 -> 0.955).
WARMUP_LOST = [{"loss": l, "accuracy": a, "val_loss": vl, "val_accuracy": va, "lr": lr}
               for l, a, vl, va, lr in [(0.676, 0.7764, 0.34, 0.8828, 0.1),
                                        (0.711, 0.7649, 0.7133, 0.7393, 0.095),
                                        (0.9553, 0.6702, 0.9184, 0.668, 0.0812),
                                        (0.8613, 0.7085, 0.7482, 0.7432, 0.0611),
                                        (0.7609, 0.74, 0.6888, 0.7695, 0.0389),
                                        (0.6428, 0.7815, 0.6717, 0.7705, 0.0188)]]
# the probe (fixed training rows) at each epoch's end: 0.305 after the warmup, 0.797 at epoch 3
END_PROBES = [{"step": 0, "epoch": 1, "probe_loss": 2.576}] + [
    {"step": 64 * e, "epoch": e, "probe_loss": loss}
    for e, loss in enumerate([0.305, 0.568, 0.797, 0.744, 0.542, 0.57], start=1)]
TRANSFORMER = {"task": "classification", "num_outputs": 8, "from_launcher": True,
               "loss_name": "sparse_categorical_crossentropy", "from_logits": True,
               "base_lr": 0.1, "dropout_rate_max": 0.1}


def test_a_rise_the_warmup_epoch_mean_hides_is_read_at_the_epoch_ends():
    """The closed-form premise, then the verdict: the epoch means rose less than
    UNSTABLE_RISE (1.5x), the probe at the epoch ends 2.6x, validation 2.7x."""
    assert 0.9553 / 0.676 < rules.UNSTABLE_RISE < 0.797 / 0.305
    found = rules.diagnose(WARMUP_LOST, [], END_PROBES, TRANSFORMER)
    unstable = [f for f in found if f.symptom == "unstable"]
    assert unstable and unstable[0].severity == "warning", found
    assert unstable[0].causes[0].startswith("learning rate too high")
    assert unstable[0].suggested_overrides[0] == "--config.schedule.base_lr=0.03"


def test_a_probe_rising_while_the_training_loss_falls_is_not_instability():
    """The control: a validation probe rising while the training loss keeps falling is a
    model memorizing (the overfitting rule's), not steps too large."""
    falling = [dict(e, loss=0.676 * 0.8 ** i, accuracy=min(0.78 + 0.04 * i, 1.0))
               for i, e in enumerate(WARMUP_LOST)]
    found = rules.diagnose(falling, [], END_PROBES, TRANSFORMER)
    assert not [f for f in found if f.symptom == "unstable"], found


def test_too_few_steps_of_a_healthy_size_ask_for_more_steps_not_a_higher_rate():
    """A helper's program: 64 units under Adam's default 1e-3 with batches of 2,000 (8 steps
    in all) - told to raise the rate tenfold first. Steps of 5e-3 of the weights' size each
    (inside the healthy band) but 10 of them: 5% in all (closed form). More steps come first,
    and the repair trains longer before it touches the rate."""
    from ktrain_kit.doctor import remedies
    few = [{"step": 0, "epoch": 0, "probe_loss": 2.9}] + [
        {"step": k, "epoch": k, "probe_loss": 2.9 - 0.04 * k, "update_ratio": 5e-3}
        for k in range(1, 11)]
    told = _underfitting(few)
    assert told.evidence["weights_moved"] == pytest.approx(10 * 5e-3)
    assert told.evidence["too_few_steps"] is True
    assert "too few steps" in told.causes[0]
    assert told.remedies[0].startswith("more steps")
    assert told.suggested_overrides == ["--config.train.epochs=40"]
    actions = [remedies._name(a) for a in remedies._actions("underfitting", told.to_dict())]
    assert actions[:2] == ["longer", "learning rate x10"]
    assert not remedies._steps_too_small(told.to_dict())
