"""*Flytta till nästa möte* pressed before the meeting: the assignment goes to the organ's
meeting after that one, and waits for it when it is not planned yet."""

from __future__ import annotations

from datetime import datetime

import pytest
from slack_sdk import WebClient

from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Product
from bot.reminders import Reminders
from handlers.deliver import retry_handlers
from handlers.notify import SlackNotifier
from handlers.slack_standin import LocalSlack
from tests.harness import Harness, text_of


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


@pytest.fixture
def service(product: Product, slack: LocalSlack) -> Reminders:
    client = WebClient(token="xoxb-test", base_url=slack.url, retry_handlers=retry_handlers())
    return Reminders(product, SlackNotifier(client))


def test_pressed_before_the_meeting_it_waits_for_the_one_after(
    harness: Harness, organs: None, clock: FixedClock, service: Reminders, slack: LocalSlack
) -> None:
    clock.set(at("2026-09-07T08:00"))
    harness.command("/mote", "ny AU 18 september 13-15", channel="C0AU")
    harness.command("/uppdrag", "<@U0ANNA|anna> Ta fram underlag till nästa AU", channel="C0AU")
    harness.command("/uppdrag", "<@U0ANNA|anna> Boka lokal till nästa AU", channel="C0AU")
    clock.set(at("2026-09-13T10:00"))
    moved = text_of(harness.click("uppdrag_nasta_mote", "U-1|AU-260918", user="anna"))
    assert "till AU-mötet efter fredag 18 september" in moved
    assert "inte planerat än" in moved and "nästa AU-möte" not in moved
    # a meeting before the 18th is not the one after it
    harness.command("/mote", "ny AU 16 september 13-15", channel="C0AU")
    shown = text_of(harness.command("/uppdrag", "visa U-1"))
    assert "till AU-mötet efter fredag 18 september 2026 (inte planerat än)" in shown

    clock.set(at("2026-09-18T07:30"))  # the morning of the meeting it was due at
    service.tick()
    (dm,) = [d for d in slack.dms("U0ANNA") if "I dag är det AU-möte" in text_of(d)]
    assert "Boka lokal" in text_of(dm) and "Ta fram underlag" not in text_of(dm)

    clock.set(at("2026-09-18T16:00"))
    planned = text_of(harness.command("/mote", "ny AU 2 oktober 13-15", channel="C0AU"))
    assert "U-1 som väntade på mötet är nu till det" in planned
    shown = text_of(harness.command("/uppdrag", "visa U-1"))
    (line,) = [row for row in shown.splitlines() if row.startswith("`U-1`")]
    assert "till AU-261002 (fredag 2 oktober 2026)" in line
    assert "flyttad av <@U0SARA>: till AU-261002 (fredag 2 oktober 2026), när mötet" in shown


def test_pressed_when_the_next_is_planned_it_goes_there(
    harness: Harness, organs: None, clock: FixedClock
) -> None:
    clock.set(at("2026-09-07T08:00"))
    harness.command("/mote", "ny AU 18 september 13-15", channel="C0AU")
    harness.command("/mote", "ny AU 2 oktober 13-15", channel="C0AU")
    harness.command("/uppdrag", "<@U0ANNA|anna> Ta fram underlag till nästa AU", channel="C0AU")
    clock.set(at("2026-09-13T10:00"))
    moved = text_of(harness.click("uppdrag_nasta_mote", "U-1|AU-260918", user="anna"))
    assert "till AU-261002" in moved


def test_next_au_not_planned_is_settled_when_it_is(
    harness: Harness, organs: None, clock: FixedClock
) -> None:
    clock.set(at("2026-09-07T08:00"))
    harness.command("/uppdrag", "<@U0ANNA|anna> Ta fram underlag till nästa AU", channel="C0AU")
    assert "nästa AU-möte (inte planerat än)" in text_of(harness.command("/uppdrag", "visa U-1"))
    harness.command("/mote", "ny AU 18 september 13-15", channel="C0AU")
    assert "till AU-260918" in text_of(harness.command("/uppdrag", "visa U-1"))
