"""The reminder engine end to end: real store, real projections, a real SMTP server on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import icalendar
import pytest

from crm.commands import followups, missions
from crm.demo.loader import demo_id
from crm.reminders.digest import compose
from crm.reminders.engine import reminder_stream
from events.schemas.followups import FollowUpCompleted
from events.schemas.missions import MissionPlanned, MissionRescheduled, Place
from events.schemas.values import When
from tests.conftest import FakeClock
from tests.crm.reminders.harness import OWNER, SENDER, Harness, harness, load_demo

IFB_VISIT = "mission-ifb-2016"
EIGHT_BST = datetime(2016, 6, 6, 7, 0, tzinfo=UTC)
"""2016-06-06 08:00 in London: 14 days before the Kunming delegation arrives."""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2016, 6, 1, 12, tzinfo=UTC))


@pytest.fixture
def sender(store_url: str, smtp_sink: Any, clock: FakeClock) -> Iterator[Harness]:
    h = harness(store_url, smtp_sink, clock)
    load_demo(h)
    yield h
    h.close()


def visit_messages(sink: Any) -> list[Any]:
    return [
        m
        for m in sink.messages
        if "Kunming delegation" in str(m.message["Subject"])
        or any(
            "Kunming delegation" in part.get_content()
            for part in m.message.walk()
            if part.get_content_type() == "text/plain"
        )
    ]


def test_the_delegation_visit_reminder_goes_out_at_eight_in_london(
    sender: Harness, smtp_sink: Any
) -> None:
    early = sender.run(EIGHT_BST - timedelta(minutes=1))
    on_time = sender.run(EIGHT_BST)

    (received,) = smtp_sink.wait_for(1)
    assert [k for k in early.sent if "visit" in k] == []
    assert [k.split("|")[:4] for k in on_time.sent if k.startswith("visit")] == [
        ["visit", str(demo_id(IFB_VISIT)), "2016-06-20", "14d"]
    ]
    assert received.rcpt_tos == (OWNER,)
    body = received.message.get_body(("plain",)).get_content()
    assert "Kunming delegation to the International Festival for Business 2016" in body
    (attachment,) = list(received.message.iter_attachments())
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == date(2016, 6, 20)


def test_a_shanghai_reader_gets_the_same_reminder_at_eight_shanghai_time(
    store_url: str, smtp_sink: Any, clock: FakeClock
) -> None:
    h = harness(store_url, smtp_sink, clock, timezones={OWNER: "Asia/Shanghai"})
    load_demo(h)

    before = h.run(datetime(2016, 6, 5, 23, 59, tzinfo=UTC))
    report = h.run(datetime(2016, 6, 6, 0, 0, tzinfo=UTC))

    assert not [k for k in before.sent if k.startswith("visit")]
    assert [k for k in report.sent if k.startswith("visit")]
    h.close()


def _visit_in_november(h: Harness) -> str:
    mission = MissionPlanned(
        mission_id=uuid4(),
        name="Autumn delegation",
        direction="inbound",
        starts=When(day=date(2016, 11, 7), timezone="Europe/London"),
        ends=When(day=date(2016, 11, 9), timezone="Europe/London"),
        places=(Place(name="Liverpool", timezone="Europe/London"),),
        partnership_ids=(demo_id("liverpool-kunming"),),
    )
    missions.handle(h.context(), mission, missions.decide_plan)
    return str(mission.mission_id)


def test_reminders_keep_to_eight_local_across_the_end_of_summer_time(sender: Harness) -> None:
    mission = _visit_in_november(sender)

    in_summer_time = sender.engine.preview(datetime(2016, 10, 20, tzinfo=UTC), days=14)
    times = {r.offset: r.due_at.astimezone(UTC) for r in in_summer_time if r.subject_id == mission}

    assert times["14d"] == datetime(2016, 10, 24, 7, 0, tzinfo=UTC)  # 08:00 BST
    assert times["7d"] == datetime(2016, 10, 31, 8, 0, tzinfo=UTC)  # 08:00 GMT


def test_a_reminder_is_never_sent_twice(sender: Harness, smtp_sink: Any) -> None:
    first = sender.run(EIGHT_BST)
    again = sender.run(EIGHT_BST + timedelta(minutes=5))

    assert first.sent
    assert again.sent == []
    assert len(smtp_sink.messages) == first.digests


def test_two_senders_at_once_send_each_reminder_exactly_once(
    store_url: str, smtp_sink: Any, clock: FakeClock
) -> None:
    one = harness(store_url, smtp_sink, clock, name="sender-1")
    load_demo(one)
    two = harness(store_url, smtp_sink, clock, name="sender-2")
    reports: list[Any] = []

    def go(h: Harness) -> None:
        reports.append(h.engine.run(EIGHT_BST, h.send))

    threads = [threading.Thread(target=go, args=(h,)) for h in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sent = [key for report in reports for key in report.sent]
    assert sent
    assert len(sent) == len(set(sent))
    assert len(smtp_sink.messages) == sum(r.digests for r in reports)
    one.close()
    two.close()


class Killed(BaseException):
    """Stands in for the process dying between the claim and the SMTP send."""


def test_a_sender_dying_after_its_claim_is_retried_after_the_lease_with_the_same_message_id(
    store_url: str, smtp_sink: Any, clock: FakeClock
) -> None:
    dying = harness(store_url, smtp_sink, clock, name="dying")
    load_demo(dying)

    def die(_digest: Any, _handover: Any) -> None:
        raise Killed

    with pytest.raises(Killed):
        dying.engine.run(EIGHT_BST, die)
    survivor = harness(store_url, smtp_sink, clock, name="survivor")
    too_soon = survivor.run(EIGHT_BST + timedelta(minutes=5))
    retried = survivor.run(EIGHT_BST + timedelta(minutes=11))

    (received,) = smtp_sink.wait_for(1)
    key = next(k for k in retried.sent if k.startswith("visit"))
    claims = [r.event for r in survivor.store.read_stream(reminder_stream(key))]
    assert too_soon.sent == []
    assert received.message["Message-ID"] == claims[0].message_id  # type: ignore[attr-defined]
    assert [type(e).__name__ for e in claims] == [
        "ReminderClaimed",
        "ReminderClaimed",
        "ReminderHandedOver",
        "ReminderSent",
    ]
    dying.close()
    survivor.close()


def test_a_sender_dying_after_the_hand_over_is_settled_as_sent_and_never_sends_again(
    store_url: str, smtp_sink: Any, clock: FakeClock
) -> None:
    dying = harness(store_url, smtp_sink, clock, name="dying")
    load_demo(dying)

    def die_after_hand_over(digest: Any, handover: Any) -> None:
        dying.mailer.send(compose(digest, SENDER), on_handover=handover)
        raise Killed  # the server has the message; the sender dies before recording it

    with pytest.raises(Killed):
        dying.engine.run(EIGHT_BST, die_after_hand_over)
    survivor = harness(store_url, smtp_sink, clock, name="survivor")
    settled = survivor.run(EIGHT_BST + timedelta(minutes=11))
    again = survivor.run(EIGHT_BST + timedelta(minutes=30))

    (received,) = smtp_sink.wait_for(1)
    key = settled.unconfirmed[0]
    stream = [r.event for r in survivor.store.read_stream(reminder_stream(key))]
    assert settled.sent == []
    assert again.sent == []
    assert again.unconfirmed == []
    assert len(smtp_sink.messages) == 1
    assert [type(e).__name__ for e in stream] == [
        "ReminderClaimed",
        "ReminderHandedOver",
        "ReminderSent",
    ]
    assert stream[-1].confirmed is False  # type: ignore[attr-defined]
    assert received.message["Message-ID"] == stream[-1].message_id  # type: ignore[attr-defined]
    dying.close()
    survivor.close()


def test_a_hand_over_that_cannot_be_recorded_leaves_the_message_undelivered(
    sender: Harness, smtp_sink: Any
) -> None:
    def unrecordable() -> None:
        raise Killed

    def send(digest: Any, _handover: Any) -> None:
        sender.mailer.send(compose(digest, SENDER), on_handover=unrecordable)

    with pytest.raises(Killed):
        sender.engine.run(EIGHT_BST, send)
    retried = sender.run(EIGHT_BST + timedelta(minutes=11))

    assert retried.sent
    assert len(smtp_sink.wait_for(1)) == 1


def test_a_sender_that_overran_its_lease_drops_its_unfinished_message(
    store_url: str, smtp_sink: Any, clock: FakeClock
) -> None:
    slow = harness(store_url, smtp_sink, clock, name="slow")
    load_demo(slow)
    fast = harness(store_url, smtp_sink, clock, name="fast")
    taken_over: list[Any] = []

    def stall_then_send(digest: Any, handover: Any) -> None:
        taken_over.append(fast.run(EIGHT_BST + timedelta(minutes=11)))  # the lease ran out
        slow.mailer.send(compose(digest, SENDER), on_handover=handover)

    late = slow.engine.run(EIGHT_BST, stall_then_send)

    (received,) = smtp_sink.wait_for(1)
    assert taken_over[0].sent
    assert late.sent == []
    assert late.claimed_elsewhere == len(taken_over[0].sent)
    assert received.message["Message-ID"] is not None
    assert len(smtp_sink.messages) == 1
    slow.close()
    fast.close()


def test_no_reply_after_the_hand_over_is_recorded_as_sent_unconfirmed_and_not_retried(
    sender: Harness, smtp_sink: Any
) -> None:
    from crm.reminders.mailer import MailError

    def handed_over_then_timed_out(_digest: Any, handover: Any) -> None:
        handover()
        raise MailError("the mail server timed out", retryable=True)

    first = sender.engine.run(EIGHT_BST, handed_over_then_timed_out)
    later = sender.run(EIGHT_BST + timedelta(hours=1))

    assert first.unconfirmed
    assert first.failed == []
    assert later.sent == []
    assert smtp_sink.messages == []


def test_a_refusal_after_the_hand_over_is_a_failure_and_is_retried(
    sender: Harness, smtp_sink: Any
) -> None:
    smtp_sink.refuse_next(1, "451 4.3.0 try later", at="data")

    refused = sender.run(EIGHT_BST)
    retried = sender.run(EIGHT_BST + timedelta(minutes=6))

    stream = [r.event for r in sender.store.read_stream(reminder_stream(refused.failed[0]))]
    assert [type(e).__name__ for e in stream][:3] == [
        "ReminderClaimed",
        "ReminderHandedOver",
        "ReminderFailed",
    ]
    assert sorted(retried.sent) == sorted(refused.failed)
    assert len(smtp_sink.wait_for(1)) == 1


def test_a_database_error_at_the_hand_over_leaves_the_message_unsent_and_the_sweep_going(
    sender: Harness, smtp_sink: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    append = sender.engine._append

    def locked_at_hand_over(writes: Any, now: Any) -> None:
        events = [getattr(e, "event", e) for w in writes for e in w.events]
        if any(type(e).__name__ == "ReminderHandedOver" for e in events):
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        append(writes, now)

    monkeypatch.setattr(sender.engine, "_append", locked_at_hand_over)
    stuck = sender.run(EIGHT_BST)
    delivered_while_stuck = len(smtp_sink.messages)
    monkeypatch.setattr(sender.engine, "_append", append)
    retried = sender.run(EIGHT_BST + timedelta(minutes=11))

    assert stuck.sent == []
    assert "database is locked" in stuck.errors[0]
    assert delivered_while_stuck == 0
    assert retried.sent
    assert len(stuck.errors) == retried.digests  # the sweep went on to every digest
    assert len(smtp_sink.wait_for(1)) == retried.digests


def test_an_smtp_failure_is_recorded_and_retried_with_backoff(
    sender: Harness, smtp_sink: Any
) -> None:
    smtp_sink.refuse_next(1, "451 4.3.0 try later")

    failed = sender.run(EIGHT_BST)
    too_soon = sender.run(EIGHT_BST + timedelta(minutes=2))
    retried = sender.run(EIGHT_BST + timedelta(minutes=6))

    assert failed.failed
    assert not failed.sent
    assert "451" in failed.errors[0]
    assert too_soon.sent == []
    assert sorted(retried.sent) == sorted(failed.failed)
    assert len(smtp_sink.wait_for(1)) == 1


def test_after_downtime_recent_reminders_go_out_and_old_ones_are_skipped(
    sender: Harness, smtp_sink: Any
) -> None:
    late_but_useful = sender.run(EIGHT_BST + timedelta(hours=30))

    assert [k for k in late_but_useful.sent if k.startswith("visit")]
    assert not [k for k in late_but_useful.skipped if k.startswith("visit")]


def test_reminders_older_than_the_horizon_are_skipped_not_sent(
    sender: Harness, smtp_sink: Any
) -> None:
    report = sender.run(EIGHT_BST + timedelta(hours=50))
    later = sender.run(EIGHT_BST + timedelta(hours=51))

    assert [k for k in report.skipped if "|14d|" in k]
    assert not [k for k in report.sent + later.sent if "|14d|" in k]


def test_rescheduling_a_visit_drops_its_pending_reminders(sender: Harness) -> None:
    moved = MissionRescheduled(
        mission_id=demo_id(IFB_VISIT),
        starts=When(day=date(2016, 7, 20), timezone="Europe/London"),
        ends=When(day=date(2016, 7, 23), timezone="Europe/London"),
    )
    missions.handle(sender.context(), moved, missions.decide_reschedule)

    report = sender.run(EIGHT_BST)

    assert not [k for k in report.sent if k.startswith("visit")]
    ahead = sender.engine.preview(EIGHT_BST, 45)
    assert [r.occurrence for r in ahead if r.rule == "visit"] == ["2016-07-20"] * 3


def test_an_open_follow_up_is_reminded_on_its_day_then_each_working_day(sender: Harness) -> None:
    friday = datetime(2016, 9, 30, 7, 0, tzinfo=UTC)

    due = sender.run(friday)
    weekend = sender.run(friday + timedelta(days=2))
    monday = sender.run(friday + timedelta(days=3))

    followup = str(demo_id("followup-education"))
    assert [k for k in due.sent if followup in k and k.startswith("followup")]
    assert not [k for k in weekend.sent if followup in k]
    assert [k for k in monday.sent if k.startswith(f"overdue|{followup}")]


def test_completing_a_follow_up_stops_its_reminders(sender: Harness) -> None:
    done = FollowUpCompleted(followup_id=demo_id("followup-education"))
    followups.handle(sender.context(), done, followups.decide_complete)

    report = sender.run(datetime(2016, 10, 3, 7, 0, tzinfo=UTC))

    assert not [k for k in report.sent if str(demo_id("followup-education")) in k]


def test_an_agreement_is_reminded_ninety_and_thirty_days_before_it_expires(
    sender: Harness,
) -> None:
    ahead = sender.engine.preview(datetime(2020, 11, 1, tzinfo=UTC), days=120)

    expiry = [(r.offset, r.due_at.date()) for r in ahead if r.rule == "agreement"]
    assert expiry == [("90d", date(2020, 11, 27)), ("30d", date(2021, 1, 26))]
