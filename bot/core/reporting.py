"""Reporting back as the minutes and the commands write it: the words both the importer
(bot.importing.parsing) and `/uppdrag` (bot.commands.uppdrag) read, defined once.

Regular-expression fragments, each a non-capturing group, matched case-insensitively."""

from __future__ import annotations

# "återkoppling till LG", "återrapportering sker till AU", "med återrapport till AU"
REPORT_NOUN = r"(?:återkoppling|återrapportering|återrapport)"
# "återkopplar till LG", "återrapportera till AU", "rapporteras till ledningsgruppen"
REPORT_VERB = r"(?:återkoppl|återrapporter|rapporter)(?:ar|as|a)\b"
