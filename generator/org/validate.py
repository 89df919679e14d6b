"""Validate an organisation spec: the ORG rules, POL grammar on each custom SCP/RCP, and every
member's account spec with its own rules."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from generator.analysis.guardrails import MemberScope
from generator.findings import Finding
from generator.org.model import Organization
from generator.rules import suppress


@dataclass
class OrgContext:
    """What ORG rules see (``mode`` organization: the engine runs only rules of that mode)."""

    organization: Organization
    today: date = field(default_factory=suppress.today)
    mode: str = "organization"
    spec: Any = None
    documents: list = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def member_scope(org: Organization, key: str) -> MemberScope:
    """The organisation as the rules of member ``key``'s account spec see it."""
    from generator.analysis.document import normalize

    def reaching(kind: str) -> tuple[tuple[str, Any], ...]:
        if org.accounts[key].id == org.management_id:
            return ()  # SCPs and RCPs never apply to the management account (ORG-005 reports it)
        return tuple((a.policy, normalize(org.policies[a.policy].document)) for a in org.effective(key, kind)
                     if a.policy in org.policies)

    accounts = frozenset({org.management_id, *(m.id for m in org.accounts.values())})
    idc = org.identity_center
    return MemberScope(org.id, key, accounts, reaching("scp"), reaching("rcp"), idc is not None,
                       idc.region if idc is not None else "")


def rcp_as_boundary(document: Any) -> Any:
    """An RCP without its ``Principal`` (always ``*``, ORG-003 checks it): the rest is the grammar
    of a permissions boundary, which the POL rules judge."""
    if not isinstance(document, dict) or not isinstance(document.get("Statement"), list):
        return document
    return {**document, "Statement": [{k: v for k, v in s.items() if k != "Principal"} if isinstance(s, dict) else s
                                      for s in document["Statement"]]}


def grammar_findings(org: Organization) -> list[Finding]:
    """The POL rules on each custom SCP and RCP, placed in its JSON file."""
    from generator.rules.engine import check_documents

    items, texts = [], {}
    for policy in org.policies.values():
        if policy.catalogue:
            continue  # the catalogue's documents are POL-clean by test (tests/unit/test_org.py)
        doc = policy.document if policy.kind == "scp" else rcp_as_boundary(policy.document)
        items.append((policy.file, "boundary", doc))
        texts[policy.file] = policy.text  # removing Principal leaves every other path where it was
    return [f for f in check_documents(items, texts) if f.rule_id.startswith("POL-")]


def permission_set_findings(org: Organization, today: date | None = None) -> list[Finding]:
    """The account-mode PRV, PB, POL and ACCT rules on each permission set in every account it is
    assigned in besides the declaring one (whose spec's rules judge the role itself): the role
    Identity Center provisions there, with that account's own boundary and managed policies as its
    spec builds them. Placed at the permission set's assignments entry."""
    from generator.audit import options
    from generator.audit.details import AccountDetails, ManagedPolicy
    from generator.audit.identity_center import Assignment, PermissionSetRecord, provisioned_roles
    from generator.audit.run import authorization_findings
    from generator.policies import build
    from generator.policies.identity_center import permission_set_policies
    from generator.rules.registry import all_rules
    from generator.rules.suppress import path_within

    idc = org.identity_center
    if idc is None:
        return []
    built = {k: build(m.spec) for k, m in org.accounts.items() if m.spec is not None}
    opts = options(today)
    unwaivable = frozenset(r.id for r in all_rules() if not r.waivable)
    out: list[Finding] = []
    for name, ps in idc.permission_sets.items():
        declaring = org.accounts[ps.account].spec
        assert declaring is not None
        p = permission_set_policies(declaring, ps.role, built[ps.account])
        boundary = {"CustomerManagedPolicyReference": {"Name": p.boundary[0], "Path": p.boundary[1]}} if p.boundary \
            else None
        found: list[Finding] = []
        for key in ps.targets[1:]:
            member = org.accounts[key]
            record = PermissionSetRecord(name, f"arn:aws:sso:::permissionSet/ssoins-0/ps-{'0' * 16}", inline=p.inline,
                                         managed=list(p.aws_managed), customer=list(p.customer_managed),
                                         boundary=boundary, assignments=[Assignment(member.id, "GROUP", "")])
            (role,) = provisioned_roles([record], member.id)
            policies = {}
            for doc in built[key].docs.values() if member.spec is not None else ():  # no spec: no stack, nothing
                if doc.managed:
                    arn = member.spec.arn("iam", f"policy/iamforge/{doc.name}")
                    policies[arn] = ManagedPolicy(arn, doc.name, "/iamforge/", doc.document)
            details = AccountDetails(member.id, {}, {}, {role.name: role}, policies, org.file)
            path = ps.path or org.accounts[ps.account].path
            line, column = org.mark(path)
            for f in authorization_findings(details, opts):
                if role.name not in f.path and role.name not in f.message:
                    continue  # the member's own policies: its spec's rules judge them
                message = f.message
                for written in (f"role {role.name}", f"role/{role.name}", role.name):
                    message = message.replace(written, f"permission set {name}")
                found.append(Finding(f.rule_id, f.severity, f"in account {key}: {message}", path=path,
                                     file=org.file, line=line, column=column, source=f.source))
        # A live exception of the declaring spec for this rule on the role (or a part of it) covers
        # the same finding in the other accounts: the reason is about the role's content.
        live = [e for e in declaring.exceptions if e.expires >= opts.as_of.date() and e.rule.upper() not in unwaivable
                and path_within(e.path, ps.role.path)]
        for f in found:
            exc = next((e for e in live if e.rule.upper() == f.rule_id), None)
            out.append(f if exc is None else replace(f, suppressed=True, suppression_reason=exc.reason))
    return out


def validate_organization(org: Organization, today: date | None = None) -> list[Finding]:
    """Every finding on ``org``: ORG rules (located in the organisation spec), POL on custom
    documents, and each member account spec's rules (located in that spec)."""
    from generator.rules.engine import run_phase, validate_spec

    ctx = OrgContext(org, today or suppress.today())
    found = []
    for f in run_phase(ctx, "main"):
        line, column = org.mark(f.path)
        found.append(f.with_location(org.file, line, column))
    found += grammar_findings(org)
    found += permission_set_findings(org, today)
    for key, member in org.accounts.items():
        if member.spec is not None:
            found += validate_spec(member.spec, today=today, organization=member_scope(org, key))
    return sorted(found, key=lambda f: f.sort_key)
