"""`crm mission`: outbound trade missions and inbound delegation visits."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID, uuid4

import typer

from crm.cli.console import Format, emit_object, emit_rows
from crm.cli.options import FormatOption, ReasonOption, TimezoneOption
from crm.cli.session import Session, place_zone

app = typer.Typer(rich_markup_mode=None, help="Trade missions abroad and delegations we host.")

COLUMNS = ["id", "name", "direction", "starts", "ends", "places", "status", "participants"]
Contacts = Annotated[list[str] | None, typer.Option()]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The mission's name.")],
    direction: Annotated[str, typer.Option("--direction", help="inbound or outbound.")],
    start: Annotated[str, typer.Option("--start", help="First day (or day and time).")],
    end: Annotated[str, typer.Option("--end", help="Last day (or day and time).")],
    place: Annotated[list[str], typer.Option("--place", help="A place visited (repeatable).")],
    timezone: TimezoneOption = None,
    partnership: Annotated[
        list[str] | None, typer.Option("--partnership", help="A linked partnership.")
    ] = None,
    head: Annotated[str | None, typer.Option("--head", help="Head of delegation.")] = None,
    participant: Annotated[
        list[str] | None, typer.Option("--participant", help="A member, in precedence order.")
    ] = None,
    interpreter: Annotated[list[str] | None, typer.Option("--interpreter")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Plan a mission or delegation visit; times without a zone are in the first place's zone.

    Example: crm mission add "Kunming delegation to IFB 2016" --direction inbound
    --start 2016-06-14 --end 2016-06-17 --place Liverpool --partnership Liverpool-Kunming
    --head "Zhao Xuenong" --participant "Guan Qinghua"
    """
    from crm import fields
    from crm.commands.missions import decide_plan, handle
    from crm.dates import parse_timezone
    from events.schemas.missions import MissionParticipant, MissionPlanned, Place

    session = Session(ctx)
    if direction not in ("inbound", "outbound"):
        raise typer.BadParameter("use inbound or outbound", param_hint="--direction")
    names = [fields.one_line(p, "--place") for p in place]
    with session.lookup() as lookup:
        explicit = parse_timezone(timezone) if timezone else None
        zones = [explicit or place_zone(lookup, p) or session.zone for p in names]
        partnerships = [
            UUID(lookup.resolve(["partnership"], p).entry_id) for p in partnership or ()
        ]
        roles = [(head, "head_of_delegation")] if head else []
        roles += [(p, "member") for p in participant or ()]
        roles += [(p, "interpreter") for p in interpreter or ()]
        people = [
            MissionParticipant(
                contact_id=UUID(lookup.resolve(["contact"], who).entry_id),
                role=role,
                precedence=rank,
            )
            for rank, (who, role) in enumerate(roles, 1)
        ]
    event = MissionPlanned(
        mission_id=uuid4(),
        name=fields.one_line(name, "NAME"),
        direction=direction,
        starts=session.when(start, zones[0]),
        ends=session.when(end, zones[-1]),
        places=tuple(Place(name=n, timezone=z) for n, z in zip(names, zones, strict=True)),
        partnership_ids=tuple(partnerships),
        participants=tuple(people),
    )
    session.run(handle, event, decide_plan)
    session.created("mission", event.mission_id, fmt, name=event.name)


@app.command("reschedule")
def reschedule(
    ctx: typer.Context,
    mission: Annotated[str, typer.Argument(metavar="MISSION", help="The mission.")],
    start: Annotated[str, typer.Option("--start")],
    end: Annotated[str, typer.Option("--end")],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Move a mission to new dates (its reminders move with it).

    Example: crm mission reschedule "Kunming delegation" --start 2016-06-21 --end 2016-06-24
    """
    from crm import fields
    from crm.commands.missions import decide_reschedule, handle
    from events.schemas.missions import MissionRescheduled

    session = Session(ctx)
    with session.lookup() as lookup:
        entry = lookup.resolve(["mission"], mission)
    places = entry.data.get("places") or [{"timezone": session.zone}]
    event = MissionRescheduled(
        mission_id=UUID(entry.entry_id),
        starts=session.when(start, places[0]["timezone"]),
        ends=session.when(end, places[-1]["timezone"]),
        reason=fields.optional_line(reason, "--reason"),
    )
    session.run(handle, event, decide_reschedule)
    session.created("mission", event.mission_id, fmt, name=entry.label)


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    mission: Annotated[str, typer.Argument(metavar="MISSION", help="The mission.")],
    reason: ReasonOption,
    fmt: FormatOption = Format.table,
) -> None:
    """Call a mission off, for a reason.

    Example: crm mission cancel "Kunming delegation" --reason "Visa delays"
    """
    from crm import fields
    from crm.commands.missions import decide_cancel, handle
    from events.schemas.missions import MissionCancelled

    session = Session(ctx)
    event = MissionCancelled(
        mission_id=session.resolve_id(["mission"], mission),
        reason=fields.one_line(reason, "--reason"),
    )
    session.run(handle, event, decide_cancel)
    session.created("mission", event.mission_id, fmt, status="cancelled")


def mission_row(conn: Any, entry: Any) -> dict[str, Any]:
    """One mission as listed."""
    from crm.dates import format_when
    from crm.reports.people import contact_name
    from events.schemas.values import When
    from projections.directory import get_entry

    data = entry.data
    people = []
    for person in sorted(data.get("participants", []), key=lambda p: p["precedence"]):
        found = get_entry(conn, person["contact_id"])
        label = contact_name(found.data) if found else "?"
        people.append(f"{label} ({person['role'].replace('_', ' ')})")
    return {
        "id": entry.entry_id,
        "name": data["name"],
        "direction": data["direction"],
        "starts": format_when(When.model_validate(data["starts"])),
        "ends": format_when(When.model_validate(data["ends"])),
        "places": [p["name"] for p in data.get("places", [])],
        "status": "cancelled" if data.get("cancelled") else "planned",
        "participants": people,
    }


@app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """List missions and visits.

    Example: crm mission list --format json
    """
    from projections.directory import list_entries

    with Session(ctx).app.views() as conn:
        rows = [mission_row(conn, e) for e in list_entries(conn, "mission")]
    rows.sort(key=lambda r: r["starts"])
    emit_rows(rows, fmt, COLUMNS, title="Missions and visits")


@app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="Id, id prefix or name.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Show one mission: dates, places, people in precedence order.

    Example: crm mission show "Kunming delegation"
    """
    session = Session(ctx)
    with session.app.view_lookup() as lookup:
        record = mission_row(lookup.conn, lookup.resolve(["mission"], ref))
    emit_object(record, fmt)
