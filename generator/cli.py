"""The `iamforge` command line: a thin click layer over generator.api.

Exit codes (a contract, see README): 0 nothing at or above --fail-on; 1 findings at or above
it (an unparsable spec counts); 2 usage error; 3 an external tool failed or is missing.
"""
from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from generator import __version__, api
from generator.errors import IamforgeError, UsageError
from generator.findings import Finding, Severity, at_or_above
from generator.report import FORMATS, render

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_TOOL = 0, 1, 2, 3


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn iamforge's own errors into a one-line message and their exit code (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except IamforgeError as exc:
            findings = getattr(exc, "findings", None)
            if findings:
                click.echo(render("text", findings, colour=_colour()), err=True, nl=False)
            else:
                click.echo(f"iamforge: {exc}", err=True)
                stderr = getattr(exc, "stderr", "")
                if stderr:
                    click.echo(stderr.rstrip(), err=True)
            sys.exit(exc.exit_code)

    return wrapper


def _colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def format_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--format, --output and --fail-on, shared by every command that reports findings."""
    fn = click.option(
        "--fail-on",
        type=click.Choice([s.value for s in Severity]),
        default="error",
        show_default=True,
        help="Lowest severity that makes the exit code 1.",
    )(fn)
    fn = click.option("--output", "output", type=click.Path(dir_okay=False), help="Write the report to FILE instead of stdout.")(fn)
    fn = click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Report format.")(fn)
    return fn


def rules_meta() -> dict[str, dict]:
    """Rule titles and rationale for SARIF, keyed by id."""
    from generator.rules.registry import all_rules

    return {r.id: {"title": r.title, "rationale": r.rationale} for r in all_rules()}


def emit_report(findings: list[Finding], fmt: str, output: str | None, fail_on: str, files: list[str] | None = None) -> int:
    """Print or write the report and return the exit code for it."""
    meta = rules_meta() if fmt == "sarif" else None
    text = render(fmt, findings, colour=_colour() and output is None, files=files, rules_meta=meta)
    if output:
        target = Path(output)
        if not target.parent.is_dir():
            raise UsageError(f"--output {output}: folder {target.parent} does not exist")
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    else:
        click.echo(text, nl=False)
    return EXIT_FINDINGS if at_or_above(findings, Severity(fail_on)) else EXIT_OK


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iamforge")
def main() -> None:
    """iamforge: validate an AWS identity baseline spec and generate Terraform for it."""


@main.command()
@click.argument("path", required=False, default="iamforge.yaml", type=click.Path())
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@handle_errors
def init(path: str, force: bool) -> None:
    """Write a commented starter spec to PATH (default iamforge.yaml)."""
    target = api.init(path, force=force)
    click.echo(f"wrote {target}; next: iamforge validate {target}")


@main.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path())
@format_options
@handle_errors
def validate(specs: tuple[str, ...], fmt: str, output: str | None, fail_on: str) -> None:
    """Check SPEC files against the schema and the best-practice rules."""
    report = api.validate(list(specs))
    sys.exit(emit_report(report.findings, fmt, output, fail_on, report.files))


@main.command()
@click.argument("spec", type=click.Path())
@click.option("-o", "--out", "out_dir", default="modules_out", show_default=True, type=click.Path(file_okay=False),
              help="Output folder.")
@click.option("--check", is_flag=True, help="Exit 1 when the output folder differs from what SPEC generates.")
@click.option("--dry-run", is_flag=True, help="List what would change; write nothing.")
@click.option("--fail-on", type=click.Choice([s.value for s in Severity]), default="error", show_default=True,
              help="Lowest severity that blocks generation.")
@handle_errors
def generate(spec: str, out_dir: str, check: bool, dry_run: bool, fail_on: str) -> None:
    """Validate SPEC, then render its Terraform modules into the output folder."""
    outcome = api.generate(spec, out_dir, check=check, dry_run=dry_run, fail_on=Severity(fail_on))
    shown = [f for f in outcome.report.findings if not f.suppressed]
    if outcome.blocked:
        click.echo(render("text", outcome.report.findings, colour=_colour()), err=True, nl=False)
        click.echo(f"iamforge: nothing written to {out_dir}: fix the findings above first", err=True)
        sys.exit(EXIT_FINDINGS)
    if shown:
        click.echo(render("text", outcome.report.findings, colour=_colour()), err=True, nl=False)
    result = outcome.result
    if check:
        if result.differences:
            for line in result.differences:
                click.echo(line)
            click.echo(f"{out_dir} is not what {spec} generates: run `iamforge generate {spec} -o {out_dir}`", err=True)
            sys.exit(EXIT_FINDINGS)
        click.echo(f"{out_dir} is up to date with {spec}")
        return
    if dry_run:
        for line in result.differences or ["no changes"]:
            click.echo(line)
        return
    for name in result.written:
        click.echo(f"wrote {Path(out_dir) / name}")
    for name in result.removed:
        click.echo(f"removed {Path(out_dir) / name}")
    click.echo(f"{len(result.written)} file(s) written, {len(result.unchanged)} unchanged, {len(result.removed)} removed in {out_dir}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["json", "markdown"]), default="json", show_default=True)
@handle_errors
def schema(fmt: str) -> None:
    """Print the spec schema as JSON Schema (draft 2020-12) or as the Markdown field reference."""
    value = api.schema(fmt)
    click.echo(value if isinstance(value, str) else json.dumps(value, indent=2), nl=not isinstance(value, str))


if __name__ == "__main__":  # pragma: no cover
    main()
