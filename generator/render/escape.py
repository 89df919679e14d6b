"""The one escaping function every spec string passes on its way into generated files.

Generated output has three kinds of text that carry spec strings:

* ``hcl``: the inside of a double-quoted HCL string. Terraform reads ``${`` and ``%{``
  as template syntax, so an IAM policy variable such as ``${aws:username}`` must be
  written ``$${aws:username}`` to reach AWS literally. JSON produced by ``jsonencode``
  of such a string is therefore correct by construction.
* ``markdown``: one cell or line of a generated README.
* ``comment``: the rest of a ``#`` comment line (file headers).

All three share the treatment of control characters, so a newline or an escape
sequence in a spec string can never end a string, a table cell or a comment early.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Literal

Target = Literal["hcl", "markdown", "comment"]

_HCL_SIMPLE = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_MARKDOWN_SPECIAL = set("\\`*_[]<>|")
_MARKDOWN_ESCAPES = str.maketrans({ch: "\\" + ch for ch in _MARKDOWN_SPECIAL})


def _unicode_escape(ch: str) -> str:
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _is_visible(ch: str) -> bool:
    """True for characters that are safe to write as they are (space included)."""
    return ch == " " or ch.isprintable()


def escape(value: str, target: Target = "hcl") -> str:
    """Escape ``value`` for ``target`` (see the module docstring); the result has no quotes.

    Args:
        value: any string taken from the spec (or a constant that sits beside spec strings).
        target: ``hcl`` for the body of an HCL quoted string, ``markdown`` for README
            text (also safe inside table cells), ``comment`` for a ``#`` comment line.

    Returns:
        The escaped text. For ``hcl`` it decodes back to exactly ``value``.
    """
    if not isinstance(value, str):
        raise TypeError(f"escape() takes a string, not {type(value).__name__}")
    out: list[str] = []
    if target == "hcl":
        if value.isascii() and value.isprintable():
            # Fast path for the common case (ARNs, names, JSON): no control characters to
            # spell as \u escapes, so plain replacements give the same text as the loop below.
            text = value.replace("\\", "\\\\").replace('"', '\\"')
            return text.replace("${", "$${").replace("%{", "%%{")
        for ch in value:
            if ch in _HCL_SIMPLE:
                out.append(_HCL_SIMPLE[ch])
            elif not _is_visible(ch):
                out.append(_unicode_escape(ch))
            else:
                out.append(ch)
        # Template sequences: `$${` and `%%{` are HCL's escapes for a literal `${` / `%{`.
        return "".join(out).replace("${", "$${").replace("%{", "%%{")
    if target == "markdown":
        if value.isprintable():  # the common case: no line breaks or controls, only specials to escape
            return value.translate(_MARKDOWN_ESCAPES)
        for ch in value:
            if ch in _MARKDOWN_SPECIAL:
                out.append("\\" + ch)
            elif ch in "\r\n":
                out.append(" ")
            elif not _is_visible(ch):
                out.append(_unicode_escape(ch).replace("\\", "\\\\"))
            else:
                out.append(ch)
        return "".join(out)
    if target == "comment":
        return "".join(ch if _is_visible(ch) else _unicode_escape(ch) for ch in value)
    raise ValueError(f"unknown escape target {target!r}")


@lru_cache(maxsize=65536)
def hcl_string(value: str) -> str:
    """``value`` as a complete double-quoted HCL string literal (the same strings recur
    thousands of times in a large spec's output: action names, keys, ARNs)."""
    return '"' + escape(value, "hcl") + '"'
