"""The reminder engine: decide what is due, claim it in the log, send one digest per person.

Exactly once: a reminder's key names its own stream, and a claim is an append at the
stream's current version, so of two senders (two daemons, two `crm remind send`) only one
can claim it. A claim not followed by a send lapses after its lease and is retried with the
same Message-ID; SMTP failures are recorded and retried with backoff.

A sender killed mid-send is the one case SMTP cannot make exact. The hand-over (the whole
message is with the server, only the end-of-data mark is left) is recorded first: a lapsed
claim that never reached it is retried, one that did is settled as sent-unconfirmed and
never sent again. What remains is the instant between that record and the mark itself.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from crm.reminders.headers import message_id as make_message_id
from crm.reminders.inputs import load_inputs
from crm.reminders.model import Digest, DueReminder
from crm.reminders.rules import occurrences
from crm.reminders.settings import ReminderSettings
from events.database import read_transaction
from events.envelope import AppendContext, PendingEvent, StreamWrite
from events.errors import ConcurrencyError
from events.event import Event
from events.schemas.reminders import (
    ReminderClaimed,
    ReminderFailed,
    ReminderHandedOver,
    ReminderSent,
    ReminderSkipped,
)
from events.sql_store import SqlEventStore
from projections.reminders import states_since
from projections.runner import ProjectionRunner
from projections.timeline import utc_text

log = logging.getLogger("crm.reminders")

REMINDER_NAMESPACE = uuid5(NAMESPACE_URL, "https://trade-mission-crm/reminders")
LOOKBACK = timedelta(days=7)
"""How far behind the horizon a sweep looks for reminders to mark skipped."""

Handover = Callable[[], None]
Send = Callable[[Digest, Handover], None]
"""Deliver one digest (compose and SMTP), calling the hand-over just before the end-of-data
mark; raises MailError on failure."""


def reminder_stream(key: str) -> str:
    """The stream that holds one reminder's claims and outcome."""
    return f"reminder-{uuid5(REMINDER_NAMESPACE, key)}"


@dataclass
class _Pending:
    """A reminder to send in this run: new, or a retry of an earlier claim."""

    item: DueReminder
    version: int
    message_id: str | None = None
    attempts: int = 0


@dataclass
class Plan:
    """What a sweep found: reminders to send, reminders found too late, and hand-overs whose
    sender stopped before hearing back."""

    now: datetime
    send: list[_Pending] = field(default_factory=list)
    too_late: list[DueReminder] = field(default_factory=list)
    settle: list[dict[str, Any]] = field(default_factory=list)
    """States of senders that died after the hand-over: record as sent, never resend."""

    @property
    def due(self) -> list[DueReminder]:
        """The reminders to send, in order."""
        return [p.item for p in self.send]


@dataclass
class RunReport:
    """What one sweep did."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)
    claimed_elsewhere: int = 0
    digests: int = 0
    errors: list[str] = field(default_factory=list)


class ReminderEngine:
    """Decides and sends reminders against one store."""

    def __init__(
        self,
        store: SqlEventStore,
        runner: ProjectionRunner,
        settings: ReminderSettings,
        *,
        sender_id: str,
        domain: str = "localhost",
    ) -> None:
        self.store = store
        self.runner = runner
        self.settings = settings
        self.sender_id = sender_id
        self.domain = domain

    # -- deciding ------------------------------------------------------------------------

    def plan(self, now: datetime) -> Plan:
        """What is due now and not yet sent, claimed by a live sender, or given up on."""
        rules = self.settings.rules
        start = now - rules.horizon - LOOKBACK
        self.runner.catch_up()
        with read_transaction(self.store.engine) as conn:
            inputs = load_inputs(conn, rules, start, now, self.settings.default_recipient)
            states = states_since(conn, start - timedelta(days=1))
        plan = Plan(now)
        stamp, late = utc_text(now), now - rules.horizon
        for item in occurrences(inputs, rules, start, now):
            state = states.get(item.key)
            if state is None:
                if item.due_at < late:
                    plan.too_late.append(item)
                else:
                    plan.send.append(_Pending(item, 0))
            elif _is_lapsed_hand_over(state, stamp):
                plan.settle.append(state)
            elif _is_retry_due(state, stamp):
                plan.send.append(
                    _Pending(item, state["version"], state["message_id"], state["attempts"])
                )
        return plan

    def preview(self, now: datetime, days: int) -> list[DueReminder]:
        """Reminders that will fall due between now and `days` days ahead."""
        self.runner.catch_up()
        end = now + timedelta(days=days)
        with read_transaction(self.store.engine) as conn:
            inputs = load_inputs(
                conn, self.settings.rules, now, end, self.settings.default_recipient
            )
        return occurrences(inputs, self.settings.rules, now, end)

    # -- sending -------------------------------------------------------------------------

    def run(self, now: datetime, send: Send | None) -> RunReport:
        """One sweep: skip what is too late, claim what is due, send, record the outcome.

        Without `send` (a dry run) it only reports what it would send and skip.
        """
        plan = self.plan(now)
        report = RunReport()
        if send is None:
            report.sent = [p.item.key for p in plan.send]
            report.skipped = [i.key for i in plan.too_late]
            return report
        report.skipped = self._skip(plan.too_late, now)
        report.unconfirmed = self._settle(plan.settle, now)
        for group in self._digests(plan):
            claimed, message_id = self._claim(group, now, report)
            if not claimed:
                continue
            digest = Digest(
                claimed[0].item.send_to, message_id, tuple(p.item for p in claimed), now
            )
            self._deliver(digest, claimed, send, now, report)
        return report

    def _digests(self, plan: Plan) -> list[list[_Pending]]:
        """One digest per recipient for new reminders; retries keep their old grouping."""
        groups: dict[tuple[str, str | None], list[_Pending]] = defaultdict(list)
        for pending in plan.send:
            groups[(pending.item.recipient, pending.message_id)].append(pending)
        return [groups[k] for k in sorted(groups, key=lambda k: (k[0], k[1] or ""))]

    def _claim(
        self, group: list[_Pending], now: datetime, report: RunReport
    ) -> tuple[list[_Pending], str]:
        message_id = group[0].message_id or make_message_id(
            "|".join([now.isoformat(), *sorted(p.item.key for p in group)]), self.domain
        )
        lease = now + self.settings.lease

        def claim(pending: _Pending) -> StreamWrite:
            item = pending.item
            event = ReminderClaimed(
                key=item.key,
                rule=item.rule,
                subject_id=item.subject_id,
                recipient=item.recipient,
                due_at=item.due_at,
                message_id=message_id,
                claimed_by=self.sender_id,
                lease_until=lease,
            )
            return StreamWrite(
                reminder_stream(item.key), [PendingEvent(event, now)], pending.version
            )

        try:
            self._append([claim(p) for p in group], now)
            return group, message_id
        except ConcurrencyError:
            pass  # another sender took some of them: claim one by one, keep what we win
        won = []
        for pending in group:
            try:
                self._append([claim(pending)], now)
                won.append(pending)
            except ConcurrencyError:
                report.claimed_elsewhere += 1
        return won, message_id

    def _deliver(
        self, digest: Digest, claimed: list[_Pending], send: Send, now: datetime, report: RunReport
    ) -> None:
        """Send one digest and record how it went.

        Every write expects each stream as this sender left it, so a sender that overran its
        lease neither finishes a message another sender has taken over nor overwrites the
        outcome another sender recorded.
        """
        from crm.reminders.mailer import MailError

        handed = False
        keys = [p.item.key for p in claimed]

        def hand_over() -> None:
            nonlocal handed
            try:
                self._append(
                    self._writes(
                        claimed,
                        1,
                        lambda p: ReminderHandedOver(key=p.item.key, message_id=mid),
                        now,
                    ),
                    now,
                )
            except ConcurrencyError as error:
                raise _TakenOverError from error
            except Exception as error:
                raise _HandOverUnrecordedError(str(error)) from error
            handed = True

        mid = digest.message_id
        try:
            send(digest, hand_over)
        except _TakenOverError:
            report.claimed_elsewhere += len(claimed)
            log.warning(
                "reminder digest to %s: the lease ran out and another sender took it over; "
                "the unfinished message was dropped",
                digest.recipient,
            )
            return
        except _HandOverUnrecordedError as error:
            report.errors.append(f"could not record the hand-over: {error}")
            log.warning(
                "reminder digest to %s not sent: %s (retried after the lease)",
                digest.recipient,
                error,
            )
            return
        except MailError as error:
            if handed and not error.answered:
                # The server has the whole message and never said what it did with it.
                self._record(claimed, 2, lambda p: _sent(p, mid, now, confirmed=False), now)
                report.unconfirmed.extend(keys)
                log.warning(
                    "reminder digest to %s: no reply after the hand-over (%s); "
                    "recorded as sent, unconfirmed",
                    digest.recipient,
                    error,
                )
                return
            failure = partial(self._failure, message_id=mid, error=error, now=now)
            self._record(claimed, 2 if handed else 1, failure, now)
            report.failed.extend(keys)
            report.errors.append(str(error))
            log.warning("reminder digest to %s failed: %s", digest.recipient, error)
            return
        self._record(claimed, 2, lambda p: _sent(p, mid, now), now)
        report.sent.extend(keys)
        report.digests += 1
        log.info("sent %d reminder(s) to %s (%s)", len(claimed), digest.recipient, mid)

    @staticmethod
    def _writes(
        claimed: list[_Pending], step: int, make: Callable[[_Pending], Event], now: datetime
    ) -> list[StreamWrite]:
        """One event per claimed reminder, each expecting its stream `step` events past
        the version this run planned from (1: just claimed; 2: claimed and handed over)."""
        return [
            StreamWrite(reminder_stream(p.item.key), [PendingEvent(make(p), now)], p.version + step)
            for p in claimed
        ]

    def _record(
        self,
        claimed: list[_Pending],
        step: int,
        make: Callable[[_Pending], Event],
        now: datetime,
    ) -> None:
        """Record an outcome; a stream another sender has moved on keeps that sender's."""
        try:
            self._append(self._writes(claimed, step, make, now), now)
            return
        except ConcurrencyError:
            pass
        for pending in claimed:
            try:
                self._append(self._writes([pending], step, make, now), now)
            except ConcurrencyError:
                log.warning("reminder %s was settled by another sender", pending.item.key)

    def _failure(self, pending: _Pending, message_id: str, error: Any, now: datetime) -> Event:
        attempt = pending.attempts + 1
        return ReminderFailed(
            key=pending.item.key,
            message_id=message_id,
            attempt=attempt,
            error=str(error)[:500],
            retry_at=now + self.settings.backoff(attempt) if error.retryable else None,
        )

    def _settle(self, states: Sequence[dict[str, Any]], now: datetime) -> list[str]:
        settled = []
        for state in states:
            event = ReminderSent(
                key=state["key"], message_id=state["message_id"], sent_at=now, confirmed=False
            )
            write = StreamWrite(state["stream_id"], [PendingEvent(event, now)], state["version"])
            try:
                self._append([write], now)
            except ConcurrencyError:
                continue  # another sender settled it first
            settled.append(state["key"])
            log.warning(
                "reminder %s: its sender stopped after handing it to the mail server; "
                "recorded as sent, unconfirmed (%s)",
                state["key"],
                state["message_id"],
            )
        return settled

    def _skip(self, items: Sequence[DueReminder], now: datetime) -> list[str]:
        skipped = []
        for item in items:
            event = ReminderSkipped(
                key=item.key,
                rule=item.rule,
                subject_id=item.subject_id,
                recipient=item.recipient,
                due_at=item.due_at,
                reason=f"found {now - item.due_at} after its time, past the horizon",
            )
            try:
                self._append(
                    [StreamWrite(reminder_stream(item.key), [PendingEvent(event, now)], 0)], now
                )
                skipped.append(item.key)
            except ConcurrencyError:
                continue  # another sender recorded it first
        return skipped

    def _append(self, writes: list[StreamWrite], now: datetime) -> None:
        context = AppendContext(actor=self.sender_id, source="reminders")
        self.store.append_batch(writes, context=context, now=now)


class _TakenOverError(Exception):
    """The hand-over found the stream moved on: another sender took the reminder over."""


class _HandOverUnrecordedError(Exception):
    """The hand-over could not be recorded, so the message was left unfinished."""


def _sent(pending: _Pending, message_id: str, now: datetime, *, confirmed: bool = True) -> Event:
    return ReminderSent(
        key=pending.item.key, message_id=message_id, sent_at=now, confirmed=confirmed
    )


def _is_lapsed_hand_over(state: dict[str, Any], stamp: str) -> bool:
    """A sender handed the message over and then stopped before hearing back."""
    return state["status"] == "handed_over" and bool(
        state["lease_until"] and state["lease_until"] <= stamp
    )


def _is_retry_due(state: dict[str, Any], stamp: str) -> bool:
    """A lapsed claim, or a failure whose retry time has come."""
    if state["status"] == "claimed":
        return bool(state["lease_until"] and state["lease_until"] <= stamp)
    if state["status"] == "failed":
        return bool(state["retry_at"] and state["retry_at"] <= stamp)
    return False
