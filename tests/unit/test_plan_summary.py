"""plan_summary: a terraform plan (show -json) in IAM terms."""
from __future__ import annotations

import json

from generator.plan_summary import diff_documents, render_text, summarize_plan


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def rc(address: str, rtype: str, actions: list[str], before: dict | None, after: dict | None,
       after_unknown: dict | None = None) -> dict:
    return {"address": address, "mode": "managed", "type": rtype, "name": address.split(".")[-1].split("[")[0],
            "change": {"actions": actions, "before": before, "after": after, "after_unknown": after_unknown or {}}}


READ = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::b/*"}


def test_diff_reports_actions_and_resources_gained_and_lost() -> None:
    before = json.loads(doc(READ))
    after = json.loads(doc({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                            "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::c/*"]}))
    gained, lost = diff_documents(before, after)
    assert [(s.effect, s.actions, s.resources) for s in gained] == [
        ("Allow", ["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::c/*"]),
        ("Allow", ["s3:PutObject"], ["arn:aws:s3:::b/*"]),
    ]
    assert [(s.actions, s.resources) for s in lost] == [(["s3:ListBucket"], ["arn:aws:s3:::b/*"])]


def test_diff_keeps_conditions_principals_and_not_action_apart() -> None:
    trust = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::1:root"},
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
    deny = {"Effect": "Deny", "NotAction": ["iam:ChangePassword"], "Resource": "*"}
    gained, lost = diff_documents(None, json.loads(doc(trust, deny)))
    assert lost == []
    by_effect = {s.effect: s for s in gained}
    assert by_effect["Allow"].principals == ["AWS:arn:aws:iam::1:root"]
    assert by_effect["Allow"].conditions == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert by_effect["Deny"].not_actions is True and by_effect["Deny"].actions == ["iam:ChangePassword"]
    # Removing only the condition is a loss of the conditioned grant and a gain of the unconditioned one.
    bare = {k: v for k, v in trust.items() if k != "Condition"}
    gained, lost = diff_documents(json.loads(doc(trust)), json.loads(doc(bare)))
    assert [s.conditions for s in gained] == [{}]
    assert [s.conditions for s in lost] == [{"Bool": {"aws:MultiFactorAuthPresent": "true"}}]


def test_updated_inline_policy_names_the_role_and_the_delta() -> None:
    plan = {"resource_changes": [
        rc('aws_iam_role_policy.this["dev/read"]', "aws_iam_role_policy", ["update"],
           {"name": "read", "role": "dev", "policy": doc(READ)},
           {"name": "read", "role": "dev", "policy": doc({**READ, "Action": ["s3:GetObject"]})}),
    ]}
    summary = summarize_plan(plan)
    assert summary.counts == {"create": 0, "update": 1, "delete": 0, "replace": 0}
    [pol] = summary.policies
    assert (pol.kind, pol.policy, pol.principals, pol.gained) == ("inline", "read", ["role dev"], [])
    assert [s.actions for s in pol.lost] == [["s3:ListBucket"]]
    view = summary.by_principal()
    assert [s["actions"] for s in view["role dev"]["loses"]] == [["s3:ListBucket"]]
    text = render_text(summary)
    assert "role dev" in text and "- Allow s3:ListBucket on arn:aws:s3:::b/*  [read]" in text


def test_changed_managed_policy_applies_to_principals_of_unchanged_attachments() -> None:
    arn = "arn:aws:iam::111122223333:policy/p"
    plan = {"resource_changes": [
        rc("aws_iam_policy.p", "aws_iam_policy", ["update"], {"name": "p", "arn": arn, "policy": doc(READ)},
           {"name": "p", "arn": arn,
            "policy": doc(READ, {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"})}),
        rc("aws_iam_group_policy_attachment.a", "aws_iam_group_policy_attachment", ["no-op"],
           {"group": "eng", "policy_arn": arn}, {"group": "eng", "policy_arn": arn}),
        rc("aws_iam_role.r", "aws_iam_role", ["delete"], {"name": "old", "assume_role_policy": doc(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}})}, None),
    ]}
    summary = summarize_plan(plan)
    managed = next(p for p in summary.policies if p.kind == "managed")
    assert managed.principals == ["group eng"]
    assert [(s.actions, s.resources) for s in managed.gained] == [(["kms:Decrypt"], ["*"])]
    trust = next(p for p in summary.policies if p.kind == "trust")
    assert trust.action == "delete" and trust.lost[0].principals == ["Service:ec2.amazonaws.com"]
    assert [(r.kind, r.name, r.action) for r in summary.resources] == [
        ("policy", "p", "update"), ("role", "old", "delete")]


def test_unknown_policy_arn_is_followed_through_module_outputs() -> None:
    """A new policy's ARN is unknown at plan time: the configuration says which policy it is."""
    policy_after = {"name": "force-mfa", "policy": doc(READ)}
    plan = {
        "resource_changes": [
            rc("module.mfa.aws_iam_policy.this", "aws_iam_policy", ["create"], None, policy_after, {"arn": True}),
            rc('module.dept.aws_iam_group_policy_attachments_exclusive.this["eng"]',
               "aws_iam_group_policy_attachments_exclusive", ["create"], None,
               {"group_name": "eng", "policy_arns": [None]}, {"policy_arns": [True]}),
        ],
        "configuration": {"root_module": {"module_calls": {
            "mfa": {"module": {"resources": [{"address": "aws_iam_policy.this"}],
                               "outputs": {"arn": {"expression": {"references": ["aws_iam_policy.this.arn",
                                                                                 "aws_iam_policy.this"]}}}}},
            "dept": {"expressions": {"arns": {"references": ["module.mfa.arn", "module.mfa"]}},
                     "module": {"resources": [{"address": "aws_iam_group_policy_attachments_exclusive.this",
                                               "expressions": {"policy_arns": {"references": ["var.arns"]}}}]}},
        }}},
    }
    summary = summarize_plan(plan)
    [att] = summary.attachments
    assert (att.principal, att.policy, att.action, att.policy_address) == (
        "group eng", "force-mfa", "attach", "module.mfa.aws_iam_policy.this")
    gains = summary.by_principal()["group eng"]["gains"]
    assert [(g["via"], g["actions"]) for g in gains] == [("force-mfa", ["s3:GetObject", "s3:ListBucket"])]


def test_exclusive_attachment_diff_and_memberships() -> None:
    old, new = "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/SecurityAudit"
    plan = {"resource_changes": [
        rc("aws_iam_role_policy_attachments_exclusive.a", "aws_iam_role_policy_attachments_exclusive", ["update"],
           {"role_name": "auditor", "policy_arns": [old]}, {"role_name": "auditor", "policy_arns": [new]}),
        rc("aws_iam_group_membership.m", "aws_iam_group_membership", ["update"],
           {"group": "eng", "users": ["alice", "bob"]}, {"group": "eng", "users": ["alice", "carol"]}),
        rc("aws_iam_user.u", "aws_iam_user", ["update"],
           {"name": "carol", "permissions_boundary": None}, {"name": "carol", "permissions_boundary": "arn:b"}),
    ]}
    summary = summarize_plan(plan)
    assert [(a.principal, a.policy, a.action) for a in summary.attachments] == [
        ("role auditor", old, "detach"), ("role auditor", new, "attach")]
    assert [(m["user"], m["action"]) for m in summary.memberships] == [("carol", "join"), ("bob", "leave")]
    assert summary.resources[0].details == ["permissions boundary: none -> arn:b"]
    text = render_text(summary)
    assert "+ carol joins eng" in text and "- bob leaves eng" in text and "- detached " + old in text


def test_no_changes_and_json_shape() -> None:
    summary = summarize_plan({"resource_changes": [
        rc("aws_iam_group.g", "aws_iam_group", ["no-op"], {"name": "g"}, {"name": "g"})]})
    assert not summary.has_changes
    assert "No changes" in render_text(summary)
    assert set(json.loads(json.dumps(summary.as_dict()))) == {
        "counts", "resources", "policies", "attachments", "memberships", "principals"}
