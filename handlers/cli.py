"""`ledningsbot`: run the bot, the local shell, migrations and organ administration."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.exc import OperationalError

from bot.reminders import texts as reminder_texts
from handlers import archive_cli, import_cli, logs, texts
from handlers.cli_swedish import SwedishArgumentParser
from handlers.settings import Settings, SettingsError, check_lease, load_settings

CLI_USER = "U0CLI"


def main(argv: Sequence[str] | None = None) -> int:
    parser = SwedishArgumentParser(prog="ledningsbot", description="Ledningsgruppens Slack-bot.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="kör boten mot Slack (Socket Mode med SLACK_APP_TOKEN, annars HTTP)")
    shell_parser = sub.add_parser("shell", help="boten i terminalen, utan Slack")
    shell_parser.add_argument(
        "--idag", metavar="ÅÅÅÅ-MM-DD", help="låtsas att det är en annan dag (kl. 09.00)"
    )
    shell_parser.add_argument(
        "--filer", metavar="MAPP", help="där filer boten laddar upp sparas (./ledningsbot-filer)"
    )
    db = sub.add_parser("db", help="databasen")
    db.add_argument("action", choices=["upgrade"], help="upgrade: kör väntande migreringar")
    reminders = sub.add_parser("reminders", help="påminnelser: plan (visa) eller send (skicka nu)")
    reminders.add_argument("action", choices=["plan", "send"])
    reminders.add_argument("--from", dest="start", metavar="ÅÅÅÅ-MM-DD", help="från (i dag)")
    reminders.add_argument("--to", dest="end", metavar="ÅÅÅÅ-MM-DD", help="till (om 30 dagar)")
    reminders.add_argument(
        "--lease",
        type=float,
        default=None,
        metavar="SEKUNDER",
        help="sekunder innan en avbruten sändning tas över (DELIVERY_LEASE, 300)",
    )
    organ = sub.add_parser("organ", help="organ: ny, lista, koppla, sammankallande (som /organ)")
    organ.add_argument("args", nargs=argparse.REMAINDER)
    import_cli.add_parser(sub)
    archive_cli.add_parser(sub)
    args = parser.parse_args(argv)

    logs.configure(os.environ.get("LOG_LEVEL", "INFO").upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = load_settings(os.environ)
        if args.command == "run":
            settings.require_slack()
        if args.command == "shell":
            from handlers import shell

            logging.getLogger().setLevel(os.environ.get("LOG_LEVEL", "WARNING").upper())
            files = Path(args.filer) if args.filer else shell.FILES
            return shell.main(settings, today=_date_arg(args.idag), files=files)
        if args.command == "db":
            from storage.db import Database

            Database(settings.database_url).upgrade()
            print("Databasen är uppdaterad.")
            return 0
        if args.command == "organ":
            return _organ(settings, args.args)
        if args.command == "reminders":
            return _reminders(settings, args)
        if args.command == "arkiv":
            return archive_cli.run(settings, args)
        if args.command == "import":
            return import_cli.run(settings, args)
        return _run(settings)
    except SettingsError as error:
        print(f"ledningsbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except OperationalError as error:  # the database cannot be reached: one clear line
        logging.getLogger(__name__).debug("database failed", exc_info=True)
        reason = str(error.orig or error).strip().splitlines()[0]
        print("ledningsbot: " + texts.STARTUP_DB_FAILED.format(error=reason), file=sys.stderr)
        return 1


def _date_arg(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"--idag ska vara ett datum som 2026-11-23, inte {value!r}") from None


def _organ(settings: Settings, words: list[str]) -> int:
    from bot import commands
    from bot.core.context import Ctx, StaticDirectory
    from handlers.app import build_product
    from handlers.render import payload
    from handlers.slack_standin import render_message

    product = build_product(settings)
    ctx = Ctx(product, CLI_USER, None, StaticDirectory(admins={CLI_USER}))
    text = " ".join(_escape_cli_word(w) for w in words)
    reply = commands.run(ctx, "/organ", text)
    print(render_message(payload(reply.message)))
    return 0


def _reminders(settings: Settings, args: argparse.Namespace) -> int:
    """`reminders plan` prints what will be sent, when and to whom, sending nothing;
    `reminders send` sends what is due now (as the scheduler does), e.g. from cron."""
    from bot import reminders
    from handlers.app import build_product

    product = build_product(settings)
    if args.action == "plan":
        today = product.today()
        start = _date_arg(args.start) or today
        end = _date_arg(args.end) or today + timedelta(days=30)
        first = datetime.combine(start, time(0), settings.tz)
        last = datetime.combine(end + timedelta(days=1), time(0), settings.tz)
        planned = reminders.plan(product, first, last)
        print(reminder_texts.PLAN_HEADER)
        print("\n".join(reminders.plan_lines(planned, product)) or reminder_texts.PLAN_EMPTY)
        return 0
    settings.require_slack()
    from handlers.app import build_bot

    if args.lease is not None:  # as DELIVERY_LEASE: its claims must outlast its sending too
        check_lease(args.lease, settings.slack_timeout, option="--lease")
    bot = build_bot(settings, product)
    if args.lease is not None:
        bot.reminders.lease = timedelta(seconds=args.lease)
    report = bot.reminders.tick()
    print(reminder_texts.reminders_sent(len(report.sent), len(report.failed)))
    return 1 if report.failed else 0


def _escape_cli_word(word: str) -> str:
    """`#C0123` and `@U0123` on the command line mean a channel and a user by id."""
    if word.startswith("#C") and word[1:].isalnum():
        return f"<{word}>"
    if word.startswith("@U") and word[1:].isalnum():
        return f"<{word}>"
    return word


def _run(settings: Settings) -> int:
    """Serve until SIGTERM or Ctrl-C, then stop gracefully: no new connections, the requests in
    flight answered, the work after their acks done; exit 0. A second signal stops at once."""
    import signal

    from handlers.app import build_bot, build_product
    from handlers.readiness import Readiness
    from handlers.scheduler import Wakeups
    from handlers.server import WebServer
    from handlers.socket_mode import SocketLink

    product = build_product(settings)
    bot = build_bot(settings, product)
    link = SocketLink(bot.bolt, settings.app_token) if settings.app_token else None
    server = WebServer(
        bot if not settings.socket_mode else None,  # Socket Mode: feeds and /healthz only
        product.db,
        host=settings.host,
        port=settings.port,
        product=product,
        readiness=Readiness(product.db, link),
    )

    def stop(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        server.stop()  # serve_forever returns once the requests in flight are answered

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    wakeups = Wakeups(
        bot.reminders, safety=timedelta(seconds=settings.safety_tick), resume=bot.resumers()
    )
    wakeups.start()
    try:
        if link is not None:
            link.start()  # prints texts.READY_SOCKET after Slack's hello, reconnects by itself
        else:
            print(texts.READY_HTTP.format(host=settings.host, port=server.port), flush=True)
        server.serve_forever()
        return 0
    finally:
        if link is not None:
            link.stop()  # no new envelopes; those already acked finish below
        wakeups.stop()
        bot.close()  # the work after every ack so far, invitations included


if __name__ == "__main__":
    sys.exit(main())
