"""Each projection's `handles` names every event type its `apply` acts on: the runner passes
it no other, so a type left out would silently never reach its views (hypothesis)."""

from __future__ import annotations

import ast
import inspect
import textwrap
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import events.schemas  # noqa: F401  (registers every event type)
from events.envelope import RecordedEvent
from events.event import Event
from events.registry import registry
from projections.catalog import all_projections
from projections.projection import Projection
from tests.events.strategies import events_of

EVENT_TYPES = sorted(registry.classes(), key=lambda cls: cls.event_type())
PROJECTIONS = all_projections()
UNHANDLED = [(p, cls) for p in PROJECTIONS for cls in EVENT_TYPES if cls not in p.handles]
AT = datetime(2016, 2, 25, 10, tzinfo=UTC)


class _UntouchableUnit:
    """A unit of work that fails on any use: an unhandled event must not reach one."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"apply used the unit ({name}) for an event it does not handle")


def _record(event: Event) -> RecordedEvent[Event]:
    return RecordedEvent(
        7, "e", "stream", 1, event.event_type(), 1, AT, AT, "actor", "cli", None, None, event, "h"
    )


def _matched_classes(projection: Projection) -> set[str]:
    """The class names in the `case` patterns of a projection's `apply`."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(type(projection).apply)))
    return {
        node.cls.id
        for node in ast.walk(tree)
        if isinstance(node, ast.MatchClass) and isinstance(node.cls, ast.Name)
    }


def test_handles_names_exactly_the_types_apply_matches() -> None:
    # Deterministic, unlike generated events: a guarded case (`EntryCorrected() if "text" in
    # event.changes`) is rarely reached by random data.
    for projection in PROJECTIONS:
        declared = {cls.__name__ for cls in projection.handles}
        assert declared == _matched_classes(projection), projection.name


def test_every_handled_type_is_a_registered_event() -> None:
    for projection in PROJECTIONS:
        assert projection.handles <= set(EVENT_TYPES), projection.name
        assert projection.handles, f"{projection.name} handles nothing"


@pytest.mark.parametrize(
    ("projection", "event_class"),
    UNHANDLED,
    ids=[f"{p.name}-{cls.event_type()}" for p, cls in UNHANDLED],
)
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_apply_ignores_every_event_type_its_projection_does_not_handle(
    projection: Projection, event_class: type[Event], data: st.DataObject
) -> None:
    event = data.draw(events_of(event_class))
    projection.apply(_UntouchableUnit(), _record(event))  # type: ignore[arg-type]
