"""Render every blueprint for a spec in memory, then compare or write (see ``writer``)."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator.errors import UsageError
from generator.gcpause import gc_paused
from generator.policies import PolicySet, build
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
from generator.render.context_logging import access_analyzer_context, cloudtrail_context
from generator.render.context_privileged import place_github, privileged_context
from generator.render.context_root import (
    BASELINE_MODULES,
    BASELINE_STACK,
    DEPARTMENT_MODULES,
    MODULES,
    baseline_context,
    department_context,
    root_context,
)
from generator.render.environment import Blueprint, catalogue, environment
from generator.render.escape import escape
from generator.render.suppressions import Suppression, exception_skips
from generator.spec.model import Spec

TERRAFORM_VERSION = ">= 1.5"
# 5.81 is the first release with both the *_exclusive IAM resources and an optional
# thumbprint_list on aws_iam_openid_connect_provider.
PROVIDER_VERSION = ">= 5.81"

LAYOUTS = ("root", "stacks")
STACKS_INDEX = "stacks.json"


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


def _account_contexts(spec: Spec, ledger: Ledger) -> dict[str, dict[str, Any] | None]:
    """The account-wide modules (None where the spec needs none)."""
    return {
        "password_policy": password_policy_context(spec),
        "mfa": mfa_context(spec, ledger),
        "boundaries": boundaries_context(spec, ledger),
        "access_analyzer": access_analyzer_context(spec),
        "cloudtrail": cloudtrail_context(spec, ledger),
        "privileged": privileged_context(spec, ledger),
    }


def _identity_contexts(spec: Spec, ledger: Ledger) -> dict[str, dict[str, Any] | None]:
    """The department groups, users and roles of ``spec`` (None where the spec has none)."""
    return {"departments": departments_context(spec, ledger), "roles": roles_context(spec, ledger)}


def _present(contexts: dict[str, dict[str, Any] | None], order: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    return {name: contexts[name] for name in order if contexts.get(name) is not None}  # type: ignore[misc]


def _require_all_emitted(ledger: Ledger) -> None:
    unused = ledger.unused()
    if unused:
        raise RenderError(f"policy documents built but not emitted by any blueprint: {', '.join(unused)}")


def module_contexts(spec: Spec, policies: PolicySet | None = None) -> dict[str, dict[str, Any]]:
    """The template context of every module the spec needs (root included), by blueprint name.

    ``policies`` is the spec's built PolicySet (the one validation checked); built here when omitted.

    Raises:
        RenderError: when a policy document built from the spec has no place in the output.
    """
    ledger = Ledger(policies or build(spec))
    present = _present({**_account_contexts(spec, ledger), **_identity_contexts(spec, ledger)}, MODULES)
    _require_all_emitted(ledger)
    place_github(present.get("privileged"), (present.get("roles") or {}).get("github"), "module.roles",
                 "cloudtrail" in present)
    present["root"] = root_context(spec, present)
    return present


@dataclass(frozen=True)
class Unit:
    """One blueprint rendered with context ``m`` into folder ``target`` of the output."""

    blueprint: str
    target: str
    m: dict[str, Any]


def root_units(spec: Spec, policies: PolicySet) -> list[Unit]:
    return [Unit(name, catalogue()[name].target, m) for name, m in module_contexts(spec, policies).items()]


def _department_spec(spec: Spec, key: str) -> Spec:
    """``spec`` narrowed to one department: the context builders then see only its principals."""
    return dataclasses.replace(spec, departments={key: spec.departments[key]})


def _take_github(modules: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """Take the GitHub OIDC provider out of a department's roles module: the baseline creates the account's one."""
    roles = modules.get("roles")
    if roles is None:
        return None
    provider, roles["github"] = roles["github"], None
    return provider


def _merge_github(providers: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One provider for the account, accepting every audience a department's roles expect."""
    if not providers:
        return None
    return {**providers[0], "client_id_list": sorted({a for p in providers for a in p["client_id_list"]})}


def _stack_units(spec: Spec, policies: PolicySet) -> list[Unit]:
    """The stacks layout: ``modules/`` for the baseline, ``stacks/baseline/``, ``stacks/<department>/``.

    Every document is built once from the whole spec and placed exactly once across the
    stacks (one ledger). The account's one GitHub OIDC provider moves from the roles
    modules to the baseline stack.

    Raises:
        UsageError: when a department's stack folder would be the baseline's.
        RenderError: when a policy document built from the spec has no place in the output.
    """
    clash = [key for key in spec.departments if key.lower() == BASELINE_STACK]
    if clash:
        raise UsageError(f"department {clash[0]!r} would share stacks/{BASELINE_STACK}/ with the baseline stack: "
                         "rename the department")
    ledger = Ledger(policies)
    account = _present(_account_contexts(spec, ledger), BASELINE_MODULES)
    departments = {key: _present(_identity_contexts(_department_spec(spec, key), ledger), DEPARTMENT_MODULES)
                   for key in spec.departments}
    _require_all_emitted(ledger)
    providers = {key: _take_github(modules) for key, modules in departments.items()}
    github = _merge_github([p for p in providers.values() if p])
    place_github(account.get("privileged"), github, "aws_iam_openid_connect_provider.github", "cloudtrail" in account)

    catalog = catalogue()
    units = [Unit(name, catalog[name].target, m) for name, m in account.items()]
    units.append(Unit("stack_baseline", catalog["stack_baseline"].target,
                      baseline_context(spec, account, github, list(departments))))
    for key, modules in departments.items():
        folder = catalog["stack_department"].target.format(department=key)
        units += [Unit(name, f"{folder}/{catalog[name].target}", m) for name, m in modules.items()]
        m = department_context(spec, key, modules, account.get("mfa"), providers[key] is not None)
        units.append(Unit("stack_department", folder, m))
    return units


def _with_skips(text: str, skips: tuple[Suppression, ...]) -> str:
    """``text`` (a module's main.tf) with ``checkov:skip`` lines opening every resource block."""
    lines = [f"  # checkov:skip={s.check_id}:{escape(s.reason, 'comment')}" for s in skips]
    out: list[str] = []
    for line in text.split("\n"):
        out.append(line)
        if line.startswith('resource "') and line.endswith("{"):
            out += lines
    return "\n".join(out)


def render_unit(unit: Unit, spec_file: str, skips: tuple[Suppression, ...] = ()) -> dict[str, str]:
    """The files of one blueprint rendered into its folder (relative POSIX path -> text);
    ``skips`` (the spec's exceptions for checkov checks) open each resource block of main.tf."""
    env = environment()
    bp = catalogue()[unit.blueprint]
    inputs, outputs = _resolve_io(bp, unit.m)
    files = {}
    for template in bp.templates:
        target = PurePosixPath(unit.target) / template[: -len(".jinja")]
        files[str(target)] = env.get_template(f"{bp.name}/{template}").render(
            spec_file=spec_file,
            bp=bp,
            m=unit.m,
            inputs=inputs,
            outputs=outputs,
            terraform_version=TERRAFORM_VERSION,
            provider_version=PROVIDER_VERSION,
        )
        if skips and template == "main.tf.jinja":
            files[str(target)] = _with_skips(files[str(target)], skips)
    return files


def _stacks_index(spec: Spec, spec_file: str) -> str:
    """``stacks.json``: the stack folders, for a CI matrix (the baseline first, then the departments in parallel)."""
    body = {
        "generated_by": f"iamforge from {spec_file}; do not edit",
        "baseline": f"stacks/{BASELINE_STACK}",
        "departments": list(spec.departments),
    }
    return json.dumps(body, indent=2) + "\n"


@gc_paused
def render(spec: Spec, extra_files: dict[str, str] | None = None, layout: str = "root",
           policies: PolicySet | None = None) -> dict[str, str]:
    """Every generated file for ``spec`` (relative POSIX path -> text), manifest included.

    ``policies`` is the PolicySet validation checked, so that exactly those documents are
    emitted; built from ``spec`` when omitted.

    ``layout`` is ``root`` (one root module composing ``modules/``) or ``stacks`` (a baseline
    stack and one stack per department, each a root module with its own state, listed in
    ``stacks.json``). ``extra_files`` are added to the output folder as they are
    (``imports.tf`` from ``--adopt``) and listed in the manifest like every other generated file.
    """
    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout {layout!r}: use one of {', '.join(LAYOUTS)}")
    spec_file = PurePosixPath(Path(spec.file).as_posix()).name
    files: dict[str, str] = {}
    policies = policies or build(spec)
    skips = exception_skips(spec)
    for unit in _stack_units(spec, policies) if layout == "stacks" else root_units(spec, policies):
        files.update(render_unit(unit, spec_file, skips.get(unit.blueprint, ())))
    if layout == "stacks":
        files[STACKS_INDEX] = _stacks_index(spec, spec_file)
    for name, text in (extra_files or {}).items():
        if name in files:
            raise ValueError(f"extra file {name} would replace a generated file")
        files[name] = text
    files[writer.MANIFEST] = writer.manifest_text(files, spec_file)
    return dict(sorted(files.items()))


def output_layout(out_dir: Path) -> str | None:
    """The layout of the iamforge output already in ``out_dir``, from its manifest: ``stacks``
    when it lists ``stacks.json``, ``root`` otherwise; None when there is no earlier output."""
    listed = writer.read_manifest(out_dir) - {writer.MANIFEST}
    if not listed:
        return None
    return "stacks" if STACKS_INDEX in listed else "root"


def generate(spec: Spec, out_dir: Path, *, check: bool = False, dry_run: bool = False,
             extra_files: dict[str, str] | None = None, layout: str = "root",
             policies: PolicySet | None = None) -> GenerateResult:
    """Generate the Terraform for ``spec`` into ``out_dir`` in ``layout`` (see the package docstring)."""
    return write_output(render(spec, extra_files, layout, policies), Path(out_dir), check=check, dry_run=dry_run)


def write_output(files: dict[str, str], out_dir: Path, *, check: bool = False, dry_run: bool = False) -> GenerateResult:
    """Write ``files`` (rendered, manifest included) into ``out_dir`` atomically, or with ``check``
    or ``dry_run`` only compare them with what is there."""
    if not (check or dry_run):
        writer.recover(out_dir)  # a run killed during its swap is rolled back first
    elif writer.staging_folders(out_dir):
        # Half swapped, the folder may match the spec file by file and still not be one output.
        raise UsageError(f"{out_dir}: an iamforge generate was interrupted here; run generate without "
                         f"{'--check' if check else '--dry-run'} to finish or undo it")
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
