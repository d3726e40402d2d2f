"""Fine-tuning: start from another model's weights (`model.init_from`) and freeze layers
(`model.freeze`).

Every layer is addressed by its PATH: the names from the model down to it, e.g. `block0_dense`
for a top-level layer, `MobileNetV3Small/expanded_conv_project` inside a Keras Applications
backbone, `enc0_attn/query` inside an attention layer. The top-level model's own name is not
part of the path, so a model built under another name still matches.

`model.init_from` is a finished or interrupted run folder, a `.keras` file or a `.weights.h5`
file. All three are read the same way, from the Keras weights file (a `.keras` file holds one,
a run folder writes one), whose tree mirrors the model's and records each layer's name; no
custom object has to be importable. A layer whose path and weight shapes agree is loaded; any
other keeps its fresh initialization, and the report says why: absent from the source, or the
shapes differ. train() prints the report and saves it in config.json.

`model.freeze` is a comma-separated list of regexes searched in the layer paths, at any depth;
matching layers stop training (a frozen batch norm layer runs in inference mode, as the Keras
transfer-learning guide does). A rule that matches no layer is an error, and so is freezing a
layer that `model.init_from` left at random weights: a typo must not train a head on a random,
frozen body.
"""

import os
import re
import tempfile
import zipfile

import h5py
import numpy as np

from ktrain_kit.errors import UserError, config_error


def rules(value) -> list:
    """`model.freeze` as a list of regexes (a comma-separated string or a sequence)."""
    if value in (None, "", ()):
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(r).strip() for r in items if str(r).strip()]


def layer_paths(model) -> dict:
    """{path: layer} of every layer below `model`, nested models and sub-layers included."""
    found = {}

    def walk(layer, prefix):
        for child in layer._flatten_layers(include_self=False, recursive=False):
            path = f"{prefix}{child.name}"
            found.setdefault(path, child)
            walk(child, path + "/")

    walk(model, "")
    return found


FRESH_WHY = "model.init_from did not load it; see the loading report"
NOTHING_LOADED = "model.init_from is empty, so a built-in model's layers all start random"


def freeze(model, patterns, fresh=(), why=FRESH_WHY) -> list:
    """Makes the layers whose paths match any of `patterns` untrainable; returns the paths
    frozen (the outermost: freezing a nested model freezes everything in it).

    `fresh`: paths left at their random initialization (by fine-tuning, or every layer of a
    built-in model without model.init_from: `why` says which); freezing one is refused.
    """
    paths = layer_paths(model)
    frozen = set()
    for rule in patterns:
        try:
            pattern = re.compile(rule)
        except re.error as e:
            raise config_error("model.freeze", f"'{rule}' is not a valid regex ({e})",
                               "fix the pattern") from None
        matched = [path for path in paths if pattern.search(path)]
        if not matched:
            names = [path for path, layer in paths.items() if layer.weights and "/" not in path]
            raise config_error("model.freeze", f"rule '{rule}' matches no layer", "use part "
                               f"of a layer path: {', '.join(names[:8])} (nested layers as "
                               "outer/inner)")
        frozen.update(matched)
    outermost = sorted(p for p in frozen
                       if not any(p.startswith(other + "/") for other in frozen))
    random = [p for p in outermost for f in fresh if f == p or f.startswith(p + "/")]
    if random:
        raise config_error("model.freeze", f"'{random[0]}' would be frozen at random weights "
                           f"({why})",
                           "freeze only layers loaded from model.init_from, or fix the source")
    for path in outermost:
        paths[path].trainable = False
    return outermost


def load_initial_weights(model, source: str) -> dict:
    """Copies weights from `source` into `model` by layer path and shape; returns the report
    {"source", "loaded": [paths], "fresh": [{"layer": path, "reason": why}]}."""
    theirs = _weights_by_path(source)
    loaded, fresh = [], []
    for path, layer in layer_paths(model).items():
        ours = _own_variables(layer)
        if not ours:
            continue
        arrays = theirs.get(path)
        if arrays is None:
            fresh.append({"layer": path, "reason": "absent from the source"})
        elif [tuple(np.shape(a)) for a in arrays] != [tuple(v.shape) for v in ours]:
            fresh.append({"layer": path, "reason": "shapes differ: source "
                          f"{[list(np.shape(a)) for a in arrays]}, here "
                          f"{[list(v.shape) for v in ours]}"})
        else:
            for variable, array in zip(ours, arrays):
                variable.assign(np.asarray(array).astype(variable.dtype))
            loaded.append(path)
    if not loaded:
        raise config_error("model.init_from", f"no layer of '{source}' matches this model by "
                           "path and shape", "fine-tune from a model with the same layer names "
                           "(e.g. a run of the same model.name)")
    return {"source": source, "loaded": loaded, "fresh": fresh}


def _own_variables(layer):
    """The variables a layer itself owns (not its sub-layers'), in Keras' saving order."""
    store = {}
    layer.save_own_variables(store)
    return [store[str(i)] for i in range(len(store))]


def _weights_by_path(source):
    if not os.path.exists(source):
        raise config_error("model.init_from", f"'{source}' does not exist", "give a run "
                           "folder, a .keras file or a .weights.h5 file")
    if os.path.isdir(source):  # a pipe where its weights are read: waited forever
        from ktrain_kit import runfolder
        try:
            runfolder.check_no_special_files(source)
        except UserError as e:
            raise UserError(f"config key 'model.init_from': {e}") from None
    try:
        if os.path.isdir(source):
            return _from_run_folder(source)
        if source.endswith(".keras"):
            with zipfile.ZipFile(source) as archive, tempfile.TemporaryDirectory() as scratch:
                return read_weights_file(archive.extract("model.weights.h5", scratch))
        if source.endswith(".h5"):
            return read_weights_file(source)
    except UserError as e:  # about the folder given (a sweep's, damaged): say which key gave it
        if str(e).startswith("config key "):
            raise
        raise UserError(f"config key 'model.init_from': {e}") from None
    except Exception as e:  # noqa: BLE001 - damaged or foreign files raise many kinds
        raise config_error("model.init_from", f"'{source}' cannot be read ({type(e).__name__}: "
                           f"{str(e).splitlines()[0][:120] if str(e) else ''})",
                           "give an intact .keras / .weights.h5 file or run folder") from None
    raise config_error("model.init_from", f"'{source}' is neither a run folder, a .keras nor "
                       "a .weights.h5 file", "give one of those")


def _from_run_folder(folder):
    """The run's final weights file or, for an interrupted run, its newest checkpoint written
    out as one."""
    from ktrain_kit import fs, runfolder
    final = os.path.join(folder, runfolder.FINAL_WEIGHTS)
    if fs.exists(final):
        return read_weights_file(final)
    if not fs.exists(os.path.join(folder, runfolder.CONFIG)):  # RUN/checkpoints, RUN/export/1
        run = _enclosing_run(folder)
        if run:
            raise config_error("model.init_from", f"'{folder}' is a folder inside the run "
                               f"folder '{run}'", "give the run folder itself: "
                               f"--config.model.init_from={run}")
    from ktrain_kit.restore import load_run
    _, _, model = load_run(folder, allow_unfinished=True)
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "model.weights.h5")
        model.save_weights(path)
        return read_weights_file(path)


def _enclosing_run(folder, levels=3):
    """The run folder `folder` lies in (its config.json a few levels up), or None."""
    from ktrain_kit import fs, runfolder
    path = os.path.normpath(os.path.abspath(folder))
    for _ in range(levels):
        path = os.path.dirname(path)
        if fs.exists(os.path.join(path, runfolder.CONFIG)):
            return path
    return None


def read_weights_file(path) -> dict:
    """{layer path: [arrays]} of a Keras 3 weights file, read without its model.

    The file mirrors the model's object tree; each layer's group holds `vars/0..n-1` (its own
    variables) with the layer's name as an attribute, and its sub-layers in sub-groups. The path
    is made of those names, so it equals `layer_paths` of the model that wrote the file.
    """
    found = {}

    def walk(group, prefix):
        for key in group:
            child = group[key]
            if key == "vars" or not isinstance(child, h5py.Group):
                continue
            variables = child.get("vars")
            if variables is None:  # a container ("layers", a list): its members are one level down
                walk(child, prefix)
                continue
            path = prefix + str(variables.attrs.get("name", key))
            if len(variables):
                found.setdefault(path, [np.asarray(variables[str(i)])
                                        for i in range(len(variables))])
            walk(child, path + "/")

    with h5py.File(path, "r") as f:
        if "layers" not in f:
            raise ValueError("not a Keras 3 weights file (no 'layers' group)")
        walk(f, "")
    return found
