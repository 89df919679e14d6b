"""The `iamforge` command line: a thin click layer over generator.api.

Exit codes (a contract, see README): 0 nothing at or above --fail-on; 1 findings at or above
it (an unparsable spec counts); 2 usage error; 3 an external tool failed or is missing; 4 an
internal error (a bug of iamforge's).
"""
from __future__ import annotations

import functools
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import click

from generator import __version__, api
from generator.errors import IamforgeError, UsageError
from generator.findings import Finding, Severity, at_or_above
from generator.report import FORMATS, render, write_report
from generator.report.formats import neutralise, neutralised

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_TOOL, EXIT_CRASH = 0, 1, 2, 3, 4


class _Iamforge(click.Group):
    """The command group: output that never fails on the terminal's encoding, and a crash (a bug
    of iamforge's) reported in one line with exit 4, never a traceback read by CI as findings."""

    def invoke(self, ctx: click.Context) -> Any:
        for stream in (sys.stdout, sys.stderr):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="backslashreplace")
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            click.echo(f"iamforge: internal error ({type(exc).__name__}: {exc}); nothing was written. "
                       "Please report it with the command line; IAMFORGE_DEBUG=1 shows the traceback.", err=True)
            if os.environ.get("IAMFORGE_DEBUG"):
                raise
            sys.exit(EXIT_CRASH)


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn iamforge's own errors into a one-line message and their exit code (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except IamforgeError as exc:
            findings = getattr(exc, "findings", None)
            if findings:
                click.echo(render("text", findings, colour=_colour(sys.stderr)), err=True, nl=False)
            else:
                click.echo(f"iamforge: {neutralise(exc)}", err=True)
                stderr = getattr(exc, "stderr", "")
                if stderr:
                    click.echo(neutralise(stderr.rstrip(), keep_lines=True), err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:
            # A file iamforge was told to read or write (a read-only folder, a full disk): the
            # user's to fix, so a usage error naming the file, not a crash.
            where = f"{exc.filename}: " if exc.filename else ""
            after = "; nothing was written" if exc.filename else ""
            click.echo(f"iamforge: {neutralise(where)}{neutralise(exc.strerror or exc)}{after}", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper


def _terminal(stream: Any = None) -> bool:
    """Whether ``stream`` (stdout by default) is a terminal that takes ANSI escapes: not a pipe or a
    file, and not ``TERM=dumb`` (Emacs shells, some CI consoles)."""
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM", "") != "dumb"


def _colour(stream: Any = None) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    return _terminal(stream) and "NO_COLOR" not in os.environ


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
        write_report(text, output)
    else:
        click.echo(text, nl=False)
    return EXIT_FINDINGS if at_or_above(findings, Severity(fail_on)) else EXIT_OK


def as_of_option(fn: Callable) -> Callable:
    """``--as-of DATE``: a later day to judge the spec's exceptions on."""
    return click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), callback=_not_before_today,
                        help="Judge exception expiry on this later day, YYYY-MM-DD (default: today): shows which "
                             "exceptions will have expired by then.")(fn)


def _not_before_today(ctx: click.Context, param: click.Parameter, value: datetime | None) -> date | None:
    """The ``--as-of`` day; an earlier day than today would revive expired exceptions, so it is refused."""
    if value is None:
        return None
    from generator.rules.suppress import today

    if value.date() < today():
        raise click.BadParameter(f"{value.date()} is before today ({today()}): an earlier day would bring expired "
                                 "exceptions back to life; give today or a later day", ctx, param)
    return value.date()


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"iamforge {__version__} (IAM catalogue: {api.catalogue_version()})")
        ctx.exit()


@click.group(cls=_Iamforge, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show iamforge's version and the IAM catalogue's, and exit.")
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
@as_of_option
@handle_errors
def validate(specs: tuple[str, ...], fmt: str, output: str | None, fail_on: str, as_of: date | None) -> None:
    """Check SPEC files against the schema and the best-practice rules."""
    report = api.validate(list(specs), today=as_of)
    sys.exit(emit_report(report.findings, fmt, output, fail_on, report.files))


@main.command()
@click.argument("spec", type=click.Path())
@click.option("-o", "--out", "out_dir", default="modules_out", show_default=True, type=click.Path(file_okay=False),
              help="Output folder.")
@click.option("--check", is_flag=True, help="Exit 1 when the output folder differs from what SPEC generates.")
@click.option("--dry-run", is_flag=True, help="List what would change; write nothing.")
@click.option("--fail-on", type=click.Choice([s.value for s in Severity]), default="error", show_default=True,
              help="Lowest severity that blocks generation.")
@click.option("--adopt", is_flag=True,
              help="Also write imports.tf: import blocks for resources that already exist (read with boto3).")
@click.option("--authorization-details", "details", type=click.Path(dir_okay=False),
              help="With --adopt: read the account from this get-account-authorization-details JSON instead.")
@click.option("--layout", type=click.Choice(["root", "stacks"]), default=None,
              help="root: one root module. stacks: stacks/baseline plus one stack per department, each its own "
                   "state. Default: the layout the output folder already has; root for a new folder.")
@as_of_option
@handle_errors
def generate(spec: str, out_dir: str, check: bool, dry_run: bool, fail_on: str, adopt: bool, details: str | None,
             layout: str | None, as_of: date | None) -> None:
    """Validate SPEC, then render its Terraform modules into the output folder."""
    if details and not adopt:
        raise UsageError("--authorization-details goes with --adopt")
    source = (details or "aws") if adopt else None
    outcome = api.generate(spec, out_dir, check=check, dry_run=dry_run, fail_on=Severity(fail_on), adopt=source,
                           layout=layout, today=as_of)
    shown = [f for f in outcome.report.findings if not f.suppressed]
    if outcome.blocked:
        click.echo(render("text", outcome.report.findings, colour=_colour(sys.stderr)), err=True, nl=False)
        click.echo(f"iamforge: nothing written to {out_dir}: fix the findings above first", err=True)
        sys.exit(EXIT_FINDINGS)
    if shown:
        click.echo(render("text", outcome.report.findings, colour=_colour(sys.stderr)), err=True, nl=False)
    result = outcome.result
    if check:
        if result.differences:
            for line in result.differences:
                click.echo(line)
            again = f"iamforge generate {spec} -o {out_dir}" + (" --layout stacks" if outcome.layout == "stacks" else "")
            click.echo(f"{out_dir} is not what {spec} generates: run `{again}`", err=True)
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
@click.option("--kind", type=click.Choice(["account", "organization"]), default="account", show_default=True,
              help="The account spec's schema, or the organisation spec's (a file whose top level has organization:).")
@handle_errors
def schema(fmt: str, kind: str) -> None:
    """Print the spec schema as JSON Schema (draft 2020-12) or as the Markdown field reference."""
    value = api.schema(fmt, kind)
    click.echo(value if isinstance(value, str) else json.dumps(value, indent=2), nl=not isinstance(value, str))


@main.group()
def rules() -> None:
    """List the validation rules, or explain one."""


@rules.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
def rules_list(fmt: str) -> None:
    """List every rule: id, severity and title."""
    from generator.rules.registry import all_rules
    from generator.rules.table import markdown_table

    if fmt == "markdown":
        click.echo(markdown_table(), nl=False)
        return
    for rule in all_rules():
        click.echo(f"{rule.id:<9} {rule.severity.value:<8} {rule.title}")


@rules.command("explain")
@click.argument("rule_id")
@handle_errors
def rules_explain(rule_id: str) -> None:
    """Show a rule's rationale, a failing and a passing spec, and its references."""
    from generator.rules.registry import explain

    try:
        click.echo(explain(rule_id), nl=False)
    except KeyError:
        raise UsageError(f"unknown rule {rule_id!r}; see `iamforge rules list`") from None


@main.command("check-policy")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--kind", type=click.Choice(["identity", "boundary", "trust"]), default=None,
              help="Policy type of every FILE (default: trust when statements name principals, else identity).")
@click.option("--principal", "as_principal", is_flag=True,
              help="Judge the PRV rules on one principal holding every FILE: a Deny in one file takes away what "
                   "another allows, and an escalation split between files is found.")
@click.option("--boundary", type=click.Path(dir_okay=False),
              help="With --principal: the principal's permissions boundary (a policy JSON file).")
@format_options
@handle_errors
def check_policy(files: tuple[str, ...], kind: str | None, as_principal: bool, boundary: str | None, fmt: str,
                 output: str | None, fail_on: str) -> None:
    """Run the POL, PRV and TRU rules on IAM policy JSON files (one document per file, or one principal)."""
    if boundary is not None and not as_principal:
        raise UsageError("--boundary goes with --principal")
    if as_principal:
        report = api.check_policy_principal(list(files), kind, boundary=boundary)
    else:
        from generator.rules.engine import check_policy_files

        report = check_policy_files(list(files), kind)
    sys.exit(emit_report(report.findings, fmt, output, fail_on, report.files))


# -- terraform and checkov: plan, apply, destroy, scan (library verbs in generator.tools.deploy) --


def spec_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--spec SPEC``: hold the output to what SPEC generates, not to its manifest."""
    return click.option("--spec", "spec", type=click.Path(dir_okay=False),
                        help="Regenerate SPEC in memory and refuse unless the folder holds exactly that "
                             "(an edited manifest cannot vouch for edited files).")(fn)


def _expected(spec: str | None, out_dir: str) -> dict[str, str] | None:
    return api.expected_output(spec, out_dir) if spec else None


def terraform_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """-o/--out, --plugin-dir, --terraform-bin, --spec and terraform's own plan/apply options,
    shared by plan, apply and destroy. The command receives them as ``tf_opts``: the keyword
    arguments of the deploy verbs."""
    @functools.wraps(fn)
    def wrapper(*args: Any, targets: tuple[str, ...], variables: tuple[str, ...], var_files: tuple[str, ...],
                lock: bool, lock_timeout: str | None, parallelism: int | None, terraform_bin: str,
                plugin_dir: str | None, spec: str | None, out_dir: str, local_api: bool, **kwargs: Any) -> Any:
        from generator.tools.terraform import TerraformOptions

        applying_saved = click.get_current_context().command.name == "apply" and kwargs.get("plan_file")
        if local_api and not applying_saved:  # a saved plan holds its targets already
            targets = targets or tuple(_local_api_targets(out_dir))

        try:
            passed = TerraformOptions(targets=targets, variables=variables, var_files=var_files, lock=lock,
                                      lock_timeout=lock_timeout, parallelism=parallelism)
        except UsageError as exc:
            raise click.UsageError(str(exc)) from None
        tf_opts = {"terraform_bin": terraform_bin, "plugin_dir": plugin_dir, "expected": _expected(spec, out_dir),
                   "options": passed}
        return fn(*args, out_dir=out_dir, tf_opts=tf_opts, **kwargs)

    wrapper = spec_option(wrapper)
    for option in reversed((
        click.option("-o", "--out", "out_dir", default="modules_out", show_default=True,
                     type=click.Path(file_okay=False), help="Generated root module to run in."),
        click.option("--plugin-dir", type=click.Path(file_okay=False), envvar="IAMFORGE_TF_PLUGIN_DIR",
                     help="Offline provider mirror for `terraform init -plugin-dir` (air-gapped CI)."),
        click.option("--terraform-bin", default="terraform", show_default=True, envvar="IAMFORGE_TERRAFORM_BIN",
                     help="terraform or tofu (a name on PATH or a path)."),
        click.option("--target", "targets", multiple=True, metavar="ADDRESS",
                     help="terraform -target (repeatable); not with a saved --plan-file."),
        click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
                     help="terraform -var (repeatable); not with a saved --plan-file."),
        click.option("--var-file", "var_files", multiple=True, type=click.Path(dir_okay=False),
                     help="terraform -var-file (repeatable); not with a saved --plan-file."),
        click.option("--lock/--no-lock", default=True, show_default=True,
                     help="Take the state lock (--no-lock is -lock=false: a read-only plan role cannot lock)."),
        click.option("--lock-timeout", metavar="DURATION", help="terraform -lock-timeout, e.g. 60s."),
        click.option("--parallelism", type=click.IntRange(1, 256), help="terraform -parallelism."),
        click.option("--local-api", is_flag=True,
                     help="Try it against a local AWS API (moto_server at $AWS_ENDPOINT_URL): leaves out what it "
                          "cannot take, and says so."),
    )):
        wrapper = option(wrapper)
    return wrapper


def _local_api_targets(out_dir: str) -> list[str]:
    """``--local-api``: the provider override written, what is left out said, the targets returned."""
    from generator.tools import local_api

    try:
        found, held = local_api.prepare(Path(out_dir))
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    endpoint = neutralise(os.environ.get("AWS_ENDPOINT_URL", ""))
    click.echo(f"iamforge: local API at {endpoint}; wrote {local_api.OVERRIDE_FILE} (connection settings only)",
               err=True)
    for address, why in held.items():
        click.echo(f"iamforge: local API: leaving out {address}: {why}", err=True)
    return found


def _progress(verb: str) -> Callable[[int, int, str], None]:
    """Resources done out of planned: rewritten in place on a terminal; in a CI log (not a
    terminal) one line per resource done and per 10 s a slow resource keeps terraform waiting."""
    in_place = _terminal(sys.stderr)

    def show(done: int, total: int, address: str) -> None:
        line = neutralise(f"{verb}: {done}/{total} {address}")[:200]
        if in_place:
            click.echo(f"\r\033[K{line}", err=True, nl=done >= total)
        else:
            click.echo(line, err=True)

    return show


def _confirm_and_apply(out_dir: str, outcome: Any, verb: str, tf_opts: dict[str, Any]) -> None:
    """Show the IAM summary of a saved plan, ask, then apply exactly that plan."""
    from generator.plan_summary import render_text
    from generator.tools import deploy

    click.echo(render_text(outcome.summary), nl=False)
    if not outcome.plan.has_changes:
        return
    if not click.confirm(f"{verb.capitalize()} these changes in {out_dir}?", default=False, err=True):
        click.echo(f"iamforge: {verb} cancelled; nothing changed", err=True)
        sys.exit(EXIT_USAGE)
    saved = {**tf_opts, "options": tf_opts["options"].for_saved_plan()}  # the plan holds -target and -var
    result = deploy.apply(out_dir, plan_file=outcome.plan.plan_file, progress=_progress(verb), **saved)
    click.echo(f"{verb} complete: {result.added} added, {result.changed} changed, {result.destroyed} destroyed")


@main.command("plan")
@terraform_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--plan-file", default="iamforge.tfplan", show_default=True, help="Where to save the plan (in -o DIR).")
@handle_errors
def plan_cmd(out_dir: str, tf_opts: dict[str, Any], fmt: str, plan_file: str) -> None:
    """terraform init + plan, then what the plan does in IAM terms (roles, policies, who gains what)."""
    from generator.plan_summary import render_text
    from generator.tools import deploy

    outcome = deploy.plan(out_dir, plan_file=plan_file, **tf_opts)
    if fmt == "json":
        doc = {"plan_file": str(outcome.plan.plan_file), "has_changes": outcome.plan.has_changes,
               **outcome.summary.as_dict()}
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(render_text(outcome.summary), nl=False)
        if outcome.plan.has_changes:
            click.echo(f"\nSaved plan: {outcome.plan.plan_file}; apply it with "
                       f"`iamforge apply -o {out_dir} --plan-file {plan_file}`")


@main.command("apply")
@terraform_options
@click.option("--plan-file", type=click.Path(dir_okay=False), help="Apply this reviewed plan (from `iamforge plan`).")
@click.option("--auto-approve", is_flag=True, help="Plan and apply without asking (CI on merge).")
@handle_errors
def apply_cmd(out_dir: str, tf_opts: dict[str, Any], plan_file: str | None, auto_approve: bool) -> None:
    """Apply a reviewed plan file, or plan, show the IAM summary and ask for confirmation."""
    from generator.tools import deploy

    if plan_file or auto_approve:
        result = deploy.apply(out_dir, plan_file=plan_file, auto_approve=auto_approve, progress=_progress("apply"),
                              **tf_opts)
        click.echo(f"apply complete: {result.added} added, {result.changed} changed, {result.destroyed} destroyed")
        return
    _confirm_and_apply(out_dir, deploy.plan(out_dir, **tf_opts), "apply", tf_opts)


@main.command("destroy")
@terraform_options
@click.option("--auto-approve", is_flag=True, help="Destroy without asking.")
@handle_errors
def destroy_cmd(out_dir: str, tf_opts: dict[str, Any], auto_approve: bool) -> None:
    """Destroy everything the generated modules manage (shows what is removed and asks, unless auto-approved)."""
    from generator.tools import deploy

    if auto_approve:
        result = deploy.destroy(out_dir, progress=_progress("destroy"), **tf_opts)
        click.echo(f"destroy complete: {result.destroyed} destroyed")
        return
    _confirm_and_apply(out_dir, deploy.plan(out_dir, destroy=True, **tf_opts), "destroy", tf_opts)


@main.command("scan")
@click.option("-o", "--out", "out_dir", default="modules_out", show_default=True, type=click.Path(file_okay=False),
              help="Generated Terraform to scan.")
@spec_option
@format_options
@handle_errors
def scan_cmd(out_dir: str, spec: str | None, fmt: str, output: str | None, fail_on: str) -> None:
    """Run checkov on the generated Terraform; report its findings like validate does."""
    from generator.tools import deploy

    report = deploy.scan(out_dir, expected=_expected(spec, out_dir))
    sys.exit(emit_report(report.findings, fmt, output, fail_on, report.files))


# -- existing accounts: audit and import (library in generator.audit and generator.importer) --


@main.command("audit")
@click.option("--credential-report", type=click.Path(dir_okay=False), help="Credential report CSV (base64-decoded).")
@click.option("--authorization-details", type=click.Path(dir_okay=False),
              help="JSON of `aws iam get-account-authorization-details`.")
@click.option("--from-aws", is_flag=True, help="Fetch both with boto3 (AWS_PROFILE, AWS_ENDPOINT_URL honoured).")
@click.option("--identity-center", "identity_center", metavar="FILE.json|aws",
              help="Also judge IAM Identity Center's permission sets, as the roles they become in the account "
                   "(`aws`: read them with boto3, from the management or delegated-administrator account).")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Judge ages at this date (default: now).")
@click.option("--max-key-age", type=int, default=90, show_default=True, help="Days before an active key must be rotated.")
@click.option("--max-unused", type=int, default=90, show_default=True,
              help="Days without use before a key or password must go.")
@click.option("--stale-days", type=int, default=90, show_default=True, help="Days without use before a role is stale.")
@format_options
@handle_errors
def audit_cmd(credential_report: str | None, authorization_details: str | None, from_aws: bool,
              identity_center: str | None, as_of: Any, max_key_age: int, max_unused: int, stale_days: int, fmt: str,
              output: str | None, fail_on: str) -> None:
    """Audit an existing account: credential report and authorization details against the rules."""
    from generator import audit
    from generator.audit.report import render_text, write_report

    opts = audit.options(as_of.date() if as_of else None, max_key_age, max_unused, stale_days)
    if from_aws and (credential_report or authorization_details):
        raise UsageError("--from-aws reads the account itself: leave out --credential-report/--authorization-details")
    result = (audit.audit_aws(opts=opts, identity_center=identity_center) if from_aws
              else audit.audit_files(credential_report, authorization_details, opts, identity_center))
    if fmt != "text":
        sys.exit(emit_report(result.findings, fmt, output, fail_on, result.files))
    write_report(render_text(neutralised(result.findings), neutralise(result.account_id), opts.as_of.date().isoformat(),
                             colour=_colour() and output is None), output)
    sys.exit(EXIT_FINDINGS if at_or_above(result.findings, Severity(fail_on)) else EXIT_OK)


@main.command("import")
@click.option("--authorization-details", type=click.Path(dir_okay=False),
              help="JSON of `aws iam get-account-authorization-details`.")
@click.option("--from-aws", is_flag=True, help="Read the account with boto3 (AWS_PROFILE, AWS_ENDPOINT_URL honoured).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the draft spec here (default: stdout).")
@click.option("--department-tag", default="Department", show_default=True, help="Principal tag naming the department.")
@click.option("--region", "regions", multiple=True, default=("us-east-1",), show_default=True,
              help="account.regions of the draft (repeat; the first is the home region).")
@click.option("--identity-center", "identity_center", metavar="FILE.json|aws",
              help="Also read IAM Identity Center's permission sets and assignments (a JSON file, or `aws`: "
                   "boto3 in the management or delegated-administrator account): each becomes a role with "
                   "`permission_set: true` in its group's department.")
@click.option("--save-identity-center", type=click.Path(dir_okay=False),
              help="With --identity-center aws: also write what was read there, for `audit --identity-center`.")
@click.option("--force", is_flag=True, help="Overwrite an existing --output file.")
@handle_errors
def import_cmd(authorization_details: str | None, from_aws: bool, output: str | None, department_tag: str,
               regions: tuple[str, ...], identity_center: str | None, save_identity_center: str | None,
               force: bool) -> None:
    """Write a draft v1 spec of an existing account; what it cannot express is kept as comments."""
    from generator import importer
    from generator.audit import load_details
    from generator.audit.report import write_report

    if from_aws and authorization_details:
        raise UsageError("give one of --authorization-details FILE.json and --from-aws, not both")
    if not (from_aws or authorization_details or identity_center):
        raise UsageError("give --authorization-details FILE.json, --from-aws or --identity-center FILE.json|aws")
    if save_identity_center and identity_center != "aws":
        raise UsageError("--save-identity-center goes with --identity-center aws")
    for target in (output, save_identity_center):
        if target and Path(target).exists() and not force:
            raise UsageError(f"{target} exists; use --force to overwrite it")
    records = None
    if identity_center:
        from generator.audit.identity_center import load_identity_center

        records, raw = load_identity_center(identity_center)
        if save_identity_center:
            write_report(json.dumps(raw, indent=2, sort_keys=True, default=str) + "\n", save_identity_center)
    if from_aws:
        text = importer.import_from_aws(department_tag=department_tag, regions=regions, permission_sets=records)
    else:
        details = load_details(authorization_details) if authorization_details else None
        text = importer.import_spec(details, department_tag, regions, permission_sets=records)
    write_report(text, output)
    warnings = sum(1 for line in text.splitlines() if line.lstrip().startswith(f"# NOTE: {importer.WARNING}"))
    if warnings:
        click.echo(f"iamforge: {warnings} note(s) in the draft marked WARNING: the draft lets in or refuses "
                   "other callers than the account's trust does; review them before generating", err=True)
    if output:
        click.echo(f"wrote {neutralise(output)}; next: iamforge validate {neutralise(output)}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
