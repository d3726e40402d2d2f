"""Where training runs: devices, `tf.distribute` strategy, mixed-precision policy, XLA.

The decisions (`choose_precision`, `choose_strategy`, `choose_jit`) are plain functions of
`DeviceFacts`, so tests can feed them fake machines. `device_facts()` reads the real one.
"""

import dataclasses
import os

from ktrain_kit import fs
from ktrain_kit.errors import UserError, config_error

BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
# KTRAIN_KIT_ASSUME_BF16_CPU=1: `precision=auto` on a CPU resolves to mixed_bfloat16 without
# measuring, as on an AVX512_BF16 CPU where bfloat16 won (lets a test suite run that path).
ASSUME_BF16_ENV = "KTRAIN_KIT_ASSUME_BF16_CPU"
# oneDNN, which runs TensorFlow's CPU kernels, uses no instruction set above ONEDNN_MAX_CPU_ISA
# (DNNL_MAX_CPU_ISA, its older name). Capped at one of these levels, the CPU's bfloat16
# instructions are out of its reach: bfloat16 is emulated, 2x slower than float32 in a matmul
# on an AVX512_BF16 CPU capped at AVX512_CORE_VNNI - the machine a Cascade Lake user has.
ONEDNN_ISA_ENVS = ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA")
ONEDNN_ISAS_WITHOUT_BF16 = ("SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX512_CORE",
                            "AVX512_CORE_VNNI")


@dataclasses.dataclass(frozen=True)
class DeviceFacts:
    gpu_compute_capabilities: tuple = ()   # e.g. ((8, 0), (8, 0)) for two A100s
    tpu: bool = False
    cpu_flags: frozenset = frozenset()
    assume_bf16_cpu: bool = False          # KTRAIN_KIT_ASSUME_BF16_CPU=1
    onednn_max_isa: str = ""               # ONEDNN_MAX_CPU_ISA, upper case ("" when unset)


def choose_precision(setting: str, facts: DeviceFacts) -> tuple[str, str]:
    """Returns (policy, reason); policy "measure" means: time the candidates on the real model.

    `auto`: mixed_float16 on NVIDIA GPUs with tensor cores, mixed_bfloat16 on TPUs. On a CPU
    with bfloat16 instructions the flag alone does not make bfloat16 faster (small models ran
    0.70-0.85x float32 on one such machine, large ones 1.8x on another), so there auto measures
    both on the model at hand (ktrain_kit/precision.py) and keeps the faster; float32 elsewhere.
    """
    if setting != "auto":
        return setting, "set in the config"
    if facts.tpu:
        return "mixed_bfloat16", "TPU: bfloat16 is native"
    if facts.gpu_compute_capabilities:
        if min(facts.gpu_compute_capabilities) >= (7, 0):
            return "mixed_float16", "NVIDIA GPU with tensor cores (compute capability >= 7.0)"
        return "float32", "GPU older than compute capability 7.0 has no fast float16"
    if facts.assume_bf16_cpu:
        return "mixed_bfloat16", f"{ASSUME_BF16_ENV}=1: as on a CPU where bfloat16 is faster"
    flags = sorted(set(BF16_CPU_FLAGS) & set(facts.cpu_flags))
    if flags and facts.onednn_max_isa in ONEDNN_ISAS_WITHOUT_BF16:
        return "float32", (f"ONEDNN_MAX_CPU_ISA={facts.onednn_max_isa} keeps TensorFlow's CPU "
                           "kernels from the bfloat16 instructions (emulated bfloat16 is slower)")
    if flags:
        return "measure", f"CPU has bfloat16 instructions ({', '.join(flags)})"
    return "float32", "CPU without bfloat16 instructions"


def choose_strategy(setting: str, facts: DeviceFacts) -> str:
    if setting == "auto":
        return "mirrored" if len(facts.gpu_compute_capabilities) > 1 else "default"
    if setting == "tpu" and not facts.tpu:
        raise config_error("train.strategy", "is 'tpu' but no TPU is attached",
                           "use --config.train.strategy=auto on this machine")
    return setting


def choose_jit(setting: str, facts: DeviceFacts, strategy: str, replicas: int = 1):
    """True, False, or "measure" (time both on the model at hand, ktrain_kit/precision.py).

    `auto`: XLA on a single accelerator; off under distribution (fragile there); on a single
    CPU measured, since XLA is faster there for some models and slower for others.
    `true` with more than one CPU replica is refused: XLA's CPU client compiles the step for
    one device, which cannot reach the other devices' variables (mirrored on two logical
    CPUs: an InvalidArgumentError traceback in the first step, "Trying to access resource ...
    located in device CPU:1 from device CPU:0"). Replicas on GPUs or TPUs each compile their
    own step, so it is left to them (not measured here: no GPU machine).
    """
    setting = str(setting).lower()  # "True" from a command line, True from Python
    on_cpus = not facts.gpu_compute_capabilities and not facts.tpu
    if setting == "true" and replicas > 1 and on_cpus:
        raise config_error("train.jit_compile", f"true cannot compile a step shared by "
                           f"{replicas} CPU replicas (train.strategy={strategy}): XLA cannot reach "
                           "the variables of the other devices", "use train.jit_compile=auto "
                           "(off under distribution) or one device")
    if setting != "auto":
        return setting == "true"
    if strategy not in ("default", "one_device"):
        return False
    if facts.gpu_compute_capabilities or facts.tpu:
        return True
    return "measure"


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
    assume = os.environ.get(ASSUME_BF16_ENV, "").strip().lower() in ("1", "true", "yes")
    isa = next((os.environ[k] for k in ONEDNN_ISA_ENVS if os.environ.get(k)), "")
    return DeviceFacts(tuple(capabilities), tpu, _cpu_flags(), assume, isa.strip().upper())


def split_cpu(devices: int) -> None:
    """Splits the CPU into `devices` logical devices (must run before TensorFlow starts work)."""
    import tensorflow as tf
    if devices < 2:
        return
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(devices)])


# What TensorFlow's SlurmClusterResolver reads: set in a Slurm step (srun), not in a shell that
# only holds an allocation (salloc, an interactive job).
SLURM_STEP_VARIABLES = ("SLURM_PROCID", "SLURM_STEP_NUM_TASKS", "SLURM_STEP_NODELIST",
                        "SLURM_STEP_TASKS_PER_NODE")


def check_cluster_environment(strategy: str = "auto") -> None:
    """Refuses a malformed TF_CONFIG, or (for multi_worker under Slurm) a shell outside a Slurm
    step, before anything is started or written."""
    raw = os.environ.get("TF_CONFIG")
    if not raw and strategy == "multi_worker" and "SLURM_JOB_ID" in os.environ:
        missing = [v for v in SLURM_STEP_VARIABLES if v not in os.environ]
        if missing:  # TensorFlow's resolver raised RuntimeError: a traceback
            raise UserError(f"environment variable {missing[0]} is not set: SLURM_JOB_ID is, "
                            "but this is not a Slurm step; start the workers with srun, or set "
                            "TF_CONFIG")
    if not raw:
        return
    try:
        spec = fs.parse_json(raw)
    except ValueError as e:
        raise UserError(f"environment variable TF_CONFIG is not JSON ({getattr(e, 'msg', e)}); set it to "
                        '{"cluster": {"worker": ["host:port", ...]}, "task": {"type": "worker", '
                        '"index": i}} or unset it') from None
    cluster, task = (spec.get("cluster"), spec.get("task")) if isinstance(spec, dict) else (
        None, None)
    if not isinstance(cluster, dict) or not all(
            isinstance(v, list) and all(isinstance(a, str) and ":" in a for a in v)
            for v in cluster.values()):
        raise UserError("environment variable TF_CONFIG: 'cluster' must map job names to "
                        'lists of "host:port"; fix TF_CONFIG or unset it')
    if not isinstance(task, dict) or task.get("type") not in cluster or not isinstance(
            task.get("index"), int) or not 0 <= task["index"] < len(cluster[task["type"]]):
        raise UserError("environment variable TF_CONFIG: 'task' must name a job of the "
                        "cluster and an index within it; fix TF_CONFIG or unset it")
    # MultiWorkerMirroredStrategy trains on chief and worker tasks; a parameter server is never
    # started by it (a worker of a cluster listing one waited forever for it), nor an evaluator
    others = sorted(set(cluster) - {"chief", "worker", "evaluator"})
    if others or task["type"] not in ("chief", "worker"):
        what = (f"the cluster lists job {others[0]!r}" if others else
                f"this process's task is of type {task['type']!r}")
        raise UserError(f"environment variable TF_CONFIG: {what}, but ktrain_kit trains on "
                        "'chief' and 'worker' tasks only (multi-worker mirrored: no parameter "
                        "servers, no side-car evaluator); list only those jobs and give this "
                        "process one of their tasks, or unset TF_CONFIG")


def place(strategy) -> dict:
    """This process's place in its cluster, as the strategy's own cluster resolver sees it
    (TF_CONFIG or Slurm): {'workers': n, 'task': (type, id), 'chief': bool}.

    The chief is the task of type 'chief', or worker 0 when the cluster names no chief; a
    process outside any cluster is the chief.
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    spec = resolver.cluster_spec().as_dict() if resolver is not None else {}
    if not spec:
        return {"workers": 1, "task": ("chief", 0), "chief": True}
    kind, index = resolver.task_type, int(resolver.task_id or 0)
    chief = kind == "chief" or (kind == "worker" and index == 0 and "chief" not in spec)
    workers = sum(len(v) for k, v in spec.items() if k in ("chief", "worker"))
    return {"workers": workers, "task": (kind, index), "chief": chief}


def writes_files(model) -> bool:
    """Whether this process writes the files a callback of `model`'s `fit` saves: every
    worker of a multi-worker cluster runs every callback, and only the chief may write where
    the user asked (two writers of one file race: a checkpoint's MergeV2Checkpoints fails on
    one worker and the others' collectives are cut off)."""
    strategy = getattr(model, "distribute_strategy", None)
    return strategy is None or place(strategy)["chief"]


def cluster_resolver(slurm_port_base: int = 8888):
    """TF_CONFIG's cluster, or Slurm's when run under Slurm without TF_CONFIG."""
    import tensorflow as tf
    resolvers = tf.distribute.cluster_resolver
    if "SLURM_JOB_ID" not in os.environ or "TF_CONFIG" in os.environ:
        return resolvers.TFConfigClusterResolver()
    if tf.config.list_physical_devices("GPU"):
        return resolvers.SlurmClusterResolver(port_base=slurm_port_base)
    # CPU-only nodes: TensorFlow's resolver splits a node's GPUs among its tasks and fails on
    # zero GPUs (range() step 0); give it a nominal GPU per task and leave the devices alone.
    return resolvers.SlurmClusterResolver(port_base=slurm_port_base, gpus_per_node=1024,
                                          gpus_per_task=1, auto_set_gpu=False)


_MIRRORED = {}


def make_strategy(name: str, slurm_port_base: int = 8888):
    import tensorflow as tf
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "one_device":
        gpus = tf.config.list_logical_devices("GPU")
        return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in gpus] or [d.name for d in tf.config.list_logical_devices("CPU")]
        # One strategy per device set and process: two MirroredStrategy objects number their
        # collective ops alike, and a second run in the same process (a sweep, a notebook, a
        # test) would then all-reduce against the first run's leftovers (shape mismatch).
        key = tuple(devices)
        if key not in _MIRRORED:
            _MIRRORED[key] = tf.distribute.MirroredStrategy(devices)
        return _MIRRORED[key]
    if name == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy(
            cluster_resolver=cluster_resolver(slurm_port_base))
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
