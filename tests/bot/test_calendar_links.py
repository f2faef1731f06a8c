"""`/kalender`: one stable link per person and feed (derived from the installation's secret and a
generation), `ny-länk` revokes, links from before stay until revoked; deadlines in feeds raise
SEQUENCE when they change and have UIDs no other installation uses."""

from __future__ import annotations

import re
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import func
from sqlmodel import select

from bot import commands
from bot.calendar import feeds
from bot.core.clock import FixedClock
from bot.core.context import CalendarConfig, Ctx, Product, StaticDirectory
from handlers.slack_standin import LocalSlack
from storage.db import Database
from storage.models import FeedToken
from tests.conftest import START
from tests.harness import PEOPLE, Harness, said, text_of

BASE = "https://ledningsbot.region.example"
LINK = re.compile(r"`(https://ledningsbot\.region\.example/kalender/[A-Za-z0-9_-]+\.ics)`")


@pytest.fixture
def feed_product(product: Product) -> Product:
    return replace(product, calendar=CalendarConfig(public_base_url=BASE))


@pytest.fixture
def web(feed_product: Product, slack: LocalSlack) -> Iterator[Harness]:
    """LG (sara, magnus, anna) with a meeting; anna owns an assignment due at it."""
    with Harness(feed_product, slack) as running:
        slack.set_members("C0LG", ["U0SARA", "U0MAGNUS", "U0ANNA", "UBOT"])
        running.command("/organ", "ny LG Ledningsgrupp för samordning <#C0LG|ledningsgrupp>")
        running.command("/mote", "ny LG 7 december 9-12 Regionhuset")
        running.command("/uppdrag", "<@U0ANNA|anna> Ta fram underlag till nästa LG")
        yield running


def kalender(harness: Harness, user: str, text: str = "") -> tuple[str, list[str]]:
    reply = text_of(harness.command("/kalender", text, user=user))
    return reply, LINK.findall(reply)


def fetch(harness: Harness, url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(harness.url + url.removeprefix(BASE), timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for work done after an ack (it calls no Slack method the stand-in could wait on)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within 5 s"
        time.sleep(0.01)


def rows(product: Product) -> int:
    with product.db.transaction() as session:
        return session.exec(select(func.count()).select_from(FeedToken)).one()


def deadline(body: bytes) -> Any:
    (event,) = [
        e for e in Calendar.from_ical(body).walk("VEVENT") if "Uppdrag" in str(e["SUMMARY"])
    ]
    return event


def test_kalender_gives_the_same_links_every_time_and_says_who_decides_the_refresh(
    web: Harness,
) -> None:
    reply, first = kalender(web, "anna")
    assert len(first) == 2  # personal and LG
    assert "bestämmer kalendertjänsten" in reply and "Google" in reply
    assert "varje timme" not in reply
    assert "samma länkar varje gång" in reply
    written = rows(web.product)
    for _ in range(3):
        assert kalender(web, "anna")[1] == first
    assert rows(web.product) == written
    assert all(fetch(web, url)[0] == 200 for url in first)


def test_600_calls_make_one_row_per_person_and_feed(feed_product: Product, organs: None) -> None:
    """Before: 361 rows after 600 calls. Now a person's links are written once."""
    members = ["U0ANNA", "U0ROGER", "U0MAGNUS"]
    directory = StaticDirectory(
        names={u: n for n, u in PEOPLE.items()}, members={"C0LG": members, "C0AU": ["U0SARA"]}
    )
    people = [*members, "U0SARA", "U0JENNY"]
    answers: dict[str, set[str]] = {u: set() for u in people}
    for n in range(600):
        user = people[n % len(people)]
        reply = said(commands.run(Ctx(feed_product, user, "C0LG", directory), "/kalender", ""))
        answers[user].add(reply)
    assert all(len(replies) == 1 for replies in answers.values())  # the same answer every time
    with feed_product.db.transaction() as session:
        tokens = session.exec(select(FeedToken)).all()
    per_person_and_feed: dict[tuple[str, int | None], int] = {}
    for token in tokens:
        key = (token.user_id, token.organ_id)
        per_person_and_feed[key] = per_person_and_feed.get(key, 0) + 1
    assert set(per_person_and_feed.values()) == {1}
    shown = sum(len(LINK.findall(next(iter(r)))) for r in answers.values())
    assert len(tokens) == shown  # one row per link handed out, not per call


def test_ny_lank_revokes_every_link_and_the_new_ones_stay(web: Harness) -> None:
    _reply, old = kalender(web, "anna")
    reply, new = kalender(web, "anna", "ny-länk")
    assert "gamla länkar fungerar inte längre" in reply
    assert len(new) == 2 and set(new).isdisjoint(old)
    assert [fetch(web, url)[0] for url in old] == [404, 404]
    assert [fetch(web, url)[0] for url in new] == [200, 200]
    assert kalender(web, "anna")[1] == new  # and /kalender now gives the new ones
    assert kalender(web, "sara")[1] != new  # somebody else's are their own


def test_a_deactivated_person_coming_back_gets_new_links(web: Harness) -> None:
    _reply, before = kalender(web, "anna")
    gone = {"id": "U0ANNA", "deleted": True, "name": "anna"}
    assert web.event({"type": "user_change", "user": gone}, event_id="EvGone") == 200
    eventually(lambda: [fetch(web, url)[0] for url in before] == [404, 404])  # after the ack
    web.slack.add_user("U0ANNA", "anna", email="anna@example.se")  # back in the workspace
    _reply, after = kalender(web, "anna")
    assert set(after).isdisjoint(before) and len(after) == 2
    assert [fetch(web, url)[0] for url in after] == [200, 200]


def test_links_from_before_the_upgrade_keep_working_until_ny_lank(web: Harness) -> None:
    """Tokens of old were random and only their hash was kept: they cannot be derived, so
    they stay valid (a subscribed calendar keeps updating) until the owner renews."""
    old_token = secrets.token_urlsafe(24)
    with web.product.db.transaction(write=True) as session:
        session.add(
            FeedToken(
                token_hash=feeds.hash_token(old_token),
                user_id="U0ANNA",
                organ_id=None,
                created_at=web.product.now(),
            )
        )
    old_url = f"{BASE}/kalender/{old_token}.ics"
    assert fetch(web, old_url)[0] == 200
    _reply, current = kalender(web, "anna")
    assert old_url not in current and fetch(web, old_url)[0] == 200
    kalender(web, "anna", "ny-länk")
    assert fetch(web, old_url)[0] == 404


def test_a_deadline_raises_its_sequence_when_it_changes(web: Harness) -> None:
    _reply, (personal, _lg) = kalender(web, "anna")
    first = deadline(fetch(web, personal)[1])
    uid = str(first["UID"])
    assert int(first["SEQUENCE"]) == 0 and str(first.decoded("DTSTART")) == "2026-12-07"
    web.command("/uppdrag", "status U-1 Utkast klart", user="anna")  # not in the event
    assert int(deadline(fetch(web, personal)[1])["SEQUENCE"]) == 0
    web.command("/uppdrag", "flytta U-1 till 14 december", user="anna")
    moved = deadline(fetch(web, personal)[1])
    assert (str(moved["UID"]), int(moved["SEQUENCE"])) == (uid, 1)
    assert str(moved.decoded("DTSTART")) == "2026-12-14"
    web.command("/uppdrag", "flytta U-1 till nästa LG", user="anna")
    assert int(deadline(fetch(web, personal)[1])["SEQUENCE"]) == 2
    # the meeting it is due at moves: the deadline moves with it, a new version
    web.command("/mote", "flytta LG-261207 till 9 december 9-12")
    followed = deadline(fetch(web, personal)[1])
    assert int(followed["SEQUENCE"]) == 3 and str(followed.decoded("DTSTART")) == "2026-12-09"
    web.command("/mote", "flytta LG-261209 till 9 december 13-15")  # same day: same deadline
    assert int(deadline(fetch(web, personal)[1])["SEQUENCE"]) == 3


def _uids(tmp_path: Path, name: str) -> tuple[str, str]:
    """(deadline UID, meeting UID) of assignment U-1 and meeting LG-261207 in a new database."""
    db = Database(f"sqlite:///{tmp_path / name}")
    db.upgrade()
    product = Product(
        db=db,
        clock=FixedClock(START),
        tz=START.tzinfo,  # type: ignore[arg-type]
        admins=frozenset({PEOPLE["sara"]}),
        calendar=CalendarConfig(public_base_url=BASE),
    )
    directory = StaticDirectory(members={"C0LG": ["U0ANNA"]})
    sara = Ctx(product, PEOPLE["sara"], "C0LG", directory)
    commands.run(sara, "/organ", "ny LG Ledningsgrupp för samordning <#C0LG|ledningsgrupp>")
    commands.run(sara, "/mote", "ny LG 7 december 9-12")
    commands.run(sara, "/uppdrag", "<@U0ANNA|anna> Ta fram underlag till nästa LG")
    personal = feeds.links(Ctx(product, "U0ANNA", "C0LG", directory))[0]
    body = feeds.FeedServer(product).get(personal.https.rsplit("/", 1)[1][: -len(".ics")]).body
    db.dispose()
    events = {str(e["SUMMARY"]): str(e["UID"]) for e in Calendar.from_ical(body).walk("VEVENT")}
    (deadline_uid,) = [uid for summary, uid in events.items() if summary.startswith("Uppdrag")]
    return deadline_uid, events["LG-möte"]


def test_uids_are_unique_across_installations(tmp_path: Path) -> None:
    here, there = _uids(tmp_path, "here.db"), _uids(tmp_path, "there.db")
    assert here[0] != there[0] and here[1] != there[1]  # the same U-1 and LG-261207
    assert all(uid.endswith("@ledningsbot") for uid in (*here, *there))
    uuid4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@ledningsbot"
    assert re.fullmatch(uuid4, here[1])  # meetings: a uuid4 each, unique already


def test_an_archived_organ_channel_keeps_its_members(web: Harness, slack: LocalSlack) -> None:
    """users.conversations leaves archived channels out: that is no news of who is in them."""
    first = kalender(web, "anna")[1]
    assert len(first) == 2  # personal and LG
    slack.archive("C0LG")
    assert kalender(web, "anna")[1] == first


def test_a_private_organ_channel_the_bot_left_keeps_its_members(
    web: Harness, slack: LocalSlack
) -> None:
    """Slack does not tell of a private channel the bot is not in: the asker stays in it."""
    slack.set_members("G0PRIV", ["U0SARA", "U0ANNA", "UBOT"])
    web.command("/organ", "ny PRIV Privat grupp <#G0PRIV|privat>")
    first = kalender(web, "anna")[1]
    assert len(first) == 3  # personal, LG and PRIV
    slack.set_bot_absent("G0PRIV")
    assert kalender(web, "anna")[1] == first
    slack.set_members("C0LG", ["U0SARA", "U0MAGNUS", "UBOT"])  # a channel the bot is in …
    assert len(kalender(web, "anna")[1]) == 2  # … still tells she left it


def test_an_organ_whose_channel_the_bot_cannot_read_is_not_on_everyones_home_tab(
    web: Harness, slack: LocalSlack
) -> None:
    """Not "not read yet" for ever: once Slack has said no, only its known members see it."""
    slack.set_members("G0PRIV", ["U0SARA", "U0ANNA"])
    slack.set_bot_absent("G0PRIV")
    web.command("/organ", "ny PRIV Privat grupp <#G0PRIV|privat>")
    web.command("/mote", "ny PRIV 8 december 9-12 Regionhuset")
    kalender(web, "magnus")

    def home_of(user_id: str, event_id: str) -> str:
        slack.clear()
        web.event(
            {"type": "app_home_opened", "user": user_id, "tab": "home", "channel": "D" + user_id},
            event_id=event_id,
        )
        (call,) = slack.wait_for_calls("views.publish", 1)
        return text_of(call.args["view"])

    assert "PRIV-" not in home_of("U0ROGER", "Ev-home-roger")
    assert "LG-" not in home_of("U0ROGER", "Ev-home-roger-2")  # read whole: not his either
    assert "LG-" in home_of("U0MAGNUS", "Ev-home-magnus")
