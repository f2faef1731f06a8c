"""Without SMTP the invitation's .ics is an event to add (METHOD:PUBLISH, nobody to answer), as a
calendar client reads it from the DM; moves and cancellations keep the UID and raise SEQUENCE."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from icalendar import Calendar

from bot.core.context import Product
from handlers.slack_standin import LocalSlack
from tests.harness import Harness, text_of


@pytest.fixture
def web(product: Product, slack: LocalSlack) -> Iterator[Harness]:
    """No SMTP (the default): invitations go as DMs only."""
    assert product.calendar.smtp is None
    with Harness(product, slack) as running:
        running.command("/organ", "ny LG Ledningsgrupp för samordning <#C0LG|ledningsgrupp>")
        running.command("/mote", "ny LG 7 december 9-12 Regionhuset")
        yield running


def files_to(slack: LocalSlack, user_id: str, count: int) -> list[Calendar]:
    slack.wait_for(
        lambda _calls: (
            sum(f["channel_id"] == "D" + user_id for f in slack.uploaded_files()) >= count
        )
    )
    return [
        Calendar.from_ical(f["content"])
        for f in slack.uploaded_files()
        if f["channel_id"] == "D" + user_id
    ]


def only_event(cal: Calendar) -> Any:
    (event,) = cal.walk("VEVENT")
    return event


def test_without_smtp_the_dm_file_is_publish_with_no_organizer_or_rsvp(
    web: Harness, slack: LocalSlack
) -> None:
    web.command("/mote", "bjud in LG-261207 <@U0ANNA|anna>")
    (first,) = files_to(slack, "U0ANNA", 1)
    assert first["METHOD"] == "PUBLISH"
    event = only_event(first)
    assert "ORGANIZER" not in event and "ATTENDEE" not in event
    assert b"RSVP" not in first.to_ical() and b"mailto:" not in first.to_ical()
    assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 0
    for component in first.walk():
        assert not component.errors
    uid = str(event["UID"])

    web.command("/mote", "flytta LG-261207 till 8 december 9-12")
    moved = only_event(files_to(slack, "U0ANNA", 2)[1])
    assert str(moved["UID"]) == uid and int(moved["SEQUENCE"]) == 1
    assert "ORGANIZER" not in moved

    web.command("/mote", "ställ in LG-261207 krockar")
    cancelled_file = files_to(slack, "U0ANNA", 3)[2]
    assert cancelled_file["METHOD"] == "PUBLISH"
    cancelled = only_event(cancelled_file)
    assert str(cancelled["UID"]) == uid and int(cancelled["SEQUENCE"]) == 2
    assert str(cancelled["STATUS"]) == "CANCELLED" and str(cancelled["TRANSP"]) == "TRANSPARENT"
    assert str(cancelled["SUMMARY"]).startswith("Inställt: ")
    assert "ORGANIZER" not in cancelled and "ATTENDEE" not in cancelled
    dm = text_of(slack.dms("U0ANNA")[-1])
    assert "inställt" in dm and "tar bort" not in dm
