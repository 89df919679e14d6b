"""Import an existing account into a draft v1 spec (``iamforge import``).

:func:`import_spec` returns the YAML text; it is checked with the spec loader before it is
returned, so a draft that iamforge itself cannot read is a defect, never an output.
"""
from __future__ import annotations

from typing import Any

from generator.audit.details import AccountDetails
from generator.importer.draft import Draft, draft_spec
from generator.importer.emit import render_yaml
from generator.importer.trust import WARNING

__all__ = ["WARNING", "Draft", "draft_spec", "import_spec", "render_yaml"]


def import_spec(details: AccountDetails | None, department_tag: str = "Department",
                regions: tuple[str, ...] = ("us-east-1",), alias: str | None = None, name: str = "spec.yaml",
                permission_sets: list | None = None) -> str:
    """The draft spec text for ``details``; ``permission_sets`` (IAM Identity Center's records)
    become roles with ``permission_set: true``. Without details, the draft is of the account the
    permission sets are assigned in most.

    Raises:
        SpecError: when the draft does not load (an importer defect, reported with findings).
    """
    from collections import Counter

    from generator.spec import load_spec_text

    if details is None:
        counts = Counter(a for r in permission_sets or [] for a in r.accounts())
        account = counts.most_common(1)[0][0] if counts else ""
        details = AccountDetails(account, {}, {}, {}, {}, "identity-center")
    text = render_yaml(draft_spec(details, department_tag, tuple(regions), alias, permission_sets),
                       details.source or "an account")
    load_spec_text(text, name)
    return text


def import_from_aws(session: Any = None, department_tag: str = "Department",
                    regions: tuple[str, ...] = ("us-east-1",), permission_sets: list | None = None) -> str:
    """Fetch the authorization details (and the account alias) through boto3, then :func:`import_spec`."""
    from generator.audit.details import parse_details
    from generator.audit.fetch import account_extras, authorization_details, iam_client

    iam = iam_client(session)
    details = parse_details(authorization_details(iam), "aws")
    details.source = f"aws:{details.account_id or 'account'}"
    aliases = account_extras(iam)["aliases"]
    return import_spec(details, department_tag, regions, aliases[0] if aliases else None,
                       permission_sets=permission_sets)
