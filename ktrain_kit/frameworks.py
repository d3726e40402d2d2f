"""TensorFlow and Keras loaded once per launcher: quickly, and without start-up chatter.

Quickly: their import creates ~420,000 objects that live as long as the process, and Python's
garbage collector scans that growing heap again and again while they load (6 full collections,
0.8 s of a 3.3 s import on a 2-core EPYC) without finding anything to free. Paused during the
import and frozen after it (`gc.freeze`: those objects are left out of every later collection),
the import costs 2.4 s, and the run's own collections shrink too: the README's CNN command fell
from 10.1 to 8.9 s of CPU, for 3 MB more memory.

Without chatter: TensorFlow 2.21 writes its C++ start-up lines (oneDNN notice, CUDA stub, "failed
call to cuInit" on a machine without a GPU driver) before its logging reads TF_CPP_MIN_LOG_LEVEL,
so the setting that should hide them does not. Here it does: while TensorFlow loads and first
looks for devices, its log lines below that level are left out and everything else on stderr
passes through as it is written (a fatal error still shows, even if the process dies).

Without an unused extra: Keras imports scikit-learn on every start, for its `keras.wrappers`
(scikit-learn estimators around a Keras model), 0.4 s of CPU that a training never uses. While
the frameworks load, `keras.wrappers` is made ready but not run: its code runs the first time one
of its names is read, so `keras.wrappers.SKLearnClassifier` is still the real class, loaded when
asked for. (IPython and pandas, Keras' other optional imports, cannot wait: matplotlib calls
`IPython.get_ipython()` at every figure if IPython is loaded, and Keras reads `pandas.DataFrame`
while it loads.)

Every launcher calls `install()` first (ktrain_kit.cli.run): whichever code then imports
tensorflow or keras first - the data pipeline, the model, a user's builder - loads them this way.
"""

import contextlib
import gc
import importlib.abc
import os
import re
import sys
import threading
import types

FRAMEWORKS = ("tensorflow", "keras")
# TensorFlow / absl C++ log line: severity letter, MMDD, time, thread, file:line] message
LOG_LINE = re.compile(rb"^([IWEF])\d{4} [\d:.]+\s+\d+ [^\]]+\] ")
ABSL_PREAMBLE = b"WARNING: All log messages before absl::InitializeLog() is called"
SEVERITY = {b"I": 0, b"W": 1, b"E": 2, b"F": 3}  # TF_CPP_MIN_LOG_LEVEL hides those below it
# Imported by Keras at start-up for a feature a training never uses, and only bound, not read,
# while Keras loads (`from keras import wrappers as wrappers`, in both of Keras' API trees).
DEFERRED = ("keras.wrappers", "keras._tf_keras.keras.wrappers")
NO_DRIVER = b"Could not find cuda drivers on your machine"
CUINIT_FAILED = b"failed call to cuInit"


def install():
    """From now on, the first import of tensorflow or keras runs paused and quiet."""
    if not all(name in sys.modules for name in FRAMEWORKS) and \
            not any(isinstance(f, _FirstImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _FirstImport())


def import_frameworks():
    """Imports tensorflow and keras that way now (a test session's start, say)."""
    install()
    for name in ("keras", "tensorflow"):  # keras loads tensorflow inside: one paused loading
        importlib.import_module(name)


class _FirstImport(importlib.abc.MetaPathFinder):
    """Finds tensorflow / keras as the finders after it would, and runs that one module's
    loading inside `_loading` (its loader is the usual one; only this call is wrapped)."""

    depth = 0  # framework loadings under way (keras loads tensorflow inside its own)

    def find_spec(self, name, path=None, target=None):
        if name not in FRAMEWORKS:
            return None
        if all(other in sys.modules or other == name for other in FRAMEWORKS):
            sys.meta_path.remove(self)  # the last one: nothing left to watch for
        finders = [f for f in sys.meta_path if f is not self and hasattr(f, "find_spec")]
        spec = next((s for s in (f.find_spec(name, path, target) for f in finders) if s), None)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader, exec_module = spec.loader, spec.loader.exec_module

        def exec_paused(module):
            try:
                with _loading():
                    exec_module(module)
            finally:
                del loader.exec_module  # the loader's own method again
        loader.exec_module = exec_paused
        return spec


class _Deferred(importlib.abc.MetaPathFinder):
    """Finds the `DEFERRED` modules as the other finders would, to be run on first use."""

    def find_spec(self, name, path=None, target=None):
        if name not in DEFERRED:
            return None
        finders = [f for f in sys.meta_path if f is not self and hasattr(f, "find_spec")]
        spec = next((s for s in (f.find_spec(name, path, target) for f in finders) if s), None)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _RunOnFirstUse(spec.loader)
        return spec


class _RunOnFirstUse(importlib.abc.Loader):
    """Makes the module object now and runs its code when one of its names is first read.

    Not `importlib.util.LazyLoader`: that one runs the module for ANY attribute, and autograph
    reads `__file__` of every module in sys.modules whenever it converts a function (Keras'
    train step), which would load both extras during the first epoch anyway."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        module.__class__ = _NotRunYet


# What the import system set on the module before running it: read without running it.
# (Not __path__: a submodule's import reads it, and a package runs before its submodules.)
KNOWN_BEFORE_RUNNING = {"__name__", "__file__", "__cached__", "__spec__", "__loader__",
                        "__package__"}
_RUNNING = threading.RLock()


class _NotRunYet(types.ModuleType):
    def __getattribute__(self, name):
        if name in ("__class__", "__dict__") or (
                name in KNOWN_BEFORE_RUNNING and name in object.__getattribute__(self, "__dict__")):
            return object.__getattribute__(self, name)
        with _RUNNING:
            if type(self) is _NotRunYet:  # not run by another thread meanwhile
                self.__class__ = types.ModuleType
                loader = self.__spec__.loader.loader
                self.__spec__.loader = self.__loader__ = loader
                loader.exec_module(self)
        return getattr(self, name)


@contextlib.contextmanager
def _loading():
    """The collector paused, stderr filtered and the `DEFERRED` extras lazy; at the end, the
    loaded objects frozen and the first device listing done (its CUDA probe prints too)."""
    outer = _FirstImport.depth == 0  # keras loads tensorflow inside: the outer one does it all
    _FirstImport.depth += 1
    enabled, deferred = gc.isenabled(), _Deferred()
    try:
        if not outer:
            yield
            return
        gc.disable()
        sys.meta_path.insert(0, deferred)
        with start_up_lines_filtered():
            yield
            tf = sys.modules.get("tensorflow")
            if tf is not None and hasattr(tf, "config"):
                tf.config.list_physical_devices()
    finally:
        _FirstImport.depth -= 1
        if outer:
            if deferred in sys.meta_path:
                sys.meta_path.remove(deferred)
            gc.freeze()
            if enabled:
                gc.enable()


class StartUpFilter:
    """Decides, line by line, what of TensorFlow's start-up output a person sees."""

    def __init__(self, min_level: int):
        self.min_level, self.no_driver = min_level, False

    def keep(self, line: bytes) -> bool:
        if line.startswith(ABSL_PREAMBLE):  # absl's own notice, at warning level
            return SEVERITY[b"W"] >= self.min_level
        match = LOG_LINE.match(line)
        if match is None:
            return True  # not a log line (a Python warning, a print): never ours to hide
        self.no_driver |= NO_DRIVER in line
        severity = SEVERITY[match.group(1)]
        if CUINIT_FAILED in line and self.no_driver:
            severity = SEVERITY[b"I"]  # TensorFlow has just said there is no driver: no news
        return severity >= self.min_level


def min_log_level() -> int:
    try:
        return int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
    except ValueError:
        return 0


@contextlib.contextmanager
def start_up_lines_filtered():
    """File descriptor 2 goes through `StartUpFilter` to where it went before, meanwhile.

    A thread forwards each line as it arrives, so nothing is held back if the process dies.
    Off when nothing would be hidden, or when verbose C++ logging is asked for (its volume
    could fill the pipe while TensorFlow holds the interpreter lock)."""
    level = min_log_level()
    if level <= 0 or os.environ.get("TF_CPP_MAX_VLOG_LEVEL") or os.environ.get("TF_CPP_VMODULE"):
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        read_end, write_end = os.pipe()
        os.dup2(write_end, 2)
        os.close(write_end)
    except (OSError, ValueError):  # no real descriptor 2 (an embedded interpreter)
        yield
        return
    thread = threading.Thread(target=_forward, args=(read_end, saved, StartUpFilter(level)),
                              name="tensorflow-start-up-lines", daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # the pipe's last write end closes: the thread reads its end
        thread.join(timeout=10)
        os.close(saved)


def _forward(read_end, out, line_filter):
    pending = b""
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while chunk := pipe.read(1 << 16):
            *lines, pending = (pending + chunk).split(b"\n")
            _write_all(out, b"".join(line + b"\n" for line in lines if line_filter.keep(line)))
    if pending and line_filter.keep(pending):
        _write_all(out, pending)


def _write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]
