"""examples/ci/*.yml: valid YAML, and every iamforge command they run exists with those options."""
from __future__ import annotations

import shlex
from pathlib import Path

import click
import pytest
import yaml

from generator.cli import main

CI = Path(__file__).resolve().parents[2] / "examples" / "ci"
WORKFLOW = CI / "iamforge.yml"
STACKS_WORKFLOW = CI / "iamforge-stacks.yml"
ORG_WORKFLOW = CI / "iamforge-organization.yml"


def iamforge_calls(workflow: Path = WORKFLOW) -> list[list[str]]:
    doc = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    calls = []
    for job in doc["jobs"].values():
        for step in job["steps"]:
            for line in str(step.get("run", "")).splitlines():
                words = shlex.split(line.split(">")[0].replace(";", " "))
                if words[:2] in (["if", "iamforge"], ["then", "iamforge"]):  # a call inside a shell test
                    words = words[1:]
                if words[:1] == ["iamforge"]:
                    calls.append([w for w in words[1:] if w not in ("&&", "then")])
    return calls


@pytest.mark.parametrize("workflow", [WORKFLOW, STACKS_WORKFLOW, ORG_WORKFLOW], ids=lambda p: p.name)
def test_workflow_uses_real_commands_and_options(workflow: Path) -> None:
    calls = iamforge_calls(workflow)
    assert {c[0] for c in calls} >= {"validate", "generate", "scan", "plan", "apply"}
    for call in calls:
        command = main.get_command(click.Context(main), call[0])
        assert command is not None, f"no command iamforge {call[0]}"
        known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
        used = {w for w in call[1:] if w.startswith("-")}
        assert used <= known, f"iamforge {call[0]}: unknown options {used - known}"
        for param in command.params:  # choices, such as --layout stacks, are real values
            if isinstance(param.type, click.Choice) and param.opts[-1] in call:
                assert call[call.index(param.opts[-1]) + 1] in param.type.choices, call


def test_workflow_uploads_sarif_comments_plan_and_applies_on_main() -> None:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    uses = [s.get("uses", "") for job in doc["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert doc["jobs"]["plan"]["permissions"]["pull-requests"] == "write"
    assert "refs/heads/main" in doc["jobs"]["apply"]["if"]
    assert ["generate", "$SPEC", "-o", "$OUT", "--check"] in iamforge_calls()


def test_stacks_workflow_plans_the_baseline_then_a_matrix_of_departments() -> None:
    doc = yaml.safe_load(STACKS_WORKFLOW.read_text(encoding="utf-8"))
    jobs = doc["jobs"]
    assert ["generate", "$SPEC", "-o", "$OUT", "--layout", "stacks", "--check"] in iamforge_calls(STACKS_WORKFLOW)
    # The matrix comes from the generated stacks.json, through the validate job's output.
    assert "stacks.json" in " ".join(s.get("run", "") for s in jobs["validate"]["steps"])
    assert "departments" in jobs["validate"]["outputs"]
    for plan_or_apply, baseline in (("plan-departments", "plan-baseline"), ("apply-departments", "apply-baseline")):
        job = jobs[plan_or_apply]
        assert baseline in job["needs"], f"{plan_or_apply} runs after {baseline}"
        assert job["strategy"]["max-parallel"] == 2
        assert "fromJSON(needs.validate.outputs.departments)" in job["strategy"]["matrix"]["department"]
    plans = [c for c in iamforge_calls(STACKS_WORKFLOW) if c[0] == "plan"]
    assert {c[c.index("-o") + 1] for c in plans} == {"$OUT/stacks/baseline", "$OUT/stacks/$DEPARTMENT"}
    assert jobs["comment"]["permissions"]["pull-requests"] == "write"
    assert "refs/heads/main" in jobs["apply-baseline"]["if"]
    assert jobs["apply-baseline"]["environment"] == jobs["apply-departments"]["environment"] == "production"


def test_the_applied_plan_is_the_reviewed_one() -> None:
    """Merge to main: one job plans with the read-only role (no state lock) and publishes the
    saved plan; the job that applies runs in the reviewed environment and applies that file."""
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    planner, applier = jobs["plan-for-apply"], jobs["apply"]
    assert applier["needs"] == "plan-for-apply" and applier["environment"] == "production"
    assert "environment" not in planner
    plan_run = " ".join(s.get("run", "") for s in planner["steps"])
    assert "--no-lock" in plan_run and "--plan-file iamforge.tfplan" in plan_run and "GITHUB_STEP_SUMMARY" in plan_run
    apply_runs = [s["run"] for s in applier["steps"] if "iamforge apply" in s.get("run", "")]
    assert apply_runs == ['iamforge apply -o "$OUT" --spec "$SPEC" --plan-file "$OUT/iamforge.tfplan"']
    assert not [s for s in applier["steps"] if "iamforge plan" in s.get("run", "")]  # no fresh, unreviewed plan
    uploaded = [s for s in planner["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    downloaded = [s for s in applier["steps"] if s.get("uses", "").startswith("actions/download-artifact@")]
    assert uploaded[0]["with"]["name"] == downloaded[0]["with"]["name"]
    # pull-request plans are read-only too
    assert "--no-lock" in " ".join(s.get("run", "") for s in jobs["plan"]["steps"])


def test_organisation_workflow_applies_every_possible_wave_in_order_with_bounded_retried_matrices() -> None:
    """One apply job per wave iamforge can write (stacks.json), each after the one before, a matrix
    of that wave's stacks, at most four at a time, each stack planned and applied with retries."""
    from generator.org.render import ARCHIVE_WAVE, IDENTITY_CENTER_WAVE, WAVE_OF

    jobs = yaml.safe_load(ORG_WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    possible = len({ARCHIVE_WAVE, 1, *WAVE_OF.values(), IDENTITY_CENTER_WAVE})  # 1: the management stack's wave
    waves = sorted(j for j in jobs if j.startswith("apply-wave-"))
    assert waves == [f"apply-wave-{n}" for n in range(1, possible + 1)]
    guard = " ".join(s.get("run", "") for s in jobs["validate"]["steps"])
    assert f'-gt {possible} ]' in guard and "stacks.json" in guard
    for n, name in enumerate(waves, 1):
        job = jobs[name]
        assert f"wave{n}" in jobs["validate"]["outputs"]
        assert job["strategy"]["matrix"]["stack"] == f"${{{{ fromJSON(needs.validate.outputs.wave{n}) }}}}"
        assert job["strategy"]["max-parallel"] <= 4 and job["strategy"]["fail-fast"] is False
        assert job["environment"] == "production" and "refs/heads/main" in job["if"]
        if n > 1:
            assert f"apply-wave-{n - 1}" in job["needs"] and "!failure()" in job["if"]
        run = " ".join(s.get("run", "") for s in job["steps"])
        assert "for attempt in" in run and "--plan-file" in run
    assert {c[c.index("-o") + 1] for c in iamforge_calls(ORG_WORKFLOW) if c[0] in ("plan", "apply")} == {
        "$OUT/stacks/management", "$OUT/stacks/$STACK"}


def test_organisation_workflow_never_assumes_the_deploy_role_for_a_pull_request() -> None:
    """Member stacks assume the deploy role (an administrator in the member): a pull request's
    run plans only the management stack, with the read-only role."""
    jobs = yaml.safe_load(ORG_WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    on_pr = [j for j in jobs.values() if "pull_request" in str(j.get("if", ""))]
    assert on_pr and all("stacks/management" in " ".join(s.get("run", "") for s in j["steps"]) for j in on_pr)
    for job in on_pr:
        roles = [s["with"]["role-to-assume"] for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")]
        assert roles == ["${{ vars.IAMFORGE_ORG_PLAN_ROLE_ARN }}"]
    assert all("$STACK" not in " ".join(s.get("run", "") for s in j["steps"]) for j in on_pr)
