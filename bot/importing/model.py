"""What the importer proposes, below its parser, its texts and its service: a Proposal and its
stable JSON form (documented in the README, *Importera gamla mötesanteckningar*)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

#: Formats the importer reads, by file suffix.
SUFFIXES = (".txt", ".md", ".docx", ".pdf")


@dataclass(frozen=True)
class Person:
    """Someone in the attendance lists, with their organisation as written (or None)."""

    name: str
    organisation: str | None = None


@dataclass(frozen=True)
class Due:
    """A due date (``day``) or a due meeting (``meeting``: its date, None = the next meeting)."""

    day: date | None = None
    meeting: date | None = None
    is_meeting: bool = False


@dataclass
class ProposedAssignment:
    owners: list[str]
    text: str
    due: Due | None = None
    report_to: list[str] = field(default_factory=list)
    line: int = 0
    #: Index in the item's ``decisions`` of the decision it comes from, if any.
    decision: int | None = None


@dataclass
class ProposedDecision:
    text: str
    proposal: str | None = None
    line: int = 0


@dataclass
class Item:
    number: str | None
    title: str
    presenter: str | None = None
    decisions: list[ProposedDecision] = field(default_factory=list)
    assignments: list[ProposedAssignment] = field(default_factory=list)
    line: int = 0


@dataclass(frozen=True)
class Session:
    """A later session the minutes announce: a meeting, workshop, conference, internat …"""

    kind: str
    start_date: date
    end_date: date
    start: time | None = None
    end: time | None = None
    note: str = ""
    line: int = 0
    #: The organ whose meeting it is, when the text says ("LG 7 oktober"); not in the JSON.
    organ: str | None = None


@dataclass(frozen=True)
class Warning:
    line: int
    text: str


@dataclass
class Proposal:
    organ: str | None = None
    date: date | None = None
    start: time | None = None
    end: time | None = None
    place: str | None = None
    present: list[Person] = field(default_factory=list)
    absent: list[Person] = field(default_factory=list)
    guests: list[Person] = field(default_factory=list)
    justerare: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    def warn(self, line: int, text: str) -> None:
        warning = Warning(line, text)
        if warning not in self.warnings:
            self.warnings.append(warning)

    def to_dict(self) -> dict[str, Any]:
        """The stable ``--json`` form."""
        return {
            "organ": self.organ,
            "meeting": {
                "date": _iso(self.date),
                "start": _hm(self.start),
                "end": _hm(self.end),
                "place": self.place,
            },
            "present": [_person(p) for p in self.present],
            "absent": [_person(p) for p in self.absent],
            "guests": [_person(p) for p in self.guests],
            "justerare": list(self.justerare),
            "items": [
                {
                    "number": item.number,
                    "title": item.title,
                    "presenter": item.presenter,
                    "decisions": [{"text": d.text, "proposal": d.proposal} for d in item.decisions],
                    "assignments": [
                        {
                            "owners": list(a.owners),
                            "text": a.text,
                            "due": _due(a.due),
                            "report_to": list(a.report_to),
                        }
                        for a in item.assignments
                    ],
                }
                for item in self.items
            ],
            "sessions": [
                {
                    "kind": s.kind,
                    "start_date": _iso(s.start_date),
                    "end_date": _iso(s.end_date),
                    "start": _hm(s.start),
                    "end": _hm(s.end),
                    "note": s.note,
                }
                for s in self.sessions
            ],
            "warnings": [{"line": w.line, "text": w.text} for w in self.warnings],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Proposal:
        """The proposal back from its JSON form (e.g. after a review)."""
        meeting = data.get("meeting") or {}
        items = []
        for raw in data.get("items") or []:
            decisions = [
                ProposedDecision(d["text"], d.get("proposal")) for d in raw.get("decisions") or []
            ]
            assignments = [
                ProposedAssignment(
                    list(a.get("owners") or []),
                    a["text"],
                    _due_from(a.get("due")),
                    list(a.get("report_to") or []),
                )
                for a in raw.get("assignments") or []
            ]
            items.append(
                Item(raw.get("number"), raw.get("title") or "", raw.get("presenter"), decisions,
                     assignments)
            )  # fmt: skip
        return cls(
            organ=data.get("organ"),
            date=_date_from(meeting.get("date")),
            start=_time_from(meeting.get("start")),
            end=_time_from(meeting.get("end")),
            place=meeting.get("place"),
            present=[Person(p["name"], p.get("organisation")) for p in data.get("present") or []],
            absent=[Person(p["name"], p.get("organisation")) for p in data.get("absent") or []],
            guests=[Person(p["name"], p.get("organisation")) for p in data.get("guests") or []],
            justerare=list(data.get("justerare") or []),
            items=items,
            sessions=[
                Session(
                    s["kind"],
                    date.fromisoformat(s["start_date"]),
                    date.fromisoformat(s["end_date"]),
                    _time_from(s.get("start")),
                    _time_from(s.get("end")),
                    s.get("note") or "",
                )
                for s in data.get("sessions") or []
            ],
            warnings=[Warning(w["line"], w["text"]) for w in data.get("warnings") or []],
        )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _hm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _person(person: Person) -> dict[str, Any]:
    return {"name": person.name, "organisation": person.organisation}


def _due(due: Due | None) -> dict[str, Any] | None:
    if due is None:
        return None
    if due.is_meeting:
        return {"meeting": _iso(due.meeting)}
    return {"date": _iso(due.day)}


def _due_from(raw: dict[str, Any] | None) -> Due | None:
    if not raw:
        return None
    if "meeting" in raw:
        return Due(meeting=_date_from(raw["meeting"]), is_meeting=True)
    return Due(day=_date_from(raw.get("date")))


def _date_from(raw: str | None) -> date | None:
    return date.fromisoformat(raw) if raw else None


def _time_from(raw: str | None) -> time | None:
    return time.fromisoformat(raw) if raw else None
