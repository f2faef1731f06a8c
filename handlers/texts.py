"""The front door's texts: settings, start-up, the CLI.

Texts that include user input escape it with `esc`: nothing typed can ping, link or break
layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

REQUEST_TOO_LONG = (
    "Det där kom inte fram som Slack brukar skicka det (ett id eller värde var för långt), "
    "så jag gjorde ingenting. Försök igen från Slack."
)

SETTING_MISSING_BOT_TOKEN = (
    "SLACK_BOT_TOKEN saknas: sätt den till appens Bot User OAuth Token (xoxb-…) i miljön "
    "eller i .env, eller kör `ledningsbot shell` för att prova utan Slack."
)


SETTING_MISSING_SECRET = (
    "SLACK_APP_TOKEN (xapp-…, för Socket Mode) eller SLACK_SIGNING_SECRET (för HTTP-läge) "
    "saknas: sätt en av dem i miljön eller i .env."
)


def setting_wrong(name: str, should: str) -> str:
    return f"{name} är fel: värdet ska {should}. Rätta det i miljön eller i .env."


def lease_too_short(lease: float, timeout: int, shortest: int) -> str:
    example = max(300, shortest)
    return (
        f"DELIVERY_LEASE är för kort: {lease:g} s, men med SLACK_TIMEOUT={timeout} behövs minst "
        f"{shortest} s. Ett utskick som kanske kommit fram ska hinna kontrolleras och skickas "
        "(tre anrop till Slack, vart och ett upp till SLACK_TIMEOUT) innan en annan process får "
        "ta över det; väntan på Slacks Retry-After kortas till det som ryms i DELIVERY_LEASE. "
        f"Sätt till exempel DELIVERY_LEASE={example} (minst {shortest}) i miljön eller i .env."
    )


def option_lease_too_short(option: str, lease: float, timeout: int, shortest: int) -> str:
    example = max(300, shortest)
    return (
        f"{option} är för kort: {lease:g} s, men med SLACK_TIMEOUT={timeout} behövs minst "
        f"{shortest} s, som för DELIVERY_LEASE (annars kan två processer skicka samma "
        f"påminnelse). Till exempel: `ledningsbot reminders send {option} {example}`"
    )


STARTUP_DB_FAILED = "Kunde inte öppna databasen: {error}. Kontrollera DATABASE_URL."


READY_HTTP = "ledningsbot lyssnar på http://{host}:{port}/slack/events"


READY_SOCKET = "ledningsbot är ansluten till Slack (Socket Mode)"


# The web server's plain-text answers (a person who opens a wrong address reads them).
HTTP_NOT_FOUND = "finns inte\n"
HTTP_METHOD = "metoden stöds inte här\n"
HTTP_UNSIGNED = "förfrågan saknar en giltig signatur från Slack\n"
HTTP_DB_DOWN = "databasen svarar inte\n"
HTTP_TRY_LATER = "prova igen senare\n"


def setting_missing(name: str, why: str) -> str:
    return f"{name} saknas: {why}. Sätt den i miljön eller i .env."


SETTING_WHY_PASSWORD = "den behövs när SMTP_USER är satt"


SETTING_WHY_INVITE_FROM = (
    "den är avsändare och organisatör för inbjudningar när SMTP_HOST är satt, "
    "till exempel INVITE_FROM=ledningsbot@region.se"
)


def socket_token_rejected(error: str, seconds: float) -> str:
    return (
        f"SLACK_APP_TOKEN är fel: Slack avvisade den ({error}). Den ska vara appens "
        "app-nivåtoken (xapp-…) med behörigheten connections:write; rätta den i miljön eller "
        f"i .env. Försöker igen om {seconds:g} s och sedan allt glesare."
    )


def socket_unreachable(error: str, seconds: float) -> str:
    return (
        f"Kunde inte ansluta till Slack (Socket Mode): {error}. "
        f"Försöker igen om {seconds:g} s och sedan allt glesare."
    )


NOT_READY_SOCKET_STARTING = "ingen förbindelse med Slack än (Socket Mode ansluter)"


NOT_READY_SOCKET_LOST = "förbindelsen med Slack bröts (Socket Mode ansluter igen)"


NOT_READY_SOCKET_TOKEN = "ingen förbindelse med Slack: SLACK_APP_TOKEN avvisades"


NOT_READY_SOCKET_UNREACHABLE = "ingen förbindelse med Slack: Socket Mode når inte fram"


NOT_READY_DB = "databasen svarar inte"
