"""Issue 22, import fidelity: what an existing role's trust says that the spec cannot is kept or
named, never silently lost or inverted (a second ExternalId, sts:TagSession, MFA "false")."""
from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from generator.audit import load_details
from generator.cli import main
from generator.importer import import_spec
from generator.importer.statements import translate_statement
from generator.importer.trust import WARNING, translate_trust
from generator.spec import load_spec_text

DETAILS = Path(__file__).resolve().parents[1] / "fixtures" / "audit" / "authorization_details.json"
ACCOUNT = "111122223333"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_second_external_id_is_named() -> None:
    vendor = doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole",
                  "Condition": {"StringEquals": {"sts:ExternalId": ["first-id", "second-id"]}}})
    trust, notes = translate_trust(vendor, ACCOUNT)
    assert trust == {"external_account": {"account_id": "444455556666", "external_id": "first-id"}}
    assert any("2 values" in n and "second-id" in n and "only 'first-id' is kept" in n for n in notes)


def test_tag_session_is_named_not_dropped() -> None:
    stmt = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
    trust, notes = translate_trust(doc(stmt), ACCOUNT)
    assert trust == {"aws_principals": [ROOT], "require_mfa": True}
    assert any(n.startswith(WARNING) and "sts:TagSession not carried over" in n for n in notes)


def test_trust_that_does_not_allow_assume_role_is_not_widened_to_it() -> None:
    only_tags = doc({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:TagSession"})
    trust, notes = translate_trust(only_tags, ACCOUNT)
    assert trust == {} and any("does not allow sts:AssumeRole" in n for n in notes)
    not_action = doc({"Effect": "Allow", "Principal": {"AWS": ROOT}, "NotAction": "sts:TagSession"})
    trust, notes = translate_trust(not_action, ACCOUNT)
    assert trust == {} and any("NotAction" in n for n in notes)


def test_mfa_present_false_never_becomes_require_mfa() -> None:
    for op, value in (("Bool", "false"), ("Bool", False), ("BoolIfExists", "true"), ("Null", "true")):
        key = "aws:MultiFactorAuthAge" if op == "Null" else "aws:MultiFactorAuthPresent"
        stmt = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole",
                "Condition": {op: {key: value}}}
        trust, notes = translate_trust(doc(stmt), ACCOUNT)
        assert trust["require_mfa"] is False, (op, value)
        assert any(n.startswith(WARNING) and "require_mfa: false" in n for n in notes), (op, value)
    # What does require MFA still does, without a note.
    for cond in ({"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                 {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
                 {"Null": {"aws:MultiFactorAuthAge": "false"}}):
        stmt = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole", "Condition": cond}
        trust, notes = translate_trust(doc(stmt), ACCOUNT)
        assert trust["require_mfa"] is True and notes == [], cond


def test_draft_of_such_a_role_loads_and_warns_in_the_cli(tmp_path: Path) -> None:
    details = json.loads(DETAILS.read_text(encoding="utf-8"))
    role = next(r for r in details["RoleDetailList"] if r["RoleName"] == "bounded-dev")
    role["AssumeRolePolicyDocument"] = doc({
        "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}})
    source = tmp_path / "details.json"
    source.write_text(json.dumps(details), encoding="utf-8")
    out = tmp_path / "draft.yaml"
    result = CliRunner().invoke(main, ["import", "--authorization-details", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "marked WARNING" in result.output and "Traceback" not in result.output
    text = out.read_text(encoding="utf-8")
    spec = load_spec_text(text, "draft.yaml")
    assert spec.departments["engineering"].roles["bounded-dev"].trust.require_mfa is False
    assert "# NOTE: WARNING: role bounded-dev: MFA condition(s) Bool aws:multifactorauthpresent" in text
    assert "sts:TagSession not carried over" in text


def test_condition_values_the_spec_refuses_stay_notes() -> None:
    for cond in ({"NumericLessThan": {"aws:MultiFactorAuthAge": "soon"}},
                 {"StringEquals": {"aws:RequestedRegion": [["us-east-1"]]}},
                 {"StringEquals": {"aws:RequestedRegion": None}}):
        grant, reason = translate_statement({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                                             "Condition": cond})
        assert grant is None and "condition values the spec cannot hold" in reason, cond


def test_notes_carry_no_control_characters() -> None:
    details = load_details(DETAILS)
    details.roles["old-report"].trust = doc({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                                             "Condition": {"StringEquals": {"x": "\x1b[2J\u202eevil"}}})
    text = import_spec(details)
    assert "\x1b" not in text and "\u202e" not in text and "\\u202e" in text
    yaml.safe_load(text)


def test_dropped_trust_deny_is_a_warning() -> None:
    allow = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}
    deny = {"Effect": "Deny", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
    trust, notes = translate_trust(doc(allow, deny), ACCOUNT)
    assert trust == {"aws_principals": [ROOT], "require_mfa": False}
    assert any(n.startswith(WARNING) and "Deny" in n for n in notes)
