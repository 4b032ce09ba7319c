"""Every projection the application keeps, in the order they are applied."""

from __future__ import annotations

from projections.directory import DirectoryProjection
from projections.followups import FollowUpsProjection
from projections.projection import Projection
from projections.reminders import RemindersProjection
from projections.timeline import TimelineProjection
from projections.upcoming import UpcomingProjection


def all_projections() -> list[Projection]:
    """A fresh instance of each projection."""
    return [
        DirectoryProjection(),
        TimelineProjection(),
        FollowUpsProjection(),
        UpcomingProjection(),
        RemindersProjection(),
    ]
