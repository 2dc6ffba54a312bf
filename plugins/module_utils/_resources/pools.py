# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""whatsminer_pools: the miner's ordered list of one to three pools.

Reads ``pools`` (joined with ``summary``, whose ``Elapsed`` shows a btminer restart). Compares URL and
user per slot, in priority order; pool passwords cannot be read back (protocol.md 11), so they are sent
only when a URL or user differs, or on every run with ``update_password: always``. Writes
``update_pools`` with all nine keys, empty strings for unused slots (protocol.md 7.1), then reads the
pools back until the new URLs show, within ``wait_timeout``: some firmware restarts btminer to apply them.
"""

from __future__ import annotations

import re

from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import (
    WAIT_SPEC,
    InvalidOption,
    Step,
    runner,
)

SLOTS = 3
PLACEHOLDER_PASSWORD = "x"
DEFAULT_SCHEME = "stratum+tcp"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_AUTHORITY_END = re.compile(r"[/?#]")

ARGUMENT_SPEC = dict(WAIT_SPEC, **{
    "pools": {
        "type": "list", "elements": "dict", "required": True,
        "options": {
            "url": {"type": "str", "required": True},
            "user": {"type": "str", "required": True},
            "password": {"type": "str", "no_log": True},
        },
    },
    "update_password": {"type": "str", "default": "on_change", "choices": ["on_change", "always"]},
})

READS = ("summary", "pools")
SUBSETS = ("pools",)


def normalise_url(url: str) -> str:
    """How a pool URL is compared: scheme and host lowercased, ``stratum+tcp://`` when no scheme is
    given, no trailing slash; the user's path and port are kept as written."""
    text = url.strip()
    match = _SCHEME.match(text)
    scheme, rest = (match.group(1).lower(), text[match.end():]) if match else (DEFAULT_SCHEME, text)
    cut = _AUTHORITY_END.search(rest)
    host, tail = (rest[:cut.start()], rest[cut.start():]) if cut else (rest, "")
    return f"{scheme}://{host.lower()}{tail}".rstrip("/")


def desired(params: dict, host: str) -> dict:
    pools = params["pools"]
    if not 1 <= len(pools) <= SLOTS:
        raise InvalidOption(host, "pools", f"give 1 to {SLOTS} pools, in failover order (got {len(pools)})")
    wanted = []
    for number, pool in enumerate(pools, 1):
        url, user = pool["url"].strip(), pool["user"].strip()
        if not url or re.search(r"\s", url) or not _authority(url):
            raise InvalidOption(host, "pools", f"pool {number}: url {pool['url']!r} is not a pool address "
                                               "such as stratum+tcp://pool.example.com:3333")
        if not user:
            raise InvalidOption(host, "pools", f"pool {number}: user must not be empty")
        wanted.append({"url": normalise_url(url), "user": user})
    return {"pools": wanted}


def _authority(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return _AUTHORITY_END.split(rest, 1)[0]


def current(reading, want: dict) -> dict:  # pylint: disable=unused-argument
    pools = reading.state.get("pools")
    if pools is None:
        return {}
    ordered = sorted(pools, key=lambda p: p["priority"]) if all(
        isinstance(p.get("priority"), int) for p in pools) else pools
    return {"pools": [{"url": normalise_url(p["url"]), "user": (p.get("user") or "").strip()} for p in ordered]}


def plan(want: dict, have: dict, differ: list, params: dict) -> list:  # pylint: disable=unused-argument
    if not differ and params["update_password"] != "always":
        return []
    write = {}
    for slot in range(1, SLOTS + 1):
        pool = params["pools"][slot - 1] if slot <= len(params["pools"]) else None
        write[f"pool{slot}"] = want["pools"][slot - 1]["url"] if pool else ""
        write[f"worker{slot}"] = want["pools"][slot - 1]["user"] if pool else ""
        write[f"passwd{slot}"] = (pool.get("password") or PLACEHOLDER_PASSWORD) if pool else ""
    return [Step("update_pools", write, ("pools",), unverifiable=("password",),
                 settle_s=float(params["wait_timeout"]))]


def secrets(params: dict) -> set:
    return {pool["password"] for pool in params.get("pools") or () if pool.get("password")}


run = runner(__name__)
