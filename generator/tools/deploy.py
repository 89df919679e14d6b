"""Library verbs behind ``iamforge plan``, ``apply``, ``destroy`` and ``scan``.

They take plain arguments, return results and never print (the CLI prints). Each runs in
a generated root module: ``modules_out/`` by default, or one stack of the stacks layout
(``modules_out/stacks/baseline``, ``modules_out/stacks/<department>``).
"""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import UsageError
from generator.findings import Report
from generator.plan_summary import PlanSummary, summarize_plan
from generator.tools import checkov
from generator.tools.terraform import DEFAULT_PLAN_FILE, ApplyResult, PlanResult, ProgressCallback, TerraformRunner


@dataclass
class PlanOutcome:
    """A saved plan and its IAM summary."""

    plan: PlanResult
    summary: PlanSummary


def output_root(folder: str | Path) -> Path:
    """The generated output ``folder`` belongs to: ``folder`` itself, or (for a stack such as
    ``out/stacks/baseline``) the nearest enclosing folder whose manifest lists files inside it.

    Shown relative to the working directory when found above ``folder``.
    """
    from generator.render.writer import MANIFEST, read_manifest

    folder = Path(folder)
    if (folder / MANIFEST).is_file():
        return folder
    here = folder.absolute()
    for candidate in here.parents:
        if (candidate / MANIFEST).is_file():
            inside = here.relative_to(candidate).as_posix() + "/"
            if any(p.startswith(inside) for p in read_manifest(candidate)):
                return Path(os.path.relpath(candidate))
            break
    return folder


def require_generated(out_dir: str | Path) -> None:
    """Refuse to run on a folder with no Terraform, or whose generated files were edited.

    What is validated is what is deployed: a generated file changed by hand since
    ``iamforge generate`` (per the manifest's hashes) was never validated. A stack folder is
    checked with the whole output it belongs to (its manifest is at the output's top, and the
    baseline stack runs the shared ``modules/``). Folders without a manifest are the user's own
    Terraform and are run as they are.
    """
    from generator.render.writer import edited_files

    folder = Path(out_dir)
    if not folder.is_dir() or not any(folder.glob("*.tf")):
        raise UsageError(f"{folder}: no Terraform here; run `iamforge generate SPEC -o {folder}` first")
    root = output_root(folder)
    edited = edited_files(root)
    if edited:
        shown = ", ".join(edited[:5]) + (f" and {len(edited) - 5} more" if len(edited) > 5 else "")
        layout = "" if root == folder else " --layout stacks"
        raise UsageError(f"{root}: {shown} changed since iamforge generated it (never validated); "
                         f"regenerate with `iamforge generate SPEC -o {root}{layout}`")


def runner(
    out_dir: str | Path,
    *,
    terraform_bin: str = "terraform",
    plugin_dir: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
) -> TerraformRunner:
    """A TerraformRunner for ``out_dir`` (raises ToolError when terraform is missing)."""
    return TerraformRunner(out_dir, terraform_bin=terraform_bin, plugin_dir=plugin_dir, env=env, progress=progress)


def plan(
    out_dir: str | Path,
    *,
    plan_file: str | Path = DEFAULT_PLAN_FILE,
    destroy: bool = False,
    targets: Sequence[str] = (),
    terraform_bin: str = "terraform",
    plugin_dir: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> PlanOutcome:
    """``init`` then ``plan -out`` in ``out_dir``; returns the plan and what it does in IAM terms."""
    require_generated(out_dir)
    tf = runner(out_dir, terraform_bin=terraform_bin, plugin_dir=plugin_dir, env=env)
    tf.init()
    result = tf.plan(plan_file, destroy=destroy, targets=targets)
    return PlanOutcome(plan=result, summary=summarize_plan(result.plan))


def apply(
    out_dir: str | Path,
    *,
    plan_file: str | Path | None = None,
    auto_approve: bool = False,
    targets: Sequence[str] = (),
    terraform_bin: str = "terraform",
    plugin_dir: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
) -> ApplyResult:
    """Apply a reviewed plan file, or (with ``auto_approve``) plan and apply in one go.

    With a plan file the working directory must already be initialised (``iamforge plan``
    did that); otherwise ``init`` runs first.
    """
    require_generated(out_dir)
    tf = runner(out_dir, terraform_bin=terraform_bin, plugin_dir=plugin_dir, env=env, progress=progress)
    if plan_file is None:
        tf.init()
    return tf.apply(plan_file, auto_approve=auto_approve, targets=targets)


def destroy(
    out_dir: str | Path,
    *,
    targets: Sequence[str] = (),
    terraform_bin: str = "terraform",
    plugin_dir: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
) -> ApplyResult:
    """``init`` then ``destroy -auto-approve``. To review first: ``plan(destroy=True)`` then ``apply``."""
    require_generated(out_dir)
    tf = runner(out_dir, terraform_bin=terraform_bin, plugin_dir=plugin_dir, env=env, progress=progress)
    tf.init()
    return tf.destroy(targets=targets)


def scan(out_dir: str | Path, *, skip_checks: Sequence[str] = ()) -> Report:
    """checkov on ``out_dir``, as iamforge findings (failed checks; skipped ones suppressed)."""
    require_generated(out_dir)
    return checkov.scan(out_dir, skip_checks=skip_checks)
