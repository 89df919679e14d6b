"""Shared pytest options and fixtures."""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
CORPUS = REPO.parent / "shared" / "corpus"

# Exceptions expire, as real ones must (docs/examples/exceptions.yaml on 2027-06-30); the
# examples in examples/ hold none. The tests judge exceptions on this day (the clock_pinned
# fixture), so the suite does not start failing on a date; tests of expiry give dates of their own.
AS_OF = "2026-11-29"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current generator output instead of comparing",
    )


@pytest.fixture(autouse=True, scope="session")
def clock_pinned() -> Iterator[None]:
    """``generator.rules.suppress.today`` answers AS_OF in this process for the whole session
    (a child process reads the real clock: see test_wheel)."""
    from datetime import date

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("generator.rules.suppress.today", lambda: date.fromisoformat(AS_OF))
        yield


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


def example_specs() -> list[Path]:
    """Every bundled example spec (each is a test input with golden output)."""
    return sorted(EXAMPLES.glob("*.yaml"))


@pytest.fixture(scope="session")
def terraform_bin() -> str:
    """The terraform binary, or skip with the reason."""
    path = shutil.which(os.environ.get("IAMFORGE_TERRAFORM_BIN", "terraform"))
    if not path:
        pytest.skip("terraform is not installed (install Terraform >= 1.5 to run these tests)")
    return path


@pytest.fixture(scope="session")
def tf_plugin_dir() -> str | None:
    """Offline provider mirror for `terraform init -plugin-dir`, from IAMFORGE_TF_PLUGIN_DIR."""
    value = os.environ.get("IAMFORGE_TF_PLUGIN_DIR")
    return value or None
