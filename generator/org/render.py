"""Render an organisation: ``stacks/management`` (the organisation stack) and one root module per
member account that applies an account spec, each with its own state, listed in waves in
``stacks.json``. A member stack is that spec's root layout (the same units the account
pipeline renders), its provider assuming the deploy role in the member account."""
from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from generator.org.model import POLICY_TYPES, Organization
from generator.policies import build
from generator.render import writer
from generator.render.environment import tf_name
from generator.render.hcl import Expr, Jsonencode
from generator.render.pipeline import STACKS_INDEX, GenerateResult, Unit, render_unit, root_units, write_output
from generator.policies.org_trail import access_log_bucket_policy, bucket_policy, kms_key_policy, org_trail_layout
from generator.render.context_logging import (ABORT_INCOMPLETE_UPLOAD_DAYS, KMS_DELETION_WINDOW_DAYS,
                                              ORGANIZATION_ANALYZER_NAME)
from generator.render.suppressions import exception_skips, suppressions

MANAGEMENT_STACK = "management"
IDENTITY_CENTER_STACK = "identity-center"
WAVE_OF = {"log-archive": 2, "security": 2, "workload": 3}
# Permission sets name the boundaries the member stacks create: Identity Center comes last.
IDENTITY_CENTER_WAVE = 4
# The organisation trail's log archive goes first: CloudTrail checks the bucket policy on CreateTrail.
ARCHIVE_WAVE = 0
TRAIL_MODULE = "organization_trail"


def trail_context(org: Organization) -> dict[str, Any] | None:
    """The organisation trail in the management stack (None without ``organization.trail``)."""
    lay = org_trail_layout(org)
    if lay is None:
        return None
    return {"name": lay.name, "bucket": lay.bucket, "kms_key_id": lay.kms_alias_arn,
            "archive": org.trail.archive if org.trail else "", "skips": suppressions("organization.trail")}


def archive_context(org: Organization) -> dict[str, Any]:
    """The log-archive account's module of the organisation trail: its bucket and KMS key."""
    lay = org_trail_layout(org)
    assert lay is not None
    return {
        "trail_name": lay.name,
        "trail_arn": lay.trail_arn,
        "tags": {},
        "kms": {"alias": lay.kms_alias,
                "description": f"Encrypts the logs of organisation trail {lay.name} (iamforge)",
                "deletion_window_in_days": KMS_DELETION_WINDOW_DAYS,
                "policy": Jsonencode(kms_key_policy(org, lay))},
        "bucket": {"name": lay.bucket, "retention_days": lay.retention_days,
                   "policy": Jsonencode(bucket_policy(org, lay)), "skips": suppressions("organization_trail.bucket")},
        "access_log_bucket": {"name": lay.access_log_bucket, "retention_days": lay.retention_days,
                              "policy": Jsonencode(access_log_bucket_policy(lay)),
                              "skips": suppressions("organization_trail.access_log_bucket")},
        "abort_incomplete_upload_days": ABORT_INCOMPLETE_UPLOAD_DAYS,
    }


def _target_id(org: Organization, target: str, key: str) -> Any:
    if target == "root":
        return Expr("local.root_id")
    if target == "unit":
        return Expr(f"aws_organizations_organizational_unit.{tf_name(key)}.id")
    return org.accounts[key].id


def management_context(org: Organization) -> dict[str, Any]:
    """The template context of the organisation stack."""
    units = sorted(org.units.values(), key=lambda u: (org.unit_depth(u.key), u.key))
    security = next((a for a in org.accounts.values() if a.purpose == "security"), None)
    targets: dict[str, list[str]] = {}
    attachments = {}
    for a in org.attachments:
        label = "root" if a.target == "root" else f"{a.target}/{a.target_key}"
        attachments[f"{label}/{a.policy}"] = {"policy": a.policy, "target_id": _target_id(org, a.target, a.target_key)}
        targets.setdefault(a.policy, []).append(a.target_label)
    return {
        "org_id": org.id,
        "management_id": org.management_id,
        "region": org.region,
        "deploy_role": org.deploy_role,
        "units": [{"tf": tf_name(u.key), "name": u.name,
                   "parent_id": f"aws_organizations_organizational_unit.{tf_name(u.parent)}.id" if u.parent
                   else "local.root_id"} for u in units],
        "unit_ids_expr": "{ " + ", ".join(f'{json.dumps(u.key)} = aws_organizations_organizational_unit.{tf_name(u.key)}.id'
                                          for u in sorted(org.units.values(), key=lambda u: u.key)) + " }",
        "accounts": [{"tf": tf_name(a.key), "id": a.id, "name": a.name, "email": a.email,
                      "parent_id": f"aws_organizations_organizational_unit.{tf_name(a.ou)}.id"}
                     for a in org.accounts.values() if a.id != org.management_id],
        "policies": {k: {"name": p.name, "description": p.title, "type": POLICY_TYPES[p.kind],
                         "content": Jsonencode(p.document)} for k, p in org.policies.items()},
        "attachments": dict(sorted(attachments.items())),
        "policy_rows": [{"key": k, "type": p.kind.upper(), "title": p.title, "targets": targets.get(k, [])}
                        for k, p in org.policies.items()],
        "root_access": org.root_access == "centralized",
        "security": {"key": security.key, "id": security.id} if security else None,
        "trail": trail_context(org),
        "waves": waves(org),
    }


def identity_center_context(org: Organization) -> dict[str, Any]:
    """The template context of the Identity Center stack: permission sets, their policies, the
    groups and the assignments, as data the blueprint iterates."""
    from generator.policies.identity_center import permission_set_policies, session_duration

    idc = org.identity_center
    assert idc is not None
    built = {k: build(m.spec) for k, m in org.accounts.items() if m.spec is not None}
    sets, managed, customer, assignments, rows = {}, {}, {}, {}, []
    for name, ps in idc.permission_sets.items():
        spec = org.accounts[ps.account].spec
        assert spec is not None
        p = permission_set_policies(spec, ps.role, built[ps.account])
        sets[name] = {
            "description": ps.role.description,
            "session_duration": session_duration(ps.role),
            "tags": dict(sorted(ps.role.tags.items())),
            "inline_policy": Jsonencode(p.inline) if p.inline else None,
            "boundary": {"name": p.boundary[0], "path": p.boundary[1]} if p.boundary else None,
        }
        for arn in p.aws_managed:
            managed[f"{name}/{arn.rsplit('/', 1)[-1]}"] = {"permission_set": name, "arn": arn}
        for pname, ppath in p.customer_managed:
            customer[f"{name}/{ppath}{pname}"] = {"permission_set": name, "name": pname, "path": ppath}
        for key in ps.targets:
            assignments[f"{name}/{key}"] = {"permission_set": name, "group": ps.group,
                                            "account_id": org.accounts[key].id}
        rows.append({"name": name, "group": ps.group, "session": f"{ps.role.max_session_hours} h",
                     "boundary": p.boundary[0] if p.boundary else "none", "targets": list(ps.targets)})
    return {
        "org_id": org.id,
        "management_id": org.management_id,
        "region": idc.region,
        "permission_sets": sets,
        "managed_policies": dict(sorted(managed.items())),
        "customer_managed_policies": dict(sorted(customer.items())),
        "assignments": dict(sorted(assignments.items())),
        "groups": sorted({ps.group for ps in idc.permission_sets.values()}),
        "abac_attributes": idc.abac_attributes,
        "rows": rows,
    }


def waves(org: Organization) -> list[list[str]]:
    """Stack folders in apply order: management, then log archive and security, then workloads,
    then Identity Center; with an organisation trail its log archive comes first, before the
    trail's management stack."""
    out: dict[int, list[str]] = {1: [f"stacks/{MANAGEMENT_STACK}"]}
    if org.identity_center is not None:
        out[IDENTITY_CENTER_WAVE] = [f"stacks/{IDENTITY_CENTER_STACK}"]
    archive = org.trail.archive if org.trail else None
    for key, member in org.accounts.items():
        if member.spec is not None:
            wave = ARCHIVE_WAVE if key == archive else WAVE_OF[member.purpose]
            out.setdefault(wave, []).append(f"stacks/{key}")
    return [sorted(out[n]) for n in sorted(out)]


def _member_files(org: Organization, key: str) -> dict[str, str]:
    member = org.accounts[key]
    spec = member.spec
    assert spec is not None
    spec_file = PurePosixPath(Path(spec.file).as_posix()).name
    skips = exception_skips(spec)
    role_arn = f"arn:{spec.account.partition}:iam::{member.id}:role/{org.deploy_role}"
    archive = org.trail is not None and org.trail.archive == key
    files: dict[str, str] = {}
    for unit in root_units(spec, build(spec)):
        m = {**unit.m, "assume_role_arn": role_arn} if unit.blueprint == "root" else unit.m
        if unit.blueprint == "access_analyzer" and member.purpose == "security":
            # The management stack delegates Access Analyzer to this account: an analyzer whose zone
            # of trust is the organisation finds what any member shares outside it.
            m = {**m, "organization_analyzer": ORGANIZATION_ANALYZER_NAME}
        if unit.blueprint == "root" and archive:
            m["organization_trail"] = f"./modules/{TRAIL_MODULE}"
        files.update(render_unit(Unit(unit.blueprint, f"stacks/{key}/{unit.target}", m), spec_file,
                                  skips.get(unit.blueprint, ())))
    if archive:
        files.update(render_unit(Unit("organization_trail", f"stacks/{key}/modules/{TRAIL_MODULE}",
                                      archive_context(org)), PurePosixPath(Path(org.file).as_posix()).name))
    return files


def render_organization(org: Organization) -> dict[str, str]:
    """Every generated file of ``org`` (relative POSIX path -> text), manifest included."""
    spec_file = PurePosixPath(Path(org.file).as_posix()).name
    for stack in (MANAGEMENT_STACK, IDENTITY_CENTER_STACK):
        if stack in org.accounts:
            from generator.errors import UsageError

            raise UsageError(f"account {stack!r} would share stacks/{stack}/ with the organisation's own stack: "
                             "rename the account")
    files = render_unit(Unit("organization", f"stacks/{MANAGEMENT_STACK}", management_context(org)), spec_file)
    if org.identity_center is not None:
        files.update(render_unit(Unit("identity_center", f"stacks/{IDENTITY_CENTER_STACK}",
                                      identity_center_context(org)), spec_file))
    for key, member in org.accounts.items():
        if member.spec is not None:
            files.update(_member_files(org, key))
    index = {"generated_by": f"iamforge from {spec_file}; do not edit",
             "organization": org.id,
             "waves": waves(org),
             "stacks": [{"path": f"stacks/{MANAGEMENT_STACK}", "account_id": org.management_id, "role": None}]
             + ([{"path": f"stacks/{IDENTITY_CENTER_STACK}", "account_id": org.management_id, "role": None}]
                if org.identity_center is not None else [])
             + [{"path": f"stacks/{k}", "account_id": a.id, "role": org.deploy_role}
                for k, a in org.accounts.items() if a.spec is not None]}
    files[STACKS_INDEX] = json.dumps(index, indent=2) + "\n"
    files[writer.MANIFEST] = writer.manifest_text(files, spec_file)
    return dict(sorted(files.items()))


def generate_organization(org: Organization, out_dir: Path, *, check: bool = False,
                          dry_run: bool = False) -> GenerateResult:
    """Write (or compare) the organisation's output in ``out_dir`` atomically, as ``generate`` does."""
    return write_output(render_organization(org), Path(out_dir), check=check, dry_run=dry_run)
