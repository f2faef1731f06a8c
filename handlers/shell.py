"""`ledningsbot shell`: the bot in a terminal, with no Slack at all.

What you type goes through Bolt's real dispatch as a signed Slack request; what the bot sends to
Slack goes to a local stand-in for the Web API on loopback, and is printed here: answers, posts
in channels and DMs. Switch who you are and which channel you are in with `:jag` and `:kanal`.
Lines can be piped in, so a script can drive it.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TextIO

from slack_bolt import BoltRequest

from bot import reminders
from bot.core.clock import OffsetClock
from bot.reminders import texts as reminder_texts
from handlers.app import Bot, build_bot, build_product
from handlers.settings import Settings
from handlers.slack_standin import Call, LocalSlack, render_message
from handlers.slackwire import block_action, command_body, interactive_body, signed_headers

SECRET = "lokal-hemlighet"

# The people and channels of the local workspace. Sara is the secretary (an admin).
PEOPLE = {
    "sara": ("U0SARA", "Sara Sekreterare", True),
    "magnus": ("U0MAGNUS", "Magnus Frithiof", False),
    "anna": ("U0ANNA", "Anna-Karin Pålsson", False),
    "roger": ("U0ROGER", "Roger Johansson", False),
    "jenny": ("U0JENNY", "Jenny Ek", False),
}
CHANNELS = {"ledningsgrupp": "C0LG", "au": "C0AU", "allmänt": "C0ALLM", "pg-avtal": "C0PGAVTAL"}
MEMBERS = {
    "ledningsgrupp": list(PEOPLE),
    "au": ["sara", "magnus", "anna"],
    "allmänt": list(PEOPLE),
    "pg-avtal": ["jenny", "roger"],
}

HELP = """\
Skriv kommandon som i Slack:
  /organ ny LG Ledningsgrupp för samordning #ledningsgrupp sammankallande @magnus
  /mote ny LG 7 oktober 9-12 Regionhuset
  /beslut Ledningsgruppen beslutar enligt förslag
  /uppdrag @anna @roger Ta fram underlag om LINK till nästa LG återkoppling till AU
  /uppdrag          (mina öppna uppdrag)
Skalets egna kommandon:
  :jag anna         byt vem du är ({people})
  :kanal au         byt kanal ({channels})
  :klicka Klart U-1 tryck på en knapp (också :klicka Kommer, :klicka Bjud in)
  :klocka 2026-12-04 09:00   flytta klockan och skicka påminnelser som då är dags
  :påminnelser      visa planerade påminnelser (30 dagar framåt)
  :exempel          skapa organen LG och AU i sina kanaler
  :hjälp            den här hjälpen
  :avsluta          (eller Ctrl-D)
"""


@dataclass
class Shell:
    bot: Bot
    slack: LocalSlack
    out: TextIO
    user: str = "sara"
    channel: str = "ledningsgrupp"
    counter: Iterable[int] = field(default_factory=lambda: itertools.count(1))
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # label, action, value

    def printed(self, call: Call) -> None:
        text = _describe(call, self.slack.names())
        if text:
            print(text, file=self.out, flush=True)
        blocks = call.args.get("blocks") if call.method != "views.publish" else None
        for block in blocks if isinstance(blocks, list) else []:
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                label = (element.get("text") or {}).get("text", "")
                self.buttons.append((label, element.get("action_id", ""), element.get("value", "")))

    def execute(self, line: str) -> bool:
        """Run one line; False when the shell should end."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line.startswith(":"):
            return self._shell_command(line[1:])
        if not line.startswith("/"):
            print(
                "Kommandon börjar med / (till exempel /beslut hjälp) eller : (:hjälp).",
                file=self.out,
            )
            return True
        command, _, text = line.partition(" ")
        self._dispatch(
            command_body(
                command.lower(),
                _as_slack_escapes(text),
                user_id=PEOPLE[self.user][0],
                channel_id=CHANNELS[self.channel],
                response_url=self.slack.response_url(
                    f"r{next(iter(self.counter))}",
                    channel=CHANNELS[self.channel],
                    user=PEOPLE[self.user][0],
                ),
                user_name=self.user,
                channel_name=self.channel,
            ),
            "application/x-www-form-urlencoded",
        )
        return True

    def _dispatch(self, body: str, content_type: str) -> dict[str, Any]:
        headers: dict[str, str | Sequence[str]] = {
            **signed_headers(SECRET, body),
            "Content-Type": content_type,
        }
        response = self.bot.bolt.dispatch(BoltRequest(body=body, headers=headers))
        self.bot.drain()  # the work after the ack, so the transcript stays in order
        if response.status != 200:
            print(f"(boten svarade {response.status}: {response.body})", file=self.out)
        return {"status": response.status, "body": response.body}

    def _shell_command(self, line: str) -> bool:
        word, _, arg = line.strip().partition(" ")
        arg = arg.strip().lstrip("@#").lower()
        if word in ("avsluta", "quit", "exit", "q"):
            return False
        if word == "jag" and arg in PEOPLE:
            self.user = arg
            print(f"Du är nu @{arg} ({PEOPLE[arg][1]}).", file=self.out)
        elif word == "kanal" and arg in CHANNELS:
            self.channel = arg
            print(f"Du är nu i #{arg}.", file=self.out)
        elif word == "klicka" and arg:
            self._click(line.strip().partition(" ")[2].strip())
        elif word == "klocka" and arg:
            self._travel(line.strip().partition(" ")[2])
        elif word in ("påminnelser", "paminnelser"):
            now = self.bot.product.now()
            planned = reminders.plan(self.bot.product, now, now + timedelta(days=30))
            lines = reminders.plan_lines(planned, self.bot.product)
            print(
                "\n".join([reminder_texts.PLAN_HEADER, *lines])
                if lines
                else reminder_texts.PLAN_EMPTY,
                file=self.out,
            )
        elif word == "exempel":
            for text in (
                "ny LG Ledningsgrupp för samordning #ledningsgrupp sammankallande @magnus",
                "ny AU Arbetsutskottet #au sammankallande @magnus",
            ):
                self.execute(f"/organ {text}")
        else:
            print(
                HELP.format(people=", ".join(PEOPLE), channels=", ".join(CHANNELS)), file=self.out
            )
        return True

    def _travel(self, when: str) -> None:
        """`:klocka 2026-12-04 09:00`: move the clock, then send what has fallen due."""
        try:
            at = datetime.fromisoformat(when.strip().replace(" kl. ", " ").replace(".", ":"))
        except ValueError:
            print("Till exempel: :klocka 2026-12-04 09:00", file=self.out)
            return
        clock = self.bot.product.clock
        assert isinstance(clock, OffsetClock)
        clock.set(at.replace(tzinfo=self.bot.product.tz) if at.tzinfo is None else at)
        print(f"Klockan är nu {when.strip()}.", file=self.out)
        report = self.bot.reminders.tick()
        if report.sent or report.failed:
            print(
                reminder_texts.reminders_sent(len(report.sent), len(report.failed)), file=self.out
            )

    def _click(self, words: str) -> None:
        """`:klicka Kommer inte` or `:klicka Klart U-1`: press the newest button shown with
        that label (and for that reference, when one is given)."""
        label, _, ref = words.rpartition(" ")
        found = self._button(words, "") or (self._button(label, ref) if label else None)
        if found is None:
            print("Ingen sådan knapp. Till exempel: :klicka Klart U-1", file=self.out)
            return
        action_id, value = found
        payload = block_action(
            action_id,
            value,
            user_id=PEOPLE[self.user][0],
            channel_id="D" + PEOPLE[self.user][0],
            response_url=self.slack.response_url(
                f"a{next(iter(self.counter))}", user=PEOPLE[self.user][0]
            ),
        )
        self._dispatch(interactive_body(payload), "application/x-www-form-urlencoded")

    def _button(self, label: str, ref: str) -> tuple[str, str] | None:
        for shown, action_id, value in reversed(self.buttons):
            if shown.lower() == label.lower() and (not ref or ref.upper() in value.upper()):
                return action_id, value
        return None


def _as_slack_escapes(text: str) -> str:
    """Type as in Slack: @anna and #au become the escaped mentions Slack sends (should_escape)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def user(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        return f"<@{PEOPLE[name][0]}|{name}>" if name in PEOPLE else match.group(0)

    def channel(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        return f"<#{CHANNELS[name]}|{name}>" if name in CHANNELS else match.group(0)

    text = re.sub(r"(?<![\w<])@([\wåäöÅÄÖ-]+)", user, text)
    return re.sub(r"(?<![\w<&])#([\wåäöÅÄÖ-]+)", channel, text)


def _describe(call: Call, names: dict[str, str]) -> str | None:
    args = call.args
    if call.method == "response_url":
        where = "bara för dig" if args.get("response_type", "ephemeral") == "ephemeral" else None
        if where is None:
            channel = (call.response or {}).get("channel") or ""
            where = "#" + names.get(channel, channel) if channel else "i kanalen"
        return _boxed(where, render_message(args, names))
    if call.method in ("chat.postMessage", "chat.postEphemeral"):
        channel = str(args.get("channel", ""))
        if channel.startswith(("U", "D")):
            user = channel.lstrip("D")
            where = f"DM till @{names.get(user, user)}"
        else:
            where = "#" + names.get(channel, channel)
        return _boxed(where, render_message(args, names))
    if call.method == "files.completeUploadExternal":
        files = args.get("files") or []
        titles = ", ".join(str(f.get("title") or f.get("id")) for f in files)
        return f"── fil uppladdad: {titles}"
    if call.method == "views.open":
        return "── ett formulär öppnas (i Slack) – i skalet, skriv kommandot med text i stället"
    return None


def _boxed(where: str, body: str) -> str:
    return f"── {where} ──\n{body}\n"


def main(
    settings: Settings,
    lines: Iterable[str] | None = None,
    out: TextIO = sys.stdout,
    *,
    today: date | None = None,
) -> int:
    with LocalSlack() as slack:
        for name, (user_id, real_name, admin) in PEOPLE.items():
            slack.add_user(
                user_id, name, real_name=real_name, is_admin=admin, email=f"{name}@example.se"
            )
        for name, channel_id in CHANNELS.items():
            slack.set_channel(channel_id, name)
            slack.set_members(channel_id, [PEOPLE[p][0] for p in MEMBERS[name]])
        local = Settings(
            bot_token="xoxb-lokal",
            signing_secret=SECRET,
            api_url=slack.url,
            database_url=settings.database_url,
            admins=settings.admins,
            tz=settings.tz,
        )
        clock = OffsetClock()
        if today:
            clock.set(datetime.combine(today, time(9), settings.tz))
        # The work after each ack runs in the bot's pool, as in `ledningsbot run`; the shell
        # waits for it after each request, so its output comes before the next prompt.
        bot = build_bot(local, build_product(local, clock))
        shell = Shell(bot, slack, out)
        slack.on_call(shell.printed)
        interactive = lines is None and sys.stdin.isatty()
        if interactive:
            print(f"ledningsbot – lokalt skal på {settings.database_url}. Skriv :hjälp.", file=out)
        source = lines if lines is not None else _stdin_lines(interactive, shell)
        try:
            for line in source:
                if not shell.execute(line):
                    break
        finally:
            bot.close()
    return 0


def _stdin_lines(interactive: bool, shell: Shell) -> Iterable[str]:
    while True:
        try:
            line = (
                input(f"@{shell.user} #{shell.channel}> ") if interactive else sys.stdin.readline()
            )
        except EOFError:
            return
        if not interactive and line == "":
            return
        yield line
