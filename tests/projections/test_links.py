"""A row's links, packed by hand as JSON for speed, read back by any JSON parser."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from projections.timeline import pack_links, unpack_links

KINDS = st.sampled_from(["contact", "partnership", "organisation", "mission", "followup"])


@given(links=st.dictionaries(st.uuids().map(str), KINDS, max_size=8))
def test_packed_links_are_the_json_of_the_links_and_unpack_to_them(links: dict[str, str]) -> None:
    packed = pack_links(links)

    assert json.loads(packed) == links
    assert packed == json.dumps(links, separators=(",", ":"))
    assert list(unpack_links(packed).items()) == list(links.items())  # order kept too
