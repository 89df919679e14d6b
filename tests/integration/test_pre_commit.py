"""iamforge's .pre-commit-hooks.yaml through the real pre-commit, in scratch git repositories.

Two ways, both reading the shipped hook definitions (ids, entries, ``files``/``exclude``/``types``,
``pass_filenames``), never a copy of them:

- offline, always: the definitions as ``repo: local`` hooks with ``language: system`` and the entry
  pointed at this venv's ``iamforge``: pre-commit's own file selection and argument passing on
  the shipped patterns, with no environment to install;
- as a user gets them: ``repo:`` a git repository made from the working tree (pyproject.toml,
  setup.py, README.md, generator/, blueprints/ and the hooks file, committed there, so what is
  tested is the working tree, not main's last commit) and ``language: python`` as shipped.
  pre-commit builds the hook's virtualenv with pip, which fetches iamforge's dependencies
  (checkov among them) from the package index: that cannot be done offline from this venv
  (pip cannot turn installed distributions back into wheels), so this test skips, saying so,
  when the index cannot be reached.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
HOOKS_FILE = REPO / ".pre-commit-hooks.yaml"
IAMFORGE = Path(sys.executable).with_name("iamforge")
# What the hook repository needs for `pip install .` (setup.py maps blueprints/ into the package).
SOURCE = ["pyproject.toml", "setup.py", "README.md", ".pre-commit-hooks.yaml", "generator", "blueprints"]

BAD_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
GOOD_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-reports/*"}]}
BAD_SPEC = 'version: 1\naccount:\n  id: "111122223333"\n  regions: [us-east-1]\naccont_alias: typo\n'
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def hooks() -> dict[str, dict]:
    return {h["id"]: h for h in yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def pre_commit(project: Path, home: Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """``pre-commit run --all-files`` in ``project``, its environments kept under ``home``."""
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("SKIP", None)
    git(project, "add", "-A")
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def project_with_good_files(root: Path, repos: list[dict]) -> Path:
    """A repository holding a passing spec and policy, and decoys that would fail if checked."""
    project = root / "project"
    project.mkdir()
    git(project, "init", "-q")
    write(project / ".pre-commit-config.yaml", yaml.safe_dump({"repos": repos}, sort_keys=False))
    write(project / "iam" / "acme.yaml", (REPO / "examples" / "acme.yaml").read_text(encoding="utf-8"))
    write(project / "policies" / "reports.json", json.dumps(GOOD_POLICY, indent=2))
    # Not specs, not policy documents: the default patterns leave them alone.
    write(project / "config" / "settings.yaml", "log_level: debug\n")
    recipe = (REPO / "examples" / "ci" / "iamforge.yml").read_text(encoding="utf-8")
    write(project / ".github" / "workflows" / "iamforge.yml", recipe)
    write(project / "package.json", json.dumps({"name": "app", "version": "1.0.0"}))
    return project


def assert_flags_bad_and_passes_good(project: Path, home: Path, first_timeout: int = 120) -> None:
    run = pre_commit(project, home, timeout=first_timeout)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"iamforge validate\.+Passed", run.stdout), run.stdout
    assert re.search(r"iamforge check-policy\.+Passed", run.stdout), run.stdout

    write(project / "policies" / "admin.json", json.dumps(BAD_POLICY))
    run = pre_commit(project, home)
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(r"iamforge check-policy\.+Failed", run.stdout) and "policies/admin.json" in run.stdout
    assert "PRV-001 error" in run.stdout and "policies/reports.json" not in run.stdout
    assert re.search(r"iamforge validate\.+Passed", run.stdout), run.stdout

    (project / "policies" / "admin.json").unlink()
    write(project / "iamforge-staging.yaml", BAD_SPEC)
    run = pre_commit(project, home)
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(r"iamforge validate\.+Failed", run.stdout), run.stdout
    assert "iamforge-staging.yaml:5:1: SCHEMA-005 error" in run.stdout, run.stdout
    assert "settings.yaml" not in run.stdout and "workflows" not in run.stdout
    assert re.search(r"iamforge check-policy\.+Passed", run.stdout), run.stdout


# -- the shipped definitions ---------------------------------------------------------------------

def test_hooks_file_defines_both_hooks_as_python_hooks_on_filenames() -> None:
    defined = hooks()
    assert set(defined) == {"iamforge-validate", "iamforge-check-policy"}
    for hook_id, command in (("iamforge-validate", "validate"), ("iamforge-check-policy", "check-policy")):
        hook = defined[hook_id]
        assert hook["entry"] == f"iamforge {command}"
        assert hook["language"] == "python" and hook["pass_filenames"] is True


@pytest.mark.parametrize(("path", "spec"), [
    ("iamforge.yaml", True), ("iamforge.yml", True), ("accounts/prod/iamforge-prod.yaml", True),
    ("iam/acme.yaml", True), ("infra/iam/departments/finance.yml", True),
    ("config.yaml", False), ("iamforge.json", False), ("notiam/acme.yaml", False),
    (".github/workflows/iamforge.yml", False), ("docs/iamforge-notes.md", False),
])
def test_validate_selects_specs_by_name_or_folder(path: str, spec: bool) -> None:
    hook = hooks()["iamforge-validate"]
    selected = bool(re.search(hook["files"], path)) and not re.search(hook.get("exclude", "^$"), path)
    assert selected is spec


@pytest.mark.parametrize(("path", "policy"), [
    ("policies/s3-read.json", True), ("iam/policies/trust/ci.json", True),
    ("package.json", False), ("policies/README.md", False), ("mypolicies/x.json", False),
])
def test_check_policy_selects_json_under_policies(path: str, policy: bool) -> None:
    assert bool(re.search(hooks()["iamforge-check-policy"]["files"], path)) is policy


# -- through pre-commit ----------------------------------------------------------------------------

def test_shipped_definitions_as_local_hooks_flag_bad_files_and_pass_good_ones(tmp_path: Path) -> None:
    """Offline: the shipped hooks run by pre-commit with language: system and this venv's iamforge."""
    if not IAMFORGE.exists():
        pytest.skip(f"no iamforge console script beside {sys.executable} (pip install -e .)")
    local = []
    for hook in hooks().values():
        program, *command = hook["entry"].split()
        assert program == "iamforge"
        local.append({**hook, "language": "system", "entry": " ".join([str(IAMFORGE), *command])})
    project = project_with_good_files(tmp_path, [{"repo": "local", "hooks": local}])
    assert_flags_bad_and_passes_good(project, tmp_path / "pre-commit-home")


def _index_unreachable() -> str | None:
    """Why pip could not fetch from its index, or None when it can."""
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/").rstrip("/") + "/"
    try:
        with urllib.request.urlopen(urllib.request.Request(index + "pip/", method="HEAD"), timeout=10):
            return None
    except OSError as exc:
        return f"the package index {index} is unreachable ({exc}): pre-commit's language: python install needs it"


def _lock_as_constraints(target: Path) -> Path:
    """The development lock's pins (``name==version ; marker``, hashes left out) as a pip
    constraints file: the hook's environment gets the tested versions, not whatever is newest."""
    pins = [line.split(" \\")[0] for line in (REPO / "requirements" / "dev.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith((" ", "#"))]
    target.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return target


def test_hooks_installed_by_pre_commit_from_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As a user gets them: pre-commit clones the hook repository, pip-installs iamforge into the
    hook's own virtualenv (language: python), and runs the hooks."""
    reason = _index_unreachable()
    if reason:
        pytest.skip(reason)
    monkeypatch.setenv("PIP_CONSTRAINT", str(_lock_as_constraints(tmp_path / "constraints.txt")))
    hook_repo = tmp_path / "iamforge-hooks"
    hook_repo.mkdir()
    for name in SOURCE:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, hook_repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, hook_repo / name)
    git(hook_repo, "init", "-q")
    git(hook_repo, "add", "-A")
    git(hook_repo, "commit", "-q", "-m", "iamforge working tree")
    rev = git(hook_repo, "rev-parse", "HEAD")
    repos = [{"repo": str(hook_repo), "rev": rev, "hooks": [{"id": hook_id} for hook_id in hooks()]}]
    project = project_with_good_files(tmp_path, repos)
    # The first run builds the environment: iamforge and its dependencies, checkov among them.
    assert_flags_bad_and_passes_good(project, tmp_path / "pre-commit-home", first_timeout=900)
