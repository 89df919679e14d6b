"""Rules of the MFA family (one rule per module)."""
