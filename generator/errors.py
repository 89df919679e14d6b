"""One error hierarchy; cli.py turns each class into its exit code, in one place."""
from __future__ import annotations


class IamforgeError(Exception):
    """Base of every error iamforge raises on purpose."""

    exit_code = 1


class UsageError(IamforgeError):
    """The command line is wrong: missing file, bad option value (exit 2)."""

    exit_code = 2


class SpecError(IamforgeError):
    """The spec cannot be loaded; carries the findings that say why (exit 1)."""

    exit_code = 1

    def __init__(self, findings: list) -> None:  # list[Finding]
        self.findings = findings
        super().__init__("; ".join(f.message for f in findings) or "invalid spec")


class ToolError(IamforgeError):
    """An external tool (terraform, checkov) failed or is missing (exit 3)."""

    exit_code = 3

    def __init__(self, message: str, stderr: str = "", returncode: int | None = None) -> None:
        self.stderr = stderr
        self.returncode = returncode
        super().__init__(message)
