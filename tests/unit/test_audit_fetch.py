"""Reading the account for adoption: absent is not the same as unreadable."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from generator.audit.fetch import account_extras
from generator.errors import ToolError


class FakeIam:
    def __init__(self, policy_error: str | None) -> None:
        self.policy_error = policy_error

    def list_open_id_connect_providers(self):
        return {"OpenIDConnectProviderList": [{"Arn": "arn:aws:iam::111122223333:oidc-provider/x"}]}

    def get_account_password_policy(self):
        if self.policy_error:
            raise ClientError({"Error": {"Code": self.policy_error, "Message": "no"}}, "GetAccountPasswordPolicy")
        return {"PasswordPolicy": {"MinimumPasswordLength": 14}}

    def list_account_aliases(self):
        return {"AccountAliases": ["acme"]}


def test_extras_read_what_exists():
    assert account_extras(FakeIam(None)) == {
        "oidc_providers": ["arn:aws:iam::111122223333:oidc-provider/x"], "password_policy": True, "aliases": ["acme"]}


def test_absent_password_policy_is_false():
    assert account_extras(FakeIam("NoSuchEntity"))["password_policy"] is False


def test_unreadable_password_policy_is_an_error():
    with pytest.raises(ToolError, match="GetAccountPasswordPolicy"):
        account_extras(FakeIam("AccessDenied"))
