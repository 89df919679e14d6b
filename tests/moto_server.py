"""A local moto_server for the terraform tests: start, wait until ready, point terraform at it, stop.

Test modules import the fixtures (``from moto_server import moto, moto_terraform_env``):
tests/ is on sys.path because tests/conftest.py lives there. Nothing here touches the internet:
the server binds 127.0.0.1 and every AWS SDK call goes to ``AWS_ENDPOINT_URL``.
"""
from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TEST_ACCOUNT_ID = "111122223333"


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MotoServer:
    """One ``moto_server`` process on 127.0.0.1 for one AWS account id."""

    def __init__(self, account_id: str = TEST_ACCOUNT_ID, port: int | None = None, log_dir: Path | None = None) -> None:
        self.account_id = account_id
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = (log_dir or Path(os.environ.get("TMPDIR", "/tmp"))) / f"moto-{self.port}.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> "MotoServer":
        """Start the server (moto.server through tests/moto_gaps.py, which adds the SSO Admin
        operations moto lacks; same interpreter) and wait until it answers."""
        # AWS managed policies (SecurityAudit, ...) exist in moto only when asked for.
        env = {**os.environ, "MOTO_ACCOUNT_ID": self.account_id, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
        with open(self.log_path, "wb") as log:
            self._proc = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("moto_gaps.py")), "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self._proc.returncode}: {self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1) as resp:
                    if resp.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto_server did not answer on {self.url} within {timeout}s")

    def reset(self) -> None:
        """Forget every resource (moto's reset endpoint), so each test starts from an empty account."""
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()

    def stop(self) -> None:
        """Terminate the server (kill it if it ignores SIGTERM for 10 seconds)."""
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def terraform_env(self, region: str = "us-east-1") -> dict[str, str]:
        """Environment that sends the AWS provider (and boto3) to this server with test credentials."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

    def client(self, service: str, region: str = "us-east-1"):  # -> botocore client
        """A boto3 client for this server."""
        import boto3

        return boto3.client(
            service, region_name=region, endpoint_url=self.url,
            aws_access_key_id="testing", aws_secret_access_key="testing", aws_session_token="testing",
        )


def provider_aliases(root: Path) -> list[str | None]:
    """The ``provider "aws"`` configurations of a root module (the product's own reading)."""
    from generator.tools.local_api import provider_aliases as aliases

    return aliases(root)


def write_provider_override(root: Path) -> Path:
    """Write the override that points the AWS provider at moto_server: ``iamforge --local-api``'s own."""
    from generator.tools.local_api import write_override

    return write_override(root)


def moto_available() -> str | None:
    """None when ``moto.server`` can run here, else the reason it cannot."""
    for module in ("moto.server", "flask", "boto3", "hcl2"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            return f"{module} is not installed (pip install 'moto[server]' boto3)"
    return None


@pytest.fixture(scope="session")
def moto_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], MotoServer]]:
    """Get (starting on first use) the session's moto_server for an account id; all stop at teardown."""
    reason = moto_available()
    if reason:
        pytest.skip(reason)
    servers: dict[str, MotoServer] = {}
    log_dir = tmp_path_factory.mktemp("moto")

    def get(account_id: str = TEST_ACCOUNT_ID) -> MotoServer:
        if account_id not in servers:
            servers[account_id] = MotoServer(account_id, log_dir=log_dir).start()
        return servers[account_id]

    try:
        yield get
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture(scope="session")
def moto(moto_servers: Callable[[str], MotoServer]) -> MotoServer:
    """The session's moto_server for account TEST_ACCOUNT_ID; skipped when moto is absent."""
    return moto_servers(TEST_ACCOUNT_ID)


@pytest.fixture
def account(moto: MotoServer, monkeypatch: pytest.MonkeyPatch) -> MotoServer:
    """An empty moto account, with boto3's default chain pointed at it (audit --from-aws, import)."""
    moto.reset()
    for key, value in moto.terraform_env().items():
        monkeypatch.setenv(key, value)
    return moto


@pytest.fixture(scope="session")
def tf_cache_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A session-wide provider cache: each ``init`` links the provider instead of copying ~700 MB."""
    return {"TF_PLUGIN_CACHE_DIR": str(tmp_path_factory.mktemp("tf-plugin-cache"))}


@pytest.fixture
def moto_terraform_env(moto: MotoServer, tf_cache_env: dict[str, str]) -> dict[str, str]:
    """A reset (empty) moto account and the environment that points terraform at it."""
    moto.reset()
    return {**moto.terraform_env(), **tf_cache_env}
