"""The terraform wrapper's argument lists, errors and progress, driven against a fake terraform binary."""
from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from generator.errors import ToolError, UsageError
from generator.tools.terraform import TerraformRunner, count_planned_operations

FAKE = r'''#!{python}
"""Records its argv and environment, then behaves like terraform for the test's scenario."""
import json, os, sys
log = os.environ["FAKE_TF_LOG"]
with open(log, "a") as fh:
    fh.write(json.dumps({{"argv": sys.argv[1:], "automation": os.environ.get("TF_IN_AUTOMATION"),
                         "extra": os.environ.get("EXTRA")}}) + "\n")
cmd = sys.argv[1]
if os.environ.get("FAKE_TF_FAIL") == cmd:
    sys.stderr.write("Error: something broke\n")
    sys.exit(1)
if cmd == "plan":
    out = [a.split("=", 1)[1] for a in sys.argv if a.startswith("-out=")][0]
    open(out, "w").write("plan")
    sys.exit(2)
if cmd == "show":
    print(json.dumps({{"resource_changes": [
        {{"address": "a.x", "mode": "managed", "change": {{"actions": ["create"]}}}},
        {{"address": "a.y", "mode": "managed", "change": {{"actions": ["delete", "create"]}}}},
        {{"address": "data.a.z", "mode": "data", "change": {{"actions": ["read"]}}}}]}}))
if cmd in ("apply", "destroy"):
    if "-auto-approve=true" in sys.argv or cmd == "destroy":
        print("Plan: 1 to add, 0 to change, 1 to destroy.")
    print("a.x: Creating...")
    print("a.x: Creation complete after 0s [id=x]")
    print("a.y: Destruction complete after 0s")
    print("Apply complete! Resources: 1 added, 0 changed, 1 destroyed." if cmd == "apply"
          else "Destroy complete! Resources: 1 destroyed.")
'''


@pytest.fixture
def fake_tf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    binary = tmp_path / "bin" / "terraform"
    binary.parent.mkdir()
    binary.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("FAKE_TF_LOG", str(log))
    monkeypatch.delenv("IAMFORGE_TF_PLUGIN_DIR", raising=False)
    work = tmp_path / "root"
    work.mkdir()
    return binary, log


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_argument_lists_are_terraform_15_compatible(fake_tf: tuple[Path, Path], tmp_path: Path) -> None:
    binary, log = fake_tf
    runner = TerraformRunner(tmp_path / "root", terraform_bin=str(binary), plugin_dir="/mirror", env={"EXTRA": "1"})
    runner.init(backend=False)
    plan = runner.plan(targets=["module.a"])
    runner.apply(plan)
    runner.destroy()
    argvs = [c["argv"] for c in calls(log)]
    init, plan_argv, show, apply, destroy = argvs
    assert init[0] == "init" and "-plugin-dir=/mirror" in init and "-backend=false" in init
    assert plan_argv[0] == "plan" and "-detailed-exitcode" in plan_argv and "-target=module.a" in plan_argv
    assert show == ["show", "-json", "-no-color", str(tmp_path / "root" / "iamforge.tfplan")]
    # python-terraform would pass an empty -var-file, which terraform rejects with a saved plan.
    assert apply[-1] == str(plan.plan_file) and not any(a.startswith("-var-file") for a in apply)
    # python-terraform's destroy passes -force, removed in Terraform 0.15.
    assert "-force" not in destroy and "-auto-approve" in destroy
    for argv in (init, plan_argv, apply, destroy):
        assert "-input=false" in argv and "-no-color" in argv
    assert {c["automation"] for c in calls(log)} == {"1"} and {c["extra"] for c in calls(log)} == {"1"}


def test_progress_counts_complete_lines_against_the_plan(fake_tf: tuple[Path, Path], tmp_path: Path) -> None:
    binary, _ = fake_tf
    seen: list[tuple[int, int, str]] = []
    runner = TerraformRunner(tmp_path / "root", terraform_bin=str(binary), progress=lambda *a: seen.append(a))
    plan = runner.plan()
    assert plan.has_changes and plan.planned_count == 3 == count_planned_operations(plan.plan)
    result = runner.apply(plan)
    assert seen == [(1, 3, "a.x"), (2, 3, "a.y")]
    assert (result.added, result.changed, result.destroyed) == (1, 0, 1)
    seen.clear()
    runner.apply(auto_approve=True)  # total from the "Plan:" line terraform prints first
    assert seen == [(1, 2, "a.x"), (2, 2, "a.y")]
    seen.clear()
    assert runner.destroy().destroyed == 1


def test_failure_raises_tool_error_with_stderr(fake_tf: tuple[Path, Path], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    binary, _ = fake_tf
    monkeypatch.setenv("FAKE_TF_FAIL", "plan")
    runner = TerraformRunner(tmp_path / "root", terraform_bin=str(binary))
    with pytest.raises(ToolError) as err:
        runner.plan()
    assert err.value.exit_code == 3 and err.value.returncode == 1
    assert "something broke" in err.value.stderr


def test_missing_terraform_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="Install Terraform") as err:
        TerraformRunner(tmp_path, terraform_bin=str(tmp_path / "no-such-terraform"))
    assert err.value.exit_code == 3


def test_missing_working_dir_and_plan_file_are_usage_errors(fake_tf: tuple[Path, Path], tmp_path: Path) -> None:
    binary, _ = fake_tf
    with pytest.raises(UsageError, match="iamforge generate"):
        TerraformRunner(tmp_path / "absent", terraform_bin=str(binary))
    runner = TerraformRunner(tmp_path / "root", terraform_bin=str(binary))
    with pytest.raises(UsageError, match="does not exist"):
        runner.apply("nope.tfplan")
    with pytest.raises(UsageError, match="auto-approve"):
        runner.apply()


def test_no_shell_is_involved(fake_tf: tuple[Path, Path], tmp_path: Path) -> None:
    """Arguments reach terraform verbatim: shell metacharacters are not interpreted."""
    binary, log = fake_tf
    runner = TerraformRunner(tmp_path / "root", terraform_bin=str(binary))
    runner.plan(targets=['module.a["x; touch pwned"]'])
    assert '-target=module.a["x; touch pwned"]' in calls(log)[0]["argv"]
    assert not (tmp_path / "root" / "pwned").exists() and not Path("pwned").exists()
    assert os.environ.get("TF_IN_AUTOMATION") is None  # the parent environment is left alone


def test_terraform_options_reach_plan_apply_and_destroy(fake_tf: tuple[Path, Path], tmp_path: Path) -> None:
    from generator.tools.terraform import TerraformOptions

    binary, log = fake_tf
    runner = TerraformRunner(tmp_path / "root", terraform_bin=str(binary))
    opts = TerraformOptions(targets=("module.roles",), variables=("region=eu-west-1", "tags={a=\"b c\"}"),
                            var_files=("extra.tfvars",), lock=False, lock_timeout="30s", parallelism=4)
    plan = runner.plan(options=opts)
    runner.apply(plan, options=TerraformOptions(lock=False, parallelism=2))
    runner.apply(auto_approve=True, options=opts)
    runner.destroy(options=TerraformOptions(lock_timeout="5m"))
    plan_argv, _show, saved, auto, destroy = [c["argv"] for c in calls(log)]
    wanted = ["-target=module.roles", "-var=region=eu-west-1", '-var=tags={a="b c"}', "-var-file=extra.tfvars",
              "-lock=false", "-lock-timeout=30s", "-parallelism=4"]
    assert plan_argv[1:8] == wanted and auto[1:8] == wanted
    assert saved[1:3] == ["-lock=false", "-parallelism=2"] and saved[-1] == str(plan.plan_file)
    assert "-lock-timeout=5m" in destroy


def test_a_saved_plan_cannot_be_retargeted_and_bad_options_are_usage_errors(
        fake_tf: tuple[Path, Path], tmp_path: Path) -> None:
    from generator.tools.terraform import TerraformOptions

    binary, log = fake_tf
    runner = TerraformRunner(tmp_path / "root", terraform_bin=str(binary))
    plan = runner.plan()
    with pytest.raises(UsageError, match="saved plan"):
        runner.apply(plan, options=TerraformOptions(targets=("module.x",)))
    assert [c["argv"][0] for c in calls(log)] == ["plan", "show"]  # nothing applied
    for bad in ({"variables": ("novalue",)}, {"lock_timeout": "soon"}, {"parallelism": 0}):
        with pytest.raises(UsageError):
            TerraformOptions(**bad)


def test_slow_resources_are_reported_while_waiting(fake_tf: tuple[Path, Path], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.tools.terraform import _PythonTerraform

    seen: list[tuple[int, int, str]] = []
    runner = TerraformRunner(tmp_path / "root", terraform_bin=str(fake_tf[0]), progress=lambda *a: seen.append(a))
    lines = ["Plan: 1 to add, 0 to change, 0 to destroy.", "aws_accessanalyzer_analyzer.a: Creating...",
             "aws_accessanalyzer_analyzer.a: Still creating... [10s elapsed]",
             "aws_accessanalyzer_analyzer.a: Creation complete after 12s [id=a]",
             "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."]

    def cmd(self: _PythonTerraform, *args: object, **kwargs: object) -> tuple[int, str, str]:
        for line in lines:
            self.on_line(line)
        return 0, "\n".join(lines), ""

    monkeypatch.setattr(_PythonTerraform, "cmd", cmd)
    assert runner.apply(auto_approve=True).added == 1
    assert seen == [(0, 1, "aws_accessanalyzer_analyzer.a (still creating, 10s)"),
                    (1, 1, "aws_accessanalyzer_analyzer.a")]


def test_cli_passes_terraform_options_through(fake_tf: tuple[Path, Path], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from generator.cli import main
    from generator.tools import deploy
    from tests.conftest import REPO

    summarize = deploy.summarize_plan
    monkeypatch.setattr(deploy, "summarize_plan", lambda plan: summarize({}))  # the fake's plan is not IAM

    binary, log = fake_tf
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["generate", str(REPO / "examples" / "minimal.yaml"), "-o", str(out)]).exit_code == 0
    common = ["-o", str(out), "--terraform-bin", str(binary)]
    result = runner.invoke(main, ["plan", *common, "--no-lock", "--target", "module.roles", "--var", "a=b",
                                  "--parallelism", "3", "--lock-timeout", "20s"])
    assert result.exit_code == 0, result.output
    plan_argv = [c["argv"] for c in calls(log) if c["argv"][0] == "plan"][0]
    assert plan_argv[1:6] == ["-target=module.roles", "-var=a=b", "-lock=false", "-lock-timeout=20s",
                              "-parallelism=3"]
    saved = runner.invoke(main, ["apply", *common, "--plan-file", "iamforge.tfplan", "--target", "module.roles"])
    assert saved.exit_code == 2 and "saved plan" in saved.output
    assert not [c for c in calls(log) if c["argv"][0] == "apply"]
    bad = runner.invoke(main, ["plan", *common, "--var", "no-equals-sign"])
    assert bad.exit_code == 2 and "NAME=VALUE" in bad.output and "Traceback" not in bad.output
    applied = runner.invoke(main, ["apply", *common, "--auto-approve", "--no-lock", "--target", "module.roles"])
    assert applied.exit_code == 0, applied.output
    apply_argv = [c["argv"] for c in calls(log) if c["argv"][0] == "apply"][0]
    assert apply_argv[1:3] == ["-target=module.roles", "-lock=false"]
    # not a terminal: progress is printed as lines a CI log keeps
    assert "apply: 1/" in applied.output
