"""`train.precision=auto` on a CPU with bfloat16 instructions: measure, do not guess.

A CPU's bf16 flag does not make bfloat16 faster: on one AVX512_BF16 machine a Transformer ran
1.8x faster in mixed_bfloat16, on another the same model ran 0.95x and a smaller one 0.70x. So
auto times a few training steps of the real model under each candidate policy and keeps the
faster one; float32 wins ties (bfloat16 must be `MARGIN` faster to be worth its rounding). The
answer is cached per machine and model in ~/.cache/ktrain_kit/precision.json, so only the first
run of a model pays the few seconds.
"""

import hashlib
import json
import os
import platform
import time

CANDIDATES = ("float32", "mixed_bfloat16")
MARGIN = 1.05          # bfloat16 must run at least 5% faster than float32
WARMUP_STEPS = 3       # tracing and first-call costs: not timed
TIMED_STEPS = 10


def cache_path() -> str:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(root, "ktrain_kit", "precision.json")


def cache_key(c, input_shape, cpu_model: str) -> str:
    """Machine (CPU model, TensorFlow version) and model (its config, input, batch)."""
    import tensorflow as tf
    what = json.dumps({"cpu": cpu_model, "tf": tf.__version__, "model": c.model.to_dict(),
                       "input": list(input_shape), "batch": c.data.batch_size,
                       "accumulation": c.train.accumulation_steps}, sort_keys=True, default=str)
    return hashlib.sha256(what.encode()).hexdigest()[:16]


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def fastest(time_policy, key: str, candidates=CANDIDATES) -> tuple[str, str]:
    """(policy, reason): the cached answer for `key`, or the faster of `candidates` by
    `time_policy(policy) -> seconds per step`, then cached."""
    cache = _read_cache()
    if key in cache and cache[key].get("policy") in candidates:
        hit = cache[key]
        return hit["policy"], f"measured earlier on this machine and model: {hit['reason']}"
    seconds = {policy: time_policy(policy) for policy in candidates}
    base = seconds["float32"]
    best = min(seconds, key=seconds.get)
    speedup = base / seconds[best] if seconds[best] > 0 else 1.0
    policy = best if best == "float32" or speedup >= MARGIN else "float32"
    reason = ", ".join(f"{p} {1 / s:.1f} steps/s" for p, s in seconds.items() if s > 0)
    cache[key] = {"policy": policy, "reason": reason}
    _write_cache(cache)
    return policy, f"measured: {reason}"


def step_timer(make_model, batch):
    """A `time_policy` that builds the model under a policy and times training steps on
    `batch` (the model and policy are thrown away afterwards)."""
    def time_policy(policy):
        import keras
        previous = keras.mixed_precision.global_policy().name
        keras.mixed_precision.set_global_policy(policy)
        try:
            model = make_model()
            for _ in range(WARMUP_STEPS):
                model.train_on_batch(*batch)
            start = time.perf_counter()
            for _ in range(TIMED_STEPS):
                model.train_on_batch(*batch)
            return (time.perf_counter() - start) / TIMED_STEPS
        finally:
            keras.mixed_precision.set_global_policy(previous)
    return time_policy


def _read_cache() -> dict:
    try:
        with open(cache_path()) as f:
            cache = json.load(f)
        return cache if isinstance(cache, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_cache(cache) -> None:
    path = cache_path()
    try:
        from ktrain_kit import fs
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fs.write_text(path, json.dumps(cache, indent=1))
    except OSError:  # a read-only home: measure again next time
        pass
