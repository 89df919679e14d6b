"""POL-006: condition operators exist and match the type of their key."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.catalog import catalog
from generator.analysis.conditions import SET_QUALIFIERS, operator_family
from generator.rules.base import DocumentRule
from generator.rules.context import DocView


_COMPATIBLE = {
    "String": {"String"},
    "ARN": {"ARN", "String"},
    "Bool": {"Bool"},
    "Numeric": {"Numeric"},
    "Date": {"Date"},
    "IPAddress": {"IPAddress"},
}


class ConditionTypes(DocumentRule):
    id = "POL-006"
    title = "Condition operators and key types"
    grade = "HIGH"
    rationale = "An unknown operator is rejected; a type mismatch makes the condition never (or always) match."
    remediation = "Use the operator family of the key's type (String*, Arn*, Bool, Numeric*, Date*, IpAddress) or Null."
    references = ("Access Analyzer: Invalid condition operator / Data type mismatch", "parliament MISMATCHED_TYPE")
    kinds = ("identity", "boundary", "trust")

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        cat = catalog()
        for stmt in doc.policy.statements:
            for cond in stmt.conditions:
                path = f"{stmt.path}.Condition.{cond.operator}"
                family = operator_family(cond.operator)
                if cond.qualifier not in SET_QUALIFIERS:
                    yield path, (f"condition operator {cond.operator!r}: {cond.qualifier!r} is not a set operator "
                                 "(ForAllValues or ForAnyValue, spelt so)")
                    continue
                if family is None:
                    yield path, f"condition operator {cond.operator!r} does not exist"
                    continue
                if family == "Null":
                    if cond.if_exists or any(v.lower() not in ("true", "false") for v in cond.values):
                        yield path, f"Null on {cond.key} takes only true or false, without IfExists"
                    continue
                key_type = (cat.key_type(cond.key, stmt.services()) or "").replace("ArrayOf", "")
                if key_type and family not in _COMPATIBLE.get(key_type, {key_type}):
                    yield path, f"{cond.operator} does not fit {cond.key}, which is of type {key_type}"
                elif family == "Bool" and any(v.lower() not in ("true", "false") for v in cond.values):
                    yield path, f"Bool on {cond.key} takes true or false"
                elif "Like" not in cond.base and family == "String" and any("*" in v for v in cond.values):
                    yield path, f"{cond.operator} compares {cond.key} literally; the * only works with a Like operator"
