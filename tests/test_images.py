"""Image folders as users have them: mixed formats and modes, EXIF orientation, any size, a
damaged file; the same pixels in memory and streamed (one decoding path, data/images.py)."""

import csv
import io
import os

import numpy as np
import pytest

from conftest import data_config, load_config, task

SIZE = 12


def picture(rng, w, h, mode):
    from PIL import Image
    rgb = Image.fromarray(rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8), "RGB")
    if mode == "P":
        return rgb.convert("P", palette=Image.ADAPTIVE, colors=16)
    return rgb.convert(mode)


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory):
    """Two classes of JPEG, PNG (L, LA, RGB, RGBA, P), GIF, BMP and WebP files of several
    sizes, one JPEG turned by its EXIF orientation."""
    from PIL import Image
    rng = np.random.default_rng(0)
    root = tmp_path_factory.mktemp("mixed") / "images"
    kinds = [("jpg", "RGB"), ("png", "L"), ("png", "LA"), ("png", "RGBA"), ("png", "P"),
             ("gif", "P"), ("bmp", "RGB"), ("webp", "RGB"), ("png", "RGB")]
    for c in ("cats", "dogs"):
        os.makedirs(root / c)
        for i in range(12):
            suffix, mode = kinds[i % len(kinds)]
            w, h = [(SIZE, SIZE), (20, 14), (7, 9), (31, 31)][i % 4]
            picture(rng, w, h, mode).save(root / c / f"{i}.{suffix}")
        exif = Image.Exif()
        exif[0x0112] = 6
        picture(rng, 16, 10, "RGB").save(root / c / "turned.jpg", exif=exif.tobytes())
    return root


def load(dc):
    from ktrain_kit import data
    return data.load(dc, task(), 0)


def load_both(root, channels=3):
    memory = load(data_config("image_folder", root, image_size=SIZE, channels=channels))
    streamed = load(data_config("image_folder", root, image_size=SIZE, channels=channels,
                                in_memory_limit_mb=0))
    return memory, streamed


@pytest.mark.parametrize("channels", [3, 1])
def test_streamed_and_in_memory_give_bit_identical_pixels(mixed_folder, channels):
    memory, streamed = load_both(mixed_folder, channels)
    assert streamed.stream is not None and memory.stream is None
    for split in ("train", "val"):
        x_memory, y_memory = memory.sample(10_000, split)
        x_stream, y_stream = streamed.sample(10_000, split)
        assert x_memory.shape == (len(x_memory), SIZE, SIZE, channels)
        np.testing.assert_array_equal(x_stream, x_memory)   # bit for bit
        np.testing.assert_array_equal(y_stream, y_memory)
    for ours, theirs in zip(memory.normalization_stats(), streamed.normalization_stats()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_as_pillow_applies_it(tmp_path, orientation):
    from PIL import Image, ImageOps

    from ktrain_kit.data import images
    rng = np.random.default_rng(orientation)
    image = picture(rng, SIZE, SIZE, "RGB")
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "o.png"  # lossless, so any difference would be the turning
    image.save(path, exif=exif.tobytes())
    with Image.open(path) as im:
        expected = np.asarray(ImageOps.exif_transpose(im).convert("RGB"), np.float32)
    np.testing.assert_array_equal(images.decode_file(str(path), (SIZE, SIZE, 3)), expected)


def test_modes_convert_as_documented(tmp_path):
    from PIL import Image

    from ktrain_kit.data import images
    rng = np.random.default_rng(1)
    rgba = rng.integers(0, 256, size=(SIZE, SIZE, 4), dtype=np.uint8)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    rgb = images.decode_file(str(tmp_path / "a.png"), (SIZE, SIZE, 3))
    np.testing.assert_array_equal(rgb, rgba[..., :3])  # alpha dropped
    gray = images.decode_file(str(tmp_path / "a.png"), (SIZE, SIZE, 1))[..., 0]
    weights = np.array([0.2989, 0.5870, 0.1140])
    assert np.abs(gray - rgba[..., :3] @ weights).max() <= 1.0  # ITU-R 601, rounded
    Image.fromarray(rgba[..., 0], "L").save(tmp_path / "g.png")
    tiled = images.decode_file(str(tmp_path / "g.png"), (SIZE, SIZE, 3))
    np.testing.assert_array_equal(tiled, np.repeat(rgba[..., :1], 3, axis=2))


def test_a_damaged_file_is_named_or_skipped(mixed_folder, tmp_path):
    import shutil

    from ktrain_kit.data import describe
    from ktrain_kit.errors import UserError
    root = tmp_path / "imgs"
    shutil.copytree(mixed_folder, root)
    (root / "dogs" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    for limit in (1024, 0):  # in memory, streamed
        with pytest.raises(UserError, match="broken.png") as error:
            load(data_config("image_folder", root, image_size=SIZE, in_memory_limit_mb=limit))
        assert "\n" not in str(error.value) and "skip_bad_files" in str(error.value)
        data = load(data_config("image_folder", root, image_size=SIZE, in_memory_limit_mb=limit,
                                skip_bad_files=True))
        assert data.train_size + data.val_size == 26
        assert "left out 1 unreadable image file" in describe(data)


def test_streamed_and_in_memory_train_to_the_same_metrics(mixed_folder, tmp_path):
    from ktrain_kit.training import train
    rows = {}
    for name, limit in (("memory", 1024), ("streamed", 0)):
        c = load_config("digits_cnn", data__name="image_folder", data__path=str(mixed_folder),
                        data__image_size=SIZE, data__channels=3, data__in_memory_limit_mb=limit,
                        data__batch_size=8, model__width=8, model__depth=1, train__epochs=2,
                        train__verbose=0, train__precision="float32", train__deterministic=True,
                        callbacks__doctor__enabled=False)
        train(c, str(tmp_path / name))
        with open(tmp_path / name / "metrics.csv") as f:
            rows[name] = [{k: float(v) for k, v in r.items() if k in ("loss", "val_loss",
                                                                       "accuracy")}
                          for r in csv.DictReader(f)]
    assert len(rows["memory"]) == 2
    for a, b in zip(rows["memory"], rows["streamed"]):
        for key in a:
            assert a[key] == pytest.approx(b[key], rel=1e-5, abs=1e-6), (key, a, b)


def test_decoding_needs_no_pillow_at_training_time():
    """The decoder is TensorFlow's: a file's bytes in, pixels out, inside a tf.data map."""
    import tensorflow as tf
    from PIL import Image

    from ktrain_kit.data import images
    buffer = io.BytesIO()
    Image.new("RGB", (5, 3), (10, 20, 30)).save(buffer, "PNG")
    ds = tf.data.Dataset.from_tensors(buffer.getvalue()).map(
        lambda raw: images.decode(raw, 1, (4, 4, 3)))
    pixels = next(iter(ds)).numpy()
    np.testing.assert_array_equal(pixels, np.broadcast_to([10.0, 20.0, 30.0], (4, 4, 3)))
