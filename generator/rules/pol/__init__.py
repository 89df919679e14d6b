"""Rules of the POL family (one rule per module)."""
