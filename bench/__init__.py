"""`make bench`: figures, not tests. See bench/run.py and the README's "Benchmarks" section."""
