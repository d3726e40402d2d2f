"""Image files -> pixels by ONE decoding path (TensorFlow's image ops), for an image folder held
in memory, streamed from its files, or converted to shards: the same file gives the same pixels
(bit for bit) and so the same normalization statistics, whichever way it is read.

- Formats: what `tf.io.decode_image` reads: JPEG, PNG, GIF (first frame), BMP, WebP.
- Modes: grayscale, grayscale + alpha, RGB, RGBA, palette (expanded by the decoder) mixed in
  one folder. To `data.channels=3`: gray is repeated, alpha dropped; to 1: RGB becomes gray by
  `tf.image.rgb_to_grayscale` (ITU-R 601 weights), alpha dropped.
- EXIF orientation (phone photos): read from the file's header once, when the folder is
  listed, and applied as the transpose / flip / rotation it names, before resizing.
- Size: any; resized to `data.image_size` square by bicubic interpolation with antialiasing,
  rounded to whole values 0..255 (a file already of that size keeps its exact pixels).
- A file that cannot be decoded is a one-line error naming it, or with `data.skip_bad_files`
  left out and counted in the run's output.
"""

import re

import numpy as np

from ktrain_kit import fs

ORIENTATION_TAG = 0x0112


def orientation(path) -> int:
    """The EXIF orientation (1..8) in a file's header; 1 when there is none."""
    from PIL import Image
    try:
        with fs.open(path, "rb") as f, Image.open(f) as im:
            value = im.getexif().get(ORIENTATION_TAG, 1)
    except Exception:  # noqa: BLE001 - unreadable headers are found by decoding
        return 1
    return int(value) if value in range(1, 9) else 1


def decode(raw, orientation, shape):
    """float32 pixels of `shape` (height, width, channels) from a file's bytes (a tf.string
    scalar) and its EXIF orientation (an int32 scalar). Graph-safe: used inside tf.data."""
    import tensorflow as tf
    height, width, channels = shape
    image = tf.io.decode_image(raw, channels=0, expand_animations=False, dtype=tf.uint8)
    image.set_shape([None, None, None])
    have = tf.shape(image)[-1]
    if channels == 3:
        image = tf.cond(have >= 3, lambda: image[..., :3],
                        lambda: tf.tile(image[..., :1], [1, 1, 3]))
    else:
        image = tf.cond(have >= 3, lambda: tf.image.rgb_to_grayscale(image[..., :3]),
                        lambda: image[..., :1])
    image.set_shape([None, None, channels])
    image = tf.switch_case(tf.cast(orientation, tf.int32) - 1, [
        lambda: image,                                          # 1: as stored
        lambda: tf.image.flip_left_right(image),                # 2: mirrored
        lambda: tf.image.rot90(image, 2),                       # 3: upside down
        lambda: tf.image.flip_up_down(image),                   # 4: mirrored vertically
        lambda: tf.image.transpose(image),                      # 5: transposed
        lambda: tf.image.rot90(image, 3),                       # 6: turned 90 degrees left
        lambda: tf.image.rot90(tf.image.transpose(image), 2),   # 7: transversed
        lambda: tf.image.rot90(image, 1),                       # 8: turned 90 degrees right
    ])
    image = tf.cast(image, tf.float32)
    size = tf.shape(image)[:2]
    image = tf.cond(tf.reduce_all(tf.equal(size, [height, width])), lambda: image,
                    lambda: tf.clip_by_value(tf.round(tf.image.resize(
                        image, [height, width], method="bicubic", antialias=True)), 0.0, 255.0))
    return tf.ensure_shape(image, shape)


_DECODERS = {}


def decode_file(path, shape, orient=None):
    """One file's pixels (NumPy float32), decoded by `decode`; raises ValueError naming the
    decoder's complaint when the file is not an image it can read."""
    import tensorflow as tf
    key = tuple(shape)
    if key not in _DECODERS:
        _DECODERS[key] = tf.function(
            lambda raw, o: decode(raw, o, key),
            input_signature=[tf.TensorSpec([], tf.string), tf.TensorSpec([], tf.int32)])
    with fs.open(path, "rb") as f:
        raw = f.read()
    try:
        return _DECODERS[key](tf.constant(raw), tf.constant(
            orientation(path) if orient is None else orient, tf.int32)).numpy()
    except (tf.errors.InvalidArgumentError, tf.errors.UnknownError) as e:
        # the decoder's own words, without TensorFlow's "{{function_node __inference_...}}"
        said = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", str(e).strip())
        raise ValueError(said.splitlines()[0][:120] + (
            " - a 1-bit BMP? the decoder reads 8, 24 and 32 bits: save it as PNG"
            if raw[:2] == b"BM" and len(raw) > 29 and raw[28] == 1 else "")) from None


def decode_folder(files, shape, skip_bad: bool, file_error):
    """(pixels (n, *shape), kept indices, skipped paths) of [(path, label)] files."""
    pixels, kept, skipped = [], [], []
    for i, (path, _) in enumerate(files):
        try:
            pixels.append(decode_file(path, shape))
            kept.append(i)
        except (ValueError, OSError) as e:
            if not skip_bad:
                raise file_error(path, f"is not a readable image ({e})",
                                 "delete or replace it, or set data.skip_bad_files=true "
                                 "to leave such files out") from None
            skipped.append(path)
    return (np.stack(pixels) if pixels else np.zeros((0, *shape), np.float32), kept, skipped)
