"""The store schema's version this code writes, known without loading SQLAlchemy: a read can
tell a store it may read as it is from one that a migration must see first."""

from __future__ import annotations

SCHEMA_VERSION_KEY = "schema_version"
"""The `store_meta` row holding the schema's version."""

LATEST = 1
"""The version of the last migration (`events.migrations` checks that it is)."""
