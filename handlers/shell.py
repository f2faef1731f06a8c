"""`ledningsbot shell`: the bot in a terminal, with no Slack at all.

What you type goes through Bolt's real dispatch as a signed Slack request; what the bot sends to
Slack goes to a local stand-in for the Web API on loopback, and is printed here: answers, posts
in channels and DMs, the Home tab (`:hem`), forms (asked field by field) and files (saved to a
folder). Who you are, which channel you are in, and the people and channels of the workspace
are changed with `:jag`, `:kanal`, `:person`, `:kanal ny` and `:medlemmar`. Lines can be piped
in: each is echoed after its prompt, so the output reads as a conversation.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from slack_bolt import BoltRequest

from bot import reminders
from bot.core.clock import OffsetClock
from bot.core.context import Product
from bot.reminders import texts as reminder_texts
from handlers.app import Bot, build_bot, build_product
from handlers.server import WebServer
from handlers.settings import Settings
from handlers.shell_form import Cancelled, ask_fields, heading, inputs
from handlers.shell_workspace import GENERAL, NAME, Workspace
from handlers.slack_standin import Call, LocalSlack, render_message
from handlers.slackwire import (
    TEAM_ID,
    command_body,
    event_body,
    interactive_body,
    signed_headers,
    view_submission,
)

SECRET = "lokal-hemlighet"
FILES = Path("ledningsbot-filer")  # where files the bot uploads are saved (in the working dir)
LOOPBACK = ("127.0.0.1", "localhost", "::1")

HELP = """\
Skriv kommandon som i Slack:
  /organ ny LG Ledningsgrupp för samordning #ledningsgrupp sammankallande @magnus
  /mote ny LG 7 oktober 9-12 Regionhuset
  /beslut Ledningsgruppen beslutar enligt förslag
  /beslut           (utan text: formuläret, fält för fält)
  /uppdrag @anna @roger Ta fram underlag om LINK till nästa LG återkoppling till AU
  /uppdrag          (mina öppna uppdrag)
  /kalender         (prenumerationslänkar; kräver PUBLIC_BASE_URL, skalet serverar flödena)
Skalets egna kommandon:
  :jag anna                  byt vem du är ({people})
  :kanal au                  byt kanal ({channels})
  :person erika Erika Lagergren   lägg till en person (med i #allmänt)
  :kanal ny pg-kbm           skapa en kanal (du blir medlem) och gå dit
  :medlemmar pg-kbm anna roger    sätt kanalens medlemmar (utan namn: visa dem)
  :hem                       visa din Hem-flik
  :klicka Klart U-1          tryck på en knapp (också :klicka Kommer, :klicka Bjud in)
  :klocka 2026-12-04 09:00   flytta klockan och skicka påminnelser som då är dags
  :påminnelser               visa planerade påminnelser (30 dagar framåt)
  :exempel                   skapa organen LG och AU i sina kanaler
  :hjälp                     den här hjälpen
  :avsluta                   (eller Ctrl-D)
Filer som boten laddar upp sparas i {files}.
"""


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str
    channel: str | None  # the message's channel; None on the Home tab
    view: dict[str, Any] | None = None  # the Home tab's view


class Lines:
    """Where lines come from. Typed at a terminal, `input()` shows the prompt; piped (or given),
    each line is printed after its prompt, as a terminal would have shown it."""

    def __init__(self, out: TextIO, lines: Iterable[str] | None = None) -> None:
        self.out = out
        self.interactive = lines is None and sys.stdin.isatty()
        self._lines: Iterator[str] | None = iter(lines) if lines is not None else None

    def ask(self, prompt: str) -> str | None:
        if self.interactive:
            try:
                return input(prompt)
            except EOFError:
                print(file=self.out)
                return None
        source = self._lines
        line = next(source, None) if source is not None else sys.stdin.readline() or None
        if line is None:
            return None
        print(prompt + line.rstrip("\r\n"), file=self.out, flush=True)
        return line


@dataclass
class Shell:
    bot: Bot
    slack: LocalSlack
    space: Workspace
    out: TextIO
    lines: Lines
    files: Path = FILES
    user: str = "sara"
    channel: str = "ledningsgrupp"
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    buttons: list[Button] = field(default_factory=list)
    views: list[tuple[dict[str, Any], str]] = field(default_factory=list)  # opened: view, id
    on_home: bool = False  # the user is looking at their Home tab: its republishing is shown
    replies: dict[str, str] = field(default_factory=dict)  # response_url key -> channel id

    # -- what the bot sends ------------------------------------------------------------------

    def printed(self, call: Call) -> None:
        """A Web API call reached the stand-in: show it as Slack would."""
        if call.method == "views.publish":
            self._home(call)
            return
        if call.method in ("views.open", "views.push"):
            view = _json(call.args.get("view"))
            opened = (call.response or {}).get("view") or {}
            self.views.append((view, str(opened.get("id") or "")))
            return
        if call.method == "files.completeUploadExternal":
            self._save_files(call)
            return
        text = _describe(call, self.slack.names(), self.space.name_of)
        if text:
            self.say(text)
        channel = (
            self.replies.get(call.key or "")
            if call.method == "response_url"
            else str((call.response or {}).get("channel") or call.args.get("channel") or "")
        )
        self._remember_buttons(_json(call.args.get("blocks")), channel or None, None)

    def _remember_buttons(
        self, blocks: Any, channel: str | None, view: dict[str, Any] | None
    ) -> None:
        for block in blocks if isinstance(blocks, list) else []:
            elements = block.get("elements", []) if block.get("type") == "actions" else []
            accessory = block.get("accessory") if block.get("type") == "section" else None
            for element in [*elements, *([accessory] if accessory else [])]:
                if element.get("type") != "button":
                    continue
                label = (element.get("text") or {}).get("text", "")
                self.buttons.append(
                    Button(
                        label, element.get("action_id", ""), element.get("value", ""), channel, view
                    )
                )

    def _home(self, call: Call) -> None:
        user_id = str(call.args.get("user_id") or "")
        if not self.on_home or user_id != self.space.user_id(self.user):
            return  # Slack shows a Home tab only to the one looking at it
        view = _json(call.args.get("view"))
        view["id"] = ((call.response or {}).get("view") or {}).get("id")
        body = render_message({"blocks": view.get("blocks") or []}, self.slack.names())
        self.say(_boxed(f"Hem-fliken för @{self.user}", body or "(tom)"))
        self._remember_buttons(view.get("blocks"), None, view)

    def _save_files(self, call: Call) -> None:
        uploads = {f["file_id"]: f for f in self.slack.uploaded_files()}
        channel = str(call.args.get("channel_id") or "")
        where = _where(channel, self.slack.names(), self.space.name_of) if channel else ""
        for entry in call.args.get("files") or []:
            upload = uploads.get(str(entry.get("id") or ""))
            if upload is None:
                continue
            name = Path(str(upload["filename"] or entry.get("title") or upload["file_id"])).name
            path = _free_path(self.files, name)
            self.files.mkdir(parents=True, exist_ok=True)
            path.write_bytes(upload["content"])
            comment = call.args.get("initial_comment")
            lines = [f"── fil {'i ' + where if where else 'uppladdad'}: {name} ──"]
            if comment:
                lines.append(render_message({"text": comment}, self.slack.names()))
            lines.append(f"fil sparad: {path.resolve()}")
            self.say("\n".join(lines) + "\n")

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    # -- what you type -----------------------------------------------------------------------

    def execute(self, line: str) -> bool:
        """Run one line; False when the shell should end."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line.startswith(":"):
            return self._shell_command(line[1:])
        if not line.startswith("/"):
            self.say("Kommandon börjar med / (till exempel /beslut hjälp) eller : (:hjälp).")
            return True
        self.on_home = False
        command, _, text = line.partition(" ")
        key = f"r{next(self.counter)}"
        channel_id = self.space.channels[self.channel]
        self.replies[key] = channel_id
        trigger = f"trigger-{key}"
        self._dispatch(
            command_body(
                command.lower(),
                self.space.as_slack_escapes(text),
                user_id=self.space.user_id(self.user),
                channel_id=channel_id,
                response_url=self.slack.response_url(
                    key, channel=channel_id, user=self.space.user_id(self.user)
                ),
                trigger_id=trigger,
                user_name=self.user,
                channel_name=self.channel,
            )
        )
        self._walk_forms()
        return True

    def _dispatch(self, body: str, content_type: str = "application/x-www-form-urlencoded") -> Any:
        headers: dict[str, str | Sequence[str]] = {
            **signed_headers(SECRET, body),
            "Content-Type": content_type,
        }
        response = self.bot.bolt.dispatch(BoltRequest(body=body, headers=headers))
        self.bot.drain()  # the work after the ack, so the transcript stays in order
        if response.status != 200:
            self.say(f"(boten svarade {response.status}: {response.body})")
        return response

    def _event(self, event: dict[str, Any]) -> None:
        body = event_body(
            {"event_ts": f"{datetime.now().timestamp():.6f}", **event},
            event_id=f"Ev{next(self.counter):08d}",
        )
        self._dispatch(body, "application/json")

    def _shell_command(self, line: str) -> bool:
        word, _, rest = line.strip().partition(" ")
        rest = rest.strip()
        arg = rest.lstrip("@#").lower()
        word = word.lower()
        if word in ("avsluta", "quit", "exit", "q"):
            return False
        if word == "jag" and arg in self.space.people:
            self.user, self.on_home = arg, False
            self.say(f"Du är nu @{arg} ({self.space.people[arg].real_name}).")
        elif word == "kanal" and arg.startswith("ny "):
            self._new_channel(arg[3:].strip().lstrip("#"))
        elif word == "kanal" and arg in self.space.channels:
            self.channel, self.on_home = arg, False
            self.say(f"Du är nu i #{arg}.")
        elif word == "person" and arg:
            self._new_person(rest)
        elif word == "medlemmar" and arg:
            self._members(rest)
        elif word == "hem":
            self.on_home = True
            self._event(
                {
                    "type": "app_home_opened",
                    "user": self.space.user_id(self.user),
                    "channel": "D" + self.space.user_id(self.user),
                    "tab": "home",
                }
            )
        elif word == "klicka" and arg:
            self._click(rest)
        elif word == "klocka" and arg:
            self._travel(rest)
        elif word in ("påminnelser", "paminnelser"):
            now = self.bot.product.now()
            planned = reminders.plan(self.bot.product, now, now + timedelta(days=30))
            lines = reminders.plan_lines(planned, self.bot.product)
            self.say(
                "\n".join([reminder_texts.PLAN_HEADER, *lines])
                if lines
                else reminder_texts.PLAN_EMPTY
            )
        elif word == "exempel":
            for text in (
                "ny LG Ledningsgrupp för samordning #ledningsgrupp sammankallande @magnus",
                "ny AU Arbetsutskottet #au sammankallande @magnus",
            ):
                self.execute(f"/organ {text}")
        else:
            if word not in ("hjälp", "hjalp", "help", "?"):
                self.say(f"Okänt eller ofullständigt: :{line.strip()}")
            self.say(self.help())
        return True

    def help(self) -> str:
        return HELP.format(
            people=", ".join(self.space.people),
            channels=", ".join(self.space.channels),
            files=self.files.resolve(),
        )

    # -- people and channels -----------------------------------------------------------------

    def _new_person(self, words: str) -> None:
        name, _, real_name = words.partition(" ")
        name = name.lstrip("@").lower()
        if not NAME.match(name):
            self.say("Till exempel: :person erika Erika Lagergren (namnet med små bokstäver)")
            return
        if name in self.space.people:
            self.say(f"@{name} finns redan ({self.space.people[name].real_name}).")
            return
        person = self.space.add_person(name, real_name.strip())
        user = self.slack.add_user(
            person.user_id,
            person.name,
            real_name=person.real_name,
            display_name=person.name,
            email=f"{person.name}@example.se",
        )
        self._event({"type": "team_join", "user": user})  # as Slack tells apps
        self.say(f"Ny person: @{name} ({person.real_name}), {person.user_id}.")
        self._set_members(GENERAL, [*self.space.members.get(GENERAL, []), name])

    def _new_channel(self, name: str) -> None:
        name = name.lower()
        if not NAME.match(name):
            self.say("Till exempel: :kanal ny pg-kbm (namnet med små bokstäver, utan mellanslag)")
            return
        if name in self.space.channels:
            self.say(f"#{name} finns redan.")
            return
        channel_id = self.space.add_channel(name, [])
        self._event(
            {
                "type": "channel_created",
                "channel": {
                    "id": channel_id,
                    "name": name,
                    "creator": self.space.user_id(self.user),
                },
            }
        )
        self.say(f"Kanalen #{name} är skapad ({channel_id}).")
        self._set_members(name, [self.user])
        self.channel, self.on_home = name, False
        self.say(f"Du är nu i #{name}.")

    def _members(self, words: str) -> None:
        channel, *names = [w.lstrip("@#").lower() for w in words.replace(",", " ").split()]
        if channel not in self.space.channels:
            self.say(f"Ingen kanal #{channel}. Finns: {', '.join(self.space.channels)}.")
            return
        unknown = [n for n in names if n not in self.space.people]
        if unknown:
            self.say(
                f"Okänd: {', '.join('@' + n for n in unknown)}. "
                f"Finns: {', '.join(self.space.people)} (ny med :person)."
            )
            return
        if names:
            self._set_members(channel, names)
        else:
            members = self.space.members.get(channel, [])
            self.say(f"#{channel}: {', '.join('@' + n for n in members) or '(inga medlemmar)'}")

    def _set_members(self, channel: str, names: list[str]) -> None:
        joined, left = self.space.set_members(channel, names)
        channel_id = self.space.channels[channel]
        for name, kind in [(n, "member_joined_channel") for n in joined] + [
            (n, "member_left_channel") for n in left
        ]:
            self._event(
                {
                    "type": kind,
                    "user": self.space.user_id(name),
                    "channel": channel_id,
                    "channel_type": "C",
                    "team": TEAM_ID,
                }
            )
        members = ", ".join("@" + n for n in self.space.members[channel]) or "(inga)"
        self.say(f"#{channel} har nu medlemmarna {members}.")

    # -- forms, clicks, time -----------------------------------------------------------------

    def _walk_forms(self) -> None:
        while self.views:
            view, view_id = self.views.pop(0)
            if view.get("type", "modal") == "modal":
                self._walk(view, view_id)

    def _walk(self, view: dict[str, Any], view_id: str) -> None:
        self.say(heading(view))
        blocks = inputs(view)
        people = {n: p.user_id for n, p in self.space.people.items()}
        state: dict[str, dict[str, Any]] = {}
        user_id = self.space.user_id(self.user)
        while True:
            try:
                ask_fields(blocks, self.lines.ask, self.say, people, self._suggest(view), state)
            except Cancelled:
                self.say("── formuläret stängdes utan att skickas ──\n")
                return
            payload = view_submission(
                str(view.get("callback_id") or ""),
                state,
                user_id=user_id,
                private_metadata=str(view.get("private_metadata") or ""),
            )
            payload["view"].update(id=view_id or "V0001", blocks=view.get("blocks") or [])
            response = self._dispatch(interactive_body(payload))
            updated = _updated_view(response.body)
            if updated is not None:  # the same form back, with a question (Spara ändå)
                view, blocks = updated, inputs(updated)
                for block in view.get("blocks") or []:
                    if block.get("type") == "section":
                        self.say(render_message({"text": (block.get("text") or {}).get("text")}))
                self.say("Rätta eller kryssa i och skicka igen: tom rad behåller det du skrev.")
                continue
            errors = _field_errors(response.body)
            if not errors:
                self._walk_forms()  # a submission may open another
                return
            self.say("Formuläret skickades inte:")
            for block in blocks:
                if block.get("block_id") in errors:
                    label = render_message({"text": (block.get("label") or {}).get("text", "")})
                    self.say(f"  {label.strip() or block['block_id']}: {errors[block['block_id']]}")
            self.say("Rätta och skicka igen: tom rad behåller det du skrev [inom hakparentes].")

    def _suggest(self, view: dict[str, Any]) -> Callable[[dict[str, Any], str], list[Any]]:
        def suggest(block: dict[str, Any], typed: str) -> list[Any]:
            element = block.get("element") or {}
            payload = {
                "type": "block_suggestion",
                "team": {"id": TEAM_ID},
                "user": {"id": self.space.user_id(self.user), "team_id": TEAM_ID},
                "api_app_id": "A0001",
                "container": {"type": "view", "view_id": view.get("id", "")},
                "view": view,
                "block_id": block.get("block_id"),
                "action_id": element.get("action_id"),
                "value": typed,
            }
            response = self._dispatch(interactive_body(payload))
            answer = _json(response.body)
            options = list(answer.get("options") or [])
            for group in answer.get("option_groups") or []:
                options += group.get("options") or []
            return options

        return suggest

    def _travel(self, when: str) -> None:
        """`:klocka 2026-12-04 09:00`: move the clock, then send what has fallen due."""
        try:
            at = datetime.fromisoformat(when.strip().replace(" kl. ", " ").replace(".", ":"))
        except ValueError:
            self.say("Till exempel: :klocka 2026-12-04 09:00")
            return
        clock = self.bot.product.clock
        assert isinstance(clock, OffsetClock)
        clock.set(at.replace(tzinfo=self.bot.product.tz) if at.tzinfo is None else at)
        self.say(f"Klockan är nu {when.strip()}.")
        report = self.bot.reminders.tick()
        if report.sent or report.failed:
            self.say(reminder_texts.reminders_sent(len(report.sent), len(report.failed)))

    def _click(self, words: str) -> None:
        """`:klicka Kommer inte` or `:klicka Klart U-1`: press the newest button shown with
        that label (and for that reference, when one is given)."""
        label, _, ref = words.rpartition(" ")
        button = self._button(words, "") or (self._button(label, ref) if label else None)
        if button is None:
            self.say("Ingen sådan knapp. Till exempel: :klicka Klart U-1")
            return
        user_id = self.space.user_id(self.user)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM_ID},
            "user": {"id": user_id, "team_id": TEAM_ID},
            "api_app_id": "A0001",
            "trigger_id": f"trigger-a{next(self.counter)}",
            "actions": [
                {
                    "type": "button",
                    "action_id": button.action_id,
                    "block_id": "b",
                    "value": button.value,
                    "text": {"type": "plain_text", "text": button.label},
                }
            ],
        }
        if button.view is not None:  # the Home tab: no channel and no response_url
            payload["container"] = {"type": "view", "view_id": button.view.get("id")}
            payload["view"] = button.view
        else:
            channel = button.channel or "D" + user_id
            key = f"a{next(self.counter)}"
            self.replies[key] = channel
            payload["channel"] = {"id": channel}
            payload["container"] = {"type": "message", "channel_id": channel}
            payload["response_url"] = self.slack.response_url(key, channel=channel, user=user_id)
        self._dispatch(interactive_body(payload))
        self._walk_forms()

    def _button(self, label: str, ref: str) -> Button | None:
        for button in reversed(self.buttons):
            if button.label.lower() == label.lower() and (
                not ref or ref.upper() in button.value.upper()
            ):
                return button
        return None


def _json(value: Any) -> dict[str, Any] | Any:
    if isinstance(value, (str, bytes)):
        try:
            return json.loads(value) if value else {}
        except json.JSONDecodeError:
            return {}
    return value if value is not None else {}


def _updated_view(body: Any) -> dict[str, Any] | None:
    answer = _json(body)
    if isinstance(answer, dict) and answer.get("response_action") == "update":
        view = answer.get("view")
        return view if isinstance(view, dict) else None
    return None


def _field_errors(body: Any) -> dict[str, str]:
    answer = _json(body)
    if isinstance(answer, dict) and answer.get("response_action") == "errors":
        return {str(k): str(v) for k, v in (answer.get("errors") or {}).items()}
    return {}


def _where(channel: str, names: dict[str, str], name_of: Callable[[str], str | None]) -> str:
    if channel.startswith(("U", "W", "D")):
        user = channel[1:] if channel.startswith("D") else channel
        return f"DM till @{name_of(user) or names.get(user, user)}"
    return "#" + names.get(channel, channel)


def _describe(
    call: Call, names: dict[str, str], name_of: Callable[[str], str | None]
) -> str | None:
    args = call.args
    if call.method == "response_url":
        where = "bara för dig" if args.get("response_type", "ephemeral") == "ephemeral" else None
        if args.get("delete_original"):
            return "── (meddelandet togs bort) ──\n"
        if where is None:
            channel = (call.response or {}).get("channel") or ""
            where = "#" + names.get(channel, channel) if channel else "i kanalen"
        if args.get("replace_original"):
            where += ", ersätter meddelandet"
        return _boxed(where, render_message(args, names))
    if call.method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
        where = _where(str(args.get("channel", "")), names, name_of)
        if call.method == "chat.postEphemeral":
            user = str(args.get("user") or "")
            where += f", bara för @{name_of(user) or names.get(user, user)}"
        if call.method == "chat.update":
            where += ", uppdaterat"
        return _boxed(where, render_message(args, names))
    return None


def _boxed(where: str, body: str) -> str:
    return f"── {where} ──\n{body}\n"


def _free_path(folder: Path, name: str) -> Path:
    path = folder / name
    stem, suffix = path.stem, path.suffix
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}{suffix}"
        number += 1
    return path


def _feed_server(settings: Settings, product: Product) -> tuple[WebServer | None, str | None]:
    """With PUBLIC_BASE_URL set, the shell serves the calendar feeds itself: on its port when
    it is a loopback address, else on a free port of 127.0.0.1 (the links then point there)."""
    if not settings.public_base_url:
        return None, None
    parts = urlsplit(settings.public_base_url)
    port = parts.port or 0 if parts.hostname in LOOPBACK else 0
    try:
        server = WebServer(None, product.db, "127.0.0.1", port, product=product, threads=2)
    except OSError:  # taken (or 80 without the right to it)
        server = WebServer(None, product.db, "127.0.0.1", 0, product=product, threads=2)
    server.start()
    if parts.hostname in LOOPBACK and server.port == parts.port:
        return server, settings.public_base_url
    return server, f"http://127.0.0.1:{server.port}"


def main(
    settings: Settings,
    lines: Iterable[str] | None = None,
    out: TextIO = sys.stdout,
    *,
    today: date | None = None,
    files: Path = FILES,
) -> int:
    with LocalSlack() as slack:
        space = Workspace.start(slack)
        local = replace(
            settings,
            bot_token="xoxb-lokal",
            app_token=None,
            signing_secret=SECRET,
            api_url=slack.url,
        )
        clock = OffsetClock()
        if today:
            clock.set(datetime.combine(today, time(9), settings.tz))
        reader = Lines(out, lines)
        print(f"ledningsbot – lokalt skal på {settings.database_url}. Skriv :hjälp.", file=out)
        product = build_product(local, clock)
        server, base = _feed_server(settings, product)
        if base and base != settings.public_base_url:
            product = replace(product, calendar=replace(product.calendar, public_base_url=base))
        # The work after each ack runs in the bot's pool, as in `ledningsbot run`; the shell
        # waits for it after each request, so its output comes before the next prompt.
        bot = build_bot(local, product)
        if server is not None:
            instead = (
                ""
                if base == settings.public_base_url
                else f" (i stället för {settings.public_base_url})"
            )
            print(f"Kalenderflödena serveras på {base}/kalender/…{instead}", file=out)
        shell = Shell(bot, slack, space, out, reader, files)
        slack.on_call(shell.printed)
        try:
            while True:
                line = reader.ask(f"@{shell.user} #{shell.channel}> ")
                if line is None or not shell.execute(line):
                    break
        finally:
            bot.close()
            if server is not None:
                server.stop()
    return 0
