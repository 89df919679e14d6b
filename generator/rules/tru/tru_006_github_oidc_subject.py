"""TRU-006: GitHub Actions OIDC trust pins the repository in a safe sub claim."""
from __future__ import annotations

import re
from collections.abc import Iterator

from generator.analysis.conditions import pins
from generator.rules.base import DocumentRule
from generator.rules.context import DocView


_GITHUB = "token.actions.githubusercontent.com"
_SUB_KEY = re.compile(r"^token\.actions\.githubusercontent\.com(?:/[a-zA-Z0-9_-]+)?:sub\Z", re.IGNORECASE)
_ABUSABLE = ("workflow", "environment", "ref", "context", "head_ref", "base_ref")
# repo:<owner>/<repo>, or GitHub's immutable form repo:<owner>@<owner id>/<repo>@<repo id> (issued
# for new repositories since 2026-07-15): the ids pin the owner and repository even after a rename.
_REPO = re.compile(r"^repo:(\$\{)?[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*(@\d+)?(\})?/[^/*@]+(@\d+)?")
# A subject customised to carry job_workflow_ref (reusable workflows): the workflow file it names
# must be one, in one repository; only its ref may be a pattern (refs/tags/v*).
_WORKFLOW_REF = re.compile(r":job_workflow_ref:[^/:*?]+/[^/:*?]+/\.github/workflows/[^@*?/]+\.ya?ml@[^@]+\Z")


def sub_problem(value: str) -> str | None:
    """Why a GitHub sub claim value is unsafe (checkov CKV_AWS_358 logic), or None."""
    if value == "*" or ":" not in value:
        return f"sub {value!r} admits every repository"
    claim = value.split(":", 1)[0]
    if claim == "*" or claim in _ABUSABLE:
        return f"sub {value!r} starts with the {claim!r} claim, which any repository can satisfy"
    if claim == "repo" and not _REPO.match(value):
        return f"sub {value!r} does not name one organisation/repository"
    if ":job_workflow_ref:" in value and not _WORKFLOW_REF.search(value):
        return (f"sub {value!r} does not name one reusable workflow "
                "(<owner>/<repo>/.github/workflows/<file>.yml@<ref>): any workflow would match")
    return None


class GithubOidcSubject(DocumentRule):
    id = "TRU-006"
    title = "GitHub Actions OIDC sub claim safe"
    grade = "HIGH"
    rationale = "Any GitHub repository can get a token from GitHub's issuer; only the sub claim tells them apart."
    remediation = "Require token.actions.githubusercontent.com:sub = repo:<org>/<repo>:<ref or environment>."
    references = ("checkov CKV_AWS_358, CKV_AWS_393", "Access Analyzer: Missing github repo condition key")
    kinds = ("trust",)

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            if not stmt.allow or not any(_GITHUB in v for k, v in stmt.principals if k == "Federated"):
                continue
            named = [c for c in stmt.conditions if _SUB_KEY.match(c.key)]
            subs = [c for c in named if pins(c)]
            if not subs:
                loose = f" ({', '.join(sorted({c.operator for c in named}))} does not require a match)" if named else ""
                yield (f"{stmt.path}.Condition",
                       f"GitHub OIDC trust without a sub condition that must match admits every repository{loose}")
            for cond in subs:
                for value in cond.values:
                    problem = sub_problem(value)
                    if problem:
                        yield f"{stmt.path}.Condition.{cond.operator}", problem
