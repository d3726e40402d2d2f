"""Corpus for round h90: real files from packages not used before + tool-style exports."""
import glob, json, os, shutil, csv, io
import numpy as np, pandas as pd
X = "/tmp/h90/pkgs/x"; D = "/tmp/h90/data"
cases = []  # dict(path, label, task, opts)
def add(path, label, task, **opts):
    cases.append(dict(path=path, label=str(label), task=task, opts=opts))

def real():
    os.makedirs(D + "/real", exist_ok=True)
    files = (glob.glob(X + "/prince*/prince/datasets/*.csv") + glob.glob(X + "/semopy*/semopy/examples/*.csv")
             + glob.glob(X + "/kmodes*/**/*.csv", recursive=True) + glob.glob(X + "/reliability*/**/*.csv", recursive=True)
             + glob.glob(X + "/scikit_posthocs*/**/*.csv", recursive=True) + glob.glob(X + "/bnlearn*/**/*.csv", recursive=True)
             + glob.glob(X + "/arch*/arch/data/*/*.csv.gz") + glob.glob(X + "/arch*/arch/tests/**/*.csv", recursive=True)
             + glob.glob(X + "/rdrobust*/rdrobust/data/*.csv") + glob.glob(X + "/dabest*/**/*.csv", recursive=True)
             + glob.glob(X + "/dowhy*/**/*.csv", recursive=True))
    for f in files:
        pkg = f[len(X) + 1:].split("-")[0]
        dst = f"{D}/real/{pkg}__{os.path.basename(f)}"
        shutil.copy(f, dst)
        add(dst, -1, "auto")
    for f in glob.glob(X + "/afinn*/afinn/data/*.txt"):
        dst = f"{D}/real/afinn__{os.path.basename(f)[:-4]}.tsv"; shutil.copy(f, dst); add(dst, -1, "auto", sep="\t", header=None)
    dst = D + "/real/vader__lexicon.tsv"; shutil.copy(glob.glob(X + "/vader*/vaderSentiment/vader_lexicon.txt")[0], dst)
    add(dst, -1, "auto", sep="\t", header=None)
    dst = D + "/real/vader__emoji.tsv"; shutil.copy(glob.glob(X + "/vader*/vaderSentiment/emoji_utf8_lexicon.txt")[0], dst)
    add(dst, -1, "auto", sep="\t", header=None)

def base_frames():
    from sklearn import datasets as sk
    out = {}
    for name, fn in [("iris", sk.load_iris), ("wine", sk.load_wine), ("cancer", sk.load_breast_cancer)]:
        b = fn(as_frame=True); f = b.frame.copy(); f["target"] = [b.target_names[i] for i in b.target]; out[name] = (f, "target", "classification" if name != "cancer" else "binary")
    b = sk.load_diabetes(as_frame=True, scaled=False); out["diabetes"] = (b.frame, "target", "regression")
    R = "/tmp/h90/pyds/resources/rdata/csv/"
    for pkg, name, label, task in [("datasets", "mtcars", "mpg", "regression"), ("MASS", "Boston", "medv", "regression"),
                                   ("MASS", "Pima.tr", "type", "binary"), ("datasets", "ToothGrowth", "len", "regression"),
                                   ("MASS", "birthwt", "low", "binary"), ("car", "Prestige", "prestige", "regression"),
                                   ("datasets", "airquality", "Ozone", "regression"), ("MASS", "survey", "Sex", "binary"),
                                   ("Ecdat", "Caschool", "testscr", "regression"), ("AER", "CreditCard", "card", "binary"),
                                   ("ISLR", "Default", "default", "binary"), ("car", "Salaries", "salary", "regression")]:
        fs = glob.glob(f"{R}{pkg}/{name}.csv")
        if not fs: print("missing", pkg, name); continue
        f = pd.read_csv(fs[0], index_col=0); out[name] = (f, label, task)
    return out

def exports(frames):
    os.makedirs(D + "/gen", exist_ok=True)
    for name, (f, label, task) in frames.items():
        g = f"{D}/gen/{name}"
        # Excel FR/DE "CSV (point-virgule)": ; decimal comma, cp1252, CRLF
        f.to_csv(g + "__excel_fr.csv", sep=";", decimal=",", index=False, encoding="cp1252", lineterminator="\r\n")
        add(g + "__excel_fr.csv", label, task, sep=";", decimal=",", encoding="cp1252")
        # Excel "CSV UTF-8": BOM, ; decimal comma
        f.to_csv(g + "__excel_utf8bom_de.csv", sep=";", decimal=",", index=False, encoding="utf-8-sig", lineterminator="\r\n")
        add(g + "__excel_utf8bom_de.csv", label, task, sep=";", decimal=",", encoding="utf-8-sig")
        # Excel US CSV UTF-8 with BOM
        f.to_csv(g + "__excel_us_bom.csv", index=False, encoding="utf-8-sig", lineterminator="\r\n")
        add(g + "__excel_us_bom.csv", label, task, encoding="utf-8-sig")
        # LibreOffice: text quoted
        f.to_csv(g + "__libre.csv", index=False, quoting=csv.QUOTE_NONNUMERIC)
        add(g + "__libre.csv", label, task)
        # R write.csv: row names, "NA", quoted strings
        f.to_csv(g + "__r_writecsv.csv", index=True, index_label="", na_rep="NA", quoting=csv.QUOTE_NONNUMERIC)
        add(g + "__r_writecsv.csv", label, task, index_col=0)
        # pandas to_csv with its index
        f.to_csv(g + "__pandas_index.csv")
        add(g + "__pandas_index.csv", label, task, index_col=0)
        # R write.table default: space separated, quoted, row names, header one short
        f.to_csv(g + "__r_writetable.txt", sep=" ", na_rep="NA", quoting=csv.QUOTE_NONNUMERIC)
        add(g + "__r_writetable.txt", label, task, sep=" ", index_col=0)
        # tab separated .tsv
        f.to_csv(g + "__tsv.tsv", sep="\t", index=False)
        add(g + "__tsv.tsv", label, task, sep="\t")

def kaggle():
    rng = np.random.default_rng(90); n = 1200
    os.makedirs(D + "/kag", exist_ok=True)
    POS = "great love perfect fast 😍 👍 excellent recommend".split(); NEG = "broken awful slow 😡 👎 refund terrible".split()
    FILL = "the product arrived box it was and my kids use every day quality price shipping seller".split()
    y = rng.integers(0, 2, n)
    def text(t, k):
        ws = list(rng.choice(FILL, k)) + list(rng.choice(POS if t else NEG, 2))
        rng.shuffle(ws); s = " ".join(ws)
        if rng.random() < 0.3: s = s.replace(" ", "\n", 1)  # embedded newline
        if rng.random() < 0.2: s = s + ' "really"'
        return s
    price = rng.gamma(2, 600, n)
    disc = rng.integers(0, 60, n)
    frame = pd.DataFrame({
        "review_id": rng.choice(np.arange(10**6, 10**7), n, replace=False),
        "review": [text(t, 30) for t in y],
        "price": [f"${v:,.2f}" for v in price],
        "discount": [f"{d}%" for d in disc],
        "verified": rng.choice(["yes", "no", "Y", "N", "TRUE", "FALSE"], n),
        "date": [pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(d)) for d in rng.integers(0, 900, n)],
        "meta": [json.dumps({"color": c, "size": s}) for c, s in zip(rng.choice(["red", "blue"], n), rng.choice(["S", "M", "L"], n))],
        "stars": np.where(y == 1, rng.integers(4, 6, n), rng.integers(1, 3, n)),
        "recommended": np.where(y == 1, "yes", "no")})
    frame["date"] = [d.strftime(rng.choice(["%Y-%m-%d", "%d/%m/%Y", "%b %d, %Y"])) for d in frame["date"]]
    p = D + "/kag/reviews_all.csv"; frame.drop(columns="stars").to_csv(p, index=False); add(p, "recommended", "binary")
    # clean subsets: one messy kind each
    base = frame[["review", "stars", "recommended"]]
    for col in ["price", "discount", "verified", "date", "meta", "review_id"]:
        p = f"{D}/kag/reviews_{col}.csv"; pd.concat([frame[[col]], base], axis=1).drop(columns="stars").to_csv(p, index=False)
        add(p, "recommended", "binary")
    # booleans consistently spelled, as several writers do
    for spell, (a, b) in {"yesno": ("yes", "no"), "YN": ("Y", "N"), "TRUEFALSE": ("TRUE", "FALSE"), "TrueFalse": ("True", "False"), "10": ("1", "0")}.items():
        flag = rng.integers(0, 2, n); x = rng.normal(size=n)
        yy = (x + 1.5 * flag + rng.normal(0, .5, n) > 0.75)
        p = f"{D}/kag/bool_{spell}.csv"
        pd.DataFrame({"x": x.round(3), "member": np.where(flag, a, b), "bought": np.where(yy, a, b)}).to_csv(p, index=False)
        add(p, "bought", "binary")
    # long free text, emoji, newlines, regression on text
    sal = rng.normal(60000, 15000, n).round(-2)
    words = ["senior" if s > 70000 else "junior" for s in sal]
    desc = [f"We are hiring a {w} engineer 🚀\nResponsibilities:\n- build {rng.choice(['APIs','models','pipelines'])}\n- {rng.choice(FILL)} {rng.choice(FILL)}, \"team player\"" for w in sal.astype(int).astype(str) for w in [words[0]]]
    desc = [f"We are hiring a {w} engineer 🚀\nResponsibilities:\n- build {rng.choice(['APIs','models','pipelines'])}\n- {rng.choice(FILL)} {rng.choice(FILL)}, \"team player\"" for w in words]
    p = D + "/kag/jobs.csv"; pd.DataFrame({"title": [f"{w.title()} Engineer" for w in words], "description": desc,
        "remote": rng.choice(["Yes", "No"], n), "salary": [f"${v:,.0f}" for v in sal], "salary_num": sal}).to_csv(p, index=False)
    add(p, "salary_num", "regression")
    # percentages / currency as the label's features only, numbers readable
    p = D + "/kag/loans_pct.csv"; rate = rng.uniform(3, 20, n); inc = rng.gamma(3, 20000, n)
    dflt = (rate / 20 + rng.normal(0, .2, n) - inc / 2e5 > 0.4)
    pd.DataFrame({"int_rate": [f"{r:.2f}%" for r in rate], "annual_inc": [f"{v:,.2f}" for v in inc], "term": rng.choice([" 36 months", " 60 months"], n),
                  "emp_length": rng.choice(["< 1 year", "1 year", "5 years", "10+ years", "n/a"], n), "default": dflt.astype(int)}).to_csv(p, index=False)
    add(p, "default", "binary", thousands=",")
    # dates in several formats
    for fmt in ["%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%SZ", "%d-%b-%Y", "%Y%m%d"]:
        d = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 3000, n), unit="D")
        x = rng.normal(size=n); yv = 2 * x + rng.normal(0, .3, n)
        p = D + f"/kag/dates_{fmt.replace('%','').replace('/','-').replace(':','')}.csv"
        pd.DataFrame({"when": d.strftime(fmt), "x": x.round(4), "y": yv.round(4)}).to_csv(p, index=False)
        add(p, "y", "regression")
    # Stata / SPSS-like CSV exports: Stata 'export delimited' (empty missing, labels as text), SPSS (comma decimals? no: '.' ; missing as blank)
    f = pd.DataFrame({"age": rng.integers(18, 90, n).astype(float), "income": rng.gamma(2, 20000, n).round(0), "region": rng.choice(["North", "South"], n)})
    f.loc[rng.random(n) < .05, "income"] = np.nan
    f["vote"] = np.where(f.age + rng.normal(0, 15, n) > 50, "yes", "no")
    p = D + "/kag/stata_export.csv"; f.to_csv(p, index=False); add(p, "vote", "binary")
    p = D + "/kag/stata_outsheet_dots.csv"; f.to_csv(p, index=False, na_rep="."); add(p, "vote", "binary", na_values=["."])
    p = D + "/kag/spss_export.csv"; f.to_csv(p, index=False, na_rep=" "); add(p, "vote", "binary", na_values=[" "])
    for ext, w in [(".dta", lambda q: f.to_stata(q, write_index=False)), (".xlsx", None), (".parquet", lambda q: f.to_parquet(q))]:
        p = D + "/kag/binary" + ext
        try:
            w(p) if w else f.to_excel(p, index=False)
            add(p, "vote", "binary", binary=True)
        except Exception as e:
            print("skip", ext, e)

real()
exports(base_frames())
kaggle()
json.dump(cases, open(D + "/cases.json", "w"), indent=0)
print(len(cases))
