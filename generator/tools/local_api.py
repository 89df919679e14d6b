"""Trying the generated Terraform against a local AWS API (moto_server) instead of an account.

``iamforge plan|apply|destroy --local-api`` points the AWS provider at ``$AWS_ENDPOINT_URL``
through an override file of connection settings only (which the integrity check accepts), and
targets everything but what such an API cannot take, saying what it left out and why. The
test suite drives moto_server through the same functions.
"""
from __future__ import annotations

import os
from pathlib import Path

from generator.errors import UsageError

OVERRIDE_FILE = "iamforge_local_override.tf"

# What a local API (moto 5) cannot take, by the address of its block in the generated root module.
GAPS: dict[str, str] = {
    "module.access_analyzer": "moto has no IAM Access Analyzer API",
    "module.cloudtrail.aws_s3_bucket_logging.this": (
        "moto's PutBucketLogging refuses a target-bucket policy whose Principal.Service is a list (AWS accepts it)"),
}
# What it takes, but slowly: after creating a lifecycle configuration the provider polls until its
# rules read back steadily, about a minute against moto however quick its answers.
SLOW: dict[str, str] = {
    "module.cloudtrail.aws_s3_bucket_lifecycle_configuration.this": "the provider waits about a minute for it",
    "module.cloudtrail.aws_s3_bucket_lifecycle_configuration.access_logs": "the provider waits about a minute for it",
}
HELD_BACK: dict[str, str] = {**GAPS, **SLOW}

# Connection settings only: no credentials lookup on an instance, and path-style S3 (bucket names
# under 127.0.0.1 do not resolve). Credentials validation and the account-id lookup stay on: moto
# answers sts:GetCallerIdentity with MOTO_ACCOUNT_ID, which the generated allowed_account_ids checks.
_SETTINGS = "  skip_metadata_api_check = true\n  s3_use_path_style       = true\n"


def _blocks(folder: Path, kind: str) -> list[tuple[str, dict]]:
    import hcl2  # python-hcl2, installed with checkov

    out: list[tuple[str, dict]] = []
    for tf in sorted(folder.glob("*.tf")):
        if tf.name == "override.tf" or tf.name.endswith("_override.tf"):
            continue
        with tf.open(encoding="utf-8") as fh:
            for block in hcl2.load(fh).get(kind, []):
                out += list(block.items())
    return out


def _value(raw: object) -> object:
    """An attribute value as python-hcl2 gives it: some builds wrap it in a list, and keep quotes."""
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    return raw.strip('"') if isinstance(raw, str) else raw


def provider_aliases(root: Path) -> list[str | None]:
    """The ``provider "aws"`` configurations of a root module: None for the default, else the alias."""
    return [_value(body.get("alias")) for name, body in _blocks(root, "provider") if name == "aws"]  # type: ignore[misc]


def write_override(root: Path) -> Path:
    """Write the override that merges the local-API settings into every aws provider block."""
    blocks = []
    for alias in provider_aliases(root) or [None]:
        alias_line = f'  alias                   = "{alias}"\n' if alias else ""
        blocks.append(f'provider "aws" {{\n{alias_line}{_SETTINGS}}}\n')
    path = Path(root) / OVERRIDE_FILE
    path.write_text("# Written by iamforge --local-api: connection settings for a local AWS API (moto_server).\n"
                    + "\n".join(blocks), encoding="utf-8")
    return path


def targets(root: Path, held_back: tuple[str, ...] | list[str] = tuple(HELD_BACK)) -> list[str]:
    """-target addresses for everything in root module ``root`` but ``held_back`` (terraform has no
    -exclude): the root's own resources, whole modules, or a module's other resources."""
    root = Path(root)
    out = [f"{rtype}.{rname}" for rtype, by_name in _blocks(root, "resource") for rname in by_name]
    for name, body in _blocks(root, "module"):
        module = f"module.{name}"
        if module in held_back:
            continue
        if not any(h.startswith(module + ".") for h in held_back):
            out.append(module)
            continue
        source = _value(body["source"])
        for rtype, by_name in _blocks(root / str(source), "resource"):
            out += [f"{module}.{rtype}.{rname}" for rname in by_name if f"{module}.{rtype}.{rname}" not in held_back]
    return sorted(out)


def held_back_here(root: Path) -> dict[str, str]:
    """The held-back addresses this root module has, with why each is left out."""
    root = Path(root)
    modules = {f"module.{name}": _value(body["source"]) for name, body in _blocks(root, "module")}
    found: dict[str, str] = {}
    for address, why in HELD_BACK.items():
        parts = address.split(".")
        module = ".".join(parts[:2])
        if module not in modules:
            continue
        if len(parts) == 2:
            found[address] = why
            continue
        resources = {f"{module}.{t}.{n}" for t, by_name in _blocks(root / str(modules[module]), "resource")
                     for n in by_name}
        if address in resources:
            found[address] = why
    return found


def prepare(root: Path) -> tuple[list[str], dict[str, str]]:
    """For ``--local-api``: check that an endpoint is set, write the override, and return the
    targets and what is left out (address -> why)."""
    root = Path(root)
    if not root.is_dir() or not any(root.glob("*.tf")):
        raise UsageError(f"{root}: no Terraform here; run `iamforge generate SPEC -o {root}` first")
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if not endpoint:
        raise UsageError("--local-api needs AWS_ENDPOINT_URL pointing at the local API, e.g. "
                         "moto_server -p 5000 and AWS_ENDPOINT_URL=http://127.0.0.1:5000")
    write_override(root)
    return targets(root), held_back_here(root)
