"""Line and column of a value in a JSON text, by path (``Statement[2].Action``).

``json`` does not report positions, so :class:`Locator` walks the text along the one path a
finding names: it reads keys and counts items on the way down and skips every other value
with the C decoder, so placing a finding costs one pass over a part of the text, not a
walk of the whole document.
"""
from __future__ import annotations

import json
import re

_WS = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()
_scanstring = json.decoder.scanstring
_INDEX = re.compile(r"\[\d+\]")


def _within(path: str, candidate: str) -> bool:
    """True when ``candidate`` is ``path`` or one of its ancestors."""
    if not path.startswith(candidate):
        return False
    rest = path[len(candidate):]
    return not rest or rest[0] in ".["


class Locator:
    """1-based (line, column) of paths in one JSON text; (1, 1) when the text is unparsable.

    Each container on the way to a located path is read once, its members and items skipped
    by the C decoder, and its children's offsets kept for the next finding in the same place.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._cache: dict[str, tuple[int, int]] = {}
        self._index: dict[int, dict[str, int]] = {}

    def locate(self, path: str) -> tuple[int, int]:
        """Position of ``path`` or, when it is absent, of its closest present ancestor."""
        if path not in self._cache:
            try:
                offset = self._offset(path)
            except (ValueError, IndexError):
                offset = None
            self._cache[path] = (1, 1) if offset is None else self._line_column(offset)
        return self._cache[path]

    def _line_column(self, offset: int) -> tuple[int, int]:
        line_start = self.text.rfind("\n", 0, offset) + 1
        return self.text.count("\n", 0, offset) + 1, offset - line_start + 1

    def _skip(self, i: int) -> int:
        return _WS.match(self.text, i).end()

    def _offset(self, path: str) -> int:
        """Start of the deepest value on the way to ``path``."""
        text, prefix = self.text, ""
        i = self._skip(0)
        if not self._index:
            _decoder.raw_decode(text, i)  # an unparsable text has no positions
        while prefix != path:
            children = self._children(i, prefix)
            if text[i] == "[":
                match = _INDEX.match(path, len(prefix))
                prefix = f"{prefix}{match.group(0)}" if match else ""
                step = children.get(prefix) if match else None
            else:
                prefix, step = next(((c, at) for c, at in children.items() if _within(path, c)), ("", None))
            if step is None:
                return i
            i = step
        return i

    def _children(self, i: int, prefix: str) -> dict[str, int]:
        """Path -> start of each member or item of the container at ``i`` (read once, then kept)."""
        if i in self._index:
            return self._index[i]
        start, text, out = i, self.text, {}
        close = {"{": "}", "[": "]"}.get(text[i])
        if close is not None:
            i = self._skip(i + 1)
            n = 0
            while text[i] != close:
                if close == "}":
                    key, i = _scanstring(text, i + 1)
                    i = self._skip(self._skip(i) + 1)
                    out.setdefault(f"{prefix}.{key}" if prefix else key, i)
                else:
                    out[f"{prefix}[{n}]"] = i
                    n += 1
                _, i = _decoder.raw_decode(text, i)
                i = self._skip(i)
                if text[i] == ",":
                    i = self._skip(i + 1)
        self._index[start] = out
        return out


def duplicate_keys(text: str) -> list[tuple[str, str, list[tuple[int, int]]]]:
    """``(object path, key, [(line, column) of each occurrence])`` for every key written twice or
    more in one JSON object of ``text`` (which must be valid JSON).

    ``json`` keeps the last of duplicate keys without a word, and other parsers keep the first or
    refuse the document, so the same text can mean two policies. Called only when the parser saw
    a duplicate: it walks the whole text.
    """
    locator = Locator(text)
    found: list[tuple[str, str, list[tuple[int, int]]]] = []

    def walk(i: int, path: str) -> int:
        opener = text[i]
        if opener not in "{[":
            return _decoder.raw_decode(text, i)[1]
        close = "}" if opener == "{" else "]"
        i = locator._skip(i + 1)
        seen: dict[str, list[int]] = {}
        n = 0
        while text[i] != close:
            if close == "}":
                at = i
                key, i = _scanstring(text, i + 1)
                seen.setdefault(key, []).append(at)
                i = locator._skip(locator._skip(i) + 1)
                child = f"{path}.{key}" if path else key
            else:
                child = f"{path}[{n}]"
                n += 1
            i = locator._skip(walk(i, child))
            if text[i] == ",":
                i = locator._skip(i + 1)
        for key, offsets in seen.items():
            if len(offsets) > 1:
                found.append((path, key, [locator._line_column(o) for o in offsets]))
        return i + 1

    walk(locator._skip(0), "")
    return found
