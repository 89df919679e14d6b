"""The one place that drives the terraform (or OpenTofu) CLI, through python-terraform.

Every command is an argument list (never a shell) with ``-input=false -no-color``; a
failure raises :class:`~generator.errors.ToolError` carrying terraform's stderr.

python-terraform 0.10.1 is the client's choice of driver. Its argument builder
(``generate_cmd_string``) and per-command defaults are used as they are; these defects
are worked around here, in :class:`_PythonTerraform`, and nowhere else:

* ``destroy()`` always adds ``-force``, a flag Terraform removed in 0.15: every
  destroy fails with "flag provided but not defined". We pass ``-auto-approve`` instead.
* ``cmd()`` logs failures with ``Logger.warn``, which Python 3.13 removed: any non-zero
  exit (including ``plan -detailed-exitcode`` reporting changes) would raise
  AttributeError there. ``cmd()`` is replaced, so that call never runs.
* ``cmd(synchronous=False)`` pops its option only after building the command line, so
  terraform receives ``-synchronous=false`` and fails; and output is only available after
  the process ends. Our ``cmd()`` streams stdout line by line (for progress) instead.
* Default options always include ``var={}``, which writes an empty temporary
  ``-var-file``: terraform rejects that when applying a saved plan. We pass ``var=None``
  unless variables are given.
* There is no way to add environment variables for one call (only all of ``os.environ``
  or none); ours merges ``env`` over ``os.environ``.
* Every successful call re-reads ``terraform.tfstate`` into ``self.tfstate``; nothing here
  uses it (``terraform show -json`` is the supported interface), so it is skipped.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from python_terraform import IsFlagged, IsNotFlagged, Terraform

from generator.errors import ToolError, UsageError
from generator.findings import Finding, Severity

PLUGIN_DIR_ENV = "IAMFORGE_TF_PLUGIN_DIR"
DEFAULT_PLAN_FILE = "iamforge.tfplan"
INSTALL_HINT = (
    "Install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) and put it on PATH, "
    "or install OpenTofu and pass --terraform-bin tofu."
)

ProgressCallback = Callable[[int, int, str], None]
"""Called as ``progress(done, total, address)`` each time a resource finishes."""

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*=.*", re.S)
_DURATION = re.compile(r"\d+(ms|s|m|h)")


@dataclass(frozen=True)
class TerraformOptions:
    """What a user passes through to terraform's plan, apply and destroy, as terraform takes it.

    ``variables`` are ``NAME=VALUE`` strings, given to terraform as ``-var`` (so a value is read
    as terraform reads it); ``lock=False`` is ``-lock=false``, for a read-only role that may read
    the state but not take its lock. Targets and variables cannot change a saved plan: terraform
    refuses them there, and so does :meth:`flags`.
    """

    targets: tuple[str, ...] = ()
    variables: tuple[str, ...] = ()
    var_files: tuple[str, ...] = ()
    lock: bool = True
    lock_timeout: str | None = None
    parallelism: int | None = None

    def __post_init__(self) -> None:
        bad = [v for v in self.variables if not _VARIABLE.fullmatch(v)]
        if bad:
            raise UsageError(f"-var {bad[0]!r}: give NAME=VALUE")
        if self.lock_timeout is not None and not _DURATION.fullmatch(self.lock_timeout):
            raise UsageError(f"-lock-timeout {self.lock_timeout!r}: give a duration such as 30s or 5m")
        if self.parallelism is not None and not 1 <= self.parallelism <= 256:
            raise UsageError(f"-parallelism {self.parallelism}: give 1 to 256")

    def for_saved_plan(self) -> TerraformOptions:
        """These options for applying the plan they made: targets and variables are in it already."""
        return TerraformOptions(lock=self.lock, lock_timeout=self.lock_timeout, parallelism=self.parallelism)

    def flags(self, saved_plan: bool = False) -> list[str]:
        """The terraform flags, in a stable order."""
        if saved_plan and (self.targets or self.variables or self.var_files):
            raise UsageError("-target, -var and -var-file cannot change a saved plan; pass them to `iamforge plan`")
        out = [f"-target={t}" for t in self.targets]
        out += [f"-var={v}" for v in self.variables] + [f"-var-file={f}" for f in self.var_files]
        if not self.lock:
            out.append("-lock=false")
        if self.lock_timeout:
            out.append(f"-lock-timeout={self.lock_timeout}")
        if self.parallelism is not None:
            out.append(f"-parallelism={self.parallelism}")
        return out

_DONE_LINE = re.compile(r"^(?P<address>\S.*?): (?:Creation|Modifications|Destruction) complete\b")
_STILL_LINE = re.compile(r"^(?P<address>\S.*?): Still (?P<doing>creating|modifying|destroying)\.\.\. \[(?P<elapsed>[^\]]+) elapsed\]")
_PLAN_LINE = re.compile(r"^Plan: (?P<add>\d+) to add, (?P<change>\d+) to change, (?P<destroy>\d+) to destroy\.")
_RESULT_LINE = re.compile(
    r"(?:Apply|Destroy) complete! Resources: "
    r"(?:(?P<add>\d+) added, (?P<change>\d+) changed, )?(?P<destroy>\d+) destroyed\."
)

@dataclass
class PlanResult:
    """A saved plan and what ``terraform show -json`` says about it."""

    plan_file: Path
    plan: dict
    has_changes: bool

    @property
    def planned_count(self) -> int:
        """Resource operations the apply will report (a replacement counts twice)."""
        return count_planned_operations(self.plan)

@dataclass
class ApplyResult:
    """What an apply or destroy did, from terraform's closing line."""

    added: int = 0
    changed: int = 0
    destroyed: int = 0
    stdout: str = field(default="", repr=False)

def count_planned_operations(plan: dict) -> int:
    """Operations ``apply`` will print a "complete" line for: managed resources only."""
    total = 0
    for rc in plan.get("resource_changes", []):
        if rc.get("mode", "managed") != "managed":
            continue
        actions = rc.get("change", {}).get("actions", [])
        total += sum(1 for a in actions if a in ("create", "update", "delete"))
    return total

class _PythonTerraform(Terraform):
    """python-terraform's Terraform with the defects listed in the module docstring fixed."""

    def __init__(self, working_dir: str, terraform_bin: str, env: Mapping[str, str]) -> None:
        super().__init__(working_dir=working_dir, terraform_bin_path=terraform_bin)
        self.extra_env = dict(env)
        self.on_line: Callable[[str], None] | None = None
        self.extra_flags: list[str] = []  # for the next command only (TerraformOptions.flags)

    def read_state_file(self, file_path: str | None = None) -> None:
        """Skip the library's state read: nothing uses it and state files can be large."""
        self.tfstate = None

    def destroy(self, dir_or_plan: str | None = None, force: object = IsNotFlagged, **kwargs: object):
        """Destroy without the removed ``-force`` flag (callers pass ``auto_approve``)."""
        return super().destroy(dir_or_plan, force=IsNotFlagged, **kwargs)

    def cmd(self, cmd: str, *args: str, **kwargs: object) -> tuple[int, str, str]:
        """Run one command from python-terraform's argument list; stream stdout to ``on_line``."""
        for own_option in ("capture_output", "raise_on_error", "synchronous"):
            kwargs.pop(own_option, None)
        argv = self.generate_cmd_string(cmd, *args, **kwargs)
        if self.extra_flags:  # flags go before a positional plan file: right after the command
            at = 1 + len(cmd.split())
            argv[at:at] = self.extra_flags
            self.extra_flags = []
        env = {**os.environ, "TF_IN_AUTOMATION": "1", **self.extra_env}
        try:
            proc = subprocess.Popen(
                argv, cwd=self.working_dir, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
            )
        except FileNotFoundError as exc:
            self.temp_var_files.clean_up()
            raise ToolError(f"{self.terraform_bin_path} not found. {INSTALL_HINT}") from exc
        err_chunks: list[str] = []
        reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)
        reader.start()
        out_lines: list[str] = []
        try:
            for line in proc.stdout:
                out_lines.append(line)
                if self.on_line is not None:
                    self.on_line(line.rstrip("\n"))
        finally:
            proc.stdout.close()
            returncode = proc.wait()
            reader.join()
            self.temp_var_files.clean_up()
        return returncode, "".join(out_lines), "".join(err_chunks)

def _failure_message(command: str, working_dir: Path, stderr: str) -> str:
    """One line for the error: the command, where, and terraform's first "Error:" summaries."""
    errors = [line.strip() for line in stderr.splitlines() if line.strip().startswith("Error:")]
    shown = "; ".join(errors[:3]) + (f" (and {len(errors) - 3} more)" if len(errors) > 3 else "")
    return f"terraform {command} failed in {working_dir}" + (f": {shown}" if shown else "")


def find_terraform(terraform_bin: str = "terraform") -> str:
    """Resolve ``terraform_bin`` (a name on PATH or a path) or raise ToolError with how to install it."""
    path = shutil.which(terraform_bin)
    if path is None:
        raise ToolError(f"{terraform_bin!r} was not found. {INSTALL_HINT}")
    return path

def find_plan_file(working_dir: Path, plan_file: str | Path) -> Path:
    """A plan file relative to the working directory, else to the current one."""
    for candidate in (working_dir / plan_file, Path(plan_file).resolve()):
        if candidate.is_file():
            return candidate
    raise UsageError(f"plan file {working_dir / plan_file} does not exist (run `iamforge plan` first)")


class TerraformRunner:
    """Drives terraform in one working directory (a generated root module).

    Args:
        working_dir: the root module to run in.
        terraform_bin: ``terraform``, ``tofu`` or a path to either.
        plugin_dir: offline provider mirror for ``init -plugin-dir``; defaults to
            ``$IAMFORGE_TF_PLUGIN_DIR``.
        env: extra environment variables for every command (merged over ``os.environ``).
        progress: called as ``progress(done, total, address)`` during apply and destroy.
    """

    def __init__(
        self,
        working_dir: str | Path,
        terraform_bin: str = "terraform",
        plugin_dir: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.working_dir = Path(working_dir).resolve()
        if not self.working_dir.is_dir():
            raise UsageError(f"{self.working_dir} is not a directory (run `iamforge generate` first)")
        self.terraform_bin = find_terraform(terraform_bin)
        if plugin_dir is None:
            plugin_dir = os.environ.get(PLUGIN_DIR_ENV) or None
        self.plugin_dir = Path(plugin_dir) if plugin_dir else None
        self.progress = progress
        self._tf = _PythonTerraform(str(self.working_dir), self.terraform_bin, env or {})

    # -- commands -------------------------------------------------------------------

    def init(self, backend: bool = True, upgrade: bool = False) -> str:
        """``terraform init``; returns its stdout."""
        options: dict[str, object] = {"var": None, "backend": backend}
        if self.plugin_dir is not None:
            options["plugin_dir"] = str(self.plugin_dir)
        if upgrade:
            options["upgrade"] = IsFlagged
        return self._run("init", self._tf.init, **options)[1]

    def validate(self) -> list[Finding]:
        """``terraform validate -json``: errors and warnings as findings (source "terraform")."""
        code, out, err = self._tf.cmd("validate", json=IsFlagged, no_color=IsFlagged)
        try:
            report = json.loads(out)
        except json.JSONDecodeError:
            raise ToolError(f"terraform validate failed in {self.working_dir}", stderr=err, returncode=code) from None
        return [self._diagnostic_finding(d) for d in report.get("diagnostics", [])]

    def plan(
        self,
        plan_file: str | Path = DEFAULT_PLAN_FILE,
        destroy: bool = False,
        targets: Sequence[str] = (),
        variables: Mapping[str, object] | None = None,
        options: TerraformOptions | None = None,
    ) -> PlanResult:
        """``terraform plan -out=FILE -detailed-exitcode`` then ``show -json FILE``.

        ``plan_file`` is relative to the working directory unless absolute.
        """
        plan_path = self.working_dir / plan_file
        kwargs: dict[str, object] = {
            "out": str(plan_path), "var": dict(variables) if variables else None, "target": list(targets),
        }
        if destroy:
            kwargs["destroy"] = IsFlagged
        self._tf.extra_flags = (options or TerraformOptions()).flags()
        code, _, err = self._tf.plan(**kwargs)
        if code not in (0, 2):
            raise ToolError(_failure_message("plan", self.working_dir, err), stderr=err, returncode=code)
        return PlanResult(plan_file=plan_path, plan=self.show_json(plan_path), has_changes=code == 2)

    def show_json(self, plan_file: str | Path) -> dict:
        """``terraform show -json PLAN``: the plan as data."""
        _, out, _ = self._run("show", self._tf.cmd, "show", str(self.working_dir / plan_file), json=IsFlagged,
                              no_color=IsFlagged)
        try:
            return json.loads(out)
        except json.JSONDecodeError as exc:
            raise ToolError(f"terraform show -json printed invalid JSON: {exc}") from exc

    def apply(
        self,
        plan: PlanResult | str | Path | None = None,
        auto_approve: bool = False,
        targets: Sequence[str] = (),
        variables: Mapping[str, object] | None = None,
        options: TerraformOptions | None = None,
    ) -> ApplyResult:
        """Apply a reviewed plan (a PlanResult or a plan file), or plan-and-apply with ``auto_approve``.

        Without either, terraform would wait for a "yes" it can never get (``-input=false``),
        so that is a usage error; the CLI asks for confirmation and then applies a plan file.
        """
        options = options or TerraformOptions()
        if plan is not None:
            flags = options.flags(saved_plan=True)
            path = self._plan_path(plan.plan_file if isinstance(plan, PlanResult) else plan)
            if isinstance(plan, PlanResult):
                total = plan.planned_count
            else:
                # A saved plan's apply prints no "Plan:" line; count from the plan only when
                # someone shows progress (show -json costs a provider start-up).
                total = count_planned_operations(self.show_json(path)) if self.progress else 0
            self._tf.extra_flags = flags
            return self._apply_like("apply", total, self._tf.apply, str(path), var=None, skip_plan=False)
        if not auto_approve:
            raise UsageError("apply needs a reviewed plan file or auto-approve")
        self._tf.extra_flags = options.flags()
        return self._apply_like("apply", 0, self._tf.apply, None, skip_plan=True, target=list(targets),
                                var=dict(variables) if variables else None)

    def _plan_path(self, plan_file: str | Path) -> Path:
        return find_plan_file(self.working_dir, plan_file)

    def destroy(self, targets: Sequence[str] = (), variables: Mapping[str, object] | None = None,
                options: TerraformOptions | None = None) -> ApplyResult:
        """``terraform destroy -auto-approve`` (to review first: ``plan(destroy=True)`` then ``apply``)."""
        self._tf.extra_flags = (options or TerraformOptions()).flags()
        return self._apply_like("destroy", 0, self._tf.destroy, None, auto_approve=IsFlagged, target=list(targets),
                                var=dict(variables) if variables else None)

    def state_addresses(self) -> list[str]:
        """``terraform state list``: every resource address the state holds (empty before apply)."""
        code, out, err = self._tf.cmd("state list")
        if code != 0 and "No state file was found" in err:
            return []
        if code != 0:
            raise ToolError(_failure_message("state list", self.working_dir, err), stderr=err, returncode=code)
        return [line for line in out.splitlines() if line.strip()]

    def version(self) -> str:
        """``terraform version -json``'s version string."""
        _, out, _ = self._run("version", self._tf.cmd, "version", json=IsFlagged)
        return str(json.loads(out).get("terraform_version", ""))

    # -- helpers --------------------------------------------------------------------

    def _run(self, name: str, method: Callable[..., tuple[int, str, str]], *args: object,
             **kwargs: object) -> tuple[int, str, str]:
        code, out, err = method(*args, **kwargs)
        if code != 0:
            raise ToolError(_failure_message(name, self.working_dir, err), stderr=err, returncode=code)
        return code, out, err

    def _apply_like(self, name: str, total: int, method: Callable[..., tuple[int, str, str]],
                    *args: object, **kwargs: object) -> ApplyResult:
        """Run apply/destroy, counting "complete" lines against the planned total."""
        state = {"done": 0, "total": total}

        def on_line(line: str) -> None:
            planned = _PLAN_LINE.match(line)
            if planned and not state["total"]:
                state["total"] = sum(int(n) for n in planned.groups())
            if self.progress is None:
                return
            done = _DONE_LINE.match(line)
            if done:
                state["done"] += 1
                self.progress(state["done"], max(state["total"], state["done"]), done.group("address"))
            still = _STILL_LINE.match(line)
            if still:  # a slow resource (Access Analyzer, a KMS key): say what is being waited for
                self.progress(state["done"], max(state["total"], state["done"]),
                              f"{still.group('address')} (still {still.group('doing')}, {still.group('elapsed')})")

        self._tf.on_line = on_line
        try:
            _, out, _ = self._run(name, method, *args, **kwargs)
        finally:
            self._tf.on_line = None
        result = ApplyResult(stdout=out)
        closing = _RESULT_LINE.search(out)
        if closing:
            result.added = int(closing.group("add") or 0)
            result.changed = int(closing.group("change") or 0)
            result.destroyed = int(closing.group("destroy"))
        return result

    def _diagnostic_finding(self, diag: dict) -> Finding:
        rng = diag.get("range") or {}
        start = rng.get("start") or {}
        detail = diag.get("detail") or ""
        message = diag.get("summary", "") + (f": {detail}" if detail else "")
        return Finding(
            rule_id="TF-VALIDATE",
            severity=Severity.ERROR if diag.get("severity") == "error" else Severity.WARNING,
            message=message,
            file=str(self.working_dir / rng["filename"]) if rng.get("filename") else "",
            line=int(start.get("line", 0)),
            column=int(start.get("column", 0)),
            source="terraform",
        )
