"""POL-008: ForAllValues/ForAnyValue only with multivalued keys, and multivalued keys only with them."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.catalog import catalog
from generator.rules.base import DocumentRule
from generator.rules.context import DocView


class SetOperators(DocumentRule):
    id = "POL-008"
    title = "Set operators match single- or multi-valued keys"
    grade = "HIGH"
    rationale = "ForAllValues on a single-valued key is true when the key is absent: the condition lets everything through."
    remediation = "Drop the qualifier for single-valued keys; add ForAnyValue/ForAllValues for multivalued ones."
    references = ("Access Analyzer: ForAllValues with single valued key / Missing qualifier",
                  "parliament SINGLE_VALUE_CONDITION_TOO_PERMISSIVE")
    kinds = ("identity", "boundary", "trust")

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        cat = catalog()
        for stmt in doc.policy.statements:
            for cond in stmt.conditions:
                key_type = cat.key_type(cond.key, stmt.services())
                if key_type is None:
                    continue
                path = f"{stmt.path}.Condition.{cond.operator}"
                multi = key_type.startswith("ArrayOf")
                if cond.qualifier and cond.base == "Null":
                    yield path, f"{cond.operator}: Null does not take a set qualifier"
                elif cond.qualifier and not multi:
                    yield path, f"{cond.qualifier} on single-valued {cond.key} is overly permissive; drop the qualifier"
                elif multi and not cond.qualifier and cond.base != "Null":
                    yield path, f"{cond.key} is multivalued; say ForAnyValue: or ForAllValues:"
