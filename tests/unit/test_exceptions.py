"""Exceptions cannot be turned into a way past the gate."""
from __future__ import annotations

import datetime as dt

from generator.rules.engine import validate_spec
from generator.rules.suppress import path_within
from generator.spec import load_spec_text

BASE = """version: 1
account: {id: "111122223333", regions: [us-east-1]}
departments:
  eng:
    tag_value: Eng
    owner: eng@example.com
    roles:
      ops:
        trust: {aws_principals: ["arn:aws:iam::111122223333:root"], require_mfa: true}
        permissions:
          - actions: ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]
            resources: ["*"]
"""


def run(exceptions: str):
    spec = load_spec_text(BASE + "exceptions:\n" + exceptions, "s.yaml")
    return validate_spec(spec, today=dt.date(2026, 11, 28))


def active(findings, rule):
    return [f for f in findings if f.rule_id == rule and not f.suppressed]


def test_expired_exception_cannot_be_waived_by_another_exception():
    found = run("""  - {rule: PRV-005, path: departments.eng.roles.ops, reason: old acceptance here, expires: 2020-01-01}
  - {rule: SPEC-020, path: exceptions, reason: hide the expiry error, expires: 2099-01-01}
""")
    assert active(found, "SPEC-020") and active(found, "PRV-005")


def test_empty_path_waives_nothing():
    found = run("  - {rule: PRV-005, path: '', reason: waive it everywhere please, expires: 2099-01-01}\n")
    assert active(found, "PRV-005")
    assert [f.path for f in active(found, "SPEC-022")] == ["exceptions[0].path"]
    assert not path_within("departments.eng", "")


def test_unknown_rule_is_an_error():
    found = run("  - {rule: PRV-555, path: departments.eng.roles.ops, reason: no such rule exists, expires: 2099-01-01}\n")
    assert [f.severity.value for f in active(found, "SPEC-022")] == ["error"]


def test_a_real_exception_still_works():
    found = run("  - {rule: PRV-005, path: departments.eng.roles.ops, reason: accepted for the migration, expires: 2099-01-01}\n")
    assert not active(found, "PRV-005") and not active(found, "SPEC-022")
