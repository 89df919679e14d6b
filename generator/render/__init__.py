"""Render a spec into Terraform modules: Jinja blueprints, one escaping function, atomic writes.

Public API (used by ``generator.api``)::

    from generator.render import generate, render, GenerateResult, Difference

    result = generate(spec, Path("modules_out"))               # write
    result = generate(spec, Path("modules_out"), check=True)   # compare only
    result = generate(spec, Path("modules_out"), dry_run=True) # list what would change

``generate(spec, out_dir, *, check=False, dry_run=False, layout="root") -> GenerateResult``
    Renders every file in memory first; nothing is written when rendering fails.
    With ``check`` or ``dry_run`` nothing is written at all and ``result.differences``
    lists how ``out_dir`` differs from the spec's output (``check``: out of date when
    non-empty, so the CLI exits 1). Otherwise the files are written atomically
    (``writer``): ``result.written`` / ``result.removed`` / ``result.unchanged`` say what
    happened, and ``result.differences`` what had differed before.

``GenerateResult`` fields: ``out_dir``, ``files`` (every generated path, relative POSIX),
    ``written``, ``unchanged``, ``removed``, ``differences`` (list of ``Difference``:
    ``kind`` in add/modify/remove/conflict, ``path``; ``str()`` reads ``differs: main.tf``),
    ``check``, ``dry_run``, and the property ``up_to_date``.

``render(spec, layout="root") -> dict[str, str]``: the generated files in memory (path -> text).

``output_layout(out_dir) -> str | None``: the layout of the iamforge output already in
``out_dir`` (``root`` or ``stacks``, from its manifest), None when there is none.

Errors: ``writer.ConflictError`` (a ``UsageError``, exit 2) when a generated file would
overwrite a file iamforge did not create (not in ``.iamforge-manifest.json``);
``RenderError`` (an ``IamforgeError``) when a policy document has no place in the output;
``OSError`` when writing fails (the previous output is left as it was).

Output layout (``layout="root"``, the default): the root module (``main.tf``, ``variables.tf``,
``outputs.tf``, ``versions.tf``, ``README.md``), ``modules/<name>/`` per child module, and
``.iamforge-manifest.json`` listing every generated file with its sha256.

``layout="stacks"`` (``generate`` and ``render`` take it): ``modules/<name>/`` for the
account-wide modules, ``stacks/baseline/`` (root module calling them), ``stacks/<department>/``
per department (root module with its own ``modules/departments/`` and ``modules/roles/``),
``stacks.json`` listing the stacks, and the one manifest.
"""
from __future__ import annotations

from generator.render.pipeline import GenerateResult, RenderError, generate, output_layout, render
from generator.render.writer import ConflictError, Difference

__all__ = ["ConflictError", "Difference", "GenerateResult", "RenderError", "generate", "output_layout", "render"]
