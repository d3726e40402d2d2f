"""Differential read (round h94): every file of a list read and typed as the launcher types it
(table.read_table with the settings `auto`, the last column the label, features.column_specs
over the others; no training, no TensorFlow), one JSON line a file: names, rows, a digest of
every cell, the columns left out, the notes and each column's type, or the refusal. Run it
under the code before and after (PYTHONPATH), then compare the two outputs line by line.

    PYTHONPATH=OLD python benchmarks/users_bring_h94/differential.py LIST > before.jsonl
    PYTHONPATH=NEW python benchmarks/users_bring_h94/differential.py LIST > after.jsonl
    python benchmarks/users_bring_h94/differential.py --compare before.jsonl after.jsonl"""
import hashlib, json, signal, sys


def read(path):
    from ktrain_kit.data import features, table
    from ktrain_kit.errors import UserError
    try:
        t = table.read_table(path)
        columns = [j for j in range(t.width - 1) if j not in t.unused]
        digest = hashlib.sha1(json.dumps(t.rows).encode()).hexdigest()
        out = {"names": t.names, "rows": len(t.rows), "cells": digest,
               "unused": {str(k): v for k, v in t.unused.items()}, "notes": list(t.notes)}
        try:
            specs = features.column_specs(t, columns, range(len(t.rows)), {})
            out["types"] = {s["name"]: s["type"] for s in specs}
        except UserError as e:
            out["typing_refused"] = str(e)
        return out
    except UserError as e:
        return {"refused": str(e)}
    except Exception as e:  # noqa: BLE001 (a crash is an outcome to compare)
        return {"crash": f"{type(e).__name__}: {e}"[:300]}


def main(listing):
    def alarm(*_):
        raise TimeoutError
    signal.signal(signal.SIGALRM, alarm)
    for path in open(listing).read().split("\n"):
        if not path:
            continue
        signal.alarm(60)
        try:
            result = read(path)
        except TimeoutError:
            result = {"timeout": 60}
        signal.alarm(0)
        print(json.dumps({"path": path, **result}), flush=True)


def compare(before, after):
    old = {r["path"]: r for r in map(json.loads, open(before))}
    new = {r["path"]: r for r in map(json.loads, open(after))}
    changed = [p for p in old if p in new and old[p] != new[p]]
    print(f"{len(old)} files, {len(changed)} changed")
    for p in changed:
        keys = sorted(k for k in set(old[p]) | set(new[p]) if old[p].get(k) != new[p].get(k))
        print(p)
        for k in keys:
            print(f"  {k}: {str(old[p].get(k))[:300]}\n  -> {str(new[p].get(k))[:300]}")


if __name__ == "__main__":
    compare(*sys.argv[2:4]) if sys.argv[1] == "--compare" else main(sys.argv[1])
