"""Smoke run of the stacks plan benchmark at a tiny size: it keeps working; nothing here is timed."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks import stacks  # noqa: E402


@pytest.mark.terraform
@pytest.mark.moto
def test_stacks_benchmark_on_twenty_roles() -> None:
    if shutil.which("terraform") is None:
        pytest.skip("terraform absent")
    result = stacks.measure(roles=20, runs=1, roles_per_department=10)
    if result is None:
        pytest.skip("moto_server not available")
    assert result["stacks"] == 3  # the baseline and two departments of 10 roles
    assert 0 < result["slowest_stack_s"] <= result["stacks_s"]
    assert "2 at a time" in stacks.table(result)


def test_table_reads_a_result() -> None:
    text = stacks.table({"roles": 1000, "runs": 3, "parallel": 2, "stacks": 101, "root_s": 40.0, "stacks_s": 90.0,
                         "slowest_stack_s": 4.0, "ratio": 2.25, "roles_per_department": 10})
    assert "| 101 stacks (`--layout stacks`), 2 at a time | 90.00 | 4.00 |" in text
    assert "**2.25**" in text and "departments of 10" in text
