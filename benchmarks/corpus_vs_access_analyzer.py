"""Compare iamforge's unknown-action findings (POL-004) with IAM Access Analyzer's on the corpus.

Access Analyzer's ValidatePolicy findings for the AWS managed policies are stored beside the
policies (../shared/corpus/aws-managed-policies-access-analyzer-findings/). Its INVALID_ACTION,
INVALID_SERVICE and INVALID_SERVICE_IN_ACTION codes are the same class as POL-004. Locations are
compared as JSON paths (``Statement[0].Action[3]``).

Usage: .venv/bin/python benchmarks/corpus_vs_access_analyzer.py [CORPUS_DIR]
"""
from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from generator.rules.engine import check_documents

AA_CODES = {"INVALID_ACTION", "INVALID_SERVICE", "INVALID_SERVICE_IN_ACTION"}
DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def aa_path(location: dict) -> str:
    """Access Analyzer's ``[{"value": "Statement"}, {"index": 0}, ...]`` as ``Statement[0]...``."""
    out = ""
    for part in location["path"]:
        out += f"[{part['index']}]" if "index" in part else (f".{part['value']}" if out else part["value"])
    return out


def aa_findings(folder: Path) -> set[tuple[str, str]]:
    found = set()
    for f in folder.glob("*.json"):
        for item in json.loads(f.read_text(encoding="utf-8")):
            if item["issueCode"] in AA_CODES:
                for loc in item["locations"]:
                    found.add((f.stem, aa_path(loc)))
    return found


def measure(corpus: Path = DEFAULT) -> dict | None:
    """POL-004 against Access Analyzer's unknown-action findings on the 1,452 policies (None
    when the corpus is absent)."""
    policies = corpus / "aws-managed-policies"
    if not policies.is_dir():
        return None
    files = sorted(policies.glob("*.json"))
    items = [(str(f), "identity", json.loads(f.read_text(encoding="utf-8"))) for f in files]
    start = time.perf_counter()
    findings = check_documents(items)
    elapsed = time.perf_counter() - start
    ours = {(Path(f.file).stem, f.path) for f in findings if f.rule_id == "POL-004"}
    retired = {(Path(f.file).stem, f.path) for f in findings if f.rule_id == "POL-004" and f.severity.value == "warning"}
    theirs = aa_findings(corpus / "aws-managed-policies-access-analyzer-findings")
    from generator.analysis.catalog import describe

    return {"policies": len(items), "seconds": elapsed, "findings": len(findings), "catalogue": describe(),
            "theirs": len(theirs), "ours": len(ours), "both": len(ours & theirs), "only_aa": sorted(theirs - ours),
            "only_us": len(ours - theirs), "only_us_retired": len((ours - theirs) & retired),
            "by_policy": Counter(name for name, _ in ours - theirs).most_common(10)}


def table(r: dict) -> str:
    """RESULTS.md's section: the agreement, in words and a table."""
    recall = f"{r['both'] / r['theirs']:.0%}" if r["theirs"] else "n/a"
    lines = [
        f"POL-004 (unknown action or service) against IAM Access Analyzer's INVALID_ACTION, INVALID_SERVICE and "
        f"INVALID_SERVICE_IN_ACTION findings, location by location, on the {r['policies']:,} AWS managed policies "
        f"(catalogue: {r['catalogue']}).", "",
        "| | locations |", "|---|---:|",
        f"| Access Analyzer | {r['theirs']} |", f"| iamforge POL-004 | {r['ours']} |",
        f"| both (recall {recall}) | {r['both']} |", f"| Access Analyzer only | {len(r['only_aa'])} |",
        f"| iamforge only | {r['only_us']} |",
        f"| of which services AWS discontinued since (warnings) | {r['only_us_retired']} |",
        f"| of which other names the catalogue lacks (errors) | {r['only_us'] - r['only_us_retired']} |", "",
        "iamforge-only, by policy: " + ", ".join(f"{n} ({c})" for n, c in r["by_policy"]) + ".",
    ]
    if r["only_aa"]:
        lines += ["", "Access Analyzer only: " + ", ".join(f"{n} {p}" for n, p in r["only_aa"][:10]) + "."]
    return "\n".join(lines)


def main(corpus: Path) -> int:
    r = measure(corpus)
    if r is None:
        print(f"corpus not found at {corpus}", file=sys.stderr)
        return 2
    print(f"policies analysed: {r['policies']} in {r['seconds']:.2f} s ({r['findings']} findings, all rules)")
    print(table(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
