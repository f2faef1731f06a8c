"""What the bot costs in Slack Web API calls, counted by the stand-in (which records every call):
a cold `/kalender` in a channel of 450, an invitation of 450, and `user_change` events."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import pytest
from icalendar import Calendar
from sqlalchemy import text

from bot import commands
from bot.core.context import CalendarConfig, Ctx, Product, StaticDirectory
from handlers.slack_standin import RESPONSE_URL_METHOD, UPLOAD_METHOD, Call, LocalSlack
from tests.harness import PEOPLE, Harness, text_of

BASE = "https://ledningsbot.region.example"
CROWD = [f"U1{n:04d}" for n in range(450)]  # a channel of 450 people …
BOTS = ["B0HELPER", "USLACKBOT"]  # … and two bots in it


def settle(harness: Harness) -> None:
    """Wait until the work after every ack so far is done."""
    harness.settle()


def web_api(calls: list[Call]) -> Counter[str]:
    """Web API methods called (not response URLs or the upload itself), with how often."""
    return Counter(c.method for c in calls if c.method not in (RESPONSE_URL_METHOD, UPLOAD_METHOD))


@pytest.fixture
def big(product: Product, slack: LocalSlack) -> Iterator[Harness]:
    """LG bound to a channel of 450 people (plus sara, two bots and the bot itself), a meeting
    planned; the bot's directory knows nobody yet (a cold start)."""
    feed_product = replace(product, calendar=CalendarConfig(public_base_url=BASE))
    for n, user_id in enumerate(CROWD):
        slack.add_user(user_id, f"person{n}", email=f"person{n}@region.example")
    for bot_id in BOTS:
        slack.add_user(bot_id, bot_id.lower(), is_bot=True)
    slack.set_members("C0BIG", [PEOPLE["sara"], *CROWD, *BOTS, "UBOT"])
    sara = Ctx(feed_product, PEOPLE["sara"], "C0BIG", StaticDirectory())
    commands.run(sara, "/organ", "ny LG Ledningsgrupp för samordning <#C0BIG|ledningsgrupp>")
    commands.run(sara, "/mote", "ny LG 7 december 9-12 Regionhuset")
    with Harness(feed_product, slack) as running:
        slack.clear()
        yield running


def test_a_cold_kalender_in_a_channel_of_450_costs_at_most_10_calls(
    big: Harness, slack: LocalSlack
) -> None:
    reply = text_of(big.command("/kalender", "", user=CROWD[7], channel="C0BIG"))
    assert "LG – Ledningsgrupp för samordning" in reply  # the member's organ link is there
    calls = web_api(slack.calls())
    assert sum(calls.values()) <= 10, calls
    assert calls["users.info"] == 0 and calls["conversations.members"] == 3  # 200 a page
    assert calls["users.conversations"] == 2  # the asker's own channels, and the bot's
    with big.product.db.engine.connect() as connection:
        members = connection.execute(text("SELECT user_id FROM organmember")).scalars().all()
    assert sorted(members) == sorted([PEOPLE["sara"], *CROWD])  # bots left out


def test_an_invitation_costs_the_dm_and_its_file_and_nothing_else(
    big: Harness, slack: LocalSlack
) -> None:
    reply = text_of(big.command("/mote", "bjud in LG-261207", channel="C0BIG"))
    assert "Bjuder in 451 personer" in reply
    slack.wait_for_calls("files.completeUploadExternal", 451, timeout=60)
    slack.wait_for(
        lambda calls: any(
            c.method == RESPONSE_URL_METHOD and "Inbjudan för" in text_of(c.args) for c in calls
        ),
        timeout=30,
    )
    calls = web_api(slack.calls())
    assert calls["conversations.open"] == 0
    per_invitee = {
        "chat.postMessage": 451,  # the DM …
        "files.getUploadURLExternal": 451,  # … and its file
        "files.completeUploadExternal": 451,
    }
    assert {m: calls[m] for m in per_invitee} == per_invitee
    planning = sum(calls.values()) - sum(per_invitee.values())
    assert planning <= 10, calls  # members by page, people from users.list
    # each file went into the DM the message was posted in
    dms = {c.args["channel"]: c.response["channel"] for c in slack.calls("chat.postMessage")}
    files = slack.uploaded_files()
    assert {f["channel_id"] for f in files} == {dms[u] for u in [PEOPLE["sara"], *CROWD]}
    assert all(Calendar.from_ical(f["content"])["METHOD"] == "PUBLISH" for f in files)


def test_a_profile_change_arrives_as_an_event_and_is_not_asked_for_again(
    harness: Harness, slack: LocalSlack
) -> None:
    harness.command("/organ", "ny LG Ledningsgrupp för samordning <#C0LG|ledningsgrupp>")
    harness.command("/mote", "ny LG 7 december 9-12")
    anna = slack.add_user(PEOPLE["anna"], "anna", display_name="Anna Andersson")
    assert harness.event({"type": "user_change", "user": anna}, event_id="EvAnna") == 200
    settle(harness)
    slack.clear()
    harness.command("/mote", "bjud in LG-261207 <@U0ANNA|anna>")
    slack.wait_for_calls("files.completeUploadExternal")
    harness.command("/mote", "närvaro LG-261207")
    slack.wait_for_calls("files.completeUploadExternal", 2)
    (attendance,) = [f for f in slack.uploaded_files() if f["filename"].startswith("narvaro")]
    assert "Anna Andersson" in attendance["content"].decode()
    assert [c.args["user"] for c in slack.calls("users.info")].count(PEOPLE["anna"]) == 0


def test_names_as_the_minutes_write_them_cost_one_users_list(
    harness: Harness, slack: LocalSlack
) -> None:
    harness.command("/organ", "ny LG Ledningsgrupp för samordning <#C0LG|ledningsgrupp>")
    slack.add_user("U0ERIKA", "erika", real_name="Erika Lagergren", display_name="")
    slack.clear()
    first = text_of(
        harness.command("/uppdrag", "Erika och Roger ansvarar för att föra in det på dagordningen")
    )
    assert "Föra in det på dagordningen – <@U0ERIKA>, <@U0ROGER>" in first
    second = text_of(harness.command("/uppdrag", "Jenny och regionen tar fram underlag"))
    assert "Tar fram underlag – <@U0JENNY>, regionen" in second
    assert web_api(slack.calls())["users.list"] == 1  # read once, then from the cache


ORGANS = 106
IN_EACH = 12  # people per organ channel; each person is in about three organs


@pytest.fixture
def many(product: Product, slack: LocalSlack) -> Iterator[Harness]:
    """106 organs, each bound to its own channel of 12 people (a meeting planned in each);
    nobody's membership read yet (a cold start)."""
    feed_product = replace(product, calendar=CalendarConfig(public_base_url=BASE))
    people = CROWD[:400]
    for n, user_id in enumerate(people):
        slack.add_user(user_id, f"person{n}")
    sara = Ctx(feed_product, PEOPLE["sara"], "C0LG", StaticDirectory())
    for n in range(ORGANS):
        channel = f"C0PG{n:03d}"
        slack.set_members(channel, [people[(n * 4 + k) % 400] for k in range(IN_EACH)])
        commands.run(sara, "/organ", f"ny PG-{n:03d} Processgrupp {n} <#{channel}|pg-{n:03d}>")
        commands.run(sara, "/mote", f"ny PG-{n:03d} 7 december 9-12")
    with Harness(feed_product, slack) as running:
        slack.clear()
        yield running


def test_kalender_with_106_organs_costs_a_few_calls_not_one_per_organ(
    many: Harness, slack: LocalSlack
) -> None:
    """The asker's own organs come from one users.conversations; of the others' snapshots only
    the two oldest are read whole per call (events keep them current in between). Before,
    every /kalender read all 106 channels."""
    asker = CROWD[41]  # in PG-008, PG-009 and PG-010 (people 32–43, 36–47, 40–51)
    reply = text_of(many.command("/kalender", "", user=asker, channel="C0PG008"))
    assert [o for o in re.findall(r"PG-\d{3}", reply)] == ["PG-008", "PG-009", "PG-010"]
    calls = web_api(slack.calls())
    # the asker's own channels, and the bot's
    assert calls["users.conversations"] == 2 and calls["conversations.members"] == 2, calls
    assert sum(calls.values()) <= 7, calls
    with many.product.db.engine.connect() as connection:
        read = connection.execute(
            text("SELECT count(*) FROM organ WHERE members_refreshed_at IS NOT NULL")
        ).scalar_one()
    assert read == 2
    # Every later /kalender: the same few calls, until every snapshot is read; then one.
    for turn in range(ORGANS // 2 - 1):
        slack.clear()
        many.command("/kalender", "", user=CROWD[turn], channel="C0PG000")
        calls = web_api(slack.calls())
        assert calls["users.conversations"] == 2 and calls["conversations.members"] == 2, calls
        assert sum(calls.values()) <= 7, calls
    slack.clear()
    again = text_of(many.command("/kalender", "", user=asker, channel="C0PG008"))
    assert again == reply  # the same links
    assert web_api(slack.calls()) == Counter({"users.conversations": 2})
    with many.product.db.engine.connect() as connection:
        members = connection.execute(text("SELECT count(*) FROM organmember")).scalar_one()
    assert members == ORGANS * IN_EACH  # everyone's snapshot, for the Home tab and the feeds


def test_while_snapshots_fill_in_an_organ_not_read_yet_is_on_everyones_home_tab(
    many: Harness, slack: LocalSlack
) -> None:
    """After one /kalender, PG-000 and PG-001 (read whole, the oldest first) show only for their
    members; the organs not read yet show for everyone, as all did before the first /kalender."""
    many.command("/kalender", "", user=CROWD[41], channel="C0PG008")
    outsider = CROWD[200]  # in PG-048 … PG-050, not in PG-000 or PG-001
    insider = CROWD[5]  # in PG-000 and PG-001

    def home_of(user_id: str, event_id: str) -> str:
        slack.clear()
        many.event(
            {"type": "app_home_opened", "user": user_id, "tab": "home", "channel": "D" + user_id},
            event_id=event_id,
        )
        (call,) = slack.wait_for_calls("views.publish", 1)
        return text_of(call.args["view"])

    outside = home_of(outsider, "Ev-home-outsider")
    assert "PG-000-" not in outside and "PG-001-" not in outside
    assert "PG-002-" in outside  # not read yet: shown
    inside = home_of(insider, "Ev-home-insider")
    assert "PG-000-" in inside and "PG-001-" in inside
