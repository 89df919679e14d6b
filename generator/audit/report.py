"""The audit's text report: findings grouped by principal, worst first, and a summary line
that can be pasted into a ticket as it is."""
from __future__ import annotations

from collections import Counter

from generator.audit.context import principal_of
from generator.findings import Finding, summarize
from generator.report import write_report as write_file

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_RESET = "\033[0m"


_GRADES = ("BLOCK", "CRIT", "HIGH", "MED", "LOW", "INFO")


def _grade(rule_id: str) -> int:
    """Catalogue grade rank (CRIT before HIGH within errors); unknown ids last."""
    from generator.rules.registry import get

    rule = get(rule_id)
    return _GRADES.index(rule.grade) if rule is not None and rule.grade in _GRADES else len(_GRADES)


def _order(f: Finding) -> tuple:
    return (-f.severity.rank, _grade(f.rule_id), f.rule_id, f.path, f.message)


def summary_line(findings: list[Finding], account_id: str, as_of: str) -> str:
    """``iamforge audit of account 111122223333 as of 2026-06-01: 3 error(s), ... in 2 principal(s); CRED-003 x2, ...``."""
    live = [f for f in findings if not f.suppressed]
    counts = summarize(findings)
    principals = len({principal_of(f.path) for f in live})
    by_rule = Counter(f.rule_id for f in live)
    top = ", ".join(f"{rid} x{n}" for rid, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
    account = f" of account {account_id}" if account_id else ""
    line = (f"iamforge audit{account} as of {as_of}: {counts['error']} error(s), {counts['warning']} warning(s), "
            f"{counts['info']} info in {principals} principal(s)")
    return f"{line}; {top}" if top else line


def render_text(findings: list[Finding], account_id: str = "", as_of: str = "", colour: bool = False) -> str:
    """One block per principal (the principal with the worst finding first), findings by severity."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(principal_of(f.path), []).append(f)
    ordered = sorted(groups.items(), key=lambda kv: (min(_order(f) for f in kv[1])[:2], -len(kv[1]), kv[0]))
    lines: list[str] = []
    for principal, items in ordered:
        lines.append(f"{principal} ({len(items)})")
        for f in sorted(items, key=_order):
            sev = f.severity.value
            shown = f"{_COLOURS[sev]}{sev:<7}{_RESET}" if colour else f"{sev:<7}"
            detail = f.path[len(principal) + 1:] if f.path.startswith(principal + "/") else ""
            where = f" [{detail}]" if detail else ""
            line = f":{f.line}" if f.line else ""
            suffix = f" (suppressed: {f.suppression_reason})" if f.suppressed else ""
            lines.append(f"  {shown} {f.rule_id:<8} {f.message}{where} ({f.file or '-'}{line}){suffix}")
        lines.append("")
    lines.append(summary_line(findings, account_id, as_of))
    return "\n".join(lines) + "\n"


def write_report(text: str, output: str | None) -> None:
    """Write ``text`` to ``output`` atomically, or print it when ``output`` is None."""
    import click

    if not output:
        click.echo(text, nl=False)
        return
    write_file(text, output)
