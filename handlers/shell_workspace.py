"""The local shell's workspace: its people and channels, which `:person`, `:kanal ny` and
`:medlemmar` add to and change, kept in step with the Slack stand-in the bot talks to."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from handlers.slack_standin import LocalSlack

NAME = re.compile(r"^[a-zåäö0-9][a-zåäö0-9._-]{0,79}$")


@dataclass(frozen=True)
class Person:
    name: str  # the handle, as in @anna
    user_id: str
    real_name: str
    admin: bool = False


# The people and channels the shell starts with. Sara is the secretary (an admin).
START_PEOPLE = (
    Person("sara", "U0SARA", "Sara Sekreterare", admin=True),
    Person("magnus", "U0MAGNUS", "Magnus Frithiof"),
    Person("anna", "U0ANNA", "Anna-Karin Pålsson"),
    Person("roger", "U0ROGER", "Roger Johansson"),
    Person("jenny", "U0JENNY", "Jenny Ek"),
)
START_CHANNELS = {
    "ledningsgrupp": ("C0LG", ["sara", "magnus", "anna", "roger", "jenny"]),
    "au": ("C0AU", ["sara", "magnus", "anna"]),
    "allmänt": ("C0ALLM", ["sara", "magnus", "anna", "roger", "jenny"]),
    "pg-avtal": ("C0PGAVTAL", ["jenny", "roger"]),
}
GENERAL = "allmänt"  # everyone joins it, as Slack's #general


@dataclass
class Workspace:
    slack: LocalSlack
    people: dict[str, Person] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)  # name -> id
    members: dict[str, list[str]] = field(default_factory=dict)  # channel name -> people

    @classmethod
    def start(cls, slack: LocalSlack) -> Workspace:
        space = cls(slack)
        for person in START_PEOPLE:
            space._add_person(person)
        for name, (channel_id, members) in START_CHANNELS.items():
            space.channels[name] = channel_id
            slack.set_channel(channel_id, name)
            space.set_members(name, members)
        return space

    # -- people -------------------------------------------------------------------------

    def user_id(self, name: str) -> str:
        return self.people[name].user_id

    def name_of(self, user_id: str) -> str | None:
        return next((p.name for p in self.people.values() if p.user_id == user_id), None)

    def add_person(self, name: str, real_name: str) -> Person:
        person = Person(
            name,
            self._new_id("U0", name, {p.user_id for p in self.people.values()}),
            real_name or name.capitalize(),
        )
        self._add_person(person)
        return person

    def _add_person(self, person: Person) -> None:
        self.people[person.name] = person
        self.slack.add_user(
            person.user_id,
            person.name,
            real_name=person.real_name,
            display_name=person.name,
            is_admin=person.admin,
            email=f"{_ascii(person.name)}@example.se",
        )

    # -- channels -----------------------------------------------------------------------

    def add_channel(self, name: str, members: list[str]) -> str:
        channel_id = self._new_id("C0", name, set(self.channels.values()))
        self.channels[name] = channel_id
        self.slack.set_channel(channel_id, name)
        self.set_members(name, members)
        return channel_id

    def set_members(self, channel: str, names: list[str]) -> tuple[list[str], list[str]]:
        """Set a channel's members; returns (joined, left)."""
        before = self.members.get(channel, [])
        after = list(dict.fromkeys(names))
        self.members[channel] = after
        self.slack.set_members(self.channels[channel], [self.user_id(n) for n in after])
        return [n for n in after if n not in before], [n for n in before if n not in after]

    @staticmethod
    def _new_id(prefix: str, name: str, taken: set[str]) -> str:
        stem = prefix + (re.sub(r"[^A-Z0-9]", "", _ascii(name).upper()) or "X")[:16]
        candidate, number = stem, 2
        while candidate in taken:
            candidate, number = f"{stem}{number}", number + 1
        return candidate

    # -- typing as in Slack -------------------------------------------------------------

    def as_slack_escapes(self, text: str) -> str:
        """Type as in Slack: @anna and #au become the escaped mentions Slack sends
        (should_escape), and &, <, > are escaped."""
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        def user(match: re.Match[str]) -> str:
            name = match.group(1).lower()
            person = self.people.get(name)
            return f"<@{person.user_id}|{name}>" if person else match.group(0)

        def channel(match: re.Match[str]) -> str:
            name = match.group(1).lower()
            channel_id = self.channels.get(name)
            return f"<#{channel_id}|{name}>" if channel_id else match.group(0)

        text = re.sub(r"(?<![\w<])@([\wåäöÅÄÖ.-]+\w|\w)", user, text)
        return re.sub(r"(?<![\w<&])#([\wåäöÅÄÖ-]+)", channel, text)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
