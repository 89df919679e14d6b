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
    session = session or boto3.Session()
    endpoint = os.environ.get("AWS_ENDPOINT_URL_IAM") or os.environ.get("AWS_ENDPOINT_URL")
    region = session.region_name or "us-east-1"
    return session.client("iam", region_name=region, endpoint_url=endpoint or None)


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


def _client(session: Any, service: str) -> Any:
    """A client for ``service`` like :func:`iam_client` (``AWS_ENDPOINT_URL_<SERVICE>`` first)."""
    import boto3

    session = session or boto3.Session()
    endpoint = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL")
    return session.client(service, region_name=session.region_name or "us-east-1", endpoint_url=endpoint or None)


def _read(fn: Callable[[], Any]) -> Any:
    """``fn()``, or None when the API refuses or cannot be reached: a compute listing the caller
    may not read leaves that kind unknown (PRV-021 then warns) instead of failing the audit."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return fn()
    except (BotoCoreError, ClientError):
        return None


def compute_inventory(iam: Any, account_id: str, session: Any = None) -> Any:
    """The compute resources of the session's region and the role each runs as, for PRV-021:
    Lambda functions (``ListFunctions``) and EC2 instances through their instance profiles
    (``ListInstanceProfiles``, ``DescribeInstances``). A listing that fails is left out (unknown)."""
    from generator.analysis.reachability import ComputeIndex

    roles: dict[str, dict[str, str]] = {}
    lam = _read(lambda: _client(session, "lambda"))
    pages = _read(lambda: list(lam.get_paginator("list_functions").paginate())) if lam is not None else None
    if pages is not None:
        roles["function"] = {f["FunctionArn"]: f["Role"] for page in pages for f in page.get("Functions", [])
                             if f.get("Role")}
    profiles = _read(lambda: list(iam.get_paginator("list_instance_profiles").paginate()))
    ec2 = _read(lambda: _client(session, "ec2")) if profiles is not None else None
    reservations = _read(lambda: list(ec2.get_paginator("describe_instances").paginate())) if ec2 is not None else None
    if profiles is not None and reservations is not None:
        role_of = {p["Arn"]: p["Roles"][0]["Arn"] for page in profiles for p in page.get("InstanceProfiles", [])
                   if p.get("Roles")}
        region = ec2.meta.region_name
        instances: dict[str, str] = {}
        for page in reservations:
            for reservation in page.get("Reservations", []):
                for instance in reservation.get("Instances", []):
                    profile = (instance.get("IamInstanceProfile") or {}).get("Arn", "")
                    if profile in role_of:
                        arn = f"arn:aws:ec2:{region}:{account_id}:instance/{instance['InstanceId']}"
                        instances[arn] = role_of[profile]
        roles["instance"] = instances
    return ComputeIndex(roles)


def _json_default(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
