"""Atomic writes, the manifest, and check / dry-run comparisons."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from generator.errors import UsageError
from generator.render import writer
from generator.render.writer import MANIFEST, ConflictError, commit, plan


def files_of(**content: str) -> dict[str, str]:
    files = {k.replace("__", "/") + ".tf": v for k, v in content.items()}
    files[MANIFEST] = writer.manifest_text(files, "spec.yaml")
    return files


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def write(out: Path, files: dict[str, str]) -> writer.Plan:
    result = plan(files, out)
    commit(result)
    return result


def test_fresh_output_is_written_with_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = files_of(main="a\n", modules__x__main="b\n")
    result = write(out, files)
    assert sorted(result.added) == sorted(files)
    assert (out / "modules/x/main.tf").read_text() == "b\n"
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["files"]["main.tf"] == writer.sha256("a\n")
    assert set(manifest["files"]) == {"main.tf", "modules/x/main.tf"}
    assert not [p for p in tmp_path.iterdir() if p.name != "out"], "staging folder left behind"


def test_second_run_reports_unchanged_and_rewrites_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = files_of(main="a\n")
    write(out, files)
    before = (out / "main.tf").stat().st_mtime_ns
    result = write(out, files)
    assert result.differences == []
    assert sorted(result.unchanged) == sorted(files)
    assert (out / "main.tf").stat().st_mtime_ns == before


def test_stale_files_are_removed_foreign_files_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(out, files_of(main="a\n", modules__old__main="old\n"))
    (out / "terraform.tfvars").write_text("mine\n")
    (out / "modules/old/notes.txt").write_text("mine too\n")
    (out / ".terraform").mkdir()
    (out / ".terraform/lock").write_text("x")
    result = write(out, files_of(main="a2\n"))
    assert result.removed == ["modules/old/main.tf"]
    assert (out / "main.tf").read_text() == "a2\n"
    assert not (out / "modules/old/main.tf").exists()
    assert (out / "terraform.tfvars").read_text() == "mine\n"
    assert (out / "modules/old/notes.txt").read_text() == "mine too\n"
    assert (out / ".terraform/lock").exists()


def test_emptied_generated_folders_are_pruned(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(out, files_of(main="a\n", modules__old__main="old\n"))
    write(out, files_of(main="a\n"))
    assert not (out / "modules").exists()


def test_foreign_file_in_the_way_is_a_conflict_and_nothing_changes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "main.tf").write_text("hand written\n")
    before = snapshot(out)
    result = plan(files_of(main="a\n", other="b\n"), out)
    assert result.conflicts == ["main.tf"]
    assert any(d.kind == "conflict" for d in result.differences)
    with pytest.raises(ConflictError) as err:
        commit(result)
    assert "main.tf" in str(err.value)
    assert snapshot(out) == before


def test_manifest_cannot_point_outside_the_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.tf"
    victim.write_text("keep\n")
    (out / MANIFEST).write_text(json.dumps({"files": {"../victim.tf": "x", "/etc/passwd": "y"}}))
    write(out, files_of(main="a\n"))
    assert victim.read_text() == "keep\n"


@pytest.mark.parametrize("text", ['{"files": null}', '{"files": [1]}', '{"files": {"main.tf": 7}}', "[]", "{not json"])
def test_a_malformed_manifest_is_a_usage_error_naming_it(tmp_path: Path, text: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text(text)
    with pytest.raises(UsageError, match="not an iamforge manifest") as err:
        plan(files_of(main="a\n"), out)
    assert str(out / MANIFEST) in str(err.value)
    with pytest.raises(UsageError, match="not an iamforge manifest"):
        writer.edited_files(out)


def test_failure_while_swapping_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write(out, files_of(a="a1\n", b="b1\n", gone="g\n"))
    (out / "mine.txt").write_text("foreign\n")
    before = snapshot(out)
    real_replace = os.replace
    calls = {"n": 0}

    def flaky(src, dst) -> None:  # noqa: ANN001 - os.replace signature
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", flaky)
    with pytest.raises(OSError, match="disk full"):
        write(out, files_of(a="a2\n", b="b2\n", c__new="c\n"))
    monkeypatch.setattr(writer.os, "replace", real_replace)
    assert snapshot(out) == before
    assert not (out / "c").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_failure_while_staging_leaves_output_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write(out, files_of(a="a1\n"))
    before = snapshot(out)

    def broken(*_args, **_kwargs) -> None:
        raise OSError("no space left")

    monkeypatch.setattr(writer, "_write_tree", broken)
    with pytest.raises(OSError):
        write(out, files_of(a="a2\n", b="b\n"))
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_plan_lists_every_kind_of_difference(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(out, files_of(a="a\n", b="b\n", c="c\n"))
    (out / "b.tf").write_text("edited by hand\n")
    (out / "c.tf").unlink()
    result = plan(files_of(a="a\n", b="b\n", c="c\n", d="d\n"), out)
    kinds = {(d.kind, d.path) for d in result.differences}
    assert ("modify", "b.tf") in kinds
    assert ("add", "c.tf") in kinds
    assert ("add", "d.tf") in kinds
    assert str(writer.Difference("modify", "b.tf")) == "differs: b.tf"


def test_output_path_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("x")
    with pytest.raises(writer.UsageError):
        plan(files_of(a="a\n"), target)
