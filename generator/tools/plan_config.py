"""Follow references in a ``terraform show -json`` plan's configuration to the resources they name.

At plan time the ARN of a policy created in the same run is unknown, so an attachment's
``policy_arn`` is unknown too. The plan's ``configuration`` section still says which
expression produced it; this module follows such references through module inputs
(``var.x``) and module outputs (``module.m.out``) to the resource addresses they name.
Locals are not in the plan JSON, so a reference through ``local.*`` stays unresolved.
"""
from __future__ import annotations

import re

_INSTANCE_KEY = re.compile(r"\[[^\]]*\]")
_KEY = re.compile(r'\["?([^"\]]*)"?\]$')


def strip_keys(address: str) -> str:
    """``module.a["x"].aws_iam_policy.this["k"]`` -> ``module.a.aws_iam_policy.this``."""
    return _INSTANCE_KEY.sub("", address)


def instance_key(address: str) -> str:
    """The last instance key of an address (``this["k"]`` -> ``k``), or ''."""
    match = _KEY.search(address)
    return match.group(1) if match else ""


def module_prefix(address: str) -> str:
    """``module.a.module.b.aws_x.y`` -> ``module.a.module.b`` (keys stripped); root is ''."""
    parts = strip_keys(address).split(".")
    prefix: list[str] = []
    while len(parts) >= 2 and parts[0] == "module":
        prefix += parts[:2]
        parts = parts[2:]
    return ".".join(prefix)


class PlanConfig:
    """Index of a plan's ``configuration`` by module path (``''`` for the root)."""

    def __init__(self, plan: dict) -> None:
        self.modules: dict[str, dict] = {}
        root = (plan.get("configuration") or {}).get("root_module") or {}
        self._index("", root)

    def _index(self, path: str, module: dict) -> None:
        self.modules[path] = module
        for name, call in (module.get("module_calls") or {}).items():
            child = f"{path}.module.{name}" if path else f"module.{name}"
            self._index(child, call.get("module") or {})

    def resource_expressions(self, address: str) -> dict:
        """The configuration expressions of the resource behind an instance address."""
        base = strip_keys(address)
        prefix = module_prefix(address)
        for res in self.modules.get(prefix, {}).get("resources", []):
            full = f"{prefix}.{res.get('address')}" if prefix else res.get("address")
            if full == base:
                return res.get("expressions") or {}
        return {}

    def resolve(self, module_path: str, references: list[str], depth: int = 0) -> set[str]:
        """Resource config addresses (keys stripped, module path included) that ``references`` lead to."""
        found: set[str] = set()
        if depth > 20:
            return found
        module = self.modules.get(module_path, {})
        for ref in references:
            parts = strip_keys(ref).split(".")
            if parts[0] in ("each", "count", "self", "path", "terraform", "local", "data") or len(parts) < 2:
                continue
            if parts[0] == "var":
                found |= self._resolve_variable(module_path, parts[1], depth)
            elif parts[0] == "module":
                child = f"{module_path}.module.{parts[1]}" if module_path else f"module.{parts[1]}"
                if len(parts) >= 3:
                    output = (self.modules.get(child, {}).get("outputs") or {}).get(parts[2]) or {}
                    refs = (output.get("expression") or {}).get("references") or []
                    found |= self.resolve(child, refs, depth + 1)
            elif any(r.get("address") == f"{parts[0]}.{parts[1]}" for r in module.get("resources", [])):
                found.add(f"{module_path}.{parts[0]}.{parts[1]}" if module_path else f"{parts[0]}.{parts[1]}")
        return found

    def _resolve_variable(self, module_path: str, name: str, depth: int) -> set[str]:
        if not module_path:
            return set()
        if ".module." in module_path:
            parent, _, call = module_path.rpartition(".module.")
        else:  # a first-level module: "module.x"
            parent, call = "", module_path.split(".", 1)[1]
        call_cfg = (self.modules.get(parent, {}).get("module_calls") or {}).get(call) or {}
        expr = (call_cfg.get("expressions") or {}).get(name) or {}
        return self.resolve(parent, _references(expr), depth + 1)

    def attribute_targets(self, address: str, attribute: str) -> set[str]:
        """Resource config addresses that ``attribute`` of the resource at ``address`` refers to."""
        expr = self.resource_expressions(address).get(attribute) or {}
        return self.resolve(module_prefix(address), _references(expr))


def _references(expr: object) -> list[str]:
    """Every ``references`` list inside an expression (objects nest them per key)."""
    if isinstance(expr, dict):
        refs = list(expr.get("references") or [])
        for key, value in expr.items():
            if key != "references":
                refs += _references(value)
        return refs
    if isinstance(expr, list):
        return [r for item in expr for r in _references(item)]
    return []
