"""Read a spec file safely: YAML with line marks, hard limits, no silent type coercion.

PyYAML's composer gives nodes with marks; we build plain Python values from them ourselves
so that duplicate keys, alias bombs, excessive depth and YAML 1.1's implicit typing
(``NO`` -> False, ``0111...`` -> octal int, ``2024-01-01`` -> date) become findings
that name the line, instead of surprises downstream.
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import SpecError
from generator.findings import Finding, Severity
from generator.inputs import ContentError, TooLarge, decode_text, read_bytes
from generator.spec.model import closest, pack_position, unpack_position

MAX_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 100_000
# Text an alias may copy, in all: 100,000 nodes of one long string would be gigabytes.
MAX_ALIAS_BYTES = 8 * 1024 * 1024

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_TAG_NAMES = {
    "tag:yaml.org,2002:bool": "boolean",
    "tag:yaml.org,2002:int": "integer",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:timestamp": "date",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:value": "YAML 1.1's default-value key",
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
    marks: dict[str, int] = field(default_factory=dict)  # packed: see model.pack_position
    scalars: dict[str, ScalarInfo] = field(default_factory=dict)

    def mark(self, path: str) -> tuple[int, int]:
        """The (line, column) of ``path`` or of its closest ancestor; (1, 1) when none is known."""
        return unpack_position(closest(self.marks, path, pack_position(1, 1)))


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


def _text_bytes(value: Any) -> int:
    """Characters of text in ``value``: its strings, keys included, at any depth."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_text_bytes(k) + _text_bytes(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(_text_bytes(v) for v in value)
    return 8


class _Builder:
    """Builds plain values straight from the parser's event stream, collecting findings.

    No node tree is composed first: at 10,000 roles that tree alone was some 200 MB, and the
    heap it left fragmented kept the process that large. Aliases reuse the value built at
    their anchor (copied), counting its size against the alias-bomb limit; the paths under an
    alias get the marks (and scalar spellings) of the anchored content, as a node tree would.
    """

    def __init__(self, file: str, loader: Any) -> None:
        self.file = file
        self.loader = loader
        self.doc = Document(file=file, data=None)
        self.findings: list[Finding] = []
        self.alias_nodes = 0
        self.alias_bytes = 0
        # anchor -> (value, nodes, [(relative path, mark, ScalarInfo or None)] under it)
        self.anchors: dict[str, tuple[Any, int, list[tuple[str, Any, ScalarInfo | None]]]] = {}
        self.anchor_bytes: dict[str, int] = {}
        # The first characters an implicit type (bool, int, null, ...) can start with; a plain
        # scalar starting with any other is text. Read from the live resolver table, so a library
        # that adds resolvers is honoured; "every character" when one matches any first character.
        resolvers = loader.yaml_implicit_resolvers
        self._first_chars: Any = _EVERY if None in resolvers or loader.yaml_path_resolvers else frozenset(resolvers)

    def value(self, event: yaml.Event, path: str, depth: int) -> tuple[Any, int]:
        """The value starting with ``event`` and how many nodes it holds (aliases expanded)."""
        if depth > MAX_DEPTH:
            raise _Abort(_finding("SCHEMA-003", f"nesting deeper than {MAX_DEPTH} levels", self.file, *_pos(event), path))
        if type(event) is yaml.ScalarEvent:  # the common case first
            built, size = self._scalar(event, path), 1
        elif isinstance(event, yaml.AliasEvent):
            return self._alias(event, path)
        elif isinstance(event, yaml.ScalarEvent):
            built, size = self._scalar(event, path), 1
        elif isinstance(event, yaml.SequenceStartEvent):
            built, size = self._sequence(path, depth)
        elif isinstance(event, yaml.MappingStartEvent):
            built, size = self._mapping(path, depth)
        else:
            raise _Abort(_finding("SCHEMA-001", f"unexpected YAML {type(event).__name__}", self.file, *_pos(event), path))
        if event.anchor is not None:
            self._anchor(event, path, built, size)
        return built, size

    def _anchor(self, event: yaml.Event, path: str, built: Any, size: int) -> None:
        if event.anchor in self.anchors:
            raise _Abort(_finding("SCHEMA-001", f"YAML anchor &{event.anchor} is defined twice", self.file,
                                  *_pos(event), path))
        marks, scalars = self.doc.marks, self.doc.scalars
        inside = [(rel, marks.get(path + rel), scalars.get(path + rel)) for rel in _relative_paths(built)]
        self.anchors[event.anchor] = (built, size, inside)
        self.anchor_bytes[event.anchor] = _text_bytes(built)

    def _alias(self, event: yaml.AliasEvent, path: str) -> tuple[Any, int]:
        if event.anchor not in self.anchors:
            raise _Abort(_finding("SCHEMA-001", f"YAML alias *{event.anchor} has no anchor &{event.anchor} before it",
                                  self.file, *_pos(event), path))
        built, size, inside = self.anchors[event.anchor]
        self.alias_nodes += size
        self.alias_bytes += self.anchor_bytes[event.anchor]
        if self.alias_bytes > MAX_ALIAS_BYTES:
            raise _Abort(_finding("SCHEMA-003", f"YAML aliases copy more than {MAX_ALIAS_BYTES // (1024 * 1024)} MiB of "
                                  "text (alias bomb); write the values out", self.file, *_pos(event), path))
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise _Abort(
                _finding(
                    "SCHEMA-003",
                    f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} nodes (alias bomb); write the values out",
                    self.file,
                    *_pos(event),
                    path,
                )
            )
        for rel, mark, info in inside:
            if mark is not None:
                self.doc.marks.setdefault(path + rel, mark)
            if info is not None:
                self.doc.scalars[path + rel] = info
        return copy.deepcopy(built), size

    def _plain_text(self, event: yaml.Event) -> bool:
        """Whether ``event`` is an unanchored scalar that reads as text without asking the resolver:
        the great majority of a spec's scalars ("s3:GetObject", "arn:aws:..."), taken on a fast path."""
        if type(event) is not yaml.ScalarEvent or event.anchor is not None:
            return False
        tag = event.tag
        if tag is not None and tag != "!":
            return tag == _STR
        value = event.value
        return not event.implicit[0] or bool(value) and value[0] not in self._first_chars

    def _sequence(self, path: str, depth: int) -> tuple[list, int]:
        out: list[Any] = []
        size = 1
        marks = self.doc.marks
        get = self.loader.get_event
        leaf = self._plain_text if depth < MAX_DEPTH else _never  # at the limit, value() refuses it
        event = get()
        while type(event) is not yaml.SequenceEndEvent:
            child = f"{path}[{len(out)}]"
            marks.setdefault(child, _packed(event))
            if leaf(event):
                out.append(event.value)
                size += 1
            else:
                item, count = self.value(event, child, depth + 1)
                out.append(item)
                size += count
            event = get()
        return out, size

    def _mapping(self, path: str, depth: int) -> tuple[dict, int]:
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        size = 1
        marks = self.doc.marks
        get, plain = self.loader.get_event, self._plain_text
        leaf = plain if depth < MAX_DEPTH else _never  # at the limit, value() refuses it
        event = get()
        while type(event) is not yaml.MappingEndEvent:
            key_event = event
            if not plain(key_event) or key_event.value in seen:  # the fast path: a new text key
                if isinstance(key_event, yaml.AliasEvent) and isinstance(self.anchors.get(key_event.anchor, (None,))[0], str):
                    # An alias of a text scalar is a key like any other (as a node tree would have it).
                    key_event = yaml.ScalarEvent(None, None, (False, True), self._alias(key_event, path)[0],
                                                 key_event.start_mark, key_event.end_mark, "'")
                problem = self._key_problem(key_event, path, seen)
                if problem is not None:
                    self.findings.append(problem)
                    self._skip(key_event)
                    self._skip(get())
                    event = get()
                    continue
            key = key_event.value
            child = f"{path}.{key}" if path else key  # join_path, for a key known to be text
            if key_event.anchor is not None:
                self._anchor(key_event, child, key, 1)
            seen[key] = key_event.start_mark.line + 1
            marks[child] = _packed(key_event)
            event = get()
            if leaf(event):
                out[key] = event.value
                size += 1
            else:
                out[key], count = self.value(event, child, depth + 1)
                size += count
            event = get()
        return out, size

    def _key_problem(self, event: yaml.Event, path: str, seen: dict[str, int]) -> Finding | None:
        """Why the key starting with ``event`` is refused (its value is then skipped), or None."""
        if not isinstance(event, yaml.ScalarEvent):
            return _finding("SCHEMA-007", "mapping keys must be plain strings", self.file, *_pos(event), path)
        tag = self._tag(event)
        key = event.value
        if tag == "tag:yaml.org,2002:merge":
            return _finding("SCHEMA-001", "merge keys (<<) are not supported in specs; write the keys out", self.file,
                            *_pos(event), path)
        if tag != _STR and not event.style:
            kind = _TAG_NAMES.get(tag, tag)
            try:
                read = " " + repr(_construct(event, tag))
            except _Unreadable as exc:
                if event.tag not in (None, "!"):  # an explicit tag its text does not fit: !!int foo
                    return _finding("SCHEMA-007", f"cannot read key {key!r}: {exc}", self.file, *_pos(event),
                                    join_path(path, key))
                read = ""  # a YAML 1.1 type with no value in a safe load: `=`
            return _finding("SCHEMA-004", f"key {key!r} is read by YAML as {kind}{read}, "
                            f"not as text; quote it: \"{key}\"", self.file, *_pos(event), join_path(path, key))
        if key in seen:
            line, col = _pos(event)
            return _finding(
                "SCHEMA-002",
                f"duplicate key {key!r}: first at line {seen[key]}, again at line {line} (YAML would silently keep the last)",
                self.file,
                line,
                col,
                join_path(path, key),
            )
        return None

    def _skip(self, event: yaml.Event) -> None:
        """Consume the rest of the node that starts with ``event``."""
        level = 1 if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)) else 0
        while level:
            event = self.loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                level += 1
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                level -= 1

    def _tag(self, event: yaml.ScalarEvent) -> str:
        tag = event.tag
        if tag is None or tag == "!":
            # What the resolver would answer, without calling it for the many scalars whose
            # first character no implicit type can start with ("s3:GetObject", "arn:aws:...").
            value, resolvers = event.value, self.loader.yaml_implicit_resolvers
            if not event.implicit[0] or (value and value[0] not in resolvers and None not in resolvers
                                         and not self.loader.yaml_path_resolvers):
                return _STR
            return self.loader.resolve(yaml.ScalarNode, value, event.implicit)
        return tag

    def _scalar(self, event: yaml.ScalarEvent, path: str) -> Any:
        tag = self._tag(event)
        if tag == _STR:
            return event.value
        # How a non-text scalar was written, for "quote it" messages (SCHEMA-004).
        self.doc.scalars[path] = ScalarInfo(event.value, tag, not event.style)
        try:
            return _construct(event, tag)
        except _Unreadable as exc:
            if event.tag in (None, "!"):  # a YAML 1.1 type with no value in a safe load: `=`
                problem = ("SCHEMA-004", f"{event.value!r} is read by YAML as {_TAG_NAMES.get(tag, tag)}, not as text; "
                           f"quote it: \"{event.value}\"")
            else:
                problem = ("SCHEMA-007", f"cannot read value {event.value!r}: {exc}")
            self.findings.append(_finding(*problem, self.file, *_pos(event), path))
            return event.value


def _relative_paths(value: Any, rel: str = "") -> list[str]:
    """Paths below ``value``, relative to it (``.key``, ``[0]``, ``.key[1].other``)."""
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            out.append(f"{rel}.{key}")
            out += _relative_paths(item, f"{rel}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.append(f"{rel}[{i}]")
            out += _relative_paths(item, f"{rel}[{i}]")
    return out


def _never(event: yaml.Event) -> bool:
    return False


class _Every:
    """A set holding every character."""

    def __contains__(self, item: object) -> bool:
        return True


_EVERY = _Every()


class _Abort(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding


class _Unreadable(Exception):
    """A scalar its tag cannot be built from (``!!int foo``, ``!!int`` with no text, ``!custom x``)."""


def _construct(event: yaml.ScalarEvent, tag: str) -> Any:
    """The value of a scalar of ``tag``; raises _Unreadable saying why it has none."""
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as exc:  # the position is the finding's; keep what it says
        raise _Unreadable(" ".join(filter(None, [exc.context, exc.problem])) or str(exc)) from None
    except (ValueError, IndexError, KeyError, AttributeError) as exc:
        # What PyYAML's safe constructors raise on text their tag does not fit: ValueError
        # (`!!int foo`), IndexError (`!!int` with no text), KeyError (`!!bool maybe`),
        # AttributeError (`!!timestamp x`).
        reason = f" ({exc})" if isinstance(exc, ValueError) and str(exc) else ""
        raise _Unreadable(f"not a valid {_TAG_NAMES.get(tag, tag)}{reason}") from None
    finally:  # the constructor remembers every node it saw: forget them, scalars share nothing
        _CONSTRUCTOR.constructed_objects.clear()
        _CONSTRUCTOR.recursive_objects.clear()


def _pos(item: yaml.Node | yaml.Event) -> tuple[int, int]:
    return item.start_mark.line + 1, item.start_mark.column + 1


def _packed(item: yaml.Node | yaml.Event) -> int:
    return pack_position(item.start_mark.line + 1, item.start_mark.column + 1)


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
    loader = _Loader(text)
    builder = _Builder(name, loader)
    try:
        builder.doc.data, root = _document(builder, name)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        raise SpecError([_finding("SCHEMA-001", f"YAML syntax error: {problem}", name, line, col)]) from None
    except yaml.YAMLError as exc:
        raise SpecError([_finding("SCHEMA-001", f"YAML error: {exc}", name)]) from None
    except _Abort as abort:
        raise SpecError([abort.finding]) from None
    except RecursionError:
        raise SpecError([_finding("SCHEMA-003", "nesting too deep", name)]) from None
    finally:
        loader.dispose()
    builder.doc.marks[""] = root
    if builder.findings:
        raise SpecError(builder.findings)
    return builder.doc


def _document(builder: _Builder, name: str) -> tuple[Any, int]:
    """The one document of the stream as plain data, and where it starts."""
    get = builder.loader.get_event
    get()  # StreamStartEvent
    event = get()
    if isinstance(event, yaml.StreamEndEvent):
        raise SpecError([_finding("SCHEMA-001", "file is empty: a spec needs at least `version: 1` and `account:`", name)])
    first = get()  # the root node, after DocumentStartEvent
    if not isinstance(first, yaml.MappingStartEvent):
        raise SpecError([_finding("SCHEMA-001", "the spec must be a mapping (`version: 1`, `account: ...`)", name,
                                  *_pos(first))])
    data, _ = builder.value(first, "", 0)
    get()  # DocumentEndEvent
    event = get()
    if not isinstance(event, yaml.StreamEndEvent):
        raise SpecError([_finding("SCHEMA-001", "a spec file holds exactly one YAML document", name, _pos(event)[0])])
    return data, _packed(first)


def json_safe(value: Any) -> Any:
    """Plain data with dates as ISO strings (for JSON Schema validation and JSON output)."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
