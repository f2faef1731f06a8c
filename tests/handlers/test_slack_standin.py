"""LocalSlack, driven by the real slack_sdk WebClient over loopback HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from handlers.slack_standin import Call, LocalSlack, RateLimits, render_message


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def stub() -> Iterator[LocalSlack]:
    with LocalSlack() as server:
        yield server


@pytest.fixture
def client(stub: LocalSlack) -> WebClient:
    return WebClient(base_url=stub.url, token="xoxb-test")


def test_url_is_a_loopback_api_base(stub: LocalSlack) -> None:
    assert stub.url.startswith("http://127.0.0.1:")
    assert stub.url.endswith("/api/")
    assert stub.port > 0


def test_auth_test(client: WebClient, stub: LocalSlack) -> None:
    response = client.auth_test()
    assert response["user_id"] == "UBOT"
    assert response["bot_id"] == "BBOT"
    assert response["team_id"] == "T0001"
    assert response["team"] == "Lokal arbetsyta"
    assert response["url"].startswith("https://")
    assert "chat:write" in response.headers["x-oauth-scopes"]
    [call] = stub.calls("auth.test")
    assert call.headers["Authorization"] == "Bearer xoxb-test"
    assert call.token == "xoxb-test"


def test_bolt_app_starts_against_the_stub(stub: LocalSlack) -> None:
    from slack_bolt import App

    client = WebClient(base_url=stub.url, token="xoxb-test")
    App(client=client, signing_secret="hemligt")  # calls auth.test while being built
    assert len(stub.calls("auth.test")) == 1


def test_post_message_is_recorded_with_increasing_ts(client: WebClient, stub: LocalSlack) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Beslut* fattat"}}]
    first = client.chat_postMessage(channel="C1", text="Beslut fattat", blocks=blocks)
    second = client.chat_postMessage(channel="C1", text="Ett till", thread_ts=first["ts"])

    assert first["ok"] and first["channel"] == "C1"
    assert first["ts"] == "1700000000.000100"
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["text"] == "Beslut fattat"
    assert first["message"]["blocks"] == blocks

    [call, _] = stub.calls("chat.postMessage")
    assert call.args["channel"] == "C1"
    assert call.args["blocks"] == blocks
    messages = stub.messages("C1")
    assert [m["text"] for m in messages] == ["Beslut fattat", "Ett till"]
    assert messages[1]["thread_ts"] == first["ts"]


def test_form_encoded_and_multipart_calls_are_parsed(client: WebClient, stub: LocalSlack) -> None:
    # api_call with params= sends a form body, with data= a multipart body.
    client.api_call("chat.postMessage", params={"channel": "C2", "text": "formulär"})
    client.api_call("reactions.add", data={"name": "white_check_mark", "timestamp": "1.2"})
    assert stub.messages("C2")[0]["text"] == "formulär"
    [reaction] = stub.calls("reactions.add")
    assert reaction.args == {"name": "white_check_mark", "timestamp": "1.2"}
    assert reaction.response == {"ok": True}


def test_post_ephemeral_update_delete(client: WebClient, stub: LocalSlack) -> None:
    ephemeral = client.chat_postEphemeral(channel="C1", user="U1", text="Bara för dig")
    assert ephemeral["message_ts"]
    posted = client.chat_postMessage(channel="C1", text="v1")
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="v2")
    assert updated["ts"] == posted["ts"] and updated["message"]["text"] == "v2"
    assert client.chat_delete(channel="C1", ts=posted["ts"])["ok"]
    assert [(m["method"], m["user"]) for m in stub.messages()] == [
        ("chat.postEphemeral", "U1"),
        ("chat.postMessage", None),
    ]


def test_conversations_open_and_dm(client: WebClient, stub: LocalSlack) -> None:
    opened = client.conversations_open(users="U123")
    assert opened["channel"]["id"] == "DU123"
    assert client.conversations_open(users=["U123"])["channel"]["id"] == "DU123"
    client.chat_postMessage(channel=opened["channel"]["id"], text="Påminnelse")
    posted = client.chat_postMessage(channel="U123", text="Direkt till användaren")
    assert posted["channel"] == "DU123"
    assert [m["text"] for m in stub.dms("U123")] == ["Påminnelse", "Direkt till användaren"]


def test_conversations_members_paginates(client: WebClient, stub: LocalSlack) -> None:
    stub.set_members("C1", ["U1", "U2", "U3"])
    first = client.conversations_members(channel="C1", limit=2)
    assert first["members"] == ["U1", "U2"]
    cursor = first["response_metadata"]["next_cursor"]
    second = client.conversations_members(channel="C1", limit=2, cursor=cursor)
    assert second["members"] == ["U3"]
    assert second["response_metadata"]["next_cursor"] == ""
    assert client.conversations_members(channel="C9")["members"] == []


def test_pages_are_at_most_what_slack_allows(client: WebClient, stub: LocalSlack) -> None:
    stub.set_members("C1", ["U1", "U2"])
    assert client.conversations_members(channel="C1", limit=1000)["members"] == ["U1", "U2"]
    with pytest.raises(SlackApiError) as refused:
        client.users_list(limit=1001)
    assert refused.value.response["error"] == "invalid_limit"


def test_users_conversations_by_membership_and_type(client: WebClient, stub: LocalSlack) -> None:
    stub.add_user("U1", "u1")
    stub.set_members("C1", ["U1", "U2"])
    stub.set_members("G1", ["U1"])
    stub.set_members("C2", ["U2"])
    public = client.users_conversations(user="U1")["channels"]
    assert [c["id"] for c in public] == ["C1"]  # public channels unless asked
    both = client.users_conversations(user="U1", types="public_channel,private_channel", limit=1)
    assert [c["id"] for c in both["channels"]] == ["C1"]
    cursor = both["response_metadata"]["next_cursor"]
    rest = client.users_conversations(
        user="U1", types="public_channel,private_channel", limit=1, cursor=cursor
    )
    assert [c["id"] for c in rest["channels"]] == ["G1"]


def test_conversations_info(client: WebClient, stub: LocalSlack) -> None:
    stub.set_channel("C1", "ledningsgruppen")
    assert client.conversations_info(channel="C1")["channel"]["name"] == "ledningsgruppen"


def test_users_info_known_and_unknown(client: WebClient, stub: LocalSlack) -> None:
    stub.add_user("U1", "anna", email="anna@example.se", real_name="Anna Berg", is_admin=True)
    user = client.users_info(user="U1")["user"]
    assert user["name"] == "anna"
    assert user["real_name"] == "Anna Berg"
    assert user["profile"]["email"] == "anna@example.se"
    assert user["profile"]["display_name"] == "anna"
    assert user["is_admin"] is True and user["is_owner"] is False
    assert user["tz"] == "Europe/Stockholm"

    with pytest.raises(SlackApiError) as raised:
        client.users_info(user="U404")
    assert raised.value.response["error"] == "user_not_found"

    assert client.users_lookupByEmail(email="ANNA@example.se")["user"]["id"] == "U1"
    with pytest.raises(SlackApiError):
        client.users_lookupByEmail(email="ingen@example.se")


def test_views(client: WebClient, stub: LocalSlack) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Nytt beslut"}, "blocks": []}
    opened = client.views_open(trigger_id="123.456", view=view)
    view_id = opened["view"]["id"]
    assert view_id.startswith("V") and opened["view"]["type"] == "modal"
    assert client.views_update(view_id=view_id, view=view)["view"]["id"] == view_id
    assert client.views_push(trigger_id="123.457", view=view)["view"]["id"] != view_id
    home = {"type": "home", "blocks": []}
    first = client.views_publish(user_id="U1", view=home)["view"]["id"]
    assert client.views_publish(user_id="U1", view=home)["view"]["id"] == first
    assert stub.calls("views.open")[0].args["view"] == view


def test_files_upload_v2(client: WebClient, stub: LocalSlack) -> None:
    content = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    response = client.files_upload_v2(
        channel="C1",
        content=content,
        filename="mote.ics",
        title="Mötet",
        initial_comment="Kalenderfil",
    )
    assert response["file"]["name"] == "mote.ics"
    [uploaded] = stub.uploaded_files()
    assert uploaded["content"] == content.encode("utf-8")
    assert uploaded["filename"] == "mote.ics"
    assert uploaded["title"] == "Mötet"
    assert uploaded["channel_id"] == "C1"
    assert uploaded["initial_comment"] == "Kalenderfil"
    assert [c.method for c in stub.calls()] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]


def test_429_retry_after_is_honoured(stub: LocalSlack) -> None:
    client = WebClient(base_url=stub.url, token="xoxb-test")
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    stub.fail_next("chat.postMessage", status=429, retry_after=1)

    started = time.monotonic()
    response = client.chat_postMessage(channel="C1", text="Till slut")
    elapsed = time.monotonic() - started

    assert response["ok"]
    assert elapsed >= 1.0  # the client waited Retry-After seconds
    [rejected] = stub.rejected("chat.postMessage")
    assert rejected.status == 429
    assert rejected.response == {"ok": False, "error": "ratelimited"}
    assert len(stub.calls("chat.postMessage")) == 1


def test_429_without_retry_handler_raises(client: WebClient, stub: LocalSlack) -> None:
    stub.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="x")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"


def test_500_is_retried_by_server_error_handler(stub: LocalSlack) -> None:
    client = WebClient(base_url=stub.url, token="xoxb-test")
    client.retry_handlers.append(
        ServerErrorRetryHandler(
            max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
        )
    )
    stub.fail_next("users.info", status=500)
    stub.add_user("U1", "anna")
    assert client.users_info(user="U1")["user"]["name"] == "anna"
    assert [c.status for c in stub.rejected()] == [500]
    assert len(stub.calls("users.info")) == 1


def test_fail_next_with_error_and_times(client: WebClient, stub: LocalSlack) -> None:
    stub.fail_next("chat.postMessage", error="channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            client.chat_postMessage(channel="C1", text="x")
        assert raised.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert len(stub.rejected()) == 2 and len(stub.messages()) == 1


def test_delay_makes_the_client_time_out(stub: LocalSlack) -> None:
    stub.delay("auth.test", 2.0)
    client = WebClient(base_url=stub.url, token="xoxb-test", timeout=0.2)  # type: ignore[arg-type]
    with pytest.raises(TimeoutError):
        client.auth_test()
    stub.delay("auth.test", None)
    assert client.auth_test()["ok"]


def test_rate_limiter_rejects_over_burst(stub: LocalSlack) -> None:
    clock = FakeClock()
    limits = RateLimits(per_channel_per_second=1.0, burst=3)
    with LocalSlack(rate_limits=limits, clock=clock) as limited:
        client = WebClient(base_url=limited.url, token="xoxb-test")
        outcomes = []
        for i in range(5):
            try:
                client.chat_postMessage(channel="C1", text=f"nr {i}")
                outcomes.append("ok")
            except SlackApiError as error:
                assert error.response.status_code == 429
                assert int(error.response.headers["Retry-After"]) >= 1
                outcomes.append("429")
        assert outcomes == ["ok", "ok", "ok", "429", "429"]
        assert client.chat_postMessage(channel="C2", text="annan kanal")["ok"]

        clock.now += 1.0  # one token refilled
        assert client.chat_postMessage(channel="C1", text="efter en sekund")["ok"]
        with pytest.raises(SlackApiError):
            client.chat_postMessage(channel="C1", text="för tidigt")

        assert len(limited.messages("C1")) == 4
        assert len(limited.rejected("chat.postMessage")) == 3


def test_workspace_rate_limit(stub: LocalSlack) -> None:
    limits = RateLimits(per_channel_per_second=10.0, burst=10, workspace_per_minute=2)
    with LocalSlack(rate_limits=limits, clock=FakeClock()) as limited:
        client = WebClient(base_url=limited.url, token="xoxb-test")
        client.chat_postMessage(channel="C1", text="1")
        client.chat_postMessage(channel="C2", text="2")
        with pytest.raises(SlackApiError) as raised:
            client.chat_postMessage(channel="C3", text="3")
        assert raised.value.response.headers["Retry-After"] == "30"


def test_wait_for_times_out_with_summary(client: WebClient, stub: LocalSlack) -> None:
    client.chat_postMessage(channel="C1", text="Hej")
    with pytest.raises(AssertionError) as raised:
        stub.wait_for_calls("views.open", timeout=0.05)
    assert "views.open" in str(raised.value)
    assert "chat.postMessage" in str(raised.value) and "C1" in str(raised.value)


def test_wait_for_sees_calls_from_another_thread(client: WebClient, stub: LocalSlack) -> None:
    thread = threading.Thread(
        target=lambda: [client.chat_postMessage(channel="C1", text=str(i)) for i in range(3)]
    )
    thread.start()
    calls = stub.wait_for_calls("chat.postMessage", count=3, timeout=5.0)
    thread.join()
    assert [c.args["text"] for c in calls] == ["0", "1", "2"]


def test_on_call_runs_before_the_answer(client: WebClient, stub: LocalSlack) -> None:
    seen: list[Call] = []
    stub.on_call(seen.append)
    client.chat_postMessage(channel="C1", text="Hej")
    assert [c.method for c in seen] == ["chat.postMessage"]


def test_response_url_post_is_recorded(stub: LocalSlack) -> None:
    url = stub.response_url("kommando-1", channel="C1", user="U1")
    assert url.startswith(stub.url.removesuffix("/api/") + "/response/")
    response = WebhookClient(url).send(text="Beslut sparat", response_type="in_channel")
    assert response.status_code == 200
    [call] = stub.calls("response_url")
    assert call.key == "kommando-1"
    assert call.args["text"] == "Beslut sparat"
    [message] = stub.messages("C1")
    assert message["user"] == "U1" and message["response_type"] == "in_channel"


def test_clear_forgets_calls(client: WebClient, stub: LocalSlack) -> None:
    client.auth_test()
    stub.clear()
    assert stub.calls() == [] and stub.messages() == []


def test_render_message_blocks() -> None:
    payload = {
        "text": "reserv",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Uppdrag"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "<@U1> ska återkoppla till <#C9|lg>"},
                "fields": [
                    {"type": "mrkdwn", "text": "*Senast:* 17 november"},
                    {"type": "mrkdwn", "text": "Underlag: <https://ex.se/a?b=1&amp;c=2|bilaga>"},
                ],
            },
            {"type": "divider"},
            {"type": "rich_text", "elements": []},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Beslut &lt;2024&gt;"}]},
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "Klart"}},
                    {"type": "button", "text": {"type": "plain_text", "text": "Skjut upp"}},
                ],
            },
        ],
    }
    assert render_message(payload, names={"U1": "anna"}).splitlines() == [
        "Uppdrag",
        "=======",
        "@anna ska återkoppla till #lg",
        "*Senast:* 17 november",
        "Underlag: bilaga (https://ex.se/a?b=1&c=2)",
        "-" * 40,
        "Beslut <2024>",
        "[Klart] [Skjut upp]",
    ]


def test_render_message_text_only() -> None:
    assert render_message({"text": "Hej <@U2|bertil>, se <https://ex.se>"}) == (
        "Hej @bertil, se https://ex.se"
    )
    assert render_message({"text": "A &amp; B &amp;lt; C, <!here>"}) == "A & B &lt; C, @here"
    assert render_message({"text": "<@U3>"}) == "@U3"
    # Only rich_text blocks: fall back to the text.
    assert render_message({"text": "reserv", "blocks": [{"type": "rich_text"}]}) == "reserv"
