"""Material as files, over signed HTTP: *Lägg till underlag* has a file input, the files'
Slack id, name and permalink are kept with the item, and the agenda, the kallelse and the
minutes list them; `/mote underlag` takes a link to a file in Slack."""

from __future__ import annotations

import json
from typing import Any

from handlers.slack_standin import LocalSlack
from tests.handlers.test_cycle_http import MAGNUS, file_named, press
from tests.harness import Harness, text_of

ANNA = "<@U0ANNA|anna>"


def _plan(h: Harness, slack: LocalSlack) -> None:
    slack.set_members("C0LG", ["U0SARA", "U0MAGNUS", "U0ANNA"])
    h.command("/organ", f"ny LG Ledningsgrupp för samordning <#C0LG|lg> sammankallande {MAGNUS}")
    h.command("/mote", "ny LG 17 december 11-15 Regionhuset")
    reply = h.command(
        "/mote",
        f"punkt LG-261217 Kronobarnsmodellen föredragande {ANNA} information",
        user="magnus",
    )
    assert "§4" in text_of(reply)


def _material_button(slack: LocalSlack) -> str:
    """The value of *Lägg till underlag* on the presenter's DM."""
    slack.wait_for(lambda _c: any("föredragande" in text_of(m) for m in slack.dms("U0ANNA")))
    dm = next(m for m in slack.dms("U0ANNA") if "föredragande" in text_of(m))
    for block in dm["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == "cykel_underlag":
                return str(element["value"])
    raise AssertionError("no button")


def _opened_view(slack: LocalSlack) -> dict[str, Any]:
    (opened,) = slack.wait_for_calls("views.open")
    view = opened.args["view"]
    return json.loads(view) if isinstance(view, str) else view


def _files(*entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": {"value": {"type": "plain_text_input", "value": None}},
        "files": {"value": {"type": "file_input", "files": list(entries)}},
    }


def test_a_file_uploaded_in_the_material_form_is_listed_everywhere(
    harness: Harness, slack: LocalSlack
) -> None:
    h = harness
    _plan(h, slack)
    press(h, "cykel_underlag", _material_button(slack), user="anna")
    view = _opened_view(slack)
    assert view["callback_id"] == "cykel_underlag_form"
    (file_block,) = [b for b in view["blocks"] if b["element"]["type"] == "file_input"]
    assert file_block["label"]["text"] == "Fil" and file_block["optional"] is True

    # Slack uploads the file as the form is filled in; the submission carries the file object
    uploaded = slack.add_file("kronobarn.pdf", file_id="F0KRONO", user="U0ANNA")
    meta = view["private_metadata"]
    status, body = h.submit(
        "cykel_underlag_form", _files(uploaded), user="anna", private_metadata=meta
    )
    assert status == 200 and "errors" not in body
    slack.wait_for(lambda _c: any("Underlaget" in text_of(m) for m in slack.dms("U0ANNA")))

    agenda = text_of(h.command("/mote", "dagordning LG-261217"))
    assert f"underlag: <{uploaded['permalink']}|kronobarn.pdf>" in agenda
    h.command("/mote", "bjud in LG-261217")
    file_named(slack, "LG-261217.ics", count=3)  # the invitations
    kallelse = text_of(h.command("/mote", "kallelse LG-261217"))
    assert "kronobarn.pdf" in kallelse
    ics = file_named(slack, "LG-261217.ics", count=6)["content"].decode()  # … and the agenda
    assert "Underlag: kronobarn.pdf" in ics.replace("\r\n ", "")
    h.command("/mote", "anteckningar LG-261217")
    md = file_named(slack, "minnesanteckningar-LG-261217-utkast-v1.md")["content"].decode()
    assert "Underlag: kronobarn.pdf" in md.replace("**", "")


def test_a_submission_with_only_the_files_id_is_asked_of_files_info(
    harness: Harness, slack: LocalSlack
) -> None:
    h = harness
    _plan(h, slack)
    press(h, "cykel_underlag", _material_button(slack), user="anna")
    meta = _opened_view(slack)["private_metadata"]
    slack.add_file("bildspel.pptx", file_id="F0BILD", user="U0ANNA")
    status, body = h.submit(
        "cykel_underlag_form", _files({"id": "F0BILD"}), user="anna", private_metadata=meta
    )
    assert status == 200 and "errors" not in body
    assert [c.args.get("file") for c in slack.calls("files.info")] == ["F0BILD"]
    assert "bildspel.pptx" in text_of(h.command("/mote", "dagordning LG-261217"))
    # a file Slack does not know is a field error, and nothing is saved
    status, body = h.submit(
        "cykel_underlag_form", _files({"id": "F0NONE"}), user="anna", private_metadata=meta
    )
    assert status == 200 and "Filen kunde inte hämtas" in json.loads(body)["errors"]["files"]
    # neither text nor file: the text field says what is missing
    status, body = h.submit("cykel_underlag_form", _files(), user="anna", private_metadata=meta)
    assert status == 200 and "ladda upp en fil" in json.loads(body)["errors"]["text"]


def test_mote_underlag_takes_a_link_to_a_file_in_slack(harness: Harness, slack: LocalSlack) -> None:
    h = harness
    _plan(h, slack)
    link = "https://ledningsbot.slack.com/files/U0ANNA/F0KRONO/kronobarn%20v2.pdf"
    reply = h.command(
        "/mote", f"underlag LG-261217 §4 <{link}> och bilderna visas på mötet", user="anna"
    )
    assert "sparat" in text_of(reply)
    agenda = text_of(h.command("/mote", "dagordning LG-261217"))
    assert f"underlag: och bilderna visas på mötet, <{link}|kronobarn v2.pdf>" in agenda
    # the same file again is not listed twice
    h.command("/mote", f"underlag LG-261217 §4 {link}", user="anna")
    agenda = text_of(h.command("/mote", "dagordning LG-261217"))
    assert agenda.count("kronobarn v2.pdf") == 1
