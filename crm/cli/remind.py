"""`crm remind`: send what is due (once), run the daemon, preview, and report status."""

from __future__ import annotations

import os
import socket
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crm.cli.console import Format, emit_object, emit_rows, note
from crm.cli.options import FormatOption
from crm.cli.session import Session

if TYPE_CHECKING:
    from crm.reminders.engine import ReminderEngine, Send

app = typer.Typer(
    rich_markup_mode=None,
    help="Reminder emails: before visits, when follow-ups fall due, before expiry.",
)


def _engine(session: Session, *, with_smtp: bool) -> tuple[ReminderEngine, Send | None]:
    from crm.reminders.engine import ReminderEngine
    from crm.reminders.settings import ReminderSettings

    settings = session.app.settings
    send: Send | None = None
    domain = "localhost"
    if with_smtp:
        from crm.reminders.digest import compose
        from crm.reminders.mailer import Mailer
        from crm.reminders.smtp_settings import SmtpSettings

        smtp = SmtpSettings.load(settings.section("smtp"), os.environ)
        mailer = Mailer(smtp)
        domain = smtp.sender.rsplit("@", 1)[1]

        def send(digest: Any, handover: Any) -> None:
            mailer.send(compose(digest, smtp.sender), on_handover=handover)

    engine = ReminderEngine(
        session.app.store,
        session.app.runner,
        ReminderSettings.from_settings(settings),
        sender_id=f"{socket.gethostname()}:{os.getpid()}",
        domain=domain,
    )
    return engine, send


def _sweep(session: Session, engine: ReminderEngine, send: Send | None, now: datetime) -> Any:
    from crm.reminders.heartbeat import record_run

    report = engine.run(now, send)
    record_run(session.app.store.engine, engine.sender_id, now, session.app.clock(), report)
    return report


@app.command("send")
def send_due(
    ctx: typer.Context,
    at: Annotated[
        str | None, typer.Option("--at", help="Act as if it were this moment (default: now).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be sent; send and record nothing.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Send every reminder due now (each once, however many senders run), for cron or timers.

    Example: crm remind send --dry-run
    """
    session = Session(ctx)
    now = session.instant(at) if at else session.now
    engine, send = _engine(session, with_smtp=not dry_run)
    if dry_run:
        plan = engine.plan(now)
        rows = [_row(item) for item in plan.due]
        rows += [_row(item, "skip: too late") for item in plan.too_late]
        rows += [
            {**state, "title": "", "detail": "", "status": "settle: sent, unconfirmed"}
            for state in plan.settle
        ]
        emit_rows(rows, fmt, ["due_at", "rule", "title", "recipient", "status"], title="Would send")
        return
    report = _sweep(session, engine, send, now)
    emit_object(
        {
            "sent": len(report.sent),
            "unconfirmed": len(report.unconfirmed),
            "digests": report.digests,
            "failed": len(report.failed),
            "skipped": len(report.skipped),
            "claimed_elsewhere": report.claimed_elsewhere,
            "errors": report.errors,
        },
        fmt,
    )
    if report.failed:
        raise typer.Exit(1)


def _row(item: Any, status: str = "due") -> dict[str, Any]:
    return {
        "due_at": item.due_at,
        "rule": item.rule,
        "title": item.title,
        "detail": item.detail,
        "recipient": item.recipient,
        "key": item.key,
        "status": status,
    }


@app.command("daemon")
def daemon(
    ctx: typer.Context,
    interval: Annotated[
        float, typer.Option("--interval", min=1, max=86_400, help="Seconds between sweeps.")
    ] = 60.0,
) -> None:
    """Run the reminder scheduler until SIGTERM or Ctrl-C; logs what it sends.

    Example: crm remind daemon --interval 60
    """
    import logging
    import threading

    from crm.reminders.scheduler import run_daemon

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    session = Session(ctx)
    engine, send = _engine(session, with_smtp=True)

    def sweep() -> None:
        _sweep(session, engine, send, session.app.clock())

    run_daemon(sweep, interval, threading.Event())


@app.command("preview")
def preview(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", min=0, max=366, help="How far ahead.")] = 14,
    fmt: FormatOption = Format.table,
) -> None:
    """Show what will be sent in the coming days, to whom and when (in their zone).

    Example: crm remind preview --days 30
    """
    session = Session(ctx)
    engine, _ = _engine(session, with_smtp=False)
    rows = [_row(item, "planned") for item in engine.preview(session.now, days)]
    emit_rows(
        rows, fmt, ["due_at", "rule", "title", "recipient", "detail"], title="Reminders ahead"
    )


@app.command("status")
def status(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Show the last runs, and reminders pending, failed and recently sent.

    Example: crm remind status --format json
    """
    from crm.reminders.heartbeat import last_runs
    from projections.reminders import states_with_status

    session = Session(ctx)
    with session.app.views() as conn:
        pending = states_with_status(conn, ["claimed", "handed_over"])
        failed = states_with_status(conn, ["failed"])
        sent = states_with_status(conn, ["sent", "sent_unconfirmed"], limit=20)
        skipped = states_with_status(conn, ["skipped"], limit=20)
    runs = last_runs(session.app.store.engine)

    def brief(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
        keep = (
            "key",
            "status",
            "recipient",
            "due_at",
            "attempts",
            "retry_at",
            "last_error",
            "updated_at",
        )
        return [{k: s[k] for k in keep} for s in states]

    record = {
        "last_run": runs[0] if runs else None,
        "senders": runs,
        "pending": brief(pending),
        "failed": brief(failed),
        "recently_sent": brief(sent),
        "recently_skipped": brief(skipped),
    }
    if fmt is Format.json:
        emit_object(record, fmt)
        return
    last = runs[0]["finished_at"] if runs else "never"
    note(f"last run: {last}; pending {len(pending)}, failed {len(failed)}")
    emit_rows(
        [{**s, "state": "failed"} for s in brief(failed)]
        + [{**s, "state": "pending"} for s in brief(pending)]
        + [{**s, "state": "sent"} for s in brief(sent)],
        fmt,
        ["state", "due_at", "recipient", "key", "attempts", "last_error"],
        title="Reminders",
    )
