"""Benchmark 3, plan cost: ``terraform plan -refresh=false`` on generated code against a hand-written root.

Both roots describe the same IAM (a synthetic spec with CloudTrail and Access Analyzer off):
the same resources by type, with the same attributes and documents (see ``handwritten``);
the result carries the resource count of each type in each plan so a difference shows. They
are initialised from the offline provider mirror (``$IAMFORGE_TF_PLUGIN_DIR``) and planned
alternately against one local moto_server, so the provider's account check runs without the
internet or credentials. Times are medians of the alternated runs.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.handwritten import baseline
from benchmarks.stats import median
from benchmarks.synthetic import shape, synthetic_spec

ROOT = Path(__file__).resolve().parents[1]


def plan_spec_yaml(roles: int, roles_per_department: int = 10) -> str:
    """A synthetic spec of ``roles`` roles with only IAM principals (no trail, no analyzers)."""
    import yaml

    departments, per = shape(roles, roles_per_department)
    data = synthetic_spec(departments, per)
    data["cloudtrail"] = {"enabled": False}
    data["access_analyzer"] = {"external_access": False}
    return yaml.safe_dump(data, sort_keys=False, width=200)


def _terraform(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["terraform", *args, "-no-color"], cwd=cwd, env=env, capture_output=True, text=True,
                          check=False)
    if proc.returncode not in (0, 2):
        raise RuntimeError(f"terraform {' '.join(args)} failed in {cwd}:\n{proc.stderr[-4000:]}")
    return proc


def _resources(root: Path, env: dict[str, str]) -> Counter[str]:
    """Resource instances the saved plan creates, by resource type."""
    show = _terraform(["show", "-json", "bench.tfplan"], root, env)
    changes = json.loads(show.stdout).get("resource_changes", [])
    return Counter(c["type"] for c in changes if "create" in c["change"]["actions"])


def measure(roles: int = 200, runs: int = 3, plugin_dir: str | None = None) -> dict[str, Any] | None:
    """Median plan seconds of both roots, their ratio and resources (by type); None without tools."""
    plugin_dir = plugin_dir or os.environ.get("IAMFORGE_TF_PLUGIN_DIR")
    sys.path.insert(0, str(ROOT / "tests"))
    from moto_server import MotoServer, moto_available, write_provider_override  # type: ignore[import-not-found]

    from generator.render.pipeline import generate
    from generator.spec import load_spec_text

    if moto_available() is not None or subprocess.run(["which", "terraform"], capture_output=True).returncode:
        return None
    spec = load_spec_text(plan_spec_yaml(roles), "bench.yaml")
    with tempfile.TemporaryDirectory(prefix="iamforge-plan-") as tmp:
        roots = {"iamforge": Path(tmp) / "generated", "hand-written": Path(tmp) / "handwritten"}
        generate(spec, roots["iamforge"])
        write_provider_override(roots["iamforge"])
        roots["hand-written"].mkdir()
        for name, text in baseline(spec).items():
            (roots["hand-written"] / name).write_text(text, encoding="utf-8")
        server = MotoServer(account_id=spec.account.id, log_dir=Path(tmp)).start()
        try:
            env = {**os.environ, **server.terraform_env(spec.account.regions[0]), "TF_IN_AUTOMATION": "1"}
            init = ["init", "-input=false", "-backend=false"] + ([f"-plugin-dir={plugin_dir}"] if plugin_dir else [])
            for root in roots.values():
                _terraform(init, root, env)
            _terraform(["fmt", "-list=false"], roots["hand-written"], env)  # as a team would commit it
            times: dict[str, list[float]] = {name: [] for name in roots}
            for _ in range(runs):
                for name, root in roots.items():
                    start = time.perf_counter()
                    _terraform(["plan", "-input=false", "-refresh=false", "-out=bench.tfplan"], root, env)
                    times[name].append(time.perf_counter() - start)
            counts = {name: _resources(root, env) for name, root in roots.items()}
        finally:
            server.stop()
    gen, hand = median(times["iamforge"]), median(times["hand-written"])
    types = sorted(set(counts["iamforge"]) | set(counts["hand-written"]))
    return {"roles": roles, "runs": runs, "iamforge_s": gen, "hand_s": hand, "ratio": gen / hand,
            "iamforge_times": times["iamforge"], "hand_times": times["hand-written"],
            "iamforge_resources": sum(counts["iamforge"].values()),
            "hand_resources": sum(counts["hand-written"].values()),
            "by_type": {t: (counts["iamforge"][t], counts["hand-written"][t]) for t in types}}


def table(r: dict[str, Any]) -> str:
    """A Markdown table of a :func:`measure` result: times, ratio, and resources per role by type."""
    lines = [
        "| root | median plan s | resources | resources per role |",
        "|---|---:|---:|---:|",
        f"| iamforge generated | {r['iamforge_s']:.2f} | {r['iamforge_resources']:.0f} | "
        f"{r['iamforge_resources'] / r['roles']:.2f} |",
        f"| hand-written baseline | {r['hand_s']:.2f} | {r['hand_resources']:.0f} | "
        f"{r['hand_resources'] / r['roles']:.2f} |",
        "",
        f"{r['roles']:.0f} roles, median of {r['runs']:.0f} alternated runs, `-refresh=false`; "
        f"ratio generated / hand-written = **{r['ratio']:.2f}**",
    ]
    if r.get("by_type"):
        lines += ["", "| resource type | generated per role | hand-written per role |", "|---|---:|---:|"]
        lines += [f"| `{t}` | {g / r['roles']:.2f} | {h / r['roles']:.2f} |" for t, (g, h) in r["by_type"].items()]
    return "\n".join(lines)
