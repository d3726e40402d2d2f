"""Pairs of config keys whose meanings depend on each other, at their boundary values, each
through the real command line.

    PYTHONPATH=. nice -n 10 python benchmarks/config_pairs.py [--only FAMILY,...] [--ids ID,...]
        [--json FILE]
    PYTHONPATH=. nice -n 10 python benchmarks/config_pairs.py --api   # the Python API's pairs

Every case is `python -m launchers.train --config=configs/digits_mlp.py --config.train.epochs=2
--config.data.batch_size=32 <the pair's overrides> --workdir=/tmp/h84/run_<id>` (the digits:
1,438 training examples, 44 steps an epoch, 88 in the run), in its own process, one at a time.
The table CASES is built by construction: for each family of keys that meet (a duration vs the
run's length, a size vs the data or another size, a callback vs the task or the schedule, a
device setting vs another, a fine-tuning setting vs the model, a sweep range vs another range),
the values at the boundary: 0, 1, exactly equal, one less, one more, larger than the data.

A case is judged, apart from ktrain_kit's own checks:
- `refused`: exit 2, one line on stderr (notes aside), no traceback, naming every key of the
  pair (`refused-one-key` when it names only some: a weaker pass, listed);
- `trains`: exit 0, and its numbers make sense: the loss finite, the learning rate the run's
  own schedule gives at each of its steps (ktrain_kit.schedules on its config.json, with the
  steps an epoch the data give) is above 1e-6 x schedule.base_lr for at least half the run, a
  warmup asked for exists (the first step's rate below base_lr), a step schedule drops once per
  boundary, and the run reaches base_lr; the plateau callback told to cut at every chance
  cuts the rate below the schedule's; a run of 40 updates or more learns (validation
  accuracy 0.5 or more on the digits, where 2 epochs reach 0.96);
- everything else FAILS: a traceback, another exit code, a hang (HANG_S), a run whose numbers
  make no sense (the reason is listed).

Writes runs/config_pairs.json (or --json); prints each case and the counts by outcome.
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
HANG_S = 240
SCRATCH = "/tmp/h84"
BASE = ["--config=configs/digits_mlp.py", "--config.train.epochs=2",
        "--config.data.batch_size=32"]
TINY_RATE = 1e-6  # of base_lr: below it a float32 weight no longer moves


def case(family, keys, *overrides, argv=None, sweep=None):
    """One row: the keys of the pair (the ones a refusal must name) and the overrides."""
    return {"family": family, "keys": list(keys),
            "overrides": [f"--config.{o}" for o in overrides], "launcher": argv, "sweep": sweep}


def _cases():
    """The table: family -> boundary values of each pair (44 steps an epoch, 88 a run)."""
    rows = []
    W, E = "schedule.warmup_epochs", "train.epochs"
    WS = "schedule.warmup_steps"
    # warmup vs the run's length
    for v in ("0.01", "0.5", "1.0", "1.99", "2.0", "2.01", "3.0"):
        rows.append(case("warmup-vs-epochs", (W, E), f"{W}={v}"))
    for v in ("1", "43", "44", "87", "88", "89", "1000"):
        rows.append(case("warmup-vs-epochs", (WS, E), "schedule.warmup_epochs=0.0",
                         f"{WS}={v}"))
    rows.append(case("warmup-vs-epochs", (W, E), f"{W}=0.5", "train.epochs=1"))
    rows.append(case("warmup-vs-epochs", (W, E), f"{W}=1.0", "train.epochs=1"))
    # step decay boundaries vs epochs, warmup and unit
    B = "schedule.boundaries"
    step = ("schedule.name=step", "schedule.warmup_epochs=0.0")
    for v in ("(1,)", "(0.5, 1.5)", "(1.99,)", "(2,)", "(3,)", "(0.01,)", "(1, 1.01)",
              "(0.5, 0.51)"):
        rows.append(case("boundaries-vs-epochs", (B, E), *step, f"{B}={v}"))
    for v in ("(1,)", "(44,)", "(87,)", "(88,)", "(44, 45)"):
        rows.append(case("boundaries-vs-epochs", (B, "schedule.unit"), *step,
                         "schedule.unit=steps", f"{B}={v}"))
    rows.append(case("boundaries-vs-warmup", (B, W), "schedule.name=step", f"{W}=1.0",
                     f"{B}=(0.5,)"))
    rows.append(case("boundaries-vs-warmup", (B, W), "schedule.name=step", f"{W}=1.0",
                     f"{B}=(1,)"))
    rows.append(case("boundaries-vs-warmup", (B, W), "schedule.name=step", f"{W}=0.5",
                     f"{B}=(1.5,)"))
    # exponential decay_every vs epochs and the steps an epoch
    D = "schedule.decay_every"
    exp = ("schedule.name=exponential", "schedule.warmup_epochs=0.0")
    for v in ("0.01", "0.1", "1.0", "2.0", "100.0"):
        rows.append(case("decay-vs-epochs", (D, E), *exp, f"{D}={v}"))
    for v in ("1.0", "4.0", "44.0"):
        rows.append(case("decay-vs-epochs", (D, "schedule.unit"), *exp, "schedule.unit=steps",
                         f"{D}={v}"))
    rows.append(case("decay-vs-epochs", (D, "schedule.decay_factor"), *exp, f"{D}=0.1",
                     "schedule.decay_factor=0.9"))
    # cosine / linear end factor with warmup: fine, as controls
    rows.append(case("decay-vs-epochs", ("schedule.end_lr_factor", W), "schedule.name=linear",
                     "schedule.end_lr_factor=1.0"))
    # accumulation x batch x examples x steps_per_execution
    A, BS, N = "train.accumulation_steps", "data.batch_size", "data.train_examples"
    SPE = "train.steps_per_execution"
    for acc, bs in (("1", "32"), ("32", "32"), ("3", "32"), ("64", "32"), ("2", "33")):
        rows.append(case("accumulation-vs-batch", (A, BS), f"{A}={acc}", f"{BS}={bs}"))
    for n in ("1", "2", "31", "32", "33", "1438", "1439", "5000"):
        rows.append(case("examples-vs-batch", (N, BS), f"{N}={n}"))
    for n, acc in (("1", "2"), ("2", "2"), ("31", "2"), ("3", "4")):
        rows.append(case("examples-vs-accumulation", (N, A), f"{N}={n}", f"{A}={acc}"))
    for spe in ("2", "3", "44", "45", "88"):
        rows.append(case("execution-vs-steps", (SPE, "steps per epoch"), f"{SPE}={spe}"))
    rows.append(case("execution-vs-steps", (SPE, N), f"{SPE}=2", f"{N}=33"))
    rows.append(case("execution-vs-steps", (SPE, A), f"{SPE}=4", f"{A}=2"))
    # validation share vs tiny data
    V = "data.val_fraction"
    for v, n in (("0.5", "1"), ("0.9994", "0"), ("0.9995", "0"), ("0.9999", "0"),
                 ("0.001", "0")):
        rows.append(case("val-vs-data", (V, N), f"{V}={v}", f"{N}={n}"))
    rows.append(case("val-vs-data", (V, "data.synthetic_examples"), "data.name=synthetic_tabular",
                     "data.synthetic_examples=2", f"{V}=0.5"))
    # early stopping / plateau monitors vs the task
    ES, RP = "callbacks.early_stopping", "callbacks.reduce_on_plateau"
    for m in ("val_accuracy", "accuracy", "loss", "val_mae", "val_auc"):
        rows.append(case("monitor-vs-task", (f"{ES}.monitor", "task.name"), f"{ES}.monitor={m}"))
    rows.append(case("monitor-vs-task", (f"{RP}.monitor", "task.name"), f"{RP}.enabled=True",
                     f"{RP}.monitor=val_rmse"))
    for p in ("0", "1", "2", "3"):
        rows.append(case("patience-vs-epochs", (f"{ES}.patience", E), f"{ES}.patience={p}"))
    # the plateau callback and a schedule together
    for name in ("cosine", "step", "exponential", "constant"):
        extra = ("schedule.boundaries=(1,)",) if name == "step" else ()
        rows.append(case("plateau-vs-schedule", (RP, "schedule.name"), f"{RP}.enabled=True",
                         f"{RP}.patience=0", f"{RP}.min_delta=10.0", f"schedule.name={name}",
                         "schedule.end_lr_factor=0.1" if name == "cosine" else
                         "schedule.warmup_epochs=0.0", "train.epochs=3", *extra))
    for lr in ("0.05", "0.0499", "0.01", "0.1"):
        rows.append(case("plateau-vs-schedule", (f"{RP}.min_lr", "schedule.base_lr"),
                         f"{RP}.enabled=True", f"{RP}.min_lr={lr}"))
    rows.append(case("plateau-vs-schedule", (f"{RP}.min_multiplier", f"{RP}.factor"),
                     f"{RP}.enabled=True", f"{RP}.patience=0", f"{RP}.min_delta=10.0",
                     f"{RP}.factor=0.5", f"{RP}.min_multiplier=0.9", "train.epochs=3"))
    # the doctor's probe and interval vs the data and the run
    PE, DI = "callbacks.doctor.probe_examples", "callbacks.doctor.interval"
    for v in ("1", "1438", "5000"):
        rows.append(case("probe-vs-data", (PE, N), f"{PE}={v}"))
    rows.append(case("probe-vs-data", (PE, N), f"{PE}=64", f"{N}=8"))
    for v in ("1", "44", "88", "89", "100000"):
        rows.append(case("interval-vs-steps", (DI, "steps"), f"{DI}={v}"))
    rows.append(case("interval-vs-steps", (DI, SPE), f"{DI}=3", f"{SPE}=4"))
    # checkpoint every_steps vs the steps of an epoch and steps_per_execution
    CE = "callbacks.checkpoint.every_steps"
    for v in ("0", "1", "43", "44", "45", "88", "89"):
        rows.append(case("checkpoint-vs-steps", (CE, "steps per epoch"), f"{CE}={v}"))
    rows.append(case("checkpoint-vs-steps", (CE, SPE), f"{CE}=3", f"{SPE}=4"))
    rows.append(case("checkpoint-vs-steps", (CE, "callbacks.checkpoint.enabled"), f"{CE}=10",
                     "callbacks.checkpoint.enabled=False"))
    rows.append(case("checkpoint-vs-steps", ("train.nan_policy", "callbacks.checkpoint.enabled"),
                     "train.nan_policy=restore", "callbacks.checkpoint.enabled=False"))
    rows.append(case("checkpoint-vs-steps", ("train.nan_policy", CE),
                     "train.nan_policy=restore", f"{CE}=0"))
    # precision x strategy x jit x devices
    P, S, J, VD = "train.precision", "train.strategy", "train.jit_compile", \
        "runtime.virtual_cpu_devices"
    for p, s, vd in (("mixed_bfloat16", "one_device", "0"), ("mixed_float16", "default", "0"),
                     ("mixed_bfloat16", "mirrored", "2"), ("float32", "mirrored", "0"),
                     ("float32", "mirrored", "3"), ("float32", "tpu", "0"),
                     ("float32", "multi_worker", "0")):
        rows.append(case("precision-vs-strategy", (P, S), f"{P}={p}", f"{S}={s}", f"{VD}={vd}"))
    rows.append(case("precision-vs-strategy", (J, S), f"{J}=true", f"{S}=mirrored", f"{VD}=2"))
    rows.append(case("precision-vs-strategy", (BS, VD), f"{S}=mirrored", f"{VD}=3"))
    rows.append(case("precision-vs-strategy", (A, VD), f"{S}=mirrored", f"{VD}=2", f"{A}=16"))
    rows.append(case("precision-vs-strategy", (N, VD), f"{S}=mirrored", f"{VD}=2", f"{N}=1"))
    # normalization vs micro-batch size: batch norm on one example a micro-batch
    rows.append(case("norm-vs-microbatch", ("model.norm", A), "model.norm=batch", f"{A}=32"))
    rows.append(case("norm-vs-microbatch", ("model.norm", N), "model.norm=batch", f"{N}=1"))
    rows.append(case("norm-vs-microbatch", ("model.norm", BS), "model.norm=batch", f"{BS}=1"))
    rows.append(case("norm-vs-microbatch", ("model.norm", A), "model.norm=batch", f"{A}=16"))
    # EMA vs early stopping's restore, label smoothing / class weights vs the task
    rows.append(case("ema-vs-early-stopping", ("optimizer.ema", f"{ES}.restore_best_weights"),
                     "optimizer.ema=True", f"{ES}.patience=0"))
    rows.append(case("task-vs-loss", ("task.label_smoothing", "task.name"),
                     "task.label_smoothing=0.1"))
    rows.append(case("task-vs-loss", ("data.class_weight", "task.name"),
                     "data.class_weight=balanced"))
    # clipping / weight decay vs the optimizer and precision
    rows.append(case("clip-vs-precision", ("optimizer.clip_global_norm", P),
                     "optimizer.clip_global_norm=1.0", f"{P}=mixed_float16"))
    rows.append(case("decay-vs-optimizer", ("optimizer.weight_decay", "optimizer.name"),
                     "optimizer.name=adamw", "optimizer.weight_decay=0.0"))
    rows.append(case("decay-vs-optimizer", ("optimizer.weight_decay_exclude",
                                            "optimizer.weight_decay"),
                     "optimizer.weight_decay_exclude=dense"))
    # fine-tuning: freeze vs model and init_from
    F, I = "model.freeze", "model.init_from"
    rows.append(case("freeze-vs-model", (F, I), f"{F}=dense"))
    rows.append(case("freeze-vs-model", (F, "model.name"), f"{F}=.*"))
    rows.append(case("freeze-vs-model", (F, "model.name"), f"{F}=conv"))
    rows.append(case("freeze-vs-model", (F, I), f"{F}=dense", f"{I}=RUN:base"))
    rows.append(case("freeze-vs-model", (I, "model.width"), "model.width=64", f"{I}=RUN:base"))
    rows.append(case("freeze-vs-model", (I, "model.name"), "model.name=cnn", f"{I}=RUN:base"))
    # sweep ranges vs each other and the fixed keys
    sweep_base = {"metric": "val_accuracy", "trials": 2, "sampler": "random"}
    rows.append(case("sweep-vs-config", (W, E), argv="sweep", sweep={
        **sweep_base, "space": {W: ("uniform", 0.0, 1.9), E: ("int", 1, 2)}})
        | {"overrides": ["--config.schedule.warmup_epochs=0.0"]})
    rows.append(case("sweep-vs-config", (A, BS), argv="sweep", sweep={
        **sweep_base, "sampler": "grid", "trials": 4,
        "space": {A: ("choice", [1, 2]), BS: ("choice", [32, 33])}}))
    rows.append(case("sweep-vs-config", (W, E), argv="sweep", sweep={
        **sweep_base, "space": {W: ("uniform", 0.0, 3.0)}}))
    rows.append(case("sweep-vs-config", (A, BS), argv="sweep", sweep={
        **sweep_base, "space": {A: ("choice", [1, 2]), BS: ("choice", [32, 33])}}))
    rows.append(case("sweep-vs-config", (f"{RP}.min_lr", "schedule.base_lr"), argv="sweep",
                     sweep={**sweep_base, "space": {
                         "schedule.base_lr": ("log_uniform", 1e-3, 1e-1),
                         f"{RP}.min_lr": ("uniform", 0.0, 0.01)}},
                     ) | {"overrides": [f"--config.{RP}.enabled=True"]})
    for i, row in enumerate(rows):
        row["id"] = f"{i:03d}"
    return rows


CASES = _cases()

# Arguments of the Python API, each valid alone, in plain Keras programs. Each program prints
# one line "RESULT <outcome> <why>" (trains / refused / FAILS), judged inside it against what
# Keras itself did.
API_PRELUDE = """
import os, sys, tempfile
import numpy as np, keras, tensorflow as tf
from ktrain_kit.callbacks import ReduceLROnPlateau, TrainingDoctor, NaNGuard, current_lr
from ktrain_kit.checkpointing import Checkpoints
from ktrain_kit.schedules import Schedule
from ktrain_kit.optim import SGD
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 8)).astype('float32'); y = (x[:, 0] > 0).astype('int32')
def mlp():
    return keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation='relu'),
                             keras.layers.Dense(2)])
loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
def result(outcome, why):
    print('RESULT', outcome, why)
"""
API_CASES = {
    # ReduceLROnPlateau(schedule=B) while the optimizer reads schedule A
    "plateau schedule vs optimizer schedule": """
a = Schedule('constant', 0.01, total_steps=100); b = Schedule('constant', 0.01, total_steps=100)
m = mlp(); m.compile(SGD(a), loss=loss)
try:
    m.fit(x, y, validation_split=0.25, epochs=3, verbose=0, callbacks=[
        ReduceLROnPlateau('val_loss', factor=0.5, patience=0, min_delta=10.0, schedule=b)])
except ValueError as e:
    result('refused', str(e).splitlines()[0]); sys.exit(0)
rate = current_lr(m.optimizer)
result('FAILS' if rate > 0.0099 else 'trains', f'rate after plateaus {rate:g} (multiplier of '
       f'the other schedule {float(b.multiplier.numpy()):g})')
""",
    "plateau schedule vs a float rate": """
b = Schedule('constant', 0.01, total_steps=100)
m = mlp(); m.compile(SGD(0.01), loss=loss)
try:
    m.fit(x, y, validation_split=0.25, epochs=3, verbose=0, callbacks=[
        ReduceLROnPlateau('val_loss', factor=0.5, patience=0, min_delta=10.0, schedule=b)])
except ValueError as e:
    result('refused', str(e).splitlines()[0]); sys.exit(0)
rate = current_lr(m.optimizer)
result('FAILS' if rate > 0.0099 else 'trains', f'rate after plateaus {rate:g}')
""",
    "plateau with its own schedule (control)": """
a = Schedule('constant', 0.01, total_steps=100)
m = mlp(); m.compile(SGD(a), loss=loss)
m.fit(x, y, validation_split=0.25, epochs=3, verbose=0, callbacks=[
    ReduceLROnPlateau('val_loss', factor=0.5, patience=0, min_delta=10.0, schedule=a)])
rate = current_lr(m.optimizer)
# epochs 2 and 3 do not improve by 10: two cuts at patience 0
result('trains' if abs(rate - 0.0025) < 1e-9 else 'FAILS', f'rate after two plateaus {rate:g}')
""",
    "nan guard schedule vs optimizer schedule": """
a = Schedule('constant', 0.01, total_steps=100); b = Schedule('constant', 0.01, total_steps=100)
m = mlp(); m.compile(SGD(a), loss=loss)
folder = tempfile.mkdtemp()
ck = Checkpoints(folder, initial=True)
bad = x.copy(); bad[40] = np.nan
try:
    m.fit(bad, y, batch_size=32, epochs=1, verbose=0, shuffle=False,
          callbacks=[NaNGuard('restore', ck, schedule=b), ck])
except ValueError as e:
    result('refused', str(e).splitlines()[0]); sys.exit(0)
rate = current_lr(m.optimizer)
result('FAILS' if rate > 0.0099 else 'trains', f'rate after a roll-back {rate:g}')
""",
    "doctor on a subclassed model, jit, steps_per_execution=4, fit twice": """
class Net(keras.Model):
    def __init__(self):
        super().__init__(); self.a = keras.layers.Dense(16, activation='relu')
        self.b = keras.layers.Dense(2)
    def call(self, v):
        return self.b(self.a(v))
m = Net(); m.compile('adam', loss=loss, jit_compile=True, steps_per_execution=4)
doctor = TrainingDoctor(probe_data=(x[:64], y[:64]), interval=3)
h1 = m.fit(x, y, batch_size=16, validation_split=0.25, epochs=2, verbose=0, callbacks=[doctor])
h2 = m.fit(x, y, batch_size=16, validation_split=0.25, epochs=2, verbose=0, callbacks=[doctor])
ok = all(np.isfinite(h2.history['loss']))
result('trains' if ok else 'FAILS', f'findings {[f.kind for f in doctor.findings]}')
""",
    "checkpoints every 3 steps with steps_per_execution=4": """
m = mlp(); m.compile('adam', loss=loss, steps_per_execution=4)
folder = tempfile.mkdtemp()
m.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[Checkpoints(folder, every_steps=3,
                                                                       keep=100)])
saved = sorted(int(f.split('-')[1].split('.')[0]) for f in os.listdir(folder)
               if f.startswith('ckpt-') and f.endswith('.index'))
# 16 steps, run 4 at a time: a save is possible after steps 4, 8, 12 (mid-epoch), 16 (end)
result('trains' if saved == [4, 8, 12, 16] else 'FAILS', f'checkpoints at steps {saved}')
""",
}


# --------------------------------------------------------------------------- running
def command(row, workdir):
    """The argv of the case: launchers.train, or launchers.sweep with its sweep file."""
    overrides = [o.replace("RUN:base", os.path.join(SCRATCH, "pairs_base")) for o in
                 row["overrides"]]
    if row["launcher"] == "sweep":
        path = os.path.join(SCRATCH, f"sweep_{row['id']}.py")
        with open(path, "w") as f:
            f.write(f"def get_sweep():\n    return {row['sweep']!r}\n")
        return [sys.executable, "-m", "launchers.sweep", *BASE, *overrides, f"--sweep={path}",
                f"--workdir={workdir}"]
    return [sys.executable, "-m", "launchers.train", *BASE, *overrides, f"--workdir={workdir}"]


def run(row):
    workdir = os.path.join(SCRATCH, f"run_{row['id']}")
    shutil.rmtree(workdir, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = time.time()
    try:
        done = subprocess.run(["nice", "-n", "10", *command(row, workdir)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=HANG_S)
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as e:
        code, out, err = "hang", str(e.stdout or ""), str(e.stderr or "")
    return {"code": code, "stdout": out, "stderr": err, "seconds": round(time.time() - started, 1),
            "workdir": workdir}


def judge(row, result) -> tuple:
    """(outcome, why) for a case's result (see the module's docstring)."""
    code, err = result["code"], result["stderr"]
    if code == "hang":
        return "FAILS", f"no end within {HANG_S} s"
    if "Traceback" in err or "Traceback" in result["stdout"]:
        return "FAILS", "traceback: " + err.strip().splitlines()[-1][:200]
    if code == 2:
        lines = [line for line in err.strip().splitlines() if line.strip() and
                 "note:" not in line and not line.startswith(("WARNING", "I0000", "W0000"))]
        if len(lines) != 1:
            return "FAILS", f"exit 2 with {len(lines)} lines: {' | '.join(lines)[:300]}"
        named = [k for k in row["keys"] if k in lines[0] or k.split(".")[-1] in lines[0]]
        return ("refused" if len(named) == len(row["keys"]) else "refused-one-key"), lines[0]
    if code != 0:
        return "FAILS", f"exit {code}: {err.strip()[-300:]}"
    if row["launcher"] == "sweep":
        return sense_of_sweep(result["workdir"])
    return sense_of_run(row, result)


def sense_of_sweep(workdir) -> tuple:
    """A finished sweep: its trials' states, and the reason of each that failed."""
    import csv
    with open(os.path.join(workdir, "trials.csv")) as f:
        trials = list(csv.DictReader(f))
    states = Counter(t["state"] for t in trials)
    failed = [t.get("reason", "") for t in trials if t["state"] == "failed"]
    why = ", ".join(f"{k} {v}" for k, v in sorted(states.items()))
    return ("trains", f"trials: {why}" + (f"; failed because: {failed[0][:200]}" if failed
                                          else ""))


def plateau_cut(c, workdir, steps_per_epoch) -> str | None:
    """With the plateau callback told to cut at every chance (patience 0, min_delta 10), the
    last epoch's logged rate must be below the schedule's own rate there; None when it is."""
    import csv
    rp = c.callbacks.reduce_on_plateau
    if not (rp.enabled and rp.patience == 0 and rp.min_delta >= 10 and c.train.epochs >= 3):
        return None
    with open(os.path.join(workdir, "metrics.csv")) as f:
        logged = [float(r["lr"]) for r in csv.DictReader(f)]
    import numpy as np

    from ktrain_kit import schedules
    planned = float(schedules.build(c, steps_per_epoch)(np.int64(len(logged) * steps_per_epoch)))
    if planned <= 0 or logged[-1] < planned * 0.999:  # a schedule ending at 0: nothing to see
        return None
    return (f"the plateau callback never cut the rate: logged {logged} against the schedule's "
            f"{planned:.4g} at the end")


def sense_of_run(row, result) -> tuple:
    """Whether a run that exited 0 trained as its config asks (see the docstring)."""
    workdir = result["workdir"]
    from ktrain_kit import config as config_lib
    with open(os.path.join(workdir, "config.json")) as f:
        saved = json.load(f)
    saved.pop("resolved", None)  # what the data gave, beside the config
    c = config_lib.from_saved(saved)
    with open(os.path.join(workdir, "summary.json")) as f:
        summary = json.load(f)
    loss = summary.get("final_loss")
    if loss is None or not math.isfinite(loss):
        return "FAILS", f"final loss {loss}"
    replicas = 1
    for line in result["stdout"].splitlines():
        if "replicas)" in line:
            replicas = int(line.split("(")[1].split(" replicas")[0])
    available = config_lib.available_train_examples(c)  # digits or generated data
    steps_per_epoch = available // c.data.batch_size  # the batch the run used (config.json)
    rates = schedule_rates(c, steps_per_epoch)
    base = c.schedule.base_lr
    tiny = sum(r < TINY_RATE * base for r in rates)
    facts = (f"{steps_per_epoch} steps/epoch x {c.train.epochs}, batch {c.data.batch_size}, "
             f"{replicas} replicas, val {summary.get('main_metric_value')}")
    if tiny * 2 > len(rates):
        return "FAILS", (f"the rate is below {TINY_RATE:g} x base_lr for {tiny} of the "
                         f"{len(rates)} steps ({facts})")
    warmup = config_lib.warmup_steps(c, steps_per_epoch)
    asked = c.schedule.warmup_epochs or c.schedule.warmup_steps
    if asked and rates[0] >= base * 0.999:
        return "FAILS", f"warmup of {asked} asked, none given (step 0 at base_lr; {facts})"
    if c.schedule.name == "step":
        drops = sum(1 for a, b in zip(rates, rates[1:]) if b < a * 0.999)
        first = config_lib.to_steps(c, min(c.schedule.boundaries), steps_per_epoch)
        if drops < len(c.schedule.boundaries):
            return "FAILS", (f"{len(c.schedule.boundaries)} boundaries but the rate drops "
                             f"{drops} times: rates {_shown(rates)} ({facts})")
        peak = max(range(len(rates)), key=lambda i: rates[i])
        if rates[peak] < base * 0.999:
            return "FAILS", (f"the rate never reaches base_lr {base} (peak {rates[peak]:.3g}"
                             f" at step {peak}, boundary at step {first}, warmup {warmup})")
    uncut = plateau_cut(c, workdir, steps_per_epoch)
    if uncut:
        return "FAILS", uncut
    accuracy = summary.get("main_metric_value")
    if accuracy is not None and accuracy < 0.5 and c.task.name == "classification" and \
            len(rates) >= 40:  # fewer updates than that: tiny data, judged as trained
        return "FAILS", (f"learned nothing: val accuracy {accuracy:.3f} after {len(rates)} "
                         f"updates ({facts})")
    return "trains", facts


def schedule_rates(c, steps_per_epoch) -> list:
    """The learning rate the run's own schedule gives at each of its steps."""
    import numpy as np

    from ktrain_kit import schedules
    schedule = schedules.build(c, max(steps_per_epoch, 1))
    steps = np.arange(max(steps_per_epoch, 1) * c.train.epochs)
    return [float(r) for r in np.asarray(schedule(steps))]


def _shown(rates):
    picks = sorted({0, 1, len(rates) // 4, len(rates) // 2, len(rates) - 1})
    return ", ".join(f"{i}: {rates[i]:.3g}" for i in picks)


def prepare_base_run():
    """The run folder fine-tuning cases start from (the base config, trained once)."""
    path = os.path.join(SCRATCH, "pairs_base")
    if os.path.exists(os.path.join(path, "summary.json")):
        return
    shutil.rmtree(path, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "3"}
    subprocess.run(["nice", "-n", "10", sys.executable, "-m", "launchers.train", *BASE,
                    f"--workdir={path}"], cwd=ROOT, env=env, check=True, capture_output=True)


def run_api(name, program):
    """One program of API_CASES in its own process: (outcome, why)."""
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "3"}
    try:
        done = subprocess.run(["nice", "-n", "10", sys.executable, "-c",
                               API_PRELUDE + program], cwd=SCRATCH, env=env,
                              capture_output=True, text=True, timeout=HANG_S)
    except subprocess.TimeoutExpired:
        return "FAILS", f"no end within {HANG_S} s"
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        return "FAILS", f"exit {done.returncode}: {done.stderr.strip()[-300:]}"
    outcome, _, why = lines[-1][len("RESULT "):].partition(" ")
    return outcome, why


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="comma-separated families")
    parser.add_argument("--ids", default="", help="comma-separated case ids")
    parser.add_argument("--json", default=os.path.join(ROOT, "runs", "config_pairs.json"))
    parser.add_argument("--api", action="store_true", help="the Python API's programs only")
    args = parser.parse_args()
    os.makedirs(SCRATCH, exist_ok=True)
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    if args.api:
        os.makedirs(SCRATCH, exist_ok=True)
        counts = Counter()
        for name, program in API_CASES.items():
            outcome, why = run_api(name, program)
            counts[outcome] += 1
            print(f"{outcome:10s} {name}\n    {why}", flush=True)
        print(f"\n{len(API_CASES)} programs: " + ", ".join(f"{k} {v}" for k, v in
                                                         sorted(counts.items())))
        return
    rows = [r for r in CASES if (not args.only or r["family"] in args.only.split(",")) and
            (not args.ids or r["id"] in args.ids.split(","))]
    if any("RUN:base" in o for r in rows for o in r["overrides"]):
        prepare_base_run()
    results = []
    for row in rows:
        result = run(row)
        outcome, why = judge(row, result)
        results.append({**row, "outcome": outcome, "why": why, "code": result["code"],
                        "seconds": result["seconds"]})
        print(f"{row['id']} {outcome:16s} {row['family']:22s} {' '.join(row['overrides'])}"
              f"{' sweep ' + json.dumps(row['sweep']['space']) if row['sweep'] else ''}\n"
              f"    {why}", flush=True)
        shutil.rmtree(result["workdir"], ignore_errors=True)
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)
    counts = Counter(r["outcome"] for r in results)
    print(f"\n{len(results)} cases: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
