"""Diff two IAM policy documents statement by statement: what is gained and what is lost.

Each statement is exploded into (effect, action, resource, principal, condition) atoms, the
atom sets before and after are compared, and the difference is regrouped into compact
statements: actions sharing everything else, then resources, then principals.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from generator.analysis.document import as_list, principal_pairs


@dataclass
class StatementDelta:
    """Part of a statement gained or lost: effect, actions on resources, for principals, under conditions."""

    effect: str
    actions: list[str]
    resources: list[str] = field(default_factory=list)
    principals: list[str] = field(default_factory=list)
    conditions: dict = field(default_factory=dict)
    not_actions: bool = False
    not_resources: bool = False



def _principals(stmt: dict) -> list[tuple[str, str]]:
    for key in ("Principal", "NotPrincipal"):
        if key in stmt:
            return sorted((key, p if kind == "*" else f"{kind}:{p}") for kind, p in principal_pairs(stmt[key]))
    return [("Principal", "")]


def _atoms(document: dict | None) -> set[tuple]:
    """Explode a document into atoms.

    Each atom is (effect, action key, action, resource key, resource, principal key, principal,
    conditions as canonical JSON); the keys say Action or NotAction, and so on.
    """
    atoms: set[tuple] = set()
    if not document:
        return atoms
    for stmt in as_list(document.get("Statement")):
        akey = "NotAction" if "NotAction" in stmt else "Action"
        rkey = "NotResource" if "NotResource" in stmt else "Resource"
        cond = json.dumps(stmt.get("Condition") or {}, sort_keys=True)
        for action in as_list(stmt.get(akey)) or [""]:
            for resource in as_list(stmt.get(rkey)) or [""]:
                for pkey, principal in _principals(stmt):
                    atoms.add((stmt.get("Effect", "Allow"), akey, action, rkey, resource, pkey, principal, cond))
    return atoms


def _regroup(atoms: set[tuple]) -> list[StatementDelta]:
    """Merge atoms back into statements: actions sharing everything else, then resources, then principals."""
    by_resource: dict[tuple, set[str]] = {}
    for eff, akey, action, rkey, resource, pkey, principal, cond in atoms:
        by_resource.setdefault((eff, akey, rkey, resource, pkey, principal, cond), set()).add(action)
    by_actions: dict[tuple, set[str]] = {}
    for (eff, akey, rkey, resource, pkey, principal, cond), actions in by_resource.items():
        by_actions.setdefault((eff, akey, rkey, pkey, principal, cond, tuple(sorted(actions))), set()).add(resource)
    by_principal: dict[tuple, set[str]] = {}
    for (eff, akey, rkey, pkey, principal, cond, actions), resources in by_actions.items():
        key = (eff, akey, rkey, pkey, cond, actions, tuple(sorted(r for r in resources if r)))
        by_principal.setdefault(key, set()).add(principal)
    out = []
    for (eff, akey, rkey, pkey, cond, actions, resources), principals in sorted(by_principal.items()):
        out.append(StatementDelta(
            effect=eff, actions=[a for a in actions if a], resources=list(resources),
            principals=sorted(("NOT " if pkey == "NotPrincipal" else "") + p for p in principals if p),
            conditions=json.loads(cond), not_actions=akey == "NotAction", not_resources=rkey == "NotResource",
        ))
    return out


def diff_documents(before: dict | None, after: dict | None) -> tuple[list[StatementDelta], list[StatementDelta]]:
    """(gained, lost) between two policy documents; either may be None (created or deleted)."""
    old, new = _atoms(before), _atoms(after)
    return _regroup(new - old), _regroup(old - new)


def parse_document(value: object) -> dict | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        try:
            doc = json.loads(value)
        except json.JSONDecodeError:
            return None
        return doc if isinstance(doc, dict) else None
    return None
