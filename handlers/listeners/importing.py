"""*Importera mötesanteckningar*: a message shortcut on a message with a minutes file. The bot
fetches the file (files.info, then url_private with the bot token), shows the proposal in a
modal where the secretary corrects the meeting, each decision's § and text and each
assignment's owners, text and due date, and stores it on *Spara*, as `ledningsbot import` does.
Only admins (the secretary) may import."""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from dataclasses import replace
from datetime import date, time
from pathlib import Path
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot import importing
from bot.core.context import Ctx
from bot.core.errors import UserError
from bot.core.replies import Message, section
from bot.importing import texts
from bot.importing.model import Due, Item, Proposal
from handlers.common import Deps
from handlers.deliver import send_dm
from handlers.directory import full_names

log = logging.getLogger(__name__)

SHORTCUT = "importera_motesanteckningar"
VIEW = "importera_motesanteckningar_form"
MAX_BLOCKS = 100  # Block Kit's limit for a modal
_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,2})?$")
_OWNER_SPLIT = re.compile(r"\s*,\s*|\s+och\s+")


# ------------------------------------------------------------------ the file


def minutes_file(message: dict[str, Any]) -> dict[str, Any] | None:
    for shared in message.get("files") or []:
        if Path(str(shared.get("name") or "")).suffix.lower() in importing.SUFFIXES:
            return dict(shared)
    return None


def fetch(client: WebClient, file_id: str) -> tuple[bytes, str]:
    """The file's bytes and name: files.info, then its url_private with the bot token."""
    info = client.files_info(file=file_id)["file"]
    url = str(info.get("url_private_download") or info["url_private"])
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        data = response.read(importing.MAX_BYTES + 1)
    return data, str(info.get("name") or file_id)


def _proposal(ctx: Ctx, client: WebClient, file_id: str) -> tuple[Proposal, bytes, str, dict]:
    data, name = fetch(client, file_id)
    directory = full_names(client)
    proposal = importing.read(ctx, data, name, importing.known_for(ctx, directory))
    return proposal, data, name, directory


# ------------------------------------------------------------------ the modal


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150], "emoji": False}


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = True,
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "optional": optional,
        "element": {"action_id": "value", **element},
    }


def _text(block_id: str, label: str, value: str | None, *, multiline: bool = False,
          optional: bool = True) -> dict[str, Any]:  # fmt: skip
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline}
    element["max_length"] = 3000
    if value:
        element["initial_value"] = value[:3000]
    return _input(block_id, label, element, optional=optional)


def _date(block_id: str, label: str, value: date | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker"}
    if value:
        element["initial_date"] = value.isoformat()
    return _input(block_id, label, element)


def _time(block_id: str, label: str, value: time | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "timepicker"}
    if value:
        element["initial_time"] = value.strftime("%H:%M")
    return _input(block_id, label, element)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _due_day(due: Due | None) -> date | None:
    if due is None:
        return None
    return due.meeting if due.is_meeting else due.day


def proposal_view(proposal: Proposal, name: str, meta: str) -> dict[str, Any]:
    blocks = [_section(texts.shortcut_summary(proposal, name))]
    if proposal.warnings:
        blocks.append(
            {"type": "context", "elements": [
                {"type": "mrkdwn", "text": texts.shortcut_warnings(proposal)[:3000]}]}
        )  # fmt: skip
    blocks += [
        _text("organ", texts.FIELD_ORGAN, proposal.organ, optional=False),
        _date("date", texts.FIELD_DATE, proposal.date),
        _time("start", texts.FIELD_START, proposal.start),
        _time("end", texts.FIELD_END, proposal.end),
        _text("place", texts.FIELD_PLACE, proposal.place),
    ]
    fields: list[dict[str, Any]] = []
    for i, item in enumerate(proposal.items):
        if not item.decisions and not item.assignments:
            continue
        fields.append(_section(texts.item_heading(item.number, item.title)))
        for j, decision in enumerate(item.decisions):
            fields.append(_text(f"d{i}.{j}.item", texts.FIELD_ITEM, item.number, optional=False))
            fields.append(
                _text(f"d{i}.{j}.text", texts.FIELD_DECISION, decision.text, multiline=True,
                      optional=False)
            )  # fmt: skip
        for k, task in enumerate(item.assignments):
            fields.append(_text(f"a{i}.{k}.owners", texts.FIELD_OWNERS, ", ".join(task.owners)))
            fields.append(
                _text(f"a{i}.{k}.text", texts.FIELD_TASK, task.text, multiline=True,
                      optional=False)
            )  # fmt: skip
            fields.append(_date(f"a{i}.{k}.due", texts.FIELD_DUE, _due_day(task.due)))
    if len(blocks) + len(fields) <= MAX_BLOCKS:
        blocks += fields
    else:
        blocks.append(_section(texts.shortcut_too_long(len(blocks) + len(fields))))
    return {
        "type": "modal",
        "callback_id": VIEW,
        "title": _plain(texts.SHORTCUT_TITLE),
        "submit": _plain(texts.SHORTCUT_SAVE),
        "close": _plain(texts.SHORTCUT_CANCEL),
        "private_metadata": meta,
        "blocks": blocks,
    }


def _notice(text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": _plain(texts.SHORTCUT_TITLE),
        "close": _plain(texts.SHORTCUT_CANCEL),
        "blocks": [_section(text)],
    }


# ------------------------------------------------------------------ corrections


def _value(state: dict[str, Any], block_id: str) -> Any:
    element = (state.get(block_id) or {}).get("value")
    if element is None:
        return None  # not in the form
    for key in ("selected_date", "selected_time"):
        if key in element:
            return element[key] or ""
    return element.get("value") or ""


def correct(proposal: Proposal, state: dict[str, Any]) -> dict[str, str]:
    """The secretary's corrections applied to the proposal; errors by field (none: applied)."""
    errors: dict[str, str] = {}
    organ = _value(state, "organ")
    if organ is not None:
        proposal.organ = organ.strip() or None
    day = _value(state, "date")
    if day:
        proposal.date = date.fromisoformat(day)
    start, end = _value(state, "start"), _value(state, "end")
    if start is not None:
        proposal.start = time.fromisoformat(start) if start else None
    if end is not None:
        proposal.end = time.fromisoformat(end) if end else None
    if proposal.start and proposal.end and proposal.end <= proposal.start:
        errors["end"] = texts.TIME_ORDER
    place = _value(state, "place")
    if place is not None:
        proposal.place = place.strip() or None
    moves: list[tuple[int, int, str]] = []
    for i, item in enumerate(proposal.items):
        for j, decision in enumerate(item.decisions):
            number, text = _value(state, f"d{i}.{j}.item"), _value(state, f"d{i}.{j}.text")
            if text is not None:
                if not text.strip():
                    errors[f"d{i}.{j}.text"] = texts.TEXT_NEEDED
                item.decisions[j] = replace(decision, text=" ".join(text.split()))
            if number is not None:
                number = number.strip().lstrip("§").strip()
                if not _NUMBER.match(number):
                    errors[f"d{i}.{j}.item"] = texts.ITEM_MUST_BE_NUMBER
                elif number != (item.number or ""):
                    moves.append((i, j, number))
        for k, task in enumerate(item.assignments):
            owners = _value(state, f"a{i}.{k}.owners")
            if owners is not None:
                task.owners = [o for o in _OWNER_SPLIT.split(owners.strip()) if o]
            what = _value(state, f"a{i}.{k}.text")
            if what is not None:
                if not what.strip():
                    errors[f"a{i}.{k}.text"] = texts.TEXT_NEEDED
                task.text = " ".join(what.split())
            due, was = _value(state, f"a{i}.{k}.due"), _due_day(task.due)
            if due is not None and (due or None) != (was.isoformat() if was else None):
                task.due = Due(day=date.fromisoformat(due)) if due else None
    if not errors:
        _move(proposal, moves)
    return errors


def _move(proposal: Proposal, moves: list[tuple[int, int, str]]) -> None:
    """Decisions given another §: to that item (made if missing); an assignment made from a
    moved decision stays with its item, no longer tied to it."""
    moving = {(i, j): number for i, j, number in moves}
    taken: list[tuple[str, Any]] = []
    for i, item in enumerate(proposal.items):
        kept: list[Any] = []
        index: dict[int, int] = {}
        for j, decision in enumerate(item.decisions):
            if (i, j) in moving:
                taken.append((moving[(i, j)], decision))
            else:
                index[j] = len(kept)
                kept.append(decision)
        if len(kept) != len(item.decisions):
            item.decisions = kept
            for task in item.assignments:
                if task.decision is not None:
                    task.decision = index.get(task.decision)
    for number, decision in taken:
        target = next((x for x in proposal.items if x.number == number), None)
        if target is None:
            target = Item(number, f"§ {number}")
            proposal.items.append(target)
        target.decisions.append(decision)


# ------------------------------------------------------------------ the listeners


def register(app: App, deps: Deps) -> None:
    @app.shortcut(SHORTCUT)
    def shortcut(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
        ctx = deps.ctx(user, channel)
        trigger = body["trigger_id"]
        shared = minutes_file(body.get("message") or {})
        notice = (
            texts.SHORTCUT_ONLY_ADMINS
            if not ctx.is_admin()
            else texts.SHORTCUT_NO_FILE
            if shared is None
            else None
        )
        try:
            opened = client.views_open(
                trigger_id=trigger, view=_notice(notice or texts.SHORTCUT_LOADING)
            )
        except SlackClientError:
            log.exception("could not open the import form")
            return
        if notice is not None or shared is None:
            return
        view_id = opened["view"]["id"]
        meta = json.dumps({"file": shared["id"], "channel": channel})

        def show(_body: dict[str, Any], client: WebClient) -> None:
            try:
                proposal, _data, name, _people = _proposal(ctx, client, str(shared["id"]))
                view = proposal_view(proposal, name, meta)
            except UserError as error:
                view = _notice(error.message)
            except (SlackClientError, OSError, KeyError):
                log.exception("could not fetch the minutes file")
                view = _notice(texts.SHORTCUT_FETCH_FAILED)
            client.views_update(view_id=view_id, view=view)

        deps.later(show, body, client)

    @app.view(VIEW)
    def save(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        meta = json.loads(view.get("private_metadata") or "{}")
        user = body["user"]["id"]
        ctx = deps.ctx(user, meta.get("channel"))
        if not ctx.is_admin():
            ack(response_action="errors", errors={"organ": texts.SHORTCUT_ONLY_ADMINS})
            return
        try:
            proposal, data, name, directory = _proposal(ctx, client, str(meta.get("file")))
        except UserError as error:
            ack(response_action="errors", errors={"organ": error.message[:2000]})
            return
        except (SlackClientError, OSError, KeyError):
            log.exception("could not fetch the minutes file")
            ack(response_action="errors", errors={"organ": texts.SHORTCUT_FETCH_FAILED})
            return
        errors = correct(proposal, view["state"]["values"])
        if errors:
            ack(response_action="errors", errors=errors)
            return
        try:
            stored = importing.store(ctx, proposal, data, name, directory)
        except UserError as error:
            field = "date" if proposal.date is None else "organ"
            ack(response_action="errors", errors={field: error.message[:2000]})
            return
        ack()
        done = texts.stored(
            stored.meeting.ref, stored.decisions, stored.assignments, len(stored.sessions)
        )
        send_dm(client, user, Message(done, [section(done)]))
