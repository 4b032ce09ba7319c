"""`crm init`, `crm status` and `crm verify`, and the errors a bad store gives."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.clirunner import assert_one_line_error, crm, crm_json, crm_ok
from tests.events.raw import execute


def test_init_creates_an_empty_store_and_reports_it(store_url: str) -> None:
    summary = crm_json("init", db=store_url)

    assert summary["schema_version"] == 1
    assert summary["events"] == 0
    assert summary["backend"] in {"sqlite", "postgresql"}


def test_init_leaves_every_read_model_built_and_current(store_url: str) -> None:
    from events.connect import open_engine
    from events.database import read_transaction
    from events.reader import reader_of
    from projections.views import views_current

    crm_ok("init", db=store_url)

    engine = open_engine(store_url)
    try:
        with read_transaction(engine) as conn:
            assert views_current(reader_of(conn))
    finally:
        engine.dispose()


def test_default_store_lives_in_the_user_data_directory(isolated_user_dirs: Path) -> None:
    summary = crm_json("init")

    expected = isolated_user_dirs / "data" / "trade-mission-crm" / "crm.db"
    assert expected.exists()
    assert str(expected) in summary["database"]


def test_a_new_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private.db"

    crm_ok("init", db=f"sqlite:///{path}")

    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_verify_reports_an_intact_log(store_url: str) -> None:
    crm_ok("init", db=store_url)

    report = crm_json("verify", db=store_url)

    assert report["intact"] is True


def test_a_malformed_url_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    result = crm("status", db="sqlite//no-scheme")

    assert_one_line_error(result, contains="malformed database URL")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_an_unsupported_backend_is_one_line() -> None:
    assert_one_line_error(crm("status", db="mysql://root@localhost/x"), contains="unsupported")


def test_an_unreachable_postgres_is_one_line() -> None:
    result = crm("status", db="postgresql://postgres@127.0.0.1:1/none")

    assert_one_line_error(result, contains="cannot use the database")


def test_a_store_with_a_newer_schema_is_refused_and_left_alone(store_url: str) -> None:
    crm_ok("init", db=store_url)
    execute(store_url, "UPDATE store_meta SET value = '7' WHERE name = 'schema_version'")

    assert_one_line_error(crm("status", db=store_url), contains="newer than this crm knows")
    assert execute(store_url, "SELECT value FROM store_meta") == [("7",)]


def test_a_bad_format_is_a_usage_error() -> None:
    assert_one_line_error(crm("status", "--format", "yaml"), code=2, contains="--format")
