"""A csv or text run's preprocessing, saved beside TFRecord shards by `launchers.make_tfrecords`.

The shards hold the encoded inputs (floats for a table, token ids for text), computed by the
preprocessing adapted on the training split when the shards were written. That preprocessing is
saved as a small SavedModel in `<shards>/preprocessing/` (one function, `encode`, raw columns
or strings in, model inputs out), so a run trained from the shards exports a model that takes
the raw columns or strings, exactly as a run trained from the file does.
"""

from ktrain_kit import fs

FOLDER = "preprocessing"


def save(preprocessing, out: str) -> dict:
    """Writes `out/preprocessing/`; returns its description for features.json."""
    import tensorflow as tf
    names = preprocessing.input_names()
    module = tf.Module()
    module.layer = preprocessing.layer
    module.encode = tf.function(
        lambda columns: preprocessing.encode({c: columns[k] for c, k in names.items()}),
        input_signature=[preprocessing.signature()])
    fs.library_write("savedmodel", fs.join(out, FOLDER))
    tf.saved_model.save(module, fs.join(out, FOLDER))
    return {"folder": FOLDER, "inputs": names, "describe": preprocessing.describe(),
            "vocab_size": getattr(preprocessing, "vocab_size", None)}


class SavedPreprocessing:
    """The saved preprocessing, with the interface the export uses (`Dataset.preprocessing`)."""

    def __init__(self, folder: str, description: dict):
        import tensorflow as tf
        self.layer = tf.saved_model.load(fs.join(folder, description["folder"]))
        self.names = dict(description["inputs"])
        self.vocab_size = description.get("vocab_size")
        self.text = description["describe"]

    def input_names(self) -> dict:
        return dict(self.names)

    def signature(self) -> dict:
        return dict(self.layer.encode.concrete_functions[0].structured_input_signature[0][0])

    def encode(self, columns: dict):
        return self.layer.encode({self.names[c]: v for c, v in columns.items()})

    def describe(self) -> str:
        return f"{self.text} (saved with the shards)"
