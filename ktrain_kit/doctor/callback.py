"""`TrainingDoctor`: the Keras callback that records a training and diagnoses it at the end.

It uses only the public `keras.callbacks.Callback` API, so it works in anyone's `fit`, and none of
its hooks ever raises into that `fit`: a failure inside the doctor becomes an `info` finding that
names it, and the training goes on.
"""

import concurrent.futures
import functools
import json
import math
import re
import sys
import warnings

import keras
import numpy as np

from ktrain_kit.arguments import anything, checked, mapping, optional, whole
from ktrain_kit.batch_loss import EpochLossDecoder, last_batch
from ktrain_kit.hook_events import first_call, forget
from ktrain_kit.doctor import facts as facts_lib
from ktrain_kit.doctor import report as report_lib
from ktrain_kit.doctor import rules
from ktrain_kit.doctor import task as task_lib
from ktrain_kit.doctor.probe import Probe, state_kept


class DataMismatch(ValueError):
    """Data given to the doctor that does not fit the model: the caller's mistake, raised
    into `fit` at its start (as fit raises on its own data), not recorded as the doctor's."""


def _never_raises(hook):
    """Runs a callback hook; an exception inside it is recorded, not raised into `fit`."""
    @functools.wraps(hook)
    def guarded(self, *args, **kwargs):
        try:
            return hook(self, *args, **kwargs)
        except DataMismatch:
            raise
        except Exception as e:  # noqa: BLE001 - a diagnostic must never stop a training
            self._record_error(f"{hook.__name__}: {type(e).__name__}: {e}")
            return None
    return guarded


class TrainingDoctor(keras.callbacks.Callback):
    """Diagnoses a training run: what went wrong, the evidence, and what to change.

        doctor = TrainingDoctor(probe_data=(x_val[:128], y_val[:128]))
        model.fit(x, y, validation_data=..., callbacks=[doctor])
        print(doctor.report())          # Markdown; doctor.findings is the list of findings

    Works in any `fit` of a compiled Keras model. With `probe_data`, every `interval` steps it
    measures gradient norms (global, first vs last layer), update-to-weight ratio, weight norm,
    non-finite values, dead ReLU and saturated sigmoid/tanh units on that fixed batch, using the
    model's own compiled loss, and adds the latest values to the epoch logs (so CSV loggers and
    TensorBoard record them). Without it, findings come from the loss and metric curves only.
    `facts` tells it what it cannot see (the launcher passes the task, the learning rate, ...).
    At the end, the model and the best of two simple models (nearest neighbours, ridge) are scored on `reference_data`
    (default: the probe data; more examples make the comparison sharper): that is how the doctor
    tells underfitting from a data ceiling. `validation_data` (held-out examples; the launcher
    passes up to 1,024 validation rows of a classification task) is scored once at the end,
    per class: a small class recalled on the training rows and missed on unseen ones is named.
    """

    LOGGED = ("grad_norm", "update_ratio", "weight_norm", "grad_rms_first_layer",
              "grad_rms_last_layer", "dead_relu_fraction", "saturated_fraction")

    @checked(probe_data=anything("read by _read, which names it"), interval=whole(1),
             facts=optional(mapping()), reference_data=anything("read by _read"),
             validation_data=anything("read by _read"))
    def __init__(self, probe_data=None, interval=100, facts=None, reference_data=None,
                 validation_data=None):
        super().__init__()
        self.interval = max(int(interval), 1)
        # a dataset, PyDataset or generator is read once, into arrays: every probe sees the
        # same examples
        self.probe_data = _read("probe_data", probe_data, 256)
        self.reference_data = self.probe_data if reference_data is None else \
            _read("reference_data", reference_data, REFERENCE_LIMIT)
        # examples the model never trains on, scored once at the end per class (a launcher's
        # probe and reference are training rows: without these, a class memorized on them and
        # missed on unseen rows looks learned)
        self.validation_data = _read("validation_data", validation_data, REFERENCE_LIMIT)
        self.extra_facts = dict(facts or {})
        self.findings, self.internal_errors = [], []
        self.probe, self._decoder, self._probe_failed = None, EpochLossDecoder(), False
        self._simple = None  # (task view, future of the simple models' score), see below
        self.reference = None  # the end-of-run comparison with the simple models
        self.epochs, self.batch_losses, self.probes = [], [], []
        self.step, self.epoch = 0, 0
        self._initial_penalty = None
        self._fits_checked = False  # the given data checked against the model's inputs

    # ------------------------------------------------------------------ recording
    @_never_raises
    def set_model(self, model):
        super().set_model(model)
        if self.probe is not None and self.probe.model is not model:
            self.probe = None
        self._ensure_probe()  # a built model gets its probe now (a resumed run restores it)

    def _ensure_probe(self):
        """The probe, once the model has weights: a subclassed model is built by its first
        call, inside `fit`, so its probe starts after the first batch. A probe that cannot be
        built or fails is recorded once and switched off (no flood of errors)."""
        if self.probe is not None or self.probe_data is None or self._probe_failed or \
                not getattr(self.model, "trainable_variables", None):
            return self.probe
        self._check_data_fits()  # a model built by its first batch: its inputs known now
        try:
            self.probe = Probe(self.model, *facts_lib.probe_arrays(self.probe_data))
        except Exception as e:  # noqa: BLE001 - see _never_raises
            self._probe_off(f"probe: {type(e).__name__}: {e}")
        return self.probe

    def _check_data_fits(self):
        """The given data against the model's inputs, once they are known (`_check_fits`)."""
        if not self._fits_checked:
            self._fits_checked = all([_check_fits(name, getattr(self, name), self.model)
                                      for name in ("probe_data", "reference_data",
                                                   "validation_data")])

    def _probe_off(self, error):
        self.probe, self._probe_failed = None, True
        self._record_error(error)

    def _record_error(self, error):
        """Each distinct failure once: a hook failing on every batch is one finding. One
        line: Keras and TensorFlow errors span many, with terminal colour codes."""
        error = " ".join(re.sub(r"\x1b\[[0-9;]*m", "", error).split())
        error = error if len(error) <= ERROR_CHARS else error[:ERROR_CHARS - 3] + "..."
        if error not in self.internal_errors:
            self.internal_errors.append(error)

    def checkpoint_variables(self) -> dict:
        """The probe's copy of the weights it last saw: a resumed run measures updates from it."""
        return {"probe_previous": self.probe.previous} if self.probe is not None else {}

    @_never_raises
    def on_train_begin(self, logs=None):
        # The first probe waits for the first batch: a resumed run has its history back by then.
        self.epochs, self.batch_losses, self.probes = [], [], []
        if self.probe is not None and not self.probe.covers(self.model):
            self.probe = None  # layers unfrozen (or frozen) since: a probe of the new set
        self.step, self.epoch = 0, 0
        self._fits_checked = False
        self._check_data_fits()
        forget(self)  # listed twice in fit: see hook_events (a batch counted twice doubles the
        # steps and garbles every batch loss decoded after it)
        try:  # the penalty the initial weights add to the loss: is it the loss's larger part?
            self._initial_penalty = facts_lib.regularization_penalty(self.model)
        except Exception as e:  # noqa: BLE001 - see _never_raises
            self._initial_penalty = None
            self._record_error(f"reading the model: {type(e).__name__}: {e}")
        self._score_simple_models_meanwhile()

    def _score_simple_models_meanwhile(self):
        """The simple models (nearest neighbours, ridge) need only the reference data and the
        task, not the trained model: scored in a thread while training runs, so the end of the
        run waits only for the model's own predictions."""
        self._simple = None
        if self.reference_data is None:
            return
        try:  # any trouble here: the end of the run scores them itself (and reports it)
            x, y = facts_lib.probe_arrays(self.reference_data, limit=REFERENCE_LIMIT)
            view = task_lib.task_view(self._facts(record_errors=False))
        except Exception:  # noqa: BLE001
            return
        x = one_matrix(x)
        if not _comparable(view, x, y):
            return
        pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="doctor-reference")
        self._simple = (view, pool.submit(task_lib.best_simple_model, view, x, y))
        pool.shutdown(wait=False)

    @_never_raises
    def on_train_batch_begin(self, batch, logs=None):
        if not self.probes and self._ensure_probe() is not None:
            self._take_probe()  # before the first update: the starting point

    @_never_raises
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1
        self._decoder.start_epoch()

    @_never_raises
    def on_train_batch_end(self, batch, logs=None):
        """Records this call's own loss (the mean of its batches with steps_per_execution > 1)."""
        if not first_call(self, ("batch", self.epoch, batch)):
            return
        batch = last_batch(batch, self.params)
        covered, loss = self._decoder.decode_logs(batch, logs)
        before = self.step
        self.step += covered
        if loss is not None:
            self.batch_losses.append((self.step, self.epoch, loss))
        if self._ensure_probe() is not None and \
                (not self.probes or self.step // self.interval > before // self.interval):
            self._take_probe()

    @_never_raises
    def on_epoch_end(self, epoch, logs=None):
        if not first_call(self, ("epoch end", epoch)):
            return
        logs = logs if logs is not None else {}
        record = {k: float(np.asarray(v)) for k, v in logs.items()
                  if np.ndim(v) == 0 and not k.startswith("diag_")}
        record["lr"] = _current_lr(self.model.optimizer)
        self.epochs.append(record)
        if self.probe is not None and (not self.probes or self.probes[-1]["step"] != self.step):
            self._take_probe()  # every epoch ends with a probe, so a checkpoint holds it
        if self.probes:
            latest = self.probes[-1]
            logs.update({f"diag_{k}": latest[k] for k in self.LOGGED
                         if latest.get(k) is not None})

    def on_train_end(self, logs=None):
        """The diagnosis. Whatever fails on the way is a finding naming it (an internal
        error), never an exception out of `fit`: the training is over, its History kept."""
        try:
            if not first_call(self, "train end"):
                return
            self._diagnose()
        except Exception as e:  # noqa: BLE001 - see _never_raises
            self._record_error(f"on_train_end: {type(e).__name__}: {e}")
            self.findings = [rules.internal_error_finding(w) for w in self.internal_errors]

    def _diagnose(self):
        try:  # training stopped mid-epoch (a NaN): probe where it ended
            if self.probe is not None and self.probes and self.probes[-1]["step"] != self.step:
                self._take_probe()
        except Exception as e:  # noqa: BLE001 - see _never_raises
            self._record_error(f"final probe: {type(e).__name__}: {e}")
        facts = self._facts()
        if self.reference_data is not None:
            try:
                simple = None
                if self._simple is not None and self._simple[0] == task_lib.task_view(facts):
                    simple = self._simple[1].result()
                with state_kept(self.model):  # its predictions leave the model as it was
                    self.reference = reference_scores(self.model, self.reference_data, facts,
                                                      self.probe_data, simple,
                                                      self.validation_data)
                facts["reference"] = self.reference
                if facts.get("outputs"):  # several outputs: each compared on its own
                    with state_kept(self.model):
                        for output, scores in zip(facts["outputs"], output_references(
                                self.model, self.reference_data, facts, self.probe_data)):
                            output["reference"] = scores
            except Exception as e:  # noqa: BLE001 - see _never_raises
                self._record_error(f"reference: {type(e).__name__}: {e}")
        if self.batch_losses:
            facts.setdefault("first_batch_loss", self.batch_losses[0][2])
        kept = _restored_epoch(_callbacks_beside(self))  # called from fit's on_train_end
        if kept is not None:
            facts.setdefault("kept_epoch", kept)
        self.facts = facts  # what the rules read: with epochs, batch losses and probes, a
        # run can be diagnosed again offline (benchmarks/doctor_eval.py --replay)
        self.findings = rules.diagnose(self.epochs, self.batch_losses, self.probes, facts)
        self.findings += [rules.internal_error_finding(where) for where in self.internal_errors]

    def _take_probe(self):
        try:
            stats = self.probe()
        except Exception as e:  # noqa: BLE001 - one failure switches the probe off
            self._probe_off(f"probe: {type(e).__name__}: {e}")
            return
        change = stats.pop("_relative_change")
        if self.probes and self.step > self.probes[-1]["step"]:
            # mean per-step ||dW|| / ||W|| since the previous probe
            stats["update_ratio"] = change / (self.step - self.probes[-1]["step"])
        stats.update(step=self.step, epoch=self.epoch)
        self.probes.append(stats)

    def _facts(self, record_errors=True):
        facts = {}
        try:
            with state_kept(self.model):  # a subclassed model is called to see its outputs
                facts.update(facts_lib.model_facts(self.model, self.probe_data))
            if self.reference_data is not None and self.reference_data is not self.probe_data \
                    and "outputs" not in facts:  # the training labels, when given
                x, y = facts_lib.probe_arrays(self.reference_data, limit=REFERENCE_LIMIT)
                facts.update(facts_lib.label_facts(y, prefix="reference_labels"))
                facts.update(_with_training_nonfinite(
                    facts, facts_lib.training_input_facts(self.model, x)))
            if getattr(self, "_initial_penalty", None) is not None:
                facts["initial_penalty"] = self._initial_penalty
                facts["final_penalty"] = facts_lib.regularization_penalty(self.model)
        except Exception as e:  # noqa: BLE001 - see _never_raises
            if record_errors:
                self._record_error(f"reading the model: {type(e).__name__}: {e}")
        facts.update(self.extra_facts)
        return facts

    # ------------------------------------------------------------------ resume
    def get_state(self) -> dict:
        """What a resumed run needs to diagnose the whole training (see ktrain_kit.checkpointing)."""
        return {"epochs": self.epochs, "batch_losses": self.batch_losses, "probes": self.probes,
                "step": self.step, "epoch": self.epoch, "decoder": list(self._decoder.state)}

    def set_state(self, state) -> None:
        self.epochs, self.probes = state["epochs"], state["probes"]
        self.batch_losses = [tuple(b) for b in state["batch_losses"]]
        self.step, self.epoch = state["step"], state["epoch"]
        self._decoder.start_epoch(state["decoder"])

    # ------------------------------------------------------------------ reports
    def report(self, plots=()) -> str:
        """The diagnosis as Markdown (for people); `plots` are image paths to embed."""
        return report_lib.report_markdown(self.findings, plots)

    def report_json(self) -> dict:
        return report_lib.report_json(self.findings)

    def write(self, directory, plots=()):
        """Writes diagnosis.json and diagnosis.md into `directory` (each replaced atomically)."""
        from ktrain_kit import fs
        from ktrain_kit.runfolder import write_text
        write_text(fs.join(directory, "diagnosis.json"),
                   json.dumps(_strict(self.report_json()), indent=2))
        write_text(fs.join(directory, "diagnosis.md"), self.report(plots))


def _callbacks_beside(callback) -> list:
    """The callbacks of the `fit` whose hook is running: Keras gives a callback no handle on
    the others, so they are read off the `CallbackList` that calls this hook, found on the
    call stack; none where the hooks are called some other way."""
    frame = sys._getframe(1)
    for _ in range(16):
        if frame is None:
            break
        owner = frame.f_locals.get("self")
        if isinstance(owner, keras.callbacks.CallbackList) and \
                any(c is callback for c in owner.callbacks):
            return list(owner.callbacks)
        frame = frame.f_back
    return []


def _restored_epoch(callbacks):
    """The epoch (1-based) whose weights `fit` ends with where an EarlyStopping among
    `callbacks` restores its best (Keras does it in on_train_end, before or after this
    callback's: it will have happened when `fit` returns); the last such callback's, as it
    restores last."""
    kept = None
    for stopping in callbacks:
        if isinstance(stopping, keras.callbacks.EarlyStopping) and \
                getattr(stopping, "restore_best_weights", False) and \
                getattr(stopping, "best_weights", None) is not None and \
                isinstance(getattr(stopping, "best_epoch", None), int):
            kept = stopping.best_epoch + 1
    return kept


def _read(name, data, limit):
    """`data` as (x, y) arrays (a tuple kept whole); data the doctor cannot use - no labels,
    an unknown type - is a ValueError here, in the user's code, never later inside `fit`."""
    if data is None:
        return None
    try:
        arrays = facts_lib.probe_arrays(data, limit)
    except ValueError as e:
        raise ValueError(f"TrainingDoctor({name}=...): {type(data).__name__} {e}") from None
    _refuse_loose_values(name, arrays)
    rows = _rows(arrays)
    if len(rows) > 1 or rows == {0}:  # the probe failed inside fit (an internal-error note)
        x_rows, y_rows = (sorted(_rows(part)) for part in arrays)  # or never ran, silently
        raise ValueError(f"TrainingDoctor({name}=...): " + (
            "holds no examples; pass some, or leave it out" if rows == {0} else
            f"x has {'/'.join(map(str, x_rows))} rows and y "
            f"{'/'.join(map(str, y_rows))}: pass one label per example, as to fit"))
    return arrays


def _model_inputs(model):
    """The model's input tensors, once it says them (a functional model, a built Sequential);
    None before (a subclassed model, a Sequential without Input before its first batch)."""
    try:
        return list(model.inputs or []) or None
    except (AttributeError, ValueError):
        return None


def _check_fits(name, arrays, model) -> bool:
    """Examples of another shape than the model's inputs (3 features for a model of 8, a dict
    missing an input, one array for two inputs) failed the probe inside fit, reported as the
    doctor's internal error, the run 'healthy'. Checked once the model says its inputs:
    one array per input, by position, or by input name for a dict. False when it cannot
    tell yet."""
    inputs = _model_inputs(model)
    if inputs is None:
        return False
    if arrays is None:
        return True
    x = arrays[0]
    where = f"TrainingDoctor({name}=...)"
    if isinstance(x, dict):
        missing = [i.name for i in inputs if i.name not in x]
        if missing:
            raise DataMismatch(f"{where}: its inputs have no '{missing[0]}', one of the "
                               f"model's inputs ({', '.join(i.name for i in inputs)}): pass "
                               "them as fit takes them")
        pairs = [(i.name, x[i.name], i) for i in inputs]
    elif isinstance(x, (list, tuple)):
        if len(x) != len(inputs):
            raise DataMismatch(f"{where}: its inputs are {len(x)} arrays, the model takes "
                               f"{len(inputs)}: pass them as fit takes them")
        pairs = [(i.name, part, i) for part, i in zip(x, inputs)]
    else:
        if len(inputs) != 1:
            raise DataMismatch(f"{where}: its inputs are one array, the model takes "
                               f"{len(inputs)} ({', '.join(i.name for i in inputs)}): pass "
                               "them as fit takes them")
        pairs = [(None, x, inputs[0])]
    for input_name, part, tensor in pairs:
        if not hasattr(part, "shape"):
            continue  # ragged or sparse structures: their own errors
        want, got = tuple(tensor.shape[1:]), tuple(part.shape[1:])
        if len(want) != len(got) or any(w is not None and w != g for w, g in zip(want, got)):
            which = f"its input '{input_name}' has" if len(pairs) > 1 else "its examples have"
            raise DataMismatch(
                f"{where}: {which} the shape {got}, the model takes {want}: pass examples as "
                "fit takes them (the same columns, in the same order)")
    return True


def _refuse_loose_values(name, arrays):
    """Data `fit` would refuse, refused here rather than failing the probe inside fit: Python
    lists of values (`x.tolist()`: each value read as an input of its own) and labels that
    are text (a pipeline's StringLookup maps them to the ids the loss reads)."""
    x, y = arrays
    for part, label in ((x, "x"), (y, "y")):
        loose = [v for v in keras.tree.flatten(part) if isinstance(v, (int, float, str, bytes))]
        if loose:
            raise ValueError(f"TrainingDoctor({name}=...): {label} is a Python list of values "
                             f"({len(loose)} of them), not an array: pass NumPy arrays "
                             "(np.asarray), as fit reads them")
    for leaf in keras.tree.flatten(y):
        values = np.asarray(leaf) if hasattr(leaf, "dtype") else None
        if values is not None and values.dtype.kind in "USO" and values.size and \
                isinstance(values.flat[0], (str, bytes)):
            raise ValueError(f"TrainingDoctor({name}=...): its labels are text "
                             f"('{values.flat[0]}', ...): pass the class ids the loss reads "
                             "(those your pipeline maps them to)")


def _rows(structure) -> set:
    """The first dimensions of a structure's arrays (every array-like leaf; scalars and
    shapeless leaves are not counted)."""
    counts = set()
    for leaf in keras.tree.flatten(structure):
        shape = getattr(leaf, "shape", None)
        if shape is not None and len(shape) > 0 and shape[0] is not None:
            counts.add(int(shape[0]))
    return counts


def _with_training_nonfinite(facts, training) -> dict:
    """The training inputs' facts, and their NaN / Inf as the inputs' own: missing values in
    the training set (a CSV's empty cells) make the weights NaN though the probe, often clean
    validation data, has none - the rules read `inputs_nonfinite_fraction` as the inputs'."""
    share = training.get("training_inputs_nonfinite_fraction") or 0.0
    if share > (facts.get("inputs_nonfinite_fraction") or 0.0):
        training = dict(training, inputs_nonfinite_fraction=share)
    return training


def _current_lr(optimizer) -> float:
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


def _strict(value):
    """JSON without NaN or Infinity (not JSON): they become null."""
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def reference_scores(model, reference_data, facts, probe_data=None, simple=None,
                     validation_data=None) -> dict:
    """The model and the best simple model (task.best_simple_model) on the same examples, in
    balanced accuracy (classification kinds: imbalance cannot fool it) or MSE; and the model on
    the probe examples too when they are other examples (validation, as users pass them).
    `simple`: the simple models' (score, name) when already computed for this task.
    `validation_data`: held-out examples, whose per-class recall is kept beside the reference
    rows' (task.class_recalls): one more prediction pass over at most REFERENCE_LIMIT rows."""
    inputs, y = facts_lib.probe_arrays(reference_data, limit=REFERENCE_LIMIT)
    view = task_lib.task_view(facts)
    x = one_matrix(inputs)  # what the simple models read; the model reads `inputs`
    if not _comparable(view, x, y):
        return {}  # several outputs, inputs of text or ids: judged by curves and structure
    predictions = predict(model, inputs)
    simple, name = simple if simple is not None else task_lib.best_simple_model(view, x, y)
    scores = _compared(view, x, y, predictions, simple, name)
    held = _held_out_probe(probe_data, reference_data, x)
    if held is not None and isinstance(held[1], np.ndarray):
        scores.update(_on_probe(view, held[1], predict(model, held[0])))
        if view.kind == "regression":  # the bar on the very rows the model is scored on
            scores["simple_on_probe"] = task_lib.held_out_simple_score(
                view, x, y, one_matrix(held[0]), held[1], name)
    if validation_data is not None and view.kind == "regression":
        validation_inputs, vy = validation_data
        vx = one_matrix(validation_inputs)
        if isinstance(vx, np.ndarray) and isinstance(vy, np.ndarray) and len(vx) >= 20:
            scores.update(_held_out_scores(view, x, y, vx, vy, name,
                                           predict(model, validation_inputs)))
    if validation_data is not None and view.classifies:
        validation_inputs, vy = validation_data
        vx = one_matrix(validation_inputs)
        recalls = task_lib.class_recalls(view, y, predictions)
        readable = isinstance(vx, np.ndarray) and isinstance(vy, np.ndarray) and len(vx) >= 20
        held_predictions = predict(model, validation_inputs) if readable else None
        held = task_lib.class_recalls(view, vy, held_predictions) if readable else None
        if recalls and held:
            scores["class_recall"] = recalls
            scores["validation_class_recall"] = dict(held, n=int(len(vx)))
            scores.update(_held_out_scores(view, x, y, vx, vy, name, held_predictions))
    return scores


def _compared(view, x, y, predictions, simple, name) -> dict:
    """The model's predictions and the best simple model on the reference rows (x, y); where
    the simple model's decisions are at chance, how its scores rank the classes too
    (task.simple_ranking: what tells imbalanced labels that follow the inputs from labels
    that do not)."""
    chance, n = task_lib.chance(view, y), task_lib.effective_examples(view, y)
    at_chance = view.classifies and None not in (simple, chance) and \
        simple <= chance + rules.chance_margin(chance, n)
    ranked = task_lib.simple_ranking(view, x, y) if at_chance else None
    return {"metric": "mse" if view.kind == "regression" else "balanced_accuracy",
            "simple_auc": ranked and ranked[0], "simple_auc_se": ranked and ranked[1],
            "n": int(len(x)), "n_effective": n,
            "model": task_lib.score(view, y, predictions), "simple": simple,
            "simple_model": name, "chance": chance,
            "simple_gain_se": task_lib.gain_standard_error(view, x, y, name),
            "majority": task_lib.majority_share(view, y),
            "linear_weights": task_lib.linear_weights(view, x, name),
            "model_share_corrected": task_lib.share_corrected_score(view, y, predictions),
            "model_classes_dropped": task_lib.classes_dropped(view, y, predictions)}


def _held_out_probe(probe_data, reference_data, x):
    """(the probe's inputs, its labels) when they are other examples than the reference rows
    `x` (validation, as users pass them), 20 or more; else None. A probe cut from the
    reference examples (the launcher's) is no validation set."""
    if probe_data is None or probe_data is reference_data:
        return None
    probe_inputs, py = facts_lib.probe_arrays(probe_data)
    px = one_matrix(probe_inputs)
    held_out = isinstance(px, np.ndarray) and len(px) >= 20 and not (
        len(px) <= len(x) and np.array_equal(px, x[:len(px)]))
    return (probe_inputs, py) if held_out else None


def _on_probe(view, py, predictions) -> dict:
    ranked = task_lib.ranking(view, py, predictions)
    gain = task_lib.paired_gain(py, predictions) if view.kind == "regression" and \
        len(py) >= 20 else (None, None)
    return {"model_gain_on_probe": gain[0], "model_gain_se_on_probe": gain[1],"model_on_probe": task_lib.score(view, py, predictions),
            "model_auc_on_probe": ranked and ranked[0],
            "model_auc_on_probe_se": ranked and ranked[1],
            # the same outputs decided by the class shares: on imbalanced labels the arg max
            # can sit at chance while the outputs tell the classes apart (rules._unrelated_labels)
            "model_on_probe_share_corrected": task_lib.share_corrected_score(
                view, py, predictions),
            "chance_on_probe": task_lib.chance(view, py),
            "n_probe": task_lib.effective_examples(view, py)}


def output_references(model, reference_data, facts, probe_data=None) -> list:
    """`reference_scores`' comparison for each output of a multi-output model, on its own
    labels and predictions ({} for an output that cannot be compared): one head's labels
    shuffled beside a healthy one was 'healthy' - no reference was scored for several
    outputs. The rules judge each output with its own (rules._per_output)."""
    inputs, labels = facts_lib.probe_arrays(reference_data, limit=REFERENCE_LIMIT)
    x = one_matrix(inputs)
    outputs = facts.get("outputs") or []
    names = [o.get("output_name") for o in outputs]
    if not isinstance(x, np.ndarray) or len(x) < 20:
        return [{} for _ in outputs]
    predictions = facts_lib.labels_per_output(predict(model, inputs), names)
    labels = facts_lib.labels_per_output(labels, names)
    held = _held_out_probe(probe_data, reference_data, x)
    if held is not None:
        probe_predictions = facts_lib.labels_per_output(predict(model, held[0]), names)
        probe_labels = facts_lib.labels_per_output(held[1], names)
    shared = {k: v for k, v in facts.items() if k not in ("outputs", "reference")}
    found = []
    for i, output in enumerate(outputs):
        view = task_lib.task_view({**shared, **output})
        y, predicted = labels[i], predictions[i]
        if y is None or predicted is None or not _comparable(view, x, y):
            found.append({})
            continue
        scores = _compared(view, x, y, predicted, *task_lib.best_simple_model(view, x, y))
        if held is not None and probe_labels[i] is not None and \
                probe_predictions[i] is not None:
            scores.update(_on_probe(view, probe_labels[i], probe_predictions[i]))
        found.append(scores)
    return found


def _held_out_scores(view, x, y, vx, vy, name, predictions) -> dict:
    """The model and the simple model fitted on the reference rows, both on the held-out rows
    (task.held_out_simple_score): the comparison a short launcher run needs, whose reference
    rows are training rows it has memorized. Empty where the simple model cannot be scored."""
    simple = task_lib.held_out_simple_score(view, x, y, vx, vy, name)
    model = task_lib.score(view, vy, predictions)
    if simple is None or model is None:
        return {}
    scores = {"model_on_validation": model, "simple_on_validation": simple,
              "n_validation_effective": task_lib.effective_examples(view, vy)}
    if view.kind == "regression":  # is the model above chance there? (rules._unrelated_labels)
        scores["model_gain_on_validation"], scores["model_gain_se_on_validation"] = \
            task_lib.paired_gain(vy, predictions)
    return scores


def one_matrix(x):
    """The inputs as the simple models read them: an array as it is; several inputs (a list
    or dict of arrays of numbers with decimals, one row per example) side by side, each
    flattened - a two-input model's labels shuffled were 'healthy', the simple models never
    scored. Inputs of integers (token ids, category codes) or text stay apart (None): their
    columns side by side mean nothing to nearest neighbours."""
    if isinstance(x, np.ndarray) or not isinstance(x, (list, tuple, dict)):
        return x
    parts = keras.tree.flatten(x)
    if not parts or not all(isinstance(p, np.ndarray) and p.dtype.kind == "f" and p.ndim >= 1
                            for p in parts) or len({len(p) for p in parts}) != 1:
        return None
    return np.concatenate([p.reshape(len(p), -1) for p in parts], axis=1)


def _comparable(view, x, y) -> bool:
    """Whether simple models on (x, y) say anything about the model: one input and one output
    as arrays, 20 examples or more, and targets that are not the inputs themselves - an
    autoencoder's reference would be the identity, which reconstructs everything exactly and
    would call every bottleneck, the point of such a model, too small."""
    return view.kind is not None and isinstance(x, np.ndarray) and \
        isinstance(y, np.ndarray) and len(x) >= 20 and not _targets_are_inputs(x, y)


def _targets_are_inputs(x, y) -> bool:
    return x.shape == y.shape and x.dtype.kind in "fiub" and y.dtype.kind in "fiub" and \
        np.allclose(x, y, equal_nan=True)


ERROR_CHARS = 400  # an internal error as recorded in a finding

REFERENCE_LIMIT = 2048  # examples read from a tf.data reference set


PREDICT_CHUNK = 512


def predict(model, x):
    """`model.predict(x)` without tracing a predict function for one call (~1 s for a small
    CNN, more than the eager forward passes, 0.3 s); the same numbers, in the model's output
    structure."""
    try:
        with warnings.catch_warnings():  # a bare array for a one-input list: Keras warns
            warnings.filterwarnings("ignore", message="The structure of `inputs`")
            parts = [model(x[i:i + PREDICT_CHUNK], training=False)
                     for i in range(0, len(x), PREDICT_CHUNK)]
        predictions = keras.tree.map_structure(
            lambda *p: np.concatenate([keras.ops.convert_to_numpy(q) for q in p]), *parts)
    except Exception:  # noqa: BLE001 - inputs only predict() can feed: use it
        predictions = model.predict(x, verbose=0, batch_size=256)
    # several outputs stay in the model's structure (a dict, a list), each as NumPy
    return keras.tree.map_structure(keras.ops.convert_to_numpy, predictions)
