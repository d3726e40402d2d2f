"""Round h94's runs beside scikit-learn on the run's own training / validation rows (the file read
by pandas with the setting a pandas user gives: `comment='#'`, `skiprows`, and for `signs` the
currency / percent sign stripped as `str.replace` does), one JSON line a run. Baselines as round
h90's (benchmarks/users_bring_h90/serve_and_baselines.py)."""
import json, os, re, sys
import numpy as np, pandas as pd
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
H90 = open(os.path.join(ROOT, "benchmarks/users_bring_h90/serve_and_baselines.py")).read()
namespace = {"np": np, "pd": pd}
exec("def baselines" + H90.split("def baselines", 1)[1].split("\nfor i in only:")[0], namespace)
baselines = namespace["baselines"]
from ktrain_kit import restore


def pandas_frame(c):
    o = dict(c["opts"]); signs = o.pop("signs", False)
    f = pd.read_csv(c["path"], **({k: v for k, v in o.items() if k != "decimal"} if signs else o))
    for col in f.columns if signs else ():
        if f[col].dtype == object and f[col].dropna().astype(str).str.contains(r"^[-$£€\d., %\s]+$").all() \
                and f[col].dropna().astype(str).str.contains(r"[$€£%]").all():
            s = f[col].astype(str).str.replace(r"[$€£%\s]", "", regex=True)
            s = s.str.replace(".", "").str.replace(",", ".") if o.get("decimal") == "," else s.str.replace(",", "")
            f[col] = s.astype(float)
    if signs and o.get("decimal") == ",":
        for col in f.columns:
            if f[col].dtype == object and f[col].dropna().astype(str).str.fullmatch(r"-?\d+(,\d+)?").all():
                f[col] = f[col].str.replace(",", ".").astype(float)
    return f


for i, c in enumerate(json.load(open(sys.argv[1]))):
    w = f"/tmp/h94/runs/run_{i}"; r = {"i": i, "path": os.path.basename(c["path"]), "label": c["label"], "task": c["task"]}
    try:
        s = json.load(open(w + "/summary.json"))
        r["ours"] = s["val_metrics"].get("val_rmse" if c["task"] == "regression" else "val_accuracy")
        config, data, model = restore.load_run(w)
        tr, va = data.preprocessing.rows["train"], data.preprocessing.rows["val"]
        r["baselines"] = baselines(pandas_frame(c), c["label"], c["task"], tr, va); r["rows"] = [len(tr), len(va)]
    except Exception as e:
        import traceback; r["error"] = traceback.format_exc()[-600:]
    print(json.dumps(r), flush=True)
