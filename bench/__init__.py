"""Benchmark and relevance-evaluation code used by scripts/bench.py (see bench/README.md)."""
