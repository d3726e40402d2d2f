"""The tf.data side: batches for training (shuffled per epoch, augmented, resumable) and
evaluation, from a `Dataset` of in-memory arrays.

Every batch depends only on (seed, epoch, batch number): its examples come from a permutation
seeded by (seed, epoch) and its augmentation from (seed, global batch number). A run resumed at
epoch e, step k skips the k batches already trained and sees the very batches the uninterrupted
run saw.
"""

import tensorflow as tf

from ktrain_kit.data.transforms import augment_batch, augmenting, example_weights  # noqa: F401

def train_pipeline(data, batch_size: int, seed: int, dc, first_epoch: int = 0,
                   epochs: int = 1, skip_steps: int = 0, class_weights=None, strategy=None):
    """Global batches for epochs [first_epoch, epochs), to be fit with steps_per_epoch.

    Each epoch is a fresh random permutation that depends only on (seed, epoch), and each
    batch's augmentation only on (seed, batch number), so a run resumed at epoch e, step k
    (`skip_steps=k` leaves out the k batches of epoch e already trained) sees the very batches
    the uninterrupted run saw. Each epoch yields len // batch_size full batches (the remainder
    is dropped, so every update splits evenly into micro-batches and replicas). Batches are
    gathered from the in-memory arrays; with `class_weights` they carry per-example weights.
    Streamed data go through data/stream.py (per-worker shards under multi-worker `strategy`).
    """
    if data.stream:
        from ktrain_kit.data import stream
        if strategy is not None and _workers(strategy) > 1:
            return stream.distributed_train_stream(strategy, data, batch_size, seed, dc,
                                                   first_epoch, epochs, skip_steps,
                                                   class_weights)
        return stream.train_stream(data, batch_size, seed, dc, first_epoch, epochs, skip_steps,
                                   class_weights)
    examples = len(data.x_train)
    steps_per_epoch = examples // batch_size
    x, y = tf.constant(data.x_train), tf.constant(data.y_train)

    def epoch_order(epoch):
        order = tf.random.experimental.stateless_shuffle(
            tf.range(examples, dtype=tf.int64), seed=tf.stack([tf.constant(seed, tf.int64), epoch]))
        return tf.data.Dataset.from_tensor_slices(order[:steps_per_epoch * batch_size])

    ds = tf.data.Dataset.range(first_epoch, epochs).flat_map(epoch_order)
    ds = ds.batch(batch_size, drop_remainder=True).skip(skip_steps)
    ds = ds.enumerate(start=first_epoch * steps_per_epoch + skip_steps)  # global batch number
    augment = dc.augment if augmenting(dc, data.kind) else None

    def gather(number, indices):
        images = tf.gather(x, indices)
        if augment is not None:
            batch_seed = tf.stack([tf.constant(seed, tf.int64), number])
            images = augment_batch(images, batch_seed, augment)
        labels = tf.gather(y, indices)
        if class_weights is None:
            return images, labels
        return images, labels, example_weights(labels, class_weights)

    ds = ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def _workers(strategy):
    resolver = getattr(strategy, "cluster_resolver", None)
    spec = resolver.cluster_spec().as_dict() if resolver is not None else {}
    return max(1, sum(len(v) for k, v in spec.items() if k in ("chief", "worker")))


def eval_batches(data, batch_size: int, split: str = "val"):
    """A split's batches in order (validation, evaluation), in memory or streamed."""
    if data.stream:
        from ktrain_kit.data import stream
        return stream.eval_stream(data, batch_size, split)
    x, y = (data.x_val, data.y_val) if split == "val" else (data.x_train, data.y_train)
    return eval_pipeline(x, y, batch_size)


def eval_pipeline(x, y, batch_size: int):
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size).prefetch(
        tf.data.AUTOTUNE)
