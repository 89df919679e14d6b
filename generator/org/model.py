"""The organisation model: OUs, member accounts, the SCPs and RCPs and where they are attached."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.spec.loader import Document
from generator.spec.model import Department, Role, Spec

FULL_ACCESS = {"scp": "FullAWSAccess", "rcp": "RCPFullAWSAccess"}
POLICY_TYPES = {"scp": "SERVICE_CONTROL_POLICY", "rcp": "RESOURCE_CONTROL_POLICY"}


@dataclass(frozen=True)
class Unit:
    """An organizational unit; ``parent`` is the parent OU's key (None: the root)."""

    key: str
    name: str
    parent: str | None
    path: str


def unit_chain(units: dict[str, Unit], ou: str) -> list[str]:
    """``ou`` and its ancestors among ``units``, innermost first (a cycle stops the walk)."""
    chain: list[str] = []
    while ou and ou in units and ou not in chain:
        chain.append(ou)
        ou = units[ou].parent or ""
    return chain


@dataclass(frozen=True)
class Member:
    """A member account; ``spec`` is the v1 account spec it applies (None: no stack)."""

    key: str
    id: str
    name: str
    email: str
    ou: str
    purpose: str
    path: str
    spec_file: str | None = None
    spec: Spec | None = field(default=None, repr=False)


@dataclass(frozen=True)
class OrgPolicy:
    """An SCP or RCP: from the catalogue, or a custom JSON file (``file`` and its ``text``)."""

    key: str
    kind: str  # scp | rcp
    title: str
    document: Any
    path: str  # where the organisation spec declares it (custom) or first attaches it (catalogue)
    file: str = ""
    text: str = ""

    @property
    def catalogue(self) -> bool:
        return not self.file

    @property
    def name(self) -> str:
        return f"iamforge-{self.key}"


@dataclass(frozen=True)
class Attachment:
    """Policy ``policy`` attached to ``target`` (root, unit or account) with key ``target_key``."""

    policy: str
    kind: str  # scp | rcp
    target: str  # root | unit | account
    target_key: str
    path: str  # the list item in the spec

    @property
    def target_label(self) -> str:
        return "the root" if self.target == "root" else f"{self.target} {self.target_key}"


@dataclass(frozen=True)
class OrgTrail:
    """The organisation trail (management account) and its log archive (``archive``: the
    log-archive member's key, whose stack creates the bucket and the KMS key)."""

    name: str
    bucket: str
    retention_days: int
    archive: str
    path: str


@dataclass(frozen=True)
class PermissionSet:
    """A member spec's ``permission_set`` role delivered through IAM Identity Center.

    ``account`` is the key of the member whose spec declares it (always a target); ``targets``
    are every account key it is assigned in, that one first; ``path`` is its entry under
    ``organization.identity_center.assignments`` ('' when it has none)."""

    name: str
    account: str
    role: Role = field(repr=False)
    department: Department = field(repr=False)
    targets: tuple[str, ...]
    path: str = ""

    @property
    def group(self) -> str:
        return self.department.identity_center_group or ""


@dataclass(frozen=True)
class IdentityCenter:
    """``organization.identity_center``: the instance's Region, its attributes for access control
    (``abac_given``: written in the spec rather than defaulted) and the permission sets."""

    region: str
    abac_attributes: dict[str, str]
    abac_given: bool
    permission_sets: dict[str, PermissionSet]
    path: str = "organization.identity_center"


@dataclass
class Organization:
    """A loaded, reference-checked organisation spec."""

    file: str
    id: str
    management_id: str
    region: str
    deploy_role: str
    root_access: str
    allowed_regions: list[str]
    units: dict[str, Unit]
    accounts: dict[str, Member]
    policies: dict[str, OrgPolicy]
    attachments: list[Attachment]
    doc: Document = field(repr=False)
    trail: OrgTrail | None = None
    identity_center: IdentityCenter | None = None

    def mark(self, path: str) -> tuple[int, int]:
        return self.doc.mark(path)

    def attached(self, target: str, key: str = "", kind: str | None = None) -> list[Attachment]:
        return [a for a in self.attachments if a.target == target and a.target_key == key
                and (kind is None or a.kind == kind)]

    def ou_chain(self, ou: str) -> list[str]:
        """``ou`` and its ancestors, innermost first."""
        return unit_chain(self.units, ou)

    def effective(self, account: str, kind: str) -> list[Attachment]:
        """Every ``kind`` policy that applies to ``account``: the root's, its OUs', its own."""
        member = self.accounts[account]
        found = self.attached("root", "", kind)
        for ou in reversed(self.ou_chain(member.ou)):
            found += self.attached("unit", ou, kind)
        return found + self.attached("account", account, kind)

    def unit_depth(self, key: str) -> int:
        return len(self.ou_chain(key))
