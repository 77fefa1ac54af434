"""Benchmarks (`make bench`): medians and peak allocations as ratios to an in-run baseline."""
