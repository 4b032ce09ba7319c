"""Every projection the application keeps, in the order they are applied."""

from __future__ import annotations

from projections.directory_projection import DirectoryProjection
from projections.followups_projection import FollowUpsProjection
from projections.projection import Projection
from projections.reminders_projection import RemindersProjection
from projections.timeline_projection import TimelineProjection
from projections.upcoming_projection import UpcomingProjection


def all_projections() -> list[Projection]:
    """A fresh instance of each projection."""
    return [
        DirectoryProjection(),
        TimelineProjection(),
        FollowUpsProjection(),
        UpcomingProjection(),
        RemindersProjection(),
    ]
