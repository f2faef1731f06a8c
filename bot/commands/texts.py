"""What the command language itself says: one working example per command, shown under an
error that does not already show one of that command. (Errors raised by a feature shared by
several commands cannot know which command was typed.)"""

from __future__ import annotations

EXAMPLES = {
    "/beslut": "/beslut LG 9/5: Ledningsgruppen beslutar enligt förslag",
    "/uppdrag": "/uppdrag @Anna Ta fram underlag till nästa AU",
    "/mote": "/mote ny AU 14 augusti 13-15 Regionhuset",
    "/organ": "/organ ny PG-AVTAL Processgrupp för avtal",
    "/kalender": "/kalender",
}


def with_example(command: str, message: str) -> str:
    """The error message, with an example of `command` added when it shows none."""
    example = EXAMPLES.get(command)
    if example is None or f"`{command}" in message:
        return message
    return f"{message}\nTill exempel: `{example}`"
