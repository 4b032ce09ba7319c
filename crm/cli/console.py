"""All terminal output: tables (rich), JSON and CSV for scripts, ids and notes."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any
from uuid import UUID


class Format(StrEnum):
    """Output formats of list and show commands."""

    table = "table"
    json = "json"
    csv = "csv"


class ReportFormat(StrEnum):
    """Output formats of reports."""

    table = "table"
    md = "md"
    html = "html"
    json = "json"
    csv = "csv"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any) -> Any:
    """Turn a value into what JSON holds: ISO dates, text ids, lists."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def to_json(data: Any) -> str:
    """Serialise for scripts: stable keys as given, UTF-8 text; indented on a terminal,
    compact when piped.

    orjson writes dataclasses, dates, ids and enums itself (dates in ISO 8601, as
    `isoformat` spells them), four times as fast as the stdlib's encoder on a 5,000-entry
    timeline; `plain` turns whatever else it meets (sets, decimals, mappings) into JSON values.
    """
    import orjson

    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if sys.stdout.isatty() else 0)
    return orjson.dumps(data, default=_json_default, option=option).decode()


def _json_default(value: Any) -> Any:
    converted = plain(value)
    if converted is value:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
    return converted


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int | None], None]]:
    """A transient progress bar on stderr, updated with (done, total or None).

    Only on a terminal: a script or a pipe sees nothing, and the command skips importing
    rich's live display (40 ms here).
    """
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def write(text: str) -> None:
    """Write data to stdout, ending with a newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def note(text: str) -> None:
    """Write a message for the person at the terminal to stderr (never part of the data)."""
    sys.stderr.write(text + "\n")


def cell(value: Any) -> str:
    """Render one value for a table or CSV cell."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={cell(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def safe_csv_cell(value: Any) -> str:
    """Render a CSV cell that a spreadsheet will not run as a formula."""
    text = cell(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def emit_rows(
    rows: Sequence[Mapping[str, Any]],
    fmt: Format | ReportFormat,
    columns: Sequence[str],
    *,
    title: str | None = None,
) -> None:
    """Print records as a table, a JSON array or CSV with the given columns."""
    if fmt.value == "json":
        write(to_json(list(rows)))
    elif fmt.value == "csv":
        _write_csv(rows, columns)
    else:
        _print_table(rows, columns, title)


def emit_object(record: Mapping[str, Any], fmt: Format | ReportFormat) -> None:
    """Print one record: a two-column table, a JSON object or one CSV row."""
    if fmt.value == "json":
        write(to_json(record))
    elif fmt.value == "csv":
        _write_csv([record], list(record))
    else:
        fields = [{"field": k.replace("_", " "), "value": cell(v)} for k, v in record.items()]
        _print_table(fields, ["field", "value"], None, show_header=False)


def emit_created(kind: str, entry_id: UUID | str, fmt: Format, **details: Any) -> None:
    """Report a new entry: its id on stdout (JSON with details under --format json)."""
    if fmt is Format.json:
        write(to_json({"id": str(entry_id), "kind": kind, **details}))
    else:
        write(str(entry_id))
        label = details.get("name") or details.get("subject") or details.get("title") or ""
        note(f"{kind} {str(entry_id)[:8]} recorded" + (f": {label}" if label else ""))


def _write_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_csv_cell(row.get(column)) for column in columns])


def _print_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    title: str | None,
    *,
    show_header: bool = True,
) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, show_header=show_header, header_style="bold")
    for column in columns:
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        values = [cell(row.get(column)) for column in columns]
        if "id" in columns:  # tables show the short id users type; JSON and CSV keep it whole
            at = list(columns).index("id")
            values[at] = values[at][:8]
        table.add_row(*(escape(v) for v in values))
    Console(soft_wrap=False).print(table)
    if not rows:
        note("(nothing to show)")
