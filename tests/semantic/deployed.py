"""The documents under test are the deployed ones: generate a spec, apply it to moto_server, read back.

``deploy()`` generates a spec through ``generator.api``, applies it to a fresh moto_server exactly as
tests/integration/test_moto_examples.py does (same ``apply_targets`` with its ``PLAN_ONLY`` and
``APPLIED_ONCE`` held back: moto lacks Access Analyzer and rejects the trail bucket's logging
configuration, and the lifecycle rules cost ~55 s of provider polling), replans, and reads:

* terraform state (``terraform show -json``): roles (trust policy, boundary), inline and managed
  policies, their attachments (per-attachment and ``*_exclusive`` resources), groups, group
  memberships, users, bucket, key and topic policies, OIDC providers;
* the replan (saved plan's JSON): each user's permissions boundary, which moto drops on CreateUser
  (see the integration test's docstring), so state reads it back empty;
* boto3 against the same moto_server: the documents of the AWS managed policies the deployment
  attaches (moto loads them with MOTO_IAM_LOAD_MANAGED_POLICIES=true) plus AdministratorAccess.

The result is plain JSON (so pytest-xdist workers share one apply through a file); ``Deployment``
wraps it with the principal model the scenarios evaluate.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto_server import MotoServer, write_provider_override

from generator.api import generate
from generator.tools.terraform import TerraformRunner

TESTS = Path(__file__).resolve().parents[1]
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


def _moto_examples():
    """tests/integration/test_moto_examples.py, loaded by path under a private name (its
    ``apply_targets``, ``PLAN_ONLY`` and ``APPLIED_ONCE`` are reused, not copied)."""
    name = "_semantic_moto_examples"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, TESTS / "integration" / "test_moto_examples.py")
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[name] = module
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    return sys.modules[name]


def _doc(value: Any) -> dict | None:
    if value in (None, ""):
        return None
    return json.loads(value) if isinstance(value, str) else dict(value)


def _resources(module: dict) -> list[dict]:
    out = list(module.get("resources", []))
    for child in module.get("child_modules", []):
        out += _resources(child)
    return out


def extract(state: dict, plan: dict) -> dict:
    """The deployment model (plain JSON) from ``terraform show -json`` of the state and of the replan."""
    resources = [r for r in _resources(state.get("values", {}).get("root_module", {})) if r.get("mode") == "managed"]
    planned = [r for r in _resources(plan.get("planned_values", {}).get("root_module", {}))]
    model: dict[str, Any] = {"policies": {}, "roles": {}, "users": {}, "groups": {}, "buckets": {}, "kms_keys": {},
                             "topics": {}, "oidc_providers": [], "addresses": sorted(r["address"] for r in resources)}

    def role(name: str) -> dict:
        return model["roles"].setdefault(name, {"inline": {}, "attached": []})

    def user(name: str) -> dict:
        return model["users"].setdefault(name, {"inline": {}, "attached": [], "groups": []})

    def group(name: str) -> dict:
        return model["groups"].setdefault(name, {"inline": {}, "attached": [], "users": []})

    def add(items: list, values: list | None) -> None:
        for v in values or []:
            if v not in items:
                items.append(v)

    for r in resources:
        t, v = r["type"], r["values"]
        if t == "aws_iam_policy":
            model["policies"][v["arn"]] = {"name": v["name"], "path": v["path"], "document": _doc(v["policy"])}
        elif t == "aws_iam_role":
            role(v["name"]).update(arn=v["arn"], path=v["path"], trust=_doc(v["assume_role_policy"]),
                                   boundary=v.get("permissions_boundary") or None, tags=v.get("tags") or {},
                                   address=r["address"])
        elif t == "aws_iam_role_policy":
            role(v["role"])["inline"][v["name"]] = _doc(v["policy"])
        elif t == "aws_iam_role_policy_attachment":
            add(role(v["role"])["attached"], [v["policy_arn"]])
        elif t == "aws_iam_role_policy_attachments_exclusive":
            add(role(v["role_name"])["attached"], v.get("policy_arns"))
        elif t == "aws_iam_user":
            user(v["name"]).update(arn=v["arn"], path=v["path"], tags=v.get("tags") or {},
                                   state_boundary=v.get("permissions_boundary") or None, address=r["address"])
        elif t == "aws_iam_user_policy":
            user(v["user"])["inline"][v["name"]] = _doc(v["policy"])
        elif t == "aws_iam_user_policy_attachment":
            add(user(v["user"])["attached"], [v["policy_arn"]])
        elif t == "aws_iam_user_policy_attachments_exclusive":
            add(user(v["user_name"])["attached"], v.get("policy_arns"))
        elif t == "aws_iam_group":
            group(v["name"]).update(arn=v["arn"], path=v["path"])
        elif t == "aws_iam_group_policy":
            group(v["group"])["inline"][v["name"]] = _doc(v["policy"])
        elif t == "aws_iam_group_policy_attachment":
            add(group(v["group"])["attached"], [v["policy_arn"]])
        elif t == "aws_iam_group_policy_attachments_exclusive":
            add(group(v["group_name"])["attached"], v.get("policy_arns"))
        elif t == "aws_iam_group_membership":
            add(group(v["group"])["users"], v.get("users"))
        elif t == "aws_iam_user_group_membership":
            for g in v.get("groups") or []:
                add(group(g)["users"], [v["user"]])
        elif t == "aws_s3_bucket_policy":
            model["buckets"][v["bucket"]] = _doc(v["policy"])
        elif t == "aws_kms_key":
            model["kms_keys"][v["arn"]] = {"key_id": v["key_id"], "policy": _doc(v["policy"]),
                                           "address": r["address"]}
        elif t == "aws_sns_topic_policy":
            model["topics"][v["arn"]] = _doc(v["policy"])
        elif t == "aws_iam_openid_connect_provider":
            model["oidc_providers"].append(v["arn"])
    for g_name, g in model["groups"].items():
        for u in g["users"]:
            add(user(u)["groups"], [g_name])
    # moto drops a user's boundary on CreateUser: the boundary deployed is the one planned.
    for r in planned:
        if r["type"] == "aws_iam_user" and r.get("mode") == "managed":
            v = r["values"]
            user(v["name"])["boundary"] = v.get("permissions_boundary") or None
    for u in model["users"].values():
        u.setdefault("boundary", u.get("state_boundary"))
    return model


def aws_managed_documents(server: MotoServer, arns: set[str]) -> dict[str, dict]:
    """The default-version documents of AWS managed policies, read from moto through boto3."""
    iam = server.client("iam")
    out = {}
    for arn in sorted(arns):
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        out[arn] = {"name": policy["PolicyName"], "path": policy["Path"], "document": _doc(version["Document"])}
    return out


def deploy(spec_path: Path, workdir: Path, *, terraform_bin: str, plugin_dir: str | None,
           extra_env: dict[str, str]) -> dict:
    """Generate ``spec_path`` into ``workdir``, apply it to a new moto_server and return the model."""
    from generator.spec import load_spec

    spec = load_spec(spec_path)
    root = workdir / "root"
    outcome = generate(spec_path, root)
    assert not outcome.blocked, f"{spec_path}: generate blocked: {outcome.report.findings}"
    write_provider_override(root)
    server = MotoServer(spec.account.id, log_dir=workdir).start()
    try:
        env = {**server.terraform_env(spec.account.home_region), **extra_env}
        tf = TerraformRunner(root, terraform_bin=terraform_bin, plugin_dir=plugin_dir, env=env)
        tf.init()
        examples = _moto_examples()
        tf.apply(auto_approve=True, targets=examples.apply_targets(root, examples.PLAN_ONLY + examples.APPLIED_ONCE))
        plan = tf.plan().plan
        shown = subprocess.run([tf.terraform_bin, "show", "-json", "-no-color"], cwd=root, capture_output=True,
                               text=True, check=True, env={**os.environ, **env})
        model = extract(json.loads(shown.stdout), plan)
        aws_managed = {a for p in [*model["roles"].values(), *model["users"].values(), *model["groups"].values()]
                       for a in p["attached"] if a.startswith("arn:aws:iam::aws:policy/")}
        model["policies"].update(aws_managed_documents(server, aws_managed | {ADMINISTRATOR_ACCESS}))
    finally:
        server.stop()
    model["account"] = spec.account.id
    model["home_region"] = spec.account.home_region
    model["regions"] = list(spec.account.regions)
    model["spec"] = str(spec_path)
    return model


@dataclass
class Principal:
    """A user or role as deployed: what the engine needs to evaluate its requests."""

    kind: str  # "user" or "role"
    name: str
    arn: str
    account: str
    identity_policies: list[tuple[str, dict]]
    boundaries: list[tuple[str, dict]]
    tags: dict[str, str]
    trust: dict | None = None
    boundary_arn: str | None = None
    session: str = "semantic-test"

    @property
    def request_arn(self) -> str:
        """The ARN a request is made as: the user, or the role's session."""
        if self.kind == "role":
            return f"arn:aws:sts::{self.account}:assumed-role/{self.name}/{self.session}"
        return self.arn

    def context(self, region: str, extra: dict[str, str | list[str]] | None = None) -> dict[str, str | list[str]]:
        """The request context AWS would add for this principal (the engine fills in none itself)."""
        ctx: dict[str, str | list[str]] = {
            "aws:PrincipalArn": self.arn,
            "aws:PrincipalAccount": self.account,
            "aws:PrincipalType": "User" if self.kind == "user" else "AssumedRole",
            "aws:SecureTransport": "true",
            "aws:RequestedRegion": region,
            "aws:CurrentTime": "2026-11-29T12:00:00Z",
            "aws:EpochTime": "1795953600",
        }
        if self.kind == "user":
            ctx["aws:username"] = self.name
            ctx["aws:userid"] = "AIDA" + self.name.upper().ljust(17, "X")[:17]
        else:
            ctx["aws:userid"] = "AROA" + self.name.upper().replace("-", "")[:17].ljust(17, "X") + ":" + self.session
        for key, value in self.tags.items():
            ctx[f"aws:PrincipalTag/{key}"] = value
        ctx.update(extra or {})
        return ctx


@dataclass
class Deployment:
    """The model of one applied spec."""

    data: dict = field(repr=False)

    @property
    def account(self) -> str:
        return str(self.data["account"])

    @property
    def home_region(self) -> str:
        return str(self.data["home_region"])

    def policy_by_name(self, name: str) -> tuple[str, dict] | None:
        """(ARN, document) of the managed policy called ``name``, or None."""
        for arn, p in self.data["policies"].items():
            if p["name"] == name:
                return arn, p["document"]
        return None

    def document(self, arn: str) -> dict:
        try:
            return self.data["policies"][arn]["document"]
        except KeyError:
            raise AssertionError(f"no deployed managed policy {arn}; deployed: {sorted(self.data['policies'])}") from None

    def _managed(self, arns: list[str]) -> list[tuple[str, dict]]:
        return [(self.data["policies"][a]["name"], self.document(a)) for a in arns]

    def role(self, name: str) -> Principal:
        r = self.data["roles"].get(name)
        assert r and "arn" in r, f"role {name} not deployed; roles: {sorted(self.data['roles'])}"
        policies = [(f"inline:{n}", d) for n, d in sorted(r["inline"].items())] + self._managed(r["attached"])
        boundaries = [("boundary", self.document(r["boundary"]))] if r.get("boundary") else []
        return Principal("role", name, r["arn"], self.account, policies, boundaries, dict(r.get("tags") or {}),
                         trust=r["trust"], boundary_arn=r.get("boundary"))

    def user(self, name: str) -> Principal:
        u = self.data["users"].get(name)
        assert u and "arn" in u, f"user {name} not deployed; users: {sorted(self.data['users'])}"
        policies = [(f"inline:{n}", d) for n, d in sorted(u["inline"].items())] + self._managed(u["attached"])
        for g_name in u["groups"]:
            g = self.data["groups"][g_name]
            policies += [(f"group:{g_name}:{n}", d) for n, d in sorted(g["inline"].items())]
            policies += [(f"group:{g_name}:{self.data['policies'][a]['name']}", self.document(a)) for a in g["attached"]]
        boundaries = [("boundary", self.document(u["boundary"]))] if u.get("boundary") else []
        return Principal("user", name, u["arn"], self.account, policies, boundaries, dict(u.get("tags") or {}),
                         boundary_arn=u.get("boundary"))

    def synthetic_role(self, name: str, path: str, identity: list[tuple[str, dict]], boundary: tuple[str, dict] | None,
                       tags: dict[str, str] | None = None) -> Principal:
        """A role that is not in the deployment (e.g. one a delegate would create), with the given documents."""
        arn = f"arn:aws:iam::{self.account}:role{path}{name}"
        return Principal("role", name, arn, self.account, identity, [boundary] if boundary else [], tags or {})

    def bucket_policy(self, bucket: str) -> dict:
        assert bucket in self.data["buckets"], f"no policy on bucket {bucket}; {sorted(self.data['buckets'])}"
        return self.data["buckets"][bucket]

    def topic_policy(self, suffix: str) -> tuple[str, dict]:
        for arn, doc in self.data["topics"].items():
            if arn.endswith(":" + suffix):
                return arn, doc
        raise AssertionError(f"no topic {suffix}; {sorted(self.data['topics'])}")

    def kms_key(self) -> tuple[str, dict]:
        keys = list(self.data["kms_keys"].items())
        assert len(keys) == 1, f"expected one KMS key, got {[k for k, _ in keys]}"
        arn, key = keys[0]
        return arn, key["policy"]


def check_against_build(deployment: Deployment, spec_path: Path) -> None:
    """The model holds what iamforge built for the spec (so the scenarios evaluate the real thing):
    each role's trust and inline policies, each principal's boundary (a user's from the plan: moto
    drops it on CreateUser, so state has none), and each department group's members."""
    from generator.policies import build
    from generator.spec import load_spec

    spec = load_spec(spec_path)
    policies = build(spec)
    for role in spec.roles:
        r = deployment.data["roles"][role.name]
        assert r["trust"] == policies.trust_of(role.name).document, f"{role.name}: trust"
        want = {d.name: d.document for d in policies.for_principal("role", role.name)}
        assert r["inline"] == want, f"{role.name}: inline policies"
        assert r.get("boundary") == (spec.boundary_arn(role.boundary) if role.boundary else None), f"{role.name}: boundary"
    for user in spec.users:
        u = deployment.data["users"][user.name]
        assert u.get("boundary") == (spec.boundary_arn(user.boundary) if user.boundary else None), f"{user.name}: boundary"
    for dept in spec.departments.values():
        g = deployment.data["groups"][dept.group_name]
        assert sorted(g["users"]) == sorted(u.name for u in dept.users), f"{dept.group_name}: members"
