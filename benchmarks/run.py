"""Run the benchmark suite and write benchmarks/RESULTS.md and benchmarks/results.png.

    python -m benchmarks.run            # full: 7 repeats (about 18 minutes on 2 cores)
    python -m benchmarks.run --quick    # 3 repeats, fewer figures (about 8 minutes)
    python -m benchmarks.run --only doctor  # re-measure the doctor rows, keep the rest
    python -m benchmarks.run --only settings settings_no_bf16 doctor_command startup  # issue 24

Comparisons are interleaved (A B A B ...) in one process and reported as ratios of medians,
with the min-max of the repeats, because absolute times on shared machines drift.
"""

import argparse
import csv
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def machine():
    import tensorflow as tf
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    flags = next((line for line in open("/proc/cpuinfo") if line.startswith("flags")), "")
    bf16 = [f for f in ("avx512_bf16", "amx_bf16") if f in flags.split()]
    gpus = tf.config.list_physical_devices("GPU")
    return (f"{cpu}, {os.cpu_count()} cores, bf16 instructions: {', '.join(bf16) or 'none'}, "
            f"GPUs: {len(gpus)}; TensorFlow {tf.__version__}, Keras "
            f"{__import__('keras').__version__}, Python {platform.python_version()}")


def ratio(results, a, b):
    from benchmarks.workloads import summarize
    pairs = [x / y for x, y in zip(results[a], results[b])]
    return summarize(pairs)


# ------------------------------------------------------------------ in-process throughput
STEPS_PER_CALL = 4  # train.steps_per_execution for the "ours_spe" trainer
LEGEND = {"ours/keras": "ours / plain Keras fit", "ours/loop": "ours / hand-written loop",
          "ours_spe/loop": f"ours, {STEPS_PER_CALL} steps per call / loop"}
def throughput(quick, shards_folder):
    from benchmarks.workloads import Trainer, interleaved
    steps = {"digits_mlp": 200, "cnn_bn_32x32": 32, "transformer": 20}
    repeats = 3 if quick else 7
    rows = {}
    for name, n in steps.items():
        trainers = {kind: Trainer(name, kind) for kind in ("ours", "keras", "loop")}
        if not quick:  # quick mode stays under 10 minutes
            trainers["ours_spe"] = Trainer(name, "ours", steps_per_execution=STEPS_PER_CALL)
        if name == "cnn_bn_32x32":  # the same images, streamed from TFRecord shards
            trainers["ours_shards"] = Trainer(name, "ours",
                                              stream_folder=write_shards(name, shards_folder))
        res = interleaved(trainers, n, repeats)
        rows[name] = {"raw": res, "ours/keras": ratio(res, "ours", "keras"),
                      "ours/loop": ratio(res, "ours", "loop")}
        if not quick:
            rows[name]["ours_spe/loop"] = ratio(res, "ours_spe", "loop")
        if "ours_shards" in trainers:
            rows[name]["shards/memory"] = ratio(res, "ours_shards", "ours")
        print(f"  {name}: ours/keras {rows[name]['ours/keras']['median']:.3f}, "
              f"ours/loop {rows[name]['ours/loop']['median']:.3f}", flush=True)
    return rows, repeats


def write_shards(name, folder):
    """Writes workload `name`'s training data as 8 TFRecord shards, as make_tfrecords does."""
    from benchmarks.workloads import workload_config
    from ktrain_kit.data import tfrecord
    c = workload_config(name)
    tfrecord.convert(c.data, c.task, 0, folder, shards=8, progress=False)
    return folder


def accumulation_speed(quick):
    from benchmarks.workloads import Trainer
    repeats = 3 if quick else 7
    trainers = {"k4_micro64": Trainer("cnn_bn_32x32", "ours", 256, 4),
                "k1_batch64": Trainer("cnn_bn_32x32", "ours", 64, 1)}
    # Same number of examples for both: 4x fewer steps for the 4x bigger batch.
    results = {label: [] for label in trainers}
    steps = 10
    for _ in range(repeats):
        results["k4_micro64"].append(trainers["k4_micro64"].examples_per_sec(steps))
        results["k1_batch64"].append(trainers["k1_batch64"].examples_per_sec(steps * 4))
    return ratio(results, "k4_micro64", "k1_batch64")


def doctor_overhead(quick):
    """Overhead of the doctor at its default interval, measured in its two parts.

    1. Per-step cost of its batch hook (reading the loss): interleaved fits with a curve-only
       doctor (no probe) against none.
    2. Cost of one probe, timed directly, spread over `interval` steps of measured step time.
    Timing the whole doctor in short fits instead would charge each fit the probes it takes at
    train start and end, which a real run pays once.
    """
    import numpy as np

    from benchmarks.workloads import Trainer, interleaved, summarize
    from ktrain_kit.doctor import probe as probe_lib
    from ktrain_kit.callbacks import TrainingDoctor
    from ktrain_kit.config import default_config
    interval = default_config().callbacks.doctor.interval
    size = default_config().callbacks.doctor.probe_examples
    out = {}
    for name, steps in (("digits_mlp", 200), ("cnn_bn_32x32", 30)):
        plain = Trainer(name, "ours")
        hooked = Trainer(name, "ours", callbacks=[TrainingDoctor(None)])
        res = interleaved({"hooked": hooked, "plain": plain}, steps, 3 if quick else 5)
        hook = 1 - summarize([a / b for a, b in zip(res["hooked"], res["plain"])])["median"]
        step_seconds = plain.batch_size / summarize(res["plain"])["median"]
        probe = probe_lib.Probe(plain.model, plain.data.x_train[:size], plain.data.y_train[:size])
        probe()  # trace
        probe_seconds = []
        for _ in range(5 if quick else 10):
            start = time.perf_counter()
            probe()
            probe_seconds.append(time.perf_counter() - start)
        probe_share = float(np.median(probe_seconds)) / (interval * step_seconds)
        out[name] = {"hook": hook, "probe_seconds": float(np.median(probe_seconds)),
                     "step_seconds": step_seconds, "probe": probe_share,
                     "total": max(hook, 0.0) + probe_share}
    return out, interval


def child_cpu_seconds():
    import resource
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_command(*args):
    """(CPU seconds, wall seconds) of `python args...` in a child process."""
    before = child_cpu_seconds()
    _, wall = python(*args)
    return child_cpu_seconds() - before, wall


def doctor_whole_command(pairs, configs=("digits_cnn", "digits_mlp")):
    """The whole command as a user runs it, doctor on / off, in interleaved pairs (the order
    alternating): CPU time of the child process (less sensitive to other jobs than wall
    time) and wall time. Diagnoses of the "on" runs are kept to show they did not move."""
    out = {}
    for name in configs:
        runs = {"on": [], "off": []}
        statuses = []
        for i in range(pairs + 1):  # the first pair warms the disk cache and is dropped
            order = ("on", "off") if i % 2 else ("off", "on")
            for side in order:
                with tempfile.TemporaryDirectory() as tmp:
                    cpu, wall = timed_command(
                        "-m", "launchers.train", f"--config=configs/{name}.py",
                        f"--workdir={tmp}/run", "--config.train.verbose=0",
                        f"--config.callbacks.doctor.enabled={side == 'on'}")
                    if side == "on":
                        statuses.append(json.load(open(f"{tmp}/run/diagnosis.json"))["status"])
                if i:
                    runs[side].append((cpu, wall))
        from benchmarks.workloads import summarize
        out[name] = {
            "cpu": summarize([a[0] / b[0] for a, b in zip(runs["on"], runs["off"])]),
            "wall": summarize([a[1] / b[1] for a, b in zip(runs["on"], runs["off"])]),
            "cpu_off_s": summarize([b[0] for b in runs["off"]]),
            "wall_off_s": summarize([b[1] for b in runs["off"]]),
            "pairs": pairs, "statuses": sorted(set(statuses))}
        print(f"  doctor on/off {name}: CPU {out[name]['cpu']}, wall {out[name]['wall']}",
              flush=True)
    return out


def precision_and_mfu(quick):
    """Transformer float32 vs mixed_bfloat16 vs `auto`, and model FLOP utilization."""
    import keras

    from benchmarks.workloads import Trainer, interleaved, summarize, workload_config
    from ktrain_kit import runtime
    auto, why = runtime.choose_precision("auto", runtime.device_facts())
    trainers = {}
    for policy in ("float32", "mixed_bfloat16"):
        keras.mixed_precision.set_global_policy(policy)
        trainers[policy] = Trainer("transformer", "ours")
    keras.mixed_precision.set_global_policy("float32")
    res = interleaved(trainers, 10, 3 if quick else 7)
    c = workload_config("transformer")
    flops_per_example = transformer_train_flops(c.model.width, c.model.depth, c.model.mlp_ratio,
                                                c.data.seq_len)
    peak = {p: matmul_peak(p) for p in ("float32", "bfloat16")}
    mfu = {}
    for policy, dtype in (("float32", "float32"), ("mixed_bfloat16", "bfloat16")):
        achieved = summarize(res[policy])["median"] * flops_per_example
        mfu[policy] = {"achieved_gflops": achieved / 1e9, "peak_gflops": peak[dtype] / 1e9,
                       "mfu": achieved / peak[dtype]}
    auto_over_fp32 = ratio(res, auto if auto in res else "float32", "float32")
    return {"auto": auto, "why": why, "auto/float32": auto_over_fp32,
            "bf16/float32": ratio(res, "mixed_bfloat16", "float32"), "mfu": mfu,
            "flops_per_example": flops_per_example}


FAMILIES = {"digits_mlp": 400, "cnn_bn_32x32": 40, "transformer": 40}  # steps per repeat


def settings_auto(quick, families=FAMILIES):
    """What precision=auto and jit_compile=auto choose (measured by the real code path,
    `training.choose_settings`, fresh cache, as for a long run) against all four settings
    (float32 / mixed_bfloat16, XLA off / on) trained interleaved in steady state, per model
    family (see `versus` for the ratios)."""
    import tempfile as tmp_lib

    import keras

    from benchmarks.workloads import Trainer, interleaved, summarize, workload_config
    from ktrain_kit import data as data_lib
    from ktrain_kit import runtime, training
    facts = runtime.device_facts()
    candidates = [(p, j) for p in ("float32", "mixed_bfloat16") for j in (False, True)]
    out = {}
    for name, steps in families.items():
        c = workload_config(name)
        c.train.precision, c.train.jit_compile = "auto", "auto"
        with tmp_lib.TemporaryDirectory() as cache:
            previous = os.environ.get("XDG_CACHE_HOME")
            os.environ["XDG_CACHE_HOME"] = cache
            try:
                started = time.perf_counter()
                data = data_lib.load(c.data, c.task, 0)
                policy, jit, why = training.choose_settings(c, data, facts, "default", 10 ** 6)
                measuring_s = time.perf_counter() - started
            finally:
                if previous is None:
                    del os.environ["XDG_CACHE_HOME"]
                else:
                    os.environ["XDG_CACHE_HOME"] = previous
        trainers = {}
        for precision, xla in candidates:  # each setting as the launcher would train it
            keras.mixed_precision.set_global_policy(precision)
            trainers[(precision, xla)] = Trainer(name, "run", jit_compile=xla)
        keras.mixed_precision.set_global_policy("float32")
        res = interleaved(trainers, steps, 3 if quick else 7)
        auto = (policy, jit)

        def versus(pool):
            """auto's median examples/s over the best median in `pool`; min and max: auto's
            examples/s over the best of `pool` in the same repeat, over the repeats (biased low
            by noise: the best of several noisy draws)."""
            per_repeat = summarize([res[auto][i] / max(res[k][i] for k in pool)
                                    for i in range(len(res[auto]))])
            medians = {k: summarize(res[k])["median"] for k in pool + [auto]}
            return {**per_repeat, "median": medians[auto] / max(medians[k] for k in pool)}
        out[name] = {
            "auto": list(auto), "why": why, "measuring_s": measuring_s,
            "raw": {f"{p}{' + XLA' if j else ''}": res[(p, j)] for p, j in candidates},
            "examples_per_s": {f"{p}{' + XLA' if j else ''}": summarize(res[(p, j)])["median"]
                               for p, j in candidates},
            "auto/best": versus(candidates),
            "precision_auto/best": versus([(p, jit) for p in ("float32", "mixed_bfloat16")]),
            "jit_auto/best": versus([(policy, j) for j in (False, True)]),
        }
        print(f"  auto settings {name}: {auto}, auto/best {out[name]['auto/best']}", flush=True)
    return out


NO_BF16_ISA = "AVX512_CORE_VNNI"  # an AVX-512 CPU without bf16 instructions (Cascade Lake)


def settings_without_bf16(quick):
    """`settings_auto` on this CPU as a CPU without bfloat16 instructions: a child process with
    oneDNN capped below them (ONEDNN_MAX_CPU_ISA is read when TensorFlow starts; bfloat16 is then
    emulated, as on such a CPU, and auto sees no bfloat16 instructions: runtime.device_facts)."""
    with tempfile.TemporaryDirectory() as tmp:
        python("-m", "benchmarks.run", "--settings-json", f"{tmp}/settings.json",
               *(["--quick"] if quick else []), env={"ONEDNN_MAX_CPU_ISA": NO_BF16_ISA})
        return json.load(open(f"{tmp}/settings.json"))


STARTUP_PHASES = ("imports", "data", "tensorflow", "model", "callbacks", "first_step", "total")


def startup_split(repeats):
    """Seconds from launching the digits_cnn command to its first completed training step, by
    phase: Python and imports until `train()` (from the launch), then the phases train() itself
    records in summary.json (`startup_s`)."""
    from benchmarks.workloads import summarize
    phases = {}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            launched = time.time()
            python("-m", "launchers.train", "--config=configs/digits_cnn.py",
                   f"--workdir={tmp}/run", "--config.train.epochs=2", "--config.train.verbose=0")
            marks = json.load(open(f"{tmp}/run/summary.json"))["startup_s"]
        row = {"imports": marks.pop("train_called_at") - launched, **marks}
        row["total"] = sum(row.values())
        for k, v in row.items():
            phases.setdefault(k, []).append(v)
    return {k: summarize(v) for k, v in phases.items()}


def transformer_train_flops(width, depth, mlp_ratio, length):
    """Training FLOPs per example: 3x the forward matmuls (projections, MLP, attention)."""
    per_token_layer = (2 * 4 * width * width                 # q, k, v, output projections
                       + 2 * 2 * width * width * mlp_ratio   # two MLP matmuls
                       + 2 * 2 * length * width)             # scores and weighted values
    return 3 * depth * length * per_token_layer


def matmul_peak(dtype, n=1024, reps=20):
    import tensorflow as tf
    a = tf.random.normal([n, n], dtype=tf.float32)
    a = tf.cast(a, dtype)
    f = tf.function(lambda x: tf.linalg.matmul(x, x))
    f(a).numpy()
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(reps):
            out = f(a)
        out.numpy()
        best = max(best, 2 * n ** 3 * reps / (time.perf_counter() - start))
    return best


# ------------------------------------------------------------------ subprocess figures
def python(*args, env=None, cores=None):
    cmd = [sys.executable, *args]
    if cores is not None:
        cmd = ["taskset", "-c", cores, *cmd]
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})})
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result, time.perf_counter() - start


def memory():
    def growth(batch, k):
        out, _ = python("-m", "benchmarks.memory_probe", str(batch), str(k), "5")
        return float(re.search(r"PEAK_GROWTH_MIB (\S+)", out.stdout).group(1))
    return {"k8_micro32": growth(256, 8), "k1_batch32": growth(32, 1),
            "k1_batch256": growth(256, 1)}


def wall_time_and_startup(repeats):
    ours, plain, startup = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            out, seconds = python("-m", "launchers.train", "--config=configs/digits_cnn.py",
                                  f"--workdir={tmp}/run", "--config.train.verbose=0")
            accuracy = json.load(open(f"{tmp}/run/summary.json"))["best_val_accuracy"]
            ours.append((seconds, accuracy))
        out, seconds = python(os.path.join(HERE, "plain_keras_digits.py"))
        plain.append((seconds, float(re.search(r"BEST_VAL_ACCURACY (\S+)", out.stdout)[1])))
        startup.append(time_to_first_step())
    return ours, plain, startup


def time_to_first_step():
    """Seconds from launching the command until its first training step has run (traced)."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "launchers.train", "--config=configs/digits_cnn.py",
             f"--workdir={tmp}/run", "--config.train.epochs=1", "--config.train.verbose=1",
             "--config.schedule.warmup_epochs=0"], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
        seconds = None
        for line in proc.stdout:
            if re.search(r"\b1/\d+", re.sub(r"\x1b\[[0-9;]*m", "", line)):  # progress bar
                seconds = time.perf_counter() - start
                break
        proc.kill()
        proc.wait()
        return seconds


def multi_worker(repeats):
    """examples/s of 2 workers x 1 core on loopback over 1 process x 2 cores (digits MLP)."""
    import socket
    args = ["-m", "launchers.train", "--config=configs/digits_mlp.py", "--config.train.epochs=3",
            "--config.train.verbose=0", "--config.callbacks.early_stopping.enabled=False"]

    def steady(workdir):
        rows = list(csv.DictReader(open(os.path.join(workdir, "metrics.csv"))))
        return float(rows[-1]["examples_per_sec"])

    def port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    ratios = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            python(*args, f"--workdir={tmp}/single", cores="0,1")
            cluster = [f"127.0.0.1:{port()}", f"127.0.0.1:{port()}"]
            procs = []
            for i in range(2):
                tf_config = json.dumps({"cluster": {"worker": cluster},
                                        "task": {"type": "worker", "index": i}})
                procs.append(subprocess.Popen(
                    ["taskset", "-c", str(i), sys.executable, *args,
                     "--config.train.strategy=multi_worker", f"--workdir={tmp}/multi"],
                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_CONFIG": tf_config}))
            for p in procs:
                p.wait(timeout=300)
            ratios.append(steady(f"{tmp}/multi") / steady(f"{tmp}/single"))
    from benchmarks.workloads import summarize
    return summarize(ratios)


# ------------------------------------------------------------------ report
def fmt(s, digits=3):
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}-{s['max']:.{digits}f})"


def write_results(r, quick, path):
    from benchmarks.workloads import summarize
    lines = ["# Benchmark results", "",
             f"Machine: {r['machine']}.", "",
             f"Run: `python -m benchmarks.run{' --quick' if quick else ''}` on "
             f"{time.strftime('%Y-%m-%d')}, {r['repeats']} interleaved repeats per figure; each "
             "figure is the median ratio with the min-max of the repeats in brackets.", "",
             "| figure | goal | measured | met |", "| --- | --- | --- | --- |"]

    def row(name, goal, value, ok):
        lines.append(f"| {name} | {goal} | {value} | {'yes' if ok else ('no' if ok is False else '-')} |")

    for name, t in r["throughput"].items():
        row(f"examples/s ours / plain Keras fit, {name}", ">= 0.97", fmt(t["ours/keras"]),
            t["ours/keras"]["median"] >= 0.97)
    for name, t in r["throughput"].items():
        goal = ">= 0.95" if name == "transformer" else "reported"
        row(f"examples/s ours / hand-written tf.function loop, {name}", goal,
            fmt(t["ours/loop"]), t["ours/loop"]["median"] >= 0.95 if name == "transformer"
            else None)
    for name, t in r["throughput"].items():
        if "ours_spe/loop" in t:
            row(f"examples/s ours with steps_per_execution={STEPS_PER_CALL} / hand-written loop, "
                f"{name}", "reported", fmt(t["ours_spe/loop"]), None)
    for name, t in r["throughput"].items():
        if "shards/memory" in t:
            row(f"examples/s from TFRecord shards / the same data in memory, {name}", ">= 0.95",
                fmt(t["shards/memory"]), t["shards/memory"]["median"] >= 0.95)
    row("accumulation K=4 (micro-batch 64) / K=1 at batch 64, examples/s (CNN)", ">= 0.9",
        fmt(r["accumulation"]), r["accumulation"]["median"] >= 0.9)
    m = r["memory"]
    mem_ratio = m["k8_micro32"] / max(m["k1_batch32"], 1e-9)
    row("peak memory growth, K=8 at micro-batch 32 / batch 32 (CNN)", "<= 1.3",
        f"{mem_ratio:.2f} ({m['k8_micro32']:.0f} vs {m['k1_batch32']:.0f} MiB; batch 256 "
        f"without accumulation: {m['k1_batch256']:.0f} MiB)", mem_ratio <= 1.3)
    p = r["precision"]
    auto, auto_over_fp32 = p["auto"], p["auto/float32"]
    if auto == "measure":  # this CPU leaves it to the measurement: what it chose (settings)
        auto = r.get("settings", {}).get("transformer", {}).get("auto", ["float32"])[0]
        auto_over_fp32 = p["bf16/float32"] if auto == "mixed_bfloat16" else \
            {"median": 1.0, "min": 1.0, "max": 1.0}
    row(f"precision=auto ({auto}) / float32, Transformer", ">= 1.5", fmt(auto_over_fp32),
        auto_over_fp32["median"] >= 1.5)
    row("mixed_bfloat16 / float32, Transformer (forced)", "reported", fmt(p["bf16/float32"]),
        None)
    for policy, v in p["mfu"].items():
        row(f"model FLOP utilization, Transformer, {policy}", ">= 40%",
            f"{100 * v['mfu']:.1f}% ({v['achieved_gflops']:.1f} of {v['peak_gflops']:.1f} "
            f"GFLOP/s matmul peak)", v["mfu"] >= 0.4)
    ours = summarize([s for s, _ in r["wall"]["ours"]])
    plain = summarize([s for s, _ in r["wall"]["plain"]])
    accs = [a for _, a in r["wall"]["ours"]]
    row("wall time, digits_cnn command start to finish (ours) vs plain Keras script", "reported",
        f"{ours['median']:.1f} s vs {plain['median']:.1f} s (ours reached "
        f"{min(accs):.4f}-{max(accs):.4f} val accuracy; plain "
        f"{min(a for _, a in r['wall']['plain']):.4f}-"
        f"{max(a for _, a in r['wall']['plain']):.4f})", None)
    for name, v in r["doctor"]["overhead"].items():
        row(f"doctor statistics overhead, interval {r['doctor']['interval']} steps, {name}",
            "<= 3%", f"{100 * v['total']:.1f}% (batch hook {100 * v['hook']:.1f}%; one probe "
            f"{1000 * v['probe_seconds']:.0f} ms per {r['doctor']['interval']} steps of "
            f"{1000 * v['step_seconds']:.1f} ms)", v["total"] <= 0.03)
    for name, v in r.get("doctor_command", {}).items():
        off = f"; off: {v['cpu_off_s']['median']:.1f} s CPU" if "cpu_off_s" in v else ""
        row(f"whole command doctor on / off, CPU time, {name} ({v['pairs']} interleaved pairs"
            f"{off})", "<= 1.03", fmt(v["cpu"]), v["cpu"]["median"] <= 1.03)
        row(f"whole command doctor on / off, wall time, {name}", "reported", fmt(v["wall"]),
            None)
    for key, cpu in (("settings", ""), ("settings_no_bf16", " on a CPU without bf16 "
                                         f"instructions (oneDNN capped at {NO_BF16_ISA})")):
        for name, v in r.get(key, {}).items():
            auto = f"{v['auto'][0]}{' + XLA' if v['auto'][1] else ''}"
            row(f"precision=auto / best of float32, mixed_bfloat16 (auto: {auto}), {name}{cpu}",
                ">= 0.97", fmt(v["precision_auto/best"]),
                v["precision_auto/best"]["median"] >= 0.97)
            row(f"jit_compile=auto / best of XLA on, off (auto: {auto}), {name}{cpu}", ">= 0.97",
                fmt(v["jit_auto/best"]), v["jit_auto/best"]["median"] >= 0.97)
            speeds = ", ".join(f"{k} {e:.0f}" for k, e in v["examples_per_s"].items())
            row(f"examples/s by setting, {name}{cpu} (auto measured them in "
                f"{v['measuring_s']:.0f} s, once per model and machine)", "reported", speeds,
                None)
    split = r.get("startup_split")
    if split:
        row("start-up, digits_cnn command to first completed step, by phase (s)", "reported",
            ", ".join(f"{k} {split[k]['median']:.2f}" for k in STARTUP_PHASES if k in split),
            None)
    startup = [s for s in r["startup"] if s]
    row("start-up: command to first completed training step, digits_cnn", "reported",
        f"{summarize(startup)['median']:.1f} s" if startup else "n/a", None)
    row("multi-worker, 2 workers x 1 core (loopback) / 1 process x 2 cores, examples/s",
        "reported", fmt(r["multi_worker"]), None)
    lines += ["", "## Notes", "", NOTES.strip(), ""]
    kept = kept_sections(path)  # read before the file is truncated below
    with open(path, "w") as f:
        f.write("\n".join(lines) + kept)


SECTIONS = "<!-- written by other benchmarks: kept when run.py rewrites this file -->"


def kept_sections(path):
    """What other benchmark scripts (benchmarks/features.py) wrote below the marker."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return ""
    return "\n" + text[text.index(SECTIONS):] if SECTIONS in text else ""


NOTES = """
How it was measured:
- Throughput is steady state, like metrics.csv: every trainer is warmed up (traced) first; each
  repeat trains the same number of steps on the same tf.data pipeline
  (`ktrain_kit.data.train_pipeline`) and is timed from the end of its first step to the end of
  its last, so the ~30 ms set-up of each `fit` call (iterator, callbacks), which a real run pays
  once, is not charged to every repeat. The hand-written loop does the same work as `fit` (loss,
  mean loss and accuracy metrics).
- This VM's speed drifts by up to 2x from minute to minute (digits_cnn took 14-36 s wall over one
  afternoon), hence interleaving and medians; single repeats range widely.
- Memory is the growth of the process's peak RSS during 5 training steps over its RSS right
  before them (TensorFlow's own footprint excluded), each configuration in a fresh process.
- FLOPs are analytic: 3x the forward matmul FLOPs of the encoder (projections, MLP, attention);
  the peak is the best 1024x1024 tf.linalg.matmul in that dtype on this machine.
- The doctor's overhead is measured in its two parts (see `doctor_overhead` in run.py): its
  per-step batch hook (interleaved fits; at noise level, hence the negative values) plus one
  probe's time spread over `interval` measured steps.
- `python -m benchmarks.profiling` writes PROFILE.md, the profile behind the causes below.
- Whole command, doctor on / off: `python -m launchers.train --config=configs/NAME.py` as a
  user runs it (data, build, training, export, plots, diagnosis), alternately doctor-first and
  doctor-last, the first pair dropped (disk cache). The figure is the CPU time of the child
  process (`resource.getrusage(RUSAGE_CHILDREN)`: user + system, all threads), which other
  jobs on the machine disturb far less than wall time; one other engineer's benchmark ran
  beside this run at the lowest priority (nice 19), so the wall-time ratios range widely and the
  min-max of the pairs is the honest error bar.
- precision=auto and jit_compile=auto: `training.choose_settings` - the code a run uses - with a
  fresh cache, as for a long run; then the four settings (float32 / mixed_bfloat16, XLA off / on)
  are each built and compiled as the launcher builds them (`training.build_model`: the config's
  optimizer, loss and metrics) and fit on the run's pipeline in steady state, 7 interleaved
  repeats of 40-400 steps; the figure is auto's median examples/s over
  the best setting's median; in brackets the range over repeats of auto's examples/s over the
  best setting's in the same repeat (biased low: the best of several noisy draws).
  "precision=auto / best" compares within auto's XLA choice, "jit_compile=auto / best" within
  auto's precision. These rows come from `python -m benchmarks.run --only settings`, run after
  the full run (the decision rule and this measurement's model changed in between); the
  others are from the full run.
- "On a CPU without bf16 instructions": the same measurement in a child process started with
  `ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI` (`--only settings_no_bf16`), which keeps oneDNN - the
  library behind TensorFlow's CPU kernels - below this CPU's AVX512_BF16 instructions, as on an
  AVX-512 CPU without them (Intel Cascade Lake). bfloat16 is then emulated: a 1024^2 matmul ran
  at 160 GFLOP/s against float32's 348 (844 uncapped). `runtime.device_facts` reads the cap, so
  auto sees a CPU without bf16 instructions and keeps float32 without measuring precision (XLA
  is still measured). Capping at AVX2 instead is not a faithful stand-in: oneDNN then refuses
  the bfloat16 matmul and the process aborts.
- Start-up phases: `train()` records them in summary.json (`startup_s`); "imports" is the time
  from the launch to `train()`, "tensorflow" includes importing Keras and TensorFlow (most of
  it), "first_step" is `fit` set-up, the trace of the step and (with the doctor) its first probe.
  Cut this round: the garbage collector paused while TensorFlow and Keras load, their objects
  frozen after (ktrain_kit/frameworks.py, installed by every launcher): digits_cnn to the first
  step 4.10 -> 3.19 s (tensorflow 2.61 -> 2.04, first_step 1.14 -> 0.87: later collections skip
  the frozen heap). Next round: Keras' `keras.wrappers` (scikit-learn estimators around a model)
  is made ready at start-up but runs on first use, so scikit-learn is no longer imported by every
  command (ktrain_kit/frameworks.py): tensorflow phase 2.04 -> 1.79 s, total 3.19 -> 3.04 s;
  whole command, 5 interleaved pairs, digits_mlp 5.7 -> 5.3 s CPU. The row "command to first
  completed training step" below it is the throughput section's, measured before these rounds.

Goals missed, why (profiled: PROFILE.md), and what moves them:
- Ours / hand-written loop on the digits MLP (0.7-0.8 at one step per call; the goal of 0.95
  is for compute-bound work, where we meet it). Profiled: Keras `fit` adds next to no Python per
  step (cProfile: the compiled call is ~85% of fit's own time; 0.06 ms a step around it), and a
  tf.profiler trace shows the same ops per step (443 vs 440). The gap is inside the compiled
  call, 0.6-0.85 ms longer than the loop's (the loop gives 0.3-0.4 ms of it back in its own
  Python dispatch): Keras wraps the step in a nested `tf.function` under
  `distribute_strategy.run`, takes the batch with an in-graph `get_next` and wraps the outputs in
  an `Optional`. That is 25-35% of a 2 ms MLP step and ~1% of a Transformer step; stock Keras
  pays the same (ours / plain Keras ~1.0). What moves it: `train.steps_per_execution`, several
  steps per call: 4 per call gives 1.1-1.25x the loop's speed on the MLP, 16 gives 1.7x (the loop
  pays its Python dispatch every step). Results do not change (tested); the doctor, metrics.csv
  and checkpoints count steps, not calls. An earlier version of this table measured 0.63 here:
  it charged each 200-step repeat the ~30-40 ms set-up of a `fit` call.
- precision=auto / float32 >= 1.5 on the Transformer: this CPU (AVX512_BF16) runs the
  Transformer in mixed_bfloat16 at about float32's speed, so no policy reaches 1.5x here;
  `auto` measures and keeps the faster (the "precision=auto / best" rows). The goal needs a
  CPU where bfloat16 is much faster (DESIGN.md measured 1.8x on one) or a GPU for mixed_float16.
- Transformer FLOP utilization ~25% (goal 40%). tf.profiler op breakdown: matmuls are 52% of op
  time; element-wise ops take the rest (Mul 18%: GELU, layer norm, dropout masks, Adam; Transpose
  5%; dropout's random numbers 4%; Erfc 2%). So the matmuls themselves run at about half of the
  1024x1024 peak (they are 4,096 tokens x width 128), and the other half of the time does no
  counted FLOPs. What moves it: bigger matmuls (wider model, longer sequences) and fused
  element-wise kernels. XLA, which fuses them, is slower on this CPU (jit_compile=True / off:
  0.90 Transformer, 0.76 MLP; PROFILE.md; the CNN runs 2.5x slower), so `train.jit_compile=auto`
  measures it per model and machine and keeps it off where it loses; on a GPU it is on.
- Multi-worker on loopback, 2 x 1 core vs 1 x 2 cores = 0.2: each ~3 ms step waits for a gRPC
  all-reduce of all gradients between two processes; communication dominates so small a step.
  Bigger per-worker batches or steps_per_execution amortize it; real multi-worker use is across
  machines with accelerators.
- No GPU was available to this project, so mixed_float16 / float32 on a GPU (goal >= 2x) and GPU
  FLOP utilization are not measured yet.
- Whole command doctor on / off, digits_cnn and digits_mlp (goal 1.03): the doctor's work is a
  fixed ~0.35-0.5 s of CPU per run, and this round made the rest of the command cheaper, not
  the doctor dearer. TensorFlow and Keras now load with the garbage collector paused and frozen
  after (ktrain_kit/frameworks.py: 6 full collections re-scanned their 420,000 objects during the
  import), which took ~1 s of CPU off every command, doctor on and off alike: doctor off, digits_cnn
  10.0 -> 7.9 s, digits_mlp 6.5 -> 4.7 s. The same fixed cost over a smaller command reads
  1.069 / 1.094 where it read 1.092 / 1.062 (the spread of 7-9 pairs is 0.04-0.25 wide). The
  next round (scikit-learn no longer imported at start-up: off 4.7 -> 4.4 s CPU on the MLP)
  read 1.081 (0.975-1.180) / 1.032 (0.979-1.190): pairs below 1.0 show that the spread, not a
  change in the doctor, moved the MLP's median; its fixed cost is unchanged.
  What the fixed part is, measured part by part in-process (CPU time): the probe's one trace and
  cold first run (MLP 0.07 + 0.05 s, 401 graph ops after this round's cut of tf.repeat's 34;
  CNN 0.09 + 0.08 s), 1 ms (MLP) to 7 ms (CNN) per later probe (a forward and backward pass over
  64 examples: about a training step), the diagnostics figure 0.08-0.10 s, the simple models
  0.03 s and the reference forward pass 0.02-0.08 s. Tried and rejected: the probe run eagerly
  (11 ms a call for the MLP, 27 ms for the CNN: more than the trace over 18-22 probes), grappler
  off for its first run (saves 0.035 s, costs 0.4-2.7 ms on every later probe). What would move
  the rest changes what the doctor measures or shows (fewer epoch-end probes, a smaller
  reference, no figure), which this goal forbids (diagnoses unchanged).
"""


def chart(r, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = list(r["throughput"])
    fig, ax = plt.subplots(figsize=(7, 4))
    keys = [k for k in ("ours/keras", "ours/loop", "ours_spe/loop")
            if k in r["throughput"][names[0]]]
    width = 0.8 / len(keys)
    for i, key in enumerate(keys):
        med = [r["throughput"][n][key]["median"] for n in names]
        err = [[m - r["throughput"][n][key]["min"] for m, n in zip(med, names)],
               [r["throughput"][n][key]["max"] - m for m, n in zip(med, names)]]
        ax.bar([j + i * width for j in range(len(names))], med, width, yerr=err,
               label=LEGEND.get(key, key))
    ax.axhline(0.97, color="gray", linestyle="--", linewidth=1)
    ax.set_xticks([j + width * (len(keys) - 1) / 2 for j in range(len(names))], names)
    ax.set(ylabel="examples/s ratio", title="ktrain_kit engine throughput, relative")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _throughput_section(r, quick, args):
    with tempfile.TemporaryDirectory() as shards_folder:
        r["throughput"], r["repeats"] = throughput(quick, shards_folder)


def _doctor_section(r, quick, args):
    overhead, interval = doctor_overhead(quick)
    r["doctor"] = {"overhead": overhead, "interval": interval}


MEASURED_SECTIONS = {
    "throughput": _throughput_section,
    "doctor": _doctor_section,
    "doctor_command": lambda r, quick, args: r.update(
        doctor_command=doctor_whole_command(3 if quick else args.pairs)),
    "settings": lambda r, quick, args: r.update(settings=settings_auto(quick)),
    "settings_no_bf16": lambda r, quick, args: r.update(
        settings_no_bf16=settings_without_bf16(quick)),
    "startup": lambda r, quick, args: r.update(startup_split=startup_split(1 if quick else 3)),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and steps")
    parser.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite RESULTS.md and the chart from results.json, measure nothing")
    parser.add_argument("--only", nargs="+", choices=sorted(MEASURED_SECTIONS),
                        help="measure only these sections again, keep the rest of results.json")
    parser.add_argument("--pairs", type=int, default=5,
                        help="interleaved pairs for the whole-command doctor figure")
    parser.add_argument("--settings-json", help=argparse.SUPPRESS)  # settings_without_bf16
    args = parser.parse_args()
    quick = args.quick
    if args.settings_json:
        with open(args.settings_json, "w") as f:
            json.dump(settings_auto(quick), f, default=str)
        return
    # Before an 18-minute run, not after it: a missing folder for --out is made now.
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    if args.report_only:
        r = json.load(open(os.path.join(os.path.dirname(args.out), "results.json")))
        write_results(r, r.get("quick", False), args.out)
        chart(r, os.path.join(os.path.dirname(args.out), "results.png"))
        return
    if args.only:  # e.g. after a change to the doctor: its figures again, the rest kept
        path = os.path.join(os.path.dirname(args.out), "results.json")
        r = json.load(open(path))
        for section in args.only:
            print(f"{section}...", flush=True)
            MEASURED_SECTIONS[section](r, r.get("quick", False), args)
        write_results(r, r.get("quick", False), args.out)
        chart(r, os.path.join(os.path.dirname(args.out), "results.png"))
        with open(path, "w") as f:
            json.dump(r, f, indent=1, default=str)
        return
    r = {"machine": machine(), "quick": quick}
    print("throughput (ours vs plain Keras vs hand-written loop)...", flush=True)
    with tempfile.TemporaryDirectory() as shards_folder:
        r["throughput"], r["repeats"] = throughput(quick, shards_folder)
    print("accumulation speed...", flush=True)
    r["accumulation"] = accumulation_speed(quick)
    print("doctor overhead...", flush=True)
    overhead, interval = doctor_overhead(quick)
    r["doctor"] = {"overhead": overhead, "interval": interval}
    print("precision=auto, jit_compile=auto against every setting...", flush=True)
    r["settings"] = settings_auto(quick)
    print("the same on a CPU without bf16 instructions (oneDNN capped, subprocess)...", flush=True)
    r["settings_no_bf16"] = settings_without_bf16(quick)
    print("whole command, doctor on / off (subprocesses)...", flush=True)
    r["doctor_command"] = doctor_whole_command(3 if quick else args.pairs)
    print("start-up phases (subprocesses)...", flush=True)
    r["startup_split"] = startup_split(1 if quick else 3)
    print("precision and FLOP utilization...", flush=True)
    r["precision"] = precision_and_mfu(quick)
    print("memory (subprocesses)...", flush=True)
    r["memory"] = memory()
    print("wall time and start-up (subprocesses)...", flush=True)
    ours, plain, startup = wall_time_and_startup(1 if quick else 3)
    r["wall"], r["startup"] = {"ours": ours, "plain": plain}, startup
    print("multi-worker on loopback (subprocesses)...", flush=True)
    r["multi_worker"] = multi_worker(1 if quick else 3)
    write_results(r, quick, args.out)
    chart(r, os.path.join(os.path.dirname(args.out), "results.png"))
    with open(os.path.join(os.path.dirname(args.out), "results.json"), "w") as f:
        json.dump(r, f, indent=1, default=str)
    print(open(args.out).read())


if __name__ == "__main__":
    main()
