"""Render every blueprint for a spec in memory, then compare or write (see ``writer``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator.policies import build
from generator.render import writer
from generator.render.context_iam import (
    Ledger,
    RenderError,
    boundaries_context,
    departments_context,
    mfa_context,
    password_policy_context,
    roles_context,
)
from generator.render.context_logging import access_analyzer_context, cloudtrail_context, regions
from generator.render.environment import Blueprint, catalogue, environment, tf_name
from generator.render.hcl import Expr
from generator.spec.model import Spec

TERRAFORM_VERSION = ">= 1.5"
# 5.81 is the first release with both the *_exclusive IAM resources and an optional
# thumbprint_list on aws_iam_openid_connect_provider.
PROVIDER_VERSION = ">= 5.81"

# Child modules in the order the root module composes them.
MODULES = ("password_policy", "mfa", "boundaries", "departments", "roles", "access_analyzer", "cloudtrail")


@dataclass
class GenerateResult:
    """What :func:`generate` did, or would do.

    Attributes:
        out_dir: the output folder.
        files: every file the spec generates (relative POSIX paths, manifest included).
        written: files written by this run (empty for check and dry runs).
        unchanged: generated files already identical on disk.
        removed: stale files of a previous run deleted by this run (empty for check and dry runs).
        differences: how the folder differed from the spec's output before this run
            (for ``check``: non-empty means out of date).
        check: True when run with ``check=True``.
        dry_run: True when run with ``dry_run=True``.
    """

    out_dir: Path
    files: list[str]
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    differences: list[writer.Difference] = field(default_factory=list)
    check: bool = False
    dry_run: bool = False

    @property
    def up_to_date(self) -> bool:
        """True when the folder already matched the spec's output."""
        return not self.differences


def _lookup(m: dict[str, Any], dotted: str) -> Any:
    value: Any = m
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _resolve_io(bp: Blueprint, m: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    """The blueprint's inputs and outputs that apply to this spec, templated values rendered."""
    env = environment()

    def keep(item: dict) -> bool:
        return "when" not in item or bool(_lookup(m, item["when"]))

    inputs = []
    for item in bp.inputs:
        if keep(item):
            entry = {k: v for k, v in item.items() if k not in ("when", "default_from")}
            if "default_from" in item:
                entry["default"] = _lookup(m, item["default_from"])
            inputs.append(entry)
    outputs = []
    for item in bp.outputs:
        if keep(item):
            entry = {k: v for k, v in item.items() if k != "when"}
            entry["value"] = env.from_string(str(item["value"])).render(m=m)
            outputs.append(entry)
    return inputs, outputs


def module_contexts(spec: Spec) -> dict[str, dict[str, Any]]:
    """The template context of every module the spec needs (root included), by blueprint name.

    Raises:
        RenderError: when a policy document built from the spec has no place in the output.
    """
    ledger = Ledger(build(spec))
    contexts: dict[str, dict[str, Any] | None] = {
        "password_policy": password_policy_context(spec),
        "mfa": mfa_context(spec, ledger),
        "boundaries": boundaries_context(spec, ledger),
        "departments": departments_context(spec, ledger),
        "roles": roles_context(spec, ledger),
        "access_analyzer": access_analyzer_context(spec),
        "cloudtrail": cloudtrail_context(spec, ledger),
    }
    unused = ledger.unused()
    if unused:
        raise RenderError(f"policy documents built but not emitted by any blueprint: {', '.join(unused)}")
    present = {k: v for k, v in contexts.items() if v is not None}
    present["root"] = _root_context(spec, present)
    return present


def _root_context(spec: Spec, modules: dict[str, dict[str, Any]]) -> dict[str, Any]:
    boundaries = Expr("module.boundaries.arns") if "boundaries" in modules else {}
    args: dict[str, dict[str, Any]] = {}
    if "departments" in modules:
        dept = modules["departments"]
        managed: dict[str, Any] = {}
        for key in dept["managed_policy_keys"]:
            if key != modules.get("mfa", {}).get("key"):
                raise RenderError(f"{key}: no module creates this managed policy")
            managed[key] = Expr("module.mfa.policy_arn")
        args["departments"] = {"boundary_arns": boundaries, "managed_policy_arns": managed}
    if "roles" in modules:
        args["roles"] = {"boundary_arns": boundaries}
    roles = modules.get("roles") or {}
    analyzer = modules.get("access_analyzer") or {}
    catalog = catalogue()
    return {
        "account_id": spec.account.id,
        "regions": regions(spec),
        "home_region": spec.account.home_region,
        "home_alias": tf_name(spec.account.home_region),
        "modules": {name: name in modules for name in MODULES},
        "module_list": [{"name": n, "title": catalog[n].title} for n in MODULES if n in modules],
        "departments_args": args.get("departments", {}),
        "roles_args": args.get("roles", {}),
        "github": bool(roles.get("github")),
        "external_access": bool(analyzer.get("external_access")),
        "alarm_topic": bool((modules.get("cloudtrail") or {}).get("sns")),
        "suppressions": _suppressions_in_use(modules),
    }


def _suppressions_in_use(modules: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """Every inline checkov suppression the output carries, for the root README."""
    found: list[dict[str, str]] = []

    def add(where: str, skips: Any) -> None:
        module, resource = where.split(": ")
        found.extend({"check_id": s.check_id, "module": module, "resource": resource, "reason": s.reason} for s in skips)

    if "boundaries" in modules:
        add("boundaries: aws_iam_policy.this", modules["boundaries"]["skips"])
    if "departments" in modules:
        add("departments: aws_iam_user.this", modules["departments"]["user_skips"])
    if "roles" in modules:
        add("roles: aws_iam_role.this", modules["roles"]["role_skips"])
    if "cloudtrail" in modules:
        ct = modules["cloudtrail"]
        add("cloudtrail: aws_cloudtrail.this", ct["trail"]["skips"])
        add("cloudtrail: aws_s3_bucket.this", ct["bucket"]["skips"])
        if ct["access_log_bucket"]:
            add("cloudtrail: aws_s3_bucket.access_logs", ct["access_log_bucket"]["skips"])
    return found


def render(spec: Spec, extra_files: dict[str, str] | None = None) -> dict[str, str]:
    """Every generated file for ``spec`` (relative POSIX path -> text), manifest included.

    ``extra_files`` are added to the root as they are (``imports.tf`` from ``--adopt``) and
    listed in the manifest like every other generated file.
    """
    env = environment()
    spec_file = PurePosixPath(Path(spec.file).as_posix()).name
    files: dict[str, str] = {}
    for name, m in module_contexts(spec).items():
        bp = catalogue()[name]
        inputs, outputs = _resolve_io(bp, m)
        for template in bp.templates:
            target = PurePosixPath(bp.target) / template[: -len(".jinja")]
            files[str(target)] = env.get_template(f"{name}/{template}").render(
                spec_file=spec_file,
                bp=bp,
                m=m,
                inputs=inputs,
                outputs=outputs,
                terraform_version=TERRAFORM_VERSION,
                provider_version=PROVIDER_VERSION,
            )
    for name, text in (extra_files or {}).items():
        if name in files:
            raise ValueError(f"extra file {name} would replace a generated file")
        files[name] = text
    files[writer.MANIFEST] = writer.manifest_text(files, spec_file)
    return dict(sorted(files.items()))


def generate(spec: Spec, out_dir: Path, *, check: bool = False, dry_run: bool = False,
             extra_files: dict[str, str] | None = None) -> GenerateResult:
    """Generate the Terraform for ``spec`` into ``out_dir`` (see the package docstring)."""
    out_dir = Path(out_dir)
    files = render(spec, extra_files)
    plan = writer.plan(files, out_dir)
    result = GenerateResult(
        out_dir=out_dir,
        files=list(files),
        unchanged=list(plan.unchanged),
        differences=plan.differences,
        check=check,
        dry_run=dry_run,
    )
    if check or dry_run:
        return result
    writer.commit(plan)
    result.written = sorted(plan.added + plan.modified)
    result.removed = list(plan.removed)
    return result
