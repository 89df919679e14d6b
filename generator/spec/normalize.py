"""Build the normalized model from a schema-checked document: defaults filled, references resolved."""
from __future__ import annotations

import difflib
from typing import Any

from generator.findings import Finding, Severity
from generator.spec.loader import Document
from generator.spec.model import (
    Abac,
    AccessAnalyzer,
    Account,
    ArchiveRule,
    Boundary,
    BreakGlass,
    CloudTrail,
    Department,
    Exception_,
    ExternalAccount,
    GithubOidc,
    Grant,
    MarkTable,
    Mfa,
    Onboarding,
    PasswordPolicy,
    PipelineAccess,
    Privileged,
    Role,
    Spec,
    StateAccess,
    Tags,
    Trust,
    User,
)


class _Refs:
    """Collects reference problems (SCHEMA-008) with their locations."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.findings: list[Finding] = []

    def error(self, rule: str, path: str, message: str) -> None:
        line, col = self.doc.mark(path)
        self.findings.append(Finding(rule, Severity.ERROR, message, path=path, file=self.doc.file, line=line, column=col, source="schema"))


def _grants(items: list[dict], base: str) -> list[Grant]:
    return [
        Grant(
            path=f"{base}[{i}]",
            actions=list(g["actions"]),
            resources=list(g["resources"]),
            sid=g.get("sid"),
            effect=g.get("effect", "Allow"),
            conditions={op: {k: (v if isinstance(v, list) else [v]) for k, v in kv.items()} for op, kv in g.get("conditions", {}).items()},
        )
        for i, g in enumerate(items)
    ]


def _stringify(values: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in values.items()}


def build_model(doc: Document, data: dict) -> tuple[Spec | None, list[Finding]]:
    """Turn the validated, default-filled document into a Spec; reference errors become findings."""
    refs = _Refs(doc)
    acct = data["account"]
    account = Account(id=acct["id"], alias=acct.get("alias"), partition=acct["partition"], regions=list(acct["regions"]))
    t = data["tags"]
    tags = Tags(abac_key=t["abac_key"], required=list(t["required"]), common=_stringify(t["common"]))
    password_policy = PasswordPolicy(**data["password_policy"])
    mfa = Mfa(**data["mfa"])

    boundaries: dict[str, Boundary] = {}
    for key, b in sorted(data["boundaries"].items()):
        path = f"boundaries.{key}"
        boundaries[key] = Boundary(
            name=key,
            path=path,
            description=b.get("description", f"iamforge permission boundary {key}"),
            allow=_grants(b["allow"], f"{path}.allow"),
            regions=list(b.get("regions", [])),
        )

    departments: dict[str, Department] = {}
    for dkey, d in sorted(data["departments"].items()):
        dpath = f"departments.{dkey}"
        boundary = d.get("boundary")
        if boundary is not None and boundary not in boundaries:
            close = difflib.get_close_matches(boundary, list(boundaries), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; declared boundaries: {', '.join(boundaries) or 'none'}"
            refs.error("SCHEMA-008", f"{dpath}.boundary", f"boundary {boundary!r} is not declared under `boundaries`{hint}")
        base_tags = {**tags.common, **_stringify(d.get("tags", {})), tags.abac_key: d["tag_value"], "Owner": d["owner"]}
        iam_path = f"/{dkey}/"
        users = [
            User(name=u, department=dkey, path=f"{dpath}.users[{i}]", iam_path=iam_path, tags=dict(base_tags), boundary=boundary)
            for i, u in enumerate(d.get("users", []))
        ]
        roles: dict[str, Role] = {}
        for rkey, r in sorted(d.get("roles", {}).items()):
            rpath = f"{dpath}.roles.{rkey}"
            roles[rkey] = _role(r, rkey, dkey, rpath, iam_path, base_tags, boundary, refs)
        departments[dkey] = Department(
            key=dkey,
            path=dpath,
            tag_value=d["tag_value"],
            owner=d["owner"],
            boundary=boundary,
            group_name=dkey,
            permissions=_grants(d.get("permissions", []), f"{dpath}.permissions"),
            users=users,
            roles=roles,
            identity_center_group=(d.get("identity_center") or {}).get("group"),
        )

    aa = data["access_analyzer"]
    access_analyzer = AccessAnalyzer(
        external_access=aa["external_access"],
        unused_access_enabled=aa["unused_access"]["enabled"],
        unused_access_age_days=aa["unused_access"]["unused_access_age_days"],
        archive_rules=[ArchiveRule(name=r["name"], filters=r["filter"]) for r in aa.get("archive_rules", [])],
    )
    cloudtrail = _cloudtrail(data["cloudtrail"], account, refs)
    exceptions = [
        Exception_(rule=rule, path=e["path"], reason=e["reason"], expires=e["expires"], spec_path=f"exceptions[{i}]",
                   rule_path=where)
        for i, e in enumerate(data["exceptions"])
        for rule, where in ([(e["rule"], f"exceptions[{i}].rule")] if "rule" in e else
                            [(r, f"exceptions[{i}].rules[{j}]") for j, r in enumerate(e["rules"])])
    ]
    privileged = _privileged(data.get("privileged") or {}, account, tags, departments, cloudtrail, refs)
    if refs.findings:
        return None, refs.findings
    spec = Spec(
        file=doc.file,
        version=data["version"],
        account=account,
        tags=tags,
        password_policy=password_policy,
        mfa=mfa,
        boundaries=boundaries,
        departments=departments,
        access_analyzer=access_analyzer,
        cloudtrail=cloudtrail,
        exceptions=exceptions,
        privileged=privileged,
        marks=MarkTable(doc.file, doc.marks),
        raw=data,
    )
    return spec, []


def _role(r: dict, rkey: str, dkey: str, rpath: str, iam_path: str, base_tags: dict, boundary: str | None, refs: _Refs) -> Role:
    tr = r["trust"]
    tpath = f"{rpath}.trust"
    ext = tr.get("external_account")
    gh = tr.get("github_oidc")
    trust = Trust(
        path=tpath,
        aws_principals=list(tr.get("aws_principals", [])),
        require_mfa=tr["require_mfa"],
        external_account=ExternalAccount(ext["account_id"], ext.get("external_id")) if ext else None,
        github_oidc=GithubOidc(list(gh["subjects"]), gh["audience"]) if gh else None,
        services=list(tr.get("services", [])),
    )
    if not (trust.aws_principals or trust.external_account or trust.github_oidc or trust.services):
        refs.error(
            "SCHEMA-006",
            tpath,
            "trust names no principal: give aws_principals, external_account, github_oidc or services",
        )
    abac = None
    if "abac" in r:
        abac = Abac(path=f"{rpath}.abac", actions=list(r["abac"]["actions"]), resources=list(r["abac"].get("resources", ["*"])))
    return Role(
        key=rkey,
        department=dkey,
        path=rpath,
        name=f"{dkey}-{rkey}",
        iam_path=iam_path,
        description=r.get("description", f"{dkey} {rkey} (managed by iamforge)"),
        max_session_hours=r["max_session_hours"],
        trust=trust,
        abac=abac,
        permissions=_grants(r.get("permissions", []), f"{rpath}.permissions"),
        managed_policies=list(r.get("managed_policies", [])),
        can_create_roles=r["can_create_roles"],
        tags={**base_tags, **_stringify(r.get("tags", {}))},
        boundary=boundary,
        permission_set=r.get("permission_set", False),
        iam_role=r.get("iam_role", True),
    )


def _cloudtrail(c: dict, account: Account, refs: _Refs) -> CloudTrail:
    bucket = c["bucket"].get("name") or f"{account.alias or 'iamforge'}-cloudtrail-{account.id}"
    kms_arn = c["kms"].get("key_arn")
    if c["enabled"] and not c["kms"]["create"] and not kms_arn:
        refs.error("SCHEMA-006", "cloudtrail.kms", "kms.create is false but no kms.key_arn is given: the trail needs a key")
    return CloudTrail(
        enabled=c["enabled"],
        name=c["name"],
        multi_region=c["multi_region"],
        include_global_service_events=c["include_global_service_events"],
        log_file_validation=c["log_file_validation"],
        kms_create=c["kms"]["create"],
        kms_key_arn=kms_arn,
        bucket_name=bucket,
        bucket_retention_days=c["bucket"]["retention_days"],
        access_log_bucket_name=c["bucket"].get("access_log_bucket") or f"{bucket}-access-logs"[:63],
        cloudwatch_logs_enabled=c["cloudwatch_logs"]["enabled"],
        cloudwatch_logs_retention_days=c["cloudwatch_logs"]["retention_days"],
        alarms_email=c["alarms"].get("email"),
        alarms_cis=c["alarms"]["cis"],
        insights=c["insights"],
    )


PRIVILEGED_IAM_PATH = "/iamforge/privileged/"
PRIVILEGED_ROLE_NAMES = {
    "break_glass": "iamforge-break-glass",
    "apply": "iamforge-apply",
    "plan": "iamforge-plan",
    "onboarding": "iamforge-onboarding",
}
_PRIVILEGED_DESCRIPTIONS = {
    "break_glass": "Break-glass administrator: fresh MFA, alarmed on every use (iamforge)",
    "apply": "Applies the Terraform iamforge generates, within iamforge-apply-boundary (iamforge)",
    "plan": "Read-only terraform plan of the Terraform iamforge generates (iamforge)",
    "onboarding": "Creates and resets console passwords of department users (iamforge)",
}


def _privileged_users(names: list[str], path: str, account: Account, departments: dict[str, Department],
                      refs: _Refs) -> list[str]:
    """The ARNs of the department users ``names``; a name no department lists is a SCHEMA-008."""
    by_name = {u.name: u for d in departments.values() for u in d.users}
    arns = []
    for i, name in enumerate(names):
        user = by_name.get(name)
        if user is None:
            close = difflib.get_close_matches(name, list(by_name), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; department users: {', '.join(sorted(by_name)) or 'none'}"
            refs.error("SCHEMA-008", f"{path}.users[{i}]", f"user {name!r} is not a user of any department{hint}")
            continue
        arns.append(f"arn:{account.partition}:iam::{account.id}:user{user.iam_path}{user.name}")
    return sorted(set(arns))


def _privileged_role(kind: str, trust: Trust, tags: Tags, managed: list[str], hours: int = 1) -> Role:
    return Role(
        key=kind,
        department="",
        path=f"privileged.{kind}",
        name=PRIVILEGED_ROLE_NAMES[kind],
        iam_path=PRIVILEGED_IAM_PATH,
        description=_PRIVILEGED_DESCRIPTIONS[kind],
        max_session_hours=hours,
        trust=trust,
        abac=None,
        permissions=[],
        managed_policies=managed,
        can_create_roles=False,
        tags={**tags.common, "iamforge:privileged": kind.replace("_", "-")},
        boundary=None,
        privileged_kind=kind,
    )


def _pipeline(p: dict | None, path: str) -> PipelineAccess | None:
    if p is None:
        return None
    st = p.get("state")
    state = StateAccess(st["bucket"], st["key"], st.get("lock_table")) if st else None
    gh = p["github_oidc"]
    subjects = tuple(gh["subjects"]) if "subjects" in gh else (gh["subject"],)
    return PipelineAccess(path=path, subjects=subjects, audience=gh["audience"], state=state)


def _privileged(p: dict, account: Account, tags: Tags, departments: dict[str, Department], cloudtrail: CloudTrail,
                refs: _Refs) -> Privileged:
    """``privileged:`` with its roles; users resolved to department users, the break-glass alarm's
    log group and topic required (SCHEMA-008: the alarm refers to them)."""
    out = Privileged()
    bg = p.get("break_glass")
    if bg is not None:
        path = "privileged.break_glass"
        out.break_glass = BreakGlass(path, list(bg["users"]), bg["mfa_max_age_seconds"], bg["max_session_hours"])
        arns = _privileged_users(bg["users"], path, account, departments, refs)
        alarms = cloudtrail.alarms_cis or bool(cloudtrail.alarms_email)
        if not (cloudtrail.enabled and cloudtrail.cloudwatch_logs_enabled and alarms):
            refs.error("SCHEMA-008", path,
                       "break_glass alarms on every use through the trail's log group and alarm topic: it needs "
                       "cloudtrail.enabled, cloudtrail.cloudwatch_logs.enabled and cloudtrail.alarms (cis or email)")
        trust = Trust(path=f"{path}.users", aws_principals=arns, require_mfa=True)
        admin = f"arn:{account.partition}:iam::aws:policy/AdministratorAccess"
        out.roles["break_glass"] = _privileged_role("break_glass", trust, tags, [admin], bg["max_session_hours"])
    for kind in ("apply", "plan"):
        access = _pipeline(p.get(kind), f"privileged.{kind}")
        if access is None:
            continue
        setattr(out, kind, access)
        trust = Trust(path=f"{access.path}.github_oidc", github_oidc=GithubOidc(list(access.subjects), access.audience))
        out.roles[kind] = _privileged_role(kind, trust, tags, [])
    ob = p.get("onboarding")
    if ob is not None:
        path = "privileged.onboarding"
        out.onboarding = Onboarding(path, list(ob["users"]))
        arns = _privileged_users(ob["users"], path, account, departments, refs)
        out.roles["onboarding"] = _privileged_role(
            "onboarding", Trust(path=f"{path}.users", aws_principals=arns, require_mfa=True), tags, [])
    return out
