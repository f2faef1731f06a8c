"""Organs: LG, AU, processgrupper and networks, each bound to its Slack channel.

The feature's service, re-exported: `from bot import organs` then `organs.<name>`."""

from bot.organs.service import (
    BUILTIN_ALIASES,
    MAX_LEAD_DAYS,
    REMINDERS_BY_DEFAULT,
    SHORT_NAME,
    aliases,
    bind,
    create,
    find,
    for_channel,
    get,
    list_all,
    names,
    require_admin,
    resolve,
    set_convenor,
    set_reminders,
)

__all__ = [
    "BUILTIN_ALIASES",
    "MAX_LEAD_DAYS",
    "REMINDERS_BY_DEFAULT",
    "SHORT_NAME",
    "aliases",
    "bind",
    "create",
    "find",
    "for_channel",
    "get",
    "list_all",
    "names",
    "require_admin",
    "resolve",
    "set_convenor",
    "set_reminders",
]
