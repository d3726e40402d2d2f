"""Every data source on small files written here, and the errors for broken ones."""

import os

import numpy as np
import pytest

from ktrain_kit import data
from ktrain_kit.errors import UserError

from conftest import data_config, load_config, task



def load(dc, task_name="classification", seed=0):
    return data.load(dc, task(task_name), seed)


def test_digits_split_and_stats():
    d = load(data_config("digits"))
    assert len(d.x_train) + len(d.x_val) == 1797 and len(d.x_val) == round(1797 * 0.2)
    assert d.input_shape == (8, 8, 1) and d.num_classes == 10 and d.kind == "image"
    mean, var = d.normalization_stats()
    np.testing.assert_allclose(mean, [d.x_train.mean()], rtol=1e-6)
    np.testing.assert_allclose(var, [d.x_train.var()], rtol=1e-5)


def test_train_examples_limits_the_training_split():
    d = load(data_config("digits", train_examples=100))
    assert len(d.x_train) == 100


def test_synthetic_sources_are_learnable_shapes():
    img = load(data_config("synthetic_images", train_examples=64, image_size=8))
    assert img.x_train.shape == (64, 8, 8, 3) and img.num_classes == 10
    seq = load(data_config("synthetic_sequences", train_examples=64, seq_len=12))
    assert seq.x_train.shape == (64, 12) and seq.kind == "sequence"
    assert seq.x_train.dtype == np.int32 and seq.x_train.max() < 32


def test_npz(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "d.npz"
    np.savez(path, x=rng.normal(size=(50, 7)), y=rng.integers(0, 3, 50))
    d = load(data_config("npz", path))
    assert d.input_shape == (7,) and d.num_classes == 3 and d.kind == "tabular"


def test_csv_with_header(tmp_path):
    path = tmp_path / "d.csv"
    # f1 = 100 + i: the row numbers themselves (0, 1, ...) would be left out (the file's order)
    rows = ["f1,f2,label"] + [f"{100 + i},{(100 + i) * 2},{i % 2}" for i in range(20)]
    path.write_text("\n".join(rows))
    d = load(data_config("csv", path))
    assert d.input_shape == (2,) and d.num_classes == 2
    f1 = d.preprocessing.rows["train"] + 100.0  # row i holds f1: standardized on training rows
    np.testing.assert_allclose(d.x_train[:, 0], (f1 - f1.mean()) / f1.std(), atol=1e-5)
    np.testing.assert_allclose(d.x_train[:, 1], d.x_train[:, 0], atol=1e-5)  # f2 = 2 f1


def test_image_folder(tmp_path):
    from PIL import Image
    for label, shade in (("cat", 30), ("dog", 220)):
        os.makedirs(tmp_path / label)
        for i in range(5):
            Image.new("RGB", (12, 10), (shade, i, 0)).save(tmp_path / label / f"{i}.png")
    d = load(data_config("image_folder", tmp_path, image_size=8, val_fraction=0.2))
    assert d.input_shape == (8, 8, 3) and d.num_classes == 2 and len(d.x_train) == 8
    dark = d.x_train[d.y_train == 0][..., 0]
    assert np.allclose(dark, 30)  # class 0 is "cat", in sorted order


def _write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


BROKEN = {
    "missing file": ("npz", lambda t: t / "absent.npz", "does not exist"),
    "corrupt npz": ("npz", lambda t: _write(t, "bad.npz", b"not a zip"), "cannot be read"),
    "npz without y": ("npz", lambda t: _npz(t, x=np.zeros((4, 2))), "no array named"),
    "rows mismatch": ("npz", lambda t: _npz(t, x=np.zeros((4, 2)), y=np.zeros(3)), "3"),
    "nan inputs": ("npz", lambda t: _npz(t, x=np.array([[0.0], [np.nan], [1], [2]]),
                                         y=np.array([0, 1, 0, 1])), "NaN"),
    "negative label": ("npz", lambda t: _npz(t, x=np.zeros((4, 2)), y=np.array([0, -1, 1, 0])),
                       "negative"),
    "id column as label": ("npz", lambda t: _npz(t, x=np.zeros((4, 2)),
                                                 y=np.array([0, 2**31 - 1, 1, 0])), "2,147,483,648"),
    "complex inputs": ("npz", lambda t: _npz(t, x=np.ones((4, 2)) * 1j, y=np.array([0, 1, 0, 1])),
                       "complex"),
    "label column past the last": ("csv", lambda t: _write(t, "l.csv", "a,b,y\n1,2,0\n3,4,1\n"),
                                   "past the last", {"label_column": 5}),
    "unknown label column name": ("csv", lambda t: _write(t, "l.csv", "a,b,y\n1,2,0\n3,4,1\n"),
                                  "no column named 'price'", {"label_column": "price"}),
    "number column typed as numeric holds text": (
        "csv", lambda t: _write(t, "t.csv", "a,city,y\n1,Oslo,0\n2,Rome,1\n"), "'Oslo'",
        {"features": {"city": "numeric"}}),
    "class folder without images": ("image_folder", lambda t: _folder(t, ["a", "b"]),
                                    "holds no images"),
    "fractional label": ("npz", lambda t: _npz(t, x=np.zeros((4, 2)), y=np.array([0, .5, 1, 0])),
                         "whole numbers"),
    "empty npz": ("npz", lambda t: _npz(t, x=np.zeros((0, 2)), y=np.zeros(0)), "no examples"),
    "ragged csv": ("csv", lambda t: _write(t, "r.csv", "1,2,0\n3,1\n"), "columns"),
    "text in csv": ("csv", lambda t: _write(t, "t.csv", "1,2,0\n3,x,1\n"), "data.header"),
    "empty csv": ("csv", lambda t: _write(t, "e.csv", ""), "no examples"),
    "corrupt image": ("image_folder", lambda t: _folder_with_bad_image(t), "not a readable image"),
    "one class folder": ("image_folder", lambda t: _folder(t, ["only"]), "at least 2"),
}


def _npz(tmp_path, **arrays):
    path = tmp_path / "d.npz"
    np.savez(path, **arrays)
    return path


def _folder(tmp_path, classes, images=0):
    from PIL import Image
    for c in classes:
        os.makedirs(tmp_path / "imgs" / c, exist_ok=True)
        for i in range(images):
            Image.new("RGB", (4, 4), (i * 10, 0, 0)).save(tmp_path / "imgs" / c / f"{i}.png")
    return tmp_path / "imgs"


def _folder_with_bad_image(tmp_path):
    root = _folder(tmp_path, ["a", "b"], images=1)
    (root / "b" / "broken.png").write_bytes(b"\x89PNG garbage")
    return root


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_data_is_refused_in_one_line(tmp_path, case):
    name, make, fragment, *extra = BROKEN[case]
    path = make(tmp_path)
    with pytest.raises(UserError) as e:
        load(data_config(name, path, **(extra[0] if extra else {})))
    assert fragment in str(e.value) and "\n" not in str(e.value)


# ------------------------------------------------------------------ odd files real folders hold
def test_hidden_and_system_entries_of_an_image_folder_are_skipped(tmp_path):
    root = _folder(tmp_path, ["cat", "dog"], images=3)
    for junk in (".ipynb_checkpoints", "__MACOSX", "@eaDir", ".hidden"):
        os.makedirs(root / junk)
        (root / junk / "0.png").write_bytes((root / "cat" / "0.png").read_bytes())
    (root / "cat" / "._0.png").write_bytes(b"AppleDouble resource fork, not an image")
    (root / "cat" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (root / "dog" / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    d = load(data_config("image_folder", root, image_size=4, val_fraction=0.2))
    assert d.labels["class_names"] == ["cat", "dog"]
    assert len(d.x_train) + len(d.x_val) == 6


def test_csv_with_a_byte_order_mark_and_named_columns(tmp_path):
    path = tmp_path / "bom.csv"
    rows = ["label,f1,f2"] + [f"{['no', 'yes'][i % 2]},{i + 5},{(i + 5) * 2}" for i in range(20)]
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(rows).encode())  # as Excel saves "CSV UTF-8"
    d = load(data_config("csv", path, label_column="label"), "binary")
    assert d.input_shape == (2,) and d.labels["label_values"] == ["no", "yes"]
    np.testing.assert_allclose(d.x_train[:, 1], d.x_train[:, 0], atol=1e-5)
    np.testing.assert_array_equal(d.y_train[:, 0], d.preprocessing.rows["train"] % 2)  # yes = odd rows


def test_csv_label_column_by_index_from_either_end(tmp_path):
    path = _write(tmp_path, "d.csv", "\n".join(f"{i % 3},{i},{i % 5}" for i in range(30)))
    first = load(data_config("csv", path, label_column=0))
    last = load(data_config("csv", path, label_column="-1"))
    assert first.num_outputs == 3 and last.num_outputs == 5
    np.testing.assert_array_equal(first.y_train, first.preprocessing.rows["train"] % 3)
    np.testing.assert_array_equal(last.y_train, last.preprocessing.rows["train"] % 5)


def test_each_epoch_order_depends_only_on_seed_and_epoch():
    dc = data_config("digits", train_examples=200)
    d = load(dc)
    full = [y.numpy() for _, y in data.train_pipeline(d, 50, 3, dc, first_epoch=0, epochs=3)]
    resumed = [y.numpy() for _, y in data.train_pipeline(d, 50, 3, dc, first_epoch=2, epochs=3)]
    assert len(full) == 12 and len(resumed) == 4
    for a, b in zip(full[8:], resumed):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(np.concatenate(full[:4]), np.concatenate(full[4:8]))


def images(dc, d, **kwargs):
    return np.stack([x.numpy() for x, _ in data.train_pipeline(d, 64, 0, dc, **kwargs)])


def shifted(image, dy, dx):
    """`image` moved by (dy, dx) pixels, zeros coming in: pad-and-crop, by hand."""
    h, w = image.shape[:2]
    padded = np.pad(image, ((1, 1), (1, 1), (0, 0)))
    return padded[1 - dy:1 - dy + h, 1 - dx:1 - dx + w]


def test_pipelines_batch_and_augment():
    plain = data_config("digits")
    d = load(plain)
    raw = images(plain, d, epochs=2)
    assert raw.shape == (2 * (len(d.x_train) // 64), 64, 8, 8, 1)  # each epoch drops its rest
    flipped = images(data_config("digits", augment=dict(flip=True)), d, epochs=2)
    mirrored = np.all(flipped == raw[..., ::-1, :], axis=(2, 3, 4))
    assert np.all(mirrored | np.all(flipped == raw, axis=(2, 3, 4)))
    assert 0.4 < mirrored.mean() < 0.6  # each image flipped with probability 1/2
    cropped = images(data_config("digits", augment=dict(crop_padding=1)), d, epochs=1)
    shifts = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    for got, original in zip(cropped.reshape(-1, 8, 8, 1), raw.reshape(-1, 8, 8, 1)):
        assert any(np.array_equal(got, shifted(original, *s)) for s in shifts)


def test_augmented_batches_repeat_exactly_after_a_restart():
    # Augmentation depends only on (seed, batch number): a run resumed at epoch 1, step 5
    # (the first 5 batches skipped) sees the very batches the uninterrupted run saw.
    dc = data_config("digits", augment=dict(flip=True, translate=0.2, crop_padding=1))
    d = load(dc)
    full = images(dc, d, epochs=3)
    resumed = images(dc, d, first_epoch=1, epochs=3, skip_steps=5)
    per_epoch = len(d.x_train) // 64
    np.testing.assert_array_equal(full[per_epoch + 5:], resumed)
    assert not np.array_equal(full[0], full[per_epoch])  # yet every epoch draws afresh


def test_eval_pipeline_keeps_every_example():
    d = load(data_config("digits"))
    val = list(data.eval_pipeline(d.x_val, d.y_val, 64))
    assert sum(len(b[1]) for b in val) == len(d.x_val)  # validation keeps every example


@pytest.mark.parametrize("task,features,classes", [("binary", 1, 2), ("classification", 3, 8)])
def test_synthetic_tables_with_few_features_still_separate_their_classes(task, features,
                                                                          classes):
    """K classes need log2(K) informative features (scikit-learn's hypercube corners): one
    feature separates two classes. A nearest-centroid fit (NumPy) beats chance by far."""
    from ktrain_kit.data import sources
    c = load_config("tabular_binary")
    c.task.name, c.data.num_features, c.data.num_classes = task, features, classes
    raw = sources._synthetic_tabular(c.data, c.task, np.random.default_rng(0))
    assert raw.x.shape[1] == features and sorted(set(raw.y.tolist())) == list(range(classes))
    centroids = np.stack([raw.x[raw.y == k].mean(axis=0) for k in range(classes)])
    nearest = np.argmin(((raw.x[:, None, :] - centroids) ** 2).sum(axis=-1), axis=1)
    assert np.mean(nearest == raw.y) > 1.5 / classes


def _layouts(tmp):
    """One path of each layout a data.name reads: {data.name: path}."""
    import numpy as np
    from PIL import Image
    np.savez(tmp / "d.npz", x=np.zeros((4, 2)), y=np.arange(4) % 2)
    (tmp / "t.csv").write_text("a,y\n1,0\n2,1\n")
    for cls in ("a", "b"):
        os.makedirs(tmp / "images" / cls)
        Image.new("RGB", (8, 8)).save(tmp / "images" / cls / "0.png")
        os.makedirs(tmp / "texts" / cls)
        (tmp / "texts" / cls / "0.txt").write_text("some words")
    os.makedirs(tmp / "shards")
    (tmp / "shards" / "features.json").write_text("{}")
    return {"npz": tmp / "d.npz", "csv": tmp / "t.csv", "image_folder": tmp / "images",
            "text_folder": tmp / "texts", "tfrecord": tmp / "shards"}


def test_every_path_layout_under_every_other_data_name_is_refused_naming_the_one_it_fits(
        tmp_path):
    """`data.name=csv` on a folder of texts said 'IsADirectoryError', `npz` on a CSV 'cannot be
    read as .npz', `tfrecord` on an image folder 'features.json does not exist': every layout
    under every other reader now names the data.name that reads it, before any reader runs."""
    from ktrain_kit.config import PATH_DATASETS
    from ktrain_kit.data import folders, sources
    layouts = _layouts(tmp_path)
    assert set(layouts) == set(PATH_DATASETS)
    for fits, path in layouts.items():
        for name in PATH_DATASETS:
            dc = data_config(name, path)
            if name == fits:
                folders.check_data_name_fits(name, str(path), sources.IMAGE_SUFFIXES)
                continue
            with pytest.raises(UserError) as e:
                sources.load(dc, task(), 0)
            assert str(e.value).startswith("config key 'data.name'"), str(e.value)
            assert f"set --config.data.name={fits}" in str(e.value), str(e.value)
