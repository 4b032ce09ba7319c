"""The `crm` command: global options, and every sub-app mounted on one group."""

from __future__ import annotations

from typing import Annotated

import typer

from crm.cli import (
    contact,
    corrections,
    demo,
    events_log,
    exports,
    followup,
    imports,
    log,
    mission,
    org,
    partnership,
    projections_cmd,
    remind,
    reports,
    sign,
    store_commands,
    timeline,
)
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


store_commands.register(app)
app.add_typer(org.app, name="org")
app.add_typer(contact.app, name="contact")
app.add_typer(partnership.app, name="partnership")
app.add_typer(mission.app, name="mission")
app.add_typer(log.app, name="log")
app.command("sign")(sign.sign)
app.add_typer(followup.app, name="followup")
app.command("correct")(corrections.correct)
app.command("retract")(corrections.retract)
app.command("events")(events_log.events)
app.command("demo")(demo.demo)
app.command("timeline")(timeline.timeline)
app.command("upcoming")(reports.upcoming)
app.command("stale")(reports.stale)
app.command("search")(reports.search)
app.add_typer(projections_cmd.app, name="projections")
app.add_typer(remind.app, name="remind")
app.add_typer(imports.app, name="import")
app.add_typer(exports.app, name="export")
app.command("undo")(imports.undo)
app.command("backup")(exports.backup)
app.command("forget")(exports.forget)


def run() -> None:
    """Entry point of the `crm` console script."""
    app()
