"""One gate: a spec `iamforge validate` passes generates Terraform `iamforge scan` (checkov) passes,
and what checkov would fail on a role's policy, validate already fails.

The specs are varied on purpose: the bundled examples, a 60-person company's baseline
(tests/fixtures/specs/team.yaml), and variants of it that turn on ABAC, delegation, the stacks
layout and privileged access, or grant on "*" what checkov fails.
"""
from __future__ import annotations

import copy
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from generator import api
from generator.findings import Severity
from generator.tools import deploy
from tests.conftest import REPO

pytestmark = pytest.mark.checkov

TEAM = yaml.safe_load((REPO / "tests" / "fixtures" / "specs" / "team.yaml").read_text(encoding="utf-8"))


def _variant(change: str) -> dict:
    spec = copy.deepcopy(TEAM)
    product = spec["departments"]["product"]
    if change == "abac":
        product["roles"]["engineer"]["abac"] = {"actions": ["dynamodb:GetItem", "dynamodb:PutItem", "s3:GetObject"]}
    elif change == "delegation":
        spec["boundaries"]["product"]["allow"].append(
            {"actions": ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PassRole",
                         "iam:GetRole", "iam:TagRole"], "resources": ["*"]})
        product["roles"]["engineer"]["can_create_roles"] = True
    elif change == "privileged":
        spec["privileged"] = {
            "break_glass": {"users": ["ivy"]},
            "apply": {"github_oidc": {"subject": "repo:northwind/iam:environment:production"},
                      "state": {"bucket": "northwind-tfstate", "key": "iamforge/terraform.tfstate"}},
            "plan": {"github_oidc": {"subjects": ["repo:northwind/iam:pull_request"]},
                     "state": {"bucket": "northwind-tfstate", "key": "iamforge/terraform.tfstate"}},
            "onboarding": {"users": ["jon"]},
        }
    elif change == "writes-on-star":
        product["roles"]["engineer"]["permissions"].append(
            {"sid": "AnyTable", "actions": ["dynamodb:PutItem"], "resources": ["*"]})
    elif change == "optional-resources-on-star":  # AWS lets these name no resource: PRV-011 warns
        spec["boundaries"]["product"]["allow"][0]["actions"].append("translate:TranslateText")
        product["roles"]["orders-function"]["permissions"].append(
            {"sid": "Translate", "actions": ["translate:TranslateText"], "resources": ["*"]})
    elif change == "every-object":
        product["roles"]["orders-function"]["permissions"].append(
            {"sid": "AnyObject", "actions": ["s3:GetObject"], "resources": ["*"]})
    elif change in ("reads-on-star", "reads-on-star-accepted"):
        product["roles"]["orders-function"]["permissions"].append(
            {"sid": "AnyItem", "actions": ["dynamodb:GetItem"], "resources": ["*"]})
        if change.endswith("accepted"):  # one entry waives the rule and checkov's check alike
            spec["exceptions"] = [{"rules": ["PRV-011", "CKV_AWS_355"], "path": "departments.product.roles.orders-function",
                                   "reason": "reads tables created per tenant at run time",
                                   "expires": date.today() + timedelta(days=90)}]
    return spec


CLEAN = ["acme", "github-oidc", "minimal", "privileged", "team", "team+abac", "team+delegation", "team+privileged",
         "team (stacks)", "team+reads-on-star-accepted", "team+optional-resources-on-star"]
CAUGHT = {"team+writes-on-star": "PRV-011", "team+reads-on-star": "PRV-011", "team+every-object": "PRV-010"}


def _write(name: str, tmp_path: Path) -> Path:
    if name in ("acme", "github-oidc", "minimal", "privileged"):
        return REPO / "examples" / f"{name}.yaml"
    base = name.split(" ")[0]
    spec = TEAM if base == "team" else _variant(base.split("+", 1)[1])
    path = tmp_path / "iamforge.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def _failed_checks(spec: Path, out: Path, layout: str | None) -> list[str]:
    api.generate(spec, out, layout=layout)
    folders = [out] if layout is None else sorted(p for p in (out / "stacks").iterdir() if p.is_dir())
    failed = []
    for folder in folders:
        report = deploy.scan(folder)
        failed += [f"{f.rule_id} {f.message}" for f in report.findings if not f.suppressed]
    return failed


@pytest.mark.parametrize("name", CLEAN)
def test_a_spec_validate_passes_is_one_checkov_passes(name: str, tmp_path: Path) -> None:
    spec = _write(name, tmp_path)
    errors = [f"{f.rule_id} {f.message}" for f in api.validate([spec]).findings
              if f.severity == Severity.ERROR and not f.suppressed]
    assert not errors, errors  # the corpus is of specs validate passes
    assert not _failed_checks(spec, tmp_path / "out", "stacks" if "stacks" in name else None)


@pytest.mark.parametrize("name", sorted(CAUGHT))
def test_what_checkov_fails_validate_fails_first(name: str, tmp_path: Path) -> None:
    spec = _write(name, tmp_path)
    errors = {f.rule_id for f in api.validate([spec]).findings if f.severity == Severity.ERROR and not f.suppressed}
    assert CAUGHT[name] in errors
