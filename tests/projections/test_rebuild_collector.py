"""A rebuild runs the cyclic collector between its batches, even inside a short command that
switched it off (`crm timeline` after an upgrade rebuilds the whole log on first use)."""

from __future__ import annotations

import gc

from projections.runner import ProjectionRunner


def test_a_rebuild_runs_the_collector_where_the_command_had_it_off(
    runner: ProjectionRunner,
) -> None:
    seen: list[bool] = []
    gc.disable()
    runner.rebuild(progress=lambda done, total: seen.append(gc.isenabled()), batch_size=5)
    assert len(seen) > 2
    assert all(seen), "a batch boundary found the collector off"
    assert not gc.isenabled(), "the command's choice was not restored"
