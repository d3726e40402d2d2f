"""Public tables as packages ship them, trained with no preprocessing by the user, side by side
with a plain Keras FeatureSpace model of the same size; and what preprocessing inside the model
would cost per step.

    pip install ".[bench]"          # palmerpenguins, vega_datasets (their files are local)
    nice -n 10 python -m benchmarks.tables [--seeds=3] [--epochs=40] [--out=benchmarks/tables.json]

Tables (none written by us; each read from the package's own file, cars.json written to CSV as
is, missing values as empty cells):
- penguins (palmerpenguins): species from island, sex (text), 4 measurements, year; 2 + 11 gaps.
- cars (vega_datasets): Origin (USA / Europe / Japan) from Name (text), 6 numbers, Year (a date
  as text); 8 + 6 gaps.
- seattle-weather (vega_datasets): weather (5 classes) from date (text), 4 numbers.
- penguins-raw (palmerpenguins' raw file): Species (3, long names) from 15 columns: ids,
  dates, Yes/No, a free-text Comments column, gaps.
- cars-cylinders (vega_datasets cars): Cylinders (3, 4, 5, 6, 8: numbers naming classes).
- iris-r (scikit-learn): classes 1..3 written as R's write.csv writes (row names, quoting, NA).
- wine (scikit-learn): the label first, pandas' index written.
- breast-cancer (scikit-learn): malignant / benign names, tab-separated (.tsv).
- airports-state (vega_datasets airports, USA): state (56) from iata (an id: a different code
  per row), name, city, latitude, longitude.

Ours: `python -m launchers.train --config=configs/tabular_binary.py --config.task.name=
classification --config.data.name=csv --config.data.path=FILE --config.data.label_column=COL
--config.seed=S --config.train.epochs=E`; its figure is summary.json's val accuracy (at the
weights kept: early stopping's best val_loss epoch). The plain model: pandas reads the same
file, the same training/validation rows (ktrain_kit's split of that seed); numbers filled with
the training mean and `float_normalized`, text `string_categorical`; Dense 64 x 2 (batch norm,
relu, dropout 0.1), AdamW with the same cosine schedule, batch size and epochs; its figure is
the val accuracy at its best val_loss epoch too. The sklearn baseline: LogisticRegression on the
same rows, numbers mean-filled and standardized, text one-hot. Medians over the seeds.

Overhead: one training step of the same MLP fed the preprocessed floats, vs the step with the
table's preprocessing (the exported function: raw columns -> FeatureSpace) inside it, timed
over 200 steps each, interleaved, median of 5.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tables(folder):
    """{name: (csv path, label column)} from the packages' own files, and scikit-learn's
    bundled tables exported the ways users export them."""
    import csv

    import palmerpenguins
    import vega_datasets
    from sklearn import datasets
    from vega_datasets import local_data
    vega = os.path.join(os.path.dirname(vega_datasets.__file__), "_data")
    penguins = os.path.join(os.path.dirname(palmerpenguins.__file__), "data")
    cars = os.path.join(folder, "cars.csv")
    local_data.cars().to_csv(cars, index=False)
    iris = datasets.load_iris(as_frame=True).frame
    iris["target"] += 1  # R's factor codes 1..3, written by write.csv: row names, quoting, NA
    iris_r = os.path.join(folder, "iris-r.csv")
    iris.to_csv(iris_r, index_label="", quoting=csv.QUOTE_NONNUMERIC, na_rep="NA")
    wine = datasets.load_wine(as_frame=True).frame
    wine = wine[["target"] + [c for c in wine.columns if c != "target"]]  # label first
    wine_path = os.path.join(folder, "wine.csv")
    wine.to_csv(wine_path)  # pandas' default: with its index
    cancer = datasets.load_breast_cancer(as_frame=True)
    frame = cancer.frame.copy()
    frame["target"] = cancer.target_names[cancer.target]
    cancer_path = os.path.join(folder, "breast-cancer.tsv")
    frame.to_csv(cancer_path, sep="\t", index=False)
    airports = local_data.airports()
    airports_path = os.path.join(folder, "airports.csv")
    usa = airports[airports.country == "USA"]
    usa.dropna(subset=["state"]).to_csv(airports_path, index=False)  # 3 rows have no state
    return {"penguins": (os.path.join(penguins, "penguins.csv"), "species"),
            "cars": (cars, "Origin"),
            "seattle-weather": (os.path.join(vega, "seattle-weather.csv"), "weather"),
            "penguins-raw": (os.path.join(penguins, "penguins-raw.csv"), "Species"),
            "cars-cylinders": (cars, "Cylinders"),
            "iris-r": (iris_r, "target"),
            "wine": (wine_path, "target"),
            "breast-cancer": (cancer_path, "target"),
            "airports-state": (airports_path, "state")}


def read_frame(path):
    """The table as pandas reads it, without the index column an export wrote."""
    import pandas as pd
    frame = pd.read_csv(path, sep="\t" if path.endswith(".tsv") else ",")
    return frame[[c for c in frame.columns if not c.startswith("Unnamed: ")]]


def sklearn_baseline(path, label, rows):
    """Validation accuracy of a logistic regression on the same rows: numbers mean-filled and
    standardized, text one-hot (every value, unknown ones ignored), as pandas types them."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    frame = read_frame(path)
    y = frame.pop(label).astype(str).to_numpy()
    numbers = [c for c in frame.columns if frame[c].dtype.kind in "if"]
    text = [c for c in frame.columns if c not in numbers]
    frame[text] = frame[text].fillna("missing").astype(str)
    model = make_pipeline(ColumnTransformer(
        [("numbers", make_pipeline(SimpleImputer(), StandardScaler()), numbers),
         ("text", OneHotEncoder(handle_unknown="ignore"), text)]),
        LogisticRegression(max_iter=5000))
    model.fit(frame.iloc[rows["train"]], y[rows["train"]])
    return float(model.score(frame.iloc[rows["val"]], y[rows["val"]]))


def config_args(path, label, seed, epochs):
    return ["--config=configs/tabular_binary.py", "--config.task.name=classification",
            "--config.data.name=csv", f"--config.data.path={path}",
            f"--config.data.label_column={label}", f"--config.seed={seed}",
            f"--config.train.epochs={epochs}", "--config.train.verbose=0"]


def ours(path, label, seed, epochs, folder):
    workdir = os.path.join(folder, f"run-{os.path.basename(path)}-{label}-{seed}")
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run([sys.executable, "-m", "launchers.train",
                             *config_args(path, label, seed, epochs), f"--workdir={workdir}"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])
    return json.load(open(os.path.join(workdir, "summary.json")))["best_val_accuracy"]


def plain_keras(path, label, seed, epochs):
    """The plain FeatureSpace model on ktrain_kit's split of this seed."""
    import keras
    import pandas as pd
    import tensorflow as tf

    from configs.tabular_binary import get_config
    from ktrain_kit.data import load
    c = get_config()
    c.task.name, c.data.name, c.data.path, c.data.label_column, c.seed = \
        "classification", "csv", path, label, seed
    data = load(c.data, c.task, seed)
    train_rows, val_rows = data.preprocessing.rows["train"], data.preprocessing.rows["val"]
    frame = read_frame(path)
    frame.columns = [c.replace("/", "_") for c in frame.columns]  # Keras refuses '/' in names
    label = label.replace("/", "_")
    y = pd.Categorical(frame.pop(label).astype(str), categories=data.labels["class_names"]).codes
    features = {}
    for name in frame.columns:
        if frame[name].dtype.kind in "if":
            frame[name] = frame[name].astype("float32").fillna(
                float(frame[name].iloc[train_rows].mean()))
            features[name] = keras.utils.FeatureSpace.float_normalized()
        else:
            frame[name] = frame[name].fillna("missing").astype(str)
            features[name] = keras.utils.FeatureSpace.string_categorical(num_oov_indices=1)
    columns = {k: frame[k].to_numpy() for k in frame.columns}

    def dataset(rows, shuffle):
        ds = tf.data.Dataset.from_tensor_slices(({k: v[rows] for k, v in columns.items()},
                                                 y[rows]))
        return ds.shuffle(len(rows), seed=seed) if shuffle else ds

    keras.utils.set_random_seed(seed)
    space = keras.utils.FeatureSpace(features, output_mode="concat")
    space.adapt(dataset(train_rows, False).map(lambda x, _: x).batch(256))
    train = dataset(train_rows, True).batch(c.data.batch_size, drop_remainder=True).map(
        lambda x, t: (space(x), t)).prefetch(2)
    val = dataset(val_rows, False).batch(c.data.batch_size).map(lambda x, t: (space(x), t))
    inputs = keras.Input((space.get_encoded_features().shape[-1],))
    x = inputs
    for _ in range(c.model.depth):
        x = keras.layers.Dense(c.model.width, kernel_initializer="he_normal")(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.Dropout(c.model.dropout)(keras.layers.Activation("relu")(x))
    outputs = keras.layers.Dense(len(data.labels["class_names"]))(
        keras.layers.Dropout(c.model.dropout)(x))
    model = keras.Model(inputs, outputs)
    steps = len(train_rows) // c.data.batch_size * epochs
    warmup = len(train_rows) // c.data.batch_size
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, steps - warmup, warmup_target=c.schedule.base_lr, warmup_steps=warmup)
    model.compile(keras.optimizers.AdamW(schedule, weight_decay=c.optimizer.weight_decay),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(train, validation_data=val, epochs=epochs, verbose=0).history
    return (float(history["val_accuracy"][int(np.argmin(history["val_loss"]))]),
            sklearn_baseline(path, label, data.preprocessing.rows))


def overhead(path, label, repeats=5, steps=200):
    """(seconds per step on floats, seconds per step with the preprocessing inside)."""
    import keras
    import tensorflow as tf

    from configs.tabular_binary import get_config
    from ktrain_kit import models
    from ktrain_kit.data import features as features_lib
    from ktrain_kit.data import load
    from ktrain_kit.data import table as table_lib
    c = get_config()
    c.task.name, c.data.name, c.data.path, c.data.label_column = \
        "classification", "csv", path, label
    data = load(c.data, c.task, 0)
    net = models.build(c.model, data)
    optimizer = keras.optimizers.Adam(1e-3)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    table = table_lib.read_table(path)
    raw = features_lib.raw_columns(table, data.preprocessing.specs)
    batch = c.data.batch_size
    rows = data.preprocessing.rows["train"][:batch]
    raw_batch = {k: tf.constant(v[rows].astype(str) if v.dtype == object else v[rows])
                 for k, v in raw.items()}
    x_batch, y_batch = tf.constant(data.x_train[:batch]), tf.constant(data.y_train[:batch])

    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, net(x, training=True))
        grads = tape.gradient(loss, net.trainable_variables)
        optimizer.apply_gradients(zip(grads, net.trainable_variables))
        return loss

    on_floats = tf.function(step)
    inside = tf.function(lambda columns, y: step(data.preprocessing.encode(columns), y))

    def timed(fn, *args):
        fn(*args)
        start = time.perf_counter()
        for _ in range(steps):
            out = fn(*args)
        float(out)
        return (time.perf_counter() - start) / steps

    pairs = [(timed(on_floats, x_batch, y_batch), timed(inside, raw_batch, y_batch))
             for _ in range(repeats)]
    return [float(np.median([p[0] for p in pairs])), float(np.median([p[1] for p in pairs]))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "tables.json"))
    parser.add_argument("--only", default="", help="comma-separated table names (default: all)")
    args = parser.parse_args()
    sys.path.insert(0, ROOT)
    results = {"epochs": args.epochs, "seeds": args.seeds, "tables": {}}
    with tempfile.TemporaryDirectory() as folder:
        for name, (path, label) in tables(folder).items():
            if args.only and name not in args.only.split(","):
                continue
            rows = {"ours": [], "plain_keras": [], "sklearn_logistic": []}
            for seed in range(args.seeds):
                rows["ours"].append(ours(path, label, seed, args.epochs, folder))
                plain, logistic = plain_keras(path, label, seed, args.epochs)
                rows["plain_keras"].append(plain)
                rows["sklearn_logistic"].append(logistic)
                print(name, seed, rows["ours"][-1], plain, logistic, flush=True)
            for key in ("ours", "plain_keras", "sklearn_logistic"):
                rows[f"median_{key}"] = float(np.median(rows[key]))
            results["tables"][name] = rows
        path, label = tables(folder)["penguins"]
        floats, inside = overhead(path, label)
        results["overhead"] = {"step_s_on_floats": floats, "step_s_preprocessing_inside": inside,
                               "ratio": inside / floats}
    print(json.dumps(results, indent=1))
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
