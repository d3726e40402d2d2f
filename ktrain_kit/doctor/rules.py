"""The training doctor's rules: from curves and probe statistics to findings, and the reports.

Pure Python over plain records (no TensorFlow), so each rule is easy to read and to test:

- `epochs`: one dict per epoch with loss, accuracy, val_loss, val_accuracy, lr (what fit logs);
- `batch_losses`: (step, loss) for every training batch;
- `probes`: probe statistics every N steps (see ktrain_kit/probe.py) with their step and epoch;
- `facts`: classes, the loss's from_logits, largest label, largest input value, ...

Every threshold is a named constant below, and every finding keeps the numbers that fired it.
"""

import dataclasses
import math
import statistics

# --------------------------------------------------------------------------- thresholds
CHANCE_FACTOR = 1.5            # validation accuracy <= 1.5 / classes is "at chance"
MIN_EPOCHS_FOR_TRENDS = 3      # curve rules need this many epochs
NOT_DECREASING_RATIO = 0.9     # final train loss above 90% of the loss before training
DIVERGING_RATIO = 1.5          # final train loss 1.5x above its best and above the start
SPIKE_FACTOR = 3.0             # a batch loss 3x the median of the previous SPIKE_WINDOW batches...
SPIKE_MIN_RISE = 0.1           # ...and above it by 10% of the initial loss is a spike
SPIKE_WINDOW = 20
UNSTABLE_SPIKE_SHARE = 0.05    # more than 5% of batches spiking is unstable training
UNSTABLE_EPOCH_RISES = 0.4     # or the train loss rising in 40% of epoch-to-epoch steps, by...
UNSTABLE_RISE = 0.1            # ...more than 10% each time
EXPLODING_GRAD_NORM = 1e3      # global gradient norm on the probe batch
EXPLODING_GROWTH = 50.0        # gradient norm grew 50x over its first measurement
VANISHING_RATIO = 1e-3         # first-layer / last-layer gradient RMS, in most probes
DEAD_UNITS_SHARE = 0.5         # ReLU units that are 0 on every probe example, in some layer
SATURATED_SHARE = 0.5          # sigmoid/tanh outputs within 1% of their limits, in some layer
OVERFIT_GAP = 0.1              # train accuracy leads validation by 10 points, and either...
OVERFIT_VAL_RISE = 0.2         # ...validation loss is 20% above its best...
OVERFIT_LOSS_RATIO = 3.0       # ...or validation loss is 3x the training loss
UNDERFIT_ACCURACY = 0.85       # train accuracy still below this at the end...
UNDERFIT_GAP = 0.05            # ...and validation about as good (within 5 points)
LR_TOO_LOW_UPDATE = 1e-5       # mean per-step ||dW|| / ||W||
LR_TOO_HIGH_UPDATE = 1e-1
INPUT_ABS_LIMIT = 1e4          # un-normalized inputs larger than this are suspicious

SEVERITIES = ("info", "warning", "critical")
# Critical findings that explain everything else; other findings are then demoted to info.
ROOT_CAUSES = ("nan_loss", "wrong_loss", "data_problem", "exploding_gradients", "diverging")


@dataclasses.dataclass
class Finding:
    symptom: str
    severity: str
    first_seen: dict
    evidence: dict
    causes: list
    remedies: list
    suggested_overrides: list = dataclasses.field(default_factory=list)

    def to_dict(self):
        return dataclasses.asdict(self)


TITLES = {
    "nan_loss": "The loss became NaN or Inf",
    "diverging": "Training diverged: the loss went up",
    "loss_not_decreasing": "The loss is not decreasing",
    "unstable": "Training is unstable (loss spikes or oscillation)",
    "exploding_gradients": "Exploding gradients",
    "vanishing_gradients": "Vanishing gradients",
    "dead_units": "Dead ReLU units",
    "saturated_units": "Saturated sigmoid/tanh units",
    "overfitting": "Overfitting",
    "underfitting": "Underfitting",
    "data_problem": "Problem in the data",
    "wrong_loss": "Loss does not match the model's output",
}


def _finite(values):
    return [v for v in values if v is not None and math.isfinite(v)]


def _lr_override(lr, factor):
    return f"--config.schedule.base_lr={lr * factor:.3g}" if lr else None


def _at(epoch=None, step=None):
    return {"epoch": epoch, "step": step}


def diagnose(epochs, batch_losses, probes, facts) -> list:
    """All findings, most severe first."""
    rules = (_nan_loss, _wrong_loss, _data_problem, _diverging, _not_decreasing, _unstable,
             _exploding, _vanishing, _dead_units, _saturated, _overfitting, _underfitting)
    findings = []
    for rule in rules:
        try:  # a rule that fails on odd curves must not cost the user the other findings
            findings += [f for f in rule(epochs, batch_losses, probes, facts) if f]
        except Exception as e:  # noqa: BLE001
            findings.append(internal_error_finding(f"rule {rule.__name__.strip('_')}: "
                                                   f"{type(e).__name__}: {e}"))
    if any(f.severity == "critical" and f.symptom in ROOT_CAUSES for f in findings):
        for f in findings:  # the curves of a run with a root cause are its consequences
            if f.symptom not in ROOT_CAUSES and f.severity == "warning":
                f.severity = "info"
                f.causes = ["probably a consequence of the critical finding above"] + f.causes
    return sorted(findings, key=lambda f: -SEVERITIES.index(f.severity))


def internal_error_finding(where: str) -> Finding:
    """An `info` finding for a failure inside the doctor itself (never raised into `fit`)."""
    return Finding("doctor_error", "info", _at(), {"error": where},
                   ["an internal error of the training doctor; the training was not affected"],
                   ["report it with diagnosis.json attached"])


def _initial_loss(probes, epochs):
    if probes and math.isfinite(probes[0].get("probe_loss", math.nan)):
        return probes[0]["probe_loss"]
    losses = _finite([e.get("loss") for e in epochs])
    return losses[0] if losses else None


def _base_lr(facts, epochs):
    return facts.get("base_lr") or (epochs[0].get("lr") if epochs else None)


# ------------------------------------------------------------------------------ rules
def _nan_loss(epochs, batch_losses, probes, facts):
    bad = next(((s, e) for s, e, loss in batch_losses if not math.isfinite(loss)), None)
    if bad is None:
        return []
    step, epoch = bad
    lr = _base_lr(facts, epochs)
    grads = [p["grad_norm"] for p in probes if math.isfinite(p.get("grad_norm", math.nan))]
    rollbacks = len(facts.get("nan_rollbacks") or [])
    recovered = rollbacks and math.isfinite(batch_losses[-1][2])
    return [Finding(
        "nan_loss", "warning" if recovered else "critical", _at(epoch, step),
        {"first_nonfinite_step": step, "last_finite_batch_loss": next(
            (loss for s, _, loss in reversed(batch_losses) if s < step and math.isfinite(loss)),
            None), "largest_grad_norm_seen": max(grads) if grads else None, "learning_rate": lr,
         "rollbacks": rollbacks, "recovered_after_rollback": bool(recovered)},
        (["training went on only because train.nan_policy=restore rolled it back and lowered "
          "the learning rate"] if recovered else []) + ["learning rate too high", "exploding gradients", "log/division of zero in a custom loss",
         "NaN or Inf in the input data", "float16 overflow without loss scaling"],
        ["lower the learning rate 10x", "clip gradients by global norm",
         "check the inputs for NaN/Inf", "use batch norm / a better initialization"],
        [o for o in (_lr_override(lr, 0.1), "--config.optimizer.clip_global_norm=1.0") if o])]


def _wrong_loss(epochs, batch_losses, probes, facts):
    if not probes or facts.get("from_logits") is None:
        return []
    probabilities = probes[0].get("outputs_are_probabilities")
    if probabilities is None:
        return []
    loss_name = facts.get("loss_name", "")
    if "crossentropy" not in loss_name:
        return []
    if facts["from_logits"] and probabilities:
        return [Finding(
            "wrong_loss", "warning", _at(0, 0),
            {"outputs_are_probabilities": True, "loss": loss_name, "from_logits": True},
            ["the last layer applies softmax but the loss expects logits (from_logits=True): "
             "softmax is applied twice, gradients become tiny"],
            ["remove the softmax from the last layer, or compile with from_logits=False"],
            ["--config.model.from_logits=False"])]
    if not facts["from_logits"] and not probabilities:
        return [Finding(
            "wrong_loss", "critical", _at(0, 0),
            {"outputs_are_probabilities": False, "loss": loss_name, "from_logits": False},
            ["the model outputs logits but the loss expects probabilities (from_logits=False): "
             "Keras clips them into [eps, 1] and most gradients vanish"],
            ["compile with from_logits=True, or end the model with a softmax"],
            ["--config.model.from_logits=True"])]
    if "binary" in loss_name and probes[0].get("num_outputs", 1) > 2:
        return [Finding(
            "wrong_loss", "warning", _at(0, 0),
            {"loss": loss_name, "num_outputs": probes[0]["num_outputs"]},
            ["a binary loss on a multi-class output"],
            ["use (sparse_)categorical_crossentropy for more than two classes"])]
    return []


def _data_problem(epochs, batch_losses, probes, facts):
    found = []
    classes = facts.get("num_classes") or (probes[0].get("num_outputs") if probes else None)
    labels_max = facts.get("labels_max")
    if classes and labels_max is not None and labels_max >= classes:
        found.append(Finding(
            "data_problem", "critical", _at(0, 0),
            {"largest_label": labels_max, "model_outputs": classes},
            ["labels outside the model's output range (class ids must be 0..outputs-1)"],
            ["fix the labels, or give the model one output per class"]))
    absmax = facts.get("inputs_absmax")
    if absmax is not None and absmax > INPUT_ABS_LIMIT and not facts.get("normalizes_inputs"):
        found.append(Finding(
            "data_problem", "warning", _at(0, 0),
            {"largest_input_magnitude": absmax, "limit": INPUT_ABS_LIMIT},
            ["inputs far outside a normal range and the model does not normalize them"],
            ["standardize the inputs (a keras.layers.Normalization first layer)"]))
    val_acc = [e.get("val_accuracy") for e in epochs if e.get("val_accuracy") is not None]
    if classes and len(val_acc) >= MIN_EPOCHS_FOR_TRENDS and _optimizer_is_working(probes):
        chance = 1.0 / classes
        losses = _finite([e.get("loss") for e in epochs])
        initial = _initial_loss(probes, epochs)
        learning = losses and initial is not None and losses[-1] < initial
        if max(val_acc[-2:]) <= CHANCE_FACTOR * chance and learning:
            train_acc = epochs[-1].get("accuracy")
            found.append(Finding(
                "data_problem", "critical" if (train_acc or 0) > 2 * CHANCE_FACTOR * chance
                else "warning", _at(len(epochs), None),
                {"val_accuracy_last_epochs": val_acc[-2:], "chance_accuracy": chance,
                 "train_accuracy": train_acc, "train_loss": losses[-1]},
                ["labels do not match the inputs (shuffled, misaligned or noisy labels)",
                 "training and validation data differ (different preprocessing or source)",
                 "a bug in the input pipeline"],
                ["look at a few (input, label) pairs", "check the split and preprocessing",
                 "train on a handful of examples: the model must be able to memorize them"],
                ["--config.data.label_noise=0.0"] if facts.get("label_noise") else []))
    return found


def _optimizer_is_working(probes):
    """Weights move at a normal rate, gradients reach the first layer, units are alive.

    Accuracy at chance is blamed on the data only then: otherwise the optimization findings
    (learning rate, vanishing gradients, dead units) already explain it.
    """
    later = probes[1:]
    if not later:
        return True
    ratios = [p["update_ratio"] for p in later if p.get("update_ratio") is not None]
    if ratios and statistics.median(ratios) < LR_TOO_LOW_UPDATE:
        return False
    last = later[-1]
    if last.get("grad_rms_last_layer", 0) > 0 and (
            last.get("grad_rms_first_layer", 0) / last["grad_rms_last_layer"] < VANISHING_RATIO):
        return False
    return last.get("dead_relu_fraction", 0) < 0.9


def _diverging(epochs, batch_losses, probes, facts):
    losses = _finite([e.get("loss") for e in epochs])
    initial = _initial_loss(probes, epochs)
    if len(losses) < 2 or initial is None:
        return []
    best = min(losses)
    if losses[-1] > DIVERGING_RATIO * best and losses[-1] > initial:
        worst_epoch = losses.index(best) + 1
        lr = _base_lr(facts, epochs)
        return [Finding(
            "diverging", "critical", _at(worst_epoch + 1, None),
            {"initial_loss": initial, "best_loss": best, "final_loss": losses[-1]},
            ["learning rate too high", "exploding gradients", "no normalization in a deep net"],
            ["lower the learning rate", "add warmup", "clip gradients"],
            [o for o in (_lr_override(lr, 0.1), "--config.optimizer.clip_global_norm=1.0",
                         "--config.schedule.warmup_epochs=1.0") if o])]
    return []


def _not_decreasing(epochs, batch_losses, probes, facts):
    losses = _finite([e.get("loss") for e in epochs])
    initial = _initial_loss(probes, epochs)
    if len(losses) < MIN_EPOCHS_FOR_TRENDS or not initial or not all(
            math.isfinite(e.get("loss", math.nan)) for e in epochs):
        return []
    if losses[-1] < NOT_DECREASING_RATIO * initial:
        return []
    ratios = [p["update_ratio"] for p in probes if p.get("update_ratio") is not None]
    ratio = statistics.median(ratios) if ratios else None
    lr = _base_lr(facts, epochs)
    evidence = {"initial_loss": initial, "final_loss": losses[-1],
                "median_update_to_weight_ratio": ratio, "learning_rate": lr}
    if ratio is not None and ratio < LR_TOO_LOW_UPDATE:
        causes = [f"learning rate too low: weights change {ratio:.1e} of their size per step "
                  f"(healthy: 1e-4..1e-2)"]
        remedies = ["raise the learning rate (an LR range test finds a good one: "
                    "python -m launchers.lr_find)"]
        overrides = [_lr_override(lr, 100)]
    elif ratio is not None and ratio > LR_TOO_HIGH_UPDATE:
        causes = [f"learning rate too high: weights change {ratio:.1e} of their size per step"]
        remedies = ["lower the learning rate"]
        overrides = [_lr_override(lr, 0.1)]
    else:
        causes = ["learning rate too high or too low", "a bug in the data pipeline",
                  "wrong loss function", "vanishing or exploding gradients"]
        remedies = ["run an LR range test (python -m launchers.lr_find)", "check the data",
                    "check the loss matches the output", "use batch norm / He initialization"]
        overrides = ["--config.model.norm=batch"]
    return [Finding("loss_not_decreasing", "warning", _at(len(epochs), None), evidence, causes,
                    remedies, [o for o in overrides if o])]


def _spikes(batch_losses, scale):
    spikes, history = [], []
    for step, epoch, loss in batch_losses:
        if not math.isfinite(loss):
            break
        if len(history) >= SPIKE_WINDOW:
            median = statistics.median(history[-SPIKE_WINDOW:])
            if loss > SPIKE_FACTOR * median and loss - median > SPIKE_MIN_RISE * scale:
                spikes.append((step, epoch, loss, median))
        history.append(loss)
    return spikes, len(history)


def _unstable(epochs, batch_losses, probes, facts):
    initial = _initial_loss(probes, epochs)
    if not initial:
        return []
    spikes, counted = _spikes(batch_losses, initial)
    losses = _finite([e.get("loss") for e in epochs])
    rises = [b > (1 + UNSTABLE_RISE) * a for a, b in zip(losses, losses[1:])]
    spiky = counted and len(spikes) / counted > UNSTABLE_SPIKE_SHARE
    oscillating = len(rises) >= MIN_EPOCHS_FOR_TRENDS - 1 and (
        sum(rises) / len(rises) >= UNSTABLE_EPOCH_RISES)
    if not (spiky or oscillating):
        return []
    first = spikes[0] if spikes else None
    lr = _base_lr(facts, epochs)
    return [Finding(
        "unstable", "warning", _at(first[1], first[0]) if first else _at(rises.index(True) + 2),
        {"spiking_batches": len(spikes), "batches": counted,
         "largest_spike": max((s[2] / s[3] for s in spikes), default=None),
         "epochs_with_rising_loss": sum(rises)},
        ["learning rate too high", "exploding gradients", "batch too small / noisy data",
         "poor initialization"],
        ["lower the learning rate", "clip gradients by global norm", "add batch norm",
         "use warmup"],
        [o for o in (_lr_override(lr, 0.3), "--config.optimizer.clip_global_norm=1.0") if o])]


def _exploding(epochs, batch_losses, probes, facts):
    norms = [(p["step"], p.get("epoch"), p["grad_norm"]) for p in probes
             if math.isfinite(p.get("grad_norm", math.nan))]
    nonfinite = next((p for p in probes if p.get("nonfinite_grad_fraction", 0) > 0), None)
    big = next(((s, e, n) for s, e, n in norms if n > EXPLODING_GRAD_NORM), None)
    peak = max(norms[1:], key=lambda n: n[2]) if len(norms) >= 2 else None
    growth = peak[2] / norms[0][2] if peak and norms[0][2] > 0 else None
    grew = growth is not None and growth > EXPLODING_GROWTH
    if not (nonfinite or big or grew):
        return []
    where = (nonfinite["step"], nonfinite.get("epoch")) if nonfinite else (
        (big[0], big[1]) if big else (peak[0], peak[1]))
    return [Finding(
        "exploding_gradients", "critical" if nonfinite else "warning", _at(where[1], where[0]),
        {"largest_grad_norm": max((n for _, _, n in norms), default=None),
         "grad_norm_growth": growth, "limit": EXPLODING_GRAD_NORM,
         "nonfinite_grad_fraction": nonfinite["nonfinite_grad_fraction"] if nonfinite else 0.0},
        ["learning rate too high", "deep network without normalization", "poor initialization"],
        ["clip gradients by global norm", "lower the learning rate", "add batch/layer norm",
         "use He (ReLU) or Glorot (tanh) initialization"],
        ["--config.optimizer.clip_global_norm=1.0", "--config.model.norm=batch"])]


def _vanishing(epochs, batch_losses, probes, facts):
    ratios = [(p["step"], p.get("epoch"), p["grad_rms_first_layer"] / p["grad_rms_last_layer"])
              for p in probes if p.get("grad_rms_last_layer", 0) > 0
              and math.isfinite(p.get("grad_rms_first_layer", math.nan))]
    small = [r for r in ratios if r[2] < VANISHING_RATIO]
    if not ratios or len(small) <= len(ratios) / 2:
        return []
    return [Finding(
        "vanishing_gradients", "warning", _at(small[0][1], small[0][0]),
        {"median_first_to_last_layer_grad_ratio": statistics.median(r[2] for r in ratios),
         "limit": VANISHING_RATIO, "probes_below_limit": len(small), "probes": len(ratios)},
        ["saturating activations (sigmoid/tanh) in a deep network",
         "no normalization between layers", "initialization too small"],
        ["use ReLU-family activations", "add batch norm or layer norm", "use He initialization",
         "add residual connections"],
        ["--config.model.activation=relu", "--config.model.norm=batch",
         "--config.model.initializer=he_normal"])]


def _dead_units(epochs, batch_losses, probes, facts):
    dead = [(p["step"], p.get("epoch"), p["dead_relu_fraction"]) for p in probes
            if p.get("dead_relu_fraction") is not None]
    if not dead or dead[-1][2] <= DEAD_UNITS_SHARE:
        return []
    first = next(d for d in dead if d[2] > DEAD_UNITS_SHARE)
    lr = _base_lr(facts, epochs)
    return [Finding(
        "dead_units", "warning", _at(first[1], first[0]),
        {"dead_relu_share_at_end": dead[-1][2], "limit": DEAD_UNITS_SHARE},
        ["learning rate too high: large updates push ReLUs into the always-off region",
         "large negative biases", "poor initialization"],
        ["lower the learning rate", "use leaky_relu/gelu/silu", "add batch norm"],
        [o for o in (_lr_override(lr, 0.1), "--config.model.activation=gelu") if o])]


def _saturated(epochs, batch_losses, probes, facts):
    sat = [(p["step"], p.get("epoch"), p["saturated_fraction"]) for p in probes
           if p.get("saturated_fraction") is not None]
    if not sat or sat[-1][2] <= SATURATED_SHARE:
        return []
    first = next(s for s in sat if s[2] > SATURATED_SHARE)
    return [Finding(
        "saturated_units", "warning", _at(first[1], first[0]),
        {"saturated_share_at_end": sat[-1][2], "limit": SATURATED_SHARE},
        ["sigmoid/tanh pre-activations too large: weights or inputs too big",
         "no normalization before the activation"],
        ["normalize inputs and add batch/layer norm", "use Glorot initialization",
         "prefer ReLU-family activations in hidden layers"],
        ["--config.model.norm=batch", "--config.model.activation=relu"])]


def _overfitting(epochs, batch_losses, probes, facts):
    val = [e.get("val_loss") for e in epochs]
    if len(_finite(val)) < MIN_EPOCHS_FOR_TRENDS or len(_finite(val)) != len(val):
        return []
    best_epoch = val.index(min(val)) + 1
    rise = val[-1] / max(min(val), 1e-12) - 1
    train_loss = epochs[-1].get("loss") or 0.0
    gap = (epochs[-1].get("accuracy") or 0) - (epochs[-1].get("val_accuracy") or 0)
    widening = rise > OVERFIT_VAL_RISE or val[-1] > OVERFIT_LOSS_RATIO * max(train_loss, 1e-12)
    if gap <= OVERFIT_GAP or not widening:
        return []
    return [Finding(
        "overfitting", "warning", _at(best_epoch + 1 if best_epoch < len(val) else None, None),
        {"best_val_loss": min(val), "best_epoch": best_epoch, "final_val_loss": val[-1],
         "final_train_loss": train_loss, "val_loss_rise": rise, "train_minus_val_accuracy": gap},
        ["the model memorizes the training set: too little data for its size",
         "too little regularization"],
        ["more data or augmentation", "more dropout", "weight decay", "early stopping",
         "a smaller model"],
        ["--config.model.dropout=0.3", "--config.optimizer.name=adamw",
         "--config.optimizer.weight_decay=0.05", "--config.callbacks.early_stopping.enabled=True"])]


def _underfitting(epochs, batch_losses, probes, facts):
    if len(epochs) < MIN_EPOCHS_FOR_TRENDS:
        return []
    acc, val_acc = epochs[-1].get("accuracy"), epochs[-1].get("val_accuracy")
    classes = facts.get("num_classes") or 2
    if acc is None or acc >= UNDERFIT_ACCURACY or acc <= CHANCE_FACTOR / classes:
        return []
    if val_acc is not None and acc - val_acc > UNDERFIT_GAP:
        return []
    return [Finding(
        "underfitting", "warning", _at(len(epochs), None),
        {"train_accuracy": acc, "val_accuracy": val_acc, "limit": UNDERFIT_ACCURACY},
        ["the model is too small for the task", "too much regularization",
         "too few epochs", "features that do not carry the signal"],
        ["a wider or deeper model", "train longer", "less dropout / weight decay",
         "better features"],
        ["--config.model.width=128", "--config.model.depth=3", "--config.model.dropout=0.0"])]
