"""The organisation layer: an ``organization:`` spec over the single-account baseline.

``load_organization`` reads one, ``validate_organization`` runs the ORG rules (and each
member's account spec rules), ``render_organization`` writes one root module per account stack.
"""
from __future__ import annotations

from generator.org.load import is_organization_file, is_organization_text, load_organization
from generator.org.model import Organization

__all__ = ["Organization", "is_organization_file", "is_organization_text", "load_organization"]
