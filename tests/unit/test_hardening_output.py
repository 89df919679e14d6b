"""Issue 22, output under attack: data cannot drive the terminal, a CI log or the pull-request
comment; colour only where it belongs; unwritable places, odd encodings and NUL bytes are
messages with exit 2, never tracebacks."""
from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import cli
from generator.cli import main
from generator.findings import Finding, Severity
from generator.plan_summary import render_text, summarize_plan
from generator.report import render
from generator.report.formats import neutralise

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "audit"
MINIMAL = REPO / "examples" / "minimal.yaml"
HOSTILE = "x\x1b]0;pwned\x07\x1b[2J\rfake\x00nul\u202eevil\u2066\u2069\ud800\n::error::spoofed\n::add-mask::secret"


def run(*args: str, **kw):
    return CliRunner().invoke(main, list(args), **kw)


def assert_inert(text: str) -> None:
    for bad in ("\x1b", "\r", "\x00", "\x07", "\u202e", "\u2066", "\u2069", "\ud800"):
        assert bad not in text, repr(bad)
    for line in text.splitlines():
        assert not line.lstrip().startswith(("::", "##[")), line


# -- 7. text output --

def test_text_findings_neutralise_control_bidi_and_workflow_commands() -> None:
    f = Finding("POL-003", Severity.INFO, HOSTILE, path="Statement[0]", file="::error file=x::p.json", line=1, column=1)
    out = render("text", [f])
    assert_inert(out)
    assert out.count("\n") == 2  # one finding line, one summary line
    assert "\\x1b" in out and "\\u202e" in out and "\\x3a:error" in out
    assert_inert(render("junit", [f]))


def test_check_policy_with_hostile_sid(tmp_path: Path) -> None:
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": HOSTILE, "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}),
        encoding="utf-8")
    result = run("check-policy", str(policy))
    assert result.exit_code == 0 and "POL-003" in result.output
    assert_inert(result.output)


def test_audit_text_with_hostile_user_name(tmp_path: Path) -> None:
    lines = (FIXTURES / "credential_report_edge.csv").read_text(encoding="utf-8").splitlines()
    fields = lines[2].split(",")
    fields[0] = '"' + "alice\x1b[31m\u202e::error::x" + '"'
    lines[2] = ",".join(fields)
    report = tmp_path / "report.csv"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("audit", "--credential-report", str(report))
    assert result.exit_code in (0, 1) and "alice" in result.output, result.output
    assert_inert(result.output)


def test_error_messages_are_neutralised(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "no\x1b[2Jsuch\u202e.yaml"))
    assert result.exit_code == 2
    assert_inert(result.output)


def _plan_with(name: str, resource: str) -> dict:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}]})
    return {"resource_changes": [
        {"address": "aws_iam_role.this", "mode": "managed", "type": "aws_iam_role", "name": "this",
         "change": {"actions": ["create"], "before": None, "after": {"name": name}, "after_unknown": {}}},
        {"address": "aws_iam_role_policy.this", "mode": "managed", "type": "aws_iam_role_policy", "name": "this",
         "change": {"actions": ["create"], "before": None,
                    "after": {"name": "p", "role": name, "policy": policy}, "after_unknown": {}}}]}


def test_plan_summary_cannot_close_the_comment_fence_or_spoof_lines() -> None:
    text = render_text(summarize_plan(_plan_with("dev```\n## Approved\n::error::x", "arn:aws:s3:::b/```~~~\n+ role admin")))
    assert "```" not in text and "~~~" not in text
    assert_inert(text)
    assert "dev\\x60\\x60\\x60" in text
    # Every line is one iamforge wrote: data added none.
    assert not any(line.startswith(("## Approved", "+ role admin")) for line in text.splitlines())


# -- 8. colour --

class _Tty:
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("env", "expected"), [({}, True), ({"TERM": "dumb"}, False), ({"NO_COLOR": "1"}, False),
                                                ({"NO_COLOR": ""}, False)])
def test_colour_only_on_a_real_terminal(monkeypatch: pytest.MonkeyPatch, env: dict, expected: bool) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "stdout", _Tty())
    assert cli._colour() is expected


def test_no_colour_when_piped(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "generator", "validate", str(MINIMAL)], capture_output=True,
                            text=True, env={**os.environ, "TERM": "xterm"}, cwd=REPO, timeout=120)
    assert result.returncode == 0 and "\x1b" not in result.stdout + result.stderr


# -- 9. no tracebacks --

def _read_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Writes under ``folder`` fail as in a read-only folder (chmod does not stop root)."""
    real_open = os.open

    def refusing_open(path, flags, *args, **kw):  # noqa: ANN001
        if Path(path).resolve().is_relative_to(folder.resolve()) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(os, "open", refusing_open)
    import io

    real_io_open = io.open

    def refusing_io_open(file, mode="r", *args, **kw):  # noqa: ANN001
        if isinstance(file, (str, Path)) and any(m in mode for m in "wax+") and \
                Path(file).resolve().is_relative_to(folder.resolve()):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_io_open(file, mode, *args, **kw)

    monkeypatch.setattr(io, "open", refusing_io_open)
    import builtins

    monkeypatch.setattr(builtins, "open", refusing_io_open)


@pytest.mark.parametrize("command", ["init", "validate --output", "check-policy --output", "import -o", "audit --output"])
def test_unwritable_folder_is_exit_2_and_nothing_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         command: str) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "out.txt"
    policy = tmp_path / "p.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": []}', encoding="utf-8")
    args = {
        "init": ["init", str(folder / "iamforge.yaml")],
        "validate --output": ["validate", str(MINIMAL), "--output", str(target)],
        "check-policy --output": ["check-policy", str(policy), "--output", str(target)],
        "import -o": ["import", "--authorization-details", str(FIXTURES / "authorization_details.json"), "-o", str(target)],
        "audit --output": ["audit", "--credential-report", str(FIXTURES / "credential_report_edge.csv"),
                           "--output", str(target)],
    }[command]
    _read_only(monkeypatch, folder)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Permission denied" in result.output and "internal error" not in result.output
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_really_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        for args in (["init", str(folder / "x.yaml")], ["validate", str(MINIMAL), "--output", str(folder / "r.txt")]):
            result = run(*args)
            assert result.exit_code == 2 and list(folder.iterdir()) == [], result.output
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_narrow_output_encodings(tmp_path: Path, encoding: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(MINIMAL.read_text(encoding="utf-8") + "departments:\n  eng:\n    tag_value: Eng\n"
                    "    owner: \"Zoë ☃\"\n    unknown_☃_kéy: 1\n", encoding="utf-8")
    policy = tmp_path / "p.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": [{"Sid": "S\\ud800\\u2603", "Effect": "Allow", '
                      '"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b\\ud800/*"}]}', encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": encoding, "LC_ALL": "C.ISO-8859-1", "LANG": "C.ISO-8859-1"}
    for args, codes in (
        (["validate", str(spec)], (1,)),
        (["check-policy", str(policy)], (0, 1)),
        (["import", "--authorization-details", str(FIXTURES / "authorization_details.json")], (0,)),
        (["audit", "--credential-report", str(FIXTURES / "credential_report_edge.csv"),
          "--authorization-details", str(FIXTURES / "authorization_details.json")], (1,)),
    ):
        result = subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, env=env,
                                cwd=REPO, timeout=300)
        err = result.stderr.decode(encoding, "replace")
        assert result.returncode in codes and "Traceback" not in err and "internal error" not in err, (args, err)


def test_lone_surrogate_in_report_file(tmp_path: Path) -> None:
    policy = tmp_path / "p.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": [{"Sid": "S\\ud800", "Effect": "Allow", '
                      '"Action": "s3:GetObject", "Resource": "*"}]}', encoding="utf-8")
    for fmt in ("text", "json", "sarif", "junit"):
        out = tmp_path / f"r.{fmt}"
        result = run("check-policy", str(policy), "--format", fmt, "--output", str(out))
        assert result.exit_code in (0, 1) and out.read_text(encoding="utf-8"), (fmt, result.output)


@pytest.mark.parametrize("command", [["plan"], ["scan"], ["apply", "--auto-approve"]])
def test_nul_byte_in_manifest_path_is_refused(tmp_path: Path, command: list[str]) -> None:
    out = tmp_path / "out"
    assert run("generate", str(MINIMAL), "-o", str(out)).exit_code == 0
    manifest = out / ".iamforge-manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["files"]["main.tf\x00../../etc/passwd"] = data["files"]["main.tf"]
    manifest.write_text(json.dumps(data), encoding="utf-8")
    result = run(*command, "-o", str(out), "--terraform-bin", str(tmp_path / "no-terraform")) \
        if command[0] != "scan" else run(*command, "-o", str(out))
    assert result.exit_code == 2, result.output
    assert "NUL byte" in result.output and "Traceback" not in result.output


def test_neutralise_keeps_plain_text() -> None:
    assert neutralise("arn:aws:iam::111122223333:role/a-b  Zoë ☃") == "arn:aws:iam::111122223333:role/a-b  Zoë ☃"
    assert neutralise("a\nb", keep_lines=True) == "a\nb"


@pytest.mark.parametrize("char", ["\u200b", "\u200d", "\u2028", "\u2029", "\u2060", "\ufeff"])
def test_invisible_and_line_separator_characters_are_neutralised(char: str) -> None:
    """Zero-width characters make two names look alike; U+2028/U+2029 break lines in some viewers."""
    from generator.report.formats import neutralise

    shown = neutralise(f"role/adm{char}in")
    assert char not in shown and f"\\u{ord(char):04x}" in shown
