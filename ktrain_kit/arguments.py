"""The public classes' and functions' arguments, checked where they are given.

A user who writes `EarlyStopping(patience=-1)`, `ReduceLROnPlateau(min_lr=float("nan"))` or
`Schedule("cosin", ...)` in their own Keras program gets one ValueError / TypeError at that
line, naming the argument and what it takes - not a KeyError from inside the first step, nor a
run that trains without a word while the argument does nothing (a NaN floor is never crossed,
`restore_best_weights="False"` is true). Keras' own callbacks check almost nothing; where a
value means something to Keras (a negative `min_delta`, whose absolute value it uses) it is
accepted here with Keras' meaning.

    @checked(patience=whole(0), mode=one_of("auto", "min", "max"), ...)
    def __init__(self, monitor="val_loss", ..., patience=0, ...): ...

Every parameter of the decorated function must have a rule (`anything` says so on purpose):
a parameter added later without one fails at import, so none goes unchecked. Nothing here
imports TensorFlow.
"""

import functools
import inspect
import math
import numbers
import os

FLOAT32_MAX = 3.4028234663852886e38
FLOAT32_TINY = 1.1754943508222875e-38  # its smallest normal number: numpy.finfo(numpy.float32).tiny


class Rule:
    """`fits(value) -> bool` and the words for what fits ("a whole number >= 1"); `kind`:
    the type check alone, so a value of another type is a TypeError, one out of range a
    ValueError."""

    def __init__(self, fits, words, kind=None):
        self.fits, self.words, self.kind = fits, words, kind or fits


def _is_real(value):
    return isinstance(value, numbers.Real) and not _is_bool(value)


def _is_bool(value):
    return isinstance(value, bool) or type(value).__name__ == "bool_"  # numpy's too


def _is_whole(value):
    return isinstance(value, numbers.Integral) and not _is_bool(value)


def whole(minimum):
    """An int (Python's or numpy's) >= minimum: a count of epochs, steps or files. A number
    that is not whole (2.5) is a ValueError, as MetricsCSV's batch_size was; text a TypeError."""
    return Rule(lambda v: _is_whole(v) and v >= minimum, f"a whole number >= {minimum}",
                _is_real)


def real(low, high=math.inf, low_open=False, high_open=False, float32=False):
    """A finite number in [low, high] (open ends as told). `float32`: kept or compared in
    float32, where a number beyond ~3.4e38 is inf, and one below its smallest normal number
    (~1.2e-38, not 0) is 0 or loses its digits: Schedule(decay_every=1e-40) gave a NaN rate."""
    def fits(v):
        if not _is_real(v) or not math.isfinite(v) or (float32 and abs(v) > FLOAT32_MAX):
            return False
        if float32 and 0 < abs(v) < FLOAT32_TINY:
            return False
        return (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
    left, right = "(" if low_open else "[", ")" if high_open else "]"
    words = "a finite number" if low == -math.inf and high == math.inf else (
        f"a finite number {'>' if low_open else '>='} {low:g}" if high == math.inf else
        f"a number in {left}{low:g}, {high:g}{right}")
    if float32:  # float32's range, said as it applies to this one
        words += (f" (at least {FLOAT32_TINY:.3g}: float32)" if low_open and low == 0 else
                  f" (0, or at least {FLOAT32_TINY:.3g} in size: float32)")
    return Rule(fits, words, _is_real)


def flag():
    """True or False (0 and 1 too): a text such as "False" is true to Python."""
    return Rule(lambda v: _is_bool(v) or (_is_whole(v) and v in (0, 1)), "True or False")


def one_of(*names):
    shown = [repr(n) for n in names]
    return Rule(lambda v: isinstance(v, str) and v in names,
                ", ".join(shown[:-1]) + " or " + shown[-1], lambda v: isinstance(v, str))


def text():
    return Rule(lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string",
                lambda v: isinstance(v, str))


NAME_MAX = 255  # bytes in one name of a path, on every common local filesystem


def _nameable(text: str) -> bool:
    """A path the filesystem can hold and that names what was meant. Each of these failed
    inside fit, or made something else without a word (round h93): a NUL ('embedded null
    byte' from the first write); a name over 255 bytes ('File name too long' at the first
    save); a lone surrogate, what os.fsdecode makes of bytes the locale cannot decode
    (UnicodeEncodeError after the run folder was made); a leading `~`, which Python does not
    expand (a folder named '~' in the current one: the config's paths refuse it too)."""
    if "\0" in text or text.startswith("~"):
        return False
    try:
        encoded = [part.encode("utf-8") for part in text.split("/")]
    except UnicodeEncodeError:
        return False
    return all(len(part) <= NAME_MAX for part in encoded)


def path():
    """A file or folder name: a non-empty str or os.PathLike, not a named pipe or device
    (`MetricsCSV(path=FIFO)` waited forever in fit, opening the pipe no one reads), that a
    filesystem can hold as given (`_nameable`)."""
    from ktrain_kit import fs
    return Rule(lambda v: isinstance(v, (str, os.PathLike)) and str(os.fspath(v)).strip() != ""
                and _nameable(str(os.fspath(v))) and not fs.special_kind(os.fspath(v)),
                "a non-empty path (str or pathlib.Path) of a file or folder, not a pipe or "
                "device, without a NUL, a name over 255 bytes or characters UTF-8 cannot "
                "write, and not starting with ~ (Python does not expand it: "
                "os.path.expanduser)",
                lambda v: isinstance(v, (str, os.PathLike)))


def verbosity():
    """Keras' verbose: 0, 1, 2 (or True / False)."""
    return Rule(lambda v: (_is_whole(v) or _is_bool(v)) and v >= 0, "a whole number >= 0",
                lambda v: _is_whole(v) or _is_bool(v))


def optional(rule):
    return Rule(lambda v: v is None or rule.fits(v), f"None or {rule.words}",
                lambda v: v is None or rule.kind(v))


def sequence_of(rule, words):
    """A list or tuple, each item fitting `rule`."""
    return Rule(lambda v: isinstance(v, (list, tuple)) and all(rule.fits(x) for x in v), words,
                lambda v: isinstance(v, (list, tuple)))


def mapping():
    return Rule(lambda v: hasattr(v, "keys") and hasattr(v, "__getitem__"), "a dict")


def having(attribute, words):
    """An object with `attribute` (duck typing: a schedule with a `multiplier`)."""
    return Rule(lambda v: hasattr(v, attribute), words)


def satisfying(fits, words):
    return Rule(fits, words)


def anything(why):
    """No rule here, on purpose (`why`: where the value is checked instead)."""
    return Rule(lambda v: True, why)


def check(owner, rules, values, defaults=None):
    """Raises for the first value that does not fit its rule: TypeError for another type,
    ValueError for one out of range, the message naming `owner(argument=value)`, what the
    argument takes and its default (`defaults`: name -> default, where there is one)."""
    for name, rule in rules.items():
        value = values[name]
        if not rule.fits(value):
            error = ValueError if rule.kind(value) else TypeError
            default = (defaults or {}).get(name, inspect.Parameter.empty)
            said = "" if default is inspect.Parameter.empty else f" (the default: {default!r})"
            raise error(f"{owner}({name}={_shown(value)}): {name} takes {rule.words}{said}")


def _shown(value):
    text_ = repr(value)
    return text_ if len(text_) <= 60 else f"<{type(value).__name__}>"


def checked(**rules):
    """Decorates an `__init__` (or a function): its arguments are checked by `rules` before
    it runs. Every named parameter needs a rule; `**kwargs` is refused when not empty unless
    it has a rule of its own (Keras' ReduceLROnPlateau swallows any keyword: `patiance=3` did
    nothing)."""
    def decorate(function):
        signature = inspect.signature(function)
        named = [p.name for p in signature.parameters.values() if p.name != "self"
                 and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
        extra = [p.name for p in signature.parameters.values() if p.kind is p.VAR_KEYWORD]
        missing = sorted(set(named) - set(rules))
        if missing:
            raise AssertionError(f"{function.__qualname__}: no rule for {missing} "
                                 "(ktrain_kit/arguments.py: every parameter gets one)")
        owner_of = function.__qualname__.split(".")[0]
        defaults = {p.name: p.default for p in signature.parameters.values()}

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            owner = type(args[0]).__name__ if args and "self" in signature.parameters \
                else owner_of
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as e:  # a keyword misspelt, too many positions: say whose
                raise TypeError(f"{owner}() {e}; its arguments are {', '.join(named)}") \
                    from None
            bound.apply_defaults()
            values = bound.arguments
            for name in (n for n in extra if n not in rules):
                unknown = [k for k in values.get(name, {}) if k not in rules]
                if unknown:
                    raise TypeError(f"{owner}() got an unexpected keyword argument "
                                    f"{unknown[0]!r}; its arguments are "
                                    f"{', '.join(named)}")
            check(owner, {k: r for k, r in rules.items() if k in values and k not in extra},
                  values, defaults)
            return function(*args, **kwargs)
        wrapper.argument_rules = rules  # for the tests: every parameter has one
        return wrapper
    return decorate


FLOAT32_TINY = 1.1754943508222875e-38  # float32's smallest normal number


def rate_range_problem(min_lr, max_lr) -> str | None:
    """What is wrong with an LR range test's min_lr..max_lr, None if nothing (here, not in
    lr_find: its launcher checks its flags before the library loads). The rates are
    min_lr * (max_lr / min_lr) ** t in float32: a ratio or a rate beyond it became inf (NaN
    losses from the third step, and a suggestion of min_lr / 10)."""
    if not 0 < min_lr < max_lr or not math.isfinite(max_lr):
        return f"min_lr={min_lr:g} must be > 0 and below max_lr={max_lr:g}, both finite"
    if max_lr / min_lr > FLOAT32_MAX or min_lr < FLOAT32_TINY:
        return (f"min_lr={min_lr:g} to max_lr={max_lr:g} is beyond float32, in which the "
                "rates are computed (a ratio of at most 1e38, rates from 1e-38)")
    return None
