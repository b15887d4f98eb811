"""Benchmarks: `make bench` runs them; figures and commands go in docs/performance.md.

Each benchmark prints its last line as ``<name>: key=value ...`` so results can be
compared run to run. Benchmarks measure; they never pass or fail on a time.
"""
