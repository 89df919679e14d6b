"""The locked development environment (requirements/): complete, exact, hashed, within the ranges,
and what the Makefile and the CI recipes install."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
LOCKS = REPO / "requirements"


def read_entries(path: Path) -> list[tuple[Requirement, list[str]]]:
    """(requirement with its marker, hashes) for each entry of a `make lock` file. The lock is
    universal: a package may have one entry per range of Python versions, each with a marker."""
    text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            spec, *hashes = line.split(" --hash=")
            out.append((Requirement(spec.strip()), [h.strip() for h in hashes]))
    return out


def read_lock(path: Path) -> dict[str, tuple[Requirement, list[str]]]:
    """name -> the one entry that applies to this interpreter."""
    out: dict[str, tuple[Requirement, list[str]]] = {}
    for req, hashes in read_entries(path):
        if req.marker is None or req.marker.evaluate():
            name = canonicalize_name(req.name)
            assert name not in out, f"{path.name}: two entries of {name} apply to this Python"
            out[name] = (req, hashes)
    return out


def pyproject_requirements(*extras: str) -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in extras:
        reqs += project["optional-dependencies"][extra]
    return [Requirement(r) for r in reqs]


def pinned(req: Requirement) -> str:
    (spec,) = req.specifier
    assert spec.operator == "==", f"{req} is not an exact pin"
    return spec.version


@pytest.mark.parametrize("name", ["dev.txt", "runtime.txt"])
def test_every_entry_is_an_exact_version_with_hashes(name):
    entries = read_entries(LOCKS / name)
    assert entries
    for req, hashes in entries:
        pinned(req)
        assert hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), req


def test_dev_lock_holds_every_range_of_pyproject_with_a_version_inside_it():
    entries = read_entries(LOCKS / "dev.txt")
    for req in pyproject_requirements("dev", "bench"):
        locked = [r for r, _ in entries if canonicalize_name(r.name) == canonicalize_name(req.name)]
        assert locked, f"{req.name} missing from the lock"
        for entry in locked:  # every Python's entry, not only this one's
            assert req.specifier.contains(pinned(entry), prereleases=True), f"lock has {entry}, pyproject asks {req}"
    lock = read_lock(LOCKS / "dev.txt")
    for tool in ("pip", "uv", "setuptools", "wheel", "pytest", "moto", "parliament", "checkov"):
        assert tool in lock, f"{tool} missing from the lock"


def test_runtime_lock_agrees_with_the_dev_lock_and_can_build_iamforge():
    dev, runtime = read_lock(LOCKS / "dev.txt"), read_lock(LOCKS / "runtime.txt")
    for req in pyproject_requirements():
        assert canonicalize_name(req.name) in runtime, req
    for name, (req, _) in runtime.items():
        assert pinned(req) == pinned(dev[name][0]), f"{name}: runtime.txt and dev.txt differ"
    build = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    for req in map(Requirement, build):
        assert req.specifier.contains(pinned(runtime[canonicalize_name(req.name)][0])), req


def test_makefile_installs_only_from_the_lock():
    make = (REPO / "Makefile").read_text(encoding="utf-8")
    stamp = make.split("$(STAMP):", 1)[1].split("\n\n", 1)[0]
    installs = [line for line in stamp.splitlines() if "pip install" in line]
    assert installs and all("--no-deps" in line for line in installs), installs
    assert "--require-hashes -r $(LOCK)" in stamp


@pytest.mark.parametrize("workflow", sorted((REPO / "examples" / "ci").glob("*.yml")), ids=lambda p: p.name)
def test_ci_recipes_install_a_pinned_iamforge(workflow):
    doc = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    assert re.fullmatch(r"[0-9a-f]{40}", doc["env"]["IAMFORGE_REF"]), "a full commit id, not a branch or tag"
    for name, job in doc["jobs"].items():
        runs = "\n".join(str(step.get("run", "")) for step in job["steps"])
        if not re.search(r"^\s*iamforge ", runs, re.M):
            continue
        installs = [line.strip() for line in runs.splitlines() if "pip install" in line]
        assert installs, f"{name} runs iamforge without installing it"
        assert all("--no-deps" in line for line in installs), (name, installs)
        assert any("--require-hashes" in line for line in installs), (name, installs)
        assert any("@$IAMFORGE_REF" in line and "--no-build-isolation" in line for line in installs), (name, installs)
