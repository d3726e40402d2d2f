"""In-process read of each case as the launcher reads it, compared with pandas (opts; a case
of round h94 may say `json_lines`: pandas' read_json)."""
import json, os, sys, traceback, signal
import numpy as np, pandas as pd
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from benchmarks.public_tables import named_fix
from configs.tabular_regression import get_config
from ktrain_kit.data import features as F, sources, table as T
from ktrain_kit.errors import UserError

def pandas_frame(c):
    o = dict(c["opts"]); o.pop("binary", None)
    if o.pop("json_lines", None): return pd.read_json(c["path"], lines=True)
    f = pd.read_csv(c["path"], **o)
    if o.get("header", "infer") is None: f.columns = [str(x) for x in f.columns]
    f.columns = [x.strip() if isinstance(x, str) else x for x in f.columns]
    return f[[x for x in f.columns if not str(x).startswith("Unnamed: ")]]

def task_of(f, label):
    y = f[label].dropna()
    if y.dtype.kind in "if" and y.nunique() > 10: return "regression"
    return "binary" if y.nunique() == 2 else "classification"

def ours(c, task, settings):
    cfg = get_config(); d = cfg.data
    d.name, d.path, d.label_column, cfg.task.name = "csv", c["path"], c["label"], task
    for s in settings:
        k, v = s[len("--config."):].split("=", 1); sec, key = k.split(".")
        if sec == "task": cfg.task.name = v
        elif key == "features": d.features = json.loads(v)
        else: setattr(d, key, type(getattr(d, key))(v) if not isinstance(getattr(d, key), bool) else v == "true")
    raw = sources._csv(d, cfg.task, np.random.default_rng(0))
    t, used = raw.table["table"], raw.table["features"]
    specs = F.column_specs(t, used, np.arange(len(t.rows)), d.features)
    raw.notes = [*raw.notes, *F.typing_notes(t, specs)]
    return raw, t, specs

def compare(f, t, specs, label, dropped=False):
    mis = []
    if len(f) != len(t.rows) and not dropped: mis.append(f"rows ours {len(t.rows)} pandas {len(f)}")
    cols = F.raw_columns(t, specs); typed = {s["name"]: s for s in specs}
    for name in f.columns:
        name_s = str(name)
        if name_s == str(label) or name_s not in typed: continue
        s = typed[name_s]; pc = f[name]
        num = pd.api.types.is_numeric_dtype(pc) and not pd.api.types.is_bool_dtype(pc)
        if s["dtype"] == "float32" and num and len(pc) == len(cols[name_s]):
            a = cols[name_s].astype(float); b = pc.to_numpy(float)
            bad = ~((np.isnan(a) & np.isnan(b)) | np.isclose(a, b, rtol=1e-6, atol=1e-6))
            if bad.any():
                i = int(np.argmax(bad)); mis.append(f"{name_s!r} value row {i}: ours {a[i]} pandas {b[i]}")
        elif s["dtype"] == "float32" and not num and pc.notna().any():
            mis.append(f"{name_s!r}: ours numbers ({s['type']}), pandas text {pc.dropna().iloc[0]!r}")
        elif s["dtype"] != "float32" and num and s["type"] not in ("categorical",):
            mis.append(f"{name_s!r}: ours {s['type']}, pandas numbers")
        elif s["dtype"] != "float32" and not num and len(pc) == len(cols[name_s]):
            a = cols[name_s]; b = pc.fillna("").astype(str).str.strip().to_numpy()
            bad = [i for i in range(len(a)) if not T.is_missing(a[i]) and a[i] != b[i]]
            if bad: mis.append(f"{name_s!r} text row {bad[0]}: ours {a[bad[0]]!r} pandas {b[bad[0]]!r}")
    return mis

def run(c):
    r = {"path": c["path"]}
    try:
        f = pandas_frame(c) if not c["opts"].get("binary") else None
    except Exception as e:
        f = None; r["pandas"] = str(e)[:200]
    label = c["label"]
    if f is not None and label == "-1": label = str(f.columns[-1])
    task = c["task"] if c["task"] != "auto" else (task_of(f, label) if f is not None and label in f else "regression")
    r["label"], r["task"] = label, task
    settings = []
    for attempt in range(3):
        try:
            raw, t, specs = ours(dict(c, label=label), task, settings)
            r["outcome"] = "read"; r["settings"] = settings
            r["types"] = {s["name"]: s["type"] for s in specs}
            r["notes"] = raw.notes if isinstance(raw.notes, str) else str(raw.notes)
            r["misreads"] = compare(f, t, specs, label, any('drop_unlabeled' in s for s in settings)) if f is not None else []
            return r
        except UserError as e:
            msg = str(e); r.setdefault("refusals", []).append(msg)
            fix = [s for s in named_fix(msg) if s not in settings]
            if not fix: r["outcome"] = "refused"; return r
            settings = settings + fix
        except Exception:
            r["outcome"] = "CRASH"; r["tb"] = traceback.format_exc()[-1500:]; return r
    r["outcome"] = "refused"; return r

cases = json.load(open(sys.argv[1]))
for c in cases:
    signal.alarm(120)
    try: r = run(c)
    except Exception: r = {"path": c["path"], "outcome": "CRASH-harness", "tb": traceback.format_exc()[-800:]}
    signal.alarm(0)
    print(json.dumps(r), flush=True)
