"""`generate --layout stacks` for every example: terraform fmt and validate per stack, checkov, and acme
applied stack by stack against moto_server (the baseline, then the departments two at a time;
destroyed in reverse).

The default layout's tests (test_generate.py, test_moto_examples.py) hold for the stacks too:
the same moto gaps are handled the same way, with the same helpers.
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from moto_server import moto_servers, tf_cache_env, write_provider_override  # noqa: F401 (fixtures)
from test_generate import assert_checkov_clean, assert_fmt_clean, assert_valid, terraform_init
from test_moto_examples import apply_targets, check_deployed, check_nothing_left, user_boundary_gap

from generator.errors import ToolError
from generator.render import generate
from generator.spec import load_spec
from generator.tools import deploy
from generator.tools.terraform import TerraformRunner
from tests.conftest import EXAMPLES, example_specs

NAMES = [p.stem for p in example_specs()]


def stack_folders(out: Path) -> list[Path]:
    """Every stack of an output, in apply order: the baseline, then the departments (from stacks.json)."""
    index = json.loads((out / "stacks.json").read_text(encoding="utf-8"))
    return [out / index["baseline"]] + [out / "stacks" / d for d in index["departments"]]


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each example generated once in the stacks layout."""
    base = tmp_path_factory.mktemp("stacks")
    out = {}
    for spec_path in example_specs():
        generate(load_spec(spec_path), base / spec_path.stem, layout="stacks")
        out[spec_path.stem] = base / spec_path.stem
    return out


@pytest.mark.terraform
def test_terraform_fmt_clean(stacks: dict[str, Path], terraform_bin: str) -> None:
    for folder in stacks.values():
        assert_fmt_clean(folder, terraform_bin)


@pytest.mark.terraform
@pytest.mark.parametrize("example", NAMES)
def test_terraform_validate_every_stack(example: str, stacks: dict[str, Path], terraform_bin: str,
                                        tf_plugin_dir: str | None, tf_cache_env: dict[str, str]) -> None:
    for folder in stack_folders(stacks[example]):
        terraform_init(folder, terraform_bin, tf_plugin_dir, tf_cache_env)  # the cache links the provider
        assert_valid(folder, terraform_bin)


@pytest.mark.checkov
@pytest.mark.parametrize("example", NAMES)
def test_checkov_reports_no_failed_checks(example: str, stacks: dict[str, Path]) -> None:
    assert_checkov_clean(stacks[example])


@pytest.mark.terraform
@pytest.mark.moto
def test_acme_stacks_apply_in_order_converge_and_destroy(
    tmp_path: Path, terraform_bin: str, tf_plugin_dir: str | None, moto_servers, tf_cache_env: dict[str, str],
) -> None:
    """acme has GitHub trust, users, boundaries and a department without a boundary: every kind of wiring."""
    spec = load_spec(EXAMPLES / "acme.yaml")
    server = moto_servers(spec.account.id)
    server.reset()
    out = tmp_path / "acme"
    generate(spec, out, layout="stacks")
    env = {**server.terraform_env(spec.account.home_region), **tf_cache_env}

    runners = []
    for folder in stack_folders(out):
        write_provider_override(folder)
        runners.append(TerraformRunner(folder, terraform_bin=terraform_bin, plugin_dir=tf_plugin_dir, env=env))
        runners[-1].init()
    baseline, departments = runners[0], runners[1:]

    with pytest.raises(ToolError) as early:
        departments[0].plan("early.tfplan")
    assert "iamforge-boundary-engineering" in early.value.stderr, "a department plans only once the baseline exists"

    targets = apply_targets(baseline.working_dir)
    assert "aws_iam_openid_connect_provider.github" in targets
    baseline.apply(auto_approve=True, targets=targets)
    assert not baseline.plan(targets=targets).has_changes
    # The departments depend on the baseline only: two at a time, as the CI matrix runs them.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda tf: tf.apply(auto_approve=True), departments))
        # Re-planned the way `iamforge plan -o DIR/stacks/<department>` does: the stack is checked
        # against the manifest of the output it belongs to, then initialised and planned.
        opts = {"terraform_bin": terraform_bin, "plugin_dir": tf_plugin_dir, "env": env}
        replans = pool.map(lambda tf: deploy.plan(tf.working_dir, plan_file="replan.tfplan", **opts), departments)
        for tf, replan in zip(departments, replans):
            changed = user_boundary_gap(spec, replan.plan.plan)
            assert not changed, f"{tf.working_dir.name}: perpetual diff in {changed}"
        check_deployed(spec, server)
        list(pool.map(lambda tf: tf.destroy(), departments))
    for tf in departments:
        assert tf.state_addresses() == []
    baseline.destroy(targets=targets)
    assert baseline.state_addresses() == []
    check_nothing_left(spec, server)
