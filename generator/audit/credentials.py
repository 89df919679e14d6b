"""The IAM credential report (``aws iam get-credential-report``, base64-decoded) as data.

AWS writes three special values instead of dates and booleans, and each means something:

* ``N/A``: nothing to report (no password, no key in that slot, a key that was never used);
* ``no_information``: the password was never used, or not since tracking began (Oct 2014);
* ``not_supported``: the field does not apply to the account root (password_enabled, ...).

The parser keeps that meaning instead of turning every special value into "empty".
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from generator.errors import UsageError

ROOT_USER = "<root_account>"
# A credential report row is the account root or one IAM user (any partition, any path).
_USER_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(?:root|user/[^\s]+)\Z")
NA, NO_INFORMATION, NOT_SUPPORTED = "N/A", "no_information", "not_supported"
SPECIAL = frozenset({NA, NO_INFORMATION, NOT_SUPPORTED})
REQUIRED_COLUMNS = ("user", "arn", "user_creation_time", "password_enabled", "password_last_used", "mfa_active",
                    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date")


@dataclass(frozen=True)
class Stamp:
    """A date field: ``when`` is set for a date, ``special`` for N/A, no_information or not_supported."""

    when: datetime | None = None
    special: str = ""

    @property
    def known(self) -> bool:
        return self.when is not None


@dataclass(frozen=True)
class AccessKey:
    """One access key slot (1 or 2) that holds a key, active or not."""

    slot: int
    active: bool
    last_rotated: Stamp
    last_used: Stamp  # special N/A: the key was never used

    @property
    def never_used(self) -> bool:
        return self.last_used.when is None


@dataclass(frozen=True)
class CredentialRow:
    """One line of the report: the account root or an IAM user."""

    user: str
    arn: str
    line: int  # 1-based line in the CSV (the header is line 1)
    created: Stamp
    password_enabled: bool | None  # None: not_supported (the root)
    password_last_used: Stamp
    mfa_active: bool
    keys: tuple[AccessKey, ...]

    @property
    def is_root(self) -> bool:
        return self.user == ROOT_USER

    @property
    def active_keys(self) -> tuple[AccessKey, ...]:
        return tuple(k for k in self.keys if k.active)

    @property
    def principal(self) -> str:
        """The finding path of this row: ``root`` or ``user/<name>``."""
        return "root" if self.is_root else f"user/{self.user}"


def parse_stamp(value: str) -> Stamp:
    """An ISO 8601 date of the report (``2024-01-31T10:00:00+00:00``) or one of the special values.

    Raises:
        UsageError: when ``value`` is neither.
    """
    value = (value or "").strip()
    if value in SPECIAL or not value:
        return Stamp(special=value or NA)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"{value!r} is neither a date nor N/A, no_information, not_supported") from exc
    return Stamp(when=when if when.tzinfo else when.replace(tzinfo=timezone.utc))


def _flag(value: str | None, field: str) -> bool | None:
    value = (value or "").strip().lower()
    if value in ("true", "false"):
        return value == "true"
    if value in (NOT_SUPPORTED, NA.lower(), NO_INFORMATION, ""):
        return None
    raise UsageError(f"{field} is {value!r}, expected true or false")


def _stamp(record: dict, field: str) -> Stamp:
    try:
        return parse_stamp(record.get(field) or NA)
    except UsageError as exc:
        raise UsageError(f"{field}: {exc}") from None


def _key(row: dict, slot: int) -> AccessKey | None:
    rotated = _stamp(row, f"access_key_{slot}_last_rotated")
    active = bool(_flag(row.get(f"access_key_{slot}_active") or "false", f"access_key_{slot}_active"))
    if not active and not rotated.known:
        return None  # empty slot
    return AccessKey(slot, active, rotated, _stamp(row, f"access_key_{slot}_last_used_date"))


def _row(record: dict, line: int) -> CredentialRow:
    keys = tuple(k for k in (_key(record, 1), _key(record, 2)) if k is not None)
    return CredentialRow(
        user=record.get("user") or "", arn=record.get("arn") or "", line=line,
        created=_stamp(record, "user_creation_time"),
        password_enabled=_flag(record.get("password_enabled"), "password_enabled"),
        password_last_used=_stamp(record, "password_last_used"),
        mfa_active=bool(_flag(record.get("mfa_active"), "mfa_active")), keys=keys,
    )


def parse_credential_report(text: str, source: str = "credential report") -> list[CredentialRow]:
    """Parse the CSV text of a credential report.

    Args:
        text: the CSV, header first.
        source: the file name (or ``aws credential report``) that every error message starts with.

    Raises:
        UsageError: when the header lacks a required column or a value cannot be read; the message
            names ``source`` and the line.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise UsageError(f"{source}: file is empty, expected a credential report CSV")
    reader = csv.DictReader(io.StringIO(text))
    try:
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise UsageError(f"{source}: not a credential report: missing column(s) {', '.join(missing)}")
        rows = []
        seen: dict[str, int] = {}
        for record in reader:
            line = reader.line_num
            if None in record or None in record.values():
                # DictReader pads a short row with None and files a long row's extra fields under None:
                # either way the columns no longer line up, and a missing date would read as N/A.
                got = sum(v is not None for k, v in record.items() if k is not None) + len(record.get(None) or [])
                raise UsageError(f"{source}:{line}: {got} field(s), the header has {len(reader.fieldnames or [])}: "
                                 "a short or malformed row (a truncated or hand-edited report?)")
            user = (record.get("user") or "").strip()
            if not user:
                raise UsageError(f"{source}:{line}: the user column is empty")
            arn = record.get("arn") or ""
            if not _USER_ARN.match(arn):
                raise UsageError(f"{source}:{line}: arn {arn!r} is not the ARN of an IAM user or the account root")
            if arn in seen:
                raise UsageError(f"{source}:{line}: user {user!r} ({arn}) appears twice, first at line {seen[arn]}: "
                                 "a report has one row per user (two reports joined?)")
            seen[arn] = line
            try:
                rows.append(_row(record, line))
            except UsageError as exc:
                raise UsageError(f"{source}:{line}: {exc}") from None
    except csv.Error as exc:  # a field over csv's size limit, a stray quote in strict mode, ...
        raise UsageError(f"{source}:{max(reader.line_num, 1)}: not a readable CSV: {exc}") from None
    return rows


def days_between(earlier: datetime, later: datetime) -> int:
    """Whole days from ``earlier`` to ``later``."""
    return (later - earlier).days
