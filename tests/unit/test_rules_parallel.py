"""Rules on a large input run in two processes; the findings are exactly those of one."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from benchmarks.synthetic import synthetic_yaml
from generator.rules import engine
from generator.rules.base import DocumentRule
from generator.spec import load_spec, load_spec_text

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
                                reason="two processes only on Linux with two or more cores")


def _both(monkeypatch: pytest.MonkeyPatch, run) -> tuple[list, list]:
    monkeypatch.setenv("IAMFORGE_PROCESSES", "1")
    one = run()
    monkeypatch.setenv("IAMFORGE_PROCESSES", "2")
    monkeypatch.setattr(engine, "PARALLEL_MIN_DOCUMENTS", 0)
    calls = []
    real = engine._findings_by_rule

    def spy(ctx, rules):
        calls.append(engine._two_processes(ctx, rules))
        return real(ctx, rules)

    monkeypatch.setattr(engine, "_findings_by_rule", spy)
    two = run()
    assert any(calls), "the two-process path was not taken"
    return one, two


@pytest.mark.parametrize("source", ["examples/acme.yaml", "synthetic-60"])
def test_spec_findings_are_identical_in_two_processes(monkeypatch, source):
    spec = load_spec_text(synthetic_yaml(60), "bench.yaml") if source == "synthetic-60" else load_spec(source)
    one, two = _both(monkeypatch, lambda: engine.validate_spec(spec))
    assert one and one == two


def test_policy_files_are_checked_in_one_process(monkeypatch, tmp_path: Path):
    """check-policy's documents are all distinct: two processes would each redo the analysis."""
    files = []
    for i, action in enumerate(["s3:*", "iam:PassRole", "ec2:RunInstnaces", "*"]):
        path = tmp_path / f"p{i}.json"
        path.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                        f'"Action": "{action}", "Resource": "*"}}]}}', encoding="utf-8")
        files.append(str(path))
    monkeypatch.setenv("IAMFORGE_PROCESSES", "2")
    monkeypatch.setattr(engine, "PARALLEL_MIN_DOCUMENTS", 0)
    monkeypatch.setattr(engine.os, "fork", lambda: pytest.fail("check-policy forked a second process"))
    assert engine.check_policy_files(files).findings


def test_one_process_unless_asked(monkeypatch):
    """Two processes hold far more memory together than one: the split is opt-in."""
    monkeypatch.delenv("IAMFORGE_PROCESSES", raising=False)
    monkeypatch.setattr(engine, "PARALLEL_MIN_DOCUMENTS", 0)
    monkeypatch.setattr(engine.os, "fork", lambda: pytest.fail("validate forked without IAMFORGE_PROCESSES=2"))
    assert engine.validate_spec(load_spec("examples/acme.yaml"))


def test_a_failing_child_leaves_its_rules_to_the_parent(monkeypatch):
    spec = load_spec("examples/acme.yaml")
    parent = os.getpid()
    victim = next(r for r in engine.all_rules() if isinstance(r, DocumentRule))
    real = type(victim).check

    def check_only_in_parent(self, ctx):
        if os.getpid() != parent:
            raise RuntimeError("child failure")
        return real(self, ctx)

    monkeypatch.setattr(type(victim), "check", check_only_in_parent)
    one, two = _both(monkeypatch, lambda: engine.validate_spec(spec))
    assert one == two
