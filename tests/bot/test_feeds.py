"""Calendar subscriptions: `/kalender` links, and the feeds fetched over real HTTP with their
validators (ETag, Last-Modified, 304), revocation and what each owner may see."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import event, text
from sqlmodel import col, select

from bot.calendar import feeds, ical
from bot.calendar import texts as calendar_texts
from bot.core.clock import FixedClock
from bot.core.context import CalendarConfig, Ctx, Product, StaticDirectory
from bot.meetings import texts as meeting_texts
from handlers.slack_standin import LocalSlack
from storage.db import Database
from storage.models import Assignment, AssignmentOwner, FeedToken, Meeting, Organ
from tests.harness import PEOPLE, Harness, MakeCtx, run, text_of

BASE = "https://ledningsbot.region.example"
LINK = re.compile(r"`(https://ledningsbot\.region\.example/kalender/([A-Za-z0-9_-]+)\.ics)`")
WEBCAL = re.compile(r"`(webcal://ledningsbot\.region\.example/kalender/[A-Za-z0-9_-]+\.ics)`")


@pytest.fixture
def feed_product(product: Product) -> Product:
    return replace(product, calendar=CalendarConfig(public_base_url=BASE))


@pytest.fixture
def web(feed_product: Product, slack: LocalSlack, organs: None) -> Iterator[Harness]:
    """LG's channel has sara, magnus, anna; AU's sara, roger; a meeting each and assignments."""
    with Harness(feed_product, slack) as running:
        slack.set_members("C0LG", ["U0SARA", "U0MAGNUS", "U0ANNA", "UBOT"])
        slack.set_members("C0AU", ["U0SARA", "U0ROGER"])
        running.command("/mote", "ny LG 7 december 9-12 Regionhuset, sal Kreativa rummet")
        running.command("/mote", "ny AU 8 december 13-15", channel="C0AU")
        running.command("/uppdrag", "<@U0ANNA|anna> Ta fram underlag om LINK till nästa LG")
        running.command("/uppdrag", "<@U0ROGER|roger> Skriv remissvaret till 4/12")
        yield running


def links(harness: Harness, user: str, text: str = "") -> list[tuple[str, str]]:
    """(title line, https URL) for each link in the /kalender answer."""
    reply = text_of(harness.command("/kalender", text, user=user))
    blocks = reply.split("\n*")
    return [
        (b.split("*")[0].lstrip("*"), m.group(1)) for b in blocks for m in [LINK.search(b)] if m
    ]


def fetch(
    harness: Harness, url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, Message, bytes]:
    """Status, headers (names are case-insensitive, as in HTTP) and body."""
    path = url.removeprefix(BASE)
    request = urllib.request.Request(harness.url + path, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def events(body: bytes) -> dict[str, Any]:
    """SUMMARY → VEVENT of a feed."""
    return {str(e["SUMMARY"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_kalender_gives_personal_and_organ_links_and_stores_only_hashes(
    web: Harness, slack: LocalSlack
) -> None:
    reply = web.command("/kalender", "", user="anna")
    assert reply["response_type"] == "ephemeral"
    shown = text_of(reply)
    found = LINK.findall(shown)
    assert len(found) == 2 and len(WEBCAL.findall(shown)) == 2
    assert "Min kalender" in shown and "LG – Ledningsgrupp för samordning" in shown
    assert "AU – Arbetsutskottet" not in shown  # anna is not in AU's channel
    assert "dela dem inte" in shown
    tokens = [token for _url, token in found]
    assert all(len(token) >= 32 for token in tokens)  # 24 bytes of HMAC, base64url
    with web.product.db.engine.connect() as connection:
        dump = repr(connection.execute(text("SELECT * FROM feedtoken")).all())
    assert not any(token in dump for token in tokens)
    assert all(feeds.hash_token(token) in dump for token in tokens)
    # sara belongs to both organs; a second /kalender gives the same links
    assert len(links(web, "sara")) == 3
    again = links(web, "anna")
    assert [u for _t, u in again] == [u for u, _t in found]
    for url, _token in found:
        assert fetch(web, url)[0] == 200


def test_feed_200_then_304_and_a_changed_meeting_changes_the_etag(
    web: Harness, slack: LocalSlack
) -> None:
    personal = links(web, "anna")[0][1]
    slack.clear()
    status, headers, body = fetch(web, personal)
    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', etag)  # strong
    assert modified.endswith("GMT")
    asked = [c.method for c in slack.calls() if c.method.startswith(("users.", "conversations."))]
    assert asked == []  # serving a feed never asks Slack

    cal = Calendar.from_ical(body)
    assert "METHOD" not in cal
    assert (
        str(cal["X-WR-CALNAME"]) == str(cal["NAME"]) == "Ledningsgruppen – mina möten och uppdrag"
    )
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body.decode()
    shown = events(body)
    meeting = shown["LG-möte"]
    assert meeting.decoded("DTSTART") == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert "Regionhuset, sal Kreativa rummet" in str(meeting["LOCATION"])
    deadline = shown["Uppdrag U-1: Ta fram underlag om LINK"]
    assert deadline.decoded("DTSTART") == date(2026, 12, 7)  # due at the LG meeting
    assert deadline.decoded("DTEND") == date(2026, 12, 8)
    assert "AU-möte" not in shown and not any("remissvaret" in s for s in shown)
    for component in cal.walk():
        assert not component.errors
    for vevent in cal.walk("VEVENT"):
        assert vevent.get("UID") and vevent.get("DTSTAMP") and vevent.get("SEQUENCE") is not None

    status, headers, again = fetch(web, personal, {"If-None-Match": etag})
    assert (status, again, headers["ETag"]) == (304, b"", etag)
    assert fetch(web, personal, {"If-Modified-Since": modified})[0] == 304
    assert fetch(web, personal, {"If-None-Match": '"something-else"'})[0] == 200
    status, headers, head = fetch(web, personal, method="HEAD")
    assert (status, head, headers["ETag"]) == (200, b"", etag)
    assert int(headers["Content-Length"]) == len(body)

    web.command("/mote", "flytta LG-261207 till 9 december 10-12", user="magnus")
    status, headers, moved = fetch(web, personal, {"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag
    meeting = events(moved)["LG-möte"]
    assert int(meeting["SEQUENCE"]) == 1
    assert meeting.decoded("DTSTART") == datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    # the deadline follows its meeting
    assert events(moved)["Uppdrag U-1: Ta fram underlag om LINK"].decoded("DTSTART") == date(
        2026, 12, 9
    )
    assert fetch(web, personal, {"If-None-Match": headers["ETag"]})[0] == 304
    # closing the assignment removes its deadline
    web.command("/uppdrag", "klar U-1", user="anna")
    status, _headers, closed = fetch(web, personal, {"If-None-Match": headers["ETag"]})
    assert status == 200 and not any(s.startswith("Uppdrag") for s in events(closed))


def test_revoked_unknown_and_malformed_tokens_get_the_same_bare_404(web: Harness) -> None:
    old = [url for _t, url in links(web, "anna")]
    renewed = text_of(web.command("/kalender", "ny-länk", user="anna"))
    assert "gamla länkar fungerar inte längre" in renewed
    new = LINK.findall(renewed)
    assert len(new) == 2
    expected = fetch(web, BASE + "/kalender/" + "A" * 32 + ".ics")
    assert expected[0] == 404 and expected[2] == b"finns inte\n"
    for url in [*old, BASE + "/kalender/kort.ics", BASE + "/kalender/../../etc.ics"]:
        status, _headers, body = fetch(web, url)
        assert (status, body) == (404, expected[2])
    for url, _token in new:
        assert fetch(web, url)[0] == 200


def test_a_feed_shows_only_what_its_owner_may_see(web: Harness, slack: LocalSlack) -> None:
    anna = dict(links(web, "anna"))
    personal = next(u for t, u in anna.items() if t.startswith("Min kalender"))
    organ = next(u for t, u in anna.items() if t.startswith("LG"))
    organ_feed = events(fetch(web, organ)[2])
    assert list(organ_feed) == ["LG-möte"]  # an organ feed: its sessions, no deadlines
    # invited to an AU meeting: that meeting is in her personal feed too
    web.command("/mote", "bjud in AU-261208 <@U0ANNA|anna>", channel="C0AU")
    assert "AU-möte" in events(fetch(web, personal)[2])
    # she leaves LG's channel: the LG feed is gone, LG's sessions leave her personal feed
    assert (
        web.event(
            {"type": "member_left_channel", "user": "U0ANNA", "channel": "C0LG"}, event_id="Ev1"
        )
        == 200
    )
    slack.wait_for(lambda _calls: fetch(web, organ)[0] == 404)
    assert "LG-möte" not in events(fetch(web, personal)[2])
    # and back again
    web.event(
        {"type": "member_joined_channel", "user": "U0ANNA", "channel": "C0LG"}, event_id="Ev2"
    )
    slack.wait_for(lambda _calls: fetch(web, organ)[0] == 200)
    # roger's feed has his own deadline, not anna's, and AU's meeting
    roger = links(web, "roger")[0][1]
    shown = events(fetch(web, roger)[2])
    assert "Uppdrag U-2: Skriv remissvaret" in shown and "AU-möte" in shown
    assert not any("LINK" in s for s in shown) and "LG-möte" not in shown


def test_cancelled_sessions_stay_a_month_as_cancelled(web: Harness, clock: FixedClock) -> None:
    feed = next(u for t, u in links(web, "sara") if t.startswith("LG"))
    web.command("/mote", "ställ in LG-261207 krockar", user="magnus")
    cancelled = events(fetch(web, feed)[2])["Inställt: LG-möte"]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 1
    clock.advance(timedelta(days=29))
    assert "Inställt: LG-möte" in events(fetch(web, feed)[2])
    clock.advance(timedelta(days=2))
    assert events(fetch(web, feed)[2]) == {}


def test_kalender_needs_public_base_url_and_explains_itself(ctx: MakeCtx, organs: None) -> None:
    answer = run(ctx("anna"), "/kalender", "")
    assert "PUBLIC_BASE_URL saknas" in answer and "https://" in answer
    assert "/kalender ny-länk" in run(ctx("anna"), "/kalender", "hjälp")
    assert "/kalender ny-länk" in run(ctx("anna"), "/kalender", "något annat")


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL the database is sent while the block runs (SQLAlchemy's engine events)."""
    seen: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def rendered(seen: list[str]) -> bool:
    """Whether a feed was rendered: only rendering reads the meetings; answering from the
    validators or from the cache of bodies reads the token, the organs and the stamp."""
    return any(re.search(r"\bmeeting\b", statement) for statement in seen)


def anna_in_lg(product: Product) -> tuple[Ctx, Ctx]:
    """Sara and Anna in LG's channel, with a directory that knows that without Slack."""
    directory = StaticDirectory(
        names={u: n for n, u in PEOPLE.items()}, members={"C0LG": ["U0ANNA"]}
    )
    return Ctx(product, "U0SARA", "C0LG", directory), Ctx(product, "U0ANNA", "C0LG", directory)


def token_of(link: feeds.Link) -> str:
    return link.https.rsplit("/", 1)[1].removesuffix(".ics")


def test_an_unchanged_feed_answers_304_without_rendering_also_after_a_restart(
    feed_product: Product, organs: None
) -> None:
    sara, anna = anna_in_lg(feed_product)
    run(sara, "/mote", "ny LG 7 december 9-12")
    (personal, _lg) = feeds.links(anna)
    token = token_of(personal)
    first = feeds.FeedServer(feed_product).get(token)
    etag = dict(first.headers)["ETag"]
    restarted = feeds.FeedServer(feed_product)  # an empty cache, as after a restart
    with statements(feed_product.db) as seen:
        unchanged = restarted.get(token, if_none_match=etag)
        weak_in_a_list = restarted.get(token, if_none_match=f'W/{etag}, "x"')
    assert (unchanged.status, unchanged.body, dict(unchanged.headers)["ETag"]) == (304, b"", etag)
    assert weak_in_a_list.status == 304
    assert seen and not rendered(seen)
    with statements(feed_product.db) as seen:
        again = restarted.get(token)  # a 200 needs the bytes
    assert rendered(seen)
    assert (again.status, again.body, dict(again.headers)["ETag"]) == (200, first.body, etag)
    with feed_product.db.transaction() as session:
        row = session.exec(select(FeedToken).where(FeedToken.organ_id.is_(None))).one()  # type: ignore[union-attr]
        assert row.etag == etag and row.state


def test_a_feed_is_byte_for_byte_what_ical_feed_makes_cold_or_warm(
    feed_product: Product, organs: None
) -> None:
    """Feeds are spliced from cached VEVENTs. What a calendar gets must be exactly one plain
    ical.feed of the owner's sessions (in date order) and open deadlines: from a process that
    just started, and from one that has every VEVENT cached, with timed, all-day, multi-day
    and cancelled sessions and deadlines at a meeting and on a day."""
    sara, anna = anna_in_lg(feed_product)
    for line in (
        "ny LG 7 december 9-12 Regionhuset, sal 3",
        "ny internat 1-2 februari",
        "ny workshop 17 november 2027",
        "ny LG 14 december 13-15",
    ):
        run(sara, "/mote", line)
    run(sara, "/mote", "ställ in LG-261214 krock")
    run(sara, "/uppdrag", '<@U0ANNA|anna> Ta fram underlag; om "LINK" till nästa LG')
    run(sara, "/uppdrag", "<@U0ANNA|anna> Skriv remissvar till 4/12")
    personal, lg = (token_of(link) for link in feeds.links(anna))
    server = feeds.FeedServer(feed_product)
    cold = [server.get(personal).body, server.get(lg).body]
    # Another person's deadline changes the state of every feed: both are rendered again,
    # now from the VEVENTs cached the first time, and must not change by a byte.
    run(sara, "/uppdrag", "<@U0ROGER|roger> Något annat till 4/12")
    with statements(feed_product.db) as seen:
        warm = [server.get(personal).body, server.get(lg).body]
    assert rendered(seen)
    restarted = feeds.FeedServer(feed_product)
    fresh = [restarted.get(personal).body, restarted.get(lg).body]
    assert cold == warm == fresh == plain_feeds(feed_product, "U0ANNA", "LG", cold[0])
    assert b"BEGIN:VTIMEZONE" in cold[0] and cold[0].count(b"BEGIN:VEVENT") == 6


def plain_feeds(product: Product, user_id: str, organ: str, served: bytes) -> list[bytes]:
    """The owner's personal feed and the organ's feed as one ical.feed call each makes them,
    from what is stored (here every session is the organ's, and no two are on the same day).
    A deadline's UID and SEQUENCE are the feed's own (`served`): how they are made is not
    what this compares."""
    identity = {
        str(e["SUMMARY"]): (str(e["UID"]), int(e["SEQUENCE"]))
        for e in Calendar.from_ical(served).walk("VEVENT")
    }
    with product.db.transaction() as session:
        (row,) = session.exec(select(Organ).where(Organ.short_name == organ)).all()
        sessions = sorted(
            session.exec(select(Meeting).where(Meeting.organ_id == row.id)).all(),
            key=lambda m: m.start_date,
        )
        events = [
            ical.event_from_meeting(
                m, row.short_name, summary=meeting_texts.kind_label(m.kind, row)
            )
            for m in sessions
        ]
        owned = select(AssignmentOwner.assignment_id).where(AssignmentOwner.user_id == user_id)
        deadlines = []
        for a in session.exec(
            select(Assignment)
            .where(col(Assignment.id).in_(owned), Assignment.status == "öppen")
            .order_by(col(Assignment.id))
        ).all():
            meeting = session.get(Meeting, a.due_meeting_id) if a.due_meeting_id else None
            day = meeting.start_date if meeting else a.due_date
            assert day is not None
            summary = calendar_texts.deadline_summary(a.ref, a.what)
            uid, sequence = identity[summary]
            deadlines.append(
                ical.Deadline(
                    uid=uid,
                    summary=summary,
                    day=day,
                    description=calendar_texts.deadline_description(
                        a.what, a.report_to, meeting.ref if meeting else None
                    ),
                    updated_at=max(a.updated_at, meeting.updated_at if meeting else a.updated_at),
                    sequence=sequence,
                )
            )
        name = calendar_texts.feed_organ_name(row.short_name, row.name)
    now, tz = product.now(), product.tz
    return [
        ical.feed(calendar_texts.FEED_PERSONAL_NAME, events, now=now, tz=tz, deadlines=deadlines),
        ical.feed(name, events, now=now, tz=tz),
    ]


def test_every_change_a_feed_shows_raises_the_stamp_once_per_transaction(
    ctx: MakeCtx, organs: None
) -> None:
    from storage.models import CalendarStamp

    def stamp() -> int:
        with ctx().db.transaction() as session:
            return session.exec(select(CalendarStamp.version)).one()

    first = stamp()
    run(ctx(), "/mote", "ny LG 7 december 9-12")
    assert stamp() == first + 1
    run(ctx(), "/beslut", "Ledningsgruppen beslutar enligt förslag")
    assert stamp() == first + 1  # decisions are not in feeds
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Skriv remissvar till 4/12")
    assert stamp() == first + 2  # a deadline is: once, in the same transaction
    run(ctx(), "/uppdrag", "klar U-1")
    run(ctx(), "/mote", "flytta LG-261207 till 8 december 9-12")
    run(ctx(), "/organ", "sammankallande AU <@U0ANNA|anna>")
    assert stamp() == first + 5


def test_a_deactivated_users_links_stop_working(web: Harness, slack: LocalSlack) -> None:
    (_title, url), *_ = links(web, "anna")
    assert fetch(web, url)[0] == 200
    user = {"id": "U0ANNA", "deleted": True, "name": "anna"}
    assert web.event({"type": "user_change", "user": user}, event_id="EvGone") == 200
    slack.wait_for(lambda _calls: fetch(web, url)[0] == 404)  # done after the ack
    with web.product.db.engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM organmember WHERE user_id = 'U0ANNA'"))
        assert left.scalar_one() == 0


def test_home_tab_shows_the_meetings_of_my_organs(web: Harness, slack: LocalSlack) -> None:
    links(web, "roger")  # /kalender: the members of LG's and AU's channels are now known
    assert web.event({"type": "app_home_opened", "user": "U0ROGER"}, event_id="EvHome") == 200

    def roger_sees_only_au(calls: list[Any]) -> bool:
        # (earlier Home tabs, published before membership was known, showed every organ)
        return any(
            c.method == "views.publish"
            and c.args["user_id"] == "U0ROGER"
            and "AU-261208" in text_of(c.args["view"])
            and "LG-261207" not in text_of(c.args["view"])  # roger is in AU only
            for c in calls
        )

    slack.wait_for(roger_sees_only_au)


def test_the_bodies_kept_in_memory_are_bounded_by_bytes(
    feed_product: Product, organs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Feed bodies are kept for the next request, but never more than CACHE_BYTES of them: the
    least recently served go first, and a body served again after a change replaces its old
    one in the count."""
    everyone = list(PEOPLE.values())
    directory = StaticDirectory(names={u: n for n, u in PEOPLE.items()}, members={"C0LG": everyone})
    run(Ctx(feed_product, "U0SARA", "C0LG", directory), "/mote", "ny LG 7 december 9-12")
    everyone.sort(key=lambda user: user != "U0ANNA")
    # Five personal feeds, alike: the same LG meeting, nothing else.
    tokens = [token_of(feeds.links(Ctx(feed_product, u, "C0LG", directory))[0]) for u in everyone]
    bodies = {feeds.FeedServer(feed_product).get(token).body for token in tokens}
    (body,) = bodies
    size = len(body)
    monkeypatch.setattr(feeds, "CACHE_BYTES", 2 * size + size // 2)  # room for two
    server = feeds.FeedServer(feed_product)
    assert server.cached_bytes == 0
    for token in tokens:
        assert server.get(token).status == 200
        assert server.cached_bytes <= feeds.CACHE_BYTES
    assert server.cached_bytes == 2 * size  # the two served last: tokens[3] and tokens[4]

    def served_from_memory(token: str) -> bool:
        with statements(feed_product.db) as seen:
            assert server.get(token).status == 200
        return not rendered(seen)

    assert served_from_memory(tokens[3])  # now the most recently used of the two
    assert not served_from_memory(tokens[0])  # let go; kept now instead of …
    assert server.cached_bytes == 2 * size
    assert served_from_memory(tokens[3])
    assert not served_from_memory(tokens[4])  # … the least recently used
    assert server.cached_bytes == 2 * size

    monkeypatch.setattr(feeds, "CACHE_BYTES", 10 * size)
    server = feeds.FeedServer(feed_product)
    server.get(tokens[0])
    assert server.cached_bytes == size
    sara = Ctx(feed_product, "U0SARA", "C0LG", directory)
    run(sara, "/uppdrag", "<@U0ANNA|anna> Skriv remissvar till 4/12")  # anna's feed grows
    larger = server.get(tokens[0]).body
    assert len(larger) > size and server.cached_bytes == len(larger)  # the old one is let go
    # Requests for one feed at once, from a cold start: each renders it, one body is kept.
    server = feeds.FeedServer(feed_product)
    start, served = threading.Barrier(8), []

    def fetch_at_once() -> None:
        start.wait()
        served.append(server.get(tokens[0]).body)

    threads = [threading.Thread(target=fetch_at_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert served == [larger] * 8 and server.cached_bytes == len(larger)
