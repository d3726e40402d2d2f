"""`train(config, workdir)`: the whole run, top to bottom.

1. Refuse what can be refused before the run folder is touched: the config, the data, the
   environment, the model (built under the strategy, fine-tuning weights loaded).
2. Open the run folder (locked; resumed if it holds an unfinished run of this config), build the
   callbacks, and fit: from scratch, from a checkpoint (mid-epoch too), or - when the run had
   already finished training - just the end of training again.
3. After training, each phase is idempotent (final weights, export, plots, diagnosis, summary),
   so a run killed at any moment finishes by re-running its command; summary.json comes last.

Builders (data, model, optimizer + schedule, callbacks) meet only here.
"""

import contextlib
import math
import os
import shlex
import tempfile
import time

from ktrain_kit import config as config_lib
from ktrain_kit import data as data_lib
from ktrain_kit import fs, runfolder, runtime, workers
from ktrain_kit.arguments import checked, flag, path, satisfying
from ktrain_kit.errors import UserError
from ktrain_kit.network import build_network
from ktrain_kit.stopping import stop_between_phases

EXIT_PREEMPTED = 75  # EX_TEMPFAIL: stopped on a signal after a checkpoint; re-run to resume
# Training examples the doctor scores the model and a nearest-neighbour reference on at the end
# (one forward pass and a 1024 x 1024 distance matrix: well under a second).
REFERENCE_EXAMPLES = 1024
MEASURING_EPOCHS = 10 ** 6  # more than any measurement reads: the pipeline is lazy


@checked(c=config_lib.A_CONFIG, workdir=path(), overwrite=flag(),
         callbacks=satisfying(lambda v: v is None or isinstance(v, (list, tuple)) and all(
             hasattr(cb, "set_model") for cb in v), "a list of Keras callbacks (or None)"))
def train(c, workdir: str, overwrite: bool = False, callbacks=()) -> dict:
    """Trains config `c` into `workdir` and returns the run summary.

    `callbacks`: extra Keras callbacks (a sweep's pruning, say). They run before the checkpoint
    callback; with `get_state()/set_state()` they resume with the run, and a `summary()` dict
    of theirs is merged into summary.json.

    SIGTERM / SIGINT stop it with exit 75 at any moment (ktrain_kit/stopping.py): before
    training's steps (data, model, the doctor's reference sample, the run folder) nothing is
    lost, during them a checkpoint is saved first, after them each phase is redone whole.
    """
    # a pathlib.Path as Python users pass it: the run folder's files record it as text
    workdir = os.fspath(workdir) if isinstance(workdir, os.PathLike) else workdir
    with stop_between_phases(), contextlib.ExitStack() as ended:
        return _train(c, workdir, overwrite, callbacks, ended)


def _train(c, workdir, overwrite, callbacks, ended):
    """`ended`: what to undo when the run ends, however (a worker's scratch folder)."""
    extra_callbacks = list(callbacks or ())  # None too, as Keras' fit takes it
    started = time.time()
    startup = StartupClock(started)
    # 1. Everything that can be refused, before the folder is touched (config and data even
    #    before TensorFlow's start-up).
    config_lib.validate(c)
    config_lib.check_output_outside_data(c, workdir)
    runtime.check_cluster_environment(c.train.strategy)
    data = data_lib.load(c.data, c.task, c.seed)
    config_lib.validate_against_data(c, data, replicas=1)  # a batch above the data passes
    startup.mark("data")

    import keras

    from ktrain_kit import checkpointing, fitting, schedules

    runtime.split_cpu(c.runtime.virtual_cpu_devices)
    facts = runtime.device_facts()
    strategy_name = runtime.choose_strategy(c.train.strategy, facts)
    strategy = runtime.make_strategy(strategy_name, c.runtime.slurm_port_base)  # before other TF
    # once, with the replicas known: a batch cut for one replica first (33 examples: 33) would
    # then be refused as not divisible by two
    batch_note = config_lib.fit_batch_to_data(c, data.train_size, strategy.num_replicas_in_sync)
    config_lib.validate_against_data(c, data, strategy.num_replicas_in_sync)
    place = runtime.place(strategy)
    startup.mark("tensorflow")
    steps_per_epoch = data.train_size // c.data.batch_size
    precision, jit, why = choose_settings(c, data, facts, strategy_name,
                                          steps_per_epoch * c.train.epochs,
                                          strategy.num_replicas_in_sync)
    keras.mixed_precision.set_global_policy(precision)
    runtime.seed_everything(c.seed, c.train.deterministic)
    with strategy.scope():
        schedule = schedules.build(c, steps_per_epoch)
        model, built = build_model(c, data, schedule, precision, jit)
    startup.mark("model")
    if data.stream:  # every shard's first record parses: a wrong schema stops here
        from ktrain_kit.data import stream as stream_lib
        stream_lib.check_records(data)
        if c.callbacks.doctor.enabled:  # the records the doctor reads: a damaged one stops
            with _streamed_data_errors(data):  # here, before the run folder exists
                data.sample(REFERENCE_EXAMPLES)
                if _doctor_reads_validation(c, data):
                    data.sample(REFERENCE_EXAMPLES, "val")
    resolved = {"labels": data.labels, "data_fingerprint": data.fingerprint,
                "init_from": built["init_from"], "frozen": built["frozen"],
                # relative paths above are read from here (restore: evaluate from elsewhere)
                "working_directory": os.getcwd()}

    # 2. The run folder: the chief's, locked; other workers write to a scratch folder, and
    #    resume from the chief's checkpoint (workers.py).
    run_folder = workdir
    if not place["chief"]:
        workdir, overwrite = ended.enter_context(workers.scratch_folder()), True
    with runfolder.open_run(workdir, c, overwrite, resolved) as (run, resume):
        print(f"ktrain_kit: {data_lib.describe(data)}\nktrain_kit: strategy={strategy_name} "
              f"({strategy.num_replicas_in_sync} replicas), precision={precision} "
              f"({why['precision']}), jit_compile={jit} ({why['jit']})", flush=True)
        _print_model_notes(built)
        if batch_note:
            print(f"ktrain_kit: note: {batch_note}")
        callbacks, parts = build_callbacks(c, data, model, schedule, run, extra_callbacks)
        callbacks.append(startup.first_step_callback())
        checkpoints = parts["checkpoints"]
        try:
            at = checkpoints.restore(model) if resume else checkpointing.ResumePoint()
            if place["workers"] > 1:
                at = workers.agree_on_start(strategy, place, checkpoints, model, at, run_folder)
        except checkpointing.DamagedCheckpoints:
            raise UserError(f"run folder '{workdir}': every checkpoint is damaged; pass "
                            "--overwrite to train again from scratch") from None
        if at.restored or fs.exists(run.path("metrics.csv")):  # rows after the restored point
            parts["metrics_csv"].keep_epochs_up_to(  # (all, if none: killed before the
                at.epoch, claim=lambda path: run.own(os.path.relpath(path, workdir)))  # first
            # checkpoint) go; unreadable rows are kept aside, in a file the run owns
        if at.restored:
            where = f", step {at.step}" if at.step else ""
            print(f"ktrain_kit: resuming {run_folder} after epoch {at.epoch}{where}",
                  flush=True)
        runfolder.write_config(run, c, resolved)

        training_done = at.restored and (at.stopped or (at.epoch >= c.train.epochs
                                                        and not at.step))
        if training_done:  # killed after training: end it again, identically
            print("ktrain_kit: training had finished; writing what comes after it", flush=True)
            fitting.finish(model, callbacks, c.train.epochs, steps_per_epoch)
        else:
            def train_batches(first_epoch, end_epoch, skip_steps):
                return data_lib.train_pipeline(data, c.data.batch_size, c.seed, c.data,
                                               first_epoch, end_epoch, skip_steps,
                                               built["class_weights"], strategy)

            # SIGTERM / SIGINT: checkpoint at the next step, then stop (single process only:
            # under multi-worker a save is collective and every worker must take part).
            with checkpointing.preemptible(checkpoints, enabled=place["workers"] == 1
                                           and c.callbacks.checkpoint.enabled), \
                    _streamed_data_errors(data):
                startup.mark("callbacks")
                fitting.fit(model, train_batches, epochs=c.train.epochs,
                            steps_per_epoch=steps_per_epoch,
                            validation_data=data_lib.eval_batches(data, c.data.batch_size),
                            callbacks=callbacks, verbose=c.train.verbose,
                            initial_epoch=at.epoch, initial_step=at.step)

        # 3. After training: each phase replaces its files whole, so re-running is safe; a
        #    signal now stops with exit 75 like one during training.
        with stop_between_phases(c.train.epochs):
            summary = _after_training(c, data, model, run, workdir, parts, extra_callbacks,
                                      started, startup, precision, strategy_name, place)
    return summary


def _after_training(c, data, model, run, workdir, parts, extra_callbacks, started, startup,
                    precision, strategy_name, place):
    """Final weights, export, plots, diagnosis and summary.json (last). Matplotlib and the
    exporter are imported only now: not before the first training step."""
    from ktrain_kit import plots, tasks
    from ktrain_kit import export as export_lib
    nan_guard, doctor = parts["nan_guard"], parts["doctor"]
    export_dir = None
    if not nan_guard.stopped:
        run.own("checkpoints")
        _save_weights_atomically(model, run.path(runfolder.FINAL_WEIGHTS))
        run.own("export/1")
        export_dir = export_lib.export(model, run.path("export"), task=c.task.name,
                                       from_logits=c.model.from_logits,
                                       preprocessing=data.preprocessing)
    metrics_path = run.path("metrics.csv")
    written, has_metrics = [], fs.exists(metrics_path)
    if c.callbacks.plots.enabled and has_metrics:
        written = plots.plot_curves(metrics_path, run.path("plots"),
                                    claim=lambda path: run.own(os.path.relpath(path,
                                                                               workdir)))
    history = plots.read_metrics(metrics_path) if has_metrics else {}
    main_metric = _main_metric(c, data)
    summary = _summary(c, history,
                       parts["early_stopping"], started, workdir, export_dir, written,
                       precision, strategy_name, main_metric)
    summary["stopped"] = "nan_loss" if nan_guard.stopped else None
    summary["nan_rollbacks"] = nan_guard.rollbacks
    summary["startup_s"] = startup.phases()
    for callback in extra_callbacks:
        summary.update(callback.summary() if hasattr(callback, "summary") else {})
    if place["chief"]:
        if doctor is not None:
            from ktrain_kit.doctor.remedies import drop_settings_in_effect
            drop_settings_in_effect(doctor.findings, c)
            run.own("diagnosis.json", "diagnosis.md")
            doctor.write(workdir, [os.path.relpath(p, workdir) for p in written])
            summary["diagnosis"] = doctor.report_json()["status"]
        runfolder.write_summary(run, summary)
        _print_summary(summary, main_metric, history)
        if doctor is not None:
            print("\n".join(doctor_lines(doctor)))
    return summary


@contextlib.contextmanager
def _streamed_data_errors(data):
    """A record that cannot be read in the middle of training: one line, the folder intact."""
    try:
        yield
    except Exception as e:  # noqa: BLE001 - only TensorFlow's data errors are translated
        from ktrain_kit.data import stream as stream_lib
        explained = stream_lib.explain_read_error(e, data) if data.stream else None
        if explained is None:
            raise
        raise explained from None


class StartupClock:
    """Seconds from `train()` to the first completed training step, in phases (data, TensorFlow
    and devices, model, run folder and callbacks, first step = tracing), for summary.json.
    `train_called_at` (Unix time) lets a caller add the time before `train()`: imports."""

    def __init__(self, started):
        self.started, self.last, self.marks = started, started, {}

    def mark(self, phase):
        now = time.time()
        self.marks[phase], self.last = round(now - self.last, 3), now

    def first_step_callback(self):
        import keras
        clock = self

        class FirstStep(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                if "first_step" not in clock.marks:
                    clock.mark("first_step")
        return FirstStep()

    def phases(self):
        return {"train_called_at": self.started, **self.marks}


def choose_settings(c, data, facts, strategy_name, run_steps, replicas=1):
    """(precision, jit, {"precision": why, "jit": why}) for `train.precision` and
    `train.jit_compile`; what `auto` cannot know from the machine alone it measures on the
    model (ktrain_kit/precision.py), unless the run is too short to pay for it."""
    precision, why_precision = runtime.choose_precision(c.train.precision, facts)
    jit = runtime.choose_jit(c.train.jit_compile, facts, strategy_name, replicas)
    why_jit = "set in the config" if str(c.train.jit_compile).lower() != "auto" else (
        "measured" if jit == "measure" else
        "single accelerator" if jit else "off under distribution")
    precisions = ("float32", "mixed_bfloat16") if precision == "measure" else (precision,)
    jits = (False, True) if jit == "measure" else (jit,)
    candidates = [(p, j) for p in precisions for j in jits]
    if len(candidates) == 1:
        return precision, jit, {"precision": why_precision, "jit": why_jit}
    from ktrain_kit import precision as precision_lib
    if run_steps < precision_lib.MIN_RUN_STEPS:
        short = (f"a run of {run_steps} steps is too short to pay for measuring "
                 f"(< {precision_lib.MIN_RUN_STEPS})")
        chosen = candidates[0]
    else:
        # Each candidate trains on the run's own pipeline, as fit will. The timer sets each
        # candidate's policy before building; build_model's own precision argument only
        # matters for mixed_float16 (loss scaling), never a candidate here.
        timers = precision_lib.step_timers(
            lambda jit_: build_model(c, data, 1e-9, "float32", jit_)[0],
            lambda: data_lib.train_pipeline(data, c.data.batch_size, c.seed, c.data, 0,
                                            MEASURING_EPOCHS))
        key = precision_lib.cache_key(
            model=precision_lib.model_fingerprint(build_network(c, data)),
            input=list(data.input_shape), batch=c.data.batch_size,
            accumulation=c.train.accumulation_steps, optimizer=c.optimizer.to_dict(),
            steps_per_execution=c.train.steps_per_execution, strategy=strategy_name)
        chosen, short = precision_lib.fastest(timers, key, candidates)
    why = {"precision": why_precision if len(precisions) == 1 else f"{why_precision}; {short}",
           "jit": why_jit if len(jits) == 1 else short}
    if len(precisions) > 1 and len(jits) > 1:
        why["jit"] = "measured with the precision, see above"
    return chosen[0], chosen[1], why


def build_model(c, data, learning_rate, precision, jit=False):
    """Model, optimizer and our engine, compiled; returns (model, facts about what was built).

    Shared by `train()`, the LR range test and the precision measurement, so all train the
    same thing. Fine-tuning weights are loaded and layers frozen before the optimizer sees them.
    """
    from ktrain_kit import engine, finetune, optim, tasks
    network = build_network(c, data)
    init_report = (finetune.load_initial_weights(network, c.model.init_from)
                   if c.model.init_from else None)
    fresh = [f["layer"] for f in init_report["fresh"]] if init_report else []
    why = finetune.FRESH_WHY
    if not init_report and ":" not in c.model.name and not c.model.backbone_weights:
        # a built-in model from scratch: every layer random (a user's builder may load its own)
        fresh, why = list(finetune.layer_paths(network)), finetune.NOTHING_LOADED
    frozen = finetune.freeze(network, finetune.rules(c.model.freeze), fresh, why)
    if not network.trainable_weights:
        from ktrain_kit.errors import config_error
        key = "model.freeze" if frozen else "model.name"
        raise config_error(key, f"the model has no trainable weights ({len(network.weights)} "
                           "weights, all frozen or none at all): training would change nothing",
                           "leave some layers trainable (narrow model.freeze, or set "
                           "layer.trainable=True in your builder)")
    optimizer, decayed = optim.build(c.optimizer, learning_rate, network, precision)
    model = engine.wrap(network, c.train.accumulation_steps, optim.gradient_clipper(c.optimizer))
    loss, metrics = tasks.loss_and_metrics(c.task, data.num_outputs, data.labels,
                                           c.model.from_logits)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics, jit_compile=jit,
                  steps_per_execution=c.train.steps_per_execution)
    weights = tasks.class_weights(c.data.class_weight, data.label_counts(), c.task.name,
                                  data.num_outputs, data.labels)
    return model, {"decayed": decayed, "init_from": init_report, "frozen": frozen,
                   "class_weights": weights}


def _class_weight_facts(c, data) -> dict:
    """The per-class loss weights the pipeline applies and the classes' training counts, for
    the doctor (a callback never sees them: they reach Keras as sample weights)."""
    from ktrain_kit import tasks
    counts = data.label_counts()
    weights = tasks.class_weights(c.data.class_weight, counts, c.task.name, data.num_outputs,
                                  data.labels)
    if weights is None or counts is None:
        return {}
    return {"class_weights": [float(w) for w in weights],
            "class_counts": [int(n) for n in counts]}


def _text_facts(data) -> dict:
    """How much of the training texts the vocabulary reads, for the doctor."""
    share = getattr(data.preprocessing, "training_unknown_share", None)
    if share is None:
        return {}
    return {"text_unknown_share": share, "text_vocabulary": data.preprocessing.vocab_size - 2}


def build_callbacks(c, data, model, schedule, run, extra=()):
    """The run's callbacks, in the order they must run, and the ones train() talks to."""
    import keras

    from ktrain_kit import callbacks as cb_lib
    cb = c.callbacks
    doctor = None
    if cb.doctor.enabled:
        reference = data.sample(REFERENCE_EXAMPLES)
        probe = tuple(v[:cb.doctor.probe_examples] for v in reference)
        doctor = cb_lib.TrainingDoctor(
            probe, interval=cb.doctor.interval,
            facts={"base_lr": c.schedule.base_lr, "task": c.task.name, "from_launcher": True,
                   "num_outputs": data.num_outputs, "label_noise": c.data.label_noise,
                   "train_examples": data.train_size,
                   **({"class_names": [str(n) for n in data.labels["class_names"]]}
                      if isinstance(data.labels, dict) and data.labels.get("class_names")
                      else {}),
                   **_class_weight_facts(c, data), **_text_facts(data),
                   # the engine clips (the Keras optimizer never sees these settings)
                   **{k: c.optimizer[k] for k in ("clip_global_norm", "clip_norm", "clip_value")
                      if c.optimizer[k] > 0}},
            reference_data=reference,
            validation_data=data.sample(REFERENCE_EXAMPLES, "val")
            if _doctor_reads_validation(c, data) else None)
    plateau = early_stopping = swap_ema = None
    if cb.reduce_on_plateau.enabled:
        rp = cb.reduce_on_plateau
        plateau = cb_lib.ReduceLROnPlateau(
            rp.monitor, factor=rp.factor, patience=rp.patience, verbose=1,
            mode="max" if _maximize(rp.monitor) else "min", min_delta=rp.min_delta,
            cooldown=rp.cooldown, min_lr=rp.min_lr, schedule=schedule,
            min_multiplier=rp.min_multiplier)
    if c.optimizer.ema:
        swap_ema = keras.callbacks.SwapEMAWeights()  # validation measures the EMA weights
    if cb.early_stopping.enabled:
        es = cb.early_stopping
        early_stopping = cb_lib.EarlyStopping(
            es.monitor, min_delta=es.min_delta, patience=es.patience, verbose=1,
            mode="max" if _maximize(es.monitor) else "min",
            restore_best_weights=es.restore_best_weights)
    run.own("metrics.csv", "checkpoints")
    metrics_csv = cb_lib.MetricsCSV(run.path("metrics.csv"), c.data.batch_size)
    checkpoints = cb_lib.Checkpoints(
        run.path("checkpoints"), keep=cb.checkpoint.keep,
        extra={"lr_multiplier": schedule.multiplier},
        stateful=[doctor, plateau, early_stopping, *extra],
        every_steps=cb.checkpoint.every_steps if cb.checkpoint.enabled else 0,
        initial=c.train.nan_policy == "restore")
    nan_guard = cb_lib.NaNGuard(c.train.nan_policy, checkpoints, schedule,
                                c.train.nan_lr_factor, c.train.nan_max_restores)
    if doctor is not None:
        doctor.extra_facts["nan_rollbacks"] = nan_guard.rollbacks
    tensorboard = None
    if cb.tensorboard.enabled:
        run.own("tensorboard")
        tensorboard = keras.callbacks.TensorBoard(run.path("tensorboard"))
    # Order matters: the guard rolls back before anyone reads the epoch's metrics, the doctor
    # adds its statistics to the logs before they are written, and checkpoints come last so
    # that they save (and on resume restore) the others' state.
    ordered = [nan_guard, swap_ema, doctor, metrics_csv, plateau, early_stopping, tensorboard,
               *extra, checkpoints if cb.checkpoint.enabled else None]
    parts = {"doctor": doctor, "nan_guard": nan_guard, "early_stopping": early_stopping,
             "checkpoints": checkpoints, "metrics_csv": metrics_csv}
    return [callback for callback in ordered if callback is not None], parts


def _doctor_reads_validation(c, data) -> bool:
    """Whether the doctor scores validation rows at the end: a classifier's per class, a
    regression's gain over the mean (is a weak signal above chance there?)."""
    return bool(data.val_size) and c.task.name in ("classification", "binary", "regression")


def _maximize(metric):
    from ktrain_kit import tasks
    return tasks.maximize(metric)


def _save_weights_atomically(model, path):
    """Keras writes .weights.h5 through h5py, which needs a local file: written to a local
    temporary file, then moved (copied, for a bucket) into place whole."""
    from ktrain_kit.runfolder import write_bytes
    fs.subfolder(os.path.dirname(path))  # checkpoints/ is not made when checkpointing is off
    with tempfile.TemporaryDirectory() as scratch:
        local = os.path.join(scratch, "final.weights.h5")
        model.save_weights(local)
        with open(local, "rb") as f:
            write_bytes(path, f.read())


def doctor_lines(doctor):
    from ktrain_kit.doctor import summary_lines
    return summary_lines(doctor.findings)


def _print_model_notes(built):
    if built["decayed"]:
        print(f"ktrain_kit: weight decay on {len(built['decayed'])} variables: "
              f"{', '.join(built['decayed'])}")
    report = built["init_from"]
    if report:
        fresh = [f"{f['layer']} ({f['reason']})" for f in report["fresh"]]
        more = f", and {len(fresh) - 8} more (config.json lists all)" if len(fresh) > 8 else ""
        print(f"ktrain_kit: initialized from {report['source']}: {len(report['loaded'])} layers "
              f"loaded; fresh: {', '.join(fresh[:8]) or 'none'}{more}")
    if built["frozen"]:
        print(f"ktrain_kit: frozen layers: {', '.join(built['frozen'])}")


def _main_metric(c, data) -> str:
    """The task's main metric; accuracy for a binary task whose validation rows hold one
    label, where ROC AUC is undefined (Keras reports 0.0: "best val auc 0.0000" read as a
    model that ranks every example wrong; the data's note says why)."""
    import numpy as np

    from ktrain_kit import tasks
    y_val = getattr(data, "y_val", None)
    if c.task.name == "binary" and y_val is not None and len(y_val) and \
            len(np.unique(np.asarray(y_val))) < 2:
        return "accuracy"
    return tasks.MAIN_METRIC[c.task.name]


def _summary(c, history, early_stopping, started, workdir, export_dir, plots_written,
             precision, strategy, main_metric=None):
    """What the run reached. `best_epoch` is the epoch whose weights the model ends with: early
    stopping's restored epoch, else the last; its validation metrics are reported."""
    from ktrain_kit import tasks
    from ktrain_kit.plots import at_epoch, last_epoch
    epochs = last_epoch(history)
    kept = epochs
    if early_stopping is not None and early_stopping.restore_best_weights and \
            early_stopping.best_weights is not None:
        kept = early_stopping.best_epoch + 1
    main = f"val_{main_metric or tasks.MAIN_METRIC[c.task.name]}"

    def at_kept(column):
        value = at_epoch(history, column, kept)
        return value if value is None or math.isfinite(value) else None

    return {
        "task": c.task.name,
        "epochs_run": epochs,
        "best_epoch": kept or None,
        "main_metric": main,
        "main_metric_value": at_kept(main),
        "best_val_accuracy": at_kept("val_accuracy"),
        "val_metrics": {k: at_kept(k) for k in history if k.startswith("val_")},
        "final_loss": (history.get("loss") or [None])[-1],
        "final_val_loss": (history.get("val_loss") or [None])[-1],
        "wall_time_s": round(time.time() - started, 2),
        "precision": precision,
        "strategy": strategy,
        "workdir": workdir,
        "export": export_dir,
        "plots": plots_written,
    }


def _print_summary(s, main_metric, history=None):
    """The run in a few lines. "best" only where the epoch kept is the best by the metric
    shown: early stopping may keep the best validation loss, whose accuracy can be below
    another epoch's (la-riots: 0.08 kept, 0.31 two epochs later), and then both are said."""
    from ktrain_kit import tasks
    from ktrain_kit.plots import epoch_numbers
    value = s["main_metric_value"]
    column = (history or {}).get(f"val_{main_metric}") or []
    finite = [v for v in column if v is not None and math.isfinite(v)]
    peak = (max if tasks.maximize(main_metric) else min)(finite) if finite else None
    # as many digits as tell the kept value from the best (0.897112 and 0.897136 both read
    # 0.8971): two equal-looking numbers called "kept" and "best" read as a contradiction
    digits = next((d for d in range(4, 9) if value is None or peak is None or
                   f"{value:.{d}f}" != f"{peak:.{d}f}"), None)
    best = (f"val {main_metric} {value:.{digits or 4}f} at epoch {s['best_epoch']} (the "
            "weights kept)" if value is not None else "no validation metric")
    if s["stopped"]:  # no final weights: the last good checkpoint, if any, is what is kept
        best = f"val {main_metric} {value:.4f} at epoch {s['best_epoch']}, its last" \
            if value is not None and math.isfinite(value) else "no finite validation metric"
    elif value is not None and (peak is None or digits is None):  # the best, to 8 digits
        best = "best " + best
    elif value is not None:
        best += (f"; its best was {peak:.{digits}f}, at epoch "
                 f"{epoch_numbers(history, column)[column.index(peak)]}")
    head = "Stopped: the loss became NaN" if s["stopped"] else "Done"
    print(f"\n{head} in {s['wall_time_s']:.1f} s, {s['epochs_run']} epochs: {best}.\n" +
          "\n".join(_where_lines(s)))


def _where_lines(s) -> list:
    """Where the run's results are: only what it wrote (plots or TensorBoard switched off
    leave no folder to point at)."""
    workdir = s["workdir"]
    lines = [f"  run folder: {workdir}", f"  metrics:    {workdir}/metrics.csv"]
    if s.get("plots"):
        lines.append(f"  curves:     {workdir}/plots/")
    lines.append(f"  export:     {s['export'] or 'none'}")
    if fs.isdir(fs.join(workdir, "tensorboard")):
        lines.append(f"  TensorBoard: tensorboard --logdir "
                     f"{shlex.quote(workdir + '/tensorboard')}")
    return lines
