"""Fixtures shared by the projection tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crm.demo.loader import DemoLoader
from events.connect import open_store
from events.sql_store import SqlEventStore
from projections.catalog import all_projections
from projections.runner import ProjectionRunner
from tests.conftest import T0
from tests.projections.scenario import context


@pytest.fixture
def runner(store_url: str) -> Iterator[ProjectionRunner]:
    """Projections over a store holding the demo story, caught up."""
    store: SqlEventStore = open_store(store_url, clock=lambda: T0)
    DemoLoader(context(store, T0)).load()
    projections = ProjectionRunner(store, all_projections())
    projections.catch_up()
    yield projections
    store.engine.dispose()
