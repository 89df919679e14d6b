"""The README's rule table, generated from the rules themselves."""
from __future__ import annotations

from generator.rules.registry import all_rules

START = "<!-- rules:start -->"
END = "<!-- rules:end -->"


def markdown_table() -> str:
    """A Markdown table of every rule: id, severity, title (trailing newline included)."""
    lines = ["| Rule | Severity | Title |", "|---|---|---|"]
    for rule in all_rules():
        title = rule.title.replace("|", "\\|")
        lines.append(f"| {rule.id} | {rule.severity.value} | {title} |")
    return "\n".join(lines) + "\n"


def replace_table(readme: str) -> str:
    """``readme`` with the text between the markers replaced by the current table."""
    head, sep, rest = readme.partition(START)
    if not sep or END not in rest:
        raise ValueError(f"README has no {START} ... {END} markers")
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{markdown_table()}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """``python -m generator.rules.table README.md`` rewrites the table in place."""
    import sys
    from pathlib import Path

    args = sys.argv[1:] if argv is None else argv
    if not args:
        sys.stdout.write(markdown_table())
        return 0
    path = Path(args[0])
    path.write_text(replace_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
