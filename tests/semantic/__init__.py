"""Semantic tests: iamforge's deployed documents evaluated by a real IAM policy engine.

A package so that its conftest.py is ``semantic.conftest`` and leaves tests/conftest.py alone as
the ``conftest`` module that other test modules import from.
"""
