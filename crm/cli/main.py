"""The `crm` command: global options, and every sub-app mounted on one group."""

from __future__ import annotations

import gc
from typing import Annotated

import typer

from crm.cli.context import AppContext
from crm.cli.group import CrmGroup

app = typer.Typer(
    cls=CrmGroup,
    name="crm",
    help="Trade-mission CRM: log relationships across borders; never drop a follow-up.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="CRM_DATABASE_URL",
            help="Store URL: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB.",
            show_envvar=True,
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            envvar="CRM_ACTOR",
            help="Who is acting (recorded on every event); default: your login name.",
            show_envvar=True,
        ),
    ] = None,
) -> None:
    """Trade-mission CRM: log relationships across borders; never drop a follow-up."""
    app_context = AppContext(database_url=db, actor=actor)
    ctx.obj = app_context
    ctx.call_on_close(app_context.close)


LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("crm.cli.store_commands", "init", "Create the store, or bring its schema up to date."),
    "status": ("crm.cli.store_commands", "status", "Summarise the store: where, schema, events."),
    "verify": ("crm.cli.store_commands", "verify", "Check the hash chain and the read models."),
    "demo": ("crm.cli.demo", "demo", "Load the Liverpool-Kunming story."),
    "org": ("crm.cli.org", "app", "Organisations: city governments, agencies, companies."),
    "contact": ("crm.cli.contact", "app", "Contacts: people, details, titles over time."),
    "partnership": ("crm.cli.partnership", "app", "Partnerships and their status."),
    "mission": ("crm.cli.mission", "app", "Trade missions abroad and delegations we host."),
    "log": ("crm.cli.log", "app", "Log a meeting, call, email, message, banquet, note."),
    "sign": ("crm.cli.sign", "sign", "Record a signing; the partnership becomes active."),
    "followup": ("crm.cli.followup", "app", "Follow-ups: never drop one."),
    "correct": ("crm.cli.corrections", "correct", "Correct fields of any entry."),
    "retract": ("crm.cli.corrections", "retract", "Withdraw an entry logged in error."),
    "events": ("crm.cli.events_log", "events", "Show the raw event log, for audit."),
    "timeline": ("crm.cli.timeline", "timeline", "The timeline report of a relationship."),
    "upcoming": ("crm.cli.reports", "upcoming", "Visits, follow-ups and expiries ahead."),
    "stale": ("crm.cli.reports", "stale", "What has gone quiet."),
    "search": ("crm.cli.reports", "search", "Find anything by words."),
    "projections": ("crm.cli.projections_cmd", "app", "Read models: status and rebuild."),
    "remind": ("crm.cli.remind", "app", "Reminder emails: send, daemon, preview, status."),
    "import": ("crm.cli.imports", "app", "Bring data in: CSV, vCard, an exported log."),
    "export": ("crm.cli.exports", "app", "Send data out: vCards, calendars, the log."),
    "undo": ("crm.cli.imports", "undo", "Retract every entry of an import batch."),
    "backup": ("crm.cli.exports", "backup", "Copy a SQLite store while others write."),
    "forget": ("crm.cli.exports", "forget", "Erase a person: delete their key."),
}
"""Every command: its module, what to mount, and its one-line help. Loaded on use only, so
starting `crm` builds one sub-app, not all of them."""

CrmGroup.lazy_commands = LAZY_COMMANDS
CrmGroup.collected_commands = frozenset(
    {"remind", "projections", "import", "undo", "export", "verify", "events"}
)


def run() -> None:
    """Entry point of the `crm` console script.

    Most commands are short, and most objects they create are the modules they import: the
    cyclic garbage collector walked those again and again, a seventh of `crm timeline`'s CPU
    time. So it starts switched off; commands that may run for long switch it back on.
    """
    gc.disable()
    app()
