"""The meeting cycle's buttons: their action ids and how each is built."""

from __future__ import annotations

from bot.core.replies import Button, Part, buttons
from bot.cycle import texts

ACTION_MATERIAL = "cykel_underlag"
ACTION_JUSTERA = "cykel_justera"
ACTION_CHANGE = "cykel_begar_andring"
ACTION_GO_ON = "cykel_fortsatt"
ACTION_ACCEPT = "cykel_ta_med"


def material_button(ref: str, item_id: int) -> Part:
    return buttons(Button(texts.BUTTON_MATERIAL, ACTION_MATERIAL, f"{ref}|{item_id}", "primary"))


def justering_buttons(ref: str, version: int) -> Part:
    value = f"{ref}|{version}"
    return buttons(
        Button(texts.BUTTON_JUSTERA, ACTION_JUSTERA, value, "primary"),
        Button(texts.BUTTON_CHANGE, ACTION_CHANGE, value),
    )


def go_on_button(command: str, text: str) -> Part:
    """Run the same command again, confirmed (`ändå`)."""
    return buttons(Button(texts.BUTTON_GO_ON, ACTION_GO_ON, f"{command}|{text} ändå", "danger"))


def accept_button(ref: str, label: str) -> Part:
    return buttons(Button(texts.BUTTON_ACCEPT, ACTION_ACCEPT, f"{ref}|{label}", "primary"))
