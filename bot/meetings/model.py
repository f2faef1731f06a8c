"""What a meeting is, below its service and its texts: its statuses and when it takes place."""

from __future__ import annotations

from bot.core.dates import When
from storage.models import Meeting

PLANNED = "planerat"
CANCELLED = "inställt"
#: A meeting recorded after it took place (e.g. from imported minutes): never reminded of or
#: invited to, since both look at planned meetings only.
HELD = "hållet"


def when_of(meeting: Meeting) -> When:
    return When(meeting.start_date, meeting.end_date, meeting.start_time, meeting.end_time)
