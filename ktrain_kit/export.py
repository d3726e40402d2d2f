"""SavedModel export in TF Serving's layout: `<export_root>/<version>/`.

The `serving_default` signature takes the raw input (`inputs`, float32, or int32 token ids, of
shape `[batch, *input_shape]`) and returns float32 outputs under every precision policy, named by
the task: classification `probabilities` and `logits`; binary `probability` (n,) and `logits`;
multilabel `probabilities` (n, k) and `logits`; regression `predictions` (n,) or (n, k) in the
target's units. It loads with plain `tf.saved_model.load`; ktrain_kit is not needed to serve it.

A version is written to a temporary folder and then swapped into place, so a killed or failed
export never destroys the version that was there: TF Serving keeps serving it. (On a bucket,
which cannot rename folders, a version is written in place: export a new version number.)
"""

import contextlib
import os

import keras
import tensorflow as tf

from ktrain_kit import fs, tasks


def serving_signature_spec(model: keras.Model) -> tf.TensorSpec:
    spec = model.inputs[0]
    return tf.TensorSpec([None, *spec.shape[1:]], spec.dtype, name="inputs")


def export(model: keras.Model, export_root: str, version: int = 1,
           task: str = "classification", from_logits: bool = True, preprocessing=None) -> str:
    """Writes the SavedModel under `export_root/version` and returns that path.

    `preprocessing` (a csv or text run's, `Dataset.preprocessing`): the signature then takes
    the raw columns by name, one tensor each (float32 for numbers, NaN = missing; string for
    text; a text run: `text`, the raw strings), and the SavedModel does the preprocessing the
    run was trained with.
    """
    path = os.path.join(export_root, str(version))
    archive = keras.export.ExportArchive()
    archive.track(model)
    table = preprocessing
    if table is None:
        expected = serving_signature_spec(model).shape[1:]

        def serve(inputs):
            if expected.is_fully_defined():  # a signature's shape is not checked when called
                tf.debugging.assert_equal(  # (a 56x37 image gave probabilities of nothing)
                    tf.shape(inputs)[1:], tf.constant(expected.as_list(), tf.int32),
                    message=f"inputs must be [batch, {', '.join(map(str, expected))}], the "
                    "shape the model was trained on (images: resized to data.image_size)")
            return tasks.serving_outputs(task, model(inputs, training=False), from_logits)
        archive.add_endpoint("serving_default", serve,
                             input_signature=[serving_signature_spec(model)])
    else:
        archive.track(table.layer)
        names = table.input_names()

        def serve_columns(columns):
            raw = {column: columns[name] for column, name in names.items()}
            return tasks.serving_outputs(task, model(table.encode(raw), training=False),
                                         from_logits)
        archive.add_endpoint("serving_default", serve_columns,
                             input_signature=[table.signature()])
    if "://" in path:  # buckets have no directory rename: written in place (export to a new
        fs.library_write("savedmodel", path)
        archive.write_out(path, verbose=False)  # version number to keep the old one served)
        return path
    tmp, old = fs.temp_path(path), f"{path}.old"
    fs.subfolder(export_root)  # a symlink there is refused, never written through
    recover(path)
    try:
        fs.library_write("savedmodel", tmp)
        archive.write_out(tmp, verbose=False)
        if tf.io.gfile.exists(path):
            fs.replace(path, old)      # from here until the next rename, `old` is the
        fs.replace(tmp, path)          # version (recover() puts it back after a kill)
    except BaseException:  # a failed export (a full disk, an interrupt): the old version
        with contextlib.suppress(Exception):  # back in place, no half-written one left
            recover(path)
            if tf.io.gfile.exists(tmp):
                fs.rmtree(tmp)
        raise
    if tf.io.gfile.exists(old):
        _move_users_entries(old, path)
        fs.rmtree(old)
    return path


def _move_users_entries(old, path) -> None:
    """Moves what the user put in the version being replaced (TF Serving's assets.extra/
    warmup requests, notes) into its new SavedModel folder, and says so. Moved, not copied:
    links stay links, modes and sparse files stay as they are, a large file costs no space;
    a kill between two moves leaves the rest in `old`, which `recover` moves on."""
    from ktrain_kit.runfolder import users_entries_in_export
    moved = [name for name in users_entries_in_export(old)
             if not fs.exists(fs.join(path, name)) and not os.path.islink(fs.join(path, name))]
    for name in moved:
        fs.rename(fs.join(old, name), fs.join(path, name))
    if moved:
        print(f"ktrain_kit: kept in {path} what the export did not write: "
              f"{', '.join(moved[:5])}{', ...' if len(moved) > 5 else ''}", flush=True)


def export_run(workdir: str, version: int) -> str:
    """A finished run's model exported again as `<workdir>/export/<version>/` (what
    `launchers.export` does); returns the version's path."""
    from ktrain_kit import checkpointing, restore, runfolder
    with runfolder.open_existing(workdir) as run, checkpointing.stop_between_phases():
        config, data, model = restore.load_run(workdir)
        run.claim(f"export/{version}", "pass another --version")
        return export(model, run.path("export"), version, task=config.task.name,
                      from_logits=config.model.from_logits, preprocessing=data.preprocessing)


def recover(path: str) -> None:
    """After a kill between the two renames of `export`: put the previous version back (and
    remove the half-written versions of killed exports)."""
    fs.remove_temps(os.path.dirname(path))
    old = f"{path}.old"
    if tf.io.gfile.exists(old):
        if tf.io.gfile.exists(path):  # the new version in place: the user's files join it
            _move_users_entries(old, path)
            fs.rmtree(old)
        else:
            fs.rename(old, path)
