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


def test_test_mode_makes_auto_choose_bfloat16_on_any_cpu(monkeypatch):
    """KTRAIN_KIT_AUTO_PRECISION: the suite can run as on a CPU where bfloat16 wins."""
    from ktrain_kit import runtime
    from ktrain_kit.errors import UserError
    monkeypatch.setenv(runtime.AUTO_PRECISION_ENV, "mixed_bfloat16")
    facts = runtime.device_facts()
    assert runtime.choose_precision("auto", facts)[0] == "mixed_bfloat16"
    assert runtime.choose_precision("float32", facts)[0] == "float32"
    monkeypatch.setenv(runtime.AUTO_PRECISION_ENV, "fp8")
    with pytest.raises(UserError, match=runtime.AUTO_PRECISION_ENV):
        runtime.device_facts()


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
    assert choose_jit("auto", CPU_PLAIN, "default") is False
    assert choose_jit("auto", V100, "default") is True
    assert choose_jit("auto", TWO_A100, "mirrored") is False
    assert choose_jit("true", CPU_PLAIN, "default") is True


# ------------------------------------------------------------------ measured precision
def scripted(seconds):
    calls = []

    def time_policy(policy):
        calls.append(policy)
        return seconds[policy]
    return time_policy, calls


@pytest.mark.parametrize("bf16_seconds,expected", [
    (0.5, "mixed_bfloat16"),    # 2x faster: worth it
    (0.97, "float32"),          # 3% faster: inside the margin, float32 keeps its precision
    (1.4, "float32"),           # slower (the small-model case on AVX512_BF16 machines)
])
def test_auto_keeps_the_faster_policy_and_caches_it(tmp_path, monkeypatch, bf16_seconds,
                                                    expected):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    timer, calls = scripted({"float32": 1.0, "mixed_bfloat16": bf16_seconds})
    policy, reason = precision.fastest(timer, "model-a")
    assert policy == expected and calls == ["float32", "mixed_bfloat16"]
    again, reason = precision.fastest(timer, "model-a")  # cached: nothing timed again
    assert again == expected and len(calls) == 2 and "earlier" in reason
    cached = json.loads((tmp_path / "ktrain_kit" / "precision.json").read_text())
    assert cached["model-a"]["policy"] == expected
    precision.fastest(timer, "model-b")  # another model is measured on its own
    assert len(calls) == 4


def test_step_timer_times_a_real_model_under_each_policy():
    import keras
    import numpy as np
    keras.utils.set_random_seed(0)

    def make_model():
        inputs = keras.Input((8,))
        model = keras.Model(inputs, keras.layers.Dense(3, dtype="float32")(
            keras.layers.Dense(16)(inputs)))
        model.compile("sgd", "sparse_categorical_crossentropy")
        return model, model.layers[1].compute_dtype

    seen = []
    timer = precision.step_timer(lambda: seen.append(make_model()[1]) or make_model()[0],
                                 (np.zeros((4, 8), "float32"), np.zeros(4, "int32")))
    assert timer("mixed_bfloat16") > 0 and timer("float32") > 0
    assert seen == ["bfloat16", "float32"]
    assert keras.mixed_precision.global_policy().name == "float32"  # put back


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
])
def test_malformed_tf_config_is_one_line(monkeypatch, value, fragment):
    monkeypatch.setenv("TF_CONFIG", value)
    with pytest.raises(UserError, match=fragment) as e:
        check_cluster_environment()
    assert "TF_CONFIG" in str(e.value) and "\n" not in str(e.value)
