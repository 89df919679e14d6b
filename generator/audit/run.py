"""Run the rules on a real account: the rules whose ``modes`` hold ``credentials`` on the
credential report, those that hold ``account`` on the authorization details.

Document rules (POL, TRU) run once per policy document the account owns; the other account
rules (PRV, PB, ACCT) run on the account's principals, each role, user and group with its
effective permission set. A rule says in its ``modes`` what it judges; nothing here picks
rules by family or by id. Every finding path starts with its principal (``role/<name>``, ``user/<name>``,
``group/<name>``, ``policy/<name>`` for a customer managed policy, ``root``), which is how the
text report groups them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from generator.audit.context import AuditOptions, account_documents, audit_context
from generator.audit.credentials import CredentialRow
from generator.audit.details import AccountDetails
from generator.findings import Finding
from generator.rules.base import DocumentRule, Rule
from generator.rules.context import Context
from generator.rules.registry import all_rules

@dataclass
class AuditResult:
    """What an audit returns: findings, the inputs looked at, and the account and date judged."""

    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    account_id: str = ""
    options: AuditOptions | None = None


def _rules(mode: str, documents: bool | None = None) -> list[Rule]:
    """The rules that declare ``mode``: only document rules, only the others, or (None) all."""
    return [r for r in all_rules() if mode in r.modes
            and (documents is None or isinstance(r, DocumentRule) == documents)]


def _add(out: list[Finding], seen: set[tuple[str, str, str]], finding: Finding) -> None:
    key = (finding.rule_id, finding.path, finding.message)
    if key not in seen:
        seen.add(key)
        out.append(finding)


def authorization_findings(details: AccountDetails, options: AuditOptions) -> list[Finding]:
    """PRV, PB, POL, TRU and ACCT findings for every principal and document of ``details``."""
    out: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    rules = _rules("account", documents=True)
    for prefix, doc in account_documents(details):
        ctx = Context(spec=None, documents=[doc], today=options.as_of.date())
        for rule in rules:
            for f in rule.check(ctx):
                path = f"{prefix}/{f.path}" if f.path else prefix
                _add(out, seen, Finding(f.rule_id, f.severity, f.message, path, details.source))
    ctx = audit_context(details, None, options)
    for rule in _rules("account", documents=False):
        for f in rule.check(ctx):
            _add(out, seen, Finding(f.rule_id, f.severity, f.message, f.path, details.source))
    return out


def credential_findings(rows: list[CredentialRow], options: AuditOptions, file: str = "") -> list[Finding]:
    """CRED findings for every row of a credential report, placed at the row's CSV line."""
    ctx = audit_context(None, rows, options, credentials_file=file)
    out: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for rule in _rules("credentials"):
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
