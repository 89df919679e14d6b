"""`iamforge plan`, `apply` and `destroy` through the CLI, against moto_server."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from moto_server import MotoServer, moto, moto_servers, moto_terraform_env, tf_cache_env  # noqa: F401 (fixtures)
from moto_server import write_provider_override
from test_runner import MODULE

from generator.cli import main

pytestmark = [pytest.mark.terraform, pytest.mark.moto]


def test_plan_apply_destroy_commands(tmp_path: Path, terraform_bin: str, tf_plugin_dir: str | None,
                                     moto: MotoServer, moto_terraform_env: dict) -> None:
    root = tmp_path / "out"
    root.mkdir()
    (root / "main.tf").write_text(MODULE, encoding="utf-8")
    write_provider_override(root)
    env = {**moto_terraform_env, "IAMFORGE_TERRAFORM_BIN": terraform_bin}
    if tf_plugin_dir:
        env["IAMFORGE_TF_PLUGIN_DIR"] = tf_plugin_dir
    cli = CliRunner(env=env)

    planned = cli.invoke(main, ["plan", "-o", str(root), "--format", "json"])
    assert planned.exit_code == 0, planned.output
    doc = json.loads(planned.output)
    assert doc["has_changes"] is True and doc["counts"]["create"] == 3
    assert [(a["principal"], a["policy"]) for a in doc["attachments"]] == [("role runner-demo", "runner-demo")]
    gains = doc["principals"]["role runner-demo"]["gains"]
    assert {(g["via"], tuple(g["actions"])) for g in gains} == {
        ("runner-demo", ("s3:GetObject",)), ("trust policy of role runner-demo", ("sts:AssumeRole",))}

    applied = cli.invoke(main, ["apply", "-o", str(root), "--plan-file", "iamforge.tfplan"])
    assert applied.exit_code == 0, applied.output
    assert "3 added" in applied.output
    assert moto.client("iam").get_role(RoleName="runner-demo")["Role"]["RoleName"] == "runner-demo"

    declined = cli.invoke(main, ["destroy", "-o", str(root)], input="n\n")
    assert declined.exit_code == 2 and "cancelled" in declined.output
    assert moto.client("iam").list_roles()["Roles"] != []

    destroyed = cli.invoke(main, ["destroy", "-o", str(root)], input="y\n")
    assert destroyed.exit_code == 0, destroyed.output
    assert "- runner-demo" in destroyed.output and "3 destroyed" in destroyed.output
    assert moto.client("iam").list_roles()["Roles"] == []


def test_missing_terraform_exits_3(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MODULE, encoding="utf-8")
    result = CliRunner().invoke(main, ["plan", "-o", str(tmp_path), "--terraform-bin", str(tmp_path / "nope")])
    assert result.exit_code == 3
    assert "Install Terraform" in result.output


def test_local_try_out_applies_what_moto_takes_and_says_what_it_leaves_out(
        tmp_path: Path, terraform_bin: str, tf_plugin_dir: str | None, moto: MotoServer,
        moto_terraform_env: dict) -> None:
    """README's try-out without an AWS account: generate, then apply and destroy with --local-api."""
    from tests.conftest import REPO

    moto.reset()
    out = tmp_path / "out"
    env = {**moto_terraform_env, "IAMFORGE_TERRAFORM_BIN": terraform_bin}
    if tf_plugin_dir:
        env["IAMFORGE_TF_PLUGIN_DIR"] = tf_plugin_dir
    cli = CliRunner(env=env)
    assert cli.invoke(main, ["generate", str(REPO / "examples" / "minimal.yaml"), "-o", str(out)]).exit_code == 0
    applied = cli.invoke(main, ["apply", "-o", str(out), "--auto-approve", "--local-api"])
    assert applied.exit_code == 0, applied.output
    assert "leaving out module.access_analyzer: moto has no IAM Access Analyzer API" in applied.output
    assert "apply complete" in applied.output and "apply: " in applied.output  # progress lines, not a terminal
    assert moto.client("cloudtrail").describe_trails()["trailList"]
    assert moto.client("iam").get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] >= 14
    unset = cli.invoke(main, ["plan", "-o", str(out), "--local-api"], env={"AWS_ENDPOINT_URL": ""})
    assert unset.exit_code == 2 and "AWS_ENDPOINT_URL" in unset.output
    destroyed = cli.invoke(main, ["destroy", "-o", str(out), "--auto-approve", "--local-api"])
    assert destroyed.exit_code == 0, destroyed.output
