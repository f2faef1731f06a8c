"""Storage: migrations match the models, transactions are whole, queries per command are fixed."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel, func, select

from bot import commands, decisions
from storage.db import (
    STRICT_ENV,
    CallInWriteTransaction,
    Database,
    normalise_url,
    outside_write_transaction,
)
from storage.models import Decision
from tests.harness import MakeCtx, run


def test_migrations_create_exactly_the_models(db: Database) -> None:
    assert db.is_current()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = [
            d
            for d in compare_metadata(context, SQLModel.metadata)
            # the search index and FTS tables are ours, made by hand in the migration
            if not any(
                name in str(d)
                for name in (
                    "decision_fts",
                    "ix_decision_search",
                    "search_vector",
                    "ix_decision_vector",
                )
            )
        ]
    assert diff == []


def test_upgrade_is_idempotent(db: Database) -> None:
    db.upgrade()
    db.upgrade()
    assert db.is_current()


def test_url_forms() -> None:
    assert normalise_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_a_failing_write_leaves_nothing_behind(ctx: MakeCtx, organs: None) -> None:
    # The revision is written after the decision in the same transaction: make the database
    # refuse it, and the decision must go too.
    db = ctx().db
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse_revision BEFORE INSERT ON decisionrevision "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION refuse_revision() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse_revision BEFORE INSERT ON decisionrevision "
                "FOR EACH ROW EXECUTE FUNCTION refuse_revision()"
            )
    try:
        answer = commands.run(ctx(), "/beslut", "Ledningsgruppen beslutar enligt förslag")
    finally:
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "DROP TRIGGER refuse_revision"
                + ("" if db.engine.dialect.name == "sqlite" else " ON decisionrevision")
            )
            if db.engine.dialect.name != "sqlite":
                connection.exec_driver_sql("DROP FUNCTION refuse_revision()")
    assert "ingenting sparades" in answer.message.fallback
    with db.transaction() as session:
        assert session.exec(select(func.count()).select_from(Decision)).one() == 0


def test_concurrent_decisions_get_distinct_serials(ctx: MakeCtx, organs: None) -> None:
    errors: list[BaseException] = []

    def log(n: int) -> None:
        try:
            for i in range(5):
                decisions.log(ctx(), organ_name="LG", decision_text=f"Beslut {n}-{i}")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=log, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with ctx().db.transaction() as session:
        refs = session.exec(select(Decision.ref)).all()
    assert sorted(refs, key=lambda r: int(r.rsplit("-", 1)[1])) == [
        f"LG-2026-{n}" for n in range(1, 21)
    ]


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/beslut", "lista"),
        ("/beslut", "sök avtal"),
        ("/beslut", "visa LG-2026-3"),
        ("/uppdrag", ""),
        ("/uppdrag", "lista"),
        ("/mote", "lista"),
        ("/beslut", "Ledningsgruppen beslutar enligt förslag"),
        ("/uppdrag", "<@U0ANNA|anna> <@U0ROGER|roger> Ta fram underlag till nästa AU"),
    ],
)
def test_queries_per_command_do_not_grow_with_data(
    ctx: MakeCtx, organs: None, command: str, text: str
) -> None:
    def seed(n: int) -> None:
        for i in range(n):
            run(ctx(), "/beslut", f"Avtal nummer {i} gäller tillsvidare")
            run(ctx(), "/uppdrag", f"<@U0ANNA|anna> <@U0JENNY|jenny> Uppgift {i} till 4/12")
            run(ctx(), "/mote", f"ny AU {i + 1} december 13-15")

    def queries() -> int:
        db = ctx().db
        before = db.queries.total
        commands.run(ctx("anna"), command, text)
        return db.queries.total - before

    seed(3)
    small = queries()
    seed(12)
    large = queries()
    assert large == small, (small, large)
    assert small <= 12


def test_a_call_out_inside_a_write_transaction_is_flagged(
    db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Tests run strict (conftest): it raises. In production it is logged with its stack."""
    outside_write_transaction("users.info")  # no transaction: fine
    with db.transaction() as _session:
        outside_write_transaction("users.info")  # reading: fine
    with pytest.raises(CallInWriteTransaction), db.transaction(write=True):
        outside_write_transaction("users.info")
    monkeypatch.delenv(STRICT_ENV)
    with db.transaction(write=True):
        outside_write_transaction("users.info")
    assert "users.info inside a write transaction" in caplog.text
    outside_write_transaction("users.info")  # the flag went with the transaction
