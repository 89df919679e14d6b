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


# --- several rules per entry, and checkov checks -------------------------------------------------

def test_one_entry_waives_several_rules_at_its_path():
    found = run("""  - {rules: [PRV-005, PRV-006, PRV-011], path: departments.eng.roles.ops,
     reason: "reviewed: the ops role deploys functions", expires: 2027-06-30}
""")
    assert not active(found, "PRV-005") and not active(found, "PRV-006") and not active(found, "PRV-011")
    assert [f for f in found if f.rule_id == "PRV-005" and f.suppressed][0].suppression_reason.startswith("reviewed")


def test_rule_and_rules_together_or_neither_are_refused():
    import pytest

    from generator.errors import SpecError

    both = "  - {rule: PRV-005, rules: [PRV-006], path: departments.eng.roles.ops, reason: either one please, expires: 2027-06-30}\n"
    neither = "  - {path: departments.eng.roles.ops, reason: which rule is this for, expires: 2027-06-30}\n"
    for entry, words in ((both, "not both"), (neither, "names no rule")):
        with pytest.raises(SpecError) as err:
            load_spec_text(BASE + "exceptions:\n" + entry, "s.yaml")
        assert any(words in f.message and f.line == 14 for f in err.value.findings), err.value.findings


def test_a_checkov_check_is_written_into_the_module_of_its_path(tmp_path):
    from generator.render import render

    spec = load_spec_text(BASE + """exceptions:
  - {rules: [PRV-005, PRV-006, PRV-011, CKV_AWS_355], path: departments.eng.roles.ops,
     reason: "reviewed: the ops role deploys functions", expires: 2027-06-30}
""", "s.yaml")
    found = validate_spec(spec, today=dt.date(2026, 11, 28))
    assert not [f for f in found if f.rule_id.startswith("SPEC-02") and not f.suppressed], found
    files = render(spec)
    roles = files["modules/roles/main.tf"]
    skip = ("# checkov:skip=CKV_AWS_355:reviewed: the ops role deploys functions "
            "(iamforge exceptions[0] at departments.eng.roles.ops, expires 2027-06-30)")
    blocks = [line for line in roles.splitlines() if line.startswith('resource "')]
    assert roles.count(skip) == len(blocks) > 0  # every resource block of the module, once
    assert "CKV_AWS_355" not in files["modules/departments/main.tf"]
    assert "CKV_AWS_355` | `roles`: `every resource block`" not in files["README.md"]
    assert "| CKV_AWS_355 | `roles`: `every resource block` |" in files["README.md"]


def test_a_checkov_check_needs_a_path_that_generates_terraform():
    found = run("""  - {rule: CKV_AWS_355, path: tags, reason: no module holds the tags alone, expires: 2027-06-30}
""")
    assert any(f.rule_id == "SPEC-022" and "checkov check" in f.message for f in found)
    assert not active(found, "SPEC-021")  # checkov's findings come from scan, not from validate
