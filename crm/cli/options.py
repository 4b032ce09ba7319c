"""Option types shared by many commands."""

from __future__ import annotations

from typing import Annotated

import typer

from crm.cli.console import Format

FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, json or csv.")
]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (kept in the log).")]
TimezoneOption = Annotated[
    str | None,
    typer.Option("--timezone", help="IANA time zone, e.g. Asia/Shanghai (default: the place's)."),
]
