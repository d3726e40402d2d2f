"""Measurements for the features of the third round: precision `auto`, tasks against plain
Keras, streaming from shards, sweeps with and without pruning, the doctor's overhead.

    python -m benchmarks.features [--only precision tasks stream sweep doctor input]  (~30 min)
    python -m benchmarks.features --only       # measure nothing: rewrite from features.json

Writes its sections into benchmarks/RESULTS.md below the marker that `benchmarks.run` keeps, and
the raw figures into benchmarks/features.json. Ratios are measured side by side in one process
(interleaved repeats), never against figures from another run.
"""

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
RESULTS, RAW = os.path.join(HERE, "RESULTS.md"), os.path.join(HERE, "features.json")


def run_launcher(*args, timeout=1800, measure_memory=False, env=None):
    """`python -m args...` from the repository root; (result, seconds, peak RSS in MB)."""
    cmd = [sys.executable, "-m", *args]
    if measure_memory:
        cmd = ["/usr/bin/time", "-f", "PEAK_RSS_KB %M", *cmd]
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})})
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    peak = re.search(r"PEAK_RSS_KB (\d+)", result.stderr)
    return result, seconds, int(peak.group(1)) / 1024 if peak else None


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


# ------------------------------------------------------------------ precision
def precision(repeats=5):
    """float32 vs mixed_bfloat16 per workload, and what `auto` picks (measure, then choose)."""
    import keras

    from benchmarks.workloads import Trainer, interleaved
    from ktrain_kit import precision as precision_lib
    from ktrain_kit import runtime
    facts = runtime.device_facts()
    auto_here, why = runtime.choose_precision("auto", facts)
    out = {"auto_here": auto_here, "why": why, "workloads": {}}
    for name, steps in (("digits_mlp", 100), ("cnn_bn_32x32", 20), ("transformer", 10)):
        trainers = {}
        for policy in ("float32", "mixed_bfloat16"):
            keras.mixed_precision.set_global_policy(policy)
            trainers[policy] = Trainer(name, "ours")
        keras.mixed_precision.set_global_policy("float32")
        res = interleaved(trainers, steps, repeats)
        speed = {p: median(v) for p, v in res.items()}
        seconds = {p: 1.0 / v for p, v in speed.items()}
        # what auto's rule decides from these timings on a CPU with bf16 instructions
        (measured, _), _ = precision_lib.decide({(p, False): [s] for p, s in seconds.items()})
        auto = auto_here if auto_here != "measure" else measured
        best = max(speed.values())
        out["workloads"][name] = {"float32": speed["float32"],
                                  "mixed_bfloat16": speed["mixed_bfloat16"],
                                  "auto": auto, "auto_on_bf16_cpu": measured,
                                  "auto/best": speed[auto] / best,
                                  "auto_on_bf16_cpu/best": speed[measured] / best}
        print(f"  precision {name}: {out['workloads'][name]}", flush=True)
    return out


# ------------------------------------------------------------------ tasks
def tasks(seeds=(0, 1, 2)):
    """Files no config ships with, through `python -m launchers.train`, against the same
    model written as a plain Keras script on the same split."""
    import numpy as np
    from sklearn import datasets
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        cancer = datasets.load_breast_cancer()
        _write_csv(f"{tmp}/cancer.csv", list(cancer.feature_names) + ["diagnosis"],
                   [list(x) + [n] for x, n in zip(cancer.data,
                                                   np.array(cancer.target_names)[cancer.target])])
        diabetes = datasets.load_diabetes(scaled=False)
        _write_csv(f"{tmp}/diabetes.csv", list(diabetes.feature_names) + ["progression"],
                   [list(x) + [t] for x, t in zip(diabetes.data, diabetes.target)])
        x, y = datasets.make_multilabel_classification(1200, n_features=20, n_classes=5,
                                                       random_state=0)
        np.savez(f"{tmp}/multilabel.npz", x=x.astype("float32"), y=y)
        with open(f"{tmp}/my_models.py", "w") as f:
            f.write(USER_MODEL)
        cases = {
            "binary csv (breast cancer), val AUC": (
                ["--config=configs/tabular_binary.py", "--config.data.name=csv",
                 f"--config.data.path={tmp}/cancer.csv", "--config.data.label_column=diagnosis",
                 "--config.data.train_examples=0"], "val_auc"),
            "regression csv (diabetes, targets 25-346), val RMSE": (
                ["--config=configs/tabular_regression.py", "--config.data.name=csv",
                 f"--config.data.path={tmp}/diabetes.csv",
                 "--config.data.label_column=progression", "--config.data.train_examples=0",
                 "--config.data.batch_size=32"], "val_rmse"),
            "multilabel npz (5 labels), val AUC": (
                ["--config=configs/tabular_binary.py", "--config.task.name=multilabel",
                 "--config.data.name=npz", f"--config.data.path={tmp}/multilabel.npz",
                 "--config.data.train_examples=0"], "val_auc"),
            "own model module on PYTHONPATH (small CNN, digits), val accuracy": (
                ["--config=configs/digits_cnn.py", "--config.model.name=my_models:small_cnn",
                 "--config.model.width=64", "--config.train.epochs=10",
                 "--config.optimizer.name=adam", "--config.optimizer.weight_decay=0",
                 "--config.schedule.name=constant",
                 "--config.schedule.warmup_epochs=0"], "val_accuracy"),
        }
        user_path = {"PYTHONPATH": f"{tmp}:{ROOT}"}
        sys.path.insert(0, tmp)  # the plain-Keras side imports the same builder
        for label, (args, metric) in cases.items():
            ours, plain = [], []
            for seed in seeds:
                workdir = f"{tmp}/run-{len(out)}-{seed}"
                run_launcher("launchers.train", *args, f"--config.seed={seed}",
                             "--config.train.verbose=0", f"--workdir={workdir}", env=user_path)
                ours.append(json.load(open(f"{workdir}/summary.json"))["main_metric_value"])
                plain.append(_plain_keras(workdir, metric, seed))
            out[label] = {"ours": ours, "plain_keras": plain, "metric": metric}
            print(f"  tasks {label}: ours {ours}, plain {plain}", flush=True)
    return out


USER_MODEL = '''
import keras

def small_cnn(model_config, data):
    """A user's own model: logits for data.num_outputs classes."""
    inputs = keras.Input(data.input_shape)
    x = keras.layers.Rescaling(1 / 16)(inputs)
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(model_config.width, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(data.num_outputs)(x))
'''


def _write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def _plain_keras(workdir, metric, seed):
    """The run's model (same layers, same split, same epochs and optimizer) in plain Keras;
    the best validation value over the epochs (what early stopping keeps)."""
    import keras
    import numpy as np

    from ktrain_kit import restore
    config, data, _ = restore.load_run(workdir)
    keras.utils.set_random_seed(seed)
    if ":" in config.model.name:  # the user's own builder, compiled and fit by plain Keras
        import my_models
        model = my_models.small_cnn(config.model, data)
        model.compile(keras.optimizers.Adam(config.schedule.base_lr),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
        history = model.fit(data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),
                            epochs=config.train.epochs, batch_size=config.data.batch_size,
                            verbose=0).history
        return float(max(history["val_accuracy"]))
    regression = config.task.name == "regression"
    inputs = keras.Input(data.input_shape)
    norm = keras.layers.Normalization()
    norm.adapt(data.x_train)
    h = norm(inputs)
    for _ in range(config.model.depth):
        h = keras.layers.Dense(config.model.width, activation=config.model.activation,
                               kernel_initializer=config.model.initializer)(h)
    outputs = keras.layers.Dense(data.num_outputs,
                                 activation=None if regression else "sigmoid")(h)
    model = keras.Model(inputs, outputs)
    y_train, y_val = data.y_train, data.y_val
    if regression:  # a careful plain-Keras user standardizes the targets by hand
        mean, std = y_train.mean(), y_train.std()
        y_train, y_val = (y_train - mean) / std, (y_val - mean) / std
        model.compile(keras.optimizers.Adam(config.schedule.base_lr), "mse")
    else:
        model.compile(keras.optimizers.Adam(config.schedule.base_lr), "binary_crossentropy",
                      metrics=[keras.metrics.AUC(name="auc",
                                                 multi_label=config.task.name == "multilabel",
                                                 num_labels=data.num_outputs if
                                                 config.task.name == "multilabel" else None)])
    history = model.fit(data.x_train, y_train, validation_data=(data.x_val, y_val),
                        epochs=config.train.epochs, batch_size=config.data.batch_size,
                        verbose=0).history
    if regression:
        return float(np.sqrt(min(history["val_loss"])) * std)
    return float(max(history["val_auc"]))


# ------------------------------------------------------------------ streaming
def stream():
    """Peak RSS of a 1-epoch images_resnet run from memory and from shards, 2,000 vs 20,000
    32x32x3 images; accuracy of the two runs of the same data; input throughput."""
    out = {"runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (2000, 20000):
            common = ["--config=configs/images_resnet.py", f"--config.data.train_examples={n}",
                      "--config.train.epochs=1", "--config.train.verbose=0",
                      "--config.schedule.warmup_epochs=0", "--config.schedule.boundaries=(0.5,)",
                      "--config.callbacks.doctor.enabled=False"]
            run_launcher("launchers.make_tfrecords", *common, f"--out={tmp}/data{n}",
                         "--shards=8")
            for source, extra in (("memory", []),
                                  ("shards", ["--config.data.name=tfrecord",
                                              f"--config.data.path={tmp}/data{n}"])):
                workdir = f"{tmp}/run_{source}{n}"
                _, seconds, rss = run_launcher("launchers.train", *common, *extra,
                                               f"--workdir={workdir}", measure_memory=True)
                rows = list(csv.DictReader(open(f"{workdir}/metrics.csv")))
                out["runs"][f"{source}_{n}"] = {
                    "peak_rss_mb": rss, "seconds": seconds,
                    "val_accuracy": float(rows[-1]["val_accuracy"]),
                    "examples_per_sec": float(rows[-1]["examples_per_sec"])}
                print(f"  stream {source} {n}: {out['runs'][f'{source}_{n}']}", flush=True)
    return out


def input(steps=64, repeats=7):  # noqa: A001 - named like its --only section
    """cnn_bn_32x32 trained from shards vs from memory (interleaved, the median of the paired
    ratios), and the input pipeline alone: how much faster it delivers batches than the step
    consumes them. Each repeat is a fresh `fit`, so it also pays the pipeline's start."""
    from benchmarks.workloads import Trainer, interleaved, workload_config
    from ktrain_kit.data import tfrecord
    with tempfile.TemporaryDirectory() as tmp:
        c = workload_config("cnn_bn_32x32")
        tfrecord.convert(c.data, c.task, 0, f"{tmp}/cnn_shards", shards=8, progress=False)
        trainers = {"memory": Trainer("cnn_bn_32x32", "ours"),
                    "shards": Trainer("cnn_bn_32x32", "ours", stream_folder=f"{tmp}/cnn_shards")}
        res = interleaved(trainers, steps, repeats)
        batches = iter(trainers["shards"].dataset)
        next(batches)
        start, count = time.perf_counter(), 0
        for _ in range(200):
            x = next(batches)[0]
            count += int(x.shape[0])
        input_only = count / (time.perf_counter() - start)
    step = {k: median(v) for k, v in res.items()}
    out = {"memory_examples_per_sec": step["memory"], "shards_examples_per_sec": step["shards"],
           "shards/memory": median([a / b for a, b in zip(res["shards"], res["memory"])]),
           "input_pipeline_examples_per_sec": input_only,
           "input/step": input_only / step["shards"], "repeats": repeats}
    print(f"  input: {out}", flush=True)
    return out


# ------------------------------------------------------------------ sweep
def sweep():
    """A 12-trial sweep on digits_mlp with and without the median pruner."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for pruner in ("median", "none"):
            path = f"{tmp}/spec_{pruner}.py"
            with open(path, "w") as f:
                f.write("def get_sweep():\n    return dict(metric='val_accuracy', trials=12, "
                        "space={'schedule.base_lr': ('log_uniform', 1e-4, 1.0), "
                        "'optimizer.name': ('choice', ['sgd', 'adamw'])}, sampler='tpe', "
                        f"pruner={pruner!r})\n")
            workdir = f"{tmp}/sweep_{pruner}"
            _, seconds, _ = run_launcher(
                "launchers.sweep", "--config=configs/digits_mlp.py", "--config.train.epochs=8",
                "--config.train.verbose=0", f"--sweep={path}", f"--workdir={workdir}")
            best = json.load(open(f"{workdir}/best.json"))
            rows = list(csv.DictReader(open(f"{workdir}/trials.csv")))
            out[pruner] = {"wall_s": seconds, "best": best["value"],
                           "pruned": sum(r["state"] == "PRUNED" for r in rows)}
            print(f"  sweep {pruner}: {out[pruner]}", flush=True)
    return out


# ------------------------------------------------------------------ doctor
def doctor(repeats=3):
    """Whole trainings of digits_cnn and images_resnet (small) with and without the doctor,
    interleaved: the training time its probes, epoch-end probes and end-of-run reference add."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, extra in (("digits_cnn", []),
                            ("images_resnet", ["--config.data.train_examples=2048",
                                               "--config.train.epochs=3",
                                               "--config.schedule.boundaries=(2,)"])):
            times = {"on": [], "off": []}
            for r in range(repeats):
                for mode in ("on", "off"):
                    workdir = f"{tmp}/{name}-{mode}-{r}"
                    run_launcher("launchers.train", f"--config=configs/{name}.py", *extra,
                                 "--config.train.verbose=0",
                                 f"--config.callbacks.doctor.enabled={mode == 'on'}",
                                 f"--workdir={workdir}")
                    rows = list(csv.DictReader(open(f"{workdir}/metrics.csv")))
                    times[mode].append(sum(float(row["epoch_time_s"]) for row in rows))
            out[name] = {"on_s": median(times["on"]), "off_s": median(times["off"]),
                         "overhead": median(times["on"]) / median(times["off"]) - 1}
            print(f"  doctor {name}: {out[name]}", flush=True)
    return out


# ------------------------------------------------------------------ report
MARKER = "<!-- written by other benchmarks: kept when run.py rewrites this file -->"


def table(header, rows):
    """A Markdown table, then a blank line."""
    return ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header),
            *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows), ""]


def write(raw):
    lines = [MARKER, "", "## Third round: precision, tasks, streaming, sweeps, doctor", "",
             f"`python -m benchmarks.features` on {time.strftime('%Y-%m-%d')}, same machine "
             "as above. Raw figures: benchmarks/features.json.", ""]
    if "precision" in raw:
        p = raw["precision"]
        lines += ["### Precision: `auto` against float32 and mixed_bfloat16", "",
                  f"This CPU: auto picks **{p['auto_here']}** ({p['why']}). On a CPU with bf16 "
                  "instructions auto times both policies on the model and keeps the faster "
                  "(bfloat16 only if 5% faster); the last columns apply that rule to the "
                  "timings measured here.", ""]
        lines += table(["workload", "float32 ex/s", "mixed_bfloat16 ex/s", "auto here",
                        "auto / best", "auto on a bf16 CPU", "its auto / best"],
                       [[name, f"{w['float32']:.0f}", f"{w['mixed_bfloat16']:.0f}", w["auto"],
                         f"{w['auto/best']:.3f}", w["auto_on_bf16_cpu"],
                         f"{w['auto_on_bf16_cpu/best']:.3f}"]
                        for name, w in p["workloads"].items()])
    if "tasks" in raw:
        lines += ["### Tasks on files no config ships with, against plain Keras", "",
                  "Through `python -m launchers.train` (3 seeds), and the same model in a plain "
                  "Keras script (the MLP written out; for the own-model row, the user's builder "
                  "itself) on the same split, epochs, batch and Adam rate (targets standardized "
                  "by hand for regression; best validation epoch).", ""]
        spread = lambda v: f"{median(v):.4f} ({min(v):.4f}-{max(v):.4f})"  # noqa: E731
        lines += table(["data, metric", "ktrain_kit (median, min-max)",
                        "plain Keras (median, min-max)"],
                       [[label, spread(t["ours"]), spread(t["plain_keras"])]
                        for label, t in raw["tasks"].items()])
    if "stream" in raw:
        runs = raw["stream"]["runs"]
        lines += ["### Data beyond memory: sharded TFRecords", "",
                  "One epoch of `configs/images_resnet.py` (32x32x3), peak RSS by "
                  "`/usr/bin/time -f %M`:", ""]
        lines += table(["images", "in memory: peak RSS", "from 8 shards: peak RSS",
                        "val accuracy memory / shards"],
                       [[f"{n:,}", f"{runs[f'memory_{n}']['peak_rss_mb']:.0f} MB",
                         f"{runs[f'shards_{n}']['peak_rss_mb']:.0f} MB",
                         f"{runs[f'memory_{n}']['val_accuracy']:.3f} / "
                         f"{runs[f'shards_{n}']['val_accuracy']:.3f}"] for n in (2000, 20000)])
        growth = runs["shards_20000"]["peak_rss_mb"] / runs["shards_2000"]["peak_rss_mb"] - 1
        lines += [f"From shards, 10x the images cost {growth:+.1%} peak memory (goal: within "
                  "12%). Accuracy: with 2,000 images one epoch is 31 steps and neither run has "
                  "left chance level (10 classes) yet, so the two differ only by the order of "
                  "their batches; with 20,000 both learn the task.", ""]
    io = raw.get("input") or raw.get("stream", {}).get("input")
    if io:
        lines += ["Training `cnn_bn_32x32` from shards runs at "
                  f"{io['shards/memory']:.3f}x the examples/s of the same data in memory "
                  f"(median of {io.get('repeats', 5)} interleaved pairs of fresh fits; "
                  "goal >= 0.95; run.py measures the same above). Where the input time goes: the "
                  f"shard pipeline alone delivers {io['input_pipeline_examples_per_sec']:.0f} "
                  f"examples/s, {io['input/step']:.1f}x what the training step consumes: reading "
                  "and decoding are not what limits the step.", ""]
    if "sweep" in raw:
        s = raw["sweep"]
        lines += ["### Sweeps: 12 trials on digits_mlp, with and without pruning", ""]
        lines += table(["pruner", "wall time", "best val_accuracy", "trials pruned"],
                       [[pruner, f"{r['wall_s']:.0f} s", f"{r['best']:.4f}", r["pruned"]]
                        for pruner, r in s.items()])
    if "doctor" in raw:
        lines += ["### The doctor's overhead on whole trainings", "",
                  "Sum of epoch_time_s over whole runs (median of 3, interleaved). This is not "
                  "the <= 3% goal, which is the steady state per step (run.py, above): a short "
                  "run also pays fixed costs - tracing the probe once (about a second), one "
                  "probe at every epoch end on top of one every `interval` steps (so that a "
                  "checkpoint holds the latest), and the epoch-end bookkeeping. They weigh on "
                  "a 10-second training and fade on long ones; `callbacks.doctor.enabled=False` "
                  "turns it all off.", ""]
        lines += table(["config", "training time with / without the doctor", "overhead"],
                       [[name, f"{d['on_s']:.1f} s / {d['off_s']:.1f} s", f"{d['overhead']:+.1%}"]
                        for name, d in raw["doctor"].items()])
    text = open(RESULTS).read() if os.path.exists(RESULTS) else "# Benchmark results\n"
    head = text[:text.index(MARKER)] if MARKER in text else text.rstrip() + "\n\n"
    with open(RESULTS, "w") as f:
        f.write(head + "\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=["precision", "tasks", "stream", "sweep",
                                                      "doctor", "input"])
    args = parser.parse_args()
    raw = json.load(open(RAW)) if os.path.exists(RAW) else {}
    for name in args.only:
        print(f"{name}...", flush=True)
        raw[name] = globals()[name]()
        with open(RAW, "w") as f:
            json.dump(raw, f, indent=1)
    write(raw)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
