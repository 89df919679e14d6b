"""The one escaping function: HCL strings, Markdown, comments."""
from __future__ import annotations

import pytest

from generator.render.escape import escape, hcl_string


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain text", "plain text"),
        ('say "hi"', 'say \\"hi\\"'),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines", "two\\nlines"),
        ("tab\tcr\r", "tab\\tcr\\r"),
        ("bell\x07", "bell\\u0007"),
        ("del\x7f", "del\\u007f"),
        ("line\u2028sep", "line\\u2028sep"),
        ("arn:aws:iam::1:user/${aws:username}", "arn:aws:iam::1:user/$${aws:username}"),
        ("%{ if x }", "%%{ if x }"),
        ("$${already}", "$$${already}"),
        ("\\${x}", "\\\\$${x}"),
        ("cost $5 {not a template}", "cost $5 {not a template}"),
        ("accents é ü 漢字 😀", "accents é ü 漢字 😀"),
    ],
)
def test_hcl_escape(raw: str, escaped: str) -> None:
    assert escape(raw, "hcl") == escaped


def test_hcl_string_is_quoted() -> None:
    assert hcl_string('a"b') == '"a\\"b"'


def test_markdown_cannot_break_a_table_or_inject_html() -> None:
    out = escape("a | b\nc <script> `x` *y* [l](u)", "markdown")
    assert "\n" not in out
    assert "|" not in out.replace("\\|", "")
    assert "<" not in out.replace("\\<", "")
    assert "`" not in out.replace("\\`", "")


def test_markdown_escapes_the_same_with_and_without_line_breaks() -> None:
    specials = "a\\b`c*d_e[f]g<h>i|j ü"
    assert escape(specials, "markdown") == "a\\\\b\\`c\\*d\\_e\\[f\\]g\\<h\\>i\\|j ü"
    assert escape(specials + "\n" + specials, "markdown") == escape(specials + " " + specials, "markdown")
    assert escape("tab\there", "markdown") == "tab\\\\u0009here"


def test_comment_cannot_end_the_line() -> None:
    out = escape("name\nresource \"x\" \"y\" {}", "comment")
    assert "\n" not in out
    assert out.startswith("name\\u000a")


def test_unknown_target_and_non_string_are_errors() -> None:
    with pytest.raises(ValueError):
        escape("x", "yaml")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        escape(3, "hcl")  # type: ignore[arg-type]
