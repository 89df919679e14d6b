"""Rule discovery: every ``generator/rules/<family>/<family>_<nnn>_<slug>.py`` holds one rule.

There is no hand-kept list; adding a module adds the rule. Retired ids live in
``RETIRED.yaml`` and are never reused.
"""
from __future__ import annotations

import importlib
import inspect
import re
from functools import lru_cache
from pathlib import Path

import yaml

from generator.rules.base import DocumentRule, PrincipalRule, Rule

RULES_DIR = Path(__file__).parent
MODULE_NAME = re.compile(r"^(?P<family>[a-z]+)_(?P<number>\d{3})_(?P<slug>[a-z0-9_]+)\.py\Z")
RULE_ID = re.compile(r"^[A-Z]+-\d{3}\Z")
_BASES = (Rule, DocumentRule, PrincipalRule)


def rule_modules() -> list[Path]:
    """Rule module files, sorted by path."""
    return sorted(p for p in RULES_DIR.glob("*/*.py") if MODULE_NAME.match(p.name))


def id_for_module(path: Path) -> str:
    """``prv/prv_005_privilege_escalation.py`` -> ``PRV-005``."""
    m = MODULE_NAME.match(path.name)
    if not m:
        raise ValueError(f"{path.name} is not a rule module name")
    return f"{m['family'].upper()}-{m['number']}"


@lru_cache(maxsize=1)
def _discover() -> tuple[tuple[Rule, Path], ...]:
    found: list[tuple[Rule, Path]] = []
    for path in rule_modules():
        module = importlib.import_module(f"generator.rules.{path.parent.name}.{path.stem}")
        classes = [c for _, c in inspect.getmembers(module, inspect.isclass)
                   if issubclass(c, Rule) and c not in _BASES and c.__module__ == module.__name__]
        for cls in classes:
            found.append((cls(), path))
    return tuple(sorted(found, key=lambda item: item[0].id))


def all_rules() -> list[Rule]:
    """One instance of every rule, sorted by id."""
    return [rule for rule, _ in _discover()]


def module_of(rule_id: str) -> Path | None:
    return next((path for rule, path in _discover() if rule.id == rule_id), None)


def get(rule_id: str) -> Rule | None:
    """The rule with ``rule_id`` (case-insensitive), or None."""
    wanted = rule_id.upper()
    return next((r for r in all_rules() if r.id == wanted), None)


def doc_path(rule_id: str) -> Path | None:
    """The Markdown document beside the rule's module."""
    module = module_of(rule_id.upper())
    return module.with_suffix(".md") if module else None


@lru_cache(maxsize=1)
def retired() -> dict[str, str]:
    """Retired ids with the reason they were retired."""
    data = yaml.safe_load((RULES_DIR / "RETIRED.yaml").read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in (data.get("retired") or {}).items()}


def known_ids() -> set[str]:
    """Live and retired ids (an ``exceptions:`` entry may still name a retired one)."""
    return {r.id for r in all_rules()} | set(retired())


def explain(rule_id: str) -> str:
    """The rule's header (id, title, severity, references) followed by its Markdown document."""
    rule = get(rule_id)
    if rule is None:
        reason = retired().get(rule_id.upper())
        if reason:
            return f"{rule_id.upper()} is retired: {reason}\n"
        raise KeyError(rule_id)
    path = doc_path(rule.id)
    body = path.read_text(encoding="utf-8") if path and path.is_file() else ""
    head = [f"{rule.id}: {rule.title}", f"severity: {rule.severity.value} (catalogue grade {rule.grade})"]
    if not rule.waivable:
        head.append("cannot be waived: AWS rejects what it reports, so an `exceptions:` entry would only move the failure to apply")
    if rule.remediation:
        head.append(f"fix: {rule.remediation}")
    if rule.references:
        head.append("references: " + "; ".join(rule.references))
    return "\n".join(head) + "\n\n" + body
