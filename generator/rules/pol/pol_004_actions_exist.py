"""POL-004: every action and service prefix exists in AWS's action catalogue."""
from __future__ import annotations

import difflib
from collections.abc import Iterator
from functools import lru_cache

from generator.analysis.catalog import catalog
from generator.rules.base import DocumentRule
from generator.rules.context import DocView


class ActionsExist(DocumentRule):
    id = "POL-004"
    title = "Actions exist"
    grade = "HIGH"
    rationale = "A misspelt action grants nothing (or denies nothing), so the policy does not do what it says."
    remediation = "Fix the spelling; the message suggests the closest known action."
    references = ("Access Analyzer: Invalid action / Invalid service", "parliament UNKNOWN_ACTION / UNKNOWN_PREFIX")
    kinds = ("identity", "boundary")

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            listed = isinstance(stmt.raw.get(stmt.action_key), list)
            for i, action in enumerate(stmt.actions):
                problem = unknown_action(action)
                if problem:
                    path = f"{stmt.path}.{stmt.action_key}" + (f"[{i}]" if listed else "")
                    yield path, problem


@lru_cache(maxsize=65536)
def unknown_action(action: str) -> str | None:
    """Why ``action`` is not a known action or pattern, or None when it is fine."""
    cat = catalog()
    if action == "*":
        return None
    service, sep, name = action.partition(":")
    if not sep or not name:
        return f"{action!r} is not of the form service:Action"
    if any(c in service for c in "*?"):
        return None if cat.expand(action) else f"{action!r} matches no known action"
    if not cat.known_service(service):
        return f"service prefix {service!r} of {action!r} is unknown"
    if any(c in name for c in "*?"):
        return None if cat.expand(action) else f"{action!r} matches no action of {service}"
    if cat.lookup(action) is None:
        close = difflib.get_close_matches(name, _action_names(service.lower()), n=1)
        hint = f"; did you mean {service}:{close[0]}?" if close else ""
        return f"{action!r} is not an action of {service}{hint}"
    return None


@lru_cache(maxsize=512)
def _action_names(service: str) -> list[str]:
    """The canonical action names of a service, without its prefix (candidates for "did you mean")."""
    cat = catalog()
    return [cat.display(a).partition(":")[2] for a in cat.by_service[service]]
