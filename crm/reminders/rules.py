"""The reminder rules, pure: from what is planned and owed, which reminders fall due when.

Every occurrence goes out at the send hour on its day in the recipient's own zone, so a
London officer and a Shanghai colleague each get theirs at 08:00 local, across DST changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm.reminders.model import DueReminder, VisitDetails


@dataclass(frozen=True)
class ReminderRules:
    """The configurable rules (defaults as the team asked for them)."""

    send_hour: int = 8
    visit_days: tuple[int, ...] = (14, 7, 1)
    agreement_days: tuple[int, ...] = (90, 30)
    keep_in_touch_days: int = 90
    horizon: timedelta = timedelta(hours=48)
    """A reminder found later than this after its time is skipped, not sent late."""
    working_days: tuple[int, ...] = (1, 2, 3, 4, 5)
    """ISO weekdays on which overdue notices go out (Monday is 1)."""
    default_timezone: str = "Europe/London"
    timezones: dict[str, str] = field(default_factory=dict)
    """Recipient email -> IANA zone, for people who are not contacts."""

    def zone_of(self, recipient: str, known: str | None = None) -> str:
        """The zone a recipient reads their mail in."""
        return self.timezones.get(recipient) or known or self.default_timezone


@dataclass(frozen=True)
class Recipient:
    """Someone a reminder goes to, with their zone; contacts by reference, not address."""

    email: str
    timezone: str | None = None
    ref: str | None = None
    """ "contact:<id>" for one of our people: what reminder records store instead of the email."""

    @property
    def identity(self) -> str:
        """What keys and records name this recipient by."""
        return self.ref or self.email


@dataclass(frozen=True)
class VisitInput:
    """A planned mission or visit and who hears about it."""

    details: VisitDetails
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True)
class FollowUpInput:
    """An open follow-up."""

    followup_id: str
    text: str
    owner: str
    due_on: date
    due_zone: str


@dataclass(frozen=True)
class AgreementInput:
    """An agreement with an expiry, and who owns its partnership."""

    agreement_id: str
    title: str
    partnership: str
    expires_on: date
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True)
class QuietPartnership:
    """A partnership and when it was last touched (or opened, if never)."""

    partnership_id: str
    name: str
    last_touch: date
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True)
class Inputs:
    """Everything the rules look at, read from the read models."""

    visits: Sequence[VisitInput] = ()
    followups: Sequence[FollowUpInput] = ()
    agreements: Sequence[AgreementInput] = ()
    partnerships: Sequence[QuietPartnership] = ()


def reminder_key(rule: str, subject: str, occurrence: str, offset: str, recipient: str) -> str:
    """The deterministic identity of one reminder occurrence."""
    return f"{rule}|{subject}|{occurrence}|{offset}|{recipient}"


def send_time(day: date, rules: ReminderRules, zone: str) -> datetime:
    """The send hour on a day, in a zone (nonexistent local times move forward with fold=0)."""
    local = datetime.combine(day, time(rules.send_hour), ZoneInfo(zone))
    return local


def occurrences(
    inputs: Inputs, rules: ReminderRules, start: datetime, end: datetime
) -> list[DueReminder]:
    """Every reminder whose send time falls in [start, end], in send order."""
    found = [
        *_visits(inputs.visits, rules, start, end),
        *_followups(inputs.followups, rules, start, end),
        *_agreements(inputs.agreements, rules, start, end),
        *_quiet(inputs.partnerships, rules, start, end),
    ]
    return sorted(found, key=lambda r: (r.due_at, r.recipient, r.key))


def _days(start: datetime, end: datetime) -> tuple[date, date]:
    """The local days any zone could be on between two instants (one day of slack each way)."""
    return (start.date() - timedelta(days=1), end.date() + timedelta(days=1))


def _make(
    rules: ReminderRules,
    recipient: Recipient,
    day: date,
    *,
    rule: str,
    subject: str,
    occurrence: str,
    offset: str,
    title: str,
    detail: str,
    window: tuple[datetime, datetime],
    visit: VisitDetails | None = None,
) -> Iterator[DueReminder]:
    zone = rules.zone_of(recipient.email, recipient.timezone)
    due_at = send_time(day, rules, zone)
    if window[0] <= due_at <= window[1]:
        yield DueReminder(
            key=reminder_key(rule, subject, occurrence, offset, recipient.identity),
            rule=rule,
            subject_id=subject,
            occurrence=occurrence,
            offset=offset,
            recipient=recipient.identity,
            address=recipient.email,
            recipient_timezone=zone,
            due_at=due_at,
            title=title,
            detail=detail,
            visit=visit,
        )


def _visits(
    visits: Sequence[VisitInput], rules: ReminderRules, start: datetime, end: datetime
) -> Iterator[DueReminder]:
    first, last = _days(start, end)
    for visit in visits:
        details = visit.details
        for days in rules.visit_days:
            day = details.starts_on - timedelta(days=days)
            if not first <= day <= last:
                continue
            when = "tomorrow" if days == 1 else f"in {days} days"
            for recipient in visit.recipients:
                yield from _make(
                    rules,
                    recipient,
                    day,
                    rule="visit",
                    subject=details.mission_id,
                    occurrence=details.starts_on.isoformat(),
                    offset=f"{days}d",
                    title=details.name,
                    detail=f"starts {when}, {details.starts_on} to {details.ends_on}"
                    + (f", {', '.join(details.places)}" if details.places else ""),
                    window=(start, end),
                    visit=details,
                )


def _followups(
    followups: Sequence[FollowUpInput], rules: ReminderRules, start: datetime, end: datetime
) -> Iterator[DueReminder]:
    first, last = _days(start, end)
    for item in followups:
        recipient = Recipient(item.owner)
        if first <= item.due_on <= last:
            yield from _make(
                rules,
                recipient,
                item.due_on,
                rule="followup",
                subject=item.followup_id,
                occurrence=item.due_on.isoformat(),
                offset="due",
                title=item.text,
                detail=f"due today ({item.due_on})",
                window=(start, end),
            )
        day = max(item.due_on + timedelta(days=1), first)
        while day <= last:
            if day.isoweekday() in rules.working_days:
                late = (day - item.due_on).days
                yield from _make(
                    rules,
                    recipient,
                    day,
                    rule="overdue",
                    subject=item.followup_id,
                    occurrence=item.due_on.isoformat(),
                    offset=day.isoformat(),
                    title=item.text,
                    detail=f"overdue by {late} day{'s' if late != 1 else ''} (due {item.due_on})",
                    window=(start, end),
                )
            day += timedelta(days=1)


def _agreements(
    agreements: Sequence[AgreementInput], rules: ReminderRules, start: datetime, end: datetime
) -> Iterator[DueReminder]:
    first, last = _days(start, end)
    for agreement in agreements:
        for days in rules.agreement_days:
            day = agreement.expires_on - timedelta(days=days)
            if not first <= day <= last:
                continue
            for recipient in agreement.recipients:
                yield from _make(
                    rules,
                    recipient,
                    day,
                    rule="agreement",
                    subject=agreement.agreement_id,
                    occurrence=agreement.expires_on.isoformat(),
                    offset=f"{days}d",
                    title=agreement.title,
                    detail=f"expires in {days} days ({agreement.expires_on}), "
                    f"{agreement.partnership}",
                    window=(start, end),
                )


def _quiet(
    partnerships: Sequence[QuietPartnership], rules: ReminderRules, start: datetime, end: datetime
) -> Iterator[DueReminder]:
    first, last = _days(start, end)
    span = rules.keep_in_touch_days
    for partnership in partnerships:
        silent = (last - partnership.last_touch).days
        if silent < span:
            continue
        day = partnership.last_touch + timedelta(days=span * (silent // span))
        if not first <= day <= last:
            continue
        for recipient in partnership.recipients:
            yield from _make(
                rules,
                recipient,
                day,
                rule="keep_in_touch",
                subject=partnership.partnership_id,
                occurrence=partnership.last_touch.isoformat(),
                offset=f"{(day - partnership.last_touch).days}d",
                title=partnership.name,
                detail=f"no logged interaction since {partnership.last_touch}",
                window=(start, end),
            )
