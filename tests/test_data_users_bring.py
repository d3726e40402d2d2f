"""Data as users bring it (a helper's findings): folders with examples one level deeper inside
a class (`web/part2/x.txt`, as Keras' folder readers walk them, checked against
`keras.utils.text_dataset_from_directory` / `image_dataset_from_directory`), image files in a
format not read (.tif) said rather than dropped unsaid, a 1-bit BMP's refusal in words, images
saved channels first (PyTorch's layout) refused rather than read along the wrong axes, and the
run's last line calling 'best' only the epoch that is, and the doctor's advice without the
settings the run already had.
"""

import os
import re

import numpy as np
import pytest

from conftest import data_config, task


def _write_nested_texts(root):
    for label in ("news", "web"):
        for part in ("", "part2", "part2/deeper"):
            folder = os.path.join(root, label, part)
            os.makedirs(folder, exist_ok=True)
            for i in range(3):
                with open(os.path.join(folder, f"{i}.txt"), "w") as f:
                    f.write(f"a {label} document {i} of {part or 'the top'}")
    os.makedirs(os.path.join(root, "web", ".cache"))  # hidden: not walked
    with open(os.path.join(root, "web", ".cache", "x.txt"), "w") as f:
        f.write("not an example")


def test_text_folder_reads_a_class_sub_folders_as_keras_does(tmp_path):
    import keras
    from ktrain_kit.data import sources
    root = str(tmp_path / "texts")
    _write_nested_texts(root)
    raw = sources._text_folder(data_config("text_folder", root), task(), None)
    found = keras.utils.text_dataset_from_directory(root, batch_size=None, shuffle=False)
    # Keras walks hidden folders too; here they hold no examples (a tool's cache)
    keras_texts = sorted(t.decode() for t, _ in found.as_numpy_iterator()
                         if t != b"not an example")
    assert sorted(raw.x) == keras_texts and len(keras_texts) == 18
    assert sorted(raw.x[np.asarray(raw.y) == "web"]) == [
        t for t in keras_texts if t.startswith("a web")]


@pytest.fixture(scope="module")
def image_root(tmp_path_factory):
    from PIL import Image
    rng = np.random.default_rng(0)
    root = tmp_path_factory.mktemp("nested") / "images"
    for label in ("cats", "dogs"):
        for part in ("", "batch2"):
            os.makedirs(root / label / part, exist_ok=True)
            for i in range(4):
                Image.fromarray(rng.integers(0, 256, (12, 12, 3), dtype=np.uint8)).save(
                    root / label / part / f"{i}.png")
        Image.fromarray(rng.integers(0, 256, (12, 12, 3), dtype=np.uint8)).save(
            root / label / "scan.tif")
    (root / "cats" / "notes.txt").write_text("where the photos came from")
    return root


@pytest.mark.parametrize("streamed", [False, True])
def test_image_folder_reads_sub_folders_and_names_what_it_leaves_out(image_root, streamed):
    import keras
    from ktrain_kit import data
    found = keras.utils.image_dataset_from_directory(str(image_root), batch_size=None)
    loaded = data.load(data_config("image_folder", image_root, image_size=12, val_fraction=0.25,
                                   in_memory_limit_mb=0 if streamed else 512), task(), 0)
    assert loaded.train_size + loaded.val_size == 16  # Keras reads the .tif too (via PIL)
    assert int(found.cardinality()) in (16, 18)
    note = next(n for n in loaded.notes if n.startswith("left out 3 files"))
    assert "scan.tif" in note and "notes.txt" in note and "convert them to PNG" in note


def test_a_one_bit_bmp_is_refused_in_words_not_tensorflows_internals(tmp_path):
    from PIL import Image

    from ktrain_kit import data
    from ktrain_kit.errors import UserError
    for label in ("a", "b"):
        os.makedirs(tmp_path / label)
        Image.fromarray(np.eye(8, dtype=bool)).convert("1").save(tmp_path / label / "0.bmp")
    with pytest.raises(UserError) as refused:
        data.load(data_config("image_folder", tmp_path, image_size=8), task(), 0)
    message = str(refused.value)
    assert "function_node" not in message and "1-bit BMP" in message and "PNG" in message


def test_images_saved_channels_first_are_refused_naming_the_transpose(tmp_path):
    """(n, 3, 32, 32) was read as 3 rows x 32 columns x 32 channels, without a word."""
    from ktrain_kit import data
    from ktrain_kit.errors import UserError
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (40, 12, 12, 3)).astype("float32")
    labels = rng.integers(0, 2, 40)
    np.savez(tmp_path / "first.npz", x=images.transpose(0, 3, 1, 2), y=labels)
    with pytest.raises(UserError, match=r"channels first.*x.transpose\(0, 2, 3, 1\)"):
        data.load(data_config("npz", tmp_path / "first.npz"), task(), 0)
    np.savez(tmp_path / "last.npz", x=images, y=labels)
    assert data.load(data_config("npz", tmp_path / "last.npz"), task(), 0).input_shape == \
        (12, 12, 3)


def test_the_last_line_says_best_only_of_the_epoch_that_is_best(capsys):
    """Early stopping kept the best validation loss (epoch 1) while accuracy peaked later:
    the line called the kept epoch's 0.08 the best accuracy."""
    from ktrain_kit.training import _print_summary
    summary = {"main_metric_value": 0.08, "best_epoch": 1, "stopped": None, "wall_time_s": 1.0,
               "epochs_run": 3, "workdir": "run", "export": None}
    _print_summary(summary, "accuracy", {"val_accuracy": [0.08, 0.31, 0.31]})
    line = capsys.readouterr().out.strip().splitlines()[0]
    assert "best val" not in line and "val accuracy 0.0800 at epoch 1" in line and \
        "its best was 0.3100, at epoch 2" in line
    _print_summary(dict(summary, main_metric_value=0.31, best_epoch=2), "accuracy",
                   {"val_accuracy": [0.08, 0.31, 0.2]})
    assert "best val accuracy 0.3100 at epoch 2" in capsys.readouterr().out
    _print_summary(dict(summary, main_metric_value=2.5), "rmse", {"val_rmse": [2.5, 3.0, 2.9]})
    assert "best val rmse 2.5000 at epoch 1" in capsys.readouterr().out  # lower is better


def test_a_kept_value_and_a_best_value_never_print_alike(capsys):
    """A helper's rwm5yr run printed "val auc 0.8971 at epoch 7 (the weights kept); its best
    was 0.8971, at epoch 8" (0.897112 and 0.897136): the digits now tell the two apart."""
    from ktrain_kit.training import _print_summary
    summary = {"main_metric_value": 0.897112, "best_epoch": 7, "stopped": None,
               "wall_time_s": 1.0, "epochs_run": 8, "workdir": "run", "export": None}
    _print_summary(summary, "auc", {"val_auc": [0.5] * 6 + [0.897112, 0.897136]})
    line = capsys.readouterr().out.strip().splitlines()[0]
    kept, best = re.search(r"val auc (\S+) at epoch 7 \(the weights kept\); its best was "
                           r"(\S+), at epoch 8", line).groups()
    assert kept != best  # 0.89711 and 0.89714
    assert float(kept) == pytest.approx(0.897112, abs=1e-5)
    assert float(best) == pytest.approx(0.897136, abs=1e-5)


def test_a_class_with_one_training_example_or_none_is_said_before_training(tmp_path):
    """A label of one row (a typo, a rare species) became an output class without a word."""
    import pandas as pd

    from ktrain_kit import data
    rng = np.random.default_rng(0)
    labels = ["x"] * 30 + ["z"] * 29 + ["Emperor"]
    pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60), "y": labels}).to_csv(
        tmp_path / "t.csv", index=False)
    loaded = data.load(data_config("csv", tmp_path / "t.csv", label_column="y"), task(), 0)
    names = list(loaded.labels["class_names"])
    in_training = int((loaded.y_train == names.index("Emperor")).sum())
    note = [n for n in loaded.notes if "one training example or none" in n]
    assert len(note) == 1 and f"Emperor ({in_training})" in note[0]
    pd.DataFrame({"a": rng.normal(size=60), "y": ["x", "z"] * 30}).to_csv(
        tmp_path / "fine.csv", index=False)
    fine = data.load(data_config("csv", tmp_path / "fine.csv", label_column="y"), task(), 0)
    assert not any("training example" in n for n in fine.notes)


def test_advice_already_in_effect_is_left_out_of_a_finding():
    """The text config's run was told to use adamw and early stopping, which it used; after
    the user set the rest, the same line came back, every setting in it already in effect."""
    from configs.text_bag import get_config

    from ktrain_kit.doctor.remedies import drop_settings_in_effect
    from ktrain_kit.doctor.rules import Finding
    c = get_config()
    assert c.optimizer.name == "adamw" and c.callbacks.early_stopping.enabled
    flags = ["--config.optimizer.name=adamw", f"--config.model.dropout={c.model.dropout + 0.2}",
             "--config.callbacks.early_stopping.enabled=True", "--config.no.such_key=1"]
    finding = Finding(symptom="overfitting", severity="warning", evidence={}, causes=[],
                      remedies=[], suggested_overrides=flags)
    drop_settings_in_effect([finding], c)
    assert finding.suggested_overrides == [flags[1], flags[3]]
    c.model.dropout += 0.2
    drop_settings_in_effect([finding], c)
    assert finding.suggested_overrides == [flags[3]]
