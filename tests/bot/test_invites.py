"""Calendar invitations end to end: `/mote bjud in` over real HTTP, DMs with RSVP buttons and
the .ics through the Slack stand-in, iMIP e-mail to a real SMTP server on loopback (aiosmtpd),
updates on move, cancellations, failures reported, nobody invited twice to one version."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from alembic import command
from icalendar import Calendar
from sqlalchemy import DateTime, bindparam, text
from sqlmodel import col, select

from bot import commands
from bot.calendar import invites
from bot.calendar.mail import Mailer, MailError, imip_message
from bot.core.clock import FixedClock
from bot.core.context import CalendarConfig, Ctx, Product, SmtpConfig, StaticDirectory
from bot.core.replies import Attachment, Message
from handlers.settings import SettingsError, load_settings
from handlers.slack_standin import LocalSlack
from storage.db import alembic_config
from storage.models import Delivery, Invitation, Meeting
from tests.harness import PEOPLE, Harness, MakeCtx, buttons, run, sara_in_lg, text_of
from tests.smtp import INVITE_FROM, Inbox, Mail

LG_MEMBERS = ["U0SARA", "U0MAGNUS", "U0ANNA", "U0ROGER", "UBOT"]  # UBOT: the bot, left out
INVITEES = ["U0SARA", "U0MAGNUS", "U0ANNA", "U0ROGER"]


@pytest.fixture
def cal(calendar_product: Product, slack: LocalSlack, organs: None) -> Iterator[Harness]:
    """The bot over HTTP with SMTP set up; LG's channel has sara, magnus, anna, roger (+ bot)."""
    with Harness(calendar_product, slack) as running:
        slack.set_members("C0LG", LG_MEMBERS)
        slack.set_members("C0AU", ["U0SARA", "U0JENNY"])
        running.command("/mote", "ny workshop 17 december 9-16 Regionhuset, sal Kreativa rummet")
        yield running


# ---------------------------------------------------------------------------- helpers


def report(slack: LocalSlack, needle: str, count: int = 1) -> list[str]:
    """Texts posted to response URLs that contain `needle`, once there are `count` of them."""

    def found(calls: list[Any]) -> list[str]:
        texts = [text_of(c.args) for c in calls if c.method == "response_url"]
        return [t for t in texts if needle in t]

    calls = slack.wait_for(lambda cs: len(found(cs)) >= count, timeout=10)
    return found(calls)


def uploads_for(slack: LocalSlack, user_id: str) -> list[Calendar]:
    return [
        Calendar.from_ical(f["content"])
        for f in slack.uploaded_files()
        if f["channel_id"] == "D" + user_id
    ]


def only_event(cal: Calendar) -> Any:
    (event,) = cal.walk("VEVENT")
    return event


def calendar_part(mail: Mail) -> tuple[EmailMessage, Calendar]:
    parts = list(mail.message.iter_parts())
    part = next(p for p in parts if p.get_content_type() == "text/calendar")
    assert isinstance(part, EmailMessage)
    return part, Calendar.from_ical(part.get_content())


def invitations(app: Product) -> dict[str, Invitation]:
    with app.db.transaction() as session:
        return {i.user_id: i for i in session.exec(select(Invitation)).all()}


State = tuple[int | None, str | None, int | None, str | None]


def delivery_states(app: Product, meeting_id: int | None = None) -> dict[str, State]:
    """Per invitee (of the one meeting invited to, or of `meeting_id`): (DM version last
    claimed, its row's status in the delivery ledger, the same for the e-mail)."""
    with app.db.transaction() as session:
        query = select(Invitation)
        if meeting_id is not None:
            query = query.where(Invitation.meeting_id == meeting_id)
        rows = session.exec(query).all()
        assert len({r.user_id for r in rows}) == len(rows), "one meeting at a time"
        ledger_rows = {d.id: d for d in session.exec(select(Delivery)).all()}

        def status(row_id: int | None) -> str | None:
            return ledger_rows[row_id].status if row_id is not None else None

        return {
            r.user_id: (
                r.dm_sequence,
                status(r.dm_delivery_id),
                r.mail_sequence,
                status(r.mail_delivery_id),
            )
            for r in rows
        }


def invitation_deliveries(app: Product) -> list[Delivery]:
    with app.db.transaction() as session:
        return list(
            session.exec(
                select(Delivery)
                .where(col(Delivery.kind).in_((invites.DM_KIND, invites.MAIL_KIND)))
                .order_by(col(Delivery.id))
            ).all()
        )


def meeting_uid(app: Product, ref: str) -> str:
    with app.db.transaction() as session:
        return session.exec(select(Meeting).where(Meeting.ref == ref)).one().uid


def assert_round_trip(ics: bytes) -> Calendar:
    cal = Calendar.from_ical(ics)
    for component in cal.walk():
        assert not component.errors, component.errors
    for event in cal.walk("VEVENT"):
        assert event.get("UID") and event.get("DTSTAMP") and event.get("SEQUENCE") is not None
    assert Calendar.from_ical(cal.to_ical()).to_ical() == cal.to_ical()
    return cal


# ---------------------------------------------------------------------------- invitations


def test_invite_the_organ_dm_buttons_ics_and_imip_mail(
    cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int]
) -> None:
    reply = cal.command("/mote", "bjud in LG-261217", user="magnus")
    assert "Bjuder in 4 personer till `LG-261217`" in text_of(reply)
    (done,) = report(slack, "Inbjudan för `LG-261217`")
    assert "4 DM och 4 e-post" in done and "✅" in done
    uid = meeting_uid(cal.product, "LG-261217")

    for user_id in INVITEES:
        (dm,) = slack.dms(user_id)
        text = text_of(dm)
        assert "<@U0MAGNUS> bjuder in dig till *Workshop (LG)*" in text
        assert "torsdag 17 december 2026 kl. 09.00–16.00, Regionhuset, sal Kreativa rummet" in text
        assert buttons(dm) == [
            ("Kommer", "mote_svar_kommer", "LG-261217"),
            ("Kommer inte", "mote_svar_kommer_inte", "LG-261217"),
            ("Kanske", "mote_svar_kanske", "LG-261217"),
        ]
        (ics,) = uploads_for(slack, user_id)
        event = only_event(ics)
        assert ics["METHOD"] == "REQUEST" and str(event["UID"]) == uid
        assert int(event["SEQUENCE"]) == 0
        assert str(event["ORGANIZER"]) == f"mailto:{INVITE_FROM}"
        name = next(n for n, u in PEOPLE.items() if u == user_id)
        assert str(event["ATTENDEE"]) == f"mailto:{name}@example.se"
    assert not slack.dms("UBOT") and not slack.dms("U0JENNY")

    handler, _port = inbox
    mails = handler.wait(4)
    assert sorted(r for m in mails for r in m.recipients) == sorted(
        f"{n}@example.se" for n in ("sara", "magnus", "anna", "roger")
    )
    for mail in mails:
        message = mail.message
        assert mail.sender == INVITE_FROM
        assert message.get_content_type() == "multipart/alternative"
        assert message["From"] == f"Ledningsbot <{INVITE_FROM}>"
        assert message["Subject"] == (
            "Inbjudan: Workshop (LG) torsdag 17 december 2026 kl. 09.00–16.00"
        )
        assert message["Message-ID"] and message["Date"]
        plain, calendar = list(message.iter_parts())
        assert plain.get_content_type() == "text/plain"
        assert plain.get_content_charset() == "utf-8"
        assert "bjuder in dig till Workshop (LG)" in plain.get_content()
        assert "Var: Regionhuset, sal Kreativa rummet" in plain.get_content()
        assert calendar.get_content_type() == "text/calendar"
        assert calendar.get_param("method") == "REQUEST"
        assert calendar.get_content_charset() == "utf-8"
        _part, ics = calendar_part(mail)
        assert ics["METHOD"] == "REQUEST"  # the body's METHOD equals the MIME method
        event = only_event(ics)
        attendees = event["ATTENDEE"]
        attendees = attendees if isinstance(attendees, list) else [attendees]
        assert f"mailto:{mail.recipients[0]}" in [str(a) for a in attendees]
        assert str(event["ORGANIZER"]) == f"mailto:{INVITE_FROM}"
        assert str(event["UID"]) == uid and "Kreativa rummet" in str(event["LOCATION"])

    rows = invitations(cal.product)
    assert sorted(rows) == sorted(INVITEES)
    assert set(delivery_states(cal.product).values()) == {(0, "skickad", 0, "skickad")}
    # one ledger row per DM (under the key the DM carries in Slack) and per e-mail
    meeting_id = next(iter(rows.values())).meeting_id
    ledger_rows = invitation_deliveries(cal.product)
    assert sorted((d.kind, d.key) for d in ledger_rows) == sorted(
        [("inbjudan", f"inbjudan:{meeting_id}:{u}:0") for u in INVITEES]
        + [("inbjudan-epost", f"inbjudan:{meeting_id}:{u}:0:epost") for u in INVITEES]
    )
    assert {d.recipient for d in ledger_rows} == set(INVITEES)
    assert all(d.message_ts for d in ledger_rows if d.kind == "inbjudan")
    assert all(d.attempts == 1 and d.sent_at is not None for d in ledger_rows)


def test_nobody_is_invited_twice_to_the_same_version(
    cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int]
) -> None:
    cal.command("/mote", "bjud in LG-261217", user="magnus")
    report(slack, "Inbjudan för")
    inbox[0].wait(4)
    again = cal.command("/mote", "bjud in LG-261217 <@U0ANNA|anna> LG", user="sara")
    assert "Alla (4) har redan fått inbjudan" in text_of(again)
    # a new person is invited, the others are not sent anything again
    again = cal.command("/mote", "bjud in LG-261217 <@U0JENNY|jenny> <#C0LG|ledningsgrupp>")
    assert "Bjuder in 1 person till `LG-261217`" in text_of(again)
    assert "4 hade redan fått inbjudan" in text_of(again)
    report(slack, "Inbjudan för", count=2)
    assert len(inbox[0].wait(5)) == 5
    assert [len(slack.dms(u)) for u in [*INVITEES, "U0JENNY"]] == [1, 1, 1, 1, 1]
    assert len(slack.uploaded_files()) == 5


def test_move_resends_same_uid_higher_sequence_and_cancel_sends_cancel(
    cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int]
) -> None:
    handler = inbox[0]
    cal.command("/mote", "bjud in LG-261217 <@U0ANNA|anna> <@U0ROGER|roger>", user="magnus")
    report(slack, "Inbjudan för")
    handler.wait(2)
    cal.click("mote_svar_kommer", "LG-261217", user="anna")
    uid = meeting_uid(cal.product, "LG-261217")

    moved = cal.command("/mote", "flytta LG-261217 till 18 december 10-12", user="magnus")
    assert moved["response_type"] == "in_channel"
    assert "De 2 inbjudna får den nya tiden" in text_of(moved)
    (update,) = report(slack, "Nya tiden för `LG-261217`")
    assert "2 DM och 2 e-post" in update
    for user_id in ("U0ANNA", "U0ROGER"):
        _first, second = uploads_for(slack, user_id)
        event = only_event(second)
        assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART") == datetime(2026, 12, 18, 9, 0, tzinfo=UTC)
        assert second["METHOD"] == "REQUEST"
    anna_dm = text_of(slack.dms("U0ANNA")[1])
    assert "har fått ny tid" in anna_dm and "fredag 18 december 2026 kl. 10.00–12.00" in anna_dm
    assert "Du har svarat *Kommer*" in anna_dm
    mails = handler.wait(4)
    assert {int(only_event(calendar_part(m)[1])["SEQUENCE"]) for m in mails[2:]} == {1}
    assert mails[2].message["Subject"].startswith("Ny tid: Workshop (LG) fredag 18 december")

    cancelled = cal.command("/mote", "ställ in LG-261217 krockar med budgetmötet", user="magnus")
    assert "De 2 inbjudna får beskedet" in text_of(cancelled)
    report(slack, "Avbokningen för `LG-261217`")
    for user_id in ("U0ANNA", "U0ROGER"):
        *_, last = uploads_for(slack, user_id)
        assert last["METHOD"] == "CANCEL"
        event = only_event(last)
        assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
        assert str(event["UID"]) == uid
        dm = slack.dms(user_id)[-1]
        assert "är inställt" in text_of(dm)
        assert buttons(dm) == []  # nothing to answer
    mails = handler.wait(6)
    for mail in mails[4:]:
        part, ics = calendar_part(mail)
        assert part.get_param("method") == "CANCEL" and ics["METHOD"] == "CANCEL"
        assert mail.message["Subject"].startswith("Inställt: ")
    # an RSVP to a cancelled meeting is refused politely
    assert "redan inställt" in text_of(cal.click("mote_svar_kanske", "LG-261217", user="roger"))


def test_one_failure_is_reported_and_does_not_stop_the_others(
    cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int]
) -> None:
    handler = inbox[0]
    slack.add_user("U0NOMAIL", "nomail")  # no e-mail in the profile
    slack.set_members("C0LG", [*LG_MEMBERS, "U0NOMAIL"])
    handler.refuse.add("roger@example.se")  # the SMTP server says no
    slack.fail_next("chat.postMessage", error="channel_not_found")  # the first DM (sara)
    cal.command("/mote", "bjud in LG-261217", user="magnus")
    (failed,) = report(slack, "inte allt kom fram")
    assert "4 DM och 3 e-post skickade" in failed
    assert "<@U0NOMAIL> – ingen e-postadress i Slack-profilen" in failed
    assert "<@U0ROGER> – e-postservern tog inte emot inbjudan (550 5.1.1" in failed
    assert "<@U0SARA> – Slack tog inte emot DM:et (channel_not_found)" in failed
    assert "kör `/mote bjud in LG-261217` igen" in failed
    assert [len(slack.dms(u)) for u in ("U0MAGNUS", "U0ANNA", "U0ROGER", "U0NOMAIL")] == [1] * 4
    assert not slack.dms("U0SARA")
    assert sorted(r for m in handler.wait(3) for r in m.recipients) == [
        "anna@example.se",
        "magnus@example.se",
        "sara@example.se",
    ]
    rows = invitations(cal.product)
    states = delivery_states(cal.product)
    assert states["U0SARA"] == (0, "misslyckad", 0, "skickad")
    assert states["U0ROGER"] == (0, "skickad", 0, "misslyckad")
    assert rows["U0NOMAIL"].mail_sequence is None and states["U0NOMAIL"][3] is None
    errors = {(d.recipient, d.kind): d.error for d in invitation_deliveries(cal.product)}
    assert "channel_not_found" in (errors["U0SARA", "inbjudan"] or "")
    assert "550 5.1.1" in (errors["U0ROGER", "inbjudan-epost"] or "")
    assert errors["U0SARA", "inbjudan-epost"] is None

    # Run again: only what failed goes out (Sara's DM, Roger's e-mail), nothing twice.
    handler.refuse.clear()
    cal.command("/mote", "bjud in LG-261217", user="magnus")
    report(slack, "Inbjudan för", count=2)
    assert len(slack.dms("U0SARA")) == 1 and len(slack.dms("U0ANNA")) == 1
    assert [m.recipients for m in handler.wait(4)[3:]] == [["roger@example.se"]]
    states = delivery_states(cal.product)
    assert states["U0SARA"][:2] == (0, "skickad") and states["U0ROGER"][2:] == (0, "skickad")


def test_rsvp_buttons_store_answers_shown_by_visa_and_the_attendance_list(
    cal: Harness, slack: LocalSlack, inbox: tuple[Inbox, int]
) -> None:
    cal.command("/mote", "bjud in LG-261217", user="magnus")
    report(slack, "Inbjudan för")
    answered = cal.click("mote_svar_kommer", "LG-261217", user="anna")
    assert answered["replace_original"] is True
    assert "Ditt svar: *Kommer* ✅" in text_of(answered)
    cal.click("mote_svar_kommer_inte", "LG-261217", user="roger")
    cal.click("mote_svar_kanske", "LG-261217", user="sara")
    cal.click("mote_svar_kommer", "LG-261217", user="sara")  # changed her mind
    refused = cal.click("mote_svar_kommer", "LG-261217", user="jenny")
    assert "inte bland de inbjudna" in text_of(refused)

    shown = text_of(cal.command("/mote", "visa LG-261217", user="jenny"))
    assert "Inbjudna: 4 (kommer 2 · kommer inte 1 · kanske 0 · inget svar 1)" in shown
    assert "*Kommer:* <@U0SARA>, <@U0ANNA>" in shown
    assert "*Kommer inte:* <@U0ROGER>" in shown and "*Inget svar:* <@U0MAGNUS>" in shown

    listed = text_of(cal.command("/mote", "närvaro LG-261217"))
    assert "*Närvarande (anmälda) (2):*" in listed
    slack.wait_for(lambda _calls: len(slack.uploaded_files()) > 4)
    (sheet,) = [f for f in slack.uploaded_files() if f["filename"] == "narvaro-LG-261217.txt"]
    content = sheet["content"].decode("utf-8")
    assert content.startswith("Workshop (LG) torsdag 17 december 2026 kl. 09.00–16.00")
    assert "Närvarande (anmälda):\nanna\nsara\n" in content
    assert "Anmält förhinder:\nroger\n" in content and "Inget svar:\nmagnus\n" in content


def test_invite_button_on_the_meeting_message(cal: Harness, slack: LocalSlack) -> None:
    scheduled = cal.command("/mote", "ny LG 10 december 9-12", user="magnus")
    assert buttons(scheduled) == [("Bjud in", "mote_bjud_in", "LG-261210")]
    clicked = cal.click("mote_bjud_in", "LG-261210", user="magnus")
    assert "Bjuder in 4 personer" in text_of(clicked)
    report(slack, "Inbjudan för `LG-261210`")
    refused = cal.click("mote_bjud_in", "LG-261210", user="anna")
    assert "bara sammankallande för LG eller en administratör" in text_of(refused)


def test_invite_errors_answer_in_swedish_with_an_example(ctx: MakeCtx, organs: None) -> None:
    run(ctx(), "/mote", "ny LG 10 december 9-12")
    run(ctx(), "/mote", "ny PG-AVTAL 11 december 9-12")
    assert "bara sammankallande" in run(ctx("anna"), "/mote", "bjud in LG-261210")
    answer = run(ctx(), "/mote", "bjud in LG-261210 kalle")
    assert "varken en person, en kanal eller ett organ" in answer
    assert "`/mote bjud in LG-261210 @Anna #au`" in answer  # the meeting the user wrote
    answer = run(ctx(), "/mote", "bjud in PG-AVTAL-261211")
    assert "har ingen kanal" in answer and "`/mote bjud in PG-AVTAL-261211 @Anna @Roger`" in answer
    # the example, as Slack sends it once the names are picked with @, invites them
    picked = run(ctx(), "/mote", "bjud in PG-AVTAL-261211 <@U0ANNA|anna> <@U0ROGER|roger>")
    assert "2 personer" in picked, picked
    assert "Jag hittar inget möte" in run(ctx(), "/mote", "bjud in LG-991231")
    assert "Skriv mötet" in run(ctx(), "/mote", "bjud in")
    # the static directory knows nobody in the channel
    assert "ingen att bjuda in" in run(ctx(), "/mote", "bjud in LG-261210")
    run(ctx(), "/mote", "ställ in LG-261210")
    assert "redan inställt" in run(ctx(), "/mote", "bjud in LG-261210 <@U0ANNA>")
    assert "bjud in" in run(ctx(), "/mote", "hjälp")


# ---------------------------------------------------------------------------- without Slack


class Postbox:
    """A Postman that keeps what it is given (no Slack), failing for chosen users."""

    def __init__(self, fail: set[str] | None = None) -> None:
        self.sent: list[tuple[str, Message, Attachment]] = []
        self.doubted: list[bool] = []  # per DM sent: was the postman told to look first?
        self.fail = fail or set()

    def send(
        self, user_id: str, message: Message, attachment: Attachment, key: str, *, doubt: bool
    ) -> None:
        if user_id in self.fail:
            raise invites.DeliveryError("nej")
        self.sent.append((user_id, message, attachment))
        self.doubted.append(doubt)


def test_a_claim_holds_until_stale_and_failures_are_retried(quiet: Ctx, clock: FixedClock) -> None:
    run(quiet, "/mote", "ny LG 10 december 9-12")
    first = invites.invite(quiet, "LG-261210", "")
    assert [j.user_id for j in first.jobs] == ["U0ANNA", "U0ROGER"]
    # A second sender while the first is still sending: nothing is claimed twice.
    second = invites.invite(quiet, "LG-261210", "")
    assert second.jobs == [] and second.in_flight == 2 and second.already == 0
    said = invites.planned_message(second)
    assert "på väg till 2 personer" in said and "Alla" not in said
    # The first sender died; after the lease the claims are taken again.
    clock.advance(quiet.app.lease + timedelta(seconds=1))
    third = invites.invite(quiet, "LG-261210", "")
    box = Postbox(fail={"U0ROGER"})
    result = invites.deliver(quiet.app, third, box)
    assert result.dms == 1 and result.failures == [("U0ROGER", "nej")]
    # Without SMTP the .ics is an event to add: nobody to answer, so no ORGANIZER or ATTENDEE.
    (user_id, _message, attachment) = box.sent[0]
    assert user_id == "U0ANNA" and attachment.filename == "LG-261210.ics"
    assert "mailto:" not in attachment.content.decode()
    retry = invites.invite(quiet, "LG-261210", "")
    assert [j.user_id for j in retry.jobs] == ["U0ROGER"]
    invites.deliver(quiet.app, retry, box := Postbox())
    assert Calendar.from_ical(box.sent[-1][2].content)["METHOD"] == "PUBLISH"


def test_a_batch_cut_short_by_a_crash_is_finished_by_the_safety_tick(
    quiet: Ctx, clock: FixedClock
) -> None:
    run(quiet, "/mote", "ny LG 10 december 9-12")
    invites.invite(quiet, "LG-261210", "")  # planned and claimed; the process dies here
    box = Postbox()
    assert invites.resume(quiet.app, box, str) == []  # within the lease: still someone's
    clock.advance(quiet.app.lease + timedelta(seconds=1))
    (report,) = invites.resume(quiet.app, box, str)
    assert report.dms == 2 and report.batch.sender == "U0SARA"
    # Taken over from a sender that may have reached them: the postman looks first.
    assert sorted(u for u, _m, _a in box.sent) == ["U0ANNA", "U0ROGER"]
    assert box.doubted == [True, True]
    clock.advance(quiet.app.lease + timedelta(seconds=1))
    assert invites.resume(quiet.app, box, str) == []
    assert "Alla (2) har redan fått" in invites.planned_message(
        invites.invite(quiet, "LG-261210", "")
    )


def test_a_slow_sender_is_not_overtaken_for_those_it_has_not_reached(
    quiet: Ctx, clock: FixedClock
) -> None:
    run(quiet, "/mote", "ny LG 10 december 9-12")
    slow = invites.invite(quiet, "LG-261210", "")
    # The first sender is slow: its claims go stale and a second sender takes over.
    clock.advance(quiet.app.lease + timedelta(seconds=1))
    fast = invites.invite(quiet, "LG-261210", "")
    assert [j.user_id for j in fast.jobs] == ["U0ANNA", "U0ROGER"]
    first_box, second_box = Postbox(), Postbox()
    invites.deliver(quiet.app, fast, second_box)
    invites.deliver(quiet.app, slow, first_box)  # finds its claims taken: sends nothing
    assert [u for u, _m, _a in second_box.sent] == ["U0ANNA", "U0ROGER"]
    assert first_box.sent == []


def test_a_sender_overtaken_during_a_slow_dm_leaves_the_e_mail_to_the_one_that_took_over(
    calendar_product: Product, inbox: tuple[Inbox, int], clock: FixedClock, organs: None
) -> None:
    """A DM slower than the claim's lease (a busy machine): another sender takes the claim
    over meanwhile and sends the DM (found) and the e-mail. The slow one must not send the
    e-mail too: it renews its claim before the e-mail and finds it gone."""
    ctx = sara_in_lg(calendar_product, "U0ANNA")
    run(ctx, "/mote", "ny LG 10 december 9-12")
    slow = invites.invite(ctx, "LG-261210", "")

    class Overtaken(Postbox):
        def send(
            self, user_id: str, message: Message, attachment: Attachment, key: str, *, doubt: bool
        ) -> None:
            super().send(user_id, message, attachment, key, doubt=doubt)
            clock.advance(calendar_product.lease + timedelta(seconds=1))
            (taken,) = invites.resume(calendar_product, Postbox(), str)  # the safety tick
            assert taken.mails == 1

    invites.deliver(calendar_product, slow, Overtaken())
    assert len(inbox[0].to("anna@example.se")) == 1


def test_a_newer_version_claimed_meanwhile_supersedes_the_one_not_yet_sent(
    quiet: Ctx, clock: FixedClock
) -> None:
    """The meeting is moved while the first invitation is still to be sent: the new time is
    claimed and the old version is superseded in the ledger, so its sender sends nothing, and
    the safety tick never sends it either."""
    run(quiet, "/mote", "ny LG 10 december 9-12")
    first = invites.invite(quiet, "LG-261210", "")
    clock.advance(timedelta(seconds=1))
    moved = commands.run(quiet, "/mote", "flytta LG-261210 till 11 december 9-12").invites
    assert moved is not None and moved.sequence == 1
    assert [j.user_id for j in moved.jobs] == ["U0ANNA", "U0ROGER"]
    assert not any(j.doubt for j in moved.jobs)  # a version never tried before
    old, new = Postbox(), Postbox()
    invites.deliver(quiet.app, first, old)
    assert old.sent == []
    invites.deliver(quiet.app, moved, new)
    assert [u for u, _m, _a in new.sent] == ["U0ANNA", "U0ROGER"]
    assert sorted(
        (d.recipient, d.key.rsplit(":", 1)[1], d.status) for d in invitation_deliveries(quiet.app)
    ) == [
        ("U0ANNA", "0", "ersatt"),
        ("U0ANNA", "1", "skickad"),
        ("U0ROGER", "0", "ersatt"),
        ("U0ROGER", "1", "skickad"),
    ]
    clock.advance(quiet.app.lease + timedelta(seconds=1))
    assert invites.resume(quiet.app, old, str) == [] and old.sent == []


def test_every_ics_round_trips_and_is_right_across_both_dst_changes(
    quiet: Ctx, clock: FixedClock
) -> None:
    """Last Friday of March (before the switch to summer time) and of October 2027."""
    box = Postbox()
    # Långfredagen: asked about first, then saved anyway
    run(replace(quiet, confirmed=True), "/mote", "ny LG 26 mars 2027 9-10 Regionhuset")
    quiet_invite = invites.invite(quiet, "LG-270326", "<@U0ANNA>")
    invites.deliver(quiet.app, quiet_invite, box)
    march = assert_round_trip(box.sent[-1][2].content)
    assert only_event(march).decoded("DTSTART").astimezone(UTC) == datetime(
        2027, 3, 26, 8, 0, tzinfo=UTC
    )
    (vtimezone,) = march.walk("VTIMEZONE")
    assert {str(c["RRULE"].to_ical(), "ascii") for c in vtimezone.subcomponents} == {
        "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    }
    assert all("RDATE" not in c for c in vtimezone.subcomponents)

    update = commands.run(quiet, "/mote", "flytta LG-270326 till 29 oktober 2027 9-10").invites
    assert update is not None and update.kind == invites.UPDATE
    assert invites.updates(quiet, "LG-270326") is None  # claimed by the move already
    invites.deliver(quiet.app, update, box)
    october = only_event(assert_round_trip(box.sent[-1][2].content))
    assert october.decoded("DTSTART").astimezone(UTC) == datetime(2027, 10, 29, 7, 0, tzinfo=UTC)
    assert "TZID=Europe/Stockholm" in box.sent[-1][2].content.decode()
    assert int(october["SEQUENCE"]) == 1

    cancel = commands.run(quiet, "/mote", "ställ in LG-270326").invites
    assert cancel is not None and cancel.kind == invites.CANCEL
    invites.deliver(quiet.app, cancel, box)
    cancelled = assert_round_trip(box.sent[-1][2].content)
    assert cancelled["METHOD"] == "PUBLISH" and int(only_event(cancelled)["SEQUENCE"]) == 2
    assert only_event(cancelled)["STATUS"] == "CANCELLED"  # without SMTP: no CANCEL, see ical

    # All-day sessions over several days: DATE values with an exclusive end.
    run(quiet, "/mote", "ny internat 1-2 februari 2027")
    invites.deliver(quiet.app, invites.invite(quiet, "LG-270201", "<@U0ANNA>"), box)
    internat = only_event(assert_round_trip(box.sent[-1][2].content))
    assert internat.decoded("DTSTART") == date(2027, 2, 1)
    assert internat.decoded("DTEND") == date(2027, 2, 3)


# ---------------------------------------------------------------------------- mail and settings


def test_imip_message_structure() -> None:
    ics = (
        b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nX-NOTE:\xc3\x85\xc3\x84\xc3\x96\r\nEND:VCALENDAR\r\n"
    )
    message = imip_message(
        sender=INVITE_FROM,
        sender_name="Ledningsbot",
        to="asa.oberg@example.se",
        to_name="Åsa Öberg",
        subject="Inbjudan: LG-möte måndag 7 december 2026 kl. 09.00–12.00",
        text="Hej Åsa!",
        ics=ics,
        method="REQUEST",
        now=datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
    )
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Subject"] == "Inbjudan: LG-möte måndag 7 december 2026 kl. 09.00–12.00"
    plain, calendar = parsed.iter_parts()
    assert plain.get_content().rstrip() == "Hej Åsa!"
    assert calendar["Content-Type"] == 'text/calendar; charset="utf-8"; method="REQUEST"'
    assert calendar.get_content().replace("\r\n", "\n") == ics.decode().replace("\r\n", "\n")
    assert all(len(line) <= 998 for line in message.as_bytes().split(b"\r\n"))


def test_mailer_reports_an_unreachable_server() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once closed
    message = EmailMessage()
    message["Subject"] = "x"
    message.set_content("x")
    config = SmtpConfig("127.0.0.1", port, starttls=False, timeout=2)
    with Mailer(config) as mailer, pytest.raises(MailError) as failed:
        mailer.send(message, sender=INVITE_FROM, recipient="anna@example.se")
    assert failed.value.kind == "unreachable"


def test_calendar_settings_are_checked_with_one_swedish_line() -> None:
    base = {"SMTP_HOST": "smtp.region.se", "INVITE_FROM": "Ledningsbot <bot@region.se>"}
    settings = load_settings({**base, "PUBLIC_BASE_URL": "https://bot.region.se/"}, None)
    config = settings.calendar_config()
    assert config.smtp == SmtpConfig("smtp.region.se", 587, starttls=True)
    assert (config.invite_from, config.invite_from_name) == ("bot@region.se", "Ledningsbot")
    assert config.public_base_url == "https://bot.region.se"
    assert load_settings({}, None).calendar_config() == CalendarConfig()
    with_password = load_settings({**base, "SMTP_USER": "u", "SMTP_PASSWORD": "hemligt"}, None)
    assert "hemligt" not in repr(with_password) + repr(with_password.calendar_config())
    for environ, name in [
        ({"SMTP_HOST": "smtp.region.se"}, "INVITE_FROM saknas"),
        ({**base, "SMTP_PORT": "smtp"}, "SMTP_PORT är fel"),
        ({**base, "SMTP_STARTTLS": "kanske"}, "SMTP_STARTTLS är fel"),
        ({**base, "SMTP_USER": "bot"}, "SMTP_PASSWORD saknas"),
        ({"INVITE_FROM": "inte en adress"}, "INVITE_FROM är fel"),
        ({**base, "SMTP_HOST": "smtp://x"}, "SMTP_HOST är fel"),
        ({"PUBLIC_BASE_URL": "bot.region.se"}, "PUBLIC_BASE_URL är fel"),
    ]:
        with pytest.raises(SettingsError) as error:
            load_settings(environ, None)
        assert name in str(error.value) and "\n" not in str(error.value)


def test_slack_rate_limits_are_waited_out_and_no_429_is_left(quiet: Ctx) -> None:
    """The stand-in enforces ~1 message/s per channel and a workspace cap, answering 429 with
    Retry-After; the postman waits (on the stand-in's clock, so the test does not sleep)."""
    from slack_sdk import WebClient

    from handlers.listeners.calendar import SlackPostman
    from handlers.slack_standin import RateLimits

    now = [0.0]
    limits = RateLimits(per_channel_per_second=1.0, burst=1, workspace_per_minute=6)
    people = [f"U0P{i:03d}" for i in range(15)]
    with LocalSlack(rate_limits=limits, clock=lambda: now[0]) as slack:
        client = WebClient(base_url=slack.url, token="xoxb-test")  # no retry handlers here
        postman = SlackPostman(client, sleep=lambda s: now.__setitem__(0, now[0] + s))
        run(quiet, "/mote", "ny LG 10 december 9-12")
        targets = " ".join(f"<@{u}>" for u in people)
        quiet.directory.names.update({u: u for u in people})  # type: ignore[attr-defined]
        batch = invites.invite(quiet, "LG-261210", targets)
        result = invites.deliver(quiet.app, batch, postman)
        assert result.dms == 15 and result.failures == []
        assert postman.rate_limited == len(slack.rejected("chat.postMessage")) > 0
        delivered = slack.calls("chat.postMessage")
        assert sorted(c.args["channel"] for c in delivered) == sorted(people)
        assert now[0] >= (15 - 6) * 10 - 10  # waited about as long as the limit demands
        assert len(slack.uploaded_files()) == 15


def test_a_dm_found_in_slack_gets_its_file_only_if_the_file_never_arrived() -> None:
    """After a crash, a 5xx or a time-out the invitation DM is looked for by its key; its .ics
    is looked for too (its share follows the DM in the conversation), and uploaded only if it
    is not there."""
    from slack_sdk import WebClient

    from handlers.listeners.calendar import SlackPostman

    ics = Attachment("LG-261210.ics", "LG 10 december", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    dm = Message("Inbjudan till LG 10 december")

    with LocalSlack() as slack:
        client = WebClient(base_url=slack.url, token="xoxb-test", timeout=1)

        def shared(user_id: str) -> list[str]:
            history = client.conversations_history(channel=user_id)["messages"]
            return [f["name"] for m in history for f in m.get("files") or []]

        postman = SlackPostman(client)
        # Both arrived, then the process died before recording it: nothing is sent again.
        postman.send("U0ANNA", dm, ics, "inbjudan:1:0:U0ANNA", doubt=False)
        postman.send("U0ANNA", dm, ics, "inbjudan:1:0:U0ANNA", doubt=True)
        assert len(slack.dms("U0ANNA")) == 1 and shared("U0ANNA") == ["LG-261210.ics"]
        # The DM arrived, its file did not: the file is uploaded, once.
        slack.fail_next("files.completeUploadExternal", error="internal_error")
        with pytest.raises(invites.DeliveryError):
            postman.send("U0ROGER", dm, ics, "inbjudan:1:0:U0ROGER", doubt=False)
        assert shared("U0ROGER") == []
        postman.send("U0ROGER", dm, ics, "inbjudan:1:0:U0ROGER", doubt=True)
        postman.send("U0ROGER", dm, ics, "inbjudan:1:0:U0ROGER", doubt=True)
        assert len(slack.dms("U0ROGER")) == 1 and shared("U0ROGER") == ["LG-261210.ics"]
        # Slack took the file but answered 500: unknown, checked later; found, not sent again.
        slack.fail_next("files.completeUploadExternal", status=500, after_delivery=True)
        with pytest.raises(invites.DeliveryError) as unknown:
            postman.send("U0JENNY", dm, ics, "inbjudan:1:0:U0JENNY", doubt=False)
        assert unknown.value.uncertain and shared("U0JENNY") == ["LG-261210.ics"]
        postman.send("U0JENNY", dm, ics, "inbjudan:1:0:U0JENNY", doubt=True)
        assert len(slack.dms("U0JENNY")) == 1 and shared("U0JENNY") == ["LG-261210.ics"]


# ---------------------------------------------------------------- installations from before 0018


def test_migration_0018_moves_the_invitations_delivery_state_into_the_ledger(
    calendar_product: Product, inbox: tuple[Inbox, int], clock: FixedClock, organs: None
) -> None:
    """Before 0018 an invitation kept its delivery state itself. Anna's DM was sent and her
    e-mail claimed (the sender died), Roger's DM failed; a series' first occurrence kept a
    claim for the series, a later one a claim from before 0014. After the upgrade each is a
    ledger row under the key it was sent with, and inviting again sends nothing twice: Roger's
    DM is tried once more (looked for first), Anna's e-mail is finished after the lease."""
    app = calendar_product
    directory = StaticDirectory(
        names={u: n for n, u in PEOPLE.items()},
        members={"C0LG": ["U0ANNA", "U0ROGER"], "C0AU": ["U0ANNA"]},
        emails={"U0ANNA": "anna@example.se"},
    )
    sara = Ctx(app, "U0SARA", "C0LG", directory)
    run(sara, "/mote", "ny LG 10 december 9-12")
    assert "3 möten" in run(
        sara, "/mote", "ny AU varje tisdag 13-14 från 1 december till 15 december"
    )
    with app.db.transaction() as session:
        single = session.exec(select(Meeting).where(Meeting.ref == "LG-261210")).one()
        first, later, _last = session.exec(
            select(Meeting).where(Meeting.organ_id != single.organ_id).order_by(col(Meeting.id))
        ).all()
    claimed_at = clock.now() - timedelta(seconds=5)
    config = alembic_config(app.db.url)
    command.downgrade(config, "0016")
    rows = [  # meeting, user, dm (sequence, status), mail (sequence, status), error
        (single, "U0ANNA", (0, "sent"), (0, "claimed"), None),
        (single, "U0ROGER", (0, "failed"), (None, None), "Slack tog inte emot DM:et (nej)"),
        (first, "U0ANNA", (0, "sent"), (0, "sent"), None),
        (later, "U0ANNA", (0, "sent"), (None, None), None),
    ]
    with app.db.engine.begin() as connection:
        for meeting, user, (dm_seq, dm_status), (mail_seq, mail_status), error in rows:
            connection.execute(
                text(
                    "INSERT INTO invitation (meeting_id, user_id, email, invited_by, invited_at,"
                    " dm_sequence, dm_status, mail_sequence, mail_status, claimed_at, error)"
                    " VALUES (:meeting, :user, :email, 'U0SARA', :at, :dm_seq, :dm_status,"
                    " :mail_seq, :mail_status, :at, :error)"
                ).bindparams(bindparam("at", type_=DateTime(timezone=True))),
                {
                    "meeting": meeting.id,
                    "user": user,
                    "email": "anna@example.se" if user == "U0ANNA" else None,
                    "at": claimed_at.astimezone(UTC),
                    "dm_seq": dm_seq,
                    "dm_status": dm_status,
                    "mail_seq": mail_seq,
                    "mail_status": mail_status,
                    "error": error,
                },
            )
    command.upgrade(config, "head")

    by_key = {d.key: d for d in invitation_deliveries(app)}
    assert {k: (d.kind, d.recipient, d.status) for k, d in by_key.items()} == {
        f"inbjudan:{single.id}:U0ANNA:0": ("inbjudan", "U0ANNA", "skickad"),
        f"inbjudan:{single.id}:U0ANNA:0:epost": ("inbjudan-epost", "U0ANNA", "skickas"),
        f"inbjudan:{single.id}:U0ROGER:0": ("inbjudan", "U0ROGER", "misslyckad"),
        f"inbjudan:serie:{first.series_uid}:U0ANNA:0": ("inbjudan", "U0ANNA", "skickad"),
        f"inbjudan:serie:{first.series_uid}:U0ANNA:0:epost": (
            "inbjudan-epost",
            "U0ANNA",
            "skickad",
        ),
        f"inbjudan:{later.id}:U0ANNA:0": ("inbjudan", "U0ANNA", "skickad"),
    }
    assert {d.claimed_at for d in by_key.values()} == {claimed_at}
    assert all(d.attempts == 1 and d.message is None for d in by_key.values())
    assert by_key[f"inbjudan:{single.id}:U0ROGER:0"].error == "Slack tog inte emot DM:et (nej)"
    assert by_key[f"inbjudan:{single.id}:U0ANNA:0"].sent_at == claimed_at
    assert delivery_states(app, single.id) == {
        "U0ANNA": (0, "skickad", 0, "skickas"),
        "U0ROGER": (0, "misslyckad", None, None),
    }
    assert delivery_states(app, first.id)["U0ANNA"] == (0, "skickad", 0, "skickad")

    # Inviting again: Roger's failed DM once more (looked for first: it may have arrived),
    # Anna's e-mail still someone's claim, her DM and the series' not at all.
    again = invites.invite(sara, "LG-261210", "")
    assert [(j.user_id, j.dm, j.mail, j.doubt) for j in again.jobs] == [
        ("U0ROGER", True, False, True)
    ]
    assert again.in_flight == 1 and again.already == 0
    box = Postbox()
    invites.deliver(app, again, box)
    assert [u for u, _m, _a in box.sent] == ["U0ROGER"] and box.doubted == [True]
    assert invites.invite(Ctx(app, "U0SARA", "C0AU", directory), first.ref, "").jobs == []
    # After the lease the safety tick finishes Anna's e-mail, once, and sends no DM.
    clock.advance(app.lease + timedelta(seconds=1))
    (resumed,) = invites.resume(app, box, str)
    assert (resumed.dms, resumed.mails) == (0, 1)
    assert len(inbox[0].wait(1)) == 1 and len(inbox[0].to("anna@example.se")) == 1
    assert [u for u, _m, _a in box.sent] == ["U0ROGER"]
    assert invites.resume(app, box, str) == []
    assert delivery_states(app, single.id) == {
        "U0ANNA": (0, "skickad", 0, "skickad"),
        "U0ROGER": (0, "skickad", None, None),
    }
    assert "Alla (2) har redan fått" in invites.planned_message(
        invites.invite(sara, "LG-261210", "")
    )
    # And back (best effort: each channel's state as the invitation kept it), and up again.
    command.downgrade(config, "0016")
    with app.db.engine.begin() as connection:
        kept = connection.execute(
            text(
                "SELECT user_id, dm_status, mail_status, error FROM invitation"
                " WHERE meeting_id = :id ORDER BY user_id"
            ),
            {"id": single.id},
        ).all()
    assert [tuple(r) for r in kept] == [
        ("U0ANNA", "sent", "sent", None),
        ("U0ROGER", "sent", None, None),
    ]
    command.upgrade(config, "head")
    assert delivery_states(app, single.id) == {
        "U0ANNA": (0, "skickad", 0, "skickad"),
        "U0ROGER": (0, "skickad", None, None),
    }


def test_an_e_mail_left_open_waits_while_smtp_is_off_and_goes_once_it_is_back(
    calendar_product: Product, organs: None, inbox: tuple[Inbox, int], clock: FixedClock
) -> None:
    """The process died with Anna's DM and e-mail claimed, and SMTP was then turned off: the
    safety tick finishes the DM, leaves the e-mail alone on every tick after (no batch, no
    names looked up), and sends it once when SMTP is set up again."""
    sara = sara_in_lg(calendar_product, "U0ANNA")
    run(sara, "/mote", "ny LG 10 december 9-12")
    (job,) = invites.invite(sara, "LG-261210", "").jobs  # claimed; the process dies here
    assert job.dm and job.mail
    no_smtp = replace(calendar_product, calendar=replace(calendar_product.calendar, smtp=None))
    clock.advance(calendar_product.lease + timedelta(seconds=1))
    looked_up: list[str] = []

    def name(user_id: str) -> str:
        looked_up.append(user_id)
        return user_id

    box = Postbox()
    (report,) = invites.resume(no_smtp, box, name)
    assert (report.dms, report.mails) == (1, 0)
    looked_up.clear()
    clock.advance(calendar_product.lease + timedelta(seconds=1))
    assert invites.resume(no_smtp, box, name) == [] and looked_up == []
    (back,) = invites.resume(calendar_product, box, name)
    assert (back.dms, back.mails) == (0, 1)
    assert len(inbox[0].wait(1)) == 1 and [u for u, _m, _a in box.sent] == ["U0ANNA"]
    assert invites.resume(calendar_product, box, name) == []


def test_too_many_invitees_are_refused_with_an_example_for_the_meeting(
    product: Product, organs: None
) -> None:
    crowd = StaticDirectory(
        names={u: n for n, u in PEOPLE.items()},
        members={"C0LG": [f"U9{n:05d}" for n in range(invites.MAX_INVITEES + 1)]},
    )
    sara = Ctx(product, "U0SARA", "C0LG", crowd)
    run(sara, "/mote", "ny LG 10 december 9-12")
    answer = run(sara, "/mote", "bjud in LG-261210")
    assert f"{invites.MAX_INVITEES + 1} personer är fler än jag bjuder in på en gång" in answer
    assert "`/mote bjud in LG-261210 #au`" in answer
