"""Benchmark 4, escalation recall: DataDog's pathfinding.cloud paths, iamforge against cloudsplaining.

Each published path's ``required`` permissions, granted on Resource "*" in one identity policy
(:func:`required_policy`, the same documents ``tests/unit/test_escalation_pathfinding.py``
checks), are given to iamforge's check-policy analysis (the POL, PRV and TRU rules on raw
documents, as ``iamforge check-policy`` runs them) and to cloudsplaining's privilege-escalation
check (``PolicyDocument(doc).allows_privilege_escalation``, Rhino Security Labs' methods), in the
same run. A path counts as found when the tool reports an escalation on its document; for
iamforge the table also counts the findings that name the path's own id.

cloudsplaining runs twice, each time in a process of its own (:mod:`benchmarks.cloudsplaining_driver`):
the version in the development venv, which checkov's pin holds below 0.8, and the current one
in ``.venv-peers`` (``IAMFORGE_PEERS_PYTHON``; ``make bench`` creates it from
requirements/peers.txt). A venv without cloudsplaining gives no row.

The paths are read from ../shared/corpus/pathfinding-cloud/paths.json (Apache-2.0, not copied
into the project); without it the benchmark is skipped.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
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


def cloudsplaining_escalations(documents: dict[str, dict[str, Any]], python: str) -> dict[str, Any] | None:
    """cloudsplaining's ``allows_privilege_escalation`` on each document, run by the venv of ``python``:
    ``{"version", "seconds", "found": {id: [method, ...]}}``, or None when that venv lacks it."""
    driver = Path(__file__).with_name("cloudsplaining_driver.py")
    try:
        done = subprocess.run([python, str(driver)], input=json.dumps(documents), capture_output=True, text=True,
                              check=False, timeout=600)
    except OSError:
        return None
    if done.returncode != 0:
        if "ModuleNotFoundError" in done.stderr:
            return None
        raise RuntimeError(f"cloudsplaining under {python} failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def peer_pythons() -> list[tuple[str, str]]:
    """(where, Python) of each venv to run cloudsplaining in: this one, then ``.venv-peers``."""
    out = [("development venv, held below 0.8 by checkov", sys.executable)]
    peers = os.environ.get("IAMFORGE_PEERS_PYTHON", "")
    if peers and Path(peers).is_file():
        out.append(("`.venv-peers`, requirements/peers.txt", peers))
    return out


def measure(paths_file: Path = PATHS_FILE) -> dict[str, Any] | None:
    """iamforge and every available cloudsplaining on every path's document; None without the corpus."""
    paths = load_paths(paths_file)
    if not paths:
        return None
    documents = {p["id"]: required_policy(p) for p in paths}
    ours_s, ours = iamforge_escalations(documents)
    ids = list(documents)
    peers = []
    for where, python in peer_pythons():
        theirs = cloudsplaining_escalations(documents, python)
        if theirs is not None:
            peers.append({"version": theirs["version"], "where": where, "s": theirs["seconds"],
                          "found": [pid for pid in ids if theirs["found"].get(pid)],
                          "missed": [pid for pid in ids if not theirs["found"].get(pid)]})
    return {
        "paths": len(ids),
        "iamforge_found": [pid for pid in ids if ours[pid]],
        "iamforge_named": [pid for pid in ids if names_path(ours[pid], pid)],
        "iamforge_missed": [pid for pid in ids if not ours[pid]],
        "iamforge_s": ours_s,
        "cloudsplaining": peers,
        "names": {p["id"]: p["name"] for p in paths},
    }


def best_peer(r: dict[str, Any]) -> dict[str, Any] | None:
    """The cloudsplaining run that found the most paths (the current version, as it turns out)."""
    return max(r.get("cloudsplaining", []), key=lambda peer: len(peer["found"]), default=None)


def _missed(ids: list[str], names: dict[str, str]) -> str:
    return "; ".join(f"`{pid}` ({names[pid]})" for pid in ids) if ids else "none"


def table(r: dict[str, Any]) -> str:
    """A Markdown table of a :func:`measure` result, with the paths each tool misses."""
    n = r["paths"]
    lines = [
        "| tool | paths found | recall | found naming the path id | missed | s |",
        "|---|---:|---:|---:|---:|---:|",
        f"| iamforge check-policy (PRV-005) | {len(r['iamforge_found'])}/{n} | {len(r['iamforge_found']) / n:.0%} | "
        f"{len(r['iamforge_named'])}/{n} | {len(r['iamforge_missed'])} | {r['iamforge_s']:.2f} |",
    ]
    lines += [f"| cloudsplaining {peer['version']} (`allows_privilege_escalation`; {peer['where']}) | "
              f"{len(peer['found'])}/{n} | {len(peer['found']) / n:.0%} | n/a | {len(peer['missed'])} | "
              f"{peer['s']:.2f} |" for peer in r["cloudsplaining"]]
    lines += [
        "",
        f"One identity policy per path: its required permissions on Resource \"*\" ({n} paths of "
        "`../shared/corpus/pathfinding-cloud/paths.json`), every tool on the same documents in one run "
        "(one run each: recall is not a timing; the seconds are each tool's analysis of all the documents, "
        "for scale only). cloudsplaining reports no path ids, so its column of ids is n/a."
        + ("" if len(r["cloudsplaining"]) > 1 else
           " The current cloudsplaining was not run: `make bench` installs it in `.venv-peers`."),
        "",
        f"Missed by iamforge: {_missed(r['iamforge_missed'], r['names'])}.",
    ]
    for peer in r["cloudsplaining"]:
        lines += ["", f"Missed by cloudsplaining {peer['version']}: {_missed(peer['missed'], r['names'])}."]
    return "\n".join(lines)
