"""`ledningsbot arkiv --organ LG --år 2026 --ut lg-2026.zip`: an organ's year in one ZIP file
(see bot.cycle.archive). Hooked into `ledningsbot` by handlers.cli (`add_parser`, `run`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from handlers.settings import Settings

CLI_USER = "U0CLI"


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "arkiv", help="ett organs år i en ZIP-fil (protokoll, beslut, uppdrag …)"
    )
    parser.add_argument("--organ", required=True, help="organet, till exempel LG")
    parser.add_argument(
        "--år", dest="year", type=int, required=True, help="året, till exempel 2026"
    )
    parser.add_argument(
        "--ut", dest="out", required=True, metavar="FIL", help="ZIP-filen att skriva"
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    from bot import cycle
    from bot.core.context import Ctx, StaticDirectory
    from bot.core.errors import UserError
    from handlers.app import build_product

    product = build_product(settings)
    ctx = Ctx(product, CLI_USER, None, StaticDirectory(admins={CLI_USER}))
    out = Path(args.out)
    partial = out.with_name(out.name + ".tmp")
    try:
        with partial.open("wb") as file:
            made = cycle.archive(ctx, args.organ, args.year, file)
    except UserError as error:
        partial.unlink(missing_ok=True)
        print(f"ledningsbot: {error.message}", file=sys.stderr)
        return 1
    partial.replace(out)
    print(f"{out}: {made.count} filer för {made.organ} {made.year}, {out.stat().st_size} byte.")
    return 0
