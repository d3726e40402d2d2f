import csv, json, glob, io, numpy as np, pandas as pd, sys
sys.path.insert(0, "/tmp/h90"); 
D = "/tmp/h90/data/w2"; cases = []
def add(path, label, task, **opts): cases.append(dict(path=path, label=str(label), task=task, opts=opts))
from sklearn import datasets as sk
R = "/tmp/h90/pyds/resources/rdata/csv/"
frames = {}
b = sk.load_iris(as_frame=True); f = b.frame.copy(); f["target"] = [b.target_names[i] for i in b.target]; frames["iris"] = (f, "target", "classification")
for pkg, name, label, task in [("MASS", "birthwt", "low", "binary"), ("car", "Prestige", "prestige", "regression"),
                               ("datasets", "airquality", "Ozone", "regression"), ("MASS", "survey", "Sex", "binary"), ("car", "Salaries", "salary", "regression")]:
    frames[name] = (pd.read_csv(glob.glob(f"{R}{pkg}/{name}.csv")[0], index_col=0), label, task)
for name, (f, label, task) in frames.items():
    g = f"{D}/{name}"
    p = g + "__quote_all.csv"; f.to_csv(p, index=False, quoting=csv.QUOTE_ALL); add(p, label, task)
    p = g + "__cr_only.csv"; f.to_csv(p, index=False, lineterminator="\r"); add(p, label, task)
    p = g + "__excel_sep_hint.csv"; open(p, "w", newline="").write("sep=;\r\n" + f.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")); add(p, label, task, sep=";", decimal=",", skiprows=1)
    p = g + "__utf16_tab.txt"; open(p, "wb").write(f.to_csv(index=False, sep="\t", lineterminator="\r\n").encode("utf-16")); add(p, label, task, sep="\t", encoding="utf-16")
    p = g + "__readr.csv"; f.to_csv(p, index=False, na_rep="NA"); add(p, label, task)
    p = g + "__pipe.psv"; f.to_csv(p, index=False, sep="|"); add(p, label, task, sep="|")
    p = g + "__trailing_delim.csv"; open(p, "w").write("".join(l + ",\n" for l in f.to_csv(index=False).splitlines())); add(p, label, task, index_col=False)
    p = g + "__comment_top.csv"; open(p, "w").write("# exported 2024-05-01 by tool v2\n# source: survey\n" + f.to_csv(index=False)); add(p, label, task, comment="#")
    p = g + "__sci.csv"; f.to_csv(p, index=False, float_format="%.6E"); add(p, label, task)
    p = g + "__padded.csv"; ff = f.copy();
    for c in ff.columns:
        if ff[c].dtype == object: ff[c] = ff[c].map(lambda v: f"  {v}  " if isinstance(v, str) else v)
    ff.to_csv(p, index=False, float_format="%10.3f"); add(p, label, task, skipinitialspace=True)
    p = g + "__units_header.csv"; ff = f.copy(); ff.columns = [f"{c} (unit)" if c != label else c for c in f.columns]; ff.to_csv(p, index=False); add(p, label, task)
    p = g + "__excel_errors.csv"; ff = f.copy(); num = [c for c in ff.columns if ff[c].dtype.kind == "f" and c != label]
    if num: ff[num[0]] = ff[num[0]].astype(object); ff.loc[ff.index[::17], num[0]] = "#VALUE!"
    ff.to_csv(p, index=False); add(p, label, task, na_values=["#VALUE!"])
    p = g + "__fwrite_iso.csv"; ff = f.copy(); ff.insert(0, "recorded", pd.date_range("2021-01-01", periods=len(ff), freq="D").strftime("%Y-%m-%dT%H:%M:%SZ")); ff.to_csv(p, index=False); add(p, label, task)
    p = g + "__sas_dates.csv"; ff = f.copy(); ff.insert(0, "visit", pd.date_range("2021-01-01", periods=len(ff), freq="D").strftime("%d%b%Y").str.upper()); ff.to_csv(p, index=False); add(p, label, task)
json.dump(cases, open("/tmp/h90/data/cases2.json", "w")); print(len(cases))
