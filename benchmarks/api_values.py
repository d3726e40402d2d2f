"""Every parameter of the public Python API x every class of bad value, by construction.

    TF_CPP_MIN_LOG_LEVEL=3 PYTHONPATH=. nice -n 10 python benchmarks/api_values.py \
        [--only EXPORT] [--no-keras] [--json runs/api_values.json]

The parameters come from `inspect.signature` of each export of `ktrain_kit._EXPORTS` (a
parameter added later is tried too; one without a domain in DOMAINS below is reported as
such). Each is given each class of VALUES in turn, the others left at a working value; the
object is constructed, then used as a user would: a callback in a 2-epoch `model.fit` on 64
rows (validation on 16 of them), the optimizer compiled into that fit, the schedule as its
rate (and its values over the run's steps read), `validate` on the config, `train` with
`train.epochs=1` on 64 digits. All in this one process. A case is judged against DOMAINS, the
values that mean something (written from the arguments' documented meaning, not from our
checks):

- a value that means something must be accepted and the fit complete (`accepted`);
- any other must be refused at construction, or when the fit starts (`on_train_begin`, the
  first call that can know), with one ValueError / TypeError / UserError whose message names
  the argument (`refused`), or - where stock Keras itself only warns (a monitor naming no
  logged metric) - warned about naming the value (`warned`);
- everything else is a failure: `silently-accepted` (constructed and trained without a word),
  `unclear` (refused by an exception of another kind or not naming the argument: a
  traceback from inside Keras / TensorFlow / Python), `raised-in-fit` (an exception out of
  fit past its start), `hang` (over HANG_S), `refused-valid` (a meaningful value refused).

Our callbacks and SGD are compared with their stock Keras counterparts on the same values
(`keras.callbacks.ReduceLROnPlateau`, `EarlyStopping`, `CSVLogger` for MetricsCSV's path,
`ModelCheckpoint` for Checkpoints' directory, `keras.optimizers.SGD`), judged the same way.
"""

import argparse
import contextlib
import inspect
import io
import json
import math
import os
import signal
import sys
import tempfile
import time
import warnings
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
HANG_S = 120
CLEAR_KINDS = ("ValueError", "TypeError", "UserError")


class _Keras:
    """A Keras object where text or a number is expected (made when first used)."""

    def __repr__(self):
        return "keras.layers.Dense(1)"


KERAS_OBJECT = _Keras()

# Each class of value, as a user's Python passes it.
VALUES = {
    "text": "abc", "number_for_text": 3, "list": [1], "dict": {"a": 1}, "None": None,
    "keras_object": KERAS_OBJECT, "negative": -1, "zero": 0, "huge": 1e300,
    "nan": float("nan"), "inf": float("inf"), "-inf": float("-inf"), "empty": "",
    "bool": True, "float_for_int": 2.5, "unknown_choice": "maximum",
    "truthy_text": "False",
}
UNKNOWN_CHOICE = {"monitor": "val_acuracy", "mode": "maximum", "policy": "rollback",
                  "name": "cosin"}
PATH_VALUES = ("missing_parent", "under_a_file", "a_folder", "a_file")


# ------------------------------------------------------------------ the domains (the oracle)
def _real(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def count(minimum):
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= minimum


FLOAT32_MAX = 3.4028234663852886e38
FLOAT32_TINY = 1.1754943508222875e-38  # float32's smallest normal number: below it, 0 or worse


def number(low, high=math.inf, low_open=False, high_open=False, f32=False):
    """A finite real in the range; `f32`: kept in a float32 variable or compared in float32,
    where a larger one is inf."""
    def inside(v):
        return _real(v) and (v > low if low_open else v >= low) and \
            (v < high if high_open else v <= high) and \
            not (f32 and (abs(v) > FLOAT32_MAX or 0 < abs(v) < FLOAT32_TINY))
    return inside


def flag(v):
    return isinstance(v, bool) or (isinstance(v, int) and v in (0, 1))


def optional(rule):
    return lambda v: v is None or rule(v)


def text(v):
    return isinstance(v, str) and v != ""


def choice(*names):
    return lambda v: isinstance(v, str) and v in names


def verbosity(v):
    return isinstance(v, int) and v >= 0  # bool included: verbose=True is Keras' idiom


def has_multiplier(v):
    return hasattr(v, "multiplier")


def monitor(v):
    """A logged name; one the fit does not log is `warn` (stock Keras warns there)."""
    if not text(v):
        return False
    return True if v in ("val_loss", "loss", "val_mae", "mae") else "warn"


def either(v):
    return "either"


def sequence_of_callbacks(v):
    """A list or tuple of callbacks, or None (no extra callbacks, as Keras' fit takes it)."""
    return v is None or isinstance(v, (list, tuple)) and all(hasattr(c, "set_model") for c in v)


DOMAINS = {
    "ReduceLROnPlateau": dict(
        monitor=monitor, factor=number(0, 1, high_open=True), patience=count(0),
        verbose=verbosity, mode=choice("auto", "min", "max"),
        min_delta=number(-math.inf, f32=True), cooldown=count(0), min_lr=number(0, f32=True),
        schedule=optional(has_multiplier), min_multiplier=number(0, f32=True)),
    "EarlyStopping": dict(
        monitor=monitor, min_delta=number(-math.inf, f32=True), patience=count(0),
        verbose=verbosity, mode=choice("auto", "min", "max"),
        baseline=optional(number(-math.inf, f32=True)),
        restore_best_weights=flag, start_from_epoch=count(0)),
    "MetricsCSV": dict(path=text, batch_size=optional(count(1))),
    # extra: a dict of variables to save (no class of VALUES holds one: {'a': 1} is refused)
    "Checkpoints": dict(directory=text, keep=count(1), extra=optional(lambda v: isinstance(
        v, dict) and not v), stateful=lambda v: isinstance(v, (list, tuple)), every_steps=count(0),
        initial=flag),
    "NaNGuard": dict(policy=choice("stop", "restore"), checkpoints=either,
                     schedule=optional(has_multiplier), lr_factor=number(0, 1, low_open=True),
                     max_restores=count(0)),
    "TrainingDoctor": dict(probe_data=either, interval=count(1), facts=optional(
        lambda v: isinstance(v, dict)), reference_data=either, validation_data=either),
    # a rate of 0.0 is taken, as PyTorch's SGD takes it (a frozen run, for debugging); an
    # int is not (Keras' Optimizer refuses it, naming learning_rate: its contract)
    "SGD": dict(learning_rate=lambda v: isinstance(v, float) and number(0, f32=True)(v),
                momentum=number(0, 1), nesterov=flag,
                name=text),
    "Schedule": dict(
        name=choice("constant", "cosine", "linear", "step", "exponential"),
        base_lr=number(0, f32=True), total_steps=count(1), warmup_steps=count(0),
        # the final rate a share of base_lr; a decay that shrinks (the config's ranges)
        end_lr_factor=number(0, 1, f32=True),
        decay_factor=number(0, 1, low_open=True, high_open=True, f32=True),
        # steps to decay at: after the first, in order (the working total_steps past them)
        boundaries=lambda v: isinstance(v, (list, tuple)) and all(count(1)(b) for b in v)
        and list(v) == sorted(set(v)),
        decay_every=number(0, low_open=True, f32=True),
        multiplier=number(0, f32=True)),
    "validate": dict(c=lambda v: False,  # only a ConfigDict, which no class of VALUES is
                     check_files=flag),
    "train": dict(c=lambda v: False, workdir=text, overwrite=flag,
                  callbacks=sequence_of_callbacks),
}
# Stock Keras' counterpart and its name for the same argument.
KERAS_TWINS = {
    "ReduceLROnPlateau": ("callbacks.ReduceLROnPlateau", {}),
    "EarlyStopping": ("callbacks.EarlyStopping", {}),
    "MetricsCSV": ("callbacks.CSVLogger", {"path": "filename"}),
    "Checkpoints": ("callbacks.ModelCheckpoint", {"directory": "filepath"}),
    "SGD": ("optimizers.SGD", {}),
}
KIND = {"ReduceLROnPlateau": "callback", "EarlyStopping": "callback", "MetricsCSV": "callback",
        "Checkpoints": "callback", "NaNGuard": "callback", "TrainingDoctor": "callback",
        "SGD": "optimizer", "Schedule": "schedule", "validate": "validate", "train": "train"}


# ------------------------------------------------------------------ the cases
def working_arguments(export, tmp):
    """Values of the required arguments that work, so one bad value is tried at a time."""
    import numpy as np
    if export == "MetricsCSV":
        return {"path": os.path.join(tmp, "m.csv")}
    if export == "Checkpoints":
        return {"directory": os.path.join(tmp, "ck")}
    if export == "Schedule":
        return {"name": "cosine", "base_lr": 0.05, "total_steps": 8}
    if export == "validate":
        return {"c": tiny_config()}
    if export == "train":
        return {"c": tiny_config(), "workdir": os.path.join(tmp, "run")}
    if export == "TrainingDoctor":
        x, y = data()
        return {"probe_data": (x[:32], y[:32])}
    if export == "NaNGuard":
        return {}
    del np
    return {}


def path_value(kind, tmp, export):
    a_file = os.path.join(tmp, "a_file")
    with open(a_file, "w") as f:
        f.write("x")
    name = "m.csv" if export == "MetricsCSV" else "ck"
    os.makedirs(os.path.join(tmp, "a_folder"), exist_ok=True)
    return {"missing_parent": os.path.join(tmp, "no", "such", name),
            "under_a_file": os.path.join(a_file, name), "a_folder": os.path.join(tmp, "a_folder"),
            "a_file": a_file}[kind]


def path_valid(kind, export):
    if kind == "missing_parent" or (kind, export) == ("a_file", "MetricsCSV"):
        return True  # a CSV file there is written over (resumed: its rows kept)
    if kind == "a_folder":  # an empty folder: a run folder or a checkpoints folder
        return export in ("Checkpoints", "train")
    return False


def cases(only=None):
    """(export, parameter, class, value) for every parameter of every export, by signature."""
    import ktrain_kit
    out = []
    for export in ktrain_kit._EXPORTS:
        if export in ("UserError", "default_config") or (only and export != only):
            continue
        signature = inspect.signature(getattr(ktrain_kit, export))
        for name, p in signature.parameters.items():
            if name == "self":
                continue
            if p.kind is p.VAR_KEYWORD:
                out.append((export, name, "misspelled_keyword", None))
                continue
            if p.kind is p.VAR_POSITIONAL:
                continue
            for cls, value in VALUES.items():
                if cls == "unknown_choice":
                    value = UNKNOWN_CHOICE.get(name, value)
                out.append((export, name, cls, value))
            if name in ("path", "directory", "workdir"):
                out.extend((export, name, kind, kind) for kind in PATH_VALUES)
        if not any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
            out.append((export, "**", "misspelled_keyword", None))
        if export in ("train", "validate"):
            out.extend((export, "c", cls, cls) for cls in ("plain_dict", "misspelled_key"))
    return out


def tiny_config():
    import importlib
    c = importlib.import_module("configs.digits_mlp").get_config()
    c.train.precision, c.train.jit_compile = "float32", "false"
    c.train.epochs, c.train.verbose, c.data.train_examples = 1, 0, 64
    c.schedule.warmup_epochs, c.schedule.warmup_steps = 0, 0  # one epoch of 2 steps
    return c


_DATA = {}


def data():
    import numpy as np
    if not _DATA:
        rng = np.random.default_rng(0)
        x = rng.normal(size=(64, 4)).astype("float32")
        _DATA["xy"] = (x, (x @ np.array([1.0, -2.0, 0.5, 0.0], "float32"))[:, None])
    return _DATA["xy"]


_SHARED = {}


def model():
    """One compiled model shared by every callback case (a fresh one costs ~3 s of tracing on
    this machine): its weights, rate and stop flag are put back before each case."""
    import keras
    if not _SHARED:
        m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1)])
        m.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
        _SHARED.update(model=m, weights=m.get_weights())
    m = _SHARED["model"]
    m.set_weights(_SHARED["weights"])
    m.optimizer.learning_rate = 0.01
    m.stop_training = False
    return m


def fit(m, callbacks=()):
    x, y = data()
    return m.fit(x, y, batch_size=16, epochs=2, validation_split=0.25, callbacks=list(callbacks),
                 verbose=0)


def steps(optimizer, count=16):
    """`count` updates of a least-squares fit on the 64 rows: what compile + fit would run,
    without tracing a model per case. Returns the losses."""
    import numpy as np
    import tensorflow as tf
    x, y = data()
    w = tf.Variable(np.zeros((4, 1), "float32"))
    losses = []
    for _ in range(count):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((tf.matmul(x, w) - y) ** 2)
        optimizer.apply_gradients([(tape.gradient(loss, w), w)])
        losses.append(float(loss))
    return losses


def concrete(value, tmp, export, cls):
    import keras
    if value is KERAS_OBJECT:
        return keras.layers.Dense(1)
    if cls in PATH_VALUES:
        return path_value(cls, tmp, export)
    if cls == "plain_dict":
        return tiny_config().to_dict()
    if cls == "misspelled_key":
        c = tiny_config()
        c.train.epochz = 1
        return c
    return value


def expected(export, name, cls, value):
    """True (means something), False (must be refused), 'warn' or 'either' (both fine)."""
    if cls in PATH_VALUES:
        return path_valid(cls, export)
    if cls in ("misspelled_keyword", "plain_dict", "misspelled_key"):
        return False
    rule = DOMAINS.get(export, {}).get(name)
    if rule is None:
        return "no-domain"
    if value is KERAS_OBJECT:
        return False if rule is not either else "either"
    return rule(value)


# ------------------------------------------------------------------ running one case
class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"over {HANG_S} s")


def use(export, obj, tmp, twin=False):
    """Uses `obj` as a user would; returns a note when the result is meaningless."""
    import numpy as np
    kind = KIND[export]
    if kind == "callback":
        extra = []
        if export == "NaNGuard" and getattr(obj, "checkpoints", None) is not None and \
                hasattr(obj.checkpoints, "set_model"):
            extra = [obj.checkpoints]
        history = fit(model(), [obj] + extra)
        if not all(np.isfinite(history.history["loss"])):
            return "loss not finite"
    elif kind == "optimizer":
        if not all(np.isfinite(steps(obj))):
            return "loss not finite"
    elif kind == "schedule":
        import keras
        rates = [float(obj(step)) for step in range(min(obj.total_steps, 50) + 2)]
        if not all(math.isfinite(r) and r >= 0 for r in rates):
            return f"rates not finite: {rates[:4]}"
        if not all(np.isfinite(steps(keras.optimizers.SGD(obj)))):
            return "loss not finite"
    return None


def construct(export, name, cls, value, tmp, twin=None):
    import keras

    import ktrain_kit
    arguments = working_arguments(export, tmp)
    if twin is not None:
        target = keras
        for part in twin[0].split("."):
            target = getattr(target, part)
        arguments = {twin[1].get(k, k): v for k, v in arguments.items()}
        if twin[0] == "callbacks.ModelCheckpoint":
            arguments["filepath"] = os.path.join(tmp, "ck", "m.weights.h5")
            arguments["save_weights_only"] = True
        name = twin[1].get(name, name)
    else:
        target = getattr(ktrain_kit, export)
    if cls == "misspelled_keyword":
        arguments["patiance"] = 3
        return target(**arguments), "patiance"
    value = concrete(value, tmp, export, cls)
    if export == "train":
        arguments = {**arguments, name: value}
        return (lambda: target(**arguments)), name
    if twin is not None and twin[0] == "callbacks.ModelCheckpoint" and name == "filepath" \
            and isinstance(value, str) and value:
        value = os.path.join(value, "m.weights.h5") if cls != "under_a_file" else value
    arguments[name] = value
    return target(**arguments), name


def run_case(export, name, cls, value, twin=None):
    """The outcome of one case: phase, exception kind and line, warnings, note."""
    outcome = {"export": export, "param": name, "class": cls, "value": repr(value)[:60]}
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_S)
    out = io.StringIO()
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings(record=True) as caught, \
            contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        here = os.getcwd()
        os.chdir(tmp)  # a relative path ('abc', 'False') lands in the temporary folder
        phase = "construct"
        outcome["argument"] = "patiance" if cls == "misspelled_keyword" else (
            KERAS_TWINS[export][1].get(name, name) if twin is not None else name)
        try:
            obj, argument = construct(export, name, cls, value, tmp, twin)
            outcome["argument"] = argument
            phase = "use"
            if export == "train":
                obj()
                note = None
            elif export == "validate":
                note = None
            else:
                note = use(export, obj, tmp, twin is not None)
            outcome.update(phase="ok", note=note)
        except Hang as e:
            outcome.update(phase="hang", error=str(e))
        except BaseException as e:  # noqa: BLE001 - the point is to see what comes out
            if isinstance(e, KeyboardInterrupt):
                raise
            message = str(e).strip().splitlines()[0] if str(e).strip() else ""
            outcome.update(phase=phase, error_kind=type(e).__name__, error=message[:300],
                           in_fit_start=_at_fit_start(e))
        finally:
            signal.alarm(0)
            os.chdir(here)
        outcome["warnings"] = [str(w.message).splitlines()[0][:200] for w in caught
                               if "is deprecated" not in str(w.message)][:3]
        printed = [line for line in out.getvalue().splitlines() if "ktrain_kit" in line
                   or "warning" in line.lower()]
        outcome["printed"] = printed[:3]
    outcome["seconds"] = round(time.time() - started, 2)
    return outcome


def _at_fit_start(error):
    """Raised by a callback's on_train_begin (the first call of fit that can know)."""
    import traceback
    frames = traceback.extract_tb(error.__traceback__)
    return any(f.name in ("on_train_begin", "_make_manager", "_train", "train", "validate",
                          "check", "wrapper")
               for f in frames) and not any(f.name in ("on_epoch_end", "on_train_batch_end",
                                                      "_reduce_optimizer_lr", "_act",
                                                      "roll_back") for f in frames)


def verdict(outcome, want):
    """The class of one outcome against what the value should get."""
    argument = outcome.get("argument", outcome["param"])
    phase = outcome["phase"]
    if want == "no-domain":
        return "no-domain"
    if phase == "hang":
        return "hang"
    if phase == "ok":
        if (outcome.get("note") or "").startswith("rates") or (outcome.get("note") and
                                                           want is not True):
            # a loss that diverged at a rate the user chose is training, not the argument
            return "silently-accepted" if want is not True else "accepted-meaningless"
        if want is True or want == "either":
            return "accepted"
        said = " ".join(outcome["warnings"] + outcome["printed"])
        if want == "warn" and (outcome["value"].strip("'") in said or argument in said):
            return "warned"
        return "silently-accepted"
    # raised
    clear = outcome["error_kind"] in CLEAR_KINDS and (
        argument in outcome["error"] or (argument == "c" and "config" in outcome["error"]))
    if want is True:
        return "refused-valid"
    if clear and (phase == "construct" or outcome.get("in_fit_start")):
        return "refused"
    if clear and outcome["param"] == "monitor" and want is not True:
        return "refused-when-logged"  # the first epoch's end: the first call that knows them
    if phase == "use" and not outcome.get("in_fit_start"):
        return "raised-in-fit"
    return "unclear"


GOOD = {"accepted", "refused", "warned", "refused-when-logged", "no-domain"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="exports, comma-separated")
    parser.add_argument("--no-keras", action="store_true")
    parser.add_argument("--json", default=os.path.join(ROOT, "runs", "api_values.json"))
    parser.add_argument("--rejudge", help="a saved --json: its verdicts under DOMAINS now")
    args = parser.parse_args()
    if args.rejudge:
        return rejudge(args.rejudge)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import absl.logging
    absl.logging.set_verbosity("error")
    results = []
    all_cases = [c for export in (args.only or "").split(",") for c in cases(export or None)]
    print(f"{len(all_cases)} cases", flush=True)
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    for export, name, cls, value in all_cases:
        want = expected(export, name, cls, value)
        outcome = run_case(export, name, cls, value)
        outcome.update(expected=want, verdict=verdict(outcome, want))
        twin = KERAS_TWINS.get(export)
        if twin and twin[0] == "callbacks.CSVLogger" and isinstance(value, int):
            # open() takes an int as a file descriptor: CSVLogger(1) writes its rows into
            # stdout and closes it (this harness lost its output so)
            outcome["keras"] = "not-run"
        elif twin and not args.no_keras and (cls == "misspelled_keyword" or name == "**" or
                                           twin[1].get(name, name) in inspect.signature(
                                               _keras_class(twin[0])).parameters):
            keras_outcome = run_case(export, name, cls, value, twin)
            outcome["keras"] = verdict(keras_outcome, want)
            outcome["keras_outcome"] = keras_outcome
            outcome["keras_detail"] = keras_outcome.get("error") or "; ".join(
                keras_outcome["warnings"])[:200] or keras_outcome.get("note")
        results.append(outcome)
        with open(args.json, "w") as f:  # as it goes: a crash keeps the cases before it
            json.dump(results, f, indent=1, default=str)
        mark = "" if outcome["verdict"] in GOOD else "  <-- FAILED"
        said = (f" | {outcome.get('error_kind')}: {outcome['error']}" if mark and
                outcome.get("error") else "")
        print(f"{export}({name}={outcome['value']}) [{cls}] -> {outcome['verdict']}"
              f"{' | keras: ' + outcome['keras'] if 'keras' in outcome else ''}{mark}{said}",
              flush=True)
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1, default=str)
    summarize(results)


def summarize(results):
    counts = Counter(r["verdict"] for r in results)
    keras_counts = Counter(r["keras"] for r in results if "keras" in r)
    print(f"\n{len(results)} cases: {dict(counts)}")
    print(f"stock Keras on its {sum(keras_counts.values())} twins: {dict(keras_counts)}")
    failing = Counter((r["export"], r["verdict"]) for r in results if r["verdict"] not in GOOD)
    for (export, v), n in sorted(failing.items()):
        print(f"  {export}: {v} {n}")


def rejudge(path):
    """The verdicts of a saved run again, under this file's DOMAINS (outcomes kept as run)."""
    results = json.load(open(path))
    for r in results:
        value = VALUES.get(r["class"], r["class"])
        if r["class"] == "unknown_choice":
            value = UNKNOWN_CHOICE.get(r["param"], value)
        r["expected"] = expected(r["export"], r["param"], r["class"], value)
        r["verdict"] = verdict(r, r["expected"])
        if "keras_outcome" in r:
            r["keras"] = verdict(r["keras_outcome"], r["expected"])
    summarize(results)
    return results


def _keras_class(path):
    import keras
    target = keras
    for part in path.split("."):
        target = getattr(target, part)
    return target


if __name__ == "__main__":
    main()
