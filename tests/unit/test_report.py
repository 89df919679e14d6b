"""Report formats: text, JSON contract, SARIF 2.1.0, JUnit XML."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from generator.findings import Finding, Severity
from generator.report import render

FINDINGS = [
    Finding("PRV-005", Severity.ERROR, "escalation via iam:PassRole", "departments.eng.roles.dev", "a.yaml", 12, 5),
    Finding("PWD-004", Severity.INFO, "passwords never expire", "password_policy", "a.yaml", 3, 1),
    Finding("TRU-004", Severity.WARNING, "no MFA", "departments.eng.roles.ops.trust", "a.yaml", 20, 9,
            suppressed=True, suppression_reason="break-glass role"),
]


def test_text_lines_and_summary():
    out = render("text", FINDINGS, files=["a.yaml"]).splitlines()
    assert out[0] == "a.yaml:3:1: PWD-004 info: passwords never expire"
    assert out[1] == "a.yaml:12:5: PRV-005 error: escalation via iam:PassRole"
    assert out[2].startswith("a.yaml:20:9: TRU-004 warning: no MFA (suppressed: break-glass role)")
    assert out[-1] == "1 file(s) checked: 1 error(s), 0 warning(s), 1 info, 1 suppressed"


def test_text_colour_only_when_asked():
    assert "\033[" not in render("text", FINDINGS)
    assert "\033[31merror" in render("text", FINDINGS, colour=True)


def test_json_contract():
    doc = json.loads(render("json", FINDINGS))
    assert doc["summary"] == {"error": 1, "warning": 0, "info": 1}
    first = doc["findings"][0]
    for key in ("rule_id", "severity", "message", "path", "file", "line", "column"):
        assert key in first
    assert {f["severity"] for f in doc["findings"]} <= {"error", "warning", "info"}
    suppressed = [f for f in doc["findings"] if f["suppressed"]]
    assert suppressed and suppressed[0]["suppression_reason"] == "break-glass role"


def test_sarif_shape():
    doc = json.loads(render("sarif", FINDINGS, rules_meta={"PRV-005": {"title": "No escalation", "rationale": "why"}}))
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids == sorted(ids) and "PRV-005" in ids
    for res in run["results"]:
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and res["level"] in {"error", "warning", "note"}
    assert any("suppressions" in r for r in run["results"])


def test_sarif_validates_against_schema_subset():
    # The fields GitHub code scanning requires are present and typed.
    doc = json.loads(render("sarif", FINDINGS))
    res = doc["runs"][0]["results"][0]
    assert isinstance(res["message"]["text"], str)
    assert isinstance(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], str)


def test_junit_is_xml_with_failures():
    root = ET.fromstring(render("junit", FINDINGS, files=["a.yaml", "clean.yaml"]))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert suites["a.yaml"].get("failures") == "2" and suites["a.yaml"].get("skipped") == "1"
    assert suites["clean.yaml"].get("failures") == "0"
    assert root.get("failures") == "2"


def test_empty_reports():
    assert json.loads(render("json", []))["findings"] == []
    assert json.loads(render("sarif", []))["runs"][0]["results"] == []
    ET.fromstring(render("junit", [], files=["x.yaml"]))
