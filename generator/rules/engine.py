"""The rule engine: run every applicable rule, place findings, apply ``exceptions:``.

``validate_spec`` checks a loaded spec and the documents the generator builds from it;
``check_documents`` checks raw IAM policy JSON (``iamforge check-policy``).
"""
from __future__ import annotations

import json
import os
import pickle
import signal
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

from generator.analysis.jsonpos import Locator
from generator.findings import Finding, Report, Severity
from generator.gcpause import gc_paused
from generator.inputs import ContentError, decode_text, parse_json, read_bytes
from generator.rules.base import Rule
from generator.rules.context import Context, document_context, spec_context
from generator.rules.registry import all_rules
from generator.rules.suppress import apply_exceptions
from generator.spec.model import Spec


# Below this many documents one process is quicker than two (fork and result transfer cost).
PARALLEL_MIN_DOCUMENTS = 600


def run_phase(ctx: Context, phase: str) -> list[Finding]:
    rules = [rule for rule in all_rules() if ctx.mode in rule.modes and rule.phase == phase]
    found: list[Finding] = []
    seen: set[tuple[str, str, str, str]] = set()
    for findings in _findings_by_rule(ctx, rules):
        for f in findings:
            key = (f.rule_id, f.file, f.path, f.message)  # the file: check-policy's files share paths
            if key not in seen:
                seen.add(key)
                found.append(f)
    return found


def _two_processes(ctx: Context, rules: list[Rule]) -> bool:
    """Only when asked for with ``IAMFORGE_PROCESSES=2``: large specs on Linux with two or more
    cores, never from a process running other threads (a forked child could inherit a held lock).

    It is not the default because the time it saves costs more memory than it looks: the
    child's own results, and every page of the shared heap it touches (reference counts are
    writes), become its private copies. At 10,000 roles it saved about 1 s of 17, while the
    two processes together peaked near 720 MB against 480 MB for one.

    ``check-policy`` (document mode) always stays in one process: its documents are all
    distinct, so each side would redo the per-document analysis the other had done, and on
    the corpus of 1,452 managed policies two processes were measured no faster than one.
    """
    return (os.environ.get("IAMFORGE_PROCESSES", "1") == "2" and ctx.mode == "spec" and len(rules) > 1
            and len(ctx.documents) >= PARALLEL_MIN_DOCUMENTS and sys.platform.startswith("linux")
            and (os.cpu_count() or 1) > 1 and threading.active_count() == 1)


def _child_results(data: bytes) -> dict[str, list[Finding]]:
    """The child's findings by rule id; {} when its output was cut short (those rules then run here)."""
    try:
        return pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, ValueError):
        return {}


def _findings_by_rule(ctx: Context, rules: list[Rule]) -> list[list[Finding]]:
    """Each rule's findings, in the order of ``rules``.

    With ``IAMFORGE_PROCESSES=2``, on a large spec half of the rules run in a forked child
    while this process runs the others; the child inherits the context (principals and
    normalized documents are built first, so neither side builds them twice) and sends its
    findings back pickled. Results are merged in rule order, so the output is exactly that of
    one process. Should the child fail, its rules run here.
    """
    if not _two_processes(ctx, rules):
        return [list(rule.check(ctx)) for rule in rules]
    ctx.prepare()
    # Every other rule each: ninety rules of a few to a few hundred milliseconds share out evenly.
    mine, theirs = rules[0::2], rules[1::2]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run its rules, write the findings, leave without any clean-up
        status = 1
        try:
            os.close(read_end)
            data = pickle.dumps({rule.id: list(rule.check(ctx)) for rule in theirs})
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    pipe = os.fdopen(read_end, "rb")
    try:
        results = {rule.id: list(rule.check(ctx)) for rule in mine}
        data = pipe.read()
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        pipe.close()
        try:
            status = os.waitpid(pid, 0)[1]
        except ChildProcessError:  # SIGCHLD ignored by the host: the child was reaped already
            status = 0
    results.update(_child_results(data) if status == 0 else {})
    for rule in theirs:
        if rule.id not in results:
            results[rule.id] = list(rule.check(ctx))
    return [results[rule.id] for rule in rules]


@gc_paused
def validate_spec(spec: Spec, today: date | None = None, policies: Any = None,
                  organization: Any = None) -> list[Finding]:
    """Run every spec rule on ``spec`` and return located, sorted findings.

    Args:
        spec: A loaded spec (``generator.spec.load_spec``).
        today: The date exceptions are checked against (tests pin it).
        policies: The built ``PolicySet``; built with ``generator.policies.build`` when omitted.
        organization: A member account's ``MemberScope`` (generator.analysis.guardrails): the
            organisation rules of its spec (ORG-009, ORG-010) run with it.

    Returns:
        Findings with file/line/column from the spec's marks; findings covered by a live
        ``exceptions:`` entry are kept with ``suppressed=True``.
    """
    if policies is None:
        from generator.policies import build

        policies = build(spec)
    ctx = spec_context(spec, policies, today)
    ctx.organization = organization
    return validate_context(ctx)


def validate_context(ctx: Context) -> list[Finding]:
    """The rules of :func:`validate_spec` on a spec-mode context it built (the benchmarks time
    building the context apart from running the rules)."""
    spec = ctx.spec
    assert spec is not None
    unwaivable = frozenset(r.id for r in all_rules() if not r.waivable)
    findings = apply_exceptions(run_phase(ctx, "main"), spec.exceptions, ctx.today, unwaivable)
    ctx.findings = findings
    findings = findings + run_phase(ctx, "post")
    located = []
    for f in findings:
        mark = spec.locate(f.path)
        located.append(f.with_location(mark.file, mark.line, mark.column) if mark
                       else f.with_location(spec.file, 1, 1))
    return sorted(located, key=lambda f: f.sort_key)


def check_documents(items: list[tuple[str, str, dict]], texts: dict[str, str] | None = None) -> list[Finding]:
    """Run the POL, PRV and TRU rules on raw policy documents.

    Args:
        items: ``(file, kind, document)`` per document; kind is identity, boundary or trust.
        texts: the JSON text each file's document was parsed from, when the caller has it
            (otherwise the file is read again to place findings).

    Returns:
        Sorted findings with paths like ``Statement[2].Action``, placed in ``file`` at the
        line and column of that element when the file can be read back, else at line 1.
    """
    ctx = document_context(items)
    documents = {file: doc for file, _, doc in items}
    locators: dict[str, Locator] = {}
    out = []
    for f in run_phase(ctx, "main"):
        file = f.file
        if file not in locators:
            known = (texts or {}).get(file)
            locators[file] = Locator(known if known is not None else _text_of(file, documents.get(file)))
        line, column = locators[file].locate(f.path)
        out.append(f.with_location(file, line, column))
    return sorted(out, key=lambda f: f.sort_key)


def _text_of(file: str, document: Any) -> str:
    """The text ``document`` was read from, or "" (no positions) when the file no longer holds it."""
    try:
        text = Path(file).read_text(encoding="utf-8-sig")
        return text if json.loads(text) == document else ""
    except (OSError, ValueError):
        return ""


def detect_kind(document: Any) -> str:
    """``trust`` when the document's statements name principals and sts actions, else ``identity``."""
    statements = document.get("Statement") if isinstance(document, dict) else None
    items = statements if isinstance(statements, list) else [statements]
    for stmt in items:
        if isinstance(stmt, dict) and ("Principal" in stmt or "NotPrincipal" in stmt):
            return "trust"
    return "identity"


@gc_paused
def check_policy_files(paths: list[str], kind: str | None = None) -> Report:
    """Read policy JSON files and run :func:`check_documents` on them.

    Args:
        paths: One policy document per file.
        kind: identity, boundary or trust; detected per file when None.

    Returns:
        A report; a file that is not a JSON document (binary, not UTF-8, not JSON, nested
        too deeply) becomes a POL-002 finding at its line and column.

    Raises:
        UsageError: when a file is missing, a directory, unreadable or over the size cap.
    """
    report = Report(files=list(paths))
    items, texts = read_policy_files([(path, kind) for path in paths], report)
    report.findings.extend(check_documents(items, texts))
    return report


def read_policy_files(given: list[tuple[str | Path, str | None]],
                      report: Report) -> tuple[list[tuple[str, str, dict]], dict[str, str]]:
    """``(file, kind, document)`` and the text of every ``(path, kind)`` given (kind detected when
    None); a file that is not a JSON document becomes a POL-002 finding in ``report`` instead."""
    items: list[tuple[str, str, dict]] = []
    texts: dict[str, str] = {}
    for path, kind in given:
        raw = read_bytes(path, "a policy JSON file")
        try:
            text = decode_text(raw, str(path), "a policy JSON file")
            document = parse_json(text, str(path))
        except ContentError as exc:
            problem = exc.problem.removeprefix("not JSON: ")
            report.findings.append(Finding("POL-002", Severity.ERROR, f"not a JSON policy document: {problem}", "",
                                           str(path), exc.line, exc.column))
            continue
        items.append((str(path), kind or detect_kind(document), document))
        texts[str(path)] = text
    return items, texts
