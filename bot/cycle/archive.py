"""The year's archive of an organ in one ZIP file: every minutes document (PDF and Markdown,
and the justerade content as JSON), the decision register and the assignments (CSV: UTF-8
with BOM, semicolons, as `/beslut export`), the meetings (ICS), a JSON export shaped after
OParl 1.1, a short LÄSMIG.txt, and manifests with each file's SHA-256 (`sha256sum -c`
reads manifest-sha256.txt). How it maps to Riksarkivet's FGS: see the README."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy import extract as sql_extract
from sqlalchemy import or_
from sqlmodel import Session, col, select

from bot import assignments, decisions, meetings, organs
from bot.calendar import ical
from bot.core.context import Ctx
from bot.cycle import texts
from bot.cycle.model import DROPPED, LOCKED, MOVED
from bot.meetings import texts as meeting_texts
from storage.models import (
    AgendaItem,
    Assignment,
    AssignmentOwner,
    Attendee,
    Decision,
    DecisionJustering,
    Meeting,
    Minutes,
    MinutesVersion,
    Organ,
)

OPARL = "https://schema.oparl.org/1.1/"
ASSIGNMENT_COLUMNS = [
    "Referens",
    "Organ",
    "Uppdrag",
    "Ansvariga",
    "Till",
    "Möte",
    "Återkoppling till",
    "Status",
    "Senaste status",
    "Beslut",
    "Skapad",
    "Avslutad",
]


@dataclass
class Archive:
    organ: str
    year: int
    filename: str
    data: bytes
    manifest: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.manifest)


class _Writer:
    """Files into the ZIP, each hashed on the way; the same bytes and timestamps every time."""

    def __init__(self, out: IO[bytes], stamp: datetime) -> None:
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self.stamp = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
        self.manifest: dict[str, str] = {}
        self.sizes: dict[str, int] = {}

    def add(self, path: str, data: bytes) -> None:
        info = zipfile.ZipInfo(path, self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self.zip.writestr(info, data)
        self.manifest[path] = hashlib.sha256(data).hexdigest()
        self.sizes[path] = len(data)

    def close(self) -> None:
        self.zip.close()


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def archive(ctx: Ctx, organ_name: str, year: int, out: IO[bytes] | None = None) -> Archive:
    """Write the archive into `out` (a file), or into memory when none is given."""
    organs.require_admin(ctx)
    buffer = out if out is not None else io.BytesIO()
    now = ctx.app.now().astimezone(ctx.app.tz)
    writer = _Writer(buffer, now)
    with ctx.db.transaction() as session:
        organ = organs.get(session, organ_name)
        assert organ.id is not None
        year_meetings = list(
            session.exec(
                select(Meeting)
                .where(
                    Meeting.organ_id == organ.id,
                    Meeting.start_date >= date(year, 1, 1),
                    Meeting.start_date <= date(year, 12, 31),
                )
                .order_by(col(Meeting.start_date), col(Meeting.id))
            ).all()
        )
        oparl = _Oparl(organ, year, now)
        _minutes_files(session, writer, year_meetings, oparl)
        _assignments_file(session, ctx, writer, organ, year)
        _oparl_meetings(session, ctx, year_meetings, oparl)
    csv_bytes, md_bytes, _count = decisions.export(ctx, organ.short_name, year)
    writer.add("beslut.csv", csv_bytes)
    writer.add("beslut.md", md_bytes)
    events = [
        ical.event_from_meeting(
            m, organ.short_name, summary=meeting_texts.kind_label(m.kind, organ)
        )
        for m in year_meetings
    ]
    writer.add(
        "moten.ics",
        ical.feed(f"{organ.short_name} {year}", events, now=ctx.app.now(), tz=ctx.app.tz),
    )
    writer.add("oparl.json", oparl.dump())
    writer.add("LÄSMIG.txt", texts.archive_readme(organ.short_name, organ.name, year, now).encode())
    files = dict(writer.manifest)
    listing = "".join(f"{digest}  {path}\n" for path, digest in sorted(files.items()))
    writer.add("manifest-sha256.txt", listing.encode("utf-8"))
    manifest = {
        "organ": organ.short_name,
        "namn": organ.name,
        "år": year,
        "skapad": now.isoformat(timespec="seconds"),
        "filer": [
            {"sökväg": path, "sha256": digest, "byte": writer.sizes[path]}
            for path, digest in sorted(files.items())
        ],
    }
    writer.add("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    writer.close()
    data = buffer.getvalue() if isinstance(buffer, io.BytesIO) else b""
    return Archive(
        organ.short_name, year, f"{organ.short_name.lower()}-{year}.zip", data, writer.manifest
    )


def _minutes_files(
    session: Session, writer: _Writer, year_meetings: list[Meeting], oparl: _Oparl
) -> None:
    """The newest minutes of each meeting: the justerade files, or the latest draft."""
    ids = [m.id for m in year_meetings]
    states = {
        m.meeting_id: m
        for m in session.exec(select(Minutes).where(col(Minutes.meeting_id).in_(ids))).all()
    }
    for meeting in year_meetings:
        minutes = states.get(meeting.id or 0)
        if minutes is None:
            continue
        locked = minutes.status == LOCKED
        row = session.exec(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting.id, MinutesVersion.final == locked)
            .order_by(col(MinutesVersion.version).desc())
        ).first()
        if row is None:
            continue
        kind = "protokoll" if minutes.minutes_form == "protokoll" else "minnesanteckningar"
        folder = "protokoll" if locked else "utkast"
        stem = f"{folder}/{kind}-{meeting.ref}" + ("" if locked else f"-utkast-v{row.version}")
        writer.add(f"{stem}.pdf", row.pdf)
        writer.add(f"{stem}.md", row.markdown.encode("utf-8"))
        if locked:
            content = session.exec(
                select(MinutesVersion.document).where(
                    MinutesVersion.meeting_id == meeting.id,
                    MinutesVersion.version == row.version,
                    MinutesVersion.final == False,  # noqa: E712 - SQL, not Python
                )
            ).first()
            if content is not None:
                writer.add(f"{stem}-innehall.json", content.encode("utf-8"))
        oparl.protocols[meeting.id or 0] = {
            "type": OPARL + "File",
            "name": f"{kind.capitalize()} {meeting.ref}",
            "fileName": stem.split("/")[-1] + ".pdf",
            "mimeType": "application/pdf",
            "ledningsbot:sökväg": f"{stem}.pdf",
            "ledningsbot:sha256": writer.manifest[f"{stem}.pdf"],
            "ledningsbot:justerad": locked,
            "ledningsbot:version": row.version,
            "ledningsbot:innehålletsSha256": minutes.content_hash if locked else None,
            "date": minutes.established_on.isoformat() if minutes.established_on else None,
        }


def _assignments_file(session: Session, ctx: Ctx, writer: _Writer, organ: Organ, year: int) -> None:
    owned = select(AssignmentOwner.assignment_id).where(AssignmentOwner.organ_id == organ.id)
    rows = list(
        session.exec(
            select(Assignment)
            .where(
                or_(col(Assignment.organ_id) == organ.id, col(Assignment.id).in_(owned)),
                sql_extract("year", col(Assignment.created_at)) == year,
            )
            .order_by(col(Assignment.id))
        ).all()
    )
    names: dict[str, str] = {}
    out = [ASSIGNMENT_COLUMNS]
    for view in assignments.views_for(session, rows):
        a = view.assignment
        owners = []
        for owner in view.owners:
            if owner.organ_id is not None:
                owners.append(view.organs[owner.organ_id].short_name)
            elif owner.user_id:
                if owner.user_id not in names:
                    names[owner.user_id] = ctx.directory.display_name(owner.user_id)
                owners.append(names[owner.user_id])
            elif owner.name:
                owners.append(owner.name)
        out.append(
            [
                a.ref,
                organ.short_name,
                _safe(a.what),
                ", ".join(owners),
                a.due_date.isoformat() if a.due_date else "",
                view.due_meeting.ref if view.due_meeting else "",
                _safe(a.report_to or ""),
                a.status,
                _safe(a.last_status or ""),
                view.decision.ref if view.decision else "",
                a.created_at.astimezone(ctx.app.tz).date().isoformat(),
                a.closed_at.astimezone(ctx.app.tz).date().isoformat() if a.closed_at else "",
            ]
        )
    writer.add("uppdrag.csv", _csv(out))


class _Oparl:
    """The year as OParl 1.1 objects: Organization, Meeting, AgendaItem, Person and
    Consultation (a decision taken under an agenda item)."""

    def __init__(self, organ: Organ, year: int, now: datetime) -> None:
        self.organ = organ
        self.year = year
        self.now = now
        self.org_id = f"urn:ledningsbot:organization:{organ.short_name}"
        self.meetings: list[dict[str, Any]] = []
        self.people: dict[str, dict[str, Any]] = {}
        self.consultations: list[dict[str, Any]] = []
        self.protocols: dict[int, dict[str, Any]] = {}

    def dump(self) -> bytes:
        body = {
            "oparlVersion": OPARL,
            "ledningsbot:skapad": self.now.isoformat(timespec="seconds"),
            "ledningsbot:år": self.year,
            "organization": [
                {
                    "id": self.org_id,
                    "type": OPARL + "Organization",
                    "name": self.organ.name,
                    "shortName": self.organ.short_name,
                    "meeting": [m["id"] for m in self.meetings],
                }
            ],
            "meeting": self.meetings,
            "person": list(self.people.values()),
            "consultation": self.consultations,
        }
        return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


def _person_id(user_id: str | None, name: str | None) -> str:
    if user_id:
        return f"urn:ledningsbot:person:{user_id}"
    digest = hashlib.sha256((name or "").casefold().encode()).hexdigest()[:16]
    return f"urn:ledningsbot:person:namn-{digest}"


def _oparl_meetings(
    session: Session, ctx: Ctx, year_meetings: list[Meeting], oparl: _Oparl
) -> None:
    ids = [m.id for m in year_meetings]
    items_by_meeting: dict[int, list[AgendaItem]] = {}
    for item in session.exec(
        select(AgendaItem)
        .where(col(AgendaItem.meeting_id).in_(ids), col(AgendaItem.number).is_not(None))
        .order_by(col(AgendaItem.number))
    ).all():
        items_by_meeting.setdefault(item.meeting_id, []).append(item)
    people_by_meeting: dict[int, list[Attendee]] = {}
    for person in session.exec(
        select(Attendee).where(col(Attendee.meeting_id).in_(ids)).order_by(col(Attendee.id))
    ).all():
        people_by_meeting.setdefault(person.meeting_id, []).append(person)
    decisions_by_meeting: dict[int, list[Decision]] = {}
    for decision in session.exec(
        select(Decision).where(col(Decision.meeting_id).in_(ids)).order_by(col(Decision.id))
    ).all():
        decisions_by_meeting.setdefault(decision.meeting_id or 0, []).append(decision)
    justerade = set(
        session.exec(
            select(DecisionJustering.decision_id).where(col(DecisionJustering.meeting_id).in_(ids))
        ).all()
    )
    names: dict[str, str] = {}
    for meeting in year_meetings:
        assert meeting.id is not None
        meeting_id = f"urn:ledningsbot:meeting:{meeting.ref}"
        participants = []
        for person in people_by_meeting.get(meeting.id, []):
            pid = _person_id(person.user_id, person.name)
            if person.user_id and person.user_id not in names:
                names[person.user_id] = ctx.directory.display_name(person.user_id)
            name = names[person.user_id] if person.user_id else person.name or ""
            entry = oparl.people.setdefault(
                pid, {"id": pid, "type": OPARL + "Person", "name": name}
            )
            if person.organisation:
                entry["ledningsbot:organisation"] = person.organisation
            if person.role != "frånvarande":
                participants.append(pid)
        agenda_items = []
        for item in items_by_meeting.get(meeting.id, []):
            item_id = f"{meeting_id}:punkt:{item.number}"
            taken = [
                d for d in decisions_by_meeting.get(meeting.id, []) if d.item == str(item.number)
            ]
            result = {MOVED: "lyft", DROPPED: "utgår"}.get(item.status, "behandlad")
            agenda_items.append(
                {
                    "id": item_id,
                    "type": OPARL + "AgendaItem",
                    "meeting": meeting_id,
                    "number": str(item.number),
                    "order": item.number,
                    "name": item.title,
                    "public": True,
                    "result": result,
                    "resolutionText": "\n".join(d.text for d in taken) or None,
                    "consultation": [f"urn:ledningsbot:decision:{d.ref}" for d in taken],
                }
            )
        for decision in decisions_by_meeting.get(meeting.id, []):
            number = decision.item if decision.item else None
            oparl.consultations.append(
                {
                    "id": f"urn:ledningsbot:decision:{decision.ref}",
                    "type": OPARL + "Consultation",
                    "meeting": meeting_id,
                    "agendaItem": f"{meeting_id}:punkt:{number}" if number else None,
                    "organization": [oparl.org_id],
                    "authoritative": True,
                    "role": "beslut",
                    "ledningsbot:referens": decision.ref,
                    "ledningsbot:beslut": decision.text,
                    "ledningsbot:förslag": decision.proposal,
                    "ledningsbot:status": decision.status,
                    "ledningsbot:datum": decision.decided_on.isoformat(),
                    "ledningsbot:justerat": decision.id in justerade,
                }
            )
        start, end = _span(meeting, ctx)
        entry = {
            "id": meeting_id,
            "type": OPARL + "Meeting",
            "name": meeting_texts.kind_label(meeting.kind, oparl.organ),
            "meetingState": meeting.status,
            "cancelled": meeting.status == meetings.CANCELLED,
            "start": start,
            "end": end,
            "organization": [oparl.org_id],
            "participant": participants,
            "agendaItem": agenda_items,
            "ledningsbot:referens": meeting.ref,
        }
        if meeting.location:
            entry["location"] = {"type": OPARL + "Location", "description": meeting.location}
        if meeting.id in oparl.protocols:
            entry["resultsProtocol"] = oparl.protocols[meeting.id]
        oparl.meetings.append(entry)


def _span(meeting: Meeting, ctx: Ctx) -> tuple[str, str]:
    if meeting.start_time is None:
        return meeting.start_date.isoformat(), meeting.end_date.isoformat()
    start = datetime.combine(meeting.start_date, meeting.start_time, ctx.app.tz)
    end = datetime.combine(meeting.end_date, meeting.end_time or meeting.start_time, ctx.app.tz)
    return start.isoformat(), end.isoformat()
