"""*Importera mötesanteckningar* over signed HTTP: the shortcut on a message with a minutes
file opens a modal with the proposal (the file fetched with files.info and url_private), the
secretary corrects it, and *Spara* stores it with the correction; errors show under the field;
only admins may import."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import col, select

from bot.core.context import Product
from handlers.listeners.importing import SHORTCUT, VIEW
from handlers.slack_standin import LocalSlack
from handlers.slackwire import interactive_body, message_shortcut
from storage.models import Assignment, AssignmentOwner, Decision, Meeting, MinutesImport
from tests.bot.importing.test_proposals import SAMPLES
from tests.harness import PEOPLE, Harness, text_of

SAMPLE = SAMPLES / "minnesanteckningar-2023-09-01.txt"


def shortcut(harness: Harness, slack: LocalSlack, user: str = "sara") -> dict[str, Any]:
    """Share the sample in #ledningsgrupp and take the shortcut on it; the modal once filled."""
    shared = slack.add_file(SAMPLE.name, SAMPLE.read_bytes(), channel="C0LG")
    message = {"type": "message", "ts": "1700000000.000200", "text": "", "files": [shared]}
    payload = message_shortcut(SHORTCUT, message, user_id=PEOPLE[user], channel_id="C0LG")
    status, _ = harness.post(interactive_body(payload))
    assert status == 200
    calls = slack.wait_for(
        lambda cs: any(c.method in ("views.update", "views.open") and _final(c) for c in cs)
    )
    return next(c for c in calls if c.method in ("views.update", "views.open") and _final(c))


def _final(call: Any) -> bool:
    return "Läser in" not in text_of(call.args["view"])


def values(view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The form's state as Slack sends it on submit: the initial values, with `changes`."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        if element["type"] == "datepicker":
            value = {"type": "datepicker", "selected_date": element.get("initial_date")}
        elif element["type"] == "timepicker":
            value = {"type": "timepicker", "selected_time": element.get("initial_time")}
        else:
            value = {"type": "plain_text_input", "value": element.get("initial_value")}
        if block_id in changes:
            key = next(k for k in value if k != "type")
            value[key] = changes[block_id]
        state[block_id] = {"value": value}
    return state


def test_shortcut_shows_the_proposal_and_saves_it_with_the_correction(
    harness: Harness, slack: LocalSlack, product: Product, organs: None
) -> None:
    slack.add_user("U0MAGNUS", "magnus", real_name="Magnus Frithiof")
    opened = shortcut(harness, slack)
    view = opened.args["view"]
    assert view["callback_id"] == VIEW and len(view["blocks"]) <= 100
    shown = text_of(view)
    assert "21 närvarande" in shown and "12 punkter, 4 beslut och 3 uppdrag" in shown
    assert "Justerare: Jenny Smedberg" in shown
    fetched = [c.method for c in slack.calls()]
    assert "files.info" in fetched and "download" in fetched
    download = next(c for c in slack.calls("download"))
    assert (download.token or "").startswith("xoxb-")
    fields = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert fields["date"]["initial_date"] == "2023-09-01"
    assert fields["a5.1.owners"]["initial_value"] == (
        "Magnus Frithiof, Roger Johansson, Jenny Smedberg"
    )

    # A § that is no number: the error under that field, nothing stored.
    bad = values(view, **{"d4.0.item": "fem"})
    status, body = harness.submit(VIEW, bad, user="sara", private_metadata=view["private_metadata"])
    assert status == 200
    assert json.loads(body) == {
        "response_action": "errors",
        "errors": {"d4.0.item": "Ange paragrafen som ett tal, till exempel 5."},
    }
    with product.db.transaction() as session:
        assert session.exec(select(MinutesImport)).first() is None

    corrected = values(
        view,
        place="Regionhuset, sal 3",
        **{
            "a5.1.owners": "Magnus Frithiof och AU",
            "a5.1.due": "2023-10-06",
            "d7.0.text": "Ledningsgruppen uppdrar åt PG-AVTAL att ta fram enhetliga avtal.",
        },
    )
    status, body = harness.submit(
        VIEW, corrected, user="sara", private_metadata=view["private_metadata"]
    )
    assert (status, body) == (200, "")
    dm = slack.wait_for(
        lambda cs: any(c.method == "chat.postMessage" and "Sparat" in text_of(c.args) for c in cs)
    )
    assert any("mötet LG-230901, 4 beslut, 3 uppdrag" in text_of(c.args) for c in dm)
    with product.db.transaction() as session:
        meeting = session.exec(select(Meeting).where(Meeting.ref == "LG-230901")).one()
        assert meeting.location == "Regionhuset, sal 3"
        decisions = session.exec(select(Decision).order_by(col(Decision.serial))).all()
        assert decisions[3].text == (
            "Ledningsgruppen uppdrar åt PG-AVTAL att ta fram enhetliga avtal."
        )
        task = session.exec(
            select(Assignment).where(Assignment.what == "Föra in det på respektive dagordning")
        ).one()
        assert str(task.due_date) == "2023-10-06"
        owners = session.exec(
            select(AssignmentOwner)
            .where(AssignmentOwner.assignment_id == task.id)
            .order_by(col(AssignmentOwner.id))
        ).all()
        assert owners[0].user_id == "U0MAGNUS"
        assert len(owners) == 2 and owners[1].organ_id is not None
        assert session.exec(select(MinutesImport)).one().content == SAMPLE.read_bytes()


def test_only_an_admin_may_import(harness: Harness, slack: LocalSlack, organs: None) -> None:
    opened = shortcut(harness, slack, user="anna")
    assert "Bara en administratör" in text_of(opened.args["view"])
    assert not slack.calls("files.info")


def test_a_message_without_a_minutes_file_says_so(harness: Harness, slack: LocalSlack) -> None:
    message = {"type": "message", "ts": "1700000000.000300", "text": "Hej"}
    payload = message_shortcut(SHORTCUT, message, user_id=PEOPLE["sara"], channel_id="C0LG")
    assert harness.post(interactive_body(payload))[0] == 200
    calls = slack.wait_for(lambda cs: any(c.method == "views.open" for c in cs))
    opened = next(c for c in calls if c.method == "views.open")
    assert "ingen fil med mötesanteckningar" in text_of(opened.args["view"])
