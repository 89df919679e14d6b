"""`iamforge import`: authorization details -> a draft spec that loads, with notes for the rest."""
from __future__ import annotations

from pathlib import Path

import yaml

from generator.audit import load_details
from generator.importer import draft_spec, import_spec
from generator.importer.statements import translate_statement
from generator.importer.trust import translate_trust
from generator.spec import load_spec_text

DETAILS = Path(__file__).resolve().parents[1] / "fixtures" / "audit" / "authorization_details.json"
ACCOUNT = "111122223333"


def test_draft_loads_and_keeps_what_it_can() -> None:
    text = import_spec(load_details(DETAILS))
    spec = load_spec_text(text, "draft.yaml")
    assert spec.account.id == ACCOUNT
    assert sorted(spec.departments) == ["engineering", "finance", "unassigned"]
    eng = spec.departments["engineering"]
    assert eng.tag_value == "Engineering" and eng.owner == "eng@example.com" and eng.boundary == "eng-boundary"
    assert [u.name for u in eng.users] == ["dev"]
    assert sorted(eng.roles) == ["app", "bounded-dev", "ci-deployer"]
    # Customer managed statements become permissions; trust keeps MFA.
    ci = eng.roles["ci-deployer"]
    assert ci.permissions[0].actions == ["iam:PassRole", "ec2:RunInstances"] and ci.trust.services == ["ec2.amazonaws.com"]
    assert eng.roles["bounded-dev"].trust.require_mfa is True
    assert spec.departments["unassigned"].roles["legacy-admin"].managed_policies == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert [g.actions for g in spec.boundaries["eng-boundary"].allow] == [["s3:*", "logs:*"]]


def test_what_cannot_be_expressed_is_a_comment() -> None:
    text = import_spec(load_details(DETAILS))
    notes = [line.strip() for line in text.splitlines() if line.strip().startswith("# NOTE:")]
    joined = "\n".join(notes)
    assert "group developers is not a department" in joined
    assert "customer managed policy ci-pass-anything" in joined
    assert "user auditor has its own policies" in joined
    assert "service-linked role AWSServiceRoleForSupport" in joined
    assert "existing role legacy-admin at / is generated as unassigned-legacy-admin" in joined
    assert "Sid 'Versions'" not in joined  # letters only: kept as is
    # Comments sit above the entry they are about.
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "customer managed policy ci-pass-anything" in line)
    assert lines[next(i for i in range(at, len(lines)) if not lines[i].strip().startswith("#"))].strip() == "ci-deployer:"


def test_group_without_department_is_noted() -> None:
    details = load_details(DETAILS)
    details.users["dev"].tags.pop("Department")
    draft = draft_spec(details)
    assert "developers" in draft.data["departments"]  # dev's group is its department now
    assert draft.data["departments"]["developers"]["permissions"][0]["actions"] == ["iam:CreatePolicyVersion"]


def test_trust_translation() -> None:
    def doc(*statements: dict) -> dict:
        return {"Version": "2012-10-17", "Statement": list(statements)}

    gh = doc({"Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
              "Action": "sts:AssumeRoleWithWebIdentity",
              "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/web:ref:refs/heads/main"}}})
    assert translate_trust(gh, ACCOUNT) == ({"github_oidc": {"subjects": ["repo:acme/web:ref:refs/heads/main"]}}, [])
    vendor = doc({"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole",
                  "Condition": {"StringEquals": {"sts:ExternalId": "acme-7f3a"}}})
    assert translate_trust(vendor, ACCOUNT)[0] == {"external_account": {"account_id": "444455556666", "external_id": "acme-7f3a"}}
    saml = doc({"Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/okta"},
                "Action": "sts:AssumeRoleWithSAML"})
    trust, notes = translate_trust(saml, ACCOUNT)
    assert trust == {} and "Federated principal not expressible" in notes[0]
    cond = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole",
                "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}})
    trust, notes = translate_trust(cond, ACCOUNT)
    assert trust["aws_principals"] == [f"arn:aws:iam::{ACCOUNT}:root"] and "aws:sourceip" in notes[0]


def test_statement_translation() -> None:
    grant, reason = translate_statement({"Sid": "Read-Only", "Effect": "Allow", "Action": "S3:GetObject",
                                         "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": True}}})
    assert reason == "" and grant == {"sid": "ReadOnly", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"],
                                      "conditions": {"Bool": {"aws:SecureTransport": True}}}
    assert translate_statement({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}) == (None, "uses NotAction")


def test_unassigned_roles_without_expressible_trust_are_kept_as_notes() -> None:
    details = load_details(DETAILS)
    details.roles["old-report"].trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}
    text = import_spec(details)
    assert "old-report" not in yaml.safe_load(text)["departments"]["finance"].get("roles", {})
    assert "role old-report not imported: its trust names no principal" in text


def test_malformed_conditions_become_notes_not_crashes() -> None:
    stmt = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": "x"}
    assert translate_statement(stmt) == (None, "has a Condition that is not an object")
    for condition in ("x", {"Bool": "x"}):
        doc = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                              "Action": "sts:AssumeRole", "Condition": condition}]}
        trust, notes = translate_trust(doc, ACCOUNT)
        assert trust == {} and any("malformed Condition" in n for n in notes)
