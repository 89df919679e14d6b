"""`generate --layout stacks`: what goes where, each document once, determinism, --check, deploy on a stack.

No terraform here: tests/integration/test_stacks.py runs fmt, validate, checkov and moto on the stacks.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import hcl2
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import UsageError
from generator.render import render
from generator.spec import load_spec, load_spec_text
from generator.tools.deploy import output_root, require_generated
from tests.conftest import EXAMPLES, REPO, example_specs

NAMES = [p.stem for p in example_specs()]
ACCOUNT_MODULES = ("access_analyzer", "boundaries", "cloudtrail", "mfa", "password_policy")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


_SHARED = re.compile(r'^\$\{local\.shared_documents\["([^"]+)"\]\}$')


def _locals(text: str) -> dict:
    """The ``locals`` of a generated main.tf (objects by key), as python-hcl2 reads them, with each
    reference to a shared document replaced by the document (which documents are shared differs
    between one root and the stacks; what each role holds must not)."""
    found = {k: v for block in hcl2.loads(text).get("locals", []) for k, v in block.items() if not k.startswith("__")}
    found = {k: v[0] if isinstance(v, list) else v for k, v in found.items()}  # bc-python-hcl2 wraps values
    shared = found.pop("shared_documents", {})
    for entries in found.values():
        for entry in entries.values() if isinstance(entries, dict) else ():
            for name, value in entry.items() if isinstance(entry, dict) else ():
                match = _SHARED.match(value) if isinstance(value, str) else None
                if match:
                    entry[name] = shared[match.group(1)]
    return found


@pytest.mark.parametrize("example", NAMES)
def test_account_modules_are_the_root_layouts_and_stacks_split_the_rest(example: str) -> None:
    spec = load_spec(EXAMPLES / f"{example}.yaml")
    root, stacks = render(spec), render(spec, layout="stacks")
    for path, text in root.items():
        if path.startswith("modules/") and path.split("/")[1] in ACCOUNT_MODULES:
            assert stacks[path] == text, f"{path} differs from the root layout's"
    assert not any(p.startswith("modules/departments/") or p.startswith("modules/roles/") for p in stacks)
    index = json.loads(stacks["stacks.json"])
    assert index["departments"] == list(spec.departments)
    assert {p.split("/")[1] for p in stacks if p.startswith("stacks/")} == {"baseline", *spec.departments}
    for stack in ["baseline", *spec.departments]:
        assert {f"stacks/{stack}/{f}" for f in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")} <= set(stacks)


@pytest.mark.parametrize("example", NAMES)
def test_every_role_group_and_policy_is_emitted_once_as_in_the_root_layout(example: str) -> None:
    """The department stacks together hold exactly the data (the map locals: roles, policies, groups,
    users, attachments) of the root layout's roles and departments modules, each entry in one stack."""
    spec = load_spec(EXAMPLES / f"{example}.yaml")
    root, stacks = render(spec), render(spec, layout="stacks")
    for module in ("roles", "departments"):
        path = f"modules/{module}/main.tf"
        if path not in root:
            continue
        want = {k: v for k, v in _locals(root[path]).items() if isinstance(v, dict)}
        got: dict[str, dict] = {k: {} for k in want}
        for dept in spec.departments:
            text = stacks.get(f"stacks/{dept}/{path}")
            for key, value in (_locals(text) if text else {}).items():
                if isinstance(value, dict):
                    assert not set(value) & set(got[key]), f"{key}: emitted in two stacks"
                    got[key].update(value)
        assert want and got == want


def test_github_oidc_provider_is_created_once_in_the_baseline() -> None:
    spec = load_spec(EXAMPLES / "acme.yaml")
    files = render(spec, layout="stacks")
    creators = [p for p, t in files.items() if 'resource "aws_iam_openid_connect_provider"' in t]
    assert creators == ["stacks/baseline/main.tf"]
    assert 'data "aws_iam_openid_connect_provider" "github"' in files["stacks/engineering/main.tf"]
    assert "aws_iam_openid_connect_provider" not in files["stacks/finance/main.tf"]


def test_department_stack_looks_up_only_what_it_uses() -> None:
    files = render(load_spec(EXAMPLES / "acme.yaml"), layout="stacks")
    engineering, security = files["stacks/engineering/main.tf"], files["stacks/security/main.tf"]
    assert "iamforge-boundary-engineering" in engineering and "iamforge-boundary-finance" not in engineering
    assert 'data "aws_iam_policy" "boundary"' not in security  # the security department has no boundary
    assert 'data "aws_iam_policy" "force_mfa"' in security
    assert "provider \"aws\" {\n  alias" not in engineering  # IAM only: no regional aliases


def test_spec_without_departments_has_only_the_baseline() -> None:
    files = render(load_spec(EXAMPLES / "minimal.yaml"), layout="stacks")
    assert json.loads(files["stacks.json"])["departments"] == []
    assert {p.split("/")[1] for p in files if p.startswith("stacks/")} == {"baseline"}


_DIGEST = (
    "import hashlib, json, sys\n"
    "from generator.spec import load_spec\n"
    "from generator.render import render\n"
    "files = render(load_spec(sys.argv[1]), layout='stacks')\n"
    "print(json.dumps({k: hashlib.sha256(v.encode()).hexdigest() for k, v in files.items()}, sort_keys=True))\n"
)


def test_stacks_are_byte_identical_across_processes() -> None:
    spec_path = EXAMPLES / "acme.yaml"
    digests = []
    for seed in ("1", "4242"):
        proc = subprocess.run([sys.executable, "-c", _DIGEST, str(spec_path)], cwd=REPO, capture_output=True,
                              text=True, env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        digests.append(json.loads(proc.stdout))
    here = {k: hashlib.sha256(v.encode()).hexdigest() for k, v in render(load_spec(spec_path), layout="stacks").items()}
    assert digests[0] == digests[1] == here


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_check_keeps_the_folder_layout_and_a_switch_is_refused(tmp_path: Path) -> None:
    spec, out = str(EXAMPLES / "acme.yaml"), tmp_path / "out"
    assert run("generate", spec, "-o", str(out), "--layout", "stacks").exit_code == 0
    manifest = json.loads((out / ".iamforge-manifest.json").read_text())["files"]
    assert "stacks/engineering/modules/roles/main.tf" in manifest and "stacks.json" in manifest
    assert run("generate", spec, "-o", str(out), "--layout", "stacks", "--check").exit_code == 0
    assert run("generate", spec, "-o", str(out), "--check").exit_code == 0  # without --layout: the folder's own
    (out / "stacks" / "finance" / "main.tf").write_text("# edited\n")
    edited = run("generate", spec, "-o", str(out), "--check")
    assert edited.exit_code == 1 and "differs: stacks/finance/main.tf" in edited.output
    assert f"iamforge generate {spec} -o {out} --layout stacks" in edited.output
    # The other layout would strand the resources in the stacks' states: refused, nothing touched.
    before = _tree(out)
    switched = run("generate", spec, "-o", str(out), "--layout", "root")
    assert switched.exit_code == 2 and "holds --layout stacks output" in switched.output
    assert "terraform state" in switched.output
    assert _tree(out) == before
    # A new folder gets the root layout, and keeps it.
    root = tmp_path / "root"
    assert run("generate", spec, "-o", str(root)).exit_code == 0
    assert (root / "main.tf").is_file() and not (root / "stacks.json").exists()
    assert run("generate", spec, "-o", str(root), "--check").exit_code == 0
    refused = run("generate", spec, "-o", str(root), "--layout", "stacks", "--check")
    assert refused.exit_code == 2 and "holds --layout root output" in refused.output


def test_department_named_baseline_is_refused(tmp_path: Path) -> None:
    text = (EXAMPLES / "github-oidc.yaml").read_text(encoding="utf-8").replace("platform", "baseline")
    spec = load_spec_text(text, "clash.yaml")
    with pytest.raises(UsageError, match="stacks/baseline"):
        render(spec, layout="stacks")
    render(spec)  # the root layout has no such folder
    path = tmp_path / "clash.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("generate", str(path), "-o", str(tmp_path / "out"), "--layout", "stacks")
    assert result.exit_code == 2 and "rename the department" in result.output


def test_adopt_goes_with_the_root_layout(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("generate", str(EXAMPLES / "acme.yaml"), "-o", str(out), "--layout", "stacks", "--adopt")
    assert result.exit_code == 2 and "goes with the root layout" in result.output
    assert run("generate", str(EXAMPLES / "acme.yaml"), "-o", str(out), "--layout", "stacks").exit_code == 0
    detected = run("generate", str(EXAMPLES / "acme.yaml"), "-o", str(out), "--adopt",
                   "--authorization-details", str(tmp_path / "details.json"))
    assert detected.exit_code == 2
    assert f"{out} holds --layout stacks output; adopt into another folder" in detected.output


def test_deploy_verbs_find_the_output_of_a_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    assert run("generate", str(EXAMPLES / "acme.yaml"), "-o", str(out), "--layout", "stacks").exit_code == 0
    monkeypatch.chdir(tmp_path)
    assert output_root(Path("out/stacks/engineering")) == Path("out")
    assert output_root(Path("out")) == Path("out")
    require_generated(Path("out/stacks/baseline"))
    (out / "modules" / "mfa" / "main.tf").write_text("# replaced by hand\n")
    result = run("plan", "-o", "out/stacks/baseline")
    assert result.exit_code == 2, result.output
    assert "out: modules/mfa/main.tf changed since iamforge generated it" in result.output
    assert "iamforge generate SPEC -o out --layout stacks" in result.output
    # Terraform of the user's own inside the output is not the output's.
    own = out / "mine"
    own.mkdir()
    (own / "main.tf").write_text("# mine\n")
    assert output_root(own) == own
