"""The terraform runner against moto_server: apply, converge, destroy a small hand-written module."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from moto_server import MotoServer, moto, moto_servers, moto_terraform_env, tf_cache_env  # noqa: F401 (fixtures)
from moto_server import write_provider_override

from generator.errors import ToolError, UsageError
from generator.tools.terraform import TerraformRunner

pytestmark = [pytest.mark.terraform, pytest.mark.moto]

MODULE = """
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

provider "aws" {
  region = "us-east-1"
}

resource "aws_iam_role" "this" {
  name = "runner-demo"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
  tags = { Department = "Engineering" }
}

resource "aws_iam_policy" "this" {
  name = "runner-demo"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::demo/*" }]
  })
}

resource "aws_iam_role_policy_attachment" "this" {
  role       = aws_iam_role.this.name
  policy_arn = aws_iam_policy.this.arn
}
"""


@pytest.fixture
def module_dir(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(MODULE, encoding="utf-8")
    write_provider_override(root)
    return root


def test_apply_converges_then_destroy_leaves_nothing(
    module_dir: Path, terraform_bin: str, tf_plugin_dir: str | None, moto: MotoServer, moto_terraform_env: dict
) -> None:
    seen: list[tuple[int, int, str]] = []
    runner = TerraformRunner(module_dir, terraform_bin=terraform_bin, plugin_dir=tf_plugin_dir,
                             env=moto_terraform_env, progress=lambda d, t, a: seen.append((d, t, a)))
    runner.init()
    assert runner.validate() == []

    first = runner.plan()
    assert first.has_changes and first.plan_file.is_file()
    assert first.planned_count == 3
    result = runner.apply(first)
    assert (result.added, result.changed, result.destroyed) == (3, 0, 0)
    assert [s[:2] for s in seen] == [(1, 3), (2, 3), (3, 3)]
    assert {s[2] for s in seen} == {"aws_iam_role.this", "aws_iam_policy.this", "aws_iam_role_policy_attachment.this"}

    assert runner.plan().has_changes is False, "second plan must report no changes (no perpetual diff)"

    iam = moto.client("iam")
    role = iam.get_role(RoleName="runner-demo")["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    attached = iam.list_attached_role_policies(RoleName="runner-demo")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["runner-demo"]

    seen.clear()
    destroyed = runner.destroy()
    assert destroyed.destroyed == 3
    assert seen[-1][:2] == (3, 3)
    assert iam.list_roles()["Roles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_apply_error_carries_terraform_stderr(
    module_dir: Path, terraform_bin: str, tf_plugin_dir: str | None, moto: MotoServer, moto_terraform_env: dict
) -> None:
    moto.client("iam").create_role(RoleName="runner-demo", AssumeRolePolicyDocument="{}")
    runner = TerraformRunner(module_dir, terraform_bin=terraform_bin, plugin_dir=tf_plugin_dir, env=moto_terraform_env)
    runner.init()
    with pytest.raises(ToolError) as err:
        runner.apply(auto_approve=True)
    assert err.value.exit_code == 3
    assert err.value.returncode == 1
    assert "EntityAlreadyExists" in err.value.stderr


def test_apply_needs_plan_file_or_auto_approve(module_dir: Path, terraform_bin: str) -> None:
    runner = TerraformRunner(module_dir, terraform_bin=terraform_bin)
    with pytest.raises(UsageError, match="plan file or auto-approve"):
        runner.apply()
    with pytest.raises(UsageError, match="does not exist"):
        runner.apply("missing.tfplan")
