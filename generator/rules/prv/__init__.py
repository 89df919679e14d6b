"""Rules of the PRV family (one rule per module)."""
