"""The meeting cycle through the command language: agenda, attendance, minutes, justering,
extracts, personal numbers and the archive."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta

import docx
import pytest
from pypdf import PdfReader
from slack_sdk import WebClient
from sqlmodel import select

from bot import commands, cycle
from bot.core import ledger
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Ctx, Product, StaticDirectory
from bot.core.replies import Message, Reply
from bot.cycle.model import minutes_date
from bot.cycle.pdf_writer import printable
from bot.cycle.privacy import find_personal_numbers
from handlers.notify import SlackNotifier
from handlers.slack_standin import LocalSlack
from storage.models import DecisionJustering, Meeting
from tests.harness import said

MakeCtx = Callable[..., Ctx]
ANNA, ROGER, JENNY, MAGNUS = (
    "<@U0ANNA|anna>",
    "<@U0ROGER|roger>",
    "<@U0JENNY|jenny>",
    "<@U0MAGNUS|magnus>",
)


def run(ctx: MakeCtx, command: str, text: str, user: str = "sara") -> Reply:
    return commands.run(ctx(user), command, text)


def plan(ctx: MakeCtx) -> None:
    assert "LG-261217" in said(
        run(ctx, "/mote", "ny LG 17 december 11-15 Regionhuset, sal Kreativa rummet")
    )
    assert "LG-270115" in said(run(ctx, "/mote", "ny LG 15 januari 2027 9-12 Regionhuset"))


def test_minutes_date_is_written_as_in_the_samples() -> None:
    from datetime import date, time

    assert minutes_date(date(2023, 9, 1), date(2023, 9, 1), time(11), time(15)) == (
        "Fredagen den 1 september 2023, kl 11-15"
    )
    assert minutes_date(date(2024, 2, 1), date(2024, 2, 2), None, None) == "1-2 februari 2024"
    assert minutes_date(date(2025, 5, 9), date(2025, 5, 9), time(9, 30), None) == (
        "Fredagen den 9 maj 2025, kl 9.30"
    )


def test_personal_numbers_are_found_and_dates_are_not() -> None:
    text = "Anna 811218-9876, 19811218-9876 och 8112189876; möte 2023-09-01, AU 230814, LG-2026-4"
    assert find_personal_numbers(text) == ["811218-9876", "19811218-9876", "8112189876"]
    assert find_personal_numbers("811218-9875 (fel kontrollsiffra) 20231301-1234") == []


def test_pdf_text_outside_its_font_is_replaced_visibly() -> None:
    assert printable("Åsa – ”ja” • ł → ≥ 😀") == "Åsa – ”ja” • ? -> >= ?"


def test_the_whole_cycle_through_the_command_language(
    ctx: MakeCtx, organs: None, clock: FixedClock, directory: StaticDirectory
) -> None:
    directory.members["C0LG"] = ["U0SARA", "U0MAGNUS", "U0ANNA", "U0ROGER", "U0JENNY"]
    plan(ctx)
    # propose: anyone in the organ; the convenor's items go straight onto the agenda
    answer = said(
        run(
            ctx,
            "/mote",
            f"punkt LG-261217 Kronobarnsmodellen föredragande {ANNA} information",
            "magnus",
        )
    )
    assert "§4" in answer
    reply = run(
        ctx,
        "/mote",
        "punkt LG-261217 Processgrupperna föredragande Marcus Johansson beslut "
        "förslag: Respektive chefsnätverk ges i uppdrag att utse representanter",
        "magnus",
    )
    assert "§5" in said(reply)
    answer = said(run(ctx, "/mote", "punkt LG-261217 Projektdirektiv vårdkedjan", "roger"))
    assert "F6" in answer and "godkänn" in answer
    assert "§6" in said(run(ctx, "/mote", "godkänn LG-261217 F6", "magnus"))
    agenda = said(run(ctx, "/mote", "dagordning LG-261217"))
    for expected in (
        "Mötets öppnande",
        "Återrapportering",
        "Kronobarnsmodellen",
        "<@U0ANNA>",
        "information",
    ):
        assert expected in agenda
    # kallelse: the meeting's sequence rises and the description carries the agenda
    with ctx().db.transaction() as session:
        before = session.exec(select(Meeting).where(Meeting.ref == "LG-261217")).one().sequence
    reply = run(ctx, "/mote", "kallelse LG-261217")
    with ctx().db.transaction() as session:
        meeting = session.exec(select(Meeting).where(Meeting.ref == "LG-261217")).one()
    assert meeting.sequence == before + 1
    assert (
        meeting.agenda is not None
        and "5. Processgrupperna – föredragande Marcus Johansson (beslut)" in meeting.agenda
    )
    # the meeting day
    clock.set(clock.now() + timedelta(days=24))
    assert "lyfts på LG-möte 15 januari 2027" in said(
        run(ctx, "/mote", "lyft LG-261217 §6 till LG 15 januari")
    )
    answer = said(
        run(
            ctx,
            "/mote",
            f"närvaro LG-261217 närvarande {ANNA} (Alvesta) {ROGER} (Älmhult), "
            f"Marcus Ek (Växjö kommun); frånvarande {JENNY}; gäster: Lina Nyberg (Statskontoret)",
        )
    )
    assert "3 närvarande, 1 frånvarande, 1 gäst" in answer
    run(
        ctx, "/mote", "anteckning LG-261217 §4 Anna redogör för nuläget och genomförda aktiviteter."
    )
    answer = said(run(ctx, "/beslut", "LG-261217 §5: Ledningsgruppen beslutar enligt förslag."))
    assert "LG-2026-1" in answer
    answer = said(
        run(
            ctx,
            "/uppdrag",
            f"{MAGNUS} {ROGER} För in det på respektive dagordning till nästa LG "
            "återkoppling till AU och ledningsgrupp (§5)",
        )
    )
    assert "U-1" in answer
    run(ctx, "/mote", f"justerare LG-261217 {JENNY}")
    # the draft
    reply = run(ctx, "/mote", "anteckningar LG-261217")
    text = said(reply)
    assert "version 1" in text
    names = [f.filename for f in reply.files]
    assert names == [
        "minnesanteckningar-LG-261217-utkast-v1.md",
        "minnesanteckningar-LG-261217-utkast-v1.docx",
        "minnesanteckningar-LG-261217-utkast-v1.pdf",
    ]
    md = reply.files[0].content.decode()
    pdf_text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(reply.files[2].content)).pages
    )
    docx_text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(reply.files[1].content)).paragraphs
    )
    for needle in (
        "Torsdagen den 17 december 2026, kl 11-15",
        "Kronobarnsmodellen",
        "Anna redogör för nuläget",
        "Ledningsgruppen beslutar enligt förslag.",
        "För in det på respektive dagordning",
        "Marcus Ek, Växjö kommun",
        "Lina Nyberg, Statskontoret",
        "Lyfts på LG-möte 15 januari 2027 (LG-270115)",
        "Justerare:",
    ):
        assert needle in md, needle
        assert needle in docx_text, needle
        assert needle in " ".join(pdf_text.split()), needle
    # same content: the same version
    assert "version 1" in said(run(ctx, "/mote", "anteckningar LG-261217"))
    # justering
    sent = run(ctx, "/mote", "justera LG-261217")
    assert [u for u, _ in sent.dms] == ["U0JENNY"]
    assert cycle_texts_buttons(sent) == ["Justera", "Begär ändring"]
    from bot.commands import cycle as cycle_commands

    answer, secretary, dm = cycle_commands.request_change(
        ctx("jenny"), "LG-261217", 1, "§5 ska nämna AU"
    )
    assert secretary == "U0SARA" and "§5 ska nämna AU" in dm.fallback
    run(ctx, "/mote", "anteckning LG-261217 §5 Återkoppling sker till AU och ledningsgrupp.")
    sent = run(ctx, "/mote", "justera LG-261217")
    assert "Version 2" in said(sent)
    with pytest.raises(Exception, match="nyare"):
        cycle.justera(ctx("jenny"), "LG-261217", 1)
    answer, news, channel = cycle_commands.justera(ctx("jenny"), "LG-261217", 2)
    assert news is not None and channel == "C0LG"
    assert "justerade av Jenny" in said(news) or "justerade av jenny" in said(news)
    assert [f.filename for f in news.files] == [
        "minnesanteckningar-LG-261217.md",
        "minnesanteckningar-LG-261217.pdf",
    ]
    final_md = news.files[0].content.decode()
    assert "Justerat av jenny" in final_md and "Upprättat" in final_md
    # locked
    assert "låsta" in said(run(ctx, "/mote", "anteckning LG-261217 §4 Något till"))
    with ctx().db.transaction() as session:
        assert len(session.exec(select(DecisionJustering)).all()) == 1
    clock.advance(timedelta(days=3))
    answer = said(
        run(
            ctx,
            "/beslut",
            "ändra LG-2026-1 Ledningsgruppen beslutar enligt förslaget, med AU. "
            "skäl: förtydligande",
        )
    )
    assert "ändring efter justering" in answer
    shown = said(run(ctx, "/mote", "anteckningar LG-261217"))
    assert "Ändringar efter justering" in shown and "LG-2026-1" in shown
    assert "ändrad efter justering" in said(run(ctx, "/beslut", "visa LG-2026-1"))
    extract = run(ctx, "/beslut", "utdrag LG-2026-1")
    assert [f.filename for f in extract.files] == ["utdrag-LG-2026-1.pdf", "utdrag-LG-2026-1.docx"]
    pdf_text = " ".join(
        " ".join(
            p.extract_text() for p in PdfReader(io.BytesIO(extract.files[0].content)).pages
        ).split()
    )
    assert "5. Processgrupperna" in pdf_text and "Justerat av jenny" in pdf_text
    assert "Ändrat efter justering" in pdf_text
    # the archive
    archive = run(ctx, "/organ", "arkiv LG 2026")
    data = archive.files[0].content
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        listed = dict(
            line.split("  ", 1)[::-1]
            for line in z.read("manifest-sha256.txt").decode().splitlines()
        )
        for path, digest in listed.items():
            assert hashlib.sha256(z.read(path)).hexdigest() == digest
        assert "protokoll/minnesanteckningar-LG-261217.pdf" in listed
        oparl = json.loads(z.read("oparl.json"))
        assert oparl["meeting"][0]["agendaItem"][4]["name"] == "Processgrupperna"


def cycle_texts_buttons(reply: Reply) -> list[str]:
    return [b.label for _u, m in reply.dms for p in m.parts for b in p.buttons]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("punkt", "/mote punkt LG-261217 Kronobarnsmodellen"),
        (
            "punkt LG-261217 Rubrik föredragande @erika",
            "/mote punkt LG-261217 Rubrik föredragande @Anna",
        ),
        ("närvaro LG-261217 närvarande @lina", "/mote närvaro LG-261217 närvarande @Anna"),
        ("lyft LG-261217 §4", "/mote lyft LG-261217 §4 till LG 15 januari"),
        ("lyft LG-261217 §4 till LG 3 mars", "Planera det först med `/mote ny LG"),
        ("anteckning LG-261217 §99 Text", "`/mote dagordning LG-261217`"),
        ("ordna LG-261217 1 2 3 4 4", "`/mote ordna LG-261217 1 2 3 4`"),
        ("närvaro LG-261217 sjuka: @x", "/mote närvaro LG-261217 närvarande"),
        ("justera LG-261217", "`/mote justerare LG-261217 @Jenny`"),
        ("ändra LG-261217 §1 rubrik: Annat", "/mote anteckning LG-261217 §2"),
        ("godkänn LG-261217 §4", "`/mote dagordning LG-261217`"),
    ],
)
def test_user_errors_answer_in_swedish_with_a_working_example(
    ctx: MakeCtx, organs: None, text: str, expected: str
) -> None:
    plan(ctx)
    run(ctx, "/mote", f"punkt LG-261217 Kronobarnsmodellen föredragande {ANNA}")
    answer = said(run(ctx, "/mote", text))
    assert expected in answer, answer


def test_only_the_convenor_or_an_admin_manages_the_agenda(ctx: MakeCtx, organs: None) -> None:
    plan(ctx)
    answer = said(run(ctx, "/mote", "närvaro LG-261217 närvarande Lina Nyberg", "anna"))
    assert "sammankallande för LG eller en administratör" in answer
    assert "sammankallande för LG" in said(run(ctx, "/organ", "arkiv LG 2026", "magnus")) or (
        "administratörer" in said(run(ctx, "/organ", "arkiv LG 2026", "magnus"))
    )


class _Inbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, recipient: str, message: Message, key: str) -> str:
        self.sent.append((recipient, message.fallback, key))
        return "1"

    def find(self, recipient: str, key: str) -> str | None:
        return next(("1" for to, _, k in self.sent if (to, k) == (recipient, key)), None)


def test_missing_material_gets_one_reminder_after_the_deadline(
    ctx: MakeCtx, organs: None, clock: FixedClock, product: Product
) -> None:
    plan(ctx)  # LG-261217: 5 working days before is Thursday 10 December
    run(ctx, "/mote", f"punkt LG-261217 Kronobarnsmodellen föredragande {ANNA}", "magnus")
    run(ctx, "/mote", f"punkt LG-261217 LINK föredragande {ROGER}", "magnus")
    run(ctx, "/mote", "underlag LG-261217 §5 https://intranat.example.se/link.pdf", "roger")
    inbox = _Inbox()
    clock.set(datetime(2026, 12, 10, 23, 0, tzinfo=STOCKHOLM))
    assert cycle.remind_material(product, inbox) == 0
    assert "underlag saknas" not in said(run(ctx, "/mote", "dagordning LG-261217"))
    clock.set(datetime(2026, 12, 11, 9, 0, tzinfo=STOCKHOLM))
    assert cycle.remind_material(product, inbox) == 1
    assert cycle.remind_material(product, inbox) == 0  # once
    ((to, text, key),) = inbox.sent
    assert to == "U0ANNA" and "Kronobarnsmodellen" in text and key.startswith("underlag:")
    agenda = said(run(ctx, "/mote", "dagordning LG-261217"))
    assert "Kronobarnsmodellen* – föredragande <@U0ANNA>, ⚠️ underlag saknas" in agenda
    assert "underlag: https://intranat.example.se/link.pdf" in agenda


def test_a_material_reminder_slack_took_before_its_500_is_not_sent_again(
    ctx: MakeCtx, organs: None, clock: FixedClock, product: Product, slack: LocalSlack
) -> None:
    """The reminder goes through the delivery ledger: after a 5xx it is looked for before it is
    sent again, and a later tick does not send it either."""
    plan(ctx)
    run(ctx, "/mote", f"punkt LG-261217 Kronobarnsmodellen föredragande {ANNA}", "magnus")
    notifier = SlackNotifier(WebClient(token="xoxb-test", base_url=slack.url, timeout=1))
    slack.fail_next("chat.postMessage", status=500, after_delivery=True)
    clock.set(datetime(2026, 12, 11, 9, 0, tzinfo=STOCKHOLM))
    assert cycle.remind_material(product, notifier) == 1
    assert cycle.remind_material(product, notifier) == 0
    (dm,) = slack.dms("U0ANNA")
    assert "Kronobarnsmodellen" in str(dm["text"])
    assert slack.calls("conversations.history")  # asked, not sent blindly


def test_a_material_reminder_slack_refused_is_sent_once_when_slack_is_fine_again(
    ctx: MakeCtx, organs: None, clock: FixedClock, product: Product, slack: LocalSlack
) -> None:
    """Slack answers that it could not take it: the reminder is known not to have gone. It is
    not lost: a later run sends it, once, and no run after that sends it again."""
    plan(ctx)
    run(ctx, "/mote", f"punkt LG-261217 Kronobarnsmodellen föredragande {ANNA}", "magnus")
    notifier = SlackNotifier(WebClient(token="xoxb-test", base_url=slack.url, timeout=1))
    slack.fail_next("chat.postMessage", error="fatal_error")
    clock.set(datetime(2026, 12, 11, 9, 0, tzinfo=STOCKHOLM))
    assert cycle.remind_material(product, notifier) == 0
    assert slack.dms("U0ANNA") == []
    clock.set(datetime(2026, 12, 14, 9, 0, tzinfo=STOCKHOLM))  # days later, Slack fine again
    assert cycle.remind_material(product, notifier) == 1
    assert cycle.remind_material(product, notifier) == 0
    assert ledger.resume(product, notifier).sent == []
    (dm,) = slack.dms("U0ANNA")
    assert "Kronobarnsmodellen" in str(dm["text"])


def test_a_material_reminder_slack_asked_to_wait_for_goes_with_the_safety_tick(
    ctx: MakeCtx, organs: None, clock: FixedClock, product: Product, slack: LocalSlack
) -> None:
    """Three 429s in a row: Slack asked the bot to wait. The reminder waits in the ledger and
    the safety tick sends it after the lease, once; the planner does not plan it again."""
    plan(ctx)
    run(ctx, "/mote", f"punkt LG-261217 Kronobarnsmodellen föredragande {ANNA}", "magnus")
    notifier = SlackNotifier(WebClient(token="xoxb-test", base_url=slack.url, timeout=1))
    slack.fail_next("chat.postMessage", status=429, retry_after=0, times=3)
    clock.set(datetime(2026, 12, 11, 9, 0, tzinfo=STOCKHOLM))
    assert cycle.remind_material(product, notifier) == 0
    assert ledger.resume(product, notifier).sent == []  # within the lease: not yet
    clock.advance(product.lease + timedelta(seconds=1))
    assert cycle.remind_material(product, notifier) == 0
    assert ledger.resume(product, notifier).sent == ["U0ANNA"]
    assert ledger.resume(product, notifier).sent == []
    assert cycle.remind_material(product, notifier) == 0
    (dm,) = slack.dms("U0ANNA")
    assert "Kronobarnsmodellen" in str(dm["text"])


def test_reports_list_assignments_due_at_the_meeting_or_reporting_back_to_the_organ(
    ctx: MakeCtx, organs: None
) -> None:
    plan(ctx)
    run(ctx, "/uppdrag", f"{ANNA} Ta fram underlag om LINK till LG 17 december")
    run(ctx, "/uppdrag", "status U-1 Utkast skickat till AU", "anna")
    run(ctx, "/uppdrag", f"{ROGER} Undersök behovet återkoppling till ledningsgruppen")
    run(ctx, "/uppdrag", f"{JENNY} Rekrytera samordnare till LG 15 januari")
    run(ctx, "/uppdrag", f"{JENNY} Boka lokal till 1/12 återkoppling till AU")
    first = said(run(ctx, "/mote", "dagordning LG-261217"))
    assert "`U-1` Ta fram underlag om LINK – <@U0ANNA>" in first
    assert "Senaste status: Utkast skickat till AU" in first
    assert "`U-2` Undersök behovet" in first  # no date, reporting to LG: its next meeting
    assert "U-3" not in first and "U-4" not in first
    later = said(run(ctx, "/mote", "dagordning LG-270115"))
    assert "U-3" in later and "U-1" not in later and "U-2" not in later
    draft = run(ctx, "/mote", "anteckningar LG-261217").files[0].content.decode()
    assert "U-1 Ta fram underlag om LINK – anna" in draft and "Utkast skickat till AU" in draft
