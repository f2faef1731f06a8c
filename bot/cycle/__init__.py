"""The meeting cycle: agenda (dagordning, kallelse), material, attendance, minutes, justering,
protokollsutdrag and the year's archive — the group's own documents made from the register.

The feature's service, re-exported: `from bot import cycle` then `cycle.<name>`."""

from bot.cycle.agenda import (
    AgendaView,
    Changed,
    ItemSpec,
    accept,
    add_material,
    add_note,
    deadline,
    drop,
    edit,
    find_item,
    is_item_token,
    label,
    move,
    open_numbers,
    plain_agenda,
    propose,
    publish,
    reorder,
    set_deadline,
    set_form,
    when_text,
)
from bot.cycle.agenda import view as agenda_view
from bot.cycle.archive import Archive, archive
from bot.cycle.attendance import Entry as AttendanceEntry
from bot.cycle.attendance import Listing as AttendanceListing
from bot.cycle.attendance import Spec as AttendanceSpec
from bot.cycle.attendance import listing as attendance_listing
from bot.cycle.attendance import record as record_attendance
from bot.cycle.extract import Made, extract
from bot.cycle.material import remind as remind_material
from bot.cycle.minutes import (
    Draft,
    Files,
    approve_previous,
    draft,
    justera,
    request_change,
    send_for_justering,
    set_adjusters,
    title_of,
)
from bot.cycle.minutes import State as MinutesState
from bot.cycle.minutes import state as minutes_state
from bot.cycle.model import FORMS
from bot.cycle.privacy import find_personal_numbers
from bot.cycle.service import (
    attach_assignment,
    item_by_id,
    item_for,
    kind_label,
    kind_label_of,
    slack_lines,
)

__all__ = [
    "FORMS",
    "AgendaView",
    "Archive",
    "AttendanceEntry",
    "AttendanceListing",
    "AttendanceSpec",
    "Changed",
    "Draft",
    "Files",
    "ItemSpec",
    "Made",
    "MinutesState",
    "accept",
    "add_material",
    "add_note",
    "agenda_view",
    "approve_previous",
    "archive",
    "attach_assignment",
    "attendance_listing",
    "deadline",
    "draft",
    "drop",
    "edit",
    "extract",
    "find_item",
    "find_personal_numbers",
    "is_item_token",
    "item_by_id",
    "item_for",
    "justera",
    "kind_label",
    "kind_label_of",
    "label",
    "minutes_state",
    "move",
    "open_numbers",
    "plain_agenda",
    "propose",
    "publish",
    "record_attendance",
    "remind_material",
    "reorder",
    "request_change",
    "send_for_justering",
    "set_adjusters",
    "set_deadline",
    "set_form",
    "slack_lines",
    "title_of",
    "when_text",
]
