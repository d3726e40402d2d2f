"""SavedModel export in TF Serving's layout: `<workdir>/export/<version>/`.

The `serving_default` signature takes the raw input (`inputs`, float32 or int32 token ids, shape
`[batch, *input_shape]`) and returns float32 `probabilities` and `logits` under every precision
policy. It loads with plain `tf.saved_model.load`; ktrain_kit is not needed to serve it.
"""

import os

import keras
import tensorflow as tf


def serving_signature_spec(model: keras.Model) -> tf.TensorSpec:
    spec = model.inputs[0]
    return tf.TensorSpec([None, *spec.shape[1:]], spec.dtype, name="inputs")


def export(model: keras.Model, export_root: str, version: int = 1) -> str:
    """Writes the SavedModel under `export_root/version` (replacing that version) and returns it."""
    path = os.path.join(export_root, str(version))

    def serve(inputs):
        logits = tf.cast(model(inputs, training=False), tf.float32)
        return {"probabilities": tf.nn.softmax(logits), "logits": logits}

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serving_default", serve, input_signature=[serving_signature_spec(model)])
    tmp = path + ".tmp"  # write, then move into place: a half-written export is never served
    for stale in (tmp, path):
        if tf.io.gfile.exists(stale):
            tf.io.gfile.rmtree(stale)
    archive.write_out(tmp, verbose=False)
    tf.io.gfile.rename(tmp, path)
    return path
