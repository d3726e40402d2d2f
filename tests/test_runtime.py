"""Precision, strategy and XLA decisions fed fake machines; the cluster place a strategy's own
resolver gives (TF_CONFIG and Slurm); the measured precision choice and its cache."""

import json

import pytest

from ktrain_kit import precision
from ktrain_kit.errors import UserError
from ktrain_kit.runtime import (DeviceFacts, check_cluster_environment, choose_jit,
                                choose_precision, choose_strategy, cluster_resolver, place)

CPU_PLAIN = DeviceFacts(cpu_flags=frozenset({"avx2", "fma"}))
CPU_BF16 = DeviceFacts(cpu_flags=frozenset({"avx512f", "avx512_bf16"}))
CPU_AMX = DeviceFacts(cpu_flags=frozenset({"amx_bf16", "amx_tile"}))
V100 = DeviceFacts(gpu_compute_capabilities=((7, 0),))
P100 = DeviceFacts(gpu_compute_capabilities=((6, 0),))
TWO_A100 = DeviceFacts(gpu_compute_capabilities=((8, 0), (8, 0)))
TPU = DeviceFacts(tpu=True)


@pytest.mark.parametrize("facts,expected", [
    (CPU_PLAIN, "float32"), (CPU_BF16, "measure"), (CPU_AMX, "measure"),
    (V100, "mixed_float16"), (TWO_A100, "mixed_float16"), (P100, "float32"),
    (TPU, "mixed_bfloat16"),
])
def test_auto_precision(facts, expected):
    policy, reason = choose_precision("auto", facts)
    assert policy == expected and reason


def test_explicit_precision_wins():
    assert choose_precision("float32", V100)[0] == "float32"
    assert choose_precision("mixed_bfloat16", CPU_PLAIN)[0] == "mixed_bfloat16"


def test_auto_strategy_and_tpu_without_tpu():
    assert choose_strategy("auto", TWO_A100) == "mirrored"
    assert choose_strategy("auto", V100) == "default"
    assert choose_strategy("auto", CPU_PLAIN) == "default"
    with pytest.raises(UserError, match="train.strategy"):
        choose_strategy("tpu", CPU_PLAIN)


def test_auto_jit():
    assert choose_jit("auto", CPU_PLAIN, "default") == "measure"  # XLA on a CPU: it depends
    assert choose_jit("auto", CPU_PLAIN, "mirrored") is False
    assert choose_jit("auto", V100, "default") is True
    assert choose_jit("auto", TWO_A100, "mirrored") is False
    assert choose_jit("true", CPU_PLAIN, "default") is True
    assert choose_jit("True", CPU_PLAIN, "default") is True    # a bool from a command line
    assert choose_jit(False, V100, "default") is False


def test_assume_bf16_cpu_makes_auto_bfloat16(monkeypatch):
    from ktrain_kit import runtime
    monkeypatch.setenv("KTRAIN_KIT_ASSUME_BF16_CPU", "1")
    facts = runtime.device_facts()
    assert choose_precision("auto", facts)[0] == "mixed_bfloat16"
    assert choose_precision("float32", facts)[0] == "float32"
    monkeypatch.setenv("KTRAIN_KIT_ASSUME_BF16_CPU", "0")
    assert choose_precision("auto", runtime.device_facts())[0] in ("float32", "measure")


@pytest.mark.parametrize("cap,expected", [
    ("AVX512_CORE_VNNI", "float32"), ("AVX2", "float32"),   # below bf16: nothing to measure
    ("AVX512_CORE_BF16", "measure"), ("AVX512_CORE_AMX", "measure"), ("", "measure"),
])
def test_a_onednn_isa_cap_below_bf16_is_a_cpu_without_bf16(monkeypatch, cap, expected):
    """oneDNN emulates bfloat16 below its AVX512_CORE_BF16 level (a 1024^2 matmul: 160 GFLOP/s
    against float32's 348 on this AVX512_BF16 CPU capped at AVX512_CORE_VNNI)."""
    import dataclasses

    from ktrain_kit import runtime
    monkeypatch.delenv("DNNL_MAX_CPU_ISA", raising=False)
    monkeypatch.delenv("KTRAIN_KIT_ASSUME_BF16_CPU", raising=False)  # the suite's bf16 mode
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", cap.lower())  # oneDNN reads it in any case
    facts = dataclasses.replace(runtime.device_facts(), cpu_flags=CPU_BF16.cpu_flags)
    policy, reason = choose_precision("auto", facts)
    assert policy == expected
    assert expected != "float32" or f"ONEDNN_MAX_CPU_ISA={cap}" in reason


# ------------------------------------------------------------------ measured precision / XLA
F32, BF16, F32_XLA = ("float32", False), ("mixed_bfloat16", False), ("float32", True)

# Milliseconds per step of interleaved steady-state blocks, recorded by precision.measure on a
# 2-core AMD EPYC with AVX512_BF16 (benchmarks.workloads models, batch 64, other jobs running).
RECORDED = {
    # Transformer width 64, seq 32: bfloat16 slower (plain Keras fit agreed: 0.94x)
    "bf16 slower": ({F32: [18.224, 18.003, 18.619, 18.459, 21.202],
                     BF16: [19.471, 19.014, 21.54, 21.031, 18.667]}, F32),
    # Transformer width 128, seq 64: bfloat16 7% faster
    "bf16 faster": ({F32: [106.089, 105.773, 94.29, 101.781, 97.222],
                     BF16: [99.225, 95.332, 94.293, 95.962, 90.489]}, BF16),
    # CNN with batch norm on 32x32 images: bfloat16 2x faster, XLA 2.5x slower; one block of
    # each was hit by a neighbour's load
    "cnn": ({F32: [81.797, 86.68, 54.958, 87.043, 108.852],
             F32_XLA: [229.7, 233.681, 214.125, 163.655, 219.467],
             BF16: [40.445, 40.033, 38.786, 96.863, 55.217]}, BF16),
    # within noise of each other: the default keeps its place
    "tie": ({F32: [10.0, 10.4, 9.8, 10.1, 10.0], BF16: [9.9, 10.1, 9.9, 10.2, 9.7]}, F32),
    # The digits MLP under heavy load (load average 10 on the 2 cores): most blocks slowed by
    # other jobs. Trained alone, bfloat16 ran 0.65x float32; a median of these blocks (or of
    # their paired ratios, 1.35) would have picked it.
    "loaded": ({F32: [1.37, 4.906, 5.163, 4.073, 3.597],
                BF16: [1.542, 3.099, 3.832, 4.467, 1.43]}, F32),
}


@pytest.mark.parametrize("case", RECORDED)
def test_decision_on_recorded_steady_state_timings(case):
    samples, faster = RECORDED[case]
    chosen, reason = precision.decide({s: [ms / 1000 for ms in v] for s, v in samples.items()})
    assert chosen == faster
    assert "float32" in reason and "ms/step" in reason


def test_a_tie_won_by_one_lucky_block_keeps_the_default():
    """One fast block of a setting that is typically no faster (a Transformer chosen at x1.03
    by its fastest block trained at 0.97x in fit) is not a reason to switch; the same setting
    faster in every round is."""
    tie = {F32: [72.7, 74.0, 75.2, 73.9, 74.6], BF16: [70.4, 75.9, 74.8, 76.1, 75.0]}
    assert precision.decide({s: [ms / 1000 for ms in v] for s, v in tie.items()})[0] == F32
    faster = {F32: tie[F32], BF16: [ms / 1.05 for ms in tie[F32]]}
    assert precision.decide({s: [ms / 1000 for ms in v] for s, v in faster.items()})[0] == BF16


class FakeMachine:
    """Steppers on a fake clock: each setting's first calls are slow (tracing), then steady."""

    def __init__(self, steady, first=None):
        self.now, self.calls, self.steady, self.first = 0.0, [], steady, first or {}

    def clock(self):
        return self.now

    def steppers(self, candidates):
        def stepper(setting):
            def step():
                done = sum(1 for c in self.calls if c == setting)
                self.calls.append(setting)
                slow = self.first.get(setting, [])
                self.now += slow[done] if done < len(slow) else self.steady[setting]
            return step
        return {c: stepper(c) for c in candidates}


def test_measure_leaves_out_tracing_and_interleaves():
    # The start-up trap: float32 traced first and cold looks slower; steady, it is not.
    machine = FakeMachine({F32: 0.010, BF16: 0.012}, first={F32: [2.0, 0.5, 0.3],
                                                             BF16: [1.0, 0.02, 0.02]})
    samples = precision.measure(machine.steppers([F32, BF16]), clock=machine.clock)
    assert samples[F32] and all(abs(t - 0.010) < 1e-9 for t in samples[F32])
    assert all(abs(t - 0.012) < 1e-9 for t in samples[BF16])
    assert len(samples[F32]) == len(samples[BF16]) >= precision.MIN_ROUNDS
    timed = machine.calls[2 * precision.WARMUP_CALLS:]
    switches = sum(a != b for a, b in zip(timed, timed[1:]))
    assert switches >= precision.MIN_ROUNDS   # interleaved, not one setting after the other
    assert precision.decide(samples)[0] == F32


def test_a_candidate_far_slower_after_warm_up_is_not_timed():
    """XLA on a bag-of-words model ran 2.6-3.3 s a step against float32's 9 ms (a helper's
    Debian descriptions): timed block by block it cost 90 s of start-up to confirm what could
    never be chosen. Left out after its warm-up; a candidate 2.5x slower (the CNN's XLA
    above) and one faster are still timed."""
    machine = FakeMachine({F32: 0.009, BF16: 0.007, F32_XLA: 2.8},
                          first={F32_XLA: [20.0, 3.1, 2.9]})
    samples = precision.measure(machine.steppers([F32, BF16, F32_XLA]), clock=machine.clock)
    assert samples[F32_XLA] == [] and len(samples[F32]) >= precision.MIN_ROUNDS
    assert machine.calls.count(F32_XLA) == precision.WARMUP_CALLS
    chosen, reason = precision.decide(samples)
    assert chosen == BF16 and "float32 + XLA not timed" in reason
    assert machine.now < 20.0 + 3 * 3.1 + 15  # warm-up, then seconds of blocks, not minutes

    close = FakeMachine({F32: 0.009, F32_XLA: 0.0225})  # 2.5x: timed, then refused
    samples = precision.measure(close.steppers([F32, F32_XLA]), clock=close.clock)
    assert len(samples[F32_XLA]) >= precision.MIN_ROUNDS
    assert precision.decide(samples)[0] == F32


def test_only_the_default_left_is_kept_after_one_block():
    machine = FakeMachine({F32: 0.009, F32_XLA: 2.8})
    samples = precision.measure(machine.steppers([F32, F32_XLA]), clock=machine.clock)
    assert len(samples[F32]) == 1 and samples[F32_XLA] == []
    assert precision.decide(samples)[0] == F32


def test_fastest_caches_per_model_and_candidates(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    machine = FakeMachine({F32: 0.010, BF16: 0.005, F32_XLA: 0.020})
    built = []
    monkeypatch.setattr(precision.time, "perf_counter", machine.clock)

    def make(candidates):
        built.append(list(candidates))
        return machine.steppers(candidates)

    assert precision.fastest(make, "model-a", [F32, BF16])[0] == BF16
    again, reason = precision.fastest(make, "model-a", [F32, BF16])
    assert again == BF16 and "earlier" in reason and len(built) == 1   # cached
    assert precision.fastest(make, "model-b", [F32, BF16])[0] == BF16  # another model
    assert precision.fastest(make, "model-a", [F32, F32_XLA])[0] == F32  # other candidates
    assert len(built) == 3
    cached = json.loads((tmp_path / "ktrain_kit" / "settings.json").read_text())
    assert cached["model-a"]["setting"] == list(F32)


def _small_model(width=16, activation="relu", name="a"):
    import keras
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(width, activation=activation, name=f"{name}_hidden")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3, dtype="float32", name=f"{name}_out")(hidden))
    return model


def test_fingerprint_follows_the_layers_not_their_names():
    same = precision.model_fingerprint(_small_model(name="b"))
    assert precision.model_fingerprint(_small_model()) == same
    assert precision.model_fingerprint(_small_model(width=32)) != same
    assert precision.model_fingerprint(_small_model(activation="gelu")) != same


def test_step_timers_build_each_candidate_as_asked():
    import keras
    import numpy as np
    import tensorflow as tf
    keras.utils.set_random_seed(0)
    seen = []

    def make_model(jit):
        model = _small_model()
        model.compile("sgd", "sparse_categorical_crossentropy", jit_compile=jit)
        # the argument, not model.jit_compile: Keras may turn XLA off where it cannot use it
        # (after a distribution strategy ran in this process, say)
        seen.append((model.layers[1].compute_dtype, jit))
        return model

    batch = (np.zeros((4, 8), "float32"), np.zeros(4, "int32"))
    make = precision.step_timers(make_model,
                                 lambda: tf.data.Dataset.from_tensors(batch).repeat())
    steppers = make([F32, BF16, F32_XLA])
    assert seen == [("float32", False), ("bfloat16", False), ("float32", True)]
    for step in steppers.values():
        step()
    assert keras.mixed_precision.global_policy().name == "float32"  # put back


def test_step_timers_step_through_the_runs_pipeline_as_fit_does():
    """With a dataset factory each step pulls its own batch from the pipeline (its cost is
    in the timing, as in fit): a 5-batch pipeline gives exactly 5 updates, then runs out."""
    import keras
    import tensorflow as tf

    def batches():
        return tf.data.Dataset.range(5).map(
            lambda i: (tf.fill([4, 8], tf.cast(i, "float32")), tf.zeros([4], "int32")))

    models = []

    def make_model(jit):
        models.append(_small_model())
        models[-1].compile("sgd", "sparse_categorical_crossentropy", jit_compile=jit)
        return models[-1]

    step = precision.step_timers(make_model, batches)([F32])[F32]
    for _ in range(5):
        step()
    assert int(models[0].optimizer.iterations.numpy()) == 5
    with pytest.raises((StopIteration, tf.errors.OutOfRangeError)):  # a 6th batch: none
        step()
    assert keras.mixed_precision.global_policy().name == "float32"


def test_a_short_run_keeps_the_default_without_building_anything(monkeypatch):
    from ktrain_kit import training
    from ktrain_kit.config import default_config
    monkeypatch.setattr(training, "build_model", lambda *a, **k: pytest.fail("measured"))
    c = default_config()
    precision_, jit, why = training.choose_settings(c, None, CPU_BF16, "default", 999)
    assert (precision_, jit) == F32 and "too short" in why["precision"]


# ------------------------------------------------------------------ cluster
class FakeStrategy:
    def __init__(self, resolver):
        self.cluster_resolver = resolver


def test_place_from_tf_config(monkeypatch):
    import tensorflow as tf
    spec = {"cluster": {"worker": ["localhost:1", "localhost:2"]},
            "task": {"type": "worker", "index": 0}}
    for index, chief in ((0, True), (1, False)):
        spec["task"]["index"] = index
        monkeypatch.setenv("TF_CONFIG", json.dumps(spec))
        where = place(FakeStrategy(tf.distribute.cluster_resolver.TFConfigClusterResolver()))
        assert where == {"workers": 2, "task": ("worker", index), "chief": chief}
    spec["cluster"]["chief"] = ["localhost:0"]
    spec["task"] = {"type": "worker", "index": 0}
    monkeypatch.setenv("TF_CONFIG", json.dumps(spec))
    assert not place(FakeStrategy(tf.distribute.cluster_resolver.TFConfigClusterResolver()))[
        "chief"]  # a named chief outranks worker 0
    assert place(FakeStrategy(None))["chief"]  # no cluster: this process is the chief


def test_place_under_slurm_makes_only_rank_0_the_chief(monkeypatch):
    """Slurm sets no TF_CONFIG: the chief must come from the Slurm resolver, not TF_CONFIG."""
    import tensorflow as tf
    monkeypatch.delenv("TF_CONFIG", raising=False)
    for key, value in {"SLURM_JOB_ID": "7", "SLURM_STEP_NUM_TASKS": "2",
                       "SLURM_STEP_NODELIST": "node[1-2]",
                       "SLURM_STEP_TASKS_PER_NODE": "1(x2)"}.items():
        monkeypatch.setenv(key, value)
    chiefs = []
    for rank in (0, 1):
        monkeypatch.setenv("SLURM_PROCID", str(rank))
        resolver = cluster_resolver(9000)  # on this CPU-only machine, as on a CPU cluster
        assert isinstance(resolver, tf.distribute.cluster_resolver.SlurmClusterResolver)
        where = place(FakeStrategy(resolver))
        assert where["workers"] == 2 and where["task"] == ("worker", rank)
        chiefs.append(where["chief"])
    assert chiefs == [True, False]


@pytest.mark.parametrize("value,fragment", [
    ("{not json", "not JSON"),
    ('{"cluster": {"worker": "h:1"}, "task": {"type": "worker", "index": 0}}', "cluster"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": 3}}', "task"),
    ('{"cluster": {"worker": ["h:1"]}}', "task"),
    # a parameter server: its own task was a traceback, a worker's waited forever for it
    ('{"cluster": {"worker": ["h:1"], "ps": ["h:2"]}, "task": {"type": "ps", "index": 0}}',
     "job 'ps'"),
    ('{"cluster": {"worker": ["h:1"], "ps": ["h:2"]}, "task": {"type": "worker", "index": 0}}',
     "job 'ps'"),
    ('{"cluster": {"worker": ["h:1"], "evaluator": ["h:2"]}, '
     '"task": {"type": "evaluator", "index": 0}}', "type 'evaluator'"),
])
def test_malformed_tf_config_is_one_line(monkeypatch, value, fragment):
    monkeypatch.setenv("TF_CONFIG", value)
    with pytest.raises(UserError, match=fragment) as e:
        check_cluster_environment()
    assert "TF_CONFIG" in str(e.value) and "\n" not in str(e.value)


def test_multi_worker_under_slurm_outside_a_step_is_one_line_naming_the_variable(monkeypatch):
    """SLURM_JOB_ID set (salloc, an interactive job) but not a step (srun): TensorFlow's
    SlurmClusterResolver raised 'SLURM_PROCID not found' as a traceback. Each variable it reads,
    left out in turn, is named; all present (or another strategy, or TF_CONFIG) passes."""
    from ktrain_kit.runtime import SLURM_STEP_VARIABLES
    step = {"SLURM_PROCID": "0", "SLURM_STEP_NUM_TASKS": "1", "SLURM_STEP_NODELIST": "n1",
            "SLURM_STEP_TASKS_PER_NODE": "1"}
    assert set(step) == set(SLURM_STEP_VARIABLES)
    monkeypatch.delenv("TF_CONFIG", raising=False)
    monkeypatch.setenv("SLURM_JOB_ID", "7")
    for left_out in step:
        for name, value in step.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv(left_out)
        with pytest.raises(UserError, match=f"environment variable {left_out} is not set"):
            check_cluster_environment("multi_worker")
        check_cluster_environment("auto")
    monkeypatch.setenv(left_out, step[left_out])
    check_cluster_environment("multi_worker")
