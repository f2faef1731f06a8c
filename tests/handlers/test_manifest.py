"""manifest.yml describes exactly the app the code registers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot import commands
from bot.commands import COMMANDS
from tests.harness import said

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())


def test_every_registered_command_is_in_the_manifest_and_escaped() -> None:
    listed = MANIFEST["features"]["slash_commands"]
    assert sorted(c["command"] for c in listed) == sorted(COMMANDS)
    for command in listed:
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


# SchemaStore's slack-app-manifest.json (which follows Slack's manifest reference) gives
# usage_hint a maxLength of 1000; Slack shows it on one line under the command as it is typed.
USAGE_HINT_MAX = 1000
_SUBCOMMAND = r"`{command} ([a-zåäö][a-zåäö-]*)"


def test_messages_tab_is_read_only() -> None:
    home = MANIFEST["features"]["app_home"]
    assert home["messages_tab_enabled"] is True  # the DMs the bot sends are read there …
    assert home["messages_tab_read_only_enabled"] is True  # … and nothing answers a reply


def test_every_subcommand_in_a_commands_help_is_in_its_usage_hint(ctx: Any) -> None:
    """What `/x hjälp` documents is what the hint under `/x` offers while typing."""
    for entry in MANIFEST["features"]["slash_commands"]:
        command, hint = entry["command"], entry["usage_hint"]
        assert len(hint) <= USAGE_HINT_MAX
        documented = set(
            re.findall(
                _SUBCOMMAND.format(command=command), said(commands.run(ctx(), command, "hjälp"))
            )
        )
        assert documented, command  # every command has subcommands in its help
        missing = sorted(w for w in documented | {"hjälp"} if not re.search(rf"\b{w}\b", hint))
        assert missing == [], f"{command}: {missing} not in {hint!r}"


def test_a_search_says_it_pages_in_its_hint_its_help_and_its_usage_answer(ctx: Any) -> None:
    """`sök … sida N` works: the hint while typing, the help and the answer to a bare `sök`
    say so (the examples in the answer are run by tests/handlers/test_hostile.py)."""
    hints = {e["command"]: e["usage_hint"] for e in MANIFEST["features"]["slash_commands"]}
    for command in ("/beslut", "/uppdrag"):
        assert "sök <ord> [sida N]" in hints[command]
        assert re.search(
            rf"`{command} sök \w+ \[sida 2\]`", said(commands.run(ctx(), command, "hjälp"))
        )
        usage = said(commands.run(ctx(), command, "sök"))
        assert re.search(rf"`{command} sök \w+ sida 2`", usage), usage
