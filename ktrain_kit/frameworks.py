"""TensorFlow and Keras imported with Python's garbage collector paused, then frozen.

Why: importing them creates ~420,000 objects that live as long as the process, and the collector
scans that growing heap again and again while they load (6 full collections, 0.8 s of a 3.3 s
import on a 2-core EPYC) without finding anything to free. Paused during the import and frozen
after it (`gc.freeze`: those objects are left out of every later collection), the import costs
2.4 s and the run's own collections shrink too: the README's MLP command fell from 6.1 to 5.3 s
of CPU, for 3 MB more memory (`python -m benchmarks.run --only startup`).

Launchers call it where they first need TensorFlow, after the checks that need none of it.
"""

import gc
import sys


def import_frameworks():
    """Imports tensorflow and keras (once per process; later calls cost nothing)."""
    if "keras" in sys.modules:
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        import keras  # noqa: F401 - imports tensorflow, its backend
        import tensorflow  # noqa: F401
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
