"""A wheel built from the repo, installed in a fresh venv, runs `iamforge validate` from another folder."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def wheel(repo, tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    # Build from a clean copy: setuptools leaves build/ behind, which must not leak stale files into the wheel.
    src = tmp_path_factory.mktemp("src") / "iamforge"
    shutil.copytree(repo, src, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__",
                                                             "modules_out", ".pytest_cache", ".hypothesis", ".terraform"))
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(src)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"wheel build failed:\n{proc.stderr}")
    return next(dist.glob("iamforge-*.whl"))


def test_wheel_ships_blueprints_and_rule_docs(wheel, repo):
    names = set(zipfile.ZipFile(wheel).namelist())
    blueprints = [p for p in (repo / "blueprints").rglob("*") if p.is_file()]
    assert blueprints, "the repo has blueprints"
    for path in blueprints:
        assert f"generator/blueprints/{path.relative_to(repo / 'blueprints').as_posix()}" in names
    assert "generator/starter.yaml" in names
    rule_docs = [p for p in (repo / "generator" / "rules").rglob("*.md")]
    for path in rule_docs:
        assert path.relative_to(repo).as_posix() in names


def test_installed_wheel_validates_from_another_folder(wheel, tmp_path, examples_dir):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    # Dependencies come from the test environment (no network needed): only iamforge itself is installed fresh.
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": ""}
    # The installed command reads the real clock: acme holds no exception, so any day will do.
    acme = elsewhere / "acme.yaml"
    shutil.copyfile(examples_dir / "acme.yaml", acme)
    proc = subprocess.run([str(venv / "bin" / "iamforge"), "validate", str(acme)],
                          cwd=elsewhere, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    located = subprocess.run([str(py), "-c", "import generator; print(generator.__file__)"], cwd=elsewhere,
                             capture_output=True, text=True, env=env)
    assert str(venv) in located.stdout, "the installed copy, not the repo, was imported"
    out = tmp_path / "out"
    proc = subprocess.run([str(venv / "bin" / "iamforge"), "generate", str(examples_dir / "minimal.yaml"), "-o", str(out)],
                          cwd=elsewhere, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "main.tf").exists()
