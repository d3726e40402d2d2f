"""Fine-tuning: start from another model's weights (`model.init_from`) and freeze layers
(`model.freeze`).

`model.init_from` is a finished or interrupted run folder, a `.keras` file or a `.weights.h5`
file. Weights are matched by layer name and shape: a layer whose name and weight shapes agree is
loaded, any other (a new head for a new number of classes) keeps its fresh initialization. The
report says which were loaded and which not; train() prints it and saves it in config.json.

`model.freeze` is a comma-separated list of regexes of layer names; matching layers stop
training (a frozen batch norm layer runs in inference mode, as the Keras transfer-learning guide
does). A rule that matches no layer is an error: a typo must not silently train everything.
"""

import os
import re

import h5py
import keras
import numpy as np

from ktrain_kit.errors import UserError, config_error


def rules(value) -> list:
    """`model.freeze` as a list of regexes (a comma-separated string or a sequence)."""
    if value in (None, "", ()):
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(r).strip() for r in items if str(r).strip()]


def freeze(model, patterns) -> list:
    """Makes the layers whose names match any of `patterns` untrainable; returns their names."""
    frozen = []
    for rule in patterns:
        try:
            pattern = re.compile(rule)
        except re.error as e:
            raise config_error("model.freeze", f"'{rule}' is not a valid regex ({e})",
                               "fix the pattern") from None
        matched = [layer for layer in model.layers if pattern.search(layer.name)]
        if not matched:
            names = [layer.name for layer in model.layers if layer.weights]
            raise config_error("model.freeze", f"rule '{rule}' matches no layer", "use part "
                               f"of a layer name: {', '.join(names[:8])}")
        for layer in matched:
            layer.trainable = False
            frozen.append(layer.name)
    return sorted(set(frozen))


def load_initial_weights(model, source: str) -> dict:
    """Copies weights from `source` into `model` by layer name and shape; returns the report."""
    source_weights = _weights_by_layer(source)
    loaded, fresh = [], []
    for layer in model.layers:
        if not layer.weights:
            continue
        theirs = source_weights.get(layer.name)
        ours = layer.get_weights()
        if theirs is None:
            fresh.append({"layer": layer.name, "reason": "not in the source"})
        elif [np.shape(w) for w in theirs] != [np.shape(w) for w in ours]:
            fresh.append({"layer": layer.name, "reason": "shapes differ: source "
                          f"{[list(np.shape(w)) for w in theirs]}, here "
                          f"{[list(np.shape(w)) for w in ours]}"})
        else:
            layer.set_weights(theirs)
            loaded.append(layer.name)
    if not loaded:
        raise config_error("model.init_from", f"no layer of '{source}' matches this model by "
                           "name and shape", "fine-tune from a model with the same layer names "
                           "(e.g. a run of the same model.name)")
    return {"source": source, "loaded": loaded, "fresh": fresh}


def _weights_by_layer(source):
    if not os.path.exists(source):
        raise config_error("model.init_from", f"'{source}' does not exist", "give a run "
                           "folder, a .keras file or a .weights.h5 file")
    try:
        if os.path.isdir(source):
            return _from_run_folder(source)
        if source.endswith(".keras"):
            loaded = keras.saving.load_model(source, compile=False)
            return {layer.name: layer.get_weights() for layer in loaded.layers}
        if source.endswith(".h5"):
            return _from_weights_h5(source)
    except UserError:
        raise
    except Exception as e:  # noqa: BLE001 - damaged or foreign files raise many kinds
        raise config_error("model.init_from", f"'{source}' cannot be read ({type(e).__name__}: "
                           f"{str(e).splitlines()[0][:120] if str(e) else ''})",
                           "give an intact .keras / .weights.h5 file or run folder") from None
    raise config_error("model.init_from", f"'{source}' is neither a run folder, a .keras nor "
                       "a .weights.h5 file", "give one of those")


def _from_run_folder(folder):
    """Rebuilds the run's model from its config.json and loads its final weights (or, for an
    interrupted run, its newest checkpoint), so that every layer, nested ones included, reads
    back exactly as Keras saved it."""
    from ktrain_kit.restore import load_run
    _, _, model = load_run(folder, allow_unfinished=True)
    return {layer.name: layer.get_weights() for layer in model.layers}


def _from_weights_h5(path):
    """{layer name: [arrays]} of a Keras 3 `.weights.h5` file, read without its model.

    The file mirrors the model's object tree: `layers/<path>/vars/<i>`, the layer's name an
    attribute of `vars`. Layers with sub-layers (attention, a nested backbone) keep their
    sub-layers' variables in sub-groups whose order cannot be matched safely without the model;
    they are left out here (fine-tune from the run folder or a .keras file to get them).
    """
    with h5py.File(path, "r") as f:
        if "layers" not in f:
            raise ValueError("not a Keras 3 .weights.h5 file (no 'layers' group)")
        out = {}
        for key in f["layers"]:
            group = f["layers"][key]
            nested = any(k != "vars" for k in group)
            if "vars" not in group or nested:
                continue
            variables = group["vars"]
            name = str(variables.attrs.get("name", key))
            out[name] = [np.asarray(variables[str(i)]) for i in range(len(variables))]
        return out
