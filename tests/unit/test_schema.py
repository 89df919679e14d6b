"""`iamforge schema`: valid JSON Schema that agrees with the loader and with docs/spec.md."""
from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.spec.jsonschema import json_schema, markdown_reference
from generator.spec.loader import json_safe


@pytest.fixture(scope="module")
def exported() -> dict:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    return json.loads(result.output)


def test_is_valid_draft_2020_12(exported):
    assert exported["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(exported)


def test_accepts_every_example(exported, examples_dir, repo):
    validator = jsonschema.Draft202012Validator(exported)
    files = sorted(examples_dir.glob("*.yaml")) + [repo / "generator" / "starter.yaml"]
    for path in files:
        errors = list(validator.iter_errors(json_safe(yaml.safe_load(path.read_text()))))
        assert errors == [], (path, [e.message for e in errors])


def test_rejects_unknown_key(exported, examples_dir):
    doc = json_safe(yaml.safe_load((examples_dir / "acme.yaml").read_text()))
    doc["departments"]["engineering"]["roles"]["developer"]["trust"]["requre_mfa"] = True
    errors = list(jsonschema.Draft202012Validator(exported).iter_errors(doc))
    assert errors and "requre_mfa" in errors[0].message


def test_rejects_unquoted_account_id(exported):
    doc = {"version": 1, "account": {"id": 111122223333, "regions": ["us-east-1"]}}
    assert list(jsonschema.Draft202012Validator(exported).iter_errors(doc))


def test_every_field_is_documented(exported):
    def walk(node, path):
        if "properties" in node:
            for name, sub in node["properties"].items():
                assert sub.get("description"), f"{path}.{name} has no description"
                walk(sub, f"{path}.{name}")
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                walk(node[key], path)

    walk(exported, "")


def test_docs_spec_md_is_current(repo):
    """docs/spec.md is generated from the schema; regenerate with `iamforge schema --format markdown`."""
    assert (repo / "docs" / "spec.md").read_text() == markdown_reference()


def test_json_schema_is_deterministic():
    assert json.dumps(json_schema(), sort_keys=True) == json.dumps(json_schema(), sort_keys=True)


def test_the_organisation_schema_accepts_the_example_and_refuses_an_unknown_key(repo):
    """`iamforge schema --kind organization`: the organisation spec's own schema, which the bundled
    example satisfies and which refuses what the loader refuses (an unknown key, an unquoted id)."""
    result = CliRunner().invoke(main, ["schema", "--kind", "organization"])
    assert result.exit_code == 0
    org = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(org)
    example = yaml.safe_load((repo / "examples" / "organization" / "organization.yaml").read_text())
    jsonschema.validate(json_safe(example), org)
    for bad in ({**example, "account": {}}, {**example, "organization": {**example["organization"], "id": 1}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(json_safe(bad), org)
    assert org["$id"].endswith("/organization-v1.json") and "account" not in org["properties"]


def test_docs_organization_spec_md_is_current(repo):
    """Regenerate with `iamforge schema --kind organization --format markdown > docs/organization-spec.md`."""
    result = CliRunner().invoke(main, ["schema", "--kind", "organization", "--format", "markdown"])
    assert result.exit_code == 0
    assert (repo / "docs" / "organization-spec.md").read_text() == result.output
