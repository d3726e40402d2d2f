"""Where the time goes, for the goals benchmarks/RESULTS.md misses: writes benchmarks/PROFILE.md.

    python -m benchmarks.profiling        # about 5 minutes on 2 cores

1. Step anatomy, digits MLP (overhead-bound): per step, the time inside the compiled train
   function against the Python around it - Keras `fit` for our engine, a `for` loop for the
   hand-written one - and cProfile's top Python functions inside `fit`.
2. `steps_per_execution` (steps run per call of the compiled function): our engine with 1, 4
   and 16 against the hand-written loop, interleaved, on the MLP and the Transformer.
3. Op breakdown, Transformer (a `tf.profiler` trace): the share of op time in matmuls and in
   everything else, which bounds the model FLOP utilization.
4. XLA: our engine with `jit_compile=True` (which fuses the element-wise ops) against without.
"""

import collections
import cProfile
import glob
import os
import pstats
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

HERE = os.path.dirname(os.path.abspath(__file__))
MATMULS = {"MatMul", "BatchMatMulV2", "BatchMatMulV3", "_FusedMatMul", "Einsum"}


def timed(function, durations):
    """`function`, appending the wall time of each call to `durations`."""
    def wrapper(*args):
        start = time.perf_counter()
        out = function(*args)
        durations.append(time.perf_counter() - start)
        return out
    return wrapper


def step_anatomy(steps=500, repeats=5):
    from benchmarks.workloads import Trainer
    trainers = {"ours (fit)": Trainer("digits_mlp", "ours"),
                "hand-written loop": Trainer("digits_mlp", "loop")}
    calls = {label: [] for label in trainers}
    ours, loop = trainers["ours (fit)"], trainers["hand-written loop"]
    ours.model.train_function = timed(ours.model.train_function, calls["ours (fit)"])
    loop.step = timed(loop.step, calls["hand-written loop"])
    whole, inside = collections.defaultdict(float), collections.defaultdict(float)
    for _ in range(repeats):  # interleaved; like run(), leave each run's first step out
        for label, trainer in trainers.items():
            calls[label].clear()
            whole[label] += trainer.run(steps)
            inside[label] += sum(calls[label][1:])
    timed_steps = (steps - 1) * repeats
    per_step = {label: {"total_ms": 1e3 * whole[label] / timed_steps,
                        "compiled_ms": 1e3 * inside[label] / timed_steps} for label in trainers}
    setup = []
    for _ in range(repeats):  # a one-step fit: set-up (iterator, callbacks) plus one step
        start = time.perf_counter()
        ours.model.fit(ours.dataset, steps_per_epoch=1, epochs=1, verbose=0, shuffle=False)
        setup.append(1e3 * (time.perf_counter() - start) - per_step["ours (fit)"]["total_ms"])
    per_step["ours (fit)"]["setup_ms"] = sorted(setup)[len(setup) // 2]
    profiler = cProfile.Profile()
    profiler.runcall(ours.run, steps)
    return per_step, top_python(profiler, steps)


def top_python(profiler, steps, n=8):
    """The Python functions that take most of their own time in `fit`, per step."""
    stats = pstats.Stats(profiler).stats
    rows = []
    for (path, line, name), (_, calls, own, cumulative, _) in stats.items():
        if "site-packages" in path:
            path = path.split("site-packages/")[1]
        rows.append((own, calls, f"{path}:{line} {name}"))
    rows.sort(reverse=True)
    return [{"function": where, "calls_per_step": calls / steps, "own_us_per_step":
             1e6 * own / steps} for own, calls, where in rows[:n]]


def steps_per_execution(repeats=5):
    from benchmarks.workloads import Trainer, interleaved, summarize
    out = {}
    for name, steps in (("digits_mlp", 320), ("transformer", 32)):
        trainers = {f"ours, {k} per call": Trainer(name, "ours", steps_per_execution=k)
                    for k in (1, 4, 16)}
        trainers["hand-written loop"] = Trainer(name, "loop")
        res = interleaved(trainers, steps, repeats)
        out[name] = {label: summarize([a / b for a, b in zip(v, res["hand-written loop"])])
                     for label, v in res.items() if label != "hand-written loop"}
    return out


def xla(repeats=5):
    from benchmarks.workloads import Trainer, interleaved, summarize
    out = {}
    for name, steps in (("digits_mlp", 200), ("transformer", 20)):
        trainers = {"xla": Trainer(name, "ours", jit_compile=True),
                    "plain": Trainer(name, "ours", jit_compile=False)}
        res = interleaved(trainers, steps, repeats)
        out[name] = summarize([a / b for a, b in zip(res["xla"], res["plain"])])
    return out


def op_breakdown(steps=10):
    """Op time by op type in a tf.profiler trace of our Transformer step."""
    import tensorflow as tf
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    from benchmarks.workloads import Trainer
    trainer = Trainer("transformer", "ours")
    logdir = tempfile.mkdtemp(prefix="ktrain_profile_")
    tf.profiler.experimental.start(logdir)
    trainer.run(steps)
    tf.profiler.experimental.stop()
    space = xplane_pb2.XSpace()
    with open(sorted(glob.glob(f"{logdir}/plugins/profile/*/*.xplane.pb"))[-1], "rb") as f:
        space.ParseFromString(f.read())
    by_type = collections.Counter()
    for plane in space.planes:
        names = {k: v.name for k, v in plane.event_metadata.items()}
        for line in plane.lines:
            if not line.name.startswith("tf_Compute"):
                continue
            for event in line.events:  # op events are named "scope/op:OpType"
                name = names.get(event.metadata_id, "")
                if ":" in name and "::" not in name:
                    by_type[name.rsplit(":", 1)[1]] += event.duration_ps / 1e12
    total = sum(by_type.values())
    matmul = sum(v for k, v in by_type.items() if k in MATMULS)
    return {"matmul_share": matmul / total, "total_op_s": total,
            "top": [(k, v / total) for k, v in by_type.most_common(10)]}


def write(anatomy, python_top, spe, ops, jit, path):
    lines = ["# Where the time goes", "",
             "`python -m benchmarks.profiling` on this machine; figures explain the goals "
             "RESULTS.md misses.", "",
             "## 1. Step anatomy, digits MLP (batch 64), ms per step", "",
             "| trainer | whole step | inside the compiled function | around it (Python) |",
             "| --- | --- | --- | --- |"]
    for label, a in anatomy.items():
        lines.append(f"| {label} | {a['total_ms']:.2f} | {a['compiled_ms']:.2f} | "
                     f"{a['total_ms'] - a['compiled_ms']:.2f} |")
    lines += ["", f"Set-up of one `fit` call (iterator, callbacks), paid once per call: "
              f"{anatomy['ours (fit)']['setup_ms']:.0f} ms."]
    lines += ["", "Top Python functions in `fit` by own time (cProfile, per step):", "",
              "| function | calls/step | own us/step |", "| --- | --- | --- |"]
    lines += [f"| `{r['function']}` | {r['calls_per_step']:.1f} | {r['own_us_per_step']:.0f} |"
              for r in python_top]
    lines += ["", "## 2. steps_per_execution: examples/s of ours / hand-written loop", "",
              "| workload | " + " | ".join(next(iter(spe.values()))) + " |",
              "| --- |" + " --- |" * len(next(iter(spe.values())))]
    for name, row in spe.items():
        lines.append(f"| {name} | " + " | ".join(
            f"{v['median']:.3f} ({v['min']:.2f}-{v['max']:.2f})" for v in row.values()) + " |")
    lines += ["", "## 3. Op time by op type, Transformer step (tf.profiler)", "",
              f"Matmuls (MatMul, BatchMatMul, fused): {100 * ops['matmul_share']:.0f}% of op "
              "time. Largest op types:", "", "| op type | share of op time |", "| --- | --- |"]
    lines += [f"| {k} | {100 * v:.1f}% |" for k, v in ops["top"]]
    lines += ["", "## 4. XLA: examples/s with jit_compile=True / without (our engine)", "",
              "| workload | ratio |", "| --- | --- |"]
    lines += [f"| {name} | {v['median']:.3f} ({v['min']:.2f}-{v['max']:.2f}) |"
              for name, v in jit.items()]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    print("step anatomy (digits MLP)...", flush=True)
    anatomy, python_top = step_anatomy()
    print(anatomy, flush=True)
    print("steps_per_execution...", flush=True)
    spe = steps_per_execution()
    print(spe, flush=True)
    print("op breakdown (Transformer, tf.profiler)...", flush=True)
    ops = op_breakdown()
    print("XLA...", flush=True)
    jit = xla()
    path = os.path.join(HERE, "PROFILE.md")
    write(anatomy, python_top, spe, ops, jit, path)
    print(open(path).read())


if __name__ == "__main__":
    main()
