"""tests/forked_launch.py gives what a fresh `python -m` gives: exit code, stdout and stderr, in
the working directory and environment asked for; a time-out kills the command."""

import os
import subprocess
import sys
import time

import pytest

from tests import forked_launch
from tests.conftest import ROOT



def environment():
    """This process's environment as run_launcher gives it (read now: an in-process launcher
    may have set KERAS_HOME since)."""
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}


@pytest.mark.parametrize("module, args", [
    ("launchers.train", ["--config=configs/no_such_config.py"]),  # a refusal: exit 2, one line
    ("json.tool", ["no_such_file.json"]),  # a standard module's own error
    ("py_compile", ["-"]),  # reads stdin: an empty one, from /dev/null
    ("launchers.evaluate", ["--helpshort"]),  # absl's help on stdout, exit 0
])
def test_a_forked_command_ends_as_a_fresh_one(module, args):
    env = environment()
    fresh = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    forked = forked_launch.run(module, args, env)
    assert forked_launch._server is not None  # it did run in a fork
    assert (forked.returncode, forked.stdout, forked.stderr) == \
        (fresh.returncode, fresh.stdout, fresh.stderr)


def test_a_forked_command_sees_its_environment_and_folder_and_a_time_out_kills_it(tmp_path):
    env = {**environment(), "KTRAIN_KIT_TEST_VALUE": "42"}
    (tmp_path / "in.json").write_text('{"a": 1}')
    read = forked_launch.run("json.tool", ["in.json"], env, cwd=str(tmp_path))  # a relative path
    assert read.returncode == 0 and '"a": 1' in read.stdout, read.stderr
    check = "import os; assert os.environ['KTRAIN_KIT_TEST_VALUE'] == '42'"
    seen = forked_launch.run("timeit", ["-n", "1", "-r", "1", check], env)
    unset = forked_launch.run("timeit", ["-n", "1", "-r", "1", check], environment())
    assert seen.returncode == 0 and unset.returncode == 1, (seen.stderr, unset.stderr)
    assert "KeyError" in unset.stderr  # the environment given, nothing left from the last
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        forked_launch.run("timeit", ["-n", "1", "-r", "1", "import time; time.sleep(60)"], env,
                          timeout=3, new_session=True)
    assert time.monotonic() - started < 30
    again = forked_launch.run("json.tool", ["in.json"], env, cwd=str(tmp_path))
    assert again.returncode == 0  # the server goes on after a killed command


def test_a_change_to_this_processs_environment_starts_the_server_again(monkeypatch):
    forked_launch.run("json.tool", ["--help"], environment())
    first = forked_launch._server
    monkeypatch.setenv("KERAS_HOME", "/tmp/ktrain_kit-test-keras-home")  # as cli.run sets it
    shown = forked_launch.run("json.tool", ["--help"], environment())
    assert shown.returncode == 0 and forked_launch._server is not first  # forked, anew
    assert first.process.poll() is not None  # the old server is gone


def test_a_command_that_ends_before_its_start_is_read_is_not_a_time_out(monkeypatch):
    """A refusal ends in milliseconds: its pid line and its exit line can wait in the pipe
    together when this process is slow to read (a loaded machine). A buffered readline took
    both, select() then waited for a line already read, the command was judged a time-out
    and killed after its end (ProcessLookupError), and every later launch read stale lines."""
    env = environment()
    forked_launch.run("json.tool", ["--help"], env)
    server = forked_launch._server
    flush = server.process.stdin.flush

    def late_reader():
        flush()
        time.sleep(1)  # the command has started and ended before its first line is read

    monkeypatch.setattr(server.process.stdin, "flush", late_reader)
    late = forked_launch.run("json.tool", ["--help"], env, timeout=30)  # was: killed at 30 s
    assert late.returncode == 0 and "usage" in late.stdout
    monkeypatch.undo()
    after = forked_launch.run("json.tool", ["no_such_file.json"], env)
    assert forked_launch._server is server and after.returncode == 2  # no stale line read
    assert "no_such_file.json" in after.stderr
