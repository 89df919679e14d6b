"""The HCL value renderer: shapes, key quoting, sorting, and `terraform fmt` layout."""
from __future__ import annotations

import os
import subprocess

import pytest

from generator.render.hcl import Expr, Jsonencode, object_key, to_hcl


def test_scalars() -> None:
    assert to_hcl(None) == "null"
    assert to_hcl(True) == "true"
    assert to_hcl(False) == "false"
    assert to_hcl(3600) == "3600"
    assert to_hcl("a${b}") == '"a$${b}"'
    assert to_hcl(Expr("var.x")) == "var.x"
    assert to_hcl([]) == "[]"
    assert to_hcl({}) == "{}"


def test_short_scalar_lists_stay_on_one_line_long_ones_do_not() -> None:
    assert to_hcl(["a", "b"]) == '["a", "b"]'
    long = [f"arn:aws:s3:::bucket-{i}" for i in range(8)]
    lines = to_hcl(long).splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    assert all(line.endswith(",") for line in lines[1:-1])


def test_object_keys_are_sorted_and_quoted_only_when_needed() -> None:
    text = to_hcl({"b": 1, "a": 2, "aws:SourceArn": "x", "for": 1, "cost-center": "y"})
    keys = [line.split("=")[0].strip() for line in text.splitlines()[1:-1]]
    assert keys == ['a', '"aws:SourceArn"', 'b', '"cost-center"', '"for"']  # sorted by the key itself
    assert object_key("Statement") == "Statement"
    assert object_key("null") == '"null"'


def test_alignment_runs_are_broken_by_multiline_values() -> None:
    text = to_hcl({"a": 1, "bbb": {"x": 1}, "cc": 2, "dddd": 3})
    assert text.splitlines() == ["{", "  a = 1", "  bbb = {", "    x = 1", "  }", "  cc   = 2", "  dddd = 3", "}"]


def test_jsonencode_wraps_the_document() -> None:
    text = to_hcl(Jsonencode({"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}), indent=2)
    assert text.startswith("jsonencode({\n")
    assert text.endswith("\n  })")


def test_indent_must_be_even() -> None:
    with pytest.raises(ValueError):
        to_hcl({"a": 1}, indent=3)


def test_unsupported_values_are_errors() -> None:
    with pytest.raises(TypeError):
        to_hcl({1: "x"})
    with pytest.raises(TypeError):
        to_hcl(object())
    with pytest.raises(ValueError):
        to_hcl(float("nan"))


SAMPLE = {
    "name": "engineering-developer",
    "description": 'Quotes " and \\ and ${aws:username}\nand %{ x }',
    "max_session_duration": 14400,
    "empty_list": [],
    "empty_map": {},
    "boundary": None,
    "tags": {"Owner": "a@b.example", "cost-center": "42", "Department": "Engineering"},
    "policy": Jsonencode(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "A",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject"],
                    "Resource": [f"arn:aws:s3:::bucket-{i}/*" for i in range(6)],
                    "Condition": {"StringEquals": {"aws:SourceAccount": ["111122223333"], "s3:x": ["y"]}},
                },
                {"Sid": "B", "Effect": "Deny", "NotAction": ["iam:GetUser"], "Resource": ["*"]},
            ],
        }
    ),
    "nested": [[1, 2], [{"k": "v"}], {"deep": {"deeper": ["x"]}}],
}


@pytest.mark.terraform
def test_output_is_terraform_fmt_clean(terraform_bin: str, tmp_path) -> None:
    source = "locals {\n  sample = " + to_hcl(SAMPLE, indent=2) + "\n}\n"
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull}
    proc = subprocess.run(
        [terraform_bin, "fmt", "-no-color", "-"], input=source, capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == source
