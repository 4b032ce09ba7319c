"""Sixteen processes mixing commands on one store: every success once, nothing else, no gaps."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crm.commands import followups
from crm.demo.loader import DemoLoader
from events.schemas.agreements import AgreementSigned
from events.schemas.followups import FollowUpCompleted, FollowUpOpened
from events.schemas.interactions import InteractionLogged
from events.schemas.reminders import ReminderClaimed, ReminderSent
from projections.verify import verify_projections
from tests.reliability import workers
from tests.reliability.crash import processes

pytestmark = pytest.mark.slow
PROCESSES = 16
COMMANDS = 12
CREATED = {
    InteractionLogged: ("interaction", "interaction_id"),
    AgreementSigned: ("agreement", "agreement_id"),
    FollowUpOpened: ("followup", "followup_id"),
}


def _created(records: list[Any]) -> Counter[tuple[str, str]]:
    """How many times each interaction, agreement and follow-up was created in the log."""
    found: Counter[tuple[str, str]] = Counter()
    for record in records:
        kind_and_field = CREATED.get(type(record.event))
        if kind_and_field:
            kind, field = kind_and_field
            found[(kind, str(getattr(record.event, field)))] += 1
    return found


def test_sixteen_processes_mixing_commands_leave_a_whole_gap_free_log(
    store_url: str, smtp_sink: Any, tmp_path: Path
) -> None:
    app = workers.services(store_url)
    DemoLoader(app.command_context()).load()
    app.after_command()
    shared = [workers.followup(workers.OWNER, date(2016, 7, 1), f"Shared {n}") for n in range(3)]
    for event in shared:
        followups.handle(app.command_context(), event, followups.decide_open)
    before = _created(list(app.store.read_all()))
    shared_ids = [str(event.followup_id) for event in shared]
    smtp = (smtp_sink.host, smtp_sink.port)
    outs = [tmp_path / f"worker-{n}.jsonl" for n in range(PROCESSES)]
    started = [
        processes().Process(
            target=workers.mixed_commands,
            args=(store_url, n, COMMANDS, smtp, str(outs[n]), shared_ids),
        )
        for n in range(PROCESSES)
    ]
    for process in started:
        process.start()
    for process in started:
        process.join(300)
    assert [p.exitcode for p in started] == [0] * PROCESSES

    outcomes = [json.loads(line) for out in outs for line in out.read_text().splitlines()]
    records = list(app.store.read_all())
    created = _created(records) - before
    creations = [o for o in outcomes if o["kind"] in ("interaction", "agreement", "followup")]
    succeeded = {(o["kind"], o["id"]) for o in creations if o["ok"]}
    races = [o for o in outcomes if o["kind"] == "complete"]
    won = Counter(o["id"] for o in races if o["ok"])
    completed = Counter(
        str(r.event.followup_id)
        for r in records
        if isinstance(r.event, FollowUpCompleted) and str(r.event.followup_id) in shared_ids
    )
    assert len(outcomes) == PROCESSES * COMMANDS
    assert [r.position for r in records] == list(range(1, len(records) + 1))
    assert app.store.verify().is_intact
    assert set(created.values()) == {1}, "a command was written twice"
    assert set(created) == succeeded, "a success is missing, or a refusal was written"
    assert any(not o["ok"] for o in races), "no race for a shared follow-up was lost"
    assert won == completed, "a completion that won is missing, or one that lost was written"
    assert set(completed.values()) == {1}

    sent_by_workers = [key for o in outcomes if o["kind"] == "reminders" for key in o["sent"]]
    sent_in_log = Counter(r.event.key for r in records if isinstance(r.event, ReminderSent))
    claims = {
        r.event.key: r.event.message_id for r in records if isinstance(r.event, ReminderClaimed)
    }
    received = Counter(str(m.message["Message-ID"]) for m in smtp_sink.messages)
    assert sent_by_workers, "no worker sent the demo's due reminders"
    assert sorted(sent_by_workers) == sorted(sent_in_log)
    assert set(sent_in_log.values()) == {1}
    assert max(received.values()) == 1, "an email was delivered twice"
    assert set(received) == set(claims.values())

    refused = sum(not o["ok"] for o in races)
    print(f"{len(succeeded)} created, {refused} refused, {len(received)} digest(s) sent")
    app.runner.catch_up()
    assert verify_projections(app.runner) is None
    app.close()
