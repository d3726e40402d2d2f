"""`train.precision=auto` and `train.jit_compile=auto` where only a measurement can tell.

A CPU's bf16 flag does not make bfloat16 faster (a Transformer ran 1.8x faster in
mixed_bfloat16 on one AVX512_BF16 machine, 0.70-0.95x on another), and XLA on a CPU is faster
for some models and slower for others. So `auto` trains the real model under each candidate
(precision, XLA) and keeps the fastest in steady state:

- the first calls of each candidate (tracing, XLA compilation, cold caches) are never timed;
- the candidates are timed in interleaved blocks (A B A B ..., the order rotating), so a
  neighbour's load or a frequency change hits all of them alike;
- each gets at least `MIN_ROUNDS` blocks, more (up to `MAX_ROUNDS`) while the choice still
  changes from one round to the next; a setting must be faster both in its fastest block and
  in the median of its per-round ratios (see `decide`);
- the default (float32, no XLA) is kept unless another is `MARGIN` faster, so `auto` is never
  more than 3% slower than the best measured setting;
- a candidate still `HOPELESS` times slower than the default at its last warm-up step is not
  timed at all (XLA on a bag of words: 2.6-3.3 s a step against 9 ms, and 90 s of timing).

A start-up timing that includes tracing is not the steady state: one such measurement chose
bfloat16 at "17.6 vs 13.4 steps/s" for a model that trained at 0.81x float32's speed.

The answer is cached per machine and model (the built model's layers, not just its config, so
a changed model function re-measures) in ~/.cache/ktrain_kit/settings.json: only the first run
of a model pays the seconds it takes (mostly tracing each candidate once: 5-15 s for four candidates here).
Runs shorter than `MIN_RUN_STEPS` keep the default without measuring: most first trainings
are short (the digits configs run 700-900 steps) and would pay more than they could save.
"""

import hashlib
import json
import os
import platform
import statistics
import time

from ktrain_kit.fs import parse_json, special_kind

DEFAULT = ("float32", False)
MARGIN = 1.03          # another setting must be 3% faster than the default to replace it
WARMUP_CALLS = 3       # per candidate: tracing / XLA compilation and first-call costs
MIN_ROUNDS, MAX_ROUNDS = 7, 20
BLOCK_SECONDS = 0.3    # each timed block lasts about this long: several steps, not one
BUDGET_SECONDS = 20.0  # after MIN_ROUNDS, stop adding rounds once measuring took this long
MIN_RUN_STEPS = 1000   # shorter runs keep the default without measuring (see the docstring)
HOPELESS = 10.0        # a candidate whose last warm-up step took this many times the default's
                       # is not timed (see `measure`)


def label(setting) -> str:
    precision, jit = setting
    return precision + (" + XLA" if jit else "")


def cache_path() -> str:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(root, "ktrain_kit", "settings.json")


def cache_key(**parts) -> str:
    """A short hash of the machine and of `parts` (the model and how it is trained)."""
    import keras
    import tensorflow as tf
    what = json.dumps({"cpu": cpu_model(), "cores": os.cpu_count(), "tf": tf.__version__,
                       "keras": keras.__version__, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(what.encode()).hexdigest()[:16]


def model_fingerprint(model) -> list:
    """The layers as built (type, configuration without names and dtypes, weight shapes): a
    model function that changes its layers changes this, whatever the config says."""
    layers = []
    for layer in model._flatten_layers(include_self=False):
        try:
            config = {k: v for k, v in layer.get_config().items()
                      if k not in ("name", "dtype", "trainable")}
        except Exception:  # noqa: BLE001 - a custom layer without a usable config
            config = {}
        layers.append([type(layer).__name__, json.dumps(config, sort_keys=True, default=str),
                       [list(w.shape) for w in layer.weights]])
    return layers


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# ------------------------------------------------------------------ the decision rule
def decide(samples: dict, default=DEFAULT, margin=MARGIN) -> tuple:
    """(setting, reason) from `samples`: {setting: [seconds per step of each timed block]},
    steady-state blocks only, timed interleaved (block i of every setting in round i).

    A setting replaces `default` only when it is `margin` faster by two measures that must
    agree: its fastest block against the default's fastest - other jobs on the machine only
    ever add time to a block (on a shared 2-core machine single blocks ran 1-4x their unloaded
    time), so the fastest is the speed the training will see when it has the CPU - and the
    median of its per-round ratios to the default - blocks of one round ran within a second of
    each other, under the same load, so this is the typical step. Either alone was fooled: a
    fastest block by one lucky block of a tie (a Transformer chosen at x1.03 that trained at
    0.97x), a median by load that hit one setting's blocks more (bfloat16 at x1.35 under load
    average 10, 0.65x alone).
    """
    fastest = {s: min(v) for s, v in samples.items() if v}
    speedup = {s: fastest[default] / max(t, 1e-12) for s, t in fastest.items()}
    typical = {s: statistics.median(d / max(t, 1e-12)  # per round: default's time / this one's
                                    for d, t in zip(samples[default], samples[s]))
               for s in fastest}
    agreed = {s: min(speedup[s], typical[s]) for s in fastest}
    best = max(agreed, key=agreed.get)
    chosen = best if agreed[best] >= margin else default
    rounds = min(len(v) for v in samples.values() if v)
    reason = ", ".join(f"{label(s)} {1000 * t:.2f} ms/step"
                       + ("" if s == default else
                          f" (x{speedup[s]:.2f} fastest, x{typical[s]:.2f} typical)")
                       for s, t in fastest.items())
    untimed = [label(s) for s, v in samples.items() if not v]
    if untimed:
        reason += (f"; {' and '.join(untimed)} not timed: {HOPELESS:g}x or more slower than "
                   f"{label(default)} after warm-up")
    return chosen, f"{reason}; {rounds} interleaved blocks each after warm-up"


def measure(steppers: dict, clock=None) -> dict:
    """{setting: [seconds per step per block]}: each `steppers[setting]()` runs one training
    step and returns when it is done; the first is the default. Warm-up calls first, then
    interleaved timed blocks. A setting whose last warm-up step took `HOPELESS` times the
    default's keeps an empty list: load slowed single steps 1-4x here, so a 10x gap is the
    setting itself (XLA compiling again at every step, an op it runs slowly), and timing it
    block by block would cost minutes to confirm what `decide` could never choose."""
    clock = clock or time.perf_counter
    warm = {}
    for setting, step in steppers.items():
        for _ in range(WARMUP_CALLS):
            start = clock()
            step()
            warm[setting] = clock() - start
    default = next(iter(steppers))
    order = [s for s in steppers if s == default or warm[s] < HOPELESS * warm[default]]
    block = {s: max(1, min(50, round(BLOCK_SECONDS / max(warm[s], 1e-6)))) for s in order}
    samples = {s: [] for s in steppers}
    began, choices = clock(), []
    for round_ in range(MAX_ROUNDS):
        for setting in order[round_ % len(order):] + order[:round_ % len(order)]:
            start = clock()
            for _ in range(block[setting]):
                steppers[setting]()
            samples[setting].append((clock() - start) / block[setting])
        if len(order) == 1:  # nothing left to compare the default with
            break
        choices.append(decide(samples, default=default)[0])
        settled = len(choices) >= 3 and len(set(choices[-3:])) == 1
        if round_ + 1 >= MIN_ROUNDS and (settled or clock() - began > BUDGET_SECONDS):
            break
    return samples


def fastest(make_steppers, key: str, candidates) -> tuple:
    """(setting, reason): the cached choice for `key`, or `decide(measure(make_steppers()))`
    over `candidates` ((precision, jit) pairs, the default first), then cached."""
    candidates = [tuple(c) for c in candidates]
    cache = _read_cache()
    hit = _cached_setting(cache.get(key), candidates)
    if hit:
        return hit
    samples = measure(make_steppers(candidates))
    setting, reason = decide(samples, default=candidates[0])
    cache[key] = {"setting": list(setting), "reason": reason,
                  "candidates": [list(c) for c in candidates]}
    _write_cache(cache)
    return setting, f"measured: {reason}"


def step_timers(make_model, batches):
    """`make_steppers` for `fastest`: builds the model once per candidate (under its precision
    policy, with or without XLA) and steps it as `fit` does: its train function pulling each
    batch from `batches()`, the run's own training `tf.data.Dataset`, whose threads share the
    CPU with the step. Timing `train_on_batch` on one fixed batch left the pipeline out: on a
    2-core machine it measured a Transformer 1.2-1.5x faster in bfloat16 where `fit` ran it
    0.93-1.1x."""
    def make_steppers(candidates):
        import keras
        previous = keras.mixed_precision.global_policy().name
        steppers = {}
        try:
            for precision, jit in candidates:
                keras.mixed_precision.set_global_policy(precision)
                steppers[(precision, jit)] = _stepper(make_model(jit), batches())
        finally:
            keras.mixed_precision.set_global_policy(previous)
        return steppers
    return make_steppers


def _stepper(model, dataset):
    """One call of `model`'s train function per call (steps_per_execution steps), returning
    when it is done."""
    import tensorflow as tf
    iterator = iter(dataset)
    model.make_train_function()

    def step():
        logs = model.train_function(iterator)
        for value in tf.nest.flatten(logs):  # wait for the step (and its batch) to finish
            value.numpy()
    return step


def _cached_setting(hit, candidates):
    """(setting, reason) of a cache entry measured over these `candidates`, else None. The
    file is in the user's home, and may have been edited, truncated to another shape or
    written by another version: an entry that is not exactly what `fastest` writes, or whose
    setting is none of the candidates, is measured again rather than trusted or crashed on."""
    try:
        if [tuple(c) for c in hit["candidates"]] != candidates:
            return None
        setting, reason = tuple(hit["setting"]), hit["reason"]
    except (TypeError, KeyError, IndexError, ValueError):  # not a dict of lists: another shape
        return None
    if setting not in candidates or not isinstance(reason, str):
        return None
    return setting, f"measured earlier on this machine and model: {reason}"


def _read_cache() -> dict:
    if special_kind(cache_path()):  # a pipe there: open() would wait forever
        return {}
    try:
        with open(cache_path()) as f:
            cache = parse_json(f)
        return cache if isinstance(cache, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_cache(cache) -> None:
    path = cache_path()
    try:
        from ktrain_kit import fs
        fs.makedirs(os.path.dirname(path))
        fs.write_text(path, json.dumps(cache, indent=1))
    except OSError:  # a read-only home: measure again next time
        pass
