"""Policy document types and the small builders every policy module uses.

A document is plain data (``dict``/``list``/``str``) in the exact shape that is
validated and then emitted with Terraform's ``jsonencode``. The builders keep that
shape uniform so rules never have to guess:

* ``Action``/``NotAction``/``Resource``/``NotResource`` are always lists, sorted and
  de-duplicated (order carries no meaning in IAM).
* ``Principal`` values are always lists, sorted.
* ``Condition`` is ``{operator: {key: [values]}}`` with operators and keys sorted and
  every value a list of strings (numbers and booleans as their IAM string form).
* Statement keys appear in the order ``Sid, Effect, Principal, Action|NotAction,
  Resource|NotResource, Condition``.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

POLICY_VERSION = "2012-10-17"

KIND_IDENTITY = "identity"
KIND_BOUNDARY = "boundary"
KIND_TRUST = "trust"
KIND_RESOURCE = "resource"
KINDS = (KIND_IDENTITY, KIND_BOUNDARY, KIND_TRUST, KIND_RESOURCE)

_SID_OK = re.compile(r"^[A-Za-z0-9]+\Z")
# IAM accepts TAB, LF, CR and U+0020-U+00FF in a policy document's JSON text.
_IAM_REJECTS = re.compile(r"[^\t\n\r\u0020-\u00ff]")
_SID_DROP = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True)
class PolicyDoc:
    """One policy document, with where it comes from and where it is attached.

    Attributes:
        key: Stable unique id (``boundary.engineering``, ``role.engineering.developer.trust``).
        kind: ``identity``, ``boundary``, ``trust`` or ``resource``.
        name: IAM policy name (managed or inline) or the resource it belongs to.
        spec_path: Dotted spec path the document derives from; findings are placed there.
        document: ``{"Version": ..., "Statement": [...]}`` exactly as emitted.
        attachments: ``(principal_kind, principal_name)`` pairs the document reaches.
            For boundaries: every principal carrying it as permissions boundary.
        managed: True for a customer-managed policy (``aws_iam_policy``).
        description: Human description (managed policies carry it into IAM).
    """

    key: str
    kind: str
    name: str
    spec_path: str
    document: dict = field(hash=False)
    attachments: tuple = ()
    managed: bool = False
    description: str = ""

    @cached_property
    def text(self) -> TextFacts:
        """What IAM sees of the document's JSON, worked out once for the rules and the renderer."""
        return text_facts(self.document)


@dataclass(frozen=True)
class PolicySet:
    """Every document built from one spec, by key, in a deterministic order.

    Attributes:
        docs: Documents by key; insertion order is the build order.
        memberships: User name to the groups it belongs to (so a user's effective
            identity policies include its groups' policies).
    """

    docs: dict[str, PolicyDoc] = field(hash=False)
    memberships: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    def _index(self) -> dict[tuple[str, str, str], list[PolicyDoc]]:
        """Documents by ``(kind, principal_kind, principal_name)``, built once per set of docs.

        The lookups below run once per principal; scanning every document each time made
        validate and render quadratic in the number of roles. The index is rebuilt when
        documents were added after it was built (the dict only grows while a set is built).
        """
        cached = self.__dict__.get("_by_attachment")
        if cached is not None and cached[0] == len(self.docs):
            return cached[1]
        index: dict[tuple[str, str, str], list[PolicyDoc]] = {}
        for d in self.docs.values():
            for a in dict.fromkeys(tuple(a) for a in d.attachments):
                index.setdefault((d.kind, a[0], a[1]), []).append(d)
        object.__setattr__(self, "_by_attachment", (len(self.docs), index))
        return index

    def for_principal(self, kind: str, name: str) -> list[PolicyDoc]:
        """Identity documents reaching a principal: its own and, for users, its groups'.

        Boundaries and trust policies are not included (see ``boundary_of``/``trust_of``).
        """
        targets = [(kind, name)]
        if kind == "user":
            targets += [("group", g) for g in self.memberships.get(name, ())]
        index = self._index()
        position = self._position()
        # Unique, in build order, as a scan over ``docs`` gives.
        found = {d.key: d for t in targets for d in index.get((KIND_IDENTITY, *t), ())}
        return sorted(found.values(), key=lambda d: position[d.key])

    def _position(self) -> dict[str, int]:
        """Build position of each document key (keeps lookups in build order)."""
        cached = self.__dict__.get("_positions")
        if cached is not None and cached[0] == len(self.docs):
            return cached[1]
        positions = {k: i for i, k in enumerate(self.docs)}
        object.__setattr__(self, "_positions", (len(self.docs), positions))
        return positions

    def boundary_of(self, kind: str, name: str) -> PolicyDoc | None:
        """The permissions boundary document carried by a role or user, if any."""
        found = self._index().get((KIND_BOUNDARY, kind, name))
        return found[0] if found else None

    def trust_of(self, role_name: str) -> PolicyDoc | None:
        """The trust (assume-role) policy of a role, if one was built."""
        found = self._index().get((KIND_TRUST, "role", role_name))
        return found[0] if found else None

    def of_kind(self, kind: str) -> list[PolicyDoc]:
        """All documents of one kind, in build order."""
        return [d for d in self.docs.values() if d.kind == kind]

    def get(self, key: str) -> PolicyDoc | None:
        """The document with ``key``, or None."""
        return self.docs.get(key)


def sorted_unique(values: Iterable[str]) -> list[str]:
    """Sorted, de-duplicated list of strings."""
    return sorted(set(values))


def _value_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_scalar(v) for v in value]
    else:
        items = [_scalar(value)]
    return sorted_unique(items)


def _scalar(value: Any) -> str:
    # IAM compares condition values as strings; booleans must be the lowercase words.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def conditions(block: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, list[str]]]:
    """Normalize a condition block: operators and keys sorted, every value a sorted list.

    Args:
        block: ``{operator: {key: value-or-values}}``; empty operators are dropped.

    Returns:
        The normalized block (possibly empty).
    """
    out: dict[str, dict[str, list[str]]] = {}
    for op in sorted(block or {}):
        keys = block[op] or {}
        if not keys:
            continue
        out[op] = {k: _value_list(keys[k]) for k in sorted(keys)}
    return out


def merge_conditions(*blocks: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, list[str]]]:
    """Merge several condition blocks (same operator and key: values are united)."""
    merged: dict[str, dict[str, list[str]]] = {}
    for block in blocks:
        for op, keys in conditions(block).items():
            target = merged.setdefault(op, {})
            for key, values in keys.items():
                target[key] = sorted_unique([*target.get(key, []), *values])
    return conditions(merged)


def statement(
    sid: str,
    effect: str = "Allow",
    actions: Iterable[str] | None = None,
    resources: Iterable[str] | None = None,
    *,
    not_actions: Iterable[str] | None = None,
    not_resources: Iterable[str] | None = None,
    principal: Mapping[str, Iterable[str]] | None = None,
    condition: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Build one statement in the canonical shape.

    Args:
        sid: Statement id; must match ``[A-Za-z0-9]+``.
        effect: ``Allow`` or ``Deny``.
        actions: ``Action`` values (mutually exclusive with ``not_actions``).
        resources: ``Resource`` values (omit for trust policies).
        not_actions: ``NotAction`` values.
        not_resources: ``NotResource`` values.
        principal: ``{"AWS"|"Service"|"Federated": [...]}`` for trust and resource policies.
        condition: Condition block, normalized with ``conditions``.

    Returns:
        The statement dict.

    Raises:
        ValueError: On an invalid Sid or effect, or when both/neither of Action and NotAction are given.
    """
    if not _SID_OK.match(sid):
        raise ValueError(f"invalid Sid {sid!r}: only letters and digits are allowed")
    if effect not in ("Allow", "Deny"):
        raise ValueError(f"invalid Effect {effect!r}")
    if (actions is None) == (not_actions is None):
        raise ValueError("exactly one of actions / not_actions is required")
    st: dict[str, Any] = {"Sid": sid, "Effect": effect}
    if principal is not None:
        st["Principal"] = {k: sorted_unique(principal[k]) for k in sorted(principal)}
    if actions is not None:
        st["Action"] = sorted_unique(actions)
    else:
        st["NotAction"] = sorted_unique(not_actions or [])
    if resources is not None:
        st["Resource"] = sorted_unique(resources)
    if not_resources is not None:
        st["NotResource"] = sorted_unique(not_resources)
    cond = conditions(condition)
    if cond:
        st["Condition"] = cond
    return st


def policy(statements: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Wrap statements into a document with ``Version`` 2012-10-17 (policy variables need it)."""
    return {"Version": POLICY_VERSION, "Statement": [dict(s) for s in statements]}


def make_sid(*parts: str) -> str:
    """A valid Sid from free-form parts: ``make_sid("allow", "s3-read")`` -> ``AllowS3Read``."""
    words: list[str] = []
    for part in parts:
        words.extend(w for w in _SID_DROP.split(str(part)) if w)
    sid = "".join(w[:1].upper() + w[1:] for w in words)
    return sid or "Statement"


def unique_sids(sids: Iterable[str]) -> list[str]:
    """Make Sids unique by suffixing repeats with 2, 3, ... (first occurrence unchanged)."""
    seen: set[str] = set()
    out: list[str] = []
    for sid in sids:
        candidate, n = sid, 1
        while candidate in seen:
            n += 1
            candidate = f"{sid}{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


def json_size(text: str) -> int:
    """IAM's count of a policy's JSON ``text`` against its size quotas: every character but
    whitespace (space, tab, CR, LF; inside string values too); non-ASCII characters count once."""
    return len(text) - sum(text.count(c) for c in " \t\n\r")


def minified_size(document: Mapping[str, Any]) -> int:
    """Size as IAM counts it against quotas (:func:`json_size` of the compact JSON)."""
    return json_size(canonical_json(document))


_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def canonical_json(document: Mapping[str, Any]) -> str:
    """The document as compact JSON with its insertion order kept (for hashing and tests)."""
    return _COMPACT.encode(document)


def content_key(text: str) -> bytes:
    """SHA-256 of a document's :func:`canonical_json` text: equal documents have equal keys."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True, slots=True)
class TextFacts:
    """A document's compact JSON text as IAM receives it, reduced to what is checked of it (the
    text itself is not kept: at 10,000 roles the texts alone would take tens of megabytes).

    Attributes:
        key: :func:`content_key` of the text: equal documents have equal keys.
        size: :func:`json_size`, what IAM counts against its size quotas.
        rejected: The characters in it that IAM rejects, sorted (usually none).
    """

    key: bytes
    size: int
    rejected: tuple[str, ...]


def text_facts(document: Mapping[str, Any]) -> TextFacts:
    """The :class:`TextFacts` of ``document``, from one encoding of it."""
    text = canonical_json(document)
    # JSON writes tab, CR and LF inside strings as escapes, so spaces are the only whitespace
    # left to discount, and an all-ASCII text (CPython knows without a scan) has no rejected
    # characters: the controls below U+0020 are escaped too.
    rejected = () if text.isascii() else tuple(sorted(set(_IAM_REJECTS.findall(text))))
    return TextFacts(content_key(text), len(text) - text.count(" "), rejected)
