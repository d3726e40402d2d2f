"""Every parameter of every public export x every class of bad value (round h73).

The cases come from `inspect.signature` of each export of `ktrain_kit._EXPORTS`, so a
parameter added later is tried too, and the judge is benchmarks/api_values.py's DOMAINS - the
values each argument's documented meaning allows, written apart from ktrain_kit/arguments.py.
A value outside its domain must be refused where it is given, by one ValueError / TypeError /
UserError naming the argument; one inside it must be taken. Construction only (no fit) except
for the paths, whose refusal needs the folder made at the start of `fit`.

    python -m pytest -o addopts="" -p no:xdist tests/test_api_values_enumerated.py
"""

import inspect
import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ktrain_kit
from benchmarks import api_values as harness
from ktrain_kit.errors import UserError

REFUSALS = (ValueError, TypeError, UserError)
EXPORTS = [e for e in ktrain_kit._EXPORTS if e not in ("UserError", "default_config")]


def _cases():
    """(export, param, class, value, expected) for every parameter by signature."""
    out = []
    for export, name, cls, value in harness.cases():
        if cls in harness.PATH_VALUES:
            continue
        out.append(pytest.param(export, name, cls, value,
                                harness.expected(export, name, cls, value),
                                id=f"{export}-{name}-{cls}"))
    return out


CASES = _cases()


def _arguments(export, tmp_path, name, value, cls):
    arguments = harness.working_arguments(export, str(tmp_path))
    if cls == "misspelled_keyword":
        arguments["patiance"] = 3
    else:
        arguments[name] = harness.concrete(value, str(tmp_path), export, cls)
    return arguments


@pytest.mark.parametrize("export", EXPORTS)
def test_every_parameter_has_a_rule_and_a_domain(export):
    """A parameter added later without a rule (ktrain_kit/arguments.py) or a domain in the
    benchmark's oracle fails here, so none goes unchecked."""
    target = getattr(ktrain_kit, export)
    function = target.__init__ if inspect.isclass(target) else target
    rules = getattr(function, "argument_rules", None)
    assert rules is not None, f"{export} is not decorated with arguments.checked"
    named = [p.name for p in inspect.signature(target).parameters.values()
             if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    assert set(named) <= set(rules)
    assert set(named) <= set(harness.DOMAINS[export])


@pytest.mark.parametrize("export, name, cls, value, want", CASES)
def test_each_value_is_refused_naming_its_argument_or_taken(export, name, cls, value, want,
                                                            tmp_path):
    if want is True and export == "train":
        pytest.skip("a valid train() argument trains: benchmarks/api_values.py runs those")
    if want is True and export == "TrainingDoctor" and name in ("probe_data",
                                                               "reference_data"):
        pytest.skip("'either': judged by the benchmark's fit")
    arguments = _arguments(export, tmp_path, name, value, cls)
    argument = "patiance" if cls == "misspelled_keyword" else name
    target = getattr(ktrain_kit, export)
    if want is False:
        with pytest.raises(REFUSALS) as caught:
            target(**arguments)
        message = str(caught.value)
        assert argument in message or (argument == "c" and "config" in message), message
        assert "\n" not in message.strip()
    elif want is True:
        made = target(**arguments)
        if export == "Schedule":  # what it means: finite rates over the run
            rates = [float(made(step)) for step in range(min(made.total_steps, 20) + 2)]
            assert all(math.isfinite(r) and r >= 0 for r in rates), rates


@pytest.mark.parametrize("export, kind", [("MetricsCSV", k) for k in harness.PATH_VALUES] +
                         [("Checkpoints", k) for k in harness.PATH_VALUES])
def test_paths_are_refused_by_the_start_of_fit_or_work(export, kind, tmp_path):
    """A file where a folder goes (or the reverse) is refused at construction or when fit
    starts, naming the path; a missing folder is made."""
    value = harness.path_value(kind, str(tmp_path), export)
    name = "path" if export == "MetricsCSV" else "directory"
    outcome = harness.run_case(export, name, kind, kind)
    verdict = harness.verdict(outcome, harness.path_valid(kind, export))
    assert verdict in ("accepted", "refused"), outcome
    if verdict == "refused":
        assert os.path.basename(value) in outcome["error"] or name in outcome["error"]


def test_stock_keras_takes_what_ours_refuses():
    """Why the rules exist: Keras' own EarlyStopping takes these without a word."""
    import keras
    keras.callbacks.EarlyStopping(patience=-1, baseline=float("nan"),
                                  restore_best_weights="False")
    keras.callbacks.ReduceLROnPlateau(min_lr=float("nan"), patiance=3)
    for bad in (dict(patience=-1), dict(baseline=float("nan")),
                dict(restore_best_weights="False")):
        with pytest.raises(REFUSALS, match=next(iter(bad))):
            ktrain_kit.EarlyStopping(**bad)
    with pytest.raises(TypeError, match="patiance"):
        ktrain_kit.ReduceLROnPlateau(patiance=3)


NUMERIC = [("EarlyStopping", "patience"), ("ReduceLROnPlateau", "factor"),
           ("ReduceLROnPlateau", "min_lr"), ("NaNGuard", "lr_factor"),
           ("Checkpoints", "every_steps"), ("TrainingDoctor", "interval"),
           ("SGD", "momentum"), ("Schedule", "decay_every")]
ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-10**40, 10**40),
                      st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
                      st.lists(st.integers(), max_size=2))


@pytest.mark.parametrize("export, name", NUMERIC)
@settings(max_examples=40, deadline=None)
@given(value=ANY_VALUE)
def test_any_value_is_refused_exactly_when_the_domain_says_so(export, name, value,
                                                              tmp_path_factory):
    """The rules as a parser of Python values: refused iff outside the oracle's domain."""
    tmp = tmp_path_factory.mktemp("h73")
    arguments = {**harness.working_arguments(export, str(tmp)), name: value}
    want = harness.expected(export, name, "hypothesis", value)
    try:
        getattr(ktrain_kit, export)(**arguments)
    except REFUSALS as e:
        assert want is False, f"{value!r} refused: {e}"
        assert name in str(e)
    else:
        assert want is not False, f"{value!r} taken"
