"""Weka's ARFF tables (OpenML's format) read as the cells of a CSV, by rules stated once.

Our own reader: scipy.io.arff refuses `string` attributes (OpenML's text columns) and sparse
rows; liac-arff (openml-python's reader, last released 2020) refuses `date` attributes. The
format, as Weka's ArffLoader reads it:

- Header: `%` comments and blank lines anywhere; `@relation <name>`; one `@attribute <name>
  <type>` per column, in order (keywords in any case; a name holding spaces quoted `'...'`
  or `"..."`); `@data`. Types: `numeric`, `real`, `integer` (numbers), `{a, b, 'c d'}`
  (nominal: the values it may take), `string`, `date ["<format>"]`. `relational` (bags of
  rows in a cell) is refused: it is no table.
- Rows: values separated by commas (spaces around them ignored), `?` missing, `'...'` or
  `"..."` quoting a value with commas, spaces, quotes or `%`, escaped as Weka writes them
  (`\\'`, `\\"`, `\\\\`, `\\n`, `\\t`, `\\r`, `\\%`, `\\uXXXX`). A row of values separated by
  spaces alone (Weka reads those) is read so when it has one value per attribute. Sparse rows
  `{0 1.5, 3 x}` give the attributes they name; an attribute a sparse row leaves out is 0
  (numeric) or the first declared value (nominal), as in Weka; a `string` or `date` one is
  refused (Weka takes the attribute's first string, an artifact of its storage).
- Each value is checked against its attribute: numeric ones are numbers, nominal ones among
  the declared values (Weka refuses both; read as a CSV, a typo became a category of its own).

The cells then go through the table rules (`table.py`) and typing (`features.py`) as a CSV's,
but for the types the file declares (`Table.declared`): a nominal attribute is categorical,
whatever its values look like (`{0, 1}`, `{1, 2, ..., 20}`: declared as categories, not
amounts), its cells as written; `string` and `date` attributes are typed from their cells
(dates as the reader reads dates: the values of a `date` attribute that it does not read as
dates are refused, naming the attribute, rather than read as categories).
"""

import re

from ktrain_kit.errors import file_error, shown

HEADER = re.compile(r"@(relation|attribute|data|end)\b", re.I)
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
NUMERIC = ("numeric", "real", "integer")


def records(text: str, path):
    """(records, their lines, {column: its declared type: numeric, categorical (nominal),
    string, date}, the columns of text: nominal, string and date ones, a note) of an ARFF
    file's `text`: the names first, then one list of cells a row (missing: empty). Refused
    in one line naming the line."""
    attributes, at, line_no = [], None, 0
    lines = re.split(r"\r\n|\r|\n", text)
    for line_no, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        word = HEADER.match(line)
        if not word:
            raise file_error(path, f"line {line_no}: {shown(line)} is neither a comment nor "
                             "an @attribute or @data line of the ARFF header",
                             "comment it out with % or remove it")
        kind = word.group(1).lower()
        if kind == "attribute":
            attributes.append(_attribute(line[word.end():].strip(), line_no, path))
        elif kind == "data":
            at = line_no
            break
        elif kind == "end":
            raise _relational(path, line_no)
    if at is None:
        raise file_error(path, "is an ARFF file without an @data line", "add @data after "
                         "the @attribute lines, followed by the rows")
    if not attributes:
        raise file_error(path, f"line {at}: an ARFF file without @attribute lines",
                         "declare one @attribute a column before @data")
    names = [a[0] for a in attributes]
    nominal_at = [(j, a, frozenset(a[2])) for j, a in enumerate(attributes)
                  if a[1] == "nominal"]  # the cells _checked checks (a set: one look-up)
    rows, starts = [], []
    for line_no, raw in enumerate(lines[at:], at + 1):
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        cells = (_sparse(line, attributes, line_no, path) if line.startswith("{") else
                 _dense(line, attributes, line_no, path))
        for j, attribute, declared in nominal_at:
            if cells[j] not in declared:
                _checked(cells[j], attribute, line_no, path)
        rows.append(cells)
        starts.append(line_no)
    declared = {name: {"nominal": "categorical"}.get(kind, kind) for name, kind, _ in attributes}
    text_columns = frozenset(j for j, (_, kind, _) in enumerate(attributes) if kind != "numeric")
    nominal = sum(kind == "nominal" for _, kind, _ in attributes)
    note = (f"{path}: read as ARFF ({len(attributes)} attributes"
            + (f"; {nominal} nominal, read as categories" if nominal else "") + ")")
    return [names, *rows], [at, *starts], declared, text_columns, note


def _attribute(rest: str, line_no: int, path):
    """(name, kind, values: a nominal attribute's, a date's format) of `@attribute`'s text."""
    if rest[:1] in ("'", '"'):
        name, end = _quoted(rest, 0, line_no, path)
        kind = rest[end:].strip()
    else:
        name, kind = re.match(r"([^\s{]*)\s*(.*)", rest).groups()  # `class{a,b}` too
    if kind.startswith("{") and "}" in kind:  # a comment after the values: `{a,b} % ...`
        end = kind.rindex("}") + 1
        kind = kind[:end] if kind[end:].strip()[:1] in ("", "%") else kind
    elif not kind.startswith("{"):
        kind = kind.split("%", 1)[0].strip()
    if not name or not kind:
        raise file_error(path, f"line {line_no}: @attribute {shown(rest)} gives no "
                         f"{'name' if not name else 'type'}", "write @attribute <name> "
                         "<numeric | {a,b,...} | string | date>")
    lowered = kind.lower()
    if lowered in NUMERIC:
        return name, "numeric", None
    if lowered == "string":
        return name, "string", None
    if lowered.split()[0] == "date":
        return name, "date", kind[4:].strip().strip("'\"") or "yyyy-MM-dd'T'HH:mm:ss"
    if lowered.split()[0] == "relational":
        raise _relational(path, line_no)
    if kind.startswith("{") and kind.rstrip().endswith("}"):
        values = _split(kind.rstrip()[1:-1], line_no, path)
        return name, "nominal", [v for v, _ in values]
    raise file_error(path, f"line {line_no}: attribute {shown(name)} has the type "
                     f"{shown(kind)}, which ARFF does not know",
                     "use numeric, {a,b,...}, string or date")


def _relational(path, line_no):
    return file_error(path, f"line {line_no}: a relational attribute (a table in each cell, "
                      "Weka's multi-instance format), not a table of one value a cell",
                      "flatten the bags into rows of their own first")


def _quoted(text: str, i: int, line_no: int, path):
    """(the value quoted at text[i], the index after its closing quote), Weka's escapes read."""
    quote, out, k = text[i], [], i + 1
    while k < len(text):
        c = text[k]
        if c == "\\" and k + 1 < len(text):
            nxt = text[k + 1]
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[k + 2:k + 6]):
                out.append(chr(int(text[k + 2:k + 6], 16)))
                k += 6
                continue
            out.append(ESCAPES.get(nxt, nxt))
            k += 2
            continue
        if c == quote:
            return "".join(out), k + 1
        out.append(c)
        k += 1
    raise file_error(path, f"line {line_no}: the quote opened at {shown(text[i:])} is not "
                     "closed on its line", f"close it with {quote} (a {quote} inside a value "
                     f"is written \\{quote})")


def _split(text: str, line_no: int, path, indexed=False) -> list:
    """[(value, quoted)] of `text` split at the commas outside quotes, each value stripped;
    `%` outside quotes starts a comment (Weka's tokenizer). `indexed`: each value follows its
    attribute's index and a space (a sparse row's `3 'a, b'`): [((index, value), quoted)]."""
    values, k, n = [], 0, len(text)
    while True:
        while k < n and text[k] in " \t":
            k += 1
        index = None
        if indexed:
            at = re.compile(r"(\d+)[ \t]+").match(text, k)
            if not at:
                raise file_error(path, f"line {line_no}: {shown(text[k:])} is not an entry "
                                 "<index> <value> of a sparse row", "write each entry as "
                                 "<index> <value>, separated by commas")
            index, k = int(at.group(1)), at.end()
        if k < n and text[k] in "'\"":
            value, k = _quoted(text, k, line_no, path)
            quoted = True
            while k < n and text[k] in " \t":
                k += 1
            if k < n and text[k] not in ",%":
                raise file_error(path, f"line {line_no}: {shown(text[k:])} follows the "
                                 f"quoted value {shown(value)} without a comma",
                                 "separate the values with commas")
        else:
            end = k
            while end < n and text[end] not in ",%":
                end += 1
            value, quoted, k = text[k:end].strip(), False, end
        values.append(((index, value) if indexed else value, quoted))
        if k >= n or text[k] == "%":
            return values
        k += 1  # past the comma


# What makes a dense row more than its commas: a quote, an escape, a comment. A row without
# them splits as _split splits it, at each comma, values stripped (str.split: `records` of
# 100,000 rows x 18 in 0.71 s of CPU, was 1.15; the character walk stays for the rows that
# need it).
PLAIN_ROW = re.compile(r"['\"\\%]")


def _dense(line: str, attributes, line_no: int, path) -> list:
    """A dense row's values, one per attribute (a row of values separated by spaces alone, as
    Weka reads them, when it has one per attribute). Missing: ''. Otherwise refused: a value
    with spaces unquoted (`New York`) was two values to Weka."""
    values = written = _split(line, line_no, path) if PLAIN_ROW.search(line) else \
        [(v.strip(), False) for v in line.split(",")]
    if len(values) == 1 and len(attributes) > 1 and not values[0][1]:
        values = [(v, False) for v in values[0][0].split()]
    if len(values) == len(attributes) + 1 and not values[-1][1] and \
            re.fullmatch(r"\{\s*[+-]?[\d.eE+-]+\s*\}", values[-1][0]):
        raise file_error(path, f"line {line_no}: the row ends with an instance weight "
                         f"({shown(values[-1][0])}), which is not read", "remove the weights "
                         "(a weighted loss is not a table setting)")
    if len(values) != len(attributes):
        spaced = next((v for v, q in written if not q and re.search(r"\s", v)), None)
        why = (f"; {shown(spaced)} holds a space but is not quoted" if spaced else "")
        raise file_error(path, f"line {line_no}: {len(values)} values where @attribute "
                         f"declares {len(attributes)}{why}", "give one value per attribute, "
                         "separated by commas, and quote values holding spaces or commas")
    return [("" if v == "?" and not q else v) for v, q in values]


WEIGHTED_SPARSE = re.compile(r"(\{.*\})\s*,?\s*(\{\s*[+-]?[\d.eE+-]+\s*\})")


def _sparse(line: str, attributes, line_no: int, path) -> list:
    """A sparse row (`{index value, ...}`) as a dense one: the attributes it leaves out are
    Weka's 0 (a number 0, a nominal attribute's first value); an attribute given twice is
    refused (the second value replaced the first, silently). A sparse row ending with an
    instance weight (`{0 1, 3 a}, {2}`, as Weka's `SparseInstance.toString` writes a weighted
    one) is refused as the dense row's weight is: its last `}` closed the weight, and the
    refusal named `{2` as a broken entry, or `a} {2` as an undeclared value."""
    weighted = WEIGHTED_SPARSE.fullmatch(line)
    if weighted and not _unclosed_quote(weighted.group(1)):
        raise file_error(path, f"line {line_no}: the row ends with an instance weight "
                         f"({shown(weighted.group(2))}), which is not read", "remove the "
                         "weights (a weighted loss is not a table setting)")
    body = line[1:line.rindex("}")] if "}" in line else None
    if body is None or line[line.rindex("}") + 1:].strip():
        raise file_error(path, f"line {line_no}: a sparse row ({shown(line)}) must end with "
                         "its closing }", "write {index value, ...} on one line, without an "
                         "instance weight")
    given = {}
    for (index, value), quoted in _split(body, line_no, path, True) if body.strip() else []:
        if index >= len(attributes):
            raise file_error(path, f"line {line_no}: the sparse row gives attribute {index}, "
                             f"but @attribute declares {len(attributes)} (0 to "
                             f"{len(attributes) - 1})", "fix the index")
        if index in given:  # Weka refuses it too (its indices must ascend); read, the last won
            raise file_error(path, f"line {line_no}: the sparse row gives attribute {index} "
                             f"({shown(attributes[index][0])}) twice ({shown(given[index])} "
                             f"and {shown(value)})", "keep one of the two entries")
        given[index] = "" if value == "?" and not quoted else value
    cells = []
    for j, (name, kind, values) in enumerate(attributes):
        if j in given:
            cells.append(given[j])
        elif kind in ("numeric", "nominal"):
            cells.append("0" if kind == "numeric" else values[0] if values else "")
        else:
            raise file_error(path, f"line {line_no}: the sparse row leaves out the {kind} "
                             f"attribute {shown(name)}, which has no 0 value",
                             f"give it in the row ({j} <value>, or {j} ? when missing)")
    return cells


def _unclosed_quote(text: str) -> bool:
    """Whether `text` ends inside a quoted value (its `}` then belongs to a value, `'a}{2}'`)."""
    quote, k = None, 0
    while k < len(text):
        c = text[k]
        if quote and c == "\\":
            k += 2
            continue
        if c in "'\"" and quote in (None, c):
            quote = None if quote else c
        k += 1
    return quote is not None


def _checked(cell: str, attribute, line_no: int, path) -> str:
    """`cell` as its attribute declares it: a declared nominal value, or any text (numbers,
    and nominal values spelled as a table's gap, are checked by the table's own rules,
    `table._arff_table`, which know them)."""
    name, kind, values = attribute
    if kind == "nominal" and cell and cell not in values:
        raise file_error(path, f"line {line_no}, attribute {shown(name)}: {shown(cell)} is "
                         f"not one of its declared values ({', '.join(map(shown, values[:6]))}"
                         f"{', ...' if len(values) > 6 else ''})", "fix the value, or add it "
                         "to the attribute's {...}")
    return cell
