"""Template contexts of the IAM modules: password policy, MFA, boundaries, departments, roles.

Each ``*_context`` function returns the plain data one blueprint renders, or None when
the spec does not need that module. Policy documents are taken from the
:class:`~generator.policies.PolicySet` (never rebuilt here) and marked consumed on the
:class:`Ledger`, so generation can prove every document built from the spec is emitted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.analysis.document import normalize, optional_resources_on_star
from generator.errors import IamforgeError
from generator.policies import GITHUB_OIDC_HOST, IAMFORGE_POLICY_PATH, PolicyDoc, PolicySet
from generator.render.hcl import Expr, Jsonencode
from generator.render.suppressions import suppressions
from generator.spec.model import Role, Spec

GITHUB_OIDC_URL = f"https://{GITHUB_OIDC_HOST}"


class RenderError(IamforgeError):
    """The spec's policy documents and the blueprints do not fit together (a generator defect)."""


@dataclass
class Ledger:
    """The policy set plus the keys of the documents already placed in a module."""

    policies: PolicySet
    used: set[str] = field(default_factory=set)

    def take(self, key: str) -> PolicyDoc:
        """The document ``key`` (KeyError when missing), marked as emitted."""
        doc = self.policies.docs[key]
        self.used.add(key)
        return doc

    def maybe(self, key: str) -> PolicyDoc | None:
        """The document ``key`` marked as emitted, or None when it was not built."""
        return self.take(key) if key in self.policies.docs else None

    def mark(self, docs: list[PolicyDoc]) -> list[PolicyDoc]:
        """Mark ``docs`` (found through the policy set's queries) as emitted."""
        self.used.update(d.key for d in docs)
        return docs

    def unused(self) -> list[str]:
        """Keys of documents no module has emitted."""
        return sorted(set(self.policies.docs) - self.used)


def password_policy_context(spec: Spec) -> dict[str, Any]:
    """The account password policy (always generated) and the account alias."""
    pp = spec.password_policy
    return {
        "alias": spec.account.alias,
        "attributes": {
            "allow_users_to_change_password": pp.allow_users_to_change,
            "hard_expiry": pp.hard_expiry,
            # AWS takes 1-1095 / 1-24; 0 in the spec means "never expires" / "no reuse check" (null: unset).
            "max_password_age": pp.max_age_days or None,
            "minimum_password_length": pp.minimum_length,
            "password_reuse_prevention": pp.reuse_prevention or None,
            "require_lowercase_characters": pp.require_lowercase,
            "require_numbers": pp.require_numbers,
            "require_symbols": pp.require_symbols,
            "require_uppercase_characters": pp.require_uppercase,
        },
    }


def _managed_policy(spec: Spec, doc: PolicyDoc) -> dict[str, Any]:
    return {
        "description": doc.description,
        "name": doc.name,
        "path": IAMFORGE_POLICY_PATH,
        "policy": Jsonencode(doc.document),
        "tags": dict(spec.tags.common),
    }


def mfa_context(spec: Spec, ledger: Ledger) -> dict[str, Any] | None:
    """The force-MFA managed policy, when the spec enforces MFA."""
    doc = ledger.maybe("mfa.force_mfa")
    if doc is None:
        return None
    return {"key": doc.key, "policy": _managed_policy(spec, doc), "max_age_seconds": spec.mfa.max_age_seconds}


def boundaries_context(spec: Spec, ledger: Ledger) -> dict[str, Any] | None:
    """One managed policy per boundary, and the delegated boundary (``<key>/delegated``) of each
    boundary a delegate carries."""
    if not spec.boundaries:
        return None
    policies = {}
    for key in spec.boundaries:
        policies[key] = _managed_policy(spec, ledger.take(f"boundary.{key}"))
        delegated = ledger.maybe(f"boundary.{key}.delegated")
        if delegated is not None:
            policies[f"{key}/delegated"] = _managed_policy(spec, delegated)
    return {"policies": policies, "skips": suppressions("boundaries.policy")}


def departments_context(spec: Spec, ledger: Ledger) -> dict[str, Any] | None:
    """Groups with their policies, users with tags and boundary, memberships."""
    if not spec.departments:
        return None
    groups: dict[str, Any] = {}
    group_policies: dict[str, Any] = {}
    users: dict[str, Any] = {}
    optional = False
    for key, dept in spec.departments.items():
        attached = ledger.mark(ledger.policies.for_principal("group", dept.group_name))
        managed = sorted(d.key for d in attached if d.managed)
        for doc in attached:
            if not doc.managed:
                optional = optional or bool(optional_resources_on_star(normalize(doc.document)))
                group_policies[f"{dept.group_name}/{doc.name}"] = {
                    "group": key,
                    "name": doc.name,
                    "policy": Jsonencode(doc.document),
                }
        groups[key] = {
            "name": dept.group_name,
            "path": "/",
            "managed_policy_keys": managed,
            "users": sorted(u.name for u in dept.users),
        }
        for user in dept.users:
            users[user.name] = {
                "name": user.name,
                "path": user.iam_path,
                "group": key,
                "boundary": user.boundary,
                "tags": dict(user.tags),
            }
    for key, group in groups.items():
        group["inline_policy_keys"] = sorted(k for k, p in group_policies.items() if p["group"] == key)
    return {
        "groups": groups,
        "group_policies": group_policies,
        "group_attachments": {
            f"{key}/{policy_key}": {"group": key, "policy_key": policy_key}
            for key, group in groups.items()
            for policy_key in group["managed_policy_keys"]
        },
        "users": users,
        "memberships": {k: g["users"] for k, g in groups.items() if g["users"]},
        "user_skips": suppressions("departments.users") if users else (),
        "policy_skips": suppressions("departments.optional_resources") if optional else (),
        "managed_policy_keys": sorted({k for g in groups.values() for k in g["managed_policy_keys"]}),
    }


def _account_principal_is_conditioned(role: Role) -> bool:
    """True when every whole-account principal of ``role`` is narrowed by MFA or ExternalId."""
    trust = role.trust
    if trust.aws_principals and not trust.require_mfa:
        return False
    ext = trust.external_account
    return ext is None or bool(ext.external_id)


def _trusts_account(role: Role) -> bool:
    return bool(role.trust.aws_principals or role.trust.external_account)


def _share_repeated(uses: list[tuple[dict[str, Any], str, str, bytes]]) -> dict[str, Jsonencode]:
    """Write each document that several roles hold once, and point those roles at it.

    ``uses`` are (entry, field, label, content key) tuples whose ``entry[field]`` is a
    ``Jsonencode`` of a built document and the key that document's ``text.key``. A document held
    by two or more entries (the ABAC policy every role of a department shares, the same trust
    policy on many roles) moves to the returned map under ``<label>-<hash of its content>``; each
    entry then reads ``local.shared_documents[...]``. Documents are grouped by the SHA-256 of their
    exact JSON text (as the rules group them), so a shared entry is byte for byte what each role
    held: the JSON that reaches IAM is unchanged and only the generated file shrinks (at 1,000
    synthetic roles the ABAC policy alone was 1,000 copies of one document).
    """
    by_content: dict[bytes, list[tuple[dict[str, Any], str, str]]] = {}
    for entry, name, label, digest in uses:
        by_content.setdefault(digest, []).append((entry, name, label))
    shared: dict[str, Jsonencode] = {}
    for digest, holders in by_content.items():
        if len(holders) < 2:
            continue
        first, name, label = holders[0]
        key = f"{label}-{digest.hex()[:12]}"
        shared[key] = first[name]
        for entry, field_name, _ in holders:
            entry[field_name] = Expr(f'local.shared_documents["{key}"]')
    return shared


def role_fields(role: Role, trust: dict) -> dict[str, Any]:
    """What every generated role's entry holds: name, path, description, session, trust, managed
    policies and tags (the roles and privileged modules add their boundary and inline keys)."""
    return {
        "name": role.name,
        "path": role.iam_path,
        "description": role.description,
        "max_session_duration": role.max_session_hours * 3600,
        "assume_role_policy": Jsonencode(trust),
        "managed_policy_arns": sorted(role.managed_policies),
        "tags": dict(role.tags),
    }


def roles_context(spec: Spec, ledger: Ledger) -> dict[str, Any] | None:
    """Roles with trust, boundary, inline policies and attachments; the GitHub OIDC provider."""
    for r in spec.roles:
        if not r.iam_role:
            # Delivered only as a permission set: its documents are emitted in stacks/identity-center.
            ledger.mark(ledger.policies.for_principal("role", r.name))
            ledger.maybe(f"role.{r.department}.{r.key}.trust")
    roles_by_name = {r.name: r for r in spec.roles if r.iam_role}
    if not roles_by_name:
        return None
    roles: dict[str, Any] = {}
    role_policies: dict[str, Any] = {}
    uses: list[tuple[dict[str, Any], str, str, bytes]] = []
    audiences: set[str] = set()
    optional = False
    for name in sorted(roles_by_name):
        role = roles_by_name[name]
        trust = ledger.take(f"role.{role.department}.{role.key}.trust")
        own_keys: list[str] = []
        for doc in ledger.mark(ledger.policies.for_principal("role", role.name)):
            if doc.managed:
                raise RenderError(f"{doc.key}: no blueprint creates managed identity policies for roles")
            own_keys.append(f"{role.name}/{doc.name}")
            optional = optional or bool(optional_resources_on_star(normalize(doc.document)))
            role_policies[f"{role.name}/{doc.name}"] = {
                "role": role.name,
                "name": doc.name,
                "policy": Jsonencode(doc.document),
            }
            uses.append((role_policies[f"{role.name}/{doc.name}"], "policy", doc.name, doc.text.key))
        if role.trust.github_oidc:
            audiences.add(role.trust.github_oidc.audience)
        roles[role.name] = {
            **role_fields(role, trust.document),
            "boundary": role.boundary,
            "inline_policy_keys": sorted(set(own_keys)),
        }
        uses.append((roles[role.name], "assume_role_policy", "trust", trust.text.key))
    account_roles = [r for r in roles_by_name.values() if _trusts_account(r)]
    conditioned = bool(account_roles) and all(_account_principal_is_conditioned(r) for r in account_roles)
    attachments = {
        f"{name}/{arn}": {"role": name, "policy_arn": arn}
        for name, r in roles.items()
        for arn in r["managed_policy_arns"]
    }
    return {
        "roles": roles,
        "role_policies": role_policies,
        "shared_documents": _share_repeated(uses),
        "role_policies_by_role": {
            name: [role_policies[k]["name"] for k in r["inline_policy_keys"]] for name, r in roles.items()
        },
        "attachments": attachments,
        "github": {"url": GITHUB_OIDC_URL, "client_id_list": sorted(audiences), "tags": dict(spec.tags.common)}
        if audiences
        else None,
        "role_skips": suppressions("roles.account_principals") if conditioned else (),
        "policy_skips": suppressions("roles.optional_resources") if optional else (),
        "uses_boundaries": any(r.boundary for r in roles_by_name.values()),
    }
