"""Finding renderers: text, json, sarif, junit. Each takes findings and returns a string."""
from __future__ import annotations

from generator.report.formats import FORMATS, render

__all__ = ["FORMATS", "render"]
