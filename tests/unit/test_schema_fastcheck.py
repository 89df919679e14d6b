"""The compiled schema fast path agrees with cerberus: never more lenient, same normalized document."""
from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any

import pytest

from benchmarks.synthetic import synthetic_yaml
from generator.spec.check import _validator, check
from generator.spec.fastcheck import Miss, compile_rule, fast_check
from generator.spec.loader import parse


def _cerberus(data: Any) -> tuple[bool, Any]:
    v = _validator()
    ok = v.validate(data)
    return ok, v.document if ok else None


def _sources(examples_dir, repo) -> list[tuple[str, str]]:
    files = sorted(examples_dir.glob("*.yaml")) + [repo / "generator" / "starter.yaml"]
    return [(p.name, p.read_text(encoding="utf-8")) for p in files] + [("synthetic-30", synthetic_yaml(30))]


def test_valid_specs_take_the_fast_path_with_cerberus_result(examples_dir, repo):
    for name, text in _sources(examples_dir, repo):
        data = parse(text, name).data
        ok, expected = _cerberus(copy.deepcopy(data))
        assert ok, name
        assert fast_check(copy.deepcopy(data)) == expected, name


def test_fast_path_does_not_change_its_input(examples_dir):
    data = parse((examples_dir / "acme.yaml").read_text(encoding="utf-8"), "acme.yaml").data
    before = copy.deepcopy(data)
    fast_check(data)
    assert data == before


# Values that break one rule or another: wrong types, None, bools for ints, near-miss strings.
_JUNK = [None, True, False, 0, 1, -5, 10**9, 3.5, "", " ", "x", "*", "arn:aws:iam::111122223333:root\n",
         "111122223333", "s3:GetObject", "Allow", "deny", [], [None], ["x"], {}, {"x": 1}, {"unknown": "y"},
         dt.date(2027, 1, 1), "us-east-1", "a" * 1100]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(data: Any, rng: random.Random) -> Any:
    doc = copy.deepcopy(data)
    path = rng.choice(_paths(doc)[1:])
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    action = rng.random()
    if action < 0.2 and isinstance(parent, dict):
        del parent[last]
    elif action < 0.3 and isinstance(parent, dict):
        parent[f"{last}_typo"] = parent[last]
    else:
        parent[last] = copy.deepcopy(rng.choice(_JUNK))
    return doc


@pytest.mark.parametrize("seed", range(4))
def test_mutated_specs_never_pass_fast_when_cerberus_rejects(examples_dir, repo, seed):
    rng = random.Random(seed)
    sources = [parse(text, name).data for name, text in _sources(examples_dir, repo) if "synthetic" not in name]
    fast_hits = rejected = 0
    for _ in range(300):
        doc = _mutate(rng.choice(sources), rng)
        ok, expected = _cerberus(copy.deepcopy(doc))
        try:
            got = fast_check(copy.deepcopy(doc))
        except Miss:
            rejected += not ok
            continue
        fast_hits += 1
        assert ok, doc
        assert got == expected
    # The mutations exercise both sides: some stay valid, many are rejected.
    assert fast_hits > 10 and rejected > 50


def test_the_check_reports_cerberus_findings_for_what_fast_path_misses(examples_dir):
    doc = parse((examples_dir / "minimal.yaml").read_text(encoding="utf-8"), "minimal.yaml")
    doc.data["account"]["regions"] = "us-east-1"
    data, findings = check(doc)
    assert data is None and [f.rule_id for f in findings] == ["SCHEMA-007"]


def test_unknown_cerberus_rule_is_refused_at_compile_time():
    with pytest.raises(ValueError, match="nullable"):
        compile_rule({"type": "string", "nullable": True})
