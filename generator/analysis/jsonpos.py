"""Line and column of every value in a JSON text, keyed by path (``Statement[2].Action``).

``json`` does not report positions, so this walks the text with the decoder's own scanners
for strings and numbers and records where each object member and array item starts.
"""
from __future__ import annotations

from generator.spec.model import closest

import json
import re

_WS = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()


class _Walker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.marks: dict[str, int] = {}

    def ws(self, i: int) -> int:
        return _WS.match(self.text, i).end()

    def value(self, i: int, path: str) -> int:
        i = self.ws(i)
        self.marks.setdefault(path, i)
        ch = self.text[i] if i < len(self.text) else ""
        if ch == "{":
            return self.obj(i + 1, path)
        if ch == "[":
            return self.arr(i + 1, path)
        _, end = _decoder.raw_decode(self.text, i)
        return end

    def obj(self, i: int, path: str) -> int:
        i = self.ws(i)
        if self.text[i] == "}":
            return i + 1
        while True:
            i = self.ws(i)
            key, i = json.decoder.scanstring(self.text, i + 1)
            i = self.ws(i)
            i = self.value(i + 1, f"{path}.{key}" if path else key)
            i = self.ws(i)
            if self.text[i] == "}":
                return i + 1
            i += 1

    def arr(self, i: int, path: str) -> int:
        i = self.ws(i)
        if self.text[i] == "]":
            return i + 1
        n = 0
        while True:
            i = self.value(i, f"{path}[{n}]")
            i = self.ws(i)
            n += 1
            if self.text[i] == "]":
                return i + 1
            i += 1


def positions(text: str) -> dict[str, tuple[int, int]]:
    """Map each path in a JSON document to its 1-based (line, column); {} when unparsable."""
    walker = _Walker(text)
    try:
        walker.value(0, "")
    except (ValueError, IndexError):
        return {}
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out: dict[str, tuple[int, int]] = {}
    for path, offset in walker.marks.items():
        line = _bisect(starts, offset)
        out[path] = (line + 1, offset - starts[line] + 1)
    return out


def _bisect(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def locate(marks: dict[str, tuple[int, int]], path: str) -> tuple[int, int]:
    """Position of ``path`` or its closest ancestor; (1, 1) when nothing is known."""
    return closest(marks, path, (1, 1))
