"""Tag-key families: the condition keys through which a service compares tags with the caller's.

Most services expose a resource's tags as ``aws:ResourceTag/<k>``, the tags of a request as
``aws:RequestTag/<k>`` and the keys sent as ``aws:TagKeys``. Some resources are tagged
through keys of their own: an S3 object's tags are ``s3:ExistingObjectTag/<k>`` on the
object, ``s3:RequestObjectTag/<k>`` and ``s3:RequestObjectTagKeys`` in the request. Each
row of :data:`FAMILIES` is one such family; the ABAC builder tries the rows in order and
places an action in the first family whose keys the action supports (``catalog.supports``).

A new service-specific family is one more row: the ABAC allows, the guardrails and the
left-out report follow from the table and the catalogue, with no special case elsewhere.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from generator.analysis.catalog import catalog as action_catalog
from generator.policies import catalog

EXISTING = "existing"
CREATE = "create"


@dataclass(frozen=True)
class TagFamily:
    """One family of tag condition keys.

    Attributes:
        services: Service prefixes the family belongs to; empty means every service.
        resource_types: Catalogue resource types whose tagging actions the family's
            guardrails govern; empty means every type not claimed by another family.
        existing: Key of the tags already on the resource, ``{key}`` for the tag key.
        request: Key of a tag value sent in the request.
        request_keys: Multivalued key listing the tag keys sent in the request.
        creates: Regex on the action name (after the colon) of actions that create a
            resource and so are scoped by the tags they set rather than by existing ones.
        replaces_tag_set: True when the family's tagging actions replace the whole tag
            set (S3 ``PutObjectTagging``), so leaving the ABAC key out of the new set
            removes it.
        sid_existing: Sid of the statement allowing actions on existing resources.
        sid_create: Sid of the statement allowing create actions.
        sid_tag: Word naming the family in guardrail Sids (empty for the default family).
    """

    services: frozenset[str]
    resource_types: frozenset[str]
    existing: str
    request: str
    request_keys: str
    creates: str
    replaces_tag_set: bool
    sid_existing: str
    sid_create: str
    sid_tag: str

    def existing_key(self, key: str) -> str:
        """The resource-tag condition key for ABAC tag key ``key``."""
        return self.existing.format(key=key)

    def request_key(self, key: str) -> str:
        """The request-tag condition key for ABAC tag key ``key``."""
        return self.request.format(key=key)

    def serves(self, action: str) -> bool:
        """True when the family belongs to the service of ``action``."""
        return not self.services or catalog.split_action(action)[0].lower() in self.services

    def can_create(self, action: str, key: str) -> bool:
        """True when ``action`` accepts both the request tag and the request tag keys."""
        return catalog.supports(action, self.request_key(key)) and catalog.supports(action, self.request_keys)

    def classify(self, action: str, key: str) -> str | None:
        """``EXISTING`` or ``CREATE`` when this family's keys can scope ``action``, else None.

        Args:
            action: An exact catalogue action.
            key: The ABAC tag key.
        """
        if not self.serves(action) or self.claimed_elsewhere(action):
            return None
        existing = catalog.supports(action, self.existing_key(key))
        if self.creating(action):
            if self.can_create(action, key):
                return CREATE
            # A create action that also names an existing resource (ec2:CreateSnapshot's
            # volume) can still be scoped by that resource's tag.
            return EXISTING if existing and not catalog.is_wildcard_only(action) else None
        return EXISTING if existing else None

    def creating(self, action: str) -> bool:
        """True when the family treats ``action`` as creating a resource."""
        return self.serves(action) and re.match(self.creates, catalog.split_action(action)[1]) is not None

    def needs(self, action: str, key: str) -> list[str]:
        """The keys that would let this family scope ``action``, for messages."""
        if self.creating(action):
            return [f"{self.request_key(key)} with {self.request_keys}", self.existing_key(key)]
        return [self.existing_key(key)]

    def governs(self, action: str) -> bool:
        """True when the family's guardrails protect the tags that ``action`` changes."""
        info = action_catalog().lookup(action)  # resource types: not in the name-level helpers
        if info is None or not self.serves(action):
            return False
        if self.resource_types:
            return bool(self.resource_types & set(info.resource_types))
        return not self.claimed_elsewhere(action)

    def claimed_elsewhere(self, action: str) -> bool:
        """True when this is the catch-all family and every resource type of ``action`` belongs to
        another family: an S3 object's tags are S3's own keys, and ``aws:ResourceTag`` on an object
        action names the bucket's tags (S3 ABAC for buckets), not the object's."""
        if self.resource_types:
            return False
        info = action_catalog().lookup(action)
        if info is None:
            return False
        claimed = {t for f in FAMILIES if f is not self and f.serves(action) for t in f.resource_types}
        types = set(info.resource_types)
        return bool(types) and types <= claimed

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - families are a few module-level constants
    def tagging_actions(self, service: str) -> tuple[str, ...]:
        """Tagging-level actions of ``service`` whose tags this family protects."""
        return tuple(a for a in catalog.tagging_actions(service) if self.governs(a))


S3_OBJECT_TAGS = TagFamily(
    services=frozenset({"s3"}),
    # an object reached through an access point is the same object, with the same object tags
    resource_types=frozenset({"object", "accesspointobject"}),
    existing="s3:ExistingObjectTag/{key}",
    request="s3:RequestObjectTag/{key}",
    request_keys="s3:RequestObjectTagKeys",
    # s3:PutObject creates (or overwrites) an object; PutObjectTagging/-Acl act on one.
    creates=r"PutObject$",
    replaces_tag_set=True,
    sid_existing="AbacExistingS3Objects",
    sid_create="AbacCreateTaggedS3Objects",
    sid_tag="S3Object",
)

RESOURCE_TAGS = TagFamily(
    services=frozenset(),
    resource_types=frozenset(),
    existing="aws:ResourceTag/{key}",
    request="aws:RequestTag/{key}",
    request_keys="aws:TagKeys",
    creates=r"(Create|Run)",
    replaces_tag_set=False,
    sid_existing="AbacExistingResources",
    sid_create="AbacCreateTagged",
    sid_tag="",
)

# Service-specific families first: an action is placed in the first family that scopes it.
FAMILIES: tuple[TagFamily, ...] = (S3_OBJECT_TAGS, RESOURCE_TAGS)


def families_for(action: str) -> tuple[TagFamily, ...]:
    """The families that could scope ``action``, in table order."""
    return tuple(f for f in FAMILIES if f.serves(action))


def place(action: str, key: str) -> tuple[str, TagFamily] | None:
    """``(EXISTING|CREATE, family)`` for the first family that scopes ``action``, or None."""
    for family in families_for(action):
        cls = family.classify(action, key)
        if cls is not None:
            return cls, family
    return None


def why_unscoped(action: str, key: str) -> str:
    """Why no family can scope ``action``: the keys it lacks, as a sentence fragment."""
    creating = any(f.creating(action) for f in families_for(action))
    needed = [k for f in families_for(action) for k in f.needs(action, key)]
    verb = "creates resources" if creating else "acts on resources"
    if len(needed) == 1:
        return f"{verb} but does not support {needed[0]}"
    if len(needed) == 2:
        return f"{verb} but supports neither {needed[0]} nor {needed[1]}"
    return f"{verb} but supports none of " + ", ".join(needed)
