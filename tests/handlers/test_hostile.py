"""Malformed and hostile input, sent as Slack sends it: signed HTTP into the running Bolt app
(slash commands form-encoded, forms as JSON in a form-encoded payload; a mention arrives as
<@U…|name>, @channel as <!channel>, and &, < and > typed literally arrive escaped). Checked on
what the Slack stand-in recorded: an answer arrives (never a 5xx), in Swedish with an example
of the same command that works, nothing is half-written, nothing pings or breaks the layout."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import SQLModel, select

from bot.commands import EXAMPLES as COMMAND_EXAMPLES
from bot.commands import beslut, mote, organ
from bot.core import texts as core_texts
from bot.core.context import CalendarConfig, Product
from handlers.slack_standin import LocalSlack
from storage.models import Assignment, Decision, Meeting
from tests.harness import (
    Harness,
    MakeCtx,
    as_slack_sends,
    run,
    sections,
    text_of,
    within_block_kit_limits,
)

HUGE = "å" * 50_000

BAD = [
    ("/beslut", "visa"),
    ("/beslut", "visa LG-9999-9"),
    ("/beslut", "ändra LG-2026-77 ny text skäl: x"),
    ("/beslut", "upphäv"),
    ("/beslut", "sök"),
    ("/beslut", "sök ...!!!"),
    ("/beslut", "lista NOSUCH"),
    ("/beslut", "LG 31 februari: Något"),
    ("/beslut", HUGE),
    ("/beslut", "\x00\x07\x1b\x7f"),
    ("/beslut", "LG 2030-01-01: Framtida beslut"),
    ("/uppdrag", "Göra något till 4/12"),
    ("/uppdrag", "@nisse Göra något till 4/12"),
    ("/uppdrag", "<@U0ANNA|anna>"),
    ("/uppdrag", "<@U0ANNA|anna> Göra något till 31 februari"),
    ("/uppdrag", "<@U0ANNA|anna> Göra något till 2020-01-01"),
    ("/uppdrag", "<@U0ANNA|anna> " + HUGE),
    ("/uppdrag", "klar"),
    ("/uppdrag", "klar U-999"),
    ("/uppdrag", "status U-999 x"),
    ("/uppdrag", "flytta U-999"),
    ("/uppdrag", "stryk U-999"),
    ("/uppdrag", "lista NOSUCH"),
    ("/mote", "ny"),
    ("/mote", "ny LG"),
    ("/mote", "ny LG 31 februari"),
    ("/mote", "ny LG 7 december 25-26"),
    ("/mote", "ny NOSUCH 7 december"),
    ("/mote", "visa LG-000000"),
    ("/mote", "flytta LG-000000 till 8 december"),
    ("/mote", "nonsens"),
    ("/mote", "bjud in"),
    ("/mote", "bjud in LG-000000"),
    ("/mote", "närvaro"),
    ("/mote", "närvaro LG-000000"),
    ("/kalender", "nonsens"),
    ("/organ", "påminnelser AU kanske"),
    ("/uppdrag", "påminn U-999"),
    ("/organ", "ny"),
    ("/organ", "ny !!! Namn"),
    ("/organ", "koppla LG"),
    ("/organ", "nonsens"),
]

# What Slack sends when people type these, what is stored of it (escapes undone, no
# direction tricks, control characters as spaces, line breaks kept), and how it is shown:
# people, channels and links stay real; broadcasts and special mentions show as typed; a link
# whose text names another address shows its own address.
HOSTILE = [
    # @channel, @here and @everyone, picked from the list
    (
        "<!channel> <!here> <!everyone>",
        "<!channel> <!here> <!everyone>",
        "&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt;",
    ),
    (  # a user group
        "<!subteam^S0LEDNING|@ledning>",
        "<!subteam^S0LEDNING|@ledning>",
        "&lt;!subteam^S0LEDNING|@ledning&gt;",
    ),
    ("<!date^1392734382^{date}|13 feb>", "<!date^1392734382^{date}|13 feb>", None),
    # people, channels and links, picked from the lists or pasted: they stay real
    (
        "att <@U0JENNY|jenny> leder arbetet i <#C0LG|ledningsgrupp>, se <https://region.example/a?b=1&amp;c=2|planen>",
        "att <@U0JENNY|jenny> leder arbetet i <#C0LG|ledningsgrupp>, se <https://region.example/a?b=1&c=2|planen>",
        "att <@U0JENNY|jenny> leder arbetet i <#C0LG|ledningsgrupp>, se <https://region.example/a?b=1&amp;c=2|planen>",
    ),
    (
        "<https://evil.example|klicka här>",
        "<https://evil.example|klicka här>",
        "<https://evil.example|klicka här>",
    ),
    (
        "<mailto:x@evil.example|mejla>",
        "<mailto:x@evil.example|mejla>",
        "<mailto:x@evil.example|mejla>",
    ),
    # a link whose text names another address: shown as where it really goes
    (
        "<https://evil.example|https://bank.se>",
        "<https://evil.example|https://bank.se>",
        "<https://evil.example>",
    ),
    (
        "<https://evil.example|www.bank.se>",
        "<https://evil.example|www.bank.se>",
        "<https://evil.example>",
    ),
    (
        "<mailto:x@evil.example|chef@region.se>",
        "<mailto:x@evil.example|chef@region.se>",
        "<mailto:x@evil.example>",
    ),
    ("&lt;!channel&gt; &amp;", "<!channel> &", None),  # "<!channel> &" typed as text: escaped
    ("R&amp;D &amp;lt;b&amp;gt;", "R&D &lt;b&gt;", None),  # unescaped once, not twice
    (
        "*fet* _kursiv_ ~struken~ `kod` ```block```",
        "*fet* _kursiv_ ~struken~ `kod` ```block```",
        None,
    ),
    ("\u202eslutet är början\u202c", "slutet är början", None),  # right-to-left override
    ("noll\u200bbredd\u200d\ufeff", "noll\u200bbredd\u200d\ufeff", None),  # zero-width: harmless
    # combining marks, a family emoji (joiners), a ligature
    ("Zalgo: Z̷̢̛a̶̡l̸g̴o̵ 🙂👩‍👩‍👧‍👦 ﷽", "Zalgo: Z̷̢̛a̶̡l̸g̴o̵ 🙂👩‍👩‍👧‍👦 ﷽", None),
    ("'; DROP TABLE decision; --", "'; DROP TABLE decision; --", None),
    ("Robert'); DELETE FROM organ;--", "Robert'); DELETE FROM organ;--", None),
    # terminal escapes, BEL and NUL (form encoding carries them)
    ("\x1b[31mröd\x1b[0m\x00\x07", " [31mröd [0m", None),
    ("rad ett\nrad två\r\n> citat", "rad ett\nrad två\n> citat", None),
]
# What would ping everyone or a group: never in anything the bot sends.
BROADCAST = re.compile(r"<!")
# A link in mrkdwn, and a link text that names an address (a disguise).
LINK = re.compile(r"<((?:https?://|mailto:)[^|<>]*)\|([^<>]*)>")
ADDRESS = re.compile(r"(?i)://|mailto:|www\.|@|\b[\w-]+\.[a-z]{2,}\b")


@pytest.fixture
def bot(product: Product, slack: LocalSlack, organs: None) -> Iterator[Harness]:
    """The bot over HTTP, with calendar links switched on (so /kalender's examples can work)."""
    config = CalendarConfig(public_base_url="https://ledningsbot.region.example")
    with Harness(replace(product, calendar=config), slack) as running:
        yield running


def answered(reply: dict[str, Any]) -> str:
    """What the person reads; no crash behind it, and a message Slack accepts."""
    shown = text_of(reply)
    assert core_texts.GENERIC_ERROR not in shown, shown
    assert "Traceback" not in shown and "Error" not in shown
    within_block_kit_limits(reply)
    return shown


def everything_stored(product: Product) -> dict[str, list[str]]:
    """Every row of every table: an answer to bad input leaves all of them as they were. (But
    for the claim each signed request leaves so that a replay of it does nothing twice.)"""
    with product.db.engine.connect() as connection:
        return {
            table.name: sorted(repr(row) for row in connection.execute(table.select()))
            for table in SQLModel.metadata.sorted_tables
            if table.name != "seenrequest"
        }


# ------------------------------------------------------------------------------- bad input

# A record named in an example (LG-2025-3, U-12, AU-260814) that the test's world lacks, a
# placeholder (<ord>, [organ]), or bare /beslut (it opens the form): not run as it stands.
RECORD = re.compile(r"\b[A-ZÅÄÖ][A-ZÅÄÖ0-9-]*-(\d{4}-\d+|\d{6}(-\d+)?)\b|\bU-\d+\b")


def runnable(example: str) -> bool:
    return not (RECORD.search(example) or re.search(r"[<\[|]", example) or example == "/beslut")


def example_works(bot: Harness, example: str) -> None:
    """Run an example as someone who copies it would: the bot understands it. Its errors say
    what is wrong and show an example ("till exempel"), its other answers do not."""
    command, _, typed = example.partition(" ")
    shown = answered(bot.command(command, as_slack_sends(typed)))
    assert "till exempel" not in shown.lower(), (example, shown)
    if typed == "hjälp":  # pointing to the help is fine when it is the help that comes
        assert shown.startswith(f"*{command}*"), (example, shown)
    else:
        assert not shown.startswith(f"*{command}*"), (example, shown)  # not the command's help


@pytest.mark.parametrize(("command", "text"), BAD, ids=[f"{c} {t[:30]!r}" for c, t in BAD])
def test_bad_input_gets_a_swedish_answer_with_a_working_example_of_that_command(
    bot: Harness, command: str, text: str
) -> None:
    before = everything_stored(bot.product)
    shown = answered(bot.command(command, text))
    assert everything_stored(bot.product) == before  # nothing half-written
    examples = re.findall(rf"`({re.escape(command)}(?: [^`]*)?)`", shown)
    assert examples, shown  # an example of the command the person typed
    for example in dict.fromkeys(e for e in examples if runnable(e)):
        example_works(bot, example)


def test_the_examples_shown_under_errors_work(bot: Harness) -> None:
    """Each command's examples, one per subcommand, shown under an error of that subcommand
    that shows none: every one that can run as it stands is understood."""
    shown = [make("") for make in COMMAND_EXAMPLES.values()]
    for module in (beslut, mote, organ):
        shown += module.EXAMPLES.values()
    for example in dict.fromkeys(e for e in shown if runnable(e)):
        example_works(bot, example)


# ------------------------------------------------------------------------------- hostile text


def assert_harmless(slack: LocalSlack) -> None:
    """Nothing the bot sent anywhere (answers, channel posts, DMs) can ping everyone or a group,
    or hide where a link goes."""
    for call in slack.calls():
        if call.method in ("response_url", "chat.postMessage", "chat.update"):
            shown = text_of(call.args)
            assert not BROADCAST.search(shown), (call.method, shown)
            for target, label in LINK.findall(shown):
                assert not ADDRESS.search(label), (call.method, target, label)


def escaped(stored: str) -> str:
    """Text as Slack's mrkdwn shows it literally: nothing in it pings, links or formats."""
    return stored.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def assert_stored_clean(stored: str) -> None:
    assert not {"\u202e", "\u202c"} & set(stored)  # no direction tricks
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in stored)  # no control characters


@pytest.mark.parametrize(("payload", "stored", "shown_as"), HOSTILE)
def test_hostile_text_is_stored_as_typed_and_shown_harmlessly(
    bot: Harness, slack: LocalSlack, payload: str, stored: str, shown_as: str | None
) -> None:
    logged = bot.command("/beslut", f"Ledningsgruppen beslutar {payload}")
    assert logged["response_type"] == "in_channel"  # the answer is the channel's post
    assert "LG-2026-1" in answered(logged)
    shown = answered(bot.command("/beslut", "visa LG-2026-1"))
    # seen as typed, inert; people, channels and honest links real
    assert f"Ledningsgruppen beslutar {shown_as or escaped(stored)}" in shown
    assigned = bot.command("/uppdrag", f"<@U0ANNA|anna> Läs {payload} till 4/12")
    assert "U-1" in answered(assigned)
    slack.wait_for(lambda _calls: len(slack.dms("U0ANNA")) == 1)
    answered(slack.dms("U0ANNA")[0])
    meeting = bot.command("/mote", f"ny LG 7 december 9-12 Sal {payload}")
    assert "LG-261207" in answered(meeting)
    assert_harmless(slack)
    with bot.product.db.transaction() as session:
        (decision,) = session.exec(select(Decision)).all()
        (assignment,) = session.exec(select(Assignment)).all()
        (planned,) = session.exec(select(Meeting)).all()
    assert decision.text == f"Ledningsgruppen beslutar {stored}"
    for text in (assignment.what, planned.location or ""):
        assert_stored_clean(text)


@pytest.mark.parametrize("payload", [*(typed for typed, _, _ in HOSTILE), "halvt par \ud800 här"])
def test_hostile_text_in_the_decision_form(bot: Harness, slack: LocalSlack, payload: str) -> None:
    """A form is JSON, which can also carry half a UTF-16 pair."""
    values = {
        "organ": {"value": {"type": "static_select", "selected_option": {"value": "LG"}}},
        "proposal": {"value": {"type": "plain_text_input", "value": f"Förslag {payload}"}},
        "text": {"value": {"type": "plain_text_input", "value": f"Beslut {payload}"}},
    }
    status, body = bot.submit(
        "beslut_form", values, user="sara", private_metadata='{"channel": "C0LG"}'
    )
    assert (status, body) == (200, "")
    (posted,) = slack.wait_for_calls("chat.postMessage", 1)
    assert posted.args["channel"] == "C0LG"
    assert "LG-2026-1" in answered(posted.args)
    assert_harmless(slack)
    with bot.product.db.transaction() as session:
        (decision,) = session.exec(select(Decision)).all()
    for text in (decision.text, decision.proposal or ""):
        assert_stored_clean(text)
        text.encode("utf-8")  # whole characters only


# ------------------------------------------------------------------------------- size


def test_long_lists_stay_within_block_kit_limits(bot: Harness, ctx: MakeCtx) -> None:
    long = "Ledningsgruppen beslutar " + "mycket långt " * 220
    for _ in range(60):
        run(ctx(), "/beslut", long[:2999])
    for _ in range(25):
        run(ctx(), "/uppdrag", f"<@U0ANNA|anna> {long[:1990]} till 4/12")
    for command, text, user in [("/beslut", "lista", "sara"), ("/uppdrag", "", "anna")]:
        reply = bot.command(command, text, user=user)
        answered(reply)
        assert all(len(section) <= 3000 for section in sections(reply))
