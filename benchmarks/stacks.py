"""Benchmark 3b, plan cost by layout: one root module against the stacks planned a few at a time.

The same synthetic spec as benchmark 3 (``plan.plan_spec_yaml``: IAM principals only), in
departments of ``roles_per_department`` roles, is generated twice, ``--layout root`` and ``--layout stacks``, initialised from the
offline provider mirror and planned with ``terraform plan -refresh=false`` against one local
moto_server. The stacks are planned the way the CI example runs them: the baseline, then the
department stacks in a pool of ``parallel`` workers (a CI matrix with ``max-parallel``). The
baseline is applied once beforehand, untimed, so the department stacks' data sources resolve.
Each run plans the root, then the stacks; the medians of ``runs`` runs are reported.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.plan import _terraform, plan_spec_yaml
from benchmarks.stats import median

ROOT = Path(__file__).resolve().parents[1]
PLAN = ["plan", "-input=false", "-refresh=false", "-out=bench.tfplan"]


def _timed(folder: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    _terraform(PLAN, folder, env)
    return time.perf_counter() - start


def _plan_stacks(baseline: Path, departments: list[Path], env: dict[str, str], parallel: int) -> tuple[float, float]:
    """(wall seconds for the baseline then every department ``parallel`` at a time, slowest single stack)."""
    start = time.perf_counter()
    first = _timed(baseline, env)
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        rest = list(pool.map(lambda folder: _timed(folder, env), departments))
    return time.perf_counter() - start, max([first, *rest])


def measure(roles: int = 1000, runs: int = 3, parallel: int = 2, plugin_dir: str | None = None,
            roles_per_department: int = 100) -> dict[str, float] | None:
    """Median plan wall seconds of the root and of the stacks, the slowest stack; None without tools."""
    plugin_dir = plugin_dir or os.environ.get("IAMFORGE_TF_PLUGIN_DIR")
    sys.path.insert(0, str(ROOT / "tests"))
    from moto_server import MotoServer, moto_available, write_provider_override  # type: ignore[import-not-found]

    from generator.render.pipeline import generate
    from generator.spec import load_spec_text

    if moto_available() is not None or shutil.which("terraform") is None:
        return None
    spec = load_spec_text(plan_spec_yaml(roles, roles_per_department), "bench.yaml")
    with tempfile.TemporaryDirectory(prefix="iamforge-stacks-") as tmp:
        root, out = Path(tmp) / "root", Path(tmp) / "stacks"
        generate(spec, root)
        generate(spec, out, layout="stacks")
        index = json.loads((out / "stacks.json").read_text(encoding="utf-8"))
        baseline = out / index["baseline"]
        departments = [out / "stacks" / d for d in index["departments"]]
        cache = Path(tmp) / "plugin-cache"
        cache.mkdir()
        server = MotoServer(account_id=spec.account.id, log_dir=Path(tmp)).start()
        try:
            # The plugin cache links the provider into each stack instead of copying it.
            env = {**os.environ, **server.terraform_env(spec.account.regions[0]), "TF_IN_AUTOMATION": "1",
                   "TF_PLUGIN_CACHE_DIR": str(cache)}
            init = ["init", "-input=false", "-backend=false"] + ([f"-plugin-dir={plugin_dir}"] if plugin_dir else [])
            for folder in [root, baseline, *departments]:
                write_provider_override(folder)
                _terraform(init, folder, env)
            _terraform(["apply", "-input=false", "-auto-approve"], baseline, env)
            root_s: list[float] = []
            stacks_s: list[float] = []
            slowest_s: list[float] = []
            for _ in range(runs):
                root_s.append(_timed(root, env))
                wall, slowest = _plan_stacks(baseline, departments, env, parallel)
                stacks_s.append(wall)
                slowest_s.append(slowest)
        finally:
            server.stop()
    one, split = median(root_s), median(stacks_s)
    return {"roles": roles, "runs": runs, "parallel": parallel, "stacks": 1 + len(departments),
            "roles_per_department": min(roles, roles_per_department),
            "root_s": one, "stacks_s": split, "slowest_stack_s": median(slowest_s), "ratio": split / one}


def table(r: dict[str, float]) -> str:
    """A Markdown table of a :func:`measure` result."""
    return "\n".join([
        "| layout | median plan wall s | slowest single root module s |",
        "|---|---:|---:|",
        f"| one root (`--layout root`) | {r['root_s']:.2f} | {r['root_s']:.2f} |",
        f"| {r['stacks']:.0f} stacks (`--layout stacks`), {r['parallel']:.0f} at a time | {r['stacks_s']:.2f} | "
        f"{r['slowest_stack_s']:.2f} |",
        "",
        f"{r['roles']:.0f} roles in departments of {r['roles_per_department']:.0f}, median of {r['runs']:.0f} runs, "
        f"`-refresh=false`; the baseline stack is planned "
        f"first, then the department stacks {r['parallel']:.0f} at a time; "
        f"ratio stacks / root = **{r['ratio']:.2f}**",
    ])
