"""The terraform runner with the real binary but no AWS API: init, validate, errors, OpenTofu-style binaries."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from moto_server import tf_cache_env  # noqa: F401 (fixture)

from generator.errors import ToolError
from generator.tools.terraform import PLUGIN_DIR_ENV, TerraformRunner

pytestmark = pytest.mark.terraform

VALID = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

resource "aws_iam_group" "this" {
  name = "validate-demo"
}
"""


def _module(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(text, encoding="utf-8")
    return root


def test_validate_reports_diagnostics_as_findings(
    tmp_path: Path, terraform_bin: str, tf_plugin_dir: str | None, tf_cache_env: dict
) -> None:
    text = VALID + 'output "broken" {\n  value = aws_iam_group.missing.name\n}\n'
    root = _module(tmp_path, text)
    broken_line = text.splitlines().index("  value = aws_iam_group.missing.name") + 1
    runner = TerraformRunner(root, terraform_bin=terraform_bin, plugin_dir=tf_plugin_dir, env=tf_cache_env)
    runner.init(backend=False)
    findings = runner.validate()
    assert [(f.rule_id, f.source, f.severity.value, Path(f.file).name, f.line) for f in findings] == [
        ("TF-VALIDATE", "terraform", "error", "main.tf", broken_line)
    ]
    assert "undeclared resource" in findings[0].message


def test_init_failure_raises_tool_error_with_stderr(tmp_path: Path, terraform_bin: str) -> None:
    root = _module(tmp_path, VALID)
    empty_mirror = tmp_path / "mirror"
    empty_mirror.mkdir()
    runner = TerraformRunner(root, terraform_bin=terraform_bin, plugin_dir=empty_mirror)
    with pytest.raises(ToolError) as err:
        runner.init(backend=False)
    assert err.value.exit_code == 3
    assert "hashicorp/aws" in err.value.stderr


def test_plugin_dir_defaults_to_environment(
    tmp_path: Path, terraform_bin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PLUGIN_DIR_ENV, str(tmp_path))
    root = _module(tmp_path, VALID)
    assert TerraformRunner(root, terraform_bin=terraform_bin).plugin_dir == tmp_path
    assert TerraformRunner(root, terraform_bin=terraform_bin, plugin_dir=root).plugin_dir == root


def test_other_binary_name_works_like_opentofu(
    tmp_path: Path, terraform_bin: str, tf_plugin_dir: str | None, tf_cache_env: dict
) -> None:
    tofu = tmp_path / "bin" / "tofu"
    tofu.parent.mkdir()
    os.symlink(terraform_bin, tofu)
    root = _module(tmp_path, VALID)
    runner = TerraformRunner(root, terraform_bin=str(tofu), plugin_dir=tf_plugin_dir, env=tf_cache_env)
    assert runner.terraform_bin == str(tofu)
    assert runner.version().count(".") == 2
    runner.init(backend=False)
    assert runner.validate() == []
