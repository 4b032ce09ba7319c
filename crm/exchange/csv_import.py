"""CSV imports of contacts, organisations, meetings and follow-ups: checked, previewed, one batch.

Every row is checked before anything is written; a file with a bad row writes nothing
(unless invalid rows are to be skipped). The rows that pass become events appended in one
transaction, all carrying the batch's correlation id, which `crm undo --batch` retracts.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID, uuid4

from crm.errors import BadInputError, CrmError
from crm.exchange.row_parsers import PARSERS, RowContext, Writes
from events.event import Event

KINDS = ("contacts", "organisations", "meetings", "followups")


@dataclass
class ParsedRow:
    """One CSV row turned into the events it would write, or the reason it cannot be."""

    line: int
    label: str
    writes: list[tuple[str, list[Event]]] = field(default_factory=list)
    error: str | None = None
    duplicate_of: str | None = None


@dataclass
class ImportPlan:
    """What an import would do."""

    kind: str
    rows: list[ParsedRow]
    batch_id: UUID = field(default_factory=uuid4)

    @property
    def valid(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.error is None and r.duplicate_of is None]

    @property
    def invalid(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.error is not None]

    @property
    def duplicates(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.error is None and r.duplicate_of is not None]


def _first_error(error: ValueError) -> str:
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(error).splitlines()[0]


def load_mapping(path: Path | None) -> tuple[dict[str, str], dict[str, str]]:
    """Read a MAP.toml: `[columns]` source header -> field, `[defaults]` field -> value."""
    if path is None:
        return {}, {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise BadInputError(f"cannot read the mapping {path}: {error}") from None
    columns, defaults = data.get("columns", {}), data.get("defaults", {})
    if not isinstance(columns, dict) or not isinstance(defaults, dict):
        raise BadInputError(f"{path}: [columns] and [defaults] must be tables")
    return {_norm(k): _norm(str(v)) for k, v in columns.items()}, {
        _norm(k): str(v) for k, v in defaults.items()
    }


def _norm(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def _text(path: Path) -> str:
    """The file decoded whole, so a bad byte is named by its own line, not the first.

    Decoding as the CSV reader reads goes by 8 KB chunks: a bad byte anywhere in the first
    chunk surfaced while reading the header, as "line 1".
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BadInputError(f"cannot open {path}: {error.strerror}") from None
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = len(re.split(rb"\r\n|\r|\n", data[: error.start]))
        raise BadInputError(
            f"{path} line {line}: not UTF-8 text ({error.reason} at byte "
            f"0x{data[error.start]:02x}); save it as CSV UTF-8"
        ) from None


def read_rows(
    path: Path, mapping: dict[str, str], defaults: dict[str, str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as field -> text, with the line each starts on (multi-line cells counted)."""
    reader = csv.reader(io.StringIO(_text(path), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise BadInputError(f"{path} is empty") from None
    except csv.Error as error:
        raise BadInputError(f"{path} line 1: {error}") from None
    names = [mapping.get(_norm(h), _norm(h)) for h in header]
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise BadInputError(f"{path} line {start}: {error}") from None
        if any(map(str.strip, cells)):
            row = dict(defaults)
            row.update({n: c for n, c in zip(names, cells, strict=False) if c.strip()})
            yield start, row
        start = reader.line_num + 1


def plan_row(
    parse: Callable[[dict[str, str], RowContext], tuple[Writes, str | None]],
    raw: dict[str, str],
    context: RowContext,
    line: int,
    label: str,
) -> ParsedRow:
    """Parse one row; a row that will not be written takes back the organisations it named
    first, so the next row naming one creates it (else later rows would point at nothing)."""
    parsed = ParsedRow(line=line, label=" ".join(label.split())[:80])
    context.line = line
    known = len(context.new_orgs)  # new organisations are appended: the ones after are this row's
    try:
        parsed.writes, parsed.duplicate_of = parse(raw, context)
    except CrmError as error:
        parsed.error = str(error)
    except ValueError as error:  # pydantic's ValidationError included
        parsed.error = _first_error(error)
    if parsed.error is not None or parsed.duplicate_of is not None:
        for key in list(context.new_orgs)[known:]:
            del context.new_orgs[key]
    return parsed


def plan_import(
    kind: str,
    path: Path,
    context: RowContext,
    *,
    mapping: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportPlan:
    """Parse and check every row; nothing is written."""
    if kind not in KINDS:
        raise BadInputError(f"--kind must be one of {', '.join(KINDS)}")
    columns, defaults = load_mapping(mapping)
    parse = PARSERS[kind]
    plan = ImportPlan(kind=kind, rows=[])
    for count, (line, raw) in enumerate(read_rows(path, columns, defaults), 1):
        label = raw.get("name") or raw.get("subject") or raw.get("text") or raw.get("family_name")
        plan.rows.append(plan_row(parse, raw, context, line, str(label or "")))
        if progress is not None and count % 500 == 0:
            progress(count)
    return plan
