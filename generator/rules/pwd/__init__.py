"""Rules of the PWD family (one rule per module)."""
