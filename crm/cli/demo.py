"""`crm demo`: load the Liverpool-Kunming story, so a newcomer sees a real relationship."""

from __future__ import annotations

import typer

from crm.cli.console import Format, emit_object, note
from crm.cli.options import FormatOption
from crm.cli.session import Session


def demo(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Load the demo story (Liverpool and Kunming, 2015-2016); loading it again adds nothing.

    Example: crm --db sqlite:///demo.db demo && crm --db sqlite:///demo.db timeline Kunming
    """
    from crm.demo.loader import DemoLoader

    session = Session(ctx)
    written = DemoLoader(session.context()).load()
    session.app.after_command()
    store = session.app.store
    emit_object(
        {
            "events_written": written,
            "events_in_store": store.head_position(),
            "partnership": "Liverpool-Kunming Friendship Partnership",
        },
        fmt,
    )
    note("try: crm partnership show Liverpool-Kunming   crm contact list   crm followup list")
