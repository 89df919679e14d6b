"""Fixtures of the semantic tests: the policy engine, and each spec applied once to moto_server.

tests/semantic is a package (``__init__.py``) so that this file is imported as
``semantic.conftest``: a second top-level ``conftest`` module would replace tests/conftest.py in
``sys.modules`` and break the test modules that ``from conftest import ...``.
"""
from __future__ import annotations

import fcntl
import glob
import json
import os
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from moto_server import moto_available, tf_cache_env  # noqa: F401 (fixture)

from . import engine as engine_module
from .deployed import Deployment, deploy

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


@pytest.fixture(scope="session")
def engine() -> Callable:
    """``simulate(requests) -> results``, with node_modules installed from the lock (once per machine)."""
    reason = engine_module.node_unavailable()
    if reason:
        pytest.skip(reason)
    engine_module.ensure_installed()
    return engine_module.simulate


def _plugin_dir() -> str | None:
    """IAMFORGE_TF_PLUGIN_DIR, else the offline provider mirror found as .ci/run finds it."""
    value = os.environ.get("IAMFORGE_TF_PLUGIN_DIR")
    if value:
        return value
    for found in sorted(glob.glob("/*/registry.terraform.io") + glob.glob("/*/*/registry.terraform.io")):
        if os.path.isdir(found):
            return os.path.dirname(found)
    return None


def _shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every pytest-xdist worker of this run shares (the run's temp root), else this session's."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def deployments(tmp_path_factory: pytest.TempPathFactory, terraform_bin: str,
                tf_cache_env: dict[str, str]) -> Iterator[Callable[[Path], Deployment]]:  # noqa: F811
    """Get the Deployment of a spec, applying it to its own moto_server on first use.

    One apply per spec per test run: the first process to ask (under a file lock) applies and writes
    the model as JSON into the run's shared temp folder; other xdist workers read it. A failed apply
    is recorded too, so the other workers fail with its message instead of applying again.
    """
    reason = moto_available()
    if reason:
        pytest.skip(reason)
    shared = _shared_dir(tmp_path_factory)
    cache: dict[Path, Deployment] = {}

    def get(spec_path: Path) -> Deployment:
        spec_path = Path(spec_path).resolve()
        if spec_path in cache:
            return cache[spec_path]
        stem = f"semantic-{spec_path.parent.name}-{spec_path.stem}"
        result_file = shared / f"{stem}.json"
        with open(shared / f"{stem}.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not result_file.exists():
                    try:
                        model = deploy(spec_path, tmp_path_factory.mktemp(stem), terraform_bin=terraform_bin,
                                       plugin_dir=_plugin_dir(), extra_env=tf_cache_env)
                        payload = {"model": model}
                    except Exception:
                        payload = {"error": traceback.format_exc()}
                    result_file.write_text(json.dumps(payload), encoding="utf-8")
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        payload = json.loads(result_file.read_text(encoding="utf-8"))
        if "error" in payload:
            pytest.fail(f"deploying {spec_path} to moto_server failed:\n{payload['error']}", pytrace=False)
        cache[spec_path] = Deployment(payload["model"])
        return cache[spec_path]

    yield get
