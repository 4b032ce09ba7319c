"""One CSV row of each kind, checked and turned into the events it would write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from crm import fields
from crm.commands.contacts import Contact, decide_register
from crm.commands.interactions import Interaction, decide_log
from crm.dates import parse_day, parse_timezone, parse_when
from crm.errors import BadInputError, UnknownReferenceError
from crm.lookup import Lookup
from events.event import Event
from events.ids import new_uuid
from events.schemas.contacts import ContactRegistered, FirstRole
from events.schemas.followups import FollowUpOpened
from events.schemas.interactions import InteractionLogged
from events.schemas.organisations import OrganisationRegistered
from events.schemas.values import Link, Person
from projections.directory import name_keys, roles_of
from projections.names import name_key

Writes = list[tuple[str, list[Event]]]
YES = {"yes", "y", "true", "1", "x"}


def _no_place_zone(place: str) -> str | None:
    return None


@dataclass
class RowContext:
    """What rows are checked against: the directory, the clock, and the file so far."""

    lookup: Lookup[Any]
    now: datetime
    zone: str
    default_owner: str | None = None
    zone_of_place: Callable[[str], str | None] = _no_place_zone
    """The zone of a place, as `crm log` finds it (the CLI passes its own rule in)."""
    new_orgs: dict[str, UUID] = field(default_factory=dict)
    """Organisations this file creates, by name key (created once, on first mention)."""
    line: int = 0
    """The line of the row being read."""
    seen: dict[str, int] = field(default_factory=dict)
    """Emails and names of rows already read, with their lines (duplicates within the file)."""
    _place_zones: dict[str, str | None] = field(default_factory=dict)
    _names: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def find(self, kind: str, text: str) -> list[str]:
        """Ids of entries of a kind with exactly this name: one query per kind per import."""
        return self.find_key(kind, name_key(text))

    def find_key(self, kind: str, key: str) -> list[str]:
        """Ids of entries of a kind with a name of this comparable form (see `name_key`)."""
        if kind not in self._names:
            index: dict[str, list[str]] = {}
            for known, entry_id in name_keys(self.lookup.conn, [kind]):
                index.setdefault(known, []).append(entry_id)
            self._names[kind] = index
        found = self._names[kind].get(key)
        return sorted(set(found)) if found else []

    def first_seen(self, *identities: str) -> int | None:
        """The line an earlier row had one of these identities on, if any."""
        return next((self.seen[i] for i in identities if i in self.seen), None)

    def remember(self, *identities: str) -> None:
        """Note this row's identities for later rows."""
        for identity in identities:
            self.seen.setdefault(identity, self.line)

    def place_zone(self, place: str | None) -> str | None:
        """The zone of a place, asked once per place per import."""
        if not place:
            return None
        if place not in self._place_zones:
            self._place_zones[place] = self.zone_of_place(place)
        return self._place_zones[place]

    @property
    def today(self) -> date:
        from zoneinfo import ZoneInfo

        return self.now.astimezone(ZoneInfo(self.zone)).date()

    def organisation(self, name: str) -> tuple[UUID, Writes]:
        """An existing organisation, or one this import creates (written with its first row).

        A name shared by several organisations is refused, as `crm contact add --org` does:
        guessing would file the person under the wrong one, creating would add a third.
        """
        key = name_key(name)
        found = self.find_key("organisation", key)
        if len(found) > 1:
            from crm.lookup import described
            from projections.directory import get_entry

            entries = [e for e in (get_entry(self.lookup.conn, i) for i in found) if e is not None]
            raise UnknownReferenceError(
                f"{name.strip()!r} matches several organisations", described(entries)
            )
        if found:
            return UUID(found[0]), []
        if key in self.new_orgs:
            return self.new_orgs[key], []
        org_id = new_uuid()
        self.new_orgs[key] = org_id
        event = OrganisationRegistered(
            organisation_id=org_id, name=fields.one_line(name, "organisation")
        )
        return org_id, [(f"organisation-{org_id}", [event])]


def _split(raw: dict[str, str], name: str) -> list[str]:
    text = raw.get(name)
    if not text:  # most optional columns are absent or empty
        return []
    return [part.strip() for part in text.split(";") if part.strip()]


def _flag(raw: dict[str, str], name: str) -> bool:
    return raw.get(name, "").strip().lower() in YES


def contact_row(raw: dict[str, str], ctx: RowContext) -> tuple[Writes, str | None]:
    """name (or family_name and given_name), organisation, title, since, email, phone..."""
    first = _flag(raw, "family_name_first")
    family, given = raw.get("family_name"), raw.get("given_name")
    if not family:
        full = fields.one_line(raw.get("name", ""), "name")
        family, given = fields.split_name(full, family_first=first)
    contact_id = new_uuid()
    emails = tuple(fields.email(e, "email") for e in _split(raw, "email") + _split(raw, "emails"))
    writes: Writes = []
    role = None
    org_name = raw.get("organisation") or raw.get("org")
    if org_name:
        org_id, writes = ctx.organisation(org_name)
        role = FirstRole(
            role_id=new_uuid(),
            organisation_id=org_id,
            title=fields.one_line(raw.get("title", "Contact"), "title"),
            since=parse_day(raw["since"], today=ctx.today) if raw.get("since") else None,
        )
    contact = ContactRegistered(
        contact_id=contact_id,
        family_name=fields.one_line(family, "family_name"),
        given_name=fields.optional_line(given, "given_name") or "",
        family_name_first=first,
        native_name=fields.optional_line(raw.get("native_name"), "native_name"),
        preferred_name=fields.optional_line(raw.get("preferred_name"), "preferred_name"),
        honorific=fields.optional_line(raw.get("honorific"), "honorific"),
        emails=emails,
        phones=tuple(
            fields.phone(p, "phone") for p in _split(raw, "phone") + _split(raw, "phones")
        ),
        notes=fields.long_text(raw.get("notes", ""), "notes") or None,
        languages=tuple(fields.one_line(x, "languages") for x in _split(raw, "languages")),
        timezone=parse_timezone(raw["timezone"]) if raw.get("timezone") else None,
        tags=tuple(fields.one_line(t, "tags") for t in _split(raw, "tags")),
        first_role=role,
    )
    duplicate = _contact_duplicate(contact, ctx)
    events = decide_register(contact, Contact(), None)
    return [*writes, (f"contact-{contact_id}", events)], duplicate


def _contact_duplicate(contact: ContactRegistered, ctx: RowContext) -> str | None:
    """Same email as a known contact (or an earlier row), or the same name at the same org."""
    role = contact.first_role
    full = name_key(f"{contact.family_name} {contact.given_name}")
    org = str(role.organisation_id) if role else ""
    identities = [f"email:{e.lower()}" for e in contact.emails]
    identities.append(f"name:{full}|{org}")
    line = ctx.first_seen(*identities)
    ctx.remember(*identities)
    if line is not None:
        return f"same email, or same name and organisation, as line {line}"
    for address in contact.emails:
        known = ctx.find("contact", address)
        if known:
            return f"same email as contact {known[0][:8]}"
    if role is not None:
        for contact_id in ctx.find_key("contact", full):
            if any(r.organisation_id == org for r in roles_of(ctx.lookup.conn, [contact_id])):
                return f"same name and organisation as contact {contact_id[:8]}"
    return None


def organisation_row(raw: dict[str, str], ctx: RowContext) -> tuple[Writes, str | None]:
    """name, native_name, kind, country, city, timezone, aliases, ours."""
    name = fields.one_line(raw.get("name", ""), "name")
    kind = raw.get("kind", "other").strip().lower().replace(" ", "_").replace("-", "_")
    event = OrganisationRegistered(
        organisation_id=new_uuid(),
        name=name,
        native_name=fields.optional_line(raw.get("native_name"), "native_name"),
        kind=kind,
        country=fields.country(raw["country"], field="country") if raw.get("country") else None,
        city=fields.optional_line(raw.get("city"), "city"),
        timezone=parse_timezone(raw["timezone"]) if raw.get("timezone") else None,
        aliases=tuple(fields.one_line(a, "aliases") for a in _split(raw, "aliases")),
        is_ours=_flag(raw, "ours"),
    )
    identity = f"organisation:{name_key(name)}"
    line = ctx.first_seen(identity)
    ctx.remember(identity)
    known = ctx.find("organisation", name)
    duplicate = f"same name as organisation {known[0][:8]}" if known else None
    if line is not None:
        duplicate = f"same name as line {line}"
    return [(f"organisation-{event.organisation_id}", [event])], duplicate


def meeting_row(raw: dict[str, str], ctx: RowContext) -> tuple[Writes, str | None]:
    """on, with (names separated by ;), subject, kind, summary, place, partnership, mission."""
    people = [UUID(ctx.lookup.resolve(["contact"], who).entry_id) for who in _split(raw, "with")]
    if not people:
        raise BadInputError("with: name at least one participant")
    place = fields.optional_line(raw.get("place"), "place")
    partnership = raw.get("partnership")
    mission = ctx.lookup.resolve(["mission"], raw["mission"]) if raw.get("mission") else None
    mission_zones = [p["timezone"] for p in (mission.data["places"] if mission else [])]
    zone = (  # as `crm log` does: the row's zone, the place's, the mission's, then ours
        (parse_timezone(raw["timezone"]) if raw.get("timezone") else None)
        or ctx.place_zone(place)
        or (mission_zones[0] if mission_zones else None)
        or ctx.zone
    )
    held = parse_when(raw.get("on", "") or raw.get("date", ""), now=ctx.now, zone=zone)
    event = InteractionLogged(
        interaction_id=new_uuid(),
        kind=raw.get("kind", "meeting").strip().lower().replace(" ", "_").replace("-", "_"),
        held_at=held.start(),
        timezone=held.timezone,
        place=place,
        participants=tuple(Person(contact_id=p) for p in dict.fromkeys(people)),
        partnership_id=UUID(ctx.lookup.resolve(["partnership"], partnership).entry_id)
        if partnership
        else None,
        mission_id=UUID(mission.entry_id) if mission else None,
        subject=fields.one_line(raw.get("subject", ""), "subject"),
        summary=fields.long_text(raw.get("summary", ""), "summary") or None,
        outcomes=tuple(fields.one_line(o, "outcomes") for o in _split(raw, "outcomes")),
    )
    return [(f"interaction-{event.interaction_id}", decide_log(event, Interaction()))], None


def followup_row(raw: dict[str, str], ctx: RowContext) -> tuple[Writes, str | None]:
    """text, due, owner, about (references separated by ;)."""
    kinds = ["partnership", "contact", "organisation", "mission", "agreement"]
    entries = [ctx.lookup.resolve(kinds, ref) for ref in _split(raw, "about")]
    owners = [e.data.get("owner_email") for e in entries if e.kind == "partnership"]
    owner = raw.get("owner") or next((o for o in owners if o), None) or ctx.default_owner
    if not owner:
        raise BadInputError("owner: say who owns it (no partnership owner, no CRM_EMAIL)")
    event = FollowUpOpened(
        followup_id=new_uuid(),
        text=fields.one_line(raw.get("text", ""), "text"),
        owner_email=fields.email(owner, "owner"),
        due=parse_when(raw.get("due", ""), now=ctx.now, zone=ctx.zone),
        links=tuple(Link(kind=e.kind, id=UUID(e.entry_id)) for e in entries),
    )
    return [(f"followup-{event.followup_id}", [event])], None


PARSERS: dict[str, Callable[[dict[str, str], RowContext], tuple[Writes, str | None]]] = {
    "contacts": contact_row,
    "organisations": organisation_row,
    "meetings": meeting_row,
    "followups": followup_row,
}
