"""APScheduler only wakes the reminder planner up: at the exact next send time, and on a slow
safety tick. Nothing is stored in the scheduler; the plan and the ledger live in the database,
so restarts and replicas are safe (APScheduler 3 job stores cannot be shared between processes)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot import cycle
from bot.core import ledger
from bot.reminders import Reminders

log = logging.getLogger(__name__)
SAFETY_TICK = timedelta(minutes=5)


class Wakeups:
    def __init__(
        self,
        reminders: Reminders,
        *,
        safety: timedelta = SAFETY_TICK,
        resume: list[Callable[[], object]] | None = None,
    ) -> None:
        self.reminders = reminders
        self.safety = safety
        # What else the safety tick finishes: batches a crash cut short (the delivery ledger's,
        # the invitations'), each after its lease.
        self.resume = resume if resume is not None else [self._resume_ledger]
        self.scheduler = BackgroundScheduler(timezone=UTC)
        self._busy = threading.Lock()
        self._again = False

    def start(self) -> None:
        self.scheduler.add_job(
            self.wake,
            "interval",
            seconds=self.safety.total_seconds(),
            id="safety",
            next_run_time=datetime.now(UTC),  # catch up at start
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.start()

    def _resume_ledger(self) -> None:
        ledger.resume(self.reminders.app, self.reminders.notifier)

    def stop(self) -> None:
        self.scheduler.shutdown(wait=False)

    def wake(self) -> None:
        if not self._busy.acquire(blocking=False):
            self._again = True  # the running tick will look once more when it is done
            return
        try:
            while True:
                self._again = False
                try:
                    report = self.reminders.tick()
                except Exception:
                    log.exception("reminder tick failed; the safety tick will try again")
                    return
                if report.sent or report.failed:
                    log.info("reminders: %d sent, %d failed", len(report.sent), len(report.failed))
                try:  # the meeting cycle: one reminder about missing material
                    cycle.remind_material(self.reminders.app, self.reminders.notifier)
                except Exception:
                    log.exception("material reminders failed; the safety tick will try again")
                for resume in self.resume:
                    try:
                        resume()
                    except Exception:
                        log.exception("resuming deliveries failed; the safety tick will try again")
                if not self._again:
                    break
        finally:
            self._busy.release()
        if report.next_at is not None:
            # No grace limit: a wake-up due while a long tick ran still happens, at once.
            self.scheduler.add_job(
                self.wake,
                "date",
                run_date=report.next_at,
                id="exact",
                replace_existing=True,
                misfire_grace_time=None,
            )
