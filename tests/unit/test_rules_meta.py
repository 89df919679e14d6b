"""Meta-tests on the rule set: ids, module names, docs, fixtures, the README table, RETIRED.yaml."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.rules import registry
from generator.rules.base import GRADES, DocumentRule, PrincipalRule
from generator.rules.table import END, START, markdown_table

REPO = Path(__file__).resolve().parents[2]
RULES = registry.all_rules()
IDS = [r.id for r in RULES]
FAMILIES = {"SPEC", "POL", "PRV", "TRU", "TAG", "PB", "PWD", "MFA", "AA", "LOG", "CRED", "ACCT", "ORG", "IDC"}


def test_there_are_rules_in_every_family() -> None:
    assert len(RULES) >= 45
    assert {r.family for r in RULES} == FAMILIES


def test_ids_are_unique_and_well_formed() -> None:
    assert len(IDS) == len(set(IDS))
    for rule_id in IDS:
        assert registry.RULE_ID.match(rule_id), rule_id


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_id_matches_module_name_and_folder(rule) -> None:
    module = registry.module_of(rule.id)
    assert registry.id_for_module(module) == rule.id
    assert module.parent.name == rule.family.lower()


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_metadata_is_complete(rule) -> None:
    assert rule.title and rule.rationale and rule.remediation and rule.references
    assert rule.grade in GRADES
    # account: an account's principals and documents (audit), credentials: its credential report,
    # organization: organisation specs (ORG)
    assert rule.modes <= {"spec", "document", "account"} or rule.modes in ({"credentials"}, {"organization"})
    assert rule.family not in ("CRED",) or rule.modes == {"credentials"}
    assert rule.family not in ("ACCT",) or rule.modes == {"account"}
    if "document" in rule.modes:
        assert rule.family in {"POL", "PRV", "TRU"}, "check-policy runs only POL, PRV and TRU rules"
        assert isinstance(rule, (DocumentRule, PrincipalRule))


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_every_rule_has_its_document(rule) -> None:
    text = registry.doc_path(rule.id).read_text(encoding="utf-8")
    assert text.startswith(f"# {rule.id}\n")
    for section in ("## Rationale", "## Failing spec", "## Passing spec", "## References"):
        assert section in text, f"{rule.id} doc lacks {section}"
    explained = registry.explain(rule.id.lower())
    assert rule.title in explained and "## Failing spec" in explained


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_every_rule_has_fixtures(rule) -> None:
    case = REPO / "tests" / "rules" / rule.id
    assert (case / "expected.yaml").is_file()
    assert {"pass", "fail"} <= {p.stem for p in case.iterdir() if p.suffix in (".yaml", ".json")}


def test_rule_modules_hold_one_rule_each() -> None:
    modules = [registry.module_of(i) for i in IDS]
    assert len(modules) == len(set(modules)) == len(registry.rule_modules())


def test_retired_ids_are_never_live() -> None:
    retired = registry.retired()
    assert not set(retired) & set(IDS)
    for rule_id in retired:
        assert registry.RULE_ID.match(rule_id)


def test_unknown_rule_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        registry.explain("NOPE-999")


def test_readme_rule_table_is_current() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    between = re.search(re.escape(START) + r"\n(.*?)" + re.escape(END), readme, re.S)
    assert between, "README lacks the rules markers"
    assert between.group(1) == markdown_table(), "README rule table is stale: python -m generator.rules.table README.md"


class _ContentOnly:
    """A DocView that lets a rule read only what ``Context.distinct_documents`` groups on."""

    ALLOWED = {"kind", "policy", "document", "text"}

    def __init__(self, doc) -> None:
        self._doc = doc

    def __getattr__(self, name: str):
        if name not in self.ALLOWED:
            raise AssertionError(f"a document rule read DocView.{name}; its results are shared by content")
        return getattr(self._doc, name)


def test_document_rules_read_only_the_content_their_cache_keys_on(examples_dir) -> None:
    from generator.policies import build
    from generator.rules.context import spec_context
    from generator.spec import load_spec

    for path in sorted(examples_dir.glob("*.yaml")):
        spec = load_spec(path)
        ctx = spec_context(spec, build(spec))
        for rule in RULES:
            if isinstance(rule, DocumentRule):
                for doc in ctx.documents:
                    if doc.kind in rule.kinds:
                        list(rule.check_document(_ContentOnly(doc)))


def test_identical_documents_are_checked_once_and_reported_for_each() -> None:
    from generator.rules.context import DocView, document_context

    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    ctx = document_context([("a.json", "identity", doc), ("b.json", "identity", dict(doc))])
    assert ctx.documents[0].policy is ctx.documents[1].policy
    calls = []

    class Counting(DocumentRule):
        id = "POL-999"
        title = rationale = remediation = "x"
        grade = "MED"

        def check_document(self, d: DocView):
            calls.append(d)
            yield "Statement[0].Action", "wildcard"

    rule = Counting.__new__(Counting)
    found = list(DocumentRule.check(rule, ctx))
    assert len(calls) == 1 and sorted(f.file for f in found) == ["a.json", "b.json"]


def test_check_policy_reports_the_same_problem_in_every_file() -> None:
    """Two files with the same problem at the same path are two findings, one per file."""
    from generator.rules.engine import check_documents

    doc = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}  # no Version
    found = check_documents([("a.json", "identity", doc), ("b.json", "identity", dict(doc))])
    assert sorted(f.file for f in found if f.rule_id == "POL-001") == ["a.json", "b.json"]
