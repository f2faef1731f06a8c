"""Benchmarks for ledningsbot: `python -m benchmarks [ack|search|memory ...] [--quick]`.

See benchmarks/README.md. Results go to benchmarks/results/<name>.json (git-ignored).
"""
