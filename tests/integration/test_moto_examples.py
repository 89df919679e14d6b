"""Every example, generated and applied against moto_server: converges, deploys the spec's facts, destroys cleanly.

What moto cannot create is only planned (``PLAN_ONLY``); everything else is applied by
targeting every other planned resource (terraform has no ``-exclude``):

* ``module.access_analyzer``: moto has no IAM Access Analyzer API. Its plan must create an
  analyzer in every region of the spec.
* ``aws_s3_bucket_logging`` of the trail bucket: moto's PutBucketLogging accepts a target
  bucket policy only when ``Principal.Service`` is a plain string; the generated policy
  (valid on AWS) writes it as a one-element list, so moto answers InvalidTargetBucketForLogging.

One more pair is applied only in the acme example (``APPLIED_ONCE``): after creating an
``aws_s3_bucket_lifecycle_configuration`` the provider polls until its rules read back steadily,
which takes about 55 s against moto however quick the API answers. The trail blueprint writes the same
lifecycle rule for every spec (only the bucket and the days differ), so the other examples and acme's
stacks leave them out of the apply.

Two more moto gaps are checked another way, each in exactly one place below:

* moto ignores ``PermissionsBoundary`` on CreateUser (and has no PutUserPermissionsBoundary),
  so a user's boundary reads back empty: the replan may show exactly that diff, and the
  user's boundary is checked in the plan instead of through boto3.
* moto's DeleteTrail ignores a trail ARN, which is the provider's id for a trail, so the
  trail outlives ``destroy`` in moto: destroy is checked through terraform's state there.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import example_specs
from moto_server import MotoServer, moto_servers, tf_cache_env, write_provider_override  # noqa: F401 (fixtures)

from generator.plan_summary import render_text, summarize_plan
from generator.policies import build
from generator.spec import Spec, load_spec
from generator.tools import local_api
from generator.tools.terraform import TerraformRunner

pytestmark = [pytest.mark.terraform, pytest.mark.moto]

PLAN_ONLY = tuple(local_api.GAPS)  # what moto cannot take
APPLIED_ONCE = tuple(local_api.SLOW)
APPLIED_IN = "acme"  # the example that applies APPLIED_ONCE


def test_the_example_that_applies_the_lifecycle_rules_exists() -> None:
    assert APPLIED_IN in {p.stem for p in example_specs()}


def apply_targets(root: Path, plan_only: tuple[str, ...] = PLAN_ONLY + APPLIED_ONCE) -> list[str]:
    """-target addresses for everything but ``plan_only`` (``iamforge --local-api``'s own reading)."""
    return local_api.targets(root, plan_only)


def _under(address: str, held: str) -> bool:
    """True when resource ``address`` is ``held`` or inside it (a module, or a resource's instances)."""
    return address == held or address.startswith((held + ".", held + "["))


def _doc(value: object) -> dict:
    return json.loads(value) if isinstance(value, str) else dict(value)  # boto3 decodes policy documents


def _conditions(document: dict) -> list[dict]:
    return [s.get("Condition", {}) for s in document["Statement"]]


def check_deployed(spec: Spec, server: MotoServer) -> None:
    """boto3 against the same server: the facts the spec asks for are what AWS now holds."""
    iam = server.client("iam")
    pp = iam.get_account_password_policy()["PasswordPolicy"]
    want = spec.password_policy
    assert (pp["MinimumPasswordLength"], pp["RequireSymbols"], pp["RequireNumbers"], pp["RequireUppercaseCharacters"],
            pp["RequireLowercaseCharacters"], pp["AllowUsersToChangePassword"], pp["MaxPasswordAge"],
            pp["PasswordReusePrevention"], pp.get("HardExpiry", False)) == (
        want.minimum_length, want.require_symbols, want.require_numbers, want.require_uppercase,
        want.require_lowercase, want.allow_users_to_change, want.max_age_days, want.reuse_prevention,
        want.hard_expiry)

    for role in spec.roles:
        got = iam.get_role(RoleName=role.name)["Role"]
        trust = _doc(got["AssumeRolePolicyDocument"])
        if role.trust.require_mfa:
            assert any(c.get("Bool", {}).get("aws:MultiFactorAuthPresent") in ("true", ["true"])
                       for c in _conditions(trust)), f"{role.name}: trust lacks the MFA condition"
        if role.trust.github_oidc:
            subs = [v for c in _conditions(trust) for op, keys in c.items() if op in ("StringEquals", "StringLike")
                    for k, v in keys.items() if k.endswith(":sub")]
            flat = sorted(x for v in subs for x in (v if isinstance(v, list) else [v]))
            assert flat == sorted(role.trust.github_oidc.subjects), f"{role.name}: sub restriction {flat}"
        if role.boundary:
            assert got["PermissionsBoundary"]["PermissionsBoundaryArn"] == spec.boundary_arn(role.boundary)
        tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role.name)["Tags"]}
        assert tags == role.tags, f"{role.name}: tags"
    check_documents_deployed(spec, iam)
    for user in spec.users:
        iam.get_user(UserName=user.name)  # exists (its boundary: see user_boundary_gap)
        tags = {t["Key"]: t["Value"] for t in iam.list_user_tags(UserName=user.name)["Tags"]}
        assert tags == user.tags, f"{user.name}: tags"
        assert iam.list_access_keys(UserName=user.name)["AccessKeyMetadata"] == []

    trail_spec = spec.cloudtrail
    if trail_spec.enabled:
        trails = server.client("cloudtrail", spec.account.home_region).describe_trails()["trailList"]
        trail = next(t for t in trails if t["Name"] == trail_spec.name)
        assert trail["LogFileValidationEnabled"] is trail_spec.log_file_validation
        assert trail["IsMultiRegionTrail"] is trail_spec.multi_region
        assert trail["IncludeGlobalServiceEvents"] is trail_spec.include_global_service_events
        assert trail["S3BucketName"] == trail_spec.bucket_name
        if trail_spec.kms_create or trail_spec.kms_key_arn:
            key = server.client("kms", spec.account.home_region).describe_key(KeyId=trail["KmsKeyId"])["KeyMetadata"]
            assert key["KeyState"] == "Enabled"


def check_documents_deployed(spec: Spec, iam: object) -> None:
    """Each role's trust and inline policies in IAM are the documents iamforge built and validated,
    whether the generated module wrote them per role or once in ``shared_documents``; each group
    has exactly its managed policies attached."""
    policies = build(spec)
    for role in spec.roles:
        got = _doc(iam.get_role(RoleName=role.name)["Role"]["AssumeRolePolicyDocument"])  # type: ignore[attr-defined]
        assert got == policies.trust_of(role.name).document, f"{role.name}: trust"  # type: ignore[union-attr]
        inline = policies.for_principal("role", role.name)
        assert sorted(iam.list_role_policies(RoleName=role.name)["PolicyNames"]) == sorted(  # type: ignore[attr-defined]
            d.name for d in inline), f"{role.name}: inline policy names"
        for doc in inline:
            got = _doc(iam.get_role_policy(RoleName=role.name, PolicyName=doc.name)["PolicyDocument"])  # type: ignore[attr-defined]
            assert got == doc.document, f"{role.name}/{doc.name}"
    for dept in spec.departments.values():
        attached = iam.list_attached_group_policies(GroupName=dept.group_name)["AttachedPolicies"]  # type: ignore[attr-defined]
        want = sorted(d.name for d in policies.for_principal("group", dept.group_name) if d.managed)
        assert sorted(p["PolicyName"] for p in attached) == want, f"{dept.group_name}: managed policies"


def check_nothing_left(spec: Spec, server: MotoServer) -> None:
    """After destroy: no principal, policy, trail or bucket remains; the trail's key awaits deletion."""
    iam = server.client("iam")
    assert iam.list_roles()["Roles"] == []
    assert iam.list_users()["Users"] == []
    assert iam.list_groups()["Groups"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_account_password_policy()
    region = spec.account.home_region
    trails = [t["Name"] for t in server.client("cloudtrail", region).describe_trails()["trailList"]]
    assert trails in ([], [spec.cloudtrail.name])  # moto's DeleteTrail ignores the ARN the provider sends
    assert server.client("s3", region).list_buckets()["Buckets"] == []
    kms = server.client("kms", region)
    states = {kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] for k in kms.list_keys()["Keys"]}
    assert states <= {"PendingDeletion"}


def user_boundary_gap(spec: Spec, plan: dict) -> list[str]:
    """Changes in a replan other than the user boundaries moto drops; checks those boundaries are planned."""
    boundaries = {u.name: spec.boundary_arn(u.boundary) for u in spec.users if u.boundary}
    unexpected = []
    for rc in plan.get("resource_changes", []):
        change = rc["change"]
        if change["actions"] == ["no-op"]:
            continue
        before, after = change.get("before") or {}, change.get("after") or {}
        differing = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        if (rc["type"] == "aws_iam_user" and change["actions"] == ["update"] and differing == {"permissions_boundary"}
                and not before.get("permissions_boundary")
                and after["permissions_boundary"] == boundaries.get(after["name"])):
            continue
        unexpected.append(rc["address"])
    return unexpected


@pytest.mark.parametrize("spec_path", example_specs(), ids=lambda p: p.stem)
def test_example_applies_converges_and_destroys(
    spec_path: Path, tmp_path: Path, terraform_bin: str, tf_plugin_dir: str | None,
    moto_servers, tf_cache_env: dict[str, str],
) -> None:
    from generator.render import generate

    spec = load_spec(spec_path)
    server = moto_servers(spec.account.id)
    server.reset()
    root = tmp_path / spec_path.stem
    generate(spec, root)
    write_provider_override(root)
    env = {**server.terraform_env(spec.account.home_region), **tf_cache_env}
    tf = TerraformRunner(root, terraform_bin=terraform_bin, plugin_dir=tf_plugin_dir, env=env)
    tf.init()

    held_back = PLAN_ONLY if spec_path.stem == APPLIED_IN else PLAN_ONLY + APPLIED_ONCE
    targets = apply_targets(root, held_back)
    tf.apply(auto_approve=True, targets=targets)

    # One plan of the whole root: what was applied converges, and only what was held back is created.
    second = tf.plan().plan
    changed = user_boundary_gap(spec, second)
    creates = {rc["address"] for rc in second.get("resource_changes", []) if rc["change"]["actions"] == ["create"]}
    unexpected = [a for a in changed if not (a in creates and any(_under(a, held) for held in held_back))]
    assert not unexpected, f"perpetual diff in {unexpected}:\n{render_text(summarize_plan(second))}"
    if (root / "modules" / "access_analyzer").is_dir():
        analyzers = [rc for rc in second["resource_changes"] if rc["type"] == "aws_accessanalyzer_analyzer"
                     and rc["change"]["after"]["type"] == "ACCOUNT" and rc["change"]["actions"] == ["create"]]
        assert len(analyzers) == len(spec.account.regions), "one external-access analyzer per region (plan only)"

    check_deployed(spec, server)
    tf.destroy(targets=targets)
    assert tf.state_addresses() == []
    check_nothing_left(spec, server)
