"""Wrappers around external tools: one small module per tool (terraform, checkov)."""
