"""Run every benchmark and write ``benchmarks/RESULTS.md``: ``python -m benchmarks`` (or ``make bench``).

Options: ``--sizes 100,1000`` (roles for benchmark 1), ``--runs N`` (medians of N runs),
``--plan-roles N`` (benchmark 3), ``--out PATH`` (``-`` prints instead of writing).
"""
from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from benchmarks import corpus, plan, spec_scale
from benchmarks.stats import machine

RESULTS = Path(__file__).with_name("RESULTS.md")


def report(sizes: list[int], runs: int, plan_roles: int, corpus_limit: int | None = None) -> str:
    """Run the three benchmarks and return RESULTS.md's text."""
    scale_rows = []
    for n in sizes:
        print(f"spec scale: {n} roles x {runs} runs", file=sys.stderr)
        scale_rows.append(spec_scale.measure(n, runs))
    print("corpus: iamforge check-policy vs parliament", file=sys.stderr)
    corpus_result = corpus.measure(runs=runs, limit=corpus_limit)
    print(f"plan: {plan_roles} roles", file=sys.stderr)
    plan_result = plan.measure(plan_roles, runs)
    parts = [
        "# iamforge benchmarks",
        "",
        f"Run with `make bench` (`.venv/bin/python -m benchmarks`) on {datetime.date.today().isoformat()}.",
        f"Machine: {machine()}.",
        "Every number is a median of the runs stated; none is a single run.",
        "",
        "## 1. Spec scale (load, validate, render, write)",
        "",
        "Synthetic spec (`benchmarks/synthetic.py`): departments of 10 roles, every trust kind, ABAC, one",
        "boundary per department. Each run is a fresh process; start-up (imports, IAM catalogue, templates,",
        "a 10-role warm-up) is reported apart. Peak MB is the process's maximum RSS.",
        "",
        spec_scale.table(scale_rows),
        "",
        "## 2. Policy analysis: `check-policy` vs parliament",
        "",
        corpus.table(corpus_result) if corpus_result else "Corpus not found: skipped.",
        "",
        "## 3. Plan cost: generated code vs a hand-written baseline",
        "",
        "Baseline (`benchmarks/handwritten.py`): one `data \"aws_iam_policy_document\"` per document and one",
        "resource per role, policy, group, user and attachment. Both are planned against a local moto_server.",
        "",
        plan.table(plan_result) if plan_result else "terraform or moto not available: skipped.",
        "",
    ]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Parse options, run, write the results."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sizes", default="100,1000,5000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plan-roles", type=int, default=200)
    parser.add_argument("--corpus-limit", type=int, default=None)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    text = report([int(s) for s in args.sizes.split(",")], args.runs, args.plan_roles, args.corpus_limit)
    if args.out == "-":
        print(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
