"""What a batch goes through on its way to the model, in memory or streamed alike: seeded
augmentation and per-example class weights. Shared by data/pipeline.py and data/stream.py."""

import tensorflow as tf


def augment_batch(images, seed, augment):
    """Random flip / translation / pad-and-crop of a batch, a pure function of `seed`.

    Stateless on purpose: the randomness of batch b comes from (run seed, b) alone, so a run
    resumed in the middle of training augments every later batch exactly as the uninterrupted
    run did (Keras' random layers keep hidden generator state that a restart loses).
    """
    fold = tf.random.experimental.stateless_fold_in
    if augment.flip:
        images = tf.image.stateless_random_flip_left_right(images, fold(seed, 1))
    if augment.translate:
        images = _shift(images, fold(seed, 2), augment.translate, "REFLECT", "BILINEAR")
    if augment.crop_padding:  # zero-pad by p and crop back = an integer shift with zero fill
        images = _shift(images, fold(seed, 3), augment.crop_padding, "CONSTANT", "NEAREST")
    return images


def _shift(images, seed, amount, fill_mode, interpolation):
    """Shifts each image by its own random offset: up to `amount` pixels (int) or a fraction."""
    shape = tf.shape(images)
    batch, size = shape[0], tf.cast(shape[1:3], tf.float32)
    limit = tf.fill([2], float(amount)) if isinstance(amount, int) else amount * size
    offsets = tf.random.stateless_uniform([batch, 2], seed, -1.0, 1.0) * limit
    if isinstance(amount, int):
        offsets = tf.round(offsets)
    ones, zeros = tf.ones([batch, 1]), tf.zeros([batch, 1])
    dy, dx = offsets[:, :1], offsets[:, 1:]
    transforms = tf.concat([ones, zeros, dx, zeros, ones, dy, zeros, zeros], axis=1)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=shape[1:3], fill_value=0.0,
        interpolation=interpolation, fill_mode=fill_mode)


def augmenting(dc, kind) -> bool:
    return kind == "image" and any((dc.augment.flip, dc.augment.translate,
                                    dc.augment.crop_padding))


def example_weights(y, class_weights):
    """Each example's loss weight from its class (binary labels are 0/1 floats of shape (1,))."""
    ids = tf.cast(tf.reshape(y, [-1]) > 0.5, tf.int32) if y.shape.rank == 2 else y
    return tf.gather(tf.constant(class_weights, tf.float32), tf.cast(ids, tf.int32))
