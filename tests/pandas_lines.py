"""The pandas line a refusal gives, run as a user pastes it: in a folder of its own, with
`path` the file refused. Tests check that what it writes reads as pandas reads the original."""

import os
import re

import pandas as pd

LINE = re.compile(r"(pandas\.read_csv\(path.*?\)\.to_csv\(.*?\))")


def run_pandas_line(message, path, folder):
    """Runs the first `pandas.read_csv(path...).to_csv(...)` in `message` inside `folder`
    (made here) and returns the folder."""
    line = LINE.search(message).group(1)
    folder.mkdir()
    here = os.getcwd()
    os.chdir(folder)
    try:
        eval(line, {"pandas": pd, "path": str(path)})
    finally:
        os.chdir(here)
    return folder
