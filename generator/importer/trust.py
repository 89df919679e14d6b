"""A role's trust policy as the spec's ``trust:`` mapping, and what it cannot say.

The spec knows four kinds of principal: IAM principals (``aws_principals``, optionally
behind MFA), one third-party account with ``sts:ExternalId``, GitHub Actions OIDC subjects,
and AWS service principals. Everything else (other identity providers, SAML, ``*``,
``NotPrincipal``, Deny statements, conditions the spec does not model) becomes a note.
"""
from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from generator.analysis.document import as_list
from generator.spec import schema

GITHUB_HOST = "token.actions.githubusercontent.com"
# What the spec accepts, so a draft spec never holds a value the loader refuses (both claim forms
# of GitHub's subject among them).
SERVICE = re.compile(rf"^(?:{schema.SERVICE_PRINCIPAL})\Z")
ARN = re.compile(rf"^(?:{schema.ARN})\Z")
GITHUB_SUBJECT = re.compile(rf"^(?:{schema.GITHUB_SUBJECT})\Z")
_MFA_KEYS = {"aws:multifactorauthpresent", "aws:multifactorauthage"}
# The one action the generated trust allows each principal kind: anything else the existing
# statement allows (sts:TagSession, sts:SetSourceIdentity, ...) is lost and must be said.
_ACTION = {"AWS": "sts:AssumeRole", "Service": "sts:AssumeRole", "Federated": "sts:AssumeRoleWithWebIdentity"}
# Notes that change what the role lets in or out, marked so a reviewer cannot miss them.
WARNING = "WARNING: "


def _actions(stmt: dict) -> list[str]:
    return [str(a) for a in as_list(stmt.get("Action"))]


def _allows(actions: list[str], action: str) -> bool:
    """Whether one of ``actions`` (IAM wildcards, any case) covers ``action``."""
    return any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions)


def _mfa(conds: dict[str, dict[str, list[str]]]) -> tuple[bool, list[str]]:
    """``(MFA required, conditions on the MFA keys the spec cannot say)``.

    ``require_mfa: true`` generates ``Bool aws:MultiFactorAuthPresent "true"`` and a
    ``NumericLessThan aws:MultiFactorAuthAge``; only a condition that refuses a session without
    MFA counts as requiring it. ``"false"``, ``BoolIfExists`` (true for sessions without the key)
    and other operators do not, and are returned to be reported.
    """
    required = False
    other: list[str] = []
    for op, block in conds.items():
        for key in sorted(set(block) & _MFA_KEYS):
            values = [v.lower() for v in block[key]]
            if op == "Bool" and key == "aws:multifactorauthpresent" and values == ["true"]:
                required = True
            elif op in ("NumericLessThan", "NumericLessThanEquals") and key == "aws:multifactorauthage" and values:
                required = True
            elif op == "Null" and values == ["false"]:
                required = True
            else:
                other.append(f"{op} {key} {block[key]}")
    return required, other


def _conditions(stmt: dict) -> dict[str, dict[str, list[str]]] | None:
    """The Condition block with keys lower-cased; None when it is not operator -> key -> values."""
    condition = stmt.get("Condition") or {}
    if not isinstance(condition, dict):
        return None
    out: dict[str, dict[str, list[str]]] = {}
    for op, block in condition.items():
        if not isinstance(block or {}, dict):
            return None
        for key, value in (block or {}).items():
            out.setdefault(op, {})[key.lower()] = [str(v) for v in as_list(value)]
    return out


def _keys(conds: dict[str, dict[str, list[str]]]) -> set[str]:
    return {k for block in conds.values() for k in block}


def _value(conds: dict[str, dict[str, list[str]]], key: str, ops: tuple[str, ...]) -> list[str]:
    return [v for op in ops for v in conds.get(op, {}).get(key, [])]


def _aws_arn(value: str, partition: str) -> str:
    return f"arn:{partition}:iam::{value}:root" if value.isdigit() else value


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def translate_trust(document: Any, account_id: str, partition: str = "aws") -> tuple[dict[str, Any], list[str]]:
    """``(trust mapping, notes)``; the mapping is empty when nothing could be expressed."""
    trust: dict[str, Any] = {}
    notes: list[str] = []
    principals: list[str] = []
    mfa: list[bool] = []
    for raw in as_list((document or {}).get("Statement")):
        stmt = raw if isinstance(raw, dict) else {}
        text = json.dumps(raw, sort_keys=True)
        if stmt.get("Effect") == "Deny":
            # A Deny is how some trusts require MFA or a source network: the draft lets in what it refused.
            notes.append(f"{WARNING}trust Deny statement not expressible; without it the role lets in what it "
                         f"refused: {text}")
            continue
        if stmt.get("Effect") != "Allow" or "NotPrincipal" in stmt or not isinstance(stmt.get("Principal"), dict):
            notes.append(f"trust statement not expressible (Deny, NotPrincipal or Principal \"*\"): {text}")
            continue
        conds = _conditions(stmt)
        if conds is None:
            notes.append(f"trust statement with a malformed Condition, not imported: {text}")
            continue
        keys = _keys(conds)
        principal = stmt["Principal"]
        handled: set[str] = set()
        if "NotAction" in stmt:
            notes.append(f"{WARNING}trust statement with NotAction not imported (it allows every other STS "
                         f"action): {text}")
            continue
        actions = _actions(stmt)
        for kind, values in principal.items():
            values = [str(v) for v in as_list(values)]
            github = kind == "Federated" and any(GITHUB_HOST in v for v in values)
            action = _ACTION.get(kind) if kind != "Federated" or github else None
            if action is not None and not _allows(actions, action):
                notes.append(f"{kind} principal not imported: the statement does not allow {action}, which is "
                             f"all the generated trust would allow it: {text}")
                continue
            lost = sorted({a for a in actions if a.lower() != (action or "").lower()})
            if action is not None and lost:
                notes.append(f"{WARNING}actions {', '.join(lost)} not carried over: the generated trust allows "
                             f"{kind} principals {action} only (sessions that pass tags, a source identity or "
                             f"use another STS call will be refused): {text}")
            if kind == "Service":
                ok = [v for v in values if SERVICE.match(v)]
                trust.setdefault("services", []).extend(v for v in ok if v not in trust.get("services", []))
                handled |= {"aws:sourceaccount", "aws:sourcearn"}
                notes += [f"service principal {v!r} not expressible" for v in values if v not in ok]
            elif github:
                subjects = _value(conds, f"{GITHUB_HOST}:sub", ("StringLike", "StringEquals", "ForAnyValue:StringLike"))
                good = [s for s in subjects if GITHUB_SUBJECT.match(s)]
                if good:
                    gh: dict[str, Any] = {"subjects": good}
                    aud = _value(conds, f"{GITHUB_HOST}:aud", ("StringEquals",))
                    if aud and aud[0] != "sts.amazonaws.com":
                        gh["audience"] = aud[0]
                    trust["github_oidc"] = gh
                    handled |= {f"{GITHUB_HOST}:sub", f"{GITHUB_HOST}:aud"}
                if len(good) != len(subjects) or not good:
                    notes.append(f"GitHub OIDC trust with subjects the spec cannot hold (none or unpinned): {text}")
            elif kind == "AWS":
                external = _value(conds, "sts:externalid", ("StringEquals",))
                required, odd_mfa = _mfa(conds)
                for value in values:
                    arn = _aws_arn(value, partition)
                    foreign = _account(arn) not in (account_id, "")
                    if value == "*" or not ARN.match(arn):
                        notes.append(f"AWS principal {value!r} not expressible: {text}")
                    elif foreign and external and arn.endswith(":root") and "external_account" not in trust:
                        trust["external_account"] = {"account_id": _account(arn), "external_id": external[0]}
                        handled.add("sts:externalid")
                        if len(external) > 1:
                            notes.append(f"sts:ExternalId has {len(external)} values {external}; the spec holds "
                                         f"one: only {external[0]!r} is kept, callers sending another are "
                                         f"refused: {text}")
                    else:
                        principals.append(arn)
                        mfa.append(required)
                        handled |= _MFA_KEYS
                if odd_mfa:
                    notes.append(f"{WARNING}MFA condition(s) {'; '.join(odd_mfa)} not carried over: "
                                 + ("MFA is still required through the other condition"
                                    if required else
                                    "they do not require MFA (\"false\", IfExists or another operator), so the "
                                    "draft has require_mfa: false and lets in sessions with or without MFA")
                                 + f": {text}")
            else:
                notes.append(f"{kind} principal not expressible (only GitHub Actions OIDC is modelled): {text}")
        unknown = sorted(keys - handled)
        if unknown:
            notes.append(f"trust conditions not carried over ({', '.join(unknown)}): {text}")
    if principals:
        trust["aws_principals"] = sorted(set(principals))
        trust["require_mfa"] = all(mfa)
        if any(mfa) and not all(mfa):
            notes.append("MFA was required for some AWS principals only; the spec requires it for all or none")
    return trust, notes
