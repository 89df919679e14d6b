"""Rules of the TRU family (one rule per module)."""
