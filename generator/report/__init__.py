"""Finding renderers: text, json, sarif, junit. Each takes findings and returns a string."""
from __future__ import annotations

from generator.report.formats import FORMATS, render, write_report

__all__ = ["FORMATS", "render", "write_report"]
