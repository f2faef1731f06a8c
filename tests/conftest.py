"""Fixtures: every database test runs on SQLite and on PostgreSQL; Slack is a real HTTP
stand-in on loopback; requests into the bot are signed and sent over real HTTP."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import CalendarConfig, Ctx, Product, SmtpConfig, StaticDirectory
from handlers.slack_standin import LocalSlack
from storage.db import STRICT_ENV, Database
from storage.models import CalendarStamp, Installation
from tests.harness import PEOPLE, Harness, MakeCtx, block_kit_faults, run, sara_in_lg
from tests.smtp import INVITE_FROM, Inbox, LoopbackSMTP

# A Slack call inside a write transaction raises in every test (and in the bots the tests start
# as processes, which inherit this), instead of being logged.
os.environ[STRICT_ENV] = "1"
POSTGRES_URL = os.environ.get("LEDNINGSBOT_TEST_POSTGRES", "")
DATABASES = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
# Every table the models define, emptied between PostgreSQL tests, except the two whose one
# row their migration made: this installation's id and feed secret, and the calendar stamp.
KEPT = {Installation.__tablename__, CalendarStamp.__tablename__}
TABLES = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in KEPT]
# Monday 23 November 2026, 09:00 in Stockholm.
START = datetime(2026, 11, 23, 9, 0, tzinfo=STOCKHOLM)


def pytest_report_header() -> str:
    return "databases: " + ", ".join(DATABASES)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_db() -> Iterator[Database]:
    db = Database(POSTGRES_URL)
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture(params=DATABASES)
def db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        database = Database(f"sqlite:///{path}")
        yield database
        database.dispose()
        return
    database = request.getfixturevalue("postgres_db")
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    yield database


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def product(db: Database, clock: FixedClock) -> Product:
    return Product(db=db, clock=clock, tz=STOCKHOLM, admins=frozenset({PEOPLE["sara"]}))


@pytest.fixture
def directory() -> StaticDirectory:
    return StaticDirectory(names={uid: name for name, uid in PEOPLE.items()})


@pytest.fixture
def ctx(product: Product, directory: StaticDirectory) -> MakeCtx:
    """ctx(user="sara", channel="C0LG") → a request context."""

    def make(user: str = "sara", channel: str | None = "C0LG") -> Ctx:
        return Ctx(product, PEOPLE.get(user, user), channel, directory)

    return make


@pytest.fixture(autouse=True)
def within_block_kit(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Every payload any Slack stand-in of any test recorded (messages, answers, Home tabs and
    forms) is checked against Block Kit's limits and slack_sdk's validation when the test ends:
    the test that made a payload Slack would refuse fails at teardown. (The stand-in's own
    tests send it odd payloads on purpose, as a client, not as the bot.)"""
    if request.node.path.name == "test_slack_standin.py":
        yield
        return
    stand_ins: list[LocalSlack] = []
    started = LocalSlack.__init__

    def recording(self: LocalSlack, *args: object, **kwargs: object) -> None:
        started(self, *args, **kwargs)  # type: ignore[arg-type]
        stand_ins.append(self)

    monkeypatch.setattr(LocalSlack, "__init__", recording)
    yield
    faults = [fault for s in stand_ins for call in s.calls() for fault in block_kit_faults(call)]
    assert not faults, "\n".join(faults)


@pytest.fixture
def slack() -> Iterator[LocalSlack]:
    with LocalSlack() as stand_in:
        yield stand_in


@pytest.fixture
def harness(product: Product, slack: LocalSlack) -> Iterator[Harness]:
    with Harness(product, slack) as running:
        yield running


@pytest.fixture
def organs(ctx: MakeCtx) -> None:
    """LG (convenor Magnus) in C0LG, AU in C0AU, PG-AVTAL (convenor Jenny) without a channel.
    The one organ set-up of the suite: tests over HTTP use it too (it is the same database)."""
    for line in (
        "ny LG Ledningsgrupp för samordning <#C0LG|ledningsgrupp> "
        "sammankallande <@U0MAGNUS|magnus>",
        "ny AU Arbetsutskottet <#C0AU|au>",
        "ny PG-AVTAL Processgrupp för avtal och överenskommelser <@U0JENNY>",
    ):
        assert "skapat" in run(ctx("sara"), "/organ", line)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on loopback: what arrives there, and its port."""
    handler = Inbox()
    server = LoopbackSMTP(handler)
    server.start()
    try:
        yield handler, server.port
    finally:
        server.stop()


@pytest.fixture
def calendar_product(product: Product, inbox: tuple[Inbox, int]) -> Product:
    """The product sending invitations by e-mail through `inbox`, with a public address."""
    config = CalendarConfig(
        invite_from=INVITE_FROM,
        invite_from_name="Ledningsbot",
        smtp=SmtpConfig("127.0.0.1", inbox[1], starttls=False, timeout=5),
        public_base_url="https://ledningsbot.region.example",
    )
    return replace(product, calendar=config)


@pytest.fixture
def quiet(product: Product, organs: None) -> Ctx:
    """Sara (admin) in LG's channel with Anna and Roger (Anna with an e-mail address); no
    SMTP, no Slack."""
    return sara_in_lg(product, "U0ANNA", "U0ROGER")
