"""An organ's member snapshot written from two sides at once: /kalender storing what Slack says
of the asker's own channels, and member_joined/member_left (or another refresher) holding the
organ's lock. On PostgreSQL the interleaving is made deterministic: a second connection holds
the lock and its change, and /kalender's write is let on only once it waits for that lock."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SAWarning
from sqlmodel import Session, select

from bot.calendar import feeds
from bot.core.context import Product
from storage.db import Database, serialise
from storage.models import Organ, OrganMember

NEWCOMER = "U0NEW"


def organ_id(product: Product, short_name: str) -> int:
    with product.db.transaction() as session:
        organ = session.exec(select(Organ).where(Organ.short_name == short_name)).one()
    assert organ.id is not None
    return organ.id


def members(product: Product, organ: int) -> list[str]:
    with product.db.transaction() as session:
        return sorted(
            session.exec(select(OrganMember.user_id).where(OrganMember.organ_id == organ)).all()
        )


def waiting_for_a_lock(db: Database) -> bool:
    """Some transaction on this database (the server is shared) waits for an advisory lock."""
    with db.engine.connect() as connection:
        return bool(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                )
            ).scalar()
        )


@contextmanager
def holding(product: Product, organ: int, change: Callable[[Session], None]) -> Iterator[None]:
    """Another transaction holds `organ`'s members lock with `change` made and not committed;
    it commits when the block ends (what member_joined/member_left do under the lock)."""
    if product.db.dialect != "postgresql":
        pytest.skip("SQLite runs one writer at a time: there is no interleaving to arrange")
    locked, done = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def hold() -> None:
        try:
            with product.db.transaction(write=True) as session:
                serialise(session, f"members:{organ}")
                change(session)
                session.flush()
                locked.set()
                assert done.wait(30)
        except BaseException as error:  # reported in the test's thread
            failed.append(error)
            locked.set()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(30)
    try:
        yield
    finally:
        done.set()
        holder.join(30)
    assert not failed, failed


def start_storing(
    product: Product, belongs: dict[int, bool]
) -> tuple[threading.Thread, list[BaseException]]:
    """/kalender's write for NEWCOMER, in its own thread: returns once that write waits for
    the lock the holder has (it must not write without it); what it raised ends up in the
    list once it has finished."""
    failed: list[BaseException] = []

    def store() -> None:
        try:
            # SQLAlchemy only warns when a row it deletes is gone already: here that fails.
            with warnings.catch_warnings():
                warnings.simplefilter("error", SAWarning)
                with product.db.transaction(write=True) as session:
                    feeds.store_own_organs(session, NEWCOMER, belongs, product.now())
        except BaseException as error:  # reported in the test's thread
            failed.append(error)

    writer = threading.Thread(target=store, daemon=True)
    writer.start()
    deadline = time.monotonic() + 30
    while not waiting_for_a_lock(product.db):
        assert writer.is_alive(), ("wrote without waiting for the lock", failed)
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return writer, failed


def test_kalender_storing_a_membership_that_member_joined_is_adding_writes_it_once(
    product: Product, organs: None
) -> None:
    lg = organ_id(product, "LG")

    def joined(session: Session) -> None:
        session.add(OrganMember(organ_id=lg, user_id=NEWCOMER, seen_at=product.now()))

    with holding(product, lg, joined):
        writer, failed = start_storing(product, {lg: True})
    writer.join(30)
    assert not writer.is_alive() and not failed, failed
    assert members(product, lg).count(NEWCOMER) == 1


def test_kalender_removing_a_membership_that_member_left_is_removing_does_not_fail(
    product: Product, organs: None
) -> None:
    lg = organ_id(product, "LG")
    with product.db.transaction(write=True) as session:
        feeds.store_own_organs(session, NEWCOMER, {lg: True}, product.now())
    assert NEWCOMER in members(product, lg)

    def left(session: Session) -> None:
        session.execute(
            text("DELETE FROM organmember WHERE organ_id = :o AND user_id = :u"),
            {"o": lg, "u": NEWCOMER},
        )

    with holding(product, lg, left):
        writer, failed = start_storing(product, {lg: False})
    writer.join(30)
    assert not writer.is_alive() and not failed, failed
    assert NEWCOMER not in members(product, lg)


def test_own_organs_are_stored_as_slack_told_them_and_others_left_alone(
    product: Product, organs: None
) -> None:
    lg, au = organ_id(product, "LG"), organ_id(product, "AU")
    with product.db.transaction(write=True) as session:
        feeds.store_members(session, au, ["U0OTHER"], product.now())
        feeds.store_own_organs(session, NEWCOMER, {lg: True, au: True}, product.now())
    assert members(product, lg) == [NEWCOMER]
    assert members(product, au) == [NEWCOMER, "U0OTHER"]
    with product.db.transaction(write=True) as session:
        feeds.store_own_organs(session, NEWCOMER, {lg: False, au: True}, product.now())
        feeds.store_own_organs(session, NEWCOMER, {lg: False, au: True}, product.now())
    assert members(product, lg) == []
    assert members(product, au) == [NEWCOMER, "U0OTHER"]
