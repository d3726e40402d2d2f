"""The doctor's floor on a short run: what any doctor that measures gradients must pay, measured.

    python -m benchmarks.doctor_floor      # about 2 minutes on 2 cores; prints a Markdown table

Issue 24 asks the whole command with the doctor to cost at most 1.03x its CPU time without it,
the diagnosis unchanged. On digits_mlp the command without the doctor takes about 5-6 s of CPU,
so the doctor's budget is ~0.17 s. This measures, in a child process per config that has
already trained (its train function traced, as in a real run), the CPU seconds of:

- tracing and first running the smallest function a gradient-reading doctor needs: the loss
  gradient on a fixed batch, nothing else;
- the same for the doctor's probe (ktrain_kit/doctor/probe.py: the gradient plus its
  statistics), and one later probe call;
- drawing diagnostics.png (ktrain_kit/plots.py) for a 20-epoch run;
- the simple models of the end-of-run reference (task.best_simple_model) on the reference
  sample the launcher gives it.

The first line alone is the floor of the probe; with the figure and the reference, the floor of
the doctor as it is specified (what it measures and what it shows).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _cpu(function):
    start = time.process_time()
    out = function()
    return time.process_time() - start, out


def measure(name):
    """The CPU seconds above, in this process (run it in a fresh one: --child)."""
    import importlib

    import numpy as np
    import tensorflow as tf

    from ktrain_kit import data as data_lib
    from ktrain_kit import plots, training
    from ktrain_kit.doctor import facts as facts_lib
    from ktrain_kit.doctor import task as task_lib
    from ktrain_kit.doctor.probe import Probe

    c = importlib.import_module(f"configs.{name}").get_config()
    c.train.epochs, c.schedule.warmup_epochs, c.train.verbose = 2, 0.0, 0
    c.callbacks.doctor.enabled = False
    with tempfile.TemporaryDirectory() as tmp:
        training.train(c, os.path.join(tmp, "run"))  # a real run first: TensorFlow warm
    data = data_lib.load(c.data, c.task, c.seed)
    model, _ = training.build_model(c, data, c.schedule.base_lr, "float32")
    reference = data.sample(training.REFERENCE_EXAMPLES)
    x, y = (v[:c.callbacks.doctor.probe_examples] for v in reference)
    model.fit(x, y, epochs=1, verbose=0, batch_size=c.data.batch_size)  # its train function
    variables = model.trainable_variables
    inputs = (tf.convert_to_tensor(x), tf.convert_to_tensor(y))

    def gradient(x, y):
        with tf.GradientTape() as tape:
            loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=False),
                                      training=False)
        return tape.gradient(loss, variables)

    only = tf.function(gradient, autograph=False)
    gradient_s, _ = _cpu(lambda: only(*inputs))
    probe = Probe(model, x, y)
    probe_s, _ = _cpu(probe)
    later_s, _ = _cpu(probe)
    epochs = list(range(1, 21))
    rng = np.random.default_rng(0)
    metrics = {f"diag_{k}": list(rng.random(20)) for k in (
        "grad_norm", "update_ratio", "weight_norm", "grad_rms_first_layer",
        "grad_rms_last_layer", "dead_relu_fraction")}
    with tempfile.TemporaryDirectory() as tmp:
        plots._plot_diagnostics(epochs, metrics, list(metrics), tmp)  # matplotlib loaded
        figure_s, _ = _cpu(lambda: plots._plot_diagnostics(epochs, metrics, list(metrics),
                                                           tmp))
    facts = {"task": c.task.name, "num_outputs": data.num_outputs}
    rx, ry = facts_lib.probe_arrays(reference)
    view = task_lib.task_view(facts)
    reference_s, _ = _cpu(lambda: task_lib.best_simple_model(view, rx, ry))
    return {"gradient_trace_and_first_call_s": gradient_s,
            "probe_trace_and_first_call_s": probe_s, "probe_later_call_s": later_s,
            "diagnostics_figure_s": figure_s, "simple_models_s": reference_s}


def off_command_cpu(name):
    """CPU seconds of the whole command without the doctor (benchmarks.run's measure)."""
    from benchmarks.run import timed_command
    with tempfile.TemporaryDirectory() as tmp:
        cpu, _ = timed_command("-m", "launchers.train", f"--config=configs/{name}.py",
                               f"--workdir={tmp}/run", "--config.train.verbose=0",
                               "--config.callbacks.doctor.enabled=False")
    return cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--configs", default="digits_mlp,digits_cnn")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    rows = ["| config | command without the doctor, CPU s | 3% of it | loss gradient alone: "
            "trace + first call | the doctor's probe: trace + first call | a later probe call "
            "| diagnostics.png | simple models |", "| --- |" + " --- |" * 7]
    for name in args.configs.split(","):
        child = subprocess.run([sys.executable, "-m", "benchmarks.doctor_floor", "--child",
                                name], cwd=ROOT, capture_output=True, text=True, check=True,
                               env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
        m = json.loads(child.stdout.strip().splitlines()[-1])
        off = off_command_cpu(name)
        rows.append(f"| {name} | {off:.2f} | {0.03 * off:.3f} | "
                    f"{m['gradient_trace_and_first_call_s']:.3f} | "
                    f"{m['probe_trace_and_first_call_s']:.3f} | "
                    f"{m['probe_later_call_s']:.4f} | {m['diagnostics_figure_s']:.3f} | "
                    f"{m['simple_models_s']:.3f} |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
