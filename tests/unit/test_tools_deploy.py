"""plan/apply/destroy/scan refuse folders that are not what iamforge generated (no terraform needed)."""
from __future__ import annotations

from click.testing import CliRunner

from generator.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_empty_folder_is_refused_by_every_verb(tmp_path):
    for verb in (["scan"], ["plan"], ["destroy", "--auto-approve"], ["apply", "--auto-approve"]):
        result = run(*verb, "-o", str(tmp_path))
        assert result.exit_code == 2, (verb, result.output)
        assert "no Terraform here" in result.output


def test_hand_edited_generated_file_is_refused(tmp_path, examples_dir):
    out = tmp_path / "out"
    assert run("generate", str(examples_dir / "minimal.yaml"), "-o", str(out)).exit_code == 0
    (out / "modules" / "mfa" / "main.tf").write_text("# replaced by hand\n")
    result = run("plan", "-o", str(out))
    assert result.exit_code == 2 and "modules/mfa/main.tf changed since iamforge generated it" in result.output


def test_foreign_files_beside_the_output_are_fine(tmp_path, examples_dir):
    from generator.tools.deploy import require_generated

    out = tmp_path / "out"
    assert run("generate", str(examples_dir / "minimal.yaml"), "-o", str(out)).exit_code == 0
    (out / "backend.tf").write_text('terraform {\n  backend "s3" {}\n}\n')
    require_generated(out)  # raises on refusal
