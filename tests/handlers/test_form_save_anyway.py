"""*Spara ändå* in the decision form (issue 10): a due date that is asked about before it is
stored (a weekend, a holiday, far ahead without a year) is asked in the form itself, under the
field, with a box to tick; ticked, the form saves once. Over signed HTTP, as Slack sends it."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from sqlmodel import select

from handlers.slack_standin import LocalSlack
from storage.models import Assignment, Decision
from tests.harness import Harness, text_of, within_block_kit_limits

META = '{"channel": "C0LG"}'


def form(due: str, text: str = "Ledningsgruppen beslutar enligt förslag") -> dict[str, Any]:
    return {
        "organ": {"value": {"type": "static_select", "selected_option": {"value": "LG"}}},
        "item": {"value": {"type": "plain_text_input", "value": "§ 6"}},
        "text": {"value": {"type": "plain_text_input", "value": text}},
        "assign": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
        "owners": {"value": {"type": "multi_users_select", "selected_users": ["U0JENNY"]}},
        "what": {"value": {"type": "plain_text_input", "value": "Rekrytera samordnaren"}},
        "due": {"value": {"type": "plain_text_input", "value": due}},
    }


def ticked(values: dict[str, Any], box: dict[str, Any]) -> dict[str, Any]:
    """The form as sent again with *Spara ändå* ticked in `box` (the block the bot added)."""
    option = box["element"]["options"][0]
    state = {"type": "checkboxes", "selected_options": [{"value": option["value"]}]}
    return {**values, box["block_id"]: {"value": state}}


def stored(h: Harness) -> tuple[list[Decision], list[Assignment]]:
    with h.product.db.transaction() as session:
        return list(session.exec(select(Decision)).all()), list(
            session.exec(select(Assignment)).all()
        )


def asked(h: Harness, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Send the form; it must come back as the same form with the question: (view, the box)."""
    status, body = h.submit("beslut_form", values, user="sara", private_metadata=META)
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "update", answer
    view = answer["view"]
    within_block_kit_limits(view)
    (box,) = [b for b in view["blocks"] if b.get("block_id", "").startswith("spara_anda_")]
    assert box["type"] == "input" and box["optional"] is True
    assert box["element"]["type"] == "checkboxes" and "initial_options" not in box["element"]
    assert box["element"]["options"][0]["text"]["text"] == "Spara ändå"
    return view, box


def test_a_weekend_due_date_is_asked_in_the_form_and_saved_once_when_ticked(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    values = form("28 november")  # a Saturday (the clock: Monday 23 November 2026)
    view, box = asked(harness, values)
    ids = [b.get("block_id") for b in view["blocks"]]
    # the question sits under the field it concerns, and nothing is stored yet
    assert ids.index("due") < ids.index("fraga_spara_anda") < ids.index(box["block_id"])
    question = text_of({"blocks": view["blocks"]})
    assert "⚠️ Innan jag sparar" in question and "28 november 2026 är en lördag" in question
    assert stored(harness) == ([], [])
    # what was typed is still in the form
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    assert by_id["due"]["element"]["initial_value"] == "28 november"
    assert by_id["what"]["element"]["initial_value"] == "Rekrytera samordnaren"
    assert by_id["owners"]["element"]["initial_users"] == ["U0JENNY"]
    assert by_id["organ"]["element"]["initial_option"]["value"] == "LG"
    assert view["callback_id"] == "beslut_form" and view["private_metadata"] == META

    status, body = harness.submit(
        "beslut_form", ticked(values, box), user="sara", private_metadata=META
    )
    assert (status, body) == (200, "")  # saved: the form closes
    slack.wait_for(lambda calls: len(slack.dms("U0JENNY")) == 1)
    decisions, assignments = stored(harness)
    assert len(decisions) == 1 and len(assignments) == 1
    assert assignments[0].due_date == date(2026, 11, 28)

    # the same ticked form sent once more (another tab, a second click): nothing twice
    again = ticked(form("28 november", text="Ledningsgruppen beslutar enligt förslaget"), box)
    status, body = harness.submit("beslut_form", again, user="sara", private_metadata=META)
    assert status == 200 and json.loads(body) == {"response_action": "clear"}
    slack.wait_for(lambda calls: any("redan sparat" in text_of(m) for m in slack.dms("U0SARA")))
    decisions, assignments = stored(harness)
    assert len(decisions) == 1 and len(assignments) == 1
    assert len(slack.dms("U0JENNY")) == 1


def test_the_box_answers_only_the_question_it_was_shown_under(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    _view, box = asked(harness, form("28 november"))
    # changed to a Sunday with the box still ticked: that is a new question, asked anew
    _view, box_again = asked(harness, ticked(form("29 november"), box))
    assert box_again["block_id"] != box["block_id"]  # a new box, not ticked
    assert stored(harness) == ([], [])
    # changed to a working day, box still ticked: nothing to ask, saved as it is
    status, body = harness.submit(
        "beslut_form", ticked(form("27 november"), box_again), user="sara", private_metadata=META
    )
    assert (status, body) == (200, "")
    slack.wait_for(lambda calls: len(slack.dms("U0JENNY")) == 1)
    _decisions, assignments = stored(harness)
    assert [a.due_date for a in assignments] == [date(2026, 11, 27)]


def test_a_date_far_ahead_without_a_year_is_asked_in_the_form_too(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    values = form("17 augusti")  # a Tuesday, nine months ahead
    view, box = asked(harness, values)
    assert "utan år" in text_of({"blocks": view["blocks"]})
    status, body = harness.submit(
        "beslut_form", ticked(values, box), user="sara", private_metadata=META
    )
    assert (status, body) == (200, "")
    slack.wait_for(lambda calls: len(slack.dms("U0JENNY")) == 1)
    _decisions, assignments = stored(harness)
    assert [a.due_date for a in assignments] == [date(2027, 8, 17)]


def test_the_ticked_form_sent_twice_at_once_is_saved_once(
    harness: Harness, slack: LocalSlack, organs: None
) -> None:
    """Two submissions of the same answered question at the same moment (two tabs): one saves,
    the other finds the answer's token taken – on PostgreSQL at the insert, behind a lock."""
    values = form("28 november")
    _view, box = asked(harness, values)
    twice = [
        ticked(form("28 november", text=f"Ledningsgruppen beslutar enligt förslag {n}"), box)
        for n in (1, 2)
    ]
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(
                lambda v: harness.submit("beslut_form", v, user="sara", private_metadata=META),
                twice,
            )
        )
    assert sorted(body for _status, body in answers) == ["", '{"response_action": "clear"}']
    slack.wait_for(lambda calls: len(slack.dms("U0JENNY")) == 1)
    slack.wait_for(lambda calls: any("redan sparat" in text_of(m) for m in slack.dms("U0SARA")))
    decisions, assignments = stored(harness)
    assert len(decisions) == 1 and len(assignments) == 1
