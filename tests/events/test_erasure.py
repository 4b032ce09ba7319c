"""Crypto-shredding: deleting a person's key erases their personal fields everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from events.errors import SubjectErasedError
from events.vocabulary import ERASED
from tests.events.raw import execute, is_sqlite
from tests.events.sample import PersonMet, open_sample_store, person


def test_personal_fields_are_stored_sealed(store_url: str) -> None:
    store = open_sample_store(store_url)
    store.append("person-1", [person("Zhao Xuenong", "zhao@example.cn")], 0)
    store.engine.dispose()

    (payload,) = execute(store_url, "SELECT payload FROM events")[0]

    assert "Zhao" not in payload
    assert "zhao@example.cn" not in payload
    assert "Kunming" in payload  # ordinary fields stay readable


def test_forgetting_a_subject_erases_their_fields_and_keeps_others(store_url: str) -> None:
    store = open_sample_store(store_url)
    zhao, guan = person("Zhao Xuenong"), person("Guan Qinghua", "guan@example.cn")
    store.append("person-zhao", [zhao], 0)
    store.append("person-guan", [guan], 0)

    assert store.forget_subject(str(zhao.person_id))
    first, second = store.read_all()

    assert first.is_erased
    assert first.event == PersonMet(
        person_id=zhao.person_id, name=ERASED, emails=(ERASED,), phone=ERASED
    )
    assert not second.is_erased
    assert second.event == guan
    assert store.verify().is_intact
    store.engine.dispose()


def test_an_erased_subject_gets_no_new_key(store_url: str) -> None:
    store = open_sample_store(store_url)
    zhao = person()
    store.append("person-zhao", [zhao], 0)
    store.forget_subject(str(zhao.person_id))

    with pytest.raises(SubjectErasedError):
        store.append("person-zhao", [zhao], 1)

    assert store.head_position() == 1
    store.engine.dispose()


def test_importing_keys_adds_only_the_missing_and_never_revives_an_erased_subject(
    store_url: str,
) -> None:
    store = open_sample_store(store_url)
    kept, erased = person("Zhao Xuenong"), person("Guan Qinghua")
    store.append("person-kept", [kept], 0)
    store.append("person-erased", [erased], 0)
    own_key = dict(store.subject_keys())[str(kept.person_id)]
    store.forget_subject(str(erased.person_id))

    added = store.import_subject_keys(
        [
            (str(kept.person_id), b"k" * 32),  # has a key here: keeps its own
            (str(erased.person_id), b"e" * 32),  # erased here: stays erased
            ("subject-new-1", b"1" * 32),
            ("subject-new-2", b"2" * 32),
        ]
    )

    keys = dict(store.subject_keys())
    assert added == 2
    assert keys[str(kept.person_id)] == own_key
    assert str(erased.person_id) not in keys
    assert (keys["subject-new-1"], keys["subject-new-2"]) == (b"1" * 32, b"2" * 32)
    assert [r.is_erased for r in store.read_all()] == [False, True]
    store.engine.dispose()


def test_forgetting_twice_is_harmless(store_url: str) -> None:
    store = open_sample_store(store_url)
    zhao = person()
    store.append("person-zhao", [zhao], 0)

    assert store.forget_subject(str(zhao.person_id))
    assert not store.forget_subject(str(zhao.person_id))
    store.engine.dispose()


def _key_of(url: str, subject: str) -> bytes:
    rows = execute(url, "SELECT key FROM subject_keys WHERE subject_id = ?", (subject,))
    return bytes(rows[0][0])


def test_a_deleted_key_is_gone_from_the_sqlite_files(sqlite_url: str) -> None:
    store = open_sample_store(sqlite_url)
    zhao = person()
    store.append("person-zhao", [zhao], 0)
    key = _key_of(sqlite_url, str(zhao.person_id))

    store.forget_subject(str(zhao.person_id))
    store.engine.dispose()

    path = Path(str(make_url(sqlite_url).database))
    files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
    assert files
    assert all(key not in p.read_bytes() for p in files)


def test_a_deleted_key_is_gone_from_the_postgres_table_file(postgres_url: str) -> None:
    store = open_sample_store(postgres_url)
    zhao = person()
    store.append("person-zhao", [zhao], 0)
    key = _key_of(postgres_url, str(zhao.person_id))
    execute(postgres_url, "CHECKPOINT")

    store.forget_subject(str(zhao.person_id))
    store.engine.dispose()
    execute(postgres_url, "CHECKPOINT")

    ((data,),) = execute(
        postgres_url, "SELECT pg_read_binary_file(pg_relation_filepath('subject_keys'))"
    )
    assert key not in bytes(data)
    assert is_sqlite(postgres_url) is False


def test_a_person_added_while_a_long_read_is_under_way_is_not_read_as_erased(
    store_url: str,
) -> None:
    store = open_sample_store(store_url)
    store.append("person-first", [person("Gary Millar")], expected_version=0)
    reading = store.read_all(batch_size=1)  # a whole-log read preloads every key it can see
    next(reading)
    writer = open_sample_store(store_url)
    writer.append("person-later", [person("Guan Qinghua")], expected_version=0)

    (later,) = list(reading)

    assert later.event.name == "Guan Qinghua"  # type: ignore[attr-defined]
    assert later.is_erased is False
    writer.engine.dispose()
    store.engine.dispose()
