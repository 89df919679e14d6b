"""POL-007: service condition keys are supported by every action of their statement."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.catalog import catalog
from generator.rules.helpers import names
from generator.rules.base import DocumentRule
from generator.rules.context import DocView


class ConditionKeyApplies(DocumentRule):
    id = "POL-007"
    title = "Condition keys apply to the statement's actions"
    grade = "HIGH"
    rationale = "A key an action does not support is absent for it: Allows stop working, Denies stop denying."
    remediation = "Split the statement so each condition sits only with the actions that support its key."
    references = ("Access Analyzer: Unsupported action for condition key", "parliament UNKNOWN_CONDITION_FOR_ACTION")
    kinds = ("identity", "boundary")

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        cat = catalog()
        for stmt in doc.policy.statements:
            if stmt.not_action or stmt.every_action:
                continue
            actions = [cat.actions[a] for a in stmt.expanded() if a in cat.actions]
            for cond in stmt.conditions:
                if cat.is_global_key(cond.key) or not actions:
                    continue
                unsupported = [a.name for a in actions if not a.supports_key(cond.key)]
                if unsupported:
                    yield (f"{stmt.path}.Condition.{cond.operator}.{cond.key}",
                           f"{cond.key} does not apply to {names(unsupported)}")
