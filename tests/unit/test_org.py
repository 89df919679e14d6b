"""The organisation spec: loading and refusals (with file and line), the guardrail catalogue,
validation through the CLI, and the rendered stacks."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import api
from generator.cli import main
from generator.org import is_organization_text, load_organization
from generator.org.render import render_organization
from generator.org.validate import validate_organization
from generator.policies.guardrails import CATALOGUE, RCP_SERVICES, REGION_EXEMPT_ACTIONS, Params, compact_json
from generator.rules.engine import check_documents

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "organization" / "organization.yaml"

BASE = """version: 1
organization:
  id: o-a1b2c3d4e5
  management_account: {id: "999988887777"}
  units:
    workloads: {name: Workloads}
  accounts:
    app: {id: "111122223333", email: app@acme.example, ou: workloads, purpose: workload}
"""


def write(tmp_path: Path, text: str, name: str = "org.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def errors(path: Path) -> list:
    return [f for f in api.validate([path]).findings if f.severity.value == "error"]


# --- the file kind ------------------------------------------------------------------------------

def test_a_file_with_organization_and_no_account_is_an_organisation_spec() -> None:
    assert is_organization_text(BASE)
    assert not is_organization_text((REPO / "examples" / "acme.yaml").read_text(encoding="utf-8"))
    assert not is_organization_text("version: 1\naccount:\n  id: '111122223333'\norganization: {}\n")


def test_account_specs_still_validate_as_before() -> None:
    report = api.validate([REPO / "examples" / "acme.yaml"])
    assert not [f for f in report.findings if f.severity.value == "error"]


def test_example_organisation_validates_through_the_cli() -> None:
    result = CliRunner().invoke(main, ["validate", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.output)["findings"]
    assert not [f for f in findings if f["severity"] == "error"]


def test_example_members_apply_their_own_account_specs() -> None:
    org = load_organization(EXAMPLE)
    assert {k: a.spec.account.id for k, a in org.accounts.items() if a.spec} == {
        "log-archive": "222233334444", "security": "333344445555", "acme": "111122223333", "sandbox": "444455556666"}


# --- schema and reference refusals, with file and line ---------------------------------------------

def test_unknown_key_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "  guardrail:\n    root: [deny-leave-organization]\n")
    (found,) = errors(path)
    assert (found.rule_id, found.file, found.line) == ("SCHEMA-005", str(path), line_of(path, "guardrail:"))
    assert "did you mean 'guardrails'" in found.message


def test_unanchored_account_id_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace('"111122223333"', '"111122223333x"'))
    assert [(f.rule_id, f.path) for f in errors(path)] == [("SCHEMA-007", "organization.accounts.app.id")]


def test_unknown_guardrail_id_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "  guardrails:\n    root: [deny-leave-organisation]\n")
    (found,) = errors(path)
    assert found.path == "organization.guardrails.root[0]" and "did you mean 'deny-leave-organization'" in found.message
    assert found.line == line_of(path, "deny-leave-organisation")


def test_an_rcp_under_guardrails_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "  guardrails:\n    root: [rcp-enforce-tls]\n")
    (found,) = errors(path)
    assert "attach it under `resource_controls`" in found.message


def test_ou_cycle_and_unknown_ou_are_refused(tmp_path: Path) -> None:
    text = BASE.replace("    workloads: {name: Workloads}\n",
                        "    workloads: {name: Workloads, parent: prod}\n    prod: {name: Prod, parent: workloads}\n")
    text = text.replace("ou: workloads", "ou: workload")
    messages = sorted(f.message for f in errors(write(tmp_path, text)))
    assert any("its own ancestor" in m for m in messages)
    assert any("OU 'workload' is not declared" in m and "did you mean 'workloads'" in m for m in messages)


def test_member_spec_of_another_account_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "version: 1\naccount:\n  id: '222222222222'\n  regions: [us-east-1]\n", "app.yaml")
    path = write(tmp_path, BASE.replace("purpose: workload}", "purpose: workload, spec: app.yaml}"))
    (found,) = errors(path)
    assert found.path == "organization.accounts.app.spec" and "account 222222222222" in found.message


def test_member_spec_findings_name_the_member_file(tmp_path: Path) -> None:
    write(tmp_path, "version: 1\naccount:\n  id: '111122223333'\n  regions: [us-east-1]\n  colour: blue\n", "app.yaml")
    path = write(tmp_path, BASE.replace("purpose: workload}", "purpose: workload, spec: app.yaml}"))
    (found,) = errors(path)
    assert (found.rule_id, Path(found.file).name, found.line) == ("SCHEMA-005", "app.yaml", 5)


def test_oversized_scp_is_refused_with_its_line(tmp_path: Path) -> None:
    statements = [{"Sid": f"Deny{i}", "Effect": "Deny", "Action": "ec2:RunInstances",
                   "Resource": f"arn:aws:ec2:*:*:instance/i-{i:017d}"} for i in range(80)]
    (tmp_path / "big.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": statements}), encoding="utf-8")
    path = write(tmp_path, BASE + "  policies:\n    big:\n      type: scp\n      file: big.json\n"
                 "  guardrails:\n    root: [big]\n  resource_controls:\n    root: [rcp-enforce-tls]\n")
    (found,) = errors(path)
    assert (found.rule_id, found.line) == ("ORG-001", line_of(path, "big:"))
    assert "5,120" in found.message
    result = CliRunner().invoke(main, ["generate", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and not (tmp_path / "out").exists()
    assert f"{path}:{found.line}:" in result.output


def test_sixth_scp_on_one_ou_is_refused_with_its_line(tmp_path: Path) -> None:
    five = "deny-leave-organization, protect-security-services, deny-root-user, protect-iamforge, deny-iam-users"
    path = write(tmp_path, BASE + f"  guardrails:\n    units:\n      workloads: [{five}]\n"
                 "  resource_controls:\n    root: [rcp-enforce-tls]\n")
    (found,) = errors(path)
    assert (found.rule_id, found.path, found.line) == ("ORG-002", "organization.guardrails.units.workloads[4]",
                                                       line_of(path, "workloads: [deny"))
    assert "number 6" in found.message and "FullAWSAccess" in found.message
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1


def test_custom_scp_grammar_is_checked_by_the_pol_rules(tmp_path: Path) -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ec2:RunInstancez", "Resource": "*"}]}
    (tmp_path / "typo.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    path = write(tmp_path, BASE + "  policies:\n    typo:\n      type: scp\n      file: typo.json\n"
                 "  guardrails:\n    root: [typo]\n  resource_controls:\n    root: [rcp-enforce-tls]\n")
    found = [f for f in errors(path) if f.rule_id.startswith("POL-")]
    assert found and {Path(f.file).name for f in found} == {"typo.json"} and all(f.line > 1 for f in found)


# --- the catalogue ---------------------------------------------------------------------------------

PARAMS = Params("o-a1b2c3d4e5", "OrganizationAccountAccessRole", ("us-east-1", "eu-west-1"))


def test_every_catalogue_document_passes_the_pol_rules_and_fits() -> None:
    from generator.org.validate import rcp_as_boundary

    items = [(g.id, "boundary", rcp_as_boundary(g.document(PARAMS))) for g in CATALOGUE.values()]
    assert check_documents(items) == []
    for g in CATALOGUE.values():
        assert len(compact_json(g.document(PARAMS))) <= 5120, g.id
        assert g.title and g.rationale and all(r.startswith("https://docs.aws.amazon.com/") for r in g.references)


def test_rcps_use_only_rcp_services_and_name_every_principal() -> None:
    for g in CATALOGUE.values():
        if g.kind == "rcp":
            for stmt in g.document(PARAMS)["Statement"]:
                assert stmt["Principal"] == "*" and stmt["Effect"] == "Deny"
                assert {a.split(":")[0] for a in stmt["Action"]} <= set(RCP_SERVICES)


def test_region_allow_list_exempts_the_global_services() -> None:
    assert {"iam:*", "sts:*", "organizations:*", "route53:*", "cloudfront:*", "support:*"} <= set(REGION_EXEMPT_ACTIONS)
    stmt = CATALOGUE["region-allow-list"].document(PARAMS)["Statement"][0]
    assert stmt["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == ["us-east-1", "eu-west-1"]


def test_region_allow_list_needs_regions(tmp_path: Path) -> None:
    (found,) = errors(write(tmp_path, BASE + "  guardrails:\n    root: [region-allow-list]\n"))
    assert "allowed_regions" in found.message


def test_jsonencode_size_counts_escapes() -> None:
    assert compact_json({"b": "<&>", "a": 1}) == '{"a":1,"b":"\\u003c\\u0026\\u003e"}'


# --- rendering -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    org = load_organization(EXAMPLE)
    assert not [f for f in validate_organization(org) if f.severity.value == "error"]
    return render_organization(org)


def test_render_is_deterministic(files: dict[str, str]) -> None:
    assert render_organization(load_organization(EXAMPLE)) == files


def test_one_root_module_per_account_stack_and_waves(files: dict[str, str]) -> None:
    stacks = sorted({p.split("/")[1] for p in files if p.startswith("stacks/")})
    assert stacks == ["acme", "identity-center", "log-archive", "management", "sandbox", "security"]
    index = json.loads(files["stacks.json"])
    # The trail's log archive comes before the management stack that creates the trail; Identity
    # Center comes after the member stacks that create the boundaries its permission sets name.
    assert index["waves"] == [["stacks/log-archive"], ["stacks/management"], ["stacks/security"],
                              ["stacks/acme", "stacks/sandbox"], ["stacks/identity-center"]]
    for stack in stacks:
        assert f"stacks/{stack}/main.tf" in files and f"stacks/{stack}/versions.tf" in files
        assert "backend" not in files[f"stacks/{stack}/versions.tf"]


def test_management_stack_holds_the_organisation_layer(files: dict[str, str]) -> None:
    main_tf = files["stacks/management/main.tf"]
    for needle in ('data "aws_organizations_organization" "this"', 'resource "aws_organizations_organizational_unit" "sandbox"',
                   "parent_id = aws_organizations_organizational_unit.workloads.id",
                   'resource "aws_organizations_policy" "this"', 'resource "aws_organizations_policy_attachment" "this"',
                   'enabled_features = ["RootCredentialsManagement", "RootSessions"]',
                   'service_principal = "access-analyzer.amazonaws.com"', 'type        = "RESOURCE_CONTROL_POLICY"',
                   '"unit/sandbox/deny-large-instances"', 'id = "111122223333"', "prevent_destroy = true"):
        assert needle in main_tf, needle
    assert 'allowed_account_ids = ["999988887777"]' in main_tf and "assume_role" not in main_tf


def test_member_stacks_assume_the_deploy_role_in_their_account(files: dict[str, str]) -> None:
    main_tf = files["stacks/acme/main.tf"]
    assert main_tf.count('role_arn = "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole"') == main_tf.count(
        'provider "aws" {') >= 2
    assert 'source = "./modules/roles"' in main_tf or 'source = "./modules/departments"' in main_tf


def test_account_outputs_keep_taking_credentials_as_they_are() -> None:
    from generator.render import render
    from generator.spec import load_spec

    assert "assume_role" not in render(load_spec(REPO / "examples" / "acme.yaml"))["main.tf"]


def test_generate_writes_the_stacks_and_check_finds_them_current(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["generate", str(EXAMPLE), "-o", str(out)]).exit_code == 0
    assert (out / "stacks" / "management" / "main.tf").is_file() and (out / "stacks.json").is_file()
    result = CliRunner().invoke(main, ["generate", str(EXAMPLE), "-o", str(out), "--check"])
    assert result.exit_code == 0, result.output
    refused = CliRunner().invoke(main, ["generate", str(EXAMPLE), "-o", str(out), "--layout", "root"])
    assert refused.exit_code == 2


# --- the organisation trail ------------------------------------------------------------------------

TRAIL_BASE = BASE.replace(
    "    app: {id: \"111122223333\", email: app@acme.example, ou: workloads, purpose: workload}\n",
    "    app: {id: \"111122223333\", email: app@acme.example, ou: workloads, purpose: workload}\n"
    "    logs: {id: \"222233334444\", email: logs@acme.example, ou: workloads, purpose: log-archive, spec: logs.yaml}\n")
LOGS_SPEC = "version: 1\naccount:\n  id: '222233334444'\n  regions: [eu-west-1]\n"


def test_trail_needs_a_log_archive_account_with_a_stack(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "  trail: {name: org-trail}\n")
    (found,) = errors(path)
    assert (found.rule_id, found.path, found.line) == ("SCHEMA-008", "organization.trail", line_of(path, "trail:"))
    assert "purpose: log-archive" in found.message and "found none" in found.message
    path = write(tmp_path, TRAIL_BASE.replace(", spec: logs.yaml", "") + "  trail: {}\n")
    (found,) = errors(path)
    assert found.path == "organization.trail" and "give it a `spec`" in found.message


def test_trail_keys_are_checked_by_the_schema(tmp_path: Path) -> None:
    write(tmp_path, LOGS_SPEC, "logs.yaml")
    path = write(tmp_path, TRAIL_BASE + "  trail:\n    bucket: Not_A_Bucket\n    kms_key: x\n")
    assert sorted((f.rule_id, f.path) for f in errors(path)) == [
        ("SCHEMA-005", "organization.trail.kms_key"), ("SCHEMA-007", "organization.trail.bucket")]


def test_trail_defaults_and_layout(tmp_path: Path) -> None:
    from generator.policies.org_trail import org_trail_layout

    write(tmp_path, LOGS_SPEC, "logs.yaml")
    org = load_organization(write(tmp_path, TRAIL_BASE + "  trail: {}\n"))
    lay = org_trail_layout(org)
    assert (lay.name, lay.bucket, lay.retention_days) == ("iamforge-org-trail", "iamforge-org-trail-222233334444", 365)
    assert lay.trail_arn == "arn:aws:cloudtrail:us-east-1:999988887777:trail/iamforge-org-trail"
    # The key sits with the bucket, in the log-archive account's home region.
    assert lay.kms_alias_arn == "arn:aws:kms:eu-west-1:222233334444:alias/iamforge-org-trail"
    assert org_trail_layout(load_organization(write(tmp_path, BASE, "plain.yaml"))) is None


def test_trail_policies_are_scoped_to_the_trail_and_the_organisation() -> None:
    from generator.policies.org_trail import bucket_policy, kms_key_policy, org_trail_layout

    org = load_organization(EXAMPLE)
    lay = org_trail_layout(org)
    source = {"aws:SourceArn": [lay.trail_arn], "aws:SourceOrgID": ["o-a1b2c3d4e5"]}
    stmts = {s["Sid"]: s for s in bucket_policy(org, lay)["Statement"]}
    assert stmts["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": ["false"]}}
    assert stmts["AWSCloudTrailWrite"]["Resource"] == [f"{lay.bucket_arn}/AWSLogs/999988887777/*"]
    assert stmts["AWSCloudTrailOrganizationWrite"]["Resource"] == [f"{lay.bucket_arn}/AWSLogs/o-a1b2c3d4e5/*"]
    for sid in ("AWSCloudTrailAclCheck", "AWSCloudTrailWrite", "AWSCloudTrailOrganizationWrite"):
        assert {k: stmts[sid]["Condition"]["StringEquals"][k] for k in source} == source, sid
    for stmt in kms_key_policy(org, lay)["Statement"][1:]:
        assert stmt["Principal"] == {"Service": ["cloudtrail.amazonaws.com"]}
        assert stmt["Condition"]["StringEquals"] == source
    items = [("bucket", "resource", bucket_policy(org, lay)), ("key", "resource", kms_key_policy(org, lay))]
    assert check_documents(items) == []


def test_management_stack_creates_the_organisation_trail(files: dict[str, str]) -> None:
    main_tf = files["stacks/management/main.tf"]
    block = main_tf[main_tf.index('resource "aws_cloudtrail" "organization"'):]
    for needle in ("is_organization_trail         = true", "is_multi_region_trail         = true",
                   "enable_log_file_validation    = true", 'name                          = "acme-org-trail"',
                   's3_bucket_name                = "acme-org-trail-222233334444"',
                   'kms_key_id                    = "arn:aws:kms:us-east-1:222233334444:alias/acme-org-trail"'):
        assert needle in block, needle
    assert "aws_s3_bucket" not in main_tf and "aws_kms_key" not in main_tf  # those are the log archive's


def test_log_archive_stack_creates_the_trail_bucket_and_key(files: dict[str, str]) -> None:
    assert 'module "organization_trail" {\n  source = "./modules/organization_trail"\n}' in files[
        "stacks/log-archive/main.tf"]
    module = files["stacks/log-archive/modules/organization_trail/main.tf"]
    for needle in ('bucket = "acme-org-trail-222233334444"', 'name          = "alias/acme-org-trail"',
                   "enable_key_rotation     = true", 'status = "Enabled"', "restrict_public_buckets = true",
                   'sse_algorithm     = "aws:kms"', "days = 365", 'resource "aws_s3_bucket_logging" "this"',
                   '"aws:SourceOrgID" = ["o-a1b2c3d4e5"]',
                   '"aws:SourceArn"   = ["arn:aws:cloudtrail:us-east-1:999988887777:trail/acme-org-trail"]'):
        assert needle in module, needle
    assert "organization_trail" not in files["stacks/security/main.tf"]
