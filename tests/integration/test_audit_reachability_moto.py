"""PRV-021 with `--from-aws` against moto_server: Lambda functions and instance profiles are read,
so code changes on a named function or instance are judged by the role it really runs as."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from moto_server import TEST_ACCOUNT_ID, MotoServer, account, moto, moto_servers  # noqa: F401  (fixtures)

from generator.audit import audit_aws, options

pytestmark = pytest.mark.moto
A = TEST_ACCOUNT_ID
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def _doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _trust(service: str) -> str:
    return _doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


def build(server: MotoServer) -> dict[str, str]:
    iam, lam, ec2 = server.client("iam"), server.client("lambda"), server.client("ec2")
    roles = {}
    for name, service, policy in (("fn-admin", "lambda.amazonaws.com", ADMIN), ("fn-reader", "lambda.amazonaws.com", READ),
                                  ("box-admin", "ec2.amazonaws.com", ADMIN)):
        roles[name] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust(service))["Role"]["Arn"]
        iam.attach_role_policy(RoleName=name, PolicyArn=policy)
    functions = {}
    for fn, role in (("billing", "fn-admin"), ("reports", "fn-reader")):
        functions[fn] = lam.create_function(FunctionName=fn, Runtime="python3.12", Role=roles[role], Handler="index.handler",
                                            Code={"ZipFile": _zip()})["FunctionArn"]
    iam.create_instance_profile(InstanceProfileName="box")
    iam.add_role_to_instance_profile(InstanceProfileName="box", RoleName="box-admin")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, IamInstanceProfile={"Name": "box"})
    instance_arn = f"arn:aws:ec2:us-east-1:{A}:instance/{instance['Instances'][0]['InstanceId']}"
    for user, action, resource in (("dev", "lambda:UpdateFunctionCode", functions["billing"]),
                                   ("analyst", "lambda:UpdateFunctionCode", functions["reports"]),
                                   ("operator", "ssm:SendCommand", instance_arn)):
        iam.create_user(UserName=user)
        iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=_doc(
            {"Effect": "Allow", "Action": action, "Resource": resource}))
    return functions


def test_from_aws_judges_named_compute_by_its_own_role(account: MotoServer) -> None:
    functions = build(account)
    findings = {f.path: f for f in audit_aws(opts=options(date.today())).findings if f.rule_id == "PRV-021"}
    dev = findings["user/dev"]
    assert dev.severity.value == "error"
    assert "user/dev -> role/fn-admin (admin)" in dev.message and functions["billing"] in dev.message
    assert "user/analyst" not in findings  # reports runs as the read-only role
    operator = findings["user/operator"]
    assert operator.severity.value == "error" and "user/operator -> role/box-admin (admin)" in operator.message


def test_from_aws_reads_stacks_notebooks_glue_and_codebuild_roles(account: MotoServer) -> None:
    """The other compute that runs as a role, read with --from-aws: each judged by its own role."""
    from generator.audit.fetch import compute_inventory, iam_client

    iam = account.client("iam")
    admin = iam.create_role(RoleName="svc-admin", AssumeRolePolicyDocument=_doc(*[
        {"Effect": "Allow", "Principal": {"Service": s}, "Action": "sts:AssumeRole"}
        for s in ("cloudformation.amazonaws.com", "sagemaker.amazonaws.com", "glue.amazonaws.com",
                  "codebuild.amazonaws.com")]))["Role"]["Arn"]
    iam.attach_role_policy(RoleName="svc-admin", PolicyArn=ADMIN)
    stack = account.client("cloudformation").create_stack(
        StackName="net", RoleARN=admin, TemplateBody=json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}))
    account.client("sagemaker").create_notebook_instance(NotebookInstanceName="lab", InstanceType="ml.t3.medium",
                                                         RoleArn=admin)
    account.client("glue").create_job(Name="etl", Role=admin, Command={"Name": "glueetl", "ScriptLocation": "s3://b/k"})
    account.client("codebuild").create_project(
        name="build", source={"type": "S3", "location": "bucket/source.zip"}, artifacts={"type": "NO_ARTIFACTS"},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
        serviceRole=admin)
    index = compute_inventory(iam_client(), A)
    assert index.roles["stack"] == {stack["StackId"]: admin}
    assert list(index.roles["notebook"].values()) == [admin]
    assert index.roles["job"] == {f"arn:aws:glue:us-east-1:{A}:job/etl": admin}
    assert list(index.roles["project"].values()) == [admin]
    assert index.covers(f"arn:aws:lambda:us-east-1:{A}:function:x") and not index.covers(
        f"arn:aws:lambda:eu-west-1:{A}:function:x")  # another region was not read: unknown, not absent
    iam.create_user(UserName="builder")
    iam.put_user_policy(UserName="builder", PolicyName="p", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": ["codebuild:StartBuild"], "Resource": list(index.roles["project"])}))
    found = {f.path: f for f in audit_aws(opts=options(date.today())).findings if f.rule_id == "PRV-021"}
    assert found["user/builder"].severity.value == "error" and "role/svc-admin (admin)" in found["user/builder"].message
