"""What the home feature says, in Swedish.

Texts that include user input escape it with `esc`: nothing typed can ping, link or break
layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

HOME_TITLE = "ledningsbot"


HOME_MEETINGS = "Kommande möten"


HOME_DECISIONS = "Senaste besluten"


def more_assignments(shown: int, total: int) -> str:
    return (
        f"Här syns {shown} av dina {total} öppna uppdrag ({total - shown} till). "
        "Se alla med `/uppdrag`, sida för sida (`/uppdrag sida 2`)."
    )
