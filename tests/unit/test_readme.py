"""README is the user's door: it must stay true to the commands and the generated output."""
from __future__ import annotations

import re

from generator.cli import main


def test_readme_lists_every_command(repo):
    readme = (repo / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"iamforge {name}" in readme, f"README does not mention `iamforge {name}`"


def test_readme_lists_every_checkov_suppression(repo):
    readme = (repo / "README.md").read_text(encoding="utf-8")
    table = (repo / "blueprints" / "SUPPRESSIONS.md").read_text(encoding="utf-8")
    rows = [line for line in table.splitlines() if re.match(r"\| CKV", line)]
    assert rows
    for row in rows:
        assert row in readme, f"README lacks the suppression row: {row}"


def test_readme_quickstart_has_the_two_commands(repo):
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    ci = (repo / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
