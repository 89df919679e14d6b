"""The library verbs behind the CLI. They take plain arguments, return results and never print."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from generator.errors import SpecError, UsageError
from generator.findings import Finding, Report, Severity, at_or_above
from generator.spec import Spec, load_spec

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
        spec, findings = load(path)
        report.files.append(str(path))
        if spec is not None:
            findings = check_spec(spec, today=today)
        report.findings.extend(findings)
    return report


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


def expected_output(spec_path: str | Path, out_dir: str | Path, today: date | None = None) -> dict[str, str]:
    """What ``spec_path`` generates for the output ``out_dir`` belongs to, as path -> sha256 of
    the bytes: the reference ``plan``, ``apply``, ``destroy`` and ``scan`` hold the folder to when
    given ``--spec``, so that no hand-edited manifest can vouch for hand-edited files.

    The spec must validate (a SpecError carries the findings otherwise); the layout is the one
    the output has. ``imports.tf`` of ``generate --adopt`` cannot be rebuilt without the
    account's details: it is taken at the manifest's word (it only adopts resources the
    generated code declares).
    """
    from generator.render import render
    from generator.render.writer import MANIFEST, recorded_files, sha256
    from generator.tools.deploy import output_root

    root = output_root(out_dir)
    spec, findings = load(spec_path)
    if spec is not None:
        from generator.policies import build

        policies = build(spec)
        findings = check_spec(spec, policies, today)
    if spec is None or at_or_above(findings, Severity.ERROR):
        raise SpecError([f for f in findings if at_or_above([f], Severity.ERROR)] or findings)
    files = render(spec, layout=_layout_for(root, None), policies=policies)
    expected = {rel: sha256(text) for rel, text in files.items() if rel != MANIFEST}
    recorded = recorded_files(root) or {}
    if ADOPT_FILE in recorded:
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


def schema(fmt: str = "json") -> Any:
    """The spec schema: a JSON Schema dict, or the Markdown field reference."""
    from generator.spec.jsonschema import json_schema, markdown_reference

    if fmt == "markdown":
        return markdown_reference()
    return json_schema()


def init(path: str | Path, *, force: bool = False) -> Path:
    """Write the commented starter spec to ``path`` (never over an existing file unless forced)."""
    target = Path(path)
    if target.is_dir():
        target = target / "iamforge.yaml"
    if target.exists() and not force:
        raise UsageError(f"{target}: already exists; choose another path or pass --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(STARTER.read_text(encoding="utf-8"), encoding="utf-8")
    return target
