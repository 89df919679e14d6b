"""Rules of the PB family (one rule per module)."""
