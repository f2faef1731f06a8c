"""*Spara ändå* in a form: the question a command asks before storing (NeedsConfirmation) shown
in the form itself, with a box to tick. The box carries a token and a digest of the warnings it
answers: ticked, it answers exactly those warnings (a changed field that warns about something
else is asked about again), and its token is stored with what is saved, once, so a second
submission of the same form stores nothing twice."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session

from bot.core.context import Ctx
from storage.models import Confirmation


def digest(warnings: list[str]) -> str:
    """What the warnings said, in 16 characters."""
    return hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:16]


def new_answer(warnings: list[str]) -> str:
    """The value of the box *Spara ändå* under these warnings: `token:digest`."""
    return f"{secrets.token_hex(16)}:{digest(warnings)}"


def answers(value: str | None, warnings: list[str]) -> str | None:
    """The token of a ticked box, if it answers these very warnings."""
    token, _, said = (value or "").partition(":")
    if token and said == digest(warnings):
        return token[:64]
    return None


def claim(session: Session, ctx: Ctx, token: str) -> bool:
    """Store the token in the caller's write transaction: False if it was already used (the
    form was sent twice). Two at once: the second insert fails at commit (the primary key) and
    the caller's transaction with it."""
    if session.get(Confirmation, token) is not None:
        return False
    session.add(Confirmation(token=token, used_by=ctx.user_id, used_at=ctx.app.now()))
    session.flush()
    return True


def used(ctx: Ctx, token: str) -> bool:
    """Whether the token is stored (after a failed claim: was it this one that failed?)."""
    with ctx.db.transaction() as session:
        return session.get(Confirmation, token) is not None
