"""Benchmark 2, policy analysis throughput: ``check-policy`` against parliament on the corpus.

Both tools read the same files in the same process, alternating run by run; the medians,
their ratio and each tool's exception count (documents on which it raised) are reported.
parliament is a benchmark-only dependency (the ``bench`` extra, which the lock holds, with a
setuptools older than 81: parliament 1.6 imports ``pkg_resources``).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.stats import median

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "aws-managed-policies"


def iamforge_run(paths: list[str]) -> tuple[float, int, int]:
    """(seconds, findings, exceptions) for ``check-policy`` over every path at once."""
    from generator.rules.engine import check_policy_files

    start = time.perf_counter()
    try:
        report = check_policy_files(paths)
    except Exception:  # noqa: BLE001 - counting failures is the point
        elapsed = time.perf_counter() - start
        return elapsed, 0, _iamforge_exceptions(paths)
    return time.perf_counter() - start, len(report.findings), 0


def _iamforge_exceptions(paths: list[str]) -> int:
    """Documents on which ``check-policy`` raises, found one by one after a batch failed."""
    from generator.rules.engine import check_policy_files

    failed = 0
    for path in paths:
        try:
            check_policy_files([path])
        except Exception:  # noqa: BLE001
            failed += 1
    return failed


def parliament_run(paths: list[str]) -> tuple[float, int, int]:
    """(seconds, findings, exceptions) for parliament's ``analyze_policy_string`` on each file."""
    from parliament import analyze_policy_string

    findings = failed = 0
    start = time.perf_counter()
    for path in paths:
        try:
            policy = analyze_policy_string(Path(path).read_text(encoding="utf-8"), filepath=path)
            findings += len(policy.findings)
        except Exception:  # noqa: BLE001
            failed += 1
    return time.perf_counter() - start, findings, failed


def measure(corpus: Path = CORPUS, runs: int = 3, limit: int | None = None) -> dict[str, float] | None:
    """Alternate both tools ``runs`` times over the corpus (first ``limit`` files); None without it."""
    if not corpus.is_dir():
        return None
    paths = [str(p) for p in sorted(corpus.glob("*.json"))][:limit]
    tools: dict[str, Callable[[list[str]], tuple[float, int, int]]] = {
        "iamforge": iamforge_run, "parliament": parliament_run}
    # One untimed pass each: imports, catalogues and caches are loaded outside the timings.
    for fn in tools.values():
        fn(paths[:5])
    times: dict[str, list[float]] = {name: [] for name in tools}
    last: dict[str, tuple[float, int, int]] = {}
    for _ in range(runs):
        for name, fn in tools.items():
            last[name] = fn(paths)
            times[name].append(last[name][0])
    ours, theirs = median(times["iamforge"]), median(times["parliament"])
    return {
        "documents": len(paths), "runs": runs,
        "iamforge_s": ours, "parliament_s": theirs, "ratio": ours / theirs if theirs else float("nan"),
        "iamforge_first_s": times["iamforge"][0], "parliament_first_s": times["parliament"][0],
        "iamforge_findings": last["iamforge"][1], "parliament_findings": last["parliament"][1],
        "iamforge_exceptions": last["iamforge"][2], "parliament_exceptions": last["parliament"][2],
    }


def table(r: dict[str, float]) -> str:
    """A Markdown table of a :func:`measure` result."""
    return "\n".join([
        "| tool | median s | first run s | documents/s | findings | exceptions |",
        "|---|---:|---:|---:|---:|---:|",
        f"| iamforge check-policy | {r['iamforge_s']:.2f} | {r['iamforge_first_s']:.2f} | "
        f"{r['documents'] / r['iamforge_s']:.0f} | {r['iamforge_findings']:.0f} | {r['iamforge_exceptions']:.0f} |",
        f"| parliament | {r['parliament_s']:.2f} | {r['parliament_first_s']:.2f} | "
        f"{r['documents'] / r['parliament_s']:.0f} | {r['parliament_findings']:.0f} | {r['parliament_exceptions']:.0f} |",
        "",
        f"{r['documents']:.0f} documents, median of {r['runs']:.0f} alternated runs; "
        f"ratio iamforge / parliament = **{r['ratio']:.2f}** (first runs: "
        f"{r['iamforge_first_s'] / r['parliament_first_s']:.2f}). Each tool first checks five files untimed, "
        "so imports and catalogues are loaded; the first timed run still fills the caches each tool keeps "
        "across calls (iamforge's \"did you mean\" suggestions for unknown actions, parliament's action "
        "lookups).",
    ])
