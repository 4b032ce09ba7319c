"""The `crm` command: global options, and every sub-app mounted on one group."""

from __future__ import annotations

from typing import Annotated

import typer

from crm.cli import store_commands
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


def run() -> None:
    """Entry point of the `crm` console script."""
    app()
