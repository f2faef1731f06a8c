"""A form (modal) in the terminal: the shell asks for each field of a view the bot opened, in
Swedish, and builds the `view_submission` state Slack would send. Field errors the bot answers
with are shown, and only those fields are asked again."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from handlers.slack_standin import mrkdwn_to_text

Ask = Callable[[str], str | None]  # prompt -> the line typed, None at the end of input
Suggest = Callable[[dict[str, Any], str], list[dict[str, Any]]]  # external_select options

CANCEL = ":avbryt"
YES = {"ja", "j", "yes", "y", "x", "1"}
NO = {"", "nej", "n", "no", "0"}


class Cancelled(Exception):
    pass


def heading(view: Mapping[str, Any]) -> str:
    title = _text(view.get("title"))
    submit = _text(view.get("submit")) or "Skicka"
    return (
        f"── formulär: {title} ──\n"
        f"Fyll i fälten ett i taget. Tom rad hoppar över ett valfritt fält (eller behåller "
        f"förvalet); {CANCEL} avbryter. Sist skickas formuläret ({submit})."
    )


def inputs(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [b for b in view.get("blocks") or [] if b.get("type") == "input" and b.get("block_id")]


def ask_fields(
    blocks: list[dict[str, Any]],
    ask: Ask,
    say: Callable[[str], None],
    people: Mapping[str, str],
    suggest: Suggest,
    state: dict[str, dict[str, Any]],
) -> None:
    """Ask for each block's value and put it in `state` (block_id -> action_id -> value)."""
    for block in blocks:
        element = block.get("element") or {}
        action_id = str(element.get("action_id") or "value")
        before = state.get(str(block["block_id"]), {}).get(action_id)
        while True:
            answer = ask(_prompt(block, element, say, _shown(before)))
            if answer is None or answer.strip() == CANCEL:
                raise Cancelled
            if not answer.strip() and before is not None:  # sent before: blank keeps it
                break
            try:
                value = _value(element, answer.strip(), people, suggest, block)
            except ValueError as problem:
                say(f"  {problem}")
                continue
            if value is None and not block.get("optional"):
                say("  Fältet måste fyllas i.")
                continue
            state.setdefault(str(block["block_id"]), {})[action_id] = _state(element, value)
            break


def _prompt(
    block: Mapping[str, Any], element: Mapping[str, Any], say: Callable[[str], None], before: str
) -> str:
    label = _text(block.get("label")).strip()
    kind = element.get("type")
    options = element.get("options") or []
    if kind == "checkboxes" and len(options) == 1 and not label:
        label = _text(options[0].get("text"))
        extra = " (ja/nej)"
    elif kind in ("static_select", "checkboxes", "radio_buttons"):
        shown = ", ".join(_text(o.get("text")) for o in options)
        say(f"  val: {shown}")
        extra = " (flera, åtskilda med komma)" if kind == "checkboxes" else ""
    elif kind in ("multi_users_select", "users_select"):
        extra = " (@namn, flera åtskilda med mellanslag)"
    elif kind == "external_select":
        extra = " (skriv början, det första som passar väljs)"
    elif kind == "datepicker":
        extra = " (ÅÅÅÅ-MM-DD)"
    else:
        extra = ""
    hint = _text(block.get("hint"))
    if hint:
        say(f"  ({hint})")
    initial = element.get("initial_option")
    default = f" [{_text(initial.get('text'))}]" if isinstance(initial, Mapping) else ""
    default = f" [{before}]" if before else default
    optional = " (valfritt)" if block.get("optional") else ""
    return f"  {label}{optional}{extra}{default}: "


def _value(
    element: Mapping[str, Any],
    answer: str,
    people: Mapping[str, str],
    suggest: Suggest,
    block: Mapping[str, Any],
) -> Any:
    kind = element.get("type")
    options: list[dict[str, Any]] = list(element.get("options") or [])
    if kind in ("static_select", "radio_buttons"):
        if not answer:
            return element.get("initial_option")
        return _pick(options, answer)
    if kind == "external_select":
        if not answer:
            return element.get("initial_option")
        return _pick(suggest(dict(block), answer), answer)
    if kind == "checkboxes":
        if len(options) == 1:
            if answer.lower() in YES:
                return [options[0]]
            if answer.lower() in NO:
                return []
            raise ValueError("Svara ja eller nej.")
        return [_pick(options, part.strip()) for part in answer.split(",") if part.strip()]
    if kind in ("multi_users_select", "users_select"):
        ids = []
        for word in answer.replace(",", " ").split():
            name = word.lstrip("@").lower()
            if name not in people:
                raise ValueError(f"Ingen @{name} här. Finns: {', '.join(people)}.")
            ids.append(people[name])
        if kind == "users_select":
            return ids[0] if ids else None
        return ids
    return answer or None


def _pick(options: list[dict[str, Any]], answer: str) -> dict[str, Any]:
    wanted = answer.lower()
    for test in (
        lambda o: str(o.get("value", "")).lower() == wanted,
        lambda o: _text(o.get("text")).lower() == wanted,
        lambda o: _text(o.get("text")).lower().startswith(wanted),
    ):
        found = [o for o in options if test(o)]
        if found:
            return found[0]
    shown = ", ".join(str(o.get("value")) for o in options[:20])
    raise ValueError(f"Inget val heter {answer!r}. Välj bland: {shown}.")


def _state(element: Mapping[str, Any], value: Any) -> dict[str, Any]:
    """The value as Slack puts it in view.state.values."""
    kind = str(element.get("type") or "plain_text_input")
    if kind in ("static_select", "external_select", "radio_buttons"):
        return {"type": kind, "selected_option": value}
    if kind == "checkboxes":
        return {"type": kind, "selected_options": value or []}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": value or []}
    if kind == "users_select":
        return {"type": kind, "selected_user": value}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value}
    return {"type": kind, "value": value}


def _shown(state: Mapping[str, Any] | None) -> str:
    """A value sent before, as the field shows it (blank keeps it)."""
    if not state:
        return ""
    if state.get("selected_option"):
        return _text(state["selected_option"].get("text"))
    if "selected_options" in state:
        return ", ".join(_text(o.get("text")) for o in state["selected_options"]) or "nej"
    if "selected_users" in state:
        return " ".join(state["selected_users"]) or "–"
    value = state.get("value") or state.get("selected_date") or state.get("selected_user")
    return str(value) if value else "–"


def _text(obj: Any) -> str:
    if isinstance(obj, str):
        return obj
    if isinstance(obj, Mapping):
        text = str(obj.get("text") or "")
        return mrkdwn_to_text(text) if obj.get("type") == "mrkdwn" else text
    return ""
