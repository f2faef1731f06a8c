"""The scheduler wakes the reminder planner at the exact next send time, not only on its slow
safety tick. APScheduler runs on the wall clock, so this test does too: an AU meeting that
ends two seconds from now, whose summary is due in AU's channel at its end."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.core.clock import SystemClock
from bot.core.context import Ctx, Product, StaticDirectory
from bot.reminders import Reminders
from handlers.deliver import retry_handlers
from handlers.notify import SlackNotifier
from handlers.scheduler import Wakeups
from handlers.slack_standin import LocalSlack
from storage.models import Meeting
from tests.harness import PEOPLE, a_working_day, headers, run


def test_the_scheduler_wakes_at_the_next_send_time(
    product: Product, organs: None, slack: LocalSlack
) -> None:
    live = replace(product, clock=SystemClock())
    sara = Ctx(live, PEOPLE["sara"], "C0AU", StaticDirectory())
    tomorrow = a_working_day(live.today() + timedelta(days=1))
    assert "Planerat" in run(sara, "/mote", f"ny AU {tomorrow.isoformat()} 13-15")
    # The meeting is moved in the table to an end two seconds from now (/mote takes minutes).
    end = (datetime.now(UTC) + timedelta(seconds=2)).astimezone(live.tz)
    ends_on_the_stand_ins_clock = time.monotonic() + 2  # what the stand-in stamps calls with
    begin = end - timedelta(hours=1)
    with live.db.transaction(write=True) as session:
        meeting = session.exec(select(Meeting)).one()
        meeting.start_date, meeting.start_time = begin.date(), begin.time().replace(tzinfo=None)
        meeting.end_date, meeting.end_time = end.date(), end.time().replace(tzinfo=None)
        session.add(meeting)
    client = WebClient(token="xoxb-test", base_url=slack.url, retry_handlers=retry_handlers())
    # The safety tick runs at start (nothing is due yet) and then not for an hour.
    wakeups = Wakeups(Reminders(live, SlackNotifier(client)), safety=timedelta(hours=1))
    wakeups.start()
    try:
        (summary,) = slack.wait_for_calls("chat.postMessage", 1, timeout=10)
    finally:
        wakeups.stop()
    assert summary.args["channel"] == "C0AU"
    assert headers(summary.args)[0].startswith("📋 Uppdrag efter AU-möte")
    late = summary.at - ends_on_the_stand_ins_clock
    assert -0.05 <= late < 3, late  # at the end (to the stand-in's clock), not before


class _FailsFirst(Reminders):
    """Reminders whose first tick fails, as when the database is away for a moment."""

    failures = 0

    def tick(self) -> Any:
        if not self.failures:
            self.failures += 1
            raise OperationalError("SELECT …", {}, Exception("database is away"))
        return super().tick()


def test_a_failed_tick_is_logged_and_the_next_safety_tick_tries_again(
    product: Product, organs: None, slack: LocalSlack, caplog: pytest.LogCaptureFixture
) -> None:
    live = replace(product, clock=SystemClock())
    sara = Ctx(live, PEOPLE["sara"], "C0AU", StaticDirectory())
    tomorrow = a_working_day(live.today() + timedelta(days=1))
    assert "Planerat" in run(sara, "/mote", f"ny AU {tomorrow.isoformat()} 13-15")
    end = (datetime.now(UTC) + timedelta(seconds=0.5)).astimezone(live.tz)
    begin = end - timedelta(hours=1)
    with live.db.transaction(write=True) as session:
        meeting = session.exec(select(Meeting)).one()
        meeting.start_date, meeting.start_time = begin.date(), begin.time().replace(tzinfo=None)
        meeting.end_date, meeting.end_time = end.date(), end.time().replace(tzinfo=None)
        session.add(meeting)
    client = WebClient(token="xoxb-test", base_url=slack.url, retry_handlers=retry_handlers())
    reminders = _FailsFirst(live, SlackNotifier(client))
    # The first tick (at start) fails, so no exact wake-up is planned: only the next safety
    # tick, a second later, can send the summary.
    wakeups = Wakeups(reminders, safety=timedelta(seconds=1))
    started = time.monotonic()
    wakeups.start()
    try:
        (summary,) = slack.wait_for_calls("chat.postMessage", 1, timeout=10)
    finally:
        wakeups.stop()
    assert reminders.failures == 1
    assert summary.at - started >= 0.9  # the safety tick, not the failed first one
    assert headers(summary.args)[0].startswith("📋 Uppdrag efter AU-möte")
    failed = [r for r in caplog.records if "reminder tick failed" in r.getMessage()]
    assert failed and failed[0].exc_info is not None
