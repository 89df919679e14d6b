"""Read an account through the AWS API (boto3's standard credential chain).

``AWS_PROFILE``, ``AWS_REGION`` and ``AWS_ENDPOINT_URL`` (or ``AWS_ENDPOINT_URL_IAM``) are
honoured, so the same code reads a real account or a local moto_server.
"""
from __future__ import annotations

import json
import os
import time
from typing import Any, Callable

from generator.audit.details import merge_pages
from generator.errors import ToolError

FILTERS = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]


def iam_client(session: Any = None) -> Any:
    """An IAM client from ``session`` (a boto3 Session) or from the default chain."""
    try:
        import boto3
    except ImportError as exc:  # pragma: no cover - boto3 is a dependency of the audit extra
        raise ToolError("--from-aws needs boto3 (pip install boto3)") from exc
    return client(session or boto3.Session(), "iam")


def _call(what: str, fn: Callable[[], Any]) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return fn()
    except (BotoCoreError, ClientError) as exc:
        raise ToolError(f"AWS API: {what} failed: {exc}") from exc


def credential_report(iam: Any, timeout: float = 120.0, interval: float = 2.0,
                      sleep: Callable[[float], None] = time.sleep) -> str:
    """Generate the credential report, wait until it is complete, return its CSV text.

    Raises:
        ToolError: when the API fails or the report is not ready within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        state = _call("GenerateCredentialReport", iam.generate_credential_report).get("State")
        if state == "COMPLETE":
            break
        if time.monotonic() >= deadline:
            raise ToolError(f"AWS API: the credential report was not ready after {timeout:.0f}s (state {state})")
        sleep(interval)
    content = _call("GetCredentialReport", iam.get_credential_report)["Content"]
    return content.decode("utf-8") if isinstance(content, bytes) else str(content)


def authorization_details(iam: Any) -> dict:
    """Every page of GetAccountAuthorizationDetails merged, as the AWS CLI would print it (JSON types)."""
    def fetch() -> list[dict]:
        paginator = iam.get_paginator("get_account_authorization_details")
        return list(paginator.paginate(Filter=FILTERS))

    merged = merge_pages(_call("GetAccountAuthorizationDetails", fetch))
    return json.loads(json.dumps(merged, default=_json_default))


def _optional(what: str, fn: Callable[[], Any], absent: Any) -> Any:
    """Like :func:`_call`, but ``absent`` when the entity does not exist (NoSuchEntity).

    Any other failure (access denied, throttling, no endpoint) is an error: adoption must not
    mistake "cannot read it" for "it does not exist" and plan to create what is already there.
    """
    from botocore.exceptions import ClientError

    try:
        return _call(what, fn)
    except ToolError as exc:
        cause = exc.__cause__
        if isinstance(cause, ClientError) and cause.response.get("Error", {}).get("Code") == "NoSuchEntity":
            return absent
        raise


def account_extras(iam: Any) -> dict[str, Any]:
    """What the authorization details leave out but adoption needs: OIDC providers, the password
    policy and the account alias (each empty when absent)."""
    providers = _call("ListOpenIDConnectProviders", iam.list_open_id_connect_providers)
    policy = _optional("GetAccountPasswordPolicy", iam.get_account_password_policy, None)
    aliases = _call("ListAccountAliases", iam.list_account_aliases)
    return {
        "oidc_providers": [p["Arn"] for p in providers["OpenIDConnectProviderList"]],
        "password_policy": policy is not None,
        "aliases": list(aliases["AccountAliases"]),
    }


def client(session: Any, service: str, region: str | None = None) -> Any:
    """A client for ``service`` like :func:`iam_client` (``AWS_ENDPOINT_URL_<SERVICE>`` first, as
    botocore names it: ``sso-admin`` -> ``AWS_ENDPOINT_URL_SSO_ADMIN``), in ``region`` or the session's."""
    import boto3

    session = session or boto3.Session()
    endpoint = (os.environ.get(f"AWS_ENDPOINT_URL_{service.upper().replace('-', '_')}")
                or os.environ.get("AWS_ENDPOINT_URL"))
    return session.client(service, region_name=region or session.region_name or "us-east-1",
                          endpoint_url=endpoint or None)


def _read(fn: Callable[[], Any]) -> Any:
    """``fn()``, or None when the API refuses or cannot be reached: a compute listing the caller
    may not read leaves that kind unknown (PRV-021 then warns) instead of failing the audit."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return fn()
    except (BotoCoreError, ClientError):
        return None


def _role_arn(role: str, account_id: str) -> str:
    """A role as the APIs give it (an ARN, or for Glue sometimes a bare name) as an ARN."""
    return role if role.startswith("arn:") else f"arn:aws:iam::{account_id}:role/{role}"


def _listed(session: Any, service: str, operation: str, key: str) -> list[dict] | None:
    """Every item under ``key`` of every page of ``operation``, or None when it cannot be read."""
    api = _read(lambda: client(session, service))
    if api is None:
        return None
    pages = _read(lambda: list(api.get_paginator(operation).paginate()))
    return None if pages is None else [item for page in pages for item in page.get(key, [])]


def compute_inventory(iam: Any, account_id: str, session: Any = None) -> Any:
    """The compute resources of the session's region and the role each runs as, for PRV-021:
    Lambda functions, EC2 instances (through their instance profiles), CloudFormation stacks
    (their service role), SageMaker notebook instances, Glue jobs and development endpoints, and
    CodeBuild projects. A listing that fails is left out: that kind stays unknown (a warning)."""
    from generator.analysis.reachability import ComputeIndex

    import boto3

    session = session or boto3.Session()  # one session: every listing, and the region named below
    region = session.region_name or "us-east-1"
    roles: dict[str, dict[str, str]] = {}
    functions = _listed(session, "lambda", "list_functions", "Functions")
    if functions is not None:
        roles["function"] = {f["FunctionArn"]: f["Role"] for f in functions if f.get("Role")}
    profiles = _read(lambda: list(iam.get_paginator("list_instance_profiles").paginate()))
    ec2 = _read(lambda: client(session, "ec2")) if profiles is not None else None
    reservations = _read(lambda: list(ec2.get_paginator("describe_instances").paginate())) if ec2 is not None else None
    if profiles is not None and reservations is not None:
        role_of = {p["Arn"]: p["Roles"][0]["Arn"] for page in profiles for p in page.get("InstanceProfiles", [])
                   if p.get("Roles")}
        instances: dict[str, str] = {}
        for page in reservations:
            for reservation in page.get("Reservations", []):
                for instance in reservation.get("Instances", []):
                    profile = (instance.get("IamInstanceProfile") or {}).get("Arn", "")
                    if profile in role_of:
                        arn = f"arn:aws:ec2:{region}:{account_id}:instance/{instance['InstanceId']}"
                        instances[arn] = role_of[profile]
        roles["instance"] = instances
    stacks = _listed(session, "cloudformation", "describe_stacks", "Stacks")
    if stacks is not None:
        roles["stack"] = {s["StackId"]: s["RoleARN"] for s in stacks if s.get("RoleARN")}
    notebooks = _listed(session, "sagemaker", "list_notebook_instances", "NotebookInstances")
    sagemaker = _read(lambda: client(session, "sagemaker")) if notebooks is not None else None
    if notebooks is not None and sagemaker is not None:
        described = [_read(lambda n=n: sagemaker.describe_notebook_instance(NotebookInstanceName=n["NotebookInstanceName"]))
                     for n in notebooks]
        if all(d is not None for d in described):  # one unread notebook: the kind is unknown
            roles["notebook"] = {d["NotebookInstanceArn"]: d["RoleArn"] for d in described if d.get("RoleArn")}
    jobs = _listed(session, "glue", "get_jobs", "Jobs")
    if jobs is not None:
        roles["job"] = {f"arn:aws:glue:{region}:{account_id}:job/{j['Name']}": _role_arn(j["Role"], account_id)
                        for j in jobs if j.get("Role")}
    endpoints = _listed(session, "glue", "get_dev_endpoints", "DevEndpoints")
    if endpoints is not None:
        roles["devendpoint"] = {f"arn:aws:glue:{region}:{account_id}:devEndpoint/{e['EndpointName']}":
                                _role_arn(e["RoleArn"], account_id) for e in endpoints if e.get("RoleArn")}
    codebuild = _read(lambda: client(session, "codebuild"))
    names = _read(lambda: [n for page in codebuild.get_paginator("list_projects").paginate()
                           for n in page.get("projects", [])]) if codebuild is not None else None
    batches = [_read(lambda i=i: codebuild.batch_get_projects(names=names[i:i + 100]))
               for i in range(0, len(names), 100)] if names is not None else None
    if batches is not None and all(b is not None for b in batches):  # one unread batch: the kind is unknown
        roles["project"] = {p["arn"]: _role_arn(p["serviceRole"], account_id) for b in batches
                            for p in b.get("projects", []) if p.get("serviceRole")}
    return ComputeIndex(roles, regions=frozenset({region}))


def _json_default(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
