"""examples/ci/iamforge.yml: valid YAML, and every iamforge command it runs exists with those options."""
from __future__ import annotations

import shlex
from pathlib import Path

import click
import yaml

from generator.cli import main

WORKFLOW = Path(__file__).resolve().parents[2] / "examples" / "ci" / "iamforge.yml"


def iamforge_calls() -> list[list[str]]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    calls = []
    for job in doc["jobs"].values():
        for step in job["steps"]:
            for line in str(step.get("run", "")).splitlines():
                words = shlex.split(line.split(">")[0])
                if words[:1] == ["iamforge"]:
                    calls.append(words[1:])
    return calls


def test_workflow_uses_real_commands_and_options() -> None:
    calls = iamforge_calls()
    assert {c[0] for c in calls} >= {"validate", "generate", "scan", "plan", "apply"}
    for call in calls:
        command = main.get_command(click.Context(main), call[0])
        assert command is not None, f"no command iamforge {call[0]}"
        known = {opt for p in command.params for opt in p.opts}
        used = {w for w in call[1:] if w.startswith("-")}
        assert used <= known, f"iamforge {call[0]}: unknown options {used - known}"


def test_workflow_uploads_sarif_comments_plan_and_applies_on_main() -> None:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    uses = [s.get("uses", "") for job in doc["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert doc["jobs"]["plan"]["permissions"]["pull-requests"] == "write"
    assert "refs/heads/main" in doc["jobs"]["apply"]["if"]
    assert ["generate", "$SPEC", "-o", "$OUT", "--check"] in iamforge_calls()
