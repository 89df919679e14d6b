"""The real corpus of 1,452 AWS managed policies (../shared/corpus; skipped when absent)."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from generator.rules.engine import check_documents

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "aws-managed-policies"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}"),
]


@pytest.fixture(scope="module")
def findings_by_policy() -> dict[str, set[str]]:
    files = sorted(CORPUS.glob("*.json"))
    items = [(str(f), "identity", json.loads(f.read_text(encoding="utf-8"))) for f in files]
    assert len(items) == 1452
    by_policy: dict[str, set[str]] = defaultdict(set)
    for finding in check_documents(items):  # raising here fails the test: every document must be analysed
        by_policy[Path(finding.file).stem].add(finding.rule_id)
    return by_policy


def test_administrator_access_is_full_admin(findings_by_policy: dict[str, set[str]]) -> None:
    assert "PRV-001" in findings_by_policy["AdministratorAccess"]


def test_iam_full_access_can_escalate(findings_by_policy: dict[str, set[str]]) -> None:
    assert "PRV-005" in findings_by_policy["IAMFullAccess"]


@pytest.mark.parametrize("name", ["ReadOnlyAccess", "ViewOnlyAccess", "SecurityAudit"])
def test_read_only_policies_cannot_escalate(findings_by_policy: dict[str, set[str]], name: str) -> None:
    assert "PRV-005" not in findings_by_policy[name]


def test_only_admin_like_policies_are_full_admin(findings_by_policy: dict[str, set[str]]) -> None:
    full_admin = {name for name, ids in findings_by_policy.items() if "PRV-001" in ids}
    assert "AdministratorAccess" in full_admin and len(full_admin) <= 3


@pytest.mark.parametrize("boundary", [None, "PowerUserAccess", "AWSDenyAll", "IAMReadOnlyAccess"])
def test_bulk_allowed_agrees_with_per_action(boundary: str | None) -> None:
    """PB-008's bulk ``allowed_of`` gives what ``allowed`` gives action by action, on every tenth
    real policy under real boundaries (NotAction ceilings, Deny-all, narrow read-only)."""
    from generator.analysis.document import normalize
    from generator.analysis.effective import PermissionSet, Source

    def load(name: str) -> object:
        return normalize(json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8")))

    ceiling = [(Source(boundary, "b", "boundary"), load(boundary))] if boundary else None
    for file in sorted(CORPUS.glob("*.json"))[::10]:
        policy = load(file.stem)
        pset = PermissionSet([(Source(file.stem, file.stem), policy)], ceiling)
        for stmt in policy.statements:
            actions = stmt.expanded()
            assert pset.allowed_of(actions) == {a for a in actions if pset.allowed(a)}, (file.stem, stmt.path)
