"""The diagnosis for people (diagnosis.md, the lines printed at the end of a run) and for tools
(diagnosis.json)."""


from ktrain_kit.doctor.rules import TITLES

def report_json(findings) -> dict:
    bad = any(f.severity in ("warning", "critical") for f in findings)
    return {"status": "problems" if bad else "healthy",
            "findings": [f.to_dict() for f in findings]}


def report_markdown(findings, plots=()) -> str:
    """The diagnosis for people: what is wrong, the evidence, and what to change."""
    status = report_json(findings)["status"]
    lines = ["# Training diagnosis", ""]
    lines.append("**Healthy**: no problem found." if status == "healthy" else
                 f"**{sum(f.severity != 'info' for f in findings)} problem(s) found.** "
                 "Most severe first.")
    for f in findings:
        seen = ", ".join(f"{k} {v}" for k, v in f.first_seen.items() if v is not None)
        lines += ["", f"## {TITLES.get(f.symptom, f.symptom)} ({f.severity})",
                  f"`{f.symptom}`" + (f", first seen at {seen}" if seen else ""), "",
                  "| evidence | value |", "| --- | --- |"]
        lines += [f"| {k} | {_fmt(v)} |" for k, v in f.evidence.items()]
        lines += ["", "Likely causes:"] + [f"- {c}" for c in f.causes]
        lines += ["", "What to try:"] + [f"- {r}" for r in f.remedies]
        if f.suggested_overrides:
            lines += ["", "```", " ".join(f.suggested_overrides), "```"]
    if plots:
        lines += ["", "## Curves", ""] + [f"![{p}]({p})" for p in plots]
    return "\n".join(lines) + "\n"


def summary_lines(findings, limit=3) -> list:
    """A few lines for the end of a run."""
    serious = [f for f in findings if f.severity != "info"]
    if not serious:
        return ["doctor: healthy, no problem found"]
    out = [f"doctor: {len(serious)} problem(s); see diagnosis.md"]
    for f in serious[:limit]:
        hint = f"  try: {' '.join(f.suggested_overrides[:2])}" if f.suggested_overrides else ""
        out.append(f"  - {f.severity}: {TITLES.get(f.symptom, f.symptom)}.{hint}")
    return out


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


def read_findings(path):
    """(findings, None) from a diagnosis.json, each finding a dict with a severity and a
    symptom; (None, what is wrong) for a file missing, not JSON, or of another shape (edited
    by hand, or not the doctor's). Written here, read here: every reader (the doctor launcher,
    the repair, a sweep's table) judges the file once."""
    from ktrain_kit import fs
    if not fs.exists(path):
        return None, "missing"
    try:
        with fs.open(path) as f:
            diagnosis = fs.parse_json(f)
    except (OSError, ValueError):
        diagnosis = None
    if not isinstance(diagnosis, dict):
        return None, "not a JSON object"
    findings = diagnosis.get("findings")
    if not is_finding_list(findings):
        return None, "its 'findings' is not a list of findings"
    return findings, None


def is_finding_list(value) -> bool:
    """Whether `value` is findings as diagnosis.json holds them: each a severity and a
    symptom (what every reader of a finding reads first)."""
    return isinstance(value, list) and all(
        isinstance(f, dict) and isinstance(f.get("severity"), str)
        and isinstance(f.get("symptom"), str) for f in value)
