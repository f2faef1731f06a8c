"""Imported minutes in the meeting cycle: attendance, justerare and items land in its own
tables, so `/mote dagordning`, `/mote närvaro` and `/mote anteckningar` show them as if
entered by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot import commands, importing
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import Ctx, Product, StaticDirectory
from bot.core.errors import UserError
from storage.db import Database
from storage.models import (
    AgendaItem,
    Assignment,
    AssignmentOwner,
    Attendee,
    Decision,
    ItemAssignment,
    Meeting,
    MinutesAdjuster,
    Organ,
)
from tests.bot.importing.test_proposals import SAMPLES
from tests.harness import PEOPLE, run

MakeCtx = Callable[..., Ctx]
NAMES = ["minnesanteckningar-2023-09-01.txt", "minnesanteckningar-2025-05-09.txt"]
#: Some of the people in the minutes are in Slack, the others are names.
DIRECTORY = {"Magnus Frithiof": PEOPLE["magnus"], "Jenny Smedberg": PEOPLE["jenny"]}


def make_organs(make: Callable[[], Ctx]) -> None:
    for line in (
        "ny LG Ledningsgrupp för samordning <#C0LG|ledningsgrupp> "
        "sammankallande <@U0MAGNUS|magnus>",
        "ny AU Arbetsutskottet <#C0AU|au>",
        "ny PG-AVTAL Processgrupp för avtal och överenskommelser <@U0JENNY>",
    ):
        assert "skapat" in run(make(), "/organ", line)


def import_file(ctx: Ctx, data: bytes, name: str) -> str:
    proposal = importing.read(ctx, data, name, importing.known_for(ctx, DIRECTORY))
    return importing.store(ctx, proposal, data, name, DIRECTORY).meeting.ref


def register(product: Product, ref: str) -> dict[str, Any]:
    """What the register holds for one meeting, as a reader of it sees it."""
    with product.db.transaction() as session:
        meeting = session.exec(select(Meeting).where(Meeting.ref == ref)).one()
        organ_names = {o.id: o.short_name for o in session.exec(select(Organ))}
        meetings = {m.id: m.ref for m in session.exec(select(Meeting))}
        decisions = session.exec(
            select(Decision).where(Decision.meeting_id == meeting.id).order_by(col(Decision.id))
        ).all()
        items = session.exec(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(col(AgendaItem.number))
        ).all()
        item_numbers = {i.id: i.number for i in items}
        under = {
            link.assignment_id: item_numbers[link.agenda_item_id]
            for link in session.exec(
                select(ItemAssignment).where(
                    col(ItemAssignment.agenda_item_id).in_(list(item_numbers))
                )
            )
        }
        decision_ids = {d.id: d.ref for d in decisions}
        tasks = session.exec(
            select(Assignment)
            .where(
                col(Assignment.decision_id).in_(list(decision_ids))
                | col(Assignment.id).in_(list(under))
            )
            .order_by(col(Assignment.id))
        ).all()

        def owners(task: Assignment) -> list[str]:
            rows = session.exec(
                select(AssignmentOwner)
                .where(AssignmentOwner.assignment_id == task.id)
                .order_by(col(AssignmentOwner.id))
            )
            return [o.user_id or organ_names[o.organ_id] for o in rows]

        return {
            "meeting": (
                meeting.ref,
                organ_names[meeting.organ_id],
                meeting.kind,
                str(meeting.start_date),
                str(meeting.start_time),
                str(meeting.end_time),
                meeting.location,
            ),
            "attendance": sorted(
                (a.role, a.user_id or a.name or "", a.organisation or "")
                for a in session.exec(select(Attendee).where(Attendee.meeting_id == meeting.id))
            ),
            "justerare": [
                a.user_id or a.name
                for a in session.exec(
                    select(MinutesAdjuster).where(MinutesAdjuster.meeting_id == meeting.id)
                )
            ],
            "items": [
                (i.number, i.title, i.presenter_user_id or i.presenter_name, i.status)
                for i in items
            ],
            "decisions": [(d.ref, d.item, d.text, d.proposal) for d in decisions],
            # by item, as the minutes list them (which was given first is not in the minutes)
            "assignments": sorted(
                (
                    (
                        owners(t),
                        t.what,
                        str(t.due_date),
                        meetings.get(t.due_meeting_id),
                        t.report_to,
                        decision_ids.get(t.decision_id),
                        under.get(t.id or 0),
                    )
                    for t in tasks
                ),
                key=lambda a: (a[6] or 0, a[5] or "", a[1]),
            ),
        }


def test_imported_minutes_show_in_the_cycle_as_if_entered_by_hand(
    ctx: MakeCtx, organs: None, product: Product
) -> None:
    sara = ctx("sara")
    name = NAMES[0]
    ref = import_file(sara, (SAMPLES / name).read_bytes(), name)
    agenda = run(sara, "/mote", f"dagordning {ref}")
    assert "4. *Kronobarnsmodellen* – föredragande Erika Lagergren" in agenda
    assert "11. *Överenskommelse In- och utskrivning i Kronobergs län* – föredragande " in agenda
    attendance = run(sara, "/mote", f"närvaro {ref}")
    assert "*Närvarande* (21)" in attendance and "*Gäster* (3)" in attendance
    assert "• Veronica Bolinder, Växjö" in attendance
    minutes = run(sara, "/mote", f"anteckningar {ref}")
    assert "*Justerare:* jenny" in minutes  # in Slack: the directory's name
    assert "*6. Processgrupperna*\n*Föredragande:* Marcus Johansson" in minutes
    assert register(product, ref)["items"][5] == (6, "Processgrupperna", "Marcus Johansson",
                                                   "godkänd")  # fmt: skip
    # Twice: nothing more in the cycle's tables either.
    before = register(product, ref)
    with pytest.raises(UserError):
        import_file(sara, (SAMPLES / name).read_bytes(), name)
    assert register(product, ref) == before


def test_the_minutes_carry_each_decisions_proposal_as_the_samples_do(
    ctx: MakeCtx, organs: None
) -> None:
    sara = ctx("sara")
    ref = import_file(sara, (SAMPLES / NAMES[0]).read_bytes(), NAMES[0])
    minutes = run(sara, "/mote", f"anteckningar {ref}")
    assert (
        "*Förslag till beslut:* För att kunna ha framåtsyftande dialog och tydlighet kring "
        "riktning och upplägg framåt föreslås den planerade workshopen 15 september skjutas "
        "fram. Nytt datum för workshop 17 november.\n*Beslut:* Ledningsgruppen beslutar enligt "
        "förslag. Ordföringarna kommer delta på workshopen. (LG-2023-3)" in minutes
    )


# ------------------------------------------------------------------------------ round trip

#: The Slack users the round trip knows, by the full names the samples use (a directory that
#: showed short names, "magnus", could not map the written minutes back to people).
FULL_NAMES = {
    "Magnus Frithiof": PEOPLE["magnus"],
    "Jenny Smedberg": PEOPLE["jenny"],
    "Roger Johansson": PEOPLE["roger"],
}


def _fresh(tmp_path: Path, name: str, clock: FixedClock) -> Product:
    """A database of its own, made from the migrations, as a new installation has it."""
    db = Database(f"sqlite:///{tmp_path / name}")
    db.upgrade()
    return Product(db=db, clock=clock, tz=STOCKHOLM, admins=frozenset({PEOPLE["sara"]}))


def _round(product: Product, data: bytes, name: str, *tasks: str) -> tuple[str, str]:
    """Import a file into ``product`` with the full-name directory, give the ``tasks``
    (`/uppdrag`); the meeting's ref and the minutes `/mote anteckningar` makes (Markdown)."""
    directory = StaticDirectory(names={uid: full for full, uid in FULL_NAMES.items()})
    sara = Ctx(product, PEOPLE["sara"], "C0LG", directory)
    make_organs(lambda: sara)
    proposal = importing.read(sara, data, name, importing.known_for(sara, FULL_NAMES))
    ref = importing.store(sara, proposal, data, name, FULL_NAMES).meeting.ref
    for task in tasks:
        assert "U-" in run(sara, "/uppdrag", task.format(ref=ref))
    reply = commands.run(sara, "/mote", f"anteckningar {ref}")
    markdown = next(f for f in reply.files if f.filename.endswith(".md"))
    return ref, markdown.content.decode("utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_the_minutes_the_cycle_writes_import_back_to_the_same_register(
    name: str, tmp_path: Path, clock: FixedClock
) -> None:
    first = _fresh(tmp_path, "first.db", clock)
    ref, markdown = _round(first, (SAMPLES / name).read_bytes(), name)
    second = _fresh(tmp_path, "second.db", clock)
    again, _ = _round(second, markdown.encode("utf-8"), f"{ref}.md")
    try:
        assert register(second, again) == register(first, ref)
    finally:
        first.db.dispose()
        second.db.dispose()


def test_an_assignment_given_under_an_item_comes_back_under_it_not_under_its_decision(
    tmp_path: Path, clock: FixedClock
) -> None:
    """§ 6 has two decisions; an assignment given under § 6 afterwards (`/uppdrag … (§6)`)
    hangs on the item only, and so it does again after the round trip (not on § 6's last
    decision, which its "Uppdrag:" line follows in the minutes)."""
    name = NAMES[0]
    first = _fresh(tmp_path, "first.db", clock)
    ref, markdown = _round(
        first,
        (SAMPLES / name).read_bytes(),
        name,
        "<@U0ROGER|roger> Boka lokal för planeringsdagarna ({ref} §6)",
    )
    assert "**Uppdrag:** Roger Johansson – boka lokal för planeringsdagarna. (U-4)" in markdown
    second = _fresh(tmp_path, "second.db", clock)
    again, _ = _round(second, markdown.encode("utf-8"), f"{ref}.md")
    try:
        before, after = register(first, ref), register(second, again)
        assert (
            ["U0ROGER"],
            "Boka lokal för planeringsdagarna",
            "None",
            None,
            None,
            None,
            6,
        ) in before["assignments"]
        assert after == before
    finally:
        first.db.dispose()
        second.db.dispose()
