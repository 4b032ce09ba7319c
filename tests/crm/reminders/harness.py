"""A reminder engine on a real store with the demo story, sending to a loopback SMTP server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crm.commands.context import CommandContext
from crm.reminders.digest import compose
from crm.reminders.engine import ReminderEngine, RunReport
from crm.reminders.mailer import Mailer
from crm.reminders.model import Digest
from crm.reminders.rules import ReminderRules
from crm.reminders.settings import ReminderSettings
from crm.reminders.smtp_settings import SmtpSettings
from events.connect import open_store
from events.sql_store import SqlEventStore
from projections.catalog import all_projections
from projections.runner import ProjectionRunner
from tests.conftest import FakeClock

SENDER = "reminders@liverpool.example"
OWNER = "international.office@liverpool.example"


@dataclass
class Harness:
    """One sender: a store, its projections, an engine and a mailer."""

    store: SqlEventStore
    runner: ProjectionRunner
    engine: ReminderEngine
    mailer: Mailer
    clock: FakeClock

    def send(self, digest: Digest, handover: Callable[[], None]) -> None:
        self.mailer.send(compose(digest, SENDER), on_handover=handover)

    def run(self, at: datetime | None = None) -> RunReport:
        if at is not None:
            self.clock.now = at
        return self.engine.run(self.clock.now, self.send)

    def context(self) -> CommandContext:
        return CommandContext(store=self.store, now=self.clock.now, actor="officer")

    def close(self) -> None:
        self.store.engine.dispose()


def harness(url: str, sink: Any, clock: FakeClock, name: str = "sender-1", **rules: Any) -> Harness:
    """A sender against the store at `url`, mailing to `sink`."""
    store = open_store(url, clock=clock)
    runner = ProjectionRunner(store, all_projections())
    settings = ReminderSettings(rules=ReminderRules(default_timezone="Europe/London", **rules))
    smtp = SmtpSettings.load(
        {"host": sink.host, "port": sink.port, "security": "none", "sender": SENDER}, {}
    )
    engine = ReminderEngine(store, runner, settings, sender_id=name, domain="liverpool.example")
    return Harness(store, runner, engine, Mailer(smtp), clock)


def load_demo(h: Harness) -> None:
    """The Liverpool-Kunming story, as the demo loads it."""
    from crm.demo.loader import DemoLoader

    DemoLoader(h.context()).load()
