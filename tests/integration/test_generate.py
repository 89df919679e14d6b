"""Generated Terraform for every example: golden files, determinism, terraform, checkov.

terraform tests run wherever terraform is installed (offline with IAMFORGE_TF_PLUGIN_DIR)
and skip with the reason elsewhere; each example is initialised once and shared.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.render import generate, render
from generator.spec import load_spec
from tests.conftest import REPO, example_specs

GOLDEN = REPO / "tests" / "golden"
EXAMPLES = [p.stem for p in example_specs()]


def _env() -> dict[str, str]:
    # No user CLI config (it could point at a network mirror); no checkpoint calls.
    return {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env={**_env(), **(env or {})}, check=False,
                          timeout=300)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".terraform" not in p.relative_to(root).parts and p.name != ".terraform.lock.hcl"
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each example generated once into its own folder."""
    base = tmp_path_factory.mktemp("generated")
    out = {}
    for spec_path in example_specs():
        target = base / spec_path.stem
        generate(load_spec(spec_path), target)
        out[spec_path.stem] = target
    return out


@pytest.fixture(scope="module")
def initialised(generated: dict[str, Path], terraform_bin: str, tf_plugin_dir: str | None) -> dict[str, Path]:
    """Each example after `terraform init -backend=false` (offline with the plugin dir)."""
    for folder in generated.values():
        terraform_init(folder, terraform_bin, tf_plugin_dir)
    return generated


def terraform_init(folder: Path, terraform_bin: str, tf_plugin_dir: str | None, env: dict[str, str] | None = None) -> None:
    """`terraform init -backend=false` in a root module (offline with the plugin dir; ``env`` added)."""
    args = [terraform_bin, "init", "-backend=false", "-input=false", "-no-color"]
    if tf_plugin_dir:
        args.append(f"-plugin-dir={tf_plugin_dir}")
    proc = _run(args, folder, env)
    assert proc.returncode == 0, f"{folder}: terraform init failed\n{proc.stderr}"


def assert_fmt_clean(folder: Path, terraform_bin: str) -> None:
    """`terraform fmt -check -recursive`: no file of the output would change."""
    proc = _run([terraform_bin, "fmt", "-check", "-recursive", "-diff", "-no-color"], folder)
    assert proc.returncode == 0, f"{folder}: terraform fmt would change files\n{proc.stdout}{proc.stderr}"


def assert_valid(folder: Path, terraform_bin: str) -> None:
    """`terraform validate` of an initialised root module: valid, with no error or warning."""
    proc = _run([terraform_bin, "validate", "-json", "-no-color"], folder)
    result = json.loads(proc.stdout)
    problems = [d for d in result.get("diagnostics", []) if d.get("severity") in ("error", "warning")]
    assert result["valid"] and not problems, f"{folder}: {json.dumps(problems, indent=2)}"


def assert_checkov_clean(folder: Path) -> None:
    """checkov on a generated output: no failed check, no parsing error, and the IAM checks really ran."""
    checkov = shutil.which("checkov", path=str(Path(sys.executable).parent)) or shutil.which("checkov")
    if not checkov:
        pytest.skip("checkov is not installed")
    proc = subprocess.run(
        [checkov, "-d", str(folder), "--framework", "terraform", "--skip-download", "-o", "json"],
        capture_output=True, text=True, check=False, timeout=300,
    )
    report = json.loads(proc.stdout)
    failed = [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
    assert not failed, failed
    assert report["summary"]["parsing_errors"] == 0
    # Guard against a vacuous pass: the IAM checks really ran on the generated policies.
    passed = {c["check_id"] for c in report["results"]["passed_checks"]}
    assert {"CKV_AWS_60", "CKV_AWS_9", "CKV_AWS_67"} <= passed


@pytest.mark.parametrize("example", EXAMPLES)
def test_golden(example: str, generated: dict[str, Path], update_golden: bool) -> None:
    actual = _tree(generated[example])
    golden_dir = GOLDEN / example
    if update_golden:
        shutil.rmtree(golden_dir, ignore_errors=True)
        for rel, data in actual.items():
            (golden_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden_dir / rel).write_bytes(data)
        return
    assert golden_dir.is_dir(), f"no golden output for {example}: run pytest --update-golden"
    expected = _tree(golden_dir)
    assert sorted(actual) == sorted(expected), "generated file list differs from golden (pytest --update-golden)"
    for rel in expected:
        assert actual[rel].decode() == expected[rel].decode(), f"{example}/{rel} differs from golden"


def test_every_example_has_golden_output() -> None:
    owned = [*EXAMPLES, "organization"]  # examples/organization/: test_organization.py's golden output
    stale = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir() and p.name not in owned) if GOLDEN.is_dir() else []
    assert not stale, f"golden output without an example: {stale}"


_DIGEST = (
    "import hashlib, json, sys\n"
    "from generator.spec import load_spec\n"
    "from generator.render import render\n"
    "files = render(load_spec(sys.argv[1]))\n"
    "print(json.dumps({k: hashlib.sha256(v.encode()).hexdigest() for k, v in files.items()}, sort_keys=True))\n"
)


@pytest.mark.parametrize("example", EXAMPLES)
def test_output_is_byte_identical_across_processes(example: str) -> None:
    """Two fresh interpreters with different hash seeds render the same bytes as this one."""
    spec_path = REPO / "examples" / f"{example}.yaml"
    digests = []
    for seed in ("1", "4242"):
        proc = subprocess.run(
            [sys.executable, "-c", _DIGEST, str(spec_path)],
            cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
        )
        digests.append(json.loads(proc.stdout))
    import hashlib

    here = {k: hashlib.sha256(v.encode()).hexdigest() for k, v in render(load_spec(spec_path)).items()}
    assert digests[0] == digests[1] == here


@pytest.mark.terraform
def test_terraform_fmt_clean(generated: dict[str, Path], terraform_bin: str) -> None:
    for folder in generated.values():
        assert_fmt_clean(folder, terraform_bin)


@pytest.mark.terraform
@pytest.mark.parametrize("example", EXAMPLES)
def test_terraform_validate(example: str, initialised: dict[str, Path], terraform_bin: str) -> None:
    assert_valid(initialised[example], terraform_bin)


@pytest.mark.checkov
@pytest.mark.parametrize("example", EXAMPLES)
def test_checkov_reports_no_failed_checks(example: str, generated: dict[str, Path]) -> None:
    assert_checkov_clean(generated[example])
