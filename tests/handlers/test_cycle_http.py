"""The meeting cycle over signed HTTP, the way the 2023 sample's meeting went: plan it, propose
and accept items and publish the agenda, record attendance with a guest, log decisions and
assignments against items, make the draft, ask for a change and justera the second version,
check the three files, the lock and a change after justering, and take the year's archive."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import docx
from icalendar import Calendar
from pypdf import PdfReader

from bot.core.clock import FixedClock
from handlers import archive_cli
from handlers.settings import Settings
from handlers.slack_standin import LocalSlack
from handlers.slackwire import block_action, interactive_body
from tests.harness import PEOPLE, Harness, text_of

ANNA, ROGER, JENNY, MAGNUS = (f"<@{PEOPLE[n]}|{n}>" for n in ("anna", "roger", "jenny", "magnus"))
LG = ["U0SARA", "U0MAGNUS", "U0ANNA", "U0ROGER", "U0JENNY"]


def file_named(slack: LocalSlack, name: str, count: int = 1) -> dict[str, Any]:
    """The newest upload called `name`, once `count` of them have been completed (shared in a
    channel or DM)."""

    def done() -> list[dict[str, Any]]:
        return [f for f in slack.uploaded_files() if f["filename"] == name and f["channel_id"]]

    slack.wait_for(lambda _calls: len(done()) >= count)
    return done()[-1]


def words(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return words(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def press(h: Harness, action_id: str, value: str, user: str) -> None:
    """A button whose answer is a form (no response_url message): just send it."""
    payload = block_action(
        action_id, value, user_id=PEOPLE[user], channel_id="D" + PEOPLE[user], response_url=""
    )
    assert h.post(interactive_body(payload))[0] == 200


def test_the_2023_meeting_from_agenda_to_archive(
    harness: Harness, slack: LocalSlack, clock: FixedClock, tmp_path: Path
) -> None:
    h = harness
    slack.set_members("C0LG", LG)
    # 1. plan the meeting (and the next one), invite the organ, and the answers come in
    h.command(
        "/organ",
        f"ny LG Ledningsgrupp för samordning <#C0LG|ledningsgrupp> sammankallande {MAGNUS}",
    )
    h.command("/mote", "ny LG 17 december 11-15 Regionhuset, sal Kreativa rummet")
    h.command("/mote", "ny LG 15 januari 2027 9-12 Regionhuset")
    h.command("/mote", "bjud in LG-261217")
    slack.wait_for(lambda _c: all(len(slack.dms(u)) >= 1 for u in LG))
    h.click("mote_svar_kommer", "LG-261217", user="anna")
    h.click("mote_svar_kommer", "LG-261217", user="roger")
    h.click("mote_svar_kommer_inte", "LG-261217", user="jenny")

    # 2. propose and accept items, and publish the agenda
    reply = h.command(
        "/mote",
        f"punkt LG-261217 Kronobarnsmodellen föredragande {ANNA} information",
        user="magnus",
    )
    assert "§4" in text_of(reply)
    slack.wait_for(lambda _c: any("föredragande" in text_of(m) for m in slack.dms("U0ANNA")))
    presenter_dm = next(m for m in slack.dms("U0ANNA") if "föredragande" in text_of(m))
    assert "Lägg till underlag" in json.dumps(presenter_dm["blocks"], ensure_ascii=False)
    reply = h.command(
        "/mote",
        "punkt LG-261217 Processgrupperna föredragande Marcus Johansson beslut förslag: "
        "Respektive chefsnätverk ges i uppdrag att utse representanter",
        user="anna",
    )
    assert "F5" in text_of(reply)
    slack.wait_for(lambda _c: any("F5" in text_of(m) for m in slack.dms("U0MAGNUS")))
    taken = h.click("cykel_ta_med", "LG-261217|F5", user="magnus")
    assert "§5" in text_of(taken)
    h.command("/mote", "punkt LG-261217 Projektdirektiv vårdkedjan skadligt bruk", user="magnus")
    before = len(slack.dms("U0ANNA"))
    kallelse = h.command("/mote", "kallelse LG-261217")
    assert kallelse["response_type"] == "in_channel"
    posted = text_of(kallelse)
    for needle in ("Kallelse", "Mötets öppnande", "Återrapportering", "Kronobarnsmodellen"):
        assert needle in posted
    # the invitees' calendars get the agenda: the same UID, a higher SEQUENCE
    slack.wait_for(lambda _c: len(slack.dms("U0ANNA")) > before)
    ics = file_named(slack, "LG-261217.ics", count=10)["content"]
    event = next(c for c in Calendar.from_ical(ics).walk("VEVENT"))
    assert int(event["SEQUENCE"]) == 1
    assert "5. Processgrupperna – föredragande Marcus Johansson (beslut)" in str(
        event["DESCRIPTION"]
    )

    # 3. the meeting day: attendance from the answers, with a guest and a name outside Slack
    clock.set(clock.now() + timedelta(days=24))
    h.command("/mote", "lyft LG-261217 §6 till LG 15 januari")
    reply = h.command(
        "/mote",
        f"närvaro LG-261217 närvarande {ANNA} (Alvesta) {ROGER} (Älmhult), "
        "Marcus Ek (Växjö kommun); gäster: Lina Nyberg (Statskontoret)",
    )
    assert "3 närvarande, 1 frånvarande, 1 gäst" in text_of(reply)  # jenny: her answer

    # 4. decisions and assignments against the items
    h.command("/mote", "anteckning LG-261217 §4 Anna redogör för nuläget och aktiviteterna.")
    reply = h.command("/beslut", "LG-261217 §5: Ledningsgruppen beslutar enligt förslag.")
    assert "LG-2026-1" in text_of(reply)
    reply = h.command(
        "/uppdrag",
        f"{MAGNUS} {ROGER} För in det på respektive dagordning till nästa LG "
        "återkoppling till AU och ledningsgrupp (§5)",
    )
    assert "U-1" in text_of(reply)
    h.command("/mote", f"justerare LG-261217 {JENNY}")

    # 5. the draft; a change asked for; the second version justerad
    draft = h.command("/mote", "anteckningar LG-261217")
    assert "version 1" in text_of(draft)
    h.command("/mote", "justera LG-261217")
    slack.wait_for(lambda _c: any("justera" in text_of(m) for m in slack.dms("U0JENNY")))
    file_named(slack, "minnesanteckningar-LG-261217-utkast-v1.pdf", count=2)
    press(h, "cykel_begar_andring", "LG-261217|1", user="jenny")
    slack.wait_for_calls("views.open")
    status, _ = h.submit(
        "cykel_andring_form",
        {"text": {"value": {"type": "plain_text_input", "value": "§5: nämn återkopplingen."}}},
        user="jenny",
        private_metadata="LG-261217|1",
    )
    assert status == 200
    slack.wait_for(lambda _c: any("nämn återkopplingen" in text_of(m) for m in slack.dms("U0SARA")))
    h.command("/mote", "anteckning LG-261217 §5 Återkoppling sker till AU och ledningsgrupp.")
    sent = h.command("/mote", "justera LG-261217")
    assert "Version 2" in text_of(sent)
    stale = h.click("cykel_justera", "LG-261217|1", user="jenny")
    assert "nyare" in text_of(stale)
    done = h.click("cykel_justera", "LG-261217|2", user="jenny")
    assert "Du har justerat version 2" in text_of(done)
    slack.wait_for(lambda _c: any("justerade av" in text_of(m) for m in slack.messages("C0LG")))

    # 6. the files: the same items, decisions and attendance in all three
    final_pdf = file_named(slack, "minnesanteckningar-LG-261217.pdf")
    assert final_pdf["channel_id"] == "C0LG"
    md = file_named(slack, "minnesanteckningar-LG-261217.md")["content"].decode()
    locked = h.command("/mote", "anteckningar LG-261217")  # the justerade files, to the asker
    assert "justerade" in text_of(locked)
    final_docx = file_named(slack, "minnesanteckningar-LG-261217.docx")
    assert final_docx["channel_id"] == "DU0SARA"
    word = docx_text(final_docx["content"])
    pdf = pdf_text(final_pdf["content"])
    for needle in (
        "Minnesanteckningar Ledningsgrupp för samordning",
        "Torsdagen den 17 december 2026, kl 11-15",
        "Regionhuset, sal Kreativa rummet",
        "anna, Alvesta",
        "Marcus Ek, Växjö kommun",
        "Lina Nyberg, Statskontoret",
        "4. Kronobarnsmodellen",
        "Anna redogör för nuläget",
        "5. Processgrupperna",
        "Ledningsgruppen beslutar enligt förslag.",
        "för in det på respektive dagordning",
        "Återkoppling sker till AU och ledningsgrupp",
        "Lyfts på LG-möte 15 januari 2027",
        "Justerare: jenny",
    ):
        assert needle in md.replace("**", ""), needle
        assert needle in word, needle
        assert needle in pdf, needle
    assert "Justerat av jenny" in pdf and "Upprättat 17 december 2026" in pdf

    # 7. the lock, and a change after justering
    refused = h.command("/mote", "anteckning LG-261217 §4 I efterhand")
    assert "låsta" in text_of(refused)
    clock.advance(timedelta(days=5))
    changed = h.command(
        "/beslut", "ändra LG-2026-1 Ledningsgruppen beslutar enligt förslaget. skäl: förtydligande"
    )
    assert "ändring efter justering" in text_of(changed)
    shown = h.command("/mote", "anteckningar LG-261217")
    assert "Ändringar efter justering" in text_of(shown) and "LG-2026-1" in text_of(shown)
    assert "ändrad efter justering" in text_of(h.command("/beslut", "visa LG-2026-1"))
    h.command("/beslut", "utdrag LG-2026-1")
    extract = pdf_text(file_named(slack, "utdrag-LG-2026-1.pdf")["content"])
    assert "Utdrag ur minnesanteckningar" in extract and "Ändrat efter justering" in extract

    # 8. the year's archive, in Slack and from the command line: the manifest's hashes hold
    h.command("/organ", "arkiv LG 2026")
    archived = file_named(slack, "lg-2026.zip")
    assert archived["channel_id"] == "DU0SARA"
    out = tmp_path / "lg-2026.zip"
    settings = Settings(database_url=h.product.db.url, tz=h.product.tz)
    args = argparse.Namespace(organ="LG", year=2026, out=str(out))
    assert archive_cli.run(settings, args) == 0
    for data in (archived["content"], out.read_bytes()):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            listed = z.read("manifest-sha256.txt").decode().splitlines()
            assert len(listed) == len(z.namelist()) - 2  # all but the two manifests
            for line in listed:
                digest, path = line.split("  ", 1)
                assert hashlib.sha256(z.read(path)).hexdigest() == digest
            assert z.read("protokoll/minnesanteckningar-LG-261217.pdf") == final_pdf["content"]
            assert z.read("beslut.csv").startswith("\ufeffReferens;Organ".encode())
            oparl = json.loads(z.read("oparl.json"))
            (meeting, *_rest) = oparl["meeting"]
            assert [i["name"] for i in meeting["agendaItem"]][3:5] == [
                "Kronobarnsmodellen",
                "Processgrupperna",
            ]
            assert oparl["consultation"][0]["ledningsbot:justerat"] is True


def test_mote_punkt_with_only_the_meeting_opens_a_form(harness: Harness, slack: LocalSlack) -> None:
    h = harness
    h.command("/organ", f"ny LG Ledningsgrupp för samordning <#C0LG|lg> sammankallande {MAGNUS}")
    h.command("/mote", "ny LG 17 december 11-15 Regionhuset")
    h.command("/mote", "punkt LG-261217", wait=False)
    (opened,) = slack.wait_for_calls("views.open")
    view = (
        json.loads(opened.args["view"])
        if isinstance(opened.args["view"], str)
        else opened.args["view"]
    )
    assert view["callback_id"] == "cykel_punkt_form"
    assert [b["label"]["text"] for b in view["blocks"]][:2] == ["Rubrik", "Föredragande (i Slack)"]
    values = {
        "title": {"value": {"type": "plain_text_input", "value": "Hemsjukvårdsavtal"}},
        "presenter": {"value": {"type": "users_select", "selected_user": "U0ANNA"}},
        "kind": {"value": {"type": "static_select", "selected_option": {"value": "dialog"}}},
        "proposal": {"value": {"type": "plain_text_input", "value": None}},
    }
    meta = json.dumps({"ref": "LG-261217", "channel": "C0LG"})
    assert h.submit("cykel_punkt_form", values, user="sara", private_metadata=meta)[0] == 200
    slack.wait_for(
        lambda _c: any("Hemsjukvårdsavtal" in text_of(m) for m in slack.messages("C0LG"))
    )
    slack.wait_for(lambda _c: any("föredragande" in text_of(m) for m in slack.dms("U0ANNA")))
    agenda = text_of(h.command("/mote", "dagordning LG-261217"))
    assert "4. *Hemsjukvårdsavtal* – föredragande <@U0ANNA>, dialog" in agenda
    # a title left empty is a field error, and nothing is saved
    values["title"] = {"value": {"type": "plain_text_input", "value": " "}}
    status, body = h.submit("cykel_punkt_form", values, user="sara", private_metadata=meta)
    assert status == 200 and '"title"' in body and "/mote punkt" in body
