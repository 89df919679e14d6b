"""Load an organisation spec: YAML with marks (the spec loader), the cerberus schema, references.

A file is an organisation spec when its top level has ``organization:`` and no ``account:``
(:func:`is_organization_text`); v1 account specs load as before.
"""
from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

from cerberus import errors as cerr

from generator.errors import SpecError, UsageError
from generator.findings import Finding, Severity
from generator.org import schema as org_schema
from generator.org.model import (Attachment, IdentityCenter, Member, Organization, OrgPolicy, OrgTrail,
                                 PermissionSet, Unit, unit_chain)
from generator.policies.guardrails import CATALOGUE, Params
from generator.spec.check import SpecValidator, did_you_mean, leaves, schema_message
from generator.spec.loader import Document, parse, path_from_parts, read_text

_TOP_ORG = re.compile(r"^organization\s*:", re.M)
_TOP_ACCOUNT = re.compile(r"^account\s*:", re.M)


def is_organization_text(text: str) -> bool:
    """Whether ``text`` is an organisation spec: a top-level ``organization:`` and no ``account:``."""
    return bool(_TOP_ORG.search(text)) and not _TOP_ACCOUNT.search(text)


def is_organization_file(path: str | Path) -> bool:
    """:func:`is_organization_text` of the file (False when it cannot be read: the spec loader says why)."""
    try:
        _, text = read_text(path)
    except (SpecError, UsageError):
        return False
    return is_organization_text(text)


def _finding(doc: Document, rule: str, path: str, message: str) -> Finding:
    line, col = doc.mark(path)
    return Finding(rule, Severity.ERROR, message, path=path, file=doc.file, line=line, column=col, source="schema")


def _message(e: cerr.ValidationError, doc: Document, path: str) -> tuple[str, str]:
    parts = list(e.document_path)
    name = parts[-1] if parts else "spec"
    if e.code == cerr.UNKNOWN_FIELD.code:
        return "SCHEMA-005", f"unknown key {name!r}{did_you_mean(str(name), org_schema.allowed_keys(parts[:-1]))}"
    if e.code == cerr.REGEX_MISMATCH.code:
        example = org_schema.rule_at(parts).get("meta", {}).get("example")
        hint = f"; write it like {example}" if example else f" (format {e.constraint})"
        return "SCHEMA-007", f"{name} {e.value!r} is not well formed{hint}"
    return schema_message(e, doc, path)


def check_schema(doc: Document) -> tuple[dict | None, list[Finding]]:
    """The organisation schema on a parsed document: (normalized data or None, findings)."""
    v = SpecValidator(org_schema.ORG_SCHEMA, allow_unknown=False)
    if v.validate(doc.data):
        return v.document, []
    findings, seen = [], set()
    for e in leaves(v._errors):
        path = path_from_parts(e.document_path)
        rule, message = _message(e, doc, path)
        if (path, message) not in seen:
            seen.add((path, message))
            findings.append(_finding(doc, rule, path, message))
    return None, findings


def _hint(word: str, options: list[str], what: str) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; {what}: {', '.join(options) or 'none'}"


class _Builder:
    def __init__(self, doc: Document, data: dict) -> None:
        self.doc = doc
        self.org = data["organization"]
        self.base = Path(doc.file).parent
        self.findings: list[Finding] = []

    def error(self, path: str, message: str, rule: str = "SCHEMA-008") -> None:
        self.findings.append(_finding(self.doc, rule, path, message))

    def units(self) -> dict[str, Unit]:
        units = {k: Unit(k, u["name"], u.get("parent"), f"organization.units.{k}") for k, u in self.org["units"].items()}
        for key, unit in units.items():
            if unit.parent is not None and unit.parent not in units:
                self.error(f"{unit.path}.parent", f"parent OU {unit.parent!r} is not declared under `units`"
                           + _hint(unit.parent, list(units), "declared OUs"))
            seen, ou = [key], unit.parent
            while ou in units:
                if ou in seen:
                    self.error(f"{unit.path}.parent", f"OU {key!r} is its own ancestor ({' -> '.join(seen + [ou])})")
                    break
                seen.append(ou)
                ou = units[ou].parent
            if len(seen) > 5:  # Organizations: OUs nest at most five levels below the root
                self.error(f"{unit.path}.parent", f"OU {key!r} would sit {len(seen)} levels below the root; "
                           "AWS Organizations allows five")
        return units

    def accounts(self, units: dict[str, Unit]) -> dict[str, Member]:
        from generator.spec import load_spec

        out: dict[str, Member] = {}
        ids: dict[str, str] = {self.org["management_account"]["id"]: "the management account"}
        for key, a in self.org["accounts"].items():
            path = f"organization.accounts.{key}"
            if a["ou"] not in units:
                self.error(f"{path}.ou", f"OU {a['ou']!r} is not declared under `units`"
                           + _hint(a["ou"], list(units), "declared OUs"))
            if a["id"] in ids and ids[a["id"]] != "the management account":
                self.error(f"{path}.id", f"account id {a['id']} is already {ids[a['id']]}'s")
            ids.setdefault(a["id"], f"account {key}")
            spec = None
            if "spec" in a:
                target = Path(os.path.normpath(self.base / a["spec"]))  # examples/acme.yaml, not org/../acme.yaml
                try:
                    spec = load_spec(target)
                except SpecError as exc:
                    self.findings.extend(exc.findings)
                except UsageError as exc:
                    self.error(f"{path}.spec", f"cannot read the account spec {a['spec']}: {exc}")
                if spec is not None and spec.account.id != a["id"]:
                    self.error(f"{path}.spec", f"{a['spec']} is the spec of account {spec.account.id}, "
                               f"not of {key} ({a['id']}): a member applies its own account's spec")
            out[key] = Member(key, a["id"], a.get("name", key), a["email"], a["ou"], a["purpose"], path,
                              a.get("spec"), spec)
        return out

    def custom(self) -> dict[str, OrgPolicy]:
        from generator.findings import Report
        from generator.rules.engine import read_policy_files

        out: dict[str, OrgPolicy] = {}
        for key, p in self.org["policies"].items():
            path = f"organization.policies.{key}"
            if key in CATALOGUE:
                self.error(path, f"policy key {key!r} is a catalogue guardrail's id; give the custom policy another key")
                continue
            file = Path(os.path.normpath(self.base / p["file"]))
            report = Report()
            try:
                items, texts = read_policy_files([(file, "identity")], report)
            except UsageError as exc:
                self.error(f"{path}.file", f"cannot read {p['file']}: {exc}")
                continue
            self.findings.extend(report.findings)
            for name, _, document in items:
                if not isinstance(document, dict):
                    self.error(f"{path}.file", f"{p['file']} is not a JSON object (a policy document)")
                    continue
                out[key] = OrgPolicy(key, p["type"], p.get("description", f"custom {p['type'].upper()} {key}"),
                                     document, path, name, texts[name])
        return out

    def attachments(self, units: dict, accounts: dict, custom: dict[str, OrgPolicy]) -> tuple[list[Attachment], dict]:
        params = Params(self.org["id"], self.org["deploy_role"], tuple(self.org["allowed_regions"]))
        used: dict[str, OrgPolicy] = {}
        out: list[Attachment] = []
        for section, kind in (("guardrails", "scp"), ("resource_controls", "rcp")):
            given = self.org[section]
            targets = [("root", "", given.get("root") or [], f"organization.{section}.root")]
            for tkind, known, label in (("unit", units, "units"), ("account", accounts, "accounts")):
                for key, ids in (given.get(label) or {}).items():
                    tpath = f"organization.{section}.{label}.{key}"
                    if key not in known:
                        self.error(tpath, f"{tkind} {key!r} is not declared under `{label}`"
                                   + _hint(key, list(known), f"declared {label}"))
                        continue
                    targets.append((tkind, key, ids, tpath))
            for tkind, tkey, ids, tpath in targets:
                seen: set[str] = set()
                for i, pid in enumerate(ids):
                    ipath = f"{tpath}[{i}]"
                    policy = custom.get(pid) or used.get(pid)
                    if policy is None and pid in CATALOGUE:
                        g = CATALOGUE[pid]
                        if g.needs_regions and not params.allowed_regions:
                            self.error(ipath, f"{pid} needs `organization.allowed_regions`: the Regions it allows")
                            continue
                        policy = OrgPolicy(pid, g.kind, g.title, g.document(params), ipath)
                    if policy is None:
                        options = [k for k, g in CATALOGUE.items() if g.kind == kind] + [
                            k for k, p in custom.items() if p.kind == kind]
                        self.error(ipath, f"{pid!r} is neither a catalogue {kind.upper()} nor a key of `policies`"
                                   + _hint(pid, options, f"known {kind.upper()}s"))
                        continue
                    if policy.kind != kind:
                        where = "resource_controls" if policy.kind == "rcp" else "guardrails"
                        self.error(ipath, f"{pid} is an {policy.kind.upper()}: attach it under `{where}`")
                        continue
                    if pid in seen:
                        self.error(ipath, f"{pid} is attached to this target twice")
                        continue
                    seen.add(pid)
                    used.setdefault(pid, policy)
                    out.append(Attachment(pid, kind, tkind, tkey, ipath))
        # Custom policies are created even when nothing attaches them yet.
        return out, {**used, **{k: p for k, p in custom.items() if k not in used}}


    def trail(self, accounts: dict[str, Member]) -> OrgTrail | None:
        """The organisation trail, delivered to the one log-archive account that has a stack."""
        given = self.org.get("trail")
        if given is None:
            return None
        path = "organization.trail"
        archives = [m for m in accounts.values() if m.purpose == "log-archive"]
        if len(archives) != 1:
            found = ", ".join(m.key for m in archives) or "none"
            self.error(path, f"the organisation trail delivers to the log-archive account: declare exactly one "
                       f"account with `purpose: log-archive` (found {found})")
            return None
        archive = archives[0]
        if archive.spec_file is None:
            self.error(path, f"account {archive.key} holds the trail's bucket and key: give it a `spec` "
                       "so that it has a stack")
            return None
        return OrgTrail(given["name"], given.get("bucket") or f"iamforge-org-trail-{archive.id}",
                        given["retention_days"], archive.key, path)

    def identity_center(self, units: dict[str, Unit], accounts: dict[str, Member]) -> IdentityCenter | None:
        """The permission sets of every member spec and their assignments (None without
        ``organization.identity_center``)."""
        given = self.org.get("identity_center")
        if given is None:
            return None
        path = "organization.identity_center"
        declared: dict[str, PermissionSet] = {}
        abac: dict[str, str] = {}
        for key, member in accounts.items():
            if member.spec is None:
                continue
            for dept in member.spec.departments.values():
                for role in dept.roles.values():
                    if not role.permission_set:
                        continue
                    if role.name in declared:
                        self.error(f"{member.path}.spec", f"permission set {role.name} is declared by the specs of "
                                   f"both {declared[role.name].account} and {key}: a permission set is one for the "
                                   "whole organisation; rename one of the roles")
                        continue
                    declared[role.name] = PermissionSet(role.name, key, role, dept, (key,))
                    # Every session carries the department tag: ABAC statements, and hand-written
                    # ${aws:PrincipalTag/...} ones, read it (and the department pin holds it).
                    abac[member.spec.tags.abac_key] = "${path:enterprise.department}"
        by_id = {m.id: k for k, m in accounts.items()}
        for name, a in given["assignments"].items():
            apath = f"{path}.assignments.{name}"
            if name not in declared:
                self.error(apath, f"no member spec declares permission set {name!r} (a role with "
                           "`permission_set: true`)" + _hint(name, list(declared), "permission sets"))
                continue
            targets = list(declared[name].targets)
            for i, ref in enumerate(a.get("accounts") or []):
                key = by_id.get(ref, ref)
                if key not in accounts:
                    where = ("the management account: it runs no iamforge account stack, so it has no boundary; "
                             "keep people out of it" if ref == self.org["management_account"]["id"]
                             else "not an account of the organisation" + _hint(ref, list(accounts), "member accounts"))
                    self.error(f"{apath}.accounts[{i}]", f"{ref} is {where}")
                    continue
                targets.append(key)
            for i, ou in enumerate(a.get("units") or []):
                if ou not in units:
                    self.error(f"{apath}.units[{i}]", f"OU {ou!r} is not declared under `units`"
                               + _hint(ou, list(units), "declared OUs"))
                    continue
                targets += [k for k, m in accounts.items() if ou in unit_chain(units, m.ou)]
            declared[name] = PermissionSet(name, declared[name].account, declared[name].role,
                                           declared[name].department, tuple(dict.fromkeys(targets)), apath)
        attributes = given.get("abac_attributes")
        return IdentityCenter(given.get("region") or self.org["management_account"]["region"],
                              dict(sorted((attributes if attributes is not None else abac).items())),
                              attributes is not None, dict(sorted(declared.items())), path)


def build(doc: Document, data: dict) -> tuple[Organization | None, list[Finding]]:
    """The Organization of a schema-valid document, or None with the reference findings."""
    b = _Builder(doc, data)
    units = b.units()
    accounts = b.accounts(units)
    custom = b.custom()
    attachments, policies = b.attachments(units, accounts, custom)
    trail = b.trail(accounts)
    identity_center = b.identity_center(units, accounts)
    if b.findings:
        return None, b.findings
    org = b.org
    return Organization(doc.file, org["id"], org["management_account"]["id"], org["management_account"]["region"],
                        org["deploy_role"], org["root_access"], list(org["allowed_regions"]), units, accounts,
                        dict(sorted(policies.items())), attachments, doc, trail,
                        identity_center), []


def load_organization(path: str | Path) -> Organization:
    """Load an organisation spec file. Raises UsageError (missing file) or SpecError (findings)."""
    name, text = read_text(path)
    doc = parse(text, name)
    data, findings = check_schema(doc)
    if data is None:
        raise SpecError(findings)
    org, findings = build(doc, data)
    if org is None:
        raise SpecError(findings)
    return org
