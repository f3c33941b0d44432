"""Benchmarks: `python -m benchmarks.build` (see README, "Scale and CI")."""
