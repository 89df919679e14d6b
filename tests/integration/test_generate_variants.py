"""Spec features the bundled examples leave out still generate valid Terraform.

Each variant turns on (or off) what no example covers: archive rules, the unused-access
analyzer, Insights, service-principal and wildcard-OIDC trust, group permissions, an
existing KMS key, no CloudWatch Logs, CloudTrail and MFA disabled.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from generator.render import generate, render
from generator.spec import load_spec_text

EVERYTHING = """
version: 1
account: {id: "111122223333", alias: acme-all, regions: [eu-central-1, ap-southeast-2, us-west-2]}
tags: {abac_key: team, required: [team, Owner], common: {ManagedBy: iamforge, "cost-center": "42"}}
boundaries:
  apps:
    description: 'Ceiling with "quotes", a backslash \\ and ${aws:username}'
    allow:
      - actions: ["s3:GetObject", "s3:PutObject", "lambda:InvokeFunction", "sqs:SendMessage"]
        resources: ["*"]
    regions: [eu-central-1]
departments:
  apps:
    tag_value: Apps
    boundary: apps
    owner: apps@acme.example
    users: [dora, "eve.smith"]
    permissions:
      - sid: ReadOwnBucket
        actions: ["s3:GetObject"]
        resources: ["arn:aws:s3:::acme-apps/home/${aws:username}/*"]
    roles:
      worker:
        description: "Runs jobs: 100% automated %{ not a directive }"
        trust:
          services: [lambda.amazonaws.com, ecs-tasks.amazonaws.com]
        permissions:
          - actions: ["sqs:SendMessage"]
            resources: ["arn:aws:sqs:eu-central-1:111122223333:jobs"]
      release:
        trust:
          github_oidc:
            subjects: ["repo:acme/app:ref:refs/tags/v*", "repo:acme/app:environment:prod"]
        permissions:
          - actions: ["lambda:UpdateFunctionCode"]
            resources: ["arn:aws:lambda:eu-central-1:111122223333:function:app-*"]
access_analyzer:
  unused_access: {enabled: true, unused_access_age_days: 60}
  archive_rules:
    - name: ignore-org-buckets
      filter:
        resourceType: {eq: ["AWS::S3::Bucket"]}
        isPublic: {eq: ["false"]}
    - name: ignore-errors
      filter:
        error: {exists: true}
cloudtrail:
  name: all-trail
  insights: true
  alarms: {email: sec@acme.example}
"""

EXTERNAL_KEY = """
version: 1
account: {id: "111122223333", regions: [us-east-2]}
mfa: {enforce: false}
access_analyzer:
  external_access: false
  unused_access: {enabled: true}
cloudtrail:
  kms: {create: false, key_arn: "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
  cloudwatch_logs: {enabled: false}
  alarms: {cis: false}
"""

NO_TRAIL = """
version: 1
account: {id: "111122223333", regions: [us-east-1]}
mfa: {enforce: false}
access_analyzer: {external_access: false}
cloudtrail: {enabled: false}
"""

VARIANTS = {"everything": EVERYTHING, "external-key": EXTERNAL_KEY, "no-trail": NO_TRAIL}


def _env() -> dict[str, str]:
    return {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=_env(), check=False, timeout=300)


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("variants")
    out = {}
    for name, text in VARIANTS.items():
        generate(load_spec_text(text, f"{name}.yaml"), base / name)
        out[name] = base / name
    return out


def test_everything_variant_emits_each_optional_part() -> None:
    files = render(load_spec_text(EVERYTHING, "everything.yaml"))
    analyzer = files["modules/access_analyzer/main.tf"]
    assert analyzer.count('resource "aws_accessanalyzer_analyzer"') == 4  # 3 regions + unused access
    assert 'resource "aws_accessanalyzer_archive_rule" "ap_southeast_2"' in analyzer
    assert 'exists   = filter.value.exists' in analyzer and 'exists   = "true"' in analyzer
    trail = files["modules/cloudtrail/main.tf"]
    assert 'insight_type = "ApiCallRateInsight"' in trail
    assert 'resource "aws_sns_topic_subscription" "email"' in trail
    roles = files["modules/roles/main.tf"]
    assert "aws_iam_openid_connect_provider" in roles and "StringLike" in roles
    assert "$${aws:username}" in files["modules/departments/main.tf"]
    assert "%%{ not a directive }" in roles


def test_disabled_parts_are_left_out() -> None:
    files = render(load_spec_text(NO_TRAIL, "no-trail.yaml"))
    assert not [f for f in files if f.startswith(("modules/cloudtrail/", "modules/mfa/", "modules/access_analyzer/"))]
    assert 'module "cloudtrail"' not in files["main.tf"]
    external = render(load_spec_text(EXTERNAL_KEY, "external-key.yaml"))
    trail = external["modules/cloudtrail/main.tf"]
    assert 'resource "aws_kms_key"' not in trail
    assert 'kms_key_arn = "arn:aws:kms:us-east-2:111122223333:key/' in trail
    assert "aws_cloudwatch_log_group" not in trail and "aws_cloudwatch_metric_alarm" not in trail


@pytest.mark.terraform
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_is_fmt_clean_and_valid(
    name: str, variants: dict[str, Path], terraform_bin: str, tf_plugin_dir: str | None
) -> None:
    folder = variants[name]
    proc = _run([terraform_bin, "fmt", "-check", "-recursive", "-diff", "-no-color"], folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    init = [terraform_bin, "init", "-backend=false", "-input=false", "-no-color"]
    proc = _run(init + ([f"-plugin-dir={tf_plugin_dir}"] if tf_plugin_dir else []), folder)
    assert proc.returncode == 0, proc.stderr
    proc = _run([terraform_bin, "validate", "-json", "-no-color"], folder)
    result = json.loads(proc.stdout)
    problems = [d for d in result.get("diagnostics", []) if d.get("severity") in ("error", "warning")]
    assert result["valid"] and not problems, json.dumps(problems, indent=2)


@pytest.mark.checkov
def test_everything_variant_passes_checkov(variants: dict[str, Path]) -> None:
    import shutil
    import sys

    checkov = shutil.which("checkov", path=str(Path(sys.executable).parent)) or shutil.which("checkov")
    if not checkov:
        pytest.skip("checkov is not installed")
    proc = subprocess.run(
        [checkov, "-d", str(variants["everything"]), "--framework", "terraform", "--skip-download", "-o", "json"],
        capture_output=True, text=True, check=False, timeout=300,
    )
    report = json.loads(proc.stdout)
    assert not [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
