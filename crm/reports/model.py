"""The timeline report as data: what every renderer (table, Markdown, HTML, JSON, CSV) shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class PersonAtTime:
    """A person as they were on the day of an entry: name, title and organisation then."""

    contact_id: str
    name: str
    title: str | None = None
    organisation: str | None = None

    def describe(self) -> str:
        """ "Zhao Xuenong (Vice Mayor, Kunming Municipal People's Government)"."""
        extra = ", ".join(p for p in (self.title, self.organisation) if p)
        return f"{self.name} ({extra})" if extra else self.name


@dataclass
class TimelineItem:
    """One thing that happened, shown with its corrected values.

    Not frozen: a frozen dataclass sets each field through `object.__setattr__`, three times
    as slow, and a long timeline builds 5,000 of them.
    """

    row_id: str
    entry_id: str
    kind: str
    """meeting, call, email, message, banquet, site_visit, note, signing, mission, visit,
    followup, status or correction."""
    occurred_at: datetime
    """When it happened, in the zone where it happened."""
    timezone: str
    title: str
    position: int
    summary: str | None = None
    place: str | None = None
    people: tuple[PersonAtTime, ...] = ()
    outcomes: tuple[str, ...] = ()
    gifts: tuple[str, ...] = ()
    is_corrected: bool = False
    corrections: tuple[str, ...] = ()
    """Why it was corrected, one line per correction."""
    status: str | None = None
    """e.g. "cancelled" for a mission called off."""


@dataclass(frozen=True)
class AgreementLine:
    """An agreement of the partnership, with its expiry."""

    agreement_id: str
    title: str
    signed_on: date
    place: str
    expires_on: date | None = None


@dataclass(frozen=True)
class FollowUpLine:
    """An open follow-up."""

    followup_id: str
    text: str
    owner: str
    due: str
    due_on: date
    is_overdue: bool = False


@dataclass(frozen=True)
class VisitLine:
    """A mission or delegation visit still to come."""

    mission_id: str
    name: str
    direction: str
    starts_on: date
    ends_on: date
    places: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineReport:
    """Everything a manager reads before a visit, for one partnership (or other subject)."""

    subject_kind: str
    """partnership, organisation, contact or mission."""
    subject_id: str
    title: str
    generated_at: datetime
    items: tuple[TimelineItem, ...]
    as_of: datetime | None = None
    period_from: date | None = None
    period_to: date | None = None
    parties: tuple[str, ...] = ()
    kind: str | None = None
    status: str | None = None
    sectors: tuple[str, ...] = ()
    owner: str | None = None
    agreements: tuple[AgreementLine, ...] = ()
    people: tuple[PersonAtTime, ...] = ()
    """Everyone who appears, each with the title they held when they last appeared."""
    open_followups: tuple[FollowUpLine, ...] = ()
    upcoming_visits: tuple[VisitLine, ...] = ()
    monthly: dict[str, dict[str, int]] = field(default_factory=dict)
    """Interactions per month ("2016-02") by kind, for the chart."""
    visit_months: tuple[str, ...] = ()
    """Months ("2016-06") in which a mission or visit started, marked on the chart."""
