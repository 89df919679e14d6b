"""Adopting an existing account: build it in moto with boto3, generate with --adopt, plan imports only.

The account gets, by hand, what examples/github-oidc.yaml declares for IAM: the deploy role
(trust, tags, boundary) and its boundary policy. `iamforge generate --adopt` reads the account
through boto3 and writes imports.tf; the first `terraform plan` must then import those
resources and create none of them again.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from moto_server import MotoServer, moto, moto_servers, tf_cache_env, write_provider_override  # noqa: F401 (fixtures)

from generator.cli import main
from generator.policies import build
from generator.spec import load_spec
from generator.tools.terraform import TerraformRunner

pytestmark = [pytest.mark.terraform, pytest.mark.moto]


def test_adopt_plans_imports_and_no_creations_for_what_exists(
    tmp_path: Path, examples_dir: Path, terraform_bin: str, tf_plugin_dir: str | None, moto: MotoServer,
    tf_cache_env: dict, monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec_path = examples_dir / "github-oidc.yaml"
    spec = load_spec(spec_path)
    policies = build(spec)
    moto.reset()
    iam = moto.client("iam")
    role = spec.roles[0]
    boundary = policies.docs[f"boundary.{role.boundary}"]
    # A policy's description cannot change in place: an account whose description differs would see a
    # replacement in the plan (and the plan summary says so); this account matches the spec.
    made = iam.create_policy(PolicyName=boundary.name, Path="/iamforge/", Description=boundary.description,
                             PolicyDocument=json.dumps(boundary.document))
    assert made["Policy"]["Arn"] == spec.boundary_arn(role.boundary)
    iam.create_role(
        RoleName=role.name, Path=role.iam_path, Description=role.description, PermissionsBoundary=spec.boundary_arn(role.boundary),
        AssumeRolePolicyDocument=json.dumps(policies.trust_of(role.name).document),
        Tags=[{"Key": k, "Value": v} for k, v in sorted(role.tags.items())],
    )

    for key, value in moto.terraform_env(spec.account.home_region).items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", str(spec_path), "-o", str(out), "--adopt"])
    assert result.exit_code == 0, result.output
    imports = (out / "imports.tf").read_text()
    assert "import {" in imports and role.name in imports

    write_provider_override(out)
    env = {**moto.terraform_env(spec.account.home_region), **tf_cache_env}
    tf = TerraformRunner(out, terraform_bin=terraform_bin, plugin_dir=tf_plugin_dir, env=env)
    tf.init()
    plan = tf.plan().plan
    changes = {rc["address"]: rc for rc in plan["resource_changes"]}
    role_address = next(a for a in changes if a.endswith(f'aws_iam_role.this["{role.name}"]'))
    boundary_address = next(a for a in changes if a.endswith(f'aws_iam_policy.this["{role.boundary}"]'))
    for address in (role_address, boundary_address):
        change = changes[address]["change"]
        assert "importing" in change, f"{address} is not imported"
        assert "create" not in change["actions"], f"{address} would be created again"
    created = [a for a, rc in changes.items() if "create" in rc["change"]["actions"]]
    assert role_address not in created and boundary_address not in created
    moto.reset()
