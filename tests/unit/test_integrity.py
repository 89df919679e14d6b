"""What terraform would read from a generated output is what iamforge generated (issue: hand
edits by line ending, override files, extra files, an edited or missing manifest, a saved plan
made from edited files, symbolic links, crashes mid-swap)."""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from generator import api
from generator.errors import UsageError
from generator.render.writer import MANIFEST, commit, plan, recover, sha256, staging_folders
from generator.tools.deploy import require_generated

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BACKEND = 'terraform {\n  backend "s3" {\n    bucket = "state"\n    key    = "iam"\n  }\n}\n'


@pytest.fixture()
def out(tmp_path: Path) -> Path:
    target = tmp_path / "out"
    outcome = api.generate(EXAMPLES / "acme.yaml", target)
    assert outcome.written
    return target


def refused(out: Path, match: str, **kwargs) -> None:
    with pytest.raises(UsageError, match=match):
        require_generated(out, **kwargs)


def test_the_generated_folder_passes_and_a_backend_of_ones_own_beside_it(out: Path) -> None:
    require_generated(out)
    (out / "backend.tf").write_text(BACKEND)
    require_generated(out)
    require_generated(out, expected=api.expected_output(EXAMPLES / "acme.yaml", out))


def test_line_feeds_turned_into_bare_carriage_returns_are_an_edit(out: Path) -> None:
    """Text reading folds a bare CR into a line end; terraform reads the next lines as a comment."""
    main = out / "modules" / "departments" / "main.tf"
    main.write_bytes(main.read_bytes().replace(b"\n", b"\r"))
    refused(out, "modules/departments/main.tf changed since iamforge generated it")


@pytest.mark.parametrize("name, text", [
    ("roles_override.tf", 'resource "aws_iam_role" "this" {\n  permissions_boundary = null\n}\n'),
    ("modules/roles/override.tf", "locals {}\n"),
    ("extra.tf", 'resource "aws_iam_user" "ghost" {\n  name = "ghost"\n}\n'),
    ("modules/mfa/extra.tf.json", '{"locals": {}}'),
    ("backend.tf", BACKEND + 'resource "aws_iam_user" "ghost" {\n  name = "ghost"\n}\n'),
    ("backend.tf", BACKEND.replace("\n", "\r")),
    ("terraform.tfvars", 'region = "ap-south-1"\n'),  # loaded by terraform with no option
    ("prod.auto.tfvars.json", '{"region": "ap-south-1"}'),
])
def test_terraform_files_iamforge_did_not_write_are_refused(out: Path, name: str, text: str) -> None:
    (out / name).write_text(text, newline="")
    refused(out, Path(name).name)
    # generate --check reports them too
    outcome = api.generate(EXAMPLES / "acme.yaml", out, check=True)
    assert any(d.kind == "foreign" and Path(name).name in d.path for d in outcome.result.differences)


def test_a_missing_manifest_is_refused(out: Path) -> None:
    (out / MANIFEST).unlink()
    refused(out, "manifest is missing")


def test_an_edited_manifest_cannot_vouch_for_an_edited_file_when_the_spec_is_given(out: Path) -> None:
    main = out / "modules" / "roles" / "main.tf"
    main.write_text(main.read_text().replace('"true"', '"false"'))
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"]["modules/roles/main.tf"] = sha256(main.read_text())
    (out / MANIFEST).write_text(json.dumps(manifest))
    require_generated(out)  # the manifest alone is fooled: that is what --spec is for
    refused(out, "modules/roles/main.tf is not what the spec generates",
            expected=api.expected_output(EXAMPLES / "acme.yaml", out))


def _plan_file(path: Path, out: Path, replace: dict[str, bytes] | None = None, omit: set[str] = frozenset()) -> Path:
    """A plan file as terraform writes it: the configuration snapshot under tfconfig/ (without
    the files in ``omit``)."""
    replace = replace or {}
    dirs = [{"Key": "", "Dir": "."}] + [{"Key": d.name, "Source": f"./modules/{d.name}", "Dir": f"modules/{d.name}"}
                                        for d in sorted((out / "modules").iterdir())]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tfplan", b"")
        archive.writestr("tfconfig/modules.json", json.dumps(dirs))
        for entry in dirs:
            folder = out / entry["Dir"]
            for tf in sorted(folder.glob("*.tf")):
                rel = tf.relative_to(out).as_posix()
                if rel in omit:
                    continue
                archive.writestr(f"tfconfig/m-{entry['Key']}/{tf.name}", replace.get(rel, tf.read_bytes()))
    return path


def test_a_saved_plan_made_from_edited_files_is_refused_after_they_are_put_back(out: Path, tmp_path: Path) -> None:
    good = _plan_file(tmp_path / "good.tfplan", out)
    require_generated(out, plan_file=good)
    roles = out / "modules" / "roles" / "main.tf"
    bad = _plan_file(tmp_path / "bad.tfplan", out,
                     {"modules/roles/main.tf": roles.read_bytes().replace(b'"true"', b'"false"')})
    refused(out, "modules/roles/main.tf: the plan was made from a version iamforge did not generate", plan_file=bad)
    with zipfile.ZipFile(tmp_path / "extra.tfplan", "w") as archive:
        archive.writestr("tfconfig/modules.json", json.dumps([{"Key": "", "Dir": "."}]))
        archive.writestr("tfconfig/m-/zz_override.tf", b"locals {}\n")
    refused(out, "zz_override.tf: an override file", plan_file=tmp_path / "extra.tfplan")
    (tmp_path / "junk.tfplan").write_bytes(b"not a zip")
    refused(out, "not a terraform plan file", plan_file=tmp_path / "junk.tfplan")


@pytest.mark.parametrize("left_out", ["main.tf", "modules/mfa/main.tf"])
def test_a_saved_plan_that_leaves_out_a_generated_file_is_refused(out: Path, tmp_path: Path, left_out: str) -> None:
    """Planned without a module's main.tf, terraform would destroy what that file declares."""
    partial = _plan_file(tmp_path / "partial.tfplan", out, omit={left_out})
    refused(out, f"{left_out}: generated, but missing from the plan's configuration", plan_file=partial)


def test_no_write_or_removal_goes_through_a_symbolic_link(out: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    modules = out / "modules" / "mfa"
    for f in modules.iterdir():
        (elsewhere / f.name).write_text("theirs\n")
    import shutil

    shutil.rmtree(modules)
    modules.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(UsageError, match="refusing to overwrite"):
        api.generate(EXAMPLES / "acme.yaml", out)
    assert all(f.read_text() == "theirs\n" for f in elsewhere.iterdir())
    refused(out, "modules/mfa/main.tf changed since iamforge generated it")


def test_a_stale_file_edited_by_hand_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "o"
    commit(plan({"a.tf": "a\n", "b.tf": "b\n", MANIFEST: json.dumps({"files": {"a.tf": sha256("a\n"),
                                                                            "b.tf": sha256("b\n")}})}, target))
    (target / "b.tf").write_text("mine now\n")
    result = plan({"a.tf": "a\n", MANIFEST: json.dumps({"files": {"a.tf": sha256("a\n")}})}, target)
    assert result.removed == [] and result.kept == ["b.tf"]
    commit(result)
    assert (target / "b.tf").read_text() == "mine now\n"


def test_a_run_killed_during_its_swap_is_rolled_back_by_the_next(out: Path, tmp_path: Path) -> None:
    """Simulate kill -9 after half the swap: the journal is there, some files moved."""
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    staging = out.parent / f".{out.name}.iamforge-crashed"
    (staging / "old" / "modules" / "roles").mkdir(parents=True)
    roles = out / "modules" / "roles" / "main.tf"
    os.replace(roles, staging / "old" / "modules" / "roles" / "main.tf")
    roles.write_text("new, half swapped\n")
    (out / "added.tf").write_text("added by the killed run\n")
    (staging / "journal.json").write_text(json.dumps({"paths": ["modules/roles/main.tf", "added.tf",
                                                                "modules/mfa/main.tf"],
                                                      "had_previous": ["modules/roles/main.tf", "modules/mfa/main.tf"]}))
    (out.parent / f".{out.name}.iamforge-empty").mkdir()  # killed before the swap began
    refused(out, "interrupted")
    for flag in ("check", "dry_run"):  # a half-swapped folder is not "up to date", file by file or not
        with pytest.raises(UsageError, match="interrupted"):
            api.generate(EXAMPLES / "acme.yaml", out, **{flag: True})
    assert len(recover(out)) == 2 and not staging_folders(out)
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    require_generated(out)


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_output_writes_only_regular_files(tmp_path: Path, kind: str) -> None:
    from generator.report import write_report

    target = tmp_path / "report.json"
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to(victim)
    with pytest.raises(UsageError, match="not a regular file"):
        write_report("{}", str(target))
    assert victim.read_text() == "keep\n"


def test_provider_connection_settings_may_be_overridden_but_nothing_that_changes_the_result(out: Path) -> None:
    """A local try-out against moto needs path-style S3 and no metadata lookups; default_tags
    would retag every resource (the ABAC key among them)."""
    (out / "local_override.tf").write_text('provider "aws" {\n  skip_metadata_api_check = true\n'
                                           '  s3_use_path_style       = true\n}\n')
    require_generated(out)
    (out / "local_override.tf").write_text('provider "aws" {\n  default_tags {\n    tags = {\n'
                                           '      Department = "Finance"\n    }\n  }\n}\n')
    refused(out, "local_override.tf: an override file")


@pytest.mark.parametrize("journal", ['{"paths": ["../victim.tf"], "had_previous": []}',
                                     '{"paths": ["/etc/passwd"], "had_previous": []}', "{not json", '{"paths": 3}'])
def test_a_planted_or_broken_journal_moves_nothing_outside(out: Path, journal: str) -> None:
    victim = out.parent / "victim.tf"
    victim.write_text("keep\n")
    staging = out.parent / f".{out.name}.iamforge-planted"
    (staging / "old").mkdir(parents=True)
    (staging / "old" / "victim.tf").write_text("planted\n")
    (staging / "journal.json").write_text(journal)
    with pytest.raises(UsageError, match="not an iamforge swap journal"):
        recover(out)
    assert victim.read_text() == "keep\n"


def test_recovery_never_moves_a_file_in_through_a_linked_backup(out: Path, tmp_path: Path) -> None:
    """A staging folder planted beside the output (a pull request can commit one) whose ``old``
    links elsewhere: recovery must not bring that folder's files into the output."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "main.tf").write_text("theirs\n")
    before = (out / "main.tf").read_bytes()
    staging = out.parent / f".{out.name}.iamforge-planted"
    staging.mkdir()
    (staging / "old").symlink_to(elsewhere, target_is_directory=True)
    (staging / "journal.json").write_text(json.dumps({"paths": ["main.tf"], "had_previous": ["main.tf"]}))
    recover(out)
    assert (elsewhere / "main.tf").read_text() == "theirs\n" and (out / "main.tf").read_bytes() == before
    assert not staging_folders(out)


@pytest.mark.parametrize("planted", ["symlink", "fifo", "file"])
def test_output_never_writes_through_a_file_planted_at_a_temporary_name(tmp_path: Path, planted: str) -> None:
    """``--output report.txt`` once wrote through ``.report.txt.tmp``: a link there sent the report
    elsewhere, a pipe there hung the command. The temporary name is now unguessable and created
    by this process alone."""
    from generator.report import write_report

    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    old_name = tmp_path / ".report.txt.tmp"
    if planted == "symlink":
        old_name.symlink_to(victim)
    elif planted == "fifo":
        os.mkfifo(old_name)
    else:
        old_name.write_text("planted\n")
    write_report('{"ok": true}', str(tmp_path / "report.txt"))
    target = tmp_path / "report.txt"
    assert not target.is_symlink() and target.read_text() == '{"ok": true}'
    assert victim.read_text() == "keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".report.txt.tmp", "report.txt", "victim"]


def test_init_never_creates_a_file_through_a_dangling_link(tmp_path: Path) -> None:
    link = tmp_path / "iamforge.yaml"
    link.symlink_to(tmp_path / "elsewhere.yaml")
    with pytest.raises(UsageError, match="already exists"):
        api.init(link)
    with pytest.raises(UsageError, match="not a regular file"):
        api.init(link, force=True)
    assert not (tmp_path / "elsewhere.yaml").exists()


def test_scan_takes_the_top_of_a_stacks_output_whole_and_plan_does_not(tmp_path: Path) -> None:
    """``iamforge scan -o OUT`` on a stacks (or organisation) output: its top holds no *.tf but
    the manifest, and it is checked and scanned whole; terraform itself needs a stack folder."""
    out = tmp_path / "stacks"
    assert api.generate(EXAMPLES / "acme.yaml", out, layout="stacks").written
    assert not list(out.glob("*.tf"))
    require_generated(out, whole_output=True)
    require_generated(out, whole_output=True, expected=api.expected_output(EXAMPLES / "acme.yaml", out))
    refused(out, "no Terraform here")
    main = out / "stacks" / "finance" / "main.tf"
    main.write_text(main.read_text() + "# edited\n")
    refused(out, "stacks/finance/main.tf changed since iamforge generated it", whole_output=True)
    (tmp_path / "empty").mkdir()
    refused(tmp_path / "empty", "no Terraform here", whole_output=True)
