"""GitHub's immutable subject claims (repo:<owner>@<owner id>/<repo>@<repo id>:..., issued for new
repositories since 2026-07-15) validate, and reach the generated trust policy byte for byte."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator import api
from generator.rules.tru.tru_006_github_oidc_subject import sub_problem

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
IMMUTABLE = "repo:acme@1234567/web@7654321:ref:refs/heads/main"


@pytest.mark.parametrize("sub", [IMMUTABLE, "repo:acme@1234567/web@7654321:environment:production",
                                 "repo:acme/web:ref:refs/heads/main"])
def test_both_claim_forms_name_one_repository(sub: str) -> None:
    assert sub_problem(sub) is None


@pytest.mark.parametrize("sub", ["repo:acme@1234567/*:ref:refs/heads/main", "repo:*@1/web@2:ref:x", "repo:acme/*"])
def test_the_owner_and_repository_checks_hold_for_the_immutable_form(sub: str) -> None:
    assert "does not name one organisation/repository" in sub_problem(sub)


def test_an_immutable_subject_validates_and_is_deployed_as_written(tmp_path: Path) -> None:
    text = (EXAMPLES / "github-oidc.yaml").read_text(encoding="utf-8")
    assert "repo:acme/web:ref:refs/heads/main" in text
    spec = tmp_path / "ci.yaml"
    spec.write_text(text.replace("repo:acme/web:ref:refs/heads/main", IMMUTABLE), encoding="utf-8")
    report = api.validate([spec])
    assert not [f for f in report.findings if f.severity.value == "error"], [f.message for f in report.findings]
    outcome = api.generate(spec, tmp_path / "out")
    assert outcome.written
    roles = (tmp_path / "out" / "modules" / "roles" / "main.tf").read_text(encoding="utf-8")
    assert f'"{IMMUTABLE}"' in roles


def test_import_keeps_an_immutable_subject() -> None:
    from generator.importer.trust import translate_trust

    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                       "token.actions.githubusercontent.com:sub": IMMUTABLE}}}]}
    assert translate_trust(doc, "111122223333") == ({"github_oidc": {"subjects": [IMMUTABLE]}}, [])


SHARED = "acme/shared/.github/workflows/deploy.yml"


@pytest.mark.parametrize("sub", [f"repo:acme/web:job_workflow_ref:{SHARED}@refs/heads/main",
                                 f"repo:acme@1234567/web@7654321:job_workflow_ref:{SHARED}@refs/tags/v*",
                                 f"repo:acme/web:environment:prod:job_workflow_ref:{SHARED}@refs/heads/main"])
def test_reusable_workflow_subjects_naming_one_workflow_pass(sub: str) -> None:
    assert sub_problem(sub) is None


@pytest.mark.parametrize("sub", ["repo:acme/web:job_workflow_ref:*",
                                 "repo:acme/web:job_workflow_ref:acme/*/.github/workflows/deploy.yml@refs/heads/main",
                                 "repo:acme/web:job_workflow_ref:acme/shared/.github/workflows/*@refs/heads/main"])
def test_reusable_workflow_subjects_with_a_wildcard_workflow_fail(sub: str) -> None:
    assert "does not name one reusable workflow" in sub_problem(sub)


def test_a_reusable_workflow_subject_validates_and_is_deployed_as_written(tmp_path: Path) -> None:
    sub = f"repo:acme/web:job_workflow_ref:{SHARED}@refs/heads/main"
    text = (EXAMPLES / "github-oidc.yaml").read_text(encoding="utf-8").replace("repo:acme/web:ref:refs/heads/main", sub)
    spec = tmp_path / "ci.yaml"
    spec.write_text(text, encoding="utf-8")
    assert not [f for f in api.validate([spec]).findings if f.severity.value == "error"]
    api.generate(spec, tmp_path / "out")
    assert f'"{sub}"' in (tmp_path / "out" / "modules" / "roles" / "main.tf").read_text(encoding="utf-8")
