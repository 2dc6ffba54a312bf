# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""Stage two of discovery: ask each address that accepted what it is.

Each host gets the reads of the ``identity`` and ``mining`` subsets through WhatsMinerClient
(one '+'-joined btminer read, then get_version, get_miner_info and status), normalised by
``_state.normalise`` exactly as whatsminer_facts does. A bounded thread pool runs the hosts;
every socket has ``timeout`` and no read is retried, so a frozen host costs one worker one
timeout and never holds up the others.

A host is kept when it identifies as a WhatsMiner (protocol.md 12): get_version answers with
a firmware or API version, or a reply's ``Description`` names btminer or the whatsminer daemon,
or devdetails reports an M-series model. Anything else that answers on the port is skipped
with a reason the inventory prints at ``-v``.

A miner kept is then asked API V3 ``get.device.info`` (section ``miner``, the smallest) on
``v3_port`` within the same ``timeout``, no retry: ``facts["api"]`` is ``v3`` when it answers,
else ``v2`` (Tether's order, protocol.md 12), and the inventory publishes it as ``whatsminer_api``.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hashops.whatsminer.plugins.module_utils import _state
from ansible_collections.hashops.whatsminer.plugins.module_utils._client import WhatsMinerClient
from ansible_collections.hashops.whatsminer.plugins.module_utils._client_v3 import WhatsMinerV3Client
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    ConnectionFailed,
    MinerTimeout,
    ProtocolError,
    WhatsMinerError,
)

SUBSETS = ("identity", "mining")
COMMANDS = _state.commands_for(SUBSETS)

_SIGNATURE = re.compile(r"btminer|whatsminer", re.IGNORECASE)
_MODEL = re.compile(r"^M\d")


class Miner:
    """A host that identified as a WhatsMiner, with its normalised facts."""

    def __init__(self, address: str, facts: dict):
        self.address = address
        self.facts = facts

    def __repr__(self):
        return f"Miner({self.address!r}, model={self.facts.get('model')!r})"


class Skipped:
    """A host that accepted the connection but was not kept, and why."""

    def __init__(self, address: str, reason: str):
        self.address = address
        self.reason = reason

    def __repr__(self):
        return f"Skipped({self.address!r}, {self.reason!r})"


class _InFlight:
    """Counts hosts being identified at once: each holds at most one socket, so this bounds them."""

    def __init__(self):
        self._lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def __enter__(self):
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def __exit__(self, *exc_info):
        with self._lock:
            self.now -= 1


def identify(addresses, port: int, timeout: float, workers: int, password: str | None = None,
             client_factory=WhatsMinerClient, v3_port: int = 0) -> tuple:
    """``(miners, skipped, peak_in_flight)`` for ``addresses``; the lists keep the addresses' order."""
    addresses = list(addresses)
    if not addresses:
        return [], [], 0
    in_flight = _InFlight()

    def one(address):
        with in_flight:
            return identify_one(address, port, timeout, password, client_factory, v3_port)

    workers = max(1, min(int(workers), len(addresses)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="whatsminer-identify") as pool:
        outcomes = list(pool.map(one, addresses))
    miners = [outcome for outcome in outcomes if isinstance(outcome, Miner)]
    skipped = [outcome for outcome in outcomes if isinstance(outcome, Skipped)]
    return miners, skipped, in_flight.peak


def identify_one(address: str, port: int, timeout: float, password: str | None = None,
                 client_factory=WhatsMinerClient, v3_port: int = 0):
    """A Miner or a Skipped for one address; never raises for anything the host does."""
    client = client_factory(address, port=port, password=password, timeout=timeout, read_retries=0)
    try:
        replies = client.read_joined(*COMMANDS)
        facts = _state.normalise(replies, SUBSETS)
    except MinerTimeout:
        return Skipped(address, f"accepted a connection on port {port} but did not answer within {timeout:g} s")
    except ProtocolError as err:
        return Skipped(address, f"answers on port {port}, but not as a WhatsMiner API: {err.cause}")
    except ConnectionFailed as err:
        return Skipped(address, f"accepted the scan's connection, then: {err.cause}")
    except WhatsMinerError as err:
        return Skipped(address, f"could not be read: {err.cause}")
    except Exception as err:  # pylint: disable=broad-exception-caught
        # one device with replies nobody foresaw must not end the discovery of all the others
        return Skipped(address, f"answered in a way discovery could not read ({type(err).__name__}: {err})")
    why_not = not_a_whatsminer(replies, facts)
    if why_not:
        return Skipped(address, f"answers on port {port}, but {why_not}")
    facts["api"] = api_of(address, v3_port, timeout)
    return Miner(address, facts)


def api_of(address: str, v3_port: int, timeout: float) -> str:
    """``v3`` when API V3 answers ``get.device.info`` on ``v3_port``, else ``v2`` (also for ``v3_port`` 0)."""
    if not v3_port:
        return "v2"
    try:
        WhatsMinerV3Client(address, port=v3_port, timeout=timeout, read_retries=0).get("get.device.info", "miner")
    except Exception:  # pylint: disable=broad-exception-caught
        # whatever the port does, the miner was identified on V2: it is read through V2
        return "v2"
    return "v3"


def not_a_whatsminer(replies: dict, facts: dict) -> str | None:
    """None when the replies identify a WhatsMiner, else a sentence saying what they lacked."""
    if not any(replies.values()):
        return "answered every read with an error (e.g. Code 14, invalid command): not a WhatsMiner API"
    if facts.get("api_version"):
        return None
    if any(_SIGNATURE.search(text) for text in _descriptions(replies)):
        return None
    model = facts.get("model") or ""
    if _MODEL.match(model):
        return None
    shown = ", ".join(sorted(repr(text) for text in set(_descriptions(replies)) if text)) or "none"
    reported = facts.get("model_raw") or "not reported"
    return (f"does not identify as a WhatsMiner: no get_version, no btminer or whatsminer signature "
            f"(Description: {shown}), model {reported}")


def _descriptions(replies: dict):
    """Every ``Description`` in the replies' STATUS, flat (daemon) or list (btminer) style."""
    for reply in replies.values():
        if not isinstance(reply, dict):
            continue
        status = reply.get("STATUS")
        if isinstance(status, list):
            for row in status:
                if isinstance(row, dict) and isinstance(row.get("Description"), str):
                    yield row["Description"]
        elif isinstance(reply.get("Description"), str):
            yield reply["Description"]
