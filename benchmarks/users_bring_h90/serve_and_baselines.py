"""For each trained run: serve its export on the validation rows read by pandas (another reader),
compare with the run's model; fit LogisticRegression/Ridge and HistGradientBoosting on the same
train/val rows (pandas' reading of the file). Prints one JSON line a run."""
import json, math, os, sys
import numpy as np, pandas as pd
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
import tensorflow as tf
from ktrain_kit import restore
cases = json.load(open(os.environ.get("CASES", "/tmp/h90/train_cases.json")))
only = [int(a) for a in sys.argv[1:]] or range(len(cases))

def baselines(frame, label, task, train, val):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier as HC, HistGradientBoostingRegressor as HR
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler, FunctionTransformer
    y = frame[label]; X = frame.drop(columns=[label])
    y = y.astype(float).to_numpy() if task == "regression" else y.astype(str).to_numpy()
    nums = [c for c in X if X[c].dtype.kind in "ifb"]
    objs = [c for c in X if c not in nums]
    texts = [c for c in objs if X[c].astype(str).str.split().str.len().mean() >= 3 and X[c].nunique() > 0.5 * len(X)]
    cats = [c for c in objs if c not in texts]
    X[objs] = X[objs].fillna("").astype(str); X[nums] = X[nums].astype(float)
    def prep():
        parts = [("n", make_pipeline(SimpleImputer(), StandardScaler()), nums), ("c", OneHotEncoder(handle_unknown="ignore", min_frequency=2), cats)]
        parts += [(f"t{i}", TfidfVectorizer(sublinear_tf=True), c) for i, c in enumerate(texts)]
        return ColumnTransformer(parts)
    out = {}
    models = {"linear": Ridge() if task == "regression" else LogisticRegression(max_iter=5000),
              "hgb": HR() if task == "regression" else HC()}
    for name, m in models.items():
        try:
            if name == "hgb" and texts:
                pipe = make_pipeline(prep(), FunctionTransformer(lambda a: a.toarray() if hasattr(a, "toarray") else a), m)
            else:
                pipe = make_pipeline(prep(), FunctionTransformer(lambda a: a.toarray() if hasattr(a, "toarray") else a), m) if name == "hgb" else make_pipeline(prep(), m)
            pipe.fit(X.iloc[train], y[train]); p = pipe.predict(X.iloc[val])
            out[name] = float(np.sqrt(np.mean((p - y[val]) ** 2))) if task == "regression" else float(np.mean(p == y[val]))
        except Exception as e:
            out[name] = f"failed {e}"[:100]
    return out

for i in only:
    c = cases[i]; w = c.get("run", f"/tmp/h90/run_{i}"); r = {"i": i, "path": c["path"].split("/data/")[1], "label": c["label"], "task": c["task"], "settings": c["settings"]}
    try:
        s = json.load(open(w + "/summary.json"))
        r["ours"] = s["val_metrics"].get("val_rmse" if c["task"] == "regression" else "val_accuracy")
        config, data, model = restore.load_run(w)
        tr, va = data.preprocessing.rows["train"], data.preprocessing.rows["val"]
        o = dict(c["opts"]); 
        typed = pd.read_csv(c["path"], **o)
        o2 = {k: v for k, v in o.items() if k not in ("decimal", "na_values", "thousands")}
        cells = pd.read_csv(c["path"], dtype=str, keep_default_na=False, **o2)
        for f in (typed, cells):
            f.columns = [str(x).strip().split("#", 1)[-1] if c.get("rename") else str(x).strip() for x in f.columns]
        if any("drop_unlabeled" in x for x in c["settings"]):
            keep = typed[c["label"]].notna().to_numpy()
            typed, cells = typed[keep].reset_index(drop=True), cells[keep].reset_index(drop=True)
        serve = tf.saved_model.load(w + "/export/1").signatures["serving_default"]
        spec = serve.structured_input_signature[1]
        names = {v: k for k, v in data.preprocessing.input_names().items()}
        feed = {}
        for name, sp in spec.items():
            col = names[name]
            if sp.dtype == tf.float32:
                v = typed[col]
                if v.dtype == object:  # grouped thousands: ungrouped as README says
                    v = v.map(lambda x: float(str(x).replace(",", "")) if isinstance(x, str) else x)
                feed[name] = tf.constant(v.to_numpy(float)[va], tf.float32)
            else:
                feed[name] = tf.constant(cells[col].to_numpy()[va].astype(str), tf.string)
        out = serve(**feed)
        mine = np.asarray(model.predict(data.x_val, verbose=0))
        best = min((float(np.max(np.abs(out[k].numpy().reshape(mine.shape) - mine))), k) for k in out if out[k].numpy().size == mine.size)
        r["served_vs_model"] = best
        r["baselines"] = baselines(typed.copy(), c["label"], c["task"], tr, va)
        r["rows"] = [len(tr), len(va)]
    except Exception as e:
        import traceback; r["error"] = traceback.format_exc()[-600:]
    print(json.dumps(r), flush=True)
