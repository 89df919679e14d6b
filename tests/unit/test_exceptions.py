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


def test_a_finding_aws_would_reject_at_apply_cannot_be_waived():
    """SPEC-006 on 13 hours would generate max_session_duration = 46800, which IAM refuses."""
    text = BASE.replace("      ops:\n", "      ops:\n        max_session_hours: 13\n")
    spec = load_spec_text(text + "exceptions:\n  - {rule: SPEC-006, path: departments.eng.roles.ops, "
                                 "reason: we want long sessions here, expires: 2099-01-01}\n", "s.yaml")
    found = validate_spec(spec, today=dt.date(2026, 11, 28))
    assert active(found, "SPEC-006"), "the finding stands"
    refused = active(found, "SPEC-022")
    assert refused and "cannot be waived" in refused[0].message and refused[0].path == "exceptions[0].rule"


def test_every_unwaivable_rule_says_so_in_its_explanation():
    from generator.rules.registry import all_rules, explain

    unwaivable = [r for r in all_rules() if not r.waivable]
    assert {"SPEC-006", "SPEC-008", "SPEC-017", "POL-002"} <= {r.id for r in unwaivable}
    for rule in unwaivable:
        assert "cannot be waived" in explain(rule.id)


def test_a_boolean_is_never_a_number():
    text = BASE.replace("      ops:\n", "      ops:\n        max_session_hours: true\n")
    from generator.errors import SpecError

    try:
        spec = load_spec_text(text, "s.yaml")
    except SpecError as err:
        found = err.findings
    else:
        found = validate_spec(spec, today=dt.date(2026, 11, 28))
    assert any(f.rule_id == "SCHEMA-007" and "max_session_hours" in f.message for f in found), found
