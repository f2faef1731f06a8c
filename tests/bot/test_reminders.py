"""Reminders: a whole autumn of the group, with an injected clock, checked on what the Slack
stand-in received; exactly once across crashes, moves and two processes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from alembic import command
from slack_sdk import WebClient
from sqlalchemy import create_engine, text
from sqlmodel import select

from bot import commands, reminders
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Product
from bot.core.replies import Message
from bot.reminders import Reminders
from handlers.deliver import retry_handlers
from handlers.notify import SlackNotifier
from handlers.slack_standin import Call, LocalSlack
from storage.db import alembic_config, normalise_url
from storage.models import Delivery, Meeting, Reminder
from tests.harness import MakeCtx, buttons, run, said, text_of


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


@pytest.fixture
def service(product: Product, slack: LocalSlack) -> Reminders:
    client = WebClient(token="xoxb-test", base_url=slack.url, retry_handlers=retry_handlers())
    return Reminders(product, SlackNotifier(client))


def anna_due_at_au(ctx: MakeCtx, clock: FixedClock) -> None:
    """Monday 23 November: an AU meeting on the 30th, and Anna owes something to it."""
    clock.set(at("2026-11-23T08:00"))
    run(ctx(channel="C0AU"), "/mote", "ny AU 30 november 13-15")
    run(ctx(channel="C0AU"), "/uppdrag", "<@U0ANNA|anna> Något till nästa AU")


class Autumn:
    """The samples' group from August to November 2026."""

    def __init__(self, ctx: MakeCtx, clock: FixedClock, service: Reminders, slack: LocalSlack):
        self.ctx, self.clock, self.service, self.slack = ctx, clock, service, slack
        self.received: list[tuple[datetime, str, str]] = []
        slack.on_call(self._record)

    def _record(self, call: Call) -> None:
        if call.method == "chat.postMessage":
            when = self.clock.now().astimezone(STOCKHOLM)
            channel = (call.response or {}).get("channel") or call.args["channel"]
            self.received.append((when, str(channel), text_of(call.args)))

    def setup(self) -> None:
        self.clock.set(at("2026-08-17T08:00"))
        lg, au = self.ctx(channel="C0LG"), self.ctx(channel="C0AU")
        run(au, "/mote", "ny AU 7 september 13-15 Regionhuset")
        run(lg, "/mote", "ny LG 18 september 9-12 Regionhuset, sal Kreativa rummet")
        run(au, "/mote", "ny AU 5 oktober 13-15")
        run(lg, "/mote", "ny LG 16 oktober 9-12")
        run(au, "/mote", "ny AU 2 november 13-15")
        run(lg, "/mote", "ny LG 13 november 9-12")
        run(au, "/uppdrag", "<@U0ANNA|anna> Ta fram underlag om LINK till nästa AU")  # U-1
        run(lg, "/uppdrag", "<@U0ROGER|roger> Rapport om hemsjukvården till 15 september")  # U-2
        run(lg, "/uppdrag", "PG-AVTAL Uppdatera strategin för psykisk hälsa till LG 13 november")
        run(au, "/uppdrag", "<@U0ANNA|anna> Bevaka EHDS återkoppling till AU")  # U-4
        run(au, "/uppdrag", "<@U0JENNY|jenny> Boka lokal till 1 september")  # U-5

    def live_until(self, end: datetime, events: dict[datetime, Callable[[], object]]) -> None:
        """Wake up as the scheduler would: at each next send time, and at each event."""
        pending = sorted(events.items())
        while True:
            wake = self.service.next_wakeup()
            next_event = pending[0][0] if pending else None
            candidates = [t for t in (wake, next_event) if t is not None and t <= end]
            if not candidates:
                break
            moment = min(candidates)
            self.clock.set(moment)
            if pending and pending[0][0] == moment:
                pending.pop(0)[1]()
            self.service.tick()

    def dms(self) -> list[tuple[str, str, list[str]]]:
        refs = ["U-1", "U-2", "U-3", "U-4", "U-5"]
        return [
            (when.strftime("%m-%d %H.%M"), channel, [r for r in refs if f"`{r}`" in text])
            for when, channel, text in self.received
        ]


def test_a_whole_autumn(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders, slack: LocalSlack
) -> None:
    autumn = Autumn(ctx, clock, service, slack)
    autumn.setup()
    events = {
        at("2026-09-04T16:00"): lambda: run(ctx("jenny"), "/uppdrag", "klar U-5 Bokad"),
        at("2026-09-08T10:00"): lambda: run(ctx("anna"), "/uppdrag", "klar U-1"),
        # moved by a week after its first reminder: the owners hear again, for the new date
        at("2026-10-01T10:00"): lambda: run(
            ctx(), "/mote", "flytta AU-261005 till 12 oktober 13-15"
        ),
        at("2026-10-05T10:00"): lambda: run(ctx(), "/mote", "ställ in LG-261016"),
        # moved by a day after its first reminder: not repeated; the morning one follows
        at("2026-11-11T10:00"): lambda: run(
            ctx(), "/mote", "flytta LG-261113 till 12 november 9-12"
        ),
    }
    autumn.live_until(at("2026-11-30T00:00"), events)
    assert autumn.dms() == [
        ("09-02 09.00", "DU0ANNA", ["U-1", "U-4"]),
        ("09-02 09.00", "DU0JENNY", ["U-5"]),
        ("09-07 07.30", "DU0ANNA", ["U-1", "U-4"]),
        ("09-07 15.00", "C0AU", ["U-1", "U-4", "U-5"]),
        ("09-15 09.00", "DU0ROGER", ["U-2"]),
        ("09-18 07.30", "DU0ROGER", ["U-2"]),
        ("09-18 12.00", "C0LG", ["U-2"]),  # U-1 was AU's, closed after AU
        ("09-30 09.00", "DU0ANNA", ["U-4"]),
        ("09-30 09.00", "DU0ROGER", ["U-2"]),
        ("10-07 09.00", "DU0ANNA", ["U-4"]),
        ("10-07 09.00", "DU0ROGER", ["U-2"]),
        ("10-12 07.30", "DU0ANNA", ["U-4"]),
        ("10-12 07.30", "DU0ROGER", ["U-2"]),
        ("10-12 15.00", "C0AU", ["U-1", "U-2", "U-4"]),  # U-1 closed since the last AU
        ("10-28 09.00", "DU0ANNA", ["U-4"]),
        ("10-28 09.00", "DU0ROGER", ["U-2"]),
        ("11-02 07.30", "DU0ANNA", ["U-4"]),
        ("11-02 07.30", "DU0ROGER", ["U-2"]),
        ("11-02 15.00", "C0AU", ["U-2", "U-4"]),
        ("11-10 09.00", "DU0JENNY", ["U-3"]),
        ("11-10 09.00", "DU0ROGER", ["U-2"]),
        ("11-12 07.30", "DU0JENNY", ["U-3"]),
        ("11-12 07.30", "DU0ROGER", ["U-2"]),
        ("11-12 12.00", "C0LG", ["U-2", "U-3"]),
    ]
    first = autumn.received[0][2]
    assert "Inför AU-möte måndag 7 september 2026 kl. 13.00–15.00, Regionhuset" in first
    assert buttons(slack.dms("U0ANNA")[0]) == [  # each assignment can be answered from the DM
        (label, action, value)
        for ref in ("U-1", "U-4")
        for label, action, value in [
            ("Klart", "uppdrag_klar", ref),
            ("Lägg till status", "uppdrag_status", ref),
            ("Flytta till nästa möte", "uppdrag_nasta_mote", f"{ref}|AU-260907"),
        ]
    ]


def test_nine_oclock_stays_nine_across_dst(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders
) -> None:
    clock.set(at("2026-10-01T08:00"))
    run(ctx(channel="C0AU"), "/mote", "ny AU 30 oktober 13-15")  # DST ends 25 October
    run(ctx(channel="C0AU"), "/mote", "ny AU 28 oktober 13-15")
    run(ctx(channel="C0AU"), "/uppdrag", "<@U0ANNA|anna> Något till nästa AU")
    planned = reminders.plan(service.app, at("2026-10-20T00:00"), at("2026-11-01T00:00"))
    befores = [p.send_at for p in planned if p.kind == reminders.BEFORE]
    assert [t.astimezone(STOCKHOLM).strftime("%d %H.%M") for t in befores] == [
        "23 09.00",
        "27 09.00",
    ]
    assert [t.utcoffset() for t in befores] == [timedelta(hours=2), timedelta(hours=1)]


def test_catch_up_when_down_but_never_after_the_meeting_began(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders, slack: LocalSlack
) -> None:
    anna_due_at_au(ctx, clock)
    clock.set(at("2026-11-26T15:00"))  # the bot was down at 09:00 on the 25th
    assert service.tick().sent
    (late,) = slack.dms("U0ANNA")
    assert "kommer sent" in text_of(late)
    clock.set(at("2026-11-30T14:00"))  # down through the morning; the meeting has begun
    assert service.tick().sent == []
    assert len(slack.dms("U0ANNA")) == 1


def test_slack_failure_is_retried_and_shown_in_the_plan(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders, slack: LocalSlack
) -> None:
    anna_due_at_au(ctx, clock)
    clock.set(at("2026-11-25T09:00"))
    # Not retried blindly: after each 500 Slack is asked whether it arrived, then sent again
    # once; a second 500 leaves it failed (shown in the plan) for the next tick.
    slack.fail_next("chat.postMessage", status=500, times=2)
    report = service.tick()
    assert report.failed and not report.sent
    assert len(slack.calls("conversations.history")) == 1
    plan = reminders.plan(service.app, at("2026-11-25T00:00"), at("2026-11-26T00:00"))
    assert [p.status for p in plan] == ["misslyckad"]
    assert "misslyckad" in reminders.plan_lines(plan, service.app)[0]
    clock.set(at("2026-11-25T09:05"))
    assert service.tick().sent
    assert service.tick().sent == []
    assert len(slack.dms("U0ANNA")) == 1


def test_a_500_before_slack_took_it_is_checked_then_sent_once(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders, slack: LocalSlack
) -> None:
    anna_due_at_au(ctx, clock)
    clock.set(at("2026-11-25T09:00"))
    slack.fail_next("chat.postMessage", status=500)
    assert service.tick().sent
    assert slack.calls("conversations.history")  # asked before sending again
    assert len(slack.dms("U0ANNA")) == 1


def test_crash_after_slack_got_it_is_not_sent_again(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders, slack: LocalSlack
) -> None:
    anna_due_at_au(ctx, clock)
    clock.set(at("2026-11-25T09:00"))
    # A crash between Slack's answer and the ledger's update: simulate by undoing the update.
    service.tick()
    with service.app.db.transaction(write=True) as session:
        row = session.exec(
            select(Delivery).join(Reminder, Reminder.delivery_id == Delivery.id)
        ).one()
        row.status, row.sent_at = "skickas", None
        session.add(row)
    restarted = Reminders(service.app, service.notifier)
    clock.set(at("2026-11-25T09:02"))
    assert restarted.tick().sent == []  # within the lease: somebody may still be sending
    clock.set(at("2026-11-25T09:10"))
    assert restarted.tick().sent  # settled by asking Slack, not by sending
    assert len(slack.dms("U0ANNA")) == 1
    with service.app.db.transaction() as session:
        assert (
            session.exec(
                select(Delivery.status).join(Reminder, Reminder.delivery_id == Delivery.id)
            ).one()
            == "skickad"
        )


def test_a_reminder_from_before_the_one_ledger_is_settled_not_sent_again(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders, slack: LocalSlack
) -> None:
    """Migration 0017 moves each reminder's delivery into the ledger under the key its DM
    carries: one left in the middle by a crash before the upgrade is found in Slack, not sent
    again; the way back (downgrade) keeps it too."""
    anna_due_at_au(ctx, clock)
    clock.set(at("2026-11-25T09:00"))
    assert service.tick().sent
    config = alembic_config(service.app.db.url)
    command.downgrade(config, "0016")
    engine = create_engine(normalise_url(service.app.db.url))
    with engine.begin() as connection:  # the crash, as the code before 0017 left it
        connection.execute(text("UPDATE reminder SET status = 'skickas', sent_at = NULL"))
        kept = connection.execute(text("SELECT status, message_ts FROM reminder")).all()
        left = connection.execute(text("SELECT count(*) FROM delivery")).scalar_one()
    engine.dispose()
    assert len(kept) == 1 and kept[0][1] and left == 0, (kept, left)
    command.upgrade(config, "head")
    with service.app.db.transaction() as session:
        (row,) = session.exec(
            select(Delivery).join(Reminder, Reminder.delivery_id == Delivery.id)
        ).all()
        meeting = session.exec(select(Meeting)).one()
    assert row.key == f"{meeting.uid}:U0ANNA:förhand:0" and row.status == "skickas"
    assert row.kind == "påminnelse" and row.message is None and row.attempts == 1
    clock.set(at("2026-11-25T09:02"))
    assert service.tick().sent == []  # within the lease: somebody may still be sending
    clock.set(at("2026-11-25T09:10"))
    assert service.tick().sent  # settled by asking Slack, not by sending
    assert len(slack.dms("U0ANNA")) == 1
    with service.app.db.transaction() as session:
        assert session.get(Delivery, row.id).status == "skickad"  # type: ignore[union-attr]


class ProcessDied(BaseException):
    """Not an Exception: nothing in the bot catches it, as nothing catches a SIGKILL."""


class DiesBeforeSlack:
    """A notifier whose process dies on the way to Slack: after the claim, before the DM."""

    def send(self, recipient: str, message: Message, key: str) -> str:
        raise ProcessDied

    def find(self, recipient: str, key: str) -> str | None:
        raise ProcessDied


def test_crash_before_slack_got_it_is_sent_after_the_lease(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders, slack: LocalSlack
) -> None:
    anna_due_at_au(ctx, clock)
    clock.set(at("2026-11-25T09:00"))
    with pytest.raises(ProcessDied):
        Reminders(service.app, DiesBeforeSlack()).tick()
    plan = reminders.plan(service.app, at("2026-11-25T00:00"), at("2026-11-26T00:00"))
    assert [p.status for p in plan] == ["skickas"]  # claimed, never sent
    assert slack.dms("U0ANNA") == []
    clock.set(at("2026-11-25T09:02"))
    assert service.tick().sent == []  # within the lease: the claimer may still be sending
    clock.set(at("2026-11-25T09:10"))
    assert Reminders(service.app, service.notifier).tick().sent
    assert len(slack.dms("U0ANNA")) == 1


def test_two_processes_send_each_reminder_once(
    ctx: MakeCtx, organs: None, clock: FixedClock, product: Product, slack: LocalSlack
) -> None:
    import threading

    clock.set(at("2026-11-23T08:00"))
    run(ctx(channel="C0AU"), "/mote", "ny AU 30 november 13-15")
    for user in ("anna", "roger", "jenny", "magnus"):
        run(ctx(channel="C0AU"), "/uppdrag", f"<@U0{user.upper()}|{user}> Något till nästa AU")
    clock.set(at("2026-11-25T09:00"))
    slack.delay("chat.postMessage", 0.05)
    client = WebClient(token="xoxb-test", base_url=slack.url, retry_handlers=retry_handlers())
    services = [Reminders(product, SlackNotifier(client)) for _ in range(2)]
    threads = [threading.Thread(target=s.tick) for s in services for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(c.args["channel"] for c in slack.calls("chat.postMessage")) == [
        "U0ANNA",
        "U0JENNY",
        "U0MAGNUS",
        "U0ROGER",
    ]


def test_organ_reminder_settings(ctx: MakeCtx, organs: None, service: Reminders) -> None:
    assert "5 arbetsdagar före" in run(ctx("magnus"), "/organ", "påminnelser LG på 5 dagar")
    assert "Inga påminnelser" in run(ctx(), "/organ", "påminnelser AU av")
    assert "sammankallande för PG-AVTAL" in run(ctx("anna"), "/organ", "påminnelser PG-AVTAL på")
    assert "/organ påminnelser AU på 3 dagar" in run(ctx(), "/organ", "påminnelser AU kanske")
    assert "/organ påminnelser AU på 3 dagar" in run(ctx(), "/organ", "påminnelser AU på 99")
    clock = service.app.clock
    assert isinstance(clock, FixedClock)
    clock.set(at("2026-11-23T08:00"))
    run(ctx(channel="C0AU"), "/mote", "ny AU 30 november 13-15")
    run(ctx(), "/mote", "ny LG 30 november 9-11")
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Något till 27/11")
    planned = reminders.plan(service.app, at("2026-11-20T00:00"), at("2026-12-01T00:00"))
    assert {(p.meeting.ref, p.kind) for p in planned} == {
        ("LG-261130", "förhand"),
        ("LG-261130", "morgon"),
        ("LG-261130", "sammanfattning"),
    }
    before = next(p for p in planned if p.kind == "förhand")
    assert before.send_at == at("2026-11-23T09:00")  # five working days before Monday the 30th


def test_remind_now_by_convenor(ctx: MakeCtx, organs: None) -> None:
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> <@U0ROGER|roger> Något till 4/12")
    assert "sammankallande eller en administratör" in run(ctx("jenny"), "/uppdrag", "påminn U-1")
    reply = commands.run(ctx("magnus"), "/uppdrag", "påminn U-1")
    assert "skickad till <@U0ANNA>, <@U0ROGER>" in said(reply)
    assert [u for u, _ in reply.dms] == ["U0ANNA", "U0ROGER"]
    assert "<@U0MAGNUS> påminner om ditt uppdrag" in reply.dms[0][1].fallback
    assert "påmind av <@U0MAGNUS>" in run(ctx(), "/uppdrag", "visa U-1")


def test_next_meeting_button_moves_the_due_point(
    ctx: MakeCtx, organs: None, clock: FixedClock
) -> None:
    from bot import assignments

    clock.set(at("2026-11-23T08:00"))
    run(ctx(channel="C0AU"), "/mote", "ny AU 30 november 13-15")
    run(ctx(channel="C0AU"), "/mote", "ny AU 14 december 13-15")
    run(ctx(channel="C0AU"), "/uppdrag", "<@U0ANNA|anna> Något till nästa AU")
    view = assignments.move_to_next_meeting(ctx("anna"), "U-1", "AU-261130")
    assert view.due_meeting is not None and view.due_meeting.ref == "AU-261214"
    view = assignments.move_to_next_meeting(ctx("anna"), "U-1", "AU-261214")
    assert view.due_meeting is None and view.due_organ is not None  # none planned yet
    assert "AU-mötet efter måndag 14 december 2026 (inte planerat än)" in run(
        ctx(), "/uppdrag", "visa U-1"
    )


def test_meeting_shows_its_reminders(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders
) -> None:
    anna_due_at_au(ctx, clock)
    clock.set(at("2026-11-25T09:00"))
    service.tick()
    shown = run(ctx(), "/mote", "visa AU-261130")
    assert "onsdag 25 november kl. 09.00, inför mötet, till <@U0ANNA>: skickad" in shown
    assert "måndag 30 november kl. 07.30, mötesdagens morgon, till <@U0ANNA>: planerad" in shown
    assert "kl. 15.00, sammanfattning, till <#C0AU>: planerad" in shown


def test_catching_up_sends_one_dm_not_two(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders, slack: LocalSlack
) -> None:
    anna_due_at_au(ctx, clock)
    clock.set(at("2026-11-30T08:00"))  # down from before the 25th until the meeting morning
    service.tick()
    (only,) = slack.dms("U0ANNA")
    assert "I dag är det AU-möte" in text_of(only)
    plan = reminders.plan(service.app, at("2026-11-25T00:00"), at("2026-11-30T12:00"))
    assert [(p.kind, p.status) for p in plan] == [("förhand", "ersatt"), ("morgon", "skickad")]


def test_failed_then_moved_is_sent_once(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders, slack: LocalSlack
) -> None:
    anna_due_at_au(ctx, clock)
    clock.set(at("2026-11-25T09:00"))
    slack.fail_next("chat.postMessage", status=503, times=2)
    assert service.tick().failed
    run(ctx(), "/mote", "flytta AU-261130 till 3 december 13-15")
    clock.set(at("2026-11-30T09:00"))  # the new 'before' time for 3 December
    service.tick()
    clock.set(at("2026-11-30T09:05"))
    service.tick()
    assert len(slack.dms("U0ANNA")) == 1


def test_lead_zero_still_reminds_and_summary_follows_start(
    ctx: MakeCtx, organs: None, clock: FixedClock, service: Reminders
) -> None:
    clock.set(at("2026-11-23T08:00"))
    run(ctx(), "/organ", "påminnelser AU på 0 dagar")
    run(ctx(channel="C0AU"), "/mote", "ny AU 30 november kl. 8")  # before 09:00, no end time
    run(ctx(channel="C0AU"), "/uppdrag", "<@U0ANNA|anna> Något till nästa AU")
    planned = reminders.plan(service.app, at("2026-11-29T00:00"), at("2026-12-01T00:00"))
    times = [(p.kind, p.send_at.astimezone(STOCKHOLM).strftime("%H.%M")) for p in planned]
    assert times == [("morgon", "07.00"), ("sammanfattning", "10.00")]


def test_next_meeting_button_never_moves_earlier(
    ctx: MakeCtx, organs: None, clock: FixedClock
) -> None:
    from bot import assignments

    clock.set(at("2026-11-23T08:00"))
    run(ctx(channel="C0AU"), "/mote", "ny AU 30 november 13-15")
    run(ctx(channel="C0AU"), "/mote", "ny AU 7 december 13-15")
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Senare sak till 18 december återkoppling till AU")
    view = assignments.move_to_next_meeting(ctx("anna"), "U-1", "AU-261130")
    assert view.due_meeting is None and view.due_organ is not None  # not back to 7 December
