"""Precision, strategy and XLA decisions, fed fake machines."""

import pytest

from ktrain_kit.errors import UserError
from ktrain_kit.runtime import DeviceFacts, choose_jit, choose_precision, choose_strategy, cluster

CPU_PLAIN = DeviceFacts(cpu_flags=frozenset({"avx2", "fma"}))
CPU_BF16 = DeviceFacts(cpu_flags=frozenset({"avx512f", "avx512_bf16"}))
CPU_AMX = DeviceFacts(cpu_flags=frozenset({"amx_bf16", "amx_tile"}))
V100 = DeviceFacts(gpu_compute_capabilities=((7, 0),))
P100 = DeviceFacts(gpu_compute_capabilities=((6, 0),))
TWO_A100 = DeviceFacts(gpu_compute_capabilities=((8, 0), (8, 0)))
TPU = DeviceFacts(tpu=True)


@pytest.mark.parametrize("facts,expected", [
    (CPU_PLAIN, "float32"), (CPU_BF16, "mixed_bfloat16"), (CPU_AMX, "mixed_bfloat16"),
    (V100, "mixed_float16"), (TWO_A100, "mixed_float16"), (P100, "float32"),
    (TPU, "mixed_bfloat16"),
])
def test_auto_precision(facts, expected):
    policy, reason = choose_precision("auto", facts)
    assert policy == expected and reason


def test_explicit_precision_wins():
    assert choose_precision("float32", V100)[0] == "float32"


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


def test_cluster_from_tf_config(monkeypatch):
    spec = '{"cluster": {"worker": ["h:1", "h:2"]}, "task": {"type": "worker", "index": %d}}'
    monkeypatch.setenv("TF_CONFIG", spec % 0)
    assert cluster() == {"workers": 2, "index": 0, "chief": True}
    monkeypatch.setenv("TF_CONFIG", spec % 1)
    assert cluster()["chief"] is False
    monkeypatch.delenv("TF_CONFIG")
    assert cluster()["chief"] is True
