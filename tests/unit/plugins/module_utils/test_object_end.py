"""Where the first JSON object of a reply ends: the C parser's shortcut for a whole first chunk agrees with the scan."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils._client import _ObjectEnd

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
STORED = sorted(path for path in FIXTURES.rglob("*") if path.suffix in (".json", ".raw"))


def scanned(data: bytes):
    """The scan alone: a first chunk of one byte is never a whole object, so the shortcut stays out."""
    scan = _ObjectEnd()
    scan.feed(data[:1])
    return scan.feed(data[1:])


def test_there_are_stored_replies_to_compare():
    assert len(STORED) > 40


@pytest.mark.parametrize("path", STORED, ids=lambda path: str(path.relative_to(FIXTURES)))
def test_every_stored_reply_ends_where_the_scan_says(path):
    data = path.read_bytes()
    assert _ObjectEnd().feed(data) == scanned(data)


@pytest.mark.parametrize("data, end", [
    (b'{"a":"}"}', 9),
    (b'{"a":"\\"}"}\n\0', 11),  # an escaped quote; the blanks after the object are not part of it
    (b'  {"a":{"b":[1,2]}}  ', 19),
    (b'\0\0{"a":1}\0', 9),  # NULs around the object
    (b'{"a":1}{"b":2}', 7),  # two objects: not valid JSON, so the scan finds the first
    (b'{"Msg":"cut', None),
    (b'{"a":1,}', 8),  # the firmware's trailing comma: not JSON, but the object is whole
    (b'[1,2]', None),
    (b'{"a":' + b'[' * 5000 + b']' * 5000 + b'}', 10006),  # deeper than the C parser goes
])
def test_the_shortcut_and_the_scan_agree_on_edge_cases(data, end):
    assert _ObjectEnd().feed(data) == scanned(data) == end
