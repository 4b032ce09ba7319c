"""Map a stored (type, schema_version) to its event class; upcasters lift old shapes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from events.errors import UnknownEventTypeError
from events.event import Event

E = TypeVar("E", bound=type[Event])
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class EventRegistry:
    """Know every event class; lift payloads stored in older schema versions to the current one."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Event]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, cls: E) -> E:
        """Register an event class under its type name (usable as a decorator)."""
        name = cls.event_type()
        known = self._classes.get(name)
        if known is not None and known is not cls:
            raise ValueError(f"event type {name} is registered twice")
        self._classes[name] = cls
        return cls

    def upcaster(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function turning a payload of `from_version` into `from_version + 1`."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = fn
            return fn

        return decorate

    def class_for(self, event_type: str, schema_version: int) -> type[Event]:
        """Return the class that reads `event_type` as stored in `schema_version`."""
        cls = self._classes.get(event_type)
        if cls is None or schema_version > cls.schema_version or schema_version < 1:
            raise UnknownEventTypeError(event_type, schema_version)
        return cls

    def upcast(self, event_type: str, schema_version: int, data: dict[str, Any]) -> dict[str, Any]:
        """Lift a stored payload, one version at a time, to the class's current shape."""
        current = self.class_for(event_type, schema_version).schema_version
        for version in range(schema_version, current):
            step = self._upcasters.get((event_type, version))
            if step is None:
                raise UnknownEventTypeError(event_type, schema_version)
            data = step(data)
        return data

    def classes(self) -> Iterable[type[Event]]:
        """Every registered class, for tests and documentation."""
        return self._classes.values()

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._classes


registry = EventRegistry()
"""The registry every schema module in `events.schemas` registers into."""
