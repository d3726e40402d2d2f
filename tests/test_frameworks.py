"""TensorFlow's start-up lines, filtered by the level TF_CPP_MIN_LOG_LEVEL names (TensorFlow
2.21 prints them before it reads the setting): what is hidden, and that everything else on
stderr passes through whole and in order, however the pipe cuts it."""

import os
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ktrain_kit import frameworks

# What TensorFlow 2.21 printed on stderr at `import tensorflow` and its first device listing on
# a machine without a GPU driver, in order, with the lowest TF_CPP_MIN_LOG_LEVEL that hides each
# (its severity: I 0, W 1, E 2; None: not a log line, never hidden).
START_UP = [
    (b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR", 1),
    (b"I0000 00:00:1795993460.377278    2455 port.cc:153] oneDNN custom operations are on.", 0),
    (b"I0000 00:00:1795993460.377639    2455 cudart_stub.cc:31] Could not find cuda drivers on "
     b"your machine, GPU will not be used.", 0),
    (b"E0000 00:00:1795993465.781281    2455 cuda_platform.cc:52] failed call to cuInit: "
     b"INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)", 0),  # no driver: said
    (b"W0000 00:00:1795993465.9    2455 some_op.cc:1] a real warning", 1),
    (b"E0000 00:00:1795993466.0    2455 other.cc:2] a real error", 2),
    (b"F0000 00:00:1795993466.1    2455 cpu_feature_guard.cc:3] a fatal one", 3),
    (b"/usr/lib/python3/site-packages/x.py:1: DeprecationWarning: something", None),
    (b"To enable the following instructions: AVX2 FMA, rebuild TensorFlow", None),
]


@pytest.mark.parametrize("level", [1, 2, 3])
def test_start_up_lines_at_or_above_the_level_are_kept(level):
    line_filter = frameworks.StartUpFilter(level)
    kept = [line for line, severity in START_UP if line_filter.keep(line)]
    assert kept == [line for line, severity in START_UP if severity is None or severity >= level]


def test_a_cuinit_failure_without_tensorflow_saying_there_is_no_driver_is_an_error():
    cuinit = START_UP[3][0]
    assert frameworks.StartUpFilter(2).keep(cuinit)  # a driver there, and it failed: news


def _through_a_pipe(chunks, level=2):
    read_end, write_end = os.pipe()
    out_read, out_write = os.pipe()
    thread = threading.Thread(target=frameworks._forward,
                              args=(read_end, out_write, frameworks.StartUpFilter(level)))
    thread.start()
    for chunk in chunks:
        os.write(write_end, chunk)
    os.close(write_end)
    thread.join(10)
    os.close(out_write)
    with os.fdopen(out_read, "rb") as f:
        return f.read()


not_log_lines = st.lists(st.binary(max_size=80).filter(
    lambda b: b"\n" not in b and not frameworks.LOG_LINE.match(b) and
    not b.startswith(frameworks.ABSL_PREAMBLE)), max_size=20)


@settings(max_examples=60, deadline=None)
@given(lines=not_log_lines, cuts=st.lists(st.integers(0, 2000), max_size=6),
       trailing_newline=st.booleans())
def test_everything_that_is_not_a_hidden_log_line_passes_whole(lines, cuts, trailing_newline):
    hidden = [line for line, severity in START_UP if severity is not None and severity < 2]
    text = b"\n".join(lines) + (b"\n" if trailing_newline and lines else b"")
    mixed = b"".join(h + b"\n" for h in hidden) + text  # hidden lines first, then the rest
    bounds = sorted({0, len(mixed), *(c % (len(mixed) + 1) for c in cuts)})
    chunks = [mixed[a:b] for a, b in zip(bounds, bounds[1:])]
    assert _through_a_pipe(chunks) == text
