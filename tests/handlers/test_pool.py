"""The work after each ack runs in one bounded pool (handlers.common.WorkPool). When it is
full, the request's own thread does the work, after its ack: nothing waits in an unbounded
queue, and every reply still arrives."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlmodel import select

from bot.core.context import Product
from handlers.slack_standin import Call, LocalSlack
from storage.models import Decision
from tests.harness import Harness


@pytest.fixture
def small(product: Product, slack: LocalSlack) -> Iterator[Harness]:
    """The bot with a pool of one thread and one place in its queue."""
    with Harness(product, slack, threads=1, queue=1) as running:
        running.command("/organ", "ny LG Ledningsgrupp för samordning <#C0LG|ledningsgrupp>")
        running.settle()  # its work is done, all of it: the pool is empty
        yield running


def test_a_full_pool_does_the_work_on_the_request_thread_and_loses_nothing(
    small: Harness, slack: LocalSlack
) -> None:
    release = threading.Event()
    held = {"r2", "r3"}  # the replies of the first two commands wait until released

    def hold(call: Call) -> None:
        if call.method == "response_url" and call.key in held:
            release.wait(10)

    slack.on_call(hold)
    try:
        small.command("/beslut", "Ledningsgruppen beslutar att A", wait=False)  # r2: running
        slack.wait_for_calls("response_url", 2)  # the organ's answer and r2, held
        small.command("/beslut", "Ledningsgruppen beslutar att B", wait=False)  # r3: queued
        # B's work is handed over once its answer has gone: wait for that before C comes
        assert small.server.wait_idle()
        # The pool is full: this command's work runs on its request's thread, not behind B's
        # in the queue, so its reply comes while A's and B's are still held.
        small.command("/beslut", "Ledningsgruppen beslutar att C", wait=False)  # r4
        slack.wait_for(lambda calls: any(c.key == "r4" for c in calls))
        assert [c.key for c in slack.calls("response_url")] == ["r1", "r2", "r4"]
    finally:
        release.set()
    slack.wait_for_calls("response_url", 4)
    with small.product.db.transaction() as session:
        decisions = session.exec(select(Decision)).all()
    assert sorted(d.text[-1] for d in decisions) == ["A", "B", "C"]
    assert len({d.ref for d in decisions}) == 3
