"""Every rule's fixtures: the failing input is flagged at exactly the expected paths, the passing one not at all."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from generator.rules.engine import check_documents, validate_spec
from generator.spec import load_spec

FIXTURES = Path(__file__).parent
TODAY = date(2026, 6, 1)  # exceptions in the fixtures are dated around it
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and (p / "expected.yaml").is_file())


def flagged(case: Path, name: str, rule_id: str, kind: str | None, severities: list[str] | None = None) -> set[str]:
    if kind in ("credential_report", "authorization_details"):  # CRED and ACCT: iamforge audit
        from generator.audit import fixture_findings

        findings = fixture_findings(case / f"{name}.yaml")
    elif kind == "organization":  # ORG: an organisation spec (generator/org)
        from generator.org import load_organization
        from generator.org.validate import validate_organization

        findings = validate_organization(load_organization(case / f"{name}.yaml"), today=TODAY)
    elif kind is None:
        findings = validate_spec(load_spec(case / f"{name}.yaml"), today=TODAY)
    else:
        doc = json.loads((case / f"{name}.json").read_text(encoding="utf-8"))
        findings = check_documents([(str(case / f"{name}.json"), kind, doc)])
    # ``severities`` (optional in expected.yaml): a rule that reports every case at info too
    # (PRV-030 names each privileged role's controls) is asserted on its errors only.
    return {f.path for f in findings if f.rule_id == rule_id and (not severities or f.severity.value in severities)}


@pytest.mark.parametrize("rule_id", CASES)
def test_fail_fixture_flags_exactly_the_expected_paths(rule_id: str) -> None:
    case = FIXTURES / rule_id
    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    assert expected["rule"] == rule_id
    assert flagged(case, "fail", rule_id, expected.get("kind"), expected.get("severities")) == set(expected["paths"])


@pytest.mark.parametrize("rule_id", CASES)
def test_pass_fixture_is_not_flagged(rule_id: str) -> None:
    case = FIXTURES / rule_id
    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    assert flagged(case, "pass", rule_id, expected.get("kind"), expected.get("severities")) == set()
