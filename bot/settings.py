"""Settings from the environment or a .env file, checked once at start-up."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot import texts

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///ledningsbot.db"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class SettingsError(Exception):
    """A missing or wrong setting; the message is the one line an operator needs."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    admins: frozenset[str] = field(default_factory=frozenset)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Stockholm"))

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    def require_slack(self) -> None:
        """`ledningsbot run` needs a bot token and either an app token or a signing secret."""
        if not self.bot_token:
            raise SettingsError(texts.SETTING_MISSING_BOT_TOKEN)
        if not self.app_token and not self.signing_secret:
            raise SettingsError(texts.SETTING_MISSING_SECRET)


def load_settings(environ: Mapping[str, str], env_file: Path | None = Path(".env")) -> Settings:
    """Read settings: the environment wins over the .env file. Raises SettingsError."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(environ)

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    bot_token = get("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        raise SettingsError(texts.setting_wrong("SLACK_BOT_TOKEN", "börja med xoxb-"))
    app_token = get("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        raise SettingsError(texts.setting_wrong("SLACK_APP_TOKEN", "börja med xapp-"))

    api_url = get("SLACK_API_URL") or DEFAULT_API_URL
    if not re.match(r"^https?://[^\s/]+", api_url):
        raise SettingsError(texts.setting_wrong("SLACK_API_URL", "vara en http(s)-adress"))
    if not api_url.endswith("/"):
        api_url += "/"

    port_text = get("PORT") or "3000"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError(texts.setting_wrong("PORT", "vara ett portnummer 1–65535"))

    admins = frozenset(a.strip() for a in (get("ADMINS") or "").split(",") if a.strip())
    bad = sorted(a for a in admins if not _USER_ID.match(a))
    if bad:
        raise SettingsError(
            texts.setting_wrong("ADMINS", "vara Slack-användar-id:n som U012ABCDEF, åtskilda med ,")
        )

    tz_name = get("TZ") or "Europe/Stockholm"
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            texts.setting_wrong("TZ", "vara en tidszon som Europe/Stockholm")
        ) from None

    database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not re.match(r"^(sqlite|postgres(ql)?)(\+\w+)?://", database_url):
        raise SettingsError(
            texts.setting_wrong(
                "DATABASE_URL",
                "vara sqlite:///ledningsbot.db eller postgresql://användare@värd/databas",
            )
        )

    return Settings(
        bot_token=bot_token,
        signing_secret=get("SLACK_SIGNING_SECRET"),
        app_token=app_token,
        api_url=api_url,
        database_url=database_url,
        port=int(port_text),
        admins=admins,
        tz=tz,
    )
