"""AWS managed policies the analysis knows (a small curated data file, no network).

An attachment of any other AWS managed policy has unknown effective permissions; PRV-020
reports it so a reviewer looks, instead of the analysis silently assuming it is harmless.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from generator.analysis.document import Policy, normalize

AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"


@dataclass(frozen=True)
class ManagedPolicy:
    """A curated AWS managed policy."""

    name: str
    arn: str
    policy: Policy
    broad: bool
    approximate: bool
    alternative: str


def is_aws_managed(arn: str) -> bool:
    return ":iam::aws:policy/" in arn


def policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


@lru_cache(maxsize=1)
def _known() -> dict[str, ManagedPolicy]:
    data = yaml.load(Path(__file__).with_name("aws_managed_policies.yaml").read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    out: dict[str, ManagedPolicy] = {}
    for name, entry in data["policies"].items():
        doc = {"Version": "2012-10-17", "Statement": entry["statements"]}
        out[name] = ManagedPolicy(name, AWS_MANAGED_PREFIX + name, normalize(doc), bool(entry.get("broad")),
                                  bool(entry.get("approximate")), entry.get("alternative", ""))
    return out


def lookup(arn: str) -> ManagedPolicy | None:
    """The curated entry for an AWS managed policy ARN (any partition, any path), or None."""
    if not is_aws_managed(arn):
        return None
    return _known().get(policy_name(arn))


def foreign_reason(arn: str, partition: str, account_id: str) -> str | None:
    """Why a managed policy ARN cannot be attached in ``account_id`` of ``partition``; None when it can.

    IAM attaches AWS managed policies of the account's own partition and customer managed
    policies of the account itself; another account's policy ARN or another partition's
    fails at apply (and, if it ever resolved, would hand the permissions to someone else).
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None  # not an ARN at all: reported as malformed, not as foreign
    if parts[1] != partition:
        return f"is in partition {parts[1]!r}, not the account's {partition!r}"
    if parts[4] not in ("aws", account_id):
        return f"belongs to account {parts[4]}, not {account_id}"
    return None


def known_names() -> tuple[str, ...]:
    return tuple(_known())
