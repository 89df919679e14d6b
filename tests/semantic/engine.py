"""Python side of the IAM policy engine (@cloud-copilot/iam-simulate, run by ``simulate.mjs``).

``simulate(requests)`` sends a batch of requests to ONE node process and returns one
:class:`Result` per request. The engine is a test-time tool (AGPL-3.0): nothing under
generator/ imports or runs it. ``ensure_installed()`` brings ``node_modules`` to exactly what
``package-lock.json`` pins (``npm ci``), under a file lock so that concurrent pytest-xdist
workers install it once.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
LOCK_FILE = HERE / "package-lock.json"
SCRIPT = HERE / "simulate.mjs"
ENGINE_PACKAGE = "@cloud-copilot/iam-simulate"

ALLOWED = "Allowed"
IMPLICIT_DENY = "ImplicitlyDenied"
EXPLICIT_DENY = "ExplicitlyDenied"
DENIED = (IMPLICIT_DENY, EXPLICIT_DENY)

# Context keys iamforge's documents test that this engine version's catalogue does not list
# for the action they are used with (see simulate.mjs, "Context keys", and test_engine.py,
# which asserts that they are dropped). A request names the ones it sends in ``catalogue_gaps``.
GITHUB_SUB = "token.actions.githubusercontent.com:sub"
GITHUB_AUD = "token.actions.githubusercontent.com:aud"
CLOUDTRAIL_CONTEXT = "kms:EncryptionContext:aws:cloudtrail:arn"


class EngineError(RuntimeError):
    """The engine could not run, or answered with something other than one result per request."""


def node_unavailable() -> str | None:
    """None when node and npm are on PATH, else why the semantic tests cannot run."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        return (f"{' and '.join(missing)} not on PATH: the semantic tests evaluate policies with the npm package "
                f"{ENGINE_PACKAGE} (install Node.js >= 18)")
    return None


def install_is_current() -> bool:
    """True when node_modules holds every package of package-lock.json at its locked version."""
    lock = json.loads(LOCK_FILE.read_text(encoding="utf-8"))
    for path, entry in lock.get("packages", {}).items():
        if not path:  # the project itself
            continue
        manifest = HERE / path / "package.json"
        try:
            installed = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if installed.get("version") != entry.get("version"):
            return False
    # npm ci's record of what it installed: written last, so its absence means an interrupted install.
    return (NODE_MODULES / ".package-lock.json").is_file()


@contextlib.contextmanager
def _install_lock() -> Iterator[None]:
    """An exclusive lock (fcntl) shared by every process installing into this node_modules.

    It lives in the temp dir, not in node_modules: ``npm ci`` deletes node_modules first.
    """
    digest = hashlib.sha256(str(NODE_MODULES).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"iamforge-semantic-npm-{digest}.lock"
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_installed(timeout: float = 600) -> None:
    """``npm ci --ignore-scripts`` into tests/semantic/node_modules unless it already matches the lock."""
    with _install_lock():
        if install_is_current():
            return
        proc = subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=HERE, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )
        if proc.returncode != 0 or not install_is_current():
            raise EngineError(f"npm ci failed in {HERE} (exit {proc.returncode}):\n{proc.stderr[-4000:]}")


def engine_version() -> str:
    """The installed version of the engine package."""
    manifest = NODE_MODULES / "@cloud-copilot" / "iam-simulate" / "package.json"
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])


@dataclass
class Request:
    """One authorization question: may ``principal`` do ``action`` on ``resource``?

    ``identity_policies`` and ``boundaries`` are ``(name, document)`` pairs; ``resource_policy`` is
    the resource's own policy (a role's trust policy for sts:AssumeRole*, a bucket, key or topic
    policy); ``context`` the request context keys (the engine fills in none itself);
    ``catalogue_gaps`` the context keys sent that the engine's catalogue lacks for this action.
    """

    principal: str
    action: str
    resource: str
    resource_account: str
    identity_policies: list[tuple[str, dict]] = field(default_factory=list)
    boundaries: list[tuple[str, dict]] = field(default_factory=list)
    resource_policy: dict | None = None
    # AWS Organizations: one (org identifier, [(name, document)]) per level from the root down to
    # the account (the root, each OU, the account); at every level some SCP (RCP) must allow.
    scp_levels: list[tuple[str, list[tuple[str, dict]]]] = field(default_factory=list)
    rcp_levels: list[tuple[str, list[tuple[str, dict]]]] = field(default_factory=list)
    context: dict[str, str | list[str]] = field(default_factory=dict)
    catalogue_gaps: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "resourceAccount": self.resource_account,
            "identityPolicies": [{"name": n, "policy": p} for n, p in self.identity_policies],
            "context": self.context,
        }
        if self.boundaries:
            out["permissionBoundaries"] = [{"name": n, "policy": p} for n, p in self.boundaries]
        if self.resource_policy is not None:
            out["resourcePolicy"] = self.resource_policy
        for key, levels in (("serviceControlPolicies", self.scp_levels), ("resourceControlPolicies", self.rcp_levels)):
            if levels:
                out[key] = [{"orgIdentifier": ident, "policies": [{"name": n, "policy": p} for n, p in policies]}
                            for ident, policies in levels]
        if self.catalogue_gaps:
            out["catalogueGaps"] = list(self.catalogue_gaps)
        return out


@dataclass
class Result:
    """The engine's answer: ``decision`` (Allowed / ImplicitlyDenied / ExplicitlyDenied) or ``error``."""

    decision: str | None
    error: Any = None
    ignored_context_keys: list[str] = field(default_factory=list)
    evaluation: str = "validated"  # or "unsafe": decided with the declared catalogue gaps kept
    reasons: list[Any] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.error is None and self.decision == ALLOWED

    def describe(self) -> str:
        """One line for an assertion message."""
        if self.error is not None:
            return f"engine error: {json.dumps(self.error)[:2000]}"
        extra = f" ({self.evaluation}; kept catalogue gaps {self.ignored_context_keys})" if self.ignored_context_keys else ""
        return f"{self.decision}{extra}; decisive: {json.dumps(self.reasons)}"


def simulate(requests: Iterable[Request | dict], timeout: float = 300) -> list[Result]:
    """Evaluate every request in one node process; one Result per request, in order."""
    batch = [r.to_json() if isinstance(r, Request) else r for r in requests]
    if not batch:
        return []
    proc = subprocess.run(
        ["node", str(SCRIPT)], cwd=HERE, input=json.dumps(batch), capture_output=True, text=True,
        timeout=timeout, env={**os.environ, "NODE_OPTIONS": ""},
    )
    if proc.returncode != 0:
        raise EngineError(f"simulate.mjs exited {proc.returncode}:\n{proc.stderr[-4000:]}")
    try:
        raw = json.loads(proc.stdout)
    except ValueError as exc:
        raise EngineError(f"simulate.mjs printed invalid JSON ({exc}): {proc.stdout[:2000]}") from exc
    if not isinstance(raw, list) or len(raw) != len(batch):
        raise EngineError(f"simulate.mjs answered {len(raw) if isinstance(raw, list) else raw!r} results "
                          f"for {len(batch)} requests")
    return [Result(decision=r.get("decision"), error=r.get("error"),
                   ignored_context_keys=list(r.get("ignoredContextKeys") or []),
                   evaluation=r.get("evaluation", "validated"), reasons=list(r.get("reasons") or []))
            for r in raw]
