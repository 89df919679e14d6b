"""Benchmark 1, spec scale: load, validate, render and write a synthetic spec of N roles.

Each run is a fresh subprocess (``python -m benchmarks.spec_scale N``) so that peak memory
(``VmHWM``) belongs to that size alone. Inside it a 10-role spec is run first: imports,
the IAM catalogue and the Jinja templates are loaded once per process, and that start-up cost
is reported on its own rather than spread over the phases.
"""
from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.stats import median
from benchmarks.synthetic import synthetic_yaml

PHASES = ("load", "validate", "render", "write")
# The steps of one load, validate, render and write, in order, and what must wait for each:
# everything waits for the spec and its documents ("all"); the rules, not the rendering, wait
# for the documents to be encoded and analysed ("rules"); nothing waits for the last three.
STEPS = (
    ("parse", "parse the YAML, with a line mark for every path", "all"),
    ("schema", "schema check and model", "all"),
    ("build", "build the policy documents", "all"),
    ("context", "encode, hash and group the documents", "rules"),
    ("analysis", "normalize the documents; effective permissions of every principal", "rules"),
    ("rules", "run the rules, place and sort the findings", ""),
    ("render", "render the Terraform", ""),
    ("write", "write the files", ""),
)
# The phases of the scale table, as sums of steps.
PHASE_STEPS = {"load": ("parse", "schema"), "validate": ("build", "context", "analysis", "rules"),
               "render": ("render",), "write": ("write",)}
# What third-party code alone takes on the same input, without any of iamforge's work.
FLOORS = (
    ("yaml_events", "libyaml's event stream alone (no values built, no marks kept)"),
    ("yaml_load", "stock `yaml.load` with the C loader (values, no line marks)"),
    ("json_encode", "the C JSON encoder over every built document"),
)


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
    steps: dict[str, float]  # seconds of each of STEPS (they add up to the four phases)
    floors: dict[str, float]  # seconds of each of FLOORS; empty unless asked for


def _warm_up(tmp: Path) -> None:
    """Load imports, the IAM catalogue and the templates once, through a 10-role spec."""
    from generator.render.pipeline import render
    from generator.rules.engine import validate_spec
    from generator.spec import load_spec

    warm = tmp / "warm.yaml"
    warm.write_text(synthetic_yaml(10), encoding="utf-8")
    warm_spec = load_spec(warm)
    validate_spec(warm_spec)
    render(warm_spec)


def run_once(roles: int, spec_file: str | None = None, floors: bool = False) -> ScaleRun:
    """Time each step on a spec of ``roles`` roles in this process.

    ``spec_file`` is the synthetic spec written beforehand by the parent process, so that the
    peak memory measured here is iamforge's alone, not that of building the YAML text. The
    steps run as ``iamforge generate`` runs them, with the garbage collector paused over the
    same stretches; ``floors`` adds the :data:`FLOORS`, timed after the peak memory is read.
    """
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="iamforge-bench-") as tmp:
        _warm_up(Path(tmp))
        startup = time.perf_counter() - start

        path = Path(spec_file) if spec_file else Path(tmp) / "bench.yaml"
        if not spec_file:
            path.write_text(synthetic_yaml(roles), encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        steps, findings, files, policies = _steps(text, str(path), Path(tmp) / "out")
    # A forked helper (IAMFORGE_PROCESSES=2) holds memory too: add its peak. That over-counts the
    # pages both share, so with a child the figure is an upper bound; without one it is exact.
    peak_kb = _own_peak_kb() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    phases = {phase: sum(steps[name] for name in names) for phase, names in PHASE_STEPS.items()}
    return ScaleRun(roles, phases["load"], phases["validate"], phases["render"], phases["write"], startup,
                    peak_kb / 1024, findings, files, steps, _floors(text, policies) if floors else {})


def _steps(text: str, name: str, out: Path) -> tuple[dict[str, float], int, int, Any]:
    """Seconds of each of :data:`STEPS` on the spec ``text``; the findings and files it gave,
    and the built policies."""
    from generator.gcpause import gc_paused
    from generator.policies import build
    from generator.render import writer
    from generator.render.pipeline import render
    from generator.rules.context import spec_context
    from generator.rules.engine import validate_context
    from generator.spec.check import check
    from generator.spec.loader import parse
    from generator.spec.normalize import build_model

    times = [time.perf_counter()]

    def lap() -> None:
        times.append(time.perf_counter())

    @gc_paused  # as load_spec_text
    def load() -> Any:
        doc = parse(text, name)
        lap()
        data, findings = check(doc)
        spec, more = build_model(doc, data) if data is not None and not findings else (None, [])
        if spec is None or more:  # the synthetic spec is valid; anything else is a benchmark bug
            raise RuntimeError(f"{name} does not load: {[f.message for f in findings + more][:3]}")
        lap()
        return spec

    @gc_paused  # as validate_spec
    def validate(spec: Any, policies: Any) -> list:
        ctx = spec_context(spec, policies)
        lap()
        ctx.prepare()
        lap()
        return validate_context(ctx)

    spec = load()
    policies = build(spec)  # as `iamforge generate` does: built once, checked, then emitted
    lap()
    findings = validate(spec, policies)
    lap()
    files = render(spec, policies=policies)
    lap()
    writer.commit(writer.plan(files, out))
    lap()
    steps = {step: b - a for (step, _, _), a, b in zip(STEPS, times, times[1:])}
    return steps, len(findings), len(files), policies


def _floors(text: str, policies: Any) -> dict[str, float]:
    """Seconds of each of :data:`FLOORS` on the same spec text and documents."""
    import yaml

    from generator.gcpause import gc_paused
    from generator.policies.document import canonical_json

    @gc_paused
    def timed() -> dict[str, float]:
        times = [time.perf_counter()]
        events = yaml.CSafeLoader(text)
        while events.get_event() is not None:
            pass
        events.dispose()
        times.append(time.perf_counter())
        yaml.load(text, Loader=yaml.CSafeLoader)  # noqa: S506 - the safe C loader
        times.append(time.perf_counter())
        for built in policies.docs.values():
            canonical_json(built.document)
        times.append(time.perf_counter())
        return {name: b - a for (name, _), a, b in zip(FLOORS, times, times[1:])}

    return timed()


def _own_peak_kb() -> int:
    """This process's peak RSS since it started its program.

    ``VmHWM`` on Linux: ``ru_maxrss`` also counts the parent's pages this process held between
    its fork and its exec, so a benchmark parent that had just written a 10,000-role spec
    showed up as the peak of a 100-role run."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(sizes: list[int], runs: int, floors_at: int | None = None) -> list[dict[str, float]]:
    """Medians over ``runs`` fresh subprocesses at each size in ``sizes``; the :data:`FLOORS`
    too at the size ``floors_at``.

    The sizes take turns (every size once, then every size again): this host's speed drifts by
    20% and more over minutes, and measuring one size after the other would put that drift into
    the comparison of time per role across sizes.
    """
    results: dict[int, list[dict]] = {n: [] for n in sizes}
    with tempfile.TemporaryDirectory(prefix="iamforge-bench-") as tmp:
        spec_files = {}
        for n in sizes:
            spec_files[n] = Path(tmp) / f"bench-{n}.yaml"
            spec_files[n].write_text(synthetic_yaml(n), encoding="utf-8")
        for _ in range(runs):
            for n in sizes:
                floors = ["--floors"] if n == floors_at else []
                proc = subprocess.run([sys.executable, "-m", "benchmarks.spec_scale", str(n), str(spec_files[n]), *floors],
                                      capture_output=True, text=True, check=False,
                                      cwd=Path(__file__).resolve().parents[1])
                if proc.returncode != 0:
                    raise RuntimeError(f"spec_scale {n} failed:\n{proc.stderr}")
                results[n].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return [_summary(n, runs, results[n]) for n in sizes]


def _summary(roles: int, runs: int, results: list[dict]) -> dict[str, float]:
    summary: dict[str, float] = {"roles": roles, "runs": runs}
    for key in (*PHASES, "startup", "peak_mb", "findings", "files"):
        summary[key] = median([r[key] for r in results])
    for group in ("steps", "floors"):
        for key in results[0][group]:
            summary[key] = median([r[group][key] for r in results])
    summary["total"] = median([sum(r[p] for p in PHASES) for r in results])
    summary["validate_generate"] = median([r["validate"] + r["render"] + r["write"] for r in results])
    summary["ms_per_role"] = 1000 * summary["total"] / roles
    return summary


def profile(roles: int, top: int = 12) -> str:
    """A Markdown table of where the time goes at ``roles`` roles (cProfile, one fresh process):
    the functions with the most time of their own, over load, validate, render and write."""
    with tempfile.TemporaryDirectory(prefix="iamforge-bench-") as tmp:
        spec_file = Path(tmp) / "bench.yaml"
        spec_file.write_text(synthetic_yaml(roles), encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "benchmarks.spec_scale", "--profile", str(roles), str(spec_file),
                               str(top)], capture_output=True, text=True, check=False,
                              cwd=Path(__file__).resolve().parents[1])
    if proc.returncode != 0:
        raise RuntimeError(f"spec_scale profile failed:\n{proc.stderr}")
    return proc.stdout.strip()


def _profile_here(roles: int, spec_file: str, top: int) -> str:
    import cProfile
    import pstats

    from generator.policies import build
    from generator.render import writer
    from generator.render.pipeline import render
    from generator.rules.engine import validate_spec
    from generator.spec import load_spec

    with tempfile.TemporaryDirectory(prefix="iamforge-bench-") as tmp:
        _warm_up(Path(tmp))
        profiler = cProfile.Profile()
        profiler.enable()
        spec = load_spec(spec_file)
        policies = build(spec)
        validate_spec(spec, policies=policies)
        writer.commit(writer.plan(render(spec, policies=policies), Path(tmp) / "out"))
        profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]  # type: ignore[attr-defined]
    root = str(Path(__file__).resolve().parents[1]) + "/"

    def short(file: str) -> str:
        return re.sub(r".*/lib/python3\.\d+/(site-packages/)?", "", file.replace(root, ""))

    areas: dict[str, float] = {}
    for (file, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = short(file)
        area = next((label for prefix, label in _AREAS if where.startswith(prefix)), "other (stdlib, builtins)")
        areas[area] = areas.get(area, 0.0) + own
    lines = [f"cProfile of one run at {roles:,} roles (profiling slows it down: {total:.1f} s in all).", "",
             "| area | own s | share |", "|---|---:|---:|"]
    for area, own in sorted(areas.items(), key=lambda kv: kv[1], reverse=True):
        lines.append(f"| {area} | {own:.2f} | {100 * own / total:.0f}% |")
    lines += ["", "| own s | share | calls | function |", "|---:|---:|---:|---|"]
    for (file, line, name), (_, calls, own, _cum, _) in rows:
        lines.append(f"| {own:.2f} | {100 * own / total:.0f}% | {calls:,} | `{short(file)}:{line} {name}` |")
    return "\n".join(lines)


def breakdown_table(result: dict[str, float], target: float = 1.0) -> str:
    """Markdown for one row of :func:`measure`: each step's time, the floors (when measured),
    and the least time two cores could give."""
    roles = int(result["roles"])
    total = sum(result[name] for name, _, _ in STEPS)
    first = sum(result[name] for name, _, waits in STEPS if waits == "all")
    for_rules = sum(result[name] for name, _, waits in STEPS if waits == "rules")
    rest = sum(result[name] for name, _, waits in STEPS if not waits)
    waiting = {"all": "everything", "rules": "the rules", "": ""}
    lines = [f"Each step at {roles:,} roles, in the runs of the table above (no profiler): medians of each step.",
             "", "| step | s | ms per role | what waits for it |", "|---|---:|---:|---|"]
    for name, label, waits in STEPS:
        lines.append(f"| {label} | {result[name]:.2f} | {1000 * result[name] / roles:.2f} | {waiting[waits]} |")
    lines.append(f"| **total** (sum of the step medians) | **{total:.2f}** | **{1000 * total / roles:.2f}** | |")
    lines += ["", "Grouping normalizes the first of each set of equal documents, so some normalizing falls in the",
              "step before. In `generate` the rules that first need a normalized document or a principal's",
              "effective permissions build them; here they are built before the rules, to be timed apart."]
    if all(name in result for name, _ in FLOORS):
        lines += ["", "What third-party code alone takes on the same input, in the same runs:", "", "| floor | s |",
                  "|---|---:|"]
        lines += [f"| {label} | {result[name]:.2f} |" for name, label in FLOORS]
    least = first + (for_rules + rest) / 2
    with_rules = first + for_rules + rest / 2

    def against(seconds: float) -> str:
        return f"{'within' if seconds <= target else 'above'} the {target:g} s target"

    lines += [
        "",
        f"How fast two cores could be: parsing, checking and building take {first:.2f} s before anything",
        f"else can start. Were all the rest ({for_rules + rest:.2f} s) shared out perfectly over both cores,",
        f"with nothing lost to forking, the total would be {least:.2f} s, {against(least)}. The rules also",
        f"need the documents encoded and analysed ({for_rules:.2f} s); with that done before the split as",
        f"well, {with_rules:.2f} s, {against(with_rules)}.",
    ]
    return "\n".join(lines)


# Where a function's own time is counted in the profile's summary (first matching prefix).
_AREAS = (
    ("yaml/", "YAML parsing (libyaml + PyYAML)"),
    ("generator/spec/", "spec loading and schema check"),
    ("generator/policies/", "policy documents (built once)"),
    ("generator/analysis/", "policy analysis (effective permissions, escalation)"),
    ("generator/rules/", "rules"),
    ("generator/render/", "rendering (HCL writer, contexts)"),
    ("jinja2/", "Jinja2 templates"),
    ("json/", "JSON encoding"),
)


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
    if sys.argv[1] == "--profile":
        print(_profile_here(int(sys.argv[2]), sys.argv[3], int(sys.argv[4])))
    else:
        print(json.dumps(asdict(run_once(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None,
                                         floors="--floors" in sys.argv[3:]))))
