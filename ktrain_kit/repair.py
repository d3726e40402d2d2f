"""The repair loop: apply the doctor's remedies, train again, keep what helps.

    python -m launchers.doctor RUN --fix [--budget=3]

Starting from a diagnosed run, each attempt trains the config of the best run so far plus the
next remedy for that run's findings (remedies.plan) into `RUN.fix1`, `RUN.fix2`, ... - ordinary
run folders (resumable, evaluable, exportable). An attempt whose main validation metric beats
its starting point becomes the new starting point; a remedy that did not help is never tried
again. The loop stops at the first attempt the doctor calls healthy whose metric beats the
original run's, when `budget` attempts are trained, or when no remedy is left.

`RUN/repair.json` records the attempts as they go: an attempt is written down (its overrides)
before it trains and completed after, so a repair killed at any moment and run again finishes
the same attempts - an unfinished one resumes from its checkpoint, a finished one is read back.
`repair.md` says the same for people, and `repair.png` overlays every attempt's curves.
"""

import json
import math
import shlex

from ktrain_kit import config as config_lib
from ktrain_kit import fs, runfolder, tasks
from ktrain_kit.doctor import remedies as remedies_lib
from ktrain_kit.doctor.report import read_findings
from ktrain_kit.errors import UserError, problem_of
from ktrain_kit.repair_state import attempt_folder
from ktrain_kit.repair_state import problem as state_problem

REPAIR_JSON, REPAIR_MD, REPAIR_PNG = "repair.json", "repair.md", "repair.png"


# --------------------------------------------------------------------------- a run's result
# The fields of summary.json read here, with the kinds a training writes them in.
SUMMARY_KINDS = {"main_metric": (str, type(None)), "stopped": (str, type(None)),
                 "main_metric_value": (int, float, type(None))}


def read_result(folder) -> dict | None:
    """What a finished run reached: its main metric, the doctor's status and findings; None
    when the run has not finished (no summary.json)."""
    summary = runfolder.read_json(fs.join(folder, runfolder.SUMMARY))
    if summary is None or any(not isinstance(summary.get(k), kinds)
                              for k, kinds in SUMMARY_KINDS.items()):
        return None  # (a summary.json edited into other kinds is as damaged as a torn one)
    findings, _ = read_findings(fs.join(folder, "diagnosis.json"))
    status = "not diagnosed" if findings is None else \
        "problems" if serious(findings) else "healthy"
    findings = with_update_ratio(folder, findings)
    value = summary.get("main_metric_value")
    return {"metric": summary.get("main_metric"),
            "value": value if isinstance(value, (int, float)) and math.isfinite(value) else None,
            "stopped": summary.get("stopped"), "status": status, "findings": findings or []}


def with_update_ratio(folder, findings):
    """`findings` (copies) with the run's largest per-epoch update-to-weight ratio
    (metrics.csv's diag_update_ratio) in each underfitting finding's evidence: the measurement
    that tells steps too small from a model too small (remedies._steps_too_small)."""
    if not findings or not any(f.get("symptom") == "underfitting" for f in findings):
        return findings
    from ktrain_kit import plots
    path = fs.join(folder, "metrics.csv")
    try:  # no curves (a run of the user's own that kept none): nothing to add
        ratios = [r for r in plots.read_metrics(path).get("diag_update_ratio", [])
                  if math.isfinite(r) and r > 0] if fs.exists(path) else []
    except (OSError, ValueError):
        ratios = []
    if not ratios:
        return findings
    return [{**f, "evidence": {**(f.get("evidence") or {}),
                               "peak_update_to_weight_ratio": max(ratios)}}
            if f.get("symptom") == "underfitting" else f for f in findings]


def read_summary(workdir) -> dict:
    return runfolder.read_json(fs.join(workdir, runfolder.SUMMARY)) or {}


def repair_started(workdir) -> bool:
    """A finished run whose repair has begun (repair.json is there)."""
    return fs.exists(fs.join(workdir, REPAIR_JSON)) and \
        fs.exists(fs.join(workdir, runfolder.SUMMARY))


# A remedy "helped" when it moved the main metric by more than noise: one point of accuracy or
# AUC (a validation set of a few hundred examples moves by about that between seeds), or 2% of
# an error such as RMSE.
HELPED_ABSOLUTE, HELPED_RELATIVE = 0.01, 0.02


def better(a, b, maximize: bool, margin=False) -> bool:
    """Whether metric value `a` beats `b` (None: no value, worse than any); with `margin`, by
    more than noise."""
    if a is None:
        return False
    if b is None:
        return True
    if not margin:
        return a > b if maximize else a < b
    return a > b + HELPED_ABSOLUTE if maximize else a < b * (1 - HELPED_RELATIVE)


def _training_rewrites(workdir, name) -> bool:
    """Whether the run's training command, re-run, writes `name` again (as it judges it)."""
    own = runfolder.read_manifest(workdir) or []
    return name in runfolder.lost_outputs(workdir, own) and runfolder.has_checkpoint(workdir)


def _doctor_was_on(workdir) -> bool:
    saved = runfolder.read_config(workdir, runfolder.READ_FIX)
    doctor = ((saved or ({}, {}))[0].get("callbacks") or {}).get("doctor") or {}
    return doctor.get("enabled", True) is not False


def serious(findings) -> list:
    return [f for f in findings if f.get("severity") in remedies_lib.SERIOUS]


def diagnosis_lines(workdir, limit=3) -> list:
    """The diagnosis of the run in `workdir` for the terminal: each problem, its first likely
    cause, and the remedies a config can express (or the code change it needs)."""
    from ktrain_kit.doctor.rules import TITLES
    from ktrain_kit.restore import load_config
    from ktrain_kit.runfolder import require_folder
    require_folder(workdir)
    findings, problem = read_findings(fs.join(workdir, "diagnosis.json"))
    if problem == "missing" and not fs.exists(fs.join(workdir, runfolder.SUMMARY)):
        # the advice that fits: no run there yet, one training now, or one to resume (its
        # config.json readable: a damaged one is refused by train too, and named here)
        if runfolder.read_config(workdir, runfolder.READ_FIX) is None:
            raise UserError(f"'{workdir}' holds no run (no config.json): pass the folder a "
                            "`python -m launchers.train` run wrote, once it has finished")
        if runfolder.in_use(workdir):
            raise UserError(f"run folder '{workdir}' is training now (another process holds "
                            "it): run the doctor once that training has finished")
        raise UserError(f"run folder '{workdir}' has no diagnosis.json: the run has not "
                        "finished; re-run its training command to resume it")
    if problem == "missing" and not _doctor_was_on(workdir):
        raise UserError(f"run folder '{workdir}' has no diagnosis.json: the run trained with "
                        "callbacks.doctor.enabled=False; train it again with the doctor on "
                        "(its command with --overwrite)")
    if problem:
        what = "is gone" if problem == "missing" else f"is damaged ({problem})"
        if _training_rewrites(workdir, "diagnosis.json"):
            raise UserError(f"run folder '{workdir}': its diagnosis.json {what}; re-run the "
                            "run's `python -m launchers.train` command (the same flags): it "
                            "writes the end of the run again from its last checkpoint")
        raise UserError(f"run folder '{workdir}': its diagnosis.json {what}; re-run its "
                        "`python -m launchers.train` command with --overwrite to diagnose "
                        "it anew")
    findings = with_update_ratio(workdir, serious(findings))
    if not findings:
        return [f"doctor: {workdir}: healthy, no problem found"]
    lines = [f"doctor: {workdir}: {len(findings)} problem(s); details in "
             f"{workdir}/diagnosis.md"]
    for f in findings:
        cause = (f.get("causes") or [""])[0]
        lines.append(f"  - {f['severity']}: {TITLES.get(f['symptom'], f['symptom'])}"
                     + (f" (likely: {cause})" if cause else ""))
    config, _ = load_config(workdir)
    remedies, changes = remedies_lib.plan(config, findings)
    if remedies:
        # the flags below are launchers.train's (the doctor has none of them): say where
        # they go, with the config this run folder holds
        lines.append("  remedies, in the order --fix tries them (or train one yourself: "
                     "python -m launchers.train --config="
                     f"{shlex.quote(config_lib.from_run_config() + ':' + workdir)} OVERRIDES):")
        lines += [f"    {r.name} (for {r.answers}): {r.flags()}" for r in remedies[:limit]]
    lines += [f"  needs a code change: {c}" for c in changes]
    return lines


def _check_data_is_there(workdir, config):
    """Every attempt trains on the run's data: gone, it is one line now (exit 2), not a
    refused attempt per remedy."""
    from ktrain_kit.restore import data_fix
    path = config.data.path
    if path and not fs.exists(path):
        raise UserError(f"run folder '{workdir}': the data it was trained on cannot be read "
                        f"(file '{path}': does not exist); {data_fix(config)}")


# --------------------------------------------------------------------------- the loop
def _print(line):
    print(line, flush=True)


def repair(workdir, budget=3, train_fn=None, log=_print) -> dict:
    """Runs (or finishes) the repair of the finished run in `workdir`; returns repair.json.

    `train_fn(config, folder)` trains one attempt (default: ktrain_kit.training.train).
    """
    from ktrain_kit.restore import load_config
    workdir = fs.without_trailing_slash(workdir)
    original = read_result(workdir)
    if original is None:
        if fs.exists(fs.join(workdir, runfolder.SUMMARY)):  # there, but not a JSON object
            raise UserError(f"run folder '{workdir}': its {runfolder.SUMMARY} is damaged; put "
                            "back the file its training wrote, or delete it and re-run its "
                            "training command (it resumes from its checkpoint and writes it "
                            "again)")
        raise UserError(f"run folder '{workdir}' holds no finished run (no summary.json); "
                        "finish it first: re-run its training command to resume it")
    config, _ = load_config(workdir)
    maximize = tasks.maximize(original["metric"] or "val_loss")
    state = _load_state(workdir)
    _check_overrides(state, config, workdir)
    state = state or {
        "original": {"folder": workdir, **_brief(original)}, "metric": original["metric"],
        "maximize": maximize, "budget": budget, "attempts": []}
    state["budget"] = budget
    base_overrides = {"callbacks.doctor.repair": 0} if config.callbacks.doctor.repair else {}
    _, state["code_changes"] = remedies_lib.plan(config, original["findings"])

    if original["status"] == "healthy":
        state["outcome"] = "healthy: nothing to repair, nothing trained"
        _write(workdir, state)
        log(f"doctor: {workdir} is healthy; --fix trains nothing")
        return state

    _check_data_is_there(workdir, config)  # a healthy run trains nothing: needs no data
    while True:
        pending = next((a for a in state["attempts"] if a["state"] == "planned"), None)
        if pending is not None:
            _train_attempt(pending, config, train_fn, log, workdir, state)
            continue
        if _success(state):
            break
        if sum(a["state"] == "done" for a in state["attempts"]) >= state["budget"]:
            break
        nxt = _next_attempt(state, config, original, base_overrides, workdir)
        if nxt is None:
            log("doctor: no remedy left to try")
            break
        _refuse_a_folder_of_another_repair(nxt["folder"])
        state["attempts"].append(nxt)
        _write(workdir, state)  # written down before it trains: a re-run trains the same

    success = _success(state)
    best = success or _best(state)
    if best is not None and not success and not better(best["value"], state["original"][
            "value"], state["maximize"]):
        best = None  # no attempt beat the original: it stays the best run
    state["best"] = best["number"] if best else 0
    state["outcome"] = (f"repaired by attempt {success['number']}" if success else
                        "not repaired; best run: " + (f"attempt {best['number']}" if best
                                                      else "the original"))
    state["reproduce"] = reproduce_command(workdir, best["overrides"] if best else {})
    _write(workdir, state)
    _plot(workdir, state)
    return state


def _refuse_a_folder_of_another_repair(folder):
    """A new attempt's folder must not be there yet: repair.json lists every attempt of this
    repair before it trains, so one already on disk came from elsewhere - an earlier repair of
    a run since trained again (--overwrite keeps its siblings), or a user's own run. Read back,
    its result would pass for this attempt's; trained into, it would resume another config."""
    if fs.exists(folder) and not (fs.isdir(folder) and not fs.listdir(folder)):
        raise UserError(f"attempt folder '{folder}' already exists, and this run's "
                        f"{REPAIR_JSON} does not list it (an earlier repair's, or another "
                        "run): move or delete it, then run --fix again")


def _brief(result):
    return {"value": result["value"], "status": result["status"], "stopped": result["stopped"],
            "findings": [f"{f['severity']}: {f['symptom']}" for f in serious(result["findings"])]}


def _load_state(workdir):
    """The repair begun in `workdir` (repair.json), None when none has begun; edited or
    damaged, one line naming the field (repair_state.problem) - a resumed repair reads every
    field of it."""
    path = fs.join(workdir, REPAIR_JSON)
    if not fs.exists(path):
        return None
    state = runfolder.read_json(path)
    found = state_problem(state) if state is not None else "not a JSON object"
    if found:
        raise _damaged_state(workdir, found)
    return state


def _damaged_state(workdir, problem) -> UserError:
    return UserError(f"run folder '{workdir}': its {REPAIR_JSON} is damaged ({problem}); put "
                     "back the file the repair wrote, or move it away with the attempt folders "
                     f"{attempt_folder(workdir, 1)}, {attempt_folder(workdir, 2)}, ... to "
                     "start the repair over")


def _check_overrides(state, config, workdir):
    """Each attempt's overrides, as repair.json lists them, set on the run's config: a key
    misspelt or a value of another kind or range (edited by hand) is one line naming
    repair.json, not a KeyError when the attempt trains (a range test's placeholder is
    replaced before it trains: left out)."""
    for i, attempt in enumerate((state or {}).get("attempts", [])):
        for part in ("change", "overrides"):
            where = f"attempts[{i}].{part}"
            overrides = {k: v for k, v in attempt[part].items() if v != remedies_lib.LR_FIND}
            for key, value in overrides.items():
                try:
                    remedies_lib.with_overrides(config, {key: value})
                except KeyError:
                    raise _damaged_state(workdir, f"{where}: '{key}' is no config key") \
                        from None
                except (TypeError, ValueError):
                    raise _damaged_state(workdir, f"{where}: {key}={json.dumps(value)} is "
                                                  "not of that key's kind") from None
            try:
                config_lib.validate(remedies_lib.with_overrides(config, overrides))
            except UserError as e:
                raise _damaged_state(workdir, f"{where}: {problem_of(e)}") from None


def _starting_points(state):
    """The original run (number 0) and every trained attempt, with their results."""
    points = [{"number": 0, "overrides": {}, **state["original"], "state": "done"}]
    return points + [a for a in state["attempts"] if a["state"] == "done"]


def _best(state):
    """The trained attempt with the best metric (a healthy one among equals); None if no
    attempt was trained."""
    done = [a for a in state["attempts"] if a["state"] == "done"]
    best = None
    for a in done:
        if best is None or better(a["value"], best["value"], state["maximize"]) or (
                a["value"] == best["value"] and a["status"] == "healthy"):
            best = a
    return best


def _success(state):
    return next((a for a in state["attempts"] if a["state"] == "done" and
                 a["status"] == "healthy" and better(a["value"], state["original"]["value"],
                                                     state["maximize"])), None)


def _next_attempt(state, config, original, base_overrides, workdir):
    """The next remedy, for the findings of the starting point: the latest attempt that helped
    (it built on the one before), else the original run."""
    points = _starting_points(state)
    base = next((p for p in reversed(points[1:]) if p.get("helped")), points[0])
    failed = {a.get("key", a["remedy"]) for a in state["attempts"]
              if a["state"] != "planned" and not a.get("helped")}
    tried = [a["overrides"] for a in state["attempts"]]
    base_config = remedies_lib.with_overrides(config, base["overrides"])
    findings = original["findings"] if base["number"] == 0 else base["all_findings"]
    remedies, _ = remedies_lib.plan(base_config, findings)
    for remedy in remedies:
        overrides = {**base_overrides, **base["overrides"], **remedy.overrides}
        if remedy.key in failed or overrides in tried:
            continue
        number = len(state["attempts"]) + 1
        return {"number": number, "folder": attempt_folder(workdir, number),
                "from": base["number"], "remedy": remedy.name, "answers": remedy.answers,
                "key": remedy.key,
                "change": remedy.overrides, "overrides": overrides, "state": "planned"}
    return None


def _train_attempt(attempt, config, train_fn, log, workdir, state):
    folder = attempt["folder"]
    result = read_result(folder)
    if result is None:
        if remedies_lib.LR_FIND in attempt["overrides"].values():
            if not _resolve_lr_find(attempt, config, log):
                attempt.update(state="refused", helped=False,
                               error="the range test found no rate at which the loss fell")
                _write(workdir, state)
                log(f"doctor: attempt {attempt['number']} skipped: the range test found no "
                    "rate at which the loss fell")
                return
            trained = [a["overrides"] for a in state["attempts"] if a["state"] == "done"]
            start = next(p for p in _starting_points(state) if p["number"] == attempt["from"])
            if attempt["overrides"] in trained or attempt["overrides"] == start["overrides"]:
                attempt.update(state="refused", helped=False,
                               error="the range test chose a rate already trained")
                _write(workdir, state)
                log(f"doctor: attempt {attempt['number']} skipped: that rate was trained")
                return
            _write(workdir, state)  # a re-run trains the same rate
        flags = " ".join(f"--config.{k}={v}" for k, v in attempt["change"].items())
        log(f"\ndoctor: attempt {attempt['number']} ({attempt['remedy']}, for "
            f"{attempt['answers']}): {flags}")
        candidate = remedies_lib.with_overrides(config, attempt["overrides"])
        if train_fn is None:
            from ktrain_kit.training import train as train_fn
        _clear_keras_session()
        try:
            train_fn(candidate, folder)
        except UserError as e:  # refused (by the data, say): not trained, not counted
            attempt.update(state="refused", error=str(e), helped=False)
            _write(workdir, state)
            # its problem only: the fix it names is a flag of launchers.train, and the
            # doctor has none (it goes on with the next remedy)
            log(f"doctor: attempt {attempt['number']} refused: {problem_of(e)}")
            return
        result = read_result(folder)
        if result is None:
            raise UserError(f"attempt folder '{folder}' holds no finished run after training")
    start = next(p for p in _starting_points(state) if p["number"] == attempt["from"])
    attempt.update(state="done", **_brief(result), all_findings=serious(result["findings"]),
                   helped=better(result["value"], start["value"], state["maximize"],
                                 margin=True))
    _write(workdir, state)
    log(f"doctor: attempt {attempt['number']}: {state['metric']} {_fmt(result['value'])} "
        f"(was {_fmt(start['value'])}), {result['status']}"
        + (f": {', '.join(attempt['findings'])}" if attempt["findings"] else ""))


def _resolve_lr_find(attempt, config, log):
    """Runs the LR range test on the attempt's config and puts its suggestion in place;
    False when it suggests none (`lr_find.in_sweep`)."""
    import tempfile

    from ktrain_kit import lr_find
    trial = remedies_lib.with_overrides(config, {k: v for k, v in attempt["overrides"].items()
                                                 if v != remedies_lib.LR_FIND})
    _clear_keras_session()
    with tempfile.TemporaryDirectory() as scratch:
        suggested = lr_find.lr_range_test(trial, scratch)["suggested_lr"]
    if suggested is None:
        return False
    lr = float(f"{suggested:.3g}")
    log(f"\ndoctor: the LR range test suggests a learning rate of {lr:g}")
    for part in ("overrides", "change"):
        attempt[part] = {k: lr if v == remedies_lib.LR_FIND else v
                         for k, v in attempt[part].items()}
    return True


def _clear_keras_session():
    """Attempts train one after another in this process: each starts from a clean Keras."""
    import sys
    if "keras" in sys.modules:
        sys.modules["keras"].utils.clear_session()


def _fmt(value):
    return "none" if value is None else f"{value:.4f}"


def reproduce_command(workdir, overrides) -> str:
    flags = " ".join(f"--config.{k}={_cli(v)}" for k, v in overrides.items())
    config = shlex.quote(f"{config_lib.from_run_config()}:{workdir}")  # a path with spaces
    return f"python -m launchers.train --config={config} {flags}".strip()


def _cli(value):
    return repr(value) if isinstance(value, float) and value != float(f"{value:.6g}") else (
        f"{value:g}" if isinstance(value, float) else str(value))


# --------------------------------------------------------------------------- reports
def _write(workdir, state):
    with runfolder.locked(workdir):
        entries = runfolder.read_manifest(workdir) or []
        run = runfolder.RunFolder(workdir, entries)
        run.own(REPAIR_JSON, REPAIR_MD)
        runfolder.write_text(run.path(REPAIR_JSON),
                             json.dumps(runfolder.strict_json(state), indent=2))
        runfolder.write_text(run.path(REPAIR_MD), markdown(state))


def markdown(state) -> str:
    # a summary.json without a main metric (null) gives a repair without one
    metric, original = state["metric"] or "main metric", state["original"]
    lines = ["# Repair", "",
             f"Original run `{original['folder']}`: {metric} {_fmt(original['value'])}, "
             f"doctor: {original['status']}" + (f" ({', '.join(original['findings'])})"
                                                if original["findings"] else "") + ".", ""]
    if state.get("outcome"):
        lines += [f"**Outcome: {state['outcome']}.**", ""]
    if state["attempts"]:
        lines += ["| attempt | from | remedy (for) | change | " + metric + " | helped | doctor |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for a in state["attempts"]:
            change = " ".join(f"`{k}={v}`" for k, v in a["change"].items())
            doctor = a.get("status", a["state"]) + (
                f": {', '.join(a['findings'])}" if a.get("findings") else "")
            if a["state"] == "refused":
                doctor = f"refused: {a.get('error', '')}"
            lines.append(f"| {a['number']} | {a['from']} | {a['remedy']} ({a['answers']}) | "
                         f"{change} | {_fmt(a.get('value'))} | "
                         f"{'yes' if a.get('helped') else 'no'} | {doctor} |")
        lines.append("")
    if state.get("code_changes"):
        lines += ["Needs a code change (a config cannot fix it):", ""]
        lines += [f"- {c}" for c in state["code_changes"]] + [""]
    if state.get("reproduce"):
        lines += ["Best run, reproduced:", "", "```", state["reproduce"], "```", ""]
    if state["attempts"]:
        lines += [f"![curves of every attempt]({REPAIR_PNG})", ""]
    return "\n".join(lines)


def _plot(workdir, state):
    """repair.png: the validation main metric and the training loss of every attempt."""
    from ktrain_kit import plots
    from ktrain_kit.plots import plt
    runs = [("original", workdir)] + [(f"fix{a['number']}: {a['remedy']}", a["folder"])
                                      for a in state["attempts"] if a["state"] == "done"]
    if len(runs) < 2:
        return
    metric = state["metric"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for label, folder in runs:
        path = fs.join(folder, "metrics.csv")
        if not fs.exists(path):
            continue
        m = plots.plottable_metrics(path)
        for ax, column in zip(axes, (metric, "loss")):
            values = m.get(column) or []
            ax.plot(m.get("epoch", [])[:len(values)], values, "o-", label=label, ms=3)
    axes[0].set(xlabel="epoch", ylabel=metric, title=f"{metric} per attempt")
    axes[1].set(xlabel="epoch", ylabel="training loss", title="training loss", yscale="log")
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    try:
        with runfolder.locked(workdir):
            run = runfolder.RunFolder(workdir, runfolder.read_manifest(workdir) or [])
            run.own(REPAIR_PNG)
            plots._save(fig, run.path(REPAIR_PNG))
    finally:  # a failure before _save (the lock, the manifest) leaves no figure open either
        plt.close(fig)


def printed_lines(state) -> list:
    """What the launcher prints at the end; the last line reproduces the best run."""
    lines = [f"doctor: {state['outcome']}; see {state['original']['folder']}/{REPAIR_MD}"]
    lines += [f"  needs a code change: {c}" for c in state.get("code_changes") or []]
    if state.get("reproduce"):
        lines.append(state["reproduce"])
    return lines
