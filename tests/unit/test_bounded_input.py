"""Small inputs cannot cost much: linear-time patterns, alias copies bounded in bytes, values that
are exactly what the schema says (no trailing line feed). Nothing here is timed: the inputs would
take minutes and gigabytes if the bounds did not hold."""
from __future__ import annotations

import re

import pytest

from generator.errors import SpecError
from generator.spec import load_spec_text
from generator.spec import schema

BASE = 'version: 1\naccount:\n  id: "111122223333"\n  regions: [us-east-1]\n'
ROLE = ("departments:\n  e:\n    tag_value: E\n    owner: a@b.example\n    roles:\n      r:\n        trust:\n"
        "          github_oidc:\n            subjects: [{subject}]\n")


def findings(text: str) -> list:
    try:
        load_spec_text(text, "s.yaml")
    except SpecError as err:
        return err.findings
    return []


def test_patterns_that_could_backtrack_cannot_take_the_same_characters_twice():
    """The e-mail and GitHub subject patterns had two adjacent repeats over the same characters
    (quadratic on a long value); now the pieces are separated by characters only one may hold."""
    assert re.fullmatch(schema.EMAIL, "secops@acme.example") and re.fullmatch(schema.EMAIL, "a.b@c.d.example")
    assert not re.fullmatch(schema.EMAIL, "a@b")
    assert re.fullmatch(schema.GITHUB_SUBJECT, "repo:acme/web:ref:refs/heads/main")
    assert re.fullmatch(schema.GITHUB_SUBJECT, "repo:acme@1234567/web@7654321:ref:refs/heads/main")
    long_email = BASE + f'cloudtrail:\n  alarms:\n    email: "a@{"a" * 120_000}"\n'
    found = findings(long_email)
    assert [f.rule_id for f in found] == ["SCHEMA-007"] and "120,002 characters" in found[0].message
    long_subject = BASE + ROLE.format(subject='"repo:' + "a/" * 60_000 + '"')
    assert [f.rule_id for f in findings(long_subject)] == ["SCHEMA-007"]


def test_aliases_are_bounded_in_bytes_not_only_in_nodes():
    text = BASE + 'x: &big "' + "a" * 1_000_000 + '"\ny: [' + ", ".join(["*big"] * 10) + "]\n"
    found = findings(text)
    assert found[0].rule_id == "SCHEMA-003" and "MiB of text" in found[0].message


@pytest.mark.parametrize("field, text", [
    ("users[0]", "departments:\n  e:\n    tag_value: E\n    owner: a@b.example\n    users: [\"alice\\n\"]\n"),
    ("abac_key", "tags:\n  abac_key: \"Department\\n\"\n"),
    ("subjects[0]", ROLE.format(subject='"repo:acme/web:ref:refs/heads/main\\n"')),
    ("name", "cloudtrail:\n  bucket:\n    name: \"acme-trail-logs\\n\"\n"),
])
def test_a_trailing_line_feed_is_not_part_of_any_format(field: str, text: str):
    found = findings(BASE + text)
    assert any(f.rule_id == "SCHEMA-007" and field in f.message for f in found), [f.message for f in found]


def test_a_crash_is_exit_4_in_one_line(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from generator import api
    from generator.cli import main

    def boom(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(api, "validate", boom)
    spec = tmp_path / "s.yaml"
    spec.write_text(BASE)
    result = CliRunner().invoke(main, ["validate", str(spec)])
    assert result.exit_code == 4 and "internal error (RuntimeError: a bug)" in result.output
    assert "Traceback" not in result.output


def test_a_terminal_that_cannot_show_a_character_gets_an_escape_not_a_traceback(tmp_path):
    import os
    import subprocess
    import sys

    spec = tmp_path / "s.yaml"
    spec.write_text(BASE + "  alias: \"caf\u2192\"\n", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "LC_ALL": "C"}
    proc = subprocess.run([sys.executable, "-m", "generator", "validate", str(spec)], capture_output=True,
                          env=env, check=False)
    assert proc.returncode == 1, proc.stderr.decode("latin-1")
    assert b"Traceback" not in proc.stdout + proc.stderr and b"SCHEMA-007" in proc.stdout


def naive_glob(pattern: str, value: str) -> bool:
    """Each ``*`` as ``.*``: the translation that backtracks exponentially in the stars."""
    return re.fullmatch("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern),
                        value, re.S) is not None


def test_wildcard_patterns_match_as_the_naive_translation_does():
    import itertools

    from generator.analysis.wildcard import wildcard_regex

    patterns = ["".join(p) for n in range(6) for p in itertools.product("ab*?", repeat=n)]
    values = ["".join(v) for n in range(7) for v in itertools.product("ab", repeat=n)]
    for pattern in patterns:
        rx = wildcard_regex(pattern)
        assert [bool(rx.fullmatch(v)) for v in values] == [naive_glob(pattern, v) for v in values], pattern


def test_a_pattern_of_many_stars_cannot_backtrack_into_the_earlier_ones():
    """``role/*a*a*a*...*z`` on a name of many a's took minutes in validate (exponential in the
    stars); each star but the last now takes its stretch once, atomically, so 40 stars finish
    here at once where the naive translation would not finish at all."""
    from generator.analysis.arn import covers, glob_match
    from generator.analysis.wildcard import wildcard_regex

    pattern = "arn:aws:iam::111122223333:role/" + "*a" * 40 + "*z"
    name = "arn:aws:iam::111122223333:role/" + "a" * 200
    assert not glob_match(pattern, name) and not covers(pattern, name + "*")
    assert glob_match(pattern, name + "z")
    # Every star but the last is inside a look-ahead that captures and a back-reference to it.
    assert wildcard_regex(pattern).pattern.count("(?=(?P<s") == 40


def test_a_spec_with_a_many_star_pattern_validates():
    text = (BASE + "departments:\n  e:\n    tag_value: E\n    owner: a@b.example\n    roles:\n"
            f"      {'a' * 60}:\n        trust:\n          services: [lambda.amazonaws.com]\n"
            "        permissions:\n          - actions: [iam:AttachRolePolicy]\n"
            f"            resources: [\"arn:aws:iam::111122223333:role/{'*a' * 30}*z\"]\n")
    from generator.rules.engine import validate_spec

    spec = load_spec_text(text, "stars.yaml")
    found = {f.rule_id for f in validate_spec(spec)}  # the pattern is judged against the role's name
    assert "PB-002" in found and "SPEC-001" not in found


def test_a_statement_id_with_a_trailing_line_feed_is_refused():
    from generator.rules.engine import check_documents

    doc = {"Version": "2012-10-17", "Statement": [{"Sid": "DenyLarge\n", "Effect": "Deny", "Action": "s3:*",
                                                   "Resource": "*"}]}
    assert "POL-003" in {f.rule_id for f in check_documents([("scp.json", "identity", doc)])}
