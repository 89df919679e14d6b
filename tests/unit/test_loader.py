"""The loader: line marks, duplicate keys, implicit YAML types, limits, encodings."""
from __future__ import annotations

import pytest

from generator.errors import SpecError, UsageError
from generator.spec import load_spec, load_spec_bytes, load_spec_text

BASE = 'version: 1\naccount:\n  id: "111122223333"\n  regions: [us-east-1]\n'


def findings_of(text: str, name: str = "s.yaml") -> list:
    with pytest.raises(SpecError) as info:
        load_spec_text(text, name)
    return info.value.findings


def only(text: str):
    found = findings_of(text)
    assert len(found) == 1, found
    return found[0]


def test_examples_load(examples_dir):
    for path in sorted(examples_dir.glob("*.yaml")):
        spec = load_spec(path)
        assert spec.account.id == "111122223333"


def test_marks_point_at_lines(examples_dir):
    spec = load_spec(examples_dir / "acme.yaml")
    text = (examples_dir / "acme.yaml").read_text().splitlines()
    mark = spec.locate("departments.engineering.roles.developer.trust")
    assert text[mark.line - 1].strip() == "trust:"
    mark = spec.locate("departments.engineering.users[1]")
    assert "bob" in text[mark.line - 1]
    # a path below a leaf falls back to the closest ancestor
    assert spec.locate("departments.finance.roles.analyst.trust.whatever").line == spec.locate(
        "departments.finance.roles.analyst.trust"
    ).line


def test_defaults_fill_minimal(examples_dir):
    spec = load_spec(examples_dir / "minimal.yaml")
    assert spec.password_policy.minimum_length == 14 and spec.password_policy.reuse_prevention == 24
    assert spec.mfa.enforce and spec.access_analyzer.external_access
    ct = spec.cloudtrail
    assert ct.enabled and ct.multi_region and ct.log_file_validation and ct.kms_create and ct.include_global_service_events
    assert ct.bucket_name == "iamforge-cloudtrail-111122223333"


def test_model_resolves_references(examples_dir):
    spec = load_spec(examples_dir / "acme.yaml")
    dev = spec.departments["engineering"].roles["developer"]
    assert dev.name == "engineering-developer" and dev.iam_path == "/engineering/"
    assert dev.boundary == "engineering" and dev.trust.require_mfa
    assert dev.tags["Department"] == "Engineering" and dev.tags["Owner"] == "platform-team@acme.example"
    assert dev.tags["ManagedBy"] == "iamforge"
    assert spec.departments["security"].boundary is None


def test_duplicate_key_names_both_lines():
    f = only(BASE + "mfa:\n  enforce: true\n  enforce: false\n")
    assert f.rule_id == "SCHEMA-002" and f.line == 7
    assert "line 6" in f.message and "line 7" in f.message


@pytest.mark.parametrize(
    "value, words",
    [
        ("011122223333", ["octal", '"011122223333"']),
        ("111122223333", ["number", '"111122223333"']),
    ],
)
def test_unquoted_account_id(value, words):
    f = only(f"version: 1\naccount:\n  id: {value}\n  regions: [us-east-1]\n")
    assert f.rule_id == "SCHEMA-004" and f.line == 3 and f.path == "account.id"
    for w in words:
        assert w in f.message


@pytest.mark.parametrize("value", ["NO", "yes", "on", "off", "2024-01-01", "1.5"])
def test_implicit_types_where_text_expected(value):
    text = BASE + f"departments:\n  eng:\n    tag_value: {value}\n    owner: a@b.c\n"
    f = only(text)
    assert f.rule_id == "SCHEMA-004" and f.line == 7
    assert f'"{value}"' in f.message


def test_quoted_norway_is_fine():
    spec = load_spec_text(BASE + 'departments:\n  eng:\n    tag_value: "NO"\n    owner: a@b.c\n')
    assert spec.departments["eng"].tag_value == "NO"


def test_implicit_bool_key():
    f = only(BASE + "departments:\n  no:\n    tag_value: N\n    owner: a@b.c\n")
    assert f.rule_id == "SCHEMA-004" and f.line == 6


def test_unknown_key_suggests():
    found = findings_of(BASE + "mfa:\n  enforc: true\npasword_policy: {}\n")
    by_path = {f.path: f for f in found}
    assert by_path["mfa.enforc"].rule_id == "SCHEMA-005" and "did you mean 'enforce'" in by_path["mfa.enforc"].message
    assert by_path["mfa.enforc"].line == 6
    assert "did you mean 'password_policy'" in by_path["pasword_policy"].message


def test_unknown_key_deep_in_role():
    text = BASE + (
        "departments:\n  eng:\n    tag_value: E\n    owner: a@b.c\n    roles:\n      dev:\n"
        "        trust:\n          aws_principals: ['arn:aws:iam::111122223333:root']\n          requre_mfa: true\n"
    )
    f = only(text)
    assert f.path == "departments.eng.roles.dev.trust.requre_mfa" and f.line == 13
    assert "require_mfa" in f.message


def test_alias_bomb_is_capped():
    lines = ['a: &a ["l","l","l","l","l","l","l","l","l","l"]']
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    f = only("\n".join(lines) + "\n")
    assert f.rule_id == "SCHEMA-003" and "alias" in f.message


def test_depth_is_capped():
    f = only("a: " + "[" * 200 + "]" * 200 + "\n")
    assert f.rule_id == "SCHEMA-003"


def test_empty_file():
    assert only("").rule_id == "SCHEMA-001"
    assert "empty" in only("# only a comment\n\n").message


def test_binary_and_non_utf8():
    with pytest.raises(SpecError) as info:
        load_spec_bytes(b"version: 1\n\x00\x01\x02", "bin.yaml")
    assert "binary" in info.value.findings[0].message and info.value.findings[0].line == 2
    with pytest.raises(SpecError) as info:
        load_spec_bytes(b"version: 1\naccount: caf\xe9\n", "latin1.yaml")
    f = info.value.findings[0]
    assert "UTF-8" in f.message and f.line == 2


def test_syntax_error_has_line():
    f = only(BASE + "mfa: [\n")
    assert f.rule_id == "SCHEMA-001" and f.line >= 5


def test_multiple_documents_rejected():
    assert "one YAML document" in only(BASE + "---\nversion: 1\n").message


def test_top_level_not_mapping():
    assert only("- a\n- b\n").rule_id == "SCHEMA-001"


def test_missing_file_is_usage_error(tmp_path):
    with pytest.raises(UsageError):
        load_spec(tmp_path / "nope.yaml")


def test_unresolved_boundary_reference():
    text = BASE + (
        "boundaries:\n  eng:\n    allow: [{actions: ['s3:GetObject'], resources: ['*']}]\n"
        "departments:\n  eng:\n    tag_value: E\n    owner: a@b.c\n    boundary: engg\n"
    )
    f = only(text)
    assert f.rule_id == "SCHEMA-008" and f.line == 12 and "did you mean 'eng'" in f.message


def test_role_without_principal():
    text = BASE + "departments:\n  eng:\n    tag_value: E\n    owner: a@b.c\n    roles:\n      r:\n        trust: {}\n"
    f = only(text)
    assert f.rule_id == "SCHEMA-006" and f.path == "departments.eng.roles.r.trust"


def test_required_and_type_errors():
    found = findings_of("version: 2\naccount:\n  regions: us-east-1\n")
    rules = {(f.path, f.rule_id) for f in found}
    assert ("account.id", "SCHEMA-006") in rules
    assert ("version", "SCHEMA-007") in rules
    assert ("account.regions", "SCHEMA-007") in rules


def test_merge_keys_rejected():
    text = BASE + "x: &x {enforce: true}\nmfa:\n  <<: *x\n"
    found = findings_of(text)
    assert any("merge keys" in f.message for f in found)


def test_paths_under_an_alias_can_carry_exceptions(examples_dir):
    """An exception may name a path that exists only through an alias (no SPEC-022)."""
    from datetime import date

    from generator.rules.engine import validate_spec

    text = (examples_dir / "acme.yaml").read_text(encoding="utf-8")
    text = text.replace("      deployer:\n", "      deployer: &dep\n", 1)
    text = text.replace("  finance:\n    tag_value", "      deployer2: *dep\n  finance:\n    tag_value", 1)
    text += ("exceptions:\n  - rule: PRV-005\n    path: departments.engineering.roles.deployer2.permissions\n"
             "    reason: The same deploy role again, for a second pipeline\n    expires: 2027-03-31\n")
    spec = load_spec_text(text, "acme.yaml")
    assert "departments.engineering.roles.deployer2.permissions[0].actions" in spec.marks
    found = validate_spec(spec, today=date(2026, 11, 28))
    assert not [f for f in found if f.rule_id == "SPEC-022"], [f.message for f in found if f.rule_id == "SPEC-022"]
    line = spec.locate("departments.engineering.roles.deployer2.permissions").line
    assert text.splitlines()[line - 1].strip() == "permissions:"  # the anchored definition


def test_alias_paths_are_marked_at_the_anchor():
    from generator.spec.loader import parse

    doc = parse("a: &x\n  b: [1, yes]\n  c: z\nd: *x\n", "s.yaml")
    assert doc.data["d"] == {"b": [1, True], "c": "z"}
    assert doc.mark("d") == (4, 1) and doc.mark("d.b[1]") == (2, 10) and doc.mark("d.c") == (3, 3)
    assert doc.scalars["d.b[1]"].text == "yes"


def test_anchored_keys_and_aliases_as_keys_are_text():
    from generator.spec.loader import parse

    assert parse("&k a: 1\nb: *k\n", "s.yaml").data == {"a": 1, "b": "a"}
    assert parse("a: &k kk\n*k : 2\n", "s.yaml").data == {"a": "kk", "kk": 2}


def test_packed_positions_round_trip_up_to_the_file_size_cap():
    from generator.spec.loader import MAX_BYTES
    from generator.spec.model import pack_position, unpack_position

    for line, column in [(1, 1), (7, 300), (MAX_BYTES, 1), (1, MAX_BYTES - 1), (MAX_BYTES - 1, MAX_BYTES - 1)]:
        assert unpack_position(pack_position(line, column)) == (line, column)


@pytest.mark.parametrize(
    ("line", "column", "said"),
    [
        ("  alias: !!int\n", 10, "cannot read value '': not a valid integer"),
        ("  alias: !!float abc\n", 10, "cannot read value 'abc': not a valid number"),
        ("  alias: !!timestamp 2024-13-45\n", 10, "not a valid date (month must be in 1..12)"),
        ("  alias: !custom x\n", 10, "could not determine a constructor for the tag '!custom'"),
        ("  !!int alias: x\n", 3, "cannot read key 'alias': not a valid integer"),
        ("  !!int : x\n", 3, "cannot read key '': not a valid integer"),
        ("  !custom alias: x\n", 3, "cannot read key 'alias': could not determine a constructor"),
        ("  alias: !!bool maybe\n", 10, "cannot read value 'maybe': not a valid boolean"),
        ("  alias: !!timestamp x\n", 10, "cannot read value 'x': not a valid date"),
    ],
)
def test_scalars_their_tag_cannot_build_are_findings(line, column, said):
    """An explicit tag the text does not fit is a finding at its line, never a traceback (fuzzing
    found `!!int` with no text and tagged keys raising IndexError/ValueError out of the loader)."""
    f = only(BASE + line)
    assert (f.rule_id, f.line, f.column) == ("SCHEMA-007", 5, column) and said in f.message, f
    assert "\n" not in f.message


@pytest.mark.parametrize(("line", "column", "said"), [
    ("  =: x\n", 3, "key '=' is read by YAML as YAML 1.1's default-value key, not as text; quote it: \"=\""),
    ("  alias: =\n", 10, "'=' is read by YAML as YAML 1.1's default-value key, not as text; quote it: \"=\""),
])
def test_yaml_default_value_key_is_a_typing_finding(line, column, said):
    f = only(BASE + line)
    assert (f.rule_id, f.line, f.column, f.message) == ("SCHEMA-004", 5, column, said)


def test_the_loader_keeps_no_nodes_between_files():
    from generator.spec import loader

    for text in (BASE + "  alias: !!int 5\n", BASE + "  alias: !!int\n", BASE + "  !!int 1: x\n"):
        with pytest.raises(SpecError):
            load_spec_text(text, "s.yaml")
        assert not loader._CONSTRUCTOR.constructed_objects and not loader._CONSTRUCTOR.recursive_objects


def test_fast_path_reads_as_the_general_path(examples_dir, monkeypatch):
    """Plain text scalars skip the general path (resolver, tags, anchors); with the fast path
    switched off every example and a synthetic spec give the same data, marks and scalars."""
    from benchmarks.synthetic import synthetic_yaml
    from generator.spec import loader

    texts = [p.read_text(encoding="utf-8") for p in sorted(examples_dir.glob("*.yaml"))]
    texts.append(synthetic_yaml(30))
    texts.append(BASE + "tags:\n  common: {a: &x 'y', \"b\": *x, !!str c: !!str 1, ! d: ! e, f: '', g: ~}\n"
                 "  required: [Owner, Owner]\n")

    def read(text):
        doc = loader.parse(text, "s.yaml")
        return doc.data, doc.marks, doc.scalars

    fast = [read(t) for t in texts]
    monkeypatch.setattr(loader._Builder, "_plain_text", lambda self, event: False)
    assert [read(t) for t in texts] == fast
