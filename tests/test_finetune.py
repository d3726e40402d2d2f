"""Fine-tuning by layer path: nested models and sub-layers load and freeze at any depth.

The reference is Keras' own `load_weights` on the same architecture (it restores everything,
nested or not): what `model.init_from` loads must equal it array for array.
"""

import numpy as np
import pytest

import keras
from tests.conftest import load_config


def _keras_app_network(seed):
    from ktrain_kit import data as data_lib
    from ktrain_kit.network import build_network
    c = load_config("images_resnet", model__name="keras_app", model__backbone="MobileNetV3Small",
                    data__train_examples=64)
    data = data_lib.load(c.data, c.task, c.seed)
    keras.utils.set_random_seed(seed)
    return c, data, build_network(c, data)


def _assert_same_weights(a, b):
    assert len(a.weights) == len(b.weights)
    for x, y in zip(a.weights, b.weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(x),
                                      keras.ops.convert_to_numpy(y), err_msg=x.path)


@pytest.fixture(scope="module")
def backbone_source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("source")
    _, _, network = _keras_app_network(seed=1)
    network.save_weights(folder / "source.weights.h5")
    network.save(folder / "source.keras")
    return folder, network


@pytest.mark.parametrize("suffix", ["weights.h5", "keras"])
def test_a_nested_backbone_loads_like_keras_own_load_weights(backbone_source, suffix):
    from ktrain_kit import finetune
    folder, source = backbone_source
    _, _, ours = _keras_app_network(seed=2)
    report = finetune.load_initial_weights(ours, str(folder / f"source.{suffix}"))
    assert report["fresh"] == []
    assert "MobileNetV3Small/expanded_conv_project" in report["loaded"]
    _, _, reference = _keras_app_network(seed=3)
    reference.load_weights(folder / "source.weights.h5")
    _assert_same_weights(ours, reference)
    _assert_same_weights(ours, source)


def test_a_new_head_is_fresh_with_its_reason_and_the_backbone_still_loads(backbone_source):
    from ktrain_kit import data as data_lib
    from ktrain_kit import finetune
    from ktrain_kit.network import build_network
    folder, source = backbone_source
    c, _, _ = _keras_app_network(seed=0)
    c.data.num_classes = 4  # a new task: the head's shape changes
    data = data_lib.load(c.data, c.task, c.seed)
    ours = build_network(c, data)
    report = finetune.load_initial_weights(ours, str(folder / "source.weights.h5"))
    assert [f["layer"] for f in report["fresh"]] == ["logits"]
    assert report["fresh"][0]["reason"].startswith("shapes differ")
    backbone = ours.get_layer("MobileNetV3Small")
    _assert_same_weights(backbone, source.get_layer("MobileNetV3Small"))


def test_freeze_rules_match_paths_at_any_depth():
    from ktrain_kit import finetune
    _, _, network = _keras_app_network(seed=0)
    before = len(network.trainable_weights)
    frozen = finetune.freeze(network, finetune.rules("MobileNetV3Small/expanded_conv_project$"))
    assert frozen == ["MobileNetV3Small/expanded_conv_project"]
    layer = network.get_layer("MobileNetV3Small").get_layer("expanded_conv_project")
    assert not layer.trainable
    assert len(network.trainable_weights) == before - len(layer.trainable_weights or
                                                          layer.weights)
    # a rule naming the backbone freezes all of it, reported once
    _, _, network = _keras_app_network(seed=0)
    assert finetune.freeze(network, ["MobileNetV3Small"]) == ["MobileNetV3Small"]
    assert {w.path for w in network.trainable_weights} == {"logits/kernel", "logits/bias"}


def test_freezing_a_layer_left_at_random_weights_is_refused(backbone_source):
    from ktrain_kit import finetune
    from ktrain_kit.errors import UserError
    folder, _ = backbone_source
    _, _, ours = _keras_app_network(seed=2)
    weights = _weights_without(folder, "MobileNetV3Small")
    report = finetune.load_initial_weights(ours, weights)
    fresh = [f["layer"] for f in report["fresh"]]
    assert all(f.startswith("MobileNetV3Small/") for f in fresh) and fresh
    with pytest.raises(UserError, match="model.freeze.*random weights"):
        finetune.freeze(ours, ["MobileNetV3Small"], fresh)


def _weights_without(folder, prefix):
    """A copy of the source weights file whose nested backbone group is gone: a source that
    really lacks those layers."""
    import h5py
    path = folder / "partial.weights.h5"
    if not path.exists():
        import shutil
        shutil.copy(folder / "source.weights.h5", path)
        with h5py.File(path, "r+") as f:
            for key in list(f["layers"]):
                if f["layers"][key]["vars"].attrs.get("name") == prefix:
                    del f["layers"][key]
                    f["layers"].create_group(key).create_group("vars").attrs["name"] = prefix
    return str(path)


def test_attention_blocks_load_from_a_weights_file(tmp_path):
    from ktrain_kit import data as data_lib
    from ktrain_kit import finetune
    from ktrain_kit.network import build_network
    c = load_config("sequence_transformer", data__train_examples=64)
    data = data_lib.load(c.data, c.task, c.seed)
    keras.utils.set_random_seed(1)
    source = build_network(c, data)
    source.save_weights(tmp_path / "t.weights.h5")
    keras.utils.set_random_seed(2)
    ours = build_network(c, data)
    report = finetune.load_initial_weights(ours, str(tmp_path / "t.weights.h5"))
    assert report["fresh"] == []
    assert any(p.startswith("enc0_attn/") for p in report["loaded"])
    _assert_same_weights(ours, source)
