"""Dates written with the month's name (`Jan-1-1995`, `01-JAN-95`, `January 1, 1995`: strftime's
%b / %B, Excel's and Oracle's exports) are dates, as `2024-01-31` is: left out when mostly
distinct, with the date message. statsmodels' elec_equip table (`DATE` = `Jan-1-1995`, ...) was
left out as "a different text on every row", the refusal pointing at data.text_column (a
document) for a column of dates. The oracle is datetime.strftime, not ktrain_kit.
"""

import csv
import datetime

import pytest

from conftest import data_config, task
from ktrain_kit.errors import UserError

FORMATS = ["%b-%d-%Y", "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%B %d, %Y", "%d %B %Y",
           "%Y-%b-%d", "%d-%b-%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y"]


def _table(path, cells):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["when", "x", "label"])
        writer.writerows([c, i % 7, i % 2] for i, c in enumerate(cells))
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_column_of_distinct_dates_in_any_common_spelling_is_left_out_as_dates(tmp_path, fmt):
    from ktrain_kit.data import features, sources
    start = datetime.datetime(1995, 1, 1, 8, 30)
    cells = [(start + datetime.timedelta(days=37 * i)).strftime(fmt) for i in range(30)]
    raw = sources._csv(data_config("csv", _table(tmp_path / "t.csv", cells), label_column="label"),
                       task(), None)
    table = raw.table["table"]
    assert table.names[0] not in [table.names[j] for j in raw.table["features"]]
    assert any("column 'when' not used: it holds dates" in n for n in raw.notes), raw.notes
    assert features.date_columns(table, [0, 1], {}) == {0: cells[0]}


def test_month_names_alone_or_without_a_year_are_text_not_dates(tmp_path):
    from ktrain_kit.data import features, sources
    words = ["May", "June 2", "Mar-12", "12 Mar", "march", "Dec 5, 20"]
    cells = [words[i % len(words)] for i in range(30)]
    raw = sources._csv(data_config("csv", _table(tmp_path / "t.csv", cells), label_column="label"),
                       task(), None)
    assert features.date_columns(raw.table["table"], [0], {}) == {}
    assert 0 in raw.table["features"]


def test_a_table_of_only_month_name_dates_is_refused_as_dates(tmp_path):
    from ktrain_kit.data import sources
    path = tmp_path / "t.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([["DATE", "value"]] + [
            [(datetime.date(1995, 1, 1) + datetime.timedelta(days=31 * i)).strftime("%b-%-d-%Y"),
             i * 1.5] for i in range(24)])
    with pytest.raises(UserError, match="which holds dates"):
        sources._csv(data_config("csv", path, label_column="value"), task("regression"), None)
