"""Slack's request formats, built the way Slack builds them: the local shell, the tests and the
benchmarks send the bot exactly what Slack would, signed with the signing secret."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM_ID = "T0001"


def command_body(
    command: str,
    text: str,
    *,
    user_id: str,
    channel_id: str,
    response_url: str,
    trigger_id: str = "trigger-local",
    user_name: str = "",
    channel_name: str = "",
) -> str:
    return urlencode(
        {
            "token": "deprecated",
            "team_id": TEAM_ID,
            "team_domain": "lokal",
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def interactive_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def block_action(
    action_id: str,
    value: str,
    *,
    user_id: str,
    channel_id: str,
    response_url: str,
    trigger_id: str = "trigger-local",
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": user_id, "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "trigger_id": trigger_id,
        "channel": {"id": channel_id},
        "container": {"type": "message", "channel_id": channel_id},
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
    }


def message_shortcut(
    callback_id: str,
    message: dict[str, Any],
    *,
    user_id: str,
    channel_id: str,
    trigger_id: str = "trigger-local",
) -> dict[str, Any]:
    return {
        "type": "message_action",
        "callback_id": callback_id,
        "team": {"id": TEAM_ID},
        "user": {"id": user_id, "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "trigger_id": trigger_id,
        "channel": {"id": channel_id},
        "message": message,
        "message_ts": message.get("ts", "1700000000.000100"),
        "response_url": "",
    }


def view_submission(
    callback_id: str, values: dict[str, Any], *, user_id: str, private_metadata: str = ""
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": user_id, "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "view": {
            "id": "V0001",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
        },
    }


def event_body(event: dict[str, Any], *, event_id: str) -> str:
    return json.dumps(
        {
            "token": "deprecated",
            "team_id": TEAM_ID,
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
    )


def signed_headers(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body) or ""
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}
