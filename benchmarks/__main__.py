"""`python -m benchmarks [name ...] [--quick] [--postgres URL] [--no-postgres]`"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Sequence

from benchmarks.common import Environment, Options

# name → module with `run(env, options)`; imported only when it runs.
BENCHMARKS = {
    "search": "benchmarks.search",
    "ack": "benchmarks.ack",
    "memory": "benchmarks.memory",
    "oversize": "benchmarks.oversize",
    "feed": "benchmarks.bench_feed",
    "invite": "benchmarks.bench_invite",
    "reminders": "benchmarks.reminders",
    "import": "benchmarks.importing",
    "cycle": "benchmarks.cycle",
    "socket": "benchmarks.socket_mode",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Benchmarks for ledningsbot (loopback only)."
    )
    parser.add_argument(
        "names", nargs="*", metavar="name", help=f"which to run: {', '.join(BENCHMARKS)} (all)"
    )
    parser.add_argument("--quick", action="store_true", help="smaller data, fewer rounds (< 1 min)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="PostgreSQL database to use (seeded if empty); default: a throwaway database on "
        "postgresql://postgres@127.0.0.1:5432, dropped afterwards",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="ack: sample where the bot process spends its time (results/ack-*-profile.txt)",
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(
            f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}"
        )
    names = args.names or list(BENCHMARKS)
    options = Options(
        quick=args.quick,
        postgres_url=args.postgres,
        no_postgres=args.no_postgres,
        profile=args.profile,
    )
    env = Environment(options)
    began = time.perf_counter()
    try:
        for name in names:
            importlib.import_module(BENCHMARKS[name]).run(env, options)
            print()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        env.close()
    print(f"Done in {time.perf_counter() - began:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
