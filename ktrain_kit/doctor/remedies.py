"""From the doctor's findings to config changes: ranked remedies a repair can train.

A remedy is a named set of config overrides (`{"schedule.base_lr": 0.005}`) that answers one
finding. For each symptom the table below lists the actions in the order a practitioner would
try them (the guide's debugging order: learning rate first, then clipping and warmup, then the
model); the finding's own `suggested_overrides` (diagnosis.json) come before the table's. An
action is offered only where a config key expresses it and it changes something (no "add batch
norm" to a model that has it), and only when the changed config passes `config.validate`.

A finding that a config cannot fix (labels that do not follow the inputs, class ids beyond the
outputs, a model of the user's own whose layers the config does not choose) becomes a
`code change` line: it is reported, and never "fixed" by changing an unrelated knob.

No TensorFlow here: plain functions over a ConfigDict and finding dicts.
"""

import ast
import dataclasses

from ktrain_kit import config as config_lib
from ktrain_kit.config import value_at, with_overrides  # noqa: F401 - used and re-exported
from ktrain_kit.doctor.rules import (HEALTHY_UPDATE_LOW, LR_TOO_HIGH_UPDATE, LR_TOO_LOW_UPDATE,
                                     UNMOVED_WEIGHTS)
from ktrain_kit.errors import UserError

# Keys of the model section that a builder of the user's own may ignore: a change to them is
# a change to the user's code, not something the repair can promise.
MODEL_STRUCTURE = ("model.norm", "model.activation", "model.initializer", "model.dropout",
                   "model.width", "model.depth")
SERIOUS = ("warning", "critical")


@dataclasses.dataclass(frozen=True)
class Remedy:
    name: str          # what it does, e.g. "learning rate x0.1"
    overrides: dict    # {dotted config key: value}
    answers: str       # the symptom it answers

    @property
    def key(self) -> str:
        """What "the same remedy" means for not retrying one that did not help: an action
        by its name; the doctor's suggestion per finding (each finding suggests its own)."""
        return f"{self.name} for {self.answers}" if self.name == SUGGESTION else self.name

    def flags(self) -> str:
        return " ".join(f"--config.{k}={_show(v)}" for k, v in self.overrides.items())


def _show(value):
    if value == LR_FIND:
        return "(from an LR range test)"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _nice(x: float) -> float:
    return float(f"{x:.3g}")


# --------------------------------------------------------------------------- actions
# Each takes the config and returns the overrides, or None where it does not apply.
def lr_times(factor):
    def action(c):
        return {"schedule.base_lr": _nice(c.schedule.base_lr * factor)}
    action.label = f"learning rate x{factor:g}"
    return action


LR_FIND = "lr_find"  # placeholder: the repair runs an LR range test and puts its suggestion here


def lr_range_test(c):
    """The learning rate an LR range test suggests (ktrain_kit.lr_find: ~100 steps on a
    throwaway model): the direct answer when the rate is off in either direction."""
    return {"schedule.base_lr": LR_FIND}


def warmup(c):
    if c.schedule.warmup_steps or c.schedule.warmup_epochs or c.train.epochs < 3:
        return None
    return {"schedule.warmup_epochs": 1.0}


def clip(c):
    if c.optimizer.clip_global_norm or c.optimizer.clip_norm or c.optimizer.clip_value:
        return None
    return {"optimizer.clip_global_norm": 1.0}


def adam(c):
    """An adaptive optimizer at its usual rate: the robust default for a stuck SGD."""
    if c.optimizer.name != "sgd":
        return None
    return {"optimizer.name": "adamw" if c.optimizer.weight_decay else "adam",
            "schedule.base_lr": 1e-3}


def momentum(c):
    if c.optimizer.name != "sgd" or c.optimizer.momentum >= 0.9:
        return None
    return {"optimizer.momentum": 0.9}


def batch_norm(c):
    return {"model.norm": "batch"} if c.model.norm == "none" else None


def fitting_initializer(c):
    want = "glorot_uniform" if c.model.activation in ("tanh", "sigmoid") else "he_normal"
    return {"model.initializer": want} if c.model.initializer != want else None


def relu(c):
    return {"model.activation": "relu"} if c.model.activation in ("sigmoid", "tanh") else None


def leaky(c):
    return {"model.activation": "leaky_relu"} if c.model.activation == "relu" else None


def more_dropout(c):
    return {"model.dropout": 0.3} if c.model.dropout < 0.3 else None


def weight_decay(c):
    if c.optimizer.weight_decay:
        return None
    if c.optimizer.name == "sgd":
        return {"optimizer.weight_decay": 5e-4}
    return {"optimizer.name": "adamw", "optimizer.weight_decay": 0.05}


def early_stopping(c):
    return None if c.callbacks.early_stopping.enabled else {
        "callbacks.early_stopping.enabled": True}


def less_dropout(c):
    return {"model.dropout": 0.0} if c.model.dropout > 0 else None


def less_weight_decay(c):
    return {"optimizer.weight_decay": 0.0} if c.optimizer.weight_decay else None


def wider(c):
    return {"model.width": max(4 * c.model.width, 64)} if c.model.width < 1024 else None


def narrower(c):
    return {"model.width": max(c.model.width // 4, 16)} if c.model.width > 64 else None


def deeper(c):
    return {"model.depth": c.model.depth + 1} if c.model.depth < 8 else None


def bigger_batch(c):
    """Not past the training examples (when known): a run would train on batches of all of
    them instead, not on the batch this remedy names."""
    examples = config_lib.available_train_examples(c)
    if examples is not None and 2 * c.data.batch_size > examples:
        return None
    return {"data.batch_size": 2 * c.data.batch_size}


def longer(c):
    return {"train.epochs": 2 * c.train.epochs} if c.train.epochs < 200 else None


def logits(c):
    return {"model.from_logits": not c.model.from_logits}


def huber(c):
    return {"task.loss": "huber"} if c.task.name == "regression" and \
        c.task.loss in ("auto", "mse") else None


def clean_labels(c):
    return {"data.label_noise": 0.0} if c.data.label_noise else None


LR_DOWN, LR_DOWN_MORE, LR_GENTLY_DOWN = lr_times(0.1), lr_times(0.01), lr_times(0.3)
LR_UP, LR_UP_MORE = lr_times(10), lr_times(100)

# symptom -> actions, most promising first (after the finding's own suggestion)
TABLE = {
    "nan_loss": [lr_range_test, LR_DOWN, clip, LR_DOWN_MORE, warmup, batch_norm, fitting_initializer],
    "diverging": [lr_range_test, LR_DOWN, warmup, clip, LR_DOWN_MORE, batch_norm],
    "exploding_gradients": [clip, LR_DOWN, batch_norm, fitting_initializer, LR_DOWN_MORE],
    "unstable": [lr_range_test, LR_GENTLY_DOWN, clip, bigger_batch, LR_DOWN, warmup, huber],
    "loss_not_decreasing": [lr_range_test, adam, LR_UP, momentum, batch_norm, fitting_initializer, LR_DOWN],
    "vanishing_gradients": [relu, batch_norm, fitting_initializer, adam],
    "dead_units": [lr_range_test, LR_DOWN, leaky, batch_norm, fitting_initializer],
    "saturated_units": [batch_norm, relu, fitting_initializer, LR_DOWN],
    "overfitting": [early_stopping, more_dropout, weight_decay, narrower],
    "underfitting": [wider, deeper, less_dropout, less_weight_decay, longer, LR_UP],
    "wrong_loss": [logits],
    "data_problem": [clean_labels],
}
# Where the update-to-weight ratio says which way the learning rate is off (the rules' limits),
# that comes first.


# The rate is the likeliest cause of these: a range test answers first, then the suggestion.
LR_FIRST = ("nan_loss", "diverging", "unstable", "dead_units")


def _actions(symptom, finding):
    actions = list(TABLE.get(symptom, []))
    if symptom == "overfitting" and (finding.get("evidence") or {}).get("epochs_after_best") == 0:
        actions.remove(early_stopping)  # validation was best at the end: nothing to restore
    if _steps_too_small(finding):
        actions = [lr_range_test, LR_UP] + [a for a in actions if a is not LR_UP]
    if symptom == "underfitting" and (finding.get("evidence") or {}).get("too_few_steps"):
        actions = [longer, LR_UP] + [a for a in actions if a not in (longer, LR_UP)]
    if _dead_from_start(finding):  # the initialization killed them, not the rate
        actions = [leaky, fitting_initializer, batch_norm, lr_range_test, LR_DOWN]
    if symptom == "dead_units" and (finding.get("evidence") or {}).get(
            "narrowest_relu_layer_units"):  # a layer with no unit to spare (rules)
        actions = [wider, leaky, batch_norm, lr_range_test, LR_DOWN]
    if symptom == "loss_not_decreasing":
        ratio = (finding.get("evidence") or {}).get("median_update_to_weight_ratio")
        if isinstance(ratio, (int, float)) and ratio > LR_TOO_HIGH_UPDATE:
            actions = [lr_range_test, LR_DOWN, clip] + actions
        elif not (isinstance(ratio, (int, float)) and ratio < LR_TOO_LOW_UPDATE):
            actions = [batch_norm, adam, fitting_initializer, lr_range_test, LR_UP, LR_DOWN]
    return actions


def _steps_too_small(finding):
    """Underfitting in a run whose update-to-weight ratio never reached the healthy band, at
    any epoch (`peak_update_to_weight_ratio`, which repair.read_result adds from the run's
    metrics.csv): a model too small and steps too small both fit the training rows no better
    than unseen ones, and only the second keeps every step this small - so the rate is
    answered first (an LR range test), not the model's size. Measured on 174 recorded data-
    kind runs: every run that peaked below 1e-4 had its rate cut 100-1000x (1e-5 / 1e-6); the
    lowest healthy peak was 5e-4. A cosine schedule that ends at 0 is why the finding itself
    did not say "learning slowly" (benchmarks/DOCTOR.md, "Repair on data users bring")."""
    evidence = finding.get("evidence") or {}
    ratio, moved = evidence.get("peak_update_to_weight_ratio"), evidence.get("weights_moved")
    return finding.get("symptom") == "underfitting" and not evidence.get("too_few_steps") and (
        isinstance(ratio, (int, float)) and 0 < ratio < HEALTHY_UPDATE_LOW or
        isinstance(moved, (int, float)) and moved < UNMOVED_WEIGHTS)  # see rules


def _dead_from_start(finding):
    return finding.get("symptom") == "dead_units" and \
        (finding.get("evidence") or {}).get("dead_before_training") is True


def _lr_too_low(finding):
    """The update ratio says the rate is off - unless a setting that cuts every step
    (clipping, epsilon: rules._step_cut) is named as the cause: the rate is not the fault."""
    evidence = finding.get("evidence") or {}
    ratio = evidence.get("median_update_to_weight_ratio")
    return finding.get("symptom") == "loss_not_decreasing" and \
        not evidence.get("step_cut_by") and \
        isinstance(ratio, (int, float)) and (ratio < LR_TOO_LOW_UPDATE or
                                             ratio > LR_TOO_HIGH_UPDATE)


def _name(action) -> str:
    return getattr(action, "label", action.__name__.replace("_", " "))


lr_range_test.label = "learning rate from an LR range test"


# --------------------------------------------------------------------------- config changes
def parse_overrides(flags, config) -> dict:
    """`["--config.a.b=v", ...]` as `{"a.b": value}` typed like the config's field; keys the
    config does not have are left out."""
    out = {}
    for flag in flags or []:
        key, eq, text = str(flag).removeprefix("--config.").partition("=")
        if not eq:
            continue
        try:
            current = value_at(config, key)
        except (KeyError, AttributeError):
            continue
        value = _typed(text, current)
        if value is not None:
            out[key] = value
    return out


def drop_settings_in_effect(findings, config) -> None:
    """Leaves out of each finding's suggested overrides the ones `config` already has (the
    text config's adamw and early stopping were suggested to the run that used them, and
    again after the user set the rest): advice that changes nothing is no advice. A flag
    this config cannot read is kept as written."""
    def in_effect(flag):
        parsed = parse_overrides([flag], config)
        return bool(parsed) and all(value_at(config, k) == v for k, v in parsed.items())
    for finding in findings:
        flags = getattr(finding, "suggested_overrides", None) or []
        kept = [flag for flag in flags if not in_effect(flag)]
        if kept != flags:
            finding.suggested_overrides = kept


def _typed(text, current):
    try:
        if isinstance(current, bool):
            return {"true": True, "false": False}.get(text.strip().lower())
        if isinstance(current, int):
            return int(text)
        if isinstance(current, float):
            return float(text)
        if isinstance(current, str):
            return text.strip("'\"")
        if hasattr(current, "items") or isinstance(current, (tuple, list)):
            # a field that takes a mapping or a word (data.class_weight: {0: 100} or
            # 'balanced'): the suggestion's text is read as the command line reads it
            try:
                return ast.literal_eval(text)
            except (ValueError, SyntaxError):
                return text.strip("'\"")
    except ValueError:
        return None
    return None


def _valid(config) -> bool:
    try:
        config_lib.validate(config)
    except UserError:
        return False
    return True


# --------------------------------------------------------------------------- the plan
def _as_dict(finding):
    return finding.to_dict() if hasattr(finding, "to_dict") else dict(finding)


def code_change(finding, config) -> str | None:
    """Why a config change cannot fix `finding`, or None when one can."""
    symptom, evidence = finding.get("symptom"), finding.get("evidence") or {}
    causes = finding.get("causes") or []
    # a data problem is the data's, unless the doctor names a setting that caused it (batch
    # norm over batches of one to three examples: data.batch_size; data.label_noise)
    if symptom == "data_problem" and not config.data.label_noise and \
            not finding.get("suggested_overrides"):
        what = causes[0] if causes else "the data"
        return (f"{symptom}: {what}. This needs a fix in the data (the file at data.path or "
                "your input pipeline), not a config change")
    if symptom == "wrong_loss" and config_lib.is_user_model(config.model.name) and \
            "from_logits" not in " ".join(finding.get("suggested_overrides") or []):
        return (f"wrong_loss: {causes[0] if causes else ''}. Change the output layer of your "
                f"model builder ({config.model.name})")
    if symptom == "wrong_loss" and evidence.get("targets_range"):
        return f"wrong_loss: {causes[0] if causes else ''}. Change the model's output layer"
    return None


SUGGESTION = "the doctor's suggestion"


def _no_dropout_for_underfitting(symptom, overrides):
    """A remedy's overrides for underfitting: the dropout it sets is 0, not lowered to the
    doctor's usual 0.2. The finding says the model fits too little; dropout is taken out, and
    a run that then overfits is named so and gets its own remedies. On a regression target
    dropout's noise lands on a continuous output the loss must match to the unit (no arg max
    margin absorbs it). Measured (benchmarks/DOCTOR.md, "Repair on data users bring"): at
    dropout 0.9 the suggestion's 0.2 left the RMSE 1.39x / 1.35x / 1.35x the healthy twin's on
    the house-price, Friedman (target std 1e4) and linear tables, and the digits MLP of width
    16 at 0.805 accuracy against its twin's 0.983; each of those runs was healthy, so the
    repair stopped there with budget left. At 0 the three tables reach their twins (1.00x)."""
    if symptom == "underfitting" and (overrides or {}).get("model.dropout", 0.0) > 0:
        return {**overrides, "model.dropout": 0.0}
    return overrides


def plan(config, findings) -> tuple:
    """(remedies, code changes) for `findings` (Finding objects or diagnosis.json dicts) of a
    run of `config`: every applicable remedy once. The findings take turns, most severe first:
    the first remedy of each, then the second of each, ... - two warnings (say saturated units
    and underfitting in a model too small) each get their best remedy tried early."""
    findings = [_as_dict(f) for f in findings or []]
    serious = [f for f in findings if f.get("severity") in SERIOUS]
    serious.sort(key=lambda f: -SERIOUS.index(f["severity"]))
    user_model = config_lib.is_user_model(config.model.name)
    per_finding, changes, seen = [], [], set()
    for finding in serious:
        symptom = finding.get("symptom", "")
        why_not = code_change(finding, config)
        if why_not:
            changes.append(why_not)
            continue
        candidates = [(_name(action), action(config)) for action in _actions(symptom, finding)]
        suggested = parse_overrides(finding.get("suggested_overrides"), config)
        lr_first = (symptom in LR_FIRST and not _dead_from_start(finding)) or \
            _lr_too_low(finding) or _steps_too_small(finding)
        candidates.insert(1 if lr_first else 0, (SUGGESTION, suggested))
        own = []
        for name, overrides in candidates:
            overrides = _no_dropout_for_underfitting(symptom, overrides or {})
            if user_model:
                kept = {k: v for k, v in overrides.items() if k not in MODEL_STRUCTURE}
                if kept != overrides:
                    changes.append(f"{symptom}: '{name}' would change "
                                   f"{', '.join(sorted(set(overrides) - set(kept)))}, which "
                                   f"your model builder ({config.model.name}) decides: change "
                                   "it in that code")
                overrides = kept
            overrides = {k: v for k, v in overrides.items() if value_at(config, k) != v}
            if overrides and _valid(with_overrides(
                    config, {k: v for k, v in overrides.items() if v != LR_FIND})):
                own.append(Remedy(name, overrides, symptom))
        per_finding.append(own)
    remedies = []
    for turn in range(max((len(own) for own in per_finding), default=0)):
        for own in per_finding:
            if turn < len(own):
                key = tuple(sorted(own[turn].overrides.items()))
                if key not in seen:
                    seen.add(key)
                    remedies.append(own[turn])
    return remedies, list(dict.fromkeys(changes))


def suggested_config(config, diagnosis):
    """A repaired copy of `config`: the top-ranked remedy for `diagnosis` applied.

    `diagnosis` is what the run of `config` was diagnosed with: a run folder (its
    diagnosis.json is read), diagnosis.json's dict, or a list of findings (`TrainingDoctor(
    ...).findings` or dicts). A healthy run, or one whose findings need a code change, gives
    an unchanged copy: `plan(config, findings)` says why and lists every remedy in order.
    An LR range test needs a training, so this picks the best remedy that needs none; the
    repair loop (`repair.repair`) runs the test.
    """
    remedies, _ = plan(config, _findings_of(diagnosis))
    usable = [r for r in remedies if LR_FIND not in r.overrides.values()]
    return with_overrides(config, usable[0].overrides if usable else {})


def _findings_of(diagnosis):
    if isinstance(diagnosis, str):
        from ktrain_kit import fs
        with fs.open(fs.join(diagnosis, "diagnosis.json")) as f:
            diagnosis = fs.parse_json(f)
    if isinstance(diagnosis, dict):
        return diagnosis.get("findings") or []
    return list(diagnosis or [])
