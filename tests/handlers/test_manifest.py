"""manifest.yml describes exactly the app the code registers."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.commands import COMMANDS

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())


def test_every_registered_command_is_in_the_manifest_and_escaped() -> None:
    commands = MANIFEST["features"]["slash_commands"]
    assert sorted(c["command"] for c in commands) == sorted(COMMANDS)
    for command in commands:
        assert re.fullmatch(r"/[a-z0-9_-]{1,31}", command["command"])
        assert command["should_escape"] is True
        assert len(command["description"]) <= 100


def test_socket_mode_interactivity_events_and_scopes() -> None:
    settings = MANIFEST["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert "app_home_opened" in settings["event_subscriptions"]["bot_events"]
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:write", "files:write", "users:read"} <= scopes
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
