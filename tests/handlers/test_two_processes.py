"""Two `ledningsbot run` processes on one database, requests spread over both: the answer to
more load is more processes of the whole bot. Decisions are numbered uniquely, each reminder and
invitation goes out once, and both serve the same calendar feeds."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot import commands
from bot.core.clock import FixedClock
from bot.core.context import Ctx
from handlers.slack_standin import LocalSlack
from storage.db import Database
from storage.models import Decision, Organ
from tests.harness import PEOPLE, a_working_day, said, set_up_workspace, text_of
from tests.processes import RunProcess, url_of

SECRET = "two-processes"
MakeCtx = Callable[..., Ctx]


@pytest.fixture
def two_bots(db: Database, slack: LocalSlack) -> Iterator[tuple[RunProcess, RunProcess]]:
    set_up_workspace(slack)
    slack.set_members("C0LG", list(PEOPLE.values()))
    bots = (
        RunProcess(url_of(db), slack, secret=SECRET),
        RunProcess(url_of(db), slack, secret=SECRET),
    )
    try:
        for bot in bots:
            bot.wait_ready()
        yield bots
    finally:
        for bot in bots:
            err = bot.stop()
            assert bot.process.returncode == 0, err
            assert "Traceback" not in err, err


def _reminders_due_now(ctx: MakeCtx, clock: FixedClock, db: Database) -> list[str]:
    """An AU meeting next week whose reminders are due at once (the processes run on real time),
    and an open assignment for each of five people."""
    clock.set(datetime.now(UTC))
    meeting_day = a_working_day(clock.now().date() + timedelta(days=8))
    assert "Planerat" in said(commands.run(ctx(channel="C0AU"), "/mote", f"ny AU {meeting_day}"))
    for user_id in PEOPLE.values():
        said(commands.run(ctx(channel="C0AU"), "/uppdrag", f"<@{user_id}> Förbered till nästa AU"))
    with db.transaction(write=True) as session:
        au = session.exec(select(Organ).where(Organ.short_name == "AU")).one()
        au.reminder_lead_days = 10
        session.add(au)
    return sorted(PEOPLE.values())


def test_two_processes_share_one_database(
    ctx: MakeCtx,
    organs: None,
    clock: FixedClock,
    db: Database,
    slack: LocalSlack,
    request: pytest.FixtureRequest,
) -> None:
    owners = _reminders_due_now(ctx, clock, db)
    lg_day = a_working_day(clock.now().date() + timedelta(days=20))
    planned = said(commands.run(ctx(), "/mote", f"ny LG {lg_day} 9-12 Regionhuset"))
    lg_ref = re.search(r"`(LG-\d{6})`", planned)
    assert lg_ref, planned
    slack.delay("chat.postMessage", 0.05)  # so that the two processes' work overlaps
    first, second = request.getfixturevalue("two_bots")

    # Reminders: both schedulers catch up at start; each owner gets one DM.
    def reminder_dms() -> list[str]:
        return sorted(
            str(c.args["channel"])
            for c in slack.calls("chat.postMessage")
            if "Inför" in text_of(c.args) and "AU" in text_of(c.args)
        )

    slack.wait_for(lambda _calls: len(reminder_dms()) >= len(owners), timeout=30)

    def replies_to(key: str, user: str) -> str:
        return slack.response_url(key, channel="C0LG", user=PEOPLE[user])

    # Decisions: 20 at once, spread over both processes, numbered 1..20 with no gap or twin.
    threads = [
        threading.Thread(
            target=(first if n % 2 else second).command,
            args=("/beslut", f"Ledningsgruppen beslutar om punkt {n}", replies_to(f"d{n}", "sara")),
        )
        for n in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    replies = slack.wait_for_calls("response_url", 20, timeout=30)
    assert all("loggat" in text_of(r.args) for r in replies), [text_of(r.args) for r in replies]
    with db.transaction() as session:
        serials = sorted(session.exec(select(Decision.serial)).all())
    assert serials == list(range(1, 21))

    # Invitations: the same `/mote bjud in` to both at once; each member gets one invitation.
    invite_threads = [
        threading.Thread(
            target=bot.command,
            args=("/mote", f"bjud in {lg_ref[1]}", replies_to(f"i{n}", "magnus")),
            kwargs={"user": "magnus"},
        )
        for n, bot in enumerate((first, second))
    ]
    for thread in invite_threads:
        thread.start()
    for thread in invite_threads:
        thread.join()

    def invitations() -> list[str]:
        return sorted(
            str(c.args["channel"])
            for c in slack.calls("chat.postMessage")
            if lg_ref[1] in text_of(c.args) and str(c.args["channel"]).startswith("U")
        )

    slack.wait_for(lambda _calls: len(invitations()) >= len(PEOPLE), timeout=30)

    # Feeds: a link made by one process works in both, with the same calendar.
    first.command("/kalender", "", replies_to("k", "anna"), user="anna")
    calls = slack.wait_for(lambda cs: any(c.key == "k" for c in cs), timeout=10)
    (links,) = [text_of(c.args) for c in calls if c.key == "k"]
    token = re.search(r"/kalender/([A-Za-z0-9_-]+)\.ics", links)
    assert token, links
    bodies = [bot.get(f"/kalender/{token[1]}.ics") for bot in (first, second)]
    assert b"BEGIN:VCALENDAR" in bodies[0]
    assert bodies[0] == bodies[1]

    # Nothing went out twice, now that everything has settled: the stand-in saw each DM once.
    first.stop(), second.stop()
    assert reminder_dms() == owners
    assert invitations() == sorted(PEOPLE.values())
