"""Benchmark 4, escalation recall: DataDog's pathfinding.cloud paths, iamforge against cloudsplaining.

Each published path's ``required`` permissions, granted on Resource "*" in one identity policy
(:func:`required_policy`, the same documents ``tests/unit/test_escalation_pathfinding.py``
checks), are given to iamforge's check-policy analysis (the POL, PRV and TRU rules on raw
documents, as ``iamforge check-policy`` runs them) and to cloudsplaining's privilege-escalation
check (``PolicyDocument(doc).allows_privilege_escalation``, Rhino Security Labs' methods), in the
same run. A path counts as found when the tool reports an escalation on its document; for
iamforge the table also counts the findings that name the path's own id.

The paths are read from ../shared/corpus/pathfinding-cloud/paths.json (Apache-2.0, not copied
into the project); without it the benchmark is skipped. cloudsplaining is a dev dependency in
the lock.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

PATHS_FILE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pathfinding-cloud" / "paths.json"


def load_paths(path: Path = PATHS_FILE) -> list[dict[str, Any]]:
    """The published paths (``id``, ``name``, ``required``, ...), or [] when the corpus is absent."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    """An identity policy document holding ``statements``."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: list[str] | str, resources: list[str] | str = "*",
          condition: dict[str, Any] | None = None) -> dict[str, Any]:
    """One Allow statement (on every resource unless ``resources`` says otherwise)."""
    stmt: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        stmt["Condition"] = condition
    return stmt


def required_policy(path: dict[str, Any]) -> dict[str, Any]:
    """The smallest grant of ``path``: its required permissions, on Resource "*", in one statement."""
    return policy(allow(path["required"]))


def names_path(messages: list[str], path_id: str) -> bool:
    """Whether a PRV-005 message cites ``path_id`` in its pathfinding.cloud reference."""
    return any(re.search(rf"pathfinding\.cloud [^)]*\b{re.escape(path_id)}\b", m) for m in messages)


def iamforge_escalations(documents: dict[str, dict[str, Any]]) -> tuple[float, dict[str, list[str]]]:
    """(seconds, PRV-005 messages by path id) for check-policy's rules on every document at once."""
    from generator.rules.engine import check_documents

    items = [(f"{pid}.json", "identity", doc) for pid, doc in documents.items()]
    texts = {file: json.dumps(doc, indent=2) for file, _, doc in items}
    start = time.perf_counter()
    findings = check_documents(items, texts)
    elapsed = time.perf_counter() - start
    found: dict[str, list[str]] = {pid: [] for pid in documents}
    for f in findings:
        if f.rule_id == "PRV-005":
            found[f.file.removesuffix(".json")].append(f.message)
    return elapsed, found


def cloudsplaining_escalations(documents: dict[str, dict[str, Any]]) -> tuple[float, dict[str, list[str]]]:
    """(seconds, escalation method names by path id) from cloudsplaining's ``allows_privilege_escalation``."""
    from cloudsplaining.scan.policy_document import PolicyDocument

    start = time.perf_counter()
    found = {pid: [e["type"] for e in PolicyDocument(doc).allows_privilege_escalation]
             for pid, doc in documents.items()}
    return time.perf_counter() - start, found


def measure(paths_file: Path = PATHS_FILE) -> dict[str, Any] | None:
    """Both tools on every path's document; None without the corpus."""
    paths = load_paths(paths_file)
    if not paths:
        return None
    from importlib.metadata import version

    documents = {p["id"]: required_policy(p) for p in paths}
    ours_s, ours = iamforge_escalations(documents)
    theirs_s, theirs = cloudsplaining_escalations(documents)
    ids = list(documents)
    return {
        "paths": len(ids),
        "iamforge_found": [pid for pid in ids if ours[pid]],
        "iamforge_named": [pid for pid in ids if names_path(ours[pid], pid)],
        "iamforge_missed": [pid for pid in ids if not ours[pid]],
        "iamforge_s": ours_s,
        "cloudsplaining_found": [pid for pid in ids if theirs[pid]],
        "cloudsplaining_missed": [pid for pid in ids if not theirs[pid]],
        "cloudsplaining_s": theirs_s,
        "cloudsplaining_version": version("cloudsplaining"),
        "names": {p["id"]: p["name"] for p in paths},
    }


def _missed(ids: list[str], names: dict[str, str]) -> str:
    return "; ".join(f"`{pid}` ({names[pid]})" for pid in ids) if ids else "none"


def table(r: dict[str, Any]) -> str:
    """A Markdown table of a :func:`measure` result, with the paths each tool misses."""
    n = r["paths"]
    return "\n".join([
        "| tool | paths found | recall | found naming the path id | missed | s |",
        "|---|---:|---:|---:|---:|---:|",
        f"| iamforge check-policy (PRV-005) | {len(r['iamforge_found'])}/{n} | {len(r['iamforge_found']) / n:.0%} | "
        f"{len(r['iamforge_named'])}/{n} | {len(r['iamforge_missed'])} | {r['iamforge_s']:.2f} |",
        f"| cloudsplaining {r['cloudsplaining_version']} (`allows_privilege_escalation`) | "
        f"{len(r['cloudsplaining_found'])}/{n} | {len(r['cloudsplaining_found']) / n:.0%} | n/a | "
        f"{len(r['cloudsplaining_missed'])} | {r['cloudsplaining_s']:.2f} |",
        "",
        f"One identity policy per path: its required permissions on Resource \"*\" ({n} paths of "
        "`../shared/corpus/pathfinding-cloud/paths.json`), both tools on the same documents in one run "
        "(one run each: recall is not a timing; the seconds are each tool's first call, catalogue loading "
        "included, for scale only). "
        "cloudsplaining reports no path ids, so its column of ids is n/a.",
        "",
        f"Missed by iamforge: {_missed(r['iamforge_missed'], r['names'])}.",
        "",
        f"Missed by cloudsplaining: {_missed(r['cloudsplaining_missed'], r['names'])}.",
    ])
