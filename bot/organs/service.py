"""Organs: LG, AU, processgrupper and networks, each bound to a Slack channel."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from bot.core import texts as core_texts
from bot.core.context import Ctx
from bot.core.errors import NotAllowed, UserError
from bot.organs import texts
from storage.models import Organ

SHORT_NAME = re.compile(r"^[A-ZÅÄÖ][A-ZÅÄÖ0-9-]{0,19}$")
# Words people use for the two standing organs, whatever their full names say.
BUILTIN_ALIASES = {
    "LG": ("ledningsgrupp", "ledningsgruppen", "lg"),
    "AU": ("arbetsutskott", "arbetsutskottet", "au"),
}
REMINDERS_BY_DEFAULT = frozenset({"AU", "LG"})


def require_admin(ctx: Ctx) -> None:
    if not ctx.is_admin():
        raise NotAllowed(core_texts.ONLY_ADMINS)


def create(
    ctx: Ctx, short_name: str, name: str, channel_id: str | None, convenor: str | None
) -> Organ:
    require_admin(ctx)
    short = short_name.upper()
    if not SHORT_NAME.match(short):
        raise UserError(texts.organ_bad_short_name(short_name))
    if not name.strip():
        raise UserError(texts.ORGAN_NEW_USAGE)
    with ctx.db.transaction(write=True) as session:
        if session.exec(select(Organ).where(Organ.short_name == short)).first():
            raise UserError(texts.organ_exists(short))
        if channel_id:
            _ensure_channel_free(session, channel_id)
        organ = Organ(
            short_name=short,
            name=name.strip()[:200],
            channel_id=channel_id,
            convenor_user_id=convenor,
            reminders_enabled=short in REMINDERS_BY_DEFAULT,
            created_by=ctx.user_id,
            created_at=ctx.app.now(),
        )
        session.add(organ)
    return organ


def bind(ctx: Ctx, short_name: str, channel_id: str) -> Organ:
    require_admin(ctx)
    with ctx.db.transaction(write=True) as session:
        organ = get(session, short_name)
        if organ.channel_id != channel_id:
            _ensure_channel_free(session, channel_id)
        organ.channel_id = channel_id
        session.add(organ)
    return organ


def set_convenor(ctx: Ctx, short_name: str, user_id: str | None) -> Organ:
    require_admin(ctx)
    with ctx.db.transaction(write=True) as session:
        organ = get(session, short_name)
        organ.convenor_user_id = user_id
        session.add(organ)
    return organ


MAX_LEAD_DAYS = 10


def set_reminders(ctx: Ctx, short_name: str, enabled: bool, lead_days: int | None) -> Organ:
    """Reminders on or off for an organ, with its own lead time in working days."""
    if lead_days is not None and not 0 <= lead_days <= MAX_LEAD_DAYS:
        raise UserError(texts.ORGAN_REMINDERS_USAGE)
    ctx.know_admin()  # may ask Slack: before the write lock, never while holding it
    with ctx.db.transaction(write=True) as session:
        organ = get(session, short_name)
        if not (ctx.user_id == organ.convenor_user_id or ctx.is_admin()):
            raise NotAllowed(core_texts.only_convenor_or_admin(organ.short_name))
        organ.reminders_enabled = enabled
        if lead_days is not None:
            organ.reminder_lead_days = lead_days
        session.add(organ)
    return organ


def list_all(ctx: Ctx) -> list[Organ]:
    with ctx.db.transaction() as session:
        return list(session.exec(select(Organ).order_by(Organ.short_name)).all())


def _ensure_channel_free(session: Session, channel_id: str) -> None:
    other = session.exec(select(Organ).where(Organ.channel_id == channel_id)).first()
    if other:
        raise UserError(texts.channel_taken(other.short_name))


def find(session: Session, name: str) -> Organ | None:
    """An organ by short name or by one of its everyday names ("ledningsgruppen")."""
    word = name.strip().rstrip(":").lower()
    for short, words in BUILTIN_ALIASES.items():
        if word in words:
            word = short.lower()
    organ = session.exec(select(Organ).where(Organ.short_name == word.upper())).first()
    if organ is None:
        organ = session.exec(select(Organ).where(Organ.name == name.strip())).first()
    return organ


def get(session: Session, name: str) -> Organ:
    organ = find(session, name)
    if organ is None:
        known = [o.short_name for o in session.exec(select(Organ)).all()]
        raise UserError(texts.unknown_organ(name, known))
    return organ


def for_channel(session: Session, channel_id: str | None) -> Organ | None:
    if not channel_id:
        return None
    return session.exec(select(Organ).where(Organ.channel_id == channel_id)).first()


def resolve(session: Session, ctx: Ctx, named: str | None) -> Organ:
    """The organ a command is about: the one named, else the channel's, else ask."""
    if named:
        return get(session, named)
    organ = for_channel(session, ctx.channel_id)
    if organ is None:
        known = [o.short_name for o in session.exec(select(Organ)).all()]
        raise UserError(texts.which_organ(known))
    return organ


def aliases(session: Session) -> dict[str, str]:
    """Lower-case words → short names, for the date parser's meeting references."""
    return names(session, None)[0]


def names(session: Session, channel_id: str | None) -> tuple[dict[str, str], str | None]:
    """The aliases (see `aliases`) and the short name of the channel's organ, in one query."""
    result: dict[str, str] = {}
    here: str | None = None
    for organ in session.exec(select(Organ)).all():
        result[organ.short_name.lower()] = organ.short_name
        result[organ.name.lower()] = organ.short_name
        for word in BUILTIN_ALIASES.get(organ.short_name, ()):
            result[word] = organ.short_name
        if channel_id and organ.channel_id == channel_id:
            here = organ.short_name
    return result, here
