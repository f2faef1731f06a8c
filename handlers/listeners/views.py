"""Forms (modals): log a decision with an optional assignment; add a status to an assignment."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ExternalDataSelectElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot import assignments, organs
from bot.assignments import affected
from bot.assignments import texts as assignment_texts
from bot.commands.beslut import AlreadySaved, DecisionForm, log_from_form
from bot.core import confirming
from bot.core import texts as core_texts
from bot.core.context import Ctx
from bot.core.errors import NeedsConfirmation, UserError
from bot.core.markup import clean, clip
from bot.core.replies import Message, section
from bot.decisions import texts as decision_texts
from handlers.common import Deps
from handlers.deliver import post_or_answer, respond, send_dm, send_dms_telling
from handlers.listeners.home import publish_home
from storage.models import Organ

log = logging.getLogger(__name__)
DECISION_VIEW = "beslut_form"
STATUS_VIEW = "uppdrag_status_form"
ORGAN_SEARCH = "organ_search"  # the decision form's organ select, when it is type-ahead
MAX_OPTIONS = 100  # what a static select, or one answer to a type-ahead, may hold
ASSIGN_OPTION = Option(value="yes", text=decision_texts.MODAL_ASSIGN)


def _say(text: str) -> Message:
    return Message(text, [section(text)])


def _organ_option(organ: Organ) -> Option:
    return Option(value=organ.short_name, text=clip(f"{organ.short_name} – {organ.name}", 75))


def organ_options(ctx: Ctx, typed: str) -> list[Option]:
    """The organs whose short name or name holds what was typed (all, for nothing typed): the
    short names that begin with it first."""
    query = typed.strip().casefold()
    rows = organs.list_all(ctx)
    hits = [o for o in rows if query in f"{o.short_name} {o.name}".casefold()]
    hits.sort(key=lambda o: not o.short_name.casefold().startswith(query))
    return [_organ_option(o) for o in hits[:MAX_OPTIONS]]


def _text_input(
    block_id: str,
    label: str,
    *,
    multiline: bool = False,
    optional: bool = True,
    hint: str = "",
    value: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint or None,
        element=PlainTextInputElement(
            action_id="value",
            multiline=multiline,
            max_length=3000,
            initial_value=value[:3000] if value else None,
        ),
    )


def open_decision_form(
    ctx: Ctx, client: WebClient, trigger_id: str, response_url: str | None
) -> None:
    rows = organs.list_all(ctx)
    if not rows:
        respond(
            response_url,
            Message(
                decision_texts.NO_ORGANS_FOR_MODAL, [section(decision_texts.NO_ORGANS_FOR_MODAL)]
            ),
        )
        return
    view = decision_view(ctx, rows, ctx.channel_id)
    try:
        client.views_open(trigger_id=trigger_id, view=view.to_dict())
    except SlackClientError:
        log.exception("could not open the decision form")


def decision_view(
    ctx: Ctx,
    rows: list[Organ],
    channel_id: str | None,
    typed: DecisionForm | None = None,
    asking: NeedsConfirmation | None = None,
) -> View:
    """The decision form: empty, or as it was sent (`typed`) with the question a field raised
    (`asking`) under that field and a box *Spara ändå* to tick (bot.core.confirming). Its blocks
    keep their ids, so Slack keeps what was typed too."""
    options = [_organ_option(o) for o in rows]
    chosen = typed.organ if typed else None
    here = next(
        (
            opt
            for opt, o in zip(options, rows, strict=False)
            if (o.short_name == chosen if chosen else o.channel_id == channel_id)
        ),
        None,
    )
    organ_select = (
        StaticSelectElement(action_id="value", options=options, initial_option=here)
        if len(options) <= MAX_OPTIONS
        else ExternalDataSelectElement(  # more than a static select holds: type to find it
            action_id=ORGAN_SEARCH, initial_option=here, min_query_length=0
        )
    )
    was = typed or DecisionForm(organ=None, text="")
    blocks: list[Block] = [
        InputBlock(block_id="organ", label=decision_texts.MODAL_ORGAN, element=organ_select),
        _text_input(
            "meeting",
            decision_texts.MODAL_MEETING,
            hint=decision_texts.MODAL_MEETING_HINT,
            value=was.meeting,
        ),
        _text_input("item", decision_texts.MODAL_ITEM, value=was.item),
        _text_input("proposal", decision_texts.MODAL_PROPOSAL, multiline=True, value=was.proposal),
        _text_input(
            "text",
            decision_texts.MODAL_TEXT,
            multiline=True,
            optional=False,
            hint=decision_texts.MODAL_TEXT_HINT,
            value=was.text,
        ),
        InputBlock(
            block_id="assign",
            label=" ",
            optional=True,
            element=CheckboxesElement(
                action_id="value",
                options=[ASSIGN_OPTION],
                initial_options=[ASSIGN_OPTION] if was.assign else None,
            ),
        ),
        InputBlock(
            block_id="owners",
            label=decision_texts.MODAL_OWNERS,
            optional=True,
            element=UserMultiSelectElement(
                action_id="value", initial_users=list(was.owners) or None
            ),
        ),
        _text_input("what", decision_texts.MODAL_WHAT, multiline=True, value=was.what),
        _text_input(
            "due", decision_texts.MODAL_DUE, hint=decision_texts.MODAL_DUE_HINT, value=was.due
        ),
    ]
    if asking is not None:
        at = next((i + 1 for i, b in enumerate(blocks) if b.block_id == asking.field), len(blocks))
        blocks[at:at] = save_anyway_blocks(asking.warnings)
    return View(
        type="modal",
        callback_id=DECISION_VIEW,
        title=decision_texts.MODAL_TITLE,
        submit=decision_texts.MODAL_SUBMIT,
        close=assignment_texts.CANCEL,
        private_metadata=json.dumps({"channel": channel_id}),
        blocks=blocks,
    )


SAVE_ANYWAY_BLOCK = "spara_anda"  # then the digest of the warnings: a new box for new ones


def save_anyway_blocks(warnings: list[str]) -> list[Block]:
    """The question under the field, and the box that answers it (unticked)."""
    answer = confirming.new_answer(warnings)
    return [
        SectionBlock(
            block_id="fraga_" + SAVE_ANYWAY_BLOCK,
            text=MarkdownTextObject(text=clip(core_texts.form_question(warnings), 3000)),
        ),
        InputBlock(
            block_id=f"{SAVE_ANYWAY_BLOCK}_{confirming.digest(warnings)}",
            label=core_texts.FORM_SAVE_ANYWAY_LABEL,
            hint=core_texts.FORM_SAVE_ANYWAY_HINT,
            optional=True,
            element=CheckboxesElement(
                action_id="value",
                options=[Option(value=answer, text=core_texts.BUTTON_SAVE_ANYWAY)],
            ),
        ),
    ]


def save_anyway_answer(state: dict[str, Any]) -> str | None:
    """The value of a ticked *Spara ändå* in a form's state, if any."""
    for block_id in state:
        if block_id.startswith(SAVE_ANYWAY_BLOCK + "_"):
            ticked = _value(state, block_id)
            if ticked:
                return str(ticked[0])
    return None


def open_status_form(client: WebClient, trigger_id: str, ref: str) -> None:
    view = View(
        type="modal",
        callback_id=STATUS_VIEW,
        title=assignment_texts.STATUS_MODAL_TITLE,
        submit=assignment_texts.STATUS_MODAL_SUBMIT,
        close=assignment_texts.CANCEL,
        private_metadata=ref,
        blocks=[
            _text_input(
                "status", assignment_texts.STATUS_MODAL_LABEL, multiline=True, optional=False
            )
        ],
    )
    try:
        client.views_open(trigger_id=trigger_id, view=view.to_dict())
    except SlackClientError:
        log.exception("could not open the status form")


def _value(state: dict[str, Any], block_id: str) -> Any:
    element: dict[str, Any] = next(iter(state.get(block_id, {}).values()), {})  # its one element
    if "selected_option" in element:
        return (element["selected_option"] or {}).get("value")
    if "selected_options" in element:
        return [o.get("value") for o in element["selected_options"] or []]
    if "selected_users" in element:
        return element["selected_users"] or []
    typed = element.get("value")
    return None if typed is None else clean(typed)  # as typed text in a command is


def register(app: App, deps: Deps) -> None:
    @app.options(ORGAN_SEARCH)
    def organ_choices(ack: Ack, body: dict[str, Any]) -> None:
        ctx = deps.ctx(body["user"]["id"], None)
        ack(options=[o.to_dict() for o in organ_options(ctx, str(body.get("value") or ""))])

    @app.view(DECISION_VIEW)
    def submit_decision(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        state = view["state"]["values"]
        meta = json.loads(view.get("private_metadata") or "{}")
        user_id = body["user"]["id"]
        ctx = deps.ctx(user_id, meta.get("channel"))
        form = DecisionForm(
            organ=_value(state, "organ"),
            meeting=_value(state, "meeting"),
            item=_value(state, "item"),
            proposal=_value(state, "proposal"),
            text=_value(state, "text") or "",
            assign=bool(_value(state, "assign")),
            owners=_value(state, "owners") or [],
            what=_value(state, "what"),
            due=_value(state, "due"),
        )
        try:
            reply = log_from_form(ctx, form, save_anyway_answer(state))
        except NeedsConfirmation as error:  # asked in the form: ticking Spara ändå answers it
            asking = decision_view(ctx, organs.list_all(ctx), meta.get("channel"), form, error)
            ack(response_action="update", view=asking.to_dict())
            return
        except AlreadySaved as error:  # sent twice: the first one saved it
            ack(response_action="clear")
            already = _say(error.message)

            def tell(_body: dict[str, Any], client: WebClient) -> None:
                send_dm(client, user_id, already)

            deps.later(tell, body, client)
            return
        except UserError as error:
            ack(response_action="errors", errors={error.field or "text": error.message[:2000]})
            return
        ack()

        def announce(_body: dict[str, Any], client: WebClient) -> None:
            channel = meta.get("channel") or user_id
            # Through the ledger like every post of the bot's own: once, checked after a 5xx.
            post_or_answer(
                deps.product, client, channel, reply.message, user_id, kind="beslutsformulär"
            )
            send_dms_telling(deps.product, client, reply.dms, user_id)
            publish_home(deps, client, reply.refresh_home)

        deps.later(announce, body, client)  # saved and acked; the messages go from the pool

    @app.view(STATUS_VIEW)
    def submit_status(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        user_id = body["user"]["id"]
        status = _value(view["state"]["values"], "status") or ""
        try:
            updated = assignments.add_status(
                deps.ctx(user_id, None), view["private_metadata"], status
            )
        except UserError as error:
            ack(response_action="errors", errors={"status": error.message[:2000]})
            return
        ack()

        def confirm(_body: dict[str, Any], client: WebClient) -> None:
            text = assignment_texts.assignment_status_saved(updated)
            send_dm(client, user_id, Message(text, [section(text)]))
            publish_home(deps, client, affected(user_id, updated))

        deps.later(confirm, body, client)
