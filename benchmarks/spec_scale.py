"""Benchmark 1, spec scale: load, validate, render and write a synthetic spec of N roles.

Each run is a fresh subprocess (``python -m benchmarks.spec_scale N``) so that peak memory
(``ru_maxrss``) belongs to that size alone. Inside it a 10-role spec is run first: imports,
the IAM catalogue and the Jinja templates are loaded once per process, and that start-up cost
is reported on its own rather than spread over the phases.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.stats import median
from benchmarks.synthetic import synthetic_yaml

PHASES = ("load", "validate", "render", "write")


@dataclass
class ScaleRun:
    """One run at one size: seconds per phase, start-up seconds, peak RSS in MB, findings."""

    roles: int
    load: float
    validate: float
    render: float
    write: float
    startup: float
    peak_mb: float
    findings: int
    files: int


def run_once(roles: int) -> ScaleRun:
    """Time each phase on a spec of ``roles`` roles in this process."""
    start = time.perf_counter()
    from generator.render import writer
    from generator.render.pipeline import render
    from generator.rules.engine import validate_spec
    from generator.spec import load_spec

    with tempfile.TemporaryDirectory(prefix="iamforge-bench-") as tmp:
        warm = Path(tmp) / "warm.yaml"
        warm.write_text(synthetic_yaml(10), encoding="utf-8")
        warm_spec = load_spec(warm)
        validate_spec(warm_spec)
        render(warm_spec)
        startup = time.perf_counter() - start

        path = Path(tmp) / "bench.yaml"
        path.write_text(synthetic_yaml(roles), encoding="utf-8")
        out = Path(tmp) / "out"
        t0 = time.perf_counter()
        spec = load_spec(path)
        t1 = time.perf_counter()
        findings = validate_spec(spec)
        t2 = time.perf_counter()
        files = render(spec)
        t3 = time.perf_counter()
        writer.commit(writer.plan(files, out))
        t4 = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return ScaleRun(roles, t1 - t0, t2 - t1, t3 - t2, t4 - t3, startup, peak_kb / 1024, len(findings), len(files))


def measure(roles: int, runs: int) -> dict[str, float]:
    """Medians over ``runs`` fresh subprocesses at ``roles`` roles."""
    results = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-m", "benchmarks.spec_scale", str(roles)], capture_output=True,
                              text=True, check=False, cwd=Path(__file__).resolve().parents[1])
        if proc.returncode != 0:
            raise RuntimeError(f"spec_scale {roles} failed:\n{proc.stderr}")
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    summary: dict[str, float] = {"roles": roles, "runs": runs}
    for key in (*PHASES, "startup", "peak_mb", "findings", "files"):
        summary[key] = median([r[key] for r in results])
    summary["total"] = median([sum(r[p] for p in PHASES) for r in results])
    summary["validate_generate"] = median([r["validate"] + r["render"] + r["write"] for r in results])
    summary["ms_per_role"] = 1000 * summary["total"] / roles
    return summary


def table(rows: list[dict[str, float]]) -> str:
    """A Markdown table of :func:`measure` results."""
    lines = ["| roles | load s | validate s | render s | write s | total s | ms/role | peak MB | start-up s | findings |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['roles']:,.0f} | {r['load']:.2f} | {r['validate']:.2f} | {r['render']:.2f} | "
                     f"{r['write']:.2f} | {r['total']:.2f} | {r['ms_per_role']:.2f} | {r['peak_mb']:.0f} | "
                     f"{r['startup']:.2f} | {r['findings']:.0f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(json.dumps(asdict(run_once(int(sys.argv[1])))))
