"""Read a spec file safely: YAML with line marks, hard limits, no silent type coercion.

PyYAML's composer gives nodes with marks; we build plain Python values from them ourselves
so that duplicate keys, alias bombs, excessive depth and YAML 1.1's implicit typing
(``NO`` -> False, ``0111...`` -> octal int, ``2024-01-01`` -> date) become findings
that name the line, instead of surprises downstream.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import SpecError
from generator.findings import Finding, Severity
from generator.inputs import ContentError, TooLarge, decode_text, read_bytes
from generator.spec.model import closest

MAX_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 100_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_TAG_NAMES = {
    "tag:yaml.org,2002:bool": "boolean",
    "tag:yaml.org,2002:int": "integer",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:timestamp": "date",
    "tag:yaml.org,2002:null": "null",
}


@dataclass(frozen=True)
class ScalarInfo:
    """How a scalar was written: its source text, resolved tag and whether it was quoted."""

    text: str
    tag: str
    plain: bool


@dataclass
class Document:
    """A parsed spec: plain data plus where every path sits and how its scalars were written."""

    file: str
    data: Any
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    scalars: dict[str, ScalarInfo] = field(default_factory=dict)

    def mark(self, path: str) -> tuple[int, int]:
        return closest(self.marks, path, (1, 1))


def join_path(parent: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{parent}[{part}]"
    return f"{parent}.{part}" if parent else str(part)


def path_from_parts(parts: list[str | int] | tuple) -> str:
    path = ""
    for part in parts:
        path = join_path(path, part)
    return path


def _finding(rule: str, message: str, file: str, line: int = 1, col: int = 1, path: str = "") -> Finding:
    return Finding(rule, Severity.ERROR, message, path=path, file=file, line=line, column=col, source="loader")


class _Builder:
    """Turns a composed node tree into plain values, collecting findings instead of raising."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.doc = Document(file=file, data=None)
        self.findings: list[Finding] = []
        self.alias_nodes = 0
        self.anchored: set[int] = set()

    def build(self, node: yaml.Node, path: str = "", depth: int = 0, in_alias: bool = False) -> Any:
        if depth > MAX_DEPTH:
            raise _Abort(_finding("SCHEMA-003", f"nesting deeper than {MAX_DEPTH} levels", self.file, *_pos(node), path))
        if in_alias:
            self.alias_nodes += 1
            if self.alias_nodes > MAX_ALIAS_NODES:
                raise _Abort(
                    _finding(
                        "SCHEMA-003",
                        f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} nodes (alias bomb); write the values out",
                        self.file,
                        *_pos(node),
                        path,
                    )
                )
        # The composer hands back the very same node object for an alias: a node seen before is one.
        ident = id(node)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and ident in self.anchored:
            in_alias = True
        self.anchored.add(ident)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self._child(item, join_path(path, i), depth, in_alias) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth, in_alias)
        raise _Abort(_finding("SCHEMA-001", f"unsupported YAML node {type(node).__name__}", self.file, *_pos(node), path))

    def _child(self, node: yaml.Node, path: str, depth: int, in_alias: bool) -> Any:
        self.doc.marks.setdefault(path, _pos(node))
        return self.build(node, path, depth + 1, in_alias)

    def _mapping(self, node: yaml.MappingNode, path: str, depth: int, in_alias: bool) -> dict:
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.findings.append(
                    _finding("SCHEMA-001", "merge keys (<<) are not supported in specs; write the keys out", self.file, *_pos(key_node), path)
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.findings.append(_finding("SCHEMA-007", "mapping keys must be plain strings", self.file, *_pos(key_node), path))
                continue
            key = key_node.value
            if key_node.tag != "tag:yaml.org,2002:str" and not key_node.style:
                kind = _TAG_NAMES.get(key_node.tag, key_node.tag)
                self.findings.append(
                    _finding(
                        "SCHEMA-004",
                        f"key {key!r} is read by YAML as {kind} {_construct(key_node)!r}, not as text; quote it: \"{key}\"",
                        self.file,
                        *_pos(key_node),
                        join_path(path, key),
                    )
                )
                continue
            child = join_path(path, key)
            if key in seen:
                line, col = _pos(key_node)
                self.findings.append(
                    _finding(
                        "SCHEMA-002",
                        f"duplicate key {key!r}: first at line {seen[key]}, again at line {line} (YAML would silently keep the last)",
                        self.file,
                        line,
                        col,
                        child,
                    )
                )
                continue
            seen[key] = _pos(key_node)[0]
            self.doc.marks[child] = _pos(key_node)
            out[key] = self.build(value_node, child, depth + 1, in_alias)
        return out

    def _scalar(self, node: yaml.ScalarNode, path: str) -> Any:
        self.doc.scalars[path] = ScalarInfo(node.value, node.tag, not node.style)
        try:
            return _construct(node)
        except (yaml.YAMLError, ValueError) as exc:
            self.findings.append(_finding("SCHEMA-007", f"cannot read value {node.value!r}: {exc}", self.file, *_pos(node), path))
            return node.value


class _Abort(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding


def _construct(node: yaml.ScalarNode) -> Any:
    return _CONSTRUCTOR.construct_object(node, deep=True)


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def read_text(path: str | Path) -> tuple[str, str]:
    """Read a spec file as UTF-8 text. Returns (display name, text); raises SpecError/UsageError."""
    name = str(path)
    try:
        raw = read_bytes(path, "a spec file", MAX_BYTES)
    except TooLarge as exc:
        size = f"{exc.size:,} bytes" if exc.size is not None else f"over {exc.limit:,} bytes"
        raise SpecError([_finding("SCHEMA-003", f"file is {size}; specs are capped at {exc.limit:,} bytes", name)]) from None
    return name, decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    """Strict UTF-8 decoding with a clear finding for binary or non-UTF-8 input."""
    try:
        return decode_text(raw, name, "a YAML spec")
    except ContentError as exc:
        raise SpecError([_finding("SCHEMA-001", exc.problem, name, exc.line)]) from None


def parse(text: str, name: str) -> Document:
    """Parse YAML text into a Document; raises SpecError with findings on any load problem."""
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise SpecError([_finding("SCHEMA-001", "file is empty: a spec needs at least `version: 1` and `account:`", name)])
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        raise SpecError([_finding("SCHEMA-001", f"YAML syntax error: {problem}", name, line, col)]) from None
    except yaml.YAMLError as exc:
        raise SpecError([_finding("SCHEMA-001", f"YAML error: {exc}", name)]) from None
    nodes = [n for n in nodes if n is not None]
    if len(nodes) != 1:
        line = _pos(nodes[1])[0] if len(nodes) > 1 else 1
        raise SpecError([_finding("SCHEMA-001", "a spec file holds exactly one YAML document", name, line)])
    root = nodes[0]
    if not isinstance(root, yaml.MappingNode):
        raise SpecError([_finding("SCHEMA-001", "the spec must be a mapping (`version: 1`, `account: ...`)", name, *_pos(root))])
    builder = _Builder(name)
    try:
        builder.doc.data = builder.build(root)
    except _Abort as abort:
        raise SpecError([abort.finding]) from None
    except RecursionError:
        raise SpecError([_finding("SCHEMA-003", "nesting too deep", name)]) from None
    builder.doc.marks[""] = _pos(root)
    if builder.findings:
        raise SpecError(builder.findings)
    return builder.doc


def json_safe(value: Any) -> Any:
    """Plain data with dates as ISO strings (for JSON Schema validation and JSON output)."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
