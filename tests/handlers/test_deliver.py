"""handlers/deliver.py branch by branch, against the Slack stand-in: the answer to the asker
(response_url, its failures, the ephemeral and DM fallbacks), DMs through the delivery ledger
(checked after a 5xx, "okänt, kontrolleras" and the follow-up), and files (the fallback to the
asker's DM)."""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.core import ledger
from bot.core.clock import FixedClock
from bot.core.context import Product
from bot.core.replies import Attachment, Message, Reply, section
from handlers.deliver import (
    deliver,
    post,
    respond,
    retry_handlers,
    send_dm,
    send_dms,
    send_dms_telling,
)
from handlers.notify import SlackNotifier
from handlers.slack_standin import LocalSlack
from tests.harness import set_up_workspace, text_of

SARA, ANNA = "U0SARA", "U0ANNA"


def say(text: str) -> Message:
    return Message(text, [section(text)])


@pytest.fixture
def client(slack: LocalSlack) -> WebClient:
    return WebClient(
        token="xoxb-test", base_url=slack.url, timeout=1, retry_handlers=retry_handlers()
    )


def answers(slack: LocalSlack, needle: str) -> list[tuple[str, str]]:
    """(how, text) of what reached Sara containing `needle`."""
    found = []
    for call in slack.calls():
        text = text_of(call.args)
        if needle not in text:
            continue
        if call.method == "response_url":
            found.append(("response_url", text))
        elif call.method == "chat.postEphemeral" and call.args.get("user") == SARA:
            found.append(("ephemeral", text))
        elif call.method == "chat.postMessage" and call.args.get("channel") == SARA:
            found.append(("dm", text))
    return found


def ways(slack: LocalSlack, needle: str) -> list[str]:
    return [how for how, _ in answers(slack, needle)]


def posted(slack: LocalSlack, channel: str) -> list[str]:
    """What is in the channel for everyone (not the ephemeral notes)."""
    return [str(m["text"]) for m in slack.messages(channel) if m["method"] == "chat.postMessage"]


def dms(slack: LocalSlack, user_id: str) -> list[str]:
    return [str(m["text"]) for m in slack.dms(user_id)]


def test_the_answer_goes_by_response_url(slack: LocalSlack, client: WebClient) -> None:
    url = slack.response_url("a")
    assert respond(url, say("Beslut loggat"), client=client, channel_id="C0LG", user_id=SARA)
    assert ways(slack, "Beslut loggat") == ["response_url"]


def test_a_response_url_that_refuses_gives_an_ephemeral_answer_once(
    slack: LocalSlack, client: WebClient
) -> None:
    url = f"{slack.root_url}/nowhere/at/all"  # answered 404: known not shown
    assert respond(url, say("Beslut loggat"), client=client, channel_id="C0LG", user_id=SARA)
    assert ways(slack, "Beslut loggat") == ["ephemeral"]


def test_a_response_url_answering_500_gives_the_answer_again_marked(
    slack: LocalSlack, client: WebClient
) -> None:
    slack.fail_next("response_url", status=500, after_delivery=True)
    url = slack.response_url("a")
    assert respond(url, say("Beslut loggat"), client=client, channel_id="C0LG", user_id=SARA)
    (first, second) = answers(slack, "Beslut loggat")
    assert first[0] == "response_url" and "igen" not in first[1]
    assert second[0] == "ephemeral" and "här är svaret igen" in second[1]


def test_no_ephemeral_possible_then_a_dm(slack: LocalSlack, client: WebClient) -> None:
    slack.fail_next("chat.postEphemeral", error="channel_not_found")
    url = f"{slack.root_url}/nowhere/at/all"
    assert respond(url, say("Beslut loggat"), client=client, channel_id="C0LG", user_id=SARA)
    assert ways(slack, "Beslut loggat") == ["dm"]
    # Without a channel at all: straight to the DM.
    assert respond(None, say("Uppdrag sparat"), client=client, user_id=SARA)
    assert ways(slack, "Uppdrag sparat") == ["dm"]


def test_nobody_to_answer_is_said(slack: LocalSlack) -> None:
    assert not respond(f"{slack.root_url}/nowhere/at/all", say("x"))


def _deliver(product: Product, client: WebClient, slack: LocalSlack, reply: Reply) -> None:
    deliver(
        reply,
        product=product,
        client=client,
        response_url=slack.response_url("r"),
        user_id=SARA,
        channel_id="C0LG",
    )


def test_a_dm_after_a_500_is_checked_then_sent_once(
    product: Product, slack: LocalSlack, client: WebClient
) -> None:
    slack.fail_next("chat.postMessage", status=500)
    _deliver(product, client, slack, Reply(say("Sparat"), dms=[(ANNA, say("Ett uppdrag"))]))
    assert dms(slack, ANNA) == ["Ett uppdrag"]
    assert slack.calls("conversations.history")
    assert ways(slack, "") == ["response_url"]  # no bad news


def test_a_dm_slack_took_before_its_500_is_not_sent_again(
    product: Product, slack: LocalSlack, client: WebClient
) -> None:
    slack.fail_next("chat.postMessage", status=500, after_delivery=True)
    _deliver(product, client, slack, Reply(say("Sparat"), dms=[(ANNA, say("Ett uppdrag"))]))
    assert dms(slack, ANNA) == ["Ett uppdrag"]


def test_a_dm_that_cannot_be_checked_is_unknown_then_settled_with_a_follow_up(
    product: Product, slack: LocalSlack, client: WebClient, clock: FixedClock
) -> None:
    slack.fail_next("chat.postMessage", status=500)
    slack.fail_next("conversations.history", status=500)
    _deliver(product, client, slack, Reply(say("Sparat"), dms=[(ANNA, say("Ett uppdrag"))]))
    assert slack.dms(ANNA) == []
    (note,) = answers(slack, "okänt, kontrolleras")
    assert "<@U0ANNA>" in note[1]
    # Within the lease nothing is taken over; after it the safety tick asks, then sends.
    assert ledger.resume(product, SlackNotifier(client)).sent == []
    clock.advance(product.lease + timedelta(seconds=1))
    assert ledger.resume(product, SlackNotifier(client)).sent == [ANNA]
    assert dms(slack, ANNA) == ["Ett uppdrag"]
    (follow_up,) = answers(slack, "Besked")
    assert follow_up[0] == "dm" and "har kommit fram" in follow_up[1]
    clock.advance(product.lease + timedelta(seconds=1))
    assert ledger.resume(product, SlackNotifier(client)).sent == []  # settled: nothing more


def test_a_retry_after_longer_than_the_lease_is_not_waited_out_the_dm_goes_after_it(
    product: Product, slack: LocalSlack, client: WebClient, clock: FixedClock
) -> None:
    """Waiting out Slack's Retry-After past the claim's lease would let another process take
    the DM over while this one still holds it: two DMs. The wait is cut to what fits. Slack
    did answer (429: not taken), so the DM is known not to be there: nothing is looked up,
    Sara hears that Slack asked the bot to wait, and the safety tick sends it, once, after the
    lease."""
    short = replace(product, lease=timedelta(seconds=4))
    slack.fail_next("chat.postMessage", status=429, retry_after=30)
    began = time.monotonic()
    _deliver(short, client, slack, Reply(say("Sparat"), dms=[(ANNA, say("Ett uppdrag"))]))
    assert time.monotonic() - began < short.lease.total_seconds()
    assert slack.dms(ANNA) == []
    assert not slack.calls("conversations.history")  # a 429: known not there
    (note,) = answers(slack, "Slack bad mig vänta")
    assert "<@U0ANNA>" in note[1] and "skickas om en stund" in note[1]
    assert not answers(slack, "okänt")
    clock.advance(short.lease + timedelta(seconds=1))
    assert ledger.resume(short, SlackNotifier(client)).sent == [ANNA]
    assert dms(slack, ANNA) == ["Ett uppdrag"]
    (follow_up,) = answers(slack, "Besked")
    assert "har kommit fram" in follow_up[1]
    clock.advance(short.lease + timedelta(seconds=1))
    assert ledger.resume(short, SlackNotifier(client)).sent == []
    assert dms(slack, ANNA) == ["Ett uppdrag"]


def test_a_dm_slack_asks_to_wait_for_is_not_sent_before_the_lease(
    product: Product, slack: LocalSlack, client: WebClient, clock: FixedClock
) -> None:
    short = replace(product, lease=timedelta(seconds=4))
    slack.fail_next("chat.postMessage", status=429, retry_after=30)
    outcome = send_dms(short, client, [(ANNA, say("Ett uppdrag"))], SARA)
    assert outcome.later == [ANNA] and outcome.unknown == outcome.failed == []
    assert ledger.resume(short, SlackNotifier(client)).sent == []  # within the lease: waits
    assert slack.dms(ANNA) == []


def test_a_retry_after_that_fits_in_the_lease_is_waited_out(
    product: Product, slack: LocalSlack, client: WebClient
) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    outcome = send_dms(product, client, [(ANNA, say("Ett uppdrag"))], SARA)
    assert outcome.sent == [ANNA] and dms(slack, ANNA) == ["Ett uppdrag"]
    assert not slack.calls("conversations.history")  # a 429: known not taken, nothing to ask


def test_a_dm_slack_refuses_is_told_as_not_sent(
    product: Product, slack: LocalSlack, client: WebClient
) -> None:
    slack.fail_next("chat.postMessage", error="channel_not_found")
    _deliver(product, client, slack, Reply(say("Sparat"), dms=[(ANNA, say("Ett uppdrag"))]))
    assert slack.dms(ANNA) == []
    assert answers(slack, "kunde inte skicka till <@U0ANNA>")


def test_a_file_the_bot_cannot_put_in_the_channel_goes_to_the_askers_dm(
    product: Product, slack: LocalSlack, client: WebClient
) -> None:
    slack.fail_next("files.completeUploadExternal", error="not_in_channel")
    file = Attachment("beslut.csv", "Beslut", b"a;b\n")
    _deliver(product, client, slack, Reply(say("Export"), files=[file]))
    (uploaded,) = [f for f in slack.uploaded_files() if f["channel_id"]]
    assert uploaded["filename"] == "beslut.csv" and uploaded["channel_id"] == "DU0SARA"
    assert not answers(slack, "kunde inte skicka")


def test_a_file_that_fails_otherwise_is_told(
    product: Product, slack: LocalSlack, client: WebClient
) -> None:
    slack.fail_next("files.completeUploadExternal", error="invalid_auth")
    file = Attachment("beslut.csv", "Beslut", b"a;b\n")
    _deliver(product, client, slack, Reply(say("Export"), files=[file], dm_files=[]))
    assert answers(slack, "kunde inte skicka till beslut.csv")


MINUTES = Attachment("protokoll-LG.txt", "Protokoll LG", b"Justerat protokoll\n")


def _unresolved_post(product: Product, slack: LocalSlack, client: WebClient) -> None:
    """The justerade minutes posted in C0LG: Slack takes the message, answers 500, and cannot
    be asked (conversations.history 500): unresolved, its file not yet there."""
    set_up_workspace(slack)
    slack.fail_next("chat.postMessage", status=500, after_delivery=True)
    slack.fail_next("conversations.history", status=500)
    message = say("Justerat protokoll")
    assert post(product, client, "C0LG", message, [MINUTES], SARA, key="justerat:LG-1:1")
    assert posted(slack, "C0LG") == ["Justerat protokoll"]
    assert slack.uploaded_files() == []


def test_an_unresolved_posts_files_follow_it_once_the_safety_tick_settles_it(
    product: Product, slack: LocalSlack, client: WebClient, clock: FixedClock
) -> None:
    """The safety tick finds the message there: its file follows it into the channel, once,
    and Sara hears that it arrived, the channel named as a channel."""
    _unresolved_post(product, slack, client)
    clock.advance(product.lease + timedelta(seconds=1))
    assert ledger.resume(product, SlackNotifier(client)).sent == ["C0LG"]
    (uploaded,) = slack.uploaded_files()
    assert uploaded["filename"] == "protokoll-LG.txt" and uploaded["channel_id"] == "C0LG"
    assert uploaded["content"] == MINUTES.content
    assert dms(slack, SARA) == ["✅ Besked: meddelandet till <#C0LG> har kommit fram."]
    clock.advance(product.lease + timedelta(seconds=1))
    assert ledger.resume(product, SlackNotifier(client)).sent == []
    assert len(slack.uploaded_files()) == 1
    assert posted(slack, "C0LG") == ["Justerat protokoll"]


def test_an_unresolved_posts_file_that_cannot_follow_it_is_told(
    product: Product, slack: LocalSlack, client: WebClient, clock: FixedClock
) -> None:
    _unresolved_post(product, slack, client)
    clock.advance(product.lease + timedelta(seconds=1))
    slack.fail_next("files.completeUploadExternal", error="invalid_auth")
    assert ledger.resume(product, SlackNotifier(client)).sent == ["C0LG"]
    assert [f for f in slack.uploaded_files() if f["channel_id"]] == []
    (follow_up,) = dms(slack, SARA)
    assert follow_up.startswith("⚠️ Besked: meddelandet till <#C0LG> har kommit fram, men inte")
    assert "`protokoll-LG.txt`" in follow_up and "Ladda upp den där själv" in follow_up


def test_a_post_the_channel_did_not_get_comes_to_the_presser_with_its_files(
    product: Product, slack: LocalSlack, client: WebClient
) -> None:
    """Slack refuses the justerade minutes in the channel: Sara gets them herself, with the
    file in her DM and a line saying what happened; nothing is posted twice or lost."""
    set_up_workspace(slack)
    slack.fail_next("chat.postMessage", error="is_archived")
    message = say("Justerat protokoll")
    assert not post(product, client, "C0LG", message, [MINUTES], SARA, key="justerat:LG-1:1")
    assert posted(slack, "C0LG") == []
    (told,) = dms(slack, SARA)
    assert told.startswith("⚠️ Allt är sparat, men jag kunde inte lägga ut meddelandet i <#C0LG>")
    assert "Här är det och filerna" in told and told.endswith("Justerat protokoll")
    (uploaded,) = slack.uploaded_files()
    assert uploaded["filename"] == "protokoll-LG.txt" and uploaded["channel_id"] != "C0LG"


def test_a_post_whose_file_did_not_follow_it_is_told(
    product: Product, slack: LocalSlack, client: WebClient
) -> None:
    set_up_workspace(slack)
    slack.fail_next("files.completeUploadExternal", error="invalid_auth")
    assert post(product, client, "C0LG", say("Justerat"), [MINUTES], SARA, key="justerat:LG-1:1")
    assert posted(slack, "C0LG") == ["Justerat"]
    ((how, told),) = answers(slack, "Besked")
    assert how == "ephemeral" and "`protokoll-LG.txt`" in told, told


def test_an_unresolved_post_is_told_as_being_checked(
    product: Product, slack: LocalSlack, client: WebClient
) -> None:
    _unresolved_post(product, slack, client)
    ((how, told),) = answers(slack, "okänt, kontrolleras")
    assert how == "ephemeral" and "<#C0LG>" in told, told


class Died(BaseException):
    """Not an Exception: nothing in the bot catches it, as nothing catches a SIGKILL."""


def _post_dying_in(
    method: str, product: Product, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The justerade minutes posted in C0LG by a process that dies in SlackNotifier.`method`
    (its send, or the attaching of the files after it)."""

    def die(*args: object, **kwargs: object) -> None:
        raise Died

    with monkeypatch.context() as patch:
        patch.setattr(SlackNotifier, method, die)
        with pytest.raises(Died):
            post(product, client, "C0LG", say("Justerat"), [MINUTES], SARA, key="justerat:LG-1:1")


def test_a_crash_between_a_post_and_its_files_is_finished_by_the_safety_tick(
    product: Product,
    slack: LocalSlack,
    client: WebClient,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The process dies after Slack took the justerade minutes and before their file went:
    the row stays unresolved, and the safety tick finds the message by its key and brings the
    file after it, once; the message is not posted again."""
    set_up_workspace(slack)
    _post_dying_in("attach", product, client, monkeypatch)
    assert posted(slack, "C0LG") == ["Justerat"] and slack.uploaded_files() == []
    assert ledger.resume(product, SlackNotifier(client)).sent == []  # within the lease
    clock.advance(product.lease + timedelta(seconds=1))
    assert ledger.resume(product, SlackNotifier(client)).sent == ["C0LG"]
    (uploaded,) = slack.uploaded_files()
    assert uploaded["filename"] == "protokoll-LG.txt" and uploaded["channel_id"] == "C0LG"
    clock.advance(product.lease + timedelta(seconds=1))
    assert ledger.resume(product, SlackNotifier(client)).sent == []
    assert posted(slack, "C0LG") == ["Justerat"] and len(slack.uploaded_files()) == 1


def test_a_message_is_found_behind_a_busy_conversation(
    slack: LocalSlack, client: WebClient
) -> None:
    """The key is looked for page by page, beyond the newest page: 250 later messages in the
    channel do not hide it (it would be sent twice). A key that is not there is looked for in a
    bounded number of pages."""
    set_up_workspace(slack)
    notifier = SlackNotifier(client)
    ts = notifier.send("C0LG", say("Justerat"), "justerat:LG-1:1")
    for n in range(250):
        client.chat_postMessage(channel="C0LG", text=f"prat {n}")
    assert notifier.find("C0LG", "justerat:LG-1:1") == ts
    assert len(slack.calls("conversations.history")) == 2
    assert notifier.find("C0LG", "justerat:LG-1:2") is None
    assert len(slack.calls("conversations.history")) == 4


def test_a_post_cut_short_by_a_crash_that_the_safety_tick_finds_refused_is_told(
    product: Product,
    slack: LocalSlack,
    client: WebClient,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The process dies on its way to Slack with the justerade minutes; after the lease the
    safety tick finds them not there, and Slack refuses them (the channel archived meanwhile):
    Sara, who heard nothing before the crash, is told that they did not arrive."""
    set_up_workspace(slack)
    _post_dying_in("send", product, client, monkeypatch)
    clock.advance(product.lease + timedelta(seconds=1))
    slack.fail_next("chat.postMessage", error="is_archived")
    assert ledger.resume(product, SlackNotifier(client)).failed == ["C0LG"]
    assert posted(slack, "C0LG") == []
    # The minutes could not be posted under their key again: Sara gets them, with the file.
    (told,) = dms(slack, SARA)
    assert told.startswith("⚠️ Allt är sparat, men jag kunde inte lägga ut meddelandet i <#C0LG>")
    assert told.endswith("Justerat")
    (uploaded,) = slack.uploaded_files()
    assert uploaded["filename"] == "protokoll-LG.txt" and uploaded["channel_id"] == "D" + SARA
    clock.advance(product.lease + timedelta(seconds=1))
    assert ledger.resume(product, SlackNotifier(client)).failed == []
    assert len(dms(slack, SARA)) == 1 and len(slack.uploaded_files()) == 1


def test_a_file_slack_took_before_its_500_is_not_told_as_missing_nor_uploaded_again(
    product: Product, slack: LocalSlack, client: WebClient, clock: FixedClock
) -> None:
    """Slack takes the justerade minutes' file and answers 500: whether it is there is not
    known, so Sara is not told to upload it herself (it would be there twice); the post stays
    unresolved, and the safety tick finds the file's share and uploads nothing again."""
    set_up_workspace(slack)
    slack.fail_next("files.completeUploadExternal", status=500, after_delivery=True)
    assert post(product, client, "C0LG", say("Justerat"), [MINUTES], SARA, key="justerat:LG-1:1")
    assert posted(slack, "C0LG") == ["Justerat"] and len(slack.uploaded_files()) == 1
    assert not answers(slack, "Ladda upp")
    assert ways(slack, "okänt, kontrolleras") == ["ephemeral"]
    clock.advance(product.lease + timedelta(seconds=1))
    assert ledger.resume(product, SlackNotifier(client)).sent == ["C0LG"]
    assert posted(slack, "C0LG") == ["Justerat"] and len(slack.uploaded_files()) == 1
    assert dms(slack, SARA) == ["✅ Besked: meddelandet till <#C0LG> har kommit fram."]


def test_a_response_url_nobody_listens_on_gives_the_answer_once_unmarked(
    slack: LocalSlack, client: WebClient
) -> None:
    """A refused connection never reached Slack: the answer goes once, as an ephemeral, with
    no "it may have arrived already"."""
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hooks/a"
    assert respond(url, say("Beslut loggat"), client=client, channel_id="C0LG", user_id=SARA)
    ((how, text),) = answers(slack, "Beslut loggat")
    assert how == "ephemeral" and "igen" not in text


def test_a_response_url_that_times_out_after_taking_it_gives_the_answer_again_marked(
    slack: LocalSlack, client: WebClient
) -> None:
    slack.delay("response_url", 3, after_delivery=True)  # the client gives up after 1 s
    url = slack.response_url("a")
    assert respond(url, say("Beslut loggat"), client=client, channel_id="C0LG", user_id=SARA)
    slack.delay("response_url", None)
    (first, second) = answers(slack, "Beslut loggat")
    assert first[0] == "response_url" and second[0] == "ephemeral"
    assert "här är svaret igen (det kan ha kommit fram redan)" in second[1]


def test_a_dm_file_that_cannot_be_uploaded_is_told(
    product: Product, slack: LocalSlack, client: WebClient
) -> None:
    slack.fail_next("files.completeUploadExternal", error="invalid_auth")
    file = Attachment("kallelse.ics", "Kallelse", b"BEGIN:VCALENDAR\r\n")
    _deliver(product, client, slack, Reply(say("Inbjudan"), dm_files=[(ANNA, file)]))
    assert answers(slack, "kunde inte skicka till kallelse.ics")


@pytest.mark.parametrize(
    ("fault", "note"),
    [
        ({"error": "user_not_found"}, "kunde inte skicka till <@U0ANNA>"),
        ({"status": 500, "conversations.history": 500}, "okänt, kontrolleras"),
        ({"status": 429, "retry_after": 0, "times": 3}, "Slack bad mig vänta"),
    ],
    ids=["failed", "unknown", "asked to wait"],
)
def test_dms_sent_for_someone_tell_them_in_a_dm_what_did_not_arrive(
    product: Product, slack: LocalSlack, client: WebClient, fault: dict[str, Any], note: str
) -> None:
    set_up_workspace(slack)
    fault = dict(fault)  # the parameter is shared by the runs on each database
    history = fault.pop("conversations.history", None)
    slack.fail_next("chat.postMessage", **fault)
    if history:
        slack.fail_next("conversations.history", status=history)
    send_dms_telling(product, client, [(ANNA, say("Ett uppdrag"))], SARA)
    (told,) = dms(slack, SARA)
    assert note in told, told
    assert dms(slack, ANNA) == []


def test_a_dm_slack_refuses_is_reported_not_raised(slack: LocalSlack, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", error="cannot_dm_bot")
    assert not send_dm(client, SARA, say("Hej"))
    assert dms(slack, SARA) == []


def test_a_second_presser_of_an_unresolved_post_is_not_promised_a_besked(
    product: Product, slack: LocalSlack, client: WebClient, clock: FixedClock
) -> None:
    """Sara's post is being checked; Anna presses too (the same key): nothing is posted twice,
    and Anna is not told she will hear how it ended (the besked goes to Sara, who was told)."""
    _unresolved_post(product, slack, client)
    message = say("Justerat protokoll")
    post(product, client, "C0LG", message, [MINUTES], ANNA, key="justerat:LG-1:1")
    assert [c.args.get("user") for c in slack.calls("chat.postEphemeral")] == [SARA]
    clock.advance(product.lease + timedelta(seconds=1))
    assert ledger.resume(product, SlackNotifier(client)).sent == ["C0LG"]
    assert posted(slack, "C0LG") == ["Justerat protokoll"]
    assert dms(slack, SARA) == ["✅ Besked: meddelandet till <#C0LG> har kommit fram."]
    assert dms(slack, ANNA) == []
