"""Rules of the SPEC family (one rule per module)."""
