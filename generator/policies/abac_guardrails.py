"""ABAC guardrails: denies that keep the authorization tag on resources and principals intact.

For each tag-key family in use (``abac_families``) and each service it covers, the
family's Tagging-level actions are sorted by what the catalogue lets a condition see:

* actions that see the resource's tag: denied on resources of another department;
* actions that set tag values and see the request's keys and values: denied when they set
  the ABAC key to a value other than the caller's;
* removals that see the request's keys: denied when they name the ABAC key;
* removals that see only the resource's tag (S3 ``DeleteObjectTagging`` drops every tag):
  denied on resources carrying the ABAC key;
* whole-set replacements (S3 ``PutObjectTagging``): denied when the resource carries the
  ABAC key and the new set leaves it out;
* tagging actions that see none of these: denied outright, the only way to protect the key.

Every condition key of a statement is supported by every action in it.
"""
from __future__ import annotations

from functools import lru_cache

from generator.policies import catalog
from generator.policies.abac_families import TagFamily
from generator.policies.delegation import PRINCIPAL_TAG_ACTIONS, authorization_tag_keys
from generator.policies.document import statement
from generator.spec.model import Spec

_REMOVAL_PREFIXES = ("Untag", "Delete", "Remove")


@lru_cache(maxsize=1024)
def _groups(family: TagFamily, services: tuple[str, ...], key: str) -> dict[str, tuple[str, ...]]:
    """``family``'s tagging actions of ``services`` sorted by what a condition can see of them."""
    existing_key, request_key = family.existing_key(key), family.request_key(key)
    groups: dict[str, list[str]] = {
        "other_dept": [], "set_value": [], "key_in_request": [], "removal_if_tagged": [],
        "dropped_from_set": [], "unverifiable": [],
    }
    for svc in services:
        for action in family.tagging_actions(svc):
            _, name = catalog.split_action(action)
            sees_existing = catalog.supports(action, existing_key)
            sees_keys = catalog.supports(action, family.request_keys)
            sees_value = catalog.supports(action, request_key)
            if sees_existing:
                groups["other_dept"].append(action)
            if name.startswith(_REMOVAL_PREFIXES):
                group = "key_in_request" if sees_keys else "removal_if_tagged" if sees_existing else "unverifiable"
            elif sees_keys and sees_value:
                groups["set_value"].append(action)
                if not family.replaces_tag_set:
                    continue
                group = "dropped_from_set" if sees_existing else "unverifiable"
            else:
                group = "key_in_request" if sees_keys else "unverifiable"
            groups[group].append(action)
    return {name: tuple(actions) for name, actions in groups.items()}


def family_guardrails(spec: Spec, family: TagFamily, services: list[str]) -> list[dict]:
    """Denies protecting the ABAC key in ``family``'s tags on resources of ``services``."""
    key = spec.tags.abac_key
    ptag = f"${{aws:PrincipalTag/{key}}}"
    existing_key, request_key = family.existing_key(key), family.request_key(key)
    groups = _groups(family, tuple(services), key)
    tag = family.sid_tag
    present = {existing_key: "false"}
    conditions: dict[str, tuple[str, dict | None]] = {
        "other_dept": (f"Deny{tag}TagChangesOnOtherDepartments",
                       {"StringNotEquals": {existing_key: ptag}, "Null": present}),
        "set_value": (f"DenyAbac{tag}TagSetToOtherValue",
                      {"ForAnyValue:StringEquals": {family.request_keys: [key]},
                       "StringNotEquals": {request_key: ptag}}),
        "key_in_request": (f"DenyAbac{tag}TagRemoval",
                           {"ForAnyValue:StringEquals": {family.request_keys: [key]}}),
        "removal_if_tagged": (f"DenyAbac{tag}TagRemovalWhenTagged", {"Null": present}),
        "dropped_from_set": (f"DenyAbac{tag}TagDroppedFromSet",
                             {"Null": {**present, request_key: "true"}}),
        "unverifiable": (f"DenyUnverifiable{tag}Tagging", None),
    }
    out: list[dict] = []
    for group, (sid, condition) in conditions.items():
        if groups[group]:
            out.append(statement(sid, "Deny", list(groups[group]), ["*"], condition=condition))
    return out


def principal_guardrail(spec: Spec) -> dict:
    """Deny tagging IAM principals with authorization tag keys (the ABAC key among them)."""
    return statement(
        "DenyPrincipalAuthorizationTagChanges", "Deny", PRINCIPAL_TAG_ACTIONS, ["*"],
        condition={"ForAnyValue:StringEquals": {"aws:TagKeys": authorization_tag_keys(spec)}},
    )


def guardrail_statements(spec: Spec, scope: list[tuple[TagFamily, list[str]]]) -> list[dict]:
    """Every family's guardrails for its services in ``scope``, then the principal guardrail.

    Args:
        spec: The spec (for the ABAC key and the authorization tag keys).
        scope: ``(family, services)`` pairs, in the order their statements should appear.
    """
    out = [st for family, services in scope for st in family_guardrails(spec, family, services)]
    out.append(principal_guardrail(spec))
    return out
