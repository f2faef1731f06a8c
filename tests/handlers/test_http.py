"""The bot over real HTTP: signed requests in, what reached the Slack stand-in out."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from handlers.slack_standin import Call, LocalSlack
from handlers.slackwire import block_action, command_body, interactive_body, signed_headers
from storage.models import Decision, ProcessedEvent
from tests.harness import Harness, buttons, headers, never, sections, text_of


def decisions_in(h: Harness) -> list[Decision]:
    with h.product.db.transaction() as session:
        return list(session.exec(select(Decision)).all())


def test_healthz_answers_ok(harness: Harness) -> None:
    assert harness.get("/healthz") == (200, "ok\n")


def test_head_healthz_has_headers_and_no_body(harness: Harness) -> None:
    import socket

    with socket.create_connection(("127.0.0.1", harness.server.port), timeout=5) as raw:
        raw.sendall(b"HEAD /healthz HTTP/1.0\r\nHost: x\r\n\r\n")
        answer = b""
        while chunk := raw.recv(4096):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200") and b"Content-Length: 3" in head
    assert body == b""
    assert harness.get("/nope")[0] == 404


def test_decision_logged_over_http_answers_in_channel(harness: Harness, organs: None) -> None:
    reply = harness.command("/beslut", "Ledningsgruppen beslutar enligt förslag")
    assert reply["response_type"] == "in_channel"
    assert "LG-2026-1" in text_of(reply)
    assert [d.text for d in decisions_in(harness)] == ["Ledningsgruppen beslutar enligt förslag"]


def test_unsigned_forged_and_stale_requests_are_401_and_change_nothing(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    body = command_body(
        "/beslut",
        "Förfalskat beslut",
        user_id="U0SARA",
        channel_id="C0LG",
        response_url=slack.response_url("forged"),
    )
    assert harness.post(body, sign=False)[0] == 401
    assert harness.post(body, secret="fel-hemlighet")[0] == 401
    assert harness.post(body, timestamp=int(time.time()) - 6 * 60)[0] == 401
    # a signature for another body does not carry over
    tampered = body.replace("F%C3%B6rfalskat", "Annat")
    signature = signed_headers("test-signing-secret", body)
    assert harness.post(tampered, sign=False, headers=signature)[0] == 401
    # The witness: a signed request after them. It is numbered first, so nothing forged was
    # written before it; and nothing forged answers afterwards either.
    witness = harness.command("/beslut", "Ledningsgruppen beslutar enligt förslag")
    assert "LG-2026-1" in text_of(witness)
    never(slack, lambda calls: any(c.key == "forged" for c in calls))
    assert [d.text for d in decisions_in(harness)] == ["Ledningsgruppen beslutar enligt förslag"]
    assert len(slack.calls("response_url")) == 1  # the witness's answer, nothing else
    assert slack.calls("chat.postMessage") == []


def test_event_retries_are_handled_once(harness: Harness, slack: LocalSlack) -> None:
    def published_to(user: str) -> Callable[[list[Call]], int]:
        return lambda calls: sum(
            c.method == "views.publish" and c.args["user_id"] == user for c in calls
        )

    event = {"type": "app_home_opened", "user": "U0ANNA", "tab": "home", "channel": "D0ANNA"}
    assert harness.event(event, event_id="Ev001") == 200
    slack.wait_for(lambda calls: published_to("U0ANNA")(calls) == 1)
    assert harness.event(event, event_id="Ev001", retry=1) == 200
    assert harness.event(event, event_id="Ev001", retry=2) == 200
    # The witness: another event after the retries, handled once its Home tab is published.
    roger = {**event, "user": "U0ROGER", "channel": "D0ROGER"}
    assert harness.event(roger, event_id="Ev002") == 200
    slack.wait_for(lambda calls: published_to("U0ROGER")(calls) == 1)
    never(slack, lambda calls: published_to("U0ANNA")(calls) > 1)
    with harness.product.db.transaction() as session:
        handled = sorted(e.event_id for e in session.exec(select(ProcessedEvent)).all())
    assert handled == ["Ev001", "Ev002"]
    # a new event of the same kind is handled
    assert harness.event(event, event_id="Ev003") == 200
    slack.wait_for(lambda calls: published_to("U0ANNA")(calls) == 2)


def test_assignment_dms_every_owner_with_buttons(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    harness.command("/mote", "ny AU 8 december 13-15 Regionhuset", channel="C0AU")
    reply = harness.command(
        "/uppdrag",
        "<@U0ANNA|anna> <@U0ROGER|roger> Ta fram underlag om LINK "
        "till nästa AU återkoppling till LG",
    )
    assert "U-1" in text_of(reply)
    slack.wait_for(lambda calls: len([c for c in calls if c.method == "chat.postMessage"]) >= 2)
    for user in ("U0ANNA", "U0ROGER"):
        (dm,) = slack.dms(user)
        text = text_of(dm)
        assert "Ta fram underlag om LINK" in text
        assert "AU-261208" in text and "tisdag 8 december 2026" in text
        assert "återkoppling till LG" in text
        assert buttons(dm) == [
            ("Klart", "uppdrag_klar", "U-1"),
            ("Lägg till status", "uppdrag_status", "U-1"),
            ("Flytta till nästa möte", "uppdrag_nasta_mote", "U-1|AU-261208"),  # due at a meeting
        ]


def test_klart_button_closes_and_replaces_the_message(harness: Harness, organs: None) -> None:
    harness.command("/uppdrag", "<@U0ANNA|anna> Skicka underlag till 4/12")
    reply = harness.click("uppdrag_klar", "U-1", user="anna")
    assert reply["replace_original"] is True
    assert "är klart" in text_of(reply)
    mine = harness.command("/uppdrag", "", user="anna")
    assert "inga öppna uppdrag" in text_of(mine)
    # someone who is not an owner is politely refused
    harness.command("/uppdrag", "<@U0ANNA|anna> Nästa sak till 4/12")
    refused = harness.click("uppdrag_klar", "U-2", user="jenny")
    assert "Tyvärr" in text_of(refused)


def test_decision_form_opens_and_creates_decision_with_assignment(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    harness.command("/beslut", "", wait=False)
    (opened,) = slack.wait_for_calls("views.open", 1)
    view = opened.args["view"]
    assert view["callback_id"] == "beslut_form"
    assert view["title"]["text"] == "Logga beslut"
    values = {
        "organ": {"value": {"type": "static_select", "selected_option": {"value": "LG"}}},
        "meeting": {"value": {"type": "plain_text_input", "value": None}},
        "item": {"value": {"type": "plain_text_input", "value": "§ 6"}},
        "proposal": {"value": {"type": "plain_text_input", "value": "Att tillsätta en samordnare"}},
        "text": {
            "value": {
                "type": "plain_text_input",
                "value": "Ledningsgruppen beslutar enligt förslag",
            }
        },
        "assign": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
        "owners": {"value": {"type": "multi_users_select", "selected_users": ["U0JENNY"]}},
        "what": {"value": {"type": "plain_text_input", "value": "Rekrytera samordnaren"}},
        "due": {"value": {"type": "plain_text_input", "value": "v 6"}},
    }
    status, body = harness.submit(
        "beslut_form", values, user="sara", private_metadata='{"channel": "C0LG"}'
    )
    assert status == 200 and body == ""
    slack.wait_for(lambda calls: len(slack.dms("U0JENNY")) == 1)
    (decision,) = decisions_in(harness)
    assert decision.item == "6" and decision.proposal == "Att tillsätta en samordnare"
    assert "Rekrytera samordnaren" in text_of(slack.dms("U0JENNY")[0])
    shown = harness.command("/beslut", "visa LG-2026-1")
    assert "U-1" in text_of(shown)


def test_decision_form_with_bad_due_shows_field_error_and_saves_nothing(
    harness: Harness, organs: None
) -> None:
    values = {
        "organ": {"value": {"type": "static_select", "selected_option": {"value": "LG"}}},
        "text": {"value": {"type": "plain_text_input", "value": "Ledningsgruppen beslutar"}},
        "assign": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
        "owners": {"value": {"type": "multi_users_select", "selected_users": ["U0JENNY"]}},
        "what": {"value": {"type": "plain_text_input", "value": "Göra något"}},
        "due": {"value": {"type": "plain_text_input", "value": "31 februari"}},
    }
    status, body = harness.submit(
        "beslut_form", values, user="sara", private_metadata='{"channel": "C0LG"}'
    )
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors" and list(answer["errors"]) == ["due"]
    assert "”31 februari” finns inte" in answer["errors"]["due"]
    assert decisions_in(harness) == []


def test_reply_survives_slack_429_and_5xx(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    slack.fail_next("chat.postMessage", status=503)
    slack.fail_next("response_url", status=429, retry_after=1)
    reply = harness.command("/uppdrag", "<@U0ANNA|anna> Skicka underlag till 4/12")
    assert "U-1" in text_of(reply)
    slack.wait_for(lambda calls: len(slack.dms("U0ANNA")) == 1)
    assert len(slack.rejected()) == 2


def test_dm_failure_is_reported_to_the_asker_and_nothing_is_lost(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    slack.fail_next("chat.postMessage", error="channel_not_found")
    harness.command("/uppdrag", "<@U0ANNA|anna> Skicka underlag till 4/12")

    def notes(calls: list[Call]) -> list[str]:
        texts = [text_of(c.args) for c in calls if c.method == "response_url"]
        return [t for t in texts if "kunde inte skicka till <@U0ANNA>" in t]

    slack.wait_for(lambda calls: len(notes(calls)) == 1)
    assert "U-1" in text_of(harness.command("/uppdrag", "lista"))


def test_export_uploads_csv_and_markdown(harness: Harness, slack: LocalSlack, organs: None) -> None:
    harness.command("/beslut", '=HYPERLINK("x") Ledningsgruppen beslutar att fortsätta')
    harness.command("/beslut", "export")
    slack.wait_for(lambda calls: len(slack.uploaded_files()) == 2)
    files = {f["filename"]: f["content"] for f in slack.uploaded_files()}
    csv_text = files["beslutslogg.csv"].decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "Referens;Organ;Datum;Möte;§;Status;Förslag;Beslut"
    assert 'LG-2026-1;LG;2026-11-23;;;gällande;;"\'=HYPERLINK(""x"") Ledningsgruppen' in csv_text
    assert files["beslutslogg.md"].decode().startswith("# Beslutslogg")


def test_status_button_opens_form_and_saves_status(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    harness.command("/uppdrag", "<@U0ANNA|anna> Skicka underlag till 4/12")
    payload = block_action(
        "uppdrag_status",
        "U-1",
        user_id="U0ANNA",
        channel_id="DU0ANNA",
        response_url=slack.response_url("status"),
    )
    assert harness.post(interactive_body(payload))[0] == 200
    (opened,) = slack.wait_for_calls("views.open", 1)
    assert opened.args["view"]["private_metadata"] == "U-1"
    values = {"status": {"value": {"type": "plain_text_input", "value": "Utkast skickat"}}}
    status, body = harness.submit(
        "uppdrag_status_form", values, user="anna", private_metadata="U-1"
    )
    assert (status, body) == (200, "")
    slack.wait_for(lambda calls: len(slack.dms("U0ANNA")) == 2)
    # The assignment DM (from the command's work) and this one may arrive in either order.
    assert any("Status för `U-1` sparad" in text_of(m) for m in slack.dms("U0ANNA"))
    assert "Utkast skickat" in text_of(harness.command("/uppdrag", "visa U-1"))
    # someone else's status is refused inside the form
    status, body = harness.submit(
        "uppdrag_status_form", values, user="jenny", private_metadata="U-1"
    )
    assert status == 200
    assert "Tyvärr" in json.loads(body)["errors"]["status"]


def test_home_tab_shows_my_assignments_and_follows_changes(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    harness.command("/uppdrag", "<@U0ANNA|anna> Skicka underlag till 4/12")
    published = slack.wait_for_calls("views.publish", 2)
    assert {c.args["user_id"] for c in published} == {"U0ANNA", "U0SARA"}
    anna = next(c for c in published if c.args["user_id"] == "U0ANNA").args["view"]
    assert headers(anna)[0] == "Dina öppna uppdrag (1)"
    assert sections(anna)[0].startswith("`U-1` Skicka underlag – <@U0ANNA>, senast fredag 4 dec")
    assert buttons(anna) == [
        ("Klart", "uppdrag_klar", "U-1"),
        ("Lägg till status", "uppdrag_status", "U-1"),
    ]
    harness.click("uppdrag_klar", "U-1", user="anna")
    calls = slack.wait_for(lambda calls: len(homes_of("U0ANNA", calls)) == 2)
    latest = homes_of("U0ANNA", calls)[-1]
    assert headers(latest)[0] == "Dina öppna uppdrag (0)"
    assert buttons(latest) == []


def homes_of(user_id: str, calls: list[Call]) -> list[dict[str, Any]]:
    """The Home tabs published to one person, oldest first."""
    return [
        c.args["view"]
        for c in calls
        if c.method == "views.publish" and c.args["user_id"] == user_id
    ]


def test_old_event_ids_are_forgotten(harness: Harness, slack: LocalSlack) -> None:
    from datetime import timedelta

    from bot.core.clock import FixedClock

    event = {"type": "app_home_opened", "user": "U0ANNA", "tab": "home", "channel": "D0ANNA"}
    assert harness.event(event, event_id="EvOld") == 200
    clock = harness.product.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=2))
    assert harness.event(event, event_id="EvNew") == 200
    with harness.product.db.transaction() as session:
        assert [e.event_id for e in session.exec(select(ProcessedEvent)).all()] == ["EvNew"]


def test_a_question_before_storing_is_answered_once_with_spara_andra(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    """A second LG meeting the same day is asked about; *Spara ändå* stores it once, however
    often it is pressed; *Ändra* stores nothing and shows the command to correct."""
    harness.command("/mote", "ny LG 7 december 9-12")
    asked = harness.command("/mote", "ny LG 7 december 13-15")
    assert "LG har redan ett möte den dagen: `LG-261207`" in text_of(asked)
    (save_label, _, save), (change_label, _, change) = buttons(asked)
    assert (save_label, change_label) == ("Spara ändå", "Ändra")
    changed = harness.click("bekrafta_andra", change, user="sara")
    assert "Inget sparat" in text_of(changed) and "`/mote ny LG 7 december 13-15`" in text_of(
        changed
    )
    first = harness.click("bekrafta_spara", save, user="sara")
    assert "LG-261207-2" in text_of(first)
    second = harness.click("bekrafta_spara", save, user="sara")
    assert "redan sparat" in text_of(second)
    with harness.product.db.engine.connect() as connection:
        refs = connection.execute(text("SELECT ref FROM meeting ORDER BY ref")).scalars().all()
    assert refs == ["LG-261207", "LG-261207-2"]


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("organ", "XYZ", "organ"),  # an organ the form never offered
        ("meeting", "AU-261207", "inget möte heter au-261207"),  # no such meeting
        ("meeting", "2027-03-01", "har inte varit än"),  # decisions are logged afterwards
        ("item", "§" + "5" * 40, "tecken"),  # far over the 20 characters of a §
        ("proposal", "x" * 3100, "tecken"),  # over the 3,000 characters of a proposal
    ],
)
def test_decision_form_errors_sit_under_their_field(
    harness: Harness, organs: None, field: str, value: str, shown: str
) -> None:
    """Each mistake is shown under the field it concerns, briefly, and nothing is saved."""
    values: dict[str, Any] = {
        "organ": {"value": {"type": "static_select", "selected_option": {"value": "LG"}}},
        "text": {"value": {"type": "plain_text_input", "value": "Ledningsgruppen beslutar"}},
    }
    if field == "organ":
        values["organ"]["value"]["selected_option"]["value"] = value
    else:
        values[field] = {"value": {"type": "plain_text_input", "value": value}}
    status, body = harness.submit(
        "beslut_form", values, user="sara", private_metadata='{"channel": "C0LG"}'
    )
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors" and list(answer["errors"]) == [field]
    message = answer["errors"][field]
    assert shown in message.lower() and len(message) < 300, message
    assert decisions_in(harness) == []


def test_the_forms_channel_post_goes_once_through_the_ledger_after_a_500_slack_took(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    values = {
        "organ": {"value": {"type": "static_select", "selected_option": {"value": "LG"}}},
        "text": {"value": {"type": "plain_text_input", "value": "Ledningsgruppen beslutar"}},
    }
    slack.fail_next("chat.postMessage", status=500, after_delivery=True)
    status, _body = harness.submit(
        "beslut_form", values, user="sara", private_metadata='{"channel": "C0LG"}'
    )
    assert status == 200
    harness.settle()
    assert len([m for m in slack.messages("C0LG") if "LG-2026-1" in text_of(m)]) == 1
    (sent,) = [c for c in slack.calls("chat.postMessage") if c.args["channel"] == "C0LG"]
    assert sent.args["metadata"]["event_payload"]["key"].startswith("beslutsformulär:")
    assert slack.calls("conversations.history")  # asked before sending again, found it
