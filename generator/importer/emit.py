"""Write a :class:`Draft` as YAML, each note as a comment right above the entry it is about."""
from __future__ import annotations

from typing import Any

import yaml

from generator.importer.draft import Draft
from generator.report.formats import neutralise

HEADER = """\
# iamforge spec, version 1: a DRAFT imported from {source} by `iamforge import`.
# Review every comment: each one is something in the account the spec could not express as is.
# Then `iamforge validate` this file and `iamforge generate --adopt` to bring the account under iamforge.
"""


def _comments(lines: list[str], indent: int) -> list[str]:
    pad = " " * indent
    # Notes quote the account's own names and documents: no control or bidi character of theirs
    # reaches the draft (or the terminal it is printed on).
    return [f"{pad}# NOTE: {neutralise(line)}" for text in lines for line in text.splitlines() or [""]]


def _dump(key: str, value: Any, indent: int) -> list[str]:
    text = yaml.safe_dump({key: value}, sort_keys=False, default_flow_style=False, allow_unicode=True, width=110)
    pad = " " * indent
    return [pad + line for line in text.rstrip("\n").split("\n")]


def _emit(mapping: dict[str, Any], draft: Draft, base: str, indent: int) -> list[str]:
    out: list[str] = []
    for key, value in mapping.items():
        path = f"{base}.{key}" if base else key
        out += _comments(draft.notes.get(path, []), indent)
        nested = isinstance(value, dict) and any(p.startswith(path + ".") for p in draft.notes)
        if nested:
            out.append(f"{' ' * indent}{yaml.safe_dump(key).splitlines()[0]}:")
            out += _emit(value, draft, path, indent + 2)
        else:
            out += _dump(key, value, indent)
        if indent == 0:
            out.append("")
    return out


def render_yaml(draft: Draft, source: str) -> str:
    """The draft spec text: header, top-level notes, then the sections with their notes."""
    lines = HEADER.format(source=source).splitlines()
    top = draft.notes.get("", [])
    if top:
        lines += [""] + _comments(top, 0)
    lines.append("")
    lines += _emit(draft.data, draft, "", 0)
    return "\n".join(lines).rstrip("\n") + "\n"
