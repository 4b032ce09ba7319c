"""`crm correct` and `crm retract`: change what was logged without editing it in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

import typer

from crm.cli.console import Format
from crm.cli.options import FormatOption, ReasonOption
from crm.cli.session import Session

ENTRY_KINDS = [
    "interaction",
    "agreement",
    "followup",
    "mission",
    "partnership",
    "contact",
    "organisation",
]
LIST_FIELDS = {"aliases", "emails", "phones", "languages", "tags", "sectors", "outcomes"}
Parser = Callable[[Session, str, dict[str, Any]], Any]


def _text(field: str) -> Parser:
    from crm import fields

    return lambda _s, value, _e: fields.one_line(value, f"--set {field}")


def _parsers() -> dict[str, Parser]:
    from crm import fields
    from crm.dates import parse_timezone

    def long(field: str) -> Parser:
        return lambda _s, value, _e: fields.long_text(value, f"--set {field}") or None

    def boolean(_s: Session, value: str, _e: dict[str, Any]) -> bool:
        if value.lower() in ("yes", "true", "1"):
            return True
        if value.lower() in ("no", "false", "0"):
            return False
        raise typer.BadParameter(f"{value!r} is not yes or no", param_hint="--set")

    def held_at(session: Session, value: str, entry: dict[str, Any]) -> str:
        return session.when(value, entry.get("timezone")).start().isoformat()

    def reference(kind: str) -> Parser:
        return lambda session, value, _e: str(session.resolve_id([kind], value))

    return {
        "summary": long("summary"),
        "notes": long("notes"),
        "emails": lambda _s, v, _e: fields.email(v, "--set emails"),
        "owner_email": lambda _s, v, _e: fields.email(v, "--set owner_email"),
        "phones": lambda _s, v, _e: fields.phone(v, "--set phones"),
        "country": lambda _s, v, _e: fields.country(v),
        "sectors": lambda _s, v, _e: fields.sector(v),
        "timezone": lambda _s, v, _e: parse_timezone(v),
        "family_name_first": boolean,
        "held_at": held_at,
        "signed_on": lambda session, v, _e: session.day(v).isoformat(),
        "expires_on": lambda session, v, _e: session.day(v).isoformat(),
        "partnership_id": reference("partnership"),
        "mission_id": reference("mission"),
    }


def parse_changes(session: Session, sets: list[str], entry: dict[str, Any]) -> dict[str, Any]:
    """Turn `FIELD=VALUE` pairs into typed changes; a list field repeated builds a list."""
    parsers = _parsers()
    changes: dict[str, Any] = {}
    for item in sets:
        field, sep, raw = item.partition("=")
        field = field.strip().replace("-", "_")
        if not sep or not field:
            raise typer.BadParameter(f"{item!r} is not FIELD=VALUE", param_hint="--set")
        value = parsers.get(field, _text(field))(session, raw, entry)
        if field in LIST_FIELDS:
            changes.setdefault(field, []).append(value)
        elif field in changes:
            raise typer.BadParameter(f"{field} is set twice", param_hint="--set")
        else:
            changes[field] = value
    return changes


def correct(
    ctx: typer.Context,
    ref: Annotated[
        str, typer.Argument(metavar="REF", help="The entry: id, id prefix, name or subject.")
    ],
    set_: Annotated[list[str], typer.Option("--set", help="FIELD=VALUE (repeatable).")],
    reason: ReasonOption,
    fmt: FormatOption = Format.table,
) -> None:
    """Correct fields of any logged entry; the original stays in the log.

    Example: crm correct 3f2a91c0 --set "held_at=2016-02-26 10:00" --reason "Logged a day early"
    """
    from crm import fields
    from crm.commands.corrections import CorrectEntry, correct_entry

    session = Session(ctx)
    with session.lookup() as lookup:
        entry = lookup.resolve(ENTRY_KINDS, ref, what="entry")
    cmd = CorrectEntry(
        kind=entry.kind,  # type: ignore[arg-type]
        entry_id=UUID(entry.entry_id),
        changes=parse_changes(session, set_, entry.data),
        reason=fields.one_line(reason, "--reason"),
    )
    session.run(correct_entry, cmd)
    session.created(entry.kind, cmd.entry_id, fmt, corrected=sorted(cmd.changes))


def retract(
    ctx: typer.Context,
    ref: Annotated[
        str, typer.Argument(metavar="REF", help="The entry: id, id prefix, name or subject.")
    ],
    reason: ReasonOption,
    fmt: FormatOption = Format.table,
) -> None:
    """Withdraw an entry logged in error; it leaves current views and stays in the log.

    Example: crm retract 3f2a91c0 --reason "Duplicate of the banquet entry"
    """
    from crm import fields
    from crm.commands.corrections import RetractEntry, retract_entry

    session = Session(ctx)
    with session.lookup() as lookup:
        entry = lookup.resolve(ENTRY_KINDS, ref, what="entry")
    cmd = RetractEntry(
        kind=entry.kind,  # type: ignore[arg-type]
        entry_id=UUID(entry.entry_id),
        reason=fields.one_line(reason, "--reason"),
    )
    session.run(retract_entry, cmd)
    session.created(entry.kind, cmd.entry_id, fmt, retracted=True)
