"""Spec loading: YAML with line marks -> schema check -> normalized model."""
from __future__ import annotations

from pathlib import Path

from generator.errors import SpecError
from generator.gcpause import gc_paused
from generator.spec.check import check
from generator.spec.loader import decode, parse, read_text
from generator.spec.model import Spec
from generator.spec.normalize import build_model

__all__ = ["Spec", "load_spec", "load_spec_text"]


@gc_paused
def load_spec_text(text: str, name: str = "<spec>") -> Spec:
    """Load a spec from text. Raises SpecError carrying findings when it is not a valid v1 spec."""
    doc = parse(text, name)
    data, findings = check(doc)
    if findings or data is None:
        raise SpecError(findings)
    spec, findings = build_model(doc, data)
    if findings or spec is None:
        raise SpecError(findings)
    return spec


def load_spec(path: str | Path) -> Spec:
    """Load a spec file. Raises UsageError (missing file) or SpecError (invalid content)."""
    name, text = read_text(path)
    return load_spec_text(text, name)


def load_spec_bytes(raw: bytes, name: str) -> Spec:
    """Load a spec from raw bytes (strict UTF-8)."""
    return load_spec_text(decode(raw, name), name)
