"""Dated things ahead: missions and visits by start, agreements by expiry.

Its tables are in `projections.upcoming_tables`.
"""

from __future__ import annotations

VERSION = 2
"""The shape and content of these tables: a change rebuilds them on first use.

2: visits keep their local start and end times and the end's zone.
"""
