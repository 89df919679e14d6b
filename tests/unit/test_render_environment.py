"""The Jinja environment and the blueprint catalogue."""
from __future__ import annotations

import jinja2
import pytest

from generator.render.environment import FILTERS, blueprints_dir, catalogue, environment, tf_name

EXPECTED_FILES = ("README.md.jinja", "main.tf.jinja", "outputs.tf.jinja", "variables.tf.jinja", "versions.tf.jinja")


def test_every_blueprint_mirrors_the_standard_module_files() -> None:
    blueprints = catalogue()
    roots = {"root": ".", "stack_baseline": "stacks/baseline", "stack_department": "stacks/{department}",
             "organization": "stacks/management", "identity_center": "stacks/identity-center"}
    assert set(blueprints) == {
        *roots, "password_policy", "mfa", "boundaries", "departments", "roles", "access_analyzer", "cloudtrail",
        "privileged", "organization_trail",
    }
    for bp in blueprints.values():
        assert bp.templates == EXPECTED_FILES, bp.name
        assert bp.title and bp.description
        assert bp.target == roots.get(bp.name, f"modules/{bp.name}")
        for item in bp.inputs:
            assert {"name", "description", "type"} <= set(item), (bp.name, item)
        for item in bp.outputs:
            assert {"name", "description", "value"} <= set(item), (bp.name, item)


def test_macros_are_never_a_blueprint() -> None:
    assert (blueprints_dir() / "_macros").is_dir()
    assert "_macros" not in catalogue()


def test_environment_is_strict_and_keeps_trailing_newlines() -> None:
    env = environment()
    assert env.undefined is jinja2.StrictUndefined
    assert env.keep_trailing_newline
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
    assert env.from_string("x\n").render() == "x\n"
    assert set(FILTERS) <= set(env.filters)


def test_filters_escape_spec_strings() -> None:
    env = environment()
    assert env.from_string("{{ s | quote }}").render(s="${aws:username}") == '"$${aws:username}"'
    assert env.from_string("{{ s | md }}").render(s="a|b") == "a\\|b"
    assert env.from_string("{{ s | comment }}").render(s="a\nb") == "a\\u000ab"


def test_tf_name() -> None:
    assert tf_name("us-east-1") == "us_east_1"
    assert tf_name("1abc") == "_1abc"
