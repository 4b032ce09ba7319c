"""Every projection the application keeps, in the order they are applied."""

from __future__ import annotations

from projections.directory import DirectoryProjection
from projections.projection import Projection


def all_projections() -> list[Projection]:
    """A fresh instance of each projection."""
    return [DirectoryProjection()]
