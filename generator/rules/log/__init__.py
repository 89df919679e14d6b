"""Rules of the LOG family (one rule per module)."""
