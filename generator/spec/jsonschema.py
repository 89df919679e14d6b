"""Export the cerberus schema as JSON Schema (draft 2020-12) and as Markdown field reference."""
from __future__ import annotations

from typing import Any

from generator import __version__
from generator.spec.schema import SCHEMA

_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean", "list": "array", "dict": "object"}


def _convert(rule: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    typ = rule.get("type")
    if isinstance(typ, list):
        out["type"] = sorted({_TYPES[t] for t in typ} | ({"array"} if "list" in typ else set()))
        if "list" in typ:
            out["items"] = {"type": ["string", "boolean", "integer"]}
    elif typ == "date":
        out["type"] = "string"
        out["format"] = "date"
    elif typ:
        out["type"] = _TYPES[typ]
    meta = rule.get("meta", {})
    if "description" in meta:
        out["description"] = meta["description"]
    if "default" in rule:
        out["default"] = rule["default"]
    if "allowed" in rule:
        out["enum"] = list(rule["allowed"])
    if "regex" in rule:
        out["pattern"] = f"^(?:{rule['regex']})$"
    if "min" in rule:
        out["minimum"] = rule["min"]
    if "max" in rule:
        out["maximum"] = rule["max"]
    for src, dst_str, dst_list, dst_obj in (("minlength", "minLength", "minItems", "minProperties"), ("maxlength", "maxLength", "maxItems", "maxProperties")):
        if src in rule:
            key = {"string": dst_str, "list": dst_list, "dict": dst_obj}.get(typ if isinstance(typ, str) else "", dst_str)
            out[key] = rule[src]
    if typ == "list" and "schema" in rule:
        out["items"] = _convert(rule["schema"])
    if typ == "dict":
        if "schema" in rule:
            out.update(_object(rule["schema"]))
        else:
            if "valuesrules" in rule:
                out["additionalProperties"] = _convert(rule["valuesrules"])
            if "keysrules" in rule and "regex" in rule["keysrules"]:
                out["propertyNames"] = {"pattern": f"^(?:{rule['keysrules']['regex']})$"}
    return out


def _object(fields: dict[str, Any]) -> dict[str, Any]:
    props = {name: _convert(rule) for name, rule in fields.items()}
    required = sorted(name for name, rule in fields.items() if rule.get("required"))
    out: dict[str, Any] = {"properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def json_schema(fields: dict[str, Any] | None = None, kind: str = "spec") -> dict[str, Any]:
    """A cerberus schema (the account spec's by default) as JSON Schema draft 2020-12; ``kind``
    names it (``spec`` or ``organization``)."""
    doc: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://iamforge.dev/schema/{kind}-v1.json",
        "title": f"iamforge {kind} v1",
        "description": (f"One AWS account's identity baseline (iamforge {__version__})." if kind == "spec" else
                        f"An AWS organisation: OUs, accounts, guardrails (iamforge {__version__})."),
        "type": "object",
    }
    doc.update(_object(SCHEMA if fields is None else fields))
    return doc


def _rows(fields: dict[str, Any], prefix: str) -> list[str]:
    rows: list[str] = []
    for name, rule in fields.items():
        path = f"{prefix}{name}"
        typ = rule.get("type")
        typ_text = " or ".join(typ) if isinstance(typ, list) else str(typ)
        default = rule.get("default")
        default_text = "" if default in (None, {}) else f"`{default}`"
        if rule.get("required"):
            default_text = "**required**"
        constraints = []
        if "allowed" in rule:
            constraints.append("one of " + ", ".join(f"`{a}`" for a in rule["allowed"]))
        if "regex" in rule:
            constraints.append(f"format `{rule['regex']}`")
        if "min" in rule or "max" in rule:
            constraints.append(f"range {rule.get('min', '')}..{rule.get('max', '')}")
        desc = rule.get("meta", {}).get("description", "")
        extra = f" ({'; '.join(constraints)})" if constraints else ""
        rows.append(f"| `{path}` | {typ_text} | {default_text} | {desc}{extra} |".replace("\n", " "))
        if typ == "dict" and "schema" in rule:
            rows.extend(_rows(rule["schema"], f"{path}."))
        elif (typ == "dict" and isinstance(rule.get("valuesrules"), dict) and rule["valuesrules"].get("type") == "dict"
              and "schema" in rule["valuesrules"]):
            rows.extend(_rows(rule["valuesrules"]["schema"], f"{path}.<key>."))
        elif typ == "list" and isinstance(rule.get("schema"), dict) and "schema" in rule["schema"]:
            rows.extend(_rows(rule["schema"]["schema"], f"{path}[]."))
    return rows


def markdown_reference(fields: dict[str, Any] | None = None, source: str = "generator/spec/schema.py",
                       title: str = "iamforge spec v1", flag: str = "") -> str:
    """docs/spec.md: every field with type, default and meaning, generated from the schema (or
    from ``fields``, another schema, with its ``source``, ``title`` and ``schema`` option)."""
    option = f" {flag}" if flag else ""
    head = [
        f"# {title}: field reference",
        "",
        f"Generated from `{source}` by `iamforge schema{option} --format markdown`; do not edit by hand",
        f"(a test fails when this file and the schema disagree). `iamforge schema{option}` prints the same schema as",
        "JSON Schema (draft 2020-12) for editors and CI.",
        "",
        "Unknown keys are errors (with a did-you-mean suggestion). Strings that YAML 1.1 would turn into",
        "other types (`NO`, `yes`, `011122223333`, `2024-01-01`) must be quoted where text is expected.",
        "",
        "| Field | Type | Default | Meaning |",
        "|---|---|---|---|",
    ]
    return "\n".join(head + _rows(SCHEMA if fields is None else fields, "")) + "\n"
