"""Hyperparameter sweeps on Optuna: a search space over config keys, every trial an ordinary run.

    python -m launchers.sweep --config=configs/digits_mlp.py --sweep=sweeps/digits_mlp_lr.py \
        --workdir=runs/sweep [--trials=N] [--workers=K] [--storage=URL]

A sweep file is plain Python like a config; `get_sweep()` returns

    metric     a metrics.csv column, e.g. "val_accuracy" (the kept epoch's value is the result)
    direction  maximize | minimize (default: from the metric: losses, mae, rmse are minimized)
    trials     how many trials end finished (complete or pruned)
    space      {config key: ("log_uniform", lo, hi) | ("uniform", lo, hi) | ("int", lo, hi)
                | ("choice", [values])}
    pruner     median | hyperband | none (default median)
    sampler    tpe | random | grid (default tpe; grid needs only "choice" and "int" keys)

Everything is checked against the config before anything is created. The study lives in a
database: `sqlite:///DIR/study.db` by default, or any SQLAlchemy URL Optuna accepts (PostgreSQL
for workers on many machines). Each trial runs in its own process as `DIR/trials/NNNN/`, a run
folder like any other (resumable, exported, diagnosed), reports its metric per epoch for pruning
and tells the study its result itself. The config's own values are the first trial when they lie
in the space, so the best trial is never worse than the config you started from.

Killed at any moment, the same command continues: finished trials are kept, a trial whose run
folder is no longer locked by a live process is resumed from its checkpoint (not restarted, not
duplicated), and new trials are asked for under a lock until exactly `trials` are finished.
"""

import contextlib
import csv
import io
import json
import math
import numbers
import os
import subprocess

from ktrain_kit import config as config_lib
from ktrain_kit import config_fields
from ktrain_kit import fs, runfolder, stopping, tasks
from ktrain_kit.errors import UserError, config_error, problem_of, user_code_failure

KINDS = ("log_uniform", "uniform", "int", "choice")
PRUNERS = ("median", "hyperband", "none")
SAMPLERS = ("tpe", "random", "grid")
STUDY = "ktrain_kit"
FINISHED = ("COMPLETE", "PRUNED")


def _error(key, problem, fix):
    return UserError(f"sweep key '{key}': {problem}; {fix}")


# --------------------------------------------------------------------------- the sweep file
def load_spec(path: str) -> dict:
    """The sweep file's get_sweep() as a plain dict (one-line errors for a broken file)."""
    import importlib.util
    if os.path.isdir(path):
        raise UserError(f"sweep file '{path}' is a folder; pass a sweep file, "
                        f"--sweep={os.path.join(path, 'NAME.py')}")
    if fs.special_kind(path):
        raise UserError(f"sweep file '{path}' is {fs.special_kind(path)}, not a file; pass a "
                        "sweep file, e.g. --sweep=sweeps/digits_mlp_lr.py")
    if not os.path.isfile(path):
        raise UserError(f"sweep file '{path}' does not exist; "
                        f"{config_fields.near_file(path, 'sweep')}pass "
                        "--sweep=sweeps/NAME.py")
    with open(path, "rb") as f:
        encoding = config_fields.wide_text(f.read(4096))
    if encoding:  # it was "SyntaxError: source code string cannot contain null bytes"
        raise UserError(config_fields.wide_source_message("sweep file", path, encoding))
    spec = importlib.util.spec_from_file_location("_ktrain_sweep", path)
    module = importlib.util.module_from_spec(spec)
    _run_sweep_file(path, spec.loader.exec_module, module)
    if not callable(getattr(module, "get_sweep", None)):
        swapped = " (it defines get_config(): a config file)" if \
            callable(getattr(module, "get_config", None)) else ""
        raise UserError(f"sweep file '{path}' defines no get_sweep(){swapped}; pass a sweep "
                        "file, e.g. --sweep=sweeps/digits_mlp_lr.py")
    value = _run_sweep_file(path, module.get_sweep)
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    if not isinstance(value, dict):
        raise UserError(f"sweep file '{path}': get_sweep() returned {type(value).__name__}, not "
                        "a dict; return dict(metric=..., trials=..., space={...})")
    return value


def _run_sweep_file(path, function, *args):
    """`function(*args)`, the user's code: whatever it raises is one line naming the file,
    sys.exit() and KeyboardInterrupt included (they ended the launcher without a word)."""
    try:
        return function(*args)
    except BaseException as e:  # noqa: BLE001 - the user's file: anything it raises
        raise UserError(f"sweep file '{path}' failed to load ({user_code_failure(e)}); fix "
                        "that file") from None


REPAIR_KEY = "callbacks.doctor.repair"


def _check_not_repairing(config, space):
    """callbacks.doctor.repair is launchers.train's loop after its run: a sweep's trials are
    trained without it, so a budget set for a sweep (in the config or its space) would be
    ignored without a word, and a repaired trial would not be the trial the sampler asked."""
    if REPAIR_KEY in space:
        raise _error(REPAIR_KEY, "a sweep does not repair its trials", "leave it out of the "
                     "space; repair the best trial with python -m launchers.doctor "
                     "TRIAL_FOLDER --fix")
    if config.callbacks.doctor.repair:
        raise config_error(REPAIR_KEY, "a sweep does not repair its trials (only "
                           "launchers.train reads it)", f"set --config.{REPAIR_KEY}=0, and "
                           "repair the best trial with python -m launchers.doctor "
                           "TRIAL_FOLDER --fix")


# Beyond this many trials a number is a typo (10**12 ran until killed): the sweep file's
# `trials` and --trials alike.
MAX_TRIALS = 100_000


def validate_spec(spec: dict, config, trials_flag=None) -> dict:
    """Checks the sweep against the config; returns it completed with its defaults."""
    known = {"metric", "direction", "trials", "space", "pruner", "sampler"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise _error(unknown[0], "is not a sweep setting", f"use {', '.join(sorted(known))}")
    columns = tasks.logged_columns(config.task.name)
    metric = spec.get("metric", f"val_{tasks.MAIN_METRIC[config.task.name]}")
    if metric not in columns and not _per_target_column(metric, config):
        raise _error("metric", f"'{metric}' is not logged by a {config.task.name} run",
                     f"{config_fields.near_miss(metric, columns)}use one of: {', '.join(columns)}")
    direction = spec.get("direction") or ("maximize" if tasks.maximize(metric) else "minimize")
    if direction not in ("maximize", "minimize"):
        raise _error("direction", f"'{direction}'", "use maximize or minimize")
    natural = "maximize" if tasks.maximize(metric) else "minimize"
    if direction != natural:  # every logged column is better one way: the other ranks the
        raise _error("direction", f"'{direction}' for {metric}, which is better "  # worst first
                     f"{'higher' if natural == 'maximize' else 'lower'}: the sweep would call "
                     "its worst trial the best", f"use {natural}, or leave direction out (it "
                     "follows the metric)")
    trials = trials_flag if trials_flag is not None else spec.get("trials", 10)
    if not isinstance(trials, numbers.Integral) or isinstance(trials, bool) or trials < 1:
        raise _error("trials", f"must be a whole number >= 1, got {trials!r}", "e.g. trials=20")
    trials = int(trials)  # a NumPy integer (trials=np.int64(2)) as the number it is
    if trials > MAX_TRIALS:
        raise _error("trials", f"{trials:,} is beyond any sensible sweep (limit "
                     f"{MAX_TRIALS:,}: weeks of training at a second a trial)",
                     "check for a typo")
    for key, names in (("pruner", PRUNERS), ("sampler", SAMPLERS)):
        if spec.get(key, names[0]) not in names:
            raise _error(key, f"unknown name '{spec[key]}'", f"use one of: {', '.join(names)}")
    space = spec.get("space")
    if not isinstance(space, dict) or not space:
        raise _error("space", "must map config keys to ranges", "e.g. space={'schedule.base_lr':"
                     " ('log_uniform', 1e-4, 1e-1)}")
    keys = config_lib.flat_keys(config)
    for key, rng in space.items():
        _check_range(key, rng, config, keys)
    _check_not_repairing(config, space)
    sampler = spec.get("sampler", "tpe")
    if sampler == "grid" and any(tuple(r)[0] in ("log_uniform", "uniform")
                                 for r in space.values()):
        raise _error("sampler", "grid needs finite choices", "use choice/int ranges, or tpe")
    _check_corners(space, config)
    points = grid_points(space) if sampler == "grid" else None
    if points is not None and trials > points:
        # past its last point Optuna's grid samples the same points again: trials of equal
        # values, trained for nothing
        print(f"ktrain_kit: note: the grid holds {points} point{'s' * (points > 1)}: "
              f"{points} trials, not {trials}", flush=True)
        trials = points
    return {"metric": metric, "direction": direction, "trials": trials, "space": space,
            "pruner": spec.get("pruner", "median"), "sampler": sampler}


def _per_target_column(metric, config) -> bool:
    """A regression of several targets logs each one's error too, `rmse_<target>` (its label
    column's name, or its index: tasks.target_names): a metrics.csv column a sweep may
    optimize (`val_rmse_temp_max`), refused before as not logged."""
    import re
    if config.task.name != "regression" or not isinstance(metric, str):
        return False
    found = re.fullmatch(r"(?:val_)?(?:mae|rmse)_(\w+)", metric)
    if not found:
        return False
    labels = config.data.label_columns
    names = [n.strip() for n in labels.split(",")] if isinstance(labels, str) else \
        list(labels or [])
    return found.group(1).isdigit() or found.group(1) in tasks.target_names(
        {"label_names": names}, len(names))


def _check_range(key, rng, config, keys):
    if key not in keys:
        import difflib
        close = difflib.get_close_matches(key, sorted(keys), n=1)
        raise _error(key, "is not a config key", f"did you mean '{close[0]}'?" if close else
                     "use a dotted key such as schedule.base_lr")
    if not isinstance(rng, (tuple, list)) or not rng or rng[0] not in KINDS:
        raise _error(key, f"{rng!r} is not a range", f"start it with one of: {', '.join(KINDS)}")
    kind, current = rng[0], config_lib.value_at(config, key)
    if kind == "choice":
        values = rng[1] if len(rng) == 2 and isinstance(rng[1], (list, tuple)) else None
        if not values:
            raise _error(key, "choice needs a non-empty list", "e.g. ('choice', ['sgd', 'adam'])")
        for value in values:
            if isinstance(current, bool) != isinstance(value, bool) or (
                    not isinstance(current, bool) and not isinstance(value, type(current)) and
                    not (isinstance(current, float) and isinstance(value, int))):
                raise _error(key, f"choice {value!r} is not a {type(current).__name__} like the "
                             f"config's {current!r}", "give values of the key's type")
        return
    if len(rng) != 3 or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                and math.isfinite(v) for v in rng[1:]):
        raise _error(key, f"{kind} needs two finite numbers, got {rng!r}",
                     f"e.g. ('{kind}', 1e-4, 1e-1)")
    lo, hi = rng[1], rng[2]
    if not lo < hi:
        raise _error(key, f"the range {lo}..{hi} is empty", "give low < high")
    if kind == "log_uniform" and lo <= 0:
        raise _error(key, "a log-uniform range must be positive", "give 0 < low < high")
    if kind == "int" and (not isinstance(current, int) or isinstance(current, bool)):
        raise _error(key, f"is a {type(current).__name__}, not a whole number", "use uniform")
    if kind == "int" and not all(isinstance(v, numbers.Integral) for v in (lo, hi)):
        raise _error(key, f"int needs whole-number bounds, got {lo!r}..{hi!r}",
                     f"e.g. ('int', {math.ceil(lo)}, {math.floor(hi)})")
    if kind in ("log_uniform", "uniform") and not isinstance(current, float):
        raise _error(key, f"is a {type(current).__name__}, not a number", "use choice or int")


def grid_points(space) -> int:
    """How many points a grid over `space` holds (choices and whole-number ranges only)."""
    return math.prod(len(rng[1]) if rng[0] == "choice" else int(rng[2]) - int(rng[1]) + 1
                     for rng in space.values())


def _corners(rng):
    kind = rng[0]
    return list(rng[1]) if kind == "choice" else [rng[1], rng[2]]


def _check_corners(space, config):
    """Each key at each end of its range (the others as configured) must be a valid config."""
    for key, rng in space.items():
        for value in _corners(rng):
            candidate = config_lib.with_overrides(config, {key: value})
            try:
                config_lib.validate(candidate)
            except UserError as e:
                raise _error(key, f"{value!r} makes the config invalid ({e})",
                             "narrow the range") from None


def distributions(space):
    import optuna.distributions as d
    out = {}
    for key, rng in space.items():
        kind = rng[0]
        if kind == "log_uniform":
            out[key] = d.FloatDistribution(rng[1], rng[2], log=True)
        elif kind == "uniform":
            out[key] = d.FloatDistribution(rng[1], rng[2])
        elif kind == "int":
            out[key] = d.IntDistribution(int(rng[1]), int(rng[2]))
        else:
            out[key] = d.CategoricalDistribution(list(rng[1]))
    return out


def _within(rng, value):
    kind = rng[0]
    if kind == "choice":
        return value in rng[1]
    return isinstance(value, (int, float)) and rng[1] <= value <= rng[2]


# --------------------------------------------------------------------------- the study
def storage_url(url: str | None, workdir: str) -> str:
    """The study's database URL (default DIR/study.db); an in-memory one is refused."""
    url = url or default_storage_url(workdir)
    if url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") in ("sqlite:",
                                                                              "sqlite:/")):
        raise UserError(f"--storage '{url}' is an in-memory database: every trial runs in its "
                        "own process and would see an empty study; leave --storage out (the "
                        "study goes to DIR/study.db) or give a file or server URL")
    return url


def default_storage_url(workdir: str) -> str:
    """sqlite:///DIR/study.db with DIR's path percent-quoted (SQLAlchemy unquotes it): a
    folder name is a URL's text there, so `?` began a query (the study went to a file named
    after the part before it, beside the folder), `%41` was read as `A`, and `{`/`}` were a
    template to Optuna (KeyError). Every name a folder can have reaches the folder's own file."""
    from urllib.parse import quote
    return "sqlite:///" + quote(os.path.abspath(os.path.join(workdir, "study.db")), safe="/")


def storage(url: str | None, workdir: str):
    import optuna
    url = storage_url(url, workdir)
    kwargs = {"connect_args": {"timeout": 120}} if url.startswith("sqlite") else {}
    try:
        return optuna.storages.RDBStorage(url, engine_kwargs=kwargs)
    except Exception as e:  # noqa: BLE001 - a bad URL or an unreachable database
        if url == storage_url(None, workdir):  # the sweep's own file, damaged: no URL to fix
            raise UserError(f"sweep '{workdir}': its study.db cannot be opened "
                            f"({type(e).__name__}: {str(e).splitlines()[0][:120]}); put back "
                            "the study.db the sweep wrote, or choose a new --workdir") from None
        raise UserError(f"--storage '{url}' cannot be opened ({type(e).__name__}: "
                        f"{str(e).splitlines()[0][:120] if str(e) else ''}); give a SQLAlchemy "
                        "URL Optuna accepts, e.g. postgresql://user@host/db") from None


def check_study_holds_trials(the_study, workdir) -> None:
    """trials/ records trials the study does not hold: its database was deleted, emptied or
    replaced. Asking it for trials would number them again over the recorded ones."""
    folder = os.path.join(workdir, "trials")
    names = os.listdir(folder) if os.path.isdir(folder) else []
    recorded = sorted(int(n[:-len(".state")]) for n in names
                      if n.endswith(".state") and n[:-len(".state")].isdigit())
    held = {t.number for t in the_study.get_trials(deepcopy=False)}
    missing = [n for n in recorded if n not in held]
    if missing:
        raise UserError(f"sweep '{workdir}': trials/ records trial {missing[0]:04d}, which its "
                        "study (study.db, or --storage) does not hold: the database was "
                        "deleted, emptied or replaced; put it back, or choose a new --workdir")


def sampler_seed(seed: int, worker: int, trial: int | None = None) -> int:
    """Each worker's own sampler seed, from the study's (the config's seed) and its index:
    workers sharing one seed would propose the same parameters. With `trial` (how many trials
    the study holds before this one), the seed of that one proposal: a sampler seeded afresh
    for each trial proposes trial N alike whether the sweep ran through or was killed and
    re-run before N (a long-lived sampler's state depends on how many trials it proposed)."""
    base = (int(seed) * 1_000_003 + int(worker)) % 2**32
    return base if trial is None else (base * 1_000_003 + int(trial)) % 2**32


def sampler(spec, seed: int, worker: int = 0, trial: int | None = None):
    """The spec's sampler. A grid is shuffled once by the study's seed, the same in every
    worker and process: Optuna gives trial N the N-th point of that order, so the workers
    share one order (seeded each its own, they would repeat and skip points)."""
    import optuna
    if spec["sampler"] == "grid":
        return optuna.samplers.GridSampler(
            {k: (list(v[1]) if v[0] == "choice" else list(range(v[1], v[2] + 1)))
             for k, v in spec["space"].items()}, seed=sampler_seed(seed, 0))
    kind = {"tpe": optuna.samplers.TPESampler, "random": optuna.samplers.RandomSampler}
    return kind[spec["sampler"]](seed=sampler_seed(seed, worker, trial))


def study(spec, store, create=True, seed=0, worker=0):
    import optuna
    pruners = {"median": lambda: optuna.pruners.MedianPruner(n_startup_trials=2,
                                                             n_warmup_steps=1),
               "hyperband": lambda: optuna.pruners.HyperbandPruner(),
               "none": lambda: optuna.pruners.NopPruner()}
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    load = optuna.create_study if create else optuna.load_study
    args = dict(study_name=STUDY, storage=store,
                sampler=sampler(spec, seed, worker), pruner=pruners[spec["pruner"]]())
    if create:
        args.update(direction=spec["direction"], load_if_exists=True)
    return load(**args)


BINDING = runfolder.SWEEP_BINDING


def bind(workdir, config, spec) -> None:
    """One study per workdir: sweep.json records the config and sweep file (all but `trials`,
    which may grow) it belongs to; a different config or sweep is refused, not mixed in."""
    from ktrain_kit.runfolder import COSMETIC_KEYS, _diff
    wanted = json.loads(json.dumps({"config": json.loads(config.to_json()),
                                    "sweep": {k: v for k, v in spec.items() if k != "trials"}}))
    path = os.path.join(workdir, BINDING)
    if os.path.isfile(path):
        try:
            with open(path) as f:
                bound = fs.parse_json(f)
            if not isinstance(bound, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError):
            raise UserError(f"sweep '{workdir}': its {BINDING} is unreadable; delete it if this "
                            "command is the sweep's own (it is written again from the "
                            "command), or choose a new --workdir") from None
        changed = sorted(set(_diff(bound, wanted)) - {f"config.{k}" for k in COSMETIC_KEYS})
        if changed:
            raise UserError(f"sweep '{workdir}' holds a study of a different config or sweep "
                            f"file (differs in: {', '.join(changed[:4])}); choose a new "
                            "--workdir for this one")
        return
    fs.makedirs(workdir)
    fs.write_text(path, json.dumps(wanted, indent=1))


# What a sweep writes in its folder (and sqlite's side files, study.db-journal / -wal).
SWEEP_ENTRIES = (BINDING, "study.db", "trials", "plots", "trials.csv", "best.json",
                 ".sweep.lock")


def check_sweep_folder(workdir) -> None:
    """The sweep's folder is its own: its trials/, plots/ and study.db are not mixed into a
    training run's folder or among other files (a run so mixed would be refused by train)."""
    from ktrain_kit.runfolder import check_no_special_files, read_manifest
    if not os.path.isdir(workdir):
        return
    check_no_special_files(workdir, "--workdir")  # a pipe where best.json is read: a hang
    if read_manifest(workdir) is not None:
        raise UserError(f"--workdir '{workdir}' is a training run's folder; give the sweep a "
                        "new folder of its own (nothing was changed)")
    foreign = sorted(e for e in os.listdir(workdir) if e not in SWEEP_ENTRIES and
                     not e.startswith("study.db") and not fs.is_temp(e))
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise UserError(f"--workdir '{workdir}' holds entries that are not a sweep's: {shown}; "
                        "choose an empty or new --workdir (nothing was changed)")


def trial_folder(workdir, number):
    return os.path.join(workdir, "trials", f"{number:04d}")


@contextlib.contextmanager
def sweep_lock(workdir):
    """Serializes "count the trials, ask for a new one" among this machine's workers."""
    import fcntl
    with open(os.path.join(workdir, ".sweep.lock"), "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def claim(workdir, number):
    """An open file holding an exclusive lock on trials/NNNN.claim, or None if a live worker
    holds it. A worker keeps it while its trial process runs; a killed worker's claim is
    released by the kernel, which is how an interrupted trial is recognized."""
    import fcntl
    handle = open(trial_folder(workdir, number) + ".claim", "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


class Preempted(stopping.Preempted):
    """The sweep was stopped by SIGTERM / SIGINT after its trials checkpointed (exit 75)."""

    def __init__(self, message):
        Exception.__init__(self, message)
        self.signal_name, self.epoch, self.step = None, None, 0


# --------------------------------------------------------------------------- trial states
# A trial's life as the sweep records it in trials/NNNN.state (written by the one writer, so
# the crash test kills the sweep at every transition):
#   claimed   a worker holds trials/NNNN.claim and is about to start the trial's process
#   running   the trial's process runs (or ran and was killed: the next worker resumes it)
#   finished  the study has its value (Optuna COMPLETE)
#   pruned    stopped early by the pruner, or it ended without a value (Optuna PRUNED)
#   failed    its run refused its config or raised; the reason is kept (Optuna FAIL)
# Optuna's record wins where the two disagree (a kill between telling the study and writing
# the file): `state_of` reads both.
STATES = ("claimed", "running", "finished", "pruned", "failed")
TRANSITIONS = {None: {"claimed", "failed"}, "claimed": {"claimed", "running", "failed"},
               "running": {"claimed", "finished", "pruned", "failed"},
               "finished": set(), "pruned": set(), "failed": set()}
OPTUNA_STATE = {"COMPLETE": "finished", "PRUNED": "pruned", "FAIL": "failed"}


def _state_path(workdir, number):
    return trial_folder(workdir, number) + ".state"


def recorded_state(workdir, number) -> dict:
    try:
        with open(_state_path(workdir, number)) as f:
            record = fs.parse_json(f)
        return record if record.get("state") in STATES else {}
    except (OSError, ValueError, AttributeError):
        return {}


def transition(workdir, number, new, reason=None) -> None:
    """Moves trial `number` to state `new`; a move the table does not allow is a bug."""
    current = recorded_state(workdir, number).get("state")
    if new == current and new in ("finished", "pruned", "failed"):
        return
    if new not in TRANSITIONS[current]:
        raise RuntimeError(f"trial {number}: no transition {current} -> {new}")
    record = {"state": new, **({"reason": reason} if reason else {})}
    fs.write_text(_state_path(workdir, number), json.dumps(record))


def state_of(workdir, trial) -> tuple:
    """(state name, failure reason) of an Optuna trial."""
    record = recorded_state(workdir, trial.number)
    reason = trial.user_attrs.get("failure") or record.get("reason") or ""
    if trial.state.name in OPTUNA_STATE:
        return OPTUNA_STATE[trial.state.name], reason
    return record.get("state") or "claimed", reason


def next_trial(the_study, spec, workdir, claimed, seed=0, worker=0):
    """(trial number, params, resumed, claim) of the next trial to run here, or None."""
    from optuna.trial import TrialState
    with sweep_lock(workdir):
        trials = the_study.get_trials(deepcopy=False)
        for t in trials:  # an interrupted trial whose worker is gone: resume it
            if t.state == TrialState.RUNNING and t.number not in claimed:
                held = claim(workdir, t.number)
                if held is not None:
                    claimed.add(t.number)
                    transition(workdir, t.number, "claimed")
                    return t.number, dict(t.params), True, held
        finished = sum(t.state.name in FINISHED for t in trials)
        running = sum(t.state == TrialState.RUNNING for t in trials)
        failed = sum(t.state == TrialState.FAIL for t in trials)
        if finished + running >= spec["trials"]:
            return None
        if failed >= spec["trials"]:  # as many failures as trials asked for: stop asking
            return None
        the_study.sampler = sampler(spec, seed, worker, len(trials))
        trial = the_study.ask(distributions(spec["space"]))
        claimed.add(trial.number)
        held = claim(workdir, trial.number)
        transition(workdir, trial.number, "claimed")
        return trial.number, dict(trial.params), False, held


# --------------------------------------------------------------------------- a trial
def run_trial(config, spec, store_url, workdir, number):
    """Runs (or resumes) trial `number` in this process and tells the study its result."""
    import optuna
    from optuna.trial import TrialState

    from ktrain_kit.training import train
    the_study = study(spec, storage(store_url, workdir), create=False)
    frozen = next(t for t in the_study.get_trials(deepcopy=False) if t.number == number)
    if frozen.state != TrialState.RUNNING:
        return  # told already (by a process killed after telling)
    from ktrain_kit.callbacks import OptunaPruning
    trial = optuna.trial.Trial(the_study, frozen._trial_id)
    folder = trial_folder(workdir, number)
    pruning = OptunaPruning(trial, spec["metric"])
    from ktrain_kit.doctor.pruning import CriticalPruning  # NaN / divergence: pruned at once
    critical = CriticalPruning({"task": config.task.name})

    def failed(reason):
        trial.set_user_attr("failure", reason)
        _tell(the_study, number, state=TrialState.FAIL)
        transition(workdir, number, "failed", reason)

    try:
        summary = train(config_lib.with_overrides(config, frozen.params), folder, callbacks=[pruning, critical])
    except UserError as e:
        if "holds a finished run" in str(e):  # killed after training, before telling
            with open(os.path.join(folder, "summary.json")) as f:
                summary = fs.parse_json(f)
        elif "in use by another process" in str(e):
            raise  # another worker's process runs this trial: it will tell the result
        else:
            e = trial_error(number, folder, e)
            failed(str(e))
            raise e from None
    except Exception as e:  # noqa: BLE001 - recorded as the trial's failure, then re-raised
        if isinstance(e, stopping.Preempted):
            raise  # checkpointed: the trial resumes when the sweep is run again
        failed(f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
        raise
    value = _kept_value(folder, spec["metric"], summary)
    if summary.get("pruned") or value is None:
        _tell(the_study, number, state=TrialState.PRUNED)
        transition(workdir, number, "pruned")
    else:
        _tell(the_study, number, value)
        transition(workdir, number, "finished")


def trial_error(number, folder, error: UserError) -> UserError:
    """A trial's refusal as the sweep's user can act on it. A message whose fix names a flag
    of launchers.train the sweep does not take ('pass --overwrite', 'choose a new --workdir':
    the trial's folder is the sweep's to choose) keeps its problem and says what happens
    instead; any other (a config key's range, a data file) is the sweep's to fix as it is."""
    from ktrain_kit.cli import foreign_flags
    if not foreign_flags("sweep", str(error)):
        return error
    return UserError(f"trial {number} ('{folder}'): {problem_of(error)}; it is recorded as "
                     "failed (trials.csv) and the sweep goes on with its other trials")


def _tell(the_study, number, *args, **kwargs):
    """`study.tell` outside `study.optimize`: when a grid is used up, Optuna's GridSampler calls
    `study.stop()`, which raises there (after the trial's state is stored). The sweep counts
    its own trials, so that stop has nothing to stop."""
    try:
        the_study.tell(number, *args, **kwargs)
    except RuntimeError as e:
        if "Study.stop" not in str(e):
            raise


def _kept_value(folder, metric, summary):
    """The metric at the epoch whose weights the run kept (early stopping's best, else last)."""
    from ktrain_kit.plots import at_epoch, last_epoch, read_metrics
    history = read_metrics(os.path.join(folder, "metrics.csv"))
    value = at_epoch(history, metric, summary.get("best_epoch") or last_epoch(history))
    return value if value is not None and math.isfinite(value) else None


# --------------------------------------------------------------------------- the sweep
def _own_group_dying_with_parent():
    """For a trial's process: its own process group (a terminal's Ctrl-C reaches only the
    sweep, which passes it on once) and killed when the sweep is killed (Linux)."""
    os.setpgrp()
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


def start_process(command):
    return subprocess.Popen(command, preexec_fn=_own_group_dying_with_parent)


@contextlib.contextmanager
def passing_signals_on(children):
    """SIGTERM / SIGINT here are passed on to `children` (a list of Popen, changed by the
    caller): each trial saves a checkpoint and stops. Yields a dict whose "signal" is set."""
    stop = {"signal": None}

    def handler(signum, frame):
        stop["signal"] = stopping.SIGNALS[signum]
        for child in list(children):
            if child.poll() is None:
                child.send_signal(signum)

    with stopping.handling(handler):
        yield stop


def worker(config, spec, store_url, workdir, trial_command, index=0, children=None):
    """One worker: runs trials, each in its own process, until the study has enough."""
    the_study = study(spec, storage(store_url, workdir), seed=config.seed, worker=index)
    claimed = set()
    children = [] if children is None else children
    with passing_signals_on(children) as stop:
        while not stop["signal"]:
            picked = next_trial(the_study, spec, workdir, claimed, config.seed, index)
            if picked is None:
                break
            number, params, resumed, held = picked
            what = "resuming" if resumed else "starting"
            print(f"sweep: {what} trial {number} "
                  f"({', '.join(f'{k}={_cli(v)}' for k, v in params.items())})", flush=True)
            try:
                transition(workdir, number, "running")
                process = start_process(trial_command(number))
                children.append(process)
                code = process.wait()
                children.remove(process)
            finally:
                held.close()  # releases the claim
            if code not in (0, 2):
                print(f"sweep: trial {number} stopped with exit code {code}", flush=True)
        for child in children:  # other workers, when this is the first
            child.wait()
    if stop["signal"]:
        raise Preempted(f"sweep: {stop['signal']} received; the running trials saved a "
                        "checkpoint")


def forwarded_args(argv, internal, flag_values) -> list:
    """`argv` without the flags named in `internal`, matched by exact name as absl parses
    them (`--trials=5` is not `--trial`; `--noworker` is `--worker`; a separate value after a
    non-boolean internal flag goes with it)."""
    out, skip_value = [], False
    for arg in argv:
        if skip_value:
            skip_value = False
            continue
        if not arg.startswith("-") or arg in ("-", "--"):
            out.append(arg)
            continue
        name, has_value, _ = arg.lstrip("-").partition("=")
        negated = name not in flag_values and name.startswith("no") and name[2:] in flag_values
        name = name[2:] if negated else name
        if name in internal:
            boolean = negated or (name in flag_values and flag_values[name].boolean)
            skip_value = not has_value and not boolean
            continue
        out.append(arg)
    return out


def enqueue_config_values(the_study, spec, config):
    """The config's own values as the first trial, when they lie in the space (not for a grid:
    it visits every point anyway, and Optuna's GridSampler fails on an enqueued trial when
    one grid point is left)."""
    if the_study.get_trials(deepcopy=False) or spec.get("sampler") == "grid":
        return
    values = {k: config_lib.value_at(config, k) for k in spec["space"]}
    if all(_within(spec["space"][k], v) for k, v in values.items()):
        the_study.enqueue_trial(values)


def results(the_study, spec, workdir, command_line):
    """trials.csv, best.json, plots/ and the printed table of the best trials."""
    trials = sorted(the_study.get_trials(deepcopy=False), key=lambda t: t.number)
    keys = list(spec["space"])
    rows = []
    for t in trials:
        folder = trial_folder(workdir, t.number)
        wall = (t.datetime_complete - t.datetime_start).total_seconds() if \
            t.datetime_complete and t.datetime_start else None
        state, reason = state_of(workdir, t)
        rows.append({"number": t.number, "state": state,
                     **{k: t.params.get(k) for k in keys}, spec["metric"]: t.value,
                     "wall_time_s": round(wall, 1) if wall is not None else None,
                     "run_folder": os.path.relpath(folder, workdir),
                     "doctor": _top_finding(folder),
                     "reason": _pruned_reason(folder) or reason})
    from ktrain_kit.runfolder import strict_json, write_text
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=list(rows[0]) if rows else ["number"])
    writer.writeheader()
    writer.writerows(rows)
    write_text(os.path.join(workdir, "trials.csv"), table.getvalue())
    complete = [t for t in trials if t.state.name == "COMPLETE"]
    if not complete:
        with contextlib.suppress(FileNotFoundError):  # no best to report: none from before
            fs.remove(os.path.join(workdir, "best.json"))
        return None
    best = the_study.best_trial
    overrides = " ".join(f"--config.{k}={_cli(v)}" for k, v in best.params.items())
    report = {"value": best.value, "metric": spec["metric"], "direction": spec["direction"],
              "params": best.params, "trial": best.number,
              "run_folder": trial_folder(workdir, best.number),
              "reproduce": f"{command_line} {overrides}".strip()}
    write_text(os.path.join(workdir, "best.json"), json.dumps(strict_json(report), indent=2))
    _plots(the_study, workdir)
    ranked = sorted(complete, key=lambda t: t.value, reverse=spec["direction"] == "maximize")
    print(f"\n{'trial':>5}  {spec['metric']:>14}  " + "  ".join(f"{k:>22}" for k in keys))
    for t in ranked[:5]:
        print(f"{t.number:>5}  {t.value:>14.4f}  " + "  ".join(
            f"{_short(t.params.get(k)):>22}" for k in keys))
    print(f"\nbest: trial {best.number}, {spec['metric']} {best.value:.4f}\n"
          f"  reproduce: {report['reproduce']}\n  trials:    {workdir}/trials.csv\n"
          f"  dashboard: optuna-dashboard {default_storage_url(workdir)}")
    return report


def _cli(value):
    """A value as an override: floats in full (repr), so the command reproduces the trial."""
    return repr(value) if isinstance(value, (str, float)) else str(value)


def _short(value):
    """A value for the table people read (the overrides carry the full value)."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def outcome(the_study, spec, workdir):
    """(exit code, line) for a sweep that ended without reaching its trials: 2 when every
    trial failed (the config or space is bad), 1 otherwise; (0, None) when it did."""
    trials = the_study.get_trials(deepcopy=False)
    states = [t.state.name for t in trials]
    complete, pruned, failed = (states.count(s) for s in ("COMPLETE", "PRUNED", "FAIL"))
    unfinished = len(states) - complete - pruned - failed
    if complete and complete + pruned >= spec["trials"]:
        return 0, None
    what = (f"{complete} finished, {pruned} pruned, {failed} failed, {unfinished} interrupted "
            f"of {spec['trials']}")
    if not complete and failed and failed == len(states):
        return 2, (f"sweep '{workdir}': every trial failed ({what}); the reasons are in "
                   "trials.csv: fix the config or the space")
    missing = "a finished trial" if not complete else "all its trials"
    then = ("re-run the same command to resume" if unfinished else
            "the reason column says why each trial stopped")
    return 1, f"sweep '{workdir}' ended without {missing} ({what}); see trials.csv: {then}"


def _pruned_reason(folder):
    """Why the doctor pruned the trial (summary.json's pruned_reason), or empty."""
    try:
        with open(os.path.join(folder, "summary.json")) as f:
            return fs.parse_json(f).get("pruned_reason") or ""
    except (OSError, ValueError, AttributeError):
        return ""


def _top_finding(folder):
    from ktrain_kit.doctor.report import read_findings
    findings, _ = read_findings(os.path.join(folder, "diagnosis.json"))
    if findings is None:
        return ""
    serious = [f for f in findings if f.get("severity") != "info"]
    return f"{serious[0]['severity']}: {serious[0]['symptom']}" if serious else "healthy"


def _plots(the_study, workdir):
    """Optimization history, parameter importances and slices (optuna's matplotlib plots)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import optuna.visualization.matplotlib as vis
    folder = fs.subfolder(os.path.join(workdir, "plots"))
    for name, plot in (("history", vis.plot_optimization_history),
                       ("importances", vis.plot_param_importances),
                       ("slices", vis.plot_slice)):
        try:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                plot(the_study)
            plt.gcf().set_size_inches(8, 5)
            buffer = io.BytesIO()
            plt.savefig(buffer, dpi=90, bbox_inches="tight", format="png")
            fs.write_bytes(os.path.join(folder, f"{name}.png"), buffer.getvalue())
        except Exception:  # noqa: BLE001 - e.g. importances need 2+ complete trials
            pass
        finally:
            plt.close("all")

