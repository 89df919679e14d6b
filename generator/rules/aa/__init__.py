"""Rules of the AA family (one rule per module)."""
