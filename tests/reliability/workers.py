"""Processes for the reliability suite (module level, so `spawn` and `forkserver` find them).

Every worker writes what it achieved to a file as soon as it is acknowledged, one JSON line
per command, so the parent can hold the log to each acknowledgement after a crash.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from multiprocessing.synchronize import Event as Signal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from crm.commands import agreements, followups, interactions
from crm.commands.context import CommandContext
from crm.demo.loader import demo_id
from crm.errors import CrmError
from events.envelope import AppendContext, PendingEvent, StreamWrite
from events.errors import ConcurrencyError
from events.schemas.agreements import AgreementSigned
from events.schemas.followups import FollowUpCompleted, FollowUpOpened
from events.schemas.interactions import InteractionLogged
from events.schemas.values import Link, Person, When

PEOPLE = ("anderson", "millar", "cutler", "zhao", "guan")
OWNER = "international.office@liverpool.example"
SENDER = "crm@liverpool.example"
SENT_AT = datetime(2016, 6, 6, 7, 0, tzinfo=UTC)
"""When the mixed workers sweep: the Kunming delegation's 14-day reminder is due."""
BATCH = 3
"""Interactions written together by one multi-stream command in the append trials."""


def services(url: str) -> Any:
    """The application's services on `url`, as the CLI wires them."""
    from crm.bootstrap import bootstrap
    from crm.config import Settings

    return bootstrap(Settings.load(database_url=url, actor="worker"))


def meeting(rng: random.Random, interaction_id: UUID | None = None) -> InteractionLogged:
    """A meeting between two of the story's people, at a random hour of 2016."""
    return InteractionLogged(
        interaction_id=interaction_id or uuid4(),
        kind="meeting",
        held_at=datetime(2016, 3, 1, 10, tzinfo=UTC) + timedelta(hours=rng.randrange(5000)),
        timezone="Asia/Shanghai",
        participants=tuple(Person(contact_id=demo_id(p)) for p in rng.sample(PEOPLE, 2)),
        partnership_id=demo_id("liverpool-kunming"),
        subject=f"Talks {rng.randrange(10**6)}",
    )


def followup(owner: str, due: date, text: str, followup_id: UUID | None = None) -> FollowUpOpened:
    """A follow-up on the partnership, owned by `owner` and due on `due` (London)."""
    return FollowUpOpened(
        followup_id=followup_id or uuid4(),
        text=text,
        owner_email=owner,
        due=When(day=due, timezone="Europe/London"),
        links=(Link(kind="partnership", id=demo_id("liverpool-kunming")),),
    )


# -- sixteen processes mixing commands --------------------------------------------------------


def _log(ctx: CommandContext, rng: random.Random, new_id: UUID) -> None:
    interactions.log_interaction(ctx, meeting(rng, new_id))


def _sign(ctx: CommandContext, rng: random.Random, new_id: UUID) -> None:
    day = date(2016, 4, 1) + timedelta(days=rng.randrange(300))
    event = AgreementSigned(
        agreement_id=new_id,
        partnership_id=demo_id("liverpool-kunming"),
        title=f"Memorandum {rng.randrange(10**6)}",
        signed_on=day,
        place="Kunming",
        timezone="Asia/Shanghai",
        signatories=(Person(contact_id=demo_id("millar")),),
        expires_on=day + timedelta(days=1000),
    )
    agreements.sign_agreement(ctx, event)


def _follow_up(ctx: CommandContext, rng: random.Random, new_id: UUID) -> None:
    due = date(2016, 5, 1) + timedelta(days=rng.randrange(90))
    followups.handle(
        ctx,
        followup(OWNER, due, f"Call back {rng.randrange(10**6)}", new_id),
        followups.decide_open,
    )
    if rng.random() < 0.5:
        followups.handle(ctx, FollowUpCompleted(followup_id=new_id), followups.decide_complete)


def mixed_commands(
    url: str, worker: int, count: int, smtp: tuple[str, int], out: str, shared: list[str]
) -> None:
    """Run `count` random commands; log each outcome to `out` once it is known.

    Besides creating their own entries, workers race to complete the `shared` follow-ups:
    one completion each may win, the others must be refused and leave no trace.
    """
    from crm.reminders.digest import compose

    app = services(url)
    engine, mailer = reminder_sender(app, f"worker-{worker}", smtp)
    rng = random.Random(worker)

    def complete_shared(ctx: CommandContext, rng: random.Random, new_id: UUID) -> None:
        done = FollowUpCompleted(followup_id=new_id)
        followups.handle(ctx, done, followups.decide_complete)

    commands: list[tuple[float, str, Callable[[CommandContext, random.Random, UUID], None]]] = [
        (0.45, "interaction", _log),
        (0.6, "agreement", _sign),
        (0.8, "followup", _follow_up),
        (0.92, "complete", complete_shared),
    ]
    with Path(out).open("a") as log:
        for _ in range(count):
            choice = rng.random()
            outcome: dict[str, Any]
            for bound, kind, command in commands:
                if choice < bound:
                    new_id = uuid4()
                    if kind == "complete":
                        new_id = UUID(shared[rng.randrange(len(shared))])
                    try:
                        command(app.command_context(), rng, new_id)
                        outcome = {"ok": True, "kind": kind, "id": str(new_id)}
                    except (ConcurrencyError, CrmError) as refusal:
                        outcome = {
                            "ok": False,
                            "kind": kind,
                            "id": str(new_id),
                            "why": str(refusal),
                        }
                    break
            else:
                report = engine.run(
                    SENT_AT, lambda d, h: mailer.send(compose(d, SENDER), on_handover=h)
                )
                outcome = {"ok": True, "kind": "reminders", "sent": report.sent}
            log.write(json.dumps(outcome) + "\n")
            log.flush()
            app.after_command()
    app.close()


def reminder_sender(app: Any, name: str, smtp: tuple[str, int]) -> tuple[Any, Any]:
    """A reminder engine on `app`'s store and a mailer to the SMTP server at `smtp`."""
    from crm.reminders.engine import ReminderEngine
    from crm.reminders.mailer import Mailer
    from crm.reminders.rules import ReminderRules
    from crm.reminders.settings import ReminderSettings
    from crm.reminders.smtp_settings import SmtpSettings

    settings = SmtpSettings.load(
        {"host": smtp[0], "port": smtp[1], "security": "none", "sender": SENDER}, {}
    )
    engine = ReminderEngine(
        app.store,
        app.runner,
        ReminderSettings(rules=ReminderRules(default_timezone="Europe/London")),
        sender_id=name,
        domain="liverpool.example",
    )
    return engine, Mailer(settings)


# -- operations killed with SIGKILL -----------------------------------------------------------


def append_until_killed(url: str, ack: str, seed: int, ready: Signal) -> None:
    """Append commands forever: single meetings and batches of BATCH meetings in one go."""
    app = services(url)
    rng = random.Random(seed)
    with Path(ack).open("a") as log:
        ready.set()
        for i in range(10**9):
            ctx = app.command_context(correlation_id=uuid4())
            if i % 2:
                event = meeting(rng)
                interactions.log_interaction(ctx, event)
                done = {"kind": "single", "id": str(event.interaction_id)}
            else:
                writes = [
                    StreamWrite(f"interaction-{m.interaction_id}", [PendingEvent(m, m.held_at)], 0)
                    for m in (meeting(rng) for _ in range(BATCH))
                ]
                context = AppendContext(
                    actor="worker", source="batch", correlation_id=ctx.correlation_id
                )
                app.store.append_batch(writes, context=context, now=ctx.now)
                done = {"kind": "batch", "id": str(ctx.correlation_id)}
            log.write(json.dumps(done) + "\n")
            log.flush()


def catch_up(url: str, batch: int, ready: Signal) -> None:
    """Bring the read models up to the log in steps of `batch` events."""
    import projections.runner

    projections.runner.CATCH_UP_BATCH = batch  # more steps, so more places to be killed
    app = services(url)
    ready.set()
    app.runner.catch_up()


def rebuild(url: str, batch: int, ready: Signal) -> None:
    """Rebuild every read model in steps of `batch` events (resuming a killed rebuild)."""
    app = services(url)
    ready.set()
    app.runner.rebuild(batch_size=batch)


def rebuild_fed(url: str, batch: int, ready: Signal) -> None:
    """`rebuild`, with the interactions' rows computed by a helper process however few."""
    import projections.runner

    projections.runner.FEED_FROM = 0
    rebuild(url, batch, ready)


def import_contacts(url: str, csv_path: str, ready: Signal) -> None:
    """`crm import contacts FILE`, as a user runs it."""
    from crm.cli.main import run

    sys.argv = [
        "crm",
        "--db",
        url,
        "import",
        "csv",
        csv_path,
        "--kind",
        "contacts",
        "--format",
        "json",
    ]
    ready.set()
    run()


def send_reminders(url: str, smtp: tuple[str, int], now: datetime, ready: Signal) -> None:
    """One reminder sweep at `now`, mailing to `smtp`."""
    from crm.reminders.digest import compose

    app = services(url)
    engine, mailer = reminder_sender(app, "daemon", smtp)
    ready.set()
    engine.run(now, lambda d, h: mailer.send(compose(d, SENDER), on_handover=h))
