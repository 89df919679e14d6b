"""IAM Identity Center in an organisation spec: permission sets from the members' roles, their
assignments, the refusals (with file and line) and what the Identity Center stack holds."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import api
from generator.cli import main
from generator.org import load_organization
from generator.org.render import identity_center_context, render_organization
from generator.policies import build
from generator.policies.identity_center import PIN_SID, managed_reference, permission_set_policies

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "organization" / "organization.yaml"

ORG = """version: 1
organization:
  id: o-a1b2c3d4e5
  management_account: {id: "999988887777"}
  units:
    workloads: {name: Workloads}
    sandbox: {name: Sandbox, parent: workloads}
  accounts:
    app: {id: "111122223333", email: app@acme.example, ou: workloads, purpose: workload, spec: app.yaml}
    box: {id: "444455556666", email: box@acme.example, ou: sandbox, purpose: workload, spec: box.yaml}
  guardrails:
    root: [deny-leave-organization]
  resource_controls:
    root: [rcp-identity-perimeter]
  identity_center:
    assignments:
      engineering-developer: {units: [sandbox]}
"""

BOUNDARY = """boundaries:
  engineering:
    allow:
      - actions: ["s3:GetObject", "s3:ListBucket"]
        resources: ["arn:aws:s3:::acme-artifacts", "arn:aws:s3:::acme-artifacts/*"]
"""

APP = """version: 1
account:
  id: "111122223333"
  regions: [us-east-1]
""" + BOUNDARY + """departments:
  engineering:
    tag_value: Engineering
    owner: platform@acme.example
    boundary: engineering
    identity_center: {group: Engineering}
    roles:
      developer:
        permission_set: true
        max_session_hours: 4
        trust:
          aws_principals: ["arn:aws:iam::111122223333:root"]
          require_mfa: true
        abac:
          actions: ["s3:GetObject"]
        permissions:
          - actions: ["s3:ListBucket"]
            resources: ["arn:aws:s3:::acme-artifacts"]
"""

BOX = 'version: 1\naccount:\n  id: "444455556666"\n  regions: [us-east-1]\n' + BOUNDARY


def estate(tmp_path: Path, org: str = ORG, app: str = APP, box: str = BOX) -> Path:
    (tmp_path / "app.yaml").write_text(app, encoding="utf-8")
    (tmp_path / "box.yaml").write_text(box, encoding="utf-8")
    path = tmp_path / "org.yaml"
    path.write_text(org, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def refused(path: Path, tmp_path: Path) -> str:
    """``generate`` refuses the organisation: exit 1, nothing written, no traceback; its output."""
    result = CliRunner().invoke(main, ["generate", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in result.output
    return result.output


# --- the refusals of "Done when" -----------------------------------------------------------------

@pytest.mark.parametrize("actions", [['"*"'], ['"*:*"']])
def test_a_permission_set_granting_everything_is_refused_with_its_line(tmp_path: Path, actions: list[str]) -> None:
    app = APP.replace('          - actions: ["s3:ListBucket"]\n            resources: ["arn:aws:s3:::acme-artifacts"]',
                      f'          - actions: [{", ".join(actions)}]\n            resources: ["*"]')
    path = estate(tmp_path, app=app)
    output = refused(path, tmp_path)
    # PRV-002 (every action) or SCHEMA-007 (`*:*` is no action), at the role's permissions
    line = line_of(tmp_path / "app.yaml", "- actions: [\"*")
    assert any(f"{tmp_path / 'app.yaml'}:{n}:" in output for n in (line - 1, line)), output


def test_a_thirteen_hour_session_is_refused_with_its_line(tmp_path: Path) -> None:
    path = estate(tmp_path, app=APP.replace("max_session_hours: 4", "max_session_hours: 13"))
    output = refused(path, tmp_path)
    assert f"{tmp_path / 'app.yaml'}:{line_of(tmp_path / 'app.yaml', 'max_session_hours')}:" in output


@pytest.mark.parametrize("ref, needle", [("boxx", "did you mean 'box'"), ('"777788889999"', "not an account of"),
                                         ('"999988887777"', "the management account")])
def test_an_assignment_to_an_unknown_account_is_refused_with_its_line(tmp_path: Path, ref: str, needle: str) -> None:
    org = ORG.replace("engineering-developer: {units: [sandbox]}", f"engineering-developer: {{accounts: [{ref}]}}")
    path = estate(tmp_path, org=org)
    output = refused(path, tmp_path)
    assert f"{path}:{line_of(path, 'engineering-developer:')}:" in output
    assert needle in output


def test_an_assignment_of_an_undeclared_permission_set_or_to_an_unknown_ou_is_refused(tmp_path: Path) -> None:
    org = ORG.replace("engineering-developer: {units: [sandbox]}",
                      "engineering-developr: {units: [sandbox]}\n      engineering-developer: {units: [sandbx]}")
    path = estate(tmp_path, org=org)
    output = refused(path, tmp_path)
    assert f"{path}:{line_of(path, 'engineering-developr')}:" in output and "did you mean 'engineering-developer'" in output
    assert f"{path}:{line_of(path, 'units: [sandbx]')}:" in output and "OU 'sandbx'" in output


def test_one_permission_set_name_declared_by_two_members_is_refused(tmp_path: Path) -> None:
    box = APP.replace('"111122223333"', '"444455556666"')
    path = estate(tmp_path, box=box)
    assert "declared by the specs of both app and box" in refused(path, tmp_path)


# --- what the stack holds -------------------------------------------------------------------------

def test_assignments_expand_ous_and_start_with_the_declaring_account(tmp_path: Path) -> None:
    org = load_organization(estate(tmp_path))
    ps = org.identity_center.permission_sets["engineering-developer"]
    assert (ps.account, ps.targets, ps.group) == ("app", ("app", "box"), "Engineering")
    m = identity_center_context(org)
    assert m["assignments"] == {
        "engineering-developer/app": {"permission_set": "engineering-developer", "group": "Engineering",
                                      "account_id": "111122223333"},
        "engineering-developer/box": {"permission_set": "engineering-developer", "group": "Engineering",
                                      "account_id": "444455556666"}}
    assert m["permission_sets"]["engineering-developer"]["session_duration"] == "PT4H"
    # Defaulted attributes for access control: the member's ABAC key from the department attribute.
    assert m["abac_attributes"] == {"Department": "${path:enterprise.department}"}


def test_the_inline_policy_is_the_roles_documents_merged_and_pinned_to_the_department(tmp_path: Path) -> None:
    org = load_organization(estate(tmp_path))
    spec = org.accounts["app"].spec
    built = build(spec)
    role = spec.departments["engineering"].roles["developer"]
    p = permission_set_policies(spec, role, built)
    parts = [s for part in ("permissions", "abac") for s in built.docs[f"role.engineering.developer.{part}"].document["Statement"]]
    assert p.inline["Statement"][:-1] == parts
    assert p.inline["Statement"][-1] == {"Sid": PIN_SID, "Effect": "Deny", "Action": ["*"], "Resource": ["*"],
                                         "Condition": {"StringNotEquals": {"aws:PrincipalTag/Department": ["Engineering"]}}}
    assert p.boundary == ("iamforge-boundary-engineering", "/iamforge/")
    files = render_organization(org)
    main_tf = files["stacks/identity-center/main.tf"]
    assert 'source = ["$${path:enterprise.department}"]' in main_tf  # HCL keeps the ${...} literal
    assert "aws_iam_role" not in main_tf


def test_a_role_without_abac_gets_no_department_pin(tmp_path: Path) -> None:
    app = APP.replace('        abac:\n          actions: ["s3:GetObject"]\n', "")
    org = load_organization(estate(tmp_path, app=app))
    spec = org.accounts["app"].spec
    p = permission_set_policies(spec, spec.departments["engineering"].roles["developer"], build(spec))
    assert PIN_SID not in json.dumps(p.inline)
    # the department tag is mapped all the same: every session of the organisation carries it
    assert identity_center_context(org)["abac_attributes"] == {"Department": "${path:enterprise.department}"}


def test_managed_policy_references() -> None:
    assert managed_reference("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess") is None
    assert managed_reference("arn:aws:iam::111122223333:policy/teams/readers") == ("readers", "/teams/")
    assert managed_reference("arn:aws:iam::111122223333:policy/readers") == ("readers", "/")


def test_the_example_organisation_gives_its_departments_permission_sets() -> None:
    org = load_organization(EXAMPLE)
    sets = org.identity_center.permission_sets
    assert {k: (p.account, p.targets, p.group) for k, p in sets.items()} == {
        "engineering-developer": ("acme", ("acme", "sandbox"), "Engineering"),
        "finance-analyst": ("acme", ("acme",), "Finance")}
    report = api.validate([EXAMPLE])
    assert not [f for f in report.findings if f.severity.value != "info"]
    assert {f.rule_id for f in report.findings if f.rule_id.startswith("IDC")} == {"IDC-006"}


def test_no_identity_center_no_stack(tmp_path: Path) -> None:
    org_text = ORG[: ORG.index("  identity_center:")]
    app = APP.replace("        permission_set: true\n", "")
    files = render_organization(load_organization(estate(tmp_path, org=org_text, app=app)))
    assert not [p for p in files if p.startswith("stacks/identity-center/")]
    assert "identity-center" not in files["stacks.json"]


def test_a_permission_set_is_judged_in_each_account_it_reaches_with_that_accounts_boundary(tmp_path: Path) -> None:
    """The app account's boundary keeps the developer from Lambda, so its spec has no escalation;
    the sandbox's boundary allows Lambda and PassRole, so there the same permission set can pass a
    role to a new function and invoke it: PRV-005 in account box, at the assignment's line."""
    grant = ('          - actions: ["lambda:CreateFunction", "lambda:InvokeFunction", "iam:PassRole"]\n'
             '            resources: ["*"]\n')
    app = APP + grant
    box = BOX.replace('      - actions: ["s3:GetObject", "s3:ListBucket"]',
                      '      - actions: ["lambda:CreateFunction", "lambda:InvokeFunction", "iam:PassRole"]\n'
                      '        resources: ["*"]\n      - actions: ["s3:GetObject", "s3:ListBucket"]')
    path = estate(tmp_path, app=app, box=box)
    findings = api.validate([path]).findings
    in_box = [f for f in findings if f.message.startswith("in account box:") and f.severity.value == "error"]
    assert {f.rule_id for f in in_box} >= {"PRV-005"}, [f.message for f in findings]
    assert {(f.file, f.line) for f in in_box} == {(str(path), line_of(path, "engineering-developer:"))}
    assert not [f for f in findings if f.rule_id == "PRV-005" and Path(f.file).name == "app.yaml"]
    refused(path, tmp_path)


def test_an_scp_exempting_identity_center_roles_hides_no_escalation(tmp_path: Path) -> None:
    """A guardrail that denies IAM changes to everyone but the roles Identity Center provisions
    does not deny the permission set's session: the escalation stays reported."""
    (tmp_path / "deny-iam.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"ArnNotLike": {
            "aws:PrincipalArn": "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"}}}]}), encoding="utf-8")
    org = (ORG.replace("  guardrails:\n    root: [deny-leave-organization]\n",
                       "  policies:\n    deny-iam: {type: scp, file: deny-iam.json}\n"
                       "  guardrails:\n    root: [deny-leave-organization, deny-iam]\n"))
    grant = '          - actions: ["iam:CreatePolicyVersion", "iam:AttachRolePolicy"]\n            resources: ["*"]\n'
    path = estate(tmp_path, org=org, app=APP.replace("    boundary: engineering\n", "") + grant)
    found = {f.rule_id for f in api.validate([path]).findings
             if Path(f.file).name == "app.yaml" and f.severity.value == "error"}
    assert {"PRV-005", "PB-001"} <= found, found
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "deny-iam.json").write_bytes((tmp_path / "deny-iam.json").read_bytes())
    iam_role_only = APP.replace("    boundary: engineering\n", "").replace("        permission_set: true\n", "") + grant
    plain = estate(tmp_path / "plain", org=org[: org.index("  identity_center:")], app=iam_role_only)
    plain_findings = api.validate([plain]).findings
    assert "ORG-009" in {f.rule_id for f in plain_findings}  # validated: the SCP denies the IAM role those grants
    assert not [f for f in plain_findings if f.rule_id == "PRV-005"]


def test_a_hand_written_principal_tag_is_pinned_and_another_tag_reported(tmp_path: Path) -> None:
    app = APP.replace('        abac:\n          actions: ["s3:GetObject"]\n', "") + (
        '          - actions: ["s3:GetObject"]\n'
        '            resources: ["arn:aws:s3:::acme-data-${aws:PrincipalTag/Department}/*",\n'
        '                        "arn:aws:s3:::acme-cost-${aws:PrincipalTag/CostCenter}/*"]\n')
    path = estate(tmp_path, app=app)
    org = load_organization(path)
    spec = org.accounts["app"].spec
    p = permission_set_policies(spec, spec.departments["engineering"].roles["developer"], build(spec))
    assert p.inline["Statement"][-1]["Sid"] == PIN_SID
    found = [f for f in api.validate([path]).findings if f.rule_id == "IDC-005"]
    assert [f.severity.value for f in found] == ["warning"] and "principal tag costcenter" in found[0].message


def test_the_declaring_specs_exception_covers_the_finding_in_other_accounts(tmp_path: Path) -> None:
    grant = '          - actions: ["s3:GetObject"]\n            resources: ["*"]\n'
    exception = ("exceptions:\n  - rule: PRV-010\n    path: departments.engineering.roles.developer.permissions[1]\n"
                 "    reason: reads every object on purpose\n    expires: 2099-01-01\n")
    box = BOX.replace('["s3:GetObject", "s3:ListBucket"]', '["s3:*"]').replace(
        '["arn:aws:s3:::acme-artifacts", "arn:aws:s3:::acme-artifacts/*"]', '["*"]')
    path = estate(tmp_path, app=APP + grant + exception, box=box)
    in_box = [f for f in api.validate([path]).findings if f.rule_id == "PRV-010" and f.message.startswith("in account")]
    assert in_box and all(f.suppressed for f in in_box)


def test_a_role_delivered_only_as_a_permission_set_is_no_iam_role(tmp_path: Path) -> None:
    """`iam_role: false`: the member's stack creates no IAM role for it and no department user
    may assume one; the permission set is generated as before; on its own the spec warns that
    it delivers the role to no one."""
    app = APP.replace("        permission_set: true\n", "        permission_set: true\n        iam_role: false\n")
    path = estate(tmp_path, app=app)
    org = load_organization(path)
    files = render_organization(org)
    member = "".join(text for p, text in files.items() if p.startswith("stacks/app/") and p.endswith(".tf"))
    assert "engineering-developer" not in member
    assert "engineering-developer" in files["stacks/identity-center/main.tf"]
    from generator.analysis.guardrails import askers
    from generator.org.validate import member_scope

    role = org.accounts["app"].spec.departments["engineering"].roles["developer"]
    who = askers(member_scope(org, "app"), "111122223333", "arn:aws:iam::111122223333:role/engineering/x", role)
    assert who and all("/aws-reserved/sso.amazonaws.com/" in arn for arn in who)  # no IAM role asks
    alone = [f for f in api.validate([tmp_path / "app.yaml"]).findings if f.rule_id == "IDC-003"]
    assert [f.severity.value for f in alone] == ["warning"]
