"""Run the rules on a real account: CRED on the credential report, ACCT, PRV, PB, POL and TRU on
the authorization details.

Document rules (POL, TRU) run once per policy document the account owns; principal rules
(PRV) and the principal-only PB rules run on each role, user and group with its effective
permission set. Every finding path starts with its principal (``role/<name>``, ``user/<name>``,
``group/<name>``, ``policy/<name>`` for a customer managed policy, ``root``), which is how the
text report groups them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from generator.audit.context import AuditOptions, account_documents, audit_context
from generator.audit.credentials import CredentialRow
from generator.audit.details import AccountDetails
from generator.findings import Finding, Severity
from generator.rules.base import DocumentRule, PrincipalRule, Rule
from generator.rules.context import Context
from generator.rules.registry import all_rules

AUTHORIZATION_FAMILIES = frozenset({"POL", "PRV", "TRU", "PB"})
# Spec-mode PB rules that read nothing but ctx.principals(), so they hold for real principals too.
# (PB-004 and PB-005 read the spec's boundaries and `can_create_roles`, which an account lacks.)
PRINCIPAL_ONLY_SPEC_RULES = frozenset({"PB-001", "PB-002", "PB-003", "PB-008"})


@dataclass
class AuditResult:
    """What an audit returns: findings, the inputs looked at, and the account and date judged."""

    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    account_id: str = ""
    options: AuditOptions | None = None


def _document_rules() -> list[DocumentRule]:
    return [r for r in all_rules() if isinstance(r, DocumentRule) and r.family in AUTHORIZATION_FAMILIES]


def _principal_rules() -> list[Rule]:
    """Principal rules that hold for an account: document-mode ones, those that declare
    ``account_principals``, and the spec-mode PB rules of the allowlist."""
    return [r for r in all_rules() if r.family in AUTHORIZATION_FAMILIES and not isinstance(r, DocumentRule)
            and (r.account_principals or isinstance(r, PrincipalRule) and "document" in r.modes
                 or r.id in PRINCIPAL_ONLY_SPEC_RULES)]


def _account_rules() -> list[Rule]:
    return [r for r in all_rules() if "account" in r.modes]


def _add(out: list[Finding], seen: set[tuple[str, str, str]], finding: Finding) -> None:
    key = (finding.rule_id, finding.path, finding.message)
    if key not in seen:
        seen.add(key)
        out.append(finding)


def authorization_findings(details: AccountDetails, options: AuditOptions) -> list[Finding]:
    """PRV, PB, POL, TRU and ACCT findings for every principal and document of ``details``."""
    out: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    rules = _document_rules()
    for prefix, doc in account_documents(details):
        ctx = Context(spec=None, documents=[doc], today=options.as_of.date())
        for rule in rules:
            for f in rule.check(ctx):
                path = f"{prefix}/{f.path}" if f.path else prefix
                _add(out, seen, Finding(f.rule_id, f.severity, f.message, path, details.source))
    ctx = audit_context(details, None, options)
    for rule in _principal_rules() + [r for r in _account_rules() if r.family == "ACCT"]:
        try:
            found = list(rule.check(ctx))
        except AttributeError as exc:
            # A spec rule that grew a dependency on the spec model: report it instead of guessing.
            _add(out, seen, Finding("AUDIT-001", Severity.INFO, f"{rule.id} was not applied to the account: it reads "
                                    f"the spec ({exc})", "account", details.source, source="audit"))
            continue
        for f in found:
            _add(out, seen, Finding(f.rule_id, f.severity, f.message, f.path, details.source))
    return out


def credential_findings(rows: list[CredentialRow], options: AuditOptions, file: str = "") -> list[Finding]:
    """CRED findings for every row of a credential report, placed at the row's CSV line."""
    ctx = audit_context(None, rows, options, credentials_file=file)
    out: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for rule in _account_rules():
        if rule.family == "CRED":
            for f in rule.check(ctx):
                _add(out, seen, f)
    return out


def run_audit(details: AccountDetails | None, rows: list[CredentialRow] | None, options: AuditOptions,
              credentials_file: str = "") -> AuditResult:
    """Audit whatever was given: the credential report, the authorization details, or both."""
    findings: list[Finding] = []
    files: list[str] = []
    if rows is not None:
        findings += credential_findings(rows, options, credentials_file)
        files.append(credentials_file)
    if details is not None:
        findings += authorization_findings(details, options)
        files.append(details.source)
    account = details.account_id if details is not None else _account_of_rows(rows or [])
    return AuditResult(sorted(findings, key=lambda f: f.sort_key), files, account, options)


def _account_of_rows(rows: list[CredentialRow]) -> str:
    for row in rows:
        parts = row.arn.split(":")
        if len(parts) > 4 and parts[4].isdigit():
            return parts[4]
    return ""
