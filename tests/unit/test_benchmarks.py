"""Smoke runs of every benchmark at tiny sizes: they keep working; nothing here is timed."""
from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks import corpus, handwritten, plan, spec_scale  # noqa: E402
from benchmarks.__main__ import main  # noqa: E402
from benchmarks.synthetic import TRUST_KINDS, synthetic_yaml  # noqa: E402
from generator.rules.engine import validate_spec  # noqa: E402
from generator.spec import load_spec_text  # noqa: E402


def test_synthetic_spec_loads_and_covers_every_trust_kind() -> None:
    spec = load_spec_text(synthetic_yaml(20), "bench.yaml")
    assert len(spec.roles) == 20
    kinds = {r.description.rsplit("(", 1)[1].rstrip(")") for r in spec.roles}
    assert kinds == set(TRUST_KINDS)
    assert all(r.abac and r.boundary for r in spec.roles)
    validate_spec(spec)


def test_spec_scale_subprocess_reports_every_phase() -> None:
    row = spec_scale.measure(10, runs=1)
    assert {"load", "validate", "render", "write", "peak_mb"} <= set(row)
    assert row["files"] > 0
    assert "| 10 |" in spec_scale.table([row])


@pytest.mark.corpus
def test_corpus_benchmark_on_a_few_documents() -> None:
    if not corpus.CORPUS.is_dir():
        pytest.skip("corpus absent")
    if importlib.util.find_spec("parliament") is None:
        pytest.skip("parliament not installed (pip install -e '.[bench]')")
    result = corpus.measure(runs=1, limit=10)
    assert result is not None and result["documents"] == 10
    assert result["iamforge_exceptions"] == 0
    assert "parliament" in corpus.table(result)


def test_handwritten_baseline_has_one_data_source_per_document() -> None:
    spec = load_spec_text(synthetic_yaml(10), "bench.yaml")
    text = handwritten.baseline(spec)["main.tf"]
    assert text.count('resource "aws_iam_role" ') == 10
    assert text.count('data "aws_iam_policy_document"') >= 20
    assert "$${aws:username}" in text or "${aws:" not in text.replace("$${", "")


@pytest.mark.terraform
@pytest.mark.moto
def test_plan_benchmark_on_five_roles() -> None:
    if shutil.which("terraform") is None:
        pytest.skip("terraform absent")
    result = plan.measure(roles=5, runs=1)
    if result is None:
        pytest.skip("moto_server not available")
    assert result["iamforge_resources"] > 0 and result["hand_resources"] > 0


def test_main_writes_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus, "measure", lambda **_: None)
    monkeypatch.setattr(plan, "measure", lambda *_: None)
    out = tmp_path / "RESULTS.md"
    assert main(["--sizes", "10", "--runs", "1", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Machine:" in text and "| 10 |" in text
