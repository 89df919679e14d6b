"""Read the files iamforge is given: one place for size caps, text decoding and JSON parsing.

Every command that reads a user's file (``check-policy``, ``audit``, ``import``, the spec loader)
goes through :func:`read_bytes`, so a missing file, a directory, a huge file, binary or
non-UTF-8 bytes and over-deep JSON get the same one-line message naming the file, never a
traceback. Errors are :class:`InputError` (a :class:`~generator.errors.UsageError`, exit 2);
callers that report bad *content* as findings instead (``check-policy``: POL-002, the spec
loader: SCHEMA-001/003) catch :class:`ContentError` or :class:`TooLarge` and use its
``problem``, ``line`` and ``column``.
"""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from generator.errors import UsageError

MAX_BYTES = 32 * 1024 * 1024
# get-account-authorization-details of a large account (every attached AWS managed policy with
# all its versions) runs to tens of megabytes; allow it more room than a policy or a spec.
MAX_DETAILS_BYTES = 256 * 1024 * 1024
# IAM documents nest about ten levels (details -> role -> policy -> statement -> condition);
# a cap far below Python's recursion limit keeps every later recursive walk safe too.
MAX_DEPTH = 64

# Checked in this order: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
         (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


class InputError(UsageError):
    """An input file iamforge cannot use (exit 2); the message names the file.

    Attributes:
        path: the file as given on the command line.
        problem: what is wrong, without the file name.
        line, column: where, 1-based (1, 1 when the whole file is at fault).
    """

    def __init__(self, path: str | Path, problem: str, line: int = 1, column: int = 1) -> None:
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.column = column
        where = f":{line}:{column}" if (line, column) != (1, 1) else ""
        super().__init__(f"{path}{where}: {problem}")


class TooLarge(InputError):
    """The file is over the size cap."""

    def __init__(self, path: str | Path, size: int | None, limit: int) -> None:
        self.size = size
        self.limit = limit
        amount = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
        super().__init__(path, f"file is {amount}; the limit is {limit:,} bytes")


class ContentError(InputError):
    """The bytes were read but are not UTF-8 text, or not JSON, or nest too deeply."""


def read_bytes(path: str | Path, what: str = "a file", max_bytes: int | None = None) -> bytes:
    """The bytes of ``path``, at most ``max_bytes`` of them.

    Pipes and ``/dev/stdin`` work (``check-policy <(aws iam get-policy-version ...)``): the cap is
    enforced on what is read, not only on what ``stat`` says.

    Args:
        path: the file as given.
        what: what the file should be, for messages ("a policy JSON file").
        max_bytes: the size cap (:data:`MAX_BYTES` when None).

    Raises:
        InputError: missing, a directory, unreadable; TooLarge: over ``max_bytes``.
    """
    name = str(path)
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(name, "no such file") from None
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise InputError(name, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(name, f"is a directory, expected {what}")
    if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
        raise TooLarge(name, info.st_size, max_bytes)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise InputError(name, f"is a directory, expected {what}") from None
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise TooLarge(name, None, max_bytes)
    return raw


def decode_text(raw: bytes, name: str, what: str = "a text file") -> str:
    """Strict UTF-8 (a leading BOM is dropped); binary and other encodings are named, with the line.

    Raises:
        ContentError: UTF-16/32, NUL bytes (binary) or bytes that are not UTF-8.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            raise ContentError(name, f"file is {encoding} (it starts with a {encoding} byte order mark); save it as UTF-8")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise ContentError(name, f"file contains NUL bytes: binary input, not {what}", line)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(
            name, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save it as UTF-8", line
        ) from None


def _reject_constant(value: str) -> Any:
    raise ValueError(f"{value} is not valid JSON")


def parse_json(text: str, name: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text strictly (no NaN/Infinity) and cap its nesting.

    Raises:
        ContentError: empty, not JSON (with line and column), or nested deeper than ``max_depth``.
    """
    if not text.strip():
        raise ContentError(name, "file is empty, expected JSON")
    duplicates: list[bool] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(items)
        if len(obj) != len(items):
            duplicates.append(True)
        return obj

    try:
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise ContentError(name, f"not JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise ContentError(name, f"JSON nested too deeply (the limit is {max_depth} levels)") from None
    except ValueError as exc:  # NaN/Infinity, integers past Python's digit limit
        raise ContentError(name, f"not JSON: {exc}") from None
    if depth_exceeds(data, max_depth):
        raise ContentError(name, f"JSON nested too deeply (the limit is {max_depth} levels)")
    if duplicates and isinstance(data, dict):
        from generator.analysis.jsonpos import duplicate_keys

        data = JsonObject(data)
        data.duplicate_keys = duplicate_keys(text)
    return data


class JsonObject(dict):
    """A parsed JSON object that had a key written twice somewhere in it (``json`` kept the last).

    Attributes:
        duplicate_keys: ``(object path, key, [(line, column), ...])`` of each duplicated key, which
            POL-002 reports: the same text means another policy to a parser that keeps the first.
    """

    duplicate_keys: list[tuple[str, str, list[tuple[int, int]]]]


def depth_exceeds(data: Any, max_depth: int = MAX_DEPTH) -> bool:
    """Whether lists and objects in ``data`` nest deeper than ``max_depth`` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth >= max_depth:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def read_text(path: str | Path, what: str = "a text file", max_bytes: int | None = None) -> str:
    """:func:`read_bytes` then :func:`decode_text`. Raises InputError (ContentError for bad bytes)."""
    return decode_text(read_bytes(path, what, max_bytes), str(path), what)


def read_json(path: str | Path, what: str = "a JSON file", max_bytes: int | None = None) -> Any:
    """:func:`read_text` then :func:`parse_json`. Raises InputError (ContentError for bad content)."""
    return parse_json(read_text(path, what, max_bytes), str(path))
