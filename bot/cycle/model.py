"""What the meeting cycle is made of, below its services, texts and writers: statuses, the
minutes document (one model, written as Markdown, DOCX and PDF by one writer per format) and
the laid-out blocks the writers share."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date, time
from typing import Any

from bot.core.dates import MONTH_NAMES

# Agenda items
PROPOSED = "föreslagen"
ACCEPTED = "godkänd"
MOVED = "lyft"
DROPPED = "utgår"
KINDS = ("beslut", "information", "dialog")
# Items that come by themselves
AUTO_OPENING = "öppnande"
AUTO_PREVIOUS = "föregående"
AUTO_REPORTS = "återrapport"

# Attendance
PRESENT = "närvarande"
ABSENT = "frånvarande"
GUEST = "gäst"
ROLES = (PRESENT, ABSENT, GUEST)

# Minutes
MINNESANTECKNINGAR = "minnesanteckningar"
PROTOKOLL = "protokoll"
FORMS = (MINNESANTECKNINGAR, PROTOKOLL)
DRAFT = "utkast"
SENT = "för justering"
LOCKED = "justerad"
DEFAULT_DEADLINE_DAYS = 5
MAX_DEADLINE_DAYS = 20


@dataclass(frozen=True)
class FileRef:
    """A file in Slack given as material: its id, name and permalink."""

    file_id: str
    name: str
    permalink: str | None = None


# ------------------------------------------------------------------ the minutes document


@dataclass
class DocPerson:
    name: str
    organisation: str | None = None


@dataclass
class DocDecision:
    ref: str
    text: str
    proposal: str | None = None
    status: str = "gällande"


@dataclass
class DocAssignment:
    ref: str
    what: str
    owners: list[str] = field(default_factory=list)
    due: str | None = None
    report_to: str | None = None
    status: str = "öppen"
    latest: str | None = None


@dataclass
class DocItem:
    number: int | None
    title: str
    presenter: str | None = None
    kind: str | None = None
    proposal: str | None = None
    notes: str | None = None
    material: str | None = None
    state: str = ACCEPTED  # godkänd (dealt with), lyft or utgår
    moved_to: str | None = None  # "ledningsgrupp 7 oktober 2027 (LG-271007)"
    reason: str | None = None
    carried_from: str | None = None  # "LG-261119 § 4"
    decisions: list[DocDecision] = field(default_factory=list)
    assignments: list[DocAssignment] = field(default_factory=list)
    reports: list[DocAssignment] = field(default_factory=list)  # återrapportering
    auto: str | None = None


@dataclass
class DocLock:
    """How the minutes were justerade: by whom (names, or the group at a later meeting), when,
    which version and its content hash, and the day they were upprättade."""

    by: str
    at: str  # "20 december 2026 kl. 10.15"
    version: int
    content_hash: str
    established: str  # "20 december 2026"


@dataclass
class Doc:
    form: str  # minnesanteckningar | protokoll
    organ_short: str
    organ_name: str
    ref: str
    label: str  # "LG-möte"
    date_line: str  # "Fredagen den 1 september 2023, kl 11-15"
    place: str | None
    present: list[DocPerson] = field(default_factory=list)
    absent: list[DocPerson] = field(default_factory=list)
    guests: list[DocPerson] = field(default_factory=list)
    items: list[DocItem] = field(default_factory=list)
    other_decisions: list[DocDecision] = field(default_factory=list)
    other_assignments: list[DocAssignment] = field(default_factory=list)
    next_meetings: list[str] = field(default_factory=list)
    secretary: str | None = None
    adjusters: list[str] = field(default_factory=list)
    version: int = 0
    lock: DocLock | None = None

    def to_json(self) -> str:
        """Canonical JSON: the same document always gives the same bytes (and hash)."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def content_hash(self) -> str:
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    def with_version(self, version: int) -> Doc:
        return replace(self, version=version)

    def decision_refs(self) -> list[str]:
        refs = [d.ref for item in self.items for d in item.decisions]
        return refs + [d.ref for d in self.other_decisions]

    @staticmethod
    def from_json(text: str) -> Doc:
        return doc_from_dict(json.loads(text))


def doc_from_dict(data: dict[str, Any]) -> Doc:
    def people(rows: list[dict[str, Any]]) -> list[DocPerson]:
        return [DocPerson(**r) for r in rows]

    def decisions(rows: list[dict[str, Any]]) -> list[DocDecision]:
        return [DocDecision(**r) for r in rows]

    def tasks(rows: list[dict[str, Any]]) -> list[DocAssignment]:
        return [DocAssignment(**r) for r in rows]

    items = []
    for row in data["items"]:
        row = dict(row)
        row["decisions"] = decisions(row.get("decisions", []))
        row["assignments"] = tasks(row.get("assignments", []))
        row["reports"] = tasks(row.get("reports", []))
        items.append(DocItem(**row))
    lock = DocLock(**data["lock"]) if data.get("lock") else None
    return Doc(
        **{
            **data,
            "present": people(data.get("present", [])),
            "absent": people(data.get("absent", [])),
            "guests": people(data.get("guests", [])),
            "items": items,
            "other_decisions": decisions(data.get("other_decisions", [])),
            "other_assignments": tasks(data.get("other_assignments", [])),
            "lock": lock,
        }
    )


# ------------------------------------------------------------------ laid-out blocks


@dataclass(frozen=True)
class Block:
    """One laid-out piece of a document, what every writer renders in its own way:

    title, subtitle, heading (a numbered item), para (with an optional bold lead-in label),
    bullet, small (small print), gap (a little space)."""

    kind: str
    text: str = ""
    label: str | None = None


# ------------------------------------------------------------------ dates as the samples


_WEEKDAYS_DEFINITE = (
    "Måndagen",
    "Tisdagen",
    "Onsdagen",
    "Torsdagen",
    "Fredagen",
    "Lördagen",
    "Söndagen",
)


def _clock(t: time) -> str:
    return f"{t.hour}" if t.minute == 0 else f"{t.hour}.{t.minute:02d}"


def day_month_year(d: date) -> str:
    return f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def minutes_date(start: date, end: date, start_time: time | None, end_time: time | None) -> str:
    """As the samples write it: "Fredagen den 1 september 2023, kl 11-15";
    "1-2 februari 2024" for days in a row."""
    if end > start:
        if start.year == end.year and start.month == end.month:
            text = f"{start.day}-{day_month_year(end)}"
        elif start.year == end.year:
            text = f"{start.day} {MONTH_NAMES[start.month - 1]}-{day_month_year(end)}"
        else:
            text = f"{day_month_year(start)}-{day_month_year(end)}"
    else:
        text = f"{_WEEKDAYS_DEFINITE[start.weekday()]} den {day_month_year(start)}"
    if start_time is not None:
        text += f", kl {_clock(start_time)}"
        if end_time is not None:
            text += f"-{_clock(end_time)}"
    return text


@dataclass
class Extract:
    """A protokollsutdrag: one decision, its meeting and §, and how it was justerat."""

    form: str
    organ_name: str
    meeting_ref: str | None
    decision_ref: str
    date_line: str | None
    place: str | None
    number: int | None
    item_title: str
    proposal: str | None
    text: str
    status: str
    assignments: list[DocAssignment]
    justering: str
    changes: list[str]
    made: str
