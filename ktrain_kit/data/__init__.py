"""Data: `sources` says what the data is (loading, checks, labels, split; no TensorFlow),
`pipeline` turns in-memory data into tf.data batches (shuffling, augmentation, resume), `stream`
does the same for data read from shards or files (interleave, bounded shuffle, per-worker
shards), and `tfrecord` writes the shards.

A new source is one function in `sources.SOURCES`.
"""

from ktrain_kit.data.sources import SOURCES, Dataset, describe, load

__all__ = ["SOURCES", "Dataset", "describe", "eval_batches", "eval_pipeline", "load",
           "train_pipeline"]


def __getattr__(name):  # the pipeline imports TensorFlow: only on use
    if name in ("train_pipeline", "eval_pipeline", "eval_batches", "augment_batch"):
        from ktrain_kit.data import pipeline
        return getattr(pipeline, name)
    raise AttributeError(f"module 'ktrain_kit.data' has no attribute '{name}'")
