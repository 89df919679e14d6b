"""Run every benchmark and write ``benchmarks/RESULTS.md``: ``python -m benchmarks`` (or ``make bench``).

Options: ``--sizes 100,1000`` (roles for benchmark 1), ``--runs N`` (medians of N runs),
``--plan-roles N`` (benchmark 3), ``--stack-roles N`` (benchmark 3, one root against stacks;
0 skips it), ``--startup-runs N`` (benchmark 5), ``--out PATH`` (``-`` prints instead of writing).

Names run only those benchmarks and replace only their sections of RESULTS.md, leaving the
rest as it was: ``python -m benchmarks pathfinding startup``.
"""
from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from typing import Any

from benchmarks import corpus, corpus_vs_access_analyzer, pathfinding_recall, plan, spec_scale, stacks, startup
from benchmarks.stats import machine

RESULTS = Path(__file__).with_name("RESULTS.md")


def targets(scale: list[dict[str, float]], corpus_result: dict | None, plan_result: dict | None,
            pathfinding_result: dict | None = None, startup_result: dict | None = None) -> list[tuple]:
    """Each target of the issue with the measured value and whether it is met (None: not measured)."""
    by_size = {int(r["roles"]): r for r in scale}
    one, ten = by_size.get(1000), by_size.get(10000)
    rows: list[tuple[str, str, Any]] = []

    def add(name: str, value: str | None, met: bool | None) -> None:
        rows.append((name, value or "not measured", met))

    add("validate + generate, 1,000 roles: at most 1 s",
        one and f"{one['total']:.2f} s", one and one["total"] <= 1.0)
    add("validate + generate, 10,000 roles: at most 10 s",
        ten and f"{ten['total']:.2f} s", ten and ten["total"] <= 10.0)
    per_role = ten and one and ten["ms_per_role"] / one["ms_per_role"]
    add("time per role at 10,000 within 1.3x of 1,000",
        per_role and f"{per_role:.2f}x", per_role and per_role <= 1.3)
    add("peak memory at 10,000 roles: at most 500 MB",
        ten and f"{ten['peak_mb']:.0f} MB", ten and ten["peak_mb"] <= 500)
    add("policy analysis: at most 0.2x parliament's time, 0 exceptions",
        corpus_result and f"{corpus_result['ratio']:.2f}x, {corpus_result['iamforge_exceptions']:.0f} exceptions",
        corpus_result and corpus_result["ratio"] <= 0.2 and corpus_result["iamforge_exceptions"] == 0)
    add("plan: generated code no slower than hand-written (ratio at most 1.0)",
        plan_result and f"{plan_result['ratio']:.2f}", plan_result and plan_result["ratio"] <= 1.0)
    pf = pathfinding_result
    peer = pf and pathfinding_recall.best_peer(pf)
    add("escalation recall: every pathfinding.cloud path flagged, naming its id",
        pf and f"{len(pf['iamforge_named'])}/{pf['paths']}" + (
            f" (cloudsplaining {peer['version']}: {len(peer['found'])}/{pf['paths']})" if peer else ""),
        pf and len(pf["iamforge_named"]) == pf["paths"])
    add(f"start-up: check-policy on one small policy at most {startup.TARGET}x `import click, yaml, jinja2`",
        startup_result and f"{startup_result['ratio']:.2f}x",
        startup_result and startup_result["ratio"] <= startup.TARGET)
    return rows


def targets_table(rows: list[tuple]) -> str:
    """The targets as a Markdown table."""
    lines = ["| target | measured (median) | met |", "|---|---:|---|"]
    for name, value, met in rows:
        lines.append(f"| {name} | {value} | {'yes' if met else 'not measured' if met is None else '**no**'} |")
    return "\n".join(lines)


def _why_missed(scale: list[dict[str, float]]) -> list[str]:
    """Paragraphs naming the missed time targets with what the step times say about them
    (none when both are met)."""
    by_size = {int(r["roles"]): r for r in scale}
    one, ten = by_size.get(1000), by_size.get(10000)
    labels = {name: label for name, label, _ in spec_scale.STEPS}
    out = []
    if one and one["total"] > 1.0:
        steps = {name: one[name] for name in labels if name in one}
        out.append(f"The 1 s target at 1,000 roles is missed ({one['total']:.2f} s).")
        if steps:
            top = max(steps, key=steps.__getitem__)
            share = steps[top] / sum(steps.values())
            out.append(f"The largest step ({labels[top]}) takes {share:.0%} of the time; the table below "
                       "shows the others and how fast two cores could be.")
    if ten and ten["total"] > 10.0:
        out.append(f"The 10 s target at 10,000 roles is missed ({ten['total']:.2f} s).")
        if one:
            growth = {name: ten[name] / 10 / one[name] for name in labels if one.get(name) and name in ten}
            ratio = ten["ms_per_role"] / one["ms_per_role"]
            out.append(f"Its time per role is {ratio:.2f}x that at 1,000 roles.")
            if growth:
                top = max(growth, key=growth.__getitem__)
                out.append(f"The step whose time per role grows most from 1,000 to 10,000 roles ({labels[top]}) "
                           f"grows {growth[top]:.2f}x.")
    return out + [""] if out else []


PATHFINDING_HEADING = "## 4. Escalation recall: pathfinding.cloud paths, iamforge vs cloudsplaining"
STARTUP_HEADING = "## 5. Start-up: `check-policy` on one small policy vs importing its dependencies"
ACCESS_ANALYZER_HEADING = "## 6. Unknown actions: POL-004 vs IAM Access Analyzer on the AWS managed policies"


def pathfinding_section(result: dict | None) -> list[str]:
    """Section 4's lines."""
    return [PATHFINDING_HEADING, "",
            pathfinding_recall.table(result) if result else "pathfinding.cloud corpus not found: skipped.", ""]


def startup_section(result: dict | None) -> list[str]:
    """Section 5's lines."""
    return [STARTUP_HEADING, "", startup.table(result) if result else "not measured", ""]


def access_analyzer_section(result: dict | None) -> list[str]:
    """Section 6's lines."""
    return [ACCESS_ANALYZER_HEADING, "",
            corpus_vs_access_analyzer.table(result) if result else "corpus not found: skipped.", ""]


def run_access_analyzer(_args: argparse.Namespace) -> dict | None:
    print("access-analyzer: POL-004 vs Access Analyzer's findings on the managed-policy corpus", file=sys.stderr)
    return corpus_vs_access_analyzer.measure()


def run_pathfinding(_args: argparse.Namespace) -> dict | None:
    print("pathfinding: iamforge check-policy vs cloudsplaining on every published path", file=sys.stderr)
    return pathfinding_recall.measure()


def run_startup(args: argparse.Namespace) -> dict | None:
    print(f"start-up: iamforge check-policy vs imports, x {args.startup_runs} runs", file=sys.stderr)
    return startup.measure(args.startup_runs)


# The benchmarks that can run alone (``python -m benchmarks NAME...``): how to run each, the
# keyword targets() takes its result by ("" for a benchmark with no target), and its section.
SELECTABLE = {
    "pathfinding": (run_pathfinding, "pathfinding_result", pathfinding_section),
    "startup": (run_startup, "startup_result", startup_section),
    "access-analyzer": (run_access_analyzer, "", access_analyzer_section),
}


def report(sizes: list[int], runs: int, plan_roles: int, stack_roles: int, corpus_limit: int | None = None,
           startup_runs: int = 7) -> str:
    """Run the benchmarks and return RESULTS.md's text."""
    print(f"spec scale: {', '.join(map(str, sizes))} roles, taking turns, x {runs} runs", file=sys.stderr)
    profile_size = 1000 if 1000 in sizes else max(sizes)
    scale_rows = spec_scale.measure(sizes, runs, floors_at=profile_size)
    print(f"spec scale: profile at {profile_size} roles", file=sys.stderr)
    profile = spec_scale.profile(profile_size)
    steps = spec_scale.breakdown_table(next(r for r in scale_rows if r["roles"] == profile_size))
    print("corpus: iamforge check-policy vs parliament", file=sys.stderr)
    corpus_result = corpus.measure(runs=runs, limit=corpus_limit)
    print(f"plan: {plan_roles} roles", file=sys.stderr)
    plan_result = plan.measure(plan_roles, runs)
    stacks_result = None
    if stack_roles:
        print(f"plan: one root vs stacks at {stack_roles} roles", file=sys.stderr)
        stacks_result = stacks.measure(stack_roles, runs)
    selected_args = argparse.Namespace(startup_runs=startup_runs)
    selected = {name: run(selected_args) for name, (run, _, _) in SELECTABLE.items()}
    parts = [
        "# iamforge benchmarks",
        "",
        f"Written by `make bench` (`.venv/bin/python -m benchmarks`) on {datetime.date.today().isoformat()}.",
        f"Machine: {machine()}.",
        f"Every number is a median of {runs} runs; none is a single run.",
        "",
        "## Targets",
        "",
        targets_table(targets(scale_rows, corpus_result, plan_result,
                              **{SELECTABLE[name][1]: result for name, result in selected.items() if SELECTABLE[name][1]})),
        "",
        "## 1. Spec scale (load, validate, render, write)",
        "",
        "Synthetic spec (`benchmarks/synthetic.py`): departments of 10 roles, every trust kind, ABAC, one",
        "boundary per department. Each run is a fresh process reading a spec file written beforehand;",
        "start-up (imports, IAM catalogue, templates, a 10-role warm-up) is reported apart and not in",
        "the total. Total = load + validate + render + write, which is what `iamforge generate` does.",
        "The sizes take turns run by run, so that the host's drift in speed (start-up time shows it)",
        "falls on every size alike rather than on the comparison of time per role.",
        "Peak MB is the process's maximum RSS (start-up included) plus that of any process it forked",
        "(none by default; `IAMFORGE_PROCESSES=2` forks one for half the rules).",
        "",
        spec_scale.table(scale_rows),
        "",
        "### Where the time goes",
        "",
        *_why_missed(scale_rows),
        steps,
        "",
        profile,
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
    if stack_roles:
        parts += [
            "### One root against `--layout stacks`",
            "",
            stacks.table(stacks_result) if stacks_result else "terraform or moto not available: skipped.",
            "",
        ]
    for name, result in selected.items():
        parts += SELECTABLE[name][2](result)
    return "\n".join(parts)


def _section_number(line: str) -> int | None:
    """N of a ``## N. Title`` heading, else None."""
    head, _, _ = line.partition(". ")
    return int(head[3:]) if head.startswith("## ") and head[3:].isdigit() else None


def update_sections(text: str, results: dict[str, dict | None]) -> str:
    """RESULTS.md's ``text`` with only the sections and target rows of ``results`` (by benchmark
    name) replaced, or added in number order when absent; every other line is left as it was."""
    lines = text.rstrip("\n").split("\n")
    for name, result in results.items():
        section = SELECTABLE[name][2](result)
        number = _section_number(section[0])
        # The section of that number (its title may have been reworded since), else insert it.
        start = next((i for i, line in enumerate(lines) if _section_number(line) == number), None)
        if start is None:  # before the first section numbered higher, else at the end
            start = next((i for i, line in enumerate(lines) if (_section_number(line) or 0) > number), len(lines))
            end = start
            if start == len(lines) and lines[-1]:
                lines.append("")
                start = end = len(lines)
        else:
            end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[start:end] = section if end < len(lines) else section[:-1]
    # The targets table: rows of these benchmarks replaced or added, every row in targets()' order.
    measured = targets([], None, None, **{SELECTABLE[n][1]: r for n, r in results.items() if SELECTABLE[n][1]})
    order = [row[0] for row in measured]
    new_rows = {row[0]: line for row, line in zip(measured, targets_table(measured).split("\n")[2:])
                if row[2] is not None}
    if "## Targets" in lines:
        first = lines.index("## Targets") + 1
        while first < len(lines) and not lines[first].startswith("|"):
            first += 1
        last = first
        while last < len(lines) and lines[last].startswith("|"):
            last += 1
        header, rows = lines[first:first + 2], lines[first + 2:last]

        def name_of(row: str) -> str:
            return row.split(" | ", 1)[0].removeprefix("| ")

        rows = [new_rows.pop(name_of(row), row) for row in rows] + list(new_rows.values())
        rows.sort(key=lambda row: order.index(name_of(row)) if name_of(row) in order else len(order))
        lines[first:last] = header + rows
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Parse options, run, write the results."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sizes", default="100,1000,5000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plan-roles", type=int, default=200)
    parser.add_argument("--stack-roles", type=int, default=1000)
    parser.add_argument("--corpus-limit", type=int, default=None)
    parser.add_argument("--startup-runs", type=int, default=7)
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"run only these ({', '.join(SELECTABLE)}) and update only their sections")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(SELECTABLE))
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)} (can run alone: {', '.join(SELECTABLE)})")
    if args.names:
        results = {name: SELECTABLE[name][0](args) for name in SELECTABLE if name in args.names}
        if args.out != "-":
            out = Path(args.out)
            old = out.read_text(encoding="utf-8") if out.is_file() else "# iamforge benchmarks\n"
            out.write_text(update_sections(old, results), encoding="utf-8")
        print("\n".join(line for name, result in results.items() for line in SELECTABLE[name][2](result)))
        return 0
    text = report([int(s) for s in args.sizes.split(",")], args.runs, args.plan_roles, args.stack_roles,
                  args.corpus_limit, args.startup_runs)
    if args.out != "-":
        Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
