"""Settings from the environment or a .env file, checked once at start-up."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.core import ledger
from bot.core.context import CalendarConfig, SmtpConfig
from handlers import texts

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///ledningsbot.db"
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$")
_ADDRESS = re.compile(r"^[^\s@<>()\[\]\\,;:\"']+@[^\s@<>()\[\]\\,;:\"']+\.[^\s@<>()\[\]\\,;:\"']+$")
_BASE_URL = re.compile(r"^https?://[^\s/?#@]+(/[^\s?#]*)?$")
_YES = {"1", "true", "yes", "ja", "on"}
_NO = {"0", "false", "no", "nej", "off"}


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
    host: str = "0.0.0.0"
    admins: frozenset[str] = field(default_factory=frozenset)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Stockholm"))
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = True
    invite_from: str | None = None
    invite_from_name: str | None = None
    public_base_url: str | None = None
    # Delivery (issue 9), in seconds: Slack's time-out a call, how long an unresolved claim in
    # the delivery ledgers is left alone (a crash's leftovers are taken over after it), and
    # the scheduler's safety tick (which resumes such batches). Small in tests.
    slack_timeout: float = 10.0
    delivery_lease: float = 300.0
    safety_tick: float = 300.0

    def calendar_config(self) -> CalendarConfig:
        """What invites and feeds need: the organizer, SMTP (if set) and the public base URL."""
        smtp = None
        if self.smtp_host:
            smtp = SmtpConfig(
                host=self.smtp_host,
                port=self.smtp_port,
                user=self.smtp_user,
                password=self.smtp_password,
                starttls=self.smtp_starttls,
            )
        return CalendarConfig(
            invite_from=self.invite_from,
            invite_from_name=self.invite_from_name,
            smtp=smtp,
            public_base_url=self.public_base_url,
        )

    @property
    def client_timeout(self) -> int:
        """SLACK_TIMEOUT as the Web API client takes it: whole seconds, at least one."""
        return max(1, round(self.slack_timeout))

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
    host = get("HOST") or "0.0.0.0"
    if not _HOST.match(host):
        raise SettingsError(
            texts.setting_wrong("HOST", "vara en adress att lyssna på, som 127.0.0.1 eller 0.0.0.0")
        )

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

    calendar = _calendar_settings(get)
    timing = {
        name: _seconds(get, variable, default)
        for name, variable, default in (
            ("slack_timeout", "SLACK_TIMEOUT", 10.0),
            ("delivery_lease", "DELIVERY_LEASE", 300.0),
            ("safety_tick", "SAFETY_TICK", 300.0),
        )
    }

    check_lease(timing["delivery_lease"], timing["slack_timeout"])

    return Settings(
        bot_token=bot_token,
        signing_secret=get("SLACK_SIGNING_SECRET"),
        app_token=app_token,
        api_url=api_url,
        database_url=database_url,
        port=int(port_text),
        host=host,
        admins=admins,
        tz=tz,
        slack_timeout=timing["slack_timeout"],
        delivery_lease=timing["delivery_lease"],
        safety_tick=timing["safety_tick"],
        **calendar,
    )


def _seconds(get: Callable[[str], str | None], name: str, default: float) -> float:
    text = get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86400:
        raise SettingsError(texts.setting_wrong(name, "vara ett antal sekunder, som 300"))
    return value


def check_lease(lease: float, slack_timeout: float, *, option: str | None = None) -> None:
    """A claim must outlast what is done under it, or a second process takes the message over
    while the first is still sending it: twice. The calls made for a claim end within it (a
    Retry-After that does not fit is not waited out, bot.core.ledger.holding_claim), and a
    doubted DM must be able to be looked up and sent inside it, each call to its time-out.
    `option`: the command-line option that gave the lease (else DELIVERY_LEASE did)."""
    timeout = max(1, round(slack_timeout))
    shortest = math.ceil(ledger.shortest_lease(timeout))
    if lease < shortest:
        if option is not None:
            raise SettingsError(texts.option_lease_too_short(option, lease, timeout, shortest))
        raise SettingsError(texts.lease_too_short(lease, timeout, shortest))


def _calendar_settings(get: Callable[[str], str | None]) -> dict[str, Any]:
    """SMTP_*, INVITE_FROM and PUBLIC_BASE_URL: all optional, but checked when given."""
    host = get("SMTP_HOST")
    if host and not _HOST.match(host):
        raise SettingsError(
            texts.setting_wrong("SMTP_HOST", "vara ett värdnamn som smtp.region.se")
        )
    port_text = get("SMTP_PORT") or "587"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError(texts.setting_wrong("SMTP_PORT", "vara ett portnummer 1–65535"))
    starttls_text = (get("SMTP_STARTTLS") or "ja").lower()
    if starttls_text not in _YES | _NO:
        raise SettingsError(texts.setting_wrong("SMTP_STARTTLS", "vara ja eller nej"))
    user, password = get("SMTP_USER"), get("SMTP_PASSWORD")
    if user and not password:
        raise SettingsError(texts.setting_missing("SMTP_PASSWORD", texts.SETTING_WHY_PASSWORD))
    plain = starttls_text in _NO and (port_text != "465")
    if user and plain and host not in _LOOPBACK:
        # the password would cross the network in clear text
        raise SettingsError(
            texts.setting_wrong("SMTP_STARTTLS", "vara ja när SMTP_USER är satt (eller port 465)")
        )
    name, address = parseaddr(get("INVITE_FROM") or "")
    if get("INVITE_FROM") and not _ADDRESS.match(address):
        raise SettingsError(
            texts.setting_wrong("INVITE_FROM", "vara en e-postadress som ledningsbot@region.se")
        )
    if host and not address:
        raise SettingsError(texts.setting_missing("INVITE_FROM", texts.SETTING_WHY_INVITE_FROM))
    base_url = get("PUBLIC_BASE_URL")
    insecure = bool(base_url) and str(base_url).startswith("http://")
    if insecure and urlsplit(str(base_url)).hostname not in _LOOPBACK:
        # a feed link is a secret: it must not travel unencrypted
        raise SettingsError(
            texts.setting_wrong("PUBLIC_BASE_URL", "börja med https:// (länkarna är hemliga)")
        )
    if base_url and not _BASE_URL.match(base_url):
        raise SettingsError(
            texts.setting_wrong(
                "PUBLIC_BASE_URL", "vara en http(s)-adress som https://ledningsbot.region.se"
            )
        )
    return {
        "smtp_host": host,
        "smtp_port": int(port_text),
        "smtp_user": user,
        "smtp_password": password,
        "smtp_starttls": starttls_text in _YES,
        "invite_from": address or None,
        "invite_from_name": name.strip() or None,
        "public_base_url": base_url.rstrip("/") if base_url else None,
    }
