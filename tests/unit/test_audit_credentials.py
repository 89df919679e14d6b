"""Credential report parsing (special values) and the CRED rules on a fixture report."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from generator.audit import audit_files, fixture_findings, options
from generator.audit.credentials import NA, NO_INFORMATION, NOT_SUPPORTED, parse_credential_report, parse_stamp
from generator.errors import UsageError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "audit"
RULES = Path(__file__).resolve().parents[1] / "rules"
EDGE = FIXTURES / "credential_report_edge.csv"
AS_OF = date(2026, 6, 1)


def rows_by_user() -> dict:
    return {r.user: r for r in parse_credential_report(EDGE.read_text(encoding="utf-8"))}


def test_special_values_keep_their_meaning() -> None:
    assert parse_stamp("N/A").special == NA and not parse_stamp("N/A").known
    assert parse_stamp("no_information").special == NO_INFORMATION
    assert parse_stamp("not_supported").special == NOT_SUPPORTED
    assert parse_stamp("2024-01-31T10:00:00+00:00").when.isoformat() == "2024-01-31T10:00:00+00:00"


def test_rows_of_the_edge_report() -> None:
    rows = rows_by_user()
    root = rows["<root_account>"]
    assert root.is_root and root.principal == "root" and root.line == 2
    assert root.password_enabled is None  # not_supported
    assert [(k.slot, k.active) for k in root.keys] == [(1, False)]  # inactive, still exists
    assert rows["alice"].keys == ()  # N/A slots hold no key
    assert rows["bob"].password_last_used.special == NO_INFORMATION
    migration = rows["migration"]
    assert [k.slot for k in migration.active_keys] == [1, 2]
    assert migration.keys[0].never_used and not migration.keys[1].never_used
    assert [k.active for k in rows["ci"].keys] == [True, False]


def test_edge_report_findings_are_exact() -> None:
    findings = audit_files(EDGE, opts=options(AS_OF)).findings
    assert {(f.rule_id, f.path, f.line) for f in findings} == {
        ("CRED-001", "root", 2),
        ("CRED-002", "root", 2),
        ("CRED-003", "user/bob", 4),
        ("CRED-006", "user/bob", 4),
        ("CRED-008", "user/bob", 4),
        ("CRED-004", "user/migration", 5),
        ("CRED-005", "user/migration", 5),
        ("CRED-007", "user/migration", 5),
        ("CRED-004", "user/ci", 6),
        ("CRED-005", "user/ci", 6),
        ("CRED-008", "user/newbie", 7),
    }
    assert all(f.file == str(EDGE) for f in findings)


def test_as_of_and_thresholds_decide_ages() -> None:
    early = {(f.rule_id, f.path) for f in audit_files(EDGE, opts=options(date(2026, 2, 1))).findings}
    assert ("CRED-005", "user/ci") not in early  # last used 2026-01-15: 17 days before
    assert ("CRED-004", "user/ci") not in early  # created 2025-12-01: 62 days before
    loose = {(f.rule_id, f.path) for f in audit_files(EDGE, opts=options(AS_OF, max_key_age=365, max_unused=365)).findings}
    assert ("CRED-004", "user/ci") not in loose and ("CRED-004", "user/migration") in loose
    assert ("CRED-005", "user/ci") not in loose and ("CRED-005", "user/migration") in loose


def test_bad_reports_are_usage_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,value\nx,1\n", encoding="utf-8")
    with pytest.raises(UsageError, match="missing column"):
        audit_files(bad)
    text = EDGE.read_text(encoding="utf-8").replace("2024-01-10T09:00:00+00:00,true", "2024-01-10T09:00:00+00:00,maybe", 1)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match="password_enabled"):
        audit_files(bad)
    with pytest.raises(UsageError, match="at least 1 day"):
        options(AS_OF, max_key_age=0)


ACCOUNT_CASES = sorted(p.name for p in RULES.glob("*-*") if p.name.split("-")[0] in ("CRED", "ACCT"))


@pytest.mark.parametrize("rule_id", ACCOUNT_CASES)
def test_account_rule_fixtures(rule_id: str) -> None:
    case = RULES / rule_id
    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    assert {f.path for f in fixture_findings(case / "fail.yaml") if f.rule_id == rule_id} == set(expected["paths"])
    assert not [f for f in fixture_findings(case / "pass.yaml") if f.rule_id == rule_id]


def test_every_account_rule_has_fixtures() -> None:
    from generator.rules.registry import all_rules

    ids = {r.id for r in all_rules() if r.family in ("CRED", "ACCT") and r.modes & {"account", "credentials"}}
    assert ids == set(ACCOUNT_CASES) and len(ids) == 10
