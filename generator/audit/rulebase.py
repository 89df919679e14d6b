"""Base classes of the account rules: CRED (credential report rows) and ACCT (authorization details).

They run only in the audit (modes ``credentials`` and ``account``); ``validate`` and
``check-policy`` never see them.
"""
from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from generator.findings import Finding
from generator.rules.base import Rule

if TYPE_CHECKING:
    from generator.audit.context import AuditOptions
    from generator.audit.credentials import CredentialRow
    from generator.audit.details import Principal
    from generator.rules.context import Context


class CredentialRule(Rule):
    """A rule on each row of the credential report (the root and every IAM user)."""

    modes: ClassVar[frozenset[str]] = frozenset({"credentials"})

    def check(self, ctx: Context) -> Iterator[Finding]:
        for row in getattr(ctx, "credentials", ()):
            for message in self.check_row(row, ctx.options):  # type: ignore[attr-defined]
                yield self.finding(row.principal, message).with_location(ctx.credentials_file, row.line, 1)  # type: ignore[attr-defined]

    @abstractmethod
    def check_row(self, row: CredentialRow, options: AuditOptions) -> Iterator[str]:
        """Yield one message per problem of ``row``."""


class AccountRule(Rule):
    """A rule on each principal of the authorization details."""

    modes: ClassVar[frozenset[str]] = frozenset({"account"})

    def check(self, ctx: Context) -> Iterator[Finding]:
        details = getattr(ctx, "details", None)
        if details is None:
            return
        for principal in details.principals():
            for message in self.check_principal(principal, ctx.options):  # type: ignore[attr-defined]
                yield self.finding(principal.key, message).with_location(details.source, 0, 0)

    @abstractmethod
    def check_principal(self, principal: Principal, options: AuditOptions) -> Iterator[str]:
        """Yield one message per problem of ``principal``."""


def day(value: object) -> str:
    """``2024-01-31`` for a datetime (the report's dates are UTC)."""
    return value.date().isoformat()  # type: ignore[attr-defined]
