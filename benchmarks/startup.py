"""Benchmark 5, start-up: ``iamforge check-policy`` on one small policy against importing its
three main dependencies.

A pre-commit hook runs ``iamforge check-policy`` once per commit, on a few small files: there
its time is nearly all start-up. Both commands run as fresh processes of the same venv's
python, taking turns run by run; the medians and their ratio are reported (target: at most
3.5x ``python -c "import click, yaml, jinja2"``, reported, not asserted).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.stats import median

TARGET = 3.5
# One scoped grant: a clean file, so the run is start-up plus the rules on one statement.
SCOPED_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject",
                   "Resource": "arn:aws:s3:::acme-reports/*"}],
}


def iamforge_bin() -> str:
    """The ``iamforge`` console script of this interpreter's environment."""
    return str(Path(sys.executable).with_name("iamforge"))


def _wall(argv: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr or proc.stdout}")
    return elapsed


def measure(runs: int = 7) -> dict[str, Any]:
    """Median wall time of each command over ``runs`` alternated runs (one untimed run each first)."""
    with tempfile.TemporaryDirectory() as tmp:
        policy = Path(tmp) / "scoped.json"
        policy.write_text(json.dumps(SCOPED_POLICY, indent=2), encoding="utf-8")
        commands = {
            "iamforge": [iamforge_bin(), "check-policy", str(policy)],
            "imports": [sys.executable, "-c", "import click, yaml, jinja2"],
        }
        for argv in commands.values():  # warm the page cache and the bytecode caches
            _wall(argv)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, argv in commands.items():
                times[name].append(_wall(argv))
    ours, base = median(times["iamforge"]), median(times["imports"])
    return {"runs": runs, "iamforge_s": ours, "imports_s": base, "ratio": ours / base if base else float("nan"),
            "iamforge_min_s": min(times["iamforge"]), "imports_min_s": min(times["imports"])}


def table(r: dict[str, Any]) -> str:
    """A Markdown table of a :func:`measure` result."""
    return "\n".join([
        "| command | median wall s | fastest s |",
        "|---|---:|---:|",
        f"| `iamforge check-policy scoped.json` | {r['iamforge_s']:.3f} | {r['iamforge_min_s']:.3f} |",
        f"| `python -c \"import click, yaml, jinja2\"` | {r['imports_s']:.3f} | {r['imports_min_s']:.3f} |",
        "",
        f"Fresh processes of the same venv, median of {r['runs']:.0f} alternated runs after one untimed run "
        f"each; `scoped.json` is one `s3:GetObject` on one bucket's objects (no finding). "
        f"Ratio = **{r['ratio']:.2f}x** (target: at most {TARGET}x; "
        f"{'met' if r['ratio'] <= TARGET else 'not met'}).",
    ])
