"""Reminders with real processes: two `ledningsbot reminders send` at once, and one killed with
SIGKILL in the middle of sending and started again. Each DM arrives exactly once."""

from __future__ import annotations

import re
import signal
import subprocess
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.core.clock import FixedClock
from handlers.slack_standin import Call, LocalSlack
from storage.db import Database
from storage.models import Delivery, Organ, Reminder
from tests.harness import PEOPLE, MakeCtx, a_working_day, run
from tests.processes import start, url_of


def _setup(ctx: MakeCtx, clock: FixedClock, db: Database) -> list[str]:
    """An AU meeting next week whose reminders are already due (the processes run on real time)."""
    clock.set(datetime.now(UTC))
    meeting_day = a_working_day(clock.now().date() + timedelta(days=8))
    answer = run(ctx(channel="C0AU"), "/mote", f"ny AU {meeting_day} 13-15")
    assert "Planerat" in answer, answer
    users = ["anna", "roger", "jenny", "magnus", "sara"]
    for user in users:
        answer = run(
            ctx(channel="C0AU"), "/uppdrag", f"<@{PEOPLE[user]}|{user}> Förbered till nästa AU"
        )
        assert "`U-" in answer, answer
    with db.transaction(write=True) as session:
        au = session.exec(select(Organ).where(Organ.short_name == "AU")).one()
        au.reminder_lead_days = 10  # so the first reminder is already due now
        session.add(au)
    return [PEOPLE[u] for u in users]


def _start(db: Database, slack: LocalSlack, *extra: str) -> subprocess.Popen[str]:
    return start(url_of(db), slack, "reminders", "send", *extra, SLACK_SIGNING_SECRET="test")


def _received(slack: LocalSlack) -> list[str]:
    return sorted(str(c.args["channel"]) for c in slack.calls("chat.postMessage"))


def test_two_processes_send_each_dm_once(
    ctx: MakeCtx, organs: None, clock: FixedClock, db: Database, slack: LocalSlack
) -> None:
    users = _setup(ctx, clock, db)
    slack.delay("chat.postMessage", 0.1)  # long enough for the two to overlap
    first, second = _start(db, slack), _start(db, slack)
    for process in (first, second):
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    assert _received(slack) == sorted(users)


def test_killed_mid_send_and_restarted(
    ctx: MakeCtx, organs: None, clock: FixedClock, db: Database, slack: LocalSlack
) -> None:
    users = _setup(ctx, clock, db)

    # The second DM reaches Slack, but its answer never reaches the bot: killed while waiting.
    def hold_from_the_second(call: Call) -> None:  # the bot sends one DM at a time
        if call.method == "chat.postMessage":
            slack.delay("chat.postMessage", 60, after_delivery=True)
            slack.remove_listener(hold_from_the_second)

    slack.on_call(hold_from_the_second)
    process = _start(db, slack)
    slack.wait_for_calls("chat.postMessage", 2, timeout=30)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    slack.delay("chat.postMessage", None, after_delivery=True)
    assert sorted(_statuses(db)) == ["skickad", "skickas"]  # one done, one left in the middle
    with db.transaction(write=True) as session:  # the claim is 400 s old by now
        for row in session.exec(_reminders()).all():
            row.claimed_at = row.claimed_at - timedelta(seconds=400)
            session.add(row)
    middle = _held(db)

    # With DELIVERY_LEASE=600 the claim may still be being sent: not taken over, by default.
    patient = start(
        url_of(db), slack, "reminders", "send", SLACK_SIGNING_SECRET="test", DELIVERY_LEASE="600"
    )
    _, err = patient.communicate(timeout=60)
    assert patient.returncode == 0, err
    assert _received(slack).count(middle) == 1
    assert _held(db) == middle  # still the one in the middle

    # A --lease too short for a send is refused as DELIVERY_LEASE is, with one that works.
    hasty = _start(db, slack, "--lease", "0")
    _, err = hasty.communicate(timeout=60)
    assert hasty.returncode == 2 and "--lease är för kort" in err, err
    example = re.search(r"`ledningsbot (reminders send --lease \d+)`", err)
    assert example is not None, err
    restarted = _start(db, slack, *example.group(1).split()[2:])
    _, err = restarted.communicate(timeout=60)
    assert restarted.returncode == 0, err
    assert _received(slack) == sorted(users)  # the one in the middle was not sent again
    assert set(_statuses(db)) == {"skickad"}


def _reminders():
    """The reminders' rows in the delivery ledger."""
    return select(Delivery).join(Reminder, Reminder.delivery_id == Delivery.id)


def _statuses(db: Database) -> list[str]:
    with db.transaction() as session:
        return [row.status for row in session.exec(_reminders()).all()]


def _held(db: Database) -> str | None:
    """The recipient of the reminder left being sent, if any."""
    with db.transaction() as session:
        rows = session.exec(_reminders().where(Delivery.status == "skickas")).all()
        return rows[0].recipient if len(rows) == 1 else None
