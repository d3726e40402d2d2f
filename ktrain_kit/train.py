"""`train(config, workdir)`: the whole run, top to bottom.

Validate the config, pick devices / strategy / precision, check the run folder, load the data,
build model + schedule + optimizer under the strategy, wrap the model in our engine, fit with the
callbacks, then write curves, the export and a summary. Builders meet only here.
"""

import math
import os
import tempfile
import time

from ktrain_kit import config as config_lib
from ktrain_kit import data as data_lib
from ktrain_kit import runfolder, runtime


def train(c, workdir: str, overwrite: bool = False) -> dict:
    """Trains config `c` into `workdir` and returns the run summary."""
    started = time.time()
    # Every refusal comes before the run folder is touched; config and data ones even before
    # TensorFlow's 5 s start-up.
    config_lib.validate(c)
    data = data_lib.load(c.data, c.seed)
    config_lib.validate_against_data(c, len(data.x_train), replicas=1)

    import keras

    from ktrain_kit import callbacks as callbacks_lib
    from ktrain_kit import export, fitting, plots, schedules

    runtime.split_cpu(c.runtime.virtual_cpu_devices)
    facts = runtime.device_facts()
    strategy_name = runtime.choose_strategy(c.train.strategy, facts)
    precision, why = runtime.choose_precision(c.train.precision, facts)
    jit = runtime.choose_jit(c.train.jit_compile, facts, strategy_name)
    strategy = runtime.make_strategy(strategy_name)  # multi-worker: before any other TF op
    config_lib.validate_against_data(c, len(data.x_train), strategy.num_replicas_in_sync)

    place = runtime.cluster() if strategy_name == "multi_worker" else {"chief": True}
    if place["chief"]:
        resume = runfolder.prepare(workdir, c, overwrite)
    else:  # other workers write only to a scratch folder (collective saves need somewhere)
        workdir, resume = tempfile.mkdtemp(prefix="ktrain_worker_"), False
    print(f"ktrain_kit: strategy={strategy_name} ({strategy.num_replicas_in_sync} replicas), "
          f"precision={precision} ({why}), jit_compile={jit}", flush=True)
    runtime.seed_everything(c.seed, c.train.deterministic)
    steps_per_epoch = len(data.x_train) // c.data.batch_size
    keras.mixed_precision.set_global_policy(precision)

    with strategy.scope():
        schedule = schedules.build(c, steps_per_epoch)
        model, decayed = build_model(c, data, schedule, precision, jit)
    if decayed:
        print(f"ktrain_kit: weight decay on {len(decayed)} variables: {', '.join(decayed)}")

    val_ds = data_lib.eval_pipeline(data.x_val, data.y_val, c.data.batch_size)

    cb = c.callbacks
    doctor = None
    if cb.doctor.enabled:
        probe = slice(0, cb.doctor.probe_examples)
        doctor = callbacks_lib.TrainingDoctor(
            (data.x_train[probe], data.y_train[probe]), interval=cb.doctor.interval,
            facts={"base_lr": c.schedule.base_lr, "num_classes": data.num_classes,
                   "label_noise": c.data.label_noise})
    plateau = early_stopping = None
    if cb.reduce_on_plateau.enabled:
        rp = cb.reduce_on_plateau
        plateau = callbacks_lib.ReduceLROnPlateau(
            rp.monitor, rp.factor, rp.patience, rp.min_delta, rp.min_multiplier, schedule)
    if cb.early_stopping.enabled:
        es = cb.early_stopping
        early_stopping = keras.callbacks.EarlyStopping(
            es.monitor, min_delta=es.min_delta, patience=es.patience,
            restore_best_weights=es.restore_best_weights, verbose=1)
    metrics_csv = os.path.join(workdir, "metrics.csv")
    metrics_logger = callbacks_lib.MetricsCSV(metrics_csv, c.data.batch_size)
    checkpoints = callbacks_lib.Checkpoints(
        os.path.join(workdir, "checkpoints"), keep=cb.checkpoint.keep,
        extra={"lr_multiplier": schedule.multiplier}, stateful=[doctor, plateau, early_stopping],
        every_steps=cb.checkpoint.every_steps, initial=c.train.nan_policy == "restore")
    nan_guard = callbacks_lib.NaNGuard(c.train.nan_policy, checkpoints, schedule,
                                       c.train.nan_lr_factor, c.train.nan_max_restores)
    if doctor is not None:
        doctor.extra_facts["nan_rollbacks"] = nan_guard.rollbacks
    tensorboard = (keras.callbacks.TensorBoard(os.path.join(workdir, "tensorboard"))
                   if cb.tensorboard.enabled else None)
    # Order matters: the guard rolls back before anyone reads the epoch's metrics, the doctor
    # adds its statistics to the logs before they are written, and checkpoints come last so
    # that they save (and on resume restore) the others' state.
    callbacks = [callback for callback in (
        nan_guard, doctor, metrics_logger, plateau, early_stopping,
        tensorboard, checkpoints if cb.checkpoint.enabled else None) if callback is not None]
    initial_epoch, initial_step = checkpoints.restore(model) if resume else (0, 0)
    if resume:
        metrics_logger.keep_epochs_up_to(initial_epoch)
        where = f", step {initial_step}" if initial_step else ""
        print(f"ktrain_kit: resuming {workdir} after epoch {initial_epoch}{where}")
    runfolder.write_config(workdir, c)

    def train_batches(first_epoch, end_epoch, skip_steps):
        return data_lib.train_pipeline(data, c.data.batch_size, c.seed, c.data, first_epoch,
                                       end_epoch, skip_steps)

    history = fitting.fit(model, train_batches, epochs=c.train.epochs,
                          steps_per_epoch=steps_per_epoch, validation_data=val_ds,
                          callbacks=callbacks, verbose=c.train.verbose,
                          initial_epoch=initial_epoch, initial_step=initial_step)

    export_dir = None
    if not nan_guard.stopped:
        from ktrain_kit.restore import FINAL_WEIGHTS
        model.save_weights(os.path.join(workdir, FINAL_WEIGHTS))
        export_dir = export.export(model, os.path.join(workdir, "export"))
    written = plots.plot_curves(metrics_csv, os.path.join(workdir, "plots")) if (
        cb.plots.enabled and os.path.exists(metrics_csv)) else []
    summary = _summary(_whole_run(metrics_csv, history.history), started, workdir, export_dir,
                       written, precision, strategy_name)
    summary["stopped"] = "nan_loss" if nan_guard.stopped else None
    summary["nan_rollbacks"] = nan_guard.rollbacks
    if place["chief"]:
        if doctor is not None:
            doctor.write(workdir, [os.path.relpath(p, workdir) for p in written])
            summary["diagnosis"] = doctor.report_json()["status"]
        runfolder.write_summary(workdir, summary)
        _print_summary(summary)
        if doctor is not None:
            print("\n".join(doctor_lines(doctor)))
    return summary


def build_model(c, data, learning_rate, precision, jit=False):
    """Model, optimizer and our engine, compiled; returns (model, decayed variable names).

    Shared by `train()` and the LR range test, so both train exactly the same thing.
    """
    from ktrain_kit import engine, models, optim
    model = models.build(c.model, data)
    optimizer, decayed = optim.build(c.optimizer, learning_rate, model, precision)
    model = engine.wrap(model, c.train.accumulation_steps, optim.gradient_clipper(c.optimizer))
    loss, metrics = models.loss_and_metrics(c.model)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics, jit_compile=jit,
                  steps_per_execution=c.train.steps_per_execution)
    return model, decayed


def doctor_lines(doctor):
    from ktrain_kit.doctor import summary_lines
    return summary_lines(doctor.findings)


def _whole_run(metrics_csv, history):
    """Per-epoch values of the whole run: metrics.csv spans restarts, fit's history only this
    process's epochs."""
    from ktrain_kit.plots import read_metrics
    return (read_metrics(metrics_csv) if os.path.exists(metrics_csv) else {}) or history


def _summary(history, started, workdir, export_dir, plots_written, precision, strategy):
    val = history.get("val_accuracy") or []
    finite = [v for v in val if math.isfinite(v)]
    best = max(range(len(val)), key=lambda i: val[i]) if finite else None
    return {
        "epochs_run": len(history.get("loss", [])),
        "best_val_accuracy": val[best] if best is not None else None,
        "best_epoch": (best + 1) if best is not None else None,
        "final_loss": (history.get("loss") or [None])[-1],
        "final_val_loss": (history.get("val_loss") or [None])[-1],
        "wall_time_s": round(time.time() - started, 2),
        "precision": precision,
        "strategy": strategy,
        "workdir": workdir,
        "export": export_dir,
        "plots": plots_written,
    }


def _print_summary(s):
    best = (f"best val accuracy {s['best_val_accuracy']:.4f} at epoch {s['best_epoch']}"
            if s["best_val_accuracy"] is not None else "no validation accuracy")
    head = "Stopped: the loss became NaN" if s["stopped"] else "Done"
    print(f"\n{head} in {s['wall_time_s']:.1f} s, {s['epochs_run']} epochs: {best}.\n"
          f"  run folder: {s['workdir']}\n  metrics:    {s['workdir']}/metrics.csv\n"
          f"  curves:     {s['workdir']}/plots/\n  export:     {s['export'] or 'none'}\n"
          f"  TensorBoard: tensorboard --logdir {s['workdir']}/tensorboard")
