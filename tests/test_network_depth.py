"""A chain of layers deeper than Keras can build is a config error naming model.depth.

Keras builds a functional model by walking its graph recursively, a Python call per layer:
`--config.model.depth=1000` on the MLP (4,000 layers) ended in a RecursionError traceback.
Here Python's recursion limit is lowered so that a small depth reaches it quickly; the same
config builds under the normal limit.
"""

import inspect
import sys

import pytest

from conftest import load_config
from ktrain_kit.errors import UserError


def test_a_chain_too_deep_for_keras_is_one_line_naming_model_depth():
    from ktrain_kit import data as data_lib
    from ktrain_kit.network import build_network
    c = load_config("digits_mlp", model__depth=40)
    data = data_lib.load(c.data, c.task, c.seed)
    assert len(build_network(c, data).layers) > 40  # builds under the normal limit
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 120)
    try:
        with pytest.raises(UserError, match=r"config key 'model.depth': a mlp of depth 40 has "
                                            r"more layers in a chain than Keras can build"):
            build_network(c, data)
    finally:
        sys.setrecursionlimit(limit)
