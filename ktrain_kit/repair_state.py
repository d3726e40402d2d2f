"""repair.json as `--fix` writes it, and the one check a resumed repair reads it through.

A repair killed in the middle is finished by running `--fix` again, which reads repair.json
back: every field the loop, its report and its figure read. A file edited by hand (a value
become null, a text, 10**30; a field removed) must stop that run with one line naming the
field, not with a TypeError deep inside the loop - so the file is checked whole, against the
kinds written here, before anything reads it.
"""

import math

from ktrain_kit.doctor.report import is_finding_list

NUMBER, TEXT, FLAG, WHOLE, NOTHING = "a number", "a text", "true or false", "a whole number", \
    "null"
STATES = ("planned", "done", "refused")  # an attempt's "state"

# What every trained run is summed up by (repair._brief): the original's and each attempt's.
BRIEF = {"value": (NUMBER, NOTHING), "status": TEXT, "stopped": (TEXT, NOTHING),
         "findings": [TEXT]}
# Fields an attempt has from the moment it is planned; a done one has BRIEF and these too.
PLANNED = {"number": WHOLE, "folder": TEXT, "from": WHOLE, "remedy": TEXT, "answers": TEXT,
           "change": "overrides", "overrides": "overrides", "state": STATES}
DONE = {**BRIEF, "all_findings": "findings", "helped": FLAG}
OPTIONAL = {"key": TEXT, "error": TEXT, "helped": FLAG}  # an attempt's, when there
STATE = {"original": {"folder": TEXT, **BRIEF}, "metric": (TEXT, NOTHING), "maximize": FLAG,
         "budget": WHOLE, "attempts": "attempts"}
STATE_OPTIONAL = {"code_changes": [TEXT], "best": WHOLE, "outcome": TEXT, "reproduce": TEXT}


def problem(state) -> str | None:
    """What makes `state` (repair.json read as JSON) unreadable to a resumed repair, naming
    the field ("attempts[1].from: ..."); None when every field is as `--fix` writes it."""
    if not isinstance(state, dict):
        return "not a JSON object"
    found = _fields(state, STATE, STATE_OPTIONAL, "")
    if found or not isinstance(state["attempts"], list):
        return found or "attempts: not a list of attempts"
    trained = {0}  # numbers a later attempt may start from: the original, done attempts
    for i, attempt in enumerate(state["attempts"]):
        where = f"attempts[{i}]"
        if not isinstance(attempt, dict):
            return f"{where}: not an attempt (a JSON object)"
        done = attempt.get("state") == "done"
        found = _fields(attempt, {**PLANNED, **(DONE if done else {})}, OPTIONAL, where + ".")
        if found:
            return found
        if attempt["number"] != i + 1:
            return f"{where}.number: {attempt['number']}, where the attempts are numbered " \
                   f"from 1 in order ({i + 1})"
        folder = attempt_folder(state["original"]["folder"], attempt["number"])
        if attempt["folder"] != folder:  # trained into as the attempt's own: never elsewhere
            return f"{where}.folder: '{attempt['folder']}', where this repair's attempt " \
                   f"{attempt['number']} trains in '{folder}'"
        if attempt["from"] not in trained:
            return f"{where}.from: {attempt['from']}, not the number of the original (0) or " \
                   "of a trained attempt before it"
        if done:
            trained.add(attempt["number"])
    return None


def attempt_folder(workdir, number) -> str:
    """Where attempt `number` of the repair of `workdir` trains: beside it."""
    return f"{workdir.rstrip('/')}.fix{number}"


def _fields(record, required, optional, prefix) -> str | None:
    for key in required:
        if key not in record:
            return f"{prefix}{key}: missing"
    for key, kinds in {**optional, **required}.items():
        if key in record:
            found = _kind_problem(record[key], kinds, prefix + key)
            if found:
                return found
    return None


def _kind_problem(value, kinds, where) -> str | None:
    """None when `value` is of `kinds`: one kind or a tuple of them (a tuple of texts
    is the texts allowed), a nested schema, a list of one kind ([TEXT])."""
    if isinstance(kinds, dict):
        if not isinstance(value, dict):
            return f"{where}: {_described(value)} where a JSON object belongs"
        return _fields(value, kinds, {}, where + ".")
    if isinstance(kinds, list):
        if not isinstance(value, list):
            return f"{where}: {_described(value)} where a list belongs"
        return next((p for i, item in enumerate(value)
                     if (p := _kind_problem(item, kinds[0], f"{where}[{i}]"))), None)
    if kinds == "attempts":
        return None if isinstance(value, list) else \
            f"{where}: {_described(value)} where a list of attempts belongs"
    if kinds == "overrides":  # {config key: a value as a command line sets it}
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and _is(v, (TEXT, NUMBER, FLAG, NOTHING))
                for k, v in value.items()):
            return f"{where}: {_described(value)} where {{config key: value}} belongs"
        return None
    if kinds == "findings":  # as diagnosis.json holds them
        return None if is_finding_list(value) else \
            f"{where}: {_described(value)} where a list of findings belongs"
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    if _is(value, kinds):
        return None
    wanted = " or ".join(f"'{k}'" if k in STATES else k for k in kinds)
    return f"{where}: {_described(value)} where {wanted} belongs"


def _is(value, kinds) -> bool:
    finite = isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value)
    return any(
        (kind == NUMBER and finite) or
        (kind == WHOLE and finite and isinstance(value, int) and abs(value) < 2 ** 31) or
        (kind == TEXT and isinstance(value, str)) or
        (kind == FLAG and isinstance(value, bool)) or
        (kind == NOTHING and value is None) or
        (kind in STATES and value == kind)
        for kind in kinds)


def _described(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return f"the text '{value[:40]}'"
    return "a list" if isinstance(value, list) else "a JSON object"
