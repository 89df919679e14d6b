"""iamforge benchmarks: scripts that report numbers (``python -m benchmarks``), not timed tests."""
