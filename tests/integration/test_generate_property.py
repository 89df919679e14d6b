"""Any string in a role description reaches the generated files literally.

The Terraform side is parsed back with python-hcl2 (terraform-free); hcl2 returns a
quoted string's body undecoded, so ``decode_hcl`` applies HCL's escape rules (checked
against terraform's own parser in ``test_decoder_agrees_with_terraform``).
"""
from __future__ import annotations

import copy
import json
import os
import re
import subprocess
from pathlib import Path

import hcl2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.render import render
from generator.render.escape import hcl_string
from generator.spec import Spec, load_spec
from tests.conftest import REPO

ROLE_DEPT, ROLE_KEY, ROLE_NAME = "engineering", "developer", "engineering-developer"
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}

# Every Unicode character but lone surrogates (which no spec file can hold).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
TRICKY = [
    "${aws:username}",
    "$${x}",
    "$$${x}",
    "%{ if true }x%{ endif }",
    "%%{x}",
    'quote " backslash \\ end\\',
    "new\nline\r\ttab",
    "nul\x00bell\x07del\x7f",
    "sep\u2028para\u2029bom\ufeff",
    "emoji 😀 and 漢字",
    "| table | cell |",
    "<!-- comment -->",
    "trailing $",
    "\\u0041 is not A",
]


def decode_hcl(body: str) -> str:
    """Decode the body of an HCL quoted string (escapes, ``$${`` and ``%%{``)."""
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1]
            if nxt in _SIMPLE:
                out.append(_SIMPLE[nxt])
                i += 2
            elif nxt == "u":
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
            elif nxt == "U":
                out.append(chr(int(body[i + 2 : i + 10], 16)))
                i += 10
            else:
                raise ValueError(f"invalid escape \\{nxt}")
        elif body.startswith("$${", i) or body.startswith("%%{", i):
            out.append(body[i + 1 : i + 3])
            i += 3
        elif body.startswith("${", i) or body.startswith("%{", i):
            raise ValueError(f"unescaped template sequence at {i}: {body!r}")
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@pytest.fixture(scope="module")
def acme() -> Spec:
    return load_spec(REPO / "examples" / "acme.yaml")


def _with_description(spec: Spec, description: str) -> Spec:
    changed = copy.deepcopy(spec)
    changed.departments[ROLE_DEPT].roles[ROLE_KEY].description = description
    return changed


def _table_cells(line: str) -> list[str]:
    """Cells of a Markdown table row, honouring backslash-escaped pipes."""
    return [c for c in re.split(r"(?<!\\)\|", line)][1:-1]


def _check(spec: Spec, description: str) -> None:
    files = render(_with_description(spec, description))
    parsed = hcl2.loads(files["modules/roles/main.tf"])
    roles = parsed["locals"][0]["roles"]
    role = roles[0][ROLE_NAME] if isinstance(roles, list) else roles[ROLE_NAME]
    assert decode_hcl(role["description"]) == description
    readme = files["modules/roles/README.md"].splitlines()
    rows = [line for line in readme if line.startswith(f"| {ROLE_NAME} |")]
    assert len(rows) == 1, "the description broke the README table row"
    assert len(_table_cells(rows[0])) == 7


@given(description=TEXT)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_description_survives_generation(acme: Spec, description: str) -> None:
    _check(acme, description)


@pytest.mark.parametrize("description", TRICKY)
def test_tricky_descriptions_survive_generation(acme: Spec, description: str) -> None:
    _check(acme, description)


@pytest.mark.terraform
def test_decoder_agrees_with_terraform(terraform_bin: str, tmp_path: Path) -> None:
    """terraform's own parser reads every escaped string back as the original."""
    values = "[\n" + "".join(f"    {hcl_string(s)},\n" for s in TRICKY) + "  ]"
    (tmp_path / "main.tf").write_text(f'output "values" {{\n  value = {values}\n}}\n', encoding="utf-8")
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}

    def tf(*args: str) -> str:
        proc = subprocess.run(
            [terraform_bin, *args], cwd=tmp_path, capture_output=True, text=True, env=env, check=False, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    tf("init", "-input=false", "-no-color")
    tf("apply", "-auto-approve", "-input=false", "-no-color")
    assert json.loads(tf("output", "-json", "values")) == TRICKY
    assert [decode_hcl(hcl_string(s)[1:-1]) for s in TRICKY] == TRICKY
