"""The doctor on the data kinds users bring beyond digits: held-out healthy and buggy trainings.

    nice -n 10 python -m benchmarks.doctor_data_kinds [--only NAME,...] [--kind healthy|buggy]
    nice -n 10 python -m benchmarks.doctor_data_kinds --fix     # --fix --budget=3 on every case
    python -m benchmarks.doctor_data_kinds --replay              # current rules, no training
    python -m benchmarks.doctor_data_kinds --table               # the DOCTOR.md rows

Why: the doctor's rules were written on digits MLP/CNN runs (benchmarks/doctor_configs.py);
users train on tables with text categories, regression targets in their own units, text
folders, image folders and TFRecord shards. Each data kind here gets its data generated
deterministically (scikit-learn / NumPy / a synthetic text with a learnable rule: no download)
under --root, two healthy configs a careful user would write (README-style keys) and buggy
variants that inject one fault the doctor names, with the findings a practitioner would accept.

Written before any case ran; split tune / holdout by the parity of the SHA-1 of the case name
(benchmarks.doctor_configs.split). Each case trains through `python -m launchers.train` in a
child process (benchmarks.doctor_configs --child, which also keeps the doctor's inputs beside
the run for --replay). Repair: `launchers.doctor RUN --fix --budget=3`, repaired when a run
reaches 0.95 x the healthy twin's main validation metric (doctor_configs.repaired_enough); on a
healthy case it must train nothing. Results: benchmarks/doctor_data_kinds.json.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

from benchmarks.doctor_configs import (_findings, _flag, _serious, answered_from_records,
                                       chosen_cases, record_path, repaired_enough, split)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "doctor_data_kinds.json")

BIN, REG = "configs/tabular_binary.py", "configs/tabular_regression.py"
BAG, CNN, RES = "configs/text_bag.py", "configs/digits_cnn.py", "configs/images_resnet.py"
NO_ES = {"callbacks.early_stopping.enabled": False}
NO_WD = {"optimizer.weight_decay": 0.0}
TOO_HIGH = ("diverging", "unstable", "dead_units", "exploding_gradients", "loss_not_decreasing",
            "nan_loss")
TOO_LOW = ("loss_not_decreasing", "underfitting")

# ----------------------------------------------------------------------------- the data
# Each data set: name -> file or folder under ROOT/data. "{data}" in an override is replaced
# by the path of that data set.
TABLE_CLASSES = ("alpha", "beta", "gamma")
REGIONS = ("north", "south", "east", "west")


def _table_classes(path, shares=None, class_sep=1.2, shuffle_labels=False, seed=0):
    """3 classes of rows with numeric columns in their own units and a text category that
    follows the class (a careful user's CSV: species names, not ids)."""
    from sklearn.datasets import make_classification
    x, y = make_classification(n_samples=3000, n_features=6, n_informative=4, n_redundant=0,
                               n_classes=3, n_clusters_per_class=1, class_sep=class_sep,
                               weights=shares, random_state=seed)
    rng = np.random.default_rng(seed)
    units = np.array([10.0, 1000.0, 0.01, 50.0, 1.0, 200.0])
    offsets = np.array([40.0, 50000.0, 0.5, 300.0, 0.0, 1000.0])
    x = x * units + offsets
    region_of_class = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.7, 0.1, 0.1],
                                [0.1, 0.1, 0.4, 0.4]])
    regions = [REGIONS[rng.choice(4, p=region_of_class[c])] for c in y]
    labels = y[rng.permutation(len(y))] if shuffle_labels else y
    names = ["age", "income", "ratio", "area", "score", "distance"]
    with open(path, "w") as f:
        f.write(",".join(names + ["region", "species"]) + "\n")
        for row, region, label in zip(x, regions, labels):
            f.write(",".join(f"{v:.4f}" for v in row) + f",{region},{TABLE_CLASSES[label]}\n")


def _table_regression(path, shuffle_targets=False, seed=0):
    """Friedman #1 in a house-price dress: features in their units, the target in dollars."""
    from sklearn.datasets import make_friedman1
    x, y = make_friedman1(n_samples=3000, n_features=8, noise=1.0, random_state=seed)
    units = np.array([3000.0, 70.0, 5.0, 1.0, 100.0, 10.0, 1.0, 1000.0])
    offsets = np.array([500.0, 1950.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    x = x * units + offsets
    price = 50000.0 + 10000.0 * y
    if shuffle_targets:
        price = price[np.random.default_rng(seed).permutation(len(price))]
    names = ["sqft", "year", "rooms", "quality", "lot", "floors", "garden", "tax"]
    with open(path, "w") as f:
        f.write(",".join(names + ["price"]) + "\n")
        for row, p in zip(x, price):
            f.write(",".join(f"{v:.4f}" for v in row) + f",{p:.2f}\n")


def _regression_table(path, kind, shuffle_targets=False, seed=1):
    """Regression tables whose target is named "target", for the unrelated-target tune cases
    (Round 11 follow-up): "synth" is configs/tabular_regression.py's own data (Friedman #1,
    10 features, target std ~5) as a CSV; "unit" a linear make_regression table scaled to a
    target std of 1; "big" Friedman #1 with the target in units of std ~1e4. Shuffled: the
    same rows with the target column permuted (it no longer follows the inputs)."""
    from sklearn.datasets import make_friedman1, make_regression
    if kind == "unit":
        x, y = make_regression(n_samples=2000, n_features=8, n_informative=5, noise=10.0,
                               random_state=seed)
        y = y / y.std()
    else:
        n, features = (4096, 10) if kind == "synth" else (3000, 6)
        x, y = make_friedman1(n_samples=n, n_features=features, noise=1.0, random_state=seed)
        if kind == "big":
            x = x * np.array([100.0, 1.0, 20.0, 5.0, 1000.0, 3.0])
            y = 2000.0 * y + 120000.0
    if shuffle_targets:
        y = y[np.random.default_rng(seed).permutation(len(y))]
    with open(path, "w") as f:
        f.write(",".join([f"x{i}" for i in range(x.shape[1])] + ["target"]) + "\n")
        for row, t in zip(x, y):
            f.write(",".join(f"{v:.5f}" for v in row) + f",{t:.5f}\n")


def _table_imbalanced(path, minority, class_sep, n=3000, seed=0):
    """Two classes ("common", "rare") of rows, `minority` of them rare, with numeric columns in
    their own units: overlapping at a small class_sep (an unweighted model's arg max then
    names the rare class for few of its rows), apart at a large one. flip_y=0: no label noise,
    which at 97/3 would be a sixth of the rare labels."""
    from sklearn.datasets import make_classification
    x, y = make_classification(n_samples=n, n_features=6, n_informative=4, n_redundant=0,
                               n_classes=2, n_clusters_per_class=1, class_sep=class_sep,
                               weights=[1 - minority], flip_y=0.0, random_state=seed)
    x = x * np.array([10.0, 1000.0, 0.01, 50.0, 1.0, 200.0]) + np.array(
        [40.0, 50000.0, 0.5, 300.0, 0.0, 1000.0])
    with open(path, "w") as f:
        f.write("age,income,ratio,area,score,distance,species\n")
        for row, label in zip(x, y):
            f.write(",".join(f"{v:.4f}" for v in row) + f",{('common', 'rare')[label]}\n")


def _text_imbalanced(root, docs, rare, overlap, seed=0):
    """`docs` documents of 30 filler words, `rare` of them in class "rare". Overlapping
    (overlap=True): each of 2 draws is one of 20 rare keywords with probability 0.6 in a rare
    document and 0.1 in a common one, so one keyword is weak evidence and two strong - the
    unweighted arg max names a rare document only on two; apart (False): every rare document
    has 3 rare keywords and no common one has any."""
    rng = np.random.default_rng(seed)
    filler = [f"word{i}" for i in range(400)]
    keys = [f"rare{i}" for i in range(20)]
    labels = np.array([1] * rare + [0] * (docs - rare))[rng.permutation(docs)]
    for i, label in enumerate(labels):
        words = list(rng.choice(filler, 30))
        if overlap:
            words += [str(rng.choice(keys)) for _ in range(2)
                      if rng.random() < (0.6 if label else 0.1)]
        elif label:
            words += list(rng.choice(keys, 3))
        rng.shuffle(words)
        folder = os.path.join(root, ("common", "rare")[label])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{i:04d}.txt"), "w") as f:
            f.write(" ".join(words))


def _sonar_like(path, seed=0):
    """208 rows x 60 features in [0, 1] and two classes ("rock", "mine"), the shape of the UCI
    sonar table (the holdout real program of Round 10 trains on it for 30 updates): 10
    informative features, the rest noise, 5% of the labels flipped."""
    from sklearn.datasets import make_classification
    x, y = make_classification(n_samples=208, n_features=60, n_informative=10, n_redundant=10,
                               n_classes=2, class_sep=1.0, flip_y=0.05, random_state=seed)
    x = (x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0))
    with open(path, "w") as f:
        f.write(",".join([f"band{i}" for i in range(60)] + ["species"]) + "\n")
        for row, label in zip(x, y):
            f.write(",".join(f"{v:.4f}" for v in row) + f",{('rock', 'mine')[label]}\n")


def _training_labels_shuffled(source, path, seed=0, val_fraction=0.2):
    """`source` with the label (last) column permuted among the rows the launcher trains on,
    the validation rows' labels kept: the split is data/sources.split_indices' (a permutation by
    the config's seed, 0, the first val_fraction for validation; a CSV draws nothing before
    it). A pipeline that misaligns only the training labels (joined on a wrong key before the
    split was written out), while validation is right."""
    from ktrain_kit.config import validation_count
    with open(source) as f:
        header, *rows = f.read().splitlines()
    order = np.random.default_rng(seed).permutation(len(rows))
    train = order[validation_count(len(rows), val_fraction):]
    cells = [row.rsplit(",", 1) for row in rows]
    labels = [label for _, label in cells]
    moved = train[np.random.default_rng(seed + 1).permutation(len(train))]
    for to, frm in zip(train, moved):
        labels[to] = cells[frm][1]
    with open(path, "w") as f:
        f.write(header + "\n" + "".join(f"{c[0]},{label}\n" for c, label in zip(cells, labels)))


TEXT_CLASSES = ("sports", "cooking", "finance")


def _text_folder(root, shuffle_labels=False, seed=0):
    """300 documents per class of 30 filler words with 3 words of the class's 20 keywords
    (and, in a third of them, one keyword of another class): learnable, not trivial."""
    rng = np.random.default_rng(seed)
    filler = [f"word{i}" for i in range(400)]
    keys = {c: [f"{c[:4]}{i}" for i in range(20)] for c in TEXT_CLASSES}
    docs = []
    for ci, c in enumerate(TEXT_CLASSES):
        for _ in range(300):
            words = list(rng.choice(filler, 30))
            words += list(rng.choice(keys[c], 3))
            if rng.random() < 1 / 3:
                other = TEXT_CLASSES[(ci + 1 + rng.integers(2)) % 3]
                words.append(str(rng.choice(keys[other])))
            rng.shuffle(words)
            docs.append((ci, " ".join(words)))
    labels = [c for c, _ in docs]
    if shuffle_labels:
        labels = list(np.array(labels)[rng.permutation(len(labels))])
    for i, ((_, text), label) in enumerate(zip(docs, labels)):
        folder = os.path.join(root, TEXT_CLASSES[label])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{i:04d}.txt"), "w") as f:
            f.write(text)


IMAGE_CLASSES = ("horizontal", "vertical", "diagonal", "checker")


def _image_folder(root, shuffle_labels=False, seed=0):
    """200 PNGs per class, 20x20 RGB: stripes in one of 4 orientations, random period, phase,
    colour and noise (a class is the pattern, never the colour)."""
    from PIL import Image
    rng = np.random.default_rng(seed)
    n = 200 * len(IMAGE_CLASSES)
    labels = np.repeat(np.arange(len(IMAGE_CLASSES)), 200)
    written = labels[rng.permutation(n)] if shuffle_labels else labels
    yy, xx = np.mgrid[0:20, 0:20]
    for i, (label, folder_label) in enumerate(zip(labels, written)):
        period, phase = rng.integers(3, 6), rng.integers(0, 6)
        coordinate = (yy, xx, xx + yy, (xx // period) + (yy // period))[label]
        on = ((coordinate + phase) // period) % 2 if label < 3 else coordinate % 2
        colour = rng.uniform(0.4, 1.0, 3)
        pixels = on[..., None] * colour + rng.normal(0, 0.15, (20, 20, 3))
        folder = os.path.join(root, IMAGE_CLASSES[folder_label])
        os.makedirs(folder, exist_ok=True)
        Image.fromarray((np.clip(pixels, 0, 1) * 255).astype(np.uint8)).save(
            os.path.join(folder, f"{i:04d}.png"))


def _tfrecords(out, csv_path):
    """The text-category table as shards, as README's make_tfrecords command writes them."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
    subprocess.run([sys.executable, "-m", "launchers.make_tfrecords", f"--config={BIN}",
                    *TABLE_CLS_FLAGS(csv_path), f"--out={out}", "--shards=4"],
                   cwd=ROOT, env=env, check=True, capture_output=True)


def TABLE_CLS_FLAGS(path):  # noqa: N802 - the flags every table-classification case shares
    return ["--config.task.name=classification", "--config.data.name=csv",
            f"--config.data.path={path}", "--config.data.label_column=species"]


def make_data(root):
    """Every data set, generated once (a folder that exists is kept)."""
    os.makedirs(root, exist_ok=True)
    files = {
        "table_cls": lambda p: _table_classes(p),
        "table_cls_shuffled": lambda p: _table_classes(p, shuffle_labels=True),
        "table_cls_imbalanced": lambda p: _table_classes(p, shares=[0.88, 0.09, 0.03],
                                                         class_sep=0.6),
        "table_reg": lambda p: _table_regression(p),
        "table_reg_shuffled": lambda p: _table_regression(p, shuffle_targets=True),
        **{f"reg_{kind}{suffix}": (lambda p, kind=kind, shuffled=bool(suffix):
                                   _regression_table(p, kind, shuffle_targets=shuffled))
           for kind in ("synth", "unit", "big") for suffix in ("", "_shuffled")},
        # Round 12 tune cases (see BUGGY below)
        "table_cls_hard": lambda p: _table_classes(p, class_sep=0.8),
        "imb_t90": lambda p: _table_imbalanced(p, 0.10, class_sep=0.5),
        "imb_t90_clear": lambda p: _table_imbalanced(p, 0.10, class_sep=2.5),
        "imb_t97": lambda p: _table_imbalanced(p, 0.03, class_sep=0.7, n=5000),
        "imb_t97_clear": lambda p: _table_imbalanced(p, 0.03, class_sep=2.5, n=5000),
        # Round 13 tune cases
        "sonar_like": lambda p: _sonar_like(p),
        # Round 14 tune cases: the same shape, another draw
        "sonar_like_1": lambda p: _sonar_like(p, seed=1),
    }
    for name, make in files.items():
        path = os.path.join(root, name + ".csv")
        if not os.path.exists(path):
            make(path)
    for name, source in (("table_cls_train_shuffled", "table_cls"),
                         ("reg_unit_train_shuffled", "reg_unit")):
        path = os.path.join(root, name + ".csv")
        if not os.path.exists(path):
            _training_labels_shuffled(os.path.join(root, source + ".csv"), path)
    folders = {"text": lambda p: _text_folder(p), "text_shuffled": lambda p: _text_folder(
        p, shuffle_labels=True), "images": lambda p: _image_folder(p),
        "images_shuffled": lambda p: _image_folder(p, shuffle_labels=True),
        "text_imb90": lambda p: _text_imbalanced(p, 2000, 200, overlap=True),
        "text_imb90_clear": lambda p: _text_imbalanced(p, 2000, 200, overlap=False),
        "text_imb97": lambda p: _text_imbalanced(p, 3000, 90, overlap=True),
        "text_imb97_clear": lambda p: _text_imbalanced(p, 3000, 90, overlap=False),
        # Round 13 tune cases (another seed, other shares)
        "text_imb85": lambda p: _text_imbalanced(p, 2000, 300, overlap=True, seed=1),
        "text_imb85_clear": lambda p: _text_imbalanced(p, 2000, 300, overlap=False, seed=1),
        "text_imb95": lambda p: _text_imbalanced(p, 3000, 150, overlap=True, seed=1),
        "text_imb95_clear": lambda p: _text_imbalanced(p, 3000, 150, overlap=False, seed=1)}
    for name, make in folders.items():
        path = os.path.join(root, name)
        if not os.path.isdir(path):
            make(path)
    for name, table in (("tfrecord", "table_cls"), ("tfrecord_shuffled", "table_cls_shuffled")):
        path = os.path.join(root, name)
        if not os.path.isdir(path):
            _tfrecords(path, os.path.join(root, table + ".csv"))
    return root


# ----------------------------------------------------------------------------- the cases
def _data(kind_data):
    """Overrides that point a config at one generated data set."""
    def overrides(path):
        return {
            "table_cls": {"task.name": "classification", "data.name": "csv",
                          "data.label_column": "species"},
            "table_reg": {"data.name": "csv", "data.label_column": "price"},
            "table_reg_more": {"data.name": "csv", "data.label_column": "target"},
            "text": {"data.name": "text_folder"},
            "images": {"data.name": "image_folder", "data.image_size": 20, "data.channels": 3},
            "tfrecord": {"task.name": "classification", "data.name": "tfrecord"},
            "shipped": {},
        }[kind_data] | ({} if kind_data == "shipped" else {"data.path": path})
    return overrides


# kind -> (base data set, its overrides)
KINDS = {"table_cls": "table_cls", "table_reg": "table_reg", "text": "text",
         "images": "images", "tfrecord": "tfrecord", "table_reg_more": "reg_synth",
         "shipped": "shipped"}  # shipped: a config's own data (digits, synthetic sets)

# name: (data kind, config, overrides). What a careful user writes: README-style keys,
# a sensible rate, epochs to converge (<= 10 here, to keep each run near 20 s).
HEALTHY = {
    "dk_tcls_adamw": ("table_cls", BIN, {"train.epochs": 10}),
    "dk_tcls_sgd_layernorm": ("table_cls", BIN, {"optimizer.name": "sgd",
                                                 "optimizer.momentum": 0.9, **NO_WD,
                                                 "schedule.base_lr": 0.05,
                                                 "model.norm": "layer", "train.epochs": 10}),
    "dk_tcls_imbalanced_balanced": ("table_cls", BIN, {"train.epochs": 10,
                                                       "data.class_weight": "balanced"}),
    "dk_treg_adam": ("table_reg", REG, {"train.epochs": 10}),
    "dk_treg_huber_adamw": ("table_reg", REG, {"task.loss": "huber", "optimizer.name": "adamw",
                                               "optimizer.weight_decay": 1e-4,
                                               "data.batch_size": 32, "train.epochs": 10}),
    "dk_text_bag": ("text", BAG, {"train.epochs": 10}),
    "dk_text_bag_adam_bs32": ("text", BAG, {"optimizer.name": "adam", **NO_WD,
                                            "schedule.base_lr": 1e-3, "data.batch_size": 32,
                                            "train.epochs": 8}),
    "dk_img_cnn": ("images", CNN, {"train.epochs": 8}),
    "dk_img_resnet_small": ("images", RES, {"model.width": 8, "model.depth": 2,
                                            "data.augment.flip": False,
                                            "schedule.boundaries": (4, 5), "train.epochs": 6}),
    "dk_tfr_adamw": ("tfrecord", BIN, {"train.epochs": 10}),
    "dk_tfr_adam_bs32": ("tfrecord", BIN, {"optimizer.name": "adam", **NO_WD,
                                           "schedule.base_lr": 1e-3, "data.batch_size": 32,
                                           "train.epochs": 8}),
}
# Added after Round 11 (tune cases for the holdout miss dk_treg_shuffled_labels: a regression
# whose targets do not follow the inputs went unnamed): regression tables of other data and
# target scales, each with a twin whose target column is shuffled (BUGGY below). Every name
# was picked with split(name) == "tune" before any of them ran.
HEALTHY.update({
    # configs/tabular_regression.py as it stands, on its own generated data as a CSV
    "dk_rtab_healthy": ("table_reg_more", REG, {"train.epochs": 10}),
    # a linear table, target std 1
    "dk_runit_adam": ("table_reg_more", REG, {"train.epochs": 10}),
    # Friedman #1, target std ~1e4 around 120,000
    "dk_rbig_adam": ("table_reg_more", REG, {"train.epochs": 10}),
    # the linear table cut to 240 training rows
    "dk_rsmall_healthy": ("table_reg_more", REG, {"train.epochs": 10,
                                                  "data.train_examples": 240,
                                                  "data.batch_size": 32}),
})
# which data set each healthy case reads (default: its kind's)
HEALTHY_DATA = {"dk_tcls_imbalanced_balanced": "table_cls_imbalanced",
                "dk_rtab_healthy": "reg_synth", "dk_runit_adam": "reg_unit",
                "dk_rbig_adam": "reg_big", "dk_rsmall_healthy": "reg_unit"}

TINY_BIG = {"data.train_examples": 80, "data.batch_size": 16, "model.width": 512,
            "model.depth": 3, "model.dropout": 0.0, "model.norm": "none", **NO_ES,
            "train.epochs": 30}  # 80 rows: 30 epochs of 5 updates, still a few seconds


def _lr_x100(twin):
    return {"schedule.base_lr": HEALTHY[twin][2].get("schedule.base_lr", 3e-3) * 100}


# name: (healthy twin, extra overrides, data set or None, expected findings)
BUGGY = {}


def _buggy(prefix, twin, faults):
    for fault in faults:
        extra, data, expected = {
            "lr_x100": (_lr_x100(twin), None, TOO_HIGH),
            "lr_1e6": ({"schedule.base_lr": 1e-6}, None, TOO_LOW),
            "shuffled_labels": ({}, "_shuffled", ("data_problem", "overfitting")),
            "width_1": ({"model.width": 1}, None, ("underfitting",)),
            "tiny_data_big_model": (TINY_BIG, None, ("overfitting",)),
            "dropout_09": ({"model.dropout": 0.9}, None, ("underfitting",)),
            "from_logits_false": ({"model.from_logits": False}, None, ("wrong_loss",)),
        }[fault]
        BUGGY[f"{prefix}_{fault}"] = (twin, extra, data, expected)


_buggy("dk_tcls", "dk_tcls_adamw", ("lr_x100", "lr_1e6", "shuffled_labels", "width_1",
                                    "tiny_data_big_model", "dropout_09", "from_logits_false"))
BUGGY["dk_tcls_imbalanced_no_weights"] = (
    "dk_tcls_imbalanced_balanced", {"data.class_weight": "none"}, "table_cls_imbalanced",
    ("data_problem",))
_buggy("dk_treg", "dk_treg_adam", ("lr_x100", "lr_1e6", "shuffled_labels", "width_1",
                                   "tiny_data_big_model", "dropout_09"))
_buggy("dk_text", "dk_text_bag", ("lr_x100", "lr_1e6", "shuffled_labels", "tiny_data_big_model",
                                  "dropout_09", "from_logits_false"))
_buggy("dk_img", "dk_img_cnn", ("lr_x100", "lr_1e6", "shuffled_labels", "dropout_09",
                                "from_logits_false"))
_buggy("dk_tfr", "dk_tfr_adamw", ("lr_x100", "lr_1e6", "shuffled_labels", "width_1",
                                  "dropout_09"))
for _twin, _name in (("dk_rtab_healthy", "dk_rtab_shuffled"),
                     ("dk_runit_adam", "dk_runit_shuffled_labels"),
                     ("dk_rbig_adam", "dk_rbig_targets_shuffled"),
                     ("dk_rsmall_healthy", "dk_rsmall_shuffled")):
    BUGGY[_name] = (_twin, {}, "_shuffled", ("data_problem", "overfitting"))

# Round 12 tune cases, for the classes Round 11's holdout missed (dk_treg_tiny_data_big_model,
# dk_tcls_imbalanced_no_weights) and the one known unnamed from earlier rounds (training labels
# shuffled while the validation labels are right). Written and committed before any of them
# ran; every name has split(name) == "tune".
# (a) tiny data into a big model, validation plateauing far above training: TINY_BIG on a
# linear table (target std 1), on configs/tabular_regression.py's Friedman data and on a
# harder 3-class table (class_sep 0.8); each healthy twin is a modest model on the same tiny
# rows (or, for Friedman, 400 rows and the config as it stands): an honest gap.
SMALL_ON_TINY = {"data.train_examples": 80, "data.batch_size": 16, "model.width": 16,
                 "model.depth": 1, "train.epochs": 30}
HEALTHY.update({
    "dk_tiny_runit_small": ("table_reg_more", REG, SMALL_ON_TINY),
    "dk_tiny_rsynth_honest": ("table_reg_more", REG, {"data.train_examples": 400,
                                                      "data.batch_size": 32,
                                                      "train.epochs": 20}),
    "dk_tiny_chard_small": ("table_cls", BIN, SMALL_ON_TINY),
})
HEALTHY_DATA.update({"dk_tiny_runit_small": "reg_unit", "dk_tiny_rsynth_honest": "reg_synth",
                     "dk_tiny_chard_small": "table_cls_hard"})
for _twin, _name in (("dk_tiny_runit_small", "dk_tiny_runit_big"),
                     ("dk_tiny_rsynth_honest", "dk_tiny_rsynth_big_model"),
                     ("dk_tiny_chard_small", "dk_tiny_chard_big")):
    BUGGY[_name] = (_twin, TINY_BIG, None, ("overfitting",))
# (b) imbalanced classes without weights, 90/10 and 97/3, on a table and on text: the buggy
# data overlap (an unweighted arg max names few rare rows), each healthy twin is the same
# shares on data the model does learn (classes apart: rare recall near 1). Per-class recall
# on the validation rows is measured after each run (RECALLED).
HEALTHY.update({
    "dk_imb_t90_clear": ("table_cls", BIN, {"train.epochs": 10}),
    "dk_imb_t97_separable": ("table_cls", BIN, {"train.epochs": 10}),
    "dk_imb_x90_clear": ("text", BAG, {"train.epochs": 10}),
    "dk_imb_x97_clear": ("text", BAG, {"train.epochs": 10}),
})
HEALTHY_DATA.update({"dk_imb_t90_clear": "imb_t90_clear", "dk_imb_t97_separable": "imb_t97_clear",
                     "dk_imb_x90_clear": "text_imb90_clear",
                     "dk_imb_x97_clear": "text_imb97_clear"})
for _twin, _name, _set in (("dk_imb_t90_clear", "dk_imb_t90_no_weights", "imb_t90"),
                            ("dk_imb_t97_separable", "dk_imb_t97_no_weights", "imb_t97"),
                            ("dk_imb_x90_clear", "dk_imb_x90_no_weights", "text_imb90"),
                            ("dk_imb_x97_clear", "dk_imb_x97_no_weights", "text_imb97")):
    BUGGY[_name] = (_twin, {}, _set, ("data_problem",))
# (c) the training rows' labels shuffled, the validation rows' right (twins: the table's
# healthy tune cases)
BUGGY["dk_trshuf_cls"] = ("dk_tcls_sgd_layernorm", {}, "table_cls_train_shuffled",
                          ("data_problem", "overfitting"))
BUGGY["dk_trshuf_targets"] = ("dk_runit_adam", {}, "reg_unit_train_shuffled",
                              ("data_problem", "overfitting"))
RECALLED = {"dk_tcls_imbalanced_no_weights", "dk_tcls_imbalanced_balanced", "dk_imb_t90_clear",
            "dk_imb_t97_separable", "dk_imb_x90_clear", "dk_imb_x97_clear",
            "dk_imb_t90_no_weights", "dk_imb_t97_no_weights", "dk_imb_x90_no_weights",
            "dk_imb_x97_no_weights"}

# The imbalanced twin trains on the same rows with weights: its accuracy is no bar for the
# unweighted run (which names the big class and scores higher in plain accuracy), so that case
# is scored whatever its accuracy, and its repair is not measured against the twin.
ALWAYS_SCORED = {"dk_tcls_imbalanced_no_weights", "dk_imb_t90_no_weights",
                 "dk_imb_t97_no_weights", "dk_imb_x90_no_weights", "dk_imb_x97_no_weights"}


# Round 13 tune cases, for the classes still missed or misnamed (each seen only on holdout or
# as a single tune example): written and committed before any of them ran; every name has
# split(name) == "tune" (a letter suffix where the plain name fell in holdout).
# (a) short runs (20-60 updates) of a healthy model, stopped while the training loss still
# falls: the sonar-shaped table (166 training rows, 60 features) under SGD for 10 epochs of 3
# updates; 400 rows of the harder 3-class table for 3 epochs of 13; 400 Friedman rows for 2
# epochs; the text bag for 3 epochs. Each buggy case's twin is the same training run longer
# (the evidence whether training longer reaches the reference). Healthy short runs that are
# fine: an easy table and a linear one, Adam at 1e-2, 75 and 52 updates.
SONAR_SGD = {"optimizer.name": "sgd", "optimizer.momentum": 0.9, **NO_WD,
             "schedule.name": "constant", "schedule.base_lr": 0.01,
             "schedule.warmup_epochs": 0.0, "data.batch_size": 64, "model.norm": "none",
             "model.dropout": 0.0, **NO_ES}
ROWS_400 = {"data.train_examples": 400, "data.batch_size": 32, "schedule.warmup_epochs": 0.0}
QUICK = {"optimizer.name": "adam", **NO_WD, "schedule.base_lr": 1e-2}
HEALTHY.update({
    "dk_sonar_long_c": ("table_cls", BIN, {**SONAR_SGD, "train.epochs": 100}),
    "dk_chard400_long_a": ("table_cls", BIN, {**ROWS_400, "train.epochs": 30}),
    "dk_tcls400_quick_a": ("table_cls", BIN, {**ROWS_400, **QUICK, "data.batch_size": 16,
                                              "train.epochs": 3}),
    "dk_runit400_quick": ("table_reg_more", REG, {**ROWS_400, **QUICK, "train.epochs": 4}),
})
HEALTHY_DATA.update({"dk_sonar_long_c": "sonar_like", "dk_chard400_long_a": "table_cls_hard",
                     "dk_runit400_quick": "reg_unit"})
BUGGY["dk_sonar_short_c"] = ("dk_sonar_long_c", {"train.epochs": 10}, None, ("underfitting",))
BUGGY["dk_chard400_short"] = ("dk_chard400_long_a", {"train.epochs": 3}, None,
                              ("underfitting",))
BUGGY["dk_rsynth400_short_a"] = ("dk_tiny_rsynth_honest", {"train.epochs": 2,
                                                           "schedule.warmup_epochs": 0.0},
                                 None, ("underfitting",))
BUGGY["dk_xbag_short_a"] = ("dk_text_bag", {"train.epochs": 3, "schedule.warmup_epochs": 0.0},
                            None, ("underfitting",))
# (b) imbalanced text a bag-of-words model memorizes: 85/15 and 95/5 (another seed than
# Round 12's), overlapping keywords, no class weights, under the config as it stands and under
# Adam at batch 32; each healthy twin the same shares with the classes apart.
ADAM_BS32 = {"optimizer.name": "adam", **NO_WD, "schedule.base_lr": 1e-3,
             "data.batch_size": 32, "train.epochs": 10}
HEALTHY.update({
    "dk_imbx85_apart_a": ("text", BAG, {"train.epochs": 10}),
    "dk_imbx95_apart": ("text", BAG, {"train.epochs": 10}),
    "dk_imbx85_adam_apart_a": ("text", BAG, ADAM_BS32),
})
HEALTHY_DATA.update({"dk_imbx85_apart_a": "text_imb85_clear",
                     "dk_imbx95_apart": "text_imb95_clear",
                     "dk_imbx85_adam_apart_a": "text_imb85_clear"})
for _twin, _name, _set in (("dk_imbx85_apart_a", "dk_imbx85_overlap", "text_imb85"),
                            ("dk_imbx95_apart", "dk_imbx95_overlap_a", "text_imb95"),
                            ("dk_imbx85_adam_apart_a", "dk_imbx85_adam_overlap", "text_imb85")):
    BUGGY[_name] = (_twin, {}, _set, ("data_problem",))
# (c) tiny regression tables into a big model (TINY_BIG): 80 rows of the Friedman table in
# units of ~1e4, 80 rows of the house-price table, 120 rows of configs/tabular_regression.py's
# data; each twin a 16-unit model on the same rows.
HEALTHY.update({
    "dk_tiny_rbig_small": ("table_reg_more", REG, SMALL_ON_TINY),
    "dk_tiny_price_small_b": ("table_reg", REG, SMALL_ON_TINY),
    "dk_tiny120_rsynth_small": ("table_reg_more", REG, {**SMALL_ON_TINY,
                                                        "data.train_examples": 120}),
})
HEALTHY_DATA.update({"dk_tiny_rbig_small": "reg_big", "dk_tiny120_rsynth_small": "reg_synth"})
BUGGY["dk_tiny_rbig_big_a"] = ("dk_tiny_rbig_small", TINY_BIG, None, ("overfitting",))
# Found after it ran: the same config and data as the holdout case dk_treg_tiny_data_big_model
# (it trained to the same RMSE, 25,142.59): not new tune evidence, listed but not used.
BUGGY["dk_tiny_price_big_a"] = ("dk_tiny_price_small_b", TINY_BIG, None, ("overfitting",))
BUGGY["dk_tiny120_rsynth_big"] = ("dk_tiny120_rsynth_small",
                                  {**TINY_BIG, "data.train_examples": 120}, None,
                                  ("overfitting",))
# Added after the first 20 ran (the SGD sonar pair memorized its 166 rows instead of
# learning slowly): the real program's own model - Dense(12), Adam at 1e-3, 10 epochs of
# batch 64 (30 updates) - and its 100-epoch twin, on the same table.
SONAR_ADAM12 = {"optimizer.name": "adam", **NO_WD, "schedule.name": "constant",
                "schedule.base_lr": 1e-3, "schedule.warmup_epochs": 0.0, "data.batch_size": 64,
                "model.width": 12, "model.depth": 1, "model.norm": "none", "model.dropout": 0.0,
                **NO_ES}
HEALTHY["dk_sonar_adam12_long_b"] = ("table_cls", BIN, {**SONAR_ADAM12, "train.epochs": 100})
HEALTHY_DATA["dk_sonar_adam12_long_b"] = "sonar_like"
BUGGY["dk_sonar_adam12_short"] = ("dk_sonar_adam12_long_b", {"train.epochs": 10}, None,
                                  ("underfitting",))
RECALLED |= {"dk_imbx85_apart_a", "dk_imbx95_apart", "dk_imbx85_adam_apart_a",
             "dk_imbx85_overlap", "dk_imbx95_overlap_a", "dk_imbx85_adam_overlap"}
ALWAYS_SCORED |= {"dk_imbx85_overlap", "dk_imbx95_overlap_a", "dk_imbx85_adam_overlap"}
ROUND13 = ["dk_sonar_long_c", "dk_chard400_long_a", "dk_tcls400_quick_a", "dk_runit400_quick",
           "dk_sonar_short_c", "dk_chard400_short", "dk_rsynth400_short_a", "dk_xbag_short_a",
           "dk_imbx85_apart_a", "dk_imbx95_apart", "dk_imbx85_adam_apart_a",
           "dk_imbx85_overlap", "dk_imbx95_overlap_a", "dk_imbx85_adam_overlap",
           "dk_tiny_rbig_small", "dk_tiny_price_small_b", "dk_tiny120_rsynth_small",
           "dk_tiny_rbig_big_a", "dk_tiny_price_big_a", "dk_tiny120_rsynth_big",
           "dk_sonar_adam12_long_b", "dk_sonar_adam12_short"]


# Round 14 tune cases, for the classes still left alone after Round 13: written and committed
# before any of them ran; every name has split(name) == "tune" (a letter suffix where the plain
# name fell in holdout). The few plain names that fell in holdout are kept as holdout cases of
# the same class (HOLDOUT14), measured after the fix and never fixed against.
# (a) short launcher runs that end below the simple model on unseen rows while equal to it on
# the training rows (the launcher's reference rows): each a short run of a sensible model and
# its longer twin (the evidence that training longer reaches the reference).
R14_ADAM = {"optimizer.name": "adam", **NO_WD, "schedule.name": "constant",
            "schedule.base_lr": 1e-3, "schedule.warmup_epochs": 0.0, **NO_ES}
R14_SGD = {"optimizer.name": "sgd", "optimizer.momentum": 0.0, **NO_WD,
           "schedule.name": "constant", "schedule.base_lr": 0.01,
           "schedule.warmup_epochs": 0.0, **NO_ES}
R14_W16 = {**R14_ADAM, "model.width": 16, "model.depth": 1, "model.norm": "none",
           "model.dropout": 0.0}
HEALTHY.update({
    "dk_r14_xbag_adam_long_d": ("text", BAG, {**R14_ADAM, "data.batch_size": 32,
                                              "train.epochs": 10}),
    "dk_r14_sonar1_long_b": ("table_cls", BIN, {**SONAR_ADAM12, "train.epochs": 200,
                                                "callbacks.early_stopping.enabled": True}),
    "dk_r14_tcls_sgd_long_b": ("table_cls", BIN, {**R14_SGD, "train.epochs": 30}),
    "dk_r14_chard_w16_long_a": ("table_cls", BIN, {**R14_W16, "train.epochs": 20}),
})
HEALTHY_DATA.update({"dk_r14_sonar1_long_b": "sonar_like_1",
                     "dk_r14_chard_w16_long_a": "table_cls_hard"})
BUGGY["dk_r14_xbag_adam_short"] = ("dk_r14_xbag_adam_long_d", {"train.epochs": 2}, None,
                                   ("underfitting",))
BUGGY["dk_r14_sonar1_short"] = ("dk_r14_sonar1_long_b", {"train.epochs": 10, **NO_ES}, None,
                                ("underfitting",))
BUGGY["dk_r14_tcls_sgd_short_c"] = ("dk_r14_tcls_sgd_long_b", {"train.epochs": 3}, None,
                                    ("underfitting",))
BUGGY["dk_r14_chard_w16_short_a"] = ("dk_r14_chard_w16_long_a", {"train.epochs": 2}, None,
                                     ("underfitting",))
# (b) "train longer" or "a bigger model": a model too narrow for its table (2 units, Adam at
# 1e-2, a plateau by epoch 10) with its run of doubled epochs and its wide twin; the sonar
# program's model stopped at 25 epochs, still learning, with its run of doubled epochs. Which
# advice helps is read from the doubled and the wide runs.
R14_NARROW = {**R14_ADAM, "schedule.base_lr": 1e-2, "model.width": 2, "model.depth": 1,
              "model.norm": "none", "model.dropout": 0.0, "train.epochs": 10}
HEALTHY["dk_r14_wide_twin_d"] = ("table_cls", BIN, {**R14_NARROW, "model.width": 64})
HEALTHY_DATA["dk_r14_wide_twin_d"] = "table_cls_hard"
BUGGY["dk_r14_narrow_plateau_e"] = ("dk_r14_wide_twin_d", {"model.width": 2}, None,
                                    ("underfitting",))
BUGGY["dk_r14_narrow_plateau_x2"] = ("dk_r14_wide_twin_d", {"model.width": 2,
                                                            "train.epochs": 20}, None,
                                     ("underfitting",))
BUGGY["dk_r14_sonar1_mid"] = ("dk_r14_sonar1_long_b", {"train.epochs": 25, **NO_ES}, None,
                              ("underfitting",))
BUGGY["dk_r14_sonar1_mid_x2"] = ("dk_r14_sonar1_long_b", {"train.epochs": 50, **NO_ES}, None,
                                 ("underfitting",))
# Added after the (a) cases ran, before it ran: the short text run with the epochs its finding
# suggests (2 -> 4), the evidence whether that advice helps.
BUGGY["dk_r14_xbag_adam_x2_a"] = ("dk_r14_xbag_adam_long_d", {"train.epochs": 4}, None,
                                  ("underfitting",))
# (c) class-sorted data without a shuffle cannot come through the launcher (it always
# shuffles): measured in user code (tests/test_doctor_round17.py), not here.
# (d) healthy runs that must stay quiet: shipped configs on their own data as they stand,
# shorter or longer, under mixed_bfloat16 (this CPU has AVX512_BF16) and float32.
BF16, F32 = {"train.precision": "mixed_bfloat16"}, {"train.precision": "float32"}
MLP, SEQ = "configs/digits_mlp.py", "configs/sequence_transformer.py"
HEALTHY.update({
    "dk_r14_mlp_bf16_short": ("shipped", MLP, {**BF16, "train.epochs": 10}),
    "dk_r14_mlp_bf16_long_a": ("shipped", MLP, {**BF16, "train.epochs": 30}),
    "dk_r14_cnn_bf16_short": ("shipped", CNN, {**BF16, "train.epochs": 8}),
    "dk_r14_cnn_f32_long_a": ("shipped", CNN, {**F32, "train.epochs": 25}),
    "dk_r14_tabbin_bf16": ("shipped", BIN, BF16),
    "dk_r14_tabreg_bf16": ("shipped", REG, BF16),
    "dk_r14_tabreg_f32_short_a": ("shipped", REG, {**F32, "train.epochs": 10}),
    "dk_r14_seq_bf16_short_c": ("shipped", SEQ, {**BF16, "train.epochs": 4}),
})
ROUND14 = {
    "a": ["dk_r14_xbag_adam_short", "dk_r14_xbag_adam_long_d", "dk_r14_sonar1_short",
          "dk_r14_sonar1_long_b", "dk_r14_tcls_sgd_short_c", "dk_r14_tcls_sgd_long_b",
          "dk_r14_chard_w16_short_a", "dk_r14_chard_w16_long_a"],
    "b": ["dk_r14_narrow_plateau_e", "dk_r14_narrow_plateau_x2", "dk_r14_wide_twin_d",
          "dk_r14_sonar1_mid", "dk_r14_sonar1_mid_x2"],
    "d": ["dk_r14_mlp_bf16_short", "dk_r14_mlp_bf16_long_a", "dk_r14_cnn_bf16_short",
          "dk_r14_cnn_f32_long_a", "dk_r14_tabbin_bf16", "dk_r14_tabreg_bf16",
          "dk_r14_tabreg_f32_short_a", "dk_r14_seq_bf16_short_c"],
}
# holdout cases of the same classes (plain names whose split is holdout), measured only
HEALTHY.update({
    "dk_r14_mlp_f32_short": ("shipped", MLP, {**F32, "train.epochs": 10}),
    "dk_r14_seq_f32_short": ("shipped", SEQ, {**F32, "train.epochs": 4}),
})
BUGGY["dk_r14_tcls_sgd_short"] = ("dk_r14_tcls_sgd_long_b", {"train.epochs": 2}, None,
                                  ("underfitting",))
BUGGY["dk_r14_narrow_plateau"] = ("dk_r14_wide_twin_d", {"model.width": 2,
                                                         "schedule.base_lr": 3e-3}, None,
                                  ("underfitting",))
HOLDOUT14 = ["dk_r14_tcls_sgd_short", "dk_r14_narrow_plateau", "dk_r14_mlp_f32_short",
             "dk_r14_seq_f32_short"]

# (c) class-sorted rows given to a user's own Keras code without a shuffle (the launcher always
# shuffles, so these train in user code: plain Keras with TrainingDoctor(probe_data=the first
# 256 validation rows), as README shows). Each buggy case has a twin that shuffles the same rows;
# dk_r14_user_fixed_order_e is the guard: rows shuffled once on disk, then fit(shuffle=False) -
# every epoch the same batches in a random order, which is no fault.
USER_HEALTHY = {
    "dk_r14_user_shuffled_fit": dict(data="table3", order="shuffled", feed="fit"),
    "dk_r14_user_shuffled_tfdata": dict(data="table3", order="shuffled", feed="tfdata"),
    "dk_r14_user_digits_shuffled": dict(data="digits", order="shuffled", feed="fit"),
    "dk_r14_user_sgd_twin": dict(data="table3", order="shuffled", feed="fit", optimizer="sgd"),
    "dk_r14_user_fixed_order_e": dict(data="table3", order="once", feed="fit"),
    "dk_r14_user_binary_shuffled": dict(data="table2", order="shuffled", feed="tfdata"),
}
USER_BUGGY = {  # name: (twin, what changes, expected findings)
    "dk_r14_user_sorted_fit": ("dk_r14_user_shuffled_fit", {"order": "sorted"}),
    "dk_r14_user_sorted_tfdata": ("dk_r14_user_shuffled_tfdata", {"order": "sorted"}),
    "dk_r14_user_digits_sorted": ("dk_r14_user_digits_shuffled", {"order": "sorted"}),
    "dk_r14_user_sorted_sgd": ("dk_r14_user_sgd_twin", {"order": "sorted"}),
    "dk_r14_user_sorted_binary": ("dk_r14_user_binary_shuffled", {"order": "sorted"}),
}
USER_EXPECTED = ("data_problem",)
ROUND14["b"].append("dk_r14_xbag_adam_x2_a")
ROUND14["c"] = ["dk_r14_user_shuffled_fit", "dk_r14_user_shuffled_tfdata",
                "dk_r14_user_digits_shuffled", "dk_r14_user_sgd_twin",
                "dk_r14_user_fixed_order_e", "dk_r14_user_sorted_fit",
                "dk_r14_user_sorted_tfdata", "dk_r14_user_digits_sorted",
                "dk_r14_user_sorted_sgd"]
HOLDOUT14 += ["dk_r14_user_sorted_binary", "dk_r14_user_binary_shuffled"]


def user_spec(name):
    if name in USER_HEALTHY:
        return dict(USER_HEALTHY[name])
    twin, change = USER_BUGGY[name]
    return {**USER_HEALTHY[twin], **change}


def _user_data(kind):
    """(x_train, y_train, x_val, y_val), deterministic: a 3-class or 2-class table
    (make_classification, 3,000 rows, 20% validation) or scikit-learn's digits."""
    from sklearn.datasets import load_digits, make_classification
    if kind == "digits":
        x, y = load_digits(return_X_y=True)
        x = x / 16.0
    else:
        classes = 3 if kind == "table3" else 2
        x, y = make_classification(n_samples=3000, n_features=8, n_informative=5,
                                   n_redundant=0, n_classes=classes, n_clusters_per_class=1,
                                   class_sep=1.0, random_state=4)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order].astype("float32"), y[order].astype("int64")
    cut = len(x) // 5
    return x[cut:], y[cut:], x[:cut], y[:cut]


def train_user_case(name, folder):
    """One user-code training (in a child process): plain Keras, TrainingDoctor, the rows in
    the case's order; writes diagnosis.json and the doctor's record beside the folder."""
    import keras
    import tensorflow as tf
    from ktrain_kit.doctor import TrainingDoctor
    from benchmarks.doctor_eval import _plain
    spec = user_spec(name)
    keras.utils.set_random_seed(0)
    x, y, xv, yv = _user_data(spec["data"])
    if spec["order"] == "sorted":
        order = np.argsort(y, kind="stable")
        x, y = x[order], y[order]
    classes = int(y.max()) + 1
    model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.Dense(32, "relu"),
                              keras.layers.Dense(classes)])
    optimizer = keras.optimizers.SGD(0.05, momentum=0.9) if spec.get("optimizer") == "sgd" \
        else keras.optimizers.Adam(1e-3)
    model.compile(optimizer, keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    doctor = TrainingDoctor(probe_data=(xv[:256], yv[:256]))
    shuffled = spec["order"] == "shuffled"
    if spec["feed"] == "tfdata":
        data = tf.data.Dataset.from_tensor_slices((x, y))
        data = (data.shuffle(len(x), seed=0) if shuffled else data).batch(32)
        model.fit(data, epochs=8, validation_data=(xv, yv), callbacks=[doctor], verbose=0)
    else:
        model.fit(x, y, batch_size=32, epochs=8, shuffle=shuffled, validation_data=(xv, yv),
                  callbacks=[doctor], verbose=0)
    os.makedirs(folder, exist_ok=True)
    doctor.write(folder)
    with open(record_path(folder), "w") as f:
        json.dump(_plain({"epochs": doctor.epochs, "batch_losses": doctor.batch_losses,
                          "probes": doctor.probes, "facts": getattr(doctor, "facts", {})}), f)
    value = float(model.evaluate(xv, yv, verbose=0)[1])
    with open(os.path.join(folder, "summary.json"), "w") as f:
        json.dump({"main_metric": "val_accuracy", "main_metric_value": value,
                   "epochs_run": len(doctor.epochs)}, f)


def run_user_case(name, root):
    folder = os.path.join(root, name)
    started = time.time()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, "-m", "benchmarks.doctor_data_kinds",
                           f"--user-case={name}", f"--root={root}"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": (proc.stdout + proc.stderr)[-600:]}
    with open(os.path.join(folder, "summary.json")) as f:
        summary = json.load(f)
    return {"kind": "healthy" if name in USER_HEALTHY else "buggy", "data_kind": "user",
            "split": split(name), "findings": _findings(folder),
            "metric": summary["main_metric"], "value": summary["main_metric_value"],
            "epochs": summary["epochs_run"], "seconds": round(time.time() - started, 1),
            "folder": folder}


def user_rows(results):
    """The user-code cases (class c): findings now, against the twin's accuracy."""
    rows = ["| case | kind | split | val accuracy (twin) | serious findings |",
            "| --- | --- | --- | --- | --- |"]
    for name in list(USER_HEALTHY) + list(USER_BUGGY):
        r = results.get(name)
        if not r or "findings" not in r:
            continue
        twin = USER_BUGGY[name][0] if name in USER_BUGGY else None
        value = f"{r['value']:.3f}" + (f" ({results[twin]['value']:.3f})"
                                       if twin in results and "value" in results[twin] else "")
        found = r.get("replayed", r["findings"])
        rows.append(f"| {name} | {r['kind']} | {r['split']} | {value} | "
                    f"{', '.join(_serious(found)) or '-'} |")
    return rows


# Repair on data users bring (h91): new buggy cases for `launchers.doctor RUN --fix --budget=3`,
# each one or two keys changed from a healthy case above (its twin, already recorded), on every
# data kind. Names chosen and committed before any of them ran; split by doctor_configs.split.
# The faults not yet in this file: weight decay far too strong, a batch of (nearly) all the
# rows, one epoch, a width of 1-2 on other kinds, a rate far too low under AdamW/SGD, training
# labels made noisy by data.label_noise, a warmup over 9 of 10 epochs, dropout 0.9 on
# regression tables of other scales and on TFRecords, from_logits=False on TFRecords.
REPAIR_CASES = {
    "dkr_rbig_dropout_09": ("dk_rbig_adam", {"model.dropout": 0.9}, ("underfitting",)),
    "dkr_runit_dropout_09": ("dk_runit_adam", {"model.dropout": 0.9}, ("underfitting",)),
    "dkr_treg_huber_lr_1e5": ("dk_treg_huber_adamw", {"schedule.base_lr": 1e-5}, TOO_LOW),
    "dkr_treg_huber_wd_5": ("dk_treg_huber_adamw", {"optimizer.weight_decay": 5.0},
                            ("underfitting",)),
    "dkr_rtab_width_2": ("dk_rtab_healthy", {"model.width": 2}, ("underfitting",)),
    "dkr_treg_batch_all": ("dk_treg_adam", {"data.batch_size": 2048}, TOO_LOW),
    "dkr_rtab_epochs_1": ("dk_rtab_healthy", {"train.epochs": 1}, ("underfitting",)),
    "dkr_tcls_wd_3": ("dk_tcls_adamw", {"optimizer.weight_decay": 3.0}, ("underfitting",)),
    "dkr_tcls_sgd_lr_1e4": ("dk_tcls_sgd_layernorm", {"schedule.base_lr": 1e-4}, TOO_LOW),
    "dkr_tcls_label_noise_06": ("dk_tcls_adamw", {"data.label_noise": 0.6},
                                ("data_problem",)),
    "dkr_tcls_batch_all": ("dk_tcls_adamw", {"data.batch_size": 2048}, TOO_LOW),
    "dkr_text_wd_5": ("dk_text_bag", {"optimizer.weight_decay": 5.0}, ("underfitting",)),
    "dkr_text_batch_all": ("dk_text_bag", {"data.batch_size": 512}, TOO_LOW),
    "dkr_img_resnet_lr_1e5": ("dk_img_resnet_small", {"schedule.base_lr": 1e-5}, TOO_LOW),
    "dkr_img_cnn_width_1": ("dk_img_cnn", {"model.width": 1}, ("underfitting",)),
    "dkr_tfr_adam_dropout_09": ("dk_tfr_adam_bs32", {"model.dropout": 0.9}, ("underfitting",)),
    "dkr_tfr_from_logits_false": ("dk_tfr_adamw", {"model.from_logits": False},
                                  ("wrong_loss",)),
    "dkr_tcls_warmup_9": ("dk_tcls_adamw", {"schedule.warmup_epochs": 9.0}, TOO_LOW),
    "dkr_runit_width_1": ("dk_runit_adam", {"model.width": 1}, ("underfitting",)),
}
# Added after the 19 above ran and before these ran (their one example of a rate cut 300x that
# the doctor names underfitting, "too small", was a holdout case): the rate cut 100-300x under
# the configs' cosine schedule, as tune cases; every name has split(name) == "tune".
REPAIR_CASES.update({
    "dkr_text_lr_1e5": ("dk_text_bag", {"schedule.base_lr": 1e-5}, TOO_LOW),
    "dkr_runit_lr_2e5": ("dk_runit_adam", {"schedule.base_lr": 2e-5}, TOO_LOW),
    "dkr_rbig_lr_1e5": ("dk_rbig_adam", {"schedule.base_lr": 1e-5}, TOO_LOW),
    "dkr_img_cnn_lr_1e5": ("dk_img_cnn", {"schedule.base_lr": 1e-5}, TOO_LOW),
    "dkr_tcls_lr_1e5_a": ("dk_tcls_adamw", {"schedule.base_lr": 1e-5}, TOO_LOW),
})
for _name, (_twin, _extra, _expected) in REPAIR_CASES.items():
    BUGGY[_name] = (_twin, _extra, None, _expected)


# Round 15 (h96): held-out launcher configs. 26 faults the galleries do not have, each the
# change of a few keys of an already recorded healthy twin, on digits and every other data kind,
# and 11 healthy configs that are unusual but fine. Written and committed before any of them
# ran; split tune / holdout by split(name) as they stand (no name was changed after its split
# was seen). The fault's expected findings are what a practitioner would accept.
R15_NO_NORM = {"model.norm": "none", "model.dropout": 0.0}
R15_ADAM = {"optimizer.name": "adam", **NO_WD}
R15_SGD_PLAIN = {"optimizer.name": "sgd", "optimizer.momentum": 0.0,
                 "optimizer.nesterov": False, **NO_WD, "schedule.warmup_epochs": 0.0}
R15_VANISH = ("underfitting", "vanishing_gradients", "loss_not_decreasing",
              "saturated_units")
R15_BUGGY = {
    # digits MLP (twin: configs/digits_mlp.py, float32, 10 epochs)
    "dk_r15_mlp_clip_value_tiny": ("dk_r14_mlp_f32_short", {"optimizer.clip_value": 1e-6},
                                   TOO_LOW),
    "dk_r15_mlp_sgd_wd_05": ("dk_r14_mlp_f32_short", {"optimizer.weight_decay": 0.5},
                             ("underfitting",)),
    "dk_r15_mlp_relu16_adam_3e4": ("dk_r14_mlp_f32_short", {
        **R15_ADAM, **R15_NO_NORM, "model.width": 16, "model.depth": 1,
        "schedule.base_lr": 3e-4, "train.epochs": 12}, TOO_LOW),
    "dk_r15_mlp_tanh_deep_random_normal": ("dk_r14_mlp_f32_short", {
        **R15_NO_NORM, "model.activation": "tanh", "model.initializer": "random_normal",
        "model.depth": 10}, R15_VANISH),
    "dk_r15_mlp_adam_beta1_0999": ("dk_r14_mlp_f32_short", {
        **R15_ADAM, "optimizer.beta_1": 0.999, "schedule.base_lr": 3e-2}, TOO_HIGH),
    # digits CNN (twin: configs/digits_cnn.py, mixed_bfloat16, 8 epochs)
    "dk_r15_cnn_crop_padding_6": ("dk_r14_cnn_bf16_short", {"data.augment.crop_padding": 6},
                                  ("underfitting",)),
    "dk_r15_cnn_sgd_plain_1e4": ("dk_r14_cnn_bf16_short", {**R15_SGD_PLAIN,
                                                           "schedule.base_lr": 1e-4}, TOO_LOW),
    # 3-class table (twin dk_tcls_adamw)
    "dk_r15_tcls_sigmoid_deep": ("dk_tcls_adamw", {
        **R15_NO_NORM, "model.activation": "sigmoid", "model.initializer": "glorot_uniform",
        "model.depth": 8}, R15_VANISH),
    "dk_r15_tcls_clip_value_tiny": ("dk_tcls_adamw", {"optimizer.clip_value": 1e-7},
                                    TOO_LOW),
    "dk_r15_tcls_tanh_lr_1": ("dk_tcls_adamw", {**R15_NO_NORM, "model.activation": "tanh",
                                                "schedule.base_lr": 1.0}, TOO_HIGH),
    "dk_r15_tcls_label_noise_05": ("dk_tcls_adamw", {"data.label_noise": 0.5},
                                   ("data_problem",)),
    # regression tables (twins dk_runit_adam: linear, std 1; dk_treg_adam: prices in dollars)
    "dk_r15_runit_exp_decay_fast": ("dk_runit_adam", {
        "schedule.name": "exponential", "schedule.decay_factor": 0.07,
        "schedule.decay_every": 1.0, "schedule.warmup_epochs": 0.0,
        "schedule.base_lr": 1e-3}, TOO_LOW),
    "dk_r15_runit_dropout_05": ("dk_runit_adam", {"model.dropout": 0.5}, ("underfitting",)),
    "dk_r15_runit_sigmoid_deep": ("dk_runit_adam", {
        **R15_NO_NORM, "model.activation": "sigmoid", "model.initializer": "glorot_uniform",
        "model.depth": 8}, R15_VANISH),
    "dk_r15_treg_clip_global_tiny": ("dk_treg_adam", {"optimizer.clip_global_norm": 1e-6},
                                     TOO_LOW),
    # text folder (twin dk_text_bag)
    "dk_r15_text_label_noise_06": ("dk_text_bag", {"data.label_noise": 0.6},
                                   ("data_problem",)),
    "dk_r15_text_width_1": ("dk_text_bag", {"model.width": 1}, ("underfitting",)),
    "dk_r15_text_sgd_plain_1e3": ("dk_text_bag", {**R15_SGD_PLAIN, "schedule.base_lr": 1e-3},
                                  TOO_LOW),
    "dk_r15_text_adam_lr_3_noclip": ("dk_text_bag", {"optimizer.clip_global_norm": 0.0,
                                                     "schedule.base_lr": 3.0}, TOO_HIGH),
    # image folder (twins dk_img_cnn, dk_img_resnet_small)
    "dk_r15_img_label_noise_06": ("dk_img_cnn", {"data.label_noise": 0.6}, ("data_problem",)),
    "dk_r15_img_resnet_width_1": ("dk_img_resnet_small", {"model.width": 1},
                                  ("underfitting",)),
    "dk_r15_img_sgd_plain_1e4": ("dk_img_cnn", {**R15_SGD_PLAIN, "schedule.base_lr": 1e-4},
                                 TOO_LOW),
    # TFRecord shards (twin dk_tfr_adamw)
    "dk_r15_tfr_wd_5": ("dk_tfr_adamw", {"optimizer.weight_decay": 5.0}, ("underfitting",)),
    "dk_r15_tfr_bs8_lr_03_nonorm": ("dk_tfr_adamw", {**R15_NO_NORM, "data.batch_size": 8,
                                                     "schedule.base_lr": 0.3}, TOO_HIGH),
    "dk_r15_tfr_sigmoid_deep": ("dk_tfr_adamw", {
        **R15_NO_NORM, "model.activation": "sigmoid", "model.initializer": "glorot_uniform",
        "model.depth": 8}, R15_VANISH),
    # the shipped transformer on its own sequences (twin: float32, 4 epochs)
    "dk_r15_seq_sgd_plain_1e4": ("dk_r14_seq_f32_short", {**R15_SGD_PLAIN,
                                                          "schedule.base_lr": 1e-4}, TOO_LOW),
}
for _name, (_twin, _extra, _expected) in R15_BUGGY.items():
    BUGGY[_name] = (_twin, _extra, None, _expected)
R15_HEALTHY = {
    # tiny data: 300 digits, early stopping as shipped
    "dk_r15_h_mlp_300_rows": ("shipped", MLP, {**F32, "data.train_examples": 300}),
    # a long run: 40 epochs of the shipped MLP (early stopping as shipped)
    "dk_r15_h_mlp_40_epochs": ("shipped", MLP, {**F32, "train.epochs": 40}),
    # heavy regularization that still fits: dropout 0.5 and weight decay 0.05
    "dk_r15_h_tcls_heavy_reg": ("table_cls", BIN, {"train.epochs": 15, "model.dropout": 0.5,
                                                   "optimizer.weight_decay": 0.05}),
    # mixed_bfloat16 with label smoothing 0.1 on the digits CNN
    "dk_r15_h_cnn_bf16_smooth": ("shipped", CNN, {**BF16, "train.epochs": 8,
                                                  "task.label_smoothing": 0.1}),
    # gradient accumulation: 4 micro-batches of 32 to one update of 128
    "dk_r15_h_mlp_accum4": ("shipped", MLP, {**F32, "train.epochs": 10,
                                             "data.batch_size": 128,
                                             "train.accumulation_steps": 4}),
    # a big batch with its rate scaled (8 x 64 rows, 8 x 3e-3) and a 2-epoch warmup
    "dk_r15_h_tcls_bs512_scaled": ("table_cls", BIN, {"train.epochs": 15,
                                                      "data.batch_size": 512,
                                                      "schedule.base_lr": 2.4e-2,
                                                      "schedule.warmup_epochs": 2.0}),
    # a long warmup (3 of 10 epochs) on the text bag
    "dk_r15_h_text_warmup_3": ("text", BAG, {"train.epochs": 10,
                                             "schedule.warmup_epochs": 3.0}),
    # the image CNN under mixed_bfloat16
    "dk_r15_h_img_bf16": ("images", CNN, {**BF16, "train.epochs": 8}),
    # the linear regression table, 30 epochs (early stopping as shipped)
    "dk_r15_h_runit_30_epochs": ("table_reg_more", REG, {"train.epochs": 30}),
    # label smoothing 0.1 on the TFRecord shards
    "dk_r15_h_tfr_smooth": ("tfrecord", BIN, {"train.epochs": 10,
                                              "task.label_smoothing": 0.1}),
    # the price table (dollars) under mixed_bfloat16
    "dk_r15_h_treg_bf16": ("table_reg", REG, {**BF16, "train.epochs": 10}),
}
HEALTHY.update(R15_HEALTHY)
HEALTHY_DATA["dk_r15_h_runit_30_epochs"] = "reg_unit"
ROUND15 = list(R15_HEALTHY) + list(R15_BUGGY)


def kind_of(name):
    return HEALTHY[name][0] if name in HEALTHY else HEALTHY[BUGGY[name][0]][0]


def data_set(name):
    if name in HEALTHY:
        return HEALTHY_DATA.get(name, HEALTHY[name][0])
    twin, _, data, _ = BUGGY[name]
    if data is None:
        return data_set(twin)
    return data_set(twin) + data if data.startswith("_") else data


def case(name):
    """(kind, config path, overrides) of a case, data path still a placeholder."""
    if name in HEALTHY:
        return ("healthy", HEALTHY[name][1], HEALTHY[name][2])
    twin, extra, _, _ = BUGGY[name]
    _, config, overrides = case(twin)
    return "buggy", config, {**overrides, **extra}


def command(name, workdir, data_root):
    _, config, overrides = case(name)
    dataset = data_set(name)
    path = os.path.join(data_root, dataset + ("" if dataset.startswith(("text", "images",
                                                                        "tfrecord", "shipped"))
                                              else ".csv"))
    overrides = {**_data(kind_of(name))(path), **overrides}
    return ["-m", "launchers.train", f"--config={config}",
            *[_flag(k, v) for k, v in overrides.items()], "--config.train.verbose=0",
            f"--workdir={workdir}", "--overwrite"]


# ----------------------------------------------------------------------------- running
def train_case(name, root, data_root):
    folder = os.path.join(root, name)
    for stale in glob.glob(glob.escape(folder) + ".fix*"):
        shutil.rmtree(stale)
    started = time.time()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, "-m", "benchmarks.doctor_configs", "--child", "--",
                           *command(name, folder, data_root)[2:]],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}: " + (proc.stdout + proc.stderr)[-600:],
                "seconds": round(time.time() - started, 1)}
    with open(os.path.join(folder, "summary.json")) as f:
        summary = json.load(f)
    out = {"findings": _findings(folder), "metric": summary.get("main_metric"),
           "value": summary.get("main_metric_value"), "epochs": summary.get("epochs_run"),
           "seconds": round(time.time() - started, 1), "folder": folder}
    if name in RECALLED:
        out["per_class"] = _recall_child(folder)
    return out


def per_class_recall(folder):
    """Each class's share of the validation rows and the share of them the run's final model
    names right (arg max): what an unweighted model on imbalanced classes gives up. In this
    process (a child of train_case): the run's own data split and weights (restore.load_run)."""
    from ktrain_kit import restore
    from ktrain_kit.data.pipeline import eval_batches
    _, data, model = restore.load_run(folder)
    with open(os.path.join(folder, "config.json")) as f:
        names = json.load(f).get("resolved", {}).get("labels", {})
    true, predicted = [], []
    for x, y in eval_batches(data, 256):
        predicted.append(np.asarray(model(x, training=False)).argmax(axis=-1))
        true.append(np.asarray(y).reshape(-1))
    true, predicted = np.concatenate(true).astype(int), np.concatenate(predicted)
    return {"classes": names, "val_rows": int(len(true)),
            "share": {int(c): float(np.mean(true == c)) for c in np.unique(true)},
            "recall": {int(c): float(np.mean(predicted[true == c] == c)) for c in np.unique(true)}}


def _recall_child(folder):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, "-m", "benchmarks.doctor_data_kinds",
                           f"--recall={folder}"], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    lines = proc.stdout.strip().splitlines()
    return json.loads(lines[-1]) if proc.returncode == 0 and lines else {
        "error": (proc.stdout + proc.stderr)[-400:]}


def fix_case(name, results, budget):
    """launchers.doctor --fix on the recorded run: attempts, and whether one reached 0.95 x
    the twin (a healthy case: how many runs it trained, which must be none)."""
    r = results[name]
    folder = r["folder"]
    for stale in glob.glob(glob.escape(folder) + ".fix*"):
        shutil.rmtree(stale)
    if os.path.exists(os.path.join(folder, "repair.json")):
        os.remove(os.path.join(folder, "repair.json"))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, "-m", "launchers.doctor", folder, "--fix",
                           f"--budget={budget}"], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    state = {}
    if os.path.exists(os.path.join(folder, "repair.json")):
        with open(os.path.join(folder, "repair.json")) as f:
            state = json.load(f)
    attempts = [a for a in state.get("attempts", []) if a.get("state") == "done"]
    out = {"outcome": state.get("outcome"), "exit": proc.returncode, "trained": len(attempts),
           "attempts": [{"overrides": a.get("overrides"), "value": a.get("value"),
                         "findings": a.get("findings")} for a in attempts]}
    if name in BUGGY:
        twin = results.get(BUGGY[name][0], {})
        values = [a.get("value") for a in attempts]
        hit = next((i + 1 for i, v in enumerate(values)
                    if repaired_enough(v, twin.get("value"), twin.get("metric", "val_loss"))),
                   None)
        out.update(repaired=hit is not None, trainings=hit)
    return out


def fault_showed(name, results):
    if name in ALWAYS_SCORED:
        return True
    twin = results.get(BUGGY[name][0], {})
    return "value" in twin and not repaired_enough(results[name].get("value"), twin["value"],
                                                   twin["metric"])


def needs_data_change(name, results):
    """Labels that do not follow the inputs: no setting repairs them (the repair trains
    nothing, as it should), so, as in doctor_repair, the case is listed but not counted."""
    r = results[name]
    return not r["fix"]["trained"] and _serious(_now(r))[:1] == ["data_problem"]


def _now(r):
    return r.get("replayed", r.get("findings", []))


def table(results, field=_now):
    """Per data kind and split: false alarms, detected, right top, repaired."""
    rows = ["| data kind | split | false alarms on healthy | buggy detected | right top finding |"
            " repaired (--fix --budget=3) | --fix trained on healthy |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for kind in KINDS:
        for part in ("tune", "holdout"):
            healthy = [n for n in HEALTHY if kind_of(n) == kind and split(n) == part
                       and "findings" in results.get(n, {})]
            buggy = [n for n in BUGGY if kind_of(n) == kind and split(n) == part
                     and "findings" in results.get(n, {}) and fault_showed(n, results)]
            alarms = [n for n in healthy if _serious(field(results[n]))]
            detected = [n for n in buggy if set(_serious(field(results[n]))) & set(BUGGY[n][3])]
            right = [n for n in buggy if _serious(field(results[n]))[:1] and
                     _serious(field(results[n]))[0] in BUGGY[n][3]]
            tried = [n for n in buggy if "fix" in results[n] and n not in ALWAYS_SCORED
                     and not needs_data_change(n, results)]
            fixed = [n for n in tried if results[n]["fix"].get("repaired")]
            healthy_fix = [n for n in healthy if "fix" in results[n]]
            trained = sum(results[n]["fix"]["trained"] for n in healthy_fix)
            rows.append(f"| {kind} | {part} | {len(alarms)}/{len(healthy)} | "
                        f"{len(detected)}/{len(buggy)} | {len(right)}/{len(buggy)} | "
                        f"{len(fixed)}/{len(tried)} | {trained} runs on {len(healthy_fix)} |")
    return rows


def round_totals(results, names, field=_now):
    """Per split, over `names` only (a round's cases): false alarms, detected and right top
    finding among the scored buggy cases, repaired among those --fix could repair, and the
    runs --fix trained on the healthy ones."""
    rows = ["| split | false alarms on healthy | buggy scored | detected | right top finding |"
            " repaired (--fix --budget=3) | --fix trained on healthy |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for part in ("tune", "holdout"):
        mine = [n for n in names if split(n) == part and "findings" in results.get(n, {})]
        healthy = [n for n in mine if n in HEALTHY]
        buggy = [n for n in mine if n in BUGGY and fault_showed(n, results)]
        alarms = [n for n in healthy if _serious(field(results[n]))]
        detected = [n for n in buggy if set(_serious(field(results[n]))) & set(BUGGY[n][3])]
        right = [n for n in buggy if _serious(field(results[n]))[:1] and
                 _serious(field(results[n]))[0] in BUGGY[n][3]]
        # a quiet miss trains nothing under --fix and counts as not repaired (doctor_repair's)
        tried = [n for n in buggy if "fix" in results[n] and not needs_data_change(n, results)
                 and n not in ALWAYS_SCORED]
        fixed = [n for n in tried if results[n]["fix"].get("repaired")]
        trained = sum(results[n].get("fix", {}).get("trained", 0) for n in healthy)
        rows.append(f"| {part} | {len(alarms)}/{len(healthy)} | {len(buggy)} of "
                    f"{len([n for n in mine if n in BUGGY])} | {len(detected)}/{len(buggy)} | "
                    f"{len(right)}/{len(buggy)} | {len(fixed)}/{len(tried)} | {trained} |")
    return rows


def case_rows(results, field=_now):
    rows = ["| case | kind | split | expected | main metric (twin) | serious findings | --fix |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for name in list(HEALTHY) + list(BUGGY):
        r = results.get(name, {})
        if "findings" not in r:
            if "error" in r:
                rows.append(f"| {name} | error | {split(name)} | - | - | {r['error'][:80]} | - |")
            continue
        value = f"{r['value']:.3f}" if isinstance(r.get("value"), float) else "-"
        twin = BUGGY[name][0] if name in BUGGY else None
        if twin and isinstance(results.get(twin, {}).get("value"), float):
            value += f" ({results[twin]['value']:.3f})"
        fix = r.get("fix")
        repair = "-" if not fix else (
            f"trained {fix['trained']}" if name in HEALTHY else
            f"repaired in {fix['trainings']}" if fix.get("repaired") else
            "needs a data change (nothing trained)" if needs_data_change(name, results) else
            "nothing trained" if not fix["trained"] else
            f"not to 0.95 x twin ({fix['trained']} tried)")
        shown = "healthy" if name in HEALTHY else (
            "buggy" if fault_showed(name, results) else "buggy (fault did not show: unscored)")
        expected = "-" if name in HEALTHY else "/".join(BUGGY[name][3][:3])
        rows.append(f"| {name} | {shown} | {split(name)} | {expected} | {value} | "
                    f"{', '.join(_serious(field(r))) or '-'} | {repair} |")
    return rows


def _load():
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            return json.load(f)
    return {}


def _save(results):
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--only", default="")
    p.add_argument("--kind", choices=("healthy", "buggy", "all"), default="all")
    p.add_argument("--root", default="/tmp/doctor_data_kinds")
    p.add_argument("--again", action="store_true", help="train cases already recorded")
    p.add_argument("--fix", action="store_true")
    p.add_argument("--budget", type=int, default=3)
    p.add_argument("--replay", action="store_true")
    p.add_argument("--table", action="store_true")
    p.add_argument("--round15", action="store_true", help="Round 15's totals and rows")
    p.add_argument("--recall", default="", help="print a run folder's per-class recall (JSON)")
    p.add_argument("--user-case", default="", help="train one user-code case (a child)")
    args = p.parse_args()
    if args.recall:
        print(json.dumps(per_class_recall(args.recall)))
        return
    if args.user_case:
        train_user_case(args.user_case, os.path.join(args.root, args.user_case))
        return
    results = _load()
    if args.round15:
        rows = case_rows({n: results[n] for n in ROUND15 + sorted(
            {BUGGY[n][0] for n in ROUND15 if n in BUGGY}) if n in results})
        print("\n".join(round_totals(results, ROUND15) + [""] + rows[:2] + [
            r for r in rows[2:] if r.split(" | ")[0][2:] in ROUND15]))
        return
    if answered_from_records(args, results, _save, table,
                             lambda r: case_rows(r) + [""] + user_rows(r)):
        return
    for name in [n for n in args.only.split(",") if n in USER_HEALTHY or n in USER_BUGGY]:
        if name in results and "findings" in results[name] and not args.again:
            continue
        results[name] = run_user_case(name, args.root)
        r = results[name]
        print(f"{name:34s} {split(name):7s} {r.get('value')} {_serious(r.get('findings', []))}"
              f" {r.get('seconds')}s {r.get('error', '')}", flush=True)
        _save(results)
    names = chosen_cases(args, HEALTHY, BUGGY, case)
    data_root = make_data(os.path.join(args.root, "data"))
    for name in names:
        if args.fix:
            if "folder" not in results.get(name, {}) or (name in BUGGY and not fault_showed(
                    name, results)) or ("fix" in results[name] and not args.again):
                continue
            results[name]["fix"] = fix_case(name, results, args.budget)
            print(f"{name}: fix {results[name]['fix'].get('repaired')} "
                  f"trained {results[name]['fix']['trained']}", flush=True)
        else:
            if name in results and "findings" in results[name] and not args.again:
                continue
            results[name] = {"kind": case(name)[0], "data_kind": kind_of(name),
                             "split": split(name), **train_case(name, args.root, data_root)}
            r = results[name]
            print(f"{name:34s} {split(name):7s} {r.get('value')} {_serious(r.get('findings', []))}"
                  f" {r.get('seconds')}s {r.get('error', '')}", flush=True)
        _save(results)
    print("\n".join(table(results)))


if __name__ == "__main__":
    main()
