"""The minutes document and the extract laid out as blocks, in the group's own form (see the
samples): the one place that decides what a document says and in which order. The writers
(Markdown, DOCX, PDF) only render blocks."""

from __future__ import annotations

from bot.cycle import texts
from bot.cycle.model import (
    DROPPED,
    MOVED,
    Block,
    Doc,
    DocAssignment,
    DocItem,
    DocPerson,
    Extract,
)


def person_line(person: DocPerson) -> str:
    return f"{person.name}, {person.organisation}" if person.organisation else person.name


def by_organisation(people: list[DocPerson]) -> list[DocPerson]:
    """Attendance by organisation: grouped by it (those without one last), then by name."""
    return sorted(
        people,
        key=lambda p: (
            p.organisation is None,
            (p.organisation or "").casefold(),
            p.name.casefold(),
        ),
    )


def assignment_text(task: DocAssignment) -> str:
    return texts.doc_assignment(task.ref, task.what, task.owners, task.due, task.report_to)


def minutes_blocks(doc: Doc) -> list[Block]:
    blocks = [
        Block("title", texts.doc_title(doc.form, doc.organ_name)),
        Block("para", doc.date_line, texts.DOC_TIME),
    ]
    if doc.place:
        blocks.append(Block("para", doc.place, texts.DOC_PLACE))
    blocks.append(Block("small", texts.doc_reference(doc.ref, doc.version, doc.lock is not None)))
    for label, people in (
        (texts.DOC_PRESENT, doc.present),
        (texts.DOC_ABSENT, doc.absent),
        (texts.DOC_GUESTS, doc.guests),
    ):
        if people:
            blocks.append(Block("subtitle", label))
            blocks += [Block("bullet", person_line(p)) for p in by_organisation(people)]
    for item in doc.items:
        blocks += _item_blocks(item)
    if doc.other_decisions or doc.other_assignments:
        blocks.append(Block("heading", texts.DOC_OTHER))
        blocks += [_decision(d.text, d.ref, d.status) for d in doc.other_decisions]
        blocks += [
            Block("para", assignment_text(a), texts.DOC_ASSIGNMENT) for a in doc.other_assignments
        ]
    if doc.next_meetings:
        blocks.append(Block("subtitle", texts.DOC_NEXT))
        blocks += [Block("bullet", line) for line in doc.next_meetings]
    blocks.append(Block("gap"))
    if doc.secretary:
        blocks.append(Block("para", doc.secretary, texts.DOC_SECRETARY))
    blocks.append(
        Block("para", texts.and_list(doc.adjusters) or texts.DOC_NO_ADJUSTER, texts.DOC_ADJUSTER)
    )
    if doc.lock is not None:
        lock = doc.lock
        blocks.append(
            Block(
                "small",
                texts.doc_locked(
                    lock.by, lock.at, lock.version, lock.established, lock.content_hash
                ),
            )
        )
    else:
        blocks.append(Block("small", texts.doc_draft(doc.form, doc.version, doc.adjusters)))
    return blocks


def _decision(text: str, ref: str, status: str) -> Block:
    return Block("para", texts.doc_decision(text, ref, status), texts.DOC_DECISION)


def _item_blocks(item: DocItem) -> list[Block]:
    blocks = [Block("heading", texts.doc_item_heading(item.number, item.title))]
    if item.presenter:
        blocks.append(Block("para", item.presenter, texts.DOC_PRESENTER))
    if item.carried_from:
        blocks.append(Block("small", texts.doc_carried_from(item.carried_from)))
    if item.material:
        blocks.append(Block("para", item.material, texts.DOC_MATERIAL))
    if item.state == MOVED:
        blocks.append(Block("para", texts.doc_moved(item.moved_to or "", item.reason)))
        return blocks
    if item.state == DROPPED:
        blocks.append(Block("para", texts.doc_dropped(item.reason)))
        return blocks
    if item.reports:
        blocks += [
            Block("bullet", texts.doc_report(a.ref, a.what, a.owners, a.due, a.latest))
            for a in item.reports
        ]
    elif item.auto == "återrapport":
        blocks.append(Block("para", texts.DOC_NO_REPORTS))
    if item.notes:
        blocks += [
            Block("para", paragraph) for paragraph in item.notes.split("\n\n") if paragraph.strip()
        ]
    if item.proposal:
        blocks.append(Block("para", item.proposal, texts.DOC_PROPOSAL))
    for d in item.decisions:  # each decision after its own proposal, as in the samples
        if d.proposal and d.proposal != item.proposal:
            blocks.append(Block("para", d.proposal, texts.DOC_PROPOSAL))
        blocks.append(_decision(d.text, d.ref, d.status))
    # The item's assignments after its decisions, one "Uppdrag:" line each, with its (U-n).
    # Read back (bot.importing.parsing, _written_assignment): a line that is an assignment the
    # decision text above already gives (same text, or the same U-n) is that one, with its
    # decision; any other hangs on the item only, never on the item's last decision.
    blocks += [Block("para", assignment_text(a), texts.DOC_ASSIGNMENT) for a in item.assignments]
    return blocks


def extract_blocks(extract: Extract) -> list[Block]:
    """A protokollsutdrag: one decision with its meeting, §, text and justering."""
    blocks = [
        Block("title", texts.extract_title(extract.form)),
        Block("para", extract.organ_name, texts.DOC_ORGAN),
    ]
    if extract.date_line:
        blocks.append(Block("para", extract.date_line, texts.DOC_TIME))
    if extract.place:
        blocks.append(Block("para", extract.place, texts.DOC_PLACE))
    blocks.append(
        Block("small", texts.extract_reference(extract.meeting_ref, extract.decision_ref))
    )
    blocks.append(Block("heading", texts.doc_item_heading(extract.number, extract.item_title)))
    if extract.proposal:
        blocks.append(Block("para", extract.proposal, texts.DOC_PROPOSAL))
    blocks.append(_decision(extract.text, extract.decision_ref, extract.status))
    blocks += [Block("para", assignment_text(a), texts.DOC_ASSIGNMENT) for a in extract.assignments]
    blocks.append(Block("gap"))
    blocks.append(Block("para", extract.justering, texts.DOC_JUSTERING))
    blocks += [Block("para", change, texts.DOC_CHANGED_AFTER) for change in extract.changes]
    blocks.append(Block("small", extract.made))
    return blocks
