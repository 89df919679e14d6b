"""The Jinja environment and the blueprint catalogue.

Every filter templates may use is registered here, in ``FILTERS``, and nowhere else.
Blueprints live in ``blueprints/`` (shipped in the wheel as ``generator.blueprints``);
each ``blueprints/<name>/`` holds ``blueprint.yaml`` and one ``<file>.jinja`` per output
file. ``blueprints/_macros/`` holds shared macros and is never rendered.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

from generator.render.escape import escape, hcl_string
from generator.render.hcl import attributes, to_hcl

# An installed wheel ships blueprints/ as generator/blueprints/; a source checkout (or an
# editable install) has it at the repository root. Neither is imported, only read.
_CANDIDATES = (
    Path(__file__).resolve().parents[1] / "blueprints",
    Path(__file__).resolve().parents[2] / "blueprints",
)


def blueprints_dir() -> Path:
    """Where the blueprints are: the installed package data, or the source checkout."""
    for candidate in _CANDIDATES:
        if (candidate / "_macros").is_dir():
            return candidate
    raise FileNotFoundError(f"no blueprints found in {', '.join(str(c) for c in _CANDIDATES)}")


def tf_name(value: str) -> str:
    """A Terraform identifier from a label such as a region: ``us-east-1`` -> ``us_east_1``."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", value)
    return name if re.match(r"^[A-Za-z_]", name) else "_" + name


def _hcl_attributes(mapping: dict[str, Any], indent: int = 2) -> str:
    """``key = value`` lines (sorted, aligned) for the body of a block at ``indent``."""
    return "\n".join(attributes(mapping, indent // 2))


def _markdown(value: Any) -> str:
    return escape(str(value), "markdown")


def _comment(value: Any) -> str:
    return escape(str(value), "comment")


FILTERS = {
    "hcl": to_hcl,  # any value as an HCL expression: {{ x | hcl(indent) }}
    "hcl_attributes": _hcl_attributes,  # a mapping as aligned block attributes
    "quote": hcl_string,  # a string as a quoted HCL string
    "md": _markdown,  # text in a README (safe in a table cell)
    "comment": _comment,  # text in a `#` comment
}


@dataclass(frozen=True)
class Blueprint:
    """One ``blueprints/<name>/`` folder: its metadata and its templates."""

    name: str
    title: str
    description: str
    target: str  # output folder relative to the output root ("." for the root module)
    templates: tuple[str, ...]  # template file names, e.g. ("main.tf.jinja", ...)
    inputs: tuple[dict, ...] = ()  # variables: name, description, type, [default|default_from], [when]
    outputs: tuple[dict, ...] = ()  # outputs: name, description, value (may use {{ m }}), [when]


def _load_blueprint(folder: Path) -> Blueprint:
    meta = yaml.safe_load((folder / "blueprint.yaml").read_text(encoding="utf-8"))
    templates = tuple(sorted(p.name for p in folder.glob("*.jinja")))
    declared = tuple(sorted(f + ".jinja" for f in meta["files"]))
    if templates != declared:
        raise ValueError(f"blueprint {folder.name}: files {declared} do not match templates {templates}")
    return Blueprint(
        name=folder.name,
        title=meta["title"],
        description=meta["description"].strip(),
        target=meta["target"],
        templates=templates,
        inputs=tuple(meta.get("inputs") or ()),
        outputs=tuple(meta.get("outputs") or ()),
    )


@lru_cache(maxsize=None)
def catalogue(root: Path | None = None) -> dict[str, Blueprint]:
    """Every blueprint under ``root`` (default: :func:`blueprints_dir`), by name."""
    base = root or blueprints_dir()
    return {
        p.name: _load_blueprint(p)
        for p in sorted(base.iterdir())
        if p.is_dir() and not p.name.startswith(("_", ".")) and (p / "blueprint.yaml").is_file()
    }


@lru_cache(maxsize=None)
def environment(root: Path | None = None) -> jinja2.Environment:
    """The one Jinja environment: StrictUndefined, trailing newlines kept, filters registered."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root or blueprints_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(FILTERS)
    return env
