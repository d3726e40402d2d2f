"""Where training runs: devices, `tf.distribute` strategy, mixed-precision policy, XLA.

The decisions (`choose_precision`, `choose_strategy`, `choose_jit`) are plain functions of
`DeviceFacts`, so tests can feed them fake machines. `device_facts()` reads the real one.
"""

import dataclasses
import json
import os

from ktrain_kit.errors import config_error

BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


@dataclasses.dataclass(frozen=True)
class DeviceFacts:
    gpu_compute_capabilities: tuple = ()   # e.g. ((8, 0), (8, 0)) for two A100s
    tpu: bool = False
    cpu_flags: frozenset = frozenset()


def choose_precision(setting: str, facts: DeviceFacts) -> tuple[str, str]:
    """Returns (policy, reason). `auto` picks the fastest policy the hardware runs well."""
    if setting != "auto":
        return setting, "set in the config"
    if facts.tpu:
        return "mixed_bfloat16", "TPU: bfloat16 is native"
    if facts.gpu_compute_capabilities:
        if min(facts.gpu_compute_capabilities) >= (7, 0):
            return "mixed_float16", "NVIDIA GPU with tensor cores (compute capability >= 7.0)"
        return "float32", "GPU older than compute capability 7.0 has no fast float16"
    flags = sorted(set(BF16_CPU_FLAGS) & set(facts.cpu_flags))
    if flags:
        return "mixed_bfloat16", f"CPU has bfloat16 instructions ({', '.join(flags)})"
    return "float32", "CPU without bfloat16 instructions"


def choose_strategy(setting: str, facts: DeviceFacts) -> str:
    if setting == "auto":
        return "mirrored" if len(facts.gpu_compute_capabilities) > 1 else "default"
    if setting == "tpu" and not facts.tpu:
        raise config_error("train.strategy", "is 'tpu' but no TPU is attached",
                           "use --config.train.strategy=auto on this machine")
    return setting


def choose_jit(setting: str, facts: DeviceFacts, strategy: str) -> bool:
    """`auto`: XLA only on a single accelerator (slower on CPU, fragile under distribution)."""
    if setting != "auto":
        return setting == "true"
    return bool(facts.gpu_compute_capabilities or facts.tpu) and strategy in ("default",
                                                                               "one_device")


def _cpu_flags() -> frozenset:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def device_facts() -> DeviceFacts:
    import tensorflow as tf
    capabilities = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        capabilities.append(tuple(details.get("compute_capability", (0, 0))))
    tpu = bool(tf.config.list_physical_devices("TPU"))  # physical: keeps the runtime unstarted
    return DeviceFacts(tuple(capabilities), tpu, _cpu_flags())


def split_cpu(devices: int) -> None:
    """Splits the CPU into `devices` logical devices (must run before TensorFlow starts work)."""
    import tensorflow as tf
    if devices < 2:
        return
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(devices)])


def cluster() -> dict:
    """This process's place in a multi-worker cluster described by TF_CONFIG.

    Returns {'workers': n, 'index': i, 'chief': bool}. The chief is the task of type 'chief', or
    worker 0 when the cluster names no chief; without TF_CONFIG this process is the chief.
    """
    spec = json.loads(os.environ.get("TF_CONFIG") or "{}")
    nodes, task = spec.get("cluster", {}), spec.get("task", {})
    kind, index = task.get("type", "chief"), int(task.get("index", 0))
    chief = kind == "chief" or (kind == "worker" and index == 0 and "chief" not in nodes)
    workers = len(nodes.get("worker", [])) + len(nodes.get("chief", []))
    return {"workers": max(workers, 1), "index": index, "chief": chief}


def make_strategy(name: str):
    import tensorflow as tf
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "one_device":
        gpus = tf.config.list_logical_devices("GPU")
        return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in gpus] or [d.name for d in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(devices)
    if name == "multi_worker":
        if "SLURM_JOB_ID" in os.environ and "TF_CONFIG" not in os.environ:
            resolver = tf.distribute.cluster_resolver.SlurmClusterResolver()
        else:
            resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
        return tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=resolver)
    if name == "tpu":
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    raise ValueError(name)


def seed_everything(seed: int, deterministic: bool) -> None:
    import keras
    import tensorflow as tf
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
