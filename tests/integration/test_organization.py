"""`generate` of an organisation spec: terraform fmt and validate per stack, checkov on every stack,
and the organisation stack and a member stack applied against moto_server, each replanning empty.

moto has no IAM organisation features (EnableOrganizationsRootCredentialsManagement), so
``aws_iam_organizations_features.this`` is planned, never applied, there.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from moto_server import moto_servers, tf_cache_env  # noqa: F401 (fixtures)
from moto_server import write_provider_override
from test_generate import assert_checkov_clean, assert_fmt_clean, assert_valid, terraform_init
from test_moto_examples import APPLIED_ONCE, PLAN_ONLY

from generator import api
from generator.tools import local_api
from generator.tools.terraform import TerraformRunner

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "organization" / "organization.yaml"
STACKS = ["management", "log-archive", "security", "acme", "sandbox", "identity-center"]
NOT_IN_MOTO = ("aws_iam_organizations_features.this",)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("organization")
    outcome = api.generate(EXAMPLE, folder)
    assert outcome.written and not outcome.blocked
    return folder


def test_golden(out: Path, update_golden: bool, tmp_path: Path) -> None:
    """The organisation example's whole output, file by file (``pytest --update-golden``); and the
    same bytes when generated again from another working folder."""
    from test_generate import GOLDEN, _tree

    golden_dir = GOLDEN / "organization"
    actual = _tree(out)
    if update_golden:
        import shutil

        shutil.rmtree(golden_dir, ignore_errors=True)
        for rel, data in actual.items():
            (golden_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden_dir / rel).write_bytes(data)
    assert golden_dir.is_dir(), "no golden output for the organisation example: run pytest --update-golden"
    expected = _tree(golden_dir)
    assert sorted(actual) == sorted(expected), "generated file list differs from golden (pytest --update-golden)"
    for rel in actual:
        assert actual[rel] == expected[rel], f"organization/{rel} differs from golden"
    again = tmp_path / "again"
    assert api.generate(EXAMPLE, again).written and _tree(again) == actual


def test_the_security_account_runs_the_organisation_analyzer(out: Path) -> None:
    """Access Analyzer is delegated to the security account: its stack, and no other, holds an
    analyzer whose zone of trust is the organisation, in each of its regions."""
    management = (out / "stacks" / "management" / "main.tf").read_text(encoding="utf-8")
    assert 'service_principal = "access-analyzer.amazonaws.com"' in management
    for stack in STACKS:
        module = out / "stacks" / stack / "modules" / "access_analyzer" / "main.tf"
        text = module.read_text(encoding="utf-8") if module.is_file() else ""
        assert ('type          = "ORGANIZATION"' in text) == (stack == "security"), stack


def test_check_on_a_half_swapped_organisation_output_says_so(out: Path, tmp_path: Path) -> None:
    import shutil

    from generator.errors import UsageError

    copy = tmp_path / "estate"
    shutil.copytree(out, copy)
    assert api.generate(EXAMPLE, copy, check=True).result.up_to_date
    (tmp_path / ".estate.iamforge-killed").mkdir()  # a staging folder a killed run left
    with pytest.raises(UsageError, match="interrupted"):
        api.generate(EXAMPLE, copy, check=True)


def test_spec_holds_a_stack_to_what_the_organisation_spec_generates(out: Path, tmp_path: Path) -> None:
    """``plan/apply/scan --spec organization.yaml`` on one stack: the whole output is rebuilt in
    memory from the organisation spec, so an edit the manifest was made to vouch for is refused."""
    import shutil

    from generator.errors import UsageError
    from generator.render.writer import MANIFEST, sha256
    from generator.tools.deploy import require_generated

    copy = tmp_path / "estate"
    shutil.copytree(out, copy)
    stack = copy / "stacks" / "acme"
    require_generated(stack, expected=api.expected_output(EXAMPLE, stack))
    main = stack / "main.tf"
    main.write_text(main.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["stacks/acme/main.tf"] = sha256(main.read_text(encoding="utf-8"))
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    require_generated(stack)  # the edited manifest alone is fooled
    with pytest.raises(UsageError, match="stacks/acme/main.tf is not what the spec generates"):
        require_generated(stack, expected=api.expected_output(EXAMPLE, stack))
    # A member's own account spec does not generate the organisation's stacks.
    with pytest.raises(UsageError, match="is not what the spec generates"):
        require_generated(copy / "stacks" / "security",
                          expected=api.expected_output(REPO / "examples" / "organization" / "security.yaml", stack))


def test_stacks_json_lists_every_stack_in_waves(out: Path) -> None:
    waves = json.loads((out / "stacks.json").read_text(encoding="utf-8"))["waves"]
    assert [p.split("/")[1] for wave in waves for p in wave] == ["log-archive", "management", "security", "acme",
                                                                  "sandbox", "identity-center"]
    assert sorted(p.name for p in (out / "stacks").iterdir()) == sorted(STACKS)


@pytest.mark.terraform
def test_terraform_fmt_clean(out: Path, terraform_bin: str) -> None:
    assert_fmt_clean(out, terraform_bin)


@pytest.mark.terraform
@pytest.mark.parametrize("stack", STACKS)
def test_terraform_validate_every_stack(stack: str, out: Path, terraform_bin: str, tf_plugin_dir: str | None,
                                        tf_cache_env: dict[str, str]) -> None:
    folder = out / "stacks" / stack
    terraform_init(folder, terraform_bin, tf_plugin_dir, tf_cache_env)
    assert_valid(folder, terraform_bin)


@pytest.mark.checkov
def test_checkov_reports_no_failed_checks(out: Path) -> None:
    assert_checkov_clean(out)


MANAGEMENT = "999988887777"


def _estate(tmp_path: Path, server) -> tuple[Path, dict[str, str]]:
    """An organisation in moto (all features, SCPs and RCPs on, Access Analyzer trusted) with four
    member accounts, and an organisation spec of it whose sandbox applies a minimal account spec."""
    org = server.client("organizations")
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = org.list_roots()["Roots"][0]["Id"]
    for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        org.enable_policy_type(RootId=root, PolicyType=policy_type)
    org.enable_aws_service_access(ServicePrincipal="access-analyzer.amazonaws.com")
    ids = {}
    for key in ("log-archive", "security", "workload", "sandbox"):
        status = org.create_account(Email=f"{key}@acme.example", AccountName=key)["CreateAccountStatus"]
        ids[key] = status["AccountId"]
    (tmp_path / "sandbox.yaml").write_text(f"version: 1\naccount:\n  id: \"{ids['sandbox']}\"\n  regions: [us-east-1]\n",
                                           encoding="utf-8")
    text = EXAMPLE.read_text(encoding="utf-8")
    spec = (f"version: 1\norganization:\n  id: {org_id}\n  management_account: {{id: \"{MANAGEMENT}\"}}\n"
            "  allowed_regions: [us-east-1]\n"
            "  units:\n    security: {name: Security}\n    workloads: {name: Workloads}\n"
            "    sandbox: {name: Sandbox, parent: workloads}\n  accounts:\n"
            + "".join(f"    {k}: {{id: \"{ids[k]}\", email: {k}@acme.example, ou: {ou}, purpose: {p}{spec}}}\n"
                      for k, ou, p, spec in (("log-archive", "security", "log-archive", ""),
                                             ("security", "security", "security", ""),
                                             ("workload", "workloads", "workload", ""),
                                             ("sandbox", "sandbox", "workload", ", spec: sandbox.yaml")))
            + text[text.index("  policies:"):])
    (tmp_path / "deny-large-instances.json").write_bytes((EXAMPLE.parent / "deny-large-instances.json").read_bytes())
    path = tmp_path / "org.yaml"
    path.write_text(spec, encoding="utf-8")
    return path, ids


def _changes(plan: dict) -> list[str]:
    return [rc["address"] for rc in plan.get("resource_changes", []) if rc["change"]["actions"] != ["no-op"]]


@pytest.mark.terraform
@pytest.mark.moto
def test_organisation_and_member_stacks_apply_and_replan_empty(
    tmp_path: Path, terraform_bin: str, tf_plugin_dir: str | None, moto_servers, tf_cache_env: dict[str, str],
) -> None:
    server = moto_servers(MANAGEMENT)
    server.reset()
    spec, ids = _estate(tmp_path, server)
    out = tmp_path / "out"
    outcome = api.generate(spec, out)
    assert not outcome.blocked, [f.message for f in outcome.report.findings]
    env = {**server.terraform_env("us-east-1"), **tf_cache_env}

    management = out / "stacks" / "management"
    write_provider_override(management)
    tf = TerraformRunner(management, terraform_bin=terraform_bin, plugin_dir=tf_plugin_dir, env=env)
    tf.init()
    # local_api.targets holds back module addresses; this root's own resource is left out here.
    targets = [t for t in local_api.targets(management) if t not in NOT_IN_MOTO]
    assert len(targets) == len(local_api.targets(management)) - len(NOT_IN_MOTO)
    tf.apply(auto_approve=True, targets=targets)
    assert _changes(tf.plan(targets=targets).plan) == []
    assert _changes(tf.plan().plan) == list(NOT_IN_MOTO)

    org = server.client("organizations")
    units = {u["Name"]: u["Id"] for u in org.list_organizational_units_for_parent(
        ParentId=org.list_roots()["Roots"][0]["Id"])["OrganizationalUnits"]}
    sandbox_ou = org.list_parents(ChildId=ids["sandbox"])["Parents"][0]["Id"]
    assert org.describe_organizational_unit(OrganizationalUnitId=sandbox_ou)["OrganizationalUnit"]["Name"] == "Sandbox"
    assert org.list_parents(ChildId=sandbox_ou)["Parents"][0]["Id"] == units["Workloads"]
    scps = {p["Name"] for p in org.list_policies_for_target(TargetId=sandbox_ou, Filter="SERVICE_CONTROL_POLICY")["Policies"]}
    assert scps == {"FullAWSAccess", "iamforge-deny-large-instances"}  # AWS's stays attached: ORG-002 counts it
    rcps = {p["Name"] for p in org.list_policies(Filter="RESOURCE_CONTROL_POLICY")["Policies"]}
    assert {"iamforge-rcp-identity-perimeter", "iamforge-rcp-enforce-tls"} <= rcps
    # What the semantic tests evaluate (Organization.policies) is what the stack deployed.
    from generator.org import load_organization

    built = {p.name: p.document for p in load_organization(spec).policies.values()}
    deployed = {p["Name"]: json.loads(org.describe_policy(PolicyId=p["Id"])["Policy"]["Content"])
                for kind in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
                for p in org.list_policies(Filter=kind)["Policies"] if p["Name"].startswith("iamforge-")}
    assert deployed == built
    admins = org.list_delegated_administrators(ServicePrincipal="access-analyzer.amazonaws.com")["DelegatedAdministrators"]
    assert [a["Id"] for a in admins] == [ids["security"]]

    # The member stack, against a moto_server of the member account (moto_server pins one account per
    # process): its providers assume the deploy role there, and allowed_account_ids holds them to it.
    member = out / "stacks" / "sandbox"
    assert f"arn:aws:iam::{ids['sandbox']}:role/OrganizationAccountAccessRole" in (member / "main.tf").read_text()
    account = moto_servers(ids["sandbox"])
    account.reset()
    write_provider_override(member)
    tf = TerraformRunner(member, terraform_bin=terraform_bin, plugin_dir=tf_plugin_dir,
                         env={**account.terraform_env("us-east-1"), **tf_cache_env})
    tf.init()
    targets = local_api.targets(member, PLAN_ONLY + APPLIED_ONCE)
    tf.apply(auto_approve=True, targets=targets)
    again = _changes(tf.plan(targets=targets).plan)
    assert again == [], again
    assert account.client("iam").get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 14
    with pytest.raises(server.client("iam").exceptions.NoSuchEntityException):
        server.client("iam").get_account_password_policy()  # nothing of the member landed in the management account


def _people_estate(tmp_path: Path, server) -> tuple[Path, dict[str, str]]:
    """An organisation in moto with two workload accounts whose specs carry the engineering
    boundary; the app account's spec delivers engineering-developer as a permission set, which the
    organisation spec also assigns in the sandbox OU. The department's group is in the identity store."""
    org = server.client("organizations")
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    ids = {key: org.create_account(Email=f"{key}@acme.example", AccountName=key)["CreateAccountStatus"]["AccountId"]
           for key in ("app", "box")}
    for key, people in (("app", True), ("box", False)):
        role = ("departments:\n  engineering:\n    tag_value: Engineering\n    owner: platform@acme.example\n"
                "    boundary: engineering\n    identity_center: {group: Engineering}\n    roles:\n      developer:\n"
                "        permission_set: true\n        max_session_hours: 4\n        trust:\n"
                f"          aws_principals: [\"arn:aws:iam::{ids[key]}:root\"]\n          require_mfa: true\n"
                "        abac: {actions: [\"s3:GetObject\"]}\n"
                "        managed_policies: [\"arn:aws:iam::aws:policy/AWSSupportAccess\"]\n") if people else ""
        (tmp_path / f"{key}.yaml").write_text(
            f"version: 1\naccount:\n  id: \"{ids[key]}\"\n  regions: [us-east-1]\nboundaries:\n  engineering:\n"
            "    allow:\n      - actions: [\"s3:GetObject\", \"s3:ListBucket\"]\n        resources: [\"*\"]\n" + role,
            encoding="utf-8")
    spec = (f"version: 1\norganization:\n  id: {org_id}\n  management_account: {{id: \"{MANAGEMENT}\"}}\n"
            "  units:\n    workloads: {name: Workloads}\n    sandbox: {name: Sandbox, parent: workloads}\n"
            "  accounts:\n"
            f"    app: {{id: \"{ids['app']}\", email: app@acme.example, ou: workloads, purpose: workload, spec: app.yaml}}\n"
            f"    box: {{id: \"{ids['box']}\", email: box@acme.example, ou: sandbox, purpose: workload, spec: box.yaml}}\n"
            "  identity_center:\n    assignments:\n      engineering-developer: {units: [sandbox]}\n"
            "  guardrails:\n    root: [deny-leave-organization]\n"
            "  resource_controls:\n    root: [rcp-identity-perimeter]\n")
    path = tmp_path / "org.yaml"
    path.write_text(spec, encoding="utf-8")
    return path, ids


@pytest.mark.terraform
@pytest.mark.moto
def test_identity_center_stack_applies_and_replans_empty(
    tmp_path: Path, terraform_bin: str, tf_plugin_dir: str | None, moto_servers, tf_cache_env: dict[str, str],
) -> None:
    """stacks/identity-center against moto_server (tests/moto_gaps.py adds the tag, boundary and
    attribute operations moto lacks): the permission set with its inline policy, managed policy and
    boundary, the group's assignments in both accounts and the ABAC attribute land as built, and
    a second plan is empty."""
    server = moto_servers(MANAGEMENT)
    server.reset()
    spec, ids = _people_estate(tmp_path, server)
    sso = server.client("sso-admin")
    instance = sso.list_instances()["Instances"][0]
    server.client("identitystore").create_group(IdentityStoreId=instance["IdentityStoreId"], DisplayName="Engineering")
    out = tmp_path / "out"
    outcome = api.generate(spec, out)
    assert not outcome.blocked, [f.message for f in outcome.report.findings]
    stack = out / "stacks" / "identity-center"
    write_provider_override(stack)
    tf = TerraformRunner(stack, terraform_bin=terraform_bin, plugin_dir=tf_plugin_dir,
                         env={**server.terraform_env("us-east-1"), **tf_cache_env})
    tf.init()
    tf.apply(auto_approve=True)
    assert _changes(tf.plan().plan) == []

    arn = instance["InstanceArn"]
    [ps_arn] = sso.list_permission_sets(InstanceArn=arn)["PermissionSets"]
    ps = sso.describe_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn)["PermissionSet"]
    assert (ps["Name"], ps["SessionDuration"]) == ("engineering-developer", "PT4H")
    from generator.org import load_organization
    from generator.policies import build
    from generator.policies.identity_center import permission_set_policies

    org = load_organization(spec)
    member = org.accounts["app"].spec
    built = permission_set_policies(member, org.identity_center.permission_sets["engineering-developer"].role,
                                    build(member))
    inline = sso.get_inline_policy_for_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn)["InlinePolicy"]
    assert json.loads(inline) == built.inline  # what was validated is what Identity Center holds
    managed = sso.list_managed_policies_in_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn)
    assert [p["Arn"] for p in managed["AttachedManagedPolicies"]] == ["arn:aws:iam::aws:policy/AWSSupportAccess"]
    assert sso.get_permissions_boundary_for_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn)[
        "PermissionsBoundary"] == {"CustomerManagedPolicyReference": {"Name": "iamforge-boundary-engineering",
                                                                      "Path": "/iamforge/"}}
    targets = {account: sso.list_account_assignments(InstanceArn=arn, AccountId=account, PermissionSetArn=ps_arn)[
        "AccountAssignments"] for account in ids.values()}
    assert {k: [(a["PrincipalType"], a["PermissionSetArn"]) for a in v] for k, v in targets.items()} == {
        account: [("GROUP", ps_arn)] for account in ids.values()}
    attrs = sso.describe_instance_access_control_attribute_configuration(InstanceArn=arn)
    assert attrs["InstanceAccessControlAttributeConfiguration"]["AccessControlAttributes"] == [
        {"Key": "Department", "Value": {"Source": ["${path:enterprise.department}"]}}]

    # Read back by `iamforge import --identity-center aws` (what AWS holds, not the spec) and judged
    # by `iamforge audit --identity-center aws`.
    import yaml
    from click.testing import CliRunner

    from generator.cli import main

    monkey_env = {**server.terraform_env("us-east-1")}
    runner = CliRunner(env=monkey_env)
    saved = tmp_path / "instance.json"
    result = runner.invoke(main, ["import", "--identity-center", "aws", "--save-identity-center", str(saved),
                                  "-o", str(tmp_path / "draft.yaml")])
    assert result.exit_code == 0, result.output
    draft = yaml.safe_load((tmp_path / "draft.yaml").read_text(encoding="utf-8"))
    dev = draft["departments"]["engineering"]["roles"]["developer"]
    assert (dev["permission_set"], dev["max_session_hours"], dev["managed_policies"]) == (
        True, 4, ["arn:aws:iam::aws:policy/AWSSupportAccess"])
    assert draft["departments"]["engineering"]["identity_center"] == {"group": "Engineering"}
    assert json.loads(saved.read_text(encoding="utf-8"))["PermissionSets"][0]["PermissionsBoundary"] == {
        "CustomerManagedPolicyReference": {"Name": "iamforge-boundary-engineering", "Path": "/iamforge/"}}
    # A permission set made by hand beside iamforge's: the audit finds its escalation, and nothing in
    # iamforge's own.
    hand = sso.create_permission_set(InstanceArn=arn, Name="hand-made", SessionDuration="PT8H")["PermissionSet"]
    sso.put_inline_policy_to_permission_set(InstanceArn=arn, PermissionSetArn=hand["PermissionSetArn"], InlinePolicy=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
            "iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]}]}))
    group = targets[ids["app"]][0]["PrincipalId"]
    sso.create_account_assignment(InstanceArn=arn, PermissionSetArn=hand["PermissionSetArn"], PrincipalType="GROUP",
                                  PrincipalId=group, TargetType="AWS_ACCOUNT", TargetId=ids["app"])
    result = runner.invoke(main, ["audit", "--identity-center", "aws", "--format", "json"])
    assert result.exit_code == 1, result.output
    found = {(f["rule_id"], f["path"].split("/")[-1].rsplit("_", 1)[0]) for f in json.loads(result.output)["findings"]}
    assert ("PRV-005", "AWSReservedSSO_hand-made") in found
    assert not [f for f in found if "engineering-developer" in f[1]], found



@pytest.mark.terraform
def test_a_member_whose_only_role_is_a_permission_set_validates(tmp_path: Path, terraform_bin: str,
                                                                 tf_plugin_dir: str | None,
                                                                 tf_cache_env: dict[str, str]) -> None:
    """`iam_role: false` leaves the member stack without a roles module; it still validates."""
    (tmp_path / "app.yaml").write_text(
        'version: 1\naccount:\n  id: "111122223333"\n  regions: [us-east-1]\ndepartments:\n  engineering:\n'
        "    tag_value: Engineering\n    owner: platform@acme.example\n    identity_center: {group: Engineering}\n"
        "    roles:\n      developer:\n        permission_set: true\n        iam_role: false\n        trust:\n"
        '          aws_principals: ["arn:aws:iam::111122223333:root"]\n          require_mfa: true\n'
        '        permissions:\n          - actions: ["s3:GetObject"]\n            resources: ["arn:aws:s3:::acme-artifacts/*"]\n',
        encoding="utf-8")
    spec = tmp_path / "org.yaml"
    spec.write_text(
        'version: 1\norganization:\n  id: o-a1b2c3d4e5\n  management_account: {id: "999988887777"}\n'
        "  units:\n    workloads: {name: Workloads}\n  accounts:\n"
        '    app: {id: "111122223333", email: app@acme.example, ou: workloads, purpose: workload, spec: app.yaml}\n'
        "  identity_center: {}\n  guardrails:\n    root: [deny-leave-organization]\n"
        "  resource_controls:\n    root: [rcp-identity-perimeter]\n", encoding="utf-8")
    out = tmp_path / "out"
    assert not api.generate(spec, out).blocked
    member = out / "stacks" / "app"
    assert not (member / "modules" / "roles").exists()
    for folder in (member, out / "stacks" / "identity-center"):
        terraform_init(folder, terraform_bin, tf_plugin_dir, tf_cache_env)
        assert_valid(folder, terraform_bin)
