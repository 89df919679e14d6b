"""The CLI through click's CliRunner: commands, formats, exit codes, bad input."""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import yaml
from click.testing import CliRunner

from generator import __version__
from generator.cli import main

BAD_INPUTS = {
    "duplicate": ('version: 1\naccount:\n  id: "111122223333"\n  regions: [us-east-1]\nmfa:\n  enforce: true\n  enforce: false\n', 7),
    "octal_id": ("version: 1\naccount:\n  id: 011122223333\n  regions: [us-east-1]\n", 3),
    "norway": ('version: 1\naccount:\n  id: "111122223333"\n  regions: [us-east-1]\ndepartments:\n  eng:\n    tag_value: NO\n    owner: a@b.c\n', 7),
    "date": ('version: 1\naccount:\n  id: "111122223333"\n  regions: [us-east-1]\ndepartments:\n  eng:\n    tag_value: 2024-05-01\n    owner: a@b.c\n', 7),
    "unknown_key": ('version: 1\naccount:\n  id: "111122223333"\n  regions: [us-east-1]\nmfa:\n  enforc: true\n', 6),
    "alias_bomb": (
        'a: &a ["l","l","l","l","l","l","l","l","l","l"]\n'
        + "".join(f"{c}: &{c} [" + ",".join([f"*{p}"] * 10) + "]\n" for p, c in zip("abcdefgh", "bcdefghi")),
        None,
    ),
    "deep": ("a: " + "[" * 100 + "]" * 100 + "\n", 1),
    "empty": ("", 1),
    "syntax": ('version: 1\naccount: {id: "1"\n', None),
}


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_python_dash_m(repo):
    proc = subprocess.run([sys.executable, "-m", "generator", "--version"], capture_output=True, text=True, cwd=repo)
    assert proc.returncode == 0 and __version__ in proc.stdout


def test_validate_examples_exit_0(examples_dir):
    specs = [str(p) for p in sorted(examples_dir.glob("*.yaml"))]
    result = run("validate", *specs)
    assert result.exit_code == 0, result.output
    assert f"{len(specs)} file(s) checked: 0 error(s)" in result.output


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exits_1_with_line_no_traceback(tmp_path, name):
    text, line = BAD_INPUTS[name]
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(text)
    out = tmp_path / "out"
    for args in (["validate", str(spec)], ["generate", str(spec), "-o", str(out)]):
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        first = [ln for ln in result.output.splitlines() if ln.startswith(str(spec))][0]
        file_, line_no, col, rest = first.split(":", 3)
        assert int(line_no) >= 1 and rest.strip().split()[0].startswith("SCHEMA-")
        if line is not None:
            assert int(line_no) == line
    assert not out.exists(), "nothing may be written for an invalid spec"


def test_binary_input(tmp_path):
    spec = tmp_path / "bin.yaml"
    spec.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = run("validate", str(spec))
    assert result.exit_code == 1 and "binary" in result.output


def test_missing_file_is_usage_error(tmp_path):
    result = run("validate", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2 and "no such file" in result.output


def test_bad_option_is_usage_error(examples_dir):
    assert run("validate", "--format", "xml", str(examples_dir / "acme.yaml")).exit_code == 2
    assert run("validate").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_json_format_contract(examples_dir, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text('version: 1\naccount:\n  id: "111122223333"\n  regions: [us-east-1]\nmfa:\n  enforc: true\n')
    result = run("validate", "--format", "json", str(spec))
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["summary"]["error"] == 1
    f = doc["findings"][0]
    assert (f["rule_id"], f["severity"], f["path"], f["line"], f["column"]) == ("SCHEMA-005", "error", "mfa.enforc", 6, 3)
    assert f["file"] == str(spec)


def test_output_file_and_formats(examples_dir, tmp_path):
    acme = str(examples_dir / "acme.yaml")
    for fmt in ("json", "sarif", "junit", "text"):
        out = tmp_path / f"report.{fmt}"
        result = run("validate", "--format", fmt, "--output", str(out), acme)
        assert result.exit_code == 0, result.output
        body = out.read_text()
        if fmt in ("json", "sarif"):
            json.loads(body)
        elif fmt == "junit":
            ET.fromstring(body)
    result = run("validate", "--output", str(tmp_path / "no" / "such" / "dir.txt"), acme)
    assert result.exit_code == 2


def test_fail_on_threshold(examples_dir):
    acme = str(examples_dir / "acme.yaml")
    doc = json.loads(run("validate", "--format", "json", acme).output)
    lowest = [s for s in ("warning", "info") if doc["summary"][s]]
    if not lowest:
        pytest.skip("acme.yaml has no warning or info findings to threshold on")
    assert run("validate", "--fail-on", lowest[0], acme).exit_code == 1
    assert run("validate", "--fail-on", "error", acme).exit_code == 0


def test_as_of_judges_the_exceptions_on_that_day(repo):
    acme = str(repo / "docs" / "examples" / "exceptions.yaml")  # its PRV-005 exception expires on 2027-06-30
    assert run("validate", "--as-of", "2027-06-30", acme).exit_code == 0
    late = run("validate", "--as-of", "2027-07-01", "--format", "json", acme)
    assert late.exit_code == 1
    rules = {f["rule_id"] for f in json.loads(late.output)["findings"] if not f.get("suppressed")}
    assert {"SPEC-020", "PRV-005"} <= rules
    bad = run("validate", "--as-of", "2027-13-01", acme)
    assert bad.exit_code == 2 and "--as-of" in bad.output
    # An earlier day would revive expired exceptions: refused (today is pinned to AS_OF here).
    past = run("validate", "--as-of", "2026-11-28", acme)
    assert past.exit_code == 2 and "before today" in past.output
    assert run("generate", acme, "-o", "unused", "--as-of", "2020-01-01").exit_code == 2


@pytest.mark.parametrize("name", ["acme.yaml", "github-oidc.yaml", "minimal.yaml"])
def test_examples_readme_points_to_never_expire(examples_dir, name):
    """The examples README sends users to validate hold no exception: they pass on any later day."""
    spec = str(examples_dir / name)
    for day in ("2029-12-06", "2099-12-31"):
        result = run("validate", "--as-of", day, "--format", "json", spec)
        assert result.exit_code == 0, result.output
    assert "exceptions" not in yaml.safe_load((examples_dir / name).read_text(encoding="utf-8"))


def test_exceptions_example_waives_one_finding_until_it_expires(repo):
    spec = str(repo / "docs" / "examples" / "exceptions.yaml")
    doc = json.loads(run("validate", "--format", "json", spec).output)  # on AS_OF
    waived = [f for f in doc["findings"] if f["suppressed"]]
    assert [(f["rule_id"], f["path"]) for f in waived] == [("PRV-005", "departments.platform.roles.deploy")]
    assert doc["summary"]["error"] == 0


def test_init_writes_valid_starter(tmp_path):
    target = tmp_path / "spec.yaml"
    result = run("init", str(target))
    assert result.exit_code == 0 and target.exists()
    assert run("validate", str(target)).exit_code == 0
    again = run("init", str(target))
    assert again.exit_code == 2 and "already exists" in again.output


def test_schema_markdown():
    result = run("schema", "--format", "markdown")
    assert result.exit_code == 0 and "| `account.id` |" in result.output


def test_generate_to_unwritable_place_is_usage_error(tmp_path, examples_dir):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    result = run("generate", str(examples_dir / "minimal.yaml"), "-o", str(blocker / "sub"))
    assert result.exit_code == 2 and "cannot write" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_generated_folder_has_the_usual_mode(tmp_path, examples_dir):
    import os

    out = tmp_path / "out"
    assert run("generate", str(examples_dir / "minimal.yaml"), "-o", str(out)).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask


def test_no_example_nor_the_starter_grants_what_its_own_boundary_forbids(tmp_path) -> None:
    """The first run a user ever does says nothing of dead grants (PB-008) in what we ship."""
    from conftest import example_specs

    from generator import api

    starter = tmp_path / "iamforge.yaml"
    api.init(starter)
    for spec in [*example_specs(), starter]:
        dead = [f.message for f in api.validate([spec]).findings if f.rule_id == "PB-008"]
        assert not dead, (spec.name, dead)
