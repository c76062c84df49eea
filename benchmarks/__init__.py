"""Benchmarks for lpvault: a realistic vault generator and a runner (`python -m benchmarks`)."""
