"""generate() and render(): headers, every policy emitted verbatim, suppressions, modes."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.policies import PolicyDoc, build
from generator.render import ConflictError, RenderError, generate, render
from generator.render.hcl import Jsonencode, to_hcl
from generator.render.suppressions import SUPPRESSIONS
from generator.render.writer import MANIFEST
from generator.spec import Spec, load_spec
from tests.conftest import REPO, example_specs


@pytest.fixture(scope="module")
def acme() -> Spec:
    return load_spec(REPO / "examples" / "acme.yaml")


@pytest.mark.parametrize("spec_path", example_specs(), ids=lambda p: p.stem)
def test_every_file_says_where_it_came_from(spec_path: Path) -> None:
    files = render(load_spec(spec_path))
    header = f"iamforge from {spec_path.name}. Do not edit"
    for path, text in files.items():
        if path == MANIFEST:
            continue
        first = text.splitlines()[0]
        assert header in first, path
        assert first.startswith("<!--" if path.endswith(".md") else "# "), path
        assert text.endswith("\n") and not text.endswith("\n\n"), path


@pytest.mark.parametrize("spec_path", example_specs(), ids=lambda p: p.stem)
def test_every_policy_document_is_emitted_verbatim(spec_path: Path) -> None:
    """Each document the validator sees appears, as jsonencode of the same dict, in the output."""
    spec = load_spec(spec_path)
    squashed = "".join(re.sub(r"\s+", "", text) for path, text in render(spec).items() if path.endswith(".tf"))
    for doc in build(spec).docs.values():
        assert re.sub(r"\s+", "", to_hcl(Jsonencode(doc.document))) in squashed, doc.key


def test_a_document_without_a_blueprint_is_an_error(acme: Spec, monkeypatch: pytest.MonkeyPatch) -> None:
    real = build(acme)
    extra = PolicyDoc("custom.thing", "identity", "x", "custom", {"Version": "2012-10-17", "Statement": []})
    real.docs["custom.thing"] = extra
    monkeypatch.setattr("generator.render.pipeline.build", lambda spec: real)
    with pytest.raises(RenderError, match="custom.thing"):
        render(acme)


def test_suppressions_md_lists_every_suppression_with_its_reason() -> None:
    table = (REPO / "blueprints" / "SUPPRESSIONS.md").read_text(encoding="utf-8")
    rows = {(m.group(1), m.group(2).strip()) for m in re.finditer(r"^\| (CKV\w+) \|[^|]*\|[^|]*\|([^|]*)\|$", table, re.M)}
    registered = {(s.check_id, s.reason) for group in SUPPRESSIONS.values() for s in group}
    assert registered == rows


@pytest.mark.parametrize("spec_path", example_specs(), ids=lambda p: p.stem)
def test_every_inline_skip_is_registered(spec_path: Path) -> None:
    registered = {(s.check_id, s.reason) for group in SUPPRESSIONS.values() for s in group}
    for path, text in render(load_spec(spec_path)).items():
        for check_id, reason in re.findall(r"# checkov:skip=(\w+):(.*)$", text, re.M):
            assert (check_id, reason) in registered, f"{path}: {check_id}"


def test_trust_of_a_whole_account_without_conditions_is_not_suppressed(acme: Spec) -> None:
    acme.departments["finance"].roles["analyst"].trust.require_mfa = False
    try:
        roles = render(acme)["modules/roles/main.tf"]
    finally:
        acme.departments["finance"].roles["analyst"].trust.require_mfa = True
    assert "checkov:skip=CKV_AWS_61" not in roles
    assert "checkov:skip=CKV_AWS_61" in render(acme)["modules/roles/main.tf"]


def test_check_and_dry_run_write_nothing(acme: Spec, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for mode in ({"check": True}, {"dry_run": True}):
        result = generate(acme, out, **mode)
        assert not out.exists()
        assert not result.written and not result.up_to_date
        assert {d.kind for d in result.differences} == {"add"}
        assert len(result.differences) == len(result.files)


def test_write_then_check_is_up_to_date_and_edits_are_reported(acme: Spec, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = generate(acme, out)
    assert sorted(first.written) == sorted(first.files)
    assert generate(acme, out, check=True).up_to_date
    (out / "modules/roles/main.tf").write_text("# edited\n")
    result = generate(acme, out, check=True)
    assert [str(d) for d in result.differences] == ["differs: modules/roles/main.tf"]
    again = generate(acme, out)
    assert again.written == ["modules/roles/main.tf"]
    assert generate(acme, out, dry_run=True).up_to_date


def test_failed_render_leaves_previous_output_untouched(
    acme: Spec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    generate(acme, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def boom(spec: Spec) -> None:
        raise RuntimeError("template failure")

    monkeypatch.setattr("generator.render.pipeline.access_analyzer_context", boom)
    with pytest.raises(RuntimeError):
        generate(acme, out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_foreign_file_at_a_generated_path_is_refused(acme: Spec, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("mine\n")
    with pytest.raises(ConflictError):
        generate(acme, out)
    assert (out / "README.md").read_text() == "mine\n"
    assert [p.name for p in out.iterdir()] == ["README.md"]


@pytest.mark.parametrize("spec_path", example_specs(), ids=lambda p: p.stem)
def test_for_each_resources_reach_each_other_through_one_map(spec_path: Path) -> None:
    """No instance indexes another for_each resource (``aws_iam_role.this[each.key]``).

    Such a reference makes terraform link every instance to every instance of the other
    resource (N x M graph edges and evaluations), which made plan time quadratic in the
    number of roles; the modules go through a ``local`` map instead (N + M).
    """
    indexed = re.compile(r"\baws_\w+\.this\[")
    for path, text in render(load_spec(spec_path)).items():
        if path.endswith("main.tf") and path.startswith("modules/"):
            code = (line.split("#", 1)[0] for line in text.splitlines())
            hits = [line.strip() for line in code if indexed.search(line)]
            assert not hits, f"{path}: {hits}"


def test_documents_several_roles_hold_are_written_once_and_each_role_still_gets_its_own() -> None:
    """acme's roles share trust policies: the roles module writes each once in ``shared_documents``,
    every role still reaches exactly the documents that were built for it, and no document is
    written twice."""
    import json
    from collections import Counter

    from generator.render.context_iam import Ledger, roles_context
    from generator.render.hcl import Expr

    spec = load_spec(REPO / "examples" / "acme.yaml")
    policies = build(spec)
    ctx = roles_context(spec, Ledger(policies))
    assert ctx is not None and ctx["shared_documents"]
    shared, refs = ctx["shared_documents"], Counter()

    def resolve(value: object) -> dict:
        if isinstance(value, Expr):
            key = re.fullmatch(r'local\.shared_documents\["([^"]+)"\]', value.text).group(1)  # type: ignore[union-attr]
            refs[key] += 1
            return shared[key].value
        assert isinstance(value, Jsonencode)
        return value.value

    for role in spec.roles:
        trust = policies.trust_of(role.name)
        assert trust is not None and resolve(ctx["roles"][role.name]["assume_role_policy"]) == trust.document
        for doc in policies.for_principal("role", role.name):
            assert resolve(ctx["role_policies"][f"{role.name}/{doc.name}"]["policy"]) == doc.document
    assert set(refs) == set(shared) and min(refs.values()) >= 2
    written = [v.value for v in shared.values()]
    written += [e["assume_role_policy"].value for e in ctx["roles"].values() if isinstance(e["assume_role_policy"], Jsonencode)]
    written += [e["policy"].value for e in ctx["role_policies"].values() if isinstance(e["policy"], Jsonencode)]
    texts = [json.dumps(d, sort_keys=True) for d in written]
    assert len(texts) == len(set(texts)), "a document is written twice"
