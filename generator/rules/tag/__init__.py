"""Rules of the TAG family (one rule per module)."""
