"""Peak memory of training the CNN workload: python -m benchmarks.memory_probe BATCH K STEPS.

Prints the growth of the process's peak resident memory during training (MiB) over what it used
right before, so TensorFlow's own start-up footprint does not dilute the comparison.
"""

import os
import resource
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024


def main():
    batch, k, steps = (int(v) for v in sys.argv[1:4])
    from benchmarks.workloads import Trainer
    trainer = Trainer("cnn_bn_32x32", "ours", batch_size=batch, accumulation_steps=k)
    before = rss_mib()
    trainer.run(steps)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"PEAK_GROWTH_MIB {max(peak - before, 0.0):.1f}")


if __name__ == "__main__":
    main()
