"""Benchmarks of kie: what users feel (start-up, per-task overhead, downloads) and what scale costs.

Every figure is measured side by side with a baseline in the same run (a bare interpreter, raw
httpx, curl, the documented rate limit), because the machines these run on are noisy: the
ratios are what to read. ``python -m bench`` runs everything, prints a table and writes
``bench-report.json``; ``--quick`` uses smaller sizes and ``--only NAME`` picks benchmarks.
"""
