"""`ledningsbot import FIL [--organ LG] [--dry-run] [--json] [--personer FIL]`: a set of
minutes read into a proposal, shown, and (after one "ja") stored in one transaction.

People named in the minutes are linked to Slack users through a directory: the workspace's
(`users.list`, when SLACK_BOT_TOKEN is set) and/or a file given with `--personer` (one person a
line: "Förnamn Efternamn, U0123ABC"). Without one, owners stay names in the assignment text.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from bot import importing
from bot.core.context import Ctx, Product, StaticDirectory
from bot.core.errors import UserError
from bot.importing import texts
from handlers.settings import Settings

#: The same user as the CLI's other commands (an administrator).
CLI_USER = "U0CLI"
YES = {"ja", "j", "yes", "y"}


def add_parser(sub: Any) -> None:
    """The `import` sub-command on `ledningsbot`'s sub-parsers."""
    parser = sub.add_parser(
        "import", help="läs in mötesanteckningar (.txt, .md, .docx, .pdf), granska och spara"
    )
    parser.add_argument("file", metavar="FIL", help="anteckningarna: .txt, .md, .docx eller .pdf")
    parser.add_argument("--organ", metavar="ORGAN", help="organets kortnamn, till exempel LG")
    parser.add_argument(
        "--dry-run", action="store_true", help="visa bara förslaget, spara ingenting"
    )
    parser.add_argument(
        "--json", action="store_true", help="skriv förslaget som JSON (formen i README)"
    )
    parser.add_argument(
        "--personer",
        metavar="FIL",
        help="personkatalog, en rad per person: ”Förnamn Efternamn, U0123ABC”",
    )


def run(
    settings: Settings,
    args: argparse.Namespace,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    product: Product | None = None,
    people: Callable[[Settings], dict[str, str] | None] | None = None,
) -> int:
    """Read, show, ask once, store. Returns the exit code: 0 stored (or shown), 1 not."""
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if product is None:
        from handlers.app import build_product

        product = build_product(settings)
    try:
        directory = _directory(settings, args.personer, people or workspace_people)
        names = {uid: name for name, uid in (directory or {}).items()}
        ctx = Ctx(product, CLI_USER, None, StaticDirectory(names, {CLI_USER}))
        path = Path(args.file)
        source, data = importing.read_path(path)
        known = importing.known_for(ctx, directory)
        proposal = importing.propose(source, known, today=ctx.app.today(), organ=args.organ)
    except UserError as error:
        print(f"ledningsbot: {error.message}", file=err)
        return 1
    if args.json:
        print(proposal.to_json(), file=out)
    else:
        print(texts.proposal_text(proposal, path.name), file=out)
        if directory is None:
            print("\n" + texts.NO_DIRECTORY, file=out)
    if args.dry_run:
        return 0
    done = importing.imported(ctx, data)
    if done is not None:
        print(texts.already_imported(path.name, done.ref), file=err if args.json else out)
        return 0
    prompt = err if args.json else out
    print("\n" + texts.CONFIRM, end="", file=prompt, flush=True)
    answer = stdin.readline().strip().lower()
    if answer not in YES:
        print(texts.NOT_SAVED, file=prompt)
        return 1
    try:
        stored = importing.store(ctx, proposal, data, path.name, directory)
    except UserError as error:
        print(f"ledningsbot: {error.message}", file=err)
        return 1
    print(
        texts.stored(
            stored.meeting.ref, stored.decisions, stored.assignments, len(stored.sessions)
        ),
        file=prompt,
    )
    return 0


def _directory(
    settings: Settings,
    people_file: str | None,
    workspace: Callable[[Settings], dict[str, str] | None],
) -> dict[str, str] | None:
    """Full name → Slack user id, from the workspace and/or a file; None when neither."""
    found = workspace(settings)
    if people_file:
        found = {**(found or {}), **read_people(Path(people_file))}
    return found


def read_people(path: Path) -> dict[str, str]:
    """ "Förnamn Efternamn, U0123ABC" a line (also ; or a tab); # starts a comment."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError:
        raise UserError(texts.file_missing(str(path))) from None
    people: dict[str, str] = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        for separator in ("\t", ";", ","):
            if separator in line:
                name, uid = line.rsplit(separator, 1)
                if name.strip() and uid.strip():
                    people[" ".join(name.split())] = uid.strip()
                break
    return people


def workspace_people(settings: Settings) -> dict[str, str] | None:
    """The workspace's people by full name, if the bot has a token."""
    if not settings.bot_token:
        return None
    from slack_sdk import WebClient

    from handlers.directory import full_names

    return full_names(WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10))
