"""check-policy reports element types IAM rejects instead of silently dropping them."""
from __future__ import annotations

import json

import pytest

from generator.rules.engine import check_documents


def pol002(statement: dict, kind: str = "identity") -> list[str]:
    doc = {"Version": "2012-10-17", "Statement": [statement]}
    return [f.path for f in check_documents([("p.json", kind, doc)]) if f.rule_id == "POL-002"]


@pytest.mark.parametrize("statement, path", [
    ({"Effect": "Allow", "Action": 5, "Resource": "*"}, "Statement[0].Action"),
    ({"Effect": "Allow", "Action": ["iam:*", None], "Resource": "*"}, "Statement[0].Action"),
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": 5}, "Statement[0].Resource"),
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Extra": 1}, "Statement[0].Extra"),
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": "x"}, "Statement[0].Condition"),
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": "x"}},
     "Statement[0].Condition"),
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Sid": 3}, "Statement[0].Sid"),
])
def test_wrong_types_are_errors(statement, path):
    assert path in pol002(statement)


def test_wrong_principal_type_in_trust():
    assert "Statement[0].Principal" in pol002({"Effect": "Allow", "Principal": 5, "Action": "sts:AssumeRole"}, "trust")
    assert "Statement[0].Principal" in pol002({"Effect": "Allow", "Principal": {"Users": "x"}, "Action": "sts:AssumeRole"}, "trust")


def test_well_typed_statements_pass():
    assert pol002({"Sid": "A1", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*",
                   "Condition": {"Bool": {"aws:SecureTransport": True}, "NumericLessThan": {"s3:max-keys": [10]}}}) == []
    assert pol002({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]},
                   "Action": "sts:AssumeRole"}, "trust") == []


def test_statement_not_a_list(tmp_path):
    found = check_documents([("p.json", "identity", json.loads('{"Version": "2012-10-17", "Statement": 5}'))])
    assert [f.path for f in found if f.rule_id == "POL-002"] == ["Statement"]


@pytest.mark.parametrize("document, kind", [([], "an array"), ("x", "a string"), (None, "null"), (3, "a number"),
                                            (True, "a boolean")])
def test_a_document_that_is_not_an_object_says_what_it_is(document, kind):
    messages = [f.message for f in check_documents([("p.json", "identity", document)]) if f.rule_id == "POL-002"]
    assert messages == [f"the policy must be a JSON object with a Statement, not {kind}"]
