"""The register at full size, over signed HTTP: Roger with 121 open assignments (122 open in
all), 302 decisions, 106 organs. Headers give the real count, long lists page (`sida N` and the
"Visa fler" button), long sections go on in the next block, the Home tab shows what fits and
says how many more, the organ select is type-ahead, a Home-tab press is answered on the tab,
an ephemeral answer's files go to the asker. (Every payload is also checked against Block
Kit's limits by the suite's `within_block_kit` fixture.)"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.core.replies import Message, section
from handlers.render import blocks
from handlers.slack_standin import Call, LocalSlack
from handlers.slackwire import block_action, command_body, interactive_body
from tests.harness import (
    PEOPLE,
    Harness,
    MakeCtx,
    as_slack_sends,
    blocks_of,
    buttons,
    headers,
    run,
    sections,
    text_of,
)

ROGER_OPEN = 121
DECISIONS = 302
EXTRA_ORGANS = 103  # with LG, AU and PG-AVTAL: 106


@pytest.fixture
def full(ctx: MakeCtx, organs: None) -> None:
    for n in range(ROGER_OPEN):
        assert "U-" in run(ctx(), "/uppdrag", f"<@U0ROGER|roger> Uppgift nummer {n + 1} till 4/12")
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Annas uppgift till 4/12")
    for n in range(DECISIONS):
        assert "LG-2026-" in run(ctx(), "/beslut", f"Ledningsgruppen beslutar punkt {n + 1}")
    for n in range(EXTRA_ORGANS):
        assert "skapat" in run(ctx(), "/organ", f"ny PG-{n + 1:03d} Processgrupp nummer {n + 1}")


def item_refs(payload: dict[str, Any]) -> list[str]:
    return re.findall(r"`(U-\d+)`", "\n".join(sections(payload)))


def more_of(payload: dict[str, Any]) -> list[str]:
    return [value for label, action, value in buttons(payload) if action == "visa_fler"]


def test_my_assignments_page_with_the_real_count(harness: Harness, full: None) -> None:
    first = harness.command("/uppdrag", "", user="roger")
    assert headers(first) == ["Dina öppna uppdrag (121)"]
    assert len(item_refs(first)) == 20
    assert [b for b in buttons(first) if b[0] == "Klart"].__len__() == 20
    assert "Visar 1–20 av 121 (sida 1 av 7)" in text_of(first)
    assert "`/uppdrag sida 2`" in text_of(first)
    assert more_of(first) == ["/uppdrag|sida 2"]
    second = harness.click("visa_fler", more_of(first)[0], user="roger")
    assert headers(second) == ["Dina öppna uppdrag (121)"]
    assert "Visar 21–40 av 121 (sida 2 av 7)" in text_of(second)
    assert not set(item_refs(first)) & set(item_refs(second))
    seen = set(item_refs(first)) | set(item_refs(second))
    for page in range(3, 8):
        shown = harness.command("/uppdrag", f"sida {page}", user="roger")
        seen |= set(item_refs(shown))
    assert len(seen) == ROGER_OPEN  # every one reachable, none twice
    assert "Visar 121–121 av 121 (sida 7 av 7)" in text_of(shown)
    assert more_of(shown) == []


def test_open_assignments_and_decisions_page(harness: Harness, full: None) -> None:
    listed = harness.command("/uppdrag", "lista")
    assert headers(listed) == ["Öppna uppdrag (122)"]
    assert "Visar 1–40 av 122 (sida 1 av 4)" in text_of(listed)
    assert more_of(listed) == ["/uppdrag|lista sida 2"]
    roger = harness.command("/uppdrag", "lista <@U0ROGER|roger> sida 4")
    assert headers(roger) == ["Öppna uppdrag (121)"]
    assert "Visar 121–121 av 121 (sida 4 av 4)" in text_of(roger)
    decided = harness.command("/beslut", "lista")
    assert headers(decided) == ["Senaste besluten (302)"]
    assert "Visar 1–40 av 302 (sida 1 av 8)" in text_of(decided)
    assert "punkt 302" in text_of(decided)  # the newest first
    assert more_of(decided) == ["/beslut|lista sida 2"]
    last = harness.click("visa_fler", "/beslut|lista sida 8", user="sara")
    assert "Visar 281–302 av 302 (sida 8 av 8)" in text_of(last)
    assert re.search(r"punkt 1\b", text_of(last))
    assert more_of(last) == []
    lg = harness.command("/beslut", "lista LG 2026 sida 2")
    assert headers(lg) == ["Senaste besluten – LG 2026 (302)"]
    assert "Visar 41–80 av 302" in text_of(lg)
    assert "ingen sida 9: listan har 8 sidor" in text_of(harness.command("/beslut", "lista sida 9"))


def test_the_home_tab_shows_what_fits_and_how_many_more(
    harness: Harness, slack: LocalSlack, full: None
) -> None:
    harness.event(
        {"type": "app_home_opened", "user": "U0ROGER", "tab": "home", "channel": "D0ROGER"},
        event_id="Ev-home-roger",
    )
    (call,) = slack.wait_for_calls("views.publish", 1)
    tab = call.args["view"]
    tab = json.loads(tab) if isinstance(tab, str) else tab
    assert headers(tab)[0] == "Dina öppna uppdrag (121)"
    assert len(item_refs(tab)) == 45
    assert len(tab["blocks"]) <= 100
    assert "Här syns 45 av dina 121 öppna uppdrag (76 till)" in text_of(tab)


def test_more_than_100_organs_make_the_organ_select_type_ahead(
    harness: Harness, slack: LocalSlack, full: None
) -> None:
    harness.post(
        command_body(
            "/beslut",
            "",
            user_id="U0SARA",
            channel_id="C0AU",
            response_url=slack.response_url("form", channel="C0AU", user="U0SARA"),
        )
    )
    (opened,) = slack.wait_for_calls("views.open", 1)
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    organ = next(b for b in view["blocks"] if b.get("block_id") == "organ")["element"]
    assert organ["type"] == "external_select"
    assert organ["initial_option"]["value"] == "AU"  # the channel's organ, chosen already
    suggestion = {
        "type": "block_suggestion",
        "user": {"id": "U0SARA"},
        "team": {"id": "T0LOCAL"},
        "api_app_id": "A0001",
        "action_id": organ["action_id"],
        "block_id": "organ",
        "value": "pg-10",
        "view": {"id": "V1", "callback_id": "beslut_form", "type": "modal"},
    }
    status, body = harness.post(interactive_body(suggestion))
    assert status == 200
    values = [o["value"] for o in json.loads(body)["options"]]
    assert values == [f"PG-{n:03d}" for n in range(100, 104)]  # PG-100 … PG-103, past 100
    status, body = harness.post(interactive_body({**suggestion, "value": ""}))
    assert len(json.loads(body)["options"]) == 100  # the most one answer may hold
    picked = {
        "organ": {
            organ["action_id"]: {"type": "external_select", "selected_option": {"value": "PG-103"}}
        },
        "text": {"value": {"type": "plain_text_input", "value": "Processgruppen beslutar"}},
    }
    assert harness.submit("beslut_form", picked, user="sara") == (200, "")
    slack.wait_for(lambda calls: "PG-103-2026-1" in str([c.args for c in calls]))


def test_a_long_section_goes_on_in_the_next_block_never_cut() -> None:
    """The post-meeting summary's "Öppna (122)" with long lines: more sections, no word cut."""
    lines = [
        f"• `U-{n}` " + "Ta fram underlag om vårdplatser och bemanning " * 3 for n in range(122)
    ]
    text = "*Öppna (122):*\n" + "\n".join(lines)
    rendered = blocks(Message("Sammanfattning", [section(text)]))
    shown = [b["text"]["text"] for b in rendered]
    assert len(shown) > 1
    assert all(len(s) <= 3000 for s in shown)
    assert "\n".join(shown) == text  # cut between lines: every character is there


def test_a_press_on_the_home_tab_is_answered_on_the_tab(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    harness.command("/uppdrag", "<@U0ANNA|anna> Skicka underlag till 4/12")
    harness.command("/uppdrag", "klart U-1", user="anna")
    for user in ("anna", "roger"):  # closed already; not an owner
        payload = block_action(
            "uppdrag_klar",
            "U-1",
            user_id=PEOPLE[user],
            channel_id="",
            response_url="",
        )
        del payload["channel"], payload["response_url"]
        payload["container"] = {"type": "view", "view_id": "V0HOME"}
        payload["view"] = {"id": "V0HOME", "type": "home"}
        assert harness.post(interactive_body(payload))[0] == 200

        def answered(call: Call, user_id: str = PEOPLE[user]) -> bool:
            return (
                call.method == "views.publish"
                and call.args["user_id"] == user_id
                and blocks_of(call.args["view"])[0]["type"] == "section"  # a notice on top
                and "U-1" in blocks_of(call.args["view"])[0]["text"]["text"]
            )

        calls = slack.wait_for(lambda cs: any(answered(c) for c in cs))
        tab = next(c.args["view"] for c in calls if answered(c))
        assert headers(tab)[0] == "Dina öppna uppdrag (0)"


def test_an_ephemeral_answers_files_go_to_the_asker(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    harness.command("/beslut", "Ledningsgruppen beslutar att fortsätta")
    answer = harness.command("/beslut", "export", user="roger")
    assert answer["response_type"] == "ephemeral"
    shared = lambda _calls: [f["channel_id"] for f in slack.uploaded_files() if f["channel_id"]]  # noqa: E731
    slack.wait_for(lambda calls: len(shared(calls)) == 2)
    assert set(shared([])) == {"DU0ROGER"}  # the asker's DM, not C0LG


def test_search_finds_what_slack_escapes(harness: Harness, organs: None) -> None:
    harness.command(
        "/beslut", as_slack_sends("Ledningsgruppen beslutar om R&D inom hälsa & omsorg")
    )
    for query in ("hälsa & omsorg", "R&D"):
        found = harness.command("/beslut", as_slack_sends(f"sök {query}"))
        assert "LG-2026-1" in text_of(found), (query, text_of(found))
        assert "R&amp;D inom hälsa &amp; omsorg" in text_of(found)  # shown once escaped


def test_search_tells_how_many_and_pages_like_the_lists(harness: Harness, full: None) -> None:
    found = harness.command("/beslut", "sök punkt")
    assert headers(found) == ["Beslut som matchar ”punkt”: 302"]
    assert "Visar 1–40 av 302 (sida 1 av 8)" in text_of(found)
    assert "`/beslut sök punkt sida 2`" in text_of(found)
    assert "punkt 302" in text_of(found)  # the newest first
    assert more_of(found) == ["/beslut|sök punkt sida 2"]
    second = harness.click("visa_fler", more_of(found)[0], user="sara")
    assert headers(second) == ["Beslut som matchar ”punkt”: 302"]
    assert "Visar 41–80 av 302 (sida 2 av 8)" in text_of(second)
    assert "punkt 262" in text_of(second) and "punkt 263" not in text_of(second)
    seen: set[str] = set()
    for page in range(1, 9):
        shown = harness.command("/beslut", f"sök punkt sida {page}")
        seen |= set(re.findall(r"LG-2026-\d+", text_of(shown)))
    assert len(seen) == DECISIONS  # every one reachable, none twice
    assert "Visar 281–302 av 302 (sida 8 av 8)" in text_of(shown)
    assert more_of(shown) == []
    assert "ingen sida 9: listan har 8 sidor" in text_of(
        harness.command("/beslut", "sök punkt sida 9")
    )
    few = harness.command("/beslut", "sök punkt 17")  # "punkt" and "17…": 17, 170–179
    assert headers(few) == ["Beslut som matchar ”punkt 17”: 11"]
    assert more_of(few) == [] and "Visar" not in text_of(few)  # one page: nothing to page


def test_assignment_search_tells_how_many_and_pages(harness: Harness, full: None) -> None:
    found = harness.command("/uppdrag", "sök uppgift")
    assert headers(found) == ["Uppdrag som matchar ”uppgift”: 122"]
    assert "Visar 1–40 av 122 (sida 1 av 4)" in text_of(found)
    assert more_of(found) == ["/uppdrag|sök uppgift sida 2"]
    seen = set(item_refs(found))
    shown = found
    while more_of(shown):
        shown = harness.click("visa_fler", more_of(shown)[0], user="sara")
        assert not seen & set(item_refs(shown))
        seen |= set(item_refs(shown))
    assert len(seen) == ROGER_OPEN + 1
    assert "Visar 121–122 av 122 (sida 4 av 4)" in text_of(shown)
    both = harness.command("/uppdrag", "sök nummer")  # the assignments, and decisions too
    assert headers(both) == ["Uppdrag som matchar ”nummer”: 121"]
    decided = harness.command("/uppdrag", "sök punkt")
    assert "Beslut som matchar ”punkt”: 302" in text_of(decided)
    assert "De 5 senaste visas. Alla: `/beslut sök punkt`" in text_of(decided)
    assert len(re.findall(r"LG-2026-\d+", text_of(decided))) == 5


def test_assignment_search_ignores_case_on_both_databases(harness: Harness, organs: None) -> None:
    """PostgreSQL's LIKE tells case apart where SQLite's does not: mixed case too is found."""
    harness.command(
        "/uppdrag", "<@U0ANNA|anna> Ta fram budget för iPad, eHälsa och ÅTGÄRDSPLAN till 4/12"
    )
    for query in ("ipad", "IPAD", "iPad", "ehälsa", "EHälsa", "åtgärdsplan", "Åtgärdsplanen"):
        found = harness.command("/uppdrag", f"sök {query}")
        assert "U-1" in item_refs(found), (query, text_of(found))
    assert "U-1" not in item_refs(harness.command("/uppdrag", "sök ipod"))


def test_the_decisions_example_under_an_assignment_search_searches_the_same_words(
    harness: Harness, organs: None
) -> None:
    """A long query is not cut short in the `/beslut sök …` it shows: run, it finds the same
    decisions (cut, it would also find those that lack the last words)."""
    words = "ledningsgruppen beslutar godkänna verksamhetsplanens budgetförutsättningar"
    for number in range(7):
        harness.command(
            "/beslut",
            f"Ledningsgruppen beslutar att godkänna verksamhetsplanens "
            f"budgetförutsättningar för hemsjukvårdsavtalet, del {number}",
        )
    harness.command(
        "/beslut",
        "Ledningsgruppen beslutar att godkänna verksamhetsplanens "
        "budgetförutsättningar för trygghetsboendet",
    )
    query = f"{words} hemsjukvårdsavtalet"
    assert len(query) > 90
    found = text_of(harness.command("/uppdrag", f"sök {query}"))
    assert re.search(r"Beslut som matchar ”[^”]*”: 7\b", found), found
    example = re.search(r"Alla: `(/beslut sök [^`]*)`", found)
    assert example is not None, found
    assert example.group(1) == f"/beslut sök {words} hemsjukvårdsavtalet"
    ran = harness.command("/beslut", example.group(1).removeprefix("/beslut "))
    assert headers(ran)[0].endswith(": 7"), headers(ran)


def test_the_decisions_example_under_an_assignment_search_is_not_read_as_a_page(
    harness: Harness, organs: None
) -> None:
    for number in range(7):
        harness.command("/beslut", f"Ledningsgruppen beslutar om sida 3 i planen, del {number}")
    found = text_of(harness.command("/uppdrag", "sök planen sida 3 sida 1"))
    assert "Alla: `/beslut sök planen sida 3 sida 1`" in found, found
    ran = harness.command("/beslut", "sök planen sida 3 sida 1")
    assert headers(ran)[0].endswith(": 7"), headers(ran)


def test_a_broad_search_says_more_than_it_counts(
    harness: Harness, full: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past what a search counts (1 000; 100 here), the header says "fler än" and the newest
    that many can be paged through: a count that stops, so a common word stays cheap."""
    monkeypatch.setattr("bot.decisions.service.COUNTED", 100)
    monkeypatch.setattr("bot.assignments.service.COUNTED", 100)
    found = harness.command("/beslut", "sök beslutar")
    assert headers(found) == ["Beslut som matchar ”beslutar”: fler än 100"]
    assert "Visar 1–40 av 100 (sida 1 av 3)" in text_of(found)
    assert "Fler än 100 träffar: de 100 senaste går att bläddra i." in text_of(found)
    last = harness.command("/beslut", "sök beslutar sida 3")
    assert "Visar 81–100 av 100 (sida 3 av 3)" in text_of(last) and more_of(last) == []
    assert "punkt 203" in text_of(last) and "punkt 202" not in text_of(last)
    assert "listan har 3 sidor" in text_of(harness.command("/beslut", "sök beslutar sida 4"))
    mine = harness.command("/uppdrag", "sök uppgift sida 3")
    assert headers(mine) == ["Uppdrag som matchar ”uppgift”: fler än 100"]
    assert "Visar 81–100 av 100 (sida 3 av 3)" in text_of(mine)


def test_a_long_search_still_pages(harness: Harness, full: None) -> None:
    """The button carries the words that count (the first eight stems), not the whole text."""
    query = "punkt " * 400 + "beslutar"
    found = harness.command("/beslut", f"sök {query}")
    assert headers(found)[0].endswith(": 302")
    assert more_of(found) == ["/beslut|sök punkt beslutar sida 2"]
    second = harness.click("visa_fler", more_of(found)[0], user="sara")
    assert "Visar 41–80 av 302 (sida 2 av 8)" in text_of(second)
