"""Policy documents normalized into statements the rules can reason about.

Normalization never raises: a malformed document yields the statements that could be read,
and grammar problems are left for the POL rules, which look at ``Statement.raw``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from generator.analysis.catalog import catalog

T = TypeVar("T")
SET_QUALIFIERS = ("ForAllValues", "ForAnyValue")


def as_list(value: Any) -> list:
    """IAM accepts a scalar or a list almost everywhere: always give a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


@dataclass(frozen=True)
class Condition:
    """One ``operator: {key: values}`` pair of a Condition block."""

    operator: str  # as written: ``ForAnyValue:StringLikeIfExists``
    key: str
    values: tuple[str, ...]

    @property
    def qualifier(self) -> str:
        head, sep, _ = self.operator.partition(":")
        return head if sep else ""

    @property
    def base(self) -> str:
        """The operator without qualifier and ``IfExists``: ``StringLike``."""
        op = self.operator.partition(":")[2] if self.qualifier else self.operator
        return op[: -len("IfExists")] if op.endswith("IfExists") else op

    @property
    def if_exists(self) -> bool:
        return self.operator.endswith("IfExists")

    @property
    def negated(self) -> bool:
        return "Not" in self.base

    @property
    def key_lower(self) -> str:
        return self.key.lower()


@dataclass(frozen=True)
class Statement:
    """A statement with every element as a tuple; ``not_*`` flags record the negated forms."""

    index: int
    path: str  # ``Statement[2]`` (``Statement`` when the document holds a single object)
    sid: str | None
    effect: str
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    conditions: tuple[Condition, ...]
    principals: tuple[tuple[str, str], ...]  # (type, value): ("AWS", "*"), ("Service", "ec2.amazonaws.com")
    not_principal: bool
    raw: dict = field(compare=False, hash=False, repr=False)
    # Derived values kept by memo(); a field, so instance dicts keep sharing their keys.
    _memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def allow(self) -> bool:
        return self.effect == "Allow"

    @property
    def action_key(self) -> str:
        return "NotAction" if self.not_action else "Action"

    @property
    def resource_key(self) -> str:
        return "NotResource" if self.not_resource else "Resource"

    def memo(self, name: str, compute: Callable[[Statement], T]) -> T:
        """``compute(self)``, kept on the statement: statements never change, and the
        effective-permission model asks for the same derived values many thousand times."""
        try:
            return self._memo[name]
        except KeyError:
            value = self._memo[name] = compute(self)
            return value

    def expanded(self) -> frozenset[str]:
        """Catalogued actions this statement covers (lower-case), NotAction complemented."""
        return self.memo("_expanded", lambda s: catalog().expand_all(s.actions, s.not_action))

    @property
    def every_action(self) -> bool:
        """True when ``Action`` names every action of every service: ``"*"``, ``"*:*"``, ``"*:?*"``."""
        return self.memo("_every_action", _names_every_action)

    def has_wildcard_resource(self) -> bool:
        return not self.not_resource and "*" in self.resources

    def services(self) -> tuple[str, ...]:
        """The service prefixes the actions name, lower-case and sorted."""
        return self.memo("_services", _services)


def _services(stmt: Statement) -> tuple[str, ...]:
    return tuple(sorted({a.partition(":")[0].lower() for a in stmt.actions if ":" in a}))


def _names_every_action(stmt: Statement) -> bool:
    if stmt.not_action:
        return False
    cat = catalog()
    return any(cat.covers_everything(a) for a in stmt.actions)


@dataclass(frozen=True)
class Policy:
    """A normalized policy document."""

    version: str | None
    statements: tuple[Statement, ...]
    raw: Any = field(compare=False, hash=False, repr=False)
    single_statement: bool = False  # ``Statement`` written as an object, not a list


def principal_pairs(value: Any) -> tuple[tuple[str, str], ...]:
    """``Principal`` as (kind, value) pairs; a bare string (``"*"``) gives kind ``"*"``."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (("*", value),)
    if isinstance(value, dict):
        return tuple((str(k), str(v)) for k, vs in value.items() for v in as_list(vs))
    return ()


def _conditions(value: Any) -> tuple[Condition, ...]:
    out = []
    if isinstance(value, dict):
        for op, body in value.items():
            if isinstance(body, dict):
                for key, vals in body.items():
                    out.append(Condition(str(op), str(key), tuple(str(v) for v in as_list(vals))))
    return tuple(out)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in as_list(value) if isinstance(v, str))


def normalize_statement(index: int, raw: Any, path: str = "") -> Statement:
    """One raw statement as a :class:`Statement` (missing parts become empty tuples)."""
    raw = raw if isinstance(raw, dict) else {}
    sid = raw.get("Sid")
    return Statement(
        index=index,
        path=path or f"Statement[{index}]",
        sid=str(sid) if sid is not None else None,
        effect=str(raw.get("Effect", "")),
        actions=_strings(raw.get("NotAction", raw.get("Action"))),
        not_action="NotAction" in raw and "Action" not in raw,
        resources=_strings(raw.get("NotResource", raw.get("Resource"))),
        not_resource="NotResource" in raw and "Resource" not in raw,
        conditions=_conditions(raw.get("Condition")),
        principals=principal_pairs(raw.get("NotPrincipal", raw.get("Principal"))),
        not_principal="NotPrincipal" in raw and "Principal" not in raw,
        raw=raw,
    )


def normalize(document: Any) -> Policy:
    """Normalize a policy document (a dict as parsed from JSON); never raises."""
    if not isinstance(document, dict):
        return Policy(version=None, statements=(), raw=document)
    body = document.get("Statement")
    single = isinstance(body, dict)
    statements = tuple(
        normalize_statement(i, s, "Statement" if single else f"Statement[{i}]") for i, s in enumerate(as_list(body))
    )
    version = document.get("Version")
    return Policy(version=str(version) if version is not None else None, statements=statements,
                  raw=document, single_statement=single)


def optional_resources_on_star(policy: Policy) -> frozenset[str]:
    """Actions an Allow of ``policy`` grants on ``"*"`` with no condition whose resource types are
    all optional in AWS's reference (the action may name no resource: translate:TranslateText,
    s3:GetObject through an access point or a bucket): PRV-011's warnings, which checkov's
    CKV_AWS_355 fails as it fails the errors."""
    cat = catalog()
    found: set[str] = set()
    for stmt in policy.statements:
        if not stmt.allow or stmt.not_action or stmt.conditions or stmt.not_resource or "*" not in stmt.resources:
            continue
        for action in stmt.expanded():
            info = cat.actions.get(action)
            if info is not None and info.scopable and not info.resource_required:
                found.add(action)
    return frozenset(found)
