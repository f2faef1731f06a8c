"""The meeting cycle's buttons and forms: *Justera* and *Begär ändring* (a comment to the
secretary) on the minutes a justerare is sent, *Lägg till underlag* on a presenter's DM, *Ta
med* on a proposed item, and *Fortsätt ändå* when a document holds personnummer."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.blocks.block_elements import FileInputElement
from slack_sdk.models.views import View

from bot import commands, cycle
from bot.commands import cycle as cycle_commands
from bot.core.errors import UserError
from bot.core.replies import Message, section
from bot.cycle import actions
from bot.cycle import texts as cycle_texts
from bot.cycle.model import FileRef
from handlers.common import Deps, ack_then
from handlers.deliver import answer_action, deliver, post, post_or_answer, respond, send_dms_telling

log = logging.getLogger(__name__)
CHANGE_VIEW = "cykel_andring_form"
MATERIAL_VIEW = "cykel_underlag_form"
ITEM_VIEW = "cykel_punkt_form"


def _say(text: str) -> Message:
    return Message(text, [section(text)])


def _split(value: str) -> tuple[str, str]:
    first, _, second = str(value).partition("|")
    return first, second


def _open_form(
    client: WebClient,
    trigger_id: str,
    callback_id: str,
    title: str,
    label: str,
    hint: str,
    meta: str,
) -> None:
    view = View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=cycle_texts.SUBMIT,
        close=cycle_texts.CANCEL,
        private_metadata=meta,
        blocks=[
            InputBlock(
                block_id="text",
                label=label,
                hint=hint,
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=3000),
            )
        ],
    )
    try:
        client.views_open(trigger_id=trigger_id, view=view.to_dict())
    except SlackClientError:
        log.exception("could not open the form %s", callback_id)


def _text(view: dict[str, Any], block_id: str = "text") -> str:
    element = (view["state"]["values"].get(block_id) or {}).get("value") or {}
    if "selected_option" in element:
        return str((element["selected_option"] or {}).get("value") or "")
    if "selected_user" in element:
        return str(element["selected_user"] or "")
    return str(element.get("value") or "")


def open_item_form(client: WebClient, trigger_id: str, ref: str, channel_id: str | None) -> None:
    """`/mote punkt LG-261217`: a form for the item (rubrik, föredragande, typ, förslag)."""

    def text_input(
        block_id: str, label: str, *, multiline: bool = False, optional: bool = True
    ) -> InputBlock:
        return InputBlock(
            block_id=block_id,
            label=label,
            optional=optional,
            element=PlainTextInputElement(action_id="value", multiline=multiline, max_length=3000),
        )

    view = View(
        type="modal",
        callback_id=ITEM_VIEW,
        title=cycle_texts.ITEM_MODAL_TITLE,
        submit=cycle_texts.SUBMIT,
        close=cycle_texts.CANCEL,
        private_metadata=json.dumps({"ref": ref, "channel": channel_id}),
        blocks=[
            text_input("title", cycle_texts.ITEM_MODAL_HEADING, optional=False),
            InputBlock(
                block_id="presenter",
                label=cycle_texts.ITEM_MODAL_PRESENTER,
                optional=True,
                element=UserSelectElement(action_id="value"),
            ),
            text_input("presenter_name", cycle_texts.ITEM_MODAL_PRESENTER_NAME),
            InputBlock(
                block_id="kind",
                label=cycle_texts.ITEM_MODAL_KIND,
                optional=True,
                element=StaticSelectElement(
                    action_id="value",
                    options=[Option(value=k, text=k) for k in ("beslut", "information", "dialog")],
                ),
            ),
            text_input("proposal", cycle_texts.ITEM_MODAL_PROPOSAL, multiline=True),
        ],
    )
    try:
        client.views_open(trigger_id=trigger_id, view=view.to_dict())
    except SlackClientError:
        log.exception("could not open the item form")


def register(app: App, deps: Deps) -> None:
    def justera(body: dict[str, Any], client: WebClient) -> None:
        ref, version = _split(body["actions"][0]["value"])
        user_id = body["user"]["id"]
        ctx = deps.ctx(user_id, (body.get("channel") or {}).get("id"))
        try:
            answer, news, channel = cycle_commands.justera(ctx, ref, int(version))
        except (UserError, ValueError) as error:
            text = error.message if isinstance(error, UserError) else cycle_texts.not_sent(ref)
            answer_action(body, client, _say(text))
            return
        answer_action(body, client, _say(answer), replace_original=True)
        # Once, whoever pressed last and whatever Slack answers: keyed by the minutes' version.
        # The presser is told of anything short of a plain success (deliver.post).
        if news is not None and not post(
            deps.product,
            client,
            channel or user_id,
            news.message,
            news.files,
            user_id,
            key=f"justerat:{ref}:{version}",
        ):
            log.error("the justerade minutes of %s were not all posted", ref)

    def go_on(body: dict[str, Any], client: WebClient) -> None:
        command, _, text = str(body["actions"][0]["value"]).partition("|")
        user_id = body["user"]["id"]
        channel_id = (body.get("channel") or {}).get("id")
        reply = commands.run(deps.ctx(user_id, channel_id), command, text)
        deliver(
            reply,
            product=deps.product,
            client=client,
            response_url=body.get("response_url"),
            user_id=user_id,
            channel_id=channel_id,
        )

    def take(body: dict[str, Any], client: WebClient) -> None:
        ref, label = _split(body["actions"][0]["value"])
        user_id = body["user"]["id"]
        reply = commands.run(deps.ctx(user_id, None), "/mote", f"godkänn {ref} {label}")
        answer_action(body, client, reply.message)
        send_dms_telling(deps.product, client, reply.dms, user_id)

    app.action(actions.ACTION_JUSTERA)(ack_then(deps, justera))
    app.action(actions.ACTION_GO_ON)(ack_then(deps, go_on))
    app.action(actions.ACTION_ACCEPT)(ack_then(deps, take))

    @app.action(actions.ACTION_CHANGE)
    def change(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        _open_form(
            client,
            body["trigger_id"],
            CHANGE_VIEW,
            cycle_texts.CHANGE_MODAL_TITLE,
            cycle_texts.CHANGE_MODAL_LABEL,
            cycle_texts.CHANGE_MODAL_HINT,
            str(action["value"]),
        )

    @app.action(actions.ACTION_MATERIAL)
    def material(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        open_material_form(client, body["trigger_id"], str(action["value"]))

    @app.view(CHANGE_VIEW)
    def submit_change(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        ref, version = _split(view.get("private_metadata") or "")
        user_id = body["user"]["id"]
        try:
            answer, secretary, message = cycle_commands.request_change(
                deps.ctx(user_id, None), ref, int(version or 0), _text(view)
            )
        except UserError as error:
            ack(response_action="errors", errors={"text": error.message[:2000]})
            return
        ack()

        def tell(_body: dict[str, Any], client: WebClient) -> None:
            send_dms_telling(deps.product, client, [(secretary, message)], user_id)
            respond(None, _say(answer), client=client, user_id=user_id)

        deps.later(tell, body, client)

    @app.view(ITEM_VIEW)
    def submit_item(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        meta = json.loads(view.get("private_metadata") or "{}")
        user_id = body["user"]["id"]
        ctx = deps.ctx(user_id, meta.get("channel"))
        spec = cycle.ItemSpec(
            _text(view, "title"),
            presenter_user_id=_text(view, "presenter") or None,
            presenter_name=_text(view, "presenter_name").strip() or None,
            kind=_text(view, "kind") or None,
            proposal=_text(view, "proposal") or None,
        )
        try:
            reply = cycle_commands.proposed(ctx, str(meta.get("ref") or ""), spec)
        except UserError as error:
            ack(response_action="errors", errors={"title": error.message[:2000]})
            return
        ack()

        def announce(_body: dict[str, Any], client: WebClient) -> None:
            channel = meta.get("channel") or user_id
            post_or_answer(deps.product, client, channel, reply.message, user_id, kind="punkt")
            send_dms_telling(deps.product, client, reply.dms, user_id)

        deps.later(announce, body, client)

    @app.view(MATERIAL_VIEW)
    def submit_material(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        _ref, item_id = _split(view.get("private_metadata") or "")
        user_id = body["user"]["id"]
        ctx = deps.ctx(user_id, None)
        text = _text(view)
        files = _files(view, client)
        if files is None:
            ack(response_action="errors", errors={"files": cycle_texts.MATERIAL_FILE_UNKNOWN})
            return
        if not text.strip() and not files:
            ack(response_action="errors", errors={"text": cycle_texts.MATERIAL_MODAL_EMPTY})
            return
        try:
            item, meeting = cycle.item_by_id(ctx, int(item_id or 0))
            changed = cycle.add_material(ctx, meeting.ref, cycle.label(item), text, files)
        except (UserError, ValueError) as error:
            text = error.message if isinstance(error, UserError) else cycle_texts.MATERIAL_USAGE
            ack(response_action="errors", errors={"text": text[:2000]})
            return
        ack()
        answer = cycle_texts.material_saved(changed.meeting.ref, cycle.label(changed.items[0]))

        def tell(_body: dict[str, Any], client: WebClient) -> None:
            respond(None, _say(answer), client=client, user_id=user_id)

        deps.later(tell, body, client)


MAX_FILES = 5


def open_material_form(client: WebClient, trigger_id: str, meta: str) -> None:
    """*Lägg till underlag*: a link or a short text, and/or files uploaded in the form."""
    view = View(
        type="modal",
        callback_id=MATERIAL_VIEW,
        title=cycle_texts.MATERIAL_MODAL_TITLE,
        submit=cycle_texts.SUBMIT,
        close=cycle_texts.CANCEL,
        private_metadata=meta,
        blocks=[
            InputBlock(
                block_id="text",
                label=cycle_texts.MATERIAL_MODAL_LABEL,
                hint=cycle_texts.MATERIAL_MODAL_HINT,
                optional=True,
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=3000),
            ),
            InputBlock(
                block_id="files",
                label=cycle_texts.MATERIAL_MODAL_FILES,
                hint=cycle_texts.MATERIAL_MODAL_FILES_HINT,
                optional=True,
                element=FileInputElement(action_id="value", max_files=MAX_FILES),
            ),
        ],
    )
    try:
        client.views_open(trigger_id=trigger_id, view=view.to_dict())
    except SlackClientError:
        log.exception("could not open the material form")


def _files(view: dict[str, Any], client: WebClient) -> list[FileRef] | None:
    """The files uploaded in the form: id, name and permalink as the submission carries them,
    asked of files.info when it does not; None when a file cannot be found."""
    element = (view["state"]["values"].get("files") or {}).get("value") or {}
    found: list[FileRef] = []
    for entry in element.get("files") or []:
        file_id = str(entry.get("id") or "")
        name, link = entry.get("name"), entry.get("permalink")
        if file_id and not (name and link):
            try:
                info = client.files_info(file=file_id)["file"]
            except (SlackClientError, KeyError, TypeError):
                log.warning("files.info for %s failed", file_id, exc_info=True)
                return None
            name, link = (
                name or info.get("name") or info.get("title"),
                link or info.get("permalink"),
            )
        if not file_id or not name:
            return None
        found.append(FileRef(file_id, str(name), str(link) if link else None))
    return found
